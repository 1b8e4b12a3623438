//! Output handling through the real binary: a closed or full standard output, I/O errors said
//! once, inputs of the wrong kind named as such, and outputs that would destroy an input.

use std::fs::File;
use std::process::{Command, ExitStatus, Stdio};

use crate::cli::{expect_error, schedsim, stderr, write, SMALL};

/// Runs `args` with a standard output whose reader is gone before the program writes: the
/// pipe's read end is dropped as soon as the child is spawned (it has not yet started).
fn with_closed_stdout(args: &[&str]) -> (ExitStatus, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_schedsim"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    drop(child.stdout.take());
    let o = child.wait_with_output().expect("the binary ends");
    (o.status, String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn a_closed_stdout_ends_quietly_with_success() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = write(tmp.path(), "t.swf", SMALL);
    let trace = trace.to_str().unwrap();
    for args in [&["policies"][..], &["inspect", "--json", trace], &["inspect", trace]] {
        let (status, err) = with_closed_stdout(args);
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        assert!(status.success(), "{args:?}: {status}: {err}");
        assert_eq!(err, "", "{args:?} should end quietly");
    }
}

#[test]
fn a_full_stdout_is_a_one_line_error() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = write(tmp.path(), "t.swf", SMALL);
    let trace = trace.to_str().unwrap();
    let out = tmp.path().join("r");
    let run = ["run", "--trace", trace, "--no-report", "--out", out.to_str().unwrap()];
    for args in [&["policies"][..], &["inspect", "--json", trace], &["inspect", trace], &run, &["generate"]] {
        let full = File::options().write(true).open("/dev/full").expect("/dev/full exists on Linux");
        let o = Command::new(env!("CARGO_BIN_EXE_schedsim"))
            .args(args)
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .expect("the binary runs");
        let err = stderr(&o);
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        assert!(!o.status.success(), "{args:?} succeeded on a full disk");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: not one line: {err}");
        assert!(err.starts_with("error: writing to standard output: "), "{args:?}: {err}");
        assert_eq!(err.matches("os error").count(), 1, "{args:?}: {err}");
    }
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
    for args in [&["run", "--trace", d][..], &["run", d], &["inspect", d], &["generate", d], &["sweep", d]] {
        expect_error(args, &[d, ": is a directory, expected a file"]);
    }
    for (path, what) in [("folder", "is a directory, expected a file"), ("/dev/null", "is not a regular file")] {
        let sc = write(tmp.path(), "s.toml", &TRACE_SCENARIO.replace("{path}", path));
        expect_error(&["run", sc.to_str().unwrap()], &["workload[0].path", &format!("{path} {what}")]);
    }
}
