//! Simulated time: integer milliseconds, as two newtypes so that an instant and a length of
//! time cannot be confused. No float ever decides an order; floats appear only when a time is
//! read from a trace (rounded to the nearest millisecond) or printed in a report.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Milliseconds in one second.
pub const MS_PER_SEC: i64 = 1_000;

/// An instant of simulated time, in milliseconds since the start of the simulation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub i64);

/// A length of simulated time, in milliseconds. Never negative in a valid run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub i64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(i64::MAX);

    /// The instant `secs` seconds after the origin, rounded to the nearest millisecond.
    /// Returns `None` for values that are not finite or do not fit.
    pub fn from_secs_f64(secs: f64) -> Option<SimTime> {
        secs_to_ms(secs).map(SimTime)
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MS_PER_SEC as f64
    }

    /// Whole seconds, rounded towards negative infinity (SWF fields are integers).
    pub fn whole_secs(self) -> i64 {
        self.0.div_euclid(MS_PER_SEC)
    }

    /// The later of `self` and `self + d`, saturating instead of overflowing.
    pub fn saturating_add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);

    pub const fn from_secs(secs: i64) -> SimDuration {
        SimDuration(secs * MS_PER_SEC)
    }

    pub fn from_secs_f64(secs: f64) -> Option<SimDuration> {
        secs_to_ms(secs).map(SimDuration)
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MS_PER_SEC as f64
    }

    pub fn whole_secs(self) -> i64 {
        self.0.div_euclid(MS_PER_SEC)
    }
}

fn secs_to_ms(secs: f64) -> Option<i64> {
    let ms = (secs * MS_PER_SEC as f64).round();
    // 2^53 keeps every integer exact and is ~285,000 years: far beyond any trace.
    if ms.is_finite() && ms.abs() < 9.007_199_254_740_992e15 {
        Some(ms as i64)
    } else {
        None
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0 + d.0)
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        self.0 += d.0;
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    fn sub(self, other: SimTime) -> SimDuration {
        SimDuration(self.0 - other.0)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0 + d.0)
    }
}

impl Sub for SimDuration {
    type Output = SimDuration;
    fn sub(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0 - d.0)
    }
}

/// Writes milliseconds as seconds with the fraction kept and no trailing zeros
/// (`90`, `4.709`, `-0.5`), using integer arithmetic so that output is exact and portable.
pub fn fmt_ms_as_secs(ms: i64, f: &mut impl fmt::Write) -> fmt::Result {
    fmt_fixed(ms, 3, f)
}

/// Writes `value / 10^decimals` exactly, dropping trailing zeros of the fraction (and the
/// point when none is left). Integer arithmetic only: no float rounding, no allocation.
pub fn fmt_fixed(value: i64, decimals: u32, f: &mut impl fmt::Write) -> fmt::Result {
    let scale = 10u64.pow(decimals);
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    let (whole, mut frac) = (abs / scale, abs % scale);
    write!(f, "{sign}{whole}")?;
    if frac == 0 {
        return Ok(());
    }
    let mut width = decimals as usize;
    while frac % 10 == 0 {
        frac /= 10;
        width -= 1;
    }
    write!(f, ".{frac:0width$}")
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_ms_as_secs(self.0, f)
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_ms_as_secs(self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_fractional_seconds_to_nearest_ms() {
        assert_eq!(SimTime::from_secs_f64(4.709164021244639), Some(SimTime(4709)));
        assert_eq!(SimTime::from_secs_f64(0.0005), Some(SimTime(1)));
        assert_eq!(SimTime::from_secs_f64(f64::NAN), None);
        assert_eq!(SimTime::from_secs_f64(1e300), None);
    }

    #[test]
    fn prints_seconds_without_trailing_zeros() {
        assert_eq!(SimTime(90_000).to_string(), "90");
        assert_eq!(SimTime(4_709).to_string(), "4.709");
        assert_eq!(SimTime(4_700).to_string(), "4.7");
        assert_eq!(SimDuration(-500).to_string(), "-0.5");
        assert_eq!(SimDuration(5).to_string(), "0.005");
        assert_eq!(SimDuration(1_050).to_string(), "1.05");
    }

    #[test]
    fn fixed_point_keeps_exact_digits() {
        let fixed = |v, d| {
            let mut s = String::new();
            fmt_fixed(v, d, &mut s).unwrap();
            s
        };
        assert_eq!(fixed(28_000, 4), "2.8");
        assert_eq!(fixed(10_000, 4), "1");
        assert_eq!(fixed(12_345, 4), "1.2345");
        assert_eq!(fixed(-5, 2), "-0.05");
    }

    #[test]
    fn whole_seconds_round_down() {
        assert_eq!(SimTime(1_999).whole_secs(), 1);
        assert_eq!(SimTime(-1).whole_secs(), -1);
    }
}
