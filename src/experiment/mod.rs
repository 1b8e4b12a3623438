//! Experiments: a [`RunPlan`] (workload, machine, policy, knobs) executed into a
//! [`RunResult`]. Single runs, comparisons, sweeps and replications all go through
//! [`execute`].

pub mod compare;
pub mod size_pool;
pub mod slurm;
pub mod stats;
pub mod sweep;

use crate::cluster::login::{self, LoginError, LoginRun};
use crate::cluster::Cluster;
use crate::engine::{simulate, RunOutput, Semantics, SimConfig};
use crate::metrics::{summarise, Measure, Summary};
use crate::policy::fairshare::Accounts;
pub use crate::policy::PolicyChoice;
use crate::policy::{PolicyError, Registry};
use crate::series;
use std::path::Path;

use crate::report::memory::InMemory;
use crate::report::{self, LoginFiles, ReportError, RunFiles, RunInfo};
use crate::rng;
use crate::scenario::{Built, LoginInputs};
use crate::time::SimDuration;
use crate::workload::Workload;

/// Why a plan could not run.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Login(#[from] LoginError),
}

/// Everything one run needs.
#[derive(Clone, Debug)]
pub struct RunPlan {
    pub name: String,
    /// The scenario file or trace it came from.
    pub source: String,
    pub seed: Option<u64>,
    /// Replication of the seed (its streams' run index), when the run is one of several.
    pub replication: Option<u64>,
    pub workload: Workload,
    pub cluster: Cluster,
    pub policy: PolicyChoice,
    pub interactive_boost: bool,
    pub sample_every: Option<SimDuration>,
    pub semantics: Semantics,
    pub measure: Measure,
    /// Login nodes and the processes that arrive on them, simulated beside the batch system.
    pub login: Option<LoginInputs>,
}

impl RunPlan {
    /// The plan a scenario built; `source` names the scenario file.
    pub fn from_built(b: Built, source: String) -> RunPlan {
        RunPlan {
            name: b.name,
            source,
            seed: Some(b.seed),
            replication: None,
            workload: b.workload,
            cluster: b.cluster,
            policy: b.policy,
            interactive_boost: b.interactive_boost,
            sample_every: Some(b.sample_every),
            semantics: b.semantics,
            measure: b.measure,
            login: b.login,
        }
    }

    /// A trace or workload replayed on `cluster` under `policy`, sampled at an interval
    /// that keeps the time series readable (see [`auto_interval`]).
    pub fn replay(name: String, source: String, workload: Workload, cluster: Cluster, policy: PolicyChoice) -> RunPlan {
        let sample_every = Some(auto_interval(&workload));
        RunPlan {
            name,
            source,
            seed: None,
            replication: None,
            workload,
            cluster,
            policy,
            interactive_boost: false,
            sample_every,
            semantics: Semantics::default(),
            measure: Measure::default(),
            login: None,
        }
    }

    /// What `summary.json` says was run, with the interval `result`'s time series was
    /// actually sampled at (coarser than asked when the run was long).
    pub fn info_of(&self, result: &RunResult) -> RunInfo {
        let mut info = self.info();
        if let Some(every) = result.output.sample_every {
            info.sample_interval = Some(every.as_secs_f64());
        }
        info
    }

    /// The time series' interval, when it had to be coarsened from the one asked for to stay
    /// under [`series::MAX_SAMPLES`] rows: (asked, used).
    pub fn coarsened(&self, result: &RunResult) -> Option<(SimDuration, SimDuration)> {
        match (self.sample_every, result.output.sample_every) {
            (Some(asked), Some(used)) if used != asked => Some((asked, used)),
            _ => None,
        }
    }

    /// What `summary.json` says was run.
    pub fn info(&self) -> RunInfo {
        RunInfo {
            name: self.name.clone(),
            source: self.source.clone(),
            policy: self.policy.label(),
            seed: self.seed,
            replication: self.replication,
            version: RunInfo::version(),
            cluster: self.cluster.describe(),
            nodes: self.cluster.node_count() as u64,
            cores: self.cluster.total_cores(),
            sample_interval: self.sample_every.map(|d| d.as_secs_f64()),
            warmup: self.measure.warmup_end.map(|t| t.as_secs_f64()),
        }
    }
}

/// The smallest of 1 min, 5 min, 15 min, 1 h, 6 h and 1 d that samples the workload's span
/// (first submission to last submission plus the longest runtime) in at most 20,000 points.
pub fn auto_interval(w: &Workload) -> SimDuration {
    const CHOICES: [i64; 6] = [60, 300, 900, 3600, 21_600, 86_400];
    let first = w.jobs.first().map_or(0, |j| j.submit.0);
    let last = w.jobs.iter().map(|j| j.submit.0.saturating_add(j.runtime.0)).max().unwrap_or(0);
    let span_s = (last - first).max(0) / 1000;
    let secs = CHOICES.into_iter().find(|&c| span_s / c <= 20_000).unwrap_or(86_400);
    SimDuration::from_secs(secs)
}

/// Writes a run's files into `dir` (see [`report::write_run`]); returns their names.
pub fn write_run(dir: &Path, plan: &RunPlan, result: &RunResult) -> Result<Vec<&'static str>, ReportError> {
    write_run_as(dir, plan, result, &plan.info_of(result))
}

/// [`write_run`], with `info` as what `summary.json` says was run.
pub fn write_run_as(
    dir: &Path,
    plan: &RunPlan,
    result: &RunResult,
    info: &RunInfo,
) -> Result<Vec<&'static str>, ReportError> {
    let load = result.login.as_ref().map(|l| l.active_by_time()).unwrap_or_default();
    let write_login = |w: &mut dyn std::io::Write| match &result.login {
        Some(l) => login::write_login_csv(w, l),
        None => Ok(()),
    };
    let files = RunFiles {
        info,
        workload: &plan.workload,
        cluster: &plan.cluster,
        output: &result.output,
        summary: &result.summary,
        login: result.login.as_ref().map(|l| LoginFiles {
            summary: &l.summary,
            nodes: l.summary.nodes as usize,
            load: &load,
            write_csv: &write_login,
        }),
    };
    report::write_run(dir, &files)
}

/// What the report of `plan`'s run needs of `result`, held in memory.
pub fn in_memory<'a>(plan: &'a RunPlan, result: &'a RunResult) -> InMemory<'a> {
    InMemory {
        workload: &plan.workload,
        cluster: &plan.cluster,
        output: &result.output,
        login: result.login.as_ref(),
        sampled: plan.info_of(result).sample_interval.is_some(),
    }
}

/// One simulated run and its summary.
#[derive(Debug)]
pub struct RunResult {
    pub output: RunOutput,
    pub summary: Summary,
    pub login: Option<LoginRun>,
}

/// Simulates a plan: the batch system, and the login nodes beside it (they do not interact;
/// the login pool's random assignment draws from the stream (seed, replication,
/// "login/assignment")).
pub fn execute(plan: &RunPlan) -> Result<RunResult, ExperimentError> {
    execute_observed(plan, None)
}

/// [`execute`], telling `progress` how many jobs have been submitted now and then.
pub fn execute_observed(
    plan: &RunPlan,
    progress: Option<Box<dyn FnMut(u64) + Send>>,
) -> Result<RunResult, ExperimentError> {
    let knobs = Knobs {
        interactive_boost: plan.interactive_boost,
        sample_every: plan.sample_every,
        semantics: plan.semantics,
        progress,
    };
    let mut result = simulate_with(&plan.workload, &plan.cluster, &plan.policy, knobs, &plan.measure)?;
    if let Some(l) = simulate_login(plan)? {
        attach_login(&mut result, l);
    }
    Ok(result)
}

/// The plan's login nodes, simulated: they depend on the plan's seed, replication, login
/// inputs and sampling interval only, never on the batch policy.
fn simulate_login(plan: &RunPlan) -> Result<Option<LoginRun>, ExperimentError> {
    let Some((cfg, procs)) = &plan.login else { return Ok(None) };
    let mut r = rng::stream(plan.seed.unwrap_or(0), plan.replication.unwrap_or(0), "login/assignment");
    Ok(Some(login::simulate(procs, cfg, &mut r, plan.sample_every)?))
}

/// Puts a login run beside a batch run. Either sampler may have coarsened its interval: both
/// series go to the coarser one, whose instants both hold (every interval is the asked one
/// times a power of two).
fn attach_login(result: &mut RunResult, mut l: LoginRun) {
    if let Some(every) = result.output.sample_every.max(l.sample_every) {
        series::thin(&mut result.output.samples, every, |s| s.time);
        series::thin(&mut l.samples, every, |s| s.time);
        (result.output.sample_every, l.sample_every) = (Some(every), Some(every));
    }
    result.login = Some(l);
}

/// Simulates `workload` on `cluster` under `policy`, without sampling.
pub fn run_one(workload: &Workload, cluster: Cluster, policy: &PolicyChoice) -> Result<RunResult, PolicyError> {
    let knobs = Knobs { interactive_boost: false, sample_every: None, semantics: Semantics::default(), progress: None };
    simulate_with(workload, &cluster, policy, knobs, &Measure::default())
}

struct Knobs {
    interactive_boost: bool,
    sample_every: Option<SimDuration>,
    semantics: Semantics,
    progress: Option<Box<dyn FnMut(u64) + Send>>,
}

fn simulate_with(
    w: &Workload,
    cluster: &Cluster,
    p: &PolicyChoice,
    knobs: Knobs,
    measure: &Measure,
) -> Result<RunResult, PolicyError> {
    let mut cfg = SimConfig::new(
        cluster.clone(),
        Registry::order(&p.order)?,
        Registry::backfill(&p.backfill)?,
        Registry::estimate(&p.estimate)?,
    );
    cfg.interactive_boost = knobs.interactive_boost;
    cfg.sample_every = knobs.sample_every;
    cfg.progress = knobs.progress;
    cfg.semantics = knobs.semantics;
    cfg.accounts = Accounts { names: w.accounts.clone(), tree: w.account_tree.clone() };
    cfg.qos = w.qos.clone();
    let output = simulate(&w.jobs, cfg);
    let summary = summarise(&w.jobs, &output.records, &output.allocations, cluster, &w.skipped, measure);
    Ok(RunResult { output, summary, login: None })
}
