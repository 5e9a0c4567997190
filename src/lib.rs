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
pub mod bench;
pub mod dedup;
pub mod error;
pub mod events;
pub mod index;
pub mod ingest;
pub mod merge;
pub mod progress;
pub mod report;
pub mod sketch;
pub mod text;

pub use article::Article;
pub use dedup::groups::KeepRule;
pub use dedup::{DedupConfig, DedupOutcome, Deduplicator, OnError};
pub use error::{Error, Result};
pub use ingest::{Corpus, InputSpec};
pub use sketch::minhash::{MinHashParams, MinHasher, Scheme, Signature};
