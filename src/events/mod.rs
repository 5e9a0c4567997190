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

pub mod dates;
pub mod vectors;

use dates::day_number;
pub use dates::parse_day;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use hnsw_rs::anndists::dist::Distance;
use hnsw_rs::hnsw::Hnsw;
use rayon::prelude::*;
use serde::Serialize;

use chrono::NaiveDate;

use crate::dedup::DedupOutcome;
use crate::error::{Error, Result};
use crate::events::vectors::{
    article_terms, sorted_dot, sparse_dot, CountedTerms, TermVector, VectorConfig, Vocabulary,
};
use crate::ingest::Corpus;
use crate::progress::{Progress, Stage};
use crate::text::boilerplate::BoilerplateConfig;

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
    /// Heaviest terms of each vector the HNSW index compares (default 48);
    /// neighbours it proposes are re-ranked on the whole vectors.
    pub index_terms: usize,
    /// HNSW links per node and layer (default 12).
    pub max_connections: usize,
    /// HNSW candidate list size while building (default 64).
    pub ef_construction: usize,
    /// HNSW candidate list size while searching (default 48).
    pub ef_search: usize,
    /// Articles whose `published` dates are further apart than this many
    /// days never share an event (default 7; `None` ignores dates).
    pub window_days: Option<u32>,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            vectors: VectorConfig::default(),
            threshold: 0.2,
            linkage: Linkage::Graph,
            neighbours: 10,
            index_terms: 48,
            max_connections: 12,
            ef_construction: 64,
            ef_search: 48,
            window_days: Some(7),
        }
    }
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

/// One coordinate of an index vector.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Entry {
    pub id: u32,
    pub weight: f32,
}

/// Cosine distance between normalized sparse vectors (sorted by id),
/// clamped to [0, 2]: hnsw_rs asserts distances are not negative, and
/// rounding could make them so.
#[derive(Debug, Clone, Copy, Default)]
pub struct SparseCosine;

impl Distance<Entry> for SparseCosine {
    fn eval(&self, a: &[Entry], b: &[Entry]) -> f32 {
        let dot = sorted_dot(
            a.len(),
            b.len(),
            |i| (a[i].id, a[i].weight),
            |j| (b[j].id, b[j].weight),
        );
        (1.0 - dot).clamp(0.0, 2.0)
    }
}

/// The heaviest `terms` coordinates of a vector, renormalized, by id: what
/// the index compares. Neighbours it proposes are re-ranked on the whole
/// vectors.
fn index_entries(v: &TermVector, terms: usize) -> Vec<Entry> {
    let mut e: Vec<Entry> = v
        .ids
        .iter()
        .zip(v.weights.iter())
        .map(|(&id, &weight)| Entry { id, weight })
        .collect();
    if e.len() > terms {
        e.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.id.cmp(&b.id)));
        e.truncate(terms);
        let norm = e.iter().map(|x| x.weight * x.weight).sum::<f32>().sqrt();
        e.iter_mut().for_each(|x| x.weight /= norm);
        e.sort_unstable_by_key(|x| x.id);
    }
    e
}

/// An article's nearest neighbours: (index, cosine similarity), most similar first.
pub type Neighbours = Vec<(u32, f32)>;

/// Articles per HNSW shard before another shard is added (at most `MAX_SHARDS`).
const SHARD_SIZE: usize = 100_000;
const MAX_SHARDS: usize = 8;

/// The k nearest neighbours of every vector (excluding itself), from an
/// HNSW index built deterministically (see the module docs).
pub fn neighbour_graph(
    vectors: &[TermVector],
    config: &ClusterConfig,
    progress: &dyn Progress,
) -> Vec<Neighbours> {
    let n = vectors.len();
    if n < 2 {
        return vec![Vec::new(); n];
    }
    let k = config.neighbours.min(n - 1);
    let entries: Vec<Vec<Entry>> = vectors
        .par_iter()
        .map(|v| index_entries(v, config.index_terms))
        .collect();
    let shards = n.div_ceil(SHARD_SIZE).clamp(1, MAX_SHARDS);
    progress.begin(Stage::Neighbours, Some(2 * n as u64));
    let indexes: Vec<Hnsw<Entry, SparseCosine>> = (0..shards)
        .into_par_iter()
        .map(|s| {
            let members = (s..n).step_by(shards);
            let mut hnsw = Hnsw::new(
                config.max_connections,
                members.len(),
                16,
                config.ef_construction,
                SparseCosine,
            );
            // Articles form tight, mutually distant groups; keeping the links
            // the diversity heuristic prunes keeps the graph connected.
            hnsw.set_keeping_pruned(true);
            for (count, i) in members.enumerate() {
                hnsw.insert_slice((&entries[i], i));
                if count % 1024 == 1023 {
                    progress.advance(1024);
                }
            }
            hnsw
        })
        .collect();
    progress.end();
    progress.begin(Stage::Neighbours, Some(n as u64));
    let graph: Vec<Neighbours> = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut found: Vec<(u32, f32)> = indexes
                .iter()
                .flat_map(|h| h.search(&entries[i], 2 * k + 1, config.ef_search.max(2 * k + 1)))
                .filter(|nb| nb.d_id != i)
                .map(|nb| (nb.d_id as u32, vectors[i].dot(&vectors[nb.d_id])))
                .collect();
            found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            found.dedup_by_key(|x| x.0);
            found.truncate(k);
            if i % 1024 == 0 {
                progress.advance(1024.min((n - i) as u64));
            }
            found
        })
        .collect();
    progress.end();
    refine(vectors, &graph, k)
}

/// One round of neighbour-of-neighbour refinement (as in NN-descent): each
/// article's candidates are its neighbours, their neighbours and the
/// articles that list it, re-ranked on the whole vectors. When the index
/// found one member of a tight story, this finds the rest. A pure function
/// of the input graph, so still deterministic.
fn refine(vectors: &[TermVector], graph: &[Neighbours], k: usize) -> Vec<Neighbours> {
    let n = graph.len();
    let mut reverse: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (i, nbs) in graph.iter().enumerate() {
        for &(j, _) in nbs {
            reverse[j as usize].push(i as u32);
        }
    }
    (0..n)
        .into_par_iter()
        .map(|i| {
            let direct = graph[i]
                .iter()
                .map(|x| x.0)
                .chain(reverse[i].iter().copied());
            let mut candidates: Vec<u32> = direct
                .clone()
                .flat_map(|j| std::iter::once(j).chain(graph[j as usize].iter().map(|x| x.0)))
                .filter(|&j| j as usize != i)
                .collect();
            candidates.sort_unstable();
            candidates.dedup();
            let mut found: Neighbours = candidates
                .into_iter()
                .map(|j| (j, vectors[i].dot(&vectors[j as usize])))
                .collect();
            found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            found.truncate(k);
            found
        })
        .collect()
}

/// A cluster's sum of member vectors, sorted by term id.
#[derive(Debug, Clone, Default)]
struct SumVector {
    ids: Vec<u32>,
    weights: Vec<f32>,
}

impl SumVector {
    fn from_vector(v: &TermVector) -> Self {
        SumVector {
            ids: v.ids.to_vec(),
            weights: v.weights.to_vec(),
        }
    }

    fn dot(&self, other: &SumVector) -> f32 {
        sparse_dot(&self.ids, &self.weights, &other.ids, &other.weights)
    }

    fn add(&self, other: &SumVector) -> SumVector {
        let mut out = SumVector {
            ids: Vec::with_capacity(self.ids.len() + other.ids.len()),
            weights: Vec::with_capacity(self.ids.len() + other.ids.len()),
        };
        let (mut i, mut j) = (0, 0);
        while i < self.ids.len() || j < other.ids.len() {
            let take_a =
                j >= other.ids.len() || (i < self.ids.len() && self.ids[i] <= other.ids[j]);
            let take_b =
                i >= self.ids.len() || (j < other.ids.len() && other.ids[j] <= self.ids[i]);
            let id = if take_a { self.ids[i] } else { other.ids[j] };
            let mut w = 0.0;
            if take_a {
                w += self.weights[i];
                i += 1;
            }
            if take_b {
                w += other.weights[j];
                j += 1;
            }
            out.ids.push(id);
            out.weights.push(w);
        }
        out
    }
}

/// A candidate merge in the priority queue: best score first, then the
/// smallest cluster ids (a total order, so merges happen in one order).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Merge {
    score: f32,
    a: u32,
    b: u32,
    stamp_a: u32,
    stamp_b: u32,
}

impl Eq for Merge {}

impl Ord for Merge {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.a.cmp(&self.a))
            .then_with(|| other.b.cmp(&self.b))
    }
}

impl PartialOrd for Merge {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Average-link clustering on the neighbour graph.
///
/// `days` holds each article's publication day, when known. Returns each
/// article's cluster number: clusters are numbered 0.. in order of their
/// first article.
pub fn link(
    vectors: &[TermVector],
    graph: &[Neighbours],
    days: &[Option<i64>],
    config: &ClusterConfig,
    progress: &dyn Progress,
) -> Vec<u32> {
    let n = vectors.len();
    let window = config.window_days.map(i64::from);
    let exact = config.linkage == Linkage::Exact;
    let mut sums: Vec<SumVector> = if exact {
        vectors.iter().map(SumVector::from_vector).collect()
    } else {
        Vec::new()
    };
    let mut size = vec![1u32; n];
    let mut span: Vec<Option<(i64, i64)>> = days.iter().map(|d| d.map(|d| (d, d))).collect();
    let mut stamp = vec![0u32; n];
    let mut parent: Vec<u32> = (0..n as u32).collect();
    // Cluster → neighbouring cluster → sum of graph-edge similarities between them.
    let mut adj: Vec<BTreeMap<u32, f32>> = vec![BTreeMap::new(); n];
    let fits = |a: Option<(i64, i64)>, b: Option<(i64, i64)>| match (window, a, b) {
        (Some(w), Some(a), Some(b)) => a.1.max(b.1) - a.0.min(b.0) <= w,
        _ => true,
    };
    for (i, nbs) in graph.iter().enumerate() {
        for &(j, sim) in nbs {
            if fits(span[i], span[j as usize]) && sim > 0.0 {
                adj[i].insert(j, sim);
                adj[j as usize].insert(i as u32, sim);
            }
        }
    }
    let mut heap = BinaryHeap::new();
    for (i, nbs) in adj.iter().enumerate() {
        for (&j, &sim) in nbs.range(i as u32 + 1..) {
            if sim >= config.threshold {
                heap.push(Merge {
                    score: sim,
                    a: i as u32,
                    b: j,
                    stamp_a: 0,
                    stamp_b: 0,
                });
            }
        }
    }
    progress.begin(Stage::Linkage, Some(n as u64));
    while let Some(m) = heap.pop() {
        let (a, b) = (m.a as usize, m.b as usize);
        if parent[a] != m.a || parent[b] != m.b || stamp[a] != m.stamp_a || stamp[b] != m.stamp_b {
            continue;
        }
        // Merge b into a (a < b), so a cluster is named by its smallest member.
        parent[b] = m.a;
        if exact {
            sums[a] = sums[a].add(&sums[b]);
            sums[b] = SumVector::default();
        }
        size[a] += size[b];
        span[a] = match (span[a], span[b]) {
            (Some(x), Some(y)) => Some((x.0.min(y.0), x.1.max(y.1))),
            (x, y) => x.or(y),
        };
        stamp[a] += 1;
        let mut merged = std::mem::take(&mut adj[a]);
        for (c, w) in std::mem::take(&mut adj[b]) {
            *merged.entry(c).or_insert(0.0) += w;
        }
        merged.remove(&m.a);
        merged.remove(&m.b);
        for (&c, &w) in &merged {
            let cu = c as usize;
            adj[cu].remove(&m.b);
            adj[cu].insert(m.a, w);
            if !fits(span[a], span[cu]) {
                continue;
            }
            let pairs = size[a] as f32 * size[cu] as f32;
            let score = if exact {
                sums[a].dot(&sums[cu]) / pairs
            } else {
                w / pairs
            };
            if score >= config.threshold {
                let (x, y) = (m.a.min(c), m.a.max(c));
                heap.push(Merge {
                    score,
                    a: x,
                    b: y,
                    stamp_a: stamp[x as usize],
                    stamp_b: stamp[y as usize],
                });
            }
        }
        adj[a] = merged;
        progress.advance(1);
    }
    progress.end();
    // Each article's root, then number the roots in order of first member.
    let root: Vec<u32> = (0..n as u32)
        .map(|mut r| {
            while parent[r as usize] != r {
                r = parent[r as usize];
            }
            r
        })
        .collect();
    let mut number = vec![u32::MAX; n];
    let mut next = 0;
    root.iter()
        .map(|&r| {
            let slot = &mut number[r as usize];
            if *slot == u32::MAX {
                *slot = next;
                next += 1;
            }
            *slot
        })
        .collect()
}

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
    pub vocab: Vocabulary,
    /// Their nearest neighbours (indexes into `rows`).
    pub graph: Vec<Neighbours>,
    /// Events, numbered in order of their first row.
    pub events: Vec<EventCluster>,
    /// Each table row's event.
    pub event_of_row: Vec<u32>,
    pub stats: ClusterStats,
}

impl EventOutcome {
    /// Position of a table row in `rows`, if it was clustered itself.
    pub fn index_of_row(&self, row: u32) -> Option<usize> {
        self.rows.binary_search(&row).ok()
    }
}

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
        progress.begin(Stage::Vectors, Some(corpus.total_bytes()));
        dedup.map_rows(
            corpus,
            progress,
            |row| dedup.duplicate_of(row).is_none(),
            |_, article| article_terms(&article, &self.boilerplate, dedup.freq.as_ref()),
            |_, terms| {
                counted.push(vocab.add(terms));
                Ok(())
            },
        )?;
        progress.end();
        debug_assert_eq!(counted.len(), rows.len());
        let vectors: Vec<TermVector> = counted
            .par_iter()
            .map(|c| vocab.vector(c, &self.config.vectors))
            .collect();
        drop(counted);
        let graph = neighbour_graph(&vectors, &self.config, progress);
        let days: Vec<Option<i64>> = rows
            .iter()
            .map(|&r| table.published(r).and_then(day_number).map(i64::from))
            .collect();
        let event_of = link(&vectors, &graph, &days, &self.config, progress);
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
            if let Some(d) = table.published(row as u32).and_then(parse_day) {
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
        };
        Ok(EventOutcome {
            rows,
            vectors,
            vocab,
            graph,
            events,
            event_of_row,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    fn vector(pairs: &[(u32, f32)]) -> TermVector {
        let norm = pairs.iter().map(|p| p.1 * p.1).sum::<f32>().sqrt();
        TermVector {
            ids: pairs.iter().map(|p| p.0).collect(),
            weights: pairs.iter().map(|p| p.1 / norm).collect(),
        }
    }

    #[test]
    fn distance_is_one_minus_cosine_and_never_negative() {
        let a = [Entry { id: 1, weight: 0.6 }, Entry { id: 4, weight: 0.8 }];
        let b = [
            Entry { id: 1, weight: 0.6 },
            Entry {
                id: 4,
                weight: 0.8000001,
            },
        ];
        assert_eq!(SparseCosine.eval(&a, &b), 0.0);
        let c = [Entry { id: 2, weight: 1.0 }, Entry { id: 4, weight: 1.0 }];
        assert!((SparseCosine.eval(&a, &c) - 0.2).abs() < 1e-6);
        assert_eq!(SparseCosine.eval(&[], &c), 1.0);
    }

    /// Brute-force k nearest neighbours, for checking the index.
    fn exact_neighbours(vs: &[TermVector], i: usize, k: usize) -> Vec<u32> {
        let mut all: Vec<(u32, f32)> = (0..vs.len())
            .filter(|&j| j != i)
            .map(|j| (j as u32, vs[i].dot(&vs[j])))
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        all.into_iter().take(k).map(|x| x.0).collect()
    }

    #[test]
    fn neighbour_graph_recalls_brute_force_neighbours() {
        // 400 "articles" in 80 stories of 5: each shares its story's terms,
        // some of a few topics' terms, and common words, with varied weights.
        let mut rng = crate::bench::synth::Rng::new(7);
        let vs: Vec<TermVector> = (0..400u32)
            .map(|i| {
                let story = i / 5;
                let mut pairs: Vec<(u32, f32)> = (0..6)
                    .map(|t| (1000 + story * 10 + t, 1.0 + rng.below(100) as f32 / 100.0))
                    .collect();
                pairs.push((story % 7, 0.8));
                for _ in 0..8 {
                    pairs.push((100 + rng.below(200) as u32, 0.3));
                }
                pairs.sort_unstable_by_key(|p| p.0);
                pairs.dedup_by_key(|p| p.0);
                vector(&pairs)
            })
            .collect();
        let config = ClusterConfig {
            neighbours: 4,
            ..ClusterConfig::default()
        };
        let g = neighbour_graph(&vs, &config, &Silent);
        // The neighbours that matter for clustering are the strong ones (the
        // story mates here); weak ties among the rest may be missed.
        let (mut hits, mut strong) = (0, 0);
        for (i, nbs) in g.iter().enumerate() {
            assert!(nbs.windows(2).all(|w| w[0].1 >= w[1].1));
            for j in exact_neighbours(&vs, i, 4) {
                if vs[i].dot(&vs[j as usize]) >= 0.3 {
                    strong += 1;
                    hits += usize::from(nbs.iter().any(|x| x.0 == j));
                }
            }
        }
        let recall = hits as f64 / strong as f64;
        assert!(
            strong > 1000 && recall >= 0.97,
            "recall {recall} of {strong}"
        );
    }

    #[test]
    fn average_link_does_not_chain_through_one_bridge() {
        // Two tight groups {0,1,2} and {3,4,5}; article 2 also resembles 3 a little.
        let vs = vec![
            vector(&[(1, 1.0), (2, 1.0)]),
            vector(&[(1, 1.0), (2, 0.9)]),
            vector(&[(1, 1.0), (2, 1.0), (9, 0.9)]),
            vector(&[(5, 1.0), (6, 1.0), (9, 0.9)]),
            vector(&[(5, 1.0), (6, 0.8)]),
            vector(&[(5, 0.9), (6, 1.0)]),
        ];
        let config = ClusterConfig {
            neighbours: 5,
            threshold: 0.25,
            ..ClusterConfig::default()
        };
        let g = neighbour_graph(&vs, &config, &Silent);
        assert!(g[2].iter().any(|&(j, s)| j == 3 && s >= 0.25), "{:?}", g[2]);
        let ev = link(&vs, &g, &[None; 6], &config, &Silent);
        assert_eq!(ev, vec![0, 0, 0, 1, 1, 1]);
    }

    #[test]
    fn date_window_keeps_distant_articles_apart() {
        let vs = vec![
            vector(&[(1, 1.0)]),
            vector(&[(1, 1.0)]),
            vector(&[(1, 1.0)]),
        ];
        let config = ClusterConfig::default();
        let g = neighbour_graph(&vs, &config, &Silent);
        let ev = link(&vs, &g, &[Some(0), Some(3), Some(30)], &config, &Silent);
        assert_eq!(ev, vec![0, 0, 1]);
        let ev = link(&vs, &g, &[Some(0), None, Some(30)], &config, &Silent);
        assert_eq!(ev[0], ev[1]);
        assert_ne!(ev[0], ev[2]);
    }

    #[test]
    fn bad_settings_are_refused_by_name() {
        for c in [
            ClusterConfig {
                threshold: 0.0,
                ..ClusterConfig::default()
            },
            ClusterConfig {
                neighbours: 0,
                ..ClusterConfig::default()
            },
            ClusterConfig {
                max_connections: 300,
                ..ClusterConfig::default()
            },
            ClusterConfig {
                ef_search: 3,
                ..ClusterConfig::default()
            },
        ] {
            assert!(matches!(c.validate(), Err(Error::InvalidParam { .. })));
        }
    }
}
