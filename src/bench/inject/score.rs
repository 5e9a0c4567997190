//! Scoring the merger's findings against the injected edits: recall and
//! precision per kind, and the missed and spurious findings.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Injected, Pair};
use crate::merge::{Discrepancy, DiscrepancyKind, MergedStory, Value};

/// Recall and precision of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct KindScore {
    pub injected: usize,
    pub found: usize,
    pub reported: usize,
    pub correct: usize,
}

impl KindScore {
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.injected)
    }
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.reported)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// A missed or spurious finding, for inspection.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub pair: String,
    pub kind: DiscrepancyKind,
    /// "missed" (injected, not reported) or "spurious" (reported, not injected).
    pub what: &'static str,
    pub original: String,
    pub edited: String,
}

fn overlaps(a: [usize; 2], b: [usize; 2]) -> bool {
    a[0] < b[1] && b[0] < a[1]
}

/// A reported discrepancy as the scorer sees it: its kind, and the spans
/// of its values in the original's text and in the edited version's.
struct Finding {
    kind: DiscrepancyKind,
    original: Vec<[usize; 2]>,
    edited: Vec<[usize; 2]>,
}

impl Finding {
    /// A discrepancy whose values `side` places: Some(true) for the
    /// original's, Some(false) for the edited version's, None for neither.
    fn of(d: &Discrepancy, side: impl Fn(&Value) -> Option<bool>) -> Self {
        let spans = |original: bool| {
            d.values
                .iter()
                .filter(|v| side(v) == Some(original))
                .map(|v| v.span)
                .collect()
        };
        Finding {
            kind: d.kind,
            original: spans(true),
            edited: spans(false),
        }
    }

    fn matches(&self, inj: &Injected) -> bool {
        self.kind == inj.kind
            && self.original.iter().any(|&s| overlaps(s, inj.original))
            && self.edited.iter().any(|&s| overlaps(s, inj.edited))
    }
}

/// Scores one pair's merged story (sources: original first, edited second).
pub fn score_pair(
    pair: &Pair,
    story: &MergedStory,
    scores: &mut BTreeMap<DiscrepancyKind, KindScore>,
    misses: &mut Vec<Miss>,
) {
    let findings: Vec<Finding> = story
        .discrepancies
        .iter()
        .map(|d| Finding::of(d, |v| Some(v.source == 0)))
        .collect();
    score(pair, &findings, scores, misses);
}

/// Scores what a merge found a copy changed: `changes` are the `copy`
/// discrepancies between the pair's two articles (either may be the one
/// kept). Returns whether any was reported.
pub fn score_copy(
    pair: &Pair,
    changes: &[&Discrepancy],
    scores: &mut BTreeMap<DiscrepancyKind, KindScore>,
    misses: &mut Vec<Miss>,
) -> bool {
    let findings: Vec<Finding> = changes
        .iter()
        .map(|d| {
            Finding::of(d, |v| {
                (v.id == pair.original.id)
                    .then_some(true)
                    .or((v.id == pair.edited.id).then_some(false))
            })
        })
        .collect();
    score(pair, &findings, scores, misses);
    !findings.is_empty()
}

fn score(
    pair: &Pair,
    findings: &[Finding],
    scores: &mut BTreeMap<DiscrepancyKind, KindScore>,
    misses: &mut Vec<Miss>,
) {
    for inj in &pair.injected {
        let s = scores.entry(inj.kind).or_default();
        s.injected += 1;
        if findings.iter().any(|f| f.matches(inj)) {
            s.found += 1;
        } else {
            misses.push(Miss {
                pair: pair.original.id.clone(),
                kind: inj.kind,
                what: "missed",
                original: sentence_around(&pair.original.text, inj.original),
                edited: sentence_around(&pair.edited.text, inj.edited),
            });
        }
    }
    for f in findings {
        let s = scores.entry(f.kind).or_default();
        s.reported += 1;
        if pair.injected.iter().any(|inj| f.matches(inj)) {
            s.correct += 1;
        } else {
            let side = |spans: &[[usize; 2]], text: &str| {
                spans
                    .first()
                    .map(|&span| sentence_around(text, span))
                    .unwrap_or_default()
            };
            misses.push(Miss {
                pair: pair.original.id.clone(),
                kind: f.kind,
                what: "spurious",
                original: side(&f.original, &pair.original.text),
                edited: side(&f.edited, &pair.edited.text),
            });
        }
    }
}

/// The line of text around a span, with the span in [brackets].
fn sentence_around(text: &str, span: [usize; 2]) -> String {
    let start = text[..span[0]].rfind('\n').map_or(0, |p| p + 1);
    let end = text[span[1]..]
        .find('\n')
        .map_or(text.len(), |p| span[1] + p);
    format!(
        "{}[{}]{}",
        &text[start..span[0]],
        &text[span[0]..span[1]],
        &text[span[1]..end]
    )
}
