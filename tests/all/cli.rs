//! The command line, through the real binary: outputs, determinism, and bad input turned
//! into one-line errors with a non-zero exit, never a panic.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{shared_dir, tree};

pub(crate) fn schedsim(args: &[&str]) -> Output {
    Command::new(crate::common::schedsim_bin()).args(args).output().expect("the binary runs")
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A small SWF trace: 4 jobs on 8 processors, the last wider than the machine.
pub(crate) const SMALL: &str = "; MaxProcs: 8\n\
1 0 -1 100 4 -1 -1 4 100 -1 1 1 1 -1 1 -1 -1 -1\n\
2 10 -1 50 8 -1 -1 8 60 -1 1 2 1 -1 1 -1 -1 -1\n\
3 20 -1 30 2 -1 -1 2 40 -1 1 1 1 -1 1 -1 -1 -1\n\
4 30 -1 10 16 -1 -1 16 20 -1 1 3 1 -1 1 -1 -1 -1\n";

pub(crate) fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

/// Runs `args` and expects a failure whose one-line message contains every `needle`.
pub(crate) fn expect_error(args: &[&str], needles: &[&str]) {
    if let Err(e) = check_error(args, needles) {
        panic!("{e}");
    }
}

/// [`expect_error`] as a value, for tests that try several cases and report every one that
/// fails rather than only the first.
pub(crate) fn check_error(args: &[&str], needles: &[&str]) -> Result<(), String> {
    let o = schedsim(args);
    let err = stderr(&o);
    if o.status.success() {
        return Err(format!("{args:?} succeeded"));
    }
    if err.contains("panicked") {
        return Err(format!("{args:?} panicked: {err}"));
    }
    if err.trim_end().lines().count() != 1 {
        return Err(format!("{args:?}: not one line: {err}"));
    }
    if err.matches("os error").count() > 1 {
        return Err(format!("{args:?}: the OS error said twice: {err}"));
    }
    match needles.iter().find(|n| !err.contains(*n)) {
        Some(n) => Err(format!("{args:?}: {n:?} missing from {err:?}")),
        None => Ok(()),
    }
}

/// Panics listing every failure of a test that tried several cases, if there is one.
pub(crate) fn assert_none_failed(failures: &[String]) {
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn run_writes_the_three_files_and_reports_rejections() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = write(tmp.path(), "small.swf", SMALL);
    let out = tmp.path().join("run");
    let o = schedsim(&["run", "--trace", trace.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("rejected 1: larger than its partition"), "{}", stdout(&o));

    let csv = fs::read_to_string(out.join("jobs.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "job_id,class,user,partition,submit,start,end,wait,runtime,requested_time,procs,nodes,node_list,outcome,preemptions,bsld"
    );
    assert_eq!(lines.len(), 5);
    // EASY: job 2 (the whole machine) waits for job 1 until 100; job 3 (2 cores, asks 40 s)
    // would end by 60, before job 2's shadow time, so it is backfilled at 20. Job 4 asks for
    // 16 of 8 cores and is rejected.
    assert_eq!(lines[1], "1,batch,1,all,0,0,100,0,100,100,4,1,0,completed,0,1");
    assert_eq!(lines[2], "2,batch,2,all,10,100,150,90,50,60,8,1,0,completed,0,2.8");
    assert_eq!(lines[3], "3,batch,1,all,20,20,50,0,30,40,2,1,0,completed,0,1");
    assert_eq!(lines[4], "4,batch,3,all,30,,,,,20,16,,,rejected,0,");

    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["jobs"], 4);
    assert_eq!(summary["rejected"], 1);
    assert_eq!(summary["max_wait"], 90.0);
    assert_eq!(summary["makespan"], 150.0);

    let swf = fs::read_to_string(out.join("schedule.swf")).unwrap();
    let job2 = swf.lines().map(str::trim_start).find(|l| l.starts_with("2 ")).expect("job 2 in schedule.swf");
    let f: Vec<&str> = job2.split_whitespace().collect();
    assert_eq!((f.len(), f[2], f[3]), (18, "90", "50"), "{job2}");
}

/// The case of `reference::semantics_differ_when_two_jobs_end_early_in_the_same_second` as a
/// trace: job 4 is backfilled at 50 only under pyss semantics.
#[test]
fn semantics_chooses_how_an_instant_is_ordered() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = write(
        tmp.path(),
        "two-ends.swf",
        "; MaxProcs: 10\n\
1 0 -1 50 5 -1 -1 5 100 -1 1 1 1 -1 1 -1 -1 -1\n\
2 0 -1 50 5 -1 -1 5 100 -1 1 1 1 -1 1 -1 -1 -1\n\
3 1 -1 100 10 -1 -1 10 100 -1 1 1 1 -1 1 -1 -1 -1\n\
4 2 -1 40 5 -1 -1 5 40 -1 1 1 1 -1 1 -1 -1 -1\n",
    );
    let start_of_job_4 = |semantics: Option<&str>| {
        let out = tmp.path().join(semantics.unwrap_or("default"));
        let mut args = vec!["run", "--trace", trace.to_str().unwrap(), "--no-report", "--out", out.to_str().unwrap()];
        if let Some(s) = semantics {
            args.extend(["--semantics", s]);
        }
        let o = schedsim(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let csv = fs::read_to_string(out.join("jobs.csv")).unwrap();
        csv.lines().nth(4).unwrap().split(',').nth(5).unwrap().to_string()
    };
    assert_eq!(start_of_job_4(None), "150");
    assert_eq!(start_of_job_4(Some("schedsim")), "150");
    assert_eq!(start_of_job_4(Some("pyss")), "50");
    expect_error(
        &["run", "--trace", trace.to_str().unwrap(), "--semantics", "batsim"],
        &["--semantics", "unknown semantics `batsim` (expected schedsim or pyss)"],
    );
}

#[test]
fn the_same_run_twice_gives_identical_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = match shared_dir() {
        Some(s) => s.join("traces/KTH-SP2-1996-2.1-cln.swf.gz"),
        None => write(tmp.path(), "small.swf", SMALL),
    };
    for bf in ["easy", "conservative"] {
        let dirs: Vec<PathBuf> = (0..2).map(|i| tmp.path().join(format!("{bf}{i}"))).collect();
        for d in &dirs {
            let o =
                schedsim(&["run", "--trace", trace.to_str().unwrap(), "--backfill", bf, "--out", d.to_str().unwrap()]);
            assert!(o.status.success(), "{}", stderr(&o));
        }
        for f in ["jobs.csv", "summary.json", "schedule.swf"] {
            let (a, b) = (fs::read(dirs[0].join(f)).unwrap(), fs::read(dirs[1].join(f)).unwrap());
            assert!(a.len() > 100, "{f} is nearly empty");
            assert!(a == b, "{bf}: {f} differs between two identical runs");
        }
    }
}

#[test]
fn the_default_run_is_deterministic_and_its_seed_matters() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |seed: &str, name: &str| {
        let d = tmp.path().join(name);
        let o = schedsim(&["run", "--seed", seed, "--out", d.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        d
    };
    let (a, b, c) = (run("7", "a"), run("7", "b"), run("8", "c"));
    for f in ["jobs.csv", "summary.json", "schedule.swf", "timeseries.csv", "login.csv"] {
        let (x, y, z) = (fs::read(a.join(f)).unwrap(), fs::read(b.join(f)).unwrap(), fs::read(c.join(f)).unwrap());
        assert!(x == y, "seed 7 twice gave different {f}");
        assert!(x != z, "seeds 7 and 8 gave the same {f}");
    }
}

/// The scenario files shipped in `scenarios/`.
fn shipped_scenarios() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_shipped_scenario_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let scenarios = shipped_scenarios();
    assert!(scenarios.len() >= 4, "{scenarios:?}");
    for s in scenarios {
        let out = tmp.path().join(s.file_stem().unwrap());
        let o = schedsim(&["run", s.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}: {}", s.display(), stderr(&o));
        let text = stdout(&o);
        assert!(text.contains("class") && text.contains("utilisation"), "{}: {text}", s.display());
        let summary: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        assert!(summary["jobs"].as_u64().unwrap() > 0, "{}", s.display());
        assert!(summary["classes"].as_object().is_some_and(|c| !c.is_empty()));
        let rows = fs::read_to_string(out.join("jobs.csv")).unwrap().lines().count() as u64;
        let generated: u64 = summary["outcomes"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
        // A header, then a row for every job, warm-up included.
        assert!(rows > generated, "{}: {rows} rows for {generated} measured jobs", s.display());
        let ts = fs::read_to_string(out.join("timeseries.csv")).unwrap();
        assert!(ts.lines().count() > 10, "{}: time series too short", s.display());
        if !summary["login"].is_null() {
            assert!(text.contains("login nodes"), "{}: no login figures printed", s.display());
            assert!(out.join("login.csv").is_file());
        }
    }
}

#[test]
fn bad_scenarios_name_the_file_line_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let base = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/devcore.toml")).unwrap();
    let line_of = |needle: &str, text: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    // An unknown key, added on its own line after `[run]`.
    let unknown = base.replacen("[run]\n", "[run]\nlenght = \"1w\"\n", 1);
    let f = write(tmp.path(), "unknown.toml", &unknown);
    let want = format!("unknown.toml:{}", line_of("lenght", &unknown));
    expect_error(&["run", f.to_str().unwrap()], &[&want, "run.lenght", "unknown"]);
    // A duration without a unit.
    let no_unit = replace_value(&base, "length", "\"3 weeks\"");
    let f = write(tmp.path(), "unit.toml", &no_unit);
    let want = format!("unit.toml:{}", line_of("3 weeks", &no_unit));
    expect_error(&["run", f.to_str().unwrap()], &[&want, "run.length", "unit"]);
    // A partition naming a node that does not exist.
    let first_nodes = base.lines().find(|l| l.trim_start().starts_with("nodes = [")).unwrap().to_string();
    let bad_node = base.replacen(&first_nodes, "nodes = [\"nosuchnode7\"]", 1);
    let f = write(tmp.path(), "node.toml", &bad_node);
    let want = format!("node.toml:{}", line_of("nosuchnode7", &bad_node));
    expect_error(&["run", f.to_str().unwrap()], &[&want, "cluster.partitions[0].nodes[0]", "nosuchnode7"]);
    // A missing file.
    expect_error(&["run", "/nonexistent/scenario.toml"], &["/nonexistent/scenario.toml"]);
}

/// Replaces the value of the first `key = ...` line.
fn replace_value(text: &str, key: &str, value: &str) -> String {
    let mut done = false;
    text.lines()
        .map(|l| {
            if !done && l.trim_start().starts_with(&format!("{key} =")) {
                done = true;
                format!("{key} = {value}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn bad_trace_lines_name_the_file_line_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let t = |name: &str, body: &str| write(tmp.path(), name, &format!("; MaxProcs: 8\n{body}"));
    let short = t("short.swf", "1 0 -1 100 4\n");
    let text = t("text.swf", "1 0 -1 abc 4 -1 -1 4 100 -1 1 1 1 -1 1 -1 -1 -1\n");
    let negative = t("neg.swf", "1 0 -1 100 -4 -1 -1 -4 100 -1 1 1 1 -1 1 -1 -1 -1\n");
    expect_error(&["run", "--trace", short.to_str().unwrap()], &["short.swf:2", "18"]);
    expect_error(&["run", "--trace", text.to_str().unwrap()], &["text.swf:2", "field 4", "abc"]);
    expect_error(&["inspect", text.to_str().unwrap()], &["text.swf:2", "field 4"]);
    expect_error(&["run", "--trace", negative.to_str().unwrap()], &["neg.swf:2", "field 5", "-4"]);
    expect_error(&["run", "--trace", "/nonexistent/trace.swf"], &["/nonexistent/trace.swf", "cannot read"]);
}

#[test]
fn unknown_policies_and_parameters_are_refused() {
    expect_error(&["run", "--backfill", "eazy"], &["unknown backfill \"eazy\"", "easy"]);
    expect_error(&["run", "--order", "fcfs[age=3]"], &["fcfs", "unknown parameter \"age\""]);
    expect_error(&["run", "--estimate", "oracle"], &["unknown runtime estimate"]);
    // clap's own errors (several lines of usage) still exit non-zero without a panic.
    let o = schedsim(&["run", "--procs", "0", "--trace", "x.swf"]);
    assert!(!o.status.success() && !stderr(&o).contains("panicked"));
}

#[test]
fn a_trace_without_a_machine_size_asks_for_one() {
    let tmp = tempfile::tempdir().unwrap();
    let t = write(tmp.path(), "nohdr.swf", "1 0 -1 100 4 -1 -1 4 100 -1 1 1 1 -1 1 -1 -1 -1\n");
    expect_error(&["run", "--trace", t.to_str().unwrap()], &["nohdr.swf", "--procs"]);
    let o = schedsim(&[
        "run",
        "--trace",
        t.to_str().unwrap(),
        "--procs",
        "4",
        "--out",
        tmp.path().join("r").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn policies_lists_every_policy() {
    let o = schedsim(&["policies"]);
    assert!(o.status.success());
    for name in ["fcfs", "sjf", "none", "easy", "conservative", "requested", "actual"] {
        assert!(stdout(&o).contains(name), "{name} missing");
    }
}

#[test]
fn inspect_describes_a_trace() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = write(tmp.path(), "small.swf", SMALL);
    let o = schedsim(&["inspect", trace.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["jobs"], 4);
    assert_eq!(v["wider_than_machine"], 1);
}

#[test]
fn compare_gives_identical_files_at_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/devcore.toml");
    let run = |threads: &str| {
        let d = tmp.path().join(format!("t{threads}"));
        let o = schedsim(&[
            "compare",
            scenario.to_str().unwrap(),
            "--policies",
            "fcfs/none,fcfs/easy,sjf/easy,fcfs/conservative",
            "--threads",
            threads,
            "--out",
            d.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        tree(&d)
    };
    let (one, two) = (run("1"), run("2"));
    assert!(one.contains_key(Path::new("comparison.csv")), "{:?}", one.keys());
    assert!(one.keys().any(|k| k.starts_with("sjf-easy")), "{:?}", one.keys());
    // The comparison's charts and report, and each variant's own report.
    for f in ["report.html", "charts/wait_by_class.svg", "charts/wait_cdf_all.png", "sjf-easy/report.html"] {
        assert!(one.contains_key(Path::new(f)), "no {f}: {:?}", one.keys());
    }
    assert_eq!(one.keys().collect::<Vec<_>>(), two.keys().collect::<Vec<_>>());
    for (k, v) in &one {
        assert!(v == &two[k], "{} differs between 1 and 2 threads", k.display());
    }
    // One row per variant and class, plus one `all` row per variant.
    let csv = String::from_utf8(one[Path::new("comparison.csv")].clone()).unwrap();
    assert!(csv.lines().filter(|l| l.starts_with("fcfs/easy,")).count() >= 2, "{csv}");
}

#[test]
fn compare_refuses_unknown_policies() {
    expect_error(&["compare", "--policies", "fcfs/easy,fcfs/eazy"], &["--policies", "unknown backfill \"eazy\""]);
}

#[test]
fn report_rebuilds_a_comparison_and_its_runs_identically() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/devcore.toml");
    let d = tmp.path().join("cmp");
    let o = schedsim(&[
        "compare",
        scenario.to_str().unwrap(),
        "--policies",
        "fcfs/easy,sjf/easy",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = tree(&d);
    for gone in ["report.html", "fcfs-easy/report.html"] {
        fs::remove_file(d.join(gone)).unwrap();
    }
    fs::remove_dir_all(d.join("charts")).unwrap();
    let o = schedsim(&["report", d.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let after = tree(&d);
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    for (k, v) in &before {
        assert!(v == &after[k], "{} differs after schedsim report", k.display());
    }
}

#[test]
fn report_on_a_folder_that_is_not_a_run_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    expect_error(&["report", tmp.path().to_str().unwrap()], &[tmp.path().to_str().unwrap()]);
}

/// A sweep folder of 2 points (backfill easy, conservative), class batch, 3 replications.
fn sweep_folder(dir: &Path) {
    write(
        dir,
        "sweep.json",
        r#"{"kind": "sweep", "version": "0.1.0", "scenario": "scenarios/default.toml", "name": "default",
            "seed": 1, "replications": 3, "points": 2, "classes": ["batch"], "targets": {"batch": 14400.0},
            "axes": [{"key": "policy.backfill", "label": "policy.backfill", "values": ["easy", "conservative"],
                      "numeric": false}]}"#,
    );
    let mut csv = String::from("point,policy.backfill,class,replications");
    for f in crate::common::SWEEP_FIGURES {
        csv.push_str(&format!(",{f}_mean,{f}_ci"));
    }
    csv.push('\n');
    for (p, policy) in ["easy", "conservative"].iter().enumerate() {
        for class in ["all", "batch"] {
            // jobs, four waits, within target (batch only), abandonment (batch only), bsld,
            // utilisation, finished per day, no login nodes.
            let share = if class == "all" { "," } else { "0.9,0.01" };
            let gave_up = if class == "all" { "," } else { "0,0" };
            csv.push_str(&format!(
                "{p},{policy},{class},3,100,2,{w},60,{h},300,{q},900,{r},1200,{share},{gave_up},1.5,0.1,0.7,0.01,40,1,,\n",
                w = 600 + 100 * p,
                h = 300 + 50 * p,
                q = 3000 + 100 * p,
                r = 5000 + 100 * p,
            ));
        }
    }
    write(dir, "sweep.csv", &csv);
}

#[test]
fn report_builds_a_sweep_and_a_pool_sizing_from_their_files() {
    let tmp = tempfile::tempdir().unwrap();
    sweep_folder(tmp.path());
    let o = schedsim(&["report", tmp.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = fs::read_to_string(tmp.path().join("report.html")).unwrap();
    assert!(html.contains("schedsim report: default, sweep of 2 points") && html.contains("conservative"));
    assert!(tmp.path().join("charts/sweep_mean_wait.png").is_file(), "{}", stdout(&o));
    // A bad row: one line naming the file, the line and the field.
    let csv = fs::read_to_string(tmp.path().join("sweep.csv")).unwrap().replacen(",easy,batch,", ",eazy,batch,", 1);
    write(tmp.path(), "sweep.csv", &csv);
    let path = tmp.path().join("sweep.csv");
    expect_error(
        &["report", tmp.path().to_str().unwrap()],
        &[&format!("{}:3: field `policy.backfill`", path.display())],
    );

    let pool = tempfile::tempdir().unwrap();
    write(
        pool.path(),
        "size-pool.json",
        r#"{"kind": "size-pool", "version": "0.1.0", "scenario": "scenarios/default.toml", "name": "default", "seed": 1,
            "move": {"from": "cpu", "to": "inter", "total": 196, "key": "cluster.nodes[inter].count"},
            "targets": [{"text": "interactive.within_target>=0.95", "class": "interactive", "figure": "within_target",
                         "op": ">=", "value": 0.95}],
            "answer": 2, "reason": null, "sizes_tried": 2, "runs": 20, "full_grid_sizes": 195,
            "sizes": [
              {"k": 1, "replications": 10, "meets": false,
               "targets": [{"text": "interactive.within_target>=0.95", "mean": 0.9, "ci": 0.01, "lo": 0.89, "hi": 0.91, "meets": false}],
               "figures": {"batch": {"utilisation": {"mean": 0.70, "ci": 0.004}, "mean_wait": {"mean": 17000.0, "ci": 900.0}}},
               "cost": {"batch_utilisation": 0.70, "batch_mean_wait": 17000.0, "batch_p95_wait": 80000.0, "batch_finished_per_day": 48.0},
               "change_per_node": null},
              {"k": 2, "replications": 10, "meets": true,
               "targets": [{"text": "interactive.within_target>=0.95", "mean": 0.97, "ci": 0.01, "lo": 0.96, "hi": 0.98, "meets": true}],
               "figures": {"batch": {"utilisation": {"mean": 0.695, "ci": 0.004}, "mean_wait": {"mean": 17720.0, "ci": 900.0}}},
               "cost": {"batch_utilisation": 0.695, "batch_mean_wait": 17720.0, "batch_p95_wait": 81000.0, "batch_finished_per_day": 47.9},
               "change_per_node": {"batch_utilisation": -0.005, "batch_mean_wait": 720.0, "batch_p95_wait": 1000.0, "batch_finished_per_day": -0.1}}
            ]}"#,
    );
    let o = schedsim(&["report", pool.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = fs::read_to_string(pool.path().join("report.html")).unwrap();
    assert!(
        html.contains(
            "2 inter nodes (moved from cpu) are the fewest that meet interactive.within_target&gt;=0.95 with 95% \
             confidence; from 1 to 2 nodes, each node moved lowers batch utilisation by about 0.5 points and adds \
             about 12 min to its mean wait, though the 95% intervals of batch utilisation and mean wait at 1 and 2 \
             nodes overlap"
        ),
        "{html}"
    );
    for chart in ["size_pool_target", "size_pool_cost"] {
        assert!(pool.path().join(format!("charts/{chart}.svg")).is_file(), "{chart}");
    }
}

/// A thread count no machine can start is refused up front, in one line naming the limit, not
/// left to fail inside the thread pool with a bare operating-system error.
#[test]
fn absurd_thread_counts_are_refused_with_the_limit() {
    for cmd in [&["compare", "--threads", "10000"][..], &["sweep", "--set", "run.seed=1", "--threads", "10000"][..]] {
        expect_error(cmd, &["--threads", "1..=1024"]);
    }
}
