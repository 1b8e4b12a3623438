//! A run's report data built from the run in memory: the same [`RunData`] that
//! [`rundata::load_run`] reads back from the files the run has just written, without parsing
//! them again. Each value is the one the file's text reads back as (times in exact
//! milliseconds, four-decimal slowdowns and stretches, six-decimal fair-share factors), so
//! that charts and `report.html` made from memory are byte-identical to those `schedsim
//! report DIR` makes from the files.

use std::path::Path;

use super::jobs_csv::id_ranges;
use super::rundata::{
    self, FairShare, JobRow, JobsFile, LoginProcess, Names, RunData, RunDirError, Series, TimeSeries,
};
use crate::cluster::login::{stretch_e4, LoginRun};
use crate::cluster::Cluster;
use crate::engine::RunOutput;
use crate::metrics::summary::bounded_slowdown;
use crate::workload::job::JobClass;
use crate::workload::Workload;

/// What a run holds in memory once simulated.
pub struct InMemory<'a> {
    pub workload: &'a Workload,
    pub cluster: &'a Cluster,
    pub output: &'a RunOutput,
    pub login: Option<&'a LoginRun>,
    /// Whether the run wrote `timeseries.csv` (it was sampled).
    pub sampled: bool,
}

/// The report data of the run written into `dir`. Only `summary.json`, a few kilobytes, is
/// read back: the figures are the file's, and the large files come from memory.
pub fn run_data(dir: &Path, run: &InMemory<'_>) -> Result<RunData, RunDirError> {
    let summary = rundata::read_summary(&dir.join("summary.json"))?;
    let optional = (
        run.sampled.then(|| timeseries(run)),
        run.login.map(login),
        (!run.output.fairshare.is_empty()).then(|| fairshare(run.output)),
    );
    let start = rundata::trace_start_in(run.workload.header.iter().map(String::as_str));
    Ok(RunData::of(dir, summary, jobs(run), optional, start))
}

/// Milliseconds as the seconds a file's `4.709` reads back as: both are the double nearest
/// the decimal value.
fn secs(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// `jobs.csv`'s rows, as [`super::jobs_csv::write_jobs_csv`] writes them.
fn jobs(run: &InMemory<'_>) -> JobsFile {
    let (w, out) = (run.workload, run.output);
    // Names are numbered as they first appear, as the reader does; `ordered` then puts them
    // in report order.
    let mut classes = Names::default();
    let mut partitions = Names::default();
    let mut rows = Vec::with_capacity(out.records.len());
    for r in &out.records {
        let j = &w.jobs[r.job as usize];
        let class = classes.id(j.class.as_str());
        let partition = partitions.id(run.cluster.partition(j.partition).name.trim());
        let alloc = &out.allocations[r.job as usize];
        let (wait, runtime, nodes, node_list, bsld) = match r.start {
            Some(s) => {
                let wait = s - j.submit;
                let list = id_ranges(alloc).collect();
                let bsld = (bounded_slowdown(wait, r.run) * 10_000.0).round() as i64;
                (Some(secs(wait.0)), Some(secs(r.run.0)), Some(alloc.len() as u64), list, Some(bsld as f64 / 10_000.0))
            }
            None => (None, None, None, Vec::new(), None),
        };
        rows.push(JobRow {
            job_id: j.label.as_deref().map_or_else(|| j.id.to_string(), |l| l.trim().to_string()),
            class: u16::try_from(class).expect("three classes"),
            user: j.meta.user.to_string(),
            partition: u16::try_from(partition).expect("partitions fit in u16"),
            submit: secs(j.submit.0),
            start: r.start.map(|t| secs(t.0)),
            end: r.end.map(|t| secs(t.0)),
            wait,
            runtime,
            requested_time: Some(secs(j.requested_time.0)),
            procs: j.procs(),
            nodes,
            node_list,
            outcome: r.outcome,
            preemptions: r.preemptions,
            bsld,
        });
    }
    let columns = rundata::JOBS_HEADER.split(',').map(String::from).collect();
    JobsFile::ordered(columns, classes, partitions, rows)
}

/// `timeseries.csv`'s columns, as [`super::timeseries_csv::write_timeseries_csv`] writes them.
fn timeseries(run: &InMemory<'_>) -> TimeSeries {
    let samples = &run.output.samples;
    let (login_nodes, load) = match run.login {
        Some(l) => (l.summary.nodes as usize, l.active_by_time()),
        None => (0, Default::default()),
    };
    let series = |name: String, values: Vec<f64>| Series { name, values };
    let mut ts = TimeSeries { time: samples.iter().map(|s| secs(s.time.0)).collect(), ..TimeSeries::default() };
    for (k, c) in JobClass::ALL.iter().enumerate() {
        ts.running.push(series(c.to_string(), samples.iter().map(|s| f64::from(s.running[k])).collect()));
        ts.queued.push(series(c.to_string(), samples.iter().map(|s| f64::from(s.queued[k])).collect()));
    }
    for (k, p) in run.cluster.partitions().iter().enumerate() {
        ts.busy_cores.push(series(p.name.clone(), samples.iter().map(|s| s.busy_cores[k] as f64).collect()));
        ts.busy_nodes.push(series(p.name.clone(), samples.iter().map(|s| f64::from(s.busy_nodes[k])).collect()));
    }
    for k in 0..login_nodes {
        let at = |s: &crate::metrics::Sample| load.get(&s.time).and_then(|l| l.get(k)).copied().unwrap_or(0);
        ts.login_load.push(series(k.to_string(), samples.iter().map(|s| f64::from(at(s))).collect()));
    }
    ts.columns = std::iter::once("time".to_string())
        .chain(ts.running.iter().map(|s| format!("running_{}", s.name)))
        .chain(ts.queued.iter().map(|s| format!("queued_{}", s.name)))
        .chain(ts.busy_cores.iter().map(|s| format!("busy_cores_{}", s.name)))
        .chain(ts.busy_nodes.iter().map(|s| format!("busy_nodes_{}", s.name)))
        .chain(ts.login_load.iter().map(|s| format!("login_load_{}", s.name)))
        .collect();
    ts
}

/// `login.csv`'s rows, as [`crate::cluster::login::write_login_csv`] writes them.
fn login(run: &LoginRun) -> Vec<LoginProcess> {
    run.records
        .iter()
        .map(|r| LoginProcess {
            proc_id: r.id.to_string(),
            user: r.user.to_string(),
            node: r.node.to_string(),
            arrival: secs(r.arrival.0),
            end: Some(secs(r.end.0)),
            cpu_demand: Some(secs(r.cpu_demand.0)),
            cpu_used: Some(secs(r.cpu_used.0)),
            outcome: r.outcome.as_str().to_string(),
            stretch: Some(stretch_e4(r) as f64 / 10_000.0),
        })
        .collect()
}

/// `fairshare.csv`'s factors, as [`super::timeseries_csv::write_fairshare_csv`] writes them
/// (six decimals, so each is formatted and read back as the reader would).
fn fairshare(out: &RunOutput) -> FairShare {
    let mut fs = FairShare::default();
    let mut text = String::new();
    for r in &out.fairshare {
        use std::fmt::Write as _;
        text.clear();
        let _ = write!(text, "{:.6}", r.factor);
        let factor = text.parse::<f64>().ok().filter(|v| v.is_finite()).unwrap_or(0.0);
        fs.push(secs(r.time.0), r.account.trim().to_string(), factor);
    }
    fs
}
