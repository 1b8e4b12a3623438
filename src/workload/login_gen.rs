//! Synthetic login-node processes (editors, compilers, scripts users run on the login nodes):
//! arrivals from a time-of-week profile, each with a CPU-time demand, the input of the
//! login-node simulator.
//!
//! In a scenario:
//!
//! ```toml
//! users = 300
//! rate = { peak = 600.0, base = 60.0, weekend = 0.3 }
//! cpu_demand = { dist = "lognormal", median = "5s", sigma = 2.0 }
//! ```
//!
//! # Reproducibility
//!
//! [`LoginProcessConfig::generate`] first takes three 32-byte seeds from the generator it is
//! given, in this order, and seeds one ChaCha8 sub-stream with each: arrivals, users,
//! cpu_demand. Each quantity is then drawn from its own sub-stream, one draw per process in
//! arrival order, so changing the demand distribution leaves arrival times and users unchanged.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use crate::time::{SimDuration, SimTime};
use crate::workload::dist::DurationDist;
use crate::workload::weekly::{self, GenError, RateProfile};

/// One process started on a login node: what the generator draws and
/// the login-node model in the cluster serves, sorted by arrival, then id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginProcess {
    pub id: u64,
    pub user: u32,
    pub arrival: SimTime,
    /// CPU time the process needs to finish, served at its processor-sharing rate.
    pub cpu_demand: SimDuration,
}

/// A population of login-node processes, as a scenario writes it (see the [module docs](self)).
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LoginProcessConfig {
    /// Number of distinct users; each process belongs to one drawn uniformly from 1..=users.
    pub users: u32,
    /// Process arrivals per hour, by hour of the week, for all users together.
    pub rate: RateProfile,
    /// CPU time each process needs to finish (at a full core).
    pub cpu_demand: DurationDist,
}

impl LoginProcessConfig {
    /// Checks every field; error paths are relative to this configuration (`"users"`,
    /// `"rate.weekly"`, `"cpu_demand.mean"`).
    pub fn validate(&self) -> Result<(), GenError> {
        if self.users == 0 {
            return Err(GenError::invalid("users", "expected at least 1 user, found 0"));
        }
        self.rate.validate().map_err(|e| e.prefixed("rate"))?;
        self.cpu_demand.validate().map_err(|e| e.prefixed("cpu_demand"))
    }

    /// Processes arriving in [start, end), in arrival order, with ids 1..=n: user uniform in
    /// 1..=users, CPU demand a `cpu_demand` draw. Validates first; draws as the
    /// [module docs](self) say.
    pub fn generate<R: Rng + ?Sized>(
        &self,
        start: SimTime,
        end: SimTime,
        rng: &mut R,
    ) -> Result<Vec<LoginProcess>, GenError> {
        self.validate()?;
        weekly::check_expected_count(&self.rate, start, end).map_err(|e| e.prefixed("rate"))?;
        let mut sub = || ChaCha8Rng::from_seed(rng.random());
        let (mut r_arrival, mut r_user, mut r_demand) = (sub(), sub(), sub());
        let times = weekly::arrivals(&self.rate, start, end, &mut r_arrival);
        Ok(times
            .into_iter()
            .enumerate()
            .map(|(i, arrival)| LoginProcess {
                id: i as u64 + 1,
                user: r_user.random_range(1..=self.users),
                arrival,
                cpu_demand: self.cpu_demand.sample(&mut r_demand),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;
    use crate::time::SimDuration;
    use crate::workload::weekly::{hour_of_week, MS_PER_HOUR};

    const EXAMPLE: &str = r#"
        users = 300
        rate = { peak = 600.0, base = 60.0, weekend = 0.3 }
        cpu_demand = { dist = "lognormal", median = "5s", sigma = 2.0 }
    "#;

    fn example() -> LoginProcessConfig {
        let c: LoginProcessConfig = toml::from_str(EXAMPLE).unwrap();
        c.validate().unwrap();
        c
    }

    #[test]
    fn processes_respect_their_fields() {
        let c = example();
        let end = SimTime(168 * MS_PER_HOUR);
        let procs = c.generate(SimTime::ZERO, end, &mut rng::stream(1, 0, "login")).unwrap();
        let expected = c.rate.per_week();
        assert!(
            (procs.len() as f64 - expected).abs() < 5.0 * expected.sqrt(),
            "{} processes, expected {expected}",
            procs.len()
        );
        for (i, p) in procs.iter().enumerate() {
            assert_eq!(p.id, i as u64 + 1);
            assert!((1..=300).contains(&p.user));
            assert!(p.arrival >= SimTime::ZERO && p.arrival < end);
            assert!(p.cpu_demand >= SimDuration::ZERO);
        }
        assert!(procs.windows(2).all(|w| (w[0].arrival, w[0].id) < (w[1].arrival, w[1].id)));
        // The median demand is near 5 s (the sample median of ~30,000 lognormal draws is within
        // a few per cent of it).
        let mut d: Vec<i64> = procs.iter().map(|p| p.cpu_demand.0).collect();
        d.sort_unstable();
        let median = d[d.len() / 2] as f64;
        assert!((median - 5000.0).abs() < 500.0, "median demand {median} ms");
        // Peak hours on weekdays are busier than nights.
        let at = |h| procs.iter().filter(|p| hour_of_week(p.arrival) == h).count();
        assert!(at(10) > 450 && at(3) < 100, "{} at 10:00, {} at 03:00", at(10), at(3));
    }

    #[test]
    fn same_seed_same_processes() {
        let c = example();
        let end = SimTime(24 * MS_PER_HOUR);
        let run = |seed| c.generate(SimTime::ZERO, end, &mut rng::stream(seed, 0, "login")).unwrap();
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
        // Changing the demand distribution keeps arrivals and users.
        let mut c2 = c.clone();
        c2.cpu_demand = DurationDist::constant(SimDuration::from_secs(1));
        let b = c2.generate(SimTime::ZERO, end, &mut rng::stream(3, 0, "login")).unwrap();
        let a = run(3);
        assert!(a.iter().zip(&b).all(|(x, y)| (x.arrival, x.user) == (y.arrival, y.user)) && a.len() == b.len());
    }

    #[test]
    fn every_validation_error_names_its_field() {
        let cases: &[(&str, &str, &str)] = &[
            ("users = 300", "users = 0", "users"),
            ("peak = 600.0", "peak = -600.0", "rate.peak"),
            ("weekend = 0.3", "weekend = -0.3", "rate.weekend"),
            ("rate = { peak = 600.0, base = 60.0, weekend = 0.3 }", "rate = { hourly = [1.0] }", "rate.hourly"),
            ("median = \"5s\"", "median = \"0s\"", "cpu_demand.median"),
            ("sigma = 2.0", "sigma = 0.0", "cpu_demand.sigma"),
        ];
        for (from, to, path) in cases {
            assert!(EXAMPLE.contains(from), "{from}");
            let c: LoginProcessConfig = toml::from_str(&EXAMPLE.replacen(from, to, 1)).unwrap();
            let e = c.validate().expect_err(to);
            assert_eq!(e.path(), *path, "{to}: {e}");
            let g = c.generate(SimTime::ZERO, SimTime(MS_PER_HOUR), &mut rng::stream(1, 0, "x")).unwrap_err();
            assert_eq!(g, e);
        }
        assert!(toml::from_str::<LoginProcessConfig>(&format!("{EXAMPLE}\ncpu_limit = \"1h\"")).is_err());
    }
}
