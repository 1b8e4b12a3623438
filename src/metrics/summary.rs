//! Run summaries: wait statistics, bounded slowdown, utilisation and makespan computed from
//! the per-job records.
//!
//! Percentiles use the nearest-rank definition on the sorted integer waits (the p-th
//! percentile of n values is the value of rank ⌈p·n/100⌉), so they are exact and need no
//! interpolation. Times are reported in seconds.

use std::collections::BTreeMap;

use serde::Serialize;

use super::record::{JobRecord, Outcome};
use crate::time::SimDuration;
use crate::workload::Job;

/// The floor on runtime in bounded slowdown, so that very short jobs do not dominate it.
pub const BSLD_BOUND: SimDuration = SimDuration::from_secs(10);

/// Bounded slowdown: max(1, (wait + run) / max(run, 10 s)).
pub fn bounded_slowdown(wait: SimDuration, run: SimDuration) -> f64 {
    let denom = run.max(BSLD_BOUND).0 as f64;
    ((wait.0 + run.0) as f64 / denom).max(1.0)
}

/// Wait-time statistics over a set of jobs, in seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct WaitStats {
    pub mean_wait: f64,
    pub median_wait: f64,
    pub p90_wait: f64,
    pub p95_wait: f64,
    pub p99_wait: f64,
    pub max_wait: f64,
}

impl WaitStats {
    /// Statistics of `waits` (milliseconds); sorts them in place.
    pub fn of(waits: &mut [i64]) -> WaitStats {
        if waits.is_empty() {
            return WaitStats::default();
        }
        waits.sort_unstable();
        let secs = |ms: i64| ms as f64 / 1000.0;
        let sum: i128 = waits.iter().map(|&w| i128::from(w)).sum();
        WaitStats {
            mean_wait: sum as f64 / waits.len() as f64 / 1000.0,
            median_wait: secs(nearest_rank(waits, 50)),
            p90_wait: secs(nearest_rank(waits, 90)),
            p95_wait: secs(nearest_rank(waits, 95)),
            p99_wait: secs(nearest_rank(waits, 99)),
            max_wait: secs(*waits.last().expect("not empty")),
        }
    }
}

/// The nearest-rank `p`-th percentile of sorted, non-empty `v`.
pub fn nearest_rank(v: &[i64], p: u32) -> i64 {
    let n = v.len() as u64;
    let rank = (u64::from(p) * n).div_ceil(100).max(1);
    v[(rank - 1) as usize]
}

/// What `summary.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Jobs the engine was given (started or rejected).
    pub jobs: u64,
    pub completed: u64,
    /// Killed at their walltime.
    pub walltime: u64,
    /// Asked for more cores than the machine has; never queued.
    pub rejected: u64,
    /// Records of the source that could not be turned into jobs, in total and by reason.
    pub skipped: u64,
    pub skipped_by_reason: BTreeMap<String, u64>,
    #[serde(flatten)]
    pub waits: WaitStats,
    pub mean_bsld: f64,
    /// Busy core-seconds over available core-seconds from the first submission to the last
    /// end.
    pub utilisation: f64,
    /// Seconds from the first submission to the last end.
    pub makespan: f64,
}

/// Summarises a run of `jobs` on a machine of `total_cores`.
pub fn summarise(jobs: &[Job], records: &[JobRecord], total_cores: u64, skipped: &BTreeMap<String, u64>) -> Summary {
    let mut waits = Vec::with_capacity(records.len());
    let (mut completed, mut walltime, mut rejected) = (0, 0, 0);
    let mut bsld_sum = 0.0;
    let mut busy: i128 = 0;
    let first_submit = jobs.iter().map(|j| j.submit).min();
    let mut last_end = first_submit;
    for r in records {
        let job = &jobs[r.job as usize];
        match r.outcome {
            Outcome::Completed => completed += 1,
            Outcome::Walltime => walltime += 1,
            Outcome::Rejected => rejected += 1,
        }
        let (Some(start), Some(end)) = (r.start, r.end) else { continue };
        let wait = start - job.submit;
        let run = end - start;
        waits.push(wait.0);
        bsld_sum += bounded_slowdown(wait, run);
        busy += i128::from(run.0) * i128::from(job.procs);
        last_end = last_end.max(Some(end));
    }
    let started = waits.len();
    let span = match (first_submit, last_end) {
        (Some(a), Some(b)) => b - a,
        _ => SimDuration::ZERO,
    };
    let available = i128::from(span.0) * i128::from(total_cores);
    Summary {
        jobs: records.len() as u64,
        completed,
        walltime,
        rejected,
        skipped: skipped.values().sum(),
        skipped_by_reason: skipped.clone(),
        waits: WaitStats::of(&mut waits),
        mean_bsld: if started == 0 { 0.0 } else { bsld_sum / started as f64 },
        utilisation: if available == 0 { 0.0 } else { busy as f64 / available as f64 },
        makespan: span.as_secs_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimTime;

    #[test]
    fn bounded_slowdown_follows_the_definition() {
        let s = SimDuration::from_secs;
        assert_eq!(bounded_slowdown(s(0), s(100)), 1.0);
        assert_eq!(bounded_slowdown(s(100), s(100)), 2.0);
        // Runs under 10 s count as 10 s.
        assert_eq!(bounded_slowdown(s(20), s(1)), 2.1);
        assert_eq!(bounded_slowdown(s(0), s(1)), 1.0);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&v, 50), 5);
        assert_eq!(nearest_rank(&v, 95), 10);
        assert_eq!(nearest_rank(&v, 90), 9);
        assert_eq!(nearest_rank(&[7], 99), 7);
    }

    #[test]
    fn summary_of_a_hand_computed_run() {
        // Two 1-core jobs on a 2-core machine: one waits 10 s and runs 10 s, one runs 20 s.
        let jobs = vec![
            Job::new(1, SimTime(0), SimDuration::from_secs(20), SimDuration::from_secs(30), 1),
            Job::new(2, SimTime(0), SimDuration::from_secs(10), SimDuration::from_secs(10), 2),
            Job::new(3, SimTime(0), SimDuration::from_secs(10), SimDuration::from_secs(10), 5),
        ];
        let rec = |job, s: i64, e: i64, outcome| JobRecord {
            job,
            start: Some(SimTime(s * 1000)),
            end: Some(SimTime(e * 1000)),
            outcome,
        };
        let records = vec![
            rec(0, 0, 20, Outcome::Completed),
            rec(1, 20, 30, Outcome::Completed),
            JobRecord { job: 2, start: None, end: None, outcome: Outcome::Rejected },
        ];
        let s = summarise(&jobs, &records, 2, &BTreeMap::new());
        assert_eq!((s.jobs, s.completed, s.rejected), (3, 2, 1));
        assert_eq!(s.waits.mean_wait, 10.0);
        assert_eq!(s.waits.max_wait, 20.0);
        assert_eq!(s.makespan, 30.0);
        // Busy: 20 core-s + 20 core-s = 40 of 60 available.
        assert!((s.utilisation - 40.0 / 60.0).abs() < 1e-12);
        assert_eq!(s.mean_bsld, (1.0 + 3.0) / 2.0);
    }
}
