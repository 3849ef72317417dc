//! Near-duplicate clusters over a sliding time window.
//!
//! What: texts arrive in time order as *contents* (distinct normalised
//! texts, numbered by the caller, who folds exact duplicates by
//! [`super::shingle::TextFeatures::key`] first). [`NearDup::insert`] looks
//! up the new content's LSH band keys among the contents seen within the
//! window, checks each candidate against the exact Jaccard similarity of
//! the two shingle sets, and joins the two contents' clusters (union-find)
//! when it reaches the threshold. [`NearDup::cluster`] then names each
//! content's cluster: texts that are the same or nearly the same, chained.
//!
//! Streaming: each bucket holds content numbers in arrival order; a content
//! is live while its latest post (refreshed by [`NearDup::touch`] when an
//! exact copy arrives) is within the window of the newest time seen. Dead
//! entries are skipped by the lookup and dropped by a compaction that runs
//! when the table has grown by as many entries as it held after the last
//! one, so memory follows the window, not the stream.
//!
//! Why clusters and not pairs: the co-post network needs "same or nearly
//! the same text", a key; and a candidate already in the cluster the new
//! text has joined needs no check, so a flood of near-copies costs one
//! check per cluster instead of one per copy.
//!
//! What not: texts with fewer than `min_shingles` shingles are left out
//! ("thank you", "lol": near-duplicates of everyone); they still count as
//! exact duplicates.

use super::minhash::{Banding, MinHasher, PERMUTATIONS, Signature};
use super::shingle::jaccard;
use rustc_hash::FxHashMap;

/// Settings of the near-duplicate search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NearDupConfig {
    /// Jaccard similarity at or above which two texts are near-duplicates.
    pub threshold: f64,
    pub banding: Banding,
    /// Texts with fewer shingles are not compared.
    pub min_shingles: usize,
}

impl Default for NearDupConfig {
    fn default() -> Self {
        Self {
            threshold: 0.7,
            banding: Banding::DEFAULT,
            min_shingles: 4,
        }
    }
}

/// The streaming index. `sets[c]` are content `c`'s sorted shingles.
pub struct NearDup<'a> {
    config: NearDupConfig,
    hasher: MinHasher,
    sets: &'a [Vec<u64>],
    /// Seconds; `None` keeps everything.
    window: Option<i64>,
    table: FxHashMap<u64, Vec<u32>>,
    entries: usize,
    compact_at: usize,
    last_time: Vec<i64>,
    indexed: Vec<bool>,
    parent: Vec<u32>,
    size: Vec<u32>,
    seen: Vec<u32>,
    stamp: u32,
    now: i64,
    signature: Box<Signature>,
    keys: Vec<u64>,
    checks: u64,
    merges: u64,
}

impl<'a> NearDup<'a> {
    pub fn new(config: NearDupConfig, window: Option<i64>, sets: &'a [Vec<u64>]) -> Self {
        let n = sets.len();
        Self {
            config,
            hasher: MinHasher::default(),
            sets,
            window,
            table: FxHashMap::default(),
            entries: 0,
            compact_at: 1 << 16,
            last_time: vec![i64::MIN; n],
            indexed: vec![false; n],
            parent: (0..n as u32).collect(),
            size: vec![1; n],
            seen: vec![0; n],
            stamp: 0,
            now: i64::MIN,
            signature: Box::new([u32::MAX; PERMUTATIONS]),
            keys: Vec::with_capacity(config.banding.bands),
            checks: 0,
            merges: 0,
        }
    }

    /// Exact Jaccard checks made so far (candidates that reached the check).
    pub fn checks(&self) -> u64 {
        self.checks
    }

    /// Clusters joined so far.
    pub fn merges(&self) -> u64 {
        self.merges
    }

    fn live(&self, content: u32) -> bool {
        match self.window {
            None => true,
            Some(window) => self.last_time[content as usize] >= self.now.saturating_sub(window),
        }
    }

    /// An exact copy of `content` was posted at `time`: it stays live.
    pub fn touch(&mut self, content: u32, time: i64) {
        self.now = self.now.max(time);
        let slot = &mut self.last_time[content as usize];
        *slot = (*slot).max(time);
    }

    /// Index a new content posted at `time` (times must not go back by
    /// more than the window) and join it to the clusters of the live
    /// contents it nearly duplicates. Returns how many it joined.
    pub fn insert(&mut self, content: u32, time: i64) -> usize {
        self.insert_inner(content, time, None)
    }

    /// [`NearDup::insert`] that also reports every live content at or above
    /// the threshold (earlier content, Jaccard) in `pairs`; every candidate
    /// is checked, also those already in the same cluster.
    pub fn insert_reporting(
        &mut self,
        content: u32,
        time: i64,
        pairs: &mut Vec<(u32, f64)>,
    ) -> usize {
        self.insert_inner(content, time, Some(pairs))
    }

    fn insert_inner(
        &mut self,
        content: u32,
        time: i64,
        mut pairs: Option<&mut Vec<(u32, f64)>>,
    ) -> usize {
        self.touch(content, time);
        let c = content as usize;
        if self.indexed[c] || self.sets[c].len() < self.config.min_shingles {
            return 0;
        }
        self.indexed[c] = true;
        self.hasher
            .signature_into(&self.sets[c], &mut self.signature);
        self.config
            .banding
            .keys_into(&self.signature, &mut self.keys);
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen.fill(0);
            self.stamp = 1;
        }
        self.seen[c] = self.stamp;
        let mut joined = 0;
        let keys = std::mem::take(&mut self.keys);
        for key in &keys {
            let candidates = self.table.get(key).map(Vec::as_slice).unwrap_or(&[]);
            // Newest first: near-copies cluster in time.
            for &other in candidates.iter().rev() {
                let o = other as usize;
                if self.seen[o] == self.stamp || !self.live(other) {
                    continue;
                }
                self.seen[o] = self.stamp;
                let same = find(&mut self.parent, other) == find(&mut self.parent, content);
                if same && pairs.is_none() {
                    continue;
                }
                self.checks += 1;
                let similarity = jaccard(&self.sets[c], &self.sets[o]);
                if similarity >= self.config.threshold {
                    if let Some(pairs) = pairs.as_deref_mut() {
                        pairs.push((other, similarity));
                    }
                    if !same {
                        union(&mut self.parent, &mut self.size, content, other);
                        self.merges += 1;
                        joined += 1;
                    }
                }
            }
        }
        for key in &keys {
            self.table.entry(*key).or_default().push(content);
        }
        self.entries += keys.len();
        self.keys = keys;
        if self.window.is_some() && self.entries >= self.compact_at {
            self.compact();
        }
        joined
    }

    /// Drop dead entries and empty buckets.
    fn compact(&mut self) {
        let Some(window) = self.window else { return };
        let oldest = self.now.saturating_sub(window);
        let last_time = &self.last_time;
        let mut entries = 0;
        self.table.retain(|_, bucket| {
            bucket.retain(|&content| last_time[content as usize] >= oldest);
            entries += bucket.len();
            !bucket.is_empty()
        });
        self.entries = entries;
        self.compact_at = (entries * 2).max(1 << 16);
    }

    /// The cluster (a representative content) of `content`.
    pub fn cluster(&mut self, content: u32) -> u32 {
        find(&mut self.parent, content)
    }
}

/// Union-find with path halving.
pub(crate) fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let grand = parent[parent[x as usize] as usize];
        parent[x as usize] = grand;
        x = grand;
    }
    x
}

/// Union by size; returns the new root.
pub(crate) fn union(parent: &mut [u32], size: &mut [u32], a: u32, b: u32) -> u32 {
    let (mut ra, mut rb) = (find(parent, a), find(parent, b));
    if ra == rb {
        return ra;
    }
    if size[ra as usize] < size[rb as usize] {
        std::mem::swap(&mut ra, &mut rb);
    }
    parent[rb as usize] = ra;
    size[ra as usize] += size[rb as usize];
    ra
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ring::shingle::Shingler;

    fn sets(texts: &[&str]) -> Vec<Vec<u64>> {
        let shingler = Shingler::default();
        texts
            .iter()
            .map(|t| shingler.features(t).shingles)
            .collect()
    }

    #[test]
    fn near_copies_cluster_and_others_do_not() {
        let sets = sets(&[
            "best hotpot in town visit golden dragon restaurant today for big discounts",
            "best hotpot in town visit golden dragon restaurant today for huge discounts",
            "the weather is lovely and we walked along the river after lunch",
            "best hotpot in town visit golden dragon restaurant now for huge discounts",
        ]);
        let mut index = NearDup::new(NearDupConfig::default(), Some(3600), &sets);
        for (i, time) in [0, 10, 20, 30].into_iter().enumerate() {
            index.insert(i as u32, time);
        }
        assert_eq!(index.cluster(0), index.cluster(1));
        assert_eq!(index.cluster(0), index.cluster(3));
        assert_ne!(index.cluster(0), index.cluster(2));
    }

    #[test]
    fn the_window_keeps_apart_copies_far_apart_in_time() {
        let sets = sets(&[
            "best hotpot in town visit golden dragon restaurant today for big discounts",
            "best hotpot in town visit golden dragon restaurant today for huge discounts",
        ]);
        let mut index = NearDup::new(NearDupConfig::default(), Some(60), &sets);
        index.insert(0, 0);
        index.insert(1, 61);
        assert_ne!(index.cluster(0), index.cluster(1));
        let mut index = NearDup::new(NearDupConfig::default(), Some(60), &sets);
        index.insert(0, 0);
        index.touch(0, 30); // an exact copy keeps it live
        index.insert(1, 61);
        assert_eq!(index.cluster(0), index.cluster(1));
    }
}
