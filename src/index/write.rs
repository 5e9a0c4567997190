//! Writing: one transaction per batch, documents filed in and out of
//! every bucket with their sums entries kept sealed.

use super::texts::Incoming;
use crate::index::bucket_damage;
use crate::index::damaged;
use crate::index::digest_mismatch;
use crate::index::event_vector;
use crate::index::held_articles;
use crate::index::load_doc_as;
use crate::index::lookup::entry_for;
use crate::index::meta_entries;
use crate::index::meta_u64;
use crate::index::open_sums;
use crate::index::posted_terms;
use crate::index::sealed_entries;
use crate::index::sealed_u64;
use crate::index::slot_bands;
use crate::index::IndexSettings;
use crate::index::StoredDoc;
use crate::index::SumsAt;
use crate::index::BANDS;
use crate::index::CONTENT;
use crate::index::DOCS;
use crate::index::IDS;
use crate::index::META;
use crate::index::POSTINGS;
use crate::index::SLOTS;

use std::path::Path;

use redb::{Database, ReadableTable};

use super::integrity::{seal, Digest, Lookup, SealedSums, SumEntry, END};
use super::pending::{PendingMembers, PendingSums};
use crate::dedup::table::ArticleTable;
use crate::error::{Error, Result};
use crate::events::vectors::VectorConfig;

/// Pending changes (entries and buckets) written before more are noted:
/// a few hundred megabytes at most.
const PENDING_LIMIT: usize = 4_000_000;

pub(super) enum Put {
    Added,
    Unchanged,
    Replaced,
}

/// Runs `f` in one write transaction and commits it when `f` succeeds;
/// on an error nothing is written.
pub(super) fn in_transaction<T>(
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
            pending_sums: Default::default(),
            pending_members: Default::default(),
        };
        let out = f(&mut w)?;
        w.finish()?;
        out
    };
    txn.commit().map_err(|x| e(x.into()))?;
    Ok(out)
}

/// The tables of one write transaction.
pub(super) struct Writer<'t> {
    pub(super) path: &'t Path,
    pub(super) settings: &'t IndexSettings,
    pub(super) next_doc: u64,
    /// Held articles: checked against the docs table when the transaction
    /// starts and ends.
    pub(super) held: u64,
    /// Entries of each lookup table, in [`Lookup::ALL`] order.
    pub(super) entries: [u64; 5],
    pub(super) meta: redb::Table<'t, &'static str, &'static [u8]>,
    pub(super) docs: redb::Table<'t, u64, &'static [u8]>,
    pub(super) ids: redb::Table<'t, &'static str, u64>,
    pub(super) bands: redb::MultimapTable<'t, u64, u64>,
    pub(super) slots: redb::MultimapTable<'t, u64, u64>,
    pub(super) content: redb::MultimapTable<'t, u64, u64>,
    pub(super) postings: redb::MultimapTable<'t, u64, u64>,
    /// The sums tables, in [`Lookup::ALL`] order. Changed only when the
    /// transaction ends: until then, reads made before a change see the
    /// tables as they were.
    pub(super) sums: [redb::Table<'t, u64, SealedSums>; 5],
    /// Changes to the sums tables, in [`Lookup::ALL`] order.
    pending_sums: [PendingSums; 5],
    /// Changes to the multimaps, in [`Lookup::ALL`] order.
    pending_members: [PendingMembers; 4],
}

impl<'t> Writer<'t> {
    /// Adds (or replaces) one row of a signed batch.
    pub(super) fn put(
        &mut self,
        table: &ArticleTable,
        row: u32,
        incoming: Incoming,
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
        let mut stored = StoredDoc::from_row(table, row, incoming);
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
        self.flush_if_large()?;
        Ok(put)
    }

    /// Stores a document record, sealed with its number.
    pub(super) fn insert_doc(&mut self, doc: u64, stored: &StoredDoc) -> Result<()> {
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
    pub(super) fn remove_id(&mut self, id: &str) -> Result<bool> {
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

    pub(super) fn unlink(&mut self, doc: u64, stored: &StoredDoc) -> Result<()> {
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
    pub(super) fn finish(&mut self) -> Result<()> {
        self.flush()?;
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

    /// Writes the pending changes ([`super::pending`]) to the tables.
    fn flush(&mut self) -> Result<()> {
        let path = self.path;
        for t in Lookup::ALL {
            self.pending_sums[t.slot()].flush(&mut self.sums[t.slot()], t, write_err(path))?;
        }
        for t in [Lookup::Content, Lookup::Band, Lookup::Slot, Lookup::Posting] {
            let mut pending = std::mem::take(&mut self.pending_members[t.slot()]);
            pending.flush(self.buckets(t), t, path, write_err(path))?;
        }
        Ok(())
    }

    /// Writes the pending changes once they are many, which bounds the
    /// memory they take.
    fn flush_if_large(&mut self) -> Result<()> {
        let sums: usize = self.pending_sums.iter().map(|p| p.len()).sum();
        let members: usize = self.pending_members.iter().map(|p| p.len()).sum();
        if sums + members > PENDING_LIMIT {
            self.flush()?;
        }
        Ok(())
    }

    /// The bucket table of one kind of key.
    pub(super) fn buckets(&mut self, t: Lookup) -> &mut redb::MultimapTable<'t, u64, u64> {
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
    pub(super) fn file(&mut self, t: Lookup, key: u64, doc: u64) -> Result<()> {
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
    pub(super) fn unfile(&mut self, t: Lookup, key: u64, doc: u64) -> Result<()> {
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
    pub(super) fn last_member(&mut self, t: Lookup, key: u64, left: Digest) -> Result<Digest> {
        let path = self.path;
        let pending = std::mem::take(&mut self.pending_members[t.slot()]);
        let members = pending.members(self.buckets(t), key, write_err(path));
        self.pending_members[t.slot()] = pending;
        let members = members?;
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

    pub(super) fn insert_member(&mut self, t: Lookup, key: u64, doc: u64) -> Result<()> {
        self.pending_members[t.slot()].insert(t, key, doc, self.path)
    }

    pub(super) fn remove_member(&mut self, t: Lookup, key: u64, doc: u64) -> Result<()> {
        self.pending_members[t.slot()].remove(t, key, doc, self.path)
    }

    /// Notes that the multimap bucket under `key` must hold as many
    /// documents as its sums say (reading every one would make adding to a
    /// large bucket slow); checked when the transaction ends, an error
    /// then.
    pub(super) fn check_len(&mut self, t: Lookup, key: u64, recorded: Digest) -> Result<()> {
        self.pending_members[t.slot()].check_len(key, recorded);
        Ok(())
    }

    /// The first sums entry at or after `key` as this transaction sees it,
    /// checked as [`crate::index::sums_at`] checks it.
    pub(super) fn sums_at(&mut self, t: Lookup, key: u64) -> Result<SumsAt> {
        let path = self.path;
        let at = self.pending_sums[t.slot()].at(&self.sums[t.slot()], t, key, path)?;
        entry_for(at, t, key, path)
    }

    /// Writes the digest of `key`, found as `at` by [`sums_at`]: a
    /// new key's entry goes between the one found and the one before it; an
    /// emptied key's entry goes, and the next one is relinked.
    pub(super) fn set_sums(
        &mut self,
        t: Lookup,
        key: u64,
        at: SumsAt,
        digest: Digest,
    ) -> Result<()> {
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
        self.pending_sums[t.slot()].set(key, None);
        let next = self.pending_sums[t.slot()].at(&self.sums[t.slot()], t, key, self.path)?;
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

    pub(super) fn put_sums(&mut self, t: Lookup, key: u64, entry: SumEntry) -> Result<()> {
        self.pending_sums[t.slot()].set(key, Some(entry));
        Ok(())
    }

    /// One more (or one fewer) held article with a term; the new count.
    pub(super) fn count_term(&mut self, key: u64, more: bool) -> Result<u32> {
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
pub(super) fn doc_keys(settings: &IndexSettings, d: &StoredDoc) -> Vec<(Lookup, u64)> {
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

pub(super) fn write_err(path: &Path) -> impl Fn(redb::StorageError) -> Error + '_ {
    move |e| Error::index("cannot write", path, e)
}
