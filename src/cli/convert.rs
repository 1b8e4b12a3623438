//! `schedsim convert FILE --to swf`: any trace schedsim reads (SWF, sacct) written as SWF; and
//! the sacct reading options that `run`, `compare`, `inspect` and `convert` share.

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;

use schedsim::report::guard::check_output;
use schedsim::workload::sacct::{Cancelled, SacctOptions};
use schedsim::workload::swf::write::write_converted;
use schedsim::workload::trace::read_trace;

/// How to read an sacct export given as a trace (ignored for SWF).
#[derive(Debug, Args, Default, Clone)]
pub struct SacctArgs {
    /// Field list of an sacct export written with --noheader, e.g. `jobid,jobidraw,...`.
    #[arg(long, value_name = "A,B,...", value_delimiter = ',')]
    pub sacct_fields: Option<Vec<String>>,
    /// Delimiter of an sacct export [default: `|`, else a tab, as its first line shows].
    #[arg(long, value_name = "TEXT")]
    pub delimiter: Option<String>,
    /// Jobs cancelled before they started: `keep` replays interactive ones as sessions whose
    /// user gives up after End − Submit; `drop` leaves them out [default: keep].
    #[arg(long, value_name = "keep|drop")]
    pub cancelled: Option<Cancelled>,
    /// Time limit of sacct jobs with `UNLIMITED` or `Partition_Limit`, e.g. `2h`.
    #[arg(long, value_name = "DURATION")]
    pub default_timelimit: Option<String>,
}

impl SacctArgs {
    pub fn options(&self) -> anyhow::Result<SacctOptions> {
        let default_timelimit = match &self.default_timelimit {
            None => None,
            Some(s) => match s.parse::<schedsim::units::Duration>() {
                Ok(d) => Some(d.0),
                Err(e) => bail!("--default-timelimit: {e}"),
            },
        };
        Ok(SacctOptions {
            fields: self.sacct_fields.clone(),
            delimiter: self.delimiter.clone(),
            cancelled: self.cancelled.unwrap_or_default(),
            default_timelimit,
            ..SacctOptions::default()
        })
    }
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The trace: SWF or an sacct export, gzipped or not.
    pub file: PathBuf,
    /// Output format (only `swf`).
    #[arg(long, value_name = "FORMAT")]
    pub to: String,
    /// Where to write [default: standard output].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub sacct: SacctArgs,
}

pub fn convert(args: ConvertArgs) -> anyhow::Result<()> {
    if args.to != "swf" {
        bail!("--to {}: the only output format is swf", args.to);
    }
    let loaded = read_trace(&args.file, &args.sacct.options()?)?;
    let w = &loaded.workload;
    let origin = args.file.display().to_string();
    match &args.out {
        Some(path) => {
            check_output(path, false, std::slice::from_ref(&args.file))?;
            // Written under a temporary name and renamed, so an interrupted run leaves no half file.
            let tmp = path.with_extension("swf.part");
            let file = File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
            write_converted(file, w, &origin).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot rename {} to {}", tmp.display(), path.display()))?;
        }
        None => {
            let stdout = io::stdout();
            let mut lock = stdout.lock();
            write_converted(&mut lock, w, &origin).context(super::out::WHAT)?;
            lock.flush().context(super::out::WHAT)?;
        }
    }
    let dest = args.out.as_ref().map_or("standard output".to_string(), |p| p.display().to_string());
    eprintln!("schedsim convert: {origin}: wrote {} jobs to {dest}", w.jobs.len());
    if w.skipped_total() > 0 {
        let why: Vec<String> = w.skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
        eprintln!("  left out: {}", why.join(", "));
    }
    Ok(())
}
