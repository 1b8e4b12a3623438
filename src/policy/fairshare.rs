//! Slurm's fair-share: an association tree (accounts, with users as leaves), usage charged in
//! billing units × seconds and decayed with a half-life, and the two ways Slurm turns usage
//! and shares into a factor in [0, 1]: classic (`2^(−U_E/S/d)`) and Fair Tree (Level FS
//! ranking). Formulas and their sources: `slurm-spec.md` §A.4–§A.6.

use std::collections::BTreeMap;

/// Index of an association in its [`Tree`]; 0 is the root.
pub type Assoc = usize;

/// One account's fair-share state at one instant, as `fairshare.csv` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareRow {
    pub time: crate::time::SimTime,
    pub account: String,
    /// Decayed usage of the account and everything below it, core-seconds.
    pub usage: f64,
    /// Mean fair-share factor of the user associations below it.
    pub factor: f64,
}

use crate::workload::AccountSpec;

/// The accounts a run knows: the names jobs refer to ([`crate::workload::Job::account`]
/// indexes them) and the tree a scenario declares.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Accounts {
    pub names: Vec<String>,
    pub tree: Vec<AccountSpec>,
}

impl Tree {
    /// The declared accounts under the root (parents first), then every other name under the
    /// root with 1 share. Returns each name's association. `tree` must pass [`check_accounts`].
    pub fn from_accounts(accounts: &Accounts) -> (Tree, BTreeMap<String, Assoc>) {
        let mut t = Tree::default();
        let mut ids: BTreeMap<String, Assoc> = BTreeMap::new();
        let mut left: Vec<&AccountSpec> = accounts.tree.iter().collect();
        while !left.is_empty() {
            let before = left.len();
            left.retain(|a| {
                let parent = match a.parent.as_deref() {
                    None | Some("root") => Some(Tree::ROOT),
                    Some(p) => ids.get(p).copied(),
                };
                match parent {
                    Some(p) => {
                        ids.insert(a.name.clone(), t.add(p, a.shares, false));
                        false
                    }
                    None => true,
                }
            });
            assert!(left.len() < before, "account tree not checked: a parent is missing or a cycle");
        }
        for n in &accounts.names {
            if !ids.contains_key(n) {
                ids.insert(n.clone(), t.add(Tree::ROOT, 1.0, false));
            }
        }
        (t, ids)
    }
}

/// Why an account tree cannot be built; `index` is the offending `[[accounts]]` entry.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AccountError {
    #[error("expected an account name, found \"\"")]
    EmptyName { index: usize },
    #[error("account {name:?} is defined twice")]
    Duplicate { index: usize, name: String },
    #[error("unknown parent account {parent:?}: expected \"root\" or one of the accounts defined")]
    UnknownParent { index: usize, parent: String },
    #[error("account {name:?} is its own ancestor (a cycle in the account tree)")]
    Cycle { index: usize, name: String },
    #[error("expected shares >= 0, found {shares}")]
    NegativeShares { index: usize, shares: f64 },
}

impl AccountError {
    /// The `[[accounts]]` entry at fault.
    pub fn index(&self) -> usize {
        match *self {
            AccountError::EmptyName { index }
            | AccountError::Duplicate { index, .. }
            | AccountError::UnknownParent { index, .. }
            | AccountError::Cycle { index, .. }
            | AccountError::NegativeShares { index, .. } => index,
        }
    }

    /// The key of the entry at fault.
    pub fn key(&self) -> &'static str {
        match self {
            AccountError::EmptyName { .. } | AccountError::Duplicate { .. } => "name",
            AccountError::UnknownParent { .. } | AccountError::Cycle { .. } => "parent",
            AccountError::NegativeShares { .. } => "shares",
        }
    }
}

/// Checks a declared account tree: names unique and non-empty, shares not negative, every
/// parent declared (or `root`), no account its own ancestor.
pub fn check_accounts(specs: &[AccountSpec]) -> Result<(), AccountError> {
    let mut by_name: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, a) in specs.iter().enumerate() {
        if a.name.is_empty() {
            return Err(AccountError::EmptyName { index });
        }
        if a.shares < 0.0 || !a.shares.is_finite() {
            return Err(AccountError::NegativeShares { index, shares: a.shares });
        }
        if by_name.insert(&a.name, index).is_some() || a.name == "root" {
            return Err(AccountError::Duplicate { index, name: a.name.clone() });
        }
    }
    for (index, a) in specs.iter().enumerate() {
        if let Some(p) = a.parent.as_deref().filter(|&p| p != "root") {
            if !by_name.contains_key(p) {
                return Err(AccountError::UnknownParent { index, parent: p.to_string() });
            }
        }
        // Walk up at most as many steps as there are accounts: more means a loop.
        let mut at = a;
        for _ in 0..=specs.len() {
            match at.parent.as_deref().filter(|&p| p != "root") {
                None => break,
                Some(p) if p == a.name => return Err(AccountError::Cycle { index, name: a.name.clone() }),
                Some(p) => at = &specs[by_name[p]],
            }
        }
    }
    Ok(())
}

#[derive(Clone, Debug)]
struct Node {
    parent: Option<Assoc>,
    shares: f64,
    user: bool,
    children: Vec<Assoc>,
    /// Decayed usage of this association and everything below it, billing-seconds.
    usage: f64,
}

/// The association tree with each association's decayed usage.
#[derive(Clone, Debug)]
pub struct Tree {
    nodes: Vec<Node>,
}

impl Default for Tree {
    fn default() -> Self {
        Tree { nodes: vec![Node { parent: None, shares: 1.0, user: false, children: Vec::new(), usage: 0.0 }] }
    }
}

impl Tree {
    pub const ROOT: Assoc = 0;

    /// Adds an account (`user == false`) or a user association under `parent`.
    ///
    /// # Panics
    /// If `parent` is a user: users are leaves (the scenario reader checks this).
    pub fn add(&mut self, parent: Assoc, shares: f64, user: bool) -> Assoc {
        assert!(!self.nodes[parent].user, "a user association cannot have children");
        let id = self.nodes.len();
        self.nodes.push(Node { parent: Some(parent), shares, user, children: Vec::new(), usage: 0.0 });
        self.nodes[parent].children.push(id);
        id
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// The user associations at or below `a`.
    pub fn users_below(&self, a: Assoc) -> Vec<Assoc> {
        let mut out = Vec::new();
        let mut stack = vec![a];
        while let Some(n) = stack.pop() {
            if self.nodes[n].user {
                out.push(n);
            }
            stack.extend(self.nodes[n].children.iter().rev());
        }
        out
    }

    pub fn usage(&self, a: Assoc) -> f64 {
        self.nodes[a].usage
    }

    /// Charges `amount` to `a` and every ancestor up to the root, as Slurm does.
    pub fn charge(&mut self, a: Assoc, amount: f64) {
        let mut at = Some(a);
        while let Some(i) = at {
            self.nodes[i].usage += amount;
            at = self.nodes[i].parent;
        }
    }

    /// Multiplies every usage by `factor` (the decay over an interval).
    pub fn decay(&mut self, factor: f64) {
        for n in &mut self.nodes {
            n.usage *= factor;
        }
    }

    /// Forgets all usage (`PriorityUsageResetPeriod`).
    pub fn reset(&mut self) {
        for n in &mut self.nodes {
            n.usage = 0.0;
        }
    }

    /// Classic fair-share factor of every association: `F = 2^(−(U_E/S)/d)`, with normalised
    /// shares `S` the product of `shares/level_shares` up the path, normalised usage `U` the
    /// usage over the root's (at most 1), and effective usage `U_E = U` on the first level,
    /// `U + (U_E,parent − U) × shares/level_shares` below it.
    pub fn classic(&self, dampening: f64) -> Vec<f64> {
        let n = self.nodes.len();
        let root_usage = self.nodes[Self::ROOT].usage;
        let mut s = vec![1.0; n];
        let mut ue = vec![0.0; n];
        let mut f = vec![0.0; n];
        // Each parent's children's shares, summed once (per child it was n² on a flat tree).
        let level_of: Vec<f64> =
            self.nodes.iter().map(|p| p.children.iter().map(|&c| self.nodes[c].shares).sum()).collect();
        // Parents come before children in `nodes` (added under existing ones): one pass.
        for a in 1..n {
            let node = &self.nodes[a];
            let p = node.parent.expect("only the root has no parent");
            let level = level_of[p];
            let ratio = if level > 0.0 { node.shares / level } else { 0.0 };
            s[a] = s[p] * ratio;
            let u = if root_usage > 0.0 { (node.usage / root_usage).min(1.0) } else { 0.0 };
            ue[a] = if p == Self::ROOT {
                u
            } else if level > 0.0 {
                u + (ue[p] - u) * ratio
            } else {
                ue[p]
            };
            f[a] = if s[a] > 0.0 { 2f64.powf(-(ue[a] / s[a]) / dampening) } else { 0.0 };
        }
        f
    }

    /// Fair Tree factor of every user association (0 for accounts): users ranked by Level FS
    /// (`LF = S/U` among siblings, `S = shares/level_shares`, `U = usage/parent usage`), depth
    /// first, higher LF first, users before accounts on equal LF; the best user gets 1 and each
    /// next rank 1/N less, users of equal LF sharing a rank. Tied sibling accounts are visited
    /// one after the other, as Slurm's code does (spec §A.6), not merged as its documentation
    /// says.
    pub fn fair_tree(&self) -> Vec<f64> {
        let users = self.nodes.iter().filter(|n| n.user).count();
        let mut f = vec![0.0; self.nodes.len()];
        if users == 0 {
            return f;
        }
        let mut walk = Walk { rank: users, rnt: users, n: users as f64 };
        self.visit(&self.nodes[Self::ROOT].children, false, &mut walk, &mut f);
        f
    }

    /// Level FS of `a`, whose siblings' shares sum to `level` (summed once per sibling group
    /// by the caller: summing them for each sibling made a flat tree of n users cost n² per
    /// recalculation, half of a multifactor run on HPC2N).
    fn level_fs(&self, a: Assoc, level: f64) -> f64 {
        let node = &self.nodes[a];
        let s = if level > 0.0 { node.shares / level } else { 0.0 };
        if s == 0.0 {
            return 0.0;
        }
        let parent_usage = node.parent.map_or(0.0, |p| self.nodes[p].usage);
        let u = if parent_usage > 0.0 { node.usage / parent_usage } else { 0.0 };
        // U = 0 gives +inf, which Slurm keeps: an idle association ranks first.
        s / u
    }

    fn visit(&self, siblings: &[Assoc], parent_tied: bool, walk: &mut Walk, f: &mut [f64]) {
        // The siblings are their parent's children: their shares' sum is each one's
        // level_shares, added in the order `classic` adds them.
        let level: f64 = siblings.iter().map(|&c| self.nodes[c].shares).sum();
        let mut ranked: Vec<(f64, Assoc)> = siblings.iter().map(|&a| (self.level_fs(a, level), a)).collect();
        // Higher LF first; users before accounts on equal LF; then tree order, for determinism.
        ranked.sort_by(|x, y| {
            y.0.total_cmp(&x.0).then(self.nodes[y.1].user.cmp(&self.nodes[x.1].user)).then(x.1.cmp(&y.1))
        });
        let mut prev: Option<f64> = None;
        for (i, &(lf, a)) in ranked.iter().enumerate() {
            let tied = (i == 0 && parent_tied) || prev == Some(lf);
            if self.nodes[a].user {
                if !tied {
                    walk.rank = walk.rnt;
                }
                f[a] = walk.rank as f64 / walk.n;
                walk.rnt -= 1;
            } else {
                self.visit(&self.nodes[a].children, tied, walk, f);
            }
            prev = Some(lf);
        }
    }
}

struct Walk {
    rank: usize,
    rnt: usize,
    n: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(name: &str, parent: Option<&str>, shares: f64) -> AccountSpec {
        AccountSpec { name: name.into(), parent: parent.map(Into::into), shares, users: Vec::new() }
    }

    #[test]
    fn bad_account_trees_are_refused_naming_the_entry() {
        let ok = [acct("a", None, 40.0), acct("b", Some("a"), 30.0), acct("c", Some("root"), 0.0)];
        assert_eq!(check_accounts(&ok), Ok(()));
        let e = check_accounts(&[acct("a", None, 1.0), acct("b", Some("x"), 1.0)]).unwrap_err();
        assert_eq!((e.index(), e.key()), (1, "parent"));
        assert!(e.to_string().starts_with("unknown parent account \"x\""));
        let cycle = [acct("top", None, 1.0), acct("a", Some("b"), 1.0), acct("b", Some("a"), 1.0)];
        let e = check_accounts(&cycle).unwrap_err();
        assert_eq!(e, AccountError::Cycle { index: 1, name: "a".into() });
        let e = check_accounts(&[acct("a", Some("a"), 1.0)]).unwrap_err();
        assert_eq!(e, AccountError::Cycle { index: 0, name: "a".into() });
        let e = check_accounts(&[acct("a", None, -2.0)]).unwrap_err();
        assert_eq!((e.index(), e.key()), (0, "shares"));
        let e = check_accounts(&[acct("a", None, 1.0), acct("a", None, 1.0)]).unwrap_err();
        assert_eq!(e, AccountError::Duplicate { index: 1, name: "a".into() });
    }

    /// The example of Slurm's classic_fair_share page: A 40 (B 30: user 1; C 10: users 2, 3)
    /// and D 60 (E 25: user 4; F 35: user 5); usage user 1 0.2, user 2 0.25, user 4 0.25 of
    /// the machine (the remaining 0.3 charged to nobody in the tree is left out: U is
    /// relative to the root, so the users' usages are scaled to sum with it).
    fn doc_example() -> (Tree, [Assoc; 5]) {
        let mut t = Tree::default();
        let a = t.add(Tree::ROOT, 40.0, false);
        let d = t.add(Tree::ROOT, 60.0, false);
        let b = t.add(a, 30.0, false);
        let c = t.add(a, 10.0, false);
        let e = t.add(d, 25.0, false);
        let ff = t.add(d, 35.0, false);
        let u1 = t.add(b, 1.0, true);
        let u2 = t.add(c, 1.0, true);
        let u3 = t.add(c, 1.0, true);
        let u4 = t.add(e, 1.0, true);
        let u5 = t.add(ff, 1.0, true);
        // Root usage 1.0 in all, so U equals the usage: 0.3 of it from outside these users.
        t.charge(u1, 0.2);
        t.charge(u2, 0.25);
        t.charge(u4, 0.25);
        t.nodes[Tree::ROOT].usage = 1.0;
        (t, [u1, u2, u3, u4, u5])
    }

    #[test]
    fn classic_reproduces_the_slurm_documentation_example() {
        let (t, u) = doc_example();
        let f = t.classic(1.0);
        // The page's figures, rounded there to six places.
        let want = [0.408479, 0.022097, 0.125000, 0.500000];
        for (i, (&a, w)) in u.iter().zip(want).enumerate() {
            assert!((f[a] - w).abs() < 1e-6, "user {}: {} against {w}", i + 1, f[a]);
        }
        // User 5: the page rounds U_E = 0.25 × 35/60 to 0.1458 before the power (0.749154).
        assert!((f[u[4]] - 2f64.powf(-(0.25 * 35.0 / 60.0) / 0.35)).abs() < 1e-12);
        assert!((f[u[4]] - 0.749154).abs() < 1e-4);
        // The dampening factor divides the exponent: user 1 with d = 2.
        assert!((t.classic(2.0)[u[0]] - 2f64.powf(-0.3875 / 0.3 / 2.0)).abs() < 1e-12);
    }

    #[test]
    fn fair_tree_ranks_users_by_level_fs_down_the_tree() {
        // root: A 1 share (used 30), B 1 share (used 10). A: users a1 (20), a2 (10); B: b1 (10),
        // b2 (0). LF(A) = 0.5/0.75, LF(B) = 0.5/0.25: B's users first. In B, b2 is idle (LF inf)
        // then b1; in A, a2 (0.5/(1/3)) before a1 (0.5/(2/3)). N = 4: 1, 3/4, 2/4, 1/4.
        let mut t = Tree::default();
        let a = t.add(Tree::ROOT, 1.0, false);
        let b = t.add(Tree::ROOT, 1.0, false);
        let a1 = t.add(a, 1.0, true);
        let a2 = t.add(a, 1.0, true);
        let b1 = t.add(b, 1.0, true);
        let b2 = t.add(b, 1.0, true);
        t.charge(a1, 20.0);
        t.charge(a2, 10.0);
        t.charge(b1, 10.0);
        let f = t.fair_tree();
        assert_eq!([f[b2], f[b1], f[a2], f[a1]], [1.0, 0.75, 0.5, 0.25]);
        assert_eq!((f[a], f[b]), (0.0, 0.0), "accounts get no factor of their own");
    }

    #[test]
    fn fair_tree_gives_tied_users_one_rank() {
        let mut t = Tree::default();
        let a = t.add(Tree::ROOT, 1.0, false);
        let u: Vec<Assoc> = (0..3).map(|_| t.add(a, 1.0, true)).collect();
        t.charge(u[0], 5.0);
        t.charge(u[1], 5.0);
        t.charge(u[2], 1.0);
        let f = t.fair_tree();
        // u2 first (less used); u0 and u1 tie at the next rank, 2/3; nobody gets 1/3.
        assert_eq!([f[u[2]], f[u[0]], f[u[1]]], [1.0, 2.0 / 3.0, 2.0 / 3.0]);
    }

    #[test]
    fn usage_is_summed_up_the_tree_and_decays_everywhere() {
        let (mut t, u) = doc_example();
        let before = t.usage(Tree::ROOT);
        t.charge(u[2], 0.5);
        assert_eq!(t.usage(Tree::ROOT), before + 0.5);
        t.decay(0.5);
        assert_eq!(t.usage(u[2]), 0.25);
        t.reset();
        assert_eq!(t.usage(Tree::ROOT), 0.0);
    }
}
