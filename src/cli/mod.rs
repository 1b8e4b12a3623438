//! The command line: argument definitions (clap derive) and one file per subcommand, each
//! turning its arguments into a validated configuration and calling the library.

use clap::{Parser, Subcommand};

pub mod compare;
pub mod generate;
pub mod inspect;
pub mod policies;
pub mod report;
pub mod run;

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
    /// Describe what a trace holds: jobs, machine size, time span, offered load.
    Inspect(inspect::InspectArgs),
    /// Write a scenario's jobs (all sources) as an SWF input trace, without simulating them.
    Generate(generate::GenerateArgs),
    /// List every queue order, backfill strategy and runtime estimate with its parameters.
    Policies,
    /// Rebuild the charts (SVG, PNG) and report.html of a run, comparison, sweep or pool sizing from its files.
    Report(report::ReportArgs),
}

/// Runs one parsed command. Errors are for the binary to print.
pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(a) => run::run(a),
        Command::Compare(a) => compare::compare_cmd(a),
        Command::Inspect(a) => inspect::inspect(a),
        Command::Generate(a) => generate::generate(a),
        Command::Policies => {
            print!("{}", policies::text());
            Ok(())
        }
        Command::Report(a) => report::report(a),
    }
}
