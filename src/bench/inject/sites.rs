//! Where edits can go: the generator's own word scanning (words, sentences,
//! quotes, story lines) and the candidate edits of each kind. It shares no
//! rule with the merger it grades.

use std::ops::Range;

use crate::bench::synth::Rng;
use crate::merge::DiscrepancyKind;
use crate::sketch::shingle::is_english_stopword;

/// A word of the original text.
#[derive(Debug, Clone)]
pub(super) struct Word<'a> {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) text: &'a str,
    /// Sentence number in the article.
    pub(super) sentence: usize,
    /// First word of its sentence.
    pub(super) initial: bool,
    /// Inside quotation marks.
    pub(super) quoted: bool,
    /// On a story line (ten words or more, ending like a sentence): only
    /// those are edited, headlines and chrome are not.
    pub(super) story: bool,
}

/// Words (letters and digits, with inner `,` `.` between digits and inner
/// apostrophes) with their sentence numbers.
pub(super) fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut sentence = 0usize;
    let mut initial = true;
    let mut quoted = false;
    let is_word_char = |c: char| c.is_alphanumeric();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (at, c) = chars[k];
        if is_word_char(c) {
            let start = at;
            let mut j = k + 1;
            while j < chars.len() {
                let (_, d) = chars[j];
                let inner = (d == ',' || d == '.')
                    && chars[j - 1].1.is_ascii_digit()
                    && chars.get(j + 1).is_some_and(|n| n.1.is_ascii_digit())
                    || (d == '\'' || d == '’')
                        && chars[j - 1].1.is_alphabetic()
                        && chars.get(j + 1).is_some_and(|n| n.1.is_alphabetic());
                if is_word_char(d) || inner {
                    j += 1;
                } else {
                    break;
                }
            }
            let end = chars.get(j).map_or(text.len(), |n| n.0);
            out.push(Word {
                start,
                end,
                text: &text[start..end],
                sentence,
                initial,
                quoted,
                story: false,
            });
            initial = false;
            k = j;
            continue;
        }
        if c == '\n' {
            sentence += 1;
            initial = true;
            quoted = false;
        } else if matches!(c, '“' | '”' | '"') {
            quoted = c == '“' || c == '"' && !quoted;
        } else if matches!(c, '.' | '!' | '?') {
            // A sentence ends when whitespace and an uppercase letter follow.
            let rest = &text[at + 1..];
            let trimmed = rest.trim_start_matches(['"', '”', '’', '\'', ')']);
            let after_space = trimmed.trim_start_matches([' ', '\t']);
            if after_space.len() < trimmed.len()
                && after_space
                    .chars()
                    .next()
                    .is_some_and(|n| n.is_uppercase() || n == '"' || n == '“')
            {
                sentence += 1;
                initial = true;
            }
        }
        k += 1;
    }
    // Story lines.
    let mut offset = 0;
    for line in text.split('\n') {
        let (ls, le) = (offset, offset + line.len());
        offset = le + 1;
        let in_line: Vec<usize> = (0..out.len())
            .filter(|&i| out[i].start >= ls && out[i].end <= le)
            .collect();
        let ends_like_sentence = line
            .trim_end()
            .ends_with(['.', '!', '?', '"', '”', '’', ')']);
        if in_line.len() >= 10 && ends_like_sentence {
            for i in in_line {
                out[i].story = true;
            }
        }
    }
    out
}

pub(super) const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
pub(super) const MONTH_ABBREVIATIONS: &[&str] = &[
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
];
pub(super) const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub(super) const NUMBER_WORDS: &[&str] = &[
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
];
pub(super) const PREPOSITIONS: &[&str] = &[
    "at", "by", "for", "from", "in", "into", "of", "on", "to", "with",
];
pub(super) const PAST_VERBS: &[&str] = &[
    "began", "held", "led", "made", "met", "said", "sent", "told", "took", "won", "wrote",
];
/// Neutral rewording: same meaning, other words.
pub(super) const SYNONYMS: &[(&str, &str)] = &[
    ("about", "around"),
    ("began", "started"),
    ("big", "large"),
    ("help", "assist"),
    ("quickly", "rapidly"),
    ("said", "stated"),
    ("show", "display"),
    ("very", "extremely"),
];

pub(super) fn is_capitalized(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
        && w.chars().all(char::is_alphabetic)
        && !is_english_stopword(&w.to_lowercase())
        && !WEEKDAYS.contains(&w)
        && !MONTHS.contains(&w)
}

/// A planned edit of the original text.
#[derive(Debug, Clone)]
pub(super) struct Edit {
    pub(super) range: Range<usize>,
    pub(super) to: String,
    pub(super) kind: Option<DiscrepancyKind>,
    pub(super) sentence: usize,
}

/// Candidate edits of one kind.
pub(super) fn candidates(
    text: &str,
    ws: &[Word],
    kind: DiscrepancyKind,
    rng: &mut Rng,
) -> Vec<Edit> {
    if kind == DiscrepancyKind::Quote {
        return quote_edits(text, ws, rng);
    }
    let mut out = Vec::new();
    let gap = |a: &Word, b: &Word| &text[a.end..b.start];
    for (i, w) in ws.iter().enumerate() {
        if !w.story || w.quoted {
            continue;
        }
        let prev = i
            .checked_sub(1)
            .map(|p| &ws[p])
            .filter(|p| p.sentence == w.sentence);
        let next = ws.get(i + 1).filter(|n| n.sentence == w.sentence);
        let edit = |range: Range<usize>, to: String| Edit {
            range,
            to,
            kind: Some(kind),
            sentence: w.sentence,
        };
        match kind {
            DiscrepancyKind::Number => {
                let month = |x: &Word| {
                    let l = x.text.to_lowercase();
                    MONTHS.iter().any(|m| m.eq_ignore_ascii_case(&l))
                        || MONTH_ABBREVIATIONS.contains(&l.as_str())
                };
                let near_month = prev.is_some_and(month) || next.is_some_and(month);
                // Not part of a date, a time or a label ("No. 8").
                let around =
                    &text.as_bytes()[w.start.saturating_sub(3)..(w.end + 3).min(text.len())];
                let clock = around.iter().any(|&b| b == b':' || b == b'/')
                    || prev.is_some_and(|p| p.text == "No");
                if w.text.starts_with(|c: char| c.is_ascii_digit()) && !near_month && !clock {
                    let digits = w.text.replace(',', "");
                    let Ok(v) = digits.parse::<u64>() else {
                        continue;
                    };
                    if v < 2 || (1900..=2100).contains(&v) && digits.len() == 4 {
                        continue;
                    }
                    let step = ((v as f64 * rng.range(0.1, 0.5)).round() as u64).max(1);
                    let nv = if rng.chance(0.5) || v <= step {
                        v + step
                    } else {
                        v - step
                    };
                    let s = if w.text.contains(',') {
                        with_commas(nv)
                    } else {
                        nv.to_string()
                    };
                    out.push(edit(w.start..w.end, s));
                } else if let Some(p) = NUMBER_WORDS.iter().position(|n| *n == w.text) {
                    let q = (p + 1 + rng.below(NUMBER_WORDS.len() - 1)) % NUMBER_WORDS.len();
                    out.push(edit(w.start..w.end, NUMBER_WORDS[q].to_string()));
                }
            }
            DiscrepancyKind::Date => {
                if let Some(p) = WEEKDAYS.iter().position(|d| *d == w.text) {
                    let after_on = prev.is_some_and(|p| p.text == "on");
                    if !after_on || rng.chance(0.5) {
                        let q = (p + 1 + rng.below(6)) % 7;
                        out.push(edit(w.start..w.end, WEEKDAYS[q].to_string()));
                    }
                } else if MONTHS.contains(&w.text) {
                    if let Some(n) = next.filter(|n| gap(w, n) == " ") {
                        if let Ok(d) = n.text.parse::<u32>() {
                            if (1..=31).contains(&d) {
                                let nd = if d > 5 {
                                    d - 1 - rng.below(4) as u32
                                } else {
                                    d + 1 + rng.below(4) as u32
                                };
                                out.push(edit(n.start..n.end, nd.to_string()));
                            }
                        }
                    }
                }
            }
            DiscrepancyKind::TimeReference => {
                let lower = w.text.to_lowercase();
                let weekday = WEEKDAYS[rng.below(7)];
                if matches!(lower.as_str(), "yesterday" | "today") {
                    let to = if rng.chance(0.5) {
                        format!("on {weekday}")
                    } else {
                        "last week".to_string()
                    };
                    out.push(edit(w.start..w.end, to));
                } else if lower == "last" || lower == "this" {
                    if let Some(n) =
                        next.filter(|n| matches!(n.text, "week" | "month") && gap(w, n) == " ")
                    {
                        out.push(edit(w.start..n.end, format!("on {weekday}")));
                    }
                } else if w.text == "on" {
                    if let Some(n) = next.filter(|n| WEEKDAYS.contains(&n.text) && gap(w, n) == " ")
                    {
                        let to = *rng.pick(&["last week", "earlier this week", "yesterday"]);
                        out.push(edit(w.start..n.end, to.to_string()));
                    }
                }
            }
            DiscrepancyKind::NameVariant => {
                let in_name = prev.is_some_and(|p| is_capitalized(p.text) && gap(p, w) == " ")
                    || next.is_some_and(|n| is_capitalized(n.text) && gap(w, n) == " ");
                if !w.initial && in_name && is_capitalized(w.text) && w.text.chars().count() >= 5 {
                    if let Some(v) = spelling_variant(w.text, rng) {
                        out.push(edit(w.start..w.end, v));
                    }
                }
            }
            DiscrepancyKind::Actor => {
                // A name (one to three capitalized words) right before a past-tense verb.
                let Some(n) = next else { continue };
                let verb = n.text.chars().all(|c| c.is_ascii_lowercase())
                    && (n.text.len() > 4 && n.text.ends_with("ed") || PAST_VERBS.contains(&n.text));
                // A common word capitalized at a sentence start is not a name.
                let common = w.initial && ws.iter().any(|o| o.text == w.text.to_lowercase());
                if !verb || !is_capitalized(w.text) || common || gap(w, n) != " " {
                    continue;
                }
                let mut first = i;
                while first > 0
                    && ws[first - 1].sentence == w.sentence
                    && is_capitalized(ws[first - 1].text)
                    && gap(&ws[first - 1], &ws[first]) == " "
                    && i - first < 2
                {
                    first -= 1;
                }
                // The whole name, not the end of a longer one or of a list.
                if first > 0 && ws[first - 1].sentence == w.sentence {
                    let p = &ws[first - 1];
                    let joined =
                        gap(p, &ws[first]).contains(',') || matches!(p.text, "and" | "of" | "&");
                    if PREPOSITIONS.contains(&p.text)
                        || joined
                        || p.text.starts_with(char::is_uppercase)
                    {
                        continue;
                    }
                }
                let actor = &text[ws[first].start..w.end];
                // Another name of the article, from another sentence.
                let others: Vec<&str> = ws
                    .iter()
                    .filter(|o| {
                        o.sentence != w.sentence
                            && !o.initial
                            && !o.quoted
                            && is_capitalized(o.text)
                            && o.text.chars().count() >= 4
                            && !actor.contains(o.text)
                    })
                    .map(|o| o.text)
                    .collect();
                if others.is_empty() {
                    continue;
                }
                let other = *rng.pick(&others);
                let to = if rng.chance(0.5) {
                    format!("{actor} and {other}")
                } else {
                    other.to_string()
                };
                out.push(Edit {
                    range: ws[first].start..w.end,
                    to,
                    kind: Some(kind),
                    sentence: w.sentence,
                });
            }
            DiscrepancyKind::Quote => {} // quote_edits, above
        }
    }
    out
}

pub(super) fn with_commas(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A spelling variant one letter away (or with a diacritic): Sergei → Sergey.
pub(super) fn spelling_variant(name: &str, rng: &mut Rng) -> Option<String> {
    let mut options: Vec<String> = Vec::new();
    for (from, to) in [
        ("ei", "ey"),
        ("ey", "ei"),
        ("ck", "k"),
        ("ll", "l"),
        ("ss", "s"),
        ("tt", "t"),
        ("mm", "m"),
        ("nn", "n"),
        ("ph", "f"),
    ] {
        if let Some(p) = name[1..].find(from) {
            let p = p + 1;
            options.push(format!("{}{to}{}", &name[..p], &name[p + from.len()..]));
        }
    }
    if let Some(stem) = name.strip_suffix('i') {
        options.push(format!("{stem}y"));
    }
    if let Some(stem) = name.strip_suffix('y') {
        options.push(format!("{stem}i"));
    }
    if let Some(p) = name[1..].find('e') {
        options.push(format!("{}é{}", &name[..p + 1], &name[p + 2..]));
    }
    if let Some(p) = name[1..].find(['l', 'n', 'r', 's', 't']) {
        let c = &name[p + 1..p + 2];
        options.push(format!("{}{c}{}", &name[..p + 1], &name[p + 1..]));
    }
    options.retain(|o| o != name);
    (!options.is_empty()).then(|| rng.pick(&options).clone())
}

/// Quotations of six or more words, reworded: words dropped, the end cut,
/// or a word replaced.
pub(super) fn quote_edits(text: &str, ws: &[Word], rng: &mut Rng) -> Vec<Edit> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (at, c) in text.char_indices() {
        match (c, open) {
            ('“', _) | ('"', None) => open = Some(at + c.len_utf8()),
            ('”' | '"', Some(start)) => {
                open = None;
                let inside: Vec<&Word> = ws
                    .iter()
                    .filter(|w| w.start >= start && w.end <= at)
                    .collect();
                if inside.len() < 6
                    || !inside[0].story
                    || inside.first().map(|w| w.sentence) != inside.last().map(|w| w.sentence)
                {
                    continue;
                }
                let sentence = inside[0].sentence;
                let n = inside.len();
                let edit = match rng.below(3) {
                    0 => {
                        // Drop two words from the middle.
                        let k = 1 + rng.below(n - 3);
                        (inside[k].start..inside[k + 2].start, String::new())
                    }
                    1 => {
                        // Cut the last two or three words.
                        let k = n - 2 - rng.below(2);
                        (inside[k - 1].end..inside[n - 1].end, String::new())
                    }
                    _ => {
                        let k = rng.below(n);
                        let w = inside[k];
                        (
                            w.start..w.end,
                            if w.text == "really" {
                                "truly".into()
                            } else {
                                "really".into()
                            },
                        )
                    }
                };
                out.push(Edit {
                    range: edit.0,
                    to: edit.1,
                    kind: Some(DiscrepancyKind::Quote),
                    sentence,
                });
            }
            ('\n', _) => open = None,
            _ => {}
        }
    }
    out
}
