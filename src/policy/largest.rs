//! Largest job first: the queue by cores requested, most first, arrival order among equals.

use super::QueueOrder;
use crate::time::{SimDuration, SimTime};
use crate::workload::Job;

pub struct Largest;

impl QueueOrder for Largest {
    fn key(&self, job: &Job, _estimate: SimDuration, _now: SimTime) -> i64 {
        -(job.procs() as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_minus_the_core_count() {
        let mut j = Job::new(1, SimTime(0), SimDuration::from_secs(10), SimDuration::from_secs(100), 3);
        j.task = crate::cluster::Res::cores(4);
        assert_eq!(Largest.key(&j, SimDuration::from_secs(100), SimTime(0)), -12);
    }
}
