//! Reading corpora: JSON Lines files (plain or gzip), `.txt` articles, HTML
//! pages (`.html`, `.htm`, optionally gzip; [`html`]), WARC files (plain or
//! gzip; `warc`), directories walked recursively, stdin and other
//! streams, record by record, with the file and line (or byte offset) of
//! each record kept for errors. The kind of a file is guessed from its name
//! unless an [`InputFormat`] is given.
//!
//! A [`Corpus`] can be read more than once (the pipeline reads it once to
//! learn boilerplate, once to sign articles and once to write the output), so
//! stdin, named pipes and `/dev/fd/N` are spooled to a temporary file when the
//! corpus is opened. Every file a directory walk meets is accounted for: the
//! ones that cannot be read as articles become records rejected as
//! `unsupported_file` or `unreadable_file`, never skipped unseen. Records
//! are handed out raw ([`RawRecord`]) so parsing can run on many threads;
//! [`RawRecord::parse`] turns one into an [`Article`](crate::Article) or a [`RejectReason`].

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use walkdir::WalkDir;

use crate::article::RejectReason;
use crate::error::{Error, Result};

mod chunks;
pub mod html;
mod pages;
mod record;
mod warc;

pub(crate) use chunks::for_each_chunk;
pub use chunks::parse_all;
pub use record::{RawRecord, RecordKind, Records};

/// Default largest record accepted, in bytes (`--max-bytes`).
pub const DEFAULT_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// How a corpus input was named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSpec {
    /// A JSON Lines file (`.gz` read through gzip), a single `.txt` article,
    /// an HTML page, a WARC file, a directory (walked recursively), or a
    /// stream such as a named pipe.
    Path(PathBuf),
    /// Standard input, read as JSON Lines (or as the [`InputFormat`] given).
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

/// How input files are read (`--input-format`): guessed from each file's
/// name, or one format for every file named or walked (and stdin).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InputFormat {
    /// From the name: `.txt`, `.html`/`.htm`, `.warc` (each optionally
    /// `.gz`), else JSON Lines.
    #[default]
    Auto,
    JsonLines,
    Text,
    Html,
    Warc,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum SourceKind {
    JsonLines,
    GzipJsonLines,
    TextArticle,
    Html {
        gzip: bool,
    },
    /// Plain or gzip, told by its first bytes.
    Warc,
    /// A file met in a directory walk that is not read: why.
    NotRead(RejectReason),
}

impl SourceKind {
    /// How a file is read, from its name: `.txt` is one article,
    /// `.html`/`.htm` a page and `.warc` a WARC file (each optionally
    /// `.gz`), another `.gz` is gzip-compressed JSON Lines, anything else
    /// JSON Lines.
    fn of_named_file(path: &Path, format: InputFormat) -> Self {
        let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase());
        let name = name.as_deref().unwrap_or("");
        if let Some(kind) = Self::of_format(name, format) {
            return kind;
        }
        Self::by_name(name).unwrap_or(if name.ends_with(".gz") {
            SourceKind::GzipJsonLines
        } else {
            SourceKind::JsonLines
        })
    }

    /// The kind a given format makes of a file (gzip still from the name).
    fn of_format(name: &str, format: InputFormat) -> Option<Self> {
        let gzip = name.ends_with(".gz");
        Some(match format {
            InputFormat::Auto => return None,
            InputFormat::JsonLines if gzip => SourceKind::GzipJsonLines,
            InputFormat::JsonLines => SourceKind::JsonLines,
            InputFormat::Text => SourceKind::TextArticle,
            InputFormat::Html => SourceKind::Html { gzip },
            InputFormat::Warc => SourceKind::Warc,
        })
    }

    /// The kinds known by name in a directory walk.
    fn by_name(name: &str) -> Option<Self> {
        let gzip = name.ends_with(".gz");
        let stem = name.strip_suffix(".gz").unwrap_or(name);
        Some(if name.ends_with(".txt") {
            SourceKind::TextArticle
        } else if stem.ends_with(".html") || stem.ends_with(".htm") {
            SourceKind::Html { gzip }
        } else if stem.ends_with(".warc") {
            SourceKind::Warc
        } else if stem.ends_with(".jsonl") || stem.ends_with(".ndjson") {
            if gzip {
                SourceKind::GzipJsonLines
            } else {
                SourceKind::JsonLines
            }
        } else {
            return None;
        })
    }

    /// How a file met in a directory walk is read: `.jsonl`, `.ndjson`,
    /// `.html`, `.htm`, `.warc` (each optionally `.gz`) and `.txt` are (or
    /// every file, with a format given); the rest is listed.
    fn of_walked_file(path: &Path, file_type: std::fs::FileType, format: InputFormat) -> Self {
        if !file_type.is_file() {
            return SourceKind::NotRead(RejectReason::UnsupportedFile(
                "not a regular file (a device, pipe or socket inside a directory)",
            ));
        }
        let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase());
        let name = name.as_deref().unwrap_or("");
        Self::of_format(name, format)
            .or_else(|| Self::by_name(name))
            .unwrap_or(SourceKind::NotRead(RejectReason::UnsupportedFile(
                "only .jsonl, .ndjson, .html, .htm, .warc (each optionally .gz) and .txt files are read from a directory",
            )))
    }
}

#[derive(Debug)]
struct SourceFile {
    path: PathBuf,
    name: Arc<str>,
    kind: SourceKind,
    /// Only these bytes of a plain JSON Lines file (a shard).
    range: Option<Shard>,
}

/// A shard of a plain JSON Lines file: the lines from byte `start` (the
/// start of a line) to byte `end` (just after a line break, or the end of
/// the file), the first of them being line `first_line + 1` of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub start: u64,
    pub end: u64,
    pub first_line: u64,
}

/// A set of inputs that can be read, record by record, as often as needed.
#[derive(Debug)]
pub struct Corpus {
    sources: Vec<SourceFile>,
    max_bytes: u64,
    spools: Vec<tempfile::NamedTempFile>,
    pages: Arc<pages::PageCache>,
}

impl Corpus {
    /// Resolves the inputs: directories are walked recursively in name
    /// order (symbolic links followed, loops detected), stdin and other
    /// streams (named pipes, `/dev/fd/N`) are copied to temporary files.
    ///
    /// # Errors
    /// A missing path, an unreadable top directory or a failed stream copy.
    pub fn open(inputs: &[InputSpec]) -> Result<Self> {
        Self::open_as(inputs, InputFormat::Auto)
    }

    /// [`Self::open`] with every input file (and stdin) read as `format`.
    ///
    /// # Errors
    /// As [`Self::open`].
    pub fn open_as(inputs: &[InputSpec], format: InputFormat) -> Result<Self> {
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
                        kind: SourceKind::of_named_file(Path::new(""), format),
                        range: None,
                    });
                    spools.push(file);
                }
                InputSpec::Path(path) => add_path(path, format, &mut sources, &mut spools)?,
            }
        }
        Ok(Corpus {
            sources,
            max_bytes: DEFAULT_MAX_BYTES,
            spools,
            pages: Arc::default(),
        })
    }

    /// One shard of a plain JSON Lines file, named `name` in locations (as
    /// the whole corpus names it): its records are numbered from 0 and
    /// carry their line numbers in the file.
    ///
    /// # Errors
    /// The file is missing, or is not a plain JSON Lines file, or the
    /// shard does not fit in it.
    pub fn open_shard(path: &Path, name: &str, shard: Shard) -> Result<Self> {
        let size = std::fs::metadata(path)
            .map_err(|e| Error::io("cannot open", path, e))?
            .len();
        if SourceKind::of_named_file(path, InputFormat::Auto) != SourceKind::JsonLines {
            return Err(Error::invalid(
                "shard",
                format!(
                    "{}: only plain JSON Lines files are sharded",
                    path.display()
                ),
            ));
        }
        if shard.start > shard.end || shard.end > size {
            return Err(Error::invalid(
                "shard",
                format!(
                    "bytes {}..{} are not in {} ({size} bytes)",
                    shard.start,
                    shard.end,
                    path.display()
                ),
            ));
        }
        Ok(Corpus {
            sources: vec![SourceFile {
                path: path.to_path_buf(),
                name: Arc::from(name),
                kind: SourceKind::JsonLines,
                range: Some(shard),
            }],
            max_bytes: DEFAULT_MAX_BYTES,
            spools: Vec::new(),
            pages: Arc::default(),
        })
    }

    /// Copies a record's bytes exactly as they are in its input file: a
    /// WARC record (its gzip member in a `.warc.gz`), or a whole HTML file.
    /// `Ok(false)` when the record is not such a record, or shares its gzip
    /// member with other records.
    ///
    /// # Errors
    /// Reading the input.
    pub fn copy_as_read(&self, record: &RawRecord, out: &mut dyn io::Write) -> Result<bool> {
        use std::io::{Seek, SeekFrom};
        let Some(src) = self.sources.get(record.source) else {
            return Ok(false);
        };
        let err = |e| Error::io("cannot read", &src.path, e);
        let mut file = File::open(&src.path).map_err(err)?;
        match (record.kind(), record.span) {
            (RecordKind::WarcRecord, Some((offset, len))) => {
                file.seek(SeekFrom::Start(offset)).map_err(err)?;
                let copied = io::copy(&mut file.take(len), out).map_err(err)?;
                if copied < len {
                    let short = io::Error::new(io::ErrorKind::UnexpectedEof, "the file changed");
                    return Err(err(short));
                }
                Ok(true)
            }
            (RecordKind::HtmlFile, _) => io::copy(&mut file, out).map(|_| true).map_err(err),
            _ => Ok(false),
        }
    }

    /// The input file a record was read from (a spooled copy for stdin).
    pub fn path_of(&self, record: &RawRecord) -> Option<&Path> {
        self.sources.get(record.source).map(|s| s.path.as_path())
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

    /// The formats of the files read (directory entries not read left
    /// out), each once, in input order.
    pub fn formats(&self) -> Vec<InputFormat> {
        let mut formats = Vec::new();
        for source in &self.sources {
            let format = match source.kind {
                SourceKind::JsonLines | SourceKind::GzipJsonLines => InputFormat::JsonLines,
                SourceKind::TextArticle => InputFormat::Text,
                SourceKind::Html { .. } => InputFormat::Html,
                SourceKind::Warc => InputFormat::Warc,
                SourceKind::NotRead(_) => continue,
            };
            if !formats.contains(&format) {
                formats.push(format);
            }
        }
        formats
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
            warc: None,
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
    format: InputFormat,
    sources: &mut Vec<SourceFile>,
    spools: &mut Vec<tempfile::NamedTempFile>,
) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io("cannot open", path, e))?;
    if meta.is_dir() {
        walk(path, format, sources)
    } else if meta.is_file() {
        sources.push(source_file(
            path.to_path_buf(),
            SourceKind::of_named_file(path, format),
        ));
        Ok(())
    } else if is_stream(&meta.file_type()) {
        let mut stream = File::open(path).map_err(|e| Error::io("cannot open", path, e))?;
        let file = spool(&mut stream, path)?;
        sources.push(SourceFile {
            path: file.path().to_path_buf(),
            name: Arc::from(path.display().to_string()),
            kind: SourceKind::of_named_file(path, format),
            range: None,
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
fn walk(dir: &Path, format: InputFormat, sources: &mut Vec<SourceFile>) -> Result<()> {
    for entry in WalkDir::new(dir).follow_links(true).sort_by_file_name() {
        match entry {
            Ok(e) if e.file_type().is_dir() => {}
            Ok(e) => {
                let kind = SourceKind::of_walked_file(e.path(), e.file_type(), format);
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
    SourceFile {
        path,
        name,
        kind,
        range: None,
    }
}

#[cfg(test)]
mod tests {
    use super::record::{read_line_capped, BOM};
    use super::*;
    use std::io::Cursor;

    #[test]
    fn shards_of_a_file_read_its_records_with_their_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feed.jsonl");
        let text = "\u{FEFF}{\"id\":\"a\"}\n\n{\"id\":\"b\"}\r\n{\"id\":\"c\"}\n{\"id\":\"d\"}";
        std::fs::write(&path, text).unwrap();
        let whole: Vec<(String, u64)> = Corpus::open(&[InputSpec::Path(path.clone())])
            .unwrap()
            .records()
            .map(|r| r.unwrap())
            .map(|r| (r.original_json().unwrap(), r.location.line))
            .collect();
        let bytes = text.as_bytes();
        let cut = bytes.iter().position(|&b| b == b'\r').unwrap() + 2;
        let mut sharded = Vec::new();
        for (start, end, first_line) in [(0, cut, 0), (cut, bytes.len(), 3)] {
            let shard = Shard {
                start: start as u64,
                end: end as u64,
                first_line,
            };
            let name = path.display().to_string();
            let corpus = Corpus::open_shard(&path, &name, shard).unwrap();
            for (seq, r) in corpus.records().enumerate() {
                let r = r.unwrap();
                assert_eq!(r.seq, seq);
                sharded.push((r.original_json().unwrap(), r.location.line));
            }
        }
        assert_eq!(sharded, whole);
        assert_eq!(whole.len(), 4);
        let over = Shard {
            start: 0,
            end: bytes.len() as u64 + 1,
            first_line: 0,
        };
        assert!(Corpus::open_shard(&path, "x", over).is_err());
    }

    #[test]
    fn a_byte_order_mark_is_skipped_before_the_line_is_capped() {
        // Found by tests/fuzz_records.rs (jsonl_record): the mark was cut off after
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
