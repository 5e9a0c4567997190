//! Issue 14: no output overwrites an input, failed runs leave files as they
//! were, every file met is accounted for, and flags and errors are clear.
//! Each test here failed before the fix it pins.

use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::{bin, read_jsonl, testdata};

/// A working directory holding a copy of the seed corpus (5 articles).
fn workdir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("w.jsonl");
    fs::copy(testdata("seeds.jsonl"), &feed).unwrap();
    (dir, feed)
}

fn seeds_bytes() -> Vec<u8> {
    fs::read(testdata("seeds.jsonl")).unwrap()
}

/// Runs the binary in `cwd`; it must succeed.
fn run_in(cwd: &Path, args: &[&str]) {
    bin().current_dir(cwd).args(args).assert().success();
}

/// The one line a refused run prints, and that it changed nothing.
fn assert_refused(args: &[&str], cwd: &Path, needle: &str) {
    let out = bin().current_dir(cwd).args(args).assert().code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("newsdedup: error: "), "{stderr}");
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
}

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_kept() {
    let (dir, feed) = workdir();
    let d = dir.path();
    std::os::unix::fs::symlink("w.jsonl", d.join("link.jsonl")).unwrap();
    fs::hard_link(&feed, d.join("hard.jsonl")).unwrap();
    fs::create_dir(d.join("sub")).unwrap();
    let cases: &[&[&str]] = &[
        &["dedup", "w.jsonl", "-o", "w.jsonl"],
        &["dedup", "w.jsonl", "-o", "link.jsonl"],
        &["dedup", "w.jsonl", "-o", "hard.jsonl"],
        &["dedup", "w.jsonl", "-o", "sub/../w.jsonl"],
        &["dedup", "w.jsonl", "-o", "x.jsonl", "--report", "w.jsonl"],
        &["dedup", "w.jsonl", "--rejected", "w.jsonl"],
        &["dedup", "w.jsonl", "--report-boilerplate", "link.jsonl"],
        &["dedup", "w.jsonl", "--events", "w.jsonl"],
        &["dedup", ".", "-o", "hard.jsonl"],
        &["cluster", "w.jsonl", "-o", "w.jsonl"],
        &["cluster", "w.jsonl", "--summary", "w.jsonl"],
        &["merge", "w.jsonl", "-o", "w.jsonl"],
        &["generate", "--from", "w.jsonl", "-o", "w.jsonl"],
        &["merge-eval", "--from", "w.jsonl", "--errors", "link.jsonl"],
    ];
    for args in cases {
        assert_refused(args, d, "it would be overwritten");
        assert_eq!(fs::read(&feed).unwrap(), seeds_bytes(), "{args:?}");
    }
    assert!(
        !d.join("x.jsonl").exists(),
        "nothing written before refusing"
    );
}

#[test]
fn two_outputs_on_one_file_are_refused() {
    let (dir, _) = workdir();
    assert_refused(
        &["dedup", "w.jsonl", "-o", "x.jsonl", "--report", "./x.jsonl"],
        dir.path(),
        "--report ./x.jsonl is the output of -o x.jsonl",
    );
    assert!(!dir.path().join("x.jsonl").exists());
}

#[test]
fn the_index_is_neither_an_output_nor_an_input() {
    let (dir, _) = workdir();
    let d = dir.path();
    run_in(d, &["index", "create", "o.db"]);
    run_in(d, &["index", "add", "o.db", "w.jsonl"]);
    let before = fs::read(d.join("o.db")).unwrap();
    assert_refused(
        &["check", "o.db", "w.jsonl", "-o", "o.db"],
        d,
        "-o o.db is the index o.db",
    );
    assert_refused(
        &["index", "add", "o.db", "o.db"],
        d,
        "an index is not an input",
    );
    assert_refused(
        &["check", "o.db", "w.jsonl", "--add", "-o", "w.jsonl"],
        d,
        "it would be overwritten",
    );
    assert_eq!(fs::read(d.join("o.db")).unwrap(), before);
    bin()
        .current_dir(d)
        .args(["index", "stats", "o.db"])
        .assert()
        .success()
        .stdout(predicate::str::contains("articles        5"));
}

#[test]
fn a_failed_run_leaves_the_previous_output_as_it_was() {
    let (dir, feed) = workdir();
    let d = dir.path();
    fs::write(d.join("out.jsonl"), "earlier output\n").unwrap();
    let mut bad = seeds_bytes();
    bad.extend_from_slice(b"{broken\n");
    fs::write(&feed, bad).unwrap();
    bin()
        .current_dir(d)
        .args(["dedup", "w.jsonl", "--on-error", "fail", "-o", "out.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("w.jsonl:6: malformed JSON"));
    assert_eq!(
        fs::read_to_string(d.join("out.jsonl")).unwrap(),
        "earlier output\n"
    );
    let names: Vec<String> = fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.ends_with(".partial")),
        "no temporary file left: {names:?}"
    );
}

#[test]
fn an_output_through_a_symlink_replaces_the_target_not_the_link() {
    let (dir, _) = workdir();
    let d = dir.path();
    fs::create_dir(d.join("out")).unwrap();
    fs::write(d.join("out/clean.jsonl"), "old\n").unwrap();
    std::os::unix::fs::symlink("out/clean.jsonl", d.join("latest.jsonl")).unwrap();
    bin()
        .current_dir(d)
        .args(["dedup", "w.jsonl", "-o", "latest.jsonl"])
        .assert()
        .success();
    assert!(fs::symlink_metadata(d.join("latest.jsonl"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read(d.join("out/clean.jsonl")).unwrap(), seeds_bytes());
}

#[test]
fn folders_are_walked_and_every_file_met_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("corpus");
    fs::create_dir_all(d.join("2024-01")).unwrap();
    fs::create_dir_all(d.join("2024-02")).unwrap();
    let seeds: Vec<PathBuf> = {
        let mut v: Vec<PathBuf> = fs::read_dir(testdata("seeds"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    };
    for (i, seed) in seeds.iter().enumerate() {
        let month = if i < 2 { "2024-01" } else { "2024-02" };
        fs::copy(seed, d.join(month).join(seed.file_name().unwrap())).unwrap();
    }
    let extra =
        r#"{"id":"extra","text":"A short note that is no copy of anything else in this corpus."}"#;
    fs::write(d.join("feed.jsonl"), format!("{extra}\n")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(
        &mut gz,
        br#"{"id":"zipped","text":"Another short note, read through gzip from a compressed feed."}"#,
    )
    .unwrap();
    fs::write(d.join("2024-02/more.jsonl.gz"), gz.finish().unwrap()).unwrap();
    fs::write(d.join("notes.md"), "not an article\n").unwrap();
    std::os::unix::fs::symlink("nowhere.txt", d.join("broken.txt")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.txt")).unwrap();
    std::os::unix::fs::symlink("..", d.join("2024-01/loop")).unwrap();
    let report = dir.path().join("report.jsonl");
    bin()
        .args(["dedup", "-o", "/dev/null", "--report"])
        .arg(&report)
        .arg(&d)
        .assert()
        .success()
        .stderr(
            predicate::str::contains("4 files in the input directories are not read")
                .and(predicate::str::contains("read 11 records: kept 7")),
        );
    let rows = read_jsonl(&report);
    let reason_of = |suffix: &str| -> String {
        rows.iter()
            .find(|r| r["file"].as_str().unwrap().ends_with(suffix))
            .map(|r| r["reason"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("{suffix} not in the report: {rows:?}"))
    };
    assert_eq!(reason_of("notes.md"), "unsupported_file");
    assert_eq!(reason_of("zero.txt"), "unsupported_file");
    assert_eq!(reason_of("broken.txt"), "unreadable_file");
    assert_eq!(reason_of("2024-01/loop"), "unreadable_file");
    assert_eq!(rows.len(), 4, "only the files not read are in the report");
}

#[test]
fn pipes_and_dev_stdin_are_read_as_streams() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("feed.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::write(fifo, seeds_bytes()).unwrap())
    };
    let out = dir.path().join("out.jsonl");
    bin()
        .arg("dedup")
        .arg(&fifo)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("read 5 records"));
    writer.join().unwrap();
    assert_eq!(fs::read(&out).unwrap(), seeds_bytes());
    bin()
        .args(["dedup", "/dev/stdin"])
        .write_stdin(seeds_bytes())
        .assert()
        .success()
        .stderr(predicate::str::contains("read 5 records"));
    bin()
        .args(["dedup", "/dev/zero"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("input /dev/zero is not a file"));
}

#[test]
fn flags_are_checked_before_anything_is_read_or_written() {
    let (dir, _) = workdir();
    let d = dir.path();
    for (flag, value, needle) in [
        ("--event-threshold", "NaN", "not a finite number"),
        ("--event-threshold", "7", "threshold"),
        ("--neighbours", "0", "neighbours"),
        ("--threshold", "-0.1", "invalid threshold: -0.1"),
        ("--containment", "inf", "not a finite number"),
        (
            "--unshared-middle",
            "0",
            "invalid unshared middle: 0 is not in (0, 1]",
        ),
        ("--unshared-middle", "1.5", "invalid unshared middle: 1.5"),
    ] {
        assert_refused(
            &[
                "dedup",
                "w.jsonl",
                "-o",
                "out.jsonl",
                "--report",
                "r.jsonl",
                "--events",
                "e.jsonl",
                flag,
                value,
            ],
            d,
            needle,
        );
        for f in ["out.jsonl", "r.jsonl", "e.jsonl"] {
            assert!(!d.join(f).exists(), "{flag} {value}: {f} written");
        }
    }
    assert_refused(
        &["check", "none.db", "w.jsonl", "--event-threshold", "NaN"],
        d,
        "not a finite number",
    );
    assert_refused(
        &[
            "check",
            "none.db",
            "w.jsonl",
            "--level",
            "event",
            "--event-threshold",
            "7",
        ],
        d,
        "invalid event threshold: 7",
    );
    assert_refused(&["dedup", "w.jsonl", "--max-bytes", "0"], d, "--max-bytes");
    assert_refused(
        &["merge", "w.jsonl", "--align-threshold", "-2", "-o", "m.md"],
        d,
        "align",
    );
    assert!(!d.join("m.md").exists());
}

#[test]
fn threads_are_capped() {
    let (dir, _) = workdir();
    assert_refused(
        &["--threads", "100000", "dedup", "w.jsonl"],
        dir.path(),
        "--threads 100000: give 1 to",
    );
    assert_refused(
        &["--threads", "0", "dedup", "w.jsonl"],
        dir.path(),
        "--threads 0",
    );
}

#[test]
fn a_byte_order_mark_starts_a_json_lines_file_and_crlf_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bom.jsonl");
    let crlf: Vec<u8> = String::from_utf8(seeds_bytes())
        .unwrap()
        .replace('\n', "\r\n")
        .into_bytes();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(&crlf);
    fs::write(&input, &bytes).unwrap();
    let out = dir.path().join("out.jsonl");
    bin()
        .arg("dedup")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "kept 5, removed 0 duplicates in 0 groups, rejected 0",
        ));
    assert_eq!(
        fs::read(&out).unwrap(),
        crlf,
        "records written exactly as read"
    );
}

#[test]
fn errors_are_one_line_without_usage_blocks() {
    let (dir, _) = workdir();
    assert_refused(
        &["dedup", "--bogus", "w.jsonl"],
        dir.path(),
        "unexpected argument '--bogus'",
    );
    assert_refused(
        &["check"],
        dir.path(),
        "required arguments were not provided",
    );
    assert_refused(
        &["dedup", "missing.jsonl"],
        dir.path(),
        "cannot open missing.jsonl: No such file",
    );
}

#[test]
fn a_report_that_fails_after_the_add_says_the_add_happened() {
    let (dir, _) = workdir();
    let d = dir.path();
    run_in(d, &["index", "create", "o.db"]);
    let out = bin()
        .current_dir(d)
        .args(["check", "o.db", "w.jsonl", "--add", "-o", "/dev/full"])
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(
            "its 5 new articles were added to o.db (committed), but its report was not written"
        ),
        "{stderr}"
    );
    let stats = bin()
        .current_dir(d)
        .args(["index", "stats", "o.db", "--json"])
        .output()
        .unwrap();
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["articles"], 5);
}

/// Starts `dedup` of ECB+ over an earlier output and sends it `signal`
/// while it writes (its temporary file holds bytes, or, as before the fix,
/// the output itself changed); returns the exit status and the directory.
fn interrupt_while_writing(
    signal: &str,
) -> (
    std::process::ExitStatus,
    tempfile::TempDir,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let side = tempfile::tempdir().unwrap();
    let out = d.join("out.jsonl");
    fs::write(&out, "earlier output\n").unwrap();
    // ECB+ twenty times over (ids made unique): the copies make a long
    // removal report, so the run is still writing when the signal comes.
    let ecb = fs::read_to_string(testdata("ecbplus/docs.jsonl")).unwrap();
    let mut input = String::new();
    for k in 0..20 {
        for line in ecb.lines() {
            let mut v: Value = serde_json::from_str(line).unwrap();
            v["id"] = Value::from(format!("{}-{k}", v["id"].as_str().unwrap()));
            input.push_str(&v.to_string());
            input.push('\n');
        }
    }
    let corpus = side.path().join("corpus.jsonl");
    fs::write(&corpus, input).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("newsdedup"))
        .arg("dedup")
        .arg(&corpus)
        .arg("-o")
        .arg(&out)
        .arg("--report")
        .arg(side.path().join("report.jsonl"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = || {
        let writing = fs::read_dir(d).unwrap().any(|e| {
            let e = e.unwrap();
            e.file_name().to_string_lossy().ends_with(".partial")
                && e.metadata().is_ok_and(|m| m.len() > 0)
        });
        writing || fs::read(&out).unwrap() != b"earlier output\n"
    };
    loop {
        if started() {
            let sent = std::process::Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status()
                .unwrap();
            assert!(sent.success());
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be interrupted"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    (child.wait().unwrap(), dir, side)
}

#[test]
fn a_killed_run_never_leaves_a_half_written_output() {
    let (status, dir, _side) = interrupt_while_writing("-KILL");
    assert!(!status.success());
    let out = fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    assert_eq!(out, "earlier output\n");
}

#[test]
fn an_interrupted_run_removes_its_temporary_files() {
    for signal in ["-TERM", "-INT"] {
        let (status, dir, side) = interrupt_while_writing(signal);
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["out.jsonl"], "{signal}: {status:?}");
        // The signal may come just after the output was moved into place.
        let out = fs::read(dir.path().join("out.jsonl")).unwrap();
        if out == b"earlier output\n" {
            assert_eq!(status.code(), Some(130), "{signal}");
        } else {
            let whole = side.path().join("whole.jsonl");
            bin()
                .arg("dedup")
                .arg(side.path().join("corpus.jsonl"))
                .arg("-o")
                .arg(&whole)
                .assert()
                .success();
            assert!(out == fs::read(whole).unwrap(), "{signal}: a whole output");
        }
    }
}

#[test]
fn a_damaged_gzip_file_is_read_up_to_the_damage_and_the_rest_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &fs::read(testdata("ecbplus/docs.jsonl")).unwrap()).unwrap();
    let mut bytes = gz.finish().unwrap();
    bytes.truncate(bytes.len() / 2);
    let feed = dir.path().join("feed.jsonl.gz");
    fs::write(&feed, bytes).unwrap();
    let out = dir.path().join("out.jsonl");
    let report = dir.path().join("report.jsonl");
    bin()
        .arg("dedup")
        .arg(&feed)
        .arg("-o")
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let rows = read_jsonl(&report);
    let last = rows.last().unwrap();
    assert_eq!(last["reason"], "unreadable_file");
    assert!(last["message"]
        .as_str()
        .unwrap()
        .contains("the rest of the file is not read"));
    let kept = fs::read_to_string(&out).unwrap().lines().count();
    assert_eq!(kept + rows.len(), last["line"].as_u64().unwrap() as usize);
}

#[test]
fn generators_refuse_repeated_ids() {
    let (dir, feed) = workdir();
    let mut bytes = seeds_bytes();
    bytes.extend_from_slice(
        &seeds_bytes()[..seeds_bytes().iter().position(|&b| b == b'\n').unwrap() + 1],
    );
    fs::write(&feed, bytes).unwrap();
    assert_refused(
        &["generate", "--from", "w.jsonl", "-o", "g.jsonl"],
        dir.path(),
        "w.jsonl:6: duplicate id",
    );
    assert!(!dir.path().join("g.jsonl").exists());
}

#[test]
fn bands_times_rows_that_overflow_are_refused() {
    let (dir, _) = workdir();
    let huge = (1u64 << 32).to_string();
    assert_refused(
        &["dedup", "w.jsonl", "--bands", &huge, "--rows", &huge],
        dir.path(),
        "do not fit in 128 slots",
    );
}

#[test]
fn a_closed_or_full_stdout_is_an_error_not_a_panic() {
    let (dir, _) = workdir();
    let full = fs::File::create("/dev/full").unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("newsdedup"))
        .current_dir(dir.path())
        .args(["dedup", "--explain-threshold"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("cannot write <stdout>: No space left"),
        "{stderr}"
    );
}

#[test]
fn junit_reports_are_well_formed_xml_whatever_the_ids() {
    let (dir, _) = workdir();
    let d = dir.path();
    run_in(d, &["index", "create", "o.db"]);
    let odd = serde_json::json!({"id": "c\u{1}\u{7}tl<&>\"", "text": "A council meeting about the harbour bridge and its repairs."});
    fs::write(d.join("odd.jsonl"), format!("{odd}\n{{broken\n")).unwrap();
    run_in(
        d,
        &[
            "check",
            "o.db",
            "odd.jsonl",
            "--format",
            "junit",
            "-o",
            "r.xml",
        ],
    );
    let xml = fs::read_to_string(d.join("r.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let names: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert_eq!(names, ["c\\u0001\\u0007tl<&>\"", "line 2"]);
}

#[test]
fn a_record_nested_too_deep_is_rejected_by_every_command() {
    // Found by probing: the quick read skipped the unused field, the full
    // read refused it, and clustering indexed a vector that was never made.
    let (dir, feed) = workdir();
    let deep = format!(
        "{{\"id\":\"deep\",\"text\":\"some normal words here\",\"x\":{}{}}}\n",
        "[".repeat(127),
        "]".repeat(127)
    );
    let mut bytes = deep.into_bytes();
    bytes.extend_from_slice(&seeds_bytes());
    fs::write(&feed, bytes).unwrap();
    for args in [
        &["dedup", "w.jsonl"][..],
        &["cluster", "w.jsonl"],
        &["merge", "w.jsonl", "-o", "m.md"],
        &["dedup", "w.jsonl", "--events", "e.jsonl"],
    ] {
        let out = bin().current_dir(dir.path()).args(args).assert().success();
        let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(
            stderr.contains("rejected 1") || stderr.contains("(1 rejected)"),
            "{args:?}: {stderr}"
        );
    }
}
