//! `index verify`: reads every record of every table and reports each one
//! that is damaged: a record or sums entry failing its checksum, a broken
//! chain of sums entries, a bucket failing its sums, and any two tables
//! that disagree (an id and the document it points to, a document and its
//! lookup entries, a term's frequency and the documents holding the term).
//! Every entry read in order is also looked up by its key, as `check`
//! does: a damaged branch page can misdirect lookups while a walk in key
//! order still sees every entry. One read transaction; the file is not changed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use redb::{ReadTransaction, ReadableMultimapTable, ReadableTable, ReadableTableMetadata};
use serde::Serialize;

use super::integrity::{unseal, Digest, Lookup, SealedSums, SumEntry, END};
use super::{
    decode_doc, digest_mismatch, doc_keys, meta_entries, meta_seed, meta_u64, Index, StoredDoc,
    BANDS, CONTENT, DOCS, IDS, META, POSTINGS, SLOTS, SUMS,
};
use crate::error::{Error, Result};

/// One damaged record found by [`Index::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Damage {
    /// The record: `document 17 (id "a")`, `bands entry 0x…`, `settings`, ….
    pub record: String,
    pub reason: String,
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.record, self.reason)
    }
}

/// What [`Index::verify`] found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    /// Document records read.
    pub articles: u64,
    /// Other entries checked (settings, ids, lookup entries, sums entries).
    pub entries: u64,
    /// Every damaged record, in table order.
    pub damage: Vec<Damage>,
}

impl Index {
    /// Reads every record of every table and checks each one (checksums,
    /// digests) and the tables against each other.
    ///
    /// # Errors
    /// Starting a read transaction. Damage is reported, not an error: a
    /// table that cannot be read at all is one damaged record.
    pub fn verify(&self) -> Result<VerifyReport> {
        let txn = self
            .handle()
            .begin_read()
            .map_err(|e| Error::index("cannot read", &self.path, e))?;
        let mut walk = Walk::new(self, &txn);
        walk.step("meta", Walk::meta);
        walk.step("docs", Walk::docs);
        walk.step("ids", Walk::ids);
        for t in Lookup::ALL {
            walk.step(t.name(), |w| w.lookup(t));
        }
        walk.compare_docs();
        walk.compare_totals();
        Ok(walk.report)
    }
}

/// What a document's record says, and what the other tables say about it.
struct DocFacts {
    id: String,
    name: String,
    listed: bool,
    expected: [Digest; 5],
    found: [Digest; 5],
}

/// The state of one walk over the file.
struct Walk<'a> {
    index: &'a Index,
    txn: &'a ReadTransaction,
    docs: BTreeMap<u64, DocFacts>,
    /// Documents whose record cannot be read: entries naming them are not
    /// checked (the record itself is reported).
    unreadable: HashSet<u64>,
    /// Document frequency of every term, counted from the records.
    df: HashMap<u64, u32>,
    next_doc: Option<u64>,
    articles: Option<u64>,
    /// Entries of each lookup table, as the settings record them and as counted.
    recorded_entries: Option<[u64; 5]>,
    counted_entries: [u64; 5],
    /// Tables read to the end.
    walked: HashSet<&'static str>,
    report: VerifyReport,
}

impl<'a> Walk<'a> {
    fn new(index: &'a Index, txn: &'a ReadTransaction) -> Self {
        Walk {
            index,
            txn,
            docs: BTreeMap::new(),
            unreadable: HashSet::new(),
            df: HashMap::new(),
            next_doc: None,
            articles: None,
            recorded_entries: None,
            counted_entries: [0; 5],
            walked: HashSet::new(),
            report: VerifyReport::default(),
        }
    }

    /// Walks one table; a failure (or a panic inside redb) is reported as
    /// damage of the whole table.
    fn step(&mut self, table: &'static str, f: impl FnOnce(&mut Self) -> Result<()>) {
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)));
        let reason = match run {
            Ok(Ok(())) => {
                self.walked.insert(table);
                return;
            }
            Ok(Err(e)) => reason_of(&e),
            Err(_) => super::DAMAGED_PAGE.to_string(),
        };
        self.damage(format!("table {table}"), reason);
    }

    fn damage(&mut self, record: impl Into<String>, reason: impl Into<String>) {
        self.report.damage.push(Damage {
            record: record.into(),
            reason: reason.into(),
        });
    }

    /// The value, or `None` after reporting a damaged record; any other
    /// error is returned.
    fn checked<T>(&mut self, result: Result<T>) -> Result<Option<T>> {
        match result {
            Ok(v) => Ok(Some(v)),
            Err(Error::DamagedRecord { record, reason, .. }) => {
                self.damage(record, reason);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    fn err(&self) -> impl Fn(redb::StorageError) -> Error + '_ {
        move |e| Error::index("cannot read", &self.index.path, e)
    }

    fn open_err(&self) -> impl Fn(redb::TableError) -> Error + '_ {
        move |e| Error::index("cannot read", &self.index.path, e)
    }

    fn meta(&mut self) -> Result<()> {
        let meta = self.txn.open_table(META).map_err(self.open_err())?;
        let index = self.index;
        let path = &index.path;
        let settings = meta.get("settings").map_err(self.err())?;
        if settings.is_none_or(|s| unseal(s.value(), meta_seed("settings")).is_none()) {
            self.damage("settings", "their checksum does not match their bytes");
        }
        self.report.entries += meta.len().map_err(self.err())?;
        self.next_doc = self.checked(meta_u64(&meta, "next_doc", path))?;
        self.articles = self.checked(meta_u64(&meta, "articles", path))?;
        self.recorded_entries = self.checked(meta_entries(&meta, path))?;
        Ok(())
    }

    /// Reports an entry that a lookup by its key does not find.
    fn unfound(&mut self, found: bool, record: impl FnOnce() -> String) {
        if !found {
            let reason = "a lookup by its key does not find it (a damaged index page)";
            self.damage(record(), reason);
        }
    }

    fn docs(&mut self) -> Result<()> {
        let table = self.txn.open_table(DOCS).map_err(self.open_err())?;
        for entry in table.iter().map_err(self.err())? {
            let (doc, bytes) = entry.map_err(self.err())?;
            let doc = doc.value();
            self.report.articles += 1;
            let found = table.get(doc).map_err(self.err())?.is_some();
            self.unfound(found, || format!("document {doc}"));
            match self.checked(decode_doc(bytes.value(), doc, &self.index.path))? {
                Some(stored) => self.add_doc(doc, &stored),
                None => {
                    self.unreadable.insert(doc);
                }
            }
            if self.next_doc.is_some_and(|n| doc >= n) {
                self.damage(
                    format!("document {doc}"),
                    "its number is not below the document counter",
                );
            }
        }
        let len = table.len().map_err(self.err())?;
        let read = self.report.articles;
        if len != read || self.articles.is_some_and(|a| a != read) {
            let recorded = self.articles.map_or("none".to_string(), |a| a.to_string());
            self.damage(
                "table docs",
                format!(
                    "{read} articles read, {len} counted by the table, {recorded} by the settings"
                ),
            );
        }
        Ok(())
    }

    fn add_doc(&mut self, doc: u64, stored: &StoredDoc) {
        let mut expected = [Digest::default(); 5];
        for (t, key) in doc_keys(&self.index.settings, stored) {
            expected[t.slot()].add(t, key, doc);
        }
        for &(key, _, _) in &stored.terms {
            *self.df.entry(key).or_default() += 1;
        }
        let facts = DocFacts {
            id: stored.id.clone(),
            name: format!("document {doc} (id {:?})", stored.id),
            listed: false,
            expected,
            found: [Digest::default(); 5],
        };
        self.docs.insert(doc, facts);
    }

    fn ids(&mut self) -> Result<()> {
        let table = self.txn.open_table(IDS).map_err(self.open_err())?;
        for entry in table.iter().map_err(self.err())? {
            let (id, doc) = entry.map_err(self.err())?;
            let (id, doc) = (id.value(), doc.value());
            self.report.entries += 1;
            let found = table.get(id).map_err(self.err())?.map(|g| g.value()) == Some(doc);
            self.unfound(found, || format!("id {id:?}"));
            let reason = match self.docs.get_mut(&doc) {
                Some(f) if f.id == id && !f.listed => {
                    f.listed = true;
                    continue;
                }
                Some(f) => format!("it points to {}", f.name),
                None if self.unreadable.contains(&doc) => continue,
                None => format!("it points to document {doc}, which does not exist"),
            };
            self.damage(format!("id {id:?}"), reason);
        }
        Ok(())
    }

    /// One lookup table and its sums table, side by side in key order.
    fn lookup(&mut self, t: Lookup) -> Result<()> {
        let sums = self
            .txn
            .open_table(SUMS[t.slot()])
            .map_err(self.open_err())?;
        let range = sums.iter().map_err(self.err())?;
        let index = self.index;
        let mut walk = SumsWalk::new(t, &sums, range, &index.path);
        let result = if t == Lookup::TermDf {
            self.term_df(&mut walk)
        } else {
            self.buckets(t, &mut walk)
        };
        self.report.entries += walk.entries;
        self.report.damage.append(&mut walk.damage);
        result
    }

    fn buckets(&mut self, t: Lookup, sums: &mut SumsWalk<'_>) -> Result<()> {
        let def = match t {
            Lookup::Content => CONTENT,
            Lookup::Band => BANDS,
            Lookup::Slot => SLOTS,
            Lookup::Posting | Lookup::TermDf => POSTINGS,
        };
        let table = self.txn.open_multimap_table(def).map_err(self.open_err())?;
        for entry in table.iter().map_err(self.err())? {
            let (key, values) = entry.map_err(self.err())?;
            let key = key.value();
            let mut found = Digest::default();
            for v in values {
                let doc = v.map_err(self.err())?.value();
                found.add(t, key, doc);
                self.note_entry(t, key, doc);
            }
            let looked_up = table.get(key).map_err(self.err())?.len();
            self.unfound(looked_up == found.count, || {
                format!("{} entry {key:#018x}", t.name())
            });
            let recorded = sums.take(key, |k, d| self.kept_in_sums(t, k, d))?;
            if recorded != found || found.count < 2 {
                let name = format!("{} entry {key:#018x}", t.name());
                self.damage(name, digest_mismatch(found.count, recorded));
            }
        }
        sums.rest(|k, d| self.kept_in_sums(t, k, d))
    }

    /// A used sums entry with no multimap bucket: it must keep its one
    /// document itself.
    fn kept_in_sums(&mut self, t: Lookup, key: u64, d: Digest) {
        if d.count == 1 {
            self.note_entry(t, key, d.sum);
        } else {
            self.damage(
                format!("{} entry {key:#018x}", t.name()),
                format!("its sums record {} documents but there are none", d.count),
            );
        }
    }

    /// One entry of a lookup table, counted for the document it names.
    fn note_entry(&mut self, t: Lookup, key: u64, doc: u64) {
        self.report.entries += 1;
        self.counted_entries[t.slot()] += 1;
        if let Some(f) = self.docs.get_mut(&doc) {
            f.found[t.slot()].add(t, key, doc);
        } else if !self.unreadable.contains(&doc) {
            self.damage(
                format!("{} entry {key:#018x}", t.name()),
                format!("it lists document {doc}, which does not exist"),
            );
        }
    }

    /// Document frequencies against the records (when every record was read).
    fn term_df(&mut self, sums: &mut SumsWalk<'_>) -> Result<()> {
        let counted = (self.walked.contains("docs") && self.unreadable.is_empty())
            .then(|| std::mem::take(&mut self.df));
        let total = &mut self.counted_entries[Lookup::TermDf.slot()];
        let Some(mut counted) = counted else {
            return sums.rest(|_, d| *total += d.count);
        };
        let mut found = Vec::new();
        sums.rest(|key, d| {
            *total += d.count;
            let held = counted.remove(&key).unwrap_or(0);
            if u64::from(held) != d.count {
                found.push((
                    key,
                    format!("it says {} articles, {held} hold the term", d.count),
                ));
            }
        })?;
        let mut missing: Vec<(u64, u32)> = counted.into_iter().collect();
        missing.sort_unstable();
        found.extend(
            missing
                .into_iter()
                .map(|(key, held)| (key, format!("it is missing, {held} articles hold the term"))),
        );
        for (key, reason) in found {
            self.damage(format!("term_df entry {key:#018x}"), reason);
        }
        Ok(())
    }

    /// The entries of each lookup table read to the end against the number
    /// the settings record.
    fn compare_totals(&mut self) {
        let Some(recorded) = self.recorded_entries else {
            return;
        };
        for t in Lookup::ALL {
            let (r, c) = (recorded[t.slot()], self.counted_entries[t.slot()]);
            if self.walked.contains(t.name()) && r != c {
                let reason = format!("it records {r} {} entries, {c} were read", t.name());
                self.damage("setting entries", reason);
            }
        }
    }

    /// Every readable document against what the ids and lookup tables say
    /// about it (for the tables read to the end).
    fn compare_docs(&mut self) {
        let mut found = Vec::new();
        for facts in self.docs.values() {
            if self.walked.contains("ids") && !facts.listed {
                found.push((
                    facts.name.clone(),
                    "the ids table does not point to it".into(),
                ));
            }
            for t in Lookup::ALL
                .into_iter()
                .filter(|t| self.walked.contains(t.name()))
            {
                let (e, f) = (facts.expected[t.slot()], facts.found[t.slot()]);
                if e != f {
                    found.push((
                        facts.name.clone(),
                        format!(
                            "its {} entries do not match its record ({} expected, {} found)",
                            t.name(),
                            e.count,
                            f.count
                        ),
                    ));
                }
            }
        }
        for (record, reason) in found {
            self.damage(record, reason);
        }
    }
}

/// A sums table read in key order: every entry's checksum and link to the
/// one before it are checked on the way; the used entries (count above 0)
/// are handed out in key order.
struct SumsWalk<'r> {
    t: Lookup,
    table: &'r redb::ReadOnlyTable<u64, SealedSums>,
    range: redb::Range<'r, u64, SealedSums>,
    path: &'r std::path::Path,
    /// The key of the last entry read.
    previous: Option<u64>,
    next: Option<(u64, Digest)>,
    started: bool,
    entries: u64,
    damage: Vec<Damage>,
}

impl<'r> SumsWalk<'r> {
    fn new(
        t: Lookup,
        table: &'r redb::ReadOnlyTable<u64, SealedSums>,
        range: redb::Range<'r, u64, SealedSums>,
        path: &'r std::path::Path,
    ) -> Self {
        SumsWalk {
            t,
            table,
            range,
            path,
            previous: None,
            next: None,
            started: false,
            entries: 0,
            damage: Vec::new(),
        }
    }

    fn damage(&mut self, key: u64, reason: impl Into<String>) {
        self.damage.push(Damage {
            record: format!("{} entry {key:#018x}", self.t.name()),
            reason: reason.into(),
        });
    }

    /// Reads on to the next used entry.
    fn advance(&mut self) -> Result<()> {
        self.next = None;
        while let Some(item) = self.range.next() {
            let (key, sealed) = item.map_err(|e| Error::index("cannot read", self.path, e))?;
            let key = key.value();
            self.entries += 1;
            let previous = self.previous.replace(key);
            if !self.found_by_lookup(key)? {
                self.damage(
                    key,
                    "a lookup by its key does not find it (a damaged index page)",
                );
            }
            let Some(entry) = SumEntry::unseal(self.t, key, sealed.value()) else {
                self.damage(key, "its sums do not match their checksum");
                continue;
            };
            if entry.before != previous {
                let name = |k: Option<u64>| k.map_or("none".into(), |k| format!("{k:#018x}"));
                let reason = format!(
                    "it names {} as the entry before it, not {}",
                    name(entry.before),
                    name(previous)
                );
                self.damage(key, reason);
            }
            if entry.digest.count > 0 {
                self.next = Some((key, entry.digest));
                return Ok(());
            }
            if key != END {
                self.damage(key, "its sums are empty but the entry was kept");
            }
        }
        if self.previous != Some(END) {
            self.damage.push(Damage {
                record: format!("table {}", self.t.name()),
                reason: "its sums do not end with the end entry".into(),
            });
        }
        Ok(())
    }

    /// Whether a lookup by `key`, as `check` makes it, finds its entry.
    fn found_by_lookup(&self, key: u64) -> Result<bool> {
        match super::next_sums(self.table, self.t, key, self.path) {
            Ok(at) => Ok(at.key == key),
            Err(Error::DamagedRecord { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The next used entry (`None` after the last).
    fn peek(&mut self) -> Result<Option<(u64, Digest)>> {
        if !self.started {
            self.started = true;
            self.advance()?;
        }
        Ok(self.next)
    }

    /// The digest of `key` (empty when it has no used entry); used entries
    /// of keys below it, which no bucket matched, go to `unmatched`.
    fn take(&mut self, key: u64, mut unmatched: impl FnMut(u64, Digest)) -> Result<Digest> {
        while let Some((k, d)) = self.peek()? {
            if k > key {
                break;
            }
            self.advance()?;
            if k == key {
                return Ok(d);
            }
            unmatched(k, d);
        }
        Ok(Digest::default())
    }

    /// Every used entry left goes to `each`.
    fn rest(&mut self, mut each: impl FnMut(u64, Digest)) -> Result<()> {
        while let Some((k, d)) = self.peek()? {
            self.advance()?;
            each(k, d);
        }
        Ok(())
    }
}

/// The reason part of an error met while walking a table.
fn reason_of(e: &Error) -> String {
    match e {
        Error::NotAnIndex { reason, .. } => reason.clone(),
        Error::DamagedRecord { record, reason, .. } => format!("{record}: {reason}"),
        Error::Index { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}
