//! Shingling: normalized text → the set of hashed word n-grams of stems.
//!
//! Words are runs of letters and digits; English stopwords can be skipped
//! (off by default: verbatim function words are evidence of copying); each word is stemmed (rust-stemmers, language from the `lang`
//! field) and hashed once per thread, so the hot loop over a corpus works on
//! 64-bit stem hashes, not strings. An n-gram's hash is xxh3 of its stem
//! hashes with the configured seed.

use std::cell::RefCell;
use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::error::{Error, Result};

/// A stemming language, chosen from an article's `lang` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Language(Option<Algorithm>);

impl Language {
    /// English, the default when an article has no `lang`.
    pub const ENGLISH: Language = Language(Some(Algorithm::English));
    /// No stemming (a language rust-stemmers does not know).
    pub const NONE: Language = Language(None);

    /// Maps an ISO 639-1 code or an English language name (`"de"`,
    /// `"German"`, `"en-US"`) to a stemmer; unknown languages are not stemmed.
    pub fn from_code(code: Option<&str>) -> Language {
        let Some(code) = code else {
            return Language::ENGLISH;
        };
        let code = code.trim().to_ascii_lowercase();
        let primary = code.split(['-', '_']).next().unwrap_or("");
        let algorithm = match primary {
            "ar" | "arabic" => Algorithm::Arabic,
            "da" | "danish" => Algorithm::Danish,
            "nl" | "dutch" => Algorithm::Dutch,
            "en" | "english" | "" => Algorithm::English,
            "fi" | "finnish" => Algorithm::Finnish,
            "fr" | "french" => Algorithm::French,
            "de" | "german" => Algorithm::German,
            "el" | "greek" => Algorithm::Greek,
            "hu" | "hungarian" => Algorithm::Hungarian,
            "it" | "italian" => Algorithm::Italian,
            "no" | "nb" | "nn" | "norwegian" => Algorithm::Norwegian,
            "pt" | "portuguese" => Algorithm::Portuguese,
            "ro" | "romanian" => Algorithm::Romanian,
            "ru" | "russian" => Algorithm::Russian,
            "es" | "spanish" => Algorithm::Spanish,
            "sv" | "swedish" => Algorithm::Swedish,
            "ta" | "tamil" => Algorithm::Tamil,
            "tr" | "turkish" => Algorithm::Turkish,
            _ => return Language::NONE,
        };
        Language(Some(algorithm))
    }

    fn is_english(self) -> bool {
        matches!(self.0, Some(Algorithm::English))
    }

    fn cache_tag(self) -> u64 {
        match self.0 {
            None => 0,
            Some(a) => 1 + a as u64,
        }
    }
}

/// How articles are cut into shingles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShingleConfig {
    /// Words per shingle (default 3).
    pub ngram: usize,
    /// Seed of the shingle hash (default 0).
    pub seed: u64,
    /// Skip English stopwords before forming n-grams (default false:
    /// function words are part of a copy's verbatim wording, and keeping
    /// them separates copies from same-event reports better; measured).
    pub skip_stopwords: bool,
}

impl Default for ShingleConfig {
    fn default() -> Self {
        ShingleConfig {
            ngram: 3,
            seed: 0,
            skip_stopwords: false,
        }
    }
}

impl ShingleConfig {
    /// Checks the values are usable.
    ///
    /// # Errors
    /// `ngram` outside 1..=16.
    pub fn validate(&self) -> Result<()> {
        if !(1..=16).contains(&self.ngram) {
            return Err(Error::invalid(
                "ngram",
                format!("{} is not in 1..=16", self.ngram),
            ));
        }
        Ok(())
    }

    /// The sorted, deduplicated shingle hashes of some normalized lines.
    /// Text with fewer words than `ngram` gives one shingle of all its words.
    pub fn shingles<'a>(
        &self,
        lines: impl IntoIterator<Item = &'a str>,
        lang: Language,
    ) -> Vec<u64> {
        let mut out = self.shingle_hashes(lines, lang);
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The hashes of every n-gram in text order, repeats included (what
    /// [`Self::shingles`] sorts and deduplicates; MinHash needs neither).
    pub fn shingle_hashes<'a>(
        &self,
        lines: impl IntoIterator<Item = &'a str>,
        lang: Language,
    ) -> Vec<u64> {
        let mut stems: Vec<u64> = Vec::new();
        with_stem_cache(|cache| {
            for line in lines {
                for word in words(line) {
                    let token = cache.token(word, lang);
                    if !(self.skip_stopwords && token.stop) {
                        stems.push(token.stem);
                    }
                }
            }
        });
        self.ngrams(&stems)
    }

    fn ngrams(&self, stems: &[u64]) -> Vec<u64> {
        if stems.is_empty() {
            return Vec::new();
        }
        let n = self.ngram.min(stems.len());
        stems
            .windows(n)
            .map(|w| {
                let mut bytes = [0u8; 16 * 8];
                for (chunk, stem) in bytes.chunks_exact_mut(8).zip(w) {
                    chunk.copy_from_slice(&stem.to_le_bytes());
                }
                xxh3_64_with_seed(&bytes[..8 * n], self.seed)
            })
            .collect()
    }
}

/// The stem hash of one lowercase word, and whether it is an English
/// stopword (uses the thread's stem cache).
pub(crate) fn stem_word(word: &str, lang: Language) -> (u64, bool) {
    with_stem_cache(|cache| {
        let t = cache.token(word, lang);
        (t.stem, t.stop)
    })
}

/// The words of a normalized line: maximal runs of letters and digits.
pub fn words(line: &str) -> impl Iterator<Item = &str> {
    let ascii = line.is_ascii();
    line.split(move |c: char| {
        if ascii {
            !c.is_ascii_alphanumeric()
        } else {
            !c.is_alphanumeric()
        }
    })
    .filter(|w| !w.is_empty())
}

#[derive(Clone, Copy)]
struct Token {
    stem: u64,
    stop: bool,
}

struct StemCache {
    map: HashMap<u64, Token, BuildIdentity>,
    stemmers: HashMap<u64, Stemmer>,
}

/// Most entries a thread's stem cache holds before it starts afresh.
const STEM_CACHE_LIMIT: usize = 1 << 20;

impl StemCache {
    fn token(&mut self, word: &str, lang: Language) -> Token {
        let key = xxh3_64_with_seed(word.as_bytes(), lang.cache_tag());
        if let Some(t) = self.map.get(&key) {
            return *t;
        }
        let stop = lang.is_english() && is_english_stopword(word);
        let stem = match lang.0 {
            Some(algorithm) => {
                let stemmer = self
                    .stemmers
                    .entry(lang.cache_tag())
                    .or_insert_with(|| Stemmer::create(algorithm));
                xxh3_64(stemmer.stem(word).as_bytes())
            }
            None => xxh3_64(word.as_bytes()),
        };
        if self.map.len() >= STEM_CACHE_LIMIT {
            self.map.clear();
        }
        let token = Token { stem, stop };
        self.map.insert(key, token);
        token
    }
}

fn with_stem_cache<R>(f: impl FnOnce(&mut StemCache) -> R) -> R {
    thread_local! {
        static CACHE: RefCell<StemCache> = RefCell::new(StemCache {
            map: HashMap::with_hasher(BuildIdentity),
            stemmers: HashMap::new(),
        });
    }
    CACHE.with(|c| f(&mut c.borrow_mut()))
}

/// A hasher for keys that are already xxh3 hashes (stems, terms):
/// hashing them again is wasted work.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BuildIdentity;

impl std::hash::BuildHasher for BuildIdentity {
    type Hasher = IdentityHasher;
    fn build_hasher(&self) -> IdentityHasher {
        IdentityHasher(0)
    }
}

pub(crate) struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// English function words, plus the fragments left by splitting contractions.
const ENGLISH_STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "d",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "ll",
    "m",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "re",
    "s",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "t",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "us",
    "ve",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

pub(crate) fn is_english_stopword(word: &str) -> bool {
    ENGLISH_STOPWORDS.binary_search(&word).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopword_list_is_sorted_for_binary_search() {
        assert!(ENGLISH_STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn stemming_and_stopwords_make_inflections_match() {
        let c = ShingleConfig {
            ngram: 2,
            skip_stopwords: true,
            ..ShingleConfig::default()
        };
        let a = c.shingles(["the talks were resumed in geneva"], Language::ENGLISH);
        let b = c.shingles(["talk resumes in geneva"], Language::ENGLISH);
        assert_eq!(a, b);
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn short_text_gives_one_shingle_and_empty_text_none() {
        let c = ShingleConfig {
            ngram: 5,
            skip_stopwords: true,
            ..ShingleConfig::default()
        };
        assert_eq!(c.shingles(["kerry lavrov"], Language::ENGLISH).len(), 1);
        assert!(c.shingles(["", "the of"], Language::ENGLISH).is_empty());
    }

    #[test]
    fn seed_changes_hashes() {
        let a = ShingleConfig::default();
        let b = ShingleConfig { seed: 1, ..a };
        assert_ne!(
            a.shingles(["x y z"], Language::ENGLISH),
            b.shingles(["x y z"], Language::ENGLISH)
        );
    }

    #[test]
    fn languages_map_to_stemmers() {
        assert_eq!(Language::from_code(None), Language::ENGLISH);
        assert_eq!(Language::from_code(Some("en-GB")), Language::ENGLISH);
        assert_eq!(Language::from_code(Some("xx")), Language::NONE);
        assert_ne!(Language::from_code(Some("de")), Language::ENGLISH);
    }
}
