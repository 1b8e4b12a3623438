//! Writing SWF: a run's schedule (`schedule.swf`: the trace's own header and fields, with
//! wait, run time and status replaced by what happened in the simulation, so that other SWF
//! tools such as evalys or the archive's scripts can analyse a run like a real log), and a
//! workload as an input trace (`schedsim generate` and `schedsim convert`: wait unknown, the
//! class as the queue number).

use std::io::{self, BufWriter, Write};

use crate::time::{digits_of, fixed_digits, SimDuration, SimTime, FIXED_MAX};
use crate::workload::job::{Job, JobIdx};
use crate::workload::Workload;

/// Marks a schedule written by schedsim; not copied again when a schedule is re-read and
/// written back.
pub const SCHEDULE_MARKER: &str = "schedsim schedule: wait and run time are simulated";

/// The header line that says the queue numbers are classes; the reader takes the classes back
/// from the queue numbers of a trace that carries it.
pub const QUEUE_LEGEND: &str = "Queues: 0 interactive, 1 batch, 2 debug";

/// Minimum column widths, close to the archive's layout so that columns line up in a pager.
const WIDTHS: [usize; 18] = [7, 9, 7, 7, 5, 7, 6, 5, 7, 6, 2, 4, 4, 4, 3, 3, 3, 3];

/// What a run did with one job, as its schedule line says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ran {
    pub job: JobIdx,
    /// When it stopped waiting: its start, or when it left the queue unstarted.
    pub waited_until: SimTime,
    pub run: SimDuration,
    /// SWF status: 1 completed, 0 failed (killed at a limit), 5 cancelled.
    pub status: i64,
}

/// Writes a schedule: `workload`'s header, then one line per item of `ran`, in its order. An
/// item pointing outside `workload` is an `InvalidInput` error rather than a guessed line.
pub fn write_schedule<W: Write>(
    out: W,
    workload: &Workload,
    ran: impl IntoIterator<Item = io::Result<Ran>>,
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, out);
    for h in &workload.header {
        if h.trim() == SCHEDULE_MARKER {
            continue;
        }
        if h.is_empty() {
            out.write_all(b";\n")?;
        } else {
            writeln!(out, "; {h}")?;
        }
    }
    writeln!(out, "; {SCHEDULE_MARKER}")?;

    // Reused across lines: a schedule has as many lines as the trace has jobs.
    let mut line = Vec::with_capacity(160);
    for r in ran {
        let r = r?;
        let job = workload.jobs.get(r.job as usize).ok_or_else(|| {
            invalid(format!("record for job index {} but the workload has {} jobs", r.job, workload.jobs.len()))
        })?;
        let wait = Cell::Time((r.waited_until - job.submit).0);
        let cells = job_cells(job, wait, r.run, r.status, job.meta.queue, job.meta.partition);
        write_swf_line(&mut out, &cells, &mut line)?;
    }
    out.flush()
}

/// Writes `w` as an SWF input trace: `header` as comment lines, then each job with wait
/// unknown (−1), its run and requested times, the class as the queue number, and the
/// partition number `partition` gives.
pub fn write_input<W: Write>(
    out: W,
    w: &Workload,
    header: &[String],
    partition: impl Fn(&Job) -> i64,
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, out);
    for h in header {
        writeln!(out, "; {}", h.replace('\n', " "))?;
    }
    let mut line = Vec::with_capacity(160);
    for job in &w.jobs {
        let queue = job.class.swf_queue();
        let cells = job_cells(job, Cell::Int(-1), job.runtime, job.meta.status, queue, partition(job));
        write_swf_line(&mut out, &cells, &mut line)?;
    }
    out.flush()
}

/// Writes a loaded trace (SWF or sacct) as an SWF input trace, for `schedsim convert`: a header
/// saying where it came from (`origin`) and what SWF cannot hold, the partition legend, and
/// each job with its source's partition number.
pub fn write_converted<W: Write>(out: W, w: &Workload, origin: &str) -> io::Result<()> {
    let mut header = vec![
        "Version: 2.2".to_string(),
        format!("Note: converted by `schedsim convert` from {origin}: an input trace, wait times unknown (-1)"),
    ];
    header.extend(w.header.iter().map(|h| format!("Note: source header: {h}")));
    header.extend(w.max_procs.map(|p| format!("MaxProcs: {p}")));
    header.extend(w.max_nodes.map(|n| format!("MaxNodes: {n}")));
    header.push(QUEUE_LEGEND.to_string());
    let legend = |names: &[String]| -> String {
        names.iter().enumerate().map(|(i, n)| format!("{} {n}", i + 1)).collect::<Vec<_>>().join(", ")
    };
    if !w.partition_names.is_empty() {
        header.push(format!("Partitions: {}", legend(&w.partition_names)));
    }
    if !w.users.is_empty() {
        header.push(format!(
            "Note: user ids are UIDs where the source gives them, else these numbers: {}",
            legend(&w.users)
        ));
    }
    let patient = w.jobs.iter().filter(|j| j.patience.is_some()).count();
    if patient > 0 {
        header.push(format!(
            "Note: SWF cannot hold patience: {patient} session(s) cancelled before they started are written as jobs that run"
        ));
    }
    header.extend(w.notes.iter().map(|n| format!("Note: {n}")));
    write_input(out, w, &header, |j| j.meta.partition)
}

/// A job's 18 SWF fields: its own, with the wait, run time, status, queue and partition given.
fn job_cells(job: &Job, wait: Cell, run: SimDuration, status: i64, queue: i64, partition: i64) -> [Cell; 18] {
    let m = &job.meta;
    [
        Cell::Count(job.id),
        Cell::Time(job.submit.0),
        wait,
        Cell::Time(run.0),
        Cell::Count(job.procs()),
        Cell::Float(m.avg_cpu_time),
        Cell::Float(m.used_memory),
        Cell::Count(job.procs()),
        Cell::Time(job.requested_time.0),
        Cell::Float(m.requested_memory),
        Cell::Int(status),
        Cell::Int(m.user),
        Cell::Int(m.group),
        Cell::Int(m.executable),
        Cell::Int(queue),
        Cell::Int(partition),
        Cell::Int(m.preceding_job),
        Cell::Float(m.think_time),
    ]
}

/// One field of an SWF line.
#[derive(Clone, Copy)]
enum Cell {
    Int(i64),
    Count(u64),
    /// Milliseconds, written as seconds with the fraction kept.
    Time(i64),
    /// A measured amount: shortest exact form (`-1`, `142`, `552.21`), and −1 for a value that
    /// is not finite or is negative (unknown), since no SWF reader accepts `NaN`.
    Float(f64),
}

impl Cell {
    /// Writes the cell's text at the end of `buf` (whose other bytes it leaves alone) and
    /// returns where the text starts; `None` for a float whose text does not fit.
    fn right_aligned(self, buf: &mut [u8; FIXED_MAX]) -> Option<usize> {
        Some(match self {
            Cell::Int(v) => fixed_digits(v, 0, buf),
            Cell::Count(v) => digits_of(v, buf, FIXED_MAX),
            Cell::Time(ms) => fixed_digits(ms, 3, buf),
            Cell::Float(v) if !(v.is_finite() && v >= 0.0) => {
                buf[FIXED_MAX - 2..].copy_from_slice(b"-1");
                FIXED_MAX - 2
            }
            // Whole amounts, nearly all of them, print as integers do; `-0.0` keeps its sign.
            Cell::Float(v) if v.fract() == 0.0 && v < 9e15 && v.is_sign_positive() => fixed_digits(v as i64, 0, buf),
            Cell::Float(v) => {
                let text = v.to_string();
                let at = FIXED_MAX.checked_sub(text.len())?;
                buf[at..].copy_from_slice(text.as_bytes());
                at
            }
        })
    }
}

/// Writes one SWF line of 18 fields, right-aligned in the archive's column widths. `line` is a
/// scratch buffer reused across lines.
///
/// Each cell's text is made right-aligned in a block of spaces as wide as any cell, and the
/// blocks are copied into the line from the last cell to the first, each ending where its
/// cell ends: a block's spaces are the padding before its cell, and the copies are all of one
/// size. Copying short pieces of varying length into the line was most of this file's cost.
fn write_swf_line(out: &mut impl Write, cells: &[Cell; 18], line: &mut Vec<u8>) -> io::Result<()> {
    let mut blocks = [[b' '; FIXED_MAX]; 18];
    let mut ends = [0usize; 18];
    // The line is built after a margin of one block, so that the first block fits before it.
    let mut end = FIXED_MAX;
    for (i, c) in cells.iter().enumerate() {
        let Some(at) = c.right_aligned(&mut blocks[i]) else {
            return write_swf_line_plain(out, cells, line);
        };
        end += WIDTHS[i].max(FIXED_MAX - at) + usize::from(i > 0);
        ends[i] = end;
    }
    line.clear();
    line.resize(end + 1, b' ');
    for (block, &end) in blocks.iter().zip(&ends).rev() {
        line[end - FIXED_MAX..end].copy_from_slice(block);
    }
    line[end] = b'\n';
    out.write_all(&line[FIXED_MAX..])
}

/// [`write_swf_line`] for a line with a cell longer than a block (a float written in full).
fn write_swf_line_plain(out: &mut impl Write, cells: &[Cell; 18], line: &mut Vec<u8>) -> io::Result<()> {
    line.clear();
    for (i, c) in cells.iter().enumerate() {
        let mut buf = [0; FIXED_MAX];
        let long: String;
        let text = match (c.right_aligned(&mut buf), c) {
            (Some(at), _) => &buf[at..],
            (None, Cell::Float(v)) => {
                long = v.to_string();
                long.as_bytes()
            }
            (None, _) => unreachable!("only a float's text overflows a block"),
        };
        let pad = WIDTHS[i].saturating_sub(text.len()) + usize::from(i > 0);
        line.resize(line.len() + pad, b' ');
        line.extend_from_slice(text);
    }
    line.push(b'\n');
    out.write_all(line)
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::swf::parse_swf;
    use std::path::Path;

    const TRACE: &str = "; Version: 2.2\n; MaxProcs: 100\n;\n\
        1 4.709164021244639 99 100 8 12.5 2048 -1 200 -1 1 3 4 9 2 1 -1 -1\n\
        2 10 0 50 4 -1 -1 4 -1 -1 0 5 -1 -1 -1 -1 1 30\n\
        3 20 0 500 2 -1 -1 2 300 -1 1 5 -1 -1 -1 -1 -1 -1\n\
        4 30 0 10 200 -1 -1 200 60 -1 1 6 -1 -1 -1 -1 -1 -1\n";

    fn workload() -> Workload {
        parse_swf(TRACE.as_bytes(), Path::new("in.swf")).expect("valid trace")
    }

    /// Job index, start, end (ms) and status; the fourth job never ran and has no line.
    fn ran() -> Vec<Ran> {
        let r = |job, start: i64, end: i64, status| Ran {
            job,
            waited_until: SimTime(start),
            run: SimDuration(end - start),
            status,
        };
        vec![r(1, 10_000, 60_000, 1), r(0, 4_709, 104_709, 1), r(2, 25_500, 325_500, 0)]
    }

    fn write(w: &Workload, ran: &[Ran]) -> io::Result<String> {
        let mut buf = Vec::new();
        write_schedule(&mut buf, w, ran.iter().copied().map(Ok))?;
        String::from_utf8(buf).map_err(|e| io::Error::other(e.to_string()))
    }

    #[test]
    fn writes_header_marker_and_one_line_per_run_job() {
        let text = write(&workload(), &ran()).expect("writes");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[..4],
            ["; Version: 2.2", "; MaxProcs: 100", ";", "; schedsim schedule: wait and run time are simulated"]
        );
        assert_eq!(lines.len(), 7);
        let fields: Vec<Vec<&str>> = lines[4..].iter().map(|l| l.split_whitespace().collect()).collect();
        assert_eq!(
            fields[0],
            ["2", "10", "0", "50", "4", "-1", "-1", "4", "50", "-1", "1", "5", "-1", "-1", "-1", "-1", "1", "30"]
        );
        assert_eq!(
            fields[1],
            ["1", "4.709", "0", "100", "8", "12.5", "2048", "8", "200", "-1", "1", "3", "4", "9", "2", "1", "-1", "-1"]
        );
        assert_eq!(fields[2][..11], ["3", "20", "5.5", "300", "2", "-1", "-1", "2", "300", "-1", "0"]);
    }

    #[test]
    fn read_back_gives_the_same_jobs_with_simulated_times() {
        let w = workload();
        let ran = ran();
        let text = write(&w, &ran).expect("writes");
        let back = parse_swf(text.as_bytes(), Path::new("schedule.swf")).expect("readable SWF");
        assert_eq!(back.max_procs, Some(100));
        assert_eq!(back.jobs.len(), 3);
        for got in &back.jobs {
            let idx = w.jobs.iter().position(|j| j.id == got.id).expect("same ids");
            let orig = &w.jobs[idx];
            let r = ran.iter().find(|r| r.job as usize == idx).expect("has a line");
            assert_eq!((got.submit, got.procs(), got.requested_time), (orig.submit, orig.procs(), orig.requested_time));
            assert_eq!(got.runtime, r.run);
            assert_eq!(got.meta.user, orig.meta.user);
        }
        assert!(back.notes.is_empty(), "requested values are all known on the way back");
        // Writing the re-read schedule does not repeat the marker.
        let again = write(&back, &[]).expect("writes");
        assert_eq!(again.matches(SCHEDULE_MARKER).count(), 1);
    }

    #[test]
    fn a_line_for_a_job_outside_the_workload_is_an_error() {
        let out_of_range = [Ran { job: 99, waited_until: SimTime(0), run: SimDuration(1), status: 1 }];
        assert_eq!(write(&workload(), &out_of_range).expect_err("index").kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn an_input_trace_reads_back_as_the_same_jobs() {
        let w = workload();
        let mut buf = Vec::new();
        write_input(&mut buf, &w, &["Version: 2.2".to_string(), "MaxProcs: 100".to_string()], |j| j.meta.partition)
            .expect("writes");
        let back = parse_swf(buf.as_slice(), Path::new("input.swf")).expect("readable SWF");
        assert_eq!(back.max_procs, Some(100));
        assert_eq!(back.jobs.len(), w.jobs.len());
        for (got, want) in back.jobs.iter().zip(&w.jobs) {
            assert_eq!(
                (got.id, got.submit, got.runtime, got.procs()),
                (want.id, want.submit, want.runtime, want.procs())
            );
            assert_eq!((got.meta.status, got.meta.partition), (want.meta.status, want.meta.partition));
        }
    }

    #[test]
    fn a_line_is_each_cell_right_aligned_in_its_width_whatever_its_length() {
        let tiny = 1e-30f64.to_string();
        assert!(tiny.len() > FIXED_MAX, "a float longer than a block: {tiny}");
        let mut line = Vec::new();
        for (cell, text) in [
            (Cell::Float(552.21), "552.21"),
            (Cell::Float(1e20), "100000000000000000000"),
            (Cell::Float(1e-30), tiny.as_str()),
            (Cell::Time(-1_500), "-1.5"),
            (Cell::Time(i64::MIN), "-9223372036854775.808"),
            (Cell::Int(i64::MIN), "-9223372036854775808"),
            (Cell::Count(u64::MAX), "18446744073709551615"),
        ] {
            let mut cells = [Cell::Int(-1); 18];
            cells[0] = Cell::Count(123_456_789_012);
            cells[1] = Cell::Time(4_709);
            cells[5] = cell;
            let mut texts = vec!["-1"; 18];
            (texts[0], texts[1], texts[5]) = ("123456789012", "4.709", text);
            let expected: String = texts
                .iter()
                .enumerate()
                .map(|(i, t)| format!("{}{t:>w$}", if i > 0 { " " } else { "" }, w = WIDTHS[i]))
                .chain(["\n".to_string()])
                .collect();
            let mut out = Vec::new();
            write_swf_line(&mut out, &cells, &mut line).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
    }

    #[test]
    fn float_fields_print_shortest_and_never_nan() {
        let text = |v: f64| {
            let mut out = Vec::new();
            write_swf_line(&mut out, &[Cell::Float(v); 18], &mut Vec::new()).unwrap();
            String::from_utf8(out).unwrap().split_whitespace().next().unwrap().to_string()
        };
        assert_eq!(text(-1.0), "-1");
        assert_eq!(text(142.0), "142");
        assert_eq!(text(552.21), "552.21");
        assert_eq!(text(f64::NAN), "-1");
        for v in [0.0, -0.0, 1e15, 8.9e15, 9e15, 1e20, 3.5e-7, 2.0f64.powi(60)] {
            assert_eq!(text(v), v.to_string(), "{v}");
        }
        assert_eq!(SimDuration(5_500).to_string(), "5.5");
    }
}
