//! What a dedup run found: kept and removed rows, groups, rejections, counts.

use serde::Serialize;

use crate::article::{Article, Location, RejectReason};
use crate::dedup::table::ArticleTable;
use crate::error::Result;
use crate::ingest::{for_each_chunk, Corpus};
use crate::progress::Progress;
use crate::sketch::lsh::LshParams;
use crate::text::boilerplate::{LineFrequencies, Reason};

/// A line removed as boilerplate.
#[derive(Debug, Clone, Serialize)]
pub struct StrippedLine {
    /// 1-based line number within the article's text.
    pub line: usize,
    pub text: String,
    pub reason: Reason,
}

/// A rejected record.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub seq: usize,
    pub location: Location,
    pub id: Option<String>,
    pub reason: RejectReason,
}

/// Copies of one article: the kept row and the removed ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicateGroup {
    pub representative: u32,
    pub members: Vec<Member>,
}

/// A removed copy with its similarity to the kept article.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Member {
    pub row: u32,
    /// Jaccard similarity of the shingle sets with the representative's.
    pub similarity: f64,
    /// Share of this article's shingles found in the representative.
    pub containment: f64,
    /// Share of the shingles they share that occur in the same order in
    /// both texts.
    pub in_order: f64,
    /// The removed copy this one verified against, when it did not verify
    /// against the representative itself (see [`super::Deduplicator`]'s stars).
    pub via: Option<u32>,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Stats {
    pub records: usize,
    pub kept: usize,
    pub removed: usize,
    pub rejected: usize,
    pub groups: usize,
    pub stripped_lines: usize,
    pub candidate_pairs: usize,
    /// Candidate pairs whose sets were read (the rest failed the
    /// signature check, `Deduplicator::plausible`).
    pub sets_read: usize,
    pub verified_pairs: usize,
}

/// Everything a dedup run found.
#[derive(Debug, Clone)]
pub struct DedupOutcome {
    pub table: ArticleTable,
    pub rejected: Vec<Rejection>,
    pub groups: Vec<DuplicateGroup>,
    /// For each row: `Some(group index)` when it belongs to a duplicate group.
    pub group_of: Vec<Option<u32>>,
    /// Stripped lines per row (only when collected).
    pub stripped: Vec<(u32, Vec<StrippedLine>)>,
    pub lsh: LshParams,
    pub stats: Stats,
    /// The corpus line frequencies learned for boilerplate (when learned),
    /// so later stages strip the same lines.
    pub freq: Option<LineFrequencies>,
}

impl DedupOutcome {
    /// The kept article a row was removed in favour of, if any.
    pub fn duplicate_of(&self, row: u32) -> Option<(u32, &Member)> {
        let g = &self.groups[self.group_of[row as usize]? as usize];
        g.members
            .iter()
            .find(|m| m.row == row)
            .map(|m| (g.representative, m))
    }

    /// How many articles a row's duplicate group holds (itself and its
    /// copies; 1 when it has none).
    pub fn group_size(&self, row: u32) -> u32 {
        self.group_of[row as usize].map_or(1, |g| 1 + self.groups[g as usize].members.len() as u32)
    }

    /// Whether the record at this input position is written to the cleaned corpus.
    pub fn kept_seqs(&self) -> Vec<bool> {
        let n = self.stats.records;
        let mut kept = vec![false; n];
        for row in 0..self.table.len() as u32 {
            if self.duplicate_of(row).is_none() {
                kept[self.table.seq(row)] = true;
            }
        }
        kept
    }

    /// Re-reads the corpus and calls `map` (on all threads) on the article
    /// of every row `wanted` selects, then `absorb` with its result, in
    /// input order. Records that are not rows (rejected) are skipped. The
    /// one way later stages (events, the index, merge) get texts back.
    ///
    /// # Errors
    /// I/O errors while re-reading, and what `absorb` returns.
    pub fn map_rows<T: Send>(
        &self,
        corpus: &Corpus,
        progress: &dyn Progress,
        wanted: impl Fn(u32) -> bool,
        map: impl Fn(u32, Article) -> T + Sync,
        mut absorb: impl FnMut(u32, T) -> Result<()>,
    ) -> Result<()> {
        let mut row_of_seq = vec![u32::MAX; self.stats.records];
        for row in 0..self.table.len() as u32 {
            if wanted(row) {
                row_of_seq[self.table.seq(row)] = row;
            }
        }
        for_each_chunk(
            corpus,
            progress,
            |raw| {
                let row = *row_of_seq.get(raw.seq).filter(|&&r| r != u32::MAX)?;
                let article = raw.parse().ok()?;
                Some((row, map(row, article)))
            },
            |_, mapped| match mapped {
                Some((row, value)) => absorb(row, value),
                None => Ok(()),
            },
        )
    }
}
