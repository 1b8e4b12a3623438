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
