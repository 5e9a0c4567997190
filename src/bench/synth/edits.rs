//! The copy edits of the generator: a new headline, truncation,
//! abridgement, an added paragraph, rewritten words, OCR noise, typography.

use super::{headline, Rng, EDIT_WORDS};

pub(super) fn new_headline(text: &str, rng: &mut Rng) -> String {
    let h = headline(text);
    match rng.below(3) {
        0 => format!("UPDATE: {h}"),
        1 => h
            .split_whitespace()
            .rev()
            .take(6)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join(" "),
        _ => format!("{h} - report"),
    }
}

pub(super) fn truncate(lines: &mut Vec<String>, rng: &mut Rng) {
    if lines.len() > 2 {
        let keep = ((lines.len() as f64 * rng.range(0.5, 0.9)).ceil() as usize).max(2);
        lines.truncate(keep);
    }
}

pub(super) fn abridge(lines: &mut Vec<String>, rng: &mut Rng) {
    let n = lines.len();
    let keep = n.div_ceil(3).max(2).min(n);
    // Keep the lede and a random, ordered selection of the rest.
    let mut rest: Vec<usize> = (1..n).collect();
    for i in (1..rest.len()).rev() {
        let j = rng.below(i + 1);
        rest.swap(i, j);
    }
    let mut chosen: Vec<usize> = std::iter::once(0)
        .chain(rest.into_iter().take(keep - 1))
        .collect();
    chosen.sort_unstable();
    *lines = chosen.into_iter().map(|i| lines[i].clone()).collect();
}

pub(super) fn added_paragraph(rng: &mut Rng) -> String {
    let options = [
        "This story has been updated with additional reporting.",
        "Officials did not immediately respond to a request for comment.",
        "The information could not be independently verified.",
        "More details are expected to be released later in the day.",
    ];
    rng.pick(&options).to_string()
}

/// Splits a token into leading punctuation, word core and trailing punctuation.
pub(super) fn split_token(token: &str) -> (&str, &str, &str) {
    let start = token
        .find(|c: char| c.is_alphanumeric())
        .unwrap_or(token.len());
    let end = token
        .rfind(|c: char| c.is_alphanumeric())
        .map_or(start, |i| {
            i + token[i..].chars().next().map_or(1, char::len_utf8)
        });
    (&token[..start], &token[start..end], &token[end..])
}

/// Replaces, deletes or inserts words: `share` of the words change.
pub(super) fn rewrite_words(lines: &mut [String], share: f64, rng: &mut Rng) {
    for line in lines.iter_mut() {
        let mut out: Vec<String> = Vec::new();
        for token in line.split(' ') {
            if !rng.chance(share) {
                out.push(token.to_string());
                continue;
            }
            let (pre, core, post) = split_token(token);
            match rng.below(4) {
                0 => {} // deleted
                1 => {
                    out.push(token.to_string());
                    out.push(rng.pick(EDIT_WORDS).to_string());
                }
                _ if core.is_empty() => out.push(token.to_string()),
                _ => out.push(format!("{pre}{}{post}", rng.pick(EDIT_WORDS))),
            }
        }
        *line = out.join(" ");
    }
}

/// Letter noise of the kind OCR leaves: confusions, dropped and doubled letters.
pub(super) fn ocr_noise(lines: &mut [String], per_word: f64, rng: &mut Rng) {
    const CONFUSIONS: &[(&str, &str)] = &[
        ("rn", "m"),
        ("m", "rn"),
        ("l", "1"),
        ("o", "0"),
        ("e", "c"),
        ("i", "l"),
        ("h", "b"),
        ("cl", "d"),
    ];
    for line in lines.iter_mut() {
        let mut out: Vec<String> = Vec::new();
        for token in line.split(' ') {
            if token.len() < 3 || !rng.chance(per_word) {
                out.push(token.to_string());
                continue;
            }
            let (from, to) = *rng.pick(CONFUSIONS);
            let noisy = if token.contains(from) {
                token.replacen(from, to, 1)
            } else {
                let chars: Vec<char> = token.chars().collect();
                let at = rng.below(chars.len());
                chars
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != at)
                    .map(|(_, c)| *c)
                    .collect()
            };
            out.push(noisy);
        }
        *line = out.join(" ");
    }
}

/// Curly quotes, non-breaking spaces and HTML entities, some of the time.
pub(super) fn typography(lines: &mut [String], rng: &mut Rng) {
    let curly = rng.chance(0.7);
    let nbsp = rng.chance(0.4);
    let entities = rng.chance(0.4);
    for line in lines.iter_mut() {
        let mut s = line.clone();
        if curly {
            let mut open = true;
            s = s
                .chars()
                .map(|c| match c {
                    '"' => {
                        open = !open;
                        if open {
                            '\u{201d}'
                        } else {
                            '\u{201c}'
                        }
                    }
                    '\'' => '\u{2019}',
                    c => c,
                })
                .collect();
        }
        if entities {
            s = s
                .replace('&', "&amp;")
                .replace('\u{2019}', "&#8217;")
                .replace(" - ", " &mdash; ");
        }
        if nbsp {
            s = s.replacen(". ", ".\u{a0}", 3);
        }
        *line = s;
    }
}
