//! `schedsim size-pool`: the smallest pool (nodes moved from one group to another) that meets
//! every target with 95% confidence, found by search; writes `size-pool.json`, charts and a
//! `report.html` that states the answer in one sentence.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clap::Args;

use schedsim::experiment::size_pool::{SizePool, SizePoolSpec, SizeResult};
use schedsim::report::charts::fmt_duration;
use schedsim::report::guard::check_output;
use schedsim::report::sweep_report::{answer_sentence, read_size_pool};

use super::out::outln;
use super::sweep::GridArgs;

#[derive(Debug, Args)]
pub struct SizePoolArgs {
    #[command(flatten)]
    pub grid: GridArgs,
    /// FROM:TO: the pool is node group TO, grown with nodes of group FROM (their total held).
    #[arg(long = "move-nodes", value_name = "FROM:TO", required = true)]
    pub move_nodes: String,
    /// CLASS.FIGURE<=VALUE or >=VALUE, e.g. interactive.within_target>=0.95 or
    /// interactive.p95_wait<=1m; every target must hold. Figures as in sweep.csv.
    #[arg(long = "target", value_name = "TARGET", required = true)]
    pub targets: Vec<String>,
    /// Largest pool to try [default: all but one node of the two groups].
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    pub max: Option<u32>,
    /// Most replications of one size, when its interval straddles a target [default: 4 × --replications].
    #[arg(long, value_name = "R", value_parser = clap::value_parser!(u32).range(2..=10_000))]
    pub max_replications: Option<u32>,
    /// Directory of the search [default: results/size-pool-<scenario name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write only the data files: no charts, no report.html.
    #[arg(long)]
    pub no_report: bool,
}

pub fn size_pool_cmd(args: SizePoolArgs) -> anyhow::Result<()> {
    let (text, origin) = args.grid.scenario_text()?;
    let spec = SizePoolSpec {
        text: &text,
        origin: &origin,
        seed: args.grid.seed,
        moves: &args.move_nodes,
        targets: &args.targets,
        replications: args.grid.replications,
        max_replications: args.max_replications.unwrap_or(4 * args.grid.replications),
        max: args.max,
    };
    let mut search = SizePool::new(spec)?;
    let out = args.out.clone().unwrap_or_else(|| {
        let name = schedsim::scenario::overrides::edited(&text, &origin, &[]).map(|s| s.name).unwrap_or_default();
        Path::new("results").join(format!("size-pool-{name}"))
    });
    check_output(&out, true, args.grid.scenario.as_slice())?;
    outln!("schedsim: size-pool {} ({}), targets {}", args.move_nodes, origin.display(), args.targets.join(", "))?;
    let pool = args.grid.pool()?;
    // The search reports each size through a callback that cannot fail: the first write error
    // is kept and returned once the search ends.
    let failed = OnceLock::new();
    let tried = |r: &SizeResult| {
        if failed.get().is_none() {
            if let Err(e) = print_size(r) {
                let _ = failed.set(e);
            }
        }
    };
    let result = pool.install(|| search.search(&out, &tried))?;
    if let Some(e) = failed.into_inner() {
        return Err(e);
    }
    // The report's own sentence, from the file just written, so the screen and the page agree.
    let data = read_size_pool(&out)?;
    outln!("{}", answer_sentence(&data))?;
    outln!(
        "  searched {} of the {} sizes a full grid would simulate, in {} runs",
        result.sizes_tried,
        result.full_grid_sizes,
        result.runs
    )?;
    let mut written = vec!["size-pool.json", "runs/"];
    if !args.no_report {
        written.extend(super::sweep::build_report(&out)?);
    }
    outln!("results: {}/ ({})", out.display(), written.join(", "))?;
    Ok(())
}

fn print_size(r: &SizeResult) -> anyhow::Result<()> {
    let targets: Vec<String> = r
        .targets
        .iter()
        .map(|t| {
            let v = |x: f64| if t.text.contains("_wait") { fmt_duration(x) } else { format!("{x:.3}") };
            let ci = t.ci.map_or(String::new(), |c| format!(" ± {}", v(c)));
            format!(
                "{} = {}{ci} ({})",
                t.text.split(['<', '>']).next().unwrap_or(""),
                v(t.mean),
                if t.meets { "meets" } else { "does not meet" }
            )
        })
        .collect();
    let cost = r.cost.map_or(String::new(), |c| {
        format!(
            "; batch utilisation {:.1}%, mean wait {}, p95 wait {}",
            c.batch_utilisation * 100.0,
            fmt_duration(c.batch_mean_wait),
            fmt_duration(c.batch_p95_wait)
        )
    });
    outln!("  {} nodes, {} replications: {}{cost}", r.k, r.replications, targets.join(", "))
}
