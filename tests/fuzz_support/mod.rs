//! Generators, shared checks and settings of the fuzz targets
//! (`tests/fuzz_*.rs`; see the module docs of `tests/fuzz_records.rs`).
#![allow(dead_code, unused_imports, unused_macros)]

pub use std::collections::{BTreeMap, BTreeSet, HashMap};
pub use std::fs;
pub use std::path::Path;
pub use std::sync::OnceLock;

pub use newsdedup::article::Article;
pub use newsdedup::article::RejectReason;
pub use newsdedup::dedup::{DedupConfig, DedupOutcome, Deduplicator};
pub use newsdedup::index::{Access, BatchOptions, EventQuery, Index, Verdict};
pub use newsdedup::ingest::html::{read_page, PageHints};
pub use newsdedup::ingest::{Corpus, InputSpec, RawRecord, DEFAULT_MAX_BYTES};
pub use newsdedup::merge::{read_text, MergeConfig, MergedStory, Merger, Relation, Source, Span};
pub use newsdedup::progress::Silent;
pub use newsdedup::text::boilerplate::{
    classify, line_rule, story_lines, BoilerplateConfig, LineFrequencies, Reason, MAX_COUNTED_LINE,
};
pub use newsdedup::text::normalize::{normalize_line, normalize_line_cased, normalize_lines};
pub use newsdedup::Error;
pub use proptest::prelude::*;
pub use proptest::sample::select;
pub use proptest::test_runner::FileFailurePersistence;

/// Cases per target: `NEWSDEDUP_FUZZ_CASES` when set, else the target's default.
pub fn config(default_cases: u32, regressions: &'static str) -> ProptestConfig {
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
pub const PIECES: &[&str] = &[
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
pub fn piece() -> impl Strategy<Value = String> {
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
pub const MARKS: &[char] = &[
    'e', 'a', 'A', 'W', 'i', 'I', 'ı', 'İ', 'Σ', 'ς', '\u{3f9}', '\u{1d2c}', '\u{2160}',
    '\u{212a}', 'ﬁ', '\u{1100}', '\u{1161}', '\u{11a8}', '\u{0301}', '\u{0308}', '\u{030a}',
    '\u{0316}', '\u{0327}', '\u{0483}', '\u{3099}', '\u{200b}', '\u{200c}', '\u{200d}',
    '\u{00ad}', '\u{2060}', '\u{feff}', '\0', '\u{1b}', '\u{7f}', '\u{85}', ' ', '\t', '\u{a0}',
    '\u{2009}', '\u{00b4}', '\u{2033}', '\u{2019}', '`', '&', '#', ';',
];

pub fn with_commas(n: u64) -> String {
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
pub fn line() -> impl Strategy<Value = String> {
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
pub fn article_text() -> impl Strategy<Value = String> {
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
pub fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => article_text(),
        1 => prop::collection::vec(any::<char>(), 0..300).prop_map(|c| c.into_iter().collect()),
        1 => prop::collection::vec(any::<u8>(), 0..600)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

pub const KNOWN_FIELDS: &[&str] = &["id", "text", "title", "url", "source", "published", "lang"];

/// A JSON string literal (sometimes a broken one).
pub fn json_string() -> impl Strategy<Value = String> {
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
pub const ODD_NUMBERS: &[&str] = &[
    "18446744073709551616", "-9223372036854775809", "1e400", "-1e400", "-0", "0.0", "1.5", "1E2",
    "-1e-400", "01", "1.", ".5", "NaN", "Infinity", "+1", "0x10", "-", "7.0", "1e2",
];

/// A JSON scalar as text, including numbers that do not fit and invalid ones.
pub fn json_scalar() -> impl Strategy<Value = String> {
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
pub fn json_value() -> impl Strategy<Value = String> {
    json_scalar().prop_recursive(4, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((json_key(), inner), 0..5).prop_map(|kv| json_object(&kv, ",")),
        ]
    })
}

/// A key: mostly the fields the tool reads, also escaped and near-miss spellings.
pub fn json_key() -> impl Strategy<Value = String> {
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

pub fn json_object(fields: &[(String, String)], sep: &str) -> String {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    format!("{{{}}}", body.join(sep))
}

/// A value that fits its field, so that many records are accepted.
pub fn fitting_value(key: &str) -> BoxedStrategy<String> {
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
pub fn likely_record() -> impl Strategy<Value = String> {
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
pub fn record_bytes() -> impl Strategy<Value = Vec<u8>> {
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
pub fn txt_bytes() -> impl Strategy<Value = Vec<u8>> {
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
pub fn valid_span(text: &str, span: Span) -> Result<&str, TestCaseError> {
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
pub fn readers_agree(raw: &RawRecord) -> Result<Result<Article, RejectReason>, TestCaseError> {
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
pub fn article_is_sound(
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
pub fn accounted_for(
    corpus: &Corpus,
    expected_records: usize,
) -> Result<DedupOutcome, TestCaseError> {
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
pub fn expected_lines(bytes: &[u8], max: u64) -> Vec<&[u8]> {
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
