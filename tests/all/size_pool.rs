//! `schedsim size-pool` through the real binary: the answer meets its target with 95%
//! confidence and the next smaller pool does not, recomputed here from the replications'
//! own summaries; fewer sizes are simulated than a full grid; bad targets are refused.

use std::path::Path;

use serde_json::Value;

use crate::cli::schedsim;

/// Two-sided 95% Student t quantiles for 1..=40 degrees of freedom, from a printed table.
const T95: [f64; 40] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
    2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042, 2.040, 2.037,
    2.035, 2.032, 2.030, 2.028, 2.026, 2.024, 2.023, 2.021,
];

/// The interactive share within target of size `k`'s first `reps` replications, as (lower,
/// upper) ends of its 95% interval.
fn interval(dir: &Path, k: u64, reps: u64) -> (f64, f64) {
    let v: Vec<f64> = (0..reps)
        .map(|r| {
            let path = dir.join(format!("runs/points/{k}/rep-{r}/summary.json"));
            let s: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            s["classes"]["interactive"]["within_target"].as_f64().unwrap()
        })
        .collect();
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let half = T95[v.len() - 2] * sd / n.sqrt();
    (mean - half, mean + half)
}

#[test]
fn the_answer_meets_the_target_and_one_node_fewer_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sp");
    let args = [
        "size-pool",
        "--move-nodes",
        "cpu:inter",
        "--target",
        "interactive.within_target>=0.95",
        "--max",
        "12",
        "--replications",
        "6",
        "--out",
        out.to_str().unwrap(),
        "--no-report",
    ];
    let o = schedsim(&args);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}\n{stdout}", String::from_utf8_lossy(&o.stderr));
    let r: Value = serde_json::from_slice(&std::fs::read(out.join("size-pool.json")).unwrap()).unwrap();
    let k = r["answer"].as_u64().expect("an answer within 12 nodes");
    assert!(stdout.contains(&format!("{k} inter nodes (moved from cpu) are the fewest that meet")), "{stdout}");
    let sizes = r["sizes"].as_array().unwrap();
    let size = |k: u64| sizes.iter().find(|s| s["k"].as_u64() == Some(k));
    let at = size(k).expect("the answer was simulated");
    assert_eq!(at["meets"], true);
    // The target holds at k: the lower end of the interval, recomputed, is at least 0.95.
    let reps = at["replications"].as_u64().unwrap();
    let (lo, _) = interval(&out, k, reps);
    assert!(lo >= 0.95, "at {k} nodes the interval starts at {lo}");
    assert!((lo - at["targets"][0]["lo"].as_f64().unwrap()).abs() < 1e-3, "the file says {}", at["targets"][0]["lo"]);
    if k > 1 {
        let below = size(k - 1).expect("one node fewer was simulated");
        assert_eq!(below["meets"], false);
        let (lo, _) = interval(&out, k - 1, below["replications"].as_u64().unwrap());
        assert!(lo < 0.95, "at {} nodes the interval starts at {lo}, which would meet the target", k - 1);
    }
    // A search, not a grid: fewer sizes than the 12 a full grid would run, and the runs
    // counted are the replications on disk.
    let tried = r["sizes_tried"].as_u64().unwrap();
    assert!(tried < 12 && tried == sizes.len() as u64, "{tried} sizes tried");
    let on_disk: u64 = sizes.iter().map(|s| s["replications"].as_u64().unwrap()).sum();
    assert_eq!(r["runs"].as_u64().unwrap(), on_disk);

    // Run again on the same folder: every replication is reused, the answer is the same.
    let again = schedsim(&args);
    assert!(again.status.success());
    let r2: Value = serde_json::from_slice(&std::fs::read(out.join("size-pool.json")).unwrap()).unwrap();
    assert_eq!(r2["answer"], r["answer"]);
    assert_eq!(r2["runs"].as_u64(), Some(0), "nothing is simulated twice");
}

#[test]
fn bad_targets_and_moves_are_refused_in_one_line() {
    for (args, needle) in [
        (vec!["--target", "gpu.p95_wait<=1m"], "no class \"gpu\""),
        (vec!["--target", "interactive.p96_wait<=1m"], "no figure \"p96_wait\""),
        (vec!["--target", "interactive.p95_wait<=soon"], "expected a duration"),
        (vec!["--target", "interactive.within_target>=2"], "from 0 to 1"),
        (vec!["--target", "interactive.within_target>=0.9", "--max", "500"], "--max 500: expected 1 to 195"),
    ] {
        let mut all = vec!["size-pool", "--move-nodes", "cpu:inter", "--no-report", "--out", "/nonexistent/x"];
        all.extend(args.iter().copied());
        let o = schedsim(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{all:?} succeeded");
        assert!(err.contains(needle), "{all:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{all:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let o = schedsim(&["size-pool", "--move-nodes", "cpu:gpu", "--target", "interactive.within_target>=0.9"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no node group \"gpu\""), "{err}");
}

#[test]
fn an_out_that_is_a_file_or_a_folder_of_other_files_is_refused_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("notes.txt");
    std::fs::write(&file, "mine").unwrap();
    let folder = tmp.path().join("thesis");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("thesis.tex"), "mine").unwrap();
    for out in [&file, &folder] {
        let before = crate::common::tree(tmp.path());
        let o = schedsim(&[
            "size-pool",
            "--move-nodes",
            "cpu:inter",
            "--target",
            "interactive.within_target>=0.5",
            "--no-report",
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{}: accepted", out.display());
        assert!(err.contains("is not a pool-sizing folder") && err.contains(out.to_str().unwrap()), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert_eq!(crate::common::tree(tmp.path()), before, "{}: the folder changed", out.display());
    }
}
