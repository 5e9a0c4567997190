//! Fuzz targets of the text stages: normalization keeps its documented
//! shape, boilerplate verdicts and line numbers stay within the article, and
//! every span the merger reports slices its text on character boundaries.
//!
//! Every target checks properties, not only that nothing panics.
//! `NEWSDEDUP_FUZZ_CASES=N` runs N cases per target; failing inputs are kept
//! in `tests/fuzz-regressions/` and replayed first. Generators and shared
//! checks: `tests/fuzz_support/`.

#[macro_use]
mod fuzz_support;
use fuzz_support::*;

// ---------------------------------------------------------------------------
// Target 3: normalization
// ---------------------------------------------------------------------------

/// Characters normalization folds away (quotes, dashes, ellipsis) or drops.
#[rustfmt::skip]
const FOLDED: &[char] = &[
    '\u{2018}', '\u{2019}', '\u{201a}', '\u{201b}', '\u{2032}', '\u{00b4}', '`', '\u{201c}',
    '\u{201d}', '\u{201e}', '\u{201f}', '\u{2033}', '\u{00ab}', '\u{00bb}', '\u{2010}', '\u{2011}',
    '\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}', '\u{2212}', '\u{2026}', '\u{00ad}', '\u{200b}',
    '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}',
];

fn check_normalized(line: &str, cased: bool) -> Result<(), TestCaseError> {
    if cased {
        prop_assert!(unicode_normalization::is_nfkc(line), "not NFKC: {:?}", line);
    }
    prop_assert!(!line.contains("  "), "double space in {:?}", line);
    prop_assert!(
        !line.starts_with(' ') && !line.ends_with(' '),
        "untrimmed {:?}",
        line
    );
    for c in line.chars() {
        prop_assert!(
            c == ' ' || !c.is_whitespace(),
            "whitespace {:?} in {:?}",
            c,
            line
        );
        prop_assert!(!c.is_control(), "control {:?} in {:?}", c, line);
        prop_assert!(!FOLDED.contains(&c), "unfolded {:?} in {:?}", c, line);
    }
    if !cased {
        let lower: String = line.chars().flat_map(char::to_lowercase).collect();
        prop_assert_eq!(&lower, line, "not lowercase");
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(4500, regressions!("normalize")))]

    /// Line-by-line folding keeps one output line per input line, and each
    /// line is folded, single-spaced, trimmed and (uncased) lowercase.
    #[test]
    fn normalize(text in any_text()) {
        let lines = normalize_lines(&text);
        prop_assert_eq!(lines.len(), text.split('\n').count(), "one output line per input line");
        for (raw, folded) in text.split('\n').zip(&lines) {
            prop_assert_eq!(folded, &normalize_line(raw));
            check_normalized(folded, false)?;
            let cased = normalize_line_cased(raw);
            check_normalized(&cased, true)?;
            // Without entities (a second pass would decode `&amp;amp;`
            // further), folding twice changes nothing, and folding the cased
            // form gives the folded one.
            if !folded.contains('&') {
                prop_assert_eq!(&normalize_line(&cased), folded);
                prop_assert_eq!(&normalize_line(folded), folded, "not idempotent on {:?}", raw);
                prop_assert_eq!(&normalize_line_cased(&cased), &cased, "not idempotent on {:?}", raw);
            }
        }
    }

    /// A typographic quote or dash folds like the ASCII character it stands for.
    #[test]
    fn normalize_folds_typography(
        // Entities are decoded before folding: keep them out of the way.
        before in line().prop_map(|l| l.replace('&', "+")),
        after in line().prop_map(|l| l.replace('&', "+")),
        (fancy, plain) in select(&[
            ('\u{2018}', '\''), ('\u{2019}', '\''), ('\u{201a}', '\''), ('\u{201b}', '\''),
            ('\u{2032}', '\''), ('\u{00b4}', '\''), ('`', '\''), ('\u{201c}', '"'),
            ('\u{201d}', '"'), ('\u{201e}', '"'), ('\u{201f}', '"'), ('\u{2033}', '"'),
            ('\u{00ab}', '"'), ('\u{00bb}', '"'), ('\u{2010}', '-'), ('\u{2013}', '-'),
            ('\u{2014}', '-'), ('\u{2015}', '-'), ('\u{2212}', '-'),
        ][..]),
    ) {
        let fancy = format!("{before}{fancy}{after}");
        let plain = format!("{before}{plain}{after}");
        prop_assert_eq!(normalize_line(&fancy), normalize_line(&plain));
        prop_assert_eq!(normalize_line_cased(&fancy), normalize_line_cased(&plain));
    }
}

// ---------------------------------------------------------------------------
// Target 4: boilerplate rules
// ---------------------------------------------------------------------------

/// Lines that look like chrome or like story, mixed with anything.
fn chrome_line() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => line(),
        1 => select(&[
            "Related topics", "Share this article", "Read more: world news", "Most Viewed",
            "Home | World | Sport", "|||||", "- Talks establish fishery hotline", "• Menu",
            "© 2016 Example Wire. All rights reserved.", "Sign up for our newsletter",
            "Kerry met Lavrov on Thursday in Hamburg.", "\"It hasn't come as a surprise.\"",
            "Politics, World, Americas", "Advertisement", "!!!", "...", "", " ", "\u{feff}",
        ][..])
        .prop_map(String::from),
        1 => (select(&["Copyright", "Read more", "|", "cookie"][..]), 30usize..50)
            .prop_map(|(w, n)| format!("{w} {}", "word ".repeat(n))),
        1 => (1usize..600).prop_map(|n| "x".repeat(n)),
    ]
}

fn chrome_article() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(chrome_line(), 0..10).prop_map(|l| l.join("\n")),
        1 => any_text(),
    ]
}

/// The true number of articles containing each counted line.
fn true_counts(articles: &[Vec<String>]) -> BTreeMap<&str, u32> {
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    for lines in articles {
        let distinct: BTreeSet<&str> = lines.iter().map(String::as_str).collect();
        for l in distinct {
            *counts.entry(l).or_default() += 1;
        }
    }
    counts
}

proptest! {
    #![proptest_config(config(1500, regressions!("boilerplate")))]

    /// Verdicts cover the article's lines, the all-chrome guard keeps a story,
    /// story lines are lines of the text, frequency estimates never fall below
    /// the true count.
    #[test]
    fn boilerplate(
        corpus in prop::collection::vec(chrome_article(), 1..6),
        repeats in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
        line_rules in prop::bool::weighted(0.8),
        use_freq in any::<bool>(),
        min_articles in 1u32..8,
        ratio in 1u32..6,
    ) {
        let mut corpus = corpus;
        for r in repeats {
            let i = r.index(corpus.len());
            corpus.push(corpus[i].clone());
        }
        let normalized: Vec<Vec<String>> = corpus.iter().map(|t| normalize_lines(t)).collect();
        let mut freq = LineFrequencies::for_corpus_bytes(corpus.iter().map(|t| t.len() as u64).sum());
        for lines in &normalized {
            freq.add_article(lines.iter().map(String::as_str));
        }
        for (line, count) in true_counts(&normalized) {
            let estimate = freq.estimate(line);
            if line.is_empty() || line.len() > MAX_COUNTED_LINE {
                prop_assert_eq!(estimate, 0, "{:?} is never counted", line);
            } else {
                prop_assert!(estimate >= count, "{:?}: estimate {} < {}", line, estimate, count);
            }
        }
        let config = BoilerplateConfig {
            line_rules,
            corpus_frequency: use_freq,
            min_articles,
            ratio,
        };
        let freq = use_freq.then_some(&freq);
        for (text, lines) in corpus.iter().zip(&normalized) {
            for l in lines {
                let rule = line_rule(l);
                if l.is_empty() {
                    prop_assert_eq!(rule, None);
                }
                let words = l.split(' ').filter(|w| w.chars().any(char::is_alphanumeric)).count();
                if words > 40 {
                    prop_assert_eq!(rule, None, "a long line is story: {:?}", l);
                }
            }
            let verdicts = classify(lines, &config, freq);
            prop_assert_eq!(verdicts.len(), lines.len());
            let mut kept_something = false;
            for (l, v) in lines.iter().zip(&verdicts) {
                match v {
                    None => kept_something |= !l.is_empty(),
                    Some(_) if l.is_empty() => prop_assert!(false, "an empty line judged {:?}", v),
                    Some(Reason::Frequent(n)) => {
                        prop_assert!(use_freq && *n >= min_articles);
                        prop_assert_eq!(*n, freq.unwrap().estimate(l));
                    }
                    Some(r) => {
                        prop_assert!(line_rules);
                        prop_assert_eq!(Some(*r), line_rule(l));
                    }
                }
            }
            let any_text = lines.iter().any(|l| !l.is_empty());
            prop_assert_eq!(kept_something, any_text, "all-chrome articles are kept whole");
            // Story lines: increasing line numbers of kept, non-empty lines.
            let raw: Vec<&str> = text.split('\n').collect();
            let story = story_lines(text, &config, freq);
            let mut last = None;
            for (i, s) in &story {
                prop_assert!(*i < raw.len() && last < Some(*i), "line {} of {}", i, raw.len());
                last = Some(*i);
                prop_assert!(verdicts[*i].is_none() && !lines[*i].is_empty());
                prop_assert_eq!(s, &normalize_line_cased(raw[*i]));
            }
            let kept = lines.iter().zip(&verdicts).filter(|(l, v)| v.is_none() && !l.is_empty());
            prop_assert_eq!(story.len(), kept.count());
        }
    }
}

// ---------------------------------------------------------------------------
// Target 5: the merger's sentence, claim and slot reading
// ---------------------------------------------------------------------------

/// Checks [`read_text`]: tokens in order on char boundaries, claims made of
/// tokens inside their sentence, slots inside their claim.
fn check_read(text: &str, config: &BoilerplateConfig) -> Result<usize, TestCaseError> {
    let read = read_text(text, config);
    let mut end = 0;
    for &t in &read.tokens {
        let s = valid_span(text, t)?;
        prop_assert!(t[0] >= end, "tokens overlap at {:?}", t);
        end = t[1];
        prop_assert!(!s.contains('\n'), "token {:?} crosses a line", s);
        prop_assert!(!s.chars().all(char::is_whitespace), "blank token {:?}", s);
    }
    let byte_span =
        |r: &std::ops::Range<usize>| [read.tokens[r.start][0], read.tokens[r.end - 1][1]];
    let mut claim_end = 0;
    for c in &read.claims {
        let (t, st) = (&c.tokens, &c.sentence_tokens);
        prop_assert!(
            t.start < t.end && t.end <= read.tokens.len(),
            "claim tokens {:?}",
            t
        );
        prop_assert!(st.start <= t.start && t.end <= st.end && st.end <= read.tokens.len());
        prop_assert_eq!(c.span, byte_span(t));
        prop_assert_eq!(c.sentence, byte_span(st));
        let claim = valid_span(text, c.span)?;
        valid_span(text, c.sentence)?;
        prop_assert!(!claim.contains('\n'), "claim {:?} crosses a line", claim);
        prop_assert!(c.span[0] >= claim_end, "claims overlap");
        claim_end = c.span[1];
        for (kind, r) in &c.slots {
            prop_assert!(
                t.start <= r.start && r.start < r.end && r.end <= t.end,
                "{} slot {:?} outside its claim {:?}",
                kind,
                r,
                t
            );
            valid_span(text, byte_span(r))?;
        }
    }
    Ok(read.claims.len())
}

/// Checks a merged story: every span slices its source's text on char
/// boundaries and equals the text it claims; every claim is in one fact or
/// unique, never twice; facts hold one claim per source.
fn check_story(
    story: &MergedStory,
    texts: &[String],
    claims_per_source: &[usize],
) -> Result<(), TestCaseError> {
    let n = texts.len();
    prop_assert_eq!(story.sources.len(), n);
    let mut seen: BTreeSet<(usize, Span)> = BTreeSet::new();
    let mut per_source = vec![0usize; n];
    let claims = story
        .facts
        .iter()
        .flat_map(|f| &f.claims)
        .chain(&story.unique);
    for c in claims {
        prop_assert!(c.source < n);
        prop_assert_eq!(&c.id, &story.sources[c.source].id);
        let text = &texts[c.source];
        prop_assert_eq!(valid_span(text, c.span)?, c.text.as_str());
        let sentence = valid_span(text, c.sentence)?;
        prop_assert!(c.sentence[0] <= c.span[0] && c.span[1] <= c.sentence[1]);
        prop_assert!(!sentence.contains('\n'));
        prop_assert!(
            seen.insert((c.source, c.span)),
            "claim {:?} listed twice",
            c.text
        );
        per_source[c.source] += 1;
    }
    for (s, info) in story.sources.iter().enumerate() {
        prop_assert_eq!(info.claims, per_source[s]);
        prop_assert_eq!(info.claims, claims_per_source[s]);
        prop_assert_eq!(&info.text, &texts[s]);
    }
    for (i, f) in story.facts.iter().enumerate() {
        prop_assert_eq!(f.fact, i + 1);
        prop_assert_eq!(f.support, f.claims.len());
        prop_assert!(f.claims.len() >= 2);
        let sources: BTreeSet<usize> = f.claims.iter().map(|c| c.source).collect();
        prop_assert_eq!(
            sources.len(),
            f.claims.len(),
            "two claims of one source in a fact"
        );
        prop_assert_eq!(&f.claim, &f.claims[0].text);
        for &d in &f.discrepancies {
            prop_assert!(d < story.discrepancies.len());
            prop_assert_eq!(story.discrepancies[d].fact, Some(f.fact));
        }
    }
    for d in &story.discrepancies {
        // No source here has copies: every discrepancy is between sources.
        prop_assert_eq!(d.relation, Relation::Sources);
        prop_assert!(d.fact.is_some_and(|f| f >= 1 && f <= story.facts.len()));
        let sources: BTreeSet<usize> = d.values.iter().map(|v| v.source).collect();
        prop_assert!(sources.len() >= 2, "{:?} has values of one source", d.kind);
        for v in &d.values {
            prop_assert!(v.source < n);
            prop_assert_eq!(&v.id, &story.sources[v.source].id);
            prop_assert_eq!(valid_span(&texts[v.source], v.span)?, v.text.as_str());
        }
    }
    for b in &story.boilerplate {
        prop_assert!(b.source < n);
        let left = valid_span(&texts[b.source], b.span)?;
        prop_assert_eq!(left, b.text.as_str());
        prop_assert!(!left.contains('\n') && !left.ends_with('\r'));
    }
    Ok(())
}

/// One event told by several sources: sentences whose slots (names,
/// numbers, dates, quotes, time phrases) each source fills its own way, so
/// claims align and differ.
fn event_texts() -> impl Strategy<Value = Vec<String>> {
    let slot = prop_oneof![
        4 => select(PIECES).prop_map(|p| vec![p.to_string()]),
        3 => prop::collection::vec(piece(), 1..4),
        1 => prop::collection::vec(line(), 1..3),
    ];
    let sentence = prop::collection::vec(slot, 1..18);
    let story = prop::collection::vec(
        (
            sentence,
            select(&[". ", ".\n", "\n", "\r\n", "? ", "! ", ".\" ", " "][..]),
        ),
        1..6,
    );
    (story, 2usize..4).prop_flat_map(|(story, n)| {
        let choices = story.iter().map(|(s, _)| s.len()).sum::<usize>();
        (
            Just(story),
            prop::collection::vec(
                prop::collection::vec(any::<prop::sample::Index>(), choices),
                n,
            ),
        )
            .prop_map(|(story, picks)| {
                picks
                    .iter()
                    .map(|pick| {
                        let mut text = String::new();
                        let mut k = 0;
                        for (sentence, end) in &story {
                            for (i, alternatives) in sentence.iter().enumerate() {
                                if i > 0 {
                                    text.push(' ');
                                }
                                text.push_str(&alternatives[pick[k].index(alternatives.len())]);
                                k += 1;
                            }
                            text.push_str(end);
                        }
                        text
                    })
                    .collect()
            })
    })
}

fn merge_and_check(
    texts: Vec<String>,
    boilerplate: BoilerplateConfig,
) -> Result<(), TestCaseError> {
    let mut claims = Vec::new();
    for t in &texts {
        claims.push(check_read(t, &boilerplate)?);
    }
    let merger = Merger::new(MergeConfig {
        boilerplate: boilerplate.clone(),
        ..MergeConfig::default()
    })
    .unwrap();
    let sources = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Source {
            article: Article {
                id: format!("s{i}"),
                text: t.clone(),
                ..Article::default()
            },
            copies: Vec::new(),
        })
        .collect();
    let story = merger.merge("event", sources, None);
    check_story(&story, &texts, &claims)
}

proptest! {
    #![proptest_config(config(2000, regressions!("merge")))]

    /// Sources of one event that agree and differ in their slots.
    #[test]
    fn merge_event(
        texts in event_texts(),
        line_rules in prop::bool::weighted(0.7),
    ) {
        let config = if line_rules { BoilerplateConfig::default() } else { BoilerplateConfig::disabled() };
        merge_and_check(texts, config)?;
    }

    /// Anything as the text of one or two sources.
    #[test]
    fn merge_any_text(texts in prop::collection::vec(any_text(), 1..3)) {
        merge_and_check(texts, BoilerplateConfig::default())?;
    }
}

// ---------------------------------------------------------------------------
// Sanity: the generators reach what they are meant to reach
// ---------------------------------------------------------------------------

/// The event generator gives merged stories with facts and discrepancies: a
/// property that only ever sees empty stories would pass vacuously.
#[test]
fn generators_reach_facts_and_discrepancies() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut facts, mut discrepancies) = (0, 0);
    let merger = Merger::new(MergeConfig::default()).unwrap();
    for _ in 0..100 {
        let texts = event_texts().new_tree(&mut runner).unwrap().current();
        let sources = texts
            .into_iter()
            .enumerate()
            .map(|(i, text)| Source {
                article: Article {
                    id: i.to_string(),
                    text,
                    ..Article::default()
                },
                copies: Vec::new(),
            })
            .collect();
        let story = merger.merge("e", sources, None);
        facts += story.facts.len();
        discrepancies += story.discrepancies.len();
    }
    assert!(
        facts > 50 && discrepancies > 20,
        "{facts} facts, {discrepancies} discrepancies"
    );
}
