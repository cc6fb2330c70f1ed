#!/usr/bin/env bash
# Watch set-up time and idle memory of `bim daemon` on a /usr/lib-sized tree (thousands of directories):
# copies /usr/lib to a tmpfs (read only from the real one), starts the daemon watching it recursively,
# and reports the "watches installed" line, the start-up sweep, and the daemon's RSS once idle.
#   sudo monitor-daemon/bench/watch-bench.sh [--source /usr/lib] [--jar monitor-daemon/target/bim.jar]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=/usr/lib
jar=$here/../target/bim.jar
while [ $# -gt 0 ]; do
    case "$1" in
        --source) source_dir=$2; shift 2 ;;
        --jar) jar=$2; shift 2 ;;
        *) echo "usage: $0 [--source DIR] [--jar JAR]" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "watch-bench: run as root (it mounts a tmpfs)" >&2; exit 2; }

top=$(mktemp -d /tmp/bim-watch-bench.XXXXXX)
mounted=0
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    [ $mounted -eq 1 ] && umount -l "$top" 2>/dev/null || true
    rm -rf "$top"
}
trap cleanup EXIT INT TERM
if mount -t tmpfs -o size=12g tmpfs "$top" 2>/dev/null; then mounted=1; fi

cp -a "$source_dir" "$top/lib"
dirs=$(find "$top/lib" -type d | wc -l)
files=$(find "$top/lib" -type f | wc -l)
echo "tree: $dirs directories, $files files, $(du -sh "$top/lib" | cut -f1)"
cat > "$top/bim.toml" <<TOML
[monitor]
database_path = "$top/state/hashes.json"
key_path = "$top/state/bim.key"
log_dir = "$top/state/log"
lockdown_script = "/bin/false"
[binaries]
critical_binaries = []
system_binaries = ["$top/lib/**"]
include_libraries = false
[lockdown]
enable_lockdown = false
TOML
launcher=$here/../../etc/bim   # the JVM options bim runs with everywhere
BIM_JAR=$jar "$launcher" --config "$top/bim.toml" init --no-progress > /dev/null || [ $? -eq 18 ]
BIM_JAR=$jar "$launcher" --config "$top/bim.toml" daemon > /dev/null 2>&1 &
pid=$!
log=$top/state/log/binary_integrity_monitor.log
for _ in $(seq 600); do grep -q 'DaemonCommand: watching' "$log" 2>/dev/null && break; sleep 0.1; done
grep -q 'DaemonCommand: watching' "$log" || { echo "daemon not ready" >&2; cat "$log" >&2; exit 1; }
grep -E 'watches installed|sweep \(start-up\) done|DaemonCommand: watching' "$log" | sed 's/^[^ ]* [A-Z]* *\[[^]]*\] //'
sleep 10   # idle: nothing changes in the tree
rss=$(awk '/^VmRSS/ {print int($2/1024)}' /proc/$pid/status)
hwm=$(awk '/^VmHWM/ {print int($2/1024)}' /proc/$pid/status)
echo "daemon RSS idle: $rss MB (peak $hwm MB during the start-up sweep); target idle < 200 MB"
