//! End-to-end tests of HTML and WARC inputs: real pages (testdata/html,
//! from the article extraction benchmark) as `.html` files, as a WARC built
//! here and as JSON Lines with an `html` field give the same duplicate
//! groups; WARC records that are not pages and damaged ones are listed with
//! their byte offsets; kept records are written back byte for byte.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{Read, Write};
use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::{bin, read_jsonl, testdata};

/// The test pages by label: the four real pages, and the first again under
/// another site's chrome (menu, banner, footer).
fn pages() -> Vec<(String, String)> {
    let mut files: Vec<_> = fs::read_dir(testdata("html/pages"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut pages: Vec<(String, String)> = files
        .iter()
        .map(|path| {
            let mut html = String::new();
            flate2::read::GzDecoder::new(fs::File::open(path).unwrap())
                .read_to_string(&mut html)
                .unwrap();
            let name = path.file_name().unwrap().to_string_lossy();
            (format!("p{}", &name[..8]), html)
        })
        .collect();
    let mirror = other_chrome(&pages[0].1);
    pages.insert(1, (format!("{}-mirror", pages[0].0), mirror));
    pages
}

fn other_chrome(html: &str) -> String {
    let body = html.find("<body").unwrap();
    let open_end = body + html[body..].find('>').unwrap() + 1;
    let close = html.rfind("</body>").unwrap();
    format!(
        "{}<header><nav><a href=\"/\">Mirror News</a> <a href=\"/world\">World</a> <a href=\"/sport\">Sport</a></nav></header><div class=\"banner\">Subscribe to Mirror News for daily updates</div>{}<footer><p>Copyright 2019 Mirror News Network. All rights reserved.</p><p>Privacy policy | Terms of use</p></footer>{}",
        &html[..open_end],
        &html[open_end..close],
        &html[close..]
    )
}

fn url(label: &str) -> String {
    format!("https://news.example/{label}")
}

/// One WARC record.
fn warc_record(kind: &str, uri: &str, content_type: &str, block: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{kind}-{}>\r\nWARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        block.len(),
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn http_response(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

fn response(uri: &str, status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let http = http_response(status, content_type, body);
    warc_record("response", uri, "application/http; msgtype=response", &http)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// The records of a crawl of the pages: a warcinfo record, a request and a
/// response per page, a redirect and an image.
fn crawl_records(pages: &[(String, String)]) -> Vec<(Option<String>, Vec<u8>)> {
    let mut records = vec![(
        None,
        warc_record(
            "warcinfo",
            "",
            "application/warc-fields",
            b"software: test\r\n",
        ),
    )];
    for (label, html) in pages {
        let request = format!("GET /{label} HTTP/1.1\r\nHost: news.example\r\n\r\n");
        records.push((
            None,
            warc_record(
                "request",
                &url(label),
                "application/http; msgtype=request",
                request.as_bytes(),
            ),
        ));
        let record = response(
            &url(label),
            "200 OK",
            "text/html; charset=utf-8",
            html.as_bytes(),
        );
        records.push((Some(label.clone()), record));
    }
    records.push((
        None,
        response(&url("moved"), "301 Moved Permanently", "text/html", b""),
    ));
    records.push((
        None,
        response(
            &url("logo.png"),
            "200 OK",
            "image/png",
            b"\x89PNG\r\n\x1a\n",
        ),
    ));
    records
}

/// Duplicate groups of a report, as sets of page labels.
fn groups(report: &Path, label_of: impl Fn(&str) -> String) -> BTreeSet<BTreeSet<String>> {
    let mut by_kept: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in read_jsonl(report) {
        if r["status"] == "duplicate" {
            let kept = label_of(r["duplicate_of"].as_str().unwrap());
            let group = by_kept.entry(kept.clone()).or_default();
            group.insert(kept);
            group.insert(label_of(r["id"].as_str().unwrap()));
        }
    }
    by_kept.into_values().collect()
}

fn dedup_report(input: &Path, extra: &[&str]) -> (std::path::PathBuf, String) {
    let report = input.with_extension("report.jsonl");
    let out = bin()
        .arg("dedup")
        .arg(input)
        .arg("--report")
        .arg(&report)
        .args(extra)
        .assert()
        .success();
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    (report, stderr)
}

#[test]
fn html_files_a_warc_and_json_lines_give_the_same_groups() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages();
    let html_dir = dir.path().join("pages");
    fs::create_dir(&html_dir).unwrap();
    for (label, html) in &pages {
        fs::write(html_dir.join(format!("{label}.html")), html).unwrap();
    }
    let warc = dir.path().join("crawl.warc.gz");
    let members: Vec<u8> = crawl_records(&pages)
        .iter()
        .flat_map(|(_, r)| gzip(r))
        .collect();
    fs::write(&warc, members).unwrap();
    let jsonl = dir.path().join("pages.jsonl");
    let lines: Vec<String> = pages
        .iter()
        .map(|(label, html)| {
            serde_json::json!({"id": label, "url": url(label), "html": html}).to_string()
        })
        .collect();
    fs::write(&jsonl, lines.join("\n")).unwrap();

    let want: BTreeSet<BTreeSet<String>> = [[pages[0].0.clone(), pages[1].0.clone()]
        .into_iter()
        .collect()]
    .into_iter()
    .collect();
    let (report, stderr) = dedup_report(&html_dir, &[]);
    assert!(
        stderr.contains("read 5 records: kept 4, removed 1"),
        "{stderr}"
    );
    let stem = |id: &str| {
        Path::new(id)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    assert_eq!(groups(&report, stem), want);
    let (report, stderr) = dedup_report(&warc, &[]);
    // 1 warcinfo + 5 requests + 5 pages + a redirect + an image.
    assert!(
        stderr.contains("read 13 records: kept 4, removed 1"),
        "{stderr}"
    );
    let last_segment = |id: &str| id.rsplit('/').next().unwrap().to_string();
    assert_eq!(groups(&report, last_segment), want);
    let (report, _) = dedup_report(&jsonl, &[]);
    assert_eq!(groups(&report, |id: &str| id.to_string()), want);
    // The same pages as a plain (not gzip) WARC.
    let plain = dir.path().join("crawl.warc");
    let bytes: Vec<u8> = crawl_records(&pages)
        .into_iter()
        .flat_map(|(_, r)| r)
        .collect();
    fs::write(&plain, bytes).unwrap();
    let (report, _) = dedup_report(&plain, &[]);
    assert_eq!(groups(&report, last_segment), want);
}

#[test]
fn warc_records_that_are_not_pages_are_listed_with_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let records = crawl_records(&pages());
    let members: Vec<Vec<u8>> = records.iter().map(|(_, r)| gzip(r)).collect();
    let warc = dir.path().join("crawl.warc.gz");
    fs::write(&warc, members.concat()).unwrap();
    let (report, _) = dedup_report(&warc, &[]);
    let report = read_jsonl(&report);
    let skipped: Vec<&Value> = report.iter().filter(|r| r["status"] == "skipped").collect();
    assert_eq!(skipped.len(), 8, "{report:?}");
    let offsets: Vec<u64> = members
        .iter()
        .scan(0u64, |at, m| {
            let start = *at;
            *at += m.len() as u64;
            Some(start)
        })
        .collect();
    for r in &skipped {
        assert_eq!(r["reason"], "not_a_page");
        let offset = r["offset"].as_u64().unwrap();
        assert!(offsets.contains(&offset), "{r}");
        assert!(r.get("line").is_none());
    }
    let messages: Vec<&str> = skipped
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert!(messages.contains(&"not a page: WARC record of type warcinfo"));
    assert!(messages.contains(&"not a page: HTTP status 301"));
    assert!(messages.contains(&"not a page: content type image/png"));
    let duplicate = report.iter().find(|r| r["status"] == "duplicate").unwrap();
    assert!(offsets.contains(&duplicate["offset"].as_u64().unwrap()));
}

#[test]
fn kept_records_are_written_as_read_or_as_fields() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages();
    let records = crawl_records(&pages);
    let members: Vec<Vec<u8>> = records.iter().map(|(_, r)| gzip(r)).collect();
    let warc = dir.path().join("crawl.warc.gz");
    fs::write(&warc, members.concat()).unwrap();
    // A WARC of the kept pages: their gzip members, byte for byte.
    let kept_warc = dir.path().join("kept.warc.gz");
    dedup_report(&warc, &["-o", kept_warc.to_str().unwrap()]);
    let (report, _) = dedup_report(&warc, &[]);
    let removed: BTreeSet<String> = read_jsonl(&report)
        .iter()
        .filter(|r| r["status"] == "duplicate")
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let want: Vec<u8> = records
        .iter()
        .zip(&members)
        .filter(|((label, _), _)| label.as_ref().is_some_and(|l| !removed.contains(&url(l))))
        .flat_map(|(_, m)| m.clone())
        .collect();
    assert_eq!(fs::read(&kept_warc).unwrap(), want);
    // The kept WARC reads again: 4 pages, nothing else.
    bin()
        .arg("dedup")
        .arg(&kept_warc)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "read 4 records: kept 4, removed 0",
        ));
    // Fields: one JSON object per kept page, with its file and offset.
    let fields = dir.path().join("kept.jsonl");
    dedup_report(&warc, &["-o", fields.to_str().unwrap()]);
    let kept = read_jsonl(&fields);
    assert_eq!(kept.len(), 4);
    for k in &kept {
        assert!(k["text"].as_str().unwrap().len() > 200, "{k}");
        assert!(
            k["offset"].as_u64().is_some()
                && k["file"].as_str().unwrap().ends_with("crawl.warc.gz")
        );
        assert!(k["id"]
            .as_str()
            .unwrap()
            .starts_with("https://news.example/"));
        assert!(!k["source"].as_str().unwrap().is_empty(), "{k}");
    }
    // HTML files: the kept ones copied into a directory.
    let html_dir = dir.path().join("pages");
    fs::create_dir(&html_dir).unwrap();
    for (label, html) in &pages {
        fs::write(html_dir.join(format!("{label}.html")), html).unwrap();
    }
    let out_dir = dir.path().join("kept-pages");
    dedup_report(&html_dir, &["-o", out_dir.to_str().unwrap()]);
    let mut copied: Vec<String> = fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    copied.sort();
    assert_eq!(copied.len(), 4, "{copied:?}");
    for name in &copied {
        assert_eq!(
            fs::read(out_dir.join(name)).unwrap(),
            fs::read(html_dir.join(name)).unwrap()
        );
    }
    // An output that is an input is refused.
    bin()
        .arg("dedup")
        .arg(&warc)
        .arg("-o")
        .arg(&warc)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("would be overwritten"));
    assert_eq!(fs::read(&warc).unwrap(), members.concat());
}

#[test]
fn damaged_warc_records_are_rejected_with_file_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages();
    let good = response(
        &url("good"),
        "200 OK",
        "text/html; charset=utf-8",
        pages[2].1.as_bytes(),
    );
    let good2 = response(
        &url("good2"),
        "200 OK",
        "text/html; charset=utf-8",
        pages[2].1.as_bytes(),
    );
    let mut cut = response(&url("cut"), "200 OK", "text/html", pages[3].1.as_bytes());
    cut.truncate(cut.len() / 2);
    let malformed = b"WARC/1.1\r\nWARC-Type response\r\n\r\n".to_vec();
    let no_length = b"WARC/1.1\r\nWARC-Type: response\r\n\r\nabc\r\n\r\n".to_vec();
    let binary = response(
        &url("binary"),
        "200 OK",
        "text/html",
        b"<html>\0\0\0\x01\x02</html>",
    );
    let charset = response(
        &url("charset"),
        "200 OK",
        "text/html; charset=x-unknown",
        b"<p>hello</p>",
    );
    let garbage = b"this is not a WARC record\r\n".to_vec();
    let other = response(&url("other"), "200 OK", "text/html", pages[4].1.as_bytes());
    let mut truncated = gzip(&other);
    truncated.truncate(truncated.len() - 40);
    let members = [
        gzip(&good),
        gzip(&cut),
        gzip(&malformed),
        gzip(&no_length),
        gzip(&binary),
        gzip(&charset),
        gzip(&garbage),
        b"not gzip at all".to_vec(),
        gzip(&good2),
        truncated,
    ];
    let warc = dir.path().join("damaged.warc.gz");
    fs::write(&warc, members.concat()).unwrap();
    let report = dir.path().join("report.jsonl");
    let out = bin()
        .arg("dedup")
        .arg(&warc)
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let report = read_jsonl(&report);
    let reasons: Vec<(String, u64)> = report
        .iter()
        .filter(|r| r["status"] != "duplicate")
        .map(|r| {
            (
                r["reason"].as_str().unwrap().to_string(),
                r["offset"].as_u64().unwrap(),
            )
        })
        .collect();
    let at = |i: usize| members[..i].iter().map(|m| m.len() as u64).sum::<u64>();
    for (reason, member) in [
        ("malformed_warc", 1),
        ("malformed_warc", 2),
        ("malformed_warc", 3),
        ("unreadable_page", 4),
        ("unreadable_page", 5),
        ("malformed_warc", 6),
    ] {
        assert!(
            reasons.contains(&(reason.to_string(), at(member))),
            "{reason} at member {member}: {reasons:?}\n{stderr}"
        );
    }
    // The damaged tail is one rejected record; the good records are read
    // (the second one is a copy of the first).
    assert!(
        reasons
            .iter()
            .any(|(r, o)| r == "malformed_warc" && *o >= at(7)),
        "{reasons:?}"
    );
    assert!(
        stderr.contains("kept 1, removed 1"),
        "{stderr}\n{:?}",
        &report[..report.len().min(30)]
    );
    // --on-error fail names the file and offset of the first.
    bin()
        .arg("dedup")
        .arg(&warc)
        .args(["--on-error", "fail"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "damaged.warc.gz at byte {}: malformed WARC record: record cut short",
            at(1)
        )));
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages();
    let warc = dir.path().join("crawl.warc.gz");
    let members: Vec<u8> = crawl_records(&pages)
        .iter()
        .flat_map(|(_, r)| gzip(r))
        .collect();
    fs::write(&warc, members).unwrap();
    let run = |threads: &str| {
        let out = dir.path().join(format!("out-{threads}.jsonl"));
        let (report, _) = dedup_report(&warc, &["--threads", threads, "-o", out.to_str().unwrap()]);
        (fs::read(out).unwrap(), fs::read(report).unwrap())
    };
    assert_eq!(run("1"), run("3"));
}

#[test]
fn extract_writes_fields_and_scores_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pages.jsonl");
    bin()
        .arg("extract")
        .arg(testdata("html/pages"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "read 4 records: 4 articles, 0 without one",
        ));
    let pages = read_jsonl(&out);
    let stadia = pages
        .iter()
        .find(|p| p["file"].as_str().unwrap().contains("aade2ec8"))
        .unwrap();
    assert_eq!(stadia["source"], "MSPoweruser");
    assert_eq!(stadia["lang"], "en");
    assert!(stadia["published"]
        .as_str()
        .unwrap()
        .starts_with("2019-11-19"));
    assert!(stadia["title"].as_str().unwrap().contains("Stadia"));
    assert!(stadia["url"]
        .as_str()
        .unwrap()
        .starts_with("https://mspoweruser.com/"));
    assert_eq!(stadia["line"], 0);
    // Scored against their own text: F1 1.
    let truth: serde_json::Map<String, Value> = pages
        .iter()
        .map(|p| {
            let name = Path::new(p["file"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let key = name.split('.').next().unwrap().to_string();
            (key, serde_json::json!({"articleBody": p["text"]}))
        })
        .collect();
    let gt = dir.path().join("truth.json");
    fs::write(&gt, Value::Object(truth).to_string()).unwrap();
    bin()
        .arg("extract")
        .arg(testdata("html/pages"))
        .arg("--score")
        .arg(&gt)
        .assert()
        .success()
        .stdout("4 annotated pages, 4 extracted: precision 1.000  recall 1.000  F1 1.000\n");
}

#[test]
fn input_format_overrides_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages();
    // A saved page without an extension: JSON Lines by its name (and
    // rejected as such), a page with --input-format html.
    let saved = dir.path().join("saved-page");
    fs::write(&saved, &pages[2].1).unwrap();
    bin()
        .arg("extract")
        .arg(&saved)
        .assert()
        .success()
        .stderr(predicate::str::contains("0 articles"));
    bin()
        .args(["extract", "--input-format", "html"])
        .arg(&saved)
        .assert()
        .success()
        .stdout(predicate::str::contains("\"source\":\"MSPoweruser\""));
    // A WARC on stdin.
    let members: Vec<u8> = crawl_records(&pages)
        .iter()
        .flat_map(|(_, r)| gzip(r))
        .collect();
    bin()
        .args(["dedup", "-", "--input-format", "warc"])
        .write_stdin(members)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "read 13 records: kept 4, removed 1",
        ));
}
