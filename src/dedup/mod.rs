//! The near-duplicate job end to end: read → normalize → strip boilerplate →
//! shingle → sign → LSH candidates → verify → union-find → representatives.
//!
//! The corpus is streamed: a first pass learns line frequencies (for
//! boilerplate), a second signs articles chunk by chunk on all threads and
//! keeps only signatures and the few facts the keep rule needs; texts are
//! re-read when the cleaned corpus is written. Every record ends up kept,
//! removed as a duplicate of a kept one, or rejected with a reason.

pub(crate) mod groups;
/// Public for the criterion benches only.
#[doc(hidden)]
pub mod store;
pub(crate) mod table;

mod candidates;
mod config;
mod nearby;
mod outcome;
mod sign;
mod stars;
#[cfg(test)]
mod tests;
mod verify;

pub use config::{DedupConfig, OnError};
pub use groups::KeepRule;
pub use outcome::{DedupOutcome, DuplicateGroup, Member, Rejection, Stats, StrippedLine};
pub use table::{ArticleTable, Columns, Overlap};
pub use verify::MISS_PROBABILITY;

use candidates::join_exact_copies;
use verify::{binomial_quantile, JACCARD_STEPS};

use crate::dedup::groups::UnionFind;
use crate::error::Result;
use crate::ingest::Corpus;
use crate::progress::Progress;
use crate::sketch::lsh::LshParams;
use crate::sketch::minhash::MinHasher;

/// Runs the near-duplicate job; see the module docs.
#[derive(Debug, Clone)]
pub struct Deduplicator {
    config: DedupConfig,
    hasher: MinHasher,
    lsh: LshParams,
    /// `min_agreeing[q]`: fewest agreeing slots a pair whose weakest
    /// acceptable Jaccard is `q / JACCARD_STEPS` shows with probability
    /// at least [`MISS_PROBABILITY`].
    min_agreeing: Vec<u16>,
}

impl Deduplicator {
    /// Validates the configuration and prepares the hasher.
    ///
    /// # Errors
    /// A configuration value out of range.
    pub fn new(config: DedupConfig) -> Result<Self> {
        config.validate()?;
        let hasher = MinHasher::new(config.minhash)?;
        let lsh = config.lsh_params();
        let min_agreeing = (0..=JACCARD_STEPS)
            .map(|q| binomial_quantile(config.minhash.num_perm, q as f64 / JACCARD_STEPS as f64))
            .collect();
        Ok(Deduplicator {
            config,
            hasher,
            lsh,
            min_agreeing,
        })
    }

    pub fn config(&self) -> &DedupConfig {
        &self.config
    }

    /// Reads, signs and groups the corpus.
    ///
    /// # Errors
    /// I/O errors, and the first bad record when `on_error` is `Fail`.
    pub fn run(&self, corpus: &Corpus, progress: &dyn Progress) -> Result<DedupOutcome> {
        let freq = if self.config.boilerplate.corpus_frequency {
            Some(self.learn_boilerplate(corpus, progress)?)
        } else {
            None
        };
        let (table, rejected, stripped, records) =
            self.sign_all(corpus, freq.as_ref(), progress)?;
        let mut uf = UnionFind::new(table.len());
        let mut stats = Stats {
            records,
            rejected: rejected.len(),
            stripped_lines: stripped.iter().map(|(_, s)| s.len()).sum(),
            ..Stats::default()
        };
        join_exact_copies(&table, &mut uf);
        self.join_candidates(&table, &mut uf, &mut stats, progress);
        let (groups, group_of) = self.choose_representatives(&table, &mut uf, progress);
        table.store_health()?;
        stats.groups = groups.len();
        stats.removed = groups.iter().map(|g| g.members.len()).sum();
        stats.kept = table.len() - stats.removed;
        Ok(DedupOutcome {
            table,
            rejected,
            groups,
            group_of,
            stripped,
            lsh: self.lsh,
            stats,
            freq,
        })
    }
}
