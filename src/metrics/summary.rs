//! Run summaries: wait statistics, bounded slowdown, utilisation and makespan computed from
//! the per-job records.
//!
//! Percentiles use the nearest-rank definition on the sorted integer waits (the p-th
//! percentile of n values is the value of rank ⌈p·n/100⌉), so they are exact and need no
//! interpolation. Times are reported in seconds.

use std::collections::BTreeMap;

use serde::Serialize;

use super::record::{JobRecord, Outcome};
use crate::cluster::{Allocations, Cluster};
use crate::time::{SimDuration, SimTime};
use crate::workload::job::JobClass;
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

/// What to measure: the window and the classes' wait targets.
#[derive(Clone, Debug, Default)]
pub struct Measure {
    /// Jobs submitted before this instant are warm-up: left out of every figure, and
    /// utilisation is measured from here.
    pub warmup_end: Option<SimTime>,
    /// Per class, the wait within which a job counts as started in time.
    pub targets: BTreeMap<JobClass, SimDuration>,
}

/// Figures for one class of jobs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassSummary {
    /// Jobs measured (submitted after warm-up), rejected ones included.
    pub jobs: u64,
    pub started: u64,
    pub abandoned: u64,
    pub rejected: u64,
    /// Waits of the jobs that started.
    #[serde(flatten)]
    pub waits: WaitStats,
    pub mean_bsld: f64,
    /// Abandoned jobs over accepted (not rejected) jobs.
    pub abandonment_rate: f64,
    /// The class's wait target in seconds, if the scenario names one.
    pub target: Option<f64>,
    /// Share of accepted jobs that started within the target.
    pub within_target: Option<f64>,
    /// Utilisation of the partitions this class's measured jobs were submitted to (their busy
    /// core-seconds, any job's, over their core-seconds in the window): what a pool's size
    /// does to its own class.
    pub utilisation: f64,
    /// Jobs that ran to an end (completed, walltime, idle) per day of the window.
    pub finished_per_day: f64,
}

/// Figures for one partition.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartitionSummary {
    pub nodes: u64,
    pub cores: u64,
    /// Jobs measured that were submitted to it.
    pub jobs: u64,
    /// Busy core-seconds on its nodes (any job's) over its core-seconds in the window.
    pub utilisation: f64,
}

/// What `summary.json` holds, besides what was run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Jobs measured (after warm-up): started, abandoned or rejected.
    pub jobs: u64,
    pub completed: u64,
    /// Killed at their walltime.
    pub walltime: u64,
    /// Refused at submission (larger than their partition, over a limit).
    pub rejected: u64,
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Records of the source that could not be turned into jobs, in total and by reason.
    pub skipped: u64,
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// Jobs by outcome.
    pub outcomes: BTreeMap<String, u64>,
    #[serde(flatten)]
    pub waits: WaitStats,
    pub mean_bsld: f64,
    /// Busy core-seconds over available core-seconds in the window: from the end of warm-up
    /// (or the first submission) to the last end.
    pub utilisation: f64,
    /// Seconds from the first submission to the last end.
    pub makespan: f64,
    pub classes: BTreeMap<String, ClassSummary>,
    pub partitions: BTreeMap<String, PartitionSummary>,
}

/// Running totals for one group of jobs.
#[derive(Default)]
struct Acc {
    jobs: u64,
    abandoned: u64,
    rejected: u64,
    finished: u64,
    within: u64,
    waits: Vec<i64>,
    bsld: f64,
}

impl Acc {
    fn add(&mut self, r: &JobRecord, job: &Job, target: Option<SimDuration>) {
        self.jobs += 1;
        match r.outcome {
            Outcome::Rejected => self.rejected += 1,
            Outcome::Abandoned => self.abandoned += 1,
            Outcome::Completed | Outcome::Walltime | Outcome::Idle => self.finished += 1,
            Outcome::Preempted => {}
        }
        if let Some(start) = r.start {
            let wait = start - job.submit;
            self.waits.push(wait.0);
            self.bsld += bounded_slowdown(wait, r.run);
            if target.is_some_and(|t| wait <= t) {
                self.within += 1;
            }
        }
    }

    /// The class's figures; `window_days` and `utilisation` come from the whole run.
    fn class(mut self, target: Option<SimDuration>, window_days: f64, utilisation: f64) -> ClassSummary {
        let started = self.waits.len() as u64;
        let accepted = self.jobs - self.rejected;
        let share = |n: u64| if accepted == 0 { 0.0 } else { n as f64 / accepted as f64 };
        ClassSummary {
            jobs: self.jobs,
            started,
            abandoned: self.abandoned,
            rejected: self.rejected,
            waits: WaitStats::of(&mut self.waits),
            mean_bsld: if started == 0 { 0.0 } else { self.bsld / started as f64 },
            abandonment_rate: share(self.abandoned),
            target: target.map(|t| t.as_secs_f64()),
            within_target: target.map(|_| share(self.within)),
            utilisation,
            finished_per_day: if window_days > 0.0 { self.finished as f64 / window_days } else { 0.0 },
        }
    }
}

/// Summarises a run of `jobs` on `cluster` from its records and allocations.
pub fn summarise(
    jobs: &[Job],
    records: &[JobRecord],
    allocations: &Allocations,
    cluster: &Cluster,
    skipped: &BTreeMap<String, u64>,
    measure: &Measure,
) -> Summary {
    let measured = |job: &Job| measure.warmup_end.is_none_or(|w| job.submit >= w);
    let mut all = Acc::default();
    let mut by_class: BTreeMap<JobClass, Acc> = BTreeMap::new();
    // Per class, which partitions its measured jobs were submitted to.
    let mut class_parts: BTreeMap<JobClass, Vec<bool>> = BTreeMap::new();
    // Counted by outcome, named at the end: a name per job was a string allocated per job.
    let mut by_outcome = [0u64; Outcome::ALL.len()];
    let mut rejected_by_reason: BTreeMap<String, u64> = BTreeMap::new();
    let parts = cluster.partitions();
    let mut part_jobs = vec![0u64; parts.len()];
    let mut part_busy = vec![0i128; parts.len()];
    let mut busy: i128 = 0;
    let first_submit = jobs.iter().map(|j| j.submit).min();
    let window_start = measure.warmup_end.or(first_submit).unwrap_or(SimTime::ZERO);
    let mut last_end = window_start;
    for r in records {
        let job = &jobs[r.job as usize];
        // Busy time counts inside the window whoever submitted the job.
        if let (Some(_), Some(end)) = (r.start, r.end) {
            last_end = last_end.max(end);
            // The part of the job's run after the window opened (the run ends at `end`).
            let inside = SimDuration(r.run.0.min((end - window_start).0.max(0)));
            busy += i128::from(inside.0) * i128::from(job.procs() as i64);
            for (p, part) in parts.iter().enumerate() {
                let cores: u64 = allocations[r.job as usize]
                    .iter()
                    .filter(|(n, _)| part.contains(*n))
                    .map(|(_, res)| u64::from(res.cores))
                    .sum();
                part_busy[p] += i128::from(inside.0) * i128::from(cores as i64);
            }
        }
        if !measured(job) {
            continue;
        }
        let target = measure.targets.get(&job.class).copied();
        all.add(r, job, None);
        by_class.entry(job.class).or_default().add(r, job, target);
        by_outcome[r.outcome as usize] += 1;
        if let Some(reason) = r.reason {
            *rejected_by_reason.entry(reason.as_str().to_string()).or_default() += 1;
        }
        part_jobs[job.partition as usize] += 1;
        class_parts.entry(job.class).or_insert_with(|| vec![false; parts.len()])[job.partition as usize] = true;
    }
    let window = (last_end - window_start).0.max(0);
    let ratio = |busy: i128, cores: u64| {
        let avail = i128::from(window) * i128::from(cores as i64);
        if avail == 0 {
            0.0
        } else {
            busy as f64 / avail as f64
        }
    };
    let outcomes: BTreeMap<String, u64> = Outcome::ALL
        .into_iter()
        .filter(|&o| by_outcome[o as usize] > 0)
        .map(|o| (o.as_str().to_string(), by_outcome[o as usize]))
        .collect();
    let count = |o: Outcome| by_outcome[o as usize];
    let partitions = parts
        .iter()
        .enumerate()
        .map(|(p, part)| {
            let cores = u64::from(part.total().cores);
            let s = PartitionSummary {
                nodes: part.nodes().len() as u64,
                cores,
                jobs: part_jobs[p],
                utilisation: ratio(part_busy[p], cores),
            };
            (part.name.clone(), s)
        })
        .collect();
    let window_days = window as f64 / 86_400_000.0;
    let overall = all.class(None, window_days, ratio(busy, cluster.total_cores()));
    let class_utilisation = |c: &JobClass| {
        let used = &class_parts[c];
        let (mut b, mut cores) = (0i128, 0u64);
        for (p, part) in parts.iter().enumerate().filter(|(p, _)| used[*p]) {
            b += part_busy[p];
            cores += u64::from(part.total().cores);
        }
        ratio(b, cores)
    };
    Summary {
        jobs: overall.jobs,
        completed: count(Outcome::Completed),
        walltime: count(Outcome::Walltime),
        rejected: count(Outcome::Rejected),
        rejected_by_reason,
        skipped: skipped.values().sum(),
        skipped_by_reason: skipped.clone(),
        waits: overall.waits,
        mean_bsld: overall.mean_bsld,
        utilisation: overall.utilisation,
        makespan: match first_submit {
            Some(f) => (last_end.max(f) - f).as_secs_f64(),
            None => 0.0,
        },
        classes: by_class
            .into_iter()
            .map(|(c, acc)| {
                let u = class_utilisation(&c);
                (c.as_str().to_string(), acc.class(measure.targets.get(&c).copied(), window_days, u))
            })
            .collect(),
        outcomes,
        partitions,
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
        // Two jobs on a 2-core machine: one runs 20 s at once, one waits 20 s and runs 10 s
        // on both cores; a third is rejected.
        let jobs = vec![
            Job::new(1, SimTime(0), SimDuration::from_secs(20), SimDuration::from_secs(30), 1),
            Job::new(2, SimTime(0), SimDuration::from_secs(10), SimDuration::from_secs(10), 2),
            Job::new(3, SimTime(0), SimDuration::from_secs(10), SimDuration::from_secs(10), 5),
        ];
        let rec = |job, s: i64, e: i64| JobRecord {
            job,
            start: Some(SimTime(s * 1000)),
            end: Some(SimTime(e * 1000)),
            run: SimDuration::from_secs(e - s),
            outcome: Outcome::Completed,
            preemptions: 0,
            reason: None,
        };
        let mut rejected = JobRecord::pending(2);
        rejected.reason = Some(crate::metrics::RejectReason::TooLarge);
        let records = vec![rec(0, 0, 20), rec(1, 20, 30), rejected];
        let mut allocs = Allocations::new(3);
        allocs.set(0, &[(0, crate::cluster::Res::cores(1))]);
        allocs.set(1, &[(0, crate::cluster::Res::cores(2))]);
        let mut m = Measure::default();
        m.targets.insert(JobClass::Batch, SimDuration::from_secs(10));
        let s = summarise(&jobs, &records, &allocs, &Cluster::flat(2), &BTreeMap::new(), &m);
        assert_eq!((s.jobs, s.completed, s.rejected), (3, 2, 1));
        assert_eq!(s.rejected_by_reason["larger than its partition"], 1);
        assert_eq!(s.waits.mean_wait, 10.0);
        assert_eq!(s.waits.max_wait, 20.0);
        assert_eq!(s.makespan, 30.0);
        // Busy: 20 core-s + 20 core-s = 40 of 60 available.
        assert!((s.utilisation - 40.0 / 60.0).abs() < 1e-12);
        assert!((s.partitions["all"].utilisation - 40.0 / 60.0).abs() < 1e-12);
        assert_eq!(s.mean_bsld, (1.0 + 3.0) / 2.0);
        let batch = &s.classes["batch"];
        // One of the two accepted jobs started within 10 s.
        assert_eq!((batch.started, batch.within_target), (2, Some(0.5)));
        // The class's one partition is the machine; two jobs finished in a 30 s window.
        assert!((batch.utilisation - 40.0 / 60.0).abs() < 1e-12);
        assert!((batch.finished_per_day - 2.0 * 86_400.0 / 30.0).abs() < 1e-9);
    }

    #[test]
    fn warm_up_jobs_are_left_out() {
        let jobs = vec![
            Job::new(1, SimTime(0), SimDuration::from_secs(10), SimDuration::from_secs(10), 1),
            Job::new(2, SimTime(100_000), SimDuration::from_secs(10), SimDuration::from_secs(10), 1),
        ];
        let records: Vec<JobRecord> = (0..2)
            .map(|j| JobRecord {
                job: j,
                start: Some(jobs[j as usize].submit),
                end: Some(jobs[j as usize].submit + SimDuration::from_secs(10)),
                run: SimDuration::from_secs(10),
                outcome: Outcome::Completed,
                preemptions: 0,
                reason: None,
            })
            .collect();
        let mut allocs = Allocations::new(2);
        (0..2).for_each(|j| allocs.set(j, &[(0, crate::cluster::Res::cores(1))]));
        let m = Measure { warmup_end: Some(SimTime(50_000)), ..Measure::default() };
        let s = summarise(&jobs, &records, &allocs, &Cluster::flat(1), &BTreeMap::new(), &m);
        assert_eq!(s.jobs, 1);
        // Window 50..110 s, busy 10 s.
        assert!((s.utilisation - 10.0 / 60.0).abs() < 1e-12);
    }
}
