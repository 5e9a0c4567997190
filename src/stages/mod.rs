//! The dedup job cut into stages that run on shards of a corpus, for a
//! cluster engine (the Spark job in `spark/`) to run and shuffle between.
//!
//! Each stage is the single-machine job's own code on a part of the data
//! (with [`DedupConfig::shardable`](crate::DedupConfig) rules):
//!
//! 1. [`sketch_shard`]: a shard's line frequencies (a mergeable count-min
//!    sketch sized for the whole corpus) and its line count;
//!    [`merge_sketches`] sums them.
//! 2. [`sign_shard`]: each record of a shard signed with the corpus sketch;
//!    rows (facts for the keep rule), keys (LSH band keys and MinHash slots)
//!    and rejections as JSON Lines, signatures and shingle sets as binary
//!    files in the work directory.
//! 3. The engine groups keys into candidate pairs; [`verify_pairs`] reads
//!    both rows of each pair from the work directory and keeps the copies.
//! 4. [`components`]: connected components of the verified pairs.
//! 5. [`place_components`]: the stars and keep rules of each component.
//! 6. [`apply_shard`]: a shard's kept records, byte for byte.
//!
//! A row is named by its global id, `shard << 32 | record number in the
//! shard` ([`gid`]): ids grow in input order, as rows do in `dedup`.

mod files;
mod pairs;
mod place;
mod sign;

pub use files::{ShardFiles, ShardReader};
pub use pairs::{components, verify_pairs};
pub use place::{place_components, reject_duplicate_ids};
pub use sign::{apply_shard, merge_sketches, sign_shard, sketch_shard};

/// The global id of record `seq` of shard `shard`.
pub fn gid(shard: u32, seq: usize) -> i64 {
    (i64::from(shard) << 32) | seq as i64
}

/// The shard and record number of a global id.
pub fn split_gid(gid: i64) -> (u32, usize) {
    ((gid >> 32) as u32, (gid & 0xFFFF_FFFF) as usize)
}

/// The non-blank lines of a stage's input with their 1-based numbers; a
/// read error names the input (`what`).
pub(crate) fn input_lines<'a>(
    input: &'a mut dyn std::io::BufRead,
    what: &'a str,
) -> impl Iterator<Item = crate::error::Result<(usize, String)>> + 'a {
    std::io::BufRead::lines(input)
        .enumerate()
        .map(move |(i, line)| {
            line.map(|l| (i + 1, l))
                .map_err(|e| crate::error::Error::io("cannot read", what, e))
        })
        .filter(|r| !matches!(r, Ok((_, l)) if l.trim().is_empty()))
}
