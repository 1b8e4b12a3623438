//! Property tests over hostile input for the three readers a user feeds: the SWF reader, the
//! scenario loader and `report`'s run-folder reader. Each mutates a valid input (a field
//! replaced by hostile text, the file cut at any byte, bytes inserted) and checks the reader
//! returns (an error or a value, never a panic) and that an error is one line of bounded
//! length. Cases are few enough to keep `cargo test` quick.

use std::fs;
use std::path::Path;

use proptest::prelude::*;

use crate::fixture::{write_fixture_run, FixtureSpec};
use schedsim::report::rundata::load_run;
use schedsim::scenario::{parse, DEFAULT_SCENARIO};
use schedsim::workload::swf::parse_swf;

use crate::cli::SMALL;

/// What a careless or hostile user writes in place of a value.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        "[-+0-9.eE]{0,24}",
        "\\PC{0,12}",
        Just("9".repeat(5_000)),
        Just("9007199254740993".into()),
        Just("9.0000001e12".into()),
        Just("-0".into()),
        Just("NaN".into()),
        Just("1e400".into()),
        Just("\u{0}".into()),
        Just("\"\"".into()),
        Just("[]".into()),
        Just("{ dist = \"nope\" }".into()),
    ]
}

/// A mutation of `text`: line `at` (modulo the line count) with its word `word` replaced, or
/// the text cut at byte `at`, or `junk` inserted there.
fn mutate(text: &str, kind: u8, at: usize, word: usize, junk: &str) -> String {
    match kind % 3 {
        0 => {
            let lines: Vec<&str> = text.lines().collect();
            let n = at % lines.len();
            let out: Vec<String> = lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    if i != n {
                        return l.to_string();
                    }
                    let mut words: Vec<&str> = l.split(' ').collect();
                    let w = word % words.len();
                    words[w] = junk;
                    words.join(" ")
                })
                .collect();
            out.join("\n") + "\n"
        }
        1 => {
            let cut = (0..=at % (text.len() + 1)).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            text[..cut].to_string()
        }
        _ => {
            let at = (0..=at % (text.len() + 1)).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            format!("{}{junk}{}", &text[..at], &text[at..])
        }
    }
}

fn one_short_line(e: &dyn std::fmt::Display) -> Result<(), TestCaseError> {
    let m = e.to_string();
    prop_assert!(!m.contains('\n'), "not one line: {m:?}");
    prop_assert!(m.len() < 1_500, "{} bytes: {}", m.len(), m.chars().take(200).collect::<String>());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_swf_reader_never_panics_and_errs_in_one_short_line(
        kind in any::<u8>(), at in any::<usize>(), word in any::<usize>(), junk in hostile()
    ) {
        let text = mutate(SMALL, kind, at, word, &junk);
        if let Err(e) = parse_swf(text.as_bytes(), Path::new("t.swf")) {
            one_short_line(&e)?;
        }
    }

    #[test]
    fn the_scenario_loader_never_panics_and_errs_in_one_short_line(
        kind in any::<u8>(), at in any::<usize>(), word in any::<usize>(), junk in hostile()
    ) {
        let text = mutate(DEFAULT_SCENARIO, kind, at, word, &junk);
        if let Err(e) = parse(&text, Path::new("s.toml")) {
            one_short_line(&e)?;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_run_folder_reader_never_panics_and_errs_in_one_short_line(
        file in 0usize..3, kind in any::<u8>(), at in any::<usize>(), word in any::<usize>(), junk in hostile()
    ) {
        let tmp = tempfile::tempdir().unwrap();
        write_fixture_run(tmp.path(), &FixtureSpec { jobs: 40, ..FixtureSpec::default() }).unwrap();
        let name = ["jobs.csv", "timeseries.csv", "summary.json"][file];
        let path = tmp.path().join(name);
        let text = fs::read_to_string(&path).unwrap();
        // CSV fields are separated by commas, not spaces: mutate those words.
        let mutated = mutate(&text.replace(',', " "), kind, at, word, &junk).replace(' ', ",");
        let mutated = if name == "summary.json" { mutate(&text, kind, at, word, &junk) } else { mutated };
        fs::write(&path, mutated).unwrap();
        if let Err(e) = load_run(tmp.path()) {
            one_short_line(&e)?;
        }
    }
}
