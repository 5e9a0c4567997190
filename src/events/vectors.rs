//! Event vectors: weighted, L2-normalized TF-IDF vectors of the terms of
//! `terms`, for comparing reports of one event.
//!
//! Three kinds of term are extracted from the boilerplate-free text (with its
//! letter case kept, so names can be recognised):
//! - **words**: stems of the lowercase words, stopwords left out;
//! - **names**: runs of capitalised words ("Tara Reid", "Promises Treatment
//!   Center") and each word of a run, not counting a capitalised word that
//!   only starts a sentence;
//! - **numbers**: tokens with digits ("33", "2016", "6.1").
//!
//! A term's weight is `(1 + ln tf) · idf · boost`, where the boost favours
//! names, numbers and title words: different events of one kind (two
//! earthquakes, two rehab stays) share their vocabulary but not their names,
//! places, dates and counts. Terms found in one article only are dropped
//! (they cannot make two articles similar, only dilute the vector), each
//! vector keeps its `max_terms` heaviest terms and is normalized, so the dot
//! product of two vectors is their cosine similarity.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::events::background::Background;

use crate::events::terms::{RawTerms, TermKind};

/// How article text becomes a vector. `Default` gives the documented defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VectorConfig {
    /// Weight factor of names (default 1.5).
    pub name_boost: f32,
    /// Weight factor of numbers (default 2.5).
    pub number_boost: f32,
    /// Weight factor of terms that also occur in the title (default 1.5).
    pub title_boost: f32,
    /// Heaviest terms kept per article (default 200).
    pub max_terms: usize,
    /// Weight of the background statistics in document frequencies: as if
    /// the batch held this many more articles of general news (default
    /// 300; 0 uses the batch alone). See `vectors::idf`.
    pub background_docs: f32,
    /// How much terms no other article has count in a vector's norm, as a
    /// factor of their weight (0: the cosine of shared terms only; 1: the
    /// cosine over all terms). `None` (the default) lets the batch decide:
    /// [`VectorConfig::unshared_factor`].
    pub unshared_norm: Option<f32>,
    /// Detail vectors (names and numbers, [`crate::events::details`]) whose
    /// cosine is under this disagree (default 0.15).
    pub detail_agreement: f32,
    /// Factor on the similarity of two articles whose details disagree
    /// (default 0.5; 1 turns the rule off).
    pub detail_factor: f32,
}

impl Default for VectorConfig {
    fn default() -> Self {
        VectorConfig {
            name_boost: 1.5,
            number_boost: 2.5,
            title_boost: 1.5,
            max_terms: 200,
            background_docs: 300.0,
            unshared_norm: None,
            detail_agreement: 0.15,
            detail_factor: 0.5,
        }
    }
}

impl VectorConfig {
    /// Checks every value.
    ///
    /// # Errors
    /// A boost that is not positive and finite, or `max_terms` of 0.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("name boost", self.name_boost),
            ("number boost", self.number_boost),
            ("title boost", self.title_boost),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid(
                    name,
                    format!("{v} is not a positive number"),
                ));
            }
        }
        if let Some(u) = self.unshared_norm {
            if !(u.is_finite() && u >= 0.0) {
                return Err(Error::invalid(
                    "unshared norm",
                    format!("{u} is not a factor of at least 0"),
                ));
            }
        }
        if !(self.detail_agreement.is_finite()
            && self.detail_agreement > 0.0
            && self.detail_agreement <= 1.0)
        {
            return Err(Error::invalid(
                "detail agreement",
                format!(
                    "{} is not a cosine in (0, 1] (--detail-factor 1 turns the rule off)",
                    self.detail_agreement
                ),
            ));
        }
        if !(self.detail_factor.is_finite()
            && self.detail_factor > 0.0
            && self.detail_factor <= 1.0)
        {
            return Err(Error::invalid(
                "detail factor",
                format!("{} is not a factor in (0, 1]", self.detail_factor),
            ));
        }
        if !(self.background_docs.is_finite() && self.background_docs >= 0.0) {
            return Err(Error::invalid(
                "background docs",
                format!("{} is not a number of articles", self.background_docs),
            ));
        }
        if self.max_terms == 0 {
            return Err(Error::invalid("max terms", "must be at least 1"));
        }
        Ok(())
    }
}

/// The background share of a term (the shipped English table; terms of
/// other languages are mostly absent and weigh as rare).
pub(crate) fn background_share(key: u64) -> Option<f32> {
    Some(Background::english().term_share(key).unwrap_or(0.0))
}

/// A sparse vector: term ids ascending, weights divided by the article's
/// norm (in which terms no other article has count by
/// [`VectorConfig::unshared_factor`]), so its own norm is at most 1.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermVector {
    pub ids: Box<[u32]>,
    pub weights: Box<[f32]>,
}

impl TermVector {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Dot product with another vector (cosine similarity for normalized vectors).
    pub fn dot(&self, other: &TermVector) -> f32 {
        sparse_dot(&self.ids, &self.weights, &other.ids, &other.weights)
    }

    /// The terms both vectors have, with their share of the dot product,
    /// largest first.
    pub fn shared_terms(&self, other: &TermVector) -> Vec<(u32, f32)> {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < self.ids.len() && j < other.ids.len() {
            match self.ids[i].cmp(&other.ids[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    out.push((self.ids[i], self.weights[i] * other.weights[j]));
                    i += 1;
                    j += 1;
                }
            }
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

/// Dot product of two sparse vectors given as sorted keys and weights.
pub fn sparse_dot<K: Ord + Copy>(ai: &[K], aw: &[f32], bi: &[K], bw: &[f32]) -> f32 {
    sorted_dot(ai.len(), bi.len(), |i| (ai[i], aw[i]), |j| (bi[j], bw[j]))
}

/// The one sparse dot product: `a(i)` and `b(j)` give the `i`th (key,
/// weight) of two vectors sorted by key; terms are summed in key order.
#[inline]
pub(crate) fn sorted_dot<K: Ord>(
    na: usize,
    nb: usize,
    a: impl Fn(usize) -> (K, f32),
    b: impl Fn(usize) -> (K, f32),
) -> f32 {
    let (mut i, mut j) = (0, 0);
    let mut sum = 0.0f32;
    while i < na && j < nb {
        let ((x, wa), (y, wb)) = (a(i), b(j));
        if x == y {
            sum += wa * wb;
        }
        // Branch-free advance: the comparison outcome is unpredictable.
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    sum
}

/// One term of an article by vocabulary id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountedTerm {
    pub id: u32,
    pub count: u32,
    pub in_title: bool,
}

/// An article's terms by vocabulary id, ascending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountedTerms(pub Box<[CountedTerm]>);

/// The corpus vocabulary: term ids in order of first appearance, with their
/// document frequency, kind and first-seen spelling.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    ids: HashMap<u64, u32>,
    /// Each id's term hash (the key of [`RawTerm`]).
    keys: Vec<u64>,
    pub df: Vec<u32>,
    pub kind: Vec<TermKind>,
    pub surface: Vec<String>,
    docs: u32,
}

impl Vocabulary {
    /// Counts one article's terms (call in a fixed article order: ids
    /// follow it) and returns them by term id.
    pub fn add(&mut self, terms: RawTerms) -> CountedTerms {
        self.docs += 1;
        let mut out: Vec<CountedTerm> = terms
            .0
            .into_iter()
            .map(|t| {
                let next = self.df.len() as u32;
                let id = *self.ids.entry(t.key).or_insert(next);
                if id == next {
                    self.keys.push(t.key);
                    self.df.push(0);
                    self.kind.push(t.kind);
                    self.surface.push(t.surface);
                }
                self.df[id as usize] += 1;
                CountedTerm {
                    id,
                    count: t.count,
                    in_title: t.in_title,
                }
            })
            .collect();
        out.sort_unstable_by_key(|t| t.id);
        CountedTerms(out.into_boxed_slice())
    }

    pub fn docs(&self) -> u32 {
        self.docs
    }

    pub fn len(&self) -> usize {
        self.df.len()
    }

    pub fn is_empty(&self) -> bool {
        self.df.is_empty()
    }

    /// Inverse document frequency of a term in this vocabulary, with the
    /// background of `config`.
    pub fn idf(&self, id: u32, config: &VectorConfig) -> f32 {
        let key = self.keys[id as usize];
        let (docs, df) = (u64::from(self.docs), u64::from(self.df[id as usize]));
        idf(docs, df, background_share(key), config.background_docs)
    }

    /// One article's detail vector ([`crate::events::details`]).
    pub fn details(&self, terms: &CountedTerms, config: &VectorConfig) -> TermVector {
        let (ids, weights) = crate::events::details::detail_vector(config, self.stats(terms));
        TermVector {
            ids: ids.into_boxed_slice(),
            weights: weights.into_boxed_slice(),
        }
    }

    /// One article's terms as the weighting reads them.
    fn stats<'a>(&'a self, terms: &'a CountedTerms) -> impl Iterator<Item = TermStats<u32>> + 'a {
        terms.0.iter().map(|t| {
            let id = t.id;
            TermStats {
                key: id,
                hash: self.keys[id as usize],
                kind: self.kind[id as usize],
                in_title: t.in_title,
                count: t.count,
                docs: u64::from(self.docs),
                df: u64::from(self.df[id as usize]),
                share: background_share(self.keys[id as usize]),
            }
        })
    }

    /// Weights one article's terms into a normalized vector
    /// (the one weighting of every event vector).
    pub fn vector(&self, terms: &CountedTerms, config: &VectorConfig) -> TermVector {
        let (ids, weights) = config.vector(self.stats(terms));
        TermVector {
            ids: ids.into_boxed_slice(),
            weights: weights.into_boxed_slice(),
        }
    }
}

/// Inverse document frequency, never negative: the one definition of
/// `cluster`, `merge` and `check --level event` (`check` counts the
/// incoming article in both `N` and `df`, as a batch does).
///
/// Without background statistics, `ln(N / df)`. With them, the batch is
/// blended with `background_docs` (M) articles of general news in which
/// the term occurs with its background share `s` (0 for a term the table
/// does not hold: names, places, rare words): `ln((N + M) / (df + M·s))`.
/// A term every article of a small batch has still counts when it is rare
/// in news at large, and common news words weigh little whatever the
/// batch; a large batch outweighs the background.
pub(crate) fn idf(docs: u64, df: u64, share: Option<f32>, background_docs: f32) -> f32 {
    match share {
        Some(s) if background_docs > 0.0 => {
            let m = f64::from(background_docs);
            let n = docs as f64 + m;
            let d = (df as f64 + m * f64::from(s)).max(1.0);
            (n / d).ln().max(0.0) as f32
        }
        _ => ((docs.max(1) as f64) / (df.max(1) as f64)).ln().max(0.0) as f32,
    }
}

/// One term of an article, as the weighting needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TermStats<K> {
    /// The key vectors are sorted by (vocabulary id, or term key).
    pub key: K,
    /// The term key ([`term_key`]): ties at `max_terms` are broken by it.
    pub hash: u64,
    pub kind: TermKind,
    pub in_title: bool,
    pub count: u32,
    /// Articles in the collection, and how many have the term.
    pub docs: u64,
    pub df: u64,
    /// Background share ([`crate::events::background::Background::term_share`]):
    /// `None` without a background table.
    pub share: Option<f32>,
}

/// Terms fewer articles than this have weigh nothing: a term no other
/// article has cannot make two articles similar, it only dilutes a vector.
pub(crate) const MIN_DF: u64 = 2;

impl VectorConfig {
    /// Weight of one term: `(1 + ln count) × idf`, times the boost of its
    /// kind and the title boost.
    pub(crate) fn weight(&self, kind: TermKind, in_title: bool, count: u32, idf: f32) -> f32 {
        let mut w = (1.0 + (count.max(1) as f32).ln()) * idf;
        w *= match kind {
            TermKind::Word => 1.0,
            TermKind::Name => self.name_boost,
            TermKind::Number => self.number_boost,
        };
        if in_title {
            w *= self.title_boost;
        }
        w
    }

    /// How much a term no other article of a batch of `docs` has counts in
    /// a vector's norm, as a factor of its weight.
    ///
    /// "No other article has it" says a term is noise (a rare word, a stray
    /// number) only when the batch is large: in a batch of two, every name
    /// of one report that the other lacks is left out, and the cosine of
    /// what is left is near 1 for any two reports of one topic (two
    /// different shootings in one city, two Kerry–Lavrov meetings). So by
    /// default the factor is `M / (N + M)`, `M` the background documents
    /// blended into the weights (`background_docs`) and `N` the batch: a
    /// small batch gets the cosine over all terms, a batch far larger than
    /// the background the cosine of shared terms. An explicit
    /// `unshared_norm` fixes it; without background (M = 0) it is 0.
    pub(crate) fn unshared_factor(&self, docs: u64) -> f64 {
        match self.unshared_norm {
            Some(u) => f64::from(u),
            None => {
                let m = f64::from(self.background_docs);
                if m > 0.0 {
                    m / (docs as f64 + m)
                } else {
                    0.0
                }
            }
        }
    }

    /// An article's event vector from its terms: weighted
    /// ([`Self::weight`], [`idf`]; terms under [`MIN_DF`] left out), the
    /// `max_terms` heaviest kept (ties by term hash, which every caller
    /// knows alike), sorted by key, L2-normalized. Every event vector is
    /// made here.
    pub(crate) fn vector<K: Ord + Copy>(
        &self,
        terms: impl Iterator<Item = TermStats<K>>,
    ) -> (Vec<K>, Vec<f32>) {
        // Terms no other article has cannot be shared: they are left out of
        // the vector but still count in its norm (a cosine over all terms).
        let mut alone = 0.0f64;
        let mut weighted: Vec<(K, u64, f32)> = terms
            .filter_map(|t| {
                let idf = idf(t.docs, t.df, t.share, self.background_docs);
                let w = self.weight(t.kind, t.in_title, t.count, idf);
                if t.df < MIN_DF {
                    let w = f64::from(w) * self.unshared_factor(t.docs);
                    alone += w * w;
                    return None;
                }
                (w > 0.0).then_some((t.key, t.hash, w))
            })
            .collect();
        if weighted.len() > self.max_terms {
            weighted.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.1.cmp(&b.1)));
            weighted.truncate(self.max_terms);
        }
        weighted.sort_unstable_by_key(|&(key, _, _)| key);
        let norm = (weighted
            .iter()
            .map(|&(_, _, w)| f64::from(w) * f64::from(w))
            .sum::<f64>()
            + alone)
            .sqrt() as f32;
        weighted
            .into_iter()
            .map(|(key, _, w)| (key, if norm > 0.0 { w / norm } else { w }))
            .unzip()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::terms::extract;
    use crate::sketch::shingle::Language;

    fn surfaces(terms: &RawTerms, kind: TermKind) -> Vec<String> {
        let mut v: Vec<String> = terms
            .0
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| t.surface.clone())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn names_are_capitalised_runs_not_sentence_starts() {
        let t = extract(
            None,
            ["Perennial party girl Tara Reid checked into Promises Treatment Center. The actress is 33."],
            Language::ENGLISH,
        );
        let names = surfaces(&t, TermKind::Name);
        assert!(names.contains(&"Tara Reid".to_string()), "{names:?}");
        assert!(names.contains(&"Reid".to_string()));
        assert!(names.contains(&"Promises Treatment Center".to_string()));
        assert!(
            !names.iter().any(|n| n == "Perennial" || n == "The"),
            "{names:?}"
        );
        assert_eq!(surfaces(&t, TermKind::Number), vec!["33"]);
    }

    #[test]
    fn numbers_keep_separators_and_match_across_spellings() {
        let a = extract(
            None,
            ["About 70,000 people and a 6.1 quake."],
            Language::ENGLISH,
        );
        let b = extract(None, ["About 70000 people."], Language::ENGLISH);
        let key = |t: &RawTerms| {
            t.0.iter()
                .filter(|t| t.kind == TermKind::Number)
                .map(|t| t.key)
                .collect::<Vec<_>>()
        };
        assert_eq!(surfaces(&a, TermKind::Number), vec!["6.1", "70,000"]);
        assert!(key(&a).contains(&key(&b)[0]));
    }

    #[test]
    fn vectors_are_normalized_and_similar_texts_score_higher() {
        let docs = [
            "Tara Reid checked into Promises rehab in Malibu on Tuesday.",
            "Actress Tara Reid entered the Promises rehab center in Malibu.",
            "Lindsay Lohan checked into Betty Ford rehab in Palm Springs.",
            "An earthquake of magnitude 6.1 hit Indonesia on Tuesday.",
        ];
        let raw: Vec<RawTerms> = docs
            .iter()
            .map(|d| extract(None, [*d], Language::ENGLISH))
            .collect();
        let mut vocab = Vocabulary::default();
        let counted: Vec<CountedTerms> = raw.into_iter().map(|r| vocab.add(r)).collect();
        // The cosine of shared terms only: unit vectors.
        let shared_only = VectorConfig {
            unshared_norm: Some(0.0),
            ..VectorConfig::default()
        };
        for x in counted.iter().map(|r| vocab.vector(r, &shared_only)) {
            let n: f32 = x.weights.iter().map(|w| w * w).sum();
            assert!((n - 1.0).abs() < 1e-4 || x.is_empty());
        }
        // By default, in a batch of four, the terms no other article has
        // count in the norm: shorter than unit vectors.
        let config = VectorConfig::default();
        let v: Vec<TermVector> = counted.iter().map(|r| vocab.vector(r, &config)).collect();
        for x in &v {
            let n: f32 = x.weights.iter().map(|w| w * w).sum();
            assert!(n < 1.0 - 1e-3 && n > 0.0, "{n}");
            assert!(x.ids.windows(2).all(|w| w[0] < w[1]));
        }
        assert!(v[0].dot(&v[1]) > v[0].dot(&v[2]));
        assert!(v[0].dot(&v[2]) > v[0].dot(&v[3]) - 1e-6);
        let shared = v[0].shared_terms(&v[1]);
        assert!(!shared.is_empty());
        assert!(shared.windows(2).all(|w| w[0].1 >= w[1].1));
    }

    #[test]
    fn config_is_validated() {
        assert!(VectorConfig::default().validate().is_ok());
        let bad = VectorConfig {
            name_boost: -1.0,
            ..VectorConfig::default()
        };
        assert!(bad.validate().is_err());
    }
}
