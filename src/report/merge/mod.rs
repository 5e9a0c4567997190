//! Writing merged stories: JSON Lines for machines, Markdown for a quick
//! read, and a self-contained HTML page per event in which every claim and
//! every discrepancy links to its span in the source text (`html`).

mod html;

pub use html::{html_index, html_page, page_name};

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use crate::error::Result;
use crate::merge::{Claim, Discrepancy, MergedStory, Relation};
use crate::report::{io_err, one_line, write_line};

/// Writes one JSON line per story.
///
/// # Errors
/// Writing `out`.
pub fn write_json(stories: &[MergedStory], out: &mut dyn Write, name: &Path) -> Result<()> {
    for story in stories {
        write_line(out, story, name)?;
    }
    out.flush().map_err(io_err(name))
}

/// The label of a source: S1, S2, …
pub(super) fn label(source: usize) -> String {
    format!("S{}", source + 1)
}

/// A short title for an event: its first source's title, or its first fact.
pub fn story_title(story: &MergedStory) -> String {
    story
        .sources
        .iter()
        .find_map(|s| s.title.clone())
        .or_else(|| story.facts.first().map(|f| shorten(&f.claim, 80)))
        .unwrap_or_else(|| {
            story
                .sources
                .first()
                .map(|s| s.id.clone())
                .unwrap_or_default()
        })
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max_chars).collect();
    s.push('…');
    s
}

fn md_cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

/// Counts for a story's heading.
pub fn counts_line(story: &MergedStory) -> String {
    let kinds = |relation: Relation| -> (usize, String) {
        let counts = story.kind_counts(relation);
        let n = counts.values().sum();
        let list: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let list = if list.is_empty() {
            String::new()
        } else {
            format!(" ({})", list.join(", "))
        };
        (n, list)
    };
    let (between, between_kinds) = kinds(Relation::Sources);
    let mut line = format!(
        "{} sources · {} shared facts · {} claims in one source only · {} discrepancies{}",
        story.sources.len(),
        story.facts.len(),
        story.unique.len(),
        between,
        between_kinds
    );
    let (changes, change_kinds) = kinds(Relation::Copy);
    if changes > 0 {
        let copies: BTreeSet<&str> = story
            .discrepancies
            .iter()
            .flat_map(|d| &d.values)
            .filter(|v| v.copy)
            .map(|v| v.id.as_str())
            .collect();
        let _ = write!(
            line,
            " · {changes} facts changed in {} of {} copies{change_kinds}",
            copies.len(),
            story.sources.iter().map(|s| s.copies.len()).sum::<usize>()
        );
    }
    line
}

/// Where a discrepancy is: its fact, and for a copy's change, which copy.
fn discrepancy_place(d: &Discrepancy) -> String {
    let fact = d.fact.map(|f| format!("fact {f}"));
    match d.values.iter().find(|v| v.copy) {
        Some(copy) => format!(
            "copy {} of {}{}",
            copy.id,
            label(copy.source),
            fact.map(|f| format!(", {f}")).unwrap_or_default()
        ),
        None => fact.unwrap_or_default(),
    }
}

fn discrepancy_md(d: &Discrepancy) -> String {
    let values: Vec<String> = d
        .values
        .iter()
        .map(|v| {
            let who = if v.copy {
                "copy".into()
            } else {
                label(v.source)
            };
            format!("{who} “{}”", one_line(&v.text))
        })
        .collect();
    let detail = d
        .detail
        .as_deref()
        .map(|x| format!(", {x}"))
        .unwrap_or_default();
    let joiner = if d.relation == Relation::Copy {
        " → "
    } else {
        " · "
    };
    format!(
        "- **{}**{detail} ({}): {}\n",
        d.kind,
        md_cell(&discrepancy_place(d)),
        values.join(joiner)
    )
}

fn claim_md(c: &Claim) -> String {
    format!(
        "> {}: {} `[{}..{}]`\n",
        label(c.source),
        one_line(&c.text),
        c.span[0],
        c.span[1]
    )
}

/// Writes all stories as one Markdown document.
///
/// # Errors
/// Writing `out`.
pub fn write_markdown(stories: &[MergedStory], out: &mut dyn Write, name: &Path) -> Result<()> {
    let mut md = String::new();
    for (i, story) in stories.iter().enumerate() {
        if i > 0 {
            md.push_str("\n---\n\n");
        }
        let _ = writeln!(
            md,
            "# Event {}: {}\n",
            story.event,
            one_line(&story_title(story))
        );
        let _ = writeln!(md, "{}\n", counts_line(story));
        md.push_str("| | id | title | source | published |\n|---|---|---|---|---|\n");
        for (s, src) in story.sources.iter().enumerate() {
            let copies = if src.copies.is_empty() {
                String::new()
            } else {
                format!(" (+{} copies)", src.copies.len())
            };
            let _ = writeln!(
                md,
                "| {} | {}{copies} | {} | {} | {} |",
                label(s),
                md_cell(&src.id),
                md_cell(src.title.as_deref().unwrap_or("")),
                md_cell(src.source.as_deref().unwrap_or("")),
                md_cell(src.published.as_deref().unwrap_or("")),
            );
        }
        if !story.discrepancies.is_empty() {
            md.push_str("\n## Discrepancies\n\n");
            for d in &story.discrepancies {
                md.push_str(&discrepancy_md(d));
            }
        }
        if !story.facts.is_empty() {
            md.push_str("\n## Shared facts\n");
            for f in &story.facts {
                let sources: Vec<String> = f.claims.iter().map(|c| label(c.source)).collect();
                let kinds: BTreeSet<String> = f
                    .discrepancies
                    .iter()
                    .map(|&d| story.discrepancies[d].kind.to_string())
                    .collect();
                let kinds = if kinds.is_empty() {
                    String::new()
                } else {
                    format!(
                        " — differs: {}",
                        kinds.into_iter().collect::<Vec<_>>().join(", ")
                    )
                };
                let _ = writeln!(
                    md,
                    "\n**Fact {}** ({}){kinds}\n",
                    f.fact,
                    sources.join(", ")
                );
                for c in &f.claims {
                    md.push_str(&claim_md(c));
                    md.push_str(">\n");
                }
                md.truncate(md.len() - 2);
            }
        }
        if !story.unique.is_empty() {
            md.push_str("\n## Only in one source\n\n");
            for c in &story.unique {
                let _ = writeln!(
                    md,
                    "- {}: {} `[{}..{}]`",
                    label(c.source),
                    one_line(&c.text),
                    c.span[0],
                    c.span[1]
                );
            }
        }
        if !story.boilerplate.is_empty() {
            let _ = writeln!(
                md,
                "\n{} boilerplate lines left out (never facts).",
                story.boilerplate.len()
            );
        }
    }
    out.write_all(md.as_bytes()).map_err(io_err(name))?;
    out.flush().map_err(io_err(name))
}
