//! Classification of sacct jobs into batch, interactive and debug (`slurm-spec.md` §D.6): a
//! site's own rules first, then the evidence Slurm leaves, strongest first. Every verdict
//! names the rule that gave it, so that a classification can be audited.

use regex::Regex;

use super::fields::Step;
use crate::workload::job::JobClass;

/// A site rule (`[[workload.classify]]`): every condition given must hold.
#[derive(Clone, Debug)]
pub struct Rule {
    pub partition: Option<String>,
    pub qos: Option<String>,
    pub name_regex: Option<Regex>,
    pub submit_regex: Option<Regex>,
    pub class: JobClass,
}

impl Rule {
    /// How the rule is named in counts: its conditions.
    pub fn describe(&self, index: usize) -> String {
        let mut conds = Vec::new();
        if let Some(p) = &self.partition {
            conds.push(format!("partition = {p:?}"));
        }
        if let Some(q) = &self.qos {
            conds.push(format!("qos = {q:?}"));
        }
        if let Some(r) = &self.name_regex {
            conds.push(format!("name_regex = {:?}", r.as_str()));
        }
        if let Some(r) = &self.submit_regex {
            conds.push(format!("submit_regex = {:?}", r.as_str()));
        }
        format!("classify[{index}] ({}) -> {}", conds.join(", "), self.class)
    }

    fn matches(&self, r: &Facts<'_>) -> bool {
        self.partition.as_deref().is_none_or(|p| p == r.partition)
            && self.qos.as_deref().is_none_or(|q| q == r.qos)
            && self.name_regex.as_ref().is_none_or(|re| re.is_match(r.name))
            && self.submit_regex.as_ref().is_none_or(|re| re.is_match(r.submit_line))
    }
}

/// The built-in rules, as they are named in the counts.
pub const SUBMIT_SALLOC: &str = "submit line: salloc";
pub const SUBMIT_SRUN_PTY: &str = "submit line: srun --pty";
pub const SUBMIT_SRUN: &str = "submit line: srun without a batch step";
pub const SUBMIT_SBATCH: &str = "submit line: sbatch";
pub const STEP_INTERACTIVE: &str = "steps: an .interactive step";
pub const STEP_NO_BATCH: &str = "steps: no .batch step";
pub const STEP_BATCH: &str = "steps: a .batch step";
pub const FLAG_SCHED_SUBMIT: &str = "flags: SchedSubmit";
pub const NAME_INTERACTIVE: &str = "job name: interactive or no-shell";
pub const NAME_SHELL: &str = "job name: a shell";
pub const NAME_OOD: &str = "job name: Open OnDemand";
pub const NAME_JUPYTER: &str = "job name: jupyter*";
pub const PARTITION_DEBUG: &str = "partition name: debug, devel, devcore or test";
pub const PARTITION_INTERACTIVE: &str = "partition name: interactive";
pub const DEFAULT: &str = "no evidence";

/// What one allocation record says about its class, read when the record is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// The index of the first site rule that matched.
    pub site_rule: Option<u16>,
    /// The submit line's verdict.
    pub submit: Option<SubmitVerdict>,
    pub sched_submit: bool,
    pub name: Option<&'static str>,
    pub partition: Option<&'static str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubmitVerdict {
    Salloc,
    SrunPty,
    Srun,
    Sbatch,
}

/// What the steps folded into a job showed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Steps(u8);

impl Steps {
    pub fn add(&mut self, s: Step) {
        self.0 |= match s {
            Step::Batch => 1,
            Step::Extern => 2,
            Step::Interactive => 4,
            Step::Numbered => 8,
            Step::Pending => 16,
        };
    }
    fn has(self, s: Step) -> bool {
        let mut one = Steps::default();
        one.add(s);
        self.0 & one.0 != 0
    }
    fn any(self) -> bool {
        self.0 != 0
    }
}

/// The fields of an allocation record the rules look at.
pub struct Facts<'a> {
    pub name: &'a str,
    pub submit_line: &'a str,
    pub partition: &'a str,
    pub qos: &'a str,
    pub flags: &'a str,
}

/// The site's rules, tried before the built-in ones.
#[derive(Clone, Debug, Default)]
pub struct Classifier {
    pub rules: Vec<Rule>,
}

impl Classifier {
    /// Reads the evidence of one allocation record.
    pub fn evidence(&self, f: &Facts<'_>) -> Evidence {
        let site_rule = self.rules.iter().position(|r| r.matches(f)).map(|i| i as u16);
        Evidence {
            site_rule,
            submit: submit_verdict(f.submit_line),
            sched_submit: f.flags.split(',').any(|x| x == "SchedSubmit"),
            name: name_verdict(f.name),
            partition: partition_verdict(f.partition),
        }
    }

    /// The class and the rule that gave it, once the job's steps are known.
    pub fn decide(&self, e: &Evidence, steps: Steps) -> (JobClass, RuleRef<'_>) {
        use JobClass::{Batch, Debug, Interactive};
        if let Some(i) = e.site_rule {
            return (self.rules[i as usize].class, RuleRef::Site(i as usize));
        }
        let builtin = |c, r| (c, RuleRef::Builtin(r));
        match e.submit {
            Some(SubmitVerdict::Salloc) => return builtin(Interactive, SUBMIT_SALLOC),
            Some(SubmitVerdict::SrunPty) => return builtin(Interactive, SUBMIT_SRUN_PTY),
            Some(SubmitVerdict::Srun) if !steps.has(Step::Batch) => return builtin(Interactive, SUBMIT_SRUN),
            // Open OnDemand sessions are sbatch jobs: only their name tells them apart.
            Some(SubmitVerdict::Sbatch) => {
                return match e.name {
                    Some(n @ (NAME_OOD | NAME_JUPYTER)) => builtin(Interactive, n),
                    _ => builtin(Batch, SUBMIT_SBATCH),
                }
            }
            _ => {}
        }
        if steps.has(Step::Interactive) {
            return builtin(Interactive, STEP_INTERACTIVE);
        }
        if steps.has(Step::Batch) {
            return match e.name {
                Some(n @ (NAME_OOD | NAME_JUPYTER)) => builtin(Interactive, n),
                _ => builtin(Batch, STEP_BATCH),
            };
        }
        if steps.any() && (steps.has(Step::Numbered) || steps.has(Step::Extern)) {
            return builtin(Interactive, STEP_NO_BATCH);
        }
        if e.sched_submit {
            return builtin(Interactive, FLAG_SCHED_SUBMIT);
        }
        if let Some(n) = e.name {
            return builtin(Interactive, n);
        }
        match e.partition {
            Some(PARTITION_DEBUG) => builtin(Debug, PARTITION_DEBUG),
            Some(p) => builtin(Interactive, p),
            None => builtin(Batch, DEFAULT),
        }
    }
}

/// Which rule classified a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleRef<'a> {
    Site(usize),
    Builtin(&'a str),
}

impl Classifier {
    pub fn rule_name(&self, r: RuleRef<'_>) -> String {
        match r {
            RuleRef::Site(i) => self.rules[i].describe(i),
            RuleRef::Builtin(s) => s.to_string(),
        }
    }
}

fn submit_verdict(line: &str) -> Option<SubmitVerdict> {
    let mut words = line.split_ascii_whitespace();
    let first = words.next()?;
    let cmd = first.rsplit('/').next().unwrap_or(first);
    match cmd {
        "salloc" => Some(SubmitVerdict::Salloc),
        "sbatch" => Some(SubmitVerdict::Sbatch),
        "srun" => Some(if words.any(|w| w == "--pty" || w.starts_with("--pty=")) {
            SubmitVerdict::SrunPty
        } else {
            SubmitVerdict::Srun
        }),
        _ => None,
    }
}

fn name_verdict(name: &str) -> Option<&'static str> {
    match name {
        "interactive" | "no-shell" => Some(NAME_INTERACTIVE),
        "bash" | "sh" | "zsh" | "tcsh" | "csh" | "ksh" | "fish" => Some(NAME_SHELL),
        _ if name.starts_with("jupyter") => Some(NAME_JUPYTER),
        _ if is_ood(name) => Some(NAME_OOD),
        _ => None,
    }
}

/// `[portal/]sys/dashboard/(sys|dev|usr/<user>)/<app>`.
fn is_ood(name: &str) -> bool {
    let rest = match name.find("sys/dashboard/") {
        Some(i) if i == 0 || name[..i].ends_with('/') => &name[i + "sys/dashboard/".len()..],
        _ => return false,
    };
    rest.starts_with("sys/") || rest.starts_with("dev/") || rest.starts_with("usr/")
}

fn partition_verdict(p: &str) -> Option<&'static str> {
    match p {
        "debug" | "devel" | "devcore" | "test" => Some(PARTITION_DEBUG),
        "interactive" => Some(PARTITION_INTERACTIVE),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(name: &'a str, submit_line: &'a str, partition: &'a str) -> Facts<'a> {
        Facts { name, submit_line, partition, qos: "normal", flags: "" }
    }

    fn class_of(c: &Classifier, f: &Facts<'_>, steps: &[Step]) -> (JobClass, String) {
        let mut s = Steps::default();
        for &st in steps {
            s.add(st);
        }
        let (class, rule) = c.decide(&c.evidence(f), s);
        (class, c.rule_name(rule))
    }

    #[test]
    fn the_strongest_evidence_decides() {
        let c = Classifier::default();
        use JobClass::*;
        let cases: [(Facts<'_>, &[Step], JobClass, &str); 12] = [
            (facts("w35", "sbatch -p interactive --wrap=x", "interactive"), &[Step::Batch], Batch, SUBMIT_SBATCH),
            (facts("x", "salloc -n4", "batch"), &[], Interactive, SUBMIT_SALLOC),
            (facts("x", "/usr/bin/srun --pty bash", "batch"), &[Step::Numbered], Interactive, SUBMIT_SRUN_PTY),
            (facts("x", "srun -n1 sleep 1", "batch"), &[Step::Numbered], Interactive, SUBMIT_SRUN),
            (facts("sys/dashboard/sys/jupyter", "sbatch x.sh", "batch"), &[Step::Batch], Interactive, NAME_OOD),
            (facts("x", "", "batch"), &[Step::Interactive, Step::Extern], Interactive, STEP_INTERACTIVE),
            (facts("bash", "", "batch"), &[Step::Batch], Batch, STEP_BATCH),
            (facts("x", "", "batch"), &[Step::Extern, Step::Numbered], Interactive, STEP_NO_BATCH),
            (facts("bash", "", "batch"), &[], Interactive, NAME_SHELL),
            (facts("ondemand/sys/dashboard/usr/bob/app", "", "batch"), &[], Interactive, NAME_OOD),
            (facts("x", "", "devel"), &[], Debug, PARTITION_DEBUG),
            (facts("x", "", "batch"), &[], Batch, DEFAULT),
        ];
        for (f, steps, class, rule) in cases {
            assert_eq!(class_of(&c, &f, steps), (class, rule.to_string()), "{}", f.name);
        }
        let f = Facts { flags: "SchedSubmit,StartRecieved", ..facts("x", "", "batch") };
        assert_eq!(class_of(&c, &f, &[]).0, Interactive);
        assert_eq!(class_of(&c, &facts("dashboard", "", "batch"), &[]).0, Batch);
    }

    #[test]
    fn site_rules_come_first_and_all_their_conditions_must_hold() {
        let rule = Rule {
            partition: Some("interactive".into()),
            qos: None,
            name_regex: Some(Regex::new("^w").unwrap()),
            submit_regex: None,
            class: JobClass::Interactive,
        };
        let c = Classifier { rules: vec![rule] };
        let (class, rule) = class_of(&c, &facts("w35", "sbatch x", "interactive"), &[Step::Batch]);
        assert_eq!(class, JobClass::Interactive);
        assert_eq!(rule, "classify[0] (partition = \"interactive\", name_regex = \"^w\") -> interactive");
        assert_eq!(class_of(&c, &facts("v35", "sbatch x", "interactive"), &[]).0, JobClass::Batch);
        assert_eq!(class_of(&c, &facts("w35", "sbatch x", "batch"), &[]).0, JobClass::Batch);
    }
}
