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
        let id = match map.remove("id") {
            Some(Value::String(s)) if !s.trim().is_empty() => s,
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
            Some(Value::Null) | None => return Err(RejectReason::MissingField("id")),
            Some(Value::String(_)) => return Err(RejectReason::EmptyField("id")),
            Some(_) => return Err(RejectReason::WrongType("id", "a string or an integer")),
        };
        let text = match map.remove("text") {
            Some(Value::String(s)) => s,
            Some(Value::Null) | None => return Err(RejectReason::MissingField("text")),
            Some(_) => return Err(RejectReason::WrongType("text", "a string")),
        };
        if text.trim().is_empty() {
            return Err(RejectReason::EmptyField("text"));
        }
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
