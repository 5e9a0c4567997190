//! Changes of one write transaction kept in memory and written once, in
//! key order, when it ends: sums entries (read once, changed any number of
//! times) and bucket members to insert or remove.
//!
//! The tables themselves are only read while a batch is filed, so a term
//! counted by a thousand articles of a batch is written once, and the
//! writes at the end walk each table in order. What a lookup sees is the
//! same as if every change had been written at once.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use redb::{ReadableMultimapTable, ReadableTable};

use super::integrity::{Digest, Lookup, SealedSums, SumEntry};
use super::lookup::{bucket_damage, digest_mismatch, sums_at, SumsAt};
use crate::error::{Error, Result};
use crate::sketch::shingle::BuildIdentity;

/// The sums entries of one table that this transaction read or changed.
#[derive(Default)]
pub(super) struct PendingSums {
    /// Every entry, in the order first met.
    all: Vec<(u64, Pending)>,
    /// Key → position in `all`, in key order (to find the first entry at
    /// or after a key).
    ordered: BTreeMap<u64, usize>,
    /// Key → position in `all` (to find a key's own entry at once: most
    /// lookups are of a key changed before).
    by_key: HashMap<u64, usize, BuildIdentity>,
}

/// A sums entry as this transaction sees it.
#[derive(Clone, Copy)]
struct Pending {
    /// `None`: removed.
    entry: Option<SumEntry>,
    /// Whether it differs from the table's.
    changed: bool,
    /// The table has no entry from this key up to the entry's own.
    gap: u64,
}

impl PendingSums {
    /// Entries read or changed.
    pub(super) fn len(&self) -> usize {
        self.all.len()
    }

    /// The first entry at or after `key`, as this transaction sees it:
    /// entries it read or changed, and where it does not know that the
    /// table has none before them, the table's (checked as [`sums_at`]
    /// checks them).
    pub(super) fn at(
        &mut self,
        table: &impl ReadableTable<u64, SealedSums>,
        t: Lookup,
        key: u64,
        path: &Path,
    ) -> Result<SumsAt> {
        if let Some(&i) = self.by_key.get(&key) {
            if let Some(entry) = self.all[i].1.entry {
                return Ok(SumsAt { key, entry });
            }
        }
        let mut from = key;
        loop {
            let known = self.ordered.range(from..).next();
            let to = match known {
                Some((&k, &i)) if self.all[i].1.gap <= from => k,
                _ => self.load(table, t, from, path)?,
            };
            let live = self
                .ordered
                .range(from..=to)
                .find_map(|(&k, &i)| self.all[i].1.entry.map(|entry| SumsAt { key: k, entry }));
            if let Some(at) = live {
                return Ok(at);
            }
            // Every entry up to `to` was removed: look further.
            from = to
                .checked_add(1)
                .ok_or_else(|| bucket_damage(path, t, key, "its table has lost its end"))?;
        }
    }

    /// Reads the table's first entry at or after `from`; its key. The
    /// table has no entry between them, which every entry kept there learns.
    fn load(
        &mut self,
        table: &impl ReadableTable<u64, SealedSums>,
        t: Lookup,
        from: u64,
        path: &Path,
    ) -> Result<u64> {
        let found = sums_at(table, t, from, path)?;
        if !self.by_key.contains_key(&found.key) {
            self.push(
                found.key,
                Pending {
                    entry: Some(found.entry),
                    changed: false,
                    gap: from,
                },
            );
        }
        for (_, &i) in self.ordered.range(from..=found.key) {
            let p = &mut self.all[i].1;
            p.gap = p.gap.min(from);
        }
        Ok(found.key)
    }

    fn push(&mut self, key: u64, p: Pending) {
        let i = self.all.len();
        self.all.push((key, p));
        self.ordered.insert(key, i);
        self.by_key.insert(key, i);
    }

    /// Sets the entry under `key` (`None` removes it). A new key is
    /// between the entry found by [`PendingSums::at`] and the one before
    /// it, where the table has none.
    pub(super) fn set(&mut self, key: u64, entry: Option<SumEntry>) {
        if let Some(&i) = self.by_key.get(&key) {
            let p = &mut self.all[i].1;
            p.entry = entry;
            p.changed = true;
            return;
        }
        let gap = match self.ordered.range(key..).next() {
            Some((_, &i)) if self.all[i].1.gap <= key => self.all[i].1.gap,
            _ => key,
        };
        let changed = true;
        self.push(
            key,
            Pending {
                entry,
                changed,
                gap,
            },
        );
    }

    /// Writes every changed entry, in key order, and forgets them all.
    pub(super) fn flush(
        &mut self,
        table: &mut redb::Table<'_, u64, SealedSums>,
        t: Lookup,
        err: impl Fn(redb::StorageError) -> Error,
    ) -> Result<()> {
        for &i in self.ordered.values() {
            let (key, p) = self.all[i];
            if !p.changed {
                continue;
            }
            match p.entry {
                Some(e) => table.insert(key, e.seal(t, key)).map(|_| ()),
                None => table.remove(key).map(|_| ()),
            }
            .map_err(&err)?;
        }
        self.all.clear();
        self.ordered.clear();
        self.by_key.clear();
        Ok(())
    }
}

/// Members of one multimap to insert or remove, and the buckets whose
/// length is to be checked against their sums.
#[derive(Default)]
pub(super) struct PendingMembers {
    /// Key → (document, true to insert (not in the table) or false to
    /// remove (in the table)).
    ops: HashMap<u64, Vec<(u64, bool)>, BuildIdentity>,
    /// Buckets checked against their sums when first changed: the digest
    /// then recorded and the members this transaction had added (minus
    /// those it had removed) at that point.
    checks: HashMap<u64, (Digest, i64), BuildIdentity>,
}

impl PendingMembers {
    /// Changes noted.
    pub(super) fn len(&self) -> usize {
        self.ops.len() + self.checks.len()
    }

    /// Files `doc` under `key`; an error when it is there already.
    pub(super) fn insert(&mut self, t: Lookup, key: u64, doc: u64, path: &Path) -> Result<()> {
        self.change(t, key, doc, true, path)
    }

    /// Takes `doc` out of the bucket under `key`; an error when it is not
    /// there.
    pub(super) fn remove(&mut self, t: Lookup, key: u64, doc: u64, path: &Path) -> Result<()> {
        self.change(t, key, doc, false, path)
    }

    fn change(&mut self, t: Lookup, key: u64, doc: u64, add: bool, path: &Path) -> Result<()> {
        let ops = self.ops.entry(key).or_default();
        match ops.iter().position(|&(d, _)| d == doc) {
            Some(i) if ops[i].1 == add => {
                let reason = if add {
                    format!("document {doc} is in it already")
                } else {
                    format!("document {doc} is missing from it")
                };
                Err(bucket_damage(path, t, key, reason))
            }
            // Undoes the change before.
            Some(i) => {
                ops.swap_remove(i);
                Ok(())
            }
            None => {
                ops.push((doc, add));
                Ok(())
            }
        }
    }

    /// Notes that the bucket under `key` must hold as many documents as
    /// `recorded` says; checked in [`PendingMembers::flush`] (a bucket
    /// this transaction changed already is consistent by construction).
    pub(super) fn check_len(&mut self, key: u64, recorded: Digest) {
        if let std::collections::hash_map::Entry::Vacant(v) = self.checks.entry(key) {
            let delta = self.ops.get(&key).map_or(0, |ops| {
                ops.iter().map(|&(_, add)| if add { 1 } else { -1 }).sum()
            });
            v.insert((recorded, delta));
        }
    }

    /// The members under `key` as this transaction sees them.
    pub(super) fn members(
        &self,
        table: &impl ReadableMultimapTable<u64, u64>,
        key: u64,
        err: impl Fn(redb::StorageError) -> Error,
    ) -> Result<Vec<u64>> {
        let ops: &[(u64, bool)] = self.ops.get(&key).map_or(&[], |v| v.as_slice());
        let mut out: Vec<u64> = Vec::new();
        for v in table.get(key).map_err(&err)? {
            let doc = v.map_err(&err)?.value();
            if !ops.contains(&(doc, false)) {
                out.push(doc);
            }
        }
        out.extend(ops.iter().filter(|&&(_, add)| add).map(|&(doc, _)| doc));
        Ok(out)
    }

    /// Checks the noted bucket lengths, then writes the members, in key
    /// order, and forgets them all.
    pub(super) fn flush(
        &mut self,
        table: &mut redb::MultimapTable<'_, u64, u64>,
        t: Lookup,
        path: &Path,
        err: impl Fn(redb::StorageError) -> Error,
    ) -> Result<()> {
        let mut checks: Vec<(u64, (Digest, i64))> = self.checks.drain().collect();
        checks.sort_unstable_by_key(|&(key, _)| key);
        for (key, (recorded, delta)) in checks {
            let listed = table.get(key).map_err(&err)?.len();
            let expected = i64::try_from(recorded.count)
                .ok()
                .and_then(|n| n.checked_sub(delta));
            if expected != i64::try_from(listed).ok() {
                let listed = listed.wrapping_add_signed(delta);
                return Err(bucket_damage(
                    path,
                    t,
                    key,
                    digest_mismatch(listed, recorded),
                ));
            }
        }
        let mut ops: Vec<(u64, u64, bool)> = self
            .ops
            .drain()
            .flat_map(|(key, ops)| ops.into_iter().map(move |(doc, add)| (key, doc, add)))
            .collect();
        ops.sort_unstable();
        for (key, doc, add) in ops {
            if add {
                if table.insert(key, doc).map_err(&err)? {
                    let reason = format!("document {doc} is in it already");
                    return Err(bucket_damage(path, t, key, reason));
                }
            } else if !table.remove(key, doc).map_err(&err)? {
                let reason = format!("document {doc} is missing from it");
                return Err(bucket_damage(path, t, key, reason));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::integrity::END;
    use proptest::prelude::*;
    use redb::TableDefinition;

    const SUMS: TableDefinition<u64, SealedSums> = TableDefinition::new("sums");

    fn entry(count: u64) -> SumEntry {
        SumEntry {
            digest: Digest { count, sum: count },
            before: None,
        }
    }

    proptest! {
        /// Entries set, removed and flushed at any point read as if every
        /// change had been written at once.
        #[test]
        fn pending_entries_read_as_the_table_would(
            ops in proptest::collection::vec((0u64..64, 0u64..4, any::<bool>()), 1..80),
            queries in proptest::collection::vec(0u64..70, 1..20),
        ) {
            let t = Lookup::Band;
            let db = redb::Database::builder()
                .create_with_backend(redb::backends::InMemoryBackend::new())
                .unwrap();
            let txn = db.begin_write().unwrap();
            let mut table = txn.open_table(SUMS).unwrap();
            let mut model = BTreeMap::new();
            for k in [3u64, 17, 40, END] {
                table.insert(k, entry(k).seal(t, k)).unwrap();
                model.insert(k, entry(k));
            }
            let path = Path::new("test.db");
            let mut pending = PendingSums::default();
            let err = |e| Error::index("cannot write", path, e);
            for (i, &(key, count, flush)) in ops.iter().enumerate() {
                if count == 0 {
                    pending.set(key, None);
                    model.remove(&key);
                } else {
                    pending.set(key, Some(entry(count)));
                    model.insert(key, entry(count));
                }
                if flush {
                    pending.flush(&mut table, t, err).unwrap();
                }
                for &q in &queries {
                    let q = q.wrapping_add(i as u64);
                    let at = pending.at(&table, t, q, path).unwrap();
                    let (&k, &e) = model.range(q..).next().unwrap();
                    prop_assert_eq!((at.key, at.entry), (k, e));
                }
            }
            pending.flush(&mut table, t, err).unwrap();
            let written: Vec<(u64, SealedSums)> = table
                .iter()
                .unwrap()
                .map(|r| r.map(|(k, v)| (k.value(), v.value())).unwrap())
                .collect();
            let expected: Vec<(u64, SealedSums)> =
                model.iter().map(|(&k, e)| (k, e.seal(t, k))).collect();
            prop_assert_eq!(written, expected);
        }
    }
}
