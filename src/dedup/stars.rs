//! Components of verified pairs → stars in keep-rule order: every removed
//! article is a verified copy of the kept article it names.

use super::table::round4;
use super::{Deduplicator, DuplicateGroup, Member};
use std::collections::HashSet;

use rayon::prelude::*;

use crate::dedup::groups::{Candidate, UnionFind};
use crate::dedup::nearby::Nearby;
use crate::dedup::table::ArticleTable;
use crate::progress::{Progress, Stage};

impl Deduplicator {
    /// Splits each connected component into stars: rows in keep-rule order,
    /// each joining the most similar earlier representative it verifies
    /// against directly, or becoming one (in a component of more than
    /// [`super::nearby::LARGE_COMPONENT`] rows, among the representatives
    /// [`Nearby`] names). A short article contained in two
    /// unrelated ones therefore cannot chain them into one group, and every
    /// removed article is a verified copy of the one it points to.
    ///
    /// One step further is allowed: a row that verifies against no
    /// representative joins through a removed member (not much smaller,
    /// [`VIA_MIN_SIZE_RATIO`]) that it verifies against, when it also
    /// shares [`VIA_MIN_CONTAINMENT`] of the smaller set with that
    /// member's representative. That keeps a heavily edited copy of an
    /// original whose longer syndicated copy was kept (it matches the
    /// original, not the copy's additions) out of the cleaned corpus; the
    /// report names the member it matched (`via`). Rows left alone are
    /// offered this step again once the component is placed, as the member
    /// they match may come later in keep-rule order.
    pub(super) fn choose_representatives(
        &self,
        table: &ArticleTable,
        uf: &mut UnionFind,
        progress: &dyn Progress,
    ) -> (Vec<DuplicateGroup>, Vec<Option<u32>>) {
        let components = uf.groups();
        progress.begin(Stage::Group, Some(components.len() as u64));
        let stars: Vec<Vec<DuplicateGroup>> = components
            .into_par_iter()
            .map(|rows| {
                let stars = self.place_component(table, rows);
                progress.advance(1);
                stars
            })
            .collect();
        progress.end();
        let mut groups: Vec<DuplicateGroup> = stars.into_iter().flatten().collect();
        groups.sort_by_key(|g| g.representative);
        let mut group_of = vec![None; table.len()];
        for (g, group) in groups.iter().enumerate() {
            group_of[group.representative as usize] = Some(g as u32);
            for m in &group.members {
                group_of[m.row as usize] = Some(g as u32);
            }
        }
        (groups, group_of)
    }

    /// The stars of one connected component of verified pairs: its rows
    /// put in keep-rule order (ties by row), then [`Self::stars`]. Reads
    /// only these rows of the table, so a component can be placed apart
    /// from the rest of the corpus (the `place` stage).
    pub(crate) fn place_component(
        &self,
        table: &ArticleTable,
        mut rows: Vec<u32>,
    ) -> Vec<DuplicateGroup> {
        let candidate = |r: u32| Candidate {
            clean_len: table.clean_len(r),
            published: table.published(r),
            source: table.source(r),
        };
        rows.sort_by(|&a, &b| {
            self.config
                .keep
                .compare(&candidate(a), &candidate(b))
                .then(a.cmp(&b))
        });
        self.stars(table, &rows)
    }

    /// Star clustering of one component whose rows are in keep-rule order
    /// (see [`Self::choose_representatives`]).
    ///
    /// Stars are placed, then checked: a member that joined its
    /// representative by containment alone, and that an article left
    /// alone matches while the representative does not, is an original with
    /// copies of its own that shares some text with a longer story (two
    /// reports built on one wire item), not an abridged copy of it. It is
    /// kept apart from that representative and the stars are placed again,
    /// until none secedes (components up to [`MAX_SECESSION_COMPONENT`]).
    pub(super) fn stars(&self, table: &ArticleTable, rows: &[u32]) -> Vec<DuplicateGroup> {
        let mut barred = HashSet::new();
        loop {
            let groups = self.place(table, rows, &barred);
            if rows.len() > MAX_SECESSION_COMPONENT {
                return groups;
            }
            // A barred pair is never placed together again, so each round
            // bars new pairs and the loop ends; the length check makes sure.
            let before = barred.len();
            barred.extend(self.secessions(table, rows, &groups));
            if barred.len() == before {
                return groups;
            }
        }
    }

    /// The (member, representative) pairs to keep apart (see [`Self::stars`]).
    pub(super) fn secessions(
        &self,
        table: &ArticleTable,
        rows: &[u32],
        groups: &[DuplicateGroup],
    ) -> Vec<(u32, u32)> {
        let grouped: HashSet<u32> = groups
            .iter()
            .flat_map(|g| std::iter::once(g.representative).chain(g.members.iter().map(|m| m.row)))
            .collect();
        let alone: Vec<u32> = rows
            .iter()
            .copied()
            .filter(|r| !grouped.contains(r))
            .collect();
        let mut out = Vec::new();
        for g in groups {
            let rep = g.representative;
            for m in g.members.iter().filter(|m| m.via.is_none()) {
                let by_containment = table.content_hash(m.row) != table.content_hash(rep)
                    && table.jaccard(m.row, rep) < self.config.threshold;
                let followed = by_containment
                    && alone
                        .iter()
                        .any(|&r| self.verify(table, r, m.row) && !self.verify(table, r, rep));
                if followed {
                    out.push((m.row, rep));
                }
            }
        }
        out
    }

    /// One placement of the stars: rows in keep-rule order join the most
    /// similar representative they verify against (or a member, `via`),
    /// except a representative they are barred from; in a large component,
    /// among the representatives and members [`Nearby`] names.
    pub(super) fn place(
        &self,
        table: &ArticleTable,
        rows: &[u32],
        barred: &HashSet<(u32, u32)>,
    ) -> Vec<DuplicateGroup> {
        let mut groups: Vec<DuplicateGroup> = Vec::new();
        let mut unplaced = Vec::new();
        let mut nearby = Nearby::for_component(rows.len());
        for &row in rows {
            let near = nearby.as_ref().map(|n| n.groups(table, row));
            let compared: Box<dyn Iterator<Item = usize>> = match near {
                Some(near) => Box::new(near.into_iter()),
                None => Box::new(0..groups.len()),
            };
            let mut best: Option<(crate::dedup::table::Overlap, usize)> = None;
            for i in compared {
                let rep = groups[i].representative;
                if barred.contains(&(row, rep)) {
                    continue;
                }
                let exact_copy = table.content_hash(rep) == table.content_hash(row);
                let verified = if exact_copy {
                    Some(table.overlap(row, rep))
                } else if nearby.is_some() && !self.signatures_worth_reading(table, row, rep) {
                    None
                } else {
                    self.verified_overlap(table, row, rep)
                };
                if let Some(o) = verified {
                    if best.is_none_or(|(b, _)| o.jaccard > b.jaccard) {
                        best = Some((o, i));
                    }
                }
            }
            if let Some((o, i)) = best {
                groups[i].members.push(Member {
                    row,
                    similarity: round4(o.jaccard),
                    containment: round4(o.containment),
                    in_order: round4(o.in_order),
                    via: None,
                });
                if let Some(n) = nearby.as_mut() {
                    n.add_member(table, i, row);
                }
            } else if !self.join_through_member(table, &mut groups, row, barred, nearby.as_ref()) {
                unplaced.push(groups.len());
                if let Some(n) = nearby.as_mut() {
                    n.add_representative(table, groups.len(), row);
                }
                groups.push(DuplicateGroup {
                    representative: row,
                    members: Vec::new(),
                });
            }
        }
        // A row met before the member it matches (longer than that copy,
        // yet not verifying against the representative) gets the step
        // through a member once every row is placed. Its own group stays
        // empty and is dropped below (only groups with members are joined).
        for i in unplaced {
            let row = groups[i].representative;
            if groups[i].members.is_empty() {
                self.join_through_member(table, &mut groups, row, barred, nearby.as_ref());
            }
        }
        groups.retain(|g| !g.members.is_empty());
        for g in &mut groups {
            g.members.sort_by_key(|m| m.row);
        }
        groups
    }

    /// Adds the row to the group of its [`Self::best_member`], if any.
    pub(super) fn join_through_member(
        &self,
        table: &ArticleTable,
        groups: &mut [DuplicateGroup],
        row: u32,
        barred: &HashSet<(u32, u32)>,
        nearby: Option<&Nearby>,
    ) -> bool {
        let Some((i, via)) = self.best_member(table, groups, row, barred, nearby) else {
            return false;
        };
        let o = table.overlap(row, groups[i].representative);
        groups[i].members.push(Member {
            row,
            similarity: round4(o.jaccard),
            containment: round4(o.containment),
            in_order: round4(o.in_order),
            via: Some(via),
        });
        true
    }

    /// The most similar direct member (of a set at least
    /// [`VIA_MIN_SIZE_RATIO`] of the row's) that the row verifies against,
    /// when the row also overlaps the member's representative by
    /// [`VIA_MIN_CONTAINMENT`] (see [`Self::choose_representatives`]):
    /// (group index, member row). In a large component, of the direct
    /// members [`Nearby::members`] names (tried by row, not keep order).
    pub(super) fn best_member(
        &self,
        table: &ArticleTable,
        groups: &[DuplicateGroup],
        row: u32,
        barred: &HashSet<(u32, u32)>,
        nearby: Option<&Nearby>,
    ) -> Option<(usize, u32)> {
        // Each group with the direct members to try; in a large component,
        // only the nearby ones.
        let tried: Vec<(usize, Vec<u32>)> = match nearby {
            Some(n) => n
                .members(table, row)
                .chunk_by(|a, b| a.0 == b.0)
                .map(|c| (c[0].0, c.iter().map(|&(_, m)| m).collect()))
                .collect(),
            None => groups
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    let direct = g.members.iter().filter(|m| m.via.is_none());
                    (i, direct.map(|m| m.row).collect())
                })
                .collect(),
        };
        let mut best: Option<(crate::dedup::table::Overlap, usize, u32)> = None;
        for (i, members) in tried {
            let g = &groups[i];
            let rep = g.representative;
            if members.is_empty() || g.members.is_empty() || barred.contains(&(row, rep)) {
                continue;
            }
            let (small, large) = if table.set_size(row) <= table.set_size(rep) {
                (row, rep)
            } else {
                (rep, row)
            };
            if table.containment(small, large) < VIA_MIN_CONTAINMENT {
                continue;
            }
            for m in members {
                let large_enough = f64::from(table.set_size(m))
                    >= VIA_MIN_SIZE_RATIO * f64::from(table.set_size(row));
                let verified = large_enough
                    .then(|| self.verified_overlap(table, row, m))
                    .flatten();
                if let Some(o) = verified {
                    if best.is_none_or(|(b, _, _)| o.jaccard > b.jaccard) {
                        best = Some((o, i, m));
                    }
                }
            }
        }
        best.map(|(_, i, m)| (i, m))
    }
}

/// Share of the smaller set a row joining through a member must still
/// share with the group's representative. Measured on the heavy tier of
/// the generated benchmark: 0.25 adds recall without merging a hard
/// negative more; no floor merges twice as many.
pub(super) const VIA_MIN_CONTAINMENT: f64 = 0.25;

/// Smallest member, relative to the row, a row may join through: copy
/// edits that insert words make a copy a little longer than the original
/// it matches. Measured on the heavy tier: 0.8 joins what any smaller
/// ratio does (the floor above already keeps unrelated stories apart);
/// 1.0 misses those copies.
pub(super) const VIA_MIN_SIZE_RATIO: f64 = 0.8;

/// Largest component whose stars are checked for secessions.
pub(super) const MAX_SECESSION_COMPONENT: usize = 64;
