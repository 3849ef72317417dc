//! TOTP second factor (RFC 6238): HMAC-SHA-1, 6 digits, 30-second steps,
//! one step of drift either way.
//!
//! The code generation is `totp-rs` (5.x, without default features: it
//! shares hmac and sha2 with the workspace and adds only sha1, base32 and
//! constant_time_eq). What is ours: which step a code matched, so that the
//! caller can refuse a code used before (replay), the `otpauth://` URI for
//! authenticator apps, and sealing the secret for storage.
//!
//! Sealing: the secret is stored encrypted and authenticated under a key
//! derived from the server secret (`<data_dir>/secret`), bound to the
//! account's id, so a copy of the database alone does not give the codes
//! and a sealed secret copied onto another account does not open. The
//! keystream is HMAC-SHA-256 of a random 16-byte nonce (the secret is 20
//! bytes, shorter than one output), then HMAC-SHA-256 over account, nonce
//! and ciphertext authenticates it (encrypt-then-MAC), with separate keys:
//! built from the HMAC the workspace already has rather than adding an AEAD
//! crate for 20 bytes. It does not protect against someone who has the data
//! directory's secret file as well; that is the server itself.

use rand::RngCore;
use thiserror::Error;
use time::OffsetDateTime;
use totp_rs::{Algorithm, TOTP};

/// Seconds per step.
pub const STEP_SECONDS: u64 = 30;
/// Digits in a code.
pub const DIGITS: usize = 6;
/// Steps of clock drift accepted either way.
pub const SKEW: u64 = 1;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TotpError {
    #[error("the code must be {DIGITS} digits")]
    BadCode,
    #[error("the stored TOTP secret cannot be opened (was the server secret replaced?)")]
    Unsealable,
}

/// A TOTP secret (the raw bytes, not base32).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    /// A new random secret.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The secret as authenticator apps take it when typed in: base32
    /// (RFC 4648) without padding.
    pub fn base32(&self) -> String {
        self.engine().get_secret_base32()
    }

    /// The `otpauth://totp/` URI that authenticator apps read from a QR code.
    /// `issuer` and `account` are percent-encoded.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let (issuer, account) = (percent(issuer), percent(account));
        format!(
            "otpauth://totp/{issuer}:{account}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            self.base32()
        )
    }

    fn engine(&self) -> TOTP {
        // new_unchecked: the secret length is ours to choose (20 bytes when
        // we make it); totp-rs would only refuse secrets under 16 bytes.
        TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 0, STEP_SECONDS, self.0.clone())
    }

    /// The code of one step.
    pub fn code_at_step(&self, step: u64) -> String {
        self.engine().generate(step * STEP_SECONDS)
    }

    /// The step a code belongs to, when it is the code of the current step or
    /// one step before or after; `None` when it matches none. Every candidate
    /// is compared in constant time.
    pub fn matching_step(&self, code: &str, now: OffsetDateTime) -> Option<u64> {
        let current = step_of(now);
        let engine = self.engine();
        let mut found = None;
        for step in current.saturating_sub(SKEW)..=current + SKEW {
            let expected = engine.generate(step * STEP_SECONDS);
            if constant_eq(expected.as_bytes(), code.as_bytes()) {
                found = Some(step);
            }
        }
        found
    }
}

/// The step a time falls in.
pub fn step_of(now: OffsetDateTime) -> u64 {
    u64::try_from(now.unix_timestamp()).unwrap_or(0) / STEP_SECONDS
}

/// A code as typed: spaces and dashes are dropped, the rest must be six
/// ASCII digits.
pub fn parse_code(typed: &str) -> Result<String, TotpError> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(TotpError::BadCode)
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    crate::seal::constant_eq(a, b)
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The most bytes a sealed TOTP secret may have.
const MAX_SECRET_BYTES: usize = 32;

/// Encrypts and authenticates a secret for storage with the server key,
/// bound to the account's id: `v1.<nonce>.<ciphertext>.<tag>` in hex
/// (`crate::seal` with the TOTP purpose).
pub fn seal(server_key: &[u8; 32], staff_id: i64, secret: &TotpSecret) -> String {
    crate::seal::seal(server_key, crate::seal::TOTP, staff_id, &secret.0)
}

/// Opens what [`seal`] made for the same key and account.
pub fn open(server_key: &[u8; 32], staff_id: i64, sealed: &str) -> Result<TotpSecret, TotpError> {
    let bytes = crate::seal::open(server_key, crate::seal::TOTP, staff_id, sealed)
        .map_err(|_| TotpError::Unsealable)?;
    if bytes.len() > MAX_SECRET_BYTES {
        return Err(TotpError::Unsealable);
    }
    Ok(TotpSecret(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// RFC 6238 appendix B, SHA-1 rows: the seed is "12345678901234567890"
    /// and the codes have 8 digits; ours are their last 6 (the truncation is
    /// the same number modulo 10^6).
    const RFC6238_SHA1: [(i64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890".to_vec())
    }

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        let secret = rfc_secret();
        for (unix, eight) in RFC6238_SHA1 {
            let at = OffsetDateTime::from_unix_timestamp(unix).unwrap();
            let eight_digits =
                TOTP::new_unchecked(Algorithm::SHA1, 8, 0, STEP_SECONDS, secret.0.clone())
                    .generate(u64::try_from(unix).unwrap());
            assert_eq!(eight_digits, eight, "8 digits at {unix}");
            let six = &eight[2..];
            assert_eq!(secret.code_at_step(step_of(at)), six, "6 digits at {unix}");
            assert_eq!(secret.matching_step(six, at), Some(step_of(at)));
        }
    }

    #[test]
    fn one_step_of_drift_is_accepted_and_two_are_not() {
        let secret = rfc_secret();
        let now = datetime!(2026-11-24 10:00:10 UTC);
        let step = step_of(now);
        for (offset, accepted) in [(-2i64, false), (-1, true), (0, true), (1, true), (2, false)] {
            let at = step.checked_add_signed(offset).unwrap();
            let code = secret.code_at_step(at);
            let expected = accepted.then_some(at);
            assert_eq!(
                secret.matching_step(&code, now),
                expected,
                "offset {offset}"
            );
        }
        assert_eq!(secret.matching_step("12345", now), None);
    }

    #[test]
    fn typed_codes_are_parsed() {
        assert_eq!(parse_code(" 123 456 ").unwrap(), "123456");
        assert_eq!(parse_code("123-456").unwrap(), "123456");
        assert_eq!(parse_code("12345"), Err(TotpError::BadCode));
        assert_eq!(parse_code("12345a"), Err(TotpError::BadCode));
        assert_eq!(parse_code("١٢٣٤٥٦"), Err(TotpError::BadCode));
    }

    #[test]
    fn the_uri_names_the_secret_and_the_parameters() {
        let secret = rfc_secret();
        assert_eq!(secret.base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            secret.otpauth_uri("Harrier", "ana li"),
            "otpauth://totp/Harrier:ana%20li?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Harrier&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(TotpSecret::generate().0.len(), SECRET_BYTES);
        assert_eq!(format!("{secret:?}"), "TotpSecret(..)");
    }

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_account() {
        let key = [7u8; 32];
        let secret = TotpSecret::generate();
        let sealed = seal(&key, 3, &secret);
        assert!(!sealed.contains(&hex::encode(&secret.0)));
        assert_eq!(open(&key, 3, &sealed).unwrap(), secret);
        assert_ne!(seal(&key, 3, &secret), sealed, "a fresh nonce each time");
        assert_eq!(open(&[8u8; 32], 3, &sealed), Err(TotpError::Unsealable));
        assert_eq!(open(&key, 4, &sealed), Err(TotpError::Unsealable));
        let mut flipped = sealed.clone().into_bytes();
        let at = 3 + 1 + 32 + 1; // the first ciphertext digit
        flipped[at] = if flipped[at] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert_eq!(open(&key, 3, &flipped), Err(TotpError::Unsealable));
        assert_eq!(open(&key, 3, "v1.zz"), Err(TotpError::Unsealable));
    }
}
