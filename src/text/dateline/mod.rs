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
//!
//! Stages: `scan` (tokens, month and weekday names, text windows), `dates` (date forms and the
//! not-dates rules), `published` (labels and header lines), `place` (datelines), `days`
//! (weekdays and month-days without a year).

mod dates;
mod days;
mod place;
mod published;
mod scan;
#[cfg(test)]
mod tests;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::ops::Range;

use dates::{find_dates, Order, Value};
use days::{nearest_month_day, weekday_mentions};
use place::find_dateline;
use published::{copyright_year, is_header_date, label_before, label_start, on_or_before, Label};
use scan::{window_narrow, window_wide, Scan};

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

/// Whether a word names a weekday or a month ("Tuesday", "Dec"), as the
/// date rules read them (capitalised; a possessive "Tuesday's" counts).
pub fn is_day_or_month_name(word: &str) -> bool {
    let w = word.trim_end_matches("'s").trim_end_matches("’s");
    scan::month_of(w).is_some() || scan::weekday_of(w, true).is_some()
}

/// The latest `weekday` on or before `anchor` ("on Thursday" in news is about the past week).
pub fn resolve_weekday(anchor: NaiveDate, weekday: Weekday) -> NaiveDate {
    let back = (7 + anchor.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    anchor - Duration::days(i64::from(back))
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
        weekday_mentions(&scan, &hits, anchor, &mut out);
    }
    out.sort_by_key(|(_, s)| s.start);
    out
}
