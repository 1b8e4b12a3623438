//! Sweeps, through the real binary (the load-scale checks through the library): the workload
//! holds still when the cluster or the policy moves, `sweep.csv` is what its replications'
//! summaries say, intervals shrink as 1/√R, any thread count, shard split, resume after a
//! SIGKILL or Slurm job array gives the same bytes, and bad input or a mismatched folder gets a
//! one-line refusal.
//!
//! Every command runs from the crate's folder and names the scenario by the relative path
//! [`SCENARIO`]: the path is recorded in `sweep.json` and every summary, and the Slurm scripts
//! `--chdir` to the folder the sweep was prepared from, so all runs must give it the same way
//! for their bytes to be comparable.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::cli::stderr;
use crate::common::tree;

/// The small scenario of these tests (24 batch nodes, a 4-node interactive pool, 2 devel
/// nodes, four days): one run takes a few milliseconds.
const SCENARIO: &str = "tests/data/small-pool.toml";

/// Its node groups' sizes, as the file gives them (checked by [`scenario_counts`]).
const CPU: i64 = 24;
const INTER: i64 = 4;

/// Two-sided 95% points of Student's t, t(0.975, df) for df = 1..=40, from a printed table
/// (three decimals): independent of the library's computed `t95`.
const T975: [f64; 40] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
    2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042, 2.040, 2.037,
    2.035, 2.032, 2.030, 2.028, 2.026, 2.024, 2.023, 2.021,
];

fn t975(df: usize) -> f64 {
    assert!((1..=T975.len()).contains(&df), "no table entry for {df} degrees of freedom");
    T975[df - 1]
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn command(args: &[&str]) -> Command {
    let mut c = Command::new(crate::common::schedsim_bin());
    c.current_dir(root()).args(args);
    c
}

fn schedsim(args: &[&str]) -> Output {
    command(args).output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// Runs `args` and expects success.
fn ok(args: &[&str]) -> Output {
    let o = schedsim(args);
    assert!(o.status.success(), "schedsim {} failed:\n{}", args.join(" "), stderr(&o));
    o
}

/// `sweep SCENARIO --no-report --out OUT` and `extra`, expected to succeed.
fn sweep(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["sweep", SCENARIO, "--no-report", "--out", s(out)];
    args.extend_from_slice(extra);
    ok(&args)
}

/// Runs `args` and expects a refusal: a non-zero exit, no panic, exactly one line starting
/// `error:` that holds every needle, and nothing else on standard error but clap's usage hints.
fn expect_error(args: &[&str], needles: &[&str]) -> String {
    let o = schedsim(args);
    let err = stderr(&o);
    let cmd = args.join(" ");
    assert!(!o.status.success(), "schedsim {cmd} succeeded, expected a refusal");
    assert!(!err.contains("panicked"), "schedsim {cmd} panicked:\n{err}");
    assert_ne!(o.status.code(), Some(101), "schedsim {cmd}: exit code 101 is a panic:\n{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "schedsim {cmd}: not one `error:` line:\n{err}");
    for l in err.lines().filter(|l| !l.trim().is_empty() && !l.starts_with("error:")) {
        assert!(
            l.starts_with("For more information") || l.starts_with("Usage:"),
            "schedsim {cmd}: a line besides the error: {l:?} in\n{err}"
        );
    }
    for n in needles {
        assert!(errors[0].contains(n), "schedsim {cmd}: {n:?} missing from {:?}", errors[0]);
    }
    errors[0].to_string()
}

/// Asserts that two folders hold the same files with the same bytes, naming the first difference.
fn assert_same_tree(a: &BTreeMap<PathBuf, Vec<u8>>, b: &BTreeMap<PathBuf, Vec<u8>>, what: &str) {
    let only_a: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_b: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "{what}: files only in the first {only_a:?}, only in the second {only_b:?}"
    );
    for (k, v) in a {
        assert!(v == &b[k], "{what}: {} differs", k.display());
    }
    assert!(a.keys().any(|k| k.ends_with("summary.json")), "{what}: no summary at all in {:?}", a.keys());
}

/// The `(point, replication)` of every `points/<p>/rep-<r>/summary.json` under `dir`.
fn summaries(dir: &Path) -> Vec<(usize, u32)> {
    let mut out = Vec::new();
    let Ok(points) = fs::read_dir(dir.join("points")) else { return out };
    for p in points.flatten() {
        let Ok(point) = p.file_name().to_string_lossy().parse::<usize>() else { continue };
        for r in fs::read_dir(p.path()).into_iter().flatten().flatten() {
            let name = r.file_name().to_string_lossy().into_owned();
            if let Some(rep) = name.strip_prefix("rep-").and_then(|r| r.parse::<u32>().ok()) {
                if r.path().join("summary.json").is_file() {
                    out.push((point, rep));
                }
            }
        }
    }
    out.sort_unstable();
    out
}

fn json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `sweep.csv` as its header and its records.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

/// The sample mean and the 95% Student-t half-width of `v`, computed here from the textbook
/// formulas with the printed t table.
fn mean_ci(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, t975(v.len() - 1) * (var / n).sqrt())
}

/// True when `a` and `b` agree to `rel` of the larger (or both are within 1e-9 of zero).
fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) + 1e-9
}

fn scenario_counts() {
    let sc = schedsim::scenario::load(&root().join(SCENARIO)).expect("the test scenario is valid");
    let count = |name: &str| sc.cluster.nodes.iter().find(|g| g.name == name).map(|g| i64::from(g.count));
    assert_eq!((count("cpu"), count("inter")), (Some(CPU), Some(INTER)), "{SCENARIO} changed: update CPU and INTER");
}

// --- 1. The workload holds still ---------------------------------------------------------------

/// The job lines (not the `;` header comments) of `schedsim generate` of `scenario`.
fn job_lines(scenario: Option<&Path>) -> Vec<String> {
    let mut args = vec!["generate"];
    if let Some(p) = scenario {
        args.push(s(p));
    }
    let o = ok(&args);
    let text = stdout(&o);
    let jobs: Vec<String> = text.lines().filter(|l| !l.trim_start().starts_with(';')).map(str::to_string).collect();
    assert!(jobs.len() > 1000, "generate {args:?}: only {} job lines", jobs.len());
    jobs
}

/// `text` with `from` replaced by `to`, `from` occurring exactly once (so that an edit is never
/// silently a no-op).
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} should occur once in the scenario");
    text.replacen(from, to, 1)
}

#[test]
fn the_workload_holds_still_when_the_cluster_or_the_policy_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let default = root().join("scenarios/default.toml");
    let base = fs::read_to_string(&default).unwrap();
    let write = |name: &str, text: &str| {
        let p = tmp.path().join(name);
        fs::write(&p, text).unwrap();
        p
    };
    let builtin = job_lines(None);
    assert_eq!(job_lines(Some(&default)), builtin, "the built-in default differs from scenarios/default.toml");

    let moved = edit(
        &edit(&base, "name = \"cpu\"\ncount = 188\n", "name = \"cpu\"\ncount = 184\n"),
        "name = \"inter\"\ncount = 8\n",
        "name = \"inter\"\ncount = 12\n",
    );
    let policy =
        edit(&edit(&base, "backfill = \"easy\"", "backfill = \"conservative\""), "order = \"fcfs\"", "order = \"sjf\"");
    let limit = edit(&base, "max_walltime = \"48h\"", "max_walltime = \"24h\"");
    let all = edit(
        &edit(&moved, "backfill = \"easy\"", "backfill = \"conservative\""),
        "max_walltime = \"48h\"",
        "max_walltime = \"24h\"",
    );
    // The edits reached the scenario (a text replacement could have hit another key).
    let parsed = |text: &str| schedsim::scenario::parse(text, &default).unwrap_or_else(|e| panic!("{e}"));
    let counts = |sc: &schedsim::scenario::Scenario| sc.cluster.nodes.iter().map(|g| g.count).collect::<Vec<_>>();
    assert_eq!(counts(&parsed(&base)), [188, 4, 8]);
    assert_eq!(counts(&parsed(&moved)), [184, 4, 12]);
    let p = parsed(&policy);
    assert_eq!((p.policy.order.as_str(), p.policy.backfill.as_str()), ("sjf", "conservative"));
    assert_ne!(parsed(&limit).cluster.partitions[0].max_walltime, parsed(&base).cluster.partitions[0].max_walltime);

    for (name, text) in [("moved.toml", &moved), ("policy.toml", &policy), ("limit.toml", &limit), ("all.toml", &all)] {
        let jobs = job_lines(Some(&write(name, text)));
        if let Some(i) = (0..builtin.len().min(jobs.len())).find(|&i| builtin[i] != jobs[i]) {
            panic!("{name}: job line {} changed:\n  {}\n  {}", i + 1, builtin[i], jobs[i]);
        }
        assert_eq!(jobs.len(), builtin.len(), "{name}: a different number of jobs");
    }

    // The counter-check: what the jobs do depend on changes them, so the comparison above can fail.
    let seed = job_lines(Some(&write("seed.toml", &edit(&base, "seed = 1\n", "seed = 2\n"))));
    assert_ne!(seed, builtin, "run.seed = 2 gave the same jobs as run.seed = 1");
    let lublin = job_lines(Some(&write(
        "lublin.toml",
        &edit(
            &base,
            "nodes = 188\ncores_per_node = 32\nload = 0.5\n",
            "nodes = 184\ncores_per_node = 32\nload = 0.5\n",
        ),
    )));
    assert_ne!(lublin, builtin, "the Lublin source's nodes = 184 gave the same jobs as nodes = 188");
}

// --- 2. sweep.csv is what the summaries say ------------------------------------------------------

#[test]
fn the_sweep_table_is_the_mean_and_t_interval_of_the_replications() {
    scenario_counts();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sw");
    let reps = 5usize;
    sweep(
        &dir,
        &["--move-nodes", "cpu:inter=2,4,6", "--set", "policy.backfill=easy,conservative", "--replications", "5"],
    );

    let m = json(&dir.join("sweep.json"));
    assert_eq!(m["kind"], "sweep");
    assert_eq!(m["points"], 6);
    assert_eq!(m["replications"], 5);
    assert_eq!(m["scenario"], SCENARIO);
    let axes = m["axes"].as_array().expect("axes");
    assert_eq!(axes.len(), 2, "{axes:?}");
    assert_eq!(axes[0]["key"], "cluster.nodes[inter].count");
    assert_eq!(axes[0]["values"], serde_json::json!(["2", "4", "6"]));
    assert_eq!(axes[0]["moved"], serde_json::json!(["cpu", "inter"]));
    assert_eq!(axes[1]["key"], "policy.backfill");
    assert_eq!(axes[1]["values"], serde_json::json!(["easy", "conservative"]));
    assert!(axes[1].get("moved").is_none(), "a --set axis moves no nodes: {:?}", axes[1]);
    let classes = ["batch", "debug", "interactive"];
    assert_eq!(m["classes"], serde_json::json!(classes));

    let (header, rows) = read_csv(&dir.join("sweep.csv"));
    let mut want_header: Vec<String> =
        ["point", "cluster.nodes[inter].count", "policy.backfill", "class", "replications"].map(String::from).into();
    for f in crate::common::SWEEP_FIGURES {
        want_header.extend([format!("{f}_mean"), format!("{f}_ci")]);
    }
    assert_eq!(header, want_header);

    // Grid order, the last axis fastest; in each point `all` first, then the classes.
    let grid: Vec<(i64, &str)> =
        [2, 4, 6].iter().flat_map(|&n| ["easy", "conservative"].map(move |b| (n, b))).collect();
    let mut want_rows = Vec::new();
    for (p, (n, b)) in grid.iter().enumerate() {
        for c in std::iter::once("all").chain(classes) {
            want_rows.push(vec![p.to_string(), n.to_string(), b.to_string(), c.to_string(), reps.to_string()]);
        }
    }
    let got_rows: Vec<Vec<String>> = rows.iter().map(|r| r[..5].to_vec()).collect();
    assert_eq!(got_rows, want_rows);
    assert!(rows.iter().all(|r| r.len() == header.len()), "a row of the wrong width");

    // Every replication is the point it claims to be, and replication r of every point ran the
    // same jobs (common random numbers): the knob changes, not the workload.
    let summary = |p: usize, r: usize| json(&dir.join(format!("points/{p}/rep-{r}/summary.json")));
    let all: Vec<Vec<Value>> = (0..grid.len()).map(|p| (0..reps).map(|r| summary(p, r)).collect()).collect();
    for (p, (n, b)) in grid.iter().enumerate() {
        for (r, sm) in all[p].iter().enumerate() {
            let at = format!("point {p} ({n}, {b}), replication {r}");
            assert_eq!(sm["run"]["replication"], r, "{at}");
            assert_eq!(sm["run"]["policy"], format!("fcfs/{b}"), "{at}");
            assert_eq!(sm["partitions"]["interactive"]["nodes"], *n, "{at}");
            assert_eq!(sm["partitions"]["batch"]["nodes"], CPU + INTER - n, "{at}");
            for c in classes {
                assert_eq!(
                    sm["classes"][c]["jobs"], all[0][r]["classes"][c]["jobs"],
                    "{at}: {c} jobs differ from point 0"
                );
            }
        }
    }
    let batch_jobs: Vec<&Value> = all[0].iter().map(|sm| &sm["classes"]["batch"]["jobs"]).collect();
    assert!(
        batch_jobs.iter().any(|j| *j != batch_jobs[0]),
        "every replication drew the same batch jobs: {batch_jobs:?}"
    );

    // The figures, recomputed from the summaries: for each row, its own value of the figure in
    // each replication (the top level for `all`, which has no within_target).
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut checked = 0;
    for (row, r) in rows.iter().enumerate() {
        let (p, class) = (row / 4, r[3].as_str());
        for figure in ["p95_wait", "within_target", "mean_wait"] {
            let values: Option<Vec<f64>> = all[p]
                .iter()
                .map(|sm| if class == "all" { &sm[figure] } else { &sm["classes"][class][figure] }.as_f64())
                .collect();
            let (mean_cell, ci_cell) = (&r[col(&format!("{figure}_mean"))], &r[col(&format!("{figure}_ci"))]);
            let at = format!("point {p}, class {class}, {figure}");
            match values {
                None => {
                    assert!(
                        mean_cell.is_empty() && ci_cell.is_empty(),
                        "{at}: undefined, yet {mean_cell:?} ± {ci_cell:?}"
                    )
                }
                Some(v) => {
                    let (mean, ci) = mean_ci(&v);
                    let (got_mean, got_ci): (f64, f64) = (mean_cell.parse().unwrap(), ci_cell.parse().unwrap());
                    assert!(close(got_mean, mean, 1e-12), "{at}: mean {got_mean}, recomputed {mean} from {v:?}");
                    // The table's t has three decimals: agreement to 1e-3 (z = 1.96 would be 30% off).
                    assert!(close(got_ci, ci, 1e-3), "{at}: half-width {got_ci}, recomputed {ci} from {v:?}");
                    checked += 1;
                }
            }
        }
    }
    // 6 points × (3 figures × 3 classes + 2 figures for `all`).
    assert_eq!(checked, 6 * 11, "not every row's figures were defined");
    let (wt, p95) = (col("within_target_ci"), col("p95_wait_ci"));
    assert!(rows.iter().any(|r| r[3] == "interactive" && r[p95].parse::<f64>().unwrap() > 0.0), "no spread at all");
    assert!(rows.iter().filter(|r| r[3] == "all").all(|r| r[wt].is_empty()), "`all` has no wait target");
}

// --- 3. Intervals shrink as 1/√R -------------------------------------------------------------------

#[test]
fn confidence_intervals_shrink_as_one_over_root_r() {
    let tmp = tempfile::tempdir().unwrap();
    let (small, large) = (4usize, 36usize);
    let run = |r: usize| {
        let d = tmp.path().join(format!("r{r}"));
        sweep(&d, &["--set", "policy.backfill=easy", "--replications", &r.to_string()]);
        d
    };
    let (a, b) = (run(small), run(large));
    // Replication r does not depend on how many there are: the first 4 of 36 are the 4.
    for r in 0..small {
        let f = format!("points/0/rep-{r}/summary.json");
        assert!(fs::read(a.join(&f)).unwrap() == fs::read(b.join(&f)).unwrap(), "{f} differs between R = 4 and R = 36");
    }
    let (ha, ra) = read_csv(&a.join("sweep.csv"));
    let (_, rb) = read_csv(&b.join("sweep.csv"));
    // Figures with real spread between replications.
    for (class, figure) in [("batch", "mean_wait"), ("interactive", "within_target"), ("interactive", "mean_wait")] {
        let col = |name: &str| ha.iter().position(|h| h == name).unwrap();
        let (class_col, ci_col) = (col("class"), col(&format!("{figure}_ci")));
        let ci = |rows: &[Vec<String>]| -> f64 {
            rows.iter().find(|r| r[class_col] == class).expect("the class's row")[ci_col].parse().unwrap()
        };
        let (ci_a, ci_b) = (ci(&ra), ci(&rb));
        let at = format!("{class} {figure}: half-width {ci_a} at R = {small}, {ci_b} at R = {large}");
        assert!(ci_a > 0.0 && ci_b > 0.0, "{at}: no spread");
        // The sample standard deviation behind each interval, s = ci·√R / t(R−1), estimates the
        // same spread at both sizes: within a factor of 2 (at R = 4, df = 3, s/σ falls in
        // [0.27, 1.77] 95% of the time; the first 4 replications are shared, which narrows it).
        let sd = |ci: f64, r: usize| ci * (r as f64).sqrt() / t975(r - 1);
        let ratio = sd(ci_a, small) / sd(ci_b, large);
        assert!((0.5..=2.0).contains(&ratio), "{at}: standard deviations {ratio:.2} apart");
        // The half-width shrank by √(36/4) = 3 times t(3)/t(35) ≈ 4.70 (1/√R and the narrower
        // t); the band allows the spread estimates' own factor of 2.
        let predicted = ((large as f64) / (small as f64)).sqrt() * t975(small - 1) / t975(large - 1);
        let shrink = ci_a / ci_b;
        assert!(
            (predicted / 2.0..=predicted * 2.0).contains(&shrink),
            "{at}: shrank {shrink:.2} times, 1/√R predicts {predicted:.2}"
        );
    }
}

// --- 4. Any thread count, any sharding: the same bytes -------------------------------------------

#[test]
fn threads_and_shards_give_the_same_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let grid = ["--move-nodes", "cpu:inter=2,6", "--set", "policy.order=fcfs,sjf", "--replications", "4"];
    let with = |name: &str, extra: &[&str]| {
        let d = tmp.path().join(name);
        sweep(&d, &[&grid[..], extra].concat());
        d
    };
    let one = tree(&with("t1", &["--threads", "1"]));
    let two = tree(&with("t2", &["--threads", "2"]));
    assert!(one.contains_key(Path::new("sweep.csv")), "{:?}", one.keys());
    assert_same_tree(&one, &two, "--threads 1 against --threads 2");

    let shards: Vec<PathBuf> = (1..=3).map(|i| with(&format!("s{i}"), &["--shard", &format!("{i}/3")])).collect();
    // The shards split the 16 runs between them, each run once.
    let mut runs: Vec<(usize, u32)> = shards.iter().flat_map(|d| summaries(d)).collect();
    assert!(shards.iter().all(|d| !summaries(d).is_empty() && !d.join("sweep.csv").exists()));
    runs.sort_unstable();
    assert_eq!(runs, (0..4).flat_map(|p| (0..4).map(move |r| (p, r))).collect::<Vec<_>>());

    for (name, order) in [("m123", [0, 1, 2]), ("m312", [2, 0, 1]), ("m213", [1, 0, 2])] {
        let out = tmp.path().join(name);
        let mut args = vec!["merge", "--no-report", "--out", s(&out)];
        args.extend(order.iter().map(|&i| s(&shards[i])));
        ok(&args);
        assert_same_tree(&one, &tree(&out), &format!("merge of shards in order {order:?} against the whole sweep"));
    }
}

// --- 5. Kill and resume ----------------------------------------------------------------------------

#[test]
fn a_sweep_killed_mid_way_resumes_to_the_same_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, whole) = (tmp.path().join("killed"), tmp.path().join("whole"));
    let reps = 80u32;
    let runs = 2 * reps as usize;
    let args = |out: &Path| -> Vec<String> {
        ["sweep", SCENARIO, "--no-report", "--move-nodes", "cpu:inter=3,5", "--replications", &reps.to_string()]
            .iter()
            .map(|s| s.to_string())
            .chain(["--threads".into(), "1".into(), "--out".into(), s(out).to_string()])
            .collect()
    };
    let a = args(&dir);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let mut child = command(&a).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("the binary starts");
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        if summaries(&dir).len() >= 3 {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "the sweep ended ({status}) with {} of {runs} replications before it could be killed: \
                 raise the run count",
                summaries(&dir).len()
            );
        }
        assert!(Instant::now() < deadline, "no replication finished in 5 minutes");
        std::thread::sleep(Duration::from_millis(2));
    }
    // SIGKILL: no chance to clean up. An already-exited child makes kill() fail or do nothing;
    // its exit status below tells.
    let _ = child.kill();
    let status = child.wait().unwrap();
    let done = summaries(&dir).len();
    assert!(
        !status.success() && done < runs,
        "the sweep finished ({status}, {done} of {runs} replications) before the kill: raise the run count"
    );
    assert!(done >= 3, "{done} replications at the kill");
    assert!(!dir.join("sweep.csv").exists(), "an interrupted sweep wrote its table");

    let o = ok(&a);
    let out = stdout(&o);
    assert!(out.contains(&format!("{done} of {runs} runs already done")), "the resume did not say so:\n{out}");
    assert_eq!(summaries(&dir).len(), runs);

    let w = args(&whole);
    ok(&w.iter().map(String::as_str).collect::<Vec<_>>());
    assert_same_tree(
        &tree(&whole),
        &tree(&dir),
        &format!("resumed after a kill at {done} of {runs} against uninterrupted"),
    );
}

// --- 6. A folder that holds something else is refused ---------------------------------------------

#[test]
fn a_folder_of_another_sweep_or_shard_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sw");
    let d = s(&dir);
    let base = ["sweep", SCENARIO, "--no-report", "--out", d, "--set", "policy.order=fcfs,sjf"];
    fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        [base, extra].concat()
    }
    ok(&with(&base, &["--replications", "5"]));
    let before = tree(&dir);
    // Refused before anything is announced: no "resuming ... runs already done" on stdout.
    let o = schedsim(&with(&base, &["--replications", "3"]));
    assert!(!o.status.success() && !stdout(&o).contains("resuming"), "{}", stdout(&o));
    expect_error(&with(&base, &["--replications", "3"]), &[d, "different sweep", "replications 5 there, 3 here"]);
    expect_error(&with(&base, &["--replications", "5", "--seed", "99"]), &["seed 7 there, 99 here"]);
    let other = ["sweep", SCENARIO, "--no-report", "--out", d, "--set", "policy.order=sjf,fcfs", "--replications", "5"];
    expect_error(&other, &["axes policy.order=fcfs,sjf there, policy.order=sjf,fcfs here"]);
    expect_error(
        &with(&base, &["--replications", "5", "--shard", "1/2"]),
        &["holds the whole of this sweep, not shard 1/2"],
    );
    assert_same_tree(&before, &tree(&dir), "a refused command changed the folder");

    // An edited scenario file is another sweep, even under the same path.
    let file = tmp.path().join("copy.toml");
    let text = fs::read_to_string(root().join(SCENARIO)).unwrap();
    fs::write(&file, &text).unwrap();
    let copy = tmp.path().join("copy");
    let run_copy =
        ["sweep", s(&file), "--no-report", "--out", s(&copy), "--set", "policy.order=fcfs", "--replications", "2"];
    ok(&run_copy);
    fs::write(&file, edit(&text, "load = 0.8", "load = 0.7")).unwrap();
    expect_error(&run_copy, &["scenario contents (digest)"]);

    // A folder that is not a sweep's.
    let junk = tmp.path().join("junk");
    fs::create_dir(&junk).unwrap();
    fs::write(junk.join("notes.txt"), "mine").unwrap();
    expect_error(
        &["sweep", SCENARIO, "--out", s(&junk), "--set", "policy.order=fcfs"],
        &[s(&junk), "not a sweep folder"],
    );
    assert_eq!(fs::read_dir(&junk).unwrap().count(), 1, "the refused sweep wrote into the folder");

    // A shard's folder, reused for another shard or the whole sweep.
    let shard = tmp.path().join("shard");
    let whole =
        ["sweep", SCENARIO, "--no-report", "--out", s(&shard), "--set", "policy.order=fcfs,sjf", "--replications", "3"];
    let first = [&whole[..], &["--shard", "1/3"]].concat();
    ok(&first);
    expect_error(&[&whole[..], &["--shard", "2/3"]].concat(), &["holds shard 1/3 of this sweep, not shard 2/3"]);
    expect_error(&whole, &["holds shard 1/3 of this sweep, not the whole sweep"]);
    // The same shard again is a resume: nothing left to do, nothing changed.
    let before = tree(&shard);
    ok(&first);
    assert_same_tree(&before, &tree(&shard), "re-running a finished shard changed it");
}

// --- 7. merge refuses what is not one whole sweep ---------------------------------------------------

#[test]
fn merge_refuses_shards_that_do_not_make_one_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let shard = |name: &str, set: &str, i: u32| {
        let d = tmp.path().join(name);
        sweep(&d, &["--set", set, "--replications", "3", "--shard", &format!("{i}/3")]);
        d
    };
    let [a1, a2, a3] = [1, 2, 3].map(|i| shard(&format!("a{i}"), "policy.order=fcfs,sjf", i));
    let b2 = shard("b2", "policy.order=sjf,fcfs", 2);
    let out = tmp.path().join("merged");
    let merge = |dirs: &[&PathBuf], needles: &[&str]| {
        let mut args = vec!["merge", "--out", s(&out)];
        args.extend(dirs.iter().map(|d| s(d)));
        expect_error(&args, needles);
        assert!(!out.exists(), "a refused merge wrote {}", out.display());
    };
    merge(
        &[&a1, &b2, &a3],
        &[s(&b2), "different sweep", "axes", "policy.order=sjf,fcfs there, policy.order=fcfs,sjf here"],
    );
    merge(&[&a1, &a3], &["shard 2/3 is missing"]);
    merge(&[&a1, &a3, &a1], &["is shard 1/3 again"]);
    let whole = tmp.path().join("whole");
    sweep(&whole, &["--set", "policy.order=fcfs,sjf", "--replications", "3"]);
    merge(&[&a1, &a2, &whole], &[s(&whole), "holds a whole sweep, not a shard"]);

    // An unfinished shard: one of its replications is missing.
    let (p, r) = summaries(&a2)[1];
    fs::remove_file(a2.join(format!("points/{p}/rep-{r}/summary.json"))).unwrap();
    merge(&[&a1, &a2, &a3], &[s(&a2), "shard 2/3 is not finished", &format!("point {p}, replication {r}")]);

    // --out inside a shard.
    let inside = a1.join("merged");
    let e = expect_error(&["merge", "--out", s(&inside), s(&a1), s(&a2), s(&a3)], &["lies inside", s(&a1)]);
    assert!(!inside.exists(), "{e}: yet it wrote {}", inside.display());
}

// --- 8. Bad input: one line, a non-zero exit, no panic ---------------------------------------------

#[test]
fn bad_sweep_arguments_get_one_line_each() {
    scenario_counts();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("never");
    let cases: Vec<(Vec<&str>, Vec<String>)> = vec![
        (vec!["--set", "run.lenght=1w"], vec!["unknown key `lenght`".into(), "did you mean `length`?".into()]),
        (vec!["--set", "cluster.nodes[gpu].count=4"], vec!["named \"gpu\"".into(), "names: cpu, dev, inter".into()]),
        (vec!["--set", "run.length=5"], vec!["run.length".into(), "unit".into(), format!("{SCENARIO}:")]),
        (
            vec!["--set", "cluster.nodes[inter].count=many"],
            vec!["cluster.nodes[2].count".into(), "invalid type".into(), "many".into()],
        ),
        (vec!["--set", "cluster.nodes[inter].count=12..=2"], vec!["\"12..=2\" is empty".into()]),
        (vec!["--set", "cluster.nodes[inter].count=2..=12:0"], vec!["step must be at least 1".into()]),
        (vec!["--set", "cluster.nodes[inter].count=2..=12:x"], vec!["the step \"x\" is not a whole number".into()]),
        // Ranges too wide to count in 64 bits.
        (
            vec!["--set", "run.seed=-9223372036854775808..=9223372036854775807"],
            vec!["18446744073709551616 values".into(), "at most 100000".into()],
        ),
        (vec!["--set", "run.seed=0..=9223372036854775807:1"], vec!["at most 100000".into()]),
        (vec!["--move-nodes", "cpu:nosuch=2"], vec!["no node group \"nosuch\"".into()]),
        (
            vec!["--move-nodes", "cpu:inter=500"],
            vec![
                format!("leaves cpu with {} nodes", CPU + INTER - 500),
                format!("have {} nodes together", CPU + INTER),
            ],
        ),
        (vec!["--move-nodes", "cpu:inter=0"], vec![format!("inter can have 1 to {}", CPU + INTER - 1)]),
        (vec!["--move-nodes", "cpu:inter=2", "--shard", "4/3"], vec!["--shard 4/3".into(), "1 ≤ I ≤ N".into()]),
        (vec!["--move-nodes", "cpu:inter=2", "--shard", "0/3"], vec!["--shard 0/3".into(), "1 ≤ I ≤ N".into()]),
        (vec![], vec!["nothing to sweep".into()]),
        (vec!["--set", "policy.order=fcfs", "--set", "policy.order=sjf"], vec!["policy.order is swept twice".into()]),
        (
            vec!["--move-nodes", "cpu:inter=2,3", "--set", "cluster.nodes[inter].count=5"],
            vec!["cluster.nodes[inter].count is swept twice".into()],
        ),
        (vec!["--set", "policy.backfill=eazy"], vec!["unknown backfill \"eazy\"".into()]),
        (vec!["--set", "policy.backfill"], vec!["expected KEY=VALUES".into()]),
        (vec!["--set", "run.load_scale=1,0"], vec!["run.load_scale=0".into(), "run.load_scale".into()]),
    ];
    for (extra, needles) in &cases {
        let mut args = vec!["sweep", SCENARIO, "--replications", "2", "--out", s(&out)];
        args.extend(extra);
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        expect_error(&args, &needles);
        assert!(!out.exists(), "schedsim {}: refused, yet it wrote {}", args.join(" "), out.display());
    }
}

// --- 9. --slurm writes job scripts that give the same sweep -----------------------------------------

/// The command a job script runs: its `exec` line with the continuation lines joined.
fn exec_line(script: &str) -> String {
    let at = script.find("\nexec ").expect("an exec line") + 1;
    script[at..].replace("\\\n", " ").trim().to_string()
}

/// The value of `#SBATCH --NAME=VALUE`.
fn sbatch_option<'a>(script: &'a str, name: &str) -> Option<&'a str> {
    script.lines().find_map(|l| l.strip_prefix(&format!("#SBATCH --{name}=")))
}

/// Runs `line` as the job script would, from `dir`, with no Slurm variable set (they must all
/// have been substituted: `set -u` fails on any left).
fn bash(line: &str, dir: &str) {
    let o = Command::new("bash")
        .arg("-c")
        .arg(format!("set -euo pipefail\n{line}"))
        .current_dir(dir)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_CPUS_PER_TASK")
        .output()
        .expect("bash runs");
    assert!(o.status.success(), "{line}\nfailed:\n{}", stderr(&o));
}

#[test]
fn slurm_job_scripts_run_the_same_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("D");
    let grid = ["--move-nodes", "cpu:inter=2,4", "--set", "policy.order=fcfs,sjf", "--replications", "3"];
    let o = sweep(&d, &[&grid[..], &["--slurm", "3"]].concat());
    let text = stdout(&o);
    let (sweep_sb, merge_sb) = (d.join("sweep.sbatch"), d.join("merge.sbatch"));
    assert!(text.contains(&format!("jid=$(sbatch --parsable {})", sweep_sb.display())), "{text}");
    assert!(text.contains(&format!("sbatch --dependency=afterok:$jid {}", merge_sb.display())), "{text}");
    assert!(!d.join("points").exists(), "--slurm ran the sweep");
    assert!(summaries(&d).is_empty());

    let sweep_script = fs::read_to_string(&sweep_sb).unwrap();
    let merge_script = fs::read_to_string(&merge_sb).unwrap();
    assert_eq!(sbatch_option(&sweep_script, "array"), Some("1-3%3"), "{sweep_script}");
    let abs = fs::canonicalize(&d).unwrap();
    for i in 1..=3 {
        assert!(merge_script.contains(&format!("{}/slurm/shard-{i}", abs.display())), "shard {i}: {merge_script}");
    }
    assert!(!merge_script.contains("shard-4"), "{merge_script}");
    let chdir = sbatch_option(&sweep_script, "chdir").expect("--chdir");
    assert_eq!(Some(chdir), sbatch_option(&merge_script, "chdir"));
    assert_eq!(
        Path::new(chdir),
        fs::canonicalize(root()).unwrap(),
        "the tasks' folder is the one the sweep was prepared from"
    );

    // Every array task, as Slurm would run it, then the merge.
    let task = exec_line(&sweep_script);
    for var in ["$SLURM_ARRAY_TASK_ID", "${SLURM_CPUS_PER_TASK:-1}"] {
        assert!(task.contains(var), "{var} is not in {task}");
    }
    for i in 1..=3 {
        bash(&task.replace("$SLURM_ARRAY_TASK_ID", &i.to_string()).replace("${SLURM_CPUS_PER_TASK:-1}", "1"), chdir);
    }
    let merge = exec_line(&merge_script);
    assert!(!merge.contains('$'), "{merge}");
    bash(&merge, chdir);

    // Run directly as the scripts run it (they pass no --no-report).
    let direct = tmp.path().join("direct");
    ok(&[&["sweep", SCENARIO, "--out", s(&direct)][..], &grid].concat());
    let mut got = tree(&d);
    got.retain(|k, _| !k.starts_with("slurm") && k.extension().is_none_or(|e| e != "sbatch"));
    assert_same_tree(&tree(&direct), &got, "the Slurm array's merge against the sweep run directly");
    for i in 1..=3 {
        let m = json(&d.join(format!("slurm/shard-{i}/sweep.json")));
        assert_eq!(m["shard"], format!("{i}/3"), "shard {i}'s folder");
    }
}

// --- 10. run.load_scale ----------------------------------------------------------------------------

/// `text` with `key = value` added at the top of `[run]`, and the line it is on.
fn with_run_key(text: &str, line: &str) -> (String, usize) {
    let out = edit(text, "[run]\n", &format!("[run]\n{line}\n"));
    let at = out.lines().position(|l| l == line).unwrap() + 1;
    (out, at)
}

#[test]
fn load_scale_multiplies_every_source_and_compresses_a_trace() {
    use schedsim::scenario::{build, parse};
    use schedsim::workload::job::JobClass;

    let origin = Path::new("scenarios/default.toml");
    let base = schedsim::scenario::DEFAULT_SCENARIO;
    let built = |text: &str| {
        let sc = parse(text, origin).unwrap_or_else(|e| panic!("{e}"));
        build(&sc, sc.run.seed).unwrap_or_else(|e| panic!("{e}"))
    };
    let (scaled_text, _) = with_run_key(base, "load_scale = 1.3");
    let (plain, scaled) = (built(base), built(&scaled_text));
    let count =
        |b: &schedsim::scenario::Built, c: JobClass| b.workload.jobs.iter().filter(|j| j.class == c).count() as f64;
    let logins = |b: &schedsim::scenario::Built| b.login.as_ref().expect("login nodes").1.len() as f64;

    // Interactive sessions, debug jobs and login processes are Poisson arrivals (of a rate that
    // varies with the hour): scaling the rate by 1.3 scales the expected count by 1.3. With n₀ and
    // n₁ independent, n₁ − 1.3·n₀ has variance 1.3μ + 1.3²μ ≈ 3μ (μ estimated by n₀); the two
    // runs share their random stream, which can only shrink it. Allow 4 standard deviations: a
    // false alarm is a 1-in-15,000 draw, while a scale left out (off by 0.3·n₀) is caught from
    // n₀ ≈ 550, and every count here is larger.
    for (what, n0, n1) in [
        ("interactive", count(&plain, JobClass::Interactive), count(&scaled, JobClass::Interactive)),
        ("debug", count(&plain, JobClass::Debug), count(&scaled, JobClass::Debug)),
        ("login processes", logins(&plain), logins(&scaled)),
    ] {
        let sd = (2.99 * n0).sqrt();
        assert!(n0 > 550.0, "{what}: only {n0} at load_scale 1: the check below could not fail");
        assert!((n1 - 1.3 * n0).abs() < 4.0 * sd, "{what}: {n1} at load_scale 1.3 against {n0} at 1 (±{sd:.0})");
    }

    // The Lublin source is not Poisson: it fills a work budget (length × load × cores) with one
    // sequence of jobs, so at 1.3 it keeps the same jobs and adds more, and its submit times are
    // squeezed by one factor. So: the same sizes and runtimes first, 1.3 times the work (to
    // within the last job, which did not fit), and about 1.3 times the jobs.
    // The default has two Lublin sources, told apart by their tasks: whole nodes of 32 cores,
    // and one core.
    for task_cores in [32, 1] {
        let batch = |b: &schedsim::scenario::Built| -> Vec<(u64, i64)> {
            b.workload
                .jobs
                .iter()
                .filter(|j| j.class == JobClass::Batch && j.task.cores == task_cores)
                .map(|j| (j.procs(), j.runtime.0))
                .collect()
        };
        let (b0, b1) = (batch(&plain), batch(&scaled));
        let what = format!("batch jobs of {task_cores}-core tasks");
        assert!(b1.len() > b0.len(), "{what}: {} at 1.3, {} at 1", b1.len(), b0.len());
        assert_eq!(&b1[..b0.len()], &b0[..], "{what}: those at load_scale 1 are not the first ones at 1.3");
        let works: Vec<f64> = b1.iter().map(|&(p, r)| p as f64 * r as f64).collect();
        let (w0, w1) = (works[..b0.len()].iter().sum::<f64>(), works.iter().sum::<f64>());
        assert!((w1 / w0 - 1.3).abs() < 0.05, "{what}: work {w1} at 1.3 is {:.3} times {w0} at 1", w1 / w0);
        // The count: jobs are a renewal process in work, N(w) has variance ≈ N·CV² (CV of a
        // job's work), and n₁ − 1.3·n₀ = (n₁ − n₀) − 0.3·n₀, over disjoint stretches of work,
        // has ≈ (0.3 + 0.3²)·n₀·CV². Four standard deviations again, and the bound must still be
        // able to tell 1.3 from 1.
        let (n0, n1) = (b0.len() as f64, b1.len() as f64);
        let mean = w1 / n1;
        let cv2 = works.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / (n1 - 1.0) / (mean * mean);
        let sd = (0.39 * n0 * cv2).sqrt();
        assert!((n1 - 1.3 * n0).abs() < 4.0 * sd, "{what}: {n1} at 1.3 against {n0} at 1 (±{sd:.0}, CV² {cv2:.1})");
        assert!(4.0 * sd < 0.3 * n0, "{what}: the bound ±{:.0} could not tell 1.3 from 1", 4.0 * sd);
    }

    // A trace: submit times (after the start shift) divided by 1.3, to the millisecond.
    let tmp = tempfile::tempdir().unwrap();
    let submits = [2.0, 5.0, 6.0, 7.5, 13.0, 100.0, 1001.0, 3599.999, 12345.0];
    let mut swf = String::from("; MaxProcs: 16\n");
    for (i, t) in submits.iter().enumerate() {
        swf.push_str(&format!("{} {t} -1 60 4 -1 -1 4 120 -1 1 1 1 -1 1 -1 -1 -1\n", i + 1));
    }
    fs::write(tmp.path().join("few.swf"), swf).unwrap();
    let scenario = r#"name = "trace"
[run]
length = "1d"

[[cluster.nodes]]
name = "n"
count = 1
cores = 16
memory = "64GB"

[[cluster.partitions]]
name = "all"
nodes = ["n"]

[[workload]]
kind = "trace"
partition = "all"
path = "few.swf"
start = "5s"
"#;
    let trace_origin = tmp.path().join("trace.toml");
    let times = |text: &str| -> Vec<i64> {
        let sc = parse(text, &trace_origin).unwrap_or_else(|e| panic!("{e}"));
        build(&sc, 1).unwrap_or_else(|e| panic!("{e}")).workload.jobs.iter().map(|j| j.submit.0).collect()
    };
    let t0 = times(scenario);
    // The job at 2 s is before the start; the others are shifted back by 5 s.
    let want0: Vec<i64> = submits[1..].iter().map(|t| ((t - 5.0) * 1000.0_f64).round() as i64).collect();
    assert_eq!(t0, want0);
    let t1 = times(&with_run_key(scenario, "load_scale = 1.3").0);
    let want1: Vec<i64> = t0.iter().map(|&ms| (ms as f64 / 1.3).round() as i64).collect();
    assert_eq!(t1, want1, "trace submit times at load_scale 1.3");
    assert_ne!(t1, t0);

    // A factor that is not > 0 is refused with the key and its line.
    for bad in ["0", "-1"] {
        let (text, line) = with_run_key(base, &format!("load_scale = {bad}"));
        let e = parse(&text, origin).expect_err("a load_scale ≤ 0").to_string();
        let want = format!("scenarios/default.toml:{line}: run.load_scale");
        assert!(e.contains(&want) && e.contains(bad), "load_scale = {bad}: {e:?} lacks {want:?}");
    }
}

/// `--keep-runs` keeps each replication's whole run folder (data, charts, report) beside a
/// summary identical to the one a sweep without it writes, but for its record of those files.
#[test]
fn kept_runs_are_whole_run_folders_with_the_same_summaries() {
    let tmp = tempfile::tempdir().unwrap();
    let (kept, plain) = (tmp.path().join("kept"), tmp.path().join("plain"));
    let args = ["--move-nodes", "cpu:inter=2,4", "--replications", "2"];
    sweep(&kept, &[&args[..], &["--keep-runs"]].concat());
    sweep(&plain, &args);
    for (p, r) in summaries(&plain) {
        let rel = format!("points/{p}/rep-{r}");
        let dir = kept.join(&rel);
        for f in ["jobs.csv", "schedule.swf", "timeseries.csv", "report.html", "charts/wait_cdf.png"] {
            assert!(dir.join(f).is_file(), "{rel}/{f} is missing");
        }
        assert!(!dir.join(".partial").exists(), "{rel}: the temporary folder was left behind");
        let json = |d: &std::path::Path| -> serde_json::Value {
            serde_json::from_slice(&fs::read(d.join("summary.json")).unwrap()).unwrap()
        };
        let (mut a, b) = (json(&dir), json(&plain.join(&rel)));
        let files = a.as_object_mut().unwrap().remove("files").expect("a kept run records its files");
        assert!(files.get("jobs.csv").is_some(), "{rel}: {files}");
        assert_eq!(a, b, "{rel}/summary.json differs with --keep-runs");
    }
    assert_eq!(fs::read(kept.join("sweep.csv")).unwrap(), fs::read(plain.join("sweep.csv")).unwrap());
}
