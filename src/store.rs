//! The shingle store: every signed article's sorted shingle set, spilled to
//! a temporary file and memory-mapped, so candidate pairs can be verified
//! on exact Jaccard and containment without holding all sets in memory.
//!
//! Sets are stored as sorted 32-bit hashes (half the space of 64-bit; a
//! false match between two shingles has probability 2^-32), in native byte
//! order: the file lives and dies with the process, and the map is read as
//! `u32`s in place.

use std::io::{BufWriter, Write};

use memmap2::Mmap;

use crate::error::{Error, Result};

/// Appends sets while articles are signed; then [`ShingleStoreWriter::finish`].
pub struct ShingleStoreWriter {
    file: BufWriter<std::fs::File>,
    offsets: Vec<u64>,
    len: u64,
}

/// Read-only access to the stored sets, by row.
#[derive(Debug)]
pub struct ShingleStore {
    map: Option<Mmap>,
    offsets: Vec<u64>,
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
        for v in set {
            self.file
                .write_all(&v.to_ne_bytes())
                .map_err(|e| Error::io("cannot write", "a temporary shingle file", e))?;
        }
        self.len += set.len() as u64;
        self.offsets.push(self.len);
        Ok(())
    }

    /// Maps the file for reading.
    ///
    /// # Errors
    /// Flushing or mapping the temporary file.
    pub fn finish(self) -> Result<ShingleStore> {
        let file = self
            .file
            .into_inner()
            .map_err(|e| Error::io("cannot write", "a temporary shingle file", e.into_error()))?;
        let map = if self.len == 0 {
            None
        } else {
            // SAFETY: the file is an unlinked temporary file that only this
            // process holds, and it is not written after this point.
            let map = unsafe { Mmap::map(&file) }
                .map_err(|e| Error::io("cannot map", "a temporary shingle file", e))?;
            // Maps start on a page boundary, so the words start at byte 0.
            assert_eq!(map.as_ptr().align_offset(4), 0, "page-aligned map");
            Some(map)
        };
        Ok(ShingleStore {
            map,
            offsets: self.offsets,
        })
    }
}

impl ShingleStore {
    fn words(&self, row: u32) -> &[u32] {
        let (a, b) = (
            self.offsets[row as usize] as usize,
            self.offsets[row as usize + 1] as usize,
        );
        match &self.map {
            None => &[],
            Some(m) => {
                // SAFETY: every bit pattern is a valid u32, and the map is
                // 4-aligned (checked in `finish`), so nothing is in the prefix.
                let (prefix, words, _) = unsafe { m.align_to::<u32>() };
                debug_assert!(prefix.is_empty());
                &words[a..b]
            }
        }
    }

    /// The sorted set of one row.
    pub fn set(&self, row: u32) -> Vec<u32> {
        self.words(row).to_vec()
    }

    /// Size of the intersection of two rows' sets, read in place.
    pub fn intersection(&self, a: u32, b: u32) -> usize {
        intersection_size(self.words(a), self.words(b))
    }
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
    }
}
