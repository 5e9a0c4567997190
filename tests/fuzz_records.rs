//! Fuzz targets of the readers, on the stable toolchain with proptest: one
//! JSON Lines record or a few (read alike by both readers, accounted for by
//! a dedup run) and `.txt` articles.
//!
//! Every target checks properties, not only that nothing panics.
//! `NEWSDEDUP_FUZZ_CASES=N` runs N cases per target; failing inputs are kept
//! in `tests/fuzz-regressions/` and replayed first. Generators and shared
//! checks: `tests/fuzz_support/`.

#[macro_use]
mod fuzz_support;
use fuzz_support::*;

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

// ---------------------------------------------------------------------------
// Sanity: the generators reach what they are meant to reach
// ---------------------------------------------------------------------------

/// The record generator gives accepted and rejected records: a property that
/// only ever sees rejections would pass vacuously.
#[test]
fn generators_reach_accepted_and_rejected_records() {
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
}
