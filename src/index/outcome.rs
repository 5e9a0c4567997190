//! What index operations report: batch options, add and check outcomes, verdicts, counts.

use crate::index::HeldArticle;
use crate::index::IndexSettings;

use serde::Serialize;

use crate::dedup::{DedupOutcome, OnError};
use crate::merge::Change;

/// Counts and settings of an index.
#[derive(Debug, Clone, Serialize)]
pub struct IndexStats {
    pub format_version: u32,
    pub settings: IndexSettings,
    pub articles: u64,
    pub band_entries: u64,
    pub slot_entries: u64,
    pub file_bytes: u64,
    /// Bytes the tables' pages occupy (the rest of the file is free space).
    pub stored_bytes: u64,
}

/// Options of [`super::Index::add`] and [`super::Index::check`].
#[derive(Debug, Clone, Copy, Default)]
pub struct BatchOptions {
    /// Replace held articles whose id comes again with other content
    /// (otherwise that is an error and nothing is added).
    pub replace: bool,
    pub on_error: OnError,
}

/// What happened to each article of a batch given to [`super::Index::add`].
#[derive(Debug, Clone)]
pub struct AddOutcome {
    /// The batch as signed (rows, rejected records).
    pub batch: DedupOutcome,
    pub added: usize,
    /// Same id and same cleaned text as a held article: nothing to do.
    pub unchanged: usize,
    pub replaced: usize,
}

/// The verdict on one incoming article.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Verdict {
    /// Not a copy of anything held or incoming.
    Clean,
    /// The index already holds this id with the same cleaned text.
    AlreadyHeld,
    /// A copy of a held article.
    CopyOfHeld {
        held: HeldArticle,
        similarity: f64,
        containment: f64,
    },
    /// A copy of a held article that states some facts differently (a
    /// number, date, name spelling, quote, actor or time reference).
    ChangedCopy {
        held: HeldArticle,
        similarity: f64,
        containment: f64,
        changes: Vec<Change>,
    },
    /// A copy of another incoming article (the one kept in the batch).
    CopyOfIncoming {
        row: u32,
        similarity: f64,
        containment: f64,
    },
    /// A copy of another incoming article that states some facts differently.
    ChangedCopyOfIncoming {
        row: u32,
        similarity: f64,
        containment: f64,
        changes: Vec<Change>,
    },
}

/// A held article on the same event as an incoming one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventMatch {
    pub held: HeldArticle,
    pub similarity: f64,
}

/// What [`super::Index::check`] found, per row of the batch.
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    pub batch: DedupOutcome,
    /// One verdict per row, in row order.
    pub verdicts: Vec<Verdict>,
    /// Per row, held articles on the same event (only asked with `events`,
    /// only for rows that are not copies), most similar first.
    pub same_event: Vec<Vec<EventMatch>>,
    /// Rows added to the index (only with `add`).
    pub added: Vec<u32>,
}

/// Counts of a check, for summaries and exit codes.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct CheckSummary {
    /// Records read (parsed and rejected).
    pub checked: usize,
    /// Copies of held articles, the changed ones included.
    pub copies_of_held: usize,
    /// Copies (of held or of incoming articles) that changed facts.
    pub changed_copies: usize,
    pub copies_in_batch: usize,
    pub clean: usize,
    pub already_held: usize,
    pub rejected: usize,
    pub added: usize,
}

impl CheckSummary {
    pub fn copies(&self) -> usize {
        self.copies_of_held + self.copies_in_batch
    }
}

impl CheckOutcome {
    /// The counts.
    pub fn summary(&self) -> CheckSummary {
        let mut s = CheckSummary {
            checked: self.batch.stats.records,
            rejected: self.batch.rejected.len(),
            added: self.added.len(),
            ..CheckSummary::default()
        };
        for v in &self.verdicts {
            match v {
                Verdict::Clean => s.clean += 1,
                Verdict::AlreadyHeld => s.already_held += 1,
                Verdict::CopyOfHeld { .. } => s.copies_of_held += 1,
                Verdict::ChangedCopy { .. } => {
                    s.copies_of_held += 1;
                    s.changed_copies += 1;
                }
                Verdict::CopyOfIncoming { .. } => s.copies_in_batch += 1,
                Verdict::ChangedCopyOfIncoming { .. } => {
                    s.copies_in_batch += 1;
                    s.changed_copies += 1;
                }
            }
        }
        s
    }
}
