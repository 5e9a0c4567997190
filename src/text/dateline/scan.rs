//! The token scan every reader works on: words, digit runs and single punctuation marks with
//! their byte spans and lines; the capitalisation tests and the month and weekday names used on
//! its words; and the windows (first lines or bytes) of the text that are scanned.

use chrono::Weekday;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Word,
    Num,
    Punct,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    pub(super) kind: Kind,
    pub(super) start: usize,
    pub(super) end: usize,
    /// 0-based line.
    pub(super) line: usize,
    /// Whitespace (or the line start) comes right before.
    pub(super) space: bool,
}

pub(super) struct Scan<'a> {
    pub(super) text: &'a str,
    pub(super) toks: Vec<Tok>,
}

impl<'a> Scan<'a> {
    /// Tokens of `text[..limit]` (the limit is moved to a char boundary).
    pub(super) fn new(text: &'a str, limit: usize) -> Self {
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

    pub(super) fn s(&self, i: usize) -> &'a str {
        let t = self.toks[i];
        &self.text[t.start..t.end]
    }

    pub(super) fn get(&self, i: usize) -> Option<Tok> {
        self.toks.get(i).copied()
    }

    pub(super) fn is_punct(&self, i: usize, set: &str) -> bool {
        self.get(i)
            .is_some_and(|t| t.kind == Kind::Punct && set.contains(self.s(i)))
    }

    pub(super) fn same_line(&self, a: usize, b: usize) -> bool {
        match (self.get(a), self.get(b)) {
            (Some(x), Some(y)) => x.line == y.line,
            _ => false,
        }
    }

    /// Token `i` exists, is on `line`, and is glued to the token before it.
    pub(super) fn glued(&self, i: usize, line: usize) -> bool {
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

pub(super) fn is_cap(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

pub(super) fn is_lower_word(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_lowercase)
}

pub(super) fn all_upper(w: &str) -> bool {
    w.chars().any(char::is_alphabetic) && !w.chars().any(char::is_lowercase)
}

/// A month name or abbreviation, capitalised or upper case.
pub(super) fn month_of(w: &str) -> Option<u32> {
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
pub(super) fn weekday_of(w: &str, abbrev: bool) -> Option<Weekday> {
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
pub(super) fn window_wide(text: &str, lines: usize, bytes: usize) -> usize {
    lines_end(text, lines).max(bytes_end(text, bytes))
}

/// Window of `lines` non-empty lines within `bytes`.
pub(super) fn window_narrow(text: &str, lines: usize, bytes: usize) -> usize {
    lines_end(text, lines).min(bytes_end(text, bytes))
}
