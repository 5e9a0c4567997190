//! The signed-article table: per article, what later stages need (id,
//! location, keep-rule facts, optional gold label, signature), stored
//! column-wise so a million articles fit in a few hundred megabytes.

use std::collections::HashSet;
use std::sync::Arc;

use crate::article::Location;
use crate::dedup::store::{InOrder, ShingleStore};
use crate::sketch::minhash::MinHashParams;

/// Articles that were read and signed, in input order (row order): their
/// columns (reached through `Deref`) and their stored shingle sets.
#[derive(Debug, Clone)]
pub struct ArticleTable {
    columns: Columns,
    store: Arc<ShingleStore>,
}

impl std::ops::Deref for ArticleTable {
    type Target = Columns;

    fn deref(&self) -> &Columns {
        &self.columns
    }
}

/// The per-article facts of a table, filled row by row while signing.
#[derive(Debug, Clone)]
pub struct Columns {
    params: MinHashParams,
    ids: Vec<Box<str>>,
    seqs: Vec<usize>,
    locations: Vec<Location>,
    clean_len: Vec<u32>,
    published: Vec<Option<Box<str>>>,
    /// Sources are few and repeat: each distinct name is held once.
    sources: Vec<Option<Arc<str>>>,
    source_names: HashSet<Arc<str>>,
    titles: Vec<Option<Box<str>>>,
    labels: Vec<Box<[Option<Arc<str>>]>>,
    slots: Vec<u32>,
    set_size: Vec<u32>,
    content_hash: Vec<u64>,
}

/// Exact overlap of two articles' shingle sets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    pub jaccard: f64,
    /// Share of the first article's shingles found in the second.
    pub containment: f64,
    /// Share of the shared shingles that occur in the same order in both
    /// texts (1 when none are shared; see [`crate::dedup::store::InOrder`]).
    pub in_order: f64,
    /// The smaller share of either text in one unshared run between shared
    /// shingles (see [`crate::dedup::store::InOrder::unshared_middle`]).
    pub unshared_middle: f64,
}

/// A similarity as reports give it: 4 decimals.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl Overlap {
    /// No overlap at all.
    pub const NONE: Overlap = Overlap {
        jaccard: 0.0,
        containment: 0.0,
        in_order: 1.0,
        unshared_middle: 0.0,
    };

    /// The same text.
    pub const SAME: Overlap = Overlap {
        jaccard: 1.0,
        containment: 1.0,
        in_order: 1.0,
        unshared_middle: 0.0,
    };

    /// The overlap of sets of `na` and `nb` shingles that share
    /// `shared.shared`, `shared.in_order` of them in the same order.
    pub fn of_counts(na: usize, nb: usize, shared: InOrder) -> Overlap {
        if na == 0 || nb == 0 {
            return Overlap::NONE;
        }
        let inter = shared.shared as f64;
        Overlap {
            jaccard: inter / ((na + nb) as f64 - inter),
            containment: inter / na as f64,
            in_order: if shared.shared == 0 {
                1.0
            } else {
                shared.in_order as f64 / inter
            },
            unshared_middle: shared.unshared_middle,
        }
    }

    /// The overlap of sets of these sizes sharing `inter` shingles, all in
    /// the same order: the most any pair with those counts can reach.
    pub(crate) fn at_best(na: usize, nb: usize, inter: usize) -> Overlap {
        Overlap::of_counts(
            na,
            nb,
            InOrder {
                shared: inter,
                in_order: inter,
                unshared_middle: 0.0,
            },
        )
    }
}

/// One article's row as it goes into the table.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub seq: usize,
    pub location: Location,
    pub clean_len: u32,
    pub published: Option<String>,
    pub source: Option<String>,
    pub title: Option<String>,
    pub labels: Vec<Option<Arc<str>>>,
    pub slots: Vec<u32>,
    pub set_size: u32,
    pub content_hash: u64,
}

impl Columns {
    /// Empty columns for signatures with these parameters.
    pub fn new(params: MinHashParams) -> Self {
        Columns {
            params,
            ids: Vec::new(),
            seqs: Vec::new(),
            locations: Vec::new(),
            clean_len: Vec::new(),
            published: Vec::new(),
            sources: Vec::new(),
            source_names: HashSet::new(),
            titles: Vec::new(),
            labels: Vec::new(),
            slots: Vec::new(),
            set_size: Vec::new(),
            content_hash: Vec::new(),
        }
    }

    /// The table: these columns and the stored shingle sets of all rows
    /// (see [`crate::dedup::store`]).
    pub fn with_store(self, store: ShingleStore) -> ArticleTable {
        ArticleTable {
            columns: self,
            store: Arc::new(store),
        }
    }

    /// Appends a row; returns its row number.
    pub fn push(&mut self, row: Row) -> u32 {
        debug_assert_eq!(row.slots.len(), self.params.num_perm);
        let r = self.ids.len() as u32;
        self.ids.push(row.id.into_boxed_str());
        self.seqs.push(row.seq);
        self.locations.push(row.location);
        self.clean_len.push(row.clean_len);
        self.published
            .push(row.published.map(String::into_boxed_str));
        let source = row
            .source
            .map(|name| match self.source_names.get(name.as_str()) {
                Some(held) => Arc::clone(held),
                None => {
                    let held: Arc<str> = name.into();
                    self.source_names.insert(Arc::clone(&held));
                    held
                }
            });
        self.sources.push(source);
        self.titles.push(row.title.map(String::into_boxed_str));
        self.labels.push(row.labels.into_boxed_slice());
        self.slots.extend_from_slice(&row.slots);
        self.set_size.push(row.set_size);
        self.content_hash.push(row.content_hash);
        r
    }

    pub fn params(&self) -> &MinHashParams {
        &self.params
    }
    pub fn len(&self) -> usize {
        self.ids.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
    pub fn id(&self, row: u32) -> &str {
        &self.ids[row as usize]
    }
    pub fn seq(&self, row: u32) -> usize {
        self.seqs[row as usize]
    }
    pub fn location(&self, row: u32) -> &Location {
        &self.locations[row as usize]
    }
    pub fn clean_len(&self, row: u32) -> u32 {
        self.clean_len[row as usize]
    }
    pub fn published(&self, row: u32) -> Option<&str> {
        self.published[row as usize].as_deref()
    }
    pub fn source(&self, row: u32) -> Option<&str> {
        self.sources[row as usize].as_deref()
    }
    pub fn title(&self, row: u32) -> Option<&str> {
        self.titles[row as usize].as_deref()
    }
    /// The values of the configured label fields (see `DedupConfig::label_fields`).
    pub fn labels(&self, row: u32) -> &[Option<Arc<str>>] {
        &self.labels[row as usize]
    }
    pub fn slots(&self, row: u32) -> &[u32] {
        let k = self.params.num_perm;
        &self.slots[row as usize * k..(row as usize + 1) * k]
    }
    pub fn set_size(&self, row: u32) -> u32 {
        self.set_size[row as usize]
    }
    pub fn content_hash(&self, row: u32) -> u64 {
        self.content_hash[row as usize]
    }
}

impl ArticleTable {
    /// Whether two rows' sets share at least `need` shingles.
    pub fn overlap_reaches(&self, a: u32, b: u32, need: usize) -> bool {
        self.store.reaches(a, b, need)
    }

    /// Whether every read of the stored sets so far succeeded (see
    /// [`ShingleStore::health`]).
    ///
    /// # Errors
    /// The first failed read of the temporary shingle file.
    pub fn store_health(&self) -> crate::error::Result<()> {
        self.store.health()
    }

    /// The sorted shingle set of a row.
    pub fn shingle_set(&self, row: u32) -> Vec<u32> {
        self.store.set(row)
    }

    /// The sorted shingle set of a row with where each shingle first occurs.
    pub fn shingles_with_order(&self, row: u32) -> crate::dedup::store::Compact {
        self.store.compact(row)
    }

    /// Exact Jaccard similarity of two rows' stored sets (no order check:
    /// cheaper than [`Self::overlap`]).
    pub fn jaccard(&self, a: u32, b: u32) -> f64 {
        self.counted(a, b).jaccard
    }

    /// Share of row `a`'s stored shingles found in row `b`'s (no order check).
    pub fn containment(&self, a: u32, b: u32) -> f64 {
        self.counted(a, b).containment
    }

    fn counted(&self, a: u32, b: u32) -> Overlap {
        let (na, nb) = (self.set_size(a) as usize, self.set_size(b) as usize);
        if na == 0 || nb == 0 {
            return Overlap::NONE;
        }
        Overlap::at_best(na, nb, self.store.intersection(a, b))
    }

    /// Exact overlap of two rows from the stored shingle sets.
    pub fn overlap(&self, a: u32, b: u32) -> Overlap {
        let (na, nb) = (self.set_size(a) as usize, self.set_size(b) as usize);
        Overlap::of_counts(na, nb, self.shared_in_order(a, b))
    }

    /// Shared shingles of two rows, and how many occur in the same order in
    /// both (see [`ShingleStore::shared_in_order`]).
    pub fn shared_in_order(&self, a: u32, b: u32) -> InOrder {
        self.store.shared_in_order(a, b)
    }
}
