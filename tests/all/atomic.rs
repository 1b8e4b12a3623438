//! Run folders through the real binary: written whole or not at all. Concurrent runs into one
//! folder leave one of them whole or are refused; a run killed at any moment leaves the old
//! folder or the new one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::Instant;

use crate::cli::{assert_none_failed, schedsim, stderr, write, SMALL};
use crate::common::tree;

const POLICIES: [[&str; 3]; 8] = [
    ["fcfs", "none", "requested"],
    ["fcfs", "easy", "requested"],
    ["fcfs", "conservative", "requested"],
    ["sjf", "none", "requested"],
    ["sjf", "easy", "requested"],
    ["sjf", "conservative", "requested"],
    ["fcfs", "easy", "actual"],
    ["sjf", "easy", "actual"],
];

fn run_args<'a>(trace: &'a str, out: &'a str, p: &'a [&'a str; 3]) -> Vec<&'a str> {
    vec!["run", "--trace", trace, "--out", out, "--order", p[0], "--backfill", p[1], "--estimate", p[2]]
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// The folder each policy writes on its own, each into a folder of its own.
fn references(trace: &str, base: &Path, policies: &[[&str; 3]]) -> Vec<BTreeMap<PathBuf, Vec<u8>>> {
    policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let out = base.join(format!("ref{i}"));
            let o = schedsim(&run_args(trace, out.to_str().unwrap(), p));
            assert!(o.status.success(), "{}", stderr(&o));
            tree(&out)
        })
        .collect()
}

#[test]
fn eight_concurrent_runs_into_one_folder_leave_one_of_them_whole_or_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = write(tmp.path(), "t.swf", SMALL);
    let trace = trace.to_str().unwrap();
    let refs = references(trace, &tmp.path().join("refs"), &POLICIES);
    let base = tmp.path().join("out");
    std::fs::create_dir(&base).unwrap();
    let d = base.join("D");
    let d = d.to_str().unwrap();
    for round in 0..3 {
        let children: Vec<_> = POLICIES
            .iter()
            .map(|p| {
                Command::new(crate::common::schedsim_bin())
                    .args(run_args(trace, d, p))
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut won = Vec::new();
        for (i, c) in children.into_iter().enumerate() {
            let o = c.wait_with_output().unwrap();
            let err = stderr(&o);
            if o.status.success() {
                won.push(i);
            } else {
                assert_eq!(err.trim_end().lines().count(), 1, "round {round}, run {i}: {err}");
                assert!(err.contains("another schedsim (pid ") && err.contains(d), "round {round}, run {i}: {err}");
            }
        }
        assert!(!won.is_empty(), "round {round}: every run was refused");
        let got = tree(Path::new(d));
        assert!(
            won.iter().any(|&i| refs[i] == got),
            "round {round}: the folder is none of the runs that succeeded ({won:?}): {:?}",
            got.keys().collect::<Vec<_>>()
        );
        assert_eq!(names(&base), ["D"], "round {round}: something left beside the folder");
    }
}

#[test]
fn a_run_killed_at_any_moment_leaves_the_old_folder_or_the_new_one() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = write(tmp.path(), "t.swf", SMALL);
    let trace = trace.to_str().unwrap();
    let (old_p, new_p) = (&POLICIES[0], &POLICIES[5]);
    let refs = references(trace, &tmp.path().join("refs"), &[*old_p, *new_p]);
    assert_ne!(refs[0], refs[1], "the two runs must differ for the test to tell them apart");
    let base = tmp.path().join("out");
    std::fs::create_dir(&base).unwrap();
    let d = base.join("D");
    let ds = d.to_str().unwrap();
    let (mut saw_old, mut saw_new) = (0, 0);
    // Kill moments spread over a whole run, from before it starts to after it ends; a run's
    // length is measured here only to place them, nothing is asserted about it.
    let start = Instant::now();
    let o = schedsim(&run_args(trace, ds, old_p));
    assert!(o.status.success(), "{}", stderr(&o));
    let whole = start.elapsed();
    for i in 0..16u32 {
        let o = schedsim(&run_args(trace, ds, old_p));
        assert!(o.status.success(), "{}", stderr(&o));
        let mut child = Command::new(crate::common::schedsim_bin())
            .args(run_args(trace, ds, new_p))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        sleep(whole * i / 14);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if d.exists() {
            let got = tree(&d);
            if got == refs[0] {
                saw_old += 1;
            } else if got == refs[1] {
                saw_new += 1;
            } else {
                panic!("kill {i}: the folder mixes runs: {:?}", got.keys().collect::<Vec<_>>());
            }
        } else {
            // Killed between the two renames of the switch: the old folder waits aside, and
            // the next run puts it back (checked by that run's success below).
            let aside: Vec<String> = names(&base).into_iter().filter(|n| n.starts_with(".D.old-")).collect();
            assert_eq!(aside.len(), 1, "kill {i}: no folder and nothing aside: {:?}", names(&base));
            assert_eq!(tree(&base.join(&aside[0])), refs[0], "kill {i}");
        }
    }
    eprintln!("kills that left the old folder: {saw_old}, the new one: {saw_new}");
    // The next run cleans what the killed ones left.
    let o = schedsim(&run_args(trace, ds, new_p));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(tree(&d), refs[1]);
    assert_eq!(names(&base), ["D"]);
}

#[test]
fn a_folder_schedsim_did_not_write_is_not_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = write(tmp.path(), "t.swf", SMALL);
    let mine = tmp.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    write(&mine, "thesis.tex", "years of work");
    let o = schedsim(&["run", "--trace", trace.to_str().unwrap(), "--out", mine.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("is not a schedsim output folder"), "{err}");
    assert_eq!(names(&mine), ["thesis.tex"]);
}

/// A run with charts over an earlier run's folder, then a run without them; a comparison of two
/// policies, then one of one: each folder ends equal to the last command's own folder made
/// fresh, with nothing of the earlier one left (charts, report, a policy's folder).
#[test]
fn a_run_or_a_comparison_over_an_earlier_one_leaves_only_the_new_one() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = write(tmp.path(), "t.swf", SMALL);
    let trace = trace.to_str().unwrap();
    let run = |out: &Path, extra: &[&str]| -> Vec<String> {
        let mut args = vec!["run", "--trace", trace, "--out", out.to_str().unwrap()];
        args.extend(extra);
        args.into_iter().map(String::from).collect()
    };
    let compare = |out: &Path, policies: &str| -> Vec<String> {
        let args = ["compare", "--trace", trace, "--policies", policies, "--no-report", "--out", out.to_str().unwrap()];
        args.into_iter().map(String::from).collect()
    };
    let (d, fresh) = (tmp.path().join("D"), tmp.path().join("fresh"));
    let cases = [
        (run(&d, &[]), run(&d, &["--no-report"]), run(&fresh, &["--no-report"])),
        (compare(&d, "fcfs/easy,sjf/easy"), compare(&d, "fcfs/none"), compare(&fresh, "fcfs/none")),
    ];
    let mut failures = Vec::new();
    for (earlier, later, alone) in cases {
        for args in [&earlier, &later, &alone] {
            let o = schedsim(&args.iter().map(String::as_str).collect::<Vec<_>>());
            assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        }
        let (got, want) = (tree(&d), tree(&fresh));
        if got != want {
            let left: Vec<_> = got.keys().filter(|k| !want.contains_key(*k)).collect();
            failures.push(format!("{later:?} over {earlier:?}: differs from a fresh folder; left over: {left:?}"));
        }
        std::fs::remove_dir_all(&d).unwrap();
        std::fs::remove_dir_all(&fresh).unwrap();
    }
    assert_none_failed(&failures);
}

/// Another process (this test) holds the folder's lock: a run into it is refused, naming the
/// holder's pid, and the folder is left as it was.
#[test]
fn a_run_into_a_folder_another_process_is_writing_is_refused_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = write(tmp.path(), "t.swf", SMALL);
    let trace = trace.to_str().unwrap();
    let d = tmp.path().join("D");
    let ds = d.to_str().unwrap();
    let o = schedsim(&run_args(trace, ds, &POLICIES[0]));
    assert!(o.status.success(), "{}", stderr(&o));
    let before = tree(&d);
    let mut lock = std::fs::File::create(tmp.path().join(".D.lock")).unwrap();
    lock.try_lock().unwrap();
    std::io::Write::write_all(&mut lock, format!("{}\n", std::process::id()).as_bytes()).unwrap();
    let o = schedsim(&run_args(trace, ds, &POLICIES[5]));
    let err = stderr(&o);
    assert!(!o.status.success(), "a second writer was let in while the lock was held");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(&format!("another schedsim (pid {})", std::process::id())) && err.contains(ds), "{err}");
    assert!(tree(&d) == before, "the folder changed under its holder");
}

/// What a crashed run left: a half-written folder beside the run folder, and a temporary file
/// inside it. The next run leaves the folder equal to a fresh run's, and nothing beside it.
/// (The kill test reaches such leftovers only when a kill falls in the switch; this one
/// plants them.)
#[test]
fn leftovers_of_crashed_runs_are_cleaned_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = write(tmp.path(), "t.swf", SMALL);
    let trace = trace.to_str().unwrap();
    let want = references(trace, &tmp.path().join("refs"), &[POLICIES[0]]).remove(0);
    let base = tmp.path().join("out");
    let d = base.join("D");
    let ds = d.to_str().unwrap();
    let o = schedsim(&run_args(trace, ds, &POLICIES[0]));
    assert!(o.status.success(), "{}", stderr(&o));
    write(&d, "jobs.csv.tmp", "job_id,cl");
    let half = base.join(".D.new-4194304");
    std::fs::create_dir(&half).unwrap();
    write(&half, "jobs.csv", "job_id,cl");
    let o = schedsim(&run_args(trace, ds, &POLICIES[0]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(tree(&d).keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>());
    assert!(tree(&d) == want, "the folder differs from a fresh run's");
    assert_eq!(names(&base), ["D"], "left beside the folder");
}

/// A disk that fills partway through a run, played by a file-size limit: every write past
/// 64 KiB fails (EFBIG, with the signal that would end the process ignored), as writes fail
/// with ENOSPC. The run fails in one line, and the folder is the old run's, with nothing left
/// beside it or in it.
#[test]
fn a_run_whose_writes_fail_part_way_leaves_the_old_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let jobs: String =
        (1..=3000).map(|i| format!("{i} {} -1 100 4 -1 -1 4 100 -1 1 1 1 -1 1 -1 -1 -1\n", i * 10)).collect();
    let trace = write(tmp.path(), "t.swf", &format!("; MaxProcs: 8\n{jobs}"));
    let trace = trace.to_str().unwrap();
    let base = tmp.path().join("out");
    let d = base.join("D");
    let ds = d.to_str().unwrap();
    let o = schedsim(&run_args(trace, ds, &POLICIES[0]));
    assert!(o.status.success(), "{}", stderr(&o));
    let before = tree(&d);
    assert!(before[Path::new("jobs.csv")].len() > 2 * 65_536, "jobs.csv must outgrow the limit");
    let o = Command::new("bash")
        .args(["-c", "trap '' XFSZ; ulimit -f 64; exec \"$@\"", "bash"])
        .arg(crate::common::schedsim_bin())
        .args(run_args(trace, ds, &POLICIES[5]))
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(!o.status.success(), "the run succeeded past the limit");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("File too large"), "{err}");
    assert!(tree(&d) == before, "the folder changed: {:?}", tree(&d).keys().collect::<Vec<_>>());
    assert_eq!(names(&base), ["D"], "left beside the folder");
}
