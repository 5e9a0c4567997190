//! newsdedup: find copies of the same article in scraped news corpora, group
//! the reports of one event, and line up what their sources agree on.
//!
//! Four jobs, each a type with a validated config and an outcome; every job
//! reads a [`Corpus`] (JSON Lines, `.txt` folders, HTML pages, WARC files,
//! gzip, stdin) and reports progress through a [`progress::Progress`] (use
//! [`progress::Silent`]).
//! The library never prints; errors are [`Error`].
//!
//! **Copies** — [`Deduplicator`]: every record kept, removed as a copy of a
//! kept one, or rejected with a reason.
//! ```
//! use newsdedup::{progress::Silent, Corpus, DedupConfig, Deduplicator, InputSpec};
//!
//! let corpus = Corpus::open(&[
//!     InputSpec::parse("testdata/seeds"),
//!     InputSpec::parse("testdata/incoming.jsonl"),
//! ])?;
//! let outcome = Deduplicator::new(DedupConfig::default())?.run(&corpus, &Silent)?;
//! assert_eq!(outcome.groups.len(), 2); // two seeds have copies in the feed
//! for group in &outcome.groups {
//!     for m in &group.members {
//!         let (kept, copy) = (outcome.table.id(group.representative), outcome.table.id(m.row));
//!         assert_ne!(kept, copy);
//!     }
//! }
//! # Ok::<(), newsdedup::Error>(())
//! ```
//!
//! **Events** — [`EventClusterer`] groups the articles a dedup run kept:
//! ```
//! use newsdedup::{progress::Silent, ClusterConfig, Corpus, DedupConfig, Deduplicator,
//!                 EventClusterer, InputSpec};
//!
//! let corpus = Corpus::open(&[InputSpec::parse("testdata/ecbplus/docs.jsonl")])?;
//! let dedup = Deduplicator::new(DedupConfig::default())?;
//! let kept = dedup.run(&corpus, &Silent)?;
//! let clusterer = EventClusterer::new(ClusterConfig::default(), dedup.config().boilerplate.clone())?;
//! let events = clusterer.run(&corpus, &kept, &Silent)?;
//! // 982 reports of 86 events in 43 topics: far fewer events than articles.
//! assert!(events.stats.events < kept.stats.kept / 4);
//! # Ok::<(), newsdedup::Error>(())
//! ```
//!
//! **Merged stories** — [`MergeJob`]: per event, the facts sources share,
//! claims of one source, and discrepancies between aligned claims:
//! ```
//! use newsdedup::{progress::Silent, Corpus, DedupConfig, Deduplicator, EventSource,
//!                 InputSpec, MergeConfig, MergeJob, Merger};
//!
//! let corpus = Corpus::open(&[InputSpec::parse("testdata/seeds.jsonl")])?;
//! let job = MergeJob {
//!     dedup: Deduplicator::new(DedupConfig::default())?,
//!     merger: Merger::new(MergeConfig::default())?,
//!     events: EventSource::One,
//!     keep_copies: false,
//!     min_sources: 2,
//!     only: None,
//! };
//! let merged = job.run(&corpus, &Silent)?;
//! assert_eq!(merged.stories[0].sources.len(), 5);
//! # Ok::<(), newsdedup::Error>(())
//! ```
//!
//! **Index** — [`Index`]: held articles in one redb file; `check` says
//! whether incoming articles are copies of held ones (or of each other):
//! ```
//! use newsdedup::{progress::Silent, BatchOptions, Corpus, DedupConfig, Index, InputSpec, Verdict};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let db = dir.path().join("held.db");
//! let index = Index::create(&db, &DedupConfig::default())?;
//! let seeds = Corpus::open(&[InputSpec::parse("testdata/seeds.jsonl")])?;
//! index.add(&seeds, BatchOptions::default(), &Silent)?;
//! let feed = Corpus::open(&[InputSpec::parse("testdata/incoming.jsonl")])?;
//! let checked = index.check(&feed, false, None, BatchOptions::default(), &Silent)?;
//! assert!(checked.verdicts.iter().any(|v| matches!(v, Verdict::CopyOfHeld { .. })));
//! # Ok::<(), newsdedup::Error>(())
//! ```
//!
//! Subsystems, by layer: [`ingest`] and [`article`] (records),
//! [`text`] (normalization, boilerplate), [`sketch`] (shingles, MinHash,
//! LSH), then the jobs [`dedup`], [`events`], [`merge`], [`index`];
//! [`report`] writes every command's outputs; [`mod@bench`] generates and
//! scores the benchmarks.

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
pub mod stages;
pub mod text;

pub use article::Article;
pub use dedup::{DedupConfig, DedupOutcome, Deduplicator, KeepRule, OnError};
pub use error::{Error, Result};
pub use events::{ClusterConfig, EventClusterer, EventOutcome, VectorConfig};
pub use index::{Access, BatchOptions, CheckOutcome, EventQuery, Index, IndexSettings, Verdict};
pub use ingest::{Corpus, InputFormat, InputSpec};
pub use merge::{EventSource, MergeConfig, MergeJob, MergeOutcome, MergedStory, Merger};
pub use sketch::minhash::{MinHashParams, MinHasher, Scheme, Signature};
