//! Fuzz targets that run on the stable toolchain: proptest over arbitrary
//! bytes and over generators built to reach deep code (JSON records with
//! fields of every type, text with quotes, numbers, dates, names and awkward
//! Unicode, files that start like an index).
//!
//! Every target checks properties, not only that nothing panics: a record is
//! accepted or rejected the same way by both readers and is accounted for by
//! a dedup run, normalization keeps its documented shape, boilerplate
//! verdicts and line numbers stay within the article, and every span the
//! merger reports slices its text on character boundaries; every WARC
//! record is read with its offset and accounted for, and an HTML page is an
//! article with text or is rejected for a page's reasons.
//!
//! `NEWSDEDUP_FUZZ_CASES=N` runs N cases per target (the defaults below, 21,100
//! cases in all, take about 70 s in a debug `cargo test` on two cores).
//! Failing inputs are kept in `tests/fuzz-regressions/` and replayed first.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use newsdedup::article::Article;
use newsdedup::article::RejectReason;
use newsdedup::dedup::{DedupConfig, DedupOutcome, Deduplicator};
use newsdedup::index::{Access, BatchOptions, EventQuery, Index, Verdict};
use newsdedup::ingest::html::{read_page, PageHints};
use newsdedup::ingest::{Corpus, InputSpec, RawRecord, DEFAULT_MAX_BYTES};
use newsdedup::merge::{read_text, MergeConfig, MergedStory, Merger, Relation, Source, Span};
use newsdedup::progress::Silent;
use newsdedup::text::boilerplate::{
    classify, line_rule, story_lines, BoilerplateConfig, LineFrequencies, Reason, MAX_COUNTED_LINE,
};
use newsdedup::text::normalize::{normalize_line, normalize_line_cased, normalize_lines};
use newsdedup::Error;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;

/// Cases per target: `NEWSDEDUP_FUZZ_CASES` when set, else the target's default.
fn config(default_cases: u32, regressions: &'static str) -> ProptestConfig {
    let cases = std::env::var("NEWSDEDUP_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
        ..ProptestConfig::default()
    }
}

macro_rules! regressions {
    ($target:literal) => {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fuzz-regressions/",
            $target,
            ".txt"
        )
    };
}

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------

/// Pieces of news text and of awkward Unicode that reach the tokenizer, the
/// sentence splitter, the slot readers and the boilerplate rules.
#[rustfmt::skip]
const PIECES: &[&str] = &[
    // words, names, verbs, abbreviations
    "the", "a", "and", "of", "to", "in", "on", "by", "for", "with", "that", "said", "told", "says",
    "according", "added", "met", "vetoed", "blocked", "decided", "has", "was", "will", "Kerry",
    "Lavrov", "Sergei", "Sergey", "Steinmeier", "Russia", "China", "Moscow", "Washington",
    "Aleppo", "Hamburg", "John", "Bashar", "al-Assad", "al", "van", "de", "UN", "U.S.", "US",
    "OSCE", "NATO", "Mr.", "Mrs.", "Dr.", "Gen.", "St.", "J.", "etc.", "Inc.", "people", "dead",
    "troops", "talks", "meeting", "resolution", "ceasefire", "cease-fire", "after", "while",
    "because", "although", "though", "which", "who", "but", "when", "since", "As", "After",
    "Despite", "Following", "While",
    // time
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "monday",
    "January", "May", "may", "December", "Dec", "Dec.", "Sept.", "Sep", "last", "this", "next",
    "past", "earlier", "later", "week", "weekend", "year", "month", "night", "yesterday", "today",
    "tomorrow", "recently", "overnight", "ago", "days", "day", "hours", "two", "seven", "dozen",
    "hundred", "thousand", "million", "billion", "trillion", "percent", "per", "%",
    // numbers and dates
    "0", "1", "2", "12", "13", "31", "32", "255", "256", "2016", "1899", "2101", "70,000", "1,5",
    "1.5", "3%", "1e400", "9999999999999999999999999", "00000000000000000007", "31st", "2nd",
    "08.12.2016", "2016-12-08", "12/08/2016", "31/12/2016", "99.99.9999", "2016-13-45", "1.2.3.4",
    "١٢٣", "٣", "Ⅻ", "²", "½", "１２３",
    // punctuation and quotes
    ".", ",", ";", ":", "!", "?", "…", "...", "-", "--", "—", "–", "(", ")", "[", "]", "\"", "'",
    "`", "´", "“", "”", "‘", "’", "«", "»", "„", "‚", "″", "′", "|", "||", "•", "·", "*", ">", "&",
    "#", "/", "\\", "@",
    // HTML entities, good and bad
    "&amp;", "&quot;", "&lt;", "&gt;", "&nbsp;", "&#8217;", "&#x2019;", "&#39;", "&#0;",
    "&#xD800;", "&#99999999;", "&#x110000;", "&amp;amp;", "&copy;", "&lsquo;", "&", "&#", "&#x",
    "&quot",
    // chrome
    "Related topics", "Read more", "Share this", "Share on", "Copyright", "©",
    "All rights reserved", "Advertisement", "Subscribe to", "Click here", "Most Viewed",
    "Bu haberi paylaşın", "cookie",
    // invisible, control, bidi, combining, wide
    "\u{feff}", "\u{200b}", "\u{200d}", "\u{00ad}", "\u{2060}", "\0", "\t", "\r", "\u{b}", "\u{c}",
    "\u{1b}", "\u{7f}", "\u{85}", "\u{a0}", "\u{2028}", "\u{2029}", "\u{3000}", "\u{202e}",
    "\u{202d}", "\u{200f}", "\u{0301}", "e\u{0301}", "\u{0301}\u{0301}\u{0301}",
    "\u{05d0}\u{05d1}\u{05d2}", "مرحبا", "שָׁלוֹם", "😀", "👩\u{200d}👩\u{200d}👧", "🇺🇸", "ﬁ", "ﬃ",
    "İstanbul", "ΣΑΣ", "ὈΔΥΣΣΕΎΣ", "ß", "ǅ", "Ǆ", "K", "Å", "ｆｕｌｌ", "ｶﾀｶﾅ", "한국어",
    "\u{1100}\u{1161}\u{11a8}", "\u{fdfa}", "\u{e000}", "\u{fffd}", "\u{10ffff}",
];

/// One piece of text: mostly [`PIECES`], sometimes numbers, long words,
/// punctuation runs or arbitrary characters.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => select(PIECES).prop_map(String::from),
        1 => any::<u32>().prop_map(|n| n.to_string()),
        1 => any::<u64>().prop_map(with_commas),
        1 => (0.0f64..1e9).prop_map(|f| format!("{f:.2}")),
        1 => ("[a-zA-Zé]", 50usize..3000).prop_map(|(c, n)| c.repeat(n)),
        1 => "[!-/:-@\\[-`{-~]{1,30}",
        2 => prop::collection::vec(any::<char>(), 0..6).prop_map(|c| c.into_iter().collect()),
        2 => prop::collection::vec(select(MARKS), 1..6).prop_map(|c| c.into_iter().collect()),
    ]
}

/// Letters, accents, invisible and control characters, Hangul jamo: runs of
/// these put an accent next to a letter once the invisible one is dropped.
#[rustfmt::skip]
const MARKS: &[char] = &[
    'e', 'a', 'A', 'W', 'i', 'I', 'ı', 'İ', 'Σ', 'ς', '\u{3f9}', '\u{1d2c}', '\u{2160}',
    '\u{212a}', 'ﬁ', '\u{1100}', '\u{1161}', '\u{11a8}', '\u{0301}', '\u{0308}', '\u{030a}',
    '\u{0316}', '\u{0327}', '\u{0483}', '\u{3099}', '\u{200b}', '\u{200c}', '\u{200d}',
    '\u{00ad}', '\u{2060}', '\u{feff}', '\0', '\u{1b}', '\u{7f}', '\u{85}', ' ', '\t', '\u{a0}',
    '\u{2009}', '\u{00b4}', '\u{2033}', '\u{2019}', '`', '&', '#', ';',
];

fn with_commas(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A line of pieces joined by spaces, nothing, double spaces or tabs.
fn line() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            select(&[" ", " ", " ", " ", "", "  ", "\t", " \u{a0}"][..]),
            piece(),
        ),
        0..24,
    )
    .prop_map(|parts| {
        parts
            .into_iter()
            .map(|(sep, p)| sep.to_string() + &p)
            .collect()
    })
}

/// An article's text: lines ended by `\n` or `\r\n`, maybe after a BOM.
fn article_text() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec((line(), prop::bool::weighted(0.2)), 0..12),
    )
        .prop_map(|(bom, lines)| {
            let mut text = if bom {
                "\u{feff}".to_string()
            } else {
                String::new()
            };
            for (i, (l, crlf)) in lines.iter().enumerate() {
                if i > 0 {
                    text.push_str(if *crlf { "\r\n" } else { "\n" });
                }
                text.push_str(l);
            }
            text
        })
}

/// Any text: generated articles, arbitrary characters, or bytes read lossily.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => article_text(),
        1 => prop::collection::vec(any::<char>(), 0..300).prop_map(|c| c.into_iter().collect()),
        1 => prop::collection::vec(any::<u8>(), 0..600)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

const KNOWN_FIELDS: &[&str] = &["id", "text", "title", "url", "source", "published", "lang"];

/// A JSON string literal (sometimes a broken one).
fn json_string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => line().prop_map(|s| serde_json::to_string(&s).unwrap()),
        1 => article_text().prop_map(|s| serde_json::to_string(&s).unwrap()),
        1 => select(&[
            r#""\ud800""#, r#""\udc00x""#, r#""\ud83d\ude00""#, r#""\u0000""#, r#""\x41""#,
            r#""a\"b""#, r#""\/\b\f\n\r\t""#, "\"unterminated", r#""   ""#, r#""""#,
            "\"\ttab\"", "\"new\nline\"", r#""\u00e9\u0301""#, r#""\uFEFF""#, r#""\"""#,
            "\"\u{2028}\"", "\"\\\"",
        ][..])
        .prop_map(String::from),
    ]
}

/// Numbers that do not fit, that round, and that JSON does not allow.
#[rustfmt::skip]
const ODD_NUMBERS: &[&str] = &[
    "18446744073709551616", "-9223372036854775809", "1e400", "-1e400", "-0", "0.0", "1.5", "1E2",
    "-1e-400", "01", "1.", ".5", "NaN", "Infinity", "+1", "0x10", "-", "7.0", "1e2",
];

/// A JSON scalar as text, including numbers that do not fit and invalid ones.
fn json_scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        select(&["null", "true", "false"][..]).prop_map(String::from),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
        select(ODD_NUMBERS).prop_map(String::from),
        json_string(),
    ]
}

/// A JSON value as text: scalars, arrays and objects, nested.
fn json_value() -> impl Strategy<Value = String> {
    json_scalar().prop_recursive(4, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((json_key(), inner), 0..5).prop_map(|kv| json_object(&kv, ",")),
        ]
    })
}

/// A key: mostly the fields the tool reads, also escaped and near-miss spellings.
fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(KNOWN_FIELDS).prop_map(|k| format!("\"{k}\"")),
        1 => select(&[
            r#""t\u0065xt""#, r#""i\u0064""#, r#""ID""#, r#""Text""#, r#""text ""#, r#""""#,
            r#""topic""#, r#""extra""#, r#""\u0000""#,
        ][..])
        .prop_map(String::from),
        1 => json_string(),
    ]
}

fn json_object(fields: &[(String, String)], sep: &str) -> String {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    format!("{{{}}}", body.join(sep))
}

/// A value that fits its field, so that many records are accepted.
fn fitting_value(key: &str) -> BoxedStrategy<String> {
    match key {
        "id" => prop_oneof![
            "[a-z0-9_~-]{1,12}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            any::<i64>().prop_map(|n| n.to_string()),
            select(&["a", "b", "1"][..]).prop_map(|s| format!("\"{s}\"")),
            json_value(),
        ]
        .boxed(),
        "text" => prop_oneof![
            4 => article_text().prop_map(|s| serde_json::to_string(&s).unwrap()),
            1 => json_value(),
        ]
        .boxed(),
        _ => prop_oneof![
            3 => line().prop_map(|s| serde_json::to_string(&s).unwrap()),
            1 => json_value(),
        ]
        .boxed(),
    }
}

/// A record with `id` and `text` (mostly well typed) and other fields,
/// in any order, some repeated.
fn likely_record() -> impl Strategy<Value = String> {
    let field = |k: &'static str| fitting_value(k).prop_map(move |v| (format!("\"{k}\""), v));
    (
        field("id"),
        field("text"),
        prop::collection::vec(
            prop_oneof![
                3 => select(KNOWN_FIELDS).prop_flat_map(field),
                1 => (json_key(), json_value()),
            ],
            0..5,
        ),
        prop::collection::vec(any::<prop::sample::Index>(), 2),
        select(&[",", ", ", " ,\t", ",\r"][..]),
    )
        .prop_map(|(id, text, mut rest, at, sep)| {
            let i = at[0].index(rest.len() + 1);
            rest.insert(i, id);
            let i = at[1].index(rest.len() + 1);
            rest.insert(i, text);
            json_object(&rest, sep)
        })
}

/// The bytes of one JSON Lines record: likely records, random JSON, random
/// bytes; sometimes with a BOM, surrounding space, a `\r`, trailing bytes,
/// a cut or a flipped byte.
fn record_bytes() -> impl Strategy<Value = Vec<u8>> {
    let base = prop_oneof![
        6 => likely_record().prop_map(String::into_bytes),
        1 => (100usize..200, select(&["[", "{\"a\":"][..])).prop_map(|(depth, open)| {
            let close = if open == "[" { "]" } else { "}" };
            let deep = open.repeat(depth) + "1" + &close.repeat(depth);
            format!(r#"{{"id":"a","text":"x y","deep":{deep}}}"#).into_bytes()
        }),
        2 => json_value().prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..200),
    ];
    (
        base,
        select(&["", "", "", " ", "\u{feff}", "\t"][..]),
        select(&["", "", "", " ", "\r", " \r", "x", "}", ",", "\n", "\n\n{}"][..]),
        prop::option::weighted(0.1, any::<prop::sample::Index>()),
        prop::option::weighted(0.1, (any::<prop::sample::Index>(), any::<u8>())),
    )
        .prop_map(|(mut bytes, before, after, cut, flip)| {
            if let Some(cut) = cut {
                bytes.truncate(cut.index(bytes.len() + 1));
            }
            if let Some((at, b)) = flip {
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    bytes[i] ^= b;
                }
            }
            let mut out = before.as_bytes().to_vec();
            out.extend(bytes);
            out.extend(after.as_bytes());
            out
        })
}

/// Bytes of a `.txt` article: generated text, random bytes, or text with a
/// byte flipped.
fn txt_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => article_text().prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..400),
        1 => (article_text(), any::<prop::sample::Index>(), any::<u8>()).prop_map(|(t, at, b)| {
            let mut bytes = t.into_bytes();
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] ^= b;
            }
            bytes
        }),
    ]
}

// ---------------------------------------------------------------------------
// Shared checks
// ---------------------------------------------------------------------------

/// `span` is a non-empty slice of `text` on char boundaries.
fn valid_span(text: &str, span: Span) -> Result<&str, TestCaseError> {
    let [start, end] = span;
    prop_assert!(
        start < end && end <= text.len(),
        "span {:?} empty or outside a text of {} bytes",
        span,
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "span {:?} not on char boundaries",
        span
    );
    Ok(&text[start..end])
}

/// The two readers agree: same acceptance, same reason, same known fields.
fn readers_agree(raw: &RawRecord) -> Result<Result<Article, RejectReason>, TestCaseError> {
    let full = raw.parse();
    let quick = raw.parse_known();
    match (&full, &quick) {
        (Ok(f), Ok(q)) => {
            let mut f = f.clone();
            f.extra.clear();
            prop_assert_eq!(&f, q, "parse and parse_known read different fields");
            prop_assert!(q.extra.is_empty());
        }
        (Err(f), Err(q)) => prop_assert_eq!(f, q, "parse and parse_known give other reasons"),
        _ => prop_assert!(false, "parse {:?} but parse_known {:?}", full, quick),
    }
    Ok(full)
}

/// What every accepted article and every rejection must look like.
fn article_is_sound(
    raw: &RawRecord,
    read: &Result<Article, RejectReason>,
) -> Result<(), TestCaseError> {
    match read {
        Ok(a) => {
            prop_assert!(!a.id.trim().is_empty(), "accepted a blank id");
            prop_assert!(!a.text.trim().is_empty(), "accepted a blank text");
            for k in KNOWN_FIELDS {
                prop_assert!(!a.extra.contains_key(*k), "known field {} left in extra", k);
            }
            // The article survives its own JSON form.
            let again = Article::from_json(a.to_json());
            prop_assert_eq!(again.as_ref(), Ok(a));
            prop_assert_eq!(
                raw.text(),
                Some(a.text.clone()),
                "text() differs from parse"
            );
            prop_assert_eq!(
                raw.id_hint(),
                Some(a.id.clone()),
                "id_hint() differs from parse"
            );
        }
        Err(reason) => {
            prop_assert!(!reason.code().is_empty());
            prop_assert!(!reason.to_string().is_empty());
        }
    }
    Ok(())
}

/// Every record read is kept, removed as a copy or rejected, exactly once;
/// rejections carry the reader's reason; the cleaned corpus holds the kept
/// records exactly as read.
fn accounted_for(corpus: &Corpus, expected_records: usize) -> Result<DedupOutcome, TestCaseError> {
    let records: Vec<RawRecord> = corpus.records().collect::<Result<_, _>>().unwrap();
    prop_assert_eq!(records.len(), expected_records, "records read");
    let config = DedupConfig {
        collect_boilerplate: true,
        ..DedupConfig::default()
    };
    let outcome = Deduplicator::new(config)
        .unwrap()
        .run(corpus, &Silent)
        .unwrap();
    let s = &outcome.stats;
    prop_assert_eq!(s.records, records.len());
    prop_assert_eq!(s.kept + s.removed + s.rejected, s.records, "{:?}", s);
    prop_assert_eq!(s.rejected, outcome.rejected.len());
    prop_assert_eq!(outcome.table.len(), s.kept + s.removed);
    // Each input position exactly once, as a row or as a rejection.
    let mut seen = vec![0u8; records.len()];
    for row in 0..outcome.table.len() as u32 {
        seen[outcome.table.seq(row)] += 1;
    }
    for r in &outcome.rejected {
        seen[r.seq] += 1;
    }
    prop_assert!(seen.iter().all(|&n| n == 1), "positions seen {:?}", seen);
    // A rejection gives the reader's reason, or names an id accepted before.
    let mut accepted_ids: BTreeSet<String> = BTreeSet::new();
    let rejected: HashMap<usize, &RejectReason> = outcome
        .rejected
        .iter()
        .map(|r| (r.seq, &r.reason))
        .collect();
    for raw in &records {
        match (raw.parse_known(), rejected.get(&raw.seq)) {
            (Err(want), Some(got)) => prop_assert_eq!(&want, *got),
            (Ok(a), Some(RejectReason::DuplicateId { id, .. })) => {
                prop_assert_eq!(&a.id, id);
                prop_assert!(
                    accepted_ids.contains(id),
                    "duplicate of an id never accepted"
                );
            }
            (Ok(a), None) => {
                prop_assert!(accepted_ids.insert(a.id), "a repeated id was accepted");
            }
            // A page that is only site chrome by the per-line rules.
            (Ok(a), Some(RejectReason::NoContent(_))) => {
                let lines = normalize_lines(&a.text);
                prop_assert!(
                    lines.iter().any(|l| !l.is_empty())
                        && lines.iter().all(|l| l.is_empty()
                            || newsdedup::text::boilerplate::line_rule(l).is_some()),
                    "no_content for a text with story lines: {:?}",
                    a.text
                );
            }
            (read, got) => prop_assert!(false, "read {:?} but run says {:?}", read, got),
        }
    }
    // Stripped lines point at lines of their article.
    for (row, lines) in &outcome.stripped {
        let raw = &records[outcome.table.seq(*row)];
        let text = raw.parse_known().unwrap().text;
        let raw_lines: Vec<&str> = text.split('\n').collect();
        for l in lines {
            prop_assert!(l.line >= 1 && l.line <= raw_lines.len(), "line {}", l.line);
            prop_assert_eq!(&l.text, raw_lines[l.line - 1].trim());
        }
    }
    // The cleaned corpus: the kept records, exactly as read, in input order.
    let mut out = Vec::new();
    newsdedup::report::write_cleaned(corpus, &outcome, &mut out, Path::new("out"), &Silent)
        .unwrap();
    let kept = outcome.kept_seqs();
    let want: String = records
        .iter()
        .filter(|r| kept[r.seq])
        .map(|r| r.original_json().unwrap() + "\n")
        .collect();
    prop_assert_eq!(kept.iter().filter(|&&k| k).count(), s.kept);
    prop_assert_eq!(String::from_utf8(out).unwrap(), want);
    Ok(outcome)
}

/// The lines of a JSON Lines file that are records: non-blank lines (a line
/// over the size limit is a `too_large` record even when blank: the reader
/// does not keep enough of it to tell), without their `\n` (a `\r` stays:
/// records are written back exactly as read), after a leading BOM.
fn expected_lines(bytes: &[u8], max: u64) -> Vec<&[u8]> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
        .into_iter()
        .filter(|l| l.len() as u64 > max || !l.iter().all(u8::is_ascii_whitespace))
        .collect()
}

// ---------------------------------------------------------------------------
// Target 1: one JSON Lines record
// ---------------------------------------------------------------------------

fn check_jsonl(bytes: &[u8], max: u64) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.jsonl");
    fs::write(&path, bytes).unwrap();
    let corpus = Corpus::open(&[InputSpec::Path(path)])
        .unwrap()
        .with_max_bytes(max);
    let lines = expected_lines(bytes, max);
    let records: Vec<RawRecord> = corpus.records().collect::<Result<_, _>>().unwrap();
    prop_assert_eq!(records.len(), lines.len());
    for (raw, line) in records.iter().zip(&lines) {
        let read = readers_agree(raw)?;
        article_is_sound(raw, &read)?;
        if line.len() as u64 > max {
            prop_assert_eq!(
                read.clone().unwrap_err(),
                RejectReason::TooLarge {
                    size: line.len() as u64,
                    limit: max
                }
            );
            prop_assert_eq!(raw.original_json(), None);
            continue;
        }
        prop_assert_eq!(raw.len(), line.len());
        match std::str::from_utf8(line) {
            Ok(s) => prop_assert_eq!(raw.original_json(), Some(s.to_string())),
            Err(e) => {
                prop_assert_eq!(&read, &Err(RejectReason::InvalidUtf8(e.valid_up_to())));
                prop_assert_eq!(raw.original_json(), None);
            }
        }
        // `text()` reads the `text` field of a JSON object (other fields
        // skipped unchecked, so the object need not be valid as a whole).
        if let Some(t) = raw.text() {
            prop_assert!(
                line.trim_ascii_start().starts_with(b"{"),
                "text() of a non-object"
            );
            if let Ok(value) = serde_json::from_slice::<serde_json::Value>(line) {
                prop_assert_eq!(value.get("text").and_then(|v| v.as_str()), Some(t.as_str()));
            }
        }
        // Any valid JSON object with a non-blank string or integer id and a
        // non-blank string text, known fields strings or null, is accepted.
        if let Ok(serde_json::Value::Object(map)) =
            serde_json::from_slice::<serde_json::Value>(line)
        {
            let fits = |k: &str| match map.get(k) {
                None | Some(serde_json::Value::Null) => k != "id" && k != "text",
                Some(serde_json::Value::String(s)) => {
                    !(k == "id" || k == "text") || !s.trim().is_empty()
                }
                Some(serde_json::Value::Number(n)) => k == "id" && (n.is_i64() || n.is_u64()),
                Some(_) => false,
            };
            prop_assert_eq!(
                read.is_ok(),
                KNOWN_FIELDS.iter().all(|k| fits(k)),
                "{:?}",
                read
            );
        }
    }
    accounted_for(&corpus, lines.len())?;
    Ok(())
}

proptest! {
    #![proptest_config(config(1200, regressions!("jsonl_record")))]

    /// One JSON Lines record (or a few, when the bytes hold newlines).
    #[test]
    fn jsonl_record(
        bytes in record_bytes(),
        max in prop_oneof![4 => Just(DEFAULT_MAX_BYTES), 1 => 0u64..80],
    ) {
        check_jsonl(&bytes, max)?;
    }

    /// Several records in one file, with repeated ids and copied texts.
    #[test]
    fn jsonl_corpus(
        records in prop::collection::vec(
            prop_oneof![3 => likely_record().prop_map(String::into_bytes), 1 => record_bytes()],
            1..8,
        ),
        copies in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
        blank in select(&["\n", "\n \n", "\r\n", "\n\t\r\n"][..]),
    ) {
        let mut lines = records;
        for c in copies {
            let i = c.index(lines.len());
            lines.push(lines[i].clone());
        }
        let bytes = lines.join(blank.as_bytes());
        check_jsonl(&bytes, DEFAULT_MAX_BYTES)?;
    }
}

// ---------------------------------------------------------------------------
// Target 2: `.txt` articles
// ---------------------------------------------------------------------------

fn check_txt_article(
    raw: &RawRecord,
    id: &str,
    bytes: &[u8],
    max: u64,
) -> Result<(), TestCaseError> {
    let read = readers_agree(raw)?;
    article_is_sound(raw, &read)?;
    prop_assert_eq!(raw.parse_known(), read.clone());
    if bytes.len() as u64 > max {
        prop_assert_eq!(
            read,
            Err(RejectReason::TooLarge {
                size: bytes.len() as u64,
                limit: max
            })
        );
        prop_assert_eq!(raw.id_hint(), None);
        return Ok(());
    }
    prop_assert_eq!(raw.id_hint(), Some(id.to_string()));
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            prop_assert_eq!(read, Err(RejectReason::InvalidUtf8(e.valid_up_to())));
            return Ok(());
        }
    };
    // The first line is the title, the rest (if not blank) the text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match read {
        Ok(a) => {
            prop_assert_eq!(&a.id, id);
            prop_assert!(text.ends_with(&a.text));
            let head = &text[..text.len() - a.text.len()];
            prop_assert!(
                head.ends_with('\n') && head.matches('\n').count() == 1,
                "{:?}",
                head
            );
            let title = head.trim();
            prop_assert_eq!(a.title.as_deref(), (!title.is_empty()).then_some(title));
            let json = raw.original_json().unwrap();
            let back = Article::from_json(serde_json::from_str(&json).unwrap());
            prop_assert_eq!(back, Ok(a));
        }
        Err(reason) => {
            prop_assert_eq!(reason, RejectReason::EmptyField("text"));
            let body = text.split_once('\n').map_or("", |(_, b)| b);
            prop_assert!(body.trim().is_empty());
            prop_assert_eq!(raw.original_json(), None);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(1200, regressions!("txt_article")))]

    /// A directory of `.txt` articles (and a file that is not one).
    #[test]
    fn txt_articles(
        files in prop::collection::vec(txt_bytes(), 1..5),
        copies in prop::collection::vec(any::<prop::sample::Index>(), 0..3),
        max in prop_oneof![4 => Just(DEFAULT_MAX_BYTES), 1 => 0u64..200],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut files = files;
        for c in copies {
            let i = c.index(files.len());
            files.push(files[i].clone());
        }
        let ids: Vec<String> = (0..files.len()).map(|i| format!("article {i:02}")).collect();
        for (id, bytes) in ids.iter().zip(&files) {
            fs::write(dir.path().join(format!("{id}.txt")), bytes).unwrap();
        }
        fs::write(dir.path().join("notes.md"), b"not an article").unwrap();
        let corpus = Corpus::open(&[InputSpec::Path(dir.path().to_path_buf())])
            .unwrap()
            .with_max_bytes(max);
        let records: Vec<RawRecord> = corpus.records().collect::<Result<_, _>>().unwrap();
        // The file that is not an article is a rejected record, last in name order.
        prop_assert_eq!(records.len(), files.len() + 1);
        for ((raw, id), bytes) in records.iter().zip(&ids).zip(&files) {
            check_txt_article(raw, id, bytes, max)?;
        }
        let notes = records.last().unwrap();
        prop_assert_eq!(notes.parse().unwrap_err().code(), "unsupported_file");
        prop_assert!(notes.location.file.ends_with("notes.md"));
        accounted_for(&corpus, files.len() + 1)?;
    }
}

// ---------------------------------------------------------------------------
// Target 3: normalization
// ---------------------------------------------------------------------------

/// Characters normalization folds away (quotes, dashes, ellipsis) or drops.
#[rustfmt::skip]
const FOLDED: &[char] = &[
    '\u{2018}', '\u{2019}', '\u{201a}', '\u{201b}', '\u{2032}', '\u{00b4}', '`', '\u{201c}',
    '\u{201d}', '\u{201e}', '\u{201f}', '\u{2033}', '\u{00ab}', '\u{00bb}', '\u{2010}', '\u{2011}',
    '\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}', '\u{2212}', '\u{2026}', '\u{00ad}', '\u{200b}',
    '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}',
];

fn check_normalized(line: &str, cased: bool) -> Result<(), TestCaseError> {
    if cased {
        prop_assert!(unicode_normalization::is_nfkc(line), "not NFKC: {:?}", line);
    }
    prop_assert!(!line.contains("  "), "double space in {:?}", line);
    prop_assert!(
        !line.starts_with(' ') && !line.ends_with(' '),
        "untrimmed {:?}",
        line
    );
    for c in line.chars() {
        prop_assert!(
            c == ' ' || !c.is_whitespace(),
            "whitespace {:?} in {:?}",
            c,
            line
        );
        prop_assert!(!c.is_control(), "control {:?} in {:?}", c, line);
        prop_assert!(!FOLDED.contains(&c), "unfolded {:?} in {:?}", c, line);
    }
    if !cased {
        let lower: String = line.chars().flat_map(char::to_lowercase).collect();
        prop_assert_eq!(&lower, line, "not lowercase");
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(4500, regressions!("normalize")))]

    /// Line-by-line folding keeps one output line per input line, and each
    /// line is folded, single-spaced, trimmed and (uncased) lowercase.
    #[test]
    fn normalize(text in any_text()) {
        let lines = normalize_lines(&text);
        prop_assert_eq!(lines.len(), text.split('\n').count(), "one output line per input line");
        for (raw, folded) in text.split('\n').zip(&lines) {
            prop_assert_eq!(folded, &normalize_line(raw));
            check_normalized(folded, false)?;
            let cased = normalize_line_cased(raw);
            check_normalized(&cased, true)?;
            // Without entities (a second pass would decode `&amp;amp;`
            // further), folding twice changes nothing, and folding the cased
            // form gives the folded one.
            if !folded.contains('&') {
                prop_assert_eq!(&normalize_line(&cased), folded);
                prop_assert_eq!(&normalize_line(folded), folded, "not idempotent on {:?}", raw);
                prop_assert_eq!(&normalize_line_cased(&cased), &cased, "not idempotent on {:?}", raw);
            }
        }
    }

    /// A typographic quote or dash folds like the ASCII character it stands for.
    #[test]
    fn normalize_folds_typography(
        // Entities are decoded before folding: keep them out of the way.
        before in line().prop_map(|l| l.replace('&', "+")),
        after in line().prop_map(|l| l.replace('&', "+")),
        (fancy, plain) in select(&[
            ('\u{2018}', '\''), ('\u{2019}', '\''), ('\u{201a}', '\''), ('\u{201b}', '\''),
            ('\u{2032}', '\''), ('\u{00b4}', '\''), ('`', '\''), ('\u{201c}', '"'),
            ('\u{201d}', '"'), ('\u{201e}', '"'), ('\u{201f}', '"'), ('\u{2033}', '"'),
            ('\u{00ab}', '"'), ('\u{00bb}', '"'), ('\u{2010}', '-'), ('\u{2013}', '-'),
            ('\u{2014}', '-'), ('\u{2015}', '-'), ('\u{2212}', '-'),
        ][..]),
    ) {
        let fancy = format!("{before}{fancy}{after}");
        let plain = format!("{before}{plain}{after}");
        prop_assert_eq!(normalize_line(&fancy), normalize_line(&plain));
        prop_assert_eq!(normalize_line_cased(&fancy), normalize_line_cased(&plain));
    }
}

// ---------------------------------------------------------------------------
// Target 4: boilerplate rules
// ---------------------------------------------------------------------------

/// Lines that look like chrome or like story, mixed with anything.
fn chrome_line() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => line(),
        1 => select(&[
            "Related topics", "Share this article", "Read more: world news", "Most Viewed",
            "Home | World | Sport", "|||||", "- Talks establish fishery hotline", "• Menu",
            "© 2016 Example Wire. All rights reserved.", "Sign up for our newsletter",
            "Kerry met Lavrov on Thursday in Hamburg.", "\"It hasn't come as a surprise.\"",
            "Politics, World, Americas", "Advertisement", "!!!", "...", "", " ", "\u{feff}",
        ][..])
        .prop_map(String::from),
        1 => (select(&["Copyright", "Read more", "|", "cookie"][..]), 30usize..50)
            .prop_map(|(w, n)| format!("{w} {}", "word ".repeat(n))),
        1 => (1usize..600).prop_map(|n| "x".repeat(n)),
    ]
}

fn chrome_article() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(chrome_line(), 0..10).prop_map(|l| l.join("\n")),
        1 => any_text(),
    ]
}

/// The true number of articles containing each counted line.
fn true_counts(articles: &[Vec<String>]) -> BTreeMap<&str, u32> {
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    for lines in articles {
        let distinct: BTreeSet<&str> = lines.iter().map(String::as_str).collect();
        for l in distinct {
            *counts.entry(l).or_default() += 1;
        }
    }
    counts
}

proptest! {
    #![proptest_config(config(1500, regressions!("boilerplate")))]

    /// Verdicts cover the article's lines, the all-chrome guard keeps a story,
    /// story lines are lines of the text, frequency estimates never fall below
    /// the true count.
    #[test]
    fn boilerplate(
        corpus in prop::collection::vec(chrome_article(), 1..6),
        repeats in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
        line_rules in prop::bool::weighted(0.8),
        use_freq in any::<bool>(),
        min_articles in 1u32..8,
        ratio in 1u32..6,
    ) {
        let mut corpus = corpus;
        for r in repeats {
            let i = r.index(corpus.len());
            corpus.push(corpus[i].clone());
        }
        let normalized: Vec<Vec<String>> = corpus.iter().map(|t| normalize_lines(t)).collect();
        let mut freq = LineFrequencies::for_corpus_bytes(corpus.iter().map(|t| t.len() as u64).sum());
        for lines in &normalized {
            freq.add_article(lines.iter().map(String::as_str));
        }
        for (line, count) in true_counts(&normalized) {
            let estimate = freq.estimate(line);
            if line.is_empty() || line.len() > MAX_COUNTED_LINE {
                prop_assert_eq!(estimate, 0, "{:?} is never counted", line);
            } else {
                prop_assert!(estimate >= count, "{:?}: estimate {} < {}", line, estimate, count);
            }
        }
        let config = BoilerplateConfig {
            line_rules,
            corpus_frequency: use_freq,
            min_articles,
            ratio,
        };
        let freq = use_freq.then_some(&freq);
        for (text, lines) in corpus.iter().zip(&normalized) {
            for l in lines {
                let rule = line_rule(l);
                if l.is_empty() {
                    prop_assert_eq!(rule, None);
                }
                let words = l.split(' ').filter(|w| w.chars().any(char::is_alphanumeric)).count();
                if words > 40 {
                    prop_assert_eq!(rule, None, "a long line is story: {:?}", l);
                }
            }
            let verdicts = classify(lines, &config, freq);
            prop_assert_eq!(verdicts.len(), lines.len());
            let mut kept_something = false;
            for (l, v) in lines.iter().zip(&verdicts) {
                match v {
                    None => kept_something |= !l.is_empty(),
                    Some(_) if l.is_empty() => prop_assert!(false, "an empty line judged {:?}", v),
                    Some(Reason::Frequent(n)) => {
                        prop_assert!(use_freq && *n >= min_articles);
                        prop_assert_eq!(*n, freq.unwrap().estimate(l));
                    }
                    Some(r) => {
                        prop_assert!(line_rules);
                        prop_assert_eq!(Some(*r), line_rule(l));
                    }
                }
            }
            let any_text = lines.iter().any(|l| !l.is_empty());
            prop_assert_eq!(kept_something, any_text, "all-chrome articles are kept whole");
            // Story lines: increasing line numbers of kept, non-empty lines.
            let raw: Vec<&str> = text.split('\n').collect();
            let story = story_lines(text, &config, freq);
            let mut last = None;
            for (i, s) in &story {
                prop_assert!(*i < raw.len() && last < Some(*i), "line {} of {}", i, raw.len());
                last = Some(*i);
                prop_assert!(verdicts[*i].is_none() && !lines[*i].is_empty());
                prop_assert_eq!(s, &normalize_line_cased(raw[*i]));
            }
            let kept = lines.iter().zip(&verdicts).filter(|(l, v)| v.is_none() && !l.is_empty());
            prop_assert_eq!(story.len(), kept.count());
        }
    }
}

// ---------------------------------------------------------------------------
// Target 5: the merger's sentence, claim and slot reading
// ---------------------------------------------------------------------------

/// Checks [`read_text`]: tokens in order on char boundaries, claims made of
/// tokens inside their sentence, slots inside their claim.
fn check_read(text: &str, config: &BoilerplateConfig) -> Result<usize, TestCaseError> {
    let read = read_text(text, config);
    let mut end = 0;
    for &t in &read.tokens {
        let s = valid_span(text, t)?;
        prop_assert!(t[0] >= end, "tokens overlap at {:?}", t);
        end = t[1];
        prop_assert!(!s.contains('\n'), "token {:?} crosses a line", s);
        prop_assert!(!s.chars().all(char::is_whitespace), "blank token {:?}", s);
    }
    let byte_span =
        |r: &std::ops::Range<usize>| [read.tokens[r.start][0], read.tokens[r.end - 1][1]];
    let mut claim_end = 0;
    for c in &read.claims {
        let (t, st) = (&c.tokens, &c.sentence_tokens);
        prop_assert!(
            t.start < t.end && t.end <= read.tokens.len(),
            "claim tokens {:?}",
            t
        );
        prop_assert!(st.start <= t.start && t.end <= st.end && st.end <= read.tokens.len());
        prop_assert_eq!(c.span, byte_span(t));
        prop_assert_eq!(c.sentence, byte_span(st));
        let claim = valid_span(text, c.span)?;
        valid_span(text, c.sentence)?;
        prop_assert!(!claim.contains('\n'), "claim {:?} crosses a line", claim);
        prop_assert!(c.span[0] >= claim_end, "claims overlap");
        claim_end = c.span[1];
        for (kind, r) in &c.slots {
            prop_assert!(
                t.start <= r.start && r.start < r.end && r.end <= t.end,
                "{} slot {:?} outside its claim {:?}",
                kind,
                r,
                t
            );
            valid_span(text, byte_span(r))?;
        }
    }
    Ok(read.claims.len())
}

/// Checks a merged story: every span slices its source's text on char
/// boundaries and equals the text it claims; every claim is in one fact or
/// unique, never twice; facts hold one claim per source.
fn check_story(
    story: &MergedStory,
    texts: &[String],
    claims_per_source: &[usize],
) -> Result<(), TestCaseError> {
    let n = texts.len();
    prop_assert_eq!(story.sources.len(), n);
    let mut seen: BTreeSet<(usize, Span)> = BTreeSet::new();
    let mut per_source = vec![0usize; n];
    let claims = story
        .facts
        .iter()
        .flat_map(|f| &f.claims)
        .chain(&story.unique);
    for c in claims {
        prop_assert!(c.source < n);
        prop_assert_eq!(&c.id, &story.sources[c.source].id);
        let text = &texts[c.source];
        prop_assert_eq!(valid_span(text, c.span)?, c.text.as_str());
        let sentence = valid_span(text, c.sentence)?;
        prop_assert!(c.sentence[0] <= c.span[0] && c.span[1] <= c.sentence[1]);
        prop_assert!(!sentence.contains('\n'));
        prop_assert!(
            seen.insert((c.source, c.span)),
            "claim {:?} listed twice",
            c.text
        );
        per_source[c.source] += 1;
    }
    for (s, info) in story.sources.iter().enumerate() {
        prop_assert_eq!(info.claims, per_source[s]);
        prop_assert_eq!(info.claims, claims_per_source[s]);
        prop_assert_eq!(&info.text, &texts[s]);
    }
    for (i, f) in story.facts.iter().enumerate() {
        prop_assert_eq!(f.fact, i + 1);
        prop_assert_eq!(f.support, f.claims.len());
        prop_assert!(f.claims.len() >= 2);
        let sources: BTreeSet<usize> = f.claims.iter().map(|c| c.source).collect();
        prop_assert_eq!(
            sources.len(),
            f.claims.len(),
            "two claims of one source in a fact"
        );
        prop_assert_eq!(&f.claim, &f.claims[0].text);
        for &d in &f.discrepancies {
            prop_assert!(d < story.discrepancies.len());
            prop_assert_eq!(story.discrepancies[d].fact, Some(f.fact));
        }
    }
    for d in &story.discrepancies {
        // No source here has copies: every discrepancy is between sources.
        prop_assert_eq!(d.relation, Relation::Sources);
        prop_assert!(d.fact.is_some_and(|f| f >= 1 && f <= story.facts.len()));
        let sources: BTreeSet<usize> = d.values.iter().map(|v| v.source).collect();
        prop_assert!(sources.len() >= 2, "{:?} has values of one source", d.kind);
        for v in &d.values {
            prop_assert!(v.source < n);
            prop_assert_eq!(&v.id, &story.sources[v.source].id);
            prop_assert_eq!(valid_span(&texts[v.source], v.span)?, v.text.as_str());
        }
    }
    for b in &story.boilerplate {
        prop_assert!(b.source < n);
        let left = valid_span(&texts[b.source], b.span)?;
        prop_assert_eq!(left, b.text.as_str());
        prop_assert!(!left.contains('\n') && !left.ends_with('\r'));
    }
    Ok(())
}

/// One event told by several sources: sentences whose slots (names,
/// numbers, dates, quotes, time phrases) each source fills its own way, so
/// claims align and differ.
fn event_texts() -> impl Strategy<Value = Vec<String>> {
    let slot = prop_oneof![
        4 => select(PIECES).prop_map(|p| vec![p.to_string()]),
        3 => prop::collection::vec(piece(), 1..4),
        1 => prop::collection::vec(line(), 1..3),
    ];
    let sentence = prop::collection::vec(slot, 1..18);
    let story = prop::collection::vec(
        (
            sentence,
            select(&[". ", ".\n", "\n", "\r\n", "? ", "! ", ".\" ", " "][..]),
        ),
        1..6,
    );
    (story, 2usize..4).prop_flat_map(|(story, n)| {
        let choices = story.iter().map(|(s, _)| s.len()).sum::<usize>();
        (
            Just(story),
            prop::collection::vec(
                prop::collection::vec(any::<prop::sample::Index>(), choices),
                n,
            ),
        )
            .prop_map(|(story, picks)| {
                picks
                    .iter()
                    .map(|pick| {
                        let mut text = String::new();
                        let mut k = 0;
                        for (sentence, end) in &story {
                            for (i, alternatives) in sentence.iter().enumerate() {
                                if i > 0 {
                                    text.push(' ');
                                }
                                text.push_str(&alternatives[pick[k].index(alternatives.len())]);
                                k += 1;
                            }
                            text.push_str(end);
                        }
                        text
                    })
                    .collect()
            })
    })
}

fn merge_and_check(
    texts: Vec<String>,
    boilerplate: BoilerplateConfig,
) -> Result<(), TestCaseError> {
    let mut claims = Vec::new();
    for t in &texts {
        claims.push(check_read(t, &boilerplate)?);
    }
    let merger = Merger::new(MergeConfig {
        boilerplate: boilerplate.clone(),
        ..MergeConfig::default()
    })
    .unwrap();
    let sources = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Source {
            article: Article {
                id: format!("s{i}"),
                text: t.clone(),
                ..Article::default()
            },
            copies: Vec::new(),
        })
        .collect();
    let story = merger.merge("event", sources, None);
    check_story(&story, &texts, &claims)
}

proptest! {
    #![proptest_config(config(2000, regressions!("merge")))]

    /// Sources of one event that agree and differ in their slots.
    #[test]
    fn merge_event(
        texts in event_texts(),
        line_rules in prop::bool::weighted(0.7),
    ) {
        let config = if line_rules { BoilerplateConfig::default() } else { BoilerplateConfig::disabled() };
        merge_and_check(texts, config)?;
    }

    /// Anything as the text of one or two sources.
    #[test]
    fn merge_any_text(texts in prop::collection::vec(any_text(), 1..3)) {
        merge_and_check(texts, BoilerplateConfig::default())?;
    }
}

// ---------------------------------------------------------------------------
// Target 6: opening an index file built from random bytes
// ---------------------------------------------------------------------------

/// A valid index holding the five seed articles, as bytes.
fn seeded_index_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seeded.db");
        let index = Index::create(&path, &DedupConfig::default()).unwrap();
        index
            .add(&seeds(), BatchOptions::default(), &Silent)
            .unwrap();
        drop(index);
        fs::read(&path).unwrap()
    })
}

fn seeds() -> Corpus {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/seeds.jsonl");
    Corpus::open(&[InputSpec::Path(path)]).unwrap()
}

/// What opening a damaged file may answer.
fn is_refusal(e: &Error) -> bool {
    matches!(
        e,
        Error::NotAnIndex { .. } | Error::Index { .. } | Error::IndexVersion { .. }
    )
}

/// `len` bytes from a seed (cheaper than a generated byte per position for
/// files the size of an index).
fn seeded_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = newsdedup::sketch::minhash::mix64(state.wrapping_add(0x9E37_79B9_7F4A_7C15));
            state as u8
        })
        .collect()
}

/// Random bytes; the redb magic and random bytes; the first bytes of a
/// valid index (its header, or more) followed by random bytes, short or to
/// the index's full length; or a whole valid index with its last bytes
/// random or random bytes after it (files that open, so that reading and
/// checking meet the random pages).
fn index_bytes() -> impl Strategy<Value = Vec<u8>> {
    let random = |n: usize| prop::collection::vec(any::<u8>(), 0..n);
    let keep = || {
        prop_oneof![
            select(&[9usize, 16, 64, 128, 320, 512, 1024, 4096, 8192][..]),
            any::<prop::sample::Index>().prop_map(|i| i.index(seeded_index_bytes().len() + 1)),
        ]
    };
    prop_oneof![
        1 => random(9000),
        1 => random(9000).prop_map(|tail| {
            let mut b = seeded_index_bytes()[..9].to_vec();
            b.extend(tail);
            b
        }),
        2 => (keep(), random(20000)).prop_map(|(keep, tail)| {
            let valid = seeded_index_bytes();
            let mut b = valid[..keep.min(valid.len())].to_vec();
            b.extend(tail);
            b
        }),
        2 => (keep(), any::<u64>(), 0usize..9000).prop_map(|(keep, seed, extra)| {
            let valid = seeded_index_bytes();
            let keep = keep.min(valid.len());
            let mut b = valid[..keep].to_vec();
            b.extend(seeded_bytes(seed, valid.len() - keep + extra));
            b
        }),
        2 => (random(16384), any::<bool>()).prop_map(|(tail, replace)| {
            let valid = seeded_index_bytes();
            let keep = if replace { valid.len() - tail.len().min(valid.len()) } else { valid.len() };
            let mut b = valid[..keep].to_vec();
            b.extend(tail);
            b
        }),
    ]
}

fn incoming() -> Corpus {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/incoming.jsonl");
    Corpus::open(&[InputSpec::Path(path)]).unwrap()
}

/// What `check` answers for the incoming feed against the valid index.
fn valid_verdicts() -> &'static [Verdict] {
    static VERDICTS: OnceLock<Vec<Verdict>> = OnceLock::new();
    VERDICTS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("valid.db");
        fs::write(&path, seeded_index_bytes()).unwrap();
        let index = Index::open(&path, Access::Read).unwrap();
        let events = Some(EventQuery::default());
        let outcome = index
            .check(&incoming(), false, events, BatchOptions::default(), &Silent)
            .unwrap();
        outcome.verdicts
    })
}

/// A valid index's header page and at least its length: a file redb opens
/// without repair and trusts, whatever its later pages hold.
fn damaged_valid_index(bytes: &[u8]) -> bool {
    let valid = seeded_index_bytes();
    bytes.len() >= valid.len() && bytes[..4096] == valid[..4096]
}

proptest! {
    #![proptest_config(config(3000, regressions!("index_open")))]

    /// `Index::open` answers Ok or a clear refusal, never a panic; an index
    /// that opens answers `stats` and `check` correctly or refuses clearly.
    ///
    /// Known limit (README, "Fuzzing"): in a release build, writing to a
    /// [`damaged_valid_index`] can abort the process inside redb, so a
    /// release run opens those read-only; a debug build (`cargo test`)
    /// stops at redb's debug assertions first and opens them for writing too.
    #[test]
    fn index_open(bytes in index_bytes(), write in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("random.db");
        fs::write(&path, &bytes).unwrap();
        let write = write && (cfg!(debug_assertions) || !damaged_valid_index(&bytes));
        let access = if write { Access::Write { wait: None } } else { Access::Read };
        match Index::open(&path, access) {
            Err(e) => prop_assert!(is_refusal(&e), "unexpected error {:?}", e),
            Ok(index) => {
                if let Err(e) = index.stats() {
                    prop_assert!(is_refusal(&e), "{:?}", e);
                }
                let events = Some(EventQuery::default());
                let checked = index.check(&incoming(), write, events, BatchOptions::default(), &Silent);
                match checked {
                    Ok(outcome) => prop_assert_eq!(&outcome.verdicts[..], valid_verdicts()),
                    Err(e) => prop_assert!(is_refusal(&e), "{:?}", e),
                }
                drop(index);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Target 7: HTML pages and WARC files
// ---------------------------------------------------------------------------

/// Pieces of HTML: tags the extractor scores, metadata the field readers
/// look for, charset declarations (known, unknown, malformed) and text.
#[rustfmt::skip]
const HTML_PIECES: &[&str] = &[
    "<html>", "<html lang=\"en\">", "<html lang=\"{{x}}\">", "</html>", "<head>", "</head>", "<body>", "</body>",
    "<meta charset=\"utf-8\">", "<meta charset=iso-8859-1>", "<meta charset=\"x-bogus\">", "<meta charset=",
    "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\">",
    "<meta property=\"og:site_name\" content=\"The Times\">",
    "<meta property=\"article:published_time\" content=\"2019-11-20T08:00:00Z\">",
    "<meta property=\"article:published_time\" content=\"0001-01-01T00:00:00Z\">",
    "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"datePublished\":\"2019-11-19\",\"headline\":\"H\"}</script>",
    "<script type=\"application/ld+json\">{\"@type\":", "<link rel=canonical href=\"https://x.example/a\">",
    "<link rel=canonical href=\"/relative\">", "<time datetime=\"2016-12-07\">", "</time>",
    "<title>", "</title>", "<article>", "</article>", "<p>", "</p>", "<div class=\"content\">", "<div id=\"comments\">",
    "</div>", "<nav>", "</nav>", "<footer>", "</footer>", "<h1>", "</h1>", "<br>", "<a href=\"/x\">", "</a>",
    "<!--", "-->", "<![CDATA[", "]]>", "<script>", "</script>", "<style>", "</style>", "&amp;", "&#0;", "&#x110000;",
    "The council said on Monday that the bridge would close for repairs.",
    "Kerry and Lavrov met in Hamburg, the ministry said.", "caf\u{e9}", "\u{feff}", "\u{200b}", "\u{2028}",
    "\u{5148}\u{65e5}\u{3002}", " ", "\n", "\r\n", "\t",
];

fn html_text() -> impl Strategy<Value = String> {
    prop::collection::vec(select(HTML_PIECES), 0..60).prop_map(|p| p.concat())
}

/// Page bytes: generated HTML (UTF-8, or re-encoded as Latin-1 where it
/// can be), raw bytes, or HTML with raw bytes spliced in.
fn html_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => html_text().prop_map(String::into_bytes),
        1 => html_text().prop_map(|t| encoding_rs::WINDOWS_1252.encode(&t).0.into_owned()),
        1 => prop::collection::vec(any::<u8>(), 0..300),
        1 => (html_text(), prop::collection::vec(any::<u8>(), 1..20), any::<prop::sample::Index>()).prop_map(
            |(t, junk, at)| {
                let mut b = t.into_bytes();
                let i = at.index(b.len() + 1);
                b.splice(i..i, junk);
                b
            }
        ),
    ]
}

fn charset_label() -> impl Strategy<Value = Option<String>> {
    prop::option::of(
        select(
            &[
                "utf-8",
                "UTF8",
                "iso-8859-1",
                "windows-1251",
                "shift_jis",
                "utf-16",
                "x-bogus",
                "",
            ][..],
        )
        .prop_map(str::to_string),
    )
}

fn check_page(bytes: &[u8], hints: &PageHints) -> Result<(), TestCaseError> {
    match read_page(bytes, hints) {
        Ok(a) => {
            prop_assert!(!a.text.trim().is_empty(), "an article with no text");
            prop_assert_eq!(Some(&a.id), hints.id.as_ref());
            if let Some(lang) = &a.lang {
                prop_assert!((2..=3).contains(&lang.len()), "lang {:?}", lang);
            }
            if let Some(date) = &a.published {
                prop_assert!(!date.starts_with("0001"), "placeholder date kept");
            }
        }
        Err(reason) => {
            let known = matches!(
                reason,
                RejectReason::UnreadablePage(_) | RejectReason::NoArticleText(_)
            );
            prop_assert!(known, "unexpected reason {:?}", reason);
        }
    }
    Ok(())
}

/// A WARC record with its parts chosen to reach every branch: type, HTTP
/// status and content type, charset, encodings, and damage.
fn warc_record() -> impl Strategy<Value = Vec<u8>> {
    let kind = select(
        &[
            "response", "response", "resource", "request", "metadata", "warcinfo", "revisit", "",
        ][..],
    );
    let status = select(&["200 OK", "200 OK", "404 Not Found", "301 Moved", "OK", ""][..]);
    let ctype = select(
        &[
            "text/html",
            "text/html; charset=utf-8",
            "text/html; charset=x-bogus",
            "application/xhtml+xml",
            "image/png",
            "",
        ][..],
    );
    let coding = select(
        &[
            "",
            "Content-Encoding: gzip\r\n",
            "Content-Encoding: br\r\n",
            "Transfer-Encoding: chunked\r\n",
        ][..],
    );
    (kind, status, ctype, coding, html_bytes(), any::<bool>()).prop_map(|(kind, status, ctype, coding, body, http)| {
        let block = if http {
            let mut b = format!("HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n{coding}\r\n").into_bytes();
            b.extend_from_slice(&body);
            b
        } else {
            body
        };
        let warc_ctype = if http { "application/http; msgtype=response" } else { ctype };
        let mut r = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: https://x.example/{}\r\nContent-Type: {warc_ctype}\r\nContent-Length: {}\r\n\r\n",
            block.len(),
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(&block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    })
}

/// Damage done to a record (or a gzip member): none, cut short, a byte
/// changed, garbage before it.
#[derive(Debug, Clone)]
enum Damage {
    None,
    Cut(prop::sample::Index),
    Flip(prop::sample::Index, u8),
    Garbage(Vec<u8>),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        6 => Just(Damage::None),
        1 => any::<prop::sample::Index>().prop_map(Damage::Cut),
        1 => (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Damage::Flip(i, b)),
        1 => prop::collection::vec(any::<u8>(), 1..40).prop_map(Damage::Garbage),
    ]
}

fn damaged(mut bytes: Vec<u8>, damage: &Damage) -> Vec<u8> {
    match damage {
        Damage::None => {}
        Damage::Cut(i) => bytes.truncate(i.index(bytes.len() + 1)),
        Damage::Flip(i, b) => {
            if !bytes.is_empty() {
                let i = i.index(bytes.len());
                bytes[i] ^= b | 1;
            }
        }
        Damage::Garbage(g) => bytes.splice(0..0, g.iter().copied()).for_each(drop),
    }
    bytes
}

fn gzip_member(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Every record of a WARC is read (no error, offsets in order and inside
/// the file), parsed without a panic, and accounted for by a dedup run; a
/// WARC without damage gives one record per record written, and its kept
/// records are copied back byte for byte.
fn check_warc(records: &[(Vec<u8>, Damage)], gzip: bool) -> Result<(), TestCaseError> {
    let intact = records.iter().all(|(_, d)| matches!(d, Damage::None));
    let bytes: Vec<u8> = records
        .iter()
        .flat_map(|(r, d)| {
            if gzip {
                damaged(gzip_member(r), d)
            } else {
                damaged(r.clone(), d)
            }
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(if gzip { "c.warc.gz" } else { "c.warc" });
    fs::write(&path, &bytes).unwrap();
    let corpus = Corpus::open(&[InputSpec::Path(path)]).unwrap();
    let read: Vec<RawRecord> = corpus.records().collect::<Result<_, _>>().unwrap();
    let mut last = 0;
    for r in &read {
        let offset = r.location.offset.expect("a WARC record has an offset");
        prop_assert!(
            offset >= last && (offset as usize) < bytes.len().max(1),
            "offset {} after {}",
            offset,
            last
        );
        last = offset;
        if let Ok(a) = r.parse() {
            prop_assert!(!a.text.trim().is_empty() && !a.id.is_empty());
        }
    }
    if intact {
        prop_assert_eq!(read.len(), records.len());
    }
    let outcome = Deduplicator::new(DedupConfig::default())
        .unwrap()
        .run(&corpus, &Silent)
        .unwrap();
    let s = &outcome.stats;
    prop_assert_eq!(s.records, read.len());
    prop_assert_eq!(s.kept + s.removed + s.rejected, s.records, "{:?}", s);
    if intact && outcome.kept_seqs().iter().any(|&k| k) {
        let mut out = Vec::new();
        newsdedup::report::write_cleaned_warc(&corpus, &outcome, &mut out, Path::new("o"), &Silent)
            .unwrap();
        let kept = outcome.kept_seqs();
        let want: Vec<u8> = records
            .iter()
            .zip(&read)
            .filter(|(_, r)| kept[r.seq])
            .flat_map(|((r, _), _)| if gzip { gzip_member(r) } else { r.clone() })
            .collect();
        prop_assert_eq!(out, want);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(600, regressions!("html_page")))]

    /// One page's bytes through decoding, extraction and the fields.
    #[test]
    fn html_page(bytes in html_bytes(), charset in charset_label(), coding in select(&["", "gzip", "deflate", "br"][..])) {
        let hints = PageHints {
            id: Some("page.html".into()),
            charset,
            content_encoding: (!coding.is_empty()).then(|| coding.to_string()),
            ..PageHints::default()
        };
        check_page(&bytes, &hints)?;
        // The same bytes as a JSON record's `html` field: both readers
        // agree, and an article has text and the record's id.
        let text = String::from_utf8_lossy(&bytes);
        let line = serde_json::json!({"id": "r", "html": text, "topic": 1}).to_string();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pages.jsonl");
        fs::write(&path, line).unwrap();
        let corpus = Corpus::open(&[InputSpec::Path(path)]).unwrap();
        let raw = corpus.records().next().unwrap().unwrap();
        if let Ok(a) = readers_agree(&raw)? {
            prop_assert_eq!(a.id.as_str(), "r");
            prop_assert!(!a.text.trim().is_empty());
        }
    }
}

proptest! {
    #![proptest_config(config(300, regressions!("warc_file")))]

    /// A WARC file (plain or one gzip member per record) of records made to
    /// reach every branch, some damaged.
    #[test]
    fn warc_file(
        records in prop::collection::vec((warc_record(), damage()), 1..6),
        gzip in any::<bool>(),
    ) {
        check_warc(&records, gzip)?;
    }

    /// Arbitrary bytes named as a WARC file.
    #[test]
    fn warc_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400), gzip in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(if gzip { "b.warc.gz" } else { "b.warc" });
        fs::write(&path, &bytes).unwrap();
        let corpus = Corpus::open(&[InputSpec::Path(path)]).unwrap();
        let read: Vec<RawRecord> = corpus.records().collect::<Result<_, _>>().unwrap();
        let blank = bytes.split(|&b| b == b'\n').all(|l| l.is_empty() || l == b"\r");
        prop_assert!(blank || !read.is_empty(), "bytes that are no record must be listed");
        for r in &read {
            let _ = r.parse();
        }
    }
}

// ---------------------------------------------------------------------------
// Sanity: the generators reach what they are meant to reach
// ---------------------------------------------------------------------------

/// The generators produce accepted and rejected records, merged stories with
/// facts and discrepancies, and index files that open: a property that only
/// ever sees rejections or empty stories would pass vacuously.
#[test]
fn generators_reach_deep_code() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut accepted, mut rejected) = (0, 0);
    for _ in 0..300 {
        let line = likely_record().new_tree(&mut runner).unwrap().current();
        match Article::from_json(serde_json::from_str(&line).unwrap_or_default()) {
            Ok(_) => accepted += 1,
            Err(_) => rejected += 1,
        }
    }
    assert!(
        accepted > 60 && rejected > 30,
        "{accepted} accepted, {rejected} rejected"
    );
    let (mut facts, mut discrepancies) = (0, 0);
    let merger = Merger::new(MergeConfig::default()).unwrap();
    for _ in 0..100 {
        let texts = event_texts().new_tree(&mut runner).unwrap().current();
        let sources = texts
            .into_iter()
            .enumerate()
            .map(|(i, text)| Source {
                article: Article {
                    id: i.to_string(),
                    text,
                    ..Article::default()
                },
                copies: Vec::new(),
            })
            .collect();
        let story = merger.merge("e", sources, None);
        facts += story.facts.len();
        discrepancies += story.discrepancies.len();
    }
    assert!(
        facts > 50 && discrepancies > 20,
        "{facts} facts, {discrepancies} discrepancies"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut opened = 0;
    for i in 0..60 {
        let bytes = index_bytes().new_tree(&mut runner).unwrap().current();
        let path = dir.path().join(format!("{i}.db"));
        fs::write(&path, bytes).unwrap();
        opened += usize::from(Index::open(&path, Access::Read).is_ok());
    }
    assert!(
        opened >= 5,
        "only {opened} of 60 generated index files open"
    );
    let (mut pages, mut refused) = (0, 0);
    let hints = PageHints {
        id: Some("p".into()),
        ..PageHints::default()
    };
    for _ in 0..200 {
        let bytes = html_bytes().new_tree(&mut runner).unwrap().current();
        match read_page(&bytes, &hints) {
            Ok(_) => pages += 1,
            Err(_) => refused += 1,
        }
    }
    assert!(
        pages > 40 && refused > 20,
        "{pages} pages read, {refused} refused"
    );
}

// ---------------------------------------------------------------------------
// Regressions: inputs the targets above found, pinned
// ---------------------------------------------------------------------------

fn read_one(bytes: &[u8], max: u64) -> RawRecord {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.jsonl");
    fs::write(&path, bytes).unwrap();
    let corpus = Corpus::open(&[InputSpec::Path(path)])
        .unwrap()
        .with_max_bytes(max);
    let mut records: Vec<RawRecord> = corpus.records().collect::<Result<_, _>>().unwrap();
    assert_eq!(records.len(), 1);
    records.pop().unwrap()
}

/// `jsonl_record`: a line over the size limit that ends in `\r\n` is
/// measured as read, its `\r` included (the record keeps its `\r`), under
/// the limit or over it.
#[test]
fn too_large_crlf_line_is_measured_as_read() {
    let line = br#"{"id":"a","text":"0123456789"}"#;
    let raw = read_one(&[&line[..], b"\r\n"].concat(), 10);
    assert_eq!(
        raw.parse(),
        Err(RejectReason::TooLarge {
            size: line.len() as u64 + 1,
            limit: 10
        })
    );
}

/// `jsonl_record`: when the quick read of the known fields fails (here on a
/// repeated `title`), `parse_known` fell back to the full read and kept the
/// other fields in `extra`, which it documents as left empty.
#[test]
fn parse_known_leaves_extra_empty_when_the_quick_read_fails() {
    let raw = read_one(
        br#"{"id":"a","text":"x y","title":"t","title":"u","topic":1}"#,
        DEFAULT_MAX_BYTES,
    );
    let quick = raw.parse_known().unwrap();
    assert!(quick.extra.is_empty(), "{:?}", quick.extra);
    assert_eq!(quick.title.as_deref(), Some("u"));
    assert_eq!(raw.parse().unwrap().extra["topic"], 1);
}

/// `index_open`: the valid index with its last 4055 bytes random opens for
/// writing; `check` makes redb panic (contained, an error), which poisons a
/// lock redb takes again when the database closes, so dropping the index
/// panicked outside any guard (the CLI exited 101 after its error).
#[test]
fn an_index_whose_check_failed_inside_redb_drops_cleanly() {
    let valid = seeded_index_bytes();
    let mut bytes = valid[..valid.len() - 4055].to_vec();
    bytes.extend(seeded_bytes(2, 4055));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.db");
    fs::write(&path, bytes).unwrap();
    // Index format 3 (checksums) laid the file out anew, so this tail may
    // now land in free pages and the check pass: either way, dropping the
    // index after it must not panic.
    let index = Index::open(&path, Access::Write { wait: None }).unwrap();
    let events = Some(EventQuery::default());
    if let Err(err) = index.check(&incoming(), true, events, BatchOptions::default(), &Silent) {
        assert!(is_refusal(&err), "{err:?}");
    }
    drop(index);
}

/// Known limit (README, "Fuzzing"), found by `index_open` in a release run:
/// the valid index with its last 6872 bytes random opens for writing, and
/// the first commit (here `check --add`'s, else the one redb makes on
/// close) panics in redb while freeing pages and again in a destructor
/// while unwinding, which aborts the process. Not fixed: telling such a
/// file apart before writing takes redb's full integrity check, about 3 s
/// per GB of index, on every write. A debug build stops at a debug
/// assertion first (an error, here already in `open`); see it abort with
/// `cargo test --release --test fuzz -- --ignored`.
#[test]
#[ignore = "aborts the test process in a release build (a known limit)"]
fn writing_to_a_valid_index_with_a_random_tail() {
    let valid = seeded_index_bytes();
    let mut bytes = valid[..valid.len() - 6872].to_vec();
    bytes.extend(seeded_bytes(9, 6872));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.db");
    fs::write(&path, bytes).unwrap();
    match Index::open(&path, Access::Write { wait: None }) {
        Err(e) => assert!(is_refusal(&e), "{e:?}"),
        Ok(index) => {
            let events = Some(EventQuery::default());
            let checked = index.check(&incoming(), true, events, BatchOptions::default(), &Silent);
            if let Err(e) = checked {
                assert!(is_refusal(&e), "{e:?}");
            }
        }
    }
}
