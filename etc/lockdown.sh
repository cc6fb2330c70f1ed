#!/usr/bin/env bash
# lockdown.sh: contain a host after the Binary Integrity Monitor (bim) found a critical change.
#
#   lockdown.sh [--dry-run] [--state-dir DIR] [--keep SERVICES] [--admin ADDR] [--freeze-system] INCIDENT_ID REPORT_PATH
#   lockdown.sh [--dry-run] [--state-dir DIR] release
#
# Steps, each reported as one line "lockdown: STEP: ok|skipped|failed: detail" on stdout (the daemon
# records it in the incident) and, unless --dry-run, appended to $STATE/lockdown.log:
#   1. record     snapshot of the system into $STATE/<incident>/ (a repeated run for the same incident
#                 writes into $STATE/<incident>/rerun-<time>/, so the first snapshot is never overwritten)
#   2. network    every interface that is UP, except loopback, is set down and listed in
#                 $STATE/interfaces-down; loopback stays, so local services (a Tor client's SOCKS port,
#                 a local MTA) keep answering local clients
#   3. services   running systemd services not in the keep list and not core units are stopped and
#                 listed in $STATE/services-stopped
#   4. processes  new process creation is restricted (mechanism below); old limits in $STATE/pids-max
#   5. mail       a short mail to the admin through $BIM_SENDMAIL
# While $STATE/active exists (a lockdown is in force) steps 2-4 are not repeated; record and mail are.
# "release" undoes what can be undone: the process limits first, then the interfaces it brought down;
# stopped services are listed, not restarted. --dry-run prints every changing command, prefixed
# "dry-run: ", and changes nothing, not even the state directory; it only reads (ip -o link,
# systemctl list-units, cgroup files) to decide what it would do.
# Exit status: 0 every step ok or skipped, 1 not root (without --dry-run), 2 bad usage, 3 a step failed.
#
# Restricting process creation: the cgroup v2 "pids" controller (Documentation/admin-guide/cgroup-v2.rst,
# "PID"). A cgroup's pids.max caps the number of tasks (processes and threads) in its whole subtree, and
# fork()/clone() fail with EAGAIN once pids.current reaches it. Setting pids.max to the current
# pids.current therefore lets what runs keep running but nothing new start, until something exits.
#   - user.slice (every login session) is frozen that way. A cgroup that contains this script itself
#     (say an admin runs it from a shell) is never frozen: the limit is instead set on each of its
#     siblings, level by level, so the script and its own session keep working.
#   - system.slice is left alone by default, because the monitor itself runs there (in its own service
#     cgroup) and must keep forking (the lockdown script, sendmail). --freeze-system freezes every child
#     of system.slice except the cgroup of the monitor (this script's own cgroup, and $BIM_MONITOR_CGROUP
#     when set, a path such as /system.slice/binary-integrity-monitor.service).
#   - Migration into a cgroup is not refused by pids.max, so a new login still lands in user.slice, but
#     its shell cannot start programs. To lift the limit from such a shell use builtins only:
#     "echo max > /sys/fs/cgroup/user.slice/pids.max", or "exec lockdown.sh release" (release restores
#     the limits before it forks anything).
#   - systemd writes pids.max from TasksMax= when it (re)realizes a unit, e.g. on daemon-reload, which
#     would lift the freeze; the network and services steps do not depend on it.
#   - Without cgroup v2 with the pids controller (cgroup.controllers under $BIM_CGROUP_ROOT, default
#     /sys/fs/cgroup) the step is skipped with the reason.
#
# Environment: BIM_LOCKDOWN_STATE (state directory, default /var/lib/binary_integrity/lockdown),
# BIM_KEEP_SERVICES (services never stopped, separated by spaces or commas; default below),
# BIM_ADMIN (mail recipient, default root), BIM_SENDMAIL (default /usr/sbin/sendmail),
# BIM_CGROUP_ROOT (default /sys/fs/cgroup), BIM_MONITOR_CGROUP (cgroup path of the monitor to spare),
# BIM_SYSTEMD_RUN (the directory whose presence means systemd is PID 1, default /run/systemd/system).
set -u
umask 077   # snapshots and logs list processes, sockets and users: root only

readonly default_keep="tor ssh sshd systemd-journald systemd-logind dbus bim binary-integrity-monitor"

usage() {
    printf '%s\n' \
        "usage: lockdown.sh [--dry-run] [--state-dir DIR] [--keep SERVICES] [--admin ADDR] [--freeze-system] INCIDENT_ID REPORT_PATH" \
        "       lockdown.sh [--dry-run] [--state-dir DIR] release"
}

die_usage() {
    printf 'lockdown: error: %s\n' "$1" >&2
    usage >&2
    exit 2
}

# ---------------------------------------------------------------------------------------------------
# Arguments. Parsing and validation use builtins only: "exec lockdown.sh release" must work from a
# shell that can no longer fork (see above).
dry_run=0
freeze_system=0
state=${BIM_LOCKDOWN_STATE:-/var/lib/binary_integrity/lockdown}
keep=${BIM_KEEP_SERVICES:-$default_keep}
admin=${BIM_ADMIN:-root}
sendmail=${BIM_SENDMAIL:-/usr/sbin/sendmail}
cgroot=${BIM_CGROUP_ROOT:-/sys/fs/cgroup}
systemd_run=${BIM_SYSTEMD_RUN:-/run/systemd/system}
monitor_cgroup=${BIM_MONITOR_CGROUP:-}
positional=()
while [ $# -gt 0 ]; do
    case $1 in
        --dry-run) dry_run=1 ;;
        --freeze-system) freeze_system=1 ;;
        --state-dir|--keep|--admin)
            [ $# -ge 2 ] || die_usage "$1 needs a value"
            case $1 in
                --state-dir) state=$2 ;;
                --keep) keep=$2 ;;
                --admin) admin=$2 ;;
            esac
            shift ;;
        --state-dir=*) state=${1#*=} ;;
        --keep=*) keep=${1#*=} ;;
        --admin=*) admin=${1#*=} ;;
        -h|--help) usage; exit 0 ;;
        --) shift; positional+=("$@"); break ;;
        -*) die_usage "unknown option: $1" ;;
        *) positional+=("$1") ;;
    esac
    shift
done

mode=lockdown
incident=
report=
if [ ${#positional[@]} -ge 1 ] && [ "${positional[0]}" = release ]; then
    [ ${#positional[@]} -eq 1 ] || die_usage "release takes no further arguments"
    mode=release
elif [ ${#positional[@]} -ne 2 ]; then
    die_usage "expected INCIDENT_ID and REPORT_PATH (or release), got ${#positional[@]} argument(s)"
else
    incident=${positional[0]}
    report=${positional[1]}
    if ! [[ $incident =~ ^[A-Za-z0-9._-]{1,64}$ ]] || [ "$incident" = . ] || [ "$incident" = .. ]; then
        die_usage "bad incident id '$incident': expected 1 to 64 of A-Z a-z 0-9 . _ - (not . or ..)"
    fi
    case $report in
        /*) ;;
        *) die_usage "report path '$report' must be absolute" ;;
    esac
    [[ $report != *$'\n'* ]] || die_usage "report path must not contain a newline"
fi
case $state in
    /*) ;;
    *) die_usage "state directory '$state' must be absolute" ;;
esac
case $cgroot in
    /*) ;;
    *) die_usage "BIM_CGROUP_ROOT '$cgroot' must be absolute" ;;
esac
# One address, no option look-alike, nothing that could add a mail header.
[[ $admin =~ ^[A-Za-z0-9_][A-Za-z0-9._%+@=-]*$ ]] || die_usage "bad admin address '$admin'"
keep=${keep//,/ }
[[ $keep =~ ^[A-Za-z0-9@._:\ -]*$ ]] || die_usage "bad keep list '$keep': unit names separated by spaces or commas"
read -r -a keep_list <<< "$keep"

if [ "$dry_run" -eq 0 ] && [ "$EUID" -ne 0 ]; then
    printf 'lockdown: error: must run as root (or with --dry-run to see what it would do)\n' >&2
    exit 1
fi

host=${HOSTNAME:-unknown}
failed=0
results=()

# ---------------------------------------------------------------------------------------------------
# Helpers.

now() { printf '%(%Y-%m-%dT%H:%M:%S%z)T' -1; }

# Reports one step's result: stdout always, the state log unless dry-run.
report_step() {   # STEP RESULT DETAIL
    local line="lockdown: $1: $2: $3"
    [ "$2" = failed ] && failed=1
    results+=("$line")
    printf '%s\n' "$line"
    if [ "$dry_run" -eq 0 ] && [ -d "$state" ]; then
        local ts
        printf -v ts '%(%Y-%m-%dT%H:%M:%S%z)T' -1   # no $(now): release must not fork here
        printf '%s %s %s\n' "$ts" "${incident:-release}" "$line" >> "$state/lockdown.log"
    fi
}

# Prints a command in the dry-run form, shell-quoted.
show() {
    local out="dry-run:" a
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./=:,@%+-]+$ ]]; then
            out+=" $a"
        else
            out+=" $(printf '%q' "$a")"
        fi
    done
    printf '%s\n' "$out"
}

# Runs a command that changes the system, or only prints it in dry-run.
run() {
    if [ "$dry_run" -eq 1 ]; then
        show "$@"
        return 0
    fi
    "$@"
}

# Writes VALUE to FILE (builtins only), or prints that it would.
put() {   # FILE VALUE
    if [ "$dry_run" -eq 1 ]; then
        printf 'dry-run: echo %q > %q\n' "$2" "$1"
        return 0
    fi
    printf '%s\n' "$2" 2>/dev/null > "$1"
}

# Appends LINE to a state file, or prints that it would.
record_line() {   # FILE LINE
    if [ "$dry_run" -eq 1 ]; then
        printf 'dry-run: echo %q >> %q\n' "$2" "$1"
        return 0
    fi
    printf '%s\n' "$2" >> "$1"
}

# True when FILE has a line starting with PREFIX.
has_prefix() {   # FILE PREFIX
    local l
    [ -f "$1" ] || return 1
    while IFS= read -r l; do
        case $l in "$2"*) return 0 ;; esac
    done < "$1"
    return 1
}

# True when FILE has LINE as one of its lines.
has_line() {   # FILE LINE
    local l
    [ -f "$1" ] || return 1
    while IFS= read -r l; do
        [ "$l" = "$2" ] && return 0
    done < "$1"
    return 1
}

# Runs a command with a time limit where timeout(1) exists: a hung sendmail or systemctl must not
# eat the daemon's whole budget.
limited() {   # SECONDS CMD...
    local secs=$1
    shift
    if command -v timeout >/dev/null 2>&1; then
        timeout "$secs" "$@"
    else
        "$@"
    fi
}

# The cgroup v2 paths of this script and of the monitor, as absolute directories under $cgroot.
spared_cgroups() {
    local line
    if [ -r /proc/self/cgroup ]; then
        while IFS= read -r line; do
            case $line in
                0::/*) printf '%s\n' "$cgroot${line#0::}" ;;
            esac
        done < /proc/self/cgroup
    fi
    if [ -n "$monitor_cgroup" ]; then
        printf '%s\n' "$cgroot/${monitor_cgroup#/}"
    fi
}

# The systemd unit this script runs in (the monitor's unit when the daemon started it), if any.
own_unit() {
    local line part unit='' parts
    [ -r /proc/self/cgroup ] || return 0
    while IFS= read -r line; do
        case $line in
            0::/*|*:name=systemd:/*)
                IFS=/ read -r -a parts <<< "${line#*:*:}"
                for part in "${parts[@]}"; do
                    case $part in *.service) unit=${part%.service} ;; esac
                done ;;
        esac
    done < /proc/self/cgroup
    printf '%s' "$unit"
}

# ---------------------------------------------------------------------------------------------------
# Release: process limits first, with builtins only, so it works from a shell that cannot fork.

release_processes() {
    local file="$state/pids-max" path old restored=0 bad=0 details=
    if [ ! -f "$file" ]; then
        report_step processes skipped "no process limits recorded"
        return
    fi
    local remaining=()
    while IFS=$'\t' read -r path old; do
        [ -n "$path" ] || continue
        # Only ever write to a pids.max under the cgroup root, whatever the file says.
        case $path in
            "$cgroot"/*/pids.max) ;;
            *) details+=" ignored $path (outside $cgroot);"; continue ;;
        esac
        [[ $old =~ ^(max|[0-9]+)$ ]] || { details+=" ignored $path (bad value $old);"; continue; }
        if [ ! -e "$path" ]; then
            details+=" $path gone;"
        elif put "$path" "$old"; then
            restored=$((restored + 1))
        else
            bad=1
            remaining+=("$path"$'\t'"$old")
            details+=" could not restore $path;"
        fi
    done < "$file"
    if [ "$dry_run" -eq 0 ]; then
        if [ ${#remaining[@]} -eq 0 ]; then
            rm -f -- "$file"
        else
            printf '%s\n' "${remaining[@]}" > "$file"
        fi
    else
        show rm -f -- "$file"
    fi
    if [ "$bad" -eq 1 ]; then
        report_step processes failed "restored $restored limit(s);$details"
    else
        report_step processes ok "restored $restored limit(s)${details:+;$details}"
    fi
}

release_network() {
    local file="$state/interfaces-down" ifname up=() bad=() remaining=()
    if [ ! -f "$file" ]; then
        report_step network skipped "no interfaces recorded as brought down"
        return
    fi
    if ! command -v ip >/dev/null 2>&1; then
        report_step network failed "ip (iproute2) not found; interfaces in $file stay down"
        return
    fi
    while IFS= read -r ifname; do
        [ -n "$ifname" ] || continue
        if run ip link set dev "$ifname" up; then
            up+=("$ifname")
        else
            bad+=("$ifname")
            remaining+=("$ifname")
        fi
    done < "$file"
    if [ "$dry_run" -eq 1 ]; then
        show rm -f -- "$file"
    elif [ ${#remaining[@]} -eq 0 ]; then
        rm -f -- "$file"
    else
        printf '%s\n' "${remaining[@]}" > "$file"
    fi
    if [ ${#bad[@]} -gt 0 ]; then
        report_step network failed "brought up: ${up[*]:-none}; could not bring up: ${bad[*]}"
    else
        report_step network ok "brought up: ${up[*]:-none}"
    fi
}

release_services() {
    local file="$state/services-stopped" unit units=()
    if [ ! -f "$file" ]; then
        report_step services skipped "no services recorded as stopped"
        return
    fi
    while IFS= read -r unit; do
        [ -n "$unit" ] && units+=("$unit")
    done < "$file"
    run rm -f -- "$file"
    if [ ${#units[@]} -eq 0 ]; then
        report_step services skipped "no services recorded as stopped"
    else
        report_step services skipped "not restarted automatically; stopped were: ${units[*]} (start with: systemctl start ${units[*]})"
    fi
}

do_release() {
    [ "${processes_done:-0}" -eq 1 ] || release_processes
    release_network
    release_services
    if [ -e "$state/active" ]; then
        if run rm -f -- "$state/active"; then
            report_step release ok "lockdown lifted ($state/active removed)"
        else
            report_step release failed "could not remove $state/active"
        fi
    else
        report_step release skipped "no lockdown was active"
    fi
}

# ---------------------------------------------------------------------------------------------------
# Lockdown steps.

# Runs CMD... into $snap/NAME.txt (stderr into NAME.err when there is any); notes what failed.
capture() {   # NAME CMD...
    local name=$1
    shift
    if ! command -v "$1" >/dev/null 2>&1; then
        missing+=("$name")
        return
    fi
    if [ "$dry_run" -eq 1 ]; then
        printf '%s > %q\n' "$(show "$@")" "$snap/$name.txt"
        return
    fi
    if ! limited 30 "$@" > "$snap/$name.txt" 2> "$snap/$name.err" < /dev/null; then
        errs+=("$name")
    fi
    [ -s "$snap/$name.err" ] || rm -f -- "$snap/$name.err"
}

step_record() {
    local dir="$state/$incident"
    missing=() errs=()
    if [ -e "$dir" ]; then
        dir="$dir/rerun-$(printf '%(%Y%m%dT%H%M%S)T' -1)-$$"
    fi
    if ! run mkdir -p -- "$dir"; then
        report_step record failed "cannot create $dir"
        return
    fi
    snap=$dir
    if [ "$dry_run" -eq 0 ]; then
        printf 'incident %s\nreport %s\nhost %s\ntime %s\n' "$incident" "$report" "$host" "$(now)" > "$dir/meta.txt"
    else
        printf 'dry-run: echo %q > %q\n' "incident $incident report $report host $host" "$dir/meta.txt"
    fi
    capture ip-addr ip -o addr
    capture ip-link ip -o link
    capture ip-route ip route show table all
    capture sockets ss -tunap
    capture processes ps -eo pid,ppid,user,lstart,cmd
    if command -v lsmod >/dev/null 2>&1; then
        capture modules lsmod
    else
        capture modules cat /proc/modules
    fi
    capture who who
    capture uname uname -a
    if command -v systemctl >/dev/null 2>&1 && [ -d "$systemd_run" ]; then
        capture services systemctl list-units --type=service --state=running --no-pager --plain
    else
        missing+=("services (no systemd)")
    fi
    local detail="$dir"
    [ "$dry_run" -eq 1 ] && detail="would write $dir"
    [ ${#errs[@]} -gt 0 ] && detail+="; commands that failed: ${errs[*]}"
    [ ${#missing[@]} -gt 0 ] && detail+="; not available: ${missing[*]}"
    report_step record ok "$detail"
}

step_network() {
    local file="$state/interfaces-down" line num name flags downed=() bad=()
    if ! command -v ip >/dev/null 2>&1; then
        report_step network failed "ip (iproute2) not found: no interface brought down"
        return
    fi
    local links
    if ! links=$(ip -o link show 2>&1); then
        report_step network failed "ip -o link show: $links"
        return
    fi
    # "4: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 ..." (a veth shows as "veth0@if5:")
    while read -r num name flags _; do
        [ -n "$num" ] || continue
        name=${name%:}
        name=${name%%@*}
        flags=${flags#<}
        flags=${flags%>}
        [ "$name" = lo ] && continue
        case ",$flags," in *,LOOPBACK,*) continue ;; esac
        case ",$flags," in *,UP,*) ;; *) continue ;; esac
        if run ip link set dev "$name" down; then
            downed+=("$name")
            has_line "$file" "$name" || record_line "$file" "$name"
        else
            bad+=("$name")
        fi
    done <<< "$links"
    local verb="brought down"
    [ "$dry_run" -eq 1 ] && verb="would bring down"
    if [ ${#bad[@]} -gt 0 ]; then
        report_step network failed "$verb: ${downed[*]:-none}; could not bring down: ${bad[*]}; loopback untouched"
    elif [ ${#downed[@]} -eq 0 ]; then
        report_step network ok "no interface up besides loopback"
    else
        report_step network ok "$verb: ${downed[*]}; loopback untouched"
    fi
}

# True for units that must never be stopped: the keep list, core units, the monitor's own unit.
spared_unit() {   # NAME (without .service)
    local n=$1 k
    case $n in
        systemd-*|dbus|dbus-broker|getty@*|serial-getty@*|container-getty@*|console-getty|user@*|user-runtime-dir@*) return 0 ;;
    esac
    [ -n "$own" ] && [ "$n" = "$own" ] && return 0
    for k in "${keep_list[@]}"; do
        k=${k%.service}
        [ "$n" = "$k" ] && return 0
        [ "${n%%@*}" = "$k" ] && return 0   # keep "tor" keeps tor@default too
    done
    return 1
}

step_services() {
    local file="$state/services-stopped" listing unit name stop=() kept=() stopped=() still=() lost=()
    if ! command -v systemctl >/dev/null 2>&1 || [ ! -d "$systemd_run" ]; then
        report_step services skipped "systemd is not running"
        return
    fi
    own=$(own_unit)
    if ! listing=$(systemctl list-units --type=service --state=running --no-legend --no-pager --plain 2>&1); then
        report_step services failed "systemctl list-units: $listing"
        return
    fi
    while read -r unit _; do
        case $unit in *.service) ;; *) continue ;; esac
        name=${unit%.service}
        if spared_unit "$name"; then
            kept+=("$unit")
        else
            stop+=("$unit")
        fi
    done <<< "$listing"
    if [ ${#stop[@]} -eq 0 ]; then
        report_step services ok "nothing to stop; kept: ${kept[*]:-none}"
        return
    fi
    if [ "$dry_run" -eq 1 ]; then
        run systemctl stop -- "${stop[@]}"
        report_step services ok "would stop: ${stop[*]}; kept: ${kept[*]:-none}"
        return
    fi
    # One call, so systemd stops them in parallel; then look at what is still running.
    limited 90 systemctl stop -- "${stop[@]}" > /dev/null 2>&1
    for unit in "${stop[@]}"; do
        if systemctl is-active --quiet -- "$unit"; then
            still+=("$unit")
        else
            stopped+=("$unit")
            has_line "$file" "$unit" || record_line "$file" "$unit"
        fi
    done
    # Stopping a unit also stops the units that require it; say so when a kept one went with it.
    for unit in "${kept[@]}"; do
        systemctl is-active --quiet -- "$unit" || lost+=("$unit")
    done
    local detail="stopped: ${stopped[*]:-none}"
    [ ${#lost[@]} -gt 0 ] && detail+="; kept units stopped through dependencies: ${lost[*]}"
    if [ ${#still[@]} -gt 0 ]; then
        report_step services failed "$detail; still running: ${still[*]}"
    else
        report_step services ok "$detail"
    fi
}

# Sets pids.max of one cgroup to its pids.current, saving the old value once.
freeze_one() {   # DIR
    local dir=$1 cur old
    if [ ! -f "$dir/pids.max" ] || [ ! -f "$dir/pids.current" ]; then
        unlimited+=("${dir#"$cgroot"/}")
        return
    fi
    read -r cur < "$dir/pids.current" || cur=
    read -r old < "$dir/pids.max" || old=
    if ! [[ $cur =~ ^[0-9]+$ ]] || ! [[ $old =~ ^(max|[0-9]+)$ ]]; then
        freeze_bad+=("${dir#"$cgroot"/} (unreadable)")
        return
    fi
    # An entry from an earlier, interrupted run holds the original value: keep it.
    if ! has_prefix "$pids_file" "$dir/pids.max"$'\t'; then
        record_line "$pids_file" "$dir/pids.max"$'\t'"$old"
    fi
    if put "$dir/pids.max" "$cur"; then
        frozen+=("${dir#"$cgroot"/}=$cur")
    else
        freeze_bad+=("${dir#"$cgroot"/}")
    fi
}

# Freezes DIR, or, when DIR contains a spared cgroup, each of its children instead (recursively).
freeze_tree() {   # DIR
    local dir=$1 s child inside=0
    for s in "${spared[@]}"; do
        [ "$s" = "$dir" ] && return 0
        case $s in "$dir"/*) inside=1 ;; esac
    done
    if [ "$inside" -eq 0 ]; then
        freeze_one "$dir"
        return
    fi
    for child in "$dir"/*/; do
        [ -d "$child" ] && freeze_tree "${child%/}"
    done
}

step_processes() {
    local controllers
    pids_file="$state/pids-max"
    frozen=() freeze_bad=() unlimited=() spared=()
    if [ ! -r "$cgroot/cgroup.controllers" ]; then
        report_step processes skipped "no cgroup v2 hierarchy at $cgroot"
        return
    fi
    read -r controllers < "$cgroot/cgroup.controllers" || controllers=
    case " $controllers " in
        *" pids "*) ;;
        *) report_step processes skipped "cgroup v2 pids controller not available at $cgroot"; return ;;
    esac
    if [ ! -d "$cgroot/user.slice" ]; then
        report_step processes skipped "no $cgroot/user.slice"
        return
    fi
    if [ ! -f "$cgroot/user.slice/pids.max" ]; then
        report_step processes skipped "pids controller not enabled for user.slice (see $cgroot/cgroup.subtree_control)"
        return
    fi
    local s
    while IFS= read -r s; do
        [ -d "$s" ] && spared+=("${s%/}")
    done < <(spared_cgroups)
    freeze_tree "$cgroot/user.slice"
    if [ "$freeze_system" -eq 1 ]; then
        if [ -d "$cgroot/system.slice" ]; then
            # Each child on its own: a limit on system.slice itself would also cap the monitor.
            local child
            for child in "$cgroot/system.slice"/*/; do
                [ -d "$child" ] && freeze_tree "${child%/}"
            done
        else
            unlimited+=("system.slice (absent)")
        fi
    fi
    local verb="limited"
    [ "$dry_run" -eq 1 ] && verb="would limit"
    local detail="$verb (pids.max=pids.current): ${frozen[*]:-none}"
    [ "$freeze_system" -eq 0 ] && detail+="; system.slice left alone"
    [ ${#unlimited[@]} -gt 0 ] && detail+="; no pids limit possible for: ${unlimited[*]}"
    if [ ${#freeze_bad[@]} -gt 0 ]; then
        report_step processes failed "$detail; could not limit: ${freeze_bad[*]}"
    else
        report_step processes ok "$detail"
    fi
}

step_mail() {
    local subject="bim lockdown: incident $incident on $host"
    if [ ! -x "$sendmail" ]; then
        report_step mail skipped "no sendmail at $sendmail"
        return
    fi
    if [ "$dry_run" -eq 1 ]; then
        show "$sendmail" -oi -- "$admin"
        report_step mail ok "would mail $admin: $subject"
        return
    fi
    local body
    body=$(printf 'To: %s\nSubject: %s\nAuto-Submitted: auto-generated\n\n' "$admin" "$subject"
        printf 'The Binary Integrity Monitor put %s into lockdown for incident %s.\n\n' "$host" "$incident"
        printf 'Incident report: %s\nState and logs: %s\n\n' "$report" "$state"
        printf '%s\n' "${results[@]}"
        printf '\nUndo with "lockdown.sh release" (stopped services are listed, not restarted).\n')
    local out
    if out=$(printf '%s\n' "$body" | limited 60 "$sendmail" -oi -- "$admin" 2>&1); then
        report_step mail ok "mailed $admin"
    else
        report_step mail failed "$sendmail -oi -- $admin: ${out:-exit status $?}"
    fi
}

do_lockdown() {
    step_record
    local since=
    if [ -f "$state/active" ]; then
        read -r since < "$state/active" || since=
        local why="already in lockdown since ${since:-an earlier run}"
        printf 'lockdown: %s\n' "$why"
        report_step network skipped "$why"
        report_step services skipped "$why"
        report_step processes skipped "$why"
    else
        step_network
        step_services
        step_processes
        # Written after the containment steps: a run killed half-way (the daemon's timeout) is
        # repeated in full next time, and each step is itself safe to repeat.
        if ! put "$state/active" "$(now) incident $incident"; then
            report_step active failed "could not write $state/active: a second run would repeat the lockdown"
        fi
    fi
    step_mail
}

# ---------------------------------------------------------------------------------------------------

if [ "$mode" = release ] && [ "$dry_run" -eq 0 ] && [ -d "$state" ]; then
    # Before anything that forks (flock): release must work when nothing can fork.
    release_processes
    processes_done=1
fi

if [ "$dry_run" -eq 0 ]; then
    if ! mkdir -p -- "$state"; then   # umask 077: every new level is root-only
        printf 'lockdown: error: cannot create state directory %s\n' "$state" >&2
        exit 3
    fi
    # One lockdown or release at a time; a second waits for the first.
    if command -v flock >/dev/null 2>&1; then
        exec 9>> "$state/lock"
        flock -w 120 9 || printf 'lockdown: warning: could not lock %s/lock, going on\n' "$state" >&2
    fi
fi

if [ "$mode" = release ]; then
    do_release
else
    do_lockdown
fi

[ "$failed" -eq 0 ] || exit 3
exit 0
