//! What event clustering reads from one article — its terms, its day and
//! its venues — in one place, so `cluster` and `check --level event` read
//! an article alike.

use crate::article::Article;
use crate::events::dates::{article_day, ArticleDay};
use crate::events::places::{article_venues, Venue};
use crate::events::terms::{story_terms, RawTerms};
use crate::text::boilerplate::{event_story_lines, BoilerplateConfig, LineFrequencies};
use crate::text::normalize::normalize_line_cased;

/// An article's event evidence.
pub struct Evidence {
    /// Stems, names and numbers of its title and story lines.
    pub terms: RawTerms,
    /// Its day: the `published` field, else a date read from the text.
    pub day: Option<ArticleDay>,
    /// The places its dateline and lead name (none unless `places`).
    pub venues: Vec<Venue>,
}

/// Reads an article's evidence: story lines (boilerplate by the rules and,
/// given `freq`, by corpus frequency; given also `copies`, the size of its
/// duplicate group, without lines pages other than its copies share:
/// [`event_story_lines`]), terms, day and, with `places`, venues.
pub fn article_evidence(
    article: &Article,
    boilerplate: &BoilerplateConfig,
    freq: Option<&LineFrequencies>,
    copies: Option<u32>,
    places: bool,
) -> Evidence {
    let story = event_story_lines(&article.text, boilerplate, freq, copies);
    let venues = if places {
        let title = article.title.as_deref().map(normalize_line_cased);
        article_venues(&article.text, title.as_deref(), &story)
    } else {
        Vec::new()
    };
    Evidence {
        terms: story_terms(article, &story),
        day: article_day(article),
        venues,
    }
}
