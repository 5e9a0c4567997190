//! Publication days: parsing a `published` value, and the one day number
//! (days since 1970-01-01) that date windows compare.

use chrono::{DateTime, NaiveDate};

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
