//! `newsdedup cluster`: remove copies, then group the rest into events.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context};
use newsdedup::events::{parse_day, EventClusterer, EventOutcome};
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
        let text = explain(&outcome, &events, id, config.threshold, config.window_days)?;
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
    eprintln!("{}", summary(&outcome, &events));
    Ok(ExitCode::SUCCESS)
}

pub fn summary(o: &DedupOutcome, e: &EventOutcome) -> String {
    let s = &o.stats;
    format!(
        "read {} records: {} events ({} with more than one article) over {} articles after removing {} copies; rejected {}",
        s.records,
        e.stats.events,
        e.stats.multi_article_events,
        e.stats.vectors,
        s.removed,
        s.rejected
    )
}

/// Why an article is in its event: its nearest neighbours with their
/// similarity, event and the terms that made them similar, and its mean
/// similarity to the rest of its event.
fn explain(
    o: &DedupOutcome,
    e: &EventOutcome,
    id: &str,
    threshold: f32,
    window: Option<u32>,
) -> anyhow::Result<String> {
    let t = &o.table;
    let Some(row) = (0..t.len() as u32).find(|&r| t.id(r) == id) else {
        bail!("no article with id {id:?} in the input (rejected records cannot be explained)");
    };
    let event = e.event_of_row[row as usize];
    let ev = &e.events[event as usize];
    let mut text = format!(
        "{id} is in event {} ({} articles)\n",
        event + 1,
        ev.rows.len()
    );
    let mut rep = row;
    if let Some((r, m)) = o.duplicate_of(row) {
        text.push_str(&format!(
            "  it is a copy of {} (Jaccard {:.2}, containment {:.2}) and follows it\n",
            t.id(r),
            m.similarity,
            m.containment
        ));
        rep = r;
    }
    let i = e
        .index_of_row(rep)
        .context("kept article without a vector")?;
    let v = &e.vectors[i];
    let others: Vec<usize> = e
        .rows
        .iter()
        .enumerate()
        .filter(|&(j, &r)| j != i && e.event_of_row[r as usize] == event)
        .map(|(j, _)| j)
        .collect();
    if !others.is_empty() {
        let mean = others.iter().map(|&j| v.dot(&e.vectors[j])).sum::<f32>() / others.len() as f32;
        text.push_str(&format!(
            "  mean similarity to the other {} distinct articles of its event: {mean:.3} (clusters merge at a mean of {threshold})\n",
            others.len(),
        ));
    }
    text.push_str(&format!(
        "  {} terms in its vector; nearest neighbours:\n",
        v.len()
    ));
    for &(j, sim) in &e.graph[i] {
        let r = e.rows[j as usize];
        let gap = t
            .published(rep)
            .and_then(parse_day)
            .zip(t.published(r).and_then(parse_day))
            .map(|(a, b)| (a - b).num_days().abs());
        let same = match (e.event_of_row[r as usize] == event, gap, window) {
            (true, _, _) => "same event".to_string(),
            (false, Some(g), Some(w)) if g > i64::from(w) => {
                format!("other event: published {g} days apart, beyond the {w}-day window")
            }
            (false, _, _) => "other event".to_string(),
        };
        let shared: Vec<String> = v
            .shared_terms(&e.vectors[j as usize])
            .into_iter()
            .take(8)
            .map(|(term, w)| format!("{} {:.3}", e.vocab.surface[term as usize], w))
            .collect();
        text.push_str(&format!(
            "    {:.3}  {} (event {}, {same})\n           shared: {}\n",
            sim,
            t.id(r),
            e.event_of_row[r as usize] + 1,
            shared.join(", ")
        ));
    }
    Ok(text)
}
