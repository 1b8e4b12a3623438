#!/usr/bin/env bash
# A throwaway Slurm cluster on this host: one munged, one slurmctld and 4 slurmd (nodes n1..n4,
# all on 127.0.0.1), everything inside STATE_DIR (default /var/lib/slurm-local).
#
#   scripts/slurm-local.sh start  [STATE_DIR]   install Debian's packages if missing, start, wait for idle nodes
#   scripts/slurm-local.sh stop   [STATE_DIR]   stop exactly the daemons recorded in STATE_DIR/pids (safe twice)
#   scripts/slurm-local.sh status [STATE_DIR]   the recorded daemons and `sinfo`
#   scripts/slurm-local.sh env    [STATE_DIR]   prints `export SLURM_CONF=STATE_DIR/slurm.conf`
#
# Or `source` it and call slurm_local_start / slurm_local_stop / slurm_local_status DIR.
#
# Needs root (installs packages, runs slurmd). Leaves a system-wide Slurm or munge alone: the
# cluster has its own slurm.conf (clients find it through SLURM_CONF), its own munge key,
# socket and munged, and its own ports (the first free set of 16817+10k.. ports: the
# controller, then one per node). The only files it writes outside STATE_DIR are those of
# the Debian packages it installs, plus, only while apt-get runs and only if there is none, a
# /usr/sbin/policy-rc.d that keeps the packages from starting their system-wide services.
# Stopping never looks processes up by name: it signals the pids the daemons wrote, and only
# those whose command line names STATE_DIR.
#
# Settings (environment): SLURM_LOCAL_NODES (4), SLURM_LOCAL_CPUS (2 per node),
# SLURM_LOCAL_MEM (2000 MB per node), SLURM_LOCAL_PORT (16817, the first port tried),
# SLURM_LOCAL_TIMEOUT (60 s for the nodes to become idle).

_sl_now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
_sl_fmt_ms() { printf '%d.%01ds' $(($1 / 1000)) $((($1 % 1000) / 100)); }
_sl_t0=$(_sl_now_ms)
_sl_say() { echo "slurm-local: [$(_sl_fmt_ms $(($(_sl_now_ms) - _sl_t0)))] $*" >&2; }
# One stage: _sl_stage_begin "what"; ...; _sl_stage_end ["result"]
_sl_stage_begin() { _sl_stage=$1; _sl_stage_t=$(_sl_now_ms); }
_sl_stage_end() {
    _sl_say "$_sl_stage: ${1:-done} ($(_sl_fmt_ms $(($(_sl_now_ms) - _sl_stage_t))))"
}

_sl_packages=(munge slurmctld slurmd slurm-client)
_sl_policy_marker="# temporary, written by slurm-local.sh"

_sl_dir() { # the absolute STATE_DIR
    local d=${1:-/var/lib/slurm-local}
    case $d in /*) ;; *) d=$PWD/$d ;; esac
    d=${d%/}
    if [ -z "$d" ] || [ "$d" = / ]; then _sl_say "refusing STATE_DIR '/'"; return 1; fi
    echo "$d"
}

_sl_missing_packages() {
    local p
    for p in "${_sl_packages[@]}"; do
        [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || echo "$p"
    done
}

_sl_install() {
    local missing
    missing=$(_sl_missing_packages | tr '\n' ' ')
    missing=${missing% }
    if [ -z "$missing" ]; then
        _sl_say "packages: ${_sl_packages[*]} already installed"
        return 0
    fi
    [ "$(id -u)" = 0 ] || { _sl_say "installing $missing needs root"; return 1; }
    _sl_stage_begin "install $missing"
    # A leftover of ours (killed mid-install) goes; someone else's policy-rc.d stays untouched.
    if [ -f /usr/sbin/policy-rc.d ] && grep -qF "$_sl_policy_marker" /usr/sbin/policy-rc.d; then
        rm -f /usr/sbin/policy-rc.d
    fi
    local ours=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        # The packages' postinst would start system-wide munged/slurmctld/slurmd services.
        printf '#!/bin/sh\n%s\nexit 101\n' "$_sl_policy_marker" >/usr/sbin/policy-rc.d
        chmod 0755 /usr/sbin/policy-rc.d
        ours=1
    fi
    local apt=(apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 -q)
    local rc=0 log
    log=$(mktemp)
    export DEBIAN_FRONTEND=noninteractive
    "${apt[@]}" update >"$log" 2>&1 || _sl_say "apt-get update failed (trying the install anyway): $(tail -n 3 "$log" | tr '\n' ' ')"
    # shellcheck disable=SC2086
    "${apt[@]}" install -y --no-install-recommends $missing >>"$log" 2>&1 || rc=$?
    [ -z "$ours" ] || rm -f /usr/sbin/policy-rc.d
    if [ $rc != 0 ]; then
        tail -n 30 "$log" >&2
        rm -f "$log"
        _sl_stage_end "FAILED (apt-get exit $rc)"
        return 1
    fi
    rm -f "$log"
    _sl_stage_end "installed $(dpkg-query -W -f='${Version}' slurmctld)"
}

_sl_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

_sl_pick_ports() { # sets _sl_port (controller; nodes use the next ones)
    local base=${SLURM_LOCAL_PORT:-16817} n=${SLURM_LOCAL_NODES:-4} try p busy
    for try in $(seq 0 19); do
        _sl_port=$((base + 10 * try))
        busy=
        for p in $(seq "$_sl_port" $((_sl_port + n))); do
            if _sl_port_busy "$p"; then busy=$p; break; fi
        done
        [ -n "$busy" ] || return 0
    done
    _sl_say "no free set of ports from $base on"
    return 1
}

_sl_write_conf() {
    local dir=$1 n=${SLURM_LOCAL_NODES:-4} cpus=${SLURM_LOCAL_CPUS:-2} mem=${SLURM_LOCAL_MEM:-2000} k host
    host=$(hostname -s 2>/dev/null || hostname)
    {
        cat <<EOF
# slurm.conf -- written by scripts/slurm-local.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ); Slurm $(dpkg-query -W -f='${Version}' slurmctld 2>/dev/null)
# A throwaway cluster: $n nodes on this host (one slurmd each, slurmd -N nK), no accounting.
ClusterName=slurmlocal
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$_sl_port
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info

# no cgroups here: track by /proc, no task binding; trust the node lines, not the hardware
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SlurmdParameters=config_overrides

SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# fast turnover: schedule every second; finished jobs stay visible to scontrol for 300 s,
# which is how a job's exit code is seen without accounting
SchedulerParameters=sched_interval=1,bf_interval=1
MinJobAge=300
KillWait=5
InactiveLimit=0
SlurmctldTimeout=60
SlurmdTimeout=60
MessageTimeout=10
MaxArraySize=1001

EOF
        for k in $(seq 1 "$n"); do
            echo "NodeName=n$k NodeHostname=$host NodeAddr=127.0.0.1 Port=$((_sl_port + k)) CPUs=$cpus RealMemory=$mem State=UNKNOWN"
        done
        echo "PartitionName=batch Nodes=n[1-$n] Default=YES DefaultTime=00:05:00 MaxTime=01:00:00 State=UP"
    } >"$dir/slurm.conf"
}

_sl_record() { echo "$1 $2" >>"$3/pids"; } # NAME PID DIR

_sl_wait_pidfile() { # FILE SECONDS -> echoes the pid
    local f=$1 _ pid
    for _ in $(seq $(($2 * 10))); do
        if [ -s "$f" ]; then
            pid=$(tr -dc '0-9' <"$f")
            if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then echo "$pid"; return 0; fi
        fi
        sleep 0.1
    done
    return 1
}

# A daemon did not come up: say so, show the logs, and stop what did start.
_sl_start_failed() {
    _sl_stage_end "FAILED"
    _sl_tails "$1"
    slurm_local_stop "$1"
}

_sl_tails() {
    local dir=$1 f
    for f in "$dir"/log/*.stderr "$dir/munge/munged.log" "$dir"/log/*.log; do
        [ -s "$f" ] || continue
        echo "---- tail $f" >&2
        tail -n 25 "$f" >&2
    done
}

slurm_local_start() {
    local dir
    dir=$(_sl_dir "${1:-}") || return 1
    _sl_t0=$(_sl_now_ms)
    _sl_say "start: STATE_DIR=$dir"
    [ "$(id -u)" = 0 ] || { _sl_say "start needs root"; return 1; }

    _sl_install || return 1
    getent passwd slurm >/dev/null || { _sl_say "no slurm user after the install"; return 1; }
    getent passwd munge >/dev/null || { _sl_say "no munge user after the install"; return 1; }

    # A previous cluster in this STATE_DIR: stop what it recorded, then start from empty state.
    if [ -e "$dir/pids" ] || compgen -G "$dir/run/*.pid" >/dev/null; then
        _sl_say "stale state in $dir: stopping what it recorded first"
        slurm_local_stop "$dir" || return 1
    fi
    _sl_stage_begin "prepare $dir"
    rm -rf "$dir/state" "$dir/spool" "$dir/log" "$dir/run" "$dir/pids" "$dir/slurm.conf"
    mkdir -p "$dir" "$dir/state" "$dir/spool" "$dir/log" "$dir/run" "$dir/munge"
    chmod 0755 "$dir"
    chown slurm:slurm "$dir/state" "$dir/spool" "$dir/log" "$dir/run"
    chown -R munge:munge "$dir/munge"
    chmod 0755 "$dir/munge"
    rm -f "$dir/munge/munge.socket"* "$dir/munge/munged.pid" "$dir/munge/munged.log"
    local key=$dir/munge/munge.key
    if [ ! -s "$key" ]; then
        if command -v mungekey >/dev/null; then
            mungekey --create --keyfile="$key" --force 2>/dev/null || dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
        else
            dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
        fi
        _sl_say "created munge key $key"
    fi
    chown munge:munge "$key"
    chmod 0400 "$key"
    _sl_pick_ports || return 1
    _sl_write_conf "$dir"
    : >"$dir/pids"
    export SLURM_CONF=$dir/slurm.conf
    _sl_stage_end "slurm.conf written, ports $_sl_port..$((_sl_port + ${SLURM_LOCAL_NODES:-4}))"

    local ok=1 pid k _ n=${SLURM_LOCAL_NODES:-4}
    _sl_stage_begin "munged"
    runuser -u munge -- munged --key-file="$key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/munged.seed" \
        --log-file="$dir/munge/munged.log" </dev/null >/dev/null 2>>"$dir/log/munged.stderr" || true
    if pid=$(_sl_wait_pidfile "$dir/munge/munged.pid" 10); then
        _sl_record munged "$pid" "$dir"
        local _
        ok=
        for _ in $(seq 50); do
            if munge -n -S "$dir/munge/munge.socket" 2>/dev/null | unmunge -S "$dir/munge/munge.socket" >/dev/null 2>&1; then
                ok=1
                break
            fi
            sleep 0.1
        done
    else
        ok=
    fi
    [ -n "$ok" ] || { _sl_start_failed "$dir"; return 1; }
    _sl_stage_end "pid $pid, credentials work"

    _sl_stage_begin "slurmctld"
    slurmctld -f "$dir/slurm.conf" </dev/null >>"$dir/log/slurmctld.stderr" 2>&1 || true
    if pid=$(_sl_wait_pidfile "$dir/run/slurmctld.pid" 15); then
        _sl_record slurmctld "$pid" "$dir"
        ok=
        for _ in $(seq 150); do
            if scontrol ping 2>/dev/null | grep -q 'is UP'; then ok=1; break; fi
            [ -d "/proc/$pid" ] || break
            sleep 0.1
        done
    else
        ok=
    fi
    [ -n "$ok" ] || { _sl_start_failed "$dir"; return 1; }
    _sl_stage_end "pid $pid, answers on 127.0.0.1:$_sl_port"

    _sl_stage_begin "slurmd n1..n$n"
    for k in $(seq 1 "$n"); do
        slurmd -f "$dir/slurm.conf" -N "n$k" </dev/null >>"$dir/log/slurmd-n$k.stderr" 2>&1 || true
    done
    local pids=
    for k in $(seq 1 "$n"); do
        if pid=$(_sl_wait_pidfile "$dir/run/slurmd-n$k.pid" 15); then
            _sl_record "slurmd-n$k" "$pid" "$dir"
            pids="$pids $pid"
        else
            ok=
        fi
    done
    [ -n "$ok" ] || { _sl_start_failed "$dir"; return 1; }
    _sl_stage_end "pids$pids"

    _sl_stage_begin "nodes idle"
    local limit=$((${SLURM_LOCAL_TIMEOUT:-60} * 2)) idle states=
    ok=
    for _ in $(seq "$limit"); do
        states=$(sinfo -h -N -o '%N %T' 2>/dev/null | sort -u | paste -sd ' ')
        idle=$(sinfo -h -N -t idle -o '%N' 2>/dev/null | sort -u | wc -l)
        if [ "$idle" -ge "$n" ]; then ok=1; break; fi
        sleep 0.5
    done
    if [ -z "$ok" ]; then
        _sl_stage_end "FAILED after ${SLURM_LOCAL_TIMEOUT:-60} s: $states"
        sinfo -N -l >&2 2>/dev/null
        _sl_tails "$dir"
        slurm_local_stop "$dir"
        return 1
    fi
    _sl_stage_end "$states"
    _sl_say "cluster up; use it with: export SLURM_CONF=$dir/slurm.conf"
}

# The pid of a recorded daemon, if it is still alive and really ours (its command line names
# STATE_DIR: pids get reused).
_sl_ours() { # PID DIR
    local pid=$1 dir=$2 cmd
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
    case $cmd in *"$dir/"*) return 0 ;; *) return 1 ;; esac
}

_sl_signal_wait() { # SIGNAL SECONDS NAME:PID... ; returns 0 when all are gone
    local sig=$1 secs=$2 e p _ left
    shift 2
    for e in "$@"; do kill "-$sig" "${e##*:}" 2>/dev/null || true; done
    for _ in $(seq $((secs * 10))); do
        left=
        for e in "$@"; do
            p=${e##*:}
            if [ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ]; then left=1; fi
        done
        [ -z "$left" ] && return 0
        sleep 0.1
    done
    return 1
}
slurm_local_stop() {
    local dir
    dir=$(_sl_dir "${1:-}") || return 1
    _sl_stage_begin "stop $dir"
    # Every pid recorded: the pids file, and the pid files the daemons wrote (these cover a
    # start that was interrupted before it recorded them).
    local entries=() name pid f
    if [ -f "$dir/pids" ]; then
        while read -r name pid; do
            [ -n "$pid" ] && entries+=("$name:$pid")
        done <"$dir/pids"
    fi
    for f in "$dir"/run/slurmd-*.pid "$dir/run/slurmctld.pid" "$dir/munge/munged.pid"; do
        [ -s "$f" ] || continue
        name=$(basename "$f" .pid)
        pid=$(tr -dc '0-9' <"$f")
        [ -n "$pid" ] && entries+=("$name:$pid")
    done
    # Alive ones, in stop order: nodes, controller, munged last; each pid once.
    local order=() seen=" " e want group left
    for want in slurmd slurmctld munged; do
        for e in "${entries[@]}"; do
            name=${e%%:*}
            pid=${e##*:}
            case $name in "$want"*) ;; *) continue ;; esac
            case $seen in *" $pid "*) continue ;; esac
            seen="$seen$pid "
            _sl_ours "$pid" "$dir" && order+=("$name:$pid")
        done
    done
    if [ ${#order[@]} = 0 ]; then
        rm -f "$dir/pids"
        _sl_stage_end "nothing running"
        return 0
    fi
    # Jobs still running would leave their slurmstepd behind: cancel them while the cluster
    # is still there.
    local ctld=
    for e in "${order[@]}"; do case $e in slurmctld:*) ctld=1 ;; esac; done
    if [ -n "$ctld" ] && [ -f "$dir/slurm.conf" ]; then
        local jobs _
        jobs=$(SLURM_CONF=$dir/slurm.conf timeout 10 squeue -h -o '%A' 2>/dev/null | tr '\n' ' ')
        if [ -n "${jobs// /}" ]; then
            _sl_say "cancelling jobs still queued: $jobs"
            # shellcheck disable=SC2086
            SLURM_CONF=$dir/slurm.conf timeout 10 scancel $jobs 2>/dev/null || true
            for _ in $(seq 30); do
                [ -z "$(SLURM_CONF=$dir/slurm.conf timeout 5 squeue -h -o '%A' 2>/dev/null)" ] && break
                sleep 0.5
            done
        fi
    fi
    local stopped=
    for want in slurmd slurmctld munged; do
        group=()
        for e in "${order[@]}"; do case ${e%%:*} in "$want"*) group+=("$e") ;; esac; done
        [ ${#group[@]} -gt 0 ] || continue
        if ! _sl_signal_wait TERM 15 "${group[@]}"; then
            _sl_say "$want did not stop on SIGTERM within 15 s: SIGKILL"
            _sl_signal_wait KILL 5 "${group[@]}" || { _sl_say "FAILED: ${group[*]} still alive"; return 1; }
        fi
        stopped="$stopped ${group[*]}"
    done
    rm -f "$dir/pids"
    # This host's init may take a moment to reap them: wait (briefly) until `ps` no longer
    # lists them, even as <defunct>.
    local _
    for _ in $(seq 30); do
        left=
        for e in "${order[@]}"; do [ -d "/proc/${e##*:}" ] && left=1; done
        [ -z "$left" ] && break
        sleep 0.1
    done
    _sl_stage_end "stopped$stopped"
}

slurm_local_status() {
    local dir name pid
    dir=$(_sl_dir "${1:-}") || return 1
    [ -f "$dir/pids" ] || { echo "no cluster recorded in $dir"; return 0; }
    while read -r name pid; do
        if _sl_ours "$pid" "$dir"; then echo "$name $pid running"; else echo "$name $pid gone"; fi
    done <"$dir/pids"
    SLURM_CONF=$dir/slurm.conf sinfo -N 2>&1 || true
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -uo pipefail
    cmd=${1:-}
    shift || true
    case $cmd in
        start) slurm_local_start "$@" ;;
        stop) slurm_local_stop "$@" ;;
        status) slurm_local_status "$@" ;;
        env) d=$(_sl_dir "${1:-}") && echo "export SLURM_CONF=$d/slurm.conf" ;;
        *)
            sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
            exit 2
            ;;
    esac
fi
