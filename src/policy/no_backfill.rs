//! No backfilling: jobs start strictly in queue order, and the first that does not fit
//! blocks every job behind it in its partition (as Slurm's main scheduler stops considering
//! a partition once a job there cannot start).

use super::{Backfill, Pass};
use crate::cluster::Allocation;

#[derive(Default)]
pub struct NoBackfill {
    alloc: Allocation,
    blocked: Vec<bool>,
}

impl Backfill for NoBackfill {
    fn schedule(&mut self, pass: &mut Pass<'_>) {
        let (queue, jobs, cluster) = (pass.queue, pass.jobs, pass.cluster);
        self.blocked.clear();
        self.blocked.resize(cluster.partitions().len(), false);
        for &j in queue {
            let job = &jobs[j as usize];
            let p = job.partition as usize;
            if self.blocked[p] {
                continue;
            }
            if !pass.occupancy().first_fit(job.task, job.tasks, cluster.partition(job.partition), &mut self.alloc) {
                self.blocked[p] = true;
                if self.blocked.iter().all(|&b| b) {
                    return;
                }
                continue;
            }
            pass.start(j, std::mem::take(&mut self.alloc));
        }
    }
}
