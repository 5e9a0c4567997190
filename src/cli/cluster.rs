//! `newsdedup cluster`: remove copies, then group the rest into events.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use newsdedup::events::{EventClusterer, EventOutcome};
use newsdedup::{report, Corpus, DedupOutcome, Deduplicator};

use super::args::{ClusterArgs, DetectArgs, EventArgs};
use super::output::{self, Guard, Output};
use super::progress::Bars;

/// The dedup job and the event clusterer of a command, built (and so
/// their flags checked) before any input is read.
pub struct EventJob {
    dedup: Deduplicator,
    clusterer: EventClusterer,
}

impl EventJob {
    pub fn new(detect: &DetectArgs, events: &EventArgs) -> anyhow::Result<Self> {
        let dedup = Deduplicator::new(detect.config()).context("invalid settings")?;
        let clusterer = EventClusterer::new(events.config(), dedup.config().boilerplate.clone())
            .context("invalid settings")?;
        Ok(EventJob { dedup, clusterer })
    }

    /// Removes copies, then clusters the rest into events.
    pub fn run(
        &self,
        corpus: &Corpus,
        bars: &Bars,
    ) -> anyhow::Result<(DedupOutcome, EventOutcome)> {
        let outcome = self.dedup.run(corpus, bars)?;
        let events = self.clusterer.run(corpus, &outcome, bars)?;
        Ok((outcome, events))
    }
}

pub fn run(args: &ClusterArgs) -> anyhow::Result<ExitCode> {
    let job = EventJob::new(&args.detect, &args.events)?;
    let corpus = args.detect.open_corpus()?;
    let mut guard = Guard::of_corpus(&corpus, &args.detect.inputs)?;
    guard.output("-o", args.output.as_deref())?;
    guard.output("--summary", args.summary.as_deref())?;
    let mut clusters = args
        .output
        .as_deref()
        .map(|p| Output::create(Some(p)))
        .transpose()?;
    let mut summary_file = args
        .summary
        .as_deref()
        .map(|p| Output::create(Some(p)))
        .transpose()?;
    let bars = Bars::new();
    let (outcome, events) = job.run(&corpus, &bars)?;
    let to_stdout = args.output.as_deref().is_some_and(|p| p.as_os_str() == "-");
    if let Some(w) = &mut clusters {
        let name = w.name().to_path_buf();
        report::write_events(&outcome, &events, w, &name)?;
    }
    if let Some(w) = &mut summary_file {
        let name = w.name().to_path_buf();
        report::write_event_summary(&outcome, &events, 0, w, &name)?;
    }
    output::commit_all(clusters.into_iter().chain(summary_file))?;
    if let Some(id) = &args.explain {
        let mut w = Output::stdout();
        let config = args.events.config();
        let text = report::cluster::explain(&outcome, &events, id, &config)?;
        w.write_all(text.as_bytes())
            .context("cannot write <stdout>")?;
        w.commit()?;
    } else if to_stdout {
        let mut err = std::io::stderr().lock();
        report::write_event_summary(&outcome, &events, args.top, &mut err, "<stderr>".as_ref())?;
    } else {
        let mut w = Output::stdout();
        report::write_event_summary(&outcome, &events, args.top, &mut w, "<stdout>".as_ref())?;
        w.commit()?;
    }
    eprintln!("{}", report::cluster::summary(&outcome, &events));
    if let Some(sample) = args.check_recall {
        let config = args.events.config();
        let k = config.neighbours;
        for (what, floor) in [("", 0.0), (" above the event threshold", config.threshold)] {
            let r =
                newsdedup::events::graph_recall(&events.vectors, &events.graph, k, sample, floor);
            eprintln!(
                "neighbour recall@{k}{what} against brute force: {:.4} ({} of {} exact neighbours of {} sampled articles)",
                r.recall(),
                r.found,
                r.exact,
                r.sampled
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
