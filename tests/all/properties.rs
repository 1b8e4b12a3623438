//! Property tests over random workloads and machines: whatever the policy, no node is ever
//! over capacity, no job starts before its submission, every accepted job ends after exactly
//! its (walltime-cut) runtime, and reservations are kept: under EASY the first queued job
//! never starts after its reservation, under conservative no job starts after its first one;
//! Slurm's backfill keeps the common invariants under any small bounds.

use proptest::prelude::*;
use schedsim::cluster::Cluster;
use schedsim::engine::RunOutput;
use schedsim::metrics::Outcome;
use schedsim::workload::Job;

use crate::common::{jobs_secs, run};

#[derive(Clone, Debug)]
enum Shape {
    Flat(u32),
    Nodes(u32, u32),
}

impl Shape {
    fn cluster(&self) -> Cluster {
        match *self {
            Shape::Flat(c) => Cluster::flat(c),
            Shape::Nodes(n, c) => Cluster::uniform(n, c),
        }
    }
    fn total(&self) -> u32 {
        match *self {
            Shape::Flat(c) => c,
            Shape::Nodes(n, c) => n * c,
        }
    }
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![(4u32..=16).prop_map(Shape::Flat), (2u32..=5, 1u32..=4).prop_map(|(n, c)| Shape::Nodes(n, c))]
}

/// Jobs as (submit, runtime, requested, procs) in seconds; some run past their request and
/// some ask for more than the machine (up to total + 2 cores).
fn case() -> impl Strategy<Value = (Shape, Vec<(i64, i64, i64, u32)>)> {
    shape().prop_flat_map(|sh| {
        let total = sh.total();
        let job = (0i64..300, 0i64..120, 0i64..150, 1u32..=total + 2);
        (Just(sh), prop::collection::vec(job, 1..40))
    })
}

/// `slurm[...]` with small bounds of every kind, on the scale of [`case`]'s jobs (0 lifts a
/// bound).
fn slurm_spec() -> impl Strategy<Value = String> {
    (0usize..4, 0i64..4, 0i64..4, 0i64..3, 0i64..3, 0u32..3).prop_map(|(test, window, res, interval, delay, user)| {
        format!(
            "slurm[max_job_test={test},window={},resolution={},interval={},batch_delay={delay},max_job_user={user}]",
            window * 60,
            res * 30,
            interval * 15
        )
    })
}

fn jobs_of(spec: &[(i64, i64, i64, u32)]) -> Vec<Job> {
    let mut jobs = jobs_secs(spec);
    schedsim::workload::job::sort_by_arrival(&mut jobs);
    jobs
}

/// The invariants every policy must keep.
fn check_common(jobs: &[Job], shape: &Shape, out: &RunOutput) -> Result<(), TestCaseError> {
    let cluster = shape.cluster();
    let mut per_node: Vec<Vec<(i64, i64)>> = vec![Vec::new(); cluster.node_count()];
    for (r, j) in out.records.iter().zip(jobs) {
        if j.procs() > u64::from(shape.total()) {
            prop_assert_eq!(r.outcome, Outcome::Rejected, "job {} is wider than the machine", j.id);
            continue;
        }
        let (Some(start), Some(end)) = (r.start, r.end) else {
            return Err(TestCaseError::fail(format!("accepted job {} never ran", j.id)));
        };
        prop_assert!(start >= j.submit, "job {} started at {} before its submission at {}", j.id, start, j.submit);
        prop_assert_eq!(end - start, j.effective_runtime(), "job {} ran the wrong length", j.id);
        let want = if j.hits_walltime() { Outcome::Walltime } else { Outcome::Completed };
        prop_assert_eq!(r.outcome, want);
        let alloc = &out.allocations[r.job as usize];
        prop_assert_eq!(schedsim::cluster::cores_in(alloc), j.procs());
        if end > start {
            for &(n, c) in alloc {
                per_node[n as usize].push((start.0, i64::from(c.cores)));
                per_node[n as usize].push((end.0, -i64::from(c.cores)));
            }
        }
    }
    for (n, mut deltas) in per_node.into_iter().enumerate() {
        // At equal times releases (negative) come first, as in the engine.
        deltas.sort_unstable();
        let mut busy = 0;
        for (t, d) in deltas {
            busy += d;
            let cap = i64::from(cluster.cores_of(n as u32));
            prop_assert!(busy <= cap, "node {} holds {} cores of {} at {} ms", n, busy, cap, t);
        }
    }
    Ok(())
}

/// No job starts after the first start a policy promised it.
fn check_promises(jobs: &[Job], out: &RunOutput, every_job: bool) -> Result<(), TestCaseError> {
    for (r, j) in out.records.iter().zip(jobs) {
        let Some(start) = r.start else { continue };
        match out.promised[r.job as usize] {
            Some(p) => prop_assert!(start <= p, "job {} started at {} after its reservation at {}", j.id, start, p),
            None if every_job => return Err(TestCaseError::fail(format!("job {} got no reservation", j.id))),
            None => {}
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn every_policy_keeps_capacity_and_causality((sh, spec) in case()) {
        let jobs = jobs_of(&spec);
        for order in ["fcfs", "sjf"] {
            for bf in ["none", "easy", "conservative"] {
                for est in ["requested", "actual", "predicted[history=2]"] {
                    let out = run(&jobs, sh.cluster(), order, bf, est);
                    check_common(&jobs, &sh, &out)?;
                }
            }
        }
    }

    /// Slurm's backfill with small random bounds. Its search for a start whose rounded end
    /// fits once went back and forth for ever (a later start's shorter rounded span fitted
    /// earlier again): such a case never finishes here.
    #[test]
    fn slurm_backfill_keeps_capacity_and_causality_under_any_bounds((sh, spec) in case(), slurm in slurm_spec()) {
        let jobs = jobs_of(&spec);
        for order in ["fcfs", "multifactor[age=1000,jobsize=1000,calc_period=60]"] {
            for est in ["requested", "actual"] {
                let out = run(&jobs, sh.cluster(), order, &slurm, est);
                check_common(&jobs, &sh, &out)?;
            }
        }
    }

    #[test]
    fn easy_never_starts_the_head_after_its_reservation((sh, spec) in case()) {
        let jobs = jobs_of(&spec);
        for est in ["requested", "actual"] {
            let out = run(&jobs, sh.cluster(), "fcfs", "easy", est);
            check_promises(&jobs, &out, false)?;
        }
    }

    #[test]
    fn conservative_never_starts_a_job_after_its_first_reservation((sh, spec) in case()) {
        let jobs = jobs_of(&spec);
        for order in ["fcfs", "sjf"] {
            for est in ["requested", "actual"] {
                let out = run(&jobs, sh.cluster(), order, "conservative", est);
                check_promises(&jobs, &out, true)?;
            }
        }
    }

    #[test]
    fn without_backfilling_fcfs_starts_jobs_in_arrival_order((sh, spec) in case()) {
        let jobs = jobs_of(&spec);
        let out = run(&jobs, sh.cluster(), "fcfs", "none", "requested");
        let starts: Vec<_> = out.records.iter().filter_map(|r| r.start).collect();
        prop_assert!(starts.windows(2).all(|w| w[0] <= w[1]), "starts out of order: {:?}", starts);
    }
}
