//! `schedsim inspect FILE`: what a trace holds, without simulating it.

use std::path::PathBuf;

use clap::Args;

use super::out::{out, outln};
use schedsim::workload::{inspect, swf};

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// SWF trace (`.swf` or `.swf.gz`).
    pub file: PathBuf,
    /// Machine size to measure the trace against, instead of its MaxProcs header.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub procs: Option<u32>,
    /// Print the figures as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn inspect(args: InspectArgs) -> anyhow::Result<()> {
    super::run::say_what_is_awaited(&args.file);
    let w = swf::read_swf(&args.file)?;
    let stats = inspect::inspect(&w, args.procs);
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&stats)?)?;
    } else {
        out!("{stats}")?;
    }
    Ok(())
}
