//! `index compact`: the index file rewritten without its free pages.
//!
//! redb writes copy-on-write: pages a transaction replaced stay in the file
//! as free space for later transactions, so a file that saw many batches,
//! replacements or removals is larger than what it holds. Compaction moves
//! the live pages down and truncates the file; it needs the writer's lock
//! and no reader in this process.

use std::path::Path;

use crate::error::{Error, Result};
use crate::index::file::{guarded, Handle};
use crate::index::Index;

/// Sizes of the index file before and after [`Index::compact`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompactOutcome {
    pub bytes_before: u64,
    pub bytes_after: u64,
}

fn file_len(path: &Path) -> Result<u64> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| Error::io("cannot read the size of index", path, e))
}

impl Index {
    /// Gives the file's free pages back to the filesystem. The index must be
    /// opened for writing.
    ///
    /// # Errors
    /// Opened read-only; writing the file.
    pub fn compact(&mut self) -> Result<CompactOutcome> {
        let path = self.path().to_path_buf();
        guarded(&path, || {
            let bytes_before = file_len(&path)?;
            match self.handle.as_mut() {
                Some(Handle::Write(db)) => {
                    // One call moves what it can; repeat while it still moves pages.
                    while db
                        .compact()
                        .map_err(|e| Error::index("cannot compact", &path, e))?
                    {
                    }
                }
                _ => {
                    return Err(Error::invalid(
                        "index access",
                        "compaction needs the index opened for writing",
                    ))
                }
            }
            Ok(CompactOutcome {
                bytes_before,
                bytes_after: file_len(&path)?,
            })
        })
    }
}
