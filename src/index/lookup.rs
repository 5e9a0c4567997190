//! Lookups: bucket reads proven by their sums entries, candidates of an
//! incoming article, and the held copy it verifies against.

use crate::index::damaged;
use crate::index::load_core;
use crate::index::load_core_as;
use crate::index::DocCore;
use crate::index::HeldArticle;
use crate::index::IndexSettings;
use crate::index::Verdict;
use crate::index::SUMS;

use std::collections::BTreeSet;
use std::path::Path;

use rayon::prelude::*;
use redb::{ReadableMultimapTable, ReadableTable, TableDefinition};

use super::integrity::{Digest, Lookup, SealedSums, SumEntry};
use crate::dedup::store::{shared_in_order, Compact};
use crate::dedup::table::{round4, ArticleTable, Overlap};
use crate::dedup::{DedupOutcome, Deduplicator};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::sketch::lsh::LshParams;
use crate::sketch::minhash::agreeing_slots;

/// The error of a damaged bucket of a lookup table.
pub(super) fn bucket_damage(path: &Path, t: Lookup, key: u64, reason: impl Into<String>) -> Error {
    damaged(path, format!("{} entry {key:#018x}", t.name()), reason)
}

/// The reason of a bucket whose documents do not match its digest.
pub(super) fn digest_mismatch(listed: u64, recorded: Digest) -> String {
    format!(
        "its documents do not match its sums ({listed} listed, {} recorded)",
        recorded.count
    )
}

/// The digest of the bucket under `key` from its sums table, or `None`
/// when the chain of entries proves there is none (see
/// [`integrity::SumEntry`]): one lookup either way.
pub(super) fn find_sums(
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
pub(super) fn sums_at(
    sums: &impl ReadableTable<u64, SealedSums>,
    t: Lookup,
    key: u64,
    path: &Path,
) -> Result<SumsAt> {
    entry_for(next_sums(sums, t, key, path)?, t, key, path)
}

/// `at`, the first sums entry at or after `key`, when it is `key`'s own or
/// names a key below `key` as the one before it (so `key` has no entry);
/// else `key`'s entry is missing: damage.
pub(super) fn entry_for(at: SumsAt, t: Lookup, key: u64, path: &Path) -> Result<SumsAt> {
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
pub(super) fn next_sums(
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
pub(super) struct SumsAt {
    pub(super) key: u64,
    pub(super) entry: SumEntry,
}

impl SumsAt {
    /// The digest of `key`: the entry's when it is `key`'s own, else empty.
    pub(super) fn digest(&self, key: u64) -> Digest {
        if self.key == key {
            self.entry.digest
        } else {
            Digest::default()
        }
    }
}

/// A term's document frequency.
pub(super) fn read_df(
    sums: &impl ReadableTable<u64, SealedSums>,
    key: u64,
    path: &Path,
) -> Result<u32> {
    let df = find_sums(sums, Lookup::TermDf, key, path)?.map_or(0, |d| d.count);
    u32::try_from(df).map_err(|_| bucket_damage(path, Lookup::TermDf, key, "it is too large"))
}

/// The sums tables of a transaction, in [`Lookup::ALL`] order.
pub(super) fn open_sums<T>(
    mut open: impl FnMut(TableDefinition<u64, SealedSums>) -> std::result::Result<T, redb::TableError>,
) -> std::result::Result<[T; 5], redb::TableError> {
    let [a, b, c, d, e] = SUMS;
    Ok([open(a)?, open(b)?, open(c)?, open(d)?, open(e)?])
}

/// The single-slot bands of the rare-shingle pass: the first
/// [`IndexSettings::rare_slots`] slots ([`IndexSettings::with_rare_slots`]).
pub(super) fn slot_bands(settings: &IndexSettings) -> LshParams {
    LshParams {
        bands: settings.rare_slots.min(settings.minhash.num_perm),
        rows: 1,
    }
}

/// Lookups against the index's tables, in a read or a write transaction.
pub(super) struct Query<'a, D, I, M, S> {
    pub(super) docs: &'a D,
    pub(super) ids: &'a I,
    pub(super) bands: &'a M,
    pub(super) slots: &'a M,
    pub(super) content: &'a M,
    pub(super) postings: &'a M,
    /// The sums tables, in [`Lookup::ALL`] order.
    pub(super) sums: &'a [S; 5],
    /// Held articles (checked against the docs table).
    pub(super) held: u64,
    pub(super) settings: &'a IndexSettings,
    pub(super) dedup: &'a Deduplicator,
    pub(super) path: &'a Path,
}

impl<D, I, M, S> Query<'_, D, I, M, S>
where
    D: ReadableTable<u64, &'static [u8]>,
    I: ReadableTable<&'static str, u64>,
    M: ReadableMultimapTable<u64, u64>,
    S: ReadableTable<u64, SealedSums>,
{
    pub(super) fn table(&self, t: Lookup) -> &M {
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
    pub(super) fn bucket(
        &self,
        t: Lookup,
        key: u64,
        limit: u64,
        mut each: impl FnMut(u64),
    ) -> Result<bool> {
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
    pub(super) fn own_doc(&self, id: &str) -> Result<Option<(u64, DocCore)>> {
        let Some(doc) = self.ids.get(id).map_err(self.err())?.map(|g| g.value()) else {
            return Ok(None);
        };
        Ok(Some((doc, load_core_as(self.docs, doc, id, self.path)?)))
    }

    /// An error unless a document found by lookup, not through the ids
    /// table, holds another id than the incoming article's.
    pub(super) fn other_id(&self, doc: u64, held_id: &str, id: &str) -> Result<()> {
        if held_id == id {
            return Err(damaged(
                self.path,
                format!("id {id:?}"),
                format!("document {doc} holds it but the ids table does not point to it"),
            ));
        }
        Ok(())
    }

    pub(super) fn err(&self) -> impl Fn(redb::StorageError) -> Error + '_ {
        move |e| Error::index("cannot read", self.path, e)
    }

    /// The verdict on every row: a copy of a held article first, else a
    /// copy of the incoming article its batch group kept, else clean.
    pub(super) fn verdicts(
        &self,
        batch: &DedupOutcome,
        progress: &dyn Progress,
    ) -> Result<Vec<Verdict>> {
        (0..batch.table.len() as u32)
            .map(|row| self.verdict(batch, row, progress))
            .collect()
    }

    /// The verdict on one row.
    pub(super) fn verdict(
        &self,
        batch: &DedupOutcome,
        row: u32,
        progress: &dyn Progress,
    ) -> Result<Verdict> {
        let table = &batch.table;
        let mut own_doc = None;
        if let Some((doc, stored)) = self.own_doc(table.id(row))? {
            if stored.content_hash == table.content_hash(row) {
                progress.advance(1);
                return Ok(Verdict::AlreadyHeld);
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
        progress.advance(1);
        Ok(verdict)
    }

    /// Held documents sharing a band, a rare slot or the cleaned text with a row.
    pub(super) fn candidates(&self, table: &ArticleTable, row: u32) -> Result<BTreeSet<u64>> {
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
    pub(super) fn best_held(
        &self,
        table: &ArticleTable,
        row: u32,
        candidates: &BTreeSet<u64>,
    ) -> Result<Option<(HeldArticle, Overlap)>> {
        if candidates.is_empty() {
            return Ok(None);
        }
        let Compact { set, order } = table.shingles_with_order(row);
        table.store_health()?;
        let slots = table.slots(row);
        let hash = table.content_hash(row);
        let size = table.set_size(row);
        // What the dedup pass would read of a pair: the shingles of a
        // candidate are decoded only then.
        let worth = |d: &DocCore| {
            let exact = d.content_hash == hash;
            let agreeing = agreeing_slots(&d.slots, slots);
            self.dedup
                .worth_reading_sizes(exact, agreeing, size, d.set_size)
        };
        let mut docs = Vec::with_capacity(candidates.len());
        for &doc in candidates {
            let (core, shingles) = load_core(self.docs, doc, self.path, worth)?;
            self.other_id(doc, &core.id, table.id(row))?;
            docs.push((core, shingles));
        }
        let verified: Vec<Option<Overlap>> = docs
            .par_iter()
            .map(|(d, shingles)| {
                let s = shingles.as_ref()?;
                let exact = d.content_hash == hash;
                self.dedup.judge_read_pair(exact, size, d.set_size, || {
                    shared_in_order(&set, &order, &s.set(), &s.order)
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
        Ok(best.map(|(i, o)| (docs[i].0.held(), o)))
    }
}

impl<D, I, M, S> Query<'_, D, I, M, S>
where
    D: ReadableTable<u64, &'static [u8]> + Sync,
    I: ReadableTable<&'static str, u64> + Sync,
    M: ReadableMultimapTable<u64, u64> + Sync,
    S: ReadableTable<u64, SealedSums> + Sync,
{
    /// [`Query::verdicts`] with the rows spread over threads (tables of a
    /// read transaction can be shared). The first error in row order is
    /// the one returned, as when the rows are taken one by one.
    pub(super) fn verdicts_in_parallel(
        &self,
        batch: &DedupOutcome,
        progress: &dyn Progress,
    ) -> Result<Vec<Verdict>> {
        let each: Vec<Result<Verdict>> = (0..batch.table.len() as u32)
            .into_par_iter()
            .map(|row| self.verdict(batch, row, progress))
            .collect();
        each.into_iter().collect()
    }
}
