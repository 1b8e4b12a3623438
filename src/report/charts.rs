//! Charts of one run, drawn with plotters from the files of its directory (see
//! [`super::rundata`]), each written as SVG and PNG of [`WIDTH`] × [`HEIGHT`] pixels into
//! `charts/`:
//!
//! | file stem | what |
//! |---|---|
//! | `utilisation` | busy cores as a share of each partition's cores over time |
//! | `queue` | jobs waiting per class over time |
//! | `wait_cdf` | share of each class's jobs started within a wait (log time axis), class targets as dashed lines |
//! | `wait_by_hour_<class>` | mean wait by hour of the week of submission (classes with ≥ [`HEATMAP_MIN_JOBS`] started jobs) |
//! | `gantt` | node allocations: one bar per job per node range, coloured by class |
//! | `login_load` | active processes per login node over time, cores per login node as a dashed line |
//! | `job_sizes` | per class, the share of jobs and of core-hours by size in cores ([`size_chart`]) |
//!
//! What cannot be read is aggregated before drawing, so a run of hundreds of thousands of
//! jobs still gives small files: time series are averaged into at most [`MAX_POINTS`] bins,
//! a distribution is drawn through at most [`CDF_POINTS`] quantiles, and the Gantt chart
//! shows every job only for runs of at most [`GANTT_MAX_JOBS`] jobs on at most
//! [`GANTT_MAX_NODES`] nodes, otherwise a window that its caption names.
//!
//! Text is laid out with DejaVu Sans, embedded in the binary (no system fonts are looked
//! up), so the same run gives byte-identical files on every machine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use rayon::prelude::*;

#[path = "size_chart.rs"]
mod size_chart;

use super::calendar::{midnight_ticks, Origin};
use super::rundata::{JobRow, Outcome, RunData, Series};
use super::{write_atomic, ReportError};

/// Width of every chart, pixels (SVG user units).
pub const WIDTH: u32 = 1000;
/// Height of every chart, pixels.
pub const HEIGHT: u32 = 560;
/// At most this many points per time-series line.
pub const MAX_POINTS: usize = 2000;
/// Time series are averaged into about this many bins (a bin is then 2 pixels wide or more),
/// each drawn with its lowest and highest sample as a band.
pub const DRAWN_BINS: usize = 400;
/// At most this many quantile points per distribution.
pub const CDF_POINTS: usize = 1000;
/// Classes with fewer started jobs get no wait-by-hour heatmap.
pub const HEATMAP_MIN_JOBS: usize = 200;
/// Hours with a wait needed before the top of a heatmap's scale is their 95th percentile
/// rather than the longest.
const HEATMAP_MIN_WAITED_HOURS: usize = 20;
/// Runs up to this many started jobs (and [`GANTT_MAX_NODES`] nodes) get a full Gantt chart.
pub const GANTT_MAX_JOBS: usize = 2000;
/// Nodes drawn at most in the Gantt chart (the lowest-numbered ones).
pub const GANTT_MAX_NODES: u32 = 256;

/// The family every chart names: the embedded DejaVu Sans the bitmaps are drawn with, which
/// report pages embed (see `html::page_start`) so that an inline SVG looks like its PNG; a
/// standalone SVG falls back to the viewer's sans-serif.
pub(crate) const FONT: &str = "DejaVu Sans, sans-serif";
/// The family name [`FONT`] starts with.
pub(crate) const FONT_FACE: &str = "DejaVu Sans";
pub(crate) const LEGEND_WIDTH: u32 = 180;

/// One chart: where it goes, what it is called, the sentence shown under it, and its two
/// renderings.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// File stem: `charts/<name>.svg` and `charts/<name>.png`.
    pub name: String,
    pub title: String,
    /// One sentence saying what the chart shows.
    pub caption: String,
    pub svg: String,
    pub png: Vec<u8>,
}

/// A chart not drawn for this run, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub name: String,
    pub title: String,
    pub reason: String,
}

/// The charts of one run, in report order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Charts {
    pub charts: Vec<Chart>,
    pub skipped: Vec<Skipped>,
}

/// A chart that could not be drawn (a plotting error; not expected on any input).
#[derive(Debug, thiserror::Error)]
#[error("chart {chart}: {message}")]
pub struct ChartError {
    pub chart: String,
    pub message: String,
}

/// Registers the embedded font once, under the family name every chart uses.
pub(crate) fn fonts() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        // The bytes are a valid font shipped by the `dejavu` crate; a failure would leave text
        // undrawable, which the first chart reports as an error.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

// ---------------------------------------------------------------------------------------
// Colours and formatting

/// A class's colour as CSS (`#rrggbb`), the same as in the charts; `index` is the class's
/// position in [`RunData::classes`].
pub fn class_css_colour(name: &str, index: usize) -> String {
    let c = class_colour(name, index);
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// A class's colour: fixed for the known classes, from a palette for others.
pub(crate) fn class_colour(name: &str, index: usize) -> RGBColor {
    match name {
        "batch" | "all" => RGBColor(31, 119, 180),
        "interactive" => RGBColor(230, 97, 1),
        "debug" => RGBColor(44, 160, 44),
        _ => PALETTE[(index + 3) % PALETTE.len()],
    }
}

pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(23, 190, 207),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(188, 189, 34),
    RGBColor(127, 127, 127),
];

/// A sequential scale from pale yellow (short waits) to dark red (long ones).
fn heat_colour(x: f64) -> RGBColor {
    const STOPS: [(f64, [f64; 3]); 5] = [
        (0.0, [255.0, 255.0, 204.0]),
        (0.25, [254.0, 217.0, 118.0]),
        (0.5, [253.0, 141.0, 60.0]),
        (0.75, [227.0, 26.0, 28.0]),
        (1.0, [128.0, 0.0, 38.0]),
    ];
    let x = if x.is_finite() { x.clamp(0.0, 1.0) } else { 0.0 };
    for w in STOPS.windows(2) {
        let ((a, ca), (b, cb)) = (w[0], w[1]);
        if x <= b {
            let f = (x - a) / (b - a);
            let mix = |i: usize| (ca[i] + (cb[i] - ca[i]) * f).round() as u8;
            return RGBColor(mix(0), mix(1), mix(2));
        }
    }
    RGBColor(128, 0, 38)
}

/// `colour` moved `f` of the way towards white.
fn lighten(c: RGBColor, f: f64) -> RGBColor {
    let m = |v: u8| (f64::from(v) + (255.0 - f64::from(v)) * f).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// A number with at most `digits` decimals, trailing zeros dropped.
pub(crate) fn trim(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A duration in seconds, in the unit a person would use: `45 s`, `12 min`, `3.5 h`, `2 d`, `1.2 yr`.
pub fn fmt_duration(secs: f64) -> String {
    if !secs.is_finite() {
        return "—".to_string();
    }
    let a = secs.abs();
    if a < 60.0 {
        format!("{} s", trim(secs, if a < 10.0 { 1 } else { 0 }))
    } else if a < 3600.0 {
        format!("{} min", trim(secs / 60.0, 1))
    } else if a < 86400.0 {
        format!("{} h", trim(secs / 3600.0, 1))
    } else if a < 365.0 * 86400.0 {
        format!("{} d", trim(secs / 86400.0, if a < 10.0 * 86400.0 { 1 } else { 0 }))
    } else {
        format!("{} yr", trim(secs / (365.0 * 86400.0), 1))
    }
}

/// A count with thousands separators: `202,871`.
pub fn fmt_count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The unit time axes use for a span of `secs`: (seconds per unit, name).
pub(crate) fn time_unit(secs: f64) -> (f64, &'static str) {
    if secs <= 2.0 * 3600.0 {
        (60.0, "minutes")
    } else if secs <= 3.0 * 86400.0 {
        (3600.0, "hours")
    } else {
        (86400.0, "days")
    }
}

/// Averages `(time, value)` samples into at most `max` bins of consecutive samples, keeping
/// each bin's lowest and highest sample so that a peak averaged away can still be drawn;
/// returns `(time, mean, lowest, highest)` per bin and how many samples each bin holds.
fn bin_series(time: &[f64], values: &[f64], max: usize) -> (Vec<(f64, f64, f64, f64)>, usize) {
    let n = time.len().min(values.len());
    let per = n.div_ceil(max.max(1)).max(1);
    let mut out = Vec::with_capacity(n.div_ceil(per));
    let mut i = 0;
    while i < n {
        let j = (i + per).min(n);
        let k = (j - i) as f64;
        let t = time[i..j].iter().sum::<f64>() / k;
        let v = values[i..j].iter().sum::<f64>() / k;
        let lo = values[i..j].iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values[i..j].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if t.is_finite() && v.is_finite() {
            out.push((t, v, lo, hi));
        }
        i = j;
    }
    (out, per)
}

// ---------------------------------------------------------------------------------------
// What each chart draws, prepared from the run once and drawn twice (SVG, PNG).

/// A legend entry in the column at the right of a chart.
#[derive(Clone, Debug)]
pub(crate) struct LegendEntry {
    pub(crate) label: String,
    pub(crate) colour: RGBColor,
    pub(crate) kind: Mark,
}

/// How a legend entry shows its series.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mark {
    Line,
    Dashed,
    Box,
    /// A line through a hollow marker.
    LineMarker(Shape),
    /// A marker alone: filled (`true`) or hollow.
    Marker(Shape, bool),
    /// No mark: the label heads the entries below it.
    Heading,
}

/// The shape of a series' markers. Series told apart by shape as well as colour stay
/// visible where their lines lie on top of each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Circle,
    Square,
    Triangle,
    Diamond,
}

impl Shape {
    pub(crate) const ALL: [Shape; 4] = [Shape::Circle, Shape::Square, Shape::Triangle, Shape::Diamond];
}

/// A marker of `size` (6 in legends) centred on pixel `at` of `area`: filled, or hollow (a
/// 2-pixel outline, clear inside) so that markers of other shapes or sizes drawn on the same
/// spot all keep their outlines.
pub(crate) fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    shape: Shape,
    colour: RGBColor,
    filled: bool,
    size: i32,
) -> DrawResult<DB> {
    let (x, y) = at;
    // Corners of a shape of "radius" r, sized so that the four shapes look about as large.
    let corners = |r: i32| match shape {
        Shape::Circle => Vec::new(),
        Shape::Square => {
            vec![(x - r + 1, y - r + 1), (x + r - 1, y - r + 1), (x + r - 1, y + r - 1), (x - r + 1, y + r - 1)]
        }
        Shape::Triangle => vec![(x, y - r - 2), (x + r + 1, y + r - 1), (x - r - 1, y + r - 1)],
        Shape::Diamond => vec![(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)],
    };
    if filled {
        return match shape {
            Shape::Circle => area.draw(&Circle::new(at, size.max(1) as u32, colour.filled())),
            _ => area.draw(&Polygon::new(corners(size), colour.filled())),
        };
    }
    // Two 1-pixel outlines rather than one of 2 pixels: the bitmap backend's wide lines spike
    // at sharp corners (see `draw_polyline`).
    for r in [size, size - 1].into_iter().filter(|r| *r > 0) {
        let style = ShapeStyle::from(&colour).stroke_width(1);
        match shape {
            Shape::Circle => area.draw(&Circle::new(at, r, style))?,
            _ => {
                let mut path = corners(r);
                path.push(path[0]);
                area.draw(&PathElement::new(path, style))?
            }
        }
    }
    Ok(())
}

#[derive(Clone, Debug)]
struct Line {
    label: String,
    colour: RGBColor,
    points: Vec<(f64, f64)>,
    /// Per bin `(x, lowest, highest)` where the line is a mean over bins: drawn as a pale
    /// band so that a peak the mean flattens stays visible.
    band: Vec<(f64, f64, f64)>,
}

/// Marks each line whose points equal an earlier line's: drawn last it would hide the other
/// (two classes sharing nodes), so its label says so.
fn mark_coinciding(lines: &mut [Line]) {
    for i in 1..lines.len() {
        if let Some(k) = (0..i).find(|&k| lines[k].points == lines[i].points && !lines[i].points.is_empty()) {
            let other = lines[k].label.clone();
            lines[i].label = format!("{} (= {other}, lines coincide)", lines[i].label);
        }
    }
}

/// A stretch of the time axis shaded and labelled (warm-up, drain).
#[derive(Clone, Debug)]
struct Shade {
    x0: f64,
    x1: f64,
    label: &'static str,
}

/// The warm-up and the drain of `run` in time-axis units, for shading.
fn window_shades(run: &RunData, unit: f64, x_range: (f64, f64)) -> Vec<Shade> {
    let win = super::html::Window::of(run);
    let mut out = Vec::new();
    if win.warmup > 0.0 {
        out.push(Shade { x0: x_range.0, x1: (win.warmup / unit).min(x_range.1), label: "warm-up" });
    }
    if win.scenario && win.last_submit / unit < x_range.1 {
        out.push(Shade { x0: win.last_submit / unit, x1: x_range.1, label: "drain" });
    }
    out
}

/// Lines over time (utilisation, queue, login load), with optional dashed horizontal lines.
#[derive(Clone, Debug)]
struct LinesPlot {
    x_desc: String,
    /// Labelled midnights (in axis units) when the run's calendar is known, else numbers.
    x_ticks: Vec<(f64, String)>,
    y_desc: String,
    x_range: (f64, f64),
    y_range: (f64, f64),
    y_percent: bool,
    lines: Vec<Line>,
    hlines: Vec<(String, RGBColor, f64)>,
    shades: Vec<Shade>,
    /// What the pale bands are, for the legend (when any line has one).
    band_label: Option<String>,
}

/// Wait distributions per class on a log time axis.
#[derive(Clone, Debug)]
struct CdfPlot {
    x_max: f64,
    lines: Vec<Line>,
    /// Tail view: the share still waiting after each wait, on a log axis from `y_min` %.
    tail: Option<f64>,
    /// (label, colour, wait target in seconds)
    targets: Vec<(String, RGBColor, f64)>,
}

/// Mean wait by hour of the week.
#[derive(Clone, Debug)]
struct HeatPlot {
    /// `cells[day][hour]`: mean wait (s) of jobs submitted then, `None` if none were.
    cells: [[Option<f64>; 24]; 7],
    lo: f64,
    /// The top of the colour scale: the 95th percentile of the cells with a wait, so that a handful of
    /// cells do not wash out the rest; cells above it are drawn in the top colour.
    hi: f64,
    /// Whether some cell lies above `hi`.
    capped: bool,
}

/// Seconds from the Monday 00:00 before time 0 to time 0, and how that is known, for
/// hour-of-week charts: a trace's header `StartTime`, else a scenario's Monday 00:00.
fn week_offset(run: &RunData) -> (f64, String) {
    match &run.start {
        Some(t) => (f64::from(t.since_monday), format!("time 0 is {}, from the trace's header", t.text)),
        None if super::html::Window::of(run).scenario => (0.0, "a scenario starts on a Monday 00:00".into()),
        None => (0.0, "the trace gives no start time, so time 0 is taken as Monday 00:00".into()),
    }
}

#[derive(Clone, Debug)]
struct Bar {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    colour: RGBColor,
}

/// Node allocations.
#[derive(Clone, Debug)]
struct GanttPlot {
    x_desc: String,
    x_range: (f64, f64),
    /// The top of the node axis (in drawn units: node groups are stretched, see [`NodeAxis`]).
    nodes: f64,
    bars: Vec<Bar>,
    legend: Vec<LegendEntry>,
    /// Partition bands: (label, bottom, top) in drawn units.
    groups: Vec<(String, f64, f64)>,
}

/// The Gantt chart's node axis: each partition's nodes as a band at least [`MIN_BAND`] of the
/// height, so that a pool of 8 nodes beside 188 is not a strip of a few pixels.
struct NodeAxis {
    /// (first node, last node, drawn bottom, drawn height per node)
    pieces: Vec<(u32, u32, f64, f64)>,
    top: f64,
}

/// The least share of the Gantt chart's height a partition's band gets.
const MIN_BAND: f64 = 0.12;

impl NodeAxis {
    /// `ranges`: each partition's (first, last) node, ascending and not overlapping; nodes
    /// outside every range are drawn at one unit each.
    fn new(ranges: &[(u32, u32)], shown: u32) -> NodeAxis {
        let mut cuts: Vec<(u32, u32)> = Vec::new();
        let mut next = 0;
        for &(a, b) in ranges {
            if a > next {
                cuts.push((next, a - 1));
            }
            cuts.push((a, b));
            next = b + 1;
        }
        if next < shown {
            cuts.push((next, shown - 1));
        }
        let total = f64::from(shown);
        let mut pieces = Vec::new();
        let mut y = 0.0;
        for (a, b) in cuts {
            let n = f64::from(b - a + 1);
            let height = n.max(total * MIN_BAND).min(total);
            pieces.push((a, b, y, height / n));
            y += height;
        }
        NodeAxis { pieces, top: y }
    }

    /// The drawn position of node edge `node` (a node spans `at(k)` to `at(k + 1)`).
    fn at(&self, node: f64) -> f64 {
        for &(a, b, y0, per) in &self.pieces {
            if node <= f64::from(b) + 1.0 {
                return y0 + (node - f64::from(a)).max(0.0) * per;
            }
        }
        self.top
    }
}

#[derive(Clone, Debug)]
enum Plot {
    Lines(LinesPlot),
    Cdf(CdfPlot),
    Heat(Box<HeatPlot>),
    Gantt(GanttPlot),
    Sizes(size_chart::SizesPlot),
}

#[derive(Clone, Debug)]
struct Spec {
    name: String,
    title: String,
    caption: String,
    plot: Plot,
}

/// Builds every chart the run's files allow, in report order, drawing them in parallel.
pub fn build_charts(run: &RunData) -> Result<Charts, ChartError> {
    let mut specs = Vec::new();
    let mut skipped = Vec::new();
    let mut add = |r: Result<Spec, Skipped>| match r {
        Ok(s) => specs.push(s),
        Err(s) => skipped.push(s),
    };
    add(utilisation_spec(run));
    add(queue_spec(run));
    add(cdf_spec(run));
    if let Some(tail) = tail_spec(run) {
        add(Ok(tail));
    }
    for r in heatmap_specs(run) {
        add(r);
    }
    add(size_chart::sizes_spec(run));
    add(gantt_spec(run));
    add(login_spec(run));
    // Only runs whose queue order keeps fair-share have the file; others get no note.
    if run.fairshare.is_some() {
        add(fairshare_spec(run));
    }
    fonts();
    let charts = specs.par_iter().map(render).collect::<Result<Vec<_>, _>>()?;
    Ok(Charts { charts, skipped })
}

/// Writes every chart as `charts/<name>.svg` and `.png` under `dir`, and removes the files
/// of the charts skipped for this run; returns the paths (SVG, PNG) in chart order.
pub fn write_charts(dir: &Path, charts: &Charts) -> Result<Vec<(PathBuf, PathBuf)>, ReportError> {
    let out = dir.join("charts");
    std::fs::create_dir_all(&out).map_err(|error| ReportError { path: out.clone(), error })?;
    let mut paths = Vec::new();
    for c in &charts.charts {
        let svg = out.join(format!("{}.svg", c.name));
        let png = out.join(format!("{}.png", c.name));
        write_atomic(&svg, |w| std::io::Write::write_all(w, c.svg.as_bytes()))?;
        write_atomic(&png, |w| std::io::Write::write_all(w, &c.png))?;
        paths.push((svg, png));
    }
    // Files of a chart this run does not get, left by an earlier build, would contradict
    // the report: remove them.
    for k in charts.skipped.iter().filter(|k| charts.charts.iter().all(|c| c.name != k.name)) {
        for ext in ["svg", "png"] {
            let path = out.join(format!("{}.{ext}", k.name));
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(ReportError { path, error: e }),
                _ => {}
            }
        }
    }
    Ok(paths)
}

fn skip(name: &str, title: &str, reason: impl Into<String>) -> Skipped {
    Skipped { name: name.to_string(), title: title.to_string(), reason: reason.into() }
}

fn class_index(run: &RunData, name: &str) -> usize {
    run.classes.iter().position(|c| c == name).unwrap_or(run.classes.len())
}

/// Colour of class `name` in this run (classes only in `timeseries.csv` get palette ones).
fn colour_of(run: &RunData, name: &str) -> RGBColor {
    class_colour(name, class_index(run, name))
}

/// The sample interval: from `summary.json`, else from the first two samples.
fn sample_interval(run: &RunData, time: &[f64]) -> Option<f64> {
    run.summary
        .run
        .as_ref()
        .and_then(|r| r.sample_interval)
        .filter(|v| *v > 0.0)
        .or_else(|| (time.len() >= 2).then(|| time[1] - time[0]).filter(|v| *v > 0.0))
}

/// A time axis over seconds `t0` to `t1`: its unit, title and, when the run's start is on
/// the calendar, its labelled midnights (in units).
struct TimeAxis {
    unit: f64,
    desc: String,
    ticks: Vec<(f64, String)>,
}

/// Labelled midnights on a time axis: as many as fit without crowding.
const CALENDAR_TICKS: usize = 8;

/// What time 0 of `run` was on the calendar: a trace header's `StartTime` date, a scenario's
/// Monday 00:00 of week 1; `None` when neither is known.
fn origin_of(run: &RunData) -> Option<Origin> {
    match &run.start {
        Some(s) => Origin::of_trace(s),
        None if super::html::Window::of(run).scenario => Some(Origin::Week),
        None => None,
    }
}

fn time_axis(run: &RunData, t0: f64, t1: f64) -> TimeAxis {
    let (unit, unit_name) = time_unit(t1);
    if let Some(origin) = origin_of(run) {
        let ticks = midnight_ticks(&origin, t0, t1, CALENDAR_TICKS);
        if !ticks.is_empty() {
            let what = if matches!(origin, Origin::Week) { "day of the scenario" } else { "local date" };
            return TimeAxis {
                unit,
                desc: format!("{what}, ticks at midnight ({})", origin.describe()),
                ticks: ticks.into_iter().map(|(t, l)| (t / unit, l)).collect(),
            };
        }
    }
    TimeAxis { unit, desc: format!("time since start ({unit_name})"), ticks: Vec::new() }
}

/// Round ticks from `lo` to `hi`, at most `max` of them (steps of 1, 2, 2.5 or 5 × 10^k).
fn nice_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let span = hi - lo;
    if !span.is_finite() || span <= 0.0 {
        return vec![lo];
    }
    let mag = 10f64.powf((span / max as f64).log10().floor());
    let step =
        [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| span / s <= max as f64).unwrap_or(10.0 * mag);
    let (first, last) = ((lo / step - 1e-9).ceil() as i64, (hi / step + 1e-9).floor() as i64);
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Series that are zero at every sample: left out of a chart, where a line along the axis
/// would hide under the others and say nothing a sentence cannot.
fn zero_series(series: &[Series]) -> Vec<&str> {
    series.iter().filter(|s| s.values.iter().all(|v| *v == 0.0)).map(|s| s.name.as_str()).collect()
}

/// The sentence saying which series were left out for being zero throughout, and why.
fn left_out(zero: &[&str], why: impl Fn(&str) -> String) -> String {
    if zero.is_empty() {
        return String::new();
    }
    let items: Vec<String> = zero.iter().map(|n| format!("{n} ({})", why(n))).collect();
    format!(" Left out, being zero throughout: {}.", items.join(", "))
}

/// Lines of `series` over `time`, binned, in the chosen time unit, scaled by `scale(name)`
/// (`None` drops the series); returns the lines and the samples per bin.
fn time_lines(
    time: &[f64],
    series: &[Series],
    unit: f64,
    colour: impl Fn(usize, &str) -> RGBColor,
    scale: impl Fn(&str) -> Option<f64>,
) -> (Vec<Line>, usize) {
    let mut per = 1;
    let mut lines = Vec::new();
    for (i, s) in series.iter().enumerate() {
        let Some(k) = scale(&s.name) else { continue };
        let (pts, p) = bin_series(time, &s.values, DRAWN_BINS);
        per = p;
        let points = pts.iter().map(|&(t, v, _, _)| (t / unit, v * k)).collect();
        let band =
            if p > 1 { pts.iter().map(|&(t, _, lo, hi)| (t / unit, lo * k, hi * k)).collect() } else { Vec::new() };
        lines.push(Line { label: s.name.clone(), colour: colour(i, &s.name), points, band });
    }
    (lines, per)
}

/// The time axis of samples at `time` in `unit`s: from time 0, the run's start (where a
/// calendar's first day begins), to the last sample.
fn x_extent(time: &[f64], unit: f64) -> (f64, f64) {
    let lo = time.iter().copied().fold(0.0, f64::min);
    let hi = time.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let (lo, hi) = (lo / unit, hi / unit);
    if hi > lo {
        (lo, hi)
    } else {
        (lo, lo + 1.0)
    }
}

fn y_max(lines: &[Line], floor: f64) -> f64 {
    let m = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1).chain(l.band.iter().map(|b| b.2)))
        .fold(0.0f64, f64::max);
    if m > 0.0 {
        (m * 1.08).max(floor)
    } else {
        floor.max(1.0)
    }
}

/// How the sampling was aggregated, as a phrase for captions.
fn sampling_phrase(interval: Option<f64>, per: usize) -> String {
    match (interval, per) {
        (Some(dt), 1) => format!("sampled every {}", fmt_duration(dt)),
        (Some(dt), k) => format!(
            "sampled every {}; lines are means over {} bins, pale bands the lowest to highest sample in each",
            fmt_duration(dt),
            fmt_duration(dt * k as f64)
        ),
        (None, 1) => "at every sample".to_string(),
        (None, k) => format!("lines are means over bins of {k} samples, pale bands the lowest to highest in each"),
    }
}

/// The legend's words for the pale bands, when binning made any.
fn band_label(lines: &[Line], interval: Option<f64>, per: usize) -> Option<String> {
    lines.iter().any(|l| !l.band.is_empty()).then(|| match interval {
        Some(dt) => format!("pale: lowest to highest per {}", fmt_duration(dt * per as f64).replace(' ', "\u{a0}")),
        None => "pale: lowest to highest per bin".to_string(),
    })
}

fn utilisation_spec(run: &RunData) -> Result<Spec, Skipped> {
    let (name, title) = ("utilisation", "Utilisation per partition");
    let Some(ts) = &run.timeseries else {
        return Err(skip(name, title, "this run has no timeseries.csv"));
    };
    if ts.busy_cores.is_empty() || ts.time.is_empty() {
        return Err(skip(name, title, "timeseries.csv has no busy_cores_<partition> samples"));
    }
    let single = ts.busy_cores.len() == 1;
    let run_cores = run.summary.run.as_ref().and_then(|r| r.cores);
    let cores = |p: &str| -> Option<f64> {
        let c = run.summary.partitions.get(p).map(|s| s.cores).filter(|c| *c > 0);
        let c = c.or(if single { run_cores } else { None })?;
        Some(100.0 / c as f64)
    };
    let zero = zero_series(&ts.busy_cores);
    let (t0, t1) = x_extent(&ts.time, 1.0);
    let axis = time_axis(run, t0, t1);
    let unit = axis.unit;
    let drawn = |p: &str| if zero.contains(&p) { None } else { cores(p) };
    let (mut lines, per) = time_lines(&ts.time, &ts.busy_cores, unit, |i, _| PALETTE[i % PALETTE.len()], drawn);
    if lines.is_empty() && zero.len() == ts.busy_cores.len() {
        return Err(skip(name, title, "no partition had a busy core at any sample instant"));
    }
    if lines.is_empty() {
        return Err(skip(name, title, "summary.json gives no core count for the partitions in timeseries.csv"));
    }
    mark_coinciding(&mut lines);
    let x_range = x_extent(&ts.time, unit);
    let shades = window_shades(run, unit, x_range);
    let interval = sample_interval(run, &ts.time);
    let win = super::html::Window::of(run);
    let start = if win.warmup > 0.0 { win.warmup } else { win.first_submit };
    let caption = format!(
        "Busy cores as a share of each partition's cores over the run ({}); a partition near 100% has no room \
         left.{}{} Over the window the tables measure, day {} to the last job's end (day {}), the whole machine \
         was {} busy.",
        sampling_phrase(interval, per),
        left_out(&zero, |_| "no busy core at any sample instant".into()),
        if shades.is_empty() {
            String::new()
        } else {
            " Shaded: the warm-up, whose jobs the tables leave out, and the drain after the last arrival.".into()
        },
        trim(start / 86400.0, 1),
        trim(win.last_end / 86400.0, 1),
        super::html::pct(run.summary.utilisation)
    );
    Ok(Spec {
        name: name.into(),
        title: title.into(),
        caption,
        plot: Plot::Lines(LinesPlot {
            x_desc: axis.desc,
            x_ticks: axis.ticks,
            y_desc: "busy cores (% of partition)".into(),
            x_range,
            y_range: (0.0, y_max(&lines, 100.0)),
            y_percent: true,
            band_label: band_label(&lines, interval, per),
            lines,
            hlines: Vec::new(),
            shades,
        }),
    })
}

fn queue_spec(run: &RunData) -> Result<Spec, Skipped> {
    let (name, title) = ("queue", "Queue length per class");
    let Some(ts) = &run.timeseries else {
        return Err(skip(name, title, "this run has no timeseries.csv"));
    };
    if ts.queued.is_empty() || ts.time.is_empty() {
        return Err(skip(name, title, "timeseries.csv has no queued_<class> samples"));
    }
    let zero = zero_series(&ts.queued);
    if zero.len() == ts.queued.len() {
        return Err(skip(name, title, "no job was waiting at any sample instant"));
    }
    let (t0, t1) = x_extent(&ts.time, 1.0);
    let axis = time_axis(run, t0, t1);
    let unit = axis.unit;
    let drawn = |c: &str| if zero.contains(&c) { None } else { Some(1.0) };
    let (mut lines, per) = time_lines(&ts.time, &ts.queued, unit, |_, c| colour_of(run, c), drawn);
    mark_coinciding(&mut lines);
    let x_range = x_extent(&ts.time, unit);
    let shades = window_shades(run, unit, x_range);
    let interval = sample_interval(run, &ts.time);
    let caption = format!(
        "Jobs waiting in the queue, per class, over the run ({}){}.{}",
        sampling_phrase(interval, per),
        if shades.is_empty() {
            ""
        } else {
            "; shaded: the warm-up (left out of the tables) and the drain after the last arrival"
        },
        left_out(&zero, |c| if run.classes.iter().any(|k| k == c) {
            "none waiting at any sample instant".into()
        } else {
            "no jobs".into()
        })
    );
    Ok(Spec {
        name: name.into(),
        title: title.into(),
        caption,
        plot: Plot::Lines(LinesPlot {
            x_desc: axis.desc,
            x_ticks: axis.ticks,
            y_desc: "jobs waiting".into(),
            x_range,
            y_range: (0.0, y_max(&lines, 1.0)),
            y_percent: false,
            band_label: band_label(&lines, interval, per),
            lines,
            hlines: Vec::new(),
            shades,
        }),
    })
}

fn fairshare_spec(run: &RunData) -> Result<Spec, Skipped> {
    let (name, title) = ("fairshare", "Fair-share factor per account");
    let Some(fs) = run.fairshare.as_ref().filter(|f| !f.time.is_empty() && !f.factor.is_empty()) else {
        return Err(skip(name, title, "fairshare.csv has no rows"));
    };
    let (t0, t1) = x_extent(&fs.time, 1.0);
    let axis = time_axis(run, t0, t1);
    let unit = axis.unit;
    let (mut lines, per) = time_lines(&fs.time, &fs.factor, unit, |i, _| PALETTE[i % PALETTE.len()], |_| Some(1.0));
    mark_coinciding(&mut lines);
    let interval = sample_interval(run, &fs.time);
    let caption = format!(
        "Each account's fair-share factor (the mean over its users) as the multifactor order last computed it, \
         {}: 1 is the least served relative to its shares; 0.5 is on target under classic fair-share.",
        sampling_phrase(interval, per)
    );
    Ok(Spec {
        name: name.into(),
        title: title.into(),
        caption,
        plot: Plot::Lines(LinesPlot {
            x_desc: axis.desc,
            x_ticks: axis.ticks,
            y_desc: "fair-share factor".into(),
            x_range: x_extent(&fs.time, unit),
            y_range: (0.0, 1.05),
            y_percent: false,
            band_label: band_label(&lines, interval, per),
            lines,
            hlines: Vec::new(),
            shades: Vec::new(),
        }),
    })
}

/// A job's wait in seconds, if it started.
pub(crate) fn wait_of(j: &JobRow) -> Option<f64> {
    j.wait.or_else(|| Some(j.start? - j.submit)).filter(|w| w.is_finite())
}

/// Where waits of zero ("started at once") sit on the log wait axes.
pub(crate) const AT_ONCE: f64 = 0.5;

/// One class's waits, sorted, with the jobs accepted (started or not).
struct ClassWaits<'a> {
    class: &'a str,
    colour: RGBColor,
    waits: Vec<f64>,
    accepted: usize,
    target: Option<(f64, f64)>,
}

fn class_waits(run: &RunData) -> Vec<ClassWaits<'_>> {
    let mut out = Vec::new();
    for (ci, class) in run.classes.iter().enumerate() {
        let of = run.jobs.iter().filter(|j| j.class as usize == ci && run.measured(j));
        let accepted = of.clone().filter(|j| j.outcome != Outcome::Rejected).count();
        let mut waits: Vec<f64> = of.filter_map(wait_of).collect();
        if waits.is_empty() || accepted == 0 {
            continue;
        }
        waits.sort_by(f64::total_cmp);
        let cs = run.summary.classes.get(class);
        let target = cs.and_then(|c| c.target).filter(|t| t.is_finite() && *t > 0.0).map(|t| {
            let share = cs.and_then(|c| c.within_target).filter(|s| s.is_finite());
            (t, share.unwrap_or_else(|| waits.partition_point(|w| *w <= t) as f64 / accepted as f64))
        });
        out.push(ClassWaits { class, colour: class_colour(class, ci), waits, accepted, target });
    }
    out
}

impl ClassWaits<'_> {
    fn at_once(&self) -> f64 {
        self.waits.partition_point(|w| *w <= 0.0) as f64 / self.accepted as f64
    }
}

fn cdf_spec(run: &RunData) -> Result<Spec, Skipped> {
    let (name, title) = ("wait_cdf", "Wait-time distribution per class");
    let mut lines = Vec::new();
    let mut x_max: f64 = 60.0;
    let mut targets = Vec::new();
    for c in class_waits(run) {
        let (waits, accepted) = (&c.waits, c.accepted);
        let n = waits.len();
        let k = n.min(CDF_POINTS);
        let share0 = 100.0 * c.at_once();
        // The curve starts at "at once" with the share that did not wait at all.
        let mut points = vec![(AT_ONCE, share0)];
        for i in 0..k {
            let idx = ((i + 1) * n) / k - 1;
            if waits[idx] > 0.0 {
                points.push((waits[idx].max(1.0), 100.0 * (idx + 1) as f64 / accepted as f64));
            }
        }
        x_max = x_max.max(waits[n - 1]);
        if let Some((t, share)) = c.target {
            targets.push((
                format!("{} target {}: {}% within", c.class, fmt_duration(t), trim(100.0 * share, 1)),
                c.colour,
                t,
            ));
            x_max = x_max.max(t);
        }
        let label = format!("{} ({} started, {}% at once)", c.class, fmt_count(n as u64), trim(share0, 1));
        lines.push(Line { label, colour: c.colour, points, band: Vec::new() });
    }
    if lines.is_empty() {
        return Err(skip(name, title, "no job of this run started"));
    }
    Ok(Spec {
        name: name.into(),
        title: title.into(),
        caption: "Share of each class's accepted jobs that started within a given wait (log time axis). Each \
                  curve starts with a dot at \u{201c}at once\u{201d}: the share that did not wait at all; waits under \
                  1 s are drawn at 1 s, and abandoned jobs never reach the top. Dashed: each class's wait target."
            .into(),
        plot: Plot::Cdf(CdfPlot { x_max: x_max * 1.3, lines, targets, tail: None }),
    })
}

/// The tail of the waits, for classes most of whose jobs start at once (where the
/// distribution is a sliver at the top of a linear axis): the share still waiting after each
/// wait, on a log axis.
/// `None` when no class needs it (the distribution chart then shows every class well).
fn tail_spec(run: &RunData) -> Option<Spec> {
    let (name, title) = ("wait_tail", "Wait tails: share of jobs still waiting");
    let classes = class_waits(run);
    if !classes.iter().any(|c| c.at_once() >= 0.95 && c.waits.last().is_some_and(|w| *w > 0.0)) {
        return None;
    }
    let (mut lines, mut targets) = (Vec::new(), Vec::new());
    let (mut x_max, mut y_min) = (60.0f64, 100.0f64);
    let mut none_waited = Vec::new();
    for c in &classes {
        let (waits, accepted) = (&c.waits, c.accepted as f64);
        let n = waits.len();
        // Share not started within w: those that started later, plus those that never did.
        let mut points = Vec::new();
        let k = n.min(CDF_POINTS);
        for i in 0..k {
            let idx = ((i + 1) * n) / k - 1;
            let later = (accepted - (idx + 1) as f64) / accepted;
            if waits[idx] > 0.0 && later > 0.0 {
                points.push((waits[idx].max(1.0), 100.0 * later));
                y_min = y_min.min(100.0 * later);
            }
        }
        if waits[n - 1] <= 0.0 && c.accepted == n {
            none_waited.push(c.class);
            continue;
        }
        x_max = x_max.max(waits[n - 1]);
        if let Some((t, share)) = c.target {
            targets.push((format!("{} target {}", c.class, fmt_duration(t)), c.colour, t));
            let _ = share;
            x_max = x_max.max(t);
        }
        let first = (AT_ONCE, 100.0 * (1.0 - c.at_once()));
        if first.1 > 0.0 {
            points.insert(0, first);
            y_min = y_min.min(first.1);
        }
        let label = format!("{} ({}% waited)", c.class, trim(first.1, 2));
        lines.push(Line { label, colour: c.colour, points, band: Vec::new() });
    }
    let caption = format!(
        "Share of each class's accepted jobs not yet started after a given wait (both axes log scale): the tail \
         that the distribution chart squeezes into its top band. Abandoned jobs count as still waiting.{}",
        if none_waited.is_empty() {
            String::new()
        } else {
            format!(" No job of {} waited at all, so it has no tail to draw.", none_waited.join(", "))
        }
    );
    Some(Spec {
        name: name.into(),
        title: title.into(),
        caption,
        plot: Plot::Cdf(CdfPlot { x_max: x_max * 1.3, lines, targets, tail: Some(y_min.max(1e-4)) }),
    })
}

fn heatmap_specs(run: &RunData) -> Vec<Result<Spec, Skipped>> {
    let mut out = Vec::new();
    for (ci, class) in run.classes.iter().enumerate() {
        let name = format!("wait_by_hour_{}", file_safe(class));
        let title = format!("Mean wait of {class} jobs by hour of the week");
        let mut sum = [[0.0f64; 24]; 7];
        let mut count = [[0usize; 24]; 7];
        let mut n = 0;
        let (offset, start_words) = week_offset(run);
        for j in run.jobs.iter().filter(|j| j.class as usize == ci && run.measured(j)) {
            let Some(w) = wait_of(j) else { continue };
            let h = (((j.submit + offset) / 3600.0).floor() as i64).rem_euclid(168) as usize;
            sum[h / 24][h % 24] += w;
            count[h / 24][h % 24] += 1;
            n += 1;
        }
        if n < HEATMAP_MIN_JOBS {
            out.push(Err(skip(
                &name,
                &title,
                format!("{n} {class} jobs started, fewer than the {HEATMAP_MIN_JOBS} a heatmap of 168 hours needs"),
            )));
            continue;
        }
        let mut cells = [[None; 24]; 7];
        let mut means = Vec::new();
        for d in 0..7 {
            for h in 0..24 {
                if count[d][h] > 0 {
                    let m = sum[d][h] / count[d][h] as f64;
                    cells[d][h] = Some(m);
                    means.push(m);
                }
            }
        }
        means.sort_by(f64::total_cmp);
        let max = means.last().copied().unwrap_or(0.0);
        if max <= 0.0 {
            out.push(Err(skip(
                &name,
                &title,
                format!("no waits in any hour: all {} {class} jobs that started did so at once", fmt_count(n as u64)),
            )));
            continue;
        }
        let lo = means.iter().copied().find(|m| *m > 0.0).unwrap_or(1.0).max(1.0);
        // The top: the 95th percentile of the hours that had a wait (hours of 0 would pull it
        // down to a few seconds where most hours start at once); with few such hours, the
        // longest, so that no colour stands for "somewhere above a few seconds".
        let waited: Vec<f64> = means.iter().copied().filter(|m| *m > 0.0).collect();
        let p95 = if waited.len() >= HEATMAP_MIN_WAITED_HOURS {
            waited[(waited.len() * 95).div_ceil(100).max(1) - 1]
        } else {
            max
        };
        let hi = if p95 > lo * 1.01 {
            p95
        } else if max > lo * 1.01 {
            max
        } else {
            lo * 10.0
        };
        let capped = max > hi;
        let zero_cells = means.iter().filter(|m| **m <= 0.0).count();
        out.push(Ok(Spec {
            name,
            title,
            caption: format!(
                "Mean wait of the {} {class} jobs that started, by the hour of the week they were submitted \
                 in ({start_words}). Colour on a log scale from the shortest mean wait to {} ({}){}; {} of {} \
                 hours had a mean wait of 0 (palest); grey where none was submitted.",
                fmt_count(n as u64),
                if hi == max {
                    "the longest"
                } else if hi == p95 {
                    "the 95th percentile of the hours with a wait"
                } else {
                    "ten times the shortest"
                },
                fmt_duration(hi),
                if capped {
                    format!(", hours above it (up to {}) in the darkest colour", fmt_duration(max))
                } else {
                    String::new()
                },
                zero_cells,
                means.len()
            ),
            plot: Plot::Heat(Box::new(HeatPlot { cells, lo, hi, capped })),
        }));
    }
    out
}

/// A name usable in a file name: letters, digits, `-` and `_`; anything else becomes `_`.
pub(crate) fn file_safe(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if s.is_empty() {
        "_".into()
    } else {
        s
    }
}

fn gantt_spec(run: &RunData) -> Result<Spec, Skipped> {
    let (name, title) = ("gantt", "Node allocations");
    if !run.has_job_column("node_list") {
        return Err(skip(name, title, "jobs.csv of this run has no node_list column"));
    }
    let placed: Vec<&JobRow> =
        run.jobs.iter().filter(|j| j.start.is_some() && j.end.is_some() && !j.node_list.is_empty()).collect();
    if placed.is_empty() {
        return Err(skip(name, title, "no job of this run was placed on nodes"));
    }
    let max_id = placed.iter().flat_map(|j| j.node_list.iter().map(|r| r.1)).max().unwrap_or(0);
    let by_ids = max_id.saturating_add(1);
    let nodes_total = run
        .summary
        .run
        .as_ref()
        .and_then(|r| r.nodes)
        .map_or(by_ids, |n| u32::try_from(n).unwrap_or(u32::MAX).max(by_ids));
    if nodes_total < 2 {
        return Err(skip(name, title, "the machine is one flat node: there is no node-level allocation to draw"));
    }
    let shown_nodes = nodes_total.min(GANTT_MAX_NODES);
    let in_window = |j: &JobRow| j.node_list.iter().any(|r| r.0 < shown_nodes);
    let jobs: Vec<&JobRow> = placed.into_iter().filter(|j| in_window(j)).collect();
    let span_of = |j: &JobRow| (j.start.unwrap_or(0.0), j.end.unwrap_or(0.0));
    let t_min = jobs.iter().map(|j| span_of(j).0).fold(f64::INFINITY, f64::min);
    let t_max = jobs.iter().map(|j| span_of(j).1).fold(f64::NEG_INFINITY, f64::max);
    let (mut w0, mut w1) = (t_min, t_max);
    let full = jobs.len() <= GANTT_MAX_JOBS && nodes_total <= GANTT_MAX_NODES;
    let mut which = format!("all {} jobs placed on all {} nodes", fmt_count(jobs.len() as u64), nodes_total);
    if !full {
        // The busiest window (most node-seconds on the nodes shown), a day long, halved
        // until it holds at most GANTT_MAX_JOBS jobs (or is an hour long).
        let mut len = 86400.0;
        loop {
            let base = (t_min / len).floor();
            let windows = (((t_max / len).floor() - base) as usize + 1).min(1 << 20);
            let mut busy = vec![0.0f64; windows];
            for j in &jobs {
                let (s, e) = span_of(j);
                let width: f64 = j
                    .node_list
                    .iter()
                    .filter(|r| r.0 < shown_nodes)
                    .map(|r| f64::from(r.1.min(shown_nodes - 1) - r.0 + 1))
                    .sum();
                let mut k = ((s / len).floor() - base) as usize;
                while k < windows {
                    let (a, b) = ((base + k as f64) * len, (base + k as f64 + 1.0) * len);
                    if a >= e {
                        break;
                    }
                    busy[k] += (e.min(b) - s.max(a)).max(0.0) * width;
                    k += 1;
                }
            }
            let mut best = 0;
            for (k, b) in busy.iter().enumerate() {
                if *b > busy[best] {
                    best = k;
                }
            }
            w0 = (base + best as f64) * len;
            w1 = w0 + len;
            let count = jobs.iter().filter(|j| span_of(j).0 < w1 && span_of(j).1 > w0).count();
            if count <= GANTT_MAX_JOBS || len <= 3600.0 {
                let what = if len >= 86400.0 { "day".to_string() } else { format!("{} window", fmt_duration(len)) };
                let (unit, unit_name) = if w1 >= 2.0 * 86400.0 { (86400.0, "day") } else { (3600.0, "hour") };
                which = format!(
                    "the busiest {what} (from {unit_name} {} to {unit_name} {} after the start: {} jobs){}",
                    trim(w0 / unit, 2),
                    trim(w1 / unit, 2),
                    fmt_count(count as u64),
                    if shown_nodes < nodes_total {
                        format!(" on nodes 0–{} of {nodes_total}", shown_nodes - 1)
                    } else {
                        format!(" on all {nodes_total} nodes")
                    }
                );
                break;
            }
            len /= 2.0;
        }
    }
    let (unit, unit_name) = time_unit(w1 - w0 + if full { w0.max(0.0) } else { 0.0 });
    // Each partition's nodes, from where its jobs ran: the bands of the node axis.
    let mut ranges: BTreeMap<u16, (u32, u32)> = BTreeMap::new();
    for j in &jobs {
        for &(lo, hi) in j.node_list.iter().filter(|r| r.0 < shown_nodes) {
            let e = ranges.entry(j.partition).or_insert((lo, hi.min(shown_nodes - 1)));
            *e = (e.0.min(lo), e.1.max(hi.min(shown_nodes - 1)));
        }
    }
    let mut spans: Vec<(u32, u32, u16)> = ranges.iter().map(|(p, r)| (r.0, r.1, *p)).collect();
    spans.sort_unstable();
    // A partition whose last nodes were idle in the window still owns them: extend each band
    // to the partition's node count where that overlaps no other band.
    for i in 0..spans.len() {
        let name = run.partitions.get(spans[i].2 as usize).map_or("", String::as_str);
        let Some(n) = run.summary.partitions.get(name).map(|p| p.nodes).filter(|n| *n > 0) else { continue };
        let end = u32::try_from(u64::from(spans[i].0) + n - 1).unwrap_or(u32::MAX).min(shown_nodes - 1);
        let limit = spans.get(i + 1).map_or(shown_nodes - 1, |next| next.0.saturating_sub(1));
        spans[i].1 = spans[i].1.max(end.min(limit));
    }
    // Partitions that share nodes overlap: then the axis stays plain.
    let disjoint = spans.windows(2).all(|w| w[0].1 < w[1].0);
    let axis = if disjoint {
        NodeAxis::new(&spans.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(), shown_nodes)
    } else {
        NodeAxis::new(&[], shown_nodes)
    };
    let groups: Vec<(String, f64, f64)> = if disjoint {
        spans
            .iter()
            .map(|&(a, b, p)| {
                let name = run.partitions.get(p as usize).map_or("?", String::as_str);
                (format!("{name} (nodes {a}–{b})"), axis.at(f64::from(a)), axis.at(f64::from(b) + 1.0))
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut bars = Vec::new();
    let mut drawn: Vec<&JobRow> = jobs.into_iter().filter(|j| span_of(j).0 < w1 && span_of(j).1 > w0).collect();
    drawn.sort_by(|a, b| span_of(a).0.total_cmp(&span_of(b).0));
    for (i, j) in drawn.iter().enumerate() {
        let (s, e) = span_of(j);
        let (s, e) = (s.max(w0), e.min(w1));
        let base = class_colour(run.class_name(j), j.class as usize);
        // Neighbouring jobs of a class alternate between two shades, so they can be told apart.
        let colour = if i % 2 == 0 { base } else { lighten(base, 0.35) };
        for &(lo, hi) in &j.node_list {
            if lo >= shown_nodes {
                continue;
            }
            let hi = hi.min(shown_nodes - 1);
            let (y0, y1) = (axis.at(f64::from(lo)), axis.at(f64::from(hi) + 1.0));
            bars.push(Bar { x0: s / unit, x1: e / unit, y0, y1, colour });
        }
    }
    let mut legend = Vec::new();
    for (ci, class) in run.classes.iter().enumerate() {
        if drawn.iter().any(|j| j.class as usize == ci) {
            legend.push(LegendEntry { label: class.clone(), colour: class_colour(class, ci), kind: Mark::Box });
        }
    }
    legend.push(LegendEntry {
        label: "paler: every other job, to tell neighbours apart".into(),
        colour: RGBColor(200, 205, 212),
        kind: Mark::Box,
    });
    let x_range = if w1 > w0 { (w0 / unit, w1 / unit) } else { (w0 / unit, w0 / unit + 1.0) };
    let days = |t: f64| trim(t / 86400.0, 1);
    let title = format!("{title}, day {} to {}", days(w0), days(w1));
    Ok(Spec {
        name: name.into(),
        title,
        caption: format!(
            "Which nodes each job held and when, one bar per job per node range coloured by class, showing \
             {which}.{}",
            if disjoint && groups.len() > 1 {
                " Each partition is a band, labelled at its left; small partitions are drawn taller than their \
                 node count so that their jobs can be seen."
            } else {
                ""
            }
        ),
        plot: Plot::Gantt(GanttPlot {
            x_desc: format!("time since start ({unit_name})"),
            x_range,
            nodes: axis.top,
            bars,
            legend,
            groups,
        }),
    })
}

fn login_spec(run: &RunData) -> Result<Spec, Skipped> {
    let (name, title) = ("login_load", "Login-node load");
    let summary = run.summary.login.as_ref().filter(|l| l.nodes > 0);
    // Cores of one login node: as the run wrote it, else all login cores over the nodes.
    let per_node_cores = summary.and_then(|l| {
        let written = l.extra.get("cores_per_node").and_then(|v| v.as_f64()).filter(|c| *c > 0.0);
        written.or_else(|| (l.cores > 0).then(|| l.cores as f64 / l.nodes as f64))
    });
    // login.csv gives every arrival and departure, so each bin's true peak; the time series
    // only has the load at sample instants, which can miss it.
    let (mut lines, axis, how) = if let Some(procs) = run.login.as_ref().filter(|p| !p.is_empty()) {
        let load = load_from_processes(procs);
        let axis = time_axis(run, load.t0, load.t1);
        let unit = axis.unit;
        let lines = load
            .nodes
            .into_iter()
            .enumerate()
            .map(|(i, (node, mean, max))| {
                let x = |k: usize| (load.t0 + (k as f64 + 0.5) * load.width) / unit;
                let peak = max.iter().copied().fold(0.0f64, f64::max);
                Line {
                    label: format!("login node {node} (at most {} at once)", trim(peak, 0)),
                    colour: PALETTE[(i + 1) % PALETTE.len()],
                    points: mean.iter().enumerate().map(|(k, v)| (x(k), *v)).collect(),
                    band: max.iter().enumerate().map(|(k, v)| (x(k), 0.0, *v)).collect(),
                }
            })
            .collect::<Vec<_>>();
        let how = format!(
            "from every process in login.csv: lines are the mean over each {}, pale bands reach the most processes \
             present at any instant of it",
            fmt_duration(load.width)
        );
        (lines, (axis, load.width), how)
    } else if let Some(ts) = run.timeseries.as_ref().filter(|ts| !ts.login_load.is_empty() && !ts.time.is_empty()) {
        let (t0, t1) = x_extent(&ts.time, 1.0);
        let axis = time_axis(run, t0, t1);
        let (mut lines, per) =
            time_lines(&ts.time, &ts.login_load, axis.unit, |i, _| PALETTE[(i + 1) % PALETTE.len()], |_| Some(1.0));
        for l in &mut lines {
            l.label = format!("login node {}", l.label);
        }
        let interval = sample_interval(run, &ts.time);
        (lines, (axis, interval.unwrap_or(0.0) * per as f64), sampling_phrase(interval, per))
    } else {
        return Err(skip(name, title, "this run has no login nodes"));
    };
    let (axis, bin) = axis;
    mark_coinciding(&mut lines);
    let mut hlines = Vec::new();
    let mut top = y_max(&lines, 1.0);
    if let Some(c) = per_node_cores {
        hlines.push((format!("cores per node ({})", trim(c, 1)), RGBColor(90, 90, 90), c));
        top = top.max(c * 1.15);
    }
    let lo = lines.iter().flat_map(|l| l.points.first()).map(|p| p.0).fold(f64::INFINITY, f64::min);
    let hi = lines.iter().flat_map(|l| l.points.last()).map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let x_range = if lo.is_finite() && hi > lo { (lo.min(0.0), hi) } else { (0.0, 1.0) };
    let band_label = (bin > 0.0 && lines.iter().any(|l| !l.band.is_empty()))
        .then(|| format!("pale: most at once per {}", fmt_duration(bin).replace(' ', "\u{a0}")));
    Ok(Spec {
        name: name.into(),
        title: title.into(),
        caption: format!(
            "Processes present on each login node over the run ({how}){}.",
            if per_node_cores.is_some() {
                "; above the dashed line at the node's core count, processes share cores and slow down"
            } else {
                ""
            }
        ),
        plot: Plot::Lines(LinesPlot {
            x_desc: axis.desc,
            x_ticks: axis.ticks,
            y_desc: "processes present".into(),
            x_range,
            y_range: (0.0, top),
            y_percent: false,
            lines,
            hlines,
            shades: Vec::new(),
            band_label,
        }),
    })
}

/// Login load rebuilt from every process: bins of a round width, and per node (in node
/// order) the time-averaged and the highest number of processes present in each bin.
struct LoginLoad {
    t0: f64,
    t1: f64,
    width: f64,
    /// (node name, mean per bin, most at once per bin)
    nodes: Vec<(String, Vec<f64>, Vec<f64>)>,
}

/// Round bin widths for time series, seconds: the first that gives at most [`DRAWN_BINS`].
const BIN_WIDTHS: [f64; 12] =
    [60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 10800.0, 21600.0, 43200.0, 86400.0, 604800.0, 2592000.0];

/// A change of a login node's process count: (time, order within the instant, +1 or −1).
type LoadEvent = (f64, u8, i32);

fn load_from_processes(procs: &[super::rundata::LoginProcess]) -> LoginLoad {
    // The axis starts at time 0, as the other time charts do.
    let t0 = 0.0;
    let t1 = procs.iter().map(|p| p.end.unwrap_or(p.arrival).max(p.arrival)).fold(t0, f64::max);
    let span = (t1 - t0).max(1.0);
    let width = BIN_WIDTHS.iter().copied().find(|w| span / w <= DRAWN_BINS as f64).unwrap_or(span / DRAWN_BINS as f64);
    let bins = ((span / width).ceil() as usize).max(1);
    // Per node the events (time, order, change): departures first at an instant, then
    // arrivals, then the departures of processes present for that instant only, as the
    // simulator counts them.
    let mut events: BTreeMap<(usize, &str), Vec<LoadEvent>> = BTreeMap::new();
    for p in procs {
        let key = (p.node.parse::<usize>().unwrap_or(usize::MAX), p.node.as_str());
        let e = events.entry(key).or_default();
        let end = p.end.unwrap_or(f64::INFINITY).max(p.arrival);
        e.push((p.arrival, 1, 1));
        e.push((end, if end > p.arrival { 0 } else { 2 }, -1));
    }
    let bin_of = |t: f64| (((t - t0) / width).floor().max(0.0) as usize).min(bins - 1);
    let nodes = events
        .into_iter()
        .map(|((_, name), mut ev)| {
            ev.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let (mut area, mut max) = (vec![0.0f64; bins], vec![0.0f64; bins]);
            let (mut n, mut last) = (0i32, t0);
            for (t, _, d) in ev {
                let t = t.min(t1);
                // The count held from `last` to `t`: spread over the bins it spans.
                let mut a = last;
                while a < t {
                    let k = bin_of(a);
                    let b = (t0 + (k + 1) as f64 * width).min(t);
                    area[k] += f64::from(n) * (b - a);
                    max[k] = max[k].max(f64::from(n));
                    a = if b > a { b } else { t };
                }
                n += d;
                last = t;
                let k = bin_of(t);
                max[k] = max[k].max(f64::from(n));
            }
            let mean =
                area.iter().enumerate().map(|(k, a)| a / (width.min(t1 - (t0 + k as f64 * width)).max(1e-9))).collect();
            (name.to_string(), mean, max)
        })
        .collect();
    LoginLoad { t0, t1, width, nodes }
}

// ---------------------------------------------------------------------------------------
// Drawing

pub(crate) type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A prepared chart that draws itself on any backend: the run's charts and the comparison's.
pub(crate) trait Drawable: Sync {
    /// (file name, title, caption).
    fn meta(&self) -> (&str, &str, &str);
    /// Draws the whole picture on `root`; `bitmap` when it is the PNG rendering.
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, bitmap: bool) -> DrawResult<DB>;
}

impl Drawable for Spec {
    fn meta(&self) -> (&str, &str, &str) {
        (&self.name, &self.title, &self.caption)
    }
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, bitmap: bool) -> DrawResult<DB> {
        draw(self, root, bitmap)
    }
}

/// Draws `spec` twice, as SVG and as PNG.
pub(crate) fn render<S: Drawable>(spec: &S) -> Result<Chart, ChartError> {
    let (name, title, caption) = spec.meta();
    let err = |message: String| ChartError { chart: name.to_string(), message };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        spec.draw_on(&root, false).map_err(|e| err(e.to_string()))?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        spec.draw_on(&root, true).map_err(|e| err(e.to_string()))?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    let png = encode_png(&rgb, WIDTH, HEIGHT).map_err(|e| err(format!("PNG encoding: {e}")))?;
    Ok(Chart { name: name.to_string(), title: title.to_string(), caption: caption.to_string(), svg, png })
}

/// RGB pixels as a PNG file.
fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // Fast (fdeflate): Default's deflate was 40% of a report's CPU; charts of flat
        // colours compress well either way.
        enc.set_compression(png::Compression::Fast);
        // One filter for every row: trying each per row (adaptive) cost more than it saved.
        enc.set_filter(png::FilterType::Sub);
        enc.set_adaptive_filter(png::AdaptiveFilterType::NonAdaptive);
        let mut w = enc.write_header()?;
        w.write_image_data(rgb)?;
        w.finish()?;
    }
    Ok(out)
}

/// Draws `spec` on `root` (the whole picture); `bitmap` when it is the PNG rendering.
fn draw<DB: DrawingBackend>(spec: &Spec, root: &DrawingArea<DB, Shift>, bitmap: bool) -> DrawResult<DB> {
    let (plot, side) = frame(root, &spec.title)?;
    match &spec.plot {
        Plot::Lines(p) => draw_lines(p, root, &plot, &side, bitmap),
        Plot::Cdf(p) => draw_cdf(p, root, &plot, &side, bitmap),
        Plot::Heat(p) => draw_heat(p, &plot, &side),
        Plot::Gantt(p) => draw_gantt(p, root, &plot, &side),
        Plot::Sizes(p) => size_chart::draw_sizes(p, root, &plot, &side),
    }
}

/// A picture's plot area and the legend column at its right.
pub(crate) type Areas<DB> = (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>);

/// A picture's frame: white ground and bold `title`; returns the plot area and the legend
/// column ([`LEGEND_WIDTH`] wide).
pub(crate) fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<Areas<DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let body = root.margin(8, 0, 0, 0).titled(title, (FONT, 24).into_font().style(FontStyle::Bold))?;
    Ok(body.split_horizontally(WIDTH - LEGEND_WIDTH))
}

pub(crate) fn label_font() -> TextStyle<'static> {
    (FONT, 14).into_font().color(&RGBColor(40, 40, 40))
}

/// The legend column at the right of a chart.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    side: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
) -> DrawResult<DB> {
    let mut y = 40;
    for e in entries {
        let style = ShapeStyle::from(&e.colour).stroke_width(3);
        match e.kind {
            Mark::Line => side.draw(&PathElement::new(vec![(4, y), (30, y)], style))?,
            Mark::Dashed => {
                for x in [4, 14, 24] {
                    side.draw(&PathElement::new(
                        vec![(x, y), (x + 6, y)],
                        ShapeStyle::from(&e.colour).stroke_width(2),
                    ))?;
                }
            }
            Mark::Box => side.draw(&Rectangle::new([(6, y - 7), (28, y + 7)], e.colour.filled()))?,
            Mark::LineMarker(shape) => {
                side.draw(&PathElement::new(vec![(4, y), (30, y)], ShapeStyle::from(&e.colour).stroke_width(2)))?;
                draw_marker(side, (17, y), shape, e.colour, false, 6)?;
            }
            Mark::Marker(shape, filled) => draw_marker(side, (17, y), shape, e.colour, filled, 6)?,
            Mark::Heading => {}
        }
        // Long labels wrap onto further lines; a heading starts where the marks do.
        let (x, width, font) = match e.kind {
            Mark::Heading => (4, 23, (FONT, 14).into_font().style(FontStyle::Bold).color(&RGBColor(40, 40, 40))),
            _ => (36, 19, label_font()),
        };
        for (i, line) in wrap(&e.label, width).into_iter().enumerate() {
            if i > 0 {
                y += 17;
            }
            side.draw(&Text::new(line, (x, y - 8), font.clone()))?;
        }
        y += 26;
    }
    Ok(())
}

/// A 2-pixel line through `pixels` (absolute coordinates). The bitmap backend draws wide
/// lines with unbounded mitre joins, which spike at the sharp turns of step-like data; so
/// there the line is three 1-pixel lines side by side instead.
pub(crate) fn draw_polyline<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    pixels: &[(i32, i32)],
    colour: RGBColor,
    bitmap: bool,
) -> DrawResult<DB> {
    let mut pts: Vec<(i32, i32)> = Vec::with_capacity(pixels.len());
    for &p in pixels {
        if pts.last() != Some(&p) {
            pts.push(p);
        }
    }
    if bitmap {
        for (dx, dy) in [(0, 0), (1, 0), (0, 1)] {
            let shifted: Vec<(i32, i32)> = pts.iter().map(|&(x, y)| (x + dx, y + dy)).collect();
            root.draw(&PathElement::new(shifted, ShapeStyle::from(&colour).stroke_width(1)))?;
        }
        Ok(())
    } else {
        root.draw(&PathElement::new(pts, ShapeStyle::from(&colour).stroke_width(2)))
    }
}

/// Splits a legend label into lines of at most `width` characters, after a space, `/` or `,`
/// where it can (policy labels have no spaces), else anywhere.
/// A value stays whole: no break after a digit followed by a space (`10 min`, `1,556 started`)
/// or inside a number (`1,556`).
fn wrap(label: &str, width: usize) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = label.chars().collect();
    for (i, &ch) in chars.iter().enumerate() {
        cur.push(ch);
        let after_digit = i > 0 && chars[i - 1].is_ascii_digit();
        let before_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
        let breakable = match ch {
            ' ' => !after_digit,
            ',' => !(after_digit && before_digit),
            '/' => true,
            _ => false,
        };
        if breakable {
            pieces.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        pieces.push(cur);
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        if !line.is_empty() && line.chars().count() + piece.trim_end().chars().count() > width {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        line.push_str(&piece);
        while line.chars().count() > width {
            let head: String = line.chars().take(width).collect();
            line = line.chars().skip(width).collect();
            lines.push(head);
        }
    }
    if !line.trim_end().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

pub(crate) fn mesh_styles<'a, 'b, DB, X, Y>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    x_desc: &str,
    y_desc: &str,
) -> MeshStyle<'a, 'b, X, Y, DB>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let mut m = chart.configure_mesh();
    m.x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 13))
        .bold_line_style(RGBColor(215, 215, 215))
        .light_line_style(TRANSPARENT)
        .axis_style(RGBColor(90, 90, 90));
    m
}

fn draw_lines<DB: DrawingBackend>(
    p: &LinesPlot,
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    side: &DrawingArea<DB, Shift>,
    bitmap: bool,
) -> DrawResult<DB> {
    let ticks = if p.x_ticks.is_empty() {
        nice_ticks(p.x_range.0, p.x_range.1, 10)
    } else {
        p.x_ticks.iter().map(|t| t.0).collect()
    };
    let x = Ticks { lo: p.x_range.0, hi: p.x_range.1, ticks, log: false };
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .x_label_area_size(48)
        .y_label_area_size(76)
        .build_cartesian_2d(x, p.y_range.0..p.y_range.1)?;
    let fmt_y = |v: &f64| if p.y_percent { format!("{}%", trim(*v, 0)) } else { trim(*v, 1) };
    let fmt_x = |v: &f64| match p.x_ticks.iter().find(|t| t.0 == *v) {
        Some(t) => t.1.clone(),
        None => trim(*v, 2),
    };
    mesh_styles(&mut chart, &p.x_desc, &p.y_desc).y_label_formatter(&fmt_y).x_label_formatter(&fmt_x).draw()?;
    for sh in &p.shades {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(sh.x0, p.y_range.0), (sh.x1, p.y_range.1)],
            RGBColor(60, 60, 60).mix(0.1).filled(),
        )))?;
        let (x, y) = chart.backend_coord(&(sh.x0, p.y_range.1));
        root.draw(&Text::new(sh.label, (x + 4, y + 4), label_font()))?;
    }
    for l in p.lines.iter().filter(|l| !l.band.is_empty()) {
        let mut edge: Vec<(f64, f64)> = l.band.iter().map(|b| (b.0, b.2)).collect();
        edge.extend(l.band.iter().rev().map(|b| (b.0, b.1)));
        chart.draw_series(std::iter::once(Polygon::new(edge, l.colour.mix(0.22).filled())))?;
    }
    let mut legend = Vec::new();
    for l in &p.lines {
        let pixels: Vec<(i32, i32)> = l.points.iter().map(|pt| chart.backend_coord(pt)).collect();
        draw_polyline(root, &pixels, l.colour, bitmap)?;
        legend.push(LegendEntry { label: l.label.clone(), colour: l.colour, kind: Mark::Line });
    }
    if let Some(label) = &p.band_label {
        legend.push(LegendEntry { label: label.clone(), colour: RGBColor(200, 205, 212), kind: Mark::Box });
    }
    for (label, colour, y) in &p.hlines {
        let style = ShapeStyle::from(colour).stroke_width(2);
        chart.draw_series(DashedLineSeries::new(vec![(p.x_range.0, *y), (p.x_range.1, *y)], 10, 6, style))?;
        legend.push(LegendEntry { label: label.clone(), colour: *colour, kind: Mark::Dashed });
    }
    draw_legend(side, &legend)
}

/// Round durations for a log time axis, seconds.
pub(crate) const DURATION_TICKS: [f64; 12] = [
    1.0,
    10.0,
    60.0,
    600.0,
    3600.0,
    6.0 * 3600.0,
    86400.0,
    7.0 * 86400.0,
    30.0 * 86400.0,
    91.0 * 86400.0,
    365.0 * 86400.0,
    3650.0 * 86400.0,
];

/// Ticks of a log wait axis from a quarter second to `x_max`: "at once", then round
/// durations. "at once" and "1 s" are a factor of two apart: on an axis of many decades (a
/// long trace's waits) their labels would run together, so 1 s goes (about 700 px of axis,
/// 60 a label).
pub(crate) fn wait_ticks(x_max: f64) -> Vec<f64> {
    let one_second_fits = 700.0 * 2f64.ln() / (x_max / 0.25).ln() >= 60.0;
    let mut ticks = vec![AT_ONCE];
    ticks.extend(DURATION_TICKS.iter().copied().filter(|t| *t <= x_max && (*t != 1.0 || one_second_fits)));
    ticks
}

fn draw_cdf<DB: DrawingBackend>(
    p: &CdfPlot,
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    side: &DrawingArea<DB, Shift>,
    bitmap: bool,
) -> DrawResult<DB> {
    // From a quarter second, so "at once" (half a second) stands clear of the axis and of 1 s.
    let x = Ticks { lo: 0.25, hi: p.x_max, ticks: wait_ticks(p.x_max), log: true };
    let y = match p.tail {
        Some(lo) => {
            let lo = 10f64.powf((lo / 2.0).log10().floor());
            let ticks = (0..8).map(|k| lo * 10f64.powi(k)).filter(|t| *t <= 100.0 * 1.0001).collect();
            Ticks { lo, hi: 100.0, ticks, log: true }
        }
        None => Ticks { lo: 0.0, hi: 100.0, ticks: (0..=10).map(|k| f64::from(k) * 10.0).collect(), log: false },
    };
    let (y_lo, y_hi) = (y.lo, y.hi);
    let mut chart =
        ChartBuilder::on(area).margin(10).x_label_area_size(48).y_label_area_size(76).build_cartesian_2d(x, y)?;
    let y_desc =
        if p.tail.is_some() { "jobs still waiting (%, log scale)" } else { "jobs started within the wait (%)" };
    mesh_styles(&mut chart, "wait (log scale)", y_desc)
        .x_label_formatter(&|v| if *v == AT_ONCE { "at once".into() } else { fmt_duration(*v) })
        .y_label_formatter(&|v| format!("{}%", trim(*v, 4)))
        .draw()?;
    let mut legend = Vec::new();
    for l in &p.lines {
        let pixels: Vec<(i32, i32)> = l.points.iter().map(|pt| chart.backend_coord(pt)).collect();
        draw_polyline(root, &pixels, l.colour, bitmap)?;
        if let Some(first) = l.points.first().filter(|pt| pt.0 == AT_ONCE) {
            root.draw(&Circle::new(chart.backend_coord(first), 5, l.colour.filled()))?;
        }
        legend.push(LegendEntry { label: l.label.clone(), colour: l.colour, kind: Mark::Line });
    }
    for (label, colour, t) in &p.targets {
        let style = ShapeStyle::from(colour).stroke_width(2);
        chart.draw_series(DashedLineSeries::new(vec![(*t, y_lo), (*t, y_hi)], 8, 5, style))?;
        legend.push(LegendEntry { label: label.clone(), colour: *colour, kind: Mark::Dashed });
    }
    draw_legend(side, &legend)
}

/// An f64 axis with ticks exactly where given.
#[derive(Clone, Debug)]
pub(crate) struct Ticks {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    pub(crate) ticks: Vec<f64>,
    /// Logarithmic (`lo` > 0); else linear.
    pub(crate) log: bool,
}

impl Ranged for Ticks {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let f = if self.log {
            // Values at or below zero are drawn at the axis's foot, not lost as NaN.
            let ln = |v: f64| v.max(f64::MIN_POSITIVE).ln();
            (ln(*value) - ln(self.lo)) / (ln(self.hi) - ln(self.lo))
        } else {
            (value - self.lo) / (self.hi - self.lo)
        };
        limit.0 + (f64::from(limit.1 - limit.0) * f).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        self.ticks.clone()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn draw_heat<DB: DrawingBackend>(
    p: &HeatPlot,
    area: &DrawingArea<DB, Shift>,
    side: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let x = Ticks { lo: 0.0, hi: 24.0, ticks: (0..=8).map(|h| f64::from(h * 3)).collect(), log: false };
    let y = Ticks { lo: 0.0, hi: 7.0, ticks: (0..7).map(|d| f64::from(d) + 0.5).collect(), log: false };
    let mut chart =
        ChartBuilder::on(area).margin(10).x_label_area_size(48).y_label_area_size(76).build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("hour of day of submission")
        .y_desc("day of week")
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 13))
        .x_label_formatter(&|v: &f64| format!("{:02}:00", *v as u32))
        .y_label_formatter(&|v: &f64| DAYS[6usize.saturating_sub(v.floor() as usize).min(6)].to_string())
        .draw()?;
    let (llo, lhi) = (p.lo.ln(), p.hi.ln());
    let scale = |m: f64| (m.max(p.lo).ln() - llo) / (lhi - llo);
    let mut cells = Vec::with_capacity(168);
    for (d, row) in p.cells.iter().enumerate() {
        for (h, cell) in row.iter().enumerate() {
            let colour = match cell {
                Some(m) => heat_colour(scale(*m)),
                None => RGBColor(225, 225, 225),
            };
            let (x0, y0) = (h as f64, (6 - d) as f64);
            cells.push(Rectangle::new([(x0 + 0.04, y0 + 0.05), (x0 + 0.96, y0 + 0.95)], colour.filled()));
        }
    }
    chart.draw_series(cells)?;
    // Colour bar: a column of bands with duration ticks.
    let (top, bottom, x0, x1) = (50i32, 380i32, 10i32, 34i32);
    let bands = 60;
    for i in 0..bands {
        let f = 1.0 - (i as f64 + 0.5) / bands as f64;
        let ya = top + (bottom - top) * i / bands;
        let yb = top + (bottom - top) * (i + 1) / bands;
        side.draw(&Rectangle::new([(x0, ya), (x1, yb)], heat_colour(f).filled()))?;
    }
    side.draw(&Rectangle::new([(x0, top), (x1, bottom)], ShapeStyle::from(&RGBColor(120, 120, 120)).stroke_width(1)))?;
    side.draw(&Text::new("mean wait", (x0, top - 28), label_font()))?;
    // Cells of zero (or under a second) get the palest colour: say so at the foot.
    side.draw(&Text::new("(0 s palest)", (x0, bottom + 10), label_font()))?;
    // Both ends, and the round durations between them that stand clear of the ends.
    let mut ticks = vec![p.lo];
    ticks.extend(DURATION_TICKS.iter().copied().filter(|t| scale(*t) > 0.08 && scale(*t) < 0.92));
    ticks.push(p.hi);
    let top_tick = ticks.len() - 1;
    for (i, t) in ticks.into_iter().enumerate() {
        let y = bottom - ((bottom - top) as f64 * scale(t)).round() as i32;
        side.draw(&PathElement::new(vec![(x1, y), (x1 + 5, y)], ShapeStyle::from(&BLACK)))?;
        let label = if i == top_tick && p.capped { format!("≥ {}", fmt_duration(t)) } else { fmt_duration(t) };
        side.draw(&Text::new(label, (x1 + 8, y - 7), label_font()))?;
    }
    side.draw(&Rectangle::new([(x0, bottom + 36), (x1, bottom + 50)], RGBColor(225, 225, 225).filled()))?;
    side.draw(&Text::new("no jobs", (x1 + 8, bottom + 36), label_font()))?;
    Ok(())
}

fn draw_gantt<DB: DrawingBackend>(
    p: &GanttPlot,
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    side: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .x_label_area_size(48)
        .y_label_area_size(if p.groups.is_empty() { 76 } else { 20 })
        .build_cartesian_2d(p.x_range.0..p.x_range.1, 0.0..p.nodes)?;
    let mut mesh = mesh_styles(&mut chart, &p.x_desc, if p.groups.is_empty() { "node id" } else { "" });
    mesh.x_label_formatter(&|v| trim(*v, 2)).y_label_formatter(&|v| trim(*v, 0));
    if !p.groups.is_empty() {
        // The bands name their nodes; node-id ticks on a stretched axis would mislead.
        mesh.disable_y_mesh().y_labels(0);
    }
    mesh.draw()?;
    chart.draw_series(p.bars.iter().map(|b| Rectangle::new([(b.x0, b.y0), (b.x1, b.y1)], b.colour.filled())))?;
    for (label, y0, y1) in &p.groups {
        let edge = ShapeStyle::from(&RGBColor(40, 40, 40)).stroke_width(2);
        chart.draw_series(std::iter::once(PathElement::new(vec![(p.x_range.0, *y1), (p.x_range.1, *y1)], edge)))?;
        let (x, y) = chart.backend_coord(&(p.x_range.0, (y0 + y1) / 2.0));
        let text = label_font().color(&BLACK);
        let w = (label.chars().count() as i32) * 8 + 8;
        root.draw(&Rectangle::new([(x + 2, y - 10), (x + 2 + w, y + 10)], WHITE.mix(0.85).filled()))?;
        root.draw(&Text::new(label.clone(), (x + 6, y - 8), text))?;
    }
    draw_legend(side, &p.legend)
}

#[cfg(test)]
mod tests {
    #[test]
    fn legend_labels_break_after_slashes() {
        assert_eq!(super::wrap("fcfs/easy", 19), ["fcfs/easy"]);
        assert_eq!(super::wrap("sjf/conservative/actual", 19), ["sjf/conservative/", "actual"]);
        assert_eq!(super::wrap("fcfs/easy[depth=2,x=1]", 19), ["fcfs/easy[depth=2,", "x=1]"]);
        assert_eq!(super::wrap("abcdefghijklmnopqrstuvwxyz", 19), ["abcdefghijklmnopqrs", "tuvwxyz"]);
    }

    use super::*;

    #[test]
    fn durations_read_as_a_person_would_say_them() {
        assert_eq!(fmt_duration(0.0), "0 s");
        assert_eq!(fmt_duration(4.709), "4.7 s");
        assert_eq!(fmt_duration(60.0), "1 min");
        assert_eq!(fmt_duration(5400.0), "1.5 h");
        assert_eq!(fmt_duration(86400.0), "1 d");
        assert_eq!(fmt_duration(7.0 * 86400.0), "7 d");
        assert_eq!(fmt_duration(1814469.308), "21 d");
        assert_eq!(fmt_duration(30.0 * 86400.0), "30 d");
        assert_eq!(fmt_duration(365.0 * 86400.0), "1 yr");
        assert_eq!(fmt_duration(f64::NAN), "—");
    }

    #[test]
    fn binning_keeps_at_most_the_limit_and_averages() {
        let t: Vec<f64> = (0..10_001).map(f64::from).collect();
        let v: Vec<f64> = t.iter().map(|x| x % 2.0).collect();
        let (pts, per) = bin_series(&t, &v, MAX_POINTS);
        assert!(pts.len() <= MAX_POINTS, "{}", pts.len());
        assert_eq!(per, 6);
        assert!((pts[0].1 - 0.5).abs() < 1e-12);
        // The band keeps what the mean hides.
        assert_eq!((pts[0].2, pts[0].3), (0.0, 1.0));
        let (pts, per) = bin_series(&t[..5], &v[..5], MAX_POINTS);
        assert_eq!((pts.len(), per), (5, 1));
    }

    #[test]
    fn heat_scale_runs_pale_to_dark() {
        assert_eq!(heat_colour(0.0), RGBColor(255, 255, 204));
        assert_eq!(heat_colour(1.0), RGBColor(128, 0, 38));
        assert_eq!(heat_colour(f64::NAN), RGBColor(255, 255, 204));
    }

    #[test]
    fn legend_labels_wrap_at_spaces() {
        assert_eq!(wrap("batch", 19), vec!["batch"]);
        assert_eq!(
            wrap("interactive target 1 min: 99.7% within", 19),
            vec!["interactive target", "1 min: 99.7% within"]
        );
        // A number and its unit, or the digits of a number, are never split.
        assert_eq!(wrap("debug target 10 min: 100% within", 19), vec!["debug target", "10 min: 100% within"]);
        assert_eq!(wrap("batch (1,029 started)", 19), vec!["batch", "(1,029 started)"]);
    }

    #[test]
    fn hour_of_week_follows_the_trace_header_start() {
        use crate::report::fixture::{write_fixture_run, FixtureSpec};
        let dir = tempfile::tempdir().unwrap();
        write_fixture_run(dir.path(), &FixtureSpec { jobs: 1500, ..FixtureSpec::default() }).unwrap();
        let cells = |dir: &Path| -> Vec<[[Option<f64>; 24]; 7]> {
            let run = crate::report::rundata::load_run(dir).unwrap();
            heatmap_specs(&run)
                .into_iter()
                .filter_map(Result::ok)
                .map(|s| match s.plot {
                    Plot::Heat(h) => h.cells,
                    _ => unreachable!("a heatmap"),
                })
                .collect()
        };
        let plain = cells(dir.path());
        // A trace that started on a Sunday at 09:00: hour h of the run is hour h + 6 × 24 + 9
        // of the week.
        std::fs::write(
            dir.path().join("schedule.swf"),
            "; UnixStartTime: 1027839600\n; StartTime: Sun Jul 28 09:00:00 CEST 2002\n1 0 0 1 1 -1 -1 1 1 -1 1\n",
        )
        .unwrap();
        let started = cells(dir.path());
        assert!(!plain.is_empty() && plain.len() == started.len());
        for (a, b) in plain.iter().zip(&started) {
            for h in 0..168 {
                let k = (h + 6 * 24 + 9) % 168;
                assert_eq!(a[h / 24][h % 24], b[k / 24][k % 24], "hour {h}");
            }
        }
        // The first job (submitted in the run's first hour) sits on Sunday, 09:00.
        let run = crate::report::rundata::load_run(dir.path()).unwrap();
        let first = run.jobs.iter().filter(|j| wait_of(j).is_some()).map(|j| j.submit).fold(f64::INFINITY, f64::min);
        assert!(first < 3600.0, "{first}");
        assert!(started.iter().any(|c| c[6][9].is_some()), "nothing on Sunday 09:00");
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_safe("batch"), "batch");
        assert_eq!(file_safe("gpu/a100 x"), "gpu_a100_x");
        assert_eq!(file_safe(""), "_");
    }
}
