//! `newsdedup eval`: run duplicate detection and score it against gold labels.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use newsdedup::bench::eval::{self, score};
use newsdedup::events::places::{venue_set, Gazetteer};
use newsdedup::events::EventClusterer;
use newsdedup::{Corpus, Deduplicator};

use super::args::{EvalArgs, Level};
use super::output;
use super::progress::Bars;

pub fn run(args: &EvalArgs) -> anyhow::Result<ExitCode> {
    if args.detect.inputs.is_empty() {
        bail!("no input given");
    }
    let mut config = args.detect.config();
    config.label_fields = std::iter::once(args.gold_field.clone())
        .chain(args.negative_field.clone())
        .collect();
    config.label_fields.extend(args.by.clone());
    let by_index = config.label_fields.len() - 1;
    let dedup = Deduplicator::new(config).context("invalid settings")?;
    let clusterer = EventClusterer::new(args.events.config(), dedup.config().boilerplate.clone())
        .context("invalid settings")?;
    let reading = &args.detect.reading;
    let corpus = Corpus::open_as(&args.detect.inputs(), reading.input_format())?
        .with_max_bytes(reading.max_bytes);
    let bars = Bars::new();
    let outcome = dedup.run(&corpus, &bars)?;
    let events = match args.level {
        Level::Event => Some(clusterer.run(&corpus, &outcome, &bars)?),
        Level::Duplicate => None,
    };
    let t = &outcome.table;
    let mut predicted = Vec::new();
    let mut gold: Vec<Arc<str>> = Vec::new();
    let mut negative: Vec<Option<Arc<str>>> = Vec::new();
    let mut by: Vec<Option<Arc<str>>> = Vec::new();
    for row in 0..t.len() as u32 {
        let labels = t.labels(row);
        let Some(g) = &labels[0] else { continue };
        predicted.push(match &events {
            Some(e) => u64::from(e.event_of_row[row as usize]),
            None => {
                outcome.group_of[row as usize].map_or(u64::from(row), |g| u64::from(g) | 1 << 40)
            }
        });
        gold.push(g.clone());
        negative.push(labels.get(1).cloned().flatten());
        by.push(labels.get(by_index).cloned().flatten());
    }
    if gold.is_empty() {
        bail!("no article has the gold field {:?}", args.gold_field);
    }
    let scores = score(
        &predicted,
        &gold,
        args.negative_field.as_ref().map(|_| &negative[..]),
    );
    let unlabelled = t.len() - gold.len();
    // With events and a negative label: how venues split pairs of one topic.
    let venues = events
        .as_ref()
        .filter(|_| args.negative_field.is_some())
        .map(|e| {
            let sets: Vec<Vec<u32>> = (0..t.len() as u32)
                .filter(|&row| t.labels(row)[0].is_some())
                .map(|row| {
                    let read = outcome.duplicate_of(row).map_or(row, |(rep, _)| rep);
                    e.index_of_row(read)
                        .map_or_else(Vec::new, |i| venue_set(&e.venues[i]))
                })
                .collect();
            let g = Gazetteer::shipped();
            eval::venue_pairs(&sets, &gold, &negative, |a, b| g.sets_compatible(a, b))
        });
    let parts = match &args.by {
        Some(_) => eval::by_part(&predicted, &gold, &by),
        None => Vec::new(),
    };
    if args.json {
        let value = serde_json::json!({
            "level": format!("{:?}", args.level).to_lowercase(),
            "overall": scores,
            "venues": venues,
            "by": args.by,
            "parts": parts.iter().map(|p| serde_json::json!({
                "value": &*p.value,
                "articles": p.articles,
                "gold_clusters": p.gold_clusters,
                "predicted_clusters": p.predicted_clusters,
                "scores": p.scores,
            })).collect::<Vec<_>>(),
        });
        output::print(&format!("{}\n", serde_json::to_string_pretty(&value)?))?;
    } else {
        let mut text = format!("{scores}\n");
        if let Some(v) = &venues {
            text.push_str(&format!("{v}\n"));
        }
        if let Some(field) = &args.by {
            text.push_str(&format!("{}\n", eval::by_table(field, &parts)));
        }
        if unlabelled > 0 {
            text.push_str(&format!(
                "({unlabelled} articles without {:?} were not scored)\n",
                args.gold_field
            ));
        }
        output::print(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
