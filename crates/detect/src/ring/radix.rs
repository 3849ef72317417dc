//! LSD radix sort of `u64`s by a range of their bits.
//!
//! Why: the ring analysis sorts tens of millions of packed pairs (band key
//! and content, source and target account); a radix sort reads and writes
//! memory in order and is several times faster than a comparison sort or
//! a hash table of that size. Stable, so equal keys keep their order.

/// Sort `values` by bits `low..high` (a multiple of 16 apart), 16 bits a
/// pass; `scratch` must be as long as `values`. Digits that are the same in
/// every value are skipped.
pub fn sort_by_bits(values: &mut [u64], scratch: &mut [u64], low: u32, high: u32) {
    debug_assert_eq!(values.len(), scratch.len());
    debug_assert!(low < high && high <= 64 && (high - low).is_multiple_of(16));
    let mut counts = vec![0usize; 1 << 16];
    let mut shift = low;
    while shift < high {
        counts.fill(0);
        for v in values.iter() {
            counts[((v >> shift) & 0xffff) as usize] += 1;
        }
        if counts.contains(&values.len()) {
            shift += 16;
            continue; // one digit for all: already in order
        }
        let mut total = 0;
        for count in counts.iter_mut() {
            let c = *count;
            *count = total;
            total += c;
        }
        for v in values.iter() {
            let slot = &mut counts[((v >> shift) & 0xffff) as usize];
            scratch[*slot] = *v;
            *slot += 1;
        }
        values.copy_from_slice(scratch);
        shift += 16;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ring::shingle::mix64;

    #[test]
    fn sorts_like_the_standard_sort() {
        let mut values: Vec<u64> = (0..5000u64).map(mix64).collect();
        let mut scratch = vec![0; values.len()];
        let mut expected = values.clone();
        expected.sort_unstable();
        sort_by_bits(&mut values, &mut scratch, 0, 64);
        assert_eq!(values, expected);
    }

    #[test]
    fn sorts_by_high_half_stably() {
        let mut values: Vec<u64> = (0..1000u64).map(|i| ((mix64(i) % 7) << 32) | i).collect();
        let mut scratch = vec![0; values.len()];
        let mut expected = values.clone();
        expected.sort_by_key(|v| v >> 32);
        sort_by_bits(&mut values, &mut scratch, 32, 64);
        assert_eq!(values, expected);
    }
}
