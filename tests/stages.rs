//! The `stage` subcommands run by a tiny engine in the test (what the
//! Spark job does with shuffles, done here with maps) give the same cleaned
//! corpus and removal report as `dedup --shardable`, byte for byte.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use common::{bin, read_jsonl, testdata};
use serde_json::{json, Value};

/// Runs a stage with `stdin`, returns its stdout.
fn stage<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[S], stdin: &str) -> String {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_newsdedup"));
    cmd.args(["--threads", "2", "stage"]).args(args);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "stage {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Line-aligned byte ranges of about `size` bytes.
fn shards(bytes: &[u8], size: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let mut end = (start + size).min(bytes.len());
        while end < bytes.len() && bytes[end - 1] != b'\n' {
            end += 1;
        }
        out.push((start, end));
        start = end;
    }
    out
}

fn pairs_of(members: &[i64], first: usize, out: &mut BTreeSet<(i64, i64)>) {
    for (i, &a) in members.iter().enumerate().take(first) {
        for &b in &members[i + 1..] {
            out.insert((a, b));
        }
    }
}

#[test]
fn stages_give_the_same_output_as_dedup_shardable() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let corpus = d.join("gentle.jsonl");
    bin()
        .args(["generate", "--tier", "gentle", "--from"])
        .arg(testdata("ecbplus/docs.jsonl"))
        .arg("-o")
        .arg(&corpus)
        .assert()
        .success();
    // Ids repeated in a later shard, and a bad line.
    let mut text = std::fs::read(&corpus).unwrap();
    text.extend_from_slice(b"{\"id\": broken\n");
    text.extend_from_slice(&std::fs::read(&corpus).unwrap()[..20_000]);
    let cut = text.iter().rposition(|&b| b == b'\n').unwrap() + 1;
    std::fs::write(&corpus, &text[..cut]).unwrap();
    bin()
        .args(["dedup", "--shardable"])
        .arg(&corpus)
        .arg("-o")
        .arg(d.join("want.jsonl"))
        .arg("--report")
        .arg(d.join("want-removed.jsonl"))
        .assert()
        .success();

    let text = std::fs::read(&corpus).unwrap();
    let work = d.join("work");
    std::fs::create_dir(&work).unwrap();
    let (path, work_s) = (corpus.to_str().unwrap(), work.to_str().unwrap());
    let ranges = shards(&text, 1_500_000);
    assert!(ranges.len() >= 3);
    let shard_args = |i: usize, first_line: u64| {
        let (s, e) = ranges[i];
        vec![
            "--path".to_string(),
            path.to_string(),
            "--shard".to_string(),
            i.to_string(),
            "--start".to_string(),
            s.to_string(),
            "--end".to_string(),
            e.to_string(),
            "--first-line".to_string(),
            first_line.to_string(),
        ]
    };
    let run = |v: Vec<String>, stdin: &str| stage(&v, stdin);
    let mut first_lines = Vec::new();
    let mut sketches = Vec::new();
    let mut lines = 0u64;
    for i in 0..ranges.len() {
        first_lines.push(lines);
        let out = work.join(format!("sketch-{i}.bin"));
        let mut args = vec!["sketch".to_string()];
        args.extend(shard_args(i, lines));
        args.extend(["--corpus-bytes".into(), text.len().to_string()]);
        args.extend(["-o".into(), out.to_str().unwrap().to_string()]);
        let v: Value = serde_json::from_str(&run(args, "")).unwrap();
        lines += v["lines"].as_u64().unwrap();
        sketches.push(out.to_str().unwrap().to_string());
    }
    let merged = work.join("sketch.bin");
    let mut args = vec!["merge-sketches".to_string(), "-o".into()];
    args.push(merged.to_str().unwrap().into());
    args.extend(sketches);
    run(args, "");
    for (i, &first) in first_lines.iter().enumerate() {
        let mut args = vec!["sign".to_string()];
        args.extend(shard_args(i, first));
        args.extend(["--work".into(), work_s.into(), "--sketch".into()]);
        args.push(merged.to_str().unwrap().into());
        run(args, "");
    }
    let read_all = |what: &str| -> Vec<Value> {
        (0..ranges.len())
            .flat_map(|i| read_jsonl(&work.join(format!("{what}-{i:05}.jsonl"))))
            .collect()
    };
    // The engine: duplicate ids, candidates, edges, components, placement.
    let mut rows = read_all("rows");
    let mut report: BTreeMap<i64, String> = BTreeMap::new();
    for r in read_all("rejected") {
        report.insert(
            r["gid"].as_i64().unwrap(),
            r["report"].as_str().unwrap().into(),
        );
    }
    let mut first_of: HashMap<String, Value> = HashMap::new();
    let mut dups = String::new();
    rows.retain(|r| {
        let id = r["id"].as_str().unwrap().to_string();
        match first_of.get(&id) {
            Some(f) => {
                let line = json!({"gid": r["gid"], "id": id, "file": r["file"], "line": r["line"],
                                  "first_file": f["file"], "first_line": f["line"]});
                dups.push_str(&format!("{line}\n"));
                false
            }
            None => {
                first_of.insert(id, r.clone());
                true
            }
        }
    });
    assert!(!dups.is_empty());
    for l in stage(&["reject-ids"], &dups).lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        report.insert(
            v["gid"].as_i64().unwrap(),
            v["report"].as_str().unwrap().into(),
        );
    }
    let kept: BTreeSet<i64> = rows.iter().map(|r| r["gid"].as_i64().unwrap()).collect();
    let mut buckets: BTreeMap<(usize, i64, bool), Vec<i64>> = BTreeMap::new();
    for k in read_all("keys") {
        let gid = k["gid"].as_i64().unwrap();
        if !kept.contains(&gid) {
            continue;
        }
        for (part, rare) in [("bands", false), ("slots", true)] {
            for (i, key) in k[part].as_array().unwrap().iter().enumerate() {
                buckets
                    .entry((i, key.as_i64().unwrap(), rare))
                    .or_default()
                    .push(gid);
            }
        }
    }
    let mut candidates = BTreeSet::new();
    for ((_, _, rare), mut m) in buckets {
        m.sort_unstable();
        match (rare, m.len()) {
            (_, 0..=1) => {}
            (false, _) => pairs_of(&m, 64, &mut candidates),
            (true, 2..=16) => pairs_of(&m, usize::MAX, &mut candidates),
            (true, _) => {}
        }
    }
    let pairs: String = candidates
        .iter()
        .map(|(a, b)| format!("{a} {b}\n"))
        .collect();
    let mut edges = stage(&["verify", "--work", work_s], &pairs);
    let mut by_hash: BTreeMap<i64, i64> = BTreeMap::new();
    for r in &rows {
        let (h, g) = (r["hash"].as_i64().unwrap(), r["gid"].as_i64().unwrap());
        match by_hash.get(&h) {
            Some(&f) => edges.push_str(&format!("{f} {g}\n")),
            None => {
                by_hash.insert(h, g);
            }
        }
    }
    let comp: HashMap<i64, i64> = stage(&["components"], &edges)
        .lines()
        .map(|l| {
            let (g, c) = l.split_once(' ').unwrap();
            (g.parse().unwrap(), c.parse().unwrap())
        })
        .collect();
    let mut members: Vec<(i64, i64, String)> = rows
        .iter()
        .filter_map(|r| {
            let g = r["gid"].as_i64().unwrap();
            let c = *comp.get(&g)?;
            let mut v = r.clone();
            v["comp"] = json!(c);
            Some((c, g, v.to_string()))
        })
        .collect();
    members.sort();
    let input: String = members.iter().map(|(_, _, l)| format!("{l}\n")).collect();
    for l in stage(&["place", "--work", work_s], &input).lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        report.insert(
            v["gid"].as_i64().unwrap(),
            v["report"].as_str().unwrap().into(),
        );
    }
    let mut cleaned = Vec::new();
    for (i, &first) in first_lines.iter().enumerate() {
        let dropped: String = report
            .keys()
            .filter(|&&g| g >> 32 == i as i64)
            .map(|g| format!("{}\n", g & 0xFFFF_FFFF))
            .collect();
        let out = work.join(format!("cleaned-{i}.jsonl"));
        let mut args = vec!["apply".to_string()];
        args.extend(shard_args(i, first));
        args.extend(["-o".into(), out.to_str().unwrap().into()]);
        run(args, &dropped);
        cleaned.extend(std::fs::read(&out).unwrap());
    }
    let removed: String = report.values().map(|l| format!("{l}\n")).collect();
    let read = |p: &Path| std::fs::read(p).unwrap();
    assert!(
        cleaned == read(&d.join("want.jsonl")),
        "cleaned corpus differs"
    );
    assert!(
        removed.as_bytes() == read(&d.join("want-removed.jsonl")),
        "removal report differs"
    );
}
