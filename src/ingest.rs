//! Reading corpora: JSON Lines files, directories of `.txt` files and stdin,
//! record by record, with the file and line of each record kept for errors.
//!
//! A [`Corpus`] can be read more than once (the pipeline reads it once to
//! learn boilerplate, once to sign articles and once to write the output), so
//! stdin is spooled to a temporary file when the corpus is opened. Records
//! are handed out raw ([`RawRecord`]) so parsing can run on many threads;
//! [`RawRecord::parse`] turns one into an [`Article`] or a [`RejectReason`].

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::article::Article;
use crate::error::{Error, Result};

/// Default largest record accepted, in bytes (`--max-bytes`).
pub const DEFAULT_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Where a record came from: a file (or `<stdin>`) and a 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub file: Arc<str>,
    pub line: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Why a record was not used. Rejected records are listed in the report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RejectReason {
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("invalid UTF-8 at byte {0} of the record")]
    InvalidUtf8(usize),
    #[error("record is not a JSON object")]
    NotAnObject,
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    #[error("field `{0}` is empty")]
    EmptyField(&'static str),
    #[error("field `{0}` must be {1}")]
    WrongType(&'static str, &'static str),
    #[error("record is {size} bytes, over the limit of {limit} bytes (--max-bytes)")]
    TooLarge { size: u64, limit: u64 },
    #[error("duplicate id {id:?}, first seen at {first}")]
    DuplicateId { id: String, first: Location },
}

impl RejectReason {
    /// A short stable name for the kind of problem, for machine-readable reports.
    pub fn code(&self) -> &'static str {
        match self {
            RejectReason::MalformedJson(_) => "malformed_json",
            RejectReason::InvalidUtf8(_) => "invalid_utf8",
            RejectReason::NotAnObject => "not_an_object",
            RejectReason::MissingField(_) => "missing_field",
            RejectReason::EmptyField(_) => "empty_field",
            RejectReason::WrongType(..) => "wrong_type",
            RejectReason::TooLarge { .. } => "too_large",
            RejectReason::DuplicateId { .. } => "duplicate_id",
        }
    }
}

/// How a corpus input was named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSpec {
    /// A JSON Lines file, a single `.txt` article, or a directory of `.txt` files.
    Path(PathBuf),
    /// Standard input, read as JSON Lines.
    Stdin,
}

impl InputSpec {
    /// `-` means stdin; anything else is a path.
    pub fn parse(arg: &str) -> Self {
        if arg == "-" {
            InputSpec::Stdin
        } else {
            InputSpec::Path(PathBuf::from(arg))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SourceKind {
    JsonLines,
    TextArticle,
}

#[derive(Debug)]
struct SourceFile {
    path: PathBuf,
    name: Arc<str>,
    kind: SourceKind,
}

/// A set of inputs that can be read, record by record, as often as needed.
#[derive(Debug)]
pub struct Corpus {
    sources: Vec<SourceFile>,
    max_bytes: u64,
    _stdin_spool: Option<tempfile::NamedTempFile>,
}

impl Corpus {
    /// Resolves the inputs: directories expand to their `.txt` files in name
    /// order, stdin is copied to a temporary file.
    ///
    /// # Errors
    /// A missing path, an unreadable directory or a failed stdin copy.
    pub fn open(inputs: &[InputSpec]) -> Result<Self> {
        let mut sources = Vec::new();
        let mut spool = None;
        for input in inputs {
            match input {
                InputSpec::Stdin => {
                    if spool.is_some() {
                        return Err(Error::invalid("input", "`-` (stdin) given twice"));
                    }
                    let file = spool_stdin()?;
                    sources.push(SourceFile {
                        path: file.path().to_path_buf(),
                        name: Arc::from("<stdin>"),
                        kind: SourceKind::JsonLines,
                    });
                    spool = Some(file);
                }
                InputSpec::Path(path) => add_path(path, &mut sources)?,
            }
        }
        Ok(Corpus {
            sources,
            max_bytes: DEFAULT_MAX_BYTES,
            _stdin_spool: spool,
        })
    }

    /// Sets the largest record accepted; larger ones are rejected as `too_large`.
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Total size in bytes of all inputs (for progress bars and sizing).
    pub fn total_bytes(&self) -> u64 {
        self.sources
            .iter()
            .filter_map(|s| std::fs::metadata(&s.path).ok())
            .map(|m| m.len())
            .sum()
    }

    /// Iterates over every record of every input, in input order.
    pub fn records(&self) -> Records<'_> {
        Records {
            corpus: self,
            source: 0,
            reader: None,
            line: 0,
            seq: 0,
        }
    }
}

fn spool_stdin() -> Result<tempfile::NamedTempFile> {
    let mut file = tempfile::NamedTempFile::new()
        .map_err(|e| Error::io("cannot create a temporary file for", "<stdin>", e))?;
    io::copy(&mut io::stdin().lock(), &mut file)
        .map_err(|e| Error::io("cannot read", "<stdin>", e))?;
    Ok(file)
}

fn add_path(path: &Path, sources: &mut Vec<SourceFile>) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io("cannot open", path, e))?;
    if meta.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::io("cannot list", path, e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        for file in files {
            sources.push(source_file(file, SourceKind::TextArticle));
        }
        Ok(())
    } else if meta.is_file() {
        let kind = if path.extension().is_some_and(|e| e == "txt") {
            SourceKind::TextArticle
        } else {
            SourceKind::JsonLines
        };
        sources.push(source_file(path.to_path_buf(), kind));
        Ok(())
    } else {
        Err(Error::UnsupportedInput {
            path: path.to_path_buf(),
        })
    }
}

fn source_file(path: PathBuf, kind: SourceKind) -> SourceFile {
    let name = Arc::from(path.display().to_string());
    SourceFile { path, name, kind }
}

/// One record as read, before parsing.
#[derive(Debug, Clone)]
pub struct RawRecord {
    /// Position of the record in the whole corpus, counting from 0.
    pub seq: usize,
    pub location: Location,
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    Json(Vec<u8>),
    Text { id: String, bytes: Vec<u8> },
    TooLarge { size: u64, limit: u64 },
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
            Body::TooLarge { .. } => None,
        }
    }

    /// The record exactly as read (a JSON line), or, for a `.txt` article,
    /// the article as a JSON object. Used to write kept records unchanged.
    pub fn original_json(&self) -> Option<String> {
        match &self.body {
            Body::Json(bytes) => std::str::from_utf8(bytes).ok().map(str::to_string),
            Body::Text { .. } => self.parse().ok().map(|a| a.to_json().to_string()),
            Body::TooLarge { .. } => None,
        }
    }

    /// Size of the record in bytes.
    pub fn len(&self) -> usize {
        match &self.body {
            Body::Json(b) | Body::Text { bytes: b, .. } => b.len(),
            Body::TooLarge { size, .. } => *size as usize,
        }
    }

    /// True when the record holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Iterator over the records of a [`Corpus`]; see [`Corpus::records`].
pub struct Records<'a> {
    corpus: &'a Corpus,
    source: usize,
    reader: Option<BufReader<File>>,
    line: u64,
    seq: usize,
}

impl Records<'_> {
    fn next_record(&mut self) -> Result<Option<RawRecord>> {
        let max = self.corpus.max_bytes;
        while self.source < self.corpus.sources.len() {
            let src = &self.corpus.sources[self.source];
            if src.kind == SourceKind::TextArticle {
                self.source += 1;
                let record = read_text_article(src, max, self.seq)?;
                self.seq += 1;
                return Ok(Some(record));
            }
            if self.reader.is_none() {
                let file =
                    File::open(&src.path).map_err(|e| Error::io("cannot open", &src.path, e))?;
                self.reader = Some(BufReader::with_capacity(1 << 20, file));
                self.line = 0;
            }
            let reader = self.reader.as_mut().expect("reader was just opened");
            let mut buf = Vec::new();
            while let Some(size) = read_line_capped(reader, max, &mut buf)
                .map_err(|e| Error::io("cannot read", &src.path, e))?
            {
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

fn read_text_article(src: &SourceFile, max: u64, seq: usize) -> Result<RawRecord> {
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

/// Reads one line (without its `\n` or `\r\n`) into `buf`, keeping at most
/// `cap` bytes; returns the full length of the line, or `None` at the end.
fn read_line_capped(
    reader: &mut impl BufRead,
    cap: u64,
    buf: &mut Vec<u8>,
) -> io::Result<Option<u64>> {
    buf.clear();
    let mut total: u64 = 0;
    let mut saw_any = false;
    let mut ends_cr = false;
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
        if let Some(&last) = part.last() {
            ends_cr = last == b'\r';
        }
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
    if ends_cr {
        // Past the cap the `\r` is not in `buf`, but is not in the length either.
        if total <= cap + 1 {
            buf.pop();
        }
        total -= 1;
    }
    Ok(Some(total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn capped_lines_report_full_length() {
        let mut r = Cursor::new(b"abc\r\n0123456789\nlast".to_vec());
        let mut buf = Vec::new();
        assert_eq!(read_line_capped(&mut r, 5, &mut buf).unwrap(), Some(3));
        assert_eq!(buf, b"abc");
        assert_eq!(read_line_capped(&mut r, 5, &mut buf).unwrap(), Some(10));
        assert_eq!(buf.len(), 6);
        assert_eq!(read_line_capped(&mut r, 5, &mut buf).unwrap(), Some(4));
        assert_eq!(read_line_capped(&mut r, 5, &mut buf).unwrap(), None);
    }
}
