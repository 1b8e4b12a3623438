//! The command line: argument definitions (clap derive) and one file per subcommand, each
//! turning its arguments into a validated configuration and calling the library.

use clap::{Parser, Subcommand};

pub mod compare;
pub mod convert;
pub mod generate;
pub mod inspect;
pub mod merge;
pub mod out;
pub mod policies;
pub mod report;
pub mod run;
pub mod size_pool;
pub mod sweep;

/// Deterministic simulator of an HPC cluster's batch scheduler.
#[derive(Debug, Parser)]
#[command(name = "schedsim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a trace or the built-in default workload and write the results.
    Run(run::RunArgs),
    /// Run one workload under several policies, in parallel, and compare them.
    Compare(compare::CompareArgs),
    /// Describe what a trace (SWF or sacct) holds: jobs, machine size, time span, offered load.
    Inspect(inspect::InspectArgs),
    /// Write a scenario's jobs (all sources) as an SWF input trace, without simulating them.
    Generate(generate::GenerateArgs),
    /// Write a trace (SWF or an sacct export) as an SWF input trace: `convert FILE --to swf`.
    Convert(convert::ConvertArgs),
    /// List every queue order, backfill strategy and runtime estimate with its parameters.
    Policies,
    /// Rebuild the charts (SVG, PNG) and report.html of a run, comparison, sweep or pool sizing from its files.
    Report(report::ReportArgs),
    /// Run a scenario over a grid of values (--set, --move-nodes), each point replicated,
    /// with 95% confidence intervals; resumable, shardable, or as a Slurm job array.
    Sweep(sweep::SweepArgs),
    /// Merge the shard folders of a sweep into the folder the whole sweep would write.
    Merge(merge::MergeArgs),
    /// Find the smallest pool (nodes moved between groups) that meets targets with 95%
    /// confidence, and what each node costs batch work.
    SizePool(size_pool::SizePoolArgs),
}

/// Runs one parsed command. Errors are for the binary to print.
pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let done = match cli.command {
        Command::Run(a) => run::run(a),
        Command::Compare(a) => compare::compare_cmd(a),
        Command::Inspect(a) => inspect::inspect(a),
        Command::Generate(a) => generate::generate(a),
        Command::Convert(a) => convert::convert(a),
        Command::Policies => {
            out::out!("{}", policies::text())
        }
        Command::Report(a) => report::report(a),
        Command::Sweep(a) => sweep::sweep_cmd(a),
        Command::Merge(a) => merge::merge_cmd(a),
        Command::SizePool(a) => size_pool::size_pool_cmd(a),
    };
    done.and_then(|()| out::flush())
}
