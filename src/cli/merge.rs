//! `newsdedup merge`: merged stories of events (shared facts, claims of one
//! source, discrepancies) as JSON, Markdown or HTML.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};
use newsdedup::bench::inject::{make_pair, score_pair, KindScore, Pair};
use newsdedup::events::EventClusterer;
use newsdedup::merge::{DiscrepancyKind, MergeConfig, MergedStory, Merger, Source};
use newsdedup::report::merge as merge_report;
use newsdedup::{Article, Corpus, Deduplicator};
use rayon::prelude::*;
use serde_json::Value;

use super::args::{MergeArgs, MergeEvalArgs, MergeFormat};
use super::output::{self, Guard, Output};
use super::progress::Bars;

pub fn run(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    if args.min_sources == 0 {
        bail!("--min-sources must be at least 1");
    }
    let bars = Bars::new();
    let config = args.detect.config();
    let merger = Merger::new(MergeConfig {
        align_threshold: args.align_threshold,
        boilerplate: config.boilerplate.clone(),
        ..MergeConfig::default()
    })
    .context("invalid settings")?;
    let dedup = Deduplicator::new(config).context("invalid settings")?;
    let clusterer = EventClusterer::new(args.events.config(), dedup.config().boilerplate.clone())
        .context("invalid settings")?;
    if args.format == MergeFormat::Html && args.output.is_none() {
        bail!(
            "--format html writes files: name a directory (or a .html file for one event) with -o"
        );
    }
    let corpus = args.detect.open_corpus()?;
    let mut guard = Guard::of_corpus(&corpus, &args.detect.inputs)?;
    if let Some(path) = &args.events_from {
        guard.input(path, "--events-from file")?;
    }
    guard.output("-o", args.output.as_deref())?;
    let outcome = dedup.run(&corpus, &bars)?;
    let table = &outcome.table;

    let mut row_of_seq = vec![u32::MAX; outcome.stats.records];
    for row in 0..table.len() as u32 {
        row_of_seq[table.seq(row)] = row;
    }
    // The event of each row, and the articles of the events to merge (one
    // pass over the corpus; the texts of other events are not kept).
    let wanted =
        |e: Option<&str>| e.is_some() && args.event.as_deref().is_none_or(|w| Some(w) == e);
    let mut articles: Vec<Option<Article>> = vec![None; table.len()];
    let event_of_row: Vec<Option<String>> = if let Some(field) = &args.event_field {
        let mut events = vec![None; table.len()];
        read_rows(&corpus, &row_of_seq, &mut articles, |row, article| {
            events[row] = field_value(&article, field);
            wanted(events[row].as_deref()).then_some(article)
        })?;
        events
    } else {
        let events: Vec<Option<String>> = if args.one_event {
            vec![Some("1".to_string()); table.len()]
        } else if let Some(path) = &args.events_from {
            let map = read_events(path)?;
            (0..table.len() as u32)
                .map(|r| map.get(table.id(r)).cloned())
                .collect()
        } else {
            let events = clusterer.run(&corpus, &outcome, &bars)?;
            events
                .event_of_row
                .iter()
                .map(|e| Some((e + 1).to_string()))
                .collect()
        };
        read_rows(&corpus, &row_of_seq, &mut articles, |row, article| {
            wanted(events[row].as_deref()).then_some(article)
        })?;
        events
    };

    // Events in order of their first article; sources and their copies.
    let mut order: Vec<String> = Vec::new();
    let mut sources: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    let mut copies: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut unlabelled = 0usize;
    for row in 0..table.len() as u32 {
        let Some(event) = event_of_row[row as usize].as_deref() else {
            unlabelled += 1;
            continue;
        };
        if seen.insert(event) {
            order.push(event.to_string());
        }
        let copy_of = outcome
            .duplicate_of(row)
            .map(|(rep, _)| rep)
            .filter(|&rep| {
                !args.keep_copies && event_of_row[rep as usize].as_deref() == Some(event)
            });
        match copy_of {
            Some(rep) => copies
                .entry(rep)
                .or_default()
                .push(table.id(row).to_string()),
            None => sources.entry(event).or_default().push(row),
        }
    }
    if let Some(wanted) = &args.event {
        if !seen.contains(wanted.as_str()) {
            let known: Vec<&str> = order.iter().take(10).map(String::as_str).collect();
            bail!(
                "no event {wanted:?} in the input (events: {}{})",
                known.join(", "),
                if order.len() > 10 { ", …" } else { "" }
            );
        }
        order.retain(|e| e == wanted);
    }
    let (chosen, small): (Vec<&String>, Vec<&String>) = order
        .iter()
        .partition(|e| sources.get(e.as_str()).map_or(0, Vec::len) >= args.min_sources);
    let stories: Vec<MergedStory> = chosen
        .par_iter()
        .map(|event| {
            let srcs = sources[event.as_str()]
                .iter()
                .filter_map(|&row| {
                    articles[row as usize].clone().map(|article| Source {
                        article,
                        copies: copies.get(&row).cloned().unwrap_or_default(),
                    })
                })
                .collect();
            merger.merge(event, srcs, outcome.freq.as_ref())
        })
        .collect();

    write(args, &stories, &mut guard)?;
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &stories {
        for (k, n) in s.kind_counts() {
            *kinds.entry(k.as_str()).or_default() += n;
        }
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    eprintln!(
        "read {} records ({} rejected): merged {} events with {} sources: {} shared facts, {} claims in one source, {} discrepancies{}; {} events with fewer than {} sources not merged{}",
        outcome.stats.records,
        outcome.stats.rejected,
        stories.len(),
        stories.iter().map(|s| s.sources.len()).sum::<usize>(),
        stories.iter().map(|s| s.facts.len()).sum::<usize>(),
        stories.iter().map(|s| s.unique.len()).sum::<usize>(),
        stories.iter().map(|s| s.discrepancies.len()).sum::<usize>(),
        if kinds.is_empty() { String::new() } else { format!(" ({})", kinds.join(", ")) },
        small.len(),
        args.min_sources,
        if unlabelled > 0 {
            format!("; {unlabelled} articles without an event")
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// Parses every record that has a table row and stores what `keep` returns
/// for it (by row).
fn read_rows(
    corpus: &Corpus,
    row_of_seq: &[u32],
    articles: &mut [Option<Article>],
    mut keep: impl FnMut(usize, Article) -> Option<Article>,
) -> anyhow::Result<()> {
    for record in corpus.records() {
        let record = record?;
        let Some(&row) = row_of_seq.get(record.seq).filter(|&&r| r != u32::MAX) else {
            continue;
        };
        if let Ok(article) = record.parse() {
            articles[row as usize] = keep(row as usize, article);
        }
    }
    Ok(())
}

/// An input field as an event label: a string, or a number written as JSON.
fn field_value(article: &Article, field: &str) -> Option<String> {
    match field {
        "id" => Some(article.id.clone()),
        "source" => article.source.clone(),
        "url" => article.url.clone(),
        "published" => article.published.clone(),
        "title" => article.title.clone(),
        _ => match article.extra.get(field)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        },
    }
}

/// Reads `id` → `event` from a `cluster -o` file.
fn read_events(path: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut map = BTreeMap::new();
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let at = || format!("{}:{}", path.display(), n + 1);
        let value: Value =
            serde_json::from_str(&line).with_context(|| format!("{}: not JSON", at()))?;
        // Rejected records are listed in a cluster file too; they have no event.
        if value.get("status").and_then(Value::as_str) == Some("rejected") {
            continue;
        }
        let id = match value.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => bail!("{}: no \"id\" field", at()),
        };
        let event = match value.get("event") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => bail!("{}: no \"event\" field", at()),
        };
        map.insert(id, event);
    }
    Ok(map)
}

fn write(args: &MergeArgs, stories: &[MergedStory], guard: &mut Guard) -> anyhow::Result<()> {
    let path = args.output.as_deref();
    match args.format {
        MergeFormat::Json | MergeFormat::Md => {
            let mut w = Output::create(path)?;
            let name = w.name().to_path_buf();
            if args.format == MergeFormat::Json {
                merge_report::write_json(stories, &mut w, &name)?;
            } else {
                merge_report::write_markdown(stories, &mut w, &name)?;
            }
            w.commit()
        }
        MergeFormat::Html => {
            let path = path.context("--format html needs -o")?;
            if path.extension().is_some_and(|e| e == "html") {
                let [story] = stories else {
                    bail!(
                        "{} is one page but {} events were merged: name a directory, or pick one with --event",
                        path.display(),
                        stories.len()
                    );
                };
                write_file(path, &merge_report::html_page(story))
            } else {
                std::fs::create_dir_all(path)
                    .with_context(|| format!("cannot create directory {}", path.display()))?;
                let mut pages: Vec<(std::path::PathBuf, String)> = stories
                    .iter()
                    .map(|s| {
                        (
                            path.join(merge_report::page_name(&s.event)),
                            merge_report::html_page(s),
                        )
                    })
                    .collect();
                pages.push((path.join("index.html"), merge_report::html_index(stories)));
                for (page, _) in &pages {
                    guard.output("-o", Some(page))?;
                }
                pages
                    .iter()
                    .try_for_each(|(page, text)| write_file(page, text))
            }
        }
    }
}

/// Writes one whole file (staged, then moved into place).
fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut w = Output::create(Some(path))?;
    w.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    w.commit()
}

/// `newsdedup merge-eval`: inject discrepancies into real articles, merge
/// each original with its edited version, and print recall and precision per kind.
pub fn eval(args: &MergeEvalArgs) -> anyhow::Result<ExitCode> {
    let mut guard = Guard::default();
    guard.input(&args.from, "input")?;
    guard.output("--write-pairs", args.write_pairs.as_deref())?;
    guard.output("--errors", args.errors.as_deref())?;
    let open = |p: Option<&Path>| p.map(|p| Output::create(Some(p))).transpose();
    let (mut pairs_out, mut errors_out) = (
        open(args.write_pairs.as_deref())?,
        open(args.errors.as_deref())?,
    );
    let originals = output::read_all(&args.from)?;
    let pairs: Vec<Pair> = originals
        .iter()
        .filter_map(|a| make_pair(a, args.seed))
        .collect();
    if let Some(w) = &mut pairs_out {
        let values = pairs.iter().flat_map(Pair::to_json);
        output::write_json_lines(w, values)?;
    }
    let merger = Merger::new(MergeConfig::default())?;
    let stories: Vec<MergedStory> = pairs
        .par_iter()
        .map(|p| {
            let sources = vec![
                Source {
                    article: p.original.clone(),
                    copies: Vec::new(),
                },
                Source {
                    article: p.edited.clone(),
                    copies: Vec::new(),
                },
            ];
            merger.merge(&p.original.id, sources, None)
        })
        .collect();
    let mut scores: BTreeMap<DiscrepancyKind, KindScore> = BTreeMap::new();
    let mut misses = Vec::new();
    for (p, s) in pairs.iter().zip(&stories) {
        score_pair(p, s, &mut scores, &mut misses);
    }
    if let Some(w) = &mut errors_out {
        output::write_json_lines(w, &misses)?;
    }
    output::commit_all(pairs_out.into_iter().chain(errors_out))?;
    let neutral: usize = pairs.iter().map(|p| p.neutral).sum();
    let mut out = Output::stdout();
    let mut table = format!(
        "{} articles, {} with edits; {} neutral edits (rewording, a moved paragraph) that must not be reported\n\n| kind | injected | found | recall | reported | correct | precision |\n|---|---:|---:|---:|---:|---:|---:|\n",
        originals.len(),
        pairs.len(),
        neutral
    );
    for kind in DiscrepancyKind::ALL {
        let s = scores.get(&kind).copied().unwrap_or_default();
        table.push_str(&format!(
            "| {kind} | {} | {} | {:.3} | {} | {} | {:.3} |\n",
            s.injected,
            s.found,
            s.recall(),
            s.reported,
            s.correct,
            s.precision()
        ));
    }
    out.write_all(table.as_bytes())
        .context("cannot write <stdout>")?;
    out.commit()?;
    Ok(ExitCode::SUCCESS)
}
