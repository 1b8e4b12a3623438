//! The `schedsim` command: parses arguments, runs the subcommand (one file each in `cli/`),
//! and turns errors into a one-line message on standard error and a non-zero exit. The
//! library returns typed errors; only this binary wraps them with `anyhow`.

use std::process::ExitCode;

use clap::Parser;

mod cli;

use cli::Cli;

fn main() -> ExitCode {
    let args = Cli::parse();
    match cli::dispatch(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
