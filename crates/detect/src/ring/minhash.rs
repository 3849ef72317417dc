//! MinHash signatures and the LSH banding that finds candidate pairs.
//!
//! What: [`MinHasher`] turns a set of 64-bit shingle hashes into
//! [`PERMUTATIONS`] (128) minimums of as many hash functions; two sets agree
//! on one minimum with probability equal to their Jaccard similarity.
//! [`Banding`] cuts a signature into `bands` bands of `rows` values and
//! hashes each band to one 64-bit key: two sets share at least one key with
//! probability `1 - (1 - s^rows)^bands` at similarity `s`.
//!
//! The default, [`Banding::DEFAULT`], is 21 bands x 6 rows (126 of the
//! 128 values), chosen for a Jaccard threshold of 0.7:
//!
//! | similarity s | P(candidate) = 1-(1-s^6)^21 |
//! |---:|---:|
//! | 0.9 | 1.0000 |
//! | 0.8 | 0.998 |
//! | 0.75 | 0.984 |
//! | 0.7 | 0.928 |
//! | 0.6 | 0.63 |
//! | 0.5 | 0.28 |
//! | 0.3 | 0.015 |
//!
//! The S-curve's midpoint `(1/b)^(1/r)` is 0.60, below 0.7 on purpose:
//! every candidate is checked against the exact Jaccard of the two shingle
//! sets ([`super::neardup`], [`super::bands`]), so a false candidate costs
//! one merge of two short sorted lists and a missed pair is lost for good.
//! Measured on W4 (a million real short texts, BENCHMARKS.md), 21 x 6 finds
//! 99.5 % of the pairs at J ≥ 0.7 (most true pairs lie well above 0.7);
//! 25 x 5 finds 99.95 % but checks ten times as many candidates (the
//! pairs at J 0.4–0.6 that short texts of common words make grow with the
//! square of the input), and 16 x 8 finds 95.3 %.
//!
//! Hash functions: `h_i(x) = (a_i * x + b_i) >> 32` over the 64-bit,
//! already mixed shingle hash `x`, with odd random `a_i` and random `b_i`
//! from a fixed seed (multiply-shift, Dietzfelbinger et al., which is
//! 2-universal): one multiply and one add per shingle and function, a loop
//! the compiler keeps in registers. One-permutation hashing was tried on
//! paper and left out: with 128 bins and ~15 shingles per post, nine bins
//! in ten are empty and densification copies neighbours, which raises the
//! variance for exactly the short texts this is for.
//!
//! What not: no weighted MinHash, no storage; the index lives in
//! [`super::neardup`].

/// Signature length (hash functions).
pub const PERMUTATIONS: usize = 128;

/// One signature: the minimum of each hash function over a set.
pub type Signature = [u32; PERMUTATIONS];

/// The hash functions, built once from a seed.
#[derive(Clone, Debug)]
pub struct MinHasher {
    a: [u64; PERMUTATIONS],
    b: [u64; PERMUTATIONS],
}

impl Default for MinHasher {
    fn default() -> Self {
        Self::new(0x005e_ed0f_4a77_1e75)
    }
}

impl MinHasher {
    pub fn new(seed: u64) -> Self {
        let mut state = seed;
        let mut next = || {
            // SplitMix64: a fixed, documented stream; no rand dependency
            // needed for 256 numbers.
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            super::shingle::mix64(state)
        };
        let mut a = [0u64; PERMUTATIONS];
        let mut b = [0u64; PERMUTATIONS];
        for i in 0..PERMUTATIONS {
            a[i] = next() | 1;
            b[i] = next();
        }
        Self { a, b }
    }

    /// The signature of a set of shingle hashes; all `u32::MAX` for an
    /// empty set.
    pub fn signature(&self, shingles: &[u64]) -> Signature {
        let mut signature = [u32::MAX; PERMUTATIONS];
        self.signature_into(shingles, &mut signature);
        signature
    }

    pub fn signature_into(&self, shingles: &[u64], signature: &mut Signature) {
        signature.fill(u32::MAX);
        for &x in shingles {
            for ((slot, a), b) in signature.iter_mut().zip(&self.a).zip(&self.b) {
                let h = (a.wrapping_mul(x).wrapping_add(*b) >> 32) as u32;
                *slot = (*slot).min(h);
            }
        }
    }
}

/// The share of equal values: an estimate of the Jaccard similarity.
pub fn estimate(a: &Signature, b: &Signature) -> f64 {
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / PERMUTATIONS as f64
}

/// How a signature is cut into bands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Banding {
    pub bands: usize,
    pub rows: usize,
}

impl Banding {
    /// 21 x 6, for a Jaccard threshold of 0.7 (see the module docs).
    pub const DEFAULT: Self = Self { bands: 21, rows: 6 };

    /// A banding that fits the signature.
    pub fn new(bands: usize, rows: usize) -> Option<Self> {
        (bands >= 1 && rows >= 1 && bands * rows <= PERMUTATIONS).then_some(Self { bands, rows })
    }

    /// The probability that two sets of similarity `s` share a band.
    pub fn candidate_probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// The similarity at which the S-curve is steepest, `(1/b)^(1/r)`.
    pub fn midpoint(&self) -> f64 {
        (1.0 / self.bands as f64).powf(1.0 / self.rows as f64)
    }

    /// The band keys of a signature: band `i`'s key mixes `i` in, so one
    /// table can hold every band.
    pub fn keys_into(&self, signature: &Signature, out: &mut Vec<u64>) {
        out.clear();
        for band in 0..self.bands {
            let rows = &signature[band * self.rows..(band + 1) * self.rows];
            let mut h = band as u64;
            for &value in rows {
                h = super::shingle::mix64(h ^ u64::from(value)).wrapping_add(u64::from(value));
            }
            out.push(h);
        }
    }
}

impl Default for Banding {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_tracks_jaccard() {
        let hasher = MinHasher::default();
        // |A ∩ B| = 70, |A ∪ B| = 100: J = 0.7
        let a: Vec<u64> = (0..85).map(crate::ring::shingle::mix64).collect();
        let b: Vec<u64> = (15..100).map(crate::ring::shingle::mix64).collect();
        let e = estimate(&hasher.signature(&a), &hasher.signature(&b));
        assert!((e - 0.7).abs() < 0.12, "estimate {e}");
        assert_eq!(estimate(&hasher.signature(&a), &hasher.signature(&a)), 1.0);
    }

    #[test]
    fn default_banding_is_documented() {
        let banding = Banding::DEFAULT;
        assert!((banding.candidate_probability(0.7) - 0.928).abs() < 0.001);
        assert!((banding.candidate_probability(0.8) - 0.998).abs() < 0.001);
        assert!(banding.candidate_probability(0.3) < 0.02);
        assert!((banding.midpoint() - 0.602).abs() < 0.001);
        assert!(Banding::new(26, 5).is_none());
    }
}
