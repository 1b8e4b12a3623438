//! Quality of service: the QOS a job runs under, with its priority, per-user limits, usage
//! factor and the QOS it may preempt (Slurm's `sacctmgr` QOS; `slurm-spec.md` §A.2, §A.4, §C),
//! and the per-user counts the limits are checked against.

use std::collections::BTreeMap;

use super::job::NameIdx;
use super::{Job, JobIdx};
use crate::time::SimDuration;

/// One QOS. Limits absent are unlimited.
#[derive(Clone, Debug, PartialEq)]
pub struct Qos {
    pub name: String,
    /// `Priority`: the multifactor QOS factor is this over the largest of all QOS.
    pub priority: u32,
    /// `MaxJobsPerUser`: running jobs of one user; more wait.
    pub max_jobs_per_user: Option<u32>,
    /// `MaxSubmitJobsPerUser`: queued and running jobs of one user; more are rejected.
    pub max_submit_per_user: Option<u32>,
    /// `MaxWall`: a job asking for more is rejected.
    pub max_wall: Option<SimDuration>,
    /// `MaxTRESPerUser=cpu=N`: cores one user's running jobs hold; more wait.
    pub max_cores_per_user: Option<u64>,
    /// `UsageFactor`: fair-share usage is charged times this.
    pub usage_factor: f64,
    /// `Preempt`: QOS whose jobs this one's may preempt (Slurm's `preempt/qos`), with the
    /// preempted job's partition's mode.
    pub preempt: Vec<String>,
}

impl Qos {
    /// A QOS with no limits, priority 0 and usage factor 1 (a name the scenario does not
    /// define).
    pub fn unlimited(name: &str) -> Qos {
        Qos {
            name: name.to_string(),
            priority: 0,
            max_jobs_per_user: None,
            max_submit_per_user: None,
            max_wall: None,
            max_cores_per_user: None,
            usage_factor: 1.0,
            preempt: Vec::new(),
        }
    }

    /// Whether a job may have to wait for others of its user to end.
    pub fn limits_running(&self) -> bool {
        self.max_jobs_per_user.is_some() || self.max_cores_per_user.is_some()
    }
}

/// Which QOS may preempt which, by index into a QOS table (Slurm's `preempt/qos`,
/// `slurm-spec.md` §C): `may(a, b)` when `b` is in `a`'s `preempt` list. A QOS never preempts
/// its own jobs, as in Slurm without `PreemptMode=WITHIN`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preemption {
    n: usize,
    may: Vec<bool>,
}

impl Preemption {
    /// The relation `table`'s `preempt` lists define, or `None` when no QOS preempts another.
    pub fn of(table: &[Qos]) -> Option<Preemption> {
        let n = table.len();
        let mut may = vec![false; n * n];
        for (a, q) in table.iter().enumerate() {
            for name in &q.preempt {
                if let Some(b) = table.iter().position(|t| &t.name == name).filter(|&b| b != a) {
                    may[a * n + b] = true;
                }
            }
        }
        may.contains(&true).then_some(Preemption { n, may })
    }

    /// Whether jobs of QOS `a` may preempt jobs of QOS `b`.
    pub fn may(&self, a: NameIdx, b: NameIdx) -> bool {
        self.may[a as usize * self.n + b as usize]
    }

    /// Whether jobs of QOS `a` may preempt any job at all.
    pub fn preempts_any(&self, a: NameIdx) -> bool {
        let row = a as usize * self.n;
        self.may[row..row + self.n].contains(&true)
    }

    /// Whether some QOS may preempt jobs of QOS `b`.
    pub fn preemptable(&self, b: NameIdx) -> bool {
        (0..self.n).any(|a| self.may[a * self.n + b as usize])
    }
}

/// The order in which Slurm's `preempt/qos` tries a preemptor's candidates: lowest first, by
/// the QOS's priority (capped at 16 bits), then by nodes held (fewest first), as
/// `_gen_job_prio` in `preempt_qos.c` ranks them.
pub fn preemptee_rank(qos: &Qos, nodes: usize) -> u32 {
    (qos.priority.min(0xffff) << 16) + nodes.min(0xffff) as u32
}

/// Why a QOS refuses a job at submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// It asks for more time than `MaxWall`.
    MaxWall,
    /// Its user already has `MaxSubmitJobsPerUser` jobs queued or running.
    SubmitLimit,
}

/// Per QOS and user: jobs in the system (queued or running), and jobs and cores running.
#[derive(Clone, Debug, Default)]
pub struct QosUse {
    submitted: BTreeMap<(NameIdx, i64), u32>,
    running: BTreeMap<(NameIdx, i64), (u32, u64)>,
}

impl QosUse {
    /// Admits `job` under `table` (by [`Job::qos`]) or says why not.
    pub fn submit(&mut self, table: &[Qos], job: &Job) -> Result<(), Refusal> {
        let Some(q) = job.qos else { return Ok(()) };
        let qos = &table[q as usize];
        if qos.max_wall.is_some_and(|m| job.requested_time > m) {
            return Err(Refusal::MaxWall);
        }
        let n = self.submitted.entry((q, job.meta.user)).or_insert(0);
        if qos.max_submit_per_user.is_some_and(|m| *n >= m) {
            return Err(Refusal::SubmitLimit);
        }
        *n += 1;
        Ok(())
    }

    /// An admitted job left the system.
    pub fn leave(&mut self, job: &Job) {
        if let Some(q) = job.qos {
            let n = self.submitted.get_mut(&(q, job.meta.user)).expect("counted at submission");
            *n -= 1;
        }
    }

    /// `job` started (`running` true) or stopped running.
    pub fn running(&mut self, job: &Job, running: bool) {
        if let Some(q) = job.qos {
            let (n, cores) = self.running.entry((q, job.meta.user)).or_insert((0, 0));
            if running {
                *n += 1;
                *cores += job.procs();
            } else {
                *n -= 1;
                *cores -= job.procs();
            }
        }
    }

    /// The jobs of `queue`, in order, that may start without taking their user over a QOS
    /// running limit, even if every one of them starts now.
    pub fn eligible(&self, table: &[Qos], queue: &[JobIdx], jobs: &[Job], out: &mut Vec<JobIdx>) {
        out.clear();
        let mut taken: BTreeMap<(NameIdx, i64), (u32, u64)> = BTreeMap::new();
        for &j in queue {
            let job = &jobs[j as usize];
            let Some(q) = job.qos.filter(|&q| table[q as usize].limits_running()) else {
                out.push(j);
                continue;
            };
            let qos = &table[q as usize];
            let key = (q, job.meta.user);
            let t = taken.entry(key).or_insert_with(|| self.running.get(&key).copied().unwrap_or((0, 0)));
            let cores = t.1 + job.procs();
            if qos.max_jobs_per_user.is_some_and(|m| t.0 >= m) || qos.max_cores_per_user.is_some_and(|m| cores > m) {
                continue;
            }
            *t = (t.0 + 1, cores);
            out.push(j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimTime;

    fn job(user: i64, procs: u32, qos: Option<NameIdx>) -> Job {
        let mut j = Job::new(1, SimTime(0), SimDuration::from_secs(10), SimDuration::from_secs(60), procs);
        j.meta.user = user;
        j.qos = qos;
        j
    }

    #[test]
    fn running_limits_hold_back_the_jobs_that_would_exceed_them() {
        let table = [Qos { max_jobs_per_user: Some(2), max_cores_per_user: Some(5), ..Qos::unlimited("q") }];
        // User 1: one 2-core job running; queued 2, 2 and 1 cores. The first fits (2 jobs, 4
        // cores), the second would be a third job, the third too. User 2 and no-QOS jobs pass.
        let jobs = [
            job(1, 2, Some(0)),
            job(1, 2, Some(0)),
            job(1, 2, Some(0)),
            job(1, 1, Some(0)),
            job(2, 4, Some(0)),
            job(1, 8, None),
        ];
        let mut u = QosUse::default();
        u.running(&jobs[0], true);
        let mut out = Vec::new();
        u.eligible(&table, &[1, 2, 3, 4, 5], &jobs, &mut out);
        assert_eq!(out, [1, 4, 5]);
        // Cores: with one job of 4 cores running, a 2-core job would make 6 > 5; 1 core fits.
        let mut u = QosUse::default();
        u.running(&jobs[4], true);
        let mine = [job(2, 2, Some(0)), job(2, 1, Some(0))];
        u.eligible(&table, &[0, 1], &mine, &mut out);
        assert_eq!(out, [1]);
        u.running(&jobs[4], false);
        u.eligible(&table, &[0, 1], &mine, &mut out);
        assert_eq!(out, [0, 1]);
    }

    #[test]
    fn submit_limits_refuse_and_count_what_is_in_the_system() {
        let table =
            [Qos { max_submit_per_user: Some(1), max_wall: Some(SimDuration::from_secs(30)), ..Qos::unlimited("q") }];
        let mut u = QosUse::default();
        assert_eq!(u.submit(&table, &job(1, 1, Some(0))), Err(Refusal::MaxWall));
        let mut short = job(1, 1, Some(0));
        short.requested_time = SimDuration::from_secs(30);
        assert_eq!(u.submit(&table, &short), Ok(()));
        assert_eq!(u.submit(&table, &short), Err(Refusal::SubmitLimit));
        u.leave(&short);
        assert_eq!(u.submit(&table, &short), Ok(()));
    }

    #[test]
    fn preemption_follows_the_lists_one_way_and_never_within_a_qos() {
        let table = [
            Qos::unlimited("low"),
            Qos { preempt: vec!["low".into(), "high".into()], ..Qos::unlimited("high") },
            Qos::unlimited("other"),
        ];
        let p = Preemption::of(&table).expect("high preempts low");
        assert!(p.may(1, 0));
        assert!(!p.may(0, 1) && !p.may(1, 1) && !p.may(1, 2) && !p.may(2, 0));
        assert!(p.preempts_any(1) && !p.preempts_any(0) && !p.preempts_any(2));
        assert!(p.preemptable(0) && !p.preemptable(1) && !p.preemptable(2));
        assert_eq!(Preemption::of(&table[..1]), None);
    }

    #[test]
    fn candidates_rank_by_qos_priority_then_nodes() {
        let low = Qos::unlimited("low");
        let mid = Qos { priority: 3, ..Qos::unlimited("mid") };
        assert!(preemptee_rank(&low, 1) < preemptee_rank(&low, 2));
        assert!(preemptee_rank(&low, 1000) < preemptee_rank(&mid, 1));
        assert_eq!(preemptee_rank(&Qos { priority: u32::MAX, ..mid }, 1 << 20), u32::MAX);
    }
}
