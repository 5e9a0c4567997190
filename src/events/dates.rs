//! Publication days: parsing a `published` value, and the one day number
//! (days since 1970-01-01) that date windows compare.

use chrono::{DateTime, NaiveDate};

use crate::article::Article;
use crate::text::dateline::published_from_text;

/// Parses a `published` value: RFC 3339, RFC 2822, or a date-first string
/// starting `YYYY-MM-DD`.
pub fn parse_day(published: &str) -> Option<NaiveDate> {
    let s = published.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.naive_utc().date());
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.naive_utc().date());
    }
    s.get(..10)
        .and_then(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").ok())
}

/// Days since 1970-01-01 of a publication date, when readable: the day
/// number of `cluster`'s window and of the index.
pub fn day_number(published: &str) -> Option<i32> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    parse_day(published).and_then(|d| i32::try_from((d - epoch).num_days()).ok())
}

/// How many days apart two day ranges (first, last) are: the gap between
/// them, 0 or less when they overlap. The one measure of the day windows:
/// `cluster` compares clusters' ranges, `check --level event` and
/// `--explain` single days and events.
pub fn days_apart(a: (i64, i64), b: (i64, i64)) -> i64 {
    a.0.max(b.0) - a.1.min(b.1)
}

/// Where an article's publication day came from.
#[derive(Debug, Clone, PartialEq)]
pub enum DayFrom {
    /// Its `published` field.
    Published,
    /// Its text (no readable `published`): what was read, and where
    /// ("text line 3: 'Updated: 2013-05-08' = 2013-05-08").
    Text(String),
}

/// An article's publication day (days since 1970-01-01) and its source.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleDay {
    pub day: i32,
    pub from: DayFrom,
}

impl ArticleDay {
    /// A day from a `published` field.
    pub fn published(day: i32) -> Self {
        ArticleDay {
            day,
            from: DayFrom::Published,
        }
    }

    /// The calendar date.
    pub fn date(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
            + chrono::Duration::days(i64::from(self.day))
    }

    /// Where the day came from, for `--explain`.
    pub fn describe(&self) -> String {
        match &self.from {
            DayFrom::Published => "the published field".to_string(),
            DayFrom::Text(t) => t.clone(),
        }
    }
}

/// An article's publication day: its `published` field when readable, else
/// the date printed in the head of its text
/// ([`crate::text::dateline::published_from_text`]).
pub fn article_day(article: &Article) -> Option<ArticleDay> {
    if let Some(day) = article.published.as_deref().and_then(day_number) {
        return Some(ArticleDay {
            day,
            from: DayFrom::Published,
        });
    }
    let found = published_from_text(&article.text)?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    let day = i32::try_from((found.day - epoch).num_days()).ok()?;
    Some(ArticleDay {
        day,
        from: DayFrom::Text(found.describe(&article.text)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_values_in_common_forms() {
        let d = NaiveDate::from_ymd_opt(2016, 12, 8);
        assert_eq!(parse_day("2016-12-08T10:00:00+01:00"), d);
        assert_eq!(parse_day("Thu, 08 Dec 2016 10:00:00 +0000"), d);
        assert_eq!(parse_day("2016-12-08 evening"), d);
        assert_eq!(parse_day("08.12.2016"), None);
        assert_eq!(day_number("1970-01-02"), Some(1));
        assert_eq!(day_number("2016-12-08"), Some(17143));
    }
}
