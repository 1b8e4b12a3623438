//! `schedsim report DIR`: rebuild the charts and `report.html` of a run, a comparison, a
//! sweep or a pool sizing from the files in its directory, without simulating again. The
//! rebuild happens in a fresh sibling of the folder (its files linked in, not copied) that is
//! switched into place at the end, so a reader sees the old report or the new one.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::out::outln;
use schedsim::report::build::{build_report, ReportFiles};
use schedsim::report::compare_report::build_compare_report;
use schedsim::report::folder::{Staged, MARKERS};
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
    let dir = &args.dir;
    // A folder schedsim did not write gets the builders' own refusal, naming what is missing.
    if !MARKERS.iter().any(|m| dir.join(m).is_file()) {
        let printed = build(dir)?;
        return print(&printed, dir, dir);
    }
    // Taken before reading, so that a run, a sweep or another report writing here is waited
    // for by no one and refused at once.
    let staged = Staged::begin(dir)?;
    link_tree(dir, staged.path())
        .with_context(|| format!("{}: linking its files into a fresh folder", dir.display()))?;
    // Messages name the folder as the user gave it, not the fresh sibling.
    let printed = build(staged.path()).map_err(|e| {
        let text = format!("{e:#}");
        anyhow::anyhow!(text.replace(&staged.path().display().to_string(), &dir.display().to_string()))
    })?;
    let from = staged.path().to_path_buf();
    staged.publish()?;
    print(&printed, &from, dir)
}

/// What a rebuild made, to be printed once it is in place.
enum Built {
    /// A run's, a sweep's or a pool sizing's page and charts.
    Files(ReportFiles),
    /// A comparison's page and how many variants it compares.
    Comparison(PathBuf, usize),
}

/// Rebuilds the report of the folder `dir`, by the file that says what it is.
fn build(dir: &Path) -> anyhow::Result<Built> {
    if dir.join("sweep.json").is_file() {
        return Ok(Built::Files(build_sweep_report(dir)?));
    }
    if dir.join("size-pool.json").is_file() {
        return Ok(Built::Files(build_size_pool_report(dir)?));
    }
    if dir.join("comparison.csv").is_file() {
        let files = build_compare_report(dir)?;
        for v in &files.variants {
            if let Some(d) = &v.dir {
                build_report(d)?;
            }
        }
        // The comparison's page links to the variants' reports: build it again now they exist.
        let files = if files.variants.iter().any(|v| v.dir.is_some()) { build_compare_report(dir)? } else { files };
        return Ok(Built::Comparison(files.html, files.variants.len()));
    }
    Ok(Built::Files(build_report(dir)?))
}

/// Prints what was built in `from`, now at `to`: the page, each chart's files, and the
/// charts not drawn with why.
fn print(built: &Built, from: &Path, to: &Path) -> anyhow::Result<()> {
    let at = |p: &Path| p.strip_prefix(from).map_or_else(|_| p.to_path_buf(), |rel| to.join(rel));
    match built {
        Built::Comparison(html, n) => outln!("report: {} ({n} policies)", at(html).display()),
        Built::Files(files) => {
            outln!("report: {}", at(&files.html).display())?;
            for c in &files.charts {
                outln!("  {}: {}, {}", c.title, at(&c.svg).display(), at(&c.png).display())?;
            }
            for s in &files.skipped {
                outln!("  not drawn: {}: {}", s.title, s.reason)?;
            }
            Ok(())
        }
    }
}

/// Puts every file under `from` into the empty folder `to`, as hard links (copies where the
/// file system has none; a symbolic link is linked itself, not followed). Every writer replaces a file by renaming a new one over it, so a
/// linked file is never changed in place: the old folder stays as it was.
fn link_tree(from: &Path, to: &Path) -> io::Result<()> {
    let mut entries: Vec<fs::DirEntry> = fs::read_dir(from)?.collect::<io::Result<_>>()?;
    entries.sort_by_key(fs::DirEntry::file_name);
    for e in entries {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let kind = e.file_type()?;
        if kind.is_dir() {
            fs::create_dir(&dst)?;
            link_tree(&src, &dst)?;
        } else if fs::hard_link(&src, &dst).is_err() {
            fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}
