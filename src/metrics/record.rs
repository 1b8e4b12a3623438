//! Per-job records and time-series samples: what happened in a run. The engine writes them;
//! metrics and reports only read them.

use crate::time::{SimDuration, SimTime};
use crate::workload::JobIdx;

/// How a job's stay in the system ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Ran to the end of its runtime (for a session: the user was done).
    Completed,
    /// Killed when it reached its requested walltime.
    Walltime,
    /// An interactive session ended after sitting idle for the partition's idle timeout.
    Idle,
    /// The user gave up before it started (past their patience).
    Abandoned,
    /// Killed to make room for higher-priority work.
    Preempted,
    /// Refused at submission (see [`RejectReason`]).
    Rejected,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Completed,
        Outcome::Walltime,
        Outcome::Idle,
        Outcome::Abandoned,
        Outcome::Preempted,
        Outcome::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Walltime => "walltime",
            Outcome::Idle => "idle",
            Outcome::Abandoned => "abandoned",
            Outcome::Preempted => "preempted",
            Outcome::Rejected => "rejected",
        }
    }

    /// The outcome named `s` as [`Outcome::as_str`] writes it.
    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a job was refused at submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RejectReason {
    /// It asks for more than its partition has, even empty.
    TooLarge,
    /// Its requested walltime is over the partition's limit.
    OverWalltime,
    /// It needs more nodes than the partition allows a job.
    OverNodes,
    /// It asks for more memory than the partition allows a job.
    OverMemory,
    /// Its user already has the most jobs the partition allows one user.
    UserLimit,
    /// Its requested walltime is over its QOS's `max_wall`.
    QosMaxWall,
    /// Its user already has the most jobs its QOS allows one user in the system.
    QosSubmitLimit,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::TooLarge => "larger than its partition",
            RejectReason::OverWalltime => "over the partition's walltime limit",
            RejectReason::OverNodes => "over the partition's node limit",
            RejectReason::OverMemory => "over the partition's memory limit",
            RejectReason::UserLimit => "over the partition's per-user job limit",
            RejectReason::QosMaxWall => "over its QOS's max_wall",
            RejectReason::QosSubmitLimit => "over its QOS's per-user submit limit",
        }
    }
}

/// One job's fate in a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRecord {
    pub job: JobIdx,
    /// When it first started (an interactive session's first prompt); `None` if never.
    pub start: Option<SimTime>,
    /// When it left the system: ended, abandoned or cancelled; `None` if rejected.
    pub end: Option<SimTime>,
    /// Time it spent running, over all its runs if it was preempted and restarted.
    pub run: SimDuration,
    pub outcome: Outcome,
    /// Times it was preempted (requeued, suspended or cancelled).
    pub preemptions: u32,
    /// Why it was rejected, for `Outcome::Rejected`.
    pub reason: Option<RejectReason>,
}

impl JobRecord {
    /// A job that has not yet done anything.
    pub fn pending(job: JobIdx) -> JobRecord {
        JobRecord {
            job,
            start: None,
            end: None,
            run: SimDuration::ZERO,
            outcome: Outcome::Rejected,
            preemptions: 0,
            reason: None,
        }
    }
}

/// The state of the machine at one instant, after everything that happened then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    pub time: SimTime,
    /// Running jobs per class, in [`crate::workload::job::JobClass::ALL`] order.
    pub running: [u32; 3],
    /// Queued jobs per class.
    pub queued: [u32; 3],
    /// Busy cores per partition, in partition order.
    pub busy_cores: Vec<u64>,
    /// Nodes with at least one busy core, per partition.
    pub busy_nodes: Vec<u32>,
}
