//! Near-duplicates of a whole batch at once, by sorting LSH band keys.
//!
//! What: the batch form of [`super::neardup`]: given every content's
//! shingle set and the time span of its posts, [`BandJoin::run`] computes
//! each signature once, cuts it into the same bands, and for each band
//! sorts (band key, content) with a two-pass radix sort on the 32-bit key;
//! contents with equal keys are candidates. Candidates whose posts are more
//! than Δt apart (judged on each content's first and last post), whose
//! sizes alone rule the threshold out, or that share an earlier band (and
//! were met there) are dropped; the rest are checked against the exact
//! Jaccard similarity.
//! [`Output::Clusters`] joins checked pairs with union-find;
//! [`Output::Pairs`] also lists every checked pair once.
//!
//! Why a second form: a hash table of band keys costs a cache miss per
//! band and text (25 per text) and a heap allocation per bucket; sorting
//! one band's keys at a time reads memory in order. On a million short
//! texts it is ~3x faster than the streaming index (BENCHMARKS.md, W4);
//! the streaming index stays for texts that arrive one by one.
//!
//! A band key is 32 bits (the band's 64-bit hash, folded): a key shared by
//! chance is only a wasted check. Large runs of one key: for clusters, each
//! content is checked against at most [`RUN_LOOKBACK`] earlier ones of the
//! run within Δt (a near-copy chain is joined through its recent members),
//! so a run of a million costs a million checks, not half a trillion; for
//! pairs every pair of the run is checked, since the pairs are the output.

use super::minhash::{MinHasher, PERMUTATIONS, Signature};
use super::neardup::{NearDupConfig, find, union};
use super::radix::sort_by_bits;
use super::shingle::jaccard;

/// How many earlier members of a run a content is checked against when
/// only clusters are wanted.
pub const RUN_LOOKBACK: usize = 64;

/// What to produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Clusters,
    Pairs,
}

/// The result of a batch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BandJoin {
    /// `cluster[c]`: a representative content of `c`'s cluster.
    pub cluster: Vec<u32>,
    /// With [`Output::Pairs`]: `(earlier, later, jaccard)`, each once.
    pub pairs: Vec<(u32, u32, f32)>,
    /// Candidate pairs met in the bands, before any filter.
    pub candidates: u64,
    pub checks: u64,
    pub merges: u64,
}

impl BandJoin {
    /// `sets[c]` are content `c`'s sorted shingles; contents must be
    /// numbered in the order of their first post. `span[c]` is the time of
    /// `c`'s first and last post; `window` is Δt (`None`: no limit).
    pub fn run(
        sets: &[Vec<u64>],
        span: &[(i64, i64)],
        window: Option<i64>,
        config: &NearDupConfig,
        output: Output,
    ) -> Self {
        let n = sets.len();
        let banding = config.banding;
        let indexed: Vec<u32> = (0..n as u32)
            .filter(|&c| sets[c as usize].len() >= config.min_shingles)
            .collect();
        // keys[i * bands + b]: band b of indexed content i, 32 bits; a row
        // per content, so "do these two share an earlier band" reads two
        // short rows.
        let hasher = MinHasher::default();
        let mut keys = vec![0u32; indexed.len() * banding.bands];
        let mut signature: Box<Signature> = Box::new([u32::MAX; PERMUTATIONS]);
        let mut band_keys = Vec::with_capacity(banding.bands);
        for (i, &c) in indexed.iter().enumerate() {
            hasher.signature_into(&sets[c as usize], &mut signature);
            banding.keys_into(&signature, &mut band_keys);
            for (b, key) in band_keys.iter().enumerate() {
                keys[i * banding.bands + b] = (*key ^ (*key >> 32)) as u32;
            }
        }
        let mut parent: Vec<u32> = (0..n as u32).collect();
        let mut size = vec![1u32; n];
        let mut result = Self::default();
        let mut entries: Vec<u64> = vec![0; indexed.len()];
        let mut scratch: Vec<u64> = vec![0; indexed.len()];
        let near = |a: u32, b: u32| -> bool {
            let Some(window) = window else { return true };
            let (fa, la) = span[a as usize];
            let (fb, lb) = span[b as usize];
            (fb - la).max(fa - lb) <= window
        };
        let flat = Flat::new(sets);
        // J(A, B) <= min(|A|, |B|) / max(|A|, |B|): sizes alone rule out
        // most chance candidates without reading either set.
        // Sizes in one small array (by indexed position), read in place of
        // the sets' headers, which are scattered in memory.
        let size_of: Vec<u32> = indexed
            .iter()
            .map(|&c| sets[c as usize].len() as u32)
            .collect();
        let sizes_allow = |i: usize, j: usize| -> bool {
            let (x, y) = (f64::from(size_of[i]), f64::from(size_of[j]));
            x.min(y) >= config.threshold * x.max(y)
        };
        for b in 0..banding.bands {
            for (i, entry) in entries.iter_mut().enumerate() {
                *entry = (u64::from(keys[i * banding.bands + b]) << 32) | i as u64;
            }
            sort_by_bits(&mut entries, &mut scratch, 32, 64);
            let mut start = 0;
            while start < entries.len() {
                let key = entries[start] >> 32;
                let mut end = start + 1;
                while end < entries.len() && entries[end] >> 32 == key {
                    end += 1;
                }
                let run = &entries[start..end];
                start = end;
                if run.len() < 2 {
                    continue;
                }
                for (j, entry) in run.iter().enumerate().skip(1) {
                    let later_index = (*entry & 0xffff_ffff) as usize;
                    let later = indexed[later_index];
                    let lookback = match output {
                        Output::Clusters => j.saturating_sub(RUN_LOOKBACK),
                        Output::Pairs => 0,
                    };
                    for earlier in run[lookback..j].iter().rev() {
                        let earlier_index = (*earlier & 0xffff_ffff) as usize;
                        let earlier = indexed[earlier_index];
                        result.candidates += 1;
                        if !sizes_allow(earlier_index, later_index) || !near(earlier, later) {
                            continue;
                        }
                        // A pair that shares an earlier band was met there.
                        let row = |i: usize| &keys[i * banding.bands..i * banding.bands + b];
                        if row(earlier_index)
                            .iter()
                            .zip(row(later_index))
                            .any(|(x, y)| x == y)
                        {
                            continue;
                        }
                        if output == Output::Clusters
                            && find(&mut parent, earlier) == find(&mut parent, later)
                        {
                            continue;
                        }
                        result.checks += 1;
                        let similarity = jaccard(flat.set(earlier), flat.set(later));
                        if similarity < config.threshold {
                            continue;
                        }
                        if output == Output::Pairs {
                            result.pairs.push((earlier, later, similarity as f32));
                        }
                        if find(&mut parent, earlier) != find(&mut parent, later) {
                            union(&mut parent, &mut size, earlier, later);
                            result.merges += 1;
                        }
                    }
                }
            }
        }
        result.cluster = (0..n as u32).map(|c| find(&mut parent, c)).collect();
        result
    }
}

/// The sets in one array, so a check reads one place per set instead of a
/// scattered header and then the data.
struct Flat {
    offsets: Vec<usize>,
    values: Vec<u64>,
}

impl Flat {
    fn new(sets: &[Vec<u64>]) -> Self {
        let mut offsets = Vec::with_capacity(sets.len() + 1);
        let mut values = Vec::with_capacity(sets.iter().map(Vec::len).sum());
        offsets.push(0);
        for set in sets {
            values.extend_from_slice(set);
            offsets.push(values.len());
        }
        Self { offsets, values }
    }

    fn set(&self, c: u32) -> &[u64] {
        &self.values[self.offsets[c as usize]..self.offsets[c as usize + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ring::neardup::NearDup;
    use crate::ring::shingle::mix64;

    fn random_sets(count: usize, seed: u64) -> Vec<Vec<u64>> {
        let mut state = seed;
        let mut next = |n: u64| {
            state = mix64(state.wrapping_add(1));
            state % n
        };
        let mut sets: Vec<Vec<u64>> = Vec::new();
        for _ in 0..count {
            let mut set: Vec<u64> = if !sets.is_empty() && next(3) == 0 {
                let mut s = sets[next(sets.len() as u64) as usize].clone();
                s.truncate(s.len().saturating_sub(next(2) as usize));
                s.push(next(400));
                s
            } else {
                (0..4 + next(12)).map(|_| next(400)).collect()
            };
            set.sort_unstable();
            set.dedup();
            sets.push(set);
        }
        sets
    }

    #[test]
    fn pairs_equal_the_streaming_index() {
        let sets = random_sets(400, 3);
        let span: Vec<(i64, i64)> = (0..sets.len() as i64).map(|t| (t * 10, t * 10)).collect();
        let config = NearDupConfig::default();
        let batch = BandJoin::run(&sets, &span, Some(500), &config, Output::Pairs);
        let mut streaming = NearDup::new(config, Some(500), &sets);
        let mut pairs = Vec::new();
        let mut expected = Vec::new();
        for c in 0..sets.len() as u32 {
            pairs.clear();
            streaming.insert_reporting(c, i64::from(c) * 10, &mut pairs);
            expected.extend(pairs.iter().map(|&(o, _)| (o, c)));
        }
        expected.sort_unstable();
        let mut got: Vec<(u32, u32)> = batch.pairs.iter().map(|&(a, b, _)| (a, b)).collect();
        got.sort_unstable();
        assert!(!got.is_empty());
        assert_eq!(got, expected);
        // Clusters are the components of the pairs.
        let clusters = BandJoin::run(&sets, &span, Some(500), &config, Output::Clusters);
        for &(a, b) in &got {
            assert_eq!(clusters.cluster[a as usize], clusters.cluster[b as usize]);
        }
    }
}
