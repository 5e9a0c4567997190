//! Pages read once per run: the articles extracted from HTML records, kept
//! by record number (up to a memory budget) for the later passes over the
//! corpus; and JSON records that carry a page in an `html` field instead of
//! a `text`.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

use super::html::{self, PageHints};
use crate::article::{Article, RejectReason};

/// Bytes of extracted text kept at most; pages past it are read again.
const BUDGET: usize = 256 << 20;

/// The reading of each page record, by record number.
#[derive(Debug, Default)]
pub(crate) struct PageCache {
    inner: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    by_seq: HashMap<usize, Result<Article, RejectReason>>,
    bytes: usize,
}

impl PageCache {
    /// The reading of record `seq`: kept from an earlier pass, or `read`
    /// now (and kept while the budget lasts). Reading is deterministic, so
    /// what is kept never changes a result.
    pub fn get_or_read(
        &self,
        seq: usize,
        read: impl FnOnce() -> Result<Article, RejectReason>,
    ) -> Result<Article, RejectReason> {
        if let Some(hit) = self.lock().by_seq.get(&seq) {
            return hit.clone();
        }
        let result = read();
        let size = 64 + result.as_ref().map_or(0, |a| a.text.len() + a.id.len());
        let mut kept = self.lock();
        if kept.bytes + size <= BUDGET && !kept.by_seq.contains_key(&seq) {
            kept.bytes += size;
            kept.by_seq.insert(seq, result.clone());
        }
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A JSON object with an `html` string and no `text`: a page.
pub(super) fn is_html_record(value: &Value) -> bool {
    value.as_object().is_some_and(|m| {
        m.get("html").is_some_and(Value::is_string) && m.get("text").is_none_or(Value::is_null)
    })
}

/// The article of a JSON record holding a page: the text and any field the
/// record does not give are extracted from its `html`; the record's own
/// fields win, and the `html` field itself is not carried along.
pub(super) fn article_of_html_record(value: Value) -> Result<Article, RejectReason> {
    let Value::Object(mut map) = value else {
        return Err(RejectReason::NotAnObject);
    };
    let Some(Value::String(page)) = map.remove("html") else {
        return Err(RejectReason::MissingField("text"));
    };
    let given = |map: &serde_json::Map<String, Value>, name: &str| match map.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::Number(n)) if name == "id" => Some(n.to_string()),
        _ => None,
    };
    let hints = PageHints {
        id: given(&map, "id"),
        url: given(&map, "url"),
        unicode: true,
        ..PageHints::default()
    };
    let article = html::read_page(page.as_bytes(), &hints)?;
    let extracted = [
        ("id", Some(article.id)),
        ("title", article.title),
        ("url", article.url),
        ("source", article.source),
        ("published", article.published),
        ("lang", article.lang),
    ];
    for (name, value) in extracted {
        let missing = map.get(name).is_none_or(Value::is_null);
        if let (true, Some(value)) = (missing, value) {
            map.insert(name.to_string(), Value::String(value));
        }
    }
    map.insert("text".to_string(), Value::String(article.text));
    Article::from_json(Value::Object(map))
}
