//! Summary statistics of a loaded workload (`schedsim inspect`): what an administrator checks
//! before trusting a trace for a what-if study — size, span, offered load, unknown values.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Serialize, Serializer};

use crate::time::{SimDuration, SimTime};
use crate::workload::sacct::{Machine, SacctStats};
use crate::workload::Workload;

/// Where the machine size used for load and width figures came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum MachineSizeFrom {
    /// Given by the caller (scenario or command line).
    #[serde(rename = "argument")]
    Argument,
    /// The trace's `MaxProcs` header.
    MaxProcs,
    /// The trace's `MaxNodes` header, for traces that only give nodes (one core per node).
    MaxNodes,
}

impl MachineSizeFrom {
    fn describe(self) -> &'static str {
        match self {
            MachineSizeFrom::Argument => "as given",
            MachineSizeFrom::MaxProcs => "from MaxProcs",
            MachineSizeFrom::MaxNodes => "from MaxNodes, no MaxProcs in the trace",
        }
    }
}

/// Figures describing a workload. Times serialise as seconds (`*_s`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceStats {
    pub name: String,
    /// Jobs loaded (after skips).
    pub jobs: u64,
    /// Records the reader skipped, by reason.
    pub skipped: BTreeMap<String, u64>,
    pub skipped_total: u64,
    /// Machine size in processors, if known from the argument or the trace.
    pub machine_procs: Option<u32>,
    pub machine_procs_from: Option<MachineSizeFrom>,
    #[serde(rename = "first_submit_s", serialize_with = "opt_time_secs")]
    pub first_submit: Option<SimTime>,
    #[serde(rename = "last_submit_s", serialize_with = "opt_time_secs")]
    pub last_submit: Option<SimTime>,
    /// Last submit minus first submit.
    #[serde(rename = "span_s", serialize_with = "duration_secs")]
    pub span: SimDuration,
    /// Sum over jobs of procs × min(runtime, requested time): what the machine must deliver.
    pub work_core_seconds: f64,
    /// work / (machine procs × span); `None` without a machine size or with a zero span.
    /// Above ~1 the queue can only grow over the trace.
    pub offered_load: Option<f64>,
    /// Jobs whose requested time was unknown and set to their run time (perfect estimates).
    pub lacking_requested_time: u64,
    /// Jobs whose requested processors were unknown and set to the allocated count.
    pub lacking_requested_procs: u64,
    /// Jobs asking for more processors than the machine has; the engine rejects them.
    pub wider_than_machine: Option<u64>,
    /// Widest job, in processors.
    pub max_job_procs: u64,
    pub mean_procs: f64,
    #[serde(rename = "mean_runtime_s")]
    pub mean_runtime: f64,
    #[serde(rename = "mean_requested_time_s")]
    pub mean_requested_time: f64,
    /// Jobs with a run time of zero (they start and end at the same instant).
    pub zero_runtime: u64,
    /// Jobs whose run time exceeds their request: the simulation kills them at the request.
    pub past_request: u64,
    /// Distinct known user ids (field 12 not −1).
    pub users: u64,
    /// The reader's notes on defaults applied.
    pub notes: Vec<String>,
    /// The trace's own `Note:` header lines (with their continuation lines): caveats from
    /// whoever converted the log, such as "submit times are actually start times".
    pub trace_notes: Vec<String>,
}

fn opt_time_secs<S: Serializer>(t: &Option<SimTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_some(&t.as_secs_f64()),
        None => s.serialize_none(),
    }
}

fn duration_secs<S: Serializer>(d: &SimDuration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// Computes the statistics of `w`. The machine size is `machine_procs` if given, else the
/// trace's `MaxProcs`, else its `MaxNodes`.
pub fn inspect(w: &Workload, machine_procs: Option<u32>) -> TraceStats {
    let (machine, from) = match (machine_procs, w.max_procs, w.max_nodes) {
        (Some(p), _, _) => (Some(p), Some(MachineSizeFrom::Argument)),
        (None, Some(p), _) => (Some(p), Some(MachineSizeFrom::MaxProcs)),
        (None, None, Some(n)) => (Some(n), Some(MachineSizeFrom::MaxNodes)),
        (None, None, None) => (None, None),
    };

    // Jobs are in arrival order, but a hand-built workload might not be: scan, do not assume.
    let first_submit = w.jobs.iter().map(|j| j.submit).min();
    let last_submit = w.jobs.iter().map(|j| j.submit).max();
    let span = match (first_submit, last_submit) {
        (Some(a), Some(b)) => b - a,
        _ => SimDuration::ZERO,
    };

    // Integer sums: exact and independent of job order (floats would be neither).
    let mut work_core_ms: u128 = 0;
    let mut procs_sum: u128 = 0;
    let mut runtime_ms_sum: i128 = 0;
    let mut requested_ms_sum: i128 = 0;
    let mut max_job_procs = 0u64;
    let mut wider = 0u64;
    let mut zero_runtime = 0u64;
    let mut past_request = 0u64;
    let mut users = BTreeSet::new();
    for j in &w.jobs {
        let eff = j.effective_runtime().0.max(0) as u128;
        work_core_ms += u128::from(j.procs()) * eff;
        procs_sum += u128::from(j.procs());
        runtime_ms_sum += i128::from(j.runtime.0);
        requested_ms_sum += i128::from(j.requested_time.0);
        max_job_procs = max_job_procs.max(j.procs());
        if machine.is_some_and(|m| j.procs() > u64::from(m)) {
            wider += 1;
        }
        if j.runtime == SimDuration::ZERO {
            zero_runtime += 1;
        }
        if j.hits_walltime() {
            past_request += 1;
        }
        if j.meta.user != -1 {
            users.insert(j.meta.user);
        }
    }

    let n = w.jobs.len() as u64;
    let mean = |sum: f64| if n == 0 { 0.0 } else { sum / n as f64 };
    let work_core_seconds = work_core_ms as f64 / 1000.0;
    let offered_load = match machine {
        Some(m) if m > 0 && span > SimDuration::ZERO => Some(work_core_seconds / (f64::from(m) * span.as_secs_f64())),
        _ => None,
    };

    TraceStats {
        name: w.name.clone(),
        jobs: n,
        skipped: w.skipped.clone(),
        skipped_total: w.skipped_total(),
        machine_procs: machine,
        machine_procs_from: from,
        first_submit,
        last_submit,
        span,
        work_core_seconds,
        offered_load,
        lacking_requested_time: w.lacking_requested_time,
        lacking_requested_procs: w.lacking_requested_procs,
        wider_than_machine: machine.map(|_| wider),
        max_job_procs,
        mean_procs: mean(procs_sum as f64),
        mean_runtime: mean(runtime_ms_sum as f64 / 1000.0),
        mean_requested_time: mean(requested_ms_sum as f64 / 1000.0),
        zero_runtime,
        past_request,
        users: users.len() as u64,
        notes: w.notes.clone(),
        trace_notes: trace_notes(&w.header),
    }
}

/// `Note:` header lines, each joined with the indented lines that continue it.
fn trace_notes(header: &[String]) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    let mut in_note = false;
    for line in header {
        let text = line.trim();
        let continues = line.starts_with(|c: char| c.is_whitespace()) && !text.is_empty();
        if let Some(body) = text.strip_prefix("Note:") {
            notes.push(body.trim().to_string());
            in_note = true;
        } else if continues && in_note {
            if let Some(last) = notes.last_mut() {
                last.push(' ');
                last.push_str(text);
            }
        } else {
            in_note = false;
        }
    }
    notes
}

/// `1234567` → `1,234,567`: large counts are read at a glance.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A time in seconds with grouped thousands and its fraction kept: `31,656,837.5`.
fn grouped_secs(t: impl fmt::Display) -> String {
    let text = t.to_string();
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    match whole.parse::<u64>() {
        Ok(w) if frac.is_empty() => format!("{sign}{}", grouped(w)),
        Ok(w) => format!("{sign}{}.{frac}", grouped(w)),
        Err(_) => text,
    }
}

fn core_hours(h: f64) -> String {
    if h < 100.0 {
        format!("{h:.1}")
    } else {
        grouped(h.round() as u64)
    }
}

/// A length of time in the unit a person would use: `45 s`, `12.5 min`, `3.2 h`, `4.1 d`.
fn human_secs(secs: f64) -> String {
    let a = secs.abs();
    if a < 60.0 {
        format!("{secs:.0} s")
    } else if a < 3_600.0 {
        format!("{:.1} min", secs / 60.0)
    } else if a < 86_400.0 {
        format!("{:.1} h", secs / 3_600.0)
    } else {
        format!("{:.1} d", secs / 86_400.0)
    }
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        String::new()
    } else {
        format!(" ({:.1}%)", 100.0 * part as f64 / whole as f64)
    }
}

impl fmt::Display for TraceStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const W: usize = 20;
        let row = |f: &mut fmt::Formatter<'_>, label: &str, value: String| writeln!(f, "{label:<W$}{value}");
        row(f, "trace", self.name.clone())?;
        row(f, "jobs", grouped(self.jobs))?;
        if self.skipped_total == 0 {
            row(f, "skipped", "none".to_string())?;
        } else {
            row(f, "skipped", grouped(self.skipped_total))?;
            for (reason, n) in &self.skipped {
                row(f, "", format!("  {} {reason}", grouped(*n)))?;
            }
        }
        match (self.machine_procs, self.machine_procs_from) {
            (Some(m), Some(from)) => {
                row(f, "machine", format!("{} processors ({})", grouped(u64::from(m)), from.describe()))?
            }
            _ => row(f, "machine", "unknown (no MaxProcs or MaxNodes; give it)".to_string())?,
        }
        if let (Some(a), Some(b)) = (self.first_submit, self.last_submit) {
            row(f, "submits", format!("{} s to {} s", grouped_secs(a), grouped_secs(b)))?;
            let span = self.span.as_secs_f64();
            row(f, "span", format!("{} s ({})", grouped_secs(self.span), human_secs(span)))?;
        }
        row(
            f,
            "work",
            format!(
                "{} core-s ({} core-h)",
                grouped(self.work_core_seconds.round() as u64),
                core_hours(self.work_core_seconds / 3_600.0)
            ),
        )?;
        match self.offered_load {
            Some(load) => row(f, "offered load", format!("{load:.3} (work / (machine × span))"))?,
            None => row(f, "offered load", "unknown (needs a machine size and a span > 0)".to_string())?,
        }
        row(f, "job size", format!("max {}, mean {:.1} processors", grouped(self.max_job_procs), self.mean_procs))?;
        if let Some(wider) = self.wider_than_machine {
            let tail = if wider > 0 { ", rejected by the simulation" } else { "" };
            row(f, "wider than machine", format!("{}{}{tail}", grouped(wider), percent(wider, self.jobs)))?;
        }
        row(f, "mean run time", format!("{:.0} s ({})", self.mean_runtime, human_secs(self.mean_runtime)))?;
        row(
            f,
            "mean requested",
            format!("{:.0} s ({})", self.mean_requested_time, human_secs(self.mean_requested_time)),
        )?;
        row(f, "zero run time", format!("{}{}", grouped(self.zero_runtime), percent(self.zero_runtime, self.jobs)))?;
        row(
            f,
            "past request",
            format!(
                "{}{} (killed at their requested time)",
                grouped(self.past_request),
                percent(self.past_request, self.jobs)
            ),
        )?;
        row(
            f,
            "no requested time",
            format!(
                "{}{} (set to run time)",
                grouped(self.lacking_requested_time),
                percent(self.lacking_requested_time, self.jobs)
            ),
        )?;
        row(
            f,
            "no requested procs",
            format!(
                "{}{} (set to allocated)",
                grouped(self.lacking_requested_procs),
                percent(self.lacking_requested_procs, self.jobs)
            ),
        )?;
        row(f, "users", grouped(self.users))?;
        for note in &self.notes {
            row(f, "note", note.clone())?;
        }
        for note in &self.trace_notes {
            row(f, "trace note", note.clone())?;
        }
        Ok(())
    }
}

/// What `inspect` prints about an sacct export beyond [`TraceStats`]: records, steps,
/// classes and the rules behind them, states, what was left out and why, partitions, users,
/// and the machine the export shows as a scenario snippet to start from.
pub fn sacct_text(s: &SacctStats) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let list = |m: &BTreeMap<String, u64>| {
        if m.is_empty() {
            "none".to_string()
        } else {
            m.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
        }
    };
    const W: usize = 20;
    let mut row = |label: &str, value: String| {
        let _ = writeln!(out, "{label:<W$}{value}");
    };
    row(
        "sacct records",
        format!("{} ({} allocations, {} steps folded into their jobs)", s.records, s.allocations, s.steps),
    );
    row("steps", list(&s.steps_by_kind));
    row("arrays", format!("{} array tasks, {} pending array ranges (skipped)", s.array_tasks, s.pending_array_ranges));
    row("het components", s.het_components.to_string());
    row("states", list(&s.states));
    row("jobs by class", list(&s.jobs_by_class));
    for (rule, n) in &s.jobs_by_rule {
        row("  classified by", format!("{rule}: {n}"));
    }
    row("never started", format!("{} cancelled before they started", s.cancelled_before_start));
    row("skipped", list(&s.skipped));
    row("rejected", list(&s.rejected));
    for b in &s.bad_records {
        row("  ", b.clone());
    }
    if s.repaired > 0 {
        let lines: Vec<String> = s.repaired_lines.iter().map(u64::to_string).collect();
        row("repaired", format!("{} records (first lines {})", s.repaired, lines.join(", ")));
    }
    if !s.limits_replaced.is_empty() {
        row("time limits", list(&s.limits_replaced));
    }
    row(
        "time span",
        format!(
            "{} .. {} (local time)",
            s.first_submit.as_deref().unwrap_or("-"),
            s.last_end.as_deref().unwrap_or("-")
        ),
    );
    row("partitions", list(&s.jobs_by_partition));
    row("users, accounts", format!("{}, {}", s.users, s.accounts));
    let m = &s.machine;
    row(
        "machine",
        format!("{} nodes × {} cores (from NodeList and the largest allocations)", m.node_count(), m.cores_per_node),
    );
    out.push('\n');
    out.push_str(&scenario_snippet(m));
    out
}

/// The machine an export shows, as `[[cluster.nodes]]` and `[[cluster.partitions]]` tables.
/// Nodes keep their names when these are one prefix numbered 1..n (`n1`..`n4`); otherwise they
/// become `node1`.. in natural order, and a comment maps them.
pub fn scenario_snippet(m: &Machine) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let count = m.node_count();
    let prefix = m.nodes.first().map(|n| n.trim_end_matches(|c: char| c.is_ascii_digit())).unwrap_or("");
    let keeps_names = !prefix.is_empty()
        && m.nodes.iter().enumerate().all(|(i, n)| *n == format!("{prefix}{}", i + 1))
        && count as usize == m.nodes.len();
    let group = if keeps_names { prefix } else { "node" };
    let _ = writeln!(out, "# The machine the export shows: a start for a scenario (check memory and limits).");
    if !keeps_names && !m.nodes.is_empty() {
        let shown: Vec<String> =
            m.nodes.iter().take(8).enumerate().map(|(i, n)| format!("{group}{} = {n}", i + 1)).collect();
        let more = if m.nodes.len() > 8 { ", ..." } else { "" };
        let _ = writeln!(out, "# {}{more}", shown.join(", "));
    }
    let mem_gb = (m.memory_per_node_mib.div_ceil(1024)).max(1);
    let _ = writeln!(
        out,
        "[[cluster.nodes]]\nname = {group:?}\ncount = {}\ncores = {}\nmemory = \"{mem_gb}GB\"",
        count.max(1),
        m.cores_per_node.max(1)
    );
    for (name, ids) in &m.partitions {
        let nodes = if ids.len() as u32 == count {
            format!("{group:?}")
        } else {
            let mut ranges = Vec::new();
            let mut i = 0;
            while i < ids.len() {
                let mut j = i;
                while j + 1 < ids.len() && ids[j + 1] == ids[j] + 1 {
                    j += 1;
                }
                ranges.push(if i == j { format!("{}", ids[i] + 1) } else { format!("{}-{}", ids[i] + 1, ids[j] + 1) });
                i = j + 1;
            }
            format!("\"{group}[{}]\"", ranges.join(","))
        };
        let _ = writeln!(out, "\n[[cluster.partitions]]\nname = {name:?}\nnodes = [{nodes}]");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::job::Job;

    fn secs(s: i64) -> SimDuration {
        SimDuration::from_secs(s)
    }

    /// Four jobs on a 10-processor machine over 1000 s; figures worked out by hand below.
    fn small() -> Workload {
        let mut jobs = vec![
            // procs, runtime, requested → effective
            Job::new(1, SimTime(0), secs(100), secs(200), 4), // 4 × 100 = 400
            Job::new(2, SimTime(250_000), secs(300), secs(100), 2), // killed: 2 × 100 = 200
            Job::new(3, SimTime(500_000), secs(0), secs(60), 1), // 0
            Job::new(4, SimTime(1_000_000), secs(50), secs(50), 12), // wider: 12 × 50 = 600
        ];
        jobs[0].meta.user = 7;
        jobs[1].meta.user = 7;
        jobs[2].meta.user = 9;
        let mut w = Workload {
            name: "small.swf".to_string(),
            jobs,
            max_procs: Some(10),
            max_nodes: Some(5),
            lacking_requested_time: 1,
            lacking_requested_procs: 2,
            header: vec![
                "MaxProcs: 10".to_string(),
                "Note: submit times".to_string(),
                "      are actually start times".to_string(),
            ],
            // Not listing every field keeps this test valid when `Workload` grows.
            ..Workload::default()
        };
        w.skipped.insert("unknown run time".to_string(), 3);
        w.notes.push("requested time unknown for 1 job".to_string());
        w
    }

    #[test]
    fn figures_match_hand_computation() {
        let s = inspect(&small(), None);
        assert_eq!(s.jobs, 4);
        assert_eq!(s.skipped_total, 3);
        assert_eq!(s.machine_procs, Some(10));
        assert_eq!(s.machine_procs_from, Some(MachineSizeFrom::MaxProcs));
        assert_eq!((s.first_submit, s.last_submit), (Some(SimTime(0)), Some(SimTime(1_000_000))));
        assert_eq!(s.span, secs(1000));
        assert_eq!(s.work_core_seconds, 1200.0);
        // 1200 / (10 × 1000)
        assert_eq!(s.offered_load, Some(0.12));
        assert_eq!(s.wider_than_machine, Some(1));
        assert_eq!(s.max_job_procs, 12);
        assert_eq!(s.mean_procs, 19.0 / 4.0);
        assert_eq!(s.mean_runtime, 450.0 / 4.0);
        assert_eq!(s.mean_requested_time, 410.0 / 4.0);
        assert_eq!((s.zero_runtime, s.past_request, s.users), (1, 1, 2));
        assert_eq!((s.lacking_requested_time, s.lacking_requested_procs), (1, 2));
    }

    #[test]
    fn machine_size_argument_then_maxprocs_then_maxnodes() {
        let mut w = small();
        let s = inspect(&w, Some(20));
        assert_eq!((s.machine_procs, s.machine_procs_from), (Some(20), Some(MachineSizeFrom::Argument)));
        assert_eq!(s.offered_load, Some(0.06));
        assert_eq!(s.wider_than_machine, Some(0));
        w.max_procs = None;
        let s = inspect(&w, None);
        assert_eq!((s.machine_procs, s.machine_procs_from), (Some(5), Some(MachineSizeFrom::MaxNodes)));
        assert_eq!(s.wider_than_machine, Some(1));
        w.max_nodes = None;
        let s = inspect(&w, None);
        assert_eq!((s.machine_procs, s.offered_load, s.wider_than_machine), (None, None, None));
    }

    #[test]
    fn empty_workload_does_not_divide_by_zero() {
        let s = inspect(&Workload::default(), Some(8));
        assert_eq!((s.jobs, s.first_submit, s.span), (0, None, SimDuration::ZERO));
        assert_eq!((s.mean_procs, s.mean_runtime, s.offered_load), (0.0, 0.0, None));
        assert!(!s.to_string().is_empty());
    }

    #[test]
    fn display_is_an_aligned_block() {
        let text = inspect(&small(), None).to_string();
        let expected = "\
trace               small.swf
jobs                4
skipped             3
                      3 unknown run time
machine             10 processors (from MaxProcs)
submits             0 s to 1,000 s
span                1,000 s (16.7 min)
work                1,200 core-s (0.3 core-h)
offered load        0.120 (work / (machine × span))
job size            max 12, mean 4.8 processors
wider than machine  1 (25.0%), rejected by the simulation
mean run time       112 s (1.9 min)
mean requested      102 s (1.7 min)
zero run time       1 (25.0%)
past request        1 (25.0%) (killed at their requested time)
no requested time   1 (25.0%) (set to run time)
no requested procs  2 (50.0%) (set to allocated)
users               2
note                requested time unknown for 1 job
trace note          submit times are actually start times
";
        assert_eq!(text, expected);
    }

    #[test]
    fn serialises_times_as_seconds() {
        let json = serde_json::to_value(inspect(&small(), None)).expect("serialisable");
        assert_eq!(json["first_submit_s"], 0.0);
        assert_eq!(json["last_submit_s"], 1000.0);
        assert_eq!(json["span_s"], 1000.0);
        assert_eq!(json["machine_procs_from"], "MaxProcs");
        assert_eq!(json["offered_load"], 0.12);
        assert_eq!(json["skipped"]["unknown run time"], 3);
    }

    #[test]
    fn trace_notes_join_their_continuation_lines() {
        let header: Vec<String> = [
            "Version: 2.2",
            "Note: Curie is composed of 3 types of nodes: thin, fat, and hybrid,",
            "Note: hybrid nodes are not taken into account in the MaxNodes",
            "\tand MaxProcs fields.",
            "MaxNodes: 5544",
            "Note: THIS IS A CLEANED VERSION OF THE LOG!",
            "",
            "      not a continuation: a blank line ended the note",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            trace_notes(&header),
            vec![
                "Curie is composed of 3 types of nodes: thin, fat, and hybrid,",
                "hybrid nodes are not taken into account in the MaxNodes and MaxProcs fields.",
                "THIS IS A CLEANED VERSION OF THE LOG!",
            ]
        );
    }

    #[test]
    fn grouping_and_units() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped_secs(SimTime(31_656_837_500)), "31,656,837.5");
        assert_eq!(grouped_secs(SimDuration(-1_234_000)), "-1,234");
        assert_eq!(human_secs(45.0), "45 s");
        assert_eq!(human_secs(750.0), "12.5 min");
        assert_eq!(human_secs(7_200.0), "2.0 h");
        assert_eq!(human_secs(172_800.0), "2.0 d");
    }
}
