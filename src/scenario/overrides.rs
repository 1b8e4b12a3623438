//! Scenario edits given on the command line: `--set KEY=VALUES` and
//! `--move-nodes FROM:TO=VALUES` read into [`Axis`]es, and one point's edits applied to the
//! scenario's TOML text.
//!
//! An edit rewrites the document (with `toml_edit`, keeping its layout, so an error's line
//! number is still the line of the user's file), and the edited text is parsed and validated
//! like any scenario: a value of the wrong type or unit, or a key the scenario does not know,
//! gets the scenario's own one-line message, prefixed by the edit. Unknown keys get the
//! nearest known one suggested.
//!
//! Keys are written as error messages print them: `cluster.nodes[2].count`,
//! `workload[1].rate.peak`, `policy.backfill`. An element of an array of tables can also be
//! chosen by its `name`: `cluster.nodes[inter].count`, `cluster.partitions[batch].max_walltime`.
//!
//! Values: a comma-separated list (`4,8,16`, `easy,conservative`, `30m,1h`; commas inside
//! `[...]`, `{...}` or quotes belong to the value) or an integer range `A..=B` or `A..=B:STEP`.
//! A value replacing a string stays a string; otherwise integers, floats and `true`/`false` are
//! read as such, `[...]` and `{...}` as TOML, anything else as a string.

use std::fmt;
use std::path::Path;

use toml_edit::{DocumentMut, Item, Table, Value};

use super::error::{ErrorKind, ScenarioError};
use super::schema::{parse, Scenario};

/// Most points one axis may have: far beyond any sweep a machine can run, small enough that a
/// typo in a range cannot exhaust memory.
pub const MAX_VALUES: usize = 100_000;

/// A bad `--set` or `--move-nodes`, or a point whose edited scenario is invalid.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The argument itself is malformed.
    #[error("{arg}: {message}")]
    Syntax { arg: String, message: String },
    /// The key or group does not exist in the scenario.
    #[error("{arg}: {message}")]
    Unknown { arg: String, message: String },
    /// The edited scenario does not validate.
    #[error("{edits}: {error}")]
    Invalid { edits: String, error: Box<ScenarioError> },
}

/// One step of a key path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
    /// The element of an array of tables whose `name` is this.
    Name(String),
}

/// A key path such as `cluster.nodes[inter].count`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySpec {
    pub text: String,
    pub steps: Vec<Step>,
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl KeySpec {
    /// Parses `a.b[2].c[name]`: keys of letters, digits, `_` and `-`, each followed by any
    /// number of `[index]` or `[name]` selectors.
    pub fn parse(text: &str) -> Result<KeySpec, String> {
        let bad = |why: &str| {
            Err(format!(
                "key {text:?}: {why} (keys are written like cluster.nodes[2].count or cluster.nodes[inter].count)"
            ))
        };
        if text.is_empty() {
            return bad("empty key");
        }
        let mut steps = Vec::new();
        for part in text.split('.') {
            let (key, mut rest) = match part.find('[') {
                Some(at) => part.split_at(at),
                None => (part, ""),
            };
            if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                return bad("each part needs a key name");
            }
            steps.push(Step::Key(key.to_string()));
            while !rest.is_empty() {
                let Some(close) = rest.find(']') else { return bad("a `[` is not closed") };
                let inner = &rest[1..close];
                if inner.is_empty() {
                    return bad("empty `[]`");
                }
                steps.push(match inner.parse::<usize>() {
                    Ok(i) => Step::Index(i),
                    Err(_) => Step::Name(inner.to_string()),
                });
                rest = &rest[close + 1..];
                if !rest.is_empty() && !rest.starts_with('[') {
                    return bad("unexpected text after `]`");
                }
            }
        }
        Ok(KeySpec { text: text.to_string(), steps })
    }
}

/// One assignment of a point: `key = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub key: KeySpec,
    pub value: String,
}

/// One swept dimension.
#[derive(Clone, Debug, PartialEq)]
pub enum Axis {
    /// `--set KEY=VALUES`.
    Set { key: KeySpec, values: Vec<String> },
    /// `--move-nodes FROM:TO=VALUES`: group `to` gets each value, `from` the rest of their
    /// total (`total`, the two groups' counts in the scenario).
    Move { from: String, to: String, total: u32, values: Vec<u32> },
}

impl Axis {
    /// The column name of the axis: its key, or for a move the key of the growing group.
    pub fn key(&self) -> String {
        match self {
            Axis::Set { key, .. } => key.text.clone(),
            Axis::Move { to, .. } => format!("cluster.nodes[{to}].count"),
        }
    }

    /// What a reader sees on a chart's axis.
    pub fn label(&self) -> String {
        match self {
            Axis::Set { key, .. } => key.text.clone(),
            Axis::Move { from, to, .. } => format!("{to} nodes (moved from {from})"),
        }
    }

    /// The values, as written.
    pub fn values(&self) -> Vec<String> {
        match self {
            Axis::Set { values, .. } => values.clone(),
            Axis::Move { values, .. } => values.iter().map(u32::to_string).collect(),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Axis::Set { values, .. } => values.len(),
            Axis::Move { values, .. } => values.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when every value is a number (a chart can then draw it on a numeric axis).
    pub fn numeric(&self) -> bool {
        self.values().iter().all(|v| v.parse::<f64>().is_ok_and(f64::is_finite))
    }

    /// The edits that give value number `i`.
    pub fn edits(&self, i: usize) -> Vec<Edit> {
        match self {
            Axis::Set { key, values } => vec![Edit { key: key.clone(), value: values[i].clone() }],
            Axis::Move { from, to, total, values } => {
                let group = |name: &str| KeySpec {
                    text: format!("cluster.nodes[{name}].count"),
                    steps: vec![
                        Step::Key("cluster".into()),
                        Step::Key("nodes".into()),
                        Step::Name(name.into()),
                        Step::Key("count".into()),
                    ],
                };
                vec![
                    Edit { key: group(to), value: values[i].to_string() },
                    Edit { key: group(from), value: (total - values[i]).to_string() },
                ]
            }
        }
    }
}

/// Reads `--set KEY=VALUES` against the scenario text `base` (the key's array elements must
/// exist; the values are checked when a point is built).
pub fn parse_set(arg: &str, base: &str) -> Result<Axis, EditError> {
    let syntax = |message: String| EditError::Syntax { arg: format!("--set {arg}"), message };
    let Some((key, values)) = arg.split_once('=') else {
        return Err(syntax("expected KEY=VALUES, e.g. policy.backfill=easy,conservative".into()));
    };
    let key = KeySpec::parse(key.trim()).map_err(syntax)?;
    let values = parse_values(values).map_err(syntax)?;
    // Resolving the path now names a missing array element before anything runs.
    let mut doc = document(base);
    locate(&mut doc, &key).map_err(|message| EditError::Unknown { arg: format!("--set {}", arg), message })?;
    Ok(Axis::Set { key, values })
}

/// Reads `--move-nodes FROM:TO=VALUES` (or, with `values_required` false, `FROM:TO` alone)
/// against the scenario text `base`. Returns the axis (its values empty when none were given).
pub fn parse_move(arg: &str, base: &str, values_required: bool) -> Result<Axis, EditError> {
    let flag = format!("--move-nodes {arg}");
    let syntax = |message: String| EditError::Syntax { arg: flag.clone(), message };
    let (groups, values) = match arg.split_once('=') {
        Some((g, v)) => (g, Some(v)),
        None => (arg, None),
    };
    let Some((from, to)) = groups.split_once(':') else {
        return Err(syntax("expected FROM:TO=VALUES with two node groups, e.g. cpu:inter=2..=12".into()));
    };
    let (from, to) = (from.trim(), to.trim());
    if from == to {
        return Err(syntax(format!("moves nodes from group {from:?} to itself")));
    }
    let counts = group_counts(base);
    let names = || counts.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
    let count = |g: &str| {
        counts.iter().find(|(n, _)| n == g).map(|&(_, c)| c).ok_or_else(|| EditError::Unknown {
            arg: flag.clone(),
            message: format!(
                "no node group {g:?} in the scenario (groups: {}){}",
                names(),
                suggest(g, counts.iter().map(|(n, _)| n.as_str()))
            ),
        })
    };
    let total = count(from)? + count(to)?;
    let values = match values {
        None if values_required => return Err(syntax("expected FROM:TO=VALUES, e.g. cpu:inter=2..=12".into())),
        None => Vec::new(),
        Some(v) => {
            let mut out = Vec::new();
            for text in parse_values(v).map_err(syntax)? {
                let Ok(n) = text.parse::<u32>() else {
                    return Err(syntax(format!("{text:?} is not a node count (expected whole numbers)")));
                };
                if n == 0 || n >= total {
                    return Err(syntax(format!(
                        "{to} = {n} leaves {from} with {} nodes: groups {from} and {to} have {total} nodes together, \
                         so {to} can have 1 to {} of them",
                        i64::from(total) - i64::from(n),
                        total - 1
                    )));
                }
                out.push(n);
            }
            out
        }
    };
    Ok(Axis::Move { from: from.to_string(), to: to.to_string(), total, values })
}

/// `(name, count)` of every `[[cluster.nodes]]` group of `text`, in order (groups without a
/// readable name or count are left out: validation reports them).
pub fn group_counts(text: &str) -> Vec<(String, u32)> {
    let doc = document(text);
    let Some(groups) = doc.get("cluster").and_then(|c| c.get("nodes")).and_then(Item::as_array_of_tables) else {
        return Vec::new();
    };
    groups
        .iter()
        .filter_map(|t| {
            let name = t.get("name")?.as_str()?.to_string();
            let count = u32::try_from(t.get("count")?.as_integer()?).ok()?;
            Some((name, count))
        })
        .collect()
}

/// Splits VALUES into its values: a top-level comma list or an integer range.
pub fn parse_values(text: &str) -> Result<Vec<String>, String> {
    let text = text.trim();
    if let Some((a, b)) = text.split_once("..=") {
        let (b, step) = match b.split_once(':') {
            Some((b, s)) => (b, s),
            None => (b, "1"),
        };
        let int = |s: &str, what: &str| {
            s.trim().parse::<i64>().map_err(|_| {
                format!(
                    "range {text:?}: the {what} {:?} is not a whole number (ranges are A..=B or A..=B:STEP)",
                    s.trim()
                )
            })
        };
        let (a, b, step) = (int(a, "start")?, int(b, "end")?, int(step, "step")?);
        if step <= 0 {
            return Err(format!("range {text:?}: the step must be at least 1"));
        }
        if a > b {
            return Err(format!("range {text:?} is empty: its start {a} is past its end {b}"));
        }
        // In i128: `b − a` of two i64 can overflow i64 (e.g. a range from i64::MIN to i64::MAX).
        let (a, b, step) = (i128::from(a), i128::from(b), i128::from(step));
        let n = (b - a) / step + 1;
        if n > MAX_VALUES as i128 {
            return Err(format!("range {text:?} has {n} values; at most {MAX_VALUES} are allowed"));
        }
        return Ok((0..n).map(|k| (a + k * step).to_string()).collect());
    }
    if text.contains("..") {
        return Err(format!("{text:?}: ranges are written A..=B or A..=B:STEP"));
    }
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0usize);
    for (i, c) in text.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            (_, Some(_)) => {}
            ('[' | '{', None) => depth += 1,
            (']' | '}', None) => depth -= 1,
            (',', None) if depth == 0 => {
                out.push(text[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(text[start..].trim().to_string());
    if out.iter().all(String::is_empty) {
        return Err("no values given (expected a list such as 4,8,16 or a range such as 2..=12)".into());
    }
    if let Some(i) = out.iter().position(String::is_empty) {
        return Err(format!("value {} of {text:?} is empty", i + 1));
    }
    if out.len() > MAX_VALUES {
        return Err(format!("{} values; at most {MAX_VALUES} are allowed", out.len()));
    }
    for (i, v) in out.iter().enumerate() {
        if out[..i].contains(v) {
            return Err(format!("value {v:?} is listed twice"));
        }
    }
    Ok(out)
}

/// The scenario text with `edits` applied (in order).
pub fn apply(base: &str, edits: &[Edit]) -> Result<String, EditError> {
    let mut doc = document(base);
    for e in edits {
        let slot = locate(&mut doc, &e.key)
            .map_err(|message| EditError::Unknown { arg: format!("{}={}", e.key, e.value), message })?;
        slot.set(&e.value).map_err(|message| EditError::Syntax { arg: format!("{}={}", e.key, e.value), message })?;
    }
    Ok(doc.to_string())
}

/// Applies `edits` to `base` and parses the result as the scenario file `origin`; an invalid
/// result names the edits, and an unknown key gets the nearest known one suggested.
pub fn edited(base: &str, origin: &Path, edits: &[Edit]) -> Result<Scenario, EditError> {
    let text = apply(base, edits)?;
    parse(&text, origin).map_err(|error| {
        let names = edits.iter().map(|e| format!("{}={}", e.key, e.value)).collect::<Vec<_>>().join(" ");
        let mut error = Box::new(error);
        if let ErrorKind::Invalid(msg) = error.kind.as_mut() {
            if let Some(hint) = unknown_key_hint(msg) {
                msg.push_str(&hint);
            }
        }
        EditError::Invalid { edits: names, error }
    })
}

/// For "unknown key `x` (expected one of a, b, c)", "; did you mean `b`?".
fn unknown_key_hint(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("unknown key `")?;
    let (name, tail) = rest.split_once('`')?;
    let list = tail.split_once("expected one of ")?.1.trim_end_matches(')');
    let hint = suggest(name, list.split(',').map(str::trim));
    (!hint.is_empty()).then_some(hint)
}

/// "; did you mean `x`?" for the candidate nearest to `name` (within a third of its length in
/// edits), or nothing.
fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let best = candidates.map(|c| (edit_distance(name, c), c)).min();
    match best {
        Some((d, c)) if d > 0 && d <= name.chars().count().div_ceil(3).max(1) => format!("; did you mean `{c}`?"),
        _ => String::new(),
    }
}

/// Levenshtein distance between two strings, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn document(text: &str) -> DocumentMut {
    // The scenario was parsed before any edit, so its text is valid TOML.
    text.parse().unwrap_or_default()
}

/// Where an edit writes: a key of a table (present or not) or an element of an inline array.
enum Slot<'a> {
    Table(&'a mut Table, String),
    Inline(&'a mut toml_edit::InlineTable, String),
    Element(&'a mut Value),
}

impl Slot<'_> {
    fn set(self, text: &str) -> Result<(), String> {
        match self {
            Slot::Table(t, key) => {
                let old = t.get(&key).and_then(Item::as_value);
                let mut v = typed(text, old)?;
                if let Some(old) = old {
                    *v.decor_mut() = old.decor().clone();
                }
                t.insert(&key, Item::Value(v));
            }
            Slot::Inline(t, key) => {
                let mut v = typed(text, t.get(&key))?;
                if let Some(old) = t.get(&key) {
                    *v.decor_mut() = old.decor().clone();
                }
                t.insert(&key, v);
            }
            Slot::Element(old) => {
                let mut v = typed(text, Some(old))?;
                *v.decor_mut() = old.decor().clone();
                *old = v;
            }
        }
        Ok(())
    }
}

/// The TOML value `text` stands for, replacing `old` (see the [module docs](self)).
fn typed(text: &str, old: Option<&Value>) -> Result<Value, String> {
    if matches!(old, Some(Value::String(_))) {
        return Ok(Value::from(text));
    }
    if text.starts_with(['[', '{']) {
        return text.parse::<Value>().map_err(|e| format!("{text:?} is not a TOML value: {}", e.to_string().trim()));
    }
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Value::from(i));
    }
    if let Ok(f) = text.parse::<f64>() {
        if f.is_finite() {
            return Ok(Value::from(f));
        }
    }
    match text {
        "true" => Ok(Value::from(true)),
        "false" => Ok(Value::from(false)),
        _ => Ok(Value::from(text)),
    }
}

/// The place `key` names in `doc`; tables on the way that are absent are created (validation
/// then reports a key the scenario does not know), array elements must exist.
fn locate<'a>(doc: &'a mut DocumentMut, key: &KeySpec) -> Result<Slot<'a>, String> {
    enum At<'a> {
        Table(&'a mut Table),
        Value(&'a mut Value),
        Tables(&'a mut toml_edit::ArrayOfTables),
    }
    let mut at = At::Table(doc.as_table_mut());
    let mut walked = String::new();
    let steps = &key.steps;
    for (i, step) in steps.iter().enumerate() {
        let last = i + 1 == steps.len();
        let here = if walked.is_empty() { "the scenario".to_string() } else { format!("`{walked}`") };
        at = match (at, step) {
            (At::Table(t), Step::Key(k)) => {
                if last {
                    return Ok(Slot::Table(t, k.clone()));
                }
                let next_is_key = matches!(steps[i + 1], Step::Key(_));
                if !t.contains_key(k) {
                    if !next_is_key {
                        let known: Vec<&str> = t.iter().map(|(k, _)| k).collect();
                        return Err(format!("{here} has no array `{k}`{}", suggest(k, known.into_iter())));
                    }
                    let mut new = Table::new();
                    new.set_implicit(true);
                    t.insert(k, Item::Table(new));
                }
                match t.get_mut(k).expect("present") {
                    Item::Table(t) => At::Table(t),
                    Item::ArrayOfTables(a) => At::Tables(a),
                    Item::Value(v) => At::Value(v),
                    Item::None => return Err(format!("{here}: `{k}` is empty")),
                }
            }
            (At::Value(Value::InlineTable(t)), Step::Key(k)) => {
                if last {
                    return Ok(Slot::Inline(t, k.clone()));
                }
                match t.get_mut(k) {
                    Some(v) => At::Value(v),
                    None => return Err(format!("{here} has no key `{k}`")),
                }
            }
            (At::Value(Value::Array(a)), Step::Index(n)) => {
                let len = a.len();
                match a.get_mut(*n) {
                    Some(v) if last => return Ok(Slot::Element(v)),
                    Some(v) => At::Value(v),
                    None => return Err(format!("{here} has {len} elements ([0] to [{}])", len.saturating_sub(1))),
                }
            }
            (At::Tables(a), Step::Index(n)) => {
                let len = a.len();
                match a.get_mut(*n) {
                    Some(t) if !last => At::Table(t),
                    Some(_) => return Err(format!("{here}[{n}] is a table: name one of its keys")),
                    None => return Err(format!("{here} has {len} elements ([0] to [{}])", len.saturating_sub(1))),
                }
            }
            (At::Tables(a), Step::Name(name)) => {
                let names: Vec<String> =
                    a.iter().filter_map(|t| t.get("name").and_then(Item::as_str).map(str::to_string)).collect();
                let Some(pos) = names.iter().position(|n| n == name) else {
                    return Err(format!(
                        "no element of {here} is named {name:?} (names: {}){}",
                        names.join(", "),
                        suggest(name, names.iter().map(String::as_str))
                    ));
                };
                if last {
                    return Err(format!("{here}[{name}] is a table: name one of its keys"));
                }
                At::Table(a.get_mut(pos).expect("found"))
            }
            (_, step) => {
                let what = match step {
                    Step::Key(k) => format!("key `{k}`"),
                    Step::Index(n) => format!("[{n}]"),
                    Step::Name(n) => format!("[{n}]"),
                };
                return Err(format!("{here} has no {what}: it is not a table or an array there"));
            }
        };
        if !walked.is_empty() && matches!(step, Step::Key(_)) {
            walked.push('.');
        }
        match step {
            Step::Key(k) => walked.push_str(k),
            Step::Index(n) => walked.push_str(&format!("[{n}]")),
            Step::Name(n) => walked.push_str(&format!("[{n}]")),
        }
    }
    Err(format!("key {:?} names no value", key.text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::DEFAULT_SCENARIO;

    fn origin() -> &'static Path {
        Path::new("default.toml")
    }

    #[test]
    fn values_are_lists_or_ranges() {
        assert_eq!(parse_values("4,8, 16").unwrap(), ["4", "8", "16"]);
        assert_eq!(parse_values("2..=6").unwrap(), ["2", "3", "4", "5", "6"]);
        assert_eq!(parse_values("2..=12:4").unwrap(), ["2", "6", "10"]);
        assert_eq!(
            parse_values("multifactor[age=1,fairshare=2],fcfs").unwrap(),
            ["multifactor[age=1,fairshare=2]", "fcfs"]
        );
        assert_eq!(parse_values("\"a,b\",c").unwrap(), ["\"a,b\"", "c"]);
        assert!(parse_values("12..=2").unwrap_err().contains("empty"));
        assert!(parse_values("2..=12:0").unwrap_err().contains("step"));
        assert!(parse_values("2..12").unwrap_err().contains("A..=B"));
        assert!(parse_values("").unwrap_err().contains("no values"));
        assert!(parse_values("1,,2").unwrap_err().contains("empty"));
        assert!(parse_values("1,2,1").unwrap_err().contains("twice"));
        assert!(parse_values("0..=1000000").unwrap_err().contains("at most"));
        // The widest ranges of whole numbers: too many values, not an overflow.
        let e = parse_values("-9223372036854775808..=9223372036854775807").unwrap_err();
        assert!(e.contains("18446744073709551616 values"), "{e}");
        assert!(parse_values("0..=9223372036854775807:1").unwrap_err().contains("at most"));
        assert_eq!(parse_values("9223372036854775806..=9223372036854775807").unwrap().len(), 2);
    }

    #[test]
    fn keys_parse_with_indices_and_names() {
        let k = KeySpec::parse("cluster.nodes[inter].count").unwrap();
        assert_eq!(
            k.steps,
            [
                Step::Key("cluster".into()),
                Step::Key("nodes".into()),
                Step::Name("inter".into()),
                Step::Key("count".into())
            ]
        );
        let k = KeySpec::parse("workload[1].walltime.values[0]").unwrap();
        assert_eq!(k.steps[1], Step::Index(1));
        assert_eq!(k.steps[4], Step::Index(0));
        assert!(KeySpec::parse("a..b").is_err());
        assert!(KeySpec::parse("a[1").is_err());
        assert!(KeySpec::parse("a[]").is_err());
    }

    #[test]
    fn an_edit_changes_exactly_its_value() {
        let edits = [
            Edit { key: KeySpec::parse("cluster.nodes[inter].count").unwrap(), value: "10".into() },
            Edit { key: KeySpec::parse("workload[1].rate.peak").unwrap(), value: "45".into() },
            Edit { key: KeySpec::parse("policy.backfill").unwrap(), value: "conservative".into() },
            Edit { key: KeySpec::parse("cluster.partitions[batch].max_walltime").unwrap(), value: "24h".into() },
        ];
        let s = edited(DEFAULT_SCENARIO, origin(), &edits).unwrap();
        let base = edited(DEFAULT_SCENARIO, origin(), &[]).unwrap();
        assert_eq!(s.cluster.nodes[2].count, 10);
        assert_eq!(s.policy.backfill, "conservative");
        assert_eq!(s.cluster.partitions[0].max_walltime.unwrap().0, crate::time::SimDuration::from_secs(86_400));
        let crate::scenario::schema::SourceKind::Interactive(c) = &s.workload[1].kind else { panic!("interactive") };
        assert_eq!(c.rate.peak, Some(45.0));
        // Nothing else moved.
        assert_eq!(s.cluster.nodes[0], base.cluster.nodes[0]);
        assert_eq!(s.run, base.run);
        assert_eq!(s.login, base.login);
    }

    #[test]
    fn a_move_keeps_the_total() {
        let axis = parse_move("cpu:inter=2,12", DEFAULT_SCENARIO, true).unwrap();
        let Axis::Move { total, .. } = &axis else { panic!("move") };
        assert_eq!(*total, 196);
        let s = edited(DEFAULT_SCENARIO, origin(), &axis.edits(1)).unwrap();
        assert_eq!((s.cluster.nodes[0].count, s.cluster.nodes[2].count), (184, 12));
        assert_eq!(axis.key(), "cluster.nodes[inter].count");
    }

    #[test]
    fn bad_edits_say_what_is_wrong() {
        let e = parse_move("cpu:gpu=2", DEFAULT_SCENARIO, true).unwrap_err().to_string();
        assert!(e.contains("no node group \"gpu\"") && e.contains("groups: cpu, dev, inter"), "{e}");
        let e = parse_move("cpu:inter=196", DEFAULT_SCENARIO, true).unwrap_err().to_string();
        assert!(e.contains("leaves cpu with 0 nodes"), "{e}");
        let e = parse_move("cpu:inter=300", DEFAULT_SCENARIO, true).unwrap_err().to_string();
        assert!(e.contains("leaves cpu with -104 nodes"), "{e}");
        let e = parse_set("cluster.nodes[gpu].count=4", DEFAULT_SCENARIO).unwrap_err().to_string();
        assert!(e.contains("named \"gpu\"") && e.contains("cpu, dev, inter"), "{e}");
        let e = parse_set("cluster.nodes[9].count=4", DEFAULT_SCENARIO).unwrap_err().to_string();
        assert!(e.contains("has 3 elements"), "{e}");
        let e = parse_set("cluster.nodez[1].count=4", DEFAULT_SCENARIO).unwrap_err().to_string();
        assert!(e.contains("did you mean `nodes`"), "{e}");
        // An unknown leaf key: the scenario's own message, with the nearest key.
        let axis = parse_set("run.lenght=1w", DEFAULT_SCENARIO).unwrap();
        let e = edited(DEFAULT_SCENARIO, origin(), &axis.edits(0)).unwrap_err().to_string();
        assert!(e.contains("unknown key `lenght`") && e.contains("did you mean `length`?"), "{e}");
        // The wrong unit and the wrong type.
        let axis = parse_set("run.length=5", DEFAULT_SCENARIO).unwrap();
        let e = edited(DEFAULT_SCENARIO, origin(), &axis.edits(0)).unwrap_err().to_string();
        assert!(e.starts_with("run.length=5: default.toml:") && e.contains("unit"), "{e}");
        let axis = parse_set("cluster.nodes[inter].count=many", DEFAULT_SCENARIO).unwrap();
        let e = edited(DEFAULT_SCENARIO, origin(), &axis.edits(0)).unwrap_err().to_string();
        assert!(e.contains("cluster.nodes[2].count") && e.contains("invalid type"), "{e}");
    }

    #[test]
    fn suggestions_need_a_near_name() {
        assert_eq!(edit_distance("lenght", "length"), 2);
        assert_eq!(suggest("lenght", ["length", "seed"].into_iter()), "; did you mean `length`?");
        assert_eq!(suggest("zzzzzz", ["length", "seed"].into_iter()), "");
    }
}
