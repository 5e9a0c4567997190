//! End-to-end tests of event clustering: the real binary on real files.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::{bin, read_jsonl, testdata};

/// Runs `cluster` on an input and returns its JSON lines.
fn cluster(input: &Path, extra: &[&str]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clusters.jsonl");
    bin()
        .arg("cluster")
        .arg(input)
        .arg("-o")
        .arg(&out)
        .args(extra)
        .assert()
        .success();
    read_jsonl(&out)
}

fn event_of(lines: &[Value]) -> BTreeMap<String, u64> {
    lines
        .iter()
        .map(|l| {
            (
                l["id"].as_str().unwrap().to_string(),
                l["event"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn seeds_002_and_003_are_one_event_the_others_alone() {
    let lines = cluster(&testdata("seeds.jsonl"), &[]);
    let ev = event_of(&lines);
    assert_eq!(ev.len(), 5);
    let id = |p: &str| ev.iter().find(|(k, _)| k.starts_with(p)).unwrap().1;
    assert_eq!(id("002"), id("003"));
    let others = [id("000"), id("001"), id("002"), id("004")];
    for (i, a) in others.iter().enumerate() {
        for b in &others[i + 1..] {
            assert_ne!(a, b, "{ev:?}");
        }
    }
    for l in &lines {
        assert_eq!(l["group"], l["id"], "no seed is a copy of another");
    }
}

/// The `.txt` folder has no `published` field: the dates 001 and 003 print
/// ("Updated: 2013-05-08", "08.12.2016") are read from the text, and the
/// venues the leads name (Berlin, Moscow, Hamburg, Switzerland) keep the
/// four meetings apart: 002 and 003 are one event, 000, 001 and 004 each
/// alone. Without venues (`--no-places`) the undated 000 and 004 join the
/// Hamburg pair; without dates or venues all five are one event.
#[test]
fn undated_seed_folder_gets_dates_and_venues_from_the_text() {
    let events = |flags: &[&str]| {
        let ev = event_of(&cluster(&testdata("seeds"), flags));
        assert_eq!(ev.len(), 5);
        let id = |p: &str| *ev.iter().find(|(k, _)| k.starts_with(p)).unwrap().1;
        ["000", "001", "002", "003", "004"].map(id)
    };
    let [e0, e1, e2, e3, e4] = events(&[]);
    assert_eq!(e2, e3);
    let others = [e0, e1, e2, e4];
    for (i, a) in others.iter().enumerate() {
        for b in &others[i + 1..] {
            assert_ne!(a, b, "{others:?}");
        }
    }
    let [e0, e1, e2, e3, e4] = events(&["--no-places"]);
    assert!(e0 == e2 && e2 == e3 && e3 == e4 && e1 != e2);
    let none = events(&["--no-places", "--text-window-days", "0"]);
    assert!(none.iter().all(|&e| e == none[0]), "{none:?}");
}

/// `--explain` says where a venue was read and why a neighbour is in
/// another event.
#[test]
fn explain_names_venues_and_incompatible_neighbours() {
    let out = bin()
        .args(["cluster", "--explain", "000_5a47302b29b28574"])
        .arg(testdata("seeds"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("venue Berlin (city, DE) from 'in Berlin', text line 3"),
        "{text}"
    );
    assert!(
        text.contains(
            "(event 3, other event: venues Berlin and Aleppo, Hamburg are not compatible)"
        ) || text.contains("venues Berlin and Hamburg are not compatible"),
        "{text}"
    );
}

#[test]
fn ecbplus_events_are_found_at_default_flags() {
    let out = bin()
        .args([
            "eval",
            "--level",
            "event",
            "--gold-field",
            "event",
            "--json",
        ])
        .arg(testdata("ecbplus/docs.jsonl"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v["overall"];
    assert_eq!(s["items"], 982);
    assert!(s["adjusted_rand"].as_f64().unwrap() >= 0.90, "{s}");
    assert!(s["bcubed_f1"].as_f64().unwrap() >= 0.90, "{s}");
}

#[test]
fn clusters_do_not_depend_on_thread_count() {
    let input = testdata("ecbplus/docs.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2", "3"] {
        let out = dir.path().join(format!("c{threads}.jsonl"));
        bin()
            .args(["--threads", threads, "cluster"])
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        outputs.push(fs::read(&out).unwrap());
    }
    assert!(!outputs[0].is_empty());
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn every_record_is_listed_with_copies_nested_in_their_event() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("feed.jsonl");
    let seeds = fs::read_to_string(testdata("seeds.jsonl")).unwrap();
    let first: Value = serde_json::from_str(seeds.lines().nth(2).unwrap()).unwrap();
    let mut copy = first.clone();
    copy["id"] = "copy-of-002".into();
    let body = format!(
        "{seeds}{}\n{{\"id\": \"no-text\"}}\nnot json\n",
        serde_json::to_string(&copy).unwrap()
    );
    fs::write(&input, body).unwrap();
    let lines = cluster(&input, &[]);
    assert_eq!(lines.len(), 8, "{lines:?}");
    let by_id: BTreeMap<&str, &Value> = lines
        .iter()
        .filter_map(|l| l["id"].as_str().map(|id| (id, l)))
        .collect();
    let copy = by_id["copy-of-002"];
    assert_eq!(copy["status"], "duplicate");
    assert_eq!(copy["group"], first["id"]);
    assert_eq!(copy["event"], by_id[first["id"].as_str().unwrap()]["event"]);
    assert_eq!(by_id["no-text"]["status"], "rejected");
    let bad = lines
        .iter()
        .find(|l| l["reason"] == "malformed_json")
        .unwrap();
    assert_eq!(bad["line"], 8);
}

#[test]
fn empty_and_single_article_corpora_work() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jsonl");
    fs::write(&empty, "").unwrap();
    assert!(cluster(&empty, &[]).is_empty());
    let one = dir.path().join("one.jsonl");
    let seeds = fs::read_to_string(testdata("seeds.jsonl")).unwrap();
    fs::write(&one, seeds.lines().next().unwrap()).unwrap();
    let lines = cluster(&one, &[]);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["event"], 1);
    assert_eq!(lines[0]["event_size"], 1);
}

#[test]
fn bad_flags_are_clear_errors() {
    for (flag, value, message) in [
        ("--max-connections", "300", "max connections"),
        ("--event-threshold", "0", "event threshold"),
        ("--neighbours", "0", "neighbours"),
        ("--ef-search", "2", "ef search"),
    ] {
        bin()
            .arg("cluster")
            .arg(testdata("seeds.jsonl"))
            .args([flag, value])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
    bin()
        .args(["cluster", "--explain", "nope"])
        .arg(testdata("seeds.jsonl"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no article with id \"nope\""));
}

#[test]
fn explain_shows_neighbours_and_shared_terms() {
    bin()
        .args(["cluster", "--explain", "002_a4d316c33a6c514d"])
        .arg(testdata("seeds.jsonl"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "003_3789953b1d177a1f (event 3, same event)",
        ))
        .stdout(predicate::str::contains("Hamburg 0."));
}

#[test]
fn dedup_events_writes_events_beside_the_cleaned_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    bin()
        .arg("dedup")
        .arg(testdata("seeds.jsonl"))
        .arg("-o")
        .arg(dir.path().join("cleaned.jsonl"))
        .arg("--events")
        .arg(&events)
        .assert()
        .success()
        .stderr(predicate::str::contains("events: 4"));
    assert_eq!(read_jsonl(&events).len(), 5);
}

/// Small batches of ECB+ over all 43 topics: the first two and three
/// articles of each event cluster together, and the first articles of a
/// topic's two largest events (two Oscar hosts announced, two DUI arrests of
/// one team's players) are kept apart. In a batch of two every shared term
/// is in both articles, so only the background statistics weigh them, and
/// only the terms one report has and the other lacks (names, numbers) tell
/// two events of one kind apart: the unshared norm (`auto`) counts them.
/// Measured at the defaults: 72/86 pairs and 70/86 triples together, 31/43
/// pairs of different events apart (README § Event clustering; 73, 73 and
/// 30 without the detail rule, `--detail-factor 1`); with the
/// cosine of shared terms only (`--unshared-norm 0`, the old default)
/// 84/86, 84/86 and 0/43.
#[test]
fn small_ecbplus_batches_of_one_event_together_of_two_events_apart() {
    use newsdedup::progress::Silent;
    use newsdedup::{ClusterConfig, Corpus, DedupConfig, Deduplicator, EventClusterer, InputSpec};

    let docs = read_jsonl(&testdata("ecbplus/docs.jsonl"));
    let mut topics: BTreeMap<u64, BTreeMap<String, Vec<&Value>>> = BTreeMap::new();
    for d in &docs {
        topics
            .entry(d["topic"].as_u64().unwrap())
            .or_default()
            .entry(d["event"].as_str().unwrap().to_string())
            .or_default()
            .push(d);
    }
    let dedup = Deduplicator::new(DedupConfig::default()).unwrap();
    let one_event_at = |config: ClusterConfig, batch: &[&Value]| {
        let clusterer = EventClusterer::new(config, dedup.config().boilerplate.clone()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("batch.jsonl");
        let text: String = batch.iter().map(|d| format!("{d}\n")).collect();
        fs::write(&path, text).unwrap();
        let corpus = Corpus::open(&[InputSpec::Path(path)]).unwrap();
        let kept = dedup.run(&corpus, &Silent).unwrap();
        let ev = clusterer.run(&corpus, &kept, &Silent).unwrap();
        ev.event_of_row.iter().all(|&e| e == ev.event_of_row[0])
    };
    let shares = |config: ClusterConfig| {
        let one_event = |batch: &[&Value]| one_event_at(config, batch);
        let (mut pairs, mut together2, mut triples, mut together3) = (0, 0, 0, 0);
        let (mut topic_pairs, mut apart) = (0, 0);
        for events in topics.values() {
            for members in events.values() {
                if members.len() >= 2 {
                    pairs += 1;
                    together2 += usize::from(one_event(&members[..2]));
                }
                if members.len() >= 3 {
                    triples += 1;
                    together3 += usize::from(one_event(&members[..3]));
                }
            }
            let mut largest: Vec<&Vec<&Value>> = events.values().collect();
            largest.sort_by_key(|m| std::cmp::Reverse(m.len()));
            if largest.len() >= 2 {
                topic_pairs += 1;
                apart += usize::from(!one_event(&[largest[0][0], largest[1][0]]));
            }
        }
        assert_eq!((pairs, topic_pairs), (86, 43));
        eprintln!(
            "pairs of one event together {together2}/{pairs}; triples {together3}/{triples}; \
             two events of one topic apart {apart}/{topic_pairs}"
        );
        (
            together2 as f64 / pairs as f64,
            together3 as f64 / triples as f64,
            apart as f64 / topic_pairs as f64,
        )
    };
    let (pairs, triples, apart) = shares(ClusterConfig::default());
    assert!(pairs >= 0.8 && triples >= 0.8, "{pairs} {triples}");
    assert!(apart >= 0.6, "two events of one topic apart: {apart}");
    // The cosine of shared terms alone cannot tell two events of one topic
    // apart in a batch of two.
    let mut shared_only = ClusterConfig::default();
    shared_only.vectors.unshared_norm = Some(0.0);
    let (_, _, apart_shared_only) = shares(shared_only);
    assert!(apart_shared_only < 0.1, "{apart_shared_only}");
}

/// `--check-recall N` measures the neighbour search against brute force.
#[test]
fn check_recall_reports_the_share_of_exact_neighbours_found() {
    let out = bin()
        .args(["cluster", "--check-recall", "200", "-o", "-"])
        .arg(testdata("ecbplus/docs.jsonl"))
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    let line = err
        .lines()
        .find(|l| l.starts_with("neighbour recall@10 against brute force: "))
        .unwrap_or_else(|| panic!("{err}"));
    let recall: f64 = line.split_whitespace().nth(5).unwrap().parse().unwrap();
    assert!(recall > 0.95, "{line}");
    assert!(line.ends_with("of 200 sampled articles)"), "{line}");
}

#[test]
fn chrome_of_a_small_site_does_not_glue_its_pages_into_one_event() {
    // Two reports each of three ECB+ events (an office shooting, a
    // hit-and-run, a stray-bullet killing), one of each on two local sites
    // whose chrome (a "more local news" list, an account notice) is left in.
    // Each site has three pages: too few for the corpus frequency rule, but
    // its chrome lines are on pages that are not copies of each other. (With
    // the chrome voting, each site's three pages were one event.)
    let docs: BTreeMap<String, Value> = read_jsonl(&testdata("ecbplus/docs.jsonl"))
        .into_iter()
        .map(|d| (d["id"].as_str().unwrap().to_string(), d))
        .collect();
    let site = |name: &str| -> (String, String) {
        let news = if name == "WKRN" {
            "Crews battle overnight blaze at Marlborough lumber yard as neighbours evacuate\n\
             School board in Westfield approves new budget after heated public meeting\n\
             Police release sketch of suspect in Riverside Avenue bank robbery\n\
             Two men hurt when pickup truck overturns on Interstate 95 near Exit 12\n\
             Marlborough County sheriff warns residents about phone scam targeting seniors\n\
             Westfield High School football team advances to state semifinal round"
        } else {
            "Boise council approves plan for new downtown transit center on Front Street\n\
             Wildfire near Idaho City grows to 3,000 acres as crews dig containment lines\n\
             Meridian police seek driver who fled after hitting a cyclist on Eagle Road\n\
             Ada County assessor says property values rose again this year\n\
             Nampa family loses home in early morning fire, Red Cross helping\n\
             Treasure Valley schools to start two hours late because of fog"
        };
        (
            format!("{name} local news\nMore local news\n{news}"),
            format!(
                "Sign up for the {name} morning newsletter and get local headlines in your inbox\n\
                 Download the {name} app for breaking news alerts, weather and traffic updates"
            ),
        )
    };
    let pages = [
        ("18_5ecbplus", "WKRN"),
        ("21_6ecbplus", "WKRN"),
        ("33_2ecbplus", "WKRN"),
        ("18_8ecbplus", "KTVB"),
        ("21_10ecbplus", "KTVB"),
        ("33_1ecbplus", "KTVB"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("local.jsonl");
    let lines: Vec<String> = pages
        .iter()
        .map(|(id, name)| {
            let (head, foot) = site(name);
            // The first lines of the report, as a short local brief.
            let text: Vec<&str> = docs[*id]["text"]
                .as_str()
                .unwrap()
                .lines()
                .take(12)
                .collect();
            let text = text.join("\n");
            serde_json::json!({"id": id, "text": format!("{head}\n{text}\n{foot}")}).to_string()
        })
        .collect();
    fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = cluster(&input, &[]);
    let ev = event_of(&out);
    for (a, b) in [
        ("18_5ecbplus", "18_8ecbplus"),
        ("21_6ecbplus", "21_10ecbplus"),
        ("33_2ecbplus", "33_1ecbplus"),
    ] {
        assert_eq!(ev[a], ev[b], "{a} and {b} report one event: {ev:?}");
    }
    for (a, b) in [
        ("18_5ecbplus", "21_6ecbplus"),
        ("21_6ecbplus", "33_2ecbplus"),
        ("18_5ecbplus", "33_2ecbplus"),
    ] {
        assert_ne!(
            ev[a], ev[b],
            "{a} and {b} share only their site's chrome: {ev:?}"
        );
    }
}

/// Incident details (`events::details`): two shootings in one city on one
/// day share the city, the hospital and the words of a shooting report; the
/// victims, their ages and the streets differ. Weighted as in a large local
/// corpus (`--background-docs 0`: the batch alone, where the city is in
/// every article), the event vectors alone put the second shooting with
/// the first; its details disagree with both reports of the first, so the
/// rule keeps it apart, and `--explain` says so.
#[test]
fn a_second_shooting_in_the_same_city_is_kept_apart_by_its_details() {
    let docs = [
        ("a1", "Man shot on Elm Street", "John Miller, 24, was shot on Elm Street in Springfield late on Tuesday, police said. Miller was taken to Mercy Hospital with wounds to his leg. Police are looking for a gunman who fled on foot."),
        ("a2", "Elm Street shooting victim named", "Police in Springfield said John Miller, 24, was wounded on Elm Street on Tuesday night and taken to Mercy Hospital. Officers said the gunman fled on foot."),
        ("b1", "Woman wounded in Oak Avenue shooting", "A Springfield woman was wounded by gunfire outside her home on Oak Avenue on Tuesday evening. Maria Lopez, 31, was treated at Mercy Hospital for an arm wound, and police said a suspect drove away in a grey sedan."),
        ("c1", "Council approves budget", "The Springfield city council approved a new budget on Monday after a long debate about school funding and road repairs."),
        ("c2", "Library reopens", "The Springfield public library reopened on Wednesday after a renovation that added a new reading room for children."),
    ];
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("shootings.jsonl");
    let text: String = docs
        .iter()
        .map(|(id, title, text)| {
            format!(
                "{}\n",
                serde_json::json!({"id": id, "title": title, "text": text, "published": "2024-05-07"})
            )
        })
        .collect();
    fs::write(&input, text).unwrap();
    let events = |extra: &[&str]| -> BTreeMap<String, u64> {
        let out = dir.path().join("events.jsonl");
        bin()
            .args(["cluster", "--background-docs", "0"])
            .args(extra)
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        read_jsonl(&out)
            .iter()
            .map(|r| {
                assert_eq!(r["status"], "kept", "{r}");
                (
                    r["id"].as_str().unwrap().to_string(),
                    r["event"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let with_rule = events(&[]);
    assert_eq!(with_rule["a1"], with_rule["a2"]);
    assert_ne!(with_rule["a1"], with_rule["b1"], "{with_rule:?}");
    let without = events(&["--detail-factor", "1"]);
    assert_eq!(
        without["a1"], without["b1"],
        "the event vectors alone merge them: {without:?}"
    );
    bin()
        .args(["cluster", "--background-docs", "0", "--explain", "b1", "-o"])
        .arg(dir.path().join("explained.jsonl"))
        .arg(&input)
        .assert()
        .success()
        .stdout(predicate::str::contains("under 0.15: similarity x 0.5"));
}
