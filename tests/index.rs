//! End-to-end tests of the persistent index and `check`: lifecycle, report
//! formats, batches checked and added, same-event matches, changed copies,
//! compaction. Damaged, locked and killed files: `tests/index_damage.rs`.

use std::fs;
use std::path::{Path, PathBuf};

use newsdedup::index::Index;
use predicates::prelude::*;
use serde_json::Value;

mod common;
mod index_support;
use common::{bin, read_jsonl, testdata};
use index_support::*;

/// An incoming batch: a copy of a held seed, a new story, a copy of that
/// story, and a bad record.
fn incoming(dir: &Path) -> PathBuf {
    let path = dir.join("incoming.jsonl");
    let story_copy = STORY.replace("Tuesday", "Monday") + "\nComments (3)";
    let text = [
        copy_of_seed(HAMBURG, "wire-1").to_string(),
        serde_json::json!({"id": "new-1", "text": STORY}).to_string(),
        "{\"id\": \"broken\", \"text\": ".to_string(),
        serde_json::json!({"id": "new-2", "text": story_copy}).to_string(),
    ]
    .join("\n");
    fs::write(&path, text + "\n").unwrap();
    path
}

fn check_json(db: &Path, input: &Path, extra: &[&str]) -> (i32, Value) {
    let out = bin()
        .arg("check")
        .arg(db)
        .arg(input)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code != 2,
        "check failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn a_held_article_checks_clean_and_copies_fail_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_index(dir.path());
    assert_eq!(held_count(&db), 5);

    // The held articles themselves: already held, exit 0.
    let (code, report) = check_json(&db, &testdata("seeds.jsonl"), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["already_held"], 5);

    let input = incoming(dir.path());
    let (code, report) = check_json(&db, &input, &[]);
    assert_eq!(code, 1);
    let records = report["records"].as_array().unwrap();
    let status: Vec<&str> = records
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    // new-2 says Monday where new-1 says Tuesday: a changed copy within
    // the batch.
    assert_eq!(
        status,
        [
            "copy_of_held",
            "clean",
            "rejected",
            "changed_copy_of_incoming"
        ],
        "{report:#}"
    );
    assert_eq!(records[3]["changes"][0]["kind"], "date");
    assert_eq!(records[3]["changes"][0]["kept"], "Tuesday");
    assert_eq!(records[3]["changes"][0]["copy"], "Monday");
    assert_eq!(report["summary"]["changed_copies"], 1);
    assert_eq!(records[0]["held"]["id"], HAMBURG);
    assert!(records[0]["similarity"].as_f64().unwrap() > 0.5);
    assert_eq!(records[2]["line"], 3);
    assert_eq!(records[3]["incoming"]["id"], "new-1");
    assert_eq!(report["summary"]["copies_of_held"], 1);
    assert_eq!(report["summary"]["copies_in_batch"], 1);
    // Without --add nothing changes.
    assert_eq!(held_count(&db), 5);

    // The text report names the held article's title and the incoming one's line.
    bin()
        .arg("check")
        .arg(&db)
        .arg(&input)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "\"wire-1\" is a copy of held \"{HAMBURG}\""
        )))
        .stdout(predicate::str::contains(
            "\"new-2\" is a copy of incoming \"new-1\"",
        ))
        .stdout(predicate::str::contains("rejected  "))
        .stdout(predicate::str::contains(
            "checked 4 incoming records against",
        ));
}

#[test]
fn check_add_adds_only_the_clean_articles() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_index(dir.path());
    let input = incoming(dir.path());
    let (code, report) = check_json(&db, &input, &["--add"]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["added"], 1);
    let added: Vec<&str> = report["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["added"] == true)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(added, ["new-1"]);
    assert_eq!(held_count(&db), 6);
    // Checked again: new-1 is held now, new-2 a copy of it that says
    // Monday where new-1 says Tuesday.
    let (_, report) = check_json(&db, &input, &["--add"]);
    let records = report["records"].as_array().unwrap();
    assert_eq!(records[1]["status"], "already_held");
    assert_eq!(records[3]["status"], "changed_copy");
    assert_eq!(records[3]["held"]["id"], "new-1");
    assert_eq!(records[3]["changes"][0]["kind"], "date");
    assert_eq!(records[3]["changes"][0]["kept"], "Tuesday");
    assert_eq!(records[3]["changes"][0]["copy"], "Monday");
    assert_eq!(held_count(&db), 6);
}

#[test]
fn an_id_held_with_other_content_is_refused_unless_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_index(dir.path());
    let batch = dir.path().join("batch.jsonl");
    write_jsonl(
        &batch,
        &[
            serde_json::json!({"id": "fresh", "text": STORY}),
            serde_json::json!({"id": HAMBURG, "text": "An entirely different article.\nIt has two lines and nothing else in common."}),
        ],
    );
    bin()
        .args(["index", "add"])
        .arg(&db)
        .arg(&batch)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("batch.jsonl:2"))
        .stderr(predicate::str::contains("--replace"));
    // All or nothing: "fresh" was not added either.
    assert_eq!(held_count(&db), 5);
    bin()
        .args(["index", "add", "--replace"])
        .arg(&db)
        .arg(&batch)
        .assert()
        .success()
        .stderr(predicate::str::contains("1 added, 0 unchanged, 1 replaced"));
    assert_eq!(held_count(&db), 6);
    // Adding the same batch again changes nothing.
    bin()
        .args(["index", "add"])
        .arg(&db)
        .arg(&batch)
        .assert()
        .success()
        .stderr(predicate::str::contains("0 added, 2 unchanged, 0 replaced"));
}

#[test]
fn removed_articles_no_longer_match() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_index(dir.path());
    let copy = dir.path().join("copy.jsonl");
    write_jsonl(&copy, &[copy_of_seed(HAMBURG, "wire-1")]);
    bin().arg("check").arg(&db).arg(&copy).assert().code(1);
    bin()
        .args(["index", "remove", "--id", "nope", "--id", HAMBURG])
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "holds no article with id \"nope\"",
        ));
    assert_eq!(held_count(&db), 5);
    bin()
        .args(["index", "remove", "--id", HAMBURG])
        .arg(&db)
        .assert()
        .success();
    assert_eq!(held_count(&db), 4);
    bin().arg("check").arg(&db).arg(&copy).assert().success();
}

#[test]
fn junit_and_github_reports_list_every_copy() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_index(dir.path());
    let input = incoming(dir.path());
    let xml_path = dir.path().join("check.xml");
    bin()
        .arg("check")
        .arg(&db)
        .arg(&input)
        .args(["--format", "junit", "-o"])
        .arg(&xml_path)
        .assert()
        .code(1);
    let xml = fs::read_to_string(&xml_path).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suites = doc.root_element();
    assert_eq!(suites.tag_name().name(), "testsuites");
    assert_eq!(suites.attribute("tests"), Some("4"));
    assert_eq!(suites.attribute("failures"), Some("2"));
    assert_eq!(suites.attribute("errors"), Some("1"));
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 4);
    let failing: Vec<&str> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(failing, ["wire-1", "new-2"]);
    let failure = cases[0]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(failure.attribute("message").unwrap().contains(HAMBURG));

    let out = bin()
        .arg("check")
        .arg(&db)
        .arg(&input)
        .args(["--format", "github"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let errors: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len(), 2, "{stdout}");
    assert!(errors[0].contains("line=1,title=Duplicate article::"));
    assert!(stdout
        .lines()
        .any(|l| l.starts_with("::warning ") && l.contains("line=3")));
}

#[test]
fn level_event_names_held_reports_of_the_same_event_without_failing() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = read_jsonl(&testdata("seeds.jsonl"));
    let (hamburg_2, others): (Vec<Value>, Vec<Value>) = seeds
        .into_iter()
        .partition(|s| s["id"] == "003_3789953b1d177a1f");
    let held = dir.path().join("held.jsonl");
    write_jsonl(&held, &others);
    let incoming = dir.path().join("incoming.jsonl");
    write_jsonl(&incoming, &hamburg_2);
    let db = dir.path().join("published.db");
    bin().args(["index", "create"]).arg(&db).assert().success();
    bin()
        .args(["index", "add"])
        .arg(&db)
        .arg(&held)
        .assert()
        .success();
    // At the duplicate level the other Hamburg report is simply clean.
    let (code, report) = check_json(&db, &incoming, &[]);
    assert_eq!(code, 0);
    assert!(report["records"][0].get("same_event").is_none());
    // At the event level it names the held Hamburg report, and still passes.
    let (code, report) = check_json(&db, &incoming, &["--level", "event"]);
    assert_eq!(code, 0);
    let matches = report["records"][0]["same_event"].as_array().unwrap();
    assert_eq!(matches[0]["held"]["id"], HAMBURG, "{report:#}");
    assert!(matches
        .iter()
        .all(|m| m["held"]["id"] == HAMBURG || m["similarity"].as_f64().unwrap() < 0.5));
    bin()
        .arg("check")
        .arg(&db)
        .arg(&incoming)
        .args(["--level", "event"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "\"003_3789953b1d177a1f\" covers the same event as held \"{HAMBURG}\""
        )));
}

/// `check --level event` weighs terms as `cluster` does with the same flags:
/// an incoming article checked against an index holding the other articles
/// of a batch gets the similarities `cluster` computes in that batch, and
/// the boosts given change them (they used to be ignored by `check`).
#[test]
fn check_level_event_gives_cluster_similarities_for_the_same_flags() {
    use newsdedup::dedup::{DedupConfig, Deduplicator};
    use newsdedup::events::VectorConfig;
    use newsdedup::events::{ClusterConfig, EventClusterer};
    use newsdedup::index::{BatchOptions, EventQuery};
    use newsdedup::progress::Silent;
    use newsdedup::{Corpus, InputSpec};

    let dir = tempfile::tempdir().unwrap();
    let seeds = read_jsonl(&testdata("seeds.jsonl"));
    let (incoming, held): (Vec<Value>, Vec<Value>) =
        seeds.iter().cloned().partition(|s| s["id"] == HAMBURG);
    let held_path = dir.path().join("held.jsonl");
    let incoming_path = dir.path().join("incoming.jsonl");
    write_jsonl(&held_path, &held);
    write_jsonl(&incoming_path, &incoming);
    let all = Corpus::open(&[InputSpec::Path(testdata("seeds.jsonl"))]).unwrap();
    // The index knows no corpus line frequencies: compare without them.
    let mut dedup_config = DedupConfig::default();
    dedup_config.boilerplate.corpus_frequency = false;
    let db = dir.path().join("held.db");
    let index = Index::create(&db, &dedup_config).unwrap();
    let held_corpus = Corpus::open(&[InputSpec::Path(held_path)]).unwrap();
    index
        .add(&held_corpus, BatchOptions::default(), &Silent)
        .unwrap();
    let incoming_corpus = Corpus::open(&[InputSpec::Path(incoming_path)]).unwrap();

    let similarities = |vectors: VectorConfig| {
        // cluster: the whole batch.
        let dedup = Deduplicator::new(dedup_config.clone()).unwrap();
        let outcome = dedup.run(&all, &Silent).unwrap();
        let config = ClusterConfig {
            vectors,
            ..ClusterConfig::default()
        };
        let events = EventClusterer::new(config, dedup_config.boilerplate.clone())
            .unwrap()
            .run(&all, &outcome, &Silent)
            .unwrap();
        let table = &outcome.table;
        let row_of = |id: &str| {
            (0..table.len() as u32)
                .find(|&r| table.id(r) == id)
                .unwrap()
        };
        let x = events.index_of_row(row_of(HAMBURG)).unwrap();
        // check: the other articles held, this one incoming.
        let query = EventQuery {
            threshold: 1e-6,
            window_days: None,
            text_window_days: None,
            places: false,
            vectors,
        };
        let checked = index
            .check(
                &incoming_corpus,
                false,
                Some(query),
                BatchOptions::default(),
                &Silent,
            )
            .unwrap();
        let matches = &checked.same_event[0];
        assert!(
            !matches.is_empty(),
            "the Hamburg report shares terms with held ones"
        );
        matches
            .iter()
            .map(|m| {
                let y = events.index_of_row(row_of(&m.held.id)).unwrap();
                let in_cluster = f64::from(events.similarity(x, y, &vectors));
                let in_cluster = (in_cluster * 10_000.0).round() / 10_000.0;
                assert_eq!(
                    m.similarity, in_cluster,
                    "{}: check and cluster disagree",
                    m.held.id
                );
                m.similarity
            })
            .collect::<Vec<f64>>()
    };
    let defaults = similarities(VectorConfig::default());
    let boosted = similarities(VectorConfig {
        name_boost: 4.0,
        number_boost: 1.0,
        title_boost: 3.0,
        max_terms: 40,
        background_docs: 10.0,
        unshared_norm: Some(0.0),
        ..VectorConfig::default()
    });
    assert_ne!(defaults, boosted, "the flags change what check reports");
}

/// A copy of a held article that changed one number gets its own verdict,
/// `changed_copy`, listing the change, in every format; a copy with its
/// paragraphs reordered is a plain copy. Both exit 1 (copies found).
#[test]
fn a_copy_that_changed_a_fact_is_a_changed_copy_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_index(dir.path());
    let seeds = read_jsonl(&testdata("seeds.jsonl"));
    let seed = seeds
        .iter()
        .find(|s| s["id"] == "000_5a47302b29b28574")
        .unwrap();
    let text = seed["text"].as_str().unwrap();
    let changed = text.replacen("record 150,000 people", "record 160,000 people", 1);
    assert_ne!(changed, text);
    let mut lines: Vec<&str> = text.lines().collect();
    let n = lines.len();
    lines.swap(n - 2, n - 4);
    let reordered = lines.join("\n");
    let incoming = dir.path().join("incoming.jsonl");
    write_jsonl(
        &incoming,
        &[
            serde_json::json!({"id": "changed", "text": changed}),
            serde_json::json!({"id": "reordered", "text": reordered, "title": "other"}),
        ],
    );
    let run = |format: &str| -> String {
        let out = bin()
            .arg("check")
            .arg(&db)
            .arg(&incoming)
            .args(["--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        String::from_utf8(out.stdout).unwrap()
    };
    let json: Value = serde_json::from_str(&run("json")).unwrap();
    let records = json["records"].as_array().unwrap();
    let by_id = |id: &str| records.iter().find(|r| r["id"] == id).unwrap();
    let c = by_id("changed");
    assert_eq!(c["status"], "changed_copy", "{c}");
    assert_eq!(c["held"]["id"], "000_5a47302b29b28574");
    let changes = c["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["kind"], "number");
    assert_eq!(changes[0]["kept"], "150,000");
    assert_eq!(changes[0]["copy"], "160,000");
    let span = changes[0]["copy_span"].as_array().unwrap();
    let (a, b) = (
        span[0].as_u64().unwrap() as usize,
        span[1].as_u64().unwrap() as usize,
    );
    assert_eq!(&changed[a..b], "160,000");
    assert_eq!(by_id("reordered")["status"], "copy_of_held");
    assert_eq!(json["summary"]["changed_copies"], 1);

    let text = run("text");
    assert!(
        text.contains("changed") && text.contains("changed 1 fact: number “150,000” → “160,000”"),
        "{text}"
    );
    let junit = run("junit");
    assert!(junit.contains("<failure type=\"changed_copy\""), "{junit}");
    assert!(junit.contains("<failure type=\"copy_of_held\""), "{junit}");
    let github = run("github");
    assert!(github.contains("title=Changed copy::"), "{github}");
    assert!(github.contains("title=Duplicate article::"), "{github}");
}

/// `index compact` gives back the free pages that batches and removals
/// leave (redb writes copy-on-write): the file shrinks, `index verify`
/// still passes and `check` gives byte-identical answers.
#[test]
fn compact_shrinks_the_file_and_changes_no_answer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("held.db");
    bin().args(["index", "create"]).arg(&db).assert().success();
    let docs = read_jsonl(&testdata("ecbplus/docs.jsonl"));
    // 20 batches of 10 articles, then every other batch removed again.
    for (i, chunk) in docs[..200].chunks(10).enumerate() {
        let batch = dir.path().join(format!("batch{i}.jsonl"));
        write_jsonl(&batch, chunk);
        bin()
            .args(["index", "add"])
            .arg(&db)
            .arg(&batch)
            .assert()
            .success();
    }
    let mut remove = vec!["index".to_string(), "remove".to_string()];
    for chunk in docs[..200].chunks(20) {
        for d in &chunk[..10] {
            remove.extend(["--id".to_string(), d["id"].as_str().unwrap().to_string()]);
        }
    }
    bin().args(&remove).arg(&db).assert().success();
    let incoming = dir.path().join("incoming.jsonl");
    write_jsonl(&incoming, &docs[..240]);
    let before = check_all(&db, &incoming);
    let size_before = fs::metadata(&db).unwrap().len();
    let out = bin()
        .args(["index", "compact"])
        .arg(&db)
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(out).unwrap();
    assert!(stderr.contains("(100 articles)"), "{stderr}");
    let size_after = fs::metadata(&db).unwrap().len();
    assert!(
        size_after < size_before,
        "{size_before} -> {size_after}: {stderr}"
    );
    bin()
        .args(["index", "verify"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ok: 100 articles"));
    assert_eq!(check_all(&db, &incoming), before);
    // A second compaction finds nothing more to give back.
    bin().args(["index", "compact"]).arg(&db).assert().success();
    assert!(fs::metadata(&db).unwrap().len() <= size_after);
}
