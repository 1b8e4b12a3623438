//! The scenario file: what a run simulates, written in TOML. Every table rejects keys it does
//! not know; every duration and memory size is a string with its unit (`"90s"`, `"2h"`,
//! `"3w"`, `"192GB"`, see [`units`](crate::units)); a bare number where a unit belongs is an
//! error.
//!
//! ```toml
//! name = "default"                       # run name: results go to results/<name>/
//! description = "..."                    # free text
//!
//! [run]
//! length = "3w"                          # jobs are submitted in [0, length)
//! warmup = "2d"                          # jobs submitted before this are left out of the figures
//! seed = 1                               # default seed (the command line may override it)
//! sample_every = "5m"                    # time-series sampling interval
//! semantics = "schedsim"                 # schedsim | pyss: how one instant's events are ordered
//!
//! [[cluster.nodes]]                      # node groups, in node-id order
//! name = "cpu"                           # nodes cpu1 .. cpu184
//! count = 184
//! cores = 32
//! memory = "192GB"
//! gpus = 0
//!
//! [[cluster.partitions]]
//! name = "batch"
//! nodes = ["cpu", "gpu[1-4]", "big7"]    # groups, ranges of a group, single nodes
//! max_walltime = "48h"
//! max_nodes = 64
//! max_jobs_per_user = 10
//! max_memory = "1TB"
//! priority_tier = 0
//! preempt = "off"                        # off | cancel | requeue | suspend
//! idle_timeout = "30m"
//!
//! [login]
//! nodes = 2
//! cores = 32
//! cpu_time_limit = "30m"
//! assignment = "round-robin"             # round-robin | random | least-loaded
//! [login.processes]                      # the login-process generator
//! users = 300
//! rate = { peak = 600.0, base = 60.0, weekend = 0.3 }
//! cpu_demand = { dist = "lognormal", median = "5s", sigma = 2.0 }
//!
//! [[workload]]
//! kind = "lublin"                        # trace | lublin | interactive
//! partition = "batch"
//! load = 0.8
//!
//! [policy]
//! order = "fcfs"
//! backfill = "easy"
//! estimate = "requested"
//! interactive_boost = false
//!
//! [outputs]
//! targets = { interactive = "1m", batch = "4h", debug = "10m" }
//! ```
//!
//! `scenarios/README.md` has the table of every key with its unit and default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::{out_of_range, reword, ErrorKind, KeyPath, Locator, Problem, ScenarioError};
use crate::cluster::login::{Assignment, LoginConfig};
use crate::cluster::{Limits, NodeId, PreemptMode, Res};
use crate::engine::Semantics;
use crate::policy::fairshare::check_accounts;
use crate::policy::registry::Axis;
use crate::policy::Registry;
use crate::time::SimDuration;
use crate::units::{Duration, Memory};
use crate::workload::interactive::InteractiveConfig;
use crate::workload::job::JobClass;
use crate::workload::login_gen::LoginProcessConfig;
use crate::workload::lublin::{Population, SizeUnit};
use crate::workload::qos::Qos;
use crate::workload::AccountSpec;

/// Most nodes a scenario may define (all groups together): far beyond any real centre, and
/// small enough that a typo cannot exhaust memory.
pub const MAX_NODES: u64 = 1_000_000;

/// Most login nodes a scenario may define: each is simulated process by process, and real
/// centres have a handful.
pub const MAX_LOGIN_NODES: u64 = 10_000;

/// Longest run name, in characters: it names the results folder, and file systems allow 255
/// bytes.
pub const MAX_NAME_CHARS: usize = 100;

/// Highest offered load a Lublin source may ask for: above 1 the queue grows without bound,
/// which is allowed up to this point for saturation studies.
pub const MAX_LOAD: f64 = 1.5;

/// Largest `run.load_scale`: a hundredfold growth is past any planning horizon, and the bound
/// keeps a typo from generating billions of jobs.
pub const MAX_LOAD_SCALE: f64 = 100.0;

/// A validated scenario (see the [module docs](self)). Build the run's inputs with
/// [`build`](super::build::build).
#[derive(Clone, Debug)]
pub struct Scenario {
    /// `name`: the run's name (results go to `results/<name>/`). Required.
    pub name: String,
    /// `description`: free text. Default empty.
    pub description: String,
    pub run: RunSpec,
    pub cluster: ClusterSpec,
    /// `[login]`: the login nodes and their processes. Default: not simulated.
    pub login: Option<LoginSpec>,
    /// `[[workload]]`: the job sources, merged in arrival order. Default none.
    pub workload: Vec<SourceSpec>,
    pub policy: PolicySpec,
    pub outputs: OutputsSpec,
    /// `[[accounts]]`: the fair-share account tree. Default none (each job's group stands for
    /// its account, all with equal shares).
    pub accounts: Vec<AccountSpec>,
    /// `[[qos]]`: the QOS jobs may run under. Default none (QOS names carry no limits).
    pub qos: Vec<QosSpec>,
    /// The file it was read from (trace paths are relative to its folder).
    pub(crate) origin: PathBuf,
    /// The file's text, to find the line of an error found after parsing.
    pub(crate) text: String,
}

/// `[run]`: how long, which part is measured, and the default seed.
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// `run.length` (duration, required): jobs are submitted in [0, length). Time 0 is a
    /// Monday 00:00 for the time-of-week profiles.
    pub length: Duration,
    /// `run.warmup` (duration, default `"0s"`): jobs submitted before this are left out of every
    /// figure, and utilisation is measured from here. Must be shorter than `length`.
    #[serde(default = "zero")]
    pub warmup: Duration,
    /// `run.seed` (integer, default 1): the seed used when the command line gives none.
    #[serde(default = "one_u64")]
    pub seed: u64,
    /// `run.sample_every` (duration, default `"5m"`): interval of the time series.
    #[serde(default = "five_minutes")]
    pub sample_every: Duration,
    /// `run.load_scale` (number > 0, default 1): multiplies the arrival rate of every source,
    /// so that "30% more work" is `1.3`. Interactive and login-process rates and a Lublin
    /// source's offered load are multiplied by it; a trace's inter-arrival gaps are divided by
    /// it.
    #[serde(default = "one_f64")]
    pub load_scale: f64,
    /// `run.semantics` (`"schedsim"` or `"pyss"`, default `"schedsim"`): how the events of one
    /// instant are ordered and when the policy runs (see [`Semantics`]).
    #[serde(default)]
    pub semantics: Semantics,
}

fn one_f64() -> f64 {
    1.0
}

fn zero() -> Duration {
    Duration(SimDuration::ZERO)
}

fn one_u64() -> u64 {
    1
}

fn five_minutes() -> Duration {
    Duration(SimDuration::from_secs(300))
}

/// `[cluster]`: node groups and partitions.
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    /// `[[cluster.nodes]]`: node groups, in node-id order. At least one.
    pub nodes: Vec<NodeGroup>,
    /// `[[cluster.partitions]]`: at least one; partitions may share nodes. The first is the
    /// default partition.
    pub partitions: Vec<PartitionSpec>,
}

/// `[[cluster.nodes]]`: `count` identical nodes called `<name>1` .. `<name><count>`.
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NodeGroup {
    /// Group name (required): letters, digits, `-` and `_`, starting with a letter and not
    /// ending with a digit (a node's name is the group's followed by its number).
    pub name: String,
    /// Number of nodes (required, ≥ 1).
    pub count: u32,
    /// Cores per node (required, ≥ 1).
    pub cores: u32,
    /// Memory per node (memory, required), e.g. `"192GB"`.
    pub memory: Memory,
    /// GPUs per node (default 0).
    #[serde(default)]
    pub gpus: u32,
}

/// `preempt`: what happens to a partition's running jobs when a higher tier needs the nodes.
#[derive(Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PreemptSpec {
    #[default]
    Off,
    Cancel,
    Requeue,
    Suspend,
}

impl From<PreemptSpec> for PreemptMode {
    fn from(p: PreemptSpec) -> PreemptMode {
        match p {
            PreemptSpec::Off => PreemptMode::Off,
            PreemptSpec::Cancel => PreemptMode::Cancel,
            PreemptSpec::Requeue => PreemptMode::Requeue,
            PreemptSpec::Suspend => PreemptMode::Suspend,
        }
    }
}

/// `[[cluster.partitions]]`: a named set of nodes with limits.
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PartitionSpec {
    /// Partition name (required, unique).
    pub name: String,
    /// Nodes (required, at least one): group names (`"cpu"`), ranges of a group (`"gpu[1-4]"`,
    /// `"cpu[1-8,12,20-24]"`, numbered from 1) and single nodes (`"cpu7"`).
    pub nodes: Vec<String>,
    /// Longest walltime a job may request (duration; default none). Longer requests are
    /// rejected.
    #[serde(default)]
    pub max_walltime: Option<Duration>,
    /// Most nodes one job may span (default none).
    #[serde(default)]
    pub max_nodes: Option<u32>,
    /// Most jobs, queued and running, one user may have here (default none).
    #[serde(default)]
    pub max_jobs_per_user: Option<u32>,
    /// Most memory one job may ask for in all (memory; default none).
    #[serde(default)]
    pub max_memory: Option<Memory>,
    /// Jobs of a higher tier queue ahead and may preempt lower tiers (default 0).
    #[serde(default)]
    pub priority_tier: u32,
    /// `"off"` (default), `"cancel"`, `"requeue"` or `"suspend"`.
    #[serde(default)]
    pub preempt: PreemptSpec,
    /// An interactive session idle this long is ended (duration; default none).
    #[serde(default)]
    pub idle_timeout: Option<Duration>,
    /// The time limit of a job whose source gives none (duration; Slurm's `DefaultTime`;
    /// default none: the partition's `max_walltime`).
    #[serde(default)]
    pub default_time: Option<Duration>,
    /// Slurm's `PriorityJobFactor` (default 1): multifactor's partition factor is this over the
    /// largest of all partitions.
    #[serde(default)]
    pub priority_job_factor: Option<u32>,
    /// The QOS of jobs whose source gives none (a `[[qos]]` name; default none).
    #[serde(default)]
    pub default_qos: Option<String>,
}

/// `[[qos]]`: a quality of service (Slurm's `sacctmgr` QOS). Limits left out are unlimited.
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct QosSpec {
    /// Name (required, unique).
    pub name: String,
    /// `Priority` (default 0): multifactor's QOS factor is this over the largest.
    #[serde(default)]
    pub priority: u32,
    /// Running jobs one user may have under it; more wait (`MaxJobsPerUser`).
    #[serde(default)]
    pub max_jobs_per_user: Option<u32>,
    /// Queued and running jobs one user may have under it; more are rejected
    /// (`MaxSubmitJobsPerUser`).
    #[serde(default)]
    pub max_submit_per_user: Option<u32>,
    /// Longest walltime a job may request under it; longer requests are rejected (`MaxWall`).
    #[serde(default)]
    pub max_wall: Option<Duration>,
    /// Cores one user's running jobs may hold under it; more wait (`MaxTRESPerUser=cpu=N`).
    #[serde(default)]
    pub max_cores_per_user: Option<u64>,
    /// Fair-share usage is charged times this (`UsageFactor`, default 1).
    #[serde(default = "one_f64")]
    pub usage_factor: f64,
    /// QOS whose jobs this one's may preempt (`Preempt`, Slurm's `preempt/qos`), with the
    /// preempted job's partition's `preempt` mode (cancel or requeue).
    #[serde(default)]
    pub preempt: Vec<String>,
}

impl QosSpec {
    /// The QOS the engine and the policies use.
    pub fn qos(&self) -> Qos {
        Qos {
            name: self.name.clone(),
            priority: self.priority,
            max_jobs_per_user: self.max_jobs_per_user,
            max_submit_per_user: self.max_submit_per_user,
            max_wall: self.max_wall.map(|d| d.0),
            max_cores_per_user: self.max_cores_per_user,
            usage_factor: self.usage_factor,
            preempt: self.preempt.clone(),
        }
    }
}

/// `assignment`: how login sessions are spread over the login nodes.
#[derive(Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum AssignmentSpec {
    #[default]
    RoundRobin,
    Random,
    LeastLoaded,
}

/// `[login]`: the login nodes, outside the batch system.
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LoginSpec {
    /// Number of login nodes (required, ≥ 1).
    pub nodes: u32,
    /// Cores per login node (required, ≥ 1).
    pub cores: u32,
    /// CPU time after which the watchdog kills a process (duration; default none: no limit).
    #[serde(default)]
    pub cpu_time_limit: Option<Duration>,
    /// `"round-robin"` (default), `"random"` or `"least-loaded"`.
    #[serde(default)]
    pub assignment: AssignmentSpec,
    /// `[login.processes]`: the process generator (users, rate, cpu_demand; see
    /// [`LoginProcessConfig`]). Required.
    pub processes: LoginProcessConfig,
}

impl LoginSpec {
    /// The login-node pool this section describes.
    pub fn config(&self) -> LoginConfig {
        LoginConfig {
            nodes: self.nodes,
            cores: self.cores,
            cpu_limit: self.cpu_time_limit.map(|d| d.0),
            assignment: match self.assignment {
                AssignmentSpec::RoundRobin => Assignment::RoundRobin,
                AssignmentSpec::Random => Assignment::Random,
                AssignmentSpec::LeastLoaded => Assignment::LeastLoaded,
            },
        }
    }
}

/// `[[workload]]`: one job source.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceSpec {
    /// `partition` (required): where the source's jobs are submitted.
    pub partition: String,
    /// `class` (`"batch"`, `"interactive"` or `"debug"`): default `"batch"` for trace and
    /// lublin sources, `"interactive"` for interactive ones.
    pub class: JobClass,
    /// `qos`: the QOS of every job of the source (a `[[qos]]` name), over an export's own.
    pub qos: Option<String>,
    /// `kind` (required) and the kind's own keys.
    pub kind: SourceKind,
}

/// `kind = "trace" | "sacct" | "lublin" | "interactive"`.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceKind {
    Trace(TraceSource),
    Sacct(SacctSource),
    Lublin(LublinSource),
    Interactive(Box<InteractiveConfig>),
}

impl SourceKind {
    pub fn name(&self) -> &'static str {
        match self {
            SourceKind::Trace(_) => "trace",
            SourceKind::Sacct(_) => "sacct",
            SourceKind::Lublin(_) => "lublin",
            SourceKind::Interactive(_) => "interactive",
        }
    }
}

/// `kind = "trace"`: an SWF trace (plain or gzipped) replayed on a partition.
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TraceSource {
    /// `path` (required): the SWF file, relative to the scenario file's folder.
    pub path: PathBuf,
    /// `start` (duration, default `"0s"`): the trace instant that becomes time 0; earlier jobs
    /// are left out (and counted as skipped), later ones are shifted back by it.
    #[serde(default = "zero")]
    pub start: Duration,
}

/// `kind = "sacct"`: a Slurm accounting export (`sacct -P`, plain or gzipped) replayed job by
/// job. Each job keeps its own partition (found by name in the cluster; the source's
/// `partition` takes jobs whose record names none) and the class the classifier gives it.
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SacctSource {
    /// `path` (required): the export, relative to the scenario file's folder.
    pub path: PathBuf,
    /// `start` (duration, default `"0s"`): as a trace source's, counted from the first
    /// submission.
    #[serde(default = "zero")]
    pub start: Duration,
    /// `fields` (list of names): the field list of a `--noheader` export.
    #[serde(default)]
    pub fields: Option<Vec<String>>,
    /// `delimiter` (string, default `|`, else a tab, as the file shows).
    #[serde(default)]
    pub delimiter: Option<String>,
    /// `cancelled` (`"keep"` (default) or `"drop"`): interactive jobs cancelled before they
    /// started are replayed as sessions whose user gives up, or left out.
    #[serde(default)]
    pub cancelled: Option<String>,
    /// `default_timelimit` (duration): the limit of `UNLIMITED`/`Partition_Limit` jobs whose
    /// partition has no `max_walltime`.
    #[serde(default)]
    pub default_timelimit: Option<Duration>,
    /// `[[workload.classify]]`: site rules, tried in order before the built-in ones.
    #[serde(default)]
    pub classify: Vec<ClassifySpec>,
}

/// `[[workload.classify]]`: jobs matching every condition given get `class`.
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClassifySpec {
    #[serde(default)]
    pub partition: Option<String>,
    #[serde(default)]
    pub qos: Option<String>,
    /// A regular expression (Rust `regex` syntax) searched in the job name.
    #[serde(default)]
    pub name_regex: Option<String>,
    /// A regular expression searched in the submit line.
    #[serde(default)]
    pub submit_regex: Option<String>,
    /// `"batch"`, `"interactive"` or `"debug"` (required).
    pub class: String,
}

impl SacctSource {
    /// The reader's options: the source's keys, and `limits`, each partition's limit for jobs that give none.
    /// Keys are checked by [`Scenario::validate`], so a failure here names the key.
    pub fn options(
        &self,
        limits: BTreeMap<String, SimDuration>,
    ) -> Result<crate::workload::sacct::SacctOptions, SacctKeyError> {
        use crate::workload::sacct::{Classifier, Rule, SacctOptions};
        let cancelled = match &self.cancelled {
            None => Default::default(),
            Some(c) => c.parse().map_err(|e| SacctKeyError { rule: None, key: "cancelled", msg: e })?,
        };
        let mut rules = Vec::with_capacity(self.classify.len());
        for (i, r) in self.classify.iter().enumerate() {
            let err = |key: &'static str, msg: String| SacctKeyError { rule: Some(i), key, msg };
            let regex = |key: &'static str, v: &Option<String>| -> Result<Option<regex::Regex>, SacctKeyError> {
                v.as_deref()
                    .map(regex::Regex::new)
                    .transpose()
                    .map_err(|e| err(key, format!("expected a regular expression: {e}")))
            };
            if r.partition.is_none() && r.qos.is_none() && r.name_regex.is_none() && r.submit_regex.is_none() {
                return Err(err("", "a rule needs at least one of partition, qos, name_regex, submit_regex".into()));
            }
            rules.push(Rule {
                partition: r.partition.clone(),
                qos: r.qos.clone(),
                name_regex: regex("name_regex", &r.name_regex)?,
                submit_regex: regex("submit_regex", &r.submit_regex)?,
                class: r.class.parse().map_err(|e| err("class", e))?,
            });
        }
        Ok(SacctOptions {
            fields: self.fields.clone(),
            delimiter: self.delimiter.clone(),
            cancelled,
            default_timelimit: self.default_timelimit.map(|d| d.0),
            partition_limits: limits,
            classifier: Classifier { rules },
        })
    }
}

/// A bad key of an sacct source: `classify[rule].key`, or the source's own `key`.
#[derive(Clone, Debug)]
pub struct SacctKeyError {
    pub rule: Option<usize>,
    pub key: &'static str,
    pub msg: String,
}

impl SacctKeyError {
    /// The key's path under the source's `path`.
    pub fn at(self, path: &KeyPath) -> Problem {
        let p = match self.rule {
            Some(i) if self.key.is_empty() => path.key("classify").index(i),
            Some(i) => path.key("classify").index(i).key(self.key),
            None => path.key(self.key),
        };
        (p, ErrorKind::Invalid(self.msg))
    }
}

/// `kind = "lublin"`: the Lublin–Feitelson (2003) model for a declared machine size.
///
/// The size is the source's own (`nodes` × `cores_per_node`), not its partition's: the jobs
/// depend only on the source's keys, the seed and the replication, so that moving nodes between
/// partitions or changing any cluster or policy key leaves every job unchanged (design §12).
/// Jobs wider than the partition they are submitted to are rejected and counted.
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LublinSource {
    /// `nodes` (required, ≥ 1): the machine size, in nodes, that the model draws job sizes for.
    pub nodes: u32,
    /// `cores_per_node` (required, ≥ 1): cores of each of those nodes; a job of k nodes asks
    /// for k whole nodes of this many cores.
    pub cores_per_node: u32,
    /// `load` (required, in (0, 1.5]): offered load on the declared `nodes` × `cores_per_node`.
    pub load: f64,
    /// `population` (`"batch"` (default), `"interactive"` or `"mixed"`): the model's
    /// population(s); the jobs all get the source's `class`.
    #[serde(default = "batch")]
    pub population: Population,
    /// `users` (optional, ≥ 1): assign each job a user uniformly in 1..=users, so that
    /// per-user limits apply. Default: no user (−1).
    #[serde(default)]
    pub users: Option<u32>,
    /// `start_hour` (0–23, default 0): hour of the day at time 0 for the model's daily cycle.
    #[serde(default)]
    pub start_hour: u32,
    /// `unit` (`"node"` (default) or `"core"`): what a drawn size counts. Node-sized jobs hold
    /// whole nodes; core-sized jobs are one-core tasks packed onto shared nodes.
    #[serde(default)]
    pub unit: SizeUnit,
    /// `scale_sizes` (default true): shift the size range with the declared machine (in the
    /// unit), or draw the published sizes as given (1 to 128, a third of them serial).
    #[serde(default = "yes")]
    pub scale_sizes: bool,
}

fn yes() -> bool {
    true
}

fn batch() -> Population {
    Population::Batch
}

/// `[policy]`: the scheduler, by registry name (see `schedsim policies`).
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Queue order (default `"fcfs"`), e.g. `"sjf"`, `"multifactor[age=1000]"`.
    #[serde(default = "fcfs")]
    pub order: String,
    /// Backfill (default `"easy"`): `"none"`, `"easy"`, `"conservative"`, ...
    #[serde(default = "easy")]
    pub backfill: String,
    /// Runtime estimate backfilling plans with (default `"requested"`).
    #[serde(default = "requested")]
    pub estimate: String,
    /// Queue interactive jobs ahead of batch jobs of the same tier (default false).
    #[serde(default)]
    pub interactive_boost: bool,
}

fn fcfs() -> String {
    "fcfs".into()
}

fn easy() -> String {
    "easy".into()
}

fn requested() -> String {
    "requested".into()
}

impl Default for PolicySpec {
    fn default() -> Self {
        PolicySpec { order: fcfs(), backfill: easy(), estimate: requested(), interactive_boost: false }
    }
}

/// `[outputs]`: what the reports measure.
#[derive(Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OutputsSpec {
    /// `targets = { interactive = "1m", batch = "4h", debug = "10m" }` (durations, each
    /// optional; default none): the wait within which a job of the class counts as started in
    /// time, for the "share started within target" figure.
    #[serde(default)]
    pub targets: Targets,
}

/// Wait targets per class.
#[derive(Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    #[serde(default)]
    pub batch: Option<Duration>,
    #[serde(default)]
    pub interactive: Option<Duration>,
    #[serde(default)]
    pub debug: Option<Duration>,
}

impl Targets {
    /// The targets that are set, by class.
    pub fn by_class(&self) -> BTreeMap<JobClass, SimDuration> {
        [(JobClass::Batch, self.batch), (JobClass::Interactive, self.interactive), (JobClass::Debug, self.debug)]
            .into_iter()
            .filter_map(|(c, d)| d.map(|d| (c, d.0)))
            .collect()
    }
}

/// The file as serde reads it; `[[workload]]` tables are read in a second step (their keys
/// depend on `kind`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: String,
    #[serde(default)]
    description: String,
    run: RunSpec,
    cluster: ClusterSpec,
    #[serde(default)]
    login: Option<LoginSpec>,
    #[serde(default)]
    workload: Vec<toml::Table>,
    #[serde(default)]
    policy: PolicySpec,
    #[serde(default)]
    outputs: OutputsSpec,
    #[serde(default)]
    accounts: Vec<AccountSpec>,
    #[serde(default)]
    qos: Vec<QosSpec>,
}

/// Parses and validates scenario text; `origin` names the file in errors and is the folder
/// trace paths are relative to.
pub fn parse(text: &str, origin: &Path) -> Result<Scenario, ScenarioError> {
    let locator = || Locator::new(text);
    if let Err(e) = toml_edit::ImDocument::parse(text) {
        let line = e.span().map(|s| super::error::line_of_offset(text, s.start));
        return Err(ScenarioError {
            file: origin.to_path_buf(),
            line: line.or(Some(1)),
            path: KeyPath::root(),
            kind: Box::new(ErrorKind::Syntax(reword(e.message()))),
        });
    }
    let file: ScenarioFile = match serde_path_to_error::deserialize(toml::Deserializer::new(text)) {
        Ok(f) => f,
        Err(e) => {
            let path = KeyPath::from(e.path());
            let inner = e.into_inner();
            let line = match inner.span() {
                Some(s) => super::error::line_of_offset(text, s.start),
                None => locator().line(&path),
            };
            return Err(ScenarioError {
                file: origin.to_path_buf(),
                line: Some(line),
                path,
                kind: Box::new(ErrorKind::Invalid(reword(inner.message()))),
            });
        }
    };
    let mut workload = Vec::with_capacity(file.workload.len());
    for (i, table) in file.workload.into_iter().enumerate() {
        let path = KeyPath::root().key("workload").index(i);
        workload.push(parse_source(table, &path).map_err(|p| locator().error(origin, p))?);
    }
    let scenario = Scenario {
        name: file.name,
        description: file.description,
        run: file.run,
        cluster: file.cluster,
        login: file.login,
        workload,
        policy: file.policy,
        outputs: file.outputs,
        accounts: file.accounts,
        qos: file.qos,
        origin: origin.to_path_buf(),
        text: text.to_string(),
    };
    scenario.validate().map_err(|p| locator().error(origin, p))?;
    Ok(scenario)
}

/// Reads one `[[workload]]` table: `kind`, `partition` and `class`, then the kind's own keys.
fn parse_source(mut table: toml::Table, path: &KeyPath) -> Result<SourceSpec, Problem> {
    let mut take_str = |key: &str, expected: &str| -> Result<Option<String>, Problem> {
        match table.remove(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s)),
            Some(other) => Err((
                path.key(key),
                ErrorKind::Invalid(format!("invalid type: {}, expected {expected}", other.type_str())),
            )),
        }
    };
    let kind = take_str("kind", "a string: \"trace\", \"sacct\", \"lublin\" or \"interactive\"")?;
    let partition = take_str("partition", "a partition name")?;
    let class = take_str("class", "a string: \"batch\", \"interactive\" or \"debug\"")?;
    let qos = take_str("qos", "a QOS name")?;
    let Some(kind) = kind else {
        return Err((
            path.clone(),
            ErrorKind::Invalid("missing key `kind` (trace, sacct, lublin or interactive)".into()),
        ));
    };
    let Some(partition) = partition else {
        return Err((path.clone(), ErrorKind::Invalid("missing key `partition`".into())));
    };
    if kind == "sacct" && class.is_some() {
        return Err((
            path.key("class"),
            ErrorKind::Invalid("an sacct source classifies each job: use [[workload.classify]] rules instead".into()),
        ));
    }
    let class = match class {
        None => None,
        Some(c) => Some(c.parse::<JobClass>().map_err(|e| (path.key("class"), ErrorKind::Invalid(e)))?),
    };
    fn rest<T: serde::de::DeserializeOwned>(table: toml::Table, path: &KeyPath) -> Result<T, Problem> {
        serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
            let p = path.join(&KeyPath::from(e.path()));
            let own_key = e.path().iter().count() == 1;
            let msg = reword(e.into_inner().message());
            // The source's common keys were taken out before this step: list them too, but only
            // for a key of the source's own table (not for a value, nor a key of a nested table).
            let msg = if own_key && msg.starts_with("unknown key") {
                msg.replacen("(expected one of ", "(expected one of kind, partition, class, qos, ", 1)
            } else {
                msg
            };
            (p, ErrorKind::Invalid(msg))
        })
    }
    let (kind, default_class) = match kind.as_str() {
        "trace" => (SourceKind::Trace(rest(table, path)?), JobClass::Batch),
        "sacct" => (SourceKind::Sacct(rest(table, path)?), JobClass::Batch),
        "lublin" => (SourceKind::Lublin(rest(table, path)?), JobClass::Batch),
        "interactive" => (SourceKind::Interactive(rest(table, path)?), JobClass::Interactive),
        other => {
            return Err((
                path.key("kind"),
                ErrorKind::Invalid(format!(
                    "unknown source kind {other:?} (expected trace, sacct, lublin or interactive)"
                )),
            ))
        }
    };
    Ok(SourceSpec { partition, class: class.unwrap_or(default_class), qos, kind })
}

/// The cluster a [`ClusterSpec`] describes: node capacities and names in id order, and each
/// partition's node ids and limits.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedCluster {
    pub nodes: Vec<Res>,
    /// `(name, first node id, count)` per group, in order.
    pub groups: Vec<(String, NodeId, u32)>,
    pub partitions: Vec<(String, Vec<NodeId>, Limits)>,
}

impl ResolvedCluster {
    /// The name of node `id` (`cpu17`).
    pub fn node_name(&self, id: NodeId) -> String {
        for (name, first, count) in &self.groups {
            if id >= *first && id - first < *count {
                return format!("{name}{}", id - first + 1);
            }
        }
        format!("node{id}")
    }
}

fn valid_group_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !name.ends_with(|c: char| c.is_ascii_digit())
}

impl ClusterSpec {
    /// Checks the groups and partitions and resolves node selectors to node ids.
    pub fn resolve(&self) -> Result<ResolvedCluster, Problem> {
        let base = KeyPath::root().key("cluster");
        if self.nodes.is_empty() {
            return Err(out_of_range(base.key("nodes"), "at least one node group", "none"));
        }
        let mut nodes = Vec::new();
        let mut groups: Vec<(String, NodeId, u32)> = Vec::new();
        let (mut total_nodes, mut cores, mut mem, mut gpus) = (0u64, 0u64, 0u64, 0u64);
        for (i, g) in self.nodes.iter().enumerate() {
            let p = base.key("nodes").index(i);
            if !valid_group_name(&g.name) {
                return Err(out_of_range(
                    p.key("name"),
                    "a name of letters, digits, '-' and '_' that starts with a letter and does not end \
                     with a digit (nodes are named by the group's name and a number)",
                    format!("{:?}", g.name),
                ));
            }
            if let Some(j) = groups.iter().position(|(n, _, _)| *n == g.name) {
                return Err((
                    p.key("name"),
                    ErrorKind::Duplicate {
                        what: "node group",
                        name: g.name.clone(),
                        first: base.key("nodes").index(j).to_string(),
                    },
                ));
            }
            if g.count == 0 {
                return Err(out_of_range(p.key("count"), "at least 1 node", 0));
            }
            if g.cores == 0 {
                return Err(out_of_range(p.key("cores"), "at least 1 core per node", 0));
            }
            if g.memory.0 == 0 {
                return Err(out_of_range(p.key("memory"), "at least 1MB per node", "less than 1MB"));
            }
            if g.memory.0 > u64::from(u32::MAX) {
                return Err(out_of_range(
                    p.key("memory"),
                    format!("at most {} MB per node", u32::MAX),
                    format!("{} MB", g.memory.0),
                ));
            }
            total_nodes += u64::from(g.count);
            cores += u64::from(g.count) * u64::from(g.cores);
            mem += u64::from(g.count) * g.memory.0;
            gpus += u64::from(g.count) * u64::from(g.gpus);
            if total_nodes > MAX_NODES {
                return Err(out_of_range(p.key("count"), format!("at most {MAX_NODES} nodes in all"), total_nodes));
            }
            let cap = u64::from(u32::MAX);
            for (what, v, unit) in [("cores", cores, "cores"), ("memory", mem, "MB of memory"), ("gpus", gpus, "GPUs")]
            {
                if v > cap {
                    return Err(out_of_range(
                        p.key(what),
                        format!("at most {cap} {unit} in the whole cluster"),
                        format!("{v} {unit} with this group"),
                    ));
                }
            }
            groups.push((g.name.clone(), nodes.len() as NodeId, g.count));
            let res = Res::new(g.cores, g.memory.mib_u32(), g.gpus);
            nodes.extend(std::iter::repeat_n(res, g.count as usize));
        }

        if self.partitions.is_empty() {
            return Err(out_of_range(base.key("partitions"), "at least one partition", "none"));
        }
        let mut partitions: Vec<(String, Vec<NodeId>, Limits)> = Vec::new();
        for (i, ps) in self.partitions.iter().enumerate() {
            let p = base.key("partitions").index(i);
            if ps.name.trim().is_empty() {
                return Err(out_of_range(p.key("name"), "a partition name", "\"\""));
            }
            if let Some(j) = partitions.iter().position(|(n, _, _)| *n == ps.name) {
                return Err((
                    p.key("name"),
                    ErrorKind::Duplicate {
                        what: "partition",
                        name: ps.name.clone(),
                        first: base.key("partitions").index(j).to_string(),
                    },
                ));
            }
            if ps.nodes.is_empty() {
                return Err(out_of_range(p.key("nodes"), "at least one node, group or range", "[]"));
            }
            let mut ids = Vec::new();
            for (k, sel) in ps.nodes.iter().enumerate() {
                ids.extend(select(sel, &groups).map_err(|e| (p.key("nodes").index(k), e))?);
            }
            ids.sort_unstable();
            ids.dedup();
            let positive = |key: &str, d: Option<Duration>| match d {
                Some(d) if d.0 <= SimDuration::ZERO => Err(out_of_range(p.key(key), "a duration > 0", "\"0s\"")),
                _ => Ok(d.map(|d| d.0)),
            };
            let at_least_one = |key: &str, v: Option<u32>| match v {
                Some(0) => Err(out_of_range(p.key(key), "at least 1 (leave the key out for no limit)", 0)),
                _ => Ok(v),
            };
            let limits = Limits {
                max_walltime: positive("max_walltime", ps.max_walltime)?,
                max_nodes: at_least_one("max_nodes", ps.max_nodes)?,
                max_jobs_per_user: at_least_one("max_jobs_per_user", ps.max_jobs_per_user)?,
                max_mem_per_job: match ps.max_memory {
                    Some(m) if m.0 == 0 => {
                        return Err(out_of_range(p.key("max_memory"), "more than 0 MB (leave it out for no limit)", 0))
                    }
                    m => m.map(|m| m.0),
                },
                priority_tier: ps.priority_tier,
                preempt: ps.preempt.into(),
                idle_timeout: positive("idle_timeout", ps.idle_timeout)?,
                default_time: positive("default_time", ps.default_time)?,
                priority_job_factor: ps.priority_job_factor,
            };
            partitions.push((ps.name.clone(), ids, limits));
        }
        Ok(ResolvedCluster { nodes, groups, partitions })
    }
}

/// `"cpu"`, `"cpu7"` or `"cpu[1-4,9]"` → node ids.
fn select(sel: &str, groups: &[(String, NodeId, u32)]) -> Result<Vec<NodeId>, ErrorKind> {
    let unknown = || {
        let names: Vec<&str> = groups.iter().map(|g| g.0.as_str()).collect();
        let ranges: Vec<String> =
            groups.iter().map(|(n, _, c)| if *c == 1 { format!("{n}1") } else { format!("{n}1..{n}{c}") }).collect();
        ErrorKind::UnknownNode { name: sel.to_string(), groups: names.join(", "), nodes: ranges.join(", ") }
    };
    let group = |name: &str| groups.iter().find(|g| g.0 == name);
    if let Some((name, inner)) = sel.split_once('[') {
        let Some(inner) = inner.strip_suffix(']') else {
            return Err(ErrorKind::OutOfRange {
                expected: "a group, a node, or a range such as \"gpu[1-4]\" or \"cpu[1-8,12]\"".into(),
                found: format!("{sel:?}"),
            });
        };
        let Some(&(ref g, first, count)) = group(name) else { return Err(unknown()) };
        let bad = || ErrorKind::OutOfRange {
            expected: format!("ranges of node numbers from 1, such as \"{g}[1-4]\" or \"{g}[1,3,5-8]\""),
            found: format!("{sel:?}"),
        };
        let mut ids = Vec::new();
        for part in inner.split(',') {
            let (a, b) = match part.split_once('-') {
                Some((a, b)) => (a.trim(), b.trim()),
                None => (part.trim(), part.trim()),
            };
            let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) else { return Err(bad()) };
            if a == 0 || a > b {
                return Err(bad());
            }
            if b > count {
                return Err(ErrorKind::PoolTooLarge(format!(
                    "{sel:?} asks for {g} nodes up to {g}{b}, but group {g} has {count} ({g}1..{g}{count})"
                )));
            }
            ids.extend((a - 1..b).map(|k| first + k));
        }
        return Ok(ids);
    }
    if let Some(&(_, first, count)) = group(sel) {
        return Ok((first..first + count).collect());
    }
    let digits = sel.len() - sel.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (name, num) = sel.split_at(sel.len() - digits);
    if let (Some(&(_, first, count)), Ok(k)) = (group(name), num.parse::<u32>()) {
        if k >= 1 && k <= count && !num.starts_with('0') {
            return Ok(vec![first + k - 1]);
        }
    }
    Err(unknown())
}

impl Scenario {
    /// The file the scenario was read from.
    pub fn origin(&self) -> &Path {
        &self.origin
    }

    /// The trace files its sources replay, resolved as [`Scenario::resolve_path`] does.
    pub fn trace_files(&self) -> Vec<PathBuf> {
        let traces = self.workload.iter().filter_map(|s| match &s.kind {
            SourceKind::Trace(t) => Some(self.resolve_path(&t.path)),
            SourceKind::Sacct(t) => Some(self.resolve_path(&t.path)),
            _ => None,
        });
        traces.collect()
    }

    /// Where a trace source's `path` points: relative paths are taken from the scenario
    /// file's folder.
    pub fn resolve_path(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            return p.to_path_buf();
        }
        match self.origin.parent() {
            Some(dir) => dir.join(p),
            None => p.to_path_buf(),
        }
    }

    /// A located error for a problem found after parsing.
    pub(crate) fn error(&self, problem: Problem) -> ScenarioError {
        Locator::new(&self.text).error(&self.origin, problem)
    }

    /// Every check that does not need to generate jobs, in the order of the file's sections.
    fn validate(&self) -> Result<(), Problem> {
        let root = KeyPath::root();
        if self.name.trim().is_empty()
            || self.name.contains(['/', '\\'])
            || self.name.contains(char::is_control)
            || self.name.chars().count() > MAX_NAME_CHARS
            || self.name == "."
            || self.name == ".."
        {
            return Err(out_of_range(
                root.key("name"),
                format!(
                    "a non-empty run name that can be a folder name: at most {MAX_NAME_CHARS} characters, \
                     no '/', '\\' or control characters (newline, NUL)"
                ),
                format!("{:?}", self.name),
            ));
        }
        let run = root.key("run");
        if self.run.length.0 <= SimDuration::ZERO {
            return Err(out_of_range(run.key("length"), "a run length > 0", "\"0s\""));
        }
        if self.run.warmup.0 >= self.run.length.0 {
            return Err((
                run.key("warmup"),
                ErrorKind::WarmupTooLong { warmup: self.run.warmup.to_string(), length: self.run.length.to_string() },
            ));
        }
        if self.run.sample_every.0 <= SimDuration::ZERO {
            return Err(out_of_range(run.key("sample_every"), "a sampling interval > 0", "\"0s\""));
        }
        let scale = self.run.load_scale;
        if !(scale.is_finite() && scale > 0.0 && scale <= MAX_LOAD_SCALE) {
            return Err(out_of_range(run.key("load_scale"), format!("a factor in (0, {MAX_LOAD_SCALE}]"), scale));
        }

        let cluster = self.cluster.resolve()?;

        if let Some(login) = &self.login {
            let p = root.key("login");
            if login.nodes == 0 || u64::from(login.nodes) > MAX_LOGIN_NODES {
                return Err(out_of_range(
                    p.key("nodes"),
                    format!("from 1 to {MAX_LOGIN_NODES} login nodes"),
                    login.nodes,
                ));
            }
            if login.cores == 0 {
                return Err(out_of_range(p.key("cores"), "at least 1 core per login node", 0));
            }
            if let Some(d) = login.cpu_time_limit {
                if d.0 <= SimDuration::ZERO {
                    return Err(out_of_range(
                        p.key("cpu_time_limit"),
                        "a CPU-time limit > 0 (leave it out for no limit)",
                        "\"0s\"",
                    ));
                }
            }
            login.processes.validate().map_err(|e| gen_problem(&p.key("processes"), &e))?;
        }

        for (i, src) in self.workload.iter().enumerate() {
            let p = root.key("workload").index(i);
            let Some(part) = cluster.partitions.iter().find(|(n, _, _)| *n == src.partition) else {
                let known: Vec<&str> = cluster.partitions.iter().map(|(n, _, _)| n.as_str()).collect();
                return Err((
                    p.key("partition"),
                    ErrorKind::UnknownPartition { name: src.partition.clone(), known: known.join(", ") },
                ));
            };
            let part_nodes: Vec<Res> = part.1.iter().map(|&n| cluster.nodes[n as usize]).collect();
            match &src.kind {
                SourceKind::Trace(t) => {
                    let file = self.resolve_path(&t.path);
                    if !file.is_file() {
                        let what = crate::workload::wrong_kind(&file, true).unwrap_or("does not exist");
                        return Err((p.key("path"), ErrorKind::TraceUnusable { file, what }));
                    }
                }
                SourceKind::Sacct(t) => {
                    let file = self.resolve_path(&t.path);
                    if !file.is_file() {
                        let what = crate::workload::wrong_kind(&file, true).unwrap_or("does not exist");
                        return Err((p.key("path"), ErrorKind::TraceUnusable { file, what }));
                    }
                    t.options(BTreeMap::new()).map_err(|e| e.at(&p))?;
                }
                SourceKind::Lublin(l) => {
                    if !(l.load.is_finite() && l.load > 0.0 && l.load <= MAX_LOAD) {
                        return Err(out_of_range(p.key("load"), format!("an offered load in (0, {MAX_LOAD}]"), l.load));
                    }
                    if l.nodes == 0 {
                        return Err(out_of_range(p.key("nodes"), "at least 1 node in the declared machine", 0));
                    }
                    if l.cores_per_node == 0 {
                        return Err(out_of_range(p.key("cores_per_node"), "at least 1 core per node", 0));
                    }
                    if u64::from(l.nodes) * u64::from(l.cores_per_node) > u64::from(u32::MAX) {
                        return Err(out_of_range(
                            p.key("nodes"),
                            format!("a machine of at most {} cores", u32::MAX),
                            u64::from(l.nodes) * u64::from(l.cores_per_node),
                        ));
                    }
                    if l.users == Some(0) {
                        return Err(out_of_range(p.key("users"), "at least 1 user (leave it out for none)", 0));
                    }
                    if l.start_hour > 23 {
                        return Err(out_of_range(p.key("start_hour"), "an hour in 0..=23", l.start_hour));
                    }
                    if let Some(other) =
                        part_nodes.iter().find(|r| l.unit == SizeUnit::Node && r.cores != l.cores_per_node)
                    {
                        return Err((
                            p.key("cores_per_node"),
                            ErrorKind::Source(format!(
                                "a lublin source's jobs take whole nodes of cores_per_node = {} cores, but \
                                 partition {:?} has nodes of {} cores",
                                l.cores_per_node, src.partition, other.cores
                            )),
                        ));
                    }
                }
                SourceKind::Interactive(c) => {
                    c.validate().map_err(|e| gen_problem(&p, &e))?;
                    let task = c.task();
                    if !part_nodes.iter().any(|&n| task.fits_in(n)) {
                        let most = |f: fn(&Res) -> u32| part_nodes.iter().map(f).max().unwrap_or(0);
                        let (cores, mem, gpus) = (most(|n| n.cores), most(|n| n.mem), most(|n| n.gpus));
                        let key = if task.cores > cores {
                            "cores"
                        } else if task.mem > mem {
                            "memory"
                        } else {
                            "gpus"
                        };
                        return Err((
                            p.key(key),
                            ErrorKind::PoolTooLarge(format!(
                                "a session asks for {task}, but no node of partition {:?} holds that much \
                                 (at most {cores} cores, {mem} MiB, {gpus} GPUs)",
                                src.partition
                            )),
                        ));
                    }
                }
            }
        }

        let pol = root.key("policy");
        for (key, axis, spec) in [
            ("order", Axis::Order, &self.policy.order),
            ("backfill", Axis::Backfill, &self.policy.backfill),
            ("estimate", Axis::Estimate, &self.policy.estimate),
        ] {
            Registry::check(axis, spec).map_err(|e| (pol.key(key), ErrorKind::Policy(Box::new(e))))?;
        }
        check_accounts(&self.accounts)
            .map_err(|e| (root.key("accounts").index(e.index()).key(e.key()), ErrorKind::Invalid(e.to_string())))?;
        self.validate_qos()?;
        self.validate_qos_preemption(&cluster)
    }

    /// QOS `preempt` lists against the partitions' modes: preemption by QOS (Slurm's
    /// `preempt/qos`) cancels or requeues, and a scenario preempts by QOS or by partition tier,
    /// not both, as Slurm has one `PreemptType`.
    fn validate_qos_preemption(&self, cluster: &ResolvedCluster) -> Result<(), Problem> {
        let root = KeyPath::root();
        for (i, q) in self.qos.iter().enumerate() {
            if let Some(k) = q.preempt.iter().position(|n| *n == q.name) {
                return Err((
                    root.key("qos").index(i).key("preempt").index(k),
                    ErrorKind::Invalid(format!(
                        "QOS {:?} lists itself: preemption within a QOS (Slurm's PreemptMode=WITHIN) is not simulated",
                        q.name
                    )),
                ));
            }
        }
        let Some(i) = self.qos.iter().position(|q| !q.preempt.is_empty()) else { return Ok(()) };
        let at = root.key("qos").index(i).key("preempt");
        let parts = &self.cluster.partitions;
        let p = |k: usize| root.key("cluster").key("partitions").index(k).key("preempt");
        if let Some(k) = parts.iter().position(|p| p.preempt == PreemptSpec::Suspend) {
            return Err((
                p(k),
                ErrorKind::Invalid(format!(
                    "\"suspend\" with QOS preemption (qos[{i}].preempt) is not simulated: Slurm's preempt/qos \
                     suspends only with gang scheduling; use \"cancel\" or \"requeue\""
                )),
            ));
        }
        if !parts.iter().any(|p| p.preempt != PreemptSpec::Off) {
            return Err((
                at,
                ErrorKind::Invalid(
                    "no partition lets its jobs be preempted: set a partition's preempt to \"cancel\" or \"requeue\""
                        .into(),
                ),
            ));
        }
        let resolved = &cluster.partitions;
        for (k, (_, nodes, limits)) in resolved.iter().enumerate() {
            let over = resolved.iter().position(|(_, other, l)| {
                l.priority_tier > limits.priority_tier && other.iter().any(|n| nodes.contains(n))
            });
            if let (Some(over), true) = (over, limits.preempt != PreemptMode::Off) {
                return Err((
                    p(k),
                    ErrorKind::Invalid(format!(
                        "partition {:?} may be preempted by partition {:?}, of a higher priority_tier on the same \
                         nodes, and QOS lists preempt too (qos[{i}].preempt): Slurm preempts by partition tier or by \
                         QOS, not both (one PreemptType); give them one priority_tier, or drop the QOS lists",
                        resolved[k].0, resolved[over].0
                    )),
                ));
            }
        }
        Ok(())
    }

    /// `[[qos]]` entries, and every QOS a partition or a source names.
    fn validate_qos(&self) -> Result<(), Problem> {
        let root = KeyPath::root();
        let defined: Vec<&str> = self.qos.iter().map(|q| q.name.as_str()).collect();
        let undefined = |path: KeyPath, name: &str| {
            let known = if defined.is_empty() { "none is defined".to_string() } else { defined.join(", ") };
            (path, ErrorKind::Invalid(format!("QOS {name:?} is not defined in [[qos]] (defined: {known})")))
        };
        for (i, q) in self.qos.iter().enumerate() {
            let p = root.key("qos").index(i);
            if q.name.trim().is_empty() {
                return Err(out_of_range(p.key("name"), "a non-empty QOS name", format!("{:?}", q.name)));
            }
            if let Some(first) = defined[..i].iter().position(|&n| n == q.name) {
                return Err((
                    p.key("name"),
                    ErrorKind::Duplicate {
                        what: "QOS",
                        name: q.name.clone(),
                        first: root.key("qos").index(first).to_string(),
                    },
                ));
            }
            if !(q.usage_factor.is_finite() && q.usage_factor >= 0.0) {
                return Err(out_of_range(p.key("usage_factor"), "a number ≥ 0", q.usage_factor));
            }
            for (key, v) in [
                ("max_jobs_per_user", q.max_jobs_per_user.map(u64::from)),
                ("max_submit_per_user", q.max_submit_per_user.map(u64::from)),
                ("max_cores_per_user", q.max_cores_per_user),
            ] {
                if v == Some(0) {
                    return Err(out_of_range(p.key(key), "at least 1 (leave the key out for no limit)", 0));
                }
            }
            if q.max_wall.is_some_and(|d| d.0 <= SimDuration::ZERO) {
                return Err(out_of_range(p.key("max_wall"), "a duration > 0", "\"0s\""));
            }
            for (k, name) in q.preempt.iter().enumerate() {
                if !defined.contains(&name.as_str()) {
                    return Err(undefined(p.key("preempt").index(k), name));
                }
            }
        }
        for (i, part) in self.cluster.partitions.iter().enumerate() {
            if let Some(name) = part.default_qos.as_deref().filter(|n| !defined.contains(n)) {
                return Err(undefined(root.key("cluster").key("partitions").index(i).key("default_qos"), name));
            }
        }
        for (i, src) in self.workload.iter().enumerate() {
            if let Some(name) = src.qos.as_deref().filter(|n| !defined.contains(n)) {
                return Err(undefined(root.key("workload").index(i).key("qos"), name));
            }
        }
        // Conservative places every job once, at arrival: it cannot hold one back for a limit.
        if self.qos.iter().any(|q| q.max_jobs_per_user.is_some() || q.max_cores_per_user.is_some())
            && self.policy.backfill.trim_start().starts_with("conservative")
        {
            return Err((
                root.key("policy").key("backfill"),
                ErrorKind::Invalid(
                    "a QOS limits running jobs (max_jobs_per_user or max_cores_per_user), which conservative \
                     backfilling cannot hold jobs back for: use none, easy or slurm"
                        .into(),
                ),
            ));
        }
        Ok(())
    }
}

/// A generator's configuration error at `base` + its own path.
pub(crate) fn gen_problem(base: &KeyPath, e: &crate::workload::weekly::GenError) -> Problem {
    (base.join(&KeyPath::parse(e.path())), ErrorKind::Source(e.message().to_string()))
}
