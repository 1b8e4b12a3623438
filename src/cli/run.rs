//! `schedsim run`: simulate a scenario, a trace, or the built-in default scenario, and write
//! the run's files (jobs, summary, schedule, time series, login processes) into its
//! directory.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;

use schedsim::cluster::login::LoginSummary;
use schedsim::cluster::Cluster;
use schedsim::engine::Semantics;
use schedsim::experiment::stats::Estimate;
use schedsim::experiment::sweep::{self, Sweep, SweepSpec};
use schedsim::experiment::{self, execute_observed, PolicyChoice, RunPlan, RunResult};
use schedsim::metrics::Summary;
use schedsim::report::charts::fmt_duration;
use schedsim::report::folder::Staged;
use schedsim::report::guard::check_output;
use schedsim::report::{self, progress};
use schedsim::scenario::{self, overrides};
use schedsim::series;

use super::out::outln;
use super::sweep::{duration_pm, share_pm};
use schedsim::workload::trace::{read_trace, Loaded};

/// What to simulate: a scenario file, a trace on a machine, or the built-in default scenario.
/// Shared by `run` and `compare`.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Scenario file (TOML). Without it and without --trace, the built-in default scenario
    /// (scenarios/default.toml) runs.
    #[arg(value_name = "SCENARIO", conflicts_with = "trace")]
    pub scenario: Option<PathBuf>,
    /// Trace to replay instead of a scenario: SWF or a Slurm `sacct -P` export, gzipped or
    /// not (the format is told by content).
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Machine size in processors, as one flat node (overrides the trace header).
    #[arg(long, value_name = "N", conflicts_with_all = ["nodes", "cores_per_node"], value_parser = clap::value_parser!(u32).range(1..))]
    pub procs: Option<u32>,
    /// Machine as N identical nodes (with --cores-per-node; at most 1,000,000); placement is
    /// node-aware.
    #[arg(long, value_name = "N", requires = "cores_per_node", value_parser = clap::value_parser!(u32).range(1..=schedsim::scenario::schema::MAX_NODES as i64))]
    pub nodes: Option<u32>,
    /// Cores of each node (with --nodes).
    #[arg(long, value_name = "C", requires = "nodes", value_parser = clap::value_parser!(u32).range(1..))]
    pub cores_per_node: Option<u32>,
    /// Seed of a scenario's random streams [default: the scenario's `run.seed`]. A trace
    /// needs none.
    #[arg(long)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub sacct: super::convert::SacctArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Queue order (see `schedsim policies`) [default: the scenario's, or fcfs].
    #[arg(long)]
    pub order: Option<String>,
    /// Backfill strategy (see `schedsim policies`) [default: the scenario's, or easy].
    #[arg(long)]
    pub backfill: Option<String>,
    /// Runtime estimate backfilling plans with (see `schedsim policies`) [default: the
    /// scenario's, or requested].
    #[arg(long)]
    pub estimate: Option<String>,
    /// How one instant's events are ordered: schedsim (all ends, then all submissions, then
    /// one pass) or pyss (a pass after each event, as pyss and predictsim) [default: the
    /// scenario's `run.semantics`, or schedsim].
    #[arg(long, value_name = "NAME")]
    pub semantics: Option<String>,
    /// Directory for the run's files [default: results/<run name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write only the data files: no charts, no report.html (`schedsim report DIR` adds them
    /// later).
    #[arg(long)]
    pub no_report: bool,
    /// Also run R replications of the scenario (replication 0 is the run itself) and print
    /// each class's figures as mean ± 95% half-width; writes replications.csv and
    /// replications/ (one summary per replication).
    #[arg(long, value_name = "R", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: u32,
    /// Worker threads for --replications [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(super::sweep::MAX_THREADS)))]
    pub threads: Option<u32>,
}

/// Policy axes given on the command line; each replaces the scenario's (or the default's).
#[derive(Debug, Default)]
pub struct PolicyOverrides {
    pub order: Option<String>,
    pub backfill: Option<String>,
    pub estimate: Option<String>,
}

impl PolicyOverrides {
    fn apply(&self, mut p: PolicyChoice) -> anyhow::Result<PolicyChoice> {
        for (given, slot) in
            [(&self.order, &mut p.order), (&self.backfill, &mut p.backfill), (&self.estimate, &mut p.estimate)]
        {
            if let Some(g) = given {
                *slot = g.clone();
            }
        }
        Ok(p.canonical()?)
    }
}

/// The plan for `source`: a trace under the default policy, a scenario under its own, each
/// with `overrides` applied; and the files it read, which no output may overwrite.
pub fn plan_for(source: &SourceArgs, overrides: &PolicyOverrides) -> anyhow::Result<(RunPlan, Vec<PathBuf>)> {
    if let Some(path) = &source.trace {
        if source.seed.is_some() {
            bail!("--seed draws a scenario's random workload; a trace has none");
        }
        let policy = overrides.apply(PolicyChoice::default())?;
        say_what_is_awaited(path);
        let loaded = read_trace(path, &source.sacct.options()?)?;
        let cluster = machine_for(source, &loaded, path)?;
        let w = loaded.workload;
        let name = format!("{}-{}", trace_stem(path), policy.label().replace('/', "-"));
        return Ok((RunPlan::replay(name, path.display().to_string(), w, cluster, policy), vec![path.clone()]));
    }
    if source.procs.is_some() || source.nodes.is_some() {
        bail!("--procs and --nodes size a trace's machine; a scenario describes its own cluster");
    }
    let (scn, origin) = match &source.scenario {
        Some(path) => {
            say_what_is_awaited(path);
            (scenario::load(path)?, path.display().to_string())
        }
        None => (scenario::default_scenario(), scenario::DEFAULT_SCENARIO_PATH.to_string()),
    };
    let mut inputs = scn.trace_files();
    inputs.extend(source.scenario.clone());
    let seed = source.seed.unwrap_or(scn.run.seed);
    let mut plan = RunPlan::from_built(scenario::build(&scn, seed)?, origin);
    plan.policy = overrides.apply(plan.policy)?;
    Ok((plan, inputs))
}

/// A named pipe given as an input blocks until a writer opens it: say so on standard error,
/// so that a FIFO nobody writes to does not look like a hung program.
pub fn say_what_is_awaited(path: &Path) {
    use std::os::unix::fs::FileTypeExt;
    if std::fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo()) {
        eprintln!("schedsim: reading {} (a pipe): waiting for its writer", path.display());
    }
}

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let overrides =
        PolicyOverrides { order: args.order.clone(), backfill: args.backfill.clone(), estimate: args.estimate.clone() };
    let (mut plan, inputs) = plan_for(&args.source, &overrides)?;
    if let Some(s) = &args.semantics {
        plan.semantics = s.parse().context("--semantics")?;
    }
    let dir = args.out.clone().unwrap_or_else(|| Path::new("results").join(&plan.name));
    check_output(&dir, true, &inputs)?;
    // Taken before simulating, so that a second run into the same folder is refused at once.
    let staged = Staged::begin(&dir)?;
    let bar = progress::bar(plan.workload.jobs.len() as u64, "simulating");
    let ticker = bar.clone();
    let result = execute_observed(&plan, Some(Box::new(move |n| ticker.set_position(n))))?;
    bar.finish_and_clear();
    let mut written: Vec<String> = write(staged.path(), &plan, &result)?.into_iter().map(String::from).collect();
    if !args.no_report {
        report::build::build_report_in_memory(staged.path(), &experiment::in_memory(&plan, &result))
            .with_context(|| format!("building the report in {}", dir.display()))?;
        written.extend(["charts/".to_string(), "report.html".to_string()]);
    }
    let reps = if args.replications > 1 {
        written.extend(["replications.csv".to_string(), "replications/".to_string()]);
        Some(replications(&args, staged.path())?)
    } else {
        None
    };
    // Switched into place before anything is printed: a reader of standard output that stops
    // early must not cost the run its folder.
    staged.publish()?;
    let semantics = match plan.semantics {
        Semantics::Schedsim => String::new(),
        s => format!(" ({s} semantics)"),
    };
    outln!("schedsim: {} on {} under {}{semantics}", plan.name, plan.cluster.describe(), plan.policy.label())?;
    for note in &plan.workload.notes {
        outln!("  note: {note}")?;
    }
    if let Some((asked, used)) = plan.coarsened(&result) {
        outln!(
            "  note: time series sampled every {} instead of {}, to stay under {} rows",
            fmt_duration(used.as_secs_f64()),
            fmt_duration(asked.as_secs_f64()),
            series::MAX_SAMPLES
        )?;
    }
    print_summary(&result.summary, plan.seed.is_some())?;
    if let Some(l) = &result.login {
        print_login(&l.summary)?;
    }
    if let Some((classes, est)) = reps {
        print_replications(args.replications, &classes, &est)?;
    }
    outln!("results: {}/ ({})", dir.display(), written.join(", "))?;
    Ok(())
}

/// Each class's figures over the replications: mean and 95% half-width.
type RepEstimates = Vec<[Option<Estimate>; sweep::FIGURES.len()]>;

/// `--replications R`: the scenario's R replications as a sweep of one point in
/// `dir/replications/` and their table in `dir/replications.csv`; returns the classes and
/// their estimates (the overall row first).
fn replications(args: &RunArgs, dir: &Path) -> anyhow::Result<(Vec<String>, RepEstimates)> {
    if args.source.trace.is_some() {
        bail!("--replications: a trace has no random streams, so its replications would all be the same run");
    }
    let grid = super::sweep::GridArgs {
        scenario: args.source.scenario.clone(),
        replications: args.replications,
        seed: args.source.seed,
        threads: args.threads,
    };
    let (text, origin) = grid.scenario_text()?;
    // The command line's policy axes are edits of the scenario, as a sweep would make them.
    let mut axes = Vec::new();
    for (key, value) in [
        ("policy.order", &args.order),
        ("policy.backfill", &args.backfill),
        ("policy.estimate", &args.estimate),
        ("run.semantics", &args.semantics),
    ] {
        if let Some(v) = value {
            axes.push(overrides::parse_set(&format!("{key}={v}"), &text)?);
        }
    }
    let spec = SweepSpec {
        text: &text,
        origin: &origin,
        seed: args.source.seed,
        replications: args.replications,
        axes,
        keep_runs: false,
    };
    let sweep = Sweep::new(spec)?;
    let reps_dir = dir.join("replications");
    let pool = grid.pool()?;
    let bar = progress::bar(u64::from(args.replications), "replications");
    pool.install(|| sweep.run_into(&reps_dir, &|| bar.inc(1)))?;
    bar.finish_and_clear();
    let m = &sweep.manifest;
    sweep::write_table_to(&reps_dir, m, &dir.join("replications.csv"))?;
    Ok((m.classes.clone(), sweep::estimates(&sweep::point_rows(&reps_dir, m, 0)?)))
}

/// Each class's figures over `r` replications, as mean ± half-width.
fn print_replications(r: u32, classes: &[String], est: &RepEstimates) -> anyhow::Result<()> {
    let idx = |name: &str| sweep::FIGURES.iter().position(|f| *f == name).expect("a figure");
    outln!("  {r} replications (mean ± 95% half-width):")?;
    outln!(
        "  {:<12} {:>20} {:>20} {:>20} {:>16} {:>16}",
        "class",
        "mean wait",
        "median",
        "p95",
        "abandon",
        "in target"
    )?;
    for (row, e) in est.iter().enumerate().skip(1) {
        outln!(
            "  {:<12} {:>20} {:>20} {:>20} {:>16} {:>16}",
            classes[row - 1],
            duration_pm(e[idx("mean_wait")]),
            duration_pm(e[idx("median_wait")]),
            duration_pm(e[idx("p95_wait")]),
            share_pm(e[idx("abandonment")]),
            share_pm(e[idx("within_target")])
        )?;
    }
    outln!("  utilisation {}", share_pm(est[0][idx("utilisation")]))
}

/// Writes a run's files into `dir`; returns their names.
pub fn write(dir: &Path, plan: &RunPlan, result: &RunResult) -> anyhow::Result<Vec<&'static str>> {
    experiment::write_run(dir, plan, result).with_context(|| format!("writing the results of {}", plan.name))
}

/// The machine: --procs, else --nodes × --cores-per-node, else the trace header, else (sacct)
/// the nodes and cores the export's allocations show.
fn machine_for(args: &SourceArgs, loaded: &Loaded, path: &Path) -> anyhow::Result<Cluster> {
    let w = &loaded.workload;
    Ok(match (args.procs, args.nodes, args.cores_per_node) {
        (Some(p), _, _) => Cluster::flat(p),
        (None, Some(n), Some(c)) => Cluster::uniform(n, c),
        _ if loaded.sacct.is_some() => {
            let m = &loaded.sacct.as_ref().expect("checked").machine;
            if m.node_count() == 0 || m.cores_per_node == 0 {
                bail!(
                    "{}: the export shows no node or core counts: say the machine with --nodes N --cores-per-node C",
                    path.display()
                );
            }
            Cluster::uniform(m.node_count(), m.cores_per_node)
        }
        _ => match w.max_procs.or(w.max_nodes) {
            Some(p) if p > 0 => Cluster::flat(p),
            _ => bail!(
                "{}: the header gives no MaxProcs or MaxNodes: say the machine size with --procs N",
                path.display()
            ),
        },
    })
}

fn trace_stem(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let name = name.strip_suffix(".swf").unwrap_or(name);
    name.strip_suffix(".psv").unwrap_or(name).to_string()
}

fn print_summary(s: &Summary, scenario: bool) -> anyhow::Result<()> {
    let outcomes: Vec<String> = s.outcomes.iter().map(|(o, n)| format!("{o} {n}")).collect();
    outln!("  jobs {} ({})  skipped {}", s.jobs, outcomes.join(", "), s.skipped)?;
    for (reason, n) in &s.rejected_by_reason {
        outln!("    rejected {n}: {reason}")?;
    }
    for (reason, n) in &s.skipped_by_reason {
        outln!("    skipped {n}: {reason}")?;
    }
    outln!(
        "  {:<12} {:>8} {:>10} {:>10} {:>10} {:>10} {:>9} {:>10}",
        "class",
        "jobs",
        "mean wait",
        "median",
        "p95",
        "max",
        "abandon",
        "in target"
    )?;
    for (name, c) in &s.classes {
        let w = &c.waits;
        let target = c.within_target.map_or("-".to_string(), |x| format!("{:.1}%", x * 100.0));
        outln!(
            "  {:<12} {:>8} {:>10} {:>10} {:>10} {:>10} {:>8.1}% {:>10}",
            name,
            c.jobs,
            fmt_duration(w.mean_wait),
            fmt_duration(w.median_wait),
            fmt_duration(w.p95_wait),
            fmt_duration(w.max_wait),
            c.abandonment_rate * 100.0,
            target
        )?;
    }
    let parts: Vec<String> = s.partitions.iter().map(|(n, p)| format!("{n} {:.1}%", p.utilisation * 100.0)).collect();
    // A scenario's length is chosen, so its makespan says nothing; a trace's is a property of it.
    let makespan = if scenario { String::new() } else { format!("  makespan {}", fmt_duration(s.makespan)) };
    outln!(
        "  utilisation {:.1}% (by partition: {})  mean bounded slowdown {:.2}{makespan}",
        s.utilisation * 100.0,
        parts.join(", "),
        s.mean_bsld
    )
}

fn print_login(l: &LoginSummary) -> anyhow::Result<()> {
    let o = &l.overall;
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.1}%", v * 100.0));
    let num = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.2}"));
    outln!(
        "  login nodes {} × {} cores: {} processes, {} killed at the CPU limit ({}), utilisation {}, mean stretch {}, p95 stretch {}, at most {} processes at once",
        l.nodes,
        l.cores_per_node,
        o.processes,
        o.killed,
        pct(o.kill_rate),
        pct(o.utilisation),
        num(o.mean_stretch),
        num(o.p95_stretch),
        o.max_active
    )
}
