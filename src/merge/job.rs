//! The `merge` job: dedup a corpus, find each article's event (a field, a
//! given map, one event, or event clustering), and merge the sources of
//! every event that has enough of them. Copies are listed with their source
//! and compared with it; an event whose copy changed a fact is merged even
//! with fewer sources.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde_json::Value;

use super::{MergedStory, Merger, Source};
use crate::article::Article;
use crate::dedup::{DedupOutcome, Deduplicator};
use crate::error::{Error, Result};
use crate::events::EventClusterer;
use crate::ingest::Corpus;
use crate::progress::{Progress, Stage};

/// Where each article's event comes from.
#[derive(Debug, Clone)]
pub enum EventSource {
    /// Event clustering of the corpus.
    Cluster(EventClusterer),
    /// An input field (a string, or a number written as JSON).
    Field(String),
    /// Article id → event label (e.g. read from a `cluster -o` file);
    /// articles not listed have no event.
    Given(BTreeMap<String, String>),
    /// Every article is one event, labelled "1".
    One,
}

/// The whole `merge` job; see the module docs.
#[derive(Debug, Clone)]
pub struct MergeJob {
    pub dedup: Deduplicator,
    pub merger: Merger,
    pub events: EventSource,
    /// Merge copies as sources of their own instead of listing them with
    /// the article they copy.
    pub keep_copies: bool,
    /// Events with fewer sources than this are not merged (at least 1).
    pub min_sources: usize,
    /// Merge only this event.
    pub only: Option<String>,
}

/// What a merge run produced.
#[derive(Debug, Clone)]
pub struct MergeOutcome {
    /// One merged story per event with enough sources, in order of the
    /// event's first article.
    pub stories: Vec<MergedStory>,
    /// Events with fewer than `min_sources` sources, not merged.
    pub too_small: usize,
    /// Articles without an event.
    pub unlabelled: usize,
    /// The dedup run under it (records read, rejections, copies).
    pub dedup: DedupOutcome,
}

impl MergeJob {
    /// Runs the job over a corpus.
    ///
    /// # Errors
    /// I/O errors, `min_sources` of 0, and an `only` event the input does not have.
    pub fn run(&self, corpus: &Corpus, progress: &dyn Progress) -> Result<MergeOutcome> {
        if self.min_sources == 0 {
            return Err(Error::invalid("min sources", "must be at least 1"));
        }
        let outcome = self.dedup.run(corpus, progress)?;
        let table = &outcome.table;
        let event_of_row: Vec<Option<String>> = match &self.events {
            EventSource::Cluster(clusterer) => {
                let events = clusterer.run(corpus, &outcome, progress)?;
                events
                    .event_of_row
                    .iter()
                    .map(|e| Some((e + 1).to_string()))
                    .collect()
            }
            EventSource::One => vec![Some("1".to_string()); table.len()],
            EventSource::Given(map) => (0..table.len() as u32)
                .map(|r| map.get(table.id(r)).cloned())
                .collect(),
            EventSource::Field(field) => {
                let mut events = vec![None; table.len()];
                progress.begin(Stage::Vectors, Some(corpus.total_bytes()));
                outcome.map_rows(
                    corpus,
                    progress,
                    |_| true,
                    |_, article| field_value(&article, field),
                    |row, value| {
                        events[row as usize] = value;
                        Ok(())
                    },
                )?;
                progress.end();
                events
            }
        };
        let wanted =
            |e: Option<&str>| e.is_some() && self.only.as_deref().is_none_or(|w| Some(w) == e);
        // The articles of the events to merge (the texts of others are not kept).
        let mut articles: Vec<Option<Article>> = vec![None; table.len()];
        outcome.map_rows(
            corpus,
            progress,
            |row| wanted(event_of_row[row as usize].as_deref()),
            |_, article| article,
            |row, article| {
                articles[row as usize] = Some(article);
                Ok(())
            },
        )?;

        // Events in order of their first article; sources and their copies.
        let mut order: Vec<String> = Vec::new();
        let mut sources: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        let mut copies: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut unlabelled = 0usize;
        for row in 0..table.len() as u32 {
            let Some(event) = event_of_row[row as usize].as_deref() else {
                unlabelled += 1;
                continue;
            };
            if seen.insert(event) {
                order.push(event.to_string());
            }
            let copy_of = outcome
                .duplicate_of(row)
                .map(|(rep, _)| rep)
                .filter(|&rep| {
                    !self.keep_copies && event_of_row[rep as usize].as_deref() == Some(event)
                });
            match copy_of {
                Some(rep) => copies.entry(rep).or_default().push(row),
                None => sources.entry(event).or_default().push(row),
            }
        }
        if let Some(wanted) = &self.only {
            if !seen.contains(wanted.as_str()) {
                let known: Vec<&str> = order.iter().take(10).map(String::as_str).collect();
                return Err(Error::UnknownEvent {
                    event: wanted.clone(),
                    known: format!(
                        "{}{}",
                        known.join(", "),
                        if order.len() > 10 { ", …" } else { "" }
                    ),
                });
            }
            order.retain(|e| e == wanted);
        }
        // An event with fewer sources than asked is still merged when a
        // copy changed a fact of its source: that change is the finding.
        let enough = |e: &str| sources.get(e).map_or(0, Vec::len) >= self.min_sources;
        let changed_copy = |e: &str| {
            sources.get(e).into_iter().flatten().any(|row| {
                copies.get(row).into_iter().flatten().any(|c| {
                    let text = |r: u32| articles[r as usize].as_ref().map(|a| a.text.as_str());
                    text(*c) != text(*row)
                })
            })
        };
        let candidates: Vec<&String> = order
            .iter()
            .filter(|e| enough(e) || changed_copy(e))
            .collect();
        let merged: Vec<MergedStory> = candidates
            .par_iter()
            .map(|event| {
                let srcs = sources[event.as_str()]
                    .iter()
                    .filter_map(|&row| {
                        articles[row as usize].clone().map(|article| Source {
                            article,
                            copies: copies
                                .get(&row)
                                .into_iter()
                                .flatten()
                                .filter_map(|&c| articles[c as usize].clone())
                                .collect(),
                        })
                    })
                    .collect();
                self.merger.merge(event, srcs, outcome.freq.as_ref())
            })
            .collect();
        let stories: Vec<MergedStory> = merged
            .into_iter()
            .filter(|s| {
                enough(&s.event)
                    || s.discrepancies
                        .iter()
                        .any(|d| d.relation == super::Relation::Copy)
            })
            .collect();
        let too_small = order.len() - stories.len();
        Ok(MergeOutcome {
            stories,
            too_small,
            unlabelled,
            dedup: outcome,
        })
    }
}

/// An input field as an event label: a string, or a number written as JSON.
fn field_value(article: &Article, field: &str) -> Option<String> {
    match field {
        "id" => Some(article.id.clone()),
        "source" => article.source.clone(),
        "url" => article.url.clone(),
        "published" => article.published.clone(),
        "title" => article.title.clone(),
        _ => match article.extra.get(field)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        },
    }
}
