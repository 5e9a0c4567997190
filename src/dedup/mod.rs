//! The near-duplicate job end to end: read → normalize → strip boilerplate →
//! shingle → sign → LSH candidates → verify → union-find → representatives.
//!
//! The corpus is streamed: a first pass learns line frequencies (for
//! boilerplate), a second signs articles chunk by chunk on all threads and
//! keeps only signatures and the few facts the keep rule needs; texts are
//! re-read when the cleaned corpus is written. Every record ends up kept,
//! removed as a duplicate of a kept one, or rejected with a reason.

pub mod groups;
pub mod store;
pub mod table;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use crate::article::{Location, RejectReason};
use crate::dedup::groups::{Candidate, KeepRule, UnionFind};
use crate::dedup::store::{Compact, ShingleStoreWriter};
use crate::dedup::table::{ArticleTable, Row};
use crate::error::{Error, Result};
use crate::ingest::{Corpus, RawRecord};
use crate::progress::{Progress, Stage};
use crate::sketch::lsh::LshParams;
use crate::sketch::minhash::{agreeing_slots, MinHashParams, MinHasher};
use crate::sketch::shingle::{Language, ShingleConfig};
use crate::text::boilerplate::{self, BoilerplateConfig, LineFrequencies, Reason};
use crate::text::normalize::normalize_lines;

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
    /// … and the shorter has at least this many shingles (default 15) …
    pub containment_min_shingles: u32,
    /// … and at least this share of the shingles they share occur in the
    /// same order in both texts (default 0.75; 0 turns it off). Copies keep
    /// their text's order; reports of one event that share names and stock
    /// phrases use them in other sentences, in another order.
    pub containment_order: f64,
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
            containment_order: 0.75,
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
        if !(0.0..=1.0).contains(&self.containment_order) {
            return Err(Error::invalid(
                "containment order",
                format!("{} is not in [0, 1]", self.containment_order),
            ));
        }
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

/// A removed copy with its similarity to the kept article.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Member {
    pub row: u32,
    /// Jaccard similarity of the shingle sets with the representative's.
    pub similarity: f64,
    /// Share of this article's shingles found in the representative.
    pub containment: f64,
    /// Share of the shingles they share that occur in the same order in
    /// both texts.
    pub in_order: f64,
    /// The removed copy this one verified against, when it did not verify
    /// against the representative itself (see [`Deduplicator`]'s stars).
    pub via: Option<u32>,
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
    /// Candidate pairs whose sets were read (the rest failed the
    /// signature check, [`Deduplicator::plausible`]).
    pub sets_read: usize,
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
    /// `min_agreeing[q]`: fewest agreeing slots a pair whose weakest
    /// acceptable Jaccard is `q / JACCARD_STEPS` shows with probability
    /// at least [`MISS_PROBABILITY`].
    min_agreeing: Vec<u16>,
}

/// One record after the parallel part of signing.
struct Signed {
    row: Row,
    shingles: Compact,
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
        let min_agreeing = (0..=JACCARD_STEPS)
            .map(|q| binomial_quantile(config.minhash.num_perm, q as f64 / JACCARD_STEPS as f64))
            .collect();
        Ok(Deduplicator {
            config,
            hasher,
            lsh,
            min_agreeing,
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
        table.store_health()?;
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
            |raw| {
                raw.text().map(|text| {
                    let lines = normalize_lines(&text);
                    LineFrequencies::article_keys(lines.iter().map(String::as_str))
                })
            },
            |_, keys| {
                if let Some(keys) = keys {
                    freq.add_keys(&keys);
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
                        s.shingles = Compact::default();
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
        let parsed = if self.config.label_fields.is_empty() {
            raw.parse_known()
        } else {
            raw.parse()
        };
        let article = parsed.map_err(|r| (raw.id_hint(), r))?;
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
            .shingle_hashes(kept.iter().copied(), lang);
        let mut slots = vec![0u32; self.config.minhash.num_perm];
        self.hasher.fill_slots(&shingles, &mut slots);
        let compact = Compact::of(&shingles);
        let clean_len: usize = kept.iter().map(|l| l.len()).sum();
        let mut content = Xxh3::new();
        for (i, line) in kept.iter().enumerate() {
            if i > 0 {
                content.update(b"\n");
            }
            content.update(line.as_bytes());
        }
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
                set_size: u32::try_from(compact.set.len()).unwrap_or(u32::MAX),
                content_hash: content.digest(),
            },
            shingles: compact,
            stripped,
        })
    }

    /// LSH candidates band by band, verified in parallel and joined in
    /// order; then the rare-shingle pass ([`Self::join_rare`]).
    fn join_candidates(
        &self,
        table: &ArticleTable,
        uf: &mut UnionFind,
        stats: &mut Stats,
        progress: &dyn Progress,
    ) {
        let k = self.config.minhash.num_perm;
        let rare = self.config.rare_bucket >= 2;
        let blocks = if rare { k.div_ceil(RARE_BLOCK) } else { 0 };
        progress.begin(Stage::Candidates, Some((self.lsh.bands + blocks) as u64));
        let mut rejected: std::collections::HashSet<u64> = std::collections::HashSet::new();
        for band in 0..self.lsh.bands {
            let buckets = self.lsh.buckets(
                band,
                table.len(),
                |i| table.slots(i as u32),
                |i| table.set_size(i as u32) == 0,
            );
            let mut pairs = Vec::new();
            for bucket in &buckets {
                pairs_in_bucket(bucket, uf, &mut pairs);
            }
            pairs.retain(|p| !rejected.contains(&pair_key(*p)));
            stats.candidate_pairs += pairs.len();
            let verdicts: Vec<Option<bool>> = pairs
                .par_iter()
                .map(|&(a, b)| self.verify_candidate(table, a, b))
                .collect();
            stats.sets_read += verdicts.iter().filter(|v| v.is_some()).count();
            for (&(a, b), verdict) in pairs.iter().zip(verdicts) {
                if verdict == Some(true) {
                    stats.verified_pairs += 1;
                    uf.union(a, b);
                } else {
                    rejected.insert(pair_key((a, b)));
                }
            }
            progress.advance(1);
        }
        if rare {
            self.join_rare(table, uf, stats, progress);
        }
        progress.end();
    }

    /// Rare-shingle candidates: articles sharing a MinHash slot value that
    /// at most `rare_bucket` articles share. A copy shares rare shingles
    /// with its original even when it is a third as long and its Jaccard is
    /// 0.05; a slot shared by many articles holds a common phrase.
    ///
    /// Slots are taken [`RARE_BLOCK`] at a time, their rare buckets found by
    /// sorting on all threads. Each pair is considered once, at the first
    /// slot where it shares a rare bucket (earlier blocks leave a bit per
    /// article and slot), and only when the band pass left it in two
    /// groups; pairs are checked and verified on all threads, and the
    /// verified ones joined in sorted order, so the result does not depend
    /// on the number of threads.
    fn join_rare(
        &self,
        table: &ArticleTable,
        uf: &mut UnionFind,
        stats: &mut Stats,
        progress: &dyn Progress,
    ) {
        let k = self.config.minhash.num_perm;
        let n = table.len();
        let words = k.div_ceil(64);
        let mut rare_bits = vec![0u64; n * words];
        let roots: Vec<u32> = (0..n as u32).map(|r| uf.find(r)).collect();
        let mut verified = Vec::new();
        for block in (0..k).step_by(RARE_BLOCK) {
            let slots: Vec<usize> = (block..(block + RARE_BLOCK).min(k)).collect();
            let buckets: Vec<RareBuckets> = slots
                .par_iter()
                .map(|&slot| {
                    // Slot value in the high half, row in the low half.
                    let keys: Vec<u64> = (0..n as u32)
                        .filter(|&r| table.set_size(r) > 0)
                        .map(|r| u64::from(table.slots(r)[slot]) << 32 | u64::from(r))
                        .collect();
                    let keys = sort_by_high_half(keys);
                    let mut rare = RareBuckets {
                        slot,
                        members: Vec::new(),
                        ends: Vec::new(),
                    };
                    for run in keys.chunk_by(|a, b| a >> 32 == b >> 32) {
                        if run.len() >= 2 && run.len() <= self.config.rare_bucket {
                            rare.members.extend(run.iter().map(|&k| k as u32));
                            rare.ends.push(rare.members.len() as u32);
                        }
                    }
                    rare
                })
                .collect();
            for rare in &buckets {
                for &r in &rare.members {
                    rare_bits[r as usize * words + rare.slot / 64] |= 1 << (rare.slot % 64);
                }
            }
            let bits = |r: u32| &rare_bits[r as usize * words..(r as usize + 1) * words];
            let ((checked, read), found) = buckets
                .par_iter()
                .flat_map_iter(|rare| rare.iter().map(move |b| (rare.slot, b)))
                .fold(
                    || ((0usize, 0usize), Vec::new()),
                    |((mut checked, mut read), mut ok), (slot, bucket)| {
                        // Each member's set is read once per bucket, when needed.
                        let mut sets: Vec<Option<Vec<u32>>> = Vec::new();
                        for (i, &a) in bucket.iter().enumerate() {
                            for (j, &b) in bucket.iter().enumerate().skip(i + 1) {
                                if roots[a as usize] == roots[b as usize] {
                                    continue;
                                }
                                let (sa, sb) = (table.slots(a), table.slots(b));
                                if agree_on_earlier_rare_slot(sa, sb, bits(a), bits(b), slot) {
                                    continue;
                                }
                                checked += 1;
                                if !self.worth_reading(table, a, b, agreeing_slots(sa, sb)) {
                                    continue;
                                }
                                read += 1;
                                sets.resize(bucket.len(), None);
                                for k in [i, j] {
                                    if sets[k].is_none() {
                                        sets[k] = Some(table.shingle_set(bucket[k]));
                                    }
                                }
                                let (x, y) = (sets[i].as_deref(), sets[j].as_deref());
                                if self.verify_sets(
                                    table,
                                    (a, b),
                                    x.unwrap_or(&[]),
                                    y.unwrap_or(&[]),
                                ) {
                                    ok.push((a.min(b), a.max(b)));
                                }
                            }
                        }
                        ((checked, read), ok)
                    },
                )
                .reduce(
                    || ((0, 0), Vec::new()),
                    |((c1, r1), mut v1), ((c2, r2), v2)| {
                        v1.extend(v2);
                        ((c1 + c2, r1 + r2), v1)
                    },
                );
            stats.candidate_pairs += checked;
            stats.sets_read += read;
            verified.extend(found);
            progress.advance(1);
        }
        verified.sort_unstable();
        stats.verified_pairs += verified.len();
        for (a, b) in verified {
            uf.union(a, b);
        }
    }

    /// [`Self::verify`] after a cheap signature check (see
    /// [`Self::plausible`]; identical cleaned texts always pass): `None`
    /// when the sets were not worth reading.
    fn verify_candidate(&self, table: &ArticleTable, a: u32, b: u32) -> Option<bool> {
        let agreeing = agreeing_slots(table.slots(a), table.slots(b));
        self.worth_reading(table, a, b, agreeing)
            .then(|| self.verify(table, a, b))
    }

    fn worth_reading(&self, table: &ArticleTable, a: u32, b: u32, agreeing: usize) -> bool {
        table.content_hash(a) == table.content_hash(b)
            || self.plausible(agreeing, table.set_size(a), table.set_size(b))
    }

    /// Whether two articles of these set sizes, agreeing on `agreeing`
    /// MinHash slots, can be copies, so that their sets are worth reading.
    ///
    /// The sizes give the weakest Jaccard at which the pair could still be
    /// accepted (the threshold, or the containment rule when the smaller set
    /// is a share of the larger). A pair at that Jaccard agrees on a slot
    /// with that probability, independently per slot; pairs agreeing on
    /// fewer slots than copies do with probability [`MISS_PROBABILITY`]
    /// are rejected unread. Candidates from common phrases agree on one to
    /// a few slots; copies of similar length on dozens.
    pub(crate) fn plausible(&self, agreeing: usize, size_a: u32, size_b: u32) -> bool {
        let (s, l) = (f64::from(size_a.min(size_b)), f64::from(size_a.max(size_b)));
        let mut weakest = self.config.threshold;
        let c = self.config.containment;
        if c <= 1.0 && size_a.min(size_b) >= self.config.containment_min_shingles {
            weakest = weakest.min(c * s / (s + l - c * s));
        }
        let q = (weakest.clamp(0.0, 1.0) * JACCARD_STEPS as f64).floor() as usize;
        agreeing >= usize::from(self.min_agreeing[q])
    }

    /// Whether a candidate pair really is a copy.
    pub(crate) fn verify(&self, table: &ArticleTable, a: u32, b: u32) -> bool {
        let (na, nb) = (table.set_size(a) as usize, table.set_size(b) as usize);
        let (small, large) = (na.min(nb), na.max(nb));
        match self.needed_intersection(small, large) {
            Some(need) => {
                table.overlap_reaches(a, b, need) && self.confirm(table, a, b, small, large, need)
            }
            None => false,
        }
    }

    /// [`Self::verify`] on the sets of rows `a` and `b`, already read.
    fn verify_sets(
        &self,
        table: &ArticleTable,
        (a, b): (u32, u32),
        sa: &[u32],
        sb: &[u32],
    ) -> bool {
        let (small, large) = (sa.len().min(sb.len()), sa.len().max(sb.len()));
        match self.needed_intersection(small, large) {
            Some(need) => {
                crate::dedup::store::intersection_reaches(sa, sb, need)
                    && self.confirm(table, a, b, small, large, need)
            }
            None => false,
        }
    }

    /// Whether sets of these sizes that share at least `need` shingles (the
    /// fewest any rule accepts) are copies: at once when that many shared
    /// shingles reach the Jaccard threshold or order is not checked; else
    /// on the exact overlap, order included.
    fn confirm(
        &self,
        table: &ArticleTable,
        a: u32,
        b: u32,
        small: usize,
        large: usize,
        need: usize,
    ) -> bool {
        self.config.containment_order <= 0.0
            || crate::dedup::table::Overlap::at_best(small, large, need).jaccard
                >= self.config.threshold
            || self.accepts(
                small as u32,
                crate::dedup::table::Overlap::of_counts(small, large, table.shared_in_order(a, b)),
            )
    }

    /// [`Self::verify`] for callers that also need the overlap: the
    /// overlap of `a` with `b` (containment is `a`'s share) when the pair is
    /// a copy. The sets are read once more, with their order, only when
    /// the shared count passes, and that one read serves both.
    fn verified_overlap(
        &self,
        table: &ArticleTable,
        a: u32,
        b: u32,
    ) -> Option<crate::dedup::table::Overlap> {
        let (na, nb) = (table.set_size(a) as usize, table.set_size(b) as usize);
        let (small, large) = (na.min(nb), na.max(nb));
        let need = self.needed_intersection(small, large)?;
        if !table.overlap_reaches(a, b, need) {
            return None;
        }
        let shared = table.shared_in_order(a, b);
        let judged = crate::dedup::table::Overlap::of_counts(small, large, shared);
        self.accepts(small as u32, judged)
            .then(|| crate::dedup::table::Overlap::of_counts(na, nb, shared))
    }

    /// The fewest shared shingles with which sets of these sizes are
    /// accepted (acceptance only grows with the intersection), or `None`
    /// when even full overlap is not (an empty set).
    fn needed_intersection(&self, small: usize, large: usize) -> Option<usize> {
        let ok = |inter: usize| {
            small > 0
                && self.accepts(
                    small as u32,
                    crate::dedup::table::Overlap::at_best(small, large, inter),
                )
        };
        if !ok(small) {
            return None;
        }
        let (mut lo, mut hi) = (0, small);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if ok(mid) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Some(lo)
    }

    /// Whether an exact overlap makes a copy: Jaccard at the threshold, or
    /// containment of the smaller set (of `small_size` shingles) in the
    /// larger, with the shared shingles in the same order.
    pub fn accepts(&self, small_size: u32, o: crate::dedup::table::Overlap) -> bool {
        o.jaccard >= self.config.threshold
            || (small_size >= self.config.containment_min_shingles
                && o.containment >= self.config.containment
                && o.in_order >= self.config.containment_order)
    }

    /// Splits each connected component into stars: rows in keep-rule order,
    /// each joining the most similar earlier representative it verifies
    /// against directly, or becoming one. A short article contained in two
    /// unrelated ones therefore cannot chain them into one group, and every
    /// removed article is a verified copy of the one it points to.
    ///
    /// One step further is allowed: a row that verifies against no
    /// representative joins through a removed member (not much smaller,
    /// [`VIA_MIN_SIZE_RATIO`]) that it verifies against, when it also
    /// shares [`VIA_MIN_CONTAINMENT`] of the smaller set with that
    /// member's representative. That keeps a heavily edited copy of an
    /// original whose longer syndicated copy was kept (it matches the
    /// original, not the copy's additions) out of the cleaned corpus; the
    /// report names the member it matched (`via`). Rows left alone are
    /// offered this step again once the component is placed, as the member
    /// they match may come later in keep-rule order.
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

    /// Star clustering of one component whose rows are in keep-rule order
    /// (see [`Self::choose_representatives`]).
    ///
    /// Stars are placed, then checked: a member that joined its
    /// representative by containment alone, and that an article left
    /// alone matches while the representative does not, is an original with
    /// copies of its own that shares some text with a longer story (two
    /// reports built on one wire item), not an abridged copy of it. It is
    /// kept apart from that representative and the stars are placed again,
    /// until none secedes (components up to [`MAX_SECESSION_COMPONENT`]).
    fn stars(&self, table: &ArticleTable, rows: &[u32]) -> Vec<DuplicateGroup> {
        let mut barred = HashSet::new();
        loop {
            let groups = self.place(table, rows, &barred);
            if rows.len() > MAX_SECESSION_COMPONENT {
                return groups;
            }
            // A barred pair is never placed together again, so each round
            // bars new pairs and the loop ends; the length check makes sure.
            let before = barred.len();
            barred.extend(self.secessions(table, rows, &groups));
            if barred.len() == before {
                return groups;
            }
        }
    }

    /// The (member, representative) pairs to keep apart (see [`Self::stars`]).
    fn secessions(
        &self,
        table: &ArticleTable,
        rows: &[u32],
        groups: &[DuplicateGroup],
    ) -> Vec<(u32, u32)> {
        let grouped: HashSet<u32> = groups
            .iter()
            .flat_map(|g| std::iter::once(g.representative).chain(g.members.iter().map(|m| m.row)))
            .collect();
        let alone: Vec<u32> = rows
            .iter()
            .copied()
            .filter(|r| !grouped.contains(r))
            .collect();
        let mut out = Vec::new();
        for g in groups {
            let rep = g.representative;
            for m in g.members.iter().filter(|m| m.via.is_none()) {
                let by_containment = table.content_hash(m.row) != table.content_hash(rep)
                    && table.jaccard(m.row, rep) < self.config.threshold;
                let followed = by_containment
                    && alone
                        .iter()
                        .any(|&r| self.verify(table, r, m.row) && !self.verify(table, r, rep));
                if followed {
                    out.push((m.row, rep));
                }
            }
        }
        out
    }

    /// One placement of the stars: rows in keep-rule order join the most
    /// similar representative they verify against (or a member, `via`),
    /// except a representative they are barred from.
    fn place(
        &self,
        table: &ArticleTable,
        rows: &[u32],
        barred: &HashSet<(u32, u32)>,
    ) -> Vec<DuplicateGroup> {
        let mut groups: Vec<DuplicateGroup> = Vec::new();
        let mut unplaced = Vec::new();
        for &row in rows {
            let mut best: Option<(crate::dedup::table::Overlap, usize)> = None;
            for (i, g) in groups.iter().enumerate() {
                let rep = g.representative;
                if barred.contains(&(row, rep)) {
                    continue;
                }
                let exact_copy = table.content_hash(rep) == table.content_hash(row);
                let verified = if exact_copy {
                    Some(table.overlap(row, rep))
                } else {
                    self.verified_overlap(table, row, rep)
                };
                if let Some(o) = verified {
                    if best.is_none_or(|(b, _)| o.jaccard > b.jaccard) {
                        best = Some((o, i));
                    }
                }
            }
            if let Some((o, i)) = best {
                groups[i].members.push(Member {
                    row,
                    similarity: round4(o.jaccard),
                    containment: round4(o.containment),
                    in_order: round4(o.in_order),
                    via: None,
                });
            } else if !self.join_through_member(table, &mut groups, row, barred) {
                unplaced.push(groups.len());
                groups.push(DuplicateGroup {
                    representative: row,
                    members: Vec::new(),
                });
            }
        }
        // A row met before the member it matches (longer than that copy,
        // yet not verifying against the representative) gets the step
        // through a member once every row is placed. Its own group stays
        // empty and is dropped below (only groups with members are joined).
        for i in unplaced {
            let row = groups[i].representative;
            if groups[i].members.is_empty() {
                self.join_through_member(table, &mut groups, row, barred);
            }
        }
        groups.retain(|g| !g.members.is_empty());
        for g in &mut groups {
            g.members.sort_by_key(|m| m.row);
        }
        groups
    }

    /// Adds the row to the group of its [`Self::best_member`], if any.
    fn join_through_member(
        &self,
        table: &ArticleTable,
        groups: &mut [DuplicateGroup],
        row: u32,
        barred: &HashSet<(u32, u32)>,
    ) -> bool {
        let Some((i, via)) = self.best_member(table, groups, row, barred) else {
            return false;
        };
        let o = table.overlap(row, groups[i].representative);
        groups[i].members.push(Member {
            row,
            similarity: round4(o.jaccard),
            containment: round4(o.containment),
            in_order: round4(o.in_order),
            via: Some(via),
        });
        true
    }

    /// The most similar direct member (of a set at least
    /// [`VIA_MIN_SIZE_RATIO`] of the row's) that the row verifies against,
    /// when the row also overlaps the member's representative by
    /// [`VIA_MIN_CONTAINMENT`] (see [`Self::choose_representatives`]):
    /// (group index, member row).
    fn best_member(
        &self,
        table: &ArticleTable,
        groups: &[DuplicateGroup],
        row: u32,
        barred: &HashSet<(u32, u32)>,
    ) -> Option<(usize, u32)> {
        let mut best: Option<(crate::dedup::table::Overlap, usize, u32)> = None;
        for (i, g) in groups.iter().enumerate() {
            let rep = g.representative;
            if g.members.is_empty() || barred.contains(&(row, rep)) {
                continue;
            }
            let (small, large) = if table.set_size(row) <= table.set_size(rep) {
                (row, rep)
            } else {
                (rep, row)
            };
            if table.containment(small, large) < VIA_MIN_CONTAINMENT {
                continue;
            }
            for m in g.members.iter().filter(|m| m.via.is_none()) {
                let large_enough = f64::from(table.set_size(m.row))
                    >= VIA_MIN_SIZE_RATIO * f64::from(table.set_size(row));
                let verified = large_enough
                    .then(|| self.verified_overlap(table, row, m.row))
                    .flatten();
                if let Some(o) = verified {
                    if best.is_none_or(|(b, _, _)| o.jaccard > b.jaccard) {
                        best = Some((o, i, m.row));
                    }
                }
            }
        }
        best.map(|(_, i, m)| (i, m))
    }
}

/// Share of the smaller set a row joining through a member must still
/// share with the group's representative. Measured on the heavy tier of
/// the generated benchmark: 0.25 adds recall without merging a hard
/// negative more; no floor merges twice as many.
const VIA_MIN_CONTAINMENT: f64 = 0.25;

/// Smallest member, relative to the row, a row may join through: copy
/// edits that insert words make a copy a little longer than the original
/// it matches. Measured on the heavy tier: 0.8 joins what any smaller
/// ratio does (the floor above already keeps unrelated stories apart);
/// 1.0 misses those copies.
const VIA_MIN_SIZE_RATIO: f64 = 0.8;

/// Largest component whose stars are checked for secessions.
const MAX_SECESSION_COMPONENT: usize = 64;

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

/// The rare buckets of one slot, flattened: bucket `i` is
/// `members[ends[i - 1]..ends[i]]`.
struct RareBuckets {
    slot: usize,
    members: Vec<u32>,
    ends: Vec<u32>,
}

impl RareBuckets {
    fn iter(&self) -> impl Iterator<Item = &[u32]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(a, &b)| &self.members[a as usize..b as usize])
    }
}

/// Sorts keys by their high 32 bits, keeping input order among equals (so
/// ascending when the input is): a two-pass radix sort on 16-bit digits,
/// several times faster than a comparison sort for the row counts of a corpus.
fn sort_by_high_half(mut keys: Vec<u64>) -> Vec<u64> {
    if keys.len() < 1 << 12 {
        keys.sort_unstable_by_key(|k| k >> 32);
        return keys;
    }
    let mut out = vec![0u64; keys.len()];
    for shift in [32, 48] {
        let mut counts = vec![0usize; 1 << 16];
        for &k in &keys {
            counts[(k >> shift) as usize & 0xffff] += 1;
        }
        let mut total = 0;
        for c in &mut counts {
            let here = *c;
            *c = total;
            total += here;
        }
        for &k in &keys {
            let d = (k >> shift) as usize & 0xffff;
            out[counts[d]] = k;
            counts[d] += 1;
        }
        std::mem::swap(&mut keys, &mut out);
    }
    keys
}

/// Slots whose rare buckets are found together by [`Deduplicator::join_rare`].
const RARE_BLOCK: usize = 16;

/// Whether two signatures agree on a slot before `slot` where both
/// articles were in a rare bucket (then the same one): the slot where an
/// earlier pass already paired them.
fn agree_on_earlier_rare_slot(
    sa: &[u32],
    sb: &[u32],
    a_bits: &[u64],
    b_bits: &[u64],
    slot: usize,
) -> bool {
    for (w, (x, y)) in a_bits.iter().zip(b_bits).enumerate() {
        if w * 64 >= slot {
            break;
        }
        let below = if (w + 1) * 64 <= slot {
            u64::MAX
        } else {
            (1u64 << (slot - w * 64)) - 1
        };
        let mut both = x & y & below;
        while both != 0 {
            let j = w * 64 + both.trailing_zeros() as usize;
            if sa[j] == sb[j] {
                return true;
            }
            both &= both - 1;
        }
    }
    false
}

/// Chance that [`Deduplicator::plausible`] turns away a pair at exactly
/// the weakest acceptable Jaccard (pairs above it are turned away less often).
pub const MISS_PROBABILITY: f64 = 1e-4;

/// Resolution of the table of [`Deduplicator::plausible`] (rounded down,
/// so the test errs towards reading the sets).
const JACCARD_STEPS: usize = 1024;

/// The largest `m` with P(Binomial(k, p) < m) <= [`MISS_PROBABILITY`]:
/// the fewest agreeing slots to expect from a pair at Jaccard `p`.
fn binomial_quantile(k: usize, p: f64) -> u16 {
    if p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return u16::try_from(k).unwrap_or(u16::MAX);
    }
    let (ln_p, ln_q) = (p.ln(), (-p).ln_1p());
    // ln P(X = i), updated term by term; P(X < m) summed until it passes.
    let mut ln_pmf = k as f64 * ln_q;
    let mut below = 0.0;
    for m in 0..=k {
        below += ln_pmf.exp();
        if below > MISS_PROBABILITY {
            return u16::try_from(m).unwrap_or(u16::MAX);
        }
        ln_pmf += ((k - m) as f64).ln() - ((m + 1) as f64).ln() + ln_p - ln_q;
    }
    u16::try_from(k).unwrap_or(u16::MAX)
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::InputSpec;
    use crate::progress::Silent;
    use crate::sketch::minhash::splitmix64;
    use std::io::Write;

    /// A random corpus with planted copies: `originals` articles of 90-200
    /// words (a third drawn from 200 common words, so phrases recur across
    /// articles), and for half of them one or two copies: whole with 3% of
    /// words replaced, and the first quarter with 12% replaced (Jaccard
    /// near 0.15: the bands seldom find those, the rare-shingle pass does).
    fn planted_corpus(seed: u64, originals: usize) -> tempfile::NamedTempFile {
        let mut s = seed;
        let word = |s: &mut u64| {
            let r = splitmix64(s);
            if r % 3 == 0 {
                format!("c{}", r % 200)
            } else {
                format!("w{}", r % 20_000)
            }
        };
        let mut out = tempfile::NamedTempFile::new().unwrap();
        for o in 0..originals {
            let len = 90 + (splitmix64(&mut s) % 110) as usize;
            let words: Vec<String> = (0..len).map(|_| word(&mut s)).collect();
            let mut texts = vec![words.clone()];
            if o % 2 == 0 {
                for c in 0..1 + splitmix64(&mut s) % 2 {
                    let (keep, edit) = [(len, 0.03), (len / 4, 0.12)][c as usize];
                    let copy = words[..keep]
                        .iter()
                        .map(|w| {
                            if (splitmix64(&mut s) % 1000) as f64 / 1000.0 < edit {
                                word(&mut s)
                            } else {
                                w.clone()
                            }
                        })
                        .collect();
                    texts.push(copy);
                }
            }
            for (c, t) in texts.iter().enumerate() {
                let lines: Vec<String> = t.chunks(20).map(|l| l.join(" ") + ".").collect();
                let rec = serde_json::json!({"id": format!("a{o}-{c}"), "text": lines.join("\n")});
                writeln!(out, "{rec}").unwrap();
            }
        }
        out.flush().unwrap();
        out
    }

    /// Pairs an all-pairs exact pass accepts, and how many of them the run
    /// put in one duplicate group; also checks every removal is accepted.
    fn against_brute_force(config: DedupConfig, seed: u64) -> (usize, usize) {
        let file = planted_corpus(seed, 160);
        let corpus = Corpus::open(&[InputSpec::Path(file.path().to_path_buf())]).unwrap();
        let dedup = Deduplicator::new(config).unwrap();
        let out = dedup.run(&corpus, &Silent).unwrap();
        let t = &out.table;
        for g in &out.groups {
            for m in &g.members {
                let matched = m.via.unwrap_or(g.representative);
                assert!(dedup.verify(t, m.row, matched), "unverified removal");
                if let Some(via) = m.via {
                    assert!(g.members.iter().any(|o| o.row == via && o.via.is_none()));
                }
            }
        }
        let n = t.len() as u32;
        let (mut accepted, mut together) = (0, 0);
        for a in 0..n {
            for b in a + 1..n {
                if dedup.verify(t, a, b) {
                    accepted += 1;
                    let same = out.group_of[a as usize].is_some()
                        && out.group_of[a as usize] == out.group_of[b as usize];
                    together += usize::from(same);
                    if !same {
                        let o = t.overlap(a, b);
                        eprintln!(
                            "MISS {} {} {:?} {:?} {:?} sizes {} {} agree {}",
                            t.id(a),
                            t.id(b),
                            o,
                            out.group_of[a as usize],
                            out.group_of[b as usize],
                            t.set_size(a),
                            t.set_size(b),
                            agreeing_slots(t.slots(a), t.slots(b))
                        );
                    }
                }
            }
        }
        (accepted, together)
    }

    /// Runs the default job on articles given as words (id, words).
    fn run_on_words(articles: &[(&str, &Vec<String>)]) -> (Deduplicator, DedupOutcome) {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        for (id, words) in articles {
            let rec = serde_json::json!({"id": id, "text": words.join(" ")});
            writeln!(file, "{rec}").unwrap();
        }
        file.flush().unwrap();
        let corpus = Corpus::open(&[InputSpec::Path(file.path().to_path_buf())]).unwrap();
        let dedup = Deduplicator::new(DedupConfig::default()).unwrap();
        let out = dedup.run(&corpus, &Silent).unwrap();
        (dedup, out)
    }

    fn row_of(t: &ArticleTable, id: &str) -> u32 {
        (0..t.len() as u32).find(|&r| t.id(r) == id).unwrap()
    }

    #[test]
    fn a_copy_met_before_the_member_it_matches_joins_through_it() {
        // O is the original; A (longest, kept) and B are copies edited in
        // different places. B comes before O in keep order, verifies
        // against O only, and shares 0.34 of its shingles with A.
        let o: Vec<String> = (0..120).map(|i| format!("word{i}")).collect();
        let edit = |lo: usize, hi: usize, tag: &str| -> Vec<String> {
            o.iter()
                .enumerate()
                .map(|(i, w)| {
                    if (lo..hi).contains(&i) && i % 3 == 0 {
                        format!("{tag}{i}")
                    } else {
                        w.clone()
                    }
                })
                .collect()
        };
        let tail = |tag: &str, n: usize| (0..n).map(|k| format!("{tag}{k}")).collect::<Vec<_>>();
        let a: Vec<String> = edit(0, 15, "alt")
            .into_iter()
            .chain(tail("tail", 30))
            .collect();
        let b: Vec<String> = edit(60, 120, "bee")
            .into_iter()
            .chain(tail("coda", 15))
            .collect();
        let (dedup, out) = run_on_words(&[("b", &b), ("o", &o), ("a", &a)]);
        let t = &out.table;
        let (ra, rb, ro) = (row_of(t, "a"), row_of(t, "b"), row_of(t, "o"));
        assert!(!dedup.verify(t, rb, ra) && dedup.verify(t, rb, ro));
        assert_eq!(out.groups.len(), 1, "{:?}", out.groups);
        let g = &out.groups[0];
        assert_eq!(g.representative, ra);
        let via: Vec<(u32, Option<u32>)> = g.members.iter().map(|m| (m.row, m.via)).collect();
        assert_eq!(via, vec![(rb, Some(ro)), (ro, None)]);
    }

    #[test]
    fn a_report_sharing_a_wire_passage_stays_with_its_own_copy() {
        // L opens with 45 words of the wire story W (0.44 of L's shingles
        // are in W, a containment match) and has a copy L1 whose edits
        // fall in that passage: L1 matches L, not W. L is an original with
        // a copy of its own, not an abridged copy of W.
        let w: Vec<String> = (0..200).map(|i| format!("wire{i}")).collect();
        let l: Vec<String> = w[..45]
            .iter()
            .cloned()
            .chain((0..55).map(|i| format!("local{i}")))
            .collect();
        let l1: Vec<String> = l
            .iter()
            .enumerate()
            .map(|(i, x)| {
                if i < 45 && i % 3 == 0 {
                    format!("edit{i}")
                } else {
                    x.clone()
                }
            })
            .collect();
        let (dedup, out) = run_on_words(&[("w", &w), ("l", &l), ("l1", &l1)]);
        let t = &out.table;
        let (rw, rl, rl1) = (row_of(t, "w"), row_of(t, "l"), row_of(t, "l1"));
        assert!(dedup.verify(t, rl, rw) && dedup.verify(t, rl1, rl) && !dedup.verify(t, rl1, rw));
        assert_eq!(out.groups.len(), 1, "{:?}", out.groups);
        assert_eq!(out.groups[0].representative, rl);
        assert_eq!(out.groups[0].members[0].row, rl1);
        assert_eq!(out.group_of[rw as usize], None);
    }

    #[test]
    fn shared_phrases_in_another_order_are_not_a_copy() {
        // S and S2 are five 12-word runs of the 200-word story W: 50 of
        // their 58 shingles are in W (containment 0.86, Jaccard 0.24). S2
        // keeps W's order (an abridged copy); S uses the runs in reverse
        // order, as another report reuses names and phrases.
        let w: Vec<String> = (0..200).map(|i| format!("wire{i}")).collect();
        let runs = |starts: &[usize]| -> Vec<String> {
            starts
                .iter()
                .flat_map(|&s| w[s..s + 12].iter().cloned())
                .collect()
        };
        let s2 = runs(&[10, 50, 90, 130, 170]);
        let s = runs(&[170, 130, 90, 50, 10]);
        let (dedup, out) = run_on_words(&[("w", &w), ("s", &s)]);
        let t = &out.table;
        let (rw, rs) = (row_of(t, "w"), row_of(t, "s"));
        let o = t.overlap(rs, rw);
        assert!((o.containment - 50.0 / 58.0).abs() < 1e-9, "{o:?}");
        assert!((o.in_order - 0.2).abs() < 1e-9, "{o:?}");
        assert!(!dedup.verify(t, rs, rw) && !dedup.verify(t, rw, rs));
        assert!(out.groups.is_empty(), "{:?}", out.groups);
        let unordered = Deduplicator::new(DedupConfig {
            containment_order: 0.0,
            ..DedupConfig::default()
        })
        .unwrap();
        assert!(unordered.verify(t, rs, rw));

        let (dedup, out) = run_on_words(&[("w", &w), ("s2", &s2)]);
        let t = &out.table;
        let (rw, rs2) = (row_of(t, "w"), row_of(t, "s2"));
        assert_eq!(t.overlap(rs2, rw).in_order, 1.0);
        assert!(dedup.verify(t, rs2, rw) && dedup.verify(t, rw, rs2));
        assert_eq!(out.duplicate_of(rs2).map(|(r, _)| r), Some(rw));
    }

    #[test]
    fn candidates_find_what_an_exact_all_pairs_pass_accepts() {
        for seed in [1, 2, 3] {
            let (accepted, together) = against_brute_force(DedupConfig::default(), seed);
            assert!(
                accepted > 100,
                "seed {seed}: only {accepted} copies planted"
            );
            assert!(
                together as f64 >= 0.99 * accepted as f64,
                "seed {seed}: {together} of {accepted} accepted pairs grouped"
            );
        }
    }

    #[test]
    fn abridged_copies_need_the_rare_shingle_pass() {
        let config = DedupConfig {
            rare_bucket: 0,
            ..DedupConfig::default()
        };
        let (accepted, together) = against_brute_force(config, 1);
        assert!(
            (together as f64) < 0.9 * accepted as f64,
            "bands alone grouped {together} of {accepted}"
        );
    }

    #[test]
    fn radix_sort_orders_by_the_high_half_and_keeps_rows_ascending() {
        let mut s = 7;
        for n in [0, 5, 5000, 70_000] {
            let keys: Vec<u64> = (0..n as u64)
                .map(|r| (splitmix64(&mut s) % 3000) << 32 | r)
                .collect();
            let mut want = keys.clone();
            want.sort_unstable();
            assert_eq!(sort_by_high_half(keys), want);
        }
    }

    #[test]
    fn agreement_quantiles_rise_with_jaccard_and_stay_below_the_mean() {
        let k = 128;
        let q: Vec<u16> = (0..=100)
            .map(|i| binomial_quantile(k, i as f64 / 100.0))
            .collect();
        eprintln!("Q {q:?} {}", binomial_quantile(4096, 0.5));
        assert!(q.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(q[0], 0);
        assert_eq!(q[100], 128);
        // Binomial(128, 0.5): mean 64, sd 5.7; the 1e-4 quantile is 3.7 sd below.
        assert!((40..=46).contains(&q[50]), "{}", q[50]);
        assert!(q[2] <= 1, "{}", q[2]);
        let big = binomial_quantile(4096, 0.5);
        assert!((1900..2000).contains(&big), "{big}");
    }

    #[test]
    fn plausibility_uses_the_weakest_acceptable_jaccard() {
        let d = Deduplicator::new(DedupConfig::default()).unwrap();
        // Equal sizes: the containment rule needs Jaccard 0.38/1.62 = 0.23.
        assert!(!d.plausible(12, 300, 300));
        assert!(d.plausible(20, 300, 300));
        // A short set inside a long one may agree on very few slots.
        assert!(d.plausible(2, 40, 400));
        // Below the containment minimum only the Jaccard threshold counts.
        assert!(!d.plausible(40, 10, 12));
    }
}
