//! Login nodes: a pool apart from the batch system. Users' processes (editors, compiles, small
//! scripts) arrive, are placed on a login node, share its cores by processor sharing, and a
//! watchdog kills any process whose consumed CPU time passes a limit. The batch engine never
//! looks at this pool, so it is its own small, exact discrete-event simulation: [`simulate`].
//!
//! # Model
//!
//! - **Placement** ([`Assignment`]): round robin pins each user to node (rank of the user's
//!   first appearance mod nodes); random pins each user to a node drawn from a seeded stream
//!   (one draw per user, in order of first appearance); least loaded sends each *process* to
//!   the node with the fewest active processes at its arrival, ties to the lowest node id.
//! - **Processor sharing**: with `n` active processes on a node of `c` cores, each one
//!   progresses at `min(1, c/n)` CPU-seconds per second.
//! - **Watchdog**: a process whose CPU demand is *greater than* the limit is killed at the
//!   instant its consumed CPU reaches the limit; its `cpu_used` is the limit. A process whose
//!   demand *equals* the limit completes (it has finished its work when the watchdog would
//!   act), so it is never killed.
//! - **Order at one instant**: departures (completions and kills) first, then arrivals one by
//!   one in input order, then samples. A process that departs at `t` no longer counts for a
//!   least-loaded choice at `t`; a process needing no CPU arrives and departs at `t`, before
//!   the next arrival at `t` is placed.
//!
//! # Exactness: the millisecond rule for fractional rates
//!
//! Simulated time is integer milliseconds and no float decides an order or an event time.
//! The rule is **processor sharing on the millisecond grid**: service accrues continuously at
//! the exact rates above, and a process leaves at the *first whole millisecond* at which its
//! attained CPU has reached its target (its demand, or the limit for one that is killed). Until
//! then it keeps its share, so when the exact fluid finish falls inside a millisecond, the
//! departure is that instant rounded up and every process on the node was served at the
//! shared rate until then. When all finishes fall on whole milliseconds (every hand-computed
//! case), this is exactly fluid processor sharing.
//!
//! Each node keeps the classic virtual time `V`: the service attained by any one process that
//! has been active since time 0 (all active processes are served at the same rate). A process
//! arriving when the node's virtual time is `V₀` leaves when `V` reaches `V₀ + min(demand,
//! limit)`, so each node is a min-heap of these targets and each event costs `O(log n)`.
//! `V` is an integer count of [`SERVICE_UNITS_PER_MS`] = lcm(1, …, 46) units per millisecond
//! (about 9.4·10¹⁸), and all arithmetic on it is integer (128-bit, with 192-bit products):
//!
//! - over `Δ` ms with `n ≤ c` processes, `V += Δ·Q`;
//! - over `Δ` ms with `n > c` processes, `V += ⌊Δ·c·Q / n⌋`, which is exact whenever `n ≤ 46`
//!   ([`EXACT_UP_TO`]) since `n` then divides `Q`; beyond that the truncation is below
//!   10⁻¹⁹ ms per change of the node's process count, always the same on every machine;
//! - the next departure is at `t + ⌈R/Q⌉` (`n ≤ c`) or `t + ⌈⌈R·n/Q⌉ / c⌉` (`n > c`), where `R`
//!   is the smallest target minus `V`: the first whole millisecond at which `V` reaches it.
//!
//! `V` changes only when the node's process count changes (sampling does not touch it).
//! Inputs are bounded so that this arithmetic cannot overflow: the last arrival plus the sum
//! of all CPU work plus one millisecond per process must stay within [`MAX_HORIZON`].

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};
use std::io::{self, Write};

use rand::Rng;
use serde::Serialize;

use crate::series;
use crate::time::{push_fixed, push_ms_as_secs, push_uint, SimDuration, SimTime};
use crate::workload::login_gen::LoginProcess;

/// Units of virtual service per millisecond: lcm(1, 2, …, 46). Any share `c/n` with `n ≤ 46`
/// active processes advances the virtual time by a whole number of units per millisecond.
pub const SERVICE_UNITS_PER_MS: u64 = 9_419_588_158_802_421_600;

/// Processor sharing is exact (no truncation at all) while no node holds more processes.
pub const EXACT_UP_TO: u32 = 46;

/// The longest run [`simulate`] accepts: 2⁵³ ms (about 285,000 years), which keeps every
/// intermediate value of the integer arithmetic far inside 128 bits.
pub const MAX_HORIZON: SimDuration = SimDuration(1 << 53);

const Q: u128 = SERVICE_UNITS_PER_MS as u128;

/// How processes are spread over the login nodes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Assignment {
    /// A user is pinned to node (rank of the user's first appearance mod nodes).
    #[default]
    RoundRobin,
    /// A user is pinned to a node drawn uniformly from the seeded stream given to
    /// [`simulate`], one draw per user in order of first appearance.
    Random,
    /// Each process goes to the node with the fewest active processes at its arrival
    /// (after the departures of that instant), ties to the lowest node id.
    LeastLoaded,
}

impl Assignment {
    pub fn as_str(self) -> &'static str {
        match self {
            Assignment::RoundRobin => "round_robin",
            Assignment::Random => "random",
            Assignment::LeastLoaded => "least_loaded",
        }
    }
}

/// The login-node pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginConfig {
    /// Number of login nodes (at least 1).
    pub nodes: u32,
    /// Cores per login node (at least 1).
    pub cores: u32,
    /// CPU time after which the watchdog kills a process; `None`: no watchdog.
    pub cpu_limit: Option<SimDuration>,
    pub assignment: Assignment,
}

/// A login-node configuration or input that cannot be simulated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    #[error("login nodes: `nodes` must be at least 1, got 0")]
    NoNodes,
    #[error("login nodes: `cores` must be at least 1, got 0")]
    NoCores,
    #[error("login nodes: the CPU-time limit must be positive, got {0} s")]
    NonPositiveLimit(SimDuration),
    #[error("login nodes: the sampling interval must be positive, got {0} s")]
    NonPositiveSampleInterval(SimDuration),
    #[error("login process {id} (entry {index}): arrival {arrival} s is negative")]
    NegativeArrival { index: usize, id: u64, arrival: SimTime },
    #[error("login process {id} (entry {index}): CPU demand {demand} s is negative")]
    NegativeDemand { index: usize, id: u64, demand: SimDuration },
    #[error(
        "login process {id} (entry {index}, arrival {arrival} s) is listed after a later one: \
         processes must be sorted by arrival, then id"
    )]
    Unsorted { index: usize, id: u64, arrival: SimTime },
    #[error(
        "login processes: the last arrival plus all CPU work exceeds {} s, the longest run \
         that can be simulated exactly",
        MAX_HORIZON
    )]
    TooLong,
}

impl LoginConfig {
    /// Checks that the pool can be simulated: at least one node and one core, and a
    /// positive CPU-time limit if there is one.
    pub fn validate(&self) -> Result<(), LoginError> {
        if self.nodes == 0 {
            return Err(LoginError::NoNodes);
        }
        if self.cores == 0 {
            return Err(LoginError::NoCores);
        }
        match self.cpu_limit {
            Some(l) if l.0 <= 0 => Err(LoginError::NonPositiveLimit(l)),
            _ => Ok(()),
        }
    }
}

/// How a process left its login node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcOutcome {
    /// It received all the CPU time it needed.
    Completed,
    /// The watchdog killed it when its CPU time reached the limit.
    Killed,
}

impl ProcOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ProcOutcome::Completed => "completed",
            ProcOutcome::Killed => "killed",
        }
    }
}

/// What happened to one process.
#[derive(Clone, Debug, PartialEq)]
pub struct ProcRecord {
    pub id: u64,
    pub user: u32,
    /// The login node it ran on (0-based).
    pub node: u32,
    pub arrival: SimTime,
    /// When it finished or was killed.
    pub end: SimTime,
    pub cpu_demand: SimDuration,
    /// CPU time it received: its demand if it finished, the limit if it was killed.
    pub cpu_used: SimDuration,
    pub outcome: ProcOutcome,
    /// Time on the node over CPU time received: `(end − arrival) / cpu_used`. For a finished
    /// process `cpu_used` is its demand (1.0 when the demand is 0); for a killed one it is the
    /// limit, so the stretch is how slowly it was served until killed. 1.0 means it never
    /// shared a core.
    pub stretch: f64,
}

/// One login node at a sampling instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodeLoad {
    /// Processes on the node.
    pub active: u32,
    /// Share of its cores in use: `min(active, cores) / cores`.
    pub load: f64,
}

/// The pool at one sampling instant, after every departure and arrival of that instant.
#[derive(Clone, Debug, PartialEq)]
pub struct LoginSample {
    pub time: SimTime,
    /// One entry per login node, in node order.
    pub nodes: Vec<NodeLoad>,
}

/// Figures over one node or the whole pool. Means and shares are over the pool's span (from
/// the first arrival to the last departure); they are `None` when there is nothing to divide by.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoginStats {
    pub processes: u64,
    pub completed: u64,
    pub killed: u64,
    /// killed / processes.
    pub kill_rate: Option<f64>,
    /// Mean stretch of every process (finished and killed, see [`ProcRecord::stretch`]).
    pub mean_stretch: Option<f64>,
    /// Nearest-rank 95th percentile of the stretch: the value of rank ⌈0.95·n⌉.
    pub p95_stretch: Option<f64>,
    /// Time-weighted mean number of processes present (on the whole pool, for the overall
    /// figures).
    pub mean_active: Option<f64>,
    /// Most processes present at once (on the whole pool, for the overall figures), counting
    /// ones present for an instant only.
    pub max_active: u64,
    /// Share of the span with at least one process on the node; overall, the share of
    /// node-time with at least one process.
    pub busy_share: Option<f64>,
    /// Core-seconds in use over core-seconds available in the span.
    pub utilisation: Option<f64>,
}

/// One login node's figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoginNodeStats {
    pub node: u32,
    #[serde(flatten)]
    pub stats: LoginStats,
}

/// A run's summary, for `summary.json` (the pool-wide figures are flattened into it, next to
/// the configuration). Times in seconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoginSummary {
    pub nodes: u32,
    pub cores_per_node: u32,
    /// Cores of all login nodes together.
    pub cores: u64,
    pub cpu_limit: Option<f64>,
    pub assignment: &'static str,
    /// First arrival and last departure (`None` without processes), and the time between.
    pub first_arrival: Option<f64>,
    pub last_end: Option<f64>,
    pub span: f64,
    /// The whole pool.
    #[serde(flatten)]
    pub overall: LoginStats,
    pub per_node: Vec<LoginNodeStats>,
}

/// Everything a login-node simulation produces.
#[derive(Clone, Debug, PartialEq)]
pub struct LoginRun {
    /// One per process, in input order.
    pub records: Vec<ProcRecord>,
    /// At every multiple of the sampling interval from 0 through the last departure.
    pub samples: Vec<LoginSample>,
    /// That interval: the one asked for, or a multiple of it when the pool ran too long for
    /// [`series::MAX_SAMPLES`] rows.
    pub sample_every: Option<SimDuration>,
    pub summary: LoginSummary,
}

impl LoginRun {
    /// Active processes per node at each sampling instant, keyed by time.
    pub fn active_by_time(&self) -> BTreeMap<SimTime, Vec<u32>> {
        self.samples.iter().map(|s| (s.time, s.nodes.iter().map(|n| n.active).collect())).collect()
    }
}

/// Simulates `procs` (sorted by arrival, then id) on the login pool `cfg`.
///
/// `rng` is drawn from only under [`Assignment::Random`] (one `random_range(0..nodes)` per
/// user, in order of first appearance); give it its own stream, e.g.
/// `crate::rng::stream(seed, run, "login/assign")`. With `sample_every`, the pool is sampled
/// at every multiple of it from time 0 through the last departure.
///
/// The same inputs and the same stream always give the same run.
pub fn simulate(
    procs: &[LoginProcess],
    cfg: &LoginConfig,
    rng: &mut impl Rng,
    sample_every: Option<SimDuration>,
) -> Result<LoginRun, LoginError> {
    cfg.validate()?;
    if let Some(s) = sample_every.filter(|s| s.0 <= 0) {
        return Err(LoginError::NonPositiveSampleInterval(s));
    }
    check_processes(procs, cfg.cpu_limit)?;
    let mut sim = Sim::new(cfg, procs.len());
    let mut every = sample_every;
    let mut next_sample = every.map(|_| SimTime(0));
    let mut samples = Vec::new();
    let mut next = 0usize;
    loop {
        // The earliest departure still current (entries for a node whose next departure has
        // moved since are stale and dropped here).
        let dep = loop {
            match sim.events.peek() {
                Some(&Reverse((t, k))) if sim.nodes[k as usize].next != Some(t) => {
                    sim.events.pop();
                }
                other => break other.map(|&Reverse(e)| e),
            }
        };
        let arrival = procs.get(next).map(|p| p.arrival.0);
        let now = match (dep, arrival) {
            (None, None) => break,
            (Some((t, _)), None) => t,
            (None, Some(a)) => a,
            (Some((t, _)), Some(a)) => t.min(a),
        };
        // Samples strictly before `now` see everything up to their instant.
        while let (Some(s), Some(step)) = (&mut next_sample, &mut every) {
            if s.0 >= now {
                break;
            }
            samples.push(sim.sample(s.0));
            s.0 = s.0.saturating_add(step.0);
            series::bound(&mut samples, step, s, |x| x.time);
        }
        match dep {
            // Departures before arrivals at the same instant.
            Some((t, k)) if t == now => {
                sim.events.pop();
                sim.depart(k, now);
            }
            _ => {
                sim.arrive(next, &procs[next], rng);
                next += 1;
            }
        }
    }
    let last_end = sim.end.iter().copied().max();
    if let Some(last) = last_end {
        while let (Some(s), Some(step)) = (&mut next_sample, &mut every) {
            if s.0 > last {
                break;
            }
            samples.push(sim.sample(s.0));
            s.0 = s.0.saturating_add(step.0);
            series::bound(&mut samples, step, s, |x| x.time);
        }
    }
    let records = sim.records(procs);
    let summary = sim.summary(&records);
    Ok(LoginRun { records, samples, sample_every: every, summary })
}

fn check_processes(procs: &[LoginProcess], limit: Option<SimDuration>) -> Result<(), LoginError> {
    // Bound on the last departure: every node is work-conserving and loses less than one
    // millisecond per departure to rounding up, so no process ends after the last arrival
    // plus all the work plus one millisecond per process.
    let mut bound = i128::try_from(procs.len()).unwrap_or(i128::MAX);
    for (index, p) in procs.iter().enumerate() {
        if p.arrival.0 < 0 {
            return Err(LoginError::NegativeArrival { index, id: p.id, arrival: p.arrival });
        }
        if p.cpu_demand.0 < 0 {
            return Err(LoginError::NegativeDemand { index, id: p.id, demand: p.cpu_demand });
        }
        if index > 0 {
            let q = &procs[index - 1];
            if (p.arrival, p.id) < (q.arrival, q.id) {
                return Err(LoginError::Unsorted { index, id: p.id, arrival: p.arrival });
            }
        }
        bound = bound.saturating_add(i128::from(work(p.cpu_demand, limit).0));
    }
    if let Some(last) = procs.last() {
        bound = bound.saturating_add(i128::from(last.arrival.0));
    }
    if bound > i128::from(MAX_HORIZON.0) {
        return Err(LoginError::TooLong);
    }
    Ok(())
}

/// The CPU time a process will receive: its demand, capped by the limit.
fn work(demand: SimDuration, limit: Option<SimDuration>) -> SimDuration {
    limit.map_or(demand, |l| demand.min(l))
}

/// The watchdog kills only processes that need more than the limit.
fn killed(demand: SimDuration, limit: Option<SimDuration>) -> bool {
    limit.is_some_and(|l| demand > l)
}

/// ⌊a·b / d⌋ or ⌈a·b / d⌉ with a 192-bit product, so that it cannot overflow before the
/// division. Panics if the quotient does not fit in 128 bits (inputs are bounded by
/// [`MAX_HORIZON`] so that it always does).
fn mul_div(a: u128, b: u64, d: u64, round_up: bool) -> u128 {
    assert!(d > 0, "division by zero in login-node service arithmetic");
    let (b, d) = (u128::from(b), u128::from(d));
    let lo = (a as u64 as u128) * b;
    let hi = (a >> 64) * b + (lo >> 64);
    let limbs = [(hi >> 64) as u64, hi as u64, lo as u64];
    let mut rem: u128 = 0;
    let mut quot = [0u64; 3];
    for (q, &limb) in quot.iter_mut().zip(&limbs) {
        let cur = (rem << 64) | u128::from(limb);
        *q = (cur / d) as u64;
        rem = cur % d;
    }
    assert!(quot[0] == 0, "login-node service arithmetic overflowed 128 bits");
    let q = (u128::from(quot[1]) << 64) | u128::from(quot[2]);
    if round_up && rem > 0 {
        q + 1
    } else {
        q
    }
}

/// One login node: its processes as a min-heap of virtual-time targets, and the integrals
/// the summary needs.
struct Node {
    cores: u64,
    /// When `v` and the integrals were last brought up to date.
    last: i64,
    /// Virtual time: service attained by a process active since time 0, in units of 1/Q ms.
    v: u128,
    /// (virtual time at which it leaves, process index).
    queue: BinaryHeap<Reverse<(u128, usize)>>,
    /// Its next departure, if any; the event heap holds an entry for it.
    next: Option<i64>,
    /// ∫ processes dt and ∫ min(processes, cores) dt, in process·ms.
    area: u128,
    core_area: u128,
    /// Milliseconds with at least one process.
    busy: i64,
    max_active: u64,
}

impl Node {
    fn active(&self) -> u64 {
        self.queue.len() as u64
    }

    /// Brings the virtual time and integrals up to `now` (at least `last`).
    fn advance(&mut self, now: i64) {
        let dt = now - self.last;
        debug_assert!(dt >= 0, "login node time went backwards");
        let n = self.active();
        if dt > 0 && n > 0 {
            let dt = dt as u128;
            self.v += if n <= self.cores { dt * Q } else { mul_div(dt * u128::from(self.cores), Q as u64, n, false) };
            self.area += dt * u128::from(n);
            self.core_area += dt * u128::from(n.min(self.cores));
            self.busy += dt as i64;
        }
        self.last = now;
    }

    /// The first whole millisecond at which the virtual time reaches the smallest target, with
    /// the current process count (call right after `advance`).
    fn next_departure(&self) -> Option<i64> {
        let &Reverse((target, _)) = self.queue.peek()?;
        let r = target - self.v;
        let n = self.active();
        let dt = if n <= self.cores {
            r.div_ceil(Q)
        } else {
            mul_div(r, n, Q as u64, true).div_ceil(u128::from(self.cores))
        };
        Some(self.last + i64::try_from(dt).expect("departure within the validated horizon"))
    }
}

struct Sim {
    cfg: LoginConfig,
    nodes: Vec<Node>,
    /// (departure time, node), min first; stale entries are skipped lazily.
    events: BinaryHeap<Reverse<(i64, u32)>>,
    /// Users pinned so far (round robin, random); only looked up, never iterated.
    pinned: HashMap<u32, u32>,
    users_seen: u64,
    /// (active processes, node): least loaded first, then the lowest id. Kept only for
    /// [`Assignment::LeastLoaded`].
    by_load: BTreeSet<(u64, u32)>,
    total_active: u64,
    max_total_active: u64,
    node_of: Vec<u32>,
    end: Vec<i64>,
}

impl Sim {
    fn new(cfg: &LoginConfig, procs: usize) -> Sim {
        let nodes = (0..cfg.nodes)
            .map(|_| Node {
                cores: u64::from(cfg.cores),
                last: 0,
                v: 0,
                queue: BinaryHeap::new(),
                next: None,
                area: 0,
                core_area: 0,
                busy: 0,
                max_active: 0,
            })
            .collect();
        let by_load = if cfg.assignment == Assignment::LeastLoaded {
            (0..cfg.nodes).map(|k| (0, k)).collect()
        } else {
            BTreeSet::new()
        };
        Sim {
            cfg: *cfg,
            nodes,
            events: BinaryHeap::new(),
            pinned: HashMap::new(),
            users_seen: 0,
            by_load,
            total_active: 0,
            max_total_active: 0,
            node_of: vec![0; procs],
            end: vec![0; procs],
        }
    }

    fn choose_node(&mut self, user: u32, rng: &mut impl Rng) -> u32 {
        let nodes = self.cfg.nodes;
        match self.cfg.assignment {
            Assignment::RoundRobin => {
                let seen = &mut self.users_seen;
                *self.pinned.entry(user).or_insert_with(|| {
                    let k = (*seen % u64::from(nodes)) as u32;
                    *seen += 1;
                    k
                })
            }
            Assignment::Random => *self.pinned.entry(user).or_insert_with(|| rng.random_range(0..nodes)),
            Assignment::LeastLoaded => self.by_load.first().expect("at least one node").1,
        }
    }

    fn set_load(&mut self, k: u32, before: u64) {
        if self.cfg.assignment == Assignment::LeastLoaded {
            self.by_load.remove(&(before, k));
            self.by_load.insert((self.nodes[k as usize].active(), k));
        }
    }

    /// Re-plans node `k`'s next departure after its process count changed.
    fn replan(&mut self, k: u32) {
        let node = &mut self.nodes[k as usize];
        let next = node.next_departure();
        if next != node.next {
            node.next = next;
            if let Some(t) = next {
                self.events.push(Reverse((t, k)));
            }
        }
    }

    fn arrive(&mut self, idx: usize, p: &LoginProcess, rng: &mut impl Rng) {
        let k = self.choose_node(p.user, rng);
        self.node_of[idx] = k;
        let node = &mut self.nodes[k as usize];
        let before = node.active();
        node.advance(p.arrival.0);
        let target = node.v + work(p.cpu_demand, self.cfg.cpu_limit).0 as u128 * Q;
        node.queue.push(Reverse((target, idx)));
        node.max_active = node.max_active.max(node.active());
        self.total_active += 1;
        self.max_total_active = self.max_total_active.max(self.total_active);
        self.set_load(k, before);
        self.replan(k);
    }

    /// Node `k`'s departure event at `now`: every process whose target is reached leaves.
    fn depart(&mut self, k: u32, now: i64) {
        let node = &mut self.nodes[k as usize];
        let before = node.active();
        node.advance(now);
        // Forget the event just handled, so that `replan` always schedules the next one.
        node.next = None;
        while let Some(&Reverse((target, idx))) = node.queue.peek() {
            if target > node.v {
                break;
            }
            node.queue.pop();
            self.end[idx] = now;
        }
        self.total_active -= before - node.active();
        self.set_load(k, before);
        self.replan(k);
    }

    fn sample(&self, at: i64) -> LoginSample {
        let cores = f64::from(self.cfg.cores);
        let nodes = self
            .nodes
            .iter()
            .map(|n| {
                let active = n.queue.len() as u32;
                NodeLoad { active, load: f64::from(active.min(self.cfg.cores)) / cores }
            })
            .collect();
        LoginSample { time: SimTime(at), nodes }
    }

    fn records(&self, procs: &[LoginProcess]) -> Vec<ProcRecord> {
        let limit = self.cfg.cpu_limit;
        procs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let cpu_used = work(p.cpu_demand, limit);
                let end = SimTime(self.end[i]);
                ProcRecord {
                    id: p.id,
                    user: p.user,
                    node: self.node_of[i],
                    arrival: p.arrival,
                    end,
                    cpu_demand: p.cpu_demand,
                    cpu_used,
                    outcome: if killed(p.cpu_demand, limit) { ProcOutcome::Killed } else { ProcOutcome::Completed },
                    stretch: stretch(end - p.arrival, cpu_used),
                }
            })
            .collect()
    }

    fn summary(&self, records: &[ProcRecord]) -> LoginSummary {
        let first = records.first().map(|r| r.arrival.0);
        let last = records.iter().map(|r| r.end.0).max();
        let span = match (first, last) {
            (Some(f), Some(l)) => l - f,
            _ => 0,
        };
        let nodes = self.nodes.len();
        let mut per_node_stretch: Vec<Vec<f64>> = vec![Vec::new(); nodes];
        let mut counts = vec![(0u64, 0u64); nodes];
        for r in records {
            per_node_stretch[r.node as usize].push(r.stretch);
            let c = &mut counts[r.node as usize];
            match r.outcome {
                ProcOutcome::Completed => c.0 += 1,
                ProcOutcome::Killed => c.1 += 1,
            }
        }
        let ratio = |num: u128, den: u128| (den > 0).then(|| num as f64 / den as f64);
        let span_u = span as u128;
        let cores = u128::from(self.cfg.cores);
        let per_node = self
            .nodes
            .iter()
            .zip(per_node_stretch)
            .zip(&counts)
            .enumerate()
            .map(|(k, ((node, mut st), &(completed, killed)))| LoginNodeStats {
                node: k as u32,
                stats: LoginStats {
                    processes: completed + killed,
                    completed,
                    killed,
                    kill_rate: ratio(u128::from(killed), u128::from(completed + killed)),
                    mean_stretch: mean(&st),
                    p95_stretch: p95(&mut st),
                    mean_active: ratio(node.area, span_u),
                    max_active: node.max_active,
                    busy_share: ratio(node.busy as u128, span_u),
                    utilisation: ratio(node.core_area, span_u * cores),
                },
            })
            .collect();
        let mut all: Vec<f64> = records.iter().map(|r| r.stretch).collect();
        let completed = counts.iter().map(|c| c.0).sum::<u64>();
        let killed = counts.iter().map(|c| c.1).sum::<u64>();
        let n = nodes as u128;
        let overall = LoginStats {
            processes: records.len() as u64,
            completed,
            killed,
            kill_rate: ratio(u128::from(killed), records.len() as u128),
            mean_stretch: mean(&all),
            p95_stretch: p95(&mut all),
            mean_active: ratio(self.nodes.iter().map(|x| x.area).sum(), span_u),
            max_active: self.max_total_active,
            busy_share: ratio(self.nodes.iter().map(|x| x.busy as u128).sum(), span_u * n),
            utilisation: ratio(self.nodes.iter().map(|x| x.core_area).sum(), span_u * n * cores),
        };
        let secs = |ms: i64| SimTime(ms).as_secs_f64();
        LoginSummary {
            nodes: self.cfg.nodes,
            cores_per_node: self.cfg.cores,
            cores: u64::from(self.cfg.nodes) * u64::from(self.cfg.cores),
            cpu_limit: self.cfg.cpu_limit.map(|l| l.as_secs_f64()),
            assignment: self.cfg.assignment.as_str(),
            first_arrival: first.map(secs),
            last_end: last.map(secs),
            span: secs(span),
            overall,
            per_node,
        }
    }
}

/// `time / cpu` (1.0 when no CPU was used).
fn stretch(time: SimDuration, cpu: SimDuration) -> f64 {
    if cpu.0 == 0 {
        1.0
    } else {
        time.0 as f64 / cpu.0 as f64
    }
}

/// The stretch in ten-thousandths, rounded half up from the integer milliseconds: exact.
pub fn stretch_e4(r: &ProcRecord) -> i64 {
    let den = i128::from(r.cpu_used.0);
    if den == 0 {
        return 10_000;
    }
    let num = i128::from((r.end - r.arrival).0) * 10_000;
    i64::try_from((2 * num + den) / (2 * den)).unwrap_or(i64::MAX)
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Nearest-rank 95th percentile: the value of rank ⌈95·n/100⌉ in ascending order (reorders `v`).
fn p95(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let rank = (95 * v.len()).div_ceil(100).max(1);
    // The value of that rank in ascending (total) order, without sorting everything.
    Some(*v.select_nth_unstable_by(rank - 1, f64::total_cmp).1)
}

/// The header of the per-process CSV.
pub const LOGIN_CSV_HEADER: &str = "proc_id,user,node,arrival,end,cpu_demand,cpu_used,outcome,stretch";

/// Writes one row per process, in input order: times in seconds with the fraction kept
/// (exact milliseconds), the stretch rounded to four decimals (trailing zeros dropped, as in
/// `jobs.csv`), both from integer arithmetic.
pub fn write_login_csv<W: Write>(mut out: W, run: &LoginRun) -> io::Result<()> {
    writeln!(out, "{LOGIN_CSV_HEADER}")?;
    let mut line = Vec::with_capacity(128);
    for r in &run.records {
        line.clear();
        for v in [r.id, u64::from(r.user), u64::from(r.node)] {
            push_uint(v, &mut line);
            line.push(b',');
        }
        for t in [r.arrival.0, r.end.0, r.cpu_demand.0, r.cpu_used.0] {
            push_ms_as_secs(t, &mut line);
            line.push(b',');
        }
        line.extend_from_slice(r.outcome.as_str().as_bytes());
        line.push(b',');
        push_fixed(stretch_e4(r), 4, &mut line);
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    const S: i64 = 1_000;

    /// A process arriving at `arrival` ms needing `demand` ms of CPU.
    fn p(id: u64, user: u32, arrival: i64, demand: i64) -> LoginProcess {
        LoginProcess { id, user, arrival: SimTime(arrival), cpu_demand: SimDuration(demand) }
    }

    fn cfg(nodes: u32, cores: u32, limit_ms: Option<i64>, assignment: Assignment) -> LoginConfig {
        LoginConfig { nodes, cores, cpu_limit: limit_ms.map(SimDuration), assignment }
    }

    fn run(procs: &[LoginProcess], c: &LoginConfig) -> LoginRun {
        simulate(procs, c, &mut stream(1, 0, "login/assign"), None).unwrap()
    }

    fn ends(r: &LoginRun) -> Vec<i64> {
        r.records.iter().map(|r| r.end.0).collect()
    }

    fn nodes_of(r: &LoginRun) -> Vec<u32> {
        r.records.iter().map(|r| r.node).collect()
    }

    #[test]
    fn service_unit_is_lcm_of_one_to_46() {
        let gcd = |mut a: u128, mut b: u128| {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a
        };
        let lcm = (1..=46u128).fold(1, |l, k| l / gcd(l, k) * k);
        assert_eq!(u128::from(SERVICE_UNITS_PER_MS), lcm);
        assert_ne!(Q % 47, 0, "47 is the first count that is not exact");
    }

    #[test]
    fn wide_multiply_divide_is_exact() {
        // Values from Python's big integers: a·Q needs more than 128 bits here.
        let (a, d) = (1_208_925_819_614_629_174_718_521u128, 9_223_372_036_854_775_809u64);
        assert_eq!(mul_div(a, SERVICE_UNITS_PER_MS, d, false), 1_234_644_259_150_551_003_833_947);
        assert_eq!(mul_div(a, SERVICE_UNITS_PER_MS, d, true), 1_234_644_259_150_551_003_833_948);
        assert_eq!(mul_div(u128::MAX, u64::MAX, u64::MAX, false), u128::MAX);
        assert_eq!(mul_div(10, 3, 5, true), 6);
        assert_eq!(mul_div(7, 1, 2, false), 3);
        assert_eq!(mul_div(7, 1, 2, true), 4);
    }

    #[test]
    fn a_lone_process_runs_at_full_speed() {
        // 4 cores, one process: rate 1, so 10 s of CPU from 3 s ends at 13 s.
        let r = run(&[p(1, 1, 3 * S, 10 * S)], &cfg(1, 4, None, Assignment::RoundRobin));
        assert_eq!(ends(&r), vec![13 * S]);
        assert_eq!(r.records[0].outcome, ProcOutcome::Completed);
        assert_eq!(r.records[0].cpu_used, SimDuration(10 * S));
        assert_eq!(r.records[0].stretch, 1.0);
    }

    #[test]
    fn exactly_c_processes_each_get_a_core() {
        // 4 processes on 4 cores: rate min(1, 4/4) = 1, all end at 10 s.
        let procs: Vec<_> = (0..4).map(|i| p(i, 1, 0, 10 * S)).collect();
        let r = run(&procs, &cfg(1, 4, None, Assignment::RoundRobin));
        assert_eq!(ends(&r), vec![10 * S; 4]);
        assert!(r.records.iter().all(|r| r.stretch == 1.0));
    }

    #[test]
    fn twice_c_processes_share_at_half_speed() {
        // 8 processes on 4 cores: rate 4/8 = 1/2 each, so 10 s of CPU takes 20 s.
        let procs: Vec<_> = (0..8).map(|i| p(i, 1, 0, 10 * S)).collect();
        let r = run(&procs, &cfg(1, 4, None, Assignment::RoundRobin));
        assert_eq!(ends(&r), vec![20 * S; 8]);
        assert!(r.records.iter().all(|r| r.stretch == 2.0));
    }

    #[test]
    fn staggered_arrivals_on_one_core() {
        // A (0 s, 10 s) runs alone to 5 s: 5 s done. From 5 s A and B share at 1/2: A's last
        // 5 s take 10 s, so A ends at 15 s, when B has 5 s; B's last 5 s alone: ends at 20 s.
        let r = run(&[p(1, 1, 0, 10 * S), p(2, 2, 5 * S, 10 * S)], &cfg(1, 1, None, Assignment::RoundRobin));
        assert_eq!(ends(&r), vec![15 * S, 20 * S]);
        assert_eq!(r.records[0].stretch, 1.5); // 15 s for 10 s of CPU
        assert_eq!(r.records[1].stretch, 1.5); // 15 s (5 → 20) for 10 s
    }

    #[test]
    fn fractional_shares_leave_at_the_next_whole_millisecond() {
        // 2 cores, 3 processes at 0: A needs 1 ms, B and C 10 ms. Rate 2/3: A reaches 1 ms
        // of CPU at 1.5 ms, so it leaves at 2 ms; by then every process has 2·2/3 = 4/3 ms.
        // B and C then have a core each and need 10 − 4/3 = 26/3 ms more: fluid end
        // 2 + 8.67 = 10.67 ms, so they leave at 11 ms. Exact thirds, no drift.
        let r = run(&[p(1, 1, 0, 1), p(2, 1, 0, 10), p(3, 1, 0, 10)], &cfg(1, 2, None, Assignment::RoundRobin));
        assert_eq!(ends(&r), vec![2, 11, 11]);
        // B needing 2 ms instead: it has 4/3 ms at 2 ms and its last 2/3 ms alone on a core
        // take 2/3 ms: fluid end 2.67 ms, so it leaves at 3 ms. C is unaffected (it had a core
        // to itself from 2 ms on either way).
        let r = run(&[p(1, 1, 0, 1), p(2, 1, 0, 2), p(3, 1, 0, 10)], &cfg(1, 2, None, Assignment::RoundRobin));
        assert_eq!(ends(&r), vec![2, 3, 11]);
    }

    #[test]
    fn many_processes_beyond_the_exact_range() {
        // 1000 processes of 1 s on 7 cores, all at 0: rate 7/1000, fluid end 1000/7 s =
        // 142857.14 ms, so all leave at 142858 ms. (1000 > 46: computed as ⌈⌈R·n/Q⌉/c⌉.)
        let procs: Vec<_> = (0..1000).map(|i| p(i, 1, 0, S)).collect();
        let r = run(&procs, &cfg(1, 7, None, Assignment::RoundRobin));
        assert_eq!(ends(&r), vec![142_858; 1000]);
    }

    #[test]
    fn a_process_needing_no_cpu_leaves_at_once() {
        let r = run(&[p(1, 1, 7 * S, 0), p(2, 1, 7 * S, 3 * S)], &cfg(1, 1, None, Assignment::RoundRobin));
        assert_eq!(ends(&r), vec![7 * S, 10 * S]);
        assert_eq!(r.records[0].stretch, 1.0);
        // It left before process 2 arrived, so process 2 never shared the core.
        assert_eq!(r.records[1].stretch, 1.0);
    }

    #[test]
    fn watchdog_kills_a_lone_process_at_arrival_plus_limit() {
        // Limit 60 s, demand 100 s, alone from 5 s: its CPU reaches 60 s at 65 s.
        let r = run(&[p(1, 1, 5 * S, 100 * S)], &cfg(1, 2, Some(60 * S), Assignment::RoundRobin));
        let rec = &r.records[0];
        assert_eq!((rec.end, rec.outcome, rec.cpu_used), (SimTime(65 * S), ProcOutcome::Killed, SimDuration(60 * S)));
        assert_eq!(rec.stretch, 1.0); // 60 s on the node for 60 s of CPU
        assert_eq!((r.summary.overall.killed, r.summary.overall.completed), (1, 0));
        assert_eq!(r.summary.overall.kill_rate, Some(1.0));
    }

    #[test]
    fn watchdog_kills_a_sharing_process_at_twice_the_limit() {
        // One core, limit 60 s. Two processes at 0 share at 1/2 each, so a process's CPU
        // reaches 60 s at 120 s = arrival + 2 × limit.
        let c = cfg(1, 1, Some(60 * S), Assignment::RoundRobin);
        // A needs 100 s, B 1000 s: both pass the limit, both are killed at 120 s.
        let r = run(&[p(1, 1, 0, 100 * S), p(2, 2, 0, 1000 * S)], &c);
        assert_eq!(ends(&r), vec![120 * S, 120 * S]);
        assert!(r.records.iter().all(|r| r.outcome == ProcOutcome::Killed && r.cpu_used == SimDuration(60 * S)));
        assert_eq!(r.records[0].stretch, 2.0); // 120 s on the node for 60 s of CPU
                                               // A needs 100 s, B exactly 60 s: B shares until 120 s and finishes then; A is killed
                                               // at the same instant.
        let r = run(&[p(1, 1, 0, 100 * S), p(2, 2, 0, 60 * S)], &c);
        assert_eq!(ends(&r), vec![120 * S, 120 * S]);
        assert_eq!((r.records[0].outcome, r.records[1].outcome), (ProcOutcome::Killed, ProcOutcome::Completed));
        let s = &r.summary.overall;
        assert_eq!((s.processes, s.completed, s.killed, s.kill_rate), (2, 1, 1, Some(0.5)));
        // A needs 100 s, B 50 s: B reaches 50 s at 100 s and finishes; A has 50 s then and
        // gets its last 10 s to the limit alone: killed at 110 s.
        let r = run(&[p(1, 1, 0, 100 * S), p(2, 2, 0, 50 * S)], &c);
        assert_eq!(ends(&r), vec![110 * S, 100 * S]);
        assert_eq!((r.records[0].outcome, r.records[1].outcome), (ProcOutcome::Killed, ProcOutcome::Completed));
        // Staggered: A (100 s) alone from 0 to 20 s (20 s of CPU); B (30 s) from 20 s, both at
        // 1/2: B ends at 80 s, when A has 20 + 30 = 50 s; A's last 10 s alone: killed at 90 s.
        let r = run(&[p(1, 1, 0, 100 * S), p(2, 2, 20 * S, 30 * S)], &c);
        assert_eq!(ends(&r), vec![90 * S, 80 * S]);
        assert_eq!(r.records[0].outcome, ProcOutcome::Killed);
    }

    #[test]
    fn a_process_exactly_at_the_limit_finishes() {
        // Convention: the watchdog kills only a process whose demand is greater than the
        // limit; one needing exactly the limit has finished when its CPU reaches it.
        let c = cfg(1, 1, Some(60 * S), Assignment::RoundRobin);
        let r = run(&[p(1, 1, 0, 60 * S), p(2, 1, 200 * S, 60 * S + 1)], &c);
        assert_eq!(r.records[0].outcome, ProcOutcome::Completed);
        assert_eq!(r.records[0].end, SimTime(60 * S));
        assert_eq!(r.records[1].outcome, ProcOutcome::Killed);
        assert_eq!(r.records[1].end, SimTime(260 * S));
        assert_eq!(r.records[1].cpu_used, SimDuration(60 * S));
        assert_eq!(r.summary.overall.killed, 1);
    }

    #[test]
    fn without_a_limit_nothing_is_killed() {
        let r = run(&[p(1, 1, 0, 1_000_000 * S)], &cfg(1, 1, None, Assignment::RoundRobin));
        assert_eq!(r.records[0].outcome, ProcOutcome::Completed);
        assert_eq!(r.records[0].end, SimTime(1_000_000 * S));
    }

    #[test]
    fn round_robin_pins_users_by_first_appearance() {
        // Users in order of first appearance: 7 → node 0, 3 → 1, 9 → 2, 5 → 3 mod 3 = 0.
        // Later processes of 7 and 3 stay on their nodes whatever the load.
        let procs = [p(1, 7, 0, S), p(2, 3, 0, S), p(3, 7, 0, S), p(4, 9, S, S), p(5, 5, S, S), p(6, 3, 2 * S, S)];
        let r = run(&procs, &cfg(3, 1, None, Assignment::RoundRobin));
        assert_eq!(nodes_of(&r), vec![0, 1, 0, 2, 0, 1]);
        // Node 0: processes 1 and 3 share from 0 (1 s each at 1/2: end 2 s); process 5
        // arrives at 1 s and shares three ways: by 1 s, 1 and 3 have 0.5 s; at 1/3 they need
        // 1.5 s more → 2.5 s, when 5 has 0.5 s; 5's last 0.5 s alone → 3 s.
        assert_eq!(ends(&r), vec![2_500, S, 2_500, 2 * S, 3 * S, 3 * S]);
    }

    #[test]
    fn least_loaded_spreads_processes_and_sees_departures_first() {
        // Two nodes of one core, all processes from one user (least loaded does not pin):
        // at 0: 1 → node 0 (0 vs 0, lowest id), 2 → node 1 (1 vs 0), 3 → node 0 (1 vs 1).
        // Node 0: 1 and 3 share at 1/2, 10 s each: both leave at 20 s.
        // At 20 s, departures first: node 0 has 0, node 1 has 1 → 4 goes to node 0; then 1 vs
        // 1 → 5 to node 0; then 2 vs 1 → 6 to node 1.
        let procs = [
            p(1, 1, 0, 10 * S),
            p(2, 1, 0, 100 * S),
            p(3, 1, 0, 10 * S),
            p(4, 1, 20 * S, S),
            p(5, 1, 20 * S, S),
            p(6, 1, 20 * S, S),
        ];
        let r = run(&procs, &cfg(2, 1, None, Assignment::LeastLoaded));
        assert_eq!(nodes_of(&r), vec![0, 1, 0, 0, 0, 1]);
        // From 20 s: 4 and 5 share node 0 at 1/2 (1 s each → 22 s); 6 shares node 1 with 2
        // (1 s at 1/2 → 22 s), when 2 has 20 + 1 = 21 s; 2's last 79 s alone → 101 s.
        assert_eq!(ends(&r), vec![20 * S, 101 * S, 20 * S, 22 * S, 22 * S, 22 * S]);
        // Round robin would have put every one of them on node 0.
        let rr = run(&procs, &cfg(2, 1, None, Assignment::RoundRobin));
        assert_eq!(nodes_of(&rr), vec![0; 6]);
    }

    #[test]
    fn random_assignment_is_seeded_and_pins_users() {
        // 200 users with 3 processes each, interleaved.
        let mut procs = Vec::new();
        for round in 0..3i64 {
            for u in 0..200u32 {
                let id = procs.len() as u64;
                procs.push(p(id, 1000 + u, round * 10 * S + i64::from(u), S));
            }
        }
        let c = cfg(4, 2, None, Assignment::Random);
        let go = |seed| simulate(&procs, &c, &mut stream(seed, 0, "login/assign"), None).unwrap();
        let a = go(5);
        assert_eq!(a, go(5), "same seed, same run");
        assert_ne!(nodes_of(&a), nodes_of(&go(6)), "another seed, another placement");
        // One draw per user in order of first appearance, from the given stream.
        let mut rng = stream(5, 0, "login/assign");
        let expected: Vec<u32> = (0..200).map(|_| rng.random_range(0..4u32)).collect();
        for r in &a.records {
            assert_eq!(r.node, expected[(r.user - 1000) as usize], "user {} pinned", r.user);
        }
        // Every node is used (200 users over 4 nodes).
        for k in 0..4 {
            assert!(a.records.iter().any(|r| r.node == k), "node {k} unused");
        }
    }

    /// 2 nodes × 1 core, round robin, limit 60 s, sampled every 10 s:
    /// - process 1 (user 1, 0 s, 30 s) → node 0; process 2 (user 2, 0 s, 100 s) → node 1;
    ///   process 3 (user 1, 10 s, 10 s) → node 0.
    /// - Node 0: 1 alone to 10 s (10 s done); 1 and 3 share at 1/2: 3 needs 10 s → ends at
    ///   30 s (stretch 20/10 = 2), when 1 has 20 s; 1's last 10 s alone → 40 s (40/30).
    /// - Node 1: 2 alone, killed at 60 s with 60 s used (stretch 1).
    fn small_case() -> LoginRun {
        let procs = [p(1, 1, 0, 30 * S), p(2, 2, 0, 100 * S), p(3, 1, 10 * S, 10 * S)];
        let c = cfg(2, 1, Some(60 * S), Assignment::RoundRobin);
        simulate(&procs, &c, &mut stream(1, 0, "login/assign"), Some(SimDuration(10 * S))).unwrap()
    }

    #[test]
    fn samples_and_summary_of_a_hand_computed_case() {
        let r = small_case();
        assert_eq!(ends(&r), vec![40 * S, 60 * S, 30 * S]);
        assert_eq!(nodes_of(&r), vec![0, 1, 0]);
        // Samples at 0, 10, …, 60 s (the last end), after each instant's events:
        // node 0 holds 1 (0 s), 2 (10, 20 s: 3 arrived at 10 s), 1 (30 s: 3 left), 0 after 40 s;
        // node 1 holds 1 until 2 is killed at 60 s.
        let times: Vec<i64> = r.samples.iter().map(|s| s.time.0).collect();
        assert_eq!(times, vec![0, 10 * S, 20 * S, 30 * S, 40 * S, 50 * S, 60 * S]);
        let active: Vec<[u32; 2]> = r.samples.iter().map(|s| [s.nodes[0].active, s.nodes[1].active]).collect();
        assert_eq!(active, vec![[1, 1], [2, 1], [2, 1], [1, 1], [0, 1], [0, 1], [0, 0]]);
        let load0: Vec<f64> = r.samples.iter().map(|s| s.nodes[0].load).collect();
        assert_eq!(load0, vec![1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]); // min(active, 1) / 1
        assert_eq!(r.active_by_time()[&SimTime(10 * S)], vec![2, 1]);

        let s = &r.summary;
        assert_eq!((s.first_arrival, s.last_end, s.span), (Some(0.0), Some(60.0), 60.0));
        assert_eq!((s.nodes, s.cores_per_node, s.cores, s.cpu_limit), (2, 1, 2, Some(60.0)));
        let n0 = &s.per_node[0].stats;
        assert_eq!((n0.processes, n0.completed, n0.killed, n0.kill_rate), (2, 2, 0, Some(0.0)));
        // Stretches 4/3 and 2: mean 5/3; nearest rank ⌈0.95·2⌉ = 2 → 2.
        assert!((n0.mean_stretch.unwrap() - 5.0 / 3.0).abs() < 1e-12);
        assert_eq!(n0.p95_stretch, Some(2.0));
        // ∫ active = 10·1 + 20·2 + 10·1 = 60 process·s over 60 s; busy 40 s of 60.
        assert_eq!((n0.mean_active, n0.max_active), (Some(1.0), 2));
        assert!((n0.busy_share.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert!((n0.utilisation.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        let n1 = &s.per_node[1].stats;
        assert_eq!((n1.processes, n1.completed, n1.killed, n1.kill_rate), (1, 0, 1, Some(1.0)));
        assert_eq!((n1.mean_stretch, n1.p95_stretch), (Some(1.0), Some(1.0)));
        assert_eq!(
            (n1.mean_active, n1.max_active, n1.busy_share, n1.utilisation),
            (Some(1.0), 1, Some(1.0), Some(1.0))
        );
        let o = &s.overall;
        assert_eq!((o.processes, o.completed, o.killed), (3, 2, 1));
        assert!((o.kill_rate.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        // Stretches 4/3, 1, 2: mean 13/9; rank ⌈0.95·3⌉ = 3 → 2.
        assert!((o.mean_stretch.unwrap() - 13.0 / 9.0).abs() < 1e-12);
        assert_eq!(o.p95_stretch, Some(2.0));
        // Pool: 60 + 60 process·s over 60 s = 2; at 10 s three processes at once; busy
        // node-time 40 + 60 = 100 s of 2 × 60.
        assert_eq!((o.mean_active, o.max_active), (Some(2.0), 3));
        assert!((o.busy_share.unwrap() - 5.0 / 6.0).abs() < 1e-12);
        assert!((o.utilisation.unwrap() - 5.0 / 6.0).abs() < 1e-12);

        let json = serde_json::to_value(s).unwrap();
        assert_eq!(json["processes"], 3, "pool figures flattened: {json}");
        assert_eq!(json["killed"], 1);
        assert_eq!(json["assignment"], "round_robin");
        assert_eq!(json["per_node"][1]["node"], 1);
        assert_eq!(json["per_node"][1]["kill_rate"], 1.0);
    }

    #[test]
    fn csv_has_one_exact_row_per_process() {
        let mut buf = Vec::new();
        write_login_csv(&mut buf, &small_case()).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "proc_id,user,node,arrival,end,cpu_demand,cpu_used,outcome,stretch\n\
             1,1,0,0,40,30,30,completed,1.3333\n\
             2,2,1,0,60,100,60,killed,1\n\
             3,1,0,10,30,10,10,completed,2\n"
        );
        // Fractions of seconds are kept (1.25 s + 1.5 s of CPU alone = 2.75 s); a process
        // needing nothing leaves on arrival with stretch 1.
        let r = run(&[p(9, 4, 1_250, 1_500), p(10, 4, 1_250, 0)], &cfg(1, 1, None, Assignment::RoundRobin));
        let mut buf = Vec::new();
        write_login_csv(&mut buf, &r).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(text.lines().nth(1), Some("9,4,0,1.25,2.75,1.5,1.5,completed,1"));
        assert_eq!(text.lines().nth(2), Some("10,4,0,1.25,1.25,0,0,completed,1"));
        let rec = ProcRecord { end: SimTime(300_075), ..r.records[0].clone() };
        // (300.075 − 1.25) s over 1.5 s = 199.21666… → 199.2167.
        assert_eq!(stretch_e4(&rec), 1_992_167);
    }

    #[test]
    fn bad_configurations_and_inputs_are_errors() {
        let ok = cfg(1, 1, Some(1), Assignment::RoundRobin);
        let sim = |procs: &[LoginProcess], c: &LoginConfig, every| simulate(procs, c, &mut stream(1, 0, "x"), every);
        assert_eq!(sim(&[], &LoginConfig { nodes: 0, ..ok }, None), Err(LoginError::NoNodes));
        assert_eq!(sim(&[], &LoginConfig { cores: 0, ..ok }, None), Err(LoginError::NoCores));
        for bad in [0, -5] {
            let c = LoginConfig { cpu_limit: Some(SimDuration(bad)), ..ok };
            assert_eq!(c.validate(), Err(LoginError::NonPositiveLimit(SimDuration(bad))));
            assert_eq!(
                sim(&[], &ok, Some(SimDuration(bad))),
                Err(LoginError::NonPositiveSampleInterval(SimDuration(bad)))
            );
        }
        assert_eq!(
            sim(&[p(1, 1, 5, 1), p(2, 1, 4, 1)], &ok, None),
            Err(LoginError::Unsorted { index: 1, id: 2, arrival: SimTime(4) })
        );
        assert!(matches!(sim(&[p(2, 1, 5, 1), p(1, 1, 5, 1)], &ok, None), Err(LoginError::Unsorted { index: 1, .. })));
        assert!(matches!(sim(&[p(1, 1, -1, 1)], &ok, None), Err(LoginError::NegativeArrival { .. })));
        assert!(matches!(sim(&[p(1, 1, 0, -1)], &ok, None), Err(LoginError::NegativeDemand { .. })));
        let none = LoginConfig { cpu_limit: None, ..ok };
        assert_eq!(sim(&[p(1, 1, 0, i64::MAX)], &none, None), Err(LoginError::TooLong));
        assert_eq!(sim(&[p(1, 1, i64::MAX - 1, 1)], &none, None), Err(LoginError::TooLong));
        // The limit caps the work counted against the horizon.
        assert!(sim(&[p(1, 1, 0, i64::MAX)], &ok, None).is_ok());
        let msg = LoginError::Unsorted { index: 1, id: 2, arrival: SimTime(4) }.to_string();
        assert!(msg.contains("sorted by arrival"), "{msg}");
    }

    #[test]
    fn no_processes_give_an_empty_run() {
        let r = simulate(&[], &cfg(2, 4, None, Assignment::LeastLoaded), &mut stream(1, 0, "x"), Some(SimDuration(S)))
            .unwrap();
        assert!(r.records.is_empty() && r.samples.is_empty());
        let o = &r.summary.overall;
        assert_eq!((o.processes, o.kill_rate, o.mean_stretch, o.mean_active), (0, None, None, None));
        assert_eq!(r.summary.last_end, None);
    }

    /// A seeded workload of `n` processes: exponential-ish gaps and demands, 50 users.
    fn workload(seed: u64, n: usize) -> Vec<LoginProcess> {
        let mut rng = stream(seed, 0, "login/test");
        let mut t = 0i64;
        (0..n)
            .map(|i| {
                t += rng.random_range(0..2_000);
                let demand =
                    if rng.random_bool(0.1) { rng.random_range(0..600_000) } else { rng.random_range(0..20_000) };
                p(i as u64, rng.random_range(0..50), t, demand)
            })
            .collect()
    }

    #[test]
    fn same_inputs_and_seed_give_identical_bytes() {
        let procs = workload(3, 20_000);
        for a in [Assignment::RoundRobin, Assignment::Random, Assignment::LeastLoaded] {
            let c = cfg(3, 4, Some(300 * S), a);
            let bytes = || {
                let r = simulate(&procs, &c, &mut stream(9, 0, "login/assign"), Some(SimDuration(60 * S))).unwrap();
                let mut buf = Vec::new();
                write_login_csv(&mut buf, &r).unwrap();
                serde_json::to_writer(&mut buf, &r.summary).unwrap();
                for s in &r.samples {
                    buf.extend(format!("{:?}", s).bytes());
                }
                buf
            };
            assert_eq!(bytes(), bytes(), "{a:?}");
        }
    }

    #[test]
    fn invariants_hold_on_a_busy_pool() {
        let procs = workload(4, 20_000);
        let c = cfg(2, 3, Some(120 * S), Assignment::LeastLoaded);
        let r = run(&procs, &c);
        for (rec, pr) in r.records.iter().zip(&procs) {
            // Never faster than a whole core; the CPU used is the demand capped by the limit.
            assert!(rec.end - rec.arrival >= rec.cpu_used, "{rec:?}");
            assert_eq!(rec.cpu_used, pr.cpu_demand.min(SimDuration(120 * S)));
            assert_eq!(rec.outcome == ProcOutcome::Killed, pr.cpu_demand > SimDuration(120 * S));
        }
        // With as many cores as processes can ever be present, nobody shares.
        let wide = run(&procs, &cfg(1, 100_000, None, Assignment::RoundRobin));
        assert!(wide.records.iter().all(|r| r.end == r.arrival + r.cpu_demand));
    }

    /// An independent model of the same rule, stepping one millisecond at a time with
    /// service in units of 1/27720 ms (27720 = lcm(1..12), so shares c/n with n ≤ 12 are
    /// whole units): at each whole millisecond, processes whose service reached their target
    /// leave, then arrivals are placed one by one (one needing nothing leaves at once).
    fn brute_force(procs: &[LoginProcess], c: &LoginConfig) -> (Vec<u32>, Vec<i64>) {
        const L: i64 = 27_720;
        let n = procs.len();
        let (mut node, mut end) = (vec![0u32; n], vec![-1i64; n]);
        let mut service = vec![0i64; n];
        let target: Vec<i64> = procs.iter().map(|p| work(p.cpu_demand, c.cpu_limit).0 * L).collect();
        let mut active: Vec<Vec<usize>> = vec![Vec::new(); c.nodes as usize];
        let mut pinned = std::collections::BTreeMap::new();
        let (mut next, mut t) = (0, 0i64);
        while next < n || active.iter().any(|a| !a.is_empty()) {
            for a in active.iter_mut() {
                a.retain(|&i| {
                    let done = service[i] >= target[i];
                    if done {
                        end[i] = t;
                    }
                    !done
                });
            }
            while next < n && procs[next].arrival.0 == t {
                let pr = &procs[next];
                let k = match c.assignment {
                    Assignment::RoundRobin => {
                        let len = pinned.len() as u32;
                        *pinned.entry(pr.user).or_insert(len % c.nodes)
                    }
                    Assignment::LeastLoaded => (0..c.nodes).min_by_key(|&k| (active[k as usize].len(), k)).unwrap(),
                    Assignment::Random => unreachable!("not modelled"),
                };
                node[next] = k;
                if target[next] == 0 {
                    end[next] = t;
                } else {
                    active[k as usize].push(next);
                }
                next += 1;
            }
            for a in &active {
                let (cnt, cores) = (a.len() as i64, i64::from(c.cores));
                for &i in a {
                    service[i] += if cnt <= cores { L } else { L * cores / cnt };
                }
            }
            t += 1;
        }
        (node, end)
    }

    #[test]
    fn agrees_with_a_millisecond_stepping_model() {
        let mut rng = stream(11, 0, "login/brute");
        for case in 0..600 {
            let n = rng.random_range(1..=12);
            let mut procs: Vec<LoginProcess> = (0..n)
                .map(|i| p(i, rng.random_range(0..4), rng.random_range(0..40), rng.random_range(0..30)))
                .collect();
            procs.sort_by_key(|p| (p.arrival, p.id));
            let assignment = if rng.random_bool(0.5) { Assignment::RoundRobin } else { Assignment::LeastLoaded };
            let limit = rng.random_bool(0.5).then(|| rng.random_range(1..25));
            let c = cfg(rng.random_range(1..=2), rng.random_range(1..=3), limit, assignment);
            let r = run(&procs, &c);
            let (node, end) = brute_force(&procs, &c);
            assert_eq!((nodes_of(&r), ends(&r)), (node, end), "case {case}: {c:?} {procs:?}");
        }
    }

    /// `cargo test --release --lib cluster::login::tests::million -- --ignored --nocapture`
    #[test]
    #[ignore = "timing, run in release by hand"]
    fn million_processes() {
        let procs = workload(1, 1_000_000);
        for a in [Assignment::RoundRobin, Assignment::Random, Assignment::LeastLoaded] {
            let c = cfg(2, 16, Some(300 * S), a);
            let t0 = std::time::Instant::now();
            let r = simulate(&procs, &c, &mut stream(1, 0, "login/assign"), Some(SimDuration(60 * S))).unwrap();
            let dt = t0.elapsed();
            println!(
                "{a:?}: {} processes in {dt:?}, {} samples, {:?}",
                r.records.len(),
                r.samples.len(),
                r.summary.overall
            );
        }
    }
}
