//! Hub articles: an article similar to several others that are not similar
//! to each other (a roundup of the day's stories, a page of headlines, a
//! live blog) would glue their events together, so it is kept out of
//! linkage and stays an event of its own.
//!
//! Average linkage alone does not stop it when events are small: a roundup
//! that resembles shooting A and shooting B at 0.3 each joins A, and the
//! mean of A-and-roundup against B is then (0.3 + sim(A, B)) / 2, enough to
//! merge at a threshold of 0.2 even when A and B share nothing. Two reports
//! of one event resemble the same neighbours, and those neighbours resemble
//! each other: only an article whose close neighbours are mutually
//! dissimilar is a hub.

use crate::events::vectors::TermVector;
use crate::events::Neighbours;

/// Fewest neighbours at or above the merge threshold a hub has.
pub const HUB_NEIGHBOURS: usize = 4;
/// Two of a hub's close neighbours are unrelated when their cosine is under
/// this share of the merge threshold.
pub const HUB_COHESION: f32 = 0.5;

/// Which articles are hubs, given the neighbour graph and the merge
/// threshold: at least [`HUB_NEIGHBOURS`] neighbours at or above the
/// threshold, more than half of whose pairs are unrelated (cosine under
/// [`HUB_COHESION`] times the threshold). The neighbours come from the
/// graph, whose edges the detail rule has scored ([`crate::events::details`]),
/// but whether two of them are related is their plain cosine: two reports
/// of different incidents of one kind are related stories, a roundup's are
/// not (with the detail rule here too, two ECB+ articles became hubs and
/// its ARI fell 0.9358 → 0.9336). Reports of one event have close
/// neighbours that are mostly related to each other; a roundup of three
/// stories, two reports each, has 12 of its 15 pairs unrelated.
pub fn hubs(vectors: &[TermVector], graph: &[Neighbours], threshold: f32) -> Vec<bool> {
    let unrelated = HUB_COHESION * threshold;
    graph
        .iter()
        .map(|nbs| {
            let close: Vec<usize> = nbs
                .iter()
                .filter(|&&(_, s)| s >= threshold)
                .map(|&(j, _)| j as usize)
                .collect();
            if close.len() < HUB_NEIGHBOURS {
                return false;
            }
            let (mut apart, mut pairs) = (0usize, 0usize);
            for (k, &a) in close.iter().enumerate() {
                for &b in &close[k + 1..] {
                    apart += usize::from(vectors[a].dot(&vectors[b]) < unrelated);
                    pairs += 1;
                }
            }
            2 * apart > pairs
        })
        .collect()
}
