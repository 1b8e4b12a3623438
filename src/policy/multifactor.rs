//! Slurm's multifactor priority (`priority/multifactor`) as a queue order: weighted age,
//! fair-share, job size, partition, QOS, association and TRES factors, summed, floored at 1
//! and truncated to an unsigned 32-bit integer, highest first, arrival order among equals
//! (`slurm-spec.md` §A.1–§A.2). Priorities are recomputed every `calc_period`, after usage is
//! decayed and charged (§A.4).

use std::collections::BTreeMap;

use super::fairshare::{Accounts, Assoc, ShareRow, Tree};
use super::registry::Params;
use super::{QueueOrder, Refresh};
use crate::cluster::{Cluster, Res};
use crate::time::{SimDuration, SimTime};
use crate::workload::job::PartitionIdx;
use crate::workload::qos::Qos;
use crate::workload::{Job, JobIdx};

/// `PriorityWeight*` and `PriorityWeightTRES`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Weights {
    pub age: f64,
    pub fairshare: f64,
    pub jobsize: f64,
    pub partition: f64,
    pub qos: f64,
    pub assoc: f64,
    pub tres_cpu: f64,
    pub tres_mem: f64,
    pub tres_gpu: f64,
}

/// How fair-share turns usage into a factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algo {
    /// `PriorityFlags=NO_FAIR_TREE`: `2^(−U_E/S/d)`.
    Classic,
    /// Level FS ranking (Slurm's default since 19.05).
    FairTree,
}

/// When all usage is forgotten (`PriorityUsageResetPeriod`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reset {
    None,
    /// Every 7 days from the simulation's origin (Slurm: Sundays at midnight).
    Weekly,
    /// Every 30 days from the simulation's origin (Slurm: the first of each month).
    Monthly,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub weights: Weights,
    /// `PriorityMaxAge`: the wait at which the age factor reaches 1.
    pub max_age: SimDuration,
    /// `PriorityFavorSmall`.
    pub favor_small: bool,
    /// `PriorityDecayHalfLife`; zero means no decay.
    pub half_life: SimDuration,
    pub reset: Reset,
    /// `PriorityCalcPeriod`.
    pub calc_period: SimDuration,
    pub algo: Algo,
    /// `FairShareDampeningFactor` (classic only).
    pub dampening: f64,
}

/// The configuration a registry spec gives (parameters as `registry::MULTIFACTOR` declares).
pub fn config(p: &Params) -> Config {
    let secs = |name| SimDuration::from_secs_f64(p.get(name)).expect("declared range fits");
    Config {
        weights: Weights {
            age: p.get("age"),
            fairshare: p.get("fairshare"),
            jobsize: p.get("jobsize"),
            partition: p.get("partition"),
            qos: p.get("qos"),
            assoc: p.get("assoc"),
            tres_cpu: p.get("tres_cpu"),
            tres_mem: p.get("tres_mem"),
            tres_gpu: p.get("tres_gpu"),
        },
        max_age: secs("max_age"),
        favor_small: p.get("favor_small") >= 0.5,
        half_life: secs("half_life"),
        reset: [Reset::None, Reset::Weekly, Reset::Monthly][p.get("usage_reset") as usize],
        calc_period: secs("calc_period"),
        algo: [Algo::FairTree, Algo::Classic][p.get("fairshare_algo") as usize],
        dampening: p.get("dampening"),
    }
}

/// A running job's charge: since when, at what rate, to whom.
#[derive(Clone, Copy, Debug)]
struct Charge {
    start: SimTime,
    billing: f64,
    assoc: Assoc,
}

pub struct Multifactor {
    cfg: Config,
    /// Slurm's per-second decay factor, `1 − 0.693 / half_life` (spec §A.4).
    decay_per_sec: f64,
    node_count: f64,
    cluster_cpus: f64,
    /// Each partition's resources, for the TRES factors.
    partition_totals: Vec<Res>,
    /// Each partition's factor: its `PriorityJobFactor` over the largest (spec §A.2).
    partition_factors: Vec<f64>,
    /// Each QOS's factor, its priority over the largest, and its usage factor, by
    /// [`Job::qos`].
    qos_factors: Vec<(f64, f64)>,
    /// The fewest nodes each job shape can run on, computed once in `prepare`.
    min_nodes: BTreeMap<(PartitionIdx, Res, u32), u64>,
    tree: Tree,
    /// The association of each account the jobs name, by `Job::account`.
    named: Vec<Assoc>,
    /// The association standing for each SWF group, for jobs that name no account.
    groups: BTreeMap<i64, Assoc>,
    /// Every account association with its name and the user associations below it, for
    /// `fairshare.csv`.
    reported: Vec<(Assoc, String, Vec<Assoc>)>,
    /// Each job's fixed terms and user association, by index, computed in `prepare`.
    per_job: Vec<(f64, Assoc)>,
    /// The user association of each (account association, user).
    assoc_of: BTreeMap<(Assoc, i64), Assoc>,
    /// Each association's fair-share factor, as of the last recalculation.
    fs: Vec<f64>,
    running: BTreeMap<JobIdx, Charge>,
    /// The last recalculation instant.
    last: SimTime,
}

impl Multifactor {
    pub fn new(cfg: Config) -> Multifactor {
        let hl = cfg.half_life.as_secs_f64();
        let decay_per_sec = if hl > 0.0 { 1.0 - 0.693 / hl } else { 1.0 };
        Multifactor {
            cfg,
            decay_per_sec,
            node_count: 1.0,
            cluster_cpus: 1.0,
            partition_totals: Vec::new(),
            partition_factors: Vec::new(),
            qos_factors: Vec::new(),
            min_nodes: BTreeMap::new(),
            tree: Tree::default(),
            named: Vec::new(),
            groups: BTreeMap::new(),
            reported: Vec::new(),
            per_job: Vec::new(),
            assoc_of: BTreeMap::new(),
            fs: vec![0.0],
            running: BTreeMap::new(),
            last: SimTime(0),
        }
    }

    /// The account association a job is charged to: its own account's, else its group's.
    fn account(&self, job: &Job) -> Assoc {
        match job.account {
            Some(a) => self.named[a as usize],
            None => self.groups[&job.meta.group],
        }
    }

    fn assoc(&self, job: &Job) -> Assoc {
        self.assoc_of[&(self.account(job), job.meta.user)]
    }

    /// Billable TRES of a job, its cores (no `TRESBillingWeights`), times its QOS's usage
    /// factor.
    fn billing(&self, job: &Job) -> f64 {
        job.procs() as f64 * self.qos_factor(job).1
    }

    /// The job's QOS factor and usage factor: 0 and 1 without a defined QOS.
    fn qos_factor(&self, job: &Job) -> (f64, f64) {
        job.qos.and_then(|q| self.qos_factors.get(q as usize)).copied().unwrap_or((0.0, 1.0))
    }

    /// Usage a job charges for running `secs` seconds in one calculation period: Slurm decays
    /// the new slice too, `secs × d^secs × billing`.
    fn slice(&self, secs: f64, billing: f64) -> f64 {
        secs * self.decay_per_sec.powf(secs) * billing
    }

    fn reset_period(&self) -> Option<i64> {
        match self.cfg.reset {
            Reset::None => None,
            Reset::Weekly => Some(SimDuration::from_secs(7 * 86_400).0),
            Reset::Monthly => Some(SimDuration::from_secs(30 * 86_400).0),
        }
    }

    /// One calculation period ending at `t`: reset if a boundary passed, decay, charge the
    /// running jobs' new slices.
    fn tick(&mut self, t: SimTime) {
        if let Some(r) = self.reset_period() {
            if t.0.div_euclid(r) > self.last.0.div_euclid(r) {
                self.tree.reset();
            }
        }
        let dt = (t - self.last).as_secs_f64();
        self.tree.decay(self.decay_per_sec.powf(dt).max(f64::MIN_POSITIVE));
        // Jobs that ran the whole period share one power: `slice(dt, 1) × billing` is the same
        // product as `slice(dt, billing)`.
        let whole = self.slice(dt, 1.0);
        for c in self.running.values() {
            let amount = if c.start <= self.last {
                whole * c.billing
            } else {
                self.slice((t - c.start).as_secs_f64(), c.billing)
            };
            self.tree.charge(c.assoc, amount);
        }
        self.last = t;
    }

    /// The factors of a job at `now`, in the formula's order: age, fair-share, job size,
    /// partition, QOS, association, and the TRES factors for cpu, mem and gpu.
    pub fn factors(&self, job: &Job, now: SimTime) -> [f64; 9] {
        let age = self.age(job, now);
        let fs = self.fs[self.assoc(job)];
        let cpus = job.procs() as f64;
        let min_nodes = self.min_nodes(job) as f64;
        let js = if self.cfg.favor_small {
            let nodes =
                if min_nodes >= self.node_count { 0.0 } else { (self.node_count - min_nodes) / self.node_count };
            (nodes + (self.cluster_cpus - cpus) / self.cluster_cpus) / 2.0
        } else if cpus == 0.0 {
            min_nodes / self.node_count
        } else {
            (min_nodes / self.node_count + cpus / self.cluster_cpus) / 2.0
        };
        let js = js.clamp(0.0, 1.0);
        let partition = self.partition_factors[job.partition as usize];
        let qos = self.qos_factor(job).0;
        // No association priorities yet: Slurm's 0 over a maximum of 0.
        let assoc = 0.0;
        let total = self.partition_totals[job.partition as usize];
        let want = job.total();
        let share = |x: u32, of: u32| if of == 0 { 0.0 } else { f64::from(x) / f64::from(of) };
        [
            age,
            fs,
            js,
            partition,
            qos,
            assoc,
            share(want.cores, total.cores),
            share(want.mem, total.mem),
            share(want.gpus, total.gpus),
        ]
    }

    fn age(&self, job: &Job, now: SimTime) -> f64 {
        let max_age = self.cfg.max_age.0;
        let waited = (now - job.submit).0.max(0);
        if waited >= max_age {
            1.0
        } else {
            waited as f64 / max_age as f64
        }
    }

    /// The weighted terms that stay fixed while the job waits: job size, partition, QOS,
    /// association and TRES.
    fn fixed_terms(&self, job: &Job) -> f64 {
        let w = &self.cfg.weights;
        let f = self.factors(job, job.submit);
        w.jobsize * f[2]
            + w.partition * f[3]
            + w.qos * f[4]
            + w.assoc * f[5]
            + w.tres_cpu * f[6]
            + w.tres_mem * f[7]
            + w.tres_gpu * f[8]
    }

    /// Slurm's sum, floored at 1, capped and truncated to u32: age and fair-share terms first,
    /// then the fixed ones (one order of addition for every path, so equal inputs give equal
    /// priorities).
    fn sum(&self, age: f64, fs: f64, fixed: f64) -> u32 {
        let w = &self.cfg.weights;
        let p = w.age * age + w.fairshare * fs + fixed;
        if p < 1.0 {
            1
        } else if p > f64::from(u32::MAX) {
            u32::MAX
        } else {
            p as u32
        }
    }

    /// The job's priority at `now`.
    pub fn priority(&self, job: &Job, now: SimTime) -> u32 {
        self.sum(self.age(job, now), self.fs[self.assoc(job)], self.fixed_terms(job))
    }

    fn min_nodes(&self, job: &Job) -> u64 {
        self.min_nodes.get(&(job.partition, job.task, job.tasks)).copied().unwrap_or(1)
    }

    fn tick_floor(&self, t: SimTime) -> SimTime {
        let p = self.cfg.calc_period.0.max(1);
        SimTime(t.0.div_euclid(p) * p)
    }

    fn recompute_fs(&self) -> Vec<f64> {
        match self.cfg.algo {
            Algo::Classic => self.tree.classic(self.cfg.dampening),
            Algo::FairTree => self.tree.fair_tree(),
        }
    }
}

impl QueueOrder for Multifactor {
    fn key(&self, job: &Job, _estimate: SimDuration, now: SimTime) -> i64 {
        -i64::from(self.priority(job, now))
    }

    fn key_of(&self, idx: JobIdx, job: &Job, _estimate: SimDuration, now: SimTime) -> i64 {
        let (fixed, assoc) = self.per_job[idx as usize];
        -i64::from(self.sum(self.age(job, now), self.fs[assoc], fixed))
    }

    fn refresh(&self) -> Refresh {
        Refresh::Every(self.cfg.calc_period)
    }

    fn prepare(&mut self, cluster: &Cluster, jobs: &[Job], accounts: &Accounts, qos: &[Qos]) {
        let top = qos.iter().map(|q| q.priority).max().unwrap_or(0);
        self.qos_factors = qos
            .iter()
            .map(|q| (if top == 0 { 0.0 } else { f64::from(q.priority) / f64::from(top) }, q.usage_factor))
            .collect();
        self.node_count = cluster.node_count() as f64;
        self.cluster_cpus = cluster.total_cores().max(1) as f64;
        self.partition_totals = cluster.partitions().iter().map(|p| p.total()).collect();
        let pjf: Vec<u32> = cluster.partitions().iter().map(|p| p.limits.priority_job_factor.unwrap_or(1)).collect();
        let max = pjf.iter().copied().max().unwrap_or(0);
        self.partition_factors =
            pjf.iter().map(|&f| if max == 0 { 0.0 } else { f64::from(f) / f64::from(max) }).collect();
        let (tree, ids) = Tree::from_accounts(accounts);
        self.tree = tree;
        self.named = accounts.names.iter().map(|n| ids[n]).collect();
        // Groups standing for accounts, and users under accounts, in first-appearance order
        // with 1 share each.
        for j in jobs {
            if let std::collections::btree_map::Entry::Vacant(e) = self.min_nodes.entry((j.partition, j.task, j.tasks))
            {
                e.insert(cluster.partition(j.partition).min_nodes(j.task, j.tasks, cluster));
            }
            if j.account.is_none() && !self.groups.contains_key(&j.meta.group) {
                self.groups.insert(j.meta.group, self.tree.add(Tree::ROOT, 1.0, false));
            }
            let a = self.account(j);
            if let std::collections::btree_map::Entry::Vacant(e) = self.assoc_of.entry((a, j.meta.user)) {
                e.insert(self.tree.add(a, 1.0, true));
            }
        }
        let mut reported: Vec<(Assoc, String)> = ids.into_iter().map(|(n, a)| (a, n)).collect();
        reported.extend(self.groups.iter().map(|(g, &a)| (a, format!("group {g}"))));
        reported.sort();
        self.reported = reported.into_iter().map(|(a, n)| (a, n, self.tree.users_below(a))).collect();
        self.fs = self.recompute_fs();
        self.per_job = jobs.iter().map(|j| (self.fixed_terms(j), self.assoc(j))).collect();
        self.last = jobs.first().map_or(SimTime(0), |j| self.tick_floor(j.submit));
    }

    fn running(&mut self, job: JobIdx, jobs: &[Job], now: SimTime, running: bool) {
        let j = &jobs[job as usize];
        if running {
            let c = Charge { start: now, billing: self.billing(j), assoc: self.assoc(j) };
            self.running.insert(job, c);
        } else if let Some(c) = self.running.remove(&job) {
            // Slurm charges the last slice when the job ends (priority_p_job_end).
            let amount = self.slice((now - c.start.max(self.last)).as_secs_f64(), c.billing);
            self.tree.charge(c.assoc, amount);
        }
    }

    fn recalc(&mut self, now: SimTime) {
        let target = self.tick_floor(now);
        if target <= self.last {
            return;
        }
        if self.running.is_empty() {
            // Nothing to charge: the periods in between are one decay.
            self.tick(target);
        } else {
            let mut t = self.last;
            while t < target {
                t = self.tick_floor(t) + self.cfg.calc_period;
                self.tick(t.min(target));
            }
        }
        self.fs = self.recompute_fs();
    }

    fn shares(&self, now: SimTime, out: &mut Vec<ShareRow>) {
        for (a, name, users) in &self.reported {
            let factor = if users.is_empty() {
                0.0
            } else {
                users.iter().map(|&u| self.fs[u]).sum::<f64>() / users.len() as f64
            };
            out.push(ShareRow { time: now, account: name.clone(), usage: self.tree.usage(*a), factor });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: u64, submit_s: i64, procs: u32, user: i64, group: i64) -> Job {
        let mut j =
            Job::new(id, SimTime(submit_s * 1000), SimDuration::from_secs(100), SimDuration::from_secs(100), procs);
        j.meta.user = user;
        j.meta.group = group;
        j
    }

    fn order(spec: &str) -> Multifactor {
        let (_, p) = super::super::registry::lookup_for_tests(spec);
        Multifactor::new(config(&p))
    }

    #[test]
    fn every_factor_on_a_small_queue() {
        // 4 nodes × 8 cores. Job a: 2 cores (1 node), waited 1 day of a 2-day max_age.
        // Job b: 20 cores (3 nodes), just arrived.
        let cluster = Cluster::uniform(4, 8);
        let jobs = [job(1, 0, 2, 1, 1), job(2, 86_400, 20, 2, 2)];
        let mut m = order("multifactor[age=1000,jobsize=2000,partition=300,tres_cpu=64,max_age=172800]");
        m.prepare(&cluster, &jobs, &Accounts::default(), &[]);
        let now = SimTime(86_400_000);
        let fa = m.factors(&jobs[0], now);
        let fb = m.factors(&jobs[1], now);
        assert_eq!(fa[0], 0.5);
        assert_eq!(fb[0], 0.0);
        // No usage yet: Fair Tree ranks both users, tied, at the top.
        assert_eq!((fa[1], fb[1]), (1.0, 1.0));
        assert_eq!(fa[2], (1.0 / 4.0 + 2.0 / 32.0) / 2.0);
        assert_eq!(fb[2], (3.0 / 4.0 + 20.0 / 32.0) / 2.0);
        assert_eq!((fa[3], fa[4], fa[5]), (1.0, 0.0, 0.0));
        assert_eq!((fa[6], fb[6]), (2.0 / 32.0, 20.0 / 32.0));
        // a: 500 + 2000 × 0.15625 + 300 + 64 × 0.0625 = 500 + 312.5 + 300 + 4 = 1116.5 → 1116.
        assert_eq!(m.priority(&jobs[0], now), 1116);
        // b: 0 + 2000 × 0.6875 + 300 + 40 = 1715.
        assert_eq!(m.priority(&jobs[1], now), 1715);
        assert!(m.key(&jobs[1], SimDuration::ZERO, now) < m.key(&jobs[0], SimDuration::ZERO, now));
        // favor_small: 1 − each term: a = ((4−1)/4 + (32−2)/32)/2.
        let mut s = order("multifactor[jobsize=1000,favor_small=1]");
        s.prepare(&cluster, &jobs, &Accounts::default(), &[]);
        assert_eq!(s.factors(&jobs[0], now)[2], (3.0 / 4.0 + 30.0 / 32.0) / 2.0);
    }

    #[test]
    fn the_partition_factor_is_its_priority_job_factor_over_the_largest() {
        // The real Slurm 22.05 cluster of `../shared/reference/sacct/slurm.conf`: 4 nodes × 8
        // CPUs, batch = n[1-4] with PriorityJobFactor 1, interactive = n[3-4] with 10.
        use crate::cluster::Limits;
        let limits = |f| Limits { priority_job_factor: Some(f), ..Limits::default() };
        let parts = vec![
            ("batch".to_string(), vec![0, 1, 2, 3], limits(1)),
            ("interactive".to_string(), vec![2, 3], limits(10)),
        ];
        let cluster = Cluster::new(vec![Res::cores(8); 4], parts).unwrap();
        let mut batch = job(1, 0, 8, 1, 1);
        batch.partition = 0;
        let mut inter = job(21, 0, 1, 1, 1);
        inter.partition = 1;
        let jobs = [batch, inter];
        let mut m = order("multifactor[age=1000,fairshare=10000,jobsize=1000,partition=1000,qos=2000]");
        m.prepare(&cluster, &jobs, &Accounts::default(), &[]);
        assert_eq!(m.factors(&jobs[0], SimTime(0))[3], 0.1);
        assert_eq!(m.factors(&jobs[1], SimTime(0))[3], 1.0);
        // The priorities that cluster gave its first jobs (the export's Priority field):
        // 10000 × 1 + 1000 × (1/4 + 8/32)/2 + 1000 × 0.1 = 10350 for job 1, and
        // 10000 + 1000 × (1/4 + 1/32)/2 + 1000 × 1 = 11140.6 → 11140 for job 21.
        assert_eq!(m.priority(&jobs[0], SimTime(0)), 10350);
        assert_eq!(m.priority(&jobs[1], SimTime(0)), 11140);
        // All factors 0: the partition term is 0, as Slurm's 0 over a maximum of 0.
        let parts = vec![("all".to_string(), vec![0, 1, 2, 3], limits(0))];
        let cluster = Cluster::new(vec![Res::cores(8); 4], parts).unwrap();
        let mut z = order("multifactor[partition=1000]");
        z.prepare(&cluster, &jobs[..1], &Accounts::default(), &[]);
        assert_eq!(z.factors(&jobs[0], SimTime(0))[3], 0.0);
    }

    #[test]
    fn the_qos_factor_is_its_priority_over_the_largest_and_usage_is_scaled_by_its_factor() {
        let cluster = Cluster::uniform(4, 8);
        let (mut high, mut normal, mut none) = (job(13, 0, 8, 1, 1), job(1, 0, 8, 2, 2), job(2, 0, 8, 3, 3));
        high.qos = Some(1);
        normal.qos = Some(0);
        none.qos = None;
        let jobs = [high, normal, none];
        let qos = [
            Qos { priority: 0, usage_factor: 2.0, ..Qos::unlimited("normal") },
            Qos { priority: 40, ..Qos::unlimited("high") },
        ];
        let mut m = order("multifactor[fairshare=10000,jobsize=1000,partition=100,qos=2000,half_life=0]");
        m.prepare(&cluster, &jobs, &Accounts::default(), &qos);
        assert_eq!(m.factors(&jobs[0], SimTime(0))[4], 1.0);
        assert_eq!(m.factors(&jobs[1], SimTime(0))[4], 0.0);
        assert_eq!(m.factors(&jobs[2], SimTime(0))[4], 0.0);
        // Job 13 of the real Slurm export ran under QOS high: 10000 + 250 + 100 + 2000 = 12350,
        // its Priority there.
        assert_eq!(m.priority(&jobs[0], SimTime(0)), 12350);
        assert_eq!(m.priority(&jobs[1], SimTime(0)), 10350);
        // 300 s on 8 cores under usage factor 2, no decay: 4800 core-seconds charged; the same
        // run without a QOS charges 2400.
        m.running(1, &jobs, SimTime(0), true);
        m.running(2, &jobs, SimTime(0), true);
        m.recalc(SimTime(300_000));
        assert_eq!(m.tree.usage(m.assoc(&jobs[1])), 4800.0);
        assert_eq!(m.tree.usage(m.assoc(&jobs[2])), 2400.0);
    }

    #[test]
    fn the_cached_key_equals_the_key_computed_afresh() {
        let cluster = Cluster::uniform(4, 8);
        let jobs = [job(1, 0, 2, 1, 1), job(2, 50, 20, 2, 2), job(3, 70, 7, 1, 2)];
        let mut m = order("multifactor[age=1000,fairshare=5000,jobsize=2000,tres_cpu=-300,max_age=3600,half_life=600]");
        m.prepare(&cluster, &jobs, &Accounts::default(), &[]);
        m.running(0, &jobs, SimTime(0), true);
        for t in [0, 300_000, 1_800_000, 7_200_000] {
            m.recalc(SimTime(t));
            for (i, j) in jobs.iter().enumerate() {
                let now = SimTime(t);
                assert_eq!(m.key_of(i as JobIdx, j, SimDuration::ZERO, now), m.key(j, SimDuration::ZERO, now));
            }
        }
    }

    #[test]
    fn priority_is_floored_at_one_and_truncated() {
        let cluster = Cluster::uniform(1, 3);
        let jobs = [job(1, 0, 1, 1, 1)];
        let mut zero = order("multifactor");
        zero.prepare(&cluster, &jobs, &Accounts::default(), &[]);
        assert_eq!(zero.priority(&jobs[0], SimTime(0)), 1);
        // 1000 × (1/1 + 1/3)/2 = 666.67 → 666, not rounded to 667.
        let mut js = order("multifactor[jobsize=1000]");
        js.prepare(&cluster, &jobs, &Accounts::default(), &[]);
        assert_eq!(js.priority(&jobs[0], SimTime(0)), 666);
        let mut neg = order("multifactor[tres_cpu=-1000]");
        neg.prepare(&cluster, &jobs, &Accounts::default(), &[]);
        assert_eq!(neg.priority(&jobs[0], SimTime(0)), 1);
    }

    #[test]
    fn usage_decays_by_half_over_one_half_life() {
        let cluster = Cluster::uniform(1, 4);
        let jobs = [job(1, 0, 4, 1, 1)];
        let mut m = order("multifactor[half_life=3600,calc_period=60,fairshare_algo=classic]");
        m.prepare(&cluster, &jobs, &Accounts::default(), &[]);
        // The job runs one period: 60 s × d^60 × 4 cores with d = 1 − 0.693/3600.
        m.running(0, &jobs, SimTime(0), true);
        m.recalc(SimTime(60_000));
        m.running(0, &jobs, SimTime(60_000), false);
        let d: f64 = 1.0 - 0.693 / 3600.0;
        let charged = 60.0 * d.powf(60.0) * 4.0;
        assert!((m.tree.usage(Tree::ROOT) - charged).abs() < 1e-9);
        // One half-life later, in 60 ticks, the usage is d^3600 of it: 0.50007, Slurm's
        // first-order approximation of one half.
        m.recalc(SimTime(3_660_000));
        let left = m.tree.usage(Tree::ROOT) / charged;
        assert!((left - d.powf(3600.0)).abs() < 1e-9, "{left}");
        assert!((left - 0.5).abs() < 1e-3, "{left}");
    }

    #[test]
    fn a_job_charges_its_account_period_by_period_and_at_its_end() {
        let cluster = Cluster::uniform(1, 4);
        let jobs = [job(1, 0, 2, 1, 1), job(2, 0, 1, 2, 2)];
        // No decay: usage is exactly core-seconds.
        let mut m = order("multifactor[half_life=0,calc_period=300]");
        m.prepare(&cluster, &jobs, &Accounts::default(), &[]);
        m.running(0, &jobs, SimTime(100_000), true);
        m.recalc(SimTime(900_000));
        // Ticks at 300, 600, 900: 200 + 300 + 300 s × 2 cores.
        assert_eq!(m.tree.usage(Tree::ROOT), 1600.0);
        m.running(0, &jobs, SimTime(1_000_000), false);
        assert_eq!(m.tree.usage(Tree::ROOT), 1800.0);
        let a = m.assoc(&jobs[0]);
        assert_eq!(m.tree.usage(a), 1800.0);
        assert_eq!(m.tree.usage(m.assoc(&jobs[1])), 0.0);
        // After the recalculation, the idle user ranks first under Fair Tree.
        m.recalc(SimTime(1_200_000));
        assert_eq!(m.fs[m.assoc(&jobs[1])], 1.0);
        assert_eq!(m.fs[a], 0.5);
    }
}
