//! Scheduling policies on two independent axes, queue order and backfill, plus the runtime
//! estimate backfilling plans with. Each algorithm is one file; [`registry`] names them.
//!
//! A policy never changes engine state directly: in a [`Pass`] it sees the queue and the
//! cluster read-only and calls [`Pass::start`], which checks the decision against the
//! cluster's capacity and applies it.

use std::collections::BTreeSet;

use crate::cluster::{Allocation, Allocations, Cluster, NodeId, Occupancy, Res};
use crate::time::{SimDuration, SimTime};
use crate::workload::qos::Qos;
use crate::workload::{Job, JobIdx};

pub mod choice;
pub mod conservative;
pub mod easy;
pub mod f1;
pub mod fairshare;
pub mod fcfs;
pub mod largest;
pub mod ljf;
pub mod multifactor;
pub mod no_backfill;
pub mod predicted;
pub mod registry;
pub mod saf;
pub mod sjf;
pub mod slurm;
pub mod smallest;
pub mod unicep;
pub mod wfp3;

pub use choice::PolicyChoice;
pub use registry::{PolicyError, PolicySpec, Registry};

/// Orders the waiting queue. The key is computed when a job arrives and, for orders whose
/// keys change while jobs wait, again as [`QueueOrder::refresh`] says.
pub trait QueueOrder: Send + Sync {
    /// Lower keys run first; equal keys go in arrival order. `now` is the instant the key is
    /// computed at (orders that weigh waiting time need it).
    fn key(&self, job: &Job, estimate: SimDuration, now: SimTime) -> i64;

    /// The key of job `idx` of the workload given to [`QueueOrder::prepare`]: the engine calls
    /// this, so that orders may cache what they know of each job. Equals [`QueueOrder::key`].
    fn key_of(&self, _idx: JobIdx, job: &Job, estimate: SimDuration, now: SimTime) -> i64 {
        self.key(job, estimate, now)
    }

    /// When the engine recomputes the keys of waiting jobs.
    fn refresh(&self) -> Refresh {
        Refresh::Never
    }

    /// Called once before the run, for orders that normalise by the machine or group the
    /// workload's jobs (into fair-share accounts, by QOS).
    fn prepare(&mut self, _cluster: &Cluster, _jobs: &[Job], _accounts: &fairshare::Accounts, _qos: &[Qos]) {}

    /// Job `job` started (`running` true) or stopped running at `now`: orders that charge
    /// usage follow what runs.
    fn running(&mut self, _job: JobIdx, _jobs: &[Job], _now: SimTime, _running: bool) {}

    /// Brings the order's own state (usage, fair-share) up to the recalculation instant `now`,
    /// just before the engine recomputes keys with [`Refresh::Every`].
    fn recalc(&mut self, _now: SimTime) {}

    /// Appends each account's fair-share state at `now` (as of the last recalculation), for
    /// orders that keep one.
    fn shares(&self, _now: SimTime, _out: &mut Vec<fairshare::ShareRow>) {}
}

/// When the keys of waiting jobs are recomputed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refresh {
    /// Keys never change: the queue stays sorted by insertion alone (the fast path).
    Never,
    /// Before every scheduling pass, as the literature's simulators score the queue at each
    /// decision.
    EveryPass,
    /// At every multiple of this period (Slurm's `PriorityCalcPeriod`), keyed at that instant;
    /// a job arriving in between is keyed when it arrives.
    Every(SimDuration),
}

/// An order by a score that grows while a job waits (WFP3, UNICEP): lower runs first, and the
/// keys are recomputed at every pass.
pub struct WaitingScore(pub fn(&Job, SimDuration, SimTime) -> f64);

impl QueueOrder for WaitingScore {
    fn key(&self, job: &Job, estimate: SimDuration, now: SimTime) -> i64 {
        float_key((self.0)(job, estimate, now))
    }

    fn refresh(&self) -> Refresh {
        Refresh::EveryPass
    }
}

/// A score where lower runs first, as an integer key of the same order (IEEE total order), so
/// that orders with real-valued formulas share the engine's integer keys.
pub fn float_key(score: f64) -> i64 {
    let bits = score.to_bits() as i64;
    // Negative floats order backwards as integers: flip their magnitude bits.
    if bits < 0 {
        bits ^ i64::MAX
    } else {
        bits
    }
}

/// A duration in seconds, at least one: the literature's formulas divide by and take logarithms
/// of requested times and submit instants, which a trace may give as zero.
pub fn secs_at_least_one(ms: i64) -> f64 {
    (ms as f64 / 1000.0).max(1.0)
}

/// How long `job` has waited at `now`, in seconds (the literature's w).
pub fn waited_secs(job: &Job, now: SimTime) -> f64 {
    (now - job.submit).0.max(0) as f64 / 1000.0
}

/// Decides which waiting jobs start now.
pub trait Backfill: Send {
    /// Called once per instant at which something changed (a job ended or arrived, or a
    /// wake-up the policy asked for fell due).
    fn schedule(&mut self, pass: &mut Pass<'_>);

    /// Whether a pass places every arriving job (as conservative's reservations do), so that
    /// under pyss semantics an arrival that cannot start now still gets its own pass.
    fn plans_every_arrival(&self) -> bool {
        false
    }
}

/// What backfilling takes as a job's runtime when it plans ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Estimate {
    /// The walltime the user requested (what a real scheduler knows).
    Requested,
    /// The runtime the job will actually have (clairvoyant; an upper bound on backfill).
    Actual,
    /// The mean of the user's last `history` actual runtimes, capped by the request
    /// ([`predicted::Predictor`], which the engine keeps); raised to the request when the job
    /// outlives it.
    Predicted { history: u32 },
}

impl Estimate {
    /// The estimate for `job`, which will actually hold its resources for `run` (its runtime
    /// cut by walltime and idle limits). A prediction needs the users' history: this gives
    /// the request, which the engine's predictor replaces.
    pub fn of(self, job: &Job, run: SimDuration) -> SimDuration {
        match self {
            Estimate::Requested | Estimate::Predicted { .. } => job.requested_time,
            Estimate::Actual => run,
        }
    }
}

/// A job that ended since the last pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ended {
    pub job: JobIdx,
    /// When its estimate said it would end; later than now when it ended early.
    pub estimated_end: SimTime,
}

/// A running job whose estimated end was raised since the last pass: it outlived its
/// predicted end, and its estimate became what its request leaves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Raised {
    pub job: JobIdx,
    /// The estimated end it had.
    pub from: SimTime,
    /// The estimated end it has now.
    pub to: SimTime,
}

/// Cluster state that the engine owns and a pass may change only through [`Pass::start`].
#[derive(Debug)]
pub struct RunState {
    pub(crate) occupancy: Occupancy,
    /// Running jobs by estimated end, then index: the order backfilling releases them in.
    pub(crate) running: BTreeSet<(SimTime, JobIdx)>,
    /// Each job's cores while it runs (and after, for reports); empty before it starts.
    pub(crate) allocations: Allocations,
    /// Jobs started in the current pass, in decision order.
    pub(crate) started: Vec<JobIdx>,
    pub(crate) wakeup: Option<SimTime>,
    /// The first start time a policy promised each job (a reservation), if any.
    pub(crate) promised: Vec<Option<SimTime>>,
    /// Bumped whenever what runs, where, or until when it is estimated to run changes: a
    /// start, a stop, a raised estimate. Policies may keep what they computed from those
    /// while it stays the same.
    pub(crate) changes: u64,
}

impl RunState {
    pub fn new(occupancy: Occupancy, jobs: usize) -> RunState {
        RunState {
            occupancy,
            running: BTreeSet::new(),
            allocations: Allocations::new(jobs),
            started: Vec::new(),
            wakeup: None,
            promised: vec![None; jobs],
            changes: 0,
        }
    }
}

/// One scheduling pass: the policy's view of the simulation at one instant.
pub struct Pass<'a> {
    pub now: SimTime,
    pub cluster: &'a Cluster,
    /// Waiting jobs, first to run first.
    pub queue: &'a [JobIdx],
    /// Every job of the workload, indexed by [`JobIdx`].
    pub jobs: &'a [Job],
    /// Each job's runtime estimate (what remains of it, for a job resumed after
    /// suspension), indexed by [`JobIdx`].
    pub estimates: &'a [SimDuration],
    /// Jobs that ended since the last pass.
    pub ended: &'a [Ended],
    /// Jobs that joined the queue since the last pass (new, or requeued after preemption),
    /// in the order they joined.
    pub arrived: &'a [JobIdx],
    /// Jobs that left the queue without starting since the last pass (users who gave up).
    pub withdrawn: &'a [JobIdx],
    /// Running jobs whose estimate was raised since the last pass, in the order it was.
    pub raised: &'a [Raised],
    state: &'a mut RunState,
}

impl<'a> Pass<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        now: SimTime,
        cluster: &'a Cluster,
        queue: &'a [JobIdx],
        jobs: &'a [Job],
        estimates: &'a [SimDuration],
        ended: &'a [Ended],
        arrived: &'a [JobIdx],
        withdrawn: &'a [JobIdx],
        raised: &'a [Raised],
        state: &'a mut RunState,
    ) -> Pass<'a> {
        Pass { now, cluster, queue, jobs, estimates, ended, arrived, withdrawn, raised, state }
    }

    pub fn occupancy(&self) -> &Occupancy {
        &self.state.occupancy
    }

    /// Running jobs by estimated end (then index), including those started in this pass.
    pub fn running(&self) -> &BTreeSet<(SimTime, JobIdx)> {
        &self.state.running
    }

    /// Changes so far to what runs, where, or until when (see [`RunState`]): equal values
    /// mean nothing of it changed in between.
    pub fn changes(&self) -> u64 {
        self.state.changes
    }

    /// The cores a running (or ended) job holds.
    pub fn allocation(&self, job: JobIdx) -> &[(NodeId, Res)] {
        &self.state.allocations[job as usize]
    }

    /// Starts `job` now on `alloc`.
    ///
    /// # Panics
    /// If the allocation is not what the job asked for, is outside its partition, or exceeds
    /// a node's free resources: the policy made an impossible decision, which is a bug.
    pub fn start(&mut self, job: JobIdx, alloc: Allocation) {
        let j = &self.jobs[job as usize];
        let got = alloc.0.iter().fold(Res::ZERO, |a, &(_, r)| a.plus(r));
        assert_eq!(got, j.total(), "job {} placed on the wrong resources", j.id);
        let part = self.cluster.partition(j.partition);
        assert!(alloc.0.iter().all(|&(n, _)| part.contains(n)), "job {} placed outside partition {}", j.id, part.name);
        self.state.occupancy.take(&alloc);
        self.state.changes += 1;
        let est_end = self.now.saturating_add(self.estimates[job as usize]);
        self.state.running.insert((est_end, job));
        self.state.allocations.set(job as usize, &alloc);
        self.state.started.push(job);
    }

    /// Records that the policy reserved a start no later than `t` for `job`. The engine keeps
    /// the first such promise so that tests can check no job starts after it.
    pub fn promise(&mut self, job: JobIdx, t: SimTime) {
        let p = &mut self.state.promised[job as usize];
        if p.is_none() {
            *p = Some(t);
        }
    }

    /// Asks for a pass at `t` even if nothing else happens then.
    pub fn wake_at(&mut self, t: SimTime) {
        if t > self.now {
            self.state.wakeup = Some(self.state.wakeup.map_or(t, |w| w.min(t)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_keys_keep_the_order_of_their_scores() {
        let scores = [f64::NEG_INFINITY, -1e300, -32.0, -1.5, -0.0, 0.0, 1e-300, 2.0, 1788.0, f64::INFINITY];
        let keys: Vec<i64> = scores.iter().map(|&s| float_key(s)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
    }
}
