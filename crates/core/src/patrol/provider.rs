//! Providers and their API keys.
//!
//! What: a provider is an organisation (platform, messenger, telecom,
//! courier, host) that pushes items and answers orders. It holds API keys,
//! each with scopes: `feed` (push items), `orders` (read and answer
//! orders), `reports` (file reports as a trusted flagger). A key is shown
//! once: `hk_<prefix>_<secret>`; only the prefix (to name and revoke it)
//! and the SHA-256 of the whole key are stored.

use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Feed,
    Orders,
    Reports,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Self::Feed, Self::Orders, Self::Reports];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Feed => "feed",
            Self::Orders => "orders",
            Self::Reports => "reports",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// Scopes written `feed,orders`; an unknown name is an error naming it.
pub fn parse_scopes(text: &str) -> Result<Vec<Scope>, String> {
    let mut scopes = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let scope = Scope::parse(name)
            .ok_or_else(|| format!("unknown scope {name:?}; one of feed, orders, reports"))?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    if scopes.is_empty() {
        return Err("at least one scope: feed, orders or reports".into());
    }
    scopes.sort();
    Ok(scopes)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provider {
    pub id: i64,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A key as stored: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderKey {
    pub prefix: String,
    pub provider: String,
    pub scopes: Vec<Scope>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// A new key: the text to show once, its prefix and the hash to store.
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub secret: String,
    pub prefix: String,
    pub hash: String,
}

const KEY_ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyz23456789";

fn random_text(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    rand::rng().fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(KEY_ALPHABET[usize::from(*b) % KEY_ALPHABET.len()]))
        .collect()
}

/// A fresh key: `hk_` + 8 characters of prefix + `_` + 40 of secret
/// (about 200 bits).
pub fn new_api_key() -> ApiKey {
    let prefix = random_text(8);
    let secret = format!("hk_{prefix}_{}", random_text(40));
    ApiKey {
        hash: api_key_hash(&secret),
        prefix,
        secret,
    }
}

/// What is stored of a key and looked up when it comes back.
pub fn api_key_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_carry_their_prefix_and_hash_to_themselves() {
        let key = new_api_key();
        assert!(key.secret.starts_with(&format!("hk_{}_", key.prefix)));
        assert_eq!(api_key_hash(&key.secret), key.hash);
        assert_ne!(new_api_key().secret, key.secret);
    }

    #[test]
    fn scopes_parse_and_refuse_unknown_names() {
        assert_eq!(
            parse_scopes("orders, feed,feed").unwrap(),
            vec![Scope::Feed, Scope::Orders]
        );
        assert!(parse_scopes("feed,admin").unwrap_err().contains("admin"));
        assert!(parse_scopes("").is_err());
    }
}
