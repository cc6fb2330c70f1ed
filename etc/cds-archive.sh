#!/bin/sh
# cds-archive.sh: makes the class-data archive of bim, JAR's name with .jsa for .jar (bim.jar -> bim.jsa), which the
# launcher then uses: the classes a check loads, parsed and verified once here instead of at every command.
#
#   etc/cds-archive.sh [--launcher PATH] JAR
#
# It records one `bim check` of a small tree it makes under a temporary directory (its own configuration, baseline,
# key and logs there too; nothing else is read or written, lockdown is off), run through the launcher (default: the
# etc/bim beside this script; pass the installed one for an installed jar) so that the JVM options match those of
# later runs. The archive is written beside its target and renamed over it, 0644, with its size in the .jsa.size file beside it (the
# launcher takes no archive of another size: a cut-short one would crash the JVM). Make it again after the JDK or the
# jar changes: the launcher ignores an archive older than the jar, and the JVM one made by another JDK.
# Exit status: 0 made; 1 the JVM could not make one (a JDK without a base archive, say: bim runs as well without);
# 2 bad usage.
set -eu

launcher=$(cd "$(dirname "$0")" && pwd)/bim
while [ $# -gt 0 ]; do
    case $1 in
        --launcher) [ $# -ge 2 ] || { echo "cds-archive: --launcher needs a path" >&2; exit 2; }; launcher=$2; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "cds-archive: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -eq 1 ] || { echo "usage: cds-archive.sh [--launcher PATH] JAR" >&2; exit 2; }
jar=$1
case $jar in
    *.jar) ;;
    *) echo "cds-archive: $jar: expected a .jar file" >&2; exit 2 ;;
esac
[ -f "$jar" ] || { echo "cds-archive: $jar: no such file" >&2; exit 2; }
[ -x "$launcher" ] || { echo "cds-archive: $launcher: not an executable launcher" >&2; exit 2; }
jar=$(cd "$(dirname "$jar")" && pwd -P)/$(basename "$jar")
out=${jar%.jar}.jsa

work=$(mktemp -d "${TMPDIR:-/tmp}/bim-cds.XXXXXX")
trap 'rm -rf -- "$work"' EXIT INT TERM
mkdir -p "$work/tree/sub"
printf '#!/bin/sh\necho tool\n' > "$work/tree/tool"
printf 'library\n' > "$work/tree/sub/lib.so.1"
ln -s lib.so.1 "$work/tree/sub/lib.so"
cat > "$work/bim.toml" <<CONF
[monitor]
database_path = "$work/state/hashes.json"
log_dir = "$work/log"
quarantine_dir = "$work/quarantine"
lockdown_script = "$work/no-lockdown.sh"
key_path = "$work/state/bim.key"
[binaries]
critical_binaries = ["$work/tree/tool"]
system_binaries = ["$work/tree/**"]
include_libraries = false
critical_libraries = []
[lockdown]
enable_lockdown = false
auto_restore_backup = false
backup_dir = "$work/backup"
CONF
if ! BIM_JAR=$jar "$launcher" --config "$work/bim.toml" init > "$work/init.out" 2>&1; then
    echo "cds-archive: the training run's init failed:" >&2
    tail -n 5 "$work/init.out" >&2
    exit 1
fi
if ! BIM_JAR=$jar BIM_CDS_DUMP=$work/bim.jsa "$launcher" --config "$work/bim.toml" check > "$work/check.out" 2>&1 \
        || [ ! -s "$work/bim.jsa" ]; then
    echo "cds-archive: the JVM made no archive (bim runs as well without one):" >&2
    tail -n 5 "$work/check.out" >&2
    exit 1
fi
# The size first, then the archive: whichever a crash leaves half done, the two disagree and the launcher uses none.
size=$(wc -c < "$work/bim.jsa")
tmp=$(mktemp "$out.size.XXXXXX")
printf '%s\n' "$size" > "$tmp"
chmod 644 -- "$tmp"
mv -f -- "$tmp" "$out.size"
tmp=$(mktemp "$out.XXXXXX")
cp -- "$work/bim.jsa" "$tmp"
chmod 644 -- "$tmp"
mv -f -- "$tmp" "$out"
echo "cds-archive: $out ($size bytes)"
