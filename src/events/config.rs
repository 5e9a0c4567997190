//! Settings of event clustering and their checks.

use crate::error::{Error, Result};
use crate::events::vectors::VectorConfig;

/// Settings of event clustering. `Default` gives the documented defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterConfig {
    pub vectors: VectorConfig,
    /// Two clusters merge while the average cosine similarity of their
    /// articles is at least this (default 0.2).
    pub threshold: f32,
    /// How the similarity of two clusters is measured (default graph).
    pub linkage: Linkage,
    /// Nearest neighbours looked up per article (default 10).
    pub neighbours: usize,
    /// How candidate neighbours are found (default postings).
    pub search: NeighbourSearch,
    /// Heaviest terms of each vector the search uses (default 48);
    /// neighbours it proposes are re-ranked on the whole vectors.
    pub index_terms: usize,
    /// Postings search: articles kept per term, the heaviest (default 256).
    pub postings_cap: usize,
    /// HNSW links per node and layer (default 12).
    pub max_connections: usize,
    /// HNSW candidate list size while building (default 64).
    pub ef_construction: usize,
    /// HNSW candidate list size while searching (default 48).
    pub ef_search: usize,
    /// Two clusters whose `published` days are further apart than this
    /// many days never merge: the gap between their day ranges, so reports
    /// a few days apart chain a story that runs for weeks (default 7;
    /// `None` ignores dates).
    pub window_days: Option<u32>,
    /// The same for publication days read from the text when there is no
    /// `published` field (default 730: a printed page date is the date of that report,
    /// and reports of one event come months apart; ECB+ events span up to
    /// three years). `None` ignores dates read from text.
    pub text_window_days: Option<u32>,
    /// Similarity decay with the distance of publication days (either
    /// source): a neighbour-graph edge between articles `Δ` days apart
    /// weighs `exp(-Δ / τ)` of its cosine (default off; τ = 365 keeps 92%
    /// a month apart, 5% three years apart).
    pub date_decay_days: Option<u32>,
    /// Read venues from datelines and leads, and never merge clusters whose
    /// venues are all known and incompatible (default on; see
    /// [`crate::events::places`]).
    pub places: bool,
    /// Keep hub articles out of linkage (default on; see
    /// [`crate::events::hubs`]).
    pub hubs: bool,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            vectors: VectorConfig::default(),
            threshold: 0.2,
            linkage: Linkage::Graph,
            neighbours: 10,
            search: NeighbourSearch::Postings,
            index_terms: 48,
            postings_cap: 256,
            max_connections: 12,
            ef_construction: 64,
            ef_search: 48,
            window_days: Some(7),
            text_window_days: Some(730),
            places: true,
            hubs: true,
            date_decay_days: None,
        }
    }
}

/// How candidate neighbours of an article are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeighbourSearch {
    /// An inverted index of the heaviest terms with capped, impact-ordered
    /// postings (`events::postings`): exact partial dot products.
    Postings,
    /// Sharded HNSW graphs (hnsw_rs) on the heaviest terms.
    Hnsw,
}

/// An event threshold is a cosine similarity in (0, 1] (for `cluster` and
/// for `check --level event`).
///
/// # Errors
/// [`Error::InvalidParam`] naming the value.
pub fn validate_event_threshold(threshold: f32) -> Result<()> {
    if threshold > 0.0 && threshold <= 1.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            "event threshold",
            format!("{threshold} is not in (0, 1]"),
        ))
    }
}

impl ClusterConfig {
    /// Checks every value.
    ///
    /// # Errors
    /// The first value out of range, by name.
    pub fn validate(&self) -> Result<()> {
        self.vectors.validate()?;
        validate_event_threshold(self.threshold)?;
        if self.index_terms == 0 {
            return Err(Error::invalid("index terms", "must be at least 1"));
        }
        if self.neighbours == 0 {
            return Err(Error::invalid("neighbours", "must be at least 1"));
        }
        if self.postings_cap == 0 {
            return Err(Error::invalid("postings cap", "must be at least 1"));
        }
        if !(2..=256).contains(&self.max_connections) {
            return Err(Error::invalid(
                "max connections",
                format!("{} is not in 2..=256", self.max_connections),
            ));
        }
        for (name, v) in [
            ("ef construction", self.ef_construction),
            ("ef search", self.ef_search),
        ] {
            if v < self.neighbours {
                return Err(Error::invalid(
                    name,
                    format!(
                        "{v} is smaller than the neighbours asked for ({})",
                        self.neighbours
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The similarity of two clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Linkage {
    /// Sum of the similarities on neighbour-graph edges between them, over
    /// all pairs (a pair that is not a graph edge counts 0): two clusters
    /// are similar when their articles are each other's nearest neighbours.
    #[default]
    Graph,
    /// Mean cosine similarity over all pairs, exactly (from summed vectors).
    Exact,
}
