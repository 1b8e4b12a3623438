//! The real Slurm 22.05 run of `../shared/reference/sacct/real-slurm-22.05-mixed.psv` replayed
//! under a scenario that mirrors its `slurm.conf`: the order of starts, the jobs backfill
//! started and the waits, against the export, job by job.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use schedsim::engine::{simulate, SimConfig};
use schedsim::policy::fairshare::Accounts;
use schedsim::policy::slurm::{Params, Slurm};
use schedsim::policy::{Backfill, Pass, Registry};
use schedsim::time::SimDuration;

use crate::sacct::{allocations, sacct_dir, secs};

pub(crate) const MIRROR: &str = "tests/data/real-slurm-mirror.toml";

/// Slurm's backfill shared with the test, to read which jobs its cycles started.
struct Spy(Arc<Mutex<Slurm>>);

impl Backfill for Spy {
    fn schedule(&mut self, pass: &mut Pass<'_>) {
        self.0.lock().unwrap().schedule(pass);
    }
}

/// One job of the export: Slurm's submit and start (seconds from the first submit) and whether
/// its backfill started it, then the same from the replay.
#[derive(Debug)]
struct Compared {
    job: String,
    submit: i64,
    slurm_start: i64,
    slurm_backfilled: bool,
    start: i64,
    backfilled: bool,
}

fn replay() -> Option<Vec<Compared>> {
    let dir = sacct_dir()?;
    let scenario = schedsim::scenario::load(Path::new(MIRROR)).unwrap_or_else(|e| panic!("{e}"));
    let built = schedsim::scenario::build(&scenario, scenario.run.seed).unwrap_or_else(|e| panic!("{e}"));
    // The scenario's `slurm[...]`, built here to be read afterwards.
    let params = Params {
        max_job_test: 500,
        window: Some(SimDuration::from_secs(86_400)),
        resolution: SimDuration::from_secs(60),
        interval: SimDuration::from_secs(30),
        max_job_user: 0,
        batch_delay: SimDuration::from_secs(3),
    };
    assert_eq!(built.policy.backfill, "slurm[interval=30,resolution=60,window=86400,max_job_test=500,batch_delay=3]");
    let slurm = Arc::new(Mutex::new(Slurm::new(params)));
    let w = &built.workload;
    let mut cfg = SimConfig::new(
        built.cluster.clone(),
        Registry::order(&built.policy.order).unwrap(),
        Box::new(Spy(slurm.clone())),
        Registry::estimate(&built.policy.estimate).unwrap(),
    );
    cfg.semantics = built.semantics;
    cfg.accounts = Accounts { names: w.accounts.clone(), tree: w.account_tree.clone() };
    cfg.qos = w.qos.clone();
    let out = simulate(&w.jobs, cfg);
    let backfilled: Vec<u32> = slurm.lock().unwrap().backfilled().to_vec();

    let export = allocations(&dir.join("real-slurm-22.05-mixed.psv"));
    let t0 = export.iter().map(|r| secs(&r["Submit"])).min().unwrap();
    let ours: BTreeMap<String, (i64, bool)> = w
        .jobs
        .iter()
        .enumerate()
        .filter_map(|(i, j)| {
            let start = out.records[i].start?.0 / 1000;
            let label = j.label.as_deref().map_or_else(|| j.id.to_string(), str::to_string);
            Some((label, (start, backfilled.contains(&(i as u32)))))
        })
        .collect();
    let mut rows: Vec<Compared> = export
        .iter()
        .filter(|r| r["Start"] != "None")
        .map(|r| {
            let (start, backfilled) = ours[r["JobID"].as_str()];
            Compared {
                job: r["JobID"].clone(),
                submit: secs(&r["Submit"]) - t0,
                slurm_start: secs(&r["Start"]) - t0,
                slurm_backfilled: r["Flags"].split(',').any(|f| f == "SchedBackfill"),
                start,
                backfilled,
            }
        })
        .collect();
    rows.sort_by_key(|c| (c.slurm_start, c.submit));
    for c in &rows {
        eprintln!(
            "{:>6} submit {:>3} slurm {:>3} {} ours {:>3} {} Δ {:>4}",
            c.job,
            c.submit,
            c.slurm_start,
            if c.slurm_backfilled { "B" } else { "M" },
            c.start,
            if c.backfilled { "B" } else { "M" },
            c.start - c.slurm_start
        );
    }
    Some(rows)
}

/// Jobs the replay backfills much earlier than Slurm did: 3, 7, 12 and 15 fit on cores left
/// free beside other jobs, which Slurm's whole-node reservations (and its placement, which
/// packed job 4 on two nodes where schedsim spreads it over three) do not offer.
const EARLY: [&str; 4] = ["3", "7", "12", "15"];

/// A job whose priority fell when Slurm recomputed fair-share at an instant of its own clock.
const RECALC: &str = "40";

#[test]
fn the_real_slurm_run_replayed_under_its_own_configuration() {
    let Some(rows) = replay() else { return };
    // Every job Slurm started starts in the replay too.
    assert_eq!(rows.len(), 48);
    // Slurm's main scheduler runs every 60 s at the latest and its backfill every 30 s, at
    // instants of its own clock: two jobs whose starts are less than a minute apart may come in
    // either order. Beyond that, the replay starts them in Slurm's order, but for the jobs
    // documented above.
    let mut against = Vec::new();
    let mut pairs = 0;
    for a in &rows {
        for b in &rows {
            if b.slurm_start - a.slurm_start > 60 {
                pairs += 1;
                if a.start > b.start {
                    against.push((a.job.as_str(), b.job.as_str()));
                }
            }
        }
    }
    eprintln!("{} of {pairs} pairs against Slurm's order: {against:?}", against.len());
    assert!(pairs >= 500, "{pairs}");
    let explained = |j: &str| EARLY.contains(&j) || j == RECALC;
    let unexplained: Vec<_> = against.iter().filter(|(a, b)| !explained(a) && !explained(b)).collect();
    assert!(unexplained.is_empty(), "pairs against Slurm's order: {unexplained:?}");
    assert!(against.len() * 20 <= pairs, "{} of {pairs} pairs against Slurm's order", against.len());
    // The first jobs, before any backfilling, start within Slurm's second.
    for c in rows.iter().take(7) {
        assert!((c.start - c.slurm_start).abs() <= 1, "{c:?}");
    }

    // Backfilled: Slurm's 3, 5, 7 and 9 here too; 36, which Slurm backfilled at 295, is
    // started here by the main scheduler at 302; here 8 is backfilled 4 s before Slurm's main
    // scheduler started it, and 12 and 15 are among the early ones.
    let set = |f: fn(&Compared) -> bool| rows.iter().filter(|c| f(c)).map(|c| c.job.as_str()).collect::<Vec<_>>();
    let slurm_b = set(|c| c.slurm_backfilled);
    let ours_b = set(|c| c.backfilled);
    let only_slurm: Vec<&str> = slurm_b.iter().filter(|j| !ours_b.contains(j)).copied().collect();
    let only_ours: Vec<&str> = ours_b.iter().filter(|j| !slurm_b.contains(j)).copied().collect();
    assert_eq!(only_slurm, ["36"], "Slurm {slurm_b:?}, ours {ours_b:?}");
    let mut only_ours = only_ours;
    only_ours.sort_unstable();
    assert_eq!(only_ours, ["12", "15", "8"], "Slurm {slurm_b:?}, ours {ours_b:?}");

    // Waits: the means agree within 10%.
    let mean = |f: fn(&Compared) -> i64| rows.iter().map(f).sum::<i64>() as f64 / rows.len() as f64;
    let (slurm_wait, wait) = (mean(|c| c.slurm_start - c.submit), mean(|c| c.start - c.submit));
    eprintln!("mean wait: Slurm {slurm_wait:.1} s, replay {wait:.1} s");
    assert!((wait - slurm_wait).abs() <= 0.1 * slurm_wait, "Slurm {slurm_wait:.1} s, replay {wait:.1} s");
}
