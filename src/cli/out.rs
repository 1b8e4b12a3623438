//! Standard output of the subcommands: writes that return their error, where `print!` would
//! panic on a closed pipe or a full disk, so that `main` can end quietly or say what failed.

use std::fmt;
use std::io::{self, Write};

use anyhow::Context;

/// The context of every standard-output error (`generate` streams its trace with it too).
pub const WHAT: &str = "writing to standard output";

/// Writes `args` to standard output (line-buffered, so a line goes out, or fails, at its end).
pub fn write(args: fmt::Arguments) -> anyhow::Result<()> {
    io::stdout().lock().write_fmt(args).context(WHAT)
}

/// Sends what a `print!` without a final newline left in the buffer; an error there would
/// otherwise be lost when the process exits.
pub fn flush() -> anyhow::Result<()> {
    io::stdout().flush().context(WHAT)
}

/// `print!` that returns an `anyhow::Result` instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::out::write(format_args!($($arg)*))
    };
}

/// `println!` that returns an `anyhow::Result` instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::out::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {out, outln};
