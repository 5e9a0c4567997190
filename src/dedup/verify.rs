//! Whether a candidate pair is a copy: the signature plausibility test,
//! then exact Jaccard or containment (with order) of the stored sets.

use super::Deduplicator;

use crate::dedup::store::InOrder;
use crate::dedup::table::{ArticleTable, Columns, Overlap};
use crate::sketch::minhash::agreeing_slots;

impl Deduplicator {
    /// [`Self::verify`] after a cheap signature check (see
    /// [`Self::plausible`]; identical cleaned texts always pass): `None`
    /// when the sets were not worth reading.
    pub(super) fn verify_candidate(&self, table: &ArticleTable, a: u32, b: u32) -> Option<bool> {
        self.signatures_worth_reading(table, a, b)
            .then(|| self.verify(table, a, b))
    }

    /// [`Self::worth_reading`] on the slot agreement of the rows' signatures.
    pub(super) fn signatures_worth_reading(&self, table: &ArticleTable, a: u32, b: u32) -> bool {
        let agreeing = agreeing_slots(table.slots(a), table.slots(b));
        self.worth_reading(table, a, b, agreeing)
    }

    /// Whether the sets of rows `a` and `b` are worth reading (see
    /// [`Self::worth_reading_sizes`]).
    pub(crate) fn worth_reading(&self, table: &Columns, a: u32, b: u32, agreeing: usize) -> bool {
        let exact = table.content_hash(a) == table.content_hash(b);
        self.worth_reading_sizes(exact, agreeing, table.set_size(a), table.set_size(b))
    }

    /// Whether a pair's sets are worth reading: identical cleaned texts
    /// (`exact`) always are, others when their slot agreement is
    /// [`Self::plausible`]. The one rule of `dedup` and `check`.
    pub(crate) fn worth_reading_sizes(
        &self,
        exact: bool,
        agreeing: usize,
        size_a: u32,
        size_b: u32,
    ) -> bool {
        exact || self.plausible(agreeing, size_a, size_b)
    }

    /// The overlap of a pair whose sets were read (`shared`: shingles they
    /// share in the same order, [`crate::dedup::store::shared_in_order`]),
    /// when it is a copy: identical cleaned texts always are, others when
    /// [`Self::accepts`] does. Containment is the smaller set's share.
    pub(crate) fn judge_read_pair(
        &self,
        exact: bool,
        size_a: u32,
        size_b: u32,
        shared: impl FnOnce() -> InOrder,
    ) -> Option<Overlap> {
        let (small, large) = (size_a.min(size_b), size_a.max(size_b));
        let o = if small == 0 {
            if exact {
                Overlap::SAME
            } else {
                Overlap::NONE
            }
        } else {
            Overlap::of_counts(small as usize, large as usize, shared())
        };
        (exact || self.accepts(small, o)).then_some(o)
    }

    /// Whether two articles of these set sizes, agreeing on `agreeing`
    /// MinHash slots, can be copies, so that their sets are worth reading.
    ///
    /// The sizes give the weakest Jaccard at which the pair could still be
    /// accepted (the threshold, or the containment rule when the smaller set
    /// is a share of the larger). A pair at that Jaccard agrees on a slot
    /// with that probability, independently per slot; pairs agreeing on
    /// fewer slots than copies do with probability [`MISS_PROBABILITY`]
    /// are rejected unread. Candidates from common phrases agree on one to
    /// a few slots; copies of similar length on dozens.
    pub(crate) fn plausible(&self, agreeing: usize, size_a: u32, size_b: u32) -> bool {
        let (s, l) = (f64::from(size_a.min(size_b)), f64::from(size_a.max(size_b)));
        let mut weakest = self.config.threshold;
        let c = self.config.containment;
        if c <= 1.0 && size_a.min(size_b) >= self.config.containment_min_shingles {
            weakest = weakest.min(c * s / (s + l - c * s));
        }
        let q = (weakest.clamp(0.0, 1.0) * JACCARD_STEPS as f64).floor() as usize;
        agreeing >= usize::from(self.min_agreeing[q])
    }

    /// Whether a candidate pair really is a copy.
    pub(crate) fn verify(&self, table: &ArticleTable, a: u32, b: u32) -> bool {
        let (na, nb) = (table.set_size(a) as usize, table.set_size(b) as usize);
        let (small, large) = (na.min(nb), na.max(nb));
        match self.needed_intersection(small, large) {
            Some(need) => {
                table.overlap_reaches(a, b, need) && self.confirm(table, a, b, small, large, need)
            }
            None => false,
        }
    }

    /// [`Self::verify`] on the sets of rows `a` and `b`, already read.
    pub(super) fn verify_sets(
        &self,
        table: &ArticleTable,
        (a, b): (u32, u32),
        sa: &[u32],
        sb: &[u32],
    ) -> bool {
        let (small, large) = (sa.len().min(sb.len()), sa.len().max(sb.len()));
        match self.needed_intersection(small, large) {
            Some(need) => {
                crate::dedup::store::intersection_reaches(sa, sb, need)
                    && self.confirm(table, a, b, small, large, need)
            }
            None => false,
        }
    }

    /// Whether sets of these sizes that share at least `need` shingles (the
    /// fewest any rule accepts) are copies: on the exact overlap, order and
    /// unshared middles included; at once, without reading the order, when
    /// the middle rule is off and that many shared shingles reach the
    /// Jaccard threshold or order is not checked.
    pub(super) fn confirm(
        &self,
        table: &ArticleTable,
        a: u32,
        b: u32,
        small: usize,
        large: usize,
        need: usize,
    ) -> bool {
        if self.config.unshared_middle >= 1.0
            && (self.config.containment_order <= 0.0
                || Overlap::at_best(small, large, need).jaccard >= self.config.threshold)
        {
            return true;
        }
        self.accepts(
            small as u32,
            Overlap::of_counts(small, large, table.shared_in_order(a, b)),
        )
    }

    /// [`Self::verify`] for callers that also need the overlap: the
    /// overlap of `a` with `b` (containment is `a`'s share) when the pair is
    /// a copy. The sets are read once more, with their order, only when
    /// the shared count passes, and that one read serves both.
    pub(super) fn verified_overlap(&self, table: &ArticleTable, a: u32, b: u32) -> Option<Overlap> {
        let (na, nb) = (table.set_size(a) as usize, table.set_size(b) as usize);
        let (small, large) = (na.min(nb), na.max(nb));
        let need = self.needed_intersection(small, large)?;
        if !table.overlap_reaches(a, b, need) {
            return None;
        }
        let shared = table.shared_in_order(a, b);
        let judged = Overlap::of_counts(small, large, shared);
        self.accepts(small as u32, judged)
            .then(|| Overlap::of_counts(na, nb, shared))
    }

    /// The fewest shared shingles with which sets of these sizes are
    /// accepted (acceptance only grows with the intersection), or `None`
    /// when even full overlap is not (an empty set).
    pub(super) fn needed_intersection(&self, small: usize, large: usize) -> Option<usize> {
        let ok = |inter: usize| {
            small > 0 && self.accepts(small as u32, Overlap::at_best(small, large, inter))
        };
        if !ok(small) {
            return None;
        }
        let (mut lo, mut hi) = (0, small);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if ok(mid) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Some(lo)
    }

    /// Whether an exact overlap makes a copy: Jaccard at the threshold, or
    /// containment of the smaller set (of `small_size` shingles) in the
    /// larger with the shared shingles in the same order; and in either case
    /// not shared only around a middle each text has alone (a site's header
    /// and footer around two stories: [`DedupConfig::unshared_middle`]).
    pub fn accepts(&self, small_size: u32, o: Overlap) -> bool {
        (o.jaccard >= self.config.threshold
            || (small_size >= self.config.containment_min_shingles
                && o.containment >= self.config.containment
                && o.in_order >= self.config.containment_order))
            && o.unshared_middle < self.config.unshared_middle
    }
}

/// Chance that `Deduplicator::plausible` turns away a pair at exactly
/// the weakest acceptable Jaccard (pairs above it are turned away less often).
pub const MISS_PROBABILITY: f64 = 1e-4;

/// Resolution of the table of [`Deduplicator::plausible`] (rounded down,
/// so the test errs towards reading the sets).
pub(super) const JACCARD_STEPS: usize = 1024;

/// The largest `m` with P(Binomial(k, p) < m) <= [`MISS_PROBABILITY`]:
/// the fewest agreeing slots to expect from a pair at Jaccard `p`.
pub(super) fn binomial_quantile(k: usize, p: f64) -> u16 {
    if p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return u16::try_from(k).unwrap_or(u16::MAX);
    }
    let (ln_p, ln_q) = (p.ln(), (-p).ln_1p());
    // ln P(X = i), updated term by term; P(X < m) summed until it passes.
    let mut ln_pmf = k as f64 * ln_q;
    let mut below = 0.0;
    for m in 0..=k {
        below += ln_pmf.exp();
        if below > MISS_PROBABILITY {
            return u16::try_from(m).unwrap_or(u16::MAX);
        }
        ln_pmf += ((k - m) as f64).ln() - ((m + 1) as f64).ln() + ln_p - ln_q;
    }
    u16::try_from(k).unwrap_or(u16::MAX)
}
