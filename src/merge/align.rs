//! Alignment: which claims of different sources state the same fact.
//!
//! Claims are compared by IDF-weighted cosine over their content terms (IDF
//! over the event's claims, so a word every source repeats counts little).
//! Pairs are joined best first into facts, and a fact never holds two claims
//! of one source: the order of sentences plays no part.

use std::collections::{BTreeMap, BTreeSet};

use super::text::Term;

/// A claim's place: (source index, claim index within the source).
pub(crate) type ClaimRef = (usize, usize);

/// Groups the claims of all sources into facts (each sorted, two or more
/// claims from distinct sources); claims in no fact are unique.
///
/// `terms[s][c]` holds the content terms of claim `c` of source `s`. Two
/// claims are a candidate pair when they share at least `min_concepts`
/// concepts (a multi-word name counts once; fewer when a claim has fewer),
/// at least one shared term is not a name (names alone make a topic, not a
/// fact), and their cosine reaches `threshold`, or reaches 40% of it while
/// each is the other's best match in its source.
pub(crate) fn align(
    terms: &[Vec<Vec<Term>>],
    threshold: f32,
    min_concepts: usize,
) -> Vec<Vec<ClaimRef>> {
    let claims: Vec<ClaimRef> = terms
        .iter()
        .enumerate()
        .flat_map(|(s, cs)| (0..cs.len()).map(move |c| (s, c)))
        .collect();
    let n = claims.len();
    if n == 0 {
        return Vec::new();
    }
    // Document frequency over claims, and each claim's term ids.
    let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
    let mut df: Vec<u32> = Vec::new();
    let mut claim_terms: Vec<Vec<usize>> = Vec::with_capacity(n);
    for &(s, c) in &claims {
        let mut v = Vec::with_capacity(terms[s][c].len());
        for t in &terms[s][c] {
            let next = ids.len();
            let id = *ids.entry(t.text.as_str()).or_insert(next);
            if id == df.len() {
                df.push(0);
            }
            df[id] += 1;
            v.push(id);
        }
        claim_terms.push(v);
    }
    let term = |i: usize, k: usize| &terms[claims[i].0][claims[i].1][k];
    let concepts = |i: usize| {
        let c: BTreeSet<u16> = terms[claims[i].0][claims[i].1]
            .iter()
            .map(|t| t.concept)
            .collect();
        c.len()
    };
    let idf: Vec<f32> = df
        .iter()
        .map(|&d| (1.0 + n as f32 / d as f32).ln())
        .collect();
    let norms: Vec<f32> = claim_terms
        .iter()
        .map(|v| v.iter().map(|&t| idf[t] * idf[t]).sum::<f32>().sqrt())
        .collect();
    // Postings (term id → (claim, position of the term in the claim)).
    let mut postings: Vec<Vec<(usize, usize)>> = vec![Vec::new(); df.len()];
    for (i, v) in claim_terms.iter().enumerate() {
        for (k, &t) in v.iter().enumerate() {
            postings[t].push((i, k));
        }
    }
    let floor = threshold * 0.4;
    let mut candidates: Vec<(f32, usize, usize)> = Vec::new();
    let mut acc: BTreeMap<usize, (f32, Vec<(usize, usize)>)> = BTreeMap::new();
    for i in 0..n {
        acc.clear();
        for (k, &t) in claim_terms[i].iter().enumerate() {
            for &(j, l) in &postings[t] {
                if j > i && claims[j].0 != claims[i].0 {
                    let e = acc.entry(j).or_insert((0.0, Vec::new()));
                    e.0 += idf[t] * idf[t];
                    e.1.push((k, l));
                }
            }
        }
        for (&j, (dot, shared)) in &acc {
            let score = dot / (norms[i] * norms[j]).max(f32::MIN_POSITIVE);
            if score < floor {
                continue;
            }
            let ci: BTreeSet<u16> = shared.iter().map(|&(k, _)| term(i, k).concept).collect();
            let cj: BTreeSet<u16> = shared.iter().map(|&(_, l)| term(j, l).concept).collect();
            let need = min_concepts.min(concepts(i)).min(concepts(j)).max(2);
            let fact_word = shared
                .iter()
                .any(|&(k, l)| !term(i, k).name && !term(j, l).name);
            if ci.len().min(cj.len()) >= need && fact_word {
                candidates.push((score, i, j));
            }
        }
    }
    // Each claim's best candidate in every other source.
    let mut best: BTreeMap<(usize, usize), (f32, usize)> = BTreeMap::new();
    for &(score, i, j) in &candidates {
        for (a, b) in [(i, j), (j, i)] {
            let e = best.entry((a, claims[b].0)).or_insert((score, b));
            if score > e.0 || (score == e.0 && b < e.1) {
                *e = (score, b);
            }
        }
    }
    let mutual =
        |i: usize, j: usize| best[&(i, claims[j].0)].1 == j && best[&(j, claims[i].0)].1 == i;
    let mut pairs: Vec<(f32, usize, usize)> = candidates
        .into_iter()
        .filter(|&(score, i, j)| score >= threshold || mutual(i, j))
        .collect();
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    // Best first; two groups join only if no source is in both.
    let mut group: Vec<usize> = (0..n).collect();
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    for (_, i, j) in pairs {
        let (gi, gj) = (group[i], group[j]);
        if gi == gj {
            continue;
        }
        let clash = members[gi]
            .iter()
            .any(|&a| members[gj].iter().any(|&b| claims[a].0 == claims[b].0));
        if clash {
            continue;
        }
        let (keep, gone) = (gi.min(gj), gi.max(gj));
        let moved = std::mem::take(&mut members[gone]);
        for &m in &moved {
            group[m] = keep;
        }
        members[keep].extend(moved);
    }
    let mut facts: Vec<Vec<ClaimRef>> = members
        .into_iter()
        .filter(|m| m.len() > 1)
        .map(|m| {
            let mut refs: Vec<ClaimRef> = m.into_iter().map(|i| claims[i]).collect();
            refs.sort_unstable();
            refs
        })
        .collect();
    facts.sort_unstable();
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Terms from words; capitalized ones are names, each word its own concept.
    fn t(words: &str) -> Vec<Term> {
        let mut v: Vec<Term> = words
            .split(' ')
            .enumerate()
            .map(|(i, w)| Term {
                text: w.to_lowercase(),
                concept: i as u16,
                name: w.chars().next().is_some_and(char::is_uppercase),
            })
            .collect();
        v.sort_by(|a, b| a.text.cmp(&b.text));
        v.dedup_by(|b, a| a.text == b.text);
        v
    }

    #[test]
    fn aligns_by_content_not_position_and_one_claim_per_source() {
        let a = vec![
            t("Kerry Lavrov talk Hamburg"),
            t("Paris meet Saturday Syria"),
        ];
        let b = vec![
            t("Paris meet Saturday Syria France"),
            t("Kerry Lavrov talk Hamburg Thursday"),
        ];
        let c = vec![
            t("Kerry Lavrov talk Hamburg"),
            t("Kerry Lavrov talk Hamburg Wednesday"),
        ];
        let facts = align(&[a, b, c], 0.2, 3);
        assert_eq!(facts, [vec![(0, 0), (1, 1), (2, 0)], vec![(0, 1), (1, 0)]]);
    }

    #[test]
    fn one_shared_word_or_only_names_is_not_a_fact() {
        let a = vec![t("Kerry meet hour")];
        let b = vec![t("Kerry Lavrov Hamburg")];
        assert!(align(&[a, b], 0.01, 3).is_empty());
        let a = vec![t("Kerry Lavrov Syria meet repeat")];
        let b = vec![t("Kerry Lavrov Syria discuss Hamburg")];
        assert!(align(&[a, b], 0.01, 3).is_empty());
    }

    #[test]
    fn weak_pairs_need_to_be_each_others_best() {
        // a0 and b0 are each other's best at a low score; a1 is weaker for b0.
        let a = vec![
            t("Russia China block council resolution Monday ceasefire"),
            t("Russia resolution ceasefire talk x1 x2 x3 x4"),
        ];
        let b = vec![
            t("Russia veto draft resolution ceasefire Aleppo aid civilian area"),
            t("Kerry Lavrov Hamburg meet hour"),
            t("Paris meet Saturday"),
        ];
        // Both a0 and a1 are weak candidates for b0 (cosine 0.15 and 0.14,
        // under 0.3 but over 40% of it); only a0 is b0's best.
        assert_eq!(
            align(&[a.clone(), b.clone()], 0.3, 3),
            [vec![(0, 0), (1, 0)]]
        );
        // Without a0, a1 is b0's best.
        let a = vec![t("Russia China x7 y8"), a[1].clone()];
        assert_eq!(align(&[a, b], 0.3, 3), [vec![(0, 1), (1, 0)]]);
    }
}
