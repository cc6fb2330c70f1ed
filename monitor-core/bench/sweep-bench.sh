#!/usr/bin/env bash
# sweep-bench.sh — times `bim init` and `bim check` against `openssl dgst -sha256` and `sha256sum`
# (both on all cores through xargs -P) over the same corpus, a copy of /usr/lib on a tmpfs.
#
# Run as root (it mounts a tmpfs). It only reads --source; everything it writes (corpus, baseline,
# logs, config, temporary files) lives under one mktemp directory, removed by a trap on exit or Ctrl-C.
# The results go to stdout only; tee them if you want to keep them.
#
#   sudo monitor-core/bench/sweep-bench.sh [--source DIR] [--max-gb N] [--runs N] [--jar PATH]
#                                          [--java PATH] [--jvm-opts "FLAGS"] [--gc-log] [--sample]
#
# See monitor-core/bench/README.md for what it measures and the figures on the reference machine.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)

SOURCE=/usr/lib
MAX_GB=""
RUNS=3
JAR="$REPO_DIR/monitor-daemon/target/bim.jar"
JAVA=java
JVM_OPTS=""
GC_LOG=0
CDS=1
SAMPLE=0
XARGS_N=1024
TARGET_RATIO=0.80
TARGET_RSS_MIB=256

usage() {
    sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'
Options:
  --source DIR      tree to copy into the corpus (default /usr/lib; only read, never written)
  --max-gb N        cap the corpus at N GB (10^9 bytes) of regular files (default: all of --source)
  --runs N          repetitions of every timed step (default 3); best and median are reported
  --jar PATH        the bim jar (default <repo>/monitor-daemon/target/bim.jar)
  --java PATH       the java launcher (default: java on PATH)
  --jvm-opts FLAGS  JVM flags for every bim run instead of the launcher's (BIM_JAVA_OPTS), word-split
                    (default: none given, so etc/bim's own, as an installed bim runs)
  --no-cds          run without the class-data archive (by default one is made for the jar, as install.sh does)
  --gc-log          add -Xlog:gc to the bim runs; the logs' summary is printed at the end
  --sample          during the last `check`, sample the JVM's threads and CPU use (top -H) every second
EOF
}

die() { echo "sweep-bench: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --source) SOURCE=${2:?--source needs a directory}; shift 2 ;;
        --max-gb) MAX_GB=${2:?--max-gb needs a number}; shift 2 ;;
        --runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
        --jar) JAR=${2:?--jar needs a path}; shift 2 ;;
        --java) JAVA=${2:?--java needs a path}; shift 2 ;;
        --jvm-opts) JVM_OPTS=${2?--jvm-opts needs flags}; shift 2 ;;
        --gc-log) GC_LOG=1; shift ;;
        --no-cds) CDS=0; shift ;;
        --sample) SAMPLE=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

[ "$(id -u)" -eq 0 ] || die "must be run as root (it mounts a tmpfs)"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
[ -z "$MAX_GB" ] || [[ "$MAX_GB" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--max-gb must be a number"
[ -d "$SOURCE" ] || die "source $SOURCE is not a directory"
SOURCE=$(cd "$SOURCE" && pwd -P)
[ -f "$JAR" ] || die "jar $JAR not found; build it: cd $REPO_DIR && mvn -q -B -o -DskipTests install"
JAR=$(cd "$(dirname "$JAR")" && pwd -P)/$(basename "$JAR")
command -v "$JAVA" >/dev/null || die "java launcher $JAVA not found"
for tool in openssl sha256sum xargs find tar awk; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
if [ ! -x /usr/bin/time ]; then
    echo "# /usr/bin/time missing: installing the 'time' package" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
    [ -x /usr/bin/time ] || die "could not install /usr/bin/time"
fi
NPROC=$(nproc)

# ---------------------------------------------------------------------------------------------------------
# Working area: a tmpfs mounted on a fresh mktemp directory, or a fresh directory under /dev/shm.
# ---------------------------------------------------------------------------------------------------------
WORK=""
MOUNTED=0
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    # Stop anything still running in the background (the --sample sampler, an interrupted step).
    local pids
    pids=$(jobs -p 2>/dev/null || true)
    [ -z "$pids" ] || kill $pids 2>/dev/null || true
    wait 2>/dev/null || true
    cd /
    if [ -n "$WORK" ] && [ -d "$WORK" ]; then
        if [ "$MOUNTED" -eq 1 ]; then
            umount "$WORK" 2>/dev/null || umount -l "$WORK" 2>/dev/null || echo "sweep-bench: could not unmount $WORK" >&2
        fi
        # --one-file-system: should the unmount have failed, nothing on the tmpfs is followed from here.
        mountpoint -q "$WORK" || rm -rf --one-file-system -- "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "sweep-bench: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if [ -n "$MAX_GB" ]; then
    CAP=$(awk -v g="$MAX_GB" 'BEGIN { printf "%.0f", g * 1e9 }')
else
    CAP=-1
fi
# Size the tmpfs from a first scan: the selected bytes plus room for the baseline (~1 KB a file), the logs
# and block rounding (4 KiB a file). A tmpfs only takes the memory it holds; the size is a ceiling.
read -r SCAN_FILES SCAN_BYTES < <(find "$SOURCE" -xdev -type f -printf '%s\n' |
    awk -v cap="$CAP" '{ if (cap >= 0 && b + $1 > cap) next; n++; b += $1 } END { printf "%.0f %.0f\n", n, b }')
[ "$SCAN_FILES" -gt 0 ] || die "no regular files in $SOURCE"
TMPFS_MB=$(( (SCAN_BYTES + SCAN_FILES * 8192) / 1048576 + 512 ))

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bim-bench.XXXXXXXX")
if mount -t tmpfs -o "size=${TMPFS_MB}m,mode=0700" tmpfs "$WORK" 2>/dev/null; then
    MOUNTED=1
    AREA="tmpfs (size=${TMPFS_MB}m) mounted on $WORK"
else
    echo "# mount -t tmpfs failed; falling back to a fresh directory under /dev/shm" >&2
    rmdir "$WORK"
    WORK=""
    [ -d /dev/shm ] || die "mount failed and there is no /dev/shm"
    WORK=$(mktemp -d /dev/shm/bim-bench.XXXXXXXX)
    AREA="directory $WORK on /dev/shm (mount failed)"
fi

# The corpus list: regular files in find order until the cap, NUL-separated names relative to the source.
( cd "$SOURCE" && find . -xdev -type f -printf '%s\t%P\0' ) |
    awk -v RS='\0' -v ORS='\0' -v cap="$CAP" -v tot="$WORK/totals" '
        { tab = index($0, "\t"); size = substr($0, 1, tab - 1) + 0; name = substr($0, tab + 1)
          if (cap >= 0 && bytes + size > cap) next
          bytes += size; files++; print name }
        END { printf "%.0f %.0f\n", files, bytes > tot }' >"$WORK/corpus.lst"
read -r LIST_FILES LIST_BYTES <"$WORK/totals"

CORPUS=$WORK/corpus
STATE=$WORK/state
RES=$WORK/results
mkdir -p "$CORPUS" "$STATE/log" "$STATE/q" "$STATE/backup" "$STATE/tmp" "$RES"

# ---------------------------------------------------------------------------------------------------------
# Corpus: regular files only, modes/owners/times preserved, hard links kept as hard links.
# ---------------------------------------------------------------------------------------------------------
echo "# copying the corpus into $CORPUS ..." >&2
t0=$(date +%s.%N)
# (mawk, Debian's awk, prints %d clamped to 2^31-1: every byte count here goes through %.0f.)
if ! { ( cd "$SOURCE" && tar --null --no-recursion -T "$WORK/corpus.lst" -cf - ) |
        ( cd "$CORPUS" && tar -xpf - ); } 2>"$WORK/tar.err"; then
    head -n 5 "$WORK/tar.err" >&2
    die "copying the corpus failed (tmpfs size=${TMPFS_MB}m for $LIST_BYTES bytes in $LIST_FILES files)"
fi
t1=$(date +%s.%N)
read -r FILES BYTES < <(find "$CORPUS" -type f -printf '%s\n' | awk '{ n++; b += $1 } END { printf "%.0f %.0f\n", n, b }')
[ "$FILES" -eq "$LIST_FILES" ] || echo "# note: $LIST_FILES files listed, $FILES in the corpus" >&2
echo "# copied $FILES files, $BYTES bytes in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s" >&2

# Warm-up: read every file once (the corpus is on tmpfs, so this mostly faults in nothing; it also warms
# the dentry/inode caches the walks use). Cold start of each tool is left in: best-of-N shows warm figures.
find "$CORPUS" -type f -print0 | xargs -0 -P"$NPROC" -n "$XARGS_N" cat >/dev/null

# ---------------------------------------------------------------------------------------------------------
# bim configuration: every path it might write points inside $STATE; lockdown off.
# ---------------------------------------------------------------------------------------------------------
CONF=$STATE/bim.toml
cat >"$CONF" <<EOF
[monitor]
database_path = "$STATE/hashes.json"
log_dir = "$STATE/log"
quarantine_dir = "$STATE/q"
lockdown_script = "$STATE/lockdown-not-used.sh"
key_path = "$STATE/bim.key"
max_workers = 0          # 0 = all CPUs
[binaries]
critical_binaries = []
system_binaries = ["$CORPUS/**"]
include_libraries = false
critical_libraries = []
[lockdown]
enable_lockdown = false
auto_restore_backup = false
backup_dir = "$STATE/backup"
EOF

# A private copy of the jar: a rebuild of the working tree during the benchmark cannot swap classes under it.
cp "$JAR" "$STATE/bim.jar"
JAR_INFO="$JAR ($(stat -c %y "$JAR" | cut -d. -f1), sha256 $(sha256sum "$STATE/bim.jar" | cut -c1-12)…, run from a copy)"

# bim runs as users run it: through the launcher etc/bim (its JVM options and JIT directives) with the
# class-data archive that install.sh makes. java.io.tmpdir is a system property, not a tuning flag: it keeps the
# JVM's temporary files (jffi's library) in $STATE; it goes in through JAVA_TOOL_OPTIONS, so the launcher's own
# options stay as they are.
LAUNCHER="$REPO_DIR/etc/bim"
[ -x "$LAUNCHER" ] || die "launcher $LAUNCHER not found or not executable"
BIM_ENV=(BIM_JAR="$STATE/bim.jar" JAVA="$JAVA" JAVA_TOOL_OPTIONS="-Djava.io.tmpdir=$STATE/tmp")
[ -z "$JVM_OPTS" ] || BIM_ENV+=(BIM_JAVA_OPTS="$JVM_OPTS")
CDS_INFO="none (--no-cds)"
if [ "$CDS" -eq 1 ]; then
    if env "${BIM_ENV[@]}" TMPDIR="$STATE/tmp" bash "$REPO_DIR/etc/cds-archive.sh" --launcher "$LAUNCHER" \
            "$STATE/bim.jar" >"$STATE/cds.out" 2>&1; then
        CDS_INFO="$STATE/bim.jsa, $(stat -c %s "$STATE/bim.jsa") bytes (etc/cds-archive.sh)"
    else
        CDS_INFO="none: etc/cds-archive.sh failed: $(tail -n 1 "$STATE/cds.out")"
    fi
fi

# ---------------------------------------------------------------------------------------------------------
# Timing helpers. Every step runs under /usr/bin/time -v (peak RSS, CPU time) with date +%s.%N around it.
# ---------------------------------------------------------------------------------------------------------
now() { date +%s.%N; }
# timed NAME RUN CMD... — runs CMD, records wall seconds, user+sys seconds, max RSS (KiB), exit code.
timed() {
    local name=$1 run=$2; shift 2
    local tv="$RES/$name.$run.time" out="$RES/$name.$run.out" err="$RES/$name.$run.err"
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    local a b rc=0
    a=$(now)
    /usr/bin/time -v -o "$tv" "$@" >"$out" 2>"$err" || rc=$?
    b=$(now)
    local wall cpu rss
    wall=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b - a }')
    cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$tv")
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tv")
    printf '%s %s %s %s %s %s\n' "$name" "$run" "$wall" "$cpu" "${rss:-0}" "$rc" >>"$RES/runs"
    printf '  %-10s run %d: %8.3f s wall, %7.2f s cpu, rss %6d MiB, exit %d, load %s\n' \
        "$name" "$run" "$wall" "$cpu" "$(( ${rss:-0} / 1024 ))" "$rc" "$load" >&2
    return "$rc"
}

bim() {  # bim NAME RUN ARGS... — one timed bim invocation
    local name=$1 run=$2; shift 2
    local gc=()
    [ "$GC_LOG" -eq 0 ] || gc=(-Xlog:gc*:file="$RES/gc.$name.$run.log":uptime,level,tags)
    if [ ${#gc[@]} -gt 0 ]; then
        timed "$name" "$run" env "${BIM_ENV[@]}" JAVA_TOOL_OPTIONS="-Djava.io.tmpdir=$STATE/tmp ${gc[*]}" \
            "$LAUNCHER" --config "$CONF" "$@"
    else
        timed "$name" "$run" env "${BIM_ENV[@]}" "$LAUNCHER" --config "$CONF" "$@"
    fi
}

fail_step() {  # fail_step NAME RUN — show what the failing step said, then stop
    echo "sweep-bench: step $1 (run $2) failed; its output:" >&2
    tail -n 20 "$RES/$1.$2.out" "$RES/$1.$2.err" >&2 || true
    exit 1
}

sampler() {  # sampler PID — per-second thread/CPU snapshot of the JVM while it runs
    local pid=$1
    while kill -0 "$pid" 2>/dev/null; do
        {
            echo "=== $(date +%T.%N | cut -c1-12) threads=$(ls /proc/"$pid"/task 2>/dev/null | wc -l)"
            # two frames half a second apart: the second one's %CPU is over that interval
            top -b -H -n2 -d0.5 -w 120 -p "$pid" 2>/dev/null | awk '/^top -/ { f++ } f == 2' | sed -n '3p;7,14p'
        } >>"$RES/sample.log"
        sleep 0.5
    done
}

JAVA_VERSION=$("$JAVA" -version 2>&1 | head -n 2 | tr '\n' ' ')
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
SHA_NI=$(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)
echo "# openssl single-core reference (openssl speed -evp sha256, 1 MiB blocks) ..." >&2
SPEED=$(openssl speed -evp sha256 -seconds 2 -bytes 1048576 2>/dev/null | awk '/^sha256/ { sub(/k$/, "", $2); printf "%.0f", $2 * 1000 / 1e6 }')

echo "# busiest processes before the timed steps (another job on the machine skews the figures):" >&2
ps -eo pcpu,pid,etime,comm --sort=-pcpu | head -n 4 | sed 's/^/#   /' >&2

# ---------------------------------------------------------------------------------------------------------
# Timed steps, interleaved run by run so that a burst of outside load hits every tool alike.
# ---------------------------------------------------------------------------------------------------------
OPENSSL_CMD="find '$CORPUS' -type f -print0 | xargs -0 -P$NPROC -n $XARGS_N openssl dgst -sha256 >/dev/null"
SHA256SUM_CMD="find '$CORPUS' -type f -print0 | xargs -0 -P$NPROC -n $XARGS_N sha256sum >/dev/null"
: >"$RES/runs"
for run in $(seq 1 "$RUNS"); do
    echo "# run $run of $RUNS" >&2
    if [ "$run" -eq 1 ]; then
        bim init "$run" init || fail_step init "$run"
    else
        bim init "$run" init --force || fail_step init "$run"
    fi
    if [ "$SAMPLE" -eq 1 ] && [ "$run" -eq "$RUNS" ]; then
        bim check "$run" check &
        bpid=$!
        sleep 0.3
        jpid=$(pgrep -n -f -- "--config $CONF check" || true)
        [ -z "$jpid" ] || sampler "$jpid" &
        wait "$bpid" || fail_step check "$run"
    else
        bim check "$run" check || fail_step check "$run"
    fi
    # bim's own sweep time (state.json last_check.duration_ms): the rest of the wall time is JVM start-up,
    # loading the baseline, resolving the monitored set and writing the state.
    sweep_ms=$(tr -d ' \n' <"$STATE/state.json" 2>/dev/null | grep -o '"last_check":{[^}]*' |
        grep -o '"duration_ms":[0-9]*' | cut -d: -f2 || true)
    if [ -n "$sweep_ms" ]; then
        echo "check $run $sweep_ms" >>"$RES/sweeps"
        echo "  (check run $run: bim's own sweep took $sweep_ms ms)" >&2
    fi
    timed openssl "$run" bash -c "$OPENSSL_CMD" || fail_step openssl "$run"
    timed sha256sum "$run" bash -c "$SHA256SUM_CMD" || fail_step sha256sum "$run"
done

# Sanity: openssl and sha256sum must have seen every file.
seen=$(find "$CORPUS" -type f -print0 | xargs -0 -P"$NPROC" -n "$XARGS_N" openssl dgst -sha256 | wc -l)
[ "$seen" -eq "$FILES" ] || echo "# warning: openssl printed $seen digests for $FILES files" >&2

# ---------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------
stats() {  # stats NAME -> "best median cpu_of_best max_rss_kib"
    awk -v n="$1" '$1 == n { print $3, $4, $5 }' "$RES/runs" | sort -n -k1,1 | awk '
        { w[NR] = $1; c[NR] = $2; if ($3 > rss) rss = $3 }
        END { med = (NR % 2) ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2
              printf "%.3f %.3f %.2f %.0f\n", w[1], med, c[1], rss }'
}
read -r OS_BEST OS_MED OS_CPU _ < <(stats openssl)

GB=$(awk -v b="$BYTES" 'BEGIN { printf "%.2f", b / 1e9 }')
JVM_SHOWN=${JVM_OPTS:-"etc/bim's own"}
[ "$GC_LOG" -eq 0 ] || JVM_SHOWN="$JVM_SHOWN + -Xlog:gc* (--gc-log)"
echo
echo "bim sweep benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), $(hostname)"
echo "cpu:      $CPU_MODEL, $NPROC cpus, sha_ni: $SHA_NI; openssl single-core sha256: $SPEED MB/s"
echo "memory:   $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "corpus:   $FILES regular files, $BYTES bytes ($GB GB) copied from $SOURCE${MAX_GB:+ (capped at $MAX_GB GB)}"
echo "area:     $AREA"
echo "java:     $JAVA_VERSION"
echo "jar:      $JAR_INFO"
echo "jvm opts: $JVM_SHOWN (plus -Djava.io.tmpdir=<temp dir>, a system property); run through etc/bim"
echo "cds:      $CDS_INFO"
echo "baseline: $STATE/hashes.json, $(stat -c %s "$STATE/hashes.json" 2>/dev/null || echo '?') bytes"
echo "runs:     $RUNS per step; openssl/sha256sum: find -print0 | xargs -0 -P$NPROC -n $XARGS_N"
echo
printf '%-10s %9s %9s %9s %10s %9s %10s\n' tool "best s" "median s" "MB/s" "vs openssl" "cpu s" "peak RSS"
printf '%-10s %9s %9s %9s %10s %9s %10s\n' ---- ------ -------- ---- ---------- ----- --------
for t in init check openssl sha256sum; do
    read -r best med cpu rss < <(stats "$t")
    mbs=$(awk -v b="$BYTES" -v s="$best" 'BEGIN { printf "%.0f", b / 1e6 / s }')
    ratio=$(awk -v o="$OS_BEST" -v s="$best" 'BEGIN { printf "%.2f", o / s }')
    case $t in init|check) rs="$(( rss / 1024 )) MiB" ;; *) rs="-" ;; esac
    printf '%-10s %9.3f %9.3f %9s %10s %9.2f %10s\n' "$t" "$best" "$med" "$mbs" "$ratio" "$cpu" "$rs"
    eval "${t}_BEST=\$best ${t}_MED=\$med ${t}_RSS=\$rss"
done
if [ -s "$RES/sweeps" ]; then
    read -r SW_BEST < <(awk '{ print $3 }' "$RES/sweeps" | sort -n | head -n 1)
    awk -v ms="$SW_BEST" -v b="$BYTES" -v o="$OS_BEST" -v c="$check_BEST" 'BEGIN {
        printf "%-10s %9.3f %9s %9.0f %10.2f %9s %10s   <- sweep phase only (state.json duration_ms)\n",
            "  sweep", ms / 1000, "", b / 1e6 / (ms / 1000), o / (ms / 1000), "", ""
        printf "%-10s %9.3f %9s %9s %10s %9s %10s   <- ~ best check wall minus best sweep: JVM start, baseline load, set walk\n",
            "  other", c - ms / 1000, "", "", "", "", "" }'
fi
echo "(MB/s = corpus bytes / 10^6 / best wall time; 'vs openssl' = openssl best time / tool best time;"
echo " cpu s = user+sys of the best run; peak RSS = max over runs of the JVM's maximum resident set size)"
echo
echo "all runs (tool run wall_s cpu_s maxrss_kib exit):"
sed 's/^/  /' "$RES/runs"

if [ "$GC_LOG" -eq 1 ]; then
    echo
    echo "GC (from -Xlog:gc, last check run):"
    f="$RES/gc.check.$RUNS.log"
    if [ -f "$f" ]; then
        awk '/ Pause / && / [0-9.]+ms$/ { n++; ms = $NF; sub(/ms$/, "", ms); t += ms; if (ms > m) m = ms; h = $(NF - 1) }
             END { printf "  %d pauses, %.1f ms in total, longest %.1f ms; last: %s\n", n, t, m, h }' "$f"
        grep -E 'gc,heap,exit|garbage-first heap|region size|Metaspace.*used' "$f" | head -n 4 | sed 's/^/    /'
    fi
fi
if [ "$SAMPLE" -eq 1 ] && [ -f "$RES/sample.log" ]; then
    echo
    echo "samples of the last check (threads, top -H of the JVM, machine CPU line):"
    sed 's/^/  /' "$RES/sample.log"
fi

# Noise: a spread of more than 15 % between best and median of openssl or check means the machine was busy.
noisy=$(awk -v a="$OS_BEST" -v b="$OS_MED" -v c="$check_BEST" -v d="$check_MED" \
    'BEGIN { print ((b - a) / a > 0.15 || (d - c) / c > 0.15) ? "yes" : "no" }')
[ "$noisy" = no ] || echo "note: best and median differ by more than 15% — the machine was busy; rerun for firmer figures"

RATIO=$(awk -v o="$OS_BEST" -v c="$check_BEST" 'BEGIN { printf "%.2f", o / c }')
RSS_MIB=$(( check_RSS / 1024 ))
ok_ratio=$(awk -v r="$RATIO" -v t="$TARGET_RATIO" 'BEGIN { print (r >= t) ? "met" : "MISSED" }')
ok_rss=$([ "$RSS_MIB" -lt "$TARGET_RSS_MIB" ] && echo met || echo MISSED)
echo
echo "check/openssl throughput ratio: $RATIO (target >= $TARGET_RATIO, $ok_ratio); check peak RSS: $RSS_MIB MiB (target < $TARGET_RSS_MIB MiB, $ok_rss)"
