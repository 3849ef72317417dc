//! An index of PDQ hashes answering "every entry within distance d".
//!
//! What: [`HashIndex`] over a fixed set of hashes (a list is imported whole
//! and replaced whole, so there is no insert). Queries give every entry
//! within `d` bits, exactly the set a full scan would give.
//!
//! How: multi-index hashing (Norouzi, Punjani and Fleet, 2014; Meta's
//! `pdq/cpp/index/mih.h` does the same). The 256 bits are cut into 16
//! chunks of 16 bits, and for each chunk a table lists the entries by chunk
//! value. If two hashes are within 31 bits, the 16 chunk distances sum to at
//! most 31, so some chunk is within 1 bit (pigeonhole: all at 2 or more
//! would make 32). A query therefore looks up, in each chunk's table, the
//! query's chunk value and its 16 one-bit neighbours (272 buckets), and
//! checks the full distance of what it finds. With `d` up to 47 some chunk
//! is within 2 bits, and the 120 two-bit neighbours are looked up too.
//!
//! Why: a linear scan of a million hashes is a few milliseconds a query; the
//! buckets of a million random hashes hold about 15 entries each, so a query
//! checks some 4000 candidates instead. `examples/pdq_index.rs` measures it.
//!
//! What not: no speed-up for `d` over 47 (the index falls back to a scan),
//! and none for lists whose hashes share chunk values far more than random
//! ones do (a list of near-identical images fills a few buckets; results
//! stay exact, only slower). Small lists are scanned: below 2048 entries a
//! scan beats the 4 MiB of tables.

use super::{HashError, PdqHash};

/// 16 chunks of 16 bits.
const CHUNKS: usize = 16;
const CHUNK_VALUES: usize = 1 << 16;
/// Below this many entries no tables are built.
const SCAN_BELOW: usize = 2048;
/// The largest distance the tables answer (some chunk within 2 bits).
const MAX_INDEXED_DISTANCE: u32 = 47;

/// A fixed set of PDQ hashes with per-chunk lookup tables.
pub struct HashIndex {
    hashes: Vec<Words>,
    /// One table per chunk; empty when the set is small.
    tables: Vec<ChunkTable>,
}

/// A hash as four words, aligned so that checking a candidate touches one
/// cache line, not two.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Words([u64; 4]);

/// The entries of one chunk, ordered by that chunk's value: the entries
/// whose chunk is `v` are `entries[starts[v]..starts[v + 1]]`.
struct ChunkTable {
    starts: Vec<u32>,
    entries: Vec<u32>,
}

/// An entry within the asked distance: its position in the slice the index
/// was built from, and the distance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IndexMatch {
    pub distance: u32,
    pub entry: usize,
}

impl HashIndex {
    /// Indexes `hashes`; entry `i` is `hashes[i]`. At most `u32::MAX`
    /// entries.
    pub fn build(hashes: &[PdqHash]) -> Result<HashIndex, HashError> {
        Self::build_with_tables_from(hashes, SCAN_BELOW)
    }

    /// `build`, with tables from `min_entries` entries on (tests use 0 to
    /// check the tables on small sets).
    fn build_with_tables_from(
        hashes: &[PdqHash],
        min_entries: usize,
    ) -> Result<HashIndex, HashError> {
        let max = u32::MAX as usize;
        if hashes.len() > max {
            return Err(HashError::IndexFull { max });
        }
        let hashes: Vec<Words> = hashes.iter().map(|h| Words(h.words())).collect();
        let tables = if hashes.len() >= min_entries {
            (0..CHUNKS).map(|c| ChunkTable::build(&hashes, c)).collect()
        } else {
            Vec::new()
        };
        Ok(HashIndex { hashes, tables })
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Bytes held by the hashes and tables (not counting allocator slack).
    pub fn memory_bytes(&self) -> usize {
        let tables: usize = self
            .tables
            .iter()
            .map(|t| 4 * (t.starts.len() + t.entries.len()))
            .sum();
        32 * self.hashes.len() + tables
    }

    /// Every entry within `max_distance` of `query`, nearest first (ties by
    /// entry). The same set as [`HashIndex::scan_within`].
    pub fn within(&self, query: &PdqHash, max_distance: u32) -> Vec<IndexMatch> {
        if self.tables.is_empty() || max_distance > MAX_INDEXED_DISTANCE {
            return self.scan_within(query, max_distance);
        }
        let query = query.words();
        let radius = max_distance / CHUNKS as u32;
        // Gather first, check after: the checks are then independent loads
        // the processor can overlap, instead of waiting on each in turn.
        let mut candidates: Vec<u32> = Vec::new();
        for (c, table) in self.tables.iter().enumerate() {
            let value = chunk(&query, c);
            candidates.extend_from_slice(table.bucket(value));
            if radius == 0 {
                continue;
            }
            for b in 0..16 {
                let one = value ^ (1 << b);
                candidates.extend_from_slice(table.bucket(one));
                if radius >= 2 {
                    for b2 in b + 1..16 {
                        candidates.extend_from_slice(table.bucket(one ^ (1 << b2)));
                    }
                }
            }
        }
        let mut found: Vec<IndexMatch> = candidates
            .iter()
            .filter_map(|&entry| {
                let entry = entry as usize;
                let distance = distance(&self.hashes[entry].0, &query);
                (distance <= max_distance).then_some(IndexMatch { distance, entry })
            })
            .collect();
        // A near entry is usually found through several chunks.
        found.sort_unstable();
        found.dedup();
        found
    }

    /// [`HashIndex::within`] by comparing with every entry: the reference
    /// the index is tested against, and the fallback for small sets.
    pub fn scan_within(&self, query: &PdqHash, max_distance: u32) -> Vec<IndexMatch> {
        let query = query.words();
        let mut found: Vec<IndexMatch> = self
            .hashes
            .iter()
            .enumerate()
            .filter_map(|(entry, hash)| {
                let distance = distance(&hash.0, &query);
                (distance <= max_distance).then_some(IndexMatch { distance, entry })
            })
            .collect();
        found.sort_unstable();
        found
    }
}

impl ChunkTable {
    /// A counting sort of the entries by chunk `c`.
    fn build(hashes: &[Words], c: usize) -> ChunkTable {
        let mut starts = vec![0u32; CHUNK_VALUES + 1];
        for hash in hashes {
            starts[usize::from(chunk(&hash.0, c)) + 1] += 1;
        }
        for v in 1..starts.len() {
            starts[v] += starts[v - 1];
        }
        let mut next = starts.clone();
        let mut entries = vec![0u32; hashes.len()];
        // Entry numbers fit in u32: `build` refuses larger sets.
        for (entry, hash) in (0u32..).zip(hashes) {
            let slot = &mut next[usize::from(chunk(&hash.0, c))];
            entries[*slot as usize] = entry;
            *slot += 1;
        }
        ChunkTable { starts, entries }
    }

    fn bucket(&self, value: u16) -> &[u32] {
        let v = usize::from(value);
        &self.entries[self.starts[v] as usize..self.starts[v + 1] as usize]
    }
}

/// Chunk `c` (0..16) of a hash: 16 bits, first chunk first.
fn chunk(hash: &[u64; 4], c: usize) -> u16 {
    let shift = 48 - 16 * (c % 4);
    (hash[c / 4] >> shift) as u16
}

fn distance(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    (a[0] ^ b[0]).count_ones()
        + (a[1] ^ b[1]).count_ones()
        + (a[2] ^ b[2]).count_ones()
        + (a[3] ^ b[3]).count_ones()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// splitmix64: a seeded generator, so failures replay.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn hash(&mut self) -> PdqHash {
            let mut bytes = [0u8; 32];
            for eight in bytes.chunks_exact_mut(8) {
                eight.copy_from_slice(&self.next().to_le_bytes());
            }
            PdqHash(bytes)
        }

        /// `hash` with `flips` distinct bits flipped.
        fn near(&mut self, hash: &PdqHash, flips: u32) -> PdqHash {
            let mut out = *hash;
            while out.hamming(hash) < flips {
                let bit = (self.next() % 256) as usize;
                out.0[bit / 8] ^= 1 << (bit % 8);
            }
            out
        }
    }

    #[test]
    fn chunks_cover_the_hash_in_order() {
        let mut bytes = [0u8; 32];
        bytes[0] = 0xab;
        bytes[1] = 0xcd;
        bytes[31] = 0x01;
        let words = PdqHash(bytes).words();
        assert_eq!(chunk(&words, 0), 0xabcd);
        assert_eq!(chunk(&words, 15), 0x0001);
        assert!((1..15).all(|c| chunk(&words, c) == 0));
    }

    #[test]
    fn index_equals_scan_on_random_hashes_with_planted_neighbours() {
        let mut rng = Rng(20261124);
        let mut hashes: Vec<PdqHash> = (0..6000).map(|_| rng.hash()).collect();
        let queries: Vec<PdqHash> = (0..60).map(|_| rng.hash()).collect();
        for (i, query) in queries.iter().enumerate() {
            // Neighbours at every distance from 0 to 59.
            hashes.push(rng.near(query, i as u32));
            hashes.push(rng.near(query, (i as u32 * 7) % 48));
        }
        let index = HashIndex::build(&hashes).unwrap();
        assert!(!index.tables.is_empty());
        for query in &queries {
            for d in [0, 1, 8, 15, 16, 17, 31, 32, 40, 47, 48, 64] {
                assert_eq!(index.within(query, d), index.scan_within(query, d), "d={d}");
            }
        }
        // The planted neighbour at distance 31 is found, the one at 32 not.
        let found = index.within(&queries[31], 31);
        assert!(found.iter().any(|m| m.distance == 31));
        assert!(found.iter().all(|m| m.distance <= 31));
    }

    #[test]
    fn small_sets_are_scanned() {
        let mut rng = Rng(7);
        let hashes: Vec<PdqHash> = (0..100).map(|_| rng.hash()).collect();
        let index = HashIndex::build(&hashes).unwrap();
        assert!(index.tables.is_empty());
        let found = index.within(&hashes[42], 0);
        assert_eq!(
            found,
            vec![IndexMatch {
                distance: 0,
                entry: 42
            }]
        );
        assert!(
            HashIndex::build(&[])
                .unwrap()
                .within(&hashes[0], 31)
                .is_empty()
        );
    }

    #[test]
    fn duplicates_are_all_returned() {
        let mut rng = Rng(9);
        let hash = rng.hash();
        let index = HashIndex::build_with_tables_from(&[hash, rng.hash(), hash], 0).unwrap();
        let entries: Vec<usize> = index.within(&hash, 5).iter().map(|m| m.entry).collect();
        assert_eq!(entries, vec![0, 2]);
    }

    proptest! {
        // Each case builds 16 tables of 65537 starts: fewer cases, and
        // several distances per case.
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn tables_equal_scan(
            seed in any::<u64>(),
            n in 0usize..300,
            flips in 0u32..64,
        ) {
            let mut rng = Rng(seed);
            let mut hashes: Vec<PdqHash> = (0..n).map(|_| rng.hash()).collect();
            let query = rng.hash();
            hashes.push(rng.near(&query, flips));
            hashes.push(rng.near(&query, flips / 2));
            let index = HashIndex::build_with_tables_from(&hashes, 0).unwrap();
            for d in [0, 1, 15, 16, 31, 32, 47, 48, 70] {
                prop_assert_eq!(index.within(&query, d), index.scan_within(&query, d));
            }
        }
    }
}
