//! The report of a sweep or of a pool sizing: charts and a self-contained `report.html`
//! built from the files such a folder holds, without simulating again.
//!
//! A **sweep folder** holds `sweep.json` (what was swept: the axes and their values, the
//! replications, the classes and their wait targets) and `sweep.csv` (per point and class,
//! the mean over replications of every figure with its 95% confidence half-width). Its
//! charts, in `DIR/charts/` (SVG and PNG of [`WIDTH`] × [`HEIGHT`], in the style of a run's):
//!
//! | file stem | what |
//! |---|---|
//! | `sweep_<figure>` | one sweep axis: the figure against it, one line per class (and all jobs) with its 95% band |
//! | `sweep_<figure>_<class>` | several axes: the figure of one class (or `all`) against the first numeric axis, one line per value (or combination) of the others |
//!
//! for the figures of [`HEADLINE`]. A **size-pool folder** holds `size-pool.json` (the
//! smallest pool that meets the targets, and every size tried); its charts:
//!
//! | file stem | what |
//! |---|---|
//! | `size_pool_target` | the first target's figure against the pool size, with 95% intervals, the target line and the answer |
//! | `size_pool_cost` | the cost to batch: its utilisation and its mean wait against the pool size (two panels) |
//!
//! Undefined figures (an empty field, a `null`) are never drawn as 0: a line has a gap there,
//! and a series with nothing defined is left out. Same files in, same bytes out: nothing
//! depends on the folder's path, the time, or the number of threads.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::build::{write_report, ReportFiles};
use super::charts::{
    self, class_colour, draw_legend, draw_marker, draw_polyline, fmt_count, fmt_duration, trim, ChartError, Charts,
    DrawResult, Drawable, LegendEntry, Mark, Shape, Skipped, Ticks, DURATION_TICKS, FONT, PALETTE,
};
#[cfg(doc)]
use super::charts::{HEIGHT, WIDTH};
use super::compare_report::{and_list, best_of, group_name, ALL};
use super::html::{charts_section, escape, kv_row, num, page_start};
use super::ReportError;

// ---------------------------------------------------------------------------------------
// Figures

/// A figure of `sweep.csv` (its columns `<name>_mean`, `<name>_ci`) and of `size-pool.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Figure {
    Jobs,
    MeanWait,
    MedianWait,
    P95Wait,
    P99Wait,
    WithinTarget,
    Abandonment,
    MeanBsld,
    Utilisation,
    FinishedPerDay,
    LoginKillRate,
}

/// The figures charted for a sweep, in report order.
pub const HEADLINE: [Figure; 6] = [
    Figure::MeanWait,
    Figure::P95Wait,
    Figure::WithinTarget,
    Figure::Abandonment,
    Figure::Utilisation,
    Figure::FinishedPerDay,
];

/// What a figure's values are, which decides its axis and how it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Seconds.
    Wait,
    /// A share in [0, 1].
    Share,
    Count,
    Ratio,
    Rate,
}

struct FigureInfo {
    name: &'static str,
    title: &'static str,
    /// The value axis's description.
    axis: &'static str,
    /// What it is, as the start of a caption.
    what: &'static str,
    kind: Kind,
    /// Whether higher is better, where one direction is.
    higher_better: Option<bool>,
}

const INFO: [FigureInfo; 11] = [
    FigureInfo {
        name: "jobs",
        title: "Jobs",
        axis: "jobs",
        what: "Jobs in the measured window",
        kind: Kind::Count,
        higher_better: None,
    },
    FigureInfo {
        name: "mean_wait",
        title: "Mean wait",
        axis: "mean wait",
        what: "Mean wait of the jobs that started",
        kind: Kind::Wait,
        higher_better: Some(false),
    },
    FigureInfo {
        name: "median_wait",
        title: "Median wait",
        axis: "median wait",
        what: "Median wait of the jobs that started",
        kind: Kind::Wait,
        higher_better: Some(false),
    },
    FigureInfo {
        name: "p95_wait",
        title: "p95 wait",
        axis: "95th-percentile wait",
        what: "95th-percentile wait of the jobs that started",
        kind: Kind::Wait,
        higher_better: Some(false),
    },
    FigureInfo {
        name: "p99_wait",
        title: "p99 wait",
        axis: "99th-percentile wait",
        what: "99th-percentile wait of the jobs that started",
        kind: Kind::Wait,
        higher_better: Some(false),
    },
    FigureInfo {
        name: "within_target",
        title: "Started within target",
        axis: "started within the wait target",
        what: "Share of accepted jobs that started within their class's wait target",
        kind: Kind::Share,
        higher_better: Some(true),
    },
    FigureInfo {
        name: "abandonment",
        title: "Abandonment",
        axis: "accepted jobs that gave up",
        what: "Share of accepted jobs that gave up waiting",
        kind: Kind::Share,
        higher_better: Some(false),
    },
    FigureInfo {
        name: "mean_bsld",
        title: "Mean bounded slowdown",
        axis: "mean bounded slowdown",
        what: "Mean bounded slowdown",
        kind: Kind::Ratio,
        higher_better: Some(false),
    },
    FigureInfo {
        name: "utilisation",
        title: "Utilisation",
        axis: "busy core-time",
        what: "Busy core-time as a share of the core-time of the partitions each class's jobs are submitted \
               to (for all jobs, of the whole machine)",
        kind: Kind::Share,
        // A fuller partition is not better in itself: a smaller one is fuller too.
        higher_better: None,
    },
    FigureInfo {
        name: "finished_per_day",
        title: "Jobs finished per day",
        axis: "jobs finished per day",
        what: "Jobs finished per day",
        kind: Kind::Rate,
        higher_better: Some(true),
    },
    FigureInfo {
        name: "login_kill_rate",
        title: "Login-node kill rate",
        axis: "login processes killed",
        what: "Share of login-node processes killed at the CPU-time limit",
        kind: Kind::Share,
        higher_better: Some(false),
    },
];

impl Figure {
    /// Every figure, in the column order of `sweep.csv`.
    pub const ALL: [Figure; 11] = [
        Figure::Jobs,
        Figure::MeanWait,
        Figure::MedianWait,
        Figure::P95Wait,
        Figure::P99Wait,
        Figure::WithinTarget,
        Figure::Abandonment,
        Figure::MeanBsld,
        Figure::Utilisation,
        Figure::FinishedPerDay,
        Figure::LoginKillRate,
    ];

    fn info(self) -> &'static FigureInfo {
        &INFO[self as usize]
    }

    /// The name in `sweep.csv`'s header and in `size-pool.json`: `p95_wait`.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The figure of a name, if it is one.
    pub fn from_name(name: &str) -> Option<Figure> {
        Figure::ALL.into_iter().find(|f| f.name() == name)
    }

    fn kind(self) -> Kind {
        self.info().kind
    }

    /// `v` as a person reads it: waits as durations, shares as percentages.
    fn text(self, v: f64) -> String {
        match self.kind() {
            Kind::Wait => fmt_duration(v),
            Kind::Share => format!("{}%", trim(100.0 * v, if v.abs() < 0.001 { 2 } else { 1 })),
            Kind::Count => fmt_count(v.max(0.0).round() as u64),
            Kind::Ratio => num(v, 2),
            Kind::Rate => num(v, 1),
        }
    }

    /// A mean with its 95% half-width: `12 min ± 40 s`, `95.1 ± 0.4%`.
    fn estimate_text(self, e: Estimate) -> String {
        match (e.ci, self.kind()) {
            (None, _) => self.text(e.mean),
            (Some(c), Kind::Share) => {
                let digits = if e.mean.abs() < 0.001 || c < 0.0005 { 2 } else { 1 };
                format!("{} ± {}%", trim(100.0 * e.mean, digits), trim(100.0 * c, digits))
            }
            (Some(c), Kind::Count) => format!("{} ± {}", self.text(e.mean), trim(c, 1)),
            (Some(c), _) => format!("{} ± {}", self.text(e.mean), self.text(c)),
        }
    }
}

/// A mean over replications and its 95% confidence half-width (none with one replication).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub ci: Option<f64>,
}

impl Estimate {
    /// The 95% interval, `[mean, mean]` without a half-width.
    fn interval(self) -> (f64, f64) {
        let c = self.ci.unwrap_or(0.0);
        (self.mean - c, self.mean + c)
    }
}

// ---------------------------------------------------------------------------------------
// Errors

/// Why a sweep's or a pool sizing's report could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SweepReportError {
    /// The folder does not exist or lacks its description file.
    #[error("{}: not a {kind} folder: {what} (a {kind} folder holds {holds})", dir.display())]
    NotAFolder { dir: PathBuf, kind: &'static str, holds: &'static str, what: String },
    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// A file holds something it must not: where, which field, and what was expected.
    #[error("{}{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default(),
        field.as_ref().map(|f| format!(": field `{f}`")).unwrap_or_default())]
    Bad { path: PathBuf, line: Option<u64>, field: Option<String>, message: String },
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    Write(#[from] ReportError),
}

fn bad(path: &Path, line: Option<u64>, field: &str, message: impl Into<String>) -> SweepReportError {
    SweepReportError::Bad {
        path: path.to_path_buf(),
        line,
        field: (!field.is_empty()).then(|| field.to_string()),
        message: message.into(),
    }
}

/// Reads a description file (`sweep.json`, `size-pool.json`): its provenance and its `T`; a
/// syntax or type error names the line and the field's path.
fn read_json<T: DeserializeOwned>(path: &Path) -> Result<(Provenance, T), SweepReportError> {
    let text = fs::read_to_string(path).map_err(|source| SweepReportError::Io { path: path.to_path_buf(), source })?;
    // Read twice rather than with `#[serde(flatten)]`, which would lose the line and the
    // field of an error in the flattened part.
    fn parse<U: DeserializeOwned>(path: &Path, text: &str) -> Result<U, SweepReportError> {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let field = e.path().to_string();
            let inner = e.inner();
            let message = inner.to_string();
            // The position is given once, in front.
            let message = message.rsplit_once(" at line ").map_or(message.clone(), |(m, _)| m.to_string());
            bad(path, Some(inner.line() as u64), if field == "." { "" } else { &field }, message)
        })
    }
    Ok((parse(path, &text)?, parse(path, &text)?))
}

/// The `kind` a description file must state.
fn check_kind(path: &Path, kind: &str, expected: &str) -> Result<(), SweepReportError> {
    if kind == expected {
        Ok(())
    } else {
        Err(bad(path, None, "kind", format!("expected \"{expected}\", found \"{kind}\"")))
    }
}

// ---------------------------------------------------------------------------------------
// sweep.json and sweep.csv

/// One swept scenario key and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepAxis {
    pub key: String,
    /// What the key means to a person (the key itself when sweep.json gives no label).
    pub label: String,
    /// The values, as written.
    pub values: Vec<String>,
    /// The values are numbers (each parses as one): drawn on a numeric axis.
    pub numeric: bool,
}

impl SweepAxis {
    fn number(&self, i: usize) -> f64 {
        self.values[i].trim().parse().unwrap_or(f64::NAN)
    }
}

/// Where a sweep's or a pool sizing's runs came from, as its description file states it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Provenance {
    /// schedsim's version.
    #[serde(default)]
    pub version: Option<String>,
    /// The scenario file.
    #[serde(default)]
    pub scenario: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub seed: Option<u64>,
}

impl Provenance {
    /// What a report is of: the name, else the scenario's file name, else `fallback`.
    fn title(&self, fallback: &str) -> String {
        self.name
            .clone()
            .or_else(|| {
                let s = self.scenario.as_deref()?;
                Some(Path::new(s).file_stem()?.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| fallback.to_string())
    }

    /// The rows of the "what" table it fills.
    fn rows(&self, w: &mut String) {
        kv_row(w, "scenario", self.scenario.as_deref().map(escape));
        kv_row(w, "name", self.name.as_deref().map(escape));
        kv_row(w, "seed", self.seed.map(|s| s.to_string()));
    }
}

/// What was swept, as `sweep.json` states it.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepInfo {
    pub about: Provenance,
    pub replications: u64,
    /// In grid order: the last axis varies fastest.
    pub axes: Vec<SweepAxis>,
    pub points: usize,
    /// The classes, in the order of their rows.
    pub classes: Vec<String>,
    /// Wait targets, seconds, of the classes that have one.
    pub targets: BTreeMap<String, f64>,
}

/// One row of `sweep.csv`: a point's figures for one class (or [`ALL`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRow {
    pub point: usize,
    /// The point's value of each axis.
    pub values: Vec<String>,
    pub class: String,
    pub replications: u64,
    /// Indexed like [`Figure::ALL`]; `None` where the figure is not defined.
    pub figures: [Option<Estimate>; 11],
}

impl SweepRow {
    pub fn get(&self, f: Figure) -> Option<Estimate> {
        self.figures[f as usize]
    }
}

/// A sweep as read from its folder.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepData {
    pub info: SweepInfo,
    /// In grid order; for each point [`ALL`] first, then the classes.
    pub rows: Vec<SweepRow>,
}

impl SweepData {
    /// [`ALL`], then the classes: the row groups of every point.
    pub fn groups(&self) -> Vec<String> {
        std::iter::once(ALL.to_string()).chain(self.info.classes.iter().cloned()).collect()
    }

    /// The row of `point` for the `group`-th of [`Self::groups`].
    fn row(&self, point: usize, group: usize) -> &SweepRow {
        &self.rows[point * (self.info.classes.len() + 1) + group]
    }

    /// The index of each axis's value at `point`.
    fn coords(&self, point: usize) -> Vec<usize> {
        grid_coords(&self.info.axes, point)
    }

    /// The point at these value indices (the inverse of [`Self::coords`]).
    fn point_at(&self, coords: &[usize]) -> usize {
        self.info.axes.iter().zip(coords).fold(0, |p, (axis, c)| p * axis.values.len() + c)
    }
}

/// The index of each axis's value at `point` of the grid of `axes` (the last varies fastest).
fn grid_coords(axes: &[SweepAxis], point: usize) -> Vec<usize> {
    let mut rest = point;
    let mut out = vec![0; axes.len()];
    for (a, axis) in axes.iter().enumerate().rev() {
        out[a] = rest % axis.values.len();
        rest /= axis.values.len();
    }
    out
}

#[derive(Deserialize)]
struct SweepJson {
    kind: String,
    replications: u64,
    axes: Vec<AxisJson>,
    points: usize,
    #[serde(default)]
    classes: Vec<String>,
    #[serde(default)]
    targets: BTreeMap<String, Option<f64>>,
}

#[derive(Deserialize)]
struct AxisJson {
    key: String,
    #[serde(default)]
    label: Option<String>,
    values: Vec<AxisValue>,
    #[serde(default)]
    numeric: bool,
}

/// An axis value: written as a string; a number is taken as it is written.
#[derive(Deserialize)]
#[serde(untagged)]
enum AxisValue {
    Text(String),
    Number(serde_json::Number),
}

fn read_sweep_json(path: &Path) -> Result<SweepInfo, SweepReportError> {
    let (about, j): (_, SweepJson) = read_json(path)?;
    check_kind(path, &j.kind, "sweep")?;
    if j.axes.is_empty() {
        return Err(bad(path, None, "axes", "no axis: a sweep varies at least one key"));
    }
    let mut axes = Vec::with_capacity(j.axes.len());
    for (a, x) in j.axes.into_iter().enumerate() {
        let values: Vec<String> = x
            .values
            .into_iter()
            .map(|v| match v {
                AxisValue::Text(t) => t,
                AxisValue::Number(n) => n.to_string(),
            })
            .collect();
        if values.is_empty() {
            return Err(bad(path, None, &format!("axes[{a}].values"), "no value"));
        }
        for (i, v) in values.iter().enumerate() {
            if values[..i].contains(v) {
                return Err(bad(path, None, &format!("axes[{a}].values[{i}]"), format!("`{v}` is listed twice")));
            }
            if x.numeric && !v.trim().parse::<f64>().is_ok_and(f64::is_finite) {
                return Err(bad(
                    path,
                    None,
                    &format!("axes[{a}].values[{i}]"),
                    format!("`{v}` is not a number, but the axis is marked numeric"),
                ));
            }
        }
        if axes.iter().any(|o: &SweepAxis| o.key == x.key) {
            return Err(bad(path, None, &format!("axes[{a}].key"), format!("`{}` is swept twice", x.key)));
        }
        let label = x.label.filter(|l| !l.trim().is_empty()).unwrap_or_else(|| x.key.clone());
        axes.push(SweepAxis { key: x.key, label, values, numeric: x.numeric });
    }
    let grid: usize = axes.iter().map(|a| a.values.len()).product();
    if j.points != grid {
        let sizes: Vec<String> = axes.iter().map(|a| a.values.len().to_string()).collect();
        return Err(bad(
            path,
            None,
            "points",
            format!("{} points, but the axes' values make a grid of {} = {grid}", j.points, sizes.join(" × ")),
        ));
    }
    for (i, c) in j.classes.iter().enumerate() {
        if c == ALL || j.classes[..i].contains(c) {
            let why = if c == ALL { "is the name of the rows over all jobs" } else { "is listed twice" };
            return Err(bad(path, None, &format!("classes[{i}]"), format!("`{c}` {why}")));
        }
    }
    let mut targets = BTreeMap::new();
    for (class, t) in j.targets {
        match t {
            None => {}
            Some(t) if t.is_finite() && t >= 0.0 => {
                targets.insert(class, t);
            }
            Some(t) => {
                return Err(bad(path, None, &format!("targets.{class}"), format!("{t} is not a wait in seconds")))
            }
        }
    }
    Ok(SweepInfo { about, replications: j.replications, axes, points: j.points, classes: j.classes, targets })
}

/// The header `sweep.csv` must have for `info`.
fn sweep_header(info: &SweepInfo) -> Vec<String> {
    let mut h = vec!["point".to_string()];
    h.extend(info.axes.iter().map(|a| a.key.clone()));
    h.push("class".into());
    h.push("replications".into());
    for f in Figure::ALL {
        h.push(format!("{}_mean", f.name()));
        h.push(format!("{}_ci", f.name()));
    }
    h
}

fn read_sweep_csv(path: &Path, info: &SweepInfo) -> Result<Vec<SweepRow>, SweepReportError> {
    let text = fs::read(path).map_err(|source| SweepReportError::Io { path: path.to_path_buf(), source })?;
    let header = sweep_header(info);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_slice());
    let mut records = reader.records();
    let line_of = |e: &csv::Error| e.position().map(|p| p.line());
    let first = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(bad(path, line_of(&e), "", e.to_string())),
        None => {
            return Err(bad(
                path,
                Some(1),
                "",
                format!("the file is empty (expected the header `{}`)", header.join(",")),
            ))
        }
    };
    let found: Vec<&str> = first.iter().map(|h| h.trim_start_matches('\u{feff}').trim()).collect();
    for (i, want) in header.iter().enumerate() {
        match found.get(i) {
            Some(got) if got == want => {}
            got => {
                let got = got.map_or("nothing".to_string(), |g| format!("`{g}`"));
                return Err(bad(
                    path,
                    Some(1),
                    want,
                    format!(
                        "column {} of the header is {got}, expected `{want}` (sweep.json's axes make the header `{}`)",
                        i + 1,
                        header.join(",")
                    ),
                ));
            }
        }
    }
    if found.len() > header.len() {
        return Err(bad(
            path,
            Some(1),
            found[header.len()],
            format!("the header has {} columns, expected {} (ending `login_kill_rate_ci`)", found.len(), header.len()),
        ));
    }

    let groups: Vec<&str> = std::iter::once(ALL).chain(info.classes.iter().map(String::as_str)).collect();
    let expected = info.points * groups.len();
    let mut rows: Vec<SweepRow> = Vec::with_capacity(expected);
    let mut last_line = 1;
    let axes = info.axes.len();
    for record in records {
        let record = record.map_err(|e| bad(path, line_of(&e), "", e.to_string()))?;
        let line = record.position().map_or(last_line + 1, |p| p.line());
        last_line = line;
        let at = |field: &str, message: String| bad(path, Some(line), field, message);
        if record.len() != header.len() {
            return Err(at("", format!("expected {} fields, as in the header, found {}", header.len(), record.len())));
        }
        let k = rows.len();
        if k >= expected {
            return Err(at(
                "",
                format!(
                    "one row too many: {} points × {} rows (all, then each class) = {expected} rows",
                    info.points,
                    groups.len()
                ),
            ));
        }
        let (point, group) = (k / groups.len(), k % groups.len());
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let out_of_order = "a row is missing or out of order (rows are in grid order: per point, all, then each class)";
        let p = field(0);
        let p: usize =
            p.parse().map_err(|_| at("point", format!("expected a whole number (a point's index), found `{p}`")))?;
        if p >= info.points {
            return Err(at(
                "point",
                format!(
                    "{p} is not a point of the sweep (sweep.json has {} points, 0 to {})",
                    info.points,
                    info.points - 1
                ),
            ));
        }
        if p != point {
            return Err(at("point", format!("expected {point}, found {p}: {out_of_order}")));
        }
        let coords = grid_coords(&info.axes, point);
        let mut values = Vec::with_capacity(axes);
        for (a, axis) in info.axes.iter().enumerate() {
            let v = field(1 + a);
            if !axis.values.iter().any(|x| x.trim() == v) {
                return Err(at(
                    &axis.key,
                    format!("`{v}` is not one of the axis's values in sweep.json ({})", axis.values.join(", ")),
                ));
            }
            let want = axis.values[coords[a]].trim();
            if v != want {
                return Err(at(
                    &axis.key,
                    format!("point {point} has `{want}` in the grid order of sweep.json, found `{v}`"),
                ));
            }
            values.push(axis.values[coords[a]].clone());
        }
        let class = field(1 + axes);
        if class != groups[group] {
            let why = if groups.contains(&class) {
                out_of_order.to_string()
            } else {
                format!("`{class}` is neither `all` nor a class of sweep.json ({})", info.classes.join(", "))
            };
            return Err(at("class", format!("expected `{}` for point {point}, found `{class}`: {why}", groups[group])));
        }
        let r = field(2 + axes);
        let replications: u64 =
            r.parse().map_err(|_| at("replications", format!("expected a whole number, found `{r}`")))?;
        let mut figures = [None; 11];
        for (i, f) in Figure::ALL.into_iter().enumerate() {
            let col = 3 + axes + 2 * i;
            let number = |c: usize| -> Result<Option<f64>, SweepReportError> {
                let t = field(c);
                if t.is_empty() || t.eq_ignore_ascii_case("nan") {
                    return Ok(None);
                }
                match t.parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(Some(v)),
                    Ok(_) => Err(at(&header[c], format!("expected a finite number, found `{t}`"))),
                    Err(_) => Err(at(&header[c], format!("expected a number, found `{t}`"))),
                }
            };
            let (mean, ci) = (number(col)?, number(col + 1)?);
            if let Some(c) = ci {
                if mean.is_none() {
                    return Err(at(&header[col + 1], format!("a confidence half-width ({c}) without a mean")));
                }
                if c < 0.0 {
                    return Err(at(
                        &header[col + 1],
                        format!("a confidence half-width must not be negative, found {c}"),
                    ));
                }
            }
            if let Some(m) = mean {
                if f.kind() == Kind::Share && !(-1e-9..=1.0 + 1e-9).contains(&m) {
                    return Err(at(&header[col], format!("a share lies in [0, 1], found {m}")));
                }
                if f.kind() != Kind::Share && m < 0.0 {
                    return Err(at(&header[col], format!("must not be negative, found {m}")));
                }
            }
            figures[i] = mean.map(|mean| Estimate { mean, ci });
        }
        rows.push(SweepRow { point, values, class: class.to_string(), replications, figures });
    }
    if rows.len() < expected {
        let k = rows.len();
        return Err(bad(
            path,
            Some(last_line + 1),
            "",
            format!(
                "missing rows: found {k}, expected {} points × {} rows (all, then each class) = {expected}; the \
                 first missing is point {}, class `{}`",
                info.points,
                groups.len(),
                k / groups.len(),
                groups[k % groups.len()]
            ),
        ));
    }
    Ok(rows)
}

fn folder_file(dir: &Path, file: &str, kind: &'static str, holds: &'static str) -> Result<PathBuf, SweepReportError> {
    let not_one = |what: String| SweepReportError::NotAFolder { dir: dir.to_path_buf(), kind, holds, what };
    if !dir.is_dir() {
        return Err(not_one(if dir.exists() { "not a directory" } else { "no such directory" }.into()));
    }
    let path = dir.join(file);
    if !path.is_file() {
        return Err(not_one(format!("no {file}")));
    }
    Ok(path)
}

const SWEEP_HOLDS: &str = "sweep.json and sweep.csv, as written by `schedsim sweep`";
const POOL_HOLDS: &str = "size-pool.json, as written by `schedsim size-pool`";

/// Reads and checks a sweep folder's `sweep.json` and `sweep.csv`: the header must follow the
/// axes, every row must be the point and class of its place in grid order with values among
/// its axis's, and every figure a number (or empty: undefined).
pub fn read_sweep(dir: &Path) -> Result<SweepData, SweepReportError> {
    let json = folder_file(dir, "sweep.json", "sweep", SWEEP_HOLDS)?;
    let info = read_sweep_json(&json)?;
    let csv = folder_file(dir, "sweep.csv", "sweep", SWEEP_HOLDS)?;
    let rows = read_sweep_csv(&csv, &info)?;
    Ok(SweepData { info, rows })
}

// ---------------------------------------------------------------------------------------
// size-pool.json

/// Which nodes the pool sizing moves: from partition `from` to `to`, `total` between them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct PoolMove {
    pub from: String,
    pub to: String,
    pub total: u64,
    /// The scenario key set to the pool's size.
    pub key: String,
    /// What the pool's nodes are called, if the file says (`interactive nodes (moved from cpu)`).
    #[serde(default)]
    pub label: Option<String>,
}

/// `<=` or `>=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    AtMost,
    AtLeast,
}

/// A target the pool must meet: `class.figure op value`.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolTarget {
    /// As written: `interactive.within_target>=0.95`.
    pub text: String,
    pub class: String,
    pub figure: Figure,
    pub op: Op,
    /// Seconds for waits, a share for shares.
    pub value: f64,
}

/// A target as judged at one size: the mean, its 95% interval, and whether it is met.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct TargetCheck {
    pub text: String,
    pub mean: Option<f64>,
    #[serde(default)]
    pub ci: Option<f64>,
    #[serde(default)]
    pub lo: Option<f64>,
    #[serde(default)]
    pub hi: Option<f64>,
    pub meets: bool,
}

/// What a size costs batch, or (in `change_per_node`) what each added node changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize)]
pub struct PoolCost {
    #[serde(rename = "batch_utilisation", default)]
    pub utilisation: Option<f64>,
    #[serde(rename = "batch_mean_wait", default)]
    pub mean_wait: Option<f64>,
    #[serde(rename = "batch_p95_wait", default)]
    pub p95_wait: Option<f64>,
    #[serde(rename = "batch_finished_per_day", default)]
    pub finished_per_day: Option<f64>,
}

impl PoolCost {
    /// The cost figures: (figure, value), in table order.
    fn items(&self) -> [(Figure, Option<f64>); 4] {
        [
            (Figure::Utilisation, self.utilisation),
            (Figure::MeanWait, self.mean_wait),
            (Figure::P95Wait, self.p95_wait),
            (Figure::FinishedPerDay, self.finished_per_day),
        ]
    }
}

/// The class the cost figures are of (`cost`'s keys are `batch_*`).
const COST_CLASS: &str = "batch";

/// One pool size tried.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolSize {
    pub k: u64,
    pub replications: u64,
    /// Whether every target is met with 95% confidence.
    pub meets: bool,
    /// In the order of [`SizePoolData::targets`].
    pub targets: Vec<TargetCheck>,
    /// Per class, its figures (those defined).
    pub figures: BTreeMap<String, BTreeMap<Figure, Estimate>>,
    pub cost: PoolCost,
    /// Against the previous size tried, per added node; `None` for the first.
    pub change_per_node: Option<PoolCost>,
}

impl PoolSize {
    /// A batch cost figure: from `figures` (with its interval), else from `cost`.
    fn cost_estimate(&self, f: Figure) -> Option<Estimate> {
        let from_figures = self.figures.get(COST_CLASS).and_then(|m| m.get(&f)).copied();
        let from_cost = self.cost.items().into_iter().find(|(g, _)| *g == f).and_then(|(_, v)| v);
        from_figures.or(from_cost.map(|mean| Estimate { mean, ci: None }))
    }
}

/// A pool sizing as read from its folder.
#[derive(Clone, Debug, PartialEq)]
pub struct SizePoolData {
    pub about: Provenance,
    pub pool: PoolMove,
    pub targets: Vec<PoolTarget>,
    /// The smallest size meeting every target, if one was found.
    pub answer: Option<u64>,
    /// Why there is no answer.
    pub reason: Option<String>,
    pub sizes_tried: u64,
    pub runs: u64,
    /// How many sizes a full grid would run.
    pub full_grid_sizes: u64,
    /// By size, ascending.
    pub sizes: Vec<PoolSize>,
}

impl SizePoolData {
    /// What `k` of the pool's nodes are: `6 inter nodes (moved from cpu)`.
    fn nodes(&self, k: u64) -> String {
        match &self.pool.label {
            Some(l) => format!("{k} {l}"),
            None => {
                let s = if k == 1 { "" } else { "s" };
                format!("{k} {} node{s} (moved from {})", self.pool.to, self.pool.from)
            }
        }
    }
}

#[derive(Deserialize)]
struct SizePoolJson {
    kind: String,
    #[serde(rename = "move")]
    pool: PoolMove,
    targets: Vec<TargetJson>,
    answer: Option<u64>,
    #[serde(default)]
    reason: Option<String>,
    sizes_tried: u64,
    runs: u64,
    full_grid_sizes: u64,
    sizes: Vec<SizeJson>,
}

#[derive(Deserialize)]
struct TargetJson {
    text: String,
    class: String,
    figure: String,
    op: String,
    value: f64,
}

#[derive(Deserialize)]
struct SizeJson {
    k: u64,
    replications: u64,
    meets: bool,
    targets: Vec<TargetCheck>,
    #[serde(default)]
    figures: BTreeMap<String, BTreeMap<String, EstimateJson>>,
    #[serde(default)]
    cost: PoolCost,
    #[serde(default)]
    change_per_node: Option<PoolCost>,
}

#[derive(Deserialize)]
struct EstimateJson {
    #[serde(default)]
    mean: Option<f64>,
    #[serde(default)]
    ci: Option<f64>,
}

/// Reads and checks a size-pool folder's `size-pool.json`: known figures and operators,
/// sizes ascending, each judged against every target, and an answer among the sizes that
/// meet them.
pub fn read_size_pool(dir: &Path) -> Result<SizePoolData, SweepReportError> {
    let path = folder_file(dir, "size-pool.json", "size-pool", POOL_HOLDS)?;
    let (about, j): (_, SizePoolJson) = read_json(&path)?;
    let path = path.as_path();
    check_kind(path, &j.kind, "size-pool")?;
    if j.targets.is_empty() {
        return Err(bad(path, None, "targets", "no target: a pool is sized to meet at least one"));
    }
    let mut targets = Vec::with_capacity(j.targets.len());
    for (i, t) in j.targets.into_iter().enumerate() {
        let figure = Figure::from_name(&t.figure).ok_or_else(|| {
            let known: Vec<&str> = Figure::ALL.iter().map(|f| f.name()).collect();
            bad(
                path,
                None,
                &format!("targets[{i}].figure"),
                format!("`{}` is not a figure (one of {})", t.figure, known.join(", ")),
            )
        })?;
        let op = match t.op.as_str() {
            "<=" => Op::AtMost,
            ">=" => Op::AtLeast,
            o => {
                return Err(bad(path, None, &format!("targets[{i}].op"), format!("expected `<=` or `>=`, found `{o}`")))
            }
        };
        targets.push(PoolTarget { text: t.text, class: t.class, figure, op, value: t.value });
    }
    let mut sizes: Vec<PoolSize> = Vec::with_capacity(j.sizes.len());
    for (i, s) in j.sizes.into_iter().enumerate() {
        if let Some(prev) = sizes.last().filter(|p| p.k >= s.k) {
            return Err(bad(
                path,
                None,
                &format!("sizes[{i}].k"),
                format!("{} after {}: sizes are listed once each, smallest first", s.k, prev.k),
            ));
        }
        if s.targets.len() != targets.len() {
            return Err(bad(
                path,
                None,
                &format!("sizes[{i}].targets"),
                format!("{} judged, but there are {} targets", s.targets.len(), targets.len()),
            ));
        }
        let figures = s
            .figures
            .into_iter()
            .map(|(class, m)| {
                // Figures this report does not know are left out, not refused: newer files may have more.
                let m = m
                    .into_iter()
                    .filter_map(|(name, e)| Some((Figure::from_name(&name)?, Estimate { mean: e.mean?, ci: e.ci })))
                    .collect();
                (class, m)
            })
            .collect();
        sizes.push(PoolSize {
            k: s.k,
            replications: s.replications,
            meets: s.meets,
            targets: s.targets,
            figures,
            cost: s.cost,
            change_per_node: s.change_per_node,
        });
    }
    if j.sizes_tried != sizes.len() as u64 {
        return Err(bad(path, None, "sizes_tried", format!("{}, but sizes lists {}", j.sizes_tried, sizes.len())));
    }
    if let Some(a) = j.answer {
        match sizes.iter().find(|s| s.k == a) {
            None => return Err(bad(path, None, "answer", format!("{a} is not among the sizes tried"))),
            Some(s) if !s.meets => {
                return Err(bad(path, None, "answer", format!("size {a} is listed as not meeting the targets")))
            }
            Some(_) => {}
        }
    }
    Ok(SizePoolData {
        about,
        pool: j.pool,
        targets,
        answer: j.answer,
        reason: j.reason,
        sizes_tried: j.sizes_tried,
        runs: j.runs,
        full_grid_sizes: j.full_grid_sizes,
        sizes,
    })
}

// ---------------------------------------------------------------------------------------
// Charts: prepared once, drawn twice (SVG, PNG)

/// A point of a series: its position, value and 95% interval (in the figure's own unit).
#[derive(Clone, Copy, Debug)]
struct Pt {
    x: f64,
    y: f64,
    /// The interval's bounds, when there is one.
    ci: Option<(f64, f64)>,
}

/// How a series shows its intervals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Spread {
    /// A shaded band between the bounds (along a line).
    Band,
    /// A bar with caps at each point.
    Bars,
    None,
}

#[derive(Clone, Debug)]
struct Series {
    colour: RGBColor,
    /// Markers at its points: shape, filled, size (the legend's is 6).
    marker: Option<(Shape, bool, i32)>,
    /// Join consecutive points (a gap stays where one is undefined).
    line: bool,
    spread: Spread,
    /// In x order; `None` where the figure is not defined.
    points: Vec<Option<Pt>>,
}

impl Pt {
    /// An estimate drawn at `x`.
    fn of(x: f64, e: Estimate) -> Pt {
        Pt { x, y: e.mean, ci: e.ci.map(|_| e.interval()) }
    }
}

impl Series {
    fn defined(&self) -> impl Iterator<Item = &Pt> {
        self.points.iter().flatten()
    }

    /// Runs of consecutive defined points.
    fn runs(&self) -> Vec<Vec<Pt>> {
        self.points.split(Option::is_none).map(|r| r.iter().flatten().copied().collect::<Vec<_>>()).collect()
    }
}

/// A dashed line across the plot: a target (horizontal) or the answer (vertical).
#[derive(Clone, Debug)]
struct Rule {
    colour: RGBColor,
    at: f64,
}

/// How an axis writes its tick labels.
#[derive(Clone, Debug)]
enum Fmt {
    Number,
    Percent,
    /// Linear waits, in one unit: (seconds per unit, its short name).
    Duration(f64, &'static str),
    /// Round durations on a log axis.
    LogDuration,
    /// Categories at 0, 1, 2, ...
    Names(Vec<String>),
}

impl Fmt {
    fn label(&self, v: f64) -> String {
        match self {
            Fmt::Number => trim(v, 2),
            Fmt::Percent => format!("{}%", trim(100.0 * v, 1)),
            Fmt::Duration(_, _) if v == 0.0 => "0".into(),
            Fmt::Duration(unit, name) => format!("{} {name}", trim(v / unit, 2)),
            Fmt::LogDuration => fmt_duration(v),
            Fmt::Names(n) => n.get(v.round().max(0.0) as usize).cloned().unwrap_or_default(),
        }
    }
}

#[derive(Clone, Debug)]
struct Axis {
    ticks: Ticks,
    desc: String,
    fmt: Fmt,
}

impl Axis {
    /// Where `v` falls along the axis, 0 at its start to 1 at its end.
    fn frac(&self, v: f64) -> f64 {
        f64::from(self.ticks.map(&v, (0, 100_000))) / 100_000.0
    }

    fn contains(&self, v: f64) -> bool {
        v >= self.ticks.lo && v <= self.ticks.hi
    }
}

#[derive(Clone, Debug)]
struct Panel {
    title: Option<String>,
    x: Axis,
    y: Axis,
    series: Vec<Series>,
    hrules: Vec<Rule>,
    vrules: Vec<Rule>,
}

struct Spec {
    name: String,
    title: String,
    caption: String,
    legend: Vec<LegendEntry>,
    panels: Vec<Panel>,
}

/// About `about` round tick values from `lo` to `hi`: steps of 1, 2, 2.5 or 5 times a power of ten.
fn nice_ticks(lo: f64, hi: f64, about: usize) -> Vec<f64> {
    let span = hi - lo;
    if !span.is_finite() || span <= 0.0 {
        return vec![lo];
    }
    let raw = span / about.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw * 0.999).unwrap_or(10.0 * mag);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// Round durations for a log wait axis spanning too little for [`DURATION_TICKS`] to give
/// four ticks: about three a decade.
const FINE_DURATIONS: [f64; 26] = [
    1.0,
    2.0,
    5.0,
    10.0,
    20.0,
    30.0,
    60.0,
    120.0,
    300.0,
    600.0,
    1200.0,
    1800.0,
    3600.0,
    2.0 * 3600.0,
    3.0 * 3600.0,
    6.0 * 3600.0,
    12.0 * 3600.0,
    86400.0,
    2.0 * 86400.0,
    4.0 * 86400.0,
    7.0 * 86400.0,
    14.0 * 86400.0,
    30.0 * 86400.0,
    91.0 * 86400.0,
    182.0 * 86400.0,
    365.0 * 86400.0,
];

/// The unit of a linear wait axis reaching `hi` seconds.
fn wait_unit(hi: f64) -> (f64, &'static str) {
    if hi <= 90.0 {
        (1.0, "s")
    } else if hi <= 90.0 * 60.0 {
        (60.0, "min")
    } else if hi <= 36.0 * 3600.0 {
        (3600.0, "h")
    } else {
        (86400.0, "d")
    }
}

/// The value axis of a figure drawn with these means and interval bounds, reaching any of
/// `rules` that fit; returns it with a sentence when it does not run over the usual range
/// (a share axis not from 0 to 100%).
///
/// Shares run from 0 to 100% unless every value lies within 30 points: then the axis is
/// cut to them and the caption says so. Waits run linearly from 0, unless they span more
/// than a factor of 30 (an interactive minute beside a batch day), when a log axis keeps
/// both readable.
fn value_axis(kind: Kind, desc: &str, means: &[f64], bounds: &[f64], rules: &[f64]) -> (Axis, Option<String>) {
    let all: Vec<f64> = means.iter().chain(bounds).copied().filter(|v| v.is_finite()).collect();
    let max_of = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min_of = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let linear = |lo: f64, hi: f64, about: usize| Ticks { lo, hi, ticks: nice_ticks(lo, hi, about), log: false };
    match kind {
        Kind::Share => {
            let with_rules: Vec<f64> =
                all.iter().chain(rules).map(|v| v.clamp(0.0, 1.0)).filter(|v| v.is_finite()).collect();
            let (lo, hi) = (min_of(&with_rules), max_of(&with_rules));
            if with_rules.is_empty() || hi - lo >= 0.3 {
                return (Axis { ticks: linear(0.0, 1.0, 5), desc: format!("{desc} (%)"), fmt: Fmt::Percent }, None);
            }
            let pad = ((hi - lo) * 0.15).max(0.01);
            let step = nice_ticks(0.0, (hi - lo + 2.0 * pad).max(0.02), 5);
            let step = if step.len() > 1 { step[1] - step[0] } else { 0.01 };
            let lo = (((lo - pad) / step).floor() * step).max(0.0);
            let hi = (((hi + pad) / step).ceil() * step).min(1.0);
            let ticks = linear(lo, hi, 5);
            let (from, to) = (Fmt::Percent.label(lo), Fmt::Percent.label(hi));
            // The cut is stated on the axis itself, not only in the caption.
            let cut = format!("{desc} (%, axis {from} to {to})");
            let note = format!("The value axis runs from {from} to {to}, not over all of 0–100%.");
            (Axis { ticks, desc: cut, fmt: Fmt::Percent }, Some(note))
        }
        Kind::Wait => {
            let top = max_of(&all);
            let positive: Vec<f64> = means.iter().copied().filter(|v| *v > 0.0).collect();
            if top.is_nan() || top <= 0.0 {
                return (
                    Axis { ticks: linear(0.0, 60.0, 6), desc: desc.to_string(), fmt: Fmt::Duration(1.0, "s") },
                    None,
                );
            }
            let spread = max_of(means) / min_of(&positive).max(1.0);
            if spread > 30.0 {
                let lo_data = all.iter().chain(rules).copied().filter(|v| *v > 0.0).fold(f64::INFINITY, f64::min);
                let hi_data = max_of(&all).max(max_of(rules));
                let lo = (lo_data / 1.6).max(0.5);
                let hi = hi_data * 1.6;
                let within = |t: &&f64| **t >= lo && **t <= hi;
                let mut ticks: Vec<f64> = DURATION_TICKS.iter().filter(within).copied().collect();
                if ticks.len() < 4 {
                    ticks = FINE_DURATIONS.iter().filter(within).copied().collect();
                }
                let axis = Axis {
                    ticks: Ticks { lo, hi, ticks, log: true },
                    desc: format!("{desc} (log scale)"),
                    fmt: Fmt::LogDuration,
                };
                return (axis, None);
            }
            // A target far above the data would flatten it: such a rule is left off (and its
            // legend entry says so).
            let reach = rules.iter().copied().filter(|r| *r <= 2.0 * top).fold(top, f64::max);
            let hi = reach * 1.08;
            let (unit, name) = wait_unit(hi);
            let ticks: Vec<f64> = nice_ticks(0.0, hi / unit, 6).into_iter().map(|t| t * unit).collect();
            (
                Axis {
                    ticks: Ticks { lo: 0.0, hi, ticks, log: false },
                    desc: desc.to_string(),
                    fmt: Fmt::Duration(unit, name),
                },
                None,
            )
        }
        Kind::Count | Kind::Ratio | Kind::Rate => {
            let top = max_of(&all).max(max_of(rules));
            let hi = if top > 0.0 { top * 1.08 } else { 1.0 };
            (Axis { ticks: linear(0.0, hi, 6), desc: desc.to_string(), fmt: Fmt::Number }, None)
        }
    }
}

/// A numeric x axis through `values`: ticks at the values themselves, those that stand clear
/// of the ones before (`first`, if given, kept first); round ones for more than 12 values. With `log_if_wide`, values
/// of 1 and more spanning a factor of 20 get a log axis, so that small sizes are not crowded.
fn numeric_axis(values: &[f64], desc: &str, log_if_wide: bool, first: Option<f64>) -> Axis {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let log = log_if_wide && lo >= 1.0 && hi / lo >= 20.0;
    let (lo, hi) = match (log, hi > lo) {
        (true, _) => (lo / 1.25, hi * 1.25),
        (false, true) => (lo - (hi - lo) * 0.05, hi + (hi - lo) * 0.05),
        (false, false) => (lo - 1.0, lo + 1.0),
    };
    let mut axis = Axis {
        ticks: Ticks { lo, hi, ticks: Vec::new(), log },
        desc: format!("{desc}{}", if log { " (log scale)" } else { "" }),
        fmt: Fmt::Number,
    };
    let mut kept: Vec<f64> = first.into_iter().collect();
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    for v in sorted {
        if kept.iter().all(|k| (axis.frac(*k) - axis.frac(v)).abs() >= 0.045) {
            kept.push(v);
        }
    }
    axis.ticks.ticks = if values.len() > 12 {
        nice_ticks(lo, hi, 8)
    } else {
        kept.sort_by(f64::total_cmp);
        kept
    };
    axis
}

/// A categorical x axis: the names at 0, 1, 2, ...
fn names_axis(names: Vec<String>, desc: &str) -> Axis {
    let n = names.len();
    Axis {
        ticks: Ticks { lo: -0.5, hi: n as f64 - 0.5, ticks: (0..n).map(|i| i as f64).collect(), log: false },
        desc: desc.to_string(),
        fmt: Fmt::Names(names),
    }
}

/// Groups of series (indices into `series`) whose lines lie on top of each other: defined at
/// the same points, and never further apart than half a percent of the axis.
fn coinciding(series: &[Series], y: &Axis) -> Vec<Vec<usize>> {
    let close = |a: &Series, b: &Series| {
        a.points.len() == b.points.len()
            && a.defined().next().is_some()
            && a.points.iter().zip(&b.points).all(|(p, q)| match (p, q) {
                (Some(p), Some(q)) => (y.frac(p.y) - y.frac(q.y)).abs() <= 0.005,
                (None, None) => true,
                _ => false,
            })
    };
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, s) in series.iter().enumerate() {
        match groups.iter_mut().find(|g| close(&series[g[0]], s)) {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups.retain(|g| g.len() > 1);
    groups
}

/// Between neighbouring points of each series: how many steps are clear of their 95%
/// intervals, and how many steps there are (those with intervals at both ends).
fn steps_clear(series: &[Series]) -> (usize, usize) {
    let (mut clear, mut all) = (0, 0);
    for s in series {
        for run in s.runs() {
            for w in run.windows(2) {
                if let (Some(a), Some(b)) = (w[0].ci, w[1].ci) {
                    all += 1;
                    if a.1 < b.0 || b.1 < a.0 {
                        clear += 1;
                    }
                }
            }
        }
    }
    (clear, all)
}

impl Drawable for Spec {
    fn meta(&self) -> (&str, &str, &str) {
        (&self.name, &self.title, &self.caption)
    }
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, bitmap: bool) -> DrawResult<DB> {
        let (plot, side) = charts::frame(root, &self.title)?;
        let areas = plot.split_evenly((1, self.panels.len().max(1)));
        for (panel, area) in self.panels.iter().zip(&areas) {
            draw_panel(panel, root, area, bitmap)?;
        }
        draw_legend(&side, &self.legend)
    }
}

fn draw_panel<DB: DrawingBackend>(
    p: &Panel,
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    bitmap: bool,
) -> DrawResult<DB> {
    let mut builder = ChartBuilder::on(area);
    if let Some(t) = &p.title {
        builder.caption(t, (FONT, 17));
    }
    let mut chart = builder
        .margin(10)
        .x_label_area_size(48)
        .y_label_area_size(76)
        .build_cartesian_2d(p.x.ticks.clone(), p.y.ticks.clone())?;
    charts::mesh_styles(&mut chart, &p.x.desc, &p.y.desc)
        .x_label_formatter(&|v| p.x.fmt.label(*v))
        .y_label_formatter(&|v| p.y.fmt.label(*v))
        .draw()?;
    let (ylo, yhi) = (p.y.ticks.lo, p.y.ticks.hi);
    // Parts of a band or bar beyond the axis are cut at its ends.
    let px = |chart: &ChartContext<'_, DB, Cartesian2d<Ticks, Ticks>>, x: f64, y: f64| {
        chart.backend_coord(&(x, y.clamp(ylo, yhi)))
    };
    for s in p.series.iter().filter(|s| s.spread == Spread::Band) {
        for run in s.runs() {
            let bounds: Vec<(f64, (f64, f64))> = run.iter().filter_map(|q| Some((q.x, q.ci?))).collect();
            if bounds.len() < 2 {
                continue;
            }
            let mut outline: Vec<(i32, i32)> = bounds.iter().map(|(x, (_, hi))| px(&chart, *x, *hi)).collect();
            outline.extend(bounds.iter().rev().map(|(x, (lo, _))| px(&chart, *x, *lo)));
            root.draw(&Polygon::new(outline, s.colour.mix(0.16).filled()))?;
        }
    }
    for r in p.hrules.iter().filter(|r| p.y.contains(r.at)) {
        let style = ShapeStyle::from(&r.colour).stroke_width(2);
        chart.draw_series(DashedLineSeries::new(vec![(p.x.ticks.lo, r.at), (p.x.ticks.hi, r.at)], 10, 6, style))?;
    }
    for r in p.vrules.iter().filter(|r| p.x.contains(r.at)) {
        let style = ShapeStyle::from(&r.colour).stroke_width(2);
        chart.draw_series(DashedLineSeries::new(vec![(r.at, ylo), (r.at, yhi)], 8, 5, style))?;
    }
    for s in p.series.iter().filter(|s| s.line) {
        for run in s.runs().into_iter().filter(|r| r.len() > 1) {
            let pixels: Vec<(i32, i32)> = run.iter().map(|q| px(&chart, q.x, q.y)).collect();
            draw_polyline(root, &pixels, s.colour, bitmap)?;
        }
    }
    for s in p.series.iter().filter(|s| s.spread != Spread::None) {
        let style = ShapeStyle::from(&s.colour).stroke_width(2);
        // A band needs two neighbours: a point standing alone gets a bar instead.
        let alone: Vec<Pt> = s.runs().into_iter().filter(|r| r.len() == 1).flatten().collect();
        let points: Vec<Pt> = if s.spread == Spread::Bars { s.defined().copied().collect() } else { alone };
        for q in points {
            let Some((lo, hi)) = q.ci else { continue };
            let (a, b) = (px(&chart, q.x, hi), px(&chart, q.x, lo));
            root.draw(&PathElement::new(vec![a, b], style))?;
            for end in [a, b] {
                root.draw(&PathElement::new(vec![(end.0 - 5, end.1), (end.0 + 5, end.1)], style))?;
            }
        }
    }
    for s in &p.series {
        let Some((shape, filled, size)) = s.marker else { continue };
        for q in s.defined() {
            draw_marker(root, px(&chart, q.x, q.y), shape, s.colour, filled, size)?;
        }
    }
    Ok(())
}

/// Draws every spec, in parallel, in order.
fn render_all(specs: Vec<Spec>, skipped: Vec<Skipped>) -> Result<Charts, ChartError> {
    charts::fonts();
    let charts = specs.par_iter().map(charts::render).collect::<Result<Vec<_>, _>>()?;
    Ok(Charts { charts, skipped })
}

// ---------------------------------------------------------------------------------------
// The sweep's charts

/// The colour of a row group's line: the class's own, a dark grey for all jobs (batch's
/// blue is taken).
fn group_colour(d: &SweepData, group: usize) -> RGBColor {
    match group {
        0 => RGBColor(70, 70, 70),
        g => class_colour(&d.info.classes[g - 1], g - 1),
    }
}

/// The sweep's x axis: the first numeric axis (else the first), its values in drawing order.
struct XPlan {
    /// Which axis.
    xi: usize,
    /// The axis's value indices, in drawing order (ascending, when numeric).
    order: Vec<usize>,
    /// Their positions on the x axis.
    positions: Vec<f64>,
    categorical: bool,
    axis: Axis,
}

fn x_plan(d: &SweepData) -> XPlan {
    let axes = &d.info.axes;
    let xi = axes.iter().position(|a| a.numeric).unwrap_or(0);
    let a = &axes[xi];
    let mut order: Vec<usize> = (0..a.values.len()).collect();
    if a.numeric {
        order.sort_by(|p, q| a.number(*p).total_cmp(&a.number(*q)));
        let positions: Vec<f64> = order.iter().map(|&i| a.number(i)).collect();
        let axis = numeric_axis(&positions, &a.label, false, None);
        XPlan { xi, order, positions, categorical: false, axis }
    } else {
        let positions = (0..a.values.len()).map(|i| i as f64).collect();
        XPlan { xi, order, positions, categorical: true, axis: names_axis(a.values.clone(), &a.label) }
    }
}

/// One line of a sweep chart, before its points are looked up.
struct LinePlan {
    label: String,
    colour: RGBColor,
    /// The row group (0: all jobs).
    group: usize,
    /// Value indices of every axis (the x axis's is overwritten along the line).
    fixed: Vec<usize>,
}

/// One sweep chart, before drawing.
struct ChartPlan {
    name: String,
    title: String,
    /// What the lines are: `one line per class`.
    per: String,
    /// A legend heading above the lines, naming what they are.
    heading: Option<String>,
    lines: Vec<LinePlan>,
    /// Wait targets: (legend label, colour, seconds).
    targets: Vec<(String, RGBColor, f64)>,
    /// What the chart is of, for a reason it is not drawn: `any class`, `all jobs`.
    of: String,
}

/// A line's legend label: the class, with its wait target on a within-target chart.
fn class_label(d: &SweepData, f: Figure, group: &str) -> String {
    match d.info.targets.get(group) {
        Some(t) if f == Figure::WithinTarget => format!("{group} (within {})", fmt_duration(*t)),
        _ => group_name(group),
    }
}

/// The dashed target lines of a wait figure for these row groups (those with a target).
fn target_rules(d: &SweepData, f: Figure, groups: &[usize]) -> Vec<(String, RGBColor, f64)> {
    if f.kind() != Kind::Wait {
        return Vec::new();
    }
    groups
        .iter()
        .filter(|g| **g > 0)
        .filter_map(|&g| {
            let class = &d.info.classes[g - 1];
            let t = *d.info.targets.get(class)?;
            Some((format!("{class} target {}", fmt_duration(t)), group_colour(d, g), t))
        })
        .collect()
}

/// The charts of a sweep: for each headline figure one chart (one axis: a line per class) or,
/// with more axes, one per row group (a line per value of the other axes).
fn sweep_specs(d: &SweepData) -> (Vec<Spec>, Vec<Skipped>) {
    let axes = &d.info.axes;
    let x = x_plan(d);
    let others: Vec<usize> = (0..axes.len()).filter(|a| *a != x.xi).collect();
    let groups = d.groups();
    // The combinations of the other axes' values, in grid order.
    let mut combos: Vec<Vec<usize>> = Vec::new();
    for p in 0..d.info.points {
        let mut c = d.coords(p);
        c[x.xi] = 0;
        if !combos.contains(&c) {
            combos.push(c);
        }
    }
    let mut plans = Vec::new();
    for f in HEADLINE {
        if others.is_empty() {
            let lines = (0..groups.len())
                .map(|g| LinePlan {
                    label: class_label(d, f, &groups[g]),
                    colour: group_colour(d, g),
                    group: g,
                    fixed: combos[0].clone(),
                })
                .collect();
            plans.push((
                f,
                ChartPlan {
                    name: format!("sweep_{}", f.name()),
                    title: format!("{} per class", f.info().title),
                    per: "one line per class".into(),
                    heading: None,
                    lines,
                    targets: target_rules(d, f, &(0..groups.len()).collect::<Vec<_>>()),
                    of: "any class or all jobs".into(),
                },
            ));
            continue;
        }
        for (g, group) in groups.iter().enumerate() {
            let lines = combos
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let parts: Vec<String> = others
                        .iter()
                        .map(|&a| match others.len() {
                            1 => axes[a].values[c[a]].clone(),
                            _ => format!("{}={}", axes[a].key, axes[a].values[c[a]]),
                        })
                        .collect();
                    LinePlan { label: parts.join(", "), colour: PALETTE[i % PALETTE.len()], group: g, fixed: c.clone() }
                })
                .collect();
            let keys: Vec<String> = others.iter().map(|&a| axes[a].key.clone()).collect();
            let (per, heading) = match others.as_slice() {
                [one] => (format!("one line per value of {}", axes[*one].label), Some(axes[*one].label.clone())),
                _ => (format!("one line per combination of {}", and_list(&keys)), None),
            };
            let of = if g == 0 { "all jobs".to_string() } else { format!("{group} jobs") };
            plans.push((
                f,
                ChartPlan {
                    name: format!("sweep_{}_{}", f.name(), charts::file_safe(group)),
                    title: format!("{}, {}", f.info().title, of),
                    per,
                    heading,
                    lines,
                    // Dark, so that the target is not read as one of the lines (drawn in the palette).
                    targets: target_rules(d, f, &[g])
                        .into_iter()
                        .map(|(l, _, t)| (l, RGBColor(40, 40, 40), t))
                        .collect(),
                    of,
                },
            ));
        }
    }
    let (mut specs, mut skipped) = (Vec::new(), Vec::new());
    for (f, plan) in plans {
        match sweep_spec(d, f, &x, plan) {
            Ok(s) => specs.push(s),
            Err(s) => skipped.push(s),
        }
    }
    (specs, skipped)
}

/// One sweep chart: its lines (those with anything defined), their axis, legend and caption.
fn sweep_spec(d: &SweepData, f: Figure, x: &XPlan, plan: ChartPlan) -> Result<Spec, Skipped> {
    let n = plan.lines.len();
    let mut series = Vec::new();
    let mut labels = Vec::new();
    for (i, l) in plan.lines.into_iter().enumerate() {
        // Categories have no line between them: their series stand side by side instead.
        let dodge =
            if x.categorical && n > 1 { (i as f64 - (n - 1) as f64 / 2.0) * (0.6 / n as f64).min(0.12) } else { 0.0 };
        let mut coords = l.fixed.clone();
        let points: Vec<Option<Pt>> = x
            .order
            .iter()
            .zip(&x.positions)
            .map(|(&vi, &px)| {
                coords[x.xi] = vi;
                Some(Pt::of(px + dodge, d.row(d.point_at(&coords), l.group).get(f)?))
            })
            .collect();
        // A line with nothing defined is left out, not drawn at 0.
        if points.iter().all(Option::is_none) {
            continue;
        }
        // The shape follows the line's place in the plan, so a class keeps its shape across
        // charts; past the palette's colours, the shapes shift, so no two lines look the same.
        let shape = Shape::ALL[(i + i / PALETTE.len()) % Shape::ALL.len()];
        series.push(Series {
            colour: l.colour,
            marker: Some((shape, false, 6)),
            line: !x.categorical,
            spread: if x.categorical { Spread::Bars } else { Spread::Band },
            points,
        });
        labels.push((l.label, shape));
    }
    if series.is_empty() {
        return Err(Skipped {
            name: plan.name,
            title: plan.title,
            reason: format!("sweep.csv defines no {} for {}", f.name(), plan.of),
        });
    }
    let (means, bounds) = means_and_bounds(series.iter().flat_map(|s| s.defined().copied()));
    let at: Vec<f64> = plan.targets.iter().map(|t| t.2).collect();
    let (y, note) = value_axis(f.kind(), f.info().axis, &means, &bounds, &at);

    // Lines on top of each other: each later one gets smaller markers, to sit inside the
    // earlier ones' (all stay visible), and its legend entry names the first.
    let coincide = coinciding(&series, &y);
    let coincide_text: Vec<String> = coincide
        .iter()
        .map(|g| {
            let names: Vec<String> = g.iter().map(|&i| labels[i].0.clone()).collect();
            format!(" {} coincide (drawn one over the other, told apart by their markers).", and_list(&names))
        })
        .collect();
    for group in &coincide {
        for (k, &i) in group.iter().enumerate().skip(1) {
            if let Some(m) = series[i].marker.as_mut() {
                m.2 = (6 - 2 * k as i32).max(2);
            }
            // A no-break space keeps `(= x` together when the legend wraps the label.
            labels[i].0 = format!("{} (=\u{a0}{})", labels[i].0, labels[group[0]].0);
        }
    }
    let mut legend: Vec<LegendEntry> = plan
        .heading
        .iter()
        .map(|h| LegendEntry { label: h.clone(), colour: RGBColor(0, 0, 0), kind: Mark::Heading })
        .collect();
    for ((label, shape), s) in labels.iter().zip(&series) {
        let kind = if x.categorical { Mark::Marker(*shape, false) } else { Mark::LineMarker(*shape) };
        legend.push(LegendEntry { label: label.clone(), colour: s.colour, kind });
    }
    for (label, colour, t) in &plan.targets {
        let off = if y.contains(*t) { "" } else { " (above the chart)" };
        legend.push(LegendEntry { label: format!("{label}{off}"), colour: *colour, kind: Mark::Dashed });
    }

    let x_label = &d.info.axes[x.xi].label;
    let any_ci = !bounds.is_empty();
    let mut caption = format!(
        "{}{}, against {x_label}, {}: the mean over the {} replications of each point{}.",
        f.info().what,
        if f == Figure::WithinTarget { targets_phrase(d) } else { String::new() },
        plan.per,
        d.info.replications,
        match (any_ci, x.categorical) {
            (true, false) => " with its 95% confidence band",
            (true, true) => " with its 95% confidence interval",
            (false, _) => " (no confidence interval: one replication, or none given)",
        }
    );
    if !plan.targets.is_empty() {
        caption.push_str(if plan.targets.len() > 1 {
            " Dashed: each class's wait target."
        } else {
            " Dashed: the wait target."
        });
    }
    let (clear, steps) = steps_clear(&series);
    if steps > 0 {
        let _ = write!(
            caption,
            " In {clear} of the {steps} steps between neighbouring values of {x_label}, the two 95% intervals do not \
             overlap; where they do, the difference is not shown to be real."
        );
    }
    caption.extend(coincide_text);
    if let Some(note) = note {
        caption.push(' ');
        caption.push_str(&note);
    }
    if series.iter().any(|s| s.points.iter().any(Option::is_none)) {
        caption.push_str(" A gap is a point where the figure is not defined.");
    }
    let hrules = plan.targets.iter().map(|(_, colour, t)| Rule { colour: *colour, at: *t }).collect();
    Ok(Spec {
        name: plan.name,
        title: plan.title,
        caption,
        legend,
        panels: vec![Panel { title: None, x: x.axis.clone(), y, series, hrules, vrules: Vec::new() }],
    })
}

/// ` (interactive: 1 min, debug: 10 min)`: the classes' wait targets, for a caption.
fn targets_phrase(d: &SweepData) -> String {
    let items: Vec<String> =
        d.info.classes.iter().filter_map(|c| Some(format!("{c}: {}", fmt_duration(*d.info.targets.get(c)?)))).collect();
    if items.is_empty() {
        String::new()
    } else {
        format!(" ({})", items.join(", "))
    }
}

// ---------------------------------------------------------------------------------------
// The pool sizing's charts

const MEETS: RGBColor = RGBColor(44, 160, 44);
const FAILS: RGBColor = RGBColor(214, 39, 40);
const ANSWER: RGBColor = RGBColor(90, 90, 90);

/// What the pool's nodes are, for an axis: `inter nodes (moved from cpu)`.
fn pool_nodes_desc(p: &SizePoolData) -> String {
    p.pool.label.clone().unwrap_or_else(|| format!("{} nodes (moved from {})", p.pool.to, p.pool.from))
}

/// A figure against the pool size: a line with 95% bars through every size tried, and over
/// it a marker per size, filled green where it meets (the `bool`), a hollow red square where not.
fn pool_series(colour: RGBColor, values: &[(Option<Pt>, bool)]) -> Vec<Series> {
    let line =
        Series { colour, marker: None, line: true, spread: Spread::Bars, points: values.iter().map(|v| v.0).collect() };
    let marked = |meets: bool, shape: Shape, c: RGBColor| Series {
        colour: c,
        marker: Some((shape, meets, 6)),
        line: false,
        spread: Spread::None,
        points: values.iter().map(|(q, m)| q.filter(|_| *m == meets)).collect(),
    };
    vec![line, marked(true, Shape::Circle, MEETS), marked(false, Shape::Square, FAILS)]
}

/// The legend of [`pool_series`]: its line, and the markers it has (of `marked`: whether each size meets).
fn pool_legend(line: (&str, RGBColor), meets: &str, fails: &str, marked: &[bool]) -> Vec<LegendEntry> {
    let mut legend = vec![LegendEntry { label: line.0.to_string(), colour: line.1, kind: Mark::Line }];
    if marked.contains(&true) {
        legend.push(LegendEntry { label: meets.to_string(), colour: MEETS, kind: Mark::Marker(Shape::Circle, true) });
    }
    if marked.contains(&false) {
        legend.push(LegendEntry { label: fails.to_string(), colour: FAILS, kind: Mark::Marker(Shape::Square, false) });
    }
    legend
}

fn answer_entry(p: &SizePoolData) -> Option<LegendEntry> {
    p.answer.map(|k| LegendEntry { label: format!("answer: {k} nodes"), colour: ANSWER, kind: Mark::Dashed })
}

fn pool_panel(
    title: Option<String>,
    x: &Axis,
    y: Axis,
    series: Vec<Series>,
    hrules: Vec<Rule>,
    p: &SizePoolData,
) -> Panel {
    let vrules = p.answer.map(|k| Rule { colour: ANSWER, at: k as f64 }).into_iter().collect();
    Panel { title, x: x.clone(), y, series, hrules, vrules }
}

/// The values drawn, and the bounds of their intervals: what a value axis must hold.
fn means_and_bounds(points: impl Iterator<Item = Pt>) -> (Vec<f64>, Vec<f64>) {
    let points: Vec<Pt> = points.collect();
    let means = points.iter().map(|q| q.y).collect();
    let bounds = points.iter().filter_map(|q| q.ci).flat_map(<[f64; 2]>::from).collect();
    (means, bounds)
}

fn pool_x_axis(p: &SizePoolData) -> Axis {
    let ks: Vec<f64> = p.sizes.iter().map(|s| s.k as f64).collect();
    numeric_axis(&ks, &pool_nodes_desc(p), true, p.answer.map(|a| a as f64))
}

/// The first target's figure against the pool size, the target, and the answer.
fn pool_target_spec(p: &SizePoolData) -> Result<Spec, Skipped> {
    let (name, title) = ("size_pool_target", "Pool size against the target");
    let t = &p.targets[0];
    // The interval as the file states it (lo, hi): the bounds the target was judged by.
    let values: Vec<(Option<Pt>, bool)> = p
        .sizes
        .iter()
        .map(|s| {
            let c = &s.targets[0];
            let ci = match (c.lo, c.hi, c.ci, c.mean) {
                (Some(lo), Some(hi), _, _) => Some((lo, hi)),
                (_, _, Some(h), Some(m)) => Some((m - h, m + h)),
                _ => None,
            };
            (c.mean.map(|y| Pt { x: s.k as f64, y, ci }), c.meets)
        })
        .collect();
    if values.iter().all(|v| v.0.is_none()) {
        return Err(Skipped {
            name: name.into(),
            title: title.into(),
            reason: format!("size-pool.json gives no value of {} at any size", t.text),
        });
    }
    let (means, bounds) = means_and_bounds(values.iter().filter_map(|v| v.0));
    let desc = format!("{} {}", t.class, t.figure.info().axis);
    let (y, note) = value_axis(t.figure.kind(), &desc, &means, &bounds, &[t.value]);
    let colour = class_colour(&t.class, 0);
    let op = match t.op {
        Op::AtMost => "≤",
        Op::AtLeast => "≥",
    };
    let mut legend = pool_legend(
        (&format!("{}: {}", t.class, t.figure.info().title.to_lowercase()), colour),
        "meets the target",
        "fails the target",
        &values.iter().filter(|v| v.0.is_some()).map(|v| v.1).collect::<Vec<_>>(),
    );
    legend.push(LegendEntry { label: format!("target {op} {}", t.figure.text(t.value)), colour, kind: Mark::Dashed });
    legend.extend(answer_entry(p));
    // The intervals that decide the answer, written out (at this scale their bars may hide
    // under the markers): the answer's and the size below it, or the largest size tried.
    let decisive = match p.answer.and_then(|k| p.sizes.iter().position(|s| s.k == k)) {
        Some(i) => i.saturating_sub(1)..i + 1,
        None => p.sizes.len().saturating_sub(1)..p.sizes.len(),
    };
    let intervals: Vec<LegendEntry> = decisive
        .filter_map(|i| {
            let (q, meets) = values[i];
            let (lo, hi) = q?.ci?;
            let (colour, kind) = if meets {
                (MEETS, Mark::Marker(Shape::Circle, true))
            } else {
                (FAILS, Mark::Marker(Shape::Square, false))
            };
            let label = format!("k={}: {}–{}", p.sizes[i].k, t.figure.text(lo), t.figure.text(hi));
            Some(LegendEntry { label, colour, kind })
        })
        .collect();
    if !intervals.is_empty() {
        legend.push(LegendEntry { label: "95% intervals".into(), colour: ANSWER, kind: Mark::Heading });
        legend.extend(intervals);
    }
    let mut caption = format!(
        "{} ({}) against the number of {}, at each size the search tried, with its 95% interval; filled green: \
         the interval lies on the target's side of the dashed line ({}), hollow red: it does not.",
        t.figure.info().what,
        t.class,
        pool_nodes_desc(p),
        t.text
    );
    match p.answer {
        Some(k) => {
            let _ = write!(
                caption,
                " The dashed vertical line marks the answer: {k} nodes, the fewest that meet every target."
            );
        }
        None => caption.push_str(" No size tried meets every target."),
    }
    if let Some(note) = note {
        caption.push(' ');
        caption.push_str(&note);
    }
    let x = pool_x_axis(p);
    let hrules = vec![Rule { colour, at: t.value }];
    Ok(Spec {
        name: name.into(),
        title: title.into(),
        caption,
        legend,
        panels: vec![pool_panel(None, &x, y, pool_series(colour, &values), hrules, p)],
    })
}

/// What the pool costs batch: its utilisation and its mean wait against the pool size.
fn pool_cost_spec(p: &SizePoolData) -> Result<Spec, Skipped> {
    let (name, title) = ("size_pool_cost", "What the pool costs batch");
    let x = pool_x_axis(p);
    let colour = class_colour(COST_CLASS, 0);
    let mut panels = Vec::new();
    let mut notes = Vec::new();
    for (f, panel_title) in [(Figure::Utilisation, "batch utilisation"), (Figure::MeanWait, "batch mean wait")] {
        let values: Vec<(Option<Pt>, bool)> =
            p.sizes.iter().map(|s| (s.cost_estimate(f).map(|e| Pt::of(s.k as f64, e)), s.meets)).collect();
        if values.iter().all(|v| v.0.is_none()) {
            continue;
        }
        let (means, bounds) = means_and_bounds(values.iter().filter_map(|v| v.0));
        let (y, note) = value_axis(f.kind(), &format!("batch {}", f.info().axis), &means, &bounds, &[]);
        notes.extend(note);
        panels.push(pool_panel(Some(panel_title.into()), &x, y, pool_series(colour, &values), Vec::new(), p));
    }
    if panels.is_empty() {
        return Err(Skipped {
            name: name.into(),
            title: title.into(),
            reason: "size-pool.json gives neither batch's utilisation nor its mean wait at any size".into(),
        });
    }
    let meets: Vec<bool> = p.sizes.iter().map(|s| s.meets).collect();
    let mut legend = pool_legend(("batch", colour), "meets every target", "fails a target", &meets);
    legend.extend(answer_entry(p));
    let mut caption = format!(
        "What moving nodes into the pool costs batch: the utilisation of the partitions batch's jobs are \
         submitted to, and batch's mean wait, against the number of {}, at each size the search tried (95% \
         intervals where the file gives them); filled green: sizes that meet every target.",
        pool_nodes_desc(p)
    );
    for note in notes {
        caption.push(' ');
        caption.push_str(&note);
    }
    Ok(Spec { name: name.into(), title: title.into(), caption, legend, panels })
}

// ---------------------------------------------------------------------------------------
// report.html

/// A table cell holding an estimate (or `—`), with its exact figures on hover.
fn estimate_cell(f: Figure, e: Option<Estimate>, best: bool) -> String {
    let class = if best { " class=\"best\"" } else { "" };
    match e {
        None => format!("<td{class}>—</td>"),
        Some(e) => {
            let exact = match e.ci {
                Some(c) => format!("mean {}, 95% half-width {}", num(e.mean, 6), num(c, 6)),
                None => format!("mean {}", num(e.mean, 6)),
            };
            format!("<td{class} title=\"{}\">{}</td>", escape(&exact), escape(&f.estimate_text(e)))
        }
    }
}

/// Rows to mark in a column: the best mean and every one whose 95% interval overlaps the
/// best's (they are not told apart from it). Nothing is marked without intervals, nor when
/// every value would be.
fn marked(f: Figure, column: &[Option<Estimate>]) -> Vec<bool> {
    let none = vec![false; column.len()];
    let Some(high) = f.info().higher_better else { return none };
    let defined: Vec<&Estimate> = column.iter().flatten().collect();
    if defined.len() < 2 || defined.iter().any(|e| e.ci.is_none()) {
        return none;
    }
    let means: Vec<f64> = column.iter().map(|e| e.map_or(f64::NAN, |e| e.mean)).collect();
    let Some(&b) = best_of(&means, high).first() else { return none };
    let (lo, hi) = column[b].map_or((f64::NAN, f64::NAN), Estimate::interval);
    let out: Vec<bool> =
        column.iter().map(|e| e.is_some_and(|e| e.interval().0 <= hi && e.interval().1 >= lo)).collect();
    if out.iter().filter(|m| **m).count() == defined.len() {
        none
    } else {
        out
    }
}

/// The page for the sweep `d` with `charts`.
fn sweep_html(d: &SweepData, charts: &Charts) -> String {
    let i = &d.info;
    let name = i.about.title("sweep");
    let mut h = String::with_capacity(256 * 1024);
    let w = &mut h;
    page_start(w, &format!("schedsim report: {}, sweep of {} points", escape(&name), i.points));
    let labels: Vec<String> = i.axes.iter().map(|a| escape(&a.label)).collect();
    let _ = writeln!(w, "<p class=\"sub\">{} · {} replications a point</p>", labels.join(" × "), i.replications);
    let _ = writeln!(
        w,
        "<nav><a href=\"#swept\">What was swept</a><a href=\"#figures\">Figures per class</a>\
         <a href=\"#charts\">Charts</a></nav>"
    );

    // What was swept.
    let _ = writeln!(w, "<section id=\"swept\">\n<h2>What was swept</h2>\n<table class=\"kv\">");
    i.about.rows(w);
    kv_row(w, "replications a point", Some(i.replications.to_string()));
    kv_row(w, "points", Some(fmt_count(i.points as u64)));
    let classes: Vec<String> = i
        .classes
        .iter()
        .map(|c| match i.targets.get(c) {
            Some(t) => format!("{} (wait target {})", escape(c), escape(&fmt_duration(*t))),
            None => format!("{} (no wait target)", escape(c)),
        })
        .collect();
    kv_row(w, "classes", (!classes.is_empty()).then(|| classes.join(", ")));
    kv_row(w, "schedsim version", i.about.version.as_deref().map(escape));
    let _ = writeln!(w, "</table>\n<h3>Axes</h3>\n<table class=\"kv\">");
    let _ = writeln!(w, "<tr><th>key</th><th>what it is</th><th>values</th><th>kind</th></tr>");
    for a in &i.axes {
        let values: Vec<String> = a.values.iter().map(|v| escape(v)).collect();
        let _ = writeln!(
            w,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&a.key),
            escape(&a.label),
            values.join(", "),
            if a.numeric { "numeric" } else { "categorical" }
        );
    }
    let _ = writeln!(w, "</table>");
    let x = &i.axes[i.axes.iter().position(|a| a.numeric).unwrap_or(0)];
    let _ = writeln!(
        w,
        "<p class=\"note\">The points are every combination of the axes' values, in grid order (the last axis \
         varying fastest). Each figure is the mean over a point's replications with the half-width of its 95% \
         Student-t confidence interval (±). The charts draw the figures against {}{}.</p>\n</section>",
        escape(&x.label),
        if i.axes.len() > 1 {
            ", one chart per class, the other axes' values as lines"
        } else {
            ", one line per class"
        }
    );

    // Figures per class.
    let _ = writeln!(w, "<section id=\"figures\">\n<h2>Figures per class</h2>");
    let groups = d.groups();
    for (g, group) in groups.iter().enumerate() {
        let rows: Vec<&SweepRow> = (0..i.points).map(|p| d.row(p, g)).collect();
        let shown: Vec<Figure> = Figure::ALL.into_iter().filter(|f| rows.iter().any(|r| r.get(*f).is_some())).collect();
        let reps = rows.iter().any(|r| r.replications != i.replications);
        let _ = writeln!(w, "<h3>{}</h3>\n<div class=\"wide\"><table>", escape(&group_name(group)));
        let mut head: Vec<String> =
            i.axes.iter().map(|a| format!("<th title=\"{}\">{}</th>", escape(&a.key), escape(&a.label))).collect();
        if reps {
            head.push("<th>replications</th>".into());
        }
        head.extend(shown.iter().map(|f| format!("<th>{}</th>", escape(&f.info().title.to_lowercase()))));
        let _ = writeln!(w, "<tr>{}</tr>", head.concat());
        let marks: Vec<Vec<bool>> =
            shown.iter().map(|f| marked(*f, &rows.iter().map(|r| r.get(*f)).collect::<Vec<_>>())).collect();
        for (k, r) in rows.iter().enumerate() {
            let mut cells: Vec<String> = r.values.iter().map(|v| format!("<td>{}</td>", escape(v))).collect();
            if reps {
                cells.push(format!("<td>{}</td>", r.replications));
            }
            cells.extend(shown.iter().zip(&marks).map(|(f, m)| estimate_cell(*f, r.get(*f), m[k])));
            let _ = writeln!(w, "<tr>{}</tr>", cells.concat());
        }
        let _ = writeln!(w, "</table></div>");
    }
    let _ = writeln!(
        w,
        "<p class=\"note\">Highlighted, in each column with a better direction (lower waits, slowdown, \
         abandonment and kill rate; higher share within target and jobs finished per day): the best mean and \
         every value whose 95% interval overlaps it. Differences whose 95% intervals overlap are not marked as \
         better; with one replication there are no intervals, and nothing is marked. Waits are of the jobs that \
         started; a class's utilisation is that of the partitions its jobs are submitted to, all jobs' that of \
         the whole machine; — marks a figure not defined for that class (a share within target without a target, \
         abandonment over all jobs).</p>\n</section>"
    );

    charts_section(w, charts, "Not drawn:");
    let _ = writeln!(
        w,
        "<footer>Built by schedsim {} from sweep.json and sweep.csv; rebuild with <code>schedsim report DIR</code>. \
         The charts are also in charts/ as SVG and PNG.</footer>",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(w, "</main>\n</body>\n</html>");
    h
}

/// `+12 min`, `−0.5 pt`: a change per node, signed.
fn signed(f: Figure, v: f64) -> String {
    let sign = if v < 0.0 { "−" } else { "+" };
    match f.kind() {
        Kind::Share => format!("{sign}{} pt", trim(100.0 * v.abs(), 2)),
        Kind::Wait => format!("{sign}{}", fmt_duration(v.abs())),
        _ => format!("{sign}{}", trim(v.abs(), 2)),
    }
}

/// What each node moved does to batch, as a clause: `lowers batch utilisation by about 0.5
/// points and adds about 12 min to its mean wait`.
fn cost_clause(c: &PoolCost) -> Option<String> {
    let util = c.utilisation.map(|d| {
        let pts = trim(100.0 * d.abs(), 1);
        let unit = if pts == "1" { "point" } else { "points" };
        if pts == "0" {
            "leaves batch utilisation about unchanged".to_string()
        } else if d < 0.0 {
            format!("lowers batch utilisation by about {pts} {unit}")
        } else {
            format!("raises batch utilisation by about {pts} {unit}")
        }
    });
    let wait = c.mean_wait.map(|d| {
        let who = if util.is_some() { "its" } else { "batch's" };
        if d.abs() < 0.5 {
            format!("leaves {who} mean wait about unchanged")
        } else if d > 0.0 {
            format!("adds about {} to {who} mean wait", fmt_duration(d))
        } else {
            format!("takes about {} off {who} mean wait", fmt_duration(-d))
        }
    });
    match (util, wait) {
        (Some(u), Some(w)) => Some(format!("{u} and {w}")),
        (u, w) => u.or(w),
    }
}

/// The answer in one sentence: the fewest nodes that meet the targets and what each costs
/// batch, or why there is no answer.
pub fn answer_sentence(p: &SizePoolData) -> String {
    let texts: Vec<String> = p.targets.iter().map(|t| t.text.clone()).collect();
    let targets = and_list(&texts);
    let Some(k) = p.answer else {
        let reason = p.reason.as_deref().map(|r| r.trim().trim_end_matches('.').to_string());
        let reason = reason.filter(|r| !r.is_empty()).unwrap_or_else(|| "the file gives no reason".into());
        return format!(
            "No size tried of the {} pool (nodes moved from {}) meets {targets} with 95% confidence: {reason}.",
            p.pool.to, p.pool.from
        );
    };
    let verb = if k == 1 { "is the fewest that meets" } else { "are the fewest that meet" };
    let at = p.sizes.iter().position(|s| s.k == k);
    let cost = match at.and_then(|i| Some((i.checked_sub(1)?, p.sizes[i].change_per_node.as_ref()?))) {
        Some((prev, c)) => match cost_clause(c) {
            Some(clause) => {
                // A change inside the noise is no cost: say when the two sizes' intervals overlap.
                let (a, b) = (&p.sizes[prev], &p.sizes[at.expect("found")]);
                let overlap = [Figure::Utilisation, Figure::MeanWait].into_iter().all(|f| {
                    match (a.cost_estimate(f), b.cost_estimate(f)) {
                        (Some(x), Some(y)) => {
                            let ((xl, xh), (yl, yh)) = (x.interval(), y.interval());
                            xl <= yh && yl <= xh
                        }
                        _ => false,
                    }
                });
                let caveat = if overlap {
                    format!(
                        ", though the 95% intervals of batch utilisation and mean wait at {} and {k} nodes overlap, so \
                         this difference is within the noise of the replications",
                        a.k
                    )
                } else {
                    String::new()
                };
                format!("; from {} to {k} nodes, each node moved {clause}{caveat}", a.k)
            }
            None => "; the file gives no cost per node".into(),
        },
        None => "; no smaller size was tried, so what each node costs batch is not known from this search".into(),
    };
    format!("{} {verb} {targets} with 95% confidence{cost}.", p.nodes(k))
}

/// The page for the pool sizing `p` with `charts`.
fn pool_html(p: &SizePoolData, charts: &Charts) -> String {
    let name = p.about.title("size-pool");
    let mut h = String::with_capacity(128 * 1024);
    let w = &mut h;
    page_start(w, &format!("schedsim report: {}, size of the {} pool", escape(&name), escape(&p.pool.to)));
    let _ = writeln!(w, "<p class=\"best\" id=\"answer\">{}</p>", escape(&answer_sentence(p)));
    let most = p.sizes.iter().map(|s| s.replications).max();
    let grid = most.map_or(String::new(), |r| {
        format!(
            "; a full grid of every size at {r} replications would have taken {} runs",
            fmt_count(p.full_grid_sizes.saturating_mul(r))
        )
    });
    let _ = writeln!(
        w,
        "<p class=\"sub\" id=\"search\">The search tried {} of the {} possible sizes, in {} runs{grid}.</p>",
        fmt_count(p.sizes_tried),
        fmt_count(p.full_grid_sizes),
        fmt_count(p.runs)
    );
    let _ = writeln!(
        w,
        "<nav><a href=\"#question\">What was asked</a><a href=\"#sizes\">Sizes tried</a>\
         <a href=\"#charts\">Charts</a></nav>"
    );

    let _ = writeln!(w, "<section id=\"question\">\n<h2>What was asked</h2>\n<table class=\"kv\">");
    p.about.rows(w);
    kv_row(
        w,
        "pool",
        Some(format!(
            "nodes moved from partition {} to {} ({} nodes between them), set as <code>{}</code>",
            escape(&p.pool.from),
            escape(&p.pool.to),
            fmt_count(p.pool.total),
            escape(&p.pool.key)
        )),
    );
    let targets: Vec<String> = p
        .targets
        .iter()
        .map(|t| {
            let op = if t.op == Op::AtMost { "at most" } else { "at least" };
            format!(
                "<code>{}</code>: {} {} {op} {}",
                escape(&t.text),
                escape(&t.class),
                escape(&t.figure.info().title.to_lowercase()),
                escape(&t.figure.text(t.value))
            )
        })
        .collect();
    kv_row(w, "targets (each met with 95% confidence)", Some(targets.join("<br>")));
    kv_row(w, "answer", Some(p.answer.map_or("none".into(), |k| escape(&p.nodes(k)))));
    kv_row(w, "schedsim version", p.about.version.as_deref().map(escape));
    let _ = writeln!(w, "</table>");
    let _ = writeln!(
        w,
        "<p class=\"note\">A target is met with 95% confidence when its whole 95% interval lies on the target's \
         side: the interval's lower end for <code>&gt;=</code>, its upper end for <code>&lt;=</code>.</p>\n</section>"
    );

    let _ = writeln!(w, "<section id=\"sizes\">\n<h2>Sizes tried</h2>\n<div class=\"wide\"><table>");
    let mut head = vec!["<th>nodes in the pool</th><th>replications</th>".to_string()];
    head.extend(p.targets.iter().map(|t| format!("<th>{}</th>", escape(&t.text))));
    head.push("<th>meets every target</th>".into());
    let costs = PoolCost::default().items();
    head.extend(costs.iter().map(|(f, _)| format!("<th>batch {}</th>", escape(&f.info().title.to_lowercase()))));
    head.extend(costs.iter().map(|(f, _)| format!("<th>per node: {}</th>", escape(&f.info().title.to_lowercase()))));
    let _ = writeln!(w, "<tr>{}</tr>", head.concat());
    for s in &p.sizes {
        let answer = p.answer == Some(s.k);
        let mut cells = vec![if answer {
            format!("<td class=\"best\">{} (answer)</td>", s.k)
        } else {
            format!("<td>{}</td>", s.k)
        }];
        cells.push(format!("<td>{}</td>", s.replications));
        for (t, c) in p.targets.iter().zip(&s.targets) {
            let value = c.mean.map_or("—".into(), |m| t.figure.estimate_text(Estimate { mean: m, ci: c.ci }));
            let interval = match (c.lo, c.hi) {
                (Some(lo), Some(hi)) => format!(" ({} to {})", t.figure.text(lo), t.figure.text(hi)),
                _ => String::new(),
            };
            let verdict = if c.meets { "meets" } else { "fails" };
            cells.push(format!("<td>{}{}: {verdict}</td>", escape(&value), escape(&interval)));
        }
        cells.push(format!("<td>{}</td>", if s.meets { "yes" } else { "no" }));
        cells.extend(costs.iter().map(|(f, _)| estimate_cell(*f, s.cost_estimate(*f), false)));
        match &s.change_per_node {
            Some(c) => cells.extend(
                c.items().iter().map(|(f, v)| format!("<td>{}</td>", v.map_or("—".into(), |v| escape(&signed(*f, v))))),
            ),
            None => cells.push(format!("<td colspan=\"{}\" class=\"note\">first size tried</td>", costs.len())),
        }
        let _ = writeln!(w, "<tr>{}</tr>", cells.concat());
    }
    let _ = writeln!(
        w,
        "</table></div>\n<p class=\"note\">Each size once, smallest first; the change per node is against the \
         previous size in this table, over the nodes between them. Batch's utilisation is that of the \
         partitions its jobs are submitted to.</p>\n</section>"
    );

    charts_section(w, charts, "Not drawn:");
    let _ = writeln!(
        w,
        "<footer>Built by schedsim {} from size-pool.json; rebuild with <code>schedsim report DIR</code>. The \
         charts are also in charts/ as SVG and PNG.</footer>",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(w, "</main>\n</body>\n</html>");
    h
}

// ---------------------------------------------------------------------------------------
// Building

/// What [`build_sweep_report`] and [`build_size_pool_report`] wrote.
pub type SweepReportFiles = ReportFiles;

/// Reads the sweep in `dir` ([`read_sweep`]), draws its charts into `dir/charts/` (SVG and
/// PNG) and writes `dir/report.html`.
pub fn build_sweep_report(dir: &Path) -> Result<SweepReportFiles, SweepReportError> {
    let d = read_sweep(dir)?;
    let (specs, skipped) = sweep_specs(&d);
    let charts = render_all(specs, skipped)?;
    let page = sweep_html(&d, &charts);
    Ok(write_report(dir, charts, &page)?)
}

/// Reads the pool sizing in `dir` ([`read_size_pool`]), draws its charts into `dir/charts/`
/// (SVG and PNG) and writes `dir/report.html`.
pub fn build_size_pool_report(dir: &Path) -> Result<SweepReportFiles, SweepReportError> {
    let p = read_size_pool(dir)?;
    let (mut specs, mut skipped) = (Vec::new(), Vec::new());
    for r in [pool_target_spec(&p), pool_cost_spec(&p)] {
        match r {
            Ok(s) => specs.push(s),
            Err(s) => skipped.push(s),
        }
    }
    let charts = render_all(specs, skipped)?;
    let page = pool_html(&p, &charts);
    Ok(write_report(dir, charts, &page)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::{HEIGHT, WIDTH};
    use crate::report::compare_report::css;
    use crate::report::testing::{check_svg, png_size, report_bytes};

    /// A figure's value at a point: (mean, half-width), `None` where undefined.
    type Value = Option<(f64, Option<f64>)>;

    /// A sweep folder: sweep.json for `axes` (key, label, values, numeric), `classes` and
    /// `targets`, and sweep.csv with `value(point's value indices, group, figure)`.
    fn write_sweep(
        dir: &Path,
        axes: &[(&str, &str, &[&str], bool)],
        classes: &[&str],
        targets: &[(&str, f64)],
        replications: u64,
        value: impl Fn(&[usize], &str, Figure) -> Value,
    ) {
        let points: usize = axes.iter().map(|a| a.2.len()).product();
        let json = serde_json::json!({
            "kind": "sweep",
            "version": "0.1.0",
            "scenario": "scenarios/default.toml",
            "name": "default",
            "seed": 1,
            "replications": replications,
            "axes": axes.iter().map(|(k, l, v, n)| serde_json::json!({"key": k, "label": l, "values": v, "numeric": n})).collect::<Vec<_>>(),
            "points": points,
            "classes": classes,
            "targets": targets.iter().map(|(c, t)| (c.to_string(), serde_json::json!(t))).collect::<serde_json::Map<_, _>>(),
            "a_key_from_a_newer_version": [1, 2],
        });
        fs::write(dir.join("sweep.json"), serde_json::to_string_pretty(&json).unwrap()).unwrap();
        let info = read_sweep_json(&dir.join("sweep.json")).unwrap();
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(sweep_header(&info)).unwrap();
        for p in 0..points {
            let coords = grid_coords(&info.axes, p);
            for g in std::iter::once(ALL).chain(classes.iter().copied()) {
                let mut rec = vec![p.to_string()];
                rec.extend(axes.iter().zip(&coords).map(|(a, c)| a.2[*c].to_string()));
                rec.push(g.to_string());
                rec.push(replications.to_string());
                for f in Figure::ALL {
                    let v = value(&coords, g, f);
                    rec.push(v.map_or(String::new(), |v| v.0.to_string()));
                    rec.push(v.and_then(|v| v.1).map_or(String::new(), |c| c.to_string()));
                }
                w.write_record(&rec).unwrap();
            }
        }
        fs::write(dir.join("sweep.csv"), w.into_inner().unwrap()).unwrap();
    }

    const NODES: [&str; 8] = ["2", "4", "6", "8", "10", "12", "14", "16"];
    const BACKFILL: [&str; 2] = ["easy", "conservative"];
    const CLASSES: [&str; 3] = ["batch", "debug", "interactive"];
    const TARGETS: [(&str, f64); 3] = [("interactive", 60.0), ("batch", 14400.0), ("debug", 600.0)];

    /// Plausible figures of moving `k` of 200 nodes into an interactive pool, under backfill
    /// policy `pol` (conservative makes batch wait a little longer; the interactive pool,
    /// a partition of its own, does not notice): intervals shrink as the pool grows.
    fn plausible(k: f64, pol: f64, group: &str, f: Figure) -> Value {
        let rho = 150.0 / (200.0 - k);
        let batch_wait = 3600.0 * rho / (1.0 - rho) * (1.0 + 0.08 * pol);
        let inter_wait = 5.0 + 900.0 * (-k / 2.2).exp();
        let wide = 1.0 / k.sqrt();
        let (wait, n) = match group {
            "batch" => (batch_wait, 500.0),
            "debug" => (120.0 + 0.02 * batch_wait, 300.0),
            "interactive" => (inter_wait, 2000.0),
            _ => ((500.0 * batch_wait + 300.0 * (120.0 + 0.02 * batch_wait) + 2000.0 * inter_wait) / 2800.0, 2800.0),
        };
        let spread = if group == "interactive" { 0.3 * wide } else { 0.06 };
        let est = |m: f64, rel: f64| Some((m, Some(m * rel)));
        match (f, group) {
            (Figure::Jobs, _) => Some((n, Some(n * 0.02))),
            (Figure::MeanWait, _) => est(wait, spread),
            (Figure::MedianWait, _) => est(0.4 * wait, spread),
            (Figure::P95Wait, _) => est(3.5 * wait + 10.0, spread),
            (Figure::P99Wait, _) => est(6.0 * wait + 20.0, spread),
            (Figure::WithinTarget | Figure::Abandonment, ALL) => None,
            (Figure::WithinTarget, "interactive") => Some((1.0 - 0.9 * (-k / 2.5).exp(), Some(0.05 * wide))),
            (Figure::WithinTarget, "batch") => Some((0.9 - 0.6 * (rho - 0.7) - 0.02 * pol, Some(0.01))),
            (Figure::WithinTarget, _) => Some((0.97 - 0.1 * (rho - 0.75), Some(0.01))),
            (Figure::Abandonment, "interactive") => Some((0.3 * (-k / 2.5).exp(), Some(0.02 * wide))),
            (Figure::Abandonment, "debug") => Some((0.01, Some(0.003))),
            (Figure::Abandonment, _) => Some((0.0, Some(0.0))),
            (Figure::MeanBsld, _) => est(1.0 + wait / 3600.0, 0.05),
            (Figure::Utilisation, "interactive") => Some(((4.5 / k).min(0.96), Some(0.02))),
            (Figure::Utilisation, ALL) => Some(((rho * (200.0 - k) + 4.5f64.min(0.96 * k)) / 200.0, Some(0.004))),
            (Figure::Utilisation, _) => Some((rho * 0.98 - 0.01 * pol, Some(0.004))),
            (Figure::FinishedPerDay, "batch") => est(48.0 - 0.05 * k - 0.5 * pol, 0.02),
            (Figure::FinishedPerDay, "debug") => est(30.0, 0.02),
            (Figure::FinishedPerDay, "interactive") => est(240.0 * (1.0 - 0.3 * (-k / 2.5).exp()), 0.02),
            (Figure::FinishedPerDay, _) => est(318.0 - 72.0 * (-k / 2.5).exp(), 0.02),
            (Figure::LoginKillRate, _) => None,
        }
    }

    /// 8 pool sizes × 2 backfill policies, 3 classes, 10 replications.
    fn realistic_sweep(dir: &Path) {
        let axes: [(&str, &str, &[&str], bool); 2] = [
            ("cluster.nodes[inter].count", "interactive nodes (moved from cpu)", &NODES, true),
            ("policy.backfill", "policy.backfill", &BACKFILL, false),
        ];
        write_sweep(dir, &axes, &CLASSES, &TARGETS, 10, |c, g, f| {
            plausible(NODES[c[0]].parse().unwrap(), c[1] as f64, g, f)
        });
    }

    /// The pool sizes alone, one axis.
    fn one_axis_sweep(dir: &Path) {
        let axes: [(&str, &str, &[&str], bool); 1] =
            [("cluster.nodes[inter].count", "interactive nodes (moved from cpu)", &NODES, true)];
        write_sweep(dir, &axes, &CLASSES, &TARGETS, 10, |c, g, f| plausible(NODES[c[0]].parse().unwrap(), 0.0, g, f));
    }

    fn tempdir() -> tempfile::TempDir {
        tempfile::tempdir().expect("temporary directory")
    }

    fn err_of(r: Result<SweepData, SweepReportError>) -> String {
        r.expect_err("the folder should be refused").to_string()
    }

    /// The sweep.csv of `dir` with `edit` applied to its lines.
    fn edit_csv(dir: &Path, edit: impl FnOnce(&mut Vec<String>)) {
        let path = dir.join("sweep.csv");
        let mut lines: Vec<String> = fs::read_to_string(&path).unwrap().lines().map(str::to_string).collect();
        edit(&mut lines);
        fs::write(&path, lines.join("\n") + "\n").unwrap();
    }

    #[test]
    fn a_realistic_sweep_reads_back_as_written() {
        let dir = tempdir();
        realistic_sweep(dir.path());
        let d = read_sweep(dir.path()).unwrap();
        assert_eq!(d.info.points, 16);
        assert_eq!(d.rows.len(), 16 * 4);
        assert_eq!(d.groups(), ["all", "batch", "debug", "interactive"]);
        assert_eq!(d.info.targets.get("debug"), Some(&600.0));
        // Point 3 is 4 nodes (the last axis varies fastest), conservative.
        let r = d.row(3, 3);
        assert_eq!(
            (r.point, r.values.as_slice(), r.class.as_str()),
            (3, &["4".to_string(), "conservative".into()][..], "interactive")
        );
        assert_eq!(d.coords(3), [1, 1]);
        assert_eq!(d.point_at(&[1, 1]), 3);
        let e = r.get(Figure::MeanWait).unwrap();
        assert!((e.mean - (5.0 + 900.0 * (-4.0f64 / 2.2).exp())).abs() < 1e-9, "{e:?}");
        assert!(e.ci.unwrap() > 0.0);
        assert_eq!(d.row(3, 0).get(Figure::WithinTarget), None, "undefined stays undefined");
        assert_eq!(r.get(Figure::LoginKillRate), None);
    }

    #[test]
    fn quoted_axis_values_with_commas_are_read() {
        let dir = tempdir();
        let values: &[&str] = &["fcfs", "multifactor[age=1,fairshare=2]"];
        write_sweep(dir.path(), &[("policy.order", "queue order", values, false)], &["batch"], &[], 1, |_, _, f| {
            (f == Figure::MeanWait).then_some((60.0, None))
        });
        let text = fs::read_to_string(dir.path().join("sweep.csv")).unwrap();
        assert!(text.contains("\"multifactor[age=1,fairshare=2]\""), "{text}");
        // Blank lines (a trailing one, as editors leave) are no rows.
        fs::write(dir.path().join("sweep.csv"), format!("{text}\n\n")).unwrap();
        let d = read_sweep(dir.path()).unwrap();
        assert_eq!(d.rows[2].values, ["multifactor[age=1,fairshare=2]"]);
        assert_eq!(d.rows[2].get(Figure::MeanWait), Some(Estimate { mean: 60.0, ci: None }));
    }

    #[test]
    fn a_wrong_header_is_refused_naming_file_line_and_column() {
        let dir = tempdir();
        realistic_sweep(dir.path());
        edit_csv(dir.path(), |l| l[0] = l[0].replacen(",class,", ",klass,", 1));
        let e = err_of(read_sweep(dir.path()));
        assert!(e.contains("sweep.csv:1: field `class`: column 4 of the header is `klass`, expected `class`"), "{e}");
        // An axis the header does not follow.
        realistic_sweep(dir.path());
        edit_csv(dir.path(), |l| l[0] = l[0].replacen("policy.backfill", "policy.order", 1));
        let e = err_of(read_sweep(dir.path()));
        assert!(e.contains("sweep.csv:1: field `policy.backfill`: column 3"), "{e}");
        // A column too many.
        realistic_sweep(dir.path());
        edit_csv(dir.path(), |l| l[0].push_str(",extra"));
        let e = err_of(read_sweep(dir.path()));
        assert!(e.contains("sweep.csv:1: field `extra`: the header has 28 columns, expected 27"), "{e}");
    }

    #[test]
    fn an_unknown_axis_value_is_refused_naming_its_line() {
        let dir = tempdir();
        realistic_sweep(dir.path());
        // Line 3 is point 0's batch row: 2 nodes, easy.
        edit_csv(dir.path(), |l| l[2] = l[2].replacen(",easy,", ",fast,", 1));
        let e = err_of(read_sweep(dir.path()));
        assert!(
            e.contains("sweep.csv:3: field `policy.backfill`: `fast` is not one of the axis's values in sweep.json (easy, conservative)"),
            "{e}"
        );
        // A known value in the wrong place.
        realistic_sweep(dir.path());
        edit_csv(dir.path(), |l| l[2] = l[2].replacen("0,2,", "0,4,", 1));
        let e = err_of(read_sweep(dir.path()));
        assert!(e.contains("sweep.csv:3: field `cluster.nodes[inter].count`: point 0 has `2`"), "{e}");
    }

    #[test]
    fn a_missing_row_is_refused_naming_where() {
        let dir = tempdir();
        realistic_sweep(dir.path());
        edit_csv(dir.path(), |l| {
            l.pop();
        });
        let e = err_of(read_sweep(dir.path()));
        assert!(
            e.contains("sweep.csv:65: missing rows: found 63, expected 16 points × 4 rows (all, then each class) = 64; the first missing is point 15, class `interactive`"),
            "{e}"
        );
        // A row missing in the middle: the next one is out of place.
        realistic_sweep(dir.path());
        edit_csv(dir.path(), |l| {
            l.remove(6);
        });
        let e = err_of(read_sweep(dir.path()));
        assert!(e.contains("sweep.csv:7: field `class`: expected `batch` for point 1, found `debug`"), "{e}");
        assert!(e.contains("a row is missing or out of order"), "{e}");
        // And one too many.
        realistic_sweep(dir.path());
        edit_csv(dir.path(), |l| {
            let last = l.last().unwrap().clone();
            l.push(last);
        });
        let e = err_of(read_sweep(dir.path()));
        assert!(e.contains("sweep.csv:66: one row too many"), "{e}");
    }

    #[test]
    fn a_field_that_is_not_a_number_is_refused_naming_its_column() {
        let dir = tempdir();
        realistic_sweep(dir.path());
        let bad_field = |l: &mut Vec<String>, col: usize, text: &str| {
            let mut f: Vec<String> = l[4].split(',').map(str::to_string).collect();
            f[col] = text.to_string();
            l[4] = f.join(",");
        };
        // Line 5 is point 0's interactive row; p95_wait_mean is column 12 (0-based 11).
        edit_csv(dir.path(), |l| bad_field(l, 11, "soon"));
        let e = err_of(read_sweep(dir.path()));
        assert!(e.contains("sweep.csv:5: field `p95_wait_mean`: expected a number, found `soon`"), "{e}");
        realistic_sweep(dir.path());
        edit_csv(dir.path(), |l| bad_field(l, 4, "ten"));
        let e = err_of(read_sweep(dir.path()));
        assert!(e.contains("sweep.csv:5: field `replications`: expected a whole number, found `ten`"), "{e}");
        // A share written as a percentage.
        realistic_sweep(dir.path());
        edit_csv(dir.path(), |l| bad_field(l, 15, "95.1"));
        let e = err_of(read_sweep(dir.path()));
        assert!(e.contains("sweep.csv:5: field `within_target_mean`: a share lies in [0, 1], found 95.1"), "{e}");
        // A half-width without a mean.
        realistic_sweep(dir.path());
        edit_csv(dir.path(), |l| bad_field(l, 11, ""));
        let e = err_of(read_sweep(dir.path()));
        assert!(e.contains("sweep.csv:5: field `p95_wait_ci`: a confidence half-width"), "{e}");
    }

    #[test]
    fn a_bad_sweep_json_is_refused_naming_its_field() {
        let dir = tempdir();
        realistic_sweep(dir.path());
        let path = dir.path().join("sweep.json");
        let good = fs::read_to_string(&path).unwrap();
        fs::write(&path, good.replace("\"points\": 16", "\"points\": 15")).unwrap();
        let e = err_of(read_sweep(dir.path()));
        assert!(
            e.contains("sweep.json: field `points`: 15 points, but the axes' values make a grid of 8 × 2 = 16"),
            "{e}"
        );
        fs::write(&path, good.replace("\"replications\": 10", "\"replications\": \"ten\"")).unwrap();
        let e = err_of(read_sweep(dir.path()));
        let line = good.lines().position(|l| l.contains("\"replications\"")).unwrap() + 1;
        assert!(e.contains(&format!("sweep.json:{line}: field `replications`: invalid type")), "{e}");
        fs::write(&path, good.replace("\"seed\": 1", "\"seed\": \"one\"")).unwrap();
        let e = err_of(read_sweep(dir.path()));
        let line = good.lines().position(|l| l.contains("\"seed\"")).unwrap() + 1;
        assert!(e.contains(&format!("sweep.json:{line}: field `seed`: invalid type")), "{e}");
        fs::write(&path, good.replace("\"kind\": \"sweep\"", "\"kind\": \"compare\"")).unwrap();
        let e = err_of(read_sweep(dir.path()));
        assert!(e.contains("sweep.json: field `kind`: expected \"sweep\", found \"compare\""), "{e}");
        fs::write(&path, good.replacen("\"4\"", "\"four\"", 1)).unwrap();
        let e = err_of(read_sweep(dir.path()));
        assert!(e.contains("field `axes[0].values[1]`: `four` is not a number, but the axis is marked numeric"), "{e}");
        fs::remove_file(&path).unwrap();
        let e = err_of(read_sweep(dir.path()));
        assert!(e.contains("not a sweep folder: no sweep.json"), "{e}");
    }

    /// The point counts of the data lines drawn in `colour` (2-pixel polylines of more than
    /// two points in the plot area: legend marks, grid lines and dashes have two, markers are 1 pixel).
    fn lines_of(svg: &str, colour: RGBColor) -> Vec<usize> {
        let doc = check_svg(svg, "chart");
        let stroke = css(colour).to_uppercase();
        doc.descendants()
            .filter(|n| n.tag_name().name() == "polyline" && n.attribute("stroke-width") == Some("2"))
            .filter(|n| n.attribute("stroke") == Some(stroke.as_str()))
            .map(|n| n.attribute("points").unwrap_or("").split_whitespace().count())
            .filter(|k| *k > 2)
            .collect()
    }

    /// Every text of an SVG, joined.
    fn svg_text(svg: &str) -> String {
        let doc = check_svg(svg, "chart");
        let texts = doc.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).map(str::trim);
        texts.filter(|t| !t.is_empty()).collect::<Vec<_>>().join("|")
    }

    fn check_png(bytes: &[u8], what: &str) {
        assert_eq!(png_size(bytes), (WIDTH, HEIGHT), "{what}");
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT), "{what}");
        assert!(buf.iter().any(|&b| b < 128), "{what}: blank PNG");
    }

    #[test]
    fn a_sweep_gets_every_chart_as_svg_and_png() {
        let dir = tempdir();
        realistic_sweep(dir.path());
        let files = build_sweep_report(dir.path()).unwrap();
        let mut want = Vec::new();
        for f in HEADLINE {
            for g in ["all", "batch", "debug", "interactive"] {
                // sweep.csv leaves the share within target and abandonment of all jobs undefined.
                if g != "all" || !matches!(f, Figure::WithinTarget | Figure::Abandonment) {
                    want.push(format!("sweep_{}_{g}", f.name()));
                }
            }
        }
        let names: Vec<&str> = files.charts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, want);
        let skipped: Vec<(&str, &str)> = files.skipped.iter().map(|s| (s.name.as_str(), s.reason.as_str())).collect();
        assert_eq!(
            skipped,
            [
                ("sweep_within_target_all", "sweep.csv defines no within_target for all jobs"),
                ("sweep_abandonment_all", "sweep.csv defines no abandonment for all jobs")
            ]
        );
        for c in &files.charts {
            assert_eq!(c.svg, dir.path().join("charts").join(format!("{}.svg", c.name)));
            let svg = fs::read_to_string(&c.svg).unwrap();
            let text = svg_text(&svg);
            for label in ["policy.backfill", "easy", "conservative", "interactive nodes (moved from cpu)"] {
                assert!(text.contains(label), "{}: {label} not named", c.name);
            }
            // One line per backfill policy, through all 8 pool sizes.
            assert_eq!(lines_of(&svg, PALETTE[0]), [8], "{}", c.name);
            assert_eq!(lines_of(&svg, PALETTE[1]), [8], "{}", c.name);
            check_png(&fs::read(&c.png).unwrap(), &c.name);
        }
        // The interactive pool does not notice the backfill policy: the two lines coincide, and
        // the caption says so.
        let wait = files.charts.iter().find(|c| c.name == "sweep_p95_wait_interactive").unwrap();
        let html = fs::read_to_string(&files.html).unwrap();
        let at = html.find("id=\"chart-sweep_p95_wait_interactive\"").unwrap();
        let figure = &html[at..at + html[at..].find("</figure>").unwrap()];
        assert!(figure.contains("easy and conservative coincide"), "{}", wait.name);
        let text = svg_text(&fs::read_to_string(&wait.svg).unwrap());
        assert!(text.contains("interactive target") && text.contains("1 min"), "{text}");
        // The legend says which line lies under which; easy's circles are all drawn, and
        // conservative's squares, drawn later, are smaller: they sit inside them.
        assert!(text.contains("conservative|(=\u{a0}easy)"), "{text}");
        let svg = fs::read_to_string(&wait.svg).unwrap();
        let doc = check_svg(&svg, &wait.name);
        let circles = doc.descendants().filter(|n| n.tag_name().name() == "circle" && n.attribute("r") == Some("6"));
        assert_eq!(circles.count(), 8 + 1, "one a pool size, and the legend's");
        let red = css(PALETTE[1]).to_uppercase();
        let widths: Vec<i32> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "polyline" && n.attribute("stroke") == Some(red.as_str()))
            .filter_map(|n| {
                let xs: Vec<i32> = n
                    .attribute("points")?
                    .split_whitespace()
                    .filter_map(|p| p.split(',').next()?.parse().ok())
                    .collect();
                (xs.len() == 5).then(|| xs.iter().max().unwrap() - xs.iter().min().unwrap())
            })
            .collect();
        // Each square is two outlines: 6 and 4 pixels wide in the chart, 10 and 8 in the legend.
        assert_eq!(widths.iter().filter(|w| **w == 6).count(), 8, "{widths:?}");
        assert_eq!(widths.iter().filter(|w| **w == 10).count(), 1, "{widths:?}");
    }

    #[test]
    fn the_sweep_page_names_every_axis_value_and_the_figures() {
        let dir = tempdir();
        realistic_sweep(dir.path());
        let files = build_sweep_report(dir.path()).unwrap();
        let html = fs::read_to_string(&files.html).unwrap();
        crate::report::testing::assert_self_contained(&html);
        assert!(html.contains("<h1>schedsim report: default, sweep of 16 points</h1>"));
        for v in NODES.iter().chain(&BACKFILL) {
            assert!(html.contains(&format!("<td>{v}</td>")), "axis value {v} not in the table");
        }
        assert!(html.contains("2, 4, 6, 8, 10, 12, 14, 16") && html.contains("easy, conservative"));
        for fact in [
            "cluster.nodes[inter].count",
            "scenarios/default.toml",
            "<tr><td>seed</td><td>1</td></tr>",
            "<tr><td>replications a point</td><td>10</td></tr>",
            "interactive (wait target 1 min)",
            "<h3>all jobs</h3>",
            "<h3>interactive</h3>",
            "Differences whose 95% intervals overlap are not marked as better",
        ] {
            assert!(html.contains(fact), "report.html lacks {fact}");
        }
        // Point 0's interactive mean wait, with its half-width, in the table.
        let d = read_sweep(dir.path()).unwrap();
        let e = d.row(0, 3).get(Figure::MeanWait).unwrap();
        assert!(html.contains(&Figure::MeanWait.estimate_text(e)), "{}", Figure::MeanWait.estimate_text(e));
        assert_eq!(html.matches("<figure class=\"chart\"").count(), files.charts.len());
        for c in &files.charts {
            let at = html.find(&format!("<figure class=\"chart\" id=\"chart-{}\">", c.name)).unwrap();
            assert!(
                html[at..].starts_with(&format!("<figure class=\"chart\" id=\"chart-{}\">\n<svg role=\"img\"", c.name))
            );
        }
        assert!(html.contains("Started within target, all jobs: sweep.csv defines no within_target for all jobs."));
    }

    #[test]
    fn building_twice_gives_byte_identical_files() {
        let (a, b) = (tempdir(), tempdir());
        realistic_sweep(a.path());
        realistic_sweep(b.path());
        let first = build_sweep_report(a.path()).unwrap();
        let once = report_bytes(a.path(), &first);
        let again = report_bytes(a.path(), &build_sweep_report(a.path()).unwrap());
        let elsewhere = report_bytes(b.path(), &build_sweep_report(b.path()).unwrap());
        assert_eq!(once.len(), 1 + 2 * first.charts.len());
        assert_eq!(once, again, "rebuilding changed a file");
        assert_eq!(once, elsewhere, "another folder gave other files");
        // And other figures give another page.
        let c = tempdir();
        one_axis_sweep(c.path());
        let other = report_bytes(c.path(), &build_sweep_report(c.path()).unwrap());
        assert_ne!(once[0].1, other[0].1);
        // The same for a pool sizing.
        write_size_pool(a.path(), &POOL_SIZES, None);
        write_size_pool(b.path(), &POOL_SIZES, None);
        let first = build_size_pool_report(a.path()).unwrap();
        let once = report_bytes(a.path(), &first);
        assert_eq!(once, report_bytes(a.path(), &build_size_pool_report(a.path()).unwrap()));
        assert_eq!(once, report_bytes(b.path(), &build_size_pool_report(b.path()).unwrap()));
    }

    #[test]
    fn undefined_figures_are_not_drawn_as_zero() {
        // Batch has no wait target (so no share within it) and no abandonment at 8 and 12 nodes.
        let dir = tempdir();
        let nodes: &[&str] = &["2", "4", "6", "8", "10", "12", "14"];
        let axes: [(&str, &str, &[&str], bool); 1] = [("cluster.nodes[inter].count", "interactive nodes", nodes, true)];
        write_sweep(dir.path(), &axes, &["batch", "interactive"], &[("interactive", 60.0)], 5, |c, g, f| {
            match (g, f) {
                ("batch", Figure::WithinTarget) => None,
                ("batch", Figure::Abandonment) if ["8", "12"].contains(&nodes[c[0]]) => None,
                ("batch", Figure::Abandonment) => Some((0.02, Some(0.005))),
                _ => plausible(nodes[c[0]].parse().unwrap(), 0.0, g, f),
            }
        });
        let files = build_sweep_report(dir.path()).unwrap();
        let svg = |name: &str| fs::read_to_string(dir.path().join(format!("charts/{name}.svg"))).unwrap();
        let (batch, inter) = (class_colour("batch", 0), class_colour("interactive", 1));

        let within = svg("sweep_within_target");
        assert_eq!(lines_of(&within, inter), [7]);
        assert!(lines_of(&within, batch).is_empty(), "batch has no share within target: no line");
        let text = svg_text(&within);
        assert!(text.contains("interactive (within|1 min)") && !text.contains("batch"), "{text}");

        let wait = svg("sweep_mean_wait");
        let text = svg_text(&wait);
        assert!(text.contains("interactive target") && !text.contains("batch target"), "{text}");
        assert_eq!(lines_of(&wait, batch), [7]);

        // The gaps at 8 and 12 nodes leave a line through 2, 4, 6 and, at 10 and 14, points
        // alone, with a bar for their interval as they have no neighbour to make a band with.
        let gone = svg("sweep_abandonment");
        assert_eq!(lines_of(&gone, batch), [3]);
        let doc = check_svg(&gone, "sweep_abandonment");
        let stroke = css(batch).to_uppercase();
        let bars = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "polyline" && n.attribute("stroke") == Some(stroke.as_str()))
            .filter(|n| {
                let pts: Vec<&str> = n.attribute("points").unwrap_or("").split_whitespace().collect();
                let x = |p: &str| p.split(',').next().map(str::to_string);
                pts.len() == 2 && x(pts[0]) == x(pts[1]) && pts[0] != pts[1]
            })
            .count();
        assert_eq!(bars, 2, "a bar at 10 and at 14 nodes");
        let html = fs::read_to_string(&files.html).unwrap();
        let at = html.find("id=\"chart-sweep_abandonment\"").unwrap();
        assert!(html[at..].contains("A gap is a point where the figure is not defined."));
        // In the table, an undefined figure is a dash, not 0.
        let batch_table = &html[html.find("<h3>batch</h3>").unwrap()..html.find("<h3>interactive</h3>").unwrap()];
        let row8 = batch_table.lines().find(|l| l.starts_with("<tr><td>8</td>")).unwrap();
        assert!(row8.contains("<td>—</td>"), "{row8}");
        assert!(!batch_table.contains(">started within target<"), "a column with nothing defined is left out");
        // login_kill_rate is defined nowhere: no column for it.
        assert!(!html.contains("login-node kill rate"));
    }

    #[test]
    fn a_pool_sizing_states_its_answer_in_the_first_paragraph() {
        let dir = tempdir();
        write_size_pool(dir.path(), &POOL_SIZES, None);
        let files = build_size_pool_report(dir.path()).unwrap();
        let names: Vec<&str> = files.charts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["size_pool_target", "size_pool_cost"]);
        for c in &files.charts {
            check_png(&fs::read(&c.png).unwrap(), &c.name);
        }
        let html = fs::read_to_string(&files.html).unwrap();
        crate::report::testing::assert_self_contained(&html);
        let first = &html[html.find("<p").unwrap()..];
        let first = &first[..first.find("</p>").unwrap()];
        assert_eq!(
            first,
            "<p class=\"best\" id=\"answer\">6 inter nodes (moved from cpu) are the fewest that meet \
             interactive.within_target&gt;=0.95 with 95% confidence; from 5 to 6 nodes, each node moved raises batch \
             utilisation by about 0.4 points and adds about 12 min to its mean wait, though the 95% intervals of \
             batch utilisation and mean wait at 5 and 6 nodes overlap, so this difference is within the noise of the \
             replications."
        );
        assert!(html.contains(
            "The search tried 7 of the 195 possible sizes, in 70 runs; a full grid of every size at \
                               10 replications would have taken 1,950 runs."
        ));
        assert!(html.contains("<td class=\"best\">6 (answer)</td>"));
        for k in POOL_SIZES {
            assert!(html.contains(&format!("<tr><td>{k}</td>")) || k == 6, "size {k} not in the table");
        }
        let target = svg_text(&fs::read_to_string(&files.charts[0].svg).unwrap());
        for t in ["answer: 6 nodes", "target ≥ 95%", "meets the target", "fails the target", "k=5: 92.8%–94.8%", "k=6:"]
        {
            assert!(target.contains(t), "{t} not in: {target}");
        }
        let cost =
            check_svg(&fs::read_to_string(&files.charts[1].svg).unwrap(), "cost").root_element().children().count();
        assert!(cost > 0);
        let cost = svg_text(&fs::read_to_string(&files.charts[1].svg).unwrap());
        assert!(cost.contains("batch utilisation") && cost.contains("batch mean wait"), "{cost}");
    }

    #[test]
    fn a_pool_sizing_without_answer_says_why() {
        let dir = tempdir();
        write_size_pool(dir.path(), &[1, 2, 3], Some("even 3 nodes, the most tried, leave it below 0.95."));
        let files = build_size_pool_report(dir.path()).unwrap();
        let html = fs::read_to_string(&files.html).unwrap();
        assert!(html.contains(
            "<p class=\"best\" id=\"answer\">No size tried of the inter pool (nodes moved from cpu) meets \
             interactive.within_target&gt;=0.95 with 95% confidence: even 3 nodes, the most tried, leave it below 0.95.</p>"
        ));
        let target = svg_text(&fs::read_to_string(&files.charts[0].svg).unwrap());
        assert!(!target.contains("answer:") && !target.contains("meets the target"), "{target}");
        assert!(target.contains("k=3: 80.1%–82.1%"), "{target}");
    }

    #[test]
    fn a_bad_size_pool_json_is_refused_naming_its_field() {
        let dir = tempdir();
        write_size_pool(dir.path(), &POOL_SIZES, None);
        let path = dir.path().join("size-pool.json");
        let good = fs::read_to_string(&path).unwrap();
        let err = |text: String| {
            fs::write(&path, text).unwrap();
            read_size_pool(dir.path()).expect_err("should be refused").to_string()
        };
        let e = err(good.replace("\"answer\": 6", "\"answer\": 7"));
        assert!(e.contains("size-pool.json: field `answer`: 7 is not among the sizes tried"), "{e}");
        let e = err(good.replace("\"answer\": 6", "\"answer\": 5"));
        assert!(e.contains("field `answer`: size 5 is listed as not meeting the targets"), "{e}");
        let e = err(good.replace("\"figure\": \"within_target\"", "\"figure\": \"happiness\""));
        assert!(e.contains("field `targets[0].figure`: `happiness` is not a figure"), "{e}");
        let e = err(good.replace("\"op\": \">=\"", "\"op\": \">\""));
        assert!(e.contains("field `targets[0].op`: expected `<=` or `>=`, found `>`"), "{e}");
        let e = err(good.replacen("\"k\": 2,", "\"k\": 1,", 1));
        assert!(e.contains("field `sizes[1].k`: 1 after 1: sizes are listed once each, smallest first"), "{e}");
        let line = good.lines().position(|l| l.contains("\"runs\"")).unwrap() + 1;
        let e = err(good.replace("\"runs\": 70", "\"runs\": \"many\""));
        assert!(e.contains(&format!("size-pool.json:{line}: field `runs`: invalid type")), "{e}");
        let e = err(good.replace("\"kind\": \"size-pool\"", "\"kind\": \"sweep\""));
        assert!(e.contains("field `kind`: expected \"size-pool\", found \"sweep\""), "{e}");
    }

    #[test]
    fn share_axes_run_from_0_to_100_unless_the_values_are_close() {
        let (a, note) = value_axis(Kind::Share, "share", &[0.2, 0.9], &[], &[]);
        assert_eq!((a.ticks.lo, a.ticks.hi, note), (0.0, 1.0, None));
        let (a, note) = value_axis(Kind::Share, "share", &[0.72, 0.8], &[0.715, 0.805], &[]);
        assert!(
            a.ticks.lo > 0.6 && a.ticks.lo <= 0.7 + 1e-9 && a.ticks.hi >= 0.805 && a.ticks.hi < 0.9,
            "{:?}",
            a.ticks
        );
        assert!(note.unwrap().contains("not over all of 0–100%"));
        assert!(a.desc.contains("axis"), "{}", a.desc);
        // A target the axis must show.
        let (a, _) = value_axis(Kind::Share, "share", &[0.72, 0.8], &[], &[0.95]);
        assert!(a.contains(0.95), "{:?}", a.ticks);
    }

    #[test]
    fn wait_axes_turn_logarithmic_only_over_a_wide_span() {
        let (a, _) = value_axis(Kind::Wait, "wait", &[600.0, 3000.0], &[], &[]);
        assert!(!a.ticks.log && a.ticks.lo == 0.0, "{:?}", a.ticks);
        assert!(matches!(a.fmt, Fmt::Duration(60.0, "min")), "{:?}", a.fmt);
        let (a, _) = value_axis(Kind::Wait, "wait", &[5.0, 14400.0], &[], &[60.0]);
        assert!(a.ticks.log && a.contains(5.0) && a.contains(14400.0), "{:?}", a.ticks);
        assert!(a.ticks.ticks.len() >= 4, "{:?}", a.ticks.ticks);
        // A target far above the waits is left off rather than flattening them.
        let (a, _) = value_axis(Kind::Wait, "wait", &[600.0, 900.0], &[], &[14400.0]);
        assert!(!a.contains(14400.0) && a.ticks.hi < 1200.0, "{:?}", a.ticks);
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(nice_ticks(0.0, 1.0, 5), [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
        assert_eq!(nice_ticks(0.0, 95.0, 6), [0.0, 20.0, 40.0, 60.0, 80.0]);
        assert_eq!(nice_ticks(3.0, 3.0, 5), [3.0]);
        // Crowded values give round ticks; spread ones are ticked themselves.
        let a = numeric_axis(&[2.0, 4.0, 6.0, 8.0], "k", false, None);
        assert_eq!(a.ticks.ticks, [2.0, 4.0, 6.0, 8.0]);
        let a = numeric_axis(&[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0], "k", true, Some(8.0));
        assert!(a.ticks.log && a.desc.ends_with("(log scale)"));
        assert!(a.ticks.ticks.contains(&8.0) && a.ticks.ticks.contains(&128.0), "{:?}", a.ticks.ticks);
    }

    #[test]
    fn only_values_whose_interval_overlaps_the_best_are_marked() {
        let e = |mean: f64, ci: f64| Some(Estimate { mean, ci: Some(ci) });
        // Lower waits are better: 100 ± 10 is best; 115 ± 6 overlaps it, 130 ± 5 does not.
        assert_eq!(
            marked(Figure::MeanWait, &[e(130.0, 5.0), e(100.0, 10.0), None, e(115.0, 6.0)]),
            [false, true, false, true]
        );
        // All overlapping: nothing is told apart, nothing marked.
        assert_eq!(marked(Figure::MeanWait, &[e(100.0, 10.0), e(105.0, 10.0)]), [false, false]);
        // Without intervals nothing is marked, nor where no direction is better.
        let bare = |mean: f64| Some(Estimate { mean, ci: None });
        assert_eq!(marked(Figure::MeanWait, &[bare(1.0), bare(9.0)]), [false, false]);
        assert_eq!(marked(Figure::Utilisation, &[e(0.5, 0.01), e(0.9, 0.01)]), [false, false]);
        // Higher is better for the share within target.
        assert_eq!(marked(Figure::WithinTarget, &[e(0.5, 0.01), e(0.9, 0.01)]), [false, true]);
    }

    #[test]
    fn estimates_read_with_their_units() {
        let e = |mean: f64, ci: Option<f64>| Estimate { mean, ci };
        assert_eq!(Figure::MeanWait.estimate_text(e(720.0, Some(40.0))), "12 min ± 40 s");
        assert_eq!(Figure::WithinTarget.estimate_text(e(0.951, Some(0.004))), "95.1 ± 0.4%");
        assert_eq!(Figure::Utilisation.estimate_text(e(0.7, None)), "70%");
        assert_eq!(Figure::Jobs.estimate_text(e(2800.0, Some(56.0))), "2,800 ± 56");
        assert_eq!(signed(Figure::Utilisation, -0.005), "−0.5 pt");
        assert_eq!(signed(Figure::MeanWait, 720.0), "+12 min");
    }

    /// A size-pool folder: sizes `ks` tried (10 replications each) for
    /// `interactive.within_target>=0.95`, the smallest meeting it the answer (or `reason`).
    fn write_size_pool(dir: &Path, ks: &[u64], reason: Option<&str>) {
        let within = |k: f64| 1.0 - (-k / 1.8).exp();
        let util = |k: f64| 137.0 / (196.0 - k);
        let wait = |k: f64| 17000.0 + 720.0 * (k - 1.0);
        let mut sizes = Vec::new();
        let mut answer = None;
        let mut prev: Option<f64> = None;
        for &k in ks {
            let kf = k as f64;
            let (m, ci) = (within(kf), 0.01);
            let meets = m - ci >= 0.95;
            if meets && answer.is_none() && reason.is_none() {
                answer = Some(k);
            }
            let cost = serde_json::json!({
                "batch_utilisation": util(kf),
                "batch_mean_wait": wait(kf),
                "batch_p95_wait": 4.0 * wait(kf),
                "batch_finished_per_day": 48.0 - 0.1 * (kf - 1.0),
            });
            let change = prev.map(|p| {
                let per = |a: f64, b: f64| (a - b) / (kf - p);
                serde_json::json!({
                    "batch_utilisation": per(util(kf), util(p)),
                    "batch_mean_wait": per(wait(kf), wait(p)),
                    "batch_p95_wait": per(4.0 * wait(kf), 4.0 * wait(p)),
                    "batch_finished_per_day": -0.1,
                })
            });
            sizes.push(serde_json::json!({
                "k": k, "replications": 10, "meets": meets,
                "targets": [{"text": "interactive.within_target>=0.95", "mean": m, "ci": ci, "lo": m - ci, "hi": m + ci, "meets": meets}],
                "figures": {
                    "interactive": {"within_target": {"mean": m, "ci": ci}, "p95_wait": {"mean": 900.0 / kf, "ci": 50.0 / kf}, "a_new_figure": {"mean": 1.0}},
                    "batch": {"utilisation": {"mean": util(kf), "ci": 0.004}, "mean_wait": {"mean": wait(kf), "ci": 900.0}, "p95_wait": {"mean": 4.0 * wait(kf), "ci": null}, "finished_per_day": {"mean": 48.0, "ci": 1.0}},
                },
                "cost": cost,
                "change_per_node": change,
            }));
            prev = Some(kf);
        }
        let json = serde_json::json!({
            "kind": "size-pool", "version": "0.1.0", "scenario": "scenarios/default.toml", "name": "default", "seed": 1,
            "move": {"from": "cpu", "to": "inter", "total": 196, "key": "cluster.nodes[inter].count"},
            "targets": [{"text": "interactive.within_target>=0.95", "class": "interactive", "figure": "within_target", "op": ">=", "value": 0.95}],
            "answer": answer, "reason": reason,
            "sizes_tried": ks.len(), "runs": 10 * ks.len(), "full_grid_sizes": 195,
            "sizes": sizes,
        });
        fs::write(dir.join("size-pool.json"), serde_json::to_string_pretty(&json).unwrap()).unwrap();
    }

    /// Sizes tried by a doubling-then-halving search: the answer is 6 (5 fails).
    const POOL_SIZES: [u64; 7] = [1, 2, 4, 5, 6, 8, 16];

    /// Writes the fixtures into `$SWEEP_FIXTURE_DIR` (sweep/, one-axis/, categorical/,
    /// size-pool/, no-answer/) and builds their reports, to look at them.
    #[test]
    #[ignore = "writes fixtures for looking at into $SWEEP_FIXTURE_DIR"]
    fn write_fixtures_to_look_at() {
        let root = PathBuf::from(std::env::var("SWEEP_FIXTURE_DIR").expect("SWEEP_FIXTURE_DIR"));
        let dir = |name: &str| {
            let d = root.join(name);
            fs::create_dir_all(&d).unwrap();
            d
        };
        realistic_sweep(&dir("sweep"));
        build_sweep_report(&dir("sweep")).unwrap();
        one_axis_sweep(&dir("one-axis"));
        build_sweep_report(&dir("one-axis")).unwrap();
        let orders: &[&str] = &["fcfs", "sjf", "multifactor[age=1,fairshare=2]"];
        let axes: [(&str, &str, &[&str], bool); 1] = [("policy.order", "queue order", orders, false)];
        write_sweep(&dir("categorical"), &axes, &CLASSES, &TARGETS, 10, |c, g, f| {
            plausible(4.0 + c[0] as f64, 0.0, g, f)
        });
        build_sweep_report(&dir("categorical")).unwrap();
        write_size_pool(&dir("size-pool"), &POOL_SIZES, None);
        build_size_pool_report(&dir("size-pool")).unwrap();
        write_size_pool(&dir("no-answer"), &[1, 2, 3], Some("even 3 nodes, the most tried, leave it below 0.95."));
        build_size_pool_report(&dir("no-answer")).unwrap();
    }
}
