//! Unit tests of the dateline readers: shared helpers, the seed articles end to end, and no
//! panics on cut text; the rules themselves in `dates` and `places_and_days`.

use super::*;

mod dates;
mod places_and_days;

const SEED_000: &str = include_str!("../../../../testdata/seeds/000_5a47302b29b28574.txt");
const SEED_001: &str = include_str!("../../../../testdata/seeds/001_cce7f1ca9dc3f8ab.txt");
const SEED_002: &str = include_str!("../../../../testdata/seeds/002_a4d316c33a6c514d.txt");
const SEED_003: &str = include_str!("../../../../testdata/seeds/003_3789953b1d177a1f.txt");
const SEED_004: &str = include_str!("../../../../testdata/seeds/004_8b6f9af4d72396b3.txt");

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The publication day read from `text`.
fn day(text: &str) -> Option<NaiveDate> {
    published_from_text(text).map(|d| d.day)
}

/// `head` as the first line(s), then a story sentence.
fn article(head: &str) -> String {
    format!(
        "Officials meet to discuss the crisis\n{head}\nThe officials met in the capital and talked for two hours, a spokesman said.\n"
    )
}

fn place(text: &str) -> Option<String> {
    dateline_place(text).map(|p| p.name)
}

fn days(text: &str, anchor: Option<NaiveDate>) -> Vec<(NaiveDate, &str)> {
    mentioned_days(text, anchor)
        .into_iter()
        .map(|(d, s)| (d, &text[s]))
        .collect()
}

// ---- seeds ------------------------------------------------------------------------------

#[test]
fn seed_001_updated_label() {
    let d = published_from_text(SEED_001).unwrap();
    assert_eq!(d.day, ymd(2013, 5, 8));
    assert_eq!(d.how, DateSource::Label(LabelKind::Updated));
    assert_eq!(&SEED_001[d.span.clone()], "Updated: 2013-05-08");
    assert_eq!(
        d.describe(SEED_001),
        "text line 2: 'Updated: 2013-05-08' = 2013-05-08"
    );
    assert_eq!(dateline_place(SEED_001), None);
    // "in Moscow on Tuesday", "on Monday", "May 7, 2012".
    let got = days(SEED_001, Some(d.day));
    assert!(got.contains(&(ymd(2013, 5, 7), "Tuesday")), "{got:?}");
    assert!(got.contains(&(ymd(2013, 5, 6), "Monday")), "{got:?}");
    assert!(got.contains(&(ymd(2012, 5, 7), "May 7, 2012")), "{got:?}");
}

#[test]
fn seed_003_numeric_date_place_and_weekdays() {
    let d = published_from_text(SEED_003).unwrap();
    // "08.12.2016 - Update : 09.12.2016": the unlabelled date before the update.
    assert_eq!(d.day, ymd(2016, 12, 8));
    assert_eq!(d.how, DateSource::Numeric);
    assert_eq!(d.order, Some(NumericOrder::DayFirst));
    assert_eq!(&SEED_003[d.span.clone()], "08.12.2016");
    assert_eq!(
        d.describe(SEED_003),
        "text line 7: '08.12.2016' = 2016-12-08 (read day first)"
    );
    let p = dateline_place(SEED_003).unwrap();
    assert_eq!(p.name, "Hamburg");
    assert_eq!(p.region.as_deref(), Some("Germany"));
    assert_eq!(&SEED_003[p.span.clone()], "HAMBURG, Germany");
    assert_eq!(p.line, 12);
    assert_eq!(
        p.describe(SEED_003),
        "text line 12: 'HAMBURG, Germany' = Hamburg (Germany)"
    );
    let got = days(SEED_003, Some(d.day));
    assert_eq!(
        got,
        vec![
            (ymd(2016, 12, 8), "08.12.2016"),
            (ymd(2016, 12, 9), "09.12.2016"),
            // "discussed Syria on Thursday here"
            (ymd(2016, 12, 8), "Thursday"),
            // "another meeting ... which would take place on Saturday in Paris"
            (ymd(2016, 12, 10), "Saturday"),
            // "their first meeting in Hamburg late Wednesday"
            (ymd(2016, 12, 7), "Wednesday"),
        ]
    );
}

#[test]
fn seeds_000_002_004_print_no_date_and_no_dateline() {
    for text in [SEED_000, SEED_002, SEED_004] {
        assert_eq!(published_from_text(text), None);
        assert_eq!(dateline_place(text), None);
    }
    // Without an anchor only full dates count: 002 has "December 2" and weekdays, no year.
    assert_eq!(days(SEED_002, None), vec![]);
    // With one, "the American proposal of December 2" is a day.
    let got = days(SEED_002, Some(ymd(2016, 12, 8)));
    assert!(got.contains(&(ymd(2016, 12, 2), "December 2")), "{got:?}");
}

#[test]
fn no_panic_and_spans_on_char_boundaries() {
    let samples = [
        "",
        "\n\n\n",
        "é’—\u{a0}2013-05-08’",
        "Ω 8 December 2016 ß\n(AP) —",
        "HAMBURG, Gérmany —\u{2028}story",
        "05 / 02 /",
        "May",
        "May 7 (",
        "MOSCOW, May 7 (Reuters",
        "©",
        "Copyright 2013",
    ];
    for s in samples {
        for cut in 0..=s.len() {
            if !s.is_char_boundary(cut) {
                continue;
            }
            let t = &s[..cut];
            if let Some(d) = published_from_text(t) {
                assert!(t.get(d.span.clone()).is_some());
                let _ = d.describe(t);
            }
            if let Some(p) = dateline_place(t) {
                assert!(t.get(p.span.clone()).is_some());
            }
            for (_, sp) in mentioned_days(t, Some(ymd(2016, 12, 8))) {
                assert!(t.get(sp).is_some());
            }
        }
    }
}
