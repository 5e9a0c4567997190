//! The article fields of an extracted page: its id (the path of a file,
//! else its URL, else the WARC record id), URL (`WARC-Target-URI`, else the
//! canonical link), source (`og:site_name`, else the URL's host), date, and
//! language (`<html lang>`, else detected with `whatlang`), given as the
//! two-letter codes the stemmer choice understands.

use super::extract::Extracted;
use super::PageHints;
use crate::article::{Article, RejectReason};

/// Shortest text language detection is tried on.
const MIN_DETECT_CHARS: usize = 40;

pub(super) fn article(page: Extracted, hints: &PageHints) -> Result<Article, RejectReason> {
    let url = hints.url.clone().or(page.canonical);
    let id = hints
        .id
        .clone()
        .or_else(|| url.clone())
        .or_else(|| hints.record_id.clone())
        .ok_or(RejectReason::MissingField("id"))?;
    let source = page
        .site_name
        .or_else(|| url.as_deref().and_then(host_of).map(str::to_string));
    let lang = page
        .lang
        .as_deref()
        .and_then(primary_subtag)
        .or_else(|| detect_language(&page.text));
    Ok(Article {
        id,
        title: page.title,
        text: page.text,
        url,
        source,
        published: page.published.filter(|d| plausible_date(d)),
        lang,
        extra: serde_json::Map::new(),
    })
}

/// A date that is not a placeholder: content management systems fill an
/// empty date with year 1 (`0001-01-01T00:00:00Z`); a year before 1900 is
/// dropped, so the date is read from the text instead.
fn plausible_date(date: &str) -> bool {
    let year: Option<u32> = date.get(..4).and_then(|y| y.parse().ok());
    year.is_none_or(|y| y >= 1900)
}

/// The host of an absolute URL, without `www.` and port.
fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = host.split(':').next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

/// `en-GB` → `en`; anything that is not a language tag → `None`.
fn primary_subtag(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    let ok = (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase());
    ok.then_some(primary)
}

/// The language of a text when `whatlang` is confident of it.
fn detect_language(text: &str) -> Option<String> {
    if text.len() < MIN_DETECT_CHARS {
        return None;
    }
    let info = whatlang::detect(text).filter(whatlang::Info::is_reliable)?;
    Some(language_code(info.lang().code()).to_string())
}

/// An ISO 639-3 code as the two-letter ISO 639-1 code when there is one
/// (every language the stemmers know has one), else unchanged.
pub fn language_code(code: &str) -> &str {
    const TWO_LETTER: &[(&str, &str)] = &[
        ("ara", "ar"),
        ("ben", "bn"),
        ("bul", "bg"),
        ("ces", "cs"),
        ("cmn", "zh"),
        ("dan", "da"),
        ("deu", "de"),
        ("ell", "el"),
        ("eng", "en"),
        ("est", "et"),
        ("fin", "fi"),
        ("fra", "fr"),
        ("heb", "he"),
        ("hin", "hi"),
        ("hrv", "hr"),
        ("hun", "hu"),
        ("ind", "id"),
        ("ita", "it"),
        ("jpn", "ja"),
        ("kor", "ko"),
        ("lat", "la"),
        ("lav", "lv"),
        ("lit", "lt"),
        ("nld", "nl"),
        ("nob", "no"),
        ("pes", "fa"),
        ("pol", "pl"),
        ("por", "pt"),
        ("ron", "ro"),
        ("rus", "ru"),
        ("slk", "sk"),
        ("slv", "sl"),
        ("spa", "es"),
        ("srp", "sr"),
        ("swe", "sv"),
        ("tam", "ta"),
        ("tha", "th"),
        ("tur", "tr"),
        ("ukr", "uk"),
        ("urd", "ur"),
        ("vie", "vi"),
    ];
    TWO_LETTER
        .iter()
        .find(|(three, _)| *three == code)
        .map_or(code, |(_, two)| two)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_tags_and_codes() {
        assert_eq!(
            host_of("https://www.example.org:8080/a?b"),
            Some("example.org")
        );
        assert_eq!(host_of("http://user@news.example/x"), Some("news.example"));
        assert_eq!(host_of("no scheme"), None);
        assert_eq!(primary_subtag("en-GB").as_deref(), Some("en"));
        assert_eq!(primary_subtag("{{lang}}"), None);
        assert_eq!(language_code("deu"), "de");
        assert_eq!(language_code("xyz"), "xyz");
        assert!(!plausible_date("0001-01-01T00:00:00Z"));
        assert!(plausible_date("2019-11-20") && plausible_date("November 19, 2019"));
        let french = "Le conseil municipal a annoncé mercredi que le pont du port sera fermé lundi pour des réparations.";
        assert_eq!(detect_language(french).as_deref(), Some("fr"));
    }

    #[test]
    fn id_is_the_path_else_the_url_else_the_record_id() {
        let page = || Extracted {
            text: "a b c".into(),
            ..Extracted::default()
        };
        let hints = PageHints {
            url: Some("https://www.example.org/story".into()),
            record_id: Some("<urn:uuid:1>".into()),
            ..PageHints::default()
        };
        let a = article(page(), &hints).unwrap();
        assert_eq!(a.id, "https://www.example.org/story");
        assert_eq!(a.source.as_deref(), Some("example.org"));
        let file = PageHints {
            id: Some("pages/a.html".into()),
            ..hints.clone()
        };
        assert_eq!(article(page(), &file).unwrap().id, "pages/a.html");
        let bare = PageHints {
            record_id: Some("<urn:uuid:1>".into()),
            ..PageHints::default()
        };
        assert_eq!(article(page(), &bare).unwrap().id, "<urn:uuid:1>");
    }
}
