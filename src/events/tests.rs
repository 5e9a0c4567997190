//! Tests of neighbours and linkage against brute force and crafted vectors.

use crate::Error;
use hnsw_rs::prelude::Distance;

use super::dates::{ArticleDay, DayFrom};
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
fn graph_recall_counts_exact_neighbours_the_graph_holds() {
    let vs = vec![
        vector(&[(1, 1.0)]),
        vector(&[(1, 0.8), (2, 0.6)]),
        vector(&[(2, 1.0)]),
        vector(&[(3, 1.0)]),
    ];
    // Exact: 0 → 1; 1 → 0, 2; 2 → 1; 3 → nothing (no positive similarity).
    let full: Vec<Neighbours> = vec![
        vec![(1, 0.8)],
        vec![(0, 0.8), (2, 0.6)],
        vec![(1, 0.6)],
        vec![],
    ];
    let r = graph_recall(&vs, &full, 2, 10, 0.0);
    assert_eq!((r.sampled, r.exact, r.found), (4, 4, 4));
    assert_eq!(r.recall(), 1.0);
    let missing: Vec<Neighbours> = vec![vec![], vec![(0, 0.8)], vec![(1, 0.6)], vec![]];
    let r = graph_recall(&vs, &missing, 2, 10, 0.0);
    assert_eq!((r.exact, r.found), (4, 2));
    assert_eq!(r.recall(), 0.5);
    // Only neighbours at or above a similarity: 0 → 1 and 1 → 0 (0.8).
    let r = graph_recall(&vs, &missing, 2, 10, 0.7);
    assert_eq!((r.exact, r.found), (2, 1));
}

/// 400 "articles" in 80 stories of 5: each shares its story's terms, some
/// of a few topics' terms, and common words, with varied weights.
fn stories() -> Vec<TermVector> {
    let mut rng = crate::bench::synth::Rng::new(7);
    (0..400u32)
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
        .collect()
}

#[test]
fn neighbour_graph_recalls_brute_force_neighbours() {
    let vs = stories();
    for (search, wanted) in [
        (NeighbourSearch::Postings, 0.99),
        (NeighbourSearch::Hnsw, 0.97),
    ] {
        let config = ClusterConfig {
            neighbours: 4,
            search,
            // Postings capped well below the 57 articles of a common word.
            postings_cap: 16,
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
            strong > 1000 && recall >= wanted,
            "{search:?}: recall {recall} of {strong}"
        );
    }
}

/// With every term indexed and no cap, the postings search is brute force:
/// every article's neighbours are exactly its k most similar (ties by index).
#[test]
fn uncapped_postings_are_exact() {
    let vs = stories();
    let config = ClusterConfig {
        neighbours: 6,
        search: NeighbourSearch::Postings,
        index_terms: 1000,
        postings_cap: vs.len(),
        ..ClusterConfig::default()
    };
    let g = neighbour_graph(&vs, &config, &Silent);
    for (i, nbs) in g.iter().enumerate() {
        let got: Vec<u32> = nbs.iter().map(|x| x.0).collect();
        assert_eq!(got, exact_neighbours(&vs, i, 6), "article {i}");
    }
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
    let ev = link(&vs, &g, &vec![None; 6], &[], &[], &config, &Silent);
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
    let p = |d| Some(ArticleDay::published(d));
    let ev = link(&vs, &g, &[p(0), p(3), p(30)], &[], &[], &config, &Silent);
    assert_eq!(ev, vec![0, 0, 1]);
    let ev = link(&vs, &g, &[p(0), None, p(30)], &[], &[], &config, &Silent);
    assert_eq!(ev[0], ev[1]);
    assert_ne!(ev[0], ev[2]);
}

#[test]
fn reports_a_few_days_apart_chain_a_story_that_runs_for_weeks() {
    // Reports every five days for three weeks: each gap is within the
    // 7-day window, the whole story is not; a report a month after the
    // last one is another event.
    let vs: Vec<TermVector> = (0..6).map(|_| vector(&[(1, 1.0)])).collect();
    let config = ClusterConfig::default();
    let g = neighbour_graph(&vs, &config, &Silent);
    let p = |d| Some(ArticleDay::published(d));
    let days = [p(0), p(5), p(10), p(15), p(20), p(50)];
    let ev = link(&vs, &g, &days, &[], &[], &config, &Silent);
    assert_eq!(ev, vec![0, 0, 0, 0, 0, 1]);
    // Two neighbours a month apart, with nothing between them, stay apart
    // (the window holds for the first merge too).
    let pair = &vs[..2];
    let g = neighbour_graph(pair, &config, &Silent);
    let ev = link(pair, &g, &[p(0), p(30)], &[], &[], &config, &Silent);
    assert_eq!(ev, vec![0, 1]);
}

#[test]
fn dates_read_from_text_have_their_own_window_and_an_optional_decay() {
    // Three equal vectors: similarity 1 before decay.
    let vs = vec![
        vector(&[(1, 1.0)]),
        vector(&[(1, 1.0)]),
        vector(&[(1, 1.0)]),
    ];
    let config = ClusterConfig {
        threshold: 0.3,
        text_window_days: None,
        date_decay_days: Some(365),
        ..ClusterConfig::default()
    };
    let g = neighbour_graph(&vs, &config, &Silent);
    let t = |d| {
        Some(ArticleDay {
            day: d,
            from: DayFrom::Text("text line 1".to_string()),
        })
    };
    // 30 days apart keeps exp(-30/365) = 0.92; three years, 0.05.
    let ev = link(
        &vs,
        &g,
        &[t(0), t(30), t(3 * 365)],
        &[],
        &[],
        &config,
        &Silent,
    );
    assert_eq!(ev, vec![0, 0, 1]);
    // The hard window is for published fields only.
    let ev = link(&vs, &g, &[t(0), t(30), t(60)], &[], &[], &config, &Silent);
    assert_eq!(ev, vec![0, 0, 0]);
    // No decay when turned off.
    let off = ClusterConfig {
        date_decay_days: None,
        ..config
    };
    let ev = link(&vs, &g, &[t(0), t(30), t(3 * 365)], &[], &[], &off, &Silent);
    assert_eq!(ev, vec![0, 0, 0]);
    // The default: a text window of two years between clusters' days (700
    // days after the first report is within it, 800 days after the second
    // is not).
    let defaults = ClusterConfig {
        threshold: 0.3,
        ..ClusterConfig::default()
    };
    let ev = link(
        &vs,
        &g,
        &[t(0), t(700), t(1500)],
        &[],
        &[],
        &defaults,
        &Silent,
    );
    assert_eq!(ev, vec![0, 0, 1]);
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

/// A roundup resembling two unrelated stories is a hub: it takes no part in
/// linkage, so it cannot glue the two stories into one event.
#[test]
fn a_roundup_of_unrelated_stories_is_a_hub_and_glues_nothing() {
    // Stories A {0,1}, B {2,3}, C {4}; article 5 carries a bit of each.
    let vs = vec![
        vector(&[(1, 1.0), (2, 1.0), (3, 0.5)]),
        vector(&[(1, 1.0), (2, 0.9), (4, 0.5)]),
        vector(&[(5, 1.0), (6, 1.0), (7, 0.5)]),
        vector(&[(5, 0.9), (6, 1.0), (8, 0.5)]),
        vector(&[(10, 1.0), (11, 1.0)]),
        vector(&[(1, 1.0), (2, 1.0), (5, 1.0), (6, 1.0), (10, 1.0), (11, 1.0)]),
    ];
    let config = ClusterConfig {
        neighbours: 5,
        threshold: 0.2,
        ..ClusterConfig::default()
    };
    let g = neighbour_graph(&vs, &config, &Silent);
    let h = super::hubs::hubs(&vs, &g, config.threshold);
    assert_eq!(h, vec![false, false, false, false, false, true]);
    let glued = link(&vs, &g, &vec![None; 6], &[], &[], &config, &Silent);
    assert_eq!(glued[0], glued[4], "without hubs the roundup glues A and C");
    let ev = link(&vs, &g, &vec![None; 6], &[], &h, &config, &Silent);
    assert_eq!(ev, vec![0, 0, 1, 1, 2, 3]);
}

#[test]
fn an_event_larger_than_the_neighbour_count_still_holds_together() {
    // Twelve reports of one event, as a 3-neighbour graph holds them: two
    // halves of six, each report near the two after it in its half (0.9) and
    // near one report of the other half (0.5). Six edges join the halves:
    // over all 36 pairs 0.083, under the threshold; over the 18 pairs a
    // 3-neighbour graph can link between two clusters of six, 0.17.
    let vs: Vec<TermVector> = (0..12).map(|_| vector(&[(1, 1.0)])).collect();
    let graph: Vec<Neighbours> = (0..12u32)
        .map(|i| {
            let (half, at) = (i / 6, i % 6);
            vec![
                (half * 6 + (at + 1) % 6, 0.9),
                (half * 6 + (at + 2) % 6, 0.9),
                ((1 - half) * 6 + at, 0.5),
            ]
        })
        .collect();
    let at = |neighbours| ClusterConfig {
        neighbours,
        threshold: 0.15,
        ..ClusterConfig::default()
    };
    let one = link(&vs, &graph, &vec![None; 12], &[], &[], &at(3), &Silent);
    assert_eq!(one, vec![0; 12]);
    // With a neighbour count above the event's size nothing is capped, and
    // the mean over all pairs splits it.
    let split = link(&vs, &graph, &vec![None; 12], &[], &[], &at(100), &Silent);
    assert!(split.iter().any(|&e| e != split[0]), "{split:?}");
    assert_eq!(linkage::linkable_pairs(3, 4, 10.0), 12.0);
    assert_eq!(linkage::linkable_pairs(6, 6, 3.0), 18.0);
    assert_eq!(linkage::linkable_pairs(30, 40, 10.0), 350.0);
}
