//! The floor row of the peer table: the least any tool must do with a JSON
//! Lines corpus before it can compare articles — read the file, parse each
//! record's JSON, and cut its `text` into lowercased words (hashed, so the
//! work cannot be optimised away) — on all cores, in 8 MiB chunks of whole
//! lines, as `newsdedup dedup` reads. No normalization, stemming, shingles,
//! signatures or comparisons.
//!
//! ```text
//! cargo build --release --example floor
//! target/release/examples/floor CORPUS.jsonl
//! ```
//!
//! Prints one JSON line (articles, words, seconds, articles/s); peak memory
//! is measured by the caller (`benches/peers/peers.py --tool floor`).

use std::io::{BufRead, BufReader, Read};
use std::time::Instant;

use rayon::prelude::*;
use serde::Deserialize;
use xxhash_rust::xxh3::xxh3_64;

const CHUNK: usize = 8 << 20;

#[derive(Deserialize)]
struct Record {
    text: String,
}

/// Words (runs of alphanumeric characters) of one record, lowercased, and
/// the sum of their hashes.
fn tokenize(line: &str) -> (u64, u64) {
    let record: Record = match serde_json::from_str(line) {
        Ok(r) => r,
        Err(_) => return (0, 0),
    };
    let (mut words, mut sum) = (0u64, 0u64);
    let mut word = String::new();
    for c in record.text.chars().chain(std::iter::once(' ')) {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            words += 1;
            sum = sum.wrapping_add(xxh3_64(word.as_bytes()));
            word.clear();
        }
    }
    (words, sum)
}

fn main() -> std::io::Result<()> {
    let path = std::env::args().nth(1).expect("usage: floor CORPUS.jsonl");
    let start = Instant::now();
    let mut reader = BufReader::with_capacity(1 << 20, std::fs::File::open(&path)?);
    let (mut articles, mut words, mut sum) = (0u64, 0u64, 0u64);
    loop {
        let mut chunk = Vec::with_capacity(CHUNK + (64 << 10));
        (&mut reader).take(CHUNK as u64).read_to_end(&mut chunk)?;
        if chunk.is_empty() {
            break;
        }
        reader.read_until(b'\n', &mut chunk)?;
        let text = String::from_utf8_lossy(&chunk);
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let (w, s) = lines
            .par_iter()
            .map(|l| tokenize(l))
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1.wrapping_add(b.1)));
        articles += lines.len() as u64;
        words += w;
        sum = sum.wrapping_add(s);
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{{\"articles\": {articles}, \"words\": {words}, \"checksum\": {sum}, \"seconds\": {seconds:.3}, \"articles_per_s\": {:.0}}}",
        articles as f64 / seconds
    );
    Ok(())
}
