//! Dateline places, and weekdays and mentioned days.

use super::*;
use crate::text::dateline::place::title_case;

// ---- dateline places -------------------------------------------------------------------

#[test]
fn datelines() {
    for (text, name, region, agency) in [
        (
            "BERLIN (AFP) - German officials said on Monday that talks failed.",
            "Berlin",
            None,
            Some("AFP"),
        ),
        (
            "WASHINGTON — The Senate voted on Tuesday to pass the bill.",
            "Washington",
            None,
            None,
        ),
        (
            "LOS ANGELES (AP) — A man was arrested after a chase, police said.",
            "Los Angeles",
            None,
            Some("AP"),
        ),
        (
            "Moscow, Dec 7 (Reuters) - Russia said it would keep talking.",
            "Moscow",
            None,
            Some("Reuters"),
        ),
        (
            "HAMBURG, Germany \nU.S. Secretary of State John Kerry met Lavrov.",
            "Hamburg",
            Some("Germany"),
            None,
        ),
        (
            "ST. LOUIS, Mo. (AP) — A judge ruled on Friday that the law stands.",
            "St. Louis",
            Some("Mo."),
            Some("AP"),
        ),
        (
            "PORT-AU-PRINCE, Haiti (AP) — Protesters marched through the capital.",
            "Port-au-Prince",
            Some("Haiti"),
            Some("AP"),
        ),
        (
            "RIO DE JANEIRO (Reuters) - Brazil's central bank held rates steady.",
            "Rio de Janeiro",
            None,
            Some("Reuters"),
        ),
        (
            "MCALLEN, Texas (AP) — Border agents said they found the group.",
            "McAllen",
            Some("Texas"),
            Some("AP"),
        ),
        (
            "Hong Kong (CNN Business) A muddled view of trade talks weighs on investors.",
            "Hong Kong",
            None,
            Some("CNN Business"),
        ),
        (
            "Dekalb, Ill. — Mike Glass threw for three touchdowns on Tuesday.",
            "Dekalb",
            Some("Ill."),
            None,
        ),
        (
            "Mannheim, Germany (Sports Network) - Klitschko retained his belts.",
            "Mannheim",
            Some("Germany"),
            Some("Sports Network"),
        ),
        (
            "WASHINGTON, DC, April 28, 2009",
            "Washington",
            Some("DC"),
            None,
        ),
        (
            "SAN FRANCISCO -- Apple unveiled a new laptop on Monday.",
            "San Francisco",
            None,
            None,
        ),
        (
            "SUNNYVALE, Calif. —2 / 29 / 2012",
            "Sunnyvale",
            Some("Calif."),
            None,
        ),
    ] {
        let full =
            format!("A headline for the story\n{text}\nMore of the story, officials said.\n");
        let p = dateline_place(&full).unwrap_or_else(|| panic!("no dateline in {text:?}"));
        assert_eq!(p.name, name, "{text}");
        assert_eq!(p.region.as_deref(), region, "{text}");
        assert_eq!(p.agency.as_deref(), agency, "{text}");
        assert_eq!(p.line, 2);
        assert!(full[p.span.clone()]
            .to_lowercase()
            .starts_with(&name.to_lowercase()[..3]));
    }
}

#[test]
fn headlines_bylines_and_kickers_are_not_datelines() {
    for text in [
        "By Ayhan Simsek",
        "BY AYHAN SIMSEK",
        "BY AYHAN SIMSEK, Anadolu Agency",
        "Kerry, Lavrov discuss Syria in Hamburg",
        "KERRY, LAVROV MEET IN HAMBURG",
        "STOCKS RALLY - DOW UP 100",
        "MUST SEE: Navy pins down Somali pirates in heroic face-off",
        "NCAA: Improper gifts, assistance given to athletes",
        "Advanced Micro Devices (AMD) Chief Executive Hector Ruiz said the deal was good.",
        "Adam (Pacman) Jones says the injury was bothering him before.",
        "MONDAY, MAY 23, 2005",
        "THE WHITE HOUSE",
        "RENEW (Left)",
        "AP-US--Trump-Impeachment, 4th Ld-Writethru",
        "(Reuters) — The New York State Attorney General is investigating WeWork.",
        "Kerry — who is on a farewell tour — met Lavrov in Hamburg.",
        "UPDATED: Kerry meets Lavrov — talks go on",
    ] {
        let full = format!("{text}\nThe officials met in the capital and talked for two hours.\n");
        assert_eq!(place(&full), None, "{text}");
    }
}

#[test]
fn title_case_of_places() {
    assert_eq!(title_case("LOS ANGELES"), "Los Angeles");
    assert_eq!(title_case("WINSTON-SALEM"), "Winston-Salem");
    assert_eq!(title_case("O'HARE"), "O'Hare");
    assert_eq!(title_case("ST. LOUIS"), "St. Louis");
    assert_eq!(title_case("D.C."), "D.C.");
    assert_eq!(title_case("Moscow"), "Moscow");
}

// ---- weekdays and mentioned days -------------------------------------------------------

#[test]
fn resolve_weekday_is_the_latest_on_or_before() {
    let thu = ymd(2016, 12, 8);
    assert_eq!(resolve_weekday(thu, Weekday::Thu), thu);
    assert_eq!(resolve_weekday(thu, Weekday::Wed), ymd(2016, 12, 7));
    assert_eq!(resolve_weekday(thu, Weekday::Fri), ymd(2016, 12, 2));
    assert_eq!(
        resolve_weekday(ymd(2017, 1, 2), Weekday::Sat),
        ymd(2016, 12, 31)
    );
    let mut a = ymd(2015, 12, 20);
    while a < ymd(2016, 1, 20) {
        for w in [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ] {
            let r = resolve_weekday(a, w);
            assert_eq!(r.weekday(), w);
            assert!(r <= a && (a - r).num_days() < 7, "{a} {w}");
        }
        a = a.succ_opt().unwrap();
    }
}

#[test]
fn mentioned_days_rules() {
    let anchor = Some(ymd(2016, 12, 8)); // a Thursday
    let text = "Talks resumed on Thursday. Last Thursday they met. They will meet next Monday.\n\
                The summit is scheduled for Friday. On Tuesday, Dec. 6, 2016, nothing happened.\n\
                Good Friday and the Sunday Times are no days; Monday's vote was on December 5.";
    let got = days(text, anchor);
    assert_eq!(
        got,
        vec![
            (ymd(2016, 12, 8), "Thursday"),
            (ymd(2016, 12, 1), "Thursday"),
            (ymd(2016, 12, 12), "Monday"),
            (ymd(2016, 12, 9), "Friday"),
            (ymd(2016, 12, 6), "Tuesday, Dec. 6, 2016"),
            (ymd(2016, 12, 5), "Monday"),
            (ymd(2016, 12, 5), "December 5"),
        ]
    );
    // Scheduled ("is to be"), but not "had to be"; a named day is no day.
    assert_eq!(
        days(
            "The bill is to be voted on Friday. He had to be taken to hospital on Tuesday. \
             She will host on Oscar Sunday.",
            anchor
        ),
        vec![(ymd(2016, 12, 9), "Friday"), (ymd(2016, 12, 6), "Tuesday")]
    );
    // Without an anchor: the full date only.
    assert_eq!(
        days(text, None),
        vec![(ymd(2016, 12, 6), "Tuesday, Dec. 6, 2016")]
    );
    // Month and day without a year: the nearest to the anchor.
    assert_eq!(
        days(
            "It began on Dec. 28 and ended on 2 January.",
            Some(ymd(2017, 1, 3))
        ),
        vec![
            (ymd(2016, 12, 28), "Dec. 28"),
            (ymd(2017, 1, 2), "2 January")
        ]
    );
    // Lower-case "sunday" and the modal "may" are not days.
    assert_eq!(
        days("we may 3 times a sunday", Some(ymd(2016, 12, 8))),
        vec![]
    );
}
