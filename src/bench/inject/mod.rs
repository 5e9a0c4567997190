//! The injected-discrepancy benchmark: a second version of real articles with
//! known edits of each discrepancy kind (plus neutral rewording and a moved
//! paragraph, which are not discrepancies), and the scoring of the merger's
//! findings against them.
//!
//! The generator finds its edit sites with its own simple word scanning, not
//! with the merger's code, so the merger is not graded on its own reading.

mod copies;
mod score;
mod sites;

pub use copies::{score_copies, CopyScores};
pub use score::{score_copy, score_pair, KindScore, Miss};

use serde::Serialize;
use serde_json::{json, Value};

use crate::article::Article;
use crate::bench::synth::Rng;
use crate::merge::DiscrepancyKind;
use sites::{candidates, words, Edit, SYNONYMS};

/// One known edit: where the original value was and where the new one is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Injected {
    pub kind: DiscrepancyKind,
    /// Byte span in the original's text.
    pub original: [usize; 2],
    /// Byte span in the edited version's text.
    pub edited: [usize; 2],
    pub from: String,
    pub to: String,
}

/// An original article, its edited version and the edits.
#[derive(Debug, Clone)]
pub struct Pair {
    pub original: Article,
    pub edited: Article,
    pub injected: Vec<Injected>,
    /// Neutral edits made (rewording, a moved paragraph): never discrepancies.
    pub neutral: usize,
}

impl Pair {
    /// The pair as two JSON records (`pair` names the pair; the edited one
    /// carries `injected`).
    pub fn to_json(&self) -> [Value; 2] {
        let mut a = self.original.to_json();
        a["pair"] = json!(self.original.id);
        let mut b = self.edited.to_json();
        b["pair"] = json!(self.original.id);
        b["injected"] = serde_json::to_value(&self.injected).expect("edits serialize");
        b["neutral_edits"] = json!(self.neutral);
        [a, b]
    }
}
/// Where an edit landed in an edited line: (edit, start, end).
type EditMark = (usize, usize, usize);

/// What an edited version gets.
#[derive(Debug, Clone, Copy)]
pub struct EditPlan<'a> {
    /// One edit of each of these kinds, where one fits.
    pub kinds: &'a [DiscrepancyKind],
    /// Neutral rewordings (a synonym outside quotes) in other sentences, at most.
    pub rewordings: usize,
    /// Swap the last two story paragraphs (neutral).
    pub move_paragraph: bool,
    /// Neutral noise a syndicated copy picks up: a doubled space and a
    /// chrome line at the end. Only with no `kinds` (it would move the
    /// edits' offsets).
    pub copy_noise: bool,
    /// Appended to the original's id to name the edited version.
    pub suffix: &'a str,
}

/// Makes the edited version of one article (an edit of every kind, neutral
/// rewording and a moved paragraph), or `None` when no edit fits.
pub fn make_pair(original: &Article, seed: u64) -> Option<Pair> {
    let plan = EditPlan {
        kinds: &DiscrepancyKind::ALL,
        rewordings: 2,
        move_paragraph: true,
        copy_noise: false,
        suffix: "~edited",
    };
    make_edited(original, seed, &plan)
}

/// Makes a copy of one article as a syndicated copy that changed one fact
/// would be: one edit of `kind` and nothing else; or, for `None`, a copy
/// with neutral edits only (rewording outside quotes, a moved paragraph, a
/// doubled space, a chrome line). `None` when no such edit fits.
pub fn make_copy(original: &Article, seed: u64, kind: Option<DiscrepancyKind>) -> Option<Pair> {
    let (kinds, name) = match kind {
        Some(k) => (vec![k], k.as_str()),
        None => (Vec::new(), "neutral"),
    };
    let suffix = format!("~copy-{name}");
    let plan = EditPlan {
        kinds: &kinds,
        rewordings: if kind.is_some() { 0 } else { 2 },
        move_paragraph: kind.is_none(),
        copy_noise: kind.is_none(),
        suffix: &suffix,
    };
    let salt = kind.map_or(0, |k| k as u64 + 1);
    make_edited(
        original,
        seed ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        &plan,
    )
}

/// Makes an edited version of one article by `plan`, or `None` when none of
/// its edits fits.
pub fn make_edited(original: &Article, seed: u64, plan: &EditPlan) -> Option<Pair> {
    let text = &original.text;
    let mut rng = Rng::new(seed ^ xxhash_rust::xxh3::xxh3_64(original.id.as_bytes()));
    let ws = words(text);
    let mut used_sentences = std::collections::BTreeSet::new();
    let mut edits: Vec<Edit> = Vec::new();
    let mut kinds = plan.kinds.to_vec();
    // Shuffle the kinds so no kind always gets the first pick of sentences.
    for i in (1..kinds.len()).rev() {
        kinds.swap(i, rng.below(i + 1));
    }
    for kind in kinds {
        let cands: Vec<Edit> = candidates(text, &ws, kind, &mut rng)
            .into_iter()
            .filter(|e| !used_sentences.contains(&e.sentence))
            .collect();
        if cands.is_empty() {
            continue;
        }
        let e = rng.pick(&cands).clone();
        used_sentences.insert(e.sentence);
        edits.push(e);
    }
    if edits.is_empty() && !plan.kinds.is_empty() {
        return None;
    }
    // Neutral rewording in other sentences.
    let mut neutral = 0;
    for w in &ws {
        // Rewording a quotation would change it: that is a quote discrepancy.
        if neutral >= plan.rewordings
            || used_sentences.contains(&w.sentence)
            || w.quoted
            || !w.story
        {
            continue;
        }
        if let Some((_, to)) = SYNONYMS.iter().find(|(from, _)| *from == w.text) {
            used_sentences.insert(w.sentence);
            edits.push(Edit {
                range: w.start..w.end,
                to: (*to).to_string(),
                kind: None,
                sentence: w.sentence,
            });
            neutral += 1;
        }
    }
    edits.sort_by_key(|e| e.range.start);
    // Apply the edits line by line, then move the last paragraph up one place.
    // Each line: its edited text and, per edit, (edit, start, end) in it.
    let mut lines: Vec<(String, Vec<EditMark>)> = Vec::new();
    let mut offset = 0;
    for line in text.split('\n') {
        let (ls, le) = (offset, offset + line.len());
        offset = le + 1;
        let mut new = String::new();
        let mut at = ls;
        let mut marks = Vec::new();
        for (k, e) in edits
            .iter()
            .enumerate()
            .filter(|(_, e)| e.range.start >= ls && e.range.end <= le)
        {
            new.push_str(&text[at..e.range.start]);
            let s = new.len();
            new.push_str(&e.to);
            marks.push((k, s, new.len()));
            at = e.range.end;
        }
        new.push_str(&text[at..le]);
        lines.push((new, marks));
    }
    let mut order: Vec<usize> = (0..lines.len()).collect();
    let story: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].0.trim().len() > 40)
        .collect();
    if plan.move_paragraph && story.len() >= 3 {
        let (a, b) = (story[story.len() - 2], story[story.len() - 1]);
        order.swap(a, b);
        neutral += 1;
    }
    let mut edited_text = String::new();
    let mut injected = Vec::new();
    for (n, &i) in order.iter().enumerate() {
        if n > 0 {
            edited_text.push('\n');
        }
        let base = edited_text.len();
        let (new, marks) = &lines[i];
        edited_text.push_str(new);
        for &(k, s, e) in marks {
            let edit = &edits[k];
            if let Some(kind) = edit.kind {
                // A deletion marks the word before it in the edited text.
                let (s, e) = if s == e {
                    (s.saturating_sub(1), e)
                } else {
                    (s, e)
                };
                injected.push(Injected {
                    kind,
                    original: [edit.range.start, edit.range.end],
                    edited: [base + s, base + e],
                    from: text[edit.range.clone()].to_string(),
                    to: edit.to.clone(),
                });
            }
        }
    }
    injected.sort_by_key(|i| i.original[0]);
    if plan.copy_noise && plan.kinds.is_empty() {
        if let Some(at) = edited_text.find(". ") {
            edited_text.insert(at + 1, ' ');
            neutral += 1;
        }
        edited_text.push_str("\nShare this article on Facebook, Twitter and by email.");
        neutral += 1;
    }
    if neutral == 0 && injected.is_empty() {
        return None;
    }
    let mut edited = original.clone();
    edited.id = format!("{}{}", original.id, plan.suffix);
    edited.text = edited_text;
    Some(Pair {
        original: original.clone(),
        edited,
        injected,
        neutral,
    })
}

#[cfg(test)]
mod tests {
    use super::sites::{spelling_variant, with_commas};
    use super::*;

    fn article(text: &str) -> Article {
        Article {
            id: "a".into(),
            text: text.into(),
            ..Article::default()
        }
    }

    #[test]
    fn edits_are_recorded_where_they_are() {
        let a = article("Lindsay Lohan checked into the Betty Ford Center on Monday with 70,000 fans.\nHer lawyer Shawn Holley said: \"We are very happy with the outcome of this long case today.\"\nThe judge ordered a stay of 90 days in December.\nShe began the stay yesterday.");
        let mut kinds = std::collections::BTreeSet::new();
        for seed in 0..40 {
            let p = make_pair(&a, seed).unwrap();
            for inj in &p.injected {
                assert_eq!(&a.text[inj.original[0]..inj.original[1]], inj.from);
                if !inj.to.is_empty() {
                    assert_eq!(&p.edited.text[inj.edited[0]..inj.edited[1]], inj.to);
                }
                assert_ne!(inj.from, inj.to);
                kinds.insert(inj.kind);
            }
            assert_eq!(
                make_pair(&a, seed).unwrap().edited.text,
                p.edited.text,
                "deterministic"
            );
        }
        assert_eq!(kinds.len(), 6, "every kind is generated: {kinds:?}");
    }

    #[test]
    fn variants_and_numbers() {
        let mut rng = Rng::new(1);
        for _ in 0..20 {
            let v = spelling_variant("Sergei", &mut rng).unwrap();
            assert_ne!(v, "Sergei");
            assert!(crate::merge::similar_names("Sergei", &v), "{v}");
        }
        assert_eq!(with_commas(1234567), "1,234,567");
        assert_eq!(with_commas(999), "999");
    }
}
