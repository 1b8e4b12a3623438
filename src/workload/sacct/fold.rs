//! From sacct records to jobs (`slurm-spec.md` §D, issue 10): one job per allocation with its
//! steps folded in, states, times, limits, resources and identity read, and every record that
//! is not replayed counted by reason.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufRead, Read};
use std::path::Path;

use super::classify::{Evidence, Facts, Steps};
use super::fields::{self, JobKind, Limit, MemPer};
use super::records::{guess_delim, is_header, Fields, Layout, Record, Records};
use super::{Cancelled, Import, Machine, SacctOptions, SacctStats, QUOTED_BAD_RECORDS};
use crate::time::{SimDuration, SimTime};
use crate::workload::job::{sort_by_arrival, Job, JobClass, JobMeta};
use crate::workload::swf::MAX_LINE_BYTES;
use crate::workload::{Workload, WorkloadError};

/// Reasons under which records are counted in [`SacctStats::skipped`] (and the workload's).
pub const SKIP_PENDING_ARRAY: &str = "sacct: pending array range (tasks that never started)";
pub const SKIP_CANCELLED_BATCH: &str = "sacct: cancelled before it started (not interactive)";
pub const SKIP_CANCELLED_DROP: &str = "sacct: cancelled before it started (--cancelled drop)";
pub const SKIP_CANCELLED_NO_END: &str = "sacct: cancelled before it started, with no end time";
pub const SKIP_ORPHAN_STEPS: &str = "sacct: step records whose job record is absent";

/// States replayed with the runtime they had.
const RAN: [&str; 9] =
    ["COMPLETED", "FAILED", "OUT_OF_MEMORY", "NODE_FAIL", "TIMEOUT", "CANCELLED", "PREEMPTED", "BOOT_FAIL", "DEADLINE"];
/// Known states of jobs that had not ended when exported: skipped and counted by state.
const UNFINISHED: [&str; 16] = [
    "PENDING",
    "RUNNING",
    "REQUEUED",
    "SUSPENDED",
    "COMPLETING",
    "CONFIGURING",
    "RESIZING",
    "REQUEUE_FED",
    "REQUEUE_HOLD",
    "SPECIAL_EXIT",
    "STOPPED",
    "REVOKED",
    "RESV_DEL_HOLD",
    "SIGNALING",
    "STAGE_OUT",
    "EXPEDITING",
];

/// What a replay needs, said when an export lacks it.
const NEEDS: &str = "a replay needs JobID, Submit, Start, End (or Elapsed) and NCPUS (or AllocCPUS, \
                     AllocTRES, ReqTRES, ReqCPUS); export with e.g. `sacct -P -o JobID,JobIDRaw,JobName,User,\
                     Account,Partition,QOS,Submit,Start,End,Elapsed,Timelimit,NCPUS,NNodes,ReqTRES,AllocTRES,\
                     State,SubmitLine,NodeList,Flags`";

/// Column indices of the fields the fold reads.
struct Cols {
    jobid: usize,
    jobidraw: Option<usize>,
    name: Option<usize>,
    user: Option<usize>,
    uid: Option<usize>,
    gid: Option<usize>,
    account: Option<usize>,
    partition: Option<usize>,
    qos: Option<usize>,
    submit: usize,
    start: usize,
    end: Option<usize>,
    elapsed: Option<usize>,
    timelimit: Option<usize>,
    ncpus: Option<usize>,
    nnodes: Option<usize>,
    reqcpus: Option<usize>,
    reqmem: Option<usize>,
    reqtres: Option<usize>,
    alloctres: Option<usize>,
    state: Option<usize>,
    submit_line: Option<usize>,
    nodelist: Option<usize>,
    flags: Option<usize>,
}

impl Cols {
    fn new(l: &Layout, file: &Path) -> Result<Cols, WorkloadError> {
        let c = |n: &str| l.column(n);
        let either = |a: &str, b: &str| c(a).or_else(|| c(b));
        let missing: Vec<&str> = [("JobID", c("jobid")), ("Submit", c("submit")), ("Start", c("start"))]
            .into_iter()
            .filter(|(_, i)| i.is_none())
            .map(|(n, _)| n)
            .collect();
        let no_end = c("end").is_none() && c("elapsed").is_none();
        let no_cores = ["ncpus", "alloccpus", "alloctres", "reqtres", "reqcpus"].iter().all(|n| c(n).is_none());
        if !missing.is_empty() || no_end || no_cores {
            let mut lacks: Vec<&str> = missing;
            if no_end {
                lacks.push("End or Elapsed");
            }
            if no_cores {
                lacks.push("a core count");
            }
            return Err(WorkloadError::NotReplayable {
                file: file.to_path_buf(),
                reason: format!(
                    "it lacks {} (its fields: {}); {NEEDS}",
                    match lacks.split_last() {
                        Some((last, [])) => last.to_string(),
                        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                        None => unreachable!("something is missing"),
                    },
                    l.names.join(",")
                ),
            });
        }
        Ok(Cols {
            jobid: c("jobid").expect("checked"),
            jobidraw: c("jobidraw"),
            name: c("jobname"),
            user: c("user"),
            uid: c("uid"),
            gid: c("gid"),
            account: c("account"),
            partition: c("partition"),
            qos: c("qos"),
            submit: c("submit").expect("checked"),
            start: c("start").expect("checked"),
            end: c("end"),
            elapsed: c("elapsed"),
            timelimit: c("timelimit"),
            ncpus: either("ncpus", "alloccpus"),
            nnodes: either("nnodes", "allocnodes"),
            reqcpus: c("reqcpus"),
            reqmem: c("reqmem"),
            reqtres: c("reqtres"),
            alloctres: c("alloctres"),
            state: c("state"),
            submit_line: c("submitline"),
            nodelist: c("nodelist"),
            flags: c("flags"),
        })
    }
}

/// FNV-1a for the lookup maps keyed by short strings of the file (job ids, names, host lists).
/// std's SipHash guards against hash flooding, which a local file cannot mount, and cost 7% of
/// the reader's time. The maps are only looked up, never iterated, so no output depends on it.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Host lists already expanded, with their node ids: most allocations repeat one seen before,
/// and expanding and interning each host again was a tenth of the reader's time. Capped, so a
/// file of distinct lists cannot grow it without bound.
const HOSTLIST_CACHE: usize = 1 << 16;

/// Names in first-appearance order; lookups only, so the map's order never shows.
#[derive(Default)]
struct Names {
    index: Map<Box<str>, u32>,
    names: Vec<String>,
}

impl Names {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.index.insert(s.into(), i);
        self.names.push(s.to_string());
        i
    }
}

/// An allocation record read, before the end of the file tells its steps.
struct Draft {
    line: u64,
    label: Box<str>,
    raw_id: Option<u64>,
    submit: i64,
    start: Option<i64>,
    end: Option<i64>,
    limit: Limit,
    cores: u32,
    mem_mib: f64,
    timeout: bool,
    status: i64,
    uid: Option<u32>,
    gid: Option<u32>,
    user: Option<u32>,
    account: Option<u32>,
    partition: Option<u32>,
    qos: Option<u32>,
    evidence: Evidence,
    steps: Steps,
}

/// A rejection: the field and what it should have held.
struct Bad {
    reason: &'static str,
    field: String,
    expected: &'static str,
    found: String,
}

struct Folder<'o> {
    opts: &'o SacctOptions,
    stats: SacctStats,
    drafts: Vec<Draft>,
    /// Each allocation's JobID text → its draft (`u32::MAX` for one not replayed), for its steps.
    allocs: Map<Box<str>, u32>,
    hostlists: Map<Box<str>, Box<[u32]>>,
    users: Names,
    accounts: Names,
    qos: Names,
    partitions: Names,
    nodes: Names,
    part_nodes: BTreeMap<u32, BTreeSet<u32>>,
    machine: Machine,
    first_submit: Option<(i64, String)>,
    last_end: Option<(i64, String)>,
}

fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_string(), 1);
        }
    }
}

/// Reads the export from `reader` and folds it into jobs.
pub fn fold<R: BufRead>(mut reader: R, file: &Path, opts: &SacctOptions) -> Result<Import, WorkloadError> {
    let io = |error| WorkloadError::Io { file: file.to_path_buf(), error };
    // The first non-blank line: the header, or the first record of a --noheader export.
    let first: String;
    let mut header_lines = 0u64;
    loop {
        let mut raw = Vec::new();
        let n = (&mut reader).take(MAX_LINE_BYTES + 1).read_until(b'\n', &mut raw).map_err(io)?;
        if n == 0 {
            return Err(WorkloadError::NoJobs { file: file.to_path_buf(), reason: "the file is empty".into() });
        }
        header_lines += 1;
        if n as u64 > MAX_LINE_BYTES {
            return Err(WorkloadError::LineTooLong {
                file: file.to_path_buf(),
                line: header_lines,
                max: MAX_LINE_BYTES,
            });
        }
        let line = String::from_utf8_lossy(&raw);
        let line = line.trim_end_matches(['\n', '\r']);
        if !line.trim().is_empty() {
            first = line.to_string();
            break;
        }
    }
    let delim = match &opts.delimiter {
        Some(d) if !d.is_empty() => d.clone(),
        _ => guess_delim(&first).ok_or_else(|| WorkloadError::Header {
            file: file.to_path_buf(),
            line: header_lines,
            key: "delimiter".into(),
            expected: "fields separated by | or a tab (or give the delimiter)",
            found: first.chars().take(80).collect(),
        })?,
    };
    let (layout, replay_first) = if is_header(&first, &delim) {
        let mut names: Vec<String> = first.split(delim.as_str()).map(|s| s.trim().to_string()).collect();
        let trailing = names.len() > 1 && names.last().is_some_and(String::is_empty);
        if trailing {
            names.pop();
        }
        (Layout::new(names, delim, trailing), false)
    } else {
        let Some(names) = &opts.fields else {
            return Err(WorkloadError::Header {
                file: file.to_path_buf(),
                line: header_lines,
                key: "fields".into(),
                expected: "a header line naming JobID, or the field list of a --noheader export \
                           (--sacct-fields, or the source's `fields` key)",
                found: first.chars().take(80).collect(),
            });
        };
        (Layout::new(names.clone(), delim, false), true)
    };
    let cols = Cols::new(&layout, file)?;
    let mut f = Folder {
        opts,
        stats: SacctStats::default(),
        drafts: Vec::new(),
        allocs: Map::default(),
        hostlists: Map::default(),
        users: Names::default(),
        accounts: Names::default(),
        qos: Names::default(),
        partitions: Names::default(),
        nodes: Names::default(),
        part_nodes: BTreeMap::new(),
        machine: Machine::default(),
        first_submit: None,
        last_end: None,
    };
    // A --noheader export's first line is a record: read it again, from the start.
    let chained: Box<dyn BufRead + '_> = if replay_first {
        let mut again = first.clone().into_bytes();
        again.push(b'\n');
        Box::new(std::io::Cursor::new(again).chain(reader))
    } else {
        Box::new(reader)
    };
    let mut recs = Records::new(chained, layout, if replay_first { header_lines - 1 } else { header_lines });
    while let Some(rec) = recs.next_record().map_err(io)? {
        f.stats.records += 1;
        match rec {
            Record::Broken { line, found, expected } => {
                let why = if found < expected { "too few fields" } else { "too many fields" };
                f.reject(
                    file,
                    line,
                    Bad {
                        reason: "sacct: record whose fields cannot be told apart",
                        field: "(record)".into(),
                        expected: "as many fields as the header",
                        found: format!("{found} fields instead of {expected} ({why}, not repairable)"),
                    },
                );
            }
            Record::Fields { line, fields, repaired } => {
                if repaired.is_some() {
                    f.stats.repaired += 1;
                    if f.stats.repaired_lines.len() < QUOTED_BAD_RECORDS {
                        f.stats.repaired_lines.push(line);
                    }
                }
                if let Err(bad) = f.record(&cols, line, fields) {
                    f.reject(file, line, bad);
                }
            }
        }
    }
    f.finish(file)
}

impl Folder<'_> {
    fn reject(&mut self, file: &Path, line: u64, bad: Bad) {
        bump(&mut self.stats.rejected, bad.reason);
        if self.stats.bad_records.len() < QUOTED_BAD_RECORDS {
            let found: String = bad.found.chars().take(80).collect();
            self.stats.bad_records.push(format!(
                "{}:{line}: field {}: expected {}, found {found:?}",
                file.display(),
                bad.field,
                bad.expected
            ));
        }
    }

    fn record(&mut self, c: &Cols, line: u64, r: Fields<'_>) -> Result<(), Bad> {
        let jobid_text = r.get(c.jobid);
        let bad = |reason: &'static str, field: &str, expected: &'static str, found: &str| Bad {
            reason,
            field: field.to_string(),
            expected,
            found: found.to_string(),
        };
        let malformed = "sacct: malformed field";
        let id = fields::jobid(jobid_text).map_err(|_| bad(malformed, "JobID", fields::EXPECT_JOBID, jobid_text))?;
        if let Some(step) = id.step {
            self.stats.steps += 1;
            bump(&mut self.stats.steps_by_kind, step.as_str());
            match self.allocs.get(id.alloc) {
                Some(&k) if k != u32::MAX => self.drafts[k as usize].steps.add(step),
                Some(_) => {}
                None => {
                    self.stats.orphan_steps += 1;
                    bump(&mut self.stats.skipped, SKIP_ORPHAN_STEPS);
                }
            }
            return Ok(());
        }
        self.stats.allocations += 1;
        match id.kind {
            JobKind::PendingArray => {
                self.stats.pending_array_ranges += 1;
                bump(&mut self.stats.skipped, SKIP_PENDING_ARRAY);
                return Ok(());
            }
            JobKind::ArrayTask => self.stats.array_tasks += 1,
            JobKind::HetComponent => self.stats.het_components += 1,
            JobKind::Plain => {}
        }
        // Steps of a job that is not replayed still fold into it, not into the orphans.
        self.allocs.insert(id.alloc.into(), u32::MAX);

        let state_text = c.state.map(|i| r.get(i));
        let state = match state_text {
            None => "COMPLETED",
            Some(s) => s.split(' ').next().unwrap_or(""),
        };
        if let Some(text) = state_text {
            if !RAN.contains(&state) && !UNFINISHED.contains(&state) {
                bump(&mut self.stats.states, "(unknown)");
                return Err(bad(
                    "sacct: unknown state",
                    "State",
                    "a Slurm job state (COMPLETED, FAILED, TIMEOUT, CANCELLED, ...)",
                    text,
                ));
            }
            bump(&mut self.stats.states, state);
        }
        if UNFINISHED.contains(&state) {
            bump(&mut self.stats.skipped, &format!("sacct: state {state} at export"));
            return Ok(());
        }
        let date = |i: usize, name: &str| {
            let v = r.get(i);
            fields::date(v).map_err(|_| bad(malformed, name, fields::EXPECT_DATE, v))
        };
        let submit = date(c.submit, "Submit")?;
        let start = date(c.start, "Start")?;
        let mut end = match c.end {
            Some(i) => date(i, "End")?,
            None => None,
        };
        let Some(submit) = submit else {
            return Err(bad("sacct: no submit time", "Submit", fields::EXPECT_DATE, r.get(c.submit)));
        };
        if let Some(s) = start {
            if s < submit {
                return Err(bad("sacct: start before submit", "Start", "a time at or after Submit", r.get(c.start)));
            }
            if end.is_none() {
                if let Some(i) = c.elapsed {
                    let v = r.get(i);
                    let e = fields::duration(v).map_err(|_| bad(malformed, "Elapsed", fields::EXPECT_DURATION, v))?;
                    end = Some(s + e as i64);
                }
            }
            match end {
                None => return Err(bad("sacct: started but no end time", "End", fields::EXPECT_DATE, "Unknown")),
                Some(e) if e < s => {
                    let field = if c.end.is_some() { "End" } else { "Elapsed" };
                    return Err(bad("sacct: end before start", field, "a time at or after Start", &e.to_string()));
                }
                _ => {}
            }
        }
        let limit = match c.timelimit {
            Some(i) => {
                let v = r.get(i);
                fields::timelimit(v).map_err(|_| bad(malformed, "Timelimit", fields::EXPECT_TIMELIMIT, v))?
            }
            None => Limit::Absent,
        };
        let count = |i: Option<usize>, name: &str| -> Result<Option<u32>, Bad> {
            match i {
                None => Ok(None),
                Some(i) => {
                    let v = r.get(i);
                    fields::count(v).map_err(|_| bad(malformed, name, fields::EXPECT_COUNT, v))
                }
            }
        };
        let tres = |i: Option<usize>, name: &str| -> Result<fields::Tres, Bad> {
            match i {
                None => Ok(fields::Tres::default()),
                Some(i) => {
                    let v = r.get(i);
                    fields::tres(v).map_err(|_| bad(malformed, name, fields::EXPECT_TRES, v))
                }
            }
        };
        let alloc = tres(c.alloctres, "AllocTRES")?;
        let req = tres(c.reqtres, "ReqTRES")?;
        let ncpus = count(c.ncpus, "NCPUS")?;
        let nnodes = count(c.nnodes, "NNodes")?;
        let reqcpus = count(c.reqcpus, "ReqCPUS")?;
        // What it was given if it ran, what it asked for if not.
        let cores =
            if start.is_some() { alloc.cpu.or(ncpus).or(req.cpu).or(reqcpus) } else { req.cpu.or(reqcpus).or(ncpus) };
        let cores = match cores {
            Some(n) if n > 0 => n,
            _ => {
                let (field, v) = c.ncpus.map_or(("ReqCPUS", ""), |i| ("NCPUS", r.get(i)));
                return Err(bad("sacct: no core count", field, "a core count of at least 1", v));
            }
        };
        let nodes = alloc.node.or(nnodes).or(req.node).unwrap_or(1).max(1);
        let mem_mib = match alloc.mem.or(req.mem) {
            Some(m) => m,
            None => match c.reqmem.map(|i| r.get(i)).filter(|v| !v.is_empty()) {
                None => 0.0,
                Some(v) => {
                    let (m, per) = fields::memory(v).map_err(|_| bad(malformed, "ReqMem", fields::EXPECT_MEMORY, v))?;
                    match per {
                        MemPer::Job => m,
                        MemPer::Cpu => m * f64::from(cores),
                        MemPer::Node => m * f64::from(nodes),
                    }
                }
            },
        };
        let raw_id = c.jobidraw.and_then(|i| r.get(i).parse::<u64>().ok());
        let uid = count(c.uid, "UID")?;
        let gid = count(c.gid, "GID")?;
        let text = |i: Option<usize>| i.map_or("", |i| r.get(i));
        let partition_name = text(c.partition);
        let mut node_ids: &[u32] = &[];
        if let Some(i) = c.nodelist.filter(|_| start.is_some()) {
            let v = r.get(i);
            if !self.hostlists.contains_key(v) {
                let mut ids = Vec::new();
                let nodes_names = &mut self.nodes;
                fields::hostlist(v, &mut |h| ids.push(nodes_names.intern(h)))
                    .map_err(|_| bad(malformed, "NodeList", fields::EXPECT_HOSTLIST, v))?;
                if self.hostlists.len() >= HOSTLIST_CACHE {
                    self.hostlists.clear();
                }
                self.hostlists.insert(v.into(), ids.into());
            }
            node_ids = &self.hostlists[v];
        }

        // Every check passed: from here the record is a job (or a counted cancellation).
        let nonempty = |s: &str| (!s.is_empty()).then_some(());
        let user = nonempty(text(c.user)).map(|()| self.users.intern(text(c.user)));
        let account = nonempty(text(c.account)).map(|()| self.accounts.intern(text(c.account)));
        let qos = nonempty(text(c.qos)).map(|()| self.qos.intern(text(c.qos)));
        let partition = nonempty(partition_name).map(|()| self.partitions.intern(partition_name));
        if start.is_some() {
            let m = &mut self.machine;
            m.cores_per_node = m.cores_per_node.max(cores.div_ceil(nodes));
            m.widest_job_nodes = m.widest_job_nodes.max(nodes);
            m.memory_per_node_mib = m.memory_per_node_mib.max((mem_mib / f64::from(nodes)).ceil() as u64);
            if let Some(p) = partition {
                self.part_nodes.entry(p).or_default().extend(node_ids.iter().copied());
            }
        }
        let evidence = self.opts.classifier.evidence(&Facts {
            name: text(c.name),
            submit_line: text(c.submit_line),
            partition: partition_name,
            qos: text(c.qos),
            flags: text(c.flags),
        });
        let status = match state {
            "COMPLETED" => 1,
            "CANCELLED" => 5,
            _ => 0,
        };
        if self.first_submit.as_ref().is_none_or(|(t, _)| submit < *t) {
            self.first_submit = Some((submit, r.get(c.submit).to_string()));
        }
        if let (Some(e), Some(s)) = (end, start) {
            if self.last_end.as_ref().is_none_or(|(t, _)| e > *t) {
                let shown = c.end.map_or_else(|| format!("{s}+Elapsed"), |i| r.get(i).to_string());
                self.last_end = Some((e, shown));
            }
        }
        self.allocs.insert(id.alloc.into(), self.drafts.len() as u32);
        self.drafts.push(Draft {
            line,
            label: id.alloc.into(),
            raw_id,
            submit,
            start,
            end,
            limit,
            cores,
            mem_mib,
            timeout: state == "TIMEOUT",
            status,
            uid,
            gid,
            user,
            account,
            partition,
            qos,
            evidence,
            steps: Steps::default(),
        });
        Ok(())
    }

    fn finish(mut self, file: &Path) -> Result<Import, WorkloadError> {
        let t0 = self.drafts.iter().map(|d| d.submit).min();
        let mut w = Workload { name: file.display().to_string(), ..Workload::default() };
        // Time 0 is the first submission: its calendar time lets charts name days and dates.
        if let Some(t0) = t0 {
            w.header.push(format!("StartTime: {}", super::fields::start_time_words(t0)));
        }
        let ms = |secs: i64| secs.saturating_mul(1000);
        let drafts = std::mem::take(&mut self.drafts);
        let mut unknown_limit_runtime = 0u64;
        let mut any_uid = false;
        for d in drafts {
            let t0 = t0.expect("a draft exists");
            let (class, rule) = self.opts.classifier.decide(&d.evidence, d.steps);
            let part_name = d.partition.map(|p| self.partitions.names[p as usize].as_str());
            let limit_ms = match d.limit {
                Limit::Secs(s) => Some(ms(s as i64)),
                other => {
                    let what = match other {
                        Limit::Unlimited => "UNLIMITED",
                        Limit::Partition => "Partition_Limit",
                        _ => "empty",
                    };
                    let from_part = part_name.and_then(|p| self.opts.partition_limits.get(p));
                    let (value, by) = match (from_part, self.opts.default_timelimit) {
                        (Some(l), _) => (Some(l.0), "the partition's default_time or max_walltime"),
                        (None, Some(l)) => (Some(l.0), "the default time limit"),
                        (None, None) => (None, "the job's runtime"),
                    };
                    bump(&mut self.stats.limits_replaced, &format!("{what} -> {by}"));
                    value
                }
            };
            let submit = SimTime(ms(d.submit - t0));
            let mut job = match (d.start, d.end) {
                (Some(s), Some(e)) => {
                    let mut runtime = ms(e - s);
                    let requested = limit_ms.unwrap_or_else(|| {
                        unknown_limit_runtime += 1;
                        runtime
                    });
                    if d.timeout {
                        // Replayed as reaching its limit: one millisecond over, the engine kills it there.
                        runtime = runtime.max(requested.saturating_add(1));
                    }
                    Job::new(0, submit, SimDuration(runtime), SimDuration(requested), d.cores)
                }
                (None, end) => {
                    self.stats.cancelled_before_start += 1;
                    let reason = match (class, self.opts.cancelled, end) {
                        (JobClass::Interactive, Cancelled::Keep, Some(_)) => None,
                        (JobClass::Interactive, Cancelled::Drop, _) => Some(SKIP_CANCELLED_DROP),
                        (JobClass::Interactive, _, None) => Some(SKIP_CANCELLED_NO_END),
                        _ => Some(SKIP_CANCELLED_BATCH),
                    };
                    if let Some(reason) = reason {
                        bump(&mut self.stats.skipped, reason);
                        continue;
                    }
                    let patience = ms(end.expect("kept only with an end") - d.submit);
                    // How long the session would have lasted is unknown: its limit is the guess.
                    let requested = limit_ms.unwrap_or(patience.max(1000));
                    let mut j = Job::new(0, submit, SimDuration(requested), SimDuration(requested), d.cores);
                    j.patience = Some(SimDuration(patience));
                    j
                }
                (Some(_), None) => unreachable!("a started record without an end is rejected"),
            };
            job.id = d.raw_id.unwrap_or(d.line);
            job.label = Some(d.label);
            job.class = class;
            job.account = d.account;
            job.qos = d.qos;
            job.meta = JobMeta {
                requested_memory: if d.mem_mib > 0.0 { d.mem_mib * 1024.0 / f64::from(d.cores) } else { -1.0 },
                status: d.status,
                user: match (d.uid, d.user) {
                    (Some(u), _) => {
                        any_uid = true;
                        i64::from(u)
                    }
                    (None, Some(u)) => i64::from(u) + 1,
                    (None, None) => -1,
                },
                group: d.gid.map_or(-1, i64::from),
                queue: class.swf_queue(),
                partition: d.partition.map_or(-1, |p| i64::from(p) + 1),
                ..JobMeta::default()
            };
            bump(&mut self.stats.jobs_by_class, class.as_str());
            bump(&mut self.stats.jobs_by_rule, &self.opts.classifier.rule_name(rule));
            bump(&mut self.stats.jobs_by_partition, part_name.unwrap_or("(none)"));
            w.jobs.push(job);
        }
        self.machine_done();
        let s = &mut self.stats;
        s.first_submit = self.first_submit.map(|(_, t)| t);
        s.last_end = self.last_end.map(|(_, t)| t);
        s.users = self.users.names.len() as u64;
        s.accounts = self.accounts.names.len() as u64;
        for (reason, n) in s.skipped.iter().chain(&s.rejected) {
            *w.skipped.entry(reason.clone()).or_insert(0) += n;
        }
        notes(s, &mut w.notes, unknown_limit_runtime);
        w.lacking_requested_time = unknown_limit_runtime;
        w.users = self.users.names;
        w.users_by_index = !any_uid;
        w.accounts = self.accounts.names;
        w.qos_names = self.qos.names;
        w.partition_names = self.partitions.names;
        if w.jobs.is_empty() {
            let why: Vec<String> = w.skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
            let reason = if why.is_empty() {
                "no job records".to_string()
            } else {
                format!("all {} records left out: {}", s.records, why.join(", "))
            };
            return Err(WorkloadError::NoJobs { file: file.to_path_buf(), reason });
        }
        sort_by_arrival(&mut w.jobs);
        Ok(Import { workload: w, stats: self.stats })
    }

    /// Sorts the node names naturally and keeps each partition's nodes as indices into them.
    fn machine_done(&mut self) {
        let mut order: Vec<u32> = (0..self.nodes.names.len() as u32).collect();
        order.sort_by(|&a, &b| {
            natural_key(&self.nodes.names[a as usize]).cmp(&natural_key(&self.nodes.names[b as usize]))
        });
        let mut rank = vec![0u32; order.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        self.machine.nodes = order.iter().map(|&i| self.nodes.names[i as usize].clone()).collect();
        for (p, set) in &self.part_nodes {
            let mut ids: Vec<u32> = set.iter().map(|&i| rank[i as usize]).collect();
            ids.sort_unstable();
            self.machine.partitions.insert(self.partitions.names[*p as usize].clone(), ids);
        }
        self.stats.machine = std::mem::take(&mut self.machine);
    }
}

/// `n10` after `n9`: the name with its trailing number read as a number.
fn natural_key(name: &str) -> (&str, u64, &str) {
    let digits = name.bytes().rev().take_while(u8::is_ascii_digit).count().min(18);
    let (head, num) = name.split_at(name.len() - digits);
    (head, num.parse().unwrap_or(0), num)
}

fn notes(s: &SacctStats, notes: &mut Vec<String>, unknown_limit_runtime: u64) {
    let list = |m: &BTreeMap<String, u64>| m.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ");
    notes.push(format!(
        "sacct: {} records: {} allocations, {} steps folded into their jobs; jobs by class: {}",
        s.records,
        s.allocations,
        s.steps,
        list(&s.jobs_by_class)
    ));
    notes.push(format!("sacct: classified by: {}", list(&s.jobs_by_rule)));
    if s.repaired > 0 {
        let lines: Vec<String> = s.repaired_lines.iter().map(u64::to_string).collect();
        notes.push(format!(
            "sacct: {} record{} repaired (a delimiter or newline inside a free-text field), first at line{} {}",
            s.repaired,
            if s.repaired == 1 { "" } else { "s" },
            if s.repaired_lines.len() == 1 { "" } else { "s" },
            lines.join(", ")
        ));
    }
    if !s.limits_replaced.is_empty() {
        notes.push(format!("sacct: time limits replaced: {}", list(&s.limits_replaced)));
    }
    if unknown_limit_runtime > 0 {
        notes.push(format!(
            "sacct: {unknown_limit_runtime} job(s) without a usable time limit got their runtime as the limit \
             (give --default-timelimit or a partition max_walltime)"
        ));
    }
    let rejected: u64 = s.rejected.values().sum();
    if rejected > 0 {
        notes.push(format!("sacct: {rejected} record(s) rejected: {}", list(&s.rejected)));
        for b in &s.bad_records {
            notes.push(format!("sacct: rejected {b}"));
        }
    }
}
