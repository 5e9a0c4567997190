//! Outputs of `check`: a readable text report, one JSON document, JUnit XML
//! for CI test views, and GitHub workflow annotations. Every input record
//! appears (copies, clean articles and rejected records), in input order.

use std::io::Write;
use std::path::Path;

use html_escape::{encode_double_quoted_attribute, encode_text};
use serde_json::{json, Value};

use crate::error::Result;
use crate::index::{CheckOutcome, CheckSummary, HeldArticle, Verdict};
use crate::merge::Change;
use crate::report::{in_input_order, io_err, one_line, rejection_json, Item};

/// How `check` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFormat {
    /// One line per copy and per rejected record, then a summary line.
    Text,
    /// One JSON document: the summary and every record's verdict.
    Json,
    /// JUnit XML: one test case per record; copies fail, rejected records error.
    Junit,
    /// GitHub Actions workflow commands: an `::error` per copy, a `::warning`
    /// per rejected record, then a summary line.
    Github,
}

/// Writes the report of a check against the index at `index`.
///
/// # Errors
/// Writing `out`.
pub fn write_check(
    outcome: &CheckOutcome,
    index: &Path,
    format: CheckFormat,
    out: &mut dyn Write,
    name: &Path,
) -> Result<()> {
    let summary = outcome.summary();
    let text = match format {
        CheckFormat::Text => text(outcome, index, &summary)?,
        CheckFormat::Json => {
            let mut s = serde_json::to_string_pretty(&json_report(outcome, index, &summary)?)
                .expect("JSON values serialize");
            s.push('\n');
            s
        }
        CheckFormat::Junit => junit(outcome, index, &summary)?,
        CheckFormat::Github => github(outcome, index, &summary)?,
    };
    out.write_all(text.as_bytes()).map_err(io_err(name))?;
    out.flush().map_err(io_err(name))
}

/// The one-line summary.
pub fn summary_line(s: &CheckSummary, index: &Path) -> String {
    format!(
        "checked {} incoming records against {}: {} copies ({} of held articles, {} within the batch; {} with changed facts), {} clean, {} already held, {} rejected; {} added",
        s.checked,
        index.display(),
        s.copies(),
        s.copies_of_held,
        s.copies_in_batch,
        s.changed_copies,
        s.clean,
        s.already_held,
        s.rejected,
        s.added
    )
}

fn describe_held(h: &HeldArticle) -> String {
    let mut parts = Vec::new();
    if let Some(t) = &h.title {
        parts.push(format!("{t:?}"));
    }
    if let Some(s) = &h.source {
        parts.push(s.clone());
    }
    if let Some(p) = &h.published {
        parts.push(p.clone());
    }
    if parts.is_empty() {
        format!("held {:?}", h.id)
    } else {
        format!("held {:?} ({})", h.id, parts.join(", "))
    }
}

/// One changed fact: `number “150,000” → “160,000”`.
fn describe_change(c: &Change) -> String {
    let detail = c
        .detail
        .as_deref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    format!(
        "{}{detail} “{}” → “{}”",
        c.kind,
        one_line(&c.kept),
        one_line(&c.copy)
    )
}

/// `2 facts: number “11” → “12”; date “Monday” → “Tuesday”`.
fn describe_changes(changes: &[Change]) -> String {
    format!(
        "{} fact{}: {}",
        changes.len(),
        if changes.len() == 1 { "" } else { "s" },
        changes
            .iter()
            .map(describe_change)
            .collect::<Vec<_>>()
            .join("; ")
    )
}

/// The status word of a copy's verdict, as JSON and JUnit name it.
fn copy_status(v: &Verdict) -> &'static str {
    match v {
        Verdict::ChangedCopy { .. } => "changed_copy",
        Verdict::CopyOfIncoming { .. } => "copy_of_incoming",
        Verdict::ChangedCopyOfIncoming { .. } => "changed_copy_of_incoming",
        _ => "copy_of_held",
    }
}

/// The sentence that explains a copy, or `None` for other verdicts.
fn copy_message(outcome: &CheckOutcome, row: u32) -> Option<String> {
    let t = &outcome.batch.table;
    match &outcome.verdicts[row as usize] {
        Verdict::CopyOfHeld {
            held,
            similarity,
            containment,
        } => Some(format!(
            "{:?} is a copy of {}: similarity {similarity}, containment {containment}",
            t.id(row),
            describe_held(held)
        )),
        Verdict::ChangedCopy {
            held,
            similarity,
            containment,
            changes,
        } => Some(format!(
            "{:?} is a copy of {} that changed {}; similarity {similarity}, containment {containment}",
            t.id(row),
            describe_held(held),
            describe_changes(changes)
        )),
        Verdict::CopyOfIncoming {
            row: kept,
            similarity,
            containment,
        } => Some(format!(
            "{:?} is a copy of incoming {:?} ({}): similarity {similarity}, containment {containment}",
            t.id(row),
            t.id(*kept),
            t.location(*kept)
        )),
        Verdict::ChangedCopyOfIncoming {
            row: kept,
            similarity,
            containment,
            changes,
        } => Some(format!(
            "{:?} is a copy of incoming {:?} ({}) that changed {}; similarity {similarity}, containment {containment}",
            t.id(row),
            t.id(*kept),
            t.location(*kept),
            describe_changes(changes)
        )),
        Verdict::Clean | Verdict::AlreadyHeld => None,
    }
}

/// The sentence naming held articles on the same event, if any.
fn event_message(outcome: &CheckOutcome, row: u32) -> Option<String> {
    let matches = outcome.same_event.get(row as usize)?;
    let best = matches.first()?;
    let more = match matches.len() - 1 {
        0 => String::new(),
        n => format!(" (and {n} more)"),
    };
    Some(format!(
        "{:?} covers the same event as {}: similarity {}{more}",
        outcome.batch.table.id(row),
        describe_held(&best.held),
        best.similarity
    ))
}

fn text(outcome: &CheckOutcome, index: &Path, s: &CheckSummary) -> Result<String> {
    let mut out = String::new();
    let t = &outcome.batch.table;
    in_input_order(&outcome.batch, true, |item| {
        match item {
            Item::Row(row) => {
                if let Some(m) = copy_message(outcome, row) {
                    let word = match outcome.verdicts[row as usize] {
                        Verdict::ChangedCopy { .. } | Verdict::ChangedCopyOfIncoming { .. } => {
                            "changed"
                        }
                        _ => "copy",
                    };
                    out.push_str(&format!("{word:<9} {}  {m}\n", t.location(row)));
                }
                if let Some(m) = event_message(outcome, row) {
                    out.push_str(&format!("event     {}  {m}\n", t.location(row)));
                }
            }
            Item::Rejected(r) => {
                let status = r.reason.status();
                out.push_str(&format!("{status:<9} {}  {}\n", r.location, r.reason));
            }
        }
        Ok(())
    })?;
    out.push_str(&summary_line(s, index));
    out.push('\n');
    Ok(out)
}

fn json_report(outcome: &CheckOutcome, index: &Path, s: &CheckSummary) -> Result<Value> {
    let t = &outcome.batch.table;
    let mut added = vec![false; t.len()];
    for &r in &outcome.added {
        added[r as usize] = true;
    }
    let mut records = Vec::new();
    in_input_order(&outcome.batch, true, |item| {
        records.push(match item {
            Item::Rejected(r) => rejection_json(r),
            Item::Row(row) => {
                let loc = t.location(row);
                let mut v = json!({ "id": t.id(row) });
                if let (Some(obj), Value::Object(at)) =
                    (v.as_object_mut(), super::location_json(loc))
                {
                    obj.extend(at);
                }
                let verdict = serde_json::to_value(&outcome.verdicts[row as usize])
                    .expect("verdicts serialize");
                let obj = v.as_object_mut().expect("object");
                for (k, val) in verdict.as_object().expect("tagged enum").clone() {
                    obj.insert(k, val);
                }
                if let Verdict::CopyOfIncoming { row: kept, .. }
                | Verdict::ChangedCopyOfIncoming { row: kept, .. } =
                    outcome.verdicts[row as usize]
                {
                    obj.remove("row");
                    let mut incoming = json!({ "id": t.id(kept) });
                    if let (Some(i), Value::Object(at)) = (
                        incoming.as_object_mut(),
                        super::location_json(t.location(kept)),
                    ) {
                        i.extend(at);
                    }
                    obj.insert("incoming".into(), incoming);
                }
                obj.insert("added".into(), Value::Bool(added[row as usize]));
                if let Some(m) = outcome
                    .same_event
                    .get(row as usize)
                    .filter(|m| !m.is_empty())
                {
                    obj.insert(
                        "same_event".into(),
                        serde_json::to_value(m).expect("matches serialize"),
                    );
                }
                v
            }
        });
        Ok(())
    })?;
    Ok(json!({
        "index": index.display().to_string(),
        "summary": s,
        "records": records,
    }))
}

fn junit(outcome: &CheckOutcome, index: &Path, s: &CheckSummary) -> Result<String> {
    let t = &outcome.batch.table;
    let attr = |v: &str| encode_double_quoted_attribute(&xml_chars(v)).into_owned();
    let encode_text = |v: &str| encode_text(&xml_chars(v)).into_owned();
    let mut cases = String::new();
    in_input_order(&outcome.batch, true, |item| {
        match item {
            Item::Row(row) => {
                let loc = t.location(row);
                cases.push_str(&format!(
                    "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\">",
                    attr(&loc.file),
                    attr(t.id(row)),
                    attr(&loc.file),
                    loc.line
                ));
                if let Some(m) = copy_message(outcome, row) {
                    let kind = copy_status(&outcome.verdicts[row as usize]);
                    cases.push_str(&format!(
                        "\n      <failure type=\"{kind}\" message=\"{}\">{}</failure>\n    ",
                        attr(&m),
                        encode_text(&format!("{loc}: {m}"))
                    ));
                }
                if let Some(m) = event_message(outcome, row) {
                    cases.push_str(&format!(
                        "\n      <system-out>{}</system-out>\n    ",
                        encode_text(&m)
                    ));
                }
                cases.push_str("</testcase>\n");
            }
            Item::Rejected(r) => {
                let name = r.id.clone().unwrap_or_else(|| match r.location.offset {
                    Some(offset) => format!("byte {offset}"),
                    None => format!("line {}", r.location.line),
                });
                let m = r.reason.to_string();
                // A page with no article text, or a WARC record that is not
                // a page, is skipped, not an error.
                let element = if r.reason.is_input_error() {
                    "error"
                } else {
                    "skipped"
                };
                cases.push_str(&format!(
                    "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\">\n      <{element} type=\"{}\" message=\"{}\">{}</{element}>\n    </testcase>\n",
                    attr(&r.location.file),
                    attr(&name),
                    attr(&r.location.file),
                    r.location.line,
                    r.reason.code(),
                    attr(&m),
                    encode_text(&format!("{}: {m}", r.location))
                ));
            }
        }
        Ok(())
    })?;
    let name = format!("newsdedup check against {}", index.display());
    let skipped = outcome
        .batch
        .rejected
        .iter()
        .filter(|r| r.reason.status() == "no_content")
        .count();
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{n}\" tests=\"{tests}\" failures=\"{f}\" errors=\"{e}\" skipped=\"{k}\">\n  <testsuite name=\"{n}\" tests=\"{tests}\" failures=\"{f}\" errors=\"{e}\" skipped=\"{k}\">\n{cases}  </testsuite>\n</testsuites>\n",
        n = attr(&name),
        tests = s.checked,
        f = s.copies(),
        e = s.rejected - skipped,
        k = skipped,
    ))
}

/// A string XML 1.0 can hold: each control character it forbids (all below
/// U+0020 but tab, newline and return; U+FFFE, U+FFFF) written as `\uXXXX`.
fn xml_chars(s: &str) -> std::borrow::Cow<'_, str> {
    let forbidden = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    };
    if !s.chars().any(forbidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    s.chars()
        .map(|c| {
            if forbidden(c) {
                format!("\\u{:04X}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// Escapes a workflow command's message.
fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command that annotates a line of an input file.
fn gh_annotation(level: &str, file: &str, line: u64, title: &str, message: &str) -> String {
    format!(
        "::{level} file={},line={line},title={}::{}\n",
        gh_property(file),
        gh_property(title),
        gh_data(message)
    )
}

fn github(outcome: &CheckOutcome, index: &Path, s: &CheckSummary) -> Result<String> {
    let t = &outcome.batch.table;
    let mut out = String::new();
    in_input_order(&outcome.batch, true, |item| {
        match item {
            Item::Row(row) => {
                let loc = t.location(row);
                if let Some(m) = copy_message(outcome, row) {
                    let title = match outcome.verdicts[row as usize] {
                        Verdict::ChangedCopy { .. } | Verdict::ChangedCopyOfIncoming { .. } => {
                            "Changed copy"
                        }
                        _ => "Duplicate article",
                    };
                    out += &gh_annotation("error", &loc.file, loc.line, title, &m);
                }
                if let Some(m) = event_message(outcome, row) {
                    out += &gh_annotation("notice", &loc.file, loc.line, "Same event", &m);
                }
            }
            Item::Rejected(r) => {
                let (file, line) = (&r.location.file, r.location.line);
                let (level, title) = match r.reason.status() {
                    "no_content" => ("notice", "No article text"),
                    "skipped" => ("notice", "Not a page"),
                    _ => ("warning", "Rejected record"),
                };
                out += &gh_annotation(level, file, line, title, &r.reason.to_string());
            }
        }
        Ok(())
    })?;
    out.push_str(&gh_data(&summary_line(s, index)));
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape_their_separators() {
        assert_eq!(gh_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(gh_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn characters_xml_forbids_are_written_as_escapes() {
        assert_eq!(xml_chars("c\u{1}\u{7}ctl\tok"), "c\\u0001\\u0007ctl\tok");
        assert_eq!(xml_chars("\u{FFFF}"), "\\uFFFF");
        assert!(matches!(xml_chars("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
