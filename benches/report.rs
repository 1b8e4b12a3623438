//! Benchmark of `schedsim report`: reading a synthetic 200,000-job run directory (jobs.csv,
//! summary.json, timeseries.csv sampled every 5 minutes, login.csv) and writing its charts
//! (SVG and PNG) and report.html. Run with `cargo bench --bench report`; the sizes of the
//! files written are printed first.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use schedsim::report::build::build_report;
#[path = "../tests/support/fixture.rs"]
mod fixture;

use fixture::{write_fixture_run, FixtureSpec};

fn report(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let spec = FixtureSpec {
        jobs: 200_000,
        nodes: 200,
        interactive_nodes: 20,
        login_nodes: 2,
        sample_interval: 300.0,
        ..FixtureSpec::default()
    };
    let counts = write_fixture_run(dir.path(), &spec).expect("fixture");
    let files = build_report(dir.path()).expect("report");
    let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
    eprintln!(
        "run: {} jobs, {} timeseries rows, {} login processes; jobs.csv {} bytes",
        counts.jobs,
        counts.timeseries_rows,
        counts.login_processes,
        size(&dir.path().join("jobs.csv"))
    );
    eprintln!("report.html: {} bytes", size(&files.html));
    for ch in &files.charts {
        eprintln!("  {}: SVG {} bytes, PNG {} bytes", ch.name, size(&ch.svg), size(&ch.png));
    }
    let mut g = c.benchmark_group("report");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("build_report_200k_jobs", |b| b.iter(|| build_report(dir.path()).expect("report")));
    g.finish();
}

criterion_group!(benches, report);
criterion_main!(benches);
