//! `jobs.csv`: one row per job, in workload order, times in seconds with the fraction kept.

use std::io::{self, Write};

use crate::metrics::summary::bounded_slowdown;
use crate::metrics::JobRecord;
use crate::time::fmt_fixed;
use crate::workload::Job;

/// The header row, also what `schedsim report` checks a run directory against.
pub const HEADER: &str = "job_id,submit,start,end,wait,runtime,requested_time,procs,outcome,bsld";

/// Writes every record; a rejected job has empty start, end, wait, runtime and bsld.
pub fn write_jobs_csv<W: Write>(mut out: W, jobs: &[Job], records: &[JobRecord]) -> io::Result<()> {
    writeln!(out, "{HEADER}")?;
    for r in records {
        let j = &jobs[r.job as usize];
        write!(out, "{},{},", j.id, j.submit)?;
        match (r.start, r.end) {
            (Some(s), Some(e)) => {
                let (wait, run) = (s - j.submit, e - s);
                write!(out, "{s},{e},{wait},{run},")?;
                write!(out, "{},{},{},", j.requested_time, j.procs(), r.outcome.as_str())?;
                // Four decimals, written from a rounded integer: exact and much faster than
                // float formatting on runs of millions of jobs.
                let bsld = (bounded_slowdown(wait, run) * 10_000.0).round() as i64;
                let mut text = String::new();
                fmt_fixed(bsld, 4, &mut text).map_err(io::Error::other)?;
                writeln!(out, "{text}")?;
            }
            _ => writeln!(out, ",,,,{},{},{},", j.requested_time, j.procs(), r.outcome.as_str())?,
        }
    }
    out.flush()
}
