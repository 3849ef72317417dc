//! The item: one piece of provider content the engine looks at.
//!
//! What: the text and the metadata rules may use (provider, account, room,
//! time, language) and the hashes of attached images. The same shape comes
//! from `harrier scan` (JSON lines) and, later, from the patrol's feed.
//! Why here: the engine is pure, so the item carries everything a rule may
//! look at; nothing is fetched.

use serde::{Deserialize, Serialize};

/// Longest text the engine looks at, in bytes; longer texts are cut at a
/// char boundary below it (the patrol stores at most 64 KiB as well).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// One piece of content to scan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// The provider's id of the item (echoed on every signal).
    pub id: String,
    /// The text as posted.
    #[serde(default)]
    pub text: String,
    /// BCP 47 language tag when the provider knows it ("zh", "en").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// When it was posted: seconds since the Unix epoch (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts: Option<i64>,
    /// Hashes of attached images, computed by whoever holds the bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<ImageHashes>,
}

/// The hashes of one attached image, as lowercase hex.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageHashes {
    /// SHA-256 of the file's bytes (64 hex digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// PDQ perceptual hash (64 hex digits, 256 bits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdq: Option<String>,
}

impl Item {
    /// The text the engine looks at: at most [`MAX_TEXT_BYTES`], cut at a
    /// char boundary.
    pub fn bounded_text(&self) -> &str {
        bounded(&self.text, MAX_TEXT_BYTES)
    }
}

/// `text` cut to at most `max` bytes at a char boundary.
pub fn bounded(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_cuts_at_char_boundary() {
        assert_eq!(bounded("冰毒", 4), "冰");
        assert_eq!(bounded("abc", 10), "abc");
        assert_eq!(bounded("冰毒", 2), "");
    }
}
