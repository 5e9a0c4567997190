//! The per-shard stages: the line sketch, signing, and writing the kept
//! records back out.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;

use serde_json::json;

use super::files::{encode_record, ShardFiles};
use super::gid;
use crate::dedup::store::ShingleStoreWriter;
use crate::error::{Error, Result};
use crate::ingest::{for_each_chunk, Corpus, Shard};
use crate::progress::Silent;
use crate::report::{io_err, rejection_json, write_as_read, write_line};
use crate::text::boilerplate::LineFrequencies;
use crate::Deduplicator;

/// Counts the lines of a shard (what `first_line` of the next shard adds).
///
/// # Errors
/// Reading the file.
pub fn count_lines(path: &Path, shard: Shard) -> Result<u64> {
    use std::io::{Seek, SeekFrom};
    let err = |e| Error::io("cannot read", path, e);
    let mut file = File::open(path).map_err(err)?;
    file.seek(SeekFrom::Start(shard.start)).map_err(err)?;
    let mut reader = file.take(shard.end - shard.start);
    let mut buf = vec![0u8; 1 << 20];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let n = reader.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[n - 1];
    }
    Ok(lines + u64::from(last != b'\n'))
}

/// The `sketch` stage: writes the shard's line frequencies (a mergeable
/// sketch sized for a corpus of `corpus_bytes`) to `out`, when the
/// configuration learns them; returns the shard's line count.
///
/// # Errors
/// Reading the shard, writing `out`.
pub fn sketch_shard(
    dedup: &Deduplicator,
    path: &Path,
    corpus: &Corpus,
    shard: Shard,
    corpus_bytes: u64,
    out: &Path,
) -> Result<u64> {
    if dedup.config().boilerplate.corpus_frequency {
        let freq = dedup.line_frequencies(corpus, corpus_bytes, &Silent)?;
        std::fs::write(out, freq.to_bytes()).map_err(|e| Error::io("cannot write", out, e))?;
    }
    count_lines(path, shard)
}

/// Sums the shards' sketches into `out` (the corpus's line frequencies).
///
/// # Errors
/// Reading the inputs, sketches of different sizes, writing `out`.
pub fn merge_sketches(inputs: &[impl AsRef<Path>], out: &Path) -> Result<()> {
    let mut sum: Option<LineFrequencies> = None;
    for p in inputs {
        let p = p.as_ref();
        let bytes = std::fs::read(p).map_err(|e| Error::io("cannot read", p, e))?;
        let one = LineFrequencies::from_bytes(&bytes)?;
        match &mut sum {
            Some(s) => s.add_sketch(&one)?,
            None => sum = Some(one),
        }
    }
    let bytes = sum.map(|s| s.to_bytes()).unwrap_or_default();
    std::fs::write(out, bytes).map_err(|e| Error::io("cannot write", out, e))
}

/// The `sign` stage: every record of the shard through the dedup job's
/// signing (`sketch`: the merged line frequencies), its files written to
/// the work directory (see [`ShardFiles`]). Duplicate ids are not checked
/// here: they span shards (the engine finds them, [`super::reject_duplicate_ids`]).
/// Returns the number of records read.
///
/// # Errors
/// Reading the shard or the sketch, writing the work directory, and the
/// first bad record when `on_error` is `Fail`.
pub fn sign_shard(
    dedup: &Deduplicator,
    corpus: &Corpus,
    files: &ShardFiles,
    sketch: Option<&Path>,
) -> Result<usize> {
    let freq = match sketch {
        Some(p) if dedup.config().boilerplate.corpus_frequency => {
            Some(LineFrequencies::from_bytes(
                &std::fs::read(p).map_err(|e| Error::io("cannot read", p, e))?,
            )?)
        }
        _ => None,
    };
    let create = |p: &Path| {
        File::create(p)
            .map(|f| BufWriter::with_capacity(1 << 20, f))
            .map_err(|e| Error::io("cannot create", p, e))
    };
    let (rows_path, keys_path, rej_path, cols_path) =
        (files.rows(), files.keys(), files.rejected(), files.cols());
    let mut rows = create(&rows_path)?;
    let mut keys = create(&keys_path)?;
    let mut rejected = create(&rej_path)?;
    let mut cols = create(&cols_path)?;
    let mut store = ShingleStoreWriter::create(&files.sets())?;
    let lsh = dedup.config().lsh_params();
    let k = dedup.config().minhash.num_perm;
    let mut records = 0;
    for_each_chunk(
        corpus,
        &Silent,
        |raw| dedup.sign(raw, freq.as_ref()),
        |raw, signed| {
            records += 1;
            let g = gid(files.shard(), raw.seq);
            match signed {
                Ok(s) => {
                    let row = &s.row;
                    let offset = store.position();
                    store.push(&s.shingles)?;
                    cols.write_all(&encode_record(
                        &row.slots,
                        row.set_size,
                        row.content_hash,
                        offset,
                    ))
                    .map_err(io_err(&cols_path))?;
                    let value = json!({
                        "gid": g,
                        "id": row.id,
                        "file": &*row.location.file,
                        "line": row.location.line,
                        "clean_len": row.clean_len,
                        "published": row.published,
                        "source": row.source,
                        "hash": row.content_hash as i64,
                    });
                    write_line(&mut rows, &value, &rows_path)?;
                    if row.set_size > 0 {
                        let bands: Vec<i64> = (0..lsh.bands)
                            .map(|b| lsh.band_key(&row.slots, b) as i64)
                            .collect();
                        let value = json!({"gid": g, "bands": bands, "slots": row.slots});
                        write_line(&mut keys, &value, &keys_path)?;
                    }
                    Ok(())
                }
                Err((id, reason)) => {
                    let r = dedup.reject(raw, id, reason)?;
                    let offset = store.position();
                    cols.write_all(&encode_record(&vec![0; k], 0, 0, offset))
                        .map_err(io_err(&cols_path))?;
                    let report = rejection_json(&r).to_string();
                    write_line(
                        &mut rejected,
                        &json!({"gid": g, "report": report}),
                        &rej_path,
                    )
                }
            }
        },
    )?;
    store.finish()?;
    for (w, p) in [
        (&mut rows, &rows_path),
        (&mut keys, &keys_path),
        (&mut rejected, &rej_path),
        (&mut cols, &cols_path),
    ] {
        w.flush().map_err(io_err(p))?;
    }
    Ok(records)
}

/// The `apply` stage: the shard's records exactly as read, except the
/// records numbered in `dropped` (sorted: the removed copies and the
/// rejected records of the shard).
///
/// # Errors
/// Reading the shard, writing `out`.
pub fn apply_shard(
    corpus: &Corpus,
    dropped: &[usize],
    out: &mut dyn Write,
    name: &Path,
) -> Result<()> {
    let mut next = dropped.iter().peekable();
    for record in corpus.records() {
        let record = record?;
        while next.next_if(|&&d| d < record.seq).is_some() {}
        if next.next_if(|&&d| d == record.seq).is_some() {
            continue;
        }
        write_as_read(&record, out, name)?;
    }
    out.flush().map_err(io_err(name))
}
