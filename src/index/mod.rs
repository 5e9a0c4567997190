//! The persistent index: held articles' signatures, shingle sets and LSH
//! buckets in one redb file that grows by batches, and the questions asked
//! of it (is an incoming article a copy of a held one, or of another
//! incoming one?).
//!
//! Every change is one redb write transaction, so a batch is added whole or
//! not at all, even when the process is killed. The file records its format
//! version and the detection settings it was made with; opening it with
//! others is refused. Signatures here use per-line boilerplate rules only
//! (no corpus-frequency stripping), so an article's signature depends on
//! the article alone, never on the batch it arrived in.
//!
//! A damaged file is an error, never another answer: records carry
//! checksums and every bucket has a sealed sums entry ([`integrity`]),
//! checked on every read; [`Index::verify`] walks the whole file.

mod integrity;
mod verify;

use std::collections::BTreeSet;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use redb::{
    Builder, ConcurrencyMode, Database, DatabaseError, MultimapTableDefinition, ReadOnlyDatabase,
    ReadableDatabase, ReadableMultimapTable, ReadableTable, ReadableTableMetadata, TableDefinition,
};
use serde::{Deserialize, Serialize};

use crate::dedup::store::{shared_in_order, Compact};
use crate::dedup::table::{round4, ArticleTable, Overlap};
use crate::dedup::{DedupConfig, DedupOutcome, Deduplicator, OnError};
use crate::error::{Error, Result};
use crate::events::dates::day_number;
use crate::events::vectors::{article_terms, sparse_dot, TermKind, VectorConfig};
use crate::ingest::Corpus;
use crate::progress::{Progress, Stage};
use crate::sketch::lsh::LshParams;
use crate::sketch::minhash::{agreeing_slots, MinHashParams};
use crate::text::boilerplate::BoilerplateConfig;
use integrity::{
    meta_seed, seal, unchecked_payload, unseal, Digest, Lookup, SealedSums, SumEntry, END,
};
pub use verify::{Damage, VerifyReport};

/// The on-disk format this build reads and writes.
pub const FORMAT_VERSION: u32 = 3;
const FORMAT_NAME: &[u8] = b"newsdedup-index";
/// The first bytes of every redb file.
const REDB_MAGIC: [u8; 9] = [b'r', b'e', b'd', b'b', 0x1A, 0x0A, 0xA9, 0x0D, 0x0A];
const CACHE_BYTES: usize = 256 << 20;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Document number → postcard-encoded [`StoredDoc`], sealed with the number.
const DOCS: TableDefinition<u64, &[u8]> = TableDefinition::new("docs");
/// Article id → document number.
const IDS: TableDefinition<&str, u64> = TableDefinition::new("ids");
/// LSH band key → document numbers.
const BANDS: MultimapTableDefinition<u64, u64> = MultimapTableDefinition::new("bands");
/// Single-slot key (for the rare-shingle pass) → document numbers.
const SLOTS: MultimapTableDefinition<u64, u64> = MultimapTableDefinition::new("slots");
/// Hash of the cleaned text → document numbers (exact copies, even empty ones).
const CONTENT: MultimapTableDefinition<u64, u64> = MultimapTableDefinition::new("content");

/// Event term key → number of held articles with the term, as a sums
/// entry whose count is the number ([`integrity::SumEntry`]).
const TERM_DF: TableDefinition<u64, SealedSums> = TableDefinition::new("term_df");
/// Event term key → held articles among whose heaviest terms it is.
const POSTINGS: MultimapTableDefinition<u64, u64> = MultimapTableDefinition::new("postings");
/// Bucket key → the bucket's sums entry, one table per multimap
/// ([`integrity::SumEntry`]).
const CONTENT_SUMS: TableDefinition<u64, SealedSums> = TableDefinition::new("content_sums");
const BAND_SUMS: TableDefinition<u64, SealedSums> = TableDefinition::new("band_sums");
const SLOT_SUMS: TableDefinition<u64, SealedSums> = TableDefinition::new("slot_sums");
const POSTING_SUMS: TableDefinition<u64, SealedSums> = TableDefinition::new("posting_sums");

/// The sums table of each lookup table, in [`Lookup::ALL`] order.
const SUMS: [TableDefinition<u64, SealedSums>; 5] =
    [CONTENT_SUMS, BAND_SUMS, SLOT_SUMS, POSTING_SUMS, TERM_DF];

/// Heaviest terms per article filed in [`POSTINGS`] and looked up per query.
const POSTED_TERMS: usize = 16;
/// Terms on more held articles than this are too common to find candidates by.
const MAX_POSTINGS: u64 = 2000;
/// Held articles reported per incoming article at `--level event`.
const EVENT_MATCHES: usize = 3;

/// What decides whether two articles are copies; fixed when the index is created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexSettings {
    pub minhash: MinHashParams,
    pub skip_stopwords: bool,
    pub threshold: f64,
    pub containment: f64,
    pub containment_min_shingles: u32,
    pub containment_order: f64,
    pub lsh: LshParams,
    pub rare_bucket: usize,
    /// Strip boilerplate lines by the per-line rules.
    pub boilerplate_rules: bool,
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
            lsh: config.lsh_params(),
            rare_bucket: config.rare_bucket,
            boilerplate_rules: config.boilerplate.line_rules,
        }
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
            "{} threshold={} containment={} containment_order={} bands={}x{} rare_bucket={} skip_stopwords={} boilerplate_rules={}",
            self.minhash,
            self.threshold,
            self.containment,
            self.containment_order,
            self.lsh.bands,
            self.lsh.rows,
            self.rare_bucket,
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

/// One held article as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredDoc {
    id: String,
    title: Option<String>,
    source: Option<String>,
    published: Option<String>,
    content_hash: u64,
    clean_len: u32,
    set_size: u32,
    slots: Vec<u32>,
    /// The sorted shingle set, delta-coded (postcard writes varints).
    deltas: Vec<u32>,
    /// Where each shingle of the set first occurs in the text (see
    /// [`crate::dedup::store::Compact`]).
    order: Vec<u32>,
    /// Event terms: key, kind and title flag ([`TermKind::code`]), count.
    terms: Vec<(u64, u8, u32)>,
    /// Publication day (days since 1970-01-01), when readable.
    day: Option<i32>,
    /// The term keys filed in the postings for this article.
    posted: Vec<u64>,
}

impl StoredDoc {
    fn from_row(table: &ArticleTable, row: u32, terms: Vec<(u64, u8, u32)>) -> Self {
        let Compact { set, order } = table.shingles_with_order(row);
        let mut prev = 0u32;
        let deltas = set
            .iter()
            .map(|&v| {
                let d = v - prev;
                prev = v;
                d
            })
            .collect();
        StoredDoc {
            id: table.id(row).to_string(),
            title: table.title(row).map(str::to_string),
            source: table.source(row).map(str::to_string),
            published: table.published(row).map(str::to_string),
            content_hash: table.content_hash(row),
            clean_len: table.clean_len(row),
            set_size: table.set_size(row),
            slots: table.slots(row).to_vec(),
            deltas,
            order,
            terms,
            day: table.published(row).and_then(day_number),
            posted: Vec::new(),
        }
    }

    fn set(&self) -> Vec<u32> {
        let mut acc = 0u32;
        self.deltas
            .iter()
            .map(|&d| {
                acc = acc.wrapping_add(d);
                acc
            })
            .collect()
    }

    fn held(&self) -> HeldArticle {
        HeldArticle {
            id: self.id.clone(),
            title: self.title.clone(),
            source: self.source.clone(),
            published: self.published.clone(),
        }
    }
}

/// What the index tells about a held article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldArticle {
    pub id: String,
    pub title: Option<String>,
    pub source: Option<String>,
    pub published: Option<String>,
}

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

/// How to open an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read only; several readers and one writer may share the file.
    Read,
    /// Read and write; one writer at a time. With `wait`, waits up to that
    /// long for another writer to finish instead of failing at once.
    Write { wait: Option<Duration> },
}

enum Handle {
    Write(Database),
    Read(ReadOnlyDatabase),
}

impl Handle {
    fn begin_read(&self) -> std::result::Result<redb::ReadTransaction, redb::TransactionError> {
        match self {
            Handle::Write(db) => db.begin_read(),
            Handle::Read(db) => db.begin_read(),
        }
    }
}

/// An open index; see the module docs.
pub struct Index {
    path: PathBuf,
    /// `None` only once dropped (see `Drop`).
    handle: Option<Handle>,
    settings: IndexSettings,
}

impl Drop for Index {
    /// Closing the file can make redb panic too (a writer commits on close,
    /// and an earlier panic that [`guarded`] contained leaves its locks
    /// poisoned): contained the same way, so dropping an index never panics.
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(handle)));
        }
    }
}

/// Options of [`Index::add`] and [`Index::check`].
#[derive(Debug, Clone, Copy, Default)]
pub struct BatchOptions {
    /// Replace held articles whose id comes again with other content
    /// (otherwise that is an error and nothing is added).
    pub replace: bool,
    pub on_error: OnError,
}

/// What happened to each article of a batch given to [`Index::add`].
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
    /// A copy of another incoming article (the one kept in the batch).
    CopyOfIncoming {
        row: u32,
        similarity: f64,
        containment: f64,
    },
}

/// Asking `check` for held articles on the same event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventQuery {
    /// Cosine similarity of the event vectors at which a held article
    /// covers the same event (default 0.2, as for `cluster`).
    pub threshold: f32,
    /// Held articles published more than this many days apart are another
    /// event (default 7; `None` ignores dates).
    pub window_days: Option<u32>,
    /// How text becomes an event vector: the boosts and `max_terms` of
    /// `cluster` (the same flags give the same vectors).
    pub vectors: VectorConfig,
}

impl Default for EventQuery {
    fn default() -> Self {
        EventQuery {
            threshold: 0.2,
            window_days: Some(7),
            vectors: VectorConfig::default(),
        }
    }
}

/// A held article on the same event as an incoming one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventMatch {
    pub held: HeldArticle,
    pub similarity: f64,
}

/// What [`Index::check`] found, per row of the batch.
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

impl Index {
    /// Creates a new, empty index file with these settings.
    ///
    /// # Errors
    /// The path exists, or the file cannot be created.
    pub fn create(path: &Path, config: &DedupConfig) -> Result<Index> {
        config.validate()?;
        if path.exists() {
            return Err(Error::IndexExists { path: path.into() });
        }
        let settings = IndexSettings::from_config(config);
        let db = builder()
            .create(path)
            .map_err(|e| open_error(path, e, "cannot create"))?;
        let txn = db
            .begin_write()
            .map_err(|e| Error::index("cannot write", path, e))?;
        {
            let mut meta = txn
                .open_table(META)
                .map_err(|e| Error::index("cannot write", path, e))?;
            let settings_json = serde_json::to_vec(&settings).expect("settings serialize to JSON");
            for (key, value) in [
                ("format", FORMAT_NAME.to_vec()),
                ("version", FORMAT_VERSION.to_le_bytes().to_vec()),
                ("settings", seal(settings_json, meta_seed("settings"))),
                ("next_doc", sealed_u64("next_doc", 0)),
                ("articles", sealed_u64("articles", 0)),
                ("entries", sealed_entries([0; 5])),
            ] {
                meta.insert(key, value.as_slice())
                    .map_err(|e| Error::index("cannot write", path, e))?;
            }
            txn.open_table(DOCS)
                .map_err(|e| Error::index("cannot write", path, e))?;
            txn.open_table(IDS)
                .map_err(|e| Error::index("cannot write", path, e))?;
            for (t, def) in Lookup::ALL.into_iter().zip(SUMS) {
                txn.open_table(def)
                    .map_err(|e| Error::index("cannot write", path, e))?
                    .insert(END, SumEntry::end().seal(t, END))
                    .map_err(|e| Error::index("cannot write", path, e))?;
            }
            for t in [BANDS, SLOTS, CONTENT, POSTINGS] {
                txn.open_multimap_table(t)
                    .map_err(|e| Error::index("cannot write", path, e))?;
            }
        }
        txn.commit()
            .map_err(|e| Error::index("cannot write", path, e))?;
        Ok(Index {
            path: path.into(),
            handle: Some(Handle::Write(db)),
            settings,
        })
    }

    fn open_unguarded(path: &Path, access: Access) -> Result<Index> {
        sniff(path)?;
        let handle = match access {
            Access::Write { wait } => Handle::Write(open_writer(path, wait)?),
            Access::Read => match builder().open_read_only(path) {
                Ok(db) => Handle::Read(db),
                // A writer was killed: recovery needs a writable open.
                Err(DatabaseError::RepairAborted) => Handle::Write(open_writer(path, None)?),
                Err(e) => return Err(open_error(path, e, "cannot open")),
            },
        };
        let settings = read_meta(path, &handle)?;
        Ok(Index {
            path: path.into(),
            handle: Some(handle),
            settings,
        })
    }

    /// Opens an existing index, checking its format version.
    ///
    /// # Errors
    /// Missing file, not an index (or damaged), another format version,
    /// locked by a writer.
    pub fn open(path: &Path, access: Access) -> Result<Index> {
        guarded(path, || Self::open_unguarded(path, access))
    }

    /// Counts and settings.
    ///
    /// # Errors
    /// Reading the file.
    pub fn stats(&self) -> Result<IndexStats> {
        guarded(&self.path, || self.stats_unguarded())
    }

    /// Signs a batch and adds every article of it, in one transaction.
    ///
    /// # Errors
    /// Reading the batch, writing the file, an id held with other content
    /// (unless `replace`); nothing is added then.
    pub fn add(
        &self,
        corpus: &Corpus,
        options: BatchOptions,
        progress: &dyn Progress,
    ) -> Result<AddOutcome> {
        guarded(&self.path, || self.add_unguarded(corpus, options, progress))
    }

    /// Checks a batch against the index and against itself; with `add`,
    /// adds the articles that are not copies in the same transaction. With
    /// `events`, also lists held articles on the same event as each
    /// incoming article that is not a copy.
    ///
    /// # Errors
    /// Reading the batch or the file; with `add`, writing it, or an id held
    /// with other content (unless `replace`); nothing is added then.
    pub fn check(
        &self,
        corpus: &Corpus,
        add: bool,
        events: Option<EventQuery>,
        options: BatchOptions,
        progress: &dyn Progress,
    ) -> Result<CheckOutcome> {
        guarded(&self.path, || {
            self.check_unguarded(corpus, add, events, options, progress)
        })
    }

    /// Removes the articles with these ids, all or none.
    ///
    /// # Errors
    /// An id the index does not hold; writing the file.
    pub fn remove(&self, ids: &[String]) -> Result<usize> {
        guarded(&self.path, || self.remove_unguarded(ids))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn settings(&self) -> &IndexSettings {
        &self.settings
    }

    /// Errors unless the index has the requested settings.
    ///
    /// # Errors
    /// [`Error::IndexParams`] naming what differs.
    pub fn require(&self, requested: &Requested) -> Result<()> {
        let s = &self.settings;
        let mut held = Vec::new();
        let mut asked = Vec::new();
        let mut differs = |name: &str, h: String, r: Option<String>| {
            if let Some(r) = r {
                if r != h {
                    held.push(format!("{name}={h}"));
                    asked.push(format!("{name}={r}"));
                }
            }
        };
        differs(
            "threshold",
            s.threshold.to_string(),
            requested.threshold.map(|v| v.to_string()),
        );
        differs(
            "containment",
            s.containment.to_string(),
            requested.containment.map(|v| v.to_string()),
        );
        differs(
            "num_perm",
            s.minhash.num_perm.to_string(),
            requested.num_perm.map(|v| v.to_string()),
        );
        differs(
            "ngram",
            s.minhash.ngram.to_string(),
            requested.ngram.map(|v| v.to_string()),
        );
        differs(
            "seed",
            s.minhash.seed.to_string(),
            requested.seed.map(|v| v.to_string()),
        );
        if held.is_empty() {
            Ok(())
        } else {
            Err(Error::IndexParams {
                path: self.path.clone(),
                held: held.join(" "),
                requested: asked.join(" "),
            })
        }
    }

    fn stats_unguarded(&self) -> Result<IndexStats> {
        let e = |e: redb::Error| Error::index("cannot read", &self.path, e);
        let txn = self.handle().begin_read().map_err(|x| e(x.into()))?;
        let docs = txn.open_table(DOCS).map_err(|x| e(x.into()))?;
        let meta = txn.open_table(META).map_err(|x| e(x.into()))?;
        let articles = held_articles(&meta, &docs, &self.path)?;
        let entries = meta_entries(&meta, &self.path)?;
        let mut tables = vec![
            meta.stats().map_err(|x| e(x.into()))?,
            docs.stats().map_err(|x| e(x.into()))?,
            txn.open_table(IDS)
                .map_err(|x| e(x.into()))?
                .stats()
                .map_err(|x| e(x.into()))?,
        ];
        for def in [BANDS, SLOTS, CONTENT, POSTINGS] {
            let table = txn.open_multimap_table(def).map_err(|x| e(x.into()))?;
            tables.push(table.stats().map_err(|x| e(x.into()))?);
        }
        for def in SUMS {
            let table = txn.open_table(def).map_err(|x| e(x.into()))?;
            tables.push(table.stats().map_err(|x| e(x.into()))?);
        }
        let stored_bytes = tables
            .iter()
            .map(|s| s.stored_bytes() + s.metadata_bytes() + s.fragmented_bytes())
            .sum();
        let file_bytes = std::fs::metadata(&self.path)
            .map_err(|x| Error::io("cannot read", &self.path, x))?
            .len();
        Ok(IndexStats {
            format_version: FORMAT_VERSION,
            settings: self.settings.clone(),
            articles,
            band_entries: entries[Lookup::Band.slot()],
            slot_entries: entries[Lookup::Slot.slot()],
            file_bytes,
            stored_bytes,
        })
    }

    fn handle(&self) -> &Handle {
        self.handle
            .as_ref()
            .expect("the handle is taken only on drop")
    }

    fn writer(&self) -> Result<&Database> {
        match self.handle() {
            Handle::Write(db) => Ok(db),
            Handle::Read(_) => Err(Error::invalid(
                "index access",
                "the index was opened read-only",
            )),
        }
    }

    fn deduplicator(&self, on_error: OnError) -> Result<Deduplicator> {
        Deduplicator::new(self.settings.dedup_config(on_error))
    }

    fn add_unguarded(
        &self,
        corpus: &Corpus,
        options: BatchOptions,
        progress: &dyn Progress,
    ) -> Result<AddOutcome> {
        let db = self.writer()?;
        let batch = self.deduplicator(options.on_error)?.run(corpus, progress)?;
        let mut terms = batch_terms(corpus, &batch, &self.settings, progress)?;
        let n = batch.table.len() as u32;
        progress.begin(Stage::Index, Some(u64::from(n)));
        let (added, unchanged, replaced) = in_transaction(db, &self.path, &self.settings, |w| {
            let (mut added, mut unchanged, mut replaced) = (0, 0, 0);
            for row in 0..n {
                let t = std::mem::take(&mut terms[row as usize]);
                match w.put(&batch.table, row, t, options.replace)? {
                    Put::Added => added += 1,
                    Put::Unchanged => unchanged += 1,
                    Put::Replaced => replaced += 1,
                }
                progress.advance(1);
            }
            Ok((added, unchanged, replaced))
        })?;
        progress.end();
        Ok(AddOutcome {
            batch,
            added,
            unchanged,
            replaced,
        })
    }

    fn check_unguarded(
        &self,
        corpus: &Corpus,
        add: bool,
        events: Option<EventQuery>,
        options: BatchOptions,
        progress: &dyn Progress,
    ) -> Result<CheckOutcome> {
        let dedup = self.deduplicator(options.on_error)?;
        let batch = dedup.run(corpus, progress)?;
        // Event terms are another pass over the batch: only when stored or compared.
        let mut terms = if add || events.is_some() {
            batch_terms(corpus, &batch, &self.settings, progress)?
        } else {
            Vec::new()
        };
        let n = batch.table.len() as u32;
        progress.begin(Stage::Index, Some(u64::from(n)));
        let (verdicts, same_event, added) = if add {
            in_transaction(self.writer()?, &self.path, &self.settings, |w| {
                let q = Query {
                    docs: &w.docs,
                    ids: &w.ids,
                    bands: &w.bands,
                    slots: &w.slots,
                    content: &w.content,
                    postings: &w.postings,
                    sums: &w.sums,
                    held: w.held,
                    settings: &self.settings,
                    dedup: &dedup,
                    path: &self.path,
                };
                let verdicts = q.verdicts(&batch, progress)?;
                let same_event = q.same_events(&batch, &verdicts, &terms, events)?;
                let mut added = Vec::new();
                for (row, v) in (0..n).zip(&verdicts) {
                    if *v == Verdict::Clean {
                        let t = std::mem::take(&mut terms[row as usize]);
                        w.put(&batch.table, row, t, options.replace)?;
                        added.push(row);
                    }
                }
                Ok((verdicts, same_event, added))
            })?
        } else {
            let e = |e: redb::Error| Error::index("cannot read", &self.path, e);
            let txn = self.handle().begin_read().map_err(|x| e(x.into()))?;
            let docs = txn.open_table(DOCS).map_err(|x| e(x.into()))?;
            let meta = txn.open_table(META).map_err(|x| e(x.into()))?;
            let q = Query {
                held: held_articles(&meta, &docs, &self.path)?,
                docs: &docs,
                ids: &txn.open_table(IDS).map_err(|x| e(x.into()))?,
                bands: &txn.open_multimap_table(BANDS).map_err(|x| e(x.into()))?,
                slots: &txn.open_multimap_table(SLOTS).map_err(|x| e(x.into()))?,
                content: &txn.open_multimap_table(CONTENT).map_err(|x| e(x.into()))?,
                postings: &txn.open_multimap_table(POSTINGS).map_err(|x| e(x.into()))?,
                sums: &open_sums(|def| txn.open_table(def)).map_err(|x| e(x.into()))?,
                settings: &self.settings,
                dedup: &dedup,
                path: &self.path,
            };
            let verdicts = q.verdicts(&batch, progress)?;
            let same_event = q.same_events(&batch, &verdicts, &terms, events)?;
            (verdicts, same_event, Vec::new())
        };
        progress.end();
        Ok(CheckOutcome {
            batch,
            verdicts,
            same_event,
            added,
        })
    }

    fn remove_unguarded(&self, ids: &[String]) -> Result<usize> {
        in_transaction(self.writer()?, &self.path, &self.settings, |w| {
            for id in ids {
                if !w.remove_id(id)? {
                    return Err(Error::UnknownId {
                        path: self.path.clone(),
                        id: id.clone(),
                    });
                }
            }
            Ok(ids.len())
        })
    }
}

/// Why a read that made redb panic failed: the panic's own text
/// ("entered unreachable code", "slice index starts at …") is redb's
/// internals, not something a user can act on.
pub(crate) const DAMAGED_PAGE: &str =
    "the file is damaged (a page of the storage engine does not read back as written)";

/// Runs `f`, turning a panic inside redb (which a damaged file can cause:
/// redb trusts pages it wrote) into [`Error::NotAnIndex`]. Unwinding drops
/// any open write transaction, so nothing is committed.
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(_) => Err(Error::NotAnIndex {
            path: path.into(),
            reason: DAMAGED_PAGE.into(),
        }),
    }
}

fn builder() -> Builder {
    let mut b = Builder::new();
    b.set_concurrency_mode(ConcurrencyMode::SingleWriter)
        .set_cache_size(CACHE_BYTES);
    b
}

/// Refuses missing files and files that are not redb databases before redb
/// sees them.
fn sniff(path: &Path) -> Result<()> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::IndexMissing { path: path.into() })
        }
        Err(e) => return Err(Error::io("cannot open index", path, e)),
    };
    if file
        .metadata()
        .map_err(|e| Error::io("cannot open index", path, e))?
        .is_dir()
    {
        return Err(Error::NotAnIndex {
            path: path.into(),
            reason: "it is a directory".into(),
        });
    }
    let mut head = [0u8; REDB_MAGIC.len()];
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) => return Err(Error::io("cannot read index", path, e)),
        }
    }
    if got < head.len() || head != REDB_MAGIC {
        return Err(Error::NotAnIndex {
            path: path.into(),
            reason: if got == 0 {
                "the file is empty".into()
            } else {
                "the file does not start with a database header".into()
            },
        });
    }
    Ok(())
}

fn open_writer(path: &Path, wait: Option<Duration>) -> Result<Database> {
    // A wait too long for the clock (`--wait 18446744073709551615`) is
    // capped at a century.
    let deadline = wait.map(|w| {
        let now = Instant::now();
        now.checked_add(w)
            .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 86_400))
    });
    loop {
        match builder().open(path) {
            Ok(db) => return Ok(db),
            Err(DatabaseError::DatabaseAlreadyOpen) => match deadline {
                Some(d) if Instant::now() < d => std::thread::sleep(Duration::from_millis(100)),
                _ => return Err(Error::IndexLocked { path: path.into() }),
            },
            Err(e) => return Err(open_error(path, e, "cannot open")),
        }
    }
}

fn open_error(path: &Path, e: DatabaseError, action: &'static str) -> Error {
    match e {
        DatabaseError::DatabaseAlreadyOpen => Error::IndexLocked { path: path.into() },
        // Damaged and truncated files are told apart in `Error::index`.
        other => Error::index(action, path, other),
    }
}

fn read_meta(path: &Path, handle: &Handle) -> Result<IndexSettings> {
    let not_index = |reason: String| Error::NotAnIndex {
        path: path.into(),
        reason,
    };
    let txn = handle
        .begin_read()
        .map_err(|e| Error::index("cannot read", path, e))?;
    let meta = match txn.open_table(META) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => {
            return Err(not_index(
                "it is a database without newsdedup's tables".into(),
            ))
        }
        Err(redb::TableError::Storage(redb::StorageError::Corrupted(msg))) => {
            return Err(not_index(format!("the file is damaged ({msg})")))
        }
        Err(e) => return Err(Error::index("cannot read", path, e)),
    };
    let get = |key: &str| -> Result<Option<Vec<u8>>> {
        Ok(meta
            .get(key)
            .map_err(|e| Error::index("cannot read", path, e))?
            .map(|g| g.value().to_vec()))
    };
    if get("format")?.as_deref() != Some(FORMAT_NAME) {
        return Err(not_index(
            "it is a database without newsdedup's tables".into(),
        ));
    }
    let version = get("version")?
        .and_then(|v| <[u8; 4]>::try_from(v.as_slice()).ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| not_index("its format version is missing".into()))?;
    if version != FORMAT_VERSION {
        return Err(Error::IndexVersion {
            path: path.into(),
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let settings = get("settings")?.ok_or_else(|| not_index("its settings are missing".into()))?;
    let settings = unseal(&settings, meta_seed("settings")).ok_or_else(|| {
        damaged(
            path,
            "settings",
            "their checksum does not match their bytes",
        )
    })?;
    serde_json::from_slice(settings)
        .map_err(|e| not_index(format!("its settings cannot be read ({e})")))
}

fn damaged(path: &Path, record: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::DamagedRecord {
        path: path.into(),
        record: record.into(),
        reason: reason.into(),
    }
}

/// A number of the settings table, sealed under its key.
fn sealed_u64(key: &str, value: u64) -> Vec<u8> {
    seal(value.to_le_bytes().to_vec(), meta_seed(key))
}

/// A sealed number of the settings table (`next_doc`, `articles`).
fn meta_u64(
    meta: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &'static str,
    path: &Path,
) -> Result<u64> {
    let value = meta
        .get(key)
        .map_err(|e| Error::index("cannot read", path, e))?
        .ok_or_else(|| damaged(path, format!("setting {key}"), "it is missing"))?;
    unseal(value.value(), meta_seed(key))
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_le_bytes)
        .ok_or_else(|| {
            damaged(
                path,
                format!("setting {key}"),
                "its checksum does not match its bytes",
            )
        })
}

/// The number of entries of each lookup table (the sum of the frequencies
/// for term_df), in [`Lookup::ALL`] order, sealed.
fn sealed_entries(entries: [u64; 5]) -> Vec<u8> {
    seal(
        entries.iter().flat_map(|n| n.to_le_bytes()).collect(),
        meta_seed("entries"),
    )
}

/// The number of entries of each lookup table, as the settings record them.
fn meta_entries(
    meta: &impl ReadableTable<&'static str, &'static [u8]>,
    path: &Path,
) -> Result<[u64; 5]> {
    let record = "setting entries";
    let value = meta
        .get("entries")
        .map_err(|e| Error::index("cannot read", path, e))?
        .ok_or_else(|| damaged(path, record, "it is missing"))?;
    let bytes = unseal(value.value(), meta_seed("entries"))
        .filter(|b| b.len() == 40)
        .ok_or_else(|| damaged(path, record, "its checksum does not match its bytes"))?;
    let mut out = [0u64; 5];
    for (n, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        *n = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
    }
    Ok(out)
}

/// The number of held articles the settings record, checked against the
/// docs table's own count.
fn held_articles(
    meta: &impl ReadableTable<&'static str, &'static [u8]>,
    docs: &impl ReadableTableMetadata,
    path: &Path,
) -> Result<u64> {
    let held = meta_u64(meta, "articles", path)?;
    let len = docs
        .len()
        .map_err(|e| Error::index("cannot read", path, e))?;
    if len != held {
        return Err(damaged(
            path,
            "table docs",
            format!("it holds {len} articles, the settings record {held}"),
        ));
    }
    Ok(held)
}

/// A held document, its checksum checked.
fn load_doc(
    docs: &impl ReadableTable<u64, &'static [u8]>,
    doc: u64,
    path: &Path,
) -> Result<StoredDoc> {
    let bytes = docs
        .get(doc)
        .map_err(|e| Error::index("cannot read", path, e))?
        .ok_or_else(|| {
            damaged(
                path,
                format!("document {doc}"),
                "it is listed in a lookup table but missing",
            )
        })?;
    decode_doc(bytes.value(), doc, path)
}

/// The held document an id points to, checked to hold that id.
fn load_doc_as(
    docs: &impl ReadableTable<u64, &'static [u8]>,
    doc: u64,
    id: &str,
    path: &Path,
) -> Result<StoredDoc> {
    let stored = load_doc(docs, doc, path)?;
    if stored.id != id {
        return Err(damaged(
            path,
            format!("id {id:?}"),
            format!(
                "the ids table points to document {doc}, which holds id {:?}",
                stored.id
            ),
        ));
    }
    Ok(stored)
}

/// Decodes a sealed document record of document number `doc`.
fn decode_doc(sealed: &[u8], doc: u64, path: &Path) -> Result<StoredDoc> {
    let Some(payload) = unseal(sealed, doc) else {
        return Err(damaged(
            path,
            doc_name(doc, sealed),
            "its checksum does not match its bytes",
        ));
    };
    postcard::from_bytes(payload).map_err(|e| {
        damaged(
            path,
            format!("document {doc}"),
            format!("it cannot be decoded ({e})"),
        )
    })
}

/// A document's number and, when its damaged record still decodes, the id
/// it holds.
fn doc_name(doc: u64, sealed: &[u8]) -> String {
    match postcard::from_bytes::<StoredDoc>(unchecked_payload(sealed)) {
        Ok(d) => format!("document {doc} (id {:?})", d.id),
        Err(_) => format!("document {doc}"),
    }
}

/// The error of a damaged bucket of a lookup table.
fn bucket_damage(path: &Path, t: Lookup, key: u64, reason: impl Into<String>) -> Error {
    damaged(path, format!("{} entry {key:#018x}", t.name()), reason)
}

/// The reason of a bucket whose documents do not match its digest.
fn digest_mismatch(listed: u64, recorded: Digest) -> String {
    format!(
        "its documents do not match its sums ({listed} listed, {} recorded)",
        recorded.count
    )
}

/// The digest of the bucket under `key` from its sums table, or `None`
/// when the chain of entries proves there is none (see
/// [`integrity::SumEntry`]): one lookup either way.
fn find_sums(
    sums: &impl ReadableTable<u64, SealedSums>,
    t: Lookup,
    key: u64,
    path: &Path,
) -> Result<Option<Digest>> {
    let d = sums_at(sums, t, key, path)?.digest(key);
    Ok((d.count > 0).then_some(d))
}

/// The first sums entry at or after `key`, checked: its checksum, and,
/// when it is not `key`'s own, that it names a key below `key` as the one
/// before it (so `key` has no entry).
fn sums_at(
    sums: &impl ReadableTable<u64, SealedSums>,
    t: Lookup,
    key: u64,
    path: &Path,
) -> Result<SumsAt> {
    let at = next_sums(sums, t, key, path)?;
    if at.key != key && (at.key < key || at.entry.before.is_some_and(|b| b >= key)) {
        let reason = format!(
            "its entry is missing (the next one, {:#018x}, says so)",
            at.key
        );
        return Err(bucket_damage(path, t, key, reason));
    }
    Ok(at)
}

/// The first sums entry at or after `key`, its checksum checked.
fn next_sums(
    sums: &impl ReadableTable<u64, SealedSums>,
    t: Lookup,
    key: u64,
    path: &Path,
) -> Result<SumsAt> {
    let read = |e: redb::StorageError| Error::index("cannot read", path, e);
    let Some(next) = sums.range(key..).map_err(read)?.next() else {
        return Err(bucket_damage(path, t, key, "its table has lost its end"));
    };
    let (found, sealed) = next.map_err(read)?;
    let found = found.value();
    let entry = SumEntry::unseal(t, found, sealed.value())
        .ok_or_else(|| bucket_damage(path, t, found, "its sums do not match their checksum"))?;
    Ok(SumsAt { key: found, entry })
}

/// The first sums entry at or after a key.
#[derive(Clone, Copy)]
struct SumsAt {
    key: u64,
    entry: SumEntry,
}

impl SumsAt {
    /// The digest of `key`: the entry's when it is `key`'s own, else empty.
    fn digest(&self, key: u64) -> Digest {
        if self.key == key {
            self.entry.digest
        } else {
            Digest::default()
        }
    }
}

/// A term's document frequency.
fn read_df(sums: &impl ReadableTable<u64, SealedSums>, key: u64, path: &Path) -> Result<u32> {
    let df = find_sums(sums, Lookup::TermDf, key, path)?.map_or(0, |d| d.count);
    u32::try_from(df).map_err(|_| bucket_damage(path, Lookup::TermDf, key, "it is too large"))
}

/// The sums tables of a transaction, in [`Lookup::ALL`] order.
fn open_sums<T>(
    mut open: impl FnMut(TableDefinition<u64, SealedSums>) -> std::result::Result<T, redb::TableError>,
) -> std::result::Result<[T; 5], redb::TableError> {
    let [a, b, c, d, e] = SUMS;
    Ok([open(a)?, open(b)?, open(c)?, open(d)?, open(e)?])
}

/// The single-slot bands of the rare-shingle pass.
fn slot_bands(settings: &IndexSettings) -> LshParams {
    LshParams {
        bands: settings.minhash.num_perm,
        rows: 1,
    }
}

/// Lookups against the index's tables, in a read or a write transaction.
struct Query<'a, D, I, M, S> {
    docs: &'a D,
    ids: &'a I,
    bands: &'a M,
    slots: &'a M,
    content: &'a M,
    postings: &'a M,
    /// The sums tables, in [`Lookup::ALL`] order.
    sums: &'a [S; 5],
    /// Held articles (checked against the docs table).
    held: u64,
    settings: &'a IndexSettings,
    dedup: &'a Deduplicator,
    path: &'a Path,
}

impl<D, I, M, S> Query<'_, D, I, M, S>
where
    D: ReadableTable<u64, &'static [u8]>,
    I: ReadableTable<&'static str, u64>,
    M: ReadableMultimapTable<u64, u64>,
    S: ReadableTable<u64, SealedSums>,
{
    fn table(&self, t: Lookup) -> &M {
        match t {
            Lookup::Content => self.content,
            Lookup::Band => self.bands,
            Lookup::Slot => self.slots,
            Lookup::Posting => self.postings,
            Lookup::TermDf => unreachable!("term_df has sums, not documents"),
        }
    }

    /// Calls `each` with every document filed under `key` in a lookup
    /// table, unless there are more than `limit`; false when there are.
    /// The bucket is checked against its sums entry, which alone tells an
    /// empty bucket.
    fn bucket(&self, t: Lookup, key: u64, limit: u64, mut each: impl FnMut(u64)) -> Result<bool> {
        let Some(recorded) = find_sums(&self.sums[t.slot()], t, key, self.path)? else {
            return Ok(true);
        };
        if recorded.count > limit {
            return Ok(false);
        }
        if recorded.count == 1 {
            each(recorded.sum);
            return Ok(true);
        }
        let values = self.table(t).get(key).map_err(self.err())?;
        let listed = values.len();
        if listed != recorded.count {
            return Err(bucket_damage(
                self.path,
                t,
                key,
                digest_mismatch(listed, recorded),
            ));
        }
        let mut found = Digest::default();
        for v in values {
            let v = v.map_err(self.err())?.value();
            found.add(t, key, v);
            each(v);
        }
        if found != recorded {
            return Err(bucket_damage(
                self.path,
                t,
                key,
                digest_mismatch(listed, recorded),
            ));
        }
        Ok(true)
    }

    /// The document an id points to, if any, checked to hold that id.
    fn own_doc(&self, id: &str) -> Result<Option<(u64, StoredDoc)>> {
        let Some(doc) = self.ids.get(id).map_err(self.err())?.map(|g| g.value()) else {
            return Ok(None);
        };
        Ok(Some((doc, load_doc_as(self.docs, doc, id, self.path)?)))
    }

    /// An error unless a document found by lookup, not through the ids
    /// table, holds another id than the incoming article's.
    fn other_id(&self, doc: u64, stored: &StoredDoc, id: &str) -> Result<()> {
        if stored.id == id {
            return Err(damaged(
                self.path,
                format!("id {id:?}"),
                format!("document {doc} holds it but the ids table does not point to it"),
            ));
        }
        Ok(())
    }

    /// Held articles on the same event as each row that is not a copy.
    fn same_events(
        &self,
        batch: &DedupOutcome,
        verdicts: &[Verdict],
        terms: &[Vec<(u64, u8, u32)>],
        events: Option<EventQuery>,
    ) -> Result<Vec<Vec<EventMatch>>> {
        let table = &batch.table;
        let mut out = vec![Vec::new(); table.len()];
        let Some(events) = events else {
            return Ok(out);
        };
        let docs = self.held;
        let mut df_cache: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
        let mut df = |key: u64| -> Result<u32> {
            if let Some(&v) = df_cache.get(&key) {
                return Ok(v);
            }
            let v = read_df(&self.sums[Lookup::TermDf.slot()], key, self.path)?;
            df_cache.insert(key, v);
            Ok(v)
        };
        for row in 0..table.len() as u32 {
            if verdicts[row as usize] != Verdict::Clean {
                continue;
            }
            let id = table.id(row);
            let own = self.own_doc(id)?.map(|(doc, _)| doc);
            let day = table.published(row).and_then(day_number);
            // The collection is the held articles and this one, as if they
            // were one batch: `cluster` would give the same vectors.
            let own_terms = &terms[row as usize];
            let vector = event_vector(
                own_terms,
                |k| Ok(u64::from(df(k)?) + 1),
                docs + 1,
                &events.vectors,
            )?;
            let has = |k: u64| u64::from(own_terms.binary_search_by_key(&k, |t| t.0).is_ok());
            // Candidates: held articles filed under this article's heaviest terms.
            let mut shared: std::collections::BTreeMap<u64, u32> =
                std::collections::BTreeMap::new();
            for key in posted_terms(&vector) {
                self.bucket(Lookup::Posting, key, MAX_POSTINGS, |d| {
                    *shared.entry(d).or_default() += 1;
                })?;
            }
            let mut matches = Vec::new();
            for (&doc, _) in shared.iter().filter(|&(&d, _)| Some(d) != own) {
                let held = load_doc(self.docs, doc, self.path)?;
                self.other_id(doc, &held, id)?;
                if let (Some(w), Some(a), Some(b)) = (events.window_days, day, held.day) {
                    if (a - b).unsigned_abs() > w {
                        continue;
                    }
                }
                let held_vector = event_vector(
                    &held.terms,
                    |k| Ok(u64::from(df(k)?) + has(k)),
                    docs + 1,
                    &events.vectors,
                )?;
                let sim = vector.cosine(&held_vector);
                if sim >= events.threshold {
                    matches.push((sim, doc, held));
                }
            }
            matches.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            out[row as usize] = matches
                .into_iter()
                .take(EVENT_MATCHES)
                .map(|(sim, _, d)| EventMatch {
                    held: d.held(),
                    similarity: round4(f64::from(sim)),
                })
                .collect();
        }
        Ok(out)
    }

    fn err(&self) -> impl Fn(redb::StorageError) -> Error + '_ {
        move |e| Error::index("cannot read", self.path, e)
    }

    /// The verdict on every row: a copy of a held article first, else a
    /// copy of the incoming article its batch group kept, else clean.
    fn verdicts(&self, batch: &DedupOutcome, progress: &dyn Progress) -> Result<Vec<Verdict>> {
        let table = &batch.table;
        let mut out = Vec::with_capacity(table.len());
        for row in 0..table.len() as u32 {
            let mut own_doc = None;
            if let Some((doc, stored)) = self.own_doc(table.id(row))? {
                if stored.content_hash == table.content_hash(row) {
                    out.push(Verdict::AlreadyHeld);
                    progress.advance(1);
                    continue;
                }
                own_doc = Some(doc);
            }
            let mut candidates = self.candidates(table, row)?;
            if let Some(doc) = own_doc {
                candidates.remove(&doc);
            }
            let verdict = match self.best_held(table, row, &candidates)? {
                Some((held, o)) => Verdict::CopyOfHeld {
                    held,
                    similarity: round4(o.jaccard),
                    containment: round4(o.containment),
                },
                None => match batch.duplicate_of(row) {
                    Some((rep, m)) => Verdict::CopyOfIncoming {
                        row: rep,
                        similarity: m.similarity,
                        containment: m.containment,
                    },
                    None => Verdict::Clean,
                },
            };
            out.push(verdict);
            progress.advance(1);
        }
        Ok(out)
    }

    /// Held documents sharing a band, a rare slot or the cleaned text with a row.
    fn candidates(&self, table: &ArticleTable, row: u32) -> Result<BTreeSet<u64>> {
        let mut out = BTreeSet::new();
        let mut add = |d| {
            out.insert(d);
        };
        self.bucket(Lookup::Content, table.content_hash(row), u64::MAX, &mut add)?;
        if table.set_size(row) == 0 {
            return Ok(out);
        }
        let slots = table.slots(row);
        let lsh = self.settings.lsh;
        for b in 0..lsh.bands {
            self.bucket(Lookup::Band, lsh.band_key(slots, b), u64::MAX, &mut add)?;
        }
        if self.settings.rare_bucket >= 2 {
            let single = slot_bands(self.settings);
            // The incoming article makes one more in the bucket.
            let limit = self.settings.rare_bucket as u64 - 1;
            for b in 0..single.bands {
                self.bucket(Lookup::Slot, single.band_key(slots, b), limit, &mut add)?;
            }
        }
        Ok(out)
    }

    /// The most similar verified copy among the candidates.
    fn best_held(
        &self,
        table: &ArticleTable,
        row: u32,
        candidates: &BTreeSet<u64>,
    ) -> Result<Option<(HeldArticle, Overlap)>> {
        if candidates.is_empty() {
            return Ok(None);
        }
        let docs: Vec<StoredDoc> = candidates
            .iter()
            .map(|&d| load_doc(self.docs, d, self.path))
            .collect::<Result<_>>()?;
        for (&doc, stored) in candidates.iter().zip(&docs) {
            self.other_id(doc, stored, table.id(row))?;
        }
        let Compact { set, order } = table.shingles_with_order(row);
        table.store_health()?;
        let slots = table.slots(row);
        let hash = table.content_hash(row);
        let size = table.set_size(row);
        let verified: Vec<Option<Overlap>> = docs
            .par_iter()
            .map(|d| {
                let exact = d.content_hash == hash;
                let agreeing = agreeing_slots(&d.slots, slots);
                if !self
                    .dedup
                    .worth_reading_sizes(exact, agreeing, size, d.set_size)
                {
                    return None;
                }
                self.dedup.judge_read_pair(exact, size, d.set_size, || {
                    shared_in_order(&set, &order, &d.set(), &d.order)
                })
            })
            .collect();
        let mut best: Option<(usize, Overlap)> = None;
        for (i, o) in verified.into_iter().enumerate() {
            if let Some(o) = o {
                if best.is_none_or(|(_, b)| o.jaccard > b.jaccard) {
                    best = Some((i, o));
                }
            }
        }
        Ok(best.map(|(i, o)| (docs[i].held(), o)))
    }
}

/// The event terms of every row of a signed batch (one more pass over it).
fn batch_terms(
    corpus: &Corpus,
    batch: &DedupOutcome,
    settings: &IndexSettings,
    progress: &dyn Progress,
) -> Result<Vec<Vec<(u64, u8, u32)>>> {
    let boilerplate = settings.dedup_config(OnError::Skip).boilerplate;
    let mut out = vec![Vec::new(); batch.table.len()];
    progress.begin(Stage::Vectors, Some(corpus.total_bytes()));
    // No corpus line frequencies: a batch is too small to learn them, and
    // held articles must weigh the same whichever batch brought them.
    batch.map_rows(
        corpus,
        progress,
        |_| true,
        |_, article| {
            article_terms(&article, &boilerplate, None)
                .0
                .into_iter()
                .map(|t| (t.key, t.kind.code(t.in_title), t.count))
                .collect::<Vec<_>>()
        },
        |row, terms| {
            out[row as usize] = terms;
            Ok(())
        },
    )?;
    progress.end();
    Ok(out)
}

/// A normalized event vector (sorted by term key) from stored terms, in a
/// collection of `docs` articles where `df` gives each term's document
/// frequency ([`VectorConfig::vector`]: the weighting of `cluster`).
fn event_vector(
    terms: &[(u64, u8, u32)],
    mut df: impl FnMut(u64) -> Result<u64>,
    docs: u64,
    config: &VectorConfig,
) -> Result<EventVector> {
    let mut rows = Vec::with_capacity(terms.len());
    for &(key, code, count) in terms {
        let (kind, in_title) = TermKind::decode(code);
        rows.push((key, key, kind, in_title, count, docs, df(key)?));
    }
    let (keys, weights) = config.vector(rows.into_iter());
    Ok(EventVector { keys, weights })
}

/// An event vector keyed by term hash.
struct EventVector {
    keys: Vec<u64>,
    weights: Vec<f32>,
}

impl EventVector {
    fn cosine(&self, other: &EventVector) -> f32 {
        sparse_dot(&self.keys, &self.weights, &other.keys, &other.weights)
    }
}

/// The heaviest terms of a vector, the ones filed in and looked up by postings.
fn posted_terms(vector: &EventVector) -> Vec<u64> {
    let mut v: Vec<(u64, f32)> = vector
        .keys
        .iter()
        .copied()
        .zip(vector.weights.iter().copied())
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(POSTED_TERMS);
    let mut keys: Vec<u64> = v.into_iter().map(|(k, _)| k).collect();
    keys.sort_unstable();
    keys
}

enum Put {
    Added,
    Unchanged,
    Replaced,
}

/// Runs `f` in one write transaction and commits it when `f` succeeds;
/// on an error nothing is written.
fn in_transaction<T>(
    db: &Database,
    path: &Path,
    settings: &IndexSettings,
    f: impl FnOnce(&mut Writer<'_>) -> Result<T>,
) -> Result<T> {
    let e = |x: redb::Error| Error::index("cannot write", path, x);
    let txn = db.begin_write().map_err(|x| e(x.into()))?;
    let out = {
        let meta = txn.open_table(META).map_err(|x| e(x.into()))?;
        let docs = txn.open_table(DOCS).map_err(|x| e(x.into()))?;
        let mut w = Writer {
            path,
            settings,
            next_doc: meta_u64(&meta, "next_doc", path)?,
            held: held_articles(&meta, &docs, path)?,
            entries: meta_entries(&meta, path)?,
            meta,
            docs,
            ids: txn.open_table(IDS).map_err(|x| e(x.into()))?,
            bands: txn.open_multimap_table(BANDS).map_err(|x| e(x.into()))?,
            slots: txn.open_multimap_table(SLOTS).map_err(|x| e(x.into()))?,
            content: txn.open_multimap_table(CONTENT).map_err(|x| e(x.into()))?,
            postings: txn.open_multimap_table(POSTINGS).map_err(|x| e(x.into()))?,
            sums: open_sums(|def| txn.open_table(def)).map_err(|x| e(x.into()))?,
        };
        let out = f(&mut w)?;
        w.finish()?;
        out
    };
    txn.commit().map_err(|x| e(x.into()))?;
    Ok(out)
}

/// The tables of one write transaction.
struct Writer<'t> {
    path: &'t Path,
    settings: &'t IndexSettings,
    next_doc: u64,
    /// Held articles: checked against the docs table when the transaction
    /// starts and ends.
    held: u64,
    /// Entries of each lookup table, in [`Lookup::ALL`] order.
    entries: [u64; 5],
    meta: redb::Table<'t, &'static str, &'static [u8]>,
    docs: redb::Table<'t, u64, &'static [u8]>,
    ids: redb::Table<'t, &'static str, u64>,
    bands: redb::MultimapTable<'t, u64, u64>,
    slots: redb::MultimapTable<'t, u64, u64>,
    content: redb::MultimapTable<'t, u64, u64>,
    postings: redb::MultimapTable<'t, u64, u64>,
    /// The sums tables, in [`Lookup::ALL`] order.
    sums: [redb::Table<'t, u64, SealedSums>; 5],
}

impl<'t> Writer<'t> {
    /// Adds (or replaces) one row of a signed batch.
    fn put(
        &mut self,
        table: &ArticleTable,
        row: u32,
        terms: Vec<(u64, u8, u32)>,
        replace: bool,
    ) -> Result<Put> {
        let id = table.id(row);
        let existing = self
            .ids
            .get(id)
            .map_err(write_err(self.path))?
            .map(|g| g.value());
        let mut put = Put::Added;
        if let Some(doc) = existing {
            let stored = load_doc_as(&self.docs, doc, id, self.path)?;
            if stored.content_hash == table.content_hash(row) {
                return Ok(Put::Unchanged);
            }
            if !replace {
                return Err(Error::IdConflict {
                    location: table.location(row).clone(),
                    id: id.to_string(),
                });
            }
            self.unlink(doc, &stored)?;
            put = Put::Replaced;
        }
        let doc = self.next_doc;
        self.next_doc += 1;
        let mut stored = StoredDoc::from_row(table, row, terms);
        table.store_health()?;
        // Document frequencies first: the posted terms are weighted with them.
        let mut dfs = std::collections::HashMap::with_capacity(stored.terms.len());
        for &(key, _, _) in &stored.terms {
            let df = self.count_term(key, true)?;
            dfs.insert(key, df);
        }
        self.held += 1;
        // Postings are filed under the heaviest terms by the default
        // weighting (boosts given to `check` change the query, not the file).
        let vector = event_vector(
            &stored.terms,
            |k| Ok(u64::from(dfs[&k])),
            self.held,
            &VectorConfig::default(),
        )?;
        stored.posted = posted_terms(&vector);
        self.insert_doc(doc, &stored)?;
        self.ids.insert(id, doc).map_err(write_err(self.path))?;
        for (t, key) in doc_keys(self.settings, &stored) {
            self.file(t, key, doc)?;
        }
        Ok(put)
    }

    /// Stores a document record, sealed with its number.
    fn insert_doc(&mut self, doc: u64, stored: &StoredDoc) -> Result<()> {
        let bytes = postcard::to_allocvec(stored).map_err(|e| Error::NotAnIndex {
            path: self.path.into(),
            reason: format!("cannot encode document {doc} ({e})"),
        })?;
        let before = self
            .docs
            .insert(doc, seal(bytes, doc).as_slice())
            .map_err(write_err(self.path))?
            .is_some();
        if before {
            return Err(damaged(
                self.path,
                format!("document {doc}"),
                "it exists though the document counter says it is new",
            ));
        }
        Ok(())
    }

    /// Removes the article with this id; false when there is none.
    fn remove_id(&mut self, id: &str) -> Result<bool> {
        let Some(doc) = self
            .ids
            .get(id)
            .map_err(write_err(self.path))?
            .map(|g| g.value())
        else {
            return Ok(false);
        };
        let stored = load_doc_as(&self.docs, doc, id, self.path)?;
        self.unlink(doc, &stored)?;
        Ok(true)
    }

    fn unlink(&mut self, doc: u64, stored: &StoredDoc) -> Result<()> {
        for (t, key) in doc_keys(self.settings, stored) {
            self.unfile(t, key, doc)?;
        }
        for &(key, _, _) in &stored.terms {
            self.count_term(key, false)?;
        }
        self.docs.remove(doc).map_err(write_err(self.path))?;
        let listed = self
            .ids
            .remove(stored.id.as_str())
            .map_err(write_err(self.path))?
            .map(|g| g.value());
        if listed != Some(doc) {
            return Err(damaged(
                self.path,
                format!("id {:?}", stored.id),
                format!("document {doc} holds it but the ids table does not point to it"),
            ));
        }
        self.held -= 1;
        Ok(())
    }

    /// Writes the counters and checks the held count against the docs table.
    fn finish(&mut self) -> Result<()> {
        for (key, value) in [("next_doc", self.next_doc), ("articles", self.held)] {
            self.meta
                .insert(key, sealed_u64(key, value).as_slice())
                .map_err(write_err(self.path))?;
        }
        self.meta
            .insert("entries", sealed_entries(self.entries).as_slice())
            .map_err(write_err(self.path))?;
        held_articles(&self.meta, &self.docs, self.path).map(|_| ())
    }

    /// The bucket table of one kind of key.
    fn buckets(&mut self, t: Lookup) -> &mut redb::MultimapTable<'t, u64, u64> {
        match t {
            Lookup::Band => &mut self.bands,
            Lookup::Slot => &mut self.slots,
            Lookup::Content => &mut self.content,
            Lookup::Posting => &mut self.postings,
            Lookup::TermDf => unreachable!("term_df has sums, not documents"),
        }
    }

    /// Files `doc` under `key` in a lookup table. A lone document is kept
    /// in the sums entry itself; from two on, the bucket is in the multimap.
    fn file(&mut self, t: Lookup, key: u64, doc: u64) -> Result<()> {
        let at = self.sums_at(t, key)?;
        let old = at.digest(key);
        let new = match old.count {
            0 => Digest::lone(doc),
            1 => {
                let lone = old.sum;
                self.check_len(t, key, Digest::default())?;
                self.insert_member(t, key, lone)?;
                self.insert_member(t, key, doc)?;
                Digest::of(t, key, [lone, doc])
            }
            _ => {
                self.check_len(t, key, old)?;
                self.insert_member(t, key, doc)?;
                let mut d = old;
                d.add(t, key, doc);
                d
            }
        };
        self.set_sums(t, key, at, new)
    }

    /// Takes `doc` out of the bucket under `key`.
    fn unfile(&mut self, t: Lookup, key: u64, doc: u64) -> Result<()> {
        let at = self.sums_at(t, key)?;
        let old = at.digest(key);
        let missing = || {
            let reason = format!("document {doc} is missing from it");
            bucket_damage(self.path, t, key, reason)
        };
        let new = match old.count {
            0 => return Err(missing()),
            1 if old.sum == doc => Digest::default(),
            1 => return Err(missing()),
            _ => {
                self.check_len(t, key, old)?;
                self.remove_member(t, key, doc)?;
                let mut d = old;
                d.remove(t, key, doc);
                if d.count == 1 {
                    self.last_member(t, key, d)?
                } else {
                    d
                }
            }
        };
        self.set_sums(t, key, at, new)
    }

    /// Moves the one document left in a multimap bucket into its sums.
    fn last_member(&mut self, t: Lookup, key: u64, left: Digest) -> Result<Digest> {
        let path = self.path;
        let members: Vec<u64> = self
            .buckets(t)
            .get(key)
            .map_err(write_err(path))?
            .map(|v| v.map(|g| g.value()))
            .collect::<std::result::Result<_, _>>()
            .map_err(write_err(path))?;
        let [lone] = members[..] else {
            return Err(bucket_damage(
                path,
                t,
                key,
                digest_mismatch(members.len() as u64, left),
            ));
        };
        if Digest::of(t, key, [lone]) != left {
            return Err(bucket_damage(path, t, key, digest_mismatch(1, left)));
        }
        self.remove_member(t, key, lone)?;
        Ok(Digest::lone(lone))
    }

    fn insert_member(&mut self, t: Lookup, key: u64, doc: u64) -> Result<()> {
        let path = self.path;
        if self.buckets(t).insert(key, doc).map_err(write_err(path))? {
            let reason = format!("document {doc} is in it already");
            return Err(bucket_damage(path, t, key, reason));
        }
        Ok(())
    }

    fn remove_member(&mut self, t: Lookup, key: u64, doc: u64) -> Result<()> {
        let path = self.path;
        if !self.buckets(t).remove(key, doc).map_err(write_err(path))? {
            let reason = format!("document {doc} is missing from it");
            return Err(bucket_damage(path, t, key, reason));
        }
        Ok(())
    }

    /// An error unless the multimap bucket under `key` holds as many
    /// documents as its sums say (reading every one would make adding to a
    /// large bucket slow).
    fn check_len(&mut self, t: Lookup, key: u64, recorded: Digest) -> Result<()> {
        let path = self.path;
        let listed = self.buckets(t).get(key).map_err(write_err(path))?.len();
        if listed != recorded.count {
            return Err(bucket_damage(
                path,
                t,
                key,
                digest_mismatch(listed, recorded),
            ));
        }
        Ok(())
    }

    fn sums_at(&self, t: Lookup, key: u64) -> Result<SumsAt> {
        sums_at(&self.sums[t.slot()], t, key, self.path)
    }

    /// Writes the digest of `key`, found as `at` by [`sums_at`]: a
    /// new key's entry goes between the one found and the one before it; an
    /// emptied key's entry goes, and the next one is relinked.
    fn set_sums(&mut self, t: Lookup, key: u64, at: SumsAt, digest: Digest) -> Result<()> {
        let n = &mut self.entries[t.slot()];
        *n = (*n + digest.count).wrapping_sub(at.digest(key).count);
        let before = at.entry.before;
        if at.key != key {
            self.put_sums(t, key, SumEntry { digest, before })?;
            return self.put_sums(
                t,
                at.key,
                SumEntry {
                    before: Some(key),
                    ..at.entry
                },
            );
        }
        if digest.count > 0 || key == END {
            return self.put_sums(t, key, SumEntry { digest, before });
        }
        self.sums[t.slot()]
            .remove(key)
            .map_err(write_err(self.path))?;
        let next = next_sums(&self.sums[t.slot()], t, key, self.path)?;
        if next.entry.before != Some(key) {
            let reason = format!("the entry after it, {:#018x}, does not name it", next.key);
            return Err(bucket_damage(self.path, t, key, reason));
        }
        self.put_sums(
            t,
            next.key,
            SumEntry {
                before,
                ..next.entry
            },
        )
    }

    fn put_sums(&mut self, t: Lookup, key: u64, entry: SumEntry) -> Result<()> {
        self.sums[t.slot()]
            .insert(key, entry.seal(t, key))
            .map_err(write_err(self.path))?;
        Ok(())
    }

    /// One more (or one fewer) held article with a term; the new count.
    fn count_term(&mut self, key: u64, more: bool) -> Result<u32> {
        let t = Lookup::TermDf;
        let at = self.sums_at(t, key)?;
        let mut d = at.digest(key);
        d.count = match (more, d.count) {
            (true, n) => n + 1,
            (false, 0) => {
                let reason = "an article has the term but none is counted";
                return Err(bucket_damage(self.path, t, key, reason));
            }
            (false, n) => n - 1,
        };
        let df = u32::try_from(d.count)
            .map_err(|_| bucket_damage(self.path, t, key, "it is too large"))?;
        self.set_sums(t, key, at, d)?;
        Ok(df)
    }
}

/// Every lookup entry of a document: its bucket keys and posted terms.
fn doc_keys(settings: &IndexSettings, d: &StoredDoc) -> Vec<(Lookup, u64)> {
    let mut out = vec![(Lookup::Content, d.content_hash)];
    out.extend(d.posted.iter().map(|&k| (Lookup::Posting, k)));
    if d.set_size == 0 {
        return out;
    }
    let lsh = settings.lsh;
    out.extend((0..lsh.bands).map(|b| (Lookup::Band, lsh.band_key(&d.slots, b))));
    if settings.rare_bucket >= 2 {
        let single = slot_bands(settings);
        out.extend((0..single.bands).map(|b| (Lookup::Slot, single.band_key(&d.slots, b))));
    }
    // A bucket holds a document once, however many of its keys coincide.
    out.sort_unstable();
    out.dedup();
    out
}

fn write_err(path: &Path) -> impl Fn(redb::StorageError) -> Error + '_ {
    move |e| Error::index("cannot write", path, e)
}

/// Counts of a check, for summaries and exit codes.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct CheckSummary {
    /// Records read (parsed and rejected).
    pub checked: usize,
    pub copies_of_held: usize,
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
                Verdict::CopyOfIncoming { .. } => s.copies_in_batch += 1,
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;
    use crate::InputSpec;

    const HAMBURG: &str = "002_a4d316c33a6c514d";

    fn corpus(path: &Path) -> Corpus {
        Corpus::open(&[InputSpec::parse(path.to_str().unwrap())]).unwrap()
    }

    fn testdata(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(rel)
    }

    /// A closed index of the five seeds.
    fn seeded(dir: &Path) -> PathBuf {
        let db = dir.join("seeds.db");
        let index = Index::create(&db, &DedupConfig::default()).unwrap();
        let seeds = corpus(&testdata("seeds.jsonl"));
        index.add(&seeds, BatchOptions::default(), &Silent).unwrap();
        db
    }

    /// The number and record of the held article `id`.
    fn record_of(db: &Path, id: &str) -> (u64, StoredDoc, Vec<u8>) {
        let database = Database::open(db).unwrap();
        let txn = database.begin_read().unwrap();
        let doc = txn
            .open_table(IDS)
            .unwrap()
            .get(id)
            .unwrap()
            .unwrap()
            .value();
        let docs = txn.open_table(DOCS).unwrap();
        let sealed = docs.get(doc).unwrap().unwrap().value().to_vec();
        let stored = postcard::from_bytes(unchecked_payload(&sealed)).unwrap();
        (doc, stored, sealed)
    }

    /// Checks `incoming` against the index; the error, if any.
    fn check_error(db: &Path, incoming: &Path) -> Option<Error> {
        let index = Index::open(db, Access::Read).unwrap();
        let batch = corpus(incoming);
        let options = BatchOptions::default();
        index.check(&batch, false, None, options, &Silent).err()
    }

    #[test]
    fn a_changed_title_in_a_record_is_an_error_naming_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let db = seeded(dir.path());
        let (doc, _, sealed) = record_of(&db, HAMBURG);
        let incoming = testdata("incoming.jsonl");
        assert!(check_error(&db, &incoming).is_none());
        // "breakthrough" → "breakthraugh" in the one copy of the record.
        let mut bytes = std::fs::read(&db).unwrap();
        let at = bytes
            .windows(sealed.len())
            .position(|w| w == sealed.as_slice())
            .unwrap();
        let title = sealed
            .windows(12)
            .position(|w| w == b"breakthrough")
            .unwrap();
        bytes[at + title + 9] = b'a';
        std::fs::write(&db, bytes).unwrap();
        // The first incoming article is a copy of it: loading it fails.
        let (record, reason) = damaged_record(check_error(&db, &incoming));
        assert_eq!(record, format!("document {doc} (id \"{HAMBURG}\")"));
        assert!(reason.contains("checksum"), "{reason}");
        let report = Index::open(&db, Access::Read).unwrap().verify().unwrap();
        assert_eq!(report.damage.len(), 1, "{:?}", report.damage);
        assert_eq!(report.articles, 5);
    }

    /// A file holding the Hamburg seed's text again under `id`.
    fn hamburg_again(dir: &Path, id: &str) -> PathBuf {
        let seeds = std::fs::read_to_string(testdata("seeds.jsonl")).unwrap();
        let line = seeds.lines().find(|l| l.contains(HAMBURG)).unwrap();
        let path = dir.join(format!("{id}.jsonl"));
        std::fs::write(&path, line.replace(HAMBURG, id) + "\n").unwrap();
        path
    }

    /// Changes the file with redb directly, as another program could.
    fn rewrite(db: &Path, f: impl FnOnce(&redb::WriteTransaction)) {
        let database = Database::open(db).unwrap();
        let txn = database.begin_write().unwrap();
        f(&txn);
        txn.commit().unwrap();
    }

    fn damaged_record(e: Option<Error>) -> (String, String) {
        match e {
            Some(Error::DamagedRecord { record, reason, .. }) => (record, reason),
            other => panic!("expected a damaged record, got {other:?}"),
        }
    }

    #[test]
    fn a_lost_sums_entry_is_an_error_when_its_key_is_looked_up() {
        let dir = tempfile::tempdir().unwrap();
        let db = seeded(dir.path());
        let (_, stored, _) = record_of(&db, HAMBURG);
        // Found by its content hash (and by every band).
        let again = hamburg_again(dir.path(), "again-1");
        assert!(check_error(&db, &again).is_none());
        let hash = stored.content_hash;
        rewrite(&db, |txn| {
            let mut sums = txn.open_table(CONTENT_SUMS).unwrap();
            assert!(sums.remove(hash).unwrap().is_some());
        });
        let (record, reason) = damaged_record(check_error(&db, &again));
        assert_eq!(record, format!("content entry {hash:#018x}"));
        assert!(reason.contains("its entry is missing"), "{reason}");
        let report = Index::open(&db, Access::Read).unwrap().verify().unwrap();
        let lines: Vec<String> = report.damage.iter().map(ToString::to_string).collect();
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert!(lines[0].contains(&format!("it names {hash:#018x} as the entry before it")));
        assert!(
            lines[1].contains("its content entries do not match its record (1 expected, 0 found)")
        );
        assert_eq!(
            lines[2],
            "setting entries: it records 5 content entries, 4 were read"
        );
    }

    #[test]
    fn a_lost_member_of_a_shared_bucket_is_an_error_when_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let db = seeded(dir.path());
        let (doc, stored, _) = record_of(&db, HAMBURG);
        // The same text under a second id: a content bucket of two.
        let index = Index::open(&db, Access::Write { wait: None }).unwrap();
        let again = corpus(&hamburg_again(dir.path(), "again-1"));
        index.add(&again, BatchOptions::default(), &Silent).unwrap();
        drop(index);
        let third = hamburg_again(dir.path(), "again-2");
        assert!(check_error(&db, &third).is_none());
        let hash = stored.content_hash;
        rewrite(&db, |txn| {
            let mut content = txn.open_multimap_table(CONTENT).unwrap();
            assert!(content.remove(hash, doc).unwrap());
        });
        let (record, reason) = damaged_record(check_error(&db, &third));
        assert_eq!(record, format!("content entry {hash:#018x}"));
        assert!(reason.contains("(1 listed, 2 recorded)"), "{reason}");
        let report = Index::open(&db, Access::Read).unwrap().verify().unwrap();
        let lines: Vec<String> = report.damage.iter().map(ToString::to_string).collect();
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert!(lines[0].ends_with("its documents do not match its sums (1 listed, 2 recorded)"));
    }

    #[test]
    fn buckets_and_sums_stay_consistent_through_adds_and_removals() {
        let dir = tempfile::tempdir().unwrap();
        let db = seeded(dir.path());
        let index = Index::open(&db, Access::Write { wait: None }).unwrap();
        let intact = |expected: u64| {
            let report = index.verify().unwrap();
            assert!(report.damage.is_empty(), "{:?}", report.damage);
            assert_eq!(report.articles, expected);
        };
        intact(5);
        // The Hamburg text under two more ids: its buckets grow from one
        // document (kept in the sums) to three (in the multimaps).
        for id in ["again-1", "again-2"] {
            let batch = corpus(&hamburg_again(dir.path(), id));
            index.add(&batch, BatchOptions::default(), &Silent).unwrap();
        }
        intact(7);
        // And shrink back: three, two, one (back into the sums), none.
        for (id, left) in [("again-1", 6), (HAMBURG, 5), ("again-2", 4)] {
            assert_eq!(index.remove(&[id.to_string()]).unwrap(), 1);
            intact(left);
        }
        // A replaced article takes its old entries with it.
        let replaced = dir.path().join("replaced.jsonl");
        let line = r#"{"id": "003_3789953b1d177a1f", "text": "Something else entirely.\nIt shares nothing."}"#;
        std::fs::write(&replaced, format!("{line}\n")).unwrap();
        let options = BatchOptions {
            replace: true,
            ..BatchOptions::default()
        };
        let outcome = index.add(&corpus(&replaced), options, &Silent).unwrap();
        assert_eq!(outcome.replaced, 1);
        intact(4);
        let all: Vec<String> = [
            "000_5a47302b29b28574",
            "001_cce7f1ca9dc3f8ab",
            "003_3789953b1d177a1f",
            "004_8b6f9af4d72396b3",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(index.remove(&all).unwrap(), 4);
        intact(0);
    }

    #[test]
    fn an_id_pointing_to_another_document_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let db = seeded(dir.path());
        let (doc, _, _) = record_of(&db, HAMBURG);
        rewrite(&db, |txn| {
            txn.open_table(IDS)
                .unwrap()
                .insert(HAMBURG, doc ^ 1)
                .unwrap();
        });
        // The held article itself: its id now names another document.
        let seeds = testdata("seeds.jsonl");
        let (record, reason) = damaged_record(check_error(&db, &seeds));
        assert_eq!(record, format!("id \"{HAMBURG}\""));
        assert!(
            reason.contains(&format!("document {}", doc ^ 1)),
            "{reason}"
        );
    }
}
