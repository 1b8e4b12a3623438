//! EASY backfilling (Lifka 1995; Mu'alem & Feitelson 2001), node-aware: jobs start in queue
//! order while they fit; the first that does not fit gets a reservation on specific nodes at
//! the earliest instant the running jobs' estimates free enough cores (its shadow time);
//! later jobs may start now if they fit without touching those cores before they are needed.
//! On one flat node this is the classic count-based algorithm.

use super::{Backfill, Pass};
use crate::cluster::{Allocation, NodeId};
use crate::time::SimTime;
use crate::workload::JobIdx;

/// Scratch space is kept between passes so that a pass allocates nothing.
#[derive(Default)]
pub struct Easy {
    alloc: Allocation,
    /// Cores each node gets back from running jobs by the shadow time (nodes in `touched`).
    released: Vec<u32>,
    /// For nodes in `touched`: cores still free at the shadow time once the reservation is
    /// taken. A job running past the shadow time may use no more than this on the node.
    extra: Vec<u32>,
    limited: Vec<bool>,
    touched: Vec<NodeId>,
}

impl Backfill for Easy {
    fn schedule(&mut self, pass: &mut Pass<'_>) {
        let (queue, jobs, estimates) = (pass.queue, pass.jobs, pass.estimates);
        let mut rest = queue.iter();
        // Start jobs in order while they fit; the first that does not is the head.
        let head = loop {
            let Some(&j) = rest.next() else { return };
            if !pass.occupancy().first_fit(jobs[j as usize].procs, &mut self.alloc) {
                break j;
            }
            pass.start(j, std::mem::take(&mut self.alloc));
        };
        if pass.occupancy().total_free() == 0 {
            return;
        }
        let shadow = self.reserve_for(pass, head);
        pass.promise(head, shadow);
        let mut long_avail = self.long_avail(pass);

        for &j in rest {
            let free_total = pass.occupancy().total_free();
            if free_total == 0 {
                break;
            }
            let procs = jobs[j as usize].procs;
            if u64::from(procs) > free_total {
                continue;
            }
            let ends_in_time = pass.now.saturating_add(estimates[j as usize]) <= shadow;
            if ends_in_time {
                if !pass.occupancy().first_fit(procs, &mut self.alloc) {
                    continue;
                }
                // Taking cores the reservation needs later is fine for this job, but it
                // shrinks what a long job could use now on those nodes.
                let before = self.cap_sum(pass, &self.alloc);
                pass.start(j, std::mem::take(&mut self.alloc));
                let after = self.cap_sum(pass, pass.allocation(j));
                long_avail -= before - after;
            } else {
                if u64::from(procs) > long_avail {
                    continue;
                }
                let (limited, extra) = (&self.limited, &self.extra);
                let cap = |n: NodeId, free: u32| {
                    if limited[n as usize] {
                        free.min(extra[n as usize])
                    } else {
                        free
                    }
                };
                if !pass.occupancy().first_fit_capped(procs, cap, &mut self.alloc) {
                    continue;
                }
                for &(n, c) in &self.alloc.0 {
                    if self.limited[n as usize] {
                        self.extra[n as usize] -= c;
                    }
                }
                long_avail -= u64::from(procs);
                pass.start(j, std::mem::take(&mut self.alloc));
            }
        }
        for &n in &self.touched {
            self.limited[n as usize] = false;
            self.released[n as usize] = 0;
        }
        self.touched.clear();
    }
}

impl Easy {
    /// Finds the head's shadow time and reserves its cores: fills `extra` for every node the
    /// running jobs release by then or the reservation uses.
    fn reserve_for(&mut self, pass: &Pass<'_>, head: JobIdx) -> SimTime {
        let n_nodes = pass.occupancy().node_count();
        if self.released.len() != n_nodes {
            self.released = vec![0; n_nodes];
            self.extra = vec![0; n_nodes];
            self.limited = vec![false; n_nodes];
        }
        let need = u64::from(pass.jobs[head as usize].procs);
        let mut avail = pass.occupancy().total_free();
        let mut shadow = None;
        for &(end, r) in pass.running() {
            // Every job ending at the shadow time frees its cores by then, not only the one
            // that made the head fit.
            if shadow.is_some_and(|s| end > s) {
                break;
            }
            for &(n, c) in &pass.allocation(r).0 {
                if !self.limited[n as usize] {
                    self.limited[n as usize] = true;
                    self.touched.push(n);
                }
                self.released[n as usize] += c;
            }
            avail += pass.allocation(r).cores();
            if shadow.is_none() && avail >= need {
                shadow = Some(end);
            }
        }
        let shadow = shadow.expect("the engine rejects jobs larger than the cluster");

        // Everything a node has free at the shadow time is extra until the reservation
        // claims it: first fit over nodes free now or released by then, in id order.
        let occ = pass.occupancy();
        for &n in &self.touched {
            self.extra[n as usize] = occ.free_on(n) + self.released[n as usize];
        }
        let mut candidates: Vec<NodeId> = occ.nonfull_nodes().collect();
        candidates.extend_from_slice(&self.touched);
        candidates.sort_unstable();
        candidates.dedup();
        let mut left = need as u32;
        for n in candidates {
            let free_then = occ.free_on(n) + self.released[n as usize];
            let take = free_then.min(left);
            left -= take;
            if !self.limited[n as usize] {
                self.limited[n as usize] = true;
                self.touched.push(n);
            }
            self.extra[n as usize] = free_then - take;
            if left == 0 {
                break;
            }
        }
        shadow
    }

    /// Cores a job running past the shadow time could use now, over all nodes.
    fn long_avail(&self, pass: &Pass<'_>) -> u64 {
        let occ = pass.occupancy();
        let mut held_back = 0u64;
        for &n in &self.touched {
            let free = occ.free_on(n);
            held_back += u64::from(free - free.min(self.extra[n as usize]));
        }
        occ.total_free() - held_back
    }

    /// What a long job could use on the allocation's nodes.
    fn cap_sum(&self, pass: &Pass<'_>, alloc: &Allocation) -> u64 {
        let occ = pass.occupancy();
        alloc
            .0
            .iter()
            .map(|&(n, _)| {
                let free = occ.free_on(n);
                u64::from(if self.limited[n as usize] { free.min(self.extra[n as usize]) } else { free })
            })
            .sum()
    }
}
