//! Scoring main-text extraction against annotated article bodies, as the
//! article extraction benchmark's `evaluate.py` does: per page, the
//! multisets of 4-token shingles (tokens are runs of word characters, case
//! kept) of the true and the extracted body give true positives, false
//! positives and false negatives, normalized by their sum so that long
//! pages weigh no more than short ones; precision is the mean over pages
//! with something extracted, recall the mean over pages with a true body,
//! F1 their harmonic mean.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};

/// Tokens per shingle, as in the benchmark.
pub const SHINGLE_TOKENS: usize = 4;

/// One annotated page: its key (the benchmark names pages by a hash, which
/// is also the stem of the page's file), true body and URL.
#[derive(Debug, Clone, PartialEq)]
pub struct TruePage {
    pub key: String,
    pub body: String,
    pub url: Option<String>,
}

/// Reads a ground-truth file: `{"<key>": {"articleBody": …, "url": …}, …}`.
///
/// # Errors
/// The file cannot be read or is not in that form.
pub fn read_ground_truth(path: &Path) -> Result<Vec<TruePage>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("cannot read", path, e))?;
    let bad = |message: String| Error::InvalidParam {
        name: "ground truth",
        message: format!("{}: {message}", path.display()),
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let Value::Object(pages) = value else {
        return Err(bad("not a JSON object of pages".into()));
    };
    let field =
        |page: &Value, name: &str| page.get(name).and_then(Value::as_str).map(str::to_string);
    Ok(pages
        .into_iter()
        .map(|(key, page)| TruePage {
            body: field(&page, "articleBody").unwrap_or_default(),
            url: field(&page, "url"),
            key,
        })
        .collect())
}

/// True positives, false positives and false negatives of one page,
/// normalized to sum to 1 (all 0 when both texts have no shingle).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PageMatch {
    pub tp: f64,
    pub fp: f64,
    pub fn_: f64,
}

/// Precision, recall and F1 over pages.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ExtractionScore {
    pub pages: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Whether a character is a word character of Python's `\w` (letters,
/// digits and other numbers, underscore; not combining marks).
fn is_word_char(c: char) -> bool {
    c == '_' || (c.is_alphanumeric() && !unicode_normalization::char::is_combining_mark(c))
}

fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !is_word_char(c))
        .filter(|t| !t.is_empty())
        .collect()
}

/// The multiset of shingles of a text (a text of fewer tokens than a
/// shingle is one shingle of them all; an empty text has none).
fn shingles(text: &str) -> HashMap<Vec<&str>, usize> {
    let tokens = tokens(text);
    let mut counts = HashMap::new();
    if tokens.is_empty() {
        return counts;
    }
    let n = SHINGLE_TOKENS;
    for i in 0..tokens.len().saturating_sub(n) + 1 {
        let end = (i + n).min(tokens.len());
        *counts.entry(tokens[i..end].to_vec()).or_insert(0) += 1;
    }
    counts
}

/// Compares one extracted body with the true one.
pub fn match_page(truth: &str, predicted: &str) -> PageMatch {
    let (t, p) = (shingles(truth), shingles(predicted));
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for (key, &tc) in &t {
        let pc = p.get(key).copied().unwrap_or(0);
        tp += tc.min(pc);
        fn_ += tc.saturating_sub(pc);
    }
    for (key, &pc) in &p {
        fp += pc.saturating_sub(t.get(key).copied().unwrap_or(0));
    }
    let sum = (tp + fp + fn_) as f64;
    if sum == 0.0 {
        return PageMatch::default();
    }
    PageMatch {
        tp: tp as f64 / sum,
        fp: fp as f64 / sum,
        fn_: fn_ as f64 / sum,
    }
}

/// The benchmark's scores of a set of pages.
pub fn score(matches: &[PageMatch]) -> ExtractionScore {
    let precision = mean(matches.iter().filter(|m| m.tp + m.fp > 0.0).map(|m| {
        if m.fp == 0.0 && m.fn_ == 0.0 {
            1.0
        } else {
            m.tp / (m.tp + m.fp)
        }
    }));
    let recall = mean(matches.iter().filter(|m| m.tp + m.fn_ > 0.0).map(|m| {
        if m.fp == 0.0 && m.fn_ == 0.0 {
            1.0
        } else {
            m.tp / (m.tp + m.fn_)
        }
    }));
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    ExtractionScore {
        pages: matches.len(),
        precision,
        recall,
        f1,
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingle_matching_as_the_benchmark() {
        assert_eq!(
            tokens("Don't stop-me, now_ 3.5 café"),
            ["Don", "t", "stop", "me", "now_", "3", "5", "café"]
        );
        let same = match_page("one two three four five", "one two three four five");
        assert_eq!(
            same,
            PageMatch {
                tp: 1.0,
                fp: 0.0,
                fn_: 0.0
            }
        );
        // 2 true shingles, 3 predicted, 2 shared: tp 2, fp 1, fn 0.
        let more = match_page("a b c d e", "a b c d e f");
        assert!((more.tp - 2.0 / 3.0).abs() < 1e-12 && (more.fp - 1.0 / 3.0).abs() < 1e-12);
        // Short texts are one shingle.
        assert_eq!(match_page("a b", "a b").tp, 1.0);
        assert_eq!(match_page("", ""), PageMatch::default());
        let s = score(&[same, more, match_page("x y z w", "")]);
        // Precision over the 2 pages with a prediction, recall over all 3.
        assert!((s.precision - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
        assert!((s.recall - 2.0 / 3.0).abs() < 1e-12);
    }
}
