//! Components → stars and keep rules (the dedup job's placement, one
//! component at a time), and the records rejected for a duplicate id.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::json;

use super::files::{RowFacts, ShardReader};
use super::input_lines;
use crate::article::{Location, RejectReason};
use crate::dedup::Rejection;
use crate::error::{Error, Result};
use crate::report::{duplicate_json, rejection_json};
use crate::Deduplicator;

/// One row of a component, as the engine hands it to `place`.
#[derive(Debug, Deserialize)]
struct ComponentRow {
    comp: i64,
    gid: i64,
    id: String,
    file: String,
    line: u64,
    clean_len: u32,
    published: Option<String>,
    source: Option<String>,
}

/// Rows of components read per batch (whole components).
const BATCH_ROWS: usize = 100_000;

fn parse<T: serde::de::DeserializeOwned>(line: &str, what: &str, n: usize) -> Result<T> {
    serde_json::from_str(line)
        .map_err(|e| Error::invalid("stage input", format!("{what} line {n}: {e}")))
}

/// The `place` stage: reads rows of components (JSON objects with `comp`,
/// `gid`, `id`, `file`, `line`, `clean_len`, `published`, `source`; the
/// rows of one component together, each component's in increasing `gid`)
/// and writes, per removed copy, `{"gid": …, "report": …}` with its line of
/// the removal report. Each component is placed by
/// [`Deduplicator::place_component`], the dedup job's own rule, which reads
/// only the component's rows. Returns the number of copies.
///
/// # Errors
/// Reading the input or the work directory, writing `out`.
pub fn place_components(
    dedup: &Deduplicator,
    work: &Path,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<usize> {
    let mut reader = ShardReader::new(work, dedup.config().minhash);
    let mut batch: Vec<ComponentRow> = Vec::new();
    let mut removed = 0;
    for line in input_lines(input, "components") {
        let (n, line) = line?;
        let row: ComponentRow = parse(&line, "components", n)?;
        if batch.len() >= BATCH_ROWS && batch.last().is_some_and(|r| r.comp != row.comp) {
            removed += place_batch(dedup, &mut reader, &std::mem::take(&mut batch), out)?;
        }
        batch.push(row);
    }
    removed += place_batch(dedup, &mut reader, &batch, out)?;
    out.flush()
        .map_err(|e| Error::io("cannot write", "placements", e))?;
    Ok(removed)
}

fn place_batch(
    dedup: &Deduplicator,
    reader: &mut ShardReader,
    batch: &[ComponentRow],
    out: &mut dyn Write,
) -> Result<usize> {
    let gids: Vec<i64> = batch.iter().map(|r| r.gid).collect();
    let columns = reader.columns(&gids, |i| {
        let r = &batch[i];
        RowFacts {
            id: r.id.clone(),
            file: r.file.clone(),
            line: r.line,
            clean_len: r.clean_len,
            published: r.published.clone(),
            source: r.source.clone(),
        }
    })?;
    let table = reader.table(columns, &gids, |_| true)?;
    let mut removed = 0;
    let mut start = 0;
    while start < batch.len() {
        let comp = batch[start].comp;
        let end = start + batch[start..].iter().take_while(|r| r.comp == comp).count();
        let rows: Vec<u32> = (start as u32..end as u32).collect();
        for group in dedup.place_component(&table, rows) {
            for m in &group.members {
                let report = duplicate_json(&table, group.representative, m).to_string();
                let line = json!({"gid": gids[m.row as usize], "report": report});
                writeln!(out, "{line}").map_err(|e| Error::io("cannot write", "placements", e))?;
                removed += 1;
            }
        }
        start = end;
    }
    table.store_health()?;
    Ok(removed)
}

/// A record whose id an earlier record already has.
#[derive(Debug, Deserialize)]
struct DuplicateIdRow {
    gid: i64,
    id: String,
    file: String,
    line: u64,
    first_file: String,
    first_line: u64,
}

/// The records rejected for a duplicate id: reads objects with `gid`, `id`,
/// `file`, `line` (the record) and `first_file`, `first_line` (the first
/// signed record with that id) and writes `{"gid": …, "report": …}`, the
/// same rejection `dedup` reports.
///
/// # Errors
/// Reading the input, writing `out`.
pub fn reject_duplicate_ids(input: &mut dyn BufRead, out: &mut dyn Write) -> Result<usize> {
    let mut n = 0;
    for line in input_lines(input, "duplicate ids") {
        let (i, line) = line?;
        let row: DuplicateIdRow = parse(&line, "duplicate ids", i)?;
        let rejection = Rejection {
            seq: 0,
            location: Location::line(Arc::from(row.file.as_str()), row.line),
            id: Some(row.id.clone()),
            reason: RejectReason::DuplicateId {
                id: row.id,
                first: Location::line(Arc::from(row.first_file.as_str()), row.first_line),
            },
        };
        let report = rejection_json(&rejection).to_string();
        writeln!(out, "{}", json!({"gid": row.gid, "report": report}))
            .map_err(|e| Error::io("cannot write", "rejections", e))?;
        n += 1;
    }
    out.flush()
        .map_err(|e| Error::io("cannot write", "rejections", e))?;
    Ok(n)
}
