//! A synthetic run directory, written in the run-directory format that `report::rundata`
//! reads: for the report's tests and benches, without simulating. Test support, outside the
//! library: the library's unit tests, `tests/all` and `benches/report.rs` include this file.
//!
//! The schedule is made by a simple greedy list scheduler (each job, in arrival order, takes
//! the nodes of its partition that free up first), so node allocations never overlap and
//! waits, queues and utilisation look like those of a loaded cluster. It is not the
//! simulator's schedule and claims nothing about any policy. Same spec, same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write};
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate.
#[derive(Clone, Debug)]
pub struct FixtureSpec {
    pub jobs: usize,
    /// Compute nodes in all.
    pub nodes: u32,
    pub cores_per_node: u32,
    /// The last this many nodes form partition `interactive` (the rest `batch`); 0 puts
    /// every job on `batch`.
    pub interactive_nodes: u32,
    /// Login nodes (0: no `login.csv`, no login columns, `"login": null`).
    pub login_nodes: u32,
    pub login_cores_per_node: u32,
    /// Seconds between rows of `timeseries.csv`.
    pub sample_interval: f64,
    /// Offered load of the batch partition, roughly.
    pub load: f64,
    pub seed: u64,
}

impl Default for FixtureSpec {
    fn default() -> Self {
        FixtureSpec {
            jobs: 600,
            nodes: 48,
            cores_per_node: 32,
            interactive_nodes: 8,
            login_nodes: 2,
            login_cores_per_node: 16,
            sample_interval: 600.0,
            load: 0.7,
            seed: 1,
        }
    }
}

/// What was written, for tests to check a reader against.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FixtureCounts {
    /// Rows of `jobs.csv`.
    pub jobs: usize,
    /// Jobs that started.
    pub started: usize,
    /// Rows of `jobs.csv` by class.
    pub by_class: BTreeMap<String, usize>,
    /// Rows of `timeseries.csv` (0 when not written).
    pub timeseries_rows: usize,
    /// Columns of `timeseries.csv`, `time` included.
    pub timeseries_columns: usize,
    /// Rows of `login.csv` (0 when not written).
    pub login_processes: usize,
}

#[derive(Clone, Debug)]
struct Gen {
    id: usize,
    class: &'static str,
    user: u32,
    partition: usize,
    submit: f64,
    nodes: u32,
    procs: u64,
    runtime: f64,
    requested: f64,
    patience: f64,
    idle: bool,
    start: Option<f64>,
    end: Option<f64>,
    node_list: String,
    outcome: &'static str,
}

/// CPU seconds after which a login process is killed.
const LOGIN_CPU_LIMIT: f64 = 1800.0;

#[derive(Clone, Debug)]
struct LoginGen {
    id: usize,
    user: u32,
    node: u32,
    arrival: f64,
    end: f64,
    demand: f64,
    used: f64,
    killed: bool,
    stretch: f64,
}

/// Rounds to the millisecond, as run files keep times.
fn ms(t: f64) -> f64 {
    (t * 1000.0).round() / 1000.0
}

/// Weight of arrivals in the hour of the week `h` (0 = Monday 00:00): busy working hours.
fn week_weight(h: usize, class: &str) -> f64 {
    let (day, hour) = (h / 24, h % 24);
    let weekday = day < 5;
    let working = (9..18).contains(&hour);
    match (class, weekday, working) {
        ("batch", true, true) => 1.0,
        ("batch", _, _) => 0.5,
        (_, true, true) => 1.0,
        (_, true, false) => 0.15,
        _ => 0.08,
    }
}

/// Writes a run directory for `spec` into `dir` (created if needed).
pub fn write_fixture_run(dir: &Path, spec: &FixtureSpec) -> io::Result<FixtureCounts> {
    fs::create_dir_all(dir)?;
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let inter_nodes = spec.interactive_nodes.min(spec.nodes.saturating_sub(1));
    let batch_nodes = spec.nodes - inter_nodes;
    let part_names: Vec<&str> = if inter_nodes > 0 { vec!["batch", "interactive"] } else { vec!["batch"] };
    let part_range = |p: usize| if p == 0 { (0, batch_nodes) } else { (batch_nodes, spec.nodes) };

    // Shapes first, then arrival times spread so that the offered load is about `load`.
    let mut jobs: Vec<Gen> = Vec::with_capacity(spec.jobs);
    let mut work = 0.0;
    for id in 0..spec.jobs {
        let u: f64 = rng.random();
        let class = if u < 0.7 {
            "batch"
        } else if u < 0.9 {
            "interactive"
        } else {
            "debug"
        };
        let (nodes, runtime, partition) = match class {
            "batch" => {
                let k = [1u32, 1, 2, 4, 8, 16][rng.random_range(0..6)].min(batch_nodes);
                // Rarely, a job wider than the partition: rejected.
                let k = if rng.random::<f64>() < 0.004 { batch_nodes + 1 } else { k };
                (k, (rng.random_range(5.0f64..11.0)).exp(), 0)
            }
            "interactive" => (1, rng.random_range(300.0..4.0 * 3600.0), part_names.len() - 1),
            _ => (rng.random_range(1..=2u32).min(batch_nodes), rng.random_range(30.0..1800.0), 0),
        };
        let req_factor: f64 = rng.random_range(1.0..3.0);
        let walltime_killed = class == "batch" && rng.random::<f64>() < 0.06;
        let runtime = ms(runtime);
        let requested = if walltime_killed { runtime } else { (runtime * req_factor / 60.0).ceil() * 60.0 };
        if partition == 0 && nodes <= batch_nodes {
            work += f64::from(nodes) * runtime;
        }
        let procs = if class == "batch" {
            u64::from(nodes) * u64::from(spec.cores_per_node)
        } else {
            u64::from(rng.random_range(1..=spec.cores_per_node).max(1))
        };
        jobs.push(Gen {
            id: id + 1,
            class,
            user: rng.random_range(1..=40),
            partition,
            submit: 0.0,
            nodes,
            procs,
            runtime,
            requested,
            patience: rng.random_range(60.0..3600.0),
            idle: class == "interactive" && rng.random::<f64>() < 0.2,
            start: None,
            end: None,
            node_list: String::new(),
            outcome: "completed",
        });
    }
    let span = (work / (spec.load.max(0.05) * f64::from(batch_nodes.max(1)))).max(3600.0);
    for j in &mut jobs {
        // Thinning: draw instants until one is accepted by the class's week profile.
        loop {
            let t: f64 = rng.random_range(0.0..span);
            let h = ((t / 3600.0) as usize) % 168;
            if rng.random::<f64>() < week_weight(h, j.class) {
                j.submit = ms(t);
                break;
            }
        }
    }
    jobs.sort_by(|a, b| a.submit.total_cmp(&b.submit).then(a.id.cmp(&b.id)));
    for (i, j) in jobs.iter_mut().enumerate() {
        j.id = i + 1;
    }

    // Greedy list schedule.
    let mut free_at: Vec<f64> = vec![0.0; spec.nodes as usize];
    let mut order: Vec<u32> = Vec::new();
    for j in &mut jobs {
        let (lo, hi) = part_range(j.partition);
        if j.nodes > hi - lo || j.nodes == 0 {
            j.outcome = "rejected";
            continue;
        }
        order.clear();
        order.extend(lo..hi);
        let k = j.nodes as usize;
        let by_free = |a: &u32, b: &u32| free_at[*a as usize].total_cmp(&free_at[*b as usize]).then(a.cmp(b));
        if k < order.len() {
            order.select_nth_unstable_by(k - 1, by_free);
            order.truncate(k);
        }
        let start = order.iter().map(|&n| free_at[n as usize]).fold(j.submit, f64::max);
        if j.class == "interactive" && start - j.submit > j.patience {
            j.outcome = "abandoned";
            continue;
        }
        let start = ms(start);
        let run = if j.idle { ms(j.runtime * 0.5) } else { j.runtime.min(j.requested) };
        let end = ms(start + run);
        j.outcome = if j.idle {
            "idle"
        } else if j.runtime >= j.requested && j.class == "batch" {
            "walltime"
        } else {
            "completed"
        };
        for &n in &order {
            free_at[n as usize] = end;
        }
        order.sort_unstable();
        j.node_list = ranges(&order);
        j.start = Some(start);
        j.end = Some(end);
    }

    let mut counts = FixtureCounts { jobs: jobs.len(), ..FixtureCounts::default() };
    for j in &jobs {
        *counts.by_class.entry(j.class.to_string()).or_default() += 1;
        counts.started += usize::from(j.start.is_some());
    }
    write_jobs(dir, &jobs)?;
    let last_end = jobs.iter().filter_map(|j| j.end).fold(0.0f64, f64::max);
    let first_submit = jobs.first().map_or(0.0, |j| j.submit);
    let makespan = (last_end - first_submit).max(0.0);

    // Login processes.
    let mut login: Vec<LoginGen> = Vec::new();
    if spec.login_nodes > 0 {
        let n = (jobs.len() / 2).max(10);
        for i in 0..n {
            let node = rng.random_range(0..spec.login_nodes);
            let arrival = ms(rng.random_range(0.0..last_end.max(3600.0)));
            let demand = ms(-300.0 * (1.0 - rng.random::<f64>()).ln());
            let stretch: f64 = 1.0 + rng.random_range(0.0..1.5);
            let killed = demand > LOGIN_CPU_LIMIT;
            let used = demand.min(LOGIN_CPU_LIMIT);
            let end = ms(arrival + used * stretch);
            let user = rng.random_range(1..=40);
            login.push(LoginGen { id: i + 1, user, node, arrival, end, demand, used, killed, stretch });
        }
        let mut s = String::from("proc_id,user,node,arrival,end,cpu_demand,cpu_used,outcome,stretch\n");
        for p in &login {
            let outcome = if p.killed { "killed" } else { "completed" };
            let _ = writeln!(
                s,
                "{},u{},{},{:.3},{:.3},{:.3},{:.3},{outcome},{:.4}",
                p.id, p.user, p.node, p.arrival, p.end, p.demand, p.used, p.stretch
            );
        }
        fs::write(dir.join("login.csv"), s)?;
        counts.login_processes = login.len();
    }

    // Time series.
    let dt = spec.sample_interval;
    let samples = (last_end / dt).ceil() as usize + 1;
    let classes = ["batch", "interactive", "debug"];
    let idx = |t: f64| ((t / dt).ceil() as usize).min(samples);
    let mut running = vec![vec![0i64; samples + 1]; classes.len()];
    let mut queued = vec![vec![0i64; samples + 1]; classes.len()];
    let mut cores = vec![vec![0i64; samples + 1]; part_names.len()];
    let mut nodes = vec![vec![0i64; samples + 1]; part_names.len()];
    let mut load = vec![vec![0i64; samples + 1]; spec.login_nodes as usize];
    for j in &jobs {
        let c = classes.iter().position(|c| *c == j.class).unwrap_or(0);
        if j.outcome == "rejected" {
            continue;
        }
        let queue_end = j.start.unwrap_or(j.submit + j.patience);
        queued[c][idx(j.submit)] += 1;
        queued[c][idx(queue_end)] -= 1;
        if let (Some(s), Some(e)) = (j.start, j.end) {
            running[c][idx(s)] += 1;
            running[c][idx(e)] -= 1;
            cores[j.partition][idx(s)] += j.procs as i64;
            cores[j.partition][idx(e)] -= j.procs as i64;
            nodes[j.partition][idx(s)] += i64::from(j.nodes);
            nodes[j.partition][idx(e)] -= i64::from(j.nodes);
        }
    }
    for p in &login {
        load[p.node as usize][idx(p.arrival)] += 1;
        load[p.node as usize][idx(p.end)] -= 1;
    }
    let mut header = String::from("time");
    for c in classes {
        let _ = write!(header, ",running_{c},queued_{c}");
    }
    for p in &part_names {
        let _ = write!(header, ",busy_cores_{p},busy_nodes_{p}");
    }
    for k in 0..spec.login_nodes {
        let _ = write!(header, ",login_load_{k}");
    }
    counts.timeseries_columns = header.split(',').count();
    let mut out = io::BufWriter::new(fs::File::create(dir.join("timeseries.csv"))?);
    writeln!(out, "{header}")?;
    let mut acc = vec![0i64; 2 * classes.len() + 2 * part_names.len() + spec.login_nodes as usize];
    for i in 0..samples {
        write!(out, "{:.3}", i as f64 * dt)?;
        let mut a = 0;
        for c in 0..classes.len() {
            for series in [&running[c], &queued[c]] {
                acc[a] += series[i];
                write!(out, ",{}", acc[a])?;
                a += 1;
            }
        }
        for p in 0..part_names.len() {
            for series in [&cores[p], &nodes[p]] {
                acc[a] += series[i];
                write!(out, ",{}", acc[a])?;
                a += 1;
            }
        }
        for series in &load {
            acc[a] += series[i];
            write!(out, ",{}", acc[a])?;
            a += 1;
        }
        writeln!(out)?;
    }
    out.flush()?;
    counts.timeseries_rows = samples;

    let summary = summary_json(spec, &jobs, &part_names, batch_nodes, inter_nodes, makespan, &login);
    fs::write(dir.join("summary.json"), serde_json::to_string_pretty(&summary).map_err(io::Error::other)? + "\n")?;
    Ok(counts)
}

/// `0 1 2 3 7` → `0-3 7`.
fn ranges(sorted: &[u32]) -> String {
    let mut s = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1] == sorted[j] + 1 {
            j += 1;
        }
        if !s.is_empty() {
            s.push(' ');
        }
        if i == j {
            let _ = write!(s, "{}", sorted[i]);
        } else {
            let _ = write!(s, "{}-{}", sorted[i], sorted[j]);
        }
        i = j + 1;
    }
    s
}

fn write_jobs(dir: &Path, jobs: &[Gen]) -> io::Result<()> {
    let mut out = io::BufWriter::new(fs::File::create(dir.join("jobs.csv"))?);
    writeln!(
        out,
        "job_id,class,user,partition,submit,start,end,wait,runtime,requested_time,procs,nodes,node_list,\
         outcome,preemptions,bsld"
    )?;
    let parts = ["batch", "interactive"];
    for j in jobs {
        write!(out, "{},{},u{},{}", j.id, j.class, j.user, parts[j.partition])?;
        write!(out, ",{:.3}", j.submit)?;
        match (j.start, j.end) {
            (Some(s), Some(e)) => {
                let wait = ms(s - j.submit);
                let run = ms(e - s);
                write!(out, ",{s:.3},{e:.3},{wait:.3},{run:.3}")?;
            }
            _ => write!(out, ",,,,")?,
        }
        write!(out, ",{:.3},{},{},{},{},0", j.requested, j.procs, j.nodes, j.node_list, j.outcome)?;
        match (j.start, j.end) {
            (Some(s), Some(e)) => writeln!(out, ",{:.4}", bsld(s - j.submit, e - s))?,
            _ => writeln!(out, ",")?,
        }
    }
    out.flush()
}

fn bsld(wait: f64, run: f64) -> f64 {
    ((wait + run) / run.max(10.0)).max(1.0)
}

/// Nearest-rank percentile of sorted, non-empty `v`.
fn pct(v: &[f64], p: usize) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let rank = (p * v.len()).div_ceil(100).max(1);
    v[rank - 1]
}

fn wait_stats(jobs: &[&Gen]) -> serde_json::Map<String, serde_json::Value> {
    let mut w: Vec<f64> = jobs.iter().filter_map(|j| j.start.map(|s| ms(s - j.submit))).collect();
    w.sort_by(f64::total_cmp);
    let mean = if w.is_empty() { 0.0 } else { w.iter().sum::<f64>() / w.len() as f64 };
    let b: Vec<f64> = jobs.iter().filter_map(|j| Some(bsld(j.start? - j.submit, j.end? - j.start?))).collect();
    let mean_bsld = if b.is_empty() { 0.0 } else { b.iter().sum::<f64>() / b.len() as f64 };
    let mut m = serde_json::Map::new();
    m.insert("mean_wait".into(), mean.into());
    m.insert("median_wait".into(), pct(&w, 50).into());
    m.insert("p90_wait".into(), pct(&w, 90).into());
    m.insert("p95_wait".into(), pct(&w, 95).into());
    m.insert("p99_wait".into(), pct(&w, 99).into());
    m.insert("max_wait".into(), w.last().copied().unwrap_or(0.0).into());
    m.insert("mean_bsld".into(), mean_bsld.into());
    m
}

fn summary_json(
    spec: &FixtureSpec,
    jobs: &[Gen],
    part_names: &[&str],
    batch_nodes: u32,
    inter_nodes: u32,
    makespan: f64,
    login: &[LoginGen],
) -> serde_json::Value {
    use serde_json::{json, Value};
    let all: Vec<&Gen> = jobs.iter().collect();
    let count = |o: &str| jobs.iter().filter(|j| j.outcome == o).count() as u64;
    let busy = |p: Option<usize>| -> f64 {
        jobs.iter()
            .filter(|j| p.is_none_or(|p| j.partition == p))
            .filter_map(|j| Some((j.end? - j.start?) * j.procs as f64))
            .sum()
    };
    let total_cores = f64::from(spec.nodes) * f64::from(spec.cores_per_node);
    let util = |b: f64, cores: f64| if makespan > 0.0 && cores > 0.0 { b / (cores * makespan) } else { 0.0 };
    let mut s = json!({
        "jobs": jobs.len(),
        "completed": count("completed"),
        "walltime": count("walltime"),
        "rejected": count("rejected"),
        "skipped": 0,
        "skipped_by_reason": {},
    });
    let obj = s.as_object_mut().expect("object");
    obj.extend(wait_stats(&all));
    obj.insert("utilisation".into(), util(busy(None), total_cores).into());
    obj.insert("makespan".into(), ms(makespan).into());
    let mut outcomes = serde_json::Map::new();
    for o in ["completed", "walltime", "idle", "abandoned", "preempted", "rejected"] {
        outcomes.insert(o.into(), count(o).into());
    }
    obj.insert("outcomes".into(), Value::Object(outcomes));
    let mut classes = serde_json::Map::new();
    for (c, target) in [("batch", None), ("interactive", Some(60.0)), ("debug", Some(900.0))] {
        let of: Vec<&Gen> = jobs.iter().filter(|j| j.class == c).collect();
        let accepted = of.iter().filter(|j| j.outcome != "rejected").count();
        let share = |n: usize| if accepted == 0 { 0.0 } else { n as f64 / accepted as f64 };
        let mut m = serde_json::Map::new();
        m.insert("jobs".into(), of.len().into());
        m.insert("started".into(), of.iter().filter(|j| j.start.is_some()).count().into());
        m.extend(wait_stats(&of));
        m.insert("abandonment_rate".into(), share(of.iter().filter(|j| j.outcome == "abandoned").count()).into());
        m.insert("target".into(), target.into());
        let within = target.map(|t| share(of.iter().filter(|j| j.start.is_some_and(|s| s - j.submit <= t)).count()));
        m.insert("within_target".into(), within.into());
        classes.insert(c.into(), Value::Object(m));
    }
    obj.insert("classes".into(), Value::Object(classes));
    let mut parts = serde_json::Map::new();
    for (p, name) in part_names.iter().enumerate() {
        let n = if p == 0 { batch_nodes } else { inter_nodes };
        let cores = f64::from(n) * f64::from(spec.cores_per_node);
        parts.insert(
            (*name).into(),
            json!({
                "nodes": n,
                "cores": cores as u64,
                "jobs": jobs.iter().filter(|j| j.partition == p).count(),
                "utilisation": util(busy(Some(p)), cores),
            }),
        );
    }
    obj.insert("partitions".into(), Value::Object(parts));
    let login_v = if spec.login_nodes == 0 {
        Value::Null
    } else {
        let killed = login.iter().filter(|p| p.killed).count();
        let mut st: Vec<f64> = login.iter().map(|p| p.stretch).collect();
        st.sort_by(f64::total_cmp);
        let n = login.len().max(1) as f64;
        json!({
            "nodes": spec.login_nodes,
            "cores": spec.login_nodes * spec.login_cores_per_node,
            "processes": login.len(),
            "killed": killed,
            "kill_rate": killed as f64 / n,
            "mean_stretch": st.iter().sum::<f64>() / n,
            "p95_stretch": pct(&st, 95),
            "cpu_limit": LOGIN_CPU_LIMIT,
        })
    };
    obj.insert("login".into(), login_v);
    obj.insert(
        "run".into(),
        json!({
            "name": "fixture",
            "source": format!("synthetic fixture ({} jobs, seed {})", spec.jobs, spec.seed),
            "policy": "fcfs/easy",
            "seed": spec.seed,
            "version": env!("CARGO_PKG_VERSION"),
            "cluster": format!(
                "{} nodes x {} cores ({} batch, {} interactive), {} login nodes",
                spec.nodes, spec.cores_per_node, batch_nodes, inter_nodes, spec.login_nodes
            ),
            "nodes": spec.nodes,
            "cores": total_cores as u64,
            "sample_interval": spec.sample_interval,
        }),
    );
    s
}
