//! The files a shard's stages leave in the work directory, and reading
//! rows back from them into a small [`ArticleTable`] by global id.
//!
//! Per shard `S`: `rows-S.jsonl` (one object per signed row: `gid`, `id`,
//! `file`, `line`, `clean_len`, `published`, `source`, `hash`),
//! `keys-S.jsonl` (`gid`, `bands`, `slots`, for rows with shingles),
//! `rejected-S.jsonl` (`gid`, `report`: the report line), `cols-S.bin` (per
//! record: its MinHash slots, set size, cleaned-text hash and where its set
//! starts in `sets-S.bin`, fixed size, so record `n` is read by position)
//! and `sets-S.bin` (the shingle store's format: set, then order). The
//! binary files are in native byte order: read by the same build on the
//! same kind of machine.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::article::Location;
use crate::dedup::store::{Compact, ShingleStoreWriter};
use crate::dedup::table::{ArticleTable, Columns, Row};
use crate::error::{Error, Result};
use crate::sketch::minhash::MinHashParams;

use super::split_gid;

/// The paths of one shard's files in a work directory.
#[derive(Debug, Clone)]
pub struct ShardFiles {
    dir: PathBuf,
    shard: u32,
}

impl ShardFiles {
    pub fn new(dir: &Path, shard: u32) -> Self {
        ShardFiles {
            dir: dir.to_path_buf(),
            shard,
        }
    }

    pub fn shard(&self) -> u32 {
        self.shard
    }

    fn path(&self, what: &str, ext: &str) -> PathBuf {
        self.dir.join(format!("{what}-{:05}.{ext}", self.shard))
    }

    pub fn rows(&self) -> PathBuf {
        self.path("rows", "jsonl")
    }
    pub fn keys(&self) -> PathBuf {
        self.path("keys", "jsonl")
    }
    pub fn rejected(&self) -> PathBuf {
        self.path("rejected", "jsonl")
    }
    pub fn cols(&self) -> PathBuf {
        self.path("cols", "bin")
    }
    pub fn sets(&self) -> PathBuf {
        self.path("sets", "bin")
    }
}

/// Bytes of one record of `cols-S.bin`: slots, set size, hash, set offset.
pub(super) fn record_len(num_perm: usize) -> usize {
    4 * num_perm + 4 + 8 + 8
}

/// One record of `cols-S.bin`.
pub(super) fn encode_record(slots: &[u32], set_size: u32, hash: u64, offset: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(record_len(slots.len()));
    for s in slots {
        out.extend_from_slice(&s.to_ne_bytes());
    }
    out.extend_from_slice(&set_size.to_ne_bytes());
    out.extend_from_slice(&hash.to_ne_bytes());
    out.extend_from_slice(&offset.to_ne_bytes());
    out
}

/// What a stage knows of a row besides its signature: enough for the
/// keep rule and the report (defaults when only verifying).
#[derive(Debug, Clone, Default)]
pub struct RowFacts {
    pub id: String,
    pub file: String,
    pub line: u64,
    pub clean_len: u32,
    pub published: Option<String>,
    pub source: Option<String>,
}

/// Reads rows of any shard of a work directory by global id.
pub struct ShardReader {
    dir: PathBuf,
    params: MinHashParams,
    open: HashMap<u32, (File, File)>,
}

/// One row as read back: signature columns and, when asked, its set.
struct Read1 {
    slots: Vec<u32>,
    set_size: u32,
    hash: u64,
    offset: u64,
}

impl ShardReader {
    pub fn new(dir: &Path, params: MinHashParams) -> Self {
        ShardReader {
            dir: dir.to_path_buf(),
            params,
            open: HashMap::new(),
        }
    }

    fn files(&mut self, shard: u32) -> Result<&mut (File, File)> {
        if !self.open.contains_key(&shard) {
            let f = ShardFiles::new(&self.dir, shard);
            let open = |p: PathBuf| File::open(&p).map_err(|e| Error::io("cannot open", &p, e));
            self.open.insert(shard, (open(f.cols())?, open(f.sets())?));
        }
        Ok(self.open.get_mut(&shard).expect("just opened"))
    }

    fn record(&mut self, gid: i64) -> Result<Read1> {
        let (shard, seq) = split_gid(gid);
        let k = self.params.num_perm;
        let len = record_len(k);
        let dir = self.dir.clone();
        let (cols, _) = self.files(shard)?;
        let mut buf = vec![0u8; len];
        let err = |e| Error::io("cannot read", ShardFiles::new(&dir, shard).cols(), e);
        cols.seek(SeekFrom::Start((seq * len) as u64))
            .map_err(err)?;
        cols.read_exact(&mut buf).map_err(err)?;
        let u32_at = |i: usize| u32::from_ne_bytes(buf[i..i + 4].try_into().expect("4 bytes"));
        let u64_at = |i: usize| u64::from_ne_bytes(buf[i..i + 8].try_into().expect("8 bytes"));
        Ok(Read1 {
            slots: (0..k).map(|i| u32_at(4 * i)).collect(),
            set_size: u32_at(4 * k),
            hash: u64_at(4 * k + 4),
            offset: u64_at(4 * k + 12),
        })
    }

    fn set(&mut self, shard: u32, offset: u64, size: u32) -> Result<Compact> {
        let dir = self.dir.clone();
        let (_, sets) = self.files(shard)?;
        let err = |e| Error::io("cannot read", ShardFiles::new(&dir, shard).sets(), e);
        let mut bytes = vec![0u8; 8 * size as usize];
        sets.seek(SeekFrom::Start(offset * 4)).map_err(err)?;
        sets.read_exact(&mut bytes).map_err(err)?;
        let all: Vec<u32> = bytes
            .chunks_exact(4)
            .map(|b| u32::from_ne_bytes(b.try_into().expect("4 bytes")))
            .collect();
        let (set, order) = all.split_at(size as usize);
        Ok(Compact {
            set: set.to_vec(),
            order: order.to_vec(),
        })
    }

    /// The signature columns of these rows (in this order: row `i` of the
    /// result is `gids[i]`), with their facts.
    ///
    /// # Errors
    /// Reading the work directory.
    pub fn columns(&mut self, gids: &[i64], facts: impl Fn(usize) -> RowFacts) -> Result<Columns> {
        let mut columns = Columns::new(self.params);
        for (i, &gid) in gids.iter().enumerate() {
            let r = self.record(gid)?;
            let f = facts(i);
            columns.push(Row {
                id: f.id,
                seq: i,
                location: Location::line(Arc::from(f.file.as_str()), f.line),
                clean_len: f.clean_len,
                published: f.published,
                source: f.source,
                title: None,
                labels: Vec::new(),
                slots: r.slots,
                set_size: r.set_size,
                content_hash: r.hash,
            });
        }
        Ok(columns)
    }

    /// These columns (from [`Self::columns`] on `gids`) with the shingle
    /// sets of the rows `wanted` selects (the others read as empty).
    ///
    /// # Errors
    /// Reading the work directory, writing the temporary store.
    pub fn table(
        &mut self,
        columns: Columns,
        gids: &[i64],
        wanted: impl Fn(usize) -> bool,
    ) -> Result<ArticleTable> {
        let mut store = ShingleStoreWriter::new()?;
        for (i, &gid) in gids.iter().enumerate() {
            if wanted(i) && columns.set_size(i as u32) > 0 {
                let r = self.record(gid)?;
                let set = self.set(split_gid(gid).0, r.offset, r.set_size)?;
                store.push(&set)?;
            } else {
                store.push(&Compact::default())?;
            }
        }
        Ok(columns.with_store(store.finish()?))
    }
}
