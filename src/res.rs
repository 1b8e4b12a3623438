//! Resource vectors (what a node has and what one task of a job needs: cores, memory, GPUs)
//! and partition indices: the low-level types both the cluster and the workload use, kept
//! below both so that neither imports the other's.

use std::fmt;

/// Index of a partition in its cluster; 0 is the default (the whole machine for a trace).
pub type PartitionIdx = u16;

/// Cores, memory in MiB and GPUs. A node's capacity, free resources, or one task's needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Res {
    pub cores: u32,
    /// MiB.
    pub mem: u32,
    pub gpus: u32,
}

impl Res {
    pub const ZERO: Res = Res { cores: 0, mem: 0, gpus: 0 };

    /// Cores only: what an SWF task (one processor) needs, or a flat machine has.
    pub const fn cores(cores: u32) -> Res {
        Res { cores, mem: 0, gpus: 0 }
    }

    pub const fn new(cores: u32, mem: u32, gpus: u32) -> Res {
        Res { cores, mem, gpus }
    }

    /// Every component no larger than `other`'s.
    pub fn fits_in(self, other: Res) -> bool {
        self.cores <= other.cores && self.mem <= other.mem && self.gpus <= other.gpus
    }

    /// How many tasks shaped like `self` fit in `free` (a task needing nothing fits without
    /// limit).
    pub fn count_in(self, free: Res) -> u32 {
        let per = |need: u32, have: u32| have.checked_div(need).unwrap_or(u32::MAX);
        per(self.cores, free.cores).min(per(self.mem, free.mem)).min(per(self.gpus, free.gpus))
    }

    /// `k` tasks shaped like `self`, saturating at `u32::MAX` per component.
    pub fn times(self, k: u32) -> Res {
        Res { cores: self.cores.saturating_mul(k), mem: self.mem.saturating_mul(k), gpus: self.gpus.saturating_mul(k) }
    }

    pub fn min(self, o: Res) -> Res {
        Res { cores: self.cores.min(o.cores), mem: self.mem.min(o.mem), gpus: self.gpus.min(o.gpus) }
    }

    /// Component-wise `self − o`.
    ///
    /// # Panics
    /// If any component would go negative: a caller took more than was there.
    pub fn minus(self, o: Res) -> Res {
        Res {
            cores: self.cores.checked_sub(o.cores).expect("cores went negative"),
            mem: self.mem.checked_sub(o.mem).expect("memory went negative"),
            gpus: self.gpus.checked_sub(o.gpus).expect("GPUs went negative"),
        }
    }

    /// Component-wise `self − o`, stopping at zero.
    pub fn saturating_minus(self, o: Res) -> Res {
        Res {
            cores: self.cores.saturating_sub(o.cores),
            mem: self.mem.saturating_sub(o.mem),
            gpus: self.gpus.saturating_sub(o.gpus),
        }
    }

    pub fn plus(self, o: Res) -> Res {
        Res { cores: self.cores + o.cores, mem: self.mem + o.mem, gpus: self.gpus + o.gpus }
    }
}

impl fmt::Display for Res {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} cores", self.cores)?;
        if self.mem > 0 {
            write!(f, ", {} MiB", self.mem)?;
        }
        if self.gpus > 0 {
            write!(f, ", {} GPUs", self.gpus)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_tasks_by_the_scarcest_resource() {
        let node = Res::new(32, 192 * 1024, 4);
        assert_eq!(Res::cores(1).count_in(node), 32);
        assert_eq!(Res::new(4, 64 * 1024, 0).count_in(node), 3);
        assert_eq!(Res::new(1, 0, 1).count_in(node), 4);
        assert_eq!(Res::new(8, 0, 0).count_in(Res::cores(7)), 0);
    }

    #[test]
    fn arithmetic_is_component_wise() {
        let a = Res::new(4, 100, 1);
        assert_eq!(a.times(3), Res::new(12, 300, 3));
        assert_eq!(a.times(3).minus(a), Res::new(8, 200, 2));
        assert!(a.fits_in(Res::new(4, 100, 1)) && !a.fits_in(Res::new(4, 99, 1)));
        assert_eq!(a.saturating_minus(Res::new(5, 0, 0)), Res::new(0, 100, 1));
    }
}
