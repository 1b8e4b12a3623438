//! Quantities with units as scenario files write them: durations (`90s`, `15m`, `2h`, `3d`,
//! `1w`, `500ms`) and memory (`512MB`, `8GB`, `1.5TB`; binary units: 1 GB = 1024 MB).
//! A bare number is an error: a unit must always be said.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer};

use crate::time::SimDuration;

/// A duration read from a scenario, e.g. `"2h"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(pub SimDuration);

/// Memory read from a scenario, in MiB, e.g. `"8GB"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Memory(pub u64);

const DURATION_UNITS: [(&str, i64); 6] =
    [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000)];

const MEMORY_UNITS: [(&str, f64); 8] = [
    ("KB", 1.0 / 1024.0),
    ("MB", 1.0),
    ("GB", 1024.0),
    ("TB", 1024.0 * 1024.0),
    ("K", 1.0 / 1024.0),
    ("M", 1.0),
    ("G", 1024.0),
    ("T", 1024.0 * 1024.0),
];

/// Splits `"2.5h"` into (2.5, "h").
fn split_unit(s: &str) -> Option<(f64, &str)> {
    let s = s.trim();
    let at = s.find(|c: char| c.is_ascii_alphabetic())?;
    let (num, unit) = s.split_at(at);
    let x: f64 = num.trim().parse().ok()?;
    x.is_finite().then_some((x, unit.trim()))
}

impl FromStr for Duration {
    type Err = String;
    fn from_str(s: &str) -> Result<Duration, String> {
        let err =
            || format!("expected a duration with a unit (ms, s, m, h, d, w), e.g. \"90s\" or \"2h\", found {s:?}");
        let (x, unit) = split_unit(s).ok_or_else(err)?;
        let &(_, ms) = DURATION_UNITS.iter().find(|(u, _)| *u == unit).ok_or_else(err)?;
        if x < 0.0 {
            return Err(format!("expected a duration that is not negative, found {s:?}"));
        }
        SimDuration::from_secs_f64(x * ms as f64 / 1000.0).map(Duration).ok_or_else(err)
    }
}

impl FromStr for Memory {
    type Err = String;
    fn from_str(s: &str) -> Result<Memory, String> {
        let err = || format!("expected memory with a unit (MB, GB, TB), e.g. \"8GB\", found {s:?}");
        let (x, unit) = split_unit(s).ok_or_else(err)?;
        let &(_, mib) = MEMORY_UNITS.iter().find(|(u, _)| u.eq_ignore_ascii_case(unit)).ok_or_else(err)?;
        if x < 0.0 {
            return Err(format!("expected memory that is not negative, found {s:?}"));
        }
        let v = (x * mib).round();
        (v < 2f64.powi(53)).then_some(Memory(v as u64)).ok_or_else(err)
    }
}

/// Reads a string with a unit; any other TOML type is an error saying what was expected.
fn with_unit<'de, D: Deserializer<'de>, T: FromStr<Err = String>>(d: D, what: &'static str) -> Result<T, D::Error> {
    struct V<T>(&'static str, std::marker::PhantomData<T>);
    impl<T: FromStr<Err = String>> serde::de::Visitor<'_> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{} as a string with a unit", self.0)
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<T, E> {
            s.parse().map_err(E::custom)
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<T, E> {
            Err(E::custom(format!(
                "expected {} with a unit in quotes, e.g. \"{v}s\" or \"{v}GB\", found the bare number {v}",
                self.0
            )))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<T, E> {
            self.visit_i64(v as i64)
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<T, E> {
            Err(E::custom(format!("expected {} with a unit in quotes, found the bare number {v}", self.0)))
        }
    }
    d.deserialize_any(V(what, std::marker::PhantomData))
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        with_unit(d, "a duration")
    }
}

impl<'de> Deserialize<'de> for Memory {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        with_unit(d, "memory")
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.0)
    }
}

impl Memory {
    /// MiB, saturating at `u32::MAX` (4 PiB per node is beyond any machine).
    pub fn mib_u32(self) -> u32 {
        u32::try_from(self.0).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_a_known_unit() {
        let d = |s: &str| s.parse::<Duration>().map(|d| d.0 .0);
        assert_eq!(d("90s"), Ok(90_000));
        assert_eq!(d("15m"), Ok(900_000));
        assert_eq!(d("2h"), Ok(7_200_000));
        assert_eq!(d("3d"), Ok(259_200_000));
        assert_eq!(d("1w"), Ok(604_800_000));
        assert_eq!(d("1.5h"), Ok(5_400_000));
        assert_eq!(d("250ms"), Ok(250));
        assert!(d("90").unwrap_err().contains("with a unit"));
        assert!(d("2hours").is_err());
        assert!(d("5y").is_err());
        assert!(d("-3m").unwrap_err().contains("not negative"));
    }

    #[test]
    fn memory_in_binary_units() {
        let m = |s: &str| s.parse::<Memory>().map(|m| m.0);
        assert_eq!(m("8GB"), Ok(8192));
        assert_eq!(m("512MB"), Ok(512));
        assert_eq!(m("1.5TB"), Ok(1_572_864));
        assert_eq!(m("192G"), Ok(196_608));
        assert!(m("8").is_err());
        assert!(m("8XB").is_err());
    }

    #[test]
    fn bare_numbers_in_toml_say_a_unit_is_needed() {
        #[derive(Deserialize, Debug)]
        struct T {
            limit: Duration,
        }
        let e = toml::from_str::<T>("limit = 90").unwrap_err().to_string();
        assert!(e.contains("with a unit in quotes"), "{e}");
        let ok: T = toml::from_str("limit = \"90s\"").unwrap();
        assert_eq!(ok.limit.0, SimDuration::from_secs(90));
    }
}
