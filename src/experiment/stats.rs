//! Statistics across replications: the mean and the 95% confidence half-width of a figure
//! (Student t with n − 1 degrees of freedom), and whether two intervals overlap.
//!
//! The t quantile is computed, not looked up: the two-sided 95% point of t(ν) is the x with
//! I_{ν/(ν+x²)}(ν/2, 1/2) = 0.05, where I is the regularised incomplete beta function
//! (evaluated by its continued fraction, Numerical Recipes §6.4), found by bisection. It
//! agrees with printed tables to their last digit (see the tests).

use crate::workload::dist::ln_gamma;

/// A figure over replications: its mean and the half-width of its 95% confidence interval
/// (`None` with fewer than two values, where no interval exists).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub ci: Option<f64>,
    /// How many values it is over.
    pub n: usize,
}

impl Estimate {
    /// The estimate of `values` (NaN-free; an empty slice gives NaN).
    pub fn of(values: &[f64]) -> Estimate {
        let n = values.len();
        if n == 0 {
            return Estimate { mean: f64::NAN, ci: None, n };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        if n < 2 {
            return Estimate { mean, ci: None, n };
        }
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
        let half = t95(n - 1) * (var / n as f64).sqrt();
        Estimate { mean, ci: Some(half), n }
    }

    /// Lower end of the interval (the mean when there is none).
    pub fn lo(&self) -> f64 {
        self.mean - self.ci.unwrap_or(0.0)
    }

    /// Upper end of the interval (the mean when there is none).
    pub fn hi(&self) -> f64 {
        self.mean + self.ci.unwrap_or(0.0)
    }

    /// True when the two 95% intervals share a point: then neither is shown to differ.
    pub fn overlaps(&self, other: &Estimate) -> bool {
        self.lo() <= other.hi() && other.lo() <= self.hi()
    }
}

/// The two-sided 95% quantile of Student's t with `df` ≥ 1 degrees of freedom (12.706 for 1,
/// 2.262 for 9, → 1.960).
pub fn t95(df: usize) -> f64 {
    assert!(df >= 1, "t95 needs at least one degree of freedom");
    let nu = df as f64;
    // Two-sided tail probability of |T| > x is I_{ν/(ν+x²)}(ν/2, 1/2); it falls as x grows.
    let tail = |x: f64| inc_beta(nu / 2.0, 0.5, nu / (nu + x * x));
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while tail(hi) > 0.05 {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if tail(mid) > 0.05 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-13 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The regularised incomplete beta function I_x(a, b), for a, b > 0 and x in [0, 1].
fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// The continued fraction of the incomplete beta function, by the modified Lentz method.
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_printed_table() {
        // Two-sided 95% points, from any statistics table (three decimals).
        for (df, want) in [(1, 12.706), (2, 4.303), (4, 2.776), (9, 2.262), (19, 2.093), (29, 2.045), (120, 1.980)] {
            let got = t95(df);
            assert!((got - want).abs() < 0.0006, "t95({df}) = {got}, table {want}");
        }
        assert!((t95(100_000) - 1.95996).abs() < 1e-4);
    }

    #[test]
    fn estimate_of_a_hand_computed_sample() {
        // Mean 5, sample variance 10/4 = 2.5, s/√n = √0.5, t(4) = 2.7764.
        let e = Estimate::of(&[3.0, 4.0, 5.0, 6.0, 7.0]);
        assert_eq!(e.mean, 5.0);
        let want = 2.776_445 * 0.5f64.sqrt();
        assert!((e.ci.unwrap() - want).abs() < 1e-5, "{:?}", e.ci);
        assert_eq!(Estimate::of(&[2.0]).ci, None);
        assert!(Estimate::of(&[]).mean.is_nan());
        // Identical values: a zero-width interval.
        assert_eq!(Estimate::of(&[1.5; 4]).ci, Some(0.0));
    }

    #[test]
    fn overlap_is_symmetric_and_touching_counts() {
        let a = Estimate { mean: 1.0, ci: Some(0.5), n: 5 };
        let b = Estimate { mean: 2.0, ci: Some(0.5), n: 5 };
        let c = Estimate { mean: 2.1, ci: Some(0.5), n: 5 };
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&c) && !c.overlaps(&a));
    }
}
