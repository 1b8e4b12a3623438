//! Metrics: per-job records and the summaries computed from them.

pub mod record;
pub mod summary;

pub use record::{JobRecord, Outcome, RejectReason, Sample};
pub use summary::{summarise, ClassSummary, Measure, PartitionSummary, Summary, WaitStats};
