//! MinHash signatures: a fixed-size sketch of a shingle set whose slot
//! agreement estimates Jaccard similarity.
//!
//! Two schemes are implemented. [`Scheme::OnePermutation`] (the default)
//! hashes each shingle once into one of K bins and keeps each bin's minimum,
//! then fills empty bins by optimal densification (Shrivastava, ICML 2017):
//! O(n + K) per article instead of O(n·K), with the same accuracy for the
//! article sizes of news. [`Scheme::Permutations`] is the textbook K
//! independent permutations `(a·h + b) mod (2^61 − 1)`; it is kept as the
//! reference the fast scheme is tested against.
//!
//! Slots are 32-bit (half the memory of 64-bit slots; a false slot match has
//! probability 2^-32). Every signature records the parameters it was made
//! with, and comparing signatures made with different ones is an error.

use std::fmt;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::error::{Error, Result};

/// How slots are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    /// One-permutation hashing with optimal densification (default, fast).
    OnePermutation,
    /// K independent universal permutations (reference, slow).
    Permutations,
}

/// Everything that decides what a signature means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MinHashParams {
    /// Number of slots K (default 128).
    pub num_perm: usize,
    /// Shingle size in words.
    pub ngram: usize,
    /// Seed for the shingle hash and the permutations.
    pub seed: u64,
    pub scheme: Scheme,
    /// [`crate::text::normalize::NORMALIZER_VERSION`] at signing time.
    pub normalizer: u8,
}

impl Default for MinHashParams {
    fn default() -> Self {
        MinHashParams {
            num_perm: 128,
            ngram: 3,
            seed: 0,
            scheme: Scheme::OnePermutation,
            normalizer: crate::text::normalize::NORMALIZER_VERSION,
        }
    }
}

impl fmt::Display for MinHashParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "num_perm={} ngram={} seed={} scheme={:?} normalizer={}",
            self.num_perm, self.ngram, self.seed, self.scheme, self.normalizer
        )
    }
}

impl MinHashParams {
    /// Checks the values are usable.
    ///
    /// # Errors
    /// `num_perm` outside 1..=4096.
    pub fn validate(&self) -> Result<()> {
        if !(1..=4096).contains(&self.num_perm) {
            return Err(Error::invalid(
                "num_perm",
                format!("{} is not in 1..=4096", self.num_perm),
            ));
        }
        Ok(())
    }

    /// Errors unless `other` has the same parameters.
    ///
    /// # Errors
    /// [`Error::ParamsMismatch`] naming both parameter sets.
    pub fn check_compatible(&self, other: &MinHashParams) -> Result<()> {
        if self == other {
            Ok(())
        } else {
            Err(Error::ParamsMismatch {
                left: self.to_string(),
                right: other.to_string(),
            })
        }
    }
}

/// A MinHash signature and the size of the set it was made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    params: MinHashParams,
    slots: Vec<u32>,
    set_size: u32,
}

impl Signature {
    /// The parameters the signature was made with.
    pub fn params(&self) -> &MinHashParams {
        &self.params
    }

    /// The slot values.
    pub fn slots(&self) -> &[u32] {
        &self.slots
    }

    /// Number of distinct shingles of the article.
    pub fn set_size(&self) -> u32 {
        self.set_size
    }

    /// Estimated Jaccard similarity.
    ///
    /// # Errors
    /// [`Error::ParamsMismatch`] when the signatures were made differently.
    pub fn jaccard(&self, other: &Signature) -> Result<f64> {
        self.params.check_compatible(&other.params)?;
        Ok(estimate_jaccard(
            &self.slots,
            self.set_size,
            &other.slots,
            other.set_size,
        ))
    }

    /// Estimated share of this article's shingles that also occur in `other`.
    ///
    /// # Errors
    /// [`Error::ParamsMismatch`] when the signatures were made differently.
    pub fn containment_in(&self, other: &Signature) -> Result<f64> {
        let j = self.jaccard(other)?;
        Ok(containment_from_jaccard(j, self.set_size, other.set_size))
    }
}

/// Slot agreement of two raw signatures (both empty sets: 0).
pub fn estimate_jaccard(a: &[u32], a_size: u32, b: &[u32], b_size: u32) -> f64 {
    if a_size == 0 || b_size == 0 {
        return 0.0;
    }
    agreeing_slots(a, b) as f64 / a.len() as f64
}

/// Number of slots on which two raw signatures agree.
pub fn agreeing_slots(a: &[u32], b: &[u32]) -> usize {
    // Counted in eight 32-bit lanes so that the compiler compares whole
    // vector registers (the candidate passes call this millions of times).
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .filter(|(x, y)| x == y)
        .count();
    let mut lanes = [0u32; 8];
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            lanes[i] += u32::from(x[i] == y[i]);
        }
    }
    lanes.iter().map(|&c| c as usize).sum::<usize>() + tail
}

/// |A∩B| / |A| from the Jaccard estimate and both set sizes:
/// |A∩B| = J·(|A|+|B|)/(1+J).
pub fn containment_from_jaccard(j: f64, a_size: u32, b_size: u32) -> f64 {
    if a_size == 0 {
        return 0.0;
    }
    let inter = j * (f64::from(a_size) + f64::from(b_size)) / (1.0 + j);
    (inter / f64::from(a_size)).min(1.0)
}

const MERSENNE_61: u64 = (1 << 61) - 1;

/// Makes signatures with fixed parameters. Cheap to share across threads.
#[derive(Debug, Clone)]
pub struct MinHasher {
    params: MinHashParams,
    permutations: Vec<(u64, u64)>,
}

impl MinHasher {
    /// A hasher for these parameters.
    ///
    /// # Errors
    /// Invalid parameters (see [`MinHashParams::validate`]).
    pub fn new(params: MinHashParams) -> Result<Self> {
        params.validate()?;
        let mut state = params.seed ^ 0x9e37_79b9_7f4a_7c15;
        let permutations = match params.scheme {
            Scheme::Permutations => (0..params.num_perm)
                .map(|_| {
                    let a = 1 + splitmix64(&mut state) % (MERSENNE_61 - 1);
                    let b = splitmix64(&mut state) % MERSENNE_61;
                    (a, b)
                })
                .collect(),
            Scheme::OnePermutation => Vec::new(),
        };
        Ok(MinHasher {
            params,
            permutations,
        })
    }

    /// The parameters signatures will carry.
    pub fn params(&self) -> &MinHashParams {
        &self.params
    }

    /// The signature of a set of shingle hashes (duplicates are harmless).
    pub fn signature(&self, shingles: &[u64]) -> Signature {
        let mut slots = vec![u32::MAX; self.params.num_perm];
        self.fill_slots(shingles, &mut slots);
        Signature {
            params: self.params,
            slots,
            set_size: u32::try_from(shingles.len()).unwrap_or(u32::MAX),
        }
    }

    /// Writes the slots of a shingle set into `slots` (length `num_perm`).
    pub fn fill_slots(&self, shingles: &[u64], slots: &mut [u32]) {
        debug_assert_eq!(slots.len(), self.params.num_perm);
        match self.params.scheme {
            Scheme::OnePermutation => self.one_permutation(shingles, slots),
            Scheme::Permutations => self.permutations(shingles, slots),
        }
    }

    fn permutations(&self, shingles: &[u64], slots: &mut [u32]) {
        slots.fill(u32::MAX);
        for &h in shingles {
            let x = h % MERSENNE_61;
            for (slot, &(a, b)) in slots.iter_mut().zip(&self.permutations) {
                let v = mod_mersenne(u128::from(a) * u128::from(x) + u128::from(b));
                *slot = (*slot).min(v as u32);
            }
        }
    }

    fn one_permutation(&self, shingles: &[u64], slots: &mut [u32]) {
        let k = slots.len() as u64;
        slots.fill(u32::MAX);
        let mut filled = vec![false; slots.len()];
        for &h in shingles {
            let h = mix64(h ^ self.params.seed);
            let bin = (((h >> 32) * k) >> 32) as usize;
            let value = h as u32;
            if !filled[bin] || value < slots[bin] {
                slots[bin] = value;
                filled[bin] = true;
            }
        }
        if shingles.is_empty() || filled.iter().all(|&f| f) {
            return;
        }
        // Optimal densification: an empty bin copies the bin found by a
        // probe sequence that depends only on (seed, bin, attempt), so two
        // articles fill the same empty bin from the same place.
        let source: Vec<u32> = slots.to_vec();
        for bin in 0..slots.len() {
            if filled[bin] {
                continue;
            }
            let mut attempt = 0u64;
            loop {
                let probe = xxh3_64_with_seed(
                    &((bin as u64) << 32 | attempt).to_le_bytes(),
                    self.params.seed,
                );
                let j = (((probe >> 32) * k) >> 32) as usize;
                if filled[j] {
                    slots[bin] = source[j];
                    break;
                }
                attempt += 1;
            }
        }
    }
}

fn mod_mersenne(x: u128) -> u64 {
    let m = u128::from(MERSENNE_61);
    let mut r = (x & m) + (x >> 61);
    while r >= m {
        r -= m;
    }
    r as u64
}

/// SplitMix64: a tiny, fixed PRNG step (the same numbers on every platform
/// and every crate version, which is what reproducible output needs).
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    mix64(*state)
}

/// The SplitMix64 finalizer: a bijective 64-bit mix.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn exact_jaccard(a: &[u64], b: &[u64]) -> f64 {
        let a: std::collections::BTreeSet<_> = a.iter().collect();
        let b: std::collections::BTreeSet<_> = b.iter().collect();
        let inter = a.intersection(&b).count() as f64;
        let union = a.union(&b).count() as f64;
        if union == 0.0 {
            0.0
        } else {
            inter / union
        }
    }

    fn params(scheme: Scheme, k: usize) -> MinHashParams {
        MinHashParams {
            num_perm: k,
            scheme,
            ..MinHashParams::default()
        }
    }

    /// Two sets with a chosen overlap, made from a seed.
    fn overlapping_sets(
        seed: u64,
        common: usize,
        only_a: usize,
        only_b: usize,
    ) -> (Vec<u64>, Vec<u64>) {
        let mut s = seed;
        let shared: Vec<u64> = (0..common).map(|_| splitmix64(&mut s)).collect();
        let mut a = shared.clone();
        let mut b = shared;
        a.extend((0..only_a).map(|_| splitmix64(&mut s)));
        b.extend((0..only_b).map(|_| splitmix64(&mut s)));
        (a, b)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The fast scheme and the reference estimate the same quantity: both
        /// stay within a few standard errors of the exact Jaccard.
        #[test]
        fn both_schemes_track_exact_jaccard(seed in any::<u64>(), common in 0usize..400, a in 0usize..400, b in 1usize..400) {
            let (sa, sb) = overlapping_sets(seed, common, a, b);
            let exact = exact_jaccard(&sa, &sb);
            let k = 256;
            let tolerance = 5.0 * (exact * (1.0 - exact) / k as f64).sqrt() + 0.03;
            for scheme in [Scheme::OnePermutation, Scheme::Permutations] {
                let h = MinHasher::new(params(scheme, k)).unwrap();
                let est = h.signature(&sa).jaccard(&h.signature(&sb)).unwrap();
                prop_assert!((est - exact).abs() <= tolerance, "{scheme:?}: est {est} exact {exact}");
            }
        }

        #[test]
        fn agreement_counts_every_equal_slot(pairs in proptest::collection::vec((0u32..4, 0u32..4), 0..140)) {
            let (a, b): (Vec<u32>, Vec<u32>) = pairs.into_iter().unzip();
            let naive = a.iter().zip(&b).filter(|(x, y)| x == y).count();
            prop_assert_eq!(agreeing_slots(&a, &b), naive);
            prop_assert_eq!(agreeing_slots(&a, &b[..b.len() / 2]), naive_prefix(&a, &b, b.len() / 2));
        }

        #[test]
        fn identical_sets_agree_fully(seed in any::<u64>(), n in 1usize..300) {
            let (sa, _) = overlapping_sets(seed, n, 0, 0);
            for scheme in [Scheme::OnePermutation, Scheme::Permutations] {
                let h = MinHasher::new(params(scheme, 128)).unwrap();
                prop_assert_eq!(h.signature(&sa).jaccard(&h.signature(&sa)).unwrap(), 1.0);
            }
        }
    }

    fn naive_prefix(a: &[u32], b: &[u32], n: usize) -> usize {
        a.iter().zip(&b[..n]).filter(|(x, y)| x == y).count()
    }

    /// Averaged over many pairs, the fast scheme is unbiased and no noisier
    /// than the reference, also for short articles with many empty bins.
    #[test]
    fn fast_scheme_error_matches_reference_on_small_sets() {
        let fast = MinHasher::new(params(Scheme::OnePermutation, 128)).unwrap();
        let slow = MinHasher::new(params(Scheme::Permutations, 128)).unwrap();
        let (mut err_fast, mut err_slow, mut bias_fast) = (0.0, 0.0, 0.0);
        let trials = 300;
        for t in 0..trials {
            let (a, b) = overlapping_sets(t, 20, 10, 15);
            let exact = exact_jaccard(&a, &b);
            let f = fast.signature(&a).jaccard(&fast.signature(&b)).unwrap();
            let s = slow.signature(&a).jaccard(&slow.signature(&b)).unwrap();
            err_fast += (f - exact).powi(2);
            err_slow += (s - exact).powi(2);
            bias_fast += f - exact;
        }
        let (rmse_fast, rmse_slow) = (
            (err_fast / trials as f64).sqrt(),
            (err_slow / trials as f64).sqrt(),
        );
        assert!(
            rmse_fast <= rmse_slow * 1.3,
            "fast {rmse_fast} slow {rmse_slow}"
        );
        assert!((bias_fast / trials as f64).abs() < 0.02);
    }

    #[test]
    fn different_parameters_refuse_to_compare() {
        let a = MinHasher::new(params(Scheme::OnePermutation, 128)).unwrap();
        let b = MinHasher::new(MinHashParams {
            seed: 9,
            ..params(Scheme::OnePermutation, 128)
        })
        .unwrap();
        let err = a
            .signature(&[1, 2])
            .jaccard(&b.signature(&[1, 2]))
            .unwrap_err();
        assert!(matches!(err, Error::ParamsMismatch { .. }));
        assert!(err.to_string().contains("seed=9"));
    }

    #[test]
    fn containment_of_a_truncated_copy_is_high() {
        let h = MinHasher::new(MinHashParams::default()).unwrap();
        let (full, _) = overlapping_sets(1, 300, 0, 0);
        let part = &full[..100];
        let c = h
            .signature(part)
            .containment_in(&h.signature(&full))
            .unwrap();
        assert!(c > 0.8, "containment {c}");
    }

    #[test]
    fn empty_sets_are_similar_to_nothing() {
        let h = MinHasher::new(MinHashParams::default()).unwrap();
        assert_eq!(h.signature(&[]).jaccard(&h.signature(&[])).unwrap(), 0.0);
    }
}
