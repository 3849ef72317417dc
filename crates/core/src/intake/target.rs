//! Target normalisation: from what a reporter typed to the [`SubjectKey`]
//! that reports fold on.
//!
//! Choices, written down because they decide what counts as "the same thing":
//! - URLs: scheme and host lower-cased, `www.` dropped, default port, fragment
//!   and tracking parameters (`utm_*`, `fbclid`, `gclid`, `spm`, ...) removed,
//!   the remaining query sorted, a trailing `/` dropped. A URL without a
//!   scheme is read as `https://`. URLs are global: no platform.
//! - Handles: lower-cased, leading `@` dropped, scoped to the platform.
//! - Contacts: phone numbers keep only digits and a leading `+` (`00` becomes
//!   `+`; an 11-digit number starting 13-19 is a mainland China mobile and
//!   gets `+86`); messenger ids (`wechat:abc`) are lower-cased and trimmed.
//! - Rooms: trimmed and lower-cased, scoped to the platform.
//!
//! It does not resolve short links or fetch anything: reported content is
//! hostile, and Harrier never follows its links.

use super::location::{Location, LocationKind};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The longest value kept for a location.
pub const MAX_LOCATION_LEN: usize = 2048;

/// The kind of a subject, from the glossary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Account,
    Item,
    Url,
    Domain,
    Contact,
    Room,
    Group,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::Item => "item",
            Self::Url => "url",
            Self::Domain => "domain",
            Self::Contact => "contact",
            Self::Room => "room",
            Self::Group => "group",
        }
    }
}

/// What reports about the same thing share: kind, platform and normalised id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SubjectKey {
    pub kind: SubjectKind,
    /// The normalised platform name, empty where the id is global (URLs).
    pub platform: String,
    pub id: String,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TargetError {
    #[error("is empty")]
    Empty,
    #[error("is longer than {MAX_LOCATION_LEN} characters")]
    TooLong,
    #[error("is not a web address: {0}")]
    BadUrl(String),
    #[error("only http and https addresses can be reported")]
    BadScheme,
    #[error("contains control characters")]
    Control,
    #[error("is not a phone number or messenger id")]
    BadContact,
}

const TRACKING_PARAMS: [&str; 9] = [
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "spm",
    "igshid",
    "mc_cid",
    "mc_eid",
    "share_source",
];

/// Normalises a platform name: trimmed, lower-cased, inner spaces collapsed.
pub fn normalise_platform(platform: Option<&str>) -> String {
    platform
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Turns one location into the key its subject is stored under.
pub fn subject_key(location: &Location, platform: &str) -> Result<SubjectKey, TargetError> {
    let raw = location.value.trim();
    if raw.is_empty() {
        return Err(TargetError::Empty);
    }
    if raw.chars().count() > MAX_LOCATION_LEN {
        return Err(TargetError::TooLong);
    }
    if raw.chars().any(char::is_control) {
        return Err(TargetError::Control);
    }
    let (kind, platform, id) = match location.kind {
        LocationKind::Url => (SubjectKind::Url, String::new(), normalise_url(raw)?),
        LocationKind::Handle => (
            SubjectKind::Account,
            platform.to_owned(),
            raw.trim_start_matches('@').to_lowercase(),
        ),
        LocationKind::Contact => (SubjectKind::Contact, String::new(), normalise_contact(raw)?),
        LocationKind::Room => (SubjectKind::Room, platform.to_owned(), raw.to_lowercase()),
    };
    if id.is_empty() {
        return Err(TargetError::Empty);
    }
    Ok(SubjectKey { kind, platform, id })
}

fn normalise_url(raw: &str) -> Result<String, TargetError> {
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    let mut url = url::Url::parse(&with_scheme).map_err(|e| TargetError::BadUrl(e.to_string()))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(TargetError::BadScheme);
    }
    let Some(host) = url.host_str() else {
        return Err(TargetError::BadUrl("no host".into()));
    };
    let host = host.trim_start_matches("www.").to_owned();
    url.set_host(Some(&host))
        .map_err(|e| TargetError::BadUrl(e.to_string()))?;
    // http and https of one page are one subject.
    url.set_scheme("https")
        .map_err(|()| TargetError::BadScheme)?;
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let mut query: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.starts_with("utm_") && !TRACKING_PARAMS.contains(&k.as_str())
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    query.sort();
    if query.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(query);
    }
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&path);
    let mut out = url.to_string();
    // `https://example.com/` keeps its root slash in the URL type; drop it.
    if out.ends_with('/') && url.query().is_none() {
        out.pop();
    }
    Ok(out)
}

fn normalise_contact(raw: &str) -> Result<String, TargetError> {
    if let Some((scheme, id)) = raw.split_once(':') {
        let scheme = scheme.trim().to_lowercase();
        if !scheme.is_empty() && scheme.chars().all(|c| c.is_alphanumeric()) {
            let id = id.trim().trim_start_matches('@').to_lowercase();
            if id.is_empty() {
                return Err(TargetError::BadContact);
            }
            return Ok(format!("{scheme}:{id}"));
        }
    }
    let plus = raw.trim_start().starts_with('+');
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let only_phone_chars = raw
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if only_phone_chars && (7..=15).contains(&digits.len()) {
        if plus {
            return Ok(format!("+{digits}"));
        }
        if let Some(rest) = digits.strip_prefix("00") {
            return Ok(format!("+{rest}"));
        }
        let mainland_mobile = digits.len() == 11
            && digits.starts_with('1')
            && matches!(digits.as_bytes().get(1), Some(b'3'..=b'9'));
        if mainland_mobile {
            return Ok(format!("+86{digits}"));
        }
        return Ok(digits);
    }
    if only_phone_chars {
        return Err(TargetError::BadContact);
    }
    // Anything else (a wallet, an e-mail address, a bare messenger id).
    Ok(raw.trim().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kind: LocationKind, value: &str, platform: &str) -> SubjectKey {
        subject_key(
            &Location {
                kind,
                value: value.into(),
            },
            platform,
        )
        .unwrap()
    }

    #[test]
    fn variants_of_one_url_fold_together() {
        let a = key(
            LocationKind::Url,
            "HTTP://WWW.Example.com/p/1/?utm_source=x&b=2&a=1#top",
            "",
        );
        let b = key(LocationKind::Url, "example.com/p/1?a=1&b=2", "");
        let c = key(
            LocationKind::Url,
            "https://example.com:443/p/1?b=2&fbclid=zz&a=1",
            "",
        );
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_eq!(a.id, "https://example.com/p/1?a=1&b=2");
    }

    #[test]
    fn different_paths_stay_apart() {
        let a = key(LocationKind::Url, "example.com/p/1", "");
        let b = key(LocationKind::Url, "example.com/p/2", "");
        assert_ne!(a, b);
    }

    #[test]
    fn non_web_schemes_are_refused() {
        let err = subject_key(
            &Location {
                kind: LocationKind::Url,
                value: "javascript:alert(1)".into(),
            },
            "",
        );
        assert!(err.is_err());
    }

    #[test]
    fn handles_are_case_folded_per_platform() {
        let a = key(LocationKind::Handle, "@Ice_Seller", "weibo");
        let b = key(LocationKind::Handle, "ice_seller", "weibo");
        let c = key(LocationKind::Handle, "ice_seller", "douyin");
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn phone_numbers_fold_to_one_form() {
        let a = key(LocationKind::Contact, "+86 138-0013-8000", "");
        let b = key(LocationKind::Contact, "13800138000", "");
        let c = key(LocationKind::Contact, "0086 138 0013 8000", "");
        assert_eq!(a.id, "+8613800138000");
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(
            key(LocationKind::Contact, "WeChat: Ice99", "").id,
            "wechat:ice99"
        );
        assert!(
            subject_key(
                &Location {
                    kind: LocationKind::Contact,
                    value: "12-34".into()
                },
                ""
            )
            .is_err()
        );
    }

    #[test]
    fn control_characters_and_oversize_values_are_refused() {
        let bad = Location {
            kind: LocationKind::Room,
            value: "room\u{0}1".into(),
        };
        assert_eq!(subject_key(&bad, ""), Err(TargetError::Control));
        let long = Location {
            kind: LocationKind::Room,
            value: "x".repeat(MAX_LOCATION_LEN + 1),
        };
        assert_eq!(subject_key(&long, ""), Err(TargetError::TooLong));
    }
}
