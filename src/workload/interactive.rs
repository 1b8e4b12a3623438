//! Synthetic interactive sessions (`salloc`, `srun --pty`, Open OnDemand): arrivals from a
//! time-of-week profile, each a one-task job asking for a small allocation with a walltime
//! limit, used for a while, possibly left idle, and abandoned if it does not start within the
//! user's patience.
//!
//! In a scenario:
//!
//! ```toml
//! users = 120
//! rate = { peak = 30.0, base = 2.0, peak_hours = [9, 17], weekend = 0.25 }
//! cores = 4
//! memory = "16GB"
//! walltime = { dist = "empirical", values = ["1h", "2h", "4h", "8h"], weights = [0.4, 0.3, 0.2, 0.1] }
//! duration = { dist = "lognormal", median = "45m", sigma = 1.0 }
//! idle_after = { dist = "exponential", mean = "30m" }
//! patience = { dist = "weibull", shape = 0.8, scale = "5m" }
//! ```
//!
//! # Reproducibility
//!
//! [`InteractiveConfig::generate`] first takes six 32-byte seeds from the generator it is given,
//! in this order, and seeds one ChaCha8 sub-stream with each: arrivals, users, walltime,
//! duration, idle_after, patience. Each quantity is then drawn from its own sub-stream, one draw
//! per session in arrival order (a quantity that is not configured draws nothing). So the same
//! generator state gives the same sessions, and changing one quantity's distribution (say the
//! patience, in a what-if) leaves the arrival times, users and every other quantity unchanged.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use crate::res::Res;
use crate::time::{SimDuration, SimTime};
use crate::units::Memory;
use crate::workload::dist::DurationDist;
use crate::workload::job::{JobClass, PartitionIdx};
use crate::workload::weekly::{self, GenError, RateProfile};
use crate::workload::Job;

/// SWF queue number of interactive jobs (the SWF convention: queue 0 is interactive).
pub const INTERACTIVE_QUEUE: i64 = 0;

/// A population of interactive sessions, as a scenario writes it (see the [module docs](self)).
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InteractiveConfig {
    /// Number of distinct users; each session belongs to one drawn uniformly from 1..=users.
    pub users: u32,
    /// Session arrivals per hour, by hour of the week, for all users together.
    pub rate: RateProfile,
    /// Cores per session (one task on one node). Defaults to 1.
    #[serde(default = "one")]
    pub cores: u32,
    /// Memory per session; none asks for no memory (count-based scheduling).
    #[serde(default)]
    pub memory: Option<Memory>,
    /// GPUs per session. Defaults to 0.
    #[serde(default)]
    pub gpus: u32,
    /// The walltime limit the user asks for (e.g. a constant `"2h"`, or empirical over 1–8 h).
    pub walltime: DurationDist,
    /// How long the user works in the session once it starts; past the walltime the session is
    /// killed at the walltime.
    pub duration: DurationDist,
    /// When, after the start, the user stops using the session and leaves it idle until it
    /// ends; the partition's idle timeout may then end it. None: never left idle.
    #[serde(default)]
    pub idle_after: Option<DurationDist>,
    /// How long the user waits for the session to start before giving up. None: waits for ever.
    #[serde(default)]
    pub patience: Option<DurationDist>,
}

fn one() -> u32 {
    1
}

impl InteractiveConfig {
    /// A configuration with the given users, rate, walltime and duration, and the defaults
    /// otherwise (1 core, no memory, no GPU, never idle, infinite patience).
    pub fn new(users: u32, rate: RateProfile, walltime: DurationDist, duration: DurationDist) -> InteractiveConfig {
        InteractiveConfig {
            users,
            rate,
            cores: 1,
            memory: None,
            gpus: 0,
            walltime,
            duration,
            idle_after: None,
            patience: None,
        }
    }

    /// Checks every field; error paths are relative to this configuration (`"users"`,
    /// `"rate.peak"`, `"duration.mean"`, `"walltime.values[0]"`).
    pub fn validate(&self) -> Result<(), GenError> {
        if self.users == 0 {
            return Err(GenError::invalid("users", "expected at least 1 user, found 0"));
        }
        self.rate.validate().map_err(|e| e.prefixed("rate"))?;
        if self.cores == 0 {
            return Err(GenError::invalid("cores", "expected at least 1 core per session, found 0"));
        }
        if let Some(m) = self.memory {
            if m.0 == 0 || m.0 > u64::from(u32::MAX) {
                return Err(GenError::invalid(
                    "memory",
                    format!(
                        "expected more than 0 MB and at most {} MB per session (leave it out to ask for none), \
                         found {} MB",
                        u32::MAX,
                        m.0
                    ),
                ));
            }
        }
        self.walltime.validate().map_err(|e| e.prefixed("walltime"))?;
        let zero_limit =
            |path: String| GenError::invalid(path, "expected a walltime limit more than 0 s, found \"0s\"".to_string());
        match &self.walltime {
            DurationDist::Constant { value } if value.0 <= SimDuration::ZERO => {
                return Err(zero_limit("walltime.value".into()));
            }
            DurationDist::Empirical { values, .. } => {
                if let Some(i) = values.iter().position(|v| v.0 <= SimDuration::ZERO) {
                    return Err(zero_limit(format!("walltime.values[{i}]")));
                }
            }
            _ => {}
        }
        self.duration.validate().map_err(|e| e.prefixed("duration"))?;
        if let Some(d) = &self.idle_after {
            d.validate().map_err(|e| e.prefixed("idle_after"))?;
        }
        if let Some(d) = &self.patience {
            d.validate().map_err(|e| e.prefixed("patience"))?;
        }
        Ok(())
    }

    /// What one session asks for: one task of this shape.
    pub fn task(&self) -> Res {
        Res { cores: self.cores, mem: self.memory.map_or(0, Memory::mib_u32), gpus: self.gpus }
    }

    /// Sessions arriving in [start, end), in arrival order, on `partition`, with ids 1..=n (the
    /// scenario renumbers them when it merges sources). Validates first; draws as the
    /// [module docs](self) say. Each session is a job of class
    /// [`Interactive`](JobClass::Interactive), SWF queue [`INTERACTIVE_QUEUE`], user
    /// (`meta.user`) uniform in 1..=users, one task of [`task`](Self::task), requested time a
    /// walltime draw (a draw of 0 is raised to 1 ms), runtime a duration draw, and idle_after and
    /// patience draws when configured. When memory is given, `meta.requested_memory` is set to
    /// it in SWF units (KB per processor).
    pub fn generate<R: Rng + ?Sized>(
        &self,
        start: SimTime,
        end: SimTime,
        partition: PartitionIdx,
        rng: &mut R,
    ) -> Result<Vec<Job>, GenError> {
        self.validate()?;
        weekly::check_expected_count(&self.rate, start, end).map_err(|e| e.prefixed("rate"))?;
        let mut sub = || ChaCha8Rng::from_seed(rng.random());
        let (mut r_arrival, mut r_user, mut r_walltime) = (sub(), sub(), sub());
        let (mut r_duration, mut r_idle, mut r_patience) = (sub(), sub(), sub());

        let task = self.task();
        let requested_memory = self.memory.map_or(-1.0, |m| (m.0 as f64 * 1024.0 / f64::from(self.cores)).round());
        let times = weekly::arrivals(&self.rate, start, end, &mut r_arrival);
        let mut jobs = Vec::with_capacity(times.len());
        for (i, submit) in times.into_iter().enumerate() {
            let user = r_user.random_range(1..=self.users);
            let requested = self.walltime.sample(&mut r_walltime).max(SimDuration(1));
            let runtime = self.duration.sample(&mut r_duration);
            let mut job = Job::new(i as u64 + 1, submit, runtime, requested, 1);
            job.task = task;
            job.class = JobClass::Interactive;
            job.partition = partition;
            job.idle_after = self.idle_after.as_ref().map(|d| d.sample(&mut r_idle));
            job.patience = self.patience.as_ref().map(|d| d.sample(&mut r_patience));
            job.meta.user = i64::from(user);
            job.meta.queue = INTERACTIVE_QUEUE;
            job.meta.requested_memory = requested_memory;
            jobs.push(job);
        }
        Ok(jobs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;
    use crate::workload::weekly::{hour_of_week, MS_PER_HOUR};

    const WEEK: SimTime = SimTime(168 * MS_PER_HOUR);

    const EXAMPLE: &str = r#"
        users = 120
        rate = { peak = 30.0, base = 2.0, peak_hours = [9, 17], weekend = 0.25 }
        cores = 4
        memory = "16GB"
        gpus = 1
        walltime = { dist = "empirical", values = ["1h", "2h", "4h", "8h"], weights = [0.4, 0.3, 0.2, 0.1] }
        duration = { dist = "lognormal", median = "45m", sigma = 1.0 }
        idle_after = { dist = "exponential", mean = "30m" }
        patience = { dist = "weibull", shape = 0.8, scale = "5m" }
    "#;

    fn example() -> InteractiveConfig {
        let c: InteractiveConfig = toml::from_str(EXAMPLE).unwrap();
        c.validate().unwrap();
        c
    }

    fn gen(c: &InteractiveConfig, seed: u64, weeks: i64) -> Vec<Job> {
        let end = SimTime(WEEK.0 * weeks);
        c.generate(SimTime::ZERO, end, 3, &mut rng::stream(seed, 0, "interactive")).unwrap()
    }

    #[test]
    fn parses_the_documented_form_with_defaults() {
        let c = example();
        assert_eq!((c.users, c.cores, c.gpus), (120, 4, 1));
        assert_eq!(c.memory, Some(Memory(16 * 1024)));
        assert_eq!(c.task(), Res { cores: 4, mem: 16_384, gpus: 1 });
        let minimal: InteractiveConfig = toml::from_str(
            r#"
            users = 5
            rate = { base = 1.0 }
            walltime = { dist = "constant", value = "2h" }
            duration = { dist = "exponential", mean = "30m" }
            "#,
        )
        .unwrap();
        let want = InteractiveConfig::new(
            5,
            RateProfile::flat(1.0),
            DurationDist::constant(SimDuration::from_secs(7200)),
            DurationDist::Exponential { mean: crate::units::Duration(SimDuration::from_secs(1800)) },
        );
        assert_eq!(minimal, want);
        assert_eq!(minimal.task(), Res::cores(1));
        assert!(
            toml::from_str::<InteractiveConfig>(&format!("{EXAMPLE}\ncolour = 1")).is_err(),
            "unknown key accepted"
        );
    }

    #[test]
    fn sessions_respect_their_fields() {
        let c = example();
        let jobs = gen(&c, 1, 4);
        // 4 weeks of (5 × (8 × 30 + 16 × 2) + 2 × 0.25 × (8 × 30 + 16 × 2)) = 4 × 1496 expected.
        let expected = 4.0 * 1496.0;
        assert!((jobs.len() as f64 - expected).abs() < 5.0 * expected.sqrt(), "{} sessions", jobs.len());
        let mut users = std::collections::BTreeSet::new();
        for (i, j) in jobs.iter().enumerate() {
            assert_eq!(j.id, i as u64 + 1);
            assert!(j.submit >= SimTime::ZERO && j.submit < SimTime(4 * WEEK.0));
            assert_eq!(j.class, JobClass::Interactive);
            assert_eq!(j.partition, 3);
            assert_eq!(j.meta.queue, INTERACTIVE_QUEUE);
            assert!((1..=120).contains(&j.meta.user), "user {}", j.meta.user);
            users.insert(j.meta.user);
            assert_eq!(j.tasks, 1);
            assert_eq!(j.task, Res { cores: 4, mem: 16_384, gpus: 1 });
            assert_eq!(j.meta.requested_memory, 16.0 * 1024.0 * 1024.0 / 4.0);
            assert!([1, 2, 4, 8].contains(&(j.requested_time.0 / MS_PER_HOUR)), "{:?}", j.requested_time);
            assert_eq!(j.requested_time.0 % MS_PER_HOUR, 0);
            assert!(j.runtime >= SimDuration::ZERO);
            assert!(j.idle_after.is_some_and(|d| d >= SimDuration::ZERO));
            assert!(j.patience.is_some_and(|d| d >= SimDuration::ZERO));
        }
        assert!(jobs.windows(2).all(|w| w[0].submit <= w[1].submit));
        assert_eq!(users.len(), 120, "every user should appear among ~6000 sessions");
        // Means of the drawn quantities follow their distributions (5 standard errors).
        let n = jobs.len() as f64;
        let mean = |f: &dyn Fn(&Job) -> i64| jobs.iter().map(|j| f(j) as f64).sum::<f64>() / n;
        let rt = mean(&|j| j.runtime.0);
        let (m, sd) = (45.0 * 60_000.0 * 0.5f64.exp(), 45.0 * 60_000.0 * 0.5f64.exp() * 1f64.exp_m1().sqrt());
        assert!((rt - m).abs() < 5.0 * sd / n.sqrt(), "mean runtime {rt} ms, expected {m}");
        let wt = mean(&|j| j.requested_time.0) / MS_PER_HOUR as f64;
        let wsd = (0.4 + 0.3 * 4.0 + 0.2 * 16.0 + 0.1 * 64.0 - 2.6f64 * 2.6).sqrt();
        assert!((wt - 2.6).abs() < 5.0 * wsd / n.sqrt(), "mean walltime {wt} h, expected 2.6");
        // Hour-of-week shape: a weekday 10:00 bucket gets ~120 sessions in 4 weeks, Sunday 03:00 ~2.
        let at = |h| jobs.iter().filter(|j| hour_of_week(j.submit) == h).count();
        assert!(at(10) > 70 && at(10) < 170, "{}", at(10));
        assert!(at(6 * 24 + 3) < 15, "{}", at(6 * 24 + 3));
    }

    #[test]
    fn optional_quantities_stay_unset() {
        let mut c = example();
        c.idle_after = None;
        c.patience = None;
        c.memory = None;
        let jobs = gen(&c, 1, 1);
        assert!(!jobs.is_empty());
        assert!(jobs.iter().all(|j| j.idle_after.is_none() && j.patience.is_none()));
        assert!(jobs.iter().all(|j| j.task.mem == 0 && j.meta.requested_memory == -1.0));
    }

    #[test]
    fn same_seed_same_jobs_and_substreams_are_independent() {
        let c = example();
        let a = gen(&c, 7, 2);
        assert_eq!(a, gen(&c, 7, 2));
        let b = gen(&c, 8, 2);
        assert_ne!(a.iter().map(|j| j.submit).collect::<Vec<_>>(), b.iter().map(|j| j.submit).collect::<Vec<_>>());
        // Changing the patience leaves arrivals, users, walltimes, durations and idle times as
        // they were; only the patience draws move.
        let mut c2 = c.clone();
        c2.patience = Some(DurationDist::constant(SimDuration::from_secs(60)));
        let p = gen(&c2, 7, 2);
        assert_eq!(a.len(), p.len());
        for (x, y) in a.iter().zip(&p) {
            assert_eq!(
                (x.submit, x.meta.user, x.requested_time, x.runtime, x.idle_after),
                (y.submit, y.meta.user, y.requested_time, y.runtime, y.idle_after)
            );
            assert_eq!(y.patience, Some(SimDuration::from_secs(60)));
        }
        // Changing the rate changes arrivals but keeps the per-session draws in order.
        let mut c3 = c.clone();
        c3.rate = RateProfile::flat(5.0);
        let r = gen(&c3, 7, 2);
        assert_ne!(r.len(), a.len());
        let k = r.len().min(a.len());
        assert!(a[..k].iter().zip(&r[..k]).all(|(x, y)| x.meta.user == y.meta.user && x.runtime == y.runtime));
    }

    #[test]
    fn every_validation_error_names_its_field() {
        let cases: &[(&str, &str, &str)] = &[
            ("users = 120", "users = 0", "users"),
            ("cores = 4", "cores = 0", "cores"),
            ("memory = \"16GB\"", "memory = \"0GB\"", "memory"),
            ("memory = \"16GB\"", "memory = \"5000TB\"", "memory"),
            ("peak = 30.0", "peak = -30.0", "rate.peak"),
            ("base = 2.0", "base = -2.0", "rate.base"),
            ("weekend = 0.25", "weekend = -1.0", "rate.weekend"),
            ("peak_hours = [9, 17]", "peak_hours = [9, 30]", "rate.peak_hours"),
            (
                "rate = { peak = 30.0, base = 2.0, peak_hours = [9, 17], weekend = 0.25 }",
                "rate = { hourly = [1, 2] }",
                "rate.hourly",
            ),
            (
                "rate = { peak = 30.0, base = 2.0, peak_hours = [9, 17], weekend = 0.25 }",
                "rate = { weekly = [] }",
                "rate.weekly",
            ),
            ("\"8h\"], weights", "\"0s\"], weights", "walltime.values[3]"),
            ("weights = [0.4, 0.3, 0.2, 0.1]", "weights = [0.4, 0.3, 0.2]", "walltime.weights"),
            ("median = \"45m\"", "median = \"0s\"", "duration.median"),
            ("sigma = 1.0", "sigma = -1.0", "duration.sigma"),
            ("mean = \"30m\"", "mean = \"0s\"", "idle_after.mean"),
            ("shape = 0.8", "shape = 0.0", "patience.shape"),
            ("scale = \"5m\"", "scale = \"0m\"", "patience.scale"),
        ];
        for (from, to, path) in cases {
            assert!(EXAMPLE.contains(from), "{from}");
            let src = EXAMPLE.replacen(from, to, 1);
            let c: InteractiveConfig = toml::from_str(&src).unwrap_or_else(|e| panic!("{to}: {e}"));
            let e = c.validate().expect_err(to);
            assert_eq!(e.path(), *path, "{to}: {e}");
            // generate validates too.
            let g = c.generate(SimTime::ZERO, WEEK, 0, &mut rng::stream(1, 0, "x")).unwrap_err();
            assert_eq!(g, e);
        }
        let mut c = example();
        c.walltime = DurationDist::constant(SimDuration::ZERO);
        assert_eq!(c.validate().unwrap_err().path(), "walltime.value");
        // A rate that would flood memory is refused, naming the rate.
        let mut c = example();
        c.rate = RateProfile::flat(1e7);
        let e = c.generate(SimTime::ZERO, WEEK, 0, &mut rng::stream(1, 0, "x")).unwrap_err();
        assert_eq!(e.path(), "rate");
    }

    #[test]
    fn a_year_at_thirty_an_hour_is_fast() {
        let mut c = example();
        c.rate = RateProfile::flat(30.0);
        let t0 = std::time::Instant::now();
        let jobs =
            c.generate(SimTime::ZERO, SimTime(365 * 24 * MS_PER_HOUR), 0, &mut rng::stream(1, 0, "year")).unwrap();
        let took = t0.elapsed();
        let t1 = std::time::Instant::now();
        let year = SimTime(365 * 24 * MS_PER_HOUR);
        let times = weekly::arrivals(&c.rate, SimTime::ZERO, year, &mut rng::stream(1, 0, "year"));
        eprintln!(
            "{} sessions over a year in {took:?} ({} arrival times alone in {:?})",
            jobs.len(),
            times.len(),
            t1.elapsed()
        );
        let expected = 365.0 * 24.0 * 30.0;
        assert!((jobs.len() as f64 - expected).abs() < 5.0 * f64::sqrt(expected));
    }
}
