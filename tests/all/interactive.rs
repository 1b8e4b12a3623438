//! Interactive sessions and partition rules, hand-computed: abandonment at the patience
//! limit, idle and walltime kills, the per-user limit, preemption of batch work (cancel,
//! requeue, suspend) and what it does to the preempted job's record, priority tiers and the
//! interactive boost. Times are seconds.

use schedsim::cluster::{Cluster, Limits, PreemptMode, Res};
use schedsim::engine::{simulate, RunOutput, SimConfig};
use schedsim::metrics::{Outcome, RejectReason};
use schedsim::policy::Registry;
use schedsim::time::{SimDuration, SimTime};
use schedsim::workload::job::JobClass;
use schedsim::workload::Job;

fn secs(s: i64) -> SimDuration {
    SimDuration::from_secs(s)
}

fn at(s: i64) -> Option<SimTime> {
    Some(SimTime(s * 1000))
}

/// A job of `cores` one-core tasks: (submit, runtime, requested) in seconds.
fn job(id: u64, submit: i64, run: i64, req: i64, cores: u32) -> Job {
    Job::new(id, SimTime(submit * 1000), secs(run), secs(req), cores)
}

fn session(id: u64, submit: i64, run: i64, req: i64, cores: u32, partition: u16) -> Job {
    let mut j = job(id, submit, run, req, cores);
    j.class = JobClass::Interactive;
    j.partition = partition;
    j
}

fn run_on(jobs: &[Job], cluster: Cluster, backfill: &str, boost: bool) -> RunOutput {
    let mut cfg = SimConfig::new(
        cluster,
        Registry::order("fcfs").unwrap(),
        Registry::backfill(backfill).unwrap(),
        Registry::estimate("requested").unwrap(),
    );
    cfg.interactive_boost = boost;
    simulate(jobs, cfg)
}

/// One node of `cores` cores shared by two partitions: `batch` (tier 0, preempted as
/// `mode`) and `interactive` (tier 1).
fn shared_node(cores: u32, mode: PreemptMode) -> Cluster {
    let batch = Limits { preempt: mode, ..Limits::default() };
    let inter = Limits { priority_tier: 1, ..Limits::default() };
    Cluster::new(
        vec![Res::cores(cores)],
        vec![("batch".into(), vec![0], batch), ("interactive".into(), vec![0], inter)],
    )
    .unwrap()
}

#[test]
fn a_user_gives_up_at_the_patience_limit() {
    // One core, busy 0..100. Session 2 (patience 30 s) gives up at 40; session 3 (patience
    // 200 s) starts at 100. Session 4 (submitted 60, patience 40) would start at 100 too,
    // exactly at its limit: abandonments are releases and come before the pass, so it has
    // given up by then.
    let mut jobs = vec![job(1, 0, 100, 100, 1), session(2, 10, 50, 50, 1, 0), session(3, 20, 50, 50, 1, 0)];
    jobs[1].patience = Some(secs(30));
    jobs[2].patience = Some(secs(200));
    let mut s4 = session(4, 60, 10, 10, 1, 0);
    s4.patience = Some(secs(40));
    jobs.push(s4);
    let out = run_on(&jobs, Cluster::flat(1), "easy", false);
    let r = &out.records;
    assert_eq!((r[1].outcome, r[1].start, r[1].end), (Outcome::Abandoned, None, at(40)));
    assert_eq!((r[2].outcome, r[2].start), (Outcome::Completed, at(100)));
    assert_eq!((r[3].outcome, r[3].end), (Outcome::Abandoned, at(100)));
}

#[test]
fn idle_sessions_end_at_the_idle_timeout() {
    let limits = Limits { idle_timeout: Some(secs(600)), ..Limits::default() };
    let cluster = Cluster::new(vec![Res::cores(4)], vec![("interactive".into(), vec![0], limits)]).unwrap();
    // Works 2 h, goes idle after 30 min: ended 10 min later, at 40 min.
    let mut idle = session(1, 0, 7200, 28_800, 1, 0);
    idle.idle_after = Some(secs(1800));
    // Done after 35 min, before it was idle for 10 min: completes.
    let mut done = session(2, 0, 2100, 28_800, 1, 0);
    done.idle_after = Some(secs(1800));
    // Never idle, asks for 1 h, works 2 h: killed at its walltime.
    let long = session(3, 0, 7200, 3600, 1, 0);
    let out = run_on(&[idle, done, long], cluster, "easy", false);
    let r = &out.records;
    assert_eq!((r[0].outcome, r[0].end), (Outcome::Idle, at(2400)));
    assert_eq!((r[1].outcome, r[1].end), (Outcome::Completed, at(2100)));
    assert_eq!((r[2].outcome, r[2].end), (Outcome::Walltime, at(3600)));
}

#[test]
fn one_job_per_user_refuses_the_second() {
    let limits = Limits { max_jobs_per_user: Some(1), ..Limits::default() };
    let cluster = Cluster::new(vec![Res::cores(8)], vec![("devcore".into(), vec![0], limits)]).unwrap();
    let mut jobs = vec![
        session(1, 0, 100, 100, 1, 0), // user 7, runs 0..100
        session(2, 10, 10, 10, 1, 0),  // user 7 again while job 1 runs: refused
        session(3, 10, 10, 10, 1, 0),  // user 8: fine
        session(4, 150, 10, 10, 1, 0), // user 7 after job 1 ended: fine
    ];
    for (j, user) in jobs.iter_mut().zip([7, 7, 8, 7]) {
        j.meta.user = user;
    }
    let out = run_on(&jobs, cluster, "easy", false);
    let r = &out.records;
    assert_eq!((r[1].outcome, r[1].reason), (Outcome::Rejected, Some(RejectReason::UserLimit)));
    assert_eq!(r[2].start, at(10));
    assert_eq!(r[3].start, at(150));
}

#[test]
fn partition_limits_reject_at_submission() {
    let limits =
        Limits { max_walltime: Some(secs(3600)), max_mem_per_job: Some(8192), max_nodes: Some(1), ..Limits::default() };
    let cluster = Cluster::new(vec![Res::new(4, 16_384, 0); 2], vec![("devcore".into(), vec![0, 1], limits)]).unwrap();
    let over_time = job(1, 0, 10, 7200, 1);
    let mut over_mem = job(2, 0, 10, 60, 1);
    over_mem.task = Res::new(1, 9000, 0);
    let over_nodes = job(3, 0, 10, 60, 5); // 5 cores need 2 nodes of 4
    let too_large = job(4, 0, 10, 60, 9); // more than both nodes hold
    let fine = job(5, 0, 10, 60, 4);
    let out = run_on(&[over_time, over_mem, over_nodes, too_large, fine], cluster, "conservative", false);
    let reasons: Vec<_> = out.records.iter().map(|r| r.reason).collect();
    use RejectReason::*;
    assert_eq!(reasons, vec![Some(OverWalltime), Some(OverMemory), Some(OverNodes), Some(TooLarge), None]);
    assert_eq!(out.records[4].outcome, Outcome::Completed);
}

/// A 4-core batch job runs 0..1000 s; a 2-core session (100 s) arrives at 100 on the same
/// node, in a partition of a higher tier.
fn preemption_case(mode: PreemptMode) -> RunOutput {
    let jobs = vec![job(1, 0, 1000, 2000, 4), session(2, 100, 100, 100, 2, 1)];
    run_on(&jobs, shared_node(4, mode), "easy", false)
}

#[test]
fn preemption_by_requeue_restarts_the_batch_job() {
    let out = preemption_case(PreemptMode::Requeue);
    let (b, s) = (&out.records[0], &out.records[1]);
    // The session starts at once; the batch job, requeued, needs all 4 cores and restarts
    // from scratch when the session ends at 200, so it ends at 1200 having run 100 + 1000 s.
    assert_eq!(s.start, at(100));
    assert_eq!((b.start, b.end, b.run, b.preemptions, b.outcome), (at(0), at(1200), secs(1100), 1, Outcome::Completed));
}

#[test]
fn preemption_by_suspension_resumes_where_it_stopped() {
    let out = preemption_case(PreemptMode::Suspend);
    let b = &out.records[0];
    // Suspended at 100 with 900 s to go; resumed at 200; ends at 1100 having run 1000 s.
    assert_eq!((b.start, b.end, b.run, b.preemptions, b.outcome), (at(0), at(1100), secs(1000), 1, Outcome::Completed));
}

#[test]
fn preemption_by_cancellation_ends_the_batch_job() {
    let out = preemption_case(PreemptMode::Cancel);
    let b = &out.records[0];
    assert_eq!((b.end, b.run, b.preemptions, b.outcome), (at(100), secs(100), 1, Outcome::Preempted));
}

#[test]
fn without_preemption_the_session_waits() {
    let out = preemption_case(PreemptMode::Off);
    assert_eq!(out.records[1].start, at(1000));
    assert_eq!(out.records[0].preemptions, 0);
}

#[test]
fn preemption_holds_under_every_backfill_strategy() {
    for bf in ["none", "easy", "conservative"] {
        let jobs = vec![job(1, 0, 1000, 2000, 4), session(2, 100, 100, 100, 2, 1)];
        let out = run_on(&jobs, shared_node(4, PreemptMode::Suspend), bf, false);
        assert_eq!(out.records[1].start, at(100), "{bf}");
        assert_eq!(out.records[0].end, at(1100), "{bf}");
    }
}

#[test]
fn higher_tiers_and_the_interactive_boost_queue_first() {
    // One core busy 0..100; at 10 a batch job, at 20 a session, both waiting.
    let jobs = vec![job(1, 0, 100, 100, 1), job(2, 10, 50, 50, 1), session(3, 20, 50, 50, 1, 0)];
    let plain = run_on(&jobs, Cluster::flat(1), "easy", false);
    assert_eq!((plain.records[1].start, plain.records[2].start), (at(100), at(150)));
    let boosted = run_on(&jobs, Cluster::flat(1), "easy", true);
    assert_eq!((boosted.records[1].start, boosted.records[2].start), (at(150), at(100)));
    // A higher-tier partition on the same node does the same without the boost.
    let tiered = run_on(&jobs, shared_node(1, PreemptMode::Off), "easy", false);
    let jobs_tier: Vec<Job> = jobs
        .iter()
        .cloned()
        .map(|mut j| {
            if j.class == JobClass::Interactive {
                j.partition = 1;
            }
            j
        })
        .collect();
    let tiered2 = run_on(&jobs_tier, shared_node(1, PreemptMode::Off), "easy", false);
    assert_eq!(tiered.records[2].start, at(150), "same partition: arrival order");
    assert_eq!((tiered2.records[1].start, tiered2.records[2].start), (at(150), at(100)));
}
