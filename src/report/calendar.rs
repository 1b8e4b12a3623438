//! Calendar labels for the time axes of a run's charts: where midnights fall and what day
//! each is, when the run's start instant is known (a trace header's `StartTime`, or a
//! scenario's Monday 00:00 of week 1). Plain civil-date arithmetic, no time zones: a trace's
//! days are counted in its local time at the start.

use super::rundata::TraceStart;
use crate::civil::{civil_from_days, days_from_civil};

/// Weekday names, Monday first.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// What time 0 of a run was on the calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A trace that started at `clock` seconds after local midnight of `date`, a
    /// `weekday` (0 = Monday).
    Date { date: (i32, u32, u32), clock: u32, weekday: u32 },
    /// A scenario: time 0 is Monday 00:00 of week 1.
    Week,
}

impl Origin {
    /// The origin a trace's header gives, if it gives a date.
    pub fn of_trace(start: &TraceStart) -> Option<Origin> {
        let date = start.date?;
        Some(Origin::Date { date, clock: start.since_monday % 86400, weekday: start.since_monday / 86400 })
    }

    /// Seconds from time 0 to the first midnight at or after it.
    fn first_midnight(&self) -> u32 {
        match self {
            Origin::Date { clock: 0, .. } | Origin::Week => 0,
            Origin::Date { clock, .. } => 86400 - clock,
        }
    }

    /// The label of the day that starts `k` midnights after the first one: `Tue 24 Sep` (with
    /// the year when `year`), or `Mon, week 1`.
    fn day_label(&self, k: i64, year: bool) -> String {
        match self {
            Origin::Week => format!("{}, week {}", WEEKDAYS[k.rem_euclid(7) as usize], k.div_euclid(7) + 1),
            Origin::Date { date, clock, weekday } => {
                let shift = k + i64::from(*clock > 0);
                let (y, m, d) = civil_from_days(days_from_civil(i64::from(date.0), date.1, date.2) + shift);
                let wd = WEEKDAYS[(i64::from(*weekday) + shift).rem_euclid(7) as usize];
                if year {
                    format!("{d} {} {y}", MONTHS[m as usize - 1])
                } else {
                    format!("{wd} {d} {}", MONTHS[m as usize - 1])
                }
            }
        }
    }

    /// What the axis counts from, for its title.
    pub fn describe(&self) -> String {
        match self {
            Origin::Week => "the scenario starts on Monday 00:00 of week 1".into(),
            Origin::Date { date: (y, m, d), clock, weekday } => format!(
                "the trace starts {} {d} {} {y}, {:02}:{:02} local time",
                WEEKDAYS[*weekday as usize % 7],
                MONTHS[*m as usize - 1],
                clock / 3600,
                clock / 60 % 60
            ),
        }
    }
}

/// Day steps between labelled midnights: the first that gives at most `max` labels.
const STEPS: [u32; 8] = [1, 2, 7, 14, 28, 91, 182, 364];

/// Labelled midnights for an axis of seconds from `t0` to `t1`: (seconds since time 0,
/// label), at most `max` of them (at least two days are needed for one to make sense).
pub fn midnight_ticks(origin: &Origin, t0: f64, t1: f64, max: usize) -> Vec<(f64, String)> {
    if (t1 - t0).is_nan() || t1 - t0 < 2.0 * 86400.0 {
        return Vec::new();
    }
    let first = f64::from(origin.first_midnight());
    let k_lo = ((t0 - first) / 86400.0).ceil().max(0.0) as i64;
    let k_hi = ((t1 - first) / 86400.0).floor() as i64;
    let days = (k_hi - k_lo + 1).max(1) as u64;
    let step = STEPS.iter().copied().find(|s| days.div_ceil(u64::from(*s)) as usize <= max).unwrap_or(364);
    let year = step >= 28;
    // A scenario's weeks start on Mondays: a step of a week or more keeps to them.
    let mut k = k_lo;
    if *origin == Origin::Week && step >= 7 {
        k = k_lo + (7 - k_lo.rem_euclid(7)) % 7;
    }
    let mut out = Vec::new();
    while k <= k_hi {
        out.push((first + k as f64 * 86400.0, origin.day_label(k, year)));
        k += i64::from(step);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trace_s_midnights_are_its_local_days() {
        // HPC2N: Sunday 28 July 2002, 09:04:05.
        let start = TraceStart {
            since_monday: 6 * 86400 + 9 * 3600 + 4 * 60 + 5,
            date: Some((2002, 7, 28)),
            text: String::new(),
        };
        let o = Origin::of_trace(&start).unwrap();
        let ticks = midnight_ticks(&o, 0.0, 5.0 * 86400.0, 10);
        let first = 86400.0 - f64::from(9 * 3600 + 4 * 60 + 5);
        assert_eq!(ticks[0], (first, "Mon 29 Jul".to_string()));
        assert_eq!(ticks[3].1, "Thu 1 Aug");
        // Long spans take longer steps, and say the year.
        let ticks = midnight_ticks(&o, 0.0, 1270.0 * 86400.0, 10);
        assert!(ticks.len() <= 10 && ticks.len() >= 4, "{ticks:?}");
        assert_eq!(ticks[0].1, "29 Jul 2002");
        assert!(midnight_ticks(&o, 0.0, 86400.0, 10).is_empty());
    }

    #[test]
    fn a_scenario_counts_weeks_from_monday() {
        let ticks = midnight_ticks(&Origin::Week, 0.0, 24.0 * 86400.0, 10);
        let labels: Vec<&str> = ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["Mon, week 1", "Mon, week 2", "Mon, week 3", "Mon, week 4"]);
        let ticks = midnight_ticks(&Origin::Week, 0.0, 4.0 * 86400.0, 10);
        assert_eq!(ticks[1], (86400.0, "Tue, week 1".to_string()));
    }
}
