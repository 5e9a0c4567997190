//! Benchmarks built from real text and the scorers used by `generate`,
//! `eval` and `merge-eval`: near-duplicate tiers ([`synth`]), injected
//! discrepancies ([`inject`]), pairwise / B-cubed / ARI scores ([`eval`]),
//! main-text extraction scores ([`extraction`]).

pub mod eval;
pub mod extraction;
pub mod inject;
pub mod synth;
