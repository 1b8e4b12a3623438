//! A run's report as a capacity planner reads it: the headline adds up, the charts keep the
//! peaks the summary states, and the warm-up and drain are marked. Through the real binary
//! on the default scenario.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::cli::{schedsim, stderr};

/// The default scenario's run folder, made once for every test of this module.
fn default_run() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("temporary directory");
        let out = tmp.path().join("default");
        let o = schedsim(&["run", "scenarios/default.toml", "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        (tmp, out)
    })
    .1
}

fn summary(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// The text of each cell of each row of the first `<table` whose tag starts with `open`.
fn table(html: &str, open: &str) -> Vec<Vec<String>> {
    let at = html.find(open).unwrap_or_else(|| panic!("no {open}"));
    let body = &html[at..at + html[at..].find("</table>").unwrap()];
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = &cell[cell.find('>').unwrap() + 1..];
                    let inner = &inner[..inner.find("</td>").unwrap_or(inner.len())];
                    let mut text = String::new();
                    let mut tag = false;
                    for c in inner.chars() {
                        match c {
                            '<' => tag = true,
                            '>' => tag = false,
                            _ if !tag => text.push(c),
                            _ => {}
                        }
                    }
                    text
                })
                .collect()
        })
        .filter(|cells: &Vec<String>| !cells.is_empty())
        .collect()
}

fn number(cell: &str) -> u64 {
    cell.replace(',', "").parse().unwrap_or_else(|_| panic!("not a count: {cell}"))
}

#[test]
fn the_headline_outcomes_add_up_to_the_jobs_of_each_class_and_of_all() {
    let dir = default_run();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let s = summary(dir);
    let rows = table(&html, "<table class=\"headline\">");
    let (all, classes) = rows.split_last().unwrap();
    assert_eq!(all[0], "all jobs");
    assert_eq!(classes.len(), 3, "{rows:?}");
    let mut class_jobs = 0;
    for row in rows.iter() {
        // class, jobs, six outcomes, then waits and utilisation.
        let jobs = number(&row[1]);
        let outcomes: u64 = row[2..8].iter().map(|c| number(c)).sum();
        assert_eq!(outcomes, jobs, "{row:?}");
        if row[0] != "all jobs" {
            assert_eq!(jobs, s["classes"][&row[0]]["jobs"].as_u64().unwrap(), "{row:?}");
            class_jobs += jobs;
        }
    }
    assert_eq!(class_jobs, s["jobs"].as_u64().unwrap());
    assert_eq!(number(&all[1]), class_jobs);
    // The all-jobs row pools no waits.
    assert_eq!(&all[8..11], ["—", "—", "—"]);
    // A scenario has no makespan; its warm-up and window are stated.
    let at = html.find("<section id=\"headline\"").unwrap();
    let headline = &html[at..at + html[at..].find("</section>").unwrap()];
    assert!(!headline.contains("makespan"), "{headline}");
    for fact in ["The first 2 d are warm-up", "from day 2", "drained until the last job ended at day"] {
        assert!(headline.contains(fact), "no `{fact}` in {headline}");
    }
}

#[test]
fn the_login_table_speaks_the_scenario_language() {
    let html = std::fs::read_to_string(default_run().join("report.html")).unwrap();
    let at = html.find("<section id=\"login\"").unwrap();
    let login = &html[at..at + html[at..].find("</section>").unwrap()];
    assert!(login.contains("round-robin") && !login.contains("round_robin"), "{login}");
    assert!(!login.contains("first arrival") && !login.contains("busy share"), "{login}");
    let per_node = table(login, "<table>\n<tr><th>node</th>");
    assert_eq!(per_node.len(), 2);
    assert_eq!(per_node[0].len(), 8, "{per_node:?}");
}

/// The `<text>` elements of an SVG chart: (x, y, text), in document order.
fn svg_texts(path: &Path) -> Vec<(f64, f64, String)> {
    let svg = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    doc.descendants()
        .filter(|n| n.tag_name().name() == "text")
        .map(|n| {
            let num = |a: &str| n.attribute(a).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
            (num("x"), num("y"), n.text().unwrap_or("").trim().replace('\u{a0}', " "))
        })
        .collect()
}

/// The legend column's labels, each entry's wrapped lines joined again.
fn legend_labels(path: &Path) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut last_y = f64::NEG_INFINITY;
    for (_, y, t) in svg_texts(path).into_iter().filter(|(x, _, _)| *x >= 820.0) {
        // Lines of one entry are 17 pixels apart; entries further.
        if (y - last_y - 17.0).abs() < 0.5 {
            out.last_mut().unwrap().push_str(&format!(" {t}"));
        } else {
            out.push(t);
        }
        last_y = y;
    }
    out
}

#[test]
fn the_login_chart_peaks_are_the_summary_peaks() {
    let dir = default_run();
    let s = summary(dir);
    let labels = legend_labels(&dir.join("charts/login_load.svg"));
    let per_node = s["login"]["per_node"].as_array().unwrap();
    assert_eq!(per_node.len(), 2);
    for node in per_node {
        let (id, max) = (node["node"].as_u64().unwrap(), node["max_active"].as_u64().unwrap());
        let want = format!("login node {id} (at most {max} at once)");
        assert!(labels.contains(&want), "{want} not in {labels:?}");
    }
    // And the peak crosses the core count, which 20-minute means hid.
    let cores = s["login"]["cores_per_node"].as_u64().unwrap();
    assert!(per_node.iter().any(|n| n["max_active"].as_u64().unwrap() > cores));
}

#[test]
fn warm_up_and_drain_are_shaded_on_the_time_charts() {
    let dir = default_run();
    for chart in ["utilisation", "queue"] {
        let texts: Vec<String> = svg_texts(&dir.join(format!("charts/{chart}.svg"))).into_iter().map(|t| t.2).collect();
        for label in ["warm-up", "drain"] {
            assert!(texts.iter().any(|t| t == label), "{chart}: no {label} in {texts:?}");
        }
    }
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let at = html.find("id=\"chart-utilisation\"").unwrap();
    let figure = &html[at..at + html[at..].find("</figure>").unwrap()];
    let util = format!("{:.1}%", 100.0 * summary(dir)["utilisation"].as_f64().unwrap());
    assert!(figure.contains(&format!("the whole machine was {util} busy")), "{util} not in the caption");
}

#[test]
fn no_legend_label_splits_a_value() {
    let dir = default_run();
    let mut seen = 0;
    for entry in std::fs::read_dir(dir.join("charts")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "svg") {
            continue;
        }
        let legend: Vec<(f64, f64, String)> = svg_texts(&path).into_iter().filter(|(x, _, _)| *x >= 820.0).collect();
        for pair in legend.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            // Two lines of one entry: the first may not end inside a number or before its unit.
            if (b.1 - a.1 - 17.0).abs() < 0.5 {
                seen += 1;
                // `10` / `min`, `1,` / `556`, `47.` / `1%`: a value cut in two.
                let before_unit = a.2.ends_with(|c: char| c.is_ascii_digit() || c == '.');
                // A thousands separator has three digits after it; a list's comma has a space.
                let group = b.2.chars().take_while(char::is_ascii_digit).count() == 3
                    && b.2.chars().nth(3).is_none_or(|c| c != '.');
                let inside_number =
                    a.2.ends_with(',') && a.2[..a.2.len() - 1].ends_with(|c: char| c.is_ascii_digit()) && group;
                assert!(!before_unit && !inside_number, "{}: `{}` / `{}`", path.display(), a.2, b.2);
            }
        }
    }
    assert!(seen > 3, "too few wrapped labels ({seen}) to test");
}

/// Checks a comparison in `out` of the default scenario (`labels[0]`) and the default with 30%
/// more of every kind of arrival (`labels[1]`), and returns its report.html.
fn default_and_busier_side_by_side(out: &Path, labels: [&str; 2]) -> String {
    let (base, more) = (summary(&out.join(labels[0])), summary(&out.join(labels[1])));
    assert_eq!(base["jobs"], summary(default_run())["jobs"]);
    for class in ["batch", "interactive", "debug"] {
        let ratio = more["classes"][class]["jobs"].as_f64().unwrap() / base["classes"][class]["jobs"].as_f64().unwrap();
        assert!((1.2..1.4).contains(&ratio), "{class}: {ratio}");
    }
    // Side by side in the report: each class table has a row per variant, in order.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let rows: Vec<usize> = labels.iter().map(|l| html.find(&format!("</span>{l}</td>")).expect(l)).collect();
    assert!(rows[0] < rows[1]);
    html
}

#[test]
fn compare_sets_scenario_variants_side_by_side() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let o = schedsim(&["compare", "--set", "run.load_scale=1,1.3", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let labels = ["run.load_scale=1", "run.load_scale=1.3"];
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    let mut seen: Vec<&str> = Vec::new();
    for line in csv.lines().skip(1) {
        let variant = line.split(',').next().unwrap();
        if !seen.contains(&variant) {
            seen.push(variant);
        }
    }
    assert_eq!(seen, labels);
    let html = default_and_busier_side_by_side(&out, labels);
    assert!(html.contains("2 variants compared"), "not said to be variants");
    // The console gives waits with units, per class.
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let batch = text.lines().find(|l| l.contains("run.load_scale=1.3") && l.contains("batch")).expect("a batch row");
    assert!(batch.contains(" h ") || batch.contains(" d "), "{batch}");
}

#[test]
fn compare_set_needs_two_values_and_a_scenario() {
    for (args, needle) in [
        (&["compare", "--set", "run.load_scale=1.3"][..], "at least two values"),
        (&["compare", "--set", "run.lod_scale=1,2"][..], "run.lod_scale"),
        (&["compare", "--set", "run.load_scale=1,2", "--policies", "fcfs/easy"][..], "cannot be used with"),
    ] {
        let o = schedsim(args);
        assert!(!o.status.success(), "{args:?} succeeded");
        let e = stderr(&o);
        assert!(e.contains(needle), "{args:?}: {e}");
        assert_eq!(e.trim_end().lines().count(), 1, "{args:?}: {e}");
    }
}

#[test]
fn compare_puts_scenario_files_side_by_side_under_their_names() {
    let tmp = tempfile::tempdir().unwrap();
    // The default scenario with every arrival rate × 1.3, under another name.
    let text = std::fs::read_to_string("scenarios/default.toml").unwrap();
    let busier = text.replacen("name = \"default\"", "name = \"default-plus30\"", 1).replacen(
        "[run]\n",
        "[run]\nload_scale = 1.3\n",
        1,
    );
    assert_ne!(busier, text);
    let file = tmp.path().join("busier.toml");
    std::fs::write(&file, busier).unwrap();
    let out = tmp.path().join("cmp");
    let o = schedsim(&["compare", "scenarios/default.toml", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = default_and_busier_side_by_side(&out, ["default", "default-plus30"]);
    assert!(html.contains("2 variants compared"), "not said to be variants");
    // The console ranks per class, and says where the variants do not differ.
    let console = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(console.contains("best for batch: mean wait default; p95 wait default"), "{console}");
    assert!(console.contains("best for debug: mean wait the same under every variant;"), "{console}");
    // Two files of one name are told apart by their stems; the same file twice is refused.
    let same = tmp.path().join("same.toml");
    std::fs::write(&same, &text).unwrap();
    let out2 = tmp.path().join("cmp2");
    let o = schedsim(&[
        "compare",
        "scenarios/default.toml",
        same.to_str().unwrap(),
        "--no-report",
        "--out",
        out2.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out2.join("same").join("summary.json").is_file() && out2.join("default").is_dir());
    let o = schedsim(&["compare", "scenarios/default.toml", "scenarios/default.toml", "--out", out2.to_str().unwrap()]);
    assert!(stderr(&o).contains("are both called \"default\""), "{}", stderr(&o));
    let o = schedsim(&["compare", "scenarios/default.toml", file.to_str().unwrap(), "--policies", "fcfs/easy"]);
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
}

#[test]
fn inline_charts_are_set_in_the_embedded_font() {
    let html = std::fs::read_to_string(default_run().join("report.html")).unwrap();
    assert!(!html.contains("font-family=\"sans-serif\""), "a chart names the reader's sans-serif");
    assert!(html.contains("font-family=\"DejaVu Sans, sans-serif\""), "no chart names the embedded font");
    // Both weights the charts use are in the page.
    for weight in ["normal", "bold"] {
        let face =
            format!("@font-face {{ font-family: 'DejaVu Sans'; font-weight: {weight}; src: url(data:font/ttf;base64,");
        assert!(html.contains(&face), "no {weight} face");
    }
}

#[test]
fn a_trace_has_a_makespan_and_no_seed_while_a_scenario_has_a_seed_and_no_makespan() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = crate::cli::write(tmp.path(), "small.swf", crate::cli::SMALL);
    let out = tmp.path().join("trace");
    let o = schedsim(&["run", "--trace", trace.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("makespan 2.5 min"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<tr><td>seed</td><td>not applicable (a trace replay draws nothing at random)</td></tr>"));

    let out = tmp.path().join("scenario");
    let o = schedsim(&["run", "tests/data/small-pool.toml", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("makespan"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<tr><td>seed</td><td>7</td></tr>"));
}

/// `charts/` and `report.html` of a run folder, by relative path.
fn report_files(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = crate::common::tree(dir);
    files.retain(|p, _| p.starts_with("charts") || p == Path::new("report.html"));
    files
}

/// Checks that the report `run` made of `dir` from memory is, byte for byte, the one
/// `schedsim report` makes from the files, in a copy of the folder.
fn same_report_from_the_files(dir: &Path, copy: &Path) {
    let made = report_files(dir);
    assert!(made.len() > 4, "{}: too few report files: {:?}", dir.display(), made.keys());
    for (path, bytes) in crate::common::tree(dir) {
        let to = copy.join(&path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, bytes).unwrap();
    }
    std::fs::remove_dir_all(copy.join("charts")).unwrap();
    std::fs::remove_file(copy.join("report.html")).unwrap();
    let o = schedsim(&["report", copy.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let read = report_files(copy);
    assert_eq!(made.keys().collect::<Vec<_>>(), read.keys().collect::<Vec<_>>(), "{}", dir.display());
    for (path, bytes) in &made {
        assert!(*bytes == read[path], "{}: {} differs between memory and files", dir.display(), path.display());
    }
}

#[test]
fn the_report_made_from_memory_is_the_one_made_from_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    // Login nodes, a warm-up, three classes and partitions.
    same_report_from_the_files(default_run(), &tmp.path().join("default"));
    // Fair-share factors (six decimals in their file).
    let out = tmp.path().join("multifactor");
    let o = schedsim(&["run", "tests/data/small-pool.toml", "--order", "multifactor", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("fairshare.csv").is_file());
    same_report_from_the_files(&out, &tmp.path().join("multifactor-copy"));
    // A trace: its header's start, job labels, one flat node.
    if let Some(shared) = crate::common::shared_dir() {
        let out = tmp.path().join("kth");
        let trace = shared.join("traces/KTH-SP2-1996-2.1-cln.swf.gz");
        let o = schedsim(&["run", "--trace", trace.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        same_report_from_the_files(&out, &tmp.path().join("kth-copy"));
    }
}

/// `schedsim report DIR` rebuilds beside the folder and switches the result into place: a
/// build that fails half-way leaves the folder exactly as it was (before, the charts were
/// already rewritten when writing report.html failed), and one that succeeds replaces the
/// old report whole, printing the folder's own paths and leaving nothing beside it.
#[test]
fn report_rebuilds_beside_the_folder_and_switches_it_into_place() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let o = schedsim(&["run", "tests/data/small-pool.toml", "--out", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // An old report that differs from what a rebuild draws, and a report.html that cannot be
    // replaced (a folder): the rebuild fails after drawing every chart.
    let charts: Vec<PathBuf> = std::fs::read_dir(dir.join("charts")).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(charts.len() > 4);
    for c in &charts {
        std::fs::write(c, "old").unwrap();
    }
    std::fs::remove_file(dir.join("report.html")).unwrap();
    std::fs::create_dir(dir.join("report.html")).unwrap();
    std::fs::write(dir.join("report.html/keep"), "old").unwrap();
    let before = crate::common::tree(&dir);
    let o = schedsim(&["report", dir.to_str().unwrap()]);
    assert!(!o.status.success(), "replaced a folder named report.html");
    let e = stderr(&o);
    assert_eq!(e.trim_end().lines().count(), 1, "{e}");
    assert!(e.contains(&dir.join("report.html").display().to_string()) && !e.contains(".new-"), "{e}");
    assert!(crate::common::tree(&dir) == before, "a failed rebuild changed the folder");
    let beside: Vec<String> =
        std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(beside, ["run"], "left beside the folder");

    std::fs::remove_dir_all(dir.join("report.html")).unwrap();
    let o = schedsim(&["report", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let printed = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(printed.starts_with(&format!("report: {}\n", dir.join("report.html").display())), "{printed}");
    assert!(!printed.contains(".new-"), "{printed}");
    for c in &charts {
        assert_ne!(std::fs::read(c).unwrap(), b"old", "{} not rebuilt", c.display());
    }
    let beside: Vec<String> =
        std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(beside, ["run"], "left beside the folder");
    // The data files are the run's, untouched.
    let after = crate::common::tree(&dir);
    for name in ["jobs.csv", "summary.json", "timeseries.csv", "login.csv", "schedule.swf"] {
        assert!(after[Path::new(name)] == before[Path::new(name)], "{name} changed");
    }
}

/// The texts of an SVG chart's time axis: its tick labels, in order, and its title (the texts
/// below the plot, left of the legend).
fn x_axis_texts(path: &Path) -> (Vec<String>, String) {
    let texts: Vec<(f64, f64, String)> = svg_texts(path).into_iter().filter(|(x, _, _)| *x < 820.0).collect();
    let bottom = texts.iter().map(|t| t.1).fold(f64::NEG_INFINITY, f64::max);
    let title = texts.iter().find(|t| t.1 == bottom).map(|t| t.2.clone()).unwrap_or_default();
    // Tick labels sit on one line, about 30 pixels above the axis title.
    let mut ticks: Vec<(f64, String)> =
        texts.iter().filter(|t| t.1 < bottom - 10.0 && t.1 > bottom - 45.0).map(|t| (t.0, t.2.clone())).collect();
    ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
    (ticks.into_iter().map(|t| t.1).collect(), title)
}

#[test]
fn time_axes_name_the_days_of_a_trace_and_of_a_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    // HPC2N's header: the trace starts on Sunday 28 July 2002 at 09:04:05 local time. Jobs of
    // the whole machine for four hours arrive every three hours for five days: a queue builds.
    let mut swf =
        String::from("; UnixStartTime: 1027839845\n; StartTime: Sun Jul 28 09:04:05 CEST 2002\n; MaxProcs: 8\n");
    for k in 0..40 {
        swf.push_str(&format!("{} {} -1 14400 8 -1 -1 8 14400 -1 1 1 1 -1 1 -1 -1 -1\n", k + 1, k * 3 * 3600));
    }
    let trace = crate::cli::write(tmp.path(), "dated.swf", &swf);
    let out = tmp.path().join("dated");
    let o = schedsim(&["run", "--trace", trace.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for chart in ["utilisation", "queue"] {
        let (ticks, title) = x_axis_texts(&out.join(format!("charts/{chart}.svg")));
        // The first midnight after Sunday 09:04 begins Monday 29 July.
        assert_eq!(ticks.first().map(String::as_str), Some("Mon 29 Jul"), "{chart}: {ticks:?}");
        assert_eq!(ticks.get(3).map(String::as_str), Some("Thu 1 Aug"), "{chart}: {ticks:?}");
        assert!(title.contains("the trace starts Sun 28 Jul 2002, 09:04 local time"), "{chart}: {title}");
    }
    // A scenario counts weeks from its Monday 00:00.
    let (ticks, title) = x_axis_texts(&default_run().join("charts/utilisation.svg"));
    assert_eq!(ticks.first().map(String::as_str), Some("Mon, week 1"), "{ticks:?}");
    assert!(ticks.iter().any(|t| t == "Mon, week 2"), "{ticks:?}");
    assert!(title.contains("Monday 00:00 of week 1"), "{title}");
}

#[test]
fn series_zero_throughout_are_left_out_and_said() {
    // The trace above has batch jobs only: the interactive and debug queues are always empty.
    let tmp = tempfile::tempdir().unwrap();
    let mut swf = String::from("; MaxProcs: 8\n");
    for k in 0..40 {
        swf.push_str(&format!("{} {} -1 7200 8 -1 -1 8 7200 -1 1 1 1 -1 1 -1 -1 -1\n", k + 1, k * 1800));
    }
    let trace = crate::cli::write(tmp.path(), "batch.swf", &swf);
    let out = tmp.path().join("batch");
    let o = schedsim(&["run", "--trace", trace.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let labels = legend_labels(&out.join("charts/queue.svg"));
    assert!(labels.iter().any(|l| l.starts_with("batch")), "{labels:?}");
    assert!(!labels.iter().any(|l| l.starts_with("interactive") || l.starts_with("debug")), "{labels:?}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let at = html.find("id=\"chart-queue\"").unwrap();
    let figure = &html[at..at + html[at..].find("</figure>").unwrap()];
    assert!(figure.contains("Left out, being zero throughout: interactive (no jobs), debug (no jobs)."), "{figure}");
}
