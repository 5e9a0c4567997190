//! Dates and places read from article text: the publication date printed in the head of a
//! page, the wire dateline's place ("HAMBURG, Germany", "BERLIN (AFP) -"), and the days a story
//! mentions ("on Thursday", "Dec. 8, 2016") for incident details.
//!
//! Everything works on a small token scan (words, digit runs, single punctuation marks, with
//! byte spans), no regular expressions: the rules below are the whole behaviour.
//!
//! **Date forms.** ISO `2013-05-08` (also `2013/05/08`, `2012.08.08`); numeric `08.12.2016`
//! (dots: day first), `05/02/2013` and `05-02-2013` (slash or dash: month first unless the day
//! cannot be a month, or another date with the same separator in the same article proves the
//! order, e.g. `27/09/2013`); month names, abbreviated or not, with or without a weekday
//! (`Dec. 8, 2016`, `8 December 2016`, `December 8th, 2016`, `Tuesday, May 7, 2013`,
//! `Sun Sep 15 2013`, `8th of December, 2016`). Years run from 1900 to 2099; two-digit years
//! (`05/03/13`) count only as a publication date, after a label or on a line of date and time
//! alone (`11 / 30 / 09 05: 40 PM ET`). Tokenizer artefacts such as `05 / 02 / 2013` and
//! `08. 07. 2012` are read too. English month and weekday names only.
//!
//! **Not dates.** A digit group glued to letters or to more digit groups (`v2.10.2016`,
//! `1.2.3.2016`, `MS08-078`, the date path inside a URL such as `/2019/11/19/`), a group after
//! "version"/"build"/"rev", scores and ranges (`3-1`, `1951-1957`: no three parts), phone
//! numbers (a part of three digits or more cannot be a day or a month), times (`08:00`).
//! `2.10.2016` on its own is read as 2 October 2016.
//!
//! **Publication date** ([`published_from_text`]): see that function for the window and the
//! preference order. **Dateline place** ([`dateline_place`]) and **mentioned days**
//! ([`mentioned_days`], [`resolve_weekday`]) likewise.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::ops::Range;

/// The head, searched for an unlabelled header date: the first 15 non-empty lines or the lines
/// starting in the first 2,500 bytes, whichever reaches further (page text has many short menu
/// lines before the story).
const HEAD_LINES: usize = 15;
const HEAD_BYTES: usize = 2500;
/// The dateline is looked for in the first 15 non-empty lines within 1,500 bytes.
const DATELINE_BYTES: usize = 1500;
/// The top, searched for a labelled date ("Published: ..."): 40 lines or 6,000 bytes, whichever
/// reaches further.
const TOP_LINES: usize = 40;
const TOP_BYTES: usize = 6000;
const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2099;

/// Which label, if any, introduced a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabelKind {
    /// "Published", "Posted", "First published", "Originally published", "Created",
    /// "Released", "For immediate release", "Date", "Filed", "Issued".
    Published,
    /// "Updated", "Update", "Last updated", "Modified", "Revised", "Edited".
    Updated,
}

/// How a publication date was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateSource {
    /// A date after a label, any form.
    Label(LabelKind),
    /// An unlabelled header line holding an ISO date (`2013-05-08`).
    Iso,
    /// An unlabelled header line holding a numeric date (`08.12.2016`, `05/02/2013`).
    Numeric,
    /// An unlabelled header line holding a month-name date (`May 3, 2013`).
    MonthName,
    /// A wire dateline's month and day (`MOSCOW, May 7 (Reuters) -`), the year taken from
    /// another date in the head or a copyright line.
    Dateline,
}

/// A publication date read from the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextDate {
    pub day: NaiveDate,
    pub how: DateSource,
    /// Byte span in the text: the label (if any) through the date.
    pub span: Range<usize>,
    /// 1-based line number of the span's start.
    pub line: usize,
    /// For a numeric date whose day and month could be swapped (`05/02/2013`, `08.12.2016`):
    /// the order `day` was read in (see the module docs for the rule).
    pub order: Option<NumericOrder>,
}

/// Reading order of an ambiguous numeric date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumericOrder {
    DayFirst,
    MonthFirst,
}

impl TextDate {
    /// One line for `--explain`, e.g. `text line 2: 'Updated: 2013-05-08' = 2013-05-08`.
    pub fn describe(&self, text: &str) -> String {
        let mut s = format!(
            "text line {}: '{}' = {}",
            self.line,
            quote(text, &self.span),
            self.day
        );
        match self.order {
            Some(NumericOrder::DayFirst) => s.push_str(" (read day first)"),
            Some(NumericOrder::MonthFirst) => s.push_str(" (read month first)"),
            None => {}
        }
        if self.how == DateSource::Dateline {
            s.push_str(" (year from another date)");
        }
        s
    }
}

/// A dateline place read from the start of the story body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextPlace {
    /// Title case: "Hamburg", "Los Angeles", "Port-au-Prince".
    pub name: String,
    /// Country or state when given: "Germany", "Calif.", "DC".
    pub region: Option<String>,
    /// The agency in parentheses, when given: "AP", "Reuters".
    pub agency: Option<String>,
    /// Byte span of the place name (and region).
    pub span: Range<usize>,
    /// 1-based line number.
    pub line: usize,
}

impl TextPlace {
    /// One line for `--explain`, e.g. `text line 9: 'HAMBURG, Germany' = Hamburg (Germany)`.
    pub fn describe(&self, text: &str) -> String {
        let mut s = format!(
            "text line {}: '{}' = {}",
            self.line,
            quote(text, &self.span),
            self.name
        );
        if let Some(r) = &self.region {
            s.push_str(&format!(" ({r})"));
        }
        s
    }
}

fn quote(text: &str, span: &Range<usize>) -> String {
    let raw = text.get(span.clone()).unwrap_or("");
    let mut out = String::new();
    for w in raw.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    if out.chars().count() > 80 {
        out = out.chars().take(77).collect::<String>() + "...";
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Num,
    Punct,
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: Kind,
    start: usize,
    end: usize,
    /// 0-based line.
    line: usize,
    /// Whitespace (or the line start) comes right before.
    space: bool,
}

struct Scan<'a> {
    text: &'a str,
    toks: Vec<Tok>,
}

impl<'a> Scan<'a> {
    /// Tokens of `text[..limit]` (the limit is moved to a char boundary).
    fn new(text: &'a str, limit: usize) -> Self {
        let mut limit = limit.min(text.len());
        while !text.is_char_boundary(limit) {
            limit -= 1;
        }
        let src = &text[..limit];
        let mut toks = Vec::new();
        let mut line = 0;
        let mut space = true;
        let mut it = src.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            if c == '\n' {
                line += 1;
                space = true;
                continue;
            }
            if c.is_whitespace() {
                space = true;
                continue;
            }
            let kind = if c.is_ascii_digit() {
                Kind::Num
            } else if c.is_alphabetic() {
                Kind::Word
            } else {
                Kind::Punct
            };
            let mut end = i + c.len_utf8();
            if kind != Kind::Punct {
                while let Some(&(j, d)) = it.peek() {
                    let same = match kind {
                        Kind::Num => d.is_ascii_digit(),
                        _ => d.is_alphabetic(),
                    };
                    if !same {
                        break;
                    }
                    end = j + d.len_utf8();
                    it.next();
                }
            }
            if kind == Kind::Word {
                if let Some(cut) = glued_month(&src[i..end]) {
                    toks.push(Tok {
                        kind,
                        start: i,
                        end: i + cut,
                        line,
                        space,
                    });
                    toks.push(Tok {
                        kind,
                        start: i + cut,
                        end,
                        line,
                        space: false,
                    });
                    space = false;
                    continue;
                }
            }
            toks.push(Tok {
                kind,
                start: i,
                end,
                line,
                space,
            });
            space = false;
        }
        Scan { text, toks }
    }

    fn s(&self, i: usize) -> &'a str {
        let t = self.toks[i];
        &self.text[t.start..t.end]
    }

    fn get(&self, i: usize) -> Option<Tok> {
        self.toks.get(i).copied()
    }

    fn is_punct(&self, i: usize, set: &str) -> bool {
        self.get(i)
            .is_some_and(|t| t.kind == Kind::Punct && set.contains(self.s(i)))
    }

    fn same_line(&self, a: usize, b: usize) -> bool {
        match (self.get(a), self.get(b)) {
            (Some(x), Some(y)) => x.line == y.line,
            _ => false,
        }
    }

    /// Token `i` exists, is on `line`, and is glued to the token before it.
    fn glued(&self, i: usize, line: usize) -> bool {
        self.get(i).is_some_and(|t| t.line == line && !t.space)
    }
}

/// A full month name glued after a lower-case letter ("againJuly", a title run into its date
/// by text extraction): the byte offset where the month starts.
fn glued_month(w: &str) -> Option<usize> {
    let mut prev_lower = false;
    for (i, c) in w.char_indices() {
        if c.is_uppercase() && prev_lower {
            let rest = &w[i..];
            if rest.len() >= 3 && month_of(rest).is_some() && rest.len() > 3 {
                return Some(i);
            }
            return None;
        }
        prev_lower = c.is_lowercase();
    }
    None
}

fn is_cap(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

fn is_lower_word(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_lowercase)
}

fn all_upper(w: &str) -> bool {
    w.chars().any(char::is_alphabetic) && !w.chars().any(char::is_lowercase)
}

/// A month name or abbreviation, capitalised or upper case.
fn month_of(w: &str) -> Option<u32> {
    if !is_cap(w) {
        return None;
    }
    let rest: String = w.chars().skip(1).collect();
    if !(rest.chars().all(char::is_lowercase) || rest.chars().all(char::is_uppercase)) {
        return None;
    }
    let m = match w.to_lowercase().as_str() {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    };
    Some(m)
}

/// A capitalised weekday name; abbreviations only when `abbrev` (in a full date).
fn weekday_of(w: &str, abbrev: bool) -> Option<Weekday> {
    if !is_cap(w) {
        return None;
    }
    let l = w.to_lowercase();
    let full = match l.as_str() {
        "monday" => Some(Weekday::Mon),
        "tuesday" => Some(Weekday::Tue),
        "wednesday" => Some(Weekday::Wed),
        "thursday" => Some(Weekday::Thu),
        "friday" => Some(Weekday::Fri),
        "saturday" => Some(Weekday::Sat),
        "sunday" => Some(Weekday::Sun),
        _ => None,
    };
    if full.is_some() || !abbrev {
        return full;
    }
    match l.as_str() {
        "mon" => Some(Weekday::Mon),
        "tue" | "tues" => Some(Weekday::Tue),
        "wed" => Some(Weekday::Wed),
        "thu" | "thur" | "thurs" => Some(Weekday::Thu),
        "fri" => Some(Weekday::Fri),
        "sat" => Some(Weekday::Sat),
        "sun" => Some(Weekday::Sun),
        _ => None,
    }
}

fn label_of(w: &str) -> Option<LabelKind> {
    match w.to_lowercase().as_str() {
        "published" | "publish" | "posted" | "created" | "released" | "release" | "date"
        | "dated" | "filed" | "issued" | "pubdate" => Some(LabelKind::Published),
        "updated" | "update" | "modified" | "revised" | "edited" => Some(LabelKind::Updated),
        _ => None,
    }
}

/// Words that say a date is not the publication date.
fn is_negative(w: &str) -> bool {
    matches!(
        w.to_lowercase().as_str(),
        "downloaded"
            | "accessed"
            | "retrieved"
            | "printed"
            | "born"
            | "died"
            | "expires"
            | "expired"
            | "deadline"
            | "until"
            | "since"
            | "archived"
            | "captured"
            | "crawled"
            | "source"
            | "photo"
            | "image"
            | "credit"
            | "caption"
    )
}

/// Words around a header date that say nothing: times, zones, "on", "at", label modifiers.
fn is_filler(w: &str) -> bool {
    matches!(
        w.to_lowercase().as_str(),
        "on" | "at"
            | "am"
            | "pm"
            | "a"
            | "p"
            | "m"
            | "h"
            | "hrs"
            | "gmt"
            | "utc"
            | "z"
            | "t"
            | "est"
            | "edt"
            | "et"
            | "pt"
            | "pst"
            | "pdt"
            | "cst"
            | "cdt"
            | "ct"
            | "mst"
            | "mdt"
            | "bst"
            | "ist"
            | "cet"
            | "cest"
            | "eet"
            | "msk"
            | "aest"
            | "aedt"
            | "jst"
            | "kst"
            | "last"
            | "first"
            | "originally"
            | "immediate"
            | "for"
            | "ago"
            | "hour"
            | "hours"
            | "minute"
            | "minutes"
            | "min"
            | "mins"
            | "second"
            | "seconds"
            | "secs"
    )
}

fn is_ordinal(w: &str) -> bool {
    matches!(w.to_lowercase().as_str(), "st" | "nd" | "rd" | "th")
}

const DASHES: &str = "-–—―−";

// ---------------------------------------------------------------------------------------------
// Date matching

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
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
struct Hit {
    /// First token (a weekday before the date included).
    first: usize,
    /// Last token, inclusive.
    last: usize,
    value: Value,
}

fn year_ok(y: i32) -> bool {
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

fn match_numeric(scan: &Scan, i: usize) -> Option<Hit> {
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
fn match_month_first(scan: &Scan, i: usize) -> Option<Hit> {
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
fn match_day_first(scan: &Scan, i: usize) -> Option<Hit> {
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
fn find_dates(scan: &Scan) -> Vec<Hit> {
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
struct Order {
    day_first: [bool; 3],
}

impl Order {
    fn of(hits: &[Hit]) -> Order {
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
    fn read(&self, v: Value) -> Option<(NaiveDate, Option<NumericOrder>)> {
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

// ---------------------------------------------------------------------------------------------
// Publication date

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    None,
    Kind(LabelKind, usize),
    Negative,
}

/// The label before a date on its line: back over punctuation, times, zones, "on"/"at", a
/// weekday, and "by Name" ("Posted by Jane Doe on ..."); or a line above that holds only a
/// label ("Published:").
fn label_before(scan: &Scan, h: &Hit, taken: &[Hit]) -> Label {
    let line = scan.toks[h.first].line;
    let in_other = |j: usize| taken.iter().any(|o| o.first <= j && j <= o.last);
    let mut j = h.first;
    let mut steps = 0;
    while j > 0 && steps < 14 {
        let p = j - 1;
        let t = scan.toks[p];
        if t.line != line || in_other(p) {
            break;
        }
        steps += 1;
        match t.kind {
            Kind::Punct | Kind::Num => {}
            Kind::Word => {
                let w = scan.s(p);
                if let Some(k) = label_of(w) {
                    if label_stands(scan, p) {
                        return Label::Kind(k, p);
                    }
                    return Label::None;
                }
                if is_negative(w) {
                    return Label::Negative;
                }
                if is_filler(w) || weekday_of(w, true).is_some() {
                    // keep going
                } else if is_cap(w) {
                    // A name: only skipped when "by" comes before it.
                    let mut q = p;
                    let mut found = None;
                    while q > 0 && p - q < 5 && scan.toks[q - 1].line == line {
                        q -= 1;
                        let s = scan.s(q);
                        if s.eq_ignore_ascii_case("by") {
                            found = Some(q);
                            break;
                        }
                        if scan.toks[q].kind == Kind::Word && !is_cap(s) {
                            break;
                        }
                    }
                    match found {
                        Some(q) => {
                            j = q;
                            continue;
                        }
                        None => return Label::None,
                    }
                } else {
                    return Label::None;
                }
            }
        }
        j = p;
    }
    // Reached the line start with only filler: a line above holding only a label.
    if j > 0 && scan.toks[j - 1].line < line && (j == h.first || scan.toks[j].line == line) {
        let prev = scan.toks[j - 1].line;
        if prev + 1 == line || prev + 2 == line {
            let mut q = j;
            let mut label = None;
            while q > 0 && scan.toks[q - 1].line == prev {
                q -= 1;
                let t = scan.toks[q];
                if t.kind == Kind::Word {
                    let w = scan.s(q);
                    if let Some(k) = label_of(w) {
                        label.get_or_insert((k, q));
                    } else if !is_filler(w) {
                        return Label::None;
                    }
                } else if t.kind == Kind::Num {
                    return Label::None;
                }
            }
            if let Some((k, q)) = label {
                return Label::Kind(k, q);
            }
        }
    }
    Label::None
}

/// A label word reads as a label, not as a verb in a sentence ("the game was released on
/// September 25"): it is capitalised, or followed by `:`, or first on its line, or after a
/// modifier that is ("First published on ...").
fn label_stands(scan: &Scan, q: usize) -> bool {
    let line = scan.toks[q].line;
    let first_on_line = |i: usize| i == 0 || scan.toks[i - 1].line != line;
    if is_cap(scan.s(q)) || first_on_line(q) {
        return true;
    }
    if scan.is_punct(q + 1, ":") && scan.same_line(q, q + 1) {
        return true;
    }
    let m = label_start(scan, q);
    m < q && (is_cap(scan.s(m)) || first_on_line(m))
}

/// Widens a label to a modifier before it ("Last updated", "First published").
fn label_start(scan: &Scan, q: usize) -> usize {
    if q > 0 && scan.same_line(q - 1, q) {
        let w = scan.s(q - 1).to_lowercase();
        if matches!(
            w.as_str(),
            "last" | "first" | "originally" | "immediate" | "article" | "story"
        ) {
            if w == "immediate" && q > 1 && scan.s(q - 2).eq_ignore_ascii_case("for") {
                return q - 2;
            }
            return q - 1;
        }
    }
    q
}

/// An unlabelled date is a header date when its line holds little else: no lower-case words
/// besides times, zones and "on"/"at", and at most six other words (a source, a place); or it
/// starts the line and no lower-case word follows it ("27/09/2013-Turkmenistan to hold ...").
/// A two-digit year needs a line of date and time alone. A date glued to the end of a title
/// ("... againJuly 23, 2008") with nothing after it counts. Never header dates: a line with `@`
/// (a tweet signature), a date next to `~`, two dates on a line without a label (a range or a
/// schedule). `@` between a date and a time is no handle.
fn is_header_date(scan: &Scan, h: &Hit, all: &[Hit], short: bool) -> bool {
    let line = scan.toks[h.first].line;
    // Tweet signatures ("— Jane Doe (@jane) November 18, 2019") quote other days.
    // A handle is `@` glued to a name; "9 / 10 / 2010 @ 1: 19PM" is a date and a time.
    let has_handle = scan.toks.iter().enumerate().any(|(j, t)| {
        t.line == line
            && t.kind == Kind::Punct
            && scan.s(j) == "@"
            && scan.glued(j + 1, line)
            && scan.toks[j + 1].kind == Kind::Word
    });
    if has_handle {
        return false;
    }
    // Ranges and schedules: "2018.04.05 ~ OPEN RUN", "29 November 2018 | 20 January 2019".
    if scan.is_punct(h.last + 1, "~") && scan.same_line(h.last, h.last + 1)
        || h.first > 0 && scan.is_punct(h.first - 1, "~") && scan.same_line(h.first - 1, h.first)
    {
        return false;
    }
    let on_line = all
        .iter()
        .filter(|o| scan.toks[o.first].line == line)
        .count();
    let labelled_line = scan
        .toks
        .iter()
        .enumerate()
        .any(|(j, t)| t.line == line && t.kind == Kind::Word && label_of(scan.s(j)).is_some());
    if on_line > 1 && !labelled_line {
        return false;
    }
    let in_date = |j: usize| all.iter().any(|o| o.first <= j && j <= o.last);
    let (mut residue, mut lower) = (0, 0);
    let mut starts_line = true;
    let mut next_word_lower = None;
    for (j, t) in scan.toks.iter().enumerate() {
        if t.line != line || t.kind != Kind::Word || in_date(j) {
            continue;
        }
        let w = scan.s(j);
        if j < h.first {
            starts_line = false;
        }
        if j > h.last && next_word_lower.is_none() && !is_filler(w) && label_of(w).is_none() {
            next_word_lower = Some(is_lower_word(w));
        }
        if is_negative(w) {
            return false;
        }
        if is_filler(w)
            || label_of(w).is_some()
            || weekday_of(w, true).is_some()
            || w.eq_ignore_ascii_case("by")
        {
            continue;
        }
        residue += 1;
        if is_lower_word(w) {
            lower += 1;
        }
    }
    if short {
        // "11 / 30 / 09 05: 40 PM ET": a two-digit year only on a line of date and time alone.
        return residue == 0 && starts_line;
    }
    // A title run into its date ("... charged againJuly 23, 2008. 4: 49 pm"), nothing after.
    let first = scan.toks[h.first];
    if first.kind == Kind::Word
        && !first.space
        && h.first > 0
        && scan.toks[h.first - 1].kind == Kind::Word
        && next_word_lower.is_none()
    {
        return true;
    }
    (lower == 0 && residue <= 6) || (starts_line && next_word_lower != Some(true))
}

/// Byte end of the first `lines` non-empty lines.
fn lines_end(text: &str, lines: usize) -> usize {
    let mut seen = 0;
    let mut pos = 0;
    for l in text.split_inclusive('\n') {
        if seen >= lines {
            return pos;
        }
        if !l.trim().is_empty() {
            seen += 1;
        }
        pos += l.len();
    }
    text.len()
}

/// Byte end of the lines that start before `bytes`.
fn bytes_end(text: &str, bytes: usize) -> usize {
    if bytes >= text.len() {
        return text.len();
    }
    text.as_bytes()[bytes..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| bytes + i + 1)
}

/// Window of `lines` non-empty lines or `bytes`, whichever reaches further.
fn window_wide(text: &str, lines: usize, bytes: usize) -> usize {
    lines_end(text, lines).max(bytes_end(text, bytes))
}

/// Window of `lines` non-empty lines within `bytes`.
fn window_narrow(text: &str, lines: usize, bytes: usize) -> usize {
    lines_end(text, lines).min(bytes_end(text, bytes))
}

/// The publication date printed in the article's head.
///
/// Window: labelled dates in the first 40 non-empty lines (lines starting within 4,000
/// bytes); unlabelled header dates and the dateline in the first 15 non-empty lines (within
/// 1,500 bytes).
///
/// Rule, first that applies:
/// 1. a date after a published-type label ("Published:", "Posted", "First published",
///    "Originally published", "For immediate release", "Date:") — the earliest such day;
/// 2. an unlabelled header date: a line holding a date and little else ("May 03, 2013",
///    "Reuters Sep 18, 2013, 02. 16PM IST", "08.12.2016 - Update : 09.12.2016") — the first in
///    the text (later ones on a page are often a list of other stories with their dates);
/// 3. a dateline's month and day ("MOSCOW, May 7 (Reuters) -") when a year is known from an
///    updated-type label in the head (the latest such day on or before it) or from a copyright
///    line ("© 2013"); without a year it is skipped;
/// 4. a date after an updated-type label ("Updated:", "Last updated", "Update :") — the
///    earliest.
///
/// Dates after "downloaded", "accessed", "retrieved", "born", "since", ... are never taken,
/// nor dates inside sentences ("Page was born on April 22, 1923" in line 2).
pub fn published_from_text(text: &str) -> Option<TextDate> {
    let head_end = window_wide(text, HEAD_LINES, HEAD_BYTES);
    let top_end = window_wide(text, TOP_LINES, TOP_BYTES).max(head_end);
    let dateline_end = window_narrow(text, HEAD_LINES, DATELINE_BYTES);
    let scan = Scan::new(text, top_end);
    let hits = find_dates(&scan);
    // The order of ambiguous numeric dates comes from the whole article, as in
    // `mentioned_days`, so both read a date the same way.
    let ambiguous = hits
        .iter()
        .any(|h| matches!(h.value, Value::Numeric { a, b, .. } if a != b && a <= 12 && b <= 12));
    let order = if ambiguous && top_end < text.len() {
        Order::of(&find_dates(&Scan::new(text, text.len())))
    } else {
        Order::of(&hits)
    };
    // (class, day, position) ranks candidates.
    let mut cands: Vec<((u8, NaiveDate, usize), TextDate)> = Vec::new();
    let mut updated_days = Vec::new();
    for h in &hits {
        let Some((day, read_order)) = order.read(h.value) else {
            continue;
        };
        let short = matches!(h.value, Value::Numeric { short: true, .. });
        let start = scan.toks[h.first].start;
        let end = scan.toks[h.last].end;
        let line = scan.toks[h.first].line + 1;
        let (class, how, span_start) = match label_before(&scan, h, &hits) {
            Label::Negative => continue,
            Label::Kind(k, q) => {
                let c = if k == LabelKind::Published { 0 } else { 3 };
                (
                    c,
                    DateSource::Label(k),
                    scan.toks[label_start(&scan, q)].start,
                )
            }
            Label::None => {
                if start >= head_end || !is_header_date(&scan, h, &hits, short) {
                    continue;
                }
                let how = match h.value {
                    Value::Iso(_) => DateSource::Iso,
                    Value::Numeric { .. } => DateSource::Numeric,
                    _ => DateSource::MonthName,
                };
                (1, how, start)
            }
        };
        if class == 3 {
            updated_days.push(day);
        }
        let line = if span_start < start {
            text[..span_start].matches('\n').count() + 1
        } else {
            line
        };
        // Labels: the earliest day; header dates: the first in the text (later ones are often
        // lists of other stories).
        let rank_day = if class == 1 { NaiveDate::MIN } else { day };
        cands.push((
            (class, rank_day, start),
            TextDate {
                day,
                how,
                span: span_start..end,
                line,
                order: read_order,
            },
        ));
    }
    if cands.iter().all(|(r, _)| r.0 > 2) {
        if let Some(dl) = find_dateline(&scan, dateline_end) {
            if let Some((month, dday, span)) = dl.date {
                let day = match updated_days.iter().min() {
                    Some(&u) => on_or_before(u, month, dday),
                    None => {
                        copyright_year(text).and_then(|y| NaiveDate::from_ymd_opt(y, month, dday))
                    }
                };
                if let Some(day) = day {
                    let line = scan.toks[dl.first].line + 1;
                    cands.push((
                        (2, day, span.start),
                        TextDate {
                            day,
                            how: DateSource::Dateline,
                            span,
                            line,
                            order: None,
                        },
                    ));
                }
            }
        }
    }
    cands.into_iter().min_by_key(|(r, _)| *r).map(|(_, td)| td)
}

/// The latest `month`/`day` on or before `reference`.
fn on_or_before(reference: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let y = reference.year();
    [y, y - 1]
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .find(|d| *d <= reference)
}

/// The last year of a copyright notice ("© 2013", "Copyright 2005-2013 Reuters").
fn copyright_year(text: &str) -> Option<i32> {
    let lower = text.to_lowercase();
    let mut best = None;
    for pat in ["©", "copyright", "(c)"] {
        for (i, _) in lower.match_indices(pat) {
            let after = &lower[i + pat.len()..];
            let window: String = after.chars().take(24).collect();
            let mut digits = String::new();
            for c in window.chars().chain(std::iter::once(' ')) {
                if c.is_ascii_digit() {
                    digits.push(c);
                    continue;
                }
                if digits.len() == 4 {
                    if let Ok(y) = digits.parse::<i32>() {
                        if year_ok(y) {
                            best = best.max(Some(y));
                        }
                    }
                }
                digits.clear();
                if c.is_alphabetic() && best.is_some() {
                    break;
                }
            }
        }
    }
    best
}

// ---------------------------------------------------------------------------------------------
// Dateline place

struct Dateline {
    first: usize,
    name: String,
    region: Option<String>,
    agency: Option<String>,
    span: Range<usize>,
    /// Month, day and span of a date in the dateline ("MOSCOW, May 7 (Reuters) -").
    date: Option<(u32, u32, Range<usize>)>,
}

/// Upper-case words that start headlines, labels and chrome, not places.
fn is_stop_word(w: &str) -> bool {
    let u = w.to_uppercase();
    let u = u.trim_end_matches('.');
    matches!(
        u,
        "BY" | "UPDATED"
            | "UPDATE"
            | "PUBLISHED"
            | "POSTED"
            | "PHOTO"
            | "PHOTOS"
            | "VIDEO"
            | "VIDEOS"
            | "WATCH"
            | "EXCLUSIVE"
            | "BREAKING"
            | "NEWS"
            | "NOTE"
            | "EDITOR"
            | "EDITORS"
            | "EDITOR'S"
            | "OPINION"
            | "ANALYSIS"
            | "COMMENTARY"
            | "LIVE"
            | "FILE"
            | "READ"
            | "MORE"
            | "RELATED"
            | "ADVERTISEMENT"
            | "SPONSORED"
            | "THE"
            | "FOR"
            | "AND"
            | "WARNING"
            | "CORRECTION"
            | "CORRECTIONS"
            | "REVIEW"
            | "INTERVIEW"
            | "SHARE"
            | "EMAIL"
            | "PRINT"
            | "COMMENT"
            | "COMMENTS"
            | "SUBSCRIBE"
            | "SIGN"
            | "LOGIN"
            | "MENU"
            | "HOME"
            | "TOP"
            | "SECTION"
            | "SECTIONS"
            | "SEARCH"
            | "CLOSE"
            | "SKIP"
            | "GALLERY"
            | "SLIDESHOW"
            | "LISTEN"
            | "AUDIO"
            | "PODCAST"
            | "CLICK"
            | "FOLLOW"
            | "TAGS"
            | "TOPICS"
            | "SOURCE"
            | "SOURCES"
            | "CREDIT"
            | "IMAGE"
            | "IMAGES"
            | "CAPTION"
            | "NOTICE"
            | "ALERT"
            | "URGENT"
            | "FLASH"
            | "DEVELOPING"
            | "LATEST"
            | "SPORTS"
            | "BUSINESS"
            | "POLITICS"
            | "WORLD"
            | "LOCAL"
            | "NATIONAL"
            | "OBITUARY"
            | "OBITUARIES"
            | "AP"
            | "BC"
            | "AFP"
            | "REUTERS"
            | "UPI"
            | "CNN"
            | "BBC"
            | "DPA"
            | "PTI"
            | "IANS"
            | "ANI"
            | "TNN"
            | "XINHUA"
            | "TASS"
            | "EFE"
            | "ANSA"
            | "KYODO"
            | "YONHAP"
            | "BLOOMBERG"
            | "US"
            | "U.S"
            | "USA"
            | "UK"
            | "EU"
            | "AM"
            | "PM"
            | "GMT"
            | "ET"
            | "EST"
            | "EDT"
            | "PT"
            | "TV"
            | "Q"
            | "A"
            | "I"
    ) || month_of(w).is_some()
        || weekday_of(w, true).is_some()
}

/// One place word at `i`: letters with `.`, `-`, `'` glued inside ("ST.", "WINSTON-SALEM",
/// "O'HARE", "D.C."); returns the index after it.
fn compound(scan: &Scan, i: usize, line: usize) -> Option<usize> {
    let t = scan.get(i)?;
    if t.line != line || t.kind != Kind::Word {
        return None;
    }
    let mut k = i + 1;
    loop {
        if scan.is_punct(k, ".-'’") && scan.glued(k, line) {
            if scan.glued(k + 1, line) && scan.toks[k + 1].kind == Kind::Word {
                k += 2;
                continue;
            }
            if scan.s(k) == "." {
                k += 1;
            }
        }
        break;
    }
    Some(k)
}

fn text_of<'a>(scan: &Scan<'a>, a: usize, b: usize) -> &'a str {
    &scan.text[scan.toks[a].start..scan.toks[b - 1].end]
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Upper,
    Title,
}

fn case_of(s: &str) -> Option<Case> {
    if all_upper(s) {
        Some(Case::Upper)
    } else if is_cap(s) {
        Some(Case::Title)
    } else {
        None
    }
}

/// Place words from `i`: up to four words of one case; returns (end index, case).
fn place_words(scan: &Scan, i: usize, line: usize) -> Option<(usize, Case)> {
    let mut k = i;
    let mut case = None;
    let mut n = 0;
    while n < 4 {
        let Some(e) = compound(scan, k, line) else {
            break;
        };
        if k > i && !scan.toks[k].space {
            break;
        }
        let w = text_of(scan, k, e);
        // "RIO DE JANEIRO", "Rio de Janeiro": a small connector inside.
        let small = k > i
            && matches!(
                w.to_lowercase().as_str(),
                "de" | "del" | "la" | "da" | "do" | "dos" | "of" | "es" | "el" | "au"
            );
        let c = case_of(w);
        match (case, c) {
            _ if small => {}
            (None, Some(c)) => case = Some(c),
            (Some(a), Some(b)) if a == b => {}
            _ => break,
        }
        // "AP-US--Trump-Impeachment", "BC-EU": wire slugs.
        if is_stop_word(w) || w.split('-').any(is_stop_word) {
            return None;
        }
        k = e;
        n += 1;
    }
    if n == 0 {
        return None;
    }
    let letters: usize = text_of(scan, i, k)
        .chars()
        .filter(|c| c.is_alphabetic())
        .count();
    if letters < 2 {
        return None;
    }
    Some((k, case?))
}

/// `(Agency)` at `i`: up to five capitalised words and `/`, `-`, `&`; returns the index after
/// `)` and the agency text.
fn agency_at(scan: &Scan, i: usize, line: usize) -> Option<(usize, String)> {
    if !scan.is_punct(i, "(") || !scan.same_line(i, i + 1) {
        return None;
    }
    let mut k = i + 1;
    while k < i + 8 {
        let t = scan.get(k)?;
        if t.line != line {
            return None;
        }
        if scan.is_punct(k, ")") {
            if k == i + 1 {
                return None;
            }
            let name = text_of(scan, i + 1, k).to_string();
            return Some((k + 1, name));
        }
        match t.kind {
            Kind::Word if is_cap(scan.s(k)) || k > i + 1 => {}
            Kind::Punct if "/-&.".contains(scan.s(k)) => {}
            _ => return None,
        }
        k += 1;
    }
    None
}

/// A dash (one or two marks) at `i`; returns the index after it.
fn dash_at(scan: &Scan, i: usize, line: usize) -> Option<usize> {
    if !scan.is_punct(i, DASHES) || scan.toks[i].line != line {
        return None;
    }
    if scan.is_punct(i + 1, DASHES) && scan.glued(i + 1, line) {
        return Some(i + 2);
    }
    Some(i + 1)
}

/// The rest of the line from `i` reads as story text (some lower-case words).
fn story_follows(scan: &Scan, i: usize, line: usize) -> bool {
    let mut words = 0;
    let mut lower = 0;
    let mut k = i;
    while let Some(t) = scan.get(k) {
        if t.line != line {
            break;
        }
        if t.kind == Kind::Word {
            words += 1;
            if is_lower_word(scan.s(k)) {
                lower += 1;
            }
        }
        k += 1;
    }
    words >= 3 && lower >= 1
}

/// A full date from `i` to the end of the line ("SUNNYVALE, Calif. —2 / 29 / 2012").
fn date_ends_line(scan: &Scan, i: usize, line: usize) -> bool {
    match_numeric(scan, i)
        .or_else(|| match_month_first(scan, i))
        .or_else(|| match_day_first(scan, i))
        .is_some_and(|h| {
            !matches!(h.value, Value::MonthDay { .. }) && line_ends(scan, h.last + 1, line)
        })
}

fn line_ends(scan: &Scan, i: usize, line: usize) -> bool {
    scan.get(i).is_none_or(|t| t.line != line)
}

/// Region after the comma: one to three capitalised words, or an abbreviation ("Calif.",
/// "D.C.", "NY"). Returns (end, strict) — strict when title case or an abbreviation, so
/// good enough to end a line on its own ("HAMBURG, Germany").
fn region_at(scan: &Scan, i: usize, line: usize) -> Option<(usize, bool)> {
    let mut k = i;
    let mut strict = true;
    let mut n = 0;
    while n < 3 {
        let Some(e) = compound(scan, k, line) else {
            break;
        };
        if k > i && !scan.toks[k].space {
            break;
        }
        let w = text_of(scan, k, e);
        if month_of(w).is_some() || weekday_of(w, true).is_some() || is_lower_word(w) {
            break;
        }
        let abbrev = w.ends_with('.') || w.chars().filter(|c| c.is_alphabetic()).count() <= 2;
        if all_upper(w) && !abbrev {
            strict = false;
        }
        k = e;
        n += 1;
    }
    (n > 0).then_some((k, strict))
}

/// Tries a dateline at the start of line `line`, whose first token is `i`.
fn dateline_at(scan: &Scan, i: usize, line: usize) -> Option<Dateline> {
    let (pe, case) = place_words(scan, i, line)?;
    let mut k = pe;
    let mut span_end = scan.toks[pe - 1].end;
    let mut region = None;
    let mut date = None;
    let mut region_strict = false;
    // ", Region" and/or ", Month Day[, Year]".
    for _ in 0..2 {
        if !(scan.is_punct(k, ",") && scan.same_line(k, k + 1)) {
            break;
        }
        if let Some(h) = match_month_first(scan, k + 1) {
            let (month, day) = match h.value {
                Value::MonthDay { month, day } => (month, day),
                Value::MonthName(d) => (d.month(), d.day()),
                _ => break,
            };
            let s = scan.toks[h.first].start..scan.toks[h.last].end;
            date = Some((month, day, s));
            k = h.last + 1;
            break;
        }
        if region.is_some() {
            break;
        }
        let (re, strict) = region_at(scan, k + 1, line)?;
        region = Some(text_of(scan, k + 1, re).trim_end_matches(',').to_string());
        region_strict = strict;
        span_end = scan.toks[re - 1].end;
        k = re;
    }
    if scan.is_punct(k, ",") && scan.same_line(k, k + 1) {
        k += 1;
    }
    let mut agency = None;
    if let Some((e, a)) = agency_at(scan, k, line) {
        agency = Some(a);
        k = e;
    }
    let region_abbrev = region.as_deref().is_some_and(is_region_abbrev);
    let ok = if let Some(e) = dash_at(scan, k, line) {
        // "WASHINGTON —", "Moscow, Dec 7 (Reuters) -", "Dekalb, Ill. —": title case needs an
        // agency, a date or an abbreviated state.
        (case == Case::Upper || agency.is_some() || date.is_some() || region_abbrev)
            && (story_follows(scan, e, line)
                || line_ends(scan, e, line)
                || date_ends_line(scan, e, line))
    } else if line_ends(scan, k, line) {
        // "HAMBURG, Germany" alone; "WASHINGTON, DC, April 28, 2009"; "BERLIN (AFP)".
        case == Case::Upper
            && ((region.is_some() && region_strict)
                || date.is_some()
                || agency.as_deref().is_some_and(is_known_agency))
    } else {
        // "Hong Kong (CNN Business) A muddled view": a known agency needs no dash; not
        // "Advanced Micro Devices (AMD) Chief ..." or "NCAA: Improper gifts".
        agency.as_deref().is_some_and(is_known_agency) && story_follows(scan, k, line)
    };
    if !ok {
        return None;
    }
    let name = title_case(text_of(scan, i, pe));
    let region = region.map(|r| {
        if all_upper(&r) && r.chars().filter(|c| c.is_alphabetic()).count() > 2 && !r.contains('.')
        {
            title_case(&r)
        } else {
            r
        }
    });
    Some(Dateline {
        first: i,
        name,
        region,
        agency,
        span: scan.toks[i].start..span_end,
        date,
    })
}

/// A state or country abbreviation: "NY", "DC", "Calif.", "N.Y.", "Ill.".
fn is_region_abbrev(r: &str) -> bool {
    let letters = r.chars().filter(|c| c.is_alphabetic()).count();
    !r.contains(' ') && (r.ends_with('.') || (letters == 2 && all_upper(r))) && letters <= 5
}

fn is_known_agency(a: &str) -> bool {
    let first = a
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_uppercase();
    matches!(
        first.as_str(),
        "CNN"
            | "AP"
            | "AFP"
            | "REUTERS"
            | "UPI"
            | "DPA"
            | "XINHUA"
            | "BLOOMBERG"
            | "BBC"
            | "IANS"
            | "PTI"
            | "ANI"
            | "AAP"
            | "EFE"
            | "ANSA"
            | "KYODO"
            | "YONHAP"
            | "TASS"
            | "SPUTNIK"
            | "RIA"
            | "ANADOLU"
            | "CBS"
            | "NBC"
            | "ABC"
            | "WENN"
            | "TNS"
            | "MCT"
            | "HEALTHDAY"
            | "BERNAMA"
            | "CNA"
    )
}

fn find_dateline(scan: &Scan, head_end: usize) -> Option<Dateline> {
    let mut i = 0;
    while i < scan.toks.len() {
        let t = scan.toks[i];
        if t.start >= head_end {
            break;
        }
        if let Some(d) = dateline_at(scan, i, t.line) {
            return Some(d);
        }
        // next line
        while i < scan.toks.len() && scan.toks[i].line == t.line {
            i += 1;
        }
    }
    None
}

/// "LOS ANGELES" → "Los Angeles", "PORT-AU-PRINCE" → "Port-au-Prince", "MCALLEN" → "McAllen",
/// "ST. LOUIS" → "St. Louis"; words already in mixed case are kept.
fn title_case(s: &str) -> String {
    let mut out = String::new();
    for (wi, word) in s.split_whitespace().enumerate() {
        if wi > 0 {
            out.push(' ');
        }
        if !all_upper(word) {
            out.push_str(word);
            continue;
        }
        // Initials ("D.C.", "U.S.") stay upper case.
        if word.contains('.')
            && word.chars().filter(|c| c.is_alphabetic()).count() <= 3
            && word.len() <= 5
            && word.matches('.').count() >= 2
        {
            out.push_str(word);
            continue;
        }
        let mut part = String::new();
        let mut first_part = wi == 0;
        let flush = |part: &mut String, out: &mut String, first: bool| {
            let l = part.to_lowercase();
            if !first
                && matches!(
                    l.as_str(),
                    "de" | "del" | "la" | "da" | "do" | "dos" | "of" | "es" | "el" | "au"
                )
            {
                out.push_str(&l);
            } else if let Some(rest) = l.strip_prefix("mc").filter(|r| !r.is_empty()) {
                out.push_str("Mc");
                out.push_str(&cap(rest));
            } else {
                out.push_str(&cap(&l));
            }
            part.clear();
        };
        for c in word.chars() {
            if c == '-' || c == '\'' || c == '’' {
                flush(&mut part, &mut out, first_part);
                out.push(c);
                first_part = false;
            } else {
                part.push(c);
            }
        }
        flush(&mut part, &mut out, first_part);
    }
    out
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The dateline at the start of the story body, in the first 15 non-empty lines (1,500 bytes):
/// the first line that starts with
/// - an upper-case place (up to four words), then `, Region` and/or `, Month Day`, an optional
///   `(Agency)`, then a dash and the story, or the line's end ("HAMBURG, Germany",
///   "WASHINGTON, DC, April 28, 2009"; a region alone must be title case or an abbreviation so
///   that an upper-case headline "KERRY, LAVROV MEET" is not taken);
/// - a title-case place only with an agency or a date: "Moscow, Dec 7 (Reuters) -",
///   "Hamburg (dpa) -".
///
/// Headline and chrome words (BY, UPDATED, PHOTO, agency names, weekdays, months, ...) are
/// never places, so "By Ayhan Simsek" and "BY AYHAN SIMSEK" are not datelines. Not taken
/// either: headline kickers with a colon ("MUST SEE: ...", so "NEW DELHI: ..." is missed too),
/// and a name with an acronym but no dash ("Advanced Micro Devices (AMD) Chief ...").
pub fn dateline_place(text: &str) -> Option<TextPlace> {
    let end = window_narrow(text, HEAD_LINES, DATELINE_BYTES);
    let scan = Scan::new(text, end);
    let d = find_dateline(&scan, end)?;
    Some(TextPlace {
        name: d.name,
        region: d.region,
        agency: d.agency,
        line: scan.toks[d.first].line + 1,
        span: d.span,
    })
}

// ---------------------------------------------------------------------------------------------
// Mentioned days

/// The latest `weekday` on or before `anchor` ("on Thursday" in news is about the past week).
pub fn resolve_weekday(anchor: NaiveDate, weekday: Weekday) -> NaiveDate {
    let back = (7 + anchor.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    anchor - Duration::days(i64::from(back))
}

/// The month/day in whichever of the anchor's year, the year before or the year after lies
/// nearest the anchor ("Dec. 28" in a January 3 story is last year's).
fn nearest_month_day(anchor: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let y = anchor.year();
    [y, y - 1, y + 1]
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .min_by_key(|d| (*d - anchor).num_days().abs())
}

/// Words before a weekday that point to the coming week.
fn future_cue(w: &str) -> bool {
    matches!(
        w.to_lowercase().as_str(),
        "will"
            | "would"
            | "shall"
            | "ll"
            | "next"
            | "coming"
            | "upcoming"
            | "scheduled"
            | "due"
            | "planned"
            | "expected"
    )
}

/// Days mentioned in the text, in text order, each with its byte span:
/// - full dates anywhere (ISO, numeric with a four-digit year, month names), the header date
///   included;
/// - with an anchor: month and day without a year ("December 2", "7 May"), in the anchor's year
///   or the year before or after, whichever lies nearest the anchor;
/// - with an anchor: capitalised weekday names ("on Thursday", "Thursday's"), resolved to the
///   latest such day on or before the anchor ([`resolve_weekday`]); "last Thursday" is strictly
///   before the anchor; with "next", "coming", "will", "would", "scheduled", "due", ... among
///   the six words before it in the same sentence, or "is to"/"are to" ("is to be voted on
///   Thursday"), the first such day after the anchor. "Good Friday", "Black Friday", "Super
///   Tuesday", "Oscar Sunday", "Sunday Times" and the like are skipped.
pub fn mentioned_days(text: &str, anchor: Option<NaiveDate>) -> Vec<(NaiveDate, Range<usize>)> {
    let scan = Scan::new(text, text.len());
    let hits = find_dates(&scan);
    let order = Order::of(&hits);
    let mut out = Vec::new();
    for h in &hits {
        let span = scan.toks[h.first].start..scan.toks[h.last].end;
        match h.value {
            Value::Numeric { short: true, .. } => {}
            Value::MonthDay { month, day } => {
                if let Some(d) = anchor.and_then(|a| nearest_month_day(a, month, day)) {
                    out.push((d, span));
                }
            }
            v => {
                if let Some((d, _)) = order.read(v) {
                    out.push((d, span));
                }
            }
        }
    }
    if let Some(anchor) = anchor {
        let mut hi = 0;
        for i in 0..scan.toks.len() {
            while hi < hits.len() && hits[hi].last < i {
                hi += 1;
            }
            if hits.get(hi).is_some_and(|h| h.first <= i) {
                continue;
            }
            let t = scan.toks[i];
            if t.kind != Kind::Word {
                continue;
            }
            let Some(wd) = weekday_of(scan.s(i), false) else {
                continue;
            };
            let prev = (i > 0 && scan.toks[i - 1].kind == Kind::Word).then(|| scan.s(i - 1));
            let next = scan
                .get(i + 1)
                .filter(|n| n.kind == Kind::Word)
                .map(|_| scan.s(i + 1));
            if prev.is_some_and(|p| {
                matches!(
                    p.to_lowercase().as_str(),
                    "good"
                        | "black"
                        | "super"
                        | "ash"
                        | "cyber"
                        | "holy"
                        | "palm"
                        | "easter"
                        | "bloody"
                        | "maundy"
                        | "shrove"
                        | "giving"
                        | "fat"
                        | "oscar"
                        | "oscars"
                        | "bowl"
                        | "derby"
                        | "selection"
                )
            }) || next.is_some_and(|n| {
                matches!(
                    n,
                    "Times"
                        | "Telegraph"
                        | "Mirror"
                        | "Express"
                        | "Herald"
                        | "Post"
                        | "Star"
                        | "Independent"
                        | "Tribune"
                        | "Night"
                        | "Morning"
                        | "Edition"
                )
            }) {
                continue;
            }
            let mut future = false;
            let mut last = false;
            let mut k = i;
            let mut words = 0;
            // "is to be voted on Thursday", "are to meet on Friday": scheduled.
            let mut saw_to = false;
            while k > 0 && words < 6 {
                k -= 1;
                let p = scan.toks[k];
                if p.kind == Kind::Punct && ".!?;".contains(scan.s(k)) {
                    break;
                }
                if p.kind == Kind::Word {
                    words += 1;
                    let w = scan.s(k);
                    if words == 1 && w.eq_ignore_ascii_case("last") {
                        last = true;
                    }
                    if future_cue(w) || (saw_to && matches!(w, "is" | "are" | "am")) {
                        future = true;
                    }
                    saw_to = w == "to" || (saw_to && w == "be");
                }
            }
            let d = if last {
                resolve_weekday(anchor - Duration::days(1), wd)
            } else if future {
                resolve_weekday(anchor + Duration::days(7), wd)
            } else {
                resolve_weekday(anchor, wd)
            };
            out.push((d, t.start..t.end));
        }
    }
    out.sort_by_key(|(_, s)| s.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_000: &str = include_str!("../../testdata/seeds/000_5a47302b29b28574.txt");
    const SEED_001: &str = include_str!("../../testdata/seeds/001_cce7f1ca9dc3f8ab.txt");
    const SEED_002: &str = include_str!("../../testdata/seeds/002_a4d316c33a6c514d.txt");
    const SEED_003: &str = include_str!("../../testdata/seeds/003_3789953b1d177a1f.txt");
    const SEED_004: &str = include_str!("../../testdata/seeds/004_8b6f9af4d72396b3.txt");

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// The publication day read from `text`.
    fn day(text: &str) -> Option<NaiveDate> {
        published_from_text(text).map(|d| d.day)
    }

    /// `head` as the first line(s), then a story sentence.
    fn article(head: &str) -> String {
        format!(
            "Officials meet to discuss the crisis\n{head}\nThe officials met in the capital and talked for two hours, a spokesman said.\n"
        )
    }

    fn place(text: &str) -> Option<String> {
        dateline_place(text).map(|p| p.name)
    }

    fn days(text: &str, anchor: Option<NaiveDate>) -> Vec<(NaiveDate, &str)> {
        mentioned_days(text, anchor)
            .into_iter()
            .map(|(d, s)| (d, &text[s]))
            .collect()
    }

    // ---- seeds ------------------------------------------------------------------------------

    #[test]
    fn seed_001_updated_label() {
        let d = published_from_text(SEED_001).unwrap();
        assert_eq!(d.day, ymd(2013, 5, 8));
        assert_eq!(d.how, DateSource::Label(LabelKind::Updated));
        assert_eq!(&SEED_001[d.span.clone()], "Updated: 2013-05-08");
        assert_eq!(
            d.describe(SEED_001),
            "text line 2: 'Updated: 2013-05-08' = 2013-05-08"
        );
        assert_eq!(dateline_place(SEED_001), None);
        // "in Moscow on Tuesday", "on Monday", "May 7, 2012".
        let got = days(SEED_001, Some(d.day));
        assert!(got.contains(&(ymd(2013, 5, 7), "Tuesday")), "{got:?}");
        assert!(got.contains(&(ymd(2013, 5, 6), "Monday")), "{got:?}");
        assert!(got.contains(&(ymd(2012, 5, 7), "May 7, 2012")), "{got:?}");
    }

    #[test]
    fn seed_003_numeric_date_place_and_weekdays() {
        let d = published_from_text(SEED_003).unwrap();
        // "08.12.2016 - Update : 09.12.2016": the unlabelled date before the update.
        assert_eq!(d.day, ymd(2016, 12, 8));
        assert_eq!(d.how, DateSource::Numeric);
        assert_eq!(d.order, Some(NumericOrder::DayFirst));
        assert_eq!(&SEED_003[d.span.clone()], "08.12.2016");
        assert_eq!(
            d.describe(SEED_003),
            "text line 7: '08.12.2016' = 2016-12-08 (read day first)"
        );
        let p = dateline_place(SEED_003).unwrap();
        assert_eq!(p.name, "Hamburg");
        assert_eq!(p.region.as_deref(), Some("Germany"));
        assert_eq!(&SEED_003[p.span.clone()], "HAMBURG, Germany");
        assert_eq!(p.line, 12);
        assert_eq!(
            p.describe(SEED_003),
            "text line 12: 'HAMBURG, Germany' = Hamburg (Germany)"
        );
        let got = days(SEED_003, Some(d.day));
        assert_eq!(
            got,
            vec![
                (ymd(2016, 12, 8), "08.12.2016"),
                (ymd(2016, 12, 9), "09.12.2016"),
                // "discussed Syria on Thursday here"
                (ymd(2016, 12, 8), "Thursday"),
                // "another meeting ... which would take place on Saturday in Paris"
                (ymd(2016, 12, 10), "Saturday"),
                // "their first meeting in Hamburg late Wednesday"
                (ymd(2016, 12, 7), "Wednesday"),
            ]
        );
    }

    #[test]
    fn seeds_000_002_004_print_no_date_and_no_dateline() {
        for text in [SEED_000, SEED_002, SEED_004] {
            assert_eq!(published_from_text(text), None);
            assert_eq!(dateline_place(text), None);
        }
        // Without an anchor only full dates count: 002 has "December 2" and weekdays, no year.
        assert_eq!(days(SEED_002, None), vec![]);
        // With one, "the American proposal of December 2" is a day.
        let got = days(SEED_002, Some(ymd(2016, 12, 8)));
        assert!(got.contains(&(ymd(2016, 12, 2), "December 2")), "{got:?}");
    }

    // ---- date forms -------------------------------------------------------------------------

    #[test]
    fn iso_header_line() {
        let d = published_from_text(&article("2013-05-08")).unwrap();
        assert_eq!((d.day, d.how), (ymd(2013, 5, 8), DateSource::Iso));
        assert_eq!(
            day(&article("2019-11-19T12:48:14Z")),
            Some(ymd(2019, 11, 19))
        );
        assert_eq!(
            day(&article("Published: 2012. 08. 08 09: 01 AM")),
            Some(ymd(2012, 8, 8))
        );
    }

    #[test]
    fn dotted_dates_are_day_first() {
        let d = published_from_text(&article("08.12.2016")).unwrap();
        assert_eq!((d.day, d.how), (ymd(2016, 12, 8), DateSource::Numeric));
        assert_eq!(
            day(&article("Article posted on 08. 07. 2012")),
            Some(ymd(2012, 7, 8))
        );
        // A dotted date that cannot be day first is read month first.
        assert_eq!(
            day(&article("11.14.2019 09:00 AM")),
            Some(ymd(2019, 11, 14))
        );
        // Decided: a lone "2.10.2016" is a date (2 October), not a version.
        assert_eq!(day(&article("2.10.2016")), Some(ymd(2016, 10, 2)));
    }

    #[test]
    fn slash_dates_are_month_first_unless_the_article_says_otherwise() {
        let d = published_from_text(&article("05 / 02 / 2013")).unwrap();
        assert_eq!(d.day, ymd(2013, 5, 2));
        assert_eq!(d.order, Some(NumericOrder::MonthFirst));
        assert_eq!(day(&article("27/09/2013")), Some(ymd(2013, 9, 27)));
        assert_eq!(
            day(&article("9 / 10 / 2010 @ 1: 19PM")),
            Some(ymd(2010, 9, 10))
        );
        assert_eq!(
            day(&article("Posted: 8 / 2 / 2013 8: 13 AM PDT")),
            Some(ymd(2013, 8, 2))
        );
        // Another date of the article proves day first.
        let text =
            "Posted: 05/02/2013\nStory text here, said the police chief.\nRelated: 27/09/2013\n";
        let d = published_from_text(text).unwrap();
        assert_eq!(d.day, ymd(2013, 2, 5));
        assert_eq!(d.order, Some(NumericOrder::DayFirst));
        // Evidence far below the top counts too.
        let mut text = String::from("Posted: 05/02/2013\n");
        for _ in 0..60 {
            text.push_str("More of the story, with enough words to make a line, officials said.\n");
        }
        text.push_str("Related: 27/09/2013\n");
        assert_eq!(day(&text), Some(ymd(2013, 2, 5)));
        // Same day either way: no order to report.
        assert_eq!(
            published_from_text(&article("05/05/2010")).unwrap().order,
            None
        );
    }

    #[test]
    fn two_digit_years_need_a_label_or_a_bare_date_line() {
        assert_eq!(day(&article("Posted: 05/03/13")), Some(ymd(2013, 5, 3)));
        assert_eq!(
            day(&article("11 / 30 / 09 05: 40 PM ET")),
            Some(ymd(2009, 11, 30))
        );
        assert_eq!(day(&article("Scores 11/30/09 Jets")), None);
    }

    #[test]
    fn month_name_dates() {
        for (head, want) in [
            ("Dec. 8, 2016", ymd(2016, 12, 8)),
            ("8 December 2016", ymd(2016, 12, 8)),
            ("December 8th, 2016", ymd(2016, 12, 8)),
            ("8th of December, 2016", ymd(2016, 12, 8)),
            ("Tuesday, May 7, 2013", ymd(2013, 5, 7)),
            ("Fri., May. 3, 2013 11: 45 AM PDT", ymd(2013, 5, 3)),
            ("14: 25 Sun Sep 15 2013", ymd(2013, 9, 15)),
            ("MAY 3, 2013 AT 1: 10PM", ymd(2013, 5, 3)),
            ("Wednesday 20 Nov 2019", ymd(2019, 11, 20)),
            ("20 Nov, 2019 05:47", ymd(2019, 11, 20)),
            ("Reuters Sep 18, 2013, 02. 16PM IST", ymd(2013, 9, 18)),
            ("12 January 2010 @ 09: 29 pm", ymd(2010, 1, 12)),
            ("WASHINGTON, DC, April 28, 2009", ymd(2009, 4, 28)),
            ("Nov. 18th 2019", ymd(2019, 11, 18)),
            (
                "November 19, 2019 / 12:21 AM / Updated 14 hours ago",
                ymd(2019, 11, 19),
            ),
            (
                "Chris Davies - Nov 19, 2019, 10:31 pm CST",
                ymd(2019, 11, 19),
            ),
        ] {
            let d = published_from_text(&article(head));
            assert_eq!(d.as_ref().map(|d| d.day), Some(want), "{head}");
            assert_eq!(d.unwrap().how, DateSource::MonthName, "{head}");
        }
        // A title run into its date by extraction.
        assert_eq!(
            day("Polygamist prophet Warren Jeffs charged againJuly 23, 2008. 4: 49 pm\nStory text, he said.\n"),
            Some(ymd(2008, 7, 23))
        );
        // Not a day of that month.
        assert_eq!(day(&article("February 30, 2013")), None);
    }

    // ---- labels and the choice between dates -------------------------------------------------

    #[test]
    fn labels() {
        for (head, want, kind) in [
            (
                "Published: May 2, 2013",
                ymd(2013, 5, 2),
                LabelKind::Published,
            ),
            (
                "PUBLISHED: 22: 07 GMT, 7 July 2012",
                ymd(2012, 7, 7),
                LabelKind::Published,
            ),
            (
                "Posted on Thu Jun 13, 2013 08: 45 AM PDT",
                ymd(2013, 6, 13),
                LabelKind::Published,
            ),
            (
                "First Posted 23: 37: 00 05 / 05 / 2010",
                ymd(2010, 5, 5),
                LabelKind::Published,
            ),
            (
                "FOR IMMEDIATE RELEASE July 13, 2009",
                ymd(2009, 7, 13),
                LabelKind::Published,
            ),
            (
                "Posted by Jane Doe on May 3, 2013",
                ymd(2013, 5, 3),
                LabelKind::Published,
            ),
            (
                "Last updated at 11: 24, Tuesday, 18 June 2013",
                ymd(2013, 6, 18),
                LabelKind::Updated,
            ),
            (
                "updated 8: 41 p. m. EST, Tue March 3, 2009",
                ymd(2009, 3, 3),
                LabelKind::Updated,
            ),
        ] {
            let d = published_from_text(&article(head)).unwrap();
            assert_eq!((d.day, d.how), (want, DateSource::Label(kind)), "{head}");
        }
        // The label is part of the span.
        let text = article("Last updated: 2013-05-08 08:00");
        let d = published_from_text(&text).unwrap();
        assert_eq!(&text[d.span.clone()], "Last updated: 2013-05-08");
        // A label on the line above.
        let d =
            published_from_text("Title here\nPublished:\nMay 2, 2013\nText, he said.\n").unwrap();
        assert_eq!(d.how, DateSource::Label(LabelKind::Published));
    }

    #[test]
    fn published_beats_header_beats_updated_and_labels_take_the_earliest() {
        // Updated first in the text, published later: published wins.
        let text = article("UPDATED 05 / 03 / 2013 at 11: 00 AM EDT\nOriginally published 05 / 02 / 2013 at 10: 20 AM EDT");
        let d = published_from_text(&text).unwrap();
        assert_eq!(
            (d.day, d.how),
            (ymd(2013, 5, 2), DateSource::Label(LabelKind::Published))
        );
        // Published label over an unlabelled header date.
        assert_eq!(
            day(&article("May 9, 2013\nPublished: May 2, 2013")),
            Some(ymd(2013, 5, 2))
        );
        // Header date over an updated label (seed 003's pattern, in the other order too).
        assert_eq!(
            day(&article("Updated: May 9, 2013\nMay 2, 2013")),
            Some(ymd(2013, 5, 2))
        );
        // The earliest of two published labels.
        assert_eq!(
            day(&article(
                "Posted: May 9, 2013\nFirst published: May 2, 2013"
            )),
            Some(ymd(2013, 5, 2))
        );
        // The earliest of two updated labels.
        assert_eq!(
            day(&article("Updated: May 9, 2013\nUpdated: May 4, 2013")),
            Some(ymd(2013, 5, 4))
        );
        // The first of two header dates (later ones are lists of other stories).
        assert_eq!(
            day("Title\nMay 9, 2013\nStory, he said.\nOther story\nMay 2, 2013\n"),
            Some(ymd(2013, 5, 9))
        );
    }

    #[test]
    fn dateline_dates_need_a_year_from_elsewhere() {
        let wire = "Russia warns on Syria\nMOSCOW, May 7 (Reuters) - Russia said on Tuesday it would keep talking.\n";
        assert_eq!(published_from_text(wire), None);
        let with_update = format!("Updated: May 9, 2013\n{wire}");
        let d = published_from_text(&with_update).unwrap();
        assert_eq!((d.day, d.how), (ymd(2013, 5, 7), DateSource::Dateline));
        assert_eq!(&with_update[d.span.clone()], "May 7");
        assert!(d
            .describe(&with_update)
            .ends_with("(year from another date)"));
        // An update in January: the dateline's December is the year before.
        let jan =
            "Updated: Jan 2, 2014\nMoscow, Dec 30 (Reuters) - Talks went on, officials said.\n";
        assert_eq!(day(jan), Some(ymd(2013, 12, 30)));
        let with_copyright = format!("{wire}More text.\n© 2005-2013 Thomson Reuters\n");
        assert_eq!(day(&with_copyright), Some(ymd(2013, 5, 7)));
    }

    // ---- things that are not dates ---------------------------------------------------------

    #[test]
    fn dates_inside_sentences_are_not_publication_dates() {
        assert_eq!(
            day(&article("Page was born on April 22, 1923, in Nashville.")),
            None
        );
        assert_eq!(
            day(&article(
                "Reid checked herself in on Tuesday, December 9, 2008."
            )),
            None
        );
        assert_eq!(
            day(&article("March 11, 2005 was the day the rampage began.")),
            None
        );
        assert_eq!(
            day(&article("the game was released on September 25, 2019")),
            None
        );
        // But the same date as a header line is.
        assert_eq!(day(&article("April 22, 1923")), Some(ymd(1923, 4, 22)));
    }

    #[test]
    fn negative_labels_tweets_captions_and_ranges_are_skipped() {
        for head in [
            "Posted 1 year, 160 days ago [ downloaded on 2 October 2013 ]",
            "Retrieved 2 October 2013",
            "— Robert Maguire (@RobertMaguire_) November 18, 2019",
            "Source: Russian Defense Ministry, October 25, 2019",
            "2018.04.05 ~ OPEN RUN",
            "29 November 2018 | 20 January 2019",
        ] {
            assert_eq!(day(&article(head)), None, "{head}");
        }
    }

    #[test]
    fn numbers_that_are_not_dates() {
        for head in [
            // phone numbers
            "Call 555-12-2016 or +49 40 890 85-433",
            "Tel. (030) 12 10 2016",
            // versions
            "Firmware v2.10.2016",
            "Version 2.10.2016",
            "Build 1.2.3.2016",
            // scores, ranges, times, decimals, addresses
            "Colts 20-13 Chiefs, 3-1",
            "Seasons 1951-1957",
            "08:00 10.30 14: 25",
            "192.168.1.1",
            "MS08-078",
            // a URL's date path
            "http://www.nytimes.com/2019/11/19/opinion/x.html",
            // impossible days
            "31/02/2013",
            "13/13/2013",
            "2013-02-30",
            "May 5 1000 people",
        ] {
            let text = article(head);
            assert_eq!(day(&text), None, "{head}");
            assert_eq!(days(&text, None), vec![], "{head}");
        }
    }

    #[test]
    fn the_head_is_a_window() {
        let mut text = String::from("Title\n");
        for i in 0..30 {
            text.push_str(&format!(
                "Sentence {i} of the story goes on for a while, with enough words to fill a line of news text, as officials said.\n"
            ));
        }
        text.push_str("May 2, 2013\n");
        assert_eq!(day(&text), None);
        // A label still counts further down.
        text.push_str("Published: May 2, 2013\n");
        assert_eq!(day(&text), Some(ymd(2013, 5, 2)));
    }

    // ---- dateline places -------------------------------------------------------------------

    #[test]
    fn datelines() {
        for (text, name, region, agency) in [
            (
                "BERLIN (AFP) - German officials said on Monday that talks failed.",
                "Berlin",
                None,
                Some("AFP"),
            ),
            (
                "WASHINGTON — The Senate voted on Tuesday to pass the bill.",
                "Washington",
                None,
                None,
            ),
            (
                "LOS ANGELES (AP) — A man was arrested after a chase, police said.",
                "Los Angeles",
                None,
                Some("AP"),
            ),
            (
                "Moscow, Dec 7 (Reuters) - Russia said it would keep talking.",
                "Moscow",
                None,
                Some("Reuters"),
            ),
            (
                "HAMBURG, Germany \nU.S. Secretary of State John Kerry met Lavrov.",
                "Hamburg",
                Some("Germany"),
                None,
            ),
            (
                "ST. LOUIS, Mo. (AP) — A judge ruled on Friday that the law stands.",
                "St. Louis",
                Some("Mo."),
                Some("AP"),
            ),
            (
                "PORT-AU-PRINCE, Haiti (AP) — Protesters marched through the capital.",
                "Port-au-Prince",
                Some("Haiti"),
                Some("AP"),
            ),
            (
                "RIO DE JANEIRO (Reuters) - Brazil's central bank held rates steady.",
                "Rio de Janeiro",
                None,
                Some("Reuters"),
            ),
            (
                "MCALLEN, Texas (AP) — Border agents said they found the group.",
                "McAllen",
                Some("Texas"),
                Some("AP"),
            ),
            (
                "Hong Kong (CNN Business) A muddled view of trade talks weighs on investors.",
                "Hong Kong",
                None,
                Some("CNN Business"),
            ),
            (
                "Dekalb, Ill. — Mike Glass threw for three touchdowns on Tuesday.",
                "Dekalb",
                Some("Ill."),
                None,
            ),
            (
                "Mannheim, Germany (Sports Network) - Klitschko retained his belts.",
                "Mannheim",
                Some("Germany"),
                Some("Sports Network"),
            ),
            (
                "WASHINGTON, DC, April 28, 2009",
                "Washington",
                Some("DC"),
                None,
            ),
            (
                "SAN FRANCISCO -- Apple unveiled a new laptop on Monday.",
                "San Francisco",
                None,
                None,
            ),
            (
                "SUNNYVALE, Calif. —2 / 29 / 2012",
                "Sunnyvale",
                Some("Calif."),
                None,
            ),
        ] {
            let full =
                format!("A headline for the story\n{text}\nMore of the story, officials said.\n");
            let p = dateline_place(&full).unwrap_or_else(|| panic!("no dateline in {text:?}"));
            assert_eq!(p.name, name, "{text}");
            assert_eq!(p.region.as_deref(), region, "{text}");
            assert_eq!(p.agency.as_deref(), agency, "{text}");
            assert_eq!(p.line, 2);
            assert!(full[p.span.clone()]
                .to_lowercase()
                .starts_with(&name.to_lowercase()[..3]));
        }
    }

    #[test]
    fn headlines_bylines_and_kickers_are_not_datelines() {
        for text in [
            "By Ayhan Simsek",
            "BY AYHAN SIMSEK",
            "BY AYHAN SIMSEK, Anadolu Agency",
            "Kerry, Lavrov discuss Syria in Hamburg",
            "KERRY, LAVROV MEET IN HAMBURG",
            "STOCKS RALLY - DOW UP 100",
            "MUST SEE: Navy pins down Somali pirates in heroic face-off",
            "NCAA: Improper gifts, assistance given to athletes",
            "Advanced Micro Devices (AMD) Chief Executive Hector Ruiz said the deal was good.",
            "Adam (Pacman) Jones says the injury was bothering him before.",
            "MONDAY, MAY 23, 2005",
            "THE WHITE HOUSE",
            "RENEW (Left)",
            "AP-US--Trump-Impeachment, 4th Ld-Writethru",
            "(Reuters) — The New York State Attorney General is investigating WeWork.",
            "Kerry — who is on a farewell tour — met Lavrov in Hamburg.",
            "UPDATED: Kerry meets Lavrov — talks go on",
        ] {
            let full =
                format!("{text}\nThe officials met in the capital and talked for two hours.\n");
            assert_eq!(place(&full), None, "{text}");
        }
    }

    #[test]
    fn title_case_of_places() {
        assert_eq!(title_case("LOS ANGELES"), "Los Angeles");
        assert_eq!(title_case("WINSTON-SALEM"), "Winston-Salem");
        assert_eq!(title_case("O'HARE"), "O'Hare");
        assert_eq!(title_case("ST. LOUIS"), "St. Louis");
        assert_eq!(title_case("D.C."), "D.C.");
        assert_eq!(title_case("Moscow"), "Moscow");
    }

    // ---- weekdays and mentioned days -------------------------------------------------------

    #[test]
    fn resolve_weekday_is_the_latest_on_or_before() {
        let thu = ymd(2016, 12, 8);
        assert_eq!(resolve_weekday(thu, Weekday::Thu), thu);
        assert_eq!(resolve_weekday(thu, Weekday::Wed), ymd(2016, 12, 7));
        assert_eq!(resolve_weekday(thu, Weekday::Fri), ymd(2016, 12, 2));
        assert_eq!(
            resolve_weekday(ymd(2017, 1, 2), Weekday::Sat),
            ymd(2016, 12, 31)
        );
        let mut a = ymd(2015, 12, 20);
        while a < ymd(2016, 1, 20) {
            for w in [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun,
            ] {
                let r = resolve_weekday(a, w);
                assert_eq!(r.weekday(), w);
                assert!(r <= a && (a - r).num_days() < 7, "{a} {w}");
            }
            a = a.succ_opt().unwrap();
        }
    }

    #[test]
    fn mentioned_days_rules() {
        let anchor = Some(ymd(2016, 12, 8)); // a Thursday
        let text = "Talks resumed on Thursday. Last Thursday they met. They will meet next Monday.\n\
                    The summit is scheduled for Friday. On Tuesday, Dec. 6, 2016, nothing happened.\n\
                    Good Friday and the Sunday Times are no days; Monday's vote was on December 5.";
        let got = days(text, anchor);
        assert_eq!(
            got,
            vec![
                (ymd(2016, 12, 8), "Thursday"),
                (ymd(2016, 12, 1), "Thursday"),
                (ymd(2016, 12, 12), "Monday"),
                (ymd(2016, 12, 9), "Friday"),
                (ymd(2016, 12, 6), "Tuesday, Dec. 6, 2016"),
                (ymd(2016, 12, 5), "Monday"),
                (ymd(2016, 12, 5), "December 5"),
            ]
        );
        // Scheduled ("is to be"), but not "had to be"; a named day is no day.
        assert_eq!(
            days(
                "The bill is to be voted on Friday. He had to be taken to hospital on Tuesday. \
                 She will host on Oscar Sunday.",
                anchor
            ),
            vec![(ymd(2016, 12, 9), "Friday"), (ymd(2016, 12, 6), "Tuesday")]
        );
        // Without an anchor: the full date only.
        assert_eq!(
            days(text, None),
            vec![(ymd(2016, 12, 6), "Tuesday, Dec. 6, 2016")]
        );
        // Month and day without a year: the nearest to the anchor.
        assert_eq!(
            days(
                "It began on Dec. 28 and ended on 2 January.",
                Some(ymd(2017, 1, 3))
            ),
            vec![
                (ymd(2016, 12, 28), "Dec. 28"),
                (ymd(2017, 1, 2), "2 January")
            ]
        );
        // Lower-case "sunday" and the modal "may" are not days.
        assert_eq!(
            days("we may 3 times a sunday", Some(ymd(2016, 12, 8))),
            vec![]
        );
    }

    #[test]
    fn no_panic_and_spans_on_char_boundaries() {
        let samples = [
            "",
            "\n\n\n",
            "é’—\u{a0}2013-05-08’",
            "Ω 8 December 2016 ß\n(AP) —",
            "HAMBURG, Gérmany —\u{2028}story",
            "05 / 02 /",
            "May",
            "May 7 (",
            "MOSCOW, May 7 (Reuters",
            "©",
            "Copyright 2013",
        ];
        for s in samples {
            for cut in 0..=s.len() {
                if !s.is_char_boundary(cut) {
                    continue;
                }
                let t = &s[..cut];
                if let Some(d) = published_from_text(t) {
                    assert!(t.get(d.span.clone()).is_some());
                    let _ = d.describe(t);
                }
                if let Some(p) = dateline_place(t) {
                    assert!(t.get(p.span.clone()).is_some());
                }
                for (_, sp) in mentioned_days(t, Some(ymd(2016, 12, 8))) {
                    assert!(t.get(sp).is_some());
                }
            }
        }
    }
}
