//! Comparisons: one workload under several policies, or several variants of one scenario,
//! run in parallel (rayon) and collected in input order, so the results are the same whatever
//! the number of threads.

use std::io::{self, Write};

use rayon::prelude::*;

use super::{attach_login, execute, simulate_login, ExperimentError, PolicyChoice, RunPlan, RunResult};
use crate::metrics::WaitStats;
use crate::report::csv::csv_field;
use crate::report::rundata::COMPARISON_HEADER as HEADER;

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
/// `done` as each finishes (for a progress bar). The login nodes do not depend on the batch
/// policy, so they are simulated once and their run is given to every result.
pub fn compare(
    base: &RunPlan,
    policies: &[PolicyChoice],
    done: &(dyn Fn() + Sync),
) -> Result<Vec<(RunPlan, RunResult)>, ExperimentError> {
    let login = simulate_login(base)?;
    let batch_only = RunPlan { login: None, ..base.clone() };
    policies
        .par_iter()
        .map(|p| {
            let mut plan = batch_only.clone();
            plan.name = p.label().replace('/', "-");
            plan.policy = p.clone();
            let mut r = execute(&plan)?;
            if let Some(l) = &login {
                attach_login(&mut r, l.clone());
            }
            plan.login.clone_from(&base.login);
            done();
            Ok((plan, r))
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

    #[test]
    fn login_nodes_simulated_once_give_each_policy_what_its_own_run_gives() {
        let built = crate::scenario::build(&crate::scenario::default_scenario(), 7).expect("default builds");
        let base = RunPlan::from_built(built, "default".into());
        assert!(base.login.is_some(), "the default scenario has login nodes");
        let policies = parse_variants("fcfs/none,sjf/easy").expect("valid");
        let runs = compare(&base, &policies, &|| {}).expect("runs");
        for (plan, got) in &runs {
            assert_eq!(plan.login, base.login, "{}: the plan keeps its login inputs", plan.name);
            let alone = execute(plan).expect("runs");
            assert!(got.login.is_some(), "{}", plan.name);
            assert_eq!(got.login, alone.login, "{}: the shared login run differs from its own", plan.name);
            assert_eq!(got.output.samples, alone.output.samples, "{}", plan.name);
        }
    }
}
