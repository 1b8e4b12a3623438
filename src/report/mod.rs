//! Reports: the files a run writes (CSV, JSON, SWF), each writer in its own file. Every file
//! is written under a temporary name and renamed into place, so an interrupted run never
//! leaves a half-written file behind.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::metrics::JobRecord;
use crate::workload::Workload;

pub mod jobs_csv;
pub mod swf;

/// An output that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot write: {source}", path.display())]
pub struct ReportError {
    pub path: PathBuf,
    pub source: io::Error,
}

/// Writes `path` through `fill`, atomically: to `path.tmp` first, then renamed.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>,
) -> Result<(), ReportError> {
    let err = |source| ReportError { path: path.to_path_buf(), source };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let file = fs::File::create(&tmp).map_err(err)?;
    let mut w = BufWriter::new(file);
    fill(&mut w).and_then(|_| w.flush()).map_err(err)?;
    drop(w);
    fs::rename(&tmp, path).map_err(err)
}

/// The files of one run, as written into its directory.
pub const RUN_FILES: [&str; 3] = ["jobs.csv", "summary.json", "schedule.swf"];

/// Writes `jobs.csv`, `summary.json` and `schedule.swf` into `dir` (created if needed).
pub fn write_run(
    dir: &Path,
    workload: &Workload,
    records: &[JobRecord],
    summary: &impl serde::Serialize,
) -> Result<(), ReportError> {
    fs::create_dir_all(dir).map_err(|source| ReportError { path: dir.to_path_buf(), source })?;
    write_atomic(&dir.join("jobs.csv"), |w| jobs_csv::write_jobs_csv(w, &workload.jobs, records))?;
    write_atomic(&dir.join("summary.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, summary).map_err(io::Error::other)?;
        writeln!(w)
    })?;
    write_atomic(&dir.join("schedule.swf"), |w| swf::write_schedule_swf(w, workload, records))
}
