//! Which representatives and members of a large component a row is compared
//! with when the stars are placed: those it shares uncommon signature slots
//! with, so that placing a component costs a bounded number of set reads
//! per row instead of one per representative.
//!
//! A component is normally a story and its copies (the largest of the
//! generated 200k corpora has 197 rows), and every row is compared with every
//! representative before it. Text that many articles share and the
//! boilerplate rules miss (site chrome with `--no-boilerplate`, a long block
//! every page of a site repeats) links tens of thousands of articles into one
//! component through pairs that share only that text; most of them become
//! representatives, and comparing each row with all of them reads sets a
//! quadratic number of times. Above [`LARGE_COMPONENT`] rows, a row is
//! compared with the representatives of identical text and with the
//! [`NEARBY_CANDIDATES`] representatives that agree with it on the most slot
//! values that at most [`COMMON_SLOT_VALUE`] representatives have (a value
//! more have holds the common text), those only when their slot agreement
//! makes the pair worth reading, as in the candidate stage; and a row that
//! joins through a member tries the [`NEARBY_CANDIDATES`] direct members
//! found the same way. A copy agrees with its original on about a Jaccard
//! share of its slots, on rare values as on common ones.

use std::collections::HashMap;

use crate::dedup::table::ArticleTable;

/// Components with more rows than this are placed against nearby rows only
/// (see the module docs). The largest component of the generated 200k
/// corpora at the defaults has 197 rows, so it never applies there.
pub(super) const LARGE_COMPONENT: usize = 1024;

/// A slot value that more representatives (or more direct members) have
/// than this is not followed.
pub(super) const COMMON_SLOT_VALUE: usize = 64;

/// Most representatives (and most members) a row of a large component is
/// compared with.
pub(super) const NEARBY_CANDIDATES: usize = 32;

/// The placed rows of a large component, by slot value.
pub(super) struct Nearby {
    /// Slot and value → indices of the groups whose representative has it.
    reps: HashMap<u64, Vec<u32>>,
    /// Slot and value → (group index, row) of direct members that have it.
    members: HashMap<u64, Vec<(u32, u32)>>,
    /// Cleaned-text hash → indices of groups whose representative has it.
    exact: HashMap<u64, Vec<u32>>,
}

fn key(slot: usize, value: u32) -> u64 {
    ((slot as u64) << 32) | u64::from(value)
}

impl Nearby {
    /// An empty index for a component of `rows` rows, or `None` when the
    /// component is small enough to compare every row with every
    /// representative.
    pub(super) fn for_component(rows: usize) -> Option<Nearby> {
        (rows > LARGE_COMPONENT).then(|| Nearby {
            reps: HashMap::new(),
            members: HashMap::new(),
            exact: HashMap::new(),
        })
    }

    /// Files `row` as the representative of group `group`.
    pub(super) fn add_representative(&mut self, table: &ArticleTable, group: usize, row: u32) {
        for (j, &v) in table.slots(row).iter().enumerate() {
            self.reps.entry(key(j, v)).or_default().push(group as u32);
        }
        self.exact
            .entry(table.content_hash(row))
            .or_default()
            .push(group as u32);
    }

    /// Files `row` as a direct member of group `group`.
    pub(super) fn add_member(&mut self, table: &ArticleTable, group: usize, row: u32) {
        for (j, &v) in table.slots(row).iter().enumerate() {
            self.members
                .entry(key(j, v))
                .or_default()
                .push((group as u32, row));
        }
    }

    /// The groups whose representatives `row` is compared with, ascending:
    /// those of identical text, and the [`NEARBY_CANDIDATES`] that share the
    /// most uncommon slot values with it (the caller still tests whether
    /// their signatures make the pair worth reading).
    pub(super) fn groups(&self, table: &ArticleTable, row: u32) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .exact
            .get(&table.content_hash(row))
            .map(|g| g.iter().map(|&i| i as usize).collect())
            .unwrap_or_default();
        let ranked = most_shared(table.slots(row), |k| self.reps.get(&k));
        out.extend(ranked.into_iter().map(|g| g as usize));
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The (group index, member row) pairs `row` may join through: the
    /// [`NEARBY_CANDIDATES`] direct members sharing the most uncommon slot
    /// values with it, by group index and row.
    pub(super) fn members(&self, table: &ArticleTable, row: u32) -> Vec<(usize, u32)> {
        let mut out: Vec<(usize, u32)> = most_shared(table.slots(row), |k| self.members.get(&k))
            .into_iter()
            .map(|(g, r)| (g as usize, r))
            .collect();
        out.sort_unstable();
        out
    }
}

/// Of the entries filed under the row's slot values (values filed for at
/// most [`COMMON_SLOT_VALUE`] entries), the [`NEARBY_CANDIDATES`] met under
/// the most of them (ties: the smaller entry).
fn most_shared<'a, E: Copy + Ord + std::hash::Hash + 'a>(
    slots: &[u32],
    filed: impl Fn(u64) -> Option<&'a Vec<E>>,
) -> Vec<E> {
    let mut hits: HashMap<E, u32> = HashMap::new();
    for (j, &v) in slots.iter().enumerate() {
        if let Some(list) = filed(key(j, v)) {
            if list.len() <= COMMON_SLOT_VALUE {
                for e in list {
                    *hits.entry(*e).or_default() += 1;
                }
            }
        }
    }
    let mut ranked: Vec<(u32, E)> = hits.into_iter().map(|(e, n)| (n, e)).collect();
    ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.truncate(NEARBY_CANDIDATES);
    ranked.into_iter().map(|(_, e)| e).collect()
}
