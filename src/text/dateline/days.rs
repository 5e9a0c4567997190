//! Days a story mentions besides full dates: a month and day without a year placed near the
//! anchor, and weekday names ("on Thursday", "next Friday", "last Monday") resolved against it.

use chrono::{Datelike, Duration, NaiveDate};
use std::ops::Range;

use super::dates::Hit;
use super::resolve_weekday;
use super::scan::{weekday_of, Kind, Scan};

/// The month/day in whichever of the anchor's year, the year before or the year after lies
/// nearest the anchor ("Dec. 28" in a January 3 story is last year's).
pub(super) fn nearest_month_day(anchor: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let y = anchor.year();
    [y, y - 1, y + 1]
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .min_by_key(|d| (*d - anchor).num_days().abs())
}

/// Words before a weekday that point to the coming week.
fn future_cue(w: &str) -> bool {
    matches!(
        w.to_lowercase().as_str(),
        "will"
            | "would"
            | "shall"
            | "ll"
            | "next"
            | "coming"
            | "upcoming"
            | "scheduled"
            | "due"
            | "planned"
            | "expected"
    )
}

/// Capitalised weekday names outside the dates `hits`, each resolved against `anchor` as
/// [`mentioned_days`](super::mentioned_days) describes, pushed to `out` in text order.
pub(super) fn weekday_mentions(
    scan: &Scan,
    hits: &[Hit],
    anchor: NaiveDate,
    out: &mut Vec<(NaiveDate, Range<usize>)>,
) {
    let mut hi = 0;
    for i in 0..scan.toks.len() {
        while hi < hits.len() && hits[hi].last < i {
            hi += 1;
        }
        if hits.get(hi).is_some_and(|h| h.first <= i) {
            continue;
        }
        let t = scan.toks[i];
        if t.kind != Kind::Word {
            continue;
        }
        let Some(wd) = weekday_of(scan.s(i), false) else {
            continue;
        };
        let prev = (i > 0 && scan.toks[i - 1].kind == Kind::Word).then(|| scan.s(i - 1));
        let next = scan
            .get(i + 1)
            .filter(|n| n.kind == Kind::Word)
            .map(|_| scan.s(i + 1));
        if prev.is_some_and(|p| {
            matches!(
                p.to_lowercase().as_str(),
                "good"
                    | "black"
                    | "super"
                    | "ash"
                    | "cyber"
                    | "holy"
                    | "palm"
                    | "easter"
                    | "bloody"
                    | "maundy"
                    | "shrove"
                    | "giving"
                    | "fat"
                    | "oscar"
                    | "oscars"
                    | "bowl"
                    | "derby"
                    | "selection"
            )
        }) || next.is_some_and(|n| {
            matches!(
                n,
                "Times"
                    | "Telegraph"
                    | "Mirror"
                    | "Express"
                    | "Herald"
                    | "Post"
                    | "Star"
                    | "Independent"
                    | "Tribune"
                    | "Night"
                    | "Morning"
                    | "Edition"
            )
        }) {
            continue;
        }
        let mut future = false;
        let mut last = false;
        let mut k = i;
        let mut words = 0;
        // "is to be voted on Thursday", "are to meet on Friday": scheduled.
        let mut saw_to = false;
        while k > 0 && words < 6 {
            k -= 1;
            let p = scan.toks[k];
            if p.kind == Kind::Punct && ".!?;".contains(scan.s(k)) {
                break;
            }
            if p.kind == Kind::Word {
                words += 1;
                let w = scan.s(k);
                if words == 1 && w.eq_ignore_ascii_case("last") {
                    last = true;
                }
                if future_cue(w) || (saw_to && matches!(w, "is" | "are" | "am")) {
                    future = true;
                }
                saw_to = w == "to" || (saw_to && w == "be");
            }
        }
        let d = if last {
            resolve_weekday(anchor - Duration::days(1), wd)
        } else if future {
            resolve_weekday(anchor + Duration::days(7), wd)
        } else {
            resolve_weekday(anchor, wd)
        };
        out.push((d, t.start..t.end));
    }
}
