//! Named probability distributions that scenarios use for durations, gaps and sizes, in the
//! serde form `{ dist = "exponential", mean = 600.0 }`, with validation, sampling and analytic
//! means; [`DurationDist`], the same with durations written with units (`mean = "30m"`); plus
//! the special functions (log-gamma, regularised incomplete gamma) they and the synthetic
//! generators need.

use rand::Rng;
use rand_distr::{Distribution, Exp1, Gamma, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::time::SimDuration;
use crate::units::Duration;
use crate::workload::weekly::GenError;

/// A distribution of real values, named in a scenario by its `dist` tag.
///
/// Parameters are in whatever unit the consumer documents (seconds for durations).
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum Dist {
    /// Always `value`.
    Constant { value: f64 },
    /// Exponential with the given mean (rate 1/mean).
    Exponential { mean: f64 },
    /// e^X with X ~ Normal(`mu`, `sigma`): `mu` and `sigma` are the mean and standard deviation
    /// of the underlying normal, *not* of the values; the median is e^mu and the mean
    /// e^(mu + sigma²/2). Use [`Dist::lognormal_from_mean_median`] to build one from figures
    /// read off a trace.
    Lognormal { mu: f64, sigma: f64 },
    /// Gamma with shape k and scale θ (mean kθ).
    Gamma { shape: f64, scale: f64 },
    /// Weibull with shape k and scale λ (mean λ·Γ(1 + 1/k)).
    Weibull { shape: f64, scale: f64 },
    /// Uniform on [low, high).
    Uniform { low: f64, high: f64 },
    /// One of `values`, each equally likely, or in proportion to `weights` when given.
    Empirical {
        values: Vec<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        weights: Option<Vec<f64>>,
    },
}

/// Why a [`Dist`] cannot be used. Each message names the distribution, the parameter and what
/// was expected, so that a scenario error can point at the offending line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistError {
    #[error("{dist} distribution: `{param}` must be {expected}, found {found}")]
    Param { dist: &'static str, param: &'static str, expected: &'static str, found: f64 },

    #[error("uniform distribution: `low` must be less than `high`, found low = {low}, high = {high}")]
    EmptyRange { low: f64, high: f64 },

    #[error("empirical distribution: `values` must hold at least one value, found none")]
    NoValues,

    #[error("empirical distribution: `values[{index}]` must be a finite number, found {found}")]
    Value { index: usize, found: f64 },

    #[error("empirical distribution: `weights` must have one entry per value ({values}), found {weights}")]
    WeightCount { values: usize, weights: usize },

    #[error("empirical distribution: `weights[{index}]` must be a finite number ≥ 0, found {found}")]
    Weight { index: usize, found: f64 },

    #[error("empirical distribution: `weights` must have a positive sum, found {sum}")]
    WeightSum { sum: f64 },

    #[error(
        "lognormal distribution: need a finite mean ≥ median > 0 to derive mu and sigma, \
         found mean = {mean}, median = {median}"
    )]
    MeanMedian { mean: f64, median: f64 },
}

const POSITIVE: &str = "a finite number > 0";
const FINITE: &str = "a finite number";

fn positive(dist: &'static str, param: &'static str, v: f64) -> Result<(), DistError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(DistError::Param { dist, param, expected: POSITIVE, found: v })
    }
}

fn finite(dist: &'static str, param: &'static str, v: f64) -> Result<(), DistError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(DistError::Param { dist, param, expected: FINITE, found: v })
    }
}

impl Dist {
    /// The lognormal whose values have the given mean and median: mu = ln(median),
    /// sigma = sqrt(2·ln(mean/median)). A mean equal to the median gives sigma = 0, which
    /// [`validate`](Self::validate) rejects, as a lognormal with no spread is better written as
    /// a constant.
    pub fn lognormal_from_mean_median(mean: f64, median: f64) -> Result<Dist, DistError> {
        if !(mean.is_finite() && median.is_finite() && median > 0.0 && mean >= median) {
            return Err(DistError::MeanMedian { mean, median });
        }
        let d = Dist::Lognormal { mu: median.ln(), sigma: (2.0 * (mean / median).ln()).sqrt() };
        d.validate()?;
        Ok(d)
    }

    /// The scenario name of this kind of distribution (its `dist` tag).
    pub fn kind(&self) -> &'static str {
        match self {
            Dist::Constant { .. } => "constant",
            Dist::Exponential { .. } => "exponential",
            Dist::Lognormal { .. } => "lognormal",
            Dist::Gamma { .. } => "gamma",
            Dist::Weibull { .. } => "weibull",
            Dist::Uniform { .. } => "uniform",
            Dist::Empirical { .. } => "empirical",
        }
    }

    /// Checks every parameter. Call it once when a scenario is loaded; [`sample`](Self::sample)
    /// and [`mean`](Self::mean) assume it passed.
    pub fn validate(&self) -> Result<(), DistError> {
        let k = self.kind();
        match self {
            Dist::Constant { value } => finite(k, "value", *value),
            Dist::Exponential { mean } => positive(k, "mean", *mean),
            Dist::Lognormal { mu, sigma } => {
                finite(k, "mu", *mu)?;
                positive(k, "sigma", *sigma)
            }
            Dist::Gamma { shape, scale } | Dist::Weibull { shape, scale } => {
                positive(k, "shape", *shape)?;
                positive(k, "scale", *scale)
            }
            Dist::Uniform { low, high } => {
                finite(k, "low", *low)?;
                finite(k, "high", *high)?;
                if low < high {
                    Ok(())
                } else {
                    Err(DistError::EmptyRange { low: *low, high: *high })
                }
            }
            Dist::Empirical { values, weights } => {
                if values.is_empty() {
                    return Err(DistError::NoValues);
                }
                if let Some((index, &found)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                    return Err(DistError::Value { index, found });
                }
                if let Some(w) = weights {
                    if w.len() != values.len() {
                        return Err(DistError::WeightCount { values: values.len(), weights: w.len() });
                    }
                    if let Some((index, &found)) = w.iter().enumerate().find(|(_, x)| !(x.is_finite() && **x >= 0.0)) {
                        return Err(DistError::Weight { index, found });
                    }
                    let sum: f64 = w.iter().sum();
                    if !(sum.is_finite() && sum > 0.0) {
                        return Err(DistError::WeightSum { sum });
                    }
                }
                Ok(())
            }
        }
    }

    /// One draw. On a distribution that fails [`validate`](Self::validate) the result is
    /// meaningless (possibly NaN) but this never panics: bad configuration is reported by
    /// `validate`, not discovered halfway through a run.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Constant { value } => *value,
            Dist::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                mean * e
            }
            Dist::Lognormal { mu, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Dist::Gamma { shape, scale } => match Gamma::new(*shape, *scale) {
                Ok(g) => g.sample(rng),
                Err(_) => f64::NAN,
            },
            Dist::Weibull { shape, scale } => {
                // Inverse transform: if E ~ Exp(1) then λ·E^(1/k) ~ Weibull(k, λ).
                let e: f64 = Exp1.sample(rng);
                scale * e.powf(1.0 / shape)
            }
            Dist::Uniform { low, high } => low + (high - low) * rng.random::<f64>(),
            Dist::Empirical { values, weights } => {
                if values.is_empty() {
                    return f64::NAN;
                }
                match weights {
                    None => values[rng.random_range(0..values.len())],
                    Some(w) => {
                        let total: f64 = w.iter().sum();
                        let mut u = rng.random::<f64>() * total;
                        // The last positive weight takes whatever rounding leaves over, so a
                        // draw never lands on a zero-weight value.
                        let mut chosen = values.len() - 1;
                        for (i, &wi) in w.iter().enumerate() {
                            if wi > 0.0 {
                                chosen = i;
                                if u < wi {
                                    break;
                                }
                                u -= wi;
                            }
                        }
                        values.get(chosen).copied().unwrap_or(f64::NAN)
                    }
                }
            }
        }
    }

    /// The analytic mean.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Constant { value } => *value,
            Dist::Exponential { mean } => *mean,
            Dist::Lognormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Dist::Gamma { shape, scale } => shape * scale,
            Dist::Weibull { shape, scale } => scale * ln_gamma(1.0 + 1.0 / shape).exp(),
            Dist::Uniform { low, high } => (low + high) / 2.0,
            Dist::Empirical { values, weights } => match weights {
                None => values.iter().sum::<f64>() / values.len() as f64,
                Some(w) => values.iter().zip(w).map(|(v, w)| v * w).sum::<f64>() / w.iter().sum::<f64>(),
            },
        }
    }
}

/// A distribution of durations, written in a scenario like [`Dist`] but with every time
/// parameter a string with a unit (see [`crate::units`]):
///
/// ```toml
/// walltime = { dist = "constant", value = "2h" }
/// duration = { dist = "exponential", mean = "30m" }
/// duration = { dist = "lognormal", median = "45m", sigma = 1.0 }   # or median and mean = "2h"
/// duration = { dist = "gamma", shape = 2.0, scale = "20m" }
/// duration = { dist = "weibull", shape = 0.8, scale = "1h" }
/// walltime = { dist = "uniform", low = "1h", high = "8h" }
/// walltime = { dist = "empirical", values = ["1h", "2h", "4h"], weights = [0.5, 0.3, 0.2] }
/// ```
///
/// Draws are rounded to the nearest millisecond and are never negative; `constant` and
/// `empirical` give their values exactly.
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum DurationDist {
    /// Always `value`.
    Constant { value: Duration },
    /// Exponential with the given mean.
    Exponential { mean: Duration },
    /// Lognormal with the given median (e^mu) and either `sigma`, the standard deviation of the
    /// underlying normal, or the `mean` of the values (then sigma = sqrt(2·ln(mean/median))).
    Lognormal {
        median: Duration,
        #[serde(default)]
        sigma: Option<f64>,
        #[serde(default)]
        mean: Option<Duration>,
    },
    /// Gamma with shape k and scale θ (mean kθ).
    Gamma { shape: f64, scale: Duration },
    /// Weibull with shape k and scale λ (mean λ·Γ(1 + 1/k)).
    Weibull { shape: f64, scale: Duration },
    /// Uniform on [low, high).
    Uniform { low: Duration, high: Duration },
    /// One of `values`, each equally likely, or in proportion to `weights` when given.
    Empirical {
        values: Vec<Duration>,
        #[serde(default)]
        weights: Option<Vec<f64>>,
    },
}

fn dur(d: Duration) -> String {
    format!("\"{}s\"", d.0)
}

fn ms(d: Duration) -> f64 {
    d.0 .0 as f64
}

/// The largest draw: 2^53 ms (~285,000 years) keeps every value exact.
const MAX_DRAW_MS: f64 = 9_007_199_254_740_992.0;

impl DurationDist {
    /// A constant duration.
    pub fn constant(d: SimDuration) -> DurationDist {
        DurationDist::Constant { value: Duration(d) }
    }

    /// The scenario name of this kind of distribution (its `dist` tag).
    pub fn kind(&self) -> &'static str {
        match self {
            DurationDist::Constant { .. } => "constant",
            DurationDist::Exponential { .. } => "exponential",
            DurationDist::Lognormal { .. } => "lognormal",
            DurationDist::Gamma { .. } => "gamma",
            DurationDist::Weibull { .. } => "weibull",
            DurationDist::Uniform { .. } => "uniform",
            DurationDist::Empirical { .. } => "empirical",
        }
    }

    /// Checks every parameter. Error paths are relative to the distribution (`"mean"`,
    /// `"values[2]"`, `"weights"`); a configuration holding it prefixes its own field name.
    /// [`sample`](Self::sample) and [`mean`](Self::mean) assume this passed.
    pub fn validate(&self) -> Result<(), GenError> {
        let k = self.kind();
        let not_negative = |path: String, d: Duration| {
            if d.0 .0 >= 0 {
                Ok(())
            } else {
                Err(GenError::invalid(path, format!("{k} distribution: expected a duration ≥ 0, found {}", dur(d))))
            }
        };
        let positive = |path: &str, d: Duration| {
            if d.0 .0 > 0 {
                Ok(())
            } else {
                Err(GenError::invalid(path, format!("{k} distribution: expected a duration > 0, found {}", dur(d))))
            }
        };
        let positive_number = |path: &str, x: f64| {
            if x.is_finite() && x > 0.0 {
                Ok(())
            } else {
                Err(GenError::invalid(path, format!("{k} distribution: expected a finite number > 0, found {x}")))
            }
        };
        match self {
            DurationDist::Constant { value } => not_negative("value".into(), *value),
            DurationDist::Exponential { mean } => positive("mean", *mean),
            DurationDist::Lognormal { median, sigma, mean } => {
                positive("median", *median)?;
                match (sigma, mean) {
                    (Some(s), None) => positive_number("sigma", *s),
                    (None, Some(m)) => {
                        if m.0 > median.0 {
                            Ok(())
                        } else {
                            Err(GenError::invalid(
                                "mean",
                                format!(
                                    "lognormal distribution: expected a mean greater than the median ({}), found {}",
                                    dur(*median),
                                    dur(*m)
                                ),
                            ))
                        }
                    }
                    (Some(_), Some(_)) => Err(GenError::conflict(
                        "mean",
                        "lognormal distribution: give either `sigma` or `mean` with the `median`, not both",
                    )),
                    (None, None) => Err(GenError::missing(
                        "sigma",
                        "lognormal distribution: give `sigma` (of the underlying normal) or the `mean` with the `median`",
                    )),
                }
            }
            DurationDist::Gamma { shape, scale } | DurationDist::Weibull { shape, scale } => {
                positive_number("shape", *shape)?;
                positive("scale", *scale)
            }
            DurationDist::Uniform { low, high } => {
                not_negative("low".into(), *low)?;
                if low.0 < high.0 {
                    Ok(())
                } else {
                    Err(GenError::invalid(
                        "high",
                        format!(
                            "uniform distribution: expected `high` above `low` ({}), found {}",
                            dur(*low),
                            dur(*high)
                        ),
                    ))
                }
            }
            DurationDist::Empirical { values, weights } => {
                if values.is_empty() {
                    return Err(GenError::invalid(
                        "values",
                        "empirical distribution: expected at least one value, found none",
                    ));
                }
                for (i, v) in values.iter().enumerate() {
                    not_negative(format!("values[{i}]"), *v)?;
                }
                if let Some(w) = weights {
                    if w.len() != values.len() {
                        return Err(GenError::invalid(
                            "weights",
                            format!(
                                "empirical distribution: expected one weight per value ({}), found {}",
                                values.len(),
                                w.len()
                            ),
                        ));
                    }
                    if let Some((i, x)) = w.iter().enumerate().find(|(_, x)| !(x.is_finite() && **x >= 0.0)) {
                        return Err(GenError::invalid(
                            format!("weights[{i}]"),
                            format!("empirical distribution: expected a finite weight ≥ 0, found {x}"),
                        ));
                    }
                    let sum: f64 = w.iter().sum();
                    if !(sum.is_finite() && sum > 0.0) {
                        return Err(GenError::invalid(
                            "weights",
                            format!("empirical distribution: expected weights with a positive sum, found {sum}"),
                        ));
                    }
                }
                Ok(())
            }
        }
    }

    /// The same distribution as a [`Dist`] over milliseconds, for the continuous kinds
    /// (`None` for `constant` and `empirical`, which are sampled exactly).
    fn continuous_ms(&self) -> Option<Dist> {
        Some(match self {
            DurationDist::Constant { .. } | DurationDist::Empirical { .. } => return None,
            DurationDist::Exponential { mean } => Dist::Exponential { mean: ms(*mean) },
            DurationDist::Lognormal { median, sigma, mean } => {
                let mu = ms(*median).ln();
                let sigma = match (sigma, mean) {
                    (Some(s), _) => *s,
                    (None, Some(m)) => (2.0 * (ms(*m) / ms(*median)).ln()).sqrt(),
                    (None, None) => f64::NAN,
                };
                Dist::Lognormal { mu, sigma }
            }
            DurationDist::Gamma { shape, scale } => Dist::Gamma { shape: *shape, scale: ms(*scale) },
            DurationDist::Weibull { shape, scale } => Dist::Weibull { shape: *shape, scale: ms(*scale) },
            DurationDist::Uniform { low, high } => Dist::Uniform { low: ms(*low), high: ms(*high) },
        })
    }

    /// One draw, rounded to the nearest millisecond, never negative (and at most 2^53 ms). On
    /// a distribution that fails [`validate`](Self::validate) the result is meaningless (0 where
    /// the draw is not a number) but this never panics.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> SimDuration {
        match self {
            DurationDist::Constant { value } => value.0.max(SimDuration::ZERO),
            DurationDist::Empirical { values, weights } => {
                if values.is_empty() {
                    return SimDuration::ZERO;
                }
                let i = match weights {
                    None => rng.random_range(0..values.len()),
                    Some(w) => weighted_index(w, rng),
                };
                values.get(i).map_or(SimDuration::ZERO, |v| v.0.max(SimDuration::ZERO))
            }
            _ => {
                let x = self.continuous_ms().map_or(f64::NAN, |d| d.sample(rng)).round();
                if x.is_nan() {
                    SimDuration::ZERO
                } else {
                    SimDuration(x.clamp(0.0, MAX_DRAW_MS) as i64)
                }
            }
        }
    }

    /// The analytic mean, rounded to the nearest millisecond.
    pub fn mean(&self) -> SimDuration {
        let x = match self {
            DurationDist::Constant { value } => return value.0,
            DurationDist::Empirical { values, weights } => match weights {
                None => values.iter().map(|v| ms(*v)).sum::<f64>() / values.len() as f64,
                Some(w) => values.iter().zip(w).map(|(v, w)| ms(*v) * w).sum::<f64>() / w.iter().sum::<f64>(),
            },
            _ => self.continuous_ms().map_or(f64::NAN, |d| d.mean()),
        };
        if x.is_nan() {
            SimDuration::ZERO
        } else {
            SimDuration(x.round().clamp(0.0, MAX_DRAW_MS) as i64)
        }
    }
}

/// Index drawn in proportion to `w` (finite, ≥ 0, positive sum), as [`Dist::Empirical`] draws:
/// the last positive weight takes whatever rounding leaves over, so a zero weight is never drawn.
fn weighted_index<R: Rng + ?Sized>(w: &[f64], rng: &mut R) -> usize {
    let total: f64 = w.iter().sum();
    let mut u = rng.random::<f64>() * total;
    let mut chosen = w.len().saturating_sub(1);
    for (i, &wi) in w.iter().enumerate() {
        if wi > 0.0 {
            chosen = i;
            if u < wi {
                break;
            }
            u -= wi;
        }
    }
    chosen
}

/// ln Γ(x) for x > 0, by the Lanczos approximation (g = 7, 9 terms; relative error below
/// 1e-14 over the range the crate uses). NaN for x ≤ 0 or NaN.
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    // The published coefficients, kept digit for digit so they can be checked against the source.
    #[allow(clippy::excessive_precision)]
    const C: [f64; 9] = [
        0.999_999_999_999_809_93,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_13,
        -176.615_029_162_140_59,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_571_6e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x < 0.5 {
        // Reflection keeps the approximation in its accurate range.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularised lower incomplete gamma function P(a, x) = γ(a, x)/Γ(a): the CDF at `x` of a
/// gamma distribution with shape `a` and scale 1. Series for x < a + 1, continued fraction
/// (modified Lentz) above, as in Numerical Recipes §6.2, which is also what the Lublin–Feitelson
/// reference generator uses. NaN for a ≤ 0.
pub fn regularized_gamma_p(a: f64, x: f64) -> f64 {
    const EPS: f64 = 1e-15;
    const MAX_ITER: usize = 100_000;
    if a.is_nan() || a <= 0.0 || x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if x == f64::INFINITY {
        return 1.0;
    }
    let log_prefactor = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        let mut ap = a;
        let mut term = 1.0 / a;
        let mut sum = term;
        for _ in 0..MAX_ITER {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * EPS {
                break;
            }
        }
        (sum.ln() + log_prefactor).exp().min(1.0)
    } else {
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..MAX_ITER {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < EPS {
                break;
            }
        }
        (1.0 - (h.ln() + log_prefactor).exp()).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;

    const N: usize = 100_000;

    /// Checks the sample mean of N draws against the analytic mean, within `z` standard errors
    /// of the analytic standard deviation `sd`: a wrong formula or sampler shifts the mean by
    /// many standard errors, while a correct one fails at z = 5 with probability below 1e-6
    /// (and the seed is fixed, so the outcome never flickers).
    fn check_mean(d: &Dist, sd: f64) {
        d.validate().unwrap();
        let mut r = rng::stream(2024, 0, d.kind());
        let sum: f64 = (0..N).map(|_| d.sample(&mut r)).sum();
        let sample_mean = sum / N as f64;
        let se = sd / (N as f64).sqrt();
        let diff = (sample_mean - d.mean()).abs();
        eprintln!("{d:?}: sample mean {sample_mean:.4}, analytic {:.4}, 5 SE {:.4}", d.mean(), 5.0 * se);
        assert!(
            diff <= 5.0 * se + 1e-12,
            "{d:?}: sample mean {sample_mean}, analytic {}, |diff| {diff} > 5 SE ({})",
            d.mean(),
            5.0 * se
        );
    }

    #[test]
    fn sample_means_match_analytic_means() {
        check_mean(&Dist::Constant { value: 42.5 }, 0.0);
        check_mean(&Dist::Exponential { mean: 600.0 }, 600.0);
        let (mu, sigma) = (5.0_f64, 1.0_f64);
        let ln_sd = ((sigma * sigma).exp_m1() * (2.0 * mu + sigma * sigma).exp()).sqrt();
        check_mean(&Dist::Lognormal { mu, sigma }, ln_sd);
        check_mean(&Dist::Gamma { shape: 2.5, scale: 40.0 }, 2.5f64.sqrt() * 40.0);
        // Shape < 1 takes a different path in the sampler.
        check_mean(&Dist::Gamma { shape: 0.4, scale: 10.0 }, 0.4f64.sqrt() * 10.0);
        let (k, lambda) = (1.5_f64, 3600.0_f64);
        let g1 = ln_gamma(1.0 + 1.0 / k).exp();
        let g2 = ln_gamma(1.0 + 2.0 / k).exp();
        check_mean(&Dist::Weibull { shape: k, scale: lambda }, lambda * (g2 - g1 * g1).sqrt());
        check_mean(&Dist::Uniform { low: 60.0, high: 7200.0 }, 7140.0 / 12f64.sqrt());
        let values = vec![1.0, 2.0, 10.0];
        check_mean(&Dist::Empirical { values: values.clone(), weights: None }, 4.0);
        let weights = vec![0.5, 0.0, 1.5];
        let w = Dist::Empirical { values, weights: Some(weights) };
        assert_eq!(w.mean(), (0.5 + 15.0) / 2.0);
        check_mean(&w, (0.25 * 1.0 + 0.75 * 100.0 - 7.75f64 * 7.75).sqrt());
    }

    #[test]
    fn weibull_with_shape_one_is_exponential() {
        let d = Dist::Weibull { shape: 1.0, scale: 300.0 };
        assert!((d.mean() - 300.0).abs() < 1e-9);
    }

    #[test]
    fn empirical_never_draws_zero_weight_values() {
        let d = Dist::Empirical { values: vec![1.0, 2.0, 3.0], weights: Some(vec![0.0, 1.0, 0.0]) };
        let mut r = rng::stream(1, 0, "empirical");
        assert!((0..10_000).all(|_| d.sample(&mut r) == 2.0));
    }

    #[test]
    fn lognormal_from_mean_median_round_trips() {
        let d = Dist::lognormal_from_mean_median(1800.0, 600.0).unwrap();
        let Dist::Lognormal { mu, .. } = d else { panic!("not a lognormal: {d:?}") };
        assert!((mu.exp() - 600.0).abs() < 1e-9);
        assert!((d.mean() - 1800.0).abs() < 1e-9);
        assert!(matches!(Dist::lognormal_from_mean_median(100.0, 600.0), Err(DistError::MeanMedian { .. })));
        assert!(Dist::lognormal_from_mean_median(600.0, 600.0).is_err());
    }

    #[test]
    fn validation_names_the_parameter() {
        let cases: Vec<(Dist, &str)> = vec![
            (Dist::Constant { value: f64::NAN }, "`value` must be a finite number"),
            (Dist::Exponential { mean: 0.0 }, "exponential distribution: `mean` must be a finite number > 0, found 0"),
            (Dist::Exponential { mean: f64::INFINITY }, "`mean` must be a finite number > 0"),
            (Dist::Lognormal { mu: 1.0, sigma: -1.0 }, "`sigma` must be a finite number > 0"),
            (Dist::Lognormal { mu: f64::NAN, sigma: 1.0 }, "`mu` must be a finite number"),
            (Dist::Gamma { shape: -2.0, scale: 1.0 }, "gamma distribution: `shape`"),
            (Dist::Gamma { shape: 2.0, scale: 0.0 }, "gamma distribution: `scale`"),
            (Dist::Weibull { shape: 0.0, scale: 1.0 }, "weibull distribution: `shape`"),
            (Dist::Uniform { low: 5.0, high: 5.0 }, "`low` must be less than `high`"),
            (Dist::Uniform { low: 0.0, high: f64::INFINITY }, "`high` must be a finite number"),
            (Dist::Empirical { values: vec![], weights: None }, "at least one value"),
            (Dist::Empirical { values: vec![1.0, f64::NAN], weights: None }, "`values[1]`"),
            (Dist::Empirical { values: vec![1.0, 2.0], weights: Some(vec![1.0]) }, "one entry per value (2), found 1"),
            (
                Dist::Empirical { values: vec![1.0, 2.0], weights: Some(vec![1.0, -0.5]) },
                "`weights[1]` must be a finite number ≥ 0, found -0.5",
            ),
            (Dist::Empirical { values: vec![1.0, 2.0], weights: Some(vec![0.0, 0.0]) }, "positive sum"),
        ];
        for (d, expected) in cases {
            let msg = d.validate().expect_err(&format!("{d:?} should be rejected")).to_string();
            assert!(msg.contains(expected), "{d:?}: message {msg:?} lacks {expected:?}");
        }
    }

    #[derive(Deserialize, Serialize, Debug, PartialEq)]
    struct Holder {
        d: Dist,
    }

    #[test]
    fn serde_form_is_internally_tagged() {
        let h: Holder = toml::from_str(r#"d = { dist = "exponential", mean = 600.0 }"#).unwrap();
        assert_eq!(h.d, Dist::Exponential { mean: 600.0 });
        let h: Holder = toml::from_str(r#"d = { dist = "empirical", values = [1.0, 2.0] }"#).unwrap();
        assert_eq!(h.d, Dist::Empirical { values: vec![1.0, 2.0], weights: None });
        let h: Holder = toml::from_str("d = { dist = \"lognormal\", mu = 6.0, sigma = 1.2 }").unwrap();
        assert_eq!(h.d, Dist::Lognormal { mu: 6.0, sigma: 1.2 });
        // Round trip through JSON as well, since reports embed the scenario.
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json, r#"{"d":{"dist":"lognormal","mu":6.0,"sigma":1.2}}"#);
        assert_eq!(serde_json::from_str::<Holder>(&json).unwrap(), h);
    }

    #[test]
    fn serde_rejects_unknown_names_and_fields() {
        let unknown_field = toml::from_str::<Holder>(r#"d = { dist = "exponential", mean = 1.0, rate = 2.0 }"#);
        assert!(unknown_field.unwrap_err().to_string().contains("rate"));
        let unknown_kind = toml::from_str::<Holder>(r#"d = { dist = "pareto", mean = 1.0 }"#);
        assert!(unknown_kind.unwrap_err().to_string().contains("pareto"));
        let capitalised = toml::from_str::<Holder>(r#"d = { dist = "Exponential", mean = 1.0 }"#);
        assert!(capitalised.is_err());
    }

    #[test]
    fn special_functions_match_known_values() {
        // Γ(5) = 24, Γ(0.5) = √π, Γ(10.5) from tables.
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-13);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
        assert!((ln_gamma(10.5) - 1_133_278.388_948_441_3f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(639.1) - ln_gamma_stirling(639.1)).abs() < 1e-10);
        // P(1, x) = 1 − e^−x; P(a, x) for integer a is a Poisson tail.
        for x in [0.1, 1.0, 2.5, 7.0, 30.0] {
            assert!((regularized_gamma_p(1.0, x) - (1.0 - (-x).exp())).abs() < 1e-13);
            let poisson_tail: f64 = (0..3).map(|k| x.powi(k) / [1.0, 1.0, 2.0][k as usize]).sum::<f64>() * (-x).exp();
            assert!((regularized_gamma_p(3.0, x) - (1.0 - poisson_tail)).abs() < 1e-12, "x = {x}");
        }
        // Near the median of a large shape, both branches agree across the switch at a + 1.
        let a = 639.1;
        let below = regularized_gamma_p(a, a + 1.0 - 1e-9);
        let above = regularized_gamma_p(a, a + 1.0 + 1e-9);
        assert!((below - above).abs() < 1e-9 && (below - 0.52).abs() < 0.02, "{below} {above}");
    }

    /// Stirling's series, accurate to ~1e-15 for large x: an independent check of Lanczos.
    fn ln_gamma_stirling(x: f64) -> f64 {
        (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + 1.0 / (12.0 * x) - 1.0 / (360.0 * x.powi(3))
            + 1.0 / (1260.0 * x.powi(5))
    }
}

#[cfg(test)]
mod duration_tests {
    use super::*;
    use crate::rng;

    fn parse(s: &str) -> DurationDist {
        #[derive(Deserialize)]
        struct T {
            d: DurationDist,
        }
        toml::from_str::<T>(&format!("d = {s}")).unwrap_or_else(|e| panic!("{s}: {e}")).d
    }

    const H: f64 = 3_600_000.0;
    const M: f64 = 60_000.0;

    /// Checks the mean of N draws (in ms) against the analytic mean within 5 standard errors of
    /// the analytic standard deviation `sd_ms`, plus 1 ms for rounding draws and the mean to
    /// whole milliseconds. As in `tests::check_mean`, a wrong unit or parameterisation moves the
    /// mean by far more; a correct sampler fails with probability below 1e-6.
    fn check(src: &str, analytic_mean_ms: f64, sd_ms: f64) {
        const N: usize = 200_000;
        let d = parse(src);
        d.validate().unwrap_or_else(|e| panic!("{src}: {e}"));
        assert!(
            (d.mean().0 as f64 - analytic_mean_ms).abs() <= 0.5 + 1e-6 * analytic_mean_ms,
            "{src}: mean() = {} ms, analytic {analytic_mean_ms}",
            d.mean().0
        );
        let mut r = rng::stream(77, 0, d.kind());
        let mut sum = 0i128;
        for _ in 0..N {
            let x = d.sample(&mut r);
            assert!(x.0 >= 0, "{src}: negative draw {x:?}");
            sum += i128::from(x.0);
        }
        let sample_mean = sum as f64 / N as f64;
        let tol = 5.0 * sd_ms / (N as f64).sqrt() + 1.0;
        eprintln!(
            "{src}: sample mean {:.1} s, analytic {:.1} s, |diff| {:.3} s, tolerance {:.3} s",
            sample_mean / 1e3,
            analytic_mean_ms / 1e3,
            (sample_mean - analytic_mean_ms).abs() / 1e3,
            tol / 1e3
        );
        assert!(
            (sample_mean - analytic_mean_ms).abs() <= tol,
            "{src}: sample mean {sample_mean} ms, analytic {analytic_mean_ms} ms"
        );
    }

    #[test]
    fn sample_means_match_analytic_means() {
        check(r#"{ dist = "constant", value = "2h" }"#, 2.0 * H, 0.0);
        check(r#"{ dist = "exponential", mean = "30m" }"#, 30.0 * M, 30.0 * M);
        let (median, s) = (45.0 * M, 1.0f64);
        let mean = median * (s * s / 2.0).exp();
        check(r#"{ dist = "lognormal", median = "45m", sigma = 1.0 }"#, mean, mean * (s * s).exp_m1().sqrt());
        // Median and mean: sigma² = 2 ln(2h / 30m) = 2 ln 4.
        let s2 = 2.0 * 4f64.ln();
        check(r#"{ dist = "lognormal", median = "30m", mean = "2h" }"#, 2.0 * H, 2.0 * H * s2.exp_m1().sqrt());
        check(r#"{ dist = "gamma", shape = 2.0, scale = "20m" }"#, 40.0 * M, 2f64.sqrt() * 20.0 * M);
        let k = 0.8f64;
        let (g1, g2) = (ln_gamma(1.0 + 1.0 / k).exp(), ln_gamma(1.0 + 2.0 / k).exp());
        check(r#"{ dist = "weibull", shape = 0.8, scale = "1h" }"#, H * g1, H * (g2 - g1 * g1).sqrt());
        check(r#"{ dist = "uniform", low = "1h", high = "8h" }"#, 4.5 * H, 7.0 * H / 12f64.sqrt());
        check(
            r#"{ dist = "empirical", values = ["1h", "2h", "4h"], weights = [0.5, 0.3, 0.2] }"#,
            1.9 * H,
            1.29f64.sqrt() * H,
        );
        check(r#"{ dist = "empirical", values = ["10m", "20m"] }"#, 15.0 * M, 5.0 * M);
    }

    #[test]
    fn exact_kinds_give_their_values_exactly() {
        let mut r = rng::stream(1, 0, "exact");
        assert_eq!(parse(r#"{ dist = "constant", value = "1.5s" }"#).sample(&mut r), SimDuration(1_500));
        let d = parse(r#"{ dist = "empirical", values = ["1h", "2h", "250ms"], weights = [0, 1, 1] }"#);
        for _ in 0..1000 {
            let x = d.sample(&mut r);
            assert!(x == SimDuration(7_200_000) || x == SimDuration(250), "{x:?}");
        }
        let d = parse(r#"{ dist = "uniform", low = "1s", high = "2s" }"#);
        assert!((0..1000).all(|_| (1000..=2000).contains(&d.sample(&mut r).0)));
    }

    #[test]
    fn validation_names_the_field() {
        let cases: &[(&str, &str)] = &[
            (r#"{ dist = "exponential", mean = "0s" }"#, "mean"),
            (r#"{ dist = "lognormal", median = "0s", sigma = 1.0 }"#, "median"),
            (r#"{ dist = "lognormal", median = "1h", sigma = 0.0 }"#, "sigma"),
            (r#"{ dist = "lognormal", median = "1h", sigma = nan }"#, "sigma"),
            (r#"{ dist = "lognormal", median = "1h" }"#, "sigma"),
            (r#"{ dist = "lognormal", median = "1h", mean = "30m" }"#, "mean"),
            (r#"{ dist = "lognormal", median = "1h", mean = "2h", sigma = 1.0 }"#, "mean"),
            (r#"{ dist = "gamma", shape = -1.0, scale = "1h" }"#, "shape"),
            (r#"{ dist = "gamma", shape = 2.0, scale = "0s" }"#, "scale"),
            (r#"{ dist = "weibull", shape = 0.0, scale = "1h" }"#, "shape"),
            (r#"{ dist = "weibull", shape = 1.0, scale = "0ms" }"#, "scale"),
            (r#"{ dist = "uniform", low = "2h", high = "1h" }"#, "high"),
            (r#"{ dist = "uniform", low = "2h", high = "2h" }"#, "high"),
            (r#"{ dist = "empirical", values = [] }"#, "values"),
            (r#"{ dist = "empirical", values = ["1h"], weights = [1, 2] }"#, "weights"),
            (r#"{ dist = "empirical", values = ["1h", "2h"], weights = [1, -2] }"#, "weights[1]"),
            (r#"{ dist = "empirical", values = ["1h", "2h"], weights = [0, 0] }"#, "weights"),
        ];
        for (src, path) in cases {
            let e = parse(src).validate().expect_err(src);
            assert_eq!(e.path(), *path, "{src}: {e}");
            assert!(e.to_string().contains(parse(src).kind()), "{src}: {e}");
        }
        let neg = DurationDist::Empirical {
            values: vec![Duration(SimDuration(5)), Duration(SimDuration(-5))],
            weights: None,
        };
        assert_eq!(neg.validate().unwrap_err().path(), "values[1]");
        assert_eq!(DurationDist::constant(SimDuration(-1)).validate().unwrap_err().path(), "value");
        assert!(DurationDist::constant(SimDuration::ZERO).validate().is_ok());
        // The parser refuses bare numbers, unknown kinds and unknown parameters.
        #[derive(Deserialize, Debug)]
        struct T {
            #[allow(dead_code)]
            d: DurationDist,
        }
        for bad in [
            r#"d = { dist = "exponential", mean = 1800 }"#,
            r#"d = { dist = "pareto", mean = "1h" }"#,
            r#"d = { dist = "exponential", mean = "1h", sigma = 1.0 }"#,
            r#"d = { mean = "1h" }"#,
        ] {
            assert!(toml::from_str::<T>(bad).is_err(), "{bad} was accepted");
        }
    }
}
