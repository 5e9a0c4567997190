//! Date forms found in a scan: ISO, numeric (day and month read in the article's order) and
//! month-name dates, with or without a weekday or a year, and the rules that keep version
//! numbers, URLs, scores, ranges, phone numbers and times from reading as dates.

use chrono::NaiveDate;

use super::scan::{month_of, weekday_of, Kind, Scan};
use super::NumericOrder;

const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2099;

fn is_ordinal(w: &str) -> bool {
    matches!(w.to_lowercase().as_str(), "st" | "nd" | "rd" | "th")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Value {
    Iso(NaiveDate),
    MonthName(NaiveDate),
    /// `a sep b sep year`, read later with the article's order.
    Numeric {
        a: u32,
        b: u32,
        year: i32,
        sep: char,
        short: bool,
    },
    /// Month and day, no year.
    MonthDay {
        month: u32,
        day: u32,
    },
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Hit {
    /// First token (a weekday before the date included).
    pub(super) first: usize,
    /// Last token, inclusive.
    pub(super) last: usize,
    pub(super) value: Value,
}

pub(super) fn year_ok(y: i32) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&y)
}

fn num(scan: &Scan, i: usize) -> Option<(u32, usize)> {
    let t = scan.get(i)?;
    if t.kind != Kind::Num || t.end - t.start > 4 {
        return None;
    }
    Some((scan.s(i).parse().ok()?, t.end - t.start))
}

/// Left edge of a digit date: nothing glued on that makes it part of a longer token.
fn clean_left(scan: &Scan, i: usize) -> bool {
    if i == 0 {
        return true;
    }
    let t = scan.toks[i];
    let p = scan.toks[i - 1];
    if p.line != t.line {
        return true;
    }
    if p.kind == Kind::Word {
        let w = scan.s(i - 1).to_lowercase();
        if matches!(
            w.as_str(),
            "v" | "ver" | "version" | "build" | "rev" | "revision" | "firmware" | "no" | "nr"
        ) {
            return false;
        }
    }
    if t.space {
        return true;
    }
    match p.kind {
        Kind::Word | Kind::Num => false,
        Kind::Punct => !"/.-+_=#&?%$@\\".contains(scan.s(i - 1)),
    }
}

pub(super) fn match_numeric(scan: &Scan, i: usize) -> Option<Hit> {
    let (a, la) = num(scan, i)?;
    let line = scan.toks[i].line;
    if !scan.is_punct(i + 1, "/.-") || !scan.same_line(i, i + 4) {
        return None;
    }
    let sep = scan.s(i + 1).chars().next()?;
    if scan.s(i + 3) != scan.s(i + 1) {
        return None;
    }
    let (b, lb) = num(scan, i + 2)?;
    let (c, lc) = num(scan, i + 4)?;
    let t = &scan.toks;
    let spaced = t[i + 1].space || t[i + 2].space || t[i + 3].space || t[i + 4].space;
    match sep {
        '/' => {}
        '.' => {
            // "08. 07. 2012", "2012. 08. 08": a space only after the dots, two-digit parts.
            if t[i + 1].space || t[i + 3].space {
                return None;
            }
            if spaced && !((la == 2 || la == 4) && lb == 2 && (lc == 2 || lc == 4)) {
                return None;
            }
        }
        _ => {
            if spaced {
                return None;
            }
        }
    }
    if !clean_left(scan, i) {
        return None;
    }
    let iso = la == 4 && lb <= 2 && lc <= 2;
    // Right edge: no digits or letters glued on, no further `.n` / `-n` / `/n`.
    if scan.glued(i + 5, line) {
        let n = t[i + 5];
        let glued_t = iso && n.kind == Kind::Word && scan.s(i + 5) == "T";
        if (n.kind != Kind::Punct && !glued_t)
            || (scan.is_punct(i + 5, "/.-")
                && scan.glued(i + 6, line)
                && t[i + 6].kind == Kind::Num)
        {
            return None;
        }
    }
    let value = if iso {
        let y = a as i32;
        if !year_ok(y) {
            return None;
        }
        Value::Iso(NaiveDate::from_ymd_opt(y, b, c)?)
    } else if la <= 2 && lb <= 2 && (lc == 4 || lc == 2) {
        let short = lc == 2;
        let year = if short {
            if c < 70 {
                2000 + c as i32
            } else {
                1900 + c as i32
            }
        } else {
            c as i32
        };
        if !year_ok(year) {
            return None;
        }
        let dm = NaiveDate::from_ymd_opt(year, b, a).is_some();
        let md = NaiveDate::from_ymd_opt(year, a, b).is_some();
        if !dm && !md {
            return None;
        }
        Value::Numeric {
            a,
            b,
            year,
            sep,
            short,
        }
    } else {
        return None;
    };
    Some(Hit {
        first: i,
        last: i + 4,
        value,
    })
}

/// After a day number at `j`: skips an ordinal suffix glued on; `None` if other letters or
/// digits are glued on (`3:16` counts as glued).
fn after_day(scan: &Scan, j: usize) -> Option<usize> {
    let line = scan.toks[j].line;
    let mut k = j + 1;
    if scan.glued(k, line) && scan.toks[k].kind == Kind::Word {
        if !is_ordinal(scan.s(k)) {
            return None;
        }
        k += 1;
    }
    if scan.glued(k, line) {
        let t = scan.toks[k];
        if t.kind != Kind::Punct {
            return None;
        }
        if scan.is_punct(k, ":/.-") && scan.glued(k + 1, line) && scan.toks[k + 1].kind == Kind::Num
        {
            return None;
        }
    }
    Some(k)
}

/// A four-digit year at `m` on `line`, not glued to more digits or letters.
fn year_at(scan: &Scan, m: usize, line: usize) -> Option<i32> {
    let t = scan.get(m)?;
    if t.line != line || t.kind != Kind::Num || t.end - t.start != 4 || !t.space {
        return None;
    }
    let y: i32 = scan.s(m).parse().ok()?;
    if !year_ok(y) {
        return None;
    }
    if scan.glued(m + 1, line) && scan.toks[m + 1].kind != Kind::Punct {
        return None;
    }
    Some(y)
}

/// `Month[.] D[th][,] [YYYY]`.
pub(super) fn match_month_first(scan: &Scan, i: usize) -> Option<Hit> {
    let t = scan.get(i)?;
    if t.kind != Kind::Word {
        return None;
    }
    let month = month_of(scan.s(i))?;
    let line = t.line;
    let mut j = i + 1;
    let mut dot = false;
    if scan.is_punct(j, ".") && scan.glued(j, line) {
        j += 1;
        dot = true;
    }
    let dt = scan.get(j)?;
    if dt.line != line || dt.kind != Kind::Num || dt.end - dt.start > 2 || !(dt.space || dot) {
        return None;
    }
    let day: u32 = scan.s(j).parse().ok()?;
    let k = after_day(scan, j)?;
    let mut m = k;
    if scan.is_punct(m, ",") && scan.same_line(m, j) {
        m += 1;
    }
    if let Some(y) = year_at(scan, m, line) {
        let d = NaiveDate::from_ymd_opt(y, month, day)?;
        return Some(Hit {
            first: i,
            last: m,
            value: Value::MonthName(d),
        });
    }
    // "May 5 1000 people": a number right after the day that is no year.
    if m == k
        && scan
            .get(m)
            .is_some_and(|n| n.line == line && n.kind == Kind::Num)
    {
        return None;
    }
    NaiveDate::from_ymd_opt(2000, month, day)?;
    Some(Hit {
        first: i,
        last: k - 1,
        value: Value::MonthDay { month, day },
    })
}

/// `D[th] [of] Month[.][,] [YYYY]`.
pub(super) fn match_day_first(scan: &Scan, i: usize) -> Option<Hit> {
    let t = scan.get(i)?;
    if t.kind != Kind::Num || t.end - t.start > 2 || !clean_left(scan, i) {
        return None;
    }
    let line = t.line;
    let day: u32 = scan.s(i).parse().ok()?;
    let mut k = after_day(scan, i)?;
    if scan.get(k).is_some_and(|x| x.line == line) && scan.s(k) == "of" {
        k += 1;
    }
    let mt = scan.get(k)?;
    if mt.line != line || mt.kind != Kind::Word || !mt.space {
        return None;
    }
    let month = month_of(scan.s(k))?;
    let mut last = k;
    // "8 Dec. 2016"; in "ended on 2 January." the dot ends the sentence.
    if scan.is_punct(k + 1, ".") && scan.glued(k + 1, line) && scan.s(k).len() <= 4 {
        last = k + 1;
    }
    let mut m = last + 1;
    if scan.is_punct(m, ",") && scan.same_line(m, k) {
        m += 1;
    }
    if let Some(y) = year_at(scan, m, line) {
        let d = NaiveDate::from_ymd_opt(y, month, day)?;
        return Some(Hit {
            first: i,
            last: m,
            value: Value::MonthName(d),
        });
    }
    if m == last + 1
        && scan
            .get(m)
            .is_some_and(|n| n.line == line && n.kind == Kind::Num)
    {
        return None;
    }
    NaiveDate::from_ymd_opt(2000, month, day)?;
    Some(Hit {
        first: i,
        last,
        value: Value::MonthDay { month, day },
    })
}

/// Widens a hit to a weekday right before it ("Tuesday, May 7, 2013", "Fri., May 3").
fn with_weekday(scan: &Scan, mut h: Hit) -> Hit {
    let mut j = h.first;
    let mut steps = 0;
    while j > 0 && steps < 3 && scan.same_line(j - 1, h.first) {
        let p = j - 1;
        if scan.is_punct(p, ",.") {
            j = p;
            steps += 1;
            continue;
        }
        if scan.toks[p].kind == Kind::Word && weekday_of(scan.s(p), true).is_some() {
            h.first = p;
        }
        break;
    }
    h
}

/// Every date in the scanned text, left to right, not overlapping.
pub(super) fn find_dates(scan: &Scan) -> Vec<Hit> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < scan.toks.len() {
        let h = match_numeric(scan, i)
            .or_else(|| match_month_first(scan, i))
            .or_else(|| match_day_first(scan, i));
        if let Some(h) = h {
            out.push(with_weekday(scan, h));
            i = h.last + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Day-first reading for numeric dates with each separator, from unambiguous dates of the same
/// article (`27/09/2013` proves day first); otherwise dots day first, slashes and dashes month
/// first (US order).
pub(super) struct Order {
    day_first: [bool; 3],
}

impl Order {
    pub(super) fn of(hits: &[Hit]) -> Order {
        let mut day_first = [true, false, false];
        for (k, sep) in ['.', '/', '-'].into_iter().enumerate() {
            let (mut df, mut mf) = (0, 0);
            for h in hits {
                if let Value::Numeric { a, b, sep: s, .. } = h.value {
                    if s == sep && a > 12 && b <= 12 {
                        df += 1;
                    }
                    if s == sep && b > 12 && a <= 12 {
                        mf += 1;
                    }
                }
            }
            if df > 0 && mf == 0 {
                day_first[k] = true;
            } else if mf > 0 && df == 0 {
                day_first[k] = false;
            }
        }
        Order { day_first }
    }

    /// The date, and the order used when both readings were valid dates.
    pub(super) fn read(&self, v: Value) -> Option<(NaiveDate, Option<NumericOrder>)> {
        match v {
            Value::Iso(d) | Value::MonthName(d) => Some((d, None)),
            Value::MonthDay { .. } => None,
            Value::Numeric {
                a, b, year, sep, ..
            } => {
                let k = match sep {
                    '.' => 0,
                    '/' => 1,
                    _ => 2,
                };
                let dm = NaiveDate::from_ymd_opt(year, b, a);
                let md = NaiveDate::from_ymd_opt(year, a, b);
                match (dm, md) {
                    (Some(x), None) => Some((x, None)),
                    (None, Some(y)) => Some((y, None)),
                    (Some(x), Some(y)) if x == y => Some((x, None)),
                    (Some(x), Some(y)) => Some(if self.day_first[k] {
                        (x, Some(NumericOrder::DayFirst))
                    } else {
                        (y, Some(NumericOrder::MonthFirst))
                    }),
                    (None, None) => None,
                }
            }
        }
    }
}
