//! Crypto wallet addresses: Bitcoin, Ethereum and TRON, checked by their
//! checksums.
//!
//! What: a word is a wallet address when its checksum holds:
//! - Bitcoin legacy (`1…`, `3…`): base58check, version 0x00 or 0x05.
//! - Bitcoin SegWit (`bc1…`): bech32 for witness version 0, bech32m for
//!   1 and up (BIP 173, BIP 350), one case throughout.
//! - TRON (`T…`, 34 characters): base58check, version 0x41.
//! - Ethereum (`0x` + 40 hex digits). EIP-55 puts a checksum in the case of
//!   the letters, but checking it needs Keccak-256, which is not among this
//!   crate's dependencies. So all-lower and all-upper addresses (which carry
//!   no checksum) and mixed-case ones are all accepted unverified: 42
//!   characters of `0x` and hex rarely occur by chance, and an address with
//!   a typo is still the address that was posted.
//!
//! Values are `btc:<address>` (bech32 lowercased), `tron:<address>` and
//! `eth:<address lowercased>`.
//!
//! What not: no other chains (their address formats collide with each
//! other, e.g. every EVM chain looks like Ethereum), no balance or owner
//! lookups.

use sha2::{Digest, Sha256};

/// The shortest and longest address of any chain here.
pub(crate) const MIN_LEN: usize = 26;
pub(crate) const MAX_LEN: usize = 62;

/// The detail and canonical value of a wallet address, when `word` is one.
pub(crate) fn check(word: &str) -> Option<(&'static str, String)> {
    let len = word.len();
    if !(MIN_LEN..=MAX_LEN).contains(&len) {
        return None;
    }
    let bytes = word.as_bytes();
    if len == 42 && (word.starts_with("0x") || word.starts_with("0X")) {
        let hex = &bytes[2..];
        return hex
            .iter()
            .all(u8::is_ascii_hexdigit)
            .then(|| ("eth", format!("eth:0x{}", word[2..].to_ascii_lowercase())));
    }
    if len >= 42 && word[..3].eq_ignore_ascii_case("bc1") {
        return bech32_segwit(word).then(|| ("btc", format!("btc:{}", word.to_ascii_lowercase())));
    }
    match bytes[0] {
        b'1' | b'3' if len <= 35 => match base58check(word)? {
            0x00 | 0x05 => Some(("btc", format!("btc:{word}"))),
            _ => None,
        },
        b'T' if len == 34 => match base58check(word)? {
            0x41 => Some(("tron", format!("tron:{word}"))),
            _ => None,
        },
        _ => None,
    }
}

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn base58_digit(b: u8) -> Option<u32> {
    BASE58
        .iter()
        .position(|&digit| digit == b)
        .and_then(|at| u32::try_from(at).ok())
}

/// The version byte of a 25-byte base58check payload (version, 20-byte
/// hash, 4-byte checksum) whose checksum holds.
fn base58check(word: &str) -> Option<u8> {
    let mut payload = [0u8; 25];
    for &b in word.as_bytes() {
        let mut carry = base58_digit(b)?;
        for byte in payload.iter_mut().rev() {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        if carry != 0 {
            return None;
        }
    }
    // Each leading '1' stands for one leading zero byte, and only those do.
    let leading_ones = word.bytes().take_while(|&b| b == b'1').count();
    let leading_zeros = payload.iter().take_while(|&&b| b == 0).count();
    if leading_ones != leading_zeros {
        return None;
    }
    let (body, checksum) = payload.split_at(21);
    let hash = Sha256::digest(Sha256::digest(body));
    (hash[..4] == *checksum).then_some(payload[0])
}

const BECH32: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32_CONST: u32 = 1;
const BECH32M_CONST: u32 = 0x2bc8_30a3;

fn polymod(values: impl Iterator<Item = u8>) -> u32 {
    const GENERATOR: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut checksum: u32 = 1;
    for value in values {
        let top = checksum >> 25;
        checksum = ((checksum & 0x01ff_ffff) << 5) ^ u32::from(value);
        for (bit, generator) in GENERATOR.iter().enumerate() {
            if (top >> bit) & 1 == 1 {
                checksum ^= generator;
            }
        }
    }
    checksum
}

/// Whether `word` is a valid Bitcoin mainnet SegWit address.
fn bech32_segwit(word: &str) -> bool {
    let lower = word.bytes().any(|b| b.is_ascii_lowercase());
    let upper = word.bytes().any(|b| b.is_ascii_uppercase());
    if lower && upper {
        return false;
    }
    let word = word.to_ascii_lowercase();
    let Some(data) = word.strip_prefix("bc1") else {
        return false;
    };
    let mut values = Vec::with_capacity(data.len());
    for b in data.bytes() {
        match BECH32.iter().position(|&c| c == b) {
            Some(at) => values.push(at as u8),
            None => return false,
        }
    }
    if values.len() < 7 {
        return false;
    }
    // hrp "bc" expanded: high bits, a zero, low bits.
    let hrp = [b'b' >> 5, b'c' >> 5, 0, b'b' & 31, b'c' & 31];
    let residue = polymod(hrp.iter().copied().chain(values.iter().copied()));
    let version = values[0];
    let expected = if version == 0 {
        BECH32_CONST
    } else {
        BECH32M_CONST
    };
    if version > 16 || residue != expected {
        return false;
    }
    // The witness program: 5-bit groups between the version and the 6-symbol
    // checksum, regrouped into bytes with no more than 4 zero padding bits.
    let program = &values[1..values.len() - 6];
    let bits = program.len() * 5;
    let program_len = bits / 8;
    let padding = bits % 8;
    let last = program.last().copied().unwrap_or(0);
    if padding > 4 || last & ((1 << padding) - 1) != 0 {
        return false;
    }
    match version {
        0 => program_len == 20 || program_len == 32,
        _ => (2..=40).contains(&program_len),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitcoin_legacy() {
        // The genesis block's address, and a P2SH one from BIP 13's examples.
        assert_eq!(
            check("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
            Some(("btc", "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa".to_string()))
        );
        assert!(check("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy").is_some());
        // One letter changed: the checksum fails.
        assert_eq!(check("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"), None);
        // '0' and 'l' are not base58.
        assert_eq!(check("1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a"), None);
    }

    #[test]
    fn bitcoin_segwit() {
        // BIP 173 and BIP 350 test vectors.
        assert_eq!(
            check("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"),
            Some((
                "btc",
                "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4".to_string()
            ))
        );
        assert!(check("bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3").is_some());
        assert!(check("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0").is_some());
        // Mixed case, and a v0 address with a bech32m checksum.
        assert_eq!(check("bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"), None);
        assert_eq!(check("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs"), None);
        assert_eq!(check("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"), None);
    }

    #[test]
    fn tron() {
        assert_eq!(
            check("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
            Some((
                "tron",
                "tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t".to_string()
            ))
        );
        assert_eq!(check("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"), None);
    }

    #[test]
    fn ethereum() {
        let value = Some((
            "eth",
            "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed".to_string(),
        ));
        assert_eq!(check("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"), value);
        assert_eq!(check("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"), value);
        assert_eq!(check("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg"), None);
        assert_eq!(check("0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea"), None);
    }

    #[test]
    fn words_that_are_not_addresses() {
        assert_eq!(check("13800138000"), None);
        assert_eq!(check("Thisisjustalongwordthatisnotatronaddr"), None);
        assert_eq!(check("111111111111111111111111111111"), None);
    }
}
