//! Scenario files: every shipped scenario loads and builds; every kind of bad input gives a
//! one-line message with the right line and key path; node selection; determinism; the
//! generate round trip.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::ErrorKind;
use super::schema::SourceKind;
use super::*;
use crate::cluster::PreemptMode;
use crate::engine::Semantics;
use crate::time::{SimDuration, SimTime};
use crate::workload::job::JobClass;
use crate::workload::swf::parse_swf;

/// A small valid scenario: 8 CPU nodes and 4 GPU nodes; partition `gpu` also holds cpu7.
const BASE: &str = r#"name = "t"
[run]
length = "1d"

[[cluster.nodes]]
name = "cpu"
count = 8
cores = 4
memory = "16GB"

[[cluster.nodes]]
name = "gpu"
count = 4
cores = 8
memory = "64GB"
gpus = 2

[[cluster.partitions]]
name = "batch"
nodes = ["cpu"]

[[cluster.partitions]]
name = "gpu"
nodes = ["gpu[1-4]", "cpu7"]
"#;

const LUBLIN: &str = r#"
[[workload]]
kind = "lublin"
partition = "batch"
nodes = 8
cores_per_node = 4
load = 0.7
users = 10
"#;

const INTERACTIVE: &str = r#"
[[workload]]
kind = "interactive"
partition = "gpu"
users = 20
rate = { peak = 6.0, base = 1.0 }
cores = 2
walltime = { dist = "constant", value = "2h" }
duration = { dist = "exponential", mean = "30m" }
"#;

fn ok(text: &str) -> Scenario {
    parse(text, Path::new("x.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn err(text: &str) -> ScenarioError {
    match parse(text, Path::new("x.toml")) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e,
    }
}

/// The 1-based line of the first line of `text` containing `needle` (after line `after`).
fn line_of(text: &str, needle: &str, after: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(after)
        .find(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"))
}

/// Checks an error's line, path and that its one-line message holds `says`.
fn check(e: &ScenarioError, line: usize, path: &str, says: &str) {
    let msg = e.to_string();
    assert!(!msg.contains('\n'), "one line: {msg}");
    assert_eq!(e.line, Some(line), "{msg}");
    assert_eq!(e.path.to_string(), path, "{msg}");
    let prefix = if path.is_empty() { format!("x.toml:{line}: ") } else { format!("x.toml:{line}: {path}: ") };
    assert!(msg.starts_with(&prefix), "{msg:?} should start with {prefix:?}");
    assert!(msg.contains(says), "{msg:?} should say {says:?}");
}

/// `BASE` with `from` replaced by `to` (which must occur in it).
fn base_with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from:?}");
    BASE.replacen(from, to, 1)
}

fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("scenarios")
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_shipped_scenario_parses_validates_and_builds() {
    let files = scenario_files();
    let names: Vec<String> = files.iter().map(|p| p.file_stem().unwrap().to_string_lossy().into_owned()).collect();
    for want in ["default", "devcore", "debug-gpu", "big-interactive-pool"] {
        assert!(names.iter().any(|n| n == want), "scenarios/{want}.toml is missing");
    }
    for f in &files {
        let s = load(f).unwrap_or_else(|e| panic!("{e}"));
        assert!(s.text.starts_with('#'), "{}: starts with a comment header on what it models", f.display());
        let b = build(&s, s.run.seed).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(b.name, s.name);
        assert!(!b.workload.jobs.is_empty(), "{}", f.display());
        assert!(b.workload.jobs.windows(2).all(|w| w[0].submit <= w[1].submit));
        assert!(b.workload.jobs.iter().enumerate().all(|(i, j)| j.id == i as u64 + 1));
        assert!(b.workload.jobs.iter().all(|j| j.submit < SimTime(s.run.length.0 .0)));
        for (i, src) in s.workload.iter().enumerate() {
            let p = b.cluster.partition_named(&src.partition).expect("known partition");
            let n = b.workload.jobs.iter().filter(|j| j.partition == p && j.class == src.class).count();
            assert!(n > 0, "{}: workload[{i}] gave no job", f.display());
        }
    }
}

#[test]
fn the_embedded_default_is_the_file_and_matches_the_brief() {
    let on_disk = std::fs::read_to_string("scenarios/default.toml").expect("readable");
    assert_eq!(DEFAULT_SCENARIO, on_disk);
    let s = default_scenario();
    let b = build(&s, 1).expect("builds");
    assert_eq!(b.cluster.node_count(), 200);
    let login = b.login.as_ref().expect("login nodes");
    assert_eq!(login.0.nodes, 2);
    assert!(login.0.cpu_limit.is_some());
    assert!(!login.1.is_empty());
    let part = |n: &str| b.cluster.partition(b.cluster.partition_named(n).expect(n));
    assert_eq!(part("interactive").nodes().len(), 8);
    assert_eq!(part("interactive").limits.max_walltime, Some(SimDuration::from_secs(8 * 3600)));
    assert!(part("interactive").limits.idle_timeout.is_some());
    assert_eq!(part("devel").limits.max_walltime, Some(SimDuration::from_secs(3600)));
    assert_eq!(part("devel").limits.max_jobs_per_user, Some(1));
    assert_eq!(b.length, SimDuration::from_secs(21 * 86_400));
    assert_eq!(b.measure.warmup_end, Some(SimTime(2 * 86_400_000)));
    assert_eq!(b.measure.targets.get(&JobClass::Interactive), Some(&SimDuration::from_secs(60)));
    let count = |c: JobClass| b.workload.jobs.iter().filter(|j| j.class == c).count();
    assert!(count(JobClass::Interactive) > 500 && count(JobClass::Debug) > 100);
    // Batch work as a centre sees it: tens of thousands of jobs in three weeks, most of them
    // within one node, while a few span a large part of the machine and most of the work is in
    // jobs of whole nodes.
    let batch: Vec<_> = b.workload.jobs.iter().filter(|j| j.class == JobClass::Batch).collect();
    assert!((10_000..100_000).contains(&batch.len()), "{} batch jobs", batch.len());
    let small = batch.iter().filter(|j| j.procs() <= 32).count();
    assert!(small * 10 > batch.len() * 9, "{small} of {} batch jobs within one node", batch.len());
    assert!(batch.iter().any(|j| j.procs() >= 64 * 32), "some jobs take 64 nodes or more");
    let work = |f: &dyn Fn(u32) -> bool| -> f64 {
        batch.iter().filter(|j| f(j.task.cores)).map(|j| j.procs() as f64 * j.runtime.0 as f64).sum()
    };
    let (whole_nodes, cores) = (work(&|c| c == 32), work(&|c| c == 1));
    assert!(whole_nodes > cores, "most work in whole-node jobs: {whole_nodes} against {cores}");
}

#[test]
fn the_special_partitions_of_the_other_centres() {
    let b = |f: &str| build(&load(Path::new(f)).expect(f), 1).expect(f);
    let dev = b("scenarios/devcore.toml");
    let p = dev.cluster.partition(dev.cluster.partition_named("devcore").expect("devcore"));
    assert_eq!(p.limits.max_walltime, Some(SimDuration::from_secs(3600)));
    assert_eq!(p.limits.max_mem_per_job, Some(8 * 1024));
    assert_eq!(p.limits.max_jobs_per_user, Some(1));

    let dg = b("scenarios/debug-gpu.toml");
    for name in ["debug", "debug-gpu", "interactive"] {
        let p = dg.cluster.partition(dg.cluster.partition_named(name).expect(name));
        assert!(p.limits.idle_timeout.is_some(), "{name}");
    }
    let gpu = dg.cluster.partition(dg.cluster.partition_named("debug-gpu").expect("debug-gpu"));
    assert!(gpu.nodes().iter().all(|&n| dg.cluster.capacity(n).gpus > 0));

    let big = b("scenarios/big-interactive-pool.toml");
    assert_eq!(big.cluster.total_cores(), 10_000);
    let part = |n: &str| big.cluster.partition(big.cluster.partition_named(n).expect(n));
    assert_eq!(part("interactive").total().cores, 1_000);
    let (low, batch) = (part("interactive-low"), part("batch"));
    assert!(low.limits.priority_tier < batch.limits.priority_tier);
    assert_eq!(low.limits.preempt, PreemptMode::Suspend);
    assert!(low.nodes().iter().all(|&n| batch.contains(n)), "interactive-low overlaps the batch nodes");
    assert_eq!(part("interactive").limits.max_walltime, Some(SimDuration::from_secs(7200)));
}

#[test]
fn defaults_apply_when_keys_are_left_out() {
    let s = ok(BASE);
    assert_eq!(s.run.warmup.0, SimDuration::ZERO);
    assert_eq!(s.run.seed, 1);
    assert_eq!(s.run.sample_every.0, SimDuration::from_secs(300));
    assert_eq!(s.run.semantics, Semantics::Schedsim);
    assert_eq!(s.description, "");
    assert!(s.login.is_none() && s.workload.is_empty());
    assert_eq!(
        (s.policy.order.as_str(), s.policy.backfill.as_str(), s.policy.estimate.as_str()),
        ("fcfs", "easy", "requested")
    );
    assert!(!s.policy.interactive_boost);
    assert_eq!(s.cluster.nodes[0].gpus, 0);
    assert_eq!(s.cluster.partitions[0].preempt, schema::PreemptSpec::Off);
    let b = build(&s, 1).expect("builds");
    assert!(b.workload.jobs.is_empty());
    assert_eq!(b.measure.warmup_end, None);
    assert!(b.measure.targets.is_empty());
}

#[test]
fn semantics_is_read_and_an_unknown_one_is_named() {
    let s = ok(&base_with("length = \"1d\"", "length = \"1d\"\nsemantics = \"pyss\""));
    assert_eq!(s.run.semantics, Semantics::Pyss);
    assert_eq!(build(&s, 1).expect("builds").semantics, Semantics::Pyss);
    let text = base_with("length = \"1d\"", "length = \"1d\"\nsemantics = \"batsim\"");
    check(
        &err(&text),
        line_of(&text, "semantics", 0),
        "run.semantics",
        "unknown value \"batsim\" (expected schedsim or pyss)",
    );
}

#[test]
fn units_are_read_into_milliseconds_and_mebibytes() {
    let s = ok(&format!(
        "{}{}",
        base_with("length = \"1d\"", "length = \"1.5d\"\nwarmup = \"90m\"\nsample_every = \"30s\""),
        "[outputs]\ntargets = { interactive = \"1m\", batch = \"4h\", debug = \"500ms\" }\n"
    ));
    assert_eq!(s.run.length.0, SimDuration::from_secs(129_600));
    assert_eq!(s.run.warmup.0, SimDuration::from_secs(5400));
    assert_eq!(s.run.sample_every.0, SimDuration::from_secs(30));
    let t = s.outputs.targets.by_class();
    assert_eq!(t[&JobClass::Debug], SimDuration(500));
    assert_eq!(t[&JobClass::Batch], SimDuration::from_secs(4 * 3600));
    let b = build(&s, 1).expect("builds");
    assert_eq!(b.cluster.capacity(0).mem, 16 * 1024);
    assert_eq!(b.cluster.capacity(8).gpus, 2);
    let big = ok(&base_with("memory = \"64GB\"", "memory = \"1.5TB\""));
    assert_eq!(big.cluster.nodes[1].memory.0, 1_572_864);
}

#[test]
fn node_groups_ranges_and_single_nodes_select_node_ids() {
    let s = ok(&base_with("nodes = [\"cpu\"]", "nodes = [\"cpu[1-3,6]\", \"gpu2\", \"cpu3\"]"));
    let r = s.cluster.resolve().expect("resolves");
    assert_eq!(r.nodes.len(), 12);
    // Node ids in group order: cpu1..cpu8 are 0..7, gpu1..gpu4 are 8..11.
    assert_eq!(r.partitions[0].1, vec![0, 1, 2, 5, 9]);
    assert_eq!(r.partitions[1].1, vec![6, 8, 9, 10, 11]);
    assert_eq!(r.node_name(9), "gpu2");
    assert_eq!(r.node_name(0), "cpu1");
}

#[test]
fn partitions_may_overlap() {
    let s = ok(BASE);
    let b = build(&s, 1).expect("builds");
    let (batch, gpu) = (b.cluster.partition(0), b.cluster.partition(1));
    assert_eq!(batch.nodes(), &[0, 1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(gpu.nodes(), &[6, 8, 9, 10, 11]);
    assert!(batch.contains(6) && gpu.contains(6));
    assert_eq!(gpu.total().cores, 4 + 4 * 8);
}

#[test]
fn build_is_deterministic_and_sources_have_their_own_streams() {
    let s = ok(&format!("{BASE}{LUBLIN}{INTERACTIVE}"));
    let a = build(&s, 7).expect("builds");
    let b = build(&s, 7).expect("builds");
    assert_eq!(a.workload.jobs, b.workload.jobs);
    assert!(a.workload.jobs.iter().any(|j| j.class == JobClass::Batch));
    assert!(a.workload.jobs.iter().any(|j| j.class == JobClass::Interactive && j.partition == 1));
    assert!(a.workload.jobs.iter().filter(|j| j.class == JobClass::Batch).all(|j| (1..=10).contains(&j.meta.user)));
    let c = build(&s, 8).expect("builds");
    assert_ne!(a.workload.jobs, c.workload.jobs);

    // Adding a source after the others leaves their jobs as they were.
    let third = INTERACTIVE.replace("partition = \"gpu\"", "partition = \"batch\"");
    let more = ok(&format!("{BASE}{LUBLIN}{INTERACTIVE}{third}"));
    let d = build(&more, 7).expect("builds");
    let of = |b: &Built, class: JobClass, part: u16| -> Vec<(SimTime, SimDuration, i64)> {
        b.workload
            .jobs
            .iter()
            .filter(|j| j.class == class && j.partition == part)
            .map(|j| (j.submit, j.runtime, j.meta.user))
            .collect()
    };
    assert_eq!(of(&a, JobClass::Batch, 0), of(&d, JobClass::Batch, 0));
    assert_eq!(of(&a, JobClass::Interactive, 1), of(&d, JobClass::Interactive, 1));
    assert!(!of(&d, JobClass::Interactive, 0).is_empty());
    assert!(d.workload.jobs.iter().enumerate().all(|(i, j)| j.id == i as u64 + 1));
}

#[test]
fn generated_swf_reads_back_as_the_same_jobs() {
    let s = ok(&format!("{BASE}{LUBLIN}{INTERACTIVE}"));
    let b = build(&s, 3).expect("builds");
    let mut buf = Vec::new();
    swf_out::write_generated_swf(&mut buf, &b).expect("writes");
    let back = parse_swf(buf.as_slice(), Path::new("gen.swf")).expect("valid SWF");
    assert_eq!(back.max_procs, Some(4 * 8 + 8 * 4));
    assert_eq!(back.max_nodes, Some(12));
    assert_eq!(back.jobs.len(), b.workload.jobs.len());
    assert!(back.skipped.is_empty(), "{:?}", back.skipped);
    assert_eq!(back.notes.len(), 1, "only the note that the queue numbers are classes: {:?}", back.notes);
    for (got, want) in back.jobs.iter().zip(&b.workload.jobs) {
        assert_eq!(got.class, want.class);
        assert_eq!(
            (got.id, got.submit, got.runtime, got.requested_time, got.procs(), got.meta.user),
            (want.id, want.submit, want.runtime, want.requested_time, want.procs(), want.meta.user)
        );
        assert_eq!(got.meta.queue, swf_out::queue_of(want.class));
        assert_eq!(got.meta.partition, i64::from(want.partition) + 1);
    }
}

#[test]
fn trace_sources_are_relative_to_the_scenario_and_cut_to_the_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let trace = "; MaxProcs: 32\n\
                 1 0 -1 100 4 -1 -1 4 200 -1 -1 1 -1 -1 -1 -1 -1 -1\n\
                 2 50 -1 100 2 -1 -1 2 -1 -1 -1 2 -1 -1 -1 -1 -1 -1\n\
                 3 4000 -1 10 1 -1 -1 1 60 -1 -1 3 -1 -1 -1 -1 -1 -1\n\
                 4 90000 -1 10 1 -1 -1 1 60 -1 -1 3 -1 -1 -1 -1 -1 -1\n";
    std::fs::create_dir(dir.path().join("traces")).expect("mkdir");
    std::fs::write(dir.path().join("traces/t.swf"), trace).expect("write trace");
    let text = format!(
        "{}\n[[workload]]\nkind = \"trace\"\npartition = \"gpu\"\nclass = \"debug\"\npath = \"traces/t.swf\"\nstart = \"40s\"\n",
        base_with("nodes = [\"gpu[1-4]\", \"cpu7\"]", "nodes = [\"gpu[1-4]\", \"cpu7\"]\nmax_walltime = \"90s\"")
    );
    let file = dir.path().join("s.toml");
    std::fs::write(&file, &text).expect("write scenario");
    let s = load(&file).expect("loads");
    let b = build(&s, 1).expect("builds");
    let jobs = &b.workload.jobs;
    assert_eq!(jobs.len(), 2, "job 1 is before the start, job 4 after the run's day");
    assert_eq!(
        (jobs[0].submit, jobs[0].procs(), jobs[0].class, jobs[0].partition),
        (SimTime(10_000), 2, JobClass::Debug, 1)
    );
    assert_eq!(jobs[1].submit, SimTime(3_960_000));
    assert_eq!(b.workload.skipped.get(build::SKIP_BEFORE_START), Some(&1));
    assert_eq!(b.workload.skipped.get(build::SKIP_AFTER_LENGTH), Some(&1));
    assert_eq!(b.workload.lacking_requested_time, 1);
    assert!(b.workload.notes.iter().any(|n| n.starts_with("workload[0] (trace): ")));
    assert!(
        b.workload.notes.contains(&"workload[0] (trace): 1 job requests more than partition \"gpu\"'s max_walltime (90 s) and will be rejected".to_string()),
        "{:?}",
        b.workload.notes
    );

    // The same scenario read from elsewhere (here: the crate's folder) does not find the trace.
    let e = err(&text);
    check(&e, line_of(&text, "path = ", 0), "workload[0].path", "does not exist");
    assert!(matches!(*e.kind, ErrorKind::TraceUnusable { .. }));
}

// ---- bad input: one line, the right line number and key path ----

#[test]
fn the_example_message_of_the_brief() {
    let text = base_with("nodes = [\"gpu[1-4]\", \"cpu7\"]", "nodes = [\"gpu9\"]");
    let e = err(&text);
    assert_eq!(
        e.to_string(),
        format!(
            "x.toml:{}: cluster.partitions[1].nodes[0]: no node or group \"gpu9\" (groups: cpu, gpu; nodes cpu1..cpu8, gpu1..gpu4)",
            line_of(&text, "gpu9", 0)
        )
    );
    assert!(matches!(*e.kind, ErrorKind::UnknownNode { .. }));
}

#[test]
fn syntax_errors_give_the_line() {
    let text = base_with("count = 4\n", "count = = 4\n");
    let e = err(&text);
    check(&e, line_of(&text, "count = =", 0), "", "invalid TOML");
    assert!(matches!(*e.kind, ErrorKind::Syntax(_)));
}

#[test]
fn unknown_keys_are_refused_everywhere() {
    let text = base_with("length = \"1d\"", "length = \"1d\"\nlenght = \"2d\"");
    check(
        &err(&text),
        line_of(&text, "lenght", 0),
        "run.lenght",
        "unknown key `lenght` (expected one of length, warmup, seed, sample_every, load_scale, semantics)",
    );

    let text = base_with("gpus = 2", "gpus = 2\nfeatures = [\"a100\"]");
    check(&err(&text), line_of(&text, "features", 0), "cluster.nodes[1].features", "unknown key `features`");

    let text = format!("{BASE}[policy]\norder = \"fcfs\"\nbackfil = \"easy\"\n");
    check(&err(&text), line_of(&text, "backfil", 0), "policy.backfil", "unknown key");

    let text = format!("{BASE}[outputs]\ntargets = {{ interactive = \"1m\", gpu = \"1h\" }}\n");
    check(&err(&text), line_of(&text, "targets", 0), "outputs.targets.gpu", "unknown key `gpu`");

    let text = format!("{BASE}[extra]\nx = 1\n");
    check(&err(&text), line_of(&text, "[extra]", 0), "extra", "unknown key `extra`");

    // Inside a workload source (read in a second step, without the parser's spans).
    let text = format!("{BASE}{LUBLIN}").replace("users = 10", "users = 10\nusres = 3");
    check(&err(&text), line_of(&text, "usres", 0), "workload[0].usres", "unknown key `usres`");
    let text = format!("{BASE}{INTERACTIVE}").replace("cores = 2", "cores = 2\nnodes = 1");
    check(&err(&text), line_of(&text, "nodes = 1", 0), "workload[0].nodes", "unknown key `nodes`");
}

#[test]
fn wrong_units_and_types_name_the_key() {
    let text = base_with("length = \"1d\"", "length = \"3 weeks\"");
    check(&err(&text), 3, "run.length", "expected a duration with a unit");

    let text = base_with("length = \"1d\"", "length = 86400");
    check(&err(&text), 3, "run.length", "with a unit in quotes");

    let text = base_with("memory = \"64GB\"", "memory = \"64\"");
    check(&err(&text), line_of(&text, "memory = \"64\"", 0), "cluster.nodes[1].memory", "expected memory with a unit");

    let text = base_with("count = 4", "count = \"four\"");
    check(
        &err(&text),
        line_of(&text, "four", 0),
        "cluster.nodes[1].count",
        "invalid type: string \"four\", expected a whole number ≥ 0",
    );

    let text = base_with("count = 4", "count = -4");
    check(&err(&text), line_of(&text, "count = -4", 0), "cluster.nodes[1].count", "expected a whole number ≥ 0");

    let text = base_with("nodes = [\"cpu\"]", "nodes = [\"cpu\", 7]");
    check(&err(&text), line_of(&text, "\"cpu\", 7", 0), "cluster.partitions[0].nodes[1]", "invalid type: integer `7`");

    let text = format!("{BASE}{INTERACTIVE}").replace("cores = 2", "cores = 2\nmemory = \"16\"");
    check(&err(&text), line_of(&text, "memory = \"16\"", 0), "workload[0].memory", "expected memory with a unit");

    let text = format!("{BASE}{INTERACTIVE}").replace("mean = \"30m\"", "mean = 1800");
    check(&err(&text), line_of(&text, "duration =", 0), "workload[0].duration", "with a unit in quotes");

    let text = format!("{BASE}{LUBLIN}").replace("kind = \"lublin\"", "kind = \"lublin\"\nclass = \"urgent\"");
    check(&err(&text), line_of(&text, "urgent", 0), "workload[0].class", "expected one of batch, interactive, debug");

    let text = format!("{BASE}{LUBLIN}").replace("partition = \"batch\"", "partition = 3");
    check(&err(&text), line_of(&text, "partition = 3", 0), "workload[0].partition", "invalid type: integer");

    let text = base_with("name = \"gpu\"\nnodes", "name = \"gpu\"\npreempt = \"pause\"\nnodes");
    check(
        &err(&text),
        line_of(&text, "pause", 0),
        "cluster.partitions[1].preempt",
        "unknown value \"pause\" (expected one of off, cancel, requeue, suspend)",
    );
}

#[test]
fn missing_keys_and_kinds() {
    let text = base_with("length = \"1d\"", "seed = 4");
    check(&err(&text), 2, "run", "missing key `length`");

    let text = BASE.replacen("name = \"t\"\n", "", 1);
    check(&err(&text), 1, "", "missing key `name`");

    let text = format!("{BASE}{LUBLIN}").replace("kind = \"lublin\"", "kind = \"swf\"");
    check(
        &err(&text),
        line_of(&text, "\"swf\"", 0),
        "workload[0].kind",
        "unknown source kind \"swf\" (expected trace, sacct, lublin or interactive)",
    );

    let text = format!("{BASE}{LUBLIN}").replace("kind = \"lublin\"\n", "");
    check(&err(&text), line_of(&text, "[[workload]]", 0), "workload[0]", "missing key `kind`");

    let text = format!("{BASE}{LUBLIN}").replace("load = 0.7\n", "");
    check(&err(&text), line_of(&text, "[[workload]]", 0), "workload[0]", "missing key `load`");
}

#[test]
fn nodes_and_partitions_that_do_not_exist() {
    let text = base_with("nodes = [\"cpu\"]", "nodes = [\"cpu\", \"bigmem\"]");
    let e = err(&text);
    check(&e, line_of(&text, "bigmem", 0), "cluster.partitions[0].nodes[1]", "no node or group \"bigmem\"");

    let text = base_with("nodes = [\"cpu\"]", "nodes = [\"cpu0\"]");
    check(&err(&text), line_of(&text, "cpu0", 0), "cluster.partitions[0].nodes[0]", "no node or group \"cpu0\"");

    let text = base_with("nodes = [\"cpu\"]", "nodes = [\"cpu[2-1]\"]");
    check(
        &err(&text),
        line_of(&text, "cpu[2-1]", 0),
        "cluster.partitions[0].nodes[0]",
        "ranges of node numbers from 1",
    );

    let text = base_with("nodes = [\"cpu\"]", "nodes = []");
    check(&err(&text), line_of(&text, "nodes = []", 0), "cluster.partitions[0].nodes", "at least one node");

    let text = format!("{BASE}{LUBLIN}").replace("partition = \"batch\"", "partition = \"short\"");
    let e = err(&text);
    check(
        &e,
        line_of(&text, "\"short\"", 0),
        "workload[0].partition",
        "no partition \"short\" (partitions: batch, gpu)",
    );
    assert!(matches!(*e.kind, ErrorKind::UnknownPartition { .. }));

    let text = base_with("name = \"gpu\"\nnodes", "name = \"batch\"\nnodes");
    check(
        &err(&text),
        line_of(&text, "name = \"batch\"", 20),
        "cluster.partitions[1].name",
        "partition \"batch\" is defined twice (first at cluster.partitions[0])",
    );

    let text = base_with("name = \"gpu\"\ncount", "name = \"cpu\"\ncount");
    check(&err(&text), line_of(&text, "name = \"cpu\"", 6), "cluster.nodes[1].name", "defined twice");

    let text = base_with("name = \"gpu\"\ncount", "name = \"gpu2\"\ncount");
    check(&err(&text), line_of(&text, "gpu2", 0), "cluster.nodes[1].name", "does not end with a digit");
}

#[test]
fn pools_larger_than_the_cluster() {
    let text = base_with("\"gpu[1-4]\"", "\"gpu[1-8]\"");
    let e = err(&text);
    check(
        &e,
        line_of(&text, "gpu[1-8]", 0),
        "cluster.partitions[1].nodes[0]",
        "\"gpu[1-8]\" asks for gpu nodes up to gpu8, but group gpu has 4 (gpu1..gpu4)",
    );
    assert!(matches!(*e.kind, ErrorKind::PoolTooLarge(_)));

    // A session bigger than any node of its partition.
    let text = format!("{BASE}{INTERACTIVE}").replace("cores = 2", "cores = 16");
    let e = err(&text);
    check(
        &e,
        line_of(&text, "cores = 16", 0),
        "workload[0].cores",
        "a session asks for 16 cores, but no node of partition \"gpu\" holds that much",
    );
    assert!(matches!(*e.kind, ErrorKind::PoolTooLarge(_)));
    let text = format!("{BASE}{INTERACTIVE}").replace("cores = 2", "cores = 2\ngpus = 3");
    check(&err(&text), line_of(&text, "gpus = 3", 0), "workload[0].gpus", "at most 8 cores, 65536 MiB, 2 GPUs");

    let text = base_with("count = 8", "count = 2000000");
    check(&err(&text), line_of(&text, "2000000", 0), "cluster.nodes[0].count", "at most 1000000 nodes");
    // 4096 nodes of 2 TB overflow the cluster's 32-bit memory total: refused, not wrapped.
    let text = base_with("count = 8\ncores = 4\nmemory = \"16GB\"", "count = 4096\ncores = 4\nmemory = \"2TB\"");
    check(&err(&text), line_of(&text, "memory = \"2TB\"", 0), "cluster.nodes[0].memory", "in the whole cluster");
}

#[test]
fn negative_rates_loads_and_policies() {
    let text = format!("{BASE}{INTERACTIVE}").replace("base = 1.0", "base = -1.0");
    let e = err(&text);
    check(
        &e,
        line_of(&text, "base = -1.0", 0),
        "workload[0].rate.base",
        "expected arrivals per hour, a finite number ≥ 0, found -1",
    );

    let text = format!("{BASE}[login]\nnodes = 2\ncores = 8\n[login.processes]\nusers = 3\nrate = {{ base = -5.0 }}\ncpu_demand = {{ dist = \"constant\", value = \"1s\" }}\n");
    check(&err(&text), line_of(&text, "base = -5.0", 0), "login.processes.rate.base", "found -5");

    for load in ["0", "0.0", "-0.5", "1.6", "nan"] {
        let text = format!("{BASE}{LUBLIN}").replace("load = 0.7", &format!("load = {load}"));
        check(&err(&text), line_of(&text, "load = ", 0), "workload[0].load", "expected an offered load in (0, 1.5]");
    }
    ok(&format!("{BASE}{LUBLIN}").replace("load = 0.7", "load = 1.5"));

    let text = format!("{BASE}[policy]\norder = \"fifo\"\n");
    let e = err(&text);
    check(&e, line_of(&text, "fifo", 0), "policy.order", "unknown queue order \"fifo\"");
    assert!(matches!(*e.kind, ErrorKind::Policy(_)));
    let text = format!("{BASE}[policy]\nbackfill = \"easy[depth=3]\"\n");
    check(&err(&text), line_of(&text, "depth", 0), "policy.backfill", "unknown parameter");
    let text = format!("{BASE}[policy]\nestimate = \"oracle\"\n");
    check(&err(&text), line_of(&text, "oracle", 0), "policy.estimate", "unknown runtime estimate");
}

#[test]
fn warmup_and_lengths() {
    let text = base_with("length = \"1d\"", "length = \"1d\"\nwarmup = \"2d\"");
    let e = err(&text);
    check(&e, line_of(&text, "warmup", 0), "run.warmup", "warm-up 172800s is not shorter than the run length 86400s");
    assert!(matches!(*e.kind, ErrorKind::WarmupTooLong { .. }));
    let text = base_with("length = \"1d\"", "length = \"1d\"\nwarmup = \"1d\"");
    check(&err(&text), 4, "run.warmup", "not shorter");
    let text = base_with("length = \"1d\"", "length = \"0s\"");
    check(&err(&text), 3, "run.length", "a run length > 0");
    let text =
        base_with("name = \"batch\"\nnodes = [\"cpu\"]", "name = \"batch\"\nnodes = [\"cpu\"]\nmax_walltime = \"0s\"");
    check(&err(&text), line_of(&text, "max_walltime", 0), "cluster.partitions[0].max_walltime", "a duration > 0");
    let text =
        base_with("name = \"batch\"\nnodes = [\"cpu\"]", "name = \"batch\"\nnodes = [\"cpu\"]\nmax_jobs_per_user = 0");
    check(&err(&text), line_of(&text, "max_jobs_per_user", 0), "cluster.partitions[0].max_jobs_per_user", "at least 1");
}

#[test]
fn unreadable_files_name_the_file() {
    let e = load(Path::new("scenarios/no-such-file.toml")).expect_err("missing");
    assert!(e.to_string().starts_with("scenarios/no-such-file.toml: cannot read the scenario"), "{e}");
    assert!(matches!(*e.kind, ErrorKind::Io(_)));
}

#[test]
fn no_input_makes_the_reader_panic() {
    // Every prefix, and every single-byte change to a few characters, of a full scenario.
    let full =
        format!("{BASE}{LUBLIN}{INTERACTIVE}[policy]\norder = \"sjf\"\n[outputs]\ntargets = {{ batch = \"1h\" }}\n");
    let bytes = full.as_bytes();
    let mut texts: Vec<String> =
        (0..bytes.len()).step_by(3).filter_map(|i| full.get(..i).map(str::to_string)).collect();
    for i in (0..bytes.len()).step_by(5) {
        for b in [b'[', b']', b'"', b'=', b'\n', b'0', b'-', b'x', b'.'] {
            let mut v = bytes.to_vec();
            v[i] = b;
            if let Ok(t) = String::from_utf8(v) {
                texts.push(t);
            }
        }
    }
    texts.extend(["".into(), "\u{0}".into(), "[[[[".into(), "a = [".repeat(200), "x.toml = 1".into()]);
    for t in &texts {
        if let Ok(s) = parse(t, Path::new("x.toml")) {
            let _ = build(&s, 1);
        } else if let Err(e) = parse(t, Path::new("x.toml")) {
            let msg = e.to_string();
            assert!(!msg.contains('\n') && msg.starts_with("x.toml"), "{msg:?}");
        }
    }
}

#[test]
fn errors_found_while_building_are_located_too() {
    // The interactive generator refuses a rate that would expect too many sessions; that is
    // only known with the run's length, at build time.
    let text = format!("{BASE}{INTERACTIVE}").replace("peak = 6.0, base = 1.0", "base = 1e12");
    let s = ok(&text);
    let e = build(&s, 1).expect_err("too many sessions");
    assert_eq!(e.line, Some(line_of(&text, "base = 1e12", 0)), "{e}");
    assert!(e.path.to_string().starts_with("workload[0].rate"), "{e}");
}

#[test]
fn sources_by_kind() {
    let s = ok(&format!("{BASE}{LUBLIN}{INTERACTIVE}"));
    let kinds: Vec<&str> = s.workload.iter().map(|w| w.kind.name()).collect();
    assert_eq!(kinds, ["lublin", "interactive"]);
    assert_eq!(s.workload[0].class, JobClass::Batch);
    assert_eq!(s.workload[1].class, JobClass::Interactive);
    let SourceKind::Lublin(l) = &s.workload[0].kind else { panic!("lublin") };
    assert_eq!(l.users, Some(10));
    let b = build(&s, 2).expect("builds");
    // Lublin jobs take whole nodes of their partition.
    assert!(b.workload.jobs.iter().filter(|j| j.class == JobClass::Batch).all(|j| j.task.cores == 4 && j.tasks <= 8));
    let per_class: BTreeMap<JobClass, usize> = b.workload.jobs.iter().fold(BTreeMap::new(), |mut m, j| {
        *m.entry(j.class).or_insert(0) += 1;
        m
    });
    assert_eq!(per_class.len(), 2);
}

#[test]
fn account_trees_that_cannot_be_built_name_the_entry_and_line() {
    let tree = "\n[[accounts]]\nname = \"phys\"\nshares = 40\n\n[[accounts]]\nname = \"hep\"\nparent = \"phys\"\nusers = [1, 2]\n";
    ok(&format!("{BASE}{tree}"));
    let text = format!("{BASE}{tree}").replace("parent = \"phys\"", "parent = \"chem\"");
    check(&err(&text), line_of(&text, "parent = \"chem\"", 0), "accounts[1].parent", "unknown parent account \"chem\"");
    let text = format!("{BASE}{tree}").replace("shares = 40", "shares = 40\nparent = \"hep\"");
    check(&err(&text), line_of(&text, "parent = \"hep\"", 0), "accounts[0].parent", "a cycle in the account tree");
    let text = format!("{BASE}{tree}").replace("shares = 40", "shares = -40");
    check(&err(&text), line_of(&text, "shares = -40", 0), "accounts[0].shares", "expected shares >= 0, found -40");
    let text = format!("{BASE}{tree}").replace("users = [1, 2]", "user = [1, 2]");
    check(&err(&text), line_of(&text, "user = [1, 2]", 0), "accounts[1].user", "unknown");
}

#[test]
fn listed_users_are_charged_to_their_first_account() {
    let tree = "\n[[accounts]]\nname = \"a\"\nusers = [1, 2]\n\n[[accounts]]\nname = \"b\"\nusers = [2, 3]\n";
    let built = build(&ok(&format!("{BASE}{LUBLIN}{tree}")), 1).unwrap();
    let w = &built.workload;
    assert_eq!(w.accounts, ["a", "b"]);
    assert_eq!(w.account_tree.len(), 2);
    for j in &w.jobs {
        let want = match j.meta.user {
            1 | 2 => Some(0),
            3 => Some(1),
            _ => None,
        };
        assert_eq!(j.account, want, "user {}", j.meta.user);
    }
    assert!(w.jobs.iter().any(|j| j.account == Some(1)) && w.jobs.iter().any(|j| j.account.is_none()));
}

const QOS: &str = "\n[[qos]]\nname = \"normal\"\n\n[[qos]]\nname = \"high\"\npriority = 10\nmax_jobs_per_user = 2\npreempt = [\"normal\"]\n";

#[test]
fn jobs_take_the_source_qos_else_the_partition_default() {
    let text = format!("{BASE}{LUBLIN}{QOS}").replace(
        "name = \"batch\"\nnodes = [\"cpu\"]",
        "name = \"batch\"\nnodes = [\"cpu\"]\ndefault_qos = \"normal\"\npriority_job_factor = 5\ndefault_time = \"10m\"\n\
         preempt = \"requeue\"",
    );
    let built = build(&ok(&text), 1).unwrap();
    let w = &built.workload;
    assert_eq!(w.qos_names, ["normal"]);
    assert_eq!(w.qos.len(), 1);
    assert!(w.jobs.iter().all(|j| j.qos == Some(0)));
    let batch = built.cluster.partition(0);
    assert_eq!(batch.limits.priority_job_factor, Some(5));
    assert_eq!(batch.limits.default_time, Some(SimDuration::from_secs(600)));
    // The source's own QOS wins over the partition's default.
    let forced = text.replacen("kind = \"lublin\"", "kind = \"lublin\"\nqos = \"high\"", 1);
    let built = build(&ok(&forced), 1).unwrap();
    let w = &built.workload;
    let high = w.qos_names.iter().position(|n| n == "high").unwrap() as u32;
    assert!(w.jobs.iter().all(|j| j.qos == Some(high)));
    assert_eq!(w.qos[high as usize].max_jobs_per_user, Some(2));
    assert_eq!(w.qos[high as usize].priority, 10);
}

#[test]
fn an_undefined_or_bad_qos_is_refused_with_its_key_and_line() {
    let text = format!("{BASE}{LUBLIN}{QOS}").replacen("kind = \"lublin\"", "kind = \"lublin\"\nqos = \"gold\"", 1);
    check(
        &err(&text),
        line_of(&text, "qos = \"gold\"", 0),
        "workload[0].qos",
        "QOS \"gold\" is not defined in [[qos]] (defined: normal, high)",
    );
    let text =
        base_with("name = \"batch\"\nnodes = [\"cpu\"]", "name = \"batch\"\nnodes = [\"cpu\"]\ndefault_qos = \"gold\"");
    check(
        &err(&text),
        line_of(&text, "default_qos", 0),
        "cluster.partitions[0].default_qos",
        "QOS \"gold\" is not defined in [[qos]] (defined: none is defined)",
    );
    let text = format!("{BASE}{QOS}").replace("preempt = [\"normal\"]", "preempt = [\"normal\", \"low\"]");
    check(&err(&text), line_of(&text, "preempt =", 0), "qos[1].preempt[1]", "QOS \"low\" is not defined");
    let text = format!("{BASE}{QOS}").replace("name = \"high\"", "name = \"normal\"");
    let second = line_of(&text, "name = \"normal\"", line_of(&text, "name = \"normal\"", 0));
    check(&err(&text), second, "qos[1].name", "qos[0]");
    let text = format!("{BASE}{QOS}").replace("max_jobs_per_user = 2", "max_jobs_per_user = 0");
    check(&err(&text), line_of(&text, "max_jobs_per_user = 0", 0), "qos[1].max_jobs_per_user", "at least 1");
    let text = format!("{BASE}{QOS}").replace("priority = 10", "priority = -10");
    check(&err(&text), line_of(&text, "priority = -10", 0), "qos[1].priority", "");
    let text = format!("{BASE}{QOS}").replace("priority = 10", "usage_factor = -1.5");
    check(&err(&text), line_of(&text, "usage_factor", 0), "qos[1].usage_factor", "≥ 0");
    let text = format!("{BASE}{QOS}").replace("priority = 10", "max_walltime = \"1h\"");
    check(&err(&text), line_of(&text, "max_walltime", 0), "qos[1].max_walltime", "unknown key");
    let text = format!("{BASE}{LUBLIN}{QOS}\n[policy]\nbackfill = \"conservative\"\n");
    check(&err(&text), line_of(&text, "backfill = ", 0), "policy.backfill", "use none, easy or slurm");
}

#[test]
fn qos_preemption_that_is_not_simulated_is_refused_with_its_key_and_line() {
    let requeue = |text: &str| text.replacen("nodes = [\"cpu\"]", "nodes = [\"cpu\"]\npreempt = \"requeue\"", 1);
    ok(&requeue(&format!("{BASE}{QOS}")));
    // No partition lets its jobs be preempted: the lists would do nothing.
    let text = format!("{BASE}{QOS}");
    check(&err(&text), line_of(&text, "preempt =", 0), "qos[1].preempt", "set a partition's preempt to \"cancel\"");
    // Suspension needs Slurm's gang scheduling.
    let text = format!("{BASE}{QOS}").replacen("nodes = [\"cpu\"]", "nodes = [\"cpu\"]\npreempt = \"suspend\"", 1);
    check(
        &err(&text),
        line_of(&text, "preempt = \"suspend\"", 0),
        "cluster.partitions[0].preempt",
        "\"suspend\" with QOS preemption (qos[1].preempt) is not simulated",
    );
    // Preempting one's own QOS needs PreemptMode=WITHIN.
    let text = requeue(&format!("{BASE}{QOS}")).replace("preempt = [\"normal\"]", "preempt = [\"normal\", \"high\"]");
    check(&err(&text), line_of(&text, "preempt = [", 0), "qos[1].preempt[1]", "QOS \"high\" lists itself");
    // Tiers and QOS lists both preempting: Slurm has one PreemptType. The gpu partition shares
    // cpu7 with batch.
    let text = requeue(&format!("{BASE}{QOS}")).replacen(
        "nodes = [\"gpu[1-4]\", \"cpu7\"]",
        "nodes = [\"gpu[1-4]\", \"cpu7\"]\npriority_tier = 1",
        1,
    );
    check(
        &err(&text),
        line_of(&text, "preempt = \"requeue\"", 0),
        "cluster.partitions[0].preempt",
        "partition \"batch\" may be preempted by partition \"gpu\"",
    );
}

#[test]
fn bad_slurm_policies_are_refused_with_the_policy_key_and_line() {
    let text = format!("{BASE}\n[policy]\norder = \"multifactor[age=-1000]\"\n");
    check(
        &err(&text),
        line_of(&text, "age=-1000", 0),
        "policy.order",
        "parameter age: expected a number in [0, 4294967295]",
    );
    let text = format!("{BASE}\n[policy]\norder = \"multifactor[agee=1]\"\n");
    check(&err(&text), line_of(&text, "agee", 0), "policy.order", "unknown parameter \"agee\"");
    let text = format!("{BASE}\n[policy]\nbackfill = \"slurm[bf_window=60]\"\n");
    check(&err(&text), line_of(&text, "bf_window", 0), "policy.backfill", "unknown parameter \"bf_window\"");
    let text = format!("{BASE}\n[policy]\nbackfill = \"slurm[resolution=-60]\"\n");
    check(
        &err(&text),
        line_of(&text, "resolution=-60", 0),
        "policy.backfill",
        "parameter resolution: expected a number in [0, 3600]",
    );
}
