//! Event clustering: event vectors → HNSW nearest-neighbour graph →
//! average-link agglomeration with a date window → event clusters.
//!
//! The neighbour graph only proposes which clusters may merge; the merge
//! score is the exact average cosine similarity over *all* pairs of articles
//! of the two clusters, computed from per-cluster sums of the normalized
//! vectors (`mean(a·b) = (Σa)·(Σb) / (|A||B|)`). So one shared sentence, or
//! one article that resembles two stories, cannot chain them together: a
//! merge needs the two whole clusters to be similar on average.
//!
//! Determinism: hnsw_rs inserts points in parallel in a run-dependent order,
//! so the graph would vary. Here the index is split into a fixed number of
//! shards (a function of the corpus size only), each built serially, shards
//! in parallel; every query searches every shard. The graph, the merges and
//! the cluster numbering are the same whatever the thread count.

use crate::events::linkage::SumVector;

pub mod background;
pub mod dates;
pub mod details;
pub mod evidence;
pub mod hubs;
pub mod places;
pub(crate) mod terms;
pub(crate) mod vectors;

pub use dates::parse_day;
use dates::ArticleDay;

mod config;
mod linkage;
mod neighbours;
mod outcome;
mod postings;
#[cfg(test)]
mod tests;

pub use config::{validate_event_threshold, ClusterConfig, Linkage, NeighbourSearch};
pub use linkage::link;
pub use neighbours::{graph_recall, neighbour_graph, Entry, GraphRecall, Neighbours, SparseCosine};
pub use outcome::{ClusterStats, EventCluster, EventOutcome};
pub use terms::{extract, TermKind};
pub use vectors::{TermVector, VectorConfig, Vocabulary};

use rayon::prelude::*;

use crate::dedup::DedupOutcome;
use crate::error::Result;
use crate::events::evidence::article_evidence;
use crate::events::hubs::hubs;
use crate::events::places::{venue_set, Venue};
use crate::events::vectors::CountedTerms;
use crate::ingest::Corpus;
use crate::progress::{Progress, Stage};
use crate::text::boilerplate::BoilerplateConfig;

/// Clusters the articles a dedup run kept into events; see the module docs.
#[derive(Debug, Clone)]
pub struct EventClusterer {
    config: ClusterConfig,
    boilerplate: BoilerplateConfig,
}

/// Terms shown per event in summaries.
const TOP_TERMS: usize = 8;

impl EventClusterer {
    /// Validates the configuration.
    ///
    /// # Errors
    /// A configuration value out of range.
    pub fn new(config: ClusterConfig, boilerplate: BoilerplateConfig) -> Result<Self> {
        config.validate()?;
        Ok(EventClusterer {
            config,
            boilerplate,
        })
    }

    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// Re-reads the corpus to build vectors of the kept articles, then links
    /// them into events. Duplicates join their kept article's event.
    ///
    /// # Errors
    /// I/O errors while re-reading the corpus.
    pub fn run(
        &self,
        corpus: &Corpus,
        dedup: &DedupOutcome,
        progress: &dyn Progress,
    ) -> Result<EventOutcome> {
        let table = &dedup.table;
        let rows: Vec<u32> = (0..table.len() as u32)
            .filter(|&r| dedup.duplicate_of(r).is_none())
            .collect();
        let mut vocab = Vocabulary::default();
        let mut counted: Vec<CountedTerms> = Vec::with_capacity(rows.len());
        let mut article_days: Vec<Option<ArticleDay>> = Vec::with_capacity(rows.len());
        let mut article_venues_of: Vec<Vec<Venue>> = Vec::with_capacity(rows.len());
        progress.begin(Stage::Vectors, Some(corpus.total_bytes()));
        dedup.map_rows(
            corpus,
            progress,
            |row| dedup.duplicate_of(row).is_none(),
            |row, article| {
                let e = article_evidence(
                    &article,
                    &self.boilerplate,
                    dedup.freq.as_ref(),
                    Some(dedup.group_size(row)),
                    self.config.places,
                );
                (e.terms, e.day, e.venues)
            },
            |_, (terms, day, venues)| {
                counted.push(vocab.add(terms));
                article_days.push(day);
                article_venues_of.push(venues);
                Ok(())
            },
        )?;
        progress.end();
        debug_assert_eq!(counted.len(), rows.len());
        let vectors: Vec<TermVector> = counted
            .par_iter()
            .map(|c| vocab.vector(c, &self.config.vectors))
            .collect();
        let details: Vec<TermVector> = counted
            .par_iter()
            .map(|c| vocab.details(c, &self.config.vectors))
            .collect();
        drop(counted);
        let mut graph = neighbour_graph(&vectors, &self.config, progress);
        details::apply_to_graph(&mut graph, &details, &self.config.vectors);
        let venue_sets: Vec<Vec<u32>> = article_venues_of.iter().map(|v| venue_set(v)).collect();
        let hub_of = if self.config.hubs {
            hubs(&vectors, &graph, self.config.threshold)
        } else {
            vec![false; vectors.len()]
        };
        let event_of = link(
            &vectors,
            &graph,
            &article_days,
            &venue_sets,
            &hub_of,
            &self.config,
            progress,
        );
        let n_events = event_of.iter().max().map_or(0, |&m| m as usize + 1);
        let mut event_of_row = vec![0u32; table.len()];
        for (i, &row) in rows.iter().enumerate() {
            event_of_row[row as usize] = event_of[i];
        }
        for row in 0..table.len() as u32 {
            if let Some((rep, _)) = dedup.duplicate_of(row) {
                event_of_row[row as usize] = event_of_row[rep as usize];
            }
        }
        let mut events: Vec<EventCluster> = (0..n_events)
            .map(|_| EventCluster {
                rows: Vec::new(),
                span: None,
                top_terms: Vec::new(),
            })
            .collect();
        for (row, &e) in event_of_row.iter().enumerate() {
            let ev = &mut events[e as usize];
            ev.rows.push(row as u32);
            let read = dedup
                .duplicate_of(row as u32)
                .map_or(row as u32, |(rep, _)| rep);
            let i = rows.binary_search(&read).expect("kept rows are clustered");
            let d = match (
                table.published(row as u32).and_then(parse_day),
                &article_days[i],
            ) {
                (Some(d), _) => Some(d),
                (None, Some(a)) if row as u32 == read => Some(a.date()),
                _ => None,
            };
            if let Some(d) = d {
                ev.span = Some(ev.span.map_or((d, d), |(a, b)| (a.min(d), b.max(d))));
            }
        }
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_events];
        for (i, &e) in event_of.iter().enumerate() {
            members[e as usize].push(i);
        }
        events
            .par_iter_mut()
            .zip(&members)
            .for_each(|(ev, m)| ev.top_terms = top_terms(m, &vectors, &vocab));
        let stats = ClusterStats {
            vectors: rows.len(),
            terms: vocab.len(),
            events: n_events,
            multi_article_events: events.iter().filter(|e| e.rows.len() > 1).count(),
            hubs: hub_of.iter().filter(|&&h| h).count(),
        };
        Ok(EventOutcome {
            rows,
            vectors,
            details,
            vocab,
            graph,
            events,
            event_of_row,
            days: article_days,
            venues: article_venues_of,
            hubs: hub_of,
            stats,
        })
    }
}

/// The heaviest terms of the mean of some vectors, with their weight.
fn top_terms(members: &[usize], vectors: &[TermVector], vocab: &Vocabulary) -> Vec<(String, f32)> {
    let mut sum = SumVector::default();
    for &i in members {
        sum = sum.add(&SumVector::from_vector(&vectors[i]));
    }
    let mut terms: Vec<(u32, f32)> = sum
        .ids
        .iter()
        .copied()
        .zip(sum.weights.iter().copied())
        .collect();
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let n = members.len().max(1) as f32;
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (id, w) in terms {
        let surface = &vocab.surface[id as usize];
        let folded = surface.to_lowercase();
        // A name and its word ("Hamburg", "hamburg") are one term to a reader.
        if surface.chars().count() < 2 || seen.contains(&folded) {
            continue;
        }
        seen.push(folded);
        out.push((surface.clone(), w / n));
        if out.len() == TOP_TERMS {
            break;
        }
    }
    out
}
