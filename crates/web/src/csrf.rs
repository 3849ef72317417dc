//! CSRF protection for the public forms: a signed double-submit token.
//!
//! The form page sets a random nonce in a `SameSite=Strict` cookie and puts
//! HMAC(server key, nonce) in a hidden field. A post is accepted only when the
//! field is the HMAC of the cookie it came with: another site can neither read
//! the cookie nor forge the field. Works without JavaScript.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

pub const COOKIE: &str = "harrier_csrf";

/// Makes a fresh nonce for the cookie.
pub fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn mac(key: &[u8; 32], nonce: &str) -> Hmac<Sha256> {
    // An HMAC takes a key of any length: this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(nonce.as_bytes());
    mac
}

/// The hidden-field token for a nonce.
pub fn token(key: &[u8; 32], nonce: &str) -> String {
    hex::encode(mac(key, nonce).finalize().into_bytes())
}

/// Checks a posted token against the cookie's nonce, in constant time.
pub fn verify(key: &[u8; 32], nonce: &str, token: &str) -> bool {
    match hex::decode(token) {
        Ok(bytes) => mac(key, nonce).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

/// Reads one cookie from a Cookie header.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_nonce_and_key() {
        let key = [7u8; 32];
        let nonce = new_nonce();
        let t = token(&key, &nonce);
        assert!(verify(&key, &nonce, &t));
        assert!(!verify(&key, &new_nonce(), &t));
        assert!(!verify(&[8u8; 32], &nonce, &t));
        assert!(!verify(&key, &nonce, "zz"));
    }
}
