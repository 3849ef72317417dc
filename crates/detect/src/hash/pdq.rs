//! PDQ, Meta's 256-bit perceptual image hash: a port of the reference.
//!
//! What: [`pdq_from_luma`] and
//! [`pdq_from_image_bytes`](super::pdq_from_image_bytes) give a
//! [`PdqHash`] and a quality in 0..=100; [`PdqHash::hamming`] compares two
//! hashes. A resized or recompressed copy of an image usually lands within
//! [`PDQ_MATCH_DISTANCE`] (31) of the original; unrelated images land near
//! 128.
//!
//! Credit: this is a port of PDQ from Meta's ThreatExchange
//! (`pdq/cpp`: `hashing/pdqhashing.cpp`, `downscaling/downscaling.cpp`,
//! `hashing/torben.cpp`, `common/pdqhashtypes.cpp`), Copyright (c) Meta
//! Platforms, Inc. and affiliates, published under the BSD licence. The
//! algorithm is described in Meta's "The TMK+PDQF Video-Hashing Algorithm
//! and the PDQ Image Similarity Algorithm" (2017). The steps: RGB to luma
//! (float), two passes of 1-D box filters along rows and columns (Jarosz'
//! tent filter), decimation to 64x64, the quality metric on that 64x64, a
//! DCT keeping coefficients 1..=16 in each direction, and one bit per
//! coefficient: above the median or not.
//!
//! Why a port: the `pdqhash` crate is stale (2022, image 0.23). The float
//! operations follow the C++ in the same order (the column pass sweeps
//! rows, and the median is a selection, without changing any value), so
//! the bits are the same; `tests/pdq_reference.rs` checks that against
//! hashes from Meta's code.
//!
//! What not: the eight dihedral hashes (rotations and flips) and the float
//! hash are not ported yet. Images are hashed at full resolution, as the
//! `pdqhash` Python binding does. Meta's C++ command-line tool first
//! squeezes images larger than 512 pixels to 512x512 (CImg, nearest
//! neighbour): that moved our two large test images by 16 and 20 bits
//! (with Pillow's nearest neighbour standing in for CImg's), within the
//! match distance but not the same hash. EXIF orientation is not applied
//! (neither reference applies it).

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{HashError, parse_hex32, write_hex};

/// The distance ThreatExchange recommends for calling two PDQ hashes the
/// same image.
pub const PDQ_MATCH_DISTANCE: u32 = 31;

/// Below this quality the image is too flat for its hash to mean much;
/// ThreatExchange recommends not matching (or sharing) such hashes.
pub const PDQ_MIN_QUALITY: u8 = 50;

/// The reference's smallest hashable side; smaller images hash to zero with
/// quality 0.
const MIN_HASHABLE_SIDE: usize = 5;

/// Two X,Y passes of box filters make a tent filter.
const JAROSZ_PASSES: usize = 2;

/// A PDQ hash: 256 bits, stored in the order ThreatExchange prints them
/// (the first byte holds the first two hex digits).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PdqHash(pub [u8; 32]);

impl PdqHash {
    /// All bits clear: what the reference gives for images under 5 pixels.
    pub const ZERO: PdqHash = PdqHash([0; 32]);

    /// Number of differing bits, 0..=256.
    pub fn hamming(&self, other: &PdqHash) -> u32 {
        let (a, b) = (self.words(), other.words());
        (0..4).map(|i| (a[i] ^ b[i]).count_ones()).sum()
    }

    /// The 256 bits as four big-endian words, first hex digits first.
    pub fn words(&self) -> [u64; 4] {
        let mut words = [0u64; 4];
        for (word, bytes) in words.iter_mut().zip(self.0.chunks_exact(8)) {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(bytes);
            *word = u64::from_be_bytes(eight);
        }
        words
    }

    /// Bit `k` (0..256) in the reference's numbering: bit `16 * i + j` is
    /// DCT coefficient (i + 1, j + 1); it lives in 16-bit word `k / 16`,
    /// and the text form prints word 15 first.
    pub fn bit(&self, k: usize) -> bool {
        let (byte, mask) = bit_position(k);
        self.0[byte] & mask != 0
    }

    fn set_bit(&mut self, k: usize) {
        let (byte, mask) = bit_position(k);
        self.0[byte] |= mask;
    }
}

/// Byte and mask of reference bit `k` in the printed byte order.
fn bit_position(k: usize) -> (usize, u8) {
    let word = (k & 255) >> 4;
    let bit = k & 15;
    let byte = (15 - word) * 2 + usize::from(bit < 8);
    (byte, 1 << (bit & 7))
}

impl fmt::Display for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(&self.0, f)
    }
}

impl fmt::Debug for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PdqHash({self})")
    }
}

impl FromStr for PdqHash {
    type Err = HashError;

    /// 64 hex digits, either case, as ThreatExchange writes them.
    fn from_str(text: &str) -> Result<Self, HashError> {
        parse_hex32(text).map(PdqHash)
    }
}

impl Serialize for PdqHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PdqHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// PDQ hash and quality (0..=100) of a `width` x `height` luma image given
/// row by row (the reference's `pdqHash256FromFloatLuma`). Luma is in
/// 0.0..=255.0; the reference makes it from RGB as `0.299 R + 0.587 G +
/// 0.114 B` in f32, and takes grey values as they are.
pub fn pdq_from_luma(
    width: usize,
    height: usize,
    luma: &[f32],
) -> Result<(PdqHash, u8), HashError> {
    let expected = width.saturating_mul(height);
    if luma.len() != expected {
        return Err(HashError::LumaSize {
            width,
            height,
            expected,
            found: luma.len(),
        });
    }
    Ok(hash_luma(width, height, luma.to_vec()))
}

/// The reference's luma of one RGB pixel (`fillFloatLumaFromRGB`): float
/// products, summed left to right.
pub(super) fn luma_from_rgb(r: u8, g: u8, b: u8) -> f32 {
    const R: f32 = 0.299;
    const G: f32 = 0.587;
    const B: f32 = 0.114;
    R * f32::from(r) + G * f32::from(g) + B * f32::from(b)
}

/// Hashes `luma` (`width * height` values, checked by the callers), using
/// it as the reference's first scratch buffer.
pub(super) fn hash_luma(width: usize, height: usize, mut luma: Vec<f32>) -> (PdqHash, u8) {
    debug_assert_eq!(luma.len(), width * height);
    if width < MIN_HASHABLE_SIDE || height < MIN_HASHABLE_SIDE {
        return (PdqHash::ZERO, 0);
    }
    let mut block = [[0f32; 64]; 64];
    if width == 64 && height == 64 {
        // The reference skips the blur for input already at 64x64 (video
        // frames that ffmpeg has shrunk).
        for (row, values) in block.iter_mut().zip(luma.chunks_exact(64)) {
            row.copy_from_slice(values);
        }
    } else {
        let mut scratch = vec![0f32; luma.len()];
        let window_along_rows = jarosz_window(width, 64);
        let window_along_cols = jarosz_window(height, 64);
        for _ in 0..JAROSZ_PASSES {
            box_along_rows(&luma, &mut scratch, width, window_along_rows);
            box_along_cols(&scratch, &mut luma, width, window_along_cols);
        }
        decimate(&luma, width, height, &mut block);
    }
    let quality = quality(&block);
    let dct = dct_64_to_16(&block);
    (bits_above_median(&dct), quality)
}

/// Box width per pass: half of `old / new`, rounded up, since two passes
/// make the full window (`computeJaroszFilterWindowSize`:
/// `(old + 2 * new - 1) / (2 * new)`).
fn jarosz_window(old: usize, new: usize) -> usize {
    old.div_ceil(2 * new)
}

/// One 1-D box filter over each row (`boxAlongRowsFloat`).
fn box_along_rows(input: &[f32], output: &mut [f32], width: usize, window: usize) {
    for (row_in, row_out) in input
        .chunks_exact(width)
        .zip(output.chunks_exact_mut(width))
    {
        box_1d(row_in, row_out, window);
    }
}

/// `box1DFloat`: a running mean over `window` values centred on each
/// output, the window shrinking at both ends. Phase 1 only adds; phase 2
/// adds and writes; phase 3 adds, subtracts and writes; phase 4 subtracts
/// and writes.
fn box_1d(input: &[f32], output: &mut [f32], window: usize) {
    let phases = Phases::new(input.len(), window);
    let (mut left, mut right, mut out) = (0, 0, 0);
    let mut sum = 0f32;
    let mut count = 0usize;
    for _ in 0..phases.first {
        sum += input[right];
        count += 1;
        right += 1;
    }
    for _ in 0..phases.second {
        sum += input[right];
        count += 1;
        output[out] = sum / count as f32;
        right += 1;
        out += 1;
    }
    for _ in 0..phases.third {
        sum += input[right];
        sum -= input[left];
        output[out] = sum / count as f32;
        left += 1;
        right += 1;
        out += 1;
    }
    for _ in 0..phases.fourth {
        sum -= input[left];
        count -= 1;
        output[out] = sum / count as f32;
        left += 1;
        out += 1;
    }
}

/// The column pass (`boxAlongColsFloat`), done a row at a time for every
/// column at once so memory is read in order. Each column sees the same
/// float operations in the same order as `box_1d`, so the result is the
/// same to the bit.
fn box_along_cols(input: &[f32], output: &mut [f32], width: usize, window: usize) {
    let height = input.len() / width;
    let phases = Phases::new(height, window);
    let row = |i: usize| &input[i * width..(i + 1) * width];
    let (mut left, mut right, mut out) = (0, 0, 0);
    let mut sums = vec![0f32; width];
    let mut count = 0usize;
    let mut write = |out: usize, sums: &[f32], count: usize| {
        let divisor = count as f32;
        for (o, s) in output[out * width..(out + 1) * width].iter_mut().zip(sums) {
            *o = s / divisor;
        }
    };
    for _ in 0..phases.first {
        sums.iter_mut().zip(row(right)).for_each(|(s, v)| *s += v);
        count += 1;
        right += 1;
    }
    for _ in 0..phases.second {
        sums.iter_mut().zip(row(right)).for_each(|(s, v)| *s += v);
        count += 1;
        write(out, &sums, count);
        right += 1;
        out += 1;
    }
    for _ in 0..phases.third {
        let (add, sub) = (row(right), row(left));
        for ((s, a), d) in sums.iter_mut().zip(add).zip(sub) {
            *s += a;
            *s -= d;
        }
        write(out, &sums, count);
        left += 1;
        right += 1;
        out += 1;
    }
    for _ in 0..phases.fourth {
        sums.iter_mut().zip(row(left)).for_each(|(s, v)| *s -= v);
        count -= 1;
        write(out, &sums, count);
        left += 1;
        out += 1;
    }
}

/// Repetitions of the four phases of `box1DFloat`.
struct Phases {
    first: usize,
    second: usize,
    third: usize,
    fourth: usize,
}

impl Phases {
    /// `window` is at most `length` for every window `jarosz_window` gives
    /// (`(n + 127) / 128 <= n`); `saturating_sub` only guards the contract.
    fn new(length: usize, window: usize) -> Phases {
        let half = (window + 2) / 2; // 7 -> 4, 8 -> 5
        Phases {
            first: half - 1,
            second: window + 1 - half,
            third: length.saturating_sub(window),
            fourth: half - 1,
        }
    }
}

/// Samples the blurred image at 64x64 cell centres (`decimateFloat`).
fn decimate(input: &[f32], width: usize, height: usize, block: &mut [[f32; 64]; 64]) {
    for (i, row) in block.iter_mut().enumerate() {
        let source_row = (((i as f64 + 0.5) * height as f64) / 64.0) as usize;
        for (j, value) in row.iter_mut().enumerate() {
            let source_col = (((j as f64 + 0.5) * width as f64) / 64.0) as usize;
            *value = input[source_row * width + source_col];
        }
    }
}

/// The reference's heuristic quality (`pdqImageDomainQualityMetric`): the
/// sum of quantised gradients between neighbours, scaled and capped at 100.
fn quality(block: &[[f32; 64]; 64]) -> u8 {
    let step = |u: f32, v: f32| (((u - v) * 100.0) / 255.0) as i32;
    let mut gradient_sum: i32 = 0;
    for (upper, lower) in block.iter().zip(&block[1..]) {
        for (u, v) in upper.iter().zip(lower) {
            gradient_sum += step(*u, *v).abs();
        }
    }
    for row in block {
        for (u, v) in row.iter().zip(&row[1..]) {
            gradient_sum += step(*u, *v).abs();
        }
    }
    u8::try_from((gradient_sum / 90).clamp(0, 100)).unwrap_or(100)
}

/// Rows 1..=16 of the 64-point DCT-II matrix, scaled by sqrt(2/64): the
/// scale is a float, the cosine a double, the product rounded to float,
/// as in the reference's `dct_matrix_64`.
fn dct_matrix() -> &'static [[f32; 64]; 16] {
    static MATRIX: OnceLock<[[f32; 64]; 16]> = OnceLock::new();
    MATRIX.get_or_init(|| {
        let scale = (2.0f64 / 64.0).sqrt() as f32;
        let mut matrix = [[0f32; 64]; 16];
        for (i, row) in matrix.iter_mut().enumerate() {
            for (j, value) in row.iter_mut().enumerate() {
                let angle =
                    (std::f64::consts::PI / 2.0 / 64.0) * (i + 1) as f64 * (2 * j + 1) as f64;
                *value = (f64::from(scale) * angle.cos()) as f32;
            }
        }
        matrix
    })
}

/// B = D A Dᵀ with D the 16x64 matrix above (`dct64To16`), summing over k
/// in order so the floats match.
fn dct_64_to_16(a: &[[f32; 64]; 64]) -> [[f32; 16]; 16] {
    let d = dct_matrix();
    let mut t = [[0f32; 64]; 16];
    for (i, t_row) in t.iter_mut().enumerate() {
        for (j, value) in t_row.iter_mut().enumerate() {
            let mut sum = 0f32;
            for k in 0..64 {
                sum += d[i][k] * a[k][j];
            }
            *value = sum;
        }
    }
    let mut b = [[0f32; 16]; 16];
    for (i, b_row) in b.iter_mut().enumerate() {
        for (j, value) in b_row.iter_mut().enumerate() {
            let mut sum = 0f32;
            for k in 0..64 {
                sum += t[i][k] * d[j][k];
            }
            *value = sum;
        }
    }
    b
}

/// One bit per coefficient: set when above the median
/// (`pdqBuffer16x16ToBits`). The reference's median (Torben's method) is
/// the 128th smallest of the 256 values; a selection gives the same value
/// and cannot loop on a NaN.
fn bits_above_median(dct: &[[f32; 16]; 16]) -> PdqHash {
    let mut values: Vec<f32> = dct.iter().flatten().copied().collect();
    let (_, median, _) = values.select_nth_unstable_by(127, f32::total_cmp);
    let median = *median;
    let mut hash = PdqHash::ZERO;
    for (k, value) in dct.iter().flatten().enumerate() {
        if *value > median {
            hash.set_bit(k);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

    #[test]
    fn hex_round_trip_and_bit_order() {
        let hash: PdqHash = EXAMPLE.parse().unwrap();
        assert_eq!(hash.to_string(), EXAMPLE);
        assert_eq!(format!("{hash:?}"), format!("PdqHash({EXAMPLE})"));
        // The first hex digit 'f' is word 15's top nibble: bits 252..=255.
        assert!((252..256).all(|k| hash.bit(k)));
        // The last digit '2' is word 0's low nibble 0b0010: bit 1 only.
        assert!(hash.bit(1) && !hash.bit(0) && !hash.bit(2) && !hash.bit(3));
        let mut rebuilt = PdqHash::ZERO;
        (0..256)
            .filter(|&k| hash.bit(k))
            .for_each(|k| rebuilt.set_bit(k));
        assert_eq!(rebuilt, hash);
        let json = serde_json::to_string(&hash).unwrap();
        assert_eq!(serde_json::from_str::<PdqHash>(&json).unwrap(), hash);
        assert!("f8f8".parse::<PdqHash>().is_err());
    }

    #[test]
    fn hamming_counts_differing_bits() {
        let a: PdqHash = EXAMPLE.parse().unwrap();
        assert_eq!(a.hamming(&a), 0);
        let mut b = a;
        b.0[0] ^= 0b1000_0001;
        b.0[31] ^= 0xff;
        assert_eq!(a.hamming(&b), 10);
        assert_eq!(b.hamming(&a), 10);
        let mut inverse = a;
        inverse.0.iter_mut().for_each(|byte| *byte = !*byte);
        assert_eq!(a.hamming(&inverse), 256);
    }

    #[test]
    fn box_1d_matches_the_reference_comment() {
        // downscaling.cpp's worked example: 0..16 with a window of 7.
        let input: Vec<f32> = (0..16).map(|v| v as f32).collect();
        let mut output = vec![0f32; 16];
        box_1d(&input, &mut output, 7);
        let sums = [
            6., 10., 15., 21., 28., 35., 42., 49., 56., 63., 70., 77., 84., 75., 65., 54.,
        ];
        let counts = [
            4., 5., 6., 7., 7., 7., 7., 7., 7., 7., 7., 7., 7., 6., 5., 4.,
        ];
        for i in 0..16 {
            assert_eq!(output[i], sums[i] / counts[i], "output {i}");
        }
    }

    #[test]
    fn column_pass_equals_box_1d_per_column() {
        let (width, height) = (7, 23);
        let input: Vec<f32> = (0..width * height)
            .map(|i| ((i * 37 % 101) as f32) * 1.7)
            .collect();
        for window in 1..=height {
            let mut swept = vec![0f32; input.len()];
            box_along_cols(&input, &mut swept, width, window);
            for col in 0..width {
                let column: Vec<f32> = (0..height).map(|r| input[r * width + col]).collect();
                let mut expected = vec![0f32; height];
                box_1d(&column, &mut expected, window);
                for r in 0..height {
                    assert_eq!(swept[r * width + col].to_bits(), expected[r].to_bits());
                }
            }
        }
    }

    #[test]
    fn tiny_images_hash_to_zero() {
        assert_eq!(
            pdq_from_luma(4, 10, &[1.0; 40]).unwrap(),
            (PdqHash::ZERO, 0)
        );
        assert!(matches!(
            pdq_from_luma(10, 10, &[1.0; 99]),
            Err(HashError::LumaSize {
                expected: 100,
                found: 99,
                ..
            })
        ));
    }

    #[test]
    fn flat_image_has_quality_zero() {
        let (_, quality) = pdq_from_luma(100, 80, &[128.0; 8000]).unwrap();
        assert_eq!(quality, 0);
    }

    #[test]
    fn nan_luma_does_not_hang() {
        let mut luma = vec![10.0f32; 32 * 32];
        luma[5] = f32::NAN;
        assert!(pdq_from_luma(32, 32, &luma).is_ok());
    }

    #[test]
    fn luma_uses_float_coefficients() {
        assert_eq!(luma_from_rgb(0, 0, 0), 0.0);
        assert!((luma_from_rgb(255, 255, 255) - 255.0).abs() < 1e-3);
        assert_eq!(luma_from_rgb(100, 0, 0), 0.299f32 * 100.0);
    }
}
