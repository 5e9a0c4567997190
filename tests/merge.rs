//! End-to-end tests of `newsdedup merge` and `merge-eval`: the Hamburg
//! golden story (seeds 002 and 003), the HTML page, every ECB+ event, errors.

mod common;

use std::collections::BTreeMap;
use std::fs;

use common::{bin, read_jsonl, testdata};
use scraper::{Html, Selector};
use serde_json::Value;

/// The seeds' texts by id (spans point into these).
fn seed_texts() -> BTreeMap<String, String> {
    read_jsonl(&testdata("seeds.jsonl"))
        .into_iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_string(),
                v["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Runs a command that must succeed; its standard output.
fn stdout_of(cmd: &mut assert_cmd::Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

/// The merged story of the Hamburg event, from the seeds clustered as usual.
fn hamburg() -> Value {
    let out = stdout_of(
        bin()
            .args(["merge", "--format", "json"])
            .arg(testdata("seeds.jsonl")),
    );
    let stories: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(stories.len(), 1, "only 002 and 003 share an event");
    let story = stories.into_iter().next().unwrap();
    let ids: Vec<&str> = story["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["002_a4d316c33a6c514d", "003_3789953b1d177a1f"]);
    story
}

fn arr(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap()
}

fn text(v: &Value) -> &str {
    v["text"].as_str().unwrap()
}

/// The discrepancies of one kind, as lists of (source, value text).
fn of_kind<'a>(story: &'a Value, kind: &str) -> Vec<&'a Value> {
    arr(&story["discrepancies"])
        .iter()
        .filter(|d| d["kind"] == kind)
        .collect()
}

fn values(d: &Value) -> Vec<(u64, &str)> {
    arr(&d["values"])
        .iter()
        .map(|v| (v["source"].as_u64().unwrap(), text(v)))
        .collect()
}

#[test]
fn hamburg_golden_story() {
    let story = hamburg();
    let facts = arr(&story["facts"]);
    let fact_with = |a: &str, b: &str| -> &Value {
        facts
            .iter()
            .find(|f| {
                let c = arr(&f["claims"]);
                // The texts are as scraped: non-breaking spaces included.
                let plain = |v: &Value| text(v).replace('\u{a0}', " ");
                c.len() == 2 && plain(&c[0]).contains(a) && plain(&c[1]).contains(b)
            })
            .unwrap_or_else(|| panic!("no fact with {a:?} / {b:?}"))
    };
    let number = |f: &Value| f["fact"].as_u64().unwrap();

    // The Kerry quote: shared, and worded differently.
    let quote_fact = fact_with(
        "extraordinarily dire situation in Aleppo",
        "extraordinarily dire situation in Aleppo",
    );
    let quotes = of_kind(&story, "quote");
    let q = quotes
        .iter()
        .find(|d| d["fact"].as_u64() == Some(number(quote_fact)))
        .expect("quote discrepancy on the Kerry quote");
    let v = values(q);
    assert!(
        v.iter().any(|(s, t)| *s == 1
            && t.starts_with("We obviously talked")
            && t.ends_with("where we are on it")),
        "{v:?}"
    );
    assert!(
        v.iter()
            .any(|(s, t)| *s == 0 && t.ends_with("to see where we are")),
        "{v:?}"
    );
    assert_eq!(q["detail"], "shortened");

    // Sergei / Sergey: a name variant.
    let names: Vec<Vec<(u64, &str)>> = of_kind(&story, "name_variant")
        .into_iter()
        .map(values)
        .collect();
    assert!(
        names.contains(&vec![(0, "Sergei"), (1, "Sergey")]),
        "{names:?}"
    );

    // The UN resolution: one fact, with actor and time reference differences.
    let un = fact_with(
        "blocked a UN Security Council resolution",
        "vetoed a draft resolution",
    );
    let on_un = |kind: &str| -> Vec<(u64, &str)> {
        of_kind(&story, kind)
            .into_iter()
            .find(|d| d["fact"].as_u64() == Some(number(un)))
            .map(values)
            .unwrap_or_else(|| panic!("no {kind} discrepancy on the resolution"))
    };
    assert_eq!(on_un("actor"), [(0, "Russia and China"), (1, "Russia")]);
    assert_eq!(on_un("time_reference"), [(0, "Monday"), (1, "last week")]);

    // The Saturday meeting in Paris: shared.
    let paris = fact_with("Paris", "Saturday in Paris");
    assert!(text(&arr(&paris["claims"])[0]).contains("Saturday"));

    // "a meeting lasting about one hour" is 002's alone.
    let unique = arr(&story["unique"]);
    assert!(unique
        .iter()
        .any(|c| c["source"] == 0 && text(c).contains("a meeting lasting about one hour")));
    assert!(!facts
        .iter()
        .flat_map(|f| arr(&f["claims"]))
        .any(|c| text(c).contains("lasting about one hour")));

    // Wednesday / Thursday: the date of the talks differs.
    let dates: Vec<Vec<(u64, &str)>> = of_kind(&story, "date").into_iter().map(values).collect();
    assert!(
        dates.contains(&vec![(0, "Wednesday"), (1, "Thursday")]),
        "{dates:?}"
    );
}

#[test]
fn hamburg_boilerplate_is_never_a_fact_and_spans_point_into_the_text() {
    let story = hamburg();
    let texts = seed_texts();
    let claims: Vec<&Value> = arr(&story["facts"])
        .iter()
        .flat_map(|f| arr(&f["claims"]))
        .chain(arr(&story["unique"]))
        .collect();
    assert!(claims.len() > 20);
    for c in &claims {
        let t = text(c);
        for chrome in [
            "Anadolu Agency website",
            "Bu haberi paylaşın",
            "Related topics",
            "contributed to this report",
        ] {
            assert!(!t.contains(chrome), "boilerplate as a claim: {t}");
        }
        let source = &texts[c["id"].as_str().unwrap()];
        let span = arr(&c["span"]);
        let (a, b) = (
            span[0].as_u64().unwrap() as usize,
            span[1].as_u64().unwrap() as usize,
        );
        assert_eq!(&source[a..b], t, "claim span");
    }
    let left: Vec<&str> = arr(&story["boilerplate"]).iter().map(text).collect();
    for chrome in ["Related topics", "Bu haberi paylaşın"] {
        assert!(left.contains(&chrome), "{left:?}");
    }
    assert!(left
        .iter()
        .any(|l| l.starts_with("Anadolu Agency website contains only a portion")));
    for d in arr(&story["discrepancies"]) {
        for v in arr(&d["values"]) {
            let source = &texts[v["id"].as_str().unwrap()];
            let span = arr(&v["span"]);
            assert_eq!(
                &source[span[0].as_u64().unwrap() as usize..span[1].as_u64().unwrap() as usize],
                text(v)
            );
        }
    }
}

#[test]
fn html_page_links_every_fact_and_discrepancy_to_its_span() {
    let dir = tempfile::tempdir().unwrap();
    let story = hamburg();
    bin()
        .args(["merge", "--format", "html", "-o"])
        .arg(dir.path())
        .arg(testdata("seeds.jsonl"))
        .assert()
        .success();
    let event = story["event"].as_str().unwrap();
    let index = fs::read_to_string(dir.path().join("index.html")).unwrap();
    let page_name = format!("event-{event}.html");
    assert!(index.contains(&page_name));
    let html = Html::parse_document(&fs::read_to_string(dir.path().join(&page_name)).unwrap());
    let sel = |s: &str| Selector::parse(s).unwrap();
    let texts = seed_texts();
    let ids: Vec<&str> = arr(&story["sources"])
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    // The target of a link: an element with that id whose text is exactly
    // the bytes it names in the source text.
    let check_target = |href: &str| -> String {
        let id = href.strip_prefix('#').expect("in-page link");
        let target = html
            .select(&sel(&format!("[id=\"{id}\"]")))
            .next()
            .unwrap_or_else(|| panic!("link to missing id {id}"));
        let source: usize = id[1..].split('-').next().unwrap().parse().unwrap();
        let (a, b): (usize, usize) = (
            target.value().attr("data-start").unwrap().parse().unwrap(),
            target.value().attr("data-end").unwrap().parse().unwrap(),
        );
        let shown: String = target.text().collect();
        assert_eq!(shown, &texts[ids[source - 1]][a..b], "text of {id}");
        shown
    };

    let rows: Vec<_> = html.select(&sel("tr.fact")).collect();
    let facts = arr(&story["facts"]);
    assert_eq!(rows.len(), facts.len());
    for (row, fact) in rows.iter().zip(facts) {
        assert_eq!(
            row.value().attr("id").unwrap(),
            format!("fact-{}", fact["fact"])
        );
        let links: Vec<_> = row.select(&sel("a.claim")).collect();
        assert_eq!(links.len(), arr(&fact["claims"]).len());
        for (link, claim) in links.iter().zip(arr(&fact["claims"])) {
            assert_eq!(
                check_target(link.value().attr("href").unwrap()),
                text(claim)
            );
        }
        // Each kind found in the fact is shown on its row.
        let in_fact = fact["discrepancies"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for d in in_fact.iter().map(|d| d.as_u64().unwrap() as usize) {
            let kind = arr(&story["discrepancies"])[d]["kind"].as_str().unwrap();
            assert!(
                row.select(&sel(&format!("mark.k-{kind}"))).next().is_some(),
                "{kind} not marked in fact {}",
                fact["fact"]
            );
        }
    }
    let items: Vec<_> = html.select(&sel("li.discrepancy")).collect();
    let discrepancies = arr(&story["discrepancies"]);
    assert_eq!(items.len(), discrepancies.len());
    for (li, d) in items.iter().zip(discrepancies) {
        assert_eq!(
            li.select(&sel(".kind"))
                .next()
                .unwrap()
                .text()
                .collect::<String>(),
            d["kind"].as_str().unwrap()
        );
        let fact_link = li.select(&sel("a[href^=\"#fact-\"]")).next().unwrap();
        assert_eq!(
            fact_link.value().attr("href").unwrap(),
            format!("#fact-{}", d["fact"])
        );
        let links: Vec<_> = li.select(&sel("a.value")).collect();
        assert_eq!(links.len(), arr(&d["values"]).len());
        for (link, v) in links.iter().zip(arr(&d["values"])) {
            let shown = check_target(link.value().attr("href").unwrap());
            assert!(shown.contains(text(v)), "{shown} / {}", text(v));
        }
    }
    let unique: Vec<_> = html.select(&sel("ul.unique a.claim")).collect();
    assert_eq!(unique.len(), arr(&story["unique"]).len());
    for link in unique {
        check_target(link.value().attr("href").unwrap());
    }
    // Boilerplate is shown struck out in the source text, never in a fact row.
    assert!(html
        .select(&sel(".text .boilerplate"))
        .any(|b| b.text().collect::<String>() == "Bu haberi paylaşın"));
}

#[test]
fn markdown_lists_shared_facts_discrepancies_and_unique_claims() {
    let md = stdout_of(
        bin()
            .args(["merge", "--format", "md"])
            .arg(testdata("seeds.jsonl")),
    );
    assert!(md.starts_with("# Event "));
    assert!(md.ends_with('\n'));
    for want in [
        "## Discrepancies",
        "- **name_variant** (fact 1): S1 “Sergei” · S2 “Sergey”",
        "## Shared facts",
        "## Only in one source",
        "S1: After a meeting lasting about one hour",
    ] {
        assert!(md.contains(want), "missing {want:?} in\n{md}");
    }
}

#[test]
fn every_ecbplus_event_merges_and_the_output_is_stable() {
    let run = |threads: &str| {
        stdout_of(
            bin()
                .args([
                    "--threads",
                    threads,
                    "merge",
                    "--event-field",
                    "event",
                    "--format",
                    "json",
                ])
                .arg(testdata("ecbplus/docs.jsonl")),
        )
    };
    let one = run("1");
    assert_eq!(one, run("2"), "same bytes whatever the threads");
    let stories: Vec<Value> = one
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let docs = read_jsonl(&testdata("ecbplus/docs.jsonl"));
    let mut events: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &docs {
        *events.entry(d["event"].as_str().unwrap()).or_default() += 1;
    }
    // Each event with two distinct sources is merged (copies collapse first).
    let merged: Vec<&str> = stories
        .iter()
        .map(|s| s["event"].as_str().unwrap())
        .collect();
    assert!(
        merged.len() >= events.values().filter(|&&n| n >= 3).count(),
        "{} of {} events",
        merged.len(),
        events.len()
    );
    // Every article is a source (or a copy of one) of exactly one event.
    let mut seen = std::collections::BTreeSet::new();
    for s in &stories {
        for src in arr(&s["sources"]) {
            assert!(
                seen.insert(src["id"].as_str().unwrap().to_string()),
                "{} twice",
                src["id"]
            );
            for copy in src["copies"].as_array().cloned().unwrap_or_default() {
                assert!(
                    seen.insert(copy.as_str().unwrap().to_string()),
                    "{copy} twice"
                );
            }
        }
    }
    assert!(merged.len() <= events.len());
    for s in &stories {
        assert!(arr(&s["sources"]).len() >= 2);
        assert!(events.contains_key(s["event"].as_str().unwrap()));
    }
    let facts: usize = stories.iter().map(|s| arr(&s["facts"]).len()).sum();
    assert!(facts > 100, "{facts} facts over all events");
}

#[test]
fn injected_discrepancies_are_found_per_kind() {
    let table = stdout_of(
        bin()
            .args(["merge-eval", "--from"])
            .arg(testdata("ecbplus/docs.jsonl")),
    );
    let mut kinds = 0;
    for line in table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| kind"))
    {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let injected: usize = cells[2].parse().unwrap();
        let recall: f64 = cells[4].parse().unwrap();
        let precision: f64 = cells[7].parse().unwrap();
        assert!(injected >= 300, "{line}");
        assert!(recall >= 0.90 && precision >= 0.90, "below target: {line}");
        kinds += 1;
    }
    assert_eq!(kinds, 6, "{table}");
}

/// A folder holding only the two Hamburg reports merges without
/// `--one-event`: with two articles every shared term is in both, and only
/// the background statistics tell "Hamburg" from "said".
#[test]
fn a_folder_of_the_two_hamburg_reports_is_one_story() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["002_a4d316c33a6c514d.txt", "003_3789953b1d177a1f.txt"] {
        std::fs::copy(testdata("seeds").join(name), dir.path().join(name)).unwrap();
    }
    let out = stdout_of(bin().args(["merge", "--format", "json"]).arg(dir.path()));
    let stories: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(stories.len(), 1, "{out}");
    assert_eq!(arr(&stories[0]["sources"]).len(), 2);
    assert!(!arr(&stories[0]["facts"]).is_empty());
    assert!(!arr(&stories[0]["discrepancies"]).is_empty());
    // The input alone (no background) cannot weigh a pair.
    let alone = bin()
        .args(["merge", "--format", "json", "--background-docs", "0"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(
        alone.is_empty(),
        "without background the pair is not one event"
    );
}

#[test]
fn one_event_by_hand_and_clear_errors() {
    let seeds = testdata("seeds");
    let out = stdout_of(
        bin()
            .args(["merge", "--one-event", "--format", "json"])
            .arg(seeds.join("002_a4d316c33a6c514d.txt"))
            .arg(seeds.join("003_3789953b1d177a1f.txt")),
    );
    let story: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(story["event"], "1");
    assert_eq!(arr(&story["sources"]).len(), 2);

    for (flags, message) in [
        (&["--event", "99"][..], "no event \"99\" in the input"),
        (&["--format", "html"][..], "name a directory"),
    ] {
        let err = bin()
            .arg("merge")
            .args(flags)
            .arg(testdata("seeds.jsonl"))
            .assert()
            .code(2)
            .get_output()
            .stderr
            .clone();
        assert!(String::from_utf8_lossy(&err).contains(message), "{flags:?}");
    }
}

/// A folder with seed 000 and `copy`, merged at the defaults (JSON).
fn merge_with_copy(copy: &str, format: &str) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let name = "000_5a47302b29b28574.txt";
    let original = fs::read_to_string(testdata("seeds").join(name)).unwrap();
    fs::write(dir.path().join(name), &original).unwrap();
    let edited = match copy {
        "number" => original.replacen("record 150,000 people", "record 160,000 people", 1),
        "reordered" => {
            let mut lines: Vec<&str> = original.lines().collect();
            let (a, b) = (lines.len() - 2, lines.len() - 4);
            lines.swap(a, b);
            lines.join("\n") + "\n"
        }
        other => panic!("{other}"),
    };
    assert_ne!(edited, original);
    fs::write(dir.path().join("000-copy.txt"), &edited).unwrap();
    let out = bin()
        .args(["merge", "--format", format])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .clone();
    (
        dir,
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A copy that changed one number is merged with its source (one source is
/// enough when a copy changed a fact) and the change is a discrepancy with
/// the relation `copy`: the kept value and the copy's, each with its span.
#[test]
fn a_copy_that_changed_a_number_is_flagged_by_merge() {
    let (dir, out, err) = merge_with_copy("number", "json");
    let stories: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(stories.len(), 1, "{out}\n{err}");
    let story = &stories[0];
    let sources = arr(&story["sources"]);
    assert_eq!(sources.len(), 1);
    let kept = sources[0]["id"].as_str().unwrap();
    let copy = arr(&sources[0]["copies"])[0].as_str().unwrap();
    let ds = arr(&story["discrepancies"]);
    assert_eq!(ds.len(), 1, "{ds:?}");
    let d = &ds[0];
    assert_eq!(d["relation"], "copy");
    assert_eq!(d["kind"], "number");
    let read = |id: &str| {
        let file = if id.ends_with("copy") {
            "000-copy.txt"
        } else {
            "000_5a47302b29b28574.txt"
        };
        fs::read_to_string(dir.path().join(file)).unwrap()
    };
    let vs = arr(&d["values"]);
    assert_eq!(vs.len(), 2);
    assert_eq!(vs[0]["id"], kept);
    assert_eq!(vs[1]["id"], copy);
    assert_eq!(vs[1]["copy"], true);
    let mut seen = Vec::new();
    for v in vs {
        let text = read(v["id"].as_str().unwrap());
        // The .txt reader takes the first line as the title: spans point
        // into the rest.
        let body = text.split_once('\n').unwrap().1;
        let span: Vec<usize> = arr(&v["span"])
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(&body[span[0]..span[1]], v["text"].as_str().unwrap());
        seen.push(v["text"].as_str().unwrap().to_string());
    }
    seen.sort();
    assert_eq!(seen, ["150,000", "160,000"]);
    assert!(
        err.contains("1 facts changed in copies (number 1)"),
        "{err}"
    );

    let (_dir, md, _) = merge_with_copy("number", "md");
    assert!(md.contains("- **number** (copy "), "{md}");
    assert!(md.contains("→ copy “1"), "{md}");
    let html_dir = tempfile::tempdir().unwrap();
    let page = html_dir.path().join("story.html");
    let (dir, _, _) = merge_with_copy("number", "json");
    bin()
        .args(["merge", "--format", "html", "-o"])
        .arg(&page)
        .arg(dir.path())
        .assert()
        .success();
    let html = Html::parse_document(&fs::read_to_string(&page).unwrap());
    let sel = |s: &str| Selector::parse(s).unwrap();
    let section = html
        .select(&sel("section[id^=copy-]"))
        .next()
        .expect("the changed copy's text");
    let marked: Vec<String> = section
        .select(&sel("span.k-number"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(marked.len(), 1, "{}", section.html());
    assert!(["150,000", "160,000"].contains(&marked[0].as_str()));
    let link = html
        .select(&sel("li.discrepancy a.value[href^='#x']"))
        .next()
        .expect("a link to the copy's value");
    let target = link.value().attr("href").unwrap().trim_start_matches('#');
    assert!(section
        .select(&sel(&format!("[id='{target}']")))
        .next()
        .is_some());
}

/// A copy whose paragraphs were reordered changed no fact: nothing to merge.
#[test]
fn a_reordered_copy_reports_nothing() {
    let (_dir, out, err) = merge_with_copy("reordered", "json");
    assert_eq!(out, "", "{err}");
    assert!(err.contains("0 facts changed in copies"), "{err}");
    assert!(err.contains("merged 0 events"), "{err}");
}

/// `merge-eval --copies`: copies that changed one fact, merged at the
/// defaults, are found per kind (recall and precision ≥ 0.90), and copies
/// with neutral edits only are rarely flagged (≤ 5%).
#[test]
fn changed_copies_are_found_per_kind() {
    let table = stdout_of(
        bin()
            .args(["merge-eval", "--copies", "--from"])
            .arg(testdata("ecbplus/docs.jsonl")),
    );
    let head = table.lines().next().unwrap();
    let flagged: f64 = head
        .split(" reported as changed (")
        .nth(1)
        .and_then(|r| r.split('%').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(flagged <= 5.0, "{head}");
    let mut kinds = 0;
    for line in table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| kind"))
    {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let injected: usize = cells[2].parse().unwrap();
        let recall: f64 = cells[4].parse().unwrap();
        let precision: f64 = cells[7].parse().unwrap();
        assert!(injected >= 300, "{line}");
        assert!(recall >= 0.90 && precision >= 0.90, "below target: {line}");
        kinds += 1;
    }
    assert_eq!(kinds, 6, "{table}");
}
