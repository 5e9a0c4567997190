//! `newsdedup dedup`: run the near-duplicate job and write its outputs.

use std::process::ExitCode;

use anyhow::{bail, Context};
use newsdedup::events::EventClusterer;
use newsdedup::lsh::LshParams;
use newsdedup::{report, Corpus, DedupOutcome, Deduplicator};

use super::args::DedupArgs;
use super::output;
use super::progress::Bars;

pub fn run(args: &DedupArgs) -> anyhow::Result<ExitCode> {
    let mut config = args.detect.config();
    config.collect_boilerplate = args.report_boilerplate.is_some();
    let dedup = Deduplicator::new(config).context("invalid settings")?;
    let lsh = dedup.config().lsh_params();
    if args.explain_threshold {
        let text = explain(&lsh, dedup.config());
        if args.detect.inputs.is_empty() {
            print!("{text}");
            return Ok(ExitCode::SUCCESS);
        }
        eprint!("{text}");
    }
    if args.detect.inputs.is_empty() {
        bail!("no input given: name JSON Lines files, directories of .txt files, or - for stdin");
    }
    let corpus = Corpus::open(&args.detect.inputs())?.with_max_bytes(args.detect.reading.max_bytes);
    let bars = Bars::new();
    let outcome = dedup.run(&corpus, &bars)?;
    write_outputs(args, &corpus, &outcome, &bars)?;
    eprintln!("{}", summary(&outcome));
    if let Some(path) = &args.events {
        let clusterer = EventClusterer::new(
            args.event_flags.config(),
            dedup.config().boilerplate.clone(),
        )
        .context("invalid settings")?;
        let events = clusterer.run(&corpus, &outcome, &bars)?;
        let (mut w, name) = output::create(Some(path))?;
        report::write_events(&outcome, &events, &mut w, &name)?;
        eprintln!(
            "events: {} ({} with more than one article) written to {}",
            events.stats.events,
            events.stats.multi_article_events,
            name.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn write_outputs(
    args: &DedupArgs,
    corpus: &Corpus,
    outcome: &DedupOutcome,
    bars: &Bars,
) -> anyhow::Result<()> {
    match &args.output {
        Some(path) => {
            let (mut w, name) = output::create(Some(path))?;
            report::write_cleaned(corpus, outcome, &mut w, &name, bars)?;
        }
        None => {
            let (mut w, name) = output::create(None)?;
            report::write_text_report(outcome, &mut w, &name)?;
        }
    }
    if let Some(path) = &args.report {
        let (mut w, name) = output::create(Some(path))?;
        report::write_removed(outcome, args.rejected.is_none(), &mut w, &name)?;
    }
    if let Some(path) = &args.rejected {
        let (mut w, name) = output::create(Some(path))?;
        report::write_rejected(outcome, &mut w, &name)?;
    }
    if let Some(path) = &args.report_boilerplate {
        let (mut w, name) = output::create(Some(path))?;
        report::write_boilerplate(outcome, &mut w, &name)?;
    }
    Ok(())
}

fn summary(o: &DedupOutcome) -> String {
    let s = &o.stats;
    let mut text = format!(
        "read {} records: kept {}, removed {} duplicates in {} groups, rejected {}",
        s.records, s.kept, s.removed, s.groups, s.rejected
    );
    text.push_str(&format!(
        "; {} candidate pairs checked, {} read, {} verified",
        s.candidate_pairs, s.sets_read, s.verified_pairs
    ));
    if s.stripped_lines > 0 {
        text.push_str(&format!(
            "; stripped {} boilerplate lines",
            s.stripped_lines
        ));
    }
    if s.rejected > 0 && o.rejected.len() <= 5 {
        for r in &o.rejected {
            text.push_str(&format!("\n  rejected {}: {}", r.location, r.reason));
        }
    }
    text
}

fn explain(lsh: &LshParams, config: &newsdedup::DedupConfig) -> String {
    let mut out = format!(
        "LSH: {} bands x {} rows of {} slots (tuned for Jaccard {}); P(candidate) = 1 - (1 - s^{})^{}\n",
        lsh.bands, lsh.rows, config.minhash.num_perm, config.candidate_threshold, lsh.rows, lsh.bands
    );
    out.push_str(&format!(
        "candidates are copies when Jaccard >= {} or containment >= {} (with >= {} of the shared shingles in order)\n",
        config.threshold, config.containment, config.containment_order
    ));
    out.push_str("similarity  P(candidate)\n");
    for (s, p) in lsh.s_curve().into_iter().skip(2) {
        let bar = "#".repeat((p * 40.0).round() as usize);
        out.push_str(&format!("   {s:.1}      {p:>7.4}  {bar}\n"));
    }
    out.push_str(&format!(
        "midpoint (P = 0.5) at similarity {:.3}\n",
        lsh.midpoint()
    ));
    out
}
