//! `schedsim inspect FILE`: what a trace holds, without simulating it.

use std::path::PathBuf;

use clap::Args;

use super::convert::SacctArgs;
use super::out::{out, outln};
use schedsim::workload::inspect;
use schedsim::workload::trace::read_trace;

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The trace: SWF (`.swf`, `.swf.gz`) or a Slurm `sacct -P` export, gzipped or not.
    pub file: PathBuf,
    /// Machine size to measure the trace against, instead of its MaxProcs header (or, for an
    /// sacct export, the nodes and cores its allocations show).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub procs: Option<u32>,
    /// Print the figures as JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub sacct: SacctArgs,
}

pub fn inspect(args: InspectArgs) -> anyhow::Result<()> {
    super::run::say_what_is_awaited(&args.file);
    let loaded = read_trace(&args.file, &args.sacct.options()?)?;
    let inferred = loaded.sacct.as_ref().map(|s| s.machine.node_count() * s.machine.cores_per_node).filter(|&p| p > 0);
    let stats = inspect::inspect(&loaded.workload, args.procs.or(inferred));
    match (&loaded.sacct, args.json) {
        (None, true) => outln!("{}", serde_json::to_string_pretty(&stats)?)?,
        (None, false) => out!("{stats}")?,
        (Some(s), true) => {
            let both = serde_json::json!({ "trace": stats, "sacct": s });
            outln!("{}", serde_json::to_string_pretty(&both)?)?
        }
        (Some(s), false) => {
            out!("{stats}")?;
            out!("{}", inspect::sacct_text(s))?
        }
    }
    Ok(())
}
