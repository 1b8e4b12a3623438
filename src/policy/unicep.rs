//! UNICEP (Tang et al., as in Carastan-Santos & de Camargo SC'17 and RLScheduler SC'20):
//! score = −(w + 10⁻¹⁵) / (log₂(n + 10⁻¹⁵) × r), lowest first, with w the time waited so far
//! in seconds, n the cores requested and r the runtime estimate in seconds. The 10⁻¹⁵ terms
//! are RLScheduler's, so that one-core jobs (log₂ 1 = 0) rank first rather than divide by zero.

use super::{secs_at_least_one, waited_secs};
use crate::time::{SimDuration, SimTime};
use crate::workload::Job;

pub struct Unicep;

impl Unicep {
    pub fn score(job: &Job, estimate: SimDuration, now: SimTime) -> f64 {
        let w = waited_secs(job, now);
        let r = secs_at_least_one(estimate.0);
        -(w + 1e-15) / ((job.procs() as f64 + 1e-15).log2() * r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{QueueOrder, WaitingScore};

    #[test]
    fn the_score_by_hand() {
        let j = Job::new(1, SimTime(0), SimDuration::from_secs(10), SimDuration::from_secs(100), 8);
        // Waited 600 s, 8 cores (log₂ 8 = 3), 100 s estimate: −600 / 300 = −2.
        let s = Unicep::score(&j, SimDuration::from_secs(100), SimTime(600_000));
        assert!((s + 2.0).abs() < 1e-12, "{s}");
        // A one-core job that has waited ranks ahead of any wider one.
        let one = Job::new(2, SimTime(0), SimDuration::from_secs(10), SimDuration::from_secs(100), 1);
        let k = |j: &Job| WaitingScore(Unicep::score).key(j, SimDuration::from_secs(100), SimTime(600_000));
        assert!(k(&one) < k(&j));
    }
}
