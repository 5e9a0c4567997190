//! Settings of the near-duplicate job and their checks.

use crate::dedup::groups::KeepRule;
use crate::error::{Error, Result};
use crate::sketch::lsh::LshParams;
use crate::sketch::minhash::MinHashParams;
use crate::sketch::shingle::ShingleConfig;
use crate::text::boilerplate::BoilerplateConfig;

/// What to do with a bad record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Reject it (listed in the report) and go on (default).
    #[default]
    Skip,
    /// Stop the run with an error naming the file and line.
    Fail,
}

/// Settings of the near-duplicate job. `Default` gives the documented defaults.
#[derive(Debug, Clone)]
pub struct DedupConfig {
    /// MinHash slots, shingle size, seed and scheme (defaults: 128, 3, 0, one-permutation).
    pub minhash: MinHashParams,
    /// Skip English stopwords before shingling (default false).
    pub skip_stopwords: bool,
    /// Two articles are copies when the Jaccard similarity of their shingle
    /// sets (exact, verified on the stored sets) reaches this (default 0.5) …
    pub threshold: f64,
    /// … or when the share of the shorter one's shingles found in the longer
    /// reaches this (default 0.38; above 1 turns containment off) …
    pub containment: f64,
    /// … and the shorter has at least this many shingles (default 15) …
    pub containment_min_shingles: u32,
    /// … and at least this share of the shingles they share occur in the
    /// same order in both texts (default 0.75; 0 turns it off). Copies keep
    /// their text's order; reports of one event that share names and stock
    /// phrases use them in other sentences, in another order.
    pub containment_order: f64,
    /// Whatever the rule that matched, two texts are not copies when each
    /// has a run of at least 30 unshared shingles between shared ones (at
    /// least 10 on each side) that is at least this share of its shingles
    /// (default 0.2; 1 turns it off).
    /// Pages of one site share its header and footer chrome around two
    /// different stories; copies share the story, and what one adds or
    /// lacks sits at its edges or is short.
    pub unshared_middle: f64,
    /// Jaccard the LSH bands are tuned for (default 0.3); abridged copies
    /// with lower Jaccard are found by the rare-shingle pass.
    pub candidate_threshold: f64,
    /// Explicit bands × rows, overriding `candidate_threshold`.
    pub lsh: Option<LshParams>,
    /// Rare-shingle candidates: articles sharing any single MinHash slot
    /// become candidates when at most this many articles share it (default
    /// 16; 0 turns the pass off). A copy shares rare shingles with its
    /// original even when it is a third as long and its Jaccard is 0.05;
    /// a slot shared by many articles holds a common phrase, not evidence.
    pub rare_bucket: usize,
    /// Which copy is kept (default longest).
    pub keep: KeepRule,
    /// The rules of the sharded stages (`newsdedup stage`, the Spark job):
    /// line frequencies in a mergeable count-min sketch (plain update,
    /// summed over shards) instead of conservative update, and an LSH
    /// bucket of more than 64 articles compared with its first 64 articles
    /// rather than with its first 64 groups as joined so far. Default false.
    pub shardable: bool,
    pub boilerplate: BoilerplateConfig,
    /// Keep the list of stripped lines for a report (default false).
    pub collect_boilerplate: bool,
    pub on_error: OnError,
    /// Keep these input fields' values per article (for `eval`).
    pub label_fields: Vec<String>,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            minhash: MinHashParams::default(),
            skip_stopwords: false,
            threshold: 0.5,
            containment: 0.38,
            containment_min_shingles: 15,
            containment_order: 0.75,
            unshared_middle: 0.2,
            candidate_threshold: 0.3,
            lsh: None,
            rare_bucket: 16,
            keep: KeepRule::default(),
            shardable: false,
            boilerplate: BoilerplateConfig::default(),
            collect_boilerplate: false,
            on_error: OnError::default(),
            label_fields: Vec::new(),
        }
    }
}

impl DedupConfig {
    /// The bands × rows this configuration uses.
    pub fn lsh_params(&self) -> LshParams {
        self.lsh.unwrap_or_else(|| {
            LshParams::optimal(self.candidate_threshold, self.minhash.num_perm, 0.5, 0.5)
        })
    }

    pub(super) fn shingle_config(&self) -> ShingleConfig {
        ShingleConfig {
            ngram: self.minhash.ngram,
            seed: self.minhash.seed,
            skip_stopwords: self.skip_stopwords,
        }
    }

    /// Checks every value.
    ///
    /// # Errors
    /// The first value out of range, by name.
    pub fn validate(&self) -> Result<()> {
        self.minhash.validate()?;
        self.shingle_config().validate()?;
        if !(0.0..=1.0).contains(&self.containment_order) {
            return Err(Error::invalid(
                "containment order",
                format!("{} is not in [0, 1]", self.containment_order),
            ));
        }
        for (name, v) in [
            ("threshold", self.threshold),
            ("candidate threshold", self.candidate_threshold),
            ("unshared middle", self.unshared_middle),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return Err(Error::invalid(name, format!("{v} is not in (0, 1]")));
            }
        }
        if self.containment.is_nan() || self.containment <= 0.0 {
            return Err(Error::invalid(
                "containment",
                format!("{} is not positive", self.containment),
            ));
        }
        self.lsh_params().validate(self.minhash.num_perm)
    }
}
