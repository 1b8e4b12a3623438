//! Longest job first: the queue by runtime estimate, longest first, arrival order among equals.

use super::QueueOrder;
use crate::time::{SimDuration, SimTime};
use crate::workload::Job;

pub struct Ljf;

impl QueueOrder for Ljf {
    fn key(&self, _job: &Job, estimate: SimDuration, _now: SimTime) -> i64 {
        -estimate.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longer_estimate_has_the_lower_key() {
        let j = Job::new(1, SimTime(0), SimDuration::from_secs(10), SimDuration::from_secs(100), 4);
        assert_eq!(Ljf.key(&j, SimDuration::from_secs(100), SimTime(0)), -100_000);
        assert!(
            Ljf.key(&j, SimDuration::from_secs(200), SimTime(0)) < Ljf.key(&j, SimDuration::from_secs(100), SimTime(0))
        );
    }
}
