//! Errors in scenario files. Every error names the file, the line, the key's path in the
//! document (e.g. `cluster.partitions[2].nodes[1]`) and what was expected, as one line:
//!
//! ```text
//! scenarios/x.toml:14: cluster.partitions[1].nodes[0]: no node or group "gpu9" (groups: cpu, gpu; nodes cpu1..cpu184, gpu1..gpu4)
//! ```
//!
//! Syntax, type, unit and unknown-key errors take their line from the TOML parser's span;
//! errors found after parsing (validation, building) take it from where their key path is
//! written in the document, found by walking a span-keeping parse ([`Locator`]).

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::policy::PolicyError;
use crate::workload::WorkloadError;

/// One step of a key path: a key in a table, or an index in an array (of tables).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Where a value sits in the document: `cluster.partitions[2].nodes[1]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    pub fn root() -> KeyPath {
        KeyPath(Vec::new())
    }

    /// Parses `a.b[2].c` (keys made of letters, digits, `_` and `-`).
    pub fn parse(text: &str) -> KeyPath {
        let mut segs = Vec::new();
        for part in text.split('.').filter(|p| !p.is_empty()) {
            let (key, rest) = match part.find('[') {
                Some(at) => part.split_at(at),
                None => (part, ""),
            };
            if !key.is_empty() {
                segs.push(Seg::Key(key.to_string()));
            }
            for idx in rest.split('[').filter(|s| !s.is_empty()) {
                match idx.trim_end_matches(']').parse() {
                    Ok(i) => segs.push(Seg::Index(i)),
                    Err(_) => segs.push(Seg::Key(idx.trim_end_matches(']').to_string())),
                }
            }
        }
        KeyPath(segs)
    }

    /// This path with `key` appended.
    pub fn key(&self, key: &str) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(key.to_string()));
        p
    }

    /// This path with `[index]` appended.
    pub fn index(&self, index: usize) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(index));
        p
    }

    /// This path followed by `other`.
    pub fn join(&self, other: &KeyPath) -> KeyPath {
        let mut p = self.clone();
        p.0.extend(other.0.iter().cloned());
        p
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    let bare = !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                    if bare {
                        f.write_str(k)?;
                    } else {
                        write!(f, "{k:?}")?;
                    }
                }
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl From<&serde_path_to_error::Path> for KeyPath {
    fn from(p: &serde_path_to_error::Path) -> KeyPath {
        use serde_path_to_error::Segment;
        KeyPath(
            p.iter()
                .filter_map(|s| match s {
                    Segment::Seq { index } => Some(Seg::Index(*index)),
                    Segment::Map { key } => Some(Seg::Key(key.clone())),
                    Segment::Enum { variant } => Some(Seg::Key(variant.clone())),
                    Segment::Unknown => None,
                })
                .collect(),
        )
    }
}

/// What is wrong, without the location (see [`ScenarioError`] for the whole message). Each
/// message includes any underlying error, which is therefore not chained as a `source`.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error("cannot read the scenario: {0}")]
    Io(std::io::Error),

    /// Not valid TOML.
    #[error("invalid TOML: {0}")]
    Syntax(String),

    /// A value of the wrong type or unit, an unknown or missing key (serde's message, reworded).
    #[error("{0}")]
    Invalid(String),

    /// A value out of its range; `expected` says what is allowed.
    #[error("expected {expected}, found {found}")]
    OutOfRange { expected: String, found: String },

    #[error("{what} {name:?} is defined twice (first at {first})")]
    Duplicate { what: &'static str, name: String, first: String },

    #[error("no node or group {name:?} (groups: {groups}; nodes {nodes})")]
    UnknownNode { name: String, groups: String, nodes: String },

    /// A partition or source asking for more nodes, or bigger nodes, than exist.
    #[error("{0}")]
    PoolTooLarge(String),

    #[error("no partition {name:?} (partitions: {known})")]
    UnknownPartition { name: String, known: String },

    #[error("{0}")]
    Policy(Box<PolicyError>),

    /// `what`: "does not exist", or what the path is instead of a regular file.
    #[error("trace file {} {what} (paths are relative to the scenario's folder)", file.display())]
    TraceUnusable { file: PathBuf, what: &'static str },

    /// The scenario path is a folder (see [`crate::workload::wrong_kind`]).
    #[error("{0}")]
    WrongKind(&'static str),

    #[error("cannot read the trace: {0}")]
    Trace(Box<WorkloadError>),

    #[error(
        "warm-up {warmup} is not shorter than the run length {length}; expected a warm-up shorter than `run.length`"
    )]
    WarmupTooLong { warmup: String, length: String },

    #[error("{0}")]
    Source(String),
}

/// A scenario that cannot be loaded, validated or built: where and why.
#[derive(Debug)]
pub struct ScenarioError {
    pub file: PathBuf,
    /// 1-based line, when the problem has a place in the file.
    pub line: Option<usize>,
    /// Key path of the offending value (empty for the document as a whole).
    pub path: KeyPath,
    pub kind: Box<ErrorKind>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if !self.path.is_empty() {
            write!(f, "{}: ", crate::echo::cut(&self.path.to_string(), crate::echo::MESSAGE_CHARS))?;
        }
        write!(f, "{}", crate::echo::cut(&self.kind.to_string(), crate::echo::MESSAGE_CHARS))
    }
}

/// The message is complete in itself (it includes the underlying I/O, trace or policy error),
/// so no `source` is chained: `anyhow`'s `{:#}` prints it once.
impl std::error::Error for ScenarioError {}

impl ScenarioError {
    /// The error's line, or 0 when it has none (for tests and sorting).
    pub fn line_or_zero(&self) -> usize {
        self.line.unwrap_or(0)
    }
}

/// An error found by validation: the path and the problem, before a line is attached.
pub type Problem = (KeyPath, ErrorKind);

/// Shorthand for an out-of-range problem.
pub fn out_of_range(path: KeyPath, expected: impl Into<String>, found: impl fmt::Display) -> Problem {
    (path, ErrorKind::OutOfRange { expected: expected.into(), found: crate::echo::echo(&found.to_string()) })
}

/// 1-based line of byte offset `at` in `text`.
pub fn line_of_offset(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Finds where key paths are written in a document.
pub struct Locator<'a> {
    text: &'a str,
    doc: Option<toml_edit::ImDocument<&'a str>>,
}

enum Node<'a> {
    Item(&'a toml_edit::Item),
    Table(&'a toml_edit::Table),
    Value(&'a toml_edit::Value),
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str) -> Locator<'a> {
        Locator { text, doc: toml_edit::ImDocument::parse(text).ok() }
    }

    /// The byte range where the deepest existing prefix of `path` is written: the key for a
    /// table entry, the element for an array index, the header for a table of an array.
    pub fn span(&self, path: &KeyPath) -> Option<Range<usize>> {
        let doc = self.doc.as_ref()?;
        let mut node = Node::Item(doc.as_item());
        let mut best: Option<Range<usize>> = None;
        for seg in &path.0 {
            let next = match (seg, &node) {
                (Seg::Key(k), _) => {
                    let table: Option<&dyn toml_edit::TableLike> = match node {
                        Node::Item(i) => i.as_table_like(),
                        Node::Table(t) => Some(t),
                        Node::Value(v) => v.as_inline_table().map(|t| t as &dyn toml_edit::TableLike),
                    };
                    let Some((key, item)) = table.and_then(|t| t.get_key_value(k)) else { break };
                    if let Some(s) = key.span().or_else(|| item.span()) {
                        best = Some(s);
                    }
                    Node::Item(item)
                }
                (Seg::Index(i), Node::Item(item)) => {
                    if let Some(aot) = item.as_array_of_tables() {
                        let Some(t) = aot.get(*i) else { break };
                        if let Some(s) = t.span() {
                            best = Some(s);
                        }
                        Node::Table(t)
                    } else if let Some(arr) = item.as_array() {
                        let Some(v) = arr.get(*i) else { break };
                        if let Some(s) = v.span() {
                            best = Some(s);
                        }
                        Node::Value(v)
                    } else {
                        break;
                    }
                }
                (Seg::Index(i), Node::Value(v)) => {
                    let Some(v) = v.as_array().and_then(|a| a.get(*i)) else { break };
                    if let Some(s) = v.span() {
                        best = Some(s);
                    }
                    Node::Value(v)
                }
                (Seg::Index(_), Node::Table(_)) => break,
            };
            node = next;
        }
        best
    }

    /// The line where `path` (or its deepest existing prefix) is written; 1 when nothing of
    /// it is in the document.
    pub fn line(&self, path: &KeyPath) -> usize {
        self.span(path).map_or(1, |s| line_of_offset(self.text, s.start))
    }

    /// A located error for `problem` in `file`.
    pub fn error(&self, file: &Path, problem: Problem) -> ScenarioError {
        let (path, kind) = problem;
        ScenarioError { file: file.to_path_buf(), line: Some(self.line(&path)), path, kind: Box::new(kind) }
    }
}

/// Rewords serde's and toml's messages for people who write TOML: "key" rather than "field",
/// backquotes dropped from lists, one line.
pub fn reword(message: &str) -> String {
    let mut msg = message.trim().replace('\n', "; ");
    // serde names Rust types; say what to write instead.
    for (rust, plain) in [
        ("expected u8", "expected a whole number ≥ 0"),
        ("expected u16", "expected a whole number ≥ 0"),
        ("expected u32", "expected a whole number ≥ 0"),
        ("expected u64", "expected a whole number ≥ 0"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
    ] {
        if let Some(at) = msg.find(rust) {
            if !msg[at + rust.len()..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
                msg.replace_range(at..at + rust.len(), plain);
            }
        }
    }
    for rust in ["expected struct ", "expected internally tagged enum "] {
        if let Some(at) = msg.find(rust) {
            let from = at + rust.len();
            let end = msg[from..].find(|c: char| !c.is_ascii_alphanumeric()).map_or(msg.len(), |e| from + e);
            msg.replace_range(at..end, "expected a table (a [section] or { key = value, ... })");
        }
    }
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let (name, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = tail.trim_start_matches(',').trim().replace('`', "");
        return if expected.starts_with("there are no fields") || expected.is_empty() {
            format!("unknown key `{name}`; this table takes no keys")
        } else {
            format!("unknown key `{name}` ({expected})")
        };
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        return format!("missing key `{name}`");
    }
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let (name, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = tail.trim_start_matches(',').trim().replace('`', "");
        return format!("unknown value {name:?} ({expected})");
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_type_names_become_words() {
        assert_eq!(
            reword("invalid type: string \"x\", expected u32"),
            "invalid type: string \"x\", expected a whole number ≥ 0"
        );
        assert_eq!(
            reword("invalid type: integer `3`, expected struct ClusterSpec"),
            "invalid type: integer `3`, expected a table (a [section] or { key = value, ... })"
        );
        assert_eq!(
            reword("invalid type: integer `5`, expected internally tagged enum DurationDist"),
            "invalid type: integer `5`, expected a table (a [section] or { key = value, ... })"
        );
        assert_eq!(reword("expected f64"), "expected a number");
        // Only whole names: `u32x` is no type.
        assert_eq!(reword("expected u32x"), "expected u32x");
    }

    #[test]
    fn key_paths_print_and_parse() {
        let p = KeyPath::root().key("cluster").key("partitions").index(2).key("nodes").index(1);
        assert_eq!(p.to_string(), "cluster.partitions[2].nodes[1]");
        assert_eq!(KeyPath::parse("cluster.partitions[2].nodes[1]"), p);
        assert_eq!(KeyPath::root().key("a b").to_string(), "\"a b\"");
    }

    #[test]
    fn locator_finds_keys_elements_and_tables_of_arrays() {
        let text = "name = \"x\"\n[cluster]\n[[cluster.partitions]]\nname = \"a\"\n\
                    [[cluster.partitions]]\nname = \"b\"\nnodes = [\n  \"cpu\",\n  \"gpu9\",\n]\n\
                    limits = { walltime = \"1h\" }\n";
        let loc = Locator::new(text);
        let line = |p: &str| loc.line(&KeyPath::parse(p));
        assert_eq!(line("name"), 1);
        assert_eq!(line("cluster"), 2);
        assert_eq!(line("cluster.partitions[0]"), 3);
        assert_eq!(line("cluster.partitions[0].name"), 4);
        assert_eq!(line("cluster.partitions[1]"), 5);
        assert_eq!(line("cluster.partitions[1].nodes"), 7);
        assert_eq!(line("cluster.partitions[1].nodes[1]"), 9);
        assert_eq!(line("cluster.partitions[1].limits.walltime"), 11);
        // A missing key falls back to the deepest prefix that exists.
        assert_eq!(line("cluster.partitions[1].max_nodes"), 5);
        assert_eq!(line("nothing.here"), 1);
    }

    #[test]
    fn serde_messages_are_reworded() {
        assert_eq!(
            reword("unknown field `lenght`, expected `length` or `seed`"),
            "unknown key `lenght` (expected length or seed)"
        );
        assert_eq!(reword("missing field `length`"), "missing key `length`");
        assert_eq!(reword("invalid string\nexpected `\"`"), "invalid string; expected `\"`");
    }
}
