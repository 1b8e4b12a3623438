//! `schedsim merge`: the shards of a sweep (`sweep --shard I/N`), run anywhere, merged into
//! the folder the whole sweep would have written, byte for byte.

use std::path::PathBuf;

use clap::Args;

use super::out::outln;
use schedsim::experiment::sweep;

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Directory of the merged sweep.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The shards' directories, one per shard, every shard of one sweep.
    #[arg(value_name = "SHARD_DIR", required = true)]
    pub shards: Vec<PathBuf>,
    /// Write only the data files: no charts, no report.html.
    #[arg(long)]
    pub no_report: bool,
}

pub fn merge_cmd(args: MergeArgs) -> anyhow::Result<()> {
    let m = sweep::merge(&args.out, &args.shards)?;
    outln!("schedsim: merged {} shards of sweep {} into {}/", args.shards.len(), m.name, args.out.display())?;
    let pool = rayon::ThreadPoolBuilder::new().build()?;
    super::sweep::finish(&args.out, &m, args.no_report, &pool)
}
