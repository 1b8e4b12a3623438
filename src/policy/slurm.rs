//! Slurm's scheduling as `sched/backfill` does it (`slurm-spec.md` §B): a main scheduler that,
//! at every pass, starts waiting jobs in priority order and stops a partition at its first job
//! that does not fit; and, every `interval`, a backfill cycle that plans from scratch: running
//! jobs end at their estimates, and each tested job, in priority order, gets the earliest start
//! around the plans of those before it, starting now if that is now, else reserving its cores
//! (if the start is within `window`) until its estimated end rounded up to `resolution`.
//! Batch submissions are scheduled `batch_delay` after the first of them, as Slurm's
//! `batch_sched_delay` batches them; interactive ones (`salloc`, `srun`) and job ends trigger
//! the main scheduler at once.
//! Simplifications: reservations are per core, not Slurm's whole nodes; the cycle is
//! instantaneous (no `bf_max_time`, lock yields or `bf_continue`); a reservation starts at the
//! planned instant and only its end is rounded.

use std::collections::BTreeMap;

use super::{Backfill, Pass};
use crate::cluster::{Allocation, Profile};
use crate::res::{PartitionIdx, Res};
use crate::time::{SimDuration, SimTime};
use crate::workload::job::JobClass;
use crate::workload::JobIdx;

/// The parameters a registry spec gives (as `registry::SLURM` declares them).
pub fn params(p: &super::registry::Params) -> Params {
    let secs = |name| SimDuration::from_secs_f64(p.get(name)).expect("declared range fits");
    let window = secs("window");
    Params {
        max_job_test: p.get("max_job_test") as usize,
        window: (window > SimDuration::ZERO).then_some(window),
        resolution: secs("resolution"),
        interval: secs("interval"),
        max_job_user: p.get("max_job_user") as u32,
        batch_delay: secs("batch_delay"),
    }
}

/// Backfill parameters (`SchedulerParameters`); zero means unbounded where Slurm allows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// `bf_max_job_test`: jobs tested per cycle (0: all).
    pub max_job_test: usize,
    /// `bf_window`: no reservation starts later than this after now (None: no horizon).
    pub window: Option<SimDuration>,
    /// `bf_resolution`: reservations end on multiples of it (zero: exact).
    pub resolution: SimDuration,
    /// `bf_interval`: time between cycles (zero: a cycle at every pass).
    pub interval: SimDuration,
    /// `bf_max_job_user`: jobs of one user tested per cycle (0: no limit).
    pub max_job_user: u32,
    /// `batch_sched_delay`: how long after a batch submission the main scheduler runs, so that
    /// a burst of submissions is scheduled together (zero: at once).
    pub batch_delay: SimDuration,
}

/// Searches kept in a cycle to start later searches from (see [`Slurm::schedule`]'s `found`).
const FOUND_KEPT: usize = 16;

pub struct Slurm {
    params: Params,
    next_cycle: SimTime,
    /// Whether a job arrived, ended, left the queue, had its estimate raised or was started
    /// since the last backfill cycle.
    changed: bool,
    /// The jobs still waiting after the last cycle, in their order then.
    waiting: Vec<JobIdx>,
    /// The earliest start the last cycle planned but did not reserve, being beyond its window.
    unreserved: Option<SimTime>,
    /// Whether a cycle is skipped when nothing it depends on changed (false only in tests, to
    /// check that skipping changes no start).
    skip_unchanged: bool,
    /// Whether a job's search starts from the start found for a job it asks no less than
    /// (false only in tests, to check that this changes no start).
    bound_search: bool,
    /// When the batch submissions waiting for the main scheduler are scheduled.
    held_until: Option<SimTime>,
    alloc: Allocation,
    backfilled: Vec<JobIdx>,
}

impl Slurm {
    pub fn new(params: Params) -> Slurm {
        Slurm {
            params,
            next_cycle: SimTime(i64::MIN),
            changed: true,
            waiting: Vec::new(),
            unreserved: None,
            skip_unchanged: true,
            bound_search: true,
            held_until: None,
            alloc: Allocation::default(),
            backfilled: Vec::new(),
        }
    }

    /// The jobs its backfill cycles started (the others were started by the main scheduler),
    /// in start order: what sacct's `SchedBackfill` flag records.
    pub fn backfilled(&self) -> &[JobIdx] {
        &self.backfilled
    }

    /// Whether this pass waits for the batch submissions' delay: nothing ended and no
    /// interactive job arrived, and batch jobs arrived now or within the delay.
    fn held(&mut self, pass: &mut Pass<'_>) -> bool {
        let urgent = !pass.ended.is_empty()
            || !pass.withdrawn.is_empty()
            || pass.arrived.iter().any(|&j| pass.jobs[j as usize].class != JobClass::Batch);
        if urgent || self.params.batch_delay == SimDuration::ZERO {
            self.held_until = None;
            return false;
        }
        if self.held_until.is_none() && !pass.arrived.is_empty() {
            self.held_until = Some(pass.now.saturating_add(self.params.batch_delay));
        }
        match self.held_until {
            Some(t) if pass.now < t => {
                pass.wake_at(t);
                true
            }
            _ => {
                self.held_until = None;
                false
            }
        }
    }

    /// `t` rounded up to a multiple of the resolution.
    fn round_up(&self, t: SimTime) -> SimTime {
        let r = self.params.resolution.0;
        if r <= 1 {
            return t;
        }
        SimTime(t.0.div_euclid(r) * r + if t.0.rem_euclid(r) == 0 { 0 } else { r })
    }
}

impl Backfill for Slurm {
    fn schedule(&mut self, pass: &mut Pass<'_>) {
        self.changed |=
            !pass.ended.is_empty() || !pass.arrived.is_empty() || !pass.withdrawn.is_empty() || !pass.raised.is_empty();
        if self.held(pass) {
            return;
        }
        let now = pass.now;
        let (queue, jobs) = (pass.queue, pass.jobs);
        let mut started = vec![false; queue.len()];

        // The main scheduler: strict priority order within each partition.
        let mut blocked = vec![false; pass.cluster.partitions().len()];
        for (i, &j) in queue.iter().enumerate() {
            let job = &jobs[j as usize];
            let p = job.partition as usize;
            if blocked[p] {
                continue;
            }
            let part = pass.cluster.partition(job.partition);
            if pass.occupancy().first_fit(job.task, job.tasks, part, &mut self.alloc) {
                pass.start(j, std::mem::take(&mut self.alloc));
                started[i] = true;
                self.changed = true;
            } else {
                blocked[p] = true;
            }
        }
        if !blocked.iter().any(|&b| b) {
            return;
        }
        if now < self.next_cycle {
            pass.wake_at(self.next_cycle);
            return;
        }
        self.next_cycle = now.saturating_add(self.params.interval);
        // Slurm's `_more_work`: with the same running jobs (ending at the same estimates) and
        // the same waiting jobs in the same order as when the last cycle planned, and that
        // cycle started nothing, a cycle starts nothing. Every start that cycle planned lies
        // after the first estimated end of a running job, which would have been an end (or a
        // raise) by now, and until then what is free stays as it was: the plan is the same,
        // unless the window now reaches a start it left unreserved (a new reservation can move
        // others out of a job's way). The cycle is skipped but keeps its place in time, so
        // later cycles fall when they would.
        let window_moved = match (self.unreserved, self.params.window) {
            (Some(s), Some(w)) => s <= now.saturating_add(w),
            _ => false,
        };
        if self.skip_unchanged && !self.changed && !window_moved && self.waiting.as_slice() == queue {
            if self.params.interval > SimDuration::ZERO {
                pass.wake_at(self.next_cycle);
            }
            return;
        }

        // The backfill cycle: a plan from scratch.
        let mut profile = Profile::new(pass.cluster, now);
        for &(end, r) in pass.running() {
            profile.reserve(now, SimDuration((end - now).0.max(0)), pass.allocation(r));
        }
        let mut tested = 0;
        let mut per_user: BTreeMap<i64, u32> = BTreeMap::new();
        // Within a cycle the plan only fills up, so a job of the same partition that asks for
        // no smaller a task, no fewer tasks and no shorter a time than an earlier one cannot
        // start before the start found for it: its search begins there. The last few searches
        // are kept: (partition, task, tasks, estimate, start).
        let mut found: Vec<(PartitionIdx, Res, u32, SimDuration, SimTime)> = Vec::with_capacity(FOUND_KEPT);
        self.unreserved = None;
        let backfilled_before = self.backfilled.len();
        for (i, &j) in queue.iter().enumerate() {
            if started[i] {
                continue;
            }
            if self.params.max_job_test > 0 && tested >= self.params.max_job_test {
                break;
            }
            let job = &jobs[j as usize];
            if self.params.max_job_user > 0 {
                let n = per_user.entry(job.meta.user).or_insert(0);
                if *n >= self.params.max_job_user {
                    continue;
                }
                *n += 1;
            }
            tested += 1;
            let est = pass.estimates[j as usize];
            let part = pass.cluster.partition(job.partition);
            let from = found
                .iter()
                .filter(|f| {
                    self.bound_search && f.0 == job.partition && f.1.fits_in(job.task) && f.2 <= job.tasks && f.3 <= est
                })
                .map(|f| f.4)
                .max()
                .unwrap_or(now);
            let start = profile.earliest_from(from, job.task, job.tasks, est, part, &mut self.alloc);
            let slot = (job.partition, job.task, job.tasks, est, start);
            if found.len() < FOUND_KEPT {
                found.push(slot);
            } else {
                found[tested % FOUND_KEPT] = slot;
            }
            if start == now {
                profile.reserve(now, est, &self.alloc);
                pass.start(j, std::mem::take(&mut self.alloc));
                started[i] = true;
                self.backfilled.push(j);
                continue;
            }
            // The reservation ends on the resolution; if its rounded tail meets another
            // reservation, try later, as Slurm does (TRY_LATER). A later start can need a
            // shorter rounded span that fits earlier again, and the search would then go back
            // and forth for ever: it only goes forward, and when it is sent back it takes the
            // longest span rounding can give (`est` + `resolution`), which fits wherever it is
            // placed.
            let mut start = start;
            loop {
                let span = self.round_up(start.saturating_add(est)) - start;
                let again = profile.earliest(job.task, job.tasks, span, part, &mut self.alloc);
                if again < start {
                    let longest = SimDuration(est.0.saturating_add(self.params.resolution.0));
                    start = profile.earliest(job.task, job.tasks, longest, part, &mut self.alloc);
                    break;
                }
                if again == start {
                    break;
                }
                start = again;
            }
            if self.params.window.is_some_and(|w| start > now.saturating_add(w)) {
                self.unreserved = Some(self.unreserved.map_or(start, |u| u.min(start)));
                continue;
            }
            let span = self.round_up(start.saturating_add(est)) - start;
            profile.reserve(start, span, &self.alloc);
        }
        // A job this cycle started runs, in the next cycle's plan, ahead of the jobs before it
        // in the queue: their plans may move and open room for another job, so that cycle runs.
        self.changed = self.backfilled.len() > backfilled_before;
        self.waiting.clear();
        self.waiting.extend(queue.iter().zip(&started).filter(|&(_, &s)| !s).map(|(&j, _)| j));
        if self.params.interval > SimDuration::ZERO {
            pass.wake_at(self.next_cycle);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Cluster;
    use crate::engine::{simulate, SimConfig};
    use crate::policy::{Estimate, Registry};
    use crate::workload::Job;
    use rand::{Rng, SeedableRng};

    #[test]
    fn skipping_unchanged_cycles_and_bounding_searches_change_no_start() {
        // Random workloads on 16 cores, small windows (where a start entering the window can
        // move reservations, so that a cycle with nothing else changed starts a job) and none.
        for seed in 0..12 {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let mut t = 0;
            let jobs: Vec<Job> = (1..=300)
                .map(|id| {
                    t += rng.random_range(0..150);
                    let req = rng.random_range(60..20_000);
                    let run = rng.random_range(1..=req);
                    let cores = rng.random_range(1..=16);
                    Job::new(id, SimTime(t * 1000), SimDuration::from_secs(run), SimDuration::from_secs(req), cores)
                })
                .collect();
            for window in [0, 600, 3600] {
                let params = Params {
                    max_job_test: 30,
                    window: (window > 0).then(|| SimDuration::from_secs(window)),
                    resolution: SimDuration::from_secs(60),
                    interval: SimDuration::from_secs(30),
                    max_job_user: 0,
                    batch_delay: SimDuration::ZERO,
                };
                let run = |skip: bool, bound: bool| -> Vec<Option<SimTime>> {
                    let mut s = Slurm::new(params);
                    s.skip_unchanged = skip;
                    s.bound_search = bound;
                    let cfg = SimConfig::new(
                        Cluster::flat(16),
                        Registry::order("fcfs").unwrap(),
                        Box::new(s),
                        Estimate::Requested,
                    );
                    simulate(&jobs, cfg).records.iter().map(|r| r.start).collect()
                };
                let fast = run(true, true);
                assert_eq!(fast, run(false, true), "skipping: seed {seed}, window {window} s");
                assert_eq!(fast, run(true, false), "bounded searches: seed {seed}, window {window} s");
            }
        }
    }

    #[test]
    fn ends_round_up_to_the_resolution() {
        let p = Params {
            max_job_test: 0,
            window: None,
            resolution: SimDuration::from_secs(60),
            interval: SimDuration::ZERO,
            max_job_user: 0,
            batch_delay: SimDuration::ZERO,
        };
        let s = Slurm::new(p);
        assert_eq!(s.round_up(SimTime(120_000)), SimTime(120_000));
        assert_eq!(s.round_up(SimTime(120_001)), SimTime(180_000));
        let exact = Slurm::new(Params { resolution: SimDuration::ZERO, ..p });
        assert_eq!(exact.round_up(SimTime(120_001)), SimTime(120_001));
    }
}
