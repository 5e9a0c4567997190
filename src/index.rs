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

use crate::boilerplate::BoilerplateConfig;
use crate::dedup::{DedupConfig, DedupOutcome, Deduplicator, OnError};
use crate::error::{Error, Result};
use crate::ingest::Corpus;
use crate::lsh::LshParams;
use crate::minhash::{agreeing_slots, MinHashParams};
use crate::progress::{Progress, Stage};
use crate::store::{shared_in_order, Compact};
use crate::table::{ArticleTable, Overlap};
use crate::vectors::{TermKind, VectorConfig};

/// The on-disk format this build reads and writes.
pub const FORMAT_VERSION: u32 = 2;
const FORMAT_NAME: &[u8] = b"newsdedup-index";
/// The first bytes of every redb file.
const REDB_MAGIC: [u8; 9] = [b'r', b'e', b'd', b'b', 0x1A, 0x0A, 0xA9, 0x0D, 0x0A];
const CACHE_BYTES: usize = 256 << 20;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Document number → postcard-encoded [`StoredDoc`].
const DOCS: TableDefinition<u64, &[u8]> = TableDefinition::new("docs");
/// Article id → document number.
const IDS: TableDefinition<&str, u64> = TableDefinition::new("ids");
/// LSH band key → document numbers.
const BANDS: MultimapTableDefinition<u64, u64> = MultimapTableDefinition::new("bands");
/// Single-slot key (for the rare-shingle pass) → document numbers.
const SLOTS: MultimapTableDefinition<u64, u64> = MultimapTableDefinition::new("slots");
/// Hash of the cleaned text → document numbers (exact copies, even empty ones).
const CONTENT: MultimapTableDefinition<u64, u64> = MultimapTableDefinition::new("content");

/// Event term key → number of held articles with the term.
const TERM_DF: TableDefinition<u64, u32> = TableDefinition::new("term_df");
/// Event term key → held articles among whose heaviest terms it is.
const POSTINGS: MultimapTableDefinition<u64, u64> = MultimapTableDefinition::new("postings");

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
            keep: crate::groups::KeepRule::First,
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
    /// [`crate::store::Compact`]).
    order: Vec<u32>,
    /// Event terms: key, kind (0 word, 1 name, 2 number; +4 in the title), count.
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
}

impl Default for EventQuery {
    fn default() -> Self {
        EventQuery {
            threshold: 0.2,
            window_days: Some(7),
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
                ("settings", settings_json),
                ("next_doc", 0u64.to_le_bytes().to_vec()),
            ] {
                meta.insert(key, value.as_slice())
                    .map_err(|e| Error::index("cannot write", path, e))?;
            }
            txn.open_table(DOCS)
                .map_err(|e| Error::index("cannot write", path, e))?;
            txn.open_table(IDS)
                .map_err(|e| Error::index("cannot write", path, e))?;
            txn.open_table(TERM_DF)
                .map_err(|e| Error::index("cannot write", path, e))?;
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
        let bands = txn.open_multimap_table(BANDS).map_err(|x| e(x.into()))?;
        let slots = txn.open_multimap_table(SLOTS).map_err(|x| e(x.into()))?;
        let mut stored_bytes = 0;
        for s in [
            docs.stats().map_err(|x| e(x.into()))?,
            txn.open_table(IDS)
                .map_err(|x| e(x.into()))?
                .stats()
                .map_err(|x| e(x.into()))?,
            bands.stats().map_err(|x| e(x.into()))?,
            slots.stats().map_err(|x| e(x.into()))?,
            txn.open_multimap_table(CONTENT)
                .map_err(|x| e(x.into()))?
                .stats()
                .map_err(|x| e(x.into()))?,
        ] {
            stored_bytes += s.stored_bytes() + s.metadata_bytes() + s.fragmented_bytes();
        }
        let file_bytes = std::fs::metadata(&self.path)
            .map_err(|x| Error::io("cannot read", &self.path, x))?
            .len();
        Ok(IndexStats {
            format_version: FORMAT_VERSION,
            settings: self.settings.clone(),
            articles: docs.len().map_err(|x| e(x.into()))?,
            band_entries: bands.len().map_err(|x| e(x.into()))?,
            slot_entries: slots.len().map_err(|x| e(x.into()))?,
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
                    term_df: &w.term_df,
                    postings: &w.postings,
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
            let q = Query {
                docs: &txn.open_table(DOCS).map_err(|x| e(x.into()))?,
                ids: &txn.open_table(IDS).map_err(|x| e(x.into()))?,
                bands: &txn.open_multimap_table(BANDS).map_err(|x| e(x.into()))?,
                slots: &txn.open_multimap_table(SLOTS).map_err(|x| e(x.into()))?,
                content: &txn.open_multimap_table(CONTENT).map_err(|x| e(x.into()))?,
                term_df: &txn.open_table(TERM_DF).map_err(|x| e(x.into()))?,
                postings: &txn.open_multimap_table(POSTINGS).map_err(|x| e(x.into()))?,
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

/// Runs `f`, turning a panic inside redb (which a damaged file can cause:
/// redb trusts pages it wrote) into [`Error::NotAnIndex`]. Unwinding drops
/// any open write transaction, so nothing is committed.
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown failure".into());
            Err(Error::NotAnIndex {
                path: path.into(),
                reason: format!("the file is damaged (reading it failed: {message})"),
            })
        }
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
    let deadline = wait.map(|w| Instant::now() + w);
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
    serde_json::from_slice(&settings)
        .map_err(|e| not_index(format!("its settings cannot be read ({e})")))
}

fn load_doc(
    docs: &impl ReadableTable<u64, &'static [u8]>,
    doc: u64,
    path: &Path,
) -> Result<StoredDoc> {
    let bytes = docs
        .get(doc)
        .map_err(|e| Error::index("cannot read", path, e))?
        .ok_or_else(|| Error::NotAnIndex {
            path: path.into(),
            reason: format!("document {doc} is listed but missing"),
        })?;
    postcard::from_bytes(bytes.value()).map_err(|e| Error::NotAnIndex {
        path: path.into(),
        reason: format!("document {doc} cannot be decoded ({e})"),
    })
}

/// The single-slot bands of the rare-shingle pass.
fn slot_bands(settings: &IndexSettings) -> LshParams {
    LshParams {
        bands: settings.minhash.num_perm,
        rows: 1,
    }
}

/// Lookups against the index's tables, in a read or a write transaction.
struct Query<'a, D, I, M, F> {
    docs: &'a D,
    ids: &'a I,
    bands: &'a M,
    slots: &'a M,
    content: &'a M,
    term_df: &'a F,
    postings: &'a M,
    settings: &'a IndexSettings,
    dedup: &'a Deduplicator,
    path: &'a Path,
}

impl<D, I, M, F> Query<'_, D, I, M, F>
where
    D: ReadableTable<u64, &'static [u8]>,
    I: ReadableTable<&'static str, u64>,
    M: ReadableMultimapTable<u64, u64>,
    F: ReadableTable<u64, u32>,
{
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
        let docs = self.docs.len().map_err(self.err())?;
        let mut df_cache: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
        let mut df = |key: u64| -> Result<u32> {
            if let Some(&v) = df_cache.get(&key) {
                return Ok(v);
            }
            let v = self
                .term_df
                .get(key)
                .map_err(self.err())?
                .map_or(0, |g| g.value());
            df_cache.insert(key, v);
            Ok(v)
        };
        for row in 0..table.len() as u32 {
            if verdicts[row as usize] != Verdict::Clean {
                continue;
            }
            let own = self
                .ids
                .get(table.id(row))
                .map_err(self.err())?
                .map(|g| g.value());
            let day = table.published(row).and_then(day_number);
            let vector = event_vector(&terms[row as usize], &mut df, docs)?;
            // Candidates: held articles filed under this article's heaviest terms.
            let mut shared: std::collections::BTreeMap<u64, u32> =
                std::collections::BTreeMap::new();
            for key in posted_terms(&vector) {
                let values = self.postings.get(key).map_err(self.err())?;
                if values.len() > MAX_POSTINGS {
                    continue;
                }
                for v in values {
                    *shared.entry(v.map_err(self.err())?.value()).or_default() += 1;
                }
            }
            let mut matches = Vec::new();
            for (&doc, _) in shared.iter().filter(|&(&d, _)| Some(d) != own) {
                let held = load_doc(self.docs, doc, self.path)?;
                if let (Some(w), Some(a), Some(b)) = (events.window_days, day, held.day) {
                    if (a - b).unsigned_abs() > w {
                        continue;
                    }
                }
                let sim = cosine(&vector, &event_vector(&held.terms, &mut df, docs)?);
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
            let own = self
                .ids
                .get(table.id(row))
                .map_err(self.err())?
                .map(|g| g.value());
            let mut own_doc = None;
            if let Some(doc) = own {
                let stored = load_doc(self.docs, doc, self.path)?;
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
        for v in self
            .content
            .get(table.content_hash(row))
            .map_err(self.err())?
        {
            out.insert(v.map_err(self.err())?.value());
        }
        if table.set_size(row) == 0 {
            return Ok(out);
        }
        let slots = table.slots(row);
        let lsh = self.settings.lsh;
        for b in 0..lsh.bands {
            for v in self.bands.get(lsh.band_key(slots, b)).map_err(self.err())? {
                out.insert(v.map_err(self.err())?.value());
            }
        }
        if self.settings.rare_bucket >= 2 {
            let single = slot_bands(self.settings);
            for b in 0..single.bands {
                let values = self
                    .slots
                    .get(single.band_key(slots, b))
                    .map_err(self.err())?;
                // The incoming article makes one more in the bucket.
                if values.len() as usize + 1 > self.settings.rare_bucket {
                    continue;
                }
                for v in values {
                    out.insert(v.map_err(self.err())?.value());
                }
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
                if !exact && !self.dedup.plausible(agreeing, size, d.set_size) {
                    return None;
                }
                let (small, large) = (size.min(d.set_size), size.max(d.set_size));
                let o = if small == 0 {
                    if exact {
                        Overlap::SAME
                    } else {
                        Overlap::NONE
                    }
                } else {
                    let shared = shared_in_order(&set, &order, &d.set(), &d.order);
                    Overlap::of_counts(small as usize, large as usize, shared)
                };
                (exact || self.dedup.accepts(size.min(d.set_size), o)).then_some(o)
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

/// Days since 1970-01-01 of a publication date, when readable.
fn day_number(published: &str) -> Option<i32> {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    crate::events::parse_day(published).and_then(|d| i32::try_from((d - epoch).num_days()).ok())
}

/// The event terms of every row of a signed batch (one more pass over it).
fn batch_terms(
    corpus: &Corpus,
    batch: &DedupOutcome,
    settings: &IndexSettings,
    progress: &dyn Progress,
) -> Result<Vec<Vec<(u64, u8, u32)>>> {
    let table = &batch.table;
    let mut row_of_seq = vec![u32::MAX; batch.stats.records];
    for row in 0..table.len() as u32 {
        row_of_seq[table.seq(row)] = row;
    }
    let boilerplate = settings.dedup_config(OnError::Skip).boilerplate;
    let mut out = vec![Vec::new(); table.len()];
    progress.begin(Stage::Vectors, Some(corpus.total_bytes()));
    crate::dedup::for_each_chunk(
        corpus,
        progress,
        |raw| {
            let row = *row_of_seq.get(raw.seq)?;
            if row == u32::MAX {
                return None;
            }
            let article = raw.parse().ok()?;
            let story = crate::boilerplate::story_lines(&article.text, &boilerplate, None);
            let title = article
                .title
                .as_deref()
                .map(crate::normalize::normalize_line_cased);
            let lang = crate::shingle::Language::from_code(article.lang.as_deref());
            let terms = crate::vectors::extract(
                title.as_deref(),
                story.iter().map(|(_, l)| l.as_str()),
                lang,
            );
            let packed = terms
                .0
                .into_iter()
                .map(|t| {
                    let kind = match t.kind {
                        TermKind::Word => 0,
                        TermKind::Name => 1,
                        TermKind::Number => 2,
                    } + if t.in_title { 4 } else { 0 };
                    (t.key, kind, t.count)
                })
                .collect::<Vec<_>>();
            Some((row, packed))
        },
        |_, terms| {
            if let Some((row, terms)) = terms {
                out[row as usize] = terms;
            }
            Ok(())
        },
    )?;
    progress.end();
    Ok(out)
}

/// TF-IDF weight of one stored term, with the boosts of event clustering.
fn term_weight(kind: u8, count: u32, df: u32, docs: u64) -> f32 {
    let v = VectorConfig::default();
    let idf = ((docs as f64 + 1.0) / (f64::from(df) + 1.0)).ln() as f32;
    let mut w = (1.0 + (count.max(1) as f32).ln()) * idf.max(0.0);
    w *= match kind & 3 {
        1 => v.name_boost,
        2 => v.number_boost,
        _ => 1.0,
    };
    if kind & 4 != 0 {
        w *= v.title_boost;
    }
    w
}

/// A normalized event vector (sorted by term key) from stored terms.
fn event_vector(
    terms: &[(u64, u8, u32)],
    mut df: impl FnMut(u64) -> Result<u32>,
    docs: u64,
) -> Result<Vec<(u64, f32)>> {
    let mut v = Vec::with_capacity(terms.len());
    for &(key, kind, count) in terms {
        let w = term_weight(kind, count, df(key)?, docs);
        if w > 0.0 {
            v.push((key, w));
        }
    }
    let norm = v
        .iter()
        .map(|&(_, w)| f64::from(w).powi(2))
        .sum::<f64>()
        .sqrt() as f32;
    if norm > 0.0 {
        v.iter_mut().for_each(|(_, w)| *w /= norm);
    }
    Ok(v)
}

fn cosine(a: &[(u64, f32)], b: &[(u64, f32)]) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// The heaviest terms of a vector, the ones filed in and looked up by postings.
fn posted_terms(vector: &[(u64, f32)]) -> Vec<u64> {
    let mut v = vector.to_vec();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(POSTED_TERMS);
    let mut keys: Vec<u64> = v.into_iter().map(|(k, _)| k).collect();
    keys.sort_unstable();
    keys
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
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
        let mut w = Writer {
            path,
            settings,
            next_doc: 0,
            meta: txn.open_table(META).map_err(|x| e(x.into()))?,
            docs: txn.open_table(DOCS).map_err(|x| e(x.into()))?,
            ids: txn.open_table(IDS).map_err(|x| e(x.into()))?,
            bands: txn.open_multimap_table(BANDS).map_err(|x| e(x.into()))?,
            slots: txn.open_multimap_table(SLOTS).map_err(|x| e(x.into()))?,
            content: txn.open_multimap_table(CONTENT).map_err(|x| e(x.into()))?,
            term_df: txn.open_table(TERM_DF).map_err(|x| e(x.into()))?,
            postings: txn.open_multimap_table(POSTINGS).map_err(|x| e(x.into()))?,
        };
        w.next_doc = w
            .meta
            .get("next_doc")
            .map_err(|x| e(x.into()))?
            .and_then(|g| <[u8; 8]>::try_from(g.value()).ok())
            .map(u64::from_le_bytes)
            .ok_or_else(|| Error::NotAnIndex {
                path: path.into(),
                reason: "its document counter is missing".into(),
            })?;
        let out = f(&mut w)?;
        let next = w.next_doc.to_le_bytes();
        w.meta
            .insert("next_doc", next.as_slice())
            .map_err(|x| e(x.into()))?;
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
    meta: redb::Table<'t, &'static str, &'static [u8]>,
    docs: redb::Table<'t, u64, &'static [u8]>,
    ids: redb::Table<'t, &'static str, u64>,
    bands: redb::MultimapTable<'t, u64, u64>,
    slots: redb::MultimapTable<'t, u64, u64>,
    content: redb::MultimapTable<'t, u64, u64>,
    term_df: redb::Table<'t, u64, u32>,
    postings: redb::MultimapTable<'t, u64, u64>,
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
            let stored = load_doc(&self.docs, doc, self.path)?;
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
            let df = self.df(key)? + 1;
            self.term_df.insert(key, df).map_err(write_err(self.path))?;
            dfs.insert(key, df);
        }
        let docs = self.docs.len().map_err(write_err(self.path))? + 1;
        let vector = event_vector(&stored.terms, |k| Ok(dfs[&k]), docs)?;
        stored.posted = posted_terms(&vector);
        for &key in &stored.posted {
            self.postings
                .insert(key, doc)
                .map_err(write_err(self.path))?;
        }
        let bytes = postcard::to_allocvec(&stored).map_err(|e| Error::NotAnIndex {
            path: self.path.into(),
            reason: format!("cannot encode document {doc} ({e})"),
        })?;
        self.docs
            .insert(doc, bytes.as_slice())
            .map_err(write_err(self.path))?;
        self.ids.insert(id, doc).map_err(write_err(self.path))?;
        for (t, key) in self.keys(&stored) {
            self.buckets(t)
                .insert(key, doc)
                .map_err(write_err(self.path))?;
        }
        Ok(put)
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
        let stored = load_doc(&self.docs, doc, self.path)?;
        self.unlink(doc, &stored)?;
        Ok(true)
    }

    fn unlink(&mut self, doc: u64, stored: &StoredDoc) -> Result<()> {
        for (t, key) in self.keys(stored) {
            self.buckets(t)
                .remove(key, doc)
                .map_err(write_err(self.path))?;
        }
        for &key in &stored.posted {
            self.postings
                .remove(key, doc)
                .map_err(write_err(self.path))?;
        }
        for &(key, _, _) in &stored.terms {
            let df = self.df(key)?;
            if df <= 1 {
                self.term_df.remove(key).map_err(write_err(self.path))?;
            } else {
                self.term_df
                    .insert(key, df - 1)
                    .map_err(write_err(self.path))?;
            }
        }
        self.docs.remove(doc).map_err(write_err(self.path))?;
        self.ids
            .remove(stored.id.as_str())
            .map_err(write_err(self.path))?;
        Ok(())
    }

    /// The bucket table of one kind of key.
    fn buckets(&mut self, t: Key) -> &mut redb::MultimapTable<'t, u64, u64> {
        match t {
            Key::Band => &mut self.bands,
            Key::Slot => &mut self.slots,
            Key::Content => &mut self.content,
        }
    }

    fn df(&self, key: u64) -> Result<u32> {
        Ok(self
            .term_df
            .get(key)
            .map_err(write_err(self.path))?
            .map_or(0, |g| g.value()))
    }

    /// Every bucket key a document is filed under.
    fn keys(&self, d: &StoredDoc) -> Vec<(Key, u64)> {
        let mut out = vec![(Key::Content, d.content_hash)];
        if d.set_size == 0 {
            return out;
        }
        let lsh = self.settings.lsh;
        out.extend((0..lsh.bands).map(|b| (Key::Band, lsh.band_key(&d.slots, b))));
        if self.settings.rare_bucket >= 2 {
            let single = slot_bands(self.settings);
            out.extend((0..single.bands).map(|b| (Key::Slot, single.band_key(&d.slots, b))));
        }
        out
    }
}

#[derive(Clone, Copy)]
enum Key {
    Band,
    Slot,
    Content,
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
