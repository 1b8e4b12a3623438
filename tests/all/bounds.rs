//! Huge-but-valid and silently-accepted input through the real binary: bounded time series,
//! patience timers that do not extend a run, machine-size limits, and values that used to pass
//! unnoticed (repeated or rounded job numbers, a time past the stated limit, a request that
//! rounds to nothing, zero node memory, unusable names, long echoes).

use std::fs;

use crate::cli::{assert_none_failed, check_error, expect_error, schedsim, stderr, write};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `timeseries.csv`'s sample times and `summary.json`'s sample interval, in seconds.
fn series(dir: &std::path::Path) -> (Vec<f64>, f64) {
    let text = fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    let times = text.lines().skip(1).map(|l| l.split(',').next().unwrap().parse::<f64>().unwrap()).collect();
    let json: serde_json::Value = serde_json::from_slice(&fs::read(dir.join("summary.json")).unwrap()).unwrap();
    (times, json["run"]["sample_interval"].as_f64().unwrap())
}

const LINE: &str = " -1 -1 4 100 -1 1 1 1 -1 1 -1 -1 -1\n";

#[test]
fn a_time_series_stays_under_20000_rows_by_coarsening_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    // A job submitted at 8e12 s, and one running 1e12 s.
    let far = format!("1 0 -1 100 4{LINE}2 8000000000000 -1 50 4{LINE}");
    let long = "1 0 -1 1000000000000 4 -1 -1 4 1000000000000 -1 1 1 1 -1 1 -1 -1 -1\n".to_string();
    for (name, text) in [("far", far), ("long", long)] {
        let trace = write(tmp.path(), &format!("{name}.swf"), &format!("; MaxProcs: 8\n{text}"));
        let out = tmp.path().join(name);
        let o = schedsim(&["run", "--trace", trace.to_str().unwrap(), "--no-report", "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let (times, interval) = series(&out);
        assert!(times.len() < 20_000, "{name}: {} rows", times.len());
        assert!(interval > 86_400.0, "{name}: interval {interval}");
        assert!(times.windows(2).all(|w| w[1] - w[0] == interval), "{name}: uneven");
        assert!(stdout(&o).contains("note: time series sampled every"), "{name}: {}", stdout(&o));
    }
}

/// One interactive partition of 2 nodes, sessions every few minutes, sampled every `{every}`
/// over `{length}`, with a patience of `{patience}`.
const SESSIONS: &str = r#"name = "sessions"
[run]
length = "{length}"
sample_every = "{every}"

[[cluster.nodes]]
name = "n"
count = 2
cores = 8
memory = "64GB"

[[cluster.partitions]]
name = "inter"
nodes = ["n"]

[[workload]]
kind = "interactive"
partition = "inter"
users = 10
rate = { peak = 20.0, base = 20.0, peak_hours = [9, 18], weekend = 1.0 }
cores = 8
walltime = { dist = "constant", value = "1h" }
duration = { dist = "constant", value = "30m" }
patience = { dist = "constant", value = "{patience}" }
"#;

pub(crate) fn sessions(length: &str, every: &str, patience: &str) -> String {
    SESSIONS.replace("{length}", length).replace("{every}", every).replace("{patience}", patience)
}

#[test]
fn patience_timers_of_started_sessions_do_not_extend_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = write(tmp.path(), "s.toml", &sessions("1w", "5m", "1000000w"));
    let out = tmp.path().join("r");
    let o = schedsim(&["run", sc.to_str().unwrap(), "--no-report", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (times, interval) = series(&out);
    assert_eq!(interval, 300.0, "the interval asked for, not a coarsened one");
    let jobs = fs::read_to_string(out.join("jobs.csv")).unwrap();
    let end_col = jobs.lines().next().unwrap().split(',').position(|c| c == "end").unwrap();
    let last_end = jobs
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(end_col).and_then(|v| v.parse::<f64>().ok()))
        .fold(0.0, f64::max);
    let last_sample = *times.last().unwrap();
    assert!(last_sample <= last_end + 300.0, "sampled until {last_sample} s, the last job ended at {last_end} s");
}

#[test]
fn fine_sampling_over_a_long_run_is_coarsened() {
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (length, every) in [("1w", "1ms"), ("52w", "1s")] {
        let sc = write(tmp.path(), "s.toml", &sessions(length, every, "10m"));
        let out = tmp.path().join(format!("r-{every}"));
        let o = schedsim(&["run", sc.to_str().unwrap(), "--no-report", "--out", out.to_str().unwrap()]);
        if !o.status.success() {
            failures.push(format!("{every} over {length}: {}", stderr(&o).lines().next().unwrap_or("")));
            continue;
        }
        let (times, _) = series(&out);
        if times.is_empty() || times.len() >= 20_000 {
            failures.push(format!("{every} over {length}: {} rows", times.len()));
        }
    }
    assert_none_failed(&failures);
}

#[test]
fn machine_sizes_past_the_documented_limits_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = write(tmp.path(), "t.swf", &format!("; MaxProcs: 8\n1 0 -1 100 4{LINE}"));
    let mut failures = Vec::new();
    failures.extend(
        check_error(
            &["run", "--trace", trace.to_str().unwrap(), "--nodes", "100000000", "--cores-per-node", "1"],
            &["--nodes", "100000000"],
        )
        .err(),
    );
    let text = sessions("1d", "5m", "10m") + "\n[login]\nnodes = 1000000\ncores = 4\n\n[login.processes]\nusers = 1\nrate = { peak = 1.0, base = 1.0, peak_hours = [9, 18], weekend = 1.0 }\ncpu_demand = { dist = \"constant\", value = \"1s\" }\n";
    let sc = write(tmp.path(), "login.toml", &text);
    let wanted = ["login.nodes", "from 1 to 10000 login nodes", "1000000"];
    failures.extend(check_error(&["run", sc.to_str().unwrap()], &wanted).err());
    assert_none_failed(&failures);
}

/// Runs the trace `body` (after a `MaxProcs: 8` header) into a fresh folder: the output and
/// the folder.
fn run_trace(tmp: &std::path::Path, name: &str, body: &str) -> (std::process::Output, std::path::PathBuf) {
    let trace = write(tmp, name, &format!("; MaxProcs: 8\n{body}"));
    let out = tmp.join(format!("r-{name}"));
    (schedsim(&["run", "--trace", trace.to_str().unwrap(), "--no-report", "--out", out.to_str().unwrap()]), out)
}

#[test]
fn job_numbers_past_2_53_stay_distinct_and_repeats_are_counted_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (o, out) = run_trace(
        tmp.path(),
        "big.swf",
        &format!("9007199254740993 0 -1 100 4{LINE}9007199254740992 0 -1 100 4{LINE}"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let jobs = fs::read_to_string(out.join("jobs.csv")).unwrap();
    assert!(jobs.contains("9007199254740993,") && jobs.contains("9007199254740992,"), "{jobs}");
    let job = |id: u32| format!("{id} 0 -1 100 4{LINE}");
    let (o, _) = run_trace(tmp.path(), "rep.swf", &[4, 4, 6, 6, 6].map(job).concat());
    assert!(stdout(&o).contains("3 jobs repeat the number of an earlier job (lowest: 4, 6)"), "{}", stdout(&o));
}

#[test]
fn a_time_just_past_the_stated_limit_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let far = write(tmp.path(), "far.swf", &format!("; MaxProcs: 8\n1 9.0000001e12 -1 100 4{LINE}"));
    expect_error(&["run", "--trace", far.to_str().unwrap()], &["field 2 (submit time)", "below 9e12 seconds"]);
}

#[test]
fn a_requested_time_that_rounds_to_nothing_is_raised_to_1_ms_and_said() {
    let tmp = tempfile::tempdir().unwrap();
    // A job running 1 ms that asks for 0.4 ms: asked 0 ms, it would be killed at once.
    let (o, _) = run_trace(tmp.path(), "tiny.swf", "1 0 -1 0.001 4 -1 -1 4 0.0004 -1 1 1 1 -1 1 -1 -1 -1\n");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("completed 1"), "killed at a 0 s walltime: {}", stdout(&o));
    assert!(stdout(&o).contains("raised to 1 ms"), "{}", stdout(&o));
}

#[test]
fn a_huge_field_is_echoed_cut() {
    // A half-million-digit field (a longer line meets the line cap).
    let tmp = tempfile::tempdir().unwrap();
    let huge = write(tmp.path(), "huge.swf", &format!("; MaxProcs: 8\n1 0 -1 {} 4{LINE}", "9".repeat(500_000)));
    let o = schedsim(&["run", "--trace", huge.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(!o.status.success(), "accepted");
    assert!(
        err.len() < 500 && err.contains("… (500000 characters)"),
        "{} bytes: {}",
        err.len(),
        &err[..200.min(err.len())]
    );
}

#[test]
fn scenario_values_that_used_to_pass_are_refused_with_their_line() {
    // Node memory below 1MB, names with a NUL, a newline or 300 characters.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let base = sessions("1d", "5m", "10m");
    let mut failures = Vec::new();
    for (what, from, to, needle) in [
        ("0GB", "memory = \"64GB\"", "memory = \"0GB\"", "cluster.nodes[0].memory"),
        ("1KB", "memory = \"64GB\"", "memory = \"1KB\"", "at least 1MB per node"),
        ("NUL", "name = \"sessions\"", "name = \"a\\u0000b\"", "control characters"),
        ("newline", "name = \"sessions\"", "name = \"a\\nb\"", "control characters"),
        ("300 characters", "name = \"sessions\"", &format!("name = \"{}\"", "x".repeat(300)), "at most 100 characters"),
    ] {
        let sc = write(tmp.path(), "bad.toml", &base.replacen(from, to, 1));
        let args = ["run", sc.to_str().unwrap(), "--no-report", "--out", out.to_str().unwrap()];
        failures.extend(check_error(&args, &[needle, "bad.toml:"]).err().map(|e| format!("{what}: {e}")));
    }
    assert_none_failed(&failures);
}
