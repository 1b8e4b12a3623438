//! `schedsim report DIR`: rebuild a run's charts and `report.html` from the files in its
//! directory, without simulating again.

use std::path::PathBuf;

use clap::Args;

use schedsim::report::build::build_report;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Run directory: holds jobs.csv and summary.json (and timeseries.csv, login.csv when the
    /// run wrote them).
    pub dir: PathBuf,
}

pub fn report(args: ReportArgs) -> anyhow::Result<()> {
    let files = build_report(&args.dir)?;
    println!("report: {}", files.html.display());
    for c in &files.charts {
        println!("  {}: {}, {}", c.title, c.svg.display(), c.png.display());
    }
    for s in &files.skipped {
        println!("  not drawn: {}: {}", s.title, s.reason);
    }
    Ok(())
}
