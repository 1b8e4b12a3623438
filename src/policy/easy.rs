//! EASY backfilling (Lifka 1995; Mu'alem & Feitelson 2001), node-aware: jobs start in queue
//! order while they fit; the first that does not fit gets a reservation on specific nodes at
//! the earliest instant the running jobs' estimates free enough (its shadow time); later jobs
//! may start now if they fit without touching those resources before they are needed. On one
//! flat node this is the classic count-based algorithm.
//!
//! With several partitions, each partition's first blocked job gets a reservation. A later
//! reservation treats resources an earlier one claimed as taken, so it never delays it;
//! where reservations of overlapping partitions share a node, a backfilled job must respect
//! the earliest shadow time and the smallest spare amount on that node.

use super::{Backfill, Pass};
use crate::cluster::{Allocation, NodeId, Res};
use crate::time::SimTime;
use crate::workload::job::PartitionIdx;
use crate::workload::JobIdx;

/// Scratch space is kept between passes so that a pass allocates nothing in steady state.
#[derive(Default)]
pub struct Easy {
    alloc: Allocation,
    /// For limited nodes: what a job running past `shadow_at` may use there.
    extra: Vec<Res>,
    /// For limited nodes: the earliest shadow time of a reservation that involves the node.
    shadow_at: Vec<SimTime>,
    /// Resources reserved on each node by this pass's reservations.
    claimed: Vec<Res>,
    limited: Vec<bool>,
    /// Nodes whose `limited`, `extra`, `shadow_at` or `claimed` were set in this pass.
    touched: Vec<NodeId>,
    /// What running jobs release on each node by the shadow time being computed.
    released: Vec<Res>,
    released_nodes: Vec<NodeId>,
    /// `released_nodes` as a bitset (64 nodes a word), to list them in id order with the
    /// free nodes without sorting.
    released_mask: Vec<u64>,
    /// Partitions that already have their reservation in this pass.
    reserved: Vec<bool>,
    /// Jobs that could not start in this pass, as (partition, task, tasks, estimated end).
    /// A pass only takes resources away and tightens caps, so a later job of the same
    /// partition that asks at least as much per task, for as many tasks, and would run at
    /// least as long cannot start either: a flooded partition's queue is then passed over
    /// without a first fit per job (each pass scanned it all, so the cost grew with the
    /// square of the arrival rate).
    failed: Vec<(PartitionIdx, Res, u32, SimTime)>,
    /// `shares[p * partitions + q]`: partitions `p` and `q` have a node in common. A running
    /// job of a partition that shares none with a blocked job's releases nothing it can use.
    shares: Vec<bool>,
    /// Each partition's last reservation as computed, to be given again while nothing it
    /// depends on has changed.
    placed: Vec<Placed>,
    /// The jobs reserved so far in this pass, in order.
    order: Vec<JobIdx>,
    /// The jobs the previous pass reserved, in order.
    prev_order: Vec<JobIdx>,
    /// Numbers the passes, from 1.
    epoch: u64,
    /// `pass.changes()` at the end of the previous pass if that pass started nothing.
    idle_since: Option<u64>,
    /// For each job: `epoch << LEVEL_BITS | reservations`, when it failed to start and reserved
    /// nothing in pass `epoch`, with that many reservations made before it in that pass.
    /// Such a job fails again in the next pass while nothing started, stopped or changed
    /// estimate in between, and the reservations before it include those: what is free is the
    /// same, the reservations' caps are at least as tight, and it would end later (now has
    /// moved on). A pass with only arrivals and users giving up then skips it without
    /// looking at the job (the flooded partition's queue is long).
    failed_in: Vec<u64>,
    /// Tests compare runs that decide every job afresh with runs that skip.
    #[cfg(test)]
    rescan: bool,
    #[cfg(test)]
    skipped: u64,
}

/// Bits of [`Easy::failed_in`] that count reservations.
const LEVEL_BITS: u32 = 16;
const LEVEL_MASK: u64 = (1 << LEVEL_BITS) - 1;

/// A reservation and what it depends on. Its inputs are the running jobs, their estimates and
/// what is free (all unchanged while [`Pass::changes`] is), and the claims of the reservations
/// made before it in its pass (the same when the same jobs were reserved before it, from the
/// same state). A pass with only arrivals since the last one (a flooded partition: a pass at
/// every arrival and every user giving up) then gives each blocked job the same reservation
/// without walking the running jobs again.
#[derive(Default)]
struct Placed {
    job: Option<JobIdx>,
    changes: u64,
    before: Vec<JobIdx>,
    shadow: Option<SimTime>,
    /// Each node the reservation looked at: what it takes there and what it leaves spare.
    nodes: Vec<(NodeId, Res, Res)>,
}

/// Failures remembered per pass: enough for the few shapes a flooded partition sees.
const FAILED_KEPT: usize = 8;

impl Backfill for Easy {
    fn schedule(&mut self, pass: &mut Pass<'_>) {
        let (queue, jobs) = (pass.queue, pass.jobs);
        self.size_scratch(pass);
        let changes = pass.changes();
        let last = self.epoch << LEVEL_BITS;
        self.epoch += 1;
        // While true, the reservations of this pass so far are the previous pass's first ones,
        // placed from the same state, and the previous pass's failures stand.
        let mut same = self.idle_since == Some(changes);
        #[cfg(test)]
        {
            same &= !self.rescan;
        }
        for &j in queue {
            if pass.occupancy().total_free_cores() == 0 {
                break;
            }
            if same {
                let was = self.failed_in[j as usize];
                if was & !LEVEL_MASK == last && (was & LEVEL_MASK) as usize <= self.order.len() {
                    self.mark_failed(j);
                    #[cfg(test)]
                    {
                        self.skipped += 1;
                    }
                    continue;
                }
            }
            let job = &jobs[j as usize];
            if job.procs() > pass.occupancy().total_free_cores() {
                if self.reserved[job.partition as usize] {
                    self.mark_failed(j);
                } else {
                    same &= self.reserve_same(pass, j, changes);
                }
                continue;
            }
            let end = pass.now.saturating_add(pass.estimates[j as usize]);
            let p = job.partition;
            let hopeless = |&(fp, ft, fk, fe): &(PartitionIdx, Res, u32, SimTime)| {
                fp == p && ft.fits_in(job.task) && fk <= job.tasks && fe <= end
            };
            if self.failed.iter().any(hopeless) {
                // Its partition failed a job like it this pass, so it has its reservation.
                self.mark_failed(j);
                continue;
            }
            if self.try_start(pass, j) {
                continue;
            }
            if self.failed.len() < FAILED_KEPT {
                self.failed.push((p, job.task, job.tasks, end));
            }
            if self.reserved[job.partition as usize] {
                self.mark_failed(j);
            } else {
                same &= self.reserve_same(pass, j, changes);
            }
        }
        self.idle_since = (pass.changes() == changes).then_some(changes);
        std::mem::swap(&mut self.order, &mut self.prev_order);
        for &n in &self.touched {
            self.limited[n as usize] = false;
            self.claimed[n as usize] = Res::ZERO;
        }
        self.touched.clear();
        self.reserved.iter_mut().for_each(|r| *r = false);
        self.failed.clear();
        self.order.clear();
    }
}

impl Easy {
    fn size_scratch(&mut self, pass: &Pass<'_>) {
        let n = pass.occupancy().node_count();
        if self.limited.len() != n {
            self.extra = vec![Res::ZERO; n];
            self.shadow_at = vec![SimTime::ZERO; n];
            self.claimed = vec![Res::ZERO; n];
            self.limited = vec![false; n];
            self.released = vec![Res::ZERO; n];
            self.released_mask = vec![0; n.div_ceil(64)];
        }
        if self.failed_in.len() != pass.jobs.len() {
            self.failed_in = vec![0; pass.jobs.len()];
            self.idle_since = None;
        }
        let parts = pass.cluster.partitions();
        if self.reserved.len() != parts.len() {
            self.reserved = vec![false; parts.len()];
            self.placed = parts.iter().map(|_| Placed::default()).collect();
            self.shares =
                parts.iter().flat_map(|p| parts.iter().map(|q| p.nodes().iter().any(|&n| q.contains(n)))).collect();
        }
    }

    /// Records that `j` failed to start in this pass after the reservations made so far.
    fn mark_failed(&mut self, j: JobIdx) {
        let level = self.order.len() as u64;
        if level <= LEVEL_MASK {
            self.failed_in[j as usize] = self.epoch << LEVEL_BITS | level;
        }
    }

    /// Reserves for `j`; returns whether the reservation is the one the previous pass made at
    /// this point, from the same state.
    fn reserve_same(&mut self, pass: &mut Pass<'_>, j: JobIdx, changes: u64) -> bool {
        self.reserve(pass, j);
        pass.changes() == changes && self.prev_order.get(self.order.len() - 1) == Some(&j)
    }

    /// Starts `j` now if it fits without taking, past a shadow time, what a reservation needs.
    fn try_start(&mut self, pass: &mut Pass<'_>, j: JobIdx) -> bool {
        let job = &pass.jobs[j as usize];
        let part = pass.cluster.partition(job.partition);
        let end = pass.now.saturating_add(pass.estimates[j as usize]);
        let (limited, extra, shadow_at) = (&self.limited, &self.extra, &self.shadow_at);
        let cap = |n: NodeId, free: Res| {
            let i = n as usize;
            if limited[i] && end > shadow_at[i] {
                free.min(extra[i])
            } else {
                free
            }
        };
        if !pass.occupancy().first_fit_capped(job.task, job.tasks, part, cap, &mut self.alloc) {
            return false;
        }
        for &(n, r) in &self.alloc.0 {
            let i = n as usize;
            if self.limited[i] && end > self.shadow_at[i] {
                self.extra[i] = self.extra[i].minus(r);
            }
        }
        pass.start(j, std::mem::take(&mut self.alloc));
        true
    }

    /// Gives `j` (its partition's first blocked job) a reservation at the earliest instant
    /// the running jobs' estimates free enough on its partition, on first-fit nodes.
    fn reserve(&mut self, pass: &mut Pass<'_>, j: JobIdx) {
        let p = pass.jobs[j as usize].partition as usize;
        self.reserved[p] = true;
        let mut placed = std::mem::take(&mut self.placed[p]);
        if placed.job != Some(j) || placed.changes != pass.changes() || placed.before != self.order {
            self.place(pass, j, &mut placed);
        }
        if let Some(shadow) = placed.shadow {
            for &(n, taken, spare) in &placed.nodes {
                let i = n as usize;
                if self.limited[i] {
                    self.extra[i] = self.extra[i].min(spare);
                    self.shadow_at[i] = self.shadow_at[i].min(shadow);
                } else {
                    self.limited[i] = true;
                    self.touched.push(n);
                    self.extra[i] = spare;
                    self.shadow_at[i] = shadow;
                }
                self.claimed[i] = self.claimed[i].plus(taken);
            }
            pass.promise(j, shadow);
        }
        self.placed[p] = placed;
        self.order.push(j);
    }

    /// Computes `j`'s reservation into `placed`: its shadow time, and on each node of its
    /// partition free then, what it takes and what it leaves.
    fn place(&mut self, pass: &Pass<'_>, j: JobIdx, placed: &mut Placed) {
        let job = &pass.jobs[j as usize];
        let part = pass.cluster.partition(job.partition);
        let (task, tasks) = (job.task, job.tasks);
        let occ = pass.occupancy();
        let avail = |s: &Self, n: NodeId| {
            let i = n as usize;
            occ.free_on(n).plus(s.released[i]).saturating_minus(s.claimed[i])
        };

        let mut fit: u64 = occ.nonfull_in(part).map(|n| u64::from(task.count_in(avail(self, n)))).sum();
        let mut shadow = None;
        for &(end, r) in pass.running() {
            if u64::from(tasks) <= fit && shadow.is_none() {
                // Enough was already free or released by the previous end time.
                break;
            }
            // Every job ending at the shadow time frees its resources by then.
            if shadow.is_some_and(|s| end > s) {
                break;
            }
            let theirs = pass.jobs[r as usize].partition as usize;
            if !self.shares[job.partition as usize * self.reserved.len() + theirs] {
                continue;
            }
            for &(n, res) in pass.allocation(r) {
                if !part.contains(n) {
                    continue;
                }
                let before = task.count_in(avail(self, n));
                if self.released[n as usize] == Res::ZERO {
                    self.released_nodes.push(n);
                    self.released_mask[n as usize / 64] |= 1 << (n % 64);
                }
                self.released[n as usize] = self.released[n as usize].plus(res);
                fit += u64::from(task.count_in(avail(self, n)) - before);
            }
            if shadow.is_none() && fit >= u64::from(tasks) {
                shadow = Some(end);
            }
        }
        // No shadow time means enough is free but held back for other partitions'
        // reservations (overlapping partitions): this job gets no reservation this pass.
        placed.job = Some(j);
        placed.changes = pass.changes();
        placed.before.clone_from(&self.order);
        placed.shadow = shadow;
        placed.nodes.clear();
        if shadow.is_some() {
            let mut left = tasks;
            for n in occ.nonfull_in_or(part, &self.released_mask) {
                let free_then = avail(self, n);
                let k = task.count_in(free_then).min(left);
                left -= k;
                let taken = task.times(k);
                placed.nodes.push((n, taken, free_then.minus(taken)));
            }
        }
        for &n in &self.released_nodes {
            self.released[n as usize] = Res::ZERO;
            self.released_mask[n as usize / 64] = 0;
        }
        self.released_nodes.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{Cluster, Limits};
    use crate::engine::{simulate, SimConfig};
    use crate::policy::{Estimate, Registry};
    use crate::time::SimDuration;
    use crate::workload::Job;
    use rand::{Rng, SeedableRng};
    use std::sync::atomic::{AtomicU64, Ordering};

    /// Jobs skipped over all the runs that skip, to show the comparison exercises the skip.
    static SKIPPED: AtomicU64 = AtomicU64::new(0);

    struct Counted(Easy);

    impl Backfill for Counted {
        fn schedule(&mut self, pass: &mut Pass<'_>) {
            self.0.schedule(pass);
        }
    }

    impl Drop for Counted {
        fn drop(&mut self) {
            SKIPPED.fetch_add(self.0.skipped, Ordering::Relaxed);
        }
    }

    #[test]
    fn skipping_the_last_passes_failures_changes_no_decision() {
        // Overlapping partitions (a pool, a part of it, and a part of that part), jobs that
        // give up while they wait (passes with withdrawals) and bursts of arrivals (passes with
        // only arrivals), under orders where an arrival joins at the end and where it may
        // become a partition's new head.
        let parts = vec![
            ("batch".to_string(), (0..6).collect(), Limits::default()),
            ("inter".to_string(), vec![3, 4, 5], Limits::default()),
            ("debug".to_string(), vec![4, 5], Limits::default()),
        ];
        let cluster = Cluster::new(vec![Res::cores(8); 6], parts).unwrap();
        for seed in 0..10 {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let mut t = 0;
            let jobs: Vec<Job> = (1..=400)
                .map(|id| {
                    t += rng.random_range(0..40);
                    let req = rng.random_range(60..3_000);
                    let run = rng.random_range(1..=req);
                    let mut job =
                        Job::new(id, SimTime(t * 1000), SimDuration::from_secs(run), SimDuration::from_secs(req), 1);
                    job.tasks = rng.random_range(1..=6);
                    job.task = Res::cores(rng.random_range(1..=8));
                    job.partition = rng.random_range(0..3);
                    job.patience = rng.random_bool(0.7).then(|| SimDuration::from_secs(rng.random_range(1..2_000)));
                    job
                })
                .collect();
            for order in ["fcfs", "sjf", "smallest"] {
                let run = |rescan: bool| {
                    let easy = Easy { rescan, ..Easy::default() };
                    let cfg = SimConfig::new(
                        cluster.clone(),
                        Registry::order(order).unwrap(),
                        Box::new(Counted(easy)),
                        Estimate::Requested,
                    );
                    let out = simulate(&jobs, cfg);
                    out.records.iter().map(|r| (r.start, r.end, r.outcome)).collect::<Vec<_>>()
                };
                assert_eq!(run(false), run(true), "seed {seed}, order {order}");
            }
        }
        assert!(SKIPPED.load(Ordering::Relaxed) > 1000, "the skip was hardly used");
    }
}
