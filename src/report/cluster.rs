//! `cluster` reports in words: the summary line and `--explain`.

use crate::dedup::DedupOutcome;
use crate::error::{Error, Result};
use crate::events::dates::{days_apart, DayFrom};
use crate::events::details::{detail_agreement, detail_factor};
use crate::events::places::{venue_set, Gazetteer};
use crate::events::{ClusterConfig, EventOutcome};

/// The one-line summary of a `cluster` run.
pub fn summary(o: &DedupOutcome, e: &EventOutcome) -> String {
    let s = &o.stats;
    let hubs = match e.stats.hubs {
        0 => String::new(),
        n => format!("; {n} hub articles kept out of linkage"),
    };
    format!(
        "read {} records: {} events ({} with more than one article) over {} articles after removing {} copies; rejected {}{hubs}",
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
pub fn explain(
    o: &DedupOutcome,
    e: &EventOutcome,
    id: &str,
    config: &ClusterConfig,
) -> Result<String> {
    let threshold = config.threshold;
    let t = &o.table;
    let Some(row) = (0..t.len() as u32).find(|&r| t.id(r) == id) else {
        return Err(Error::UnknownArticle { id: id.to_string() });
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
        .expect("every kept article has a vector");
    let v = &e.vectors[i];
    match &e.days[i] {
        Some(d) => text.push_str(&format!(
            "  published {} (from {})\n",
            d.date(),
            d.describe()
        )),
        None => {
            text.push_str("  publication day unknown (no published field, no date in its text)\n")
        }
    }
    if e.hubs[i] {
        text.push_str(
            "  a hub: most of its close neighbours are unrelated to each other (a roundup?), so it is kept out of linkage\n",
        );
    }
    let gazetteer = Gazetteer::shipped();
    if e.venues[i].is_empty() {
        text.push_str(
            "  venue unknown (no dateline, no place after in/at/to in its title or lead)\n",
        );
    }
    for v in &e.venues[i] {
        text.push_str(&format!("  venue {}\n", v.describe()));
    }
    let others: Vec<usize> = e
        .rows
        .iter()
        .enumerate()
        .filter(|&(j, &r)| j != i && e.event_of_row[r as usize] == event)
        .map(|(j, _)| j)
        .collect();
    if !others.is_empty() {
        let mean = others
            .iter()
            .map(|&j| e.similarity(i, j, &config.vectors))
            .sum::<f32>()
            / others.len() as f32;
        text.push_str(&format!(
            "  mean similarity to the other {} distinct articles of its event: {mean:.3} (clusters merge at a mean of {threshold})\n",
            others.len(),
        ));
    }
    text.push_str(&format!(
        "  {} terms in its vector; nearest neighbours:\n",
        v.len()
    ));
    // An event's day range: of `published` days only, or of all days.
    let range = |ev: u32, published_only: bool| -> Option<(i64, i64)> {
        e.rows
            .iter()
            .zip(&e.days)
            .filter(|(&r, _)| e.event_of_row[r as usize] == ev)
            .filter_map(|(_, d)| d.as_ref())
            .filter(|d| !published_only || d.from == DayFrom::Published)
            .map(|d| i64::from(d.day))
            .fold(None, |acc, d| {
                Some(acc.map_or((d, d), |(a, b): (i64, i64)| (a.min(d), b.max(d))))
            })
    };
    let my_ranges = (range(event, true), range(event, false));
    for &(j, sim) in &e.graph[i] {
        let r = e.rows[j as usize];
        let theirs_event = e.event_of_row[r as usize];
        // The window a merge of the two events would cross, if any.
        let beyond = |mine: Option<(i64, i64)>, published_only: bool, w: Option<u32>| {
            mine.zip(range(theirs_event, published_only))
                .map(|(x, y)| days_apart(x, y))
                .zip(w)
                .filter(|&(g, w)| g > i64::from(w))
        };
        let (mine, theirs) = (venue_set(&e.venues[i]), venue_set(&e.venues[j as usize]));
        let published = beyond(my_ranges.0, true, config.window_days);
        let from_text = beyond(my_ranges.1, false, config.text_window_days);
        let same = match (theirs_event == event, published, from_text) {
            (true, _, _) => "same event".to_string(),
            (false, Some((g, w)), _) => {
                format!("other event: the events are published {g} days apart, beyond the {w}-day window")
            }
            (false, None, Some((g, w))) => {
                format!("other event: the events' days (read from text) are {g} days apart, beyond the {w}-day text window")
            }
            (false, _, _) if !gazetteer.sets_compatible(&mine, &theirs) => {
                let names = |set: &[u32]| {
                    let mut names: Vec<&str> = set
                        .iter()
                        .map(|&p| gazetteer.place(p).name.as_str())
                        .collect();
                    names.dedup();
                    names.join(", ")
                };
                format!(
                    "other event: venues {} and {} are not compatible",
                    names(&mine),
                    names(&theirs)
                )
            }
            (false, _, _) => "other event".to_string(),
        };
        let shared: Vec<String> = v
            .shared_terms(&e.vectors[j as usize])
            .into_iter()
            .take(8)
            .map(|(term, w)| format!("{} {:.3}", e.vocab.surface[term as usize], w))
            .collect();
        let agreement = detail_agreement(&e.details[i], &e.details[j as usize]);
        let details = match agreement {
            None => "too few names and numbers to compare".to_string(),
            Some(a) if detail_factor(&config.vectors, Some(a)) < 1.0 => format!(
                "{a:.2}, under {}: similarity x {}",
                config.vectors.detail_agreement, config.vectors.detail_factor
            ),
            Some(a) => format!("{a:.2}"),
        };
        text.push_str(&format!(
            "    {:.3}  {} (event {}, {same})\n           shared: {}\n           details agree: {details}\n",
            sim,
            t.id(r),
            e.event_of_row[r as usize] + 1,
            shared.join(", ")
        ));
    }
    Ok(text)
}
