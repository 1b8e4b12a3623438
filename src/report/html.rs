//! `report.html`: one self-contained page for a run. Charts are inline SVG, the style sheet
//! is inline, there is no script, and no address of any other site: the file opens offline
//! and can be mailed or put on a slide as it is. Deterministic to the byte: no timestamps,
//! every table in a fixed order.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::charts::{class_css_colour, fmt_count, fmt_duration, Chart, Charts};
use super::rundata::{LoginSummary, Outcome, RunData, RunInfo};
use super::{write_atomic, ReportError};

/// Escapes text for HTML; `://` is written `:&#47;&#47;` so that no address appears literally.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out.replace("://", ":&#47;&#47;")
}

fn count(n: u64) -> String {
    fmt_count(n)
}

/// A share 0..1 as a percentage, `—` when unknown.
pub(crate) fn pct(v: f64) -> String {
    if v.is_finite() {
        format!("{:.1}%", 100.0 * v)
    } else {
        "—".into()
    }
}

/// A figure with `digits` decimals, `—` when unknown.
pub(crate) fn num(v: f64, digits: usize) -> String {
    if v.is_finite() {
        format!("{v:.digits$}")
    } else {
        "—".into()
    }
}

/// A figure of summary.json shown as a person would read it, judged by its name: shares as
/// percentages, times as durations, counts with separators; other values as written.
fn value_text(key: &str, v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "—".into(),
        Value::Bool(b) => (if *b { "yes" } else { "no" }).into(),
        Value::String(t) => escape(t),
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            let timed = ["limit", "arrival", "end", "span", "time", "wait"];
            if key.ends_with("rate") || key.ends_with("share") || key.contains("utilisation") {
                pct(x)
            } else if timed.iter().any(|t| key.split('_').any(|part| part == *t)) {
                escape(&fmt_duration(x))
            } else if let Some(u) = n.as_u64() {
                count(u)
            } else {
                num(x, 2)
            }
        }
        other => format!("<code>{}</code>", escape(&other.to_string())),
    }
}

/// A duration cell: readable, with the exact seconds on hover.
fn dur(v: f64) -> String {
    if v.is_finite() {
        format!("<td title=\"{} s\">{}</td>", num(v, 3), escape(&fmt_duration(v)))
    } else {
        "<td>—</td>".into()
    }
}

/// The style sheet of every report page (a run's, a comparison's, a sweep's, a pool sizing's).
pub(crate) const STYLE: &str = "
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif; margin: 0;
  background: #f6f7f9; color: #1d232b; line-height: 1.45; }
main { max-width: 1080px; margin: 0 auto; padding: 1.5rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 2px solid #d8dde3; padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p.sub { margin: 0; color: #56606b; }
nav { margin: 1rem 0; font-size: .95rem; }
nav a { margin-right: 1rem; color: #1f5fa8; }
table { border-collapse: collapse; background: #fff; font-size: .93rem; margin: .3rem 0; }
th, td { border: 1px solid #d8dde3; padding: .3rem .6rem; text-align: right; }
td { white-space: nowrap; }
th { background: #eef1f4; font-weight: 600; }
td:first-child, th:first-child { text-align: left; }
td.best { font-weight: 700; background: #e6f2e6; }
tr.total td { font-weight: 600; border-top: 2px solid #9aa4ae; }
table.headline th { white-space: normal; }
p.window { max-width: 60rem; }
table.kv td:first-child { font-weight: 600; background: #eef1f4; }
table.kv td { text-align: left; white-space: normal; overflow-wrap: anywhere; }
div.wide { overflow-x: auto; }
.swatch { display: inline-block; width: .8em; height: .8em; margin-right: .4em; border-radius: 2px;
  vertical-align: baseline; }
.bar { display: inline-block; height: .7em; background: #1f77b4; vertical-align: middle; margin-left: .4em; }
p.best { background: #fff; border-left: 4px solid #2ca02c; padding: .5rem .8rem; }
figure.chart { background: #fff; border: 1px solid #d8dde3; margin: 1rem 0; padding: .6rem; }
figure.chart svg { display: block; width: 100%; height: auto; max-width: 1000px; margin: 0 auto; }
figcaption { margin-top: .4rem; color: #333c46; }
figcaption .files { color: #6b7580; font-size: .85rem; }
.note { color: #56606b; }
footer { margin-top: 2.5rem; color: #6b7580; font-size: .85rem; }
";

/// Opens a page: its head (title, [`STYLE`], the charts' font) and the `<h1>` heading;
/// `heading` is HTML.
pub(crate) fn page_start(w: &mut String, heading: &str) {
    let _ = write!(
        w,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{heading}</title>\n<style>{}{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{heading}</h1>\n",
        font_faces()
    );
}

/// The characters the embedded faces hold: Latin (with Latin-1 and Extended-A), Greek,
/// punctuation, super- and subscripts, currency, letterlike symbols, arrows, mathematical
/// operators, technical signs (⌈ ⌉) and geometric shapes. A browser sets any other character
/// of a chart (a partition named in Cyrillic, say) in the reader's own font. The ranges are the
/// ones `scripts/subset-report-font.sh` cut the faces to.
const UNICODE_RANGE: &str = "U+0000-017F, U+0370-03FF, U+2000-206F, U+2070-209F, U+20A0-20CF, U+2100-214F, \
                             U+2190-21FF, U+2200-22FF, U+2300-23FF, U+25A0-25FF";

/// The charts' font (DejaVu Sans, which the PNGs are drawn with) cut to [`UNICODE_RANGE`]: 236 KB
/// for both faces where the whole font is 1.4 MB, so a page carries 0.3 MB of it, not 1.9 MB.
const FACES: [(&str, &[u8]); 2] = [
    ("normal", include_bytes!("fonts/DejaVuSans-subset.ttf")),
    ("bold", include_bytes!("fonts/DejaVuSans-Bold-subset.ttf")),
];

/// `@font-face` rules carrying the charts' font (regular and bold), so that the inline SVGs'
/// text is set in the font their layout was measured with, as in the PNGs, whatever the
/// reader has installed.
fn font_faces() -> &'static str {
    static CSS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CSS.get_or_init(|| {
        FACES
            .iter()
            .map(|(weight, bytes)| {
                format!(
                    "@font-face {{ font-family: '{}'; font-weight: {weight}; src: url(data:font/ttf;base64,{}) \
                     format('truetype'); unicode-range: {UNICODE_RANGE}; }}\n",
                    super::charts::FONT_FACE,
                    base64(bytes)
                )
            })
            .collect()
    })
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A row of a two-column table: `key`, then `value` (HTML) or "not recorded".
pub(crate) fn kv_row(w: &mut String, key: &str, value: Option<String>) {
    let value = value.unwrap_or_else(|| "<span class=\"note\">not recorded</span>".into());
    let _ = writeln!(w, "<tr><td>{key}</td><td>{value}</td></tr>");
}

/// The page for `run` with `charts`.
pub fn render_html(run: &RunData, charts: &Charts) -> String {
    let s = &run.summary;
    let info = s.run.clone().unwrap_or_default();
    let name = info
        .name
        .clone()
        .or_else(|| run.dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "run".into());
    let mut h = String::with_capacity(256 * 1024);
    let w = &mut h;
    page_start(w, &format!("schedsim report: {}", escape(&name)));
    let sub: Vec<String> = [info.source.as_deref(), info.policy.as_deref(), info.cluster.as_deref()]
        .into_iter()
        .flatten()
        .map(escape)
        .collect();
    if !sub.is_empty() {
        let _ = writeln!(w, "<p class=\"sub\">{}</p>", sub.join(" · "));
    }
    let _ = writeln!(
        w,
        "<nav><a href=\"#run\">What was run</a><a href=\"#headline\">Headline</a><a href=\"#classes\">Classes</a>\
         <a href=\"#partitions\">Partitions</a><a href=\"#outcomes\">Outcomes</a><a href=\"#login\">Login nodes</a>\
         <a href=\"#charts\">Charts</a></nav>"
    );

    // What was run.
    let _ = writeln!(w, "<section id=\"run\">\n<h2>What was run</h2>\n<table class=\"kv\">");
    let row = kv_row;
    row(w, "run", Some(escape(&name)));
    row(w, "source", info.source.as_deref().map(escape));
    row(w, "policy", info.policy.as_deref().map(escape));
    row(w, "seed", info.seed_text());
    row(w, "schedsim version", info.version.as_deref().map(escape));
    row(w, "cluster", info.cluster.as_deref().map(escape));
    row(w, "nodes", info.nodes.map(count));
    row(w, "cores", info.cores.map(count));
    row(w, "sample interval", info.sample_interval.map(|v| escape(&fmt_duration(v))));
    let _ = writeln!(w, "</table>");
    if s.run.is_none() {
        let _ = writeln!(
            w,
            "<p class=\"note\">This run's summary.json predates run descriptions: only its figures are shown.</p>"
        );
    }
    let _ = writeln!(w, "</section>");

    headline(w, run);

    // Classes.
    let _ = writeln!(w, "<section id=\"classes\">\n<h2>Waits per class</h2>\n<table>");
    let _ = writeln!(
        w,
        "<tr><th>class</th><th>jobs</th><th>started</th><th>mean wait</th><th>median wait</th><th>p95 wait</th>\
         <th>max wait</th><th>mean bounded slowdown</th><th>abandoned</th><th>wait target</th>\
         <th>started within target</th></tr>"
    );
    if s.classes.is_empty() {
        let _ = writeln!(
            w,
            "<tr><td>all jobs</td><td>{}</td><td>—</td>{}{}{}{}<td>{}</td><td>—</td><td>—</td><td>—</td></tr>",
            count(s.jobs),
            dur(s.mean_wait),
            dur(s.median_wait),
            dur(s.p95_wait),
            dur(s.max_wait),
            num(s.mean_bsld, 2)
        );
    } else {
        let mut names: Vec<&String> = s.classes.keys().collect();
        names.sort_by(|a, b| super::rundata::class_rank(a).cmp(&super::rundata::class_rank(b)));
        for c in names {
            let cs = &s.classes[c];
            let idx = run.classes.iter().position(|n| n == c).unwrap_or(run.classes.len());
            let _ = writeln!(
                w,
                "<tr><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td>{}</td><td>{}</td>\
                 {}{}{}{}<td>{}</td><td>{}</td>{}<td>{}</td></tr>",
                class_css_colour(c, idx),
                escape(c),
                count(cs.jobs),
                count(cs.started),
                dur(cs.mean_wait),
                dur(cs.median_wait),
                dur(cs.p95_wait),
                dur(cs.max_wait),
                num(cs.mean_bsld, 2),
                pct(cs.abandonment_rate),
                cs.target.map_or_else(|| "<td>—</td>".to_string(), dur),
                cs.within_target.map_or_else(|| "—".to_string(), pct),
            );
        }
    }
    let _ = writeln!(w, "</table>");
    let _ = writeln!(
        w,
        "<p class=\"note\">Waits are of jobs that started; abandonment and the share within target are over \
         accepted (not rejected) jobs.</p>\n</section>"
    );

    // Partitions.
    let _ = writeln!(w, "<section id=\"partitions\">\n<h2>Utilisation per partition</h2>\n<table>");
    let _ = writeln!(w, "<tr><th>partition</th><th>nodes</th><th>cores</th><th>jobs</th><th>utilisation</th></tr>");
    let util_cell = |u: f64| {
        let width = if u.is_finite() { (u.clamp(0.0, 1.0) * 120.0).round() } else { 0.0 };
        format!("<td>{}<span class=\"bar\" style=\"width:{width}px\"></span></td>", pct(u))
    };
    if s.partitions.is_empty() {
        let _ = writeln!(
            w,
            "<tr><td>whole machine</td><td>{}</td><td>{}</td><td>{}</td>{}</tr>",
            info.nodes.map_or("—".into(), count),
            info.cores.map_or("—".into(), count),
            count(s.jobs),
            util_cell(s.utilisation)
        );
    } else {
        for (p, ps) in &s.partitions {
            let _ = writeln!(
                w,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}</tr>",
                escape(p),
                count(ps.nodes),
                count(ps.cores),
                count(ps.jobs),
                util_cell(ps.utilisation)
            );
        }
    }
    let _ = writeln!(
        w,
        "</table>\n<p class=\"note\">Whole machine: {} of core-time busy over the measured window.</p>\n</section>",
        pct(s.utilisation)
    );

    // Outcomes.
    let _ = writeln!(w, "<section id=\"outcomes\">\n<h2>Outcomes</h2>\n<table>");
    let _ = writeln!(w, "<tr><th>outcome</th><th>jobs</th><th>share</th></tr>");
    let mut outcomes: Vec<(String, u64)> = s.outcomes.iter().map(|(k, v)| (k.clone(), *v)).collect();
    if outcomes.is_empty() {
        outcomes = Outcome::ALL
            .iter()
            .map(|o| (o.as_str().to_string(), run.jobs.iter().filter(|j| j.outcome == *o).count() as u64))
            .filter(|(_, n)| *n > 0)
            .collect();
    } else {
        // Known outcomes in their usual order, then any others by name.
        outcomes.sort_by_key(|(k, _)| (Outcome::ALL.iter().position(|o| o.as_str() == k).unwrap_or(99), k.clone()));
    }
    let total: u64 = outcomes.iter().map(|(_, n)| n).sum();
    for (o, n) in &outcomes {
        let share = if total > 0 { *n as f64 / total as f64 } else { f64::NAN };
        let _ = writeln!(w, "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", escape(o), count(*n), pct(share));
    }
    let _ = writeln!(w, "</table>");
    for (title, reasons) in [("Rejected", &s.rejected_by_reason), ("Skipped", &s.skipped_by_reason)] {
        if !reasons.is_empty() {
            let items: Vec<String> = reasons.iter().map(|(r, n)| format!("{} ({})", escape(r), count(*n))).collect();
            let _ = writeln!(w, "<p>{title}, by reason: {}.</p>", items.join(", "));
        }
    }
    let _ = writeln!(w, "</section>");

    login_section(w, s.login.as_ref());

    charts_section(w, charts, "Not drawn for this run:");
    let _ = writeln!(
        w,
        "<footer>Built by schedsim {} from this run's directory (jobs.csv, summary.json{}{}); \
         rebuild with <code>schedsim report DIR</code>. The charts are also in charts/ as SVG and PNG.</footer>",
        env!("CARGO_PKG_VERSION"),
        if run.timeseries.is_some() { ", timeseries.csv" } else { "" },
        if run.login.is_some() { ", login.csv" } else { "" },
    );
    let _ = writeln!(w, "</main>\n</body>\n</html>");
    h
}

/// The headline: what window the figures cover, then one row per class (counts, outcomes,
/// waits) and an all-jobs row with only what adds up across classes: counts and utilisation.
/// Waits of all classes pooled would mix batch queues with sessions that start at once.
fn headline(w: &mut String, run: &RunData) {
    let s = &run.summary;
    let win = Window::of(run);
    let _ =
        writeln!(w, "<section id=\"headline\">\n<h2>Headline</h2>\n<p class=\"window\">{}</p>", win.sentence(s.jobs));
    let mut head = String::from("<tr><th>class</th><th>jobs</th>");
    for o in Outcome::ALL {
        let _ = write!(head, "<th>{}</th>", OUTCOME_WORDS[o as usize]);
    }
    head.push_str("<th>median wait</th><th>p95 wait</th><th>started within target</th><th>utilisation</th></tr>");
    let _ = writeln!(w, "<table class=\"headline\">\n{head}");
    let counts = outcome_counts(run);
    for (ci, class) in run.classes.iter().enumerate() {
        let Some(cs) = s.classes.get(class) else { continue };
        let _ = write!(
            w,
            "<tr><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td>{}</td>",
            class_css_colour(class, ci),
            escape(class),
            count(cs.jobs)
        );
        for n in counts.get(ci).copied().unwrap_or_default() {
            let _ = write!(w, "<td>{}</td>", count(n));
        }
        let _ = writeln!(
            w,
            "{}{}<td>{}</td><td>{}</td></tr>",
            dur(cs.median_wait),
            dur(cs.p95_wait),
            cs.within_target.map_or_else(|| "—".to_string(), pct),
            cs.utilisation.map_or_else(|| "—".to_string(), pct)
        );
    }
    let _ = write!(w, "<tr class=\"total\"><td>all jobs</td><td>{}</td>", count(s.jobs));
    let all: Vec<u64> = Outcome::ALL
        .iter()
        .map(|o| s.outcomes.get(o.as_str()).copied().unwrap_or_else(|| counts.iter().map(|c| c[*o as usize]).sum()))
        .collect();
    for n in all {
        let _ = write!(w, "<td>{}</td>", count(n));
    }
    let _ = writeln!(w, "<td>—</td><td>—</td><td>—</td><td>{}</td></tr>\n</table>", pct(s.utilisation));
    let _ = writeln!(
        w,
        "<p class=\"note\">Each row's outcomes add up to its jobs. Waits are per class only: pooled over \
         classes they would mix batch queues with sessions that start at once. A class's utilisation is that \
         of the partitions its jobs ran in; the all-jobs figure is the whole machine's.{}</p>\n</section>",
        if s.skipped > 0 {
            format!(" {} more jobs of the input were skipped (see Outcomes) and are in no row.", count(s.skipped))
        } else {
            String::new()
        }
    );
}

/// Column heads of the outcomes, in [`Outcome::ALL`] order.
const OUTCOME_WORDS: [&str; 6] =
    ["completed", "killed at walltime", "ended idle", "abandoned (gave up waiting)", "preempted", "rejected"];

/// Per class (in [`RunData::classes`] order), the measured jobs of each outcome.
fn outcome_counts(run: &RunData) -> Vec<[u64; 6]> {
    let mut counts = vec![[0u64; 6]; run.classes.len()];
    for j in run.jobs.iter().filter(|j| run.measured(j)) {
        if let Some(c) = counts.get_mut(j.class as usize) {
            c[j.outcome as usize] += 1;
        }
    }
    counts
}

/// The stretch of simulated time the figures cover, read from the run's files.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Window {
    /// End of the warm-up (0 without one), seconds.
    pub(crate) warmup: f64,
    /// The last submission: arrivals stop here and the drain begins.
    pub(crate) last_submit: f64,
    /// The last job's end: the end of the utilisation window.
    pub(crate) last_end: f64,
    /// Whether the run is of a scenario (whose length is chosen) rather than a trace
    /// (where the makespan, first submission to last end, is a property of the trace).
    pub(crate) scenario: bool,
    /// The first submission.
    pub(crate) first_submit: f64,
}

impl Window {
    pub(crate) fn of(run: &RunData) -> Window {
        let info = run.summary.run.as_ref();
        let warmup = info.and_then(|r| r.warmup).filter(|w| w.is_finite() && *w > 0.0).unwrap_or(0.0);
        let submits = run.jobs.iter().map(|j| j.submit).filter(|t| t.is_finite());
        let first_submit = submits.clone().fold(f64::INFINITY, f64::min);
        let last_submit = submits.fold(0.0f64, f64::max);
        let last_end = run.jobs.iter().filter_map(|j| j.end).filter(|t| t.is_finite()).fold(last_submit, f64::max);
        let scenario = info.is_some_and(RunInfo::of_scenario);
        Window { warmup, last_submit, last_end, scenario, first_submit: first_submit.min(last_submit) }
    }

    /// What the tables cover, in words: run length, warm-up, measured window (and the
    /// makespan for a trace, where it is defined).
    fn sentence(&self, measured: u64) -> String {
        let day = |t: f64| format!("day {}", super::charts::trim(t / 86400.0, 1));
        let mut out = if self.scenario {
            format!(
                "Jobs arrived until {}; the machine then drained until the last job ended at {}.",
                day(self.last_submit),
                day(self.last_end)
            )
        } else {
            format!(
                "The trace's jobs were submitted from {} to {}; the last ended at {} (makespan {}).",
                day(self.first_submit),
                day(self.last_submit),
                day(self.last_end),
                escape(&fmt_duration(self.last_end - self.first_submit))
            )
        };
        if self.warmup > 0.0 {
            let _ = write!(
                out,
                " The first {} are warm-up: jobs submitted then are left out of every table. The tables cover the \
                 {} jobs submitted from {} on; utilisation is busy core-time over available core-time from {} to \
                 the last job's end, drain included.",
                escape(&fmt_duration(self.warmup)),
                count(measured),
                day(self.warmup),
                day(self.warmup)
            );
        } else {
            let _ = write!(
                out,
                " No warm-up: the tables cover all {} jobs; utilisation is over the first submission to the last \
                 job's end, drain included.",
                count(measured)
            );
        }
        out
    }
}

/// The login-node section: each figure in plain words with a one-sentence definition, then
/// the same figures per node.
fn login_section(w: &mut String, login: Option<&LoginSummary>) {
    let _ = writeln!(w, "<section id=\"login\">\n<h2>Login nodes</h2>");
    let Some(l) = login else {
        let _ = writeln!(w, "<p class=\"note\">This run has no login nodes.</p>\n</section>");
        return;
    };
    let extra = |k: &str| l.extra.get(k).and_then(|v| v.as_f64());
    let mut rows: Vec<(&str, String, &str)> = vec![
        (
            "login nodes",
            count(l.nodes),
            "Nodes where users edit, compile and submit; not scheduled by the batch system.",
        ),
        ("cores", count(l.cores), "Cores of all login nodes together; processes beyond a node's cores share them."),
    ];
    if let Some(limit) = extra("cpu_limit") {
        rows.push((
            "CPU-time limit",
            escape(&fmt_duration(limit)),
            "A process that has used this much CPU time is killed.",
        ));
    }
    if let Some(a) = l.extra.get("assignment").and_then(|v| v.as_str()) {
        rows.push(("how users are placed", escape(&assignment_words(a)), "How a new process chooses its login node."));
    }
    rows.push(("processes", count(l.processes), "Processes users started on the login nodes in the whole run."));
    rows.push((
        "killed at the CPU-time limit",
        format!("{} ({})", count(l.killed), pct(l.kill_rate)),
        "Processes ended by the limit, and their share of all processes.",
    ));
    if let Some(m) = l.extra.get("max_active").and_then(|v| v.as_u64()) {
        rows.push((
            "most processes at once",
            count(m),
            "The highest number present at one instant, on all login nodes together.",
        ));
    }
    if let Some(m) = extra("mean_active") {
        rows.push((
            "processes present on average",
            num(m, 2),
            "Time-weighted mean over the run, on all login nodes together.",
        ));
    }
    if let Some(b) = extra("busy_share") {
        rows.push((
            "time with any process",
            pct(b),
            "Share of node-time with at least one process present (a node may be busy but far from full).",
        ));
    }
    if let Some(u) = extra("utilisation") {
        rows.push((
            "core utilisation",
            pct(u),
            "CPU time used over the cores' time available: how full the cores were.",
        ));
    }
    rows.push((
        "mean slow-down (stretch)",
        num(l.mean_stretch, 2),
        "Time on the node over CPU time used; 1 means a process never waited for a core.",
    ));
    rows.push(("p95 slow-down", num(l.p95_stretch, 2), "95% of processes were slowed down by at most this factor."));
    let _ = writeln!(w, "<table class=\"kv\">\n<tr><th>figure</th><th>value</th><th>what it means</th></tr>");
    for (k, v, meaning) in rows {
        let _ = writeln!(w, "<tr><td>{k}</td><td>{v}</td><td class=\"note\">{}</td></tr>", escape(meaning));
    }
    let _ = writeln!(w, "</table>");
    if let Some(serde_json::Value::Array(nodes)) = l.extra.get("per_node") {
        let cols: [(&str, &str); 7] = [
            ("processes", "processes"),
            ("killed", "killed"),
            ("kill_rate", "killed share"),
            ("max_active", "most at once"),
            ("mean_active", "on average"),
            ("busy_share", "time with any process"),
            ("utilisation", "core utilisation"),
        ];
        let head: String = cols.iter().map(|(_, h)| format!("<th>{h}</th>")).collect();
        let _ = writeln!(w, "<h3>Per login node</h3>\n<table>\n<tr><th>node</th>{head}</tr>");
        for (i, node) in nodes.iter().filter_map(|n| n.as_object()).enumerate() {
            let id = node.get("node").map_or_else(|| i.to_string(), |v| value_text("node", v));
            let cells: String = cols
                .iter()
                .map(|(k, _)| format!("<td>{}</td>", node.get(*k).map_or("—".into(), |v| value_text(k, v))))
                .collect();
            let _ = writeln!(w, "<tr><td>{id}</td>{cells}</tr>");
        }
        let _ = writeln!(w, "</table>");
    }
    let _ = writeln!(w, "</section>");
}

/// A login assignment rule as the scenario file spells it, with what it does.
fn assignment_words(key: &str) -> String {
    match key {
        "round_robin" => "round-robin: each user is pinned to the next node in turn".into(),
        "random" => "random: each user is pinned to a node drawn at random".into(),
        "least_loaded" => "least-loaded: each process goes to the node with the fewest processes".into(),
        other => other.replace('_', "-"),
    }
}

/// The "Charts" section: every chart as a figure, then what was not drawn and why.
pub(crate) fn charts_section(w: &mut String, charts: &Charts, not_drawn: &str) {
    let _ = writeln!(w, "<section id=\"charts\">\n<h2>Charts</h2>");
    for c in &charts.charts {
        figure(w, c);
    }
    if !charts.skipped.is_empty() {
        let _ = writeln!(w, "<p class=\"note\">{not_drawn}</p>\n<ul class=\"note\">");
        for k in &charts.skipped {
            let _ = writeln!(w, "<li>{}: {}.</li>", escape(&k.title), escape(&k.reason));
        }
        let _ = writeln!(w, "</ul>");
    }
    let _ = writeln!(w, "</section>");
}

/// A chart as a figure: its SVG inline (without the namespace attribute, which HTML does not
/// need and which is an address), its caption, and links to its files.
fn figure(w: &mut String, c: &Chart) {
    let svg = inline_svg(&c.svg, &c.title);
    let _ = writeln!(
        w,
        "<figure class=\"chart\" id=\"chart-{name}\">\n{svg}<figcaption>{caption} <span class=\"files\">\
         (<a href=\"charts/{name}.svg\">SVG</a>, <a href=\"charts/{name}.png\">PNG</a>)</span></figcaption>\n</figure>",
        name = escape(&c.name),
        caption = escape(&c.caption),
    );
}

/// `svg` made fit for inlining in HTML: no XML namespace address, labelled for screen readers.
pub fn inline_svg(svg: &str, title: &str) -> String {
    let body = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    let body = body.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{}\" ", escape(title)), 1);
    // Text drawn from the data (class or partition names) must not carry an address either.
    body.replace("://", ":&#47;&#47;")
}

/// Writes `report.html` into `dir`.
pub fn write_html(dir: &Path, html: &str) -> Result<PathBuf, ReportError> {
    let path = dir.join("report.html");
    write_atomic(&path, |f| std::io::Write::write_all(f, html.as_bytes()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each range of [`UNICODE_RANGE`], as code points.
    fn declared() -> Vec<std::ops::RangeInclusive<u32>> {
        UNICODE_RANGE
            .split(", ")
            .map(|r| {
                let (a, b) = r.trim().trim_start_matches("U+").split_once('-').expect("a range");
                u32::from_str_radix(a, 16).unwrap()..=u32::from_str_radix(b, 16).unwrap()
            })
            .collect()
    }

    #[test]
    fn the_embedded_faces_hold_every_glyph_of_their_declared_range() {
        // A browser takes a character in the range from the embedded face and nowhere else, so
        // a glyph the whole font has and the cut face lacks would be drawn as a blank box.
        let whole = [dejavu::sans::regular(), dejavu::sans::bold()];
        for ((weight, cut), whole) in FACES.iter().zip(whole) {
            let cut = ttf_parser::Face::parse(cut, 0).expect("the cut face parses");
            let whole = ttf_parser::Face::parse(whole, 0).expect("the whole face parses");
            let mut held = 0;
            for cp in declared().into_iter().flatten() {
                // Control characters are never drawn: the cut drops their glyphs.
                let Some(c) = char::from_u32(cp).filter(|c| !c.is_control()) else { continue };
                if whole.glyph_index(c).is_some() {
                    assert!(cut.glyph_index(c).is_some(), "the {weight} face lacks {c:?} (U+{cp:04X})");
                    held += 1;
                }
            }
            assert!(held > 1000, "the {weight} face holds only {held} characters");
        }
    }

    #[test]
    fn the_signs_the_reports_write_are_in_the_declared_range() {
        let ranges = declared();
        for c in "—–−±×÷≤≥≈→·§⌈⌉…µσ°".chars() {
            assert!(ranges.iter().any(|r| r.contains(&u32::from(c))), "{c:?} is outside the embedded faces");
        }
    }

    #[test]
    fn escaping_covers_markup_and_addresses() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
        assert_eq!(escape("see https://example.org"), "see https:&#47;&#47;example.org");
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(202871), "202,871");
        assert_eq!(count(1234567), "1,234,567");
    }

    #[test]
    fn extra_figures_read_by_their_names() {
        use serde_json::json;
        assert_eq!(value_text("kill_rate", &json!(0.0046)), "0.5%");
        assert_eq!(value_text("busy_share", &json!(0.53)), "53.0%");
        assert_eq!(value_text("cpu_limit", &json!(1800.0)), "30 min");
        assert_eq!(value_text("last_end", &json!(1814469.308)), "21 d");
        assert_eq!(value_text("completed", &json!(109508)), "109,508");
        assert_eq!(value_text("mean_active", &json!(3.7997)), "3.80");
        assert_eq!(value_text("assignment", &json!("round_robin")), "round_robin");
        assert_eq!(value_text("x", &json!(null)), "—");
        assert_eq!(value_text("x", &json!([1, 2])), "<code>[1,2]</code>");
    }

    #[test]
    fn base64_follows_the_rfc_vectors() {
        for (raw, enc) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64(raw.as_bytes()), enc);
        }
        assert_eq!(base64(&[0xfb, 0xff, 0xfe]), "+//+");
    }

    #[test]
    fn inlined_svg_has_no_namespace_address() {
        let svg = "<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\">\n</svg>";
        let out = inline_svg(svg, "T");
        assert!(!out.contains("http"), "{out}");
        assert!(out.starts_with("<svg role=\"img\" aria-label=\"T\" width=\"10\""), "{out}");
    }
}
