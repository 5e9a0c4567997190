//! Reading corpora: JSON Lines files (plain or gzip), `.txt` articles,
//! directories walked recursively, stdin and other streams, record by record,
//! with the file and line of each record kept for errors.
//!
//! A [`Corpus`] can be read more than once (the pipeline reads it once to
//! learn boilerplate, once to sign articles and once to write the output), so
//! stdin, named pipes and `/dev/fd/N` are spooled to a temporary file when the
//! corpus is opened. Every file a directory walk meets is accounted for: the
//! ones that cannot be read as articles become records rejected as
//! `unsupported_file` or `unreadable_file`, never skipped unseen. Records
//! are handed out raw ([`RawRecord`]) so parsing can run on many threads;
//! [`RawRecord::parse`] turns one into an [`Article`] or a [`RejectReason`].

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use walkdir::WalkDir;

use crate::article::Article;
use crate::article::{Location, RejectReason};
use crate::error::{Error, Result};
use crate::progress::Progress;
use rayon::prelude::*;

/// Default largest record accepted, in bytes (`--max-bytes`).
pub const DEFAULT_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// How a corpus input was named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSpec {
    /// A JSON Lines file (`.gz` read through gzip), a single `.txt` article,
    /// a directory (walked recursively), or a stream such as a named pipe.
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

#[derive(Debug, Clone, PartialEq, Eq)]
enum SourceKind {
    JsonLines,
    GzipJsonLines,
    TextArticle,
    /// A file met in a directory walk that is not read: why.
    NotRead(RejectReason),
}

impl SourceKind {
    /// How a file is read, from its name: `.txt` is one article, `.gz` is
    /// gzip-compressed JSON Lines, anything else JSON Lines.
    fn of_named_file(path: &Path) -> Self {
        let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase());
        match name.as_deref() {
            Some(n) if n.ends_with(".txt") => SourceKind::TextArticle,
            Some(n) if n.ends_with(".gz") => SourceKind::GzipJsonLines,
            _ => SourceKind::JsonLines,
        }
    }

    /// How a file met in a directory walk is read: only `.jsonl`,
    /// `.ndjson` (optionally `.gz`) and `.txt` are; the rest is listed.
    fn of_walked_file(path: &Path, file_type: std::fs::FileType) -> Self {
        if !file_type.is_file() {
            return SourceKind::NotRead(RejectReason::UnsupportedFile(
                "not a regular file (a device, pipe or socket inside a directory)",
            ));
        }
        let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase());
        let name = name.as_deref().unwrap_or("");
        if name.ends_with(".txt") {
            SourceKind::TextArticle
        } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            SourceKind::JsonLines
        } else if name.ends_with(".jsonl.gz") || name.ends_with(".ndjson.gz") {
            SourceKind::GzipJsonLines
        } else {
            SourceKind::NotRead(RejectReason::UnsupportedFile(
                "only .jsonl, .jsonl.gz, .ndjson and .txt files are read from a directory",
            ))
        }
    }
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
    spools: Vec<tempfile::NamedTempFile>,
}

impl Corpus {
    /// Resolves the inputs: directories are walked recursively in name
    /// order (symbolic links followed, loops detected), stdin and other
    /// streams (named pipes, `/dev/fd/N`) are copied to temporary files.
    ///
    /// # Errors
    /// A missing path, an unreadable top directory or a failed stream copy.
    pub fn open(inputs: &[InputSpec]) -> Result<Self> {
        let mut sources = Vec::new();
        let mut spools = Vec::new();
        let mut stdin_seen = false;
        for input in inputs {
            match input {
                InputSpec::Stdin => {
                    if std::mem::replace(&mut stdin_seen, true) {
                        return Err(Error::invalid("input", "`-` (stdin) given twice"));
                    }
                    let file = spool(&mut io::stdin().lock(), Path::new("<stdin>"))?;
                    sources.push(SourceFile {
                        path: file.path().to_path_buf(),
                        name: Arc::from("<stdin>"),
                        kind: SourceKind::JsonLines,
                    });
                    spools.push(file);
                }
                InputSpec::Path(path) => add_path(path, &mut sources, &mut spools)?,
            }
        }
        Ok(Corpus {
            sources,
            max_bytes: DEFAULT_MAX_BYTES,
            spools,
        })
    }

    /// The files read as input (spooled streams excluded), for callers
    /// that must never write over one.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.sources
            .iter()
            .map(|s| s.path.as_path())
            .filter(|p| !self.spools.iter().any(|s| s.path() == *p))
    }

    /// Files met in directory walks that are not read as articles (each is
    /// also a rejected record of the corpus).
    pub fn files_not_read(&self) -> usize {
        self.sources
            .iter()
            .filter(|s| matches!(s.kind, SourceKind::NotRead(_)))
            .count()
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

/// Copies a stream to a temporary file so it can be read more than once.
fn spool(stream: &mut impl Read, name: &Path) -> Result<tempfile::NamedTempFile> {
    let mut file = tempfile::NamedTempFile::new()
        .map_err(|e| Error::io("cannot create a temporary file for", name, e))?;
    io::copy(stream, &mut file).map_err(|e| Error::io("cannot read", name, e))?;
    Ok(file)
}

fn add_path(
    path: &Path,
    sources: &mut Vec<SourceFile>,
    spools: &mut Vec<tempfile::NamedTempFile>,
) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io("cannot open", path, e))?;
    if meta.is_dir() {
        walk(path, sources)
    } else if meta.is_file() {
        sources.push(source_file(
            path.to_path_buf(),
            SourceKind::of_named_file(path),
        ));
        Ok(())
    } else if is_stream(&meta.file_type()) {
        let mut stream = File::open(path).map_err(|e| Error::io("cannot open", path, e))?;
        let file = spool(&mut stream, path)?;
        sources.push(SourceFile {
            path: file.path().to_path_buf(),
            name: Arc::from(path.display().to_string()),
            kind: SourceKind::of_named_file(path),
        });
        spools.push(file);
        Ok(())
    } else {
        Err(Error::UnsupportedInput {
            path: path.to_path_buf(),
        })
    }
}

/// Named pipes (process substitution, `mkfifo`, `/dev/stdin` when piped)
/// are read once, to the end, as streams. Devices are not: `/dev/zero`
/// never ends.
#[cfg(unix)]
fn is_stream(file_type: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    file_type.is_fifo()
}

#[cfg(not(unix))]
fn is_stream(_: &std::fs::FileType) -> bool {
    false
}

/// Every file under `dir`, depth first in name order: the readable kinds
/// as sources, every other file, broken link and link loop as a source
/// that is not read (and so a rejected record).
fn walk(dir: &Path, sources: &mut Vec<SourceFile>) -> Result<()> {
    for entry in WalkDir::new(dir).follow_links(true).sort_by_file_name() {
        match entry {
            Ok(e) if e.file_type().is_dir() => {}
            Ok(e) => {
                let kind = SourceKind::of_walked_file(e.path(), e.file_type());
                sources.push(source_file(e.into_path(), kind));
            }
            Err(err) if err.depth() == 0 => {
                return Err(Error::io("cannot list", dir, io_error_of(err)));
            }
            Err(err) => {
                let Some(path) = err.path().map(Path::to_path_buf) else {
                    return Err(Error::io("cannot list", dir, io_error_of(err)));
                };
                let why = if let Some(ancestor) = err.loop_ancestor() {
                    format!("symbolic link loop back to {}", ancestor.display())
                } else if std::fs::symlink_metadata(&path).is_ok() && !path.exists() {
                    "broken symbolic link".to_string()
                } else {
                    err.io_error()
                        .map_or_else(|| err.to_string(), ToString::to_string)
                };
                let kind = SourceKind::NotRead(RejectReason::UnreadableFile(why));
                sources.push(source_file(path, kind));
            }
        }
    }
    Ok(())
}

fn io_error_of(err: walkdir::Error) -> io::Error {
    let text = err.to_string();
    err.into_io_error()
        .unwrap_or_else(|| io::Error::other(text))
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
    corpus: &'a Corpus,
    source: usize,
    reader: Option<Box<dyn BufRead + Send>>,
    line: u64,
    seq: usize,
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
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A buffered line reader over a JSON Lines source, through gzip when
/// the source is compressed (several gzip members in a row are one stream).
/// A byte order mark at the start is skipped here, before lines are cut
/// and capped.
fn open_lines(src: &SourceFile) -> Result<Box<dyn BufRead + Send>> {
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

/// Reads one line (without its `\n`; a `\r` before it is kept, so a CRLF
/// record is written back exactly as read, and JSON reads it as
/// whitespace) into `buf`, keeping at most `cap` bytes; returns the full
/// length of the line, or `None` at the end.
fn read_line_capped(
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn a_byte_order_mark_is_skipped_before_the_line_is_capped() {
        // Found by tests/fuzz.rs (jsonl_record): the mark was cut off after
        // the cap, so a first line within 3 bytes of it lost its end.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bom.jsonl");
        let line = br#"{"id":"a","text":"b c"}"#;
        std::fs::write(&path, [BOM, &line[..], b"\n"].concat()).unwrap();
        let corpus = Corpus::open(&[InputSpec::Path(path)])
            .unwrap()
            .with_max_bytes(line.len() as u64);
        let record = corpus.records().next().unwrap().unwrap();
        assert_eq!(record.original_json().unwrap().as_bytes(), line);
    }

    #[test]
    fn capped_lines_report_full_length() {
        let mut r = Cursor::new(b"abc\r\n0123456789\nlast".to_vec());
        let mut buf = Vec::new();
        assert_eq!(read_line_capped(&mut r, 5, &mut buf).unwrap(), Some(4));
        assert_eq!(buf, b"abc\r");
        assert_eq!(read_line_capped(&mut r, 5, &mut buf).unwrap(), Some(10));
        assert_eq!(buf.len(), 6);
        assert_eq!(read_line_capped(&mut r, 5, &mut buf).unwrap(), Some(4));
        assert_eq!(read_line_capped(&mut r, 5, &mut buf).unwrap(), None);
    }
}
