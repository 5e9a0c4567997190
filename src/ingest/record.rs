//! A raw record and how records are read: JSON Lines (plain or gzip, BOM
//! skipped, lines capped), `.txt` articles, files not read.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use super::{Corpus, SourceFile, SourceKind};
use crate::article::{Article, Location, RejectReason};
use crate::error::{Error, Result};

/// One record as read, before parsing.
#[derive(Debug, Clone)]
pub struct RawRecord {
    /// Position of the record in the whole corpus, counting from 0.
    pub seq: usize,
    pub location: Location,
    body: Body,
}

#[derive(Debug, Clone)]
pub(super) enum Body {
    Json(Vec<u8>),
    Text { id: String, bytes: Vec<u8> },
    TooLarge { size: u64, limit: u64 },
    NotRead(RejectReason),
}

impl RawRecord {
    /// Parses the record into an article.
    ///
    /// # Errors
    /// The reason the record is unusable (malformed JSON, missing fields, …).
    pub fn parse(&self) -> Result<Article, RejectReason> {
        match &self.body {
            Body::TooLarge { size, limit } => Err(RejectReason::TooLarge {
                size: *size,
                limit: *limit,
            }),
            Body::NotRead(reason) => Err(reason.clone()),
            Body::Json(bytes) => {
                let text = std::str::from_utf8(bytes)
                    .map_err(|e| RejectReason::InvalidUtf8(e.valid_up_to()))?;
                let value: serde_json::Value = serde_json::from_str(text)
                    .map_err(|e| RejectReason::MalformedJson(e.to_string()))?;
                Article::from_json(value)
            }
            Body::Text { id, bytes } => {
                let text = std::str::from_utf8(bytes)
                    .map_err(|e| RejectReason::InvalidUtf8(e.valid_up_to()))?;
                let text = text.strip_prefix('\u{feff}').unwrap_or(text);
                let (title, body) = text.split_once('\n').unwrap_or((text, ""));
                if body.trim().is_empty() {
                    return Err(RejectReason::EmptyField("text"));
                }
                let title = title.trim_end_matches('\r').trim();
                Ok(Article {
                    id: id.clone(),
                    title: (!title.is_empty()).then(|| title.to_string()),
                    text: body.to_string(),
                    ..Article::default()
                })
            }
        }
    }

    /// [`Self::parse`] without building the fields the tool does not
    /// interpret (`extra` stays empty): for signing, which keeps only the
    /// known fields. Accepts and rejects exactly the records `parse` does,
    /// with the same reasons.
    ///
    /// # Errors
    /// As [`Self::parse`].
    pub fn parse_known(&self) -> Result<Article, RejectReason> {
        if let Body::Json(bytes) = &self.body {
            if let Ok(json) = std::str::from_utf8(bytes) {
                if let Some(result) = Article::known_fields(json) {
                    return result;
                }
            }
        }
        self.parse().map(|mut a| {
            a.extra.clear();
            a
        })
    }

    /// Just the article text, for counting lines across the corpus: a JSON
    /// record is read for its `text` field alone (the other fields are
    /// skipped, not checked, so a record rejected later for another field
    /// still counts), falling back to [`Self::parse`] when that fails.
    pub fn text(&self) -> Option<String> {
        #[derive(serde::Deserialize)]
        struct TextOnly {
            text: String,
        }
        if let Body::Json(bytes) = &self.body {
            // Objects only: an array would be read as a `TextOnly` too.
            if bytes.trim_ascii_start().starts_with(b"{") {
                if let Ok(t) = serde_json::from_slice::<TextOnly>(bytes) {
                    return (!t.text.trim().is_empty()).then_some(t.text);
                }
            }
        }
        self.parse().ok().map(|a| a.text)
    }

    /// The record's id when it can be read even though the record is
    /// unusable (e.g. a JSON object with an `id` but no `text`), so a
    /// rejection can name it.
    pub fn id_hint(&self) -> Option<String> {
        match &self.body {
            Body::Text { id, .. } => Some(id.clone()),
            Body::Json(bytes) => {
                let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
                match value.get("id")? {
                    serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                }
            }
            Body::TooLarge { .. } | Body::NotRead(_) => None,
        }
    }

    /// The record exactly as read (a JSON line), or, for a `.txt` article,
    /// the article as a JSON object. Used to write kept records unchanged.
    pub fn original_json(&self) -> Option<String> {
        match &self.body {
            Body::Json(bytes) => std::str::from_utf8(bytes).ok().map(str::to_string),
            Body::Text { .. } => self.parse().ok().map(|a| a.to_json().to_string()),
            Body::TooLarge { .. } | Body::NotRead(_) => None,
        }
    }

    /// Size of the record in bytes.
    pub fn len(&self) -> usize {
        match &self.body {
            Body::Json(b) | Body::Text { bytes: b, .. } => b.len(),
            Body::TooLarge { size, .. } => *size as usize,
            Body::NotRead(_) => 0,
        }
    }

    /// True when the record holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Iterator over the records of a [`Corpus`]; see [`Corpus::records`].
pub struct Records<'a> {
    pub(super) corpus: &'a Corpus,
    pub(super) source: usize,
    pub(super) reader: Option<Box<dyn BufRead + Send>>,
    pub(super) line: u64,
    pub(super) seq: usize,
}

impl Records<'_> {
    fn next_record(&mut self) -> Result<Option<RawRecord>> {
        let max = self.corpus.max_bytes;
        while self.source < self.corpus.sources.len() {
            let src = &self.corpus.sources[self.source];
            let whole_file = match &src.kind {
                SourceKind::TextArticle => Some(read_text_article(src, max, self.seq)?),
                SourceKind::NotRead(reason) => Some(RawRecord {
                    seq: self.seq,
                    location: Location {
                        file: src.name.clone(),
                        line: 0,
                    },
                    body: Body::NotRead(reason.clone()),
                }),
                SourceKind::JsonLines | SourceKind::GzipJsonLines => None,
            };
            if let Some(record) = whole_file {
                self.source += 1;
                self.seq += 1;
                return Ok(Some(record));
            }
            let reader = match &mut self.reader {
                Some(reader) => reader,
                none => {
                    self.line = 0;
                    none.insert(open_lines(src)?)
                }
            };
            let mut buf = Vec::new();
            loop {
                let size = match read_line_capped(reader, max, &mut buf) {
                    Ok(Some(size)) => size,
                    Ok(None) => break,
                    Err(e) => {
                        // The rest of the file cannot be read (a damaged
                        // gzip stream, say): one rejected record says so,
                        // and reading goes on with the next file.
                        self.line += 1;
                        let record = RawRecord {
                            seq: self.seq,
                            location: Location {
                                file: src.name.clone(),
                                line: self.line,
                            },
                            body: Body::NotRead(RejectReason::UnreadableFile(format!(
                                "{e} (the rest of the file is not read)"
                            ))),
                        };
                        self.seq += 1;
                        self.reader = None;
                        self.source += 1;
                        return Ok(Some(record));
                    }
                };
                self.line += 1;
                if size <= max && buf.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let body = if size > max {
                    Body::TooLarge { size, limit: max }
                } else {
                    Body::Json(std::mem::take(&mut buf))
                };
                let record = RawRecord {
                    seq: self.seq,
                    location: Location {
                        file: src.name.clone(),
                        line: self.line,
                    },
                    body,
                };
                self.seq += 1;
                return Ok(Some(record));
            }
            self.reader = None;
            self.source += 1;
        }
        Ok(None)
    }
}

impl Iterator for Records<'_> {
    type Item = Result<RawRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record().transpose()
    }
}

/// The UTF-8 byte order mark some editors put at the start of a file.
pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A buffered line reader over a JSON Lines source, through gzip when
/// the source is compressed (several gzip members in a row are one stream).
/// A byte order mark at the start is skipped here, before lines are cut
/// and capped.
pub(super) fn open_lines(src: &SourceFile) -> Result<Box<dyn BufRead + Send>> {
    let file = File::open(&src.path).map_err(|e| Error::io("cannot open", &src.path, e))?;
    let mut reader: Box<dyn BufRead + Send> = if src.kind == SourceKind::GzipJsonLines {
        let gz = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file));
        Box::new(BufReader::with_capacity(1 << 20, gz))
    } else {
        Box::new(BufReader::with_capacity(1 << 20, file))
    };
    // A read error here is met again, and reported, by the first line read.
    if reader.fill_buf().is_ok_and(|head| head.starts_with(BOM)) {
        reader.consume(BOM.len());
    }
    Ok(reader)
}

pub(super) fn read_text_article(src: &SourceFile, max: u64, seq: usize) -> Result<RawRecord> {
    let file = File::open(&src.path).map_err(|e| Error::io("cannot open", &src.path, e))?;
    let size = file
        .metadata()
        .map_err(|e| Error::io("cannot read", &src.path, e))?
        .len();
    let body = if size > max {
        Body::TooLarge { size, limit: max }
    } else {
        let mut bytes = Vec::with_capacity(size as usize);
        file.take(max + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("cannot read", &src.path, e))?;
        let id = src
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Body::Text { id, bytes }
    };
    Ok(RawRecord {
        seq,
        location: Location {
            file: src.name.clone(),
            line: 1,
        },
        body,
    })
}

/// Reads one line (without its `\n`; a `\r` before it is kept, so a CRLF
/// record is written back exactly as read, and JSON reads it as
/// whitespace) into `buf`, keeping at most `cap` bytes; returns the full
/// length of the line, or `None` at the end.
pub(super) fn read_line_capped(
    reader: &mut impl BufRead,
    cap: u64,
    buf: &mut Vec<u8>,
) -> io::Result<Option<u64>> {
    buf.clear();
    let mut total: u64 = 0;
    let mut saw_any = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        saw_any = true;
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        let room = (cap + 1).saturating_sub(buf.len() as u64) as usize;
        buf.extend_from_slice(&part[..part.len().min(room)]);
        total += part.len() as u64;
        let consumed = done.unwrap_or(chunk.len());
        reader.consume(consumed);
        if done.is_some() {
            break;
        }
    }
    if !saw_any {
        return Ok(None);
    }
    Ok(Some(total))
}
