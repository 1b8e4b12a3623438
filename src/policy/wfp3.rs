//! WFP3 (Tang et al., used by Carastan-Santos & de Camargo SC'17 and RLScheduler SC'20):
//! score = −(w/r)³ × n, lowest first, with w the time waited so far, r the runtime estimate
//! and n the cores requested. Old, short, wide jobs rise; the score grows while a job waits.

use super::{secs_at_least_one, waited_secs};
use crate::time::{SimDuration, SimTime};
use crate::workload::Job;

pub struct Wfp3;

impl Wfp3 {
    pub fn score(job: &Job, estimate: SimDuration, now: SimTime) -> f64 {
        let w = waited_secs(job, now);
        let r = secs_at_least_one(estimate.0);
        -(w / r).powi(3) * job.procs() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{QueueOrder, WaitingScore};

    #[test]
    fn the_score_by_hand() {
        let j = Job::new(1, SimTime(1_000_000), SimDuration::from_secs(10), SimDuration::from_secs(100), 4);
        // Waited 200 s on a 100 s estimate: −(2)³ × 4 = −32.
        assert_eq!(Wfp3::score(&j, SimDuration::from_secs(100), SimTime(1_200_000)), -32.0);
        // Waiting longer lowers (improves) the key.
        let k = |t| WaitingScore(Wfp3::score).key(&j, SimDuration::from_secs(100), SimTime(t));
        assert!(k(1_300_000) < k(1_200_000));
        assert_eq!(Wfp3::score(&j, SimDuration::from_secs(100), SimTime(1_000_000)), 0.0);
    }
}
