//! The `schedsim` command: parses arguments, runs the subcommand (one file each in `cli/`),
//! and turns errors into a one-line message on standard error and a non-zero exit. The
//! library returns typed errors; only this binary wraps them with `anyhow`. A closed standard
//! output (`schedsim inspect T | head -1`) ends the program quietly with exit 0, as Unix
//! tools do: the reader has all it wanted.

use std::io;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;

mod cli;

use cli::Cli;

fn main() -> ExitCode {
    let args = match Cli::try_parse() {
        Ok(a) => a,
        Err(e) => return argument_error(e),
    };
    match cli::dispatch(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether `e` came from writing to a pipe whose reader has gone (Rust ignores SIGPIPE, so
/// the write fails with `EPIPE` instead of ending the process).
fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe))
}

/// Help and version go to standard output as clap writes them; a bad argument is one line,
/// `error: ...` and a pointer to `--help` (clap's own message spans several).
fn argument_error(e: clap::Error) -> ExitCode {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    // The message runs up to the usage block or the tip; some put their subject on the next
    // line ("the following required arguments were not provided:\n  --out <DIR>").
    let text = e.render().to_string();
    let message: Vec<&str> = text
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information") && !l.starts_with("tip:"))
        .filter(|l| !l.is_empty())
        .collect();
    let message = message.join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    eprintln!("error: {message} (see schedsim --help)");
    ExitCode::from(2)
}
