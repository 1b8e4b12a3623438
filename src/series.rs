//! The bound on a time series' length: a sampler that reaches [`MAX_SAMPLES`] rows keeps every
//! other one and doubles its interval, so memory and `timeseries.csv` stay bounded however
//! long the run (a job submitted at 9e12 s, `sample_every = "1ms"` over a year).

use crate::time::{SimDuration, SimTime};

/// A time series never holds this many samples.
pub const MAX_SAMPLES: usize = 20_000;

/// Keeps the samples taken at multiples of `every`.
pub fn thin<T>(samples: &mut Vec<T>, every: SimDuration, time: impl Fn(&T) -> SimTime) {
    samples.retain(|s| time(s).0.rem_euclid(every.0) == 0);
}

/// Called after each sample: while `samples` holds [`MAX_SAMPLES`] or more, doubles `every`,
/// keeps the samples at its multiples, and moves `next` (the next sample instant) up to one.
pub fn bound<T>(samples: &mut Vec<T>, every: &mut SimDuration, next: &mut SimTime, time: impl Fn(&T) -> SimTime) {
    while samples.len() >= MAX_SAMPLES {
        *every = SimDuration(every.0.saturating_mul(2));
        thin(samples, *every, &time);
        *next = SimTime(
            next.0
                .div_euclid(every.0)
                .saturating_add(i64::from(next.0.rem_euclid(every.0) != 0))
                .saturating_mul(every.0),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_series_is_coarsened_on_its_grid_and_stays_under_the_bound() {
        // One sample a millisecond over 10^6 ms, from an origin off the coarser grids.
        let (mut every, mut t) = (SimDuration(1), SimTime(3));
        let mut samples: Vec<SimTime> = Vec::new();
        let mut most = 0;
        while t.0 < 1_000_003 {
            samples.push(t);
            t = SimTime(t.0 + every.0);
            bound(&mut samples, &mut every, &mut t, |s| *s);
            most = most.max(samples.len());
        }
        assert!(most < MAX_SAMPLES, "{most}");
        // 10^6 / 2^6 = 15,625 < 20,000 <= 10^6 / 2^5.
        assert_eq!(every, SimDuration(64));
        assert!(samples.iter().all(|s| s.0 % 64 == 0));
        assert!(samples.windows(2).all(|w| w[1].0 - w[0].0 == 64), "evenly spaced");
        assert_eq!(samples.len(), 15_625);
    }
}
