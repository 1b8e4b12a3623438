//! `schedsim report DIR` checks what it reads, through the real binary: a folder whose files
//! disagree with `summary.json`'s record of them (cut, edited, missing, or from another run)
//! is refused, naming the file and what it found.

use std::fs;

use crate::cli::{assert_none_failed, check_error, schedsim, stderr, write, SMALL};

#[test]
fn report_refuses_a_folder_whose_files_disagree_with_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = write(tmp.path(), "t.swf", SMALL);
    let d = tmp.path().join("D");
    let ds = d.to_str().unwrap();
    let fresh = || {
        let o = schedsim(&["run", "--trace", trace.to_str().unwrap(), "--no-report", "--out", ds]);
        assert!(o.status.success(), "{}", stderr(&o));
    };
    fresh();
    let o = schedsim(&["report", ds]);
    assert!(o.status.success(), "an untouched folder: {}", stderr(&o));
    let mut failures = Vec::new();

    // jobs.csv cut to its header and first row.
    let jobs = d.join("jobs.csv");
    let text = fs::read_to_string(&jobs).unwrap();
    let rows = text.lines().count() - 1;
    let cut: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
    fs::write(&jobs, cut).unwrap();
    failures.extend(
        check_error(&["report", ds], &["jobs.csv", &format!("1 data rows where summary.json records {rows}")]).err(),
    );

    // schedule.swf with one digit changed: same rows, same size.
    fresh();
    let swf = d.join("schedule.swf");
    let text = fs::read_to_string(&swf).unwrap();
    let at = text.rfind(|c: char| c.is_ascii_digit() && c != '9').unwrap();
    let mut bytes = text.into_bytes();
    bytes[at] += 1;
    fs::write(&swf, bytes).unwrap();
    failures.extend(check_error(&["report", ds], &["schedule.swf", "checksum", "where summary.json records"]).err());

    // A recorded file gone, and a file from another run beside the recorded ones.
    fresh();
    fs::remove_file(d.join("timeseries.csv")).unwrap();
    failures.extend(check_error(&["report", ds], &["timeseries.csv", "missing, though summary.json records it"]).err());
    fresh();
    let summary = d.join("summary.json");
    let text = fs::read_to_string(&summary).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    if let Some(files) = json.get_mut("files").and_then(|f| f.as_object_mut()) {
        files.remove("schedule.swf");
    }
    fs::write(&summary, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    failures.extend(check_error(&["report", ds], &["schedule.swf", "is not recorded in summary.json"]).err());
    assert_none_failed(&failures);
}
