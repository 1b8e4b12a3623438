//! Metrics: per-job records and the summaries computed from them.

pub mod record;
pub mod summary;

pub use record::{JobRecord, Outcome};
pub use summary::{summarise, Summary, WaitStats};
