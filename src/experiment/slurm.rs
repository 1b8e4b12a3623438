//! Slurm job arrays for sweeps: `sweep.sbatch` (one array task per shard) and `merge.sbatch`
//! (merges the shards once every task succeeded), so a sweep outgrows one machine on the
//! centre's own cluster.
//!
//! Layout under the sweep's folder `OUT`: the job scripts, `OUT/slurm/shard-<I>/` for each
//! shard's results and `OUT/slurm/*.out` for Slurm's logs. The merge writes the whole sweep's
//! files into `OUT` itself, the same bytes as the sweep run on one machine. Every path in the
//! scripts is absolute, and `--chdir` is the folder the sweep was prepared from, so a scenario
//! path given relative to it means the same file on the compute nodes (the path is recorded in
//! the results, and must read the same as in a local run for the bytes to match).

use std::fmt::Write as _;
use std::path::Path;

/// What the job scripts need.
pub struct ArrayJob<'a> {
    /// The schedsim binary, absolute.
    pub binary: &'a Path,
    /// The folder the sweep was prepared from (the tasks' working directory), absolute.
    pub workdir: &'a Path,
    /// The sweep's folder, absolute.
    pub out: &'a Path,
    /// `sweep` arguments that define the sweep (scenario, `--set`, `--move-nodes`,
    /// `--replications`, `--seed`, `--keep-runs`), as given.
    pub args: &'a [String],
    pub name: &'a str,
    pub shards: u32,
    /// Most tasks running at once (the `%` of `--array`).
    pub throttle: u32,
    /// Per-task time limit, as Slurm writes it (`HH:MM:SS` or `D-HH:MM:SS`).
    pub time: &'a str,
    /// CPUs per task (the task's `--threads`).
    pub cpus: u32,
}

/// Quotes `s` for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%^".contains(c)) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn path(p: &Path) -> String {
    shell_quote(&p.display().to_string())
}

impl ArrayJob<'_> {
    /// `sweep.sbatch`: task `I` runs shard `I/N` into `OUT/slurm/shard-I`.
    pub fn sweep_script(&self) -> String {
        let mut s = String::from("#!/bin/bash\n");
        let _ = writeln!(s, "# schedsim sweep {:?} as a Slurm job array: one task per shard.", self.name);
        let _ = writeln!(s, "# Submit with:  jid=$(sbatch --parsable {})", path(&self.out.join("sweep.sbatch")));
        let _ =
            writeln!(s, "#         then:  sbatch --dependency=afterok:$jid {}", path(&self.out.join("merge.sbatch")));
        let _ = writeln!(s, "#SBATCH --job-name=schedsim-sweep-{}", self.name);
        let _ = writeln!(s, "#SBATCH --array=1-{}%{}", self.shards, self.throttle.clamp(1, self.shards));
        let _ = writeln!(s, "#SBATCH --time={}", self.time);
        let _ = writeln!(s, "#SBATCH --ntasks=1");
        let _ = writeln!(s, "#SBATCH --cpus-per-task={}", self.cpus);
        let _ = writeln!(s, "#SBATCH --chdir={}", self.workdir.display());
        let _ = writeln!(s, "#SBATCH --output={}/slurm/shard-%a.out", self.out.display());
        s.push_str("set -euo pipefail\n");
        let _ = write!(s, "exec {} sweep", path(self.binary));
        for a in self.args {
            let _ = write!(s, " {}", shell_quote(a));
        }
        let _ = writeln!(
            s,
            " \\\n    --shard \"$SLURM_ARRAY_TASK_ID/{}\" --threads \"${{SLURM_CPUS_PER_TASK:-{}}}\" \\\n    --out {}/slurm/shard-\"$SLURM_ARRAY_TASK_ID\"",
            self.shards,
            self.cpus,
            path(self.out)
        );
        s
    }

    /// `merge.sbatch`: merges every shard into `OUT` (submit it with
    /// `--dependency=afterok:<array job>`).
    pub fn merge_script(&self) -> String {
        let mut s = String::from("#!/bin/bash\n");
        let _ = writeln!(s, "# Merges the shards of schedsim sweep {:?} into {}.", self.name, self.out.display());
        let _ = writeln!(s, "#SBATCH --job-name=schedsim-merge-{}", self.name);
        let _ = writeln!(s, "#SBATCH --time={}", self.time);
        let _ = writeln!(s, "#SBATCH --ntasks=1");
        let _ = writeln!(s, "#SBATCH --chdir={}", self.workdir.display());
        let _ = writeln!(s, "#SBATCH --output={}/slurm/merge.out", self.out.display());
        s.push_str("set -euo pipefail\n");
        let _ = write!(s, "exec {} merge --out {}", path(self.binary), path(self.out));
        for i in 1..=self.shards {
            let _ = write!(s, " \\\n    {}/slurm/shard-{i}", path(self.out));
        }
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_the_shell() {
        assert_eq!(shell_quote("policy.backfill=easy,conservative"), "policy.backfill=easy,conservative");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("x[a=1]"), "'x[a=1]'");
    }

    #[test]
    fn the_scripts_run_every_shard_and_merge_them_all() {
        let args =
            vec!["scenarios/default.toml".to_string(), "--set".into(), "policy.backfill=easy,conservative".into()];
        let job = ArrayJob {
            binary: Path::new("/opt/schedsim"),
            workdir: Path::new("/home/u/study"),
            out: Path::new("/home/u/study/results/sw"),
            args: &args,
            name: "default",
            shards: 4,
            throttle: 2,
            time: "01:00:00",
            cpus: 2,
        };
        let sweep = job.sweep_script();
        assert!(sweep.contains("#SBATCH --array=1-4%2\n"), "{sweep}");
        assert!(sweep.contains("#SBATCH --time=01:00:00\n"));
        assert!(sweep.contains("#SBATCH --chdir=/home/u/study\n"));
        assert!(
            sweep.contains("exec /opt/schedsim sweep scenarios/default.toml --set policy.backfill=easy,conservative")
        );
        assert!(sweep.contains("--shard \"$SLURM_ARRAY_TASK_ID/4\""));
        let merge = job.merge_script();
        assert!(!merge.contains("--array") && !merge.contains("--dependency"));
        for i in 1..=4 {
            assert!(merge.contains(&format!("/home/u/study/results/sw/slurm/shard-{i}")), "{merge}");
        }
        assert!(!merge.contains("shard-5"));
    }
}
