//! The one place policies are named: queue orders, backfill strategies and runtime
//! estimates, each with its parameters. Adding a policy is one file and one line here.
//!
//! A policy is written `name` or `name[key=value,...]`. Unknown names and parameters, and
//! values out of range, are errors: nothing is silently defaulted.

use std::collections::BTreeMap;
use std::fmt;

use super::{
    conservative, easy, f1, fcfs, largest, ljf, multifactor, no_backfill, saf, sjf, slurm, smallest, unicep, wfp3,
    Backfill, Estimate, QueueOrder, WaitingScore,
};

/// A parameter a policy accepts, with its default and valid range.
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    pub name: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    pub help: &'static str,
    /// When not empty, the value is one of these words, stored as its position.
    pub choices: &'static [&'static str],
}

impl ParamSpec {
    /// A number in `[min, max]`.
    pub const fn number(name: &'static str, default: f64, min: f64, max: f64, help: &'static str) -> ParamSpec {
        ParamSpec { name, default, min, max, help, choices: &[] }
    }

    /// One of `choices`, the first by default.
    pub const fn choice(name: &'static str, choices: &'static [&'static str], help: &'static str) -> ParamSpec {
        ParamSpec { name, default: 0.0, min: 0.0, max: (choices.len() - 1) as f64, help, choices }
    }
}

/// Validated parameter values, every declared parameter present.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params(BTreeMap<&'static str, f64>);

impl Params {
    /// The value of a declared parameter.
    ///
    /// # Panics
    /// If `name` is not declared by the policy: a bug in the policy's registry entry.
    pub fn get(&self, name: &str) -> f64 {
        self.0[name]
    }
}

/// One registry line.
pub struct Entry<T> {
    pub name: &'static str,
    pub help: &'static str,
    pub params: &'static [ParamSpec],
    pub build: fn(&Params) -> T,
}

pub type OrderEntry = Entry<Box<dyn QueueOrder>>;
pub type BackfillEntry = Entry<Box<dyn Backfill>>;
pub type EstimateEntry = Entry<Estimate>;

const ORDERS: &[OrderEntry] = &[
    Entry {
        name: "fcfs",
        help: "first come, first served: arrival order",
        params: &[],
        build: |_| Box::new(fcfs::Fcfs),
    },
    Entry { name: "sjf", help: "shortest job first, by runtime estimate", params: &[], build: |_| Box::new(sjf::Sjf) },
    Entry { name: "ljf", help: "longest job first, by runtime estimate", params: &[], build: |_| Box::new(ljf::Ljf) },
    Entry {
        name: "smallest",
        help: "fewest cores first",
        params: &[],
        build: |_| Box::new(smallest::Smallest),
    },
    Entry { name: "largest", help: "most cores first", params: &[], build: |_| Box::new(largest::Largest) },
    Entry {
        name: "saf",
        help: "smallest area first: lowest r × n (r runtime estimate, n cores)",
        params: &[],
        build: |_| Box::new(saf::Saf),
    },
    Entry {
        name: "wfp3",
        help: "lowest −(w/r)³ × n first (w waited so far, r estimate, n cores); rescored every pass",
        params: &[],
        build: |_| Box::new(WaitingScore(wfp3::Wfp3::score)),
    },
    Entry {
        name: "unicep",
        help: "lowest −(w + 1e-15) / (log2(n + 1e-15) × r) first (w waited, n cores, r estimate; seconds); rescored every pass",
        params: &[],
        build: |_| Box::new(WaitingScore(unicep::Unicep::score)),
    },
    Entry {
        name: "multifactor",
        help: "Slurm's multifactor priority, highest first: 1 ≤ trunc(Σ weight × factor) ≤ 2^32−1 with factors in [0, 1]: \
               age = min(1, waited/max_age); fairshare (classic 2^(−U_E/S/dampening), or fair_tree rank/users); \
               jobsize = (nodes/cluster nodes + cores/cluster cores)/2 (favor_small: 1 − each); partition = the partition's priority_job_factor / the largest; qos = 0; \
               assoc = 0; tres_X = job's X / partition's X. Recomputed every calc_period (usage decayed by half_life)",
        params: MULTIFACTOR,
        build: |p| Box::new(multifactor::Multifactor::new(multifactor::config(p))),
    },
    Entry {
        name: "f1",
        help: "lowest log10(r) × n + 870 × log10(s) first (r estimate, n cores, s submit instant; seconds, each at least 1)",
        params: &[],
        build: |_| Box::new(f1::F1),
    },
];

/// Slurm's `PriorityWeight*` are unsigned 32-bit; TRES weights may be negative.
const WEIGHT_MAX: f64 = 4_294_967_295.0;

const MULTIFACTOR: &[ParamSpec] = &[
    ParamSpec::number("age", 0.0, 0.0, WEIGHT_MAX, "PriorityWeightAge"),
    ParamSpec::number("fairshare", 0.0, 0.0, WEIGHT_MAX, "PriorityWeightFairshare"),
    ParamSpec::number("jobsize", 0.0, 0.0, WEIGHT_MAX, "PriorityWeightJobSize"),
    ParamSpec::number("partition", 0.0, 0.0, WEIGHT_MAX, "PriorityWeightPartition"),
    ParamSpec::number("qos", 0.0, 0.0, WEIGHT_MAX, "PriorityWeightQOS"),
    ParamSpec::number("assoc", 0.0, 0.0, WEIGHT_MAX, "PriorityWeightAssoc"),
    ParamSpec::number("tres_cpu", 0.0, -WEIGHT_MAX, WEIGHT_MAX, "PriorityWeightTRES=CPU"),
    ParamSpec::number("tres_mem", 0.0, -WEIGHT_MAX, WEIGHT_MAX, "PriorityWeightTRES=Mem"),
    ParamSpec::number("tres_gpu", 0.0, -WEIGHT_MAX, WEIGHT_MAX, "PriorityWeightTRES=GRES/gpu"),
    ParamSpec::number("max_age", 604_800.0, 1.0, 1e9, "PriorityMaxAge, seconds (7 days)"),
    ParamSpec::number("favor_small", 0.0, 0.0, 1.0, "PriorityFavorSmall: 1 for yes"),
    ParamSpec::number("half_life", 604_800.0, 0.0, 1e9, "PriorityDecayHalfLife, seconds (0: no decay)"),
    ParamSpec::choice(
        "usage_reset",
        &["none", "weekly", "monthly"],
        "PriorityUsageResetPeriod (every 7 or 30 days from the origin)",
    ),
    ParamSpec::number("calc_period", 300.0, 1.0, 1e7, "PriorityCalcPeriod, seconds"),
    ParamSpec::choice(
        "fairshare_algo",
        &["fair_tree", "classic"],
        "Fair Tree, or classic (PriorityFlags=NO_FAIR_TREE)",
    ),
    ParamSpec::number("dampening", 1.0, 1.0, 1e9, "FairShareDampeningFactor (classic only)"),
];

const SLURM: &[ParamSpec] = &[
    ParamSpec::number("max_job_test", 500.0, 0.0, 1e6, "bf_max_job_test: jobs tested per cycle (0: all)"),
    ParamSpec::number("window", 86_400.0, 0.0, 1e9, "bf_window, seconds: no reservation starts later (0: no horizon)"),
    ParamSpec::number(
        "resolution",
        60.0,
        0.0,
        3600.0,
        "bf_resolution, seconds: reservations end on its multiples (0: exact)",
    ),
    ParamSpec::number("interval", 30.0, 0.0, 10_800.0, "bf_interval, seconds between backfill cycles (0: every pass)"),
    ParamSpec::number(
        "max_job_user",
        0.0,
        0.0,
        1e6,
        "bf_max_job_user: jobs of one user tested per cycle (0: no limit)",
    ),
    ParamSpec::number(
        "batch_delay",
        3.0,
        0.0,
        3600.0,
        "batch_sched_delay, seconds: batch submissions wait this long for the main scheduler (0: at once)",
    ),
];

const BACKFILLS: &[BackfillEntry] = &[
    Entry {
        name: "none",
        help: "no backfilling: the first job that does not fit blocks the queue",
        params: &[],
        build: |_| Box::<no_backfill::NoBackfill>::default(),
    },
    Entry {
        name: "easy",
        help: "EASY: one reservation, for the first queued job; others may jump ahead if they do not delay it",
        params: &[],
        build: |_| Box::<easy::Easy>::default(),
    },
    Entry {
        name: "conservative",
        help: "a reservation for every queued job; a job may jump ahead only if it delays none",
        params: &[],
        build: |_| Box::<conservative::Conservative>::default(),
    },
    Entry {
        name: "slurm",
        help: "Slurm's sched/backfill: a main scheduler starts jobs in priority order, stopping a partition at its \
               first job that does not fit; every interval a backfill cycle plans from scratch, in priority order, \
               an earliest start for each of the first max_job_test jobs, starting those that can start now and \
               reserving cores for the others that start within window",
        params: SLURM,
        build: |p| Box::new(slurm::Slurm::new(slurm::params(p))),
    },
];

const ESTIMATES: &[EstimateEntry] = &[
    Entry {
        name: "requested",
        help: "the walltime the user requested (default)",
        params: &[],
        build: |_| Estimate::Requested,
    },
    Entry { name: "actual", help: "the job's actual runtime (clairvoyant)", params: &[], build: |_| Estimate::Actual },
    Entry {
        name: "predicted",
        help: "the mean of the user's last `history` actual runtimes, capped by the request (the request before \
               the user's first job ends); a job that outlives it has it raised to the request (Tsafrir, Etsion & \
               Feitelson 2007); conservative then rebuilds its plan around the longer claim",
        params: &[ParamSpec::number("history", 2.0, 1.0, 1000.0, "runtimes averaged")],
        build: |p| Estimate::Predicted { history: p.get("history") as u32 },
    },
];

/// Which of the three kinds of policy a name belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    Order,
    Backfill,
    Estimate,
}

impl fmt::Display for Axis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Axis::Order => "queue order",
            Axis::Backfill => "backfill",
            Axis::Estimate => "runtime estimate",
        })
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PolicyError {
    #[error("{spec:?}: expected a {axis} written `name` or `name[key=value,...]`")]
    Syntax { axis: Axis, spec: String },
    #[error("unknown {axis} {name:?}: expected one of {known}")]
    Unknown { axis: Axis, name: String, known: String },
    #[error("{policy}: unknown parameter {param:?}: {known}")]
    UnknownParam { policy: String, param: String, known: String },
    #[error("{policy}: parameter {param}: expected a number in [{min}, {max}], found {found:?}")]
    BadValue { policy: String, param: String, min: f64, max: f64, found: String },
    #[error("{policy}: parameter {param}: expected one of {choices}, found {found:?}")]
    BadChoice { policy: String, param: String, choices: String, found: String },
    #[error("{policy}: parameter {param} given twice")]
    Repeated { policy: String, param: String },
}

/// A policy named and parameterised, e.g. `easy` or `multifactor[age=1000]`.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicySpec {
    pub name: String,
    /// Explicitly given values, as written.
    pub given: Vec<(String, String)>,
}

impl PolicySpec {
    pub fn parse(axis: Axis, spec: &str) -> Result<PolicySpec, PolicyError> {
        let syntax = || PolicyError::Syntax { axis, spec: spec.to_string() };
        let spec_t = spec.trim();
        let (name, rest) = match spec_t.find('[') {
            None => (spec_t, None),
            Some(i) => {
                let inner = spec_t[i + 1..].strip_suffix(']').ok_or_else(syntax)?;
                (&spec_t[..i], Some(inner))
            }
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(syntax());
        }
        let mut given = Vec::new();
        for kv in rest.into_iter().flat_map(|r| r.split(',')).filter(|kv| !kv.trim().is_empty()) {
            let (k, v) = kv.split_once('=').ok_or_else(syntax)?;
            given.push((k.trim().to_string(), v.trim().to_string()));
        }
        Ok(PolicySpec { name: name.to_string(), given })
    }
}

fn lookup<'r, T>(axis: Axis, table: &'r [Entry<T>], spec: &str) -> Result<(&'r Entry<T>, Params), PolicyError> {
    let parsed = PolicySpec::parse(axis, spec)?;
    let entry = table.iter().find(|e| e.name == parsed.name).ok_or_else(|| PolicyError::Unknown {
        axis,
        name: parsed.name.clone(),
        known: table.iter().map(|e| e.name).collect::<Vec<_>>().join(", "),
    })?;
    let mut values: BTreeMap<&'static str, f64> = entry.params.iter().map(|p| (p.name, p.default)).collect();
    let mut seen: Vec<&str> = Vec::new();
    for (k, v) in &parsed.given {
        let Some(p) = entry.params.iter().find(|p| p.name == k) else {
            let known = if entry.params.is_empty() {
                "it takes none".to_string()
            } else {
                format!("expected one of {}", entry.params.iter().map(|p| p.name).collect::<Vec<_>>().join(", "))
            };
            return Err(PolicyError::UnknownParam { policy: entry.name.to_string(), param: k.clone(), known });
        };
        if seen.contains(&k.as_str()) {
            return Err(PolicyError::Repeated { policy: entry.name.to_string(), param: k.clone() });
        }
        seen.push(k);
        if !p.choices.is_empty() {
            let i = p.choices.iter().position(|c| c == v).ok_or_else(|| PolicyError::BadChoice {
                policy: entry.name.to_string(),
                param: k.clone(),
                choices: p.choices.join(", "),
                found: v.clone(),
            })?;
            values.insert(p.name, i as f64);
            continue;
        }
        let x: f64 = v.parse().ok().filter(|x: &f64| x.is_finite() && *x >= p.min && *x <= p.max).ok_or_else(|| {
            PolicyError::BadValue {
                policy: entry.name.to_string(),
                param: k.clone(),
                min: p.min,
                max: p.max,
                found: v.clone(),
            }
        })?;
        values.insert(p.name, x);
    }
    Ok((entry, Params(values)))
}

/// The parameters a queue-order spec gives, for unit tests of one order.
#[cfg(test)]
pub(crate) fn lookup_for_tests(spec: &str) -> (&'static OrderEntry, Params) {
    lookup(Axis::Order, ORDERS, spec).expect("a valid spec")
}

/// Builds policies by name. Stateless: the tables are constants.
pub struct Registry;

impl Registry {
    pub fn order(spec: &str) -> Result<Box<dyn QueueOrder>, PolicyError> {
        let (e, p) = lookup(Axis::Order, ORDERS, spec)?;
        Ok((e.build)(&p))
    }

    pub fn backfill(spec: &str) -> Result<Box<dyn Backfill>, PolicyError> {
        let (e, p) = lookup(Axis::Backfill, BACKFILLS, spec)?;
        Ok((e.build)(&p))
    }

    pub fn estimate(spec: &str) -> Result<Estimate, PolicyError> {
        let (e, p) = lookup(Axis::Estimate, ESTIMATES, spec)?;
        Ok((e.build)(&p))
    }

    /// Checks a spec without building it (for validating configurations up front).
    pub fn check(axis: Axis, spec: &str) -> Result<(), PolicyError> {
        match axis {
            Axis::Order => lookup(axis, ORDERS, spec).map(drop),
            Axis::Backfill => lookup(axis, BACKFILLS, spec).map(drop),
            Axis::Estimate => lookup(axis, ESTIMATES, spec).map(drop),
        }
    }

    /// Every policy with its help and parameters, as `schedsim policies` prints it.
    pub fn describe() -> String {
        let mut out = String::new();
        section(&mut out, "Queue orders (--order)", ORDERS);
        section(&mut out, "Backfill strategies (--backfill)", BACKFILLS);
        section(&mut out, "Runtime estimates for backfilling (--estimate)", ESTIMATES);
        out.push_str("Write a policy as `name` or `name[key=value,...]`.\n");
        out
    }
}

fn section<T>(out: &mut String, title: &str, table: &[Entry<T>]) {
    use fmt::Write;
    let _ = writeln!(out, "{title}:");
    for e in table {
        let _ = writeln!(out, "  {:<14} {}", e.name, e.help);
        if e.params.is_empty() {
            let _ = writeln!(out, "  {:<14}   parameters: none", "");
        }
        for p in e.params {
            if p.choices.is_empty() {
                let _ = writeln!(out, "  {:<14}   {}={} ({} to {}): {}", "", p.name, p.default, p.min, p.max, p.help);
            } else {
                let _ =
                    writeln!(out, "  {:<14}   {}={} ({}): {}", "", p.name, p.choices[0], p.choices.join(", "), p.help);
            }
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_parameters() {
        let s = PolicySpec::parse(Axis::Order, "multifactor[age=1000, fairshare=10]").unwrap();
        assert_eq!(s.name, "multifactor");
        assert_eq!(s.given, vec![("age".into(), "1000".into()), ("fairshare".into(), "10".into())]);
        assert!(PolicySpec::parse(Axis::Order, "easy[").is_err());
        assert!(PolicySpec::parse(Axis::Order, "easy[x]").is_err());
        assert!(PolicySpec::parse(Axis::Order, "").is_err());
    }

    #[test]
    fn unknown_names_and_parameters_are_errors() {
        let e = Registry::backfill("eazy").err().unwrap();
        assert_eq!(e.to_string(), "unknown backfill \"eazy\": expected one of none, easy, conservative, slurm");
        let e = Registry::backfill("easy[depth=2]").err().unwrap();
        assert_eq!(e.to_string(), "easy: unknown parameter \"depth\": it takes none");
        assert!(Registry::order("fcfs").is_ok());
        assert!(Registry::estimate("actual").is_ok());
        assert!(Registry::check(Axis::Estimate, "oracle").is_err());
    }

    #[test]
    fn values_are_checked_against_the_declared_range() {
        const P: &[ParamSpec] = &[ParamSpec::number("w", 1.0, 0.0, 10.0, ""), ParamSpec::choice("c", &["x", "y"], "")];
        let table: &[Entry<f64>] = &[Entry { name: "t", help: "", params: P, build: |p| p.get("w") }];
        let (e, p) = lookup(Axis::Order, table, "t[w=2.5]").unwrap();
        assert_eq!((e.build)(&p), 2.5);
        let (_, p) = lookup(Axis::Order, table, "t").unwrap();
        assert_eq!(p.get("w"), 1.0);
        assert!(matches!(lookup(Axis::Order, table, "t[w=11]"), Err(PolicyError::BadValue { .. })));
        assert!(matches!(lookup(Axis::Order, table, "t[w=abc]"), Err(PolicyError::BadValue { .. })));
        assert!(matches!(lookup(Axis::Order, table, "t[w=1,w=2]"), Err(PolicyError::Repeated { .. })));
        assert_eq!(lookup(Axis::Order, table, "t[c=y]").unwrap().1.get("c"), 1.0);
        assert_eq!(lookup(Axis::Order, table, "t").unwrap().1.get("c"), 0.0);
        let e = lookup(Axis::Order, table, "t[c=z]").err().unwrap();
        assert_eq!(e.to_string(), "t: parameter c: expected one of x, y, found \"z\"");
    }

    #[test]
    fn description_lists_every_policy() {
        let d = Registry::describe();
        for name in [
            "fcfs",
            "sjf",
            "ljf",
            "smallest",
            "largest",
            "saf",
            "wfp3",
            "unicep",
            "f1",
            "none",
            "easy",
            "conservative",
            "requested",
            "actual",
            "predicted",
        ] {
            assert!(d.contains(name), "{name} missing from:\n{d}");
        }
    }
}
