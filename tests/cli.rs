//! End-to-end tests: the real binary on real files in a temporary directory.

use std::collections::BTreeMap;
use std::fs;

use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::{bin, read_jsonl, testdata};

fn article(id: &str, text: &str) -> String {
    serde_json::json!({"id": id, "text": text}).to_string()
}

const STORY: &str = "The city council voted on Tuesday to close the old harbour bridge for repairs.\nEngineers found cracks in two of the main supports last month, the mayor said.\nThe bridge will reopen in the spring if the work stays on schedule and within budget.";
const OTHER: &str = "A new library opened in the north of the city with room for forty thousand books.\nVolunteers spent a year moving the collection from the old building by hand.";

#[test]
fn seeds_are_five_different_articles() {
    bin()
        .args(["dedup"])
        .arg(testdata("seeds"))
        .assert()
        .success()
        .stdout("no duplicates found\n")
        .stderr(predicate::str::contains(
            "read 5 records: kept 5, removed 0 duplicates",
        ));
}

#[test]
fn copies_are_removed_and_every_record_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let copy = STORY.replace("Tuesday", "Monday").replace("'", "\u{2019}");
    let big = format!(
        "{{\"id\": \"huge\", \"text\": \"{}\"}}",
        "word ".repeat(10_500_000)
    );
    let mut lines = vec![
        article("a", STORY),
        r#"{"id": "b", "text": "#.to_string(),
        article("c", &copy),
        r#"{"text": "no id here"}"#.to_string(),
        r#"{"id": "d"}"#.to_string(),
        article("a", OTHER),
        article("e", "   "),
        article("f", OTHER),
        big,
        format!(
            "{{\"id\": \"g\", \"extra\": 1, \"text\": \"{}\"}}",
            STORY.replace('\n', "\\n")
        ),
    ];
    lines.push(String::new());
    let mut bytes = lines.join("\n").into_bytes();
    bytes.extend_from_slice(b"{\"id\": \"bad-utf8\", \"text\": \"caf\xe9\"}\n");
    fs::write(&input, bytes).unwrap();

    let (out, report) = (
        dir.path().join("out.jsonl"),
        dir.path().join("removed.jsonl"),
    );
    bin()
        .args(["dedup"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "read 11 records: kept 2, removed 2 duplicates in 1 groups, rejected 7",
        ));

    let kept: Vec<String> = read_jsonl(&out)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kept, vec!["a", "f"]);
    let report = read_jsonl(&report);
    let by_line: BTreeMap<u64, &Value> = report
        .iter()
        .map(|v| (v["line"].as_u64().unwrap(), v))
        .collect();
    let expect = [
        (2, "rejected", "malformed_json"),
        (3, "duplicate", ""),
        (4, "rejected", "missing_field"),
        (5, "rejected", "missing_field"),
        (6, "rejected", "duplicate_id"),
        (7, "rejected", "empty_field"),
        (9, "rejected", "too_large"),
        (10, "duplicate", ""),
        (11, "rejected", "invalid_utf8"),
    ];
    assert_eq!(by_line.len(), expect.len(), "{report:#?}");
    for (line, status, reason) in expect {
        let v = by_line[&line];
        assert_eq!(v["status"], status, "line {line}");
        assert!(v["file"].as_str().unwrap().ends_with("in.jsonl"));
        if status == "rejected" {
            assert_eq!(v["reason"], reason, "line {line}");
            assert!(!v["message"].as_str().unwrap().is_empty());
        } else {
            assert_eq!(v["duplicate_of"], "a");
        }
    }
    assert!(
        by_line[&6]["message"]
            .as_str()
            .unwrap()
            .contains("in.jsonl:1"),
        "duplicate id names the first one"
    );
}

#[test]
fn kept_records_are_written_exactly_as_read() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let original = r#"{"text":"Only one article here, with fields we do not know.","id":"x1","topic":{"a":[1,2]},"score":0.25}"#;
    fs::write(&input, format!("{original}\r\n")).unwrap();
    let out = dir.path().join("out.jsonl");
    bin()
        .arg("dedup")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    // The line ending is part of the record as read (issue 14 item 8).
    assert_eq!(fs::read_to_string(&out).unwrap(), format!("{original}\r\n"));
}

#[test]
fn on_error_fail_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("feed.jsonl");
    fs::write(&input, format!("{}\n{{broken\n", article("a", STORY))).unwrap();
    bin()
        .args(["dedup", "--on-error", "fail"])
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("feed.jsonl:2: malformed JSON"));
}

#[test]
fn missing_input_and_bad_flags_are_clear_errors() {
    bin()
        .args(["dedup", "/no/such/file.jsonl"])
        .assert()
        .code(2)
        .stderr(
            "newsdedup: error: cannot open /no/such/file.jsonl: No such file or directory (os error 2)\n",
        );
    bin()
        .args(["dedup", "--threshold", "1.5"])
        .arg(testdata("seeds"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid threshold: 1.5"));
    bin()
        .args(["dedup", "--keep", "biggest"])
        .arg(testdata("seeds"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown keep rule"));
}

#[test]
fn stdin_and_txt_directories_are_inputs() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("one.txt"),
        format!("Bridge to close\n{STORY}\n"),
    )
    .unwrap();
    fs::write(
        dir.path().join("two.txt"),
        format!(
            "Harbour bridge shut\n{}\n",
            STORY.replace("Tuesday", "Monday")
        ),
    )
    .unwrap();
    fs::write(dir.path().join("notes.md"), "not an article").unwrap();
    bin()
        .arg("dedup")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(
            predicate::str::contains("keep    one  Bridge to close")
                .and(predicate::str::contains("remove  two")),
        );
    bin()
        .args(["dedup", "-", "--report", "-"])
        .arg("-o")
        .arg(dir.path().join("out.jsonl"))
        .write_stdin(format!(
            "{}\n{}\n",
            article("s1", STORY),
            article("s2", STORY)
        ))
        .assert()
        .success()
        .stdout(
            predicate::str::contains(r#""duplicate_of":"s1""#)
                .and(predicate::str::contains(r#""file":"<stdin>""#)),
        );
}

#[test]
fn keep_rules_choose_the_representative() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let longer =
        format!("{STORY}\nA final paragraph adds that traffic will use the ferry meanwhile.");
    let rec = |id: &str, text: &str, published: &str, source: &str| {
        serde_json::json!({"id": id, "text": text, "published": published, "source": source})
            .to_string()
    };
    fs::write(
        &input,
        [
            rec("late-long", &longer, "2024-05-02", "Wire"),
            rec("early", STORY, "2024-05-01", "Herald"),
        ]
        .join("\n"),
    )
    .unwrap();
    for (rule, kept) in [
        ("longest", "late-long"),
        ("earliest", "early"),
        ("first", "late-long"),
        ("source-priority=herald", "early"),
    ] {
        let out = dir.path().join("out.jsonl");
        bin()
            .args(["dedup", "--keep", rule])
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        assert_eq!(read_jsonl(&out)[0]["id"], kept, "rule {rule}");
    }
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let bench = dir.path().join("bench.jsonl");
    bin()
        .args(["generate", "--tier", "mixed", "--from"])
        .arg(testdata("ecbplus/docs.jsonl"))
        .arg("-o")
        .arg(&bench)
        .assert()
        .success();
    let mut outputs = Vec::new();
    for threads in ["1", "2", "3"] {
        let (out, rep) = (
            dir.path().join(format!("o{threads}")),
            dir.path().join(format!("r{threads}")),
        );
        bin()
            .args(["--threads", threads, "dedup"])
            .arg(&bench)
            .arg("-o")
            .arg(&out)
            .arg("--report")
            .arg(&rep)
            .assert()
            .success();
        outputs.push((fs::read(&out).unwrap(), fs::read(&rep).unwrap()));
    }
    assert!(!outputs[0].1.is_empty());
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
}

fn eval_tier(tier: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let bench = dir.path().join("bench.jsonl");
    bin()
        .args(["generate", "--tier", tier, "--from"])
        .arg(testdata("ecbplus/docs.jsonl"))
        .arg("-o")
        .arg(&bench)
        .assert()
        .success();
    let out = bin()
        .args([
            "eval",
            "--gold-field",
            "dup_group",
            "--negative-field",
            "event",
            "--json",
        ])
        .arg(&bench)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["level"], "duplicate");
    v["overall"].clone()
}

/// Quality floors on the benchmark built from real ECB+ text (README has the figures).
#[test]
fn gentle_copies_are_found_and_no_hard_negative_is_merged() {
    let s = eval_tier("gentle");
    assert!(s["pairwise_f1"].as_f64().unwrap() >= 0.99, "{s}");
    assert_eq!(s["hard_negative_pairs_merged"], 0, "{s}");
}

#[test]
fn heavy_copies_reach_the_target_and_no_hard_negative_is_merged() {
    let s = eval_tier("heavy");
    assert!(s["pairwise_f1"].as_f64().unwrap() >= 0.95, "{s}");
    assert!(s["pairwise_precision"].as_f64().unwrap() >= 0.99, "{s}");
    assert_eq!(s["hard_negative_pairs_merged"], 0, "{s}");
}

#[test]
fn explain_threshold_prints_the_s_curve() {
    bin()
        .args([
            "dedup",
            "--explain-threshold",
            "--bands",
            "16",
            "--rows",
            "8",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("16 bands x 8 rows").and(predicate::str::contains("   0.9 ")),
        );
}

/// A scraped page that is only a sign-up modal or a notification prompt is
/// `no_content`: not kept, not a copy of another such page, not rejected as
/// bad input (`--on-error fail` does not stop on it), in every report.
#[test]
fn chrome_only_pages_are_no_content_not_copies() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("pages.jsonl");
    let modal = "Sign In\nWe have sent you a verification email.\nPlease verify your email to continue.\nCreate an account\nAlready have an account? Log in";
    let prompt =
        "Enable notifications\nAllow notifications to get breaking news alerts.\nAdvertisement";
    let story = "The city council voted on Tuesday to close the old harbour bridge for repairs.\nEngineers found cracks in two of the main supports last month, the mayor said.";
    let records = [
        article("story", story),
        article("modal-1", modal),
        article("modal-2", modal),
        article("prompt", prompt),
        article(
            "short-news",
            "The parliament election is over in Turkmenistan.",
        ),
    ];
    fs::write(&input, records.join("\n") + "\n").unwrap();
    let report = dir.path().join("report.jsonl");
    let clean = dir.path().join("clean.jsonl");
    bin()
        .args(["dedup", "--on-error", "fail"])
        .arg(&input)
        .arg("-o")
        .arg(&clean)
        .arg("--report")
        .arg(&report)
        .assert()
        .success()
        .stderr(predicate::str::contains("(3 pages with no article text)"));
    let lines = read_jsonl(&report);
    let status: BTreeMap<&str, &str> = lines
        .iter()
        .filter_map(|l| Some((l["id"].as_str()?, l["status"].as_str()?)))
        .collect();
    for id in ["modal-1", "modal-2", "prompt"] {
        assert_eq!(status.get(id), Some(&"no_content"), "{lines:?}");
    }
    let kept: Vec<String> = read_jsonl(&clean)
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kept, ["story", "short-news"]);
    // Never part of an event either.
    let events = dir.path().join("events.jsonl");
    bin()
        .arg("cluster")
        .arg(&input)
        .arg("-o")
        .arg(&events)
        .assert()
        .success();
    for l in read_jsonl(&events) {
        let no_content = ["modal-1", "modal-2", "prompt"].contains(&l["id"].as_str().unwrap());
        assert_eq!(l["status"] == "no_content", no_content, "{l}");
        assert_eq!(l.get("event").is_none(), no_content, "{l}");
    }
}

/// `dedup --changes`: a removed copy lists the facts it changed from its
/// kept article (a number here); a copy with its paragraphs reordered lists
/// none; without the flag the report has no `changes`.
#[test]
fn dedup_changes_lists_what_a_copy_changed() {
    let original = fs::read_to_string(testdata("seeds/000_5a47302b29b28574.txt")).unwrap();
    let (title, body) = original.split_once('\n').unwrap();
    let changed = body.replacen("record 150,000 people", "record 160,000 people", 1);
    let mut lines: Vec<&str> = body.lines().collect();
    let n = lines.len();
    lines.swap(n - 2, n - 4);
    let reordered = lines.join("\n");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let record = |id: &str, text: &str| {
        serde_json::json!({"id": id, "title": title, "text": text}).to_string()
    };
    fs::write(
        &input,
        [
            record("original", body),
            record("changed", &changed),
            record("reordered", &reordered),
        ]
        .join("\n")
            + "\n",
    )
    .unwrap();
    let report = dir.path().join("report.jsonl");
    let out = bin()
        .args(["dedup", "--keep", "first", "--changes", "--report"])
        .arg(&report)
        .arg(&input)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 of the 2 copies changed facts (1 changes)",
        ))
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("changed number: “150,000” → “160,000”"),
        "{text}"
    );
    let rows: BTreeMap<String, Value> = read_jsonl(&report)
        .into_iter()
        .map(|v| (v["id"].as_str().unwrap().to_string(), v))
        .collect();
    let changes = rows["changed"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["kind"], "number");
    assert_eq!(changes[0]["kept"], "150,000");
    assert_eq!(changes[0]["copy"], "160,000");
    let span = |key: &str| -> (usize, usize) {
        let s = changes[0][key].as_array().unwrap();
        (
            s[0].as_u64().unwrap() as usize,
            s[1].as_u64().unwrap() as usize,
        )
    };
    let (a, b) = span("kept_span");
    assert_eq!(&body[a..b], "150,000");
    let (a, b) = span("copy_span");
    assert_eq!(&changed[a..b], "160,000");
    assert_eq!(rows["reordered"]["changes"], serde_json::json!([]));

    bin()
        .args(["dedup", "--keep", "first", "--report"])
        .arg(&report)
        .arg(&input)
        .assert()
        .success();
    assert!(read_jsonl(&report)
        .iter()
        .all(|v| v.get("changes").is_none()));
}
