//! `jobs.csv`: one row per job, in workload order, times in seconds with the fraction kept.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::cluster::{Allocation, Cluster};
use crate::metrics::summary::bounded_slowdown;
use crate::metrics::JobRecord;
use crate::time::fmt_fixed;
use crate::workload::Job;

/// The header row, also what `schedsim report` checks a run directory against.
pub const HEADER: &str =
    "job_id,class,user,partition,submit,start,end,wait,runtime,requested_time,procs,nodes,node_list,outcome,preemptions,bsld";

/// Node ids as space-separated ranges: `0-3 7`.
pub fn node_ranges(alloc: &Allocation, out: &mut String) {
    let mut ids = alloc.0.iter().map(|&(n, _)| n).peekable();
    let mut first = true;
    while let Some(start) = ids.next() {
        let mut end = start;
        while ids.peek() == Some(&(end + 1)) {
            end = ids.next().expect("peeked");
        }
        if !first {
            out.push(' ');
        }
        first = false;
        let _ = if end == start { write!(out, "{start}") } else { write!(out, "{start}-{end}") };
    }
}

/// Writes every record. A job that never started has empty start, wait, runtime, nodes and
/// bsld; a rejected one has no end either (an abandoned one ended when its user gave up).
pub fn write_jobs_csv<W: Write>(
    mut out: W,
    jobs: &[Job],
    records: &[JobRecord],
    allocations: &[Allocation],
    cluster: &Cluster,
) -> io::Result<()> {
    writeln!(out, "{HEADER}")?;
    let mut text = String::new();
    for r in records {
        let j = &jobs[r.job as usize];
        let part = &cluster.partition(j.partition).name;
        match &j.label {
            Some(label) => write!(out, "{label},")?,
            None => write!(out, "{},", j.id)?,
        }
        write!(out, "{},{},{},{},", j.class, j.meta.user, part, j.submit)?;
        match r.start {
            Some(s) => write!(out, "{s},")?,
            None => write!(out, ",")?,
        }
        match r.end {
            Some(e) => write!(out, "{e},")?,
            None => write!(out, ",")?,
        }
        text.clear();
        let alloc = &allocations[r.job as usize];
        if let Some(s) = r.start {
            let wait = s - j.submit;
            write!(out, "{wait},{},", r.run)?;
            node_ranges(alloc, &mut text);
            write!(out, "{},{},{},{text},", j.requested_time, j.procs(), alloc.nodes())?;
            // Four decimals, written from a rounded integer: exact and much faster than
            // float formatting on runs of millions of jobs.
            let bsld = (bounded_slowdown(wait, r.run) * 10_000.0).round() as i64;
            text.clear();
            fmt_fixed(bsld, 4, &mut text).map_err(io::Error::other)?;
            writeln!(out, "{},{},{text}", r.outcome.as_str(), r.preemptions)?;
        } else {
            writeln!(out, ",,{},{},,,{},{},", j.requested_time, j.procs(), r.outcome.as_str(), r.preemptions)?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Res;

    #[test]
    fn node_lists_compress_runs() {
        let a = Allocation([0, 1, 2, 3, 7, 9, 10].iter().map(|&n| (n, Res::cores(1))).collect());
        let mut s = String::new();
        node_ranges(&a, &mut s);
        assert_eq!(s, "0-3 7 9-10");
        s.clear();
        node_ranges(&Allocation::default(), &mut s);
        assert_eq!(s, "");
    }
}
