//! `jobs.csv`: one row per job, in workload order, times in seconds with the fraction kept.

use std::io::{self, Write};

use crate::cluster::{Allocations, Cluster, NodeId, Res};
use crate::metrics::summary::bounded_slowdown;
use crate::metrics::JobRecord;
use crate::time::{digits_of, fixed_digits, push_uint, FIXED_MAX};
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

/// A row built from its end. Each number is made right-aligned in a block and the whole block
/// is copied, ending where the number ends, so that every copy has one size; the block's
/// spare bytes fall where the cells to its left go, written after it.
struct Backwards {
    buf: Vec<u8>,
    end: usize,
    at: usize,
}

impl Backwards {
    /// Starts a row of at most `room` bytes.
    fn start(&mut self, room: usize) {
        self.end = room + FIXED_MAX;
        if self.buf.len() < self.end {
            self.buf.resize(self.end, 0);
        }
        self.at = self.end;
    }

    fn block(&mut self, block: &[u8; FIXED_MAX], from: usize) {
        self.buf[self.at - FIXED_MAX..self.at].copy_from_slice(block);
        self.at -= FIXED_MAX - from;
    }

    fn fixed(&mut self, value: i64, decimals: u32) {
        let mut block = [0; FIXED_MAX];
        let from = fixed_digits(value, decimals, &mut block);
        self.block(&block, from);
    }

    fn uint(&mut self, value: u64) {
        let mut block = [0; FIXED_MAX];
        let from = digits_of(value, &mut block, FIXED_MAX);
        self.block(&block, from);
    }

    fn bytes(&mut self, text: &[u8]) {
        self.buf[self.at - text.len()..self.at].copy_from_slice(text);
        self.at -= text.len();
    }

    fn row(&self) -> &[u8] {
        &self.buf[self.at..self.end]
    }
}

/// Writes every record. A job that never started has empty start, wait, runtime, nodes and
/// bsld; a rejected one has no end either (an abandoned one ended when its user gave up).
/// Each row is built in one reused buffer with integer formatting: on traces of millions of
/// jobs, `fmt` machinery was most of the cost of this file, and then copying short pieces of
/// varying length (see [`Backwards`]).
pub fn write_jobs_csv<W: Write>(
    mut out: W,
    jobs: &[Job],
    records: &[JobRecord],
    allocations: &Allocations,
    cluster: &Cluster,
) -> io::Result<()> {
    writeln!(out, "{HEADER}")?;
    let mut row = Backwards { buf: Vec::with_capacity(512), end: 0, at: 0 };
    let mut nodes: Vec<u8> = Vec::with_capacity(64);
    // Twelve numbers of at most a block each, and the commas and newline.
    const NUMBERS_ROOM: usize = 12 * FIXED_MAX + 20;
    for r in records {
        let j = &jobs[r.job as usize];
        let label = j.label.as_deref().map(str::as_bytes);
        let class = j.class.as_str().as_bytes();
        let partition = cluster.partition(j.partition).name.as_bytes();
        let outcome = r.outcome.as_str().as_bytes();
        nodes.clear();
        let alloc = &allocations[r.job as usize];
        if r.start.is_some() {
            node_ranges(alloc, &mut nodes);
        }
        row.start(
            NUMBERS_ROOM + label.map_or(0, <[u8]>::len) + class.len() + partition.len() + outcome.len() + nodes.len(),
        );
        // From the end of the row to its start.
        if let Some(s) = r.start {
            let wait = s - j.submit;
            // Four decimals, written from a rounded integer: exact, and no float formatting.
            let bsld = (bounded_slowdown(wait, r.run) * 10_000.0).round() as i64;
            row.bytes(b"\n");
            row.fixed(bsld, 4);
            row.bytes(b",");
            row.uint(u64::from(r.preemptions));
            row.bytes(b",");
            row.bytes(outcome);
            row.bytes(b",");
            row.bytes(&nodes);
            row.bytes(b",");
            row.uint(alloc.len() as u64);
            row.bytes(b",");
            row.uint(j.procs());
            row.bytes(b",");
            row.fixed(j.requested_time.0, 3);
            row.bytes(b",");
            row.fixed(r.run.0, 3);
            row.bytes(b",");
            row.fixed(wait.0, 3);
        } else {
            row.bytes(b",\n");
            row.uint(u64::from(r.preemptions));
            row.bytes(b",");
            row.bytes(outcome);
            row.bytes(b",,,");
            row.uint(j.procs());
            row.bytes(b",");
            row.fixed(j.requested_time.0, 3);
            row.bytes(b",,");
        }
        row.bytes(b",");
        if let Some(e) = r.end {
            row.fixed(e.0, 3);
        }
        row.bytes(b",");
        if let Some(s) = r.start {
            row.fixed(s.0, 3);
        }
        row.bytes(b",");
        row.fixed(j.submit.0, 3);
        row.bytes(b",");
        row.bytes(partition);
        row.bytes(b",");
        row.fixed(j.meta.user, 0);
        row.bytes(b",");
        row.bytes(class);
        row.bytes(b",");
        match label {
            Some(label) => row.bytes(label),
            None => row.uint(j.id),
        }
        out.write_all(row.row())?;
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
