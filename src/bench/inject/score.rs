//! Scoring the merger's findings against the injected edits: recall and
//! precision per kind, and the missed and spurious findings.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Injected, Pair};
use crate::merge::{DiscrepancyKind, MergedStory};

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

/// Scores one pair's merged story (sources: original first, edited second).
pub fn score_pair(
    pair: &Pair,
    story: &MergedStory,
    scores: &mut BTreeMap<DiscrepancyKind, KindScore>,
    misses: &mut Vec<Miss>,
) {
    let matches = |inj: &Injected, d: &crate::merge::Discrepancy| {
        d.kind == inj.kind
            && d.values
                .iter()
                .any(|v| v.source == 0 && overlaps(v.span, inj.original))
            && d.values
                .iter()
                .any(|v| v.source == 1 && overlaps(v.span, inj.edited))
    };
    for inj in &pair.injected {
        let s = scores.entry(inj.kind).or_default();
        s.injected += 1;
        if story.discrepancies.iter().any(|d| matches(inj, d)) {
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
    for d in &story.discrepancies {
        let s = scores.entry(d.kind).or_default();
        s.reported += 1;
        if pair.injected.iter().any(|inj| matches(inj, d)) {
            s.correct += 1;
        } else {
            let side = |src: usize, text: &str| {
                d.values
                    .iter()
                    .find(|v| v.source == src)
                    .map(|v| sentence_around(text, v.span))
                    .unwrap_or_default()
            };
            misses.push(Miss {
                pair: pair.original.id.clone(),
                kind: d.kind,
                what: "spurious",
                original: side(0, &pair.original.text),
                edited: side(1, &pair.edited.text),
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
