//! One feed item: a post, a message, a profile or a room event.
//!
//! What: [`ItemInput`] is what a provider sends (JSON, unknown fields
//! refused); [`validate_item`] bounds every field and returns a
//! [`ValidItem`] or an [`ItemError`] naming the field. Room events carry
//! the room and, for a join, the inviter, which the room analyses need.
//!
//! Text longer than [`MAX_ITEM_TEXT_BYTES`] is cut at a character boundary
//! and the item marked `truncated`: a long post is still worth scanning, and
//! refusing it would lose the rest of the batch's context. Every other field
//! over its bound is refused.

use serde::{Deserialize, Serialize};

/// The most items one batch may hold.
pub const MAX_BATCH_ITEMS: usize = 1_000;
/// The largest batch body, in bytes.
pub const MAX_BATCH_BYTES: usize = 5 * 1024 * 1024;
/// Text kept per item, in bytes.
pub const MAX_ITEM_TEXT_BYTES: usize = 64 * 1024;
/// Ids, accounts, rooms: at most this many bytes.
const MAX_ID_BYTES: usize = 200;
/// Images per item.
const MAX_IMAGES: usize = 16;

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Post,
    Message,
    Profile,
    RoomCreated,
    RoomJoin,
    RoomLeave,
    RoomMessage,
    StreamStart,
    StreamStop,
    Payment,
}

impl ItemKind {
    pub const ALL: [ItemKind; 10] = [
        Self::Post,
        Self::Message,
        Self::Profile,
        Self::RoomCreated,
        Self::RoomJoin,
        Self::RoomLeave,
        Self::RoomMessage,
        Self::StreamStart,
        Self::StreamStop,
        Self::Payment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::Message => "message",
            Self::Profile => "profile",
            Self::RoomCreated => "room_created",
            Self::RoomJoin => "room_join",
            Self::RoomLeave => "room_leave",
            Self::RoomMessage => "room_message",
            Self::StreamStart => "stream_start",
            Self::StreamStop => "stream_stop",
            Self::Payment => "payment",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// Room events must name their room.
    pub fn needs_room(self) -> bool {
        matches!(
            self,
            Self::RoomCreated
                | Self::RoomJoin
                | Self::RoomLeave
                | Self::RoomMessage
                | Self::StreamStart
                | Self::StreamStop
        )
    }
}

/// Hashes of an attached image, computed by the provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageHashesInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdq: Option<String>,
}

/// An item as a provider sends it. `kind` is a string here so that an
/// unknown kind is a per-item error, not a failed batch.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    /// The provider's own id of the item.
    pub id: String,
    pub kind: String,
    /// When it happened: seconds since the Unix epoch (UTC).
    #[serde(default)]
    pub ts: Option<i64>,
    #[serde(default)]
    pub text: Option<String>,
    /// The account that posted, joined, paid...
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub room: Option<String>,
    /// For `room_join`: the member who invited the account.
    #[serde(default)]
    pub inviter: Option<String>,
    /// BCP 47 language tag ("zh", "en").
    #[serde(default)]
    pub lang: Option<String>,
    /// Where the item can be seen (never fetched).
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub images: Vec<ImageHashesInput>,
}

/// An item that passed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidItem {
    pub external_id: String,
    pub kind: ItemKind,
    pub ts: Option<i64>,
    pub text: String,
    /// The text was longer than [`MAX_ITEM_TEXT_BYTES`] and was cut.
    pub truncated: bool,
    pub account: Option<String>,
    pub room: Option<String>,
    pub inviter: Option<String>,
    pub lang: Option<String>,
    pub url: Option<String>,
    pub images: Vec<ImageHashesInput>,
}

/// Why an item was refused: the field and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl ItemError {
    fn new(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            code,
            message: message.into(),
        }
    }
}

fn bounded_id(field: &str, value: Option<String>) -> Result<Option<String>, ItemError> {
    let Some(value) = value else { return Ok(None) };
    let value = value.trim().to_owned();
    if value.is_empty() {
        return Ok(None);
    }
    if value.len() > MAX_ID_BYTES {
        return Err(ItemError::new(
            field,
            "too_long",
            format!("{field} is {} bytes; at most {MAX_ID_BYTES}", value.len()),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(ItemError::new(
            field,
            "control_characters",
            format!("{field} holds control characters"),
        ));
    }
    Ok(Some(value))
}

fn hex64(field: &str, value: Option<String>) -> Result<Option<String>, ItemError> {
    let Some(value) = value else { return Ok(None) };
    let lower = value.trim().to_ascii_lowercase();
    if lower.len() != 64 || !lower.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ItemError::new(
            field,
            "not_hex64",
            format!("{field} must be 64 hexadecimal digits"),
        ));
    }
    Ok(Some(lower))
}

/// Check and bound one item.
pub fn validate_item(input: ItemInput) -> Result<ValidItem, ItemError> {
    let external_id = bounded_id("id", Some(input.id))?
        .ok_or_else(|| ItemError::new("id", "missing", "id is empty"))?;
    let kind = ItemKind::parse(input.kind.trim()).ok_or_else(|| {
        let known: Vec<&str> = ItemKind::ALL.iter().map(|k| k.as_str()).collect();
        ItemError::new(
            "kind",
            "unknown_kind",
            format!(
                "unknown kind {:?}; one of {}",
                input.kind.chars().take(40).collect::<String>(),
                known.join(", ")
            ),
        )
    })?;
    let account = bounded_id("account", input.account)?;
    let room = bounded_id("room", input.room)?;
    let inviter = bounded_id("inviter", input.inviter)?;
    if kind.needs_room() && room.is_none() {
        return Err(ItemError::new(
            "room",
            "missing",
            format!("a {} item must name its room", kind.as_str()),
        ));
    }
    if inviter.is_some() && kind != ItemKind::RoomJoin {
        return Err(ItemError::new(
            "inviter",
            "not_allowed",
            "only a room_join item has an inviter",
        ));
    }
    let lang = bounded_id("lang", input.lang)?;
    if lang.as_ref().is_some_and(|l| l.len() > 35) {
        return Err(ItemError::new(
            "lang",
            "too_long",
            "lang is not a language tag",
        ));
    }
    let url = match input.url {
        Some(url) if url.len() > 2048 => {
            return Err(ItemError::new("url", "too_long", "url is over 2048 bytes"));
        }
        Some(url) if url.trim().is_empty() => None,
        other => other.map(|u| u.trim().to_owned()),
    };
    if let Some(ts) = input.ts
        && !(0..=253_402_300_799).contains(&ts)
    {
        return Err(ItemError::new(
            "ts",
            "out_of_range",
            "ts must be seconds since 1970 and before the year 10000",
        ));
    }
    if input.images.len() > MAX_IMAGES {
        return Err(ItemError::new(
            "images",
            "too_many",
            format!("{} images; at most {MAX_IMAGES}", input.images.len()),
        ));
    }
    let mut images = Vec::with_capacity(input.images.len());
    for (at, image) in input.images.into_iter().enumerate() {
        let sha256 = hex64(&format!("images[{at}].sha256"), image.sha256)?;
        let pdq = hex64(&format!("images[{at}].pdq"), image.pdq)?;
        images.push(ImageHashesInput { sha256, pdq });
    }
    let mut text = input.text.unwrap_or_default();
    let truncated = text.len() > MAX_ITEM_TEXT_BYTES;
    if truncated {
        let mut end = MAX_ITEM_TEXT_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    Ok(ValidItem {
        external_id,
        kind,
        ts: input.ts,
        text,
        truncated,
        account,
        room,
        inviter,
        lang,
        url,
        images,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str) -> ItemInput {
        ItemInput {
            id: "p1".into(),
            kind: kind.into(),
            text: Some("hello".into()),
            ..ItemInput::default()
        }
    }

    #[test]
    fn kinds_round_trip() {
        for kind in ItemKind::ALL {
            assert_eq!(ItemKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn unknown_kind_names_the_field_and_the_known_ones() {
        let error = validate_item(input("tweet")).unwrap_err();
        assert_eq!(error.field, "kind");
        assert!(error.message.contains("room_join"), "{}", error.message);
    }

    #[test]
    fn room_events_need_a_room_and_only_joins_an_inviter() {
        assert_eq!(validate_item(input("room_join")).unwrap_err().field, "room");
        let mut join = input("room_join");
        join.room = Some("r1".into());
        join.inviter = Some("u2".into());
        assert!(validate_item(join).is_ok());
        let mut post = input("post");
        post.inviter = Some("u2".into());
        assert_eq!(validate_item(post).unwrap_err().field, "inviter");
    }

    #[test]
    fn long_text_is_cut_at_a_char_boundary_and_marked() {
        let mut long = input("post");
        long.text = Some("冰".repeat(30_000));
        let item = validate_item(long).unwrap();
        assert!(item.truncated);
        assert!(item.text.len() <= MAX_ITEM_TEXT_BYTES);
        assert!(item.text.chars().all(|c| c == '冰'));
    }

    #[test]
    fn image_hashes_must_be_hex() {
        let mut item = input("post");
        item.images = vec![ImageHashesInput {
            sha256: Some("xyz".into()),
            pdq: None,
        }];
        assert_eq!(validate_item(item).unwrap_err().field, "images[0].sha256");
    }
}
