//! `timeseries.csv`: the machine's state at every sample instant: running and queued jobs
//! per class, busy cores and nodes per partition, and active processes per login node; and
//! `fairshare.csv`, each fair-share account's usage and factor at the same instants.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::csv::csv_field;
use crate::cluster::Cluster;
use crate::metrics::Sample;
use crate::policy::fairshare::ShareRow;
use crate::time::{push_ms_as_secs, push_uint, SimTime};
use crate::workload::job::JobClass;

/// Active processes per login node at each sample instant.
pub type LoginLoad = BTreeMap<SimTime, Vec<u32>>;

/// Writes one row per engine sample; login columns appear when `login_nodes > 0` (a login
/// sample missing at an instant reads as no processes).
pub fn write_timeseries_csv<W: Write>(
    mut out: W,
    samples: &[Sample],
    cluster: &Cluster,
    login_nodes: usize,
    login: &LoginLoad,
) -> io::Result<()> {
    write!(out, "time")?;
    for c in JobClass::ALL {
        write!(out, ",running_{c}")?;
    }
    for c in JobClass::ALL {
        write!(out, ",queued_{c}")?;
    }
    for p in cluster.partitions() {
        write!(out, ",busy_cores_{}", p.name)?;
    }
    for p in cluster.partitions() {
        write!(out, ",busy_nodes_{}", p.name)?;
    }
    for k in 0..login_nodes {
        write!(out, ",login_load_{k}")?;
    }
    writeln!(out)?;
    let mut line = Vec::with_capacity(256);
    for s in samples {
        line.clear();
        push_ms_as_secs(s.time.0, &mut line);
        let loads = login.get(&s.time);
        let login = (0..login_nodes).map(|k| loads.and_then(|l| l.get(k)).copied().unwrap_or(0));
        let jobs = s.running.iter().chain(&s.queued).copied().map(u64::from);
        let nodes = s.busy_nodes.iter().copied().map(u64::from);
        for v in jobs.chain(s.busy_cores.iter().copied()).chain(nodes).chain(login.map(u64::from)) {
            line.push(b',');
            push_uint(v, &mut line);
        }
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()
}

/// Writes `time,account,usage,factor`: one row per sample instant and account.
pub fn write_fairshare_csv<W: Write>(mut out: W, rows: &[ShareRow]) -> io::Result<()> {
    writeln!(out, "time,account,usage,factor")?;
    for r in rows {
        writeln!(out, "{},{},{:.3},{:.6}", r.time, csv_field(&r.account), r.usage, r.factor)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_follow_classes_partitions_and_login_nodes() {
        let cluster = Cluster::flat(8);
        let s = Sample {
            time: SimTime(300_000),
            running: [1, 2, 0],
            queued: [3, 0, 0],
            busy_cores: vec![5],
            busy_nodes: vec![1],
        };
        let login: LoginLoad = [(SimTime(300_000), vec![4, 1])].into_iter().collect();
        let mut buf = Vec::new();
        write_timeseries_csv(&mut buf, &[s], &cluster, 2, &login).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            "time,running_batch,running_interactive,running_debug,queued_batch,queued_interactive,queued_debug,\
             busy_cores_all,busy_nodes_all,login_load_0,login_load_1\n300,1,2,0,3,0,0,5,1,4,1\n"
        );
    }

    #[test]
    fn fairshare_rows_are_written_with_fixed_decimals() {
        let row =
            |account: &str| ShareRow { time: SimTime(300_000), account: account.into(), usage: 1200.5, factor: 0.5 };
        let mut buf = Vec::new();
        write_fairshare_csv(&mut buf, &[row("phys"), row("a,b")]).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "time,account,usage,factor\n300,phys,1200.500,0.500000\n300,\"a,b\",1200.500,0.500000\n"
        );
    }
}
