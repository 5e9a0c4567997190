//! Discrepancies: comparing the typed slots of two aligned claims.
//!
//! Each rule says what differs and which tokens of each claim show it. A
//! value only one source states is not a discrepancy (it is a detail that
//! source adds); a discrepancy needs a value on both sides.

use std::collections::BTreeSet;
use std::ops::Range;

use serde::Serialize;
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

use super::slots::{ActorSlot, DateValue, Slots};
use super::text::Token;

/// The kinds of discrepancy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscrepancyKind {
    /// A number differs: 70,000 vs 80,000 dead.
    Number,
    /// A date or weekday differs: Wednesday vs Thursday.
    Date,
    /// The same speaker's quotation is worded differently (or shortened).
    Quote,
    /// One name spelled two ways: Sergei vs Sergey Lavrov (a variant, not a conflict).
    NameVariant,
    /// Who did it differs: "Russia and China blocked" vs "Russia vetoed".
    Actor,
    /// The same act is placed differently in time: "on Monday" vs "last week".
    TimeReference,
}

impl DiscrepancyKind {
    pub const ALL: [DiscrepancyKind; 6] = [
        DiscrepancyKind::Number,
        DiscrepancyKind::Date,
        DiscrepancyKind::Quote,
        DiscrepancyKind::NameVariant,
        DiscrepancyKind::Actor,
        DiscrepancyKind::TimeReference,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DiscrepancyKind::Number => "number",
            DiscrepancyKind::Date => "date",
            DiscrepancyKind::Quote => "quote",
            DiscrepancyKind::NameVariant => "name_variant",
            DiscrepancyKind::Actor => "actor",
            DiscrepancyKind::TimeReference => "time_reference",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for DiscrepancyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One claim as the comparison sees it.
pub(crate) struct Side<'a> {
    pub source: usize,
    pub tokens: &'a [Token],
    pub slots: &'a Slots,
}

/// A difference between two claims: the tokens of each that show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub kind: DiscrepancyKind,
    /// (source, token range) on each side, at least one per side.
    pub values: Vec<(usize, Range<usize>)>,
    /// For quotes: "shortened" or "reworded".
    pub detail: Option<&'static str>,
}

/// Every discrepancy between two aligned claims, except name variants (see
/// [`name_variants`]).
pub(crate) fn compare(a: &Side, b: &Side) -> Vec<Found> {
    let mut out = Vec::new();
    numbers(a, b, &mut out);
    dates(a, b, &mut out);
    times(a, b, &mut out);
    quotes(a, b, &mut out);
    actors(a, b, &mut out);
    out
}

fn found(
    kind: DiscrepancyKind,
    a: &Side,
    ra: Vec<Range<usize>>,
    b: &Side,
    rb: Vec<Range<usize>>,
) -> Found {
    let mut values: Vec<(usize, Range<usize>)> = ra.into_iter().map(|r| (a.source, r)).collect();
    values.extend(rb.into_iter().map(|r| (b.source, r)));
    Found {
        kind,
        values,
        detail: None,
    }
}

fn numbers(a: &Side, b: &Side, out: &mut Vec<Found>) {
    // Values both give are agreed, counted with repeats ("three … three").
    let mut b_only: Vec<_> = b.slots.numbers.iter().collect();
    let mut a_only = Vec::new();
    for n in &a.slots.numbers {
        match b_only.iter().position(|m| m.value == n.value) {
            Some(i) => {
                b_only.remove(i);
            }
            None => a_only.push(n),
        }
    }
    let mut rest_a = Vec::new();
    for n in a_only {
        if let Some(i) = b_only
            .iter()
            .position(|m| n.unit.is_some() && m.unit == n.unit)
        {
            let m = b_only.remove(i);
            out.push(found(
                DiscrepancyKind::Number,
                a,
                vec![n.tokens.clone()],
                b,
                vec![m.tokens.clone()],
            ));
        } else {
            rest_a.push(n);
        }
    }
    // One unmatched number on each side, counting different things: still
    // the one number both claims give.
    if let ([n], [m]) = (rest_a.as_slice(), b_only.as_slice()) {
        if n.unit.is_none() || m.unit.is_none() {
            out.push(found(
                DiscrepancyKind::Number,
                a,
                vec![n.tokens.clone()],
                b,
                vec![m.tokens.clone()],
            ));
        }
    }
}

fn dates(a: &Side, b: &Side, out: &mut Vec<Found>) {
    let values = |s: &Slots, class: u8| -> BTreeSet<DateValue> {
        s.dates
            .iter()
            .filter(|d| d.value.class() == class)
            .map(|d| d.value)
            .collect()
    };
    // The tokens of `s`'s dates of this class that `other` does not give.
    let only = |s: &Slots, class: u8, other: &BTreeSet<DateValue>| -> Vec<Range<usize>> {
        s.dates
            .iter()
            .filter(|d| d.value.class() == class && !other.contains(&d.value))
            .map(|d| d.tokens.clone())
            .collect()
    };
    for class in 0..4u8 {
        let (va, vb) = (values(a.slots, class), values(b.slots, class));
        if va.is_empty() || vb.is_empty() || va == vb {
            continue;
        }
        let (ra, rb) = (only(a.slots, class, &vb), only(b.slots, class, &va));
        if !ra.is_empty() && !rb.is_empty() {
            out.push(found(DiscrepancyKind::Date, a, ra, b, rb));
        }
    }
}

fn times(a: &Side, b: &Side, out: &mut Vec<Found>) {
    let ka: BTreeSet<&str> = a.slots.times.iter().map(|t| t.key.as_str()).collect();
    let kb: BTreeSet<&str> = b.slots.times.iter().map(|t| t.key.as_str()).collect();
    if ka == kb {
        return;
    }
    let absolute = |s: &Slots| -> Vec<Range<usize>> {
        s.dates
            .iter()
            .filter(|d| !matches!(d.value, DateValue::Year(_)))
            .map(|d| d.tokens.clone())
            .collect()
    };
    let (ra, rb) = match (ka.is_empty(), kb.is_empty()) {
        (false, false) => (
            a.slots
                .times
                .iter()
                .filter(|t| !kb.contains(t.key.as_str()))
                .map(|t| t.tokens.clone())
                .collect(),
            b.slots
                .times
                .iter()
                .filter(|t| !ka.contains(t.key.as_str()))
                .map(|t| t.tokens.clone())
                .collect(),
        ),
        (false, true) => (
            a.slots.times.iter().map(|t| t.tokens.clone()).collect(),
            absolute(b.slots),
        ),
        (true, false) => (
            absolute(a.slots),
            b.slots.times.iter().map(|t| t.tokens.clone()).collect(),
        ),
        (true, true) => return,
    };
    let ra: Vec<Range<usize>> = ra;
    let rb: Vec<Range<usize>> = rb;
    if ra.is_empty() || rb.is_empty() {
        return;
    }
    // "41 years ago" vs "51 years ago": the same reference with another
    // count is a number that differs.
    if let ([x], [y]) = (&ra[..], &rb[..]) {
        let unit = |side: &Side, r: &Range<usize>| -> Option<String> {
            let t = side.slots.times.iter().find(|t| t.tokens == *r)?;
            let (_, rest) = t.key.split_once(' ')?;
            rest.ends_with(" ago")
                .then(|| rest.replace("s ago", " ago"))
        };
        let ua = unit(a, x);
        if ua.is_some() && ua == unit(b, y) {
            // One range: the count's token (not the numbers in a range).
            let count = |r: &Range<usize>| std::iter::once(r.start..r.start + 1).collect();
            out.push(found(DiscrepancyKind::Number, a, count(x), b, count(y)));
            return;
        }
    }
    out.push(found(DiscrepancyKind::TimeReference, a, ra, b, rb));
}

fn quotes(a: &Side, b: &Side, out: &mut Vec<Found>) {
    let mut used = vec![false; b.slots.quotes.len()];
    for qa in &a.slots.quotes {
        let set_a: BTreeSet<&str> = qa.words.iter().map(String::as_str).collect();
        let best = b
            .slots
            .quotes
            .iter()
            .enumerate()
            .filter(|(i, _)| !used[*i])
            .filter(|(_, qb)| match (&qa.speaker, &qb.speaker) {
                (Some(x), Some(y)) => x == y || similar_names(x, y),
                _ => true,
            })
            .map(|(i, qb)| {
                let set_b: BTreeSet<&str> = qb.words.iter().map(String::as_str).collect();
                let shared = set_a.intersection(&set_b).count();
                (
                    shared as f32 / set_a.len().min(set_b.len()) as f32,
                    shared,
                    i,
                )
            })
            .filter(|&(overlap, shared, _)| overlap >= 0.5 && shared >= 3)
            .max_by(|x, y| x.0.total_cmp(&y.0).then(y.2.cmp(&x.2)));
        let Some((_, _, i)) = best else { continue };
        used[i] = true;
        let qb = &b.slots.quotes[i];
        if qa.words == qb.words || explained(&qa.words, &qb.words) {
            continue;
        }
        let shortened = contains_run(&qa.words, &qb.words) || contains_run(&qb.words, &qa.words);
        let mut f = found(
            DiscrepancyKind::Quote,
            a,
            vec![qa.tokens.clone()],
            b,
            vec![qb.tokens.clone()],
        );
        f.detail = Some(if shortened { "shortened" } else { "reworded" });
        out.push(f);
    }
}

/// Whether two quotations differ only in words other kinds report: numbers,
/// dates and spellings of names (a quote with another number is a `number`
/// discrepancy, not a reworded quote).
fn explained(a: &[String], b: &[String]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let typed = |w: &str| {
        w.starts_with(|c: char| c.is_ascii_digit())
            || super::lexicon::weekday(w).is_some()
            || super::lexicon::is_number_word(w)
    };
    a.iter()
        .zip(b)
        .all(|(x, y)| x == y || typed(x) && typed(y) || similar_names(x, y))
}

/// Whether `short` appears in `long` as a run of consecutive words.
fn contains_run(long: &[String], short: &[String]) -> bool {
    short.len() < long.len() && long.windows(short.len()).any(|w| w == short)
}

fn actors(a: &Side, b: &Side, out: &mut Vec<Found>) {
    let same = |p: &Vec<String>, q: &Vec<String>| {
        let sub = |s: &Vec<String>, t: &Vec<String>| {
            s.iter()
                .all(|w| t.iter().any(|v| v == w || similar_names(v, w)))
        };
        sub(p, q) || sub(q, p)
    };
    let covered =
        |p: &[Vec<String>], q: &[Vec<String>]| p.iter().all(|n| q.iter().any(|m| same(n, m)));
    let differ = |x: &ActorSlot, y: &ActorSlot| {
        !(covered(&x.names, &y.names) && covered(&y.names, &x.names))
    };
    // Actors of the same verb are compared; then, if one actor of each side
    // is left (other verbs: blocked / vetoed), those two.
    let mut left_b: Vec<&ActorSlot> = b.slots.actors.iter().collect();
    let mut left_a = Vec::new();
    for x in &a.slots.actors {
        match left_b.iter().position(|y| y.verb == x.verb) {
            Some(i) => {
                let y = left_b.remove(i);
                if differ(x, y) {
                    out.push(found(
                        DiscrepancyKind::Actor,
                        a,
                        vec![x.tokens.clone()],
                        b,
                        vec![y.tokens.clone()],
                    ));
                }
            }
            None => left_a.push(x),
        }
    }
    if let ([x], [y]) = (left_a.as_slice(), left_b.as_slice()) {
        if differ(x, y) {
            out.push(found(
                DiscrepancyKind::Actor,
                a,
                vec![x.tokens.clone()],
                b,
                vec![y.tokens.clone()],
            ));
        }
    }
}

/// A name folded for comparison: lowercase, without diacritics.
pub fn fold_name(word: &str) -> String {
    word.nfkd()
        .filter(|&c| !is_combining_mark(c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Two spellings of one name: the same without diacritics, a doubled
/// letter written once (Betty/Bety, Lohan/Lohann), or a letter or two apart
/// in a long name; never a longer word that starts with the other
/// (Russia/Russian are two words).
pub fn similar_names(a: &str, b: &str) -> bool {
    let (fa, fb) = (fold_name(a), fold_name(b));
    if fa == fb {
        return true;
    }
    let (ca, cb): (Vec<char>, Vec<char>) = (fa.chars().collect(), fb.chars().collect());
    let len = ca.len().min(cb.len());
    if len < 4 || ca[0] != cb[0] {
        return false;
    }
    let (short, long) = if ca.len() < cb.len() {
        (&ca, &cb)
    } else {
        (&cb, &ca)
    };
    if long.len() == short.len() + 1 {
        // One letter more: a variant only if it doubles its neighbour.
        if let Some(k) = (0..short.len())
            .find(|&k| short[k] != long[k])
            .or(Some(short.len()))
        {
            if long[..k] == short[..k] && long[k + 1..] == short[k..] {
                return k > 0 && long[k] == long[k - 1]
                    || k + 1 < long.len() && long[k] == long[k + 1];
            }
        }
    }
    if len < 5 || fa.starts_with(&fb) || fb.starts_with(&fa) {
        return false;
    }
    let allowed = if len >= 8 { 2 } else { 1 };
    edit_distance(&ca, &cb) <= allowed
}

/// Optimal string alignment distance (a swap of neighbours counts once).
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// Name words spelled differently in two aligned claims (token indexes on
/// each side), when neither claim also uses the other's spelling.
pub(crate) fn name_variants(a: &Side, b: &Side) -> Vec<(usize, usize)> {
    let words = |s: &Side| -> Vec<usize> {
        s.slots
            .names
            .iter()
            .flat_map(|r| r.tokens.clone())
            .filter(|&k| s.tokens[k].text.chars().count() >= 4)
            .collect()
    };
    let (wa, wb) = (words(a), words(b));
    let has = |s: &Side, ws: &[usize], text: &str| ws.iter().any(|&k| s.tokens[k].text == text);
    let mut out = Vec::new();
    for &i in &wa {
        let ta = &a.tokens[i].text;
        if has(b, &wb, ta) {
            continue;
        }
        for &j in &wb {
            let tb = &b.tokens[j].text;
            if ta != tb && !has(a, &wa, tb) && similar_names(ta, tb) {
                out.push((i, j));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(similar_names("Sergei", "Sergey"));
        assert!(similar_names("Erdoğan", "Erdogan"));
        assert!(similar_names("Steinmeier", "Steinmayer"));
        assert!(!similar_names("Russia", "Russian"));
        assert!(!similar_names("Iran", "Iraq"));
        assert!(!similar_names("Austria", "Australia"));
        assert!(!similar_names("Kerry", "Berry"));
        assert!(similar_names("Betty", "Bety"));
        assert!(similar_names("Lohan", "Lohann"));
        assert!(!similar_names("Lohan", "Lohans"));
        assert!(!similar_names("Iran", "Iranian"));
    }
}
