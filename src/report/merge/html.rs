//! The self-contained HTML page of one merged story (every claim and value
//! linked to its span in the source texts, each changed copy's text with its
//! changes marked) and the index page of all stories.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as esc};

use super::{counts_line, discrepancy_place, label, story_title};
use crate::merge::{MergedStory, Value};
use crate::report::one_line;

/// An element marked in a source text.
struct Mark {
    start: usize,
    end: usize,
    id: String,
    class: String,
    title: String,
}

fn claim_id(source: usize, span: [usize; 2]) -> String {
    format!("c{}-{}-{}", source + 1, span[0], span[1])
}

fn value_id(source: usize, span: [usize; 2]) -> String {
    format!("v{}-{}-{}", source + 1, span[0], span[1])
}

/// The position of a copy value's article among its source's copies.
fn copy_position(story: &MergedStory, v: &Value) -> Option<usize> {
    story.sources[v.source]
        .copies
        .iter()
        .position(|c| *c == v.id)
}

fn copy_section_id(source: usize, copy: usize) -> String {
    format!("copy-{}-{}", source + 1, copy + 1)
}

fn copy_value_id(source: usize, copy: usize, span: [usize; 2]) -> String {
    format!("x{}-{}-{}-{}", source + 1, copy + 1, span[0], span[1])
}

/// Places marks so they nest: sorted by start (longer first), a mark that
/// would cross one already open is left out. Returns the placed ones.
fn nest(mut marks: Vec<Mark>) -> Vec<Mark> {
    marks.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(a.id.cmp(&b.id))
    });
    let mut placed: Vec<Mark> = Vec::new();
    let mut ids = BTreeSet::new();
    let mut open: Vec<usize> = Vec::new(); // ends of open marks
    for m in marks {
        while open.last().is_some_and(|&e| e <= m.start) {
            open.pop();
        }
        if m.start >= m.end || open.last().is_some_and(|&e| m.end > e) || !ids.insert(m.id.clone())
        {
            continue;
        }
        open.push(m.end);
        placed.push(m);
    }
    placed
}

/// The text as HTML with the placed marks (already nested) as `tag` elements.
fn marked_text(text: &str, marks: &[Mark], tag: &str) -> String {
    let mut html = String::new();
    let mut at = 0usize;
    let mut open: Vec<usize> = Vec::new();
    let close_until = |pos: usize, at: &mut usize, open: &mut Vec<usize>, html: &mut String| {
        while let Some(&e) = open.last() {
            if e > pos {
                break;
            }
            html.push_str(&esc(&text[*at..e]));
            let _ = write!(html, "</{tag}>");
            *at = e;
            open.pop();
        }
    };
    for m in marks {
        close_until(m.start, &mut at, &mut open, &mut html);
        html.push_str(&esc(&text[at..m.start]));
        let _ = write!(
            html,
            "<{tag} id=\"{}\" class=\"{}\" data-start=\"{}\" data-end=\"{}\" title=\"{}\">",
            attr(&m.id),
            attr(&m.class),
            m.start,
            m.end,
            attr(&m.title)
        );
        at = m.start;
        open.push(m.end);
    }
    close_until(usize::MAX, &mut at, &mut open, &mut html);
    html.push_str(&esc(&text[at..]));
    html
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1400px;padding:0 1em;color:#222}
h1{font-size:1.5em}table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.35em .5em;vertical-align:top;text-align:left}
th{background:#f3f3f3}tr.fact:target,span:target{outline:2px solid #06c;background:#e8f0ff}
a.claim{color:inherit;text-decoration:none;border-bottom:1px dotted #888}
mark{padding:0 .1em;border-radius:2px}.k-number{background:#ffd6a5}.k-date{background:#caffbf}
.k-quote{background:#ffc6ff}.k-name_variant{background:#bde0fe}.k-actor{background:#ffadad}
.k-time_reference{background:#fdffb6}.kind{font-size:.8em;padding:0 .4em;border-radius:3px;margin-right:.3em}
.text{white-space:pre-wrap;border:1px solid #ddd;padding:.8em;background:#fafafa}
.text .claim{border-bottom:1px dotted #999}.text .boilerplate{color:#999;text-decoration:line-through}
.support{color:#666;font-size:.85em}.missing{background:#fbfbfb}";

/// A self-contained HTML page for one story.
pub fn html_page(story: &MergedStory) -> String {
    let n = story.sources.len();
    // Marks in each source text: claims, discrepancy values, boilerplate.
    let mut marks: Vec<Vec<Mark>> = (0..n).map(|_| Vec::new()).collect();
    for c in story
        .facts
        .iter()
        .flat_map(|f| &f.claims)
        .chain(&story.unique)
    {
        marks[c.source].push(Mark {
            start: c.span[0],
            end: c.span[1],
            id: claim_id(c.source, c.span),
            class: "claim".into(),
            title: String::new(),
        });
    }
    for d in &story.discrepancies {
        for v in d.values.iter().filter(|v| !v.copy) {
            marks[v.source].push(Mark {
                start: v.span[0],
                end: v.span[1],
                id: value_id(v.source, v.span),
                class: format!("value k-{}", d.kind),
                title: d.kind.to_string(),
            });
        }
    }
    for b in &story.boilerplate {
        marks[b.source].push(Mark {
            start: b.span[0],
            end: b.span[1],
            id: format!("b{}-{}-{}", b.source + 1, b.span[0], b.span[1]),
            class: "boilerplate".into(),
            title: format!("boilerplate: {}", b.reason),
        });
    }
    let placed: Vec<Vec<Mark>> = marks.into_iter().map(nest).collect();
    let ids: BTreeSet<&str> = placed.iter().flatten().map(|m| m.id.as_str()).collect();
    // A value whose span could not be marked links to its claim.
    let claim_of_value: BTreeMap<(usize, [usize; 2]), String> = story
        .facts
        .iter()
        .flat_map(|f| &f.claims)
        .flat_map(|c| {
            story
                .discrepancies
                .iter()
                .flat_map(|d| &d.values)
                .filter(move |v| {
                    !v.copy
                        && v.source == c.source
                        && v.span[0] >= c.span[0]
                        && v.span[1] <= c.span[1]
                })
                .map(move |v| ((v.source, v.span), claim_id(c.source, c.span)))
        })
        .collect();
    let value_link = |source: usize, span: [usize; 2]| -> String {
        let id = value_id(source, span);
        if ids.contains(id.as_str()) {
            id
        } else {
            claim_of_value.get(&(source, span)).cloned().unwrap_or(id)
        }
    };

    let title = story_title(story);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Event {} — {}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n",
        esc(&story.event),
        esc(&title)
    );
    let _ = write!(
        h,
        "<h1>Event {}: {}</h1>\n<p class=\"counts\">{}</p>\n",
        esc(&story.event),
        esc(&title),
        esc(&counts_line(story))
    );
    h.push_str("<h2>Sources</h2>\n<table class=\"sources\">\n<tr><th></th><th>id</th><th>title</th><th>source</th><th>published</th><th>copies</th></tr>\n");
    for (s, src) in story.sources.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td><a href=\"#source-{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            s + 1,
            label(s),
            esc(&src.id),
            esc(src.title.as_deref().unwrap_or("")),
            esc(src.source.as_deref().unwrap_or("")),
            esc(src.published.as_deref().unwrap_or("")),
            esc(&src.copies.join(", "))
        );
    }
    h.push_str("</table>\n");

    h.push_str("<h2>Aligned facts</h2>\n<table class=\"facts\">\n<tr><th>fact</th>");
    for s in 0..n {
        let _ = write!(h, "<th>{}</th>", label(s));
    }
    h.push_str("</tr>\n");
    for f in &story.facts {
        let kinds: BTreeSet<String> = f
            .discrepancies
            .iter()
            .map(|&d| story.discrepancies[d].kind.to_string())
            .collect();
        let _ = write!(
            h,
            "<tr id=\"fact-{0}\" class=\"fact\"><td>{0} <span class=\"support\">{1} sources</span>",
            f.fact, f.support
        );
        for k in &kinds {
            let _ = write!(h, " <span class=\"kind k-{k}\">{k}</span>");
        }
        h.push_str("</td>");
        for s in 0..n {
            match f.claims.iter().find(|c| c.source == s) {
                None => h.push_str("<td class=\"missing\"></td>"),
                Some(c) => {
                    // The claim with this fact's values for this source highlighted.
                    let local: Vec<Mark> = f
                        .discrepancies
                        .iter()
                        .flat_map(|&d| {
                            let d = &story.discrepancies[d];
                            d.values
                                .iter()
                                .filter(move |v| v.source == s && !v.copy)
                                .map(move |v| Mark {
                                    start: v.span[0] - c.span[0],
                                    end: v.span[1] - c.span[0],
                                    id: format!("f{}-{}", f.fact, value_id(s, v.span)),
                                    class: format!("k-{}", d.kind),
                                    title: d.kind.to_string(),
                                })
                        })
                        .collect();
                    let inner = marked_text(&c.text, &nest(local), "mark");
                    let _ = write!(
                        h,
                        "<td><a class=\"claim\" href=\"#{}\">{inner}</a></td>",
                        claim_id(s, c.span)
                    );
                }
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");

    if !story.discrepancies.is_empty() {
        h.push_str("<h2>Discrepancies</h2>\n<ul class=\"discrepancies\">\n");
        for (i, d) in story.discrepancies.iter().enumerate() {
            let _ = write!(
                h,
                "<li id=\"d-{}\" class=\"discrepancy\"><span class=\"kind k-{}\">{}</span>",
                i + 1,
                d.kind,
                d.kind
            );
            if let Some(detail) = &d.detail {
                let _ = write!(h, "({}) ", esc(detail));
            }
            let place = match (d.values.iter().find(|v| v.copy), d.fact) {
                (Some(v), _) => format!(
                    "<a href=\"#{}\">{}</a>",
                    copy_position(story, v).map_or(String::new(), |k| copy_section_id(v.source, k)),
                    esc(&discrepancy_place(d))
                ),
                (None, Some(f)) => format!("<a href=\"#fact-{f}\">fact {f}</a>"),
                (None, None) => String::new(),
            };
            let _ = write!(h, "in {place}: ");
            let values: Vec<String> = d
                .values
                .iter()
                .map(|v| match copy_position(story, v).filter(|_| v.copy) {
                    Some(k) => format!(
                        "copy <a class=\"value\" href=\"#{}\">“{}”</a>",
                        copy_value_id(v.source, k, v.span),
                        esc(&one_line(&v.text))
                    ),
                    None => format!(
                        "{} <a class=\"value\" href=\"#{}\">“{}”</a>",
                        label(v.source),
                        value_link(v.source, v.span),
                        esc(&one_line(&v.text))
                    ),
                })
                .collect();
            let joiner = if d.values.iter().any(|v| v.copy) {
                " → "
            } else {
                " · "
            };
            h.push_str(&values.join(joiner));
            h.push_str("</li>\n");
        }
        h.push_str("</ul>\n");
    }

    if !story.unique.is_empty() {
        h.push_str("<h2>Only in one source</h2>\n<ul class=\"unique\">\n");
        for c in &story.unique {
            let _ = writeln!(
                h,
                "<li>{} <a class=\"claim\" href=\"#{}\">{}</a></li>",
                label(c.source),
                claim_id(c.source, c.span),
                esc(&one_line(&c.text))
            );
        }
        h.push_str("</ul>\n");
    }

    h.push_str("<h2>Source texts</h2>\n");
    for (s, src) in story.sources.iter().enumerate() {
        let _ = write!(
            h,
            "<section id=\"source-{}\">\n<h3>{} · {}{}</h3>\n<div class=\"text\">{}</div>\n</section>\n",
            s + 1,
            label(s),
            esc(&src.id),
            src.title.as_deref().map(|t| format!(" · {}", esc(t))).unwrap_or_default(),
            marked_text(&src.text, &placed[s], "span")
        );
    }
    h.push_str(&changed_copies(story));
    h.push_str("</body>\n</html>\n");
    h
}

/// The text of every copy that changed a fact, its changed values marked.
fn changed_copies(story: &MergedStory) -> String {
    let mut marks: BTreeMap<(usize, usize), Vec<Mark>> = BTreeMap::new();
    for d in &story.discrepancies {
        for v in d.values.iter().filter(|v| v.copy) {
            if let Some(k) = copy_position(story, v) {
                marks.entry((v.source, k)).or_default().push(Mark {
                    start: v.span[0],
                    end: v.span[1],
                    id: copy_value_id(v.source, k, v.span),
                    class: format!("value k-{}", d.kind),
                    title: d.kind.to_string(),
                });
            }
        }
    }
    let mut h = String::new();
    if marks.is_empty() {
        return h;
    }
    h.push_str("<h2>Changed copies</h2>\n");
    for ((s, k), m) in marks {
        let src = &story.sources[s];
        let _ = write!(
            h,
            "<section id=\"{}\">\n<h3>copy {} of {} · {}</h3>\n<div class=\"text\">{}</div>\n</section>\n",
            copy_section_id(s, k),
            esc(&src.copies[k]),
            label(s),
            esc(&src.id),
            marked_text(&src.copy_texts[k], &nest(m), "span")
        );
    }
    h
}

/// A file name for an event's page: `event-<id>.html` with unsafe characters replaced.
pub fn page_name(event: &str) -> String {
    let safe: String = event
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("event-{safe}.html")
}

/// The index page linking every event's page.
pub fn html_index(stories: &[MergedStory]) -> String {
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Merged stories</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<h1>Merged stories: {} events</h1>\n<table>\n<tr><th>event</th><th>title</th><th>sources</th><th>shared facts</th><th>discrepancies</th></tr>\n",
        stories.len()
    );
    for s in stories {
        let _ = writeln!(
            h,
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            attr(&page_name(&s.event)),
            esc(&s.event),
            esc(&story_title(s)),
            s.sources.len(),
            s.facts.len(),
            s.discrepancies.len()
        );
    }
    h.push_str("</table>\n</body>\n</html>\n");
    h
}
