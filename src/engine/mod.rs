//! The simulation loop: owns all run state (queue, running jobs, cluster occupancy), advances
//! time from event to event in the order [`event`] documents, calls the policy once per
//! instant at which something changed, and records what happened to every job.
//!
//! Beyond what the policy decides, the engine enforces what a real batch system does on its
//! own: partition limits at submission, walltime and idle-timeout kills, users abandoning
//! jobs that have not started within their patience, and preemption of lower-tier work (or
//! of the QOS a job's QOS may preempt) for jobs that cannot start otherwise.

pub mod event;
mod live;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

use crate::cluster::{cores_in, Allocation, Allocations, Cluster, Occupancy, PreemptMode};
use crate::metrics::{JobRecord, Outcome, RejectReason, Sample};
use crate::policy::fairshare::{Accounts, ShareRow};
use crate::policy::predicted::Predictor;
use crate::policy::{Backfill, Ended, Estimate, Pass, QueueOrder, Raised, Refresh, RunState};
use crate::series;
use crate::time::{SimDuration, SimTime};
use crate::workload::job::{JobClass, PartitionIdx};
use crate::workload::qos::{preemptee_rank, Preemption, Qos, QosUse, Refusal};
use crate::workload::{Job, JobIdx};
use event::{Event, EventQueue, Phase};
use live::LiveJobs;

/// How the events of one instant are ordered and when the policy is called. Published results
/// depend on it: the same policy on the same trace gives different schedules under each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Semantics {
    /// All releases at an instant, then all submissions, then one pass (as Batsim/batsched).
    #[default]
    Schedsim,
    /// As pyss (and predictsim, built on it): a job that reaches its estimated end is free from
    /// the start of the instant; then each submission, then each early end, is followed by its
    /// own pass; a submission that cannot fit in the free cores gets no pass of its own, unless
    /// the policy plans every arrival (conservative).
    Pyss,
}

impl Semantics {
    pub const NAMES: [&'static str; 2] = ["schedsim", "pyss"];

    pub fn name(self) -> &'static str {
        match self {
            Semantics::Schedsim => "schedsim",
            Semantics::Pyss => "pyss",
        }
    }
}

impl fmt::Display for Semantics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A semantics name that is not one of [`Semantics::NAMES`].
#[derive(Debug, thiserror::Error)]
#[error("unknown semantics `{0}` (expected schedsim or pyss)")]
pub struct UnknownSemantics(String);

impl FromStr for Semantics {
    type Err = UnknownSemantics;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "schedsim" => Ok(Semantics::Schedsim),
            "pyss" => Ok(Semantics::Pyss),
            _ => Err(UnknownSemantics(s.chars().take(40).collect())),
        }
    }
}

/// How to run: the machine, the policy, and the engine's own knobs.
pub struct SimConfig {
    pub cluster: Cluster,
    pub order: Box<dyn QueueOrder>,
    pub backfill: Box<dyn Backfill>,
    pub estimate: Estimate,
    /// Queue interactive jobs ahead of others of the same partition tier.
    pub interactive_boost: bool,
    /// Take a [`Sample`] at every multiple of this interval while the run lasts.
    pub sample_every: Option<SimDuration>,
    /// The accounts jobs are charged to, for fair-share.
    pub accounts: Accounts,
    /// The definition of each QOS ([`Job::qos`] indexes it); empty when none is defined, and
    /// then jobs' QOS names carry no limits.
    pub qos: Vec<Qos>,
    /// Told how many jobs have been submitted so far, now and then (for a progress bar).
    pub progress: Option<Box<dyn FnMut(u64) + Send>>,
    pub semantics: Semantics,
}

impl SimConfig {
    /// A machine and a policy, with no boost and no sampling.
    pub fn new(cluster: Cluster, order: Box<dyn QueueOrder>, backfill: Box<dyn Backfill>, estimate: Estimate) -> Self {
        SimConfig {
            cluster,
            order,
            backfill,
            estimate,
            interactive_boost: false,
            sample_every: None,
            accounts: Accounts::default(),
            qos: Vec::new(),
            progress: None,
            semantics: Semantics::Schedsim,
        }
    }
}

/// What a run produced.
#[derive(Debug)]
pub struct RunOutput {
    /// One record per job, in workload order.
    pub records: Vec<JobRecord>,
    /// The first start time a policy promised each job (its first reservation), if any.
    pub promised: Vec<Option<SimTime>>,
    /// The resources each job last ran on (empty for jobs that never ran), in workload order.
    pub allocations: Allocations,
    /// Samples of the machine's state, if sampling was asked for.
    pub samples: Vec<Sample>,
    /// Each fair-share account's usage and factor at every sample instant, for orders that
    /// keep fair-share and runs that sample.
    pub fairshare: Vec<ShareRow>,
    /// The interval `samples` were taken at: the configured one, or a multiple of it when
    /// the run was too long for [`series::MAX_SAMPLES`] rows.
    pub sample_every: Option<SimDuration>,
    /// Scheduling passes run.
    pub passes: u64,
    /// Events processed, submissions included.
    pub events: u64,
}

/// Runs `jobs` (in arrival order) to completion.
pub fn simulate(jobs: &[Job], cfg: SimConfig) -> RunOutput {
    Engine::new(jobs, cfg).run()
}

/// Submissions between two progress reports.
const PROGRESS_EVERY: usize = 4096;

/// Per-job state the engine tracks while a job is in the system.
#[derive(Clone, Debug, Default)]
struct Live {
    /// How long the job holds its resources in all: runtime cut by walltime and idle limits.
    run_len: SimDuration,
    /// What is left of `run_len` (less than it only after a suspension).
    run_left: SimDuration,
    /// How its run would end, decided at submission from the limits.
    end_outcome: Option<Outcome>,
    /// Queue rank: partition tier and interactive boost, lower first.
    rank: i64,
    key: i64,
    /// Start of the current run and the estimated end it was started with.
    started: Option<SimTime>,
    est_end: SimTime,
    /// Bumped whenever a pending end event is invalidated (preemption).
    generation: u32,
    queued: bool,
}

struct Engine<'w> {
    jobs: &'w [Job],
    cluster: Cluster,
    order: Box<dyn QueueOrder>,
    backfill: Box<dyn Backfill>,
    estimate: Estimate,
    boost: bool,
    estimates: Vec<SimDuration>,
    /// State of the jobs in the system.
    live: LiveJobs<Live>,
    /// Waiting jobs by (rank, key, index).
    queue: Vec<JobIdx>,
    state: RunState,
    events: EventQueue,
    /// Wake-up instants already queued, so a policy asking again adds no duplicate.
    wakeups: BTreeSet<SimTime>,
    next_arrival: usize,
    ended: Vec<Ended>,
    arrived: Vec<JobIdx>,
    withdrawn: Vec<JobIdx>,
    raised: Vec<Raised>,
    records: Vec<JobRecord>,
    /// Jobs per (partition, user), queued or running, for partitions with a per-user limit.
    per_user: HashMap<(PartitionIdx, i64), u32>,
    /// For each partition, whether its jobs may preempt some other partition's.
    may_preempt: Vec<bool>,
    /// Which QOS may preempt which, when some may.
    qos_preemption: Option<Preemption>,
    /// Victims of QOS preemption to queue again once this instant's pass is over.
    rejoin: Vec<JobIdx>,
    qos: Vec<Qos>,
    /// The users' runtime history, with [`Estimate::Predicted`].
    predictor: Option<Predictor>,
    qos_use: QosUse,
    /// Whether some QOS limits running jobs: passes then see only the jobs it lets start.
    qos_limited: bool,
    eligible: Vec<JobIdx>,
    running_by_class: [u32; 3],
    queued_by_class: [u32; 3],
    sample_every: Option<SimDuration>,
    progress: Option<Box<dyn FnMut(u64) + Send>>,
    next_sample: Option<SimTime>,
    samples: Vec<Sample>,
    fairshare: Vec<ShareRow>,
    scratch: Allocation,
    /// The next instant at which an order with [`Refresh::Every`] recomputes its keys.
    next_recalc: SimTime,
    passes: u64,
    n_events: u64,
    semantics: Semantics,
    /// Under pyss semantics, the ends at the current instant that came before the estimate.
    early_ends: Vec<(JobIdx, u32)>,
}

fn class_slot(c: JobClass) -> usize {
    match c {
        JobClass::Batch => 0,
        JobClass::Interactive => 1,
        JobClass::Debug => 2,
    }
}

impl<'w> Engine<'w> {
    fn new(jobs: &'w [Job], cfg: SimConfig) -> Engine<'w> {
        debug_assert!(jobs.windows(2).all(|w| w[0].submit <= w[1].submit), "jobs not in arrival order");
        let n = jobs.len();
        let occupancy = Occupancy::new(&cfg.cluster);
        let parts = cfg.cluster.partitions();
        let may_preempt = parts
            .iter()
            .map(|p| {
                parts.iter().any(|q| {
                    q.limits.priority_tier < p.limits.priority_tier
                        && q.limits.preempt != PreemptMode::Off
                        && q.nodes().iter().any(|&node| p.contains(node))
                })
            })
            .collect();
        let first_sample = match (cfg.sample_every, jobs.first()) {
            (Some(every), Some(first)) if every.0 > 0 => Some(SimTime(first.submit.0.div_euclid(every.0) * every.0)),
            _ => None,
        };
        let mut order = cfg.order;
        order.prepare(&cfg.cluster, jobs, &cfg.accounts, &cfg.qos);
        let qos_limited = cfg.qos.iter().any(Qos::limits_running);
        Engine {
            jobs,
            order,
            backfill: cfg.backfill,
            estimate: cfg.estimate,
            boost: cfg.interactive_boost,
            estimates: vec![SimDuration::ZERO; n],
            live: LiveJobs::new(n),
            queue: Vec::new(),
            state: RunState::new(occupancy, n),
            events: EventQueue::default(),
            wakeups: BTreeSet::new(),
            next_arrival: 0,
            ended: Vec::new(),
            arrived: Vec::new(),
            withdrawn: Vec::new(),
            raised: Vec::new(),
            records: (0..n as JobIdx).map(JobRecord::pending).collect(),
            per_user: HashMap::new(),
            may_preempt,
            qos_preemption: Preemption::of(&cfg.qos),
            rejoin: Vec::new(),
            qos: cfg.qos,
            predictor: match cfg.estimate {
                Estimate::Predicted { history } => Some(Predictor::new(history as usize)),
                _ => None,
            },
            qos_use: QosUse::default(),
            qos_limited,
            eligible: Vec::new(),
            running_by_class: [0; 3],
            queued_by_class: [0; 3],
            sample_every: cfg.sample_every.filter(|e| e.0 > 0),
            progress: cfg.progress,
            next_sample: first_sample,
            samples: Vec::new(),
            fairshare: Vec::new(),
            scratch: Allocation::default(),
            next_recalc: SimTime(i64::MIN),
            passes: 0,
            n_events: 0,
            semantics: cfg.semantics,
            early_ends: Vec::new(),
            cluster: cfg.cluster,
        }
    }

    fn run(mut self) -> RunOutput {
        loop {
            // The patience timers of sessions that started (or left) would do nothing, but
            // would keep the clock, and the sampler, running long past the last job.
            let (live, records) = (&self.live, &self.records);
            self.n_events += self.events.drop_stale(|e| match e {
                Event::Abandon(j) => patience_is_moot(live, records, j),
                _ => false,
            });
            let Some(now) = self.next_instant() else { break };
            self.sample_before(now);
            if self.semantics == Semantics::Pyss {
                self.instant_pyss(now);
                continue;
            }
            let mut raised = false;
            loop {
                match self.events.pop_if(now, Phase::Release) {
                    Some(Event::JobEnd(j, generation)) => self.end_job(j, generation, now),
                    Some(Event::Abandon(j)) => self.abandon(j, now),
                    Some(Event::Raise(j, generation)) => raised |= self.raise(j, generation),
                    Some(Event::Wakeup) | None => break,
                }
            }
            while self.next_arrival < self.jobs.len() && self.jobs[self.next_arrival].submit == now {
                self.submit_next(now);
            }
            let mut woken = false;
            while self.events.pop_if(now, Phase::Schedule).is_some() {
                self.n_events += 1;
                woken = true;
            }
            self.wakeups.remove(&now);
            if woken || raised || !self.ended.is_empty() || !self.arrived.is_empty() || !self.withdrawn.is_empty() {
                self.preempt_for_waiting(now);
                self.pass(now);
            }
        }
        if let Some(p) = &mut self.progress {
            p(self.jobs.len() as u64);
        }
        if let Some(last) = self.records.iter().filter_map(|r| r.end).max() {
            self.sample_before(SimTime(last.0 + 1));
        }
        debug_assert!(self.queue.is_empty(), "jobs left waiting with nothing running");
        RunOutput {
            records: self.records,
            promised: self.state.promised,
            allocations: self.state.allocations,
            samples: self.samples,
            fairshare: self.fairshare,
            sample_every: self.sample_every,
            passes: self.passes,
            events: self.n_events,
        }
    }

    /// One instant in pyss's order (see [`Semantics::Pyss`]).
    fn instant_pyss(&mut self, now: SimTime) {
        let mut early = std::mem::take(&mut self.early_ends);
        loop {
            match self.events.pop_if(now, Phase::Release) {
                Some(Event::JobEnd(j, generation)) if self.live.get(j).is_some_and(|l| l.generation == generation) => {
                    // pyss's availability profile holds a running job only until its estimated
                    // end, so a job ending then is free before anything else happens.
                    if self.live[j as usize].est_end <= now {
                        self.end_job(j, generation, now);
                    } else {
                        early.push((j, generation));
                    }
                }
                Some(Event::JobEnd(..)) => {} // preempted since this end was scheduled
                Some(Event::Abandon(j)) => self.abandon(j, now),
                Some(Event::Raise(j, generation)) => {
                    self.raise(j, generation);
                }
                Some(Event::Wakeup) | None => break,
            }
        }
        let mut passed = false;
        while self.next_arrival < self.jobs.len() && self.jobs[self.next_arrival].submit == now {
            let j = self.next_arrival;
            self.submit_next(now);
            let fits = self.jobs[j].procs() <= self.state.occupancy.total_free_cores();
            if self.live.get(j as JobIdx).is_some_and(|l| l.queued) && (fits || self.backfill.plans_every_arrival()) {
                self.preempt_for_waiting(now);
                self.pass(now);
                passed = true;
            }
        }
        for &(j, generation) in &early {
            self.end_job(j, generation, now);
            self.preempt_for_waiting(now);
            self.pass(now);
            passed = true;
        }
        early.clear();
        self.early_ends = early;
        let mut woken = false;
        while self.events.pop_if(now, Phase::Schedule).is_some() {
            self.n_events += 1;
            woken = true;
        }
        self.wakeups.remove(&now);
        if (woken && !passed) || !self.ended.is_empty() || !self.arrived.is_empty() || !self.withdrawn.is_empty() {
            self.preempt_for_waiting(now);
            self.pass(now);
        }
    }

    /// Submits the next job of the workload, which arrives at `now`.
    fn submit_next(&mut self, now: SimTime) {
        self.submit(self.next_arrival as JobIdx, now);
        self.next_arrival += 1;
        if self.next_arrival.is_multiple_of(PROGRESS_EVERY) {
            if let Some(p) = &mut self.progress {
                p(self.next_arrival as u64);
            }
        }
    }

    fn next_instant(&self) -> Option<SimTime> {
        let arrival = self.jobs.get(self.next_arrival).map(|j| j.submit);
        match (self.events.peek_time(), arrival) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Samples every interval boundary before `now`: nothing changes between instants, so
    /// the state now is the state after the last instant (samplers run last at an instant).
    fn sample_before(&mut self, now: SimTime) {
        let (Some(mut every), Some(mut t)) = (self.sample_every, self.next_sample) else { return };
        while t < now {
            let occ = &self.state.occupancy;
            let parts = self.cluster.partitions();
            let mut busy_cores = Vec::with_capacity(parts.len());
            let mut busy_nodes = Vec::with_capacity(parts.len());
            for p in parts {
                let (mut cores, mut nodes) = (0u64, 0u32);
                for &n in p.nodes() {
                    let used = self.cluster.cores_of(n) - occ.free_on(n).cores;
                    cores += u64::from(used);
                    nodes += u32::from(used > 0);
                }
                busy_cores.push(cores);
                busy_nodes.push(nodes);
            }
            self.order.shares(t, &mut self.fairshare);
            self.samples.push(Sample {
                time: t,
                running: self.running_by_class,
                queued: self.queued_by_class,
                busy_cores,
                busy_nodes,
            });
            t += every;
            series::bound(&mut self.samples, &mut every, &mut t, |s| s.time);
        }
        self.sample_every = Some(every);
        self.next_sample = Some(t);
    }

    fn submit(&mut self, j: JobIdx, now: SimTime) {
        self.n_events += 1;
        let job = &self.jobs[j as usize];
        let part = self.cluster.partition(job.partition);
        let limits = &part.limits;
        let user_key = (job.partition, job.meta.user);
        let reason = if u64::from(job.tasks) > part.capacity_for(job.task, &self.cluster) {
            Some(RejectReason::TooLarge)
        } else if limits.max_walltime.is_some_and(|m| job.requested_time > m) {
            Some(RejectReason::OverWalltime)
        } else if limits.max_mem_per_job.is_some_and(|m| u64::from(job.task.mem) * u64::from(job.tasks) > m) {
            Some(RejectReason::OverMemory)
        } else if limits.max_nodes.is_some_and(|m| part.min_nodes(job.task, job.tasks, &self.cluster) > u64::from(m)) {
            Some(RejectReason::OverNodes)
        } else if limits.max_jobs_per_user.is_some_and(|m| self.per_user.get(&user_key).copied().unwrap_or(0) >= m) {
            Some(RejectReason::UserLimit)
        } else if self.qos.is_empty() {
            None
        } else {
            match self.qos_use.submit(&self.qos, job) {
                Ok(()) => None,
                Err(Refusal::MaxWall) => Some(RejectReason::QosMaxWall),
                Err(Refusal::SubmitLimit) => Some(RejectReason::QosSubmitLimit),
            }
        };
        if let Some(reason) = reason {
            let r = &mut self.records[j as usize];
            r.outcome = Outcome::Rejected;
            r.reason = Some(reason);
            return;
        }
        if limits.max_jobs_per_user.is_some() {
            *self.per_user.entry(user_key).or_insert(0) += 1;
        }

        // How the run will end, from the limits: the user is done, the walltime is reached, or
        // the session sits idle past the partition's timeout, whichever comes first.
        let idle_end = match (job.idle_after, limits.idle_timeout) {
            (Some(after), Some(timeout)) => Some(after + timeout),
            _ => None,
        };
        let mut run_len = job.runtime;
        let mut outcome = Outcome::Completed;
        if job.requested_time < run_len {
            run_len = job.requested_time;
            outcome = Outcome::Walltime;
        }
        if let Some(idle) = idle_end.filter(|&e| e < run_len) {
            run_len = idle;
            outcome = Outcome::Idle;
        }
        let est = match &self.predictor {
            Some(p) => p.predict(job),
            None => self.estimate.of(job, run_len),
        };
        let tier_rank = -2 * i64::from(limits.priority_tier);
        let boost = i64::from(!(self.boost && job.class == JobClass::Interactive));
        let key = self.order.key_of(j, job, est, now);
        self.live.admit(
            j,
            Live {
                run_len,
                run_left: run_len,
                end_outcome: Some(outcome),
                rank: tier_rank + boost,
                key,
                ..Live::default()
            },
        );
        self.estimates[j as usize] = est;
        if let Some(p) = job.patience {
            self.events.push(now.saturating_add(p), Event::Abandon(j));
        }
        self.enqueue(j);
    }

    fn enqueue(&mut self, j: JobIdx) {
        let live = &self.live;
        let me = (live[j as usize].rank, live[j as usize].key, j);
        let at = self.queue.partition_point(|&q| (live[q as usize].rank, live[q as usize].key, q) < me);
        self.queue.insert(at, j);
        self.live[j as usize].queued = true;
        self.queued_by_class[class_slot(self.jobs[j as usize].class)] += 1;
        self.arrived.push(j);
    }

    fn dequeue(&mut self, j: JobIdx) {
        let pos = self.queue.iter().position(|&q| q == j).expect("dequeued job is queued");
        self.queue.remove(pos);
        self.live[j as usize].queued = false;
        self.queued_by_class[class_slot(self.jobs[j as usize].class)] -= 1;
    }

    /// The job leaves the system: per-user counts drop.
    fn leave(&mut self, j: JobIdx) {
        self.live.release(j);
        let job = &self.jobs[j as usize];
        if !self.qos.is_empty() {
            self.qos_use.leave(job);
        }
        if self.cluster.partition(job.partition).limits.max_jobs_per_user.is_some() {
            let c = self.per_user.get_mut(&(job.partition, job.meta.user)).expect("counted at submission");
            *c -= 1;
        }
    }

    fn abandon(&mut self, j: JobIdx, now: SimTime) {
        self.n_events += 1;
        if patience_is_moot(&self.live, &self.records, j) {
            // Started (its first prompt came in time) or already gone.
            return;
        }
        self.dequeue(j);
        self.withdrawn.push(j);
        let r = &mut self.records[j as usize];
        r.end = Some(now);
        r.outcome = Outcome::Abandoned;
        self.leave(j);
    }

    /// Stops a running job: its resources are freed and its pending end is invalidated.
    fn stop(&mut self, j: JobIdx, now: SimTime) -> SimDuration {
        let live = &mut self.live[j as usize];
        let started = live.started.take().expect("a stopped job was running");
        let removed = self.state.running.remove(&(live.est_end, j));
        debug_assert!(removed, "stopped job {j} was not running");
        live.generation += 1;
        self.state.changes += 1;
        self.state.occupancy.give(&self.state.allocations[j as usize]);
        self.running_by_class[class_slot(self.jobs[j as usize].class)] -= 1;
        if !self.qos.is_empty() {
            self.qos_use.running(&self.jobs[j as usize], false);
        }
        self.ended.push(Ended { job: j, estimated_end: live.est_end });
        self.order.running(j, self.jobs, now, false);
        let ran = now - started;
        self.records[j as usize].run = self.records[j as usize].run + ran;
        ran
    }

    fn end_job(&mut self, j: JobIdx, generation: u32, now: SimTime) {
        if self.live.get(j).is_none_or(|l| l.generation != generation) {
            return; // preempted since this end was scheduled
        }
        self.n_events += 1;
        self.stop(j, now);
        let r = &mut self.records[j as usize];
        r.end = Some(now);
        r.outcome = self.live[j as usize].end_outcome.expect("set at submission");
        if let Some(p) = &mut self.predictor {
            p.record(&self.jobs[j as usize], r.run);
        }
        self.leave(j);
    }

    /// A running job outlived its predicted end: its estimate becomes what its request leaves
    /// it. Returns whether it did (a pass is then due: plans change).
    fn raise(&mut self, j: JobIdx, generation: u32) -> bool {
        let Some(live) = self.live.get_mut(j) else { return false };
        let Some(started) = live.started.filter(|_| live.generation == generation) else { return false };
        let before = live.run_len - live.run_left;
        let raised = SimDuration((self.jobs[j as usize].requested_time - before).0.max(0));
        let end = started.saturating_add(raised);
        if end <= live.est_end {
            return false;
        }
        let removed = self.state.running.remove(&(live.est_end, j));
        debug_assert!(removed, "raised job {j} was not running");
        self.state.running.insert((end, j));
        self.state.changes += 1;
        self.raised.push(Raised { job: j, from: live.est_end, to: end });
        live.est_end = end;
        self.estimates[j as usize] = raised;
        true
    }

    /// Recomputes the key of every waiting job at `now` and re-sorts the queue by it.
    fn rekey(&mut self, now: SimTime) {
        for &q in &self.queue {
            let i = q as usize;
            self.live[i].key = self.order.key_of(q, &self.jobs[i], self.estimates[i], now);
        }
        let live = &self.live;
        // Stable sort: adaptive, so a queue whose order barely changed sorts in linear time.
        self.queue.sort_by_key(|&q| (live[q as usize].rank, live[q as usize].key, q));
    }

    /// Lets queued jobs that cannot start otherwise take what running jobs they may preempt
    /// hold: by partition tier, then by QOS (a scenario has one or the other, as Slurm has one
    /// `PreemptType`).
    fn preempt_for_waiting(&mut self, now: SimTime) {
        if self.may_preempt.iter().any(|&m| m) {
            self.preempt_by_tier(now);
        }
        if self.qos_preemption.is_some() {
            self.preempt_by_qos(now);
        }
    }

    /// Partition tiers (Slurm's `preempt/partition_prio`): a queued job of a partition that may
    /// preempt takes what lower tiers hold on its nodes. Victims are the most recently started
    /// first.
    fn preempt_by_tier(&mut self, now: SimTime) {
        // Running jobs that some partition may preempt, youngest first: gathered once a pass.
        let parts = self.cluster.partitions();
        let mut pool: Vec<(SimTime, JobIdx)> = self
            .state
            .running
            .iter()
            .filter(|&&(_, r)| parts[self.jobs[r as usize].partition as usize].limits.preempt != PreemptMode::Off)
            .map(|&(_, r)| (self.live[r as usize].started.expect("running"), r))
            .collect();
        if pool.is_empty() {
            return;
        }
        pool.sort_unstable_by(|a, b| b.cmp(a));
        let candidates: Vec<JobIdx> = self
            .queue
            .iter()
            .copied()
            .filter(|&j| self.may_preempt[self.jobs[j as usize].partition as usize])
            .collect();
        let mut victims: Vec<JobIdx> = Vec::new();
        for j in candidates {
            let job = &self.jobs[j as usize];
            let part = self.cluster.partition(job.partition);
            if self.state.occupancy.first_fit(job.task, job.tasks, part, &mut self.scratch) {
                continue;
            }
            let tier = part.limits.priority_tier;
            victims.clear();
            for &(_, r) in &pool {
                let live = &self.live[r as usize];
                let vp = self.cluster.partition(self.jobs[r as usize].partition);
                let alloc = &self.state.allocations[r as usize];
                if live.started.is_some()
                    && vp.limits.priority_tier < tier
                    && alloc.iter().any(|&(n, _)| part.contains(n))
                {
                    victims.push(r);
                }
            }
            if let Some(k) = self.victims_needed(j, &victims) {
                for &v in &victims[..k] {
                    self.preempt(v, now, false);
                }
            }
        }
    }

    /// QOS (Slurm's `preempt/qos`, `slurm-spec.md` §C): the queue is walked in order as Slurm's
    /// main scheduler walks it, each job that fits taking its place for the rest of the walk; a
    /// job that does not fit preempts the fewest running jobs of the QOS its own QOS lists, on
    /// its partition's nodes, in partitions whose `preempt` is not `off`. Candidates go in
    /// Slurm's order ([`preemptee_rank`], then youngest first), as many as needed; then, as
    /// Slurm's select plugin does, the last one needed is tried first, which may need fewer. A
    /// job that neither fits nor can preempt blocks its partition for the rest of the walk, so
    /// that what is freed goes to the job it was freed for.
    fn preempt_by_qos(&mut self, now: SimTime) {
        let Some(qp) = self.qos_preemption.take() else { return };
        let jobs = self.jobs;
        let parts = self.cluster.partitions();
        let mut pool: Vec<((u32, std::cmp::Reverse<SimTime>), JobIdx)> = self
            .state
            .running
            .iter()
            .filter_map(|&(_, r)| {
                let job = &jobs[r as usize];
                let q = job.qos.filter(|&q| qp.preemptable(q))?;
                (parts[job.partition as usize].limits.preempt != PreemptMode::Off).then(|| {
                    let rank = preemptee_rank(&self.qos[q as usize], self.state.allocations[r as usize].len());
                    ((rank, std::cmp::Reverse(self.live[r as usize].started.expect("running"))), r)
                })
            })
            .collect();
        let preemptors = |j: &JobIdx| jobs[*j as usize].qos.is_some_and(|q| qp.preempts_any(q));
        if pool.is_empty() || !self.queue.iter().any(preemptors) {
            self.qos_preemption = Some(qp);
            return;
        }
        pool.sort_unstable();
        let queue = if self.qos_limited {
            self.qos_use.eligible(&self.qos, &self.queue, jobs, &mut self.eligible);
            self.eligible.clone()
        } else {
            self.queue.clone()
        };
        let mut placed: Vec<Allocation> = Vec::new();
        let mut blocked = vec![false; parts.len()];
        let mut victims: Vec<JobIdx> = Vec::new();
        for j in queue {
            let job = &jobs[j as usize];
            if blocked[job.partition as usize] {
                continue;
            }
            let part = self.cluster.partition(job.partition);
            if !self.state.occupancy.first_fit(job.task, job.tasks, part, &mut self.scratch) {
                victims.clear();
                if let Some(q) = job.qos.filter(|&q| qp.preempts_any(q)) {
                    for &(_, r) in &pool {
                        let victim = &jobs[r as usize];
                        if self.live[r as usize].started.is_some()
                            && qp.may(q, victim.qos.expect("pooled by its QOS"))
                            && self.state.allocations[r as usize].iter().any(|&(n, _)| part.contains(n))
                        {
                            victims.push(r);
                        }
                    }
                }
                let Some(mut k) = self.victims_needed(j, &victims) else {
                    blocked[job.partition as usize] = true;
                    continue;
                };
                if k > 1 {
                    victims[..k].rotate_right(1);
                    k = self.victims_needed(j, &victims).expect("the same victims suffice in any order");
                }
                for &v in &victims[..k] {
                    self.preempt(v, now, true);
                }
                let part = self.cluster.partition(job.partition);
                let fits = self.state.occupancy.first_fit(job.task, job.tasks, part, &mut self.scratch);
                debug_assert!(fits, "job {j} does not fit after preempting for it");
            }
            self.state.occupancy.take(&self.scratch);
            placed.push(std::mem::take(&mut self.scratch));
        }
        for alloc in &placed {
            self.state.occupancy.give(alloc);
        }
        self.qos_preemption = Some(qp);
    }

    /// How many of `victims`, in order, job `j` needs stopped to fit now, if all of them are
    /// enough. The machine is left as it was.
    fn victims_needed(&mut self, j: JobIdx, victims: &[JobIdx]) -> Option<usize> {
        let job = &self.jobs[j as usize];
        let part = self.cluster.partition(job.partition);
        let reachable = self.state.occupancy.total_free_cores()
            + victims.iter().map(|&v| cores_in(&self.state.allocations[v as usize])).sum::<u64>();
        if reachable < job.procs() {
            return None;
        }
        let mut chosen = 0;
        let mut fits = false;
        for &v in victims {
            self.state.occupancy.give(&self.state.allocations[v as usize]);
            chosen += 1;
            if self.state.occupancy.first_fit(job.task, job.tasks, part, &mut self.scratch) {
                fits = true;
                break;
            }
        }
        // Tentatively freed: taken back, for the caller to stop for real (or not at all).
        for &v in &victims[..chosen] {
            self.state.occupancy.take(&self.state.allocations[v as usize]);
        }
        fits.then_some(chosen)
    }

    /// Stops running job `v` for a preemptor, as its partition's mode says. A victim that is
    /// queued again joins the queue at once, or, with `rejoin_later`, after this instant's pass
    /// (which then has a second pass), so that the pass gives what it held to the preemptor.
    fn preempt(&mut self, v: JobIdx, now: SimTime, rejoin_later: bool) {
        let ran = self.stop(v, now);
        self.records[v as usize].preemptions += 1;
        let mode = self.cluster.partition(self.jobs[v as usize].partition).limits.preempt;
        let live = &mut self.live[v as usize];
        match mode {
            PreemptMode::Off => unreachable!("only preemptable jobs are chosen"),
            PreemptMode::Cancel => {
                let r = &mut self.records[v as usize];
                r.end = Some(now);
                r.outcome = Outcome::Preempted;
                self.leave(v);
                return;
            }
            PreemptMode::Requeue => {
                live.run_left = live.run_len;
                let job = &self.jobs[v as usize];
                self.estimates[v as usize] = match &self.predictor {
                    Some(p) => p.predict(job),
                    None => self.estimate.of(job, live.run_len),
                };
            }
            PreemptMode::Suspend => {
                live.run_left = live.run_left - ran;
                let est = self.estimates[v as usize];
                self.estimates[v as usize] = SimDuration((est - ran).0.max(0));
            }
        }
        if rejoin_later {
            self.rejoin.push(v);
        } else {
            self.enqueue(v);
        }
    }

    fn pass(&mut self, now: SimTime) {
        self.passes += 1;
        match self.order.refresh() {
            Refresh::Never => {}
            Refresh::EveryPass => self.rekey(now),
            Refresh::Every(period) => {
                if now >= self.next_recalc {
                    let tick = SimTime(now.0.div_euclid(period.0) * period.0);
                    self.order.recalc(tick);
                    self.rekey(tick);
                    self.next_recalc = tick + period;
                }
            }
        }
        if self.qos_limited {
            self.qos_use.eligible(&self.qos, &self.queue, self.jobs, &mut self.eligible);
        }
        let mut pass = Pass::new(
            now,
            &self.cluster,
            if self.qos_limited { &self.eligible } else { &self.queue },
            self.jobs,
            &self.estimates,
            &self.ended,
            &self.arrived,
            &self.withdrawn,
            &self.raised,
            &mut self.state,
        );
        self.backfill.schedule(&mut pass);
        self.ended.clear();
        self.arrived.clear();
        self.withdrawn.clear();
        self.raised.clear();
        // While jobs wait, a recalculation may reorder them: it needs a pass of its own.
        let recalc = match self.order.refresh() {
            Refresh::Every(_) if !self.queue.is_empty() => Some(self.next_recalc),
            _ => None,
        };
        for t in self.state.wakeup.take().into_iter().chain(recalc) {
            if self.wakeups.insert(t) {
                self.events.push(t, Event::Wakeup);
            }
        }
        if !self.rejoin.is_empty() {
            for v in std::mem::take(&mut self.rejoin) {
                self.enqueue(v);
            }
            self.events.push(now, Event::Wakeup);
        }
        if self.state.started.is_empty() {
            return;
        }
        let started = std::mem::take(&mut self.state.started);
        for &j in &started {
            self.order.running(j, self.jobs, now, true);
            if !self.qos.is_empty() {
                self.qos_use.running(&self.jobs[j as usize], true);
            }
            let live = &mut self.live[j as usize];
            live.started = Some(now);
            live.est_end = now.saturating_add(self.estimates[j as usize]);
            live.queued = false;
            let class = class_slot(self.jobs[j as usize].class);
            self.queued_by_class[class] -= 1;
            self.running_by_class[class] += 1;
            let r = &mut self.records[j as usize];
            r.start.get_or_insert(now);
            self.events.push(now.saturating_add(live.run_left), Event::JobEnd(j, live.generation));
            if self.predictor.is_some() && self.estimates[j as usize] < live.run_left {
                self.events.push(live.est_end, Event::Raise(j, live.generation));
            }
        }
        let live = &self.live;
        self.queue.retain(|&q| live[q as usize].queued);
        self.state.started = started;
        self.state.started.clear();
    }
}

/// Whether job `j`'s patience timer can no longer fire: the job started (its first prompt
/// came in time) or is no longer queued.
fn patience_is_moot(live: &LiveJobs<Live>, records: &[JobRecord], j: JobIdx) -> bool {
    live.get(j).is_none_or(|l| !l.queued) || records[j as usize].start.is_some()
}
