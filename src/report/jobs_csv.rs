//! `jobs.csv`: one row per job, in workload order, times in seconds with the fraction kept.

use std::io::{self, Write};

use crate::cluster::{Allocations, Cluster, NodeId, Res};
use crate::metrics::summary::bounded_slowdown;
use crate::metrics::JobRecord;
use crate::time::{push_fixed, push_int, push_ms_as_secs, push_uint};
use crate::workload::Job;

/// The header row, also what `schedsim report` checks a run directory against.
pub const HEADER: &str =
    "job_id,class,user,partition,submit,start,end,wait,runtime,requested_time,procs,nodes,node_list,outcome,preemptions,bsld";

/// Node ids as inclusive ranges of consecutive ids, in allocation order: `[(0, 3), (7, 7)]`.
pub fn id_ranges(alloc: &[(NodeId, Res)]) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
    let mut ids = alloc.iter().map(|&(n, _)| n).peekable();
    std::iter::from_fn(move || {
        let start = ids.next()?;
        let mut end = start;
        while ids.peek() == Some(&(end + 1)) {
            end = ids.next().expect("peeked");
        }
        Some((start, end))
    })
}

/// Node ids as space-separated ranges: `0-3 7`.
pub fn node_ranges(alloc: &[(NodeId, Res)], out: &mut Vec<u8>) {
    for (i, (start, end)) in id_ranges(alloc).enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        push_uint(u64::from(start), out);
        if end != start {
            out.push(b'-');
            push_uint(u64::from(end), out);
        }
    }
}

/// Writes every record. A job that never started has empty start, wait, runtime, nodes and
/// bsld; a rejected one has no end either (an abandoned one ended when its user gave up).
/// Each row is built in one reused buffer with integer formatting: on traces of millions of
/// jobs, `fmt` machinery was most of the cost of this file.
pub fn write_jobs_csv<W: Write>(
    mut out: W,
    jobs: &[Job],
    records: &[JobRecord],
    allocations: &Allocations,
    cluster: &Cluster,
) -> io::Result<()> {
    writeln!(out, "{HEADER}")?;
    let mut line: Vec<u8> = Vec::with_capacity(256);
    let time = |t: Option<crate::time::SimTime>, line: &mut Vec<u8>| {
        if let Some(t) = t {
            push_ms_as_secs(t.0, line);
        }
        line.push(b',');
    };
    for r in records {
        line.clear();
        let j = &jobs[r.job as usize];
        match &j.label {
            Some(label) => line.extend_from_slice(label.as_bytes()),
            None => push_uint(j.id, &mut line),
        }
        line.push(b',');
        line.extend_from_slice(j.class.as_str().as_bytes());
        line.push(b',');
        push_int(j.meta.user, &mut line);
        line.push(b',');
        line.extend_from_slice(cluster.partition(j.partition).name.as_bytes());
        line.push(b',');
        push_ms_as_secs(j.submit.0, &mut line);
        line.push(b',');
        time(r.start, &mut line);
        time(r.end, &mut line);
        if let Some(s) = r.start {
            let wait = s - j.submit;
            push_ms_as_secs(wait.0, &mut line);
            line.push(b',');
            push_ms_as_secs(r.run.0, &mut line);
            line.push(b',');
            push_ms_as_secs(j.requested_time.0, &mut line);
            line.push(b',');
            push_uint(j.procs(), &mut line);
            line.push(b',');
            let alloc = &allocations[r.job as usize];
            push_uint(alloc.len() as u64, &mut line);
            line.push(b',');
            node_ranges(alloc, &mut line);
            line.push(b',');
            line.extend_from_slice(r.outcome.as_str().as_bytes());
            line.push(b',');
            push_uint(u64::from(r.preemptions), &mut line);
            line.push(b',');
            // Four decimals, written from a rounded integer: exact, and no float formatting.
            let bsld = (bounded_slowdown(wait, r.run) * 10_000.0).round() as i64;
            push_fixed(bsld, 4, &mut line);
        } else {
            line.extend_from_slice(b",,");
            push_ms_as_secs(j.requested_time.0, &mut line);
            line.push(b',');
            push_uint(j.procs(), &mut line);
            line.extend_from_slice(b",,,");
            line.extend_from_slice(r.outcome.as_str().as_bytes());
            line.push(b',');
            push_uint(u64::from(r.preemptions), &mut line);
            line.push(b',');
        }
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Allocation;

    #[test]
    fn node_lists_compress_runs() {
        let a = Allocation([0, 1, 2, 3, 7, 9, 10].iter().map(|&n| (n, Res::cores(1))).collect());
        let mut s = Vec::new();
        node_ranges(&a, &mut s);
        assert_eq!(s, b"0-3 7 9-10");
        s.clear();
        node_ranges(&[], &mut s);
        assert_eq!(s, b"");
    }
}
