//! What event clustering found: events, their members and top terms.

use crate::events::Neighbours;

use serde::Serialize;

use chrono::NaiveDate;

use crate::events::details::pair_similarity;
use crate::events::vectors::{TermVector, VectorConfig, Vocabulary};

/// Counts of a clustering run.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ClusterStats {
    /// Articles clustered (one per duplicate group).
    pub vectors: usize,
    /// Terms in the corpus vocabulary.
    pub terms: usize,
    pub events: usize,
    /// Events with more than one article.
    pub multi_article_events: usize,
    /// Hub articles kept out of linkage (`events::hubs`).
    pub hubs: usize,
}

/// One event: its articles (table rows, duplicates included, in row order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventCluster {
    pub rows: Vec<u32>,
    /// Earliest and latest publication day among dated members.
    pub span: Option<(NaiveDate, NaiveDate)>,
    /// The heaviest terms of the cluster's mean vector.
    pub top_terms: Vec<(String, f32)>,
}

/// Everything a clustering run found.
#[derive(Debug, Clone)]
pub struct EventOutcome {
    /// The clustered rows: one per duplicate group (its kept article), ascending.
    pub rows: Vec<u32>,
    /// Their vectors, in the order of `rows`.
    pub vectors: Vec<TermVector>,
    /// Their detail vectors (names and numbers, [`crate::events::details`]).
    pub details: Vec<TermVector>,
    pub vocab: Vocabulary,
    /// Their nearest neighbours (indexes into `rows`).
    pub graph: Vec<Neighbours>,
    /// Events, numbered in order of their first row.
    pub events: Vec<EventCluster>,
    /// Each table row's event.
    pub event_of_row: Vec<u32>,
    /// The publication day of each clustered article (order of `rows`):
    /// its `published` field, else a date read from its text.
    pub days: Vec<Option<crate::events::dates::ArticleDay>>,
    /// The venues each clustered article names (order of `rows`), empty
    /// when it names none or `places` is off.
    pub venues: Vec<Vec<crate::events::places::Venue>>,
    /// Which clustered articles are hubs (order of `rows`), kept out of
    /// linkage (`events::hubs`).
    pub hubs: Vec<bool>,
    pub stats: ClusterStats,
}

impl EventOutcome {
    /// The similarity of two clustered articles (positions in `rows`) as
    /// linkage scores their edge: the cosine of their event vectors after
    /// the detail rule ([`crate::events::details`]).
    pub fn similarity(&self, i: usize, j: usize, config: &VectorConfig) -> f32 {
        pair_similarity(&self.vectors, &self.details, config, i, j)
    }

    /// Position of a table row in `rows`, if it was clustered itself.
    pub fn index_of_row(&self, row: u32) -> Option<usize> {
        self.rows.binary_search(&row).ok()
    }
}
