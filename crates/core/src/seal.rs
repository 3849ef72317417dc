//! Sealing small secrets for storage under the server secret: TOTP secrets
//! (`accounts/totp.rs`) and providers' webhook signing secrets
//! (`orders/webhook.rs`).
//!
//! The plaintext is XORed with a keystream of HMAC-SHA-256 blocks over a
//! random 16-byte nonce (block 0 is `HMAC(k, nonce)`, block i > 0 is
//! `HMAC(k, nonce || i)`), then HMAC-SHA-256 over version, owner id, nonce
//! and ciphertext authenticates it (encrypt-then-MAC). Both keys are derived
//! from the server secret with labels of their [`Purpose`], so a sealed TOTP
//! secret never opens as a webhook secret, and the owner id binds a sealed
//! value to its row (a copy on another account or provider does not open).
//! Stored as `v1.<nonce>.<ciphertext>.<tag>` in hex. The format of values
//! up to 32 bytes is the one TOTP secrets were always sealed in.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The labels the two keys of one kind of secret are derived with.
#[derive(Debug, Clone, Copy)]
pub struct Purpose {
    encryption: &'static [u8],
    authentication: &'static [u8],
}

/// TOTP secrets, bound to the staff id.
pub const TOTP: Purpose = Purpose {
    encryption: b"harrier totp encryption",
    authentication: b"harrier totp authentication",
};

/// Webhook signing secrets, bound to the provider id.
pub const WEBHOOK: Purpose = Purpose {
    encryption: b"harrier webhook encryption",
    authentication: b"harrier webhook authentication",
};

/// The longest value sealed.
pub const MAX_PLAIN_BYTES: usize = 1024;

const VERSION: &str = "v1";

/// A sealed value that does not open: another key, owner or purpose, or
/// edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the sealed secret cannot be opened (was the server secret replaced?)")]
pub struct Unsealable;

pub(crate) fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // An HMAC takes a key of any length: this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Equal in time independent of where the bytes differ.
pub fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Encrypts and authenticates `plain` (at most [`MAX_PLAIN_BYTES`]; longer
/// input is cut there) for `owner`.
pub fn seal(server_key: &[u8; 32], purpose: Purpose, owner: i64, plain: &[u8]) -> String {
    let plain = &plain[..plain.len().min(MAX_PLAIN_BYTES)];
    let mut nonce = [0u8; 16];
    rand::rng().fill_bytes(&mut nonce);
    let stream = keystream(server_key, purpose, &nonce, plain.len());
    let ciphertext: Vec<u8> = plain.iter().zip(stream).map(|(p, k)| p ^ k).collect();
    let tag = tag(server_key, purpose, owner, &nonce, &ciphertext);
    format!(
        "{VERSION}.{}.{}.{}",
        hex::encode(nonce),
        hex::encode(&ciphertext),
        hex::encode(tag)
    )
}

/// Opens what [`seal`] made for the same key, purpose and owner.
pub fn open(
    server_key: &[u8; 32],
    purpose: Purpose,
    owner: i64,
    sealed: &str,
) -> Result<Vec<u8>, Unsealable> {
    let mut parts = sealed.split('.');
    let (Some(VERSION), Some(nonce), Some(ciphertext), Some(stored_tag), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(Unsealable);
    };
    let decode = |s: &str| hex::decode(s).map_err(|_| Unsealable);
    let (nonce, ciphertext, stored_tag) =
        (decode(nonce)?, decode(ciphertext)?, decode(stored_tag)?);
    if ciphertext.len() > MAX_PLAIN_BYTES {
        return Err(Unsealable);
    }
    let expected = tag(server_key, purpose, owner, &nonce, &ciphertext);
    if !constant_eq(&expected, &stored_tag) {
        return Err(Unsealable);
    }
    let stream = keystream(server_key, purpose, &nonce, ciphertext.len());
    Ok(ciphertext.iter().zip(stream).map(|(c, k)| c ^ k).collect())
}

fn keystream(server_key: &[u8; 32], purpose: Purpose, nonce: &[u8], len: usize) -> Vec<u8> {
    let key = hmac(server_key, &[purpose.encryption]);
    let mut out = Vec::with_capacity(len.next_multiple_of(32));
    let mut block: u32 = 0;
    while out.len() < len {
        let counter = block.to_be_bytes();
        let parts: &[&[u8]] = if block == 0 {
            &[nonce]
        } else {
            &[nonce, &counter]
        };
        out.extend_from_slice(&hmac(&key, parts));
        block += 1;
    }
    out.truncate(len);
    out
}

fn tag(
    server_key: &[u8; 32],
    purpose: Purpose,
    owner: i64,
    nonce: &[u8],
    ciphertext: &[u8],
) -> [u8; 32] {
    let mac_key = hmac(server_key, &[purpose.authentication]);
    hmac(
        &mac_key,
        &[VERSION.as_bytes(), &owner.to_be_bytes(), nonce, ciphertext],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_purpose_and_owner() {
        let key = [7u8; 32];
        for len in [0usize, 20, 32, 33, 100] {
            let plain: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let sealed = seal(&key, WEBHOOK, 5, &plain);
            assert_eq!(open(&key, WEBHOOK, 5, &sealed).unwrap(), plain, "{len}");
            assert_eq!(open(&key, TOTP, 5, &sealed), Err(Unsealable));
            assert_eq!(open(&key, WEBHOOK, 6, &sealed), Err(Unsealable));
            assert_eq!(open(&[8u8; 32], WEBHOOK, 5, &sealed), Err(Unsealable));
        }
        // Blocks past the first differ (not the first block repeated).
        let sealed = seal(&key, WEBHOOK, 1, &[0u8; 64]);
        let ciphertext = hex::decode(sealed.split('.').nth(2).unwrap()).unwrap();
        assert_ne!(ciphertext[..32], ciphertext[32..]);
    }

    /// A TOTP secret sealed by the code before this module existed (same
    /// key, staff id 3) still opens.
    #[test]
    fn the_totp_format_is_unchanged() {
        let key = [7u8; 32];
        let plain = b"12345678901234567890";
        let nonce = [1u8; 16];
        let enc = hmac(&key, &[b"harrier totp encryption"]);
        let stream = hmac(&enc, &[&nonce]);
        let ciphertext: Vec<u8> = plain.iter().zip(stream).map(|(p, k)| p ^ k).collect();
        let mac = hmac(&key, &[b"harrier totp authentication"]);
        let tag = hmac(&mac, &[b"v1", &3i64.to_be_bytes(), &nonce, &ciphertext]);
        let old = format!(
            "v1.{}.{}.{}",
            hex::encode(nonce),
            hex::encode(&ciphertext),
            hex::encode(tag)
        );
        assert_eq!(open(&key, TOTP, 3, &old).unwrap(), plain);
    }
}
