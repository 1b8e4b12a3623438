//! Error messages as the README promises them, through the real binary: clap's errors in one
//! self-sufficient line, and scenario type errors that say what to write rather than naming
//! the program's own types.

use crate::cli::{assert_none_failed, check_error, write};

#[test]
fn command_line_errors_are_one_line_pointing_to_help() {
    let mut failures = Vec::new();
    for (args, said) in [
        (&["run", "--bogus"][..], "unexpected argument '--bogus'"),
        (&["run", "--order"], "a value is required for '--order <ORDER>'"),
        (&["compare", "--threads", "x"], "invalid value 'x' for '--threads <THREADS>'"),
        (&["frobnicate"], "unrecognized subcommand 'frobnicate'"),
    ] {
        failures.extend(check_error(args, &[said, "--help"]).err());
    }
    assert_none_failed(&failures);
}

const RATE: &str = "{ peak = 20.0, base = 20.0, peak_hours = [9, 18], weekend = 1.0 }";
const WALLTIME: &str = "{ dist = \"constant\", value = \"1h\" }";

/// The sessions scenario of the bounds tests, its `rate` and `walltime` given as `rate` and
/// `walltime`.
fn scenario(rate: &str, walltime: &str) -> String {
    let base = crate::bounds::sessions("1d", "5m", "10m");
    assert!(base.contains(RATE) && base.contains(WALLTIME), "the sessions scenario changed");
    base.replacen(&format!("rate = {RATE}"), &format!("rate = {rate}"), 1).replacen(
        &format!("walltime = {WALLTIME}"),
        &format!("walltime = {walltime}"),
        1,
    )
}

#[test]
fn a_value_of_the_wrong_type_is_told_what_to_write_not_a_type_name() {
    let tmp = tempfile::tempdir().unwrap();
    let (rate, walltime) = (RATE, WALLTIME);
    let mut failures = Vec::new();
    for (key, rate, walltime, wanted) in [
        ("workload[0].rate", "5", walltime, "expected a table"),
        ("workload[0].walltime", rate, "\"1h\"", "expected a table"),
        ("workload[0].rate.peak", &rate.replacen("20.0,", "\"x\",", 1)[..], walltime, "expected a number"),
    ] {
        let text = scenario(rate, walltime);
        let sc = write(tmp.path(), "s.toml", &text);
        let out = tmp.path().join("r");
        let args = ["run", sc.to_str().unwrap(), "--no-report", "--out", out.to_str().unwrap()];
        let o = crate::cli::schedsim(&args);
        let err = crate::cli::stderr(&o);
        // The program's own names: a struct, an enum, a Rust number type.
        for internal in ["struct", "enum", "f64", "u32", "RateProfile", "DurationDist"] {
            if err.contains(internal) {
                failures.push(format!("{key}: {internal:?} in {err:?}"));
            }
        }
        failures.extend(check_error(&args, &[key, wanted]).err());
    }
    assert_none_failed(&failures);
}

/// The choices an error lists are those of the key at fault: a distribution's name lists the
/// distributions, and only a key of the source's own table lists the source's common keys.
#[test]
fn an_unknown_name_lists_only_what_may_be_written_there() {
    let tmp = tempfile::tempdir().unwrap();
    let (rate, walltime) = (RATE, WALLTIME);
    let out = tmp.path().join("r");
    let mut failures = Vec::new();
    for (what, text, wanted, unwanted) in [
        (
            "a distribution",
            scenario(rate, &walltime.replace("constant", "nope")),
            "workload[0].walltime.dist: unknown value \"nope\" (expected one of constant, ",
            Some("partition"),
        ),
        (
            "a key of the source",
            scenario(rate, walltime).replace("users = 10", "userz = 10"),
            "workload[0].userz: unknown key `userz` (expected one of kind, partition, class, qos, ",
            None,
        ),
    ] {
        let sc = write(tmp.path(), "s.toml", &text);
        let args = ["run", sc.to_str().unwrap(), "--no-report", "--out", out.to_str().unwrap()];
        failures.extend(check_error(&args, &[wanted]).err().map(|e| format!("{what}: {e}")));
        let err = crate::cli::stderr(&crate::cli::schedsim(&args));
        if let Some(u) = unwanted.filter(|u| err.contains(u)) {
            failures.push(format!("{what}: {u:?} listed in {err:?}"));
        }
    }
    assert_none_failed(&failures);
}
