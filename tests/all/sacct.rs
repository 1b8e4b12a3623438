//! sacct import: the real exports in `../shared/reference/sacct/` read with the counts their
//! README states, the real Slurm run replayed as a scenario, repairs, conversion to SWF and
//! the command line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schedsim::workload::job::JobClass;
use schedsim::workload::sacct::{read_sacct, Import, SacctOptions};
use schedsim::workload::WorkloadError;

use crate::common::shared_dir;

pub(crate) fn sacct_dir() -> Option<PathBuf> {
    let d = shared_dir()?.join("reference/sacct");
    if d.is_dir() {
        Some(d)
    } else {
        eprintln!("skipping: {} not found", d.display());
        None
    }
}

/// The field list the README gives for the XDMoD files.
const XDMOD_FIELDS: &str = "jobid,jobidraw,cluster,partition,qos,account,group,gid,user,uid,submit,eligible,start,end,\
                            elapsed,exitcode,state,nnodes,ncpus,reqcpus,reqmem,reqtres,alloctres,timelimit,nodelist,jobname";
const FASRC_FIELDS: &str =
    "User,JobID,JobName,State,Partition,NCPUS,NNodes,CPUTime,TotalCPU,UserCPU,SystemCPU,ReqMem,MaxRSS,Submit,Start,End,NodeList";

fn with_fields(list: &str) -> SacctOptions {
    SacctOptions { fields: Some(list.split(',').map(str::to_string).collect()), ..SacctOptions::default() }
}

fn read(dir: &Path, name: &str, opts: &SacctOptions) -> Result<Import, WorkloadError> {
    read_sacct(&dir.join(name), opts)
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn every_reference_export_is_read_with_the_counts_its_readme_states() {
    let Some(dir) = sacct_dir() else { return };
    let mut seen = Vec::new();

    // The real Slurm 22.05 run, with its steps.
    let i = read(&dir, "real-slurm-22.05-mixed.psv", &SacctOptions::default()).expect("reads");
    let s = &i.stats;
    assert_eq!((s.records, s.allocations, s.steps), (98, 49, 49));
    assert_eq!(s.steps_by_kind, counts(&[(".batch", 43), (".N", 6)]));
    assert_eq!(s.states, counts(&[("CANCELLED", 2), ("COMPLETED", 42), ("FAILED", 1), ("TIMEOUT", 4)]));
    assert_eq!(s.array_tasks, 10);
    assert_eq!((s.cancelled_before_start, s.orphan_steps, s.repaired), (1, 0, 0));
    assert!(s.rejected.is_empty(), "{:?}", s.bad_records);
    assert_eq!(i.workload.jobs.len(), 48, "49 allocations less the job cancelled while held");
    let interactive: Vec<&str> = i
        .workload
        .jobs
        .iter()
        .filter(|j| j.class == JobClass::Interactive)
        .map(|j| j.label.as_deref().unwrap())
        .collect();
    let mut interactive = interactive;
    interactive.sort();
    assert_eq!(interactive, ["21", "22", "23", "24", "25"]);
    assert_eq!(s.machine.nodes, ["n1", "n2", "n3", "n4"]);
    assert_eq!(s.machine.cores_per_node, 8);
    assert_eq!(s.machine.partitions.get("interactive"), Some(&vec![2, 3]), "n[3-4]");
    seen.push("real-slurm-22.05-mixed.psv");

    let x = read(&dir, "real-slurm-22.05-mixed-X.psv", &SacctOptions::default()).expect("reads");
    assert_eq!((x.stats.records, x.stats.allocations, x.stats.steps), (49, 49, 0));
    assert_eq!(x.stats.states, s.states);
    assert_eq!(x.workload.jobs.len(), 48);
    assert_eq!(x.stats.jobs_by_class, s.jobs_by_class, "the submit line classifies without steps");
    seen.push("real-slurm-22.05-mixed-X.psv");
    seen.push("slurm.conf");

    // Open XDMoD's test inputs: --noheader, 26 fields.
    let xd = with_fields(XDMOD_FIELDS);
    let a = read(&dir, "xdmod-shredder__accounting-logs.log", &xd).expect("reads");
    assert_eq!((a.stats.records, a.stats.allocations), (4, 4));
    assert_eq!(a.stats.states, counts(&[("CANCELLED", 1), ("COMPLETED", 2), ("TIMEOUT", 1)]));
    // The `allocation` job has NCPUS 0 and no AllocTRES: nothing says how many cores it held.
    assert_eq!(a.stats.rejected, counts(&[("sacct: no core count", 1)]));
    assert_eq!(a.workload.jobs.len(), 3);
    let mem: Vec<f64> = a.workload.jobs.iter().map(|j| j.meta.requested_memory).collect();
    assert!(mem.iter().all(|&m| m > 0.0));
    seen.push("xdmod-shredder__accounting-logs.log");

    let arr = read(&dir, "xdmod-shredder__accounting-logs-with-job-arrays.log", &xd).expect("reads");
    assert_eq!((arr.stats.allocations, arr.stats.array_tasks, arr.stats.pending_array_ranges), (6, 1, 5));
    assert_eq!(arr.workload.jobs.len(), 1);
    assert_eq!(arr.workload.jobs[0].label.as_deref(), Some("4103947_100"));
    seen.push("xdmod-shredder__accounting-logs-with-job-arrays.log");

    let err = read(&dir, "xdmod-shredder__non-ended-job-state.log", &xd).expect_err("nothing ended");
    let msg = err.to_string();
    assert!(msg.contains("sacct: state RUNNING at export") && msg.contains("sacct: state PENDING at export"), "{msg}");
    seen.push("xdmod-shredder__non-ended-job-state.log");

    let err = read(&dir, "xdmod-shredder__unknown-job-state.log", &xd).expect_err("unknown states");
    assert!(err.to_string().contains("2 sacct: unknown state"), "{err}");
    seen.push("xdmod-shredder__unknown-job-state.log");

    let u = read(&dir, "xdmod-shredder__utf8-multibyte-chars.log", &xd).expect("reads");
    assert_eq!(u.workload.jobs.len(), 1);
    seen.push("xdmod-shredder__utf8-multibyte-chars.log");

    // A 2019 tab-separated export of every field, with `|` inside Constraints.
    let t = read(&dir, "tdhock-slurm__sacct-allcols.txt", &SacctOptions::default()).expect("reads");
    assert_eq!((t.stats.records, t.stats.allocations, t.stats.steps), (3, 1, 2));
    assert_eq!(t.stats.steps_by_kind, counts(&[(".batch", 1), (".extern", 1)]));
    assert_eq!(t.workload.jobs.len(), 1);
    seen.push("tdhock-slurm__sacct-allcols.txt");

    // No submit times: refused, naming what a replay needs.
    for name in [
        "tdhock-slurm__sacct-manyfields.txt",
        "tdhock-slurm__sacct-multiuser.txt",
        "tdhock-slurm__sacct-multistep.txt",
        "tdhock-slurm__sacct-job13936577.csv",
        "tdhock-slurm__sacct-PENDING.txt",
    ] {
        let err = read(&dir, name, &SacctOptions::default()).expect_err("not replayable");
        let msg = err.to_string();
        assert!(
            msg.contains("cannot be replayed: it lacks Submit") && msg.contains("a replay needs JobID, Submit, Start"),
            "{msg}"
        );
        seen.push(name);
    }

    let fasrc = with_fields(FASRC_FIELDS);
    let p = read(&dir, "fasrc-slyme__sacct_single_parallel_COMPLETED_parsable.out", &fasrc).expect("reads");
    assert_eq!((p.stats.records, p.stats.allocations, p.stats.steps), (3, 1, 2));
    assert_eq!(p.workload.jobs[0].procs(), 3);
    let q = read(&dir, "fasrc-slyme__sacct_single_serial_COMPLETED_parsable.out", &fasrc).expect("reads");
    assert_eq!((q.stats.allocations, q.stats.steps, q.workload.jobs.len()), (1, 1, 1));
    assert_eq!(q.workload.jobs[0].runtime.whole_secs(), 62);
    seen.push("fasrc-slyme__sacct_single_parallel_COMPLETED_parsable.out");
    seen.push("fasrc-slyme__sacct_single_serial_COMPLETED_parsable.out");
    seen.push("README.md");

    // Every file of the folder is covered above: a new one must be added here.
    let mut all: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    all.sort();
    let mut covered: Vec<String> = seen.iter().map(|s| s.to_string()).collect();
    covered.sort();
    assert_eq!(all, covered);
}

const REAL_SCENARIO: &str = "tests/data/sacct-real-slurm.toml";

/// The allocation records of an export, each as field name → value, read here independently
/// of the library (the real export has no `|` inside a field).
pub(crate) fn allocations(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('|').collect();
    lines
        .map(|l| header.iter().map(|h| h.to_string()).zip(l.split('|').map(str::to_string)).collect())
        .filter(|r: &BTreeMap<String, String>| !r["JobID"].contains('.'))
        .collect()
}

pub(crate) fn secs(date: &str) -> i64 {
    // Within one day of the export: hours, minutes, seconds are enough, checked by the day.
    assert_eq!(&date[..10], "2026-12-01", "the run fits in one day");
    let t: Vec<i64> = date[11..].split(':').map(|x| x.parse().unwrap()).collect();
    t[0] * 3600 + t[1] * 60 + t[2]
}

pub(crate) fn jobs_csv(dir: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(dir.join("jobs.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines.map(|l| header.iter().map(|h| h.to_string()).zip(l.split(',').map(str::to_string)).collect()).collect()
}

pub(crate) fn run_scenario(scenario: &Path, out: &Path) -> String {
    let o = crate::cli::schedsim(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-report"]);
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{stdout}{}", String::from_utf8_lossy(&o.stderr));
    stdout
}

#[test]
fn the_real_slurm_export_replays_job_by_job() {
    let Some(dir) = sacct_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let stdout = run_scenario(Path::new(REAL_SCENARIO), &tmp.path().join("run"));
    let rows = jobs_csv(&tmp.path().join("run"));
    let export = allocations(&dir.join("real-slurm-22.05-mixed.psv"));
    let started: Vec<&BTreeMap<String, String>> = export.iter().filter(|r| r["Start"] != "None").collect();
    assert_eq!(rows.len(), started.len());
    let t0 = started.iter().map(|r| secs(&r["Submit"])).min().unwrap();
    let by_id: BTreeMap<&str, &BTreeMap<String, String>> = rows.iter().map(|r| (r["job_id"].as_str(), r)).collect();
    for r in &started {
        let id = r["JobID"].as_str();
        let row = by_id.get(id).unwrap_or_else(|| panic!("job {id} in jobs.csv"));
        let submit: f64 = row["submit"].parse().unwrap();
        assert_eq!(submit, (secs(&r["Submit"]) - t0) as f64, "submit of {id}");
        let runtime: f64 = row["runtime"].parse().unwrap();
        let observed = secs(&r["End"]) - secs(&r["Start"]);
        if r["State"] == "TIMEOUT" {
            let limit: Vec<i64> = r["Timelimit"].split(':').map(|x| x.parse().unwrap()).collect();
            assert_eq!(runtime, (limit[0] * 3600 + limit[1] * 60 + limit[2]) as f64, "{id} reaches its limit");
            assert_eq!(row["outcome"], "walltime", "{id}");
        } else {
            assert_eq!(runtime, observed as f64, "runtime of {id}");
        }
        let by_submit_line = if r["SubmitLine"].starts_with("sbatch") { "batch" } else { "interactive" };
        assert_eq!(row["class"], by_submit_line, "class of {id}");
        assert_eq!(row["partition"], r["Partition"], "partition of {id}");
    }
    let interactive = rows.iter().filter(|r| r["class"] == "interactive").count();
    assert_eq!(interactive, 5, "srun/salloc jobs 21-25");
    assert!(stdout.contains("skipped 1: sacct: cancelled before it started (not interactive)"), "{stdout}");
    assert!(stdout.contains("classified by: submit line: salloc 2, submit line: sbatch 43"), "{stdout}");
}

#[test]
fn a_site_rule_lets_the_partition_decide() {
    let Some(dir) = sacct_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let export = dir.join("real-slurm-22.05-mixed.psv");
    let text = std::fs::read_to_string(REAL_SCENARIO).unwrap().replace(
        "path = \"../../../shared/reference/sacct/real-slurm-22.05-mixed.psv\"",
        &format!(
            "path = {:?}\n\n[[workload.classify]]\npartition = \"interactive\"\nclass = \"interactive\"\n\n\
             [[workload.classify]]\npartition = \"batch\"\nclass = \"batch\"\n",
            export.to_str().unwrap()
        ),
    );
    let scenario = tmp.path().join("by-partition.toml");
    std::fs::write(&scenario, text).unwrap();
    let stdout = run_scenario(&scenario, &tmp.path().join("run"));
    let rows = jobs_csv(&tmp.path().join("run"));
    for r in &rows {
        assert_eq!(r["class"], r["partition"], "job {}", r["job_id"]);
    }
    let w35 = rows.iter().find(|r| r["job_id"] == "35").unwrap();
    assert_eq!(w35["class"], "interactive", "an sbatch job in the interactive partition");
    assert!(stdout.contains("classify[0] (partition = \"interactive\") -> interactive 6"), "{stdout}");
}

#[test]
fn partitions_the_scenario_lacks_are_listed() {
    let Some(dir) = sacct_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let export = dir.join("real-slurm-22.05-mixed.psv");
    let text = std::fs::read_to_string(REAL_SCENARIO)
        .unwrap()
        .replace("[[cluster.partitions]]\nname = \"interactive\"\nnodes = [\"n[3-4]\"]\nmax_walltime = \"30m\"\n", "")
        .replace("../../../shared/reference/sacct/real-slurm-22.05-mixed.psv", export.to_str().unwrap());
    let scenario = tmp.path().join("one-partition.toml");
    std::fs::write(&scenario, text).unwrap();
    let o = crate::cli::schedsim(&["run", scenario.to_str().unwrap(), "--out", tmp.path().join("r").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("the export's partition interactive is not in the cluster (it has batch)"), "{err}");
}

/// The header of the real export, and one of its records with a given name and submit line.
const HEADER: &str = "JobID|JobIDRaw|JobName|User|Account|Partition|QOS|Submit|Eligible|Start|End|Elapsed|Timelimit|\
                      NCPUS|NNodes|ReqCPUS|ReqMem|ReqTRES|AllocTRES|State|ExitCode|SubmitLine|NodeList|Priority|Reservation|Flags";

fn record(id: u32, name: &str, submit_line: &str) -> String {
    format!(
        "{id}|{id}|{name}|alice|physics|batch|normal|2026-12-01T22:03:21|2026-12-01T22:03:21|2026-12-01T22:06:45|\
         2026-12-01T22:07:25|00:00:40|00:02:00|8|1|8|4000M|billing=8,cpu=8,mem=4000M,node=1|billing=8,cpu=8,mem=4000M,node=1|\
         COMPLETED|0:0|{submit_line}|n3|10350||SchedMain,StartRecieved"
    )
}

fn parse_text(text: &str) -> Import {
    schedsim::workload::sacct::read_sacct_from(text.as_bytes(), Path::new("t.psv"), &SacctOptions::default())
        .expect("reads")
}

#[test]
fn delimiters_and_newlines_inside_free_text_are_repaired_exactly() {
    let text = [
        HEADER.to_string(),
        record(1, "w01", "sbatch -J w01 --wrap=sleep 40"),
        record(2, "a|b", "sbatch -J a|b --wrap=sleep 40 | tee log"),
        record(3, "w03", "sbatch --wrap=\"sleep 40\nsleep 1\nexit 0\""),
        record(4, "x|y|z", "srun --pty bash\n -c 'a | b'"),
    ]
    .join("\n");
    let i = parse_text(&text);
    assert_eq!(i.stats.records, 4);
    assert_eq!(i.stats.repaired, 3);
    assert_eq!(i.stats.repaired_lines, [3, 4, 7]);
    assert!(i.stats.rejected.is_empty(), "{:?}", i.stats.bad_records);
    let labels: Vec<&str> = i.workload.jobs.iter().map(|j| j.label.as_deref().unwrap()).collect();
    assert_eq!(labels, ["1", "2", "3", "4"]);
    assert!(i.workload.jobs.iter().all(|j| j.runtime.whole_secs() == 40 && j.procs() == 8));
    let classes: Vec<JobClass> = i.workload.jobs.iter().map(|j| j.class).collect();
    assert_eq!(classes, [JobClass::Batch, JobClass::Batch, JobClass::Batch, JobClass::Interactive]);
    assert!(i.workload.notes.iter().any(|n| n.contains("3 records repaired") && n.contains("lines 3, 4, 7")));
}

#[test]
fn records_that_cannot_be_repaired_are_reported_with_their_line() {
    let mut cut = record(2, "w02", "sbatch x");
    cut.truncate(60);
    let mut bad_date = record(3, "a|b", "sbatch y");
    bad_date = bad_date.replace("2026-12-01T22:06:45", "yesterday");
    let text =
        [HEADER.to_string(), record(1, "w01", "sbatch x"), cut, record(4, "w04", "sbatch z"), bad_date].join("\n");
    let i = parse_text(&text);
    assert_eq!(i.workload.jobs.len(), 2, "records 1 and 4 are read");
    assert_eq!(i.stats.rejected.values().sum::<u64>(), 2);
    assert_eq!(i.stats.bad_records.len(), 2);
    assert!(i.stats.bad_records[0].starts_with("t.psv:3: field (record): expected as many fields as the header"));
    assert!(i.stats.bad_records[1].starts_with("t.psv:5: field (record)"), "{:?}", i.stats.bad_records);
}

/// Values a fuzzed field may take: each breaks some field's format, or is huge, or holds the
/// delimiter or a newline.
const HOSTILE: [&str; 16] = [
    "",
    "-1",
    "99999999999999999999999",
    "4294967296",
    "2026-13-45T99:99:99",
    "2026-02-30T00:00:00",
    "99999999-00:00:00",
    "1:2:3:4",
    "UNLIMITED",
    "Partition_Limit",
    "x|y",
    "a\nb",
    "None",
    "cpu=,mem=G",
    "n[9-1]",
    "\u{fffd}\u{1F600}",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

    #[test]
    fn the_reader_never_panics_and_accounts_for_every_record(
        n in 1usize..12,
        mutations in proptest::collection::vec((0usize..12, 0usize..26, 0usize..HOSTILE.len()), 0..8),
        cut in proptest::option::of(0usize..4000),
        tabs in proptest::prelude::any::<bool>(),
    ) {
        let mut recs: Vec<Vec<String>> = (0..n)
            .map(|k| record(k as u32 + 1, "job", "sbatch x").split('|').map(str::to_string).collect())
            .collect();
        for (r, f, v) in mutations {
            if let Some(rec) = recs.get_mut(r) {
                rec[f] = HOSTILE[v].to_string();
            }
        }
        let mut text = HEADER.to_string();
        for (k, rec) in recs.iter().enumerate() {
            text.push('\n');
            // A wrong delimiter on one record: the whole record is one field.
            text.push_str(&rec.join(if tabs && k == 0 { "\t" } else { "|" }));
        }
        if let Some(c) = cut {
            let mut c = c.min(text.len());
            while !text.is_char_boundary(c) {
                c -= 1;
            }
            text.truncate(c);
        }
        match schedsim::workload::sacct::read_sacct_from(text.as_bytes(), Path::new("t.psv"), &SacctOptions::default()) {
            Err(e) => {
                let msg = e.to_string();
                proptest::prop_assert!(msg.starts_with("t.psv"), "{}", msg);
            }
            Ok(i) => {
                let s = &i.stats;
                let left_out: u64 = s.skipped.values().sum::<u64>() + s.rejected.values().sum::<u64>();
                proptest::prop_assert_eq!(i.workload.jobs.len() as u64 + left_out + s.steps - s.orphan_steps, s.records);
                let rejected: u64 = s.rejected.values().sum();
                proptest::prop_assert_eq!(s.bad_records.len() as u64, rejected.min(5));
                for b in &s.bad_records {
                    let rest = b.strip_prefix("t.psv:").unwrap_or("");
                    let line: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    proptest::prop_assert!(!line.is_empty() && rest[line.len()..].starts_with(": field "), "{}", b);
                }
            }
        }
    }
}

fn ok_stdout(args: &[&str]) -> String {
    let o = crate::cli::schedsim(args);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn converting_to_swf_then_running_gives_the_same_schedule() {
    let Some(dir) = sacct_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let export = dir.join("real-slurm-22.05-mixed.psv");
    let swf = tmp.path().join("real.swf");
    ok_stdout(&["convert", export.to_str().unwrap(), "--to", "swf", "--out", swf.to_str().unwrap()]);
    let text = std::fs::read_to_string(&swf).unwrap();
    assert!(text.contains(&format!("; Note: converted by `schedsim convert` from {}", export.display())));
    assert!(text.contains("; Partitions: 1 batch, 2 interactive"));
    let jobs: Vec<Vec<&str>> =
        text.lines().filter(|l| !l.starts_with(';')).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(jobs.len(), 48);
    let queue_of = |id: &str| jobs.iter().find(|f| f[0] == id).unwrap()[14];
    for id in ["21", "22", "23", "24", "25"] {
        assert_eq!(queue_of(id), "0", "job {id} is interactive: SWF queue 0");
    }
    assert_eq!(queue_of("35"), "1", "sbatch into the interactive partition is batch");
    assert_eq!(jobs.iter().find(|f| f[0] == "35").unwrap()[15], "2", "partition 2 = interactive");

    let mut runs = Vec::new();
    for (trace, name) in [(export.as_path(), "from-sacct"), (swf.as_path(), "from-swf")] {
        let out = tmp.path().join(name);
        let args = ["run", "--trace", trace.to_str().unwrap(), "--nodes", "4", "--cores-per-node", "8"];
        ok_stdout(&[&args[..], &["--no-report", "--out", out.to_str().unwrap()]].concat());
        runs.push(jobs_csv(&out));
    }
    assert_eq!(runs[0].len(), 48);
    let schedule = |rows: &[BTreeMap<String, String>]| -> Vec<Vec<String>> {
        let cols = ["submit", "start", "end", "wait", "runtime", "requested_time", "procs", "node_list", "outcome"];
        rows.iter().map(|r| cols.iter().map(|c| r[*c].clone()).collect()).collect()
    };
    assert_eq!(schedule(&runs[0]), schedule(&runs[1]));
    let classes = |rows: &[BTreeMap<String, String>]| -> Vec<(String, String)> {
        rows.iter().map(|r| (r["submit"].clone(), r["class"].clone())).collect()
    };
    assert_eq!(classes(&runs[0]), classes(&runs[1]), "the SWF's queue numbers give the classes back");
    assert_eq!(runs[1].iter().filter(|r| r["class"] == "interactive").count(), 5);

    let o = crate::cli::schedsim(&["convert", swf.to_str().unwrap(), "--to", "swf", "--out", swf.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("would overwrite the input"));
}

#[test]
fn inspect_prints_classes_rules_states_and_a_cluster_to_start_from() {
    let Some(dir) = sacct_dir() else { return };
    let export = dir.join("real-slurm-22.05-mixed.psv");
    let text = ok_stdout(&["inspect", export.to_str().unwrap()]);
    for expected in [
        "sacct records       98 (49 allocations, 49 steps folded into their jobs)",
        "jobs by class       batch 43, interactive 5",
        "  classified by     submit line: srun --pty: 1",
        "states              CANCELLED 2, COMPLETED 42, FAILED 1, TIMEOUT 4",
        "never started       1 cancelled before they started",
        "skipped             sacct: cancelled before it started (not interactive) 1",
        "partitions          batch 42, interactive 6",
        "machine             4 nodes × 8 cores",
        "[[cluster.nodes]]\nname = \"n\"\ncount = 4\ncores = 8\n",
        "[[cluster.partitions]]\nname = \"batch\"\nnodes = [\"n\"]\n",
        "[[cluster.partitions]]\nname = \"interactive\"\nnodes = [\"n[3-4]\"]\n",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    // The snippet is a cluster a scenario can start from: the export replays on it.
    let snippet = &text[text.find("# The machine the export shows").unwrap()..];
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("from-snippet.toml");
    std::fs::write(
        &scenario,
        format!(
            "name = \"snippet\"\n[run]\nlength = \"1h\"\n\n{snippet}\n[[workload]]\nkind = \"sacct\"\npartition = \"batch\"\npath = {:?}\n",
            export.to_str().unwrap()
        ),
    )
    .unwrap();
    let run =
        ok_stdout(&["run", scenario.to_str().unwrap(), "--no-report", "--out", tmp.path().join("r").to_str().unwrap()]);
    assert!(run.contains("jobs 48 (completed 44, walltime 4)"), "{run}");

    let json: serde_json::Value =
        serde_json::from_str(&ok_stdout(&["inspect", export.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(json["sacct"]["records"], 98);
    assert_eq!(json["trace"]["jobs"], 48);
    assert_eq!(json["trace"]["machine_procs"], 32);
}

#[test]
fn a_trace_run_infers_the_machine_and_bad_options_are_one_line() {
    let Some(dir) = sacct_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let export = dir.join("real-slurm-22.05-mixed-X.psv");
    let out = ok_stdout(&[
        "run",
        "--trace",
        export.to_str().unwrap(),
        "--no-report",
        "--out",
        tmp.path().join("r").to_str().unwrap(),
    ]);
    assert!(out.contains("on 4 nodes × 8 cores"), "{out}");
    let refused = crate::cli::schedsim(&["inspect", dir.join("tdhock-slurm__sacct-multistep.txt").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && err.lines().count() == 1, "{err}");
    assert!(err.contains("cannot be replayed: it lacks Submit, Start and a core count (its fields: JobID,ExitCode,State,MaxRSS,Elapsed)"), "{err}");
    let noheader =
        crate::cli::schedsim(&["inspect", dir.join("xdmod-shredder__accounting-logs.log").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&noheader.stderr);
    assert!(!noheader.status.success() && err.contains("--sacct-fields"), "{err}");
    let bad = crate::cli::schedsim(&["inspect", export.to_str().unwrap(), "--cancelled", "maybe"]);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("expected keep or drop"));
}
