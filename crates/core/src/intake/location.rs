//! Locations: the exact places a report points at (DSA Art. 16 "exact
//! electronic location"), before and after normalisation.
//!
//! A location is what the reporter typed. Its [`SubjectKey`] is what Harrier
//! folds on: a hundred reports of `HTTPS://Example.com/p/1?utm_source=x` and
//! `example.com/p/1` are one subject. Normalisation lives in `target.rs`.

use serde::{Deserialize, Serialize};

/// What kind of place a location names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    /// A web address.
    Url,
    /// An account handle on a platform (`@name`).
    Handle,
    /// A phone number, messenger id or wallet address used as a contact.
    Contact,
    /// A chat-room or group id.
    Room,
}

impl LocationKind {
    pub const ALL: [LocationKind; 4] = [Self::Url, Self::Handle, Self::Contact, Self::Room];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Url => "url",
            Self::Handle => "handle",
            Self::Contact => "contact",
            Self::Room => "room",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One place a report points at, as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    pub kind: LocationKind,
    pub value: String,
}
