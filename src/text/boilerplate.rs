//! Boilerplate detection: which lines of an article are site chrome (menus,
//! share widgets, "Related topics", comment prompts, copyright and agency
//! notices) rather than the story.
//!
//! Two signals are combined. Per-line rules look at one line alone (known
//! phrases, pipe and bullet navigation, short fragments without sentence
//! punctuation). Corpus frequency ([`LineFrequencies`]) catches chrome no
//! rule knows: a line that appears in many articles, far more often than the
//! article's own sentences, is chrome. Comparing with the article's own
//! sentences keeps a story that was republished many times intact.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Why a line was classified as boilerplate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "rule", content = "detail")]
pub enum Reason {
    /// The line contains a known chrome phrase.
    Phrase(&'static str),
    /// Navigation: pipes, bullets or a link list.
    Navigation,
    /// A short fragment without sentence punctuation (menu item, heading).
    Fragment,
    /// Seen in many articles (estimated count), far more than the article's text.
    Frequent(u32),
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Phrase(p) => write!(f, "chrome phrase {p:?}"),
            Reason::Navigation => f.write_str("navigation"),
            Reason::Fragment => f.write_str("short fragment"),
            Reason::Frequent(n) => write!(f, "repeated in about {n} articles"),
        }
    }
}

/// Settings for boilerplate removal, with documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct BoilerplateConfig {
    /// Apply the per-line rules (default true).
    pub line_rules: bool,
    /// Learn frequent lines from the corpus (default true).
    pub corpus_frequency: bool,
    /// A line is frequent chrome only if seen in at least this many articles (default 5).
    pub min_articles: u32,
    /// … and at least this many times more often than the article's own
    /// sentences (default 4).
    pub ratio: u32,
}

impl Default for BoilerplateConfig {
    fn default() -> Self {
        BoilerplateConfig {
            line_rules: true,
            corpus_frequency: true,
            min_articles: 5,
            ratio: 4,
        }
    }
}

impl BoilerplateConfig {
    /// No boilerplate removal at all.
    pub fn disabled() -> Self {
        BoilerplateConfig {
            line_rules: false,
            corpus_frequency: false,
            ..Self::default()
        }
    }
}

/// Phrases that mark a short line as chrome. Matched on normalized text.
const CHROME_PHRASES: &[&str] = &[
    "all rights reserved",
    "copyright",
    "©",
    "related topics",
    "related articles",
    "related stories",
    "related news",
    "read more",
    "share this",
    "share on",
    "bu haberi paylaşın",
    "write your comment",
    "leave a comment",
    "be the first to comment",
    "comments are closed",
    "add comment",
    "post a comment",
    "sign up for",
    "subscribe to",
    "subscription options",
    "contains only a portion of the news",
    "click here",
    "follow us on",
    "this site uses akismet",
    "learn how your comment data",
    "most viewed",
    "most read",
    "editor's picks",
    "today's top news",
    "you may also like",
    "recommended for you",
    "advertisement",
    "newsletter",
    "cookie",
    "privacy policy",
    "terms of use",
    "contributed to this report",
    // Prompts and walls a scraper saves instead of the story.
    "verification email",
    "verify your email",
    "enable notifications",
    "allow notifications",
    "turn on notifications",
    "push notifications",
    "enable javascript",
    "javascript is disabled",
    "ad blocker",
    "already a subscriber",
    "already have an account",
    "create an account",
    "create a free account",
    "to continue reading",
    "subscribers only",
    "access denied",
    "page not found",
];

/// The first of [`CHROME_PHRASES`] (in list order) the line contains, found
/// in one pass over the line.
fn chrome_phrase(line: &str) -> Option<&'static str> {
    static MATCHER: OnceLock<AhoCorasick> = OnceLock::new();
    let matcher = MATCHER
        .get_or_init(|| AhoCorasick::new(CHROME_PHRASES).expect("the phrases are plain strings"));
    matcher
        .find_overlapping_iter(line)
        .map(|m| m.pattern().as_usize())
        .min()
        .map(|i| CHROME_PHRASES[i])
}

/// Longest line (in words) the phrase and fragment rules apply to: a long
/// sentence that mentions "copyright" is news, not chrome.
const RULE_MAX_WORDS: usize = 40;

/// Classifies one normalized line on its own.
pub fn line_rule(line: &str) -> Option<Reason> {
    // Counted only as far as the rules look: a story line stops early.
    let words = if line.is_ascii() {
        line.as_bytes()
            .split(|&b| b == b' ')
            .filter(|w| w.iter().any(u8::is_ascii_alphanumeric))
            .take(RULE_MAX_WORDS + 1)
            .count()
    } else {
        line.split(' ')
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .take(RULE_MAX_WORDS + 1)
            .count()
    };
    if line.is_empty() {
        return None;
    }
    if words == 0 {
        return Some(Reason::Navigation);
    }
    if words > RULE_MAX_WORDS {
        return None;
    }
    if let Some(p) = chrome_phrase(line) {
        return Some(Reason::Phrase(p));
    }
    let pipes = line.matches('|').count();
    if pipes >= 2 || (pipes == 1 && line.trim_end().ends_with('|')) {
        return Some(Reason::Navigation);
    }
    // Ideographic full stop and corner brackets: a Chinese or Japanese
    // sentence has no spaces, so it is one "word" and must end like one.
    let ends_sentence = line.ends_with(['.', '!', '?', '"', '\'', ':', ')', ';', '。', '」', '』']);
    let bullet = line.starts_with(['-', '*', '•', '·', '>']);
    if bullet && !ends_sentence && words <= 15 {
        return Some(Reason::Navigation);
    }
    if words <= 3 && !ends_sentence {
        return Some(Reason::Fragment);
    }
    None
}

/// The key a line is counted under in [`LineFrequencies`].
pub fn line_key(line: &str) -> u64 {
    xxh3_64_with_seed(line.as_bytes(), 0x6c69_6e65)
}

/// Lines longer than this (in bytes) are never counted: a page without line
/// breaks is not a line of chrome, but an author's bio or a legal notice of
/// a few hundred words is (400 missed them).
pub const MAX_COUNTED_LINE: usize = 2000;

/// Approximate document frequency of lines across a corpus, in fixed memory:
/// a count-min sketch with conservative update (estimates are never below
/// the true count and rarely above it), or, [`Self::mergeable`], with plain
/// update: sketches of shards of a corpus then sum to the corpus's sketch.
#[derive(Debug, Clone)]
pub struct LineFrequencies {
    rows: Vec<Vec<u16>>,
    mask: u64,
    conservative: bool,
}

const SKETCH_ROWS: usize = 4;

impl LineFrequencies {
    /// A sketch sized for a corpus of about `corpus_bytes` bytes (4 rows of
    /// up to 4 Mi counters: at most 32 MiB).
    pub fn for_corpus_bytes(corpus_bytes: u64) -> Self {
        let width = (corpus_bytes / 16)
            .clamp(1 << 12, 1 << 22)
            .next_power_of_two();
        LineFrequencies {
            rows: vec![vec![0; width as usize]; SKETCH_ROWS],
            mask: width - 1,
            conservative: true,
        }
    }

    /// [`Self::for_corpus_bytes`] with plain update (every counter of a
    /// line's key is incremented, saturating): the sketch of a corpus is the
    /// sum of its shards' sketches ([`Self::add_sketch`]), whatever the
    /// shards and their order. Estimates are a little higher than with
    /// conservative update where keys collide.
    pub fn mergeable(corpus_bytes: u64) -> Self {
        LineFrequencies {
            conservative: false,
            ..Self::for_corpus_bytes(corpus_bytes)
        }
    }

    /// Adds another mergeable sketch of the same size, counter by counter
    /// (saturating).
    ///
    /// # Errors
    /// The sketches differ in size or either is conservative.
    pub fn add_sketch(&mut self, other: &LineFrequencies) -> crate::error::Result<()> {
        if self.conservative || other.conservative || self.mask != other.mask {
            return Err(crate::error::Error::invalid(
                "line sketch",
                "only mergeable sketches of one corpus size can be summed",
            ));
        }
        for (row, theirs) in self.rows.iter_mut().zip(&other.rows) {
            for (c, t) in row.iter_mut().zip(theirs) {
                *c = c.saturating_add(*t);
            }
        }
        Ok(())
    }

    /// The counters of a mergeable sketch as bytes (little-endian `u16`s,
    /// row after row), for [`Self::from_bytes`].
    pub fn to_bytes(&self) -> Vec<u8> {
        self.rows
            .iter()
            .flatten()
            .flat_map(|c| c.to_le_bytes())
            .collect()
    }

    /// A mergeable sketch from [`Self::to_bytes`].
    ///
    /// # Errors
    /// The bytes are not a sketch (a width that is not a power of two).
    pub fn from_bytes(bytes: &[u8]) -> crate::error::Result<Self> {
        let width = bytes.len() / 2 / SKETCH_ROWS;
        if width == 0 || !width.is_power_of_two() || bytes.len() != width * 2 * SKETCH_ROWS {
            return Err(crate::error::Error::invalid(
                "line sketch",
                format!("{} bytes are not a sketch", bytes.len()),
            ));
        }
        let counters: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect();
        Ok(LineFrequencies {
            rows: counters.chunks(width).map(<[u16]>::to_vec).collect(),
            mask: width as u64 - 1,
            conservative: false,
        })
    }

    fn slots(&self, key: u64) -> [usize; SKETCH_ROWS] {
        let mut out = [0; SKETCH_ROWS];
        let (a, b) = (key, key.rotate_left(32) | 1);
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = (a.wrapping_add((i as u64).wrapping_mul(b)) & self.mask) as usize;
        }
        out
    }

    /// Counts one article's lines (each distinct line once).
    pub fn add_article<'a>(&mut self, lines: impl IntoIterator<Item = &'a str>) {
        self.add_keys(&Self::article_keys(lines));
    }

    /// The distinct keys of an article's countable lines, for
    /// [`Self::add_keys`] (computed anywhere, counted in one place).
    pub fn article_keys<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<u64> {
        let mut keys: Vec<u64> = lines
            .into_iter()
            .filter(|l| !l.is_empty() && l.len() <= MAX_COUNTED_LINE)
            .map(line_key)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Counts one article given its [`Self::article_keys`].
    pub fn add_keys(&mut self, keys: &[u64]) {
        for &key in keys {
            self.increment(key);
        }
    }

    fn increment(&mut self, key: u64) {
        let slots = self.slots(key);
        if !self.conservative {
            for (row, &slot) in self.rows.iter_mut().zip(&slots) {
                row[slot] = row[slot].saturating_add(1);
            }
            return;
        }
        let current = self.estimate_slots(&slots);
        let next = current.saturating_add(1);
        for (row, &slot) in self.rows.iter_mut().zip(&slots) {
            if row[slot] < next {
                row[slot] = next;
            }
        }
    }

    fn estimate_slots(&self, slots: &[usize; SKETCH_ROWS]) -> u16 {
        self.rows
            .iter()
            .zip(slots)
            .map(|(row, &s)| row[s])
            .min()
            .unwrap_or(0)
    }

    /// Estimated number of articles containing the line.
    pub fn estimate(&self, line: &str) -> u32 {
        if line.is_empty() || line.len() > MAX_COUNTED_LINE {
            return 0;
        }
        u32::from(self.estimate_slots(&self.slots(line_key(line))))
    }
}

/// The verdict on each line of one article: `None` keeps the line.
pub fn classify(
    lines: &[String],
    config: &BoilerplateConfig,
    freq: Option<&LineFrequencies>,
) -> Vec<Option<Reason>> {
    let mut verdicts: Vec<Option<Reason>> = lines
        .iter()
        .map(|l| {
            if config.line_rules {
                line_rule(l)
            } else {
                None
            }
        })
        .collect();
    if let (true, Some(freq)) = (config.corpus_frequency, freq) {
        let counts: Vec<u32> = lines.iter().map(|l| freq.estimate(l)).collect();
        let base = typical_sentence_count(lines, &counts, &verdicts, config);
        let floor = frequency_floor(config, base);
        for (verdict, &count) in verdicts.iter_mut().zip(&counts) {
            if verdict.is_none() && count >= floor {
                *verdict = Some(Reason::Frequent(count));
            }
        }
    }
    if verdicts
        .iter()
        .zip(lines)
        .all(|(v, l)| v.is_some() || l.is_empty())
    {
        // Everything looked like chrome: keep the text rather than lose the article.
        verdicts.iter_mut().for_each(|v| *v = None);
    }
    verdicts
}

/// The story of an article: its lines that are not boilerplate, normalized
/// with letter case kept, each with its 0-based line number in the text.
pub fn story_lines(
    text: &str,
    config: &BoilerplateConfig,
    freq: Option<&LineFrequencies>,
) -> Vec<(usize, String)> {
    event_story_lines(text, config, freq, None)
}

/// How many articles beyond its own copies may share a line before event
/// clustering reads it as chrome ([`event_story_lines`]).
pub const SHARED_BEYOND_COPIES: u32 = 2;

/// The story lines event clustering reads: [`story_lines`], less the lines
/// other stories share when `copies` (the size of the article's duplicate
/// group) is given.
///
/// A kept article's own sentences are in it and its copies. A line that
/// `freq` counts in at least `copies` + [`SHARED_BEYOND_COPIES`] articles is
/// also on pages that are not its copies: site chrome (an author's bio, a
/// "more stories" list, a sign-up notice) on a site with too few pages in
/// the corpus for the frequency rule, which must spare lines a story and its
/// copies share. Such lines do not vote on which event an article reports.
/// Were nothing left, the story lines are kept.
pub fn event_story_lines(
    text: &str,
    config: &BoilerplateConfig,
    freq: Option<&LineFrequencies>,
    copies: Option<u32>,
) -> Vec<(usize, String)> {
    let lines = crate::text::normalize::normalize_lines(text);
    let verdicts = classify(&lines, config, freq);
    let story = |shared: &dyn Fn(&str) -> bool| -> Vec<(usize, String)> {
        text.split('\n')
            .zip(&lines)
            .zip(&verdicts)
            .enumerate()
            .filter(|(_, ((_, folded), v))| v.is_none() && !folded.is_empty() && !shared(folded))
            .map(|(i, ((raw, _), _))| (i, crate::text::normalize::normalize_line_cased(raw)))
            .collect()
    };
    match (freq, copies) {
        (Some(freq), Some(copies)) if config.corpus_frequency => {
            let limit = copies.saturating_add(SHARED_BEYOND_COPIES);
            let own = story(&|l: &str| freq.estimate(l) >= limit);
            if own.is_empty() {
                story(&|_: &str| false)
            } else {
                own
            }
        }
        _ => story(&|_: &str| false),
    }
}

/// The count at which a line of an article whose own sentences are counted
/// `typical` times is frequent chrome: in at least `min_articles` articles
/// and `ratio` times as many as the article's sentences.
fn frequency_floor(config: &BoilerplateConfig, typical: u32) -> u32 {
    config
        .min_articles
        .max(typical.saturating_mul(config.ratio))
}

/// Fewest long lines between a page's head and tail of chrome for them to be
/// read as its story ([`typical_sentence_count`]).
pub const STORY_MIDDLE_LINES: usize = 2;

/// How often the article's own sentences are counted: the median count of
/// its long lines, or of all its lines when it has no long line; lines a line
/// rule already marked as chrome (a long subscription notice, say) do not
/// count.
///
/// A page whose chrome has more long lines than its story (a short local
/// report under a site's headlines, sign-up notices and footer) would take
/// the chrome's count for its own, and keep the chrome. So when a page has
/// the shape of a site's header, a story and a site's footer, the median of
/// the long lines between header and footer is the article's count. The
/// header and the footer are the runs of lines at the page's start and end
/// that are empty, chrome by a line rule, or frequent even against the
/// page's rarest long line; the shape holds when
/// - both runs exist and each holds a frequent line and a short line (under
///   eight words) that is chrome, by a line rule or by frequency: a site's
///   header and footer have menu items, dates and buttons, a wire story's
///   sentences do not;
/// - at least [`STORY_MIDDLE_LINES`] long lines lie between them, none of
///   them frequent: a copy that changes a sentence here and there keeps
///   wire lines between its own.
///
/// A syndicated copy that adds sentences at its end, or changes a few,
/// keeps the median of all its lines. One case still looks like a page of
/// chrome: a copy in a group of five or more, inside its own site's
/// frequent header and footer, whose only own lines are one block in the
/// middle; its wire lines then go as chrome (README, "A short story under a
/// long header and footer").
fn typical_sentence_count(
    lines: &[String],
    counts: &[u32],
    verdicts: &[Option<Reason>],
    config: &BoilerplateConfig,
) -> u32 {
    let open = |i: &usize| verdicts[*i].is_none();
    let long_line = |i: &usize| lines[*i].split(' ').nth(7).is_some();
    let long: Vec<u32> = (0..lines.len())
        .filter(open)
        .filter(long_line)
        .map(|i| counts[i].max(1))
        .collect();
    let median = |mut pool: Vec<u32>| {
        pool.sort_unstable();
        pool[pool.len() / 2]
    };
    if long.is_empty() {
        let pool: Vec<u32> = (0..lines.len())
            .filter(open)
            .map(|i| counts[i])
            .filter(|&c| c > 0)
            .collect();
        return if pool.is_empty() { 1 } else { median(pool) };
    }
    let rarest = long.iter().copied().min().unwrap_or(1);
    let chrome = frequency_floor(config, rarest);
    let frequent = |i: &usize| open(i) && !lines[*i].is_empty() && counts[*i] >= chrome;
    let edge = |i: &usize| lines[*i].is_empty() || !open(i) || counts[*i] >= chrome;
    let short_chrome = |i: &usize| !lines[*i].is_empty() && !long_line(i) && edge(i);
    let site_run = |run: std::ops::Range<usize>| {
        run.clone().any(|i| frequent(&i)) && run.clone().any(|i| short_chrome(&i))
    };
    let head = (0..lines.len()).take_while(edge).count();
    let tail = (head..lines.len()).rev().take_while(edge).count();
    let inner = head..lines.len() - tail;
    let middle: Vec<u32> = inner
        .clone()
        .filter(open)
        .filter(long_line)
        .map(|i| counts[i].max(1))
        .collect();
    let shaped = site_run(0..head)
        && site_run(lines.len() - tail..lines.len())
        && middle.len() >= STORY_MIDDLE_LINES
        && !inner.filter(long_line).any(|i| frequent(&i));
    if shaped {
        median(middle)
    } else {
        median(long)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::normalize_lines;

    #[test]
    fn event_story_lines_leave_out_lines_other_stories_share() {
        let chrome =
            "Crews battle overnight blaze at Marlborough lumber yard as neighbours evacuate";
        let texts: Vec<String> = (0..3)
            .map(|i| {
                format!(
                    "Police said victim number {i} was taken to a hospital on Friday.\n{chrome}"
                )
            })
            .collect();
        let mut freq = LineFrequencies::for_corpus_bytes(1 << 16);
        for t in &texts {
            freq.add_article(normalize_lines(t).iter().map(String::as_str));
        }
        let config = BoilerplateConfig::default();
        let lines = |copies| -> Vec<usize> {
            event_story_lines(&texts[0], &config, Some(&freq), copies)
                .into_iter()
                .map(|(i, _)| i)
                .collect()
        };
        // Three pages carry the line: two beyond an article without copies.
        assert_eq!(lines(Some(1)), vec![0]);
        // An article with two copies: the line may be its own.
        assert_eq!(lines(Some(3)), vec![0, 1]);
        // Without copy counts (`check`) and for dedup, every story line.
        assert_eq!(lines(None), vec![0, 1]);
        assert_eq!(story_lines(&texts[0], &config, Some(&freq)).len(), 2);
        // A page whose every line is shared keeps its story lines.
        let mut shared = LineFrequencies::for_corpus_bytes(1 << 16);
        for _ in 0..3 {
            shared.add_article(normalize_lines(&texts[0]).iter().map(String::as_str));
        }
        assert_eq!(
            event_story_lines(&texts[0], &config, Some(&shared), Some(1)).len(),
            2
        );
    }

    #[test]
    fn a_short_story_between_a_longer_header_and_footer_loses_the_chrome() {
        // Eight pages of one site: a header of its name and three long
        // lines, a footer of three long lines and a short one, around a
        // story of two sentences of its own. The chrome has more long lines
        // than the story, so the median of the page's long lines is the
        // chrome's count; the story between header and footer gives the
        // page's own count, and the chrome goes.
        let header = [
            "The Daily Courier",
            "Get breaking news alerts from the Daily Courier sent straight to your phone",
            "Our newsroom covers crime, courts, schools and city hall across the county",
            "Support local journalism today with a digital subscription for one dollar",
        ];
        let footer = [
            "The Daily Courier has served the river valley and its towns since eighteen ninety",
            "Our reporters can be reached at the newsroom on Main Street during office hours",
            "Tips about local crime and courts are welcome from readers across the county",
            "Courier Media Group",
        ];
        let page = |i: usize| {
            let story = [
                format!("A man was shot on the {i}00 block of Elm Street late on Tuesday night, police said."),
                format!("The victim, aged {}, was taken to the county hospital in a stable condition.", 20 + i),
            ];
            [
                header.map(String::from).to_vec(),
                story.to_vec(),
                footer.map(String::from).to_vec(),
            ]
            .concat()
            .join("\n")
        };
        let pages: Vec<String> = (1..=8).map(page).collect();
        // A wire story (a title and six sentences) carried by seven sites
        // as it is, and by four that changed it; each copy keeps its wire
        // lines: one that adds a sentence in the middle, one that adds two at
        // its end, one that rewrote two sentences apart, one that rewrote
        // two in a row.
        let wire: Vec<String> = std::iter::once("Storm cuts power across the region".to_string())
            .chain((0..6).map(|k| format!("The storm knocked out power to {k} thousand homes across the region overnight, officials said")))
            .collect();
        let own = |k: usize| {
            format!("Crews in our town number {k} restored power to the hospital first, the mayor told reporters today")
        };
        let edited = |edit: &dyn Fn(&mut Vec<String>)| {
            let mut lines = wire.clone();
            edit(&mut lines);
            lines.join("\n")
        };
        let copies = [
            edited(&|l| l.insert(4, own(0))),
            edited(&|l| l.extend([own(1), own(2)])),
            edited(&|l| {
                l[2] = own(3);
                l[4] = own(4);
            }),
            edited(&|l| {
                l[3] = own(5);
                l[4] = own(6);
            }),
        ];
        let mut freq = LineFrequencies::for_corpus_bytes(1 << 16);
        for t in pages
            .iter()
            .chain(std::iter::repeat_n(&wire.join("\n"), 7))
            .chain(&copies)
        {
            freq.add_article(normalize_lines(t).iter().map(String::as_str));
        }
        let config = BoilerplateConfig::default();
        let frequent = |text: &str| -> Vec<usize> {
            classify(&normalize_lines(text), &config, Some(&freq))
                .iter()
                .enumerate()
                .filter(|(_, v)| matches!(v, Some(Reason::Frequent(_))))
                .map(|(i, _)| i)
                .collect()
        };
        // (The short lines are chrome by a line rule already.)
        assert_eq!(frequent(&pages[0]), vec![1, 2, 3, 6, 7, 8]);
        for (k, copy) in copies.iter().enumerate() {
            assert_eq!(frequent(copy), Vec::<usize>::new(), "copy {k}");
        }
        assert_eq!(frequent(&wire.join("\n")), Vec::<usize>::new());
    }

    #[test]
    fn mergeable_sketches_of_shards_sum_to_the_corpus_sketch() {
        let articles: Vec<Vec<String>> = (0..300)
            .map(|i| {
                vec![
                    format!("line {}", i % 7),
                    "Most Viewed".to_string(),
                    format!("own {i}"),
                ]
            })
            .collect();
        let add = |f: &mut LineFrequencies, part: &[Vec<String>]| {
            for a in part {
                f.add_article(a.iter().map(String::as_str));
            }
        };
        let mut whole = LineFrequencies::mergeable(1 << 20);
        add(&mut whole, &articles);
        let mut sum = LineFrequencies::mergeable(1 << 20);
        for part in articles.chunks(77) {
            let mut shard = LineFrequencies::mergeable(1 << 20);
            add(&mut shard, part);
            let back = LineFrequencies::from_bytes(&shard.to_bytes()).unwrap();
            sum.add_sketch(&back).unwrap();
        }
        assert_eq!(sum.to_bytes(), whole.to_bytes());
        assert_eq!(sum.estimate("Most Viewed"), 300);
        let mut conservative = LineFrequencies::for_corpus_bytes(1 << 20);
        assert!(conservative.add_sketch(&whole).is_err());
        assert!(LineFrequencies::from_bytes(&[0; 6]).is_err());
    }

    #[test]
    fn line_rules_catch_seed_chrome_and_keep_sentences() {
        let chrome = [
            "Related topics",
            "Bu haberi paylaşın",
            "Write your comment",
            "||||||||",
            "|",
            "Pumping up power of consumption |",
            "- Talks establish fishery hotline",
            "Most Viewed",
            "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
            "Anadolu Agency website contains only a portion of the news stories offered to subscribers in the AA News Broadcasting System (HAS), and in summarized form. Please contact us for subscription options.",
        ];
        for line in chrome {
            let norm = crate::text::normalize::normalize_line(line);
            assert!(line_rule(&norm).is_some(), "kept chrome {line:?}");
        }
        let story = [
            "Kerry has had repeated meetings on Syria with Lavrov as the situation in Aleppo has deteriorated.",
            "\"It hasn't come as a surprise.\"",
            "Both expressed concerns about North Korea at the start of the meeting.",
            // Found reading the article extraction benchmark's pages: a
            // Japanese sentence was a "fragment" of one word.
            "先日、不正に改造したiPhoneを販売したとして、商標法違反の疑いで20代の男性が逮捕されました。",
        ];
        for line in story {
            let norm = crate::text::normalize::normalize_line(line);
            assert_eq!(line_rule(&norm), None, "dropped story line {line:?}");
        }
    }

    #[test]
    fn frequent_lines_are_chrome_but_republished_stories_are_not() {
        let story = |i: usize| {
            normalize_lines(&format!(
                "Story number {i} tells what happened in town {i} today after the vote.\nSubscribe now for the full Morning Brief in your inbox daily\nThe mayor of town {i} said the result was a surprise to everyone there."
            ))
        };
        let mut freq = LineFrequencies::for_corpus_bytes(10_000);
        for i in 0..20 {
            freq.add_article(story(i).iter().map(String::as_str));
        }
        let republished = story(99);
        for _ in 0..20 {
            freq.add_article(republished.iter().map(String::as_str));
        }
        let config = BoilerplateConfig {
            line_rules: false,
            ..BoilerplateConfig::default()
        };
        let v = classify(&story(3), &config, Some(&freq));
        assert_eq!(v[0], None);
        assert!(matches!(v[1], Some(Reason::Frequent(n)) if n >= 40));
        let v = classify(&republished, &config, Some(&freq));
        assert!(v.iter().all(Option::is_none), "{v:?}");
    }

    #[test]
    fn chrome_a_line_rule_caught_does_not_make_other_chrome_look_rare() {
        // One story line and one long subscription notice: were the notice
        // counted as a sentence, the article's typical count would be the
        // notice's and its section list would not look frequent.
        let article = |i: usize| {
            normalize_lines(&format!(
                "Politics, World, Americas, Middle East\nThe council of town {i} voted on the budget late on Thursday night.\nThis website contains only a portion of the news stories offered to subscribers. Please contact us for subscription options."
            ))
        };
        let mut freq = LineFrequencies::for_corpus_bytes(10_000);
        for i in 0..30 {
            freq.add_article(article(i).iter().map(String::as_str));
        }
        let v = classify(&article(7), &BoilerplateConfig::default(), None);
        assert!(matches!(v[2], Some(Reason::Phrase(_))), "{v:?}");
        let v = classify(&article(7), &BoilerplateConfig::default(), Some(&freq));
        assert!(
            matches!(v[0], Some(Reason::Frequent(n)) if n >= 30),
            "{v:?}"
        );
        assert_eq!(v[1], None);
    }

    #[test]
    fn an_article_that_is_all_chrome_is_kept_whole() {
        let lines = normalize_lines("Related topics\nMost Viewed");
        let v = classify(&lines, &BoilerplateConfig::default(), None);
        assert!(v.iter().all(Option::is_none));
    }
}
