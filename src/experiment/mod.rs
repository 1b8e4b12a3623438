//! Experiments: running a workload under a policy and summarising it. Comparisons, sweeps
//! and replications build on [`run_one`].

use crate::cluster::Cluster;
use crate::engine::{simulate, RunOutput, SimConfig};
use crate::metrics::{summarise, Measure, Summary};
use crate::policy::registry::Axis;
use crate::policy::{PolicyError, Registry};
use crate::workload::Workload;

/// A policy on each axis, by registry name.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyChoice {
    pub order: String,
    pub backfill: String,
    pub estimate: String,
}

impl PolicyChoice {
    /// Checks every name and parameter against the registry.
    pub fn validate(&self) -> Result<(), PolicyError> {
        Registry::check(Axis::Order, &self.order)?;
        Registry::check(Axis::Backfill, &self.backfill)?;
        Registry::check(Axis::Estimate, &self.estimate)
    }

    /// `order/backfill`, plus the estimate when it is not the default.
    pub fn label(&self) -> String {
        if self.estimate == "requested" {
            format!("{}/{}", self.order, self.backfill)
        } else {
            format!("{}/{}/{}", self.order, self.backfill, self.estimate)
        }
    }
}

impl Default for PolicyChoice {
    fn default() -> Self {
        PolicyChoice { order: "fcfs".into(), backfill: "easy".into(), estimate: "requested".into() }
    }
}

/// One simulated run and its summary.
#[derive(Debug)]
pub struct RunResult {
    pub output: RunOutput,
    pub summary: Summary,
}

/// Simulates `workload` on `cluster` under `policy`.
pub fn run_one(workload: &Workload, cluster: Cluster, policy: &PolicyChoice) -> Result<RunResult, PolicyError> {
    let cfg = SimConfig::new(
        cluster.clone(),
        Registry::order(&policy.order)?,
        Registry::backfill(&policy.backfill)?,
        Registry::estimate(&policy.estimate)?,
    );
    let output = simulate(&workload.jobs, cfg);
    let summary = summarise(
        &workload.jobs,
        &output.records,
        &output.allocations,
        &cluster,
        &workload.skipped,
        &Measure::default(),
    );
    Ok(RunResult { output, summary })
}
