//! Incident details: an article's names and numbers as a vector of their
//! own, and the rule that two articles whose details disagree count as less
//! alike.
//!
//! Two reports of one kind of incident (two shootings in one city, two
//! earthquakes) share most of their words; what tells them apart is who,
//! where exactly and how many: the victims' names and ages, the street, the
//! counts. The event vector weighs those more (name and number boosts), but
//! in one cosine over all terms a pair that shares "police", "shot",
//! "hospital" and the city still scores high when none of its details
//! agree, and in a large corpus the details no other article has hardly
//! count in the norm ([`super::vectors::VectorConfig::unshared_factor`]).
//! So each article also gets a **detail vector**: its names and numbers
//! only, weighted as in its event vector, including the ones no other
//! article has. When both articles of a pair name at least
//! [`MIN_DETAILS`] details and the cosine of their detail vectors is under
//! `detail_agreement`, their similarity is multiplied by `detail_factor`:
//! in the neighbour graph (so in graph linkage, and in which neighbours
//! count as a hub's close ones) and in `check
//! --level event`'s matches. `--linkage exact`, which averages all pairs
//! through summed vectors, does not apply it.

use super::vectors::{sparse_dot, TermStats, TermVector, VectorConfig};
use super::Neighbours;
use crate::events::terms::TermKind;

/// Fewest name and number terms an article must have for its details to
/// vote: one stray number says nothing about which incident it reports. (A
/// name of two words is three terms: the run and each word.)
pub const MIN_DETAILS: usize = 2;

/// An article's detail vector: its name and number terms (all of them,
/// also those no other article has), weighted as in its event vector,
/// L2-normalized; empty when it has fewer than [`MIN_DETAILS`].
pub(crate) fn detail_vector<K: Ord + Copy>(
    config: &VectorConfig,
    terms: impl Iterator<Item = TermStats<K>>,
) -> (Vec<K>, Vec<f32>) {
    let mut weighted: Vec<(K, f32)> = terms
        .filter(|t| t.kind != TermKind::Word)
        .map(|t| {
            let idf = super::vectors::idf(t.docs, t.df, t.share, config.background_docs);
            (t.key, config.weight(t.kind, t.in_title, t.count, idf))
        })
        .filter(|&(_, w)| w > 0.0)
        .collect();
    if weighted.len() < MIN_DETAILS {
        return (Vec::new(), Vec::new());
    }
    weighted.sort_unstable_by_key(|&(key, _)| key);
    let norm = weighted
        .iter()
        .map(|&(_, w)| f64::from(w) * f64::from(w))
        .sum::<f64>()
        .sqrt() as f32;
    weighted.into_iter().map(|(k, w)| (k, w / norm)).unzip()
}

/// How well two articles' details agree: the cosine of their detail
/// vectors, or `None` when either names too few details to tell.
pub fn detail_agreement(a: &TermVector, b: &TermVector) -> Option<f32> {
    agreement((&a.ids, &a.weights), (&b.ids, &b.weights))
}

/// [`detail_agreement`] of detail vectors given as sorted keys of any kind
/// and their weights (the index keys terms by hash).
fn agreement<K: Ord + Copy>(a: (&[K], &[f32]), b: (&[K], &[f32])) -> Option<f32> {
    (!a.0.is_empty() && !b.0.is_empty()).then(|| sparse_dot(a.0, a.1, b.0, b.1))
}

/// The factor a pair's similarity is multiplied by: `detail_factor` when
/// both name details and those agree less than `detail_agreement`, else 1.
pub fn detail_factor(config: &VectorConfig, agreement: Option<f32>) -> f32 {
    match agreement {
        Some(a) if a < config.detail_agreement => config.detail_factor,
        _ => 1.0,
    }
}

/// The similarity of clustered articles `i` and `j` as the neighbour
/// graph's edges score it: the cosine of their event vectors after the
/// detail rule.
pub fn pair_similarity(
    vectors: &[TermVector],
    details: &[TermVector],
    config: &VectorConfig,
    i: usize,
    j: usize,
) -> f32 {
    vectors[i].dot(&vectors[j]) * detail_factor(config, detail_agreement(&details[i], &details[j]))
}

/// The similarity of a pair whose event-vector cosine is `similarity`,
/// after the detail rule (detail vectors as sorted keys and weights).
pub(crate) fn with_details<K: Ord + Copy>(
    config: &VectorConfig,
    similarity: f32,
    a: (&[K], &[f32]),
    b: (&[K], &[f32]),
) -> f32 {
    similarity * detail_factor(config, agreement(a, b))
}

/// Applies the detail rule to every edge of a neighbour graph and re-sorts
/// each list (most similar first, ties by index).
pub fn apply_to_graph(graph: &mut [Neighbours], details: &[TermVector], config: &VectorConfig) {
    if config.detail_factor == 1.0 {
        return;
    }
    for (i, neighbours) in graph.iter_mut().enumerate() {
        for (j, similarity) in neighbours.iter_mut() {
            *similarity *=
                detail_factor(config, detail_agreement(&details[i], &details[*j as usize]));
        }
        neighbours.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::terms::extract;
    use crate::events::vectors::{CountedTerms, Vocabulary};
    use crate::sketch::shingle::Language;

    #[test]
    fn two_shootings_in_one_city_disagree_on_details_and_two_reports_of_one_agree() {
        let docs = [
            // Two reports of one shooting.
            "John Miller, 24, was shot on Elm Street in Springfield late on Tuesday, police said. Miller was taken to Mercy Hospital.",
            "Police in Springfield said John Miller, 24, was wounded on Elm Street on Tuesday night and taken to Mercy Hospital.",
            // Another shooting in the same city, the same week.
            "Maria Lopez, 31, was shot on Oak Avenue in Springfield late on Tuesday, police said. Lopez was taken to Mercy Hospital.",
            // A report with one detail of any weight: the age (the city and
            // the day are in every report, so weigh nothing here).
            "A man was shot in Springfield late on Tuesday, police said; he was 40.",
        ];
        let mut vocab = Vocabulary::default();
        let counted: Vec<CountedTerms> = docs
            .iter()
            .map(|d| vocab.add(extract(None, [*d], Language::ENGLISH)))
            .collect();
        // Weights from the batch alone, as in a large local corpus where the
        // city and its hospital are in most articles: what is left to tell
        // the shootings apart is who and where exactly.
        let config = VectorConfig {
            background_docs: 0.0,
            ..VectorConfig::default()
        };
        let details: Vec<TermVector> = counted.iter().map(|c| vocab.details(c, &config)).collect();
        let vectors: Vec<TermVector> = counted.iter().map(|c| vocab.vector(c, &config)).collect();
        let same = detail_agreement(&details[0], &details[1]).unwrap();
        let other = detail_agreement(&details[0], &details[2]).unwrap();
        assert!(same >= config.detail_agreement, "one shooting: {same}");
        assert!(other < config.detail_agreement, "two shootings: {other}");
        assert_eq!(detail_factor(&config, Some(same)), 1.0);
        assert_eq!(detail_factor(&config, Some(other)), config.detail_factor);
        // Too few details to vote: no agreement, no factor.
        assert!(details[3].len() < MIN_DETAILS);
        assert_eq!(detail_agreement(&details[0], &details[3]), None);
        assert_eq!(detail_factor(&config, None), 1.0);
        // In the neighbour graph the other shooting falls behind.
        let mut graph = vec![vec![
            (2, vectors[0].dot(&vectors[2])),
            (1, vectors[0].dot(&vectors[1])),
        ]];
        graph.extend((1..4).map(|_| Vec::new()));
        let before = graph[0].clone();
        apply_to_graph(&mut graph, &details, &config);
        assert_eq!(graph[0][0], (1, before[1].1));
        assert_eq!(graph[0][1], (2, before[0].1 * config.detail_factor));
        // The rule off: the graph as it was.
        let off = VectorConfig {
            detail_factor: 1.0,
            ..config
        };
        let mut unchanged = vec![before.clone(), Vec::new(), Vec::new(), Vec::new()];
        apply_to_graph(&mut unchanged, &details, &off);
        assert_eq!(unchanged[0], before);
    }
}
