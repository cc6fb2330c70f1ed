#!/usr/bin/env bash
# install.sh: installs (or uninstalls) the Binary Integrity Monitor (bim) as a systemd service.
#
#   etc/install.sh [--prefix DIR] [--jar PATH]
#   etc/install.sh [--prefix DIR] --uninstall
#
# Installs
#   monitor-daemon/target/bim.jar        -> /usr/local/lib/bim/bim.jar                          0644
#   etc/bim (the launcher)               -> /usr/local/bin/bim                                  0755
#   etc/lockdown.sh                      -> /usr/local/bin/lockdown.sh                          0755
#   etc/binary-integrity-monitor.service -> /etc/systemd/system/binary-integrity-monitor.service 0644
#   etc/apt/99binary-integrity-monitor   -> /etc/apt/apt.conf.d/99binary-integrity-monitor      0644
#   etc/log4j2.xml (only if it exists)   -> /usr/local/lib/bim/log4j2.xml                       0644
#   etc/bim-jit.json                     -> /usr/local/lib/bim/bim-jit.json                     0644
#   etc/binary_integrity_monitor.toml    -> /etc/binary_integrity_monitor.toml                  0600
# and, on a real install (no --prefix), /usr/local/lib/bim/bim.jsa: the class-data archive of the installed jar
# made by etc/cds-archive.sh with this JDK (each command then starts about a third of a second sooner; bim runs
# as well without it). Run install.sh again after a JDK upgrade: an archive the JDK no longer takes is made anew.
# It also creates the state directories /var/lib/binary_integrity, /var/lib/binary_integrity/backup,
# /var/log/binary_integrity and /var/quarantine/binaries, mode 0700, owned by root (an existing one gets its
# mode and owner fixed; its contents are never touched).
#
# The configuration is 0600: it lists what is excluded from monitoring and which script runs on an
# incident, which is no business of other users (the daemon runs as root). An existing configuration is
# never overwritten: when it differs from the shipped one, the shipped one is put beside it as
# binary_integrity_monitor.toml.dist. Every other file is replaced atomically (written beside its target,
# renamed over it) and only when its content, mode or owner differ, so a second run changes nothing and
# says so.
#
# Options
#   --prefix DIR  install into the staging root DIR (every target path is prefixed with DIR). Nothing
#                 outside DIR is touched and systemctl is never called. Also allowed as non-root (then
#                 files keep the caller as owner).
#   --jar PATH    the jar to install (default: monitor-daemon/target/bim.jar of this source tree; build it
#                 with "mvn -B -DskipTests package").
#   --uninstall   remove the jar, launcher, lockdown script, unit, apt snippet, JIT directives, class-data
#                 archive (and log4j2.xml); keep the
#                 configuration, the baseline, backups, logs, incidents, forensic archives and quarantine,
#                 and list what was kept. On a running systemd (no --prefix) the service is stopped and
#                 disabled first.
#
# Without --prefix it must run as root; on a system where systemd runs it then calls
# "systemctl daemon-reload" after a change (not while a lockdown is in force: see below) and prints how to
# enable the service. It never enables or starts it.
# Exit status: 0 done, 1 not root / a step failed, 2 bad usage.
set -euo pipefail
umask 022

readonly unit_name=binary-integrity-monitor.service
src=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname -- "$src")

usage() {
    printf '%s\n' \
        "usage: install.sh [--prefix DIR] [--jar PATH]" \
        "       install.sh [--prefix DIR] --uninstall"
}

die() {
    printf 'install: error: %s\n' "$1" >&2
    exit "${2:-1}"
}

die_usage() {
    printf 'install: error: %s\n' "$1" >&2
    usage >&2
    exit 2
}

prefix=
prefix_given=0
jar=$repo/monitor-daemon/target/bim.jar
uninstall=0
while [ $# -gt 0 ]; do
    case $1 in
        --prefix|--jar)
            [ $# -ge 2 ] || die_usage "$1 needs a value"
            if [ "$1" = --prefix ]; then prefix=$2; prefix_given=1; else jar=$2; fi
            shift ;;
        --prefix=*) prefix=${1#*=}; prefix_given=1 ;;
        --jar=*) jar=${1#*=} ;;
        --uninstall) uninstall=1 ;;
        -h|--help) usage; exit 0 ;;
        *) die_usage "unknown argument: $1" ;;
    esac
    shift
done

if [ "$prefix_given" -eq 1 ]; then
    [ -n "$prefix" ] || die_usage "--prefix needs a directory"
    mkdir -p -- "$prefix"
    prefix=$(cd -- "$prefix" && pwd -P)
    # Only a staging root: installing into the real system is done without --prefix, deliberately.
    [ "$prefix" != / ] || die_usage "--prefix resolves to /; to install into the system, omit --prefix"
fi

is_root=0
[ "$(id -u)" -eq 0 ] && is_root=1
if [ "$prefix_given" -eq 0 ] && [ "$is_root" -eq 0 ]; then
    die "must run as root to install into the system (or use --prefix DIR to stage into DIR)" 1
fi

# systemctl only for a real install on a running systemd.
use_systemd=0
if [ "$prefix_given" -eq 0 ] && [ -d /run/systemd/system ] && command -v systemctl > /dev/null 2>&1; then
    use_systemd=1
fi

readonly jar_dest=/usr/local/lib/bim/bim.jar
readonly log4j_dest=/usr/local/lib/bim/log4j2.xml
readonly jit_dest=/usr/local/lib/bim/bim-jit.json
readonly cds_dest=/usr/local/lib/bim/bim.jsa
readonly launcher_dest=/usr/local/bin/bim
readonly lockdown_dest=/usr/local/bin/lockdown.sh
readonly unit_dest=/etc/systemd/system/$unit_name
readonly apt_dest=/etc/apt/apt.conf.d/99binary-integrity-monitor
readonly config_dest=/etc/binary_integrity_monitor.toml
readonly state_dirs=(/var/lib/binary_integrity /var/lib/binary_integrity/backup /var/log/binary_integrity
    /var/quarantine/binaries)
readonly lockdown_active=/var/lib/binary_integrity/lockdown/active

changes=0
tmp=
cleanup() {
    if [ -n "$tmp" ]; then
        rm -f -- "$tmp"
    fi
}
trap cleanup EXIT

say() {   # WHAT PATH [DETAIL]
    if [ $# -ge 3 ]; then
        printf '%-10s %s (%s)\n' "$1" "$2" "$3"
    else
        printf '%-10s %s\n' "$1" "$2"
    fi
}

mode_of() { stat -c %a -- "$1"; }
owner_of() { stat -c %u:%g -- "$1"; }

# The owner every installed file and directory gets: root, or the caller when staging as non-root.
want_owner=0:0
[ "$is_root" -eq 1 ] || want_owner=$(id -u):$(id -g)

set_owner() {   # PATH
    [ "$is_root" -eq 1 ] && chown 0:0 -- "$1"
    return 0
}

# Parent directories that do not exist yet: created 0755 (root's usual mode for /usr/local/bin, /etc/...).
ensure_parent() {   # TARGET (prefixed)
    local parent
    parent=$(dirname -- "$1")
    [ -d "$parent" ] || mkdir -p -- "$parent"
}

# Puts SRC at DEST (a system path; prefixed here) with MODE, atomically; does nothing when it is there
# already with that content, mode and owner.
install_file() {   # SRC DEST MODE
    local from=$1 dest=$prefix$2 mode=$3
    if [ -f "$dest" ] && [ ! -L "$dest" ] && cmp -s -- "$from" "$dest"; then
        if [ "$(mode_of "$dest")" = "$mode" ] && [ "$(owner_of "$dest")" = "$want_owner" ]; then
            say unchanged "$2"
            return
        fi
        chmod -- "$mode" "$dest"
        set_owner "$dest"
        say fixed "$2" "mode $mode, owner $want_owner"
        changes=$((changes + 1))
        return
    fi
    local verb=installed
    if [ -e "$dest" ] || [ -L "$dest" ]; then
        verb=updated
    fi
    ensure_parent "$dest"
    tmp=$(mktemp -- "$dest.bim-install.XXXXXX")
    cp -- "$from" "$tmp"
    chmod -- "$mode" "$tmp"
    set_owner "$tmp"
    mv -f -- "$tmp" "$dest"
    tmp=
    say "$verb" "$2" "$mode"
    changes=$((changes + 1))
}

# The class-data archive of the installed jar, made on a real install only (its paths must be the ones the
# launcher runs); kept when this JDK still takes it for this jar, made anew otherwise. Not having one is no error.
class_data_archive() {
    if [ "$prefix_given" -eq 1 ]; then
        say skipped "$cds_dest" "made on a real install only: it names the jar's path"
        return
    fi
    local java=${JAVA:-java}
    if [ -f "$cds_dest" ] && [ "$cds_dest" -nt "$jar_dest" ] &&
        "$java" -XX:SharedArchiveFile="$cds_dest" -Xshare:on -Xlog:cds=off -Xlog:cds+dynamic=off \
            -cp "$jar_dest" -version > /dev/null 2>&1; then
        say unchanged "$cds_dest"
        return
    fi
    local out
    if out=$(bash "$src/cds-archive.sh" --launcher "$launcher_dest" "$jar_dest" 2>&1); then
        chmod 644 -- "$cds_dest" "$cds_dest.size"
        set_owner "$cds_dest"
        set_owner "$cds_dest.size"
        say made "$cds_dest" "class-data archive for $("$java" -version 2>&1 | head -n 1)"
        changes=$((changes + 1))
    else
        say skipped "$cds_dest" "$(printf '%s' "$out" | tail -n 1)"
    fi
}

# The configuration: installed when absent, never overwritten; a differing one gets the shipped file as .dist.
install_config() {   # SRC DEST
    local from=$1 dest=$prefix$2
    if [ ! -e "$dest" ] && [ ! -L "$dest" ]; then
        install_file "$from" "$2" 600
        return
    fi
    if cmp -s -- "$from" "$dest"; then
        say unchanged "$2"
    else
        say kept "$2" "your edited configuration is left as it is"
        if [ -f "$dest.dist" ] && cmp -s -- "$from" "$dest.dist"; then
            say unchanged "$2.dist"
        else
            install_file "$from" "$2.dist" 600
            printf '%-10s %s\n' '' "the shipped configuration is $2.dist: compare with: diff -u $2 $2.dist"
        fi
    fi
    local m
    m=$(mode_of "$dest")
    if [ $((8#$m & 8#022)) -ne 0 ]; then
        printf 'install: warning: %s is group- or world-writable (mode %s): chmod 600 %s\n' "$2" "$m" "$2" >&2
    fi
}

# A state directory must be a real directory: a symlink could point the monitor's evidence anywhere.
check_state_dir() {   # DIR (a system path)
    local dir=$prefix$1
    if [ -L "$dir" ]; then
        die "$1 is a symlink: refusing to use it as a state directory (make it a directory)"
    fi
    if [ -e "$dir" ] && [ ! -d "$dir" ]; then
        die "$1 exists and is not a directory"
    fi
}

# A state directory: 0700, root's; an existing one keeps its contents and gets mode and owner fixed.
state_dir() {   # DIR (a system path)
    local dir=$prefix$1
    check_state_dir "$1"
    if [ ! -d "$dir" ]; then
        ensure_parent "$dir"
        mkdir -m 700 -- "$dir"
        set_owner "$dir"
        say created "$1" "0700"
        changes=$((changes + 1))
        return
    fi
    local m o
    m=$(mode_of "$dir")
    o=$(owner_of "$dir")
    if [ "$m" = 700 ] && [ "$o" = "$want_owner" ]; then
        say unchanged "$1"
        return
    fi
    chmod 700 -- "$dir"
    set_owner "$dir"
    say fixed "$1" "mode $m -> 700, owner $o -> $want_owner; contents untouched"
    changes=$((changes + 1))
}

remove_file() {   # DEST (a system path)
    local dest=$prefix$1
    if [ -e "$dest" ] || [ -L "$dest" ]; then
        rm -f -- "$dest"
        say removed "$1"
        changes=$((changes + 1))
    else
        say absent "$1"
    fi
}

daemon_reload() {
    [ "$use_systemd" -eq 1 ] || return 0
    if [ "$changes" -eq 0 ]; then
        return 0
    fi
    if [ -e "$lockdown_active" ]; then
        # systemd rewrites pids.max from TasksMax= on a reload, which would lift lockdown.sh's process freeze.
        printf 'install: warning: a lockdown is in force (%s): not running "systemctl daemon-reload",\n' "$lockdown_active" >&2
        printf '  it would lift the process freeze. Run it after "bim lockdown release".\n' >&2
        return 0
    fi
    systemctl daemon-reload
    say reloaded systemd "systemctl daemon-reload"
}

do_install() {
    local f
    if [ ! -f "$jar" ]; then
        die "no jar at $jar: build it with (cd $repo && mvn -B -DskipTests package), or pass --jar PATH"
    fi
    for f in bim bim-jit.json cds-archive.sh lockdown.sh binary-integrity-monitor.service binary_integrity_monitor.toml apt/99binary-integrity-monitor; do
        [ -f "$src/$f" ] || die "missing $src/$f: run install.sh from a complete source tree"
    done
    local d
    for d in "${state_dirs[@]}"; do   # before anything is written
        check_state_dir "$d"
    done

    install_file "$jar" "$jar_dest" 644
    if [ -f "$src/log4j2.xml" ]; then
        install_file "$src/log4j2.xml" "$log4j_dest" 644
    else
        say skipped "$log4j_dest" "no etc/log4j2.xml in this tree"
    fi
    install_file "$src/bim-jit.json" "$jit_dest" 644
    install_file "$src/bim" "$launcher_dest" 755
    class_data_archive
    install_file "$src/lockdown.sh" "$lockdown_dest" 755
    install_config "$src/binary_integrity_monitor.toml" "$config_dest"
    for d in "${state_dirs[@]}"; do
        state_dir "$d"
    done
    install_file "$src/binary-integrity-monitor.service" "$unit_dest" 644
    if [ "$prefix_given" -eq 1 ] || [ -d /etc/apt ]; then
        install_file "$src/apt/99binary-integrity-monitor" "$apt_dest" 644
    else
        say skipped "$apt_dest" "no /etc/apt: not an apt-based system"
    fi

    daemon_reload
    if [ "$changes" -eq 0 ]; then
        printf 'install: nothing changed: everything was already installed\n'
    else
        printf 'install: %d change(s)%s\n' "$changes" "${prefix:+ under $prefix}"
    fi
    if [ "$prefix_given" -eq 0 ]; then
        printf '%s\n' \
            "The service is installed, not enabled or started. Review $config_dest, then:" \
            "  bim init                                      # record the baseline" \
            "  systemctl enable --now $unit_name"
        [ "$use_systemd" -eq 1 ] || printf '(systemd is not running here: nothing was reloaded)\n'
    fi
}

do_uninstall() {
    if [ "$use_systemd" -eq 1 ]; then
        if systemctl is-active --quiet "$unit_name" || systemctl is-enabled --quiet "$unit_name" 2> /dev/null; then
            systemctl disable --now "$unit_name"
            say stopped "$unit_name" "disabled and stopped"
        fi
    fi
    # The dpkg hook first: from now on package upgrades no longer call bim.
    remove_file "$apt_dest"
    remove_file "$unit_dest"
    remove_file "$launcher_dest"
    remove_file "$lockdown_dest"
    remove_file "$jar_dest"
    remove_file "$log4j_dest"
    remove_file "$jit_dest"
    remove_file "$cds_dest"
    remove_file "$cds_dest.size"
    # The directory goes when it is empty (files an admin put there stay, and so does it).
    if [ -d "$prefix/usr/local/lib/bim" ] && rmdir -- "$prefix/usr/local/lib/bim" 2> /dev/null; then
        say removed /usr/local/lib/bim
    fi
    daemon_reload
    local p kept=0
    for p in "$config_dest" "$config_dest.dist" /etc/binary_integrity_monitor.key "${state_dirs[@]}"; do
        if [ -e "$prefix$p" ]; then
            say kept "$p"
            kept=1
        fi
    done
    [ "$kept" -eq 0 ] || printf 'install: kept the configuration, baseline, backups, logs, incidents and quarantine above; remove them by hand if they are no longer wanted\n'
    if [ "$changes" -eq 0 ]; then
        printf 'install: nothing changed: nothing was installed\n'
    else
        printf 'install: uninstalled (%d removed)%s\n' "$changes" "${prefix:+ under $prefix}"
    fi
}

if [ "$uninstall" -eq 1 ]; then
    do_uninstall
else
    do_install
fi
