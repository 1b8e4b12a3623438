//! The compute cluster: nodes and their capacities, which cores are in use now, and
//! deterministic placement (first fit over node ids).

pub mod profile;

pub use profile::Profile;

/// Index of a node, 0-based. Placement prefers lower ids.
pub type NodeId = u32;

/// The machine a run simulates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    cores: Vec<u32>,
    total_cores: u64,
}

impl Cluster {
    /// One node holding every processor: what a flat SWF `MaxProcs` describes. Node-aware
    /// policies on this cluster are the classic count-based algorithms.
    pub fn flat(procs: u32) -> Cluster {
        Cluster::uniform(1, procs)
    }

    /// `nodes` identical nodes of `cores_per_node` cores each.
    pub fn uniform(nodes: u32, cores_per_node: u32) -> Cluster {
        Cluster::from_cores(vec![cores_per_node; nodes as usize])
    }

    /// Nodes with the given core counts, in id order.
    pub fn from_cores(cores: Vec<u32>) -> Cluster {
        let total_cores = cores.iter().map(|&c| u64::from(c)).sum();
        Cluster { cores, total_cores }
    }

    pub fn node_count(&self) -> usize {
        self.cores.len()
    }

    pub fn cores_of(&self, node: NodeId) -> u32 {
        self.cores[node as usize]
    }

    pub fn total_cores(&self) -> u64 {
        self.total_cores
    }

    /// A description for reports: `240 cores` or `200 nodes × 32 cores`.
    pub fn describe(&self) -> String {
        match self.cores.as_slice() {
            [one] => format!("{one} cores (one flat node)"),
            [first, rest @ ..] if rest.iter().all(|c| c == first) => {
                format!("{} nodes × {} cores", self.cores.len(), first)
            }
            _ => format!("{} nodes, {} cores", self.cores.len(), self.total_cores),
        }
    }
}

/// Cores a job holds, as (node, cores) pairs in ascending node order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allocation(pub Vec<(NodeId, u32)>);

impl Allocation {
    pub fn cores(&self) -> u64 {
        self.0.iter().map(|&(_, c)| u64::from(c)).sum()
    }

    pub fn nodes(&self) -> usize {
        self.0.len()
    }
}

/// Which cores are free now, per node, with an index of the nodes that have any, so that
/// first fit skips full nodes without scanning them.
#[derive(Clone, Debug)]
pub struct Occupancy {
    free: Vec<u32>,
    total_free: u64,
    /// Bit `n` is set when node `n` has a free core.
    nonfull: Vec<u64>,
}

impl Occupancy {
    /// Every core of `cluster` free.
    pub fn new(cluster: &Cluster) -> Occupancy {
        let n = cluster.node_count();
        let mut occ = Occupancy {
            free: cluster.cores.clone(),
            total_free: cluster.total_cores,
            nonfull: vec![0; n.div_ceil(64)],
        };
        for node in 0..n {
            occ.update_index(node);
        }
        occ
    }

    pub fn total_free(&self) -> u64 {
        self.total_free
    }

    pub fn node_count(&self) -> usize {
        self.free.len()
    }

    pub fn free_on(&self, node: NodeId) -> u32 {
        self.free[node as usize]
    }

    /// Nodes with at least one free core, in ascending id order.
    pub fn nonfull_nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.nonfull.iter().enumerate().flat_map(|(w, &word)| {
            let mut bits = word;
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

    /// First fit: `cores` cores from the lowest-numbered nodes that have them, each node giving
    /// at most `cap(node, free)` (a policy's limit, e.g. cores kept for a reservation).
    /// Writes the allocation into `out` and returns true, or returns false and leaves `out`
    /// in an unspecified state when the cores cannot be found.
    pub fn first_fit_capped(&self, cores: u32, mut cap: impl FnMut(NodeId, u32) -> u32, out: &mut Allocation) -> bool {
        out.0.clear();
        if u64::from(cores) > self.total_free {
            return false;
        }
        let mut need = cores;
        if need == 0 {
            return true;
        }
        for node in self.nonfull_nodes() {
            let usable = cap(node, self.free[node as usize]).min(self.free[node as usize]);
            if usable == 0 {
                continue;
            }
            let take = usable.min(need);
            out.0.push((node, take));
            need -= take;
            if need == 0 {
                return true;
            }
        }
        false
    }

    /// First fit with no limit other than what is free.
    pub fn first_fit(&self, cores: u32, out: &mut Allocation) -> bool {
        self.first_fit_capped(cores, |_, free| free, out)
    }

    /// Marks the allocation's cores busy.
    ///
    /// # Panics
    /// If a node would go below zero free cores: a policy decided an impossible start, which
    /// is a bug in the policy, not bad input.
    pub fn take(&mut self, alloc: &Allocation) {
        for &(node, c) in &alloc.0 {
            let f = &mut self.free[node as usize];
            assert!(*f >= c, "capacity exceeded on node {node}: {c} cores asked, {f} free");
            *f -= c;
            self.update_index(node as usize);
        }
        self.total_free -= alloc.cores();
    }

    /// Returns the allocation's cores.
    pub fn give(&mut self, alloc: &Allocation) {
        for &(node, c) in &alloc.0 {
            self.free[node as usize] += c;
            self.update_index(node as usize);
        }
        self.total_free += alloc.cores();
    }

    fn update_index(&mut self, node: usize) {
        let (w, b) = (node / 64, node % 64);
        if self.free[node] > 0 {
            self.nonfull[w] |= 1 << b;
        } else {
            self.nonfull[w] &= !(1 << b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_fit_takes_lowest_nodes_first() {
        let c = Cluster::uniform(4, 2);
        let mut occ = Occupancy::new(&c);
        let mut a = Allocation::default();
        assert!(occ.first_fit(3, &mut a));
        assert_eq!(a.0, vec![(0, 2), (1, 1)]);
        occ.take(&a);
        assert_eq!(occ.total_free(), 5);
        assert!(occ.first_fit(2, &mut a));
        assert_eq!(a.0, vec![(1, 1), (2, 1)]);
        assert!(!occ.first_fit(6, &mut a));
    }

    #[test]
    fn caps_skip_held_cores() {
        let c = Cluster::uniform(3, 4);
        let occ = Occupancy::new(&c);
        let mut a = Allocation::default();
        assert!(occ.first_fit_capped(5, |n, f| if n == 0 { 0 } else { f }, &mut a));
        assert_eq!(a.0, vec![(1, 4), (2, 1)]);
        assert!(!occ.first_fit_capped(9, |n, f| if n == 0 { 0 } else { f }, &mut a));
    }

    #[test]
    fn index_tracks_full_nodes_beyond_one_word() {
        let c = Cluster::uniform(130, 1);
        let mut occ = Occupancy::new(&c);
        let mut a = Allocation::default();
        assert!(occ.first_fit(129, &mut a));
        occ.take(&a);
        assert_eq!(occ.nonfull_nodes().collect::<Vec<_>>(), vec![129]);
        occ.give(&Allocation(vec![(64, 1)]));
        assert_eq!(occ.nonfull_nodes().collect::<Vec<_>>(), vec![64, 129]);
    }

    #[test]
    #[should_panic(expected = "capacity exceeded")]
    fn taking_more_than_free_is_a_broken_invariant() {
        let c = Cluster::flat(4);
        let mut occ = Occupancy::new(&c);
        occ.take(&Allocation(vec![(0, 5)]));
    }
}
