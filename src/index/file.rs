//! The redb file: tables, format name and version, opening (sniffed,
//! locked, waited for), settings and counters, and panics of a damaged
//! file turned into errors.

use crate::index::IndexSettings;

use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use redb::{
    Builder, ConcurrencyMode, Database, DatabaseError, MultimapTableDefinition, ReadOnlyDatabase,
    ReadableDatabase, ReadableTable, TableDefinition,
};

use super::integrity::{meta_seed, seal, unseal, SealedSums};
use crate::error::{Error, Result};

/// The on-disk format this build reads and writes.
pub const FORMAT_VERSION: u32 = 5;
pub(super) const FORMAT_NAME: &[u8] = b"newsdedup-index";
/// The first bytes of every redb file.
pub(super) const REDB_MAGIC: [u8; 9] = [b'r', b'e', b'd', b'b', 0x1A, 0x0A, 0xA9, 0x0D, 0x0A];
pub(super) const CACHE_BYTES: usize = 256 << 20;

pub(super) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Document number → postcard-encoded [`StoredDoc`], sealed with the number.
pub(super) const DOCS: TableDefinition<u64, &[u8]> = TableDefinition::new("docs");
/// Article id → document number.
pub(super) const IDS: TableDefinition<&str, u64> = TableDefinition::new("ids");
/// LSH band key → document numbers.
pub(super) const BANDS: MultimapTableDefinition<u64, u64> = MultimapTableDefinition::new("bands");
/// Single-slot key (for the rare-shingle pass, the first `rare_slots` slots
/// of the settings) → document numbers.
pub(super) const SLOTS: MultimapTableDefinition<u64, u64> = MultimapTableDefinition::new("slots");
/// Hash of the cleaned text → document numbers (exact copies, even empty ones).
pub(super) const CONTENT: MultimapTableDefinition<u64, u64> =
    MultimapTableDefinition::new("content");

/// Event term key → number of held articles with the term, as a sums
/// entry whose count is the number ([`integrity::SumEntry`]).
pub(super) const TERM_DF: TableDefinition<u64, SealedSums> = TableDefinition::new("term_df");
/// Event term key → held articles among whose heaviest terms it is.
pub(super) const POSTINGS: MultimapTableDefinition<u64, u64> =
    MultimapTableDefinition::new("postings");
/// Bucket key → the bucket's sums entry, one table per multimap
/// ([`integrity::SumEntry`]).
pub(super) const CONTENT_SUMS: TableDefinition<u64, SealedSums> =
    TableDefinition::new("content_sums");
pub(super) const BAND_SUMS: TableDefinition<u64, SealedSums> = TableDefinition::new("band_sums");
pub(super) const SLOT_SUMS: TableDefinition<u64, SealedSums> = TableDefinition::new("slot_sums");
pub(super) const POSTING_SUMS: TableDefinition<u64, SealedSums> =
    TableDefinition::new("posting_sums");

/// The sums table of each lookup table, in [`Lookup::ALL`] order.
pub(super) const SUMS: [TableDefinition<u64, SealedSums>; 5] =
    [CONTENT_SUMS, BAND_SUMS, SLOT_SUMS, POSTING_SUMS, TERM_DF];

pub(super) enum Handle {
    Write(Database),
    Read(ReadOnlyDatabase),
}

impl Handle {
    pub(super) fn begin_read(
        &self,
    ) -> std::result::Result<redb::ReadTransaction, redb::TransactionError> {
        match self {
            Handle::Write(db) => db.begin_read(),
            Handle::Read(db) => db.begin_read(),
        }
    }
}

/// Why a read that made redb panic failed: the panic's own text
/// ("entered unreachable code", "slice index starts at …") is redb's
/// internals, not something a user can act on.
pub(crate) const DAMAGED_PAGE: &str =
    "the file is damaged (a page of the storage engine does not read back as written)";

/// Runs `f`, turning a panic inside redb (which a damaged file can cause:
/// redb trusts pages it wrote) into [`Error::NotAnIndex`]. Unwinding drops
/// any open write transaction, so nothing is committed.
pub(super) fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(_) => Err(Error::NotAnIndex {
            path: path.into(),
            reason: DAMAGED_PAGE.into(),
        }),
    }
}

pub(super) fn builder() -> Builder {
    let mut b = Builder::new();
    b.set_concurrency_mode(ConcurrencyMode::SingleWriter)
        .set_cache_size(CACHE_BYTES);
    b
}

/// Refuses missing files and files that are not redb databases before redb
/// sees them.
pub(super) fn sniff(path: &Path) -> Result<()> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::IndexMissing { path: path.into() })
        }
        Err(e) => return Err(Error::io("cannot open index", path, e)),
    };
    if file
        .metadata()
        .map_err(|e| Error::io("cannot open index", path, e))?
        .is_dir()
    {
        return Err(Error::NotAnIndex {
            path: path.into(),
            reason: "it is a directory".into(),
        });
    }
    let mut head = [0u8; REDB_MAGIC.len()];
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) => return Err(Error::io("cannot read index", path, e)),
        }
    }
    if got < head.len() || head != REDB_MAGIC {
        return Err(Error::NotAnIndex {
            path: path.into(),
            reason: if got == 0 {
                "the file is empty".into()
            } else {
                "the file does not start with a database header".into()
            },
        });
    }
    Ok(())
}

pub(super) fn open_writer(path: &Path, wait: Option<Duration>) -> Result<Database> {
    // A wait too long for the clock (`--wait 18446744073709551615`) is
    // capped at a century.
    let deadline = wait.map(|w| {
        let now = Instant::now();
        now.checked_add(w)
            .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 86_400))
    });
    loop {
        match builder().open(path) {
            Ok(db) => return Ok(db),
            Err(DatabaseError::DatabaseAlreadyOpen) => match deadline {
                Some(d) if Instant::now() < d => std::thread::sleep(Duration::from_millis(100)),
                _ => return Err(Error::IndexLocked { path: path.into() }),
            },
            Err(e) => return Err(open_error(path, e, "cannot open")),
        }
    }
}

pub(super) fn open_error(path: &Path, e: DatabaseError, action: &'static str) -> Error {
    match e {
        DatabaseError::DatabaseAlreadyOpen => Error::IndexLocked { path: path.into() },
        // Damaged and truncated files are told apart in `Error::index`.
        other => Error::index(action, path, other),
    }
}

pub(super) fn read_meta(path: &Path, handle: &Handle) -> Result<IndexSettings> {
    let not_index = |reason: String| Error::NotAnIndex {
        path: path.into(),
        reason,
    };
    let txn = handle
        .begin_read()
        .map_err(|e| Error::index("cannot read", path, e))?;
    let meta = match txn.open_table(META) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => {
            return Err(not_index(
                "it is a database without newsdedup's tables".into(),
            ))
        }
        Err(redb::TableError::Storage(redb::StorageError::Corrupted(msg))) => {
            return Err(not_index(format!("the file is damaged ({msg})")))
        }
        Err(e) => return Err(Error::index("cannot read", path, e)),
    };
    let get = |key: &str| -> Result<Option<Vec<u8>>> {
        Ok(meta
            .get(key)
            .map_err(|e| Error::index("cannot read", path, e))?
            .map(|g| g.value().to_vec()))
    };
    if get("format")?.as_deref() != Some(FORMAT_NAME) {
        return Err(not_index(
            "it is a database without newsdedup's tables".into(),
        ));
    }
    let version = get("version")?
        .and_then(|v| <[u8; 4]>::try_from(v.as_slice()).ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| not_index("its format version is missing".into()))?;
    if version != FORMAT_VERSION {
        return Err(Error::IndexVersion {
            path: path.into(),
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let settings = get("settings")?.ok_or_else(|| not_index("its settings are missing".into()))?;
    let settings = unseal(&settings, meta_seed("settings")).ok_or_else(|| {
        damaged(
            path,
            "settings",
            "their checksum does not match their bytes",
        )
    })?;
    serde_json::from_slice(settings)
        .map_err(|e| not_index(format!("its settings cannot be read ({e})")))
}

pub(super) fn damaged(path: &Path, record: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::DamagedRecord {
        path: path.into(),
        record: record.into(),
        reason: reason.into(),
    }
}

/// A number of the settings table, sealed under its key.
pub(super) fn sealed_u64(key: &str, value: u64) -> Vec<u8> {
    seal(value.to_le_bytes().to_vec(), meta_seed(key))
}

/// A sealed number of the settings table (`next_doc`, `articles`).
pub(super) fn meta_u64(
    meta: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &'static str,
    path: &Path,
) -> Result<u64> {
    let value = meta
        .get(key)
        .map_err(|e| Error::index("cannot read", path, e))?
        .ok_or_else(|| damaged(path, format!("setting {key}"), "it is missing"))?;
    unseal(value.value(), meta_seed(key))
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_le_bytes)
        .ok_or_else(|| {
            damaged(
                path,
                format!("setting {key}"),
                "its checksum does not match its bytes",
            )
        })
}

/// The number of entries of each lookup table (the sum of the frequencies
/// for term_df), in [`Lookup::ALL`] order, sealed.
pub(super) fn sealed_entries(entries: [u64; 5]) -> Vec<u8> {
    seal(
        entries.iter().flat_map(|n| n.to_le_bytes()).collect(),
        meta_seed("entries"),
    )
}

/// The number of entries of each lookup table, as the settings record them.
pub(super) fn meta_entries(
    meta: &impl ReadableTable<&'static str, &'static [u8]>,
    path: &Path,
) -> Result<[u64; 5]> {
    let record = "setting entries";
    let value = meta
        .get("entries")
        .map_err(|e| Error::index("cannot read", path, e))?
        .ok_or_else(|| damaged(path, record, "it is missing"))?;
    let bytes = unseal(value.value(), meta_seed("entries"))
        .filter(|b| b.len() == 40)
        .ok_or_else(|| damaged(path, record, "its checksum does not match its bytes"))?;
    let mut out = [0u64; 5];
    for (n, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        *n = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
    }
    Ok(out)
}
