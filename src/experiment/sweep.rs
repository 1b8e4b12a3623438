//! Sweeps: a scenario run over a grid of edited values ([`Axis`]), each point with R
//! replications, every replication's summary written atomically so that an interrupted sweep
//! resumes, a shard (`--shard I/N`) runs its share, and a merge of all shards equals the
//! whole; then the figures of every point as the mean and 95% confidence half-width over its
//! replications (`sweep.csv`).
//!
//! # Layout of a sweep folder
//!
//! | path | what |
//! |---|---|
//! | `sweep.json` | the [`Manifest`]: what was swept; a second command on the folder must match it |
//! | `points/<p>/rep-<r>/summary.json` | replication `r` of point `p` (full run files with `keep_runs`) |
//! | `sweep.csv` | one row per point × class (plus `all`), see [`FIGURES`] |
//!
//! # Determinism
//!
//! Point `p` is the `p`-th combination of the axes' values, the last axis varying fastest.
//! Replication `r` of every point draws its streams with run index `r` (common random
//! numbers: points differ by the knob, not by luck). Pair `(p, r)` is number `p·R + r`; shard
//! `I/N` runs the pairs whose number is `I − 1` modulo `N`. Each pair's files depend only on
//! the manifest, and `sweep.csv` is computed from the files alone, so a resumed sweep, a
//! merge of shards and a sweep at any thread count all give the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::stats::Estimate;
use super::{execute, write_run_as, ExperimentError, RunPlan};
use crate::report::build::{build_report, BuildReportError};
use crate::report::checked::{FileRecords, Fnv64};
use crate::report::csv::csv_field;
use crate::report::folder::{FolderError, FolderLock};
use crate::report::rundata::{self, RunDirError};
use crate::report::{write_atomic, write_summary, ReportError, RunInfo};
use crate::scenario::overrides::{self, Axis, EditError};
use crate::scenario::{build_replication, Scenario, ScenarioError};

/// The figures of each row of `sweep.csv`, in column order. Waits are seconds; `within_target`,
/// `abandonment`, `utilisation` and `login_kill_rate` are shares in [0, 1].
pub const FIGURES: [&str; 11] = [
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

/// The class name of the rows over all jobs.
pub const ALL: &str = "all";

/// What went wrong in a sweep.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error("point {point} ({values}): {error}")]
    Build { point: usize, values: String, error: Box<ScenarioError> },
    #[error("point {point} ({values}), replication {rep}: {error}")]
    Run { point: usize, values: String, rep: u32, error: Box<ExperimentError> },
    // The wrapped errors' messages already end with their I/O cause: none is chained as a
    // `source` (a field named `source`, `#[from]` or `transparent` would be), else `error: {e:#}`
    // prints the cause twice ("Not a directory (os error 20): Not a directory (os error 20)").
    #[error("{0}")]
    Write(ReportError),
    #[error("{0}")]
    Read(RunDirError),
    #[error("{0}")]
    Report(Box<BuildReportError>),
    #[error("{}: {message}", path.display())]
    Folder { path: PathBuf, message: String },
    #[error("{}: {error}", path.display())]
    Io { path: PathBuf, error: io::Error },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Busy(FolderError),
}

impl From<FolderError> for SweepError {
    fn from(e: FolderError) -> Self {
        SweepError::Busy(e)
    }
}

impl From<ReportError> for SweepError {
    fn from(e: ReportError) -> Self {
        SweepError::Write(e)
    }
}

impl From<RunDirError> for SweepError {
    fn from(e: RunDirError) -> Self {
        SweepError::Read(e)
    }
}

/// Which share of the pairs a process runs: `index` in 1..=`count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Parses `I/N` with 1 ≤ I ≤ N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {text}: expected I/N with 1 ≤ I ≤ N, e.g. 2/8");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count) = (i.trim().parse::<u32>().map_err(|_| bad())?, n.trim().parse::<u32>().map_err(|_| bad())?);
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether pair number `k` is this shard's.
    pub fn owns(&self, k: u64) -> bool {
        k % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// One axis as `sweep.json` records it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AxisInfo {
    pub key: String,
    pub label: String,
    pub values: Vec<String>,
    pub numeric: bool,
    /// For `--move-nodes`: the group that gives its nodes, and the one that takes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved: Option<[String; 2]>,
}

impl AxisInfo {
    pub fn of(a: &Axis) -> AxisInfo {
        AxisInfo {
            key: a.key(),
            label: a.label(),
            values: a.values(),
            numeric: a.numeric(),
            moved: match a {
                Axis::Move { from, to, .. } => Some([from.clone(), to.clone()]),
                Axis::Set { .. } => None,
            },
        }
    }
}

/// `sweep.json`: what a sweep folder holds. Two commands are the same sweep when their
/// manifests are equal but for `shard`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub kind: String,
    pub version: String,
    /// The scenario file as given (or the built-in default's path).
    pub scenario: String,
    /// FNV-1a 64 of the scenario file's bytes, so an edited file is not mistaken for the same.
    pub scenario_digest: String,
    pub name: String,
    /// The base seed: `--seed`, else the scenario's `run.seed` (a point whose `run.seed` is
    /// swept uses its own, unless `--seed` is given).
    pub seed: u64,
    pub replications: u32,
    pub keep_runs: bool,
    pub axes: Vec<AxisInfo>,
    pub points: usize,
    /// Classes of the rows, in row order (after `all`).
    pub classes: Vec<String>,
    /// Wait targets per class, in seconds.
    pub targets: BTreeMap<String, f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
}

impl Manifest {
    /// The manifest of `kind` for the scenario file `text` at `origin` (`base` its first
    /// point), not sharded, without `keep_runs`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        kind: &str,
        text: &str,
        origin: &Path,
        base: &Scenario,
        seed: Option<u64>,
        replications: u32,
        axes: Vec<AxisInfo>,
        points: usize,
        classes: Vec<String>,
    ) -> Manifest {
        Manifest {
            kind: kind.into(),
            version: RunInfo::version(),
            scenario: origin.display().to_string(),
            scenario_digest: digest(text.as_bytes()),
            name: base.name.clone(),
            seed: seed.unwrap_or(base.run.seed),
            replications,
            keep_runs: false,
            axes,
            points,
            classes,
            targets: base
                .outputs
                .targets
                .by_class()
                .into_iter()
                .map(|(c, d)| (c.to_string(), d.as_secs_f64()))
                .collect(),
            shard: None,
        }
    }

    /// The fields in which `other` (a folder's) differs from this one (`shard` aside).
    pub fn differences(&self, other: &Manifest) -> Vec<String> {
        let mut out = Vec::new();
        let mut cmp = |what: &str, a: String, b: String| {
            if a != b {
                out.push(format!("{what} {b} there, {a} here"));
            }
        };
        cmp("kind", self.kind.clone(), other.kind.clone());
        cmp("schedsim version", self.version.clone(), other.version.clone());
        cmp("scenario", self.scenario.clone(), other.scenario.clone());
        cmp("scenario contents (digest)", self.scenario_digest.clone(), other.scenario_digest.clone());
        cmp("seed", self.seed.to_string(), other.seed.to_string());
        cmp("replications", self.replications.to_string(), other.replications.to_string());
        cmp("keep-runs", self.keep_runs.to_string(), other.keep_runs.to_string());
        let axes = |m: &Manifest| {
            m.axes.iter().map(|a| format!("{}={}", a.key, a.values.join(","))).collect::<Vec<_>>().join(" ")
        };
        cmp("axes", axes(self), axes(other));
        out
    }
}

/// The classes of the scenarios' sources, sorted and each once (the order of a summary's
/// classes).
pub fn classes_of<'a>(scenarios: impl IntoIterator<Item = &'a Scenario>) -> Vec<String> {
    let mut classes: Vec<String> =
        scenarios.into_iter().flat_map(|s| s.workload.iter().map(|w| w.class.as_str().to_string())).collect();
    classes.sort();
    classes.dedup();
    classes
}

/// FNV-1a, 64 bits, as 16 hex digits: a stable digest (std's hashers may change between
/// releases).
pub fn digest(bytes: &[u8]) -> String {
    Fnv64::of(bytes)
}

/// A sweep ready to run: its manifest and every point's validated scenario.
pub struct Sweep {
    pub manifest: Manifest,
    pub axes: Vec<Axis>,
    points: Vec<Scenario>,
    /// `--seed`, which replaces every point's `run.seed` (a sweep may vary `run.seed`).
    seed: Option<u64>,
}

/// What `sweep` needs from the command line.
pub struct SweepSpec<'a> {
    /// The scenario file's text and the path it was given as.
    pub text: &'a str,
    pub origin: &'a Path,
    pub seed: Option<u64>,
    pub replications: u32,
    pub axes: Vec<Axis>,
    pub keep_runs: bool,
}

/// Most runs (points × replications) one sweep may have.
pub const MAX_RUNS: u64 = 10_000_000;

impl Sweep {
    /// Checks every point's edited scenario before anything runs.
    pub fn new(spec: SweepSpec<'_>) -> Result<Sweep, SweepError> {
        if spec.replications == 0 {
            return Err(SweepError::Invalid("--replications: expected at least 1".into()));
        }
        let points: u64 = spec.axes.iter().map(|a| a.len() as u64).product();
        if points.saturating_mul(u64::from(spec.replications)) > MAX_RUNS {
            return Err(SweepError::Invalid(format!(
                "{points} points × {} replications is more than {MAX_RUNS} runs",
                spec.replications
            )));
        }
        let mut scenarios = Vec::with_capacity(points as usize);
        for p in 0..points as usize {
            let edits: Vec<_> = coords(&spec.axes, p).iter().zip(&spec.axes).flat_map(|(&i, a)| a.edits(i)).collect();
            scenarios.push(overrides::edited(spec.text, spec.origin, &edits)?);
        }
        let axes = spec.axes.iter().map(AxisInfo::of).collect();
        let classes = classes_of(&scenarios);
        let mut manifest = Manifest::new(
            "sweep",
            spec.text,
            spec.origin,
            &scenarios[0],
            spec.seed,
            spec.replications,
            axes,
            scenarios.len(),
            classes,
        );
        manifest.keep_runs = spec.keep_runs;
        Ok(Sweep { manifest, axes: spec.axes, points: scenarios, seed: spec.seed })
    }

    /// The axes' values of point `p`, as `key=value` words.
    pub fn describe(&self, p: usize) -> String {
        describe(&self.manifest, p)
    }

    /// Runs the pairs of `shard` (all without one) that `out` does not hold yet, on the current
    /// rayon pool; `done` is called after each. Writes `sweep.json` first and, for a whole
    /// sweep, `sweep.csv` at the end. Returns how many runs it did.
    pub fn run(&self, out: &Path, shard: Option<Shard>, done: &(dyn Fn() + Sync)) -> Result<usize, SweepError> {
        let mut manifest = self.manifest.clone();
        manifest.shard = shard.map(|s| s.to_string());
        let _lock = claim(out, &manifest)?;
        let ran = self.run_pending(out, shard, done)?;
        if shard.is_none() {
            write_table(out, &self.manifest)?;
        }
        Ok(ran)
    }

    /// Runs every pair into `out` without writing `sweep.csv` (the caller writes its table
    /// where it wants it).
    pub fn run_into(&self, out: &Path, done: &(dyn Fn() + Sync)) -> Result<usize, SweepError> {
        let _lock = claim(out, &self.manifest)?;
        self.run_pending(out, None, done)
    }

    fn run_pending(&self, out: &Path, shard: Option<Shard>, done: &(dyn Fn() + Sync)) -> Result<usize, SweepError> {
        let pending = self.pending(out, shard);
        pending
            .par_iter()
            .map(|&(p, r)| {
                let res = self.run_pair(out, p, r);
                done();
                res
            })
            .collect::<Result<Vec<()>, SweepError>>()?;
        Ok(pending.len())
    }

    /// The pairs of `shard` whose summary is not in `out` yet, in pair order.
    pub fn pending(&self, out: &Path, shard: Option<Shard>) -> Vec<(usize, u32)> {
        let r = self.manifest.replications;
        (0..self.points.len())
            .flat_map(|p| (0..r).map(move |rep| (p, rep)))
            .filter(|&(p, rep)| shard.is_none_or(|s| s.owns(p as u64 * u64::from(r) + u64::from(rep))))
            .filter(|&(p, rep)| !rep_dir(out, p, rep).join("summary.json").is_file())
            .collect()
    }

    fn run_pair(&self, out: &Path, p: usize, rep: u32) -> Result<(), SweepError> {
        let (m, scn) = (&self.manifest, &self.points[p]);
        let seed = self.seed.unwrap_or(scn.run.seed);
        run_replication(scn, &m.scenario, seed, rep, &rep_dir(out, p, rep), m.keep_runs).map_err(|e| match e {
            RepError::Build(error) => SweepError::Build { point: p, values: self.describe(p), error },
            RepError::Run(error) => SweepError::Run { point: p, values: self.describe(p), rep, error },
            RepError::Other(e) => e,
        })
    }
}

/// Why one replication failed.
pub enum RepError {
    Build(Box<ScenarioError>),
    Run(Box<ExperimentError>),
    Other(SweepError),
}

/// Runs replication `rep` of `scn` (recorded as coming from `source`) and writes its
/// `summary.json` (with `keep_runs`, all its run files, charts and `report.html`) into `dir`,
/// atomically: the summary appears last, and its presence marks the replication done.
pub fn run_replication(
    scn: &Scenario,
    source: &str,
    seed: u64,
    rep: u32,
    dir: &Path,
    keep_runs: bool,
) -> Result<(), RepError> {
    let built = build_replication(scn, seed, u64::from(rep)).map_err(|e| RepError::Build(Box::new(e)))?;
    let mut plan = RunPlan::from_built(built, source.to_string());
    plan.replication = Some(u64::from(rep));
    let result = execute(&plan).map_err(|e| RepError::Run(Box::new(e)))?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |error| RepError::Other(SweepError::Io { path, error })
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    let info = plan.info_of(&result);
    if keep_runs {
        let tmp = dir.join(".partial");
        // What a replication killed half-way left (the sweep's lock says no one else writes it).
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
        }
        fs::create_dir_all(&tmp).map_err(io(&tmp))?;
        write_run_as(&tmp, &plan, &result, &info).map_err(|e| RepError::Other(e.into()))?;
        build_report(&tmp).map_err(|e| RepError::Other(SweepError::Report(Box::new(e))))?;
        for entry in fs::read_dir(&tmp).map_err(io(&tmp))? {
            let entry = entry.map_err(io(&tmp))?;
            let name = entry.file_name();
            if name != "summary.json" {
                let to = dir.join(&name);
                fs::rename(entry.path(), &to).map_err(io(&to))?;
            }
        }
        let to = dir.join("summary.json");
        fs::rename(tmp.join("summary.json"), &to).map_err(io(&to))?;
        fs::remove_dir(&tmp).map_err(io(&tmp))?;
    } else {
        write_summary(dir, &info, &result.summary, result.login.as_ref().map(|l| &l.summary), &FileRecords::new())
            .map_err(|e| RepError::Other(e.into()))?;
    }
    Ok(())
}

/// Point `p`'s index into each axis's values (the last axis varies fastest).
pub fn coords(axes: &[Axis], mut p: usize) -> Vec<usize> {
    let mut out = vec![0; axes.len()];
    for (i, a) in axes.iter().enumerate().rev() {
        out[i] = p % a.len();
        p /= a.len();
    }
    out
}

fn coords_of(m: &Manifest, mut p: usize) -> Vec<usize> {
    let mut out = vec![0; m.axes.len()];
    for (i, a) in m.axes.iter().enumerate().rev() {
        out[i] = p % a.values.len();
        p /= a.values.len();
    }
    out
}

/// Point `p`'s values as `key=value` words.
pub fn describe(m: &Manifest, p: usize) -> String {
    if m.axes.is_empty() {
        return "the scenario as written".into();
    }
    coords_of(m, p)
        .iter()
        .zip(&m.axes)
        .map(|(&i, a)| format!("{}={}", a.key, a.values[i]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `out/points/<p>/rep-<r>`.
pub fn rep_dir(out: &Path, p: usize, rep: u32) -> PathBuf {
    out.join("points").join(p.to_string()).join(format!("rep-{rep}"))
}

/// Makes `out` this sweep's folder: locks it against other writers (until the returned lock
/// is dropped), then creates it with `manifest` as `sweep.json`, or checks that the
/// `sweep.json` it holds is the same sweep (and the same shard).
pub fn claim(out: &Path, manifest: &Manifest) -> Result<FolderLock, SweepError> {
    let lock = FolderLock::take(out)?;
    let folder = |message: String| SweepError::Folder { path: out.to_path_buf(), message };
    let file = out.join("sweep.json");
    if file.is_file() {
        let theirs = read_manifest(out)?;
        let diff = manifest.differences(&theirs);
        if !diff.is_empty() {
            return Err(folder(format!(
                "holds a different sweep ({}): resume it with its own command, or choose another --out",
                diff.join("; ")
            )));
        }
        if theirs.shard != manifest.shard {
            let held = match &theirs.shard {
                Some(s) => format!("shard {s} of this sweep"),
                None => "the whole of this sweep".into(),
            };
            let wanted = match &manifest.shard {
                Some(s) => format!("shard {s}"),
                None => "the whole sweep".into(),
            };
            return Err(folder(format!("holds {held}, not {wanted}: give each shard its own --out")));
        }
        return Ok(lock);
    }
    if out.exists() {
        let empty = fs::read_dir(out).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !out.is_dir() || !empty {
            return Err(folder("exists and is not a sweep folder (it has no sweep.json): choose another --out".into()));
        }
    }
    fs::create_dir_all(out).map_err(|error| SweepError::Io { path: out.to_path_buf(), error })?;
    write_manifest(out, manifest)?;
    Ok(lock)
}

/// Writes `out/sweep.json`.
pub fn write_manifest(out: &Path, m: &Manifest) -> Result<(), SweepError> {
    write_atomic(&out.join("sweep.json"), |f| {
        serde_json::to_writer_pretty(&mut *f, m).map_err(io::Error::other)?;
        writeln!(f)
    })?;
    Ok(())
}

/// Reads `dir/sweep.json`.
pub fn read_manifest(dir: &Path) -> Result<Manifest, SweepError> {
    let path = dir.join("sweep.json");
    let text = fs::read(&path).map_err(|error| SweepError::Io { path: path.clone(), error })?;
    serde_json::from_slice(&text).map_err(|e| SweepError::Folder {
        path: path.clone(),
        message: format!("line {}: not a sweep manifest: {e}", e.line()),
    })
}

/// The figures of one row of one replication, in [`FIGURES`] order (`None`: not defined).
pub type Figures = [Option<f64>; FIGURES.len()];

/// The rows (`all`, then each of `classes`) of one replication's summary.
pub fn rows(s: &rundata::Summary, classes: &[String]) -> Vec<Figures> {
    let finite = |x: f64| x.is_finite().then_some(x);
    let kill = s.login.as_ref().and_then(|l| finite(l.kill_rate));
    let finished: f64 = s.classes.values().filter_map(|c| c.finished_per_day).sum();
    let mut out = vec![[
        Some(s.jobs as f64),
        finite(s.mean_wait),
        finite(s.median_wait),
        finite(s.p95_wait),
        finite(s.p99_wait),
        None,
        None,
        finite(s.mean_bsld),
        finite(s.utilisation),
        Some(finished),
        kill,
    ]];
    for class in classes {
        out.push(match s.classes.get(class) {
            // A class with no measured job in this replication: nothing to say about it.
            None => [None; FIGURES.len()],
            Some(c) => [
                Some(c.jobs as f64),
                finite(c.mean_wait),
                finite(c.median_wait),
                finite(c.p95_wait),
                finite(c.p99_wait),
                c.within_target.and_then(finite),
                finite(c.abandonment_rate),
                finite(c.mean_bsld),
                c.utilisation.and_then(finite),
                c.finished_per_day.and_then(finite),
                kill,
            ],
        });
    }
    out
}

/// The estimates of every row and figure over `reps` (one [`rows`] per replication): a figure
/// is defined at a point only when every replication defines it.
pub fn estimates(reps: &[Vec<Figures>]) -> Vec<[Option<Estimate>; FIGURES.len()]> {
    let nrows = reps.first().map_or(0, Vec::len);
    (0..nrows)
        .map(|row| {
            std::array::from_fn(|f| {
                let v: Option<Vec<f64>> = reps.iter().map(|r| r[row][f]).collect();
                v.map(|v| Estimate::of(&v))
            })
        })
        .collect()
}

/// Reads the summaries of point `p`'s replications from `dir`.
pub fn point_rows(dir: &Path, m: &Manifest, p: usize) -> Result<Vec<Vec<Figures>>, SweepError> {
    (0..m.replications)
        .map(|r| {
            let path = rep_dir(dir, p, r).join("summary.json");
            if !path.is_file() {
                return Err(SweepError::Folder {
                    path: dir.to_path_buf(),
                    message: format!("point {p}, replication {r} has not run (no {})", path.display()),
                });
            }
            Ok(rows(&rundata::read_summary(&path)?, &m.classes))
        })
        .collect()
}

/// The header of `sweep.csv` for `m`'s axes.
pub fn header(m: &Manifest) -> String {
    let mut h = String::from("point");
    for a in &m.axes {
        h.push(',');
        h.push_str(&csv_field(&a.key));
    }
    h.push_str(",class,replications");
    for f in FIGURES {
        let _ = write!(h, ",{f}_mean,{f}_ci");
    }
    h
}

/// Writes `dir/sweep.csv` from the replications' summaries in `dir`, one point at a time (so
/// memory holds one point's summaries, whatever the number of points).
pub fn write_table(dir: &Path, m: &Manifest) -> Result<(), SweepError> {
    write_table_to(dir, m, &dir.join("sweep.csv"))
}

/// [`write_table`] into another file (`run --replications` writes `replications.csv` beside
/// its sweep folder).
pub fn write_table_to(dir: &Path, m: &Manifest, dest: &Path) -> Result<(), SweepError> {
    let mut failure = None;
    write_atomic(dest, |f| {
        writeln!(f, "{}", header(m))?;
        for p in 0..m.points {
            let reps = match point_rows(dir, m, p) {
                Ok(r) => r,
                Err(e) => {
                    failure = Some(e);
                    return Err(io::Error::other("incomplete sweep"));
                }
            };
            let coords = coords_of(m, p);
            for (row, est) in estimates(&reps).iter().enumerate() {
                let class = if row == 0 { ALL } else { &m.classes[row - 1] };
                let mut line = p.to_string();
                for (&i, a) in coords.iter().zip(&m.axes) {
                    line.push(',');
                    line.push_str(&csv_field(&a.values[i]));
                }
                let _ = write!(line, ",{class},{}", m.replications);
                for e in est {
                    match e {
                        Some(e) => {
                            let _ = write!(line, ",{},{}", e.mean, e.ci.map_or(String::new(), |c| c.to_string()));
                        }
                        None => line.push_str(",,"),
                    }
                }
                writeln!(f, "{line}")?;
            }
        }
        Ok(())
    })
    .map_err(|e| failure.take().map_or(SweepError::Write(e), |f| f))
}

/// Merges shard folders into `out`: checks that they are all the shards of one sweep and
/// complete, copies their replications, and writes `sweep.json` and `sweep.csv` as the whole
/// sweep would. Returns the manifest.
pub fn merge(out: &Path, shards: &[PathBuf]) -> Result<Manifest, SweepError> {
    if shards.is_empty() {
        return Err(SweepError::Invalid("merge: no shard folders given".into()));
    }
    let out_abs = absolute(out);
    let mut manifests = Vec::new();
    for dir in shards {
        let abs = absolute(dir);
        if out_abs == abs || out_abs.starts_with(&abs) {
            return Err(SweepError::Folder {
                path: out.to_path_buf(),
                message: format!("is, or lies inside, the shard folder {}: merge into another folder", dir.display()),
            });
        }
        let m = read_manifest(dir)?;
        let Some(shard) = m.shard.as_deref().map(Shard::parse).transpose().map_err(SweepError::Invalid)? else {
            return Err(SweepError::Folder {
                path: dir.clone(),
                message: "holds a whole sweep, not a shard (its sweep.json names no shard)".into(),
            });
        };
        manifests.push((dir.clone(), m, shard));
    }
    let (first_dir, first, first_shard) = &manifests[0];
    let mut seen = vec![None::<&PathBuf>; first_shard.count as usize];
    for (dir, m, shard) in &manifests {
        let diff = first.differences(m);
        if !diff.is_empty() {
            return Err(SweepError::Folder {
                path: dir.clone(),
                message: format!("is a shard of a different sweep than {} ({})", first_dir.display(), diff.join("; ")),
            });
        }
        if shard.count != first_shard.count {
            return Err(SweepError::Folder {
                path: dir.clone(),
                message: format!("is shard {shard}, but {} is shard {first_shard}", first_dir.display()),
            });
        }
        if let Some(other) = seen[shard.index as usize - 1].replace(dir) {
            return Err(SweepError::Folder {
                path: dir.clone(),
                message: format!("is shard {shard} again ({} is too)", other.display()),
            });
        }
    }
    if let Some(missing) = seen.iter().position(Option::is_none) {
        return Err(SweepError::Invalid(format!(
            "merge: shard {}/{} is missing (give every shard's folder)",
            missing + 1,
            first_shard.count
        )));
    }
    let mut whole = first.clone();
    whole.shard = None;
    let r = u64::from(whole.replications);
    for (dir, _, shard) in &manifests {
        for p in 0..whole.points {
            for rep in 0..whole.replications {
                if !shard.owns(p as u64 * r + u64::from(rep)) {
                    continue;
                }
                let from = rep_dir(dir, p, rep);
                if !from.join("summary.json").is_file() {
                    return Err(SweepError::Folder {
                        path: dir.clone(),
                        message: format!(
                            "shard {shard} is not finished: point {p}, replication {rep} has no summary.json (run the shard again to finish it)"
                        ),
                    });
                }
            }
        }
    }
    let _lock = claim(out, &whole)?;
    for (dir, _, shard) in &manifests {
        for p in 0..whole.points {
            for rep in 0..whole.replications {
                if shard.owns(p as u64 * r + u64::from(rep)) {
                    copy_dir(&rep_dir(dir, p, rep), &rep_dir(out, p, rep))?;
                }
            }
        }
    }
    write_table(out, &whole)?;
    Ok(whole)
}

fn absolute(p: &Path) -> PathBuf {
    fs::canonicalize(p)
        .unwrap_or_else(|_| std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf()))
}

/// Copies the files of `from` into `to` (created), recursively; `summary.json` last, since its
/// presence marks a replication done.
fn copy_dir(from: &Path, to: &Path) -> Result<(), SweepError> {
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |error| SweepError::Io { path, error }
    };
    fs::create_dir_all(to).map_err(io_err(to))?;
    let mut entries: Vec<_> =
        fs::read_dir(from).map_err(io_err(from))?.collect::<Result<Vec<_>, _>>().map_err(io_err(from))?;
    entries.sort_by_key(|e| (e.file_name() == "summary.json", e.file_name()));
    for e in entries {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            let mut tmp = dst.as_os_str().to_owned();
            tmp.push(".tmp");
            fs::copy(&src, &tmp).map_err(io_err(&dst))?;
            fs::rename(&tmp, &dst).map_err(io_err(&dst))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_pairs_without_overlap() {
        let shards: Vec<Shard> = (1..=3).map(|i| Shard { index: i, count: 3 }).collect();
        for k in 0..30u64 {
            assert_eq!(shards.iter().filter(|s| s.owns(k)).count(), 1);
        }
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { index: 2, count: 3 });
        for bad in ["4/3", "0/3", "1/0", "x/2", "3"] {
            assert!(Shard::parse(bad).unwrap_err().contains("1 ≤ I ≤ N"), "{bad}");
        }
    }

    #[test]
    fn the_last_axis_varies_fastest() {
        let a = Axis::Set { key: overrides::KeySpec::parse("a").unwrap(), values: vec!["1".into(), "2".into()] };
        let b = Axis::Set {
            key: overrides::KeySpec::parse("b").unwrap(),
            values: vec!["x".into(), "y".into(), "z".into()],
        };
        let axes = [a, b];
        let all: Vec<Vec<usize>> = (0..6).map(|p| coords(&axes, p)).collect();
        assert_eq!(all, [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]);
    }

    #[test]
    fn a_figure_undefined_in_one_replication_is_undefined() {
        let mut a: Figures = [Some(1.0); FIGURES.len()];
        let b: Figures = [Some(3.0); FIGURES.len()];
        a[5] = None;
        let e = estimates(&[vec![a], vec![b]]);
        assert_eq!(e[0][5], None);
        assert_eq!(e[0][1].unwrap().mean, 2.0);
    }

    #[test]
    fn digests_are_stable() {
        // FNV-1a 64 test vectors.
        assert_eq!(digest(b""), "cbf29ce484222325");
        assert_eq!(digest(b"a"), "af63dc4c8601ec8c");
    }
}
