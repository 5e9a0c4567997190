//! The detection settings an index is made with, and the check that a run asks for the same.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::dedup::{DedupConfig, OnError};
use crate::sketch::lsh::LshParams;
use crate::sketch::minhash::MinHashParams;
use crate::text::boilerplate::BoilerplateConfig;

/// What decides whether two articles are copies; fixed when the index is created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexSettings {
    pub minhash: MinHashParams,
    pub skip_stopwords: bool,
    pub threshold: f64,
    pub containment: f64,
    pub containment_min_shingles: u32,
    pub containment_order: f64,
    /// [`DedupConfig::unshared_middle`]; files made before it was a
    /// setting read as 1 (off), the rule they were made with.
    #[serde(default = "middle_rule_off")]
    pub unshared_middle: f64,
    pub lsh: LshParams,
    pub rare_bucket: usize,
    /// Strip boilerplate lines by the per-line rules.
    pub boilerplate_rules: bool,
    /// Signature slots filed as single-slot keys for the rare-shingle pass
    /// (the first this many of `minhash.num_perm`; default all). Fewer make
    /// `index add` and `check` faster and the file smaller, and miss some
    /// abridged copies: see [`IndexSettings::with_rare_slots`].
    pub rare_slots: usize,
}

fn middle_rule_off() -> f64 {
    1.0
}

impl IndexSettings {
    /// The settings of a dedup configuration (its LSH bands resolved).
    pub fn from_config(config: &DedupConfig) -> Self {
        IndexSettings {
            minhash: config.minhash,
            skip_stopwords: config.skip_stopwords,
            threshold: config.threshold,
            containment: config.containment,
            containment_min_shingles: config.containment_min_shingles,
            containment_order: config.containment_order,
            unshared_middle: config.unshared_middle,
            lsh: config.lsh_params(),
            rare_bucket: config.rare_bucket,
            boilerplate_rules: config.boilerplate.line_rules,
            rare_slots: config.minhash.num_perm,
        }
    }

    /// These settings filing only the first `slots` signature slots as
    /// single-slot keys. Most single-slot buckets hold one article for
    /// good, so each filed slot is a sums entry per article; an abridged
    /// copy with Jaccard J shares a given slot with its original with
    /// probability about J, so the rare-shingle lookup misses it with
    /// probability about (1 − J)^slots. On the heavy tier (README) 32 slots
    /// find 3 of 1,614 copies fewer than all 128, 64 slots 1, 16 slots 80.
    pub fn with_rare_slots(mut self, slots: usize) -> Self {
        self.rare_slots = slots;
        self
    }

    /// Checks the settings are usable.
    ///
    /// # Errors
    /// The detection settings' own checks, and `rare_slots` outside
    /// 1..=`num_perm`.
    pub fn validate(&self) -> crate::error::Result<()> {
        self.dedup_config(OnError::Skip).validate()?;
        if !(1..=self.minhash.num_perm).contains(&self.rare_slots) {
            return Err(crate::error::Error::invalid(
                "rare-slots",
                format!(
                    "{} is not in 1..={} (the signature's slots)",
                    self.rare_slots, self.minhash.num_perm
                ),
            ));
        }
        Ok(())
    }

    /// The dedup configuration that signs and compares articles for this index.
    pub fn dedup_config(&self, on_error: OnError) -> DedupConfig {
        DedupConfig {
            minhash: self.minhash,
            skip_stopwords: self.skip_stopwords,
            threshold: self.threshold,
            containment: self.containment,
            containment_min_shingles: self.containment_min_shingles,
            containment_order: self.containment_order,
            unshared_middle: self.unshared_middle,
            lsh: Some(self.lsh),
            rare_bucket: self.rare_bucket,
            boilerplate: BoilerplateConfig {
                line_rules: self.boilerplate_rules,
                corpus_frequency: false,
                ..BoilerplateConfig::default()
            },
            // Within a batch the earlier article is the original.
            keep: crate::dedup::groups::KeepRule::First,
            on_error,
            ..DedupConfig::default()
        }
    }
}

impl fmt::Display for IndexSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} threshold={} containment={} containment_order={} unshared_middle={} bands={}x{} rare_bucket={} rare_slots={} skip_stopwords={} boilerplate_rules={}",
            self.minhash,
            self.threshold,
            self.containment,
            self.containment_order,
            self.unshared_middle,
            self.lsh.bands,
            self.lsh.rows,
            self.rare_bucket,
            self.rare_slots,
            self.skip_stopwords,
            self.boilerplate_rules
        )
    }
}

/// Settings a caller expects the index to have (`None`: whatever it has).
#[derive(Debug, Clone, Default)]
pub struct Requested {
    pub threshold: Option<f64>,
    pub containment: Option<f64>,
    pub num_perm: Option<usize>,
    pub ngram: Option<usize>,
    pub seed: Option<u64>,
}
