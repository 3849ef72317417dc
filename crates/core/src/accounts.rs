//! Staff accounts, roles, passwords and tokens.
//!
//! Passwords are hashed with argon2id; session tokens are 256 random bits
//! shown once and stored as SHA-256 (a token is already high-entropy, so a
//! slow hash would only slow every request). The second factor is in
//! [`totp`], locking after failed sign-ins in [`lockout`], the sessions'
//! idle and absolute limits in [`session`]. Admins must have a second
//! factor ([`Role::requires_totp`]).

pub mod lockout;
pub mod session;
pub mod totp;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// A staff role. Only `intake` sees reporters' identities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Intake,
    Analyst,
    Moderator,
    Reviewer,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Self::Admin,
        Self::Intake,
        Self::Analyst,
        Self::Moderator,
        Self::Reviewer,
        Self::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Intake => "intake",
            Self::Analyst => "analyst",
            Self::Moderator => "moderator",
            Self::Reviewer => "reviewer",
            Self::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Admins may not sign in without a second factor; for the other roles it
    /// is their choice.
    pub fn requires_totp(self) -> bool {
        self == Self::Admin
    }

    /// Reporter contact details are for the intake role only.
    pub fn sees_reporter_identity(self) -> bool {
        self == Self::Intake
    }
}

#[derive(Debug, Error)]
pub enum AccountError {
    #[error("staff name must be 1 to 64 letters, digits, '.', '_' or '-'")]
    BadName,
    #[error("password must be at least 12 characters")]
    WeakPassword,
    #[error("could not hash the password: {0}")]
    Hash(String),
}

/// A staff account as the domain sees it (no hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Staff {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub must_change_password: bool,
}

pub fn check_name(name: &str) -> Result<(), AccountError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(AccountError::BadName)
    }
}

pub fn check_password(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < 12 {
        return Err(AccountError::WeakPassword);
    }
    Ok(())
}

pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AccountError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A one-time password: 20 characters from an alphabet without look-alikes.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// A new API token: the secret to show once, and the hash to store.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("hst_{}", hex::encode(bytes));
    let hash = token_hash(&secret);
    (secret, hash)
}

pub fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterz", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn only_intake_sees_reporters() {
        let seeing: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.sees_reporter_identity())
            .collect();
        assert_eq!(seeing, vec![Role::Intake]);
    }

    #[test]
    fn names_and_passwords_are_checked() {
        assert!(check_name("ana.li-2").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_password("short").is_err());
        assert_eq!(one_time_password().len(), 20);
        let (secret, hash) = new_token();
        assert_eq!(token_hash(&secret), hash);
    }
}
