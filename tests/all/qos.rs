//! QOS through the engine: each per-user limit on a small hand-computed case, under the
//! backfill strategies that can hold a job back, a QOS that a job names but no `[[qos]]`
//! defines, and preemption by QOS (cancel, requeue, which victims, which QOS may).

use schedsim::cluster::{Cluster, Limits, PreemptMode, Res};
use schedsim::engine::{simulate, RunOutput, SimConfig};
use schedsim::metrics::{Outcome, RejectReason};
use schedsim::policy::Registry;
use schedsim::time::{SimDuration, SimTime};
use schedsim::workload::qos::Qos;
use schedsim::workload::Job;

use crate::common::{jobs_secs, starts_secs};

/// (submit, runtime, cores) of user 1 under QOS 0, on 4 cores, requests equal to runtimes.
fn mine(spec: &[(i64, i64, u32)]) -> Vec<Job> {
    let full: Vec<(i64, i64, i64, u32)> = spec.iter().map(|&(s, r, c)| (s, r, r, c)).collect();
    let mut jobs = jobs_secs(&full);
    for j in &mut jobs {
        j.meta.user = 1;
        j.qos = Some(0);
    }
    jobs
}

fn run_qos(jobs: &[Job], qos: Qos, backfill: &str) -> schedsim::engine::RunOutput {
    let mut cfg = SimConfig::new(
        Cluster::flat(4),
        Registry::order("fcfs").unwrap(),
        Registry::backfill(backfill).unwrap(),
        Registry::estimate("requested").unwrap(),
    );
    cfg.qos = vec![qos];
    simulate(jobs, cfg)
}

const BACKFILLS: [&str; 3] = ["none", "easy", "slurm[interval=0,batch_delay=0]"];

#[test]
fn over_max_jobs_per_user_a_job_waits_though_cores_are_free() {
    // Three 1-core jobs at 0, 100, 100 and 50 s; at most 2 running: the third starts when the
    // second ends, at 50, though 2 cores stay free. A job of another user is not held.
    let mut jobs = mine(&[(0, 100, 1), (0, 50, 1), (0, 10, 1), (0, 10, 1)]);
    jobs[3].meta.user = 2;
    let q = Qos { max_jobs_per_user: Some(2), ..Qos::unlimited("q") };
    for bf in BACKFILLS {
        let out = run_qos(&jobs, q.clone(), bf);
        assert_eq!(starts_secs(&out), [Some(0), Some(0), Some(50), Some(0)], "{bf}");
    }
    let free = run_qos(&jobs, Qos::unlimited("q"), "easy");
    assert_eq!(starts_secs(&free), [Some(0), Some(0), Some(0), Some(0)]);
}

#[test]
fn over_max_cores_per_user_a_job_waits_and_a_smaller_one_may_pass() {
    // At most 3 cores: j1 (2 cores, 100 s) starts; j2 (2 cores) would make 4 and waits; j3
    // (1 core, 50 s) makes 3 and starts. At 50 j3 ends, still 2 + 2 > 3; at 100 j2 starts.
    let jobs = mine(&[(0, 100, 2), (0, 10, 2), (0, 50, 1)]);
    let q = Qos { max_cores_per_user: Some(3), ..Qos::unlimited("q") };
    for bf in ["easy", "slurm[interval=0,batch_delay=0]"] {
        let out = run_qos(&jobs, q.clone(), bf);
        assert_eq!(starts_secs(&out), [Some(0), Some(100), Some(0)], "{bf}");
    }
}

#[test]
fn over_max_submit_per_user_a_job_is_rejected_and_counted() {
    // At most 2 in the system: the third job at 0 is rejected; the fourth, at 200, comes after
    // the first two ended and is accepted.
    let jobs = mine(&[(0, 100, 1), (0, 100, 1), (0, 100, 1), (200, 10, 1)]);
    let q = Qos { max_submit_per_user: Some(2), ..Qos::unlimited("q") };
    let out = run_qos(&jobs, q, "easy");
    assert_eq!(starts_secs(&out), [Some(0), Some(0), None, Some(200)]);
    let reasons: Vec<Option<RejectReason>> = out.records.iter().map(|r| r.reason).collect();
    assert_eq!(reasons, [None, None, Some(RejectReason::QosSubmitLimit), None]);
}

#[test]
fn over_max_wall_a_job_is_rejected() {
    let jobs = mine(&[(0, 100, 1), (0, 101, 1)]);
    let q = Qos { max_wall: Some(SimDuration::from_secs(100)), ..Qos::unlimited("q") };
    let out = run_qos(&jobs, q, "easy");
    assert_eq!(starts_secs(&out), [Some(0), None]);
    assert_eq!(out.records[1].reason, Some(RejectReason::QosMaxWall));
}

#[test]
fn a_qos_an_export_names_but_no_entry_defines_is_an_error_naming_the_job() {
    let Some(dir) = crate::sacct::sacct_dir() else { return };
    let text = std::fs::read_to_string(crate::real_slurm::MIRROR).unwrap();
    let path = dir.join("real-slurm-22.05-mixed.psv");
    let text = text
        .replace(
            "\"../../../shared/reference/sacct/real-slurm-22.05-mixed.psv\"",
            &format!("{:?}", path.display().to_string()),
        )
        .replace("[[qos]]\nname = \"high\"\npriority = 100\n", "");
    let s = schedsim::scenario::parse(&text, std::path::Path::new("mirror.toml")).unwrap_or_else(|e| panic!("{e}"));
    let e = schedsim::scenario::build(&s, 1).expect_err("QOS high is not defined");
    let msg = e.to_string();
    let line = text.lines().position(|l| l.starts_with("path = ")).unwrap() + 1;
    assert_eq!(e.line, Some(line), "{msg}");
    assert!(
        msg.contains(
            "workload[0].path: job 13 runs under QOS \"high\", which is not defined in [[qos]] (defined: normal)"
        ),
        "{msg}"
    );
}

/// QOS 0 `low` (priority 0), 1 `mid` (priority 10), 2 `high` (preempts `low` and `mid`), 3
/// `other` (preempts nothing and is preempted by none).
fn preempt_table() -> Vec<Qos> {
    vec![
        Qos::unlimited("low"),
        Qos { priority: 10, ..Qos::unlimited("mid") },
        Qos { preempt: vec!["low".into(), "mid".into()], ..Qos::unlimited("high") },
        Qos::unlimited("other"),
    ]
}

/// (submit, runtime, requested, cores, QOS) on one 4-core node whose partition preempts as
/// `mode`, under `backfill`.
fn run_preempt(spec: &[(i64, i64, i64, u32, u32)], mode: PreemptMode, backfill: &str) -> RunOutput {
    let full: Vec<(i64, i64, i64, u32)> = spec.iter().map(|&(s, r, q, c, _)| (s, r, q, c)).collect();
    let mut jobs = jobs_secs(&full);
    for (j, s) in jobs.iter_mut().zip(spec) {
        j.qos = Some(s.4);
    }
    let limits = Limits { preempt: mode, ..Limits::default() };
    let cluster = Cluster::new(vec![Res::cores(4)], vec![("batch".into(), vec![0], limits)]).unwrap();
    let mut cfg = SimConfig::new(
        cluster,
        Registry::order("fcfs").unwrap(),
        Registry::backfill(backfill).unwrap(),
        Registry::estimate("requested").unwrap(),
    );
    cfg.qos = preempt_table();
    simulate(&jobs, cfg)
}

fn at(s: i64) -> Option<SimTime> {
    Some(SimTime(s * 1000))
}

const LOW: u32 = 0;
const MID: u32 = 1;
const HIGH: u32 = 2;
const OTHER: u32 = 3;

#[test]
fn a_high_qos_arrival_cancels_the_low_qos_runner() {
    // The low job holds the node 0..1000; the high one (2 cores, 100 s) comes at 100 and
    // cannot start: the low job is cancelled then (outcome preempted, 100 s run), the high one
    // runs 100..200.
    for bf in ["none", "easy", "slurm[interval=0,batch_delay=0]", "conservative"] {
        let out = run_preempt(&[(0, 1000, 2000, 4, LOW), (100, 100, 100, 2, HIGH)], PreemptMode::Cancel, bf);
        let (low, high) = (&out.records[0], &out.records[1]);
        assert_eq!(
            (low.start, low.end, low.run, low.preemptions, low.outcome),
            (at(0), at(100), SimDuration::from_secs(100), 1, Outcome::Preempted),
            "{bf}"
        );
        assert_eq!(
            (high.start, high.end, high.outcome, high.preemptions),
            (at(100), at(200), Outcome::Completed, 0),
            "{bf}"
        );
    }
}

#[test]
fn a_requeued_victim_runs_again_from_scratch_after_the_preemptor() {
    // As above, but requeued: the low job waits from 100 and starts again when the high one
    // ends at 200, for its full 1000 s: it ends at 1200, having run 100 + 1000 s; its first
    // start stays 0.
    for bf in ["none", "easy", "slurm[interval=0,batch_delay=0]"] {
        let out = run_preempt(&[(0, 1000, 2000, 4, LOW), (100, 100, 100, 2, HIGH)], PreemptMode::Requeue, bf);
        let (low, high) = (&out.records[0], &out.records[1]);
        assert_eq!(
            (low.start, low.end, low.run, low.preemptions, low.outcome),
            (at(0), at(1200), SimDuration::from_secs(1100), 1, Outcome::Completed),
            "{bf}"
        );
        assert_eq!((high.start, high.end), (at(100), at(200)), "{bf}");
        assert_eq!(schedsim::cluster::cores_in(&out.allocations[0]), 4, "{bf}");
    }
}

#[test]
fn only_the_qos_a_list_names_are_preempted_and_only_by_it() {
    // A runner under `other` (in no list) is not preempted: the high job waits until 1000.
    let out = run_preempt(&[(0, 1000, 2000, 4, OTHER), (100, 100, 100, 2, HIGH)], PreemptMode::Cancel, "easy");
    assert_eq!((out.records[0].end, out.records[0].preemptions), (at(1000), 0));
    assert_eq!(out.records[1].start, at(1000));
    // A job under `other` (whose list is empty) does not preempt a low runner.
    let out = run_preempt(&[(0, 1000, 2000, 4, LOW), (100, 100, 100, 2, OTHER)], PreemptMode::Cancel, "easy");
    assert_eq!((out.records[0].end, out.records[1].start), (at(1000), at(1000)));
    // Nor does a low job preempt a high one: the list goes one way.
    let out = run_preempt(&[(0, 1000, 2000, 4, HIGH), (100, 100, 100, 2, LOW)], PreemptMode::Cancel, "easy");
    assert_eq!((out.records[0].end, out.records[1].start), (at(1000), at(1000)));
    // And a partition whose preempt is off keeps its jobs.
    let out = run_preempt(&[(0, 1000, 2000, 4, LOW), (100, 100, 100, 2, HIGH)], PreemptMode::Off, "easy");
    assert_eq!((out.records[0].end, out.records[1].start), (at(1000), at(1000)));
}

#[test]
fn victims_are_the_lowest_qos_priority_first_and_as_few_as_needed() {
    // Lowest QOS priority first: the low job (started 0) goes, not the younger mid one
    // (started 10), though youngest-first would take the mid one.
    let out = run_preempt(
        &[(0, 1000, 1000, 2, LOW), (10, 1000, 1000, 2, MID), (20, 100, 100, 2, HIGH)],
        PreemptMode::Cancel,
        "easy",
    );
    let ends: Vec<_> = out.records.iter().map(|r| (r.end, r.outcome)).collect();
    assert_eq!(ends, [(at(20), Outcome::Preempted), (at(1010), Outcome::Completed), (at(120), Outcome::Completed)]);
    // As few as needed: low jobs of 3 cores (started 10) and 1 core (started 20), a high job
    // of 3 cores at 30. Youngest first, the 1-core job is not enough and the 3-core job is
    // needed too; the 3-core job alone is enough, so only it goes.
    let out = run_preempt(
        &[(10, 1000, 1000, 3, LOW), (20, 1000, 1000, 1, LOW), (30, 100, 100, 3, HIGH)],
        PreemptMode::Cancel,
        "easy",
    );
    let ends: Vec<_> = out.records.iter().map(|r| (r.end, r.preemptions)).collect();
    assert_eq!(ends, [(at(30), 1), (at(1020), 0), (at(130), 0)]);
}
