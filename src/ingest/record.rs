//! A raw record and how records are read: JSON Lines (plain or gzip, BOM
//! skipped, lines capped), `.txt` articles, HTML pages, WARC records
//! ([`super::warc`]), files not read.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

use super::html::{self, PageHints};
use super::pages::PageCache;
use super::warc::{Content, WarcItem, WarcReader};
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
    /// Index of the input file it was read from.
    pub(super) source: usize,
    /// The bytes of that file that are this record alone (a WARC record,
    /// or its gzip member), to copy it as read.
    pub(super) span: Option<(u64, u64)>,
    /// The corpus's pages already read.
    pub(super) cache: Arc<PageCache>,
}

#[derive(Debug, Clone)]
pub(super) enum Body {
    Json(Vec<u8>),
    Text {
        id: String,
        bytes: Vec<u8>,
    },
    /// An HTML page (a file, or a WARC record's payload).
    Page(Arc<Page>),
    TooLarge {
        size: u64,
        limit: u64,
    },
    NotRead(RejectReason),
}

/// An HTML page to read, and where its reading is kept once done (every
/// pass over the corpus parses the record; extraction runs once).
#[derive(Debug)]
pub(super) struct Page {
    pub bytes: Vec<u8>,
    pub hints: PageHints,
}

/// What kind of record a [`RawRecord`] is, which decides how it is written
/// back "as read".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A JSON Lines record (written back as its line).
    JsonLine,
    /// A `.txt` article (written back as a JSON object).
    TextFile,
    /// An HTML file (copied).
    HtmlFile,
    /// A WARC record (copied byte for byte).
    WarcRecord,
    /// A record that was not read (a rejected file or WARC record).
    NotRead,
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
            Body::Page(page) => self
                .cache
                .get_or_read(self.seq, || html::read_page(&page.bytes, &page.hints)),
            Body::Json(bytes) => {
                let text = std::str::from_utf8(bytes)
                    .map_err(|e| RejectReason::InvalidUtf8(e.valid_up_to()))?;
                let value: serde_json::Value = serde_json::from_str(text)
                    .map_err(|e| RejectReason::MalformedJson(e.to_string()))?;
                if super::pages::is_html_record(&value) {
                    self.cache
                        .get_or_read(self.seq, || super::pages::article_of_html_record(value))
                } else {
                    Article::from_json(value)
                }
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
                match Article::known_fields(json) {
                    // A record with `html` and no `text` is a page.
                    Some(Err(RejectReason::MissingField("text"))) | None => {}
                    Some(result) => return result,
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
            Body::Page(page) => page.hints.id.clone().or_else(|| page.hints.url.clone()),
            Body::TooLarge { .. } | Body::NotRead(_) => None,
        }
    }

    /// What kind of record this is.
    pub fn kind(&self) -> RecordKind {
        match &self.body {
            Body::Json(_) => RecordKind::JsonLine,
            Body::Text { .. } => RecordKind::TextFile,
            Body::Page(page) if page.hints.id.is_some() => RecordKind::HtmlFile,
            Body::Page(_) => RecordKind::WarcRecord,
            Body::TooLarge { .. } | Body::NotRead(_) => RecordKind::NotRead,
        }
    }

    /// The record exactly as read (a JSON line), or, for a `.txt` article,
    /// the article as a JSON object. Used to write kept records unchanged.
    pub fn original_json(&self) -> Option<String> {
        match &self.body {
            Body::Json(bytes) => std::str::from_utf8(bytes).ok().map(str::to_string),
            Body::Text { .. } => self.parse().ok().map(|a| a.to_json().to_string()),
            Body::Page(_) | Body::TooLarge { .. } | Body::NotRead(_) => None,
        }
    }

    /// Size of the record in bytes.
    pub fn len(&self) -> usize {
        match &self.body {
            Body::Json(b) | Body::Text { bytes: b, .. } => b.len(),
            Body::Page(page) => page.bytes.len(),
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
    pub(super) warc: Option<WarcReader>,
}

impl Records<'_> {
    fn next_record(&mut self) -> Result<Option<RawRecord>> {
        let corpus = self.corpus;
        while self.source < corpus.sources.len() {
            let index = self.source;
            let src = &corpus.sources[index];
            let max = corpus.max_bytes;
            let read = match &src.kind {
                SourceKind::TextArticle => Some(read_text_article(src, max)?),
                SourceKind::Html { gzip } => Some(read_html_file(src, *gzip, max)?),
                SourceKind::NotRead(reason) => Some(Found {
                    location: Location::line(src.name.clone(), 0),
                    body: Body::NotRead(reason.clone()),
                    span: None,
                }),
                SourceKind::Warc => self.next_warc_record()?,
                SourceKind::JsonLines | SourceKind::GzipJsonLines => self.next_json_line()?,
            };
            let whole_file = !matches!(
                src.kind,
                SourceKind::Warc | SourceKind::JsonLines | SourceKind::GzipJsonLines
            );
            if whole_file || read.is_none() {
                self.reader = None;
                self.warc = None;
                self.source += 1;
            }
            if let Some(read) = read {
                let record = RawRecord {
                    seq: self.seq,
                    location: read.location,
                    body: read.body,
                    source: index,
                    span: read.span,
                    cache: corpus.pages.clone(),
                };
                self.seq += 1;
                return Ok(Some(record));
            }
        }
        Ok(None)
    }

    /// The next line of the current JSON Lines file; `None` at its end.
    /// A file that cannot be read on (a damaged gzip stream, say) gives one
    /// rejected record saying so, and reading goes on with the next file.
    fn next_json_line(&mut self) -> Result<Option<Found>> {
        let corpus = self.corpus;
        let src = &corpus.sources[self.source];
        let max = corpus.max_bytes;
        let reader = match &mut self.reader {
            Some(reader) => reader,
            none => {
                self.line = src.range.map_or(0, |r| r.first_line);
                none.insert(open_lines(src)?)
            }
        };
        let mut buf = Vec::new();
        loop {
            let size = match read_line_capped(reader, max, &mut buf) {
                Ok(Some(size)) => size,
                Ok(None) => return Ok(None),
                Err(e) => {
                    self.line += 1;
                    let location = Location::line(src.name.clone(), self.line);
                    // No more lines: the next call moves to the next file.
                    self.reader = Some(Box::new(io::empty()));
                    return Ok(Some(Found {
                        location,
                        body: Body::NotRead(RejectReason::UnreadableFile(format!(
                            "{e} (the rest of the file is not read)"
                        ))),
                        span: None,
                    }));
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
            return Ok(Some(Found {
                location: Location::line(src.name.clone(), self.line),
                body,
                span: None,
            }));
        }
    }

    /// The next record of the current WARC file; `None` at its end.
    fn next_warc_record(&mut self) -> Result<Option<Found>> {
        let corpus = self.corpus;
        let src = &corpus.sources[self.source];
        let reader = match &mut self.warc {
            Some(reader) => reader,
            none => {
                let file =
                    File::open(&src.path).map_err(|e| Error::io("cannot open", &src.path, e))?;
                none.insert(WarcReader::new(file, corpus.max_bytes))
            }
        };
        match reader.next_item() {
            Ok(Some(WarcItem {
                offset,
                span,
                content,
            })) => {
                let body = match content {
                    Content::Page { payload, hints } => Body::Page(Arc::new(Page {
                        bytes: payload,
                        hints,
                    })),
                    Content::NotRead(reason) => Body::NotRead(reason),
                };
                Ok(Some(Found {
                    location: Location::offset(src.name.clone(), offset),
                    body,
                    span,
                }))
            }
            Ok(None) => Ok(None),
            Err(e) => Err(Error::io("cannot read", &src.path, e)),
        }
    }
}

/// A record as read from a source, before it is numbered.
pub(super) struct Found {
    location: Location,
    body: Body,
    span: Option<(u64, u64)>,
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
    let mut file = File::open(&src.path).map_err(|e| Error::io("cannot open", &src.path, e))?;
    if let Some(shard) = src.range {
        use std::io::{Seek, SeekFrom};
        file.seek(SeekFrom::Start(shard.start))
            .map_err(|e| Error::io("cannot read", &src.path, e))?;
        let mut reader = BufReader::with_capacity(1 << 20, file.take(shard.end - shard.start));
        if shard.start == 0 && reader.fill_buf().is_ok_and(|head| head.starts_with(BOM)) {
            reader.consume(BOM.len());
        }
        return Ok(Box::new(reader));
    }
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

pub(super) fn read_text_article(src: &SourceFile, max: u64) -> Result<Found> {
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
    Ok(Found {
        location: Location::line(src.name.clone(), 1),
        body,
        span: None,
    })
}

/// An HTML page file (through gzip for `.gz`, or when it starts like
/// gzip): its id is its path. A damaged gzip stream makes it a rejected
/// record.
fn read_html_file(src: &SourceFile, gzip: bool, max: u64) -> Result<Found> {
    let file = File::open(&src.path).map_err(|e| Error::io("cannot open", &src.path, e))?;
    let mut file = BufReader::new(file);
    let gzip = gzip
        || file
            .fill_buf()
            .is_ok_and(|head| head.starts_with(b"\x1f\x8b"));
    let reader: Box<dyn Read + Send> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut bytes = Vec::new();
    let read = reader.take(max + 1).read_to_end(&mut bytes);
    let body = match read {
        Err(e) if gzip => Body::NotRead(RejectReason::UnreadableFile(format!(
            "damaged gzip stream: {e}"
        ))),
        Err(e) => return Err(Error::io("cannot read", &src.path, e)),
        Ok(_) if bytes.len() as u64 > max => Body::TooLarge {
            size: src
                .path
                .metadata()
                .map_or(max + 1, |m| m.len().max(max + 1)),
            limit: max,
        },
        Ok(_) => Body::Page(Arc::new(Page {
            bytes,
            hints: PageHints {
                id: Some(src.name.to_string()),
                ..PageHints::default()
            },
        })),
    };
    Ok(Found {
        location: Location::line(src.name.clone(), 0),
        body,
        span: None,
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
