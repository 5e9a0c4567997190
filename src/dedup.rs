//! The near-duplicate job end to end: read → normalize → strip boilerplate →
//! shingle → sign → LSH candidates → verify → union-find → representatives.
//!
//! The corpus is streamed: a first pass learns line frequencies (for
//! boilerplate), a second signs articles chunk by chunk on all threads and
//! keeps only signatures and the few facts the keep rule needs; texts are
//! re-read when the cleaned corpus is written. Every record ends up kept,
//! removed as a duplicate of a kept one, or rejected with a reason.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64;

use crate::boilerplate::{self, BoilerplateConfig, LineFrequencies, Reason};
use crate::error::{Error, Result};
use crate::groups::{Candidate, KeepRule, UnionFind};
use crate::ingest::{Corpus, Location, RawRecord, RejectReason};
use crate::lsh::LshParams;
use crate::minhash::{MinHashParams, MinHasher};
use crate::normalize::normalize_lines;
use crate::progress::{Progress, Stage};
use crate::shingle::{Language, ShingleConfig};
use crate::store::ShingleStoreWriter;
use crate::table::{ArticleTable, Row};

/// What to do with a bad record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Reject it (listed in the report) and go on (default).
    #[default]
    Skip,
    /// Stop the run with an error naming the file and line.
    Fail,
}

/// Settings of the near-duplicate job. `Default` gives the documented defaults.
#[derive(Debug, Clone)]
pub struct DedupConfig {
    /// MinHash slots, shingle size, seed and scheme (defaults: 128, 3, 0, one-permutation).
    pub minhash: MinHashParams,
    /// Skip English stopwords before shingling (default false).
    pub skip_stopwords: bool,
    /// Two articles are copies when the Jaccard similarity of their shingle
    /// sets (exact, verified on the stored sets) reaches this (default 0.5) …
    pub threshold: f64,
    /// … or when the share of the shorter one's shingles found in the longer
    /// reaches this (default 0.38; above 1 turns containment off) …
    pub containment: f64,
    /// … and the shorter has at least this many shingles (default 15).
    pub containment_min_shingles: u32,
    /// Jaccard the LSH bands are tuned for (default 0.3); abridged copies
    /// with lower Jaccard are found by the rare-shingle pass.
    pub candidate_threshold: f64,
    /// Explicit bands × rows, overriding `candidate_threshold`.
    pub lsh: Option<LshParams>,
    /// Rare-shingle candidates: articles sharing any single MinHash slot
    /// become candidates when at most this many articles share it (default
    /// 16; 0 turns the pass off). A copy shares rare shingles with its
    /// original even when it is a third as long and its Jaccard is 0.05;
    /// a slot shared by many articles holds a common phrase, not evidence.
    pub rare_bucket: usize,
    /// Which copy is kept (default longest).
    pub keep: KeepRule,
    pub boilerplate: BoilerplateConfig,
    /// Keep the list of stripped lines for a report (default false).
    pub collect_boilerplate: bool,
    pub on_error: OnError,
    /// Keep these input fields' values per article (for `eval`).
    pub label_fields: Vec<String>,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            minhash: MinHashParams::default(),
            skip_stopwords: false,
            threshold: 0.5,
            containment: 0.38,
            containment_min_shingles: 15,
            candidate_threshold: 0.3,
            lsh: None,
            rare_bucket: 16,
            keep: KeepRule::default(),
            boilerplate: BoilerplateConfig::default(),
            collect_boilerplate: false,
            on_error: OnError::default(),
            label_fields: Vec::new(),
        }
    }
}

impl DedupConfig {
    /// The bands × rows this configuration uses.
    pub fn lsh_params(&self) -> LshParams {
        self.lsh.unwrap_or_else(|| {
            LshParams::optimal(self.candidate_threshold, self.minhash.num_perm, 0.5, 0.5)
        })
    }

    fn shingle_config(&self) -> ShingleConfig {
        ShingleConfig {
            ngram: self.minhash.ngram,
            seed: self.minhash.seed,
            skip_stopwords: self.skip_stopwords,
        }
    }

    /// Checks every value.
    ///
    /// # Errors
    /// The first value out of range, by name.
    pub fn validate(&self) -> Result<()> {
        self.minhash.validate()?;
        self.shingle_config().validate()?;
        for (name, v) in [
            ("threshold", self.threshold),
            ("candidate threshold", self.candidate_threshold),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return Err(Error::invalid(name, format!("{v} is not in (0, 1]")));
            }
        }
        if self.containment.is_nan() || self.containment <= 0.0 {
            return Err(Error::invalid(
                "containment",
                format!("{} is not positive", self.containment),
            ));
        }
        self.lsh_params().validate(self.minhash.num_perm)
    }
}

/// A line removed as boilerplate.
#[derive(Debug, Clone, Serialize)]
pub struct StrippedLine {
    /// 1-based line number within the article's text.
    pub line: usize,
    pub text: String,
    pub reason: Reason,
}

/// A rejected record.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub seq: usize,
    pub location: Location,
    pub id: Option<String>,
    pub reason: RejectReason,
}

/// Copies of one article: the kept row and the removed ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicateGroup {
    pub representative: u32,
    pub members: Vec<Member>,
}

/// A removed copy with its estimated similarity to the kept article.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Member {
    pub row: u32,
    /// Jaccard similarity of the shingle sets with the representative's.
    pub similarity: f64,
    /// Share of this article's shingles found in the representative.
    pub containment: f64,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Stats {
    pub records: usize,
    pub kept: usize,
    pub removed: usize,
    pub rejected: usize,
    pub groups: usize,
    pub stripped_lines: usize,
    pub candidate_pairs: usize,
    pub verified_pairs: usize,
}

/// Everything a dedup run found.
#[derive(Debug, Clone)]
pub struct DedupOutcome {
    pub table: ArticleTable,
    pub rejected: Vec<Rejection>,
    pub groups: Vec<DuplicateGroup>,
    /// For each row: `Some(group index)` when it belongs to a duplicate group.
    pub group_of: Vec<Option<u32>>,
    /// Stripped lines per row (only when collected).
    pub stripped: Vec<(u32, Vec<StrippedLine>)>,
    pub lsh: LshParams,
    pub stats: Stats,
    /// The corpus line frequencies learned for boilerplate (when learned),
    /// so later stages strip the same lines.
    pub freq: Option<LineFrequencies>,
}

impl DedupOutcome {
    /// The kept article a row was removed in favour of, if any.
    pub fn duplicate_of(&self, row: u32) -> Option<(u32, &Member)> {
        let g = &self.groups[self.group_of[row as usize]? as usize];
        g.members
            .iter()
            .find(|m| m.row == row)
            .map(|m| (g.representative, m))
    }

    /// Whether the record at this input position is written to the cleaned corpus.
    pub fn kept_seqs(&self) -> Vec<bool> {
        let n = self.stats.records;
        let mut kept = vec![false; n];
        for row in 0..self.table.len() as u32 {
            if self.duplicate_of(row).is_none() {
                kept[self.table.seq(row)] = true;
            }
        }
        kept
    }
}

/// Runs the near-duplicate job; see the module docs.
#[derive(Debug, Clone)]
pub struct Deduplicator {
    config: DedupConfig,
    hasher: MinHasher,
    lsh: LshParams,
}

/// One record after the parallel part of signing.
struct Signed {
    row: Row,
    shingles: Vec<u32>,
    stripped: Vec<StrippedLine>,
}

/// Records read per chunk, and bytes per chunk at most.
const CHUNK_RECORDS: usize = 4096;
const CHUNK_BYTES: usize = 32 << 20;

impl Deduplicator {
    /// Validates the configuration and prepares the hasher.
    ///
    /// # Errors
    /// A configuration value out of range.
    pub fn new(config: DedupConfig) -> Result<Self> {
        config.validate()?;
        let hasher = MinHasher::new(config.minhash)?;
        let lsh = config.lsh_params();
        Ok(Deduplicator {
            config,
            hasher,
            lsh,
        })
    }

    pub fn config(&self) -> &DedupConfig {
        &self.config
    }

    /// Reads, signs and groups the corpus.
    ///
    /// # Errors
    /// I/O errors, and the first bad record when `on_error` is `Fail`.
    pub fn run(&self, corpus: &Corpus, progress: &dyn Progress) -> Result<DedupOutcome> {
        let freq = if self.config.boilerplate.corpus_frequency {
            Some(self.learn_boilerplate(corpus, progress)?)
        } else {
            None
        };
        let (table, rejected, stripped, records) =
            self.sign_all(corpus, freq.as_ref(), progress)?;
        let mut uf = UnionFind::new(table.len());
        let mut stats = Stats {
            records,
            rejected: rejected.len(),
            stripped_lines: stripped.iter().map(|(_, s)| s.len()).sum(),
            ..Stats::default()
        };
        join_exact_copies(&table, &mut uf);
        self.join_candidates(&table, &mut uf, &mut stats, progress);
        let (groups, group_of) = self.choose_representatives(&table, &mut uf);
        stats.groups = groups.len();
        stats.removed = groups.iter().map(|g| g.members.len()).sum();
        stats.kept = table.len() - stats.removed;
        Ok(DedupOutcome {
            table,
            rejected,
            groups,
            group_of,
            stripped,
            lsh: self.lsh,
            stats,
            freq,
        })
    }

    fn learn_boilerplate(
        &self,
        corpus: &Corpus,
        progress: &dyn Progress,
    ) -> Result<LineFrequencies> {
        let mut freq = LineFrequencies::for_corpus_bytes(corpus.total_bytes());
        progress.begin(Stage::LearnBoilerplate, Some(corpus.total_bytes()));
        for_each_chunk(
            corpus,
            progress,
            |raw| raw.parse().ok().map(|a| normalize_lines(&a.text)),
            |_, lines| {
                if let Some(lines) = lines {
                    freq.add_article(lines.iter().map(String::as_str));
                }
                Ok(())
            },
        )?;
        progress.end();
        Ok(freq)
    }

    #[allow(clippy::type_complexity)]
    fn sign_all(
        &self,
        corpus: &Corpus,
        freq: Option<&LineFrequencies>,
        progress: &dyn Progress,
    ) -> Result<(
        ArticleTable,
        Vec<Rejection>,
        Vec<(u32, Vec<StrippedLine>)>,
        usize,
    )> {
        let mut table = ArticleTable::new(self.config.minhash);
        let mut rejected = Vec::new();
        let mut stripped = Vec::new();
        let mut seen = IdRegistry::default();
        let mut store = ShingleStoreWriter::new()?;
        let mut records = 0;
        progress.begin(Stage::Sign, Some(corpus.total_bytes()));
        for_each_chunk(
            corpus,
            progress,
            |raw| self.sign(raw, freq),
            |raw, signed| {
                records += 1;
                let result = signed.and_then(|s| match seen.first(&s.row.id, &table) {
                    Some(first) => Err((
                        Some(s.row.id.clone()),
                        RejectReason::DuplicateId {
                            id: s.row.id,
                            first,
                        },
                    )),
                    None => Ok(s),
                });
                match result {
                    Ok(mut s) => {
                        store.push(&s.shingles)?;
                        s.shingles = Vec::new();
                        let row = table.push(s.row);
                        seen.insert(table.id(row), row);
                        if !s.stripped.is_empty() {
                            stripped.push((row, s.stripped));
                        }
                        Ok(())
                    }
                    Err((id, reason)) => {
                        if self.config.on_error == OnError::Fail {
                            return Err(Error::BadRecord {
                                location: raw.location.clone(),
                                reason,
                            });
                        }
                        rejected.push(Rejection {
                            seq: raw.seq,
                            location: raw.location.clone(),
                            id,
                            reason,
                        });
                        Ok(())
                    }
                }
            },
        )?;
        progress.end();
        table.attach_store(store.finish()?);
        Ok((table, rejected, stripped, records))
    }

    /// Parses, normalizes, strips and signs one record (runs on any thread).
    fn sign(
        &self,
        raw: &RawRecord,
        freq: Option<&LineFrequencies>,
    ) -> Result<Signed, (Option<String>, RejectReason)> {
        let article = raw.parse().map_err(|r| (raw.id_hint(), r))?;
        let lines = normalize_lines(&article.text);
        let verdicts = boilerplate::classify(&lines, &self.config.boilerplate, freq);
        let kept: Vec<&str> = lines
            .iter()
            .zip(&verdicts)
            .filter(|(_, v)| v.is_none())
            .map(|(l, _)| l.as_str())
            .filter(|l| !l.is_empty())
            .collect();
        let stripped = if self.config.collect_boilerplate {
            collect_stripped(&article.text, &verdicts)
        } else {
            Vec::new()
        };
        let lang = Language::from_code(article.lang.as_deref());
        let shingles = self
            .config
            .shingle_config()
            .shingles(kept.iter().copied(), lang);
        let mut slots = vec![0u32; self.config.minhash.num_perm];
        self.hasher.fill_slots(&shingles, &mut slots);
        let compact = ShingleStoreWriter::compact(&shingles);
        let clean_len: usize = kept.iter().map(|l| l.len()).sum();
        let labels = self
            .config
            .label_fields
            .iter()
            .map(|f| {
                article.extra.get(f).map(|v| match v {
                    serde_json::Value::String(s) => Arc::from(s.as_str()),
                    other => Arc::from(other.to_string()),
                })
            })
            .collect();
        Ok(Signed {
            row: Row {
                id: article.id,
                seq: raw.seq,
                location: raw.location.clone(),
                clean_len: u32::try_from(clean_len).unwrap_or(u32::MAX),
                published: article.published,
                source: article.source,
                title: article.title,
                labels,
                slots,
                set_size: u32::try_from(compact.len()).unwrap_or(u32::MAX),
                content_hash: xxh3_64(kept.join("\n").as_bytes()),
            },
            shingles: compact,
            stripped,
        })
    }

    /// LSH candidates band by band (then slot by slot for rare shingles),
    /// verified in parallel, joined in order.
    fn join_candidates(
        &self,
        table: &ArticleTable,
        uf: &mut UnionFind,
        stats: &mut Stats,
        progress: &dyn Progress,
    ) {
        let k = self.config.minhash.num_perm;
        let single = LshParams { bands: k, rows: 1 };
        let rare_passes = if self.config.rare_bucket >= 2 { k } else { 0 };
        progress.begin(
            Stage::Candidates,
            Some((self.lsh.bands + rare_passes) as u64),
        );
        let passes = (0..self.lsh.bands)
            .map(|b| (self.lsh, b, usize::MAX))
            .chain((0..rare_passes).map(|b| (single, b, self.config.rare_bucket)));
        let mut rejected: std::collections::HashSet<u64> = std::collections::HashSet::new();
        for (lsh, band, max_bucket) in passes {
            let buckets = lsh.buckets(
                band,
                table.len(),
                |i| table.slots(i as u32),
                |i| table.set_size(i as u32) == 0,
            );
            let mut pairs = Vec::new();
            for bucket in buckets.iter().filter(|b| b.len() <= max_bucket) {
                pairs_in_bucket(bucket, uf, &mut pairs);
            }
            pairs.retain(|p| !rejected.contains(&pair_key(*p)));
            stats.candidate_pairs += pairs.len();
            let verdicts: Vec<bool> = pairs
                .par_iter()
                .map(|&(a, b)| self.verify_candidate(table, a, b))
                .collect();
            for (&(a, b), ok) in pairs.iter().zip(verdicts) {
                if ok {
                    stats.verified_pairs += 1;
                    uf.union(a, b);
                } else {
                    rejected.insert(pair_key((a, b)));
                }
            }
            progress.advance(1);
        }
        progress.end();
    }

    /// [`Self::verify`] after a cheap signature check: copies agree on
    /// several MinHash slots (an abridged copy at Jaccard 0.07 on about 9 of
    /// 128), so pairs agreeing on fewer than [`MIN_AGREEING_SLOTS`] are not
    /// read from the shingle store at all.
    fn verify_candidate(&self, table: &ArticleTable, a: u32, b: u32) -> bool {
        let agreeing = table
            .slots(a)
            .iter()
            .zip(table.slots(b))
            .filter(|(x, y)| x == y)
            .count();
        (agreeing >= MIN_AGREEING_SLOTS || table.content_hash(a) == table.content_hash(b))
            && self.verify(table, a, b)
    }

    /// Whether a candidate pair really is a copy.
    pub(crate) fn verify(&self, table: &ArticleTable, a: u32, b: u32) -> bool {
        let (small, large) = if table.set_size(a) <= table.set_size(b) {
            (a, b)
        } else {
            (b, a)
        };
        self.accepts(table.set_size(small), table.overlap(small, large))
    }

    /// Whether an exact overlap makes a copy: Jaccard at the threshold, or
    /// containment of the smaller set (of `small_size` shingles) in the larger.
    pub fn accepts(&self, small_size: u32, o: crate::table::Overlap) -> bool {
        o.jaccard >= self.config.threshold
            || (small_size >= self.config.containment_min_shingles
                && o.containment >= self.config.containment)
    }

    /// Splits each connected component into stars: rows in keep-rule order,
    /// each joining the most similar earlier representative it verifies
    /// against directly, or becoming one. A short article contained in two
    /// unrelated ones therefore cannot chain them into one group, and every
    /// removed article is a verified copy of the one it points to.
    fn choose_representatives(
        &self,
        table: &ArticleTable,
        uf: &mut UnionFind,
    ) -> (Vec<DuplicateGroup>, Vec<Option<u32>>) {
        let candidate = |r: u32| Candidate {
            clean_len: table.clean_len(r),
            published: table.published(r),
            source: table.source(r),
        };
        let stars: Vec<Vec<DuplicateGroup>> = uf
            .groups()
            .into_par_iter()
            .map(|mut rows| {
                rows.sort_by(|&a, &b| {
                    self.config
                        .keep
                        .compare(&candidate(a), &candidate(b))
                        .then(a.cmp(&b))
                });
                self.stars(table, &rows)
            })
            .collect();
        let mut groups: Vec<DuplicateGroup> = stars.into_iter().flatten().collect();
        groups.sort_by_key(|g| g.representative);
        let mut group_of = vec![None; table.len()];
        for (g, group) in groups.iter().enumerate() {
            group_of[group.representative as usize] = Some(g as u32);
            for m in &group.members {
                group_of[m.row as usize] = Some(g as u32);
            }
        }
        (groups, group_of)
    }

    /// Star clustering of one component whose rows are in keep-rule order.
    fn stars(&self, table: &ArticleTable, rows: &[u32]) -> Vec<DuplicateGroup> {
        let mut groups: Vec<DuplicateGroup> = Vec::new();
        for &row in rows {
            let mut best: Option<(crate::table::Overlap, usize)> = None;
            for (i, g) in groups.iter().enumerate() {
                let rep = g.representative;
                let exact_copy = table.content_hash(rep) == table.content_hash(row);
                if exact_copy || self.verify(table, row, rep) {
                    let o = table.overlap(row, rep);
                    if best.is_none_or(|(b, _)| o.jaccard > b.jaccard) {
                        best = Some((o, i));
                    }
                }
            }
            match best {
                Some((o, i)) => groups[i].members.push(Member {
                    row,
                    similarity: round4(o.jaccard),
                    containment: round4(o.containment),
                }),
                None => groups.push(DuplicateGroup {
                    representative: row,
                    members: Vec::new(),
                }),
            }
        }
        groups.retain(|g| !g.members.is_empty());
        for g in &mut groups {
            g.members.sort_by_key(|m| m.row);
        }
        groups
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Articles whose cleaned text is identical are copies whatever their shingles.
fn join_exact_copies(table: &ArticleTable, uf: &mut UnionFind) {
    let mut first: HashMap<u64, u32> = HashMap::new();
    for row in 0..table.len() as u32 {
        let h = table.content_hash(row);
        match first.get(&h) {
            Some(&f) => {
                uf.union(f, row);
            }
            None => {
                first.insert(h, row);
            }
        }
    }
}

/// See [`Deduplicator::verify_candidate`].
pub(crate) const MIN_AGREEING_SLOTS: usize = 2;

fn pair_key((a, b): (u32, u32)) -> u64 {
    (u64::from(a.min(b)) << 32) | u64::from(a.max(b))
}

/// Buckets larger than this are not compared all against all: each member
/// is compared with the first `BUCKET_LEADERS` distinct groups of the bucket.
const BUCKET_LEADERS: usize = 64;

fn pairs_in_bucket(bucket: &[u32], uf: &mut UnionFind, out: &mut Vec<(u32, u32)>) {
    if bucket.len() <= BUCKET_LEADERS {
        for (i, &a) in bucket.iter().enumerate() {
            for &b in &bucket[i + 1..] {
                if uf.find(a) != uf.find(b) {
                    out.push((a, b));
                }
            }
        }
        return;
    }
    let mut leaders: Vec<(u32, u32)> = Vec::new();
    for &m in bucket {
        let root = uf.find(m);
        for &(leader, leader_root) in &leaders {
            if leader_root != root {
                out.push((leader, m));
            }
        }
        if leaders.len() < BUCKET_LEADERS && leaders.iter().all(|&(_, r)| r != root) {
            leaders.push((m, root));
        }
    }
}

fn collect_stripped(text: &str, verdicts: &[Option<Reason>]) -> Vec<StrippedLine> {
    text.split('\n')
        .zip(verdicts)
        .enumerate()
        .filter_map(|(i, (line, v))| {
            v.map(|reason| StrippedLine {
                line: i + 1,
                text: line.trim().to_string(),
                reason,
            })
        })
        .collect()
}

/// Ids seen so far, for duplicate-id detection, keyed by a 64-bit hash.
#[derive(Default)]
struct IdRegistry {
    rows: HashMap<u64, u32>,
    collisions: HashMap<Box<str>, u32>,
}

impl IdRegistry {
    fn first(&self, id: &str, table: &ArticleTable) -> Option<Location> {
        let row = match self.rows.get(&xxh3_64(id.as_bytes())) {
            Some(&r) if table.id(r) == id => Some(r),
            Some(_) => self.collisions.get(id).copied(),
            None => None,
        };
        row.map(|r| table.location(r).clone())
    }

    fn insert(&mut self, id: &str, row: u32) {
        let key = xxh3_64(id.as_bytes());
        match self.rows.entry(key) {
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collisions.insert(id.into(), row);
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(row);
            }
        }
    }
}

/// Reads the corpus in chunks; `map` runs on all threads, `absorb` sees
/// every record and its result in input order. Reading the next chunk
/// overlaps with mapping the current one.
pub(crate) fn for_each_chunk<T: Send>(
    corpus: &Corpus,
    progress: &dyn Progress,
    map: impl Fn(&RawRecord) -> T + Sync,
    mut absorb: impl FnMut(&RawRecord, T) -> Result<()>,
) -> Result<()> {
    let mut records = corpus.records();
    let mut chunk = read_chunk(&mut records)?;
    while !chunk.is_empty() {
        let (next, mapped) = rayon::join(
            || read_chunk(&mut records),
            || chunk.par_iter().map(&map).collect::<Vec<T>>(),
        );
        let bytes: usize = chunk.iter().map(RawRecord::len).sum();
        for (raw, value) in chunk.iter().zip(mapped) {
            absorb(raw, value)?;
        }
        progress.advance(bytes as u64);
        chunk = next?;
    }
    Ok(())
}

fn read_chunk(records: &mut crate::ingest::Records<'_>) -> Result<Vec<RawRecord>> {
    let mut chunk = Vec::new();
    let mut bytes = 0;
    for record in records.by_ref() {
        let record = record?;
        bytes += record.len();
        chunk.push(record);
        if chunk.len() >= CHUNK_RECORDS || bytes >= CHUNK_BYTES {
            break;
        }
    }
    Ok(chunk)
}
