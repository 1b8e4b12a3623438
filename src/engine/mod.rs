//! The simulation loop: owns all run state (queue, running jobs, cluster occupancy), advances
//! time from event to event in the order [`event`] documents, calls the policy once per
//! instant at which something changed, and records what happened to every job.

pub mod event;

use std::collections::BTreeSet;

use crate::cluster::{Allocation, Cluster, Occupancy};
use crate::metrics::{JobRecord, Outcome};
use crate::policy::{Backfill, Ended, Estimate, Pass, QueueOrder, RunState};
use crate::time::{SimDuration, SimTime};
use crate::workload::{Job, JobIdx};
use event::{Event, EventQueue, Phase};

/// How to run: the machine and the policy.
pub struct SimConfig {
    pub cluster: Cluster,
    pub order: Box<dyn QueueOrder>,
    pub backfill: Box<dyn Backfill>,
    pub estimate: Estimate,
}

/// What a run produced.
#[derive(Debug)]
pub struct RunOutput {
    /// One record per job, in workload order.
    pub records: Vec<JobRecord>,
    /// The first start time a policy promised each job (its first reservation), if any.
    pub promised: Vec<Option<SimTime>>,
    /// The cores each job ran on (empty for rejected jobs), in workload order.
    pub allocations: Vec<Allocation>,
    /// Scheduling passes run.
    pub passes: u64,
    /// Events processed, submissions included.
    pub events: u64,
}

/// Runs `jobs` (in arrival order) to completion.
pub fn simulate(jobs: &[Job], cfg: SimConfig) -> RunOutput {
    Engine::new(jobs, cfg).run()
}

struct Engine<'w> {
    jobs: &'w [Job],
    cluster: Cluster,
    order: Box<dyn QueueOrder>,
    backfill: Box<dyn Backfill>,
    estimate: Estimate,
    estimates: Vec<SimDuration>,
    /// Sort key of each queued job (valid once it has arrived).
    keys: Vec<i64>,
    /// Waiting jobs by (key, index).
    queue: Vec<JobIdx>,
    state: RunState,
    events: EventQueue,
    /// Wake-up instants already queued, so a policy asking again adds no duplicate.
    wakeups: BTreeSet<SimTime>,
    next_arrival: usize,
    ended: Vec<Ended>,
    arrived: Vec<JobIdx>,
    starts: Vec<Option<SimTime>>,
    records: Vec<JobRecord>,
    passes: u64,
    n_events: u64,
}

impl<'w> Engine<'w> {
    fn new(jobs: &'w [Job], cfg: SimConfig) -> Engine<'w> {
        debug_assert!(jobs.windows(2).all(|w| w[0].submit <= w[1].submit), "jobs not in arrival order");
        let n = jobs.len();
        let occupancy = Occupancy::new(&cfg.cluster);
        Engine {
            jobs,
            cluster: cfg.cluster,
            order: cfg.order,
            backfill: cfg.backfill,
            estimate: cfg.estimate,
            estimates: vec![SimDuration::ZERO; n],
            keys: vec![0; n],
            queue: Vec::new(),
            state: RunState::new(occupancy, n),
            events: EventQueue::default(),
            wakeups: BTreeSet::new(),
            next_arrival: 0,
            ended: Vec::new(),
            arrived: Vec::new(),
            starts: vec![None; n],
            records: (0..n as JobIdx)
                .map(|job| JobRecord { job, start: None, end: None, outcome: Outcome::Rejected })
                .collect(),
            passes: 0,
            n_events: 0,
        }
    }

    fn run(mut self) -> RunOutput {
        while let Some(now) = self.next_instant() {
            while let Some(Event::JobEnd(j)) = self.events.pop_if(now, Phase::Release) {
                self.end_job(j, now);
            }
            while self.next_arrival < self.jobs.len() && self.jobs[self.next_arrival].submit == now {
                self.arrive(self.next_arrival as JobIdx);
                self.next_arrival += 1;
            }
            let mut woken = false;
            while self.events.pop_if(now, Phase::Schedule).is_some() {
                self.n_events += 1;
                woken = true;
            }
            self.wakeups.remove(&now);
            if woken || !self.ended.is_empty() || !self.arrived.is_empty() {
                self.pass(now);
            }
        }
        debug_assert!(self.queue.is_empty(), "jobs left waiting with nothing running");
        RunOutput {
            records: self.records,
            promised: self.state.promised,
            allocations: self.state.allocations,
            passes: self.passes,
            events: self.n_events,
        }
    }

    fn next_instant(&self) -> Option<SimTime> {
        let arrival = self.jobs.get(self.next_arrival).map(|j| j.submit);
        match (self.events.peek_time(), arrival) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn arrive(&mut self, j: JobIdx) {
        self.n_events += 1;
        let job = &self.jobs[j as usize];
        if u64::from(job.procs) > self.cluster.total_cores() {
            // The record already says Rejected; it never queues.
            return;
        }
        let est = self.estimate.of(job);
        self.estimates[j as usize] = est;
        let key = self.order.key(job, est);
        self.keys[j as usize] = key;
        let keys = &self.keys;
        let at = self.queue.partition_point(|&q| (keys[q as usize], q) < (key, j));
        self.queue.insert(at, j);
        self.arrived.push(j);
    }

    fn end_job(&mut self, j: JobIdx, now: SimTime) {
        self.n_events += 1;
        let start = self.starts[j as usize].expect("a job that ends has started");
        let estimated_end = start.saturating_add(self.estimates[j as usize]);
        let removed = self.state.running.remove(&(estimated_end, j));
        debug_assert!(removed, "ending job {j} was not running");
        self.state.occupancy.give(&self.state.allocations[j as usize]);
        let job = &self.jobs[j as usize];
        let outcome = if job.hits_walltime() { Outcome::Walltime } else { Outcome::Completed };
        self.records[j as usize] = JobRecord { job: j, start: Some(start), end: Some(now), outcome };
        self.ended.push(Ended { job: j, estimated_end });
    }

    fn pass(&mut self, now: SimTime) {
        self.passes += 1;
        let mut pass = Pass::new(
            now,
            &self.cluster,
            &self.queue,
            self.jobs,
            &self.estimates,
            &self.ended,
            &self.arrived,
            &mut self.state,
        );
        self.backfill.schedule(&mut pass);
        self.ended.clear();
        self.arrived.clear();
        if let Some(t) = self.state.wakeup.take() {
            if self.wakeups.insert(t) {
                self.events.push(t, Event::Wakeup);
            }
        }
        if self.state.started.is_empty() {
            return;
        }
        for &j in &self.state.started {
            self.starts[j as usize] = Some(now);
            let end = now.saturating_add(self.jobs[j as usize].effective_runtime());
            self.events.push(end, Event::JobEnd(j));
        }
        let starts = &self.starts;
        self.queue.retain(|&q| starts[q as usize].is_none());
        self.state.started.clear();
    }
}
