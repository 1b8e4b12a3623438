//! `schedsim report DIR`: rebuild the charts and `report.html` of a run, a comparison, a
//! sweep or a pool sizing from the files in its directory, without simulating again.

use std::path::PathBuf;

use clap::Args;

use super::out::outln;
use schedsim::report::build::{build_report, ReportFiles};
use schedsim::report::compare_report::build_compare_report;
use schedsim::report::folder::FolderLock;
use schedsim::report::sweep_report::{build_size_pool_report, build_sweep_report};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Run directory: holds jobs.csv and summary.json (and timeseries.csv, login.csv when the
    /// run wrote them); or a comparison's directory, holding comparison.csv and one run
    /// directory per policy (each gets its report rebuilt too); or a sweep's (sweep.json and
    /// sweep.csv), or a pool sizing's (size-pool.json).
    pub dir: PathBuf,
}

pub fn report(args: ReportArgs) -> anyhow::Result<()> {
    // Charts are rewritten in place: not while a run, a sweep or another report writes here.
    let _lock = if args.dir.is_dir() { Some(FolderLock::take(&args.dir)?) } else { None };
    // What the folder is, by the file that describes it.
    if args.dir.join("sweep.json").is_file() {
        return print_files(&build_sweep_report(&args.dir)?);
    }
    if args.dir.join("size-pool.json").is_file() {
        return print_files(&build_size_pool_report(&args.dir)?);
    }
    if args.dir.join("comparison.csv").is_file() {
        let files = build_compare_report(&args.dir)?;
        for v in &files.variants {
            if let Some(d) = &v.dir {
                build_report(d)?;
            }
        }
        // The comparison's page links to the variants' reports: build it again now they exist.
        let files =
            if files.variants.iter().any(|v| v.dir.is_some()) { build_compare_report(&args.dir)? } else { files };
        outln!("report: {} ({} policies)", files.html.display(), files.variants.len())?;
        return Ok(());
    }
    print_files(&build_report(&args.dir)?)
}

/// The page, each chart's files, and the charts not drawn with why.
fn print_files(files: &ReportFiles) -> anyhow::Result<()> {
    outln!("report: {}", files.html.display())?;
    for c in &files.charts {
        outln!("  {}: {}, {}", c.title, c.svg.display(), c.png.display())?;
    }
    for s in &files.skipped {
        outln!("  not drawn: {}: {}", s.title, s.reason)?;
    }
    Ok(())
}
