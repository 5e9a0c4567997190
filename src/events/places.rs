//! Where an event happened: the places an article's dateline and lead name
//! as its venue ("HAMBURG, Germany", "talks in Berlin", "the northern city of
//! Hamburg"), looked up in the shipped gazetteer, and whether the venues of
//! two clusters can be one event's.
//!
//! Two reports of one meeting, shooting or earthquake name the same city (or
//! one names the city, the other its country or state); two meetings of the
//! same ministers, or two shootings in one county, share every word but the
//! place. So clusters whose venues are all known and all incompatible never
//! merge, as clusters whose dates are too far apart never do.
//!
//! Venues are read only where a report states where it happened: in the
//! title and the first three story lines of at least five words, a
//! gazetteer place after "in", "at", "to", "near" or "outside" (or after
//! "in the … city/town/village/capital/island of"); the dateline's place
//! joins them, but alone is no venue (a wire story is filed from wherever
//! the reporter is).
//! Of those, the most specific are kept: cities over states and countries,
//! states over countries; a city under [`SURE_POPULATION`] is no venue (its
//! name is too often another town's). Measured on ECB+ (`newsdedup eval
//! testdata/ecbplus/docs.jsonl --level event --gold-field event
//! --negative-field topic`): 181 of 982 articles name a venue; of the pairs
//! of one topic whose venues are both known, 7.8% of those reporting one
//! event are incompatible, 73.6% of those reporting two.
//!
//! The gazetteer (`data/places/places.tsv.gz`, built by
//! `scripts/places/build.sh`) holds GeoNames' cities of at least 15,000
//! people, its countries and the US states (CC BY 4.0); a name stands for
//! all its places.

use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::text::dateline::{dateline_place, is_day_or_month_name};

static TABLE: &[u8] = include_bytes!("../../data/places/places.tsv.gz");

/// How large a place is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PlaceKind {
    City,
    State,
    Country,
}

/// One place of the gazetteer (stored as itself in the index, so a held
/// article's venues do not depend on the gazetteer's row numbers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub name: String,
    pub kind: PlaceKind,
    /// ISO 3166 country code.
    pub country: String,
    /// First-level division (a US state's code, a German Land's number);
    /// empty for countries.
    pub admin1: String,
    pub population: u64,
}

/// The shipped gazetteer: places by lower-cased name. A name stands for all
/// its places (the rows of one name are consecutive, the one shown first).
pub struct Gazetteer {
    places: Vec<Place>,
    by_name: HashMap<String, Range<u32>>,
}

impl Gazetteer {
    /// The shipped table, parsed once.
    pub fn shipped() -> &'static Gazetteer {
        static SHIPPED: OnceLock<Gazetteer> = OnceLock::new();
        SHIPPED.get_or_init(|| {
            let mut text = String::new();
            flate2::read::GzDecoder::new(TABLE)
                .read_to_string(&mut text)
                .expect("the shipped gazetteer is gzip of UTF-8");
            Gazetteer::parse(&text)
        })
    }

    /// Rows `name<TAB>kind<TAB>country<TAB>admin1<TAB>population`; `#`
    /// lines are comments; rows of an unknown kind are skipped.
    pub fn parse(text: &str) -> Gazetteer {
        let mut places = Vec::new();
        let mut by_name = HashMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let mut f = line.split('\t');
            let (Some(name), Some(kind), Some(country), Some(admin1), population) =
                (f.next(), f.next(), f.next(), f.next(), f.next())
            else {
                continue;
            };
            let population = population.and_then(|p| p.parse().ok()).unwrap_or(0);
            let kind = match kind {
                "city" => PlaceKind::City,
                "state" => PlaceKind::State,
                "country" => PlaceKind::Country,
                _ => continue,
            };
            let id = places.len() as u32;
            let range = by_name.entry(name_key(name)).or_insert(id..id);
            // Rows of one name are consecutive; a stray later row is ignored.
            if range.end == id {
                range.end = id + 1;
            }
            places.push(Place {
                name: name.to_string(),
                kind,
                country: country.to_string(),
                admin1: admin1.to_string(),
                population,
            });
        }
        Gazetteer { places, by_name }
    }

    pub fn place(&self, id: u32) -> &Place {
        &self.places[id as usize]
    }

    /// The places of this name, the one shown first (any case, full stops
    /// ignored: "St Louis", "U.S.").
    pub fn lookup(&self, name: &str) -> Option<Range<u32>> {
        self.by_name.get(&name_key(name)).cloned()
    }

    /// Whether two places can be one event's venue: the same place, a
    /// country and a place in it, a state and a place in it, or two places
    /// of one first-level division (a rehab clinic in Rancho Mirage and the
    /// one in Newport Beach are both "in California" to a reader).
    pub fn compatible(&self, a: u32, b: u32) -> bool {
        a == b || places_compatible(self.place(a), self.place(b))
    }

    /// Whether two venue sets can be one event's: either is unknown, or
    /// some place of one is compatible with some place of the other.
    pub fn sets_compatible(&self, a: &[u32], b: &[u32]) -> bool {
        venue_sets_compatible(a, b, |&x, &y| self.compatible(x, y))
    }
}

/// Whether two places can be one event's venue ([`Gazetteer::compatible`]
/// for places rather than gazetteer rows).
pub fn places_compatible(x: &Place, y: &Place) -> bool {
    if x == y {
        return true;
    }
    if x.country != y.country {
        return false;
    }
    match (x.kind, y.kind) {
        (PlaceKind::Country, _) | (_, PlaceKind::Country) => true,
        _ => !x.admin1.is_empty() && x.admin1 == y.admin1,
    }
}

/// [`Gazetteer::sets_compatible`] for places: either set unknown, or some
/// place of one compatible with some place of the other.
pub fn place_sets_compatible(a: &[Place], b: &[Place]) -> bool {
    venue_sets_compatible(a, b, places_compatible)
}

/// The one rule for two venue sets: either unknown (empty), or some place
/// of one compatible with some place of the other.
fn venue_sets_compatible<T>(a: &[T], b: &[T], compatible: impl Fn(&T, &T) -> bool) -> bool {
    a.is_empty() || b.is_empty() || a.iter().any(|x| b.iter().any(|y| compatible(x, y)))
}

/// How names are looked up: lower case, without full stops.
fn name_key(name: &str) -> String {
    name.to_lowercase().replace('.', "")
}

/// Where a venue was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VenueFrom {
    /// The dateline ("HAMBURG, Germany").
    Dateline,
    /// A phrase of the title or lead ("in Berlin").
    Lead(String),
}

/// A place an article names as where its story happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Venue {
    /// Every place of the name (gazetteer ids); `places.start` is shown.
    pub places: Range<u32>,
    /// 1-based line of the text (0: the title field).
    pub line: usize,
    pub from: VenueFrom,
}

impl Venue {
    /// "Hamburg (city, DE) from the dateline, line 7".
    pub fn describe(&self) -> String {
        let p = Gazetteer::shipped().place(self.places.start);
        let kind = match p.kind {
            PlaceKind::City => "city",
            PlaceKind::State => "state",
            PlaceKind::Country => "country",
        };
        let from = match &self.from {
            VenueFrom::Dateline => "the dateline".to_string(),
            VenueFrom::Lead(phrase) => format!("'{phrase}'"),
        };
        let at = if self.line == 0 {
            "the title".to_string()
        } else {
            format!("text line {}", self.line)
        };
        format!("{} ({kind}, {}) from {from}, {at}", p.name, p.country)
    }
}

/// Story lines of the lead read for venues, after the title.
const LEAD_LINES: usize = 3;
/// Fewest words of a story line counted in the lead (shorter ones are
/// captions, bylines, kickers).
const LEAD_WORDS: usize = 5;
/// Longest place name tried, in words.
const MAX_WORDS: usize = 4;
const PREPOSITIONS: [&str; 5] = ["in", "at", "to", "near", "outside"];
const SETTLEMENTS: [&str; 8] = [
    "city", "town", "village", "capital", "island", "port", "suburb", "county",
];

/// The venues an article names: the dateline's place (in the raw text),
/// then places after a locative preposition in the title and the lead
/// (`story`: the story lines with their 0-based line numbers, boilerplate
/// removed, as `story_lines` gives them).
pub fn article_venues(text: &str, title: Option<&str>, story: &[(usize, String)]) -> Vec<Venue> {
    let g = Gazetteer::shipped();
    let mut out = Vec::new();
    if let Some(d) = dateline_place(text) {
        let place = g
            .lookup(&d.name)
            .or_else(|| d.region.as_deref().and_then(|r| g.lookup(r)));
        if let Some(places) = place {
            out.push(Venue {
                places,
                line: d.line,
                from: VenueFrom::Dateline,
            });
        }
    }
    let lead = story
        .iter()
        .filter(|(_, l)| l.split_whitespace().count() >= LEAD_WORDS)
        .take(LEAD_LINES)
        .map(|(n, l)| (n + 1, l.as_str()));
    for (line, l) in title.map(|t| (0, t)).into_iter().chain(lead) {
        lead_places(g, l, |places, phrase| {
            out.push(Venue {
                places,
                line,
                from: VenueFrom::Lead(phrase),
            })
        });
    }
    out
}

/// Tokens of a line: words (letters and digits, with inner `.`, `'`, `-`:
/// "U.S.", "Aix-en-Provence") and each other mark on its own (a comma ends a
/// place name: "in Berlin, Kerry said").
fn words(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let inner = |c: char| matches!(c, '.' | '\'' | '-' | '’');
    for (i, c) in line.char_indices() {
        if c.is_alphanumeric() || (inner(c) && start.is_some()) {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            push_word(&mut out, &line[s..i]);
        }
        if !c.is_whitespace() {
            out.push(&line[i..i + c.len_utf8()]);
        }
    }
    if let Some(s) = start {
        push_word(&mut out, &line[s..]);
    }
    out
}

/// A word without the marks that end it ("Hamburg." "Lavrov's" keep "U.S.").
fn push_word<'a>(out: &mut Vec<&'a str>, w: &'a str) {
    let trimmed = w.trim_end_matches(['\'', '-', '’']);
    let trimmed = if trimmed.matches('.').count() == 1 {
        trimmed.trim_end_matches('.')
    } else {
        trimmed
    };
    if !trimmed.is_empty() {
        out.push(trimmed);
    }
}

fn capitalised(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// Calls `found` with each gazetteer place that follows a locative
/// preposition in `line`, and the phrase it was read from.
fn lead_places(g: &Gazetteer, line: &str, mut found: impl FnMut(Range<u32>, String)) {
    let w = words(line);
    for (i, prep) in w.iter().enumerate() {
        if !PREPOSITIONS.contains(prep) {
            continue;
        }
        let mut k = i + 1;
        // "in the northern city of Hamburg"
        if w.get(k) == Some(&"the") {
            let mut m = k + 1;
            while m < w.len() && !capitalised(w[m]) && !SETTLEMENTS.contains(&w[m]) {
                m += 1;
            }
            if m + 1 < w.len() && SETTLEMENTS.contains(&w[m]) && w[m + 1] == "of" {
                k = m + 2;
            } else {
                continue;
            }
        }
        // The capitalised run after the preposition is the name: a place
        // name that is only its start ("in Van Helsing", "at Paris Hilton's")
        // is no place. A weekday or month may follow ("in Berlin Tuesday").
        let run_end = (k..w.len())
            .find(|&m| !capitalised(w[m]) || is_day_or_month_name(w[m]))
            .unwrap_or(w.len());
        let n = run_end.saturating_sub(k);
        if n == 0 || n > MAX_WORDS {
            continue;
        }
        if let Some(places) = g.lookup(&w[k..run_end].join(" ")) {
            found(places, w[i..run_end].join(" "));
        }
    }
}

/// Smallest city (its most populous place of that name) whose name counts
/// as a venue: a smaller town's name is too often another town's (the
/// Alaskan Palmer is not in the gazetteer, four others are; "Wellington,
/// Somerset" is not the capital of New Zealand).
pub const SURE_POPULATION: u64 = 100_000;

/// The venue set clustering compares: every place of the most specific
/// names an article gives (cities over states and countries, states over
/// countries, by the place a name is shown as; cities under
/// [`SURE_POPULATION`] left out), sorted, without repeats; empty when only
/// the dateline names a place.
pub fn venue_set(venues: &[Venue]) -> Vec<u32> {
    let g = Gazetteer::shipped();
    // A dateline says where the report was filed: a wire story on a crisis
    // that runs for weeks comes from Jakarta, Seoul and Washington. Alone it
    // is no venue; beside a place of the lead it is one more that may match.
    if venues.iter().all(|v| v.from == VenueFrom::Dateline) {
        return Vec::new();
    }
    let shown = |v: &Venue| g.place(v.places.start);
    let sure: Vec<&Venue> = venues
        .iter()
        .filter(|v| shown(v).kind != PlaceKind::City || shown(v).population >= SURE_POPULATION)
        .collect();
    let Some(finest) = sure.iter().map(|v| shown(v).kind).min() else {
        return Vec::new();
    };
    let mut set: Vec<u32> = sure
        .into_iter()
        .filter(|v| shown(v).kind == finest)
        .flat_map(|v| v.places.clone())
        .collect();
    set.sort_unstable();
    set.dedup();
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(venues: &[Venue]) -> Vec<String> {
        let g = Gazetteer::shipped();
        let mut n: Vec<String> = venue_set(venues)
            .into_iter()
            .map(|p| g.place(p).name.clone())
            .collect();
        n.dedup();
        n
    }

    fn story(lines: &[&str]) -> Vec<(usize, String)> {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i, l.to_string()))
            .collect()
    }

    #[test]
    fn the_lead_names_the_venue() {
        let s = story(&[
            "Kerry, who is on a farewell tour, met Lavrov in the northern city of Hamburg on Wednesday.",
            "The ministers were in Germany for a gathering of the OSCE.",
        ]);
        let v = article_venues("", Some("No breakthrough in talks"), &s);
        assert_eq!(names(&v), ["Hamburg"]);
        assert_eq!(
            v[0].from,
            VenueFrom::Lead("in the northern city of Hamburg".into())
        );
        // A capital that only stands for its government is no venue.
        let s = story(&["Moscow and Washington have differences over Syria, officials said."]);
        assert!(article_venues("", None, &s).is_empty());
    }

    #[test]
    fn the_dateline_names_the_venue() {
        let text = "Kerry, Lavrov discuss Syria\n\nHAMBURG, Germany\n\nU.S. Secretary of State John Kerry and his counterpart met here.";
        let v = article_venues(text, None, &[]);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].from, VenueFrom::Dateline);
        // Alone, the dateline is where the report was filed: no venue.
        assert!(names(&v).is_empty());
        let lead = story(&["Kerry and Lavrov met in Hamburg on Thursday, officials said."]);
        let v = article_venues(text, None, &lead);
        assert_eq!(v.len(), 2);
        assert_eq!(names(&v), ["Hamburg"]);
    }

    #[test]
    fn compatible_places_share_a_city_country_or_state() {
        let g = Gazetteer::shipped();
        let id = |n: &str| g.lookup(n).unwrap().start;
        assert!(g.compatible(id("Hamburg"), id("Germany")));
        assert!(!g.compatible(id("Hamburg"), id("Berlin")));
        assert!(!g.compatible(id("Berlin"), id("Switzerland")));
        assert!(g.compatible(id("Newport Beach"), id("Rancho Mirage")));
        assert!(g.compatible(id("Atlanta"), id("Georgia")));
        assert!(g.sets_compatible(&[], &[id("Berlin")]));
        // A name is any of its places: Santa Rosa, California is in the US.
        let santa_rosa: Vec<u32> = g.lookup("Santa Rosa").unwrap().collect();
        assert!(santa_rosa.len() > 1);
        assert!(g.sets_compatible(&santa_rosa, &[id("California")]));
        assert!(!g.sets_compatible(&santa_rosa, &[id("Texas")]));
        assert!(g.sets_compatible(&[id("Aleppo"), id("Hamburg")], &[id("Hamburg")]));
        assert!(!g.sets_compatible(&[id("Aleppo"), id("Hamburg")], &[id("Berlin")]));
        assert!(g.compatible(id("U.S."), id("United States")));
        assert_eq!(g.lookup("Hamburg."), g.lookup("Hamburg"));
    }
}
