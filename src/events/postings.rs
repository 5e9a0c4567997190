//! Nearest neighbours through an inverted index: each article is filed
//! under its heaviest terms, each term keeps its heaviest articles
//! (impact-ordered postings, capped), and an article's candidates are
//! scored by the partial dot product those postings give, then re-ranked on
//! the whole vectors. Exact arithmetic in a fixed order, so the graph is the
//! same on any number of threads; no index to build article by article.

use rayon::prelude::*;

use crate::events::neighbours::{Entry, Neighbours};
use crate::events::vectors::TermVector;
use crate::events::ClusterConfig;
use crate::progress::{Progress, Stage};

/// Candidates re-ranked on whole vectors per article, as a multiple of k.
const RERANK_FACTOR: usize = 4;

/// The k nearest neighbours of every vector (excluding itself, at least
/// two vectors) through postings of their `entries` (each article's
/// heaviest terms), at most `postings_cap` articles per term (the
/// heaviest); before refinement.
pub(super) fn postings_graph(
    vectors: &[TermVector],
    entries: &[Vec<Entry>],
    k: usize,
    config: &ClusterConfig,
    progress: &dyn Progress,
) -> Vec<Neighbours> {
    let n = vectors.len();
    let postings = build_postings(entries, config.postings_cap);
    progress.begin(Stage::Neighbours, Some(n as u64));
    let rerank = (RERANK_FACTOR * k).max(k + 1);
    let by_score = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    // Contiguous blocks, each with its own accumulator (n scores and
    // stamps): a few per thread, whatever the input size.
    let blocks = (rayon::current_num_threads() * 8).min(n);
    let graph: Vec<Neighbours> = (0..blocks)
        .into_par_iter()
        .flat_map_iter(|b| {
            let range = b * n / blocks..(b + 1) * n / blocks;
            let mut acc = vec![0f32; n];
            let mut stamp = vec![u32::MAX; n];
            let mut touched: Vec<u32> = Vec::new();
            let found: Vec<Neighbours> = range
                .clone()
                .map(|i| {
                    let me = i as u32;
                    for q in &entries[i] {
                        for p in postings.of(q.id) {
                            let d = p.id as usize;
                            if d == i {
                                continue;
                            }
                            if stamp[d] != me {
                                stamp[d] = me;
                                acc[d] = 0.0;
                                touched.push(p.id);
                            }
                            acc[d] += q.weight * p.weight;
                        }
                    }
                    let mut partial: Vec<(u32, f32)> =
                        touched.drain(..).map(|d| (d, acc[d as usize])).collect();
                    if partial.len() > rerank {
                        partial.select_nth_unstable_by(rerank, by_score);
                        partial.truncate(rerank);
                    }
                    // A new list, not the candidates' buffer reused in place:
                    // that would keep its capacity (thousands) per article.
                    let mut found: Neighbours = Vec::with_capacity(partial.len());
                    found.extend(
                        partial
                            .iter()
                            .map(|&(d, _)| (d, vectors[i].dot(&vectors[d as usize]))),
                    );
                    found.sort_by(by_score);
                    found.truncate(k);
                    found.shrink_to_fit();
                    found
                })
                .collect();
            progress.advance(range.len() as u64);
            found
        })
        .collect();
    progress.end();
    graph
}

/// Per term, the articles filed under it with their weights, heaviest
/// first (ties by article), at most `cap` of them.
struct Postings {
    /// Start of each term's list in `items` (one more than the terms).
    starts: Vec<usize>,
    items: Vec<Entry>,
}

impl Postings {
    fn of(&self, term: u32) -> &[Entry] {
        let t = term as usize;
        if t + 1 >= self.starts.len() {
            return &[];
        }
        &self.items[self.starts[t]..self.starts[t + 1]]
    }
}

/// Postings of every article's entries (the `id` of an item is the article).
fn build_postings(entries: &[Vec<Entry>], cap: usize) -> Postings {
    let terms = entries
        .iter()
        .flatten()
        .map(|e| e.id as usize + 1)
        .max()
        .unwrap_or(0);
    // Counting sort by term: full lists side by side, then each capped.
    let mut full_starts = vec![0usize; terms + 1];
    for e in entries.iter().flatten() {
        full_starts[e.id as usize + 1] += 1;
    }
    for t in 0..terms {
        full_starts[t + 1] += full_starts[t];
    }
    let mut next = full_starts.clone();
    let mut full = vec![Entry::default(); full_starts[terms]];
    for (doc, es) in entries.iter().enumerate() {
        for e in es {
            let at = &mut next[e.id as usize];
            full[*at] = Entry {
                id: doc as u32,
                weight: e.weight,
            };
            *at += 1;
        }
    }
    drop(next);
    let heaviest = |a: &Entry, b: &Entry| b.weight.total_cmp(&a.weight).then(a.id.cmp(&b.id));
    let mut starts = Vec::with_capacity(terms + 1);
    let mut items = Vec::new();
    starts.push(0);
    for t in 0..terms {
        let list = &mut full[full_starts[t]..full_starts[t + 1]];
        if list.len() > cap {
            list.select_nth_unstable_by(cap, heaviest);
        }
        let kept = list.len().min(cap);
        let list = &mut list[..kept];
        list.sort_by(heaviest);
        items.extend_from_slice(list);
        starts.push(items.len());
    }
    Postings { starts, items }
}
