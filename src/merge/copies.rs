//! What a copy changed: its facts compared with the article it copies,
//! through the same claim alignment and slot comparison the merger uses
//! between sources (`reading`), so a changed number, date, name spelling,
//! quote, actor or time reference is found the same way in both.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::reading::{findings, Reading};
use super::{merge_found, DiscrepancyKind, Merger, Span};
use crate::dedup::DedupOutcome;
use crate::error::Result;
use crate::ingest::Corpus;
use crate::progress::{Progress, Stage};
use crate::text::boilerplate::LineFrequencies;

/// One fact a copy states differently from the article it copies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: DiscrepancyKind,
    /// For quotes, "shortened" or "reworded"; otherwise absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The kept article's value.
    pub kept: String,
    /// The copy's value.
    pub copy: String,
    /// Bytes of `kept` in the kept article's text.
    pub kept_span: Span,
    /// Bytes of `copy` in the copy's text.
    pub copy_span: Span,
}

impl Merger {
    /// The facts `copy` states differently from `kept` (both article texts),
    /// in the kept text's order. Neutral edits (reordered sentences,
    /// rewording outside quotes, whitespace, boilerplate lines) are not
    /// changes; identical texts have none.
    pub fn changes(&self, kept: &str, copy: &str, freq: Option<&LineFrequencies>) -> Vec<Change> {
        if kept == copy {
            return Vec::new();
        }
        let Reading {
            parsed,
            slots,
            groups,
        } = self.read(&[kept, copy], freq);
        let mut variants_seen = BTreeSet::new();
        let texts = [kept, copy];
        let side = |s: usize, r: &std::ops::Range<usize>| -> (String, Span) {
            let toks = &parsed[s].tokens;
            let (start, end) = (toks[r.start].start, toks[r.end - 1].end);
            (texts[s][start..end].to_string(), [start, end])
        };
        let mut out = Vec::new();
        for group in &groups {
            for found in merge_found(findings(&parsed, &slots, group, &mut variants_seen)) {
                let (Some(k), Some(c)) = (
                    found.values.iter().find(|v| v.0 == 0),
                    found.values.iter().find(|v| v.0 == 1),
                ) else {
                    continue;
                };
                let ((kept, kept_span), (copy, copy_span)) = (side(0, &k.1), side(1, &c.1));
                out.push(Change {
                    kind: found.kind,
                    detail: found.detail.map(String::from),
                    kept,
                    copy,
                    kept_span,
                    copy_span,
                });
            }
        }
        out.sort_by(|a, b| {
            (a.kept_span, a.copy_span, a.kind).cmp(&(b.kept_span, b.copy_span, b.kind))
        });
        out
    }
}

impl Merger {
    /// What every removed copy of a dedup run changed from the article kept
    /// for it: row of the copy → its changes (empty when none), for every
    /// copy. Two reads of the corpus: the kept articles that have copies,
    /// then the copies, compared on all threads as they are read; only the
    /// kept texts are held.
    ///
    /// # Errors
    /// I/O errors while re-reading the corpus.
    pub fn copy_changes(
        &self,
        corpus: &Corpus,
        outcome: &DedupOutcome,
        progress: &dyn Progress,
    ) -> Result<BTreeMap<u32, Vec<Change>>> {
        let kept_rows: BTreeSet<u32> = outcome.groups.iter().map(|g| g.representative).collect();
        let mut kept: BTreeMap<u32, String> = BTreeMap::new();
        progress.begin(Stage::CompareCopies, Some(2 * corpus.total_bytes()));
        outcome.map_rows(
            corpus,
            progress,
            |row| kept_rows.contains(&row),
            |_, article| article.text,
            |row, text| {
                kept.insert(row, text);
                Ok(())
            },
        )?;
        let mut changes = BTreeMap::new();
        let freq = outcome.freq.as_ref();
        outcome.map_rows(
            corpus,
            progress,
            |row| outcome.duplicate_of(row).is_some(),
            |row, article| {
                let rep = outcome.duplicate_of(row).map(|(rep, _)| rep);
                match rep.and_then(|r| kept.get(&r)) {
                    Some(text) => self.changes(text, &article.text, freq),
                    None => Vec::new(),
                }
            },
            |row, found| {
                changes.insert(row, found);
                Ok(())
            },
        )?;
        progress.end();
        Ok(changes)
    }
}
