//! Comparisons: one workload under several policies, or several variants of one scenario,
//! run in parallel (rayon) and collected in input order, so the results are the same whatever
//! the number of threads.

use std::io::{self, Write};

use rayon::prelude::*;

use super::{execute, ExperimentError, PolicyChoice, RunPlan, RunResult};
use crate::metrics::WaitStats;

/// Parses `fcfs/none,fcfs/easy,sjf/easy/actual`: variants separated by commas (commas inside
/// `[...]` belong to a policy's parameters), each `order/backfill[/estimate]`.
pub fn parse_variants(text: &str) -> Result<Vec<PolicyChoice>, String> {
    if text.trim().is_empty() {
        return Err("no policies given: expected e.g. fcfs/none,fcfs/easy".into());
    }
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    let mut out = Vec::new();
    for (i, p) in parts.iter().map(|p| p.trim()).enumerate() {
        if p.is_empty() {
            return Err(format!("item {} is empty: expected order/backfill between the commas, e.g. fcfs/easy", i + 1));
        }
        let f: Vec<&str> = p.split('/').map(str::trim).collect();
        let choice = match f.as_slice() {
            [order, backfill] => {
                PolicyChoice { order: order.to_string(), backfill: backfill.to_string(), estimate: "requested".into() }
            }
            [order, backfill, est] => {
                PolicyChoice { order: order.to_string(), backfill: backfill.to_string(), estimate: est.to_string() }
            }
            _ => {
                return Err(format!(
                    "{p:?}: expected a policy written order/backfill or order/backfill/estimate, e.g. fcfs/easy"
                ))
            }
        };
        let choice = choice.canonical().map_err(|e| format!("{p:?}: {e}"))?;
        if let Some(twin) = out.iter().find(|c: &&PolicyChoice| c.label() == choice.label()) {
            return Err(format!("{p:?} is listed twice: it is {} again", twin.label()));
        }
        out.push(choice);
    }
    Ok(out)
}

/// Runs `base` once per policy, in parallel, results in the order of `policies`; calls
/// `done` as each finishes (for a progress bar).
pub fn compare(
    base: &RunPlan,
    policies: &[PolicyChoice],
    done: &(dyn Fn() + Sync),
) -> Result<Vec<(RunPlan, RunResult)>, ExperimentError> {
    policies
        .par_iter()
        .map(|p| {
            let mut plan = base.clone();
            plan.name = p.label().replace('/', "-");
            plan.policy = p.clone();
            let r = execute(&plan).map(|r| (plan, r));
            done();
            r
        })
        .collect()
}

/// Runs each plan, in parallel, results in the order of `plans`; calls `done` as each
/// finishes. The plans are scenario variants (see `compare --set`) or anything else that
/// should be set side by side.
pub fn compare_plans(
    plans: Vec<RunPlan>,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<(RunPlan, RunResult)>, ExperimentError> {
    plans
        .into_par_iter()
        .map(|plan| {
            let r = execute(&plan).map(|r| (plan, r));
            done();
            r
        })
        .collect()
}

/// The policy labels of `runs`: what a comparison of policies calls its variants.
pub fn policy_labels(runs: &[(RunPlan, RunResult)]) -> Vec<String> {
    runs.iter().map(|(p, _)| p.policy.label()).collect()
}

/// A CSV field, quoted when it holds a comma or a quote (a policy's parameters).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The header of `comparison.csv`.
pub const HEADER: &str = "variant,class,jobs,started,mean_wait,median_wait,p90_wait,p95_wait,p99_wait,max_wait,mean_bsld,abandonment_rate,within_target,utilisation";

/// `comparison.csv`: one row per variant (labelled by `labels`, one per run) and class (and
/// `all`), the summary figures.
pub fn write_comparison_csv<W: Write>(mut out: W, runs: &[(RunPlan, RunResult)], labels: &[String]) -> io::Result<()> {
    writeln!(out, "{HEADER}")?;
    for ((_, r), label) in runs.iter().zip(labels) {
        let s = &r.summary;
        let label = csv_field(label);
        let started: u64 = s.classes.values().map(|c| c.started).sum();
        let all = Row { jobs: s.jobs, started, waits: &s.waits, bsld: s.mean_bsld, abandon: None, within: None };
        all.write(&mut out, &label, "all", s.utilisation)?;
        for (class, c) in &s.classes {
            let row = Row {
                jobs: c.jobs,
                started: c.started,
                waits: &c.waits,
                bsld: c.mean_bsld,
                abandon: Some(c.abandonment_rate),
                within: c.within_target,
            };
            row.write(&mut out, &label, class, s.utilisation)?;
        }
    }
    out.flush()
}

/// One row's figures; `None` writes an empty field.
struct Row<'a> {
    jobs: u64,
    started: u64,
    waits: &'a WaitStats,
    bsld: f64,
    abandon: Option<f64>,
    within: Option<f64>,
}

impl Row<'_> {
    fn write(&self, out: &mut impl Write, label: &str, class: &str, utilisation: f64) -> io::Result<()> {
        let w = self.waits;
        let opt = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
        writeln!(
            out,
            "{label},{class},{},{},{},{},{},{},{},{},{},{},{},{utilisation}",
            self.jobs,
            self.started,
            w.mean_wait,
            w.median_wait,
            w.p90_wait,
            w.p95_wait,
            w.p99_wait,
            w.max_wait,
            self.bsld,
            opt(self.abandon),
            opt(self.within)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_split_on_top_level_commas() {
        let v = parse_variants("fcfs/none, fcfs/easy ,sjf/conservative/actual").unwrap();
        let labels: Vec<String> = v.iter().map(PolicyChoice::label).collect();
        assert_eq!(labels, vec!["fcfs/none", "fcfs/easy", "sjf/conservative/actual"]);
    }

    #[test]
    fn labels_with_commas_are_quoted() {
        assert_eq!(csv_field("fcfs/easy"), "fcfs/easy");
        assert_eq!(csv_field("x[a=1,b=2]/easy"), "\"x[a=1,b=2]/easy\"");
    }

    #[test]
    fn bad_variants_are_refused() {
        assert!(parse_variants("fcfs").unwrap_err().contains("order/backfill"));
        assert!(parse_variants("fcfs/eazy").unwrap_err().contains("unknown backfill"));
        assert!(parse_variants("fcfs/easy,fcfs/easy").unwrap_err().contains("twice"));
        assert!(parse_variants(" ").unwrap_err().contains("no policies"));
        assert!(parse_variants("fcfs/easy,,sjf/easy").unwrap_err().contains("item 2 is empty"));
        let twin = parse_variants("fcfs/easy, fcfs[]/easy ").unwrap_err();
        assert!(twin.contains("\"fcfs[]/easy\" is listed twice: it is fcfs/easy again"), "{twin}");
        let v = parse_variants(" fcfs[ ]/ easy").unwrap();
        assert_eq!(v[0].label(), "fcfs/easy");
    }
}
