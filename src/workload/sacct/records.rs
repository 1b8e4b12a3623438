//! From the bytes of an export to records of fields: the header or the given field list, the
//! delimiter, `--parsable`'s trailing delimiter, and the repair of records that `-P`'s lack of
//! escaping broke (a delimiter inside a free-text field, a submit line over several lines).

use std::io::{BufRead, Read};

use super::fields;
use crate::workload::swf::MAX_LINE_BYTES;

/// Free-text fields: the only ones that may hold a stray delimiter or a newline.
const FREE_TEXT: [&str; 12] = [
    "jobname",
    "constraints",
    "submitline",
    "comment",
    "admincomment",
    "systemcomment",
    "workdir",
    "extra",
    "stdout",
    "stderr",
    "stdin",
    "container",
];
/// Most physical lines one record may span before it is given up on.
const MAX_LINES_PER_RECORD: usize = 64;
/// Most extra delimiters a record may hold and still be repaired.
const MAX_EXTRA: usize = 8;
/// Most ways of spreading the extra delimiters over the free-text fields that are tried.
const MAX_CANDIDATES: usize = 4096;
/// Most share vectors enumerated while looking for those candidates.
const MAX_WAYS: u64 = 1 << 16;

/// What a field's value must look like, for the fields whose format is strict: the anchors
/// that tell where a free-text field ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    JobId,
    Date,
    Duration,
    Count,
    State,
    ExitCode,
    Tres,
    Memory,
}

fn anchor_of(name: &str) -> Option<Anchor> {
    Some(match name {
        "jobid" | "jobidraw" => Anchor::JobId,
        "submit" | "eligible" | "start" | "end" => Anchor::Date,
        "elapsed" | "timelimit" | "totalcpu" | "cputime" => Anchor::Duration,
        "ncpus" | "nnodes" | "reqcpus" | "reqnodes" | "alloccpus" | "allocnodes" | "uid" | "gid" | "elapsedraw"
        | "ntasks" => Anchor::Count,
        "state" => Anchor::State,
        "exitcode" | "derivedexitcode" => Anchor::ExitCode,
        "reqtres" | "alloctres" => Anchor::Tres,
        "reqmem" => Anchor::Memory,
        _ => return None,
    })
}

fn plausible(a: Anchor, v: &str) -> bool {
    if v.is_empty() {
        return true;
    }
    match a {
        Anchor::JobId => fields::jobid(v).is_ok(),
        Anchor::Date => fields::date(v).is_ok(),
        Anchor::Duration => fields::timelimit(v).is_ok() || fields::duration(v).is_ok(),
        Anchor::Count => fields::count(v).is_ok(),
        Anchor::State => {
            let base = v.split(' ').next().unwrap_or("");
            !base.is_empty() && base.bytes().all(|c| c.is_ascii_uppercase() || c == b'_' || c == b'+')
        }
        Anchor::ExitCode => {
            v.split_once(':').is_some_and(|(a, b)| fields::count(a).is_ok() && fields::count(b).is_ok())
        }
        Anchor::Tres => fields::tres(v).is_ok(),
        Anchor::Memory => fields::memory(v).is_ok(),
    }
}

/// The columns of an export and how they are separated.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Field names as given, in order.
    pub names: Vec<String>,
    pub delim: String,
    /// `--parsable`: every record ends with a delimiter.
    trailing: bool,
    free: Vec<usize>,
    anchors: Vec<(usize, Anchor)>,
}

impl Layout {
    pub fn new(names: Vec<String>, delim: String, trailing: bool) -> Layout {
        let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let free = (0..lower.len()).filter(|&i| FREE_TEXT.contains(&lower[i].as_str())).collect();
        let anchors = (0..lower.len()).filter_map(|i| anchor_of(&lower[i]).map(|a| (i, a))).collect();
        Layout { names, delim, trailing, free, anchors }
    }

    /// The column called `name` (case-insensitive).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n.eq_ignore_ascii_case(name))
    }

    /// The number of fields of a record.
    pub fn width(&self) -> usize {
        self.names.len()
    }
}

/// Occurrences of `d` in `s`. A one-byte delimiter (the usual `|` or tab) is counted byte by
/// byte, which the compiler vectorises: `str::matches` runs a general substring search, and
/// was a third of the reader's time.
fn count_delims(s: &str, d: &str) -> usize {
    match d.as_bytes() {
        [b] => s.bytes().filter(|c| c == b).count(),
        _ => s.matches(d).count(),
    }
}

/// Calls `at` with the byte offset of each `d` in `s`, in order (a one-byte delimiter is
/// ASCII, so it never matches inside a multi-byte character). `memchr` finds a byte several
/// at a time; a byte-by-byte loop was a sixth of the reader's time.
fn for_each_delim(s: &str, d: &str, mut at: impl FnMut(usize)) {
    match d.as_bytes() {
        [b] => memchr::memchr_iter(*b, s.as_bytes()).for_each(at),
        _ => s.match_indices(d).for_each(|(i, _)| at(i)),
    }
}

/// True when `line`, split by `delim`, is a header: it names a JobID column.
pub fn is_header(line: &str, delim: &str) -> bool {
    line.split(delim).any(|f| f.eq_ignore_ascii_case("JobID") || f.eq_ignore_ascii_case("JobIDRaw"))
}

/// The delimiter of a line: `|`, else a tab.
pub fn guess_delim(line: &str) -> Option<String> {
    if line.contains('|') {
        Some("|".into())
    } else if line.contains('\t') {
        Some("\t".into())
    } else {
        None
    }
}

/// One record's values, as spans of its text: a repaired field spans the delimiters and
/// newlines it holds.
#[derive(Clone, Copy, Debug)]
pub struct Fields<'a> {
    pub text: &'a str,
    pub spans: &'a [(usize, usize)],
}

impl<'a> Fields<'a> {
    pub fn get(&self, i: usize) -> &'a str {
        let (a, b) = self.spans[i];
        &self.text[a..b]
    }
}

/// One record, or what went wrong with it.
#[derive(Debug)]
pub enum Record<'a> {
    /// `repaired` says how the record was mended, if it was.
    Fields { line: u64, fields: Fields<'a>, repaired: Option<Repair> },
    /// A record whose fields cannot be told apart: its first line and its field count.
    Broken { line: u64, found: usize, expected: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repair {
    /// Lines joined: a newline inside a free-text field.
    Joined,
    /// Delimiters inside a free-text field taken back into it.
    Delimiters,
    Both,
}

/// Reads records one at a time from a stream, keeping one record's text in memory.
pub struct Records<R> {
    reader: R,
    layout: Layout,
    line_no: u64,
    /// The next physical line, read ahead to see whether a record continues.
    ahead: Option<u64>,
    ahead_text: String,
    text: String,
    next: String,
    tokens: Vec<(usize, usize)>,
    spans: Vec<(usize, usize)>,
    raw: Vec<u8>,
}

impl<R: BufRead> Records<R> {
    /// `line_no` is the number of lines already read (the header).
    pub fn new(reader: R, layout: Layout, line_no: u64) -> Records<R> {
        Records {
            reader,
            layout,
            line_no,
            ahead: None,
            ahead_text: String::new(),
            text: String::new(),
            next: String::new(),
            tokens: Vec::new(),
            spans: Vec::new(),
            raw: Vec::new(),
        }
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Reads the next non-empty physical line into `out` (replacing it), without its line end;
    /// its number, or `None` at the end of the input.
    fn physical(&mut self, into_next: bool) -> std::io::Result<Option<u64>> {
        let out = if into_next { &mut self.next } else { &mut self.text };
        if let Some(no) = self.ahead.take() {
            std::mem::swap(out, &mut self.ahead_text);
            return Ok(Some(no));
        }
        loop {
            self.raw.clear();
            let n = (&mut self.reader).take(MAX_LINE_BYTES + 1).read_until(b'\n', &mut self.raw)?;
            if n == 0 {
                return Ok(None);
            }
            self.line_no += 1;
            if n as u64 > MAX_LINE_BYTES {
                let message = format!("line {} is longer than {MAX_LINE_BYTES} bytes", self.line_no);
                return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, message));
            }
            let mut end = self.raw.len();
            if self.raw[..end].ends_with(b"\n") {
                end -= 1;
            }
            if self.raw[..end].ends_with(b"\r") {
                end -= 1;
            }
            if end == 0 {
                continue;
            }
            out.clear();
            match std::str::from_utf8(&self.raw[..end]) {
                Ok(s) => out.push_str(s),
                Err(_) => out.push_str(&String::from_utf8_lossy(&self.raw[..end])),
            }
            return Ok(Some(self.line_no));
        }
    }

    /// Field count of `s`, a `--parsable` trailing delimiter not counted.
    fn count(&self, s: &str) -> usize {
        let d = self.layout.delim.as_str();
        let mut n = count_delims(s, d) + 1;
        if self.layout.trailing && s.ends_with(d) {
            n -= 1;
        }
        n
    }

    fn whole_record(&self, s: &str) -> bool {
        self.count(s) >= self.layout.width()
            && s.split(self.layout.delim.as_str()).next().is_some_and(|j| fields::jobid(j).is_ok())
    }

    /// Splits `text` at every delimiter into `tokens`; the field count, a `--parsable`
    /// trailing delimiter not counted. One pass serves both: the count decides whether lines
    /// must be joined, which is rare, so the split is seldom thrown away.
    fn tokenize(&mut self) -> usize {
        let d = self.layout.delim.as_str();
        self.tokens.clear();
        let mut start = 0;
        let tokens = &mut self.tokens;
        for_each_delim(&self.text, d, |i| {
            tokens.push((start, i));
            start = i + d.len();
        });
        tokens.push((start, self.text.len()));
        let mut n = tokens.len();
        if self.layout.trailing && self.text.ends_with(d) {
            n -= 1;
        }
        n
    }

    /// The next record; `Ok(None)` at the end.
    pub fn next_record(&mut self) -> std::io::Result<Option<Record<'_>>> {
        let Some(first) = self.physical(false)? else {
            return Ok(None);
        };
        let n = self.layout.width();
        let mut found = self.tokenize();
        let mut joined = false;
        let mut lines = 1;
        while found < n {
            let Some(no) = self.physical(true)? else { break };
            // A line that is a whole record by itself starts the next record: this one was cut.
            lines += 1;
            if lines > MAX_LINES_PER_RECORD || self.whole_record(&self.next) {
                self.ahead = Some(no);
                std::mem::swap(&mut self.ahead_text, &mut self.next);
                break;
            }
            self.text.push('\n');
            self.text.push_str(&self.next);
            found = self.tokenize();
            joined = true;
        }
        if found < n {
            return Ok(Some(Record::Broken { line: first, found, expected: n }));
        }
        // `--parsable` ends each record with a delimiter (a noheader file may be in that form):
        // the empty token after it is not a field.
        if self.text.ends_with(self.layout.delim.as_str())
            && (self.layout.trailing || found > n)
            && self.tokens.len() > n
        {
            self.tokens.pop();
        }
        let repaired = if self.tokens.len() == n {
            self.spans.clear();
            self.spans.extend_from_slice(&self.tokens);
            joined.then_some(Repair::Joined)
        } else {
            if !self.spread() {
                return Ok(Some(Record::Broken { line: first, found: self.tokens.len(), expected: n }));
            }
            Some(if joined { Repair::Both } else { Repair::Delimiters })
        };
        Ok(Some(Record::Fields { line: first, fields: Fields { text: &self.text, spans: &self.spans }, repaired }))
    }

    /// Gives the extra tokens back to the free-text fields, trying every way of spreading them
    /// and keeping the one under which every strict field reads: `spans` is set when exactly
    /// one way works, else the record cannot be repaired.
    fn spread(&mut self) -> bool {
        let n = self.layout.width();
        let extra = self.tokens.len() - n;
        let free = &self.layout.free;
        if free.is_empty() || extra > MAX_EXTRA {
            return false;
        }
        let ways = (extra as u64 + 1).checked_pow(free.len() as u32);
        if ways.is_none_or(|w| w > MAX_WAYS) {
            return false;
        }
        let mut shares = vec![0usize; free.len()];
        let mut found: Option<Vec<(usize, usize)>> = None;
        let mut tried = 0;
        let mut spans = Vec::with_capacity(n);
        loop {
            if shares.iter().sum::<usize>() == extra {
                tried += 1;
                if tried > MAX_CANDIDATES {
                    return false;
                }
                spans.clear();
                let mut t = 0;
                for col in 0..n {
                    let width = free.iter().position(|&f| f == col).map_or(0, |k| shares[k]);
                    spans.push((self.tokens[t].0, self.tokens[t + width].1));
                    t += width + 1;
                }
                let ok = self.layout.anchors.iter().all(|&(col, a)| {
                    let (s, e) = spans[col];
                    plausible(a, &self.text[s..e])
                });
                if ok {
                    if found.is_some() {
                        // Two readings fit: guessing would misalign silently.
                        return false;
                    }
                    found = Some(spans.clone());
                }
            }
            // Next composition, odometer-style over shares in 0..=extra.
            let mut k = 0;
            loop {
                if k == shares.len() {
                    return match found {
                        Some(f) => {
                            self.spans = f;
                            true
                        }
                        None => false,
                    };
                }
                if shares[k] < extra {
                    shares[k] += 1;
                    break;
                }
                shares[k] = 0;
                k += 1;
            }
        }
    }
}
