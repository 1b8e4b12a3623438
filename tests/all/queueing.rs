//! Agreement with queueing theory. Interactive sessions with Poisson arrivals, exponential
//! durations and c single-core nodes form an M/M/c queue (Erlang C); with exponential
//! patience, an M/M/c+M queue (Erlang A, Palm's model). The analytic figures come from the
//! exact birth–death chain of the queue length (birth λ, death μ·min(n,c) + θ·max(n−c,0)),
//! and by PASTA an arrival sees the stationary distribution:
//! P(wait) = Σ_{n≥c} π_n, E[Lq] = Σ (n−c)·π_n, mean wait E[W] = E[Lq]/λ (Little, all
//! arrivals, time to start or to giving up), P(abandon) = θ·E[Lq]/λ.
//!
//! Each point is simulated in 10 independent replications (seeds 0–9); a figure agrees when
//! the analytic value lies within the replications' 99% confidence interval
//! (mean ± t(0.995, 9) · s/√10, t = 3.25). The seeds are printed on failure.

use rand::Rng;
use rand_distr::{Distribution, Exp};
use schedsim::cluster::Cluster;
use schedsim::metrics::Outcome;
use schedsim::rng;
use schedsim::time::{SimDuration, SimTime};
use schedsim::workload::job::JobClass;
use schedsim::workload::Job;

use crate::common::run;

const REPLICATIONS: u64 = 10;
const T_99: f64 = 3.25;
/// Mean session length: 1000 s.
const MEAN_RUN: f64 = 1000.0;

struct Analytic {
    p_wait: f64,
    mean_wait: f64,
    p_abandon: f64,
}

fn birth_death(lambda: f64, mu: f64, c: u32, theta: f64) -> Analytic {
    // Unnormalised π_n, iterated until the terms vanish.
    let mut pi = vec![1.0f64];
    let mut n = 0u32;
    loop {
        n += 1;
        let death = mu * f64::from(n.min(c)) + theta * f64::from(n.saturating_sub(c));
        let next = pi[pi.len() - 1] * lambda / death;
        pi.push(next);
        if n > c && next < 1e-18 * pi.iter().sum::<f64>() {
            break;
        }
        assert!(n < 1_000_000, "the chain does not converge: λ={lambda} c={c} θ={theta}");
    }
    let total: f64 = pi.iter().sum();
    let p_wait = pi[c as usize..].iter().sum::<f64>() / total;
    let lq = pi.iter().enumerate().skip(c as usize).map(|(n, p)| (n - c as usize) as f64 * p).sum::<f64>() / total;
    Analytic { p_wait, mean_wait: lq / lambda, p_abandon: theta * lq / lambda }
}

/// Sessions with exponential gaps, durations and (if `patience` > 0) patience, in seconds.
fn sessions(lambda: f64, patience_mean: Option<f64>, n: usize, seed: u64) -> Vec<Job> {
    let mut r = rng::stream(seed, 0, "queueing-test");
    let gap = Exp::new(lambda).unwrap();
    let dur = Exp::new(1.0 / MEAN_RUN).unwrap();
    let mut t = 0.0;
    (0..n)
        .map(|i| {
            t += gap.sample(&mut r);
            let run = SimDuration::from_secs_f64(dur.sample(&mut r)).unwrap();
            let mut j =
                Job::new(i as u64 + 1, SimTime::from_secs_f64(t).unwrap(), run, SimDuration::from_secs(1_000_000), 1);
            j.class = JobClass::Interactive;
            j.patience =
                patience_mean.map(|m| SimDuration::from_secs_f64(-m * (1.0 - r.random::<f64>()).ln()).unwrap());
            j
        })
        .collect()
}

/// (P(wait), mean wait in s, P(abandon)) of one replication, after a 10% warm-up.
fn measure(jobs: &[Job], c: u32) -> [f64; 3] {
    let out = run(jobs, Cluster::uniform(c, 1), "fcfs", "none", "requested");
    let skip = jobs.len() / 10;
    let (mut waited, mut wait_sum, mut abandoned, mut n) = (0u64, 0f64, 0u64, 0u64);
    for r in &out.records[skip..] {
        let job = &jobs[r.job as usize];
        let left_queue = r.start.or(r.end).expect("every session starts or gives up");
        let wait = left_queue - job.submit;
        n += 1;
        waited += u64::from(wait > SimDuration::ZERO);
        wait_sum += wait.as_secs_f64();
        abandoned += u64::from(r.outcome == Outcome::Abandoned);
    }
    let n = n as f64;
    [waited as f64 / n, wait_sum / n, abandoned as f64 / n]
}

fn check_point(c: u32, load: f64, patience_mean: Option<f64>, jobs_per_rep: usize) {
    let mu = 1.0 / MEAN_RUN;
    let lambda = load * f64::from(c) * mu;
    let theta = patience_mean.map_or(0.0, |m| 1.0 / m);
    let a = birth_death(lambda, mu, c, theta);
    let reps: Vec<[f64; 3]> =
        (0..REPLICATIONS).map(|seed| measure(&sessions(lambda, patience_mean, jobs_per_rep, seed), c)).collect();
    let names = ["P(wait)", "mean wait (s)", "P(abandon)"];
    let want = [a.p_wait, a.mean_wait, a.p_abandon];
    for k in 0..3 {
        if patience_mean.is_none() && k == 2 {
            continue;
        }
        let xs: Vec<f64> = reps.iter().map(|r| r[k]).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
        let half = T_99 * (var / xs.len() as f64).sqrt();
        eprintln!(
            "c={c} load={load} patience={patience_mean:?}: {} analytic {:.5}, simulated {mean:.5} ± {half:.5}",
            names[k], want[k]
        );
        assert!(
            (want[k] - mean).abs() <= half,
            "c={c} load={load} patience={patience_mean:?} (seeds 0..{REPLICATIONS}): {} analytic {} outside {mean} ± {half}",
            names[k],
            want[k]
        );
    }
}

#[test]
fn birth_death_chain_matches_the_closed_forms() {
    // M/M/1: P(wait) = ρ, W = ρ/(μ − λ).
    let a = birth_death(0.5, 1.0, 1, 0.0);
    assert!((a.p_wait - 0.5).abs() < 1e-12 && (a.mean_wait - 1.0).abs() < 1e-12);
    // Erlang C for c = 2, A = 1 (ρ = 0.5): C = 1/3, W = C/(cμ − λ) = 1/3.
    let a = birth_death(1.0, 1.0, 2, 0.0);
    assert!((a.p_wait - 1.0 / 3.0).abs() < 1e-12 && (a.mean_wait - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn erlang_c_single_server_half_load() {
    check_point(1, 0.5, None, 20_000);
}

#[test]
fn erlang_c_eight_servers_at_80_percent() {
    check_point(8, 0.8, None, 40_000);
}

#[test]
fn erlang_c_sixteen_servers_at_95_percent() {
    // Near saturation the queue relaxes slowly from its empty start: a long run keeps the
    // initial transient (cut at 10%) from biasing the mean wait low.
    check_point(16, 0.95, None, 600_000);
}

#[test]
fn erlang_a_four_servers_at_90_percent_with_patience() {
    // Mean patience 600 s (θ = 1/600 against μ = 1/1000).
    check_point(4, 0.9, Some(600.0), 40_000);
}

#[test]
fn erlang_a_sixteen_servers_overloaded_with_patience() {
    // 120% offered load is stable only because users give up.
    check_point(16, 1.2, Some(300.0), 40_000);
}
