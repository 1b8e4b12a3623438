//! From a validated [`Scenario`] to the inputs of a run: the cluster, one merged workload, the
//! login nodes and their processes, the policy and what to measure.
//!
//! # Random streams
//!
//! Replication `r` of source `i` (0-based, in file order) draws only from
//! `rng::stream(seed, r, "<i>/<kind>")`, e.g. `"0/lublin"`, `"1/interactive"`, `"2/trace"` (a
//! trace draws nothing); the login processes draw from `rng::stream(seed, r, "login")`, and the
//! login simulator's random assignment from `"login/assignment"` (drawn by
//! `experiment::execute`). A plain run is replication 0. So adding, removing or changing one
//! source never changes the jobs of the others (as long as their index stays the same), the
//! same scenario and seed always give the same inputs, and replication `r` of every point of a
//! sweep draws the same numbers (common random numbers).
//!
//! # What a source's jobs depend on
//!
//! Only the source's own keys, `run.length`, `run.load_scale`, the seed and the replication:
//! never the cluster or the policy (a Lublin source declares the machine size it draws for).
//! Its partition and class are stamped on afterwards. So a sweep that moves nodes between
//! partitions compares the same jobs on different machines.
//!
//! # Load scaling
//!
//! `run.load_scale = f` multiplies interactive and login-process arrival rates and a Lublin
//! source's offered load by `f`, and divides a trace's submit times (after its `start` shift)
//! by `f`, rounded to the millisecond: the trace's inter-arrival gaps shrink by exactly `f`.
//!
//! # Merging
//!
//! Every source's jobs get the source's partition and class. Jobs submitted at or after
//! `run.length` are left out and counted as skipped. The sources' jobs are then put in arrival
//! order (submit time; among equal times, source order, then each source's own order) and
//! numbered 1..n; records a source skipped are added up by reason, and each source's notes are
//! kept, prefixed with the source's path (`workload[0] (lublin): ...`).

use std::collections::BTreeMap;

use rand::Rng;

use super::error::{ErrorKind, KeyPath, ScenarioError};
use super::schema::{gen_problem, LublinSource, SacctSource, Scenario, SourceKind, SourceSpec, TraceSource};
use crate::cluster::Cluster;
use crate::metrics::Measure;
use crate::policy::PolicyChoice;
use crate::rng;
use crate::time::{SimDuration, SimTime};
use crate::workload::job::{NameIdx, PartitionIdx};
use crate::workload::lublin::{self, Extent, LublinConfig};
use crate::workload::qos::Qos;
use crate::workload::{sacct, swf, Job, Workload};

/// Reason under which jobs submitted at or after `run.length` are counted as skipped.
pub const SKIP_AFTER_LENGTH: &str = "submitted at or after run.length";
/// Reason under which trace jobs submitted before the source's `start` are counted.
pub const SKIP_BEFORE_START: &str = "submitted before the trace source's start";

/// Everything a run of the scenario needs.
#[derive(Clone, Debug)]
pub struct Built {
    /// The run's name (the scenario's `name`).
    pub name: String,
    /// The seed the inputs were drawn with.
    pub seed: u64,
    /// `run.length`: jobs are submitted in [0, length).
    pub length: SimDuration,
    pub cluster: Cluster,
    /// All sources' jobs in arrival order, ids 1..n.
    pub workload: Workload,
    pub login: Option<LoginInputs>,
    pub policy: PolicyChoice,
    pub interactive_boost: bool,
    pub sample_every: SimDuration,
    pub semantics: crate::engine::Semantics,
    /// Warm-up end and wait targets.
    pub measure: crate::metrics::Measure,
}

/// The login nodes and the processes that arrive on them.
pub type LoginInputs = (crate::cluster::login::LoginConfig, Vec<crate::workload::login_gen::LoginProcess>);

/// Builds the run's inputs from `s`, drawing every random quantity from streams of `seed`
/// (see the [module docs](self)).
pub fn build(s: &Scenario, seed: u64) -> Result<Built, ScenarioError> {
    build_replication(s, seed, 0)
}

/// [`build`] for replication `rep` of `seed`: every stream is drawn with run index `rep` (see
/// the [module docs](self)); replication 0 is the plain run.
pub fn build_replication(s: &Scenario, seed: u64, rep: u64) -> Result<Built, ScenarioError> {
    let resolved = s.cluster.resolve().map_err(|p| s.error(p))?;
    let cluster = Cluster::new(resolved.nodes, resolved.partitions)
        .map_err(|e| s.error((KeyPath::root().key("cluster"), ErrorKind::Source(e.to_string()))))?;
    let length = s.run.length.0;
    let end = SimTime(length.0);
    let scale = s.run.load_scale;

    let mut parts: Vec<Workload> = Vec::with_capacity(s.workload.len());
    for (i, src) in s.workload.iter().enumerate() {
        let path = KeyPath::root().key("workload").index(i);
        let Some(pidx) = cluster.partition_named(&src.partition) else {
            return Err(s.error((
                path.key("partition"),
                ErrorKind::UnknownPartition { name: src.partition.clone(), known: partition_names(&cluster) },
            )));
        };
        let mut rng = rng::stream(seed, rep, &format!("{i}/{}", src.kind.name()));
        let mut w = match &src.kind {
            SourceKind::Trace(t) => trace(s, t, &path)?,
            SourceKind::Sacct(t) => sacct_export(s, t, &path, &cluster, pidx)?,
            SourceKind::Lublin(l) => lublin(s, l, length, &path, &mut rng)?,
            SourceKind::Interactive(c) => {
                let mut c = c.as_ref().clone();
                c.rate = c.rate.scaled(scale);
                let jobs =
                    c.generate(SimTime::ZERO, end, pidx, &mut rng).map_err(|e| s.error(gen_problem(&path, &e)))?;
                Workload { name: "interactive sessions".into(), jobs, ..Workload::default() }
            }
        };
        let before = w.jobs.len();
        w.jobs.retain(|j| j.submit < end);
        let cut = (before - w.jobs.len()) as u64;
        if cut > 0 {
            *w.skipped.entry(SKIP_AFTER_LENGTH.to_string()).or_insert(0) += cut;
        }
        // An export's jobs keep their own partitions and classes.
        if !matches!(src.kind, SourceKind::Sacct(_)) {
            for j in &mut w.jobs {
                j.partition = pidx;
                j.class = src.class;
            }
        }
        assign_qos(s, &mut w, src, &path)?;
        let mut used: Vec<PartitionIdx> = w.jobs.iter().map(|j| j.partition).collect();
        used.sort_unstable();
        used.dedup();
        for p in used {
            note_rejections(&mut w, &cluster, p);
        }
        parts.push(w);
    }
    note_overload(&mut parts, &cluster, length);

    let mut workload = merge(s, &cluster, seed, parts);
    if !s.qos.is_empty() {
        // Every name is defined: assign_qos checked the jobs', validation the scenario's.
        workload.qos = workload
            .qos_names
            .iter()
            .map(|n| s.qos.iter().find(|q| &q.name == n).map_or_else(|| Qos::unlimited(n), |q| q.qos()))
            .collect();
    }
    let login = match &s.login {
        None => None,
        Some(l) => {
            let p = KeyPath::root().key("login");
            let cfg = l.config();
            let mut rng = rng::stream(seed, rep, "login");
            let mut gen = l.processes.clone();
            gen.rate = gen.rate.scaled(scale);
            let procs = gen
                .generate(SimTime::ZERO, end, &mut rng)
                .map_err(|e| s.error(gen_problem(&p.key("processes"), &e)))?;
            Some((cfg, procs))
        }
    };

    let measure = Measure {
        warmup_end: (s.run.warmup.0 > SimDuration::ZERO).then_some(SimTime(s.run.warmup.0 .0)),
        targets: s.outputs.targets.by_class(),
    };
    Ok(Built {
        name: s.name.clone(),
        seed,
        length,
        cluster,
        workload,
        login,
        policy: PolicyChoice {
            order: s.policy.order.clone(),
            backfill: s.policy.backfill.clone(),
            estimate: s.policy.estimate.clone(),
        },
        interactive_boost: s.policy.interactive_boost,
        sample_every: s.run.sample_every.0,
        semantics: s.run.semantics,
        measure,
    })
}

/// Says (in the workload's notes) how many jobs the partition will refuse at submission
/// because they ask for more time or cores than it allows or has.
fn note_rejections(w: &mut Workload, cluster: &Cluster, pidx: PartitionIdx) {
    let part = cluster.partition(pidx);
    let jobs = || w.jobs.iter().filter(|j| j.partition == pidx);
    if let Some(max) = part.limits.max_walltime {
        let n = jobs().filter(|j| j.requested_time > max).count();
        if n > 0 {
            let jobs = if n == 1 { "job requests" } else { "jobs request" };
            w.notes.push(format!(
                "{n} {jobs} more than partition {:?}'s max_walltime ({max} s) and will be rejected",
                part.name
            ));
        }
    }
    let cores = u64::from(part.total().cores);
    let n = jobs().filter(|j| j.procs() > cores).count();
    if n > 0 {
        let jobs = if n == 1 { "job asks" } else { "jobs ask" };
        w.notes
            .push(format!("{n} {jobs} for more than partition {:?}'s {cores} cores and will be rejected", part.name));
    }
}

fn partition_names(c: &Cluster) -> String {
    c.partitions().iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
}

/// An SWF trace, shifted so that its `start` is time 0.
fn trace(s: &Scenario, t: &TraceSource, path: &KeyPath) -> Result<Workload, ScenarioError> {
    let file = s.resolve_path(&t.path);
    let mut w = swf::read_swf(&file).map_err(|e| s.error((path.key("path"), ErrorKind::Trace(Box::new(e)))))?;
    shift_and_scale(s, &mut w, t.start.0);
    Ok(w)
}

/// An sacct export: each job on the partition of its own name (the source's partition when it
/// names none), missing limits from the partitions' `default_time` or `max_walltime`, shifted
/// and scaled as a trace.
fn sacct_export(
    s: &Scenario,
    t: &SacctSource,
    path: &KeyPath,
    cluster: &Cluster,
    default: PartitionIdx,
) -> Result<Workload, ScenarioError> {
    // A job without a limit gets the partition's DefaultTime, else its MaxTime (spec §B.5).
    let limits = cluster
        .partitions()
        .iter()
        .filter_map(|p| p.limits.default_time.or(p.limits.max_walltime).map(|m| (p.name.clone(), m)))
        .collect();
    let opts = t.options(limits).map_err(|e| s.error(e.at(path)))?;
    let file = s.resolve_path(&t.path);
    let import =
        sacct::read_sacct(&file, &opts).map_err(|e| s.error((path.key("path"), ErrorKind::Trace(Box::new(e)))))?;
    let mut w = import.workload;
    let map: Vec<Option<PartitionIdx>> = w.partition_names.iter().map(|n| cluster.partition_named(n)).collect();
    let missing: Vec<&str> =
        w.partition_names.iter().zip(&map).filter(|(_, m)| m.is_none()).map(|(n, _)| n.as_str()).collect();
    if !missing.is_empty() {
        return Err(s.error((
            path.key("path"),
            ErrorKind::Source(format!(
                "the export's partition{} {} {} not in the cluster (it has {}): add {} to [[cluster.partitions]]",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                if missing.len() == 1 { "is" } else { "are" },
                partition_names(cluster),
                if missing.len() == 1 { "it" } else { "them" },
            )),
        )));
    }
    for j in &mut w.jobs {
        j.partition = usize::try_from(j.meta.partition - 1).ok().and_then(|k| map[k]).unwrap_or(default);
    }
    shift_and_scale(s, &mut w, t.start.0);
    Ok(w)
}

/// Shifts a trace so that `start` is time 0 (earlier jobs counted as skipped), then applies
/// `run.load_scale` to its submit times.
fn shift_and_scale(s: &Scenario, w: &mut Workload, start: SimDuration) {
    if start > SimDuration::ZERO {
        let before = w.jobs.len();
        w.jobs.retain(|j| j.submit.0 >= start.0);
        let cut = (before - w.jobs.len()) as u64;
        if cut > 0 {
            *w.skipped.entry(SKIP_BEFORE_START.to_string()).or_insert(0) += cut;
        }
        for j in &mut w.jobs {
            j.submit = SimTime(j.submit.0 - start.0);
        }
    }
    let scale = s.run.load_scale;
    if scale != 1.0 {
        for j in &mut w.jobs {
            j.submit = SimTime((j.submit.0 as f64 / scale).round() as i64);
        }
        w.notes.push(format!("submit times divided by run.load_scale = {scale}: inter-arrival gaps {scale}× shorter"));
    }
}

/// The Lublin–Feitelson model on the source's declared machine (whole-node or one-core tasks), filling
/// `length` at the source's load times `run.load_scale`.
fn lublin(
    s: &Scenario,
    l: &LublinSource,
    length: SimDuration,
    path: &KeyPath,
    rng: &mut impl Rng,
) -> Result<Workload, ScenarioError> {
    let mut cfg = LublinConfig::new(l.nodes, l.population);
    cfg.cores_per_node = l.cores_per_node;
    cfg.target_load = Some(l.load * s.run.load_scale);
    cfg.start_hour = l.start_hour;
    cfg.unit = l.unit;
    cfg.scale_sizes = l.scale_sizes;
    let mut w = lublin::generate_workload(&cfg, Extent::Horizon(length), rng)
        .map_err(|e| s.error((path.clone(), ErrorKind::Source(e.to_string()))))?;
    if let Some(users) = l.users {
        for j in &mut w.jobs {
            j.meta.user = i64::from(rng.random_range(1..=users));
        }
    }
    Ok(w)
}

/// Warns (in the first source's notes of each partition) when the work submitted to a
/// partition exceeds its capacity over the run: the queue then grows without bound, which a
/// growth what-if should say rather than hide.
fn note_overload(parts: &mut [Workload], cluster: &Cluster, length: SimDuration) {
    let mut demand = vec![0f64; cluster.partitions().len()];
    let mut first = vec![None; demand.len()];
    for (i, w) in parts.iter().enumerate() {
        for j in &w.jobs {
            let p = j.partition as usize;
            demand[p] += j.effective_runtime().0 as f64 * j.procs() as f64;
            first[p].get_or_insert(i);
        }
    }
    for (p, part) in cluster.partitions().iter().enumerate() {
        let capacity = length.0 as f64 * f64::from(part.total().cores);
        let load = demand[p] / capacity;
        if let (Some(i), true) = (first[p], load > 1.0) {
            parts[i].notes.push(format!(
                "warning: the work submitted to partition {:?} is {load:.2} times its capacity over run.length: \
                 its queue will grow without bound",
                part.name
            ));
        }
    }
}

/// One workload of every source's jobs in arrival order, numbered 1..n.
fn merge(s: &Scenario, cluster: &Cluster, seed: u64, parts: Vec<Workload>) -> Workload {
    let total = parts.iter().map(|w| w.jobs.len()).sum();
    let mut out = Workload {
        name: s.name.clone(),
        jobs: Vec::with_capacity(total),
        max_procs: u32::try_from(cluster.total_cores()).ok(),
        max_nodes: u32::try_from(cluster.node_count()).ok(),
        ..Workload::default()
    };
    out.header.push(format!("Scenario: {} ({})", s.name, s.origin.display()));
    out.header.push(format!("Seed: {seed}"));
    if let Some(p) = out.max_procs {
        out.header.push(format!("MaxProcs: {p}"));
    }
    if let Some(n) = out.max_nodes {
        out.header.push(format!("MaxNodes: {n}"));
    }
    // Account and QOS names are one table for the run: the scenario's `[[accounts]]` first,
    // then each source's names as they appear, so a job's index means the same in every source.
    out.accounts = s.accounts.iter().map(|a| a.name.clone()).collect();
    // User numbers are ids that mean one user in every source: an export's UIDs (one person
    // on one cluster), a trace's user numbers, and the generated sources' users 1..=users,
    // one population that `[[accounts]] users` names. Users an export knows only by name are
    // one user per name across the run, numbered after every id, so never taken for another.
    let first_named = 1 + parts
        .iter()
        .filter(|w| !w.users_by_index)
        .flat_map(|w| w.jobs.iter().map(|j| j.meta.user))
        .max()
        .unwrap_or(0)
        .max(0);
    let mut named: BTreeMap<String, i64> = BTreeMap::new();
    for (i, (mut w, src)) in parts.into_iter().zip(&s.workload).enumerate() {
        let label = format!("workload[{i}] ({})", src.kind.name());
        let accounts: Vec<NameIdx> = w.accounts.iter().map(|n| intern(&mut out.accounts, n)).collect();
        let qos: Vec<NameIdx> = w.qos_names.iter().map(|n| intern(&mut out.qos_names, n)).collect();
        let users: Vec<i64> = if w.users_by_index {
            w.users
                .iter()
                .map(|n| {
                    let next = first_named + named.len() as i64;
                    *named.entry(n.clone()).or_insert(next)
                })
                .collect()
        } else {
            Vec::new()
        };
        for j in &mut w.jobs {
            j.account = j.account.map(|a| accounts[a as usize]);
            j.qos = j.qos.map(|q| qos[q as usize]);
            if let Some(&u) = usize::try_from(j.meta.user - 1).ok().and_then(|k| users.get(k)) {
                j.meta.user = u;
            }
        }
        for (reason, n) in w.skipped {
            *out.skipped.entry(reason).or_insert(0) += n;
        }
        out.notes.extend(w.notes.into_iter().map(|n| format!("{label}: {n}")));
        out.lacking_requested_time += w.lacking_requested_time;
        out.lacking_requested_procs += w.lacking_requested_procs;
        out.jobs.extend(w.jobs);
    }
    // Stable: equal submit times keep source order, then each source's own order.
    out.jobs.sort_by_key(|j: &Job| j.submit);
    for (k, j) in out.jobs.iter_mut().enumerate() {
        j.id = k as u64 + 1;
    }
    if !s.accounts.is_empty() {
        // A user listed under several accounts is charged to the first (their default).
        let mut account_of: BTreeMap<i64, NameIdx> = BTreeMap::new();
        for (i, a) in s.accounts.iter().enumerate() {
            for &u in &a.users {
                account_of.entry(u).or_insert(i as NameIdx);
            }
        }
        for j in &mut out.jobs {
            j.account = j.account.or_else(|| account_of.get(&j.meta.user).copied());
        }
        out.account_tree = s.accounts.clone();
    }
    out
}

/// Gives each job of a source its QOS: the source's `qos`, else the one its own record names
/// (sacct), else its partition's `default_qos`. With `[[qos]]` given, a QOS no entry defines is
/// an error.
fn assign_qos(s: &Scenario, w: &mut Workload, src: &SourceSpec, path: &KeyPath) -> Result<(), ScenarioError> {
    let defaults: Vec<Option<NameIdx>> =
        s.cluster.partitions.iter().map(|p| p.default_qos.as_deref().map(|n| intern(&mut w.qos_names, n))).collect();
    let forced = src.qos.as_deref().map(|n| intern(&mut w.qos_names, n));
    for j in &mut w.jobs {
        j.qos = forced.or(j.qos).or(defaults[j.partition as usize]);
    }
    if s.qos.is_empty() {
        return Ok(());
    }
    if let Some(j) =
        w.jobs.iter().find(|j| j.qos.is_some_and(|q| !s.qos.iter().any(|d| d.name == w.qos_names[q as usize])))
    {
        let name = &w.qos_names[j.qos.expect("found by its QOS") as usize];
        let id = j.label.as_deref().map_or_else(|| j.id.to_string(), str::to_string);
        let known: Vec<&str> = s.qos.iter().map(|q| q.name.as_str()).collect();
        return Err(s.error((
            path.key("path"),
            ErrorKind::Source(format!(
                "job {id} runs under QOS {name:?}, which is not defined in [[qos]] (defined: {}): add it, or give \
                 the source a `qos`",
                known.join(", ")
            )),
        )));
    }
    Ok(())
}

/// The index of `name` in `names`, appended if new.
fn intern(names: &mut Vec<String>, name: &str) -> NameIdx {
    let i = names.iter().position(|n| n == name).unwrap_or_else(|| {
        names.push(name.to_string());
        names.len() - 1
    });
    i as NameIdx
}
