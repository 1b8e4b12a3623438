//! Writing a loaded trace (SWF or sacct) as an SWF input trace (`schedsim convert`): the class
//! as the SWF queue (interactive 0, batch 1, debug 2), the partition number, user and group
//! ids, and a header saying where the trace came from and what SWF cannot hold.

use std::fmt;
use std::io::{self, BufWriter, Write};

use crate::report::swf::{write_swf_line, Swf};
use crate::workload::Workload;

/// Writes `w` as SWF; `origin` names the file it was read from.
pub fn write_input_swf<W: Write>(out: W, w: &Workload, origin: &str) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, out);
    writeln!(out, "; Version: 2.2")?;
    writeln!(out, "; Note: converted by `schedsim convert` from {origin}: an input trace, wait times unknown (-1)")?;
    for h in &w.header {
        writeln!(out, "; Note: source header: {}", h.replace('\n', " "))?;
    }
    if let Some(p) = w.max_procs {
        writeln!(out, "; MaxProcs: {p}")?;
    }
    if let Some(n) = w.max_nodes {
        writeln!(out, "; MaxNodes: {n}")?;
    }
    writeln!(out, "; Queues: 0 interactive, 1 batch, 2 debug")?;
    let legend = |names: &[String]| -> String {
        names.iter().enumerate().map(|(i, n)| format!("{} {n}", i + 1)).collect::<Vec<_>>().join(", ")
    };
    if !w.partition_names.is_empty() {
        writeln!(out, "; Partitions: {}", legend(&w.partition_names))?;
    }
    if !w.users.is_empty() {
        writeln!(
            out,
            "; Note: user ids are UIDs where the source gives them, else these numbers: {}",
            legend(&w.users)
        )?;
    }
    let patient = w.jobs.iter().filter(|j| j.patience.is_some()).count();
    if patient > 0 {
        writeln!(
            out,
            "; Note: SWF cannot hold patience: {patient} session(s) cancelled before they started are written as jobs that run"
        )?;
    }
    for note in &w.notes {
        writeln!(out, "; Note: {}", note.replace('\n', " "))?;
    }
    let mut line = String::with_capacity(160);
    let mut cell = String::with_capacity(24);
    for job in &w.jobs {
        let m = &job.meta;
        let procs = job.procs();
        let cells: [&dyn fmt::Display; 18] = [
            &job.id,
            &job.submit,
            &-1,
            &job.runtime,
            &procs,
            &Swf(m.avg_cpu_time),
            &Swf(m.used_memory),
            &procs,
            &job.requested_time,
            &Swf(m.requested_memory),
            &m.status,
            &m.user,
            &m.group,
            &m.executable,
            &job.class.swf_queue(),
            &m.partition,
            &m.preceding_job,
            &Swf(m.think_time),
        ];
        write_swf_line(&mut out, &cells, &mut line, &mut cell)?;
    }
    out.flush()
}
