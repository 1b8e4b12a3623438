//! `schedsim generate`: write a scenario's jobs (every source, merged in arrival order) as an
//! SWF input trace, without simulating them.

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use schedsim::report::guard::check_output;
use schedsim::scenario::{self, swf_out};
use schedsim::workload::job::JobClass;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Scenario file (TOML). Without it, the built-in default scenario.
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<PathBuf>,
    /// Seed of the random streams [default: the scenario's `run.seed`].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Where to write the SWF trace [default: standard output].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn generate(args: GenerateArgs) -> anyhow::Result<()> {
    let sc = match &args.scenario {
        Some(path) => scenario::load(path)?,
        None => scenario::default_scenario(),
    };
    let seed = args.seed.unwrap_or(sc.run.seed);
    let built = scenario::build(&sc, seed)?;
    if let Some(out) = &args.out {
        let mut inputs = sc.trace_files();
        inputs.extend(args.scenario.clone());
        check_output(out, false, &inputs)?;
    }

    match &args.out {
        Some(path) => {
            // Written under a temporary name and renamed, so an interrupted run leaves no half file.
            let tmp = path.with_extension("swf.part");
            let file = File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
            swf_out::write_generated_swf(file, &built).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot rename {} to {}", tmp.display(), path.display()))?;
        }
        None => {
            let stdout = io::stdout();
            let mut lock = stdout.lock();
            swf_out::write_generated_swf(&mut lock, &built).context(super::out::WHAT)?;
            lock.flush().context(super::out::WHAT)?;
        }
    }

    let count = |c: JobClass| built.workload.jobs.iter().filter(|j| j.class == c).count();
    let per_class: Vec<String> = JobClass::ALL.iter().map(|&c| format!("{} {}", c, count(c))).collect();
    let dest = args.out.as_ref().map_or("standard output".to_string(), |p| p.display().to_string());
    eprintln!(
        "schedsim generate: {} (seed {seed}): wrote {} jobs ({}) to {dest}",
        built.name,
        built.workload.jobs.len(),
        per_class.join(", ")
    );
    if built.workload.skipped_total() > 0 {
        let why: Vec<String> = built.workload.skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
        eprintln!("  left out: {}", why.join(", "));
    }
    Ok(())
}
