//! Errors of workload sources. Each names the file, and where there is one the line and field,
//! and says what was expected, so that the binary can print it as one line.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    /// The I/O error is in the message, not a `source`, else `error: {e:#}` prints it twice.
    #[error("{}: cannot read: {error}", file.display())]
    Io { file: PathBuf, error: std::io::Error },

    /// A folder given as a trace (see [`super::wrong_kind`]).
    #[error("{}: {what}", file.display())]
    WrongKind { file: PathBuf, what: &'static str },

    #[error("{}:{line}: expected {expected} whitespace-separated fields, found {found}", file.display())]
    FieldCount { file: PathBuf, line: u64, expected: usize, found: usize },

    #[error("{}:{line}: field {field_no} ({field}): expected {expected}, found {found:?}", file.display())]
    Field { file: PathBuf, line: u64, field_no: usize, field: &'static str, expected: &'static str, found: String },

    #[error("{}:{line}: header {key}: expected {expected}, found {found:?}", file.display())]
    Header { file: PathBuf, line: u64, key: String, expected: &'static str, found: String },

    #[error("{}:{line}: line longer than {max} bytes; an SWF line is a job's 18 fields or a `;` comment (is this a trace?)", file.display())]
    LineTooLong { file: PathBuf, line: u64, max: u64 },

    #[error("{}: holds no job that can be simulated ({reason})", file.display())]
    NoJobs { file: PathBuf, reason: String },

    /// An export that lacks what a replay needs (e.g. sacct without submit times).
    #[error("{}: cannot be replayed: {reason}", file.display())]
    NotReplayable { file: PathBuf, reason: String },
}
