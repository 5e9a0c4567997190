//! A held article as stored: metadata, signature, delta-coded shingle
//! set with its order, event terms, day and venues; sealed, decoded and
//! checked on read.

use crate::index::damaged;
use crate::index::meta_u64;

use std::path::Path;

use redb::{ReadableTable, ReadableTableMetadata};
use serde::{Deserialize, Serialize};

use super::integrity::{unchecked_payload, unseal};
use super::texts::Incoming;
use crate::dedup::store::Compact;
use crate::dedup::table::ArticleTable;
use crate::error::{Error, Result};
use crate::events::dates::DayFrom;
use crate::events::places::Place;

/// One held article as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StoredDoc {
    pub(super) id: String,
    pub(super) title: Option<String>,
    pub(super) source: Option<String>,
    pub(super) published: Option<String>,
    pub(super) content_hash: u64,
    pub(super) clean_len: u32,
    pub(super) set_size: u32,
    pub(super) slots: Vec<u32>,
    /// The sorted shingle set, delta-coded (postcard writes varints).
    pub(super) deltas: Vec<u32>,
    /// Where each shingle of the set first occurs in the text (see
    /// [`crate::dedup::store::Compact`]).
    pub(super) order: Vec<u32>,
    /// Event terms: key, kind and title flag ([`TermKind::code`]), count.
    pub(super) terms: Vec<(u64, u8, u32)>,
    /// Publication day (days since 1970-01-01), when readable.
    pub(super) day: Option<i32>,
    /// Without a readable `published`: the day read from the text.
    pub(super) text_day: Option<i32>,
    /// The venues its dateline and lead name, as `cluster` compares them.
    pub(super) venues: Vec<Place>,
    /// The term keys filed in the postings for this article.
    pub(super) posted: Vec<u64>,
    /// The article's text, deflated (`texts::pack`): what a copy of it is
    /// compared with.
    pub(super) text: Vec<u8>,
}

impl StoredDoc {
    pub(super) fn from_row(table: &ArticleTable, row: u32, incoming: Incoming) -> Self {
        let Compact { set, order } = table.shingles_with_order(row);
        let mut prev = 0u32;
        let deltas = set
            .iter()
            .map(|&v| {
                let d = v - prev;
                prev = v;
                d
            })
            .collect();
        let day = incoming.published_day();
        StoredDoc {
            id: table.id(row).to_string(),
            title: table.title(row).map(str::to_string),
            source: table.source(row).map(str::to_string),
            published: table.published(row).map(str::to_string),
            content_hash: table.content_hash(row),
            clean_len: table.clean_len(row),
            set_size: table.set_size(row),
            slots: table.slots(row).to_vec(),
            deltas,
            order,
            terms: incoming.terms,
            day,
            text_day: incoming
                .day
                .filter(|d| d.from != DayFrom::Published)
                .map(|d| d.day),
            venues: incoming.venues,
            posted: Vec::new(),
            text: incoming.text,
        }
    }

    pub(super) fn held(&self) -> HeldArticle {
        HeldArticle {
            id: self.id.clone(),
            title: self.title.clone(),
            source: self.source.clone(),
            published: self.published.clone(),
        }
    }
}

/// The leading fields of a [`StoredDoc`], up to its signature: what a
/// lookup reads of every candidate. The shingle set after them is decoded
/// only when wanted ([`Shingles`]), the event terms and the text never (the
/// checksum still covers the whole record).
#[derive(Debug, Clone, Deserialize)]
pub(super) struct DocCore {
    pub(super) id: String,
    pub(super) title: Option<String>,
    pub(super) source: Option<String>,
    pub(super) published: Option<String>,
    pub(super) content_hash: u64,
    /// Decoded to reach the fields after it; lookups do not use it.
    #[allow(dead_code)]
    pub(super) clean_len: u32,
    pub(super) set_size: u32,
    pub(super) slots: Vec<u32>,
}

impl DocCore {
    pub(super) fn held(&self) -> HeldArticle {
        HeldArticle {
            id: self.id.clone(),
            title: self.title.clone(),
            source: self.source.clone(),
            published: self.published.clone(),
        }
    }
}

/// The fields of a [`StoredDoc`] after [`DocCore`]'s: the shingle set and
/// its order.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct Shingles {
    pub(super) deltas: Vec<u32>,
    pub(super) order: Vec<u32>,
}

impl Shingles {
    pub(super) fn set(&self) -> Vec<u32> {
        undelta(&self.deltas)
    }
}

/// A sorted set from its deltas.
fn undelta(deltas: &[u32]) -> Vec<u32> {
    let mut acc = 0u32;
    deltas
        .iter()
        .map(|&d| {
            acc = acc.wrapping_add(d);
            acc
        })
        .collect()
}

/// What the index tells about a held article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldArticle {
    pub id: String,
    pub title: Option<String>,
    pub source: Option<String>,
    pub published: Option<String>,
}

/// The number of held articles the settings record, checked against the
/// docs table's own count.
pub(super) fn held_articles(
    meta: &impl ReadableTable<&'static str, &'static [u8]>,
    docs: &impl ReadableTableMetadata,
    path: &Path,
) -> Result<u64> {
    let held = meta_u64(meta, "articles", path)?;
    let len = docs
        .len()
        .map_err(|e| Error::index("cannot read", path, e))?;
    if len != held {
        return Err(damaged(
            path,
            "table docs",
            format!("it holds {len} articles, the settings record {held}"),
        ));
    }
    Ok(held)
}

/// A held document, its checksum checked.
pub(super) fn load_doc(
    docs: &impl ReadableTable<u64, &'static [u8]>,
    doc: u64,
    path: &Path,
) -> Result<StoredDoc> {
    let bytes = docs
        .get(doc)
        .map_err(|e| Error::index("cannot read", path, e))?
        .ok_or_else(|| {
            damaged(
                path,
                format!("document {doc}"),
                "it is listed in a lookup table but missing",
            )
        })?;
    decode_doc(bytes.value(), doc, path)
}

/// The held document an id points to, checked to hold that id.
pub(super) fn load_doc_as(
    docs: &impl ReadableTable<u64, &'static [u8]>,
    doc: u64,
    id: &str,
    path: &Path,
) -> Result<StoredDoc> {
    let stored = load_doc(docs, doc, path)?;
    if stored.id != id {
        return Err(damaged(
            path,
            format!("id {id:?}"),
            format!(
                "the ids table points to document {doc}, which holds id {:?}",
                stored.id
            ),
        ));
    }
    Ok(stored)
}

/// The leading fields of a held document, its checksum checked, and its
/// shingles when `want` says so of those fields.
pub(super) fn load_core(
    docs: &impl ReadableTable<u64, &'static [u8]>,
    doc: u64,
    path: &Path,
    want: impl FnOnce(&DocCore) -> bool,
) -> Result<(DocCore, Option<Shingles>)> {
    let bytes = docs
        .get(doc)
        .map_err(|e| Error::index("cannot read", path, e))?
        .ok_or_else(|| {
            damaged(
                path,
                format!("document {doc}"),
                "it is listed in a lookup table but missing",
            )
        })?;
    let sealed = bytes.value();
    let Some(payload) = unseal(sealed, doc) else {
        return Err(damaged(
            path,
            doc_name(doc, sealed),
            "its checksum does not match its bytes",
        ));
    };
    let undecodable = |e: postcard::Error| {
        damaged(
            path,
            format!("document {doc}"),
            format!("it cannot be decoded ({e})"),
        )
    };
    let (core, rest) = postcard::take_from_bytes::<DocCore>(payload).map_err(undecodable)?;
    if !want(&core) {
        return Ok((core, None));
    }
    let (shingles, _) = postcard::take_from_bytes::<Shingles>(rest).map_err(undecodable)?;
    Ok((core, Some(shingles)))
}

/// The leading fields of the held document an id points to, checked to
/// hold that id.
pub(super) fn load_core_as(
    docs: &impl ReadableTable<u64, &'static [u8]>,
    doc: u64,
    id: &str,
    path: &Path,
) -> Result<DocCore> {
    let (core, _) = load_core(docs, doc, path, |_| false)?;
    if core.id != id {
        return Err(damaged(
            path,
            format!("id {id:?}"),
            format!(
                "the ids table points to document {doc}, which holds id {:?}",
                core.id
            ),
        ));
    }
    Ok(core)
}

/// Decodes a sealed document record of document number `doc`.
pub(super) fn decode_doc(sealed: &[u8], doc: u64, path: &Path) -> Result<StoredDoc> {
    let Some(payload) = unseal(sealed, doc) else {
        return Err(damaged(
            path,
            doc_name(doc, sealed),
            "its checksum does not match its bytes",
        ));
    };
    postcard::from_bytes(payload).map_err(|e| {
        damaged(
            path,
            format!("document {doc}"),
            format!("it cannot be decoded ({e})"),
        )
    })
}

/// A document's number and, when its damaged record still decodes, the id
/// it holds.
pub(super) fn doc_name(doc: u64, sealed: &[u8]) -> String {
    match postcard::from_bytes::<StoredDoc>(unchecked_payload(sealed)) {
        Ok(d) => format!("document {doc} (id {:?})", d.id),
        Err(_) => format!("document {doc}"),
    }
}
