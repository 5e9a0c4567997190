//! Candidate pairs: identical texts, LSH bands, then rare single slots
//! (abridged copies), each verified and joined in a fixed order.

use super::{Deduplicator, Stats};
use std::collections::HashMap;

use rayon::prelude::*;

use crate::dedup::groups::UnionFind;
use crate::dedup::table::ArticleTable;
use crate::progress::{Progress, Stage};
use crate::sketch::minhash::agreeing_slots;

impl Deduplicator {
    /// LSH candidates band by band, verified in parallel and joined in
    /// order; then the rare-shingle pass ([`Self::join_rare`]).
    pub(super) fn join_candidates(
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
                if self.config.shardable {
                    pairs_with_first_members(bucket, uf, &mut pairs);
                } else {
                    pairs_in_bucket(bucket, uf, &mut pairs);
                }
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
    pub(super) fn join_rare(
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
}

/// Articles whose cleaned text is identical are copies whatever their shingles.
pub(super) fn join_exact_copies(table: &ArticleTable, uf: &mut UnionFind) {
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
pub(super) struct RareBuckets {
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
pub(super) fn sort_by_high_half(mut keys: Vec<u64>) -> Vec<u64> {
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
pub(super) const RARE_BLOCK: usize = 16;

/// Whether two signatures agree on a slot before `slot` where both
/// articles were in a rare bucket (then the same one): the slot where an
/// earlier pass already paired them.
pub(super) fn agree_on_earlier_rare_slot(
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

pub(super) fn pair_key((a, b): (u32, u32)) -> u64 {
    (u64::from(a.min(b)) << 32) | u64::from(a.max(b))
}

/// Buckets larger than this are not compared all against all: each member
/// is compared with the first `BUCKET_LEADERS` distinct groups of the bucket.
pub(super) const BUCKET_LEADERS: usize = 64;

/// [`pairs_in_bucket`] with the rule of the sharded stages
/// ([`super::DedupConfig::shardable`]): a bucket larger than
/// [`BUCKET_LEADERS`] pairs each of its first `BUCKET_LEADERS` members (in
/// row order) with every later member, whatever was joined before, so the
/// pairs depend on the bucket alone. Pairs already in one group are left
/// out, as they change nothing.
pub(super) fn pairs_with_first_members(
    bucket: &[u32],
    uf: &mut UnionFind,
    out: &mut Vec<(u32, u32)>,
) {
    for (i, &a) in bucket.iter().enumerate().take(BUCKET_LEADERS) {
        for &b in &bucket[i + 1..] {
            if uf.find(a) != uf.find(b) {
                out.push((a, b));
            }
        }
    }
}

pub(super) fn pairs_in_bucket(bucket: &[u32], uf: &mut UnionFind, out: &mut Vec<(u32, u32)>) {
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
