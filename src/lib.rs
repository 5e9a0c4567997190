//! newsdedup: find copies of the same article in scraped news corpora.
//!
//! The pipeline stages are modules, each with one job: [`ingest`] reads
//! records, [`normalize`] folds text, [`boilerplate`] finds site chrome,
//! [`shingle`] cuts text into hashed n-grams, [`minhash`] signs shingle sets,
//! [`lsh`] finds candidate pairs, [`groups`] joins verified pairs, and
//! [`dedup`] runs them end to end; [`index`] keeps signatures in a
//! persistent file for checking incoming feeds. For events, [`vectors`] turns story text
//! into TF-IDF vectors and [`events`] links them through an HNSW neighbour
//! graph. [`report`] writes the outputs and [`eval`] scores a run against
//! gold labels. The library never prints.

pub mod article;
pub mod boilerplate;
pub mod check_report;
pub mod dedup;
pub mod error;
pub mod eval;
pub mod events;
pub mod groups;
pub mod index;
pub mod ingest;
pub mod inject;
pub mod lsh;
pub mod merge;
pub mod merge_report;
pub mod minhash;
pub mod normalize;
pub mod progress;
pub mod report;
pub mod shingle;
pub mod store;
pub mod synth;
pub mod table;
pub mod vectors;

pub use article::Article;
pub use dedup::{DedupConfig, DedupOutcome, Deduplicator, OnError};
pub use error::{Error, Result};
pub use groups::KeepRule;
pub use ingest::{Corpus, InputSpec};
pub use minhash::{MinHashParams, MinHasher, Scheme, Signature};
