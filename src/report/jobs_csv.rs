//! `jobs.csv`: one row per job, in workload order, times in seconds with the fraction kept.

use std::io::{self, Write};

use crate::cluster::{Allocations, Cluster, NodeId, Res};
use crate::metrics::summary::bounded_slowdown;
use crate::metrics::JobRecord;
use crate::time::{push_fixed, push_ms_as_secs, push_uint};
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
        push_fixed(j.meta.user, 0, &mut line);
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
    fn rows_of_a_started_an_abandoned_and_a_rejected_job() {
        use crate::metrics::Outcome;
        use crate::time::{SimDuration, SimTime};
        let mut jobs = vec![
            Job::new(7, SimTime(1_500), SimDuration(60_000), SimDuration(120_000), 3),
            Job::new(8, SimTime(2_000), SimDuration(10), SimDuration(5_250), 1),
            Job::new(9, SimTime(0), SimDuration(1_000), SimDuration(1_000), 99),
        ];
        jobs[1].label = Some("26_3".into());
        jobs[1].meta.user = -1;
        jobs[2].meta.user = 12_345_678_901;
        let records = [
            JobRecord {
                start: Some(SimTime(31_500)),
                end: Some(SimTime(91_500)),
                run: SimDuration(60_000),
                outcome: Outcome::Completed,
                preemptions: 2,
                ..JobRecord::pending(0)
            },
            JobRecord { end: Some(SimTime(4_000)), outcome: Outcome::Abandoned, ..JobRecord::pending(1) },
            JobRecord { outcome: Outcome::Rejected, ..JobRecord::pending(2) },
        ];
        let mut allocations = Allocations::new(3);
        allocations.set(0, &[(0, Res::cores(1)), (1, Res::cores(1)), (2, Res::cores(1))]);
        let cluster = Cluster::flat(8);
        let mut out = Vec::new();
        write_jobs_csv(&mut out, &jobs, &records, &allocations, &cluster).unwrap();
        let text = String::from_utf8(out).unwrap();
        let rows: Vec<&str> = text.lines().skip(1).collect();
        let p = &cluster.partition(jobs[0].partition).name;
        let (class, user) = (jobs[0].class.as_str(), jobs[0].meta.user);
        assert_eq!(
            rows,
            [
                // wait 30 s, run 60 s: bsld (30 + 60) / 60 = 1.5
                format!("7,{class},{user},{p},1.5,31.5,91.5,30,60,120,3,3,0-2,completed,2,1.5"),
                format!("26_3,{class},-1,{p},2,,4,,,5.25,1,,,abandoned,0,"),
                format!("9,{class},12345678901,{p},0,,,,,1,99,,,rejected,0,"),
            ]
        );
    }

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
