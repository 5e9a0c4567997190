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
//! checksums and every bucket has a sealed sums entry (`integrity`),
//! checked on every read; [`Index::verify`] walks the whole file.

mod compact;
mod file;
mod integrity;
mod lookup;
mod outcome;
mod pending;
mod record;
mod same_event;
mod settings;
#[cfg(test)]
mod tests;
mod texts;
mod verify;
mod write;

pub use compact::CompactOutcome;
pub(crate) use file::DAMAGED_PAGE;
pub use file::FORMAT_VERSION;
pub use outcome::{
    AddOutcome, BatchOptions, CheckOutcome, CheckSummary, EventMatch, IndexStats, Verdict,
};
pub use record::HeldArticle;
pub use same_event::EventQuery;
pub use settings::{IndexSettings, Requested};

use file::*;
use lookup::*;
use record::*;
use same_event::*;
use std::path::{Path, PathBuf};
use std::time::Duration;
use texts::read_batch;
use write::*;

use redb::{Database, DatabaseError, ReadableTableMetadata};

use crate::dedup::{DedupConfig, Deduplicator, OnError};
use crate::error::{Error, Result};
use crate::ingest::Corpus;
use crate::progress::{Progress, Stage};
use integrity::{meta_seed, seal, Lookup, SumEntry, END};
pub use verify::{Damage, VerifyReport};

/// How to open an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read only; several readers and one writer may share the file.
    Read,
    /// Read and write; one writer at a time. With `wait`, waits up to that
    /// long for another writer to finish instead of failing at once.
    Write { wait: Option<Duration> },
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
    /// and an earlier panic that `guarded` contained leaves its locks
    /// poisoned): contained the same way, so dropping an index never panics.
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(handle)));
        }
    }
}

impl Index {
    /// Creates a new, empty index file with these settings.
    ///
    /// # Errors
    /// The path exists, or the file cannot be created.
    pub fn create(path: &Path, config: &DedupConfig) -> Result<Index> {
        config.validate()?;
        Index::create_with_settings(path, IndexSettings::from_config(config))
    }

    /// [`Index::create`] with settings made by [`IndexSettings::from_config`]
    /// and then changed (e.g. [`IndexSettings::with_rare_slots`]).
    ///
    /// # Errors
    /// As [`Index::create`], and settings [`IndexSettings::validate`] refuses.
    pub fn create_with_settings(path: &Path, settings: IndexSettings) -> Result<Index> {
        settings.validate()?;
        if path.exists() {
            return Err(Error::IndexExists { path: path.into() });
        }
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
        let mut incoming = read_batch(corpus, &batch, &self.settings, progress)?;
        let n = batch.table.len() as u32;
        progress.begin(Stage::Index, Some(u64::from(n)));
        let (added, unchanged, replaced) = in_transaction(db, &self.path, &self.settings, |w| {
            let (mut added, mut unchanged, mut replaced) = (0, 0, 0);
            for row in 0..n {
                let t = std::mem::take(&mut incoming[row as usize]);
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
        // Event terms and texts are another pass over the batch: only when
        // stored or compared (copies alone are re-read by `compare_copies`).
        let mut incoming = if add || events.is_some() {
            read_batch(corpus, &batch, &self.settings, progress)?
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
                let same_event = q.same_events(&batch, &verdicts, &incoming, events)?;
                let mut added = Vec::new();
                for (row, v) in (0..n).zip(&verdicts) {
                    if *v == Verdict::Clean {
                        let t = std::mem::take(&mut incoming[row as usize]);
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
            let verdicts = q.verdicts_in_parallel(&batch, progress)?;
            let same_event = q.same_events(&batch, &verdicts, &incoming, events)?;
            (verdicts, same_event, Vec::new())
        };
        progress.end();
        let mut verdicts = verdicts;
        self.compare_copies(corpus, &batch, &mut verdicts, &incoming, progress)?;
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
