//! The library's error type: every failure names what it was working on.

use std::path::PathBuf;

use crate::article::{Location, RejectReason};

/// Everything that can go wrong in the library.
///
/// Messages are lowercase and carry the facts (file, line, values) that a user
/// needs to fix the problem; the binary prints the chain of causes.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input or output file could not be opened, read or written.
    #[error("{action} {path}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A record was bad and the run was asked to stop on bad records.
    #[error("{location}: {reason}")]
    BadRecord {
        location: Location,
        reason: RejectReason,
    },
    /// Two signatures (or a signature and an index) were made with other parameters.
    #[error("cannot compare signatures made with different parameters: {left} vs {right}")]
    ParamsMismatch { left: String, right: String },
    /// A configuration value is out of range.
    #[error("invalid {name}: {message}")]
    InvalidParam { name: &'static str, message: String },
    /// The index file could not be created, opened, read or written.
    #[error("{action} index {path}")]
    Index {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: Box<redb::Error>,
    },
    /// Another process is writing the index.
    #[error(
        "index {path} is locked by another writer (retry later, or pass --wait to wait for it)"
    )]
    IndexLocked { path: PathBuf },
    /// `index create` on a path that already exists.
    #[error("index {path} already exists (remove it first, or add to it with `index add`)")]
    IndexExists { path: PathBuf },
    /// The index file does not exist.
    #[error("index {path} does not exist (create it with `newsdedup index create {path}`)")]
    IndexMissing { path: PathBuf },
    /// The file is not a newsdedup index, or is damaged.
    #[error("{path} is not a usable newsdedup index: {reason}")]
    NotAnIndex { path: PathBuf, reason: String },
    /// A record of the index fails its checksum or contradicts another table:
    /// the file was damaged after it was written.
    #[error("index {path} is damaged: {record}: {reason} (`newsdedup index verify {path}` lists every damaged record; rebuild the index or restore a copy)")]
    DamagedRecord {
        path: PathBuf,
        record: String,
        reason: String,
    },
    /// The index was written by another format version.
    #[error("index {path} has format version {found}; this newsdedup reads version {expected} (rebuild the index with `index create` and `index add`)")]
    IndexVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    /// The run asked for other detection parameters than the index holds.
    #[error("index {path} was made with {held}, not {requested}; drop the flags to use the index's own, or build a new index")]
    IndexParams {
        path: PathBuf,
        held: String,
        requested: String,
    },
    /// An incoming id is held with other content.
    #[error("{location}: id {id:?} is already in the index with other content (pass --replace to replace it)")]
    IdConflict { location: Location, id: String },
    /// `index remove` named an id the index does not hold.
    #[error("index {path} holds no article with id {id:?}; nothing was removed")]
    UnknownId { path: PathBuf, id: String },
    /// `--explain` named an id the input does not have.
    #[error("no article with id {id:?} in the input (rejected records cannot be explained)")]
    UnknownArticle { id: String },
    /// `merge --event` named an event the input does not have.
    #[error("no event {event:?} in the input (events: {known})")]
    UnknownEvent { event: String, known: String },
    /// A kept record cannot be written into the cleaned corpus as it was read.
    #[error("{location}: cannot be written as read: {why} (write the extracted fields instead)")]
    NotCopyable {
        location: Location,
        why: &'static str,
    },
    /// An input path is neither a file, a directory, a named pipe nor `-`.
    #[error("input {path} is not a file, a directory, a named pipe or `-`")]
    UnsupportedInput { path: PathBuf },
}

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn index(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: impl Into<redb::Error>,
    ) -> Self {
        let source = source.into();
        let reason = match &source {
            redb::Error::Corrupted(msg) => format!("the file is damaged ({msg})"),
            redb::Error::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                "the file is truncated".to_string()
            }
            _ => {
                return Error::Index {
                    action,
                    path: path.into(),
                    source: Box::new(source),
                }
            }
        };
        Error::NotAnIndex {
            path: path.into(),
            reason,
        }
    }

    pub(crate) fn invalid(name: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidParam {
            name,
            message: message.into(),
        }
    }
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
