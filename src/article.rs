//! The article data model and how a JSON record becomes one.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

/// Where a record came from: a file (or `<stdin>`) and a 1-based line
/// number; line 0 stands for the whole file (a file that was not read, an
/// HTML page). A WARC record has its byte offset instead (of its gzip
/// member in a `.warc.gz`), and line 0.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub file: Arc<str>,
    pub line: u64,
    pub offset: Option<u64>,
}

impl Location {
    /// A line of a file (0: the whole file).
    pub fn line(file: Arc<str>, line: u64) -> Self {
        Location {
            file,
            line,
            offset: None,
        }
    }

    /// A record at a byte offset of a file.
    pub fn offset(file: Arc<str>, offset: u64) -> Self {
        Location {
            file,
            line: 0,
            offset: Some(offset),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.offset, self.line) {
            (Some(offset), _) => write!(f, "{} at byte {offset}", self.file),
            (None, 0) => write!(f, "{}", self.file),
            (None, line) => write!(f, "{}:{line}", self.file),
        }
    }
}

/// Why a record was not used. Rejected records are listed in the report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RejectReason {
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("invalid UTF-8 at byte {0} of the record")]
    InvalidUtf8(usize),
    #[error("record is not a JSON object")]
    NotAnObject,
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    #[error("field `{0}` is empty")]
    EmptyField(&'static str),
    #[error("field `{0}` must be {1}")]
    WrongType(&'static str, &'static str),
    #[error("record is {size} bytes, over the limit of {limit} bytes (--max-bytes)")]
    TooLarge { size: u64, limit: u64 },
    #[error("duplicate id {id:?}, first seen at {first}")]
    DuplicateId { id: String, first: Location },
    #[error("not read: {0}")]
    UnsupportedFile(&'static str),
    #[error("cannot read the file: {0}")]
    UnreadableFile(String),
    /// Nothing but site chrome (a sign-up modal, a cookie wall, a
    /// notification prompt): what was left after removing it.
    #[error("no article text: every line is site chrome (text: {0:?})")]
    NoContent(String),
    /// A WARC record that is not an article page (a request, metadata, a
    /// redirect, an image): skipped, not an error of the input.
    #[error("not a page: {0}")]
    NotAPage(String),
    /// A WARC record whose framing is damaged (a malformed header, a
    /// record cut short, a damaged gzip member).
    #[error("malformed WARC record: {0}")]
    MalformedWarc(String),
    /// An HTML page that cannot be decoded (a binary body, an unknown
    /// charset or content encoding).
    #[error("cannot read the page: {0}")]
    UnreadablePage(String),
    /// An HTML page in which the extractor found no article text.
    #[error("no article text found in the page: {0}")]
    NoArticleText(String),
}

impl RejectReason {
    /// The status reports give a record set aside for this reason:
    /// `no_content` for a page that is only chrome (not an error of the
    /// input), `rejected` otherwise.
    pub fn status(&self) -> &'static str {
        match self {
            RejectReason::NoContent(_) | RejectReason::NoArticleText(_) => "no_content",
            RejectReason::NotAPage(_) => "skipped",
            _ => "rejected",
        }
    }

    /// Whether the record is an error of the input (`--on-error fail`
    /// stops on it), rather than a page with no article or a WARC record
    /// that is not a page.
    pub fn is_input_error(&self) -> bool {
        self.status() == "rejected"
    }

    /// A short stable name for the kind of problem, for machine-readable reports.
    pub fn code(&self) -> &'static str {
        match self {
            RejectReason::MalformedJson(_) => "malformed_json",
            RejectReason::InvalidUtf8(_) => "invalid_utf8",
            RejectReason::NotAnObject => "not_an_object",
            RejectReason::MissingField(_) => "missing_field",
            RejectReason::EmptyField(_) => "empty_field",
            RejectReason::WrongType(..) => "wrong_type",
            RejectReason::TooLarge { .. } => "too_large",
            RejectReason::DuplicateId { .. } => "duplicate_id",
            RejectReason::UnsupportedFile(_) => "unsupported_file",
            RejectReason::UnreadableFile(_) => "unreadable_file",
            RejectReason::NoContent(_) => "no_content",
            RejectReason::NotAPage(_) => "not_a_page",
            RejectReason::MalformedWarc(_) => "malformed_warc",
            RejectReason::UnreadablePage(_) => "unreadable_page",
            RejectReason::NoArticleText(_) => "no_article",
        }
    }
}

/// One news article as read from the input.
///
/// `extra` keeps every input field the tool does not interpret, so nothing is
/// lost when a cleaned corpus is written back.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Article {
    pub id: String,
    pub title: Option<String>,
    pub text: String,
    pub url: Option<String>,
    pub source: Option<String>,
    pub published: Option<String>,
    pub lang: Option<String>,
    pub extra: Map<String, Value>,
}

impl Article {
    /// Builds an article from one decoded JSON value.
    ///
    /// `id` may be a string or an integer; `text` must be a non-empty string;
    /// `title`, `url`, `source`, `published` and `lang` are optional strings
    /// (`null` counts as absent). Any other field goes to `extra`.
    ///
    /// # Errors
    /// Returns the reason the record cannot be used.
    pub fn from_json(value: Value) -> Result<Self, RejectReason> {
        let Value::Object(mut map) = value else {
            return Err(RejectReason::NotAnObject);
        };
        let id = checked_id(map.remove("id"))?;
        let text = match map.remove("text") {
            Some(Value::String(s)) => Some(s),
            Some(Value::Null) | None => None,
            Some(_) => return Err(RejectReason::WrongType("text", "a string")),
        };
        let text = checked_text(text)?;
        let mut optional = |name: &'static str| -> Result<Option<String>, RejectReason> {
            match map.remove(name) {
                Some(Value::String(s)) => Ok(Some(s)),
                Some(Value::Null) | None => Ok(None),
                Some(_) => Err(RejectReason::WrongType(name, "a string")),
            }
        };
        Ok(Article {
            id,
            title: optional("title")?,
            url: optional("url")?,
            source: optional("source")?,
            published: optional("published")?,
            lang: optional("lang")?,
            text,
            extra: map,
        })
    }

    /// The interpreted fields of a JSON record, read in one pass, the
    /// others checked but not built (`extra` is left empty): for jobs that
    /// never write the record back. `None` when the quick read fails (not
    /// an object, a field of the wrong type, a repeated field, JSON the
    /// full read refuses); [`Self::from_json`] then gives the exact reason,
    /// so both accept and reject the same records.
    pub(crate) fn known_fields(json: &str) -> Option<Result<Self, RejectReason>> {
        let k: Known = serde_json::from_str(json).ok()?;
        Some((|| {
            Ok(Article {
                id: checked_id(k.id.flatten())?,
                text: checked_text(k.text.flatten())?,
                title: k.title.flatten(),
                url: k.url.flatten(),
                source: k.source.flatten(),
                published: k.published.flatten(),
                lang: k.lang.flatten(),
                extra: Map::new(),
            })
        })())
    }

    /// The article as a JSON object with every field it was read with.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("id".into(), Value::String(self.id.clone()));
        let optional = [
            ("title", &self.title),
            ("url", &self.url),
            ("source", &self.source),
            ("published", &self.published),
            ("lang", &self.lang),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                map.insert(name.into(), Value::String(v.clone()));
            }
        }
        map.insert("text".into(), Value::String(self.text.clone()));
        for (k, v) in &self.extra {
            map.insert(k.clone(), v.clone());
        }
        Value::Object(map)
    }
}

/// The fields [`Article::known_fields`] reads, each `Some` once seen (so a
/// repeated one is caught), holding `None` for `null`.
///
/// Deserialized by hand, not derived: a derived struct is also read from an
/// array (`["a", "x y"]`), and the fields it skips are skipped unchecked
/// (`1e400`, a lone surrogate), where the full read refuses both.
#[derive(Default)]
struct Known {
    id: Option<Option<Value>>,
    text: Option<Option<String>>,
    title: Option<Option<String>>,
    url: Option<Option<String>>,
    source: Option<Option<String>>,
    published: Option<Option<String>>,
    lang: Option<Option<String>>,
}

impl<'de> serde::Deserialize<'de> for Known {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(KnownVisitor)
    }
}

struct KnownVisitor;

impl<'de> serde::de::Visitor<'de> for KnownVisitor {
    type Value = Known;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Known, A::Error> {
        let mut k = Known::default();
        // A key with escapes cannot be borrowed: an error, so the full read.
        while let Some(key) = map.next_key::<&str>()? {
            let repeated = match key {
                "id" => k.id.replace(map.next_value()?).is_some(),
                "text" => k.text.replace(map.next_value()?).is_some(),
                "title" => k.title.replace(map.next_value()?).is_some(),
                "url" => k.url.replace(map.next_value()?).is_some(),
                "source" => k.source.replace(map.next_value()?).is_some(),
                "published" => k.published.replace(map.next_value()?).is_some(),
                "lang" => k.lang.replace(map.next_value()?).is_some(),
                _ => map.next_value::<Checked>().map(|_| false)?,
            };
            if repeated {
                return Err(serde::de::Error::custom(format!("repeated field {key}")));
            }
        }
        Ok(k)
    }
}

/// Any JSON value, read as strictly as into a [`Value`] (numbers in range,
/// valid escapes) but not built.
struct Checked;

impl<'de> serde::Deserialize<'de> for Checked {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> serde::de::Visitor<'de> for CheckedVisitor {
    type Value = Checked;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_unit<E>(self) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        while map.next_entry::<Checked, Checked>()?.is_some() {}
        Ok(Checked)
    }
}

/// `id`: a non-blank string or an integer.
fn checked_id(id: Option<Value>) -> Result<String, RejectReason> {
    match id {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        Some(Value::Null) | None => Err(RejectReason::MissingField("id")),
        Some(Value::String(_)) => Err(RejectReason::EmptyField("id")),
        Some(_) => Err(RejectReason::WrongType("id", "a string or an integer")),
    }
}

/// `text`: present and not blank.
fn checked_text(text: Option<String>) -> Result<String, RejectReason> {
    match text {
        None => Err(RejectReason::MissingField("text")),
        Some(t) if t.trim().is_empty() => Err(RejectReason::EmptyField("text")),
        Some(t) => Ok(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_unknown_fields_and_accepts_integer_ids() {
        let a =
            Article::from_json(json!({"id": 7, "text": "x y", "topic": 3, "title": null})).unwrap();
        assert_eq!(a.id, "7");
        assert_eq!(a.title, None);
        assert_eq!(a.extra["topic"], json!(3));
    }

    /// The quick read of the known fields accepts and rejects what the full
    /// read does, with the same fields and reasons.
    #[test]
    fn known_fields_agree_with_the_full_read() {
        let records = [
            r#"{"id": "a", "text": "x y", "title": "T", "source": "S", "published": "2016-12-07", "lang": "en", "url": "u", "extra": [1, {"b": 2}]}"#,
            r#"{"id": 7, "text": "x"}"#,
            r#"{"id": 7.5, "text": "x"}"#,
            r#"{"id": -3, "text": "x", "title": null}"#,
            r#"{"id": "", "text": "x"}"#,
            r#"{"id": " ", "text": "x"}"#,
            r#"{"id": null, "text": "x"}"#,
            r#"{"text": "x"}"#,
            r#"{"id": "a"}"#,
            r#"{"id": "a", "text": null}"#,
            r#"{"id": "a", "text": "  \n "}"#,
            r#"{"id": "a", "text": 3}"#,
            r#"{"id": "a", "text": "x", "title": 3}"#,
            r#"{"id": "a", "text": "x", "lang": ["en"]}"#,
            r#"{"id": "a", "text": "first", "text": "second"}"#,
            r#"{"id": "a", "id": "b", "text": "x"}"#,
            r#"{"id": {"x": 1}, "text": "x"}"#,
            r#"[1, 2]"#,
            r#""text""#,
            // Found by tests/fuzz_records.rs (jsonl_corpus): arrays read as structs.
            r#"[]"#,
            r#"["a", "x y"]"#,
            r#" ["a", "x y", null, null, null, null, null]"#,
            // Found by tests/fuzz_records.rs (jsonl_corpus): skipped fields were
            // not checked as strictly as the full read checks them.
            r#"{"id": "a", "text": "x y", "n": 1e400}"#,
            r#"{"id": "a", "text": "x y", "extra": [{"deep": -1e400}]}"#,
            r#"{"id": "a", "text": "x y", "s": "\ud800"}"#,
        ];
        let full_read = |json: &str| {
            serde_json::from_str(json)
                .map_err(|e| RejectReason::MalformedJson(e.to_string()))
                .and_then(Article::from_json)
                .map(|mut a| {
                    a.extra = Map::new();
                    a
                })
        };
        for json in records {
            let quick = Article::known_fields(json).unwrap_or_else(|| full_read(json));
            assert_eq!(quick, full_read(json), "{json}");
        }
    }

    #[test]
    fn rejects_bad_records_with_a_reason() {
        let cases = [
            (json!([1, 2]), RejectReason::NotAnObject),
            (json!({"text": "a"}), RejectReason::MissingField("id")),
            (json!({"id": "a"}), RejectReason::MissingField("text")),
            (
                json!({"id": "a", "text": "  "}),
                RejectReason::EmptyField("text"),
            ),
            (
                json!({"id": "", "text": "b"}),
                RejectReason::EmptyField("id"),
            ),
            (
                json!({"id": [1], "text": "b"}),
                RejectReason::WrongType("id", "a string or an integer"),
            ),
            (
                json!({"id": "a", "text": "b", "url": 3}),
                RejectReason::WrongType("url", "a string"),
            ),
        ];
        for (value, want) in cases {
            assert_eq!(Article::from_json(value).unwrap_err(), want);
        }
    }
}
