//! The wire dateline at the start of a story ("HAMBURG, Germany", "Moscow, Dec 7 (Reuters) -"):
//! place words, region, agency, dash, the words that are never places, and the place name in
//! title case.

use chrono::Datelike;
use std::ops::Range;

use super::dates::{match_day_first, match_month_first, match_numeric, Value};
use super::scan::{all_upper, is_cap, is_lower_word, month_of, weekday_of, Kind, Scan};

const DASHES: &str = "-–—―−";

pub(super) struct Dateline {
    pub(super) first: usize,
    pub(super) name: String,
    pub(super) region: Option<String>,
    pub(super) agency: Option<String>,
    pub(super) span: Range<usize>,
    /// Month, day and span of a date in the dateline ("MOSCOW, May 7 (Reuters) -").
    pub(super) date: Option<(u32, u32, Range<usize>)>,
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

pub(super) fn find_dateline(scan: &Scan, head_end: usize) -> Option<Dateline> {
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
pub(super) fn title_case(s: &str) -> String {
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
