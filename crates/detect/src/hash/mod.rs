//! Image hashes and the hash lists they are matched against (issue 3).
//!
//! What: SHA-256 of a file's bytes (exact copies) and PDQ, Meta's 256-bit
//! perceptual hash (resized or recompressed copies land within a small
//! Hamming distance); a [`HashIndex`] that finds every list entry within a
//! distance of a PDQ hash without scanning the list; [`HashList`]s imported
//! from text and a [`HashMatcher`] that checks an [`Item`](crate::item::Item)'s
//! image hashes against them.
//!
//! Why here: matching against hash lists shared by other services
//! (ThreatExchange, NCMEC, StopNCII) is the cheapest strong signal there is,
//! and the hashes are computed once by whoever holds the bytes.
//!
//! What not: no I/O (callers read the files and pass bytes or text), no
//! fetching of lists, no video hashing (TMK), no rotation robustness beyond
//! what PDQ itself gives (a turn of a few degrees breaks it).

mod index;
mod list;
mod pdq;
mod pdq_image;
mod sha256;

pub use index::{HashIndex, IndexMatch};
pub use list::{
    HashKind, HashList, HashMatch, HashMatcher, Import, ItemMatches, LineError, LineErrorKind,
    ListEntry, ListHash, MAX_LABEL_BYTES, MAX_REPORTED_ERRORS, MalformedHash,
};
pub use pdq::{PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY, PdqHash, pdq_from_luma};
pub use pdq_image::{DEFAULT_CAPS, ImageCaps, pdq_from_image_bytes, pdq_from_image_bytes_with};
pub use sha256::{Sha256Digest, sha256};

/// Why a hash could not be parsed or computed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("expected {expected} hex digits, found {found} characters")]
    HexLength { expected: usize, found: usize },
    #[error("not a hex digit at position {position}")]
    HexDigit { position: usize },
    #[error("luma buffer has {found} values where {width}x{height} needs {expected}")]
    LumaSize {
        width: usize,
        height: usize,
        expected: usize,
        found: usize,
    },
    #[error("image format not recognised (png, jpeg and webp are read)")]
    UnknownFormat,
    #[error("image is {width}x{height}, over the cap ({max_pixels} pixels, {max_side} per side)")]
    TooLarge {
        width: u32,
        height: u32,
        max_pixels: u64,
        max_side: u32,
    },
    #[error("image could not be decoded: {0}")]
    Decode(#[source] image::ImageError),
    #[error("an index holds at most {max} entries")]
    IndexFull { max: usize },
}

/// 64 hex digits (either case) into 32 bytes, first digit pair first.
fn parse_hex32(text: &str) -> Result<[u8; 32], HashError> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return Err(HashError::HexLength {
            expected: 64,
            found: text.chars().count(),
        });
    }
    let mut out = [0u8; 32];
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        let high = hex_value(pair[0]).ok_or(HashError::HexDigit { position: 2 * i })?;
        let low = hex_value(pair[1]).ok_or(HashError::HexDigit {
            position: 2 * i + 1,
        })?;
        out[i] = (high << 4) | low;
    }
    Ok(out)
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Lowercase hex, as ThreatExchange and `sha256sum` print hashes.
fn write_hex(bytes: &[u8], f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    for byte in bytes {
        write!(f, "{byte:02x}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex32_rejects_wrong_length_and_digits() {
        assert!(matches!(
            parse_hex32("abc"),
            Err(HashError::HexLength { found: 3, .. })
        ));
        let mut text = "0".repeat(64);
        text.replace_range(10..11, "g");
        assert!(matches!(
            parse_hex32(&text),
            Err(HashError::HexDigit { position: 10 })
        ));
        // Multi-byte characters are counted as characters in the message
        // and never split.
        let wide = "é".repeat(32);
        assert!(parse_hex32(&wide).is_err());
    }

    #[test]
    fn hex32_accepts_either_case() {
        let upper = "AB".repeat(32);
        let lower = "ab".repeat(32);
        assert_eq!(parse_hex32(&upper).unwrap(), parse_hex32(&lower).unwrap());
        assert_eq!(parse_hex32(&lower).unwrap(), [0xab; 32]);
    }
}
