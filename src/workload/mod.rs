//! Workload sources: the job model, trace readers and writers, synthetic generators. Every
//! source yields a [`Workload`]: jobs in arrival order plus an account of what it skipped.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

pub mod dist;
pub mod error;
pub mod inspect;
pub mod interactive;
pub mod job;
pub mod login_gen;
pub mod lublin;
pub mod qos;
pub mod sacct;
pub mod swf;
pub mod trace;
pub mod weekly;

pub use error::WorkloadError;
pub use job::{Job, JobIdx, JobMeta, NameIdx};

/// A loaded workload, ready for the engine.
#[derive(Clone, Debug, Default)]
pub struct Workload {
    /// Where it came from: a file name or a generator's description.
    pub name: String,
    /// Jobs in arrival order (see [`job::sort_by_arrival`]).
    pub jobs: Vec<Job>,
    /// Machine size the source declares (SWF `MaxProcs`), if any.
    pub max_procs: Option<u32>,
    /// Node count the source declares (SWF `MaxNodes`), if any.
    pub max_nodes: Option<u32>,
    /// Header comment lines, without the leading `;`, kept for writing the schedule back.
    pub header: Vec<String>,
    /// Records the source could not turn into jobs, by reason. Never silently dropped.
    pub skipped: BTreeMap<String, u64>,
    /// Things a user should know about how the source was read (e.g. defaults applied).
    pub notes: Vec<String>,
    /// Jobs whose requested time was unknown (−1 or 0) and was set to their run time.
    pub lacking_requested_time: u64,
    /// Jobs whose requested processor count was unknown and was set to the allocated count.
    pub lacking_requested_procs: u64,
    /// User names, in first-appearance order, when the source has names (sacct). A job's
    /// `meta.user` is then the UID if the source gives one, else the 1-based index here.
    pub users: Vec<String>,
    /// Whether every job's `meta.user` is its 1-based index in `users` (an export without
    /// UIDs): numbers that mean something only within this source.
    pub users_by_index: bool,
    /// Account names, in first-appearance order ([`Job::account`] indexes them).
    pub accounts: Vec<String>,
    /// QOS names, in first-appearance order ([`Job::qos`] indexes them).
    pub qos_names: Vec<String>,
    /// The definition of each of `qos_names`, when a scenario gives them (else empty).
    pub qos: Vec<qos::Qos>,
    /// Partition names the source gives, in first-appearance order; a job's `meta.partition`
    /// is the 1-based index here (the SWF partition number).
    pub partition_names: Vec<String>,
    /// The account tree the scenario declares (`[[accounts]]`), for fair-share.
    pub account_tree: Vec<AccountSpec>,
}

/// An account as a scenario's `[[accounts]]` declares it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSpec {
    pub name: String,
    /// The parent account; the root when absent.
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default = "one")]
    pub shares: f64,
    /// Users (by number) whose jobs are charged to this account, when their source names none.
    #[serde(default)]
    pub users: Vec<i64>,
}

fn one() -> f64 {
    1.0
}

/// What is wrong with `path` as an input file, when its kind tells: a folder, or, when
/// `regular` is asked, anything but a regular file (a device, a FIFO). `None` when it is fine
/// or cannot be looked at, in which case opening it says why. Devices and FIFOs given directly
/// stay readable (`/dev/stdin`, `<(zcat trace.gz)`).
pub fn wrong_kind(path: &Path, regular: bool) -> Option<&'static str> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_dir() {
        Some("is a directory, expected a file")
    } else if regular && !meta.is_file() {
        Some("is not a regular file")
    } else {
        None
    }
}

impl Workload {
    /// Total count of records skipped for any reason.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}
