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
    let mut buf = [0; FIXED_MAX];
    let at = fixed_digits(value, decimals, &mut buf);
    f.write_str(std::str::from_utf8(&buf[at..]).expect("digits are ASCII"))
}

/// Appends `value / 10^decimals` as [`fmt_fixed`] writes it, to a byte buffer: the writers of
/// large files (`jobs.csv`, `schedule.swf`) build their lines this way, without `fmt`.
pub fn push_fixed(value: i64, decimals: u32, out: &mut Vec<u8>) {
    let mut buf = [0; FIXED_MAX];
    let at = fixed_digits(value, decimals, &mut buf);
    out.extend_from_slice(&buf[at..]);
}

/// Appends milliseconds as seconds, as [`SimTime`]'s `Display` writes them.
pub fn push_ms_as_secs(ms: i64, out: &mut Vec<u8>) {
    push_fixed(ms, 3, out);
}

/// Appends `v` in decimal.
pub fn push_uint(v: u64, out: &mut Vec<u8>) {
    let mut buf = [0; FIXED_MAX];
    let at = digits_of(v, &mut buf, FIXED_MAX);
    out.extend_from_slice(&buf[at..]);
}

/// Room for any `i64` in fixed point: a sign, 20 digits and a point.
pub const FIXED_MAX: usize = 24;

/// Writes [`fmt_fixed`]'s text at the end of `buf` and returns where it starts.
pub fn fixed_digits(value: i64, decimals: u32, buf: &mut [u8; FIXED_MAX]) -> usize {
    let abs = value.unsigned_abs();
    // The scales in use are constants, so that the division is a multiplication.
    let (whole, mut frac) = match decimals {
        0 => (abs, 0),
        3 => (abs / 1_000, abs % 1_000),
        4 => (abs / 10_000, abs % 10_000),
        d => (abs / 10u64.pow(d), abs % 10u64.pow(d)),
    };
    let mut at = FIXED_MAX;
    if frac != 0 {
        let mut width = decimals;
        while frac % 10 == 0 {
            frac /= 10;
            width -= 1;
        }
        for _ in 0..width {
            at -= 1;
            buf[at] = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        at -= 1;
        buf[at] = b'.';
    }
    at = digits_of(whole, buf, at);
    if value < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    at
}

/// `00` to `99`, two bytes each: digits are written two at a time.
const PAIRS: [u8; 200] = {
    let mut t = [0; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// Writes `v`'s decimal digits into `buf` ending just before `end`; returns where they start.
pub fn digits_of(mut v: u64, buf: &mut [u8; FIXED_MAX], mut end: usize) -> usize {
    while v >= 100 {
        let r = (v % 100) as usize;
        v /= 100;
        end -= 2;
        buf[end..end + 2].copy_from_slice(&PAIRS[2 * r..2 * r + 2]);
    }
    if v >= 10 {
        end -= 2;
        buf[end..end + 2].copy_from_slice(&PAIRS[2 * v as usize..2 * v as usize + 2]);
    } else {
        end -= 1;
        buf[end] = b'0' + v as u8;
    }
    end
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
        assert_eq!(fixed(i64::MIN, 3), "-9223372036854775.808");
        assert_eq!(fixed(0, 3), "0");
    }

    #[test]
    fn byte_writers_agree_with_display() {
        let mut out = Vec::new();
        for v in [0, 1, -1, 9, 10, 4_709, 4_700, -500, 5, 1_050, 90_000, i64::MAX, i64::MIN, 123_456_789_012] {
            out.clear();
            push_ms_as_secs(v, &mut out);
            assert_eq!(out, SimTime(v).to_string().as_bytes(), "{v} ms");
            let mut block = [0; FIXED_MAX];
            let at = fixed_digits(v, 0, &mut block);
            assert_eq!(&block[at..], v.to_string().as_bytes());
        }
        for v in [0, 7, 10, u64::MAX] {
            out.clear();
            push_uint(v, &mut out);
            assert_eq!(out, v.to_string().as_bytes());
        }
        out.clear();
        push_fixed(28_000, 4, &mut out);
        assert_eq!(out, b"2.8");
    }

    #[test]
    fn whole_seconds_round_down() {
        assert_eq!(SimTime(1_999).whole_secs(), 1);
        assert_eq!(SimTime(-1).whole_secs(), -1);
    }
}
