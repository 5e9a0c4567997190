//! The near-duplicate benchmark generator: real articles in, syndicated
//! copies out, with gold labels.
//!
//! Each original is kept and gets variants the way syndication makes them:
//! other site chrome, a new headline, truncation to the first paragraphs,
//! copy edits of a few percent of words, a paragraph added or dropped, and
//! typographic changes (curly quotes, non-breaking spaces, HTML entities).
//! The heavy tier abridges to a third, rewrites 12–20% of words and adds
//! OCR-like letter noise. Every record carries `dup_group` (the original's
//! id: the gold duplicate label) and keeps the original's other fields
//! (e.g. ECB+'s `event`), so different originals of one event are hard
//! negatives. `scale` adds synthetic originals (sentences of real articles
//! with a third of their words replaced) to reach a corpus size.
//!
//! Randomness is SplitMix64 from a seed: the output is the same on every
//! platform and does not move when a dependency is updated.

mod edits;

use edits::{
    abridge, added_paragraph, new_headline, ocr_noise, rewrite_words, split_token, truncate,
    typography,
};
use serde_json::{json, Map, Value};

use crate::article::Article;
use crate::sketch::minhash::splitmix64;

/// How strong the edits are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Gentle,
    Heavy,
    /// 70% gentle, 30% heavy variants.
    Mixed,
}

impl std::str::FromStr for Tier {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "gentle" => Ok(Tier::Gentle),
            "heavy" => Ok(Tier::Heavy),
            "mixed" => Ok(Tier::Mixed),
            _ => Err(format!("unknown tier {s:?}: use gentle, heavy or mixed")),
        }
    }
}

/// Generator settings.
#[derive(Debug, Clone, Copy)]
pub struct SynthConfig {
    pub tier: Tier,
    /// Variants per real original (default 2).
    pub variants: usize,
    pub seed: u64,
    /// Total records wanted; synthetic originals with a realistic number of
    /// copies (0 to 5, about 40% of records are copies) fill the rest.
    pub scale: Option<usize>,
    /// Synthetic originals of 2–5 kB (sentences added until a length drawn
    /// between 2,000 and 5,000 bytes) instead of 4–15 sentences: a corpus of
    /// longer articles for speed measurements.
    pub long: bool,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            tier: Tier::Gentle,
            variants: 2,
            seed: 42,
            scale: None,
            long: false,
        }
    }
}

/// A small deterministic random source.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        splitmix64(&mut self.0)
    }
    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

struct Site {
    name: &'static str,
    header: &'static [&'static str],
    footer: &'static [&'static str],
}

const SITES: &[Site] = &[
    Site {
        name: "Daily Courier",
        header: &["Home | World | Politics | Business | Sport", "Daily Courier"],
        footer: &["Share this article", "Related topics", "© 2024 Daily Courier Media. All rights reserved."],
    },
    Site {
        name: "Metro Herald",
        header: &["Metro Herald", "News › World", "Updated 12:41 GMT"],
        footer: &["Most Read", "- Markets slide as oil prices climb", "- Storm warning for coastal towns", "Sign up for our morning newsletter"],
    },
    Site {
        name: "Global Wire Online",
        header: &["GLOBAL WIRE ONLINE |", "Breaking | Latest | Opinion |"],
        footer: &["Be the first to comment", "Write your comment", "This site uses Akismet to reduce spam. Learn how your comment data is processed."],
    },
    Site {
        name: "The Observer Post",
        header: &["The Observer Post", "Advertisement"],
        footer: &["Related articles", "You may also like", "Copyright 2024 The Observer Post"],
    },
    Site {
        name: "Nordic News Today",
        header: &["Nordic News Today • Front page", "World"],
        footer: &["Follow us on social media", "Read more:", "Terms of use | Privacy policy | Contact"],
    },
    Site {
        name: "Capital Tribune",
        header: &["CAPITAL TRIBUNE", "Politics, World, Americas, Middle East"],
        footer: &["Capital Tribune website contains only a portion of the news stories offered to subscribers, and in summarized form. Please contact us for subscription options.", "Related topics", "Share"],
    },
];

/// Words used by copy edits and rewrites.
const EDIT_WORDS: &[&str] = &[
    "reportedly",
    "officials",
    "said",
    "stated",
    "told",
    "according",
    "local",
    "several",
    "new",
    "recent",
    "major",
    "early",
    "late",
    "further",
    "authorities",
    "residents",
    "people",
    "later",
    "announced",
    "confirmed",
    "described",
    "claimed",
    "area",
    "city",
    "country",
    "group",
    "week",
    "during",
    "before",
    "after",
    "following",
    "meanwhile",
    "however",
    "also",
    "still",
    "including",
];

/// Generates the benchmark, calling `emit` once per record in a fixed order.
pub fn generate<E>(
    originals: &[Article],
    config: &SynthConfig,
    mut emit: impl FnMut(Value) -> Result<(), E>,
) -> Result<(), E> {
    let mut rng = Rng::new(config.seed);
    let mut count = 0;
    let links = OriginalLinks::find(originals);
    for (i, original) in originals.iter().enumerate() {
        if links.dropped[i].is_some() {
            continue;
        }
        let group = &original.id;
        emit(original_record(original, group, None))?;
        count += 1;
        for v in 0..config.variants {
            let heavy = pick_heavy(config.tier, &mut rng);
            emit(variant_record(original, group, v, heavy, &mut rng))?;
            count += 1;
        }
    }
    let Some(target) = config.scale else {
        return Ok(());
    };
    let pool = SentencePool::new(originals);
    let mut n = 0usize;
    while count < target && !pool.sentences.is_empty() {
        let synthetic = pool.synthetic_article(n, config.long, &mut rng);
        n += 1;
        emit(original_record(
            &synthetic,
            &synthetic.id,
            Some("synthetic"),
        ))?;
        count += 1;
        let copies = match rng.below(20) {
            0..=11 => 0,
            12..=16 => 1,
            17..=18 => 2,
            _ => 3 + rng.below(3),
        };
        for v in 0..copies {
            if count >= target {
                break;
            }
            let heavy = pick_heavy(config.tier, &mut rng);
            emit(variant_record(
                &synthetic,
                &synthetic.id,
                v,
                heavy,
                &mut rng,
            ))?;
            count += 1;
        }
    }
    Ok(())
}

/// Real articles can be copies of each other already (ECB+ holds wire
/// stories several outlets ran). So that every copy in the benchmark is one
/// the generator made, originals are made pairwise independent, decided
/// exactly on raw word 5-grams and independently of how newsdedup shingles:
/// when at least [`OVERLAP_LIMIT`] of the shorter article's 5-grams occur in
/// an earlier original, it is left out.
pub struct OriginalLinks {
    /// Originals left out, with the earlier original they overlap.
    pub dropped: Vec<Option<usize>>,
}

/// 5-gram containment from which an original counts as (partly) copied.
pub const OVERLAP_LIMIT: f64 = 0.2;

impl OriginalLinks {
    pub fn find(originals: &[Article]) -> Self {
        let grams: Vec<Vec<u64>> = originals.iter().map(|a| word_5grams(&a.text)).collect();
        let mut index: std::collections::HashMap<u64, Vec<u32>> = std::collections::HashMap::new();
        for (i, g) in grams.iter().enumerate() {
            for &h in g {
                index.entry(h).or_default().push(i as u32);
            }
        }
        let mut shared: std::collections::BTreeMap<(u32, u32), u32> =
            std::collections::BTreeMap::new();
        for docs in index.values() {
            for (k, &a) in docs.iter().enumerate() {
                for &b in &docs[k + 1..] {
                    *shared.entry((a, b)).or_insert(0) += 1;
                }
            }
        }
        let mut dropped: Vec<Option<usize>> = vec![None; originals.len()];
        for (&(a, b), &n) in &shared {
            let (a, b) = (a as usize, b as usize);
            let smaller = grams[a].len().min(grams[b].len()).max(1);
            if dropped[a].is_none()
                && dropped[b].is_none()
                && f64::from(n) / smaller as f64 >= OVERLAP_LIMIT
            {
                dropped[b] = Some(a);
            }
        }
        OriginalLinks { dropped }
    }
}

fn word_5grams(text: &str) -> Vec<u64> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = crate::sketch::shingle::words(&lower).collect();
    let mut out: Vec<u64> = words
        .windows(5.min(words.len().max(1)))
        .map(|w| xxhash_rust::xxh3::xxh3_64(w.join(" ").as_bytes()))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn pick_heavy(tier: Tier, rng: &mut Rng) -> bool {
    match tier {
        Tier::Gentle => false,
        Tier::Heavy => true,
        Tier::Mixed => rng.chance(0.3),
    }
}

fn original_record(a: &Article, group: &str, kind: Option<&str>) -> Value {
    let mut v = a.to_json();
    let map = v.as_object_mut().expect("articles are objects");
    if a.title.is_none() {
        map.insert("title".into(), json!(headline(&a.text)));
    }
    map.insert(
        "source".into(),
        json!(a.source.clone().unwrap_or_else(|| "origin".into())),
    );
    map.insert("dup_group".into(), json!(group));
    map.insert("variant".into(), json!(kind.unwrap_or("original")));
    v
}

fn headline(text: &str) -> String {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    first
        .split_whitespace()
        .take(12)
        .collect::<Vec<_>>()
        .join(" ")
}

fn variant_record(a: &Article, group: &str, v: usize, heavy: bool, rng: &mut Rng) -> Value {
    let site = rng.pick(SITES);
    let mut lines: Vec<String> = a
        .text
        .lines()
        .map(str::to_string)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut edits = Vec::new();
    if heavy {
        abridge(&mut lines, rng);
        let share = rng.range(0.12, 0.20);
        rewrite_words(&mut lines, share, rng);
        ocr_noise(&mut lines, 0.03, rng);
        edits.extend(["abridged", "rewritten", "ocr"]);
    } else {
        if rng.chance(0.5) {
            truncate(&mut lines, rng);
            edits.push("truncated");
        }
        let share = rng.range(0.01, 0.05);
        rewrite_words(&mut lines, share, rng);
        edits.push("copy-edited");
        if lines.len() > 3 && rng.chance(0.3) {
            lines.remove(1 + rng.below(lines.len() - 2));
            edits.push("paragraph-dropped");
        } else if rng.chance(0.3) {
            let at = rng.below(lines.len() + 1);
            lines.insert(at, added_paragraph(rng));
            edits.push("paragraph-added");
        }
    }
    typography(&mut lines, rng);
    edits.push("typography");
    let mut text: Vec<String> = site.header.iter().map(|s| s.to_string()).collect();
    text.extend(lines);
    text.extend(site.footer.iter().map(|s| s.to_string()));
    edits.push("chrome");
    let mut map = Map::new();
    map.insert(
        "id".into(),
        json!(format!(
            "{}~{}{}",
            a.id,
            if heavy { "h" } else { "g" },
            v + 1
        )),
    );
    map.insert("title".into(), json!(new_headline(&a.text, rng)));
    map.insert("source".into(), json!(site.name));
    map.insert("text".into(), json!(text.join("\n")));
    for (k, val) in &a.extra {
        map.insert(k.clone(), val.clone());
    }
    map.insert("dup_group".into(), json!(group));
    map.insert(
        "variant".into(),
        json!(format!(
            "{}:{}",
            if heavy { "heavy" } else { "gentle" },
            edits.join("+")
        )),
    );
    Value::Object(map)
}

/// Sentences and vocabulary of the real articles, for synthetic originals.
struct SentencePool {
    sentences: Vec<String>,
    words: Vec<String>,
}

impl SentencePool {
    fn new(originals: &[Article]) -> Self {
        let sentences: Vec<String> = originals
            .iter()
            .flat_map(|a| a.text.lines())
            .filter(|l| l.split_whitespace().count() >= 6)
            .map(str::to_string)
            .collect();
        let words = sentences
            .iter()
            .flat_map(|s| s.split_whitespace())
            .map(|w| split_token(w).1.to_string())
            .filter(|w| !w.is_empty())
            .collect();
        SentencePool { sentences, words }
    }

    /// Sentences of several real articles, a third of their words replaced by
    /// words drawn with corpus frequency: unique text with news statistics.
    fn synthetic_article(&self, n: usize, long: bool, rng: &mut Rng) -> Article {
        let sentence = |rng: &mut Rng| -> String {
            rng.pick(&self.sentences)
                .split(' ')
                .map(|token| {
                    let (pre, core, post) = split_token(token);
                    if !core.is_empty() && rng.chance(0.35) {
                        format!("{pre}{}{post}", rng.pick(&self.words))
                    } else {
                        token.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let lines: Vec<String> = if long {
            let target = 2000 + rng.below(3001);
            let mut lines = Vec::new();
            let mut bytes = 0;
            while bytes < target {
                let line = sentence(rng);
                bytes += line.len() + 1;
                lines.push(line);
            }
            lines
        } else {
            let count = 4 + rng.below(12);
            (0..count).map(|_| sentence(rng)).collect()
        };
        let mut extra = Map::new();
        extra.insert("event".into(), json!(format!("synthetic_{n}")));
        Article {
            id: format!("syn{n:07}"),
            text: lines.join("\n"),
            extra,
            ..Article::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, sentences: usize) -> Article {
        let mut rng = Rng::new(id.len() as u64 * 7919 + u64::from(id.as_bytes()[0]));
        let text = (0..sentences)
            .map(|i| {
                let words: Vec<String> = (0..12).map(|_| format!("w{}", rng.below(5000))).collect();
                format!("Sentence {i} of article {id} says \"{}\".", words.join(" "))
            })
            .collect::<Vec<_>>()
            .join("\n");
        Article {
            id: id.into(),
            text,
            ..Article::default()
        }
    }

    fn run(config: &SynthConfig, originals: &[Article]) -> Vec<Value> {
        let mut out = Vec::new();
        generate::<()>(originals, config, |v| {
            out.push(v);
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn same_seed_same_output_and_labels_point_at_originals() {
        let originals = vec![article("a", 9), article("b", 4)];
        let config = SynthConfig {
            tier: Tier::Mixed,
            ..SynthConfig::default()
        };
        let first = run(&config, &originals);
        assert_eq!(first, run(&config, &originals));
        assert_eq!(first.len(), 6);
        assert_eq!(first[1]["dup_group"], "a");
        assert_ne!(first[1]["text"], first[0]["text"]);
        let other = run(&SynthConfig { seed: 1, ..config }, &originals);
        assert_ne!(first, other);
    }

    #[test]
    fn heavy_variants_are_abridged_to_about_a_third() {
        let mut lines: Vec<String> = (0..12).map(|i| i.to_string()).collect();
        abridge(&mut lines, &mut Rng::new(3));
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], "0", "the lede is kept");
        let numbers: Vec<usize> = lines.iter().map(|l| l.parse().unwrap()).collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "order is kept");
    }

    #[test]
    fn scale_fills_up_to_the_target() {
        let originals = vec![article("a", 9), article("b", 9)];
        let config = SynthConfig {
            scale: Some(50),
            ..SynthConfig::default()
        };
        let out = run(&config, &originals);
        assert_eq!(out.len(), 50);
        let ids: std::collections::BTreeSet<_> = out
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids.len(), 50, "ids are unique");
    }

    #[test]
    fn long_synthetic_originals_are_two_to_five_kilobytes() {
        let originals = vec![article("a", 9), article("b", 9)];
        let config = SynthConfig {
            scale: Some(200),
            long: true,
            ..SynthConfig::default()
        };
        let out = run(&config, &originals);
        let lengths: Vec<usize> = out
            .iter()
            .filter(|v| v["variant"] == "synthetic")
            .map(|v| v["text"].as_str().unwrap().len())
            .collect();
        assert!(lengths.len() > 50);
        // At least the drawn length, at most one sentence more than 5,000.
        assert!(
            lengths.iter().all(|&n| (2000..6000).contains(&n)),
            "{lengths:?}"
        );
        let short = run(
            &SynthConfig {
                long: false,
                ..config
            },
            &originals,
        );
        assert_ne!(out, short);
    }

    #[test]
    fn originals_that_copy_earlier_ones_are_left_out() {
        let a = article("a", 10);
        let mut copy = a.clone();
        copy.id = "copy".into();
        let b = article("bb", 10);
        let mut partial = b.clone();
        partial.id = "partial".into();
        let filler = article("dddd", 7);
        partial.text = format!(
            "{}\n{}",
            b.text.lines().take(3).collect::<Vec<_>>().join("\n"),
            filler.text
        );
        let own = article("ccc", 7);
        let links = OriginalLinks::find(&[a, copy, b, partial, own]);
        assert_eq!(links.dropped, vec![None, Some(0), None, Some(2), None]);
    }

    #[test]
    fn split_token_keeps_punctuation() {
        assert_eq!(split_token("\"Aleppo.\""), ("\"", "Aleppo", ".\""));
        assert_eq!(split_token("--"), ("--", "", ""));
    }
}
