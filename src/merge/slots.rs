//! Typed slots of a claim: numbers with what they count, dates and weekdays,
//! relative time references, names, quotations with their speaker, and the
//! actor (who did it).

use std::collections::BTreeSet;
use std::ops::Range;

use rust_stemmers::{Algorithm, Stemmer};

use super::lexicon::{
    month, weekday, AUXILIARIES, BETWEEN, MULTIPLIERS, NUMBER_WORDS, PERIODS, PREPOSITIONS,
    SPEECH_VERBS,
};
use super::text::{acronym, Kind, Token};
use crate::sketch::shingle::is_english_stopword;

/// A number and the word it counts (`70,000 dead` → 70000, "dead").
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NumberSlot {
    pub value: f64,
    pub unit: Option<String>,
    pub tokens: Range<usize>,
}

/// An absolute date expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum DateValue {
    Weekday(u8),
    MonthDay(u8, u8),
    Year(i32),
    Full(i32, u8, u8),
}

impl DateValue {
    /// Which values compare with which: a weekday with a weekday, and so on.
    pub fn class(self) -> u8 {
        match self {
            DateValue::Weekday(_) => 0,
            DateValue::MonthDay(..) => 1,
            DateValue::Year(_) => 2,
            DateValue::Full(..) => 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DateSlot {
    pub value: DateValue,
    pub tokens: Range<usize>,
}

/// A relative time reference (`last week`, `yesterday`), normalized.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TimeSlot {
    pub key: String,
    pub tokens: Range<usize>,
}

/// A quotation (or the part of one inside the claim).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QuoteSlot {
    /// Its words, lowercase, without punctuation.
    pub words: Vec<String>,
    pub tokens: Range<usize>,
    /// The name next to a speech verb in the sentence, lowercase.
    pub speaker: Option<String>,
}

/// Who did it: the names before the claim's first verb (or after `by` in a passive).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ActorSlot {
    /// Each name as its lowercase words.
    pub names: Vec<Vec<String>>,
    pub tokens: Range<usize>,
    /// The verb, lowercase.
    pub verb: String,
}

/// A name: a run of capitalized words (token range).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NameRun {
    pub tokens: Range<usize>,
}

/// Everything typed in one claim.
#[derive(Debug, Clone, Default)]
pub(crate) struct Slots {
    pub numbers: Vec<NumberSlot>,
    pub dates: Vec<DateSlot>,
    pub times: Vec<TimeSlot>,
    pub quotes: Vec<QuoteSlot>,
    pub names: Vec<NameRun>,
    /// Every actor of the claim, in order.
    pub actors: Vec<ActorSlot>,
}

/// Whether a capitalized word at `i` is a name: not a stopword or a calendar
/// word, and, at a sentence start, not a word the event also writes in lowercase.
fn is_name(
    tokens: &[Token],
    i: usize,
    sentence_start: usize,
    lowercase: &BTreeSet<String>,
) -> bool {
    let t = &tokens[i];
    if t.kind != Kind::Word || !t.capitalized() {
        return false;
    }
    if acronym(&t.text).is_some() {
        return true;
    }
    let w = t.lower.as_str();
    if is_english_stopword(w) || weekday(w).is_some() || month(w).is_some() {
        return false;
    }
    let at_start = i == sentence_start
        || tokens[sentence_start..i]
            .iter()
            .all(|t| t.kind == Kind::Punct);
    !(at_start && lowercase.contains(w))
}

/// Extracts the slots of the claim `range` (whose sentence is `sentence`).
pub(crate) fn extract(
    tokens: &[Token],
    range: Range<usize>,
    sentence: Range<usize>,
    lowercase: &BTreeSet<String>,
) -> Slots {
    let mut slots = Slots::default();
    let mut used = vec![false; range.len()];
    dates(tokens, range.clone(), &mut slots, &mut used);
    times(tokens, range.clone(), &mut slots, &mut used);
    numbers(tokens, range.clone(), &mut slots, &used);
    // Names.
    let mut i = range.start;
    while i < range.end {
        if is_name(tokens, i, sentence.start, lowercase) {
            let start = i;
            while i + 1 < range.end
                && is_name(tokens, i + 1, sentence.start, lowercase)
                && tokens[i + 1].spaced
            {
                i += 1;
            }
            slots.names.push(NameRun {
                tokens: start..i + 1,
            });
        }
        i += 1;
    }
    slots.quotes = quotes(tokens, range.clone(), sentence.clone());
    slots.actors = actors(tokens, range, &slots.names);
    slots
}

fn dates(tokens: &[Token], range: Range<usize>, slots: &mut Slots, used: &mut [bool]) {
    let at = |k: usize| tokens.get(k).filter(|_| k < range.end);
    let day_of = |t: &Token| -> Option<u8> {
        (t.kind == Kind::Number)
            .then(|| {
                t.lower
                    .trim_end_matches(|c: char| c.is_alphabetic())
                    .parse::<u8>()
                    .ok()
            })
            .flatten()
            .filter(|d| (1..=31).contains(d))
    };
    let mut k = range.start;
    while k < range.end {
        let t = &tokens[k];
        let mut push = |value, r: Range<usize>, used: &mut [bool]| {
            for u in r.clone() {
                used[u - range.start] = true;
            }
            slots.dates.push(DateSlot { value, tokens: r });
        };
        if let Some(d) = weekday(&t.lower) {
            push(DateValue::Weekday(d), k..k + 1, used);
        } else if let (Some(m), true) = (month(&t.lower), t.capitalized()) {
            // "December 2", "Dec. 2", "2 December".
            let after = if at(k + 1).is_some_and(|n| n.text == ".") {
                k + 2
            } else {
                k + 1
            };
            if let Some(d) = at(after).and_then(day_of) {
                push(DateValue::MonthDay(m, d), k..after + 1, used);
                k = after + 1;
                continue;
            }
            if let Some(d) = k
                .checked_sub(1)
                .filter(|&p| p >= range.start && !used[p - range.start])
                .and_then(|p| day_of(&tokens[p]))
            {
                push(DateValue::MonthDay(m, d), k - 1..k + 1, used);
            }
        } else if t.kind == Kind::Number {
            if let Some(v) = full_date(&t.lower) {
                push(v, k..k + 1, used);
            } else if t.lower.len() == 4 {
                if let Ok(y) = t.lower.parse::<i32>() {
                    if (1900..=2100).contains(&y) {
                        push(DateValue::Year(y), k..k + 1, used);
                    }
                }
            }
        }
        k += 1;
    }
}

/// `08.12.2016`, `2016-12-08`, `12/08/2016` (read day first unless impossible).
fn full_date(s: &str) -> Option<DateValue> {
    let parts: Vec<&str> = s.split(['.', '/', '-']).collect();
    if parts.len() != 3 {
        return None;
    }
    let n: Vec<i32> = parts
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (y, a, b) = if parts[0].len() == 4 {
        (n[0], n[1], n[2])
    } else {
        (n[2], n[1], n[0])
    };
    let (m, d) = if a > 12 { (b, a) } else { (a, b) };
    ((1..=12).contains(&m) && (1..=31).contains(&d) && (1900..=2100).contains(&y))
        .then_some(DateValue::Full(y, m as u8, d as u8))
}

fn times(tokens: &[Token], range: Range<usize>, slots: &mut Slots, used: &mut [bool]) {
    let word = |k: usize| -> &str {
        if k < range.end {
            tokens[k].lower.as_str()
        } else {
            ""
        }
    };
    let mut k = range.start;
    while k < range.end {
        let w = word(k);
        let found: Option<(String, usize)> = match w {
            "yesterday" | "today" | "tonight" | "tomorrow" | "overnight" | "recently" => {
                Some((w.to_string(), 1))
            }
            "last" | "this" | "next" | "past" if PERIODS.contains(&word(k + 1)) => {
                Some((format!("{w} {}", word(k + 1)), 2))
            }
            "earlier" | "later"
                if matches!(word(k + 1), "this" | "last" | "next")
                    && PERIODS.contains(&word(k + 2)) =>
            {
                Some((format!("{w} {} {}", word(k + 1), word(k + 2)), 3))
            }
            _ => {
                // "two days ago", "3 weeks ago"
                let count = tokens[k].kind == Kind::Number
                    || NUMBER_WORDS.iter().any(|(n, _)| *n == w)
                    || w == "a";
                let unit = word(k + 1).trim_end_matches('s');
                (count
                    && matches!(unit, "day" | "week" | "month" | "year" | "hour")
                    && word(k + 2) == "ago")
                    .then(|| (format!("{w} {} ago", word(k + 1)), 3))
            }
        };
        if let Some((key, len)) = found {
            for u in k..k + len {
                used[u - range.start] = true;
            }
            // "last Friday" is a weekday (a date), not a relative reference.
            slots.times.push(TimeSlot {
                key,
                tokens: k..k + len,
            });
            k += len;
        } else {
            k += 1;
        }
    }
}

fn numbers(tokens: &[Token], range: Range<usize>, slots: &mut Slots, used: &[bool]) {
    let stemmer = Stemmer::create(Algorithm::English);
    let mut k = range.start;
    while k < range.end {
        if used[k - range.start] {
            k += 1;
            continue;
        }
        let t = &tokens[k];
        let mut value = match t.kind {
            Kind::Number => t
                .lower
                .replace(',', "")
                .trim_end_matches('%')
                .parse::<f64>()
                .ok(),
            Kind::Word => NUMBER_WORDS
                .iter()
                .find(|(n, _)| *n == t.lower)
                .map(|(_, v)| *v),
            Kind::Punct => None,
        };
        if value.is_none() {
            k += 1;
            continue;
        }
        let start = k;
        let mut end = k + 1;
        if let Some((_, m)) = tokens
            .get(end)
            .filter(|_| end < range.end)
            .and_then(|n| MULTIPLIERS.iter().find(|(w, _)| *w == n.lower))
        {
            value = value.map(|v| v * m);
            end += 1;
        }
        let percent = t.lower.ends_with('%')
            || tokens.get(end).is_some_and(|n| {
                end < range.end && matches!(n.lower.as_str(), "%" | "percent" | "per")
            });
        // What it counts: the next content word (skipping hyphens and "of").
        let unit = if percent {
            Some("%".to_string())
        } else {
            (end..range.end.min(end + 3))
                .map(|j| &tokens[j])
                .find(|n| n.kind == Kind::Word && !is_english_stopword(&n.lower))
                .filter(|_| {
                    tokens[end..]
                        .first()
                        .is_none_or(|f| f.kind == Kind::Word || f.text == "-")
                })
                .map(|n| stemmer.stem(&n.lower).into_owned())
        };
        slots.numbers.push(NumberSlot {
            value: value.unwrap_or_default(),
            unit,
            tokens: start..end,
        });
        k = end;
    }
}

/// Quotation parts of the claim (at least three words), with their speaker.
fn quotes(tokens: &[Token], range: Range<usize>, sentence: Range<usize>) -> Vec<QuoteSlot> {
    let mut out = Vec::new();
    let mut k = range.start;
    while k < range.end {
        if !tokens[k].quoted {
            k += 1;
            continue;
        }
        let start = k;
        while k < range.end
            && (tokens[k].quoted || tokens[k].kind == Kind::Punct && !is_quote_mark(&tokens[k]))
        {
            k += 1;
        }
        let mut end = k;
        while end > start && tokens[end - 1].kind == Kind::Punct {
            end -= 1;
        }
        let words: Vec<String> = tokens[start..end]
            .iter()
            .filter(|t| t.is_word())
            .map(|t| t.lower.clone())
            .collect();
        if words.len() >= 3 {
            out.push(QuoteSlot {
                words,
                tokens: start..end,
                speaker: None,
            });
        }
    }
    if !out.is_empty() {
        let speaker = speaker(tokens, sentence);
        for q in &mut out {
            q.speaker.clone_from(&speaker);
        }
    }
    out
}

fn is_quote_mark(t: &Token) -> bool {
    matches!(t.text.as_str(), "\"" | "“" | "”" | "«" | "»" | "„")
}

/// The last word of the name nearest a speech verb outside the quotation.
fn speaker(tokens: &[Token], sentence: Range<usize>) -> Option<String> {
    let verb = (sentence.clone()).find(|&k| {
        !tokens[k].quoted
            && SPEECH_VERBS
                .binary_search(&tokens[k].lower.as_str())
                .is_ok()
            || tokens[k].is("according")
    })?;
    let near = |k: usize| {
        let t = &tokens[k];
        (!t.quoted && t.kind == Kind::Word && t.capitalized() && !is_english_stopword(&t.lower))
            .then(|| t.lower.clone())
    };
    // "Kerry said", "said Kerry", "according to Steinmeier".
    let before = (sentence.start.max(verb.saturating_sub(3))..verb)
        .rev()
        .find_map(near);
    let after = (verb + 1..sentence.end.min(verb + 4)).find_map(near);
    before.or(after)
}

/// Names right before a verb, or after `by` in a passive, with the verb.
fn actors(tokens: &[Token], range: Range<usize>, names: &[NameRun]) -> Vec<ActorSlot> {
    let mut out = Vec::new();
    let mut n = 0;
    while n < names.len() {
        let first = &names[n];
        if tokens[first.tokens.start].quoted {
            n += 1;
            continue;
        }
        // A group: name ((, | and | , and) name)*
        let mut group = vec![first.tokens.clone()];
        let mut next = n + 1;
        let mut end = first.tokens.end;
        while next < names.len() {
            let gap = &tokens[end..names[next].tokens.start];
            let joins = !gap.is_empty()
                && gap.len() <= 2
                && gap
                    .iter()
                    .all(|t| t.text == "," || t.is("and") || t.text == "&")
                && gap.last().is_some_and(|t| t.is("and") || t.text == "&");
            if !joins {
                break;
            }
            group.push(names[next].tokens.clone());
            end = names[next].tokens.end;
            next += 1;
        }
        let passive = first.tokens.start > range.start
            && tokens[first.tokens.start - 1].is("by")
            && first.tokens.start >= range.start + 2
            && tokens[first.tokens.start - 2].is_verb();
        let preceded_by_preposition = first.tokens.start > range.start && {
            let p = &tokens[first.tokens.start - 1];
            PREPOSITIONS.binary_search(&p.lower.as_str()).is_ok()
        };
        let active = if preceded_by_preposition {
            None
        } else {
            verb_follows(tokens, end, range.end)
        };
        let verb = if passive {
            Some(first.tokens.start - 2)
        } else {
            active
        };
        if let Some(verb) = verb {
            let names = group
                .iter()
                .map(|r| {
                    tokens[r.clone()]
                        .iter()
                        .map(|t| {
                            acronym(&t.text)
                                .unwrap_or_else(|| t.lower.clone())
                                .to_lowercase()
                        })
                        .collect()
                })
                .collect();
            out.push(ActorSlot {
                names,
                tokens: first.tokens.start..end,
                verb: tokens[verb].lower.clone(),
            });
        }
        n = next;
    }
    out
}

/// The verb at `k`, after at most a few adverbs, an auxiliary or a time
/// phrase ("Russia last week vetoed", "France has decided").
fn verb_follows(tokens: &[Token], mut k: usize, end: usize) -> Option<usize> {
    let mut skipped = 0;
    while k < end && skipped <= 3 {
        let t = &tokens[k];
        if t.kind != Kind::Word || t.quoted {
            return None;
        }
        if t.is_verb() {
            return Some(k);
        }
        let w = t.lower.as_str();
        if AUXILIARIES.binary_search(&w).is_ok() {
            let verb = tokens.get(k + 1).is_some_and(|n| {
                k + 1 < end
                    && n.kind == Kind::Word
                    && !n.capitalized()
                    && !is_english_stopword(&n.lower)
                    || n.is_verb()
            });
            return verb.then_some(k + 1);
        }
        let time_phrase = matches!(w, "last" | "this" | "next" | "on")
            && tokens.get(k + 1).is_some_and(|n| {
                PERIODS.contains(&n.lower.as_str()) || weekday(&n.lower).is_some()
            });
        if time_phrase {
            k += 2;
        } else if BETWEEN.binary_search(&w).is_ok() || weekday(w).is_some() {
            k += 1;
        } else {
            return None;
        }
        skipped += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::text::parse;
    use super::*;
    use crate::text::boilerplate::BoilerplateConfig;

    fn slots(text: &str) -> (Vec<Token>, Vec<Slots>) {
        let p = parse(text, &BoilerplateConfig::disabled(), None);
        let lower = BTreeSet::new();
        let s = p
            .units
            .iter()
            .map(|u| extract(&p.tokens, u.tokens.clone(), u.sentence.clone(), &lower))
            .collect();
        (p.tokens, s)
    }

    fn show(tokens: &[Token], r: &Range<usize>) -> String {
        tokens[r.clone()]
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn actors_numbers_and_times() {
        let (t, s) = slots("Kerry denied any change of plans and Washington itself accused Moscow of stalling after Russia and China blocked a UN Security Council resolution on Monday calling for a seven-day ceasefire.");
        let a = &s[0].actors[0];
        assert_eq!(show(&t, &a.tokens), "Kerry");
        let a = &s[1].actors[0];
        assert_eq!(
            a.names,
            [vec!["russia".to_string()], vec!["china".to_string()]]
        );
        assert_eq!(s[1].dates[0].value, DateValue::Weekday(0));
        assert_eq!(s[1].numbers[0].value, 7.0);
        assert_eq!(s[1].numbers[0].unit.as_deref(), Some("day"));
        let (_, s) = slots("France has decided to gather a meeting, after Russia last week vetoed a draft resolution that sought a cease-fire in Aleppo.");
        let last = s.last().unwrap();
        assert_eq!(last.actors[0].names, [vec!["russia".to_string()]]);
        assert_eq!(last.times[0].key, "last week");
        let (_, s) = slots("The draft was vetoed by Russia and China on 2 December 2016, and 1.5 million people fled.");
        assert_eq!(s[0].actors[0].names.len(), 2);
        assert!(s[0]
            .dates
            .iter()
            .any(|d| d.value == DateValue::MonthDay(12, 2)));
        assert!(s[0].dates.iter().any(|d| d.value == DateValue::Year(2016)));
        assert_eq!(s[0].numbers.len(), 1);
        assert_eq!(s[0].numbers[0].value, 1.5e6);
    }

    #[test]
    fn quotes_and_speakers() {
        let (_, s) = slots("\"We obviously talked about the dire situation in Aleppo,\" Kerry told reporters after the meeting.");
        assert_eq!(s[0].quotes.len(), 1);
        assert_eq!(s[0].quotes[0].words[..3], ["we", "obviously", "talked"]);
        assert_eq!(s[0].quotes[0].speaker.as_deref(), Some("kerry"));
        assert_eq!(s[0].actors[0].names, [vec!["kerry".to_string()]]);
    }
}
