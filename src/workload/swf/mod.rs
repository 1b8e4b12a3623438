//! Reader for the Standard Workload Format (SWF) of the Parallel Workloads Archive: plain or
//! gzipped files, all 18 fields, the header comments, and the rules for unknown (−1) values.

use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::thread;

use flate2::read::MultiGzDecoder;

use crate::echo::echo;
use crate::time::{SimDuration, SimTime};
use crate::workload::job::{sort_by_arrival, Job, JobClass, JobMeta};
use crate::workload::{Workload, WorkloadError};

pub mod write;

/// Number of whitespace-separated fields on an SWF job line.
pub const SWF_FIELDS: usize = 18;

/// The SWF name of each field, in order (field `n` is `SWF_FIELD_NAMES[n - 1]`).
pub const SWF_FIELD_NAMES: [&str; SWF_FIELDS] = [
    "job number",
    "submit time",
    "wait time",
    "run time",
    "allocated processors",
    "average CPU time used",
    "used memory",
    "requested processors",
    "requested time",
    "requested memory",
    "status",
    "user id",
    "group id",
    "executable number",
    "queue number",
    "partition number",
    "preceding job number",
    "think time",
];

/// Reasons under which [`Workload::skipped`] counts records that cannot be simulated.
pub const SKIP_UNKNOWN_RUNTIME: &str = "unknown run time";
pub const SKIP_UNKNOWN_SUBMIT: &str = "unknown submit time";
pub const SKIP_UNKNOWN_PROCS: &str = "unknown processor count";

const EXPECT_NUMBER: &str = "a number";
const EXPECT_FINITE: &str = "a finite number";
const EXPECT_COUNT: &str = "a count ≥ 0 or -1 for unknown";
const EXPECT_PROCS_RANGE: &str = "a processor count below 2^32";
const EXPECT_TIME_RANGE: &str = "a time below 9e12 seconds";
const EXPECT_JOB_NUMBER: &str = "a whole number ≥ 0 (such as 12 or 12.0)";
const EXPECT_ID: &str = "a whole number ≥ 0 or -1 for unknown (such as 12 or 12.0)";

/// Above this a float no longer holds every integer exactly, so an id written as a float
/// (`12.0`) could change silently; ids written as integers are read as integers.
const MAX_EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// The largest time a trace may give, in seconds, as [`EXPECT_TIME_RANGE`] says.
const MAX_TIME_SECS: f64 = 9e12;

/// The longest line read, in bytes: an SWF job line is about 100 bytes, a header comment a few
/// hundred. A file with no line breaks (`/dev/zero`, a corrupt archive) stops here instead of
/// filling memory.
pub const MAX_LINE_BYTES: u64 = 1 << 20;

/// How many repeated job numbers the note names.
const REPEATS_NAMED: usize = 3;

/// Reads an SWF file, gzipped or not. Compression is detected from the content (the gzip magic
/// bytes), not the file name, so a renamed file still loads.
pub fn read_swf(path: &Path) -> Result<Workload, WorkloadError> {
    if let Some(what) = super::wrong_kind(path, false) {
        return Err(WorkloadError::WrongKind { file: path.to_path_buf(), what });
    }
    let file = File::open(path).map_err(|error| WorkloadError::Io { file: path.to_path_buf(), error })?;
    read_swf_from(file, path)
}

/// Reads from anything that implements `Read`, detecting gzip as [`read_swf`] does. For
/// callers that already hold an open stream (stdin, an archive member).
pub fn read_swf_from<R: Read + Send>(source: R, file: &Path) -> Result<Workload, WorkloadError> {
    // A large buffer matters: the archive's logs are tens of megabytes once inflated.
    let mut reader = BufReader::with_capacity(1 << 18, source);
    let is_gzip = {
        let head = reader.fill_buf().map_err(|error| WorkloadError::Io { file: file.to_path_buf(), error })?;
        head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b
    };
    if is_gzip {
        // Multi-member: concatenated .gz files (e.g. `cat a.gz b.gz`) are valid gzip.
        parse_swf(MultiGzDecoder::new(reader), file)
    } else {
        parse_swf(reader, file)
    }
}

/// Bytes read (or inflated) at a time: each block, cut after its last line break, is parsed as
/// a whole, by whichever thread is free.
const BLOCK_BYTES: u64 = 1 << 18;
/// Blocks read ahead of the parsers: past this the reading thread parses the oldest itself,
/// so that memory holds a few blocks of text, never the whole file.
const BLOCKS_AHEAD: usize = 4;

/// Counts of each unknown-value rule that fired while reading, turned into notes at the end.
#[derive(Default)]
struct RuleCounts {
    requested_procs_from_allocated: u64,
    requested_time_from_runtime: u64,
    /// Requested times above 0 but below half a millisecond, raised to 1 ms.
    requested_time_raised: u64,
}

impl RuleCounts {
    fn add(&mut self, other: &RuleCounts) {
        self.requested_procs_from_allocated += other.requested_procs_from_allocated;
        self.requested_time_from_runtime += other.requested_time_from_runtime;
        self.requested_time_raised += other.requested_time_raised;
    }
}

/// Parses SWF text. `file` only names the source in errors and in [`Workload::name`].
///
/// One thread reads (and inflates) the text in blocks of whole lines; it and the calling
/// thread parse the blocks, each block on its own, and the blocks' jobs, header lines and
/// counts are put together in file order. So the result, and the first error in file order,
/// are those of reading line by line on one thread, whichever thread parsed what.
pub fn parse_swf<R: Read + Send>(reader: R, file: &Path) -> Result<Workload, WorkloadError> {
    let queue = BlockQueue::new(Workload { name: file.display().to_string(), ..Workload::default() });
    thread::scope(|scope| {
        let reading = scope.spawn(|| {
            read_blocks(reader, &queue, file);
            queue.close();
            queue.parse_all(file);
        });
        queue.parse_all(file);
        reading.join().expect("the SWF reading thread does not panic");
    });
    let Assembly { mut w, rules, job_lines, error, .. } =
        queue.assembly.into_inner().expect("no thread panics holding the assembly");
    if let Some(e) = error {
        return Err(e);
    }

    w.lacking_requested_procs = rules.requested_procs_from_allocated;
    w.lacking_requested_time = rules.requested_time_from_runtime;
    if rules.requested_procs_from_allocated > 0 {
        w.notes.push(format!(
            "requested processors unknown (-1 or 0) for {} job{}: used their allocated processors",
            rules.requested_procs_from_allocated,
            plural(rules.requested_procs_from_allocated)
        ));
    }
    if rules.requested_time_from_runtime > 0 {
        w.notes.push(format!(
            "requested time unknown (-1 or 0) for {} job{}: used their run time, a perfect \
             estimate that flatters backfilling",
            rules.requested_time_from_runtime,
            plural(rules.requested_time_from_runtime)
        ));
    }

    if rules.requested_time_raised > 0 {
        w.notes.push(format!(
            "requested time above 0 but under 1 ms for {} job{}: raised to 1 ms (the clock's unit)",
            rules.requested_time_raised,
            plural(rules.requested_time_raised)
        ));
    }
    if let Some(note) = repeated_numbers(&w.jobs) {
        w.notes.push(note);
    }
    if w.header.iter().any(|h| h.trim() == write::QUEUE_LEGEND) {
        // A trace schedsim wrote (`generate`, `convert`): its queue numbers are the classes.
        for job in &mut w.jobs {
            job.class = match job.meta.queue {
                0 => JobClass::Interactive,
                2 => JobClass::Debug,
                _ => JobClass::Batch,
            };
        }
        w.notes.push(format!("classes from the queue numbers, as the header's legend says ({})", write::QUEUE_LEGEND));
    }

    if w.jobs.is_empty() {
        let reason = if job_lines == 0 {
            "no job lines, only comments or blank lines".to_string()
        } else {
            let why: Vec<String> = w.skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
            format!("all {job_lines} job lines skipped: {}", why.join(", "))
        };
        return Err(WorkloadError::NoJobs { file: file.to_path_buf(), reason });
    }
    sort_by_arrival(&mut w.jobs);
    Ok(w)
}

/// A block of text by its place in the file: whole lines, or the read error that ended the
/// text there.
type Block = (usize, io::Result<Vec<u8>>);

/// The blocks read and not yet parsed, in file order, and what the parsed ones hold.
struct BlockQueue {
    state: Mutex<QueueState>,
    ready: Condvar,
    /// Set when a block fails: the blocks after it cannot change the outcome, so reading stops.
    failed: AtomicBool,
    assembly: Mutex<Assembly>,
}

#[derive(Default)]
struct QueueState {
    blocks: VecDeque<Block>,
    /// No more blocks will come.
    closed: bool,
}

/// The parsed blocks put together in file order as they come: whichever thread parses the
/// next block in order adds it and any later ones that were waiting for it, so that joining
/// the blocks overlaps with parsing.
struct Assembly {
    /// The next block in file order.
    next: usize,
    waiting: BTreeMap<usize, Result<BlockJobs, WorkloadError>>,
    w: Workload,
    rules: RuleCounts,
    job_lines: u64,
    lines_before: u64,
    /// The first error in file order; nothing after it is added.
    error: Option<WorkloadError>,
}

impl Assembly {
    fn add(&mut self, at: usize, parsed: Result<BlockJobs, WorkloadError>) {
        self.waiting.insert(at, parsed);
        while let Some(parsed) = self.waiting.remove(&self.next) {
            self.next += 1;
            if self.error.is_some() {
                continue;
            }
            let mut block = match parsed {
                Ok(block) => block,
                Err(e) => {
                    self.error = Some(after_lines(e, self.lines_before));
                    continue;
                }
            };
            self.lines_before += block.lines;
            self.job_lines += block.job_lines;
            self.rules.add(&block.rules);
            let (w, part) = (&mut self.w, &mut block.part);
            w.jobs.append(&mut part.jobs);
            w.header.append(&mut part.header);
            w.max_procs = w.max_procs.or(part.max_procs);
            w.max_nodes = w.max_nodes.or(part.max_nodes);
            for (reason, n) in std::mem::take(&mut part.skipped) {
                *w.skipped.entry(reason).or_insert(0) += n;
            }
        }
    }
}

impl BlockQueue {
    fn new(w: Workload) -> Self {
        let assembly = Assembly {
            next: 0,
            waiting: BTreeMap::new(),
            w,
            rules: RuleCounts::default(),
            job_lines: 0,
            lines_before: 0,
            error: None,
        };
        BlockQueue {
            state: Mutex::default(),
            ready: Condvar::new(),
            failed: AtomicBool::new(false),
            assembly: Mutex::new(assembly),
        }
    }

    /// Queues `block`; when the queue is full, parses the oldest block here instead of waiting.
    fn push(&self, block: Block, file: &Path) {
        let oldest = {
            let mut state = self.state.lock().expect("no thread panics holding the queue");
            state.blocks.push_back(block);
            if state.blocks.len() > BLOCKS_AHEAD {
                state.blocks.pop_front()
            } else {
                None
            }
        };
        self.ready.notify_one();
        if let Some(block) = oldest {
            self.parse(block, file);
        }
    }

    fn close(&self) {
        self.state.lock().expect("no thread panics holding the queue").closed = true;
        self.ready.notify_all();
    }

    /// Parses blocks as they come until the queue is closed and empty.
    fn parse_all(&self, file: &Path) {
        loop {
            let block = {
                let mut state = self.state.lock().expect("no thread panics holding the queue");
                loop {
                    if let Some(block) = state.blocks.pop_front() {
                        break block;
                    }
                    if state.closed {
                        return;
                    }
                    state = self.ready.wait(state).expect("no thread panics holding the queue");
                }
            };
            self.parse(block, file);
        }
    }

    fn parse(&self, (at, block): Block, file: &Path) {
        let parsed = match block {
            Ok(text) => parse_block(&text, file),
            Err(error) => Err(WorkloadError::Io { file: file.to_path_buf(), error }),
        };
        if parsed.is_err() {
            self.failed.store(true, Ordering::Relaxed);
        }
        self.assembly.lock().expect("no thread panics holding the assembly").add(at, parsed);
    }
}

/// Reads `reader` into blocks of whole lines and queues them. A read error queues the whole
/// lines read before it, then the error, as a line-by-line reader would meet them. A line past
/// [`MAX_LINE_BYTES`] ends the reading: its block is queued for the parser to refuse.
fn read_blocks<R: Read>(mut reader: R, queue: &BlockQueue, file: &Path) {
    let mut at = 0;
    let mut push = |block: io::Result<Vec<u8>>| {
        queue.push((at, block), file);
        at += 1;
    };
    // The unfinished line at the end of the last block, carried to the front of the next.
    let mut carry: Vec<u8> = Vec::new();
    while !queue.failed.load(Ordering::Relaxed) {
        let mut block = std::mem::take(&mut carry);
        block.reserve(BLOCK_BYTES as usize);
        let read = (&mut reader).take(BLOCK_BYTES).read_to_end(&mut block);
        let whole_lines = block.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        match read {
            Err(error) => {
                block.truncate(whole_lines);
                if !block.is_empty() {
                    push(Ok(block));
                }
                push(Err(error));
                return;
            }
            Ok(0) => {
                if !block.is_empty() {
                    push(Ok(block));
                }
                return;
            }
            Ok(_) if whole_lines > 0 => {
                carry = block[whole_lines..].to_vec();
                block.truncate(whole_lines);
                push(Ok(block));
            }
            Ok(_) if block.len() as u64 > MAX_LINE_BYTES => {
                push(Ok(block));
                return;
            }
            Ok(_) => carry = block,
        }
    }
}

/// What one block of whole lines holds: its jobs, header lines and counts; `part` holds the
/// jobs, the header, the machine size and the skipped counts.
#[derive(Default)]
struct BlockJobs {
    part: Workload,
    rules: RuleCounts,
    job_lines: u64,
    /// Lines in the block, blank and comment lines included: the next block's first line
    /// number is one past the sum of these before it.
    lines: u64,
}

/// Parses a block of whole lines; an error names the line counted from the block's start.
fn parse_block(text: &[u8], file: &Path) -> Result<BlockJobs, WorkloadError> {
    let mut b = BlockJobs::default();
    // Room for lines of 64 bytes (a job line is about 100): growing the vector copied it.
    b.part.jobs.reserve(text.len() / 64);
    let mut rest = text;
    while !rest.is_empty() {
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |p| p + 1);
        let (raw, tail) = rest.split_at(end);
        rest = tail;
        b.lines += 1;
        if raw.len() as u64 > MAX_LINE_BYTES {
            return Err(WorkloadError::LineTooLong { file: file.to_path_buf(), line: b.lines, max: MAX_LINE_BYTES });
        }
        let line = raw.trim_ascii();
        if line.is_empty() {
            continue;
        }
        if line[0] == b';' {
            read_comment(&line[1..], file, b.lines, &mut b.part)?;
            continue;
        }
        b.job_lines += 1;
        let ctx = LineCtx { file, line: b.lines };
        let rec = parse_record(line, &ctx, &mut b.rules)?;
        if let Some(job) = rec.into_job(&mut b.part, &mut b.rules) {
            b.part.jobs.push(job);
        }
    }
    Ok(b)
}

/// `e`, met in a block that starts after `lines` lines, with its line counted from the file's
/// start.
fn after_lines(mut e: WorkloadError, lines: u64) -> WorkloadError {
    match &mut e {
        WorkloadError::FieldCount { line, .. }
        | WorkloadError::Field { line, .. }
        | WorkloadError::Header { line, .. }
        | WorkloadError::LineTooLong { line, .. } => *line += lines,
        WorkloadError::Io { .. }
        | WorkloadError::WrongKind { .. }
        | WorkloadError::NoJobs { .. }
        | WorkloadError::NotReplayable { .. } => {}
    }
    e
}

/// A note counting the jobs whose number an earlier job already has, naming the first few
/// numbers; `None` when every number is distinct. Such jobs are still simulated, each its own.
fn repeated_numbers(jobs: &[Job]) -> Option<String> {
    let mut ids: Vec<u64> = jobs.iter().map(|j| j.id).collect();
    ids.sort_unstable();
    let mut repeats = 0u64;
    let mut named: Vec<String> = Vec::new();
    for pair in ids.windows(2) {
        if pair[0] == pair[1] {
            repeats += 1;
            if named.len() < REPEATS_NAMED && named.last() != Some(&pair[0].to_string()) {
                named.push(pair[0].to_string());
            }
        }
    }
    (repeats > 0).then(|| {
        format!(
            "{repeats} job{} repeat{} the number of an earlier job (lowest: {}); each is simulated as its own job",
            plural(repeats),
            if repeats == 1 { "s" } else { "" },
            named.join(", ")
        )
    })
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Keeps a comment line (text after `;`) in the header and reads the machine size from it.
fn read_comment(body: &[u8], file: &Path, line: u64, w: &mut Workload) -> Result<(), WorkloadError> {
    // The archive writes `; Key: value`; the space is layout, not content.
    let body = body.strip_prefix(b" ").unwrap_or(body);
    // Headers are free text (names of people, sites): never fail on their encoding.
    let text = String::from_utf8_lossy(body).into_owned();
    let trimmed = text.trim_start();
    if let Some(value) = strip_key(trimmed, "MaxProcs:") {
        let v = parse_header_count(value, file, line, "MaxProcs")?;
        w.max_procs = w.max_procs.or(v);
    } else if let Some(value) = strip_key(trimmed, "MaxNodes:") {
        let v = parse_header_count(value, file, line, "MaxNodes")?;
        w.max_nodes = w.max_nodes.or(v);
    }
    w.header.push(text);
    Ok(())
}

fn strip_key<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let head = text.get(..key.len())?;
    head.eq_ignore_ascii_case(key).then(|| &text[key.len()..])
}

/// A header count: a positive integer, optionally followed by a remark, as in the archive's
/// `MaxNodes: 338 (batch partition; 512 total)`. −1 means the source does not know.
fn parse_header_count(value: &str, file: &Path, line: u64, key: &str) -> Result<Option<u32>, WorkloadError> {
    let value = value.trim();
    let first = value.split_ascii_whitespace().next().unwrap_or("");
    if first == "-1" {
        return Ok(None);
    }
    match first.parse::<u32>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(WorkloadError::Header {
            file: file.to_path_buf(),
            line,
            key: key.to_string(),
            expected: "a positive integer, optionally followed by a remark",
            found: echo(value),
        }),
    }
}

/// Where a job line sits, for error messages.
struct LineCtx<'a> {
    file: &'a Path,
    line: u64,
}

impl LineCtx<'_> {
    fn err(&self, field_no: usize, tok: &[u8], expected: &'static str) -> WorkloadError {
        WorkloadError::Field {
            file: self.file.to_path_buf(),
            line: self.line,
            field_no,
            field: SWF_FIELD_NAMES[field_no - 1],
            expected,
            found: echo(&String::from_utf8_lossy(tok)),
        }
    }
}

/// One job line, every field checked, before the unknown-value rules.
struct Record {
    id: u64,
    submit: Option<SimTime>,
    runtime: Option<SimDuration>,
    alloc_procs: Option<u32>,
    req_procs: Option<u32>,
    req_time: Option<SimDuration>,
    meta: JobMeta,
}

fn parse_record(line: &[u8], ctx: &LineCtx<'_>, rules: &mut RuleCounts) -> Result<Record, WorkloadError> {
    let mut toks: [&[u8]; SWF_FIELDS] = [&[]; SWF_FIELDS];
    let mut found = 0usize;
    // A hand-rolled scan: this loop is most of the load time of a large log.
    let mut i = 0;
    while i < line.len() {
        while i < line.len() && line[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < line.len() && !line[i].is_ascii_whitespace() {
            i += 1;
        }
        if start < i {
            if found < SWF_FIELDS {
                toks[found] = &line[start..i];
            }
            found += 1;
        }
    }
    if found != SWF_FIELDS {
        return Err(WorkloadError::FieldCount {
            file: ctx.file.to_path_buf(),
            line: ctx.line,
            expected: SWF_FIELDS,
            found,
        });
    }
    // Every field is parsed, even those the simulator ignores, so that a corrupt line is
    // reported where it is rather than passed through to the schedule.
    let f = |n: usize| -> Result<f64, WorkloadError> { number(toks[n - 1], n, ctx) };
    let amount = |n: usize| -> Result<f64, WorkloadError> {
        let v = f(n)?;
        if v < 0.0 && v != -1.0 {
            return Err(ctx.err(n, toks[n - 1], EXPECT_COUNT));
        }
        Ok(v)
    };
    let id = |n: usize| -> Result<i64, WorkloadError> {
        match whole(toks[n - 1], n, ctx)? {
            Some(v) if v >= -1 => Ok(v),
            _ => Err(ctx.err(n, toks[n - 1], EXPECT_ID)),
        }
    };
    let procs = |n: usize| -> Result<Option<u32>, WorkloadError> {
        let v = amount(n)?;
        if v.fract() != 0.0 {
            return Err(ctx.err(n, toks[n - 1], EXPECT_COUNT));
        }
        if v <= 0.0 {
            return Ok(None);
        }
        if v > u32::MAX as f64 {
            return Err(ctx.err(n, toks[n - 1], EXPECT_PROCS_RANGE));
        }
        Ok(Some(v as u32))
    };
    let duration = |n: usize, zero_is_unknown: bool| -> Result<Option<SimDuration>, WorkloadError> {
        let v = amount(n)?;
        if v == -1.0 || (zero_is_unknown && v == 0.0) {
            return Ok(None);
        }
        if v >= MAX_TIME_SECS {
            return Err(ctx.err(n, toks[n - 1], EXPECT_TIME_RANGE));
        }
        SimDuration::from_secs_f64(v).map(Some).ok_or_else(|| ctx.err(n, toks[n - 1], EXPECT_TIME_RANGE))
    };

    let job_no = match whole(toks[0], 1, ctx)? {
        Some(v) if v >= 0 => v,
        _ => return Err(ctx.err(1, toks[0], EXPECT_JOB_NUMBER)),
    };
    let submit = match amount(2)? {
        -1.0 => None,
        v if v >= MAX_TIME_SECS => return Err(ctx.err(2, toks[1], EXPECT_TIME_RANGE)),
        v => Some(SimTime::from_secs_f64(v).ok_or_else(|| ctx.err(2, toks[1], EXPECT_TIME_RANGE))?),
    };
    amount(3)?; // wait time: replaced by the simulation, only checked
    let runtime = duration(4, false)?;
    let alloc_procs = procs(5)?;
    let avg_cpu_time = amount(6)?;
    let used_memory = amount(7)?;
    let req_procs = procs(8)?;
    let mut req_time = duration(9, true)?;
    // A request that rounds to 0 ms would have the job killed at its start.
    if req_time == Some(SimDuration(0)) {
        rules.requested_time_raised += 1;
        req_time = Some(SimDuration(1));
    }
    let requested_memory = amount(10)?;
    let meta = JobMeta {
        avg_cpu_time,
        used_memory,
        requested_memory,
        status: id(11)?,
        user: id(12)?,
        group: id(13)?,
        executable: id(14)?,
        queue: id(15)?,
        partition: id(16)?,
        preceding_job: id(17)?,
        think_time: amount(18)?,
    };
    Ok(Record { id: job_no as u64, submit, runtime, alloc_procs, req_procs, req_time, meta })
}

impl Record {
    /// Applies the unknown-value rules (design §7); `None` when the record was skipped, in
    /// which case it is counted in `w.skipped`.
    fn into_job(self, w: &mut Workload, rules: &mut RuleCounts) -> Option<Job> {
        let skip = |w: &mut Workload, reason: &str| {
            *w.skipped.entry(reason.to_string()).or_insert(0) += 1;
            None
        };
        // Without a run time there is nothing to simulate, whatever else is known.
        let Some(runtime) = self.runtime else {
            return skip(w, SKIP_UNKNOWN_RUNTIME);
        };
        let Some(submit) = self.submit else {
            return skip(w, SKIP_UNKNOWN_SUBMIT);
        };
        let procs = match (self.req_procs, self.alloc_procs) {
            (Some(p), _) => p,
            (None, Some(p)) => {
                rules.requested_procs_from_allocated += 1;
                p
            }
            (None, None) => return skip(w, SKIP_UNKNOWN_PROCS),
        };
        let requested_time = match self.req_time {
            Some(t) => t,
            None => {
                rules.requested_time_from_runtime += 1;
                runtime
            }
        };
        let mut job = Job::new(self.id, submit, runtime, requested_time, procs);
        job.meta = self.meta;
        Some(job)
    }
}

/// A whole number: `-?[0-9]+` read as an integer (never through a float, which would round
/// numbers past 2^53), or a float with no fraction up to 2^53 (`12.0`). `None` for a number
/// that is not whole or does not fit.
fn whole(tok: &[u8], field_no: usize, ctx: &LineCtx<'_>) -> Result<Option<i64>, WorkloadError> {
    let (neg, digits) = match tok.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, tok),
    };
    if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
        // Summed below zero, so that i64::MIN fits; only overflow can fail.
        let mut v: i64 = 0;
        for &d in digits {
            match v.checked_mul(10).and_then(|v| v.checked_sub(i64::from(d - b'0'))) {
                Some(next) => v = next,
                None => return Ok(None),
            }
        }
        return Ok(if neg { Some(v) } else { v.checked_neg() });
    }
    let v = number(tok, field_no, ctx)?;
    Ok((v.fract() == 0.0 && v.abs() <= MAX_EXACT_INT).then_some(v as i64))
}

/// Parses one numeric token. Integers, by far the common case, skip the float parser.
#[inline]
fn number(tok: &[u8], field_no: usize, ctx: &LineCtx<'_>) -> Result<f64, WorkloadError> {
    if let Some(v) = fast_int(tok) {
        return Ok(v);
    }
    let s = std::str::from_utf8(tok).map_err(|_| ctx.err(field_no, tok, EXPECT_NUMBER))?;
    let v: f64 = s.parse().map_err(|_| ctx.err(field_no, tok, EXPECT_NUMBER))?;
    if !v.is_finite() {
        return Err(ctx.err(field_no, tok, EXPECT_FINITE));
    }
    Ok(v)
}

/// `-?[0-9]{1,15}` as a float (15 digits always fit exactly), or `None` for anything else.
#[inline]
fn fast_int(tok: &[u8]) -> Option<f64> {
    let (neg, digits) = match tok.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, tok),
    };
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    let mut v: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(b - b'0');
    }
    Some(if neg { -(v as f64) } else { v as f64 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::path::PathBuf;

    fn parse(text: &str) -> Result<Workload, WorkloadError> {
        parse_swf(text.as_bytes(), Path::new("t.swf"))
    }

    fn line(fields: &str) -> String {
        format!("{fields}\n")
    }

    const HEADER: &str = "; Version: 2.2\n; Computer: IBM SP2\n;\tcontinued remark\n;\n\
                          ; MaxNodes: 338 (batch partition; 512 total)\n; MaxProcs: 100\n";

    #[test]
    fn header_lines_are_kept_and_machine_size_parsed() {
        let text = format!("{HEADER}{}", line("1 0 5 100 4 -1 -1 4 200 -1 1 3 4 -1 -1 -1 -1 -1"));
        let w = parse(&text).expect("valid trace");
        assert_eq!(w.max_procs, Some(100));
        assert_eq!(w.max_nodes, Some(338));
        assert_eq!(
            w.header,
            vec![
                "Version: 2.2",
                "Computer: IBM SP2",
                "\tcontinued remark",
                "",
                "MaxNodes: 338 (batch partition; 512 total)",
                "MaxProcs: 100"
            ]
        );
        assert!(w.notes.is_empty());
        assert!(w.skipped.is_empty());
        assert_eq!(w.name, "t.swf");
    }

    #[test]
    fn malformed_header_count_is_an_error_naming_the_line() {
        let text = "; Version: 2\n; MaxProcs: lots\n1 0 5 100 4 -1 -1 4 200 -1 1 3 4 -1 -1 -1 -1 -1\n";
        let err = parse(text).expect_err("bad MaxProcs");
        assert!(matches!(err, WorkloadError::Header { line: 2, ref key, .. } if key == "MaxProcs"));
        assert_eq!(
            err.to_string(),
            "t.swf:2: header MaxProcs: expected a positive integer, optionally followed by a \
             remark, found \"lots\""
        );
        let err = parse("; MaxNodes: 12x\n").expect_err("bad MaxNodes");
        assert!(matches!(err, WorkloadError::Header { line: 1, .. }));
    }

    #[test]
    fn unknown_header_count_is_none() {
        let w = parse("; MaxProcs: -1\n1 0 5 100 4 -1 -1 4 200 -1 1 3 4 -1 -1 -1 -1 -1\n").expect("valid");
        assert_eq!(w.max_procs, None);
    }

    #[test]
    fn all_fields_are_mapped() {
        let w = parse("7 10 5 100 4 12.5 2048 6 200 4096 0 3 4 9 2 1 5 30\n").expect("valid");
        let j = &w.jobs[0];
        assert_eq!(j.id, 7);
        assert_eq!(j.submit, SimTime(10_000));
        assert_eq!(j.runtime, SimDuration(100_000));
        assert_eq!(j.requested_time, SimDuration(200_000));
        assert_eq!(j.procs(), 6, "requested procs win over allocated");
        let m = &j.meta;
        assert_eq!(m.avg_cpu_time, 12.5);
        assert_eq!(m.used_memory, 2048.0);
        assert_eq!(m.requested_memory, 4096.0);
        assert_eq!(
            (m.status, m.user, m.group, m.executable, m.queue, m.partition, m.preceding_job),
            (0, 3, 4, 9, 2, 1, 5)
        );
        assert_eq!(m.think_time, 30.0);
        assert_eq!((w.lacking_requested_procs, w.lacking_requested_time), (0, 0));
    }

    #[test]
    fn fractional_times_and_integral_floats_are_accepted() {
        let w = parse("12.0 4.709164021244639 0.5 90.25 4.0 -1 -1 4 100.5 -1 1.0 3.0 -1 -1 -1 -1 -1 -1.0\n")
            .expect("valid");
        let j = &w.jobs[0];
        assert_eq!(j.id, 12);
        assert_eq!(j.submit, SimTime(4_709));
        assert_eq!(j.runtime, SimDuration(90_250));
        assert_eq!(j.requested_time, SimDuration(100_500));
        assert_eq!(j.procs(), 4);
        assert_eq!((j.meta.status, j.meta.user), (1, 3));
        assert_eq!(j.meta.think_time, -1.0);
    }

    #[test]
    fn unknown_requested_procs_uses_allocated_with_one_note() {
        let text = "1 0 0 10 8 -1 -1 -1 100 -1 1 1 1 -1 -1 -1 -1 -1\n\
                    2 1 0 10 6 -1 -1 0 100 -1 1 1 1 -1 -1 -1 -1 -1\n\
                    3 2 0 10 -1 -1 -1 5 100 -1 1 1 1 -1 -1 -1 -1 -1\n";
        let w = parse(text).expect("valid");
        let procs: Vec<u64> = w.jobs.iter().map(|j| j.procs()).collect();
        assert_eq!(procs, vec![8, 6, 5], "known request with unknown allocation is fine");
        assert_eq!(w.lacking_requested_procs, 2);
        assert_eq!(w.notes, vec!["requested processors unknown (-1 or 0) for 2 jobs: used their allocated processors"]);
    }

    #[test]
    fn unknown_requested_time_uses_runtime_with_one_note() {
        let text = "1 0 0 10 8 -1 -1 8 -1 -1 1 1 1 -1 -1 -1 -1 -1\n\
                    2 1 0 20 8 -1 -1 8 0 -1 1 1 1 -1 -1 -1 -1 -1\n\
                    3 2 0 30 8 -1 -1 8 25 -1 1 1 1 -1 -1 -1 -1 -1\n";
        let w = parse(text).expect("valid");
        let req: Vec<i64> = w.jobs.iter().map(|j| j.requested_time.whole_secs()).collect();
        assert_eq!(req, vec![10, 20, 25]);
        assert_eq!(w.lacking_requested_time, 2);
        assert_eq!(w.notes.len(), 1);
        assert!(w.notes[0].starts_with("requested time unknown (-1 or 0) for 2 jobs: used their run time"));
    }

    #[test]
    fn unknown_runtime_submit_or_procs_are_skipped_and_counted() {
        let text = "1 0 0 -1 8 -1 -1 8 100 -1 1 1 1 -1 -1 -1 -1 -1\n\
                    2 0 0 -1.0 8 -1 -1 8 100 -1 1 1 1 -1 -1 -1 -1 -1\n\
                    3 -1 0 10 8 -1 -1 8 100 -1 1 1 1 -1 -1 -1 -1 -1\n\
                    4 0 0 10 -1 -1 -1 -1 100 -1 1 1 1 -1 -1 -1 -1 -1\n\
                    5 0 0 10 0 -1 -1 0 100 -1 1 1 1 -1 -1 -1 -1 -1\n\
                    6 0 0 0 8 -1 -1 8 100 -1 1 1 1 -1 -1 -1 -1 -1\n";
        let w = parse(text).expect("one job left");
        assert_eq!(w.jobs.len(), 1);
        assert_eq!(w.jobs[0].id, 6, "a zero run time is known, not unknown");
        assert_eq!(w.skipped.get(SKIP_UNKNOWN_RUNTIME), Some(&2));
        assert_eq!(w.skipped.get(SKIP_UNKNOWN_SUBMIT), Some(&1));
        assert_eq!(w.skipped.get(SKIP_UNKNOWN_PROCS), Some(&2));
        assert_eq!(w.skipped_total(), 5);
        assert_eq!(w.lacking_requested_procs, 0, "skipped jobs do not count in the rules");
    }

    #[test]
    fn nothing_left_is_no_jobs() {
        let err = parse("; MaxProcs: 4\n\n").expect_err("empty");
        assert!(matches!(err, WorkloadError::NoJobs { .. }));
        let err = parse("1 0 0 -1 8 -1 -1 8 100 -1 1 1 1 -1 -1 -1 -1 -1\n").expect_err("all skipped");
        assert_eq!(
            err.to_string(),
            "t.swf: holds no job that can be simulated (all 1 job lines skipped: 1 unknown run time)"
        );
    }

    #[test]
    fn jobs_are_sorted_by_submit_keeping_file_order_on_ties() {
        let text = "1 50 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n\
                    2 20 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n\
                    3 50 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n\
                    4 20 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n";
        let ids: Vec<u64> = parse(text).expect("valid").jobs.iter().map(|j| j.id).collect();
        assert_eq!(ids, vec![2, 4, 1, 3]);
    }

    #[test]
    fn blank_lines_comments_and_crlf_are_tolerated() {
        let text = "; h\r\n\r\n   \n1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\r\n\
                    ; a remark between jobs\n\t2 5 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1";
        let w = parse(text).expect("valid");
        assert_eq!(w.jobs.len(), 2);
        assert_eq!(w.header, vec!["h", "a remark between jobs"]);
    }

    #[test]
    fn wrong_field_count_names_file_and_line() {
        let err = parse("; h\n1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1\n").expect_err("17 fields");
        assert!(matches!(err, WorkloadError::FieldCount { line: 2, expected: 18, found: 17, .. }));
        assert_eq!(err.to_string(), "t.swf:2: expected 18 whitespace-separated fields, found 17");
        let err = parse("1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1 9\n").expect_err("19 fields");
        assert!(matches!(err, WorkloadError::FieldCount { line: 1, found: 19, .. }));
    }

    fn field_err(text: &str) -> (u64, usize, &'static str, &'static str, String, String) {
        let err = parse(text).expect_err("bad field");
        let msg = err.to_string();
        match err {
            WorkloadError::Field { line, field_no, field, expected, found, .. } => {
                (line, field_no, field, expected, found, msg)
            }
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn non_numeric_field_names_line_field_and_value() {
        let (line, no, name, expected, found, msg) = field_err("\n1 0 0 10 1 -1 -1 1 ten -1 1 1 1 -1 -1 -1 -1 -1\n");
        assert_eq!((line, no, name, expected, found.as_str()), (2, 9, "requested time", "a number", "ten"));
        assert_eq!(msg, "t.swf:2: field 9 (requested time): expected a number, found \"ten\"");
    }

    #[test]
    fn nan_and_infinity_are_rejected() {
        let (_, no, _, expected, ..) = field_err("1 NaN 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n");
        assert_eq!((no, expected), (2, "a finite number"));
        let (_, no, _, expected, ..) = field_err("1 0 0 inf 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n");
        assert_eq!((no, expected), (4, "a finite number"));
    }

    #[test]
    fn negative_sizes_and_times_are_rejected() {
        let (line, no, name, expected, found, msg) = field_err("1 0 0 10 -5 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n");
        assert_eq!((line, no, name, found.as_str()), (1, 5, "allocated processors", "-5"));
        assert_eq!(expected, EXPECT_COUNT);
        assert_eq!(
            msg,
            "t.swf:1: field 5 (allocated processors): expected a count ≥ 0 or -1 for unknown, found \"-5\""
        );
        let (_, no, name, ..) = field_err("1 0 0 -3 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n");
        assert_eq!((no, name), (4, "run time"));
        let (_, no, ..) = field_err("1 -0.5 0 3 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n");
        assert_eq!(no, 2);
        let (_, no, ..) = field_err("1 0 0 3 1 -1 -1 2.5 10 -1 1 1 1 -1 -1 -1 -1 -1\n");
        assert_eq!(no, 8, "a fractional processor count is not a count");
    }

    #[test]
    fn ids_must_be_integral() {
        let (_, no, name, expected, ..) = field_err("1 0 0 3 1 -1 -1 1 10 -1 1 3.5 1 -1 -1 -1 -1 -1\n");
        assert_eq!((no, name, expected), (12, "user id", EXPECT_ID));
        let (_, no, _, expected, ..) = field_err("-1 0 0 3 1 -1 -1 1 10 -1 1 3 1 -1 -1 -1 -1 -1\n");
        assert_eq!((no, expected), (1, EXPECT_JOB_NUMBER));
        let (_, no, ..) = field_err("1 0 0 3 1 -1 -1 1 10 -1 1 3 1 -1 -1 -1 -7 -1\n");
        assert_eq!(no, 17);
    }

    #[test]
    fn oversized_values_are_field_errors_not_panics() {
        let (_, no, _, expected, ..) = field_err("1 0 0 3 1 -1 -1 5000000000 10 -1 1 3 1 -1 -1 -1 -1 -1\n");
        assert_eq!((no, expected), (8, EXPECT_PROCS_RANGE));
        let (_, no, _, expected, ..) = field_err("1 1e300 0 3 1 -1 -1 1 10 -1 1 3 1 -1 -1 -1 -1 -1\n");
        assert_eq!((no, expected), (2, EXPECT_TIME_RANGE));
        let (_, no, ..) = field_err("1 0 0 3 1 -1 -1 1 10 -1 1 3 1 99999999999999999999 -1 -1 -1 -1\n");
        assert_eq!(no, 14);
    }

    #[test]
    fn integer_fields_are_read_as_integers_and_repeated_numbers_are_noted() {
        let w = parse(
            "9007199254740993 0 0 3 1 -1 -1 1 10 -1 1 9007199254740993 1 -1 -1 -1 -1 -1\n\
             9007199254740992 0 0 3 1 -1 -1 1 10 -1 1 3 1 -1 -1 -1 -1 -1\n",
        )
        .unwrap();
        let ids: Vec<u64> = w.jobs.iter().map(|j| j.id).collect();
        assert_eq!(ids, [9_007_199_254_740_993, 9_007_199_254_740_992]);
        assert_eq!(w.jobs[0].meta.user, 9_007_199_254_740_993);
        assert!(w.notes.is_empty(), "{:?}", w.notes);
        let (_, no, _, expected, ..) = field_err("99999999999999999999 0 0 3 1 -1 -1 1 10 -1 1 3 1 -1 -1 -1 -1 -1\n");
        assert_eq!((no, expected), (1, EXPECT_JOB_NUMBER));

        let job = |id: u32| line(&format!("{id} 0 0 3 1 -1 -1 1 10 -1 1 3 1 -1 -1 -1 -1 -1"));
        let text: String = [7, 5, 7, 9, 5, 7, 1, 2, 2, 3, 3].into_iter().map(job).collect();
        let w = parse(&text).unwrap();
        assert_eq!(w.jobs.len(), 11, "repeated numbers are still jobs");
        assert_eq!(
            w.notes,
            ["5 jobs repeat the number of an earlier job (lowest: 2, 3, 5); each is simulated as its own job"]
        );
    }

    #[test]
    fn a_line_past_the_cap_is_an_error_not_a_buffer_the_size_of_the_file() {
        let mut text = b"; MaxProcs: 8\n".to_vec();
        text.resize(text.len() + 2 * MAX_LINE_BYTES as usize, b'0');
        let err = parse_swf(&text[..], Path::new("z")).unwrap_err();
        assert!(matches!(err, WorkloadError::LineTooLong { line: 2, .. }), "{err}");
        assert!(err.to_string().starts_with("z:2: line longer than 1048576 bytes"), "{err}");
    }

    #[test]
    fn the_time_limit_agrees_with_its_message_and_tiny_requests_are_raised() {
        let (_, no, _, expected, ..) = field_err("1 9.0000001e12 0 3 1 -1 -1 1 10 -1 1 3 1 -1 -1 -1 -1 -1\n");
        assert_eq!((no, expected), (2, EXPECT_TIME_RANGE));
        let (_, no, ..) = field_err("1 0 0 9e12 1 -1 -1 1 10 -1 1 3 1 -1 -1 -1 -1 -1\n");
        assert_eq!(no, 4);
        let w = parse("1 0 0 0.0004 1 -1 -1 1 0.0004 -1 1 3 1 -1 -1 -1 -1 -1\n").unwrap();
        assert_eq!((w.jobs[0].runtime, w.jobs[0].requested_time), (SimDuration(0), SimDuration(1)));
        assert_eq!(w.notes, ["requested time above 0 but under 1 ms for 1 job: raised to 1 ms (the clock's unit)"]);
    }

    #[test]
    fn non_utf8_input_is_an_error_or_lossy_header_never_a_panic() {
        let mut bytes = b"; Acknowledge: J\xf6rg\n".to_vec();
        bytes.extend_from_slice(b"1 0 0 \xff 1 -1 -1 1 10 -1 1 3 1 -1 -1 -1 -1 -1\n");
        let err = parse_swf(&bytes[..], Path::new("t.swf")).expect_err("bad byte");
        assert!(matches!(err, WorkloadError::Field { line: 2, field_no: 4, .. }));
        let ok =
            parse_swf(&b"; Acknowledge: J\xf6rg\n1 0 0 3 1 -1 -1 1 10 -1 1 3 1 -1 -1 -1 -1 -1\n"[..], Path::new("t"))
                .expect("header bytes are free text");
        assert_eq!(ok.header, vec!["Acknowledge: J\u{fffd}rg"]);
    }

    #[test]
    fn gzip_round_trip_is_detected_by_content() {
        let text = format!("{HEADER}{}", line("1 0 5 100 4 -1 -1 4 200 -1 1 3 4 -1 -1 -1 -1 -1"));
        let dir = tempfile::tempdir().expect("tempdir");
        // No .gz extension on purpose: detection is by magic bytes.
        let path = dir.path().join("trace.swf");
        {
            let file = File::create(&path).expect("create");
            let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::default());
            enc.write_all(text.as_bytes()).expect("write");
            enc.finish().expect("finish");
        }
        let gz = read_swf(&path).expect("gz trace");
        let plain = parse(&text).expect("plain trace");
        assert_eq!(gz.jobs, plain.jobs);
        assert_eq!(gz.header, plain.header);
        assert_eq!(gz.max_procs, Some(100));

        let plain_path = dir.path().join("plain.swf.gz");
        std::fs::write(&plain_path, text.as_bytes()).expect("write plain");
        assert_eq!(read_swf(&plain_path).expect("plain despite .gz name").jobs, plain.jobs);
    }

    /// Job lines enough to fill several of the blocks the reader parses apart, with header
    /// lines among them; line `n` (1-based) is job `n` unless it is a comment.
    fn many_lines(n: usize, comment_every: usize) -> Vec<String> {
        (1..=n)
            .map(|i| {
                if i % comment_every == 0 {
                    format!("; MaxProcs: {i}")
                } else {
                    // Submit times run backwards within each hundred, so sorting has work to do.
                    format!(
                        "{i} {} 0 10 1 -1 -1 1 20 -1 1 {} 1 -1 -1 -1 -1 -1",
                        1_000 * (i / 100) + 99 - i % 100,
                        i % 7
                    )
                }
            })
            .collect()
    }

    #[test]
    fn a_text_of_many_blocks_reads_as_line_by_line() {
        let lines = many_lines(40_000, 997);
        let text = lines.join("\n");
        assert!(text.len() as u64 > 6 * BLOCK_BYTES, "the text spans several blocks");
        let w = parse(&text).expect("valid");
        let mut expected: Vec<(SimTime, u64)> = (1..=40_000u64)
            .filter(|i| i % 997 != 0)
            .map(|i| (SimTime(1_000 * (1_000 * (i / 100) + 99 - i % 100) as i64), i))
            .collect();
        expected.sort_by_key(|&(submit, _)| submit);
        let got: Vec<(SimTime, u64)> = w.jobs.iter().map(|j| (j.submit, j.id)).collect();
        assert_eq!(got, expected, "every line across block boundaries, in arrival then file order");
        let header: Vec<String> = (1..=40_000).filter(|i| i % 997 == 0).map(|i| format!("MaxProcs: {i}")).collect();
        assert_eq!(w.header, header, "header lines in file order");
        assert_eq!(w.max_procs, Some(997), "the first MaxProcs line wins");
    }

    #[test]
    fn an_error_in_a_later_block_names_its_line_in_the_file_and_the_first_error_wins() {
        let mut lines = many_lines(40_000, 1_000_000);
        lines[29_999] = "30000 0 0 10 1 -1 -1 1 ten -1 1 1 1 -1 -1 -1 -1 -1".into();
        let text = lines.join("\n");
        let err = parse(&text).expect_err("line 30000 is bad");
        assert_eq!(err.to_string(), "t.swf:30000: field 9 (requested time): expected a number, found \"ten\"");
        lines[12_344] = "; MaxNodes: many".into();
        let err = parse(&lines.join("\n")).expect_err("line 12345 is bad too");
        assert!(matches!(err, WorkloadError::Header { line: 12_345, .. }), "{err}");
        lines[38_000] = "x".repeat(MAX_LINE_BYTES as usize + 1);
        lines[12_344] = "; fine".into();
        let err = parse(&lines.join("\n")).expect_err("two bad lines");
        assert!(matches!(err, WorkloadError::Field { line: 30_000, .. }), "{err}");
        lines[29_999] = "; fine".into();
        let err = parse(&lines.join("\n")).expect_err("a line past the cap");
        assert!(matches!(err, WorkloadError::LineTooLong { line: 38_001, .. }), "{err}");
    }

    #[test]
    fn missing_file_is_an_io_error_naming_it() {
        let err = read_swf(Path::new("/nonexistent/x.swf")).expect_err("missing");
        assert!(matches!(err, WorkloadError::Io { .. }));
        assert!(err.to_string().starts_with("/nonexistent/x.swf: cannot read:"));
    }

    #[test]
    fn corrupt_gzip_is_an_io_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bad.swf.gz");
        std::fs::write(&path, [0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef]).expect("write");
        assert!(matches!(read_swf(&path), Err(WorkloadError::Io { .. })));
    }

    fn shared_traces() -> Option<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/traces");
        if dir.is_dir() {
            Some(dir)
        } else {
            println!("skipping: ../shared/traces not found");
            None
        }
    }

    #[test]
    fn reads_the_kth_excerpt() {
        let Some(dir) = shared_traces() else { return };
        let w = read_swf(&dir.join("KTH-SP2-excerpt-9jobs.swf")).expect("excerpt loads");
        assert_eq!(w.jobs.len(), 9);
        assert_eq!((w.max_procs, w.max_nodes), (Some(100), Some(100)));
        assert_eq!(w.header.first().map(String::as_str), Some("Version: 2.2"));
        assert!(w.header.iter().any(|h| h == "Note: uses the EASY scheduler"));
        assert!(w.skipped.is_empty() && w.notes.is_empty());
        let j = &w.jobs[6];
        assert_eq!((j.id, j.submit, j.procs()), (7, SimTime(6_000_000), 50));
        assert_eq!((j.runtime, j.requested_time), (SimDuration::from_secs(2000), SimDuration::from_secs(3000)));
        assert_eq!((j.meta.status, j.meta.user, j.meta.group), (1, 17, 17));
        let ids: Vec<u64> = w.jobs.iter().map(|j| j.id).collect();
        assert_eq!(ids, (1..=9).collect::<Vec<u64>>());
    }

    #[test]
    fn queue_numbers_are_classes_only_under_schedsims_legend() {
        let jobs = "1 0 -1 10 1 -1 -1 1 20 -1 -1 1 1 -1 0 1 -1 -1\n\
                    2 5 -1 10 1 -1 -1 1 20 -1 -1 1 1 -1 1 1 -1 -1\n\
                    3 9 -1 10 1 -1 -1 1 20 -1 -1 1 1 -1 2 1 -1 -1\n";
        let classes = |text: &str| -> Vec<JobClass> {
            parse_swf(text.as_bytes(), Path::new("t.swf")).expect("valid").jobs.iter().map(|j| j.class).collect()
        };
        let ours = format!("; {}\n{jobs}", write::QUEUE_LEGEND);
        assert_eq!(classes(&ours), [JobClass::Interactive, JobClass::Batch, JobClass::Debug]);
        assert_eq!(classes(jobs), [JobClass::Batch; 3], "another trace's queue numbers mean nothing to us");
    }
}
