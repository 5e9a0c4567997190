//! Background term statistics: the share of news articles that contain each word stem, shipped in the binary so term weights need not come from the batch alone.
//!
//! A table maps a stem to the modelled share of articles containing it.
//! Lookups are keyed by the same 64-bit stem hash that the vectors' word
//! terms are made of ([`stem_key`]), so the hot path is one hash-map probe.
//! A stem missing from a table is rarer than the table's floor: rare words,
//! names and places weigh most.
//!
//! English is shipped (`data/background/en.tsv.gz`, built by
//! `scripts/background/build.sh` from the English 'large' word list of
//! wordfreq 3.1.1; the table is CC BY-SA 4.0, see
//! `data/background/README.md`). Tables for other languages load with
//! [`Background::parse`].
//!
//! # Format (version 1)
//!
//! UTF-8 text, plain or gzip-compressed, one record per line:
//!
//! ```text
//! #newsdedup-background<TAB>1
//! #language<TAB>en
//! #source<TAB>…
//! #rows<TAB>2
//! new<TAB>0.7611
//! said<TAB>0.2527
//! ```
//!
//! The first line names the format and its version. Header lines
//! (`#key<TAB>value`) come before the rows; `language` (a code
//! [`Language::from_code`] understands) must match the language asked for,
//! and `rows`, when given, must equal the number of rows (a truncated file
//! is refused). Each row is a lowercase word and the share (in `(0, 1]`) of
//! the articles that contain its stem; the word is stemmed when the table is
//! loaded, with the stemmer the crate uses everywhere, so any inflection can
//! name the stem. When two rows have the same stem the larger share is kept.
//! Blank lines are skipped.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::events::terms::{term_key, TermKind};
use crate::sketch::shingle::{stem_word, words, BuildIdentity, Language};

/// The format version this code reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The first field of a table's first line.
const MAGIC: &str = "#newsdedup-background";

/// The shipped English table.
static ENGLISH_TABLE: &[u8] = include_bytes!("../../data/background/en.tsv.gz");

/// The stem hash a lowercase word is looked up by: the stem hash of the
/// crate's stemmer, as the word terms of event vectors use it.
pub fn stem_key(word: &str, lang: Language) -> u64 {
    stem_word(word, lang).0
}

/// A table of document shares per stem, for one language.
#[derive(Debug, Clone)]
pub struct Background {
    language: Language,
    meta: Vec<(String, String)>,
    shares: HashMap<u64, f32, BuildIdentity>,
    /// The same shares by event term key: a word term of the stem, and a
    /// one-word name term of the row's word ("Syria" as a name).
    term_shares: HashMap<u64, f32, BuildIdentity>,
}

impl Background {
    /// The shipped English table, decoded on first use.
    ///
    /// # Panics
    /// If the shipped table does not parse (a build defect the unit tests catch).
    pub fn english() -> &'static Background {
        static ENGLISH: OnceLock<Background> = OnceLock::new();
        ENGLISH.get_or_init(|| {
            Background::parse(Language::ENGLISH, ENGLISH_TABLE)
                .expect("the shipped English background table is valid")
        })
    }

    /// The shipped table for a language: English has one, other languages
    /// none (load a table for them with [`Background::parse`]).
    pub fn for_language(lang: Language) -> Option<&'static Background> {
        (lang == Language::ENGLISH).then(Background::english)
    }

    /// Reads a table (plain text or gzip) for `lang`.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the line, for anything that is not a
    /// version-1 table for `lang`: a bad first line, a header after the rows,
    /// a row that is not `word<TAB>share`, a word that is not one word, a
    /// share outside `(0, 1]`, text that is not UTF-8, a damaged gzip stream,
    /// or a `rows` header that does not match the rows.
    pub fn parse(lang: Language, bytes: &[u8]) -> Result<Background> {
        let text = decode(bytes)?;
        let mut meta: Vec<(String, String)> = Vec::new();
        let mut shares: HashMap<u64, f32, BuildIdentity> = HashMap::with_hasher(BuildIdentity);
        let mut term_shares: HashMap<u64, f32, BuildIdentity> = HashMap::with_hasher(BuildIdentity);
        let mut rows = 0usize;
        let mut declared_rows: Option<(usize, usize)> = None;
        let mut last_line = 0;
        let mut lower = String::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            last_line = n;
            let line = line.strip_suffix('\r').unwrap_or(line);
            if n == 1 {
                check_first_line(line)?;
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            if let Some(header) = line.strip_prefix('#') {
                if rows > 0 {
                    return Err(bad(n, "a header line after the rows"));
                }
                let (key, value) = header
                    .split_once('\t')
                    .ok_or_else(|| bad(n, "a header line is `#key<TAB>value`"))?;
                match key {
                    "language" if Language::from_code(Some(value)) != lang => {
                        return Err(bad(
                            n,
                            format!("the table is for language {value:?}, not the one asked for"),
                        ));
                    }
                    "rows" => {
                        let count = value
                            .parse::<usize>()
                            .map_err(|_| bad(n, format!("rows {value:?} is not a whole number")))?;
                        declared_rows = Some((count, n));
                    }
                    _ => {}
                }
                meta.push((key.to_string(), value.to_string()));
                continue;
            }
            let mut fields = line.split('\t');
            let (Some(word), Some(share), None) = (fields.next(), fields.next(), fields.next())
            else {
                return Err(bad(n, "a row is `word<TAB>share`"));
            };
            lower.clear();
            lower.extend(word.chars().flat_map(char::to_lowercase));
            let mut split = words(&lower);
            if split.next() != Some(lower.as_str()) || split.next().is_some() {
                return Err(bad(n, format!("{word:?} is not one word")));
            }
            let value: f32 = share
                .parse()
                .map_err(|_| bad(n, format!("share {share:?} is not a number")))?;
            if !(value > 0.0 && value <= 1.0) {
                return Err(bad(n, format!("share {share} is not in (0, 1]")));
            }
            let stem = stem_key(&lower, lang);
            let slot = shares.entry(stem).or_insert(value);
            *slot = slot.max(value);
            for key in [
                term_key(TermKind::Word, &lower, Some(stem)),
                term_key(TermKind::Name, &lower, None),
            ] {
                let slot = term_shares.entry(key).or_insert(value);
                *slot = slot.max(value);
            }
            rows += 1;
        }
        if last_line == 0 {
            return Err(bad(1, "the table is empty"));
        }
        if let Some((declared, line)) = declared_rows {
            if declared != rows {
                return Err(bad(
                    line,
                    format!(
                        "the header says {declared} rows but the table has {rows} (truncated?)"
                    ),
                ));
            }
        }
        Ok(Background {
            language: lang,
            meta,
            shares,
            term_shares,
        })
    }

    /// The share of articles containing the stem with this hash ([`stem_key`]),
    /// or `None` when the stem is rarer than the table's floor.
    #[inline]
    pub fn share(&self, stem_hash: u64) -> Option<f32> {
        self.shares.get(&stem_hash).copied()
    }

    /// The share of articles containing an event term, by its key
    /// (`events::vectors::term_key`): word terms by their stem,
    /// one-word names by their lowercase word. `None` for other terms
    /// (numbers, multi-word names) and for terms rarer than the floor.
    #[inline]
    pub fn term_share(&self, key: u64) -> Option<f32> {
        self.term_shares.get(&key).copied()
    }

    /// How many stems the table holds.
    pub fn len(&self) -> usize {
        self.shares.len()
    }

    /// Whether the table holds no stem.
    pub fn is_empty(&self) -> bool {
        self.shares.is_empty()
    }

    /// The language the table was loaded for (its words were stemmed with it).
    pub fn language(&self) -> Language {
        self.language
    }

    /// The value of a header line (`source`, `licence`, `L`, `floor`, …).
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every header line in file order, as (key, value).
    pub fn header(&self) -> &[(String, String)] {
        &self.meta
    }

    /// Where the counts came from (the `source` header; empty if none).
    pub fn source(&self) -> &str {
        self.meta("source").unwrap_or("")
    }
}

fn bad(line: usize, message: impl std::fmt::Display) -> Error {
    Error::invalid("background table", format!("line {line}: {message}"))
}

fn check_first_line(line: &str) -> Result<()> {
    let Some(version) = line.strip_prefix(MAGIC).and_then(|r| r.strip_prefix('\t')) else {
        return Err(bad(
            1,
            format!("not a newsdedup background table (the first line must be `{MAGIC}<TAB>{FORMAT_VERSION}`)"),
        ));
    };
    if version.trim() != FORMAT_VERSION.to_string() {
        return Err(bad(
            1,
            format!("format version {version:?}; this newsdedup reads version {FORMAT_VERSION}"),
        ));
    }
    Ok(())
}

/// The table's text: gunzipped when it starts with the gzip magic.
fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_end(&mut out)
            .map_err(|e| Error::invalid("background table", format!("damaged gzip stream: {e}")))?;
        let text = String::from_utf8(out).map_err(|e| not_utf8(&e.into_bytes()))?;
        Ok(std::borrow::Cow::Owned(text))
    } else {
        std::str::from_utf8(bytes)
            .map(std::borrow::Cow::Borrowed)
            .map_err(|_| not_utf8(bytes))
    }
}

fn not_utf8(bytes: &[u8]) -> Error {
    let valid = match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) => e.valid_up_to(),
    };
    let line = 1 + bytes[..valid].iter().filter(|&&b| b == b'\n').count();
    bad(line, "not UTF-8")
}

/// How word frequencies become document shares: a word that is a fraction
/// `p` of all running words is in `1 - exp(-p * article_len)` of the
/// articles (each of an article's `article_len` tokens drawn independently).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShareModel {
    /// Typical article length in tokens (L).
    pub article_len: f64,
    /// Stems with a smaller share are left out of the table.
    pub floor: f64,
}

impl ShareModel {
    /// The modelled share of articles containing a term that is `p` of all tokens.
    pub fn share(&self, p: f64) -> f64 {
        -(-p * self.article_len).exp_m1()
    }
}

/// One stem of a table being built, named by its most frequent word.
#[derive(Debug, Clone, PartialEq)]
pub struct StemCount {
    /// The most frequent word with this stem (ties: the smallest).
    pub word: String,
    /// The stem hash ([`stem_key`] of `word`).
    pub stem: u64,
    /// The summed frequencies of the stem's words: the stem's share of all
    /// running words (p).
    pub freq: f64,
    /// How many list entries add to this stem.
    pub words: u32,
}

/// Word frequencies of a word list grouped by stem, the input of a table.
#[derive(Debug, Clone)]
pub struct StemCounts {
    /// Every stem, most frequent first (then by word).
    pub stems: Vec<StemCount>,
    /// Sum of every entry's frequency (stopwords, numbers and entries that
    /// make no word term included). Below 1 when the list leaves out its
    /// rarest words; the shares do not depend on it.
    pub total: f64,
    /// Entries that make no word term at all: stopwords, words shorter than
    /// two characters, words with a digit, entries with no letter (`°`, emoji),
    /// and entries whose every part is one of these (`can't`, `u.s`).
    pub not_terms: usize,
    /// Entries that are more than one word to the event vectors (`don't`,
    /// `women's`, `o'clock`): each part that is a word term gets the
    /// entry's frequency, as text holding the entry holds each part.
    pub split: usize,
}

impl StemCounts {
    /// Groups `(word, frequency)` entries by stem the way event vectors see
    /// words: lowercased, split into [`words`], stemmed with the crate's
    /// stemmer for `lang`. A frequency is the word's share of all running
    /// words (a proportion, as in wordfreq's lists). Stopwords, words under
    /// two characters and words with a digit make no word term and add only
    /// to the total. An entry that splits into several words adds its
    /// frequency to each of them.
    pub fn from_word_freqs<'a>(
        lang: Language,
        entries: impl IntoIterator<Item = (&'a str, f64)>,
    ) -> StemCounts {
        // Per stem: the row, and the frequency of its representative word.
        let mut by_stem: HashMap<u64, (StemCount, f64)> = HashMap::new();
        let mut total = 0.0;
        let mut not_terms = 0;
        let mut split = 0;
        let mut lower = String::new();
        for (word, freq) in entries {
            total += freq;
            lower.clear();
            lower.extend(word.chars().flat_map(char::to_lowercase));
            let one_word = {
                let mut parts = words(&lower);
                parts.next() == Some(lower.as_str()) && parts.next().is_none()
            };
            let mut any_term = false;
            for part in words(&lower) {
                let (stem, stop) = stem_word(part, lang);
                if stop || part.chars().count() < 2 || part.chars().any(|c| c.is_ascii_digit()) {
                    continue;
                }
                any_term = true;
                let (row, best) = by_stem.entry(stem).or_insert_with(|| {
                    (
                        StemCount {
                            word: part.to_string(),
                            stem,
                            freq: 0.0,
                            words: 0,
                        },
                        f64::NEG_INFINITY,
                    )
                });
                // The most frequent whole entry names the row; a part (`don`
                // of `don't`) only names a row that no whole entry has.
                if one_word && (freq > *best || (freq == *best && part < row.word.as_str())) {
                    row.word.clear();
                    row.word.push_str(part);
                    *best = freq;
                }
                row.freq += freq;
                row.words += 1;
            }
            if !any_term {
                not_terms += 1;
            } else if !one_word {
                split += 1;
            }
        }
        let mut stems: Vec<StemCount> = by_stem.into_values().map(|(row, _)| row).collect();
        stems.sort_by(|a, b| b.freq.total_cmp(&a.freq).then_with(|| a.word.cmp(&b.word)));
        StemCounts {
            stems,
            total,
            not_terms,
            split,
        }
    }

    /// The modelled share of articles containing a stem with this summed frequency.
    pub fn share(&self, freq: f64, model: &ShareModel) -> f64 {
        model.share(freq)
    }

    /// The table text: the format line, `language`, the caller's header
    /// lines, the model's (`model`, `L`, `floor`, `total`), `rows`, then one
    /// row per stem whose share is at least the floor, commonest first.
    /// Shares are written with four significant digits.
    pub fn to_table(&self, language: &str, header: &[(&str, &str)], model: &ShareModel) -> String {
        let rows: Vec<(&str, f64)> = self
            .stems
            .iter()
            .map(|s| (s.word.as_str(), self.share(s.freq, model)))
            .filter(|&(_, share)| share >= model.floor)
            .collect();
        let mut out = format!("{MAGIC}\t{FORMAT_VERSION}\n#language\t{language}\n");
        for (key, value) in header {
            out.push_str(&format!("#{key}\t{}\n", one_line(value)));
        }
        out.push_str(
            "#model\tshare = 1 - exp(-p * L), p = summed frequency (share of all running words) of the stem's words\n",
        );
        out.push_str(&format!(
            "#L\t{}\n#floor\t{}\n#total\t{:.6}\n#rows\t{}\n",
            model.article_len,
            model.floor,
            self.total,
            rows.len()
        ));
        for (word, share) in rows {
            out.push_str(word);
            out.push('\t');
            out.push_str(&significant(share, 4));
            out.push('\n');
        }
        out
    }
}

fn one_line(value: &str) -> String {
    value.replace(['\n', '\r', '\t'], " ")
}

/// `x` with `digits` significant digits in plain decimal notation.
fn significant(x: f64, digits: i32) -> String {
    if x >= 1.0 {
        return "1".to_string();
    }
    let magnitude = x.log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english_share(word: &str) -> Option<f32> {
        Background::english().share(stem_key(word, Language::ENGLISH))
    }

    /// The floor of the shipped table, read from its header.
    fn floor() -> f32 {
        Background::english()
            .meta("floor")
            .and_then(|f| f.parse().ok())
            .expect("the shipped table names its floor")
    }

    #[test]
    fn common_news_words_have_a_high_share() {
        // A common word must weigh (as -ln share) at most half of what a stem
        // at the floor weighs: share > sqrt(floor), 0.032 for floor 0.001.
        // These words are in 3% (minister) to 59% (said) of ECB+ articles.
        let threshold = floor().sqrt();
        for word in [
            "said", "minister", "talks", "police", "year", "people", "killed", "told",
        ] {
            let share = english_share(word).unwrap_or(0.0);
            assert!(share > threshold, "{word}: share {share} <= {threshold}");
        }
        // The commonest reporting words are far above it.
        assert!(english_share("said").unwrap() > 0.3);
        assert!(english_share("year").unwrap() > 0.4);
    }

    #[test]
    fn names_are_absent_or_rare() {
        // Absent (rarer than the floor) or under 1%: weighs at least 2/3 of
        // the heaviest (floor) weight, and far more than the common words.
        // In ECB+, lavrov and aleppo are in no article, hamburg in 0.1%.
        for name in ["lavrov", "aleppo", "hamburg"] {
            if let Some(share) = english_share(name) {
                assert!(share < 0.01, "{name}: share {share}");
            }
        }
        assert_eq!(english_share("lavrov"), None);
        // A name is at least 10 times rarer than a common news word.
        let common = english_share("minister").unwrap();
        for name in ["aleppo", "hamburg"] {
            let share = english_share(name).unwrap_or(0.0);
            assert!(share * 10.0 < common, "{name}: {share} vs {common}");
        }
    }

    #[test]
    fn inflections_share_their_stem() {
        assert_eq!(english_share("talks"), english_share("talk"));
        assert_eq!(english_share("talked"), english_share("talk"));
        // Keys are made from lowercase words, as event vectors make them.
        assert_eq!(english_share("Police"), None);
        // Stopwords make no word term and have no row.
        assert_eq!(english_share("the"), None);
    }

    #[test]
    fn shipped_table_is_compact_and_described() {
        let bg = Background::english();
        assert_eq!(bg.meta("rows").unwrap().parse::<usize>().unwrap(), bg.len());
        assert!(bg.len() > 5_000 && bg.len() < 50_000, "{} stems", bg.len());
        assert!(ENGLISH_TABLE.len() < 1 << 20);
        assert!(bg.source().starts_with("wordfreq 3.1.1"));
        // CC BY-SA 4.0 section 3(a): creator, licence and its URI, changes made.
        let licence = bg.meta("licence").unwrap();
        assert!(licence.starts_with("CC BY-SA 4.0"), "{licence}");
        assert!(licence.contains("https://creativecommons.org/licenses/by-sa/4.0/"));
        assert!(bg.meta("attribution").unwrap().contains("Robyn Speer"));
        assert!(!bg.meta("changes").unwrap_or("").is_empty());
        assert!(bg
            .meta("build")
            .unwrap()
            .contains("scripts/background/build.sh"));
        assert_eq!(bg.meta("L"), Some("500"));
        assert_eq!(bg.language(), Language::ENGLISH);
        assert!(std::ptr::eq(
            Background::for_language(Language::ENGLISH).unwrap(),
            bg
        ));
        assert!(Background::for_language(Language::from_code(Some("de"))).is_none());
        assert!(Background::for_language(Language::NONE).is_none());
        let floor = floor();
        assert!(bg.shares.values().all(|&s| s >= floor * 0.999 && s <= 1.0));
    }

    fn err(text: &str) -> String {
        Background::parse(Language::ENGLISH, text.as_bytes())
            .expect_err(text)
            .to_string()
    }

    #[test]
    fn bad_tables_name_the_line() {
        let head = "#newsdedup-background\t1\n#language\ten\n";
        let cases = [
            (
                format!("{head}said\t0.5\nminister\tlots\n"),
                "line 4: share \"lots\" is not a number",
            ),
            (
                format!("{head}said 0.5\n"),
                "line 3: a row is `word<TAB>share`",
            ),
            (
                format!("{head}said\t0.5\t7\n"),
                "line 3: a row is `word<TAB>share`",
            ),
            (
                format!("{head}said\t0.5\ntalk\t1.5\n"),
                "line 4: share 1.5 is not in (0, 1]",
            ),
            (
                format!("{head}said\t0\n"),
                "line 3: share 0 is not in (0, 1]",
            ),
            (
                format!("{head}said\tNaN\n"),
                "line 3: share NaN is not in (0, 1]",
            ),
            (
                format!("{head}o'clock\t0.1\n"),
                "line 3: \"o'clock\" is not one word",
            ),
            (format!("{head}\t0.1\n"), "line 3: \"\" is not one word"),
            (
                format!("{head}said\t0.5\n#late\theader\n"),
                "line 4: a header line after the rows",
            ),
            (
                format!("{head}#rows\t3\nsaid\t0.5\n\n"),
                "line 3: the header says 3 rows but the table has 1",
            ),
            (
                format!("{head}#rows\tmany\n"),
                "line 3: rows \"many\" is not a whole number",
            ),
            (
                "#newsdedup-background\t1\n#language\tde\n".to_string(),
                "line 2: the table is for language \"de\"",
            ),
            (
                "#newsdedup-background\t2\n".to_string(),
                "line 1: format version \"2\"",
            ),
            (
                "word\tshare\nsaid\t0.5\n".to_string(),
                "line 1: not a newsdedup background table",
            ),
            (String::new(), "line 1: the table is empty"),
        ];
        for (text, want) in cases {
            let got = err(&text);
            assert!(got.contains(want), "{text:?}: {got:?} lacks {want:?}");
            assert!(got.starts_with("invalid background table: line "), "{got}");
        }
        let mut bytes = format!("{head}said\t0.5\n").into_bytes();
        bytes.extend_from_slice(b"caf\xe9\t0.1\n");
        let got = Background::parse(Language::ENGLISH, &bytes)
            .unwrap_err()
            .to_string();
        assert!(got.contains("line 4: not UTF-8"), "{got}");
        let got = Background::parse(Language::ENGLISH, &[0x1f, 0x8b, 8, 0, 0])
            .unwrap_err()
            .to_string();
        assert!(got.contains("damaged gzip stream"), "{got}");
    }

    fn gzip(text: &str) -> Vec<u8> {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text.as_bytes()).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn built_tables_round_trip() {
        let lang = Language::ENGLISH;
        let entries = [
            ("the", 0.05),
            ("talks", 0.0006),
            ("police", 0.0005),
            ("2013", 0.0004),
            ("talk", 0.0003),
            ("can't", 0.0003),
            ("don't", 0.0002),
            ("officials'", 0.0002),
            ("x", 0.0002),
            ("talked", 0.0001),
            ("official", 0.0001),
            ("°", 0.0001),
            ("rare", 1e-7),
        ];
        let counts = StemCounts::from_word_freqs(lang, entries);
        let total: f64 = entries.iter().map(|e| e.1).sum();
        assert!((counts.total - total).abs() < 1e-15);
        // the, 2013, can't (can + t), x, °
        assert_eq!(counts.not_terms, 5);
        // don't (don + t), officials' (officials)
        assert_eq!(counts.split, 2);
        let row = |word: &str| {
            let stem = stem_key(word, lang);
            let s = counts.stems.iter().find(|s| s.stem == stem).unwrap();
            (s.word.as_str(), s.freq, s.words)
        };
        let (word, freq, n) = row("talk");
        assert_eq!((word, n), ("talks", 3));
        assert!((freq - 0.001).abs() < 1e-15);
        assert_eq!(counts.stems[0].word, "talks");
        // A part of a split entry adds to its stem, but the whole entry
        // `official` names the row though `officials'` is more frequent.
        let (word, freq, n) = row("officials");
        assert_eq!((word, n), ("official", 2));
        assert!((freq - 0.0003).abs() < 1e-15);
        assert_eq!(row("don").0, "don");
        let model = ShareModel {
            article_len: 500.0,
            floor: 0.001,
        };
        let text = counts.to_table("en", &[("source", "a test\twith a tab")], &model);
        for bytes in [text.clone().into_bytes(), gzip(&text)] {
            let bg = Background::parse(lang, &bytes).unwrap();
            assert_eq!(bg.len(), 4, "{text}");
            assert_eq!(bg.source(), "a test with a tab");
            assert_eq!(bg.meta("L"), Some("500"));
            assert_eq!(bg.meta("rows"), Some("4"));
            assert_eq!(bg.meta("total"), Some("0.053000"));
            for s in &counts.stems[..4] {
                let want = counts.share(s.freq, &model);
                let got = f64::from(bg.share(s.stem).unwrap());
                assert!(
                    (got - want).abs() <= want * 1e-3,
                    "{}: {got} vs {want}",
                    s.word
                );
                assert_eq!(bg.share(stem_key(&s.word, lang)), bg.share(s.stem));
            }
            // Below the floor: left out.
            assert_eq!(bg.share(stem_key("rare", lang)), None);
            // Stopwords and fragments have no row.
            assert_eq!(bg.share(stem_key("can", lang)), None);
        }
        // 1 - exp(-p L) with p the stem's summed frequency.
        let want = 1.0 - (-0.001f64 * 500.0).exp();
        assert!((counts.share(0.001, &model) - want).abs() < 1e-12);
        assert!((want - 0.393_469).abs() < 1e-6);
    }

    #[test]
    fn the_larger_share_of_one_stem_is_kept() {
        let text = "#newsdedup-background\t1\ntalk\t0.1\nTalks\t0.3\ntalked\t0.2\n";
        let bg = Background::parse(Language::ENGLISH, text.as_bytes()).unwrap();
        assert_eq!(bg.len(), 1);
        assert_eq!(bg.share(stem_key("talking", Language::ENGLISH)), Some(0.3));
    }

    #[test]
    fn other_languages_load_with_their_stemmer() {
        let de = Language::from_code(Some("de"));
        let text = "#newsdedup-background\t1\n#language\tde\nMinister\t0.05\nsagte\t0.4\n";
        let bg = Background::parse(de, text.as_bytes()).unwrap();
        assert_eq!(bg.language(), de);
        assert_eq!(bg.share(stem_key("ministers", de)), Some(0.05));
        assert_eq!(bg.share(stem_key("sagte", de)), Some(0.4));
        assert!(Background::parse(Language::ENGLISH, text.as_bytes()).is_err());
    }

    #[test]
    fn shares_are_written_with_four_significant_digits() {
        assert_eq!(significant(0.25271, 4), "0.2527");
        assert_eq!(significant(0.001_000_4, 4), "0.001");
        assert_eq!(significant(0.000_123_456, 4), "0.0001235");
        assert_eq!(significant(0.5, 4), "0.5");
        assert_eq!(significant(1.0, 4), "1");
    }
}
