//! Helpers shared by the integration tests.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use schedsim::cluster::Cluster;
use schedsim::engine::{simulate, RunOutput, Semantics, SimConfig};
use schedsim::policy::Registry;
use schedsim::time::{SimDuration, SimTime};
use schedsim::workload::Job;

/// The schedsim binary the command-line tests run: this build's, unless `SCHEDSIM_TEST_BIN`
/// names another. The override lets the same tests be run against an older build, to show that
/// a test fails where the behaviour it checks was missing (`SCHEDSIM_TEST_BIN=/path/to/schedsim
/// cargo test --test all io::`).
pub fn schedsim_bin() -> PathBuf {
    std::env::var_os("SCHEDSIM_TEST_BIN").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_schedsim")), PathBuf::from)
}

/// `../shared` beside the checkout, if present. Tests that need it skip, saying so, without it.
pub fn shared_dir() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found (the shared reference material is absent)", p.display());
        None
    }
}

/// A job in whole seconds: (submit, runtime, requested, procs); ids are 1-based positions.
pub fn jobs_secs(spec: &[(i64, i64, i64, u32)]) -> Vec<Job> {
    spec.iter()
        .enumerate()
        .map(|(i, &(submit, run, req, procs))| {
            Job::new(
                i as u64 + 1,
                SimTime(submit * 1000),
                SimDuration::from_secs(run),
                SimDuration::from_secs(req),
                procs,
            )
        })
        .collect()
}

/// Runs `jobs` on `cluster` under `order`/`backfill`/`estimate` from the registry.
pub fn run(jobs: &[Job], cluster: Cluster, order: &str, backfill: &str, estimate: &str) -> RunOutput {
    run_under(Semantics::Schedsim, jobs, cluster, order, backfill, estimate)
}

/// [`run`] under the given semantics.
pub fn run_under(
    semantics: Semantics,
    jobs: &[Job],
    cluster: Cluster,
    order: &str,
    backfill: &str,
    estimate: &str,
) -> RunOutput {
    let mut cfg = SimConfig::new(
        cluster,
        Registry::order(order).unwrap(),
        Registry::backfill(backfill).unwrap(),
        Registry::estimate(estimate).unwrap(),
    );
    cfg.semantics = semantics;
    simulate(jobs, cfg)
}

/// Start times in whole seconds, in job order (None for rejected jobs).
pub fn starts_secs(out: &RunOutput) -> Vec<Option<i64>> {
    out.records.iter().map(|r| r.start.map(|t| t.0 / 1000)).collect()
}

/// Every file under `dir`, relative path → bytes (a folder compared byte for byte).
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The figures of `sweep.csv`, in its column order, written out here rather than taken from the
/// library, so that a change to the file's columns is a change the tests notice.
pub const SWEEP_FIGURES: [&str; 11] = [
    "jobs",
    "mean_wait",
    "median_wait",
    "p95_wait",
    "p99_wait",
    "within_target",
    "abandonment",
    "mean_bsld",
    "utilisation",
    "finished_per_day",
    "login_kill_rate",
];
