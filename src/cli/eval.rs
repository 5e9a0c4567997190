//! `newsdedup eval`: run duplicate detection and score it against gold labels.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use newsdedup::eval::score;
use newsdedup::{Corpus, Deduplicator};

use super::args::EvalArgs;
use super::progress::Bars;

pub fn run(args: &EvalArgs) -> anyhow::Result<ExitCode> {
    if args.detect.inputs.is_empty() {
        bail!("no input given");
    }
    let mut config = args.detect.config();
    config.label_fields = std::iter::once(args.gold_field.clone())
        .chain(args.negative_field.clone())
        .collect();
    let dedup = Deduplicator::new(config).context("invalid settings")?;
    let corpus = Corpus::open(&args.detect.inputs())?.with_max_bytes(args.detect.max_bytes);
    let outcome = dedup.run(&corpus, &Bars::new())?;
    let t = &outcome.table;
    let mut predicted = Vec::new();
    let mut gold: Vec<Arc<str>> = Vec::new();
    let mut negative: Vec<Option<Arc<str>>> = Vec::new();
    for row in 0..t.len() as u32 {
        let labels = t.labels(row);
        let Some(g) = &labels[0] else { continue };
        predicted.push(
            outcome.group_of[row as usize].map_or(u64::from(row), |g| u64::from(g) | 1 << 40),
        );
        gold.push(g.clone());
        negative.push(labels.get(1).cloned().flatten());
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
    if args.json {
        println!("{}", serde_json::to_string_pretty(&scores)?);
    } else {
        println!("{scores}");
        if unlabelled > 0 {
            println!(
                "({unlabelled} articles without {:?} were not scored)",
                args.gold_field
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
