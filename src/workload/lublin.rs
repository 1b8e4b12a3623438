//! The Lublin–Feitelson (2003) synthetic workload model: job sizes, runtimes and arrivals of
//! rigid parallel jobs, for the batch and interactive populations, scaled to a machine and
//! optionally to a target offered load.
//!
//! The constants and the procedure follow `lublin-constants.md` (the paper's Table and its
//! reference generator `m_lublin99.c`):
//!
//! - **Size** (nodes): serial with probability `serial_prob`; otherwise log2(size) is drawn
//!   from a two-stage uniform (uniform on [low, med] with probability `log2_prob`, else on
//!   [med, high]); with the *same* uniform draw u that decided "not serial", u ≤ serial_prob +
//!   pow2_prob rounds the exponent to an integer; size = round(2^exponent).
//! - **Runtime**: log(runtime) is hyper-gamma — gamma(a1, b1) with probability
//!   p = pa·nodes + pb clipped to [0, 1], else gamma(a2, b2) — redrawn (both the branch and the
//!   value) while it exceeds 12; runtime = floor(e^value) seconds, so between 1 s and ~45 h.
//! - **Arrivals**: a day of 48 half-hour buckets; bucket i (0 = 00:00–00:30) is weighted by
//!   the gamma(anum, bnum) mass on [j − ½, j + ½] with j = i + 1 for i ≥ 10 and i + 49 below
//!   (the reference's `CYCLIC_DAY_START` = 11: the gamma is read in half-hours from 05:00 to
//!   05:00 the next day), and the weights are normalised to mean 1. Each job brings e^g / 1800
//!   "points", g ~ gamma(aarr·ARAR, barr) redrawn above 13; crossing a bucket costs its
//!   weight, so busy buckets take more jobs. Leftover points carry to the next job (as the
//!   reference's `static` variables do), which makes the long-run share of arrivals in each
//!   bucket proportional to its weight and the mean gap E[e^g | g ≤ 13] over whole days.
//! - **Mixed** population: the batch and interactive streams run independently and are merged
//!   by time, the next job coming from the stream whose next arrival is earlier (interactive on a
//!   tie), as in the reference.
//!
//! Where we differ from the reference on purpose:
//!
//! - Gamma variates come from Marsaglia–Tsang (rand_distr) rather than Jain's sum of `a`
//!   logarithms: same distribution, and a2 = 639.1 would otherwise cost 639 `ln` calls per job.
//! - Arrival times are kept to the millisecond; the reference truncates its running clock to
//!   whole seconds at every job, which drifts by ~½ s per job and is not part of the model.
//!
//! # Machine size
//!
//! The constants were fitted for a 128-node machine: the batch `log2_high` = 7 = log2(128).
//! On a machine of N nodes "log2(N) = high when scaled" (lublin-constants.md). With
//! [`LublinConfig::scale_sizes`] (the default) both populations' `log2_med` and `log2_high` are
//! shifted by log2(N) − 7, so batch jobs reach the whole machine, interactive jobs stay 1.5
//! doublings below it, and med stays the same distance below high, as the reference's own
//! guidance (med ∈ [high − 3.5, high − 1.5]) expects; `log2_low` (the smallest parallel job) does
//! not depend on the machine. On machines smaller than 128 nodes, med and high are clamped into
//! [low, log2(N)]. With `scale_sizes = false` the constants are used as given, only capped at
//! log2(N): this reproduces the published figures on any machine of at least 128 nodes.
//!
//! # Offered load
//!
//! The model fixes the arrival rate, so its load depends on the machine. With a
//! [`target_load`](LublinConfig::target_load), every submit time (equivalently every
//! inter-arrival time, the first one counted from time 0) is multiplied by one factor chosen so
//! that Σ procs·runtime / (machine cores × span) equals the target, span being the last submit
//! time — the reference generator's definition of load. A single factor keeps the shape of the
//! inter-arrival distribution and the order of jobs; the price is that the daily cycle is
//! stretched by the same factor, so at a factor of 2 a "day" of arrivals lasts 48 h. Sizes and
//! runtimes are untouched.
//!
//! The model has no user runtime estimates: `requested_time` is set to the runtime (the
//! clairvoyant case), and the run's notes say so.

use std::fmt;

use rand::Rng;
use rand_distr::{Distribution, Gamma};
use serde::{Deserialize, Serialize};

use crate::res::Res;
use crate::time::{SimDuration, SimTime};
use crate::workload::dist::regularized_gamma_p;
use crate::workload::{Job, Workload};

/// Machine size (nodes) the published constants describe.
pub const REFERENCE_NODES: u32 = 128;
/// log2 of [`REFERENCE_NODES`]: the batch population's `log2_high`.
pub const REFERENCE_LOG2_NODES: f64 = 7.0;
/// Largest log(runtime) kept; larger draws are redrawn (e^12 s ≈ 45 h).
pub const MAX_LOG_RUNTIME: f64 = 12.0;
/// Largest log(inter-arrival "points" in seconds) kept; larger draws are redrawn (e^13 s ≈ 5 days).
pub const MAX_LOG_INTERARRIVAL: f64 = 13.0;
/// Half-hour buckets in the daily cycle.
pub const BUCKETS: usize = 48;
/// Length of a bucket in seconds.
pub const SECONDS_PER_BUCKET: f64 = 1800.0;
/// The reference evaluates the daily-cycle gamma on bucket indices `CYCLIC_DAY_START..48 + 11`.
const CYCLIC_DAY_START: usize = 11;
/// Upper bound on jobs generated to fill a time horizon, so that a mistyped horizon is an
/// error rather than an exhausted memory. An explicit job count is not capped.
pub const MAX_HORIZON_JOBS: usize = 20_000_000;
/// Redraws allowed before deciding that parameters put (almost) no mass below a cap.
const MAX_REDRAWS: u32 = 100_000;

/// Which job population to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Population {
    /// Batch jobs only (SWF queue 1).
    Batch,
    /// Interactive jobs only (SWF queue 0).
    Interactive,
    /// Both streams, generated independently and merged by arrival time.
    Mixed,
}

impl fmt::Display for Population {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Population::Batch => "batch",
            Population::Interactive => "interactive",
            Population::Mixed => "mixed",
        })
    }
}

/// What the model's sizes count (the paper's "processors").
///
/// `Node`: a job of size k takes k whole nodes of `cores_per_node` cores, alone. `Core`: a job
/// of size k is k one-core tasks, packed onto nodes that other jobs may share; the machine the
/// sizes are scaled to is then `nodes × cores_per_node` cores, and an offered load counts the
/// same core-seconds either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SizeUnit {
    #[default]
    Node,
    Core,
}

impl fmt::Display for SizeUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SizeUnit::Node => "node",
            SizeUnit::Core => "core",
        })
    }
}

/// The model's constants for one population, as fitted for a [`REFERENCE_NODES`]-node machine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LublinParams {
    /// Probability that a job is serial (1 node).
    pub serial_prob: f64,
    /// Probability that a job's size is a rounded power of two (tested as u ≤ serial + pow2).
    pub pow2_prob: f64,
    /// Two-stage uniform on log2(size): bounds and the probability of the lower stage.
    pub log2_low: f64,
    pub log2_med: f64,
    pub log2_high: f64,
    pub log2_prob: f64,
    /// Hyper-gamma of log(runtime): gamma(a1, b1) and gamma(a2, b2) (shape, scale).
    pub a1: f64,
    pub b1: f64,
    pub a2: f64,
    pub b2: f64,
    /// Weight of the first gamma: p = pa·nodes + pb, clipped to [0, 1].
    pub pa: f64,
    pub pb: f64,
    /// Rush-hour log inter-arrival gamma(aarr·arar, barr) and daily-cycle gamma(anum, bnum).
    pub aarr: f64,
    pub barr: f64,
    pub anum: f64,
    pub bnum: f64,
    pub arar: f64,
}

impl LublinParams {
    /// Batch population (lublin-constants.md).
    pub const BATCH: LublinParams = LublinParams {
        serial_prob: 0.2927,
        pow2_prob: 0.6686,
        log2_low: 1.2,
        log2_med: 5.0,
        log2_high: 7.0,
        log2_prob: 0.875,
        a1: 6.57,
        b1: 0.823,
        a2: 639.1,
        b2: 0.0156,
        pa: -0.003,
        pb: 0.6986,
        aarr: 6.0415,
        barr: 0.8531,
        anum: 6.1271,
        bnum: 5.2740,
        arar: 1.0519,
    };

    /// Interactive population (lublin-constants.md).
    pub const INTERACTIVE: LublinParams = LublinParams {
        serial_prob: 0.1541,
        pow2_prob: 0.625,
        log2_low: 1.0,
        log2_med: 3.0,
        log2_high: 5.5,
        log2_prob: 0.705,
        a1: 3.8351,
        b1: 0.6605,
        a2: 7.073,
        b2: 0.6856,
        pa: -0.0118,
        pb: 0.9156,
        aarr: 6.5510,
        barr: 0.6621,
        anum: 8.9186,
        bnum: 3.6680,
        arar: 0.9797,
    };

    fn batch() -> LublinParams {
        LublinParams::BATCH
    }

    fn interactive() -> LublinParams {
        LublinParams::INTERACTIVE
    }

    /// Checks every constant; `population` only labels the error.
    pub fn validate(&self, population: Population) -> Result<(), LublinError> {
        let err = |param: &'static str, expected: &'static str, found: f64| LublinError::Param {
            population,
            param,
            expected,
            found,
        };
        let prob = |param, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(err(param, "a probability in [0, 1]", v))
            }
        };
        let pos = |param, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(err(param, "a finite number > 0", v))
            }
        };
        let fin = |param, v: f64| {
            if v.is_finite() {
                Ok(())
            } else {
                Err(err(param, "a finite number", v))
            }
        };
        prob("serial_prob", self.serial_prob)?;
        prob("pow2_prob", self.pow2_prob)?;
        prob("log2_prob", self.log2_prob)?;
        if !(self.log2_low.is_finite() && self.log2_low >= 0.0) {
            return Err(err("log2_low", "a finite number ≥ 0", self.log2_low));
        }
        if !(self.log2_med.is_finite() && self.log2_med >= self.log2_low) {
            return Err(err("log2_med", "a finite number ≥ log2_low", self.log2_med));
        }
        if !(self.log2_high.is_finite() && self.log2_high >= self.log2_med) {
            return Err(err("log2_high", "a finite number ≥ log2_med", self.log2_high));
        }
        if self.log2_high > 31.0 {
            return Err(err("log2_high", "at most 31 (sizes are 32-bit)", self.log2_high));
        }
        for (name, v) in [
            ("a1", self.a1),
            ("b1", self.b1),
            ("a2", self.a2),
            ("b2", self.b2),
            ("aarr", self.aarr),
            ("barr", self.barr),
            ("anum", self.anum),
            ("bnum", self.bnum),
            ("arar", self.arar),
        ] {
            pos(name, v)?;
        }
        fin("pa", self.pa)?;
        fin("pb", self.pb)
    }

    /// Probability of the first runtime gamma for a job of `nodes` nodes.
    pub fn first_gamma_weight(&self, nodes: u32) -> f64 {
        (self.pa * f64::from(nodes) + self.pb).clamp(0.0, 1.0)
    }
}

/// What to generate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LublinConfig {
    /// Machine size in nodes; log2(nodes) is the batch population's `log2_high` (see the
    /// [module docs](self)).
    pub nodes: u32,
    /// Cores per node: with [`SizeUnit::Node`] a job's `procs` is its size times this. Default 1.
    #[serde(default = "one")]
    pub cores_per_node: u32,
    /// What a size counts: whole nodes (default) or cores.
    #[serde(default)]
    pub unit: SizeUnit,
    pub population: Population,
    /// Offered load to scale arrivals to (e.g. 0.7), or `None` to keep the model's own rate.
    #[serde(default)]
    pub target_load: Option<f64>,
    /// Hour of the day (0–23) at time 0, for the daily cycle. Default 0 (midnight), as the
    /// reference.
    #[serde(default)]
    pub start_hour: u32,
    /// Shift the size range with the machine (default) or use the constants as given.
    #[serde(default = "yes")]
    pub scale_sizes: bool,
    #[serde(default = "LublinParams::batch")]
    pub batch: LublinParams,
    #[serde(default = "LublinParams::interactive")]
    pub interactive: LublinParams,
}

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

impl LublinConfig {
    /// The published model on a machine of `nodes` single-core nodes, at its own load.
    pub fn new(nodes: u32, population: Population) -> LublinConfig {
        LublinConfig {
            nodes,
            cores_per_node: 1,
            unit: SizeUnit::Node,
            population,
            target_load: None,
            start_hour: 0,
            scale_sizes: true,
            batch: LublinParams::BATCH,
            interactive: LublinParams::INTERACTIVE,
        }
    }

    /// Cores in the machine, or an error if it does not fit in 32 bits.
    pub fn machine_cores(&self) -> Result<u32, LublinError> {
        self.nodes
            .checked_mul(self.cores_per_node)
            .ok_or(LublinError::TooManyCores { nodes: self.nodes, cores_per_node: self.cores_per_node })
    }

    /// Checks the configuration and the parameters of the populations it uses.
    pub fn validate(&self) -> Result<(), LublinError> {
        if self.nodes == 0 {
            return Err(LublinError::Config { param: "nodes", expected: "at least 1", found: "0".into() });
        }
        if self.cores_per_node == 0 {
            return Err(LublinError::Config { param: "cores_per_node", expected: "at least 1", found: "0".into() });
        }
        self.machine_cores()?;
        if let Some(t) = self.target_load {
            if !(t.is_finite() && t > 0.0) {
                return Err(LublinError::Config {
                    param: "target_load",
                    expected: "a finite number > 0",
                    found: t.to_string(),
                });
            }
        }
        if self.start_hour > 23 {
            return Err(LublinError::Config {
                param: "start_hour",
                expected: "an hour in 0..=23",
                found: self.start_hour.to_string(),
            });
        }
        for &pop in self.populations() {
            self.params(pop).validate(pop)?;
        }
        Ok(())
    }

    fn populations(&self) -> &'static [Population] {
        match self.population {
            Population::Batch => &[Population::Batch],
            Population::Interactive => &[Population::Interactive],
            Population::Mixed => &[Population::Batch, Population::Interactive],
        }
    }

    fn params(&self, pop: Population) -> &LublinParams {
        match pop {
            Population::Interactive => &self.interactive,
            Population::Batch | Population::Mixed => &self.batch,
        }
    }

    /// The machine's size in the model's unit: the largest job it can draw.
    pub fn machine_size(&self) -> u32 {
        match self.unit {
            SizeUnit::Node => self.nodes,
            // validate() refused a product past u32.
            SizeUnit::Core => self.nodes.saturating_mul(self.cores_per_node),
        }
    }

    /// The (low, med, high) of log2(size) actually used for `pop` on this machine (`Mixed`
    /// answers for its batch stream).
    pub fn size_range(&self, pop: Population) -> (f64, f64, f64) {
        let p = self.params(pop);
        let top = f64::from(self.machine_size().max(1)).log2();
        if self.scale_sizes {
            let shift = top - REFERENCE_LOG2_NODES;
            let high = (p.log2_high + shift).max(p.log2_low).min(top);
            let low = p.log2_low.min(high);
            let med = (p.log2_med + shift).clamp(low, high);
            (low, med, high)
        } else {
            let high = p.log2_high.min(top);
            (p.log2_low.min(high), p.log2_med.min(high), high)
        }
    }
}

/// How much to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extent {
    /// Exactly this many jobs.
    Jobs(usize),
    /// Every job submitted at or before this time (after load scaling, if any).
    Horizon(SimDuration),
}

/// Why the generator cannot run. Messages name the parameter and what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LublinError {
    #[error("lublin model: `{param}` must be {expected}, found {found}")]
    Config { param: &'static str, expected: &'static str, found: String },

    #[error("lublin model: {nodes} nodes × {cores_per_node} cores per node exceeds 2^32 − 1 cores")]
    TooManyCores { nodes: u32, cores_per_node: u32 },

    #[error("lublin model, {population} parameters: `{param}` must be {expected}, found {found}")]
    Param { population: Population, param: &'static str, expected: &'static str, found: f64 },

    #[error(
        "lublin model, {population} parameters: the daily cycle gamma(anum = {anum}, bnum = {bnum}) \
         gives half-hour bucket {bucket} no weight; expected every bucket to get some arrivals"
    )]
    Cycle { population: Population, anum: f64, bnum: f64, bucket: usize },

    #[error(
        "lublin model, {population} parameters: {what} exceeded {cap} in {attempts} draws in a row; \
         expected parameters that put most of the distribution below the cap"
    )]
    Redraw { population: Population, what: &'static str, cap: f64, attempts: u32 },

    #[error("lublin model: `horizon` must be positive, found {0} s")]
    Horizon(SimDuration),

    #[error("lublin model: filling the horizon needs more than {max} jobs; expected a shorter horizon")]
    TooManyJobs { max: usize },
}

/// One population's prepared sampler and arrival clock.
struct Stream {
    population: Population,
    queue: i64,
    serial_prob: f64,
    pow2_prob: f64,
    low: f64,
    med: f64,
    high: f64,
    log2_prob: f64,
    max_size: u32,
    pa: f64,
    pb: f64,
    g1: Gamma<f64>,
    g2: Gamma<f64>,
    arrival: Gamma<f64>,
    weights: [f64; BUCKETS],
    /// Arrival clock: bucket of the current time, points paid into it, position in it.
    bucket: usize,
    points: f64,
    reminder: f64,
    /// Next arrival of this stream, in seconds since time 0 (before load scaling).
    next: f64,
}

/// Daily-cycle bucket weights, normalised to mean 1, as the reference's `arrive_init`.
pub fn daily_weights(anum: f64, bnum: f64) -> [f64; BUCKETS] {
    let mut w = [0.0; BUCKETS];
    for i in CYCLIC_DAY_START..BUCKETS + CYCLIC_DAY_START {
        let x = i as f64;
        w[(i - 1) % BUCKETS] =
            regularized_gamma_p(anum, (x + 0.5) / bnum) - regularized_gamma_p(anum, (x - 0.5) / bnum);
    }
    let mean = w.iter().sum::<f64>() / BUCKETS as f64;
    w.iter_mut().for_each(|x| *x /= mean);
    w
}

impl Stream {
    fn new(cfg: &LublinConfig, population: Population) -> Result<Stream, LublinError> {
        let p = cfg.params(population);
        let gamma = |shape: f64, scale: f64, param: &'static str| {
            Gamma::new(shape, scale).map_err(|_| LublinError::Param {
                population,
                param,
                expected: "a finite number > 0",
                found: shape,
            })
        };
        let weights = daily_weights(p.anum, p.bnum);
        if let Some(bucket) = weights.iter().position(|w| !(w.is_finite() && *w > 0.0)) {
            return Err(LublinError::Cycle { population, anum: p.anum, bnum: p.bnum, bucket });
        }
        let (low, med, high) = cfg.size_range(population);
        Ok(Stream {
            population,
            queue: if population == Population::Interactive { 0 } else { 1 },
            serial_prob: p.serial_prob,
            pow2_prob: p.pow2_prob,
            low,
            med,
            high,
            log2_prob: p.log2_prob,
            max_size: cfg.machine_size(),
            pa: p.pa,
            pb: p.pb,
            g1: gamma(p.a1, p.b1, "a1")?,
            g2: gamma(p.a2, p.b2, "a2")?,
            arrival: gamma(p.aarr * p.arar, p.barr, "aarr")?,
            weights,
            bucket: (cfg.start_hour as usize * BUCKETS) / 24,
            points: 0.0,
            reminder: 0.0,
            next: 0.0,
        })
    }

    /// Advances `next` by one inter-arrival time (the reference's `calc_next_arrive`).
    fn advance<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Result<(), LublinError> {
        let mut attempts = 0;
        let g = loop {
            let g = self.arrival.sample(rng);
            if g <= MAX_LOG_INTERARRIVAL {
                break g;
            }
            attempts += 1;
            if attempts >= MAX_REDRAWS {
                return Err(LublinError::Redraw {
                    population: self.population,
                    what: "log inter-arrival time",
                    cap: MAX_LOG_INTERARRIVAL,
                    attempts,
                });
            }
        };
        self.points += g.exp() / SECONDS_PER_BUCKET;
        let mut gap = 0.0;
        while self.points > self.weights[self.bucket] {
            self.points -= self.weights[self.bucket];
            self.bucket = (self.bucket + 1) % BUCKETS;
            gap += SECONDS_PER_BUCKET;
        }
        let reminder = self.points / self.weights[self.bucket];
        gap += SECONDS_PER_BUCKET * (reminder - self.reminder);
        self.reminder = reminder;
        self.next += gap;
        Ok(())
    }

    /// Size in the model's unit (the reference's `calc_number_of_nodes`).
    fn size<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        let u: f64 = rng.random();
        if u <= self.serial_prob {
            return 1;
        }
        let (a, b) = if rng.random::<f64>() <= self.log2_prob { (self.low, self.med) } else { (self.med, self.high) };
        let mut exponent = a + rng.random::<f64>() * (b - a);
        if u <= self.serial_prob + self.pow2_prob {
            exponent = (exponent + 0.5).floor();
        }
        // high ≤ log2(machine size) ≤ 32 keeps this in range; the clamp guards rounding at the top.
        let size = (exponent.exp2() + 0.5).floor();
        (size as u32).clamp(1, self.max_size)
    }

    /// Runtime in whole seconds (the reference's `time_from_nodes`), for a job of `size` in the
    /// model's unit: the fitted weight depends on the size the constants were fitted in.
    fn runtime<R: Rng + ?Sized>(&self, rng: &mut R, size: u32) -> Result<i64, LublinError> {
        let p = (self.pa * f64::from(size) + self.pb).clamp(0.0, 1.0);
        for _ in 0..MAX_REDRAWS {
            let g = if rng.random::<f64>() <= p { &self.g1 } else { &self.g2 };
            let v = g.sample(rng);
            if v <= MAX_LOG_RUNTIME {
                // v ≥ 0, so this is between 1 and floor(e^12) = 162,754 seconds.
                return Ok(v.exp().floor() as i64);
            }
        }
        Err(LublinError::Redraw {
            population: self.population,
            what: "log runtime",
            cap: MAX_LOG_RUNTIME,
            attempts: MAX_REDRAWS,
        })
    }
}

/// A generated job before load scaling: submit in seconds (f64), the rest final.
struct Raw {
    submit: f64,
    runtime: i64,
    size: u32,
    queue: i64,
}

/// Generates jobs from the model, in arrival order with ids 1..=n.
///
/// Each job's `procs` is its size in nodes × `cores_per_node`; `requested_time` equals its
/// runtime because the model has no user estimates; `meta.queue` is 1 for batch and 0 for
/// interactive jobs (the SWF convention). All randomness comes from `rng`, in a fixed order.
pub fn generate<R: Rng + ?Sized>(cfg: &LublinConfig, extent: Extent, rng: &mut R) -> Result<Vec<Job>, LublinError> {
    cfg.validate()?;
    let cores = f64::from(cfg.machine_cores()?);
    // Each of a job's `size` tasks is a whole node or one core.
    let task_cores = match cfg.unit {
        SizeUnit::Node => cfg.cores_per_node,
        SizeUnit::Core => 1,
    };
    if let Extent::Horizon(h) = extent {
        if h <= SimDuration::ZERO {
            return Err(LublinError::Horizon(h));
        }
    }
    let mut streams = cfg.populations().iter().map(|&p| Stream::new(cfg, p)).collect::<Result<Vec<_>, _>>()?;
    // The reference primes every stream's first arrival before drawing any job, batch first.
    for s in &mut streams {
        s.advance(rng)?;
    }

    // In horizon mode with a target load, the scaled span of a prefix of k jobs is
    // W_k / (target × cores), which grows with k: keep the longest prefix whose work fits.
    let work_budget = match (extent, cfg.target_load) {
        (Extent::Horizon(h), Some(t)) => Some(h.as_secs_f64() * t * cores),
        _ => None,
    };
    let raw_horizon = match (extent, cfg.target_load) {
        (Extent::Horizon(h), None) => Some(h.as_secs_f64()),
        _ => None,
    };
    let capacity = match extent {
        Extent::Jobs(n) => n,
        Extent::Horizon(_) => 1024,
    };

    let mut raw: Vec<Raw> = Vec::with_capacity(capacity);
    let mut work = 0.0_f64;
    loop {
        if let Extent::Jobs(n) = extent {
            if raw.len() >= n {
                break;
            }
        } else if raw.len() >= MAX_HORIZON_JOBS {
            return Err(LublinError::TooManyJobs { max: MAX_HORIZON_JOBS });
        }
        // With both streams (batch first), batch goes only if strictly earlier: the reference
        // breaks ties towards interactive.
        let idx = if streams.len() == 2 && streams[0].next >= streams[1].next { 1 } else { 0 };
        let s = &mut streams[idx];
        let submit = s.next;
        if raw_horizon.is_some_and(|h| submit > h) {
            break;
        }
        s.advance(rng)?;
        let size = s.size(rng);
        let runtime = s.runtime(rng, size)?;
        let job_work = f64::from(size) * f64::from(task_cores) * runtime as f64;
        if work_budget.is_some_and(|b| work + job_work > b) {
            break;
        }
        work += job_work;
        raw.push(Raw { submit, runtime, size, queue: s.queue });
    }

    let factor = match (cfg.target_load, raw.last()) {
        (Some(target), Some(last)) if last.submit > 0.0 => work / (cores * last.submit) / target,
        _ => 1.0,
    };

    let mut jobs = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        let submit = SimTime::from_secs_f64(r.submit * factor).ok_or(LublinError::Config {
            param: "target_load",
            expected: "a load that keeps submit times within ~285,000 years",
            found: format!("{:?}", cfg.target_load),
        })?;
        let runtime = SimDuration::from_secs(r.runtime);
        // A job of k nodes is k tasks of a whole node each: it holds its nodes alone. A job of k
        // cores is k one-core tasks, which first fit packs onto shared nodes.
        let mut job = Job::new(i as u64 + 1, submit, runtime, runtime, r.size);
        job.task = Res::cores(task_cores);
        job.meta.queue = r.queue;
        jobs.push(job);
    }
    Ok(jobs)
}

/// Offered load of `jobs` on `cores` cores: Σ procs × runtime / (cores × last submit time).
/// `None` when there is no job or the last submit is at time 0.
pub fn offered_load(jobs: &[Job], cores: u32) -> Option<f64> {
    let span = jobs.iter().map(|j| j.submit).max()?.as_secs_f64();
    if span <= 0.0 || cores == 0 {
        return None;
    }
    let work: f64 = jobs.iter().map(|j| j.procs() as f64 * j.runtime.as_secs_f64()).sum();
    Some(work / (f64::from(cores) * span))
}

/// [`generate`], packaged as a [`Workload`] with a descriptive name, the machine size and
/// notes on how the jobs were made.
pub fn generate_workload<R: Rng + ?Sized>(
    cfg: &LublinConfig,
    extent: Extent,
    rng: &mut R,
) -> Result<Workload, LublinError> {
    let jobs = generate(cfg, extent, rng)?;
    let cores = cfg.machine_cores()?;
    let extent_text = match extent {
        Extent::Jobs(n) => format!("{n} jobs"),
        Extent::Horizon(h) => format!("horizon {h} s"),
    };
    let load_text = match cfg.target_load {
        Some(t) => format!(", target load {t}"),
        None => String::new(),
    };
    let unit_text = match cfg.unit {
        SizeUnit::Node => "",
        SizeUnit::Core => ", sizes in cores",
    };
    let name = format!(
        "lublin-feitelson-2003 {} ({} nodes × {} cores{unit_text}, {extent_text}{load_text})",
        cfg.population, cfg.nodes, cfg.cores_per_node
    );
    let mut notes = vec!["synthetic Lublin–Feitelson (2003) workload: requested time = runtime, since the model \
         has no user runtime estimates"
        .to_string()];
    for &pop in cfg.populations() {
        let (low, med, high) = cfg.size_range(pop);
        notes.push(format!(
            "{pop} sizes in {}s: log2 two-stage uniform low {low:.3}, med {med:.3}, high {high:.3}{}",
            cfg.unit,
            if cfg.scale_sizes { " (shifted to the machine size)" } else { "" }
        ));
    }
    if let Some(t) = cfg.target_load {
        let achieved = offered_load(&jobs, cores).unwrap_or(f64::NAN);
        // The target may be a product (load × run.load_scale): print it rounded, not as 1.1199999999999999.
        let t = (t * 1e9).round() / 1e9;
        notes.push(format!(
            "inter-arrival times scaled by one factor to an offered load of {t} (achieved {achieved:.6})"
        ));
    }
    Ok(Workload { name, jobs, max_procs: Some(cores), max_nodes: Some(cfg.nodes), notes, ..Workload::default() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;
    use crate::workload::dist::ln_gamma;

    const N: usize = 100_000;

    fn jobs(cfg: &LublinConfig, n: usize, seed: u64) -> Vec<Job> {
        generate(cfg, Extent::Jobs(n), &mut rng::stream(seed, 0, "lublin")).unwrap()
    }

    fn is_pow2(n: u32) -> bool {
        n.is_power_of_two()
    }

    /// Exact size distribution of the model (independent of the sampler): P(size = k) from the
    /// lengths of the exponent intervals that round to k.
    fn size_pmf(serial: f64, pow2: f64, (low, med, high): (f64, f64, f64), prob: f64) -> Vec<f64> {
        // Rounding the exponent can reach floor(high + 0.5), one doubling past 2^high.
        let kmax = ((high + 0.5).floor().exp2() + 0.5) as usize + 1;
        let mut pmf = vec![0.0; kmax + 1];
        pmf[1] += serial;
        let rounded = (serial + pow2).min(1.0) - serial;
        let plain = 1.0 - serial - rounded;
        for (a, b, w) in [(low, med, prob), (med, high, 1.0 - prob)] {
            if b <= a {
                if w > 0.0 {
                    // A degenerate stage puts all its mass on one exponent.
                    let e = (a + 0.5).floor();
                    pmf[(e.exp2() + 0.5).floor() as usize] += rounded * w;
                    pmf[(a.exp2() + 0.5).floor() as usize] += plain * w;
                }
                continue;
            }
            let overlap = |lo: f64, hi: f64| (hi.min(b) - lo.max(a)).max(0.0) / (b - a);
            let mut e = (a + 0.5).floor();
            while e <= (b + 0.5).floor() {
                pmf[(e.exp2() + 0.5).floor() as usize] += rounded * w * overlap(e - 0.5, e + 0.5);
                e += 1.0;
            }
            for (k, p) in pmf.iter_mut().enumerate().skip(1) {
                let lo = if k == 1 { f64::NEG_INFINITY } else { (k as f64 - 0.5).log2() };
                *p += plain * w * overlap(lo, (k as f64 + 0.5).log2());
            }
        }
        pmf
    }

    struct SizeFigures {
        serial: f64,
        pow2: f64,
        mean: f64,
        sd: f64,
    }

    fn pmf_figures(pmf: &[f64]) -> SizeFigures {
        let mean: f64 = pmf.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
        let m2: f64 = pmf.iter().enumerate().map(|(k, p)| (k * k) as f64 * p).sum();
        let pow2 = pmf.iter().enumerate().filter(|(k, _)| is_pow2(*k as u32)).map(|(_, p)| p).sum();
        SizeFigures { serial: pmf[1], pow2, mean, sd: (m2 - mean * mean).sqrt() }
    }

    fn sample_figures(jobs: &[Job]) -> SizeFigures {
        let sizes: Vec<f64> = jobs.iter().map(|j| f64::from(j.tasks)).collect();
        let n = sizes.len() as f64;
        let mean = sizes.iter().sum::<f64>() / n;
        let var = sizes.iter().map(|s| (s - mean) * (s - mean)).sum::<f64>() / (n - 1.0);
        SizeFigures {
            serial: sizes.iter().filter(|&&s| s == 1.0).count() as f64 / n,
            pow2: sizes.iter().filter(|&&s| is_pow2(s as u32)).count() as f64 / n,
            mean,
            sd: var.sqrt(),
        }
    }

    /// Sample vs the exact model: each figure within 5 standard errors of a sample of N (the
    /// binomial SE for shares, the model's SD/√N for the mean). A wrong rule — e.g. testing
    /// u ≤ pow2 instead of u ≤ serial + pow2, which drops the power-of-two share to ~0.75 —
    /// misses by far more; a correct sampler fails with probability < 1e-6 per figure, and the
    /// seed is fixed.
    fn assert_sample_matches_model(what: &str, sample: &SizeFigures, model: &SizeFigures) {
        let n = N as f64;
        eprintln!(
            "{what}: serial {:.4} (model {:.4}), pow2 {:.4} (model {:.4}), mean {:.3} (model {:.3})",
            sample.serial, model.serial, sample.pow2, model.pow2, sample.mean, model.mean
        );
        let share_tol = |p: f64| 5.0 * (p * (1.0 - p) / n).sqrt();
        assert!(
            (sample.serial - model.serial).abs() <= share_tol(model.serial),
            "{what}: serial share {} vs model {}",
            sample.serial,
            model.serial
        );
        assert!(
            (sample.pow2 - model.pow2).abs() <= share_tol(model.pow2),
            "{what}: power-of-two share {} vs model {}",
            sample.pow2,
            model.pow2
        );
        assert!(
            (sample.mean - model.mean).abs() <= 5.0 * model.sd / n.sqrt(),
            "{what}: mean size {} vs model {} (sd {})",
            sample.mean,
            model.mean,
            model.sd
        );
    }

    #[test]
    fn sizes_match_the_published_figures_on_the_reference_range() {
        // 256 nodes with the constants as given (high capped at log2(256) = 8, so unchanged):
        // the setting the published "sanity figures" describe.
        for (pop, serial, pow2, mean) in
            [(Population::Batch, 0.293, 0.97, 13.9), (Population::Interactive, 0.154, 0.85, 8.0)]
        {
            let cfg = LublinConfig { scale_sizes: false, ..LublinConfig::new(256, pop) };
            let p = cfg.params(pop);
            let model = pmf_figures(&size_pmf(p.serial_prob, p.pow2_prob, cfg.size_range(pop), p.log2_prob));
            // The exact model agrees with the published figures to their printed precision.
            assert!((model.serial - serial).abs() < 0.0005, "{pop}: {}", model.serial);
            assert!((model.pow2 - pow2).abs() < 0.005, "{pop}: {}", model.pow2);
            assert!((model.mean - mean).abs() < 0.05, "{pop}: {}", model.mean);
            let js = jobs(&cfg, N, 11);
            let sample = sample_figures(&js);
            assert_sample_matches_model(&format!("{pop} on 256 nodes, unscaled"), &sample, &model);
            // And the sample lands near the published figures directly.
            assert!((sample.serial - serial).abs() < 0.01, "{pop}: serial {}", sample.serial);
            assert!((sample.pow2 - pow2).abs() < 0.01, "{pop}: pow2 {}", sample.pow2);
            assert!((sample.mean - mean).abs() < 0.5, "{pop}: mean {}", sample.mean);
            assert!(js.iter().all(|j| j.procs() <= 128), "{pop}: unscaled sizes stay within 2^7");
        }
    }

    #[test]
    fn sizes_scale_with_the_machine() {
        for pop in [Population::Batch, Population::Interactive] {
            let cfg = LublinConfig::new(256, pop);
            let (low, med, high) = cfg.size_range(pop);
            let p = cfg.params(pop);
            assert_eq!(low, p.log2_low);
            assert_eq!((med, high), (p.log2_med + 1.0, p.log2_high + 1.0), "{pop}: shifted by log2(256/128)");
            let model = pmf_figures(&size_pmf(p.serial_prob, p.pow2_prob, (low, med, high), p.log2_prob));
            let js = jobs(&cfg, N, 12);
            assert_sample_matches_model(&format!("{pop} on 256 nodes, scaled"), &sample_figures(&js), &model);
            let largest = js.iter().map(|j| j.procs()).max().unwrap();
            // Batch reaches the whole machine (exponents ≥ 7.5 round to 8); interactive stops
            // at round(2^6.5) = 91 and goes well past the unscaled ceiling of 45.
            match pop {
                Population::Batch => assert_eq!(largest, 256),
                _ => assert!((65..=91).contains(&largest), "largest interactive job {largest}"),
            }
        }
        // Batch high is log2(nodes) on any machine, as lublin-constants.md states.
        for nodes in [16, 128, 1000, 4096] {
            let (_, _, high) = LublinConfig::new(nodes, Population::Batch).size_range(Population::Batch);
            assert!((high - f64::from(nodes).log2()).abs() < 1e-12, "{nodes}");
        }
    }

    #[test]
    fn tiny_machines_keep_a_valid_size_range() {
        for nodes in [1, 2, 3, 4, 8] {
            for pop in [Population::Batch, Population::Interactive] {
                let cfg = LublinConfig::new(nodes, pop);
                let (low, med, high) = cfg.size_range(pop);
                assert!(low <= med && med <= high && high <= f64::from(nodes).log2(), "{nodes} {pop}");
                assert!(jobs(&cfg, 2_000, 1).iter().all(|j| (1..=u64::from(nodes)).contains(&j.procs())));
            }
        }
    }

    /// E[ln floor(e^V) ; V ≤ 12] and P(V ≤ 12) for V ~ gamma(a, b), exactly up to the tail
    /// approximation below. ln floor(e^v) = v − c(v) with the sawtooth c(v) = v − ln k on
    /// [ln k, ln(k+1)); ∫ v f = a·b·P(a+1, ·/b) and ∫ f = P(a, ·/b) give each piece in closed
    /// form. Above k = 5000 the sawtooth averages ln(1 + 1/k)/2 ≈ e^−v/2 over a period, and
    /// E[e^−V] has a closed form; the error of that step is below 1e-7.
    fn truncated_floored_log_mean(a: f64, b: f64) -> (f64, f64) {
        let cap = MAX_LOG_RUNTIME;
        let pa = |x: f64| regularized_gamma_p(a, x.min(cap) / b);
        let pa1 = |x: f64| regularized_gamma_p(a + 1.0, x.min(cap) / b);
        let mut sawtooth = 0.0;
        const K0: u32 = 5_000;
        for k in 1..K0 {
            let (lo, hi) = ((k as f64).ln(), ((k + 1) as f64).ln());
            if lo >= cap {
                break;
            }
            sawtooth += a * b * (pa1(hi) - pa1(lo)) - lo * (pa(hi) - pa(lo));
        }
        let lo = (K0 as f64).ln();
        if lo < cap {
            // e^−v g(v; a, b) = (1 + b)^−a g(v; a, b/(1+b)).
            let s = b / (1.0 + b);
            let tail = (1.0 + b).powf(-a) * (regularized_gamma_p(a, cap / s) - regularized_gamma_p(a, lo / s));
            sawtooth += tail / 2.0;
        }
        (a * b * pa1(cap) - sawtooth, pa(cap))
    }

    #[test]
    fn mean_log_runtime_matches_the_hyper_gamma() {
        for pop in [Population::Batch, Population::Interactive] {
            let cfg = LublinConfig::new(256, pop);
            let p = cfg.params(pop).clone();
            let (m1, f1) = truncated_floored_log_mean(p.a1, p.b1);
            let (m2, f2) = truncated_floored_log_mean(p.a2, p.b2);
            let js = jobs(&cfg, N, 13);
            // Expected value given each job's own size: the redraw truncates the *mixture*, so
            // E = (p·M1 + (1−p)·M2) / (p·F1 + (1−p)·F2) with p from the size.
            let expected: f64 = js
                .iter()
                .map(|j| {
                    let w = p.first_gamma_weight(j.tasks);
                    (w * m1 + (1.0 - w) * m2) / (w * f1 + (1.0 - w) * f2)
                })
                .sum::<f64>()
                / N as f64;
            let logs: Vec<f64> = js.iter().map(|j| j.runtime.as_secs_f64().ln()).collect();
            let mean = logs.iter().sum::<f64>() / N as f64;
            let sd = (logs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (N as f64 - 1.0)).sqrt();
            // Tolerance: 5 standard errors of the sample mean (sd ≈ 2.5 → ±0.04): a correct
            // generator fails with probability < 1e-6; swapping the gammas, dropping the clip of
            // p or computing p from cores instead of nodes moves the mean by 0.1–2.
            let tol = 5.0 * sd / (N as f64).sqrt();
            assert!(
                (mean - expected).abs() <= tol,
                "{pop}: mean ln(runtime) {mean:.4} vs model {expected:.4} (tol {tol:.4})"
            );
            // The naive mixture mean p·a1·b1 + (1−p)·a2·b2 ignores truncation and flooring; it is
            // printed for the record but is not what the generator should hit.
            let naive: f64 = js
                .iter()
                .map(|j| {
                    let w = p.first_gamma_weight(j.tasks);
                    w * p.a1 * p.b1 + (1.0 - w) * p.a2 * p.b2
                })
                .sum::<f64>()
                / N as f64;
            eprintln!("{pop}: sample mean ln(runtime) {mean:.4}, model {expected:.4}, naive {naive:.4}, tol {tol:.4}");
            assert!(js
                .iter()
                .all(|j| j.runtime >= SimDuration::from_secs(1) && j.runtime <= SimDuration::from_secs(162_754)));
        }
    }

    /// E[e^G | G ≤ 13] for G ~ gamma(a, b), b < 1: e^g g(g; a, b) = (1 − b)^−a g(g; a, b/(1 − b)).
    fn mean_interarrival(a: f64, b: f64) -> f64 {
        let s = b / (1.0 - b);
        (1.0 - b).powf(-a) * regularized_gamma_p(a, MAX_LOG_INTERARRIVAL / s)
            / regularized_gamma_p(a, MAX_LOG_INTERARRIVAL / b)
    }

    /// E[e^2G | G ≤ 13] by Simpson's rule (the closed form needs 2b < 1, which batch lacks).
    fn second_moment_interarrival(a: f64, b: f64) -> f64 {
        let n = 20_000;
        let h = MAX_LOG_INTERARRIVAL / n as f64;
        let f = |g: f64| {
            if g <= 0.0 {
                0.0
            } else {
                ((a - 1.0) * g.ln() - g / b - ln_gamma(a) - a * b.ln() + 2.0 * g).exp()
            }
        };
        let mut s = f(0.0) + f(MAX_LOG_INTERARRIVAL);
        for i in 1..n {
            s += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        s * h / 3.0 / regularized_gamma_p(a, MAX_LOG_INTERARRIVAL / b)
    }

    #[test]
    fn arrivals_follow_the_rate_and_the_daily_cycle() {
        for pop in [Population::Batch, Population::Interactive] {
            let cfg = LublinConfig::new(256, pop);
            let p = cfg.params(pop).clone();
            let js = jobs(&cfg, N, 14);
            // Mean inter-arrival time: the bucket weights average 1, so over whole days the
            // cycle neither adds nor removes time and the mean is E[e^G | G ≤ 13]. Tolerance:
            // 5 SE of the (heavy-tailed) inter-arrival distribution plus one day for the
            // unfinished last day.
            let (a, b) = (p.aarr * p.arar, p.barr);
            let model = mean_interarrival(a, b);
            let sd = (second_moment_interarrival(a, b) - model * model).sqrt();
            let last = js.last().unwrap().submit.as_secs_f64();
            let mean = last / N as f64;
            let tol = 5.0 * sd / (N as f64).sqrt() + 86_400.0 / N as f64;
            eprintln!("{pop}: mean inter-arrival {mean:.1} s vs model {model:.1} s (sd {sd:.0}, tol {tol:.1})");
            assert!((mean - model).abs() <= tol, "{pop}: mean inter-arrival {mean} vs {model}");

            // Share of arrivals per half-hour bucket ∝ its weight. Arrivals are bursty
            // (inter-arrival CV ≈ 6–10) and correlated through the carried points, so a
            // binomial standard error understates the noise ~2×; estimate it instead by batch
            // means over 20 consecutive blocks of jobs, the standard remedy for correlated
            // simulation output. 6 SE with 19 degrees of freedom leaves a correct generator
            // a < 1e-3 chance of failing across all 48 buckets, while a flat cycle misses the
            // peak bucket by ~0.014, i.e. 15+ SE.
            let w = daily_weights(p.anum, p.bnum);
            const BLOCKS: usize = 20;
            let per_block = N / BLOCKS;
            let mut shares = vec![[0.0f64; BUCKETS]; BLOCKS];
            let mut counts = [0usize; BUCKETS];
            for (i, j) in js.iter().enumerate() {
                let t = j.submit.as_secs_f64().rem_euclid(86_400.0);
                let b = (t / SECONDS_PER_BUCKET) as usize % BUCKETS;
                shares[i / per_block][b] += 1.0 / per_block as f64;
                counts[b] += 1;
            }
            let mut worst_z = 0.0f64;
            for b in 0..BUCKETS {
                let mean = shares.iter().map(|s| s[b]).sum::<f64>() / BLOCKS as f64;
                let var = shares.iter().map(|s| (s[b] - mean).powi(2)).sum::<f64>() / (BLOCKS - 1) as f64;
                let se = (var / BLOCKS as f64).sqrt();
                let expected = w[b] / BUCKETS as f64;
                worst_z = worst_z.max((mean - expected).abs() / se);
                assert!(
                    (mean - expected).abs() <= 6.0 * se,
                    "{pop}: bucket {b} share {mean:.5} vs weight share {expected:.5} (se {se:.5})"
                );
            }
            eprintln!("{pop}: worst bucket-share deviation {worst_z:.2} SE");
            let peak = (0..BUCKETS).max_by(|&x, &y| w[x].total_cmp(&w[y])).unwrap();
            let trough = (0..BUCKETS).min_by(|&x, &y| w[x].total_cmp(&w[y])).unwrap();
            assert!(counts[peak] > 3 * counts[trough], "{pop}: the cycle must be visible");
        }
    }

    #[test]
    fn daily_cycle_peaks_in_the_working_day() {
        for p in [LublinParams::BATCH, LublinParams::INTERACTIVE] {
            let w = daily_weights(p.anum, p.bnum);
            assert!((w.iter().sum::<f64>() - BUCKETS as f64).abs() < 1e-9);
            let peak = (0..BUCKETS).max_by(|&x, &y| w[x].total_cmp(&w[y])).unwrap();
            assert!((18..36).contains(&peak), "peak bucket {peak} should be between 09:00 and 18:00");
        }
    }

    #[test]
    fn target_load_is_hit() {
        for (pop, target) in [(Population::Batch, 0.7), (Population::Interactive, 0.3), (Population::Mixed, 0.9)] {
            let cfg = LublinConfig { target_load: Some(target), cores_per_node: 4, ..LublinConfig::new(256, pop) };
            let js = jobs(&cfg, 20_000, 15);
            let load = offered_load(&js, 1024).unwrap();
            assert!((load - target).abs() < 1e-6 * target, "{pop}: load {load} vs {target}");
            // Only time is scaled: sizes and runtimes are those of the unscaled run.
            let plain = jobs(&LublinConfig { target_load: None, ..cfg.clone() }, 20_000, 15);
            assert!(js.iter().zip(&plain).all(|(a, b)| a.tasks == b.tasks && a.runtime == b.runtime));
            let ratio = js[19_999].submit.as_secs_f64() / plain[19_999].submit.as_secs_f64();
            let ratio_mid = js[9_999].submit.as_secs_f64() / plain[9_999].submit.as_secs_f64();
            assert!((ratio - ratio_mid).abs() < 1e-6 * ratio, "one factor for all gaps");
        }
    }

    #[test]
    fn horizon_fills_the_horizon_at_the_target_load() {
        let week = SimDuration::from_secs(7 * 86_400);
        let cfg = LublinConfig { target_load: Some(0.8), ..LublinConfig::new(128, Population::Batch) };
        let js = generate(&cfg, Extent::Horizon(week), &mut rng::stream(3, 0, "lublin")).unwrap();
        assert!(js.len() > 100);
        let last = js.last().unwrap().submit;
        assert!(last <= SimTime::ZERO + week);
        assert!(last.as_secs_f64() > 0.9 * week.as_secs_f64(), "last submit {last} should be near the horizon");
        assert!((offered_load(&js, 128).unwrap() - 0.8).abs() < 1e-6);

        let plain = LublinConfig::new(128, Population::Interactive);
        let js = generate(&plain, Extent::Horizon(week), &mut rng::stream(3, 0, "lublin")).unwrap();
        assert!(!js.is_empty() && js.iter().all(|j| j.submit <= SimTime::ZERO + week));
        // Without a target the horizon cuts the unscaled stream: the same seed's first jobs.
        let first = jobs(&plain, js.len() + 1, 3);
        assert_eq!(&first[..js.len()], &js[..]);
        assert!(first[js.len()].submit > SimTime::ZERO + week);
    }

    #[test]
    fn jobs_are_well_formed() {
        let cfg = LublinConfig { cores_per_node: 8, ..LublinConfig::new(200, Population::Mixed) };
        let js = jobs(&cfg, 20_000, 16);
        assert_eq!(js.len(), 20_000);
        assert!(js.iter().enumerate().all(|(i, j)| j.id == i as u64 + 1));
        assert!(js.windows(2).all(|w| w[0].submit <= w[1].submit));
        assert!(js.iter().all(|j| j.requested_time == j.runtime));
        assert!(js.iter().all(|j| j.procs() % 8 == 0 && (8..=1600).contains(&j.procs())));
        let batch = js.iter().filter(|j| j.meta.queue == 1).count();
        let inter = js.iter().filter(|j| j.meta.queue == 0).count();
        assert_eq!(batch + inter, js.len());
        assert!(batch > 2_000 && inter > 2_000, "both streams present: {batch} batch, {inter} interactive");
        let single = jobs(&LublinConfig::new(200, Population::Interactive), 1_000, 16);
        assert!(single.iter().all(|j| j.meta.queue == 0));
    }

    #[test]
    fn cores_per_node_only_multiplies_procs() {
        let one = jobs(&LublinConfig::new(256, Population::Batch), 5_000, 17);
        let four = jobs(&LublinConfig { cores_per_node: 4, ..LublinConfig::new(256, Population::Batch) }, 5_000, 17);
        for (a, b) in one.iter().zip(&four) {
            assert_eq!((a.submit, a.runtime, a.procs() * 4), (b.submit, b.runtime, b.procs()));
        }
    }

    #[test]
    fn core_sizes_are_one_core_tasks_drawn_for_the_machines_cores() {
        // 188 nodes of 32 cores: sizes are drawn for 6,016 cores, each task one core.
        let node = LublinConfig { cores_per_node: 32, ..LublinConfig::new(188, Population::Batch) };
        let core = LublinConfig { unit: SizeUnit::Core, ..node.clone() };
        assert_eq!(core.machine_size(), 6016);
        let (_, _, high) = core.size_range(Population::Batch);
        assert!((high - 6016f64.log2()).abs() < 1e-12, "batch high is log2 of the cores: {high}");
        let js = jobs(&core, 20_000, 18);
        assert!(js.iter().all(|j| j.task.cores == 1 && (1..=6016).contains(&j.procs())));
        assert!(js.iter().any(|j| j.procs() % 32 != 0), "core sizes are not whole nodes");
        assert!(js.iter().any(|j| j.procs() > 32 * 32), "scaled core sizes span many nodes");
        // Whole nodes, by contrast, ask for multiples of 32 cores.
        assert!(jobs(&node, 2_000, 18).iter().all(|j| j.task.cores == 32));

        // With the constants as given, the core sizes are the published distribution: 29%
        // serial, mostly powers of two, at most 128 cores.
        let given = LublinConfig { scale_sizes: false, ..core };
        let p = given.params(Population::Batch);
        let model =
            pmf_figures(&size_pmf(p.serial_prob, p.pow2_prob, given.size_range(Population::Batch), p.log2_prob));
        let js = jobs(&given, N, 19);
        assert_sample_matches_model("batch in cores, unscaled", &sample_figures(&js), &model);
        assert!(js.iter().all(|j| j.task.cores == 1 && j.procs() <= 128));
    }

    #[test]
    fn a_load_in_cores_takes_more_jobs_of_fewer_cores() {
        // The same target load over the same horizon, in node-sized and unscaled core-sized jobs:
        // both offer the load on the machine's cores, and small jobs need many more of them.
        let week = SimDuration::from_secs(7 * 86_400);
        let node =
            LublinConfig { cores_per_node: 32, target_load: Some(0.8), ..LublinConfig::new(188, Population::Batch) };
        let core = LublinConfig { unit: SizeUnit::Core, scale_sizes: false, ..node.clone() };
        let gen = |cfg: &LublinConfig| generate(cfg, Extent::Horizon(week), &mut rng::stream(5, 0, "lublin")).unwrap();
        let (a, b) = (gen(&node), gen(&core));
        for js in [&a, &b] {
            assert!((offered_load(js, 6016).unwrap() - 0.8).abs() < 1e-6);
        }
        assert!(b.len() > 20 * a.len(), "{} core-sized jobs against {} node-sized", b.len(), a.len());
    }

    #[test]
    fn same_seed_same_jobs_different_seed_different_jobs() {
        let cfg = LublinConfig { target_load: Some(0.75), ..LublinConfig::new(256, Population::Mixed) };
        let a = jobs(&cfg, 5_000, 42);
        assert_eq!(a, jobs(&cfg, 5_000, 42));
        let b = jobs(&cfg, 5_000, 43);
        assert_ne!(a, b);
        let differing = a.iter().zip(&b).filter(|(x, y)| x.runtime != y.runtime).count();
        assert!(differing > 4_000, "a new seed changes (almost) every job, not a few: {differing}");
    }

    #[test]
    fn bad_configuration_is_an_error_not_a_panic() {
        let base = LublinConfig::new(128, Population::Batch);
        let mut r = rng::stream(1, 0, "lublin");
        let cases: Vec<(LublinConfig, &str)> = vec![
            (LublinConfig { nodes: 0, ..base.clone() }, "`nodes` must be at least 1"),
            (LublinConfig { cores_per_node: 0, ..base.clone() }, "`cores_per_node`"),
            (LublinConfig { nodes: 1 << 20, cores_per_node: 1 << 13, ..base.clone() }, "exceeds 2^32"),
            (LublinConfig { target_load: Some(0.0), ..base.clone() }, "`target_load` must be a finite number > 0"),
            (LublinConfig { target_load: Some(f64::NAN), ..base.clone() }, "`target_load`"),
            (LublinConfig { start_hour: 24, ..base.clone() }, "`start_hour`"),
            (
                LublinConfig { batch: LublinParams { serial_prob: 1.5, ..LublinParams::BATCH }, ..base.clone() },
                "batch parameters: `serial_prob` must be a probability in [0, 1], found 1.5",
            ),
            (
                LublinConfig { batch: LublinParams { a2: -1.0, ..LublinParams::BATCH }, ..base.clone() },
                "`a2` must be a finite number > 0",
            ),
            (
                LublinConfig {
                    population: Population::Mixed,
                    interactive: LublinParams { log2_med: 0.5, ..LublinParams::INTERACTIVE },
                    ..base.clone()
                },
                "interactive parameters: `log2_med` must be a finite number ≥ log2_low",
            ),
            (
                LublinConfig { batch: LublinParams { anum: 1e6, bnum: 1.0, ..LublinParams::BATCH }, ..base.clone() },
                "daily cycle",
            ),
            (
                LublinConfig { batch: LublinParams { a1: 100.0, a2: 2_000.0, ..LublinParams::BATCH }, ..base.clone() },
                "log runtime exceeded 12",
            ),
        ];
        for (cfg, expected) in cases {
            let err = generate(&cfg, Extent::Jobs(10), &mut r).expect_err(expected).to_string();
            assert!(err.contains(expected), "{err:?} lacks {expected:?}");
        }
        let err = generate(&base, Extent::Horizon(SimDuration::ZERO), &mut r).unwrap_err();
        assert!(err.to_string().contains("`horizon` must be positive"));
        // Parameters of a population that is not generated are not checked.
        let unused = LublinConfig { interactive: LublinParams { a1: -1.0, ..LublinParams::INTERACTIVE }, ..base };
        assert!(generate(&unused, Extent::Jobs(10), &mut r).is_ok());
    }

    #[test]
    fn config_reads_from_toml_with_defaults() {
        let cfg: LublinConfig = toml::from_str("nodes = 200\npopulation = \"mixed\"\ntarget_load = 0.8").unwrap();
        assert_eq!(cfg, LublinConfig { target_load: Some(0.8), ..LublinConfig::new(200, Population::Mixed) });
        assert!(toml::from_str::<LublinConfig>("nodes = 200\npopulation = \"batch\"\nload = 1").is_err());
    }

    #[test]
    fn workload_is_described() {
        let cfg =
            LublinConfig { cores_per_node: 16, target_load: Some(0.7), ..LublinConfig::new(200, Population::Batch) };
        let w = generate_workload(&cfg, Extent::Jobs(1_000), &mut rng::stream(5, 0, "lublin")).unwrap();
        assert_eq!(w.jobs.len(), 1_000);
        assert_eq!((w.max_procs, w.max_nodes), (Some(3_200), Some(200)));
        assert!(w.name.contains("lublin-feitelson-2003 batch") && w.name.contains("200 nodes"), "{}", w.name);
        assert!(w.notes.iter().any(|n| n.contains("requested time = runtime")));
        assert!(w.notes.iter().any(|n| n.contains("offered load of 0.7")));
        assert_eq!(w.skipped_total(), 0);
    }
}
