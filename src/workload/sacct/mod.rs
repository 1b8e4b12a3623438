//! Slurm `sacct` exports as workloads (`slurm-spec.md` §D, design §7): reading the export
//! ([`records`]), folding its records into jobs ([`fold`]), classifying them ([`classify`]),
//! and what was found on the way ([`SacctStats`]).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use serde::Serialize;

use crate::time::SimDuration;
use crate::workload::{Workload, WorkloadError};

pub mod classify;
pub mod fields;
pub mod fold;
pub mod records;

pub use classify::{Classifier, Rule};

/// What to do with a job cancelled before it started (`--cancelled`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cancelled {
    /// Interactive ones are replayed as sessions whose user gives up after End − Submit.
    #[default]
    Keep,
    Drop,
}

impl std::str::FromStr for Cancelled {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "keep" => Ok(Cancelled::Keep),
            "drop" => Ok(Cancelled::Drop),
            _ => Err(format!("expected keep or drop, found {s:?}")),
        }
    }
}

/// How to read an export.
#[derive(Clone, Debug, Default)]
pub struct SacctOptions {
    /// The field list of a `--noheader` export.
    pub fields: Option<Vec<String>>,
    /// The delimiter; by default `|`, else a tab, as the first line shows.
    pub delimiter: Option<String>,
    pub cancelled: Cancelled,
    /// The limit of jobs with `UNLIMITED` or `Partition_Limit` whose partition has no
    /// `max_walltime` here.
    pub default_timelimit: Option<SimDuration>,
    /// Each partition's limit for jobs that give none (`default_time`, else `max_walltime`), by name.
    pub partition_limits: BTreeMap<String, SimDuration>,
    pub classifier: Classifier,
}

/// How many bad records are quoted in full in the notes (all are counted).
pub const QUOTED_BAD_RECORDS: usize = 5;

/// The machine the export shows: the nodes its allocations name and the largest allocation
/// per node.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Machine {
    /// Distinct node names, in natural order (`n2` before `n10`).
    pub nodes: Vec<String>,
    /// The most cores one node was seen to give one job.
    pub cores_per_node: u32,
    /// The most nodes one job was given (a lower bound on the node count without NodeList).
    pub widest_job_nodes: u32,
    /// The most memory one node was seen to give one job, in MiB.
    pub memory_per_node_mib: u64,
    /// Each partition and the nodes its jobs ran on (indices into `nodes`), by name.
    pub partitions: BTreeMap<String, Vec<u32>>,
}

impl Machine {
    /// Node count: the names seen, or the widest job where no NodeList was exported.
    pub fn node_count(&self) -> u32 {
        (self.nodes.len() as u32).max(self.widest_job_nodes)
    }
}

/// What reading an export found, beyond its jobs.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SacctStats {
    /// Records (logical lines: a record repaired from several lines counts once).
    pub records: u64,
    /// Job (allocation) records, including pending array ranges.
    pub allocations: u64,
    /// Step records, folded into their jobs.
    pub steps: u64,
    /// Steps by kind (`.batch`, `.extern`, `.interactive`, `.N`, `.TBD`).
    pub steps_by_kind: BTreeMap<String, u64>,
    /// Steps whose job record is not in the export.
    pub orphan_steps: u64,
    /// Allocation records by state (`CANCELLED by 1003` counts as `CANCELLED`).
    pub states: BTreeMap<String, u64>,
    pub array_tasks: u64,
    pub pending_array_ranges: u64,
    pub het_components: u64,
    /// Jobs cancelled before they started (Start `None`), kept or not.
    pub cancelled_before_start: u64,
    /// Jobs replayed, by class and by the rule that classified them.
    pub jobs_by_class: BTreeMap<String, u64>,
    pub jobs_by_rule: BTreeMap<String, u64>,
    /// Jobs replayed per partition name.
    pub jobs_by_partition: BTreeMap<String, u64>,
    /// Records left out on purpose, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Records rejected as malformed or impossible, by reason.
    pub rejected: BTreeMap<String, u64>,
    /// The first [`QUOTED_BAD_RECORDS`] rejections in full (file, line, field, what was expected).
    pub bad_records: Vec<String>,
    /// Records repaired (delimiters or newlines inside a free-text field), and the first lines.
    pub repaired: u64,
    pub repaired_lines: Vec<u64>,
    /// Jobs whose time limit was `UNLIMITED`, `Partition_Limit` or empty, by what replaced it.
    pub limits_replaced: BTreeMap<String, u64>,
    /// First submission and last end, as the export prints them (local wall-clock time).
    pub first_submit: Option<String>,
    pub last_end: Option<String>,
    pub users: u64,
    pub accounts: u64,
    pub machine: Machine,
}

/// An export read: its jobs (as any source's) and what was found on the way.
#[derive(Clone, Debug)]
pub struct Import {
    pub workload: Workload,
    pub stats: SacctStats,
}

/// Reads an export, gzipped or not (told by content).
pub fn read_sacct(path: &Path, opts: &SacctOptions) -> Result<Import, WorkloadError> {
    if let Some(what) = super::wrong_kind(path, false) {
        return Err(WorkloadError::WrongKind { file: path.to_path_buf(), what });
    }
    let file = File::open(path).map_err(|error| WorkloadError::Io { file: path.to_path_buf(), error })?;
    read_sacct_from(file, path, opts)
}

/// [`read_sacct`] from an open stream; `file` names it in messages.
pub fn read_sacct_from<R: Read>(source: R, file: &Path, opts: &SacctOptions) -> Result<Import, WorkloadError> {
    let mut reader = BufReader::with_capacity(1 << 18, source);
    if is_gzip(&mut reader).map_err(|error| WorkloadError::Io { file: file.to_path_buf(), error })? {
        fold::fold(BufReader::with_capacity(1 << 18, MultiGzDecoder::new(reader)), file, opts)
    } else {
        fold::fold(reader, file, opts)
    }
}

pub(crate) fn is_gzip<R: BufRead>(r: &mut R) -> std::io::Result<bool> {
    let head = r.fill_buf()?;
    Ok(head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b)
}

/// True when the first non-blank line of `head` is not SWF: SWF lines are comments (`;`) or
/// numbers and white space only; an sacct record or header holds `|`, tabs between words, or
/// letters.
pub fn looks_like_sacct(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let Some(line) = text.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return false;
    };
    if line.starts_with(';') {
        return false;
    }
    !line.bytes().all(|c| c.is_ascii_digit() || c.is_ascii_whitespace() || c == b'.' || c == b'-')
}
