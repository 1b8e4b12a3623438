//! Runtime prediction for backfilling (Tsafrir, Etsion & Feitelson 2007): a job's estimate is
//! the mean of its user's last `history` actual runtimes, capped by its request; a job that
//! outlives its prediction has it raised to the request (the engine does that, at the
//! predicted end).

use std::collections::{BTreeMap, VecDeque};

use crate::time::SimDuration;
use crate::workload::Job;

/// The runtimes each user's jobs actually had, the last `history` of them.
#[derive(Clone, Debug)]
pub struct Predictor {
    history: usize,
    last: BTreeMap<i64, VecDeque<SimDuration>>,
}

impl Predictor {
    pub fn new(history: usize) -> Predictor {
        Predictor { history: history.max(1), last: BTreeMap::new() }
    }

    /// The estimate for `job` now: the mean of its user's last runtimes (as many as there are,
    /// up to `history`), at least one second, at most the request; the request when the user
    /// has no finished job yet.
    pub fn predict(&self, job: &Job) -> SimDuration {
        match self.last.get(&job.meta.user) {
            Some(runs) if !runs.is_empty() => {
                let mean = runs.iter().map(|r| r.0).sum::<i64>() / runs.len() as i64;
                SimDuration(mean.max(SimDuration::from_secs(1).0)).min(job.requested_time)
            }
            _ => job.requested_time,
        }
    }

    /// `job` ended after running `actual` in all.
    pub fn record(&mut self, job: &Job, actual: SimDuration) {
        let runs = self.last.entry(job.meta.user).or_default();
        if runs.len() == self.history {
            runs.pop_front();
        }
        runs.push_back(actual);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimTime;

    fn job(user: i64, requested_s: i64) -> Job {
        let mut j = Job::new(1, SimTime(0), SimDuration::from_secs(1), SimDuration::from_secs(requested_s), 1);
        j.meta.user = user;
        j
    }

    #[test]
    fn the_estimate_is_the_mean_of_the_users_last_two_runtimes_capped_by_the_request() {
        let mut p = Predictor::new(2);
        let s = SimDuration::from_secs;
        // No history: the request.
        assert_eq!(p.predict(&job(1, 1000)), s(1000));
        p.record(&job(1, 1000), s(100));
        // One runtime: itself.
        assert_eq!(p.predict(&job(1, 1000)), s(100));
        p.record(&job(1, 1000), s(300));
        // Two: (100 + 300) / 2.
        assert_eq!(p.predict(&job(1, 1000)), s(200));
        p.record(&job(1, 1000), s(900));
        // The oldest drops out: (300 + 900) / 2, capped by a request of 500.
        assert_eq!(p.predict(&job(1, 1000)), s(600));
        assert_eq!(p.predict(&job(1, 500)), s(500));
        // Another user's history is their own.
        assert_eq!(p.predict(&job(2, 1000)), s(1000));
        // Zero runtimes predict one second, not zero.
        let mut z = Predictor::new(2);
        z.record(&job(3, 10), SimDuration::ZERO);
        assert_eq!(z.predict(&job(3, 10)), s(1));
    }
}
