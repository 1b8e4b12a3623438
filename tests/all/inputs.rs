//! Inputs that used to be taken as written, through the real binary: policy strings spelled
//! with spaces or empty brackets, empty and repeated items in --policies, a named pipe, and a
//! file with no line breaks, plain or gzipped.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::cli::{assert_none_failed, check_error, expect_error, schedsim, stderr, write, SMALL};

#[test]
fn policy_strings_are_spelled_one_way_and_repeats_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = write(tmp.path(), "t.swf", SMALL);
    let trace = trace.to_str().unwrap();
    let out = tmp.path().join("r");
    let mut failures = Vec::new();
    let args = ["run", "--trace", trace, "--order", " fcfs", "--backfill", "easy[]", "--no-report", "--out"];
    let o = schedsim(&[&args[..], &[out.to_str().unwrap()]].concat());
    let text = String::from_utf8_lossy(&o.stdout);
    if !o.status.success() || !text.contains("under fcfs/easy\n") {
        failures.push(format!("\" fcfs\" and \"easy[]\" not read as fcfs/easy: {text}{}", stderr(&o)));
    } else {
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        if json["run"]["policy"] != "fcfs/easy" {
            failures.push(format!("summary.json names the policy {}", json["run"]["policy"]));
        }
    }
    failures.extend(
        check_error(
            &["compare", "--trace", trace, "--policies", "fcfs/easy,,sjf/easy"],
            &["--policies", "item 2 is empty"],
        )
        .err(),
    );
    failures.extend(
        check_error(
            &["compare", "--trace", trace, "--policies", "fcfs/easy,fcfs[]/easy"],
            &["\"fcfs[]/easy\" is listed twice: it is fcfs/easy again"],
        )
        .err(),
    );
    assert_none_failed(&failures);
}

#[test]
fn a_named_pipe_says_what_it_awaits_and_is_read_once_written() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("trace.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    // Standard error goes to a file, which can be read while the program waits on the pipe
    // (reading a pipe would wait for ever on a program that says nothing).
    let said = tmp.path().join("stderr");
    let child = Command::new(crate::common::schedsim_bin())
        .args(["inspect", fifo.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&said).unwrap())
        .spawn()
        .unwrap();
    // Opening the write end returns once the program has opened the read end: whatever it
    // said before waiting is in the file by then.
    let mut writer = std::fs::File::options().write(true).open(&fifo).unwrap();
    let before = std::fs::read_to_string(&said).unwrap();
    writer.write_all(SMALL.as_bytes()).unwrap();
    drop(writer);
    let o = child.wait_with_output().unwrap();
    assert!(before.contains("trace.fifo (a pipe): waiting for its writer"), "said before waiting: {before:?}");
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains('4'), "the trace was read");
}

#[test]
fn a_file_without_line_breaks_is_refused_at_the_line_cap() {
    // /dev/zero is an endless line of zero bytes.
    expect_error(&["inspect", "/dev/zero"], &["/dev/zero:1: line longer than 1048576 bytes"]);
}

#[test]
fn a_gzip_holding_one_huge_line_is_refused_at_the_line_cap() {
    // 64 MiB of one line inflate from a few kilobytes: the cap holds on what comes out of the
    // decoder, not on the file's size.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("huge.swf.gz");
    let file = std::fs::File::create(&path).unwrap();
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    gz.write_all(b"; Version: 2.2\n").unwrap();
    let block = vec![b'1'; 1 << 20];
    for _ in 0..64 {
        gz.write_all(&block).unwrap();
    }
    gz.finish().unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 1 << 20, "the file itself is small");
    expect_error(&["inspect", path.to_str().unwrap()], &["huge.swf.gz:2: line longer than 1048576 bytes"]);
}
