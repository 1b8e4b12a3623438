//! The formats of single sacct fields (`slurm-spec.md` §D.2, §D.3): dates, durations, time
//! limits, memory sizes, TRES lists, job ids and host lists. Pure functions of one value; what
//! is expected of a value that does not parse is said by the `EXPECT_*` texts.

use crate::civil::{civil_from_days, days_from_civil, days_in_month};
use std::fmt::Write;

pub const EXPECT_DATE: &str = "a date YYYY-MM-DDTHH:MM:SS, Unknown or None";
pub const EXPECT_DURATION: &str = "a duration [D-]HH:MM:SS or MM:SS";
pub const EXPECT_TIMELIMIT: &str = "a time limit [D-]HH:MM:SS, MM:SS, UNLIMITED or Partition_Limit";
pub const EXPECT_COUNT: &str = "a whole number below 2^32";
pub const EXPECT_MEMORY: &str = "a memory size such as 4000M, 16G or 2800Mc";
pub const EXPECT_TRES: &str = "a TRES list such as cpu=4,mem=16G,node=1";
pub const EXPECT_JOBID: &str = "a job id such as 123, 123_4, 123_[5-9], 123+0 or 123.batch";
pub const EXPECT_HOSTLIST: &str = "a host list such as n[1-4],gpu7";

/// A value that does not have its field's format (the `EXPECT_*` texts say what it should be).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed value")]
pub struct Malformed;

/// Longest duration accepted, in seconds (about 2,700 years): far beyond any real limit, and
/// small enough that milliseconds stay in an `i64`.
const MAX_SECS: u64 = 1 << 36;
/// Most hosts one host list may name: a typo such as `n[1-999999999]` is an error, not a
/// billion allocations.
pub const MAX_HOSTS: usize = 1 << 16;

/// A naive wall-clock date as seconds since 1970-01-01T00:00:00 of the same (unknown) zone.
/// `Ok(None)` for `Unknown`, `None` and an empty field: not set.
pub fn date(s: &str) -> Result<Option<i64>, Malformed> {
    if s.is_empty() || s == "Unknown" || s == "None" {
        return Ok(None);
    }
    let b = s.as_bytes();
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return Err(Malformed);
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, Malformed> {
        b[r].iter()
            .try_fold(0i64, |a, &c| if c.is_ascii_digit() { Ok(a * 10 + i64::from(c - b'0')) } else { Err(Malformed) })
    };
    let (y, mo, d, h, mi, se) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d < 1 || d > i64::from(days_in_month(y, mo as u32)) || h > 23 || mi > 59 || se > 60 {
        return Err(Malformed);
    }
    Ok(Some(days_from_civil(y, mo as u32, d as u32) * 86_400 + h * 3600 + mi * 60 + se))
}

/// Seconds since 1970-01-01 00:00 (of the export's own clock) as an SWF header's `StartTime`
/// words, `Sun Jul 28 09:04:05 2002`: the weekday and date charts label their axes with.
pub fn start_time_words(secs: i64) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (days, t) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let weekday = DAYS[(days + 3).rem_euclid(7) as usize];
    format!("{weekday} {} {d} {:02}:{:02}:{:02} {y}", MONTHS[m as usize - 1], t / 3600, t / 60 % 60, t % 60)
}

/// `[D-]HH:MM:SS`, `HH:MM:SS`, `MM:SS` (with an optional `.mmm` that is dropped), `D-HH` and
/// `D-HH:MM`, in whole seconds.
pub fn duration(s: &str) -> Result<u64, Malformed> {
    let (days, rest) = match s.split_once('-') {
        Some((d, r)) => (Some(small(d)?), r),
        None => (None, s),
    };
    let rest = rest.split_once('.').map_or(
        rest,
        |(whole, frac)| {
            if frac.bytes().all(|c| c.is_ascii_digit()) {
                whole
            } else {
                "!"
            }
        },
    );
    let parts: Vec<&str> = rest.split(':').collect();
    let nums: Vec<u64> = parts.iter().map(|p| small(p)).collect::<Result<_, _>>()?;
    let secs = match (days, nums.as_slice()) {
        (_, [h, m, s]) if *m < 60 && *s < 60 => h * 3600 + m * 60 + s,
        (None, [m, s]) if *s < 60 => m * 60 + s,
        (Some(_), [h, m]) if *m < 60 => h * 3600 + m * 60,
        (Some(_), [h]) => h * 3600,
        _ => return Err(Malformed),
    };
    let total = days.unwrap_or(0).checked_mul(86_400).and_then(|d| d.checked_add(secs)).ok_or(Malformed)?;
    if total > MAX_SECS {
        return Err(Malformed);
    }
    Ok(total)
}

/// Digits only, at most 9 of them: every part of a duration.
fn small(s: &str) -> Result<u64, Malformed> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(Malformed);
    }
    s.parse().map_err(|_| Malformed)
}

/// A `Timelimit` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Secs(u64),
    /// `UNLIMITED`.
    Unlimited,
    /// `Partition_Limit`: the partition's maximum applies.
    Partition,
    /// An empty field.
    Absent,
}

pub fn timelimit(s: &str) -> Result<Limit, Malformed> {
    match s {
        "" => Ok(Limit::Absent),
        "UNLIMITED" | "INFINITE" => Ok(Limit::Unlimited),
        _ if s.eq_ignore_ascii_case("Partition_Limit") => Ok(Limit::Partition),
        _ => duration(s).map(Limit::Secs),
    }
}

/// A whole number below 2^32; `Ok(None)` for an empty field.
pub fn count(s: &str) -> Result<Option<u32>, Malformed> {
    if s.is_empty() {
        return Ok(None);
    }
    if !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(Malformed);
    }
    s.parse().map(Some).map_err(|_| Malformed)
}

/// What a `ReqMem` value is per.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemPer {
    Job,
    Cpu,
    Node,
}

/// `ReqMem` (`4000M`, `1.50G`, `2800Mc`, `550000Mn`, `0n`), or a TRES `mem=` value, in MiB.
pub fn memory(s: &str) -> Result<(f64, MemPer), Malformed> {
    let (s, per) = match s.as_bytes().last() {
        Some(b'c') => (&s[..s.len() - 1], MemPer::Cpu),
        Some(b'n') => (&s[..s.len() - 1], MemPer::Node),
        _ => (s, MemPer::Job),
    };
    let (num, scale) = match s.as_bytes().last() {
        Some(b'K') => (&s[..s.len() - 1], 1.0 / 1024.0),
        Some(b'M') => (&s[..s.len() - 1], 1.0),
        Some(b'G') => (&s[..s.len() - 1], 1024.0),
        Some(b'T') => (&s[..s.len() - 1], 1024.0 * 1024.0),
        Some(b'P') => (&s[..s.len() - 1], 1024.0 * 1024.0 * 1024.0),
        _ => (s, 1.0),
    };
    if num.is_empty() || num.len() > 20 || !num.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        return Err(Malformed);
    }
    let v: f64 = num.parse().map_err(|_| Malformed)?;
    Ok((v * scale, per))
}

/// The parts of a TRES list the simulator uses.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tres {
    pub cpu: Option<u32>,
    pub node: Option<u32>,
    /// MiB.
    pub mem: Option<f64>,
    pub gpus: Option<u32>,
}

/// `billing=4,cpu=4,gres/gpu=1,mem=16G,node=1`, read by key (the order changed in 18.08).
pub fn tres(s: &str) -> Result<Tres, Malformed> {
    let mut t = Tres::default();
    if s.is_empty() {
        return Ok(t);
    }
    for item in s.split(',') {
        let (k, v) = item.split_once('=').ok_or(Malformed)?;
        match k {
            "cpu" => t.cpu = count(v)?,
            "node" => t.node = count(v)?,
            "mem" => t.mem = Some(memory(v)?.0),
            "gres/gpu" => t.gpus = count(v)?,
            _ if k.is_empty() => return Err(Malformed),
            _ => {}
        }
    }
    Ok(t)
}

/// Which step of its job a record is (`slurm-spec.md` §D.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Batch,
    Extern,
    Interactive,
    Pending,
    Numbered,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Batch => ".batch",
            Step::Extern => ".extern",
            Step::Interactive => ".interactive",
            Step::Pending => ".TBD",
            Step::Numbered => ".N",
        }
    }
}

/// What the part of a JobID before the step says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    Plain,
    /// `123_4`: one task of an array, a job of its own.
    ArrayTask,
    /// `123_[5-9%2]`: tasks that had not started, kept in one record.
    PendingArray,
    /// `123+0`: a component of a heterogeneous job.
    HetComponent,
}

/// A parsed JobID: `alloc` is the text before the step (`26_3` of `26_3.batch`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobId<'a> {
    pub alloc: &'a str,
    pub kind: JobKind,
    pub step: Option<Step>,
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.len() <= 19 && s.bytes().all(|c| c.is_ascii_digit())
}

pub fn jobid(s: &str) -> Result<JobId<'_>, Malformed> {
    // A pending range may hold dots only in its step form (`1-99:2`); split after the bracket.
    let split_at = match s.find(']') {
        Some(close) => s[close..].find('.').map(|i| close + i),
        None => s.find('.'),
    };
    let (alloc, step) = match split_at {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let step = match step {
        None => None,
        Some("batch") => Some(Step::Batch),
        Some("extern") => Some(Step::Extern),
        Some("interactive") => Some(Step::Interactive),
        Some("TBD") => Some(Step::Pending),
        Some(n) => {
            let (num, het) = n.split_once('+').unwrap_or((n, "0"));
            if !digits(num) || !digits(het) {
                return Err(Malformed);
            }
            Some(Step::Numbered)
        }
    };
    let kind = if let Some((base, task)) = alloc.split_once('_') {
        if !digits(base) {
            return Err(Malformed);
        }
        if let Some(set) = task.strip_prefix('[') {
            let set = set.strip_suffix(']').ok_or(Malformed)?;
            let ok = !set.is_empty()
                && set.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'-' | b',' | b'%' | b':'))
                || set.ends_with("...");
            if !ok {
                return Err(Malformed);
            }
            JobKind::PendingArray
        } else if digits(task) {
            JobKind::ArrayTask
        } else {
            return Err(Malformed);
        }
    } else if let Some((base, off)) = alloc.split_once('+') {
        if !digits(base) || !digits(off) {
            return Err(Malformed);
        }
        JobKind::HetComponent
    } else if digits(alloc) {
        JobKind::Plain
    } else {
        return Err(Malformed);
    };
    Ok(JobId { alloc, kind, step })
}

/// Expands a host list (`n[1-4],gpu7`, `d09n04s[01-02]`, `None assigned`) into host names,
/// calling `f` for each. Errors on malformed lists and on more than [`MAX_HOSTS`] names.
pub fn hostlist(s: &str, f: &mut impl FnMut(&str)) -> Result<(), Malformed> {
    if s.is_empty() || s == "None assigned" || s == "(null)" {
        return Ok(());
    }
    let mut n = 0usize;
    let mut depth = 0i32;
    let mut start = 0;
    let b = s.as_bytes();
    for i in 0..=b.len() {
        let c = b.get(i).copied();
        match c {
            Some(b'[') => depth += 1,
            Some(b']') => depth -= 1,
            Some(b',') | None if depth == 0 => {
                expand(&s[start..i], &mut n, f)?;
                start = i + 1;
            }
            _ => {}
        }
        if !(0..=1).contains(&depth) {
            return Err(Malformed);
        }
    }
    if depth != 0 {
        return Err(Malformed);
    }
    Ok(())
}

fn expand(item: &str, n: &mut usize, f: &mut impl FnMut(&str)) -> Result<(), Malformed> {
    if item.is_empty() {
        return Err(Malformed);
    }
    let Some(open) = item.find('[') else {
        *n += 1;
        if *n > MAX_HOSTS || item.contains(']') {
            return Err(Malformed);
        }
        f(item);
        return Ok(());
    };
    let close = item[open..].find(']').ok_or(Malformed)? + open;
    let (prefix, set, suffix) = (&item[..open], &item[open + 1..close], &item[close + 1..]);
    let mut name = String::new();
    for range in set.split(',') {
        let (a, b) = range.split_once('-').unwrap_or((range, range));
        if !digits(a) || !digits(b) || a.len() > 9 || b.len() > 9 {
            return Err(Malformed);
        }
        let width = a.len();
        let (lo, hi): (u64, u64) = (a.parse().map_err(|_| Malformed)?, b.parse().map_err(|_| Malformed)?);
        if lo > hi || hi - lo > MAX_HOSTS as u64 {
            return Err(Malformed);
        }
        for k in lo..=hi {
            name.clear();
            name.push_str(prefix);
            // Writing into a String cannot fail.
            let _ = write!(name, "{k:0width$}");
            name.push_str(suffix);
            if suffix.contains('[') {
                // A second bracket in the suffix is expanded in turn.
                expand(&name.clone(), n, f)?;
            } else {
                *n += 1;
                if *n > MAX_HOSTS || suffix.contains(']') {
                    return Err(Malformed);
                }
                f(&name);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_words_name_the_weekday_and_date_of_a_timestamp() {
        let at = |t: &str| start_time_words(date(t).unwrap().unwrap());
        assert_eq!(at("1970-01-01T00:00:00"), "Thu Jan 1 00:00:00 1970");
        assert_eq!(at("2002-07-28T09:04:05"), "Sun Jul 28 09:04:05 2002");
        assert_eq!(at("2024-02-29T23:59:59"), "Thu Feb 29 23:59:59 2024");
        assert_eq!(at("2026-12-07T00:00:00"), "Mon Dec 7 00:00:00 2026");
    }

    #[test]
    fn dates_are_naive_seconds_and_unset_values_are_none() {
        assert_eq!(date("1970-01-01T00:00:00"), Ok(Some(0)));
        assert_eq!(date("2026-12-01T22:03:21"), Ok(Some(1_796_162_601)));
        assert_eq!(date("2024-02-29T00:00:01"), Ok(Some(1_709_164_801)));
        for unset in ["", "Unknown", "None"] {
            assert_eq!(date(unset), Ok(None));
        }
        for bad in ["2023-02-29T00:00:00", "2026-13-01T00:00:00", "2026-12-01 22:03:21", "2026-12-01T24:00:00", "x"] {
            assert_eq!(date(bad), Err(Malformed), "{bad}");
        }
    }

    #[test]
    fn durations_in_every_form() {
        assert_eq!(duration("00:00:40"), Ok(40));
        assert_eq!(duration("1-00:00:00"), Ok(86_400));
        assert_eq!(duration("223-22:59:36"), Ok(223 * 86_400 + 22 * 3600 + 59 * 60 + 36));
        assert_eq!(duration("15:59"), Ok(959));
        assert_eq!(duration("21:33.052"), Ok(21 * 60 + 33));
        assert_eq!(duration("2-12"), Ok(2 * 86_400 + 12 * 3600));
        assert_eq!(duration("2-12:30"), Ok(2 * 86_400 + 12 * 3600 + 30 * 60));
        for bad in ["", "1:2:3:4", "00:60:00", "-1:00", "9999999999-00:00:00", "a:b", "1.5"] {
            assert_eq!(duration(bad), Err(Malformed), "{bad}");
        }
        assert_eq!(timelimit("UNLIMITED"), Ok(Limit::Unlimited));
        assert_eq!(timelimit("Partition_limit"), Ok(Limit::Partition));
        assert_eq!(timelimit(""), Ok(Limit::Absent));
        assert_eq!(timelimit("00:02:00"), Ok(Limit::Secs(120)));
    }

    #[test]
    fn memory_both_formats_and_tres_by_key() {
        assert_eq!(memory("4000M"), Ok((4000.0, MemPer::Job)));
        assert_eq!(memory("1.50G"), Ok((1536.0, MemPer::Job)));
        assert_eq!(memory("2800Mc"), Ok((2800.0, MemPer::Cpu)));
        assert_eq!(memory("0n"), Ok((0.0, MemPer::Node)));
        assert!(memory("lots").is_err());
        let t = tres("billing=4,cpu=4,gres/gpu=1,mem=16G,node=1").unwrap();
        assert_eq!(t, Tres { cpu: Some(4), node: Some(1), mem: Some(16384.0), gpus: Some(1) });
        let old = tres("cpu=48,mem=144000M,node=4,billing=48").unwrap();
        assert_eq!((old.cpu, old.node), (Some(48), Some(4)));
        assert!(tres("cpu").is_err());
        assert!(tres("cpu=-1").is_err());
    }

    #[test]
    fn jobid_grammar() {
        let j = jobid("26_3.batch").unwrap();
        assert_eq!((j.alloc, j.kind, j.step), ("26_3", JobKind::ArrayTask, Some(Step::Batch)));
        assert_eq!(jobid("123").unwrap().kind, JobKind::Plain);
        assert_eq!(jobid("4103947_[9-11,13,16-20]").unwrap().kind, JobKind::PendingArray);
        assert_eq!(jobid("1080_[5-1024%4]").unwrap().kind, JobKind::PendingArray);
        assert_eq!(jobid("67767+0").unwrap().kind, JobKind::HetComponent);
        assert_eq!(jobid("67767+0.0").unwrap().step, Some(Step::Numbered));
        assert_eq!(jobid("5.4+1").unwrap().step, Some(Step::Numbered));
        assert_eq!(jobid("5.extern").unwrap().step, Some(Step::Extern));
        assert_eq!(jobid("5.interactive").unwrap().step, Some(Step::Interactive));
        for bad in ["", "x", "12_", "12_[", "12.foo", "1 2", "12_[a]"] {
            assert!(jobid(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn host_lists_expand_with_their_padding() {
        let mut names = Vec::new();
        hostlist("n[1-3],gpu7,d09n04s[01-02],d13n[03,05]", &mut |h| names.push(h.to_string())).unwrap();
        assert_eq!(names, ["n1", "n2", "n3", "gpu7", "d09n04s01", "d09n04s02", "d13n03", "d13n05"]);
        let mut count = 0;
        hostlist("None assigned", &mut |_| count += 1).unwrap();
        assert_eq!(count, 0);
        for bad in ["n[1-", "n[3-1]", "n[1-99999999]", "a,,b", "n]"] {
            assert!(hostlist(bad, &mut |_| {}).is_err(), "{bad}");
        }
    }
}
