//! Time-of-week arrival profiles and the non-homogeneous Poisson arrivals they drive, shared by
//! the interactive-session and login-process generators; plus [`GenError`], the validation
//! error of every synthetic generator's configuration.
//!
//! # The week
//!
//! Simulated time 0 is Monday 00:00. Hour `h` of the week (0..168) is hour `h % 24` of day
//! `h / 24`, day 0 being Monday and days 5 and 6 Saturday and Sunday. An instant `t` falls in
//! hour `(t / 1 h) mod 168`, so the profile repeats every week.
//!
//! # Writing a profile
//!
//! A [`RateProfile`] gives the mean number of arrivals per hour (for the whole population, not
//! per user) in each hour of the week, in one of three forms:
//!
//! ```toml
//! # Working day: hours 9:00–17:00 get 30 arrivals/hour, the other hours 2/hour; Saturdays and
//! # Sundays have the same shape at a quarter of the rate (7.5/hour 9:00–17:00, 0.5 otherwise).
//! rate = { peak = 30.0, base = 2.0, peak_hours = [9, 17], weekend = 0.25 }
//! # A flat rate: 12 arrivals every hour of the week.
//! rate = { base = 12.0 }
//! # 24 hourly rates (00:00 first) for every day, weekends scaled by 0.3.
//! rate = { hourly = [1, 1, 1, 1, 1, 1, 2, 5, 10, 20, 25, 25, 15, 25, 25, 20, 15, 10, 6, 5, 4, 3, 2, 1], weekend = 0.3 }
//! # 168 hourly rates, Monday 00:00 first.
//! rate = { weekly = [ ... 168 numbers ... ] }
//! ```
//!
//! `peak_hours = [a, b]` covers the hours from a:00 up to (not including) b:00 of every day and
//! defaults to `[9, 17]`; `peak` defaults to `base` (a flat rate). In the first two forms every
//! day has the same shape and `weekend` multiplies every Saturday and Sunday hour (so `weekend =
//! 0` is a closed weekend); it defaults to 1 and cannot be combined with `weekly`, which already
//! says what weekends look like: write a weekend without a peak, or any other week, that way.
//!
//! # Arrivals
//!
//! [`arrivals`] draws a non-homogeneous Poisson process whose rate is constant within each hour
//! of the simulated calendar: inside an hour of rate λ it draws exponential gaps of mean 1/λ from
//! the later of the hour's start and `start`; the first gap that would cross the hour's end is
//! thrown away and drawing restarts at the next hour. By the memoryless property of the
//! exponential this is exactly the process, not an approximation, and costs one exponential per
//! arrival plus one per hour of non-zero rate. Times are kept as the floor of the exact instant
//! in milliseconds, so they stay inside their hour and in non-decreasing order.

use rand::Rng;
use rand_distr::{Distribution, Exp1};
use serde::Deserialize;

use crate::time::SimTime;

/// Hours in a week; a profile has one rate per hour.
pub const HOURS_PER_WEEK: usize = 168;
/// Milliseconds in one hour.
pub const MS_PER_HOUR: i64 = 3_600_000;
/// Most arrivals a generator may expect to draw in one call. A rate or horizon that would give
/// more is almost certainly a mistake (e.g. a rate per second written as per hour) and is
/// reported instead of exhausting memory.
pub const MAX_EXPECTED_ARRIVALS: f64 = 50_000_000.0;

/// Why a generator's configuration cannot be used. Every variant carries the path of the
/// offending field relative to the configuration it was found in (`"rate.peak"`,
/// `"duration.mean"`, `"walltime.values[2]"`; `""` for the configuration as a whole), so that
/// the scenario reader can prefix its section and find the line; and a message saying what was
/// expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenError {
    /// A field has a value it cannot have.
    #[error("`{path}`: {message}")]
    Invalid { path: String, message: String },
    /// A field the chosen form needs is missing.
    #[error("`{path}` is missing: {message}")]
    Missing { path: String, message: String },
    /// A field that cannot be given together with another one.
    #[error("`{path}`: {message}")]
    Conflict { path: String, message: String },
    /// The configuration is valid but would generate more than the generator will hold.
    #[error("`{path}`: {message}")]
    TooMany { path: String, message: String },
}

impl GenError {
    pub(crate) fn invalid(path: impl Into<String>, message: impl Into<String>) -> GenError {
        GenError::Invalid { path: path.into(), message: message.into() }
    }

    pub(crate) fn missing(path: impl Into<String>, message: impl Into<String>) -> GenError {
        GenError::Missing { path: path.into(), message: message.into() }
    }

    pub(crate) fn conflict(path: impl Into<String>, message: impl Into<String>) -> GenError {
        GenError::Conflict { path: path.into(), message: message.into() }
    }

    /// The path of the offending field, relative to the configuration that reported it.
    pub fn path(&self) -> &str {
        match self {
            GenError::Invalid { path, .. }
            | GenError::Missing { path, .. }
            | GenError::Conflict { path, .. }
            | GenError::TooMany { path, .. } => path,
        }
    }

    /// What was expected and what was found, without the path.
    pub fn message(&self) -> &str {
        match self {
            GenError::Invalid { message, .. }
            | GenError::Missing { message, .. }
            | GenError::Conflict { message, .. }
            | GenError::TooMany { message, .. } => message,
        }
    }

    /// The same error with `prefix` put in front of its path (`"rate"` + `"peak"` →
    /// `"rate.peak"`; an index such as `"[3]"` is joined without a dot).
    pub fn prefixed(self, prefix: &str) -> GenError {
        let join = |path: String| {
            if prefix.is_empty() {
                path
            } else if path.is_empty() {
                prefix.to_string()
            } else if path.starts_with('[') {
                format!("{prefix}{path}")
            } else {
                format!("{prefix}.{path}")
            }
        };
        match self {
            GenError::Invalid { path, message } => GenError::Invalid { path: join(path), message },
            GenError::Missing { path, message } => GenError::Missing { path: join(path), message },
            GenError::Conflict { path, message } => GenError::Conflict { path: join(path), message },
            GenError::TooMany { path, message } => GenError::TooMany { path: join(path), message },
        }
    }
}

/// Mean arrivals per hour for each hour of the week (Monday 00:00 first), written in one of the
/// forms the [module docs](self) show. Exactly one of `base` (with optional `peak` and
/// `peak_hours`), `hourly` or `weekly` must be given; `weekend` scales Saturday and Sunday in the
/// first two forms. Rates are for the whole population.
#[derive(Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct RateProfile {
    /// Arrivals per hour in peak hours (before `weekend` on Saturdays and Sundays); defaults to
    /// `base`.
    pub peak: Option<f64>,
    /// Arrivals per hour outside the peak (and at every hour when `peak` is left out).
    pub base: Option<f64>,
    /// `[first, end]`: the hours from `first`:00 up to, not including, `end`:00 of every day
    /// are peak hours; 0 ≤ first < end ≤ 24. Defaults to `[9, 17]`.
    pub peak_hours: Option<[u32; 2]>,
    /// 24 rates, 00:00–01:00 first, the same for every day of the week (before `weekend`).
    pub hourly: Option<Vec<f64>>,
    /// 168 rates, Monday 00:00–01:00 first.
    pub weekly: Option<Vec<f64>>,
    /// Factor on every Saturday and Sunday hour of the `base`/`peak` and `hourly` forms;
    /// defaults to 1.
    pub weekend: Option<f64>,
}

/// Default peak hours: 09:00 to 17:00.
pub const DEFAULT_PEAK_HOURS: [u32; 2] = [9, 17];

fn check_rate(path: String, v: f64) -> Result<(), GenError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(GenError::invalid(path, format!("expected arrivals per hour, a finite number ≥ 0, found {v}")))
    }
}

impl RateProfile {
    /// The same profile with every rate multiplied by `factor` (the weekend factor and the
    /// peak hours unchanged): `factor` times the arrivals in every hour.
    pub fn scaled(&self, factor: f64) -> RateProfile {
        if factor == 1.0 {
            return self.clone();
        }
        let times = |v: &Vec<f64>| v.iter().map(|r| r * factor).collect();
        RateProfile {
            peak: self.peak.map(|r| r * factor),
            base: self.base.map(|r| r * factor),
            hourly: self.hourly.as_ref().map(times),
            weekly: self.weekly.as_ref().map(times),
            ..self.clone()
        }
    }

    /// The flat profile of `per_hour` arrivals every hour of the week.
    pub fn flat(per_hour: f64) -> RateProfile {
        RateProfile { base: Some(per_hour), ..RateProfile::default() }
    }

    /// Checks that exactly one form is given and every rate is a finite number ≥ 0. Paths are
    /// relative to the profile (`"peak"`, `"hourly[3]"`); a configuration holding the profile
    /// prefixes its own field name.
    pub fn validate(&self) -> Result<(), GenError> {
        const FORMS: &str = "give exactly one of `base` (with optional `peak`, `peak_hours`, `weekend`), \
                             `hourly` (24 rates, optional `weekend`) or `weekly` (168 rates)";
        let given = [self.base.is_some() || self.peak.is_some(), self.hourly.is_some(), self.weekly.is_some()];
        match given.iter().filter(|g| **g).count() {
            0 => return Err(GenError::missing("base", format!("no arrival rate given; {FORMS}"))),
            1 => {}
            _ => {
                let second = if given[0] && given[1] { "hourly" } else { "weekly" };
                return Err(GenError::conflict(second, format!("more than one form of rate given; {FORMS}")));
            }
        }
        if self.peak_hours.is_some() && self.peak.is_none() {
            let path = if self.base.is_some() { "peak" } else { "peak_hours" };
            return Err(GenError::missing(path, "`peak_hours` needs a `peak` rate"));
        }
        if let Some(w) = self.weekend {
            if self.weekly.is_some() {
                return Err(GenError::conflict(
                    "weekend",
                    "`weekend` cannot be combined with `weekly`, which gives every hour of the week itself",
                ));
            }
            if !(w.is_finite() && w >= 0.0) {
                return Err(GenError::invalid("weekend", format!("expected a finite factor ≥ 0, found {w}")));
            }
        }
        if given[0] {
            let Some(base) = self.base else {
                return Err(GenError::missing("base", "a `peak` rate needs a `base` rate for the other hours"));
            };
            check_rate("base".into(), base)?;
            if let Some(peak) = self.peak {
                check_rate("peak".into(), peak)?;
            }
            if let Some([first, end]) = self.peak_hours {
                if !(first < end && end <= 24) {
                    return Err(GenError::invalid(
                        "peak_hours",
                        format!(
                            "expected [first, end] hours with 0 ≤ first < end ≤ 24, e.g. [9, 17], found [{first}, {end}]"
                        ),
                    ));
                }
            }
        }
        for (name, values, len) in [("hourly", &self.hourly, 24), ("weekly", &self.weekly, HOURS_PER_WEEK)] {
            if let Some(v) = values {
                if v.len() != len {
                    return Err(GenError::invalid(
                        name,
                        format!("expected {len} hourly rates, 00:00 first, found {}", v.len()),
                    ));
                }
                for (i, &x) in v.iter().enumerate() {
                    check_rate(format!("{name}[{i}]"), x)?;
                }
            }
        }
        Ok(())
    }

    /// Mean arrivals per hour for each hour of the week, Monday 00:00–01:00 first. Assumes
    /// [`validate`](Self::validate) passed; on an invalid profile, rates that are not finite
    /// numbers ≥ 0 read as 0 and a profile with no form is 0 everywhere.
    pub fn per_hour(&self) -> [f64; HOURS_PER_WEEK] {
        let mut out = [0.0; HOURS_PER_WEEK];
        if let Some(w) = &self.weekly {
            for (o, x) in out.iter_mut().zip(w) {
                *o = *x;
            }
        } else {
            let weekend = self.weekend.unwrap_or(1.0);
            let [first, end] = self.peak_hours.unwrap_or(DEFAULT_PEAK_HOURS);
            for (h, o) in out.iter_mut().enumerate() {
                let (day, hour) = (h / 24, h % 24);
                let is_weekend = day >= 5;
                let rate = if let Some(hourly) = &self.hourly {
                    hourly.get(hour).copied().unwrap_or(0.0)
                } else {
                    let base = self.base.unwrap_or(0.0);
                    if (first as usize..end as usize).contains(&hour) {
                        self.peak.unwrap_or(base)
                    } else {
                        base
                    }
                };
                *o = if is_weekend { rate * weekend } else { rate };
            }
        }
        for o in &mut out {
            if !(o.is_finite() && *o >= 0.0) {
                *o = 0.0;
            }
        }
        out
    }

    /// Mean arrivals per week.
    pub fn per_week(&self) -> f64 {
        self.per_hour().iter().sum()
    }

    /// Expected number of arrivals over [start, end): the integral of the rate.
    pub fn expected_count(&self, start: SimTime, end: SimTime) -> f64 {
        expected_count(&self.per_hour(), start, end)
    }
}

/// Hour of the week (0 = Monday 00:00–01:00) in which instant `t` falls.
pub fn hour_of_week(t: SimTime) -> usize {
    t.0.div_euclid(MS_PER_HOUR).rem_euclid(HOURS_PER_WEEK as i64) as usize
}

fn expected_count(rates: &[f64; HOURS_PER_WEEK], start: SimTime, end: SimTime) -> f64 {
    if end <= start {
        return 0.0;
    }
    let week_ms = MS_PER_HOUR * HOURS_PER_WEEK as i64;
    let per_week: f64 = rates.iter().sum();
    // Whole weeks in one step, the rest hour by hour (at most 2 × 168 hours).
    let span = end.0 - start.0;
    let weeks = span / week_ms;
    let mut total = weeks as f64 * per_week;
    let mut t = start.0 + weeks * week_ms;
    while t < end.0 {
        let hour_end = (t.div_euclid(MS_PER_HOUR) + 1) * MS_PER_HOUR;
        let seg_end = hour_end.min(end.0);
        total += rates[hour_of_week(SimTime(t))] * (seg_end - t) as f64 / MS_PER_HOUR as f64;
        t = seg_end;
    }
    total
}

/// Checks that `profile` over [start, end) expects at most [`MAX_EXPECTED_ARRIVALS`]; the
/// error's path is `""` (the profile itself) for the caller to prefix.
pub fn check_expected_count(profile: &RateProfile, start: SimTime, end: SimTime) -> Result<f64, GenError> {
    let n = profile.expected_count(start, end);
    if n <= MAX_EXPECTED_ARRIVALS {
        Ok(n)
    } else {
        Err(GenError::TooMany {
            path: String::new(),
            message: format!(
                "expects {n:.0} arrivals between {start} s and {end} s, more than the limit of \
                 {MAX_EXPECTED_ARRIVALS:.0}; is the rate per hour?"
            ),
        })
    }
}

/// Arrival instants of the non-homogeneous Poisson process with `profile`'s hourly rates over
/// [start, end), in non-decreasing order, drawn as the [module docs](self) describe. Every draw
/// comes from `rng` in time order, so the same generator state gives the same arrivals. Assumes
/// the profile is valid (see [`RateProfile::per_hour`] for what an invalid one gives); callers
/// that take rates from users should also bound the count with [`check_expected_count`].
pub fn arrivals<R: Rng + ?Sized>(profile: &RateProfile, start: SimTime, end: SimTime, rng: &mut R) -> Vec<SimTime> {
    let rates = profile.per_hour();
    let mut out = Vec::with_capacity(expected_count(&rates, start, end).clamp(0.0, 1e7) as usize + 16);
    if end <= start {
        return out;
    }
    let mut t = start.0;
    while t < end.0 {
        let hour_end = (t.div_euclid(MS_PER_HOUR) + 1).saturating_mul(MS_PER_HOUR);
        let seg_end = hour_end.min(end.0);
        let rate = rates[hour_of_week(SimTime(t))];
        if rate > 0.0 {
            // Work in milliseconds from the segment's start, so precision does not depend on
            // how far into the run the segment lies.
            let mean_gap_ms = MS_PER_HOUR as f64 / rate;
            let len = (seg_end - t) as f64;
            let mut x = 0.0;
            loop {
                let e: f64 = Exp1.sample(rng);
                x += e * mean_gap_ms;
                if x >= len {
                    break;
                }
                // floor(x) < len, so the instant stays inside [t, seg_end).
                out.push(SimTime(t + x as i64));
            }
        }
        t = seg_end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;

    const WEEK_MS: i64 = MS_PER_HOUR * HOURS_PER_WEEK as i64;

    fn parse(s: &str) -> RateProfile {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct T {
            rate: RateProfile,
        }
        let t: T = toml::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        t.rate.validate().unwrap_or_else(|e| panic!("{s}: {e}"));
        t.rate
    }

    fn counts_per_hour(times: &[SimTime]) -> [u64; HOURS_PER_WEEK] {
        let mut c = [0u64; HOURS_PER_WEEK];
        for &t in times {
            c[hour_of_week(t)] += 1;
        }
        c
    }

    /// Over `weeks` whole weeks, every hour-of-week bucket's count must lie within 5 standard
    /// deviations of its Poisson mean (rate × weeks; the standard deviation of a Poisson count
    /// is the square root of its mean). A bucket drawn at a wrong rate, say 10% off at 30/hour
    /// over 400 weeks (mean 12,000, sd 110), is off by 1,200 ≈ 11 sd; a correct sampler fails
    /// one of 168 buckets at 5 sd with probability ≈ 168 × 5.7e-7 ≈ 1e-4 (and the seed is fixed).
    /// Buckets of rate 0 must be empty.
    fn check_buckets(profile: &RateProfile, weeks: i64, seed: u64) -> usize {
        let rates = profile.per_hour();
        let mut r = rng::stream(seed, 0, "weekly/test");
        let times = arrivals(profile, SimTime::ZERO, SimTime(weeks * WEEK_MS), &mut r);
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "arrivals out of order");
        let counts = counts_per_hour(&times);
        let mut worst = 0.0f64;
        for h in 0..HOURS_PER_WEEK {
            let expected = rates[h] * weeks as f64;
            let got = counts[h] as f64;
            if expected == 0.0 {
                assert_eq!(counts[h], 0, "hour {h} has rate 0 but {got} arrivals");
                continue;
            }
            let z = (got - expected) / expected.sqrt();
            worst = worst.max(z.abs());
            assert!(z.abs() <= 5.0, "hour {h}: {got} arrivals, expected {expected} (z = {z:.2})");
        }
        eprintln!("{} arrivals over {weeks} weeks, worst bucket |z| = {worst:.2}", times.len());
        times.len()
    }

    #[test]
    fn counts_per_hour_of_week_match_the_profile() {
        let p = parse("rate = { peak = 30.0, base = 2.0, peak_hours = [9, 17], weekend = 0.25 }");
        check_buckets(&p, 400, 1);
        // A profile with a different rate in every hour, including some zeros and tiny rates.
        let weekly: Vec<f64> =
            (0..HOURS_PER_WEEK).map(|h| if h % 7 == 3 { 0.0 } else { (h % 24) as f64 * 1.5 + 0.05 }).collect();
        let p = RateProfile { weekly: Some(weekly), ..RateProfile::default() };
        p.validate().unwrap();
        check_buckets(&p, 300, 2);
    }

    #[test]
    fn hours_of_rate_zero_get_no_arrivals() {
        // Open only 08:00–20:00 on weekdays, closed on weekends.
        let hourly: Vec<String> =
            (0..24).map(|h| if (8..20).contains(&h) { "10".into() } else { "0".into() }).collect();
        let p = parse(&format!("rate = {{ hourly = [{}], weekend = 0 }}", hourly.join(", ")));
        let mut r = rng::stream(3, 0, "zero");
        let times = arrivals(&p, SimTime::ZERO, SimTime(50 * WEEK_MS), &mut r);
        assert!(!times.is_empty());
        for t in &times {
            let h = hour_of_week(*t);
            assert!(h < 120 && (8..20).contains(&(h % 24)), "arrival at hour of week {h}");
        }
        // And an all-zero profile gives nothing at all.
        let mut r = rng::stream(3, 0, "zero");
        assert!(arrivals(&RateProfile::flat(0.0), SimTime::ZERO, SimTime(10 * WEEK_MS), &mut r).is_empty());
    }

    #[test]
    fn weekend_factor_scales_saturday_and_sunday() {
        let p = parse("rate = { peak = 30.0, base = 2.0, peak_hours = [9, 17], weekend = 0.25 }");
        let r = p.per_hour();
        for day in 0..7 {
            let f = if day >= 5 { 0.25 } else { 1.0 };
            for hour in 0..24 {
                let want = if (9..17).contains(&hour) { 30.0 } else { 2.0 } * f;
                assert_eq!(r[day * 24 + hour], want, "day {day} hour {hour}");
            }
        }
        let hourly: Vec<f64> = (0..24).map(f64::from).collect();
        let p = RateProfile { hourly: Some(hourly.clone()), weekend: Some(0.3), ..RateProfile::default() };
        let r = p.per_hour();
        assert_eq!(r[24 + 7], 7.0, "Tuesday 07:00");
        assert_eq!(r[5 * 24 + 7], 7.0 * 0.3, "Saturday 07:00");
        assert_eq!(r[6 * 24 + 23], 23.0 * 0.3, "Sunday 23:00");
        // The sampled weekend share follows: weekdays 5 × 276, weekend 2 × 276 × 0.3.
        let mut rng = rng::stream(4, 0, "weekend");
        let times = arrivals(&p, SimTime::ZERO, SimTime(100 * WEEK_MS), &mut rng);
        let weekend = times.iter().filter(|t| hour_of_week(**t) >= 120).count() as f64;
        let expected = 100.0 * 2.0 * 276.0 * 0.3;
        assert!((weekend - expected).abs() <= 5.0 * expected.sqrt(), "{weekend} weekend arrivals, expected {expected}");
        // Defaults: no weekend factor, peak hours 9–17, a lone base is flat.
        let p = parse("rate = { peak = 10, base = 1 }");
        assert_eq!(p.per_hour()[6 * 24 + 9], 10.0);
        assert_eq!(p.per_hour()[8], 1.0);
        assert_eq!(p.per_hour()[16], 10.0);
        assert_eq!(p.per_hour()[17], 1.0);
        assert!(parse("rate = { base = 12 }").per_hour().iter().all(|r| *r == 12.0));
    }

    #[test]
    fn weekly_form_is_monday_first() {
        let mut w = vec![0.0; HOURS_PER_WEEK];
        w[0] = 1.0;
        w[167] = 2.0;
        let list: Vec<String> = w.iter().map(|x| x.to_string()).collect();
        let p = parse(&format!("rate = {{ weekly = [{}] }}", list.join(", ")));
        assert_eq!(p.per_hour().to_vec(), w);
        assert_eq!(p.per_week(), 3.0);
        assert_eq!(hour_of_week(SimTime(0)), 0);
        assert_eq!(hour_of_week(SimTime(WEEK_MS - 1)), 167);
        assert_eq!(hour_of_week(SimTime(WEEK_MS + MS_PER_HOUR)), 1);
    }

    #[test]
    fn partial_hours_and_offset_windows() {
        // A window starting and ending mid-hour: arrivals stay inside it and the total matches
        // the integral of the rate.
        let p = RateProfile { peak: Some(40.0), base: Some(3.0), weekend: Some(0.5), ..RateProfile::default() };
        let start = SimTime(2 * 24 * MS_PER_HOUR + 13 * MS_PER_HOUR + 1_627_500); // Wed 13:27:07.5
        let end = SimTime(start.0 + 60 * WEEK_MS + 5 * MS_PER_HOUR + 123_456);
        let expected = p.expected_count(start, end);
        let per_week = p.per_week();
        assert!((expected - 60.0 * per_week).abs() < 6.0 * 40.0, "{expected} vs {}", 60.0 * per_week);
        let mut r = rng::stream(5, 0, "offset");
        let times = arrivals(&p, start, end, &mut r);
        assert!(times.iter().all(|t| start <= *t && *t < end));
        let n = times.len() as f64;
        assert!((n - expected).abs() <= 5.0 * expected.sqrt(), "{n} arrivals, expected {expected}");
        // Empty and reversed windows give nothing.
        assert!(arrivals(&p, end, end, &mut r).is_empty());
        assert!(arrivals(&p, end, start, &mut r).is_empty());
        assert_eq!(p.expected_count(end, start), 0.0);
    }

    #[test]
    fn expected_count_integrates_the_rate() {
        let p = RateProfile::flat(6.0);
        assert_eq!(p.expected_count(SimTime(0), SimTime(MS_PER_HOUR / 2)), 3.0);
        let p = RateProfile { peak: Some(30.0), base: Some(0.0), ..RateProfile::default() };
        // 08:30–09:30 on Monday: half an hour at 0, half an hour at 30.
        let (a, b) = (SimTime(8 * MS_PER_HOUR + MS_PER_HOUR / 2), SimTime(9 * MS_PER_HOUR + MS_PER_HOUR / 2));
        assert_eq!(p.expected_count(a, b), 15.0);
        assert_eq!(p.expected_count(SimTime(0), SimTime(3 * WEEK_MS)), 3.0 * 7.0 * 8.0 * 30.0);
        let huge = RateProfile::flat(1e9);
        let e = check_expected_count(&huge, SimTime(0), SimTime(WEEK_MS)).unwrap_err();
        assert!(matches!(e, GenError::TooMany { .. }), "{e}");
        assert!(e.message().contains("more than the limit"), "{e}");
    }

    #[test]
    fn same_generator_state_gives_the_same_arrivals() {
        let p = RateProfile { peak: Some(20.0), base: Some(1.0), ..RateProfile::default() };
        let run = |seed| arrivals(&p, SimTime(0), SimTime(4 * WEEK_MS), &mut rng::stream(seed, 0, "a"));
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }

    #[test]
    fn every_validation_error_names_its_field() {
        let cases: &[(&str, &str)] = &[
            ("rate = { peak = -1.0, base = 2.0 }", "peak"),
            ("rate = { peak = 10.0, base = -2.0 }", "base"),
            ("rate = { peak = nan, base = 2.0 }", "peak"),
            ("rate = { base = inf }", "base"),
            ("rate = { peak = 10.0 }", "base"),
            ("rate = { base = 1.0, peak_hours = [9, 17] }", "peak"),
            ("rate = { peak_hours = [9, 17] }", "base"),
            ("rate = { peak = 10.0, base = 1.0, peak_hours = [17, 9] }", "peak_hours"),
            ("rate = { peak = 10.0, base = 1.0, peak_hours = [9, 25] }", "peak_hours"),
            ("rate = { peak = 10.0, base = 1.0, peak_hours = [9, 9] }", "peak_hours"),
            ("rate = { base = 1.0, weekend = -0.5 }", "weekend"),
            ("rate = { hourly = [] }", "hourly"),
            ("rate = { hourly = [1, 2, 3] }", "hourly"),
            ("rate = { weekly = [1, 2, 3] }", "weekly"),
            ("rate = { weekly = [] }", "weekly"),
            ("rate = { base = 1.0, hourly = [1, 2, 3] }", "hourly"),
            ("rate = { hourly = [1, 2, 3], weekly = [1] }", "weekly"),
            ("rate = { weekend = 0.5 }", "base"),
            ("rate = { }", "base"),
        ];
        #[derive(Deserialize)]
        struct T {
            rate: RateProfile,
        }
        for (src, path) in cases {
            let t: T = toml::from_str(src).unwrap_or_else(|e| panic!("{src}: {e}"));
            let e = t.rate.validate().expect_err(src);
            assert_eq!(e.path(), *path, "{src}: {e}");
            assert!(e.to_string().contains(&format!("`{path}`")), "{src}: {e}");
        }
        // Errors inside a list name the element.
        let mut hourly = vec![1.0; 24];
        hourly[7] = -3.0;
        let p = RateProfile { hourly: Some(hourly), ..RateProfile::default() };
        assert_eq!(p.validate().unwrap_err().path(), "hourly[7]");
        let mut weekly = vec![1.0; HOURS_PER_WEEK];
        weekly[100] = f64::NAN;
        let p = RateProfile { weekly: Some(weekly.clone()), ..RateProfile::default() };
        assert_eq!(p.validate().unwrap_err().path(), "weekly[100]");
        weekly[100] = 1.0;
        let p = RateProfile { weekly: Some(weekly), weekend: Some(0.5), ..RateProfile::default() };
        assert_eq!(p.validate().unwrap_err().path(), "weekend");
        // Unknown keys are refused by the parser.
        assert!(toml::from_str::<T>("rate = { peek = 1.0 }").is_err());
        // Prefixing builds the path relative to an enclosing configuration.
        let e = RateProfile::flat(-1.0).validate().unwrap_err().prefixed("rate");
        assert_eq!(e.path(), "rate.base");
        assert_eq!(GenError::invalid("[2]", "x").prefixed("values").path(), "values[2]");
        assert_eq!(GenError::invalid("", "x").prefixed("rate").path(), "rate");
    }
}
