//! `newsdedup dedup`: run the near-duplicate job and write its outputs.

use std::process::ExitCode;

use anyhow::Context;
use newsdedup::events::{EventClusterer, EventOutcome};
use newsdedup::merge::{MergeConfig, Merger};
use newsdedup::report::CopyChanges;
use newsdedup::sketch::lsh::LshParams;
use newsdedup::{report, Corpus, DedupOutcome, Deduplicator, InputFormat};

use super::args::{DedupArgs, OutputFormatArg};
use super::output::{self, Guard, Output, StagedDir};
use super::progress::Bars;

pub fn run(args: &DedupArgs) -> anyhow::Result<ExitCode> {
    let mut config = args.detect.config();
    config.collect_boilerplate = args.report_boilerplate.is_some();
    let dedup = Deduplicator::new(config).context("invalid settings")?;
    let clusterer = match &args.events {
        Some(_) => Some(
            EventClusterer::new(
                args.event_flags.config(),
                dedup.config().boilerplate.clone(),
            )
            .context("invalid settings")?,
        ),
        None => None,
    };
    let lsh = dedup.config().lsh_params();
    if args.explain_threshold {
        let text = explain(&lsh, dedup.config());
        if args.detect.inputs.is_empty() {
            output::print(&text)?;
            return Ok(ExitCode::SUCCESS);
        }
        eprint!("{text}");
    }
    let corpus = args.detect.open_corpus()?;
    let outputs = Outputs::create(args, &corpus)?;
    let bars = Bars::new();
    let outcome = dedup.run(&corpus, &bars)?;
    let events = match &clusterer {
        Some(clusterer) => Some(clusterer.run(&corpus, &outcome, &bars)?),
        None => None,
    };
    let changes = if args.changes {
        let merger = Merger::new(MergeConfig {
            boilerplate: dedup.config().boilerplate.clone(),
            ..MergeConfig::default()
        })
        .context("invalid settings")?;
        Some(merger.copy_changes(&corpus, &outcome, &bars)?)
    } else {
        None
    };
    outputs.write(&corpus, &outcome, events.as_ref(), changes.as_ref(), &bars)?;
    eprintln!("{}", summary(&outcome, changes.as_ref()));
    if let (Some(events), Some(path)) = (&events, &args.events) {
        eprintln!(
            "events: {} ({} with more than one article) written to {}",
            events.stats.events,
            events.stats.multi_article_events,
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What the cleaned corpus is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cleaned {
    /// No `-o`: the text report.
    Report,
    /// JSON Lines records as read (`.txt` articles as JSON objects).
    JsonLines,
    /// The fields of the kept records (extracted from pages).
    Fields,
    /// The kept WARC records byte for byte.
    Warc,
    /// The kept HTML files, copied into a directory.
    Files,
}

impl Cleaned {
    /// From the flags and the kinds of input.
    fn choose(args: &DedupArgs, corpus: &Corpus) -> anyhow::Result<Self> {
        let Some(path) = &args.output else {
            return Ok(Cleaned::Report);
        };
        let formats = corpus.formats();
        let pages = formats
            .iter()
            .any(|f| matches!(f, InputFormat::Html | InputFormat::Warc));
        let name = path.to_string_lossy().to_lowercase();
        let jsonl_name = [".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz"]
            .iter()
            .any(|e| name.ends_with(e));
        match args.output_format {
            OutputFormatArg::Fields => return Ok(Cleaned::Fields),
            OutputFormatArg::Auto if pages && jsonl_name => return Ok(Cleaned::Fields),
            OutputFormatArg::Auto | OutputFormatArg::Records => {}
        }
        if !pages {
            return Ok(Cleaned::JsonLines);
        }
        match formats.as_slice() {
            [InputFormat::Warc] => Ok(Cleaned::Warc),
            [InputFormat::Html] if path.as_os_str() != "-" => Ok(Cleaned::Files),
            [InputFormat::Html] => anyhow::bail!(
                "-o -: kept HTML files are copied into a directory; name one, or write their fields with --output-format fields"
            ),
            _ => anyhow::bail!(
                "-o {}: inputs of several kinds cannot be written as read into one output; write their fields with --output-format fields (or name a .jsonl file)",
                path.display()
            ),
        }
    }
}

/// The files `dedup` writes, checked and opened before the run.
struct Outputs {
    main: Option<Output>,
    files: Option<StagedDir>,
    cleaned: Cleaned,
    report: Option<Output>,
    rejected: Option<Output>,
    boilerplate: Option<Output>,
    events: Option<Output>,
    rejected_in_report: bool,
}

impl Outputs {
    fn create(args: &DedupArgs, corpus: &Corpus) -> anyhow::Result<Self> {
        let mut guard = Guard::of_corpus(corpus, &args.detect.inputs)?;
        guard.output("-o", args.output.as_deref())?;
        guard.output("--report", args.report.as_deref())?;
        guard.output("--rejected", args.rejected.as_deref())?;
        guard.output("--report-boilerplate", args.report_boilerplate.as_deref())?;
        guard.output("--events", args.events.as_deref())?;
        let open = |p: &Option<std::path::PathBuf>| -> anyhow::Result<Option<Output>> {
            p.as_deref().map(|p| Output::create(Some(p))).transpose()
        };
        let cleaned = Cleaned::choose(args, corpus)?;
        let (main, files) = match (cleaned, &args.output) {
            (Cleaned::Files, Some(dir)) => (None, Some(StagedDir::create(dir)?)),
            _ => (Some(Output::create(args.output.as_deref())?), None),
        };
        Ok(Outputs {
            main,
            files,
            cleaned,
            report: open(&args.report)?,
            rejected: open(&args.rejected)?,
            boilerplate: open(&args.report_boilerplate)?,
            events: open(&args.events)?,
            rejected_in_report: args.rejected.is_none(),
        })
    }

    /// Writes every output, then moves them all into place.
    fn write(
        mut self,
        corpus: &Corpus,
        outcome: &DedupOutcome,
        events: Option<&EventOutcome>,
        changes: Option<&CopyChanges>,
        bars: &Bars,
    ) -> anyhow::Result<()> {
        if let Some(main) = &mut self.main {
            let name = main.name().to_path_buf();
            match self.cleaned {
                Cleaned::Report => report::write_text_report(outcome, changes, main, &name)?,
                Cleaned::JsonLines => report::write_cleaned(corpus, outcome, main, &name, bars)?,
                Cleaned::Fields => {
                    report::write_cleaned_fields(corpus, outcome, main, &name, bars)?
                }
                Cleaned::Warc => report::write_cleaned_warc(corpus, outcome, main, &name, bars)?,
                Cleaned::Files => {}
            }
        }
        if let Some(dir) = &self.files {
            copy_kept_files(corpus, outcome, dir)?;
        }
        if let Some(w) = &mut self.report {
            let name = w.name().to_path_buf();
            report::write_removed(outcome, changes, self.rejected_in_report, w, &name)?;
        }
        if let Some(w) = &mut self.rejected {
            let name = w.name().to_path_buf();
            report::write_rejected(outcome, w, &name)?;
        }
        if let Some(w) = &mut self.boilerplate {
            let name = w.name().to_path_buf();
            report::write_boilerplate(outcome, w, &name)?;
        }
        if let (Some(w), Some(events)) = (&mut self.events, events) {
            let name = w.name().to_path_buf();
            report::write_events(outcome, events, w, &name)?;
        }
        let files = [
            self.main,
            self.report,
            self.rejected,
            self.boilerplate,
            self.events,
        ];
        output::commit_all(files.into_iter().flatten())?;
        self.files.map_or(Ok(()), StagedDir::commit)
    }
}

/// Copies every kept HTML file, as it is, into the output directory.
fn copy_kept_files(corpus: &Corpus, outcome: &DedupOutcome, dir: &StagedDir) -> anyhow::Result<()> {
    let kept = outcome.kept_seqs();
    for record in corpus.records() {
        let record = record?;
        if !kept.get(record.seq).copied().unwrap_or(false) {
            continue;
        }
        let name = std::path::Path::new(&*record.location.file)
            .file_name()
            .with_context(|| format!("{}: no file name", record.location))?;
        let mut out = dir.file(name)?;
        if !corpus.copy_as_read(&record, &mut out)? {
            anyhow::bail!("{}: not an HTML file", record.location);
        }
        std::io::Write::flush(&mut out)
            .with_context(|| format!("cannot write {}", name.to_string_lossy()))?;
    }
    Ok(())
}

fn summary(o: &DedupOutcome, changes: Option<&CopyChanges>) -> String {
    let s = &o.stats;
    let count = |status: &str| {
        o.rejected
            .iter()
            .filter(|r| r.reason.status() == status)
            .count()
    };
    let (no_content, skipped) = (count("no_content"), count("skipped"));
    let mut text = format!(
        "read {} records: kept {}, removed {} duplicates in {} groups, rejected {}",
        s.records, s.kept, s.removed, s.groups, s.rejected
    );
    let mut why = Vec::new();
    if no_content > 0 {
        why.push(format!("{no_content} pages with no article text"));
    }
    if skipped > 0 {
        why.push(format!("{skipped} WARC records that are not pages"));
    }
    if !why.is_empty() {
        text.push_str(&format!(" ({})", why.join(", ")));
    }
    if let Some(changes) = changes {
        let changed = changes.values().filter(|c| !c.is_empty()).count();
        let facts: usize = changes.values().map(Vec::len).sum();
        text.push_str(&format!(
            "; {changed} of the {} copies changed facts ({facts} changes)",
            changes.len()
        ));
    }
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
    let listed: Vec<_> = o
        .rejected
        .iter()
        .filter(|r| r.reason.status() != "skipped")
        .collect();
    if !listed.is_empty() && listed.len() <= 5 {
        for r in listed {
            text.push_str(&format!(
                "\n  {} {}: {}",
                r.reason.status(),
                r.location,
                r.reason
            ));
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
        "candidates are copies when Jaccard >= {} or containment >= {} (with >= {} of the shared shingles in order), unless both have an unshared middle of >= {} of their length\n",
        config.threshold, config.containment, config.containment_order, config.unshared_middle
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
