//! Pool sizing: the smallest number of nodes moved into a pool (`--move-nodes FROM:TO`) whose
//! targets (`interactive.within_target>=0.95`, `interactive.p95_wait<=1m`) hold with 95%
//! confidence, found by search rather than by running every size, and what each size costs
//! batch work.
//!
//! # Search
//!
//! A size *meets* a target when its whole 95% interval is on the right side (for `<=` the upper
//! end is within the target, for `>=` the lower end), *fails* it when the whole interval is on
//! the wrong side, and is *unsure* otherwise; an unsure size gets more replications (doubling,
//! up to `max_replications`) and counts as not meeting the target if it stays unsure. A size
//! meets when it meets every target. The search assumes that a larger pool never does worse
//! on the targets (more nodes, same workload), gallops 1, 2, 4, … up to `max`, then bisects
//! between the largest size that does not meet and the smallest that does. So the answer's
//! next smaller size has always been tried and did not meet.
//!
//! Replication `r` of every size draws the same numbers (common random numbers), and every
//! replication is kept as `runs/points/<k>/rep-<r>/summary.json`, so a search run again on its
//! folder reuses what it has.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use super::stats::Estimate;
use super::sweep::{
    self, claim, classes_of, estimates, point_rows, rep_dir, run_replication, AxisInfo, Figures, Manifest, RepError,
    SweepError, FIGURES,
};
use crate::report::{write_atomic, RunInfo};
use crate::scenario::overrides::{self, Axis};
use crate::scenario::Scenario;
use crate::units::Duration;

/// `<=` or `>=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Op {
    #[serde(rename = "<=")]
    AtMost,
    #[serde(rename = ">=")]
    AtLeast,
}

/// One target: `CLASS.FIGURE<=VALUE` or `>=`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Target {
    pub text: String,
    pub class: String,
    pub figure: String,
    pub op: Op,
    /// Seconds for waits, a share in [0, 1] for shares.
    pub value: f64,
}

/// How an estimate stands against a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Meets,
    Fails,
    Unsure,
}

const WAITS: [&str; 4] = ["mean_wait", "median_wait", "p95_wait", "p99_wait"];
const SHARES: [&str; 4] = ["within_target", "abandonment", "utilisation", "login_kill_rate"];

impl Target {
    /// Parses `CLASS.FIGURE<=VALUE` (or `>=`) against the sweep's classes: waits take a
    /// duration (`1m`, `90s`), shares a number in [0, 1] or a percentage (`95%`).
    pub fn parse(text: &str, classes: &[String]) -> Result<Target, String> {
        let bad = |why: String| format!("--target {text}: {why}");
        let (lhs, op, rhs) = if let Some((l, r)) = text.split_once("<=") {
            (l, Op::AtMost, r)
        } else if let Some((l, r)) = text.split_once(">=") {
            (l, Op::AtLeast, r)
        } else {
            return Err(bad(
                "expected CLASS.FIGURE<=VALUE or CLASS.FIGURE>=VALUE, e.g. interactive.within_target>=0.95".into(),
            ));
        };
        let Some((class, figure)) = lhs.trim().split_once('.') else {
            return Err(bad("expected CLASS.FIGURE before the comparison, e.g. interactive.p95_wait".into()));
        };
        let (class, figure, rhs) = (class.trim(), figure.trim(), rhs.trim());
        if class != sweep::ALL && !classes.iter().any(|c| c == class) {
            return Err(bad(format!("no class {class:?} in the scenario (classes: {}, all)", classes.join(", "))));
        }
        if !FIGURES.contains(&figure) {
            return Err(bad(format!("no figure {figure:?} (figures: {})", FIGURES.join(", "))));
        }
        let value = if WAITS.contains(&figure) {
            rhs.parse::<Duration>()
                .map_err(|e| bad(format!("{figure} is a wait: expected a duration such as 1m or 90s ({e})")))?
                .0
                .as_secs_f64()
        } else if SHARES.contains(&figure) {
            let v = match rhs.strip_suffix('%') {
                Some(p) => p.trim().parse::<f64>().map(|p| p / 100.0),
                None => rhs.parse::<f64>(),
            };
            match v {
                Ok(v) if (0.0..=1.0).contains(&v) => v,
                _ => {
                    return Err(bad(format!(
                        "{figure} is a share: expected a number from 0 to 1 or a percentage, found {rhs:?}"
                    )))
                }
            }
        } else {
            match rhs.parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                _ => return Err(bad(format!("expected a number, found {rhs:?}"))),
            }
        };
        Ok(Target { text: text.trim().to_string(), class: class.to_string(), figure: figure.to_string(), op, value })
    }

    /// Where `e` stands against the target.
    pub fn verdict(&self, e: &Estimate) -> Verdict {
        let (good, bad) = match self.op {
            Op::AtMost => (e.hi() <= self.value, e.lo() > self.value),
            Op::AtLeast => (e.lo() >= self.value, e.hi() < self.value),
        };
        match (good, bad) {
            (true, _) => Verdict::Meets,
            (_, true) => Verdict::Fails,
            _ => Verdict::Unsure,
        }
    }
}

/// What a search needs.
pub struct SizePoolSpec<'a> {
    pub text: &'a str,
    pub origin: &'a Path,
    pub seed: Option<u64>,
    /// `FROM:TO`.
    pub moves: &'a str,
    pub targets: &'a [String],
    pub replications: u32,
    pub max_replications: u32,
    /// Largest pool to try [default: all but one node of the two groups].
    pub max: Option<u32>,
}

/// A `{mean, ci}` pair in `size-pool.json`.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Pair {
    pub mean: f64,
    pub ci: Option<f64>,
}

/// One target at one size.
#[derive(Clone, Debug, Serialize)]
pub struct TargetResult {
    pub text: String,
    pub mean: f64,
    pub ci: Option<f64>,
    pub lo: f64,
    pub hi: f64,
    pub meets: bool,
}

/// Batch work's figures at one size (or their change per added node).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Cost {
    pub batch_utilisation: f64,
    pub batch_mean_wait: f64,
    pub batch_p95_wait: f64,
    pub batch_finished_per_day: f64,
}

/// One tried size.
#[derive(Clone, Debug, Serialize)]
pub struct SizeResult {
    pub k: u32,
    pub replications: u32,
    pub meets: bool,
    pub targets: Vec<TargetResult>,
    pub figures: BTreeMap<String, BTreeMap<String, Pair>>,
    pub cost: Option<Cost>,
    pub change_per_node: Option<Cost>,
}

/// The move as `size-pool.json` records it.
#[derive(Clone, Debug, Serialize)]
pub struct MoveInfo {
    pub from: String,
    pub to: String,
    pub total: u32,
    pub key: String,
}

/// `size-pool.json`.
#[derive(Clone, Debug, Serialize)]
pub struct SizePoolResult {
    pub kind: String,
    pub version: String,
    pub scenario: String,
    pub name: String,
    pub seed: u64,
    #[serde(rename = "move")]
    pub moved: MoveInfo,
    pub targets: Vec<Target>,
    /// The smallest size that meets every target, if one up to `max` does.
    pub answer: Option<u32>,
    /// Why there is no answer.
    pub reason: Option<String>,
    pub sizes_tried: usize,
    pub runs: u64,
    /// How many sizes a full grid from 1 to `max` would simulate.
    pub full_grid_sizes: u32,
    pub sizes: Vec<SizeResult>,
}

/// A prepared search.
pub struct SizePool {
    scenario: Scenario,
    axis: Axis,
    manifest: Manifest,
    targets: Vec<Target>,
    max: u32,
    replications: u32,
    max_replications: u32,
    /// Edited scenario of each size tried so far.
    sizes: BTreeMap<u32, Scenario>,
}

impl SizePool {
    /// Checks the move, the targets and the bounds.
    pub fn new(spec: SizePoolSpec<'_>) -> Result<SizePool, SweepError> {
        let axis = overrides::parse_move(spec.moves, spec.text, false)?;
        let Axis::Move { total, .. } = &axis else { unreachable!("parse_move gives a move") };
        let total = *total;
        if total < 2 {
            return Err(SweepError::Invalid(format!(
                "--move-nodes {}: the two groups have {total} node; a pool needs at least one and its source another",
                spec.moves
            )));
        }
        let max = spec.max.unwrap_or(total - 1);
        if max == 0 || max >= total {
            return Err(SweepError::Invalid(format!(
                "--max {max}: expected 1 to {} (the two groups have {total} nodes)",
                total - 1
            )));
        }
        if spec.replications < 2 {
            return Err(SweepError::Invalid("--replications: a confidence interval needs at least 2".into()));
        }
        let max_replications = spec.max_replications.max(spec.replications);
        let scenario = overrides::edited(spec.text, spec.origin, &[])?;
        let classes = classes_of([&scenario]);
        if spec.targets.is_empty() {
            return Err(SweepError::Invalid("no --target given: e.g. --target interactive.within_target>=0.95".into()));
        }
        let targets = spec
            .targets
            .iter()
            .map(|t| Target::parse(t, &classes))
            .collect::<Result<Vec<_>, _>>()
            .map_err(SweepError::Invalid)?;
        let mut info = AxisInfo::of(&axis);
        info.values.clear();
        let manifest = Manifest::new(
            "size-pool",
            spec.text,
            spec.origin,
            &scenario,
            spec.seed,
            spec.replications,
            vec![info],
            total as usize,
            classes,
        );
        Ok(SizePool {
            scenario,
            axis,
            manifest,
            targets,
            max,
            replications: spec.replications,
            max_replications,
            sizes: BTreeMap::new(),
        })
    }

    /// Searches, keeping its runs under `out/runs/`, and writes `out/size-pool.json`. `tried`
    /// is told of each size as it is settled.
    pub fn search(&mut self, out: &Path, tried: &(dyn Fn(&SizeResult) + Sync)) -> Result<SizePoolResult, SweepError> {
        let runs_dir = out.join("runs");
        // A search resumes in its own folder; any other existing path (a file, a folder of the
        // user's) is refused rather than written into.
        if out.exists() {
            let empty = std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_none());
            let ours = out.join("size-pool.json").is_file() || runs_dir.join("sweep.json").is_file();
            if !out.is_dir() || !(empty || ours) {
                return Err(SweepError::Folder {
                    path: out.to_path_buf(),
                    message: "exists and is not a pool-sizing folder (it has no size-pool.json or runs/sweep.json): \
                              choose another --out"
                        .into(),
                });
            }
        }
        let _lock = claim(&runs_dir, &self.manifest)?;
        let mut results: BTreeMap<u32, SizeResult> = BTreeMap::new();
        let mut runs = 0u64;
        let mut eval = |k: u32, this: &mut SizePool| -> Result<bool, SweepError> {
            if let Some(r) = results.get(&k) {
                return Ok(r.meets);
            }
            let (r, n) = this.evaluate(&runs_dir, k)?;
            runs += n;
            tried(&r);
            let meets = r.meets;
            results.insert(k, r);
            Ok(meets)
        };
        // Gallop: 1, 2, 4, ... until a size meets or `max` does not.
        let (mut lo, mut hi) = (0u32, None);
        let mut k = 1u32;
        loop {
            if eval(k, self)? {
                hi = Some(k);
                break;
            }
            lo = k;
            if k == self.max {
                break;
            }
            k = (k * 2).min(self.max);
        }
        let answer = match hi {
            None => None,
            Some(mut hi) => {
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if eval(mid, self)? {
                        hi = mid;
                    } else {
                        lo = mid;
                    }
                }
                Some(hi)
            }
        };
        let mut sizes: Vec<SizeResult> = results.into_values().collect();
        for i in 1..sizes.len() {
            let (prev, cur) = (&sizes[i - 1], &sizes[i]);
            if let (Some(a), Some(b)) = (prev.cost, cur.cost) {
                let dk = f64::from(cur.k - prev.k);
                sizes[i].change_per_node = Some(Cost {
                    batch_utilisation: (b.batch_utilisation - a.batch_utilisation) / dk,
                    batch_mean_wait: (b.batch_mean_wait - a.batch_mean_wait) / dk,
                    batch_p95_wait: (b.batch_p95_wait - a.batch_p95_wait) / dk,
                    batch_finished_per_day: (b.batch_finished_per_day - a.batch_finished_per_day) / dk,
                });
            }
        }
        let Axis::Move { from, to, total, .. } = &self.axis else { unreachable!("a move") };
        let result = SizePoolResult {
            kind: "size-pool".into(),
            version: RunInfo::version(),
            scenario: self.manifest.scenario.clone(),
            name: self.manifest.name.clone(),
            seed: self.manifest.seed,
            moved: MoveInfo { from: from.clone(), to: to.clone(), total: *total, key: self.axis.key() },
            targets: self.targets.clone(),
            answer,
            reason: answer.is_none().then(|| {
                let largest = if self.max == total - 1 {
                    format!("all but one of the {total} nodes of {from} and {to}")
                } else {
                    format!("the --max given; {from} and {to} have {total} nodes")
                };
                format!("even {} {to} nodes ({largest}) do not meet every target with 95% confidence", self.max)
            }),
            sizes_tried: sizes.len(),
            runs,
            full_grid_sizes: self.max,
            sizes,
        };
        write_atomic(&out.join("size-pool.json"), |f| {
            serde_json::to_writer_pretty(&mut *f, &result).map_err(io::Error::other)?;
            writeln!(f)
        })?;
        Ok(result)
    }

    /// Runs (or reuses) size `k`'s replications until every target is settled or
    /// `max_replications` is reached; returns its result and how many runs it did.
    fn evaluate(&mut self, runs_dir: &Path, k: u32) -> Result<(SizeResult, u64), SweepError> {
        let Axis::Move { from, to, total, .. } = &self.axis else { unreachable!("a move") };
        let one = Axis::Move { from: from.clone(), to: to.clone(), total: *total, values: vec![k] };
        if !self.sizes.contains_key(&k) {
            let scn = overrides::edited(&self.scenario.text, &self.scenario.origin, &one.edits(0))?;
            self.sizes.insert(k, scn);
        }
        let scn = &self.sizes[&k];
        let m = &self.manifest;
        let mut reps = self.replications;
        let mut ran = 0u64;
        loop {
            let pending: Vec<u32> =
                (0..reps).filter(|&r| !rep_dir(runs_dir, k as usize, r).join("summary.json").is_file()).collect();
            ran += pending.len() as u64;
            pending
                .par_iter()
                .map(|&r| {
                    run_replication(scn, &m.scenario, m.seed, r, &rep_dir(runs_dir, k as usize, r), false).map_err(
                        |e| match e {
                            RepError::Build(error) => {
                                SweepError::Build { point: k as usize, values: format!("{to}={k}"), error }
                            }
                            RepError::Run(error) => {
                                SweepError::Run { point: k as usize, values: format!("{to}={k}"), rep: r, error }
                            }
                            RepError::Other(e) => e,
                        },
                    )
                })
                .collect::<Result<Vec<()>, _>>()?;
            let mut m = m.clone();
            m.replications = reps;
            let rows = point_rows(runs_dir, &m, k as usize)?;
            let result = self.settle(k, reps, &rows);
            let unsure = result.1;
            if !unsure || reps >= self.max_replications {
                return Ok((result.0, ran));
            }
            reps = (reps * 2).min(self.max_replications);
        }
    }

    /// The result of size `k` from its replications' rows, and whether a target is unsure.
    fn settle(&self, k: u32, reps: u32, rows: &[Vec<Figures>]) -> (SizeResult, bool) {
        let est = estimates(rows);
        let classes = &self.manifest.classes;
        let row_of = |class: &str| {
            if class == sweep::ALL {
                Some(0)
            } else {
                classes.iter().position(|c| c == class).map(|i| i + 1)
            }
        };
        let fig = |name: &str| FIGURES.iter().position(|f| *f == name).expect("a figure");
        let mut unsure = false;
        let mut meets = true;
        let targets = self
            .targets
            .iter()
            .map(|t| {
                let e = row_of(&t.class).and_then(|r| est[r][fig(&t.figure)]);
                let v = e.map_or(Verdict::Fails, |e| t.verdict(&e));
                unsure |= v == Verdict::Unsure;
                meets &= v == Verdict::Meets;
                let e = e.unwrap_or(Estimate { mean: f64::NAN, ci: None, n: 0 });
                TargetResult {
                    text: t.text.clone(),
                    mean: e.mean,
                    ci: e.ci,
                    lo: e.lo(),
                    hi: e.hi(),
                    meets: v == Verdict::Meets,
                }
            })
            .collect();
        let figures = classes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let figs = FIGURES
                    .iter()
                    .zip(&est[i + 1])
                    .filter_map(|(name, e)| e.map(|e| (name.to_string(), Pair { mean: e.mean, ci: e.ci })))
                    .collect();
                (c.clone(), figs)
            })
            .collect();
        let cost = row_of("batch").filter(|_| classes.iter().any(|c| c == "batch")).and_then(|r| {
            let get = |n: &str| est[r][fig(n)].map(|e| e.mean);
            Some(Cost {
                batch_utilisation: get("utilisation")?,
                batch_mean_wait: get("mean_wait")?,
                batch_p95_wait: get("p95_wait")?,
                batch_finished_per_day: get("finished_per_day")?,
            })
        });
        (SizeResult { k, replications: reps, meets, targets, figures, cost, change_per_node: None }, unsure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes() -> Vec<String> {
        vec!["batch".into(), "interactive".into()]
    }

    #[test]
    fn targets_parse_with_units() {
        let t = Target::parse("interactive.p95_wait<=1m", &classes()).unwrap();
        assert_eq!((t.op, t.value), (Op::AtMost, 60.0));
        let t = Target::parse("interactive.within_target>=95%", &classes()).unwrap();
        assert!((t.value - 0.95).abs() < 1e-12);
        let t = Target::parse("batch.mean_bsld<=20", &classes()).unwrap();
        assert_eq!(t.value, 20.0);
    }

    #[test]
    fn bad_targets_say_what_is_wrong() {
        let e = |t: &str| Target::parse(t, &classes()).unwrap_err();
        assert!(e("gpu.p95_wait<=1m").contains("no class \"gpu\""));
        assert!(e("interactive.p96_wait<=1m").contains("no figure \"p96_wait\""));
        assert!(e("interactive.p95_wait<=60").contains("expected a duration"));
        assert!(e("interactive.within_target>=1.5").contains("from 0 to 1"));
        assert!(e("interactive.within_target=0.9").contains("CLASS.FIGURE<=VALUE"));
        assert!(e("within_target>=0.9").contains("CLASS.FIGURE"));
    }

    #[test]
    fn verdicts_need_the_whole_interval() {
        let t = Target::parse("interactive.within_target>=0.95", &classes()).unwrap();
        let e = |mean, ci| Estimate { mean, ci: Some(ci), n: 10 };
        assert_eq!(t.verdict(&e(0.97, 0.01)), Verdict::Meets);
        assert_eq!(t.verdict(&e(0.96, 0.02)), Verdict::Unsure);
        assert_eq!(t.verdict(&e(0.90, 0.02)), Verdict::Fails);
        let t = Target::parse("interactive.p95_wait<=1m", &classes()).unwrap();
        assert_eq!(t.verdict(&e(50.0, 5.0)), Verdict::Meets);
        assert_eq!(t.verdict(&e(58.0, 5.0)), Verdict::Unsure);
        assert_eq!(t.verdict(&e(70.0, 5.0)), Verdict::Fails);
    }
}
