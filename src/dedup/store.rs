//! The shingle store: every signed article's sorted shingle set, spilled to
//! a temporary file, so candidate pairs can be verified on exact Jaccard and
//! containment without holding all sets in memory.
//!
//! Each set is followed by its order: for every shingle of the sorted set,
//! where it first occurs in the article's text (its shingle index), so a
//! containment match can be checked for reading in the same order
//! ([`shared_in_order`](fn@crate::dedup::store::shared_in_order)).
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

    /// A writer into a named file (created or truncated): a shard's sets
    /// kept for later stages (`newsdedup stage`).
    ///
    /// # Errors
    /// The file cannot be created.
    pub fn create(path: &std::path::Path) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io("cannot create", path, e))?;
        Ok(ShingleStoreWriter {
            file: BufWriter::with_capacity(1 << 20, file),
            offsets: vec![0],
            len: 0,
        })
    }

    /// Where the next set will start, in `u32`s from the start of the file.
    pub fn position(&self) -> u64 {
        self.len
    }

    /// Appends the next row's set and order (see [`Compact::of`]).
    ///
    /// # Errors
    /// Writing the temporary file.
    pub fn push(&mut self, compact: &Compact) -> Result<()> {
        debug_assert_eq!(compact.set.len(), compact.order.len());
        for part in [&compact.set, &compact.order] {
            // SAFETY: a `u32` slice is readable as its bytes.
            let bytes = unsafe {
                std::slice::from_raw_parts(
                    part.as_ptr().cast::<u8>(),
                    std::mem::size_of_val(&part[..]),
                )
            };
            self.file
                .write_all(bytes)
                .map_err(|e| Error::io("cannot write", "a temporary shingle file", e))?;
        }
        self.len += 2 * compact.set.len() as u64;
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

/// A shingle set as stored: sorted 32-bit hashes, and for each where it
/// first occurs in the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Compact {
    /// Sorted, deduplicated 32-bit shingle hashes.
    pub set: Vec<u32>,
    /// `order[i]`: the index, among the text's shingles, of the first
    /// occurrence of `set[i]`.
    pub order: Vec<u32>,
}

impl Compact {
    /// The compact form of an article's shingles, given in text order.
    pub fn of(shingles: &[u64]) -> Compact {
        let mut keyed: Vec<u64> = shingles
            .iter()
            .enumerate()
            .map(|(i, &h)| (h << 32) | (i as u64 & 0xFFFF_FFFF))
            .collect();
        keyed.sort_unstable();
        keyed.dedup_by_key(|k| *k >> 32);
        Compact {
            set: keyed.iter().map(|&k| (k >> 32) as u32).collect(),
            order: keyed.iter().map(|&k| k as u32).collect(),
        }
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
        self.read_range(a, a + (b - a) / 2, buf);
    }

    /// Reads one row's set followed by its order into `buf`.
    fn read_with_order(&self, row: u32, buf: &mut Vec<u32>) {
        let (a, b) = (self.offsets[row as usize], self.offsets[row as usize + 1]);
        self.read_range(a, b, buf);
    }

    /// Reads the `u32`s from index `a` to `b` into `buf`.
    fn read_range(&self, a: u64, b: u64, buf: &mut Vec<u32>) {
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

    /// The set of one row with its order.
    pub fn compact(&self, row: u32) -> Compact {
        let mut all = Vec::new();
        self.read_with_order(row, &mut all);
        let order = all.split_off(all.len() / 2);
        Compact { set: all, order }
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

    /// Shared shingles of two rows, and how many of them occur in the same
    /// order in both texts (see [`shared_in_order`]).
    pub fn shared_in_order(&self, a: u32, b: u32) -> InOrder {
        BUFFERS.with(|bufs| {
            let (x, y) = &mut *bufs.borrow_mut();
            self.read_with_order(a, x);
            self.read_with_order(b, y);
            let (xs, xo) = x.split_at(x.len() / 2);
            let (ys, yo) = y.split_at(y.len() / 2);
            shared_in_order(xs, xo, ys, yo)
        })
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

/// How two shingle sets overlap, in count and in order.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct InOrder {
    /// |A ∩ B|.
    pub shared: usize,
    /// The most shared shingles that occur in the same order in both
    /// texts (a longest increasing subsequence): a copy keeps its text's
    /// order, while two reports that share names and stock phrases use them
    /// in different sentences, in a different order.
    pub in_order: usize,
    /// Of the two texts, the smaller share that lies in one run of
    /// unshared shingles between shared ones (distinct shingles in order of
    /// first occurrence, each text against its own set; runs shorter than
    /// [`MIDDLE_MIN_SHINGLES`] or without [`MIDDLE_MIN_FLANK`] shared ones
    /// on each side count 0; 0 when either has no such run). Two
    /// pages of one site share its header and footer, and each has its own
    /// story between them; a copy shares the story, and what it adds or
    /// lacks sits at its edges or is short.
    pub unshared_middle: f64,
}

/// The fewest distinct shingles an unshared middle holds to count (a
/// sentence or two): shorter runs are a copy's rewritten or dropped words,
/// not a story of its own.
pub const MIDDLE_MIN_SHINGLES: u32 = 30;

/// The fewest shared shingles on each side of an unshared middle (a line
/// or two of chrome): a name or a stock phrase both texts happen to use is
/// no header or footer.
pub const MIDDLE_MIN_FLANK: usize = 10;

/// The longest run between two consecutive shared ranks (`shared`,
/// ascending ranks of first occurrence) with [`MIDDLE_MIN_FLANK`] shared
/// ones on each side, as a share of a text of `len` distinct shingles; 0
/// when it is shorter than [`MIDDLE_MIN_SHINGLES`].
fn middle_run(shared: &[u32], len: u32) -> f64 {
    let inner = shared.len().saturating_sub(2 * MIDDLE_MIN_FLANK);
    let run = shared
        .windows(2)
        .skip(MIDDLE_MIN_FLANK - 1)
        .take(inner + 1)
        .map(|w| w[1] - w[0] - 1)
        .max()
        .unwrap_or(0);
    if len == 0 || shared.len() < 2 * MIDDLE_MIN_FLANK || run < MIDDLE_MIN_SHINGLES {
        0.0
    } else {
        f64::from(run) / f64::from(len)
    }
}

/// [`InOrder`] of two sorted sets with their first-occurrence positions
/// (`a_order[i]` for `a_set[i]`, see [`Compact`]).
pub fn shared_in_order(a_set: &[u32], a_order: &[u32], b_set: &[u32], b_order: &[u32]) -> InOrder {
    ORDER_SCRATCH.with(|scratch| {
        let (by_pos, tails) = &mut *scratch.borrow_mut();
        // Shared shingles, filed by their position in A's text (positions
        // are distinct), holding their position in B's.
        by_pos.clear();
        let mut shared = 0;
        let (mut i, mut j) = (0, 0);
        while i < a_set.len() && j < b_set.len() {
            let (p, q) = (a_set[i], b_set[j]);
            if p == q {
                let pos = a_order[i] as usize;
                if pos >= by_pos.len() {
                    by_pos.resize(pos + 1, u32::MAX);
                }
                by_pos[pos] = b_order[j];
                shared += 1;
            }
            i += usize::from(p <= q);
            j += usize::from(q <= p);
        }
        // Patience sorting in A's order: tails[k] is the smallest last
        // position in B of an increasing run of k + 1 shared shingles.
        tails.clear();
        for &p in by_pos.iter().filter(|&&p| p != u32::MAX) {
            let k = tails.partition_point(|&t| t < p);
            if k == tails.len() {
                tails.push(p);
            } else {
                tails[k] = p;
            }
        }
        let in_order = tails.len();
        // The unshared middles, counted in distinct shingles: each text's
        // shared shingles by their rank among its own first occurrences
        // (a repeated passage is no middle of its own).
        let ranks = |order: &[u32], shared: &mut Vec<u32>| {
            let mut sorted = order.to_vec();
            sorted.sort_unstable();
            for p in shared.iter_mut() {
                *p = sorted.partition_point(|&q| q < *p) as u32;
            }
        };
        tails.clear();
        tails.extend(
            by_pos
                .iter()
                .enumerate()
                .filter(|(_, &p)| p != u32::MAX)
                .map(|(pos, _)| pos as u32),
        );
        ranks(a_order, tails);
        let middle_a = middle_run(tails, a_order.len() as u32);
        tails.clear();
        tails.extend(by_pos.iter().copied().filter(|&p| p != u32::MAX));
        tails.sort_unstable();
        ranks(b_order, tails);
        let middle_b = middle_run(tails, b_order.len() as u32);
        if by_pos.capacity() > MAX_KEPT_SCRATCH {
            *by_pos = Vec::new();
            *tails = Vec::new();
        }
        InOrder {
            shared,
            in_order,
            unshared_middle: middle_a.min(middle_b),
        }
    })
}

/// Scratch entries kept per thread between order checks (a huge article's
/// scratch is freed after use).
const MAX_KEPT_SCRATCH: usize = 1 << 16;

thread_local! {
    /// [`shared_in_order`]'s buffers: shared shingles by position, run tails.
    static ORDER_SCRATCH: RefCell<(Vec<u32>, Vec<u32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
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
        w.push(&Compact::of(&[5, 1, 3, 3])).unwrap();
        w.push(&Compact::default()).unwrap();
        w.push(&Compact::of(&[3, 4, 5])).unwrap();
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
        w.push(&Compact::of(&[1, 2, 3])).unwrap();
        w.push(&Compact::of(&[2, 3, 4])).unwrap();
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

    #[test]
    fn order_is_the_first_occurrence_in_the_text() {
        // Shingles 9, 4, 9, 7: 9 first occurs at 0, 4 at 1, 7 at 3.
        let c = Compact::of(&[9, 4, 9, 7]);
        assert_eq!(c.set, vec![4, 7, 9]);
        assert_eq!(c.order, vec![1, 3, 0]);
        let mut w = ShingleStoreWriter::new().unwrap();
        w.push(&c).unwrap();
        w.push(&Compact::of(&[7, 9, 4, 5])).unwrap();
        let s = w.finish().unwrap();
        assert_eq!(s.compact(0), c);
        assert_eq!(s.set(1), vec![4, 5, 7, 9]);
        // Shared 4, 7, 9: in text order 9 4 7 and 7 9 4; two keep their order.
        let io = s.shared_in_order(0, 1);
        assert_eq!((io.shared, io.in_order), (3, 2));
        assert_eq!(s.shared_in_order(1, 0), io);
    }

    proptest::proptest! {
        #[test]
        fn in_order_is_the_longest_common_ordered_run(
            a in proptest::collection::vec(0u64..40, 0..60),
            b in proptest::collection::vec(0u64..40, 0..60),
        ) {
            let (ca, cb) = (Compact::of(&a), Compact::of(&b));
            let got = shared_in_order(&ca.set, &ca.order, &cb.set, &cb.order);
            // Oracle: the longest common subsequence of the two texts'
            // first occurrences of shared shingles (quadratic DP).
            let firsts = |v: &[u64], other: &[u64]| -> Vec<u64> {
                let mut seen = std::collections::HashSet::new();
                v.iter().copied().filter(|x| other.contains(x) && seen.insert(*x)).collect()
            };
            let (fa, fb) = (firsts(&a, &b), firsts(&b, &a));
            let mut dp = vec![vec![0usize; fb.len() + 1]; fa.len() + 1];
            for i in 0..fa.len() {
                for j in 0..fb.len() {
                    dp[i + 1][j + 1] = if fa[i] == fb[j] {
                        dp[i][j] + 1
                    } else {
                        dp[i][j + 1].max(dp[i + 1][j])
                    };
                }
            }
            proptest::prop_assert_eq!(got.shared, fa.len());
            proptest::prop_assert_eq!(got.in_order, dp[fa.len()][fb.len()]);
            proptest::prop_assert_eq!(got, shared_in_order(&cb.set, &cb.order, &ca.set, &ca.order));
        }


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
