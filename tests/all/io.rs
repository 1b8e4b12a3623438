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

#[test]
fn an_output_that_would_destroy_an_input_or_a_device_is_refused() {
    use std::os::unix::fs::FileTypeExt;
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let sc = write(t, "s.toml", &TRACE_SCENARIO.replace("{path}", "t.swf"));
    let trace = write(t, "t.swf", SMALL);
    let (s, tr) = (sc.to_str().unwrap(), trace.to_str().unwrap());

    // The scenario itself, and the trace it names.
    expect_error(&["generate", s, "--out", s], &[&format!("{s}: would overwrite the input {s}")]);
    expect_error(&["generate", s, "--out", tr], &[tr, "would overwrite the input"]);
    // A run folder holding the trace it replays (as a run's schedule.swf would be), or the
    // scenario; a folder given through another spelling of the same path.
    let d = t.join("D");
    std::fs::create_dir(&d).unwrap();
    let input = write(&d, "schedule.swf", SMALL);
    let d_other = t.join("D/../D/.");
    for out in [&d, &d_other] {
        let args = ["run", "--trace", input.to_str().unwrap(), "--out", out.to_str().unwrap()];
        expect_error(&args, &["would overwrite the input", input.to_str().unwrap()]);
    }
    expect_error(&["run", s, "--out", t.to_str().unwrap()], &["would overwrite the input"]);
    expect_error(&["compare", s, "--out", t.to_str().unwrap()], &["would overwrite the input"]);
    expect_error(&["sweep", s, "--set", "run.seed=1,2", "--out", t.to_str().unwrap()], &["would overwrite the input"]);
    assert_eq!(std::fs::read_to_string(&sc).unwrap(), TRACE_SCENARIO.replace("{path}", "t.swf"));
    assert_eq!(std::fs::read_to_string(&trace).unwrap(), SMALL);
    assert_eq!(std::fs::read_to_string(&input).unwrap(), SMALL);
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1, "nothing written beside the input");

    // A device: refused before anything is written, so the node stays a device.
    for dev in ["/dev/null", "/dev/full"] {
        expect_error(&["generate", "--out", dev], &[dev, "is not a regular file"]);
        assert!(std::fs::metadata(dev).unwrap().file_type().is_char_device(), "{dev} replaced");
    }

    // Beside the inputs is fine.
    let o = schedsim(&["generate", s, "--out", t.join("new.swf").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}
