//! Writes a simulated schedule back as SWF (`schedule.swf`): the trace's own header and fields,
//! with wait, run time and status replaced by what happened in the simulation, so that other
//! SWF tools (evalys, the archive's scripts) can analyse a run like a real log.

use std::fmt::{self, Write as _};
use std::io::{self, BufWriter, Write};

use crate::metrics::record::{JobRecord, Outcome};
use crate::workload::Workload;

/// Marks a schedule written by schedsim; not copied again when a schedule is re-read and
/// written back.
pub const SCHEDULE_MARKER: &str = "schedsim schedule: wait and run time are simulated";

/// Minimum column widths, close to the archive's layout so that columns line up in a pager.
const WIDTHS: [usize; 18] = [7, 9, 7, 7, 5, 7, 6, 5, 7, 6, 2, 4, 4, 4, 3, 3, 3, 3];

/// Writes `records` (in their order) as SWF lines after `workload`'s header. Rejected jobs never
/// ran and are left out. A record pointing outside `workload`, or a job that ran without a
/// start or end, is an `InvalidInput` error rather than a guessed line.
pub fn write_schedule_swf<W: Write>(out: W, workload: &Workload, records: &[JobRecord]) -> io::Result<()> {
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
    let mut line = String::with_capacity(160);
    let mut cell = String::with_capacity(24);
    for rec in records {
        // SWF status: 1 completed, 0 failed (here: killed at a limit), 5 cancelled.
        let status: i64 = match rec.outcome {
            Outcome::Rejected => continue,
            Outcome::Completed => 1,
            Outcome::Walltime | Outcome::Idle => 0,
            Outcome::Abandoned | Outcome::Preempted => 5,
        };
        let job = workload.jobs.get(rec.job as usize).ok_or_else(|| {
            invalid(format!("record for job index {} but the workload has {} jobs", rec.job, workload.jobs.len()))
        })?;
        // A job that never started (abandoned) waited until it left.
        let Some(waited_until) = rec.start.or(rec.end) else {
            return Err(invalid(format!("job {} ended {} without a start or end time", job.id, rec.outcome.as_str())));
        };
        let m = &job.meta;
        line.clear();
        let cells: [&dyn fmt::Display; 18] = [
            &job.id,
            &job.submit,
            &(waited_until - job.submit),
            &rec.run,
            &job.procs(),
            &Swf(m.avg_cpu_time),
            &Swf(m.used_memory),
            &job.procs(),
            &job.requested_time,
            &Swf(m.requested_memory),
            &status,
            &m.user,
            &m.group,
            &m.executable,
            &m.queue,
            &m.partition,
            &m.preceding_job,
            &Swf(m.think_time),
        ];
        write_swf_line(&mut out, &cells, &mut line, &mut cell)?;
    }
    out.flush()
}

/// Writes one SWF line of 18 fields, right-aligned in the archive's column widths. `line` and
/// `cell` are scratch buffers reused across lines.
pub(crate) fn write_swf_line(
    out: &mut impl Write,
    cells: &[&dyn fmt::Display; 18],
    line: &mut String,
    cell: &mut String,
) -> io::Result<()> {
    line.clear();
    for (i, value) in cells.iter().enumerate() {
        cell.clear();
        write!(cell, "{value}").map_err(|_| io::Error::other("cannot format an SWF field"))?;
        if i > 0 {
            line.push(' ');
        }
        // `SimTime`'s Display ignores width flags, so pad by hand.
        for _ in cell.len()..WIDTHS[i] {
            line.push(' ');
        }
        line.push_str(cell);
    }
    line.push('\n');
    out.write_all(line.as_bytes())
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// An SWF float field: shortest exact form (`-1`, `142`, `552.21`), and −1 for a value that
/// is not finite or is negative (unknown), since no SWF reader accepts `NaN`.
pub(crate) struct Swf(pub(crate) f64);

impl fmt::Display for Swf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_finite() && self.0 >= 0.0 {
            write!(f, "{}", self.0)
        } else {
            f.write_str("-1")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{SimDuration, SimTime};
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

    fn records() -> Vec<JobRecord> {
        let rec = |job, start: i64, end: i64, outcome| JobRecord {
            job,
            start: Some(SimTime(start)),
            end: Some(SimTime(end)),
            run: SimDuration(end - start),
            outcome,
            preemptions: 0,
            reason: None,
        };
        vec![
            rec(1, 10_000, 60_000, Outcome::Completed),
            rec(0, 4_709, 104_709, Outcome::Completed),
            rec(2, 25_500, 325_500, Outcome::Walltime),
            JobRecord::pending(3),
        ]
    }

    fn write(w: &Workload, recs: &[JobRecord]) -> io::Result<String> {
        let mut buf = Vec::new();
        write_schedule_swf(&mut buf, w, recs)?;
        String::from_utf8(buf).map_err(|e| io::Error::other(e.to_string()))
    }

    #[test]
    fn writes_header_marker_and_one_line_per_run_job() {
        let text = write(&workload(), &records()).expect("writes");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[..4],
            ["; Version: 2.2", "; MaxProcs: 100", ";", "; schedsim schedule: wait and run time are simulated"]
        );
        assert_eq!(lines.len(), 7, "the rejected job is left out");
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
        let recs = records();
        let text = write(&w, &recs).expect("writes");
        let back = parse_swf(text.as_bytes(), Path::new("schedule.swf")).expect("readable SWF");
        assert_eq!(back.max_procs, Some(100));
        assert_eq!(back.jobs.len(), 3);
        for got in &back.jobs {
            let idx = w.jobs.iter().position(|j| j.id == got.id).expect("same ids");
            let orig = &w.jobs[idx];
            let rec = recs.iter().find(|r| r.job as usize == idx).expect("has a record");
            let (Some(start), Some(end)) = (rec.start, rec.end) else { panic!("ran") };
            assert_eq!((got.submit, got.procs(), got.requested_time), (orig.submit, orig.procs(), orig.requested_time));
            assert_eq!(got.runtime, end - start);
            assert_eq!(got.meta.user, orig.meta.user);
        }
        assert!(back.notes.is_empty(), "requested values are all known on the way back");
        // Writing the re-read schedule does not repeat the marker.
        let again = write(&back, &[]).expect("writes");
        assert_eq!(again.matches(SCHEDULE_MARKER).count(), 1);
    }

    #[test]
    fn output_is_deterministic() {
        let w = workload();
        assert_eq!(write(&w, &records()).expect("a"), write(&w, &records()).expect("b"));
    }

    #[test]
    fn bad_records_are_errors_not_panics() {
        let w = workload();
        let out_of_range = [JobRecord {
            start: Some(SimTime(0)),
            end: Some(SimTime(1)),
            outcome: Outcome::Completed,
            ..JobRecord::pending(99)
        }];
        assert_eq!(write(&w, &out_of_range).expect_err("index").kind(), io::ErrorKind::InvalidInput);
        let no_start = [JobRecord { start: None, end: None, outcome: Outcome::Walltime, ..JobRecord::pending(0) }];
        assert_eq!(write(&w, &no_start).expect_err("start").kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn float_fields_print_shortest_and_never_nan() {
        assert_eq!(Swf(-1.0).to_string(), "-1");
        assert_eq!(Swf(142.0).to_string(), "142");
        assert_eq!(Swf(552.21).to_string(), "552.21");
        assert_eq!(Swf(f64::NAN).to_string(), "-1");
        assert_eq!(SimDuration(5_500).to_string(), "5.5");
    }
}
