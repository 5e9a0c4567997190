//! `check --level event`: held articles on the same event as an incoming
//! one, through postings of their heaviest terms, weighted as `cluster` weighs.

use crate::index::load_doc;
use crate::index::read_df;
use crate::index::EventMatch;
use crate::index::Query;
use crate::index::Verdict;

use super::texts::Incoming;

use redb::{ReadableMultimapTable, ReadableTable};

use super::integrity::{Lookup, SealedSums};
use crate::dedup::table::round4;
use crate::dedup::DedupOutcome;
use crate::error::Result;
use crate::events::dates::days_apart;
use crate::events::details::{detail_vector, with_details};
use crate::events::places::place_sets_compatible;
use crate::events::terms::TermKind;
use crate::events::vectors::{background_share, TermStats};
use crate::events::vectors::{sparse_dot, VectorConfig};

/// Heaviest terms per article filed in [`POSTINGS`] and looked up per query.
pub(super) const POSTED_TERMS: usize = 16;
/// Terms on more held articles than this are too common to find candidates by.
pub(super) const MAX_POSTINGS: u64 = 2000;
/// Held articles reported per incoming article at `--level event`.
pub(super) const EVENT_MATCHES: usize = 3;

/// Asking `check` for held articles on the same event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventQuery {
    /// Cosine similarity of the event vectors at which a held article
    /// covers the same event (default 0.2, as for `cluster`).
    pub threshold: f32,
    /// Held articles published more than this many days apart are another
    /// event (default 7; `None` ignores dates).
    pub window_days: Option<u32>,
    /// The same for days read from the text when `published` is missing
    /// (default 730, as `cluster --text-window-days`; `None` ignores them).
    pub text_window_days: Option<u32>,
    /// Held articles whose venues are known and incompatible with the
    /// incoming article's are another event (as `cluster` keeps such
    /// clusters apart; default true).
    pub places: bool,
    /// How text becomes an event vector: the boosts and `max_terms` of
    /// `cluster` (the same flags give the same vectors).
    pub vectors: VectorConfig,
}

impl Default for EventQuery {
    fn default() -> Self {
        EventQuery {
            threshold: 0.2,
            window_days: Some(7),
            text_window_days: Some(730),
            places: true,
            vectors: VectorConfig::default(),
        }
    }
}

impl<D, I, M, S> Query<'_, D, I, M, S>
where
    D: ReadableTable<u64, &'static [u8]>,
    I: ReadableTable<&'static str, u64>,
    M: ReadableMultimapTable<u64, u64>,
    S: ReadableTable<u64, SealedSums>,
{
    /// Held articles on the same event as each row that is not a copy.
    pub(super) fn same_events(
        &self,
        batch: &DedupOutcome,
        verdicts: &[Verdict],
        incoming: &[Incoming],
        events: Option<EventQuery>,
    ) -> Result<Vec<Vec<EventMatch>>> {
        let table = &batch.table;
        let mut out = vec![Vec::new(); table.len()];
        let Some(events) = events else {
            return Ok(out);
        };
        let docs = self.held;
        let mut df_cache: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
        let mut df = |key: u64| -> Result<u32> {
            if let Some(&v) = df_cache.get(&key) {
                return Ok(v);
            }
            let v = read_df(&self.sums[Lookup::TermDf.slot()], key, self.path)?;
            df_cache.insert(key, v);
            Ok(v)
        };
        for row in 0..table.len() as u32 {
            if verdicts[row as usize] != Verdict::Clean {
                continue;
            }
            let id = table.id(row);
            let own = self.own_doc(id)?.map(|(doc, _)| doc);
            let this = &incoming[row as usize];
            let day = this.published_day();
            let any_day = this.day.as_ref().map(|d| d.day);
            // The collection is the held articles and this one, as if they
            // were one batch: `cluster` would give the same vectors.
            let own_terms = &incoming[row as usize].terms;
            let vector = event_vector(
                own_terms,
                |k| Ok(u64::from(df(k)?) + 1),
                docs + 1,
                &events.vectors,
            )?;
            let has = |k: u64| u64::from(own_terms.binary_search_by_key(&k, |t| t.0).is_ok());
            // Candidates: held articles filed under this article's heaviest terms.
            let mut shared: std::collections::BTreeMap<u64, u32> =
                std::collections::BTreeMap::new();
            for key in posted_terms(&vector) {
                self.bucket(Lookup::Posting, key, MAX_POSTINGS, |d| {
                    *shared.entry(d).or_default() += 1;
                })?;
            }
            let mut matches = Vec::new();
            for (&doc, _) in shared.iter().filter(|&(&d, _)| Some(d) != own) {
                let held = load_doc(self.docs, doc, self.path)?;
                self.other_id(doc, &held.id, id)?;
                // The day windows and venues of `cluster`'s linkage.
                let apart = |w: Option<u32>, a: Option<i32>, b: Option<i32>| {
                    matches!((w, a, b), (Some(w), Some(a), Some(b))
                        if days_apart((a.into(), a.into()), (b.into(), b.into())) > i64::from(w))
                };
                if apart(events.window_days, day, held.day)
                    || apart(events.text_window_days, any_day, held.day.or(held.text_day))
                    || (events.places && !place_sets_compatible(&this.venues, &held.venues))
                {
                    continue;
                }
                let held_vector = event_vector(
                    &held.terms,
                    |k| Ok(u64::from(df(k)?) + has(k)),
                    docs + 1,
                    &events.vectors,
                )?;
                let sim = vector.similarity(&held_vector, &events.vectors);
                if sim >= events.threshold {
                    matches.push((sim, doc, held));
                }
            }
            matches.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            out[row as usize] = matches
                .into_iter()
                .take(EVENT_MATCHES)
                .map(|(sim, _, d)| EventMatch {
                    held: d.held(),
                    similarity: round4(f64::from(sim)),
                })
                .collect();
        }
        Ok(out)
    }
}

/// A normalized event vector (sorted by term key) from stored terms, in a
/// collection of `docs` articles where `df` gives each term's document
/// frequency ([`VectorConfig::vector`]: the weighting of `cluster`).
pub(super) fn event_vector(
    terms: &[(u64, u8, u32)],
    mut df: impl FnMut(u64) -> Result<u64>,
    docs: u64,
    config: &VectorConfig,
) -> Result<EventVector> {
    let mut rows = Vec::with_capacity(terms.len());
    for &(key, code, count) in terms {
        let (kind, in_title) = TermKind::decode(code);
        rows.push(TermStats {
            key,
            hash: key,
            kind,
            in_title,
            count,
            docs,
            df: df(key)?,
            share: background_share(key),
        });
    }
    let details = detail_vector(config, rows.iter().copied());
    let (keys, weights) = config.vector(rows.into_iter());
    Ok(EventVector {
        keys,
        weights,
        details,
    })
}

/// An event vector keyed by term hash, with its detail vector.
pub(super) struct EventVector {
    pub(super) keys: Vec<u64>,
    pub(super) weights: Vec<f32>,
    /// Names and numbers ([`crate::events::details`]).
    details: (Vec<u64>, Vec<f32>),
}

impl EventVector {
    /// The cosine of two event vectors after the detail rule, as `cluster`
    /// scores a pair of neighbours.
    pub(super) fn similarity(&self, other: &EventVector, config: &VectorConfig) -> f32 {
        let cosine = sparse_dot(&self.keys, &self.weights, &other.keys, &other.weights);
        with_details(
            config,
            cosine,
            (&self.details.0, &self.details.1),
            (&other.details.0, &other.details.1),
        )
    }
}

/// The heaviest terms of a vector, the ones filed in and looked up by postings.
pub(super) fn posted_terms(vector: &EventVector) -> Vec<u64> {
    let mut v: Vec<(u64, f32)> = vector
        .keys
        .iter()
        .copied()
        .zip(vector.weights.iter().copied())
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(POSTED_TERMS);
    let mut keys: Vec<u64> = v.into_iter().map(|(k, _)| k).collect();
    keys.sort_unstable();
    keys
}
