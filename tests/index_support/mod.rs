//! Helpers of the index tests (`tests/index.rs`, `tests/index_damage.rs`):
//! a seeded index, a copy of a seed, a story, counts.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{bin, read_jsonl, testdata};

pub const HAMBURG: &str = "002_a4d316c33a6c514d";

/// A lightly edited, re-branded copy of a seed article.
pub fn copy_of_seed(id: &str, new_id: &str) -> Value {
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

pub const STORY: &str = "The city council voted on Tuesday to close the old harbour bridge for repairs.\nEngineers found cracks in two of the main supports last month, the mayor said.\nThe bridge will reopen in the spring if the work stays on schedule and within budget.\nTraffic will be diverted through the tunnel, which will add about ten minutes to most journeys.";

pub fn write_jsonl(path: &Path, records: &[Value]) {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    fs::write(path, text).unwrap();
}

/// A fresh index holding the five seeds.
pub fn seeded_index(dir: &Path) -> PathBuf {
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

pub fn held_count(db: &Path) -> u64 {
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

/// `check --level event --format json` (every verdict, similarity and
/// event match): exit code, stdout, stderr.
pub fn check_all(db: &Path, input: &Path) -> (Option<i32>, Vec<u8>, String) {
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
