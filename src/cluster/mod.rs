//! The compute cluster: nodes and their capacities, which cores are in use now, and
//! deterministic placement (first fit over node ids).

pub mod login;
pub mod profile;

pub use crate::res::Res;
pub use profile::{Compression, Profile};

use crate::res::PartitionIdx;
use crate::time::SimDuration;

/// Index of a node, 0-based. Placement prefers lower ids.
pub type NodeId = u32;

/// What a partition allows and how it ranks against others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Longest walltime a job may request; longer requests are rejected.
    pub max_walltime: Option<SimDuration>,
    /// Most nodes a job may span; a job that needs more is rejected.
    pub max_nodes: Option<u32>,
    /// Most jobs (queued and running) a user may have here; one more is refused at submission.
    pub max_jobs_per_user: Option<u32>,
    /// Most memory (MiB) one job may ask for in all.
    pub max_mem_per_job: Option<u64>,
    /// Jobs of a higher tier are queued ahead, and may preempt lower tiers (see `preempt`).
    pub priority_tier: u32,
    /// What happens to this partition's jobs when a higher tier needs their nodes.
    pub preempt: PreemptMode,
    /// An interactive session left idle this long is ended.
    pub idle_timeout: Option<SimDuration>,
    /// The limit of a job that gives none (Slurm's `DefaultTime`).
    pub default_time: Option<SimDuration>,
    /// Slurm's `PriorityJobFactor`, the partition term of multifactor priority (None: Slurm's
    /// default, 1).
    pub priority_job_factor: Option<u32>,
}

/// How a running job gives way to a higher-tier job that needs its nodes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PreemptMode {
    /// Never preempted.
    #[default]
    Off,
    /// Killed; its outcome is `preempted`.
    Cancel,
    /// Stopped and queued again; it restarts from the beginning.
    Requeue,
    /// Stopped and queued again; it resumes where it stopped (on any nodes: a checkpoint).
    Suspend,
}

impl PreemptMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PreemptMode::Off => "off",
            PreemptMode::Cancel => "cancel",
            PreemptMode::Requeue => "requeue",
            PreemptMode::Suspend => "suspend",
        }
    }
}

/// A named set of nodes with limits. Nodes may belong to several partitions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    pub name: String,
    nodes: Vec<NodeId>,
    /// Bit `n` set when node `n` belongs here.
    mask: Vec<u64>,
    total: Res,
    pub limits: Limits,
}

impl Partition {
    pub fn nodes(&self) -> &[NodeId] {
        &self.nodes
    }

    pub fn contains(&self, node: NodeId) -> bool {
        self.mask.get(node as usize / 64).is_some_and(|w| w & (1 << (node % 64)) != 0)
    }

    /// Everything the partition's nodes hold together.
    pub fn total(&self) -> Res {
        self.total
    }

    /// Most tasks shaped like `task` that fit on the partition when it is empty.
    pub fn capacity_for(&self, task: Res, cluster: &Cluster) -> u64 {
        self.nodes.iter().map(|&n| u64::from(task.count_in(cluster.capacity(n)))).sum()
    }

    /// The fewest nodes `tasks` tasks shaped like `task` can run on here: filling the largest
    /// nodes first.
    pub fn min_nodes(&self, task: Res, tasks: u32, cluster: &Cluster) -> u64 {
        let mut per_node: Vec<u32> = self.nodes.iter().map(|&n| task.count_in(cluster.capacity(n))).collect();
        per_node.sort_unstable_by(|a, b| b.cmp(a));
        let mut left = u64::from(tasks);
        let mut nodes = 0;
        for k in per_node {
            if left == 0 || k == 0 {
                break;
            }
            left = left.saturating_sub(u64::from(k));
            nodes += 1;
        }
        nodes
    }
}

/// A partition that cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClusterError {
    #[error("the cluster has no nodes")]
    NoNodes,
    #[error("partition {partition:?} names node {node}, but the cluster has nodes 0 to {last}")]
    NoSuchNode { partition: String, node: NodeId, last: NodeId },
    #[error("partition {0:?} has no nodes")]
    EmptyPartition(String),
    #[error("partition {0:?} is defined twice")]
    DuplicatePartition(String),
    #[error("no partitions: a cluster needs at least one")]
    NoPartitions,
}

/// The machine a run simulates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    nodes: Vec<Res>,
    total: Res,
    partitions: Vec<Partition>,
}

impl Cluster {
    /// One node holding every processor: what a flat SWF `MaxProcs` describes. Node-aware
    /// policies on this cluster are the classic count-based algorithms.
    pub fn flat(procs: u32) -> Cluster {
        Cluster::uniform(1, procs)
    }

    /// `nodes` identical nodes of `cores_per_node` cores each.
    pub fn uniform(nodes: u32, cores_per_node: u32) -> Cluster {
        Cluster::whole(vec![Res::cores(cores_per_node); nodes as usize])
    }

    /// Nodes with the given capacities, in id order, as one partition `all` with no limits.
    pub fn whole(nodes: Vec<Res>) -> Cluster {
        let all = (0..nodes.len() as NodeId).collect();
        Cluster::new(nodes, vec![("all".to_string(), all, Limits::default())]).expect("one partition of every node")
    }

    /// Nodes and named partitions `(name, node ids, limits)`.
    pub fn new(nodes: Vec<Res>, partitions: Vec<(String, Vec<NodeId>, Limits)>) -> Result<Cluster, ClusterError> {
        if nodes.is_empty() {
            return Err(ClusterError::NoNodes);
        }
        if partitions.is_empty() {
            return Err(ClusterError::NoPartitions);
        }
        let total = nodes.iter().fold(Res::ZERO, |a, &n| a.plus(n));
        let last = nodes.len() as NodeId - 1;
        let mut built: Vec<Partition> = Vec::with_capacity(partitions.len());
        for (name, mut ids, limits) in partitions {
            if built.iter().any(|p| p.name == name) {
                return Err(ClusterError::DuplicatePartition(name));
            }
            ids.sort_unstable();
            ids.dedup();
            if ids.is_empty() {
                return Err(ClusterError::EmptyPartition(name));
            }
            if let Some(&bad) = ids.iter().find(|&&n| n > last) {
                return Err(ClusterError::NoSuchNode { partition: name, node: bad, last });
            }
            let mut mask = vec![0u64; nodes.len().div_ceil(64)];
            for &n in &ids {
                mask[n as usize / 64] |= 1 << (n % 64);
            }
            let ptotal = ids.iter().fold(Res::ZERO, |a, &n| a.plus(nodes[n as usize]));
            built.push(Partition { name, nodes: ids, mask, total: ptotal, limits });
        }
        Ok(Cluster { nodes, total, partitions: built })
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn capacity(&self, node: NodeId) -> Res {
        self.nodes[node as usize]
    }

    pub fn cores_of(&self, node: NodeId) -> u32 {
        self.nodes[node as usize].cores
    }

    pub fn total(&self) -> Res {
        self.total
    }

    pub fn total_cores(&self) -> u64 {
        u64::from(self.total.cores)
    }

    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    pub fn partition(&self, p: PartitionIdx) -> &Partition {
        &self.partitions[p as usize]
    }

    /// The index of the partition called `name`.
    pub fn partition_named(&self, name: &str) -> Option<PartitionIdx> {
        self.partitions.iter().position(|p| p.name == name).map(|i| i as PartitionIdx)
    }

    /// A description for reports: `240 cores` or `200 nodes × 32 cores`.
    pub fn describe(&self) -> String {
        let cores: Vec<u32> = self.nodes.iter().map(|n| n.cores).collect();
        let text = match cores.as_slice() {
            [one] => format!("{one} cores (one flat node)"),
            [first, rest @ ..] if rest.iter().all(|c| c == first) => {
                format!("{} nodes × {} cores", cores.len(), first)
            }
            _ => format!("{} nodes, {} cores", cores.len(), self.total.cores),
        };
        if self.partitions.len() > 1 {
            let names: Vec<&str> = self.partitions.iter().map(|p| p.name.as_str()).collect();
            format!("{text}, partitions {}", names.join(", "))
        } else {
            text
        }
    }
}

/// What a job holds, as (node, resources) pairs in ascending node order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allocation(pub Vec<(NodeId, Res)>);

impl Allocation {
    pub fn cores(&self) -> u64 {
        cores_in(&self.0)
    }

    pub fn nodes(&self) -> usize {
        self.0.len()
    }
}

impl std::ops::Deref for Allocation {
    type Target = [(NodeId, Res)];
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// The cores of an allocation's (node, resources) pairs.
pub fn cores_in(alloc: &[(NodeId, Res)]) -> u64 {
    alloc.iter().map(|&(_, r)| u64::from(r.cores)).sum()
}

/// Every job's allocation, by job index, in one pool: what it holds while it runs and last
/// held after, nothing before it starts. A run of millions of jobs would otherwise keep a small
/// heap vector for each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allocations {
    /// Each job's first entry in `pool` and its number of entries.
    spans: Vec<(u32, u32)>,
    pool: Vec<(NodeId, Res)>,
}

impl Allocations {
    /// `jobs` jobs holding nothing.
    pub fn new(jobs: usize) -> Allocations {
        Allocations { spans: vec![(0, 0); jobs], pool: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Records that `job` now holds `alloc`. A job started again (after a preemption) gets
    /// new entries; its old ones stay in the pool, unused.
    pub fn set(&mut self, job: usize, alloc: &[(NodeId, Res)]) {
        let at = u32::try_from(self.pool.len()).expect("fewer than 2^32 allocation entries in a run");
        self.pool.extend_from_slice(alloc);
        self.spans[job] = (at, alloc.len() as u32);
    }
}

impl std::ops::Index<usize> for Allocations {
    type Output = [(NodeId, Res)];
    fn index(&self, job: usize) -> &Self::Output {
        let (at, n) = self.spans[job];
        &self.pool[at as usize..at as usize + n as usize]
    }
}

/// What is free now, per node, with an index of the nodes that have a free core, so that
/// first fit skips full nodes without scanning them.
#[derive(Clone, Debug)]
pub struct Occupancy {
    free: Vec<Res>,
    total_free_cores: u64,
    /// Bit `n` is set when node `n` has a free core.
    nonfull: Vec<u64>,
}

impl Occupancy {
    /// Everything in `cluster` free.
    pub fn new(cluster: &Cluster) -> Occupancy {
        let n = cluster.node_count();
        let mut occ = Occupancy {
            free: cluster.nodes.clone(),
            total_free_cores: cluster.total_cores(),
            nonfull: vec![0; n.div_ceil(64)],
        };
        for node in 0..n {
            occ.update_index(node);
        }
        occ
    }

    pub fn total_free_cores(&self) -> u64 {
        self.total_free_cores
    }

    pub fn node_count(&self) -> usize {
        self.free.len()
    }

    pub fn free_on(&self, node: NodeId) -> Res {
        self.free[node as usize]
    }

    /// Nodes of `part` with at least one free core, in ascending id order.
    pub fn nonfull_in<'a>(&'a self, part: &'a Partition) -> impl Iterator<Item = NodeId> + 'a {
        ids_of(self.nonfull.iter().zip(&part.mask).map(|(&word, &m)| word & m))
    }

    /// Nodes of `part` with at least one free core or whose bit is set in `also` (a bitset of
    /// node ids, 64 to a word, as long as the cluster's), in ascending id order, each once.
    pub fn nonfull_in_or<'a>(&'a self, part: &'a Partition, also: &'a [u64]) -> impl Iterator<Item = NodeId> + 'a {
        ids_of(self.nonfull.iter().zip(&part.mask).zip(also).map(|((&word, &m), &a)| (word | a) & m))
    }

    /// First fit: `tasks` tasks shaped `task` on the lowest-numbered nodes of `part` that
    /// hold them, each node offering at most `cap(node, free)` (a policy's limit, e.g. what a
    /// reservation leaves). Writes the allocation into `out` and returns true, or returns
    /// false (with `out` unspecified) when they do not fit.
    pub fn first_fit_capped(
        &self,
        task: Res,
        tasks: u32,
        part: &Partition,
        mut cap: impl FnMut(NodeId, Res) -> Res,
        out: &mut Allocation,
    ) -> bool {
        out.0.clear();
        if u64::from(task.cores) * u64::from(tasks) > self.total_free_cores {
            return false;
        }
        let mut left = tasks;
        if left == 0 {
            return true;
        }
        for node in self.nonfull_in(part) {
            let free = self.free[node as usize];
            let k = task.count_in(cap(node, free).min(free)).min(left);
            if k == 0 {
                continue;
            }
            out.0.push((node, task.times(k)));
            left -= k;
            if left == 0 {
                return true;
            }
        }
        false
    }

    /// First fit with no limit other than what is free.
    pub fn first_fit(&self, task: Res, tasks: u32, part: &Partition, out: &mut Allocation) -> bool {
        self.first_fit_capped(task, tasks, part, |_, free| free, out)
    }

    /// Marks the allocation's resources busy.
    ///
    /// # Panics
    /// If a node would hold more than its capacity: a policy decided an impossible start,
    /// which is a bug in the policy, not bad input.
    pub fn take(&mut self, alloc: &[(NodeId, Res)]) {
        for &(node, r) in alloc {
            let f = self.free[node as usize];
            assert!(r.fits_in(f), "capacity exceeded on node {node}: {r} asked, {f} free");
            self.free[node as usize] = f.minus(r);
            self.update_index(node as usize);
        }
        self.total_free_cores -= cores_in(alloc);
    }

    /// Returns the allocation's resources.
    pub fn give(&mut self, alloc: &[(NodeId, Res)]) {
        for &(node, r) in alloc {
            self.free[node as usize] = self.free[node as usize].plus(r);
            self.update_index(node as usize);
        }
        self.total_free_cores += cores_in(alloc);
    }

    fn update_index(&mut self, node: usize) {
        let (w, b) = (node / 64, node % 64);
        if self.free[node].cores > 0 {
            self.nonfull[w] |= 1 << b;
        } else {
            self.nonfull[w] &= !(1 << b);
        }
    }
}

/// The node ids whose bits are set in a bitset given word by word (64 nodes a word), ascending.
fn ids_of(words: impl Iterator<Item = u64>) -> impl Iterator<Item = NodeId> {
    words.enumerate().flat_map(|(w, mut bits)| {
        std::iter::from_fn(move || {
            if bits == 0 {
                return None;
            }
            let b = bits.trailing_zeros();
            bits &= bits - 1;
            Some((w as u32) * 64 + b)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_core(n: u32) -> (Res, u32) {
        (Res::cores(1), n)
    }

    #[test]
    fn the_pool_gives_each_job_its_last_allocation() {
        let mut a = Allocations::new(3);
        a.set(1, &[(0, Res::cores(2)), (3, Res::cores(1))]);
        a.set(2, &[(5, Res::cores(4))]);
        a.set(1, &[(7, Res::cores(1))]);
        assert_eq!((&a[0], &a[1], &a[2]), (&[][..], &[(7, Res::cores(1))][..], &[(5, Res::cores(4))][..]));
        assert_eq!(cores_in(&a[2]), 4);
    }

    #[test]
    fn first_fit_takes_lowest_nodes_first() {
        let c = Cluster::uniform(4, 2);
        let all = &c.partitions()[0];
        let mut occ = Occupancy::new(&c);
        let mut a = Allocation::default();
        let (t, n) = one_core(3);
        assert!(occ.first_fit(t, n, all, &mut a));
        assert_eq!(a.0, vec![(0, Res::cores(2)), (1, Res::cores(1))]);
        occ.take(&a);
        assert_eq!(occ.total_free_cores(), 5);
        assert!(occ.first_fit(Res::cores(1), 2, all, &mut a));
        assert_eq!(a.0, vec![(1, Res::cores(1)), (2, Res::cores(1))]);
        assert!(!occ.first_fit(Res::cores(1), 6, all, &mut a));
    }

    #[test]
    fn tasks_do_not_split_across_nodes() {
        // Two nodes of 4 cores and 8 GiB: a 3-core task fits once per node.
        let c = Cluster::whole(vec![Res::new(4, 8192, 0); 2]);
        let all = &c.partitions()[0];
        let occ = Occupancy::new(&c);
        let mut a = Allocation::default();
        assert!(occ.first_fit(Res::cores(3), 2, all, &mut a));
        assert_eq!(a.0, vec![(0, Res::cores(3)), (1, Res::cores(3))]);
        assert!(!occ.first_fit(Res::cores(3), 3, all, &mut a));
        // Memory is the limit here: 3 tasks of 1 core and 4 GiB need two nodes.
        assert!(occ.first_fit(Res::new(1, 4096, 0), 3, all, &mut a));
        assert_eq!(a.0, vec![(0, Res::new(2, 8192, 0)), (1, Res::new(1, 4096, 0))]);
    }

    #[test]
    fn partitions_restrict_placement() {
        let c = Cluster::new(
            vec![Res::cores(2); 4],
            vec![("low".into(), vec![0, 1], Limits::default()), ("high".into(), vec![2, 3], Limits::default())],
        )
        .unwrap();
        let occ = Occupancy::new(&c);
        let mut a = Allocation::default();
        assert!(occ.first_fit(Res::cores(1), 3, c.partition(1), &mut a));
        assert_eq!(a.0, vec![(2, Res::cores(2)), (3, Res::cores(1))]);
        assert!(!occ.first_fit(Res::cores(1), 5, c.partition(0), &mut a));
        assert_eq!(c.partition_named("high"), Some(1));
    }

    #[test]
    fn bad_partitions_are_refused() {
        let nodes = || vec![Res::cores(1); 3];
        let p = |name: &str, ids: Vec<NodeId>| (name.to_string(), ids, Limits::default());
        assert_eq!(
            Cluster::new(nodes(), vec![p("a", vec![0, 5])]),
            Err(ClusterError::NoSuchNode { partition: "a".into(), node: 5, last: 2 })
        );
        assert_eq!(Cluster::new(nodes(), vec![p("a", vec![])]), Err(ClusterError::EmptyPartition("a".into())));
        assert!(matches!(
            Cluster::new(nodes(), vec![p("a", vec![0]), p("a", vec![1])]),
            Err(ClusterError::DuplicatePartition(_))
        ));
    }

    #[test]
    fn caps_skip_held_cores() {
        let c = Cluster::uniform(3, 4);
        let all = &c.partitions()[0];
        let occ = Occupancy::new(&c);
        let mut a = Allocation::default();
        let cap = |n: NodeId, f: Res| if n == 0 { Res::ZERO } else { f };
        assert!(occ.first_fit_capped(Res::cores(1), 5, all, cap, &mut a));
        assert_eq!(a.0, vec![(1, Res::cores(4)), (2, Res::cores(1))]);
        assert!(!occ.first_fit_capped(Res::cores(1), 9, all, cap, &mut a));
    }

    #[test]
    fn index_tracks_full_nodes_beyond_one_word() {
        let c = Cluster::uniform(130, 1);
        let all = &c.partitions()[0];
        let mut occ = Occupancy::new(&c);
        let mut a = Allocation::default();
        assert!(occ.first_fit(Res::cores(1), 129, all, &mut a));
        occ.take(&a);
        assert_eq!(occ.nonfull_in(all).collect::<Vec<_>>(), vec![129]);
        occ.give(&[(64, Res::cores(1))]);
        assert_eq!(occ.nonfull_in(all).collect::<Vec<_>>(), vec![64, 129]);
    }

    #[test]
    #[should_panic(expected = "capacity exceeded")]
    fn taking_more_than_free_is_a_broken_invariant() {
        let c = Cluster::flat(4);
        let mut occ = Occupancy::new(&c);
        occ.take(&[(0, Res::cores(5))]);
    }
}
