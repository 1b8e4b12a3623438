//! `schedsim compare`: one workload under several policies, variants of one scenario
//! (`--set KEY=VALUES`), or several scenario files (`compare A.toml B.toml`), in parallel; writes each variant's run files and report,
//! `comparison.csv`, the comparison's charts and `report.html`, and a table on screen.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;

use schedsim::experiment::compare::{compare, compare_plans, parse_variants, policy_labels, write_comparison_csv};
use schedsim::experiment::{in_memory, RunPlan, RunResult};
use schedsim::report::build::build_report_in_memory;
use schedsim::report::charts::fmt_duration;
use schedsim::report::compare_report::build_compare_report;
use schedsim::report::folder::Staged;
use schedsim::report::guard::check_output;
use schedsim::report::progress;
use schedsim::report::write_atomic;

use super::out::outln;
use super::run::{plan_for, write, PolicyOverrides, SourceArgs};

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Further scenario files to set beside the first (`compare A.toml B.toml ...`), each
    /// run under its own policy and labelled by its `name`.
    #[arg(value_name = "SCENARIO", conflicts_with_all = ["trace", "set", "policies"])]
    pub more: Vec<PathBuf>,
    /// Policies to compare, each order/backfill[/estimate], separated by commas.
    #[arg(long, default_value = "fcfs/none,fcfs/easy,sjf/easy,fcfs/conservative")]
    pub policies: String,
    /// Compare variants of the scenario instead of policies: one run per value of a key, as
    /// `sweep --set` takes it (e.g. `run.load_scale=1,1.3`), under the scenario's policy.
    #[arg(long, value_name = "KEY=VALUES", conflicts_with = "policies")]
    pub set: Option<String>,
    /// Worker threads [default: one per core]. Results are identical for any number.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(super::sweep::MAX_THREADS)))]
    pub threads: Option<u32>,
    /// Directory for the comparison [default: results/compare-<run name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write only the data files: no charts, no report.html (`schedsim report DIR` adds them).
    #[arg(long)]
    pub no_report: bool,
}

/// The scenario variants of `--set KEY=VALUES`: one plan per value, named by its label
/// (`run.load_scale=1.3`), with the label.
fn scenario_variants(source: &SourceArgs, set: &str) -> anyhow::Result<Vec<(String, RunPlan)>> {
    use schedsim::scenario::{self, overrides};
    if source.trace.is_some() {
        bail!("--set makes variants of a scenario; a trace has no scenario keys (compare its policies instead)");
    }
    let (text, origin) = match &source.scenario {
        Some(p) => (
            std::fs::read_to_string(p).with_context(|| format!("{}: cannot read the scenario", p.display()))?,
            p.clone(),
        ),
        None => (scenario::DEFAULT_SCENARIO.to_string(), PathBuf::from(scenario::DEFAULT_SCENARIO_PATH)),
    };
    let axis = overrides::parse_set(set, &text)?;
    if axis.len() < 2 {
        bail!("--set {set}: give at least two values to compare, e.g. {}=1,1.3", axis.key());
    }
    let mut out = Vec::new();
    for (i, value) in axis.values().iter().enumerate() {
        let scn = overrides::edited(&text, &origin, &axis.edits(i))?;
        let seed = source.seed.unwrap_or(scn.run.seed);
        let mut plan = RunPlan::from_built(scenario::build(&scn, seed)?, origin.display().to_string());
        let label = format!("{}={value}", axis.key());
        plan.name = label.replace('/', "-");
        out.push((label, plan));
    }
    Ok(out)
}

/// The scenario files of `compare A.toml B.toml ...`: one plan each, labelled by the
/// scenario's `name` (by the file's stem where two names are the same).
fn scenario_files(source: &SourceArgs, paths: &[PathBuf]) -> anyhow::Result<Vec<(String, RunPlan)>> {
    use schedsim::scenario;
    let mut loaded = Vec::with_capacity(paths.len());
    for path in paths {
        super::run::say_what_is_awaited(path);
        let scn = scenario::load(path)?;
        let seed = source.seed.unwrap_or(scn.run.seed);
        let plan = RunPlan::from_built(scenario::build(&scn, seed)?, path.display().to_string());
        loaded.push((scn.name.clone(), path, plan));
    }
    let names: Vec<String> = loaded.iter().map(|(n, _, _)| n.clone()).collect();
    let mut out: Vec<(String, RunPlan)> = Vec::with_capacity(loaded.len());
    for (name, path, mut plan) in loaded {
        let label = if names.iter().filter(|n| **n == name).count() > 1 {
            path.file_stem().map_or(name, |s| s.to_string_lossy().into_owned())
        } else {
            name
        };
        if let Some((_, twin)) = out.iter().find(|(l, _)| *l == label) {
            bail!("{} and {} are both called {label:?}: give one scenario another name", twin.source, path.display());
        }
        plan.name = label.replace('/', "-");
        out.push((label, plan));
    }
    Ok(out)
}

pub fn compare_cmd(args: CompareArgs) -> anyhow::Result<()> {
    let (base, mut inputs) = plan_for(&args.source, &PolicyOverrides::default())?;
    inputs.extend(args.more.iter().cloned());
    let stem = base.name.strip_suffix("-fcfs-easy").unwrap_or(&base.name).to_string();
    let dir = args.out.clone().unwrap_or_else(|| Path::new("results").join(format!("compare-{stem}")));
    check_output(&dir, true, &inputs)?;
    let staged = Staged::begin(&dir)?;
    let out = staged.path();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0) as usize)
        .build()
        .with_context(|| format!("starting {} worker threads", args.threads.unwrap_or(0)))?;
    let files: Vec<PathBuf> = args.source.scenario.iter().chain(&args.more).cloned().collect();
    let variants = match &args.set {
        Some(set) => Some(scenario_variants(&args.source, set)?),
        None if files.len() > 1 => Some(scenario_files(&args.source, &files)?),
        None => None,
    };
    let (runs, labels, what): (Vec<(RunPlan, RunResult)>, Vec<String>, &str) = match variants {
        Some(variants) => {
            let bar = progress::bar(variants.len() as u64, "variants");
            let (labels, plans): (Vec<String>, Vec<RunPlan>) = variants.into_iter().unzip();
            let runs = pool.install(|| compare_plans(plans, &|| bar.inc(1)))?;
            bar.finish_and_clear();
            (runs, labels, "variant")
        }
        None => {
            let variants = parse_variants(&args.policies).map_err(anyhow::Error::msg).context("--policies")?;
            let bar = progress::bar(variants.len() as u64, "policies");
            let runs = pool.install(|| compare(&base, &variants, &|| bar.inc(1)))?;
            bar.finish_and_clear();
            let labels = policy_labels(&runs);
            (runs, labels, "policy")
        }
    };

    for (plan, result) in &runs {
        write(&out.join(&plan.name), plan, result)?;
    }
    write_atomic(&out.join("comparison.csv"), |w| write_comparison_csv(w, &runs, &labels))?;
    // Each variant's own charts and report.html, then the comparison's.
    let report = if args.no_report {
        None
    } else {
        for (plan, result) in &runs {
            pool.install(|| build_report_in_memory(&out.join(&plan.name), &in_memory(plan, result)))
                .with_context(|| format!("building the report in {}", dir.join(&plan.name).display()))?;
        }
        let files = pool
            .install(|| build_compare_report(out))
            .with_context(|| format!("building the comparison's report in {}", dir.display()))?;
        let html = files.html.file_name().map(|n| dir.join(n));
        Some(html.unwrap_or(files.html))
    };
    staged.publish()?;

    outln!("schedsim compare: {} on {}", base.workload.name, base.cluster.describe())?;
    // Per class, as the run summary prints them: waits pooled over classes mean little.
    outln!(
        "  {:<28} {:<12} {:>7} {:>10} {:>10} {:>10} {:>9} {:>7}",
        what,
        "class",
        "jobs",
        "mean wait",
        "p95 wait",
        "max wait",
        "in target",
        "util"
    )?;
    for ((_, r), label) in runs.iter().zip(&labels) {
        let s = &r.summary;
        for (class, c) in &s.classes {
            outln!(
                "  {:<28} {:<12} {:>7} {:>10} {:>10} {:>10} {:>9} {:>6.1}%",
                label,
                class.to_string(),
                c.jobs,
                fmt_duration(c.waits.mean_wait),
                fmt_duration(c.waits.p95_wait),
                fmt_duration(c.waits.max_wait),
                c.within_target.map_or("—".to_string(), |v| format!("{:.1}%", 100.0 * v)),
                s.utilisation * 100.0
            )?;
        }
    }
    // Per class, as the report ranks them: waits pooled over classes would mean little.
    let classes: Vec<String> =
        runs.first().map(|(_, r)| r.summary.classes.keys().cloned().collect()).unwrap_or_default();
    for class in &classes {
        let best = |f: &dyn Fn(&schedsim::metrics::WaitStats) -> f64| {
            let values: Vec<f64> =
                runs.iter().map(|(_, r)| r.summary.classes.get(class).map_or(f64::NAN, |c| f(&c.waits))).collect();
            let low = values.iter().copied().filter(|v| v.is_finite()).fold(f64::INFINITY, f64::min);
            let at: Vec<&str> =
                values.iter().zip(&labels).filter(|(v, _)| **v == low).map(|(_, l)| l.as_str()).collect();
            match at.len() {
                0 => "—".to_string(),
                n if n == runs.len() && n > 1 => "the same under every variant".to_string(),
                1 => at[0].to_string(),
                _ => format!("{} (tied)", at.join(", ")),
            }
        };
        outln!("  best for {class}: mean wait {}; p95 wait {}", best(&|w| w.mean_wait), best(&|w| w.p95_wait))?;
    }
    match report {
        Some(html) => {
            outln!("report: {}", html.display())?;
            outln!("results: {}/ (comparison.csv, report.html, charts/ and one folder per {what})", dir.display())?;
        }
        None => outln!("results: {}/ (comparison.csv and one folder per {what})", dir.display())?,
    }
    Ok(())
}
