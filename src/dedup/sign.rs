//! Passes over the corpus: line frequencies for boilerplate, then each
//! article normalized, stripped, shingled and signed, in input order.

use super::{Deduplicator, OnError, Rejection, StrippedLine};
use crate::ingest::for_each_chunk;
use std::collections::HashMap;
use std::sync::Arc;

use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use crate::article::{Location, RejectReason};
use crate::dedup::store::{Compact, ShingleStoreWriter};
use crate::dedup::table::{ArticleTable, Columns, Row};
use crate::error::{Error, Result};
use crate::ingest::{Corpus, RawRecord};
use crate::progress::{Progress, Stage};
use crate::sketch::shingle::Language;
use crate::text::boilerplate::{self, LineFrequencies, Reason};
use crate::text::normalize::normalize_lines;

/// One record after the parallel part of signing.
pub(crate) struct Signed {
    pub(crate) row: Row,
    pub(crate) shingles: Compact,
    pub(crate) stripped: Vec<StrippedLine>,
}

/// Whether every line of a text is site chrome by the per-line rules
/// (phrases such as a sign-up modal's or a notification prompt's,
/// navigation, fragments): such a page is not an article (`no_content`),
/// neither kept nor a copy, never part of an event. Lines repeated across
/// the corpus do not count here: a page made only of them is a copy of a
/// widely syndicated story, not chrome. A text with no line at all is left
/// to the usual checks.
pub(super) fn is_only_chrome(lines: &[String]) -> bool {
    lines.iter().any(|l| !l.is_empty())
        && lines
            .iter()
            .all(|l| l.is_empty() || boilerplate::line_rule(l).is_some())
}

impl Deduplicator {
    pub(super) fn learn_boilerplate(
        &self,
        corpus: &Corpus,
        progress: &dyn Progress,
    ) -> Result<LineFrequencies> {
        self.line_frequencies(corpus, corpus.total_bytes(), progress)
    }

    /// The line frequencies of `corpus`, in a sketch sized for a corpus of
    /// `corpus_bytes` (a shard's sketch is sized for the whole corpus, so
    /// shard sketches can be summed: [`DedupConfig::shardable`]).
    ///
    /// [`DedupConfig::shardable`]: super::DedupConfig::shardable
    ///
    /// # Errors
    /// Reading the corpus.
    pub fn line_frequencies(
        &self,
        corpus: &Corpus,
        corpus_bytes: u64,
        progress: &dyn Progress,
    ) -> Result<LineFrequencies> {
        let mut freq = if self.config.shardable {
            LineFrequencies::mergeable(corpus_bytes)
        } else {
            LineFrequencies::for_corpus_bytes(corpus_bytes)
        };
        progress.begin(Stage::LearnBoilerplate, Some(corpus.total_bytes()));
        for_each_chunk(
            corpus,
            progress,
            |raw| {
                raw.text().map(|text| {
                    let lines = normalize_lines(&text);
                    LineFrequencies::article_keys(lines.iter().map(String::as_str))
                })
            },
            |_, keys| {
                if let Some(keys) = keys {
                    freq.add_keys(&keys);
                }
                Ok(())
            },
        )?;
        progress.end();
        Ok(freq)
    }

    #[allow(clippy::type_complexity)]
    pub(super) fn sign_all(
        &self,
        corpus: &Corpus,
        freq: Option<&LineFrequencies>,
        progress: &dyn Progress,
    ) -> Result<(
        ArticleTable,
        Vec<Rejection>,
        Vec<(u32, Vec<StrippedLine>)>,
        usize,
    )> {
        let mut table = Columns::new(self.config.minhash);
        let mut rejected = Vec::new();
        let mut stripped = Vec::new();
        let mut seen = IdRegistry::default();
        let mut store = ShingleStoreWriter::new()?;
        let mut records = 0;
        progress.begin(Stage::Sign, Some(corpus.total_bytes()));
        for_each_chunk(
            corpus,
            progress,
            |raw| self.sign(raw, freq),
            |raw, signed| {
                records += 1;
                let result = signed.and_then(|s| match seen.first(&s.row.id, &table) {
                    Some(first) => Err((
                        Some(s.row.id.clone()),
                        RejectReason::DuplicateId {
                            id: s.row.id,
                            first,
                        },
                    )),
                    None => Ok(s),
                });
                match result {
                    Ok(mut s) => {
                        store.push(&s.shingles)?;
                        s.shingles = Compact::default();
                        let row = table.push(s.row);
                        seen.insert(table.id(row), row);
                        if !s.stripped.is_empty() {
                            stripped.push((row, s.stripped));
                        }
                        Ok(())
                    }
                    Err((id, reason)) => {
                        rejected.push(self.reject(raw, id, reason)?);
                        Ok(())
                    }
                }
            },
        )?;
        progress.end();
        let table = table.with_store(store.finish()?);
        Ok((table, rejected, stripped, records))
    }

    /// A record that was not signed as a [`Rejection`], or the error that
    /// stops the run when it is an input error and `on_error` is `Fail`.
    ///
    /// # Errors
    /// As said.
    pub(crate) fn reject(
        &self,
        raw: &RawRecord,
        id: Option<String>,
        reason: RejectReason,
    ) -> Result<Rejection> {
        if reason.is_input_error() && self.config.on_error == OnError::Fail {
            return Err(Error::BadRecord {
                location: raw.location.clone(),
                reason,
            });
        }
        Ok(Rejection {
            seq: raw.seq,
            location: raw.location.clone(),
            id,
            reason,
        })
    }

    /// Parses, normalizes, strips and signs one record (runs on any thread).
    pub(crate) fn sign(
        &self,
        raw: &RawRecord,
        freq: Option<&LineFrequencies>,
    ) -> Result<Signed, (Option<String>, RejectReason)> {
        let parsed = if self.config.label_fields.is_empty() {
            raw.parse_known()
        } else {
            raw.parse()
        };
        let article = parsed.map_err(|r| (raw.id_hint(), r))?;
        let lines = normalize_lines(&article.text);
        let verdicts = boilerplate::classify(&lines, &self.config.boilerplate, freq);
        let kept: Vec<&str> = lines
            .iter()
            .zip(&verdicts)
            .filter(|(_, v)| v.is_none())
            .map(|(l, _)| l.as_str())
            .filter(|l| !l.is_empty())
            .collect();
        if self.config.boilerplate.line_rules && is_only_chrome(&lines) {
            let left: String = article
                .text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let left: String = left.chars().take(120).collect();
            return Err((Some(article.id), RejectReason::NoContent(left)));
        }
        let stripped = if self.config.collect_boilerplate {
            collect_stripped(&article.text, &verdicts)
        } else {
            Vec::new()
        };
        let lang = Language::from_code(article.lang.as_deref());
        let shingles = self
            .config
            .shingle_config()
            .shingle_hashes(kept.iter().copied(), lang);
        let mut slots = vec![0u32; self.config.minhash.num_perm];
        self.hasher.fill_slots(&shingles, &mut slots);
        let compact = Compact::of(&shingles);
        let clean_len: usize = kept.iter().map(|l| l.len()).sum();
        let mut content = Xxh3::new();
        for (i, line) in kept.iter().enumerate() {
            if i > 0 {
                content.update(b"\n");
            }
            content.update(line.as_bytes());
        }
        let labels = self
            .config
            .label_fields
            .iter()
            .map(|f| {
                article.extra.get(f).map(|v| match v {
                    serde_json::Value::String(s) => Arc::from(s.as_str()),
                    other => Arc::from(other.to_string()),
                })
            })
            .collect();
        Ok(Signed {
            row: Row {
                id: article.id,
                seq: raw.seq,
                location: raw.location.clone(),
                clean_len: u32::try_from(clean_len).unwrap_or(u32::MAX),
                published: article.published,
                source: article.source,
                title: article.title,
                labels,
                slots,
                set_size: u32::try_from(compact.set.len()).unwrap_or(u32::MAX),
                content_hash: content.digest(),
            },
            shingles: compact,
            stripped,
        })
    }
}

pub(super) fn collect_stripped(text: &str, verdicts: &[Option<Reason>]) -> Vec<StrippedLine> {
    text.split('\n')
        .zip(verdicts)
        .enumerate()
        .filter_map(|(i, (line, v))| {
            v.map(|reason| StrippedLine {
                line: i + 1,
                text: line.trim().to_string(),
                reason,
            })
        })
        .collect()
}

/// Ids seen so far, for duplicate-id detection, keyed by a 64-bit hash.
#[derive(Default)]
pub(super) struct IdRegistry {
    rows: HashMap<u64, u32>,
    collisions: HashMap<Box<str>, u32>,
}

impl IdRegistry {
    fn first(&self, id: &str, table: &Columns) -> Option<Location> {
        let row = match self.rows.get(&xxh3_64(id.as_bytes())) {
            Some(&r) if table.id(r) == id => Some(r),
            Some(_) => self.collisions.get(id).copied(),
            None => None,
        };
        row.map(|r| table.location(r).clone())
    }

    fn insert(&mut self, id: &str, row: u32) {
        let key = xxh3_64(id.as_bytes());
        match self.rows.entry(key) {
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collisions.insert(id.into(), row);
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(row);
            }
        }
    }
}
