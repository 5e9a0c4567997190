//! End-to-end tests of the persistent index under trouble: refused
//! settings and format versions, missing, empty, garbage, truncated and
//! damaged files, read-only directories, a second writer, SIGKILL in the
//! middle of `index add`, and `index verify`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use newsdedup::index::{Access, Index};
use predicates::prelude::*;
use redb::ReadableDatabase;
use serde_json::Value;

mod common;
mod index_support;
use common::{bin, read_jsonl, testdata};
use index_support::*;

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
