//! The job model: what a workload source hands to the engine. Static attributes only; what
//! happens to a job in a run lives in the engine's records.

use std::fmt;
use std::str::FromStr;

use crate::res::Res;
use crate::time::{SimDuration, SimTime};

/// Index of a job in its workload, in arrival order (submit time, then source order). The
/// engine uses it as the tie-breaker wherever two jobs are otherwise equal.
pub type JobIdx = u32;

pub use crate::res::PartitionIdx;

/// Index into one of a workload's name tables ([`super::Workload::accounts`],
/// [`super::Workload::qos_names`]).
pub type NameIdx = u32;

/// What kind of work a job is: reported separately, and the scenario may treat classes
/// differently (a dedicated pool, a priority boost, preemption).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JobClass {
    #[default]
    Batch,
    /// `salloc`, `srun --pty`, Open OnDemand: a person waits for the prompt.
    Interactive,
    /// Short test jobs on a debug or development partition.
    Debug,
}

impl JobClass {
    pub const ALL: [JobClass; 3] = [JobClass::Batch, JobClass::Interactive, JobClass::Debug];

    pub fn as_str(self) -> &'static str {
        match self {
            JobClass::Batch => "batch",
            JobClass::Interactive => "interactive",
            JobClass::Debug => "debug",
        }
    }

    /// The SWF queue number of the class: interactive 0, batch 1, debug 2.
    pub fn swf_queue(self) -> i64 {
        match self {
            JobClass::Interactive => 0,
            JobClass::Batch => 1,
            JobClass::Debug => 2,
        }
    }
}

impl fmt::Display for JobClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobClass {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        JobClass::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("expected one of batch, interactive, debug, found {s:?}"))
    }
}

/// A job as submitted.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    /// The source's own job number (SWF field 1), printed in every output.
    pub id: u64,
    pub submit: SimTime,
    /// How long the job runs if nothing stops it. A job whose runtime exceeds
    /// `requested_time` is killed when it reaches `requested_time`.
    pub runtime: SimDuration,
    /// The walltime limit the user asked for.
    pub requested_time: SimDuration,
    /// Number of tasks; each task runs on one node, several may share a node.
    pub tasks: u32,
    /// What one task needs. An SWF job is `procs` tasks of one core each.
    pub task: Res,
    pub class: JobClass,
    pub partition: PartitionIdx,
    /// How long the user waits for the job to start before giving up (interactive work).
    pub patience: Option<SimDuration>,
    /// When, after its start, the user stops using an interactive session and leaves it idle
    /// until it ends; the partition's idle timeout may end it sooner.
    pub idle_after: Option<SimDuration>,
    /// The account charged, when the source names one (sacct).
    pub account: Option<NameIdx>,
    /// The QOS the job ran under, when the source names one (sacct).
    pub qos: Option<NameIdx>,
    /// The source's own job id as text, when it is not a plain number (sacct's `26_3`): what
    /// `jobs.csv` prints. Boxed so that an SWF job pays one null pointer for it.
    pub label: Option<Box<str>>,
    /// Fields that schedsim carries through to its outputs but does not interpret.
    pub meta: JobMeta,
}

/// SWF fields passed through unchanged (−1 where unknown), so that `schedule.swf` keeps them.
#[derive(Clone, Debug, PartialEq)]
pub struct JobMeta {
    pub avg_cpu_time: f64,
    pub used_memory: f64,
    pub requested_memory: f64,
    pub status: i64,
    pub user: i64,
    pub group: i64,
    pub executable: i64,
    pub queue: i64,
    pub partition: i64,
    pub preceding_job: i64,
    pub think_time: f64,
}

impl Default for JobMeta {
    fn default() -> Self {
        JobMeta {
            avg_cpu_time: -1.0,
            used_memory: -1.0,
            requested_memory: -1.0,
            status: -1,
            user: -1,
            group: -1,
            executable: -1,
            queue: -1,
            partition: -1,
            preceding_job: -1,
            think_time: -1.0,
        }
    }
}

impl Job {
    /// A batch job of `procs` one-core tasks with no metadata: the shape traces, tests and
    /// generators build.
    pub fn new(id: u64, submit: SimTime, runtime: SimDuration, requested: SimDuration, procs: u32) -> Job {
        Job {
            id,
            submit,
            runtime,
            requested_time: requested,
            tasks: procs,
            task: Res::cores(1),
            class: JobClass::Batch,
            partition: 0,
            patience: None,
            idle_after: None,
            account: None,
            qos: None,
            label: None,
            meta: JobMeta::default(),
        }
    }

    /// Cores requested in all.
    pub fn procs(&self) -> u64 {
        u64::from(self.tasks) * u64::from(self.task.cores)
    }

    /// Everything requested, all tasks together.
    pub fn total(&self) -> Res {
        self.task.times(self.tasks)
    }

    /// How long the job actually holds its cores: its runtime, cut at the walltime limit.
    pub fn effective_runtime(&self) -> SimDuration {
        self.runtime.min(self.requested_time)
    }

    /// True when the job would run past its walltime and be killed there.
    pub fn hits_walltime(&self) -> bool {
        self.runtime > self.requested_time
    }
}

/// Sorts jobs into arrival order: by submit time, keeping source order among equal times.
pub fn sort_by_arrival(jobs: &mut [Job]) {
    jobs.sort_by_key(|j| j.submit);
}
