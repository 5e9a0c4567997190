//! The article data model and how a JSON record becomes one.

use serde_json::{Map, Value};

use crate::ingest::RejectReason;

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

    /// The interpreted fields of a JSON record, the others skipped unread
    /// (`extra` is left empty): for jobs that never write the record back.
    /// `None` when the quick read fails (not an object, a field of the
    /// wrong type, a repeated field); [`Self::from_json`] then gives the
    /// exact reason, so both accept and reject the same records.
    pub(crate) fn known_fields(json: &str) -> Option<Result<Self, RejectReason>> {
        #[derive(serde::Deserialize)]
        struct Known {
            #[serde(default)]
            id: Option<Value>,
            #[serde(default)]
            text: Option<String>,
            #[serde(default)]
            title: Option<String>,
            #[serde(default)]
            url: Option<String>,
            #[serde(default)]
            source: Option<String>,
            #[serde(default)]
            published: Option<String>,
            #[serde(default)]
            lang: Option<String>,
        }
        let k: Known = serde_json::from_str(json).ok()?;
        Some((|| {
            Ok(Article {
                id: checked_id(k.id)?,
                text: checked_text(k.text)?,
                title: k.title,
                url: k.url,
                source: k.source,
                published: k.published,
                lang: k.lang,
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
        ];
        for json in records {
            let full = Article::from_json(serde_json::from_str(json).unwrap()).map(|mut a| {
                a.extra = Map::new();
                a
            });
            let quick = Article::known_fields(json)
                .unwrap_or_else(|| Article::from_json(serde_json::from_str(json).unwrap()))
                .map(|mut a| {
                    a.extra = Map::new();
                    a
                });
            assert_eq!(quick, full, "{json}");
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
