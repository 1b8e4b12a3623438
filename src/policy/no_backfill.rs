//! No backfilling: jobs start strictly in queue order, and the first that does not fit
//! blocks every job behind it.

use super::{Backfill, Pass};
use crate::cluster::Allocation;

#[derive(Default)]
pub struct NoBackfill {
    alloc: Allocation,
}

impl Backfill for NoBackfill {
    fn schedule(&mut self, pass: &mut Pass<'_>) {
        let (queue, jobs) = (pass.queue, pass.jobs);
        for &j in queue {
            if !pass.occupancy().first_fit(jobs[j as usize].procs, &mut self.alloc) {
                return;
            }
            pass.start(j, std::mem::take(&mut self.alloc));
        }
    }
}
