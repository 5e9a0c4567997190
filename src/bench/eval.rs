//! Scoring a clustering against gold labels: pairwise precision, recall and
//! F1, B-cubed F1, the adjusted Rand index, and merged hard negatives.
//!
//! All figures come from contingency counts, so scoring a million articles
//! takes a moment, not all pairs.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use serde::Serialize;

/// Agreement between a predicted clustering and gold labels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    /// Articles scored (those with a gold label).
    pub items: usize,
    pub predicted_clusters: usize,
    pub gold_clusters: usize,
    pub pairwise_precision: f64,
    pub pairwise_recall: f64,
    pub pairwise_f1: f64,
    pub bcubed_precision: f64,
    pub bcubed_recall: f64,
    pub bcubed_f1: f64,
    pub adjusted_rand: f64,
    /// Pairs put together that share the `negative` key but not the gold
    /// label (e.g. same event, different story): hard negatives merged.
    pub hard_negative_pairs_merged: u64,
    /// Pairs sharing the `negative` key but not the gold label.
    pub hard_negative_pairs: u64,
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

fn count<K: Hash + Eq>(keys: impl Iterator<Item = K>) -> HashMap<K, u64> {
    let mut m = HashMap::new();
    for k in keys {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Scores `predicted[i]` against `gold[i]`; `negative[i]`, when given, is a
/// coarser key (e.g. the event) whose same-key, different-gold pairs are
/// hard negatives.
pub fn score<P, G, N>(predicted: &[P], gold: &[G], negative: Option<&[N]>) -> Scores
where
    P: Hash + Eq,
    G: Hash + Eq,
    N: Hash + Eq,
{
    assert_eq!(predicted.len(), gold.len(), "one gold label per prediction");
    let n = predicted.len() as u64;
    let pred_sizes = count(predicted.iter());
    let gold_sizes = count(gold.iter());
    let cells = count(predicted.iter().zip(gold.iter()));
    let tp: u64 = cells.values().map(|&c| pairs(c)).sum();
    let pred_pairs: u64 = pred_sizes.values().map(|&c| pairs(c)).sum();
    let gold_pairs: u64 = gold_sizes.values().map(|&c| pairs(c)).sum();
    let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let (pp, pr) = (ratio(tp, pred_pairs), ratio(tp, gold_pairs));

    // Summed item by item in input order (not over the hash map's cells,
    // whose order changes from run to run and with it the last digits).
    let (mut bp, mut br) = (0.0, 0.0);
    for (p, g) in predicted.iter().zip(gold) {
        let c = cells[&(p, g)] as f64;
        bp += c / pred_sizes[p] as f64;
        br += c / gold_sizes[g] as f64;
    }
    let (bp, br) = if n == 0 {
        (1.0, 1.0)
    } else {
        (bp / n as f64, br / n as f64)
    };

    let all = pairs(n) as f64;
    let expected = if all == 0.0 {
        0.0
    } else {
        pred_pairs as f64 * gold_pairs as f64 / all
    };
    let max = 0.5 * (pred_pairs + gold_pairs) as f64;
    let adjusted_rand = if (max - expected).abs() < f64::EPSILON {
        1.0
    } else {
        (tp as f64 - expected) / (max - expected)
    };

    let (merged, negatives) = match negative {
        Some(neg) => {
            assert_eq!(neg.len(), gold.len(), "one negative key per prediction");
            let same_neg: u64 = count(neg.iter()).values().map(|&c| pairs(c)).sum();
            let same_neg_gold: u64 = count(neg.iter().zip(gold))
                .values()
                .map(|&c| pairs(c))
                .sum();
            let together: u64 = count(predicted.iter().zip(neg))
                .values()
                .map(|&c| pairs(c))
                .sum();
            let together_gold: u64 = count(predicted.iter().zip(neg).zip(gold))
                .values()
                .map(|&c| pairs(c))
                .sum();
            (together - together_gold, same_neg - same_neg_gold)
        }
        None => (0, 0),
    };

    Scores {
        items: predicted.len(),
        predicted_clusters: pred_sizes.len(),
        gold_clusters: gold_sizes.len(),
        pairwise_precision: pp,
        pairwise_recall: pr,
        pairwise_f1: f1(pp, pr),
        bcubed_precision: bp,
        bcubed_recall: br,
        bcubed_f1: f1(bp, br),
        adjusted_rand,
        hard_negative_pairs_merged: merged,
        hard_negative_pairs: negatives,
    }
}

impl std::fmt::Display for Scores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "items {}  predicted clusters {}  gold clusters {}",
            self.items, self.predicted_clusters, self.gold_clusters
        )?;
        writeln!(
            f,
            "{:<22}{:>10}{:>10}{:>10}",
            "", "precision", "recall", "F1"
        )?;
        writeln!(
            f,
            "{:<22}{:>10.4}{:>10.4}{:>10.4}",
            "pairwise", self.pairwise_precision, self.pairwise_recall, self.pairwise_f1
        )?;
        writeln!(
            f,
            "{:<22}{:>10.4}{:>10.4}{:>10.4}",
            "B-cubed", self.bcubed_precision, self.bcubed_recall, self.bcubed_f1
        )?;
        write!(f, "adjusted Rand index   {:>10.4}", self.adjusted_rand)?;
        if self.hard_negative_pairs > 0 {
            write!(
                f,
                "\nhard negatives merged {:>10} of {} pairs",
                self.hard_negative_pairs_merged, self.hard_negative_pairs
            )?;
        }
        Ok(())
    }
}

/// Scores within one value of the `--by` field.
pub struct Part {
    pub value: Arc<str>,
    pub articles: usize,
    pub gold_clusters: usize,
    pub predicted_clusters: usize,
    pub scores: Scores,
}

/// Scores of each value of a field (`eval --by`), values in natural order.
pub fn by_part(predicted: &[u64], gold: &[Arc<str>], by: &[Option<Arc<str>>]) -> Vec<Part> {
    let mut values: Vec<Arc<str>> = by.iter().flatten().cloned().collect();
    values.sort_by_key(|v| natural_key(v));
    values.dedup();
    values
        .into_iter()
        .map(|value| {
            let idx: Vec<usize> = (0..gold.len())
                .filter(|&i| by[i].as_deref() == Some(&*value))
                .collect();
            let p: Vec<u64> = idx.iter().map(|&i| predicted[i]).collect();
            let g: Vec<Arc<str>> = idx.iter().map(|&i| gold[i].clone()).collect();
            let scores = score(&p, &g, None::<&[Option<Arc<str>>]>);
            Part {
                gold_clusters: scores.gold_clusters,
                predicted_clusters: scores.predicted_clusters,
                articles: idx.len(),
                scores,
                value,
            }
        })
        .collect()
}

/// Sorts "2" before "10": numeric values by number, others by text.
fn natural_key(s: &str) -> (u64, String) {
    (s.parse().unwrap_or(u64::MAX), s.to_string())
}

/// The `eval --by` table, with the mean over values.
pub fn by_table(field: &str, parts: &[Part]) -> String {
    let mut out = format!(
        "\nby {field}: {:>8} {:>5} {:>9} {:>7} {:>7} {:>6}\n",
        "articles", "gold", "predicted", "pair F1", "B3 F1", "ARI"
    );
    let pad = " ".repeat(field.len() + 4);
    for p in parts {
        out.push_str(&format!(
            "{:<w$} {:>8} {:>5} {:>9} {:>7.4} {:>7.4} {:>6.3}\n",
            p.value,
            p.articles,
            p.gold_clusters,
            p.predicted_clusters,
            p.scores.pairwise_f1,
            p.scores.bcubed_f1,
            p.scores.adjusted_rand,
            w = pad.len() - 1
        ));
    }
    let mean = |f: fn(&Scores) -> f64| {
        parts.iter().map(|p| f(&p.scores)).sum::<f64>() / parts.len().max(1) as f64
    };
    out.push_str(&format!(
        "mean over {} values of {field}: pair F1 {:.4}, B3 F1 {:.4}, ARI {:.3}\n",
        parts.len(),
        mean(|s| s.pairwise_f1),
        mean(|s| s.bcubed_f1),
        mean(|s| s.adjusted_rand)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Option<&[u8]> = None;

    #[test]
    fn scores_are_the_same_bits_every_time() {
        // Many cells: the hash map's order differs between maps built in
        // one process, and a sum over it differed in its last bits.
        let predicted: Vec<u32> = (0..3000).map(|i| (i * 7919 % 211) as u32).collect();
        let gold: Vec<u32> = (0..3000).map(|i| (i * 104_729 % 173) as u32).collect();
        let first = score::<u32, u32, u32>(&predicted, &gold, None);
        for _ in 0..20 {
            let again = score::<u32, u32, u32>(&predicted, &gold, None);
            assert_eq!(
                again.bcubed_precision.to_bits(),
                first.bcubed_precision.to_bits()
            );
            assert_eq!(again.bcubed_recall.to_bits(), first.bcubed_recall.to_bits());
        }
    }

    #[test]
    fn perfect_clustering_scores_one() {
        let s = score(&[1, 1, 2, 3, 3], &["a", "a", "b", "c", "c"], NONE);
        assert_eq!(s.pairwise_f1, 1.0);
        assert_eq!(s.bcubed_f1, 1.0);
        assert!((s.adjusted_rand - 1.0).abs() < 1e-12);
    }

    #[test]
    fn known_values() {
        // gold {0,1,2} {3,4}; predicted {0,1} {2,3,4}
        let s = score(&[1, 1, 2, 2, 2], &[7, 7, 7, 8, 8], NONE);
        // tp: (0,1), (3,4) = 2; predicted pairs 1 + 3 = 4; gold pairs 3 + 1 = 4
        assert_eq!(s.pairwise_precision, 0.5);
        assert_eq!(s.pairwise_recall, 0.5);
        // B-cubed precision: (2·(2/2)² ... ) = (1 + 1 + 1/3 + 2/3·2)/5
        assert!((s.bcubed_precision - (1.0 + 1.0 + 1.0 / 3.0 + 4.0 / 3.0) / 5.0).abs() < 1e-12);
        // ARI: expected = 4·4/10 = 1.6; (2 − 1.6)/(4 − 1.6)
        assert!((s.adjusted_rand - 0.4 / 2.4).abs() < 1e-12);
    }

    #[test]
    fn everything_in_one_cluster_has_no_precision() {
        let s = score(&[0; 6], &[1, 1, 2, 2, 3, 3], NONE);
        assert_eq!(s.pairwise_recall, 1.0);
        assert!(s.pairwise_precision < 0.21);
        assert!(s.adjusted_rand.abs() < 1e-12);
    }

    #[test]
    fn hard_negatives_count_cross_story_pairs_within_an_event() {
        // event e1 holds stories a and b; the prediction merges one a with one b.
        let pred = [1, 1, 2, 3];
        let gold = ["a", "b", "a", "c"];
        let event = ["e1", "e1", "e1", "e2"];
        let s = score(&pred, &gold, Some(&event[..]));
        assert_eq!(s.hard_negative_pairs, 2);
        assert_eq!(s.hard_negative_pairs_merged, 1);
    }
}

/// How venues (`events::places`) split pairs of articles that share a
/// negative label (one topic): of the pairs whose venues are both known,
/// how many are incompatible when they report one event, and when two.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VenuePairs {
    pub articles: usize,
    pub articles_with_venue: usize,
    pub same_event_known: usize,
    pub same_event_incompatible: usize,
    pub other_event_known: usize,
    pub other_event_incompatible: usize,
}

/// [`VenuePairs`] of labelled articles: `venues[i]` is article `i`'s venue
/// set (`places::venue_set`), `compatible` the gazetteer's rule.
pub fn venue_pairs(
    venues: &[Vec<u32>],
    gold: &[Arc<str>],
    negative: &[Option<Arc<str>>],
    compatible: impl Fn(&[u32], &[u32]) -> bool,
) -> VenuePairs {
    let mut out = VenuePairs {
        articles: venues.len(),
        articles_with_venue: venues.iter().filter(|v| !v.is_empty()).count(),
        ..VenuePairs::default()
    };
    let mut by_negative: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, n) in negative.iter().enumerate() {
        if let Some(n) = n {
            if !venues[i].is_empty() {
                by_negative.entry(n).or_default().push(i);
            }
        }
    }
    for members in by_negative.values() {
        for (k, &a) in members.iter().enumerate() {
            for &b in &members[k + 1..] {
                let apart = !compatible(&venues[a], &venues[b]);
                if gold[a] == gold[b] {
                    out.same_event_known += 1;
                    out.same_event_incompatible += usize::from(apart);
                } else {
                    out.other_event_known += 1;
                    out.other_event_incompatible += usize::from(apart);
                }
            }
        }
    }
    out
}

impl std::fmt::Display for VenuePairs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let share = |n: usize, d: usize| 100.0 * n as f64 / d.max(1) as f64;
        write!(
            f,
            "venues known for {} of {} articles; pairs of one negative label with both known: \
             incompatible {} of {} of one event ({:.1}%), {} of {} of two events ({:.1}%)",
            self.articles_with_venue,
            self.articles,
            self.same_event_incompatible,
            self.same_event_known,
            share(self.same_event_incompatible, self.same_event_known),
            self.other_event_incompatible,
            self.other_event_known,
            share(self.other_event_incompatible, self.other_event_known),
        )
    }
}
