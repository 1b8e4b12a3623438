//! The record `summary.json` keeps of the files it summarises (rows, bytes, checksum), taken
//! while they are written, and the check that a folder's files still agree with it.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

/// FNV-1a, 64 bits: a stable digest (std's hashers may change between releases), fed in
/// pieces.
#[derive(Clone, Copy, Debug)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// The digest as 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }

    /// The digest of `bytes`, as 16 hex digits.
    pub fn of(bytes: &[u8]) -> String {
        let mut h = Fnv64::default();
        h.update(bytes);
        h.hex()
    }
}

/// What `summary.json` records of one file beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Data rows: lines, less a CSV's header and an SWF's `;` comments.
    pub rows: u64,
    pub bytes: u64,
    /// CRC-32 (IEEE, as gzip's) of the whole file, 8 hex digits: what runs record now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crc32: Option<String>,
    /// [`Fnv64`] of the whole file: what runs recorded before (a byte at a time, 10% of a
    /// trace run's time); still checked in folders that record it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fnv1a64: Option<String>,
}

impl FileRecord {
    /// The checksum recorded, named by its algorithm.
    fn checksum(&self) -> String {
        match (&self.crc32, &self.fnv1a64) {
            (Some(c), _) => format!("crc32 {c}"),
            (None, Some(f)) => format!("fnv1a64 {f}"),
            (None, None) => "none".into(),
        }
    }
}

/// The files of a run folder, by name, as `summary.json` records them.
pub type FileRecords = BTreeMap<String, FileRecord>;

/// How a file's rows are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rows {
    /// Every line but the first (the header).
    Csv,
    /// Every line that is not a `;` comment.
    Swf,
}

/// A writer that passes everything on to `inner` and tallies it for a [`FileRecord`].
pub struct Tally<W> {
    inner: W,
    kind: Rows,
    hash: crc32fast::Hasher,
    bytes: u64,
    lines: u64,
    comments: u64,
    at_line_start: bool,
}

impl<W: Write> Tally<W> {
    pub fn new(inner: W, kind: Rows) -> Self {
        Tally { inner, kind, hash: crc32fast::Hasher::new(), bytes: 0, lines: 0, comments: 0, at_line_start: true }
    }

    fn feed(&mut self, buf: &[u8]) {
        self.hash.update(buf);
        self.bytes += buf.len() as u64;
        let Some(&last) = buf.last() else { return };
        // A line starts at the beginning of the file and after every newline but a final one.
        let starts = memchr::memchr_iter(b'\n', &buf[..buf.len() - 1]).map(|nl| buf[nl + 1]);
        for first in self.at_line_start.then_some(buf[0]).into_iter().chain(starts) {
            self.lines += 1;
            self.comments += u64::from(first == b';');
        }
        self.at_line_start = last == b'\n';
    }

    /// What was written, and the writer.
    pub fn finish(self) -> (FileRecord, W) {
        let rows = match self.kind {
            Rows::Csv => self.lines.saturating_sub(1),
            Rows::Swf => self.lines - self.comments,
        };
        let crc32 = Some(format!("{:08x}", self.hash.finalize()));
        (FileRecord { rows, bytes: self.bytes, crc32, fnv1a64: None }, self.inner)
    }
}

impl<W: Write> Write for Tally<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.feed(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The record of `bytes` read back, counted as `kind`, with the checksum `recorded` names (a
/// folder written before runs recorded CRC-32 records FNV-1a).
pub fn record_of(bytes: &[u8], kind: Rows, recorded: &FileRecord) -> FileRecord {
    let mut t = Tally::new(io::sink(), kind);
    t.feed(bytes);
    let mut found = t.finish().0;
    if recorded.crc32.is_none() && recorded.fnv1a64.is_some() {
        found.crc32 = None;
        found.fnv1a64 = Some(Fnv64::of(bytes));
    }
    found
}

/// How a file's rows are counted, by its name.
pub fn kind_of(name: &str) -> Rows {
    if name.ends_with(".swf") {
        Rows::Swf
    } else {
        Rows::Csv
    }
}

/// Why `found` is not what `recorded` says, in words; `None` when they agree.
pub fn disagreement(found: &FileRecord, recorded: &FileRecord) -> Option<String> {
    if found == recorded {
        return None;
    }
    let what = if found.rows != recorded.rows {
        format!("{} data rows where summary.json records {}", found.rows, recorded.rows)
    } else if found.bytes != recorded.bytes {
        format!("{} bytes where summary.json records {}", found.bytes, recorded.bytes)
    } else {
        format!("checksum {} where summary.json records {}", found.checksum(), recorded.checksum())
    };
    Some(format!("holds {what}: the folder's files are not those of one run (run it again)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a run writes now: the record taken while writing.
    fn written(bytes: &[u8], kind: Rows) -> FileRecord {
        let mut t = Tally::new(io::sink(), kind);
        t.write_all(bytes).unwrap();
        t.finish().0
    }

    #[test]
    fn a_tally_while_writing_equals_a_count_of_the_bytes_read_back() {
        let text = b"a,b\n1,2\n3,4\n";
        let mut t = Tally::new(Vec::new(), Rows::Csv);
        t.write_all(&text[..5]).unwrap();
        t.write_all(&text[5..]).unwrap();
        let (rec, bytes) = t.finish();
        assert_eq!(bytes, text);
        // Fed in pieces that cut lines anywhere, the count is the same.
        let swf = b"; h\n;\n1 0\n\n; x\n2 1";
        for cut in 0..=swf.len() {
            let mut t = Tally::new(io::sink(), Rows::Swf);
            t.write_all(&swf[..cut]).unwrap();
            t.write_all(&swf[cut..]).unwrap();
            assert_eq!(t.finish().0.rows, 3, "cut at {cut}");
        }
        assert_eq!(rec, record_of(text, Rows::Csv, &rec));
        assert_eq!((rec.rows, rec.bytes), (2, 12));
        let swf = b"; MaxProcs: 8\n;\n1 0 1\n2 0 1\n";
        assert_eq!(written(swf, Rows::Swf).rows, 2);
        assert_eq!(Fnv64::of(b""), "cbf29ce484222325");
        // The CRC-32 of gzip and PNG (its standard check value).
        assert_eq!(written(b"123456789", Rows::Csv).crc32.as_deref(), Some("cbf43926"));
    }

    #[test]
    fn a_cut_or_edited_file_is_told_apart() {
        let whole = written(b"h\n1\n2\n3\n", Rows::Csv);
        let cut = record_of(b"h\n1\n", Rows::Csv, &whole);
        let edited = record_of(b"h\n1\n2\n4\n", Rows::Csv, &whole);
        assert!(disagreement(&whole, &whole).is_none());
        assert!(disagreement(&cut, &whole).unwrap().contains("1 data rows where summary.json records 3"));
        assert!(disagreement(&edited, &whole).unwrap().contains("checksum crc32"));
    }

    #[test]
    fn a_folder_written_before_crc32_is_checked_with_the_fnv1a_it_records() {
        // The record of "h\n1\n2\n3\n" as summary.json wrote it before.
        let json = format!(r#"{{"rows":3,"bytes":8,"fnv1a64":"{}"}}"#, Fnv64::of(b"h\n1\n2\n3\n"));
        let old: FileRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(old.crc32, None);
        assert!(disagreement(&record_of(b"h\n1\n2\n3\n", Rows::Csv, &old), &old).is_none());
        let edited = disagreement(&record_of(b"h\n1\n2\n4\n", Rows::Csv, &old), &old).unwrap();
        assert!(edited.contains("checksum fnv1a64"), "{edited}");
        // What runs write now names its algorithm, and only it.
        let now = serde_json::to_string(&written(b"h\n1\n2\n3\n", Rows::Csv)).unwrap();
        assert!(now.contains(r#""crc32":"#) && !now.contains("fnv1a64"), "{now}");
    }
}
