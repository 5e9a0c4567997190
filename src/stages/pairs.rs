//! Candidate pairs → verified pairs (the dedup job's plausibility test and
//! verification), and verified pairs → connected components.

use std::io::{BufRead, Write};
use std::path::Path;

use rayon::prelude::*;

use super::files::{RowFacts, ShardReader};
use super::input_lines;
use crate::dedup::groups::UnionFind;
use crate::error::{Error, Result};
use crate::sketch::minhash::agreeing_slots;
use crate::Deduplicator;

/// Reads `a b` lines of global ids.
fn read_pairs(input: &mut dyn BufRead, what: &str) -> Result<Vec<(i64, i64)>> {
    let mut pairs = Vec::new();
    for line in input_lines(input, what) {
        let (n, line) = line?;
        let mut it = line.split_ascii_whitespace().map(str::parse::<i64>);
        match (it.next(), it.next()) {
            (Some(Ok(a)), Some(Ok(b))) => pairs.push((a, b)),
            _ => {
                return Err(Error::invalid(
                    "pair",
                    format!("{what} line {n}: {line:?} is not two ids"),
                ))
            }
        }
    }
    Ok(pairs)
}

/// The `verify` stage: of the candidate pairs read from `input` (`a b`
/// global ids per line), writes those that are copies to `out`, by the
/// dedup job's rules: pairs whose slot agreement is not plausible are
/// turned away unread ([`Deduplicator::worth_reading`]), the others judged
/// on their stored sets ([`Deduplicator::verify`]).
///
/// # Errors
/// Reading the input or the work directory, writing `out`.
pub fn verify_pairs(
    dedup: &Deduplicator,
    work: &Path,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<usize> {
    let pairs = read_pairs(input, "candidate pairs")?;
    let mut gids: Vec<i64> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    gids.sort_unstable();
    gids.dedup();
    let row = |g: i64| gids.binary_search(&g).expect("listed") as u32;
    let local: Vec<(u32, u32)> = pairs.iter().map(|&(a, b)| (row(a), row(b))).collect();
    let mut reader = ShardReader::new(work, dedup.config().minhash);
    let columns = reader.columns(&gids, |_| RowFacts::default())?;
    let plausible: Vec<(u32, u32)> = local
        .par_iter()
        .copied()
        .filter(|&(a, b)| {
            let agreeing = agreeing_slots(columns.slots(a), columns.slots(b));
            dedup.worth_reading(&columns, a, b, agreeing)
        })
        .collect();
    let mut wanted = vec![false; gids.len()];
    for &(a, b) in &plausible {
        wanted[a as usize] = true;
        wanted[b as usize] = true;
    }
    let table = reader.table(columns, &gids, |i| wanted[i])?;
    let verified: Vec<(u32, u32)> = plausible
        .par_iter()
        .copied()
        .filter(|&(a, b)| dedup.verify(&table, a, b))
        .collect();
    table.store_health()?;
    let err = |e| Error::io("cannot write", "verified pairs", e);
    for &(a, b) in &verified {
        writeln!(out, "{} {}", gids[a as usize], gids[b as usize]).map_err(err)?;
    }
    out.flush().map_err(err)?;
    Ok(verified.len())
}

/// The `components` stage: the connected components of the pairs read from
/// `input` (`a b` per line), written as `id component` lines, the
/// component named by its smallest id (ids in increasing order).
///
/// # Errors
/// Reading the input, writing `out`.
pub fn components(input: &mut dyn BufRead, out: &mut dyn Write) -> Result<usize> {
    let pairs = read_pairs(input, "edges")?;
    let mut gids: Vec<i64> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    gids.sort_unstable();
    gids.dedup();
    let row = |g: i64| gids.binary_search(&g).expect("listed") as u32;
    let mut uf = UnionFind::new(gids.len());
    for &(a, b) in &pairs {
        uf.union(row(a), row(b));
    }
    let err = |e| Error::io("cannot write", "components", e);
    for (i, g) in gids.iter().enumerate() {
        let root = uf.find(i as u32);
        writeln!(out, "{g} {}", gids[root as usize]).map_err(err)?;
    }
    out.flush().map_err(err)?;
    Ok(gids.len())
}
