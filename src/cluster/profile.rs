//! The availability profile: free cores per node over future time, as a list of slices.
//! Conservative backfilling keeps one, holding running jobs (until their estimated end) and
//! every queued job's reservation, and finds each job the earliest slot on specific nodes.

use std::collections::VecDeque;

use super::{Allocation, Cluster, NodeId, Partition, Res};
use crate::time::{SimDuration, SimTime};

/// From `start` until the next slice's start (the last slice lasts for ever), `free[n]` of
/// node `n` is unclaimed; `cores` is the unclaimed cores of all nodes together.
#[derive(Clone, Debug)]
struct Slice {
    start: SimTime,
    cores: u64,
    free: Vec<Res>,
}

#[derive(Clone, Debug)]
pub struct Profile {
    slices: VecDeque<Slice>,
}

/// Reservations last at least this long, so that a zero-length job still claims its cores
/// at its start instant and the profile never holds an empty interval.
const MIN_SPAN: SimDuration = SimDuration(1);

impl Profile {
    /// Every core free from `start` on.
    pub fn new(cluster: &Cluster, start: SimTime) -> Profile {
        let free: Vec<Res> = (0..cluster.node_count() as NodeId).map(|n| cluster.capacity(n)).collect();
        let slice = Slice { start, cores: cluster.total_cores(), free };
        Profile { slices: VecDeque::from([slice]) }
    }

    /// Forgets the past: slices that end at or before `now` go, and the first starts at `now`.
    pub fn advance(&mut self, now: SimTime) {
        while self.slices.len() > 1 && self.slices[1].start <= now {
            self.slices.pop_front();
        }
        if self.slices[0].start < now {
            self.slices[0].start = now;
        }
    }

    /// Number of slices, for tests and benchmarks of profile growth.
    pub fn len(&self) -> usize {
        self.slices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slices.is_empty()
    }

    /// What is free on `node` at instant `t` (which must not be before the first slice).
    pub fn free_at(&self, t: SimTime, node: NodeId) -> Res {
        let i = self.slices.partition_point(|s| s.start <= t) - 1;
        self.slices[i].free[node as usize]
    }

    /// The earliest instant, not before the first slice, at which `tasks` tasks shaped `task`
    /// fit on nodes of `part` and stay there for `dur`; the nodes chosen are the first fit
    /// (lowest ids) among what is free throughout. Fills `out` and returns the start. The
    /// caller guarantees the job fits the empty partition, so the last (unbounded) slice
    /// always holds it.
    pub fn earliest(
        &mut self,
        task: Res,
        tasks: u32,
        dur: SimDuration,
        part: &Partition,
        out: &mut Allocation,
    ) -> SimTime {
        let need = u64::from(task.cores) * u64::from(tasks);
        let dur = dur.max(MIN_SPAN);
        let n_slices = self.slices.len();
        let mut i = 0;
        'candidates: while i < n_slices {
            if self.slices[i].cores < need {
                i += 1;
                continue;
            }
            let start = self.slices[i].start;
            let end = start.saturating_add(dur);
            // A window that contains a slice with too few cores in all can never fit; every
            // candidate up to that slice contains it too, so jump past it.
            let mut k = i + 1;
            while k < n_slices && self.slices[k].start < end {
                if self.slices[k].cores < need {
                    i = k + 1;
                    continue 'candidates;
                }
                k += 1;
            }
            if self.window_fit(i, k, task, tasks, part, out) {
                return start;
            }
            i += 1;
        }
        unreachable!("a job that fits the empty partition always fits in the last slice")
    }

    /// First fit on the per-node minimum over slices `i..k`, over the partition's nodes.
    fn window_fit(
        &mut self,
        i: usize,
        k: usize,
        task: Res,
        tasks: u32,
        part: &Partition,
        out: &mut Allocation,
    ) -> bool {
        out.0.clear();
        let mut left = tasks;
        if left == 0 {
            return true;
        }
        for &node in part.nodes() {
            let n = node as usize;
            let mut m = self.slices[i].free[n];
            for s in self.slices.range(i + 1..k) {
                if !task.fits_in(m) {
                    // The minimum only falls: this node holds no task in the window.
                    break;
                }
                m = m.min(s.free[n]);
            }
            if !task.fits_in(m) {
                continue;
            }
            let take = task.count_in(m).min(left);
            if take > 0 {
                out.0.push((node, task.times(take)));
                left -= take;
                if left == 0 {
                    return true;
                }
            }
        }
        false
    }

    /// Claims `alloc` from `start` for `dur`. The caller reserves only what [`Profile::earliest`]
    /// offered; debug builds check it (the check cost a tenth of a conservative run).
    pub fn reserve(&mut self, start: SimTime, dur: SimDuration, alloc: &Allocation) {
        let (i, j) = self.span(start, start.saturating_add(dur.max(MIN_SPAN)));
        let cores = alloc.cores();
        for s in self.slices.range_mut(i..j) {
            for &(node, r) in &alloc.0 {
                let f = s.free[node as usize];
                debug_assert!(r.fits_in(f), "profile overbooked on node {node} at {}", s.start);
                s.free[node as usize] = f.minus(r);
            }
            s.cores -= cores;
        }
    }

    /// Gives back `alloc` from `from` until `until` (a reservation withdrawn, or the unused
    /// tail of a job that ended before its estimate).
    pub fn release(&mut self, from: SimTime, until: SimTime, alloc: &Allocation) {
        if until <= from {
            return;
        }
        let (i, j) = self.span(from, until);
        let cores = alloc.cores();
        for s in self.slices.range_mut(i..j) {
            for &(node, r) in &alloc.0 {
                s.free[node as usize] = s.free[node as usize].plus(r);
            }
            s.cores += cores;
        }
        self.merge_around(i, j);
    }

    /// Ensures slice boundaries at `from` and `until` and returns the index range between.
    fn span(&mut self, from: SimTime, until: SimTime) -> (usize, usize) {
        let i = self.split_at(from);
        let j = if until == SimTime::MAX { self.slices.len() } else { self.split_at(until) };
        (i, j)
    }

    /// Index of the slice starting at `t`, splitting the slice that contains `t` if needed.
    fn split_at(&mut self, t: SimTime) -> usize {
        let i = self.slices.partition_point(|s| s.start <= t);
        debug_assert!(i > 0, "split before the profile's first slice");
        let prev = &self.slices[i - 1];
        if prev.start == t {
            return i - 1;
        }
        let copy = Slice { start: t, cores: prev.cores, free: prev.free.clone() };
        self.slices.insert(i, copy);
        i
    }

    /// Merges equal neighbours at the edges of a released range, keeping the profile short.
    fn merge_around(&mut self, i: usize, j: usize) {
        // Edges: between j-1 and j, then between i-1 and i (higher index first, so that
        // removing one does not shift the other).
        for edge in [j, i] {
            if edge > 0 && edge < self.slices.len() && self.slices[edge - 1].free == self.slices[edge].free {
                self.slices.remove(edge);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: i64) -> SimTime {
        SimTime(x)
    }
    fn d(x: i64) -> SimDuration {
        SimDuration(x)
    }
    fn c(n: u32) -> Res {
        Res::cores(n)
    }

    #[test]
    fn flat_profile_finds_the_classic_earliest_slot() {
        let cl = Cluster::flat(10);
        let all = &cl.partitions()[0];
        let mut p = Profile::new(&cl, s(0));
        let mut a = Allocation::default();
        // 6 cores busy until 100.
        p.reserve(s(0), d(100), &Allocation(vec![(0, c(6))]));
        assert_eq!(p.earliest(c(1), 4, d(50), all, &mut a), s(0));
        assert_eq!(p.earliest(c(1), 5, d(50), all, &mut a), s(100));
        // A hole of 4 cores in [0,100), then 10 from 100: a 4-core job of 200 fits now.
        assert_eq!(p.earliest(c(1), 4, d(200), all, &mut a), s(0));
        p.reserve(s(0), d(200), &a);
        // Now 0 free until 100, 6 free until 200, 10 after.
        assert_eq!(p.earliest(c(1), 7, d(10), all, &mut a), s(200));
        assert_eq!(p.earliest(c(1), 6, d(10), all, &mut a), s(100));
    }

    #[test]
    fn node_aware_slot_needs_the_same_nodes_throughout() {
        // Two nodes of 2 cores: node 0 busy in [0,10), node 1 busy in [10,20).
        let cl = Cluster::uniform(2, 2);
        let all = &cl.partitions()[0];
        let mut p = Profile::new(&cl, s(0));
        p.reserve(s(0), d(10), &Allocation(vec![(0, c(2))]));
        p.reserve(s(10), d(10), &Allocation(vec![(1, c(2))]));
        let mut a = Allocation::default();
        // Two cores for 20: count-wise 2 are free at every instant, but no single set is.
        assert_eq!(p.earliest(c(1), 2, d(20), all, &mut a), s(10));
        assert_eq!(a.0, vec![(0, c(2))]);
    }

    #[test]
    fn release_restores_and_merges() {
        let cl = Cluster::flat(8);
        let mut p = Profile::new(&cl, s(0));
        let a = Allocation(vec![(0, c(3))]);
        p.reserve(s(10), d(10), &a);
        assert_eq!(p.len(), 3);
        assert_eq!(p.free_at(s(15), 0), c(5));
        p.release(s(10), s(20), &a);
        assert_eq!(p.len(), 1);
        assert_eq!(p.free_at(s(15), 0), c(8));
    }

    #[test]
    fn advance_drops_the_past() {
        let cl = Cluster::flat(8);
        let mut p = Profile::new(&cl, s(0));
        p.reserve(s(0), d(10), &Allocation(vec![(0, c(8))]));
        p.advance(s(10));
        assert_eq!(p.len(), 1);
        let mut a = Allocation::default();
        assert_eq!(p.earliest(c(1), 8, d(5), &cl.partitions()[0], &mut a), s(10));
    }
}
