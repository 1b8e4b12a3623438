//! Speed of the sacct reader: the real Slurm export of `../shared/reference/sacct/` repeated
//! (job ids renumbered per copy) to a million and to five million records, generated while it
//! is read, so nothing large is written or held. Run with `cargo bench --bench sacct`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use schedsim::workload::sacct::{read_sacct_from, SacctOptions};

/// The export's header, then its records again and again, each copy's job ids made distinct.
struct Repeated {
    header: Vec<u8>,
    records: Vec<(u64, String, String)>,
    total: usize,
    emitted: usize,
    buf: Vec<u8>,
    pos: usize,
}

impl Repeated {
    fn new(text: &str, total: usize) -> Repeated {
        let mut lines = text.lines();
        let header = format!("{}\n", lines.next().expect("a header")).into_bytes();
        let records = lines
            .map(|l| {
                let digits: String = l.chars().take_while(char::is_ascii_digit).collect();
                let rest = &l[digits.len()..];
                let (_, after) = rest.split_once('|').expect("JobIDRaw");
                let raw_digits: String = after.chars().take_while(char::is_ascii_digit).collect();
                let jobid_tail = rest.split_once('|').expect("fields").0.to_string();
                let tail = after[raw_digits.len()..].to_string();
                (digits.parse().expect("a job number"), format!("{jobid_tail}|{raw_digits}"), tail)
            })
            .collect();
        Repeated { header, records, total, emitted: 0, buf: Vec::new(), pos: 0 }
    }

    fn refill(&mut self) -> bool {
        self.buf.clear();
        self.pos = 0;
        if self.emitted == 0 {
            self.buf.extend_from_slice(&self.header);
        }
        let copy = (self.emitted / self.records.len()) as u64 + 1;
        for (id, mid, tail) in &self.records {
            if self.emitted == self.total {
                break;
            }
            let (jobid_tail, raw) = mid.split_once('|').expect("two parts");
            let raw: u64 = raw.parse().expect("raw id");
            self.buf.extend_from_slice(format!("{copy}{id:05}{jobid_tail}|{copy}{raw:05}{tail}\n").as_bytes());
            self.emitted += 1;
        }
        !self.buf.is_empty()
    }
}

impl Read for Repeated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.buf.len() && !self.refill() {
            return Ok(0);
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn sacct(c: &mut Criterion) {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/sacct/real-slurm-22.05-mixed.psv");
    let Ok(text) = std::fs::read_to_string(&file) else {
        eprintln!("skipping the sacct benchmark: {} not found", file.display());
        return;
    };
    let mut g = c.benchmark_group("sacct");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for (name, records) in [("read/1M_records", 1_000_000), ("read/5M_records", 5_000_000)] {
        g.throughput(Throughput::Elements(records as u64));
        g.bench_function(name, |b| {
            b.iter(|| {
                let i =
                    read_sacct_from(Repeated::new(&text, records), Path::new("bench.psv"), &SacctOptions::default())
                        .expect("reads");
                assert_eq!(i.stats.records, records as u64);
                i.workload.jobs.len()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, sacct);
criterion_main!(benches);
