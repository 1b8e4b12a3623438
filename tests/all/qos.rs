//! QOS through the engine: each per-user limit on a small hand-computed case, under the
//! backfill strategies that can hold a job back, and a QOS that a job names but no `[[qos]]`
//! defines.

use schedsim::cluster::Cluster;
use schedsim::engine::{simulate, SimConfig};
use schedsim::metrics::RejectReason;
use schedsim::policy::Registry;
use schedsim::time::SimDuration;
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
