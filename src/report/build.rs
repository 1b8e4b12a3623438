//! Rebuilding a run's charts and `report.html` from the files in its directory, without
//! simulating again: what `schedsim report DIR` does.

use std::path::{Path, PathBuf};

use super::charts::{self, ChartError, Charts, Skipped};
use super::html;
use super::memory::{self, InMemory};
use super::progress;
use super::rundata::{self, RunData, RunDirError};
use super::ReportError;

/// The files of one chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartFiles {
    pub name: String,
    pub title: String,
    pub svg: PathBuf,
    pub png: PathBuf,
}

/// What [`build_report`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportFiles {
    /// `report.html`.
    pub html: PathBuf,
    /// `charts/<name>.svg` and `.png`, in report order.
    pub charts: Vec<ChartFiles>,
    /// Charts this run's files do not allow, and why.
    pub skipped: Vec<Skipped>,
}

/// Why a report could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildReportError {
    #[error(transparent)]
    Run(#[from] RunDirError),
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    Write(#[from] ReportError),
}

/// Reads the run in `dir`, draws its charts into `dir/charts/` (SVG and PNG) and writes
/// `dir/report.html`. Shows a progress bar when standard error is a terminal.
pub fn build_report(dir: &Path) -> Result<ReportFiles, BuildReportError> {
    let run = rundata::load_run(dir)?;
    build_report_of(dir, &run)
}

/// [`build_report`] for a run just written into `dir` whose data is still in memory: only
/// its `summary.json` is read back.
pub fn build_report_in_memory(dir: &Path, run: &InMemory<'_>) -> Result<ReportFiles, BuildReportError> {
    let data = memory::run_data(dir, run)?;
    build_report_of(dir, &data)
}

/// Draws the charts of `run` into `dir/charts/` and writes `dir/report.html`: a run that
/// has its data in memory (see [`super::memory`]) skips reading its files back.
pub fn build_report_of(dir: &Path, run: &RunData) -> Result<ReportFiles, BuildReportError> {
    let bar = progress::bar(2, "report");
    let charts = charts::build_charts(run)?;
    bar.inc(1);
    let page = html::render_html(run, &charts);
    let files = write_report(dir, charts, &page)?;
    bar.finish_and_clear();
    Ok(files)
}

/// Writes `charts` into `dir/charts/` (SVG and PNG) and `page` as `dir/report.html`: the last
/// step of every report (a run's, a comparison's, a sweep's, a pool sizing's).
pub(crate) fn write_report(dir: &Path, charts: Charts, page: &str) -> Result<ReportFiles, ReportError> {
    let paths = charts::write_charts(dir, &charts)?;
    let html = html::write_html(dir, page)?;
    let files = charts
        .charts
        .iter()
        .zip(paths)
        .map(|(c, (svg, png))| ChartFiles { name: c.name.clone(), title: c.title.clone(), svg, png })
        .collect();
    Ok(ReportFiles { html, charts: files, skipped: charts.skipped })
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::report::charts::{HEIGHT, MAX_POINTS, WIDTH};
    use crate::report::fixture::{write_fixture_run, FixtureSpec};
    use crate::report::testing::{check_svg, png_size, report_bytes};

    fn fixture(spec: FixtureSpec) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temporary directory");
        write_fixture_run(dir.path(), &spec).expect("fixture");
        dir
    }

    #[test]
    fn every_chart_is_a_valid_svg_and_png_of_the_stated_size() {
        let dir = fixture(FixtureSpec { jobs: 1500, ..FixtureSpec::default() });
        let files = build_report(dir.path()).unwrap();
        let names: Vec<&str> = files.charts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["utilisation", "queue", "wait_cdf", "wait_by_hour_batch", "job_sizes", "gantt", "login_load"]
        );
        // The fixture's sessions all start at once: no heatmap of nothing, but a sentence.
        // Debug has too few jobs for a heatmap. Both say so.
        let skipped: Vec<&str> = files.skipped.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(skipped, ["wait_by_hour_interactive", "wait_by_hour_debug"]);
        assert!(files.skipped[0].reason.starts_with("no waits in any hour"), "{}", files.skipped[0].reason);
        for c in &files.charts {
            assert_eq!(c.svg, dir.path().join("charts").join(format!("{}.svg", c.name)));
            let text = fs::read_to_string(&c.svg).unwrap();
            let doc = check_svg(&text, &c.name);
            assert!(doc.descendants().any(|n| n.tag_name().name() == "text"), "{}: no text", c.name);

            let bytes = fs::read(&c.png).unwrap();
            assert_eq!(png_size(&bytes), (WIDTH, HEIGHT), "{}", c.name);
            // The whole file decodes (chunk CRCs, compressed data).
            let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes)).read_info().unwrap();
            let mut buf = vec![0; reader.output_buffer_size()];
            let info = reader.next_frame(&mut buf).unwrap();
            assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
            // Not a blank picture.
            assert!(buf.iter().any(|&b| b < 128), "{}: blank PNG", c.name);
        }
    }

    #[test]
    fn the_html_is_self_contained_and_holds_every_chart() {
        let dir = fixture(FixtureSpec { jobs: 1500, ..FixtureSpec::default() });
        let files = build_report(dir.path()).unwrap();
        let html = fs::read_to_string(&files.html).unwrap();
        crate::report::testing::assert_self_contained(&html);
        assert_eq!(html.matches("<figure class=\"chart\"").count(), files.charts.len());
        for c in &files.charts {
            let at = html.find(&format!("<figure class=\"chart\" id=\"chart-{}\">", c.name)).unwrap_or_else(|| {
                panic!("no figure for {}", c.name);
            });
            let figure = &html[at..at + html[at..].find("</figure>").unwrap()];
            assert!(figure.contains("<svg role=\"img\""), "{}: no inline SVG", c.name);
            assert!(figure.contains("<figcaption>"), "{}: no caption", c.name);
        }
        for heading in
            ["What was run", "Waits per class", "Utilisation per partition", "Outcomes", "Login nodes", "Charts"]
        {
            assert!(html.contains(&format!(">{heading}</h2>")), "no section {heading}");
        }
        for fact in ["synthetic fixture (1500 jobs, seed 1)", "fcfs/easy", "1,500", "interactive</td>"] {
            assert!(html.contains(fact), "report.html lacks {fact}");
        }
        assert!(
            html.contains("Mean wait of debug jobs by hour of the week: 165 debug jobs started"),
            "skip not explained"
        );
    }

    #[test]
    fn building_twice_gives_byte_identical_files() {
        let spec = FixtureSpec { jobs: 900, seed: 7, ..FixtureSpec::default() };
        let (a, b) = (fixture(spec.clone()), fixture(spec));
        let first = build_report(a.path()).unwrap();
        let once = report_bytes(a.path(), &first);
        let again = report_bytes(a.path(), &build_report(a.path()).unwrap());
        let elsewhere = report_bytes(b.path(), &build_report(b.path()).unwrap());
        assert_eq!(once.len(), 1 + 2 * first.charts.len());
        for ((p, x), ((_, y), (_, z))) in once.iter().zip(again.iter().zip(&elsewhere)) {
            assert!(x == y, "{} differs on rebuilding", p.display());
            assert!(x == z, "{} differs in another directory", p.display());
        }
        // And another workload does give other files.
        let c = fixture(FixtureSpec { jobs: 900, seed: 8, ..FixtureSpec::default() });
        let other = report_bytes(c.path(), &build_report(c.path()).unwrap());
        assert_ne!(once[0].1, other[0].1);
    }

    #[test]
    fn a_directory_that_is_not_a_run_gives_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("notes.txt"), "hello").unwrap();
        let e = build_report(dir.path()).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, BuildReportError::Run(RunDirError::NotARun { .. })), "{e:?}");
        assert!(msg.contains("not a run directory: no jobs.csv"), "{msg}");
        assert!(msg.contains(&dir.path().display().to_string()), "{msg}");
        assert!(!dir.path().join("report.html").exists() && !dir.path().join("charts").exists());
    }

    #[test]
    fn an_older_run_still_gets_a_report() {
        let dir = crate::report::testing::older_run();
        let files = build_report(dir.path()).unwrap();
        let names: Vec<&str> = files.charts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["wait_cdf", "wait_by_hour_all", "job_sizes"]);
        let skipped: Vec<&str> = files.skipped.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(skipped, ["utilisation", "queue", "gantt", "login_load"]);
        let html = fs::read_to_string(&files.html).unwrap();
        assert!(html.contains("not recorded") && html.contains("all jobs</td>"), "fallbacks missing");
        // A chart left by an earlier build that this run no longer gets is removed.
        fs::write(dir.path().join("charts/gantt.svg"), "<svg/>").unwrap();
        build_report(dir.path()).unwrap();
        assert!(!dir.path().join("charts/gantt.svg").exists());
        assert!(dir.path().join("charts/wait_cdf.svg").exists());
        assert!(html.contains("this run has no timeseries.csv"));
    }

    #[test]
    fn large_runs_are_aggregated_and_windowed() {
        // Many samples (over 6,000 rows), more nodes and jobs than a full Gantt chart shows.
        let dir = fixture(FixtureSpec {
            jobs: 4000,
            nodes: 300,
            interactive_nodes: 20,
            sample_interval: 30.0,
            ..FixtureSpec::default()
        });
        let run = crate::report::rundata::load_run(dir.path()).unwrap();
        let rows = run.timeseries.as_ref().unwrap().time.len();
        assert!(rows > 3 * MAX_POINTS, "{rows} rows");
        let charts = crate::report::charts::build_charts(&run).unwrap();
        for c in &charts.charts {
            let doc = check_svg(&c.svg, &c.name);
            for line in doc.descendants().filter(|n| n.tag_name().name() == "polyline") {
                let points = line.attribute("points").unwrap_or("").split_whitespace().count();
                let limit = if c.name == "wait_cdf" { crate::report::charts::CDF_POINTS } else { MAX_POINTS };
                assert!(points <= limit, "{}: a line of {points} points", c.name);
            }
            assert!(c.svg.len() < 1_000_000, "{}: SVG of {} bytes", c.name, c.svg.len());
        }
        let gantt = charts.charts.iter().find(|c| c.name == "gantt").expect("gantt");
        assert!(gantt.caption.contains("the busiest"), "{}", gantt.caption);
        assert!(gantt.caption.contains("on nodes 0–255 of 300"), "{}", gantt.caption);
        let rects = gantt.svg.matches("<rect").count();
        assert!(rects < 4 * crate::report::charts::GANTT_MAX_JOBS, "{rects} rectangles");
    }

    #[test]
    fn a_run_without_jobs_still_gets_a_page() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("jobs.csv"), format!("\u{feff}{}\r\n", crate::report::rundata::JOBS_HEADER)).unwrap();
        fs::write(dir.path().join("summary.json"), "{\"jobs\": 0}").unwrap();
        let files = build_report(dir.path()).unwrap();
        assert!(files.charts.is_empty());
        let skipped: Vec<&str> = files.skipped.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(skipped, ["utilisation", "queue", "wait_cdf", "job_sizes", "gantt", "login_load"]);
        let html = fs::read_to_string(&files.html).unwrap();
        assert!(html.contains("no job of this run started"));
        assert!(html.ends_with("</html>\n"));
    }

    #[test]
    fn a_flat_machine_gets_no_gantt_chart() {
        let dir = fixture(FixtureSpec { jobs: 300, nodes: 1, interactive_nodes: 0, ..FixtureSpec::default() });
        let files = build_report(dir.path()).unwrap();
        let gantt = files.skipped.iter().find(|s| s.name == "gantt").expect("gantt skipped");
        assert!(gantt.reason.contains("one flat node"), "{}", gantt.reason);
    }
}
