//! Smallest area first: the queue by runtime estimate × cores, smallest first.

use super::QueueOrder;
use crate::time::{SimDuration, SimTime};
use crate::workload::Job;

pub struct Saf;

impl QueueOrder for Saf {
    fn key(&self, job: &Job, estimate: SimDuration, _now: SimTime) -> i64 {
        // Milliseconds × cores stays far below i64::MAX for any real job; saturate regardless.
        estimate.0.saturating_mul(job.procs() as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_estimate_times_cores() {
        let j = Job::new(1, SimTime(0), SimDuration::from_secs(10), SimDuration::from_secs(100), 8);
        // 30 s × 8 cores = 240 core-seconds, in core-milliseconds.
        assert_eq!(Saf.key(&j, SimDuration::from_secs(30), SimTime(0)), 240_000);
    }
}
