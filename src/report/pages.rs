//! The cleaned corpus of page inputs: the kept WARC records copied byte for
//! byte into a WARC file, the kept HTML files handed out to be copied, or
//! the extracted fields of every kept record as JSON Lines with the file
//! and line or byte offset it came from.

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};

use super::corpus::{for_each_kept, io_err, write_line};
use crate::article::{Article, Location};
use crate::dedup::DedupOutcome;
use crate::error::{Error, Result};
use crate::ingest::{Corpus, RecordKind};
use crate::progress::Progress;

/// Where a record came from, as report fields: `file`, and `line` or
/// `offset` (a WARC record's byte offset).
pub fn location_json(location: &Location) -> Value {
    match location.offset {
        Some(offset) => json!({ "file": &*location.file, "offset": offset }),
        None => json!({ "file": &*location.file, "line": location.line }),
    }
}

/// An article's fields (the extracted ones for a page) with where it came
/// from.
pub fn fields_json(article: &Article, location: &Location) -> Value {
    let mut value = article.to_json();
    if let (Value::Object(map), Value::Object(at)) = (&mut value, location_json(location)) {
        map.extend(at);
    }
    value
}

/// Writes the fields of every kept record, in input order, one JSON object
/// per line (see [`fields_json`]).
///
/// # Errors
/// Reading the corpus or writing `out`.
pub fn write_cleaned_fields(
    corpus: &Corpus,
    outcome: &DedupOutcome,
    out: &mut dyn Write,
    name: &Path,
    progress: &dyn Progress,
) -> Result<()> {
    for_each_kept(corpus, outcome, progress, |record| {
        let article = record.parse().map_err(|reason| Error::BadRecord {
            location: record.location.clone(),
            reason,
        })?;
        write_line(out, &fields_json(&article, &record.location), name)
    })?;
    out.flush().map_err(io_err(name))
}

/// Copies every kept record, in input order, byte for byte into a WARC
/// file (each gzip member of a `.warc.gz` as it was). Every kept record
/// must be a WARC record alone in its gzip member.
///
/// # Errors
/// A kept record that is not such a record; reading the corpus or writing
/// `out`.
pub fn write_cleaned_warc(
    corpus: &Corpus,
    outcome: &DedupOutcome,
    out: &mut dyn Write,
    name: &Path,
    progress: &dyn Progress,
) -> Result<()> {
    let mut failed = None;
    for_each_kept(corpus, outcome, progress, |record| {
        if record.kind() != RecordKind::WarcRecord {
            return Err(Error::NotCopyable {
                location: record.location.clone(),
                why: "a WARC output holds WARC records only",
            });
        }
        let mut sink = WriteErr {
            out: &mut *out,
            error: &mut failed,
        };
        if !corpus.copy_as_read(record, &mut sink)? {
            return Err(Error::NotCopyable {
                location: record.location.clone(),
                why: "the record shares its gzip member with other records",
            });
        }
        Ok(())
    })
    .map_err(|e| failed.take().map_or(e, |io| io_err(name)(io)))?;
    out.flush().map_err(io_err(name))
}

/// A writer that keeps its own errors, so a failed write is reported
/// against the output, not the input being copied.
struct WriteErr<'a> {
    out: &'a mut dyn Write,
    error: &'a mut Option<std::io::Error>,
}

impl Write for WriteErr<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf).inspect_err(|e| {
            *self.error = Some(std::io::Error::new(e.kind(), e.to_string()));
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
