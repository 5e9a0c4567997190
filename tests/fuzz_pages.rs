//! Fuzz targets of HTML pages and WARC files: every WARC record is read
//! with its offset and accounted for, and an HTML page is an article with
//! text or is rejected for a page's reasons.
//!
//! Every target checks properties, not only that nothing panics.
//! `NEWSDEDUP_FUZZ_CASES=N` runs N cases per target; failing inputs are kept
//! in `tests/fuzz-regressions/` and replayed first. Generators and shared
//! checks: `tests/fuzz_support/`.

#[macro_use]
mod fuzz_support;
use fuzz_support::*;

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

/// The page generator gives pages read and pages refused.
#[test]
fn generators_reach_pages_read_and_refused() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
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
