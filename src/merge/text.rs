//! Claims: an article's story split into tokens, sentences and clauses, each
//! with byte offsets into the article's text.
//!
//! A claim is a sentence, or a clause of a long sentence ("…, after Russia
//! and China blocked a resolution on Monday"), so that one outlet's sentence
//! can support two facts another outlet wrote as two sentences. Boilerplate
//! lines (see [`crate::text::boilerplate`]) never become claims.

use std::ops::Range;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;

use crate::sketch::shingle::is_english_stopword;
use crate::text::boilerplate::{classify, BoilerplateConfig, LineFrequencies};
use crate::text::normalize::{normalize_line_cased, normalize_lines};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Letters (possibly with digits, apostrophes or inner dots: `U.S`).
    Word,
    /// Starts with a digit: `70,000`, `1.5`, `08.12.2016`.
    Number,
    /// One punctuation character.
    Punct,
}

/// One token of an article's text.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    /// Byte offsets into the article's text.
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Normalized (entities decoded, NFKC, quotes folded), case kept.
    pub text: String,
    /// `text` lowercased.
    pub lower: String,
    /// Inside quotation marks.
    pub quoted: bool,
    /// A space (or the line start) comes before it.
    pub spaced: bool,
}

impl Token {
    pub fn is_word(&self) -> bool {
        self.kind != Kind::Punct
    }

    /// Starts with an uppercase letter.
    pub fn capitalized(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }

    pub fn is(&self, lower: &str) -> bool {
        self.lower == lower
    }

    /// A lowercase word of the verb list (see [`super::lexicon::is_verb`]).
    pub fn is_verb(&self) -> bool {
        self.kind == Kind::Word && !self.capitalized() && super::lexicon::is_verb(&self.lower)
    }
}

/// One claim: a sentence or a clause, as a token range of its article.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    pub tokens: Range<usize>,
    /// The sentence the claim belongs to (tokens).
    pub sentence: Range<usize>,
    /// Byte offsets of the claim and of its sentence in the article's text.
    pub span: Range<usize>,
    pub sentence_span: Range<usize>,
    /// Content terms: stems of non-stopwords, acronyms, numbers (sorted, unique).
    pub terms: Vec<Term>,
}

/// An article split into tokens and claims.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    pub tokens: Vec<Token>,
    pub units: Vec<Unit>,
    /// Lines left out as boilerplate: byte range and reason.
    pub boilerplate: Vec<(Range<usize>, String)>,
}

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "adm", "apr", "aug", "capt", "cmdr", "co", "col", "corp", "dec", "dr", "etc", "feb", "fig",
    "fri", "ft", "gen", "gov", "inc", "jan", "jr", "jul", "jun", "lt", "ltd", "maj", "mar",
    "messrs", "mon", "mr", "mrs", "ms", "mt", "no", "nov", "oct", "prof", "rep", "rev", "sat",
    "sen", "sep", "sept", "sgt", "sr", "st", "sun", "thu", "tue", "vs", "wed",
];

/// Words that start a clause inside a sentence ("…, after Russia vetoed …").
const CLAUSE_WORDS: &[&str] = &["after", "although", "because", "though", "whereas", "while"];

/// Words that, starting a sentence, open a fronted clause ending at the first comma.
const FRONTED_WORDS: &[&str] = &[
    "after",
    "although",
    "as",
    "because",
    "before",
    "despite",
    "following",
    "since",
    "though",
    "when",
    "while",
];

/// Fewest content words on each side of a clause split.
const MIN_CLAUSE_TERMS: usize = 3;

/// Splits an article's text into tokens and claims, leaving out boilerplate.
pub(crate) fn parse(
    text: &str,
    boilerplate: &BoilerplateConfig,
    freq: Option<&LineFrequencies>,
) -> Parsed {
    let lines = normalize_lines(text);
    let verdicts = classify(&lines, boilerplate, freq);
    let mut tokens = Vec::new();
    let mut units = Vec::new();
    let mut left_out = Vec::new();
    let stemmer = Stemmer::create(Algorithm::English);
    let mut offset = 0usize;
    for ((raw, folded), verdict) in text.split('\n').zip(&lines).zip(&verdicts) {
        let line_start = offset;
        offset += raw.len() + 1;
        if folded.is_empty() {
            continue;
        }
        if let Some(reason) = verdict {
            let trimmed = raw.trim_end_matches('\r');
            left_out.push((line_start..line_start + trimmed.len(), reason.to_string()));
            continue;
        }
        let first = tokens.len();
        tokenize_line(raw, line_start, &mut tokens);
        for sentence in sentences(&tokens, first..tokens.len()) {
            for clause in clauses(&tokens, sentence.clone()) {
                let terms = content_terms(&tokens[clause.clone()], &stemmer);
                if terms.is_empty() {
                    continue;
                }
                units.push(Unit {
                    span: tokens[clause.start].start..tokens[clause.end - 1].end,
                    sentence_span: tokens[sentence.start].start..tokens[sentence.end - 1].end,
                    tokens: clause,
                    sentence: sentence.clone(),
                    terms,
                });
            }
        }
    }
    Parsed {
        tokens,
        units,
        boilerplate: left_out,
    }
}

/// Appends the tokens of one raw line (offsets shifted by `base`).
fn tokenize_line(raw: &str, base: usize, out: &mut Vec<Token>) {
    match decode_entities(raw) {
        // Tokens of the decoded line, their spans mapped back to the raw one.
        Some((decoded, raw_at)) => {
            let first = out.len();
            tokenize_decoded(&decoded, 0, out);
            for t in &mut out[first..] {
                t.start = base + raw_at[t.start];
                t.end = base + raw_at[t.end];
            }
        }
        None => tokenize_decoded(raw, base, out),
    }
}

/// A line with its HTML character references (`&#8217;`, `&amp;`, `&mdash;`)
/// decoded, so a copy that escaped its apostrophes reads as the same words;
/// and for each byte of the decoded line (and its end), the raw offset it
/// came from. `None` when the line has none.
fn decode_entities(raw: &str) -> Option<(String, Vec<usize>)> {
    let mut decoded = String::new();
    let mut raw_at = Vec::new();
    let mut at = 0;
    let mut found = false;
    for (amp, _) in raw.match_indices('&') {
        if amp < at {
            continue;
        }
        let Some(len) = raw[amp..].bytes().take(12).position(|b| b == b';') else {
            continue;
        };
        let reference = &raw[amp..=amp + len];
        let body = &reference[1..reference.len() - 1];
        let well_formed = match body.strip_prefix('#') {
            Some(num) => {
                let num = num.strip_prefix(['x', 'X']).map_or(num, |h| h);
                !num.is_empty() && num.bytes().all(|b| b.is_ascii_hexdigit())
            }
            None => body.len() >= 2 && body.bytes().all(|b| b.is_ascii_alphanumeric()),
        };
        let value = html_escape::decode_html_entities(reference);
        if !well_formed || value == reference || value.is_empty() {
            continue;
        }
        raw_at.extend(at..amp);
        decoded.push_str(&raw[at..amp]);
        raw_at.extend(std::iter::repeat_n(amp, value.len()));
        decoded.push_str(&value);
        at = amp + reference.len();
        found = true;
    }
    if !found {
        return None;
    }
    raw_at.extend(at..=raw.len());
    decoded.push_str(&raw[at..]);
    Some((decoded, raw_at))
}

fn tokenize_decoded(raw: &str, base: usize, out: &mut Vec<Token>) {
    let mut quoted = false;
    let mut spaced = true;
    for (at, piece) in raw.split_word_bound_indices() {
        if piece.chars().all(char::is_whitespace) {
            spaced = true;
            continue;
        }
        let first = piece.chars().next().unwrap_or(' ');
        let kind = if first.is_numeric() {
            Kind::Number
        } else if piece.chars().any(char::is_alphanumeric) {
            Kind::Word
        } else {
            Kind::Punct
        };
        // Opening and closing quotes: curly ones say which, unless punctuation
        // follows (`orchestra “,` closes); a straight one opens before a word
        // and closes after one (or after `,` `.`), and toggles when unclear.
        let before = raw[..at].chars().next_back();
        let after = raw[at + piece.len()..].chars().next();
        let word_before = before.is_some_and(|c| !c.is_whitespace());
        let word_after = after.is_some_and(|c| !c.is_whitespace() && !",.;:!?".contains(c));
        let punct_before = raw[..at]
            .trim_end()
            .chars()
            .next_back()
            .is_some_and(|c| ",.!?".contains(c));
        let (opens, closes) = match first {
            '“' | '«' | '„' if !word_after && after.is_some_and(|c| ",.;:".contains(c)) => {
                (false, true)
            }
            '“' | '«' | '„' => (true, false),
            '”' | '»' => (false, true),
            '"' if word_after && !word_before => (true, false),
            '"' if word_before && !word_after || punct_before => (false, true),
            '"' => (!quoted, quoted),
            _ => (false, false),
        };
        if kind == Kind::Punct && closes {
            quoted = false;
        }
        let text = normalize_line_cased(piece);
        let text = if text.is_empty() {
            piece.to_string()
        } else {
            text
        };
        out.push(Token {
            start: base + at,
            end: base + at + piece.len(),
            kind,
            lower: text.to_lowercase(),
            text,
            quoted: quoted && kind != Kind::Punct,
            spaced,
        });
        if kind == Kind::Punct && opens {
            quoted = true;
        }
        spaced = false;
    }
}

fn is_closer(t: &Token) -> bool {
    t.kind == Kind::Punct && matches!(t.text.as_str(), "\"" | "'" | ")" | "]" | "’" | "”")
}

/// Sentence token ranges of one line.
fn sentences(tokens: &[Token], line: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = line.start;
    let mut i = line.start;
    while i < line.end {
        let t = &tokens[i];
        let terminal = t.kind == Kind::Punct && matches!(t.text.as_str(), "." | "!" | "?" | "…");
        if terminal && !abbreviation_before(tokens, i, line.start) {
            let mut end = i + 1;
            while end < line.end && (is_closer(&tokens[end]) || tokens[end].text == ".") {
                end += 1;
            }
            let next_starts = end >= line.end || {
                let n = &tokens[end];
                n.spaced
                    && (n.capitalized()
                        || n.kind == Kind::Number
                        || matches!(n.text.as_str(), "\"" | "'" | "(" | "“"))
            };
            if next_starts {
                out.push(start..end);
                start = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    if start < line.end {
        out.push(start..line.end);
    }
    out
}

/// A full stop right after an abbreviation, an initial or a dotted acronym.
fn abbreviation_before(tokens: &[Token], i: usize, line_start: usize) -> bool {
    if tokens[i].text != "." || i == line_start {
        return false;
    }
    let w = &tokens[i - 1];
    if w.end != tokens[i].start || w.kind != Kind::Word {
        return false;
    }
    let single_initial = w.text.chars().count() == 1 && w.capitalized();
    single_initial || w.text.contains('.') || ABBREVIATIONS.binary_search(&w.lower.as_str()).is_ok()
}

/// Splits a long sentence into clauses (never inside a quotation): at `;`
/// and dashes, before a conjunction that opens a clause (`after Russia
/// vetoed`, `, but`), after a fronted clause (`After the meeting, …`), and
/// before a relative clause that ends the sentence (`…, which Steinmeier
/// dismissed.`). Each part keeps at least three content words.
fn clauses(tokens: &[Token], sentence: Range<usize>) -> Vec<Range<usize>> {
    let counts = |r: Range<usize>| {
        tokens[r]
            .iter()
            .filter(|t| t.is_word() && !is_english_stopword(&t.lower))
            .count()
    };
    let mut cuts: Vec<(usize, usize)> = Vec::new(); // (end of left, start of right)
    let s = sentence.start;
    if let Some(first) = tokens.get(s) {
        if !first.quoted && FRONTED_WORDS.contains(&first.lower.as_str()) {
            if let Some(comma) =
                (s + 1..sentence.end).find(|&k| tokens[k].text == "," && !tokens[k].quoted)
            {
                cuts.push((comma, comma + 1));
            }
        }
    }
    for k in s + 1..sentence.end {
        let t = &tokens[k];
        if t.quoted || cuts.iter().any(|&(l, r)| l <= k && k < r) {
            continue;
        }
        let prev_comma = tokens[k - 1].text == ",";
        if t.kind == Kind::Punct && matches!(t.text.as_str(), ";" | "—" | "–") {
            cuts.push((k, k + 1));
        } else if t.text == "-" && k + 1 < sentence.end && tokens[k + 1].text == "-" {
            cuts.push((k, k + 2));
        } else if t.kind == Kind::Word
            && CLAUSE_WORDS.contains(&t.lower.as_str())
            && verb_soon(tokens, k + 1, sentence.end)
            || (t.is("but") && prev_comma)
            || (prev_comma
                && (t.is("which") || t.is("who"))
                && !tokens[k + 1..sentence.end]
                    .iter()
                    .any(|x| x.text == "," && !x.quoted))
        {
            let left_end = if prev_comma { k - 1 } else { k };
            cuts.push((left_end, k));
        }
    }
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut start = s;
    for (left_end, right_start) in cuts {
        if left_end <= start || right_start >= sentence.end {
            continue;
        }
        if counts(start..left_end) >= MIN_CLAUSE_TERMS
            && counts(right_start..sentence.end) >= MIN_CLAUSE_TERMS
        {
            out.push(start..left_end);
            start = right_start;
        }
    }
    out.push(start..sentence.end);
    out
}

/// Whether a verb comes within four words (no comma between): "after Russia
/// and China blocked" opens a clause, "after the meeting that …" does not.
fn verb_soon(tokens: &[Token], from: usize, end: usize) -> bool {
    tokens[from..end.min(from + 4)]
        .iter()
        .take_while(|t| t.text != ",")
        .any(Token::is_verb)
}

/// A content term of a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    pub text: String,
    /// Terms of one name ("Secretary of State John Kerry") share a concept;
    /// every other term is a concept of its own.
    pub concept: u16,
    /// Part of a name (capitalized word or acronym).
    pub name: bool,
}

/// Words that join two capitalized words into one name.
const NAME_BRIDGES: &[&str] = &[
    "-", "al", "bin", "de", "del", "for", "la", "of", "van", "von",
];

/// Content terms of a token range: stems of words that are not stopwords,
/// acronyms as written (`US`, `UN`), numbers without separators, and joined
/// hyphenated compounds (`cease-fire` also gives `ceasefire`); sorted by
/// text, one per text.
fn content_terms(tokens: &[Token], stemmer: &Stemmer) -> Vec<Term> {
    let is_name = |t: &Token| {
        t.kind == Kind::Word
            && (acronym(&t.text).is_some() || t.capitalized() && !is_english_stopword(&t.lower))
    };
    // Each token's concept: a new one per token, except that a name and the
    // bridge words before it join the name just before ("Bashar al-Assad").
    let names: Vec<bool> = tokens.iter().map(is_name).collect();
    let mut concepts: Vec<u16> = (0..tokens.len()).map(|i| i as u16).collect();
    let mut last_name: Option<usize> = None;
    for i in 0..tokens.len() {
        if !names[i] {
            continue;
        }
        if let Some(j) = last_name {
            let bridged = i - j <= 3
                && tokens[j + 1..i]
                    .iter()
                    .all(|b| NAME_BRIDGES.contains(&b.lower.as_str()));
            if bridged {
                for k in j + 1..=i {
                    concepts[k] = concepts[j];
                }
            }
        }
        last_name = Some(i);
    }
    let mut terms: Vec<Term> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let (concept, name) = (
            concepts[i],
            names[i] || i > 0 && concepts[i] == concepts[i - 1] && names[i - 1],
        );
        let mut push = |text: String, joined_name: bool| {
            terms.push(Term {
                text,
                concept,
                name: name || joined_name,
            })
        };
        match t.kind {
            Kind::Punct => {
                if t.text == "-" && !t.spaced && i > 0 && i + 1 < tokens.len() {
                    let (a, b) = (&tokens[i - 1], &tokens[i + 1]);
                    if a.kind == Kind::Word && b.kind == Kind::Word && !b.spaced {
                        let joined = stemmer
                            .stem(&format!("{}{}", a.lower, b.lower))
                            .into_owned();
                        push(joined, names[i - 1] || names[i + 1]);
                    }
                }
            }
            Kind::Number => terms.push(Term {
                text: t.lower.replace(',', ""),
                concept,
                name: false,
            }),
            Kind::Word => {
                if let Some(acronym) = acronym(&t.text) {
                    push(acronym, false);
                } else if !is_english_stopword(&t.lower) && t.lower.chars().count() > 1 {
                    let word = t.lower.trim_end_matches("'s").trim_end_matches("’s");
                    push(stemmer.stem(word).into_owned(), name);
                }
            }
        }
    }
    terms.sort_by(|a, b| a.text.cmp(&b.text).then(a.concept.cmp(&b.concept)));
    terms.dedup_by(|b, a| a.text == b.text);
    terms
}

/// `US`, `U.S`, `OSCE` → the acronym without dots; `None` for other words.
pub(crate) fn acronym(word: &str) -> Option<String> {
    let letters: String = word.chars().filter(|&c| c != '.').collect();
    (letters.chars().count() >= 2 && letters.chars().all(|c| c.is_uppercase())).then_some(letters)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(text: &str) -> Vec<String> {
        let p = parse(text, &BoilerplateConfig::default(), None);
        p.units
            .iter()
            .map(|u| text[u.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn abbreviations_sorted() {
        assert!(ABBREVIATIONS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn sentences_respect_abbreviations_and_quotes() {
        let c = claims("U.S. Secretary of State John Kerry met Mr. Lavrov in Hamburg. They talked for an hour.\n\"It hasn't come as a surprise. He told us,\" Steinmeier said.");
        assert_eq!(
            c,
            [
                "U.S. Secretary of State John Kerry met Mr. Lavrov in Hamburg.",
                "They talked for an hour.",
                "\"It hasn't come as a surprise.",
                "He told us,\" Steinmeier said."
            ]
        );
    }

    #[test]
    fn long_sentences_split_into_clauses_but_short_tails_stay() {
        let c = claims("Washington accused Moscow of stalling after Russia and China blocked a UN Security Council resolution on Monday. Kerry told reporters after the meeting that talks went well.");
        assert_eq!(
            c,
            [
                "Washington accused Moscow of stalling",
                "after Russia and China blocked a UN Security Council resolution on Monday.",
                "Kerry told reporters after the meeting that talks went well."
            ]
        );
        let c = claims("After a meeting lasting about one hour, Kerry said the two talked “about the dire situation, and more”.");
        assert_eq!(
            c,
            [
                "After a meeting lasting about one hour",
                "Kerry said the two talked “about the dire situation, and more”."
            ]
        );
    }

    #[test]
    fn spans_point_into_the_text_and_boilerplate_is_left_out() {
        let text = "Kerry met Lavrov on Thursday in Hamburg.\nRelated topics\nBu haberi paylaşın";
        let p = parse(text, &BoilerplateConfig::default(), None);
        assert_eq!(p.units.len(), 1);
        assert_eq!(
            &text[p.units[0].span.clone()],
            "Kerry met Lavrov on Thursday in Hamburg."
        );
        let left: Vec<&str> = p
            .boilerplate
            .iter()
            .map(|(r, _)| &text[r.clone()])
            .collect();
        assert_eq!(left, ["Related topics", "Bu haberi paylaşın"]);
    }

    #[test]
    fn terms_fold_acronyms_and_compounds() {
        let p = parse(
            "The U.S. backed a cease-fire for 70,000 people.",
            &BoilerplateConfig::default(),
            None,
        );
        let t = &p.units[0].terms;
        for want in ["US", "back", "ceasefir", "ceas", "fire", "70000", "peopl"] {
            assert!(
                t.iter().any(|x| x.text == want),
                "{want} missing from {t:?}"
            );
        }
        let p = parse(
            "US Secretary of State John Kerry met President Bashar al-Assad and Lavrov.",
            &BoilerplateConfig::default(),
            None,
        );
        let concept = |w: &str| {
            p.units[0]
                .terms
                .iter()
                .find(|t| t.text == w)
                .unwrap()
                .concept
        };
        assert_eq!(concept("US"), concept("kerri"));
        assert_eq!(concept("presid"), concept("assad"));
        assert_ne!(concept("assad"), concept("lavrov"));
        assert_ne!(concept("kerri"), concept("met"));
        assert!(p.units[0].terms.iter().all(|t| t.name == (t.text != "met")));
    }
}
