//! Reports: the files a run writes (CSV, JSON, SWF), each writer in its own file. Every file
//! is written under a temporary name and renamed into place, so an interrupted run never
//! leaves a half-written file behind.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cluster::Cluster;
use crate::engine::RunOutput;
use crate::metrics::{JobRecord, Outcome, Summary};
use crate::workload::{swf, Workload};
use checked::{FileRecord, FileRecords, Rows, Tally};

pub mod build;
pub mod calendar;
pub mod charts;
pub mod checked;
pub mod compare_report;
pub mod csv;
#[cfg(test)]
#[path = "../../tests/support/fixture.rs"]
pub(crate) mod fixture;
pub mod folder;
pub mod guard;
pub mod html;
pub mod jobs_csv;
pub mod memory;
pub mod progress;
pub mod rundata;
pub mod sweep_report;
#[cfg(test)]
mod testing;
pub mod timeseries_csv;

/// An output that could not be written. The I/O error is part of the message and not chained
/// as a `source` (a field named `source` would be), else `error: {e:#}` prints it twice.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot write: {error}", path.display())]
pub struct ReportError {
    pub path: PathBuf,
    pub error: io::Error,
}

/// Writes `path` through `fill`, atomically: to `path.tmp` first, then renamed.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>,
) -> Result<(), ReportError> {
    replace_atomic(path, |file| {
        let mut w = BufWriter::new(file);
        fill(&mut w)?;
        w.flush()
    })
}

/// Creates `path.tmp`, hands it to `fill`, and renames it to `path` when `fill` succeeds.
fn replace_atomic<T>(path: &Path, fill: impl FnOnce(fs::File) -> io::Result<T>) -> Result<T, ReportError> {
    let err = |error| ReportError { path: path.to_path_buf(), error };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let file = fs::File::create(&tmp).map_err(err)?;
    let made = fill(file).map_err(err)?;
    fs::rename(&tmp, path).map_err(err)?;
    Ok(made)
}

/// [`write_atomic`], tallying what `fill` writes for `summary.json`'s record of the file. The
/// tally sits behind the buffer, so it sees the file in large blocks rather than field by field.
pub fn write_recorded(
    path: &Path,
    kind: Rows,
    fill: impl FnOnce(&mut BufWriter<Tally<fs::File>>) -> io::Result<()>,
) -> Result<FileRecord, ReportError> {
    replace_atomic(path, |file| {
        let mut w = BufWriter::with_capacity(1 << 16, Tally::new(file, kind));
        fill(&mut w)?;
        let tally = w.into_inner().map_err(|e| e.into_error())?;
        Ok(tally.finish().0)
    })
}

/// What was run, as `summary.json` and the report state it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunInfo {
    pub name: String,
    /// The scenario file or trace.
    pub source: String,
    /// `order/backfill` (and the estimate when not the default).
    pub policy: String,
    pub seed: Option<u64>,
    /// Which replication of the seed this is (sweeps and `run --replications`); absent for a
    /// plain run, which is replication 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication: Option<u64>,
    /// schedsim's version.
    pub version: String,
    pub cluster: String,
    pub nodes: u64,
    pub cores: u64,
    /// Seconds between time-series samples, if sampled.
    pub sample_interval: Option<f64>,
    /// Jobs submitted before this instant (seconds) are warm-up, left out of the figures.
    pub warmup: Option<f64>,
}

impl RunInfo {
    /// The version of this build.
    pub fn version() -> String {
        env!("CARGO_PKG_VERSION").to_string()
    }
}

/// `summary.json`: what was run, then the figures.
#[derive(Serialize)]
struct SummaryFile<'a, L: Serialize> {
    run: &'a RunInfo,
    #[serde(flatten)]
    summary: &'a Summary,
    login: Option<&'a L>,
    /// The files beside it, so that a reader can tell a folder whose files were cut, edited
    /// or mixed from several runs.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    files: &'a FileRecords,
}

/// Writes `dir/summary.json` (the folder must exist): what was run, the figures, the
/// login-node summary when there are login nodes, and the record of `files` beside it.
pub fn write_summary<L: Serialize>(
    dir: &Path,
    info: &RunInfo,
    summary: &Summary,
    login: Option<&L>,
    files: &FileRecords,
) -> Result<(), ReportError> {
    let doc = SummaryFile { run: info, summary, login, files };
    write_atomic(&dir.join("summary.json"), |f| {
        serde_json::to_writer_pretty(&mut *f, &doc).map_err(io::Error::other)?;
        writeln!(f)
    })
}

/// Everything a run writes.
pub struct RunFiles<'a, L: Serialize> {
    pub info: &'a RunInfo,
    pub workload: &'a Workload,
    pub cluster: &'a Cluster,
    pub output: &'a RunOutput,
    pub summary: &'a Summary,
    /// Login nodes: their summary, per-process rows writer and per-node load samples.
    pub login: Option<LoginFiles<'a, L>>,
}

/// The login-node part of a run's files.
pub struct LoginFiles<'a, L: Serialize> {
    pub summary: &'a L,
    pub nodes: usize,
    pub load: &'a timeseries_csv::LoginLoad,
    pub write_csv: &'a dyn Fn(&mut dyn Write) -> io::Result<()>,
}

/// The lines of `schedule.swf`: every job that was admitted, with its SWF status (1 completed,
/// 0 killed at a limit or idle, 5 cancelled or preempted). A job that never started waited
/// until it left. A job that ran without a start or end is an `InvalidInput` error, not a
/// guessed line.
fn schedule_lines(records: &[JobRecord]) -> impl Iterator<Item = io::Result<swf::write::Ran>> + '_ {
    records.iter().filter(|r| r.outcome != Outcome::Rejected).map(|r| {
        let status = match r.outcome {
            Outcome::Completed => 1,
            Outcome::Walltime | Outcome::Idle => 0,
            Outcome::Abandoned | Outcome::Preempted | Outcome::Rejected => 5,
        };
        let waited_until = r.start.or(r.end).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("job index {} ended {} without a start or end time", r.job, r.outcome.as_str()),
            )
        })?;
        Ok(swf::write::Ran { job: r.job, waited_until, run: r.run, status })
    })
}

/// Writes the run's files into `dir` (created if needed) and returns their names:
/// `jobs.csv`, `summary.json`, `schedule.swf`, `timeseries.csv` (when sampled) and
/// `login.csv` (when there are login nodes) and `fairshare.csv` (when the queue order keeps
/// fair-share and the run samples). `summary.json` comes last, recording the others.
pub fn write_run<L: Serialize>(dir: &Path, files: &RunFiles<'_, L>) -> Result<Vec<&'static str>, ReportError> {
    fs::create_dir_all(dir).map_err(|error| ReportError { path: dir.to_path_buf(), error })?;
    let (w, out) = (files.workload, files.output);
    let mut records = FileRecords::new();
    // `jobs.csv` and `schedule.swf` are the two large files (a line per job each): written on
    // two threads at once. Each file's bytes do not depend on the other's.
    let (jobs, schedule) = std::thread::scope(|scope| {
        let jobs = scope.spawn(|| {
            write_recorded(&dir.join("jobs.csv"), Rows::Csv, |f| {
                jobs_csv::write_jobs_csv(f, &w.jobs, &out.records, &out.allocations, files.cluster)
            })
        });
        let schedule = write_recorded(&dir.join("schedule.swf"), Rows::Swf, |f| {
            swf::write::write_schedule(f, w, schedule_lines(&out.records))
        });
        (jobs.join().expect("the jobs.csv writer does not panic"), schedule)
    });
    let mut put = |name: &'static str, record: FileRecord| records.insert(name.to_string(), record);
    put("jobs.csv", jobs?);
    put("schedule.swf", schedule?);
    let mut names = vec!["jobs.csv", "summary.json", "schedule.swf"];
    if files.info.sample_interval.is_some() {
        let empty = timeseries_csv::LoginLoad::new();
        let (nodes, load) = files.login.as_ref().map_or((0, &empty), |l| (l.nodes, l.load));
        put(
            "timeseries.csv",
            write_recorded(&dir.join("timeseries.csv"), Rows::Csv, |f| {
                timeseries_csv::write_timeseries_csv(f, &out.samples, files.cluster, nodes, load)
            })?,
        );
        names.push("timeseries.csv");
    }
    if let Some(l) = &files.login {
        put("login.csv", write_recorded(&dir.join("login.csv"), Rows::Csv, |f| (l.write_csv)(f))?);
        names.push("login.csv");
    }
    if !out.fairshare.is_empty() {
        put(
            "fairshare.csv",
            write_recorded(&dir.join("fairshare.csv"), Rows::Csv, |f| {
                timeseries_csv::write_fairshare_csv(f, &out.fairshare)
            })?,
        );
        names.push("fairshare.csv");
    }
    write_summary(dir, files.info, files.summary, files.login.as_ref().map(|l| l.summary), &records)?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{SimDuration, SimTime};

    #[test]
    fn schedule_lines_leave_out_rejected_jobs_and_refuse_a_run_without_times() {
        let ran = |job, outcome| JobRecord {
            start: Some(SimTime(1_000)),
            end: Some(SimTime(3_000)),
            run: SimDuration(2_000),
            outcome,
            ..JobRecord::pending(job)
        };
        let left = JobRecord { end: Some(SimTime(5_000)), outcome: Outcome::Abandoned, ..JobRecord::pending(3) };
        let records = [
            ran(0, Outcome::Completed),
            JobRecord::pending(1),
            ran(2, Outcome::Walltime),
            left,
            ran(4, Outcome::Preempted),
        ];
        let lines: Vec<(u32, i64, i64)> = schedule_lines(&records)
            .map(|r| r.map(|r| (r.job, r.waited_until.0, r.status)))
            .collect::<io::Result<_>>()
            .expect("every admitted job has a time");
        assert_eq!(lines, [(0, 1_000, 1), (2, 1_000, 0), (3, 5_000, 5), (4, 1_000, 5)]);
        let timeless = [JobRecord { outcome: Outcome::Walltime, ..JobRecord::pending(0) }];
        let err = schedule_lines(&timeless).next().expect("one line").expect_err("no start or end");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
