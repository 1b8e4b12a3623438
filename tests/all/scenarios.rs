//! Small hand-computed schedules, one behaviour each. Times are whole seconds; every
//! expected start below is worked out in the comment above it.

use schedsim::cluster::Cluster;
use schedsim::metrics::Outcome;

use crate::common::{jobs_secs, run, starts_secs};

fn starts(
    jobs: &[(i64, i64, i64, u32)],
    cluster: Cluster,
    order: &str,
    backfill: &str,
    estimate: &str,
) -> Vec<Option<i64>> {
    starts_secs(&run(&jobs_secs(jobs), cluster, order, backfill, estimate))
}

fn s(v: &[i64]) -> Vec<Option<i64>> {
    v.iter().map(|&x| Some(x)).collect()
}

/// (submit, runtime, requested, procs) on 10 processors: job 1 holds 6 until 100; job 2 needs
/// 8 and waits for it; job 3 needs 4 for 50 s and ends at 52, before job 2 could start.
const BACKFILL_CASE: &[(i64, i64, i64, u32)] = &[(0, 100, 100, 6), (1, 50, 50, 8), (2, 50, 50, 4)];

#[test]
fn easy_backfills_a_short_job_that_fcfs_holds_back() {
    // EASY starts job 3 at 2 (it ends at 52 ≤ job 2's shadow time 100).
    assert_eq!(starts(BACKFILL_CASE, Cluster::flat(10), "fcfs", "easy", "requested"), s(&[0, 100, 2]));
    // Conservative too: it delays nobody.
    assert_eq!(starts(BACKFILL_CASE, Cluster::flat(10), "fcfs", "conservative", "requested"), s(&[0, 100, 2]));
    // FCFS without backfilling: job 3 waits behind job 2 (100..150, 8 of 10 busy) until 150.
    assert_eq!(starts(BACKFILL_CASE, Cluster::flat(10), "fcfs", "none", "requested"), s(&[0, 100, 150]));
}

#[test]
fn easy_backfills_a_shorter_or_smaller_job_after_a_like_one_failed() {
    // 10 processors; job 1 holds 6 until 100, job 2 (8) is reserved at 100 with 2 spare.
    // Job 3 (4 procs, 200 s) cannot start now: it would run past 100 on more than the spare.
    // Job 4 asks as many processors but runs 50 s, ending before 100: it starts at 1.
    // Job 3 starts at 150, when job 2 ends (job 4 ended at 51, 2 free next to job 2).
    let shorter = &[(0, 100, 100, 6), (1, 50, 50, 8), (1, 200, 200, 4), (1, 50, 50, 4)];
    assert_eq!(starts(shorter, Cluster::flat(10), "fcfs", "easy", "requested"), s(&[0, 100, 150, 1]));
    // Job 4 runs as long as job 3 but on 2 processors, the spare: it starts at 1, and job 3
    // at 150 (10 − 8 − 2 = 0 free while job 2 runs).
    let smaller = &[(0, 100, 100, 6), (1, 50, 50, 8), (1, 200, 200, 4), (1, 200, 200, 2)];
    assert_eq!(starts(smaller, Cluster::flat(10), "fcfs", "easy", "requested"), s(&[0, 100, 150, 1]));
}

#[test]
fn conservative_refuses_a_backfill_that_delays_a_later_job() {
    // 10 processors. Job 1 (7) runs 0..100. Job 2 (8) is reserved at 100..200, job 3 (9) at
    // 200..300. Job 4 (2 procs, 250 s) arrives at 50.
    let jobs = &[(0, 100, 100, 7), (1, 100, 100, 8), (2, 100, 100, 9), (50, 250, 250, 2)];
    // EASY protects only job 2: 10 − 8 = 2 cores are spare at 100, so job 4 starts at 50,
    // runs to 300 and pushes job 3 from 200 to 300.
    assert_eq!(starts(jobs, Cluster::flat(10), "fcfs", "easy", "requested"), s(&[0, 100, 300, 50]));
    // Conservative also protects job 3: only 1 core is spare in 200..300, so job 4 goes
    // after job 3, at 300.
    assert_eq!(starts(jobs, Cluster::flat(10), "fcfs", "conservative", "requested"), s(&[0, 100, 200, 300]));
}

#[test]
fn a_job_past_its_walltime_is_killed_there() {
    // Job 1 asks for 100 s but would run 200: killed at 100, when job 2 (the whole machine)
    // can start.
    let out = run(&jobs_secs(&[(0, 200, 100, 4), (10, 10, 10, 8)]), Cluster::flat(8), "fcfs", "easy", "requested");
    let r = &out.records;
    assert_eq!((r[0].end.unwrap().0, r[0].outcome), (100_000, Outcome::Walltime));
    assert_eq!((r[1].start.unwrap().0, r[1].outcome), (100_000, Outcome::Completed));
}

#[test]
fn a_job_ending_at_t_frees_its_cores_for_a_job_submitted_at_t() {
    // The whole machine busy until 100; a whole-machine job submitted at 100 starts at 100.
    for bf in ["none", "easy", "conservative"] {
        let got = starts(&[(0, 100, 100, 10), (100, 5, 5, 10)], Cluster::flat(10), "fcfs", bf, "requested");
        assert_eq!(got, s(&[0, 100]), "{bf}");
    }
}

#[test]
fn a_zero_length_job_frees_its_cores_within_the_same_instant() {
    for bf in ["none", "easy", "conservative"] {
        let got = starts(&[(0, 0, 10, 10), (0, 10, 10, 10)], Cluster::flat(10), "fcfs", bf, "requested");
        assert_eq!(got, s(&[0, 0]), "{bf}");
    }
}

#[test]
fn sjf_runs_the_shortest_waiting_job_first() {
    let jobs = &[(0, 100, 100, 10), (1, 50, 50, 10), (2, 20, 20, 10)];
    assert_eq!(starts(jobs, Cluster::flat(10), "fcfs", "easy", "requested"), s(&[0, 100, 150]));
    assert_eq!(starts(jobs, Cluster::flat(10), "sjf", "easy", "requested"), s(&[0, 120, 100]));
}

#[test]
fn the_estimate_decides_what_fits_before_the_shadow_time() {
    // Job 1 (6 of 10) asks for 100 s but runs 50. Job 2 (8) waits for it. Job 3 (4, 70 s).
    let jobs = &[(0, 50, 100, 6), (1, 50, 50, 8), (2, 70, 70, 4)];
    // Planning with requests, job 2's shadow is 100: job 3 (ends 72) is backfilled at 2.
    // Job 1 then ends early, at 50, but job 3 still holds 4 cores, so job 2 starts at 72:
    // later than it could have, yet before its reservation.
    assert_eq!(starts(jobs, Cluster::flat(10), "fcfs", "easy", "requested"), s(&[0, 72, 2]));
    // Knowing job 1 ends at 50, the shadow is 50: job 3 would outlast it with only 2 spare
    // cores, so it waits for job 2 to end at 100.
    assert_eq!(starts(jobs, Cluster::flat(10), "fcfs", "easy", "actual"), s(&[0, 50, 100]));
}

#[test]
fn node_aware_easy_keeps_the_reserved_nodes_free() {
    // Three single-core nodes. A (until 10) takes node 0, B and C (until 100) nodes 1 and 2.
    // At 20 the head H (2 cores) is reserved at 100 on nodes 0 and 1 (first fit). At 30 a
    // long job L (1 core, 500 s) arrives.
    let jobs = &[(0, 10, 10, 1), (0, 100, 100, 1), (0, 100, 100, 1), (20, 100, 100, 2), (30, 500, 500, 1)];
    // Node-aware: the only free core, node 0, is reserved for H, so L waits until 100,
    // when H takes nodes 0-1 and L node 2.
    assert_eq!(starts(jobs, Cluster::uniform(3, 1), "fcfs", "easy", "requested"), s(&[0, 0, 0, 100, 100]));
    // Count-based (one flat node): one core is spare at 100, so L starts at once.
    assert_eq!(starts(jobs, Cluster::flat(3), "fcfs", "easy", "requested"), s(&[0, 0, 0, 100, 30]));
}

#[test]
fn a_job_wider_than_the_machine_is_rejected_and_the_rest_run() {
    let out = run(
        &jobs_secs(&[(0, 10, 10, 4), (0, 10, 10, 5), (1, 10, 10, 4)]),
        Cluster::flat(4),
        "fcfs",
        "easy",
        "requested",
    );
    let outcomes: Vec<Outcome> = out.records.iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, vec![Outcome::Completed, Outcome::Rejected, Outcome::Completed]);
    assert_eq!(starts_secs(&out), vec![Some(0), None, Some(10)]);
}
