//! What makes a date the publication date: labels before it ("Published:", "Updated", and
//! words that rule a date out such as "born" or "accessed"), unlabelled header lines that hold
//! a date and little else, and the year a dateline's month and day fall in.

use chrono::{Datelike, NaiveDate};

use super::dates::{year_ok, Hit};
use super::scan::{is_cap, is_lower_word, weekday_of, Kind, Scan};
use super::LabelKind;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Label {
    None,
    Kind(LabelKind, usize),
    Negative,
}

/// The label before a date on its line: back over punctuation, times, zones, "on"/"at", a
/// weekday, and "by Name" ("Posted by Jane Doe on ..."); or a line above that holds only a
/// label ("Published:").
pub(super) fn label_before(scan: &Scan, h: &Hit, taken: &[Hit]) -> Label {
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
pub(super) fn label_start(scan: &Scan, q: usize) -> usize {
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
pub(super) fn is_header_date(scan: &Scan, h: &Hit, all: &[Hit], short: bool) -> bool {
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

/// The latest `month`/`day` on or before `reference`.
pub(super) fn on_or_before(reference: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let y = reference.year();
    [y, y - 1]
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .find(|d| *d <= reference)
}

/// The last year of a copyright notice ("© 2013", "Copyright 2005-2013 Reuters").
pub(super) fn copyright_year(text: &str) -> Option<i32> {
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
