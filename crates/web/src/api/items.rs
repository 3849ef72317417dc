//! `POST /api/v1/items`: a provider pushes a batch of feed items.
//!
//! The body is `{"items": [...]}`: at most 1,000 items and 5 MiB. Each item
//! is parsed and validated on its own, so one bad item is refused by its
//! index and the good ones of the batch are stored. The answer comes after
//! the good items and their queue entries have committed. An item the
//! provider sent before (same id) is answered `duplicate` and changes
//! nothing.

use super::json::parse_json;
use crate::AppState;
use crate::auth::ProviderAuth;
use crate::errors::{ApiError, ErrorBody};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use harrier_core::patrol::{
    ItemInput, MAX_BATCH_BYTES, MAX_BATCH_ITEMS, Scope, ValidItem, validate_item,
};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;

/// Items received, by outcome.
pub const ITEMS_RECEIVED: &str = "harrier_patrol_items_received_total";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch {
    items: Vec<Box<RawValue>>,
}

/// A batch of items (documentation of the body; each item is parsed on its
/// own).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ItemBatch {
    /// At most 1,000 items. Each: `id` (the provider's), `kind` (post,
    /// message, profile, room_created, room_join, room_leave, room_message,
    /// stream_start, stream_stop, payment), and optionally `ts` (Unix
    /// seconds), `text` (cut at 64 KiB), `account`, `room` (required for
    /// room events), `inviter` (room_join only), `lang`, `url`, `images`
    /// (`[{"sha256", "pdq"}]`).
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemOutcome {
    pub index: usize,
    /// accepted, duplicate or rejected.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<i64>,
    /// True when the text was cut at 64 KiB.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ItemProblem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemProblem {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchAnswer {
    pub accepted: usize,
    pub duplicates: usize,
    pub rejected: usize,
    /// One per item, in the batch's order.
    pub results: Vec<ItemOutcome>,
}

fn rejected(index: usize, code: &str, message: String, field: Option<String>) -> ItemOutcome {
    ItemOutcome {
        index,
        status: "rejected",
        item_id: None,
        truncated: false,
        error: Some(ItemProblem {
            code: code.to_owned(),
            message,
            field,
        }),
    }
}

/// Push feed items (provider key with the `feed` scope).
#[utoipa::path(
    post, path = "/api/v1/items", tag = "patrol",
    request_body = ItemBatch,
    security(("provider_key" = [])),
    responses(
        (status = 200, description = "stored: one outcome per item; rejected items name their field", body = BatchAnswer),
        (status = 400, description = "not a batch (bad JSON, over 1,000 items)", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "the key lacks the feed scope", body = ErrorBody),
        (status = 413, description = "over 5 MiB", body = ErrorBody),
        (status = 503, description = "not stored; retry the batch", body = ErrorBody),
    )
)]
pub async fn push(
    State(state): State<AppState>,
    auth: ProviderAuth,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<BatchAnswer>, ApiError> {
    let provider = auth.require(Scope::Feed)?.clone();
    let body = super::json::body_within(body, MAX_BATCH_BYTES)?;
    let batch: Batch = parse_json(&body)?;
    if batch.items.len() > MAX_BATCH_ITEMS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "batch_too_large",
            format!(
                "the batch holds {} items; send at most {MAX_BATCH_ITEMS} per request",
                batch.items.len()
            ),
        )
        .with_field("items"));
    }
    let mut results: Vec<Option<ItemOutcome>> = Vec::with_capacity(batch.items.len());
    let mut good: Vec<(usize, ValidItem)> = Vec::new();
    for (index, raw) in batch.items.iter().enumerate() {
        let parsed: Result<ItemInput, _> = serde_json::from_str(raw.get());
        let outcome = match parsed {
            Err(error) => Some(rejected(
                index,
                "invalid_item",
                format!("item {index} is not a valid item: {error}"),
                None,
            )),
            Ok(input) => match validate_item(input) {
                Ok(item) => {
                    good.push((index, item));
                    None
                }
                Err(error) => Some(rejected(
                    index,
                    error.code,
                    format!("item {index}: {}", error.message),
                    Some(error.field),
                )),
            },
        };
        results.push(outcome);
    }
    let (indexes, items): (Vec<usize>, Vec<ValidItem>) = good.into_iter().unzip();
    let truncated: Vec<bool> = items.iter().map(|item| item.truncated).collect();
    let stored = if items.is_empty() {
        Vec::new()
    } else {
        state
            .patrol
            .insert_items(provider.id, items, state.clock.now())
            .await
            .map_err(|error| {
                tracing::error!(%error, provider = %provider.name, "items not stored");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage_unavailable",
                    "the batch could not be stored and none of it was accepted; retry it (items are idempotent by id)",
                )
            })?
    };
    for ((index, accepted), truncated) in indexes.into_iter().zip(stored).zip(truncated) {
        if let Some(slot) = results.get_mut(index) {
            *slot = Some(ItemOutcome {
                index,
                status: if accepted.created {
                    "accepted"
                } else {
                    "duplicate"
                },
                item_id: Some(accepted.item_id),
                truncated,
                error: None,
            });
        }
    }
    let results: Vec<ItemOutcome> = results.into_iter().flatten().collect();
    let count = |status: &str| results.iter().filter(|r| r.status == status).count();
    let answer = BatchAnswer {
        accepted: count("accepted"),
        duplicates: count("duplicate"),
        rejected: count("rejected"),
        results,
    };
    for (outcome, n) in [
        ("accepted", answer.accepted),
        ("duplicate", answer.duplicates),
        ("rejected", answer.rejected),
    ] {
        metrics::counter!(ITEMS_RECEIVED, "outcome" => outcome).increment(n as u64);
    }
    Ok(Json(answer))
}
