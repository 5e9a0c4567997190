//! Unit tests of the index file: damaged records and buckets.

use redb::ReadableDatabase;

use super::integrity::unchecked_payload;
use super::*;
use crate::progress::Silent;
use crate::InputSpec;

const HAMBURG: &str = "002_a4d316c33a6c514d";

fn corpus(path: &Path) -> Corpus {
    Corpus::open(&[InputSpec::parse(path.to_str().unwrap())]).unwrap()
}

fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

/// A closed index of the five seeds.
fn seeded(dir: &Path) -> PathBuf {
    let db = dir.join("seeds.db");
    let index = Index::create(&db, &DedupConfig::default()).unwrap();
    let seeds = corpus(&testdata("seeds.jsonl"));
    index.add(&seeds, BatchOptions::default(), &Silent).unwrap();
    db
}

/// The number and record of the held article `id`.
fn record_of(db: &Path, id: &str) -> (u64, StoredDoc, Vec<u8>) {
    let database = Database::open(db).unwrap();
    let txn = database.begin_read().unwrap();
    let doc = txn
        .open_table(IDS)
        .unwrap()
        .get(id)
        .unwrap()
        .unwrap()
        .value();
    let docs = txn.open_table(DOCS).unwrap();
    let sealed = docs.get(doc).unwrap().unwrap().value().to_vec();
    let stored = postcard::from_bytes(unchecked_payload(&sealed)).unwrap();
    (doc, stored, sealed)
}

/// Checks `incoming` against the index; the error, if any.
fn check_error(db: &Path, incoming: &Path) -> Option<Error> {
    let index = Index::open(db, Access::Read).unwrap();
    let batch = corpus(incoming);
    let options = BatchOptions::default();
    index.check(&batch, false, None, options, &Silent).err()
}

#[test]
fn a_changed_title_in_a_record_is_an_error_naming_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path());
    let (doc, _, sealed) = record_of(&db, HAMBURG);
    let incoming = testdata("incoming.jsonl");
    assert!(check_error(&db, &incoming).is_none());
    // "breakthrough" → "breakthraugh" in the one copy of the record.
    let mut bytes = std::fs::read(&db).unwrap();
    let at = bytes
        .windows(sealed.len())
        .position(|w| w == sealed.as_slice())
        .unwrap();
    let title = sealed
        .windows(12)
        .position(|w| w == b"breakthrough")
        .unwrap();
    bytes[at + title + 9] = b'a';
    std::fs::write(&db, bytes).unwrap();
    // The first incoming article is a copy of it: loading it fails.
    let (record, reason) = damaged_record(check_error(&db, &incoming));
    assert_eq!(record, format!("document {doc} (id \"{HAMBURG}\")"));
    assert!(reason.contains("checksum"), "{reason}");
    let report = Index::open(&db, Access::Read).unwrap().verify().unwrap();
    assert_eq!(report.damage.len(), 1, "{:?}", report.damage);
    assert_eq!(report.articles, 5);
}

/// A file holding the Hamburg seed's text again under `id`.
fn hamburg_again(dir: &Path, id: &str) -> PathBuf {
    let seeds = std::fs::read_to_string(testdata("seeds.jsonl")).unwrap();
    let line = seeds.lines().find(|l| l.contains(HAMBURG)).unwrap();
    let path = dir.join(format!("{id}.jsonl"));
    std::fs::write(&path, line.replace(HAMBURG, id) + "\n").unwrap();
    path
}

/// Changes the file with redb directly, as another program could.
fn rewrite(db: &Path, f: impl FnOnce(&redb::WriteTransaction)) {
    let database = Database::open(db).unwrap();
    let txn = database.begin_write().unwrap();
    f(&txn);
    txn.commit().unwrap();
}

fn damaged_record(e: Option<Error>) -> (String, String) {
    match e {
        Some(Error::DamagedRecord { record, reason, .. }) => (record, reason),
        other => panic!("expected a damaged record, got {other:?}"),
    }
}

#[test]
fn a_lost_sums_entry_is_an_error_when_its_key_is_looked_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path());
    let (_, stored, _) = record_of(&db, HAMBURG);
    // Found by its content hash (and by every band).
    let again = hamburg_again(dir.path(), "again-1");
    assert!(check_error(&db, &again).is_none());
    let hash = stored.content_hash;
    rewrite(&db, |txn| {
        let mut sums = txn.open_table(CONTENT_SUMS).unwrap();
        assert!(sums.remove(hash).unwrap().is_some());
    });
    let (record, reason) = damaged_record(check_error(&db, &again));
    assert_eq!(record, format!("content entry {hash:#018x}"));
    assert!(reason.contains("its entry is missing"), "{reason}");
    let report = Index::open(&db, Access::Read).unwrap().verify().unwrap();
    let lines: Vec<String> = report.damage.iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(lines[0].contains(&format!("it names {hash:#018x} as the entry before it")));
    assert!(lines[1].contains("its content entries do not match its record (1 expected, 0 found)"));
    assert_eq!(
        lines[2],
        "setting entries: it records 5 content entries, 4 were read"
    );
}

#[test]
fn a_lost_member_of_a_shared_bucket_is_an_error_when_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path());
    let (doc, stored, _) = record_of(&db, HAMBURG);
    // The same text under a second id: a content bucket of two.
    let index = Index::open(&db, Access::Write { wait: None }).unwrap();
    let again = corpus(&hamburg_again(dir.path(), "again-1"));
    index.add(&again, BatchOptions::default(), &Silent).unwrap();
    drop(index);
    let third = hamburg_again(dir.path(), "again-2");
    assert!(check_error(&db, &third).is_none());
    let hash = stored.content_hash;
    rewrite(&db, |txn| {
        let mut content = txn.open_multimap_table(CONTENT).unwrap();
        assert!(content.remove(hash, doc).unwrap());
    });
    let (record, reason) = damaged_record(check_error(&db, &third));
    assert_eq!(record, format!("content entry {hash:#018x}"));
    assert!(reason.contains("(1 listed, 2 recorded)"), "{reason}");
    let report = Index::open(&db, Access::Read).unwrap().verify().unwrap();
    let lines: Vec<String> = report.damage.iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(lines[0].ends_with("its documents do not match its sums (1 listed, 2 recorded)"));
}

#[test]
fn buckets_and_sums_stay_consistent_through_adds_and_removals() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path());
    let index = Index::open(&db, Access::Write { wait: None }).unwrap();
    let intact = |expected: u64| {
        let report = index.verify().unwrap();
        assert!(report.damage.is_empty(), "{:?}", report.damage);
        assert_eq!(report.articles, expected);
    };
    intact(5);
    // The Hamburg text under two more ids: its buckets grow from one
    // document (kept in the sums) to three (in the multimaps).
    for id in ["again-1", "again-2"] {
        let batch = corpus(&hamburg_again(dir.path(), id));
        index.add(&batch, BatchOptions::default(), &Silent).unwrap();
    }
    intact(7);
    // And shrink back: three, two, one (back into the sums), none.
    for (id, left) in [("again-1", 6), (HAMBURG, 5), ("again-2", 4)] {
        assert_eq!(index.remove(&[id.to_string()]).unwrap(), 1);
        intact(left);
    }
    // A replaced article takes its old entries with it.
    let replaced = dir.path().join("replaced.jsonl");
    let line =
        r#"{"id": "003_3789953b1d177a1f", "text": "Something else entirely.\nIt shares nothing."}"#;
    std::fs::write(&replaced, format!("{line}\n")).unwrap();
    let options = BatchOptions {
        replace: true,
        ..BatchOptions::default()
    };
    let outcome = index.add(&corpus(&replaced), options, &Silent).unwrap();
    assert_eq!(outcome.replaced, 1);
    intact(4);
    let all: Vec<String> = [
        "000_5a47302b29b28574",
        "001_cce7f1ca9dc3f8ab",
        "003_3789953b1d177a1f",
        "004_8b6f9af4d72396b3",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(index.remove(&all).unwrap(), 4);
    intact(0);
}

#[test]
fn an_id_pointing_to_another_document_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path());
    let (doc, _, _) = record_of(&db, HAMBURG);
    rewrite(&db, |txn| {
        txn.open_table(IDS)
            .unwrap()
            .insert(HAMBURG, doc ^ 1)
            .unwrap();
    });
    // The held article itself: its id now names another document.
    let seeds = testdata("seeds.jsonl");
    let (record, reason) = damaged_record(check_error(&db, &seeds));
    assert_eq!(record, format!("id \"{HAMBURG}\""));
    assert!(
        reason.contains(&format!("document {}", doc ^ 1)),
        "{reason}"
    );
}

#[test]
fn fewer_rare_slots_file_fewer_keys_and_are_a_setting_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let settings = IndexSettings::from_config(&DedupConfig::default());
    for bad in [0, 129] {
        let path = dir.path().join(format!("bad-{bad}.db"));
        let err = Index::create_with_settings(&path, settings.clone().with_rare_slots(bad));
        assert!(err.is_err(), "{bad} slots");
        assert!(!path.exists());
    }
    let full = seeded(dir.path());
    let small = dir.path().join("small.db");
    let index = Index::create_with_settings(&small, settings.with_rare_slots(32)).unwrap();
    let seeds = corpus(&testdata("seeds.jsonl"));
    index.add(&seeds, BatchOptions::default(), &Silent).unwrap();
    drop(index);
    let stats = |db: &Path| Index::open(db, Access::Read).unwrap().stats().unwrap();
    let (full_stats, small_stats) = (stats(&full), stats(&small));
    assert_eq!(full_stats.settings.rare_slots, 128);
    assert_eq!(small_stats.settings.rare_slots, 32);
    assert_eq!(full_stats.slot_entries, 5 * 128);
    assert_eq!(small_stats.slot_entries, 5 * 32);
    assert_eq!(full_stats.band_entries, small_stats.band_entries);
    // Sound, and the seeds' copies are found in both (by their bands).
    let report = Index::open(&small, Access::Read).unwrap().verify().unwrap();
    assert!(report.damage.is_empty(), "{:?}", report.damage);
    let verdicts = |db: &Path| {
        let index = Index::open(db, Access::Read).unwrap();
        let batch = corpus(&testdata("incoming.jsonl"));
        let outcome = index
            .check(&batch, false, None, BatchOptions::default(), &Silent)
            .unwrap();
        outcome.verdicts
    };
    let found = verdicts(&small);
    assert_eq!(found, verdicts(&full));
    assert!(found.iter().any(|v| *v != Verdict::Clean));
}

#[test]
fn check_at_the_event_level_reads_dates_and_venues_from_the_text_as_cluster_does() {
    // The seeds as .txt files: no `published`. 002 and 003 report one
    // meeting (Hamburg, December 2016); 004 another (Geneva, 2016-09).
    let dir = tempfile::tempdir().unwrap();
    let (held, incoming) = (dir.path().join("held"), dir.path().join("in"));
    std::fs::create_dir_all(&held).unwrap();
    std::fs::create_dir_all(&incoming).unwrap();
    for entry in std::fs::read_dir(testdata("seeds")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let to = if name.starts_with("002") {
            &incoming
        } else {
            &held
        };
        std::fs::copy(&path, to.join(name)).unwrap();
    }
    let db = dir.path().join("seeds.db");
    let index = Index::create(&db, &DedupConfig::default()).unwrap();
    index
        .add(&corpus(&held), BatchOptions::default(), &Silent)
        .unwrap();
    let matches = |query: EventQuery| -> Vec<String> {
        let outcome = index
            .check(
                &corpus(&incoming),
                false,
                Some(query),
                BatchOptions::default(),
                &Silent,
            )
            .unwrap();
        outcome.same_event[0]
            .iter()
            .map(|m| m.held.id[..3].to_string())
            .collect()
    };
    assert_eq!(matches(EventQuery::default()), ["003"]);
    let blind = EventQuery {
        places: false,
        text_window_days: None,
        ..EventQuery::default()
    };
    let found = matches(blind);
    assert!(
        found.len() > 1 && found.contains(&"004".to_string()),
        "{found:?}"
    );
}
