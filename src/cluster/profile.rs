//! The availability profile: free cores per node over future time, as a list of slices.
//! Conservative backfilling keeps one, holding running jobs (until their estimated end) and
//! every queued job's reservation, and finds each job the earliest slot on specific nodes.

use super::{cores_in, Allocation, Cluster, NodeId, Partition, Res};
use crate::time::{SimDuration, SimTime};

/// Slice `k` lasts from `starts[k]` until `starts[k + 1]` (the last for ever); in it, `cores[k]`
/// cores are unclaimed over all nodes and node `n` has `pool[row[k] * nodes + n]` unclaimed.
/// The per-slice arrays are parallel and small, so a split or merge moves a few words per
/// slice, and the per-node rows stay put in one pool (a split copies a row into a spare one
/// instead of allocating): the scans of conservative backfilling run over plain arrays.
#[derive(Clone, Debug)]
pub struct Profile {
    nodes: usize,
    starts: Vec<SimTime>,
    cores: Vec<u64>,
    row: Vec<u32>,
    pool: Vec<Res>,
    /// Rows of `pool` that no slice uses.
    spare: Vec<u32>,
}

/// Reservations last at least this long, so that a zero-length job still claims its cores
/// at its start instant and the profile never holds an empty interval.
const MIN_SPAN: SimDuration = SimDuration(1);

impl Profile {
    /// Every core free from `start` on.
    pub fn new(cluster: &Cluster, start: SimTime) -> Profile {
        let pool: Vec<Res> = (0..cluster.node_count() as NodeId).map(|n| cluster.capacity(n)).collect();
        Profile {
            nodes: pool.len(),
            starts: vec![start],
            cores: vec![cluster.total_cores()],
            row: vec![0],
            pool,
            spare: Vec::new(),
        }
    }

    /// Forgets the past: slices that end at or before `now` go, and the first starts at `now`.
    pub fn advance(&mut self, now: SimTime) {
        let gone = self.starts[1..].partition_point(|&s| s <= now);
        if gone > 0 {
            self.spare.extend(self.row.drain(..gone));
            self.starts.drain(..gone);
            self.cores.drain(..gone);
        }
        if self.starts[0] < now {
            self.starts[0] = now;
        }
    }

    /// Number of slices, for tests and benchmarks of profile growth.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The per-node free resources of slice `k`.
    fn free(&self, k: usize) -> &[Res] {
        let at = self.row[k] as usize * self.nodes;
        &self.pool[at..at + self.nodes]
    }

    fn free_mut(&mut self, k: usize) -> &mut [Res] {
        let at = self.row[k] as usize * self.nodes;
        &mut self.pool[at..at + self.nodes]
    }

    /// What is free on `node` at instant `t` (which must not be before the first slice).
    pub fn free_at(&self, t: SimTime, node: NodeId) -> Res {
        let i = self.starts.partition_point(|&s| s <= t) - 1;
        self.free(i)[node as usize]
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
        let n_slices = self.starts.len();
        let mut i = 0;
        'candidates: while i < n_slices {
            if self.cores[i] < need {
                i += 1;
                continue;
            }
            let start = self.starts[i];
            let end = start.saturating_add(dur);
            // A window that contains a slice with too few cores in all can never fit; every
            // candidate up to that slice contains it too, so jump past it.
            let mut k = i + 1;
            while k < n_slices && self.starts[k] < end {
                if self.cores[k] < need {
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

    /// Whether a job holding `own` cores from `start` for `dur` (its reservation, made by
    /// [`Profile::earliest`] and [`Profile::reserve`]) could find an earlier window needing
    /// `need` cores if it gave its claim back. Only core counts are looked at, so a `false` is
    /// a proof that it cannot move and a `true` only that it might; on a machine of one node,
    /// where counts are the node's cores, re-placing such a job gives back the same start and
    /// the same allocation. It saves conservative backfilling the release, the search and the
    /// claim of reservations that stay put.
    pub fn could_move_earlier(&self, start: SimTime, dur: SimDuration, own: u64, need: u64) -> bool {
        let end = start.saturating_add(dur.max(MIN_SPAN));
        let (Ok(a), b) = (self.starts.binary_search(&start), self.starts.binary_search(&end)) else {
            // The claim's edges were merged away: let the full search decide.
            return true;
        };
        let b = match b {
            Ok(b) => b,
            Err(b) if b == self.starts.len() && end == SimTime::MAX => b,
            Err(_) => return true,
        };
        let eff = |k: usize| if (a..b).contains(&k) { self.cores[k] + own } else { self.cores[k] };
        let n_slices = self.starts.len();
        let mut i = 0;
        'candidates: while i < a {
            if eff(i) < need {
                i += 1;
                continue;
            }
            let end = self.starts[i].saturating_add(dur.max(MIN_SPAN));
            let mut k = i + 1;
            while k < n_slices && self.starts[k] < end {
                if eff(k) < need {
                    i = k + 1;
                    continue 'candidates;
                }
                k += 1;
            }
            return true;
        }
        false
    }

    /// Whether the machine is one node, where core counts decide every placement.
    pub fn one_node(&self) -> bool {
        self.nodes == 1
    }

    /// First fit on the per-node minimum over slices `i..k`, over the partition's nodes.
    fn window_fit(&self, i: usize, k: usize, task: Res, tasks: u32, part: &Partition, out: &mut Allocation) -> bool {
        out.0.clear();
        let mut left = tasks;
        if left == 0 {
            return true;
        }
        let rows = &self.row[i..k];
        for &node in part.nodes() {
            let n = node as usize;
            let at = |r: u32| self.pool[r as usize * self.nodes + n];
            let mut m = at(rows[0]);
            for &r in &rows[1..] {
                if !task.fits_in(m) {
                    // The minimum only falls: this node holds no task in the window.
                    break;
                }
                m = m.min(at(r));
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
    pub fn reserve(&mut self, start: SimTime, dur: SimDuration, alloc: &[(NodeId, Res)]) {
        let (i, j) = self.span(start, start.saturating_add(dur.max(MIN_SPAN)));
        let cores = cores_in(alloc);
        for k in i..j {
            let at = self.starts[k];
            let free = self.free_mut(k);
            for &(node, r) in alloc {
                let f = free[node as usize];
                debug_assert!(r.fits_in(f), "profile overbooked on node {node} at {at}");
                free[node as usize] = f.minus(r);
            }
            self.cores[k] -= cores;
        }
    }

    /// Gives back `alloc` from `from` until `until` (a reservation withdrawn, or the unused
    /// tail of a job that ended before its estimate).
    pub fn release(&mut self, from: SimTime, until: SimTime, alloc: &[(NodeId, Res)]) {
        if until <= from {
            return;
        }
        let (i, j) = self.span(from, until);
        let cores = cores_in(alloc);
        for k in i..j {
            let free = self.free_mut(k);
            for &(node, r) in alloc {
                free[node as usize] = free[node as usize].plus(r);
            }
            self.cores[k] += cores;
        }
        self.merge_around(i, j);
    }

    /// Ensures slice boundaries at `from` and `until` and returns the index range between.
    fn span(&mut self, from: SimTime, until: SimTime) -> (usize, usize) {
        let i = self.split_at(from);
        let j = if until == SimTime::MAX { self.starts.len() } else { self.split_at(until) };
        (i, j)
    }

    /// Index of the slice starting at `t`, splitting the slice that contains `t` if needed.
    fn split_at(&mut self, t: SimTime) -> usize {
        let i = self.starts.partition_point(|&s| s <= t);
        debug_assert!(i > 0, "split before the profile's first slice");
        if self.starts[i - 1] == t {
            return i - 1;
        }
        let src = self.row[i - 1] as usize * self.nodes;
        let row = match self.spare.pop() {
            Some(r) => r,
            None => {
                let r = u32::try_from(self.pool.len() / self.nodes.max(1)).expect("fewer than 2^32 profile slices");
                self.pool.resize(self.pool.len() + self.nodes, Res::ZERO);
                r
            }
        };
        let dst = row as usize * self.nodes;
        self.pool.copy_within(src..src + self.nodes, dst);
        self.starts.insert(i, t);
        self.cores.insert(i, self.cores[i - 1]);
        self.row.insert(i, row);
        i
    }

    /// Merges equal neighbours at the edges of a released range, keeping the profile short.
    fn merge_around(&mut self, i: usize, j: usize) {
        // Edges: between j-1 and j, then between i-1 and i (higher index first, so that
        // removing one does not shift the other).
        for edge in [j, i] {
            if edge > 0 && edge < self.starts.len() && self.free(edge - 1) == self.free(edge) {
                self.starts.remove(edge);
                self.cores.remove(edge);
                self.spare.push(self.row.remove(edge));
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
    fn a_reservation_that_cannot_move_is_recognised_and_one_that_can_is_not() {
        // 10 cores: 8 busy until 100; a job of 6 cores for 100 is reserved at 100 (the earliest).
        let cl = Cluster::flat(10);
        let all = &cl.partitions()[0];
        let mut p = Profile::new(&cl, s(0));
        let running = Allocation(vec![(0, c(8))]);
        p.reserve(s(0), d(100), &running);
        let mut a = Allocation::default();
        assert_eq!(p.earliest(c(1), 6, d(100), all, &mut a), s(100));
        p.reserve(s(100), d(100), &a);
        assert!(!p.could_move_earlier(s(100), d(100), 6, 6));
        // The running job ends at 50: [50, 150) has 10 free and then 4 besides the job's own
        // claim, so it fits at 50 only once that claim is counted as given back.
        p.release(s(50), s(100), &running);
        assert!(p.could_move_earlier(s(100), d(100), 6, 6));
        p.release(s(100), s(200), &a);
        assert_eq!(p.earliest(c(1), 6, d(100), all, &mut a), s(50));
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
