//! `newsdedup extract`: read every record (HTML pages and WARC records
//! through the extractor), write the fields, and optionally score the text
//! against annotated bodies.

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use newsdedup::bench::extraction::{self, PageMatch};
use newsdedup::dedup::Rejection;
use newsdedup::{ingest, report, Error};

use super::args::ExtractArgs;
use super::output::{self, Guard, Output};
use super::progress::Bars;

/// What one run read.
#[derive(Default)]
struct Counts {
    articles: usize,
    by_status: std::collections::BTreeMap<&'static str, usize>,
    first_rejected: Vec<String>,
}

pub fn run(args: &ExtractArgs) -> anyhow::Result<ExitCode> {
    let corpus = super::open_corpus(&args.inputs, &args.reading)?;
    let mut guard = Guard::of_corpus(&corpus, &args.inputs)?;
    guard.output("-o", args.output.as_deref())?;
    guard.output("--rejected", args.rejected.as_deref())?;
    let mut fields = match (&args.output, &args.score) {
        (None, Some(_)) => None,
        (path, _) => Some(Output::create(path.as_deref())?),
    };
    let mut rejected = args
        .rejected
        .as_deref()
        .map(|p| Output::create(Some(p)))
        .transpose()?;
    let on_error = args.reading.on_error();
    let mut counts = Counts::default();
    let mut texts: HashMap<String, String> = HashMap::new();
    let started = Instant::now();
    ingest::parse_all(&corpus, &Bars::new(), |record, parsed| {
        match parsed {
            Ok(article) => {
                counts.articles += 1;
                if let Some(out) = &mut fields {
                    let name = out.name().to_path_buf();
                    let value = report::fields_json(&article, &record.location);
                    write_json(out, &value).map_err(|e| Error::Io {
                        action: "cannot write",
                        path: name,
                        source: e,
                    })?;
                }
                if args.score.is_some() {
                    let stem = file_stem(&record.location.file);
                    texts.insert(stem.to_string(), article.text.clone());
                    if let Some(url) = &article.url {
                        texts.entry(url.clone()).or_insert(article.text);
                    }
                }
            }
            Err(reason) => {
                if reason.is_input_error() && on_error == newsdedup::OnError::Fail {
                    return Err(Error::BadRecord {
                        location: record.location.clone(),
                        reason,
                    });
                }
                *counts.by_status.entry(reason.status()).or_default() += 1;
                // Records that are not pages are counted, not listed here.
                if counts.first_rejected.len() < 5 && reason.status() != "skipped" {
                    counts.first_rejected.push(format!(
                        "  {} {}: {reason}",
                        reason.status(),
                        record.location
                    ));
                }
                if let Some(out) = &mut rejected {
                    let name = out.name().to_path_buf();
                    let r = Rejection {
                        seq: record.seq,
                        location: record.location.clone(),
                        id: record.id_hint(),
                        reason,
                    };
                    write_json(out, &report::rejection_json(&r)).map_err(|e| Error::Io {
                        action: "cannot write",
                        path: name,
                        source: e,
                    })?;
                }
            }
        }
        Ok(())
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let score = match &args.score {
        Some(path) => Some(score(path, &texts)?),
        None => None,
    };
    output::commit_all(fields.into_iter().chain(rejected))?;
    eprintln!("{}", summary(&counts, seconds));
    if let Some(text) = score {
        output::print(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_json(out: &mut Output, value: &serde_json::Value) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// A file's name up to its first dot: the key the benchmark gives a page.
fn file_stem(file: &str) -> &str {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    name.split('.').next().unwrap_or(name)
}

fn summary(counts: &Counts, seconds: f64) -> String {
    let not_read: usize = counts.by_status.values().sum();
    let total = counts.articles + not_read;
    let mut text = format!(
        "read {total} records: {} articles, {not_read} without one",
        counts.articles
    );
    if not_read > 0 {
        let parts: Vec<String> = counts
            .by_status
            .iter()
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        text.push_str(&format!(" ({})", parts.join(", ")));
    }
    let threads = rayon::current_num_threads();
    text.push_str(&format!(
        "; {seconds:.2} s, {:.0} records/s on {threads} thread{}",
        total as f64 / seconds.max(1e-9),
        if threads == 1 { "" } else { "s" }
    ));
    for line in &counts.first_rejected {
        text.push('\n');
        text.push_str(line);
    }
    text
}

/// Scores the extracted texts against a ground-truth file: one line.
fn score(path: &std::path::Path, texts: &HashMap<String, String>) -> anyhow::Result<String> {
    let truth = extraction::read_ground_truth(path)
        .with_context(|| format!("cannot score against {}", path.display()))?;
    let mut found = 0;
    let matches: Vec<PageMatch> = truth
        .iter()
        .map(|page| {
            let text = texts
                .get(&page.key)
                .or_else(|| page.url.as_ref().and_then(|u| texts.get(u)));
            found += usize::from(text.is_some());
            extraction::match_page(&page.body, text.map_or("", String::as_str))
        })
        .collect();
    let s = extraction::score(&matches);
    Ok(format!(
        "{} annotated pages, {found} extracted: precision {:.3}  recall {:.3}  F1 {:.3}\n",
        s.pages, s.precision, s.recall, s.f1
    ))
}
