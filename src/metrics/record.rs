//! Per-job records: what happened to each job in a run. The engine writes them; metrics and
//! reports only read them.

use crate::time::SimTime;
use crate::workload::JobIdx;

/// How a job's run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Ran to the end of its runtime.
    Completed,
    /// Killed when it reached its requested walltime.
    Walltime,
    /// Never queued: it asks for more than the machine has.
    Rejected,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Walltime => "walltime",
            Outcome::Rejected => "rejected",
        }
    }
}

/// One job's fate in a run. `start`/`end` are `None` only for rejected jobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRecord {
    pub job: JobIdx,
    pub start: Option<SimTime>,
    pub end: Option<SimTime>,
    pub outcome: Outcome,
}
