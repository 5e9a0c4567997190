//! The merger: for the articles of one event, the facts sources share (each
//! with the claim of every supporting source), the claims only one source
//! makes, and the discrepancies between aligned claims, every one pointing
//! back to byte offsets in its article's text.
//!
//! Stages: `text` splits each story into claims (boilerplate left out),
//! `align` groups claims of different sources into facts by content,
//! `slots` reads typed values out of each claim, `compare` finds where
//! two aligned claims differ.

mod align;
mod compare;
mod copies;
mod job;
mod lexicon;
mod reading;
mod slots;
mod text;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde::Serialize;

pub use compare::{similar_names, DiscrepancyKind};
pub use copies::Change;
pub use job::{EventSource, MergeJob, MergeOutcome};

use reading::{findings, Reading};

use crate::article::Article;
use crate::error::{Error, Result};
use crate::text::boilerplate::{BoilerplateConfig, LineFrequencies};

/// Merger settings, with documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeConfig {
    /// Two claims state one fact when the IDF-weighted cosine of their content
    /// terms reaches this (default 0.2).
    pub align_threshold: f32,
    /// … and share at least this many concepts, a multi-word name counting
    /// once (default 3; fewer for claims with fewer).
    pub min_shared_concepts: usize,
    /// Boilerplate removal before splitting into claims.
    pub boilerplate: BoilerplateConfig,
}

impl Default for MergeConfig {
    fn default() -> Self {
        MergeConfig {
            align_threshold: 0.2,
            min_shared_concepts: 3,
            boilerplate: BoilerplateConfig::default(),
        }
    }
}

impl MergeConfig {
    /// # Errors
    /// A value out of range.
    pub fn validate(&self) -> Result<()> {
        if !(self.align_threshold > 0.0 && self.align_threshold <= 1.0) {
            return Err(Error::InvalidParam {
                name: "alignment threshold",
                message: format!("must be in (0, 1], got {}", self.align_threshold),
            });
        }
        if self.min_shared_concepts == 0 {
            return Err(Error::InvalidParam {
                name: "minimum shared concepts",
                message: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

/// One source of an event: an article and its copies (which are not merged
/// as sources again, but compared with it: see [`Merger::changes`]).
#[derive(Debug, Clone)]
pub struct Source {
    pub article: Article,
    pub copies: Vec<Article>,
}

/// A byte range of an article's `text`, `[start, end)`.
pub type Span = [usize; 2];

/// A source as the merged story lists it.
#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Ids of copies of this article in the input (not merged again).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub copies: Vec<String>,
    /// The copies' texts, in the order of `copies` (the spans of copy
    /// values point into them); not serialized.
    #[serde(skip)]
    pub copy_texts: Vec<String>,
    /// Claims found in its story.
    pub claims: usize,
    /// The article's text (spans point into it); not serialized.
    #[serde(skip)]
    pub text: String,
}

/// A claim of one source: a sentence or clause, and where it is.
#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    /// The source article's id.
    pub id: String,
    /// Position of the source in `sources`.
    pub source: usize,
    pub text: String,
    /// The claim's bytes in the article's text.
    pub span: Span,
    /// The bytes of the sentence it belongs to.
    pub sentence: Span,
}

/// A fact: claims of two or more sources that say the same.
#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    /// 1-based number within the story.
    pub fact: usize,
    /// The first source's wording.
    pub claim: String,
    /// Number of sources supporting it.
    pub support: usize,
    pub claims: Vec<Claim>,
    /// Positions in `discrepancies` of the discrepancies found in this fact.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub discrepancies: Vec<usize>,
}

/// One source's value in a discrepancy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Value {
    /// The article's id: the source's, or its copy's when `copy` is set.
    pub id: String,
    /// Position of the source in `sources` (of the source copied, for a copy).
    pub source: usize,
    pub text: String,
    /// Bytes in the article's text (the copy's text for a copy).
    pub span: Span,
    /// The value is a copy's (relation `copy`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub copy: bool,
}

/// Between whom a discrepancy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// Different sources of the event disagree.
    Sources,
    /// A copy changed a fact of the article it copies.
    Copy,
}

/// Where aligned claims of different sources differ.
#[derive(Debug, Clone, Serialize)]
pub struct Discrepancy {
    pub kind: DiscrepancyKind,
    pub relation: Relation,
    /// The fact (1-based) whose claims differ; for a copy, the fact holding
    /// the source's claim, absent when that claim is its source's alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fact: Option<usize>,
    /// For quotes, "shortened" or "reworded"; otherwise absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Each source's value (at least two); for a copy, the source's value
    /// then the copy's.
    pub values: Vec<Value>,
}

/// A line of a source left out as boilerplate.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    pub id: String,
    pub source: usize,
    pub text: String,
    pub span: Span,
    pub reason: String,
}

/// The merged story of one event.
#[derive(Debug, Clone, Serialize)]
pub struct MergedStory {
    pub event: String,
    pub sources: Vec<SourceInfo>,
    /// Facts with two or more sources, in the order the first source tells them.
    pub facts: Vec<Fact>,
    /// Claims of one source only.
    pub unique: Vec<Claim>,
    pub discrepancies: Vec<Discrepancy>,
    /// Lines left out as boilerplate (never facts).
    pub boilerplate: Vec<LeftOut>,
}

impl MergedStory {
    /// Counts of each discrepancy kind, between sources or in copies.
    pub fn kind_counts(&self, relation: Relation) -> BTreeMap<DiscrepancyKind, usize> {
        let mut counts = BTreeMap::new();
        for d in self.discrepancies.iter().filter(|d| d.relation == relation) {
            *counts.entry(d.kind).or_insert(0) += 1;
        }
        counts
    }
}

/// Merges the sources of events; see the module docs.
#[derive(Debug, Clone)]
pub struct Merger {
    config: MergeConfig,
}

impl Merger {
    /// # Errors
    /// An invalid configuration.
    pub fn new(config: MergeConfig) -> Result<Self> {
        config.validate()?;
        Ok(Merger { config })
    }

    pub fn config(&self) -> &MergeConfig {
        &self.config
    }

    /// Merges the sources of one event. `freq` holds corpus line frequencies
    /// for boilerplate detection, when the caller learned them. Each copy a
    /// source lists is compared with it: what it changed is a discrepancy
    /// with the relation [`Relation::Copy`].
    pub fn merge(
        &self,
        event: &str,
        sources: Vec<Source>,
        freq: Option<&LineFrequencies>,
    ) -> MergedStory {
        let texts: Vec<&str> = sources.iter().map(|s| s.article.text.as_str()).collect();
        let Reading {
            parsed,
            slots,
            groups,
        } = self.read(&texts, freq);

        let claim = |s: usize, c: usize| -> Claim {
            let u = &parsed[s].units[c];
            let text = &sources[s].article.text;
            Claim {
                id: sources[s].article.id.clone(),
                source: s,
                text: text[u.span.clone()].to_string(),
                span: [u.span.start, u.span.end],
                sentence: [u.sentence_span.start, u.sentence_span.end],
            }
        };
        let value = |s: usize, r: &Range<usize>| -> Value {
            let toks = &parsed[s].tokens;
            let (start, end) = (toks[r.start].start, toks[r.end - 1].end);
            Value {
                id: sources[s].article.id.clone(),
                source: s,
                text: sources[s].article.text[start..end].to_string(),
                span: [start, end],
                copy: false,
            }
        };

        let mut in_fact: BTreeSet<(usize, usize)> = BTreeSet::new();
        let mut facts = Vec::with_capacity(groups.len());
        let mut discrepancies: Vec<Discrepancy> = Vec::new();
        let mut variants_seen: BTreeSet<(String, String)> = BTreeSet::new();
        for (f, group) in groups.iter().enumerate() {
            let number = f + 1;
            in_fact.extend(group.iter().copied());
            let found = findings(&parsed, &slots, group, &mut variants_seen);
            let first = discrepancies.len();
            for merged in merge_found(found) {
                discrepancies.push(Discrepancy {
                    kind: merged.kind,
                    relation: Relation::Sources,
                    fact: Some(number),
                    detail: merged.detail.map(String::from),
                    values: merged.values.iter().map(|(s, r)| value(*s, r)).collect(),
                });
            }
            let claims: Vec<Claim> = group.iter().map(|&(s, c)| claim(s, c)).collect();
            facts.push(Fact {
                fact: number,
                claim: claims[0].text.clone(),
                support: claims.len(),
                claims,
                discrepancies: (first..discrepancies.len()).collect(),
            });
        }
        // What each copy changed, after the discrepancies between sources;
        // a change in a claim that is part of a fact is listed with the fact.
        for (s, src) in sources.iter().enumerate() {
            for copy in &src.copies {
                for change in self.changes(&src.article.text, &copy.text, freq) {
                    let fact = facts.iter_mut().find(|f| {
                        f.claims.iter().any(|c| {
                            c.source == s
                                && c.span[0] <= change.kept_span[0]
                                && change.kept_span[1] <= c.span[1]
                        })
                    });
                    let number = fact.map(|f| {
                        f.discrepancies.push(discrepancies.len());
                        f.fact
                    });
                    discrepancies.push(Discrepancy {
                        kind: change.kind,
                        relation: Relation::Copy,
                        fact: number,
                        detail: change.detail,
                        values: vec![
                            Value {
                                id: src.article.id.clone(),
                                source: s,
                                text: change.kept,
                                span: change.kept_span,
                                copy: false,
                            },
                            Value {
                                id: copy.id.clone(),
                                source: s,
                                text: change.copy,
                                span: change.copy_span,
                                copy: true,
                            },
                        ],
                    });
                }
            }
        }
        let unique = parsed
            .iter()
            .enumerate()
            .flat_map(|(s, p)| (0..p.units.len()).map(move |c| (s, c)))
            .filter(|k| !in_fact.contains(k))
            .map(|(s, c)| claim(s, c))
            .collect();
        let boilerplate = parsed
            .iter()
            .enumerate()
            .flat_map(|(s, p)| {
                let src = &sources[s];
                p.boilerplate.iter().map(move |(r, reason)| LeftOut {
                    id: src.article.id.clone(),
                    source: s,
                    text: src.article.text[r.clone()].to_string(),
                    span: [r.start, r.end],
                    reason: reason.clone(),
                })
            })
            .collect();
        let infos = sources
            .into_iter()
            .zip(&parsed)
            .map(|(s, p)| SourceInfo {
                id: s.article.id,
                title: s.article.title,
                source: s.article.source,
                url: s.article.url,
                published: s.article.published,
                copies: s.copies.iter().map(|c| c.id.clone()).collect(),
                copy_texts: s.copies.into_iter().map(|c| c.text).collect(),
                claims: p.units.len(),
                text: s.article.text,
            })
            .collect();
        MergedStory {
            event: event.to_string(),
            sources: infos,
            facts,
            unique,
            discrepancies,
            boilerplate,
        }
    }
}

/// What the merger reads from one text, for the fuzz tests
/// (`tests/fuzz_text.rs`): every token's byte span, and per claim its token
/// ranges, byte spans and the token range of each typed value read from it
/// (numbers, dates, time phrases, quotes, names, actors). Not a stable API.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct ReadText {
    pub tokens: Vec<Span>,
    pub claims: Vec<ReadClaim>,
}

/// One claim of [`ReadText`].
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct ReadClaim {
    pub tokens: Range<usize>,
    pub sentence_tokens: Range<usize>,
    pub span: Span,
    pub sentence: Span,
    /// (kind of value, token range).
    pub slots: Vec<(&'static str, Range<usize>)>,
}

/// Splits `text` into claims and reads their slots as [`Merger::merge`]
/// does, with the text's own lowercase words; see [`ReadText`].
#[doc(hidden)]
pub fn read_text(text: &str, boilerplate: &BoilerplateConfig) -> ReadText {
    let parsed = text::parse(text, boilerplate, None);
    let lowercase: BTreeSet<String> = parsed
        .tokens
        .iter()
        .filter(|t| t.kind == text::Kind::Word && !t.capitalized())
        .map(|t| t.lower.clone())
        .collect();
    let claims = parsed
        .units
        .iter()
        .map(|u| {
            let s = slots::extract(
                &parsed.tokens,
                u.tokens.clone(),
                u.sentence.clone(),
                &lowercase,
            );
            let mut read: Vec<(&'static str, Range<usize>)> = Vec::new();
            read.extend(s.numbers.iter().map(|x| ("number", x.tokens.clone())));
            read.extend(s.dates.iter().map(|x| ("date", x.tokens.clone())));
            read.extend(s.times.iter().map(|x| ("time", x.tokens.clone())));
            read.extend(s.quotes.iter().map(|x| ("quote", x.tokens.clone())));
            read.extend(s.names.iter().map(|x| ("name", x.tokens.clone())));
            read.extend(s.actors.iter().map(|x| ("actor", x.tokens.clone())));
            ReadClaim {
                tokens: u.tokens.clone(),
                sentence_tokens: u.sentence.clone(),
                span: [u.span.start, u.span.end],
                sentence: [u.sentence_span.start, u.sentence_span.end],
                slots: read,
            }
        })
        .collect();
    ReadText {
        tokens: parsed.tokens.iter().map(|t| [t.start, t.end]).collect(),
        claims,
    }
}

/// Joins pairwise findings of one fact that share a value (same kind), so a
/// three-source disagreement is one discrepancy with three values.
pub(super) fn merge_found(mut found: Vec<compare::Found>) -> Vec<compare::Found> {
    found.sort_by(|a, b| {
        let key = |f: &compare::Found| {
            (
                f.kind,
                f.detail,
                f.values
                    .iter()
                    .map(|(s, r)| (*s, r.start, r.end))
                    .collect::<Vec<_>>(),
            )
        };
        key(a).cmp(&key(b))
    });
    let mut out: Vec<compare::Found> = Vec::new();
    for f in found {
        let target = out.iter_mut().find(|o| {
            o.kind == f.kind
                && o.detail == f.detail
                && o.values.iter().any(|v| f.values.contains(v))
        });
        match target {
            Some(o) => {
                for v in f.values {
                    if !o.values.contains(&v) {
                        o.values.push(v);
                    }
                }
                o.values
                    .sort_by(|a, b| a.0.cmp(&b.0).then(a.1.start.cmp(&b.1.start)));
            }
            None => out.push(f),
        }
    }
    out
}
