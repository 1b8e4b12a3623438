#!/usr/bin/env bash
# Proves that a parameter sweep run on a real Slurm -- a job array of shards, then a merge job
# that depends on it (afterok) -- gives byte-identical files to the same sweep run locally.
# Starts a throwaway cluster (scripts/slurm-local.sh), always stops it on exit, and exits 0
# only when the two result folders match.
#
#   scripts/check-sweep-on-slurm.sh [OPTIONS] [-- SWEEP_ARGS...]
#
# Which sweep:
#   SCHEDSIM unset, or --standin   a stand-in workload (no schedsim needed): a 3-task array
#                                  (--array=1-3%2) writes shard-K.txt, the merge job cats them
#                                  into merged.txt; locally the same files are computed.
#   SCHEDSIM=BIN, or --schedsim BIN  the real thing (see schedsim_sweep below):
#                                  BIN sweep SWEEP_ARGS --slurm SHARDS --out WORK/slurm-sweep
#                                  BIN sweep SWEEP_ARGS --out WORK/local-sweep
#                                  SWEEP_ARGS after `--`, else $SWEEP_ARGS (words), else a default.
# Options:
#   --shards N     shards of the Slurm run (default $SWEEP_SHARDS or 3)
#   --work DIR     where both result folders go (default target/slurm-check; both are
#                  recreated empty)
#   --state DIR    the cluster's STATE_DIR (default $SLURM_LOCAL_STATE or /var/lib/slurm-local)
#   --timeout S    at most S seconds for the Slurm jobs (default 300)
# Stand-in self-tests: STANDIN_FAIL_TASK=K makes array task K exit 3 (the check must fail,
# naming the task, and the merge job never runs); STANDIN_SLEEP=S makes each task sleep S s
# (with --timeout below it, the check must fail on the timeout); STANDIN_DIFFER=1 adds a line
# to the local merged.txt (the comparison must fail).
#
# Needs root (installs Debian's Slurm and munge when missing). Compared: every file of the two
# folders, except the `slurm/` bookkeeping folder (job output, logs) and `*.sbatch` files.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
slurm_local=$here/scripts/slurm-local.sh

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
fmt_ms() { printf '%d.%01ds' $(($1 / 1000)) $((($1 % 1000) / 100)); }
t0=$(now_ms)
say() { echo "check-sweep-on-slurm: [$(fmt_ms $(($(now_ms) - t0)))] $*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
timings=()
stage_t=
stage_name=
stage() { # stage NAME: ends the previous stage (if any), starts NAME
    local t
    t=$(now_ms)
    if [ -n "$stage_name" ]; then
        timings+=("$(printf '%-40s %8s' "$stage_name" "$(fmt_ms $((t - stage_t)))")")
        say "-- $stage_name: done in $(fmt_ms $((t - stage_t)))"
    fi
    stage_name=${1:-}
    stage_t=$t
    [ -z "$stage_name" ] || say "-- $stage_name"
}

mode=
[ -n "${SCHEDSIM:-}" ] && mode=schedsim || mode=standin
shards=${SWEEP_SHARDS:-3}
work=$here/target/slurm-check
state=${SLURM_LOCAL_STATE:-/var/lib/slurm-local}
timeout_s=300
sweep_args=()
while [ $# -gt 0 ]; do
    case $1 in
        --standin) mode=standin ;;
        --schedsim) SCHEDSIM=${2:?--schedsim BIN}; mode=schedsim; shift ;;
        --shards) shards=${2:?--shards N}; shift ;;
        --work) work=${2:?--work DIR}; shift ;;
        --state) state=${2:?--state DIR}; shift ;;
        --timeout) timeout_s=${2:?--timeout SECONDS}; shift ;;
        --) shift; sweep_args=("$@"); break ;;
        -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        *) fail "unknown argument $1 (see --help)" ;;
    esac
    shift
done
case $work in /*) ;; *) work=$PWD/$work ;; esac
case $state in /*) ;; *) state=$PWD/$state ;; esac
if [ "$mode" = schedsim ]; then
    case $SCHEDSIM in /*) ;; */*) SCHEDSIM=$PWD/$SCHEDSIM ;; esac
fi
# Everything from the repository root: relative paths in SWEEP_ARGS, and the jobs' working
# folder (sbatch's, unless the .sbatch file says --chdir) all mean the same folder.
cd "$here"
slurm_out=$work/slurm-sweep
local_out=$work/local-sweep

# ======================================================================================
# The schedsim-specific part: the only code to adapt once `sweep --slurm` exists.
#
# schedsim_sweep slurm OUT  must leave OUT/sweep.sbatch (a job array, one task per shard) and
#                           OUT/merge.sbatch (merges the shards into the final files), each
#                           with absolute paths or an `#SBATCH --chdir=OUT`, and the folder
#                           their `--output` names (Slurm fails a job whose output folder is
#                           missing). Job output and shard bookkeeping go under OUT/slurm/.
# schedsim_sweep local OUT  runs the same sweep here, writing the final files into OUT.
# schedsim_must_exist       files both folders must have (so that two empty folders fail).
# The default SWEEP_ARGS: the default scenario over two pool sizes and two queue orders, three
# replications each (12 runs of about 0.1 s).
# ======================================================================================
schedsim_sweep() {
    local where=$1 out=$2
    [ ${#sweep_args[@]} -gt 0 ] || read -r -a sweep_args <<<"${SWEEP_ARGS:-scenarios/default.toml --move-nodes cpu:inter=6,8 --set policy.order=fcfs,sjf --replications 3}"
    case $where in
        slurm) "$SCHEDSIM" sweep "${sweep_args[@]}" --slurm "$shards" --out "$out" ;;
        local) "$SCHEDSIM" sweep "${sweep_args[@]}" --out "$out" ;;
    esac
}
schedsim_must_exist=(sweep.csv sweep.json points/0/rep-0/summary.json)
# ======================================================================================

# The stand-in: the same contract as schedsim_sweep, with a shell function as the workload.
# Its content is a pure function of (task, shards), like a sweep point's result is of its seed.
standin_shard() { # TASK SHARDS: the lines of shard TASK
    local task=$1 n=$2 p r
    for p in $(seq 1 12); do
        [ $(((p - 1) % n + 1)) = "$task" ] || continue
        for r in 1 2; do
            printf 'point %02d replication %d value %s\n' "$p" "$r" \
                "$(printf 'standin point=%d replication=%d' "$p" "$r" | sha256sum | cut -c1-16)"
        done
    done
}
standin_merge() { # SHARDS: concatenated in shard order (not glob order: shard-10 < shard-2)
    local k
    for k in $(seq 1 "$1"); do cat "shard-$k.txt"; done >merged.txt
}
standin_sweep() {
    local where=$1 out=$2 k
    mkdir -p "$out"
    case $where in
        slurm)
            mkdir -p "$out/slurm"
            # shellcheck disable=SC2016 # the $SLURM_... are the job's, expanded when it runs
            {
                echo '#!/bin/bash'
                echo '#SBATCH --job-name=standin-sweep'
                echo "#SBATCH --array=1-$shards%2"
                echo '#SBATCH --time=00:05:00'
                echo '#SBATCH --ntasks=1'
                echo '#SBATCH --cpus-per-task=1'
                echo '#SBATCH --mem=100M'
                echo "#SBATCH --chdir=$out"
                echo '#SBATCH --output=slurm/%x-%A_%a.out'
                echo 'set -euo pipefail'
                echo 'echo "task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT on node $SLURMD_NODENAME"'
                [ -z "${STANDIN_SLEEP:-}" ] || echo "sleep $STANDIN_SLEEP"
                [ -z "${STANDIN_FAIL_TASK:-}" ] || echo "[ \"\$SLURM_ARRAY_TASK_ID\" != $STANDIN_FAIL_TASK ] || { echo 'failing on purpose (STANDIN_FAIL_TASK)' >&2; exit 3; }"
                declare -f standin_shard
                echo "standin_shard \"\$SLURM_ARRAY_TASK_ID\" $shards >shard-\$SLURM_ARRAY_TASK_ID.tmp"
                echo 'mv shard-$SLURM_ARRAY_TASK_ID.tmp shard-$SLURM_ARRAY_TASK_ID.txt'
            } >"$out/sweep.sbatch"
            {
                echo '#!/bin/bash'
                echo '#SBATCH --job-name=standin-merge'
                echo '#SBATCH --time=00:05:00'
                echo '#SBATCH --ntasks=1'
                echo "#SBATCH --chdir=$out"
                echo '#SBATCH --output=slurm/%x-%j.out'
                echo 'set -euo pipefail'
                declare -f standin_merge
                echo "standin_merge $shards"
            } >"$out/merge.sbatch"
            echo "sbatch --parsable $out/sweep.sbatch"
            echo "sbatch --parsable --dependency=afterok:JOBID $out/merge.sbatch"
            ;;
        local)
            (
                cd "$out"
                for k in $(seq 1 "$shards"); do standin_shard "$k" "$shards" >"shard-$k.txt"; done
                standin_merge "$shards"
                [ -z "${STANDIN_DIFFER:-}" ] || echo "a line the Slurm run does not have" >>merged.txt
            )
            ;;
    esac
}
standin_must_exist=(merged.txt shard-1.txt)

if [ "$mode" = schedsim ]; then
    command -v "$SCHEDSIM" >/dev/null || fail "SCHEDSIM=$SCHEDSIM is not an executable (cargo build --release first?)"
    sweep() { schedsim_sweep "$@"; }
    must_exist=("${schedsim_must_exist[@]}")
else
    sweep() { standin_sweep "$@"; }
    must_exist=("${standin_must_exist[@]}")
fi

# --- the cluster, stopped whatever happens ------------------------------------------------
finish() {
    local rc=$?
    trap - EXIT
    set +e
    stage "stop the cluster"
    "$slurm_local" stop "$state" || rc=1
    stage
    say "timings:"
    printf '    %s\n' "${timings[@]}" >&2
    say "total $(fmt_ms $(($(now_ms) - t0))); $([ $rc = 0 ] && echo PASS || echo "FAIL (exit $rc)")"
    exit $rc
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "mode: $mode, $shards shards, work $work, cluster state $state"
stage "start the cluster"
"$slurm_local" start "$state" </dev/null || fail "the cluster did not start"
export SLURM_CONF=$state/slurm.conf

stage "prepare the Slurm jobs"
rm -rf "$slurm_out" "$local_out"
mkdir -p "$work"
sweep slurm "$slurm_out" </dev/null | sed 's/^/    /' >&2 || fail "sweep --slurm failed"
for f in sweep.sbatch merge.sbatch; do
    [ -s "$slurm_out/$f" ] || fail "sweep --slurm wrote no $slurm_out/$f"
done

# --- the jobs ------------------------------------------------------------------------------
# Lines of `scontrol -o show job` as "task state exit reason stdout stderr".
job_lines() {
    scontrol -o show job "$1" 2>/dev/null | awk '{
        t = "-"; s = "?"; e = "?"; r = "-"; o = "-"; er = "-"
        for (i = 1; i <= NF; i++) {
            split($i, kv, "=")
            v = substr($i, length(kv[1]) + 2)
            if (kv[1] == "ArrayTaskId") t = v
            else if (kv[1] == "JobState") s = v
            else if (kv[1] == "ExitCode") e = v
            else if (kv[1] == "Reason") r = v
            else if (kv[1] == "StdOut") o = v
            else if (kv[1] == "StdErr") er = v
        }
        print t, s, e, r, o, er
    }'
}
dump_jobs() {
    local j t s e r o er
    for j in "$@"; do
        [ -n "$j" ] || continue
        echo "---- job $j (scontrol show job $j): task state exit reason" >&2
        job_lines "$j" | awk '{print "    " $1, $2, $3, $4}' >&2
        job_lines "$j" | while read -r t s e r o er; do
            [ "$er" != "$o" ] || er=
            for f in "$o" "$er"; do
                [ -f "$f" ] || continue
                echo "---- job $j task $t ($s, exit $e): $f" >&2
                tail -n 40 "$f" >&2
            done
        done
    done
    echo "---- squeue" >&2
    squeue >&2 2>&1 || true
}
# Pending for a reason that no waiting will fix.
hopeless='^(DependencyNeverSatisfied|PartitionTimeLimit|PartitionNodeLimit|BadConstraints|PartitionConfig|InvalidQOS|InvalidAccount|JobHeldAdmin|JobHeldUser|ReqNodeNotAvail.*)$'
failed_state='^(FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED|SPECIAL_EXIT|REVOKED)'

stage "run the shards and the merge on Slurm"
array_job=$(sbatch --parsable "$slurm_out/sweep.sbatch" </dev/null) || fail "sbatch $slurm_out/sweep.sbatch failed"
array_job=${array_job%%;*}
merge_job=$(sbatch --parsable --dependency="afterok:$array_job" "$slurm_out/merge.sbatch" </dev/null) || {
    scancel "$array_job" 2>/dev/null
    fail "sbatch $slurm_out/merge.sbatch failed"
}
merge_job=${merge_job%%;*}
say "submitted: array job $array_job, merge job $merge_job (afterok:$array_job)"
start_s=$SECONDS
last=
while :; do
    array=$(job_lines "$array_job")
    merge=$(job_lines "$merge_job")
    [ -n "$array" ] || { dump_jobs "$merge_job"; fail "array job $array_job: no such job any more"; }
    [ -n "$merge" ] || { dump_jobs "$array_job"; fail "merge job $merge_job: no such job any more"; }
    # progress, when it changes: "array: 1 COMPLETED 2 RUNNING 1-3 PENDING; merge: PENDING (Dependency)"
    now=$(printf 'array: %s; merge: %s' \
        "$(echo "$array" | awk '{print $1 ":" $2}' | sort -n | tr '\n' ' ' | sed 's/ $//')" \
        "$(echo "$merge" | awk '{print $2 ($4 != "None" && $4 != "-" ? " (" $4 ")" : "")}')")
    [ "$now" = "$last" ] || say "$now"
    last=$now
    bad=$(echo "$array" | awk -v f="$failed_state" -v h="$hopeless" '$2 ~ f || ($2 == "PENDING" && $4 ~ h)')
    if [ -n "$bad" ]; then
        scancel "$merge_job" 2>/dev/null || true
        dump_jobs "$array_job" "$merge_job"
        fail "array job $array_job: $(echo "$bad" | awk '{printf "task %s %s (exit %s, %s) ", $1, $2, $3, $4}')-- the merge job cannot run"
    fi
    read -r _ mstate mexit mreason _ <<<"$merge"
    case $mstate in
        COMPLETED) break ;;
        PENDING | RUNNING | CONFIGURING | COMPLETING | SUSPENDED | REQUEUED | RESIZING) ;;
        *)
            dump_jobs "$array_job" "$merge_job"
            fail "merge job $merge_job: $mstate (exit $mexit, $mreason)"
            ;;
    esac
    if [ "$mstate" = PENDING ] && [[ $mreason =~ $hopeless ]]; then
        scancel "$merge_job" 2>/dev/null || true
        dump_jobs "$array_job" "$merge_job"
        fail "merge job $merge_job is pending with reason $mreason: it will never run"
    fi
    if [ $((SECONDS - start_s)) -ge "$timeout_s" ]; then
        dump_jobs "$array_job" "$merge_job"
        scancel "$array_job" "$merge_job" 2>/dev/null || true
        fail "the jobs did not finish within $timeout_s s"
    fi
    sleep 1
done
say "array job $array_job and merge job $merge_job COMPLETED"

# --- the same sweep, locally, and the comparison ------------------------------------------
stage "run the same sweep locally"
sweep local "$local_out" </dev/null | sed 's/^/    /' >&2 || fail "the local sweep failed"

stage "compare"
for f in "${must_exist[@]}"; do
    [ -f "$local_out/$f" ] || fail "the local sweep wrote no $f"
    [ -f "$slurm_out/$f" ] || fail "the Slurm sweep wrote no $f"
done
excluded=(-x slurm -x '*.sbatch')
listing() { (cd "$1" && find . -path ./slurm -prune -o -type f ! -name '*.sbatch' -print | sort); }
if ! diff -r "${excluded[@]}" "$local_out" "$slurm_out" >"$work/diff.txt" 2>&1; then
    head -n 60 "$work/diff.txt" >&2
    fail "the Slurm sweep differs from the local one (all of it: $work/diff.txt)"
fi
n=$(listing "$local_out" | wc -l)
names=$(listing "$local_out" | head -n 8 | sed 's|^\./||' | tr '\n' ' ')
say "identical: $n files, $(listing "$local_out" | (cd "$local_out" && xargs cat) | wc -c) bytes (${names% }$([ "$n" -gt 8 ] && echo ' ...'))"
