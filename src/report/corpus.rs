//! Outputs of a dedup run: the cleaned corpus (kept records exactly as
//! read), the removal report, the rejected records, the stripped
//! boilerplate, and a readable text report. Writers take any `Write`; the
//! caller names the destination for error messages.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};

use crate::dedup::{Columns, DedupOutcome, Member, Rejection};
use crate::error::{Error, Result};
use crate::events::EventOutcome;
use crate::ingest::{Corpus, RawRecord};
use crate::merge::Change;
use crate::progress::{Progress, Stage};
use crate::report::one_line;

pub(crate) fn io_err(name: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io("cannot write", name, e)
}

pub(crate) fn write_line(
    out: &mut dyn Write,
    value: &impl serde::Serialize,
    name: &Path,
) -> Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(|e| io_err(name)(e.into()))?;
    out.write_all(b"\n").map_err(io_err(name))
}

/// Visits every kept record, in input order. Re-reads the corpus.
///
/// # Errors
/// Reading the corpus, and what `visit` returns.
pub(crate) fn for_each_kept(
    corpus: &Corpus,
    outcome: &DedupOutcome,
    progress: &dyn Progress,
    mut visit: impl FnMut(&RawRecord) -> Result<()>,
) -> Result<()> {
    let kept = outcome.kept_seqs();
    progress.begin(Stage::Write, Some(corpus.total_bytes()));
    for record in corpus.records() {
        let record = record?;
        progress.advance(record.len() as u64);
        if kept.get(record.seq).copied().unwrap_or(false) {
            visit(&record)?;
        }
    }
    progress.end();
    Ok(())
}

/// Writes every kept record, in input order, exactly as it was read
/// (`.txt` articles as JSON objects). Re-reads the corpus.
///
/// # Errors
/// Reading the corpus or writing `out`.
pub fn write_cleaned(
    corpus: &Corpus,
    outcome: &DedupOutcome,
    out: &mut dyn Write,
    name: &Path,
    progress: &dyn Progress,
) -> Result<()> {
    for_each_kept(corpus, outcome, progress, |record| {
        write_as_read(record, out, name)
    })?;
    out.flush().map_err(io_err(name))
}

/// Writes one JSON Lines record exactly as it was read (a `.txt` article
/// as a JSON object), and a line break.
///
/// # Errors
/// Writing `out`; a record with no JSON form.
pub fn write_as_read(record: &RawRecord, out: &mut dyn Write, name: &Path) -> Result<()> {
    let line = record.original_json().ok_or_else(|| Error::BadRecord {
        location: record.location.clone(),
        reason: crate::article::RejectReason::InvalidUtf8(0),
    })?;
    out.write_all(line.as_bytes()).map_err(io_err(name))?;
    out.write_all(b"\n").map_err(io_err(name))
}

/// What each removed copy changed from its kept article, by row (from
/// [`Merger::copy_changes`](crate::merge::Merger::copy_changes)), when asked for.
pub type CopyChanges = BTreeMap<u32, Vec<Change>>;

/// One JSON object per removed duplicate (and, with `with_rejected`, per
/// rejected record), in input order; with `changes`, each duplicate lists
/// the facts it states differently from its kept article (`changes`).
///
/// # Errors
/// Writing `out`.
pub fn write_removed(
    outcome: &DedupOutcome,
    changes: Option<&CopyChanges>,
    with_rejected: bool,
    out: &mut dyn Write,
    name: &Path,
) -> Result<()> {
    let t = &outcome.table;
    in_input_order(outcome, with_rejected, |item| match item {
        Item::Rejected(r) => write_line(out, &rejection_json(r), name),
        Item::Row(row) => match outcome.duplicate_of(row) {
            Some((rep, m)) => {
                let mut value = duplicate_json(t, rep, m);
                if let Some(changes) = changes {
                    value["changes"] = json!(changes.get(&row).map_or(&[][..], Vec::as_slice));
                }
                write_line(out, &value, name)
            }
            None => Ok(()),
        },
    })?;
    out.flush().map_err(io_err(name))
}

/// A removed copy as a report object (id, `duplicate_of`, similarities,
/// where, `via`): `rep` is the row of its kept article.
pub fn duplicate_json(t: &Columns, rep: u32, m: &Member) -> Value {
    let mut value = json!({
        "id": t.id(m.row),
        "status": "duplicate",
        "duplicate_of": t.id(rep),
        "similarity": m.similarity,
        "containment": m.containment,
        "in_order": m.in_order,
    });
    with_location(&mut value, t.location(m.row));
    if let Some(via) = m.via {
        value["via"] = json!(t.id(via));
    }
    value
}

/// A parsed article (by row) or a rejected record.
pub(crate) enum Item<'a> {
    Row(u32),
    Rejected(&'a Rejection),
}

/// Visits every row and (with `with_rejected`) every rejected record in
/// input order: rows and rejections are each in input order already.
pub(crate) fn in_input_order<'a>(
    outcome: &'a DedupOutcome,
    with_rejected: bool,
    mut visit: impl FnMut(Item<'a>) -> Result<()>,
) -> Result<()> {
    let t = &outcome.table;
    let mut rejected = outcome.rejected.iter().filter(|_| with_rejected).peekable();
    for row in 0..t.len() as u32 {
        while let Some(r) = rejected.next_if(|r| r.seq < t.seq(row)) {
            visit(Item::Rejected(r))?;
        }
        visit(Item::Row(row))?;
    }
    rejected.try_for_each(|r| visit(Item::Rejected(r)))
}

/// One JSON object per rejected record, in input order.
///
/// # Errors
/// Writing `out`.
pub fn write_rejected(outcome: &DedupOutcome, out: &mut dyn Write, name: &Path) -> Result<()> {
    for r in &outcome.rejected {
        write_line(out, &rejection_json(r), name)?;
    }
    out.flush().map_err(io_err(name))
}

/// A rejected record as a report object (id, status, reason, message, where).
pub fn rejection_json(r: &Rejection) -> Value {
    let mut value = json!({
        "id": r.id,
        "status": r.reason.status(),
        "reason": r.reason.code(),
        "message": r.reason.to_string(),
    });
    with_location(&mut value, &r.location);
    value
}

/// Adds `file` and `line` (or `offset`) to a report object.
fn with_location(value: &mut Value, location: &crate::article::Location) {
    if let (Value::Object(map), Value::Object(at)) = (value, super::location_json(location)) {
        map.extend(at);
    }
}

/// One JSON object per article that lost lines to boilerplate removal.
///
/// # Errors
/// Writing `out`.
pub fn write_boilerplate(outcome: &DedupOutcome, out: &mut dyn Write, name: &Path) -> Result<()> {
    for (row, lines) in &outcome.stripped {
        let value = json!({ "id": outcome.table.id(*row), "stripped": lines });
        write_line(out, &value, name)?;
    }
    out.flush().map_err(io_err(name))
}

/// A readable report: each duplicate group with its kept article first;
/// with `changes`, under each copy the facts it changed.
///
/// # Errors
/// Writing `out`.
pub fn write_text_report(
    outcome: &DedupOutcome,
    changes: Option<&CopyChanges>,
    out: &mut dyn Write,
    name: &Path,
) -> Result<()> {
    let t = &outcome.table;
    let title = |r: u32| t.title(r).map(|s| format!("  {s}")).unwrap_or_default();
    let mut text = String::new();
    if outcome.groups.is_empty() {
        text.push_str("no duplicates found\n");
    }
    for (i, g) in outcome.groups.iter().enumerate() {
        text.push_str(&format!(
            "group {} ({} articles)\n",
            i + 1,
            g.members.len() + 1
        ));
        text.push_str(&format!(
            "  keep    {}{}\n",
            t.id(g.representative),
            title(g.representative)
        ));
        for m in &g.members {
            let via = m
                .via
                .map(|v| format!("  (matched copy {})", t.id(v)))
                .unwrap_or_default();
            text.push_str(&format!(
                "  remove  {}  similarity {:.2}  containment {:.2}{}{}\n",
                t.id(m.row),
                m.similarity,
                m.containment,
                via,
                title(m.row)
            ));
            for c in changes.and_then(|c| c.get(&m.row)).into_iter().flatten() {
                let detail = c
                    .detail
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                text.push_str(&format!(
                    "          changed {}{detail}: “{}” → “{}”\n",
                    c.kind,
                    one_line(&c.kept),
                    one_line(&c.copy)
                ));
            }
        }
    }
    let mut skipped = 0;
    for r in &outcome.rejected {
        if r.reason.status() == "skipped" {
            skipped += 1;
        } else {
            text.push_str(&format!("rejected {}: {}\n", r.location, r.reason));
        }
    }
    if skipped > 0 {
        // A crawl holds a request per page: counted, listed in the report.
        text.push_str(&format!(
            "skipped {skipped} WARC records that are not pages (requests, metadata, redirects, other content types; each listed in --report)\n"
        ));
    }
    out.write_all(text.as_bytes()).map_err(io_err(name))?;
    out.flush().map_err(io_err(name))
}

/// One JSON object per input record, in input order: its event and
/// duplicate group (named by the kept article's id), or why it was rejected.
///
/// # Errors
/// Writing `out`.
pub fn write_events(
    outcome: &DedupOutcome,
    events: &EventOutcome,
    out: &mut dyn Write,
    name: &Path,
) -> Result<()> {
    let t = &outcome.table;
    in_input_order(outcome, true, |item| match item {
        Item::Rejected(r) => write_line(out, &rejection_json(r), name),
        Item::Row(row) => {
            let e = events.event_of_row[row as usize];
            let (group, status) = match outcome.duplicate_of(row) {
                Some((rep, _)) => (t.id(rep), "duplicate"),
                None => (t.id(row), "kept"),
            };
            let value = json!({
                "id": t.id(row),
                "event": e + 1,
                "group": group,
                "status": status,
                "event_size": events.events[e as usize].rows.len(),
            });
            write_line(out, &value, name)
        }
    })?;
    out.flush().map_err(io_err(name))
}

/// A readable summary of the `limit` largest events (0: all): size, time
/// span, top terms and each member's title (or id) and source.
///
/// # Errors
/// Writing `out`.
pub fn write_event_summary(
    outcome: &DedupOutcome,
    events: &EventOutcome,
    limit: usize,
    out: &mut dyn Write,
    name: &Path,
) -> Result<()> {
    let t = &outcome.table;
    let mut order: Vec<usize> = (0..events.events.len()).collect();
    order.sort_by_key(|&e| (std::cmp::Reverse(events.events[e].rows.len()), e));
    let shown = if limit == 0 {
        order.len()
    } else {
        limit.min(order.len())
    };
    let mut text = String::new();
    for &e in &order[..shown] {
        let ev = &events.events[e];
        let span = match ev.span {
            Some((a, b)) if a == b => format!(", {a}"),
            Some((a, b)) => format!(", {a} to {b}"),
            None => String::new(),
        };
        let groups = ev
            .rows
            .iter()
            .filter(|&&r| outcome.duplicate_of(r).is_none())
            .count();
        let copies = if groups < ev.rows.len() {
            format!(" ({groups} after removing copies)")
        } else {
            String::new()
        };
        text.push_str(&format!(
            "event {}: {} article{}{copies}{span}\n",
            e + 1,
            ev.rows.len(),
            if ev.rows.len() == 1 { "" } else { "s" },
        ));
        let terms: Vec<&str> = ev.top_terms.iter().map(|(s, _)| s.as_str()).collect();
        if !terms.is_empty() {
            text.push_str(&format!("  terms: {}\n", terms.join(", ")));
        }
        for &r in &ev.rows {
            let label = t.title(r).unwrap_or_else(|| t.id(r));
            let source = t.source(r).map(|s| format!("  [{s}]")).unwrap_or_default();
            let copy = match outcome.duplicate_of(r) {
                Some((rep, _)) => format!("  (copy of {})", t.id(rep)),
                None => String::new(),
            };
            let date = t.published(r).map(|d| format!("  {d}")).unwrap_or_default();
            text.push_str(&format!("  - {}: {label}{source}{date}{copy}\n", t.id(r)));
        }
    }
    if shown < order.len() {
        text.push_str(&format!(
            "… {} more events ({} of them single articles)\n",
            order.len() - shown,
            order[shown..]
                .iter()
                .filter(|&&e| events.events[e].rows.len() == 1)
                .count()
        ));
    }
    out.write_all(text.as_bytes()).map_err(io_err(name))?;
    out.flush().map_err(io_err(name))
}
