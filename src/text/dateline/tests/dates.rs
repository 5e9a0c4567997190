//! Publication dates: the date forms, labels and the choice between dates, and what is not a
//! date.

use super::*;

// ---- date forms -------------------------------------------------------------------------

#[test]
fn iso_header_line() {
    let d = published_from_text(&article("2013-05-08")).unwrap();
    assert_eq!((d.day, d.how), (ymd(2013, 5, 8), DateSource::Iso));
    assert_eq!(
        day(&article("2019-11-19T12:48:14Z")),
        Some(ymd(2019, 11, 19))
    );
    assert_eq!(
        day(&article("Published: 2012. 08. 08 09: 01 AM")),
        Some(ymd(2012, 8, 8))
    );
}

#[test]
fn dotted_dates_are_day_first() {
    let d = published_from_text(&article("08.12.2016")).unwrap();
    assert_eq!((d.day, d.how), (ymd(2016, 12, 8), DateSource::Numeric));
    assert_eq!(
        day(&article("Article posted on 08. 07. 2012")),
        Some(ymd(2012, 7, 8))
    );
    // A dotted date that cannot be day first is read month first.
    assert_eq!(
        day(&article("11.14.2019 09:00 AM")),
        Some(ymd(2019, 11, 14))
    );
    // Decided: a lone "2.10.2016" is a date (2 October), not a version.
    assert_eq!(day(&article("2.10.2016")), Some(ymd(2016, 10, 2)));
}

#[test]
fn slash_dates_are_month_first_unless_the_article_says_otherwise() {
    let d = published_from_text(&article("05 / 02 / 2013")).unwrap();
    assert_eq!(d.day, ymd(2013, 5, 2));
    assert_eq!(d.order, Some(NumericOrder::MonthFirst));
    assert_eq!(day(&article("27/09/2013")), Some(ymd(2013, 9, 27)));
    assert_eq!(
        day(&article("9 / 10 / 2010 @ 1: 19PM")),
        Some(ymd(2010, 9, 10))
    );
    assert_eq!(
        day(&article("Posted: 8 / 2 / 2013 8: 13 AM PDT")),
        Some(ymd(2013, 8, 2))
    );
    // Another date of the article proves day first.
    let text = "Posted: 05/02/2013\nStory text here, said the police chief.\nRelated: 27/09/2013\n";
    let d = published_from_text(text).unwrap();
    assert_eq!(d.day, ymd(2013, 2, 5));
    assert_eq!(d.order, Some(NumericOrder::DayFirst));
    // Evidence far below the top counts too.
    let mut text = String::from("Posted: 05/02/2013\n");
    for _ in 0..60 {
        text.push_str("More of the story, with enough words to make a line, officials said.\n");
    }
    text.push_str("Related: 27/09/2013\n");
    assert_eq!(day(&text), Some(ymd(2013, 2, 5)));
    // Same day either way: no order to report.
    assert_eq!(
        published_from_text(&article("05/05/2010")).unwrap().order,
        None
    );
}

#[test]
fn two_digit_years_need_a_label_or_a_bare_date_line() {
    assert_eq!(day(&article("Posted: 05/03/13")), Some(ymd(2013, 5, 3)));
    assert_eq!(
        day(&article("11 / 30 / 09 05: 40 PM ET")),
        Some(ymd(2009, 11, 30))
    );
    assert_eq!(day(&article("Scores 11/30/09 Jets")), None);
}

#[test]
fn month_name_dates() {
    for (head, want) in [
        ("Dec. 8, 2016", ymd(2016, 12, 8)),
        ("8 December 2016", ymd(2016, 12, 8)),
        ("December 8th, 2016", ymd(2016, 12, 8)),
        ("8th of December, 2016", ymd(2016, 12, 8)),
        ("Tuesday, May 7, 2013", ymd(2013, 5, 7)),
        ("Fri., May. 3, 2013 11: 45 AM PDT", ymd(2013, 5, 3)),
        ("14: 25 Sun Sep 15 2013", ymd(2013, 9, 15)),
        ("MAY 3, 2013 AT 1: 10PM", ymd(2013, 5, 3)),
        ("Wednesday 20 Nov 2019", ymd(2019, 11, 20)),
        ("20 Nov, 2019 05:47", ymd(2019, 11, 20)),
        ("Reuters Sep 18, 2013, 02. 16PM IST", ymd(2013, 9, 18)),
        ("12 January 2010 @ 09: 29 pm", ymd(2010, 1, 12)),
        ("WASHINGTON, DC, April 28, 2009", ymd(2009, 4, 28)),
        ("Nov. 18th 2019", ymd(2019, 11, 18)),
        (
            "November 19, 2019 / 12:21 AM / Updated 14 hours ago",
            ymd(2019, 11, 19),
        ),
        (
            "Chris Davies - Nov 19, 2019, 10:31 pm CST",
            ymd(2019, 11, 19),
        ),
    ] {
        let d = published_from_text(&article(head));
        assert_eq!(d.as_ref().map(|d| d.day), Some(want), "{head}");
        assert_eq!(d.unwrap().how, DateSource::MonthName, "{head}");
    }
    // A title run into its date by extraction.
    assert_eq!(
        day("Polygamist prophet Warren Jeffs charged againJuly 23, 2008. 4: 49 pm\nStory text, he said.\n"),
        Some(ymd(2008, 7, 23))
    );
    // Not a day of that month.
    assert_eq!(day(&article("February 30, 2013")), None);
}

// ---- labels and the choice between dates -------------------------------------------------

#[test]
fn labels() {
    for (head, want, kind) in [
        (
            "Published: May 2, 2013",
            ymd(2013, 5, 2),
            LabelKind::Published,
        ),
        (
            "PUBLISHED: 22: 07 GMT, 7 July 2012",
            ymd(2012, 7, 7),
            LabelKind::Published,
        ),
        (
            "Posted on Thu Jun 13, 2013 08: 45 AM PDT",
            ymd(2013, 6, 13),
            LabelKind::Published,
        ),
        (
            "First Posted 23: 37: 00 05 / 05 / 2010",
            ymd(2010, 5, 5),
            LabelKind::Published,
        ),
        (
            "FOR IMMEDIATE RELEASE July 13, 2009",
            ymd(2009, 7, 13),
            LabelKind::Published,
        ),
        (
            "Posted by Jane Doe on May 3, 2013",
            ymd(2013, 5, 3),
            LabelKind::Published,
        ),
        (
            "Last updated at 11: 24, Tuesday, 18 June 2013",
            ymd(2013, 6, 18),
            LabelKind::Updated,
        ),
        (
            "updated 8: 41 p. m. EST, Tue March 3, 2009",
            ymd(2009, 3, 3),
            LabelKind::Updated,
        ),
    ] {
        let d = published_from_text(&article(head)).unwrap();
        assert_eq!((d.day, d.how), (want, DateSource::Label(kind)), "{head}");
    }
    // The label is part of the span.
    let text = article("Last updated: 2013-05-08 08:00");
    let d = published_from_text(&text).unwrap();
    assert_eq!(&text[d.span.clone()], "Last updated: 2013-05-08");
    // A label on the line above.
    let d = published_from_text("Title here\nPublished:\nMay 2, 2013\nText, he said.\n").unwrap();
    assert_eq!(d.how, DateSource::Label(LabelKind::Published));
}

#[test]
fn published_beats_header_beats_updated_and_labels_take_the_earliest() {
    // Updated first in the text, published later: published wins.
    let text = article("UPDATED 05 / 03 / 2013 at 11: 00 AM EDT\nOriginally published 05 / 02 / 2013 at 10: 20 AM EDT");
    let d = published_from_text(&text).unwrap();
    assert_eq!(
        (d.day, d.how),
        (ymd(2013, 5, 2), DateSource::Label(LabelKind::Published))
    );
    // Published label over an unlabelled header date.
    assert_eq!(
        day(&article("May 9, 2013\nPublished: May 2, 2013")),
        Some(ymd(2013, 5, 2))
    );
    // Header date over an updated label (seed 003's pattern, in the other order too).
    assert_eq!(
        day(&article("Updated: May 9, 2013\nMay 2, 2013")),
        Some(ymd(2013, 5, 2))
    );
    // The earliest of two published labels.
    assert_eq!(
        day(&article(
            "Posted: May 9, 2013\nFirst published: May 2, 2013"
        )),
        Some(ymd(2013, 5, 2))
    );
    // The earliest of two updated labels.
    assert_eq!(
        day(&article("Updated: May 9, 2013\nUpdated: May 4, 2013")),
        Some(ymd(2013, 5, 4))
    );
    // The first of two header dates (later ones are lists of other stories).
    assert_eq!(
        day("Title\nMay 9, 2013\nStory, he said.\nOther story\nMay 2, 2013\n"),
        Some(ymd(2013, 5, 9))
    );
}

#[test]
fn dateline_dates_need_a_year_from_elsewhere() {
    let wire = "Russia warns on Syria\nMOSCOW, May 7 (Reuters) - Russia said on Tuesday it would keep talking.\n";
    assert_eq!(published_from_text(wire), None);
    let with_update = format!("Updated: May 9, 2013\n{wire}");
    let d = published_from_text(&with_update).unwrap();
    assert_eq!((d.day, d.how), (ymd(2013, 5, 7), DateSource::Dateline));
    assert_eq!(&with_update[d.span.clone()], "May 7");
    assert!(d
        .describe(&with_update)
        .ends_with("(year from another date)"));
    // An update in January: the dateline's December is the year before.
    let jan = "Updated: Jan 2, 2014\nMoscow, Dec 30 (Reuters) - Talks went on, officials said.\n";
    assert_eq!(day(jan), Some(ymd(2013, 12, 30)));
    let with_copyright = format!("{wire}More text.\n© 2005-2013 Thomson Reuters\n");
    assert_eq!(day(&with_copyright), Some(ymd(2013, 5, 7)));
}

// ---- things that are not dates ---------------------------------------------------------

#[test]
fn dates_inside_sentences_are_not_publication_dates() {
    assert_eq!(
        day(&article("Page was born on April 22, 1923, in Nashville.")),
        None
    );
    assert_eq!(
        day(&article(
            "Reid checked herself in on Tuesday, December 9, 2008."
        )),
        None
    );
    assert_eq!(
        day(&article("March 11, 2005 was the day the rampage began.")),
        None
    );
    assert_eq!(
        day(&article("the game was released on September 25, 2019")),
        None
    );
    // But the same date as a header line is.
    assert_eq!(day(&article("April 22, 1923")), Some(ymd(1923, 4, 22)));
}

#[test]
fn negative_labels_tweets_captions_and_ranges_are_skipped() {
    for head in [
        "Posted 1 year, 160 days ago [ downloaded on 2 October 2013 ]",
        "Retrieved 2 October 2013",
        "— Robert Maguire (@RobertMaguire_) November 18, 2019",
        "Source: Russian Defense Ministry, October 25, 2019",
        "2018.04.05 ~ OPEN RUN",
        "29 November 2018 | 20 January 2019",
    ] {
        assert_eq!(day(&article(head)), None, "{head}");
    }
}

#[test]
fn numbers_that_are_not_dates() {
    for head in [
        // phone numbers
        "Call 555-12-2016 or +49 40 890 85-433",
        "Tel. (030) 12 10 2016",
        // versions
        "Firmware v2.10.2016",
        "Version 2.10.2016",
        "Build 1.2.3.2016",
        // scores, ranges, times, decimals, addresses
        "Colts 20-13 Chiefs, 3-1",
        "Seasons 1951-1957",
        "08:00 10.30 14: 25",
        "192.168.1.1",
        "MS08-078",
        // a URL's date path
        "http://www.nytimes.com/2019/11/19/opinion/x.html",
        // impossible days
        "31/02/2013",
        "13/13/2013",
        "2013-02-30",
        "May 5 1000 people",
    ] {
        let text = article(head);
        assert_eq!(day(&text), None, "{head}");
        assert_eq!(days(&text, None), vec![], "{head}");
    }
}

#[test]
fn the_head_is_a_window() {
    let mut text = String::from("Title\n");
    for i in 0..30 {
        text.push_str(&format!(
            "Sentence {i} of the story goes on for a while, with enough words to fill a line of news text, as officials said.\n"
        ));
    }
    text.push_str("May 2, 2013\n");
    assert_eq!(day(&text), None);
    // A label still counts further down.
    text.push_str("Published: May 2, 2013\n");
    assert_eq!(day(&text), Some(ymd(2013, 5, 2)));
}
