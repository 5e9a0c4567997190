//! The library's error type: every failure names what it was working on.

use std::path::PathBuf;

use crate::ingest::{Location, RejectReason};

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
    /// An input path is neither a file, a directory of `.txt` files, nor `-`.
    #[error("input {path} is not a JSON Lines file, a directory or `-`")]
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

    pub(crate) fn invalid(name: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidParam {
            name,
            message: message.into(),
        }
    }
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
