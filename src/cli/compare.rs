//! `schedsim compare`: one workload under several policies, in parallel; writes each
//! variant's run files and report, `comparison.csv`, the comparison's charts and
//! `report.html`, and a table on screen saying which is best.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use schedsim::experiment::compare::{compare, parse_variants, write_comparison_csv};
use schedsim::report::build::build_report;
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
    /// Policies to compare, each order/backfill[/estimate], separated by commas.
    #[arg(long, default_value = "fcfs/none,fcfs/easy,sjf/easy,fcfs/conservative")]
    pub policies: String,
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

pub fn compare_cmd(args: CompareArgs) -> anyhow::Result<()> {
    let variants = parse_variants(&args.policies).map_err(anyhow::Error::msg).context("--policies")?;
    let (base, inputs) = plan_for(&args.source, &PolicyOverrides::default())?;
    let stem = base.name.strip_suffix("-fcfs-easy").unwrap_or(&base.name).to_string();
    let dir = args.out.clone().unwrap_or_else(|| Path::new("results").join(format!("compare-{stem}")));
    check_output(&dir, true, &inputs)?;
    let staged = Staged::begin(&dir)?;
    let out = staged.path();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0) as usize)
        .build()
        .with_context(|| format!("starting {} worker threads", args.threads.unwrap_or(0)))?;
    let bar = progress::bar(variants.len() as u64, "policies");
    let runs = pool.install(|| compare(&base, &variants, &|| bar.inc(1)))?;
    bar.finish_and_clear();

    for (plan, result) in &runs {
        write(&out.join(&plan.name), plan, result)?;
    }
    write_atomic(&out.join("comparison.csv"), |w| write_comparison_csv(w, &runs))?;
    // Each variant's own charts and report.html, then the comparison's.
    let report = if args.no_report {
        None
    } else {
        for (plan, _) in &runs {
            pool.install(|| build_report(&out.join(&plan.name)))
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
    outln!(
        "  {:<28} {:>10} {:>10} {:>10} {:>9} {:>7}",
        "policy",
        "mean wait",
        "p95 wait",
        "max wait",
        "mean bsld",
        "util"
    )?;
    for (plan, r) in &runs {
        let s = &r.summary;
        outln!(
            "  {:<28} {:>10.1} {:>10.1} {:>10.1} {:>9.2} {:>6.1}%",
            plan.policy.label(),
            s.waits.mean_wait,
            s.waits.p95_wait,
            s.waits.max_wait,
            s.mean_bsld,
            s.utilisation * 100.0
        )?;
    }
    let best = |f: &dyn Fn(&schedsim::metrics::Summary) -> f64| {
        runs.iter().min_by(|a, b| f(&a.1.summary).total_cmp(&f(&b.1.summary))).map(|(p, _)| p.policy.label())
    };
    outln!(
        "  best: mean wait {}, p95 wait {}, mean bsld {}",
        best(&|s| s.waits.mean_wait).unwrap_or_default(),
        best(&|s| s.waits.p95_wait).unwrap_or_default(),
        best(&|s| s.mean_bsld).unwrap_or_default()
    )?;
    match report {
        Some(html) => {
            outln!("report: {}", html.display())?;
            outln!("results: {}/ (comparison.csv, report.html, charts/ and one folder per policy)", dir.display())?;
        }
        None => outln!("results: {}/ (comparison.csv and one folder per policy)", dir.display())?,
    }
    Ok(())
}
