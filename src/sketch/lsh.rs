//! Locality-sensitive hashing over MinHash signatures: the choice of bands ×
//! rows for a threshold, the S-curve it yields, and candidate pairs.
//!
//! A signature of K slots is cut into b bands of r rows; two articles become
//! candidates when all r slots of at least one band agree, which happens with
//! probability P(s) = 1 − (1 − s^r)^b at Jaccard s. Bands are hashed (xxh3)
//! to one 64-bit key; that does not lower recall, since equal bands always
//! give equal keys. Buckets are found by sorting (band key, article) pairs
//! one band at a time, so memory stays at one band's worth of keys.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::error::{Error, Result};

/// Bands × rows of an LSH index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LshParams {
    pub bands: usize,
    pub rows: usize,
}

impl LshParams {
    /// Checks that `bands × rows` fits in `num_perm` slots.
    ///
    /// # Errors
    /// Zero bands or rows, or more slots than the signature has.
    pub fn validate(&self, num_perm: usize) -> Result<()> {
        let slots = self.bands.checked_mul(self.rows);
        if self.bands == 0 || self.rows == 0 || slots.is_none_or(|n| n > num_perm) {
            return Err(Error::invalid(
                "bands",
                format!(
                    "{} bands × {} rows do not fit in {num_perm} slots",
                    self.bands, self.rows
                ),
            ));
        }
        Ok(())
    }

    /// The bands × rows (with b·r ≤ `num_perm`) that minimize the weighted
    /// false-positive area ∫₀ᵗ P(s) ds plus false-negative area ∫ₜ¹ 1 − P(s) ds.
    pub fn optimal(threshold: f64, num_perm: usize, fp_weight: f64, fn_weight: f64) -> Self {
        let mut best = (f64::INFINITY, LshParams { bands: 1, rows: 1 });
        for bands in 1..=num_perm {
            for rows in 1..=num_perm / bands {
                let p = LshParams { bands, rows };
                let fp = integrate(|s| p.probability(s), 0.0, threshold);
                let fneg = integrate(|s| 1.0 - p.probability(s), threshold, 1.0);
                let cost = fp_weight * fp + fn_weight * fneg;
                if cost < best.0 - 1e-12 {
                    best = (cost, p);
                }
            }
        }
        best.1
    }

    /// Probability that two articles of Jaccard `s` become candidates.
    pub fn probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// The S-curve at similarities 0.1, 0.2, … 1.0.
    pub fn s_curve(&self) -> Vec<(f64, f64)> {
        (1..=10)
            .map(|i| f64::from(i) / 10.0)
            .map(|s| (s, self.probability(s)))
            .collect()
    }

    /// The similarity at which P(s) = 1/2.
    pub fn midpoint(&self) -> f64 {
        (1.0 - 0.5f64.powf(1.0 / self.bands as f64)).powf(1.0 / self.rows as f64)
    }

    /// The bucket key of one band of a signature.
    pub fn band_key(&self, slots: &[u32], band: usize) -> u64 {
        let rows = &slots[band * self.rows..(band + 1) * self.rows];
        let mut bytes = [0u8; 4 * 64];
        let n = rows.len().min(64);
        for (chunk, v) in bytes.chunks_exact_mut(4).zip(&rows[..n]) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        xxh3_64_with_seed(&bytes[..4 * n], band as u64)
    }

    /// The buckets (runs of articles sharing a key, size ≥ 2) of one band.
    /// `slots(i)` returns article i's signature; `skip(i)` leaves it out.
    /// Articles in a bucket are in ascending order; buckets are ordered by key.
    pub fn buckets<'a>(
        &self,
        band: usize,
        count: usize,
        slots: impl Fn(usize) -> &'a [u32] + Sync,
        skip: impl Fn(usize) -> bool + Sync,
    ) -> Vec<Vec<u32>> {
        let mut keys: Vec<(u64, u32)> = (0..count)
            .into_par_iter()
            .filter(|&i| !skip(i))
            .map(|i| (self.band_key(slots(i), band), i as u32))
            .collect();
        keys.par_sort_unstable();
        let mut out = Vec::new();
        for run in keys.chunk_by(|a, b| a.0 == b.0) {
            if run.len() >= 2 {
                out.push(run.iter().map(|&(_, i)| i).collect());
            }
        }
        out
    }
}

fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    const STEPS: usize = 200;
    let h = (b - a) / STEPS as f64;
    (0..STEPS).map(|i| f(a + (i as f64 + 0.5) * h)).sum::<f64>() * h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optimal_bands_put_the_midpoint_near_the_threshold() {
        for t in [0.3, 0.5, 0.8] {
            let p = LshParams::optimal(t, 128, 0.5, 0.5);
            assert!(p.bands * p.rows <= 128);
            assert!(
                (p.midpoint() - t).abs() < 0.12,
                "t {t} → {p:?} midpoint {}",
                p.midpoint()
            );
        }
    }

    #[test]
    fn s_curve_rises_from_zero_to_one() {
        let p = LshParams { bands: 20, rows: 5 };
        let curve = p.s_curve();
        assert!(curve.windows(2).all(|w| w[0].1 <= w[1].1));
        assert!(curve[0].1 < 0.01);
        assert!((curve[9].1 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn buckets_group_equal_bands_only() {
        let p = LshParams { bands: 2, rows: 2 };
        let sigs: Vec<Vec<u32>> = vec![
            vec![1, 2, 3, 4],
            vec![1, 2, 9, 9],
            vec![5, 5, 3, 4],
            vec![1, 2, 3, 4],
        ];
        let b0 = p.buckets(0, 4, |i| &sigs[i], |_| false);
        assert_eq!(b0, vec![vec![0, 1, 3]]);
        let b1 = p.buckets(1, 4, |i| &sigs[i], |i| i == 3);
        assert_eq!(b1, vec![vec![0, 2]]);
    }

    #[test]
    fn bad_shapes_are_rejected() {
        assert!(LshParams { bands: 40, rows: 4 }.validate(128).is_err());
        assert!(LshParams { bands: 0, rows: 4 }.validate(128).is_err());
        // The product overflows to 0 in wrapping arithmetic.
        let huge = 1usize << (usize::BITS / 2);
        assert!(LshParams {
            bands: huge,
            rows: huge
        }
        .validate(128)
        .is_err());
        assert!(LshParams { bands: 32, rows: 4 }.validate(128).is_ok());
    }
}
