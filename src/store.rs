//! The shingle store: every signed article's sorted shingle set, spilled to
//! a temporary file and memory-mapped, so candidate pairs can be verified
//! on exact Jaccard and containment without holding all sets in memory.
//!
//! Sets are stored as sorted 32-bit hashes (half the space of 64-bit; a
//! false match between two shingles has probability 2^-32).

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
                .write_all(&v.to_le_bytes())
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
            Some(
                unsafe { Mmap::map(&file) }
                    .map_err(|e| Error::io("cannot map", "a temporary shingle file", e))?,
            )
        };
        Ok(ShingleStore {
            map,
            offsets: self.offsets,
        })
    }
}

impl ShingleStore {
    fn bytes(&self, row: u32) -> &[u8] {
        let (a, b) = (
            self.offsets[row as usize] as usize,
            self.offsets[row as usize + 1] as usize,
        );
        match &self.map {
            None => &[],
            Some(m) => &m[a * 4..b * 4],
        }
    }

    /// The sorted set of one row.
    pub fn set(&self, row: u32) -> Vec<u32> {
        decode(self.bytes(row)).collect()
    }

    /// Size of the intersection of two rows' sets, read in place.
    pub fn intersection(&self, a: u32, b: u32) -> usize {
        let (x, y) = (self.bytes(a), self.bytes(b));
        let at = |s: &[u8], i: usize| u32::from_le_bytes([s[i], s[i + 1], s[i + 2], s[i + 3]]);
        let (mut i, mut j, mut n) = (0, 0, 0);
        while i < x.len() && j < y.len() {
            let (p, q) = (at(x, i), at(y, j));
            if p <= q {
                i += 4;
            }
            if q <= p {
                j += 4;
            }
            n += usize::from(p == q);
        }
        n
    }
}

fn decode(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

/// |A ∩ B| of two sorted, deduplicated slices.
pub fn intersection_size(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
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
