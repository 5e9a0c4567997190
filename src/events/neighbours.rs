//! Nearest neighbours of every article: the search the config names
//! (`postings`, or sharded HNSW (hnsw_rs) here) on the heaviest terms,
//! re-ranked on whole vectors, refined through neighbours of neighbours;
//! and the recall of a graph against brute force.

use crate::events::postings::postings_graph;
use crate::events::{ClusterConfig, NeighbourSearch};

use hnsw_rs::anndists::dist::Distance;
use hnsw_rs::hnsw::Hnsw;
use rayon::prelude::*;

use crate::events::vectors::{sorted_dot, TermVector};
use crate::progress::{Progress, Stage};

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
pub(super) const SHARD_SIZE: usize = 100_000;
pub(super) const MAX_SHARDS: usize = 8;

/// The k nearest neighbours of every vector (excluding itself), by the
/// search the config names.
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
    let graph = match config.search {
        NeighbourSearch::Postings => postings_graph(vectors, &entries, k, config, progress),
        NeighbourSearch::Hnsw => hnsw_graph(vectors, &entries, k, config, progress),
    };
    refine(vectors, &graph, k)
}

/// The k nearest neighbours of every vector (excluding itself, at least
/// two vectors) from HNSW indexes of their `entries`, built
/// deterministically (see the module docs); before refinement.
fn hnsw_graph(
    vectors: &[TermVector],
    entries: &[Vec<Entry>],
    k: usize,
    config: &ClusterConfig,
    progress: &dyn Progress,
) -> Vec<Neighbours> {
    let n = vectors.len();
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
    graph
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

/// How much of the exact nearest neighbours the graph holds, measured on a
/// sample of articles against brute force (`cluster --check-recall`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GraphRecall {
    /// Articles whose neighbours were checked.
    pub sampled: usize,
    /// Exact neighbours (at most k per article, at or above the similarity
    /// asked for) found by brute force, and how many of them the graph holds.
    pub exact: usize,
    pub found: usize,
}

impl GraphRecall {
    /// Found over exact (1 when there was nothing to find).
    pub fn recall(&self) -> f64 {
        if self.exact == 0 {
            1.0
        } else {
            self.found as f64 / self.exact as f64
        }
    }
}

/// Compares the neighbour graph with brute-force k nearest neighbours
/// (cosine over whole vectors, ties by index; only those with a similarity
/// of at least `min_similarity`, and above 0) for `sample` articles spread
/// evenly over the input (all when there are fewer): the recall of the HNSW
/// search and its refinement. Costs `sample × n` dot products.
pub fn graph_recall(
    vectors: &[TermVector],
    graph: &[Neighbours],
    k: usize,
    sample: usize,
    min_similarity: f32,
) -> GraphRecall {
    let n = vectors.len();
    let sample = sample.min(n);
    if sample == 0 || n < 2 {
        return GraphRecall {
            sampled: 0,
            exact: 0,
            found: 0,
        };
    }
    let picked: Vec<usize> = (0..sample).map(|s| s * n / sample).collect();
    let counts: Vec<(usize, usize)> = picked
        .par_iter()
        .map(|&i| {
            let mut all: Vec<(u32, f32)> = (0..n)
                .filter(|&j| j != i)
                .map(|j| (j as u32, vectors[i].dot(&vectors[j])))
                .filter(|&(_, s)| s > 0.0 && s >= min_similarity)
                .collect();
            all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            all.truncate(k);
            let found = all
                .iter()
                .filter(|(j, _)| graph[i].iter().any(|(g, _)| g == j))
                .count();
            (all.len(), found)
        })
        .collect();
    GraphRecall {
        sampled: sample,
        exact: counts.iter().map(|c| c.0).sum(),
        found: counts.iter().map(|c| c.1).sum(),
    }
}
