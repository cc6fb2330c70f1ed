#!/usr/bin/env bash
# Builds bim and runs the monitor on a safe default, as root or not: the shipped monitored set
# (/usr/bin, /usr/sbin, the critical libraries) is only read; the baseline, logs and evidence go under
# $BIM_HOME (default ~/.local/state/bim-quickstart); lockdown is off and the daemon runs with --dry-run, so it
# detects, alerts and keeps evidence but changes no monitored file.
#   etc/quickstart.sh            build, record the baseline on first run, then run the daemon (Ctrl-C stops it)
#   etc/quickstart.sh check      build, record the baseline on first run, then one check against it
#   BIM_HOME=/tmp/b etc/quickstart.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
home=${BIM_HOME:-${XDG_STATE_HOME:-$HOME/.local/state}/bim-quickstart}

mvn -q -B -f "$here/pom.xml" -DskipTests package

mkdir -p "$home"
chmod 700 "$home"
config=$home/bim.toml
sed -e "s|^quarantine_dir = .*|quarantine_dir = \"$home/quarantine\"|" \
    -e "s|^database_path = .*|database_path = \"$home/state/hashes.json\"|" \
    -e "s|^log_dir = .*|log_dir = \"$home/log\"|" \
    -e "s|^key_path = .*|key_path = \"$home/state/bim.key\"|" \
    -e "s|^lockdown_script = .*|lockdown_script = \"$here/etc/lockdown.sh\"|" \
    -e "s|^backup_dir = .*|backup_dir = \"$home/backup\"|" \
    -e "s|^enable_lockdown = .*|enable_lockdown = false|" \
    -e "s|\"/usr/local/bin/bim\"|\"$here/etc/bim\"|" \
    -e "s|\"/usr/local/bin/lockdown.sh\"|\"$here/etc/lockdown.sh\"|" \
    -e '\|"/usr/local/lib/bim/bim.jar",|d' \
    -e '\|"/usr/local/lib/bim/bim.jsa",|d' \
    -e "s|\"/usr/local/lib/bim/bim-jit.json\"|\"$here/etc/bim-jit.json\"|" \
    -e "s|\"/etc/binary_integrity_monitor.toml\"|\"$config\"|" \
    -e "s|\"/etc/binary_integrity_monitor.key\"|\"$home/state/bim.key\"|" \
    "$here/etc/binary_integrity_monitor.toml" > "$config"
# The monitor guards itself as installed: here, the launcher, JIT directives, lockdown script, configuration and key this run uses
# (not the jar, which every build rewrites).

bim() { "$here/etc/bim" --config "$config" "$@"; }   # the launcher sets the locale and the heap

echo "quickstart: configuration $config (state under $home)" >&2
if [ ! -e "$home/state/hashes.json" ]; then
    bim init || [ $? -eq 18 ]   # 18: some files were unreadable (as non-root); the rest is recorded
fi
if [ "${1:-daemon}" = check ]; then
    rc=0
    bim check || rc=$?
    echo "quickstart: check exit code $rc (0 clean; 1 added + 2 removed + 4 changed; 18 unreadable files)" >&2
    exit $rc
fi
echo "quickstart: the monitor runs (dry run); alerts appear here and in $home/log/binary_integrity_alerts.log;" \
     "bim status: $here/etc/bim --config $config status; Ctrl-C stops it" >&2
exec "$here/etc/bim" --config "$config" daemon --dry-run
