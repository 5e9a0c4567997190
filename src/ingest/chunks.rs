//! The chunked parallel map every pass over a corpus uses: records read in
//! chunks, mapped on all threads, absorbed in input order.

use rayon::prelude::*;

use super::{Corpus, RawRecord, Records};
use crate::error::Result;
use crate::progress::Progress;

/// Records read per chunk, and bytes per chunk at most.
const CHUNK_RECORDS: usize = 4096;
const CHUNK_BYTES: usize = 32 << 20;

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

/// Every record of the corpus parsed ([`RawRecord::parse`]) on all
/// threads, handed to `absorb` with its result in input order.
///
/// # Errors
/// Reading the corpus, and what `absorb` returns.
pub fn parse_all(
    corpus: &Corpus,
    progress: &dyn Progress,
    absorb: impl FnMut(&RawRecord, Result<crate::Article, crate::article::RejectReason>) -> Result<()>,
) -> Result<()> {
    for_each_chunk(corpus, progress, RawRecord::parse, absorb)
}

fn read_chunk(records: &mut Records<'_>) -> Result<Vec<RawRecord>> {
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
