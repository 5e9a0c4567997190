//! End-to-end tests of the persistent index and `check`: lifecycle, report
//! formats, atomic batches, refused settings and versions, damaged files,
//! locking, and SIGKILL in the middle of `index add`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use newsdedup::index::{Access, Index};
use predicates::prelude::*;
use redb::ReadableDatabase;
use serde_json::Value;

mod common;
use common::{bin, read_jsonl, testdata};

const HAMBURG: &str = "002_a4d316c33a6c514d";

/// A lightly edited, re-branded copy of a seed article.
fn copy_of_seed(id: &str, new_id: &str) -> Value {
    let seeds = read_jsonl(&testdata("seeds.jsonl"));
    let seed = seeds.iter().find(|s| s["id"] == id).unwrap();
    let text = seed["text"]
        .as_str()
        .unwrap()
        .replace("said", "told reporters")
        .replace('\'', "\u{2019}");
    serde_json::json!({
        "id": new_id,
        "title": "Syria talks: Kerry and Lavrov meet in Hamburg",
        "source": "Example Wire",
        "text": format!("{text}\nShare this article\nRead more: world news"),
    })
}

const STORY: &str = "The city council voted on Tuesday to close the old harbour bridge for repairs.\nEngineers found cracks in two of the main supports last month, the mayor said.\nThe bridge will reopen in the spring if the work stays on schedule and within budget.\nTraffic will be diverted through the tunnel, which will add about ten minutes to most journeys.";

fn write_jsonl(path: &Path, records: &[Value]) {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    fs::write(path, text).unwrap();
}

/// A fresh index holding the five seeds.
fn seeded_index(dir: &Path) -> PathBuf {
    let db = dir.join("published.db");
    bin().args(["index", "create"]).arg(&db).assert().success();
    bin()
        .args(["index", "add"])
        .arg(&db)
        .arg(testdata("seeds.jsonl"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "read 5 records: 5 added, 0 unchanged, 0 replaced, 0 rejected",
        ));
    db
}

fn held_count(db: &Path) -> u64 {
    let out = bin()
        .args(["index", "stats", "--json"])
        .arg(db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    stats["articles"].as_u64().unwrap()
}

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
fn other_settings_and_other_format_versions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_index(dir.path());
    bin()
        .arg("check")
        .arg(&db)
        .arg(testdata("seeds.jsonl"))
        .args(["--num-perm", "64", "--threshold", "0.5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "was made with num_perm=128, not num_perm=64",
        ));

    // A file of a future format version.
    let future = dir.path().join("future.db");
    {
        let db = redb::Database::create(&future).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut meta = txn
                .open_table(redb::TableDefinition::<&str, &[u8]>::new("meta"))
                .unwrap();
            meta.insert("format", b"newsdedup-index".as_slice())
                .unwrap();
            meta.insert("version", 99u32.to_le_bytes().as_slice())
                .unwrap();
        }
        txn.commit().unwrap();
    }
    bin()
        .args(["index", "stats"])
        .arg(&future)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("format version 99"));

    // A redb file that is not ours.
    let foreign = dir.path().join("foreign.db");
    drop(redb::Database::create(&foreign).unwrap());
    bin()
        .args(["index", "add"])
        .arg(&foreign)
        .arg(testdata("seeds.jsonl"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("without newsdedup's tables"));

    // Creating over an existing file.
    bin()
        .args(["index", "create"])
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
}

/// Exit 2 with an error naming the file, never a panic.
fn assert_clean_failure(db: &Path) {
    for cmd in [vec!["index", "stats"], vec!["check"], vec!["index", "add"]] {
        let mut c = bin();
        c.args(&cmd).arg(db);
        if cmd != ["index", "stats"] {
            c.arg(testdata("seeds.jsonl"));
        }
        let out = c.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd:?} on {db:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            stderr.contains(&*db.file_name().unwrap().to_string_lossy()),
            "{stderr}"
        );
    }
}

#[test]
fn missing_empty_garbage_truncated_and_damaged_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = seeded_index(dir.path());
    let bytes = fs::read(&good).unwrap();

    let missing = dir.path().join("missing.db");
    assert_clean_failure(&missing);
    let empty = dir.path().join("empty.db");
    fs::write(&empty, b"").unwrap();
    assert_clean_failure(&empty);
    let garbage = dir.path().join("garbage.db");
    fs::write(
        &garbage,
        b"this is not a database, just some text\n".repeat(200),
    )
    .unwrap();
    assert_clean_failure(&garbage);
    let folder = dir.path().join("folder.db");
    fs::create_dir(&folder).unwrap();
    assert_clean_failure(&folder);
    for (i, cut) in [20, 4096, bytes.len() / 3, bytes.len() / 2]
        .into_iter()
        .enumerate()
    {
        let truncated = dir.path().join(format!("truncated{i}.db"));
        fs::write(&truncated, &bytes[..cut]).unwrap();
        assert_clean_failure(&truncated);
    }
    // Flipped bytes all over the file: an error or a correct answer, never a panic.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for round in 0..12 {
        let mut damaged = bytes.clone();
        for _ in 0..(1 + round * 4) {
            state = newsdedup::sketch::minhash::mix64(state.wrapping_add(round));
            let at = 16 + (state as usize) % (damaged.len() - 16);
            damaged[at] ^= 0x5A;
        }
        let path = dir.path().join(format!("damaged{round}.db"));
        fs::write(&path, &damaged).unwrap();
        let out = bin()
            .arg("check")
            .arg(&path)
            .arg(testdata("seeds.jsonl"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "round {round}: {stderr}");
        assert!(matches!(out.status.code(), Some(0..=2)), "{stderr}");
    }
}

#[test]
fn an_index_cannot_be_created_in_a_read_only_directory() {
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    fs::create_dir(&ro).unwrap();
    let mut perms = fs::metadata(&ro).unwrap().permissions();
    perms.set_readonly(true);
    fs::set_permissions(&ro, perms).unwrap();
    // Root ignores directory permissions; /sys refuses new files even to root.
    let target = if fs::write(ro.join("probe"), b"x").is_ok() {
        PathBuf::from("/sys/newsdedup-test.db")
    } else {
        ro.join("published.db")
    };
    bin()
        .args(["index", "create"])
        .arg(&target)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot create index"))
        .stderr(predicate::str::contains("panicked").not());
    let mut perms = fs::metadata(&ro).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(&ro, perms).unwrap();
}

#[test]
fn a_second_writer_is_refused_or_waits_and_readers_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_index(dir.path());
    let batch = dir.path().join("batch.jsonl");
    write_jsonl(&batch, &[serde_json::json!({"id": "fresh", "text": STORY})]);

    let writer = Index::open(&db, Access::Write { wait: None }).unwrap();
    bin()
        .args(["index", "add"])
        .arg(&db)
        .arg(&batch)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is locked by another writer"));
    // A read-only check runs while the writer holds the file.
    bin()
        .arg("check")
        .arg(&db)
        .arg(testdata("seeds.jsonl"))
        .assert()
        .success();
    // With --wait the second writer waits for the first to finish.
    let waiting = std::process::Command::new(env!("CARGO_BIN_EXE_newsdedup"))
        .args(["index", "add", "--wait", "60"])
        .arg(&db)
        .arg(&batch)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    drop(writer);
    let out = waiting.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(held_count(&db), 6);
}

#[test]
fn killing_index_add_leaves_none_or_all_of_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_index(dir.path());
    let batch = dir.path().join("big.jsonl");
    bin()
        .args(["generate", "--tier", "mixed", "--scale", "3000", "--from"])
        .arg(testdata("ecbplus/docs.jsonl"))
        .arg("-o")
        .arg(&batch)
        .assert()
        .success();
    let batch_len = fs::read_to_string(&batch).unwrap().lines().count() as u64;

    // How long an uninterrupted add takes, on a copy.
    let probe = dir.path().join("probe.db");
    fs::copy(&db, &probe).unwrap();
    let start = Instant::now();
    bin()
        .args(["index", "add"])
        .arg(&probe)
        .arg(&batch)
        .assert()
        .success();
    let full = start.elapsed();
    assert_eq!(held_count(&probe), 5 + batch_len);

    // Kill at points in the second half of the run, where the transaction
    // is written (the file grows) and committed. Each attempt starts from a
    // fresh copy of the five-article index.
    let mut killed_mid_write = 0;
    for (i, fraction) in [0.55, 0.7, 0.8, 0.9, 0.97].into_iter().enumerate() {
        let attempt = dir.path().join(format!("attempt{i}.db"));
        fs::copy(&db, &attempt).unwrap();
        let size_before = fs::metadata(&attempt).unwrap().len();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_newsdedup"))
            .args(["index", "add"])
            .arg(&attempt)
            .arg(&batch)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(fraction));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let grew = fs::metadata(&attempt).unwrap().len() > size_before;
        let after = held_count(&attempt);
        assert!(
            after == 5 || after == 5 + batch_len,
            "killed at {fraction} of a run: {after} articles held"
        );
        if grew && after == 5 {
            killed_mid_write += 1;
        }
        // The index still answers checks.
        bin()
            .arg("check")
            .arg(&attempt)
            .arg(testdata("seeds.jsonl"))
            .assert()
            .success();
    }
    assert!(
        killed_mid_write > 0,
        "no kill landed while the transaction was being written"
    );
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

/// SplitMix64: the flip positions of the damage tests, fixed by a seed.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A small index (40 ECB+ originals and the five seeds) and a batch to
/// check against it: gentle and heavy copies of ten held originals, four
/// articles it does not hold (some on held events), one it holds, and
/// `testdata/incoming.jsonl` (a copy of a seed, a copy within the batch, a
/// bad record).
fn damage_fixture(dir: &Path) -> (PathBuf, PathBuf) {
    let slice = dir.join("slice.jsonl");
    let docs = fs::read_to_string(testdata("ecbplus/docs.jsonl")).unwrap();
    let head: String = docs.lines().take(56).map(|l| format!("{l}\n")).collect();
    fs::write(&slice, head).unwrap();
    let generated = dir.join("generated.jsonl");
    bin()
        .args(["generate", "--tier", "mixed", "--from"])
        .arg(&slice)
        .arg("-o")
        .arg(&generated)
        .assert()
        .success();
    let rows = read_jsonl(&generated);
    let originals: Vec<&Value> = rows.iter().filter(|r| r["variant"] == "original").collect();
    let held_groups: Vec<&Value> = originals[..10].iter().map(|r| &r["dup_group"]).collect();
    let mut held: Vec<Value> = originals[..40].iter().map(|&r| r.clone()).collect();
    held.extend(read_jsonl(&testdata("seeds.jsonl")));
    let held_path = dir.join("held.jsonl");
    write_jsonl(&held_path, &held);
    let mut batch: Vec<Value> = rows
        .iter()
        .filter(|r| r["variant"] != "original" && held_groups.contains(&&r["dup_group"]))
        .cloned()
        .collect();
    batch.extend(originals[40..44].iter().map(|&r| r.clone()));
    batch.push(originals[3].clone());
    let incoming = dir.join("incoming.jsonl");
    let mut text: String = batch.iter().map(|r| format!("{r}\n")).collect();
    text.push_str(&fs::read_to_string(testdata("incoming.jsonl")).unwrap());
    fs::write(&incoming, text).unwrap();
    let db = dir.join("held.db");
    bin().args(["index", "create"]).arg(&db).assert().success();
    bin()
        .args(["index", "add"])
        .arg(&db)
        .arg(&held_path)
        .assert()
        .success();
    (db, incoming)
}

/// `check --level event --format json` (every verdict, similarity and
/// event match): exit code, stdout, stderr.
fn check_all(db: &Path, input: &Path) -> (Option<i32>, Vec<u8>, String) {
    let out = bin()
        .arg("check")
        .arg(db)
        .arg(input)
        .args(["--level", "event", "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), out.stdout, stderr)
}

/// Also: whatever `check` refuses, `index verify` reports.
#[test]
fn a_flipped_byte_anywhere_gives_the_same_answer_or_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (db, incoming) = damage_fixture(dir.path());
    let bytes = fs::read(&db).unwrap();
    // The report names the index, so every run uses the same path.
    let work = dir.path().join("work.db");
    fs::write(&work, &bytes).unwrap();
    let (code, stdout, stderr) = check_all(&work, &incoming);
    assert_eq!(code, Some(1), "{stderr}");
    let report: Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(report["summary"]["copies_of_held"], 21, "{report:#}");
    assert_eq!(report["summary"]["already_held"], 1, "{report:#}");

    let mut rng = SplitMix(0x5EED_F11F);
    let (mut same, mut refused, mut changed) = (0, 0, Vec::new());
    for _ in 0..240 {
        let at = (rng.next() % bytes.len() as u64) as usize;
        let xor = (rng.next() % 255 + 1) as u8;
        let mut damaged = bytes.clone();
        damaged[at] ^= xor;
        fs::write(&work, &damaged).unwrap();
        let (c, out, err) = check_all(&work, &incoming);
        assert!(!err.contains("panicked"), "byte {at} ^ {xor:#x}: {err}");
        if c == code && out == stdout {
            same += 1;
        } else if c == Some(2) {
            assert!(err.contains("work.db"), "byte {at} ^ {xor:#x}: {err}");
            // One line, and none of redb's internal panic text.
            assert_eq!(err.lines().count(), 1, "byte {at} ^ {xor:#x}: {err}");
            for internal in ["unreachable", "slice index", "overflow", "unwrap"] {
                assert!(!err.contains(internal), "byte {at} ^ {xor:#x}: {err}");
            }
            // What `check` refuses, `index verify` reports (on the same bytes).
            fs::write(&work, &damaged).unwrap();
            let verify = bin().args(["index", "verify"]).arg(&work).output().unwrap();
            assert_eq!(verify.status.code(), Some(2), "byte {at} ^ {xor:#x}: {err}");
            refused += 1;
        } else {
            changed.push(format!("byte {at} ^ {xor:#x}: exit {c:?}"));
        }
    }
    assert!(
        changed.is_empty(),
        "answers changed silently ({same} same, {refused} refused, {} changed of {} bytes): {changed:#?}",
        changed.len(),
        bytes.len()
    );
}

/// The stored record of a held article, read with redb directly.
fn stored_record(db: &Path, id: &str) -> (u64, Vec<u8>) {
    let database = redb::Database::open(db).unwrap();
    let txn = database.begin_read().unwrap();
    let ids = txn
        .open_table(redb::TableDefinition::<&str, u64>::new("ids"))
        .unwrap();
    let doc = ids.get(id).unwrap().unwrap().value();
    let docs = txn
        .open_table(redb::TableDefinition::<u64, &[u8]>::new("docs"))
        .unwrap();
    let record = docs.get(doc).unwrap().unwrap().value().to_vec();
    (doc, record)
}

/// Changes `from` to `to` inside every copy of `record` in the file (old
/// copies may linger in free pages); returns how many there were.
fn rewrite_inside(db: &Path, record: &[u8], from: &[u8], to: &[u8]) -> usize {
    let at = record.windows(from.len()).position(|w| w == from).unwrap();
    let mut bytes = fs::read(db).unwrap();
    let mut copies = 0;
    let mut start = 0;
    while let Some(p) = bytes[start..]
        .windows(record.len())
        .position(|w| w == record)
    {
        let p = start + p;
        bytes[p + at..p + at + to.len()].copy_from_slice(to);
        copies += 1;
        start = p + record.len();
    }
    fs::write(db, bytes).unwrap();
    copies
}

#[test]
fn index_verify_passes_an_intact_file_and_names_a_damaged_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_index(dir.path());
    bin()
        .args(["index", "verify"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"^ok: 5 articles, \d+ entries checked\n$").unwrap());

    // One letter of a held title changes ("breakthrough" → "breakthraugh").
    let (doc, record) = stored_record(&db, HAMBURG);
    assert_eq!(
        rewrite_inside(&db, &record, b"breakthrough", b"breakthraugh"),
        1
    );
    let named = format!("document {doc} (id \"{HAMBURG}\")");
    bin()
        .args(["index", "verify"])
        .arg(&db)
        .assert()
        .code(2)
        .stdout(format!(
            "damaged {named}: its checksum does not match its bytes\n"
        ))
        .stderr(predicate::str::contains(
            "published.db is damaged: 1 damaged records",
        ));
    // `check` of a copy of it: an error naming the record, not the changed title.
    let copy = dir.path().join("copy.jsonl");
    write_jsonl(&copy, &[copy_of_seed(HAMBURG, "wire-1")]);
    let out = bin().arg("check").arg(&db).arg(&copy).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("published.db is damaged"), "{stderr}");
    assert!(stderr.contains(&named), "{stderr}");
    assert!(out.stdout.is_empty());
    // `index add` of the same article does not build on it either.
    bin()
        .args(["index", "add"])
        .arg(&db)
        .arg(testdata("seeds.jsonl"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(&named));
}

#[test]
fn damaged_settings_are_refused_by_stats_add_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_index(dir.path());
    let settings = {
        let database = redb::Database::open(&db).unwrap();
        let txn = database.begin_read().unwrap();
        let meta = txn
            .open_table(redb::TableDefinition::<&str, &[u8]>::new("meta"))
            .unwrap();
        let value = meta.get("settings").unwrap().unwrap().value().to_vec();
        value
    };
    // A threshold of 0.5 read as 0.9 would change every answer.
    assert!(rewrite_inside(&db, &settings, b"\"threshold\":0.5", b"\"threshold\":0.9") >= 1);
    for cmd in [vec!["index", "stats"], vec!["index", "add"], vec!["check"]] {
        let mut c = bin();
        c.args(&cmd).arg(&db);
        if cmd != ["index", "stats"] {
            c.arg(testdata("seeds.jsonl"));
        }
        c.assert().code(2).stderr(predicate::str::contains(
            "published.db is damaged: settings: their checksum does not match",
        ));
    }
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
                let in_cluster = f64::from(events.vectors[x].dot(&events.vectors[y]));
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
