//! The availability profile: free cores per node over future time, as a list of slices.
//! Conservative backfilling keeps one, holding running jobs (until their estimated end) and
//! every queued job's reservation, and finds each job the earliest slot on specific nodes.

use super::{cores_in, Allocation, Cluster, NodeId, Partition, Res};
use crate::time::{SimDuration, SimTime};

/// Slice `k` lasts from `starts[k]` until `starts[k + 1]` (the last for ever); in it, `cores[k]`
/// cores are unclaimed over all nodes, node `n` has `pool[row[k] * nodes + n]` unclaimed, and
/// the `p`th partition that leaves some node out has `part_cores[row[k] * parts.len() + p]`.
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
    /// Rows of `pool` (and of `part_cores`) that no slice uses.
    spare: Vec<u32>,
    /// The names of the partitions that leave some node out: the search for a job of one of
    /// them rejects a window on its partition's count before reading any node.
    parts: Vec<String>,
    /// For each node, the indices in `parts` of the partitions holding it.
    node_parts: Vec<Vec<u16>>,
    part_cores: Vec<u64>,
    /// Scratch of [`Profile::add`]: what a claim holds on each partition of `parts`.
    part_delta: Vec<u64>,
    /// Where [`Profile::find`] starts.
    hint: usize,
    /// Scratch of [`Profile::window_fit`], kept to save an allocation per candidate window.
    alive: Vec<Candidate>,
    /// `peaks[k]` is the most cores free in any of slices `0..=k`, for the first slices only:
    /// a change cuts it back to the slices before it, and [`Profile::compress`] extends it
    /// as far as it needs.
    peaks: Vec<u64>,
}

/// A node that can still hold a task in the window being fitted: its minimum free resources
/// over the slices looked at so far, and how many tasks that minimum holds.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    node: NodeId,
    min: Res,
    tasks: u32,
}

/// What [`Profile::compress`] did with a reservation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// No earlier window holds it: it stays where it is.
    Stays,
    /// It now starts at this earlier instant, with the same claim.
    Moved(SimTime),
    /// Counts do not decide: the caller withdraws it and searches again.
    Search,
}

/// Reservations last at least this long, so that a zero-length job still claims its cores
/// at its start instant and the profile never holds an empty interval.
const MIN_SPAN: SimDuration = SimDuration(1);

impl Profile {
    /// Every core free from `start` on.
    pub fn new(cluster: &Cluster, start: SimTime) -> Profile {
        let pool: Vec<Res> = (0..cluster.node_count() as NodeId).map(|n| cluster.capacity(n)).collect();
        let partial: Vec<&Partition> = cluster.partitions().iter().filter(|p| p.nodes().len() < pool.len()).collect();
        let mut node_parts = vec![Vec::new(); pool.len()];
        for (x, part) in partial.iter().enumerate() {
            let x = u16::try_from(x).expect("fewer than 2^16 partitions");
            for &n in part.nodes() {
                node_parts[n as usize].push(x);
            }
        }
        Profile {
            parts: partial.iter().map(|p| p.name.clone()).collect(),
            node_parts,
            part_cores: partial.iter().map(|p| u64::from(p.total().cores)).collect(),
            part_delta: Vec::new(),
            hint: 0,
            nodes: pool.len(),
            starts: vec![start],
            cores: vec![cluster.total_cores()],
            row: vec![0],
            pool,
            spare: Vec::new(),
            alive: Vec::new(),
            peaks: Vec::new(),
        }
    }

    /// Forgets the past: slices that end at or before `now` go, and the first starts at `now`.
    pub fn advance(&mut self, now: SimTime) {
        self.peaks.clear();
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

    /// The cores unclaimed in slice `k` on the partition that is `parts[p]`, or on the whole
    /// machine for `None`.
    fn cores_free(&self, k: usize, p: Option<usize>) -> u64 {
        match p {
            Some(p) => self.part_cores[self.row[k] as usize * self.parts.len() + p],
            None => self.cores[k],
        }
    }

    /// Takes `alloc` from what slices `i..j` have free (`CLAIM`), or gives it back.
    fn add<const CLAIM: bool>(&mut self, i: usize, j: usize, alloc: &[(NodeId, Res)]) {
        let cores = cores_in(alloc);
        let n_parts = self.parts.len();
        let mut delta = std::mem::take(&mut self.part_delta);
        delta.clear();
        delta.resize(n_parts, 0);
        for &(node, r) in alloc {
            for &p in &self.node_parts[node as usize] {
                delta[p as usize] += u64::from(r.cores);
            }
        }
        for k in i..j {
            let row = self.row[k] as usize;
            let free = &mut self.pool[row * self.nodes..(row + 1) * self.nodes];
            let counts = &mut self.part_cores[row * n_parts..(row + 1) * n_parts];
            if CLAIM {
                for &(node, r) in alloc {
                    let f = free[node as usize];
                    debug_assert!(r.fits_in(f), "profile overbooked on node {node} at {}", self.starts[k]);
                    free[node as usize] = f.minus(r);
                }
                self.cores[k] -= cores;
                counts.iter_mut().zip(&delta).for_each(|(c, d)| *c -= d);
            } else {
                for &(node, r) in alloc {
                    free[node as usize] = free[node as usize].plus(r);
                }
                self.cores[k] += cores;
                counts.iter_mut().zip(&delta).for_each(|(c, d)| *c += d);
            }
        }
        self.part_delta = delta;
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
        self.earliest_from(self.starts[0], task, tasks, dur, part, out)
    }

    /// [`Profile::earliest`] for a caller that knows no window starting before `from` holds
    /// the job: the search begins at the slice holding `from`, and finds the same start and
    /// nodes as a search from the first slice would.
    pub fn earliest_from(
        &mut self,
        from: SimTime,
        task: Res,
        tasks: u32,
        dur: SimDuration,
        part: &Partition,
        out: &mut Allocation,
    ) -> SimTime {
        let need = u64::from(task.cores) * u64::from(tasks);
        let dur = dur.max(MIN_SPAN);
        let n_slices = self.starts.len();
        let p = self.parts.iter().position(|name| *name == part.name);
        let mut i = self.starts.partition_point(|&s| s <= from).saturating_sub(1);
        'candidates: while i < n_slices {
            if self.cores_free(i, p) < need {
                i += 1;
                continue;
            }
            let start = self.starts[i];
            let end = start.saturating_add(dur);
            // A window that contains a slice with too few cores in all can never fit; every
            // candidate up to that slice contains it too, so jump past it.
            let mut k = i + 1;
            while k < n_slices && self.starts[k] < end {
                if self.cores_free(k, p) < need {
                    i = k + 1;
                    continue 'candidates;
                }
                k += 1;
            }
            match self.window_fit(i, k, task, tasks, part, out) {
                Ok(()) => return start,
                // Every later candidate up to that slice holds slices `r..k` too.
                Err(r) => i = r + 1,
            }
        }
        unreachable!("a job that fits the empty partition always fits in the last slice")
    }

    /// Compresses a reservation on a machine of one node: the claim `alloc`, made from `start`
    /// for `dur` by [`Profile::earliest`] and [`Profile::reserve`], goes where withdrawing it
    /// and searching again would put it, when core counts decide that. It saves conservative
    /// backfilling the release, the search and the claim of reservations that stay put, and
    /// touches only the slices a move changes.
    pub fn compress(&mut self, start: SimTime, dur: SimDuration, alloc: &[(NodeId, Res)]) -> Compression {
        if self.nodes != 1 {
            return Compression::Search;
        }
        let dur = dur.max(MIN_SPAN);
        let Ok(a) = self.find(start) else {
            // The claim's first edge was merged away: let the full search decide.
            return Compression::Search;
        };
        // Counts are necessary for any fit, so no earlier run of counts proves it stays.
        let Some(to) = self.earlier_run(a, dur, cores_in(alloc)) else {
            return Compression::Stays;
        };
        if alloc.iter().any(|&(_, r)| r.mem != 0 || r.gpus != 0) {
            return Compression::Search;
        }
        // With cores only on one node, counts are the whole fit (see `window_fit`): the search
        // would find `to` and the same claim. Where the old and new claims overlap nothing
        // changes; before, the new one is claimed, and after, the old one given back.
        let (end, new_end) = (start.saturating_add(dur), to.saturating_add(dur));
        let (i, j) = self.span(to, start.min(new_end));
        self.claim(i, j, alloc);
        self.release(new_end.max(start), end, alloc);
        // The release merges at its own edges only; the old claim's first edge may now part
        // equal slices.
        if let Ok(k) = self.starts.binary_search(&start) {
            self.merge_at(k);
        }
        Compression::Moved(to)
    }

    /// `starts.binary_search(&t)`, begun at the slice found last: compressions go through the
    /// queue's reservations in roughly increasing start order, so the next is usually a few
    /// slices on, and a gallop from there takes fewer steps than a search of the whole profile.
    fn find(&mut self, t: SimTime) -> Result<usize, usize> {
        let n = self.starts.len();
        let h = self.hint.min(n - 1);
        // Bounds such that the answer lies in `lo..=hi`: `starts[lo] <= t` unless `lo` is 0,
        // and `starts[hi] > t` unless `hi` is `n`.
        let (mut lo, mut hi) = (h, h);
        let mut step = 1;
        if self.starts[h] <= t {
            loop {
                hi = h + step;
                if hi >= n {
                    hi = n;
                    break;
                }
                if self.starts[hi] > t {
                    break;
                }
                lo = hi;
                step *= 2;
            }
        } else {
            loop {
                if step > h {
                    lo = 0;
                    break;
                }
                lo = h - step;
                if self.starts[lo] <= t {
                    break;
                }
                hi = lo;
                step *= 2;
            }
        }
        let found = match self.starts[lo..hi].binary_search(&t) {
            Ok(i) => Ok(lo + i),
            Err(i) => Err(lo + i),
        };
        self.hint = match found {
            Ok(i) | Err(i) => i,
        };
        found
    }

    /// The earliest start before slice `a` of a window of `dur` with `need` cores free, where
    /// the slices from `a` on are taken to hold `need` more (a claim from slice `a` given
    /// back, longer than any window that starts before it). Such a window lies in a run of
    /// slices each with `need` free: it is the run's first slice, when the run reaches slice
    /// `a` (the claim covers the rest) or lasts `dur`.
    fn earlier_run(&mut self, a: usize, dur: SimDuration, need: u64) -> Option<SimTime> {
        // The most cores free in slices `0..=k`, kept until the profile changes, skips the
        // slices before the first with `need` free, and proves most reservations immobile.
        let mut peak = self.peaks.last().copied().unwrap_or(0);
        while self.peaks.len() < a {
            peak = peak.max(self.cores[self.peaks.len()]);
            self.peaks.push(peak);
        }
        if a == 0 || self.peaks[a - 1] < need {
            return None;
        }
        // When no window from the first slice ends before slice `a - 1`, only the run holding
        // that slice can hold one, and the loop goes straight to it.
        let mut k = if self.starts[0].saturating_add(dur) > self.starts[a - 1] {
            0
        } else {
            self.peaks[..a].partition_point(|&p| p < need)
        };
        while k < a {
            let from = self.starts[k];
            if from.saturating_add(dur) > self.starts[a - 1] {
                // A run from here on can only hold the window by reaching slice `a`: the run
                // holding slice `a - 1`, if that has the cores.
                if self.cores[a - 1] < need {
                    return None;
                }
                let mut r = a - 1;
                while r > k && self.cores[r - 1] >= need {
                    r -= 1;
                }
                return Some(self.starts[r]);
            }
            let mut e = k + 1;
            while e < a && self.cores[e] >= need {
                e += 1;
            }
            if e == a || from.saturating_add(dur) <= self.starts[e] {
                return Some(from);
            }
            k = e + 1;
            while k < a && self.cores[k] < need {
                k += 1;
            }
        }
        None
    }

    /// First fit on the per-node minimum over slices `i..k`, over the partition's nodes. When
    /// the job does not fit, returns the highest `r` such that slices `r..k` alone cannot hold
    /// it: a later candidate window that starts at or before slice `r` reaches slice `k - 1`
    /// too, so it cannot fit either. Slices are taken from the last back, each row read in
    /// node order, keeping only the nodes that can still hold a task; the search stops as soon
    /// as those hold fewer tasks than the job needs.
    fn window_fit(
        &mut self,
        i: usize,
        k: usize,
        task: Res,
        tasks: u32,
        part: &Partition,
        out: &mut Allocation,
    ) -> Result<(), usize> {
        out.0.clear();
        if tasks == 0 {
            return Ok(());
        }
        if self.nodes == 1 && task.mem == 0 && task.gpus == 0 {
            // One node and cores only: the caller's count check over the window was this check.
            out.0.push((part.nodes()[0], task.times(tasks)));
            return Ok(());
        }
        let mut alive = std::mem::take(&mut self.alive);
        alive.clear();
        let need = u64::from(tasks);
        let row_of = |r: usize| self.row[r] as usize * self.nodes;
        let last = &self.pool[row_of(k - 1)..row_of(k - 1) + self.nodes];
        let mut room = 0u64;
        for &node in part.nodes() {
            let min = last[node as usize];
            if task.fits_in(min) {
                // Counts are capped at the job's tasks: no node gives it more, and the sum
                // still reaches `tasks` exactly when the uncapped one does.
                let t = task.count_in(min).min(tasks);
                room += u64::from(t);
                alive.push(Candidate { node, min, tasks: t });
            }
        }
        let mut result = if room < need { Err(k - 1) } else { Ok(()) };
        if result.is_ok() {
            for r in (i..k - 1).rev() {
                let free = &self.pool[row_of(r)..row_of(r) + self.nodes];
                // A plain compaction: `retain_mut`'s overhead showed on one-node machines.
                let mut kept = 0;
                for x in 0..alive.len() {
                    let mut c = alive[x];
                    let f = free[c.node as usize];
                    if !c.min.fits_in(f) {
                        c.min = c.min.min(f);
                        // Divisions only when the count drops (never on a flat machine, whose
                        // count check has already passed).
                        if !task.times(c.tasks).fits_in(c.min) {
                            let t = if task.fits_in(c.min) { task.count_in(c.min).min(tasks) } else { 0 };
                            room -= u64::from(c.tasks - t);
                            c.tasks = t;
                        }
                    }
                    if c.tasks > 0 {
                        alive[kept] = c;
                        kept += 1;
                    }
                }
                alive.truncate(kept);
                if room < need {
                    result = Err(r);
                    break;
                }
            }
        }
        if result.is_ok() {
            let mut left = tasks;
            for c in &alive {
                let take = c.tasks.min(left);
                out.0.push((c.node, task.times(take)));
                left -= take;
                if left == 0 {
                    break;
                }
            }
        }
        self.alive = alive;
        result
    }

    /// Claims `alloc` from `start` for `dur`. The caller reserves only what [`Profile::earliest`]
    /// offered; debug builds check it (the check cost a tenth of a conservative run).
    pub fn reserve(&mut self, start: SimTime, dur: SimDuration, alloc: &[(NodeId, Res)]) {
        let (i, j) = self.span(start, start.saturating_add(dur.max(MIN_SPAN)));
        self.claim(i, j, alloc);
    }

    /// Claims `alloc` in slices `i..j`.
    fn claim(&mut self, i: usize, j: usize, alloc: &[(NodeId, Res)]) {
        // Splits and claims touch slice `i` and on.
        self.peaks.truncate(i);
        self.add::<true>(i, j, alloc);
    }

    /// Gives back `alloc` from `from` until `until` (a reservation withdrawn, or the unused
    /// tail of a job that ended before its estimate).
    pub fn release(&mut self, from: SimTime, until: SimTime, alloc: &[(NodeId, Res)]) {
        if until <= from {
            return;
        }
        let (i, j) = self.span(from, until);
        // Splits, gains and merges touch slice `i` and on.
        self.peaks.truncate(i);
        self.add::<false>(i, j, alloc);
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
                self.part_cores.resize(self.part_cores.len() + self.parts.len(), 0);
                r
            }
        };
        let dst = row as usize * self.nodes;
        self.pool.copy_within(src..src + self.nodes, dst);
        let n_parts = self.parts.len();
        let (src, dst) = (self.row[i - 1] as usize * n_parts, row as usize * n_parts);
        self.part_cores.copy_within(src..src + n_parts, dst);
        self.starts.insert(i, t);
        self.cores.insert(i, self.cores[i - 1]);
        self.row.insert(i, row);
        i
    }

    /// Merges equal neighbours at the edges of a released range, keeping the profile short.
    fn merge_around(&mut self, i: usize, j: usize) {
        // Edges: between j-1 and j, then between i-1 and i (higher index first, so that
        // removing one does not shift the other).
        self.merge_at(j);
        self.merge_at(i);
    }

    /// Merges slice `edge` into the one before when both have the same free resources.
    fn merge_at(&mut self, edge: usize) {
        if edge > 0 && edge < self.starts.len() && self.free(edge - 1) == self.free(edge) {
            self.peaks.truncate(edge);
            self.starts.remove(edge);
            self.cores.remove(edge);
            self.spare.push(self.row.remove(edge));
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
    fn a_reservation_that_cannot_move_stays_and_one_that_can_moves() {
        // 10 cores: 8 busy until 100; a job of 6 cores for 100 is reserved at 100 (the earliest).
        let cl = Cluster::flat(10);
        let all = &cl.partitions()[0];
        let mut p = Profile::new(&cl, s(0));
        let running = Allocation(vec![(0, c(8))]);
        p.reserve(s(0), d(100), &running);
        let mut a = Allocation::default();
        assert_eq!(p.earliest(c(1), 6, d(100), all, &mut a), s(100));
        p.reserve(s(100), d(100), &a);
        assert_eq!(p.compress(s(100), d(100), &a), Compression::Stays);
        // The running job ends at 50: [50, 150) has 10 free and then 4 besides the job's own
        // claim, so it fits at 50 only once that claim is counted as given back.
        p.release(s(50), s(100), &running);
        assert_eq!(p.compress(s(100), d(100), &a), Compression::Moved(s(50)));
        let free: Vec<u32> = [0, 49, 50, 149, 150].iter().map(|&t| p.free_at(s(t), 0).cores).collect();
        assert_eq!(free, vec![2, 2, 4, 4, 10]);
    }

    /// The plain search the scans must agree with: every slice start in order, the per-node
    /// minimum over the whole window, first fit.
    fn earliest_by_hand(
        p: &Profile,
        task: Res,
        tasks: u32,
        dur: SimDuration,
        part: &Partition,
    ) -> (SimTime, Allocation) {
        for i in 0..p.len() {
            let end = p.starts[i].saturating_add(dur.max(MIN_SPAN));
            let (mut out, mut left) = (Allocation::default(), tasks);
            for &n in part.nodes() {
                let window = (i..p.len()).take_while(|&k| k == i || p.starts[k] < end);
                let m = window.map(|k| p.free(k)[n as usize]).fold(p.free(i)[n as usize], Res::min);
                let take = task.count_in(m).min(left);
                if take > 0 {
                    out.0.push((n, task.times(take)));
                    left -= take;
                }
            }
            if left == 0 {
                return (p.starts[i], out);
            }
        }
        unreachable!("the last slice is the empty machine")
    }

    /// A job for the property tests: task cores and memory, tasks, duration, partition.
    fn job() -> impl proptest::strategy::Strategy<Value = (u32, u32, u32, i64, usize)> {
        (1u32..5, 0u32..3, 1u32..5, 1i64..40, 0usize..2)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

        /// On nodes of different sizes, with memory, and two overlapping partitions, the
        /// search (with its skips and its backward scan) finds what the plain search finds.
        #[test]
        fn the_search_finds_the_plain_searchs_start_and_nodes(
            caps in proptest::collection::vec((1u32..9, 1u32..6), 1..5),
            jobs in proptest::collection::vec(job(), 1..25),
            withdraw in proptest::collection::vec(proptest::bool::ANY, 25),
        ) {
            let nodes: Vec<Res> = caps.iter().map(|&(c, m)| Res::new(c, m, 0)).collect();
            let n = nodes.len() as NodeId;
            let parts = vec![
                ("all".to_string(), (0..n).collect(), Default::default()),
                ("tail".to_string(), ((n - 1) / 2..n).collect(), Default::default()),
            ];
            let cl = Cluster::new(nodes, parts).unwrap();
            let mut p = Profile::new(&cl, s(0));
            let mut placed = Vec::new();
            let mut a = Allocation::default();
            for (x, &(cores, mem, tasks, dur, part)) in jobs.iter().enumerate() {
                let (task, part) = (Res::new(cores, mem, 0), &cl.partitions()[part]);
                if part.capacity_for(task, &cl) < u64::from(tasks) {
                    continue;
                }
                let want = earliest_by_hand(&p, task, tasks, d(dur), part);
                let start = p.earliest(task, tasks, d(dur), part, &mut a);
                proptest::prop_assert_eq!((start, &a), (want.0, &want.1));
                p.reserve(start, d(dur), &a);
                proptest::prop_assert!(counts_agree(&p, &cl));
                placed.push((start, d(dur), a.clone()));
                if withdraw[x] {
                    let (from, dur, gone) = placed.swap_remove(x % placed.len());
                    p.release(from, from.saturating_add(dur), &gone);
                    proptest::prop_assert!(counts_agree(&p, &cl));
                }
            }
        }

        /// On one node, with memory asked by some jobs, compressing a reservation leaves it
        /// where withdrawing it and searching again would put it, and the profile as that
        /// would leave it.
        #[test]
        fn a_compressed_reservation_goes_where_a_new_search_puts_it(
            jobs in proptest::collection::vec(job(), 1..25),
            ends in proptest::collection::vec(0i64..40, 25),
        ) {
            let cl = Cluster::new(vec![Res::new(6, 4, 0)], vec![("all".to_string(), vec![0], Default::default())]).unwrap();
            let all = &cl.partitions()[0];
            let mut p = Profile::new(&cl, s(0));
            let mut placed = Vec::new();
            let mut a = Allocation::default();
            for &(cores, mem, tasks, dur, _) in &jobs {
                let task = Res::new(cores, mem % 2 * mem, 0);
                if all.capacity_for(task, &cl) < u64::from(tasks) {
                    continue;
                }
                let start = p.earliest(task, tasks, d(dur), all, &mut a);
                p.reserve(start, d(dur), &a);
                placed.push((start, d(dur), a.clone(), task, tasks));
            }
            // Jobs end early: the first few give back the tail of their claims.
            for (x, &cut) in ends.iter().enumerate().take(placed.len() / 2) {
                let (from, dur, ref alloc, ..) = placed[x];
                let early = from.saturating_add(d(cut.min(dur.0 - 1)));
                p.release(early, from.saturating_add(dur), alloc);
                placed[x].1 = d(early.0 - from.0);
            }
            let half = placed.len() / 2;
            for (from, dur, alloc, task, tasks) in placed.iter_mut().skip(half) {
                let mut q = p.clone();
                q.release(*from, from.saturating_add(*dur), alloc);
                let again = q.earliest(*task, *tasks, *dur, all, &mut a);
                q.reserve(again, *dur, &a);
                match p.compress(*from, *dur, alloc) {
                    Compression::Stays => proptest::prop_assert_eq!((again, &a), (*from, &*alloc)),
                    Compression::Moved(to) => proptest::prop_assert_eq!((again, &a), (to, &*alloc)),
                    Compression::Search => p = q.clone(),
                }
                proptest::prop_assert_eq!(steps(&p), steps(&q));
                *from = again;
            }
        }
    }

    proptest::proptest! {
        /// From any hint, on any profile, `find` gives what a binary search gives.
        #[test]
        fn a_search_from_a_hint_finds_what_a_binary_search_finds(
            claims in proptest::collection::vec((0i64..200, 1i64..50), 0..40),
            probes in proptest::collection::vec((0i64..260, 0usize..100), 1..40),
        ) {
            let cl = Cluster::flat(1000);
            let mut p = Profile::new(&cl, s(0));
            for &(from, dur) in &claims {
                p.reserve(s(from), d(dur), &Allocation(vec![(0, c(1))]));
            }
            for &(t, hint) in &probes {
                p.hint = hint;
                let want = p.starts.binary_search(&s(t));
                proptest::prop_assert_eq!(p.find(s(t)), want);
            }
        }
    }

    /// Whether every slice's count of free cores, on the machine and on each partition that
    /// leaves a node out, is the sum over its nodes.
    fn counts_agree(p: &Profile, cl: &Cluster) -> bool {
        (0..p.len()).all(|k| {
            let sum = |nodes: &[NodeId]| nodes.iter().map(|&n| u64::from(p.free(k)[n as usize].cores)).sum::<u64>();
            let all: Vec<NodeId> = (0..p.nodes as NodeId).collect();
            p.cores[k] == sum(&all)
                && p.parts.iter().enumerate().all(|(x, name)| {
                    let part = &cl.partitions()[cl.partition_named(name).unwrap() as usize];
                    p.part_cores[p.row[k] as usize * p.parts.len() + x] == sum(part.nodes())
                })
        })
    }

    /// The free resources and core counts as a function of time: slices with their equal
    /// successors folded in, so that profiles sliced differently compare equal.
    fn steps(p: &Profile) -> Vec<(SimTime, u64, Vec<Res>)> {
        let mut out: Vec<(SimTime, u64, Vec<Res>)> = Vec::new();
        for k in 0..p.len() {
            if out.last().is_none_or(|l| (l.1, &l.2[..]) != (p.cores[k], p.free(k))) {
                out.push((p.starts[k], p.cores[k], p.free(k).to_vec()));
            }
        }
        out
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
