//! The report of a comparison: charts and a self-contained `report.html` for a directory
//! written by `schedsim compare`, built from its files without simulating again.
//!
//! It reads `comparison.csv` (the figures of every variant, per class and for all jobs) and
//! each variant's run folder: the subdirectories holding a `summary.json`, each matched to its
//! variant by the summary's `run.policy` (the folder name is the label with `/` written `-`,
//! but the summary is what says). Per-job waits, for the distributions, come from each
//! folder's `jobs.csv` through [`rundata::load_run`]. It writes, into `DIR/charts/` (SVG and
//! PNG of [`WIDTH`] × [`HEIGHT`], in the style of a run's charts):
//!
//! | file stem | what |
//! |---|---|
//! | `wait_by_class` | mean and p95 wait, one panel per class on its own linear axis, one bar per variant |
//! | `utilisation_vs_p95` | each variant's utilisation against its p95 wait of all jobs, one label per point (the utilisation axis at least [`MIN_SPAN`] points wide) |
//! | `wait_cdf_all` | share of all accepted jobs started within a wait, one line per variant (log time axis) |
//! | `wait_cdf_<class>` | the same for one class, with its wait target (only when there are several classes) |
//!
//! and `DIR/report.html`: what was compared, which variant is best per class on each headline
//! figure, a table of the variants' figures per class, the charts, and links to each variant's
//! own report. Same files in, same bytes out: nothing depends on the directory's path, the time,
//! or the number of threads.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rayon::prelude::*;

use super::build::{write_report, ChartFiles};
use super::charts::{
    self, draw_legend, fmt_count, fmt_duration, trim, ChartError, Charts, DrawResult, Drawable, LegendEntry, Mark,
    Shape, Skipped, Ticks, AT_ONCE, CDF_POINTS, FONT, PALETTE,
};
use super::html::{charts_section, escape, kv_row, num, page_start, pct};
use super::rundata::COMPARISON_HEADER as HEADER;
use super::rundata::{self, class_rank, Outcome, RunData, RunDirError};
use super::ReportError;

/// The class name `comparison.csv` gives the rows over all jobs.
pub const ALL: &str = "all";

/// One row of `comparison.csv`. Waits in seconds; a figure written as `NaN` or left empty
/// reads as NaN (shown as `—`).
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonRow {
    pub variant: String,
    /// A class, or [`ALL`].
    pub class: String,
    pub jobs: u64,
    pub started: u64,
    pub mean_wait: f64,
    pub median_wait: f64,
    pub p90_wait: f64,
    pub p95_wait: f64,
    pub p99_wait: f64,
    pub max_wait: f64,
    pub mean_bsld: f64,
    /// Empty for the `all` rows.
    pub abandonment_rate: Option<f64>,
    /// Empty for the `all` rows and for classes without a wait target.
    pub within_target: Option<f64>,
    pub utilisation: f64,
}

/// A variant of the comparison and the folder its run was found in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariantFolder {
    /// The policy label, as in `comparison.csv`.
    pub label: String,
    /// The run folder, if one was found.
    pub dir: Option<PathBuf>,
}

/// What [`build_compare_report`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompareReportFiles {
    /// `report.html`.
    pub html: PathBuf,
    /// `charts/<name>.svg` and `.png`, in report order.
    pub charts: Vec<ChartFiles>,
    /// Charts the files do not allow, and why.
    pub skipped: Vec<Skipped>,
    /// The variants, in the order of `comparison.csv`.
    pub variants: Vec<VariantFolder>,
}

/// Why a comparison's report could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CompareReportError {
    /// The directory does not exist or lacks `comparison.csv`, or that file has no rows.
    #[error(
        "{}: not a comparison directory: {what} (a comparison directory holds comparison.csv and one run \
         folder per policy, as written by `schedsim compare`)",
        dir.display()
    )]
    NotAComparison { dir: PathBuf, what: String },
    /// `comparison.csv` could not be read (the I/O error is in the message, not a `source`).
    #[error("{}: cannot read: {error}", path.display())]
    Io { path: PathBuf, error: io::Error },
    /// A line of `comparison.csv` is malformed.
    #[error("{}:{line}: {message}", path.display())]
    Csv { path: PathBuf, line: u64, message: String },
    /// A variant's run folder could not be read.
    #[error(transparent)]
    Run(#[from] RunDirError),
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    Write(#[from] ReportError),
}

/// Reads `comparison.csv`. The columns are found by name; a variant label holding commas
/// (policy parameters, written unquoted) is put back together from the extra leading fields.
pub fn read_comparison_csv(path: &Path) -> Result<Vec<ComparisonRow>, CompareReportError> {
    let text = fs::read(path).map_err(|error| CompareReportError::Io { path: path.to_path_buf(), error })?;
    let bad = |line: u64, message: String| CompareReportError::Csv { path: path.to_path_buf(), line, message };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_slice());
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(bad(1, e.to_string())),
        None => return Err(bad(1, format!("the file is empty (expected the header `{HEADER}`)"))),
    };
    let columns: Vec<String> =
        header.iter().map(|h| String::from_utf8_lossy(h).trim_start_matches('\u{feff}').trim().to_string()).collect();
    let col = |name: &str| {
        columns
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| bad(1, format!("the header has no `{name}` column (expected a header like `{HEADER}`)")))
    };
    let c_variant = col("variant")?;
    if c_variant != 0 {
        return Err(bad(1, format!("`variant` must be the first column (expected a header like `{HEADER}`)")));
    }
    let idx: Vec<usize> = HEADER.split(',').map(col).collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    for (i, record) in records.enumerate() {
        let line = i as u64 + 2;
        let record = record.map_err(|e| bad(line, e.to_string()))?;
        if record.len() == 1 && record.get(0).is_some_and(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let extra = record.len().checked_sub(columns.len()).ok_or_else(|| {
            bad(line, format!("expected {} fields, as in the header, found {}", columns.len(), record.len()))
        })?;
        let mut fields: Vec<String> = Vec::with_capacity(columns.len());
        let text_of = |b: &[u8]| std::str::from_utf8(b).map(str::to_string);
        let joined: Result<Vec<String>, _> = record.iter().take(extra + 1).map(text_of).collect();
        fields.push(joined.map_err(|_| bad(line, "column 1 (`variant`): not UTF-8 text".into()))?.join(","));
        for (k, f) in record.iter().skip(extra + 1).enumerate() {
            fields.push(text_of(f).map_err(|_| bad(line, format!("column `{}`: not UTF-8 text", columns[k + 1])))?);
        }
        let field = |c: usize| fields[idx[c]].trim();
        let opt = |c: usize| -> Result<Option<f64>, CompareReportError> {
            let t = field(c);
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<f64>()
                .map(Some)
                .map_err(|_| bad(line, format!("column `{}`: expected a number, found `{t}`", columns[idx[c]])))
        };
        let num = |c: usize| opt(c).map(|v| v.unwrap_or(f64::NAN));
        let count = |c: usize| -> Result<u64, CompareReportError> {
            let t = field(c);
            t.parse::<u64>()
                .map_err(|_| bad(line, format!("column `{}`: expected a whole number, found `{t}`", columns[idx[c]])))
        };
        // The columns of HEADER, in its order.
        rows.push(ComparisonRow {
            variant: field(0).to_string(),
            class: field(1).to_string(),
            jobs: count(2)?,
            started: count(3)?,
            mean_wait: num(4)?,
            median_wait: num(5)?,
            p90_wait: num(6)?,
            p95_wait: num(7)?,
            p99_wait: num(8)?,
            max_wait: num(9)?,
            mean_bsld: num(10)?,
            abandonment_rate: opt(11)?,
            within_target: opt(12)?,
            utilisation: num(13)?,
        });
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------------------
// The comparison as read

/// One variant: its label, folder, run description and jobs.
struct Variant {
    label: String,
    /// Folder name, relative to the comparison directory.
    folder: Option<String>,
    run: Option<RunData>,
    colour: RGBColor,
}

struct Comparison {
    rows: Vec<ComparisonRow>,
    variants: Vec<Variant>,
    /// Classes, in report order (without `all`).
    classes: Vec<String>,
    /// Folders holding a summary.json of a policy not in comparison.csv: (folder, label).
    ignored: Vec<(String, String)>,
}

impl Comparison {
    fn row(&self, variant: &str, class: &str) -> Option<&ComparisonRow> {
        self.rows.iter().find(|r| r.variant == variant && r.class == class)
    }

    /// `all`, then the classes.
    fn groups(&self) -> Vec<String> {
        std::iter::once(ALL.to_string()).chain(self.classes.iter().cloned()).collect()
    }
}

fn variant_colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

pub(crate) fn css(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

pub(crate) fn group_name(g: &str) -> String {
    if g == ALL {
        "all jobs".into()
    } else {
        g.to_string()
    }
}

/// The subdirectories of `dir` that hold a summary.json, by name, with the policy it names.
fn run_folders(dir: &Path) -> Result<Vec<(String, Option<String>)>, CompareReportError> {
    let io_err = |error| CompareReportError::Io { path: dir.to_path_buf(), error };
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_err)? {
        let entry = entry.map_err(io_err)?;
        let path = entry.path();
        if path.is_dir() && path.join("summary.json").is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let summary = rundata::read_summary(&dir.join(&name).join("summary.json"))?;
        out.push((name, summary.run.and_then(|r| r.policy)));
    }
    Ok(out)
}

fn read_comparison(dir: &Path) -> Result<Comparison, CompareReportError> {
    let not_one = |what: &str| CompareReportError::NotAComparison { dir: dir.to_path_buf(), what: what.into() };
    if !dir.is_dir() {
        return Err(not_one(if dir.exists() { "not a directory" } else { "no such directory" }));
    }
    let csv_path = dir.join("comparison.csv");
    if !csv_path.is_file() {
        return Err(not_one("no comparison.csv"));
    }
    let rows = read_comparison_csv(&csv_path)?;
    let mut labels: Vec<String> = Vec::new();
    for r in &rows {
        if !labels.contains(&r.variant) {
            labels.push(r.variant.clone());
        }
    }
    if labels.is_empty() {
        return Err(not_one("comparison.csv has no rows"));
    }
    let mut classes: Vec<String> =
        rows.iter().filter(|r| r.class != ALL).map(|r| r.class.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    classes.sort_by(|a, b| class_rank(a).cmp(&class_rank(b)));

    // Each variant's folder: one whose summary names its policy, preferring the usual name.
    let folders = run_folders(dir)?;
    let mut used = vec![false; folders.len()];
    let mut chosen = Vec::with_capacity(labels.len());
    for label in &labels {
        let usual = label.replace('/', "-");
        // A scenario variant's folder is named by its label; a policy's may be renamed.
        let fits = |(name, policy): &(String, Option<String>)| *name == usual || policy.as_ref() == Some(label);
        let pick = folders.iter().position(|f| fits(f) && f.0 == usual).or_else(|| folders.iter().position(&fits));
        if let Some(i) = pick {
            used[i] = true;
        }
        chosen.push(pick.map(|i| folders[i].0.clone()));
    }
    let ignored = folders
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|((name, policy), _)| (name.clone(), policy.clone().unwrap_or_else(|| "no policy recorded".into())))
        .collect();
    let runs = chosen
        .par_iter()
        .map(|f| f.as_ref().map(|f| rundata::load_run(&dir.join(f))).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    let variants = labels
        .into_iter()
        .zip(chosen)
        .zip(runs)
        .enumerate()
        .map(|(i, ((label, folder), run))| Variant { label, folder, run, colour: variant_colour(i) })
        .collect::<Vec<_>>();
    // comparison.csv leaves the abandonment of all jobs blank: it is the summary's abandoned
    // jobs over its accepted ones (the same jobs, after any warm-up).
    let mut rows = rows;
    for r in rows.iter_mut().filter(|r| r.class == ALL && r.abandonment_rate.is_none()) {
        let Some(s) = variants.iter().find(|v| v.label == r.variant).and_then(|v| v.run.as_ref()).map(|r| &r.summary)
        else {
            continue;
        };
        let accepted = s.jobs.saturating_sub(s.rejected);
        if !s.outcomes.is_empty() && accepted > 0 {
            let abandoned = s.outcomes.get(Outcome::Abandoned.as_str()).copied().unwrap_or(0);
            r.abandonment_rate = Some(abandoned as f64 / accepted as f64);
        }
    }
    Ok(Comparison { rows, variants, classes, ignored })
}

// ---------------------------------------------------------------------------------------
// Charts: prepared once, drawn twice (SVG, PNG)

/// Mean and p95 waits: one panel per class (or all jobs when there is one class), each on its
/// own linear axis, so that a class whose waits are seconds is not a stub under one of hours.
struct BarsPlot {
    /// The bars of each panel: mean wait, then p95 wait.
    groups: [&'static str; 2],
    panels: Vec<BarPanel>,
    colours: Vec<RGBColor>,
}

/// One class's panel of [`BarsPlot`].
struct BarPanel {
    title: String,
    /// `values[group][variant]`, seconds.
    values: Vec<Vec<Option<f64>>>,
    /// The top of its axis, seconds.
    y_max: f64,
}

struct ScatterPoint {
    label: String,
    colour: RGBColor,
    /// Utilisation, percent.
    x: f64,
    /// p95 wait in the axis unit.
    y: f64,
}

struct ScatterPlot {
    points: Vec<ScatterPoint>,
    x_range: (f64, f64),
    y_max: f64,
    y_desc: String,
}

struct CdfPlot {
    x_max: f64,
    /// The foot of the vertical axis, percent.
    y_lo: f64,
    /// The class's wait target, seconds, drawn as a dashed line.
    target: Option<f64>,
    /// (colour, points (wait s, % started within)).
    lines: Vec<(RGBColor, Vec<(f64, f64)>)>,
}

enum Plot {
    Bars(BarsPlot),
    Scatter(ScatterPlot),
    Cdf(CdfPlot),
}

struct Spec {
    name: String,
    title: String,
    caption: String,
    legend: Vec<LegendEntry>,
    plot: Plot,
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

fn bars_spec(c: &Comparison) -> Spec {
    // Waits pooled over classes mix hours of batch with seconds of sessions: per class only.
    let groups = if c.classes.len() > 1 { c.classes.clone() } else { vec![ALL.to_string()] };
    let figures: [fn(&ComparisonRow) -> f64; 2] = [|r| r.mean_wait, |r| r.p95_wait];
    let panels = groups
        .iter()
        .map(|g| {
            let values: Vec<Vec<Option<f64>>> = figures
                .iter()
                .map(|f| c.variants.iter().map(|v| c.row(&v.label, g).and_then(|r| finite(f(r)))).collect())
                .collect();
            let top = values.iter().flatten().flatten().fold(0.0f64, |a, b| a.max(*b));
            BarPanel { title: group_name(g), values, y_max: top.max(1.0) * 1.1 }
        })
        .collect();
    let per = if groups.len() > 1 { "one panel per class, each on its own linear axis" } else { "all jobs" };
    Spec {
        name: "wait_by_class".into(),
        title: "Mean and p95 wait per class".into(),
        caption: format!(
            "Mean wait and 95th-percentile wait of the jobs that started, {per}; one bar per variant: lower is \
             better. A bar too short to see is a wait near zero (the tables give the figures)."
        ),
        legend: legend(c, |_| true, Mark::Box),
        plot: Plot::Bars(BarsPlot {
            groups: ["mean", "p95"],
            panels,
            colours: c.variants.iter().map(|v| v.colour).collect(),
        }),
    }
}

fn legend(c: &Comparison, keep: impl Fn(&Variant) -> bool, kind: Mark) -> Vec<LegendEntry> {
    c.variants
        .iter()
        .filter(|v| keep(v))
        .map(|v| LegendEntry { label: v.label.clone(), colour: v.colour, kind })
        .collect()
}

fn scatter_spec(c: &Comparison) -> Result<Spec, Skipped> {
    let (name, title) = ("utilisation_vs_p95", "Utilisation against p95 wait");
    let raw: Vec<(&Variant, f64, f64)> = c
        .variants
        .iter()
        .filter_map(|v| {
            let r = c.row(&v.label, ALL)?;
            Some((v, finite(r.utilisation)? * 100.0, finite(r.p95_wait)?))
        })
        .collect();
    if raw.is_empty() {
        return Err(charts_skip(name, title, "no variant has both a utilisation and a p95 wait"));
    }
    let top = raw.iter().map(|p| p.2).fold(0.0f64, f64::max);
    let (unit, unit_name) = charts::time_unit(top);
    let lo = raw.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = raw.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    // At least MIN_SPAN points wide, so that a fraction of a point does not fill the chart.
    let x_range = if hi - lo + 2.0 < MIN_SPAN {
        let mid = (lo + hi) / 2.0;
        let from = (mid - MIN_SPAN / 2.0).clamp(0.0, 100.0 - MIN_SPAN);
        (from, from + MIN_SPAN)
    } else {
        let pad = (hi - lo) * 0.1 + 1.0;
        ((lo - pad).max(0.0), (hi + pad).min(100.0))
    };
    let points = raw
        .iter()
        .map(|(v, x, y)| ScatterPoint { label: v.label.clone(), colour: v.colour, x: *x, y: y / unit })
        .collect();
    let missing = c.variants.len() - raw.len();
    let spread = if hi - lo + 2.0 < MIN_SPAN {
        format!(
            "; the utilisations differ by {} points ({}% to {}%): the horizontal axis spans {} points so that \
             this looks as small as it is",
            charts::trim(hi - lo, 2),
            charts::trim(lo, 2),
            charts::trim(hi, 2),
            MIN_SPAN
        )
    } else {
        String::new()
    };
    Ok(Spec {
        name: name.into(),
        title: title.into(),
        caption: format!(
            "Each variant's utilisation (share of the machine's core-time busy) against the 95th-percentile \
             wait of all its jobs, p95 axis from zero: further right uses the machine better, lower serves the \
             slow tail sooner{spread}{}{}.",
            coinciding(&raw.iter().map(|(v, x, y)| (v.label.clone(), vec![*x, *y])).collect::<Vec<_>>(), "identical"),
            if missing > 0 {
                format!(" ({missing} variants without both figures are left out)")
            } else {
                String::new()
            }
        ),
        legend: raw
            .iter()
            .enumerate()
            .map(|(i, (v, _, _))| LegendEntry {
                label: v.label.clone(),
                colour: v.colour,
                kind: Mark::Marker(Shape::ALL[i % Shape::ALL.len()], false),
            })
            .collect(),
        plot: Plot::Scatter(ScatterPlot {
            points,
            x_range,
            y_max: if top > 0.0 { top / unit * 1.15 } else { 1.0 },
            y_desc: format!("p95 wait of all jobs ({unit_name})"),
        }),
    })
}

/// The colour of a class's wait target on its distribution chart.
const TARGET: RGBColor = RGBColor(90, 90, 90);

/// The horizontal span, in points of utilisation, the utilisation axis has at least.
const MIN_SPAN: f64 = 10.0;

/// `; a and b are identical` for each set of items whose figures are all the same (up to
/// rounding noise), so that a reader knows why one hides the other; empty if none.
fn coinciding(items: &[(String, Vec<f64>)], word: &str) -> String {
    let mut done = vec![false; items.len()];
    let mut sets = Vec::new();
    for i in 0..items.len() {
        if done[i] {
            continue;
        }
        let twins: Vec<usize> = (i..items.len())
            .filter(|&j| {
                items[j].1.len() == items[i].1.len() && items[j].1.iter().zip(&items[i].1).all(|(a, b)| same(*a, *b))
            })
            .collect();
        if twins.len() > 1 {
            twins.iter().for_each(|&j| done[j] = true);
            sets.push(and_list(&twins.iter().map(|&j| items[j].0.clone()).collect::<Vec<_>>()));
        }
    }
    match sets.as_slice() {
        [] => String::new(),
        [one] => format!("; {one} are {word}, drawn on top of one another"),
        _ => format!("; {} are {word} (each set drawn on top of one another)", sets.join(", and ")),
    }
}

fn charts_skip(name: &str, title: &str, reason: &str) -> Skipped {
    Skipped { name: name.into(), title: title.into(), reason: reason.into() }
}

/// Up to [`CDF_POINTS`] quantiles of sorted `waits`, as (wait, % of `accepted`), one point
/// per wait: the jobs that did not wait at all are one point at "at once" (drawn as a dot,
/// not a vertical line that would read as a marker), and waits under a second are drawn at 1 s.
fn cdf_points(waits: &[f64], accepted: usize) -> Vec<(f64, f64)> {
    let n = waits.len();
    let k = n.min(CDF_POINTS);
    let share = |m: usize| 100.0 * m as f64 / accepted as f64;
    let mut out: Vec<(f64, f64)> = vec![(AT_ONCE, share(waits.partition_point(|w| *w <= 0.0)))];
    for i in 0..k {
        let idx = ((i + 1) * n) / k - 1;
        if waits[idx] <= 0.0 {
            continue;
        }
        let pt = (waits[idx].max(1.0), share(idx + 1));
        match out.last_mut() {
            Some(last) if last.0 == pt.0 => *last = pt,
            _ => out.push(pt),
        }
    }
    out
}

/// The wait distribution of every variant, for all jobs (`class` `None`) or one class.
fn cdf_spec(c: &Comparison, class: Option<&str>) -> Result<Spec, Skipped> {
    let (name, title) = match class {
        None => ("wait_cdf_all".to_string(), "Wait-time distribution, all jobs".to_string()),
        Some(k) => {
            let safe = charts::file_safe(k);
            let safe = if safe == ALL { "class_all".to_string() } else { safe };
            (format!("wait_cdf_{safe}"), format!("Wait-time distribution, {k} jobs"))
        }
    };
    let mut lines = Vec::new();
    let mut shown = Vec::new();
    let mut x_max: f64 = 60.0;
    for v in &c.variants {
        let Some(run) = &v.run else { continue };
        let ci = class.map(|k| run.classes.iter().position(|n| n == k));
        if ci == Some(None) {
            continue;
        }
        let of = run.jobs.iter().filter(|j| run.measured(j) && ci.is_none_or(|i| i == Some(j.class as usize)));
        let accepted = of.clone().filter(|j| j.outcome != Outcome::Rejected).count();
        let mut waits: Vec<f64> = of.filter_map(charts::wait_of).collect();
        if waits.is_empty() || accepted == 0 {
            continue;
        }
        waits.sort_by(f64::total_cmp);
        x_max = x_max.max(waits[waits.len() - 1]);
        lines.push((v.colour, cdf_points(&waits, accepted)));
        shown.push(v.label.clone());
    }
    let which = class.map_or("all".to_string(), |k| format!("the {k}"));
    let target = class.and_then(|k| {
        let runs = c.variants.iter().filter_map(|v| v.run.as_ref());
        runs.filter_map(|r| r.summary.classes.get(k)?.target).find(|t| t.is_finite() && *t > 0.0)
    });
    // Variants whose figures for these jobs are all the same draw one line.
    let group = class.unwrap_or(ALL);
    let figures: Vec<(String, Vec<f64>)> = c
        .variants
        .iter()
        .filter(|v| shown.contains(&v.label))
        .filter_map(|v| {
            let r = c.row(&v.label, group)?;
            let f = [r.jobs as f64, r.started as f64, r.mean_wait, r.median_wait, r.p90_wait, r.p95_wait, r.p99_wait];
            Some((v.label.clone(), [&f[..], &[r.max_wait, r.mean_bsld]].concat()))
        })
        .collect();
    let twins = coinciding(&figures, "identical in every figure");
    // Where every variant starts most of these jobs within a second, the axis starts below the
    // least such share, so the rest of the distribution is not squeezed into a strip.
    let at_once = |pts: &Vec<(f64, f64)>| pts.first().map_or(0.0, |p| if p.0 == AT_ONCE { p.1 } else { 0.0 });
    let least = lines.iter().map(|(_, pts)| at_once(pts)).fold(100.0f64, f64::min);
    let y_lo = if least >= 50.0 { ((least / 5.0).floor() * 5.0 - 5.0).max(0.0) } else { 0.0 };
    let y_note = if y_lo > 0.0 {
        format!(
            "; the vertical axis starts at {}%: every variant started at least {}% of these jobs at once",
            trim(y_lo, 0),
            trim(least, 1)
        )
    } else {
        String::new()
    };
    let mut legend_entries = legend(c, |v| shown.contains(&v.label), Mark::Line);
    if let Some(t) = target {
        legend_entries.push(LegendEntry {
            label: format!("target {}", fmt_duration(t)),
            colour: TARGET,
            kind: Mark::Dashed,
        });
    }
    if lines.is_empty() {
        let reason = if c.variants.iter().all(|v| v.run.is_none()) {
            "no variant's run folder was found".to_string()
        } else {
            format!("no job of {which} jobs started under any variant")
        };
        return Err(charts_skip(&name, &title, &reason));
    }
    Ok(Spec {
        name,
        title,
        caption: format!(
            "Share of {which} accepted jobs that started within a given wait, one line per variant (log time \
             axis; the dot at \u{201c}at once\u{201d} is the share that did not wait at all, waits under 1 s are \
             drawn at 1 s; abandoned jobs never reach the \
             top): a line further up and to the left means shorter waits{}{y_note}{twins}.",
            target.map_or(String::new(), |t| format!("; dashed: the class's wait target, {}", fmt_duration(t)))
        ),
        legend: legend_entries,
        plot: Plot::Cdf(CdfPlot { x_max: (x_max * 1.3).max(target.unwrap_or(0.0) * 2.0), y_lo, target, lines }),
    })
}

/// Every chart the comparison allows, in report order, drawn in parallel.
fn build_charts(c: &Comparison) -> Result<Charts, ChartError> {
    let mut specs = vec![bars_spec(c)];
    let mut skipped = Vec::new();
    let mut add = |r: Result<Spec, Skipped>| match r {
        Ok(s) => specs.push(s),
        Err(s) => skipped.push(s),
    };
    add(scatter_spec(c));
    add(cdf_spec(c, None));
    if c.classes.len() > 1 {
        for k in &c.classes {
            add(cdf_spec(c, Some(k)));
        }
    }
    charts::fonts();
    let charts = specs.par_iter().map(charts::render).collect::<Result<Vec<_>, _>>()?;
    Ok(Charts { charts, skipped })
}

impl Drawable for Spec {
    fn meta(&self) -> (&str, &str, &str) {
        (&self.name, &self.title, &self.caption)
    }
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, bitmap: bool) -> DrawResult<DB> {
        draw(self, root, bitmap)
    }
}

fn draw<DB: DrawingBackend>(spec: &Spec, root: &DrawingArea<DB, Shift>, bitmap: bool) -> DrawResult<DB> {
    let (plot, side) = charts::frame(root, &spec.title)?;
    match &spec.plot {
        Plot::Bars(p) => draw_bars(p, &plot)?,
        Plot::Scatter(p) => draw_scatter(p, root, &plot)?,
        Plot::Cdf(p) => draw_cdf(p, root, &plot, bitmap)?,
    }
    draw_legend(&side, &spec.legend)
}

fn draw_bars<DB: DrawingBackend>(p: &BarsPlot, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    let panels = area.split_evenly((1, p.panels.len().max(1)));
    let n = p.colours.len().max(1);
    let groups = p.groups.len();
    for (k, (panel, BarPanel { title, values, y_max })) in panels.iter().zip(&p.panels).enumerate() {
        let x = Ticks { lo: 0.0, hi: groups as f64, ticks: (0..groups).map(|g| g as f64 + 0.5).collect(), log: false };
        // Seconds for a class whose waits are seconds, where minutes would read 0.01.
        let (unit, unit_name) = if *y_max < 120.0 { (1.0, "seconds") } else { charts::time_unit(*y_max) };
        let mut chart = ChartBuilder::on(panel)
            .caption(title, (FONT, 17))
            .margin(10)
            .x_label_area_size(48)
            .y_label_area_size(if k == 0 { 76 } else { 56 })
            .build_cartesian_2d(x, 0.0..*y_max / unit)?;
        let name_of = |v: &f64| p.groups.get(v.floor().max(0.0) as usize).map(|g| g.to_string()).unwrap_or_default();
        let y_desc = format!("wait ({unit_name})");
        charts::mesh_styles(&mut chart, "", &y_desc)
            .disable_x_mesh()
            .y_labels(6)
            .x_label_formatter(&name_of)
            .y_label_formatter(&|v| trim(*v, 2))
            .draw()?;
        let width = 0.8 / n as f64;
        let mut bars = Vec::new();
        let mut labels = Vec::new();
        for (g, row) in values.iter().enumerate() {
            for (i, v) in row.iter().enumerate() {
                let Some(v) = v else { continue };
                let x0 = g as f64 + 0.1 + i as f64 * width;
                bars.push(Rectangle::new(
                    [(x0 + 0.06 * width, 0.0), (x0 + 0.94 * width, v / unit)],
                    p.colours[i].filled(),
                ));
                labels.push((x0, x0 + width, *v));
            }
        }
        chart.draw_series(bars)?;
        // Each bar's value above it, where the bar is wide enough: a bar dwarfed by another
        // on the same axis is a stub whose value can still be read.
        let font = charts::label_font().pos(Pos::new(HPos::Center, VPos::Bottom));
        for (x0, x1, v) in labels {
            let (a, b) = (chart.backend_coord(&(x0, 0.0)).0, chart.backend_coord(&(x1, 0.0)).0);
            let text = fmt_duration(v);
            let (w, _) = panel.estimate_text_size(&text, &font)?;
            if b - a >= w as i32 + 4 {
                chart.draw_series(std::iter::once(Text::new(text, ((x0 + x1) / 2.0, v / unit), font.clone())))?;
            }
        }
    }
    Ok(())
}

/// A label's box in pixels: (x, y, width, height).
type LabelBox = (i32, i32, i32, i32);

fn overlaps(a: LabelBox, b: LabelBox) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

fn draw_scatter<DB: DrawingBackend>(
    p: &ScatterPlot,
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .x_label_area_size(48)
        .y_label_area_size(76)
        .build_cartesian_2d(p.x_range.0..p.x_range.1, 0.0..p.y_max)?;
    charts::mesh_styles(&mut chart, "utilisation (% of core-time busy)", &p.y_desc)
        .x_label_formatter(&|v| format!("{}%", trim(*v, 1)))
        .y_label_formatter(&|v| trim(*v, 2))
        .draw()?;
    // Hollow markers of different shapes: variants at the same spot (a trace's utilisation
    // is the same under every policy) all keep their outlines, none hidden under another.
    for (i, pt) in p.points.iter().enumerate() {
        let at = chart.backend_coord(&(pt.x, pt.y));
        charts::draw_marker(root, at, Shape::ALL[i % Shape::ALL.len()], pt.colour, false, 7)?;
    }
    // One label per point, each where it overlaps no other label or point; points on the same
    // pixel get labels stacked beside them (the caption says they coincide).
    let pixels: Vec<(i32, i32)> = p.points.iter().map(|pt| chart.backend_coord(&(pt.x, pt.y))).collect();
    let labels: Vec<((i32, i32), String)> =
        p.points.iter().zip(&pixels).map(|(pt, px)| (*px, pt.label.clone())).collect();
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let font = charts::label_font();
    let mut taken: Vec<LabelBox> = pixels.iter().map(|&(x, y)| (x - 8, y - 8, 16, 16)).collect();
    for ((x, y), text) in labels {
        let (w, h) = root.estimate_text_size(&text, &font)?;
        let (w, h) = (w as i32, h as i32);
        // Beside, above and below the point, then further out in steps of a line.
        let candidates: Vec<(i32, i32)> = (0..6)
            .flat_map(|k| {
                let d = k * (h + 2);
                [
                    (x + 11, y - h / 2 + d),
                    (x + 11, y - h / 2 - d),
                    (x - 11 - w, y - h / 2 + d),
                    (x - 11 - w, y - h / 2 - d),
                ]
            })
            .collect();
        let inside = |b: LabelBox| b.0 >= xr.start && b.0 + b.2 <= xr.end && b.1 >= yr.start && b.1 + b.3 <= yr.end;
        let pick = candidates
            .iter()
            .map(|&(cx, cy)| (cx, cy, w, h))
            .find(|b| inside(*b) && taken.iter().all(|t| !overlaps(*b, *t)))
            .or_else(|| candidates.iter().map(|&(cx, cy)| (cx, cy, w, h)).find(|b| inside(*b)))
            .unwrap_or((x + 11, y - h / 2, w, h));
        taken.push(pick);
        root.draw(&Text::new(text, (pick.0, pick.1), font.clone()))?;
    }
    Ok(())
}

fn draw_cdf<DB: DrawingBackend>(
    p: &CdfPlot,
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    bitmap: bool,
) -> DrawResult<DB> {
    // From a quarter second, so "at once" (half a second) stands clear of the axis, as in a
    // run's chart.
    let x = Ticks { lo: 0.25, hi: p.x_max, ticks: charts::wait_ticks(p.x_max), log: true };
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .x_label_area_size(48)
        .y_label_area_size(76)
        .build_cartesian_2d(x, p.y_lo..100.0)?;
    charts::mesh_styles(&mut chart, "wait (log scale)", "jobs started within the wait (%)")
        .x_label_formatter(&|v| if *v == AT_ONCE { "at once".into() } else { fmt_duration(*v) })
        .y_label_formatter(&|v| format!("{}%", trim(*v, 0)))
        .draw()?;
    for (colour, points) in &p.lines {
        let pixels: Vec<(i32, i32)> = points.iter().map(|pt| chart.backend_coord(pt)).collect();
        charts::draw_polyline(root, &pixels, *colour, bitmap)?;
        if let Some(first) = points.first().filter(|pt| pt.0 == AT_ONCE) {
            root.draw(&Circle::new(chart.backend_coord(first), 5, colour.filled()))?;
        }
    }
    if let Some(t) = p.target {
        let style = ShapeStyle::from(&TARGET).stroke_width(2);
        chart.draw_series(DashedLineSeries::new(vec![(t, p.y_lo), (t, 100.0)], 8, 5, style))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// report.html

/// Whether two figures are equal up to rounding noise.
fn same(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// The indices of the best finite values (lowest, or highest with `high`), ties included.
pub(crate) fn best_of(values: &[f64], high: bool) -> Vec<usize> {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let best = if high { finite.fold(f64::NEG_INFINITY, f64::max) } else { finite.fold(f64::INFINITY, f64::min) };
    if !best.is_finite() {
        return Vec::new();
    }
    (0..values.len()).filter(|&i| values[i].is_finite() && same(values[i], best)).collect()
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A relative link to a file under `folder`: percent-encodes what is not plainly a path.
fn href(folder: &str, file: &str) -> String {
    let mut out = String::new();
    for b in folder.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    format!("{out}/{file}")
}

/// A figure of a row of `comparison.csv`.
type Figure = fn(&ComparisonRow) -> f64;

/// The headline figures of each class, and which is better.
const HEADLINE: [(&str, bool, Figure); 3] = [
    ("mean wait", false, |r| r.mean_wait),
    ("p95 wait", false, |r| r.p95_wait),
    ("share within target", true, |r| r.within_target.unwrap_or(f64::NAN)),
];

/// Which variants are best on `values` (lower, or higher with `high`), in words: the best
/// one, the tied ones, or that the variants do not differ; `None` when none has the figure.
fn best_words(c: &Comparison, values: &[f64], high: bool, show: impl Fn(f64) -> String) -> Option<String> {
    let best = best_of(values, high);
    let &first = best.first()?;
    let with = values.iter().filter(|v| v.is_finite()).count();
    if best.len() == with && with > 1 {
        return Some(format!("the same under every variant ({})", escape(&show(values[first]))));
    }
    let names: Vec<String> =
        best.iter().map(|&i| format!("<strong>{}</strong>", escape(&c.variants[i].label))).collect();
    let tie = if names.len() > 1 { ", tied" } else { "" };
    Some(format!("{}{tie} ({})", and_list(&names), escape(&show(values[first]))))
}

/// The sentences naming the best variant per class on each headline figure, and on the
/// machine's utilisation: waits pooled over classes would mean little.
fn best_sentence(c: &Comparison) -> String {
    let groups = if c.classes.is_empty() { vec![ALL.to_string()] } else { c.classes.clone() };
    let mut out = Vec::new();
    for g in &groups {
        let mut parts = Vec::new();
        for (what, high, f) in HEADLINE {
            let values: Vec<f64> = c.variants.iter().map(|v| c.row(&v.label, g).map_or(f64::NAN, f)).collect();
            let show = |v: f64| if what.starts_with("share") { pct(v) } else { fmt_duration(v) };
            if let Some(words) = best_words(c, &values, high, show) {
                let what = if high { format!("highest {what}") } else { format!("lowest {what}") };
                parts.push(format!("{what}: {words}"));
            }
        }
        if !parts.is_empty() {
            out.push(format!("{}: {}.", escape(&group_name(g)), parts.join("; ")));
        }
    }
    let values: Vec<f64> =
        c.variants.iter().map(|v| c.row(&v.label, ALL).map_or(f64::NAN, |r| r.utilisation)).collect();
    if let Some(words) = best_words(c, &values, true, pct) {
        out.push(format!("Machine: highest utilisation: {words}."));
    }
    out.join("<br>\n")
}

/// The value a set of variants' run descriptions agree on, or all of them.
fn agreed(c: &Comparison, f: impl Fn(&rundata::RunInfo) -> Option<String>) -> Option<String> {
    let mut seen: Vec<String> = Vec::new();
    for v in &c.variants {
        if let Some(x) = v.run.as_ref().and_then(|r| r.summary.run.as_ref()).and_then(&f) {
            if !seen.contains(&x) {
                seen.push(x);
            }
        }
    }
    (!seen.is_empty()).then(|| seen.join(" / "))
}

/// The page for the comparison `c` with `charts`; `has_report(folder)` says whether a
/// variant's own report.html exists.
fn render_html(c: &Comparison, charts: &Charts, has_report: impl Fn(&str) -> bool) -> String {
    let source = agreed(c, |r| r.source.clone());
    let name = source
        .as_deref()
        .filter(|s| !s.contains(" / "))
        .and_then(|s| Path::new(s).file_name())
        .map(|n| {
            n.to_string_lossy().trim_end_matches(".gz").trim_end_matches(".swf").trim_end_matches(".toml").to_string()
        })
        .unwrap_or_else(|| "comparison".into());
    // Headed like a run's report (`schedsim report: ...`), saying it compares.
    // Policies when each variant's run names its label as its policy; else scenario variants.
    let of_policies = c.variants.iter().all(|v| {
        v.run.as_ref().is_none_or(|r| r.summary.run.as_ref().and_then(|i| i.policy.as_deref()) == Some(&v.label))
    });
    let kind = if of_policies { "policies" } else { "variants" };
    let heading = format!("schedsim report: {}, {} {kind} compared", escape(&name), c.variants.len());
    let mut h = String::with_capacity(512 * 1024);
    let w = &mut h;
    page_start(w, &heading);
    let labels: Vec<String> = c.variants.iter().map(|v| escape(&v.label)).collect();
    let _ = writeln!(w, "<p class=\"sub\">{}</p>", labels.join(" · "));
    let _ = writeln!(
        w,
        "<nav><a href=\"#compared\">What was compared</a><a href=\"#best\">Best</a><a href=\"#figures\">Figures \
         per class</a><a href=\"#charts\">Charts</a><a href=\"#variants\">Variants</a></nav>"
    );

    // What was compared.
    let _ = writeln!(w, "<section id=\"compared\">\n<h2>What was compared</h2>\n<table class=\"kv\">");
    let row = kv_row;
    row(w, "source", source.as_deref().map(escape));
    row(w, "cluster", agreed(c, |r| r.cluster.clone()).as_deref().map(escape));
    row(w, "nodes", agreed(c, |r| r.nodes.map(fmt_count)));
    row(w, "cores", agreed(c, |r| r.cores.map(fmt_count)));
    row(w, "seed", agreed(c, rundata::RunInfo::seed_text));
    row(w, "schedsim version", agreed(c, |r| r.version.clone()).as_deref().map(escape));
    let jobs: Vec<u64> = c.variants.iter().filter_map(|v| c.row(&v.label, ALL)).map(|r| r.jobs).collect();
    let mut counts: Vec<String> = jobs.iter().map(|j| fmt_count(*j)).collect();
    counts.dedup();
    row(w, "jobs", (!counts.is_empty()).then(|| counts.join(" / ")));
    let classes: Vec<String> = c.classes.iter().map(|k| escape(k)).collect();
    row(w, "classes", (!classes.is_empty()).then(|| classes.join(", ")));
    row(w, "variants", Some(labels.join(", ")));
    let _ = writeln!(w, "</table>");
    let _ = writeln!(
        w,
        "<p class=\"note\">{} A value shown as a / b \
         differs between the variants' run descriptions.</p>\n</section>",
        if of_policies {
            "The same workload on the same machine under each policy."
        } else {
            "Variants of a scenario, each with its own workload, machine and policy as its file sets them."
        }
    );

    // Best.
    let _ = writeln!(w, "<section id=\"best\">\n<h2>Best</h2>");
    let _ = writeln!(w, "<p class=\"best\" id=\"best-sentence\">{}</p>", best_sentence(c));
    let gave_up = c.rows.iter().any(|r| r.class == ALL && r.abandonment_rate.is_some_and(|a| a > 0.0));
    if gave_up {
        let _ = writeln!(
            w,
            "<p class=\"note\">Waits count only the jobs that started: a policy under which more jobs give up \
             waiting (the abandoned column below) can look better on waits than it is.</p>"
        );
    }
    let _ = writeln!(w, "</section>");

    // Figures per class.
    let _ = writeln!(w, "<section id=\"figures\">\n<h2>Figures per class</h2>");
    let groups = c.groups();
    for g in &groups {
        let _ = writeln!(w, "<h3>{}</h3>\n<table>", escape(&group_name(g)));
        let _ = writeln!(
            w,
            "<tr><th>policy</th><th>jobs</th><th>started</th><th>mean wait</th><th>median wait</th><th>p95 wait</th>\
             <th>max wait</th><th>mean bounded slowdown</th><th>abandoned</th><th>started within target</th>\
             <th>utilisation</th></tr>"
        );
        let rows: Vec<Option<&ComparisonRow>> = c.variants.iter().map(|v| c.row(&v.label, g)).collect();
        // The best value in each compared column, marked.
        let figures: [(Figure, bool); 8] = [
            (|r| r.mean_wait, false),
            (|r| r.median_wait, false),
            (|r| r.p95_wait, false),
            (|r| r.max_wait, false),
            (|r| r.mean_bsld, false),
            (|r| r.abandonment_rate.unwrap_or(f64::NAN), false),
            (|r| r.within_target.unwrap_or(f64::NAN), true),
            (|r| r.utilisation, true),
        ];
        let best: Vec<Vec<usize>> = figures
            .iter()
            .enumerate()
            .map(|(k, (f, high))| {
                // The machine's utilisation is the same in every class's table: marked once, with
                // all jobs, whose waits mix classes and are not ranked.
                if (k == 7) != (g == ALL) {
                    return Vec::new();
                }
                let values: Vec<f64> = rows.iter().map(|r| r.map_or(f64::NAN, f)).collect();
                // Marking the best means something only when the variants differ.
                let b = best_of(&values, *high);
                if b.len() == values.iter().filter(|v| v.is_finite()).count() {
                    Vec::new()
                } else {
                    b
                }
            })
            .collect();
        for (i, (v, r)) in c.variants.iter().zip(&rows).enumerate() {
            let cell = |k: usize, text: String| match best[k].len() {
                n if n > 1 && best[k].contains(&i) => format!("<td class=\"best\">{text} (tie)</td>"),
                _ if best[k].contains(&i) => format!("<td class=\"best\">{text}</td>"),
                _ => format!("<td>{text}</td>"),
            };
            let swatch = format!("<span class=\"swatch\" style=\"background:{}\"></span>", css(v.colour));
            match r {
                Some(r) => {
                    let _ = writeln!(
                        w,
                        "<tr><td>{swatch}{}</td><td>{}</td><td>{}</td>{}{}{}{}{}{}{}{}</tr>",
                        escape(&v.label),
                        fmt_count(r.jobs),
                        fmt_count(r.started),
                        cell(0, escape(&fmt_duration(r.mean_wait))),
                        cell(1, escape(&fmt_duration(r.median_wait))),
                        cell(2, escape(&fmt_duration(r.p95_wait))),
                        cell(3, escape(&fmt_duration(r.max_wait))),
                        cell(4, num(r.mean_bsld, 2)),
                        cell(5, r.abandonment_rate.map_or("—".into(), pct)),
                        cell(6, r.within_target.map_or("—".into(), pct)),
                        cell(7, pct(r.utilisation)),
                    );
                }
                None => {
                    let _ = writeln!(
                        w,
                        "<tr><td>{swatch}{}</td><td colspan=\"10\" class=\"note\">no row in comparison.csv</td></tr>",
                        escape(&v.label)
                    );
                }
            }
        }
        let _ = writeln!(w, "</table>");
    }
    let _ = writeln!(
        w,
        "<p class=\"note\">Highlighted: the best value of a column where the variants differ, marked (tie) \
         where several variants share it; a column where every variant has the same value has none. Waits are of jobs \
         that started; abandonment and the share within the class's wait target are over accepted jobs (the \
         abandonment of all jobs is from each variant's summary.json; no share within target where a class has \
         no target); utilisation is of the whole machine, the same in \
         every table, and marked only in the all-jobs one, whose waits (of every class together) are not \
         ranked.</p>\n<p class=\"note\" id=\"no-replications\">Each variant is one run of one seed: a comparison \
         has no replications, so no confidence intervals, and a difference marked here may lie within the noise \
         between seeds. A sweep with replications (<code>schedsim sweep --replications R</code>) marks only \
         differences whose 95% intervals do not overlap.</p>\n</section>"
    );

    charts_section(w, charts, "Not drawn:");

    // Variants.
    let _ = writeln!(w, "<section id=\"variants\">\n<h2>Variants</h2>\n<ul>");
    for v in &c.variants {
        let swatch = format!("<span class=\"swatch\" style=\"background:{}\"></span>", css(v.colour));
        match &v.folder {
            Some(f) if has_report(f) => {
                let _ = writeln!(
                    w,
                    "<li>{swatch}{}: <a href=\"{}\">its own report</a> (folder {}/)</li>",
                    escape(&v.label),
                    escape(&href(f, "report.html")),
                    escape(f)
                );
            }
            Some(f) => {
                let _ = writeln!(
                    w,
                    "<li>{swatch}{}: folder <a href=\"{}\">{}/</a> (no report.html: build one with \
                     <code>schedsim report</code> on that folder)</li>",
                    escape(&v.label),
                    escape(&href(f, "summary.json")),
                    escape(f)
                );
            }
            None => {
                let _ = writeln!(
                    w,
                    "<li>{swatch}{}: <span class=\"note\">no run folder with this policy was found; only \
                     comparison.csv's figures are shown</span></li>",
                    escape(&v.label)
                );
            }
        }
    }
    let _ = writeln!(w, "</ul>");
    if !c.ignored.is_empty() {
        let items: Vec<String> = c.ignored.iter().map(|(f, p)| format!("{}/ ({})", escape(f), escape(p))).collect();
        let _ = writeln!(
            w,
            "<p class=\"note\">Run folders here whose policy is not in comparison.csv, left out: {}.</p>",
            items.join(", ")
        );
    }
    let _ = writeln!(w, "</section>");
    let _ = writeln!(
        w,
        "<footer>Built by schedsim {} from comparison.csv and each variant's folder (summary.json, jobs.csv). \
         The charts are also in charts/ as SVG and PNG.</footer>",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(w, "</main>\n</body>\n</html>");
    h
}

/// Reads the comparison in `dir` (`comparison.csv` and the variants' run folders), draws its
/// charts into `dir/charts/` (SVG and PNG) and writes `dir/report.html`.
pub fn build_compare_report(dir: &Path) -> Result<CompareReportFiles, CompareReportError> {
    let c = read_comparison(dir)?;
    let charts = build_charts(&c)?;
    let page = render_html(&c, &charts, |f| dir.join(f).join("report.html").is_file());
    let files = write_report(dir, charts, &page)?;
    let variants = c
        .variants
        .iter()
        .map(|v| VariantFolder { label: v.label.clone(), dir: v.folder.as_ref().map(|f| dir.join(f)) })
        .collect();
    Ok(CompareReportFiles { html: files.html, charts: files.charts, skipped: files.skipped, variants })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Cluster;
    use crate::experiment::compare::{compare, parse_variants, policy_labels, write_comparison_csv};
    use crate::experiment::{PolicyChoice, RunPlan};
    use crate::report::charts::{HEIGHT, WIDTH};
    use crate::report::testing::{png_size, report_bytes};
    use crate::report::write_atomic;
    use crate::report::{write_run, RunFiles};
    use crate::rng;
    use crate::workload::job::JobClass;
    use crate::workload::lublin::{self, Extent, LublinConfig, Population};

    const POLICIES: &str = "fcfs/none,fcfs/easy,sjf/easy,fcfs/conservative";

    /// A comparison directory as `schedsim compare` writes it: 500 Lublin jobs (its
    /// interactive stream as class `interactive`) on 64 nodes under four policies.
    fn comparison(dir: &Path, seed: u64) {
        let cfg = LublinConfig::new(64, Population::Mixed);
        let mut w = lublin::generate_workload(&cfg, Extent::Jobs(500), &mut rng::stream(seed, 0, "lublin")).unwrap();
        for j in &mut w.jobs {
            if j.meta.queue == 0 {
                j.class = JobClass::Interactive;
            }
        }
        let base = RunPlan::replay(
            "lublin".into(),
            "lublin-500.swf".into(),
            w,
            Cluster::uniform(64, 1),
            PolicyChoice::default(),
        );
        let runs = compare(&base, &parse_variants(POLICIES).unwrap(), &|| ()).unwrap();
        for (plan, result) in &runs {
            let info = plan.info();
            let files = RunFiles::<()> {
                info: &info,
                workload: &plan.workload,
                cluster: &plan.cluster,
                output: &result.output,
                summary: &result.summary,
                login: None,
            };
            write_run(&dir.join(&plan.name), &files).unwrap();
        }
        write_atomic(&dir.join("comparison.csv"), |f| write_comparison_csv(f, &runs, &policy_labels(&runs))).unwrap();
    }

    fn comparison_dir(seed: u64) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temporary directory");
        comparison(dir.path(), seed);
        dir
    }

    /// Lines of more than two points in an SVG: the data lines (legend marks and grid lines have two).
    fn data_lines(svg: &str) -> usize {
        let doc = roxmltree::Document::parse(svg).unwrap();
        doc.descendants()
            .filter(|n| n.tag_name().name() == "polyline")
            .filter(|n| n.attribute("points").unwrap_or("").split_whitespace().count() > 2)
            .count()
    }

    #[test]
    fn every_chart_is_a_valid_svg_and_png_of_the_stated_size() {
        let dir = comparison_dir(1);
        let files = build_compare_report(dir.path()).unwrap();
        let names: Vec<&str> = files.charts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["wait_by_class", "utilisation_vs_p95", "wait_cdf_all", "wait_cdf_batch", "wait_cdf_interactive"]
        );
        assert!(files.skipped.is_empty(), "{:?}", files.skipped);
        for c in &files.charts {
            assert_eq!(c.svg, dir.path().join("charts").join(format!("{}.svg", c.name)));
            let text = fs::read_to_string(&c.svg).unwrap();
            let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: not XML: {e}", c.name));
            let root = doc.root_element();
            assert_eq!(root.tag_name().name(), "svg", "{}", c.name);
            assert_eq!(root.attribute("width"), Some(WIDTH.to_string().as_str()), "{}", c.name);
            assert_eq!(root.attribute("height"), Some(HEIGHT.to_string().as_str()), "{}", c.name);
            let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
            // Every variant is named in every chart (legend, and the scatter's point labels).
            for label in POLICIES.split(',') {
                assert!(texts.iter().any(|t| t.contains(label)), "{}: {label} not named", c.name);
            }
            for line in doc.descendants().filter(|n| n.tag_name().name() == "polyline") {
                let points = line.attribute("points").unwrap_or("").split_whitespace().count();
                assert!(points <= CDF_POINTS, "{}: a line of {points} points", c.name);
            }
            if c.name.starts_with("wait_cdf") {
                assert_eq!(data_lines(&text), 4, "{}: one line per variant", c.name);
            }
            let bytes = fs::read(&c.png).unwrap();
            assert_eq!(png_size(&bytes), (WIDTH, HEIGHT), "{}", c.name);
            let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes)).read_info().unwrap();
            let mut buf = vec![0; reader.output_buffer_size()];
            let info = reader.next_frame(&mut buf).unwrap();
            assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
            assert!(buf.iter().any(|&b| b < 128), "{}: blank PNG", c.name);
            assert!(bytes.len() < 400_000 && text.len() < 1_000_000, "{}: too large", c.name);
        }
        // The bars chart: per variant, a mean and a p95 bar in the panel of each class (batch,
        // interactive), and a legend box.
        let bars = fs::read_to_string(dir.path().join("charts/wait_by_class.svg")).unwrap();
        let filled: Vec<usize> = PALETTE[..4]
            .iter()
            .map(|c| bars.matches(&format!("fill=\"{}\"", css(*c).to_uppercase())).count())
            .collect();
        assert_eq!(filled, [5, 5, 5, 5], "bars per variant");
    }

    #[test]
    fn the_html_is_self_contained_and_names_every_chart_and_variant() {
        let dir = comparison_dir(1);
        let files = build_compare_report(dir.path()).unwrap();
        let html = fs::read_to_string(&files.html).unwrap();
        crate::report::testing::assert_self_contained(&html);
        assert_eq!(html.matches("<figure class=\"chart\"").count(), files.charts.len());
        for c in &files.charts {
            let at = html
                .find(&format!("<figure class=\"chart\" id=\"chart-{}\">", c.name))
                .unwrap_or_else(|| panic!("no figure for {}", c.name));
            let figure = &html[at..at + html[at..].find("</figure>").unwrap()];
            assert!(figure.contains("<svg role=\"img\""), "{}: no inline SVG", c.name);
            assert!(figure.contains("<figcaption>"), "{}: no caption", c.name);
        }
        assert_eq!(files.variants.len(), 4);
        for v in &files.variants {
            assert!(html.contains(&v.label), "{} not in report.html", v.label);
            let folder = v.label.replace('/', "-");
            assert_eq!(v.dir.as_deref(), Some(dir.path().join(&folder).as_path()));
            // Not built yet: the page says so rather than linking to nothing.
            assert!(html.contains(&format!("href=\"{folder}/summary.json\"")), "{folder}");
        }
        for fact in ["lublin-500.swf", "64 nodes", "Figures per class", "all jobs</h3>", "interactive</h3>"] {
            assert!(html.contains(fact), "report.html lacks {fact}");
        }
        // With the variants' own reports built, the page links to them.
        for v in &files.variants {
            crate::report::build::build_report(v.dir.as_ref().unwrap()).unwrap();
        }
        build_compare_report(dir.path()).unwrap();
        let html = fs::read_to_string(&files.html).unwrap();
        for v in &files.variants {
            let link = format!("href=\"{}/report.html\"", v.label.replace('/', "-"));
            assert!(html.contains(&link), "no {link}");
        }
        assert!(html.ends_with("</html>\n"));
    }

    #[test]
    fn the_best_sentence_names_the_lowest_mean_wait_of_each_class() {
        let dir = comparison_dir(1);
        let files = build_compare_report(dir.path()).unwrap();
        let html = fs::read_to_string(&files.html).unwrap();
        let at = html.find("<p class=\"best\" id=\"best-sentence\">").expect("best sentence");
        let sentence = &html[at..at + html[at..].find("</p>").unwrap()];
        // comparison.csv read here on its own: variant, class, ..., mean_wait is column 5.
        let csv = fs::read_to_string(dir.path().join("comparison.csv")).unwrap();
        for class in ["batch", "interactive"] {
            let rows: Vec<(String, f64)> = csv
                .lines()
                .skip(1)
                .map(|l| l.split(',').collect::<Vec<_>>())
                .filter(|f| f[1] == class)
                .map(|f| (f[0].to_string(), f[4].parse().unwrap()))
                .collect();
            assert_eq!(rows.len(), 4);
            let min = rows.iter().map(|a| a.1).fold(f64::INFINITY, f64::min);
            let best: Vec<&str> = rows.iter().filter(|a| a.1 == min).map(|a| a.0.as_str()).collect();
            let worst = rows.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
            assert!(worst.1 > min, "the policies should differ on this workload");
            let line = sentence.split("<br>").find(|l| l.contains(&format!("{class}: "))).expect(class);
            let clause = line.split("; ").next().unwrap();
            assert!(clause.contains("lowest mean wait"), "{line}");
            for b in &best {
                assert!(clause.contains(&format!("<strong>{b}</strong>")), "{b} not named best in: {clause}");
            }
            assert!(!clause.contains(&format!("<strong>{}</strong>", worst.0)), "{clause}");
            assert!(clause.contains(&format!("({})", fmt_duration(min))), "{clause}");
            assert!(line.contains("lowest p95 wait"), "{line}");
        }
        assert!(!sentence.contains("all jobs"), "waits pooled over classes: {sentence}");
        assert!(sentence.contains("Machine: highest utilisation"), "{sentence}");
    }

    #[test]
    fn ties_and_identical_variants_are_said_and_only_differences_are_marked() {
        let dir = tempfile::tempdir().unwrap();
        // Three variants: a and b tie on batch's mean wait; debug is the same under all three;
        // a and c are identical in every batch figure but one.
        let row = |v: &str, class: &str, mean: f64, p95: f64, util: f64| {
            format!("{v},{class},10,10,{mean},{mean},{p95},{p95},{p95},{p95},1.5,0,,{util}\n")
        };
        let csv = [
            HEADER.to_string() + "\n",
            row("a", "all", 5.0, 9.0, 0.5),
            row("a", "batch", 10.0, 20.0, 0.5),
            row("a", "debug", 0.0, 0.0, 0.5),
            row("b", "all", 5.0, 9.0, 0.5),
            row("b", "batch", 10.0, 30.0, 0.5),
            row("b", "debug", 0.0, 0.0, 0.5),
            row("c", "all", 7.0, 9.0, 0.6),
            row("c", "batch", 40.0, 20.0, 0.6),
            row("c", "debug", 0.0, 0.0, 0.6),
        ]
        .concat();
        fs::write(dir.path().join("comparison.csv"), csv).unwrap();
        let c = read_comparison(dir.path()).unwrap();
        let sentence = best_sentence(&c);
        assert!(
            sentence.contains("batch: lowest mean wait: <strong>a</strong> and <strong>b</strong>, tied (10 s)"),
            "{sentence}"
        );
        assert!(
            sentence.contains("lowest p95 wait: <strong>a</strong> and <strong>c</strong>, tied (20 s)"),
            "{sentence}"
        );
        assert!(sentence.contains("debug: lowest mean wait: the same under every variant (0 s)"), "{sentence}");
        assert!(sentence.contains("highest utilisation: <strong>c</strong> (60.0%)"), "{sentence}");
        let html = render_html(&c, &Charts { charts: Vec::new(), skipped: Vec::new() }, |_| false);
        let table = |g: &str| {
            let at = html.find(&format!("<h3>{g}</h3>")).unwrap();
            html[at..at + html[at..].find("</table>").unwrap()].to_string()
        };
        // Ties marked as ties; no mark where every variant has the same value; utilisation
        // marked with all jobs only.
        assert_eq!(table("batch").matches("class=\"best\"").count(), 8, "{}", table("batch"));
        assert_eq!(table("batch").matches("(tie)").count(), 8);
        assert!(!table("debug").contains("class=\"best\""), "{}", table("debug"));
        assert!(table("all jobs").contains("<td class=\"best\">60.0%</td>"), "{}", table("all jobs"));
        assert_eq!(table("all jobs").matches("class=\"best\"").count(), 1, "pooled waits ranked");
        // Single runs have no intervals: the page says a marked difference may be noise.
        assert!(html.contains("a comparison has no replications, so no confidence intervals"), "no note");
        // Per-class panels and the coincidence note.
        assert_eq!(
            coinciding(
                &[("x".into(), vec![1.0, 2.0]), ("y".into(), vec![1.0, 2.0]), ("z".into(), vec![1.0, 3.0])],
                "identical"
            ),
            "; x and y are identical, drawn on top of one another"
        );
        assert_eq!(coinciding(&[("x".into(), vec![1.0]), ("y".into(), vec![2.0])], "identical"), "");
    }

    #[test]
    fn the_utilisation_axis_is_not_magnified_and_each_dot_has_its_own_label() {
        let dir = comparison_dir(1);
        let files = build_compare_report(dir.path()).unwrap();
        let c = read_comparison(dir.path()).unwrap();
        let spec = scatter_spec(&c).unwrap();
        let Plot::Scatter(p) = &spec.plot else { panic!("not a scatter") };
        assert!(p.x_range.1 - p.x_range.0 >= MIN_SPAN, "{:?}", p.x_range);
        let xs: Vec<f64> = p.points.iter().map(|pt| pt.x).collect();
        let spread =
            xs.iter().copied().fold(f64::NEG_INFINITY, f64::max) - xs.iter().copied().fold(f64::INFINITY, f64::min);
        if spread + 2.0 < MIN_SPAN {
            assert!(spec.caption.contains("the horizontal axis spans 10 points"), "{}", spec.caption);
        }
        // Each policy named twice, in the legend and by its dot: no label merged with another.
        let svg = fs::read_to_string(dir.path().join("charts/utilisation_vs_p95.svg")).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let texts: Vec<&str> =
            doc.descendants().filter(|n| n.tag_name().name() == "text").filter_map(|n| n.text()).collect();
        for label in POLICIES.split(',') {
            assert_eq!(texts.iter().filter(|t| t.trim() == label).count(), 2, "{label}: {texts:?}");
        }
        assert!(files.charts.iter().any(|f| f.name == "utilisation_vs_p95"));
    }

    #[test]
    fn building_twice_gives_byte_identical_files() {
        let (a, b) = (comparison_dir(3), comparison_dir(3));
        let first = build_compare_report(a.path()).unwrap();
        let once = report_bytes(a.path(), &first);
        let again = report_bytes(a.path(), &build_compare_report(a.path()).unwrap());
        let elsewhere = report_bytes(b.path(), &build_compare_report(b.path()).unwrap());
        assert_eq!(once.len(), 1 + 2 * first.charts.len());
        assert_eq!(once.len(), elsewhere.len());
        for ((p, x), ((_, y), (_, z))) in once.iter().zip(again.iter().zip(&elsewhere)) {
            assert!(x == y, "{} differs on rebuilding", p.display());
            assert!(x == z, "{} differs in another directory", p.display());
        }
        // Another workload gives another page.
        let c = comparison_dir(4);
        let other = report_bytes(c.path(), &build_compare_report(c.path()).unwrap());
        assert_ne!(once[0].1, other[0].1);
    }

    #[test]
    fn variants_are_found_by_the_policy_their_summary_names() {
        let dir = comparison_dir(1);
        // A renamed folder is still found; a stale one of another policy is left out.
        fs::rename(dir.path().join("sjf-easy"), dir.path().join("renamed")).unwrap();
        fs::create_dir(dir.path().join("old")).unwrap();
        fs::write(dir.path().join("old/summary.json"), "{\"jobs\": 1, \"run\": {\"policy\": \"sjf/none\"}}").unwrap();
        let files = build_compare_report(dir.path()).unwrap();
        let sjf = files.variants.iter().find(|v| v.label == "sjf/easy").unwrap();
        assert_eq!(sjf.dir.as_deref(), Some(dir.path().join("renamed").as_path()));
        let html = fs::read_to_string(&files.html).unwrap();
        assert!(html.contains("left out: old/ (sjf/none)"), "stale folder not named");
        // A variant without a folder keeps its figures, and has no line.
        fs::remove_dir_all(dir.path().join("renamed")).unwrap();
        let files = build_compare_report(dir.path()).unwrap();
        assert_eq!(files.variants.iter().find(|v| v.label == "sjf/easy").unwrap().dir, None);
        let html = fs::read_to_string(&files.html).unwrap();
        assert!(html.contains("no run folder with this policy was found"));
        let cdf = fs::read_to_string(dir.path().join("charts/wait_cdf_all.svg")).unwrap();
        assert_eq!(data_lines(&cdf), 3);
    }

    #[test]
    fn a_directory_that_is_not_a_comparison_gives_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = build_compare_report(dir.path()).unwrap_err();
        assert!(matches!(e, CompareReportError::NotAComparison { .. }), "{e:?}");
        assert!(e.to_string().contains("not a comparison directory: no comparison.csv"), "{e}");
        assert!(!dir.path().join("report.html").exists() && !dir.path().join("charts").exists());
        fs::write(dir.path().join("comparison.csv"), format!("{HEADER}\nfcfs/easy,all,ten\n")).unwrap();
        let e = build_compare_report(dir.path()).unwrap_err().to_string();
        assert!(e.contains("comparison.csv:2: expected 14 fields"), "{e}");
    }

    #[test]
    fn comparison_csv_reads_labels_with_commas_and_empty_figures() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("comparison.csv");
        fs::write(
            &path,
            format!(
                "{HEADER}\nfcfs/easy[a=1,b=2],all,10,9,1.5,1,2,3,4,5,1.2,,,0.5\n\
                 fcfs/easy[a=1,b=2],batch,10,9,1.5,1,2,3,4,NaN,1.2,0.1,,0.5\n"
            ),
        )
        .unwrap();
        let rows = read_comparison_csv(&path).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].variant, "fcfs/easy[a=1,b=2]");
        assert_eq!((rows[0].class.as_str(), rows[0].jobs, rows[0].p95_wait), ("all", 10, 3.0));
        assert_eq!((rows[0].abandonment_rate, rows[0].within_target), (None, None));
        assert!(rows[1].max_wait.is_nan());
        assert_eq!(rows[1].abandonment_rate, Some(0.1));
        fs::write(&path, format!("{HEADER}\nx,all,10,9,soon,1,2,3,4,5,1.2,,,0.5\n")).unwrap();
        let e = read_comparison_csv(&path).unwrap_err().to_string();
        assert!(e.contains(":2: column `mean_wait`: expected a number, found `soon`"), "{e}");
    }

    #[test]
    fn ties_are_all_named() {
        assert_eq!(best_of(&[3.0, 1.0, 1.0, f64::NAN], false), vec![1, 2]);
        assert_eq!(best_of(&[0.5, 0.7, 0.7 + 1e-15], true), vec![1, 2]);
        assert!(best_of(&[f64::NAN], false).is_empty());
        assert_eq!(and_list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
    }

    #[test]
    fn variant_links_are_escaped() {
        assert_eq!(href("fcfs-easy[a=1]", "report.html"), "fcfs-easy%5Ba%3D1%5D/report.html");
    }
}
