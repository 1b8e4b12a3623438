//! The job model: what a workload source hands to the engine. Static attributes only; what
//! happens to a job in a run lives in the engine's records.

use crate::time::{SimDuration, SimTime};

/// Index of a job in its workload, in arrival order (submit time, then source order). The
/// engine uses it as the tie-breaker wherever two jobs are otherwise equal.
pub type JobIdx = u32;

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
    /// Cores requested (one core per task; tasks may share nodes).
    pub procs: u32,
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
    /// A job with no metadata: the shape tests and generators build.
    pub fn new(id: u64, submit: SimTime, runtime: SimDuration, requested: SimDuration, procs: u32) -> Job {
        Job { id, submit, runtime, requested_time: requested, procs, meta: JobMeta::default() }
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
