//! Benchmarks of the engine and policies: a synthetic Lublin workload (always available) on
//! a flat machine and on a node-aware one; when `../shared/traces` exists, the real traces
//! the README's speed table uses, and Slurm's priority and backfill on HPC2N; and whole
//! scenarios (build and run); and the writers of a run's files. Run with
//! `cargo bench --bench engine`.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use schedsim::cluster::Cluster;
use schedsim::experiment::{execute, run_one, PolicyChoice, RunPlan};
use schedsim::rng;
use schedsim::scenario;
use schedsim::workload::lublin::{self, Extent, LublinConfig, Population};
use schedsim::workload::{swf, Workload};

fn policy(order: &str, backfill: &str) -> PolicyChoice {
    PolicyChoice { order: order.into(), backfill: backfill.into(), estimate: "requested".into() }
}

fn synthetic(nodes: u32, jobs: usize, load: f64) -> Workload {
    let mut cfg = LublinConfig::new(nodes, Population::Batch);
    cfg.target_load = Some(load);
    lublin::generate_workload(&cfg, Extent::Jobs(jobs), &mut rng::stream(1, 0, "bench")).expect("valid config")
}

fn policies(c: &mut Criterion) {
    let w = synthetic(256, 10_000, 0.9);
    let mut g = c.benchmark_group("lublin10k_load0.9");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    for bf in ["none", "easy", "conservative"] {
        for order in ["fcfs", "sjf"] {
            let p = policy(order, bf);
            g.bench_with_input(BenchmarkId::new("flat256", p.label()), &p, |b, p| {
                b.iter(|| run_one(&w, Cluster::flat(256), p).unwrap())
            });
        }
        let p = policy("fcfs", bf);
        g.bench_with_input(BenchmarkId::new("64x4_nodes", p.label()), &p, |b, p| {
            b.iter(|| run_one(&w, Cluster::uniform(64, 4), p).unwrap())
        });
    }
    g.finish();
}

fn traces(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/traces");
    if !dir.is_dir() {
        eprintln!("skipping trace benchmarks: {} not found", dir.display());
        return;
    }
    let mut g = c.benchmark_group("traces");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    let hpc2n = dir.join("HPC2N-2002-2.2-cln.swf.gz");
    g.bench_function("parse/HPC2N", |b| b.iter(|| swf::read_swf(&hpc2n).unwrap()));
    for (file, bf) in [
        ("lublin_256.swf.gz", "easy"),
        ("lublin_256.swf.gz", "conservative"),
        ("HPC2N-2002-2.2-cln.swf.gz", "easy"),
        ("KTH-SP2-1996-2.1-cln.swf.gz", "conservative"),
    ] {
        let w = swf::read_swf(&dir.join(file)).unwrap();
        let procs = w.max_procs.or(w.max_nodes).unwrap();
        g.bench_function(format!("simulate/{file}/{bf}"), |b| {
            b.iter(|| run_one(&w, Cluster::flat(procs), &policy("fcfs", bf)).unwrap())
        });
    }
    // Conservative on a flat machine where inaccurate estimates make most jobs end early and
    // each early end compresses every queued reservation: HPC2N's first 40,000 jobs (the whole
    // trace took 10.9 s of CPU before reservations that cannot move were left in place).
    let mut w = swf::read_swf(&hpc2n).unwrap();
    w.jobs.truncate(40_000);
    let procs = w.max_procs.or(w.max_nodes).unwrap();
    g.bench_function("simulate/HPC2N-first-40k/conservative", |b| {
        b.iter(|| run_one(&w, Cluster::flat(procs), &policy("fcfs", "conservative")).unwrap())
    });
    g.finish();
}

/// Slurm's multifactor priority (recomputed every 5 minutes, fair-share over the trace's
/// groups) with Slurm's backfill, against fcfs with EASY, on the first 10,000 jobs of HPC2N
/// (all of it takes about a minute a run under Slurm's backfill: see the README's Speed).
fn slurm(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/traces");
    if !dir.is_dir() {
        eprintln!("skipping Slurm benchmarks: {} not found", dir.display());
        return;
    }
    let mut g = c.benchmark_group("slurm");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    let mut w = swf::read_swf(&dir.join("HPC2N-2002-2.2-cln.swf.gz")).unwrap();
    w.jobs.truncate(10_000);
    let procs = w.max_procs.or(w.max_nodes).unwrap();
    for (order, bf) in [
        ("fcfs", "easy"),
        ("multifactor[age=1000,fairshare=10000,jobsize=500]", "easy"),
        ("fcfs", "slurm"),
        ("multifactor[age=1000,fairshare=10000,jobsize=500]", "slurm"),
    ] {
        let p = policy(order, bf);
        g.bench_function(format!("HPC2N-10k/{}", p.label()), |b| {
            b.iter(|| run_one(&w, Cluster::flat(procs), &p).unwrap())
        });
    }
    g.finish();
}

/// Whole scenarios: building the workload (generators) and running batch and login nodes.
fn scenarios(c: &mut Criterion) {
    let mut g = c.benchmark_group("scenarios");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for name in ["default", "big-interactive-pool"] {
        let s = scenario::load(&dir.join(format!("{name}.toml"))).expect("shipped scenario");
        g.bench_function(format!("build+run/{name}"), |b| {
            b.iter(|| execute(&RunPlan::from_built(scenario::build(&s, 1).unwrap(), name.into())).unwrap())
        });
    }
    // Conservative on partitions of many nodes. big-interactive-pool (three partitions sharing
    // nodes) once took 49 s, when every early end of a session re-placed every queued
    // reservation and each placement scanned every node; it and the default scenario (18,765
    // small batch jobs) took 6.1 s and 5.6 s of CPU while each candidate window took the
    // minimum over its slices of every node of the partition, before the search kept only the
    // nodes that can still hold a task and jumped past slices that cannot hold the job.
    for name in ["big-interactive-pool", "default"] {
        let s = scenario::load(&dir.join(format!("{name}.toml"))).expect("shipped scenario");
        let mut plan = RunPlan::from_built(scenario::build(&s, 1).unwrap(), name.into());
        plan.policy.backfill = "conservative".into();
        g.bench_function(format!("run/{name}/conservative"), |b| b.iter(|| execute(&plan).unwrap()));
    }
    // The default scenario with its interactive partition flooded (sessions arriving at 1,000
    // and 2,000 an hour at the peak, 32 running at most): each pass used to try every waiting
    // session, so doubling the rate took 2.2-2.6 times as long; now a pass skips the sessions
    // that failed in the last one, and it takes about 2 times.
    let base = std::fs::read_to_string(dir.join("default.toml")).expect("shipped scenario");
    for rate in [1000, 2000] {
        let edits = scenario::overrides::parse_set(&format!("workload[1].rate.peak={rate}.0"), &base).unwrap().edits(0);
        let s = scenario::overrides::edited(&base, &dir.join("default.toml"), &edits).unwrap();
        let plan = RunPlan::from_built(scenario::build(&s, 1).unwrap(), format!("interactive-{rate}"));
        g.bench_function(format!("run/default/interactive_peak_{rate}_per_hour"), |b| {
            b.iter(|| execute(&plan).unwrap())
        });
    }
    g.finish();
}

/// Experiments on the default scenario: a sweep of 8 runs (4 pool sizes × 2 replications) and a
/// size-pool search capped at 8 nodes with 4 replications, each into a fresh folder so nothing
/// is reused. The README's end-to-end figures (1,000 runs, the full search) are whole commands.
fn experiments(c: &mut Criterion) {
    use schedsim::experiment::size_pool::{SizePool, SizePoolSpec};
    use schedsim::experiment::sweep::{Sweep, SweepSpec};
    use schedsim::scenario::{overrides, DEFAULT_SCENARIO};
    let mut g = c.benchmark_group("experiments");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    let origin = std::path::Path::new("scenarios/default.toml");
    let axis = overrides::parse_move("cpu:inter=5..=8", DEFAULT_SCENARIO, true).unwrap();
    let spec =
        SweepSpec { text: DEFAULT_SCENARIO, origin, seed: None, replications: 2, axes: vec![axis], keep_runs: false };
    let sweep = Sweep::new(spec).unwrap();
    g.bench_function("sweep/default/8_runs", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| sweep.run(&dir.path().join("s"), None, &|| {}).unwrap(),
            criterion::BatchSize::PerIteration,
        )
    });
    let targets = ["interactive.within_target>=0.95".to_string()];
    g.bench_function("size_pool/default/max8_r4", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let spec = SizePoolSpec {
                    text: DEFAULT_SCENARIO,
                    origin,
                    seed: None,
                    moves: "cpu:inter",
                    targets: &targets,
                    replications: 4,
                    max_replications: 4,
                    max: Some(8),
                };
                SizePool::new(spec).unwrap().search(&dir.path().join("p"), &|_| {}).unwrap()
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// Writing a run's files (`jobs.csv`, `schedule.swf`, `timeseries.csv`, `summary.json`) for a
/// synthetic 100,000-job run: on a trace, formatting these once cost more than simulating.
fn writers(c: &mut Criterion) {
    let w = synthetic(256, 100_000, 0.9);
    let plan = RunPlan::replay("writers".into(), "synthetic".into(), w, Cluster::flat(256), policy("fcfs", "easy"));
    let result = execute(&plan).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group("writers");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function("run_files/lublin100k", |b| {
        b.iter(|| schedsim::experiment::write_run(&dir.path().join("run"), &plan, &result).unwrap())
    });
    g.finish();
}

criterion_group!(benches, policies, traces, scenarios, experiments, slurm, writers);
criterion_main!(benches);
