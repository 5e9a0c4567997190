//! `newsdedup merge`: merged stories of events (shared facts, claims of one
//! source, discrepancies) as JSON, Markdown or HTML.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};
use newsdedup::bench::inject::{make_pair, score_copies, score_pair, KindScore, Pair};
use newsdedup::events::EventClusterer;
use newsdedup::merge::{
    DiscrepancyKind, EventSource, MergeConfig, MergeJob, MergeOutcome, MergedStory, Merger,
    Relation, Source,
};
use newsdedup::report::merge as merge_report;
use newsdedup::Deduplicator;
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
    let events = if let Some(field) = &args.event_field {
        EventSource::Field(field.clone())
    } else if args.one_event {
        EventSource::One
    } else if let Some(path) = &args.events_from {
        EventSource::Given(read_events(path)?)
    } else {
        EventSource::Cluster(clusterer)
    };
    let job = MergeJob {
        dedup,
        merger,
        events,
        keep_copies: args.keep_copies,
        min_sources: args.min_sources,
        only: args.event.clone(),
    };
    let MergeOutcome {
        stories,
        too_small,
        unlabelled,
        dedup: outcome,
    } = job.run(&corpus, &bars)?;

    write(args, &stories, &mut guard)?;
    let kinds = |relation: Relation| -> (usize, String) {
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &stories {
            for (k, n) in s.kind_counts(relation) {
                *kinds.entry(k.as_str()).or_default() += n;
            }
        }
        let list: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let list = if list.is_empty() {
            String::new()
        } else {
            format!(" ({})", list.join(", "))
        };
        (kinds.values().sum(), list)
    };
    let (between, between_kinds) = kinds(Relation::Sources);
    let (changed, changed_kinds) = kinds(Relation::Copy);
    eprintln!(
        "read {} records ({} rejected): merged {} events with {} sources and {} copies: {} shared facts, {} claims in one source, {} discrepancies{}, {} facts changed in copies{}; {} events with fewer than {} sources and no changed copy not merged{}",
        outcome.stats.records,
        outcome.stats.rejected,
        stories.len(),
        stories.iter().map(|s| s.sources.len()).sum::<usize>(),
        stories.iter().flat_map(|s| &s.sources).map(|s| s.copies.len()).sum::<usize>(),
        stories.iter().map(|s| s.facts.len()).sum::<usize>(),
        stories.iter().map(|s| s.unique.len()).sum::<usize>(),
        between,
        between_kinds,
        changed,
        changed_kinds,
        too_small,
        args.min_sources,
        if unlabelled > 0 {
            format!("; {unlabelled} articles without an event")
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
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
    if args.copies {
        return eval_copies(args, &originals, pairs_out, errors_out);
    }
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
    let head = format!(
        "{} articles, {} with edits; {} neutral edits (rewording, a moved paragraph) that must not be reported",
        originals.len(),
        pairs.len(),
        neutral
    );
    print_scores(&head, &scores)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints a heading and the per-kind table of recall and precision.
fn print_scores(head: &str, scores: &BTreeMap<DiscrepancyKind, KindScore>) -> anyhow::Result<()> {
    let mut out = Output::stdout();
    let mut table = format!(
        "{head}\n\n| kind | injected | found | recall | reported | correct | precision |\n|---|---:|---:|---:|---:|---:|---:|\n"
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
    out.commit()
}

/// `merge-eval --copies`: each article with a copy that changed one fact
/// (per kind) or made neutral edits only, through `merge` at its defaults.
fn eval_copies(
    args: &MergeEvalArgs,
    originals: &[newsdedup::Article],
    mut pairs_out: Option<Output>,
    mut errors_out: Option<Output>,
) -> anyhow::Result<ExitCode> {
    let dedup = Deduplicator::new(newsdedup::DedupConfig::default())?;
    let merger = Merger::new(MergeConfig {
        boilerplate: dedup.config().boilerplate.clone(),
        ..MergeConfig::default()
    })?;
    let job = MergeJob {
        dedup,
        merger,
        events: EventSource::One,
        keep_copies: false,
        min_sources: 2,
        only: None,
    };
    let result = score_copies(originals, args.seed, &job)?;
    if let Some(w) = &mut pairs_out {
        output::write_json_lines(w, result.pairs.iter().flat_map(Pair::to_json))?;
    }
    if let Some(w) = &mut errors_out {
        output::write_json_lines(w, &result.misses)?;
    }
    output::commit_all(pairs_out.into_iter().chain(errors_out))?;
    let head = format!(
        "{} articles ({} once copies among them are removed); {} copies that changed one fact, {} with neutral edits only (rewording, a moved paragraph, spacing, a chrome line): {} of those reported as changed ({:.1}%); {} copies not found as copies by dedup",
        originals.len(),
        result.originals,
        result.pairs.len() - result.neutral,
        result.neutral,
        result.neutral_flagged,
        100.0 * result.neutral_flagged as f64 / result.neutral.max(1) as f64,
        result.not_copies
    );
    print_scores(&head, &result.scores)?;
    Ok(ExitCode::SUCCESS)
}
