//! Progress bars for long runs: drawn on standard error when it is a terminal, hidden
//! otherwise (in CI logs, pipes and tests), so callers can use them unconditionally.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of `len` steps labelled `what`, drawing to standard error only when it is a
/// terminal; otherwise a hidden bar on which every call is a no-op.
pub fn bar(len: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
        bar.set_message(what.to_string());
        return bar;
    }
    let style = ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({elapsed}, eta {eta})")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr()).with_style(style);
    bar.set_message(what.to_string());
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_counts_steps_whether_drawn_or_hidden() {
        let b = bar(3, "test");
        b.inc(2);
        assert_eq!(b.position(), 2);
        assert_eq!(b.length(), Some(3));
        assert_eq!(b.message(), "test");
        b.finish_and_clear();
    }
}
