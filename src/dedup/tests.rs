//! Tests of the dedup job against brute force and on crafted copies.

use super::candidates::sort_by_high_half;
use super::table::ArticleTable;
use super::verify::binomial_quantile;
use super::*;
use crate::ingest::InputSpec;
use crate::progress::Silent;
use crate::sketch::minhash::splitmix64;
use std::io::Write;

/// A random corpus with planted copies: `originals` articles of 90-200
/// words (a third drawn from 200 common words, so phrases recur across
/// articles), and for half of them one or two copies: whole with 3% of
/// words replaced, and the first quarter with 12% replaced (Jaccard
/// near 0.15: the bands seldom find those, the rare-shingle pass does).
fn planted_corpus(seed: u64, originals: usize) -> tempfile::NamedTempFile {
    let mut s = seed;
    let word = |s: &mut u64| {
        let r = splitmix64(s);
        if r % 3 == 0 {
            format!("c{}", r % 200)
        } else {
            format!("w{}", r % 20_000)
        }
    };
    let mut out = tempfile::NamedTempFile::new().unwrap();
    for o in 0..originals {
        let len = 90 + (splitmix64(&mut s) % 110) as usize;
        let words: Vec<String> = (0..len).map(|_| word(&mut s)).collect();
        let mut texts = vec![words.clone()];
        if o % 2 == 0 {
            for c in 0..1 + splitmix64(&mut s) % 2 {
                let (keep, edit) = [(len, 0.03), (len / 4, 0.12)][c as usize];
                let copy = words[..keep]
                    .iter()
                    .map(|w| {
                        if (splitmix64(&mut s) % 1000) as f64 / 1000.0 < edit {
                            word(&mut s)
                        } else {
                            w.clone()
                        }
                    })
                    .collect();
                texts.push(copy);
            }
        }
        for (c, t) in texts.iter().enumerate() {
            let lines: Vec<String> = t.chunks(20).map(|l| l.join(" ") + ".").collect();
            let rec = serde_json::json!({"id": format!("a{o}-{c}"), "text": lines.join("\n")});
            writeln!(out, "{rec}").unwrap();
        }
    }
    out.flush().unwrap();
    out
}

/// Pairs an all-pairs exact pass accepts, and how many of them the run
/// put in one duplicate group; also checks every removal is accepted.
fn against_brute_force(config: DedupConfig, seed: u64) -> (usize, usize) {
    let file = planted_corpus(seed, 160);
    let corpus = Corpus::open(&[InputSpec::Path(file.path().to_path_buf())]).unwrap();
    let dedup = Deduplicator::new(config).unwrap();
    let out = dedup.run(&corpus, &Silent).unwrap();
    let t = &out.table;
    for g in &out.groups {
        for m in &g.members {
            let matched = m.via.unwrap_or(g.representative);
            assert!(dedup.verify(t, m.row, matched), "unverified removal");
            if let Some(via) = m.via {
                assert!(g.members.iter().any(|o| o.row == via && o.via.is_none()));
            }
        }
    }
    let n = t.len() as u32;
    let (mut accepted, mut together) = (0, 0);
    for a in 0..n {
        for b in a + 1..n {
            if dedup.verify(t, a, b) {
                accepted += 1;
                let same = out.group_of[a as usize].is_some()
                    && out.group_of[a as usize] == out.group_of[b as usize];
                together += usize::from(same);
            }
        }
    }
    (accepted, together)
}

/// Runs the default job on articles given as words (id, words).
fn run_on_words(articles: &[(&str, &Vec<String>)]) -> (Deduplicator, DedupOutcome) {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    for (id, words) in articles {
        let rec = serde_json::json!({"id": id, "text": words.join(" ")});
        writeln!(file, "{rec}").unwrap();
    }
    file.flush().unwrap();
    let corpus = Corpus::open(&[InputSpec::Path(file.path().to_path_buf())]).unwrap();
    let dedup = Deduplicator::new(DedupConfig::default()).unwrap();
    let out = dedup.run(&corpus, &Silent).unwrap();
    (dedup, out)
}

fn row_of(t: &ArticleTable, id: &str) -> u32 {
    (0..t.len() as u32).find(|&r| t.id(r) == id).unwrap()
}

#[test]
fn a_copy_met_before_the_member_it_matches_joins_through_it() {
    // O is the original; A (longest, kept) and B are copies edited in
    // different places. B comes before O in keep order, verifies
    // against O only, and shares 0.34 of its shingles with A.
    let o: Vec<String> = (0..120).map(|i| format!("word{i}")).collect();
    let edit = |lo: usize, hi: usize, tag: &str| -> Vec<String> {
        o.iter()
            .enumerate()
            .map(|(i, w)| {
                if (lo..hi).contains(&i) && i % 3 == 0 {
                    format!("{tag}{i}")
                } else {
                    w.clone()
                }
            })
            .collect()
    };
    let tail = |tag: &str, n: usize| (0..n).map(|k| format!("{tag}{k}")).collect::<Vec<_>>();
    let a: Vec<String> = edit(0, 15, "alt")
        .into_iter()
        .chain(tail("tail", 30))
        .collect();
    let b: Vec<String> = edit(60, 120, "bee")
        .into_iter()
        .chain(tail("coda", 15))
        .collect();
    let (dedup, out) = run_on_words(&[("b", &b), ("o", &o), ("a", &a)]);
    let t = &out.table;
    let (ra, rb, ro) = (row_of(t, "a"), row_of(t, "b"), row_of(t, "o"));
    assert!(!dedup.verify(t, rb, ra) && dedup.verify(t, rb, ro));
    assert_eq!(out.groups.len(), 1, "{:?}", out.groups);
    let g = &out.groups[0];
    assert_eq!(g.representative, ra);
    let via: Vec<(u32, Option<u32>)> = g.members.iter().map(|m| (m.row, m.via)).collect();
    assert_eq!(via, vec![(rb, Some(ro)), (ro, None)]);
}

#[test]
fn a_report_sharing_a_wire_passage_stays_with_its_own_copy() {
    // L opens with 45 words of the wire story W (0.44 of L's shingles
    // are in W, a containment match) and has a copy L1 whose edits
    // fall in that passage: L1 matches L, not W. L is an original with
    // a copy of its own, not an abridged copy of W.
    let w: Vec<String> = (0..200).map(|i| format!("wire{i}")).collect();
    let l: Vec<String> = w[..45]
        .iter()
        .cloned()
        .chain((0..55).map(|i| format!("local{i}")))
        .collect();
    let l1: Vec<String> = l
        .iter()
        .enumerate()
        .map(|(i, x)| {
            if i < 45 && i % 3 == 0 {
                format!("edit{i}")
            } else {
                x.clone()
            }
        })
        .collect();
    let (dedup, out) = run_on_words(&[("w", &w), ("l", &l), ("l1", &l1)]);
    let t = &out.table;
    let (rw, rl, rl1) = (row_of(t, "w"), row_of(t, "l"), row_of(t, "l1"));
    assert!(dedup.verify(t, rl, rw) && dedup.verify(t, rl1, rl) && !dedup.verify(t, rl1, rw));
    assert_eq!(out.groups.len(), 1, "{:?}", out.groups);
    assert_eq!(out.groups[0].representative, rl);
    assert_eq!(out.groups[0].members[0].row, rl1);
    assert_eq!(out.group_of[rw as usize], None);
}

#[test]
fn shared_phrases_in_another_order_are_not_a_copy() {
    // S and S2 are five 12-word runs of the 200-word story W: 50 of
    // their 58 shingles are in W (containment 0.86, Jaccard 0.24). S2
    // keeps W's order (an abridged copy); S uses the runs in reverse
    // order, as another report reuses names and phrases.
    let w: Vec<String> = (0..200).map(|i| format!("wire{i}")).collect();
    let runs = |starts: &[usize]| -> Vec<String> {
        starts
            .iter()
            .flat_map(|&s| w[s..s + 12].iter().cloned())
            .collect()
    };
    let s2 = runs(&[10, 50, 90, 130, 170]);
    let s = runs(&[170, 130, 90, 50, 10]);
    let (dedup, out) = run_on_words(&[("w", &w), ("s", &s)]);
    let t = &out.table;
    let (rw, rs) = (row_of(t, "w"), row_of(t, "s"));
    let o = t.overlap(rs, rw);
    assert!((o.containment - 50.0 / 58.0).abs() < 1e-9, "{o:?}");
    assert!((o.in_order - 0.2).abs() < 1e-9, "{o:?}");
    assert!(!dedup.verify(t, rs, rw) && !dedup.verify(t, rw, rs));
    assert!(out.groups.is_empty(), "{:?}", out.groups);
    let unordered = Deduplicator::new(DedupConfig {
        containment_order: 0.0,
        ..DedupConfig::default()
    })
    .unwrap();
    assert!(unordered.verify(t, rs, rw));

    let (dedup, out) = run_on_words(&[("w", &w), ("s2", &s2)]);
    let t = &out.table;
    let (rw, rs2) = (row_of(t, "w"), row_of(t, "s2"));
    assert_eq!(t.overlap(rs2, rw).in_order, 1.0);
    assert!(dedup.verify(t, rs2, rw) && dedup.verify(t, rw, rs2));
    assert_eq!(out.duplicate_of(rs2).map(|(r, _)| r), Some(rw));
}

#[test]
fn candidates_find_what_an_exact_all_pairs_pass_accepts() {
    for seed in [1, 2, 3] {
        let (accepted, together) = against_brute_force(DedupConfig::default(), seed);
        assert!(
            accepted > 100,
            "seed {seed}: only {accepted} copies planted"
        );
        assert!(
            together as f64 >= 0.99 * accepted as f64,
            "seed {seed}: {together} of {accepted} accepted pairs grouped"
        );
    }
}

#[test]
fn abridged_copies_need_the_rare_shingle_pass() {
    let config = DedupConfig {
        rare_bucket: 0,
        ..DedupConfig::default()
    };
    let (accepted, together) = against_brute_force(config, 1);
    assert!(
        (together as f64) < 0.9 * accepted as f64,
        "bands alone grouped {together} of {accepted}"
    );
}

#[test]
fn radix_sort_orders_by_the_high_half_and_keeps_rows_ascending() {
    let mut s = 7;
    for n in [0, 5, 5000, 70_000] {
        let keys: Vec<u64> = (0..n as u64)
            .map(|r| (splitmix64(&mut s) % 3000) << 32 | r)
            .collect();
        let mut want = keys.clone();
        want.sort_unstable();
        assert_eq!(sort_by_high_half(keys), want);
    }
}

#[test]
fn agreement_quantiles_rise_with_jaccard_and_stay_below_the_mean() {
    let k = 128;
    let q: Vec<u16> = (0..=100)
        .map(|i| binomial_quantile(k, i as f64 / 100.0))
        .collect();
    assert!(q.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(q[0], 0);
    assert_eq!(q[100], 128);
    // Binomial(128, 0.5): mean 64, sd 5.7; the 1e-4 quantile is 3.7 sd below.
    assert!((40..=46).contains(&q[50]), "{}", q[50]);
    assert!(q[2] <= 1, "{}", q[2]);
    let big = binomial_quantile(4096, 0.5);
    assert!((1900..2000).contains(&big), "{big}");
}

#[test]
fn plausibility_uses_the_weakest_acceptable_jaccard() {
    let d = Deduplicator::new(DedupConfig::default()).unwrap();
    // Equal sizes: the containment rule needs Jaccard 0.38/1.62 = 0.23.
    assert!(!d.plausible(12, 300, 300));
    assert!(d.plausible(20, 300, 300));
    // A short set inside a long one may agree on very few slots.
    assert!(d.plausible(2, 40, 400));
    // Below the containment minimum only the Jaccard threshold counts.
    assert!(!d.plausible(40, 10, 12));
}

#[test]
fn pages_of_one_site_sharing_only_header_and_footer_are_not_copies() {
    // Two pages of one site: the same 25-word header and 25-word footer
    // around different 60-word stories (containment 0.40, in order). A copy
    // of the first page's story on another site, with its own header, and an
    // abridged copy that drops a short middle passage, stay copies.
    let words =
        |tag: &str, n: usize| -> Vec<String> { (0..n).map(|i| format!("{tag}{i}")).collect() };
    let (head, foot) = (words("nav", 25), words("foot", 25));
    let (story_a, story_b) = (words("alpha", 60), words("beta", 60));
    let page = |story: &[String]| -> Vec<String> { [&head[..], story, &foot[..]].concat() };
    let (a, b) = (page(&story_a), page(&story_b));
    let syndicated: Vec<String> = [&words("other", 30)[..], &story_a[..]].concat();
    let abridged: Vec<String> = [&story_a[..25], &story_a[35..]].concat();
    let (dedup, out) = run_on_words(&[
        ("a", &a),
        ("b", &b),
        ("syndicated", &syndicated),
        ("abridged", &abridged),
    ]);
    let t = &out.table;
    let r = |id| row_of(t, id);
    let o = t.overlap(r("b"), r("a"));
    assert!(o.containment > 0.38 && o.in_order == 1.0, "{o:?}");
    assert!(o.unshared_middle > 0.5, "{o:?}");
    assert!(!dedup.verify(t, r("a"), r("b")) && !dedup.verify(t, r("b"), r("a")));
    assert_eq!(t.overlap(r("syndicated"), r("a")).unshared_middle, 0.0);
    assert!(dedup.verify(t, r("syndicated"), r("a")));
    assert!(dedup.verify(t, r("abridged"), r("a")));
    assert_eq!(out.duplicate_of(r("b")), None);
    // A page that repeats its lede (a summary above the body) and its copy
    // with one word changed: the repeat is no middle of its own.
    let (lede, rest) = (words("lede", 35), words("rest", 60));
    let doubled: Vec<String> = [&lede[..], &lede[..], &rest[..]].concat();
    let mut edited = doubled.clone();
    edited[100] = "changed".to_string();
    let (again, out2) = run_on_words(&[("doubled", &doubled), ("edited", &edited)]);
    let t2 = &out2.table;
    let (rd, re) = (row_of(t2, "doubled"), row_of(t2, "edited"));
    assert_eq!(t2.overlap(re, rd).unshared_middle, 0.0);
    assert!(again.verify(t2, re, rd));
    // With the rule off, the two pages are copies by containment.
    let off = Deduplicator::new(DedupConfig {
        unshared_middle: 1.0,
        ..DedupConfig::default()
    })
    .unwrap();
    assert!(off.verify(t, r("a"), r("b")));
}

#[test]
fn a_component_too_large_to_compare_all_pairs_still_places_each_copy_with_its_original() {
    // 600 pages of one site: one header and footer around each page's own
    // story, so no two pages are copies; a bridge article (the second half of
    // one story and the first half of the next) is an abridged copy of both
    // pages; every tenth page has a copy with one word changed and one
    // dropped, page 5 an identical copy; and the three articles of
    // `a_copy_met_before_the_member_it_matches_joins_through_it`. All of
    // them placed as one component of more than `LARGE_COMPONENT` rows
    // (`dedup::nearby`): each copy joins its own page, each bridge one of
    // its two, no page another page, and the row met before the member it
    // matches still joins through it.
    use super::nearby::LARGE_COMPONENT;
    let n = 600;
    let words =
        |tag: String, k: usize| -> Vec<String> { (0..k).map(|j| format!("{tag}x{j}")).collect() };
    let (head, foot) = (words("nav".into(), 30), words("foot".into(), 30));
    let stories: Vec<Vec<String>> = (0..n).map(|i| words(format!("s{i}"), 60)).collect();
    let pages: Vec<Vec<String>> = stories
        .iter()
        .map(|s| [&head[..], s, &foot[..]].concat())
        .collect();
    let mut articles: Vec<(String, Vec<String>)> = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        articles.push((format!("page{i}"), p.clone()));
        if i + 1 < n {
            let bridge = [&stories[i][30..], &stories[i + 1][..30]].concat();
            articles.push((format!("bridge{i}"), bridge));
        }
        if i % 10 == 0 {
            let mut copy = p.clone();
            copy[70] = "edited".into();
            copy.remove(40);
            articles.push((format!("copy{i}"), copy));
        }
    }
    articles.push(("dup5".into(), pages[5].clone()));
    // The original O, its kept longer copy A, and B, which matches O only.
    let o: Vec<String> = words("orig".into(), 120);
    let edit = |lo: usize, hi: usize, tag: &str| -> Vec<String> {
        let mut e = o.clone();
        for (i, w) in e.iter_mut().enumerate() {
            if (lo..hi).contains(&i) && i % 3 == 0 {
                *w = format!("{tag}{i}");
            }
        }
        e
    };
    let a = [edit(0, 15, "alt"), words("tail".into(), 30)].concat();
    let b = [edit(60, 120, "bee"), words("coda".into(), 15)].concat();
    articles.extend([("a".into(), a), ("b".into(), b), ("o".into(), o.clone())]);
    assert!(articles.len() > LARGE_COMPONENT);
    let refs: Vec<(&str, &Vec<String>)> = articles.iter().map(|(id, w)| (id.as_str(), w)).collect();
    let (dedup, out) = run_on_words(&refs);
    let t = &out.table;
    let groups = dedup.place_component(t, (0..t.len() as u32).collect());
    let r = |id: &str| row_of(t, id);
    // id → (kept id, via id)
    let mut placed = std::collections::HashMap::new();
    for g in &groups {
        for m in &g.members {
            let via = m.via.map(|v| t.id(v).to_string());
            placed.insert(
                t.id(m.row).to_string(),
                (t.id(g.representative).to_string(), via),
            );
        }
    }
    let kept = |id: &str| placed.get(id).map(|(k, _)| k.as_str());
    for i in 0..n {
        assert_eq!(kept(&format!("page{i}")), None, "page{i} removed");
        if i % 10 == 0 {
            assert_eq!(kept(&format!("copy{i}")), Some(format!("page{i}").as_str()));
        }
        if i + 1 < n {
            let k = kept(&format!("bridge{i}")).expect("bridge placed");
            assert!(k == format!("page{i}") || k == format!("page{}", i + 1));
        }
    }
    assert_eq!(kept("dup5"), Some("page5"));
    assert!(!dedup.verify(t, r("b"), r("a")) && dedup.verify(t, r("b"), r("o")));
    assert_eq!(placed.get("o"), Some(&("a".to_string(), None)));
    assert_eq!(
        placed.get("b"),
        Some(&("a".to_string(), Some("o".to_string())))
    );
}
