//! Echoes of what the user wrote, inside error messages: cut to a bounded length, so that a
//! five-million-digit field gives a one-line message of readable size.

/// The most characters of a value an error message repeats.
pub const ECHO_CHARS: usize = 60;

/// The most characters of a whole message that quotes what the user wrote (a TOML parser's
/// message, which repeats the offending text).
pub const MESSAGE_CHARS: usize = 400;

/// `text`, or its first [`ECHO_CHARS`] characters followed by `…` and how long it was.
pub fn echo(text: &str) -> String {
    cut(text, ECHO_CHARS)
}

/// `text`, or its first `max` characters followed by `…` and how long it was.
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((at, _)) => format!("{}… ({} characters)", &text[..at], text.chars().count()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_and_short_ones_kept() {
        assert_eq!(echo("12x"), "12x");
        let long = "9".repeat(5_000_000);
        let e = echo(&long);
        assert!(e.starts_with(&"9".repeat(ECHO_CHARS)) && e.ends_with("… (5000000 characters)"), "{e}");
        assert_eq!(echo(&"é".repeat(61)).chars().filter(|&c| c == 'é').count(), ECHO_CHARS);
    }
}
