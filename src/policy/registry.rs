//! The one place policies are named: queue orders, backfill strategies and runtime
//! estimates, each with its parameters. Adding a policy is one file and one line here.
//!
//! A policy is written `name` or `name[key=value,...]`. Unknown names and parameters, and
//! values out of range, are errors: nothing is silently defaulted.

use std::collections::BTreeMap;
use std::fmt;

use super::{conservative, easy, fcfs, no_backfill, sjf, Backfill, Estimate, QueueOrder};

/// A parameter a policy accepts, with its default and valid range.
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    pub name: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    pub help: &'static str,
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
];

const ESTIMATES: &[EstimateEntry] = &[
    Entry {
        name: "requested",
        help: "the walltime the user requested (default)",
        params: &[],
        build: |_| Estimate::Requested,
    },
    Entry { name: "actual", help: "the job's actual runtime (clairvoyant)", params: &[], build: |_| Estimate::Actual },
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
            let _ = writeln!(out, "  {:<14}   {}={} ({} to {}): {}", "", p.name, p.default, p.min, p.max, p.help);
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
        assert_eq!(e.to_string(), "unknown backfill \"eazy\": expected one of none, easy, conservative");
        let e = Registry::backfill("easy[depth=2]").err().unwrap();
        assert_eq!(e.to_string(), "easy: unknown parameter \"depth\": it takes none");
        assert!(Registry::order("fcfs").is_ok());
        assert!(Registry::estimate("actual").is_ok());
        assert!(Registry::check(Axis::Estimate, "oracle").is_err());
    }

    #[test]
    fn values_are_checked_against_the_declared_range() {
        const P: &[ParamSpec] = &[ParamSpec { name: "w", default: 1.0, min: 0.0, max: 10.0, help: "" }];
        let table: &[Entry<f64>] = &[Entry { name: "t", help: "", params: P, build: |p| p.get("w") }];
        let (e, p) = lookup(Axis::Order, table, "t[w=2.5]").unwrap();
        assert_eq!((e.build)(&p), 2.5);
        let (_, p) = lookup(Axis::Order, table, "t").unwrap();
        assert_eq!(p.get("w"), 1.0);
        assert!(matches!(lookup(Axis::Order, table, "t[w=11]"), Err(PolicyError::BadValue { .. })));
        assert!(matches!(lookup(Axis::Order, table, "t[w=abc]"), Err(PolicyError::BadValue { .. })));
        assert!(matches!(lookup(Axis::Order, table, "t[w=1,w=2]"), Err(PolicyError::Repeated { .. })));
    }

    #[test]
    fn description_lists_every_policy() {
        let d = Registry::describe();
        for name in ["fcfs", "sjf", "none", "easy", "conservative", "requested", "actual"] {
            assert!(d.contains(name), "{name} missing from:\n{d}");
        }
    }
}
