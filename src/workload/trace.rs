//! Reading a trace file whatever its format: SWF or an sacct export, told apart by content.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
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
    let is_sacct = {
        let file = File::open(path).map_err(io)?;
        let mut reader = BufReader::with_capacity(1 << 16, file);
        let mut head = Vec::new();
        if sacct::is_gzip(&mut reader).map_err(io)? {
            let mut gz = BufReader::new(MultiGzDecoder::new(reader));
            read_head(&mut gz, &mut head).map_err(io)?;
        } else {
            read_head(&mut reader, &mut head).map_err(io)?;
        }
        sacct::looks_like_sacct(&head)
    };
    if is_sacct {
        let Import { workload, stats } = sacct::read_sacct(path, opts)?;
        Ok(Loaded { workload, sacct: Some(stats) })
    } else {
        Ok(Loaded { workload: swf::read_swf(path)?, sacct: None })
    }
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
