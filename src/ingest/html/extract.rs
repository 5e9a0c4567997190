//! The main text and metadata of a decoded page, with `dom_smoothie` (a
//! port of Mozilla's Readability; chosen by measurement, see the README),
//! plus what it does not read: `<link rel=canonical>` and `<time
//! datetime>`. The text keeps one paragraph per line, as the rest of the
//! pipeline (boilerplate lines, datelines) expects.

use dom_smoothie::{Config, Readability, TextMode};

use crate::article::RejectReason;

/// What the extractor found in a page.
#[derive(Debug, Default)]
pub(super) struct Extracted {
    pub title: Option<String>,
    pub text: String,
    pub site_name: Option<String>,
    pub published: Option<String>,
    /// `<html lang>` (or the metadata's language).
    pub lang: Option<String>,
    /// `<link rel=canonical>`, else the metadata's URL (`og:url`).
    pub canonical: Option<String>,
}

/// Extracts the main text of a page; `url` (when absolute) resolves links.
///
/// # Errors
/// `no_article` when the extractor finds no article text.
pub(super) fn extract(html: &str, url: Option<&str>) -> Result<Extracted, RejectReason> {
    let doc = dom_query::Document::from(html);
    let first_attr = |selector: &str, attr: &str| {
        doc.select(selector)
            .nodes()
            .iter()
            .find_map(|n| n.attr(attr).map(|v| v.trim().to_string()))
            .filter(|v| !v.is_empty())
    };
    let canonical = first_attr("link[rel=canonical]", "href").filter(|u| is_absolute(u));
    let time = first_attr("time[datetime]", "datetime");
    let html_lang = first_attr("html[lang]", "lang");
    let cfg = Config {
        text_mode: TextMode::Formatted,
        ..Config::default()
    };
    let url = url.filter(|u| is_absolute(u));
    let mut readability = Readability::with_document(doc, url, Some(cfg))
        .map_err(|e| RejectReason::NoArticleText(e.to_string()))?;
    let article = readability
        .parse()
        .map_err(|e| RejectReason::NoArticleText(e.to_string()))?;
    let text = tidy_lines(&article.text_content);
    if text.trim().is_empty() {
        return Err(RejectReason::NoArticleText(
            "the extractor found no text".into(),
        ));
    }
    let some = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(Extracted {
        title: some(Some(article.title)),
        text,
        site_name: some(article.site_name),
        published: some(article.published_time).or(time),
        lang: html_lang.or(some(article.lang)),
        canonical: canonical.or(some(article.url).filter(|u| is_absolute(u))),
    })
}

/// One paragraph per line: lines trimmed, runs of blank lines made one.
fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push('\n');
            blank = false;
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn is_absolute(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_text_and_metadata() {
        let html = r#"<html lang="en-GB"><head><title>Bridge to close | The Harbour Times</title>
            <meta property="og:site_name" content="The Harbour Times">
            <meta property="article:published_time" content="2016-12-07T09:00:00Z">
            <link rel="canonical" href="https://times.example/bridge"></head>
            <body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
            <article><h1>Bridge to close</h1>
            <p>The harbour bridge will close for repairs on Monday, the city council said on Wednesday, after inspectors found corroded cables under the main span.</p>
            <p>Traffic will be diverted over the old ferry road for at least three weeks while the cables are replaced, the council's transport office said.</p>
            <p>Shops near the bridge said they feared losing customers during the busy weeks before the holidays and asked for help.</p>
            </article><footer>Copyright 2016</footer></body></html>"#;
        let page = extract(html, None).unwrap();
        assert!(page.text.contains("corroded cables"), "{}", page.text);
        assert!(!page.text.contains("Copyright"), "{}", page.text);
        assert!(page.text.lines().count() >= 3, "{}", page.text);
        assert_eq!(page.site_name.as_deref(), Some("The Harbour Times"));
        assert_eq!(page.published.as_deref(), Some("2016-12-07T09:00:00Z"));
        assert_eq!(page.lang.as_deref(), Some("en-GB"));
        assert_eq!(
            page.canonical.as_deref(),
            Some("https://times.example/bridge")
        );
    }
}
