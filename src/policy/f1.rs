//! F1 (Carastan-Santos & de Camargo SC'17, the best of their learned functions):
//! score = log₁₀(r) × n + 870 × log₁₀(s), lowest first, with r the runtime estimate in seconds,
//! n the cores requested and s the submit instant in seconds; r and s count as at least 1 s so
//! that a job submitted at 0 has a finite score.

use super::{float_key, secs_at_least_one, QueueOrder};
use crate::time::{SimDuration, SimTime};
use crate::workload::Job;

pub struct F1;

impl F1 {
    pub fn score(job: &Job, estimate: SimDuration) -> f64 {
        secs_at_least_one(estimate.0).log10() * job.procs() as f64 + 870.0 * secs_at_least_one(job.submit.0).log10()
    }
}

impl QueueOrder for F1 {
    fn key(&self, job: &Job, estimate: SimDuration, _now: SimTime) -> i64 {
        float_key(Self::score(job, estimate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_by_hand() {
        // r = 1000 s, n = 16, s = 100 s: 3 × 16 + 870 × 2 = 1788.
        let j = Job::new(1, SimTime(100_000), SimDuration::from_secs(10), SimDuration::from_secs(1000), 16);
        let s = F1::score(&j, SimDuration::from_secs(1000));
        assert!((s - 1788.0).abs() < 1e-9, "{s}");
        // Submitted at 0: log₁₀ of 1 s, so only the size term counts.
        let z = Job::new(2, SimTime(0), SimDuration::from_secs(10), SimDuration::from_secs(10), 5);
        assert!((F1::score(&z, SimDuration::from_secs(10)) - 5.0).abs() < 1e-12);
    }
}
