//! Reading a trace file whatever its format: SWF or an sacct export, told apart by content.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use super::sacct::{self, Import, SacctOptions, SacctStats};
use super::{swf, Workload, WorkloadError};

/// A trace read: its jobs, and what an sacct export showed beyond them.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub workload: Workload,
    pub sacct: Option<SacctStats>,
}

/// Reads `path` as SWF or as an sacct export, gzipped or not, deciding by its first line.
pub fn read_trace(path: &Path, opts: &SacctOptions) -> Result<Loaded, WorkloadError> {
    if let Some(what) = super::wrong_kind(path, false) {
        return Err(WorkloadError::WrongKind { file: path.to_path_buf(), what });
    }
    let io = |error| WorkloadError::Io { file: path.to_path_buf(), error };
    // Opened once: a pipe cannot be read twice, so the beginning that decides the format is
    // put back in front of the rest for the reader.
    let mut file = File::open(path).map_err(io)?;
    let mut prefix = Vec::new();
    (&mut file).take(PREFIX_BYTES).read_to_end(&mut prefix).map_err(io)?;
    let is_sacct = sacct::looks_like_sacct(&head_of(&prefix));
    let source = Cursor::new(prefix).chain(file);
    if is_sacct {
        let Import { workload, stats } = sacct::read_sacct_from(source, path, opts)?;
        Ok(Loaded { workload, sacct: Some(stats) })
    } else {
        Ok(Loaded { workload: swf::read_swf_from(source, path)?, sacct: None })
    }
}

/// How much of a file is looked at to tell its format.
const PREFIX_BYTES: u64 = 1 << 16;

/// The first non-blank line of `prefix`, inflated when it is gzip. A gzip stream cut at the
/// prefix's end still inflates its beginning, and the read stops at an error past it: what was
/// read before the error is kept, and that is all the format test needs.
fn head_of(prefix: &[u8]) -> Vec<u8> {
    let mut head = Vec::new();
    let _ = if prefix.starts_with(&[0x1f, 0x8b]) {
        read_head(&mut BufReader::new(MultiGzDecoder::new(prefix)), &mut head)
    } else {
        read_head(&mut &prefix[..], &mut head)
    };
    head
}

/// The first lines, up to the first one that is not blank.
fn read_head<R: BufRead>(r: &mut R, head: &mut Vec<u8>) -> std::io::Result<()> {
    let mut limited = r.take(1 << 16);
    loop {
        let start = head.len();
        if limited.read_until(b'\n', head)? == 0 || !head[start..].trim_ascii().is_empty() {
            return Ok(());
        }
    }
}
