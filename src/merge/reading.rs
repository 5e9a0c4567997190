//! Reading the texts of one event: claims and their typed values, facts
//! (claims aligned by content), and the pairwise findings inside a fact.
//! `Merger::merge` and `Merger::changes` both read through here.

use std::collections::BTreeSet;

use super::compare::{self, DiscrepancyKind};
use super::{align, slots, text, Merger};
use crate::text::boilerplate::LineFrequencies;

/// What the merger read from the texts of one event.
pub(super) struct Reading {
    pub parsed: Vec<text::Parsed>,
    /// Per text, per claim: its typed values.
    pub slots: Vec<Vec<slots::Slots>>,
    /// Facts: (text, claim) of aligned claims.
    pub groups: Vec<Vec<(usize, usize)>>,
}

impl Merger {
    /// Reads the texts of one event: claims, their typed values, and the
    /// facts (claims of different texts aligned by content).
    pub(super) fn read(&self, texts: &[&str], freq: Option<&LineFrequencies>) -> Reading {
        let parsed: Vec<text::Parsed> = texts
            .iter()
            .map(|t| text::parse(t, &self.config.boilerplate, freq))
            .collect();
        // Words the event writes in lowercase somewhere: at a sentence start,
        // a capitalized one of these is not a name.
        let lowercase: BTreeSet<String> = parsed
            .iter()
            .flat_map(|p| p.tokens.iter())
            .filter(|t| t.kind == text::Kind::Word && !t.capitalized())
            .map(|t| t.lower.clone())
            .collect();
        let slots: Vec<Vec<slots::Slots>> = parsed
            .iter()
            .map(|p| {
                p.units
                    .iter()
                    .map(|u| {
                        slots::extract(&p.tokens, u.tokens.clone(), u.sentence.clone(), &lowercase)
                    })
                    .collect()
            })
            .collect();
        let terms: Vec<Vec<Vec<text::Term>>> = parsed
            .iter()
            .map(|p| p.units.iter().map(|u| u.terms.clone()).collect())
            .collect();
        let groups = align::align(
            &terms,
            self.config.align_threshold,
            self.config.min_shared_concepts,
        );
        Reading {
            parsed,
            slots,
            groups,
        }
    }
}

/// Where the aligned claims of one fact differ, pair by pair; a name
/// spelled two ways is reported once per spelling pair (`variants_seen`).
pub(super) fn findings(
    parsed: &[text::Parsed],
    slots: &[Vec<slots::Slots>],
    group: &[(usize, usize)],
    variants_seen: &mut BTreeSet<(String, String)>,
) -> Vec<compare::Found> {
    let mut found: Vec<compare::Found> = Vec::new();
    for (x, &(sa, ca)) in group.iter().enumerate() {
        for &(sb, cb) in &group[x + 1..] {
            let side = |s: usize, c: usize| compare::Side {
                source: s,
                tokens: &parsed[s].tokens,
                slots: &slots[s][c],
            };
            let (a, b) = (side(sa, ca), side(sb, cb));
            found.extend(compare::compare(&a, &b));
            for (i, j) in compare::name_variants(&a, &b) {
                let (ta, tb) = (&parsed[sa].tokens[i].text, &parsed[sb].tokens[j].text);
                let key = if ta < tb {
                    (ta.clone(), tb.clone())
                } else {
                    (tb.clone(), ta.clone())
                };
                if variants_seen.insert(key) {
                    found.push(compare::Found {
                        kind: DiscrepancyKind::NameVariant,
                        values: vec![(sa, i..i + 1), (sb, j..j + 1)],
                        detail: None,
                    });
                }
            }
        }
    }
    found
}
