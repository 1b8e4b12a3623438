//! Agreement with independent simulators: the pyss hand-made cases (expected finish times) and
//! the Batsim EASY/conservative schedule of an 801-job workload. Both read
//! `../shared/reference/` and skip, saying so, when it is absent.

use std::fs;
use std::path::Path;

use schedsim::cluster::Cluster;
use schedsim::time::{SimDuration, SimTime};
use schedsim::workload::Job;

use crate::common::{run, shared_dir};

/// One pyss case: the jobs, and each job's expected finish time in seconds.
fn read_pyss(path: &Path) -> (Vec<Job>, Vec<i64>) {
    let text = fs::read_to_string(path).unwrap();
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        assert!(f.len() >= 5, "{}:{}: short line", path.display(), n + 1);
        let num = |i: usize| -> i64 {
            f[i].parse().unwrap_or_else(|_| panic!("{}:{}: field {}", path.display(), n + 1, i + 1))
        };
        let expected_finish: i64 = f[1].split('.').next().unwrap().parse().unwrap();
        rows.push((num(0), expected_finish, num(2), num(3) as u32, num(4)));
    }
    // Arrival order: by submit time, file order among equals (a stable sort).
    rows.sort_by_key(|r| r.0);
    let jobs = rows
        .iter()
        .enumerate()
        .map(|(i, &(submit, _, est, procs, run))| {
            Job::new(i as u64, SimTime(submit * 1000), SimDuration::from_secs(run), SimDuration::from_secs(est), procs)
        })
        .collect();
    (jobs, rows.iter().map(|r| r.1).collect())
}

fn cases_for(policy: &str) -> Vec<String> {
    fn range(prefix: &'static str, n: usize) -> impl Iterator<Item = String> {
        (0..n).map(move |i| format!("{prefix}.{i}"))
    }
    let mut v: Vec<String> = range("basic_input", 29).collect();
    match policy {
        "none" => {
            v.extend(range("extreme_input", 2));
            v.extend(range("fcfs_input", 8));
        }
        "easy" => {
            v.extend(range("extreme_input", 3));
            v.extend(range("bf_input", 9));
            v.extend(range("easy_bf_input", 4));
        }
        "conservative" => {
            v.extend(range("extreme_input", 2));
            v.extend(range("bf_input", 9));
            v.extend(range("cons_bf_input", 2));
        }
        _ => unreachable!(),
    }
    v
}

fn check_pyss(backfill: &str) {
    check_pyss_cases(backfill, backfill);
}

/// Runs the pyss cases written for policy `cases` (none, easy, conservative) under the
/// backfill spec `backfill` and checks every finish time.
pub(crate) fn check_pyss_cases(cases: &str, backfill: &str) {
    let Some(shared) = shared_dir() else { return };
    let dir = shared.join("reference/pyss-cases");
    let mut failures = Vec::new();
    let cases = cases_for(cases);
    for case in &cases {
        let (jobs, expected) = read_pyss(&dir.join(case));
        let out = run(&jobs, Cluster::flat(100), "fcfs", backfill, "requested");
        for (r, exp) in out.records.iter().zip(&expected) {
            let got = r.end.map(|t| t.0);
            if got != Some(exp * 1000) {
                failures.push(format!(
                    "{case}: job {} finished at {:?}, expected {exp}",
                    r.job,
                    got.map(|ms| ms as f64 / 1000.0)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{backfill}: {} mismatches in {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn pyss_cases_fcfs() {
    check_pyss("none");
}

#[test]
fn pyss_cases_easy() {
    check_pyss("easy");
}

#[test]
fn pyss_cases_conservative() {
    check_pyss("conservative");
}

/// Batsim's schedule per job id: (EASY start, conservative start), in seconds.
fn read_batsim_expected(path: &Path) -> std::collections::BTreeMap<u64, (f64, f64)> {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (id, easy, cons) = (col("job_id"), col("easy_start"), col("conservative_start"));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[id].parse().unwrap(), (f[easy].parse().unwrap(), f[cons].parse().unwrap()))
        })
        .collect()
}

/// A job whose start differs from Batsim's: (id, ours, Batsim's), in seconds.
type Diff = (u64, f64, f64);

/// How many of Batsim's start times a policy reproduces (to the millisecond), of how many,
/// and the jobs that differ.
pub(crate) fn batsim_agreement(backfill: &str, against: &str) -> Option<(usize, usize, Vec<Diff>)> {
    let shared = shared_dir()?;
    let dir = shared.join("reference/batsim-medium-late");
    let w = schedsim::workload::swf::read_swf(&dir.join("medium_late_input.swf")).unwrap();
    let expected = read_batsim_expected(&dir.join("medium_late_expected.csv"));
    let out = run(&w.jobs, Cluster::uniform(32, 1), "fcfs", backfill, "requested");
    let mut same = 0;
    let mut diffs = Vec::new();
    for r in &out.records {
        let job = &w.jobs[r.job as usize];
        let (easy, cons) = expected[&job.id];
        let want = if against == "easy" { easy } else { cons };
        let got = r.start.unwrap().as_secs_f64();
        // Batsim prints microseconds; schedsim keeps milliseconds.
        if (got - want).abs() <= 0.0015 {
            same += 1;
        } else {
            diffs.push((job.id, got, want));
        }
    }
    Some((same, out.records.len(), diffs))
}

#[test]
fn batsim_easy_start_times_all_agree() {
    let Some((same, n, diffs)) = batsim_agreement("easy", "easy") else { return };
    assert_eq!(n, 801);
    assert_eq!(same, n, "EASY differs from Batsim on: {diffs:?}");
}

#[test]
fn batsim_conservative_start_times_all_agree() {
    let Some((same, n, diffs)) = batsim_agreement("conservative", "conservative") else { return };
    assert_eq!(same, n, "conservative differs from Batsim on: {diffs:?}");
}

#[test]
fn batsim_schedules_tell_the_policies_apart() {
    // The comparison is only worth something if EASY does not also match the conservative
    // schedule: Batsim's two schedules differ on 71 jobs.
    let Some((same, n, _)) = batsim_agreement("easy", "conservative") else { return };
    assert!(n - same >= 50, "EASY matched the conservative schedule on {same} of {n} jobs");
}
