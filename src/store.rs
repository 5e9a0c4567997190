//! The shingle store: every signed article's sorted shingle set, spilled to
//! a temporary file, so candidate pairs can be verified on exact Jaccard and
//! containment without holding all sets in memory.
//!
//! Sets are stored as sorted 32-bit hashes (half the space of 64-bit; a
//! false match between two shingles has probability 2^-32), in native byte
//! order: the file lives and dies with the process. Sets are read with
//! positioned reads into per-thread buffers, not mapped: the file (4 bytes
//! per distinct shingle, a gigabyte or so for a million news articles) stays
//! in the operating system's page cache while memory is free and is never
//! part of the process's own memory.

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::{Mutex, PoisonError};

use crate::error::{Error, Result};

/// Appends sets while articles are signed; then [`ShingleStoreWriter::finish`].
pub struct ShingleStoreWriter {
    file: BufWriter<std::fs::File>,
    offsets: Vec<u64>,
    len: u64,
}

/// Read-only access to the stored sets, by row.
///
/// Reads happen deep inside parallel verification, so a failed read does
/// not unwind through it: the set reads as empty (no match) and the first
/// failure is kept for [`ShingleStore::health`], which a run calls before
/// trusting its results.
#[derive(Debug)]
pub struct ShingleStore {
    file: File,
    offsets: Vec<u64>,
    failure: Mutex<Option<std::io::Error>>,
}

impl ShingleStoreWriter {
    /// A writer backed by an anonymous temporary file.
    ///
    /// # Errors
    /// The temporary file cannot be created.
    pub fn new() -> Result<Self> {
        let file = tempfile::tempfile()
            .map_err(|e| Error::io("cannot create", "a temporary shingle file", e))?;
        Ok(ShingleStoreWriter {
            file: BufWriter::with_capacity(1 << 20, file),
            offsets: vec![0],
            len: 0,
        })
    }

    /// The 32-bit, sorted, deduplicated form of a shingle set.
    pub fn compact(shingles: &[u64]) -> Vec<u32> {
        let mut v: Vec<u32> = shingles.iter().map(|&h| h as u32).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Appends the next row's set (already compacted).
    ///
    /// # Errors
    /// Writing the temporary file.
    pub fn push(&mut self, set: &[u32]) -> Result<()> {
        // SAFETY: a `u32` slice is readable as its bytes.
        let bytes = unsafe {
            std::slice::from_raw_parts(set.as_ptr().cast::<u8>(), std::mem::size_of_val(set))
        };
        self.file
            .write_all(bytes)
            .map_err(|e| Error::io("cannot write", "a temporary shingle file", e))?;
        self.len += set.len() as u64;
        self.offsets.push(self.len);
        Ok(())
    }

    /// Flushes the file for reading.
    ///
    /// # Errors
    /// Flushing the temporary file.
    pub fn finish(self) -> Result<ShingleStore> {
        let file = self
            .file
            .into_inner()
            .map_err(|e| Error::io("cannot write", "a temporary shingle file", e.into_error()))?;
        Ok(ShingleStore {
            file,
            offsets: self.offsets,
            failure: Mutex::new(None),
        })
    }
}

thread_local! {
    /// Two read buffers per thread, reused across reads.
    static BUFFERS: RefCell<(Vec<u32>, Vec<u32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

impl ShingleStore {
    /// Reads one row's set into `buf`.
    fn read_into(&self, row: u32, buf: &mut Vec<u32>) {
        let (a, b) = (self.offsets[row as usize], self.offsets[row as usize + 1]);
        buf.clear();
        buf.resize((b - a) as usize, 0);
        // SAFETY: the bytes of a `u32` slice may be written with any value.
        let bytes =
            unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<u8>(), buf.len() * 4) };
        if let Err(e) = read_exact_at(&self.file, bytes, a * 4) {
            buf.clear();
            let mut failure = self.failure.lock().unwrap_or_else(PoisonError::into_inner);
            failure.get_or_insert(e);
        }
    }

    /// The first failed read since the last call, as an error.
    ///
    /// # Errors
    /// The temporary file could not be read back (it was written by this
    /// process moments before: a failing disk, or a cleaner that removed
    /// it); results computed since are not to be trusted.
    pub fn health(&self) -> Result<()> {
        let mut failure = self.failure.lock().unwrap_or_else(PoisonError::into_inner);
        match failure.take() {
            Some(e) => Err(Error::io("cannot read back", "a temporary shingle file", e)),
            None => Ok(()),
        }
    }

    /// The sorted set of one row.
    pub fn set(&self, row: u32) -> Vec<u32> {
        let mut out = Vec::new();
        self.read_into(row, &mut out);
        out
    }

    /// Whether two rows' sets share at least `need` shingles (stops reading
    /// as soon as the answer is known).
    pub fn reaches(&self, a: u32, b: u32, need: usize) -> bool {
        self.with_sets(a, b, |x, y| intersection_reaches(x, y, need))
    }

    /// Size of the intersection of two rows' sets.
    pub fn intersection(&self, a: u32, b: u32) -> usize {
        self.with_sets(a, b, intersection_size)
    }

    /// Runs `f` on two rows' sets, read into this thread's buffers.
    fn with_sets<T>(&self, a: u32, b: u32, f: impl FnOnce(&[u32], &[u32]) -> T) -> T {
        BUFFERS.with(|bufs| {
            let (x, y) = &mut *bufs.borrow_mut();
            self.read_into(a, x);
            self.read_into(b, y);
            f(x, y)
        })
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_read(file, buf, offset)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf = &mut buf[n..];
        offset += n as u64;
    }
    Ok(())
}

/// Whether |A ∩ B| >= `need` for two sorted, deduplicated slices: the merge
/// of [`intersection_size`], stopped once `need` is reached or out of reach.
pub fn intersection_reaches(a: &[u32], b: &[u32], need: usize) -> bool {
    if need > a.len().min(b.len()) {
        return false;
    }
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if n >= need {
            return true;
        }
        if n + (a.len() - i).min(b.len() - j) < need {
            return false;
        }
        let (p, q) = (a[i], b[j]);
        n += usize::from(p == q);
        i += usize::from(p <= q);
        j += usize::from(q <= p);
    }
    n >= need
}

/// |A ∩ B| of two sorted, deduplicated slices (a branch-free merge).
pub fn intersection_size(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (p, q) = (a[i], b[j]);
        n += usize::from(p == q);
        i += usize::from(p <= q);
        j += usize::from(q <= p);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_and_intersects_sets() {
        let mut w = ShingleStoreWriter::new().unwrap();
        w.push(&ShingleStoreWriter::compact(&[5, 1, 3, 3])).unwrap();
        w.push(&[]).unwrap();
        w.push(&ShingleStoreWriter::compact(&[3, 4, 5])).unwrap();
        let s = w.finish().unwrap();
        assert_eq!(s.set(0), vec![1, 3, 5]);
        assert!(s.set(1).is_empty());
        assert_eq!(s.intersection(0, 2), 2);
        assert_eq!(
            s.intersection(2, 0),
            intersection_size(&s.set(2), &s.set(0))
        );
        assert_eq!(
            s.intersection(0, 2),
            intersection_size(&s.set(0), &s.set(2))
        );
        assert_eq!(s.intersection(0, 1), 0);
        assert!(s.reaches(0, 2, 2) && !s.reaches(0, 2, 3) && s.reaches(0, 1, 0));
    }

    #[test]
    fn a_failed_read_is_kept_for_health_not_panicked() {
        let mut w = ShingleStoreWriter::new().unwrap();
        w.push(&[1, 2, 3]).unwrap();
        w.push(&[2, 3, 4]).unwrap();
        let s = w.finish().unwrap();
        assert!(s.reaches(0, 1, 2));
        s.health().unwrap();
        s.file.set_len(4).unwrap(); // the file shrinks under the run
        assert!(!s.reaches(0, 1, 1));
        let e = s.health().unwrap_err();
        assert!(e.to_string().contains("temporary shingle file"), "{e}");
        assert!(std::error::Error::source(&e).is_some());
        s.health().unwrap(); // reported once
    }

    proptest::proptest! {
        #[test]
        fn reaching_agrees_with_the_full_count(
            a in proptest::collection::btree_set(0u32..200, 0..80),
            b in proptest::collection::btree_set(0u32..200, 0..80),
            need in 0usize..90,
        ) {
            let (a, b): (Vec<u32>, Vec<u32>) = (a.into_iter().collect(), b.into_iter().collect());
            proptest::prop_assert_eq!(
                intersection_reaches(&a, &b, need),
                intersection_size(&a, &b) >= need
            );
        }
    }
}
