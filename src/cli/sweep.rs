//! `schedsim sweep`: a scenario over a grid of edited values, each point replicated; writes
//! `sweep.json`, every replication's summary, `sweep.csv`, charts and `report.html`; resumes
//! an interrupted sweep; runs one shard of it; or writes the Slurm job array that runs it.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;

use super::out::outln;
use schedsim::experiment::slurm::ArrayJob;
use schedsim::experiment::stats::Estimate;
use schedsim::experiment::sweep::{self, Manifest, Shard, Sweep, SweepSpec, FIGURES};
use schedsim::report::charts::fmt_duration;
use schedsim::report::guard::check_output;
use schedsim::report::progress;
use schedsim::report::sweep_report::{build_size_pool_report, build_sweep_report};
use schedsim::scenario::overrides::{self, Axis};
use schedsim::scenario::{DEFAULT_SCENARIO, DEFAULT_SCENARIO_PATH};

/// Most worker threads: far more than any machine's cores, few enough to start.
pub const MAX_THREADS: u32 = 1024;

/// The scenario and the grid: shared by `sweep` and `size-pool`.
#[derive(Debug, Args)]
pub struct GridArgs {
    /// Scenario file (TOML) [default: the built-in default scenario].
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<PathBuf>,
    /// Replications of every point; replication r of every point uses the same seeds.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: u32,
    /// Base seed [default: the scenario's run.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads [default: one per core]. Results are identical for any number.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_THREADS)))]
    pub threads: Option<u32>,
}

impl GridArgs {
    /// The scenario's text and the path it is known by.
    pub fn scenario_text(&self) -> anyhow::Result<(String, PathBuf)> {
        match &self.scenario {
            Some(p) => {
                if let Some(what) = schedsim::workload::wrong_kind(p, false) {
                    bail!("{}: {what}", p.display());
                }
                let text =
                    fs::read_to_string(p).with_context(|| format!("{}: cannot read the scenario", p.display()))?;
                Ok((text, p.clone()))
            }
            None => Ok((DEFAULT_SCENARIO.to_string(), PathBuf::from(DEFAULT_SCENARIO_PATH))),
        }
    }

    /// A rayon pool of `--threads` workers.
    pub fn pool(&self) -> anyhow::Result<rayon::ThreadPool> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads.unwrap_or(0) as usize)
            .build()
            .with_context(|| format!("starting {} worker threads", self.threads.unwrap_or(0)))
    }
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub grid: GridArgs,
    /// KEY=VALUES: a scenario key (as error messages print it, e.g. policy.backfill,
    /// cluster.nodes[inter].count, workload[1].rate.peak) and its values (a list 4,8,16 or a
    /// range 2..=12 or 2..=12:2). Several --set form a grid.
    #[arg(long = "set", value_name = "KEY=VALUES")]
    pub set: Vec<String>,
    /// FROM:TO=VALUES: node group TO gets each value, FROM the rest of their total (e.g.
    /// cpu:inter=2..=12). These axes come before the --set ones.
    #[arg(long = "move-nodes", value_name = "FROM:TO=VALUES")]
    pub move_nodes: Vec<String>,
    /// Directory of the sweep [default: results/sweep-<scenario name>]. Running the same
    /// command on it again finishes an interrupted sweep.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Keep every replication's full run files (jobs.csv, time series), not only its summary.
    #[arg(long)]
    pub keep_runs: bool,
    /// Run only shard I of N (the point × replication pairs numbered I−1 modulo N); merge the
    /// shards' folders with `schedsim merge`.
    #[arg(long, value_name = "I/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Write OUT/sweep.sbatch (a Slurm job array of N shards) and OUT/merge.sbatch instead of
    /// running, and print the sbatch commands.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000), conflicts_with = "shard")]
    pub slurm: Option<u32>,
    /// With --slurm: at most this many array tasks at once [default: all].
    #[arg(long, value_name = "T", requires = "slurm", value_parser = clap::value_parser!(u32).range(1..))]
    pub slurm_throttle: Option<u32>,
    /// With --slurm: each task's time limit, as Slurm writes it.
    #[arg(long, value_name = "TIME", requires = "slurm", default_value = "01:00:00")]
    pub slurm_time: String,
    /// Write only the data files: no charts, no report.html.
    #[arg(long)]
    pub no_report: bool,
}

/// The axes of `--move-nodes` then `--set`, read against the scenario text.
pub fn axes(text: &str, moves: &[String], sets: &[String]) -> anyhow::Result<Vec<Axis>> {
    let mut out = Vec::new();
    for m in moves {
        out.push(overrides::parse_move(m, text, true)?);
    }
    for s in sets {
        out.push(overrides::parse_set(s, text)?);
    }
    for (i, a) in out.iter().enumerate() {
        if out[..i].iter().any(|b| b.key() == a.key()) {
            bail!("{} is swept twice: give each key one --set (or --move-nodes)", a.key());
        }
    }
    Ok(out)
}

pub fn sweep_cmd(args: SweepArgs) -> anyhow::Result<()> {
    let (text, origin) = args.grid.scenario_text()?;
    let axes = axes(&text, &args.move_nodes, &args.set)?;
    if axes.is_empty() {
        bail!("nothing to sweep: give at least one --set KEY=VALUES or --move-nodes FROM:TO=VALUES");
    }
    let spec = SweepSpec {
        text: &text,
        origin: &origin,
        seed: args.grid.seed,
        replications: args.grid.replications,
        axes,
        keep_runs: args.keep_runs,
    };
    let sweep = Sweep::new(spec)?;
    let m = &sweep.manifest;
    let out = args.out.clone().unwrap_or_else(|| Path::new("results").join(format!("sweep-{}", m.name)));
    check_output(&out, true, args.grid.scenario.as_slice())?;
    if let Some(shards) = args.slurm {
        return write_slurm(&args, &sweep, &out, shards);
    }
    // Check the folder first: counting the replications of another sweep's folder would
    // announce a resume that is then refused.
    let mut claimed = m.clone();
    claimed.shard = args.shard.map(|s| s.to_string());
    sweep::claim(&out, &claimed)?;
    let pool = args.grid.pool()?;
    // Claim the folder first, so that a different sweep there is refused before anything else.
    let mut claimed = m.clone();
    claimed.shard = args.shard.map(|s| s.to_string());
    sweep::claim(&out, &claimed)?;
    let pending = sweep.pending(&out, args.shard).len();
    let runs = m.points * m.replications as usize;
    let share = args.shard.map_or(runs, |s| (0..runs as u64).filter(|&k| s.owns(k)).count());
    outln!(
        "schedsim: sweep of {} ({}) over {} points × {} replications = {runs} runs{}",
        m.name,
        origin.display(),
        m.points,
        m.replications,
        args.shard.map_or(String::new(), |s| format!("; shard {s}: {share} runs"))
    )?;
    if pending < share {
        outln!("  resuming {}: {} of {share} runs already done", out.display(), share - pending)?;
    }
    let bar = progress::bar(pending as u64, "sweeping");
    pool.install(|| sweep.run(&out, args.shard, &|| bar.inc(1)))?;
    bar.finish_and_clear();
    if let Some(s) = args.shard {
        outln!("shard {s}: {}/ (merge the shards with schedsim merge --out DIR SHARD_DIR...)", out.display())?;
        return Ok(());
    }
    finish(&out, m, args.no_report, &pool)
}

/// Prints the sweep's table and builds its report.
pub fn finish(out: &Path, m: &Manifest, no_report: bool, pool: &rayon::ThreadPool) -> anyhow::Result<()> {
    print_table(out, m)?;
    let mut written = vec!["sweep.json", "sweep.csv", "points/"];
    if !no_report {
        written.extend(pool.install(|| build_report(out))?);
    }
    outln!("results: {}/ ({})", out.display(), written.join(", "))?;
    Ok(())
}

/// Builds the charts and `report.html` of a sweep or size-pool folder; returns what it wrote.
pub fn build_report(out: &Path) -> anyhow::Result<Vec<&'static str>> {
    let build = if out.join("size-pool.json").is_file() { build_size_pool_report } else { build_sweep_report };
    build(out).with_context(|| format!("building the report in {}", out.display()))?;
    Ok(vec!["charts/", "report.html"])
}

/// One line per point and class: the headline figures as mean ± 95% half-width.
fn print_table(out: &Path, m: &Manifest) -> anyhow::Result<()> {
    let idx = |name: &str| FIGURES.iter().position(|f| *f == name).expect("a figure");
    let (mean, p95, within, util) = (idx("mean_wait"), idx("p95_wait"), idx("within_target"), idx("utilisation"));
    outln!(
        "  {:<40} {:<12} {:>18} {:>18} {:>16} {:>16}",
        "point",
        "class",
        "mean wait",
        "p95 wait",
        "in target",
        "utilisation"
    )?;
    for p in 0..m.points {
        let est = sweep::estimates(&sweep::point_rows(out, m, p)?);
        for (row, e) in est.iter().enumerate().skip(1) {
            let label = if row == 1 { sweep::describe(m, p) } else { String::new() };
            outln!(
                "  {:<40} {:<12} {:>18} {:>18} {:>16} {:>16}",
                label,
                m.classes[row - 1],
                duration_pm(e[mean]),
                duration_pm(e[p95]),
                share_pm(e[within]),
                share_pm(e[util])
            )?;
        }
    }
    Ok(())
}

/// `4.2h ± 12m`, or `—` where undefined.
pub fn duration_pm(e: Option<Estimate>) -> String {
    match e {
        None => "—".into(),
        Some(e) => match e.ci {
            Some(c) => format!("{} ± {}", fmt_duration(e.mean), fmt_duration(c)),
            None => fmt_duration(e.mean),
        },
    }
}

/// `95.1% ± 0.4`, or `—` where undefined.
pub fn share_pm(e: Option<Estimate>) -> String {
    match e {
        None => "—".into(),
        Some(e) => match e.ci {
            Some(c) => format!("{:.1}% ± {:.1}", e.mean * 100.0, c * 100.0),
            None => format!("{:.1}%", e.mean * 100.0),
        },
    }
}

/// The arguments that define the sweep, as the shards must be given them.
fn defining_args(args: &SweepArgs) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = &args.grid.scenario {
        out.push(s.display().to_string());
    }
    for m in &args.move_nodes {
        out.extend(["--move-nodes".to_string(), m.clone()]);
    }
    for s in &args.set {
        out.extend(["--set".to_string(), s.clone()]);
    }
    out.extend(["--replications".to_string(), args.grid.replications.to_string()]);
    if let Some(seed) = args.grid.seed {
        out.extend(["--seed".to_string(), seed.to_string()]);
    }
    if args.keep_runs {
        out.push("--keep-runs".into());
    }
    out
}

fn write_slurm(args: &SweepArgs, sweep: &Sweep, out: &Path, shards: u32) -> anyhow::Result<()> {
    let runs = sweep.manifest.points as u64 * u64::from(sweep.manifest.replications);
    if u64::from(shards) > runs {
        bail!("--slurm {shards}: the sweep has only {runs} runs; give at most that many shards");
    }
    sweep::claim(out, &sweep.manifest)?;
    fs::create_dir_all(out.join("slurm")).with_context(|| format!("{}: cannot create", out.display()))?;
    let abs = |p: &Path| fs::canonicalize(p).with_context(|| format!("{}: cannot resolve", p.display()));
    let binary = std::env::current_exe().context("finding the schedsim binary")?;
    let (workdir, out_abs) = (abs(Path::new("."))?, abs(out)?);
    let defining = defining_args(args);
    let job = ArrayJob {
        binary: &binary,
        workdir: &workdir,
        out: &out_abs,
        args: &defining,
        name: &sweep.manifest.name,
        shards,
        throttle: args.slurm_throttle.unwrap_or(shards),
        time: &args.slurm_time,
        cpus: args.grid.threads.unwrap_or(1),
    };
    for (file, text) in [("sweep.sbatch", job.sweep_script()), ("merge.sbatch", job.merge_script())] {
        schedsim::report::write_atomic(&out.join(file), |f| std::io::Write::write_all(f, text.as_bytes()))?;
    }
    outln!(
        "schedsim: sweep of {} as a Slurm job array: {runs} runs in {shards} shards, written to {}/",
        sweep.manifest.name,
        out.display()
    )?;
    outln!("  jid=$(sbatch --parsable {})", out.join("sweep.sbatch").display())?;
    outln!("  sbatch --dependency=afterok:$jid {}", out.join("merge.sbatch").display())?;
    Ok(())
}
