//! What the report tests check of every report's files: a PNG's size, an SVG's root, and the
//! bytes of everything a report wrote; and the older run they read.

use std::fs;
use std::path::{Path, PathBuf};

use super::build::{ChartFiles, ReportFiles};
use super::charts::{HEIGHT, WIDTH};
use super::compare_report::CompareReportFiles;

/// Width and height from a PNG's signature and IHDR chunk.
pub(crate) fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "first chunk is IHDR");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

/// A report page loads nothing: no address, script, link, image or frame; its only `url(` is
/// the embedded font's data.
pub(crate) fn assert_self_contained(html: &str) {
    assert!(!html.contains("http://") && !html.contains("https://"), "an address in report.html");
    for banned in ["<script", "<link", "<img", "<iframe", "src=", "@import"] {
        assert!(!html.contains(banned), "report.html holds {banned}");
    }
    assert_eq!(html.matches("url(").count(), 2, "one url( per font face");
    assert_eq!(html.matches("url(data:font/ttf;base64,").count(), 2, "the fonts are embedded");
    assert!(html.ends_with("</html>\n"));
}

/// `text` parsed as an SVG of [`WIDTH`] × [`HEIGHT`]; `what` names it in a failure.
pub(crate) fn check_svg<'a>(text: &'a str, what: &str) -> roxmltree::Document<'a> {
    let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{what}: not XML: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg", "{what}");
    assert_eq!(root.attribute("width"), Some(WIDTH.to_string().as_str()), "{what}");
    assert_eq!(root.attribute("height"), Some(HEIGHT.to_string().as_str()), "{what}");
    doc
}

/// A report's page and charts, as written.
pub(crate) trait Written {
    fn html(&self) -> &Path;
    fn charts(&self) -> &[ChartFiles];
}

impl Written for ReportFiles {
    fn html(&self) -> &Path {
        &self.html
    }
    fn charts(&self) -> &[ChartFiles] {
        &self.charts
    }
}

impl Written for CompareReportFiles {
    fn html(&self) -> &Path {
        &self.html
    }
    fn charts(&self) -> &[ChartFiles] {
        &self.charts
    }
}

/// Every file a report wrote, by path relative to its directory.
pub(crate) fn report_bytes(dir: &Path, files: &impl Written) -> Vec<(PathBuf, Vec<u8>)> {
    let mut paths = vec![files.html().to_path_buf()];
    for c in files.charts() {
        paths.push(c.svg.clone());
        paths.push(c.png.clone());
    }
    paths.into_iter().map(|p| (p.strip_prefix(dir).unwrap().to_path_buf(), fs::read(&p).unwrap())).collect()
}

/// A copy, in a fresh folder, of a run as the first version wrote it (`tests/data/issue2-run`):
/// the ten first `jobs.csv` columns and a flat `summary.json`, with no `timeseries.csv` and no
/// `login.csv`. It is the first 200 jobs of `lublin_256` under fcfs/easy, with times in the
/// three decimals that version printed. A copy, because building a report writes into the folder.
pub(crate) fn older_run() -> tempfile::TempDir {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/issue2-run");
    let dir = tempfile::tempdir().expect("temporary directory");
    for name in ["jobs.csv", "summary.json"] {
        fs::copy(from.join(name), dir.path().join(name)).expect("tests/data/issue2-run is in the repository");
    }
    dir
}
