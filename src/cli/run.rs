//! `schedsim run`: simulate a trace (or the built-in default workload) under one policy and
//! write `jobs.csv`, `summary.json` and `schedule.swf` into the run's directory.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;

use schedsim::cluster::Cluster;
use schedsim::experiment::{run_one, PolicyChoice};
use schedsim::metrics::Summary;
use schedsim::report;
use schedsim::scenario;
use schedsim::workload::{swf, Workload};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// SWF trace to replay (`.swf` or `.swf.gz`). Without it, the built-in default runs.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Machine size in processors, as one flat node (overrides the trace header).
    #[arg(long, value_name = "N", conflicts_with_all = ["nodes", "cores_per_node"], value_parser = clap::value_parser!(u32).range(1..))]
    pub procs: Option<u32>,
    /// Machine as N identical nodes (with --cores-per-node); placement is node-aware.
    #[arg(long, value_name = "N", requires = "cores_per_node", value_parser = clap::value_parser!(u32).range(1..))]
    pub nodes: Option<u32>,
    /// Cores of each node (with --nodes).
    #[arg(long, value_name = "C", requires = "nodes", value_parser = clap::value_parser!(u32).range(1..))]
    pub cores_per_node: Option<u32>,
    /// Queue order (see `schedsim policies`).
    #[arg(long, default_value = "fcfs")]
    pub order: String,
    /// Backfill strategy (see `schedsim policies`).
    #[arg(long, default_value = "easy")]
    pub backfill: String,
    /// Runtime estimate backfilling plans with (see `schedsim policies`).
    #[arg(long, default_value = "requested")]
    pub estimate: String,
    /// Seed of the synthetic default workload (a trace needs none).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Directory for the run's files [default: results/<run name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let policy =
        PolicyChoice { order: args.order.clone(), backfill: args.backfill.clone(), estimate: args.estimate.clone() };
    policy.validate()?;

    let (workload, cluster, run_name) = match &args.trace {
        Some(path) => {
            let w = swf::read_swf(path)?;
            let cluster = machine_for(&args, &w, path)?;
            let stem = trace_stem(path);
            let name = format!("{stem}-{}", policy.label().replace('/', "-"));
            (w, cluster, name)
        }
        None => {
            if args.procs.is_some() || args.nodes.is_some() {
                bail!(
                    "--procs and --nodes size a trace's machine; the default scenario has its own (give --trace FILE)"
                );
            }
            let (w, cluster) = scenario::default_workload(args.seed);
            (w, cluster, "default".to_string())
        }
    };

    let cluster_text = cluster.describe();
    let result = run_one(&workload, cluster, &policy)?;
    let dir = args.out.clone().unwrap_or_else(|| Path::new("results").join(&run_name));
    report::write_run(&dir, &workload, &result.output.records, &result.summary)
        .with_context(|| format!("writing the results of {}", workload.name))?;

    println!("schedsim: {} on {} under {}", workload.name, cluster_text, policy.label());
    for note in &workload.notes {
        println!("  note: {note}");
    }
    print_summary(&result.summary);
    println!("results: {}/ ({})", dir.display(), report::RUN_FILES.join(", "));
    Ok(())
}

/// The machine: --procs, else --nodes × --cores-per-node, else the trace header.
fn machine_for(args: &RunArgs, w: &Workload, path: &Path) -> anyhow::Result<Cluster> {
    Ok(match (args.procs, args.nodes, args.cores_per_node) {
        (Some(p), _, _) => Cluster::flat(p),
        (None, Some(n), Some(c)) => Cluster::uniform(n, c),
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
    name.strip_suffix(".swf").unwrap_or(name).to_string()
}

fn print_summary(s: &Summary) {
    println!(
        "  jobs {}  completed {}  killed at walltime {}  rejected (wider than the machine) {}  skipped {}",
        s.jobs, s.completed, s.walltime, s.rejected, s.skipped
    );
    for (reason, n) in &s.skipped_by_reason {
        println!("    skipped {n}: {reason}");
    }
    let w = &s.waits;
    println!(
        "  wait (s): mean {:.1}  median {:.1}  p95 {:.1}  max {:.1}",
        w.mean_wait, w.median_wait, w.p95_wait, w.max_wait
    );
    println!(
        "  mean bounded slowdown {:.2}  utilisation {:.1}%  makespan {:.1} h",
        s.mean_bsld,
        s.utilisation * 100.0,
        s.makespan / 3600.0
    );
}
