//! Reading a run directory back: `jobs.csv`, `summary.json`, and when present
//! `timeseries.csv` and `login.csv`, as written by a run (see design notes §10). This is what
//! `schedsim report DIR` rebuilds charts and `report.html` from, without simulating again.
//!
//! The reader accepts older runs too: a `jobs.csv` with only the issue-2 columns
//! (`job_id,submit,start,end,wait,runtime,requested_time,procs,outcome,bsld`), whose jobs all
//! count as class `all`, and a `summary.json` with only the flat fields. Columns it does not
//! know are ignored; columns it needs and cannot parse are errors that name the file, the
//! line, the column and what was expected. Nothing here panics on bad input.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

use super::checked::{disagreement, kind_of, record_of, FileRecords};
use crate::echo::{cut, echo, MESSAGE_CHARS};

/// The class given to every job of a `jobs.csv` that has no `class` column (older runs).
pub const DEFAULT_CLASS: &str = "all";

/// Why a run directory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RunDirError {
    /// The directory does not exist, or lacks `jobs.csv` or `summary.json`.
    #[error(
        "{}: not a run directory: {what} (a run directory holds jobs.csv and summary.json, \
         as written by `schedsim run`)",
        dir.display()
    )]
    NotARun { dir: PathBuf, what: String },
    /// A file exists but could not be read (the I/O error is in the message, not a `source`).
    #[error("{}: cannot read: {error}", path.display())]
    Io { path: PathBuf, error: io::Error },
    /// The header of a CSV file lacks a column that is needed.
    #[error("{}:1: the header has no `{column}` column (expected a header like `{expected}`)", path.display())]
    MissingColumn { path: PathBuf, column: String, expected: String },
    /// A CSV record is malformed (wrong number of fields, not UTF-8, ...).
    #[error("{}:{line}: {message}", path.display())]
    Csv { path: PathBuf, line: u64, message: String },
    /// A field does not hold what its column should.
    #[error(
        "{}:{line}: column {column} (`{name}`): expected {expected}, found `{found}`",
        path.display()
    )]
    Field { path: PathBuf, line: u64, column: usize, name: String, expected: String, found: String },
    /// A file disagrees with the record `summary.json` keeps of it.
    #[error("{}: {message}", path.display())]
    Disagrees { path: PathBuf, message: String },
    /// `summary.json` is not valid JSON or has a field of the wrong type.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Json { path: PathBuf, line: usize, column: usize, message: String },
}

pub use crate::metrics::Outcome;

/// One row of `jobs.csv`. Times are seconds from the start of the simulation; the ones a job
/// that never started lacks are `None`.
#[derive(Clone, Debug, PartialEq)]
pub struct JobRow {
    pub job_id: String,
    /// Index into [`RunData::classes`].
    pub class: u16,
    pub user: String,
    /// Index into [`RunData::partitions`] (the partition `""` when the column is absent).
    pub partition: u16,
    pub submit: f64,
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub wait: Option<f64>,
    pub runtime: Option<f64>,
    pub requested_time: Option<f64>,
    pub procs: u64,
    pub nodes: Option<u64>,
    /// Node ids as inclusive ranges `(first, last)`, in the order written.
    pub node_list: Vec<(u32, u32)>,
    pub outcome: Outcome,
    pub preemptions: u32,
    pub bsld: Option<f64>,
}

/// What was run (`summary.json` → `run`). Every field may be missing.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RunInfo {
    pub name: Option<String>,
    pub source: Option<String>,
    pub policy: Option<String>,
    pub seed: Option<u64>,
    pub version: Option<String>,
    pub cluster: Option<String>,
    pub nodes: Option<u64>,
    pub cores: Option<u64>,
    /// Seconds between two rows of `timeseries.csv`.
    pub sample_interval: Option<f64>,
    /// Jobs submitted before this instant (seconds) are warm-up, left out of the figures.
    pub warmup: Option<f64>,
}

impl RunInfo {
    /// Whether the run is of a scenario file (whose workload is drawn from a seed) rather than
    /// a replayed trace (which draws nothing at random).
    pub fn of_scenario(&self) -> bool {
        self.source.as_deref().is_some_and(|s| s.ends_with(".toml"))
    }

    /// The seed as a report states it: a trace's replay has none to record.
    pub fn seed_text(&self) -> Option<String> {
        match self.seed {
            Some(seed) => Some(seed.to_string()),
            None if self.source.is_some() && !self.of_scenario() => {
                Some("not applicable (a trace replay draws nothing at random)".into())
            }
            None => None,
        }
    }
}

/// Figures for one class (`summary.json` → `classes`). Waits in seconds; a figure written as
/// `null` (serde_json writes NaN so) reads as NaN.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ClassSummary {
    #[serde(default)]
    pub jobs: u64,
    #[serde(default)]
    pub started: u64,
    #[serde(default, deserialize_with = "nullable")]
    pub mean_wait: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub median_wait: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub p90_wait: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub p95_wait: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub p99_wait: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub max_wait: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub mean_bsld: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub abandonment_rate: f64,
    /// The class's wait target in seconds, if the run had one.
    #[serde(default)]
    pub target: Option<f64>,
    /// Share (0..1) of accepted jobs that started within the target.
    #[serde(default)]
    pub within_target: Option<f64>,
    /// Utilisation of the partitions the class's jobs were submitted to (runs written before
    /// it was recorded lack it).
    #[serde(default)]
    pub utilisation: Option<f64>,
    /// Jobs that ran to an end per day of the window.
    #[serde(default)]
    pub finished_per_day: Option<f64>,
}

/// Figures for one partition (`summary.json` → `partitions`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct PartitionSummary {
    #[serde(default)]
    pub nodes: u64,
    #[serde(default)]
    pub cores: u64,
    #[serde(default)]
    pub jobs: u64,
    #[serde(default, deserialize_with = "nullable")]
    pub utilisation: f64,
}

/// Login-node figures (`summary.json` → `login`); fields beyond the named ones are kept in
/// `extra`, in name order.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct LoginSummary {
    #[serde(default)]
    pub nodes: u64,
    /// Cores of all login nodes together.
    #[serde(default)]
    pub cores: u64,
    #[serde(default)]
    pub processes: u64,
    #[serde(default)]
    pub killed: u64,
    #[serde(default, deserialize_with = "nullable")]
    pub kill_rate: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub mean_stretch: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub p95_stretch: f64,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// `summary.json`. Only `jobs` is required: runs written before runs had classes, partitions
/// or login nodes have only the flat fields, and still give a report.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Summary {
    #[serde(default)]
    pub run: Option<RunInfo>,
    pub jobs: u64,
    #[serde(default)]
    pub completed: u64,
    #[serde(default)]
    pub walltime: u64,
    #[serde(default)]
    pub rejected: u64,
    #[serde(default)]
    pub rejected_by_reason: BTreeMap<String, u64>,
    #[serde(default)]
    pub skipped: u64,
    #[serde(default)]
    pub skipped_by_reason: BTreeMap<String, u64>,
    #[serde(default, deserialize_with = "nullable")]
    pub mean_wait: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub median_wait: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub p90_wait: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub p95_wait: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub p99_wait: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub max_wait: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub mean_bsld: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub utilisation: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub makespan: f64,
    #[serde(default)]
    pub outcomes: BTreeMap<String, u64>,
    #[serde(default)]
    pub classes: BTreeMap<String, ClassSummary>,
    #[serde(default)]
    pub partitions: BTreeMap<String, PartitionSummary>,
    #[serde(default)]
    pub login: Option<LoginSummary>,
    /// The files beside it as they were written (absent in runs older than the record).
    #[serde(default)]
    pub files: FileRecords,
}

/// A number that may be written as `null` (NaN), read as NaN.
fn nullable<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// One named column of `timeseries.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The class, partition or login node the column is about (the part after the prefix).
    pub name: String,
    pub values: Vec<f64>,
}

/// `timeseries.csv`, by kind of column, each in the order of the header.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimeSeries {
    /// Sample instants, seconds.
    pub time: Vec<f64>,
    /// `running_<class>`: jobs running.
    pub running: Vec<Series>,
    /// `queued_<class>`: jobs waiting.
    pub queued: Vec<Series>,
    /// `busy_cores_<partition>`.
    pub busy_cores: Vec<Series>,
    /// `busy_nodes_<partition>`.
    pub busy_nodes: Vec<Series>,
    /// `login_load_<k>`: active processes on login node k.
    pub login_load: Vec<Series>,
    /// The header as read.
    pub columns: Vec<String>,
}

/// `fairshare.csv`: each account's fair-share factor over time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FairShare {
    /// Sample instants, seconds.
    pub time: Vec<f64>,
    /// One series per account, in the file's order of first appearance.
    pub factor: Vec<Series>,
}

/// One row of `login.csv`: a process on a login node.
#[derive(Clone, Debug, PartialEq)]
pub struct LoginProcess {
    pub proc_id: String,
    pub user: String,
    pub node: String,
    pub arrival: f64,
    pub end: Option<f64>,
    pub cpu_demand: Option<f64>,
    pub cpu_used: Option<f64>,
    pub outcome: String,
    pub stretch: Option<f64>,
}

/// Everything a run directory holds that a report is built from.
#[derive(Clone, Debug, Default)]
pub struct RunData {
    pub dir: PathBuf,
    pub summary: Summary,
    /// The header of `jobs.csv` as read.
    pub job_columns: Vec<String>,
    /// Class names, in report order: batch, interactive, debug, then others by name.
    pub classes: Vec<String>,
    /// Partition names, by name.
    pub partitions: Vec<String>,
    pub jobs: Vec<JobRow>,
    pub timeseries: Option<TimeSeries>,
    pub login: Option<Vec<LoginProcess>>,
    pub fairshare: Option<FairShare>,
    /// When time 0 of a replayed trace was, from its header (`None` for a scenario, or a
    /// trace whose header does not say).
    pub start: Option<TraceStart>,
}

/// The optional files of a run: `timeseries.csv`, `login.csv` and `fairshare.csv`.
pub(super) type Optional = (Option<TimeSeries>, Option<Vec<LoginProcess>>, Option<FairShare>);

impl RunData {
    /// The run in `dir`: its summary, jobs, optional files and start.
    pub(super) fn of(
        dir: &Path,
        summary: Summary,
        jobs: JobsFile,
        (timeseries, login, fairshare): Optional,
        start: Option<TraceStart>,
    ) -> RunData {
        RunData {
            dir: dir.to_path_buf(),
            summary,
            job_columns: jobs.columns,
            classes: jobs.classes,
            partitions: jobs.partitions,
            jobs: jobs.rows,
            timeseries,
            login,
            fairshare,
            start,
        }
    }

    /// The class name of `job`.
    pub fn class_name(&self, job: &JobRow) -> &str {
        &self.classes[job.class as usize]
    }

    /// The partition name of `job`.
    pub fn partition_name(&self, job: &JobRow) -> &str {
        &self.partitions[job.partition as usize]
    }

    /// Whether `job` counts in the figures: submitted after the warm-up, as in summary.json.
    pub fn measured(&self, job: &JobRow) -> bool {
        self.summary.run.as_ref().and_then(|r| r.warmup).is_none_or(|w| job.submit >= w)
    }

    /// Whether `jobs.csv` had the named column.
    pub fn has_job_column(&self, name: &str) -> bool {
        self.job_columns.iter().any(|c| c == name)
    }
}

/// The `jobs.csv` header this reader is written against.
pub const JOBS_HEADER: &str = "job_id,class,user,partition,submit,start,end,wait,runtime,requested_time,procs,nodes,\
     node_list,outcome,preemptions,bsld";
/// The `login.csv` header this reader is written against.
pub const LOGIN_HEADER: &str = "proc_id,user,node,arrival,end,cpu_demand,cpu_used,outcome,stretch";

/// Reads the run in `dir`: `jobs.csv` and `summary.json` (required), `timeseries.csv`,
/// `login.csv` and `fairshare.csv` (when present).
pub fn load_run(dir: &Path) -> Result<RunData, RunDirError> {
    let not_a_run = |what: String| RunDirError::NotARun { dir: dir.to_path_buf(), what };
    match fs::metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(not_a_run("no such directory".into())),
        Err(error) => return Err(RunDirError::Io { path: dir.to_path_buf(), error }),
        Ok(m) if !m.is_dir() => return Err(not_a_run("not a directory".into())),
        Ok(_) => {}
    }
    for name in ["jobs.csv", "summary.json"] {
        if !dir.join(name).is_file() {
            return Err(not_a_run(format!("no {name}")));
        }
    }
    let summary = read_summary(&dir.join("summary.json"))?;
    check_files(dir, &summary.files)?;
    // The large files are read side by side: jobs.csv, and the optional ones.
    let (jobs, rest) = rayon::join(
        || read_jobs(&dir.join("jobs.csv")),
        || {
            let ts_path = dir.join("timeseries.csv");
            let timeseries = if ts_path.is_file() { Some(read_timeseries(&ts_path)?) } else { None };
            let login_path = dir.join("login.csv");
            let login = if login_path.is_file() { Some(read_login(&login_path)?) } else { None };
            let fs_path = dir.join("fairshare.csv");
            let fairshare = if fs_path.is_file() { Some(read_fairshare(&fs_path)?) } else { None };
            Ok::<_, RunDirError>((timeseries, login, fairshare))
        },
    );
    Ok(RunData::of(dir, summary, jobs?, rest?, trace_start(dir)))
}

/// Checks the files of `dir` against `summary.json`'s record of them: each is there with the
/// rows, bytes and checksum it was written with, and no optional file is there unrecorded.
fn check_files(dir: &Path, files: &FileRecords) -> Result<(), RunDirError> {
    if files.is_empty() {
        return Ok(());
    }
    let disagrees = |path: PathBuf, message: String| RunDirError::Disagrees { path, message };
    for (name, recorded) in files {
        let path = dir.join(name);
        if Path::new(name).file_name().is_none_or(|n| n != name.as_str()) {
            return Err(disagrees(dir.join("summary.json"), format!("records `{name}`, which is not a file name")));
        }
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let message = format!("missing, though summary.json records it ({} data rows)", recorded.rows);
                return Err(disagrees(path, message));
            }
            Err(error) => return Err(RunDirError::Io { path, error }),
        };
        if let Some(message) = disagreement(&record_of(&bytes, kind_of(name), recorded), recorded) {
            return Err(disagrees(path, message));
        }
    }
    for name in ["timeseries.csv", "login.csv", "fairshare.csv", "schedule.swf"] {
        if !files.contains_key(name) && dir.join(name).is_file() {
            let message = "is not recorded in summary.json: it comes from another run (run it again)".into();
            return Err(disagrees(dir.join(name), message));
        }
    }
    Ok(())
}

/// Reads `summary.json`.
pub fn read_summary(path: &Path) -> Result<Summary, RunDirError> {
    let text = fs::read(path).map_err(|error| RunDirError::Io { path: path.to_path_buf(), error })?;
    serde_json::from_slice(&text).map_err(|e| RunDirError::Json {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: cut(&json_message(&e), MESSAGE_CHARS),
    })
}

/// serde_json's message without its trailing " at line L column C" (the error names them).
fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// A CSV file open for reading by column name.
struct CsvFile {
    path: PathBuf,
    reader: csv::Reader<fs::File>,
    columns: Vec<String>,
}

impl CsvFile {
    fn open(path: &Path) -> Result<CsvFile, RunDirError> {
        let file = fs::File::open(path).map_err(|error| RunDirError::Io { path: path.to_path_buf(), error })?;
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(file);
        let header = reader.byte_headers().map_err(|e| csv_error(path, e))?.clone();
        let mut columns = Vec::with_capacity(header.len());
        for (i, h) in header.iter().enumerate() {
            let name = std::str::from_utf8(h).map_err(|_| RunDirError::Csv {
                path: path.to_path_buf(),
                line: 1,
                message: format!("column {}: the header is not UTF-8 text", i + 1),
            })?;
            // A byte-order mark, as some spreadsheets write, is not part of the first name.
            columns.push(name.trim_start_matches('\u{feff}').trim().to_string());
        }
        Ok(CsvFile { path: path.to_path_buf(), reader, columns })
    }

    /// Calls `row` with each data row in order; the first error, the reader's or `row`'s,
    /// ends the reading.
    fn rows(&mut self, mut row: impl FnMut(Fields<'_>) -> Result<(), RunDirError>) -> Result<(), RunDirError> {
        let mut record = csv::ByteRecord::new();
        loop {
            match self.reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(e) => return Err(csv_error(&self.path, e)),
            }
            let line = record.position().map_or(0, |p| p.line());
            row(Fields { path: &self.path, columns: &self.columns, record: &record, line })?;
        }
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    fn require(&self, name: &str, expected_header: &str) -> Result<usize, RunDirError> {
        self.index(name).ok_or_else(|| RunDirError::MissingColumn {
            path: self.path.clone(),
            column: name.to_string(),
            expected: expected_header.to_string(),
        })
    }
}

fn csv_error(path: &Path, e: csv::Error) -> RunDirError {
    let line = e.position().map_or(0, |p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("expected {expected_len} fields, as in the header, found {len}")
        }
        csv::ErrorKind::Io(err) => {
            return RunDirError::Io { path: path.to_path_buf(), error: io::Error::new(err.kind(), err.to_string()) }
        }
        _ => e.to_string(),
    };
    RunDirError::Csv { path: path.to_path_buf(), line, message: cut(&message, MESSAGE_CHARS) }
}

/// One record being parsed: names the file, line and column of any bad field.
struct Fields<'a> {
    path: &'a Path,
    columns: &'a [String],
    record: &'a csv::ByteRecord,
    line: u64,
}

impl Fields<'_> {
    fn bad(&self, i: usize, expected: &str) -> RunDirError {
        let raw = self.record.get(i).unwrap_or_default();
        RunDirError::Field {
            path: self.path.to_path_buf(),
            line: self.line,
            column: i + 1,
            name: echo(&self.columns[i]),
            expected: expected.to_string(),
            found: echo(&String::from_utf8_lossy(raw)),
        }
    }

    fn text(&self, i: usize) -> Result<&str, RunDirError> {
        let raw = self.record.get(i).unwrap_or_default();
        std::str::from_utf8(raw).map_err(|_| self.bad(i, "UTF-8 text"))
    }

    fn opt_text(&self, i: Option<usize>) -> Result<&str, RunDirError> {
        i.map_or(Ok(""), |i| self.text(i))
    }

    fn secs(&self, i: usize) -> Result<f64, RunDirError> {
        const WHAT: &str = "seconds as a decimal number, such as 4.709";
        match self.text(i)?.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.bad(i, WHAT)),
        }
    }

    /// An optional column's number: `None` when the column is absent or the field empty.
    fn opt_secs(&self, i: Option<usize>) -> Result<Option<f64>, RunDirError> {
        match i {
            Some(i) if !self.text(i)?.trim().is_empty() => self.secs(i).map(Some),
            _ => Ok(None),
        }
    }

    fn opt_num(&self, i: Option<usize>, what: &str) -> Result<Option<f64>, RunDirError> {
        match i {
            Some(i) => {
                let t = self.text(i)?.trim();
                if t.is_empty() {
                    return Ok(None);
                }
                match t.parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(Some(v)),
                    _ => Err(self.bad(i, what)),
                }
            }
            None => Ok(None),
        }
    }

    fn opt_uint(&self, i: Option<usize>) -> Result<Option<u64>, RunDirError> {
        match i {
            Some(i) => {
                let t = self.text(i)?.trim();
                if t.is_empty() {
                    return Ok(None);
                }
                t.parse::<u64>().map(Some).map_err(|_| self.bad(i, "a whole number, such as 32"))
            }
            None => Ok(None),
        }
    }

    fn node_list(&self, i: Option<usize>) -> Result<Vec<(u32, u32)>, RunDirError> {
        let Some(i) = i else { return Ok(Vec::new()) };
        parse_node_list(self.text(i)?)
            .ok_or_else(|| self.bad(i, "node ids as space-separated ranges, such as `0-3 7`, or nothing"))
    }
}

/// Parses `0-3 7` into `[(0, 3), (7, 7)]`; `None` if malformed (a range must not run down).
pub fn parse_node_list(text: &str) -> Option<Vec<(u32, u32)>> {
    let mut out = Vec::new();
    for part in text.split_ascii_whitespace() {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?),
            None => {
                let a = part.parse::<u32>().ok()?;
                (a, a)
            }
        };
        if b < a {
            return None;
        }
        out.push((a, b));
    }
    Some(out)
}

/// Interns names, giving each a dense index.
#[derive(Default)]
pub(super) struct Names {
    names: Vec<String>,
}

impl Names {
    pub(super) fn id(&mut self, name: &str) -> usize {
        match self.names.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                self.names.push(name.to_string());
                self.names.len() - 1
            }
        }
    }
}

/// Where a class sorts in reports: the known classes first, in a fixed order, then by name.
pub fn class_rank(name: &str) -> (usize, &str) {
    let known = ["batch", "interactive", "debug"];
    (known.iter().position(|k| *k == name).unwrap_or(known.len()), name)
}

pub(super) struct JobsFile {
    pub(super) columns: Vec<String>,
    pub(super) classes: Vec<String>,
    pub(super) partitions: Vec<String>,
    pub(super) rows: Vec<JobRow>,
}

fn read_jobs(path: &Path) -> Result<JobsFile, RunDirError> {
    let mut f = CsvFile::open(path)?;
    let col = |name: &str| f.index(name);
    let (c_class, c_user, c_part) = (col("class"), col("user"), col("partition"));
    let (c_start, c_end, c_wait, c_run) = (col("start"), col("end"), col("wait"), col("runtime"));
    let (c_req, c_procs, c_nodes, c_list) = (col("requested_time"), col("procs"), col("nodes"), col("node_list"));
    let (c_pre, c_bsld) = (col("preemptions"), col("bsld"));
    let c_id = f.require("job_id", JOBS_HEADER)?;
    let c_submit = f.require("submit", JOBS_HEADER)?;
    let c_outcome = f.require("outcome", JOBS_HEADER)?;
    let mut classes = Names::default();
    let mut partitions = Names::default();
    let mut rows = Vec::new();
    f.rows(|r| {
        let class = match c_class {
            Some(i) => {
                let t = r.text(i)?.trim();
                if t.is_empty() {
                    return Err(r.bad(i, "a class name, such as batch, interactive or debug"));
                }
                t
            }
            None => DEFAULT_CLASS,
        };
        let class = classes.id(class);
        let partition = partitions.id(r.opt_text(c_part)?.trim());
        let outcome_text = r.text(c_outcome)?.trim();
        let outcome = Outcome::parse(outcome_text)
            .ok_or_else(|| r.bad(c_outcome, "one of completed, walltime, idle, abandoned, preempted, rejected"))?;
        let procs = r.opt_uint(c_procs)?.unwrap_or(0);
        let preemptions = match c_pre {
            Some(i) => r.opt_uint(Some(i))?.unwrap_or(0).try_into().map_err(|_| r.bad(i, "a count below 2^32"))?,
            None => 0,
        };
        rows.push(JobRow {
            job_id: r.text(c_id)?.trim().to_string(),
            class: class.try_into().map_err(|_| r.bad(c_class.unwrap_or(0), "at most 65,536 classes"))?,
            user: r.opt_text(c_user)?.trim().to_string(),
            partition: partition.try_into().map_err(|_| r.bad(c_part.unwrap_or(0), "at most 65,536 partitions"))?,
            submit: r.secs(c_submit)?,
            start: r.opt_secs(c_start)?,
            end: r.opt_secs(c_end)?,
            wait: r.opt_secs(c_wait)?,
            runtime: r.opt_secs(c_run)?,
            requested_time: r.opt_secs(c_req)?,
            procs,
            nodes: r.opt_uint(c_nodes)?,
            node_list: r.node_list(c_list)?,
            outcome,
            preemptions,
            bsld: r.opt_num(c_bsld, "a bounded slowdown (a number ≥ 1), or nothing")?,
        });
        Ok(())
    })?;
    Ok(JobsFile::ordered(f.columns, classes, partitions, rows))
}

impl JobsFile {
    /// The rows with classes and partitions renumbered into report order: known classes
    /// first, partitions by name.
    pub(super) fn ordered(columns: Vec<String>, classes: Names, partitions: Names, mut rows: Vec<JobRow>) -> JobsFile {
        let order = |names: &[String], key: &dyn Fn(&str, &str) -> std::cmp::Ordering| {
            let mut idx: Vec<usize> = (0..names.len()).collect();
            idx.sort_by(|&a, &b| key(&names[a], &names[b]));
            let mut remap = vec![0u16; names.len()];
            for (new, &old) in idx.iter().enumerate() {
                remap[old] = new as u16;
            }
            (idx.iter().map(|&i| names[i].clone()).collect::<Vec<_>>(), remap)
        };
        let (class_names, class_map) = order(&classes.names, &|a, b| class_rank(a).cmp(&class_rank(b)));
        let (part_names, part_map) = order(&partitions.names, &|a, b| a.cmp(b));
        for row in &mut rows {
            row.class = class_map[row.class as usize];
            row.partition = part_map[row.partition as usize];
        }
        JobsFile { columns, classes: class_names, partitions: part_names, rows }
    }
}

/// Reads `timeseries.csv`: a `time` column, then columns named by the prefixes `running_`,
/// `queued_`, `busy_cores_`, `busy_nodes_` and `login_load_`; other columns are ignored.
pub fn read_timeseries(path: &Path) -> Result<TimeSeries, RunDirError> {
    const EXPECTED: &str = "time,running_batch,queued_batch,busy_cores_batch,busy_nodes_batch";
    let mut f = CsvFile::open(path)?;
    let c_time = f.require("time", EXPECTED)?;
    let mut ts = TimeSeries { columns: f.columns.clone(), ..TimeSeries::default() };
    // (column, which list, position in it)
    let mut slots: Vec<(usize, u8, usize)> = Vec::new();
    for (i, c) in f.columns.iter().enumerate() {
        let kinds: [(&str, u8); 5] =
            [("running_", 0), ("queued_", 1), ("busy_cores_", 2), ("busy_nodes_", 3), ("login_load_", 4)];
        for (prefix, kind) in kinds {
            if let Some(name) = c.strip_prefix(prefix) {
                let list = series_list(&mut ts, kind);
                list.push(Series { name: name.to_string(), values: Vec::new() });
                slots.push((i, kind, list.len() - 1));
                break;
            }
        }
    }
    f.rows(|r| {
        ts.time.push(r.secs(c_time)?);
        for &(i, kind, k) in &slots {
            let v = match r.text(i)?.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                _ => return Err(r.bad(i, "a number, such as 12 or 0.5")),
            };
            series_list(&mut ts, kind)[k].values.push(v);
        }
        Ok(())
    })?;
    Ok(ts)
}

fn series_list(ts: &mut TimeSeries, kind: u8) -> &mut Vec<Series> {
    match kind {
        0 => &mut ts.running,
        1 => &mut ts.queued,
        2 => &mut ts.busy_cores,
        3 => &mut ts.busy_nodes,
        _ => &mut ts.login_load,
    }
}

/// Reads `login.csv`.
pub fn read_login(path: &Path) -> Result<Vec<LoginProcess>, RunDirError> {
    let mut f = CsvFile::open(path)?;
    let c_node = f.require("node", LOGIN_HEADER)?;
    let c_arrival = f.require("arrival", LOGIN_HEADER)?;
    let col = |name: &str| f.index(name);
    let (c_id, c_user, c_end, c_demand) = (col("proc_id"), col("user"), col("end"), col("cpu_demand"));
    let (c_used, c_outcome, c_stretch) = (col("cpu_used"), col("outcome"), col("stretch"));
    let mut out = Vec::new();
    f.rows(|r| {
        out.push(LoginProcess {
            proc_id: r.opt_text(c_id)?.trim().to_string(),
            user: r.opt_text(c_user)?.trim().to_string(),
            node: r.text(c_node)?.trim().to_string(),
            arrival: r.secs(c_arrival)?,
            end: r.opt_secs(c_end)?,
            cpu_demand: r.opt_secs(c_demand)?,
            cpu_used: r.opt_secs(c_used)?,
            outcome: r.opt_text(c_outcome)?.trim().to_string(),
            stretch: r.opt_num(c_stretch, "a stretch (a number ≥ 1), or nothing")?,
        });
        Ok(())
    })?;
    Ok(out)
}

/// When time 0 of a trace run was, as its SWF header's `StartTime` gives it in the trace's
/// local time (`Sun Jul 28 09:04:05 CEST 2002`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceStart {
    /// Seconds from the Monday 00:00 before time 0 to time 0.
    pub since_monday: u32,
    /// The local calendar date of time 0 (year, month 1–12, day 1–31), when the header's
    /// words give a valid one.
    pub date: Option<(i32, u32, u32)>,
    /// The header's words, for captions.
    pub text: String,
}

/// The start of the trace replayed in `dir`, from the header of its `schedule.swf` (which
/// keeps the trace's header); `None` when there is none or it cannot be read. Only the
/// comment lines at the top are read.
pub fn trace_start(dir: &Path) -> Option<TraceStart> {
    use std::io::BufRead;
    let file = fs::File::open(dir.join("schedule.swf")).ok()?;
    let mut comments = Vec::new();
    for line in io::BufReader::new(file).lines() {
        let line = line.ok()?;
        let Some(comment) = line.trim_start().strip_prefix(';') else { break };
        comments.push(comment.to_string());
    }
    trace_start_in(comments.iter().map(String::as_str))
}

/// The start a trace's header comments (without their `;`) give in their `StartTime` line.
pub fn trace_start_in<'a>(comments: impl IntoIterator<Item = &'a str>) -> Option<TraceStart> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    for comment in comments {
        let Some(value) = comment.trim().strip_prefix("StartTime:") else { continue };
        let text = value.trim().to_string();
        let words: Vec<&str> = text.split_whitespace().collect();
        let day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].iter().position(|d| Some(d) == words.first())?;
        let clock = words.get(3)?;
        let hms: Vec<u32> = clock.split(':').map(|v| v.parse().ok()).collect::<Option<_>>()?;
        let [h, m, sec] = hms[..] else { return None };
        if h > 23 || m > 59 || sec > 60 {
            return None;
        }
        let month = MONTHS.iter().position(|n| Some(n) == words.get(1)).map(|k| k as u32 + 1);
        let mday = words.get(2).and_then(|d| d.parse::<u32>().ok()).filter(|d| (1..=31).contains(d));
        let year = words.last().and_then(|y| y.parse::<i32>().ok()).filter(|y| (1900..=9999).contains(y));
        let date = match (year, month, mday) {
            (Some(y), Some(m), Some(d)) if d <= crate::civil::days_in_month(i64::from(y), m) => Some((y, m, d)),
            _ => None,
        };
        return Some(TraceStart { since_monday: day as u32 * 86400 + h * 3600 + m * 60 + sec, date, text });
    }
    None
}

/// The header of `comparison.csv`.
pub const COMPARISON_HEADER: &str = "variant,class,jobs,started,mean_wait,median_wait,p90_wait,p95_wait,p99_wait,max_wait,mean_bsld,abandonment_rate,within_target,utilisation";

/// The `fairshare.csv` header this reader is written against.
pub const FAIRSHARE_HEADER: &str = "time,account,usage,factor";

/// Reads `fairshare.csv` into one factor series per account (an account missing at an
/// instant reads as 0).
pub fn read_fairshare(path: &Path) -> Result<FairShare, RunDirError> {
    let mut f = CsvFile::open(path)?;
    let c_time = f.require("time", FAIRSHARE_HEADER)?;
    let c_account = f.require("account", FAIRSHARE_HEADER)?;
    let c_factor = f.require("factor", FAIRSHARE_HEADER)?;
    let mut out = FairShare::default();
    f.rows(|r| {
        let t = r.secs(c_time)?;
        let account = r.text(c_account)?.trim().to_string();
        let factor = r.opt_num(Some(c_factor), "a fair-share factor (a number in [0, 1])")?.unwrap_or(0.0);
        out.push(t, account, factor);
        Ok(())
    })?;
    Ok(out)
}

impl FairShare {
    /// Adds one row: `account`'s factor at instant `t` (rows come in time order).
    pub(super) fn push(&mut self, t: f64, account: String, factor: f64) {
        if self.time.last() != Some(&t) {
            self.time.push(t);
            for s in &mut self.factor {
                s.values.push(0.0);
            }
        }
        let k = self.time.len();
        let series = match self.factor.iter().position(|s| s.name == account) {
            Some(i) => &mut self.factor[i],
            None => {
                self.factor.push(Series { name: account, values: vec![0.0; k] });
                self.factor.last_mut().expect("just pushed")
            }
        };
        series.values[k - 1] = factor;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_trace_start_is_read_from_the_schedule_header() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(trace_start(dir.path()), None);
        let swf = dir.path().join("schedule.swf");
        fs::write(&swf, "; MaxProcs: 240\n; StartTime: Sun Jul 28 09:04:05 CEST 2002\n1 0 0\n").unwrap();
        let s = trace_start(dir.path()).unwrap();
        assert_eq!(s.since_monday, 6 * 86400 + 9 * 3600 + 4 * 60 + 5);
        assert_eq!(s.text, "Sun Jul 28 09:04:05 CEST 2002");
        // Only the header counts, and a malformed one is no start.
        fs::write(&swf, "1 0 0\n; StartTime: Mon Sep 23 14:00:31 CEST 1996\n").unwrap();
        assert_eq!(trace_start(dir.path()), None);
        fs::write(&swf, "; StartTime: Someday 25:00:00\n").unwrap();
        assert_eq!(trace_start(dir.path()), None);
    }

    use super::*;
    use crate::report::fixture::{write_fixture_run, FixtureSpec};

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().expect("temporary directory")
    }

    #[test]
    fn fixture_columns_and_rows_are_read_as_written() {
        let dir = tmp();
        let spec = FixtureSpec { jobs: 400, ..FixtureSpec::default() };
        let counts = write_fixture_run(dir.path(), &spec).unwrap();
        let run = load_run(dir.path()).unwrap();

        assert_eq!(run.job_columns.join(","), JOBS_HEADER);
        assert_eq!(run.jobs.len(), counts.jobs);
        assert_eq!(run.jobs.iter().filter(|j| j.start.is_some()).count(), counts.started);
        assert_eq!(run.classes, ["batch", "interactive", "debug"]);
        for (class, n) in &counts.by_class {
            assert_eq!(run.jobs.iter().filter(|j| run.class_name(j) == class).count(), *n, "{class}");
        }
        assert_eq!(run.partitions, ["batch", "interactive"]);

        // Row by row against an independent split of the file's text.
        let text = fs::read_to_string(dir.path().join("jobs.csv")).unwrap();
        let lines: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(lines.len(), run.jobs.len());
        for (line, job) in lines.iter().zip(&run.jobs) {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 16, "{line}");
            assert_eq!(job.job_id, f[0]);
            assert_eq!(run.class_name(job), f[1]);
            assert_eq!(job.user, f[2]);
            assert_eq!(run.partition_name(job), f[3]);
            assert_eq!(job.submit, f[4].parse::<f64>().unwrap());
            assert_eq!(job.start, f[5].parse::<f64>().ok());
            assert_eq!(job.end, f[6].parse::<f64>().ok());
            assert_eq!(job.wait, f[7].parse::<f64>().ok());
            assert_eq!(job.runtime, f[8].parse::<f64>().ok());
            assert_eq!(job.requested_time, f[9].parse::<f64>().ok());
            assert_eq!(job.procs, f[10].parse::<u64>().unwrap());
            assert_eq!(job.nodes, f[11].parse::<u64>().ok());
            assert_eq!(job.node_list, parse_node_list(f[12]).unwrap());
            assert_eq!(job.outcome.as_str(), f[13]);
            assert_eq!(job.preemptions.to_string(), f[14]);
            assert_eq!(job.bsld, f[15].parse::<f64>().ok());
        }

        let ts = run.timeseries.as_ref().expect("timeseries.csv");
        assert_eq!(ts.columns.len(), counts.timeseries_columns);
        assert_eq!(ts.time.len(), counts.timeseries_rows);
        let names = |s: &[Series]| s.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&ts.running), ["batch", "interactive", "debug"]);
        assert_eq!(names(&ts.queued), ["batch", "interactive", "debug"]);
        assert_eq!(names(&ts.busy_cores), ["batch", "interactive"]);
        assert_eq!(names(&ts.busy_nodes), ["batch", "interactive"]);
        assert_eq!(names(&ts.login_load), ["0", "1"]);
        for s in ts.running.iter().chain(&ts.queued).chain(&ts.busy_cores).chain(&ts.busy_nodes).chain(&ts.login_load) {
            assert_eq!(s.values.len(), counts.timeseries_rows, "{}", s.name);
        }
        let ts_text = fs::read_to_string(dir.path().join("timeseries.csv")).unwrap();
        let last: Vec<f64> = ts_text.lines().last().unwrap().split(',').map(|v| v.parse().unwrap()).collect();
        assert_eq!(last[0], *ts.time.last().unwrap());
        assert_eq!(last[1], *ts.running[0].values.last().unwrap());

        let login = run.login.as_ref().expect("login.csv");
        assert_eq!(login.len(), counts.login_processes);
        assert!(login.iter().all(|p| p.node == "0" || p.node == "1"));

        let s = &run.summary;
        assert_eq!(s.jobs, counts.jobs as u64);
        let info = s.run.as_ref().expect("run description");
        assert_eq!(info.nodes, Some(u64::from(spec.nodes)));
        assert_eq!(info.sample_interval, Some(spec.sample_interval));
        assert_eq!(s.classes.len(), 3);
        assert_eq!(s.classes["interactive"].target, Some(60.0));
        assert_eq!(s.classes["batch"].target, None);
        assert_eq!(s.partitions["interactive"].nodes, u64::from(spec.interactive_nodes));
        assert_eq!(s.login.as_ref().unwrap().nodes, u64::from(spec.login_nodes));
        assert!(s.login.as_ref().unwrap().extra.contains_key("cpu_limit"));
        assert_eq!(s.outcomes.values().sum::<u64>(), counts.jobs as u64);
    }

    #[test]
    fn the_simulator_writes_the_headers_this_reader_is_written_against() {
        assert_eq!(crate::report::jobs_csv::HEADER, JOBS_HEADER);
        assert_eq!(crate::cluster::login::LOGIN_CSV_HEADER, LOGIN_HEADER);
    }

    #[test]
    fn an_older_run_reads_with_defaults() {
        let dir = crate::report::testing::older_run();
        let rows = fs::read_to_string(dir.path().join("jobs.csv")).unwrap().lines().count() - 1;
        let run = load_run(dir.path()).unwrap();
        assert_eq!(run.jobs.len(), rows);
        assert_eq!(run.classes, [DEFAULT_CLASS]);
        assert!(!run.has_job_column("node_list"));
        assert!(run.jobs.iter().all(|j| j.node_list.is_empty() && j.user.is_empty()));
        assert!(run.timeseries.is_none() && run.login.is_none());
        assert!(run.summary.run.is_none() && run.summary.classes.is_empty() && run.summary.login.is_none());
        assert_eq!(run.summary.jobs, rows as u64);
    }

    #[test]
    fn the_repository_s_own_older_summary_reads() {
        // The shape of summary.json written before runs had classes and partitions.
        let dir = tmp();
        let path = dir.path().join("summary.json");
        fs::write(
            &path,
            r#"{"jobs": 10000, "completed": 10000, "walltime": 0, "rejected": 0, "skipped": 0,
               "skipped_by_reason": {}, "mean_wait": 34334.98, "median_wait": 8072.273, "p90_wait": 105117.962,
               "p95_wait": 170723.875, "p99_wait": 301784.795, "max_wait": 471241.603,
               "mean_bsld": 159.11, "utilisation": 0.788, "makespan": 16462857.053}"#,
        )
        .unwrap();
        let s = read_summary(&path).unwrap();
        assert_eq!(s.jobs, 10000);
        assert_eq!(s.p95_wait, 170723.875);
        assert!(s.classes.is_empty() && s.run.is_none());
    }

    #[test]
    fn null_figures_read_as_nan() {
        let dir = tmp();
        let path = dir.path().join("summary.json");
        fs::write(
            &path,
            r#"{"jobs": 0, "mean_wait": null, "classes": {"debug": {"jobs": 0, "mean_wait": null, "target": null}}}"#,
        )
        .unwrap();
        let s = read_summary(&path).unwrap();
        assert!(s.mean_wait.is_nan());
        assert!(s.classes["debug"].mean_wait.is_nan());
        assert_eq!(s.classes["debug"].target, None);
    }

    #[test]
    fn node_lists_parse_as_ranges() {
        assert_eq!(parse_node_list("0-3 7"), Some(vec![(0, 3), (7, 7)]));
        assert_eq!(parse_node_list(""), Some(vec![]));
        assert_eq!(parse_node_list("  12  "), Some(vec![(12, 12)]));
        assert_eq!(parse_node_list("3-1"), None);
        assert_eq!(parse_node_list("a"), None);
        assert_eq!(parse_node_list("1-"), None);
        assert_eq!(parse_node_list("0,1"), None);
    }

    const HEAD: &str =
        "job_id,class,user,partition,submit,start,end,wait,runtime,requested_time,procs,nodes,node_list,\
                        outcome,preemptions,bsld";
    const ROW: &str = "1,batch,u1,batch,4.709,4.709,104.709,0.000,100.000,200.000,32,1,0,completed,0,1.0000";

    /// A run directory with `jobs` as jobs.csv and a minimal summary.
    fn run_with_jobs(jobs: &str) -> tempfile::TempDir {
        let dir = tmp();
        fs::write(dir.path().join("jobs.csv"), jobs).unwrap();
        fs::write(dir.path().join("summary.json"), "{\"jobs\": 1}\n").unwrap();
        dir
    }

    #[test]
    fn a_bad_field_names_file_line_column_and_what_was_expected() {
        let dir = run_with_jobs(&format!("{HEAD}\n{ROW}\n{}\n", ROW.replace("4.709,4.709", "soon,4.709")));
        let e = load_run(dir.path()).unwrap_err();
        match &e {
            RunDirError::Field { line, column, name, found, .. } => {
                assert_eq!((*line, *column, name.as_str(), found.as_str()), (3, 5, "submit", "soon"));
            }
            other => panic!("{other:?}"),
        }
        let msg = e.to_string();
        assert!(msg.contains("jobs.csv:3: column 5 (`submit`): expected seconds"), "{msg}");
    }

    #[test]
    fn an_unknown_outcome_lists_the_known_ones() {
        let dir = run_with_jobs(&format!("{HEAD}\n{}\n", ROW.replace("completed", "exploded")));
        let msg = load_run(dir.path()).unwrap_err().to_string();
        assert!(msg.contains("jobs.csv:2: column 14 (`outcome`)"), "{msg}");
        assert!(msg.contains("completed, walltime, idle, abandoned, preempted, rejected"), "{msg}");
        assert!(msg.contains("`exploded`"), "{msg}");
    }

    #[test]
    fn a_bad_node_list_is_an_error() {
        let dir = run_with_jobs(&format!("{HEAD}\n{}\n", ROW.replace(",1,0,completed", ",1,3-1,completed")));
        let msg = load_run(dir.path()).unwrap_err().to_string();
        assert!(msg.contains("column 13 (`node_list`): expected node ids as space-separated ranges"), "{msg}");
    }

    #[test]
    fn a_short_record_names_its_line() {
        let dir = run_with_jobs(&format!("{HEAD}\n{ROW}\n1,batch,u1\n"));
        let e = load_run(dir.path()).unwrap_err();
        assert!(matches!(e, RunDirError::Csv { line: 3, .. }), "{e:?}");
        assert!(e.to_string().contains("expected 16 fields, as in the header, found 3"), "{e}");
    }

    #[test]
    fn a_missing_column_is_named() {
        let dir = run_with_jobs("job_id,class,start\n1,batch,3\n");
        let e = load_run(dir.path()).unwrap_err();
        assert!(matches!(&e, RunDirError::MissingColumn { column, .. } if column == "submit"), "{e:?}");
        assert!(e.to_string().contains("jobs.csv:1: the header has no `submit` column"), "{e}");
    }

    #[test]
    fn bad_json_names_line_and_column() {
        let dir = run_with_jobs(&format!("{HEAD}\n{ROW}\n"));
        fs::write(dir.path().join("summary.json"), "{\n  \"jobs\": \"many\"\n}\n").unwrap();
        let e = load_run(dir.path()).unwrap_err();
        assert!(matches!(e, RunDirError::Json { line: 2, .. }), "{e:?}");
        assert!(e.to_string().starts_with(&format!("{}:2:", dir.path().join("summary.json").display())), "{e}");
        fs::write(dir.path().join("summary.json"), "{\"completed\": 3}").unwrap();
        let e = load_run(dir.path()).unwrap_err();
        assert!(e.to_string().contains("missing field `jobs`"), "{e}");
    }

    #[test]
    fn a_bad_timeseries_value_is_an_error() {
        let dir = run_with_jobs(&format!("{HEAD}\n{ROW}\n"));
        fs::write(dir.path().join("timeseries.csv"), "time,running_batch,busy_cores_batch\n0,1,32\n600,x,32\n")
            .unwrap();
        let msg = load_run(dir.path()).unwrap_err().to_string();
        assert!(msg.contains("timeseries.csv:3: column 2 (`running_batch`): expected a number"), "{msg}");
    }

    #[test]
    fn what_is_not_a_run_directory_says_so() {
        let dir = tmp();
        let e = load_run(dir.path()).unwrap_err();
        assert!(matches!(&e, RunDirError::NotARun { what, .. } if what == "no jobs.csv"), "{e:?}");
        assert!(e.to_string().contains("not a run directory: no jobs.csv"), "{e}");
        fs::write(dir.path().join("jobs.csv"), format!("{HEAD}\n")).unwrap();
        let e = load_run(dir.path()).unwrap_err();
        assert!(e.to_string().contains("no summary.json"), "{e}");
        let e = load_run(&dir.path().join("nowhere")).unwrap_err();
        assert!(e.to_string().contains("no such directory"), "{e}");
        let e = load_run(&dir.path().join("jobs.csv")).unwrap_err();
        assert!(e.to_string().contains("not a directory"), "{e}");
    }
}
