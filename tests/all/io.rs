//! Output handling through the real binary: a closed or full standard output, I/O errors said
//! once, inputs of the wrong kind named as such, and outputs that would destroy an input.

use std::fs::File;
use std::process::{Command, ExitStatus, Stdio};

use crate::cli::{assert_none_failed, check_error, expect_error, schedsim, stderr, write, SMALL};

/// Runs `args` with a standard output whose reader is gone before the program writes: the
/// pipe's read end is dropped as soon as the child is spawned (it has not yet started).
fn with_closed_stdout(args: &[&str]) -> (ExitStatus, String) {
    let mut child = Command::new(crate::common::schedsim_bin())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    drop(child.stdout.take());
    let o = child.wait_with_output().expect("the binary ends");
    (o.status, String::from_utf8_lossy(&o.stderr).into_owned())
}

/// A trace, a run folder and a comparison folder made from it, and every command that prints
/// to standard output run on them: `run`, `inspect` (text and JSON), `compare`, `report`,
/// `policies` and `generate`.
fn printing_commands(dir: &std::path::Path) -> Vec<Vec<String>> {
    let trace = write(dir, "t.swf", SMALL);
    let trace = trace.to_str().unwrap().to_string();
    let made = dir.join("made");
    let o = schedsim(&["run", "--trace", &trace, "--no-report", "--out", made.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let at = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let cmds: [&[&str]; 7] = [
        &["policies"],
        &["inspect", "--json", &trace],
        &["inspect", &trace],
        &["run", "--trace", &trace, "--no-report", "--out", &at("r")],
        &["compare", "--trace", &trace, "--policies", "fcfs/easy,sjf/easy", "--no-report", "--out", &at("c")],
        &["report", made.to_str().unwrap()],
        &["generate"],
    ];
    cmds.iter().map(|c| c.iter().map(|a| a.to_string()).collect()).collect()
}

#[test]
fn a_closed_stdout_ends_quietly_with_success() {
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for args in printing_commands(tmp.path()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (status, err) = with_closed_stdout(&args);
        if err.contains("panicked") {
            failures.push(format!("{args:?} panicked: {}", err.lines().nth(1).unwrap_or("")));
        } else if !status.success() || !err.is_empty() {
            failures.push(format!("{args:?} did not end quietly: {status}: {err}"));
        }
    }
    assert_none_failed(&failures);
}

#[test]
fn a_full_stdout_is_a_one_line_error() {
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for args in printing_commands(tmp.path()) {
        let full = File::options().write(true).open("/dev/full").expect("/dev/full exists on Linux");
        let o = Command::new(crate::common::schedsim_bin())
            .args(&args)
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .expect("the binary runs");
        let err = stderr(&o);
        if err.contains("panicked") {
            failures.push(format!("{args:?} panicked: {}", err.lines().nth(1).unwrap_or("")));
        } else if o.status.success() {
            failures.push(format!("{args:?} succeeded on a full disk"));
        } else if err.trim_end().lines().count() != 1
            || !err.starts_with("error: writing to standard output: ")
            || err.matches("os error").count() != 1
        {
            failures.push(format!("{args:?}: not the one-line error: {err}"));
        }
    }
    assert_none_failed(&failures);
}

#[test]
fn an_os_error_is_said_once() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = write(tmp.path(), "t.swf", SMALL);
    let file = write(tmp.path(), "plain", "");
    let under_a_file = file.join("run");
    expect_error(
        &["run", "--trace", trace.to_str().unwrap(), "--no-report", "--out", under_a_file.to_str().unwrap()],
        &["Not a directory", "plain"],
    );
    // A run folder whose jobs.csv is a folder: report's reader fails on it.
    let run = tmp.path().join("r");
    let o = schedsim(&["run", "--trace", trace.to_str().unwrap(), "--no-report", "--out", run.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::remove_file(run.join("jobs.csv")).unwrap();
    std::fs::create_dir(run.join("jobs.csv")).unwrap();
    expect_error(&["report", run.to_str().unwrap()], &["jobs.csv"]);
}

/// A scenario replaying the trace at `{path}` (relative to the scenario's folder) on 8 cores.
const TRACE_SCENARIO: &str = r#"name = "replay"
[run]
length = "1d"

[[cluster.nodes]]
name = "n"
count = 1
cores = 8
memory = "64GB"

[[cluster.partitions]]
name = "all"
nodes = ["n"]

[[workload]]
kind = "trace"
partition = "all"
path = "{path}"
"#;

#[test]
fn a_folder_or_a_device_given_as_an_input_is_named_as_such() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("folder");
    std::fs::create_dir(&dir).unwrap();
    let d = dir.to_str().unwrap();
    let mut failures = Vec::new();
    for args in [&["run", "--trace", d][..], &["run", d], &["inspect", d], &["generate", d], &["sweep", d]] {
        failures.extend(check_error(args, &[d, ": is a directory, expected a file"]).err());
    }
    // A scenario's trace path used to be said not to exist.
    for (path, what) in [("folder", "is a directory, expected a file"), ("/dev/null", "is not a regular file")] {
        let sc = write(tmp.path(), "s.toml", &TRACE_SCENARIO.replace("{path}", path));
        let wanted = ["workload[0].path", &format!("{path} {what}")];
        failures.extend(check_error(&["run", sc.to_str().unwrap()], &wanted).err());
    }
    assert_none_failed(&failures);
}

#[test]
fn an_output_that_is_or_holds_an_input_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let sc = write(t, "s.toml", &TRACE_SCENARIO.replace("{path}", "t.swf"));
    let trace = write(t, "t.swf", SMALL);
    let (s, tr) = (sc.to_str().unwrap(), trace.to_str().unwrap());
    // A run folder holding the trace it replays (as a run's schedule.swf would be).
    let d = t.join("D");
    std::fs::create_dir(&d).unwrap();
    let input = write(&d, "schedule.swf", SMALL);
    let mut failures = Vec::new();
    // Each case starts from intact inputs, so that one overwritten by an earlier case (as a
    // build without the check does) does not make a later case fail for another reason.
    let mut check = |args: &[&str], needles: &[&str]| {
        write(t, "s.toml", &TRACE_SCENARIO.replace("{path}", "t.swf"));
        write(t, "t.swf", SMALL);
        write(&d, "schedule.swf", SMALL);
        failures.extend(check_error(args, needles).err());
    };

    // The scenario itself, and the trace it names.
    check(&["generate", s, "--out", s], &[&format!("{s}: would overwrite the input {s}")]);
    check(&["generate", s, "--out", tr], &[tr, "would overwrite the input"]);
    // The folder of the trace it replays, also through another spelling of its path; the
    // folder of the scenario.
    let d_other = t.join("D/../D/.");
    for out in [&d, &d_other] {
        let args = ["run", "--trace", input.to_str().unwrap(), "--out", out.to_str().unwrap()];
        check(&args, &["would overwrite the input", input.to_str().unwrap()]);
    }
    let ts = t.to_str().unwrap();
    check(&["run", s, "--out", ts], &["would overwrite the input"]);
    check(&["compare", s, "--out", ts], &["would overwrite the input"]);
    check(&["sweep", s, "--set", "run.seed=1,2", "--out", ts], &["would overwrite the input"]);
    assert_none_failed(&failures);
    assert_eq!(std::fs::read_to_string(&sc).unwrap(), TRACE_SCENARIO.replace("{path}", "t.swf"));
    assert_eq!(std::fs::read_to_string(&trace).unwrap(), SMALL);
    assert_eq!(std::fs::read_to_string(&input).unwrap(), SMALL);
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1, "nothing written beside the input");

    // Beside the inputs is fine.
    let o = schedsim(&["generate", s, "--out", t.join("new.swf").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Refused before anything is written, so the node stays a device. (Run as root, a build
/// without the check replaces the node with a regular file: try one only where `/dev` is a
/// throwaway, e.g. in a mount namespace with a tmpfs on `/dev`.)
#[test]
fn an_output_that_is_a_device_is_refused() {
    use std::os::unix::fs::FileTypeExt;
    let mut failures = Vec::new();
    for dev in ["/dev/null", "/dev/full"] {
        failures.extend(check_error(&["generate", "--out", dev], &[dev, "is not a regular file"]).err());
        if !std::fs::metadata(dev).unwrap().file_type().is_char_device() {
            failures.push(format!("{dev} was replaced by a regular file"));
        }
    }
    assert_none_failed(&failures);
}
