//! Event terms of an article: words (stems), names (capitalised runs) and
//! numbers, each with its count, title flag and key (`term_key`).

use std::collections::HashMap;

use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::article::Article;
use crate::sketch::shingle::{is_english_stopword, stem_word, Language};
use crate::text::normalize::normalize_line_cased;

/// What a term is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TermKind {
    Word,
    Name,
    Number,
}

impl TermKind {
    /// A term's kind and title flag in one byte, as the index stores them.
    pub(crate) fn code(self, in_title: bool) -> u8 {
        let kind = match self {
            TermKind::Word => 0,
            TermKind::Name => 1,
            TermKind::Number => 2,
        };
        kind | if in_title { 4 } else { 0 }
    }

    /// The inverse of [`Self::code`] (an unknown kind reads as a word).
    pub(crate) fn decode(code: u8) -> (TermKind, bool) {
        let kind = match code & 3 {
            1 => TermKind::Name,
            2 => TermKind::Number,
            _ => TermKind::Word,
        };
        (kind, code & 4 != 0)
    }

    fn tag(self) -> u64 {
        match self {
            TermKind::Word => 1,
            TermKind::Name => 2,
            TermKind::Number => 3,
        }
    }
}

/// One term of an article before weighting: how often it occurs, whether it
/// is in the title, and how it was written the first time.
#[derive(Debug, Clone)]
pub struct RawTerm {
    pub key: u64,
    pub kind: TermKind,
    pub count: u32,
    pub in_title: bool,
    pub surface: String,
}

/// The terms of one article, sorted by key.
#[derive(Debug, Clone, Default)]
pub struct RawTerms(pub Vec<RawTerm>);

/// A token of cased text with what the name finder needs to know.
struct Token<'a> {
    text: &'a str,
    /// First letter is uppercase (or the whole word is).
    capitalised: bool,
    /// First word of a sentence (its capital says nothing).
    sentence_start: bool,
    has_digit: bool,
}

fn tokens(line: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    // Whether the text since the last word ends a sentence or opens a quote.
    let mut gap_breaks = true;
    for (i, c) in line.char_indices() {
        // Keep decimal points and thousands separators inside numbers: 6.1, 70,000.
        let in_number = (c == '.' || c == ',')
            && start.is_some_and(|s| {
                line[s..i]
                    .chars()
                    .all(|d| d.is_ascii_digit() || d == '.' || d == ',')
            })
            && line[i + 1..]
                .chars()
                .next()
                .is_some_and(|d| d.is_ascii_digit());
        if c.is_alphanumeric() || in_number {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            out.push(token(&line[s..i], gap_breaks));
            gap_breaks = false;
        }
        if matches!(c, '.' | '!' | '?' | ':' | ';' | '"' | '(' | '[') {
            gap_breaks = true;
        }
    }
    if let Some(s) = start {
        out.push(token(&line[s..], gap_breaks));
    }
    out
}

fn token(text: &str, sentence_start: bool) -> Token<'_> {
    Token {
        text,
        capitalised: text.chars().next().is_some_and(char::is_uppercase),
        sentence_start,
        has_digit: text.chars().any(|c| c.is_ascii_digit()),
    }
}

/// The key of a term: a word's stem hash mixed with its kind, else the
/// hash of its lowercase text with its kind as seed. One definition for the
/// vocabulary, the index and the background table.
pub(crate) fn term_key(kind: TermKind, key_text: &str, stem: Option<u64>) -> u64 {
    match stem {
        Some(h) => h ^ kind.tag().wrapping_mul(0x9e37_79b9_7f4a_7c15),
        None => xxh3_64_with_seed(key_text.as_bytes(), kind.tag()),
    }
}

/// The terms of an article from its story lines (`story_lines`):
/// stems, names and numbers of the title and the story.
pub fn story_terms(article: &Article, story: &[(usize, String)]) -> RawTerms {
    let title = article.title.as_deref().map(normalize_line_cased);
    let lang = Language::from_code(article.lang.as_deref());
    extract(
        title.as_deref(),
        story.iter().map(|(_, l)| l.as_str()),
        lang,
    )
}

/// Records one term: kind, key text, stem hash (words), surface, in title.
type AddTerm<'a> = dyn FnMut(TermKind, &str, Option<u64>, &str, bool) + 'a;

/// Extracts the terms of one article from its title and its story lines
/// (normalized with case kept, boilerplate removed).
pub fn extract<'a>(
    title: Option<&str>,
    lines: impl IntoIterator<Item = &'a str>,
    lang: Language,
) -> RawTerms {
    let mut terms: HashMap<u64, RawTerm> = HashMap::new();
    let mut add =
        |kind: TermKind, key_text: &str, stem: Option<u64>, surface: &str, in_title: bool| {
            let key = term_key(kind, key_text, stem);
            let t = terms.entry(key).or_insert_with(|| RawTerm {
                key,
                kind,
                count: 0,
                in_title: false,
                surface: surface.to_string(),
            });
            t.count += 1;
            t.in_title |= in_title;
        };
    let title_lines = title.into_iter().map(|t| (t, true));
    let body_lines = lines.into_iter().map(|l| (l, false));
    let mut lower = String::new();
    for (line, in_title) in title_lines.chain(body_lines) {
        let toks = tokens(line);
        let mut run: Vec<&Token> = Vec::new();
        let flush = |run: &mut Vec<&Token>, add: &mut AddTerm| {
            // A lone capitalised word that starts a sentence is not evidence of a name.
            while run
                .first()
                .is_some_and(|t| t.sentence_start && is_english_stopword(&t.text.to_lowercase()))
            {
                run.remove(0);
            }
            if run.len() == 1 && run[0].sentence_start {
                run.clear();
            }
            if !run.is_empty() {
                let words: Vec<String> = run.iter().map(|t| t.text.to_lowercase()).collect();
                if words.len() > 1 {
                    let phrase = words.join(" ");
                    let surface: Vec<&str> = run.iter().map(|t| t.text).collect();
                    add(TermKind::Name, &phrase, None, &surface.join(" "), in_title);
                }
                for (w, t) in words.iter().zip(run.iter()) {
                    if !is_english_stopword(w) {
                        add(TermKind::Name, w, None, t.text, in_title);
                    }
                }
            }
            run.clear();
        };
        for tok in &toks {
            lower.clear();
            lower.extend(tok.text.chars().flat_map(char::to_lowercase));
            if tok.has_digit {
                flush(&mut run, &mut add);
                let key: String = lower.chars().filter(|c| *c != ',').collect();
                add(TermKind::Number, &key, None, tok.text, in_title);
                continue;
            }
            let name_like = tok.capitalised
                && !is_calendar_word(&lower)
                && !(tok.sentence_start && is_english_stopword(&lower) && run.is_empty());
            if name_like {
                if tok.sentence_start && !run.is_empty() {
                    flush(&mut run, &mut add);
                }
                run.push(tok);
            } else {
                flush(&mut run, &mut add);
            }
            if lower.chars().count() < 2 {
                continue;
            }
            let (stem, stop) = stem_word(&lower, lang);
            if !stop {
                add(TermKind::Word, &lower, Some(stem), &lower, in_title);
            }
        }
        flush(&mut run, &mut add);
    }
    let mut out: Vec<RawTerm> = terms.into_values().collect();
    out.sort_unstable_by_key(|t| t.key);
    RawTerms(out)
}

/// Weekdays and months are capitalised but are not names: as words they
/// still count, without the name boost.
fn is_calendar_word(lower: &str) -> bool {
    const CALENDAR: &[&str] = &[
        "april",
        "august",
        "december",
        "february",
        "friday",
        "january",
        "july",
        "june",
        "march",
        "may",
        "monday",
        "november",
        "october",
        "saturday",
        "september",
        "sunday",
        "thursday",
        "tuesday",
        "wednesday",
    ];
    CALENDAR.binary_search(&lower).is_ok()
}
