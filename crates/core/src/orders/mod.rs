//! Orders to service providers: what is asked of them, by when, on what
//! legal basis, and what they answered.
//!
//! An order is made with a decision (or on its own from a case, e.g. to
//! preserve data) and travels to its provider as a signed webhook
//! (`webhook.rs`: Standard Webhooks signatures, retries with backoff and
//! jitter, a dead-letter state) or waits to be polled. The provider answers
//! through the API; each answer is audited and shows on the case.
//! `store.rs` is the port the storage implements.

pub mod compliance;
pub mod delivery;
pub mod request;
pub mod store;
pub mod webhook;
pub use store::*;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What the provider is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderAction {
    /// Remove the content.
    Remove,
    /// Restrict it (disable, demote, label, age-restrict) as the statement
    /// of reasons says.
    Restrict,
    /// Suspend the account.
    SuspendAccount,
    /// Keep the data for `preserve_days` days.
    Preserve,
    /// Disclose subscriber data (the legal basis says under which power).
    Disclose,
    /// Undo an earlier order (a decision reversed on appeal): `reverses`
    /// names it.
    Reinstate,
    /// Replace the effect of an earlier order with this decision's (a
    /// decision modified on appeal): `reverses` names it.
    Amend,
}

impl OrderAction {
    pub const ALL: [Self; 7] = [
        Self::Remove,
        Self::Restrict,
        Self::SuspendAccount,
        Self::Preserve,
        Self::Disclose,
        Self::Reinstate,
        Self::Amend,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Remove => "remove",
            Self::Restrict => "restrict",
            Self::SuspendAccount => "suspend_account",
            Self::Preserve => "preserve",
            Self::Disclose => "disclose",
            Self::Reinstate => "reinstate",
            Self::Amend => "amend",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Where an order stands with its provider: the latest answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Sent (or waiting to be polled), not answered yet.
    Sent,
    Acknowledged,
    Actioned,
    Rejected,
    NeedsInformation,
}

impl OrderState {
    pub const ALL: [Self; 5] = [
        Self::Sent,
        Self::Acknowledged,
        Self::Actioned,
        Self::Rejected,
        Self::NeedsInformation,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Acknowledged => "acknowledged",
            Self::Actioned => "actioned",
            Self::Rejected => "rejected",
            Self::NeedsInformation => "needs_information",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
    /// Actioned and rejected end an order; the others still wait.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Actioned | Self::Rejected)
    }
}

/// What the order is about, as the provider knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderTarget {
    /// `account`, `url`, `room`, `item`, ...
    pub kind: String,
    pub platform: String,
    /// The account name, URL, room or item id.
    pub key: String,
    /// The provider's ids of the items concerned, when known.
    #[serde(default)]
    pub item_ids: Vec<String>,
}

/// What the affected person is told, carried in the order for the provider
/// to pass on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub language: String,
    pub text: String,
    pub appeal_url: String,
    pub appeal_code: String,
}

/// An order to store and send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub case_id: i64,
    pub decision_id: Option<i64>,
    pub provider_id: i64,
    pub action: OrderAction,
    /// For `preserve`.
    pub preserve_days: Option<u32>,
    pub legal_basis: String,
    pub deadline: OffsetDateTime,
    pub target: OrderTarget,
    /// A short quote of the evidence (at most [`MAX_EXCERPT_CHARS`]).
    pub evidence_excerpt: String,
    pub notice: Option<Notice>,
    /// The order this one undoes or replaces.
    pub reverses: Option<i64>,
}

/// The longest evidence excerpt an order carries.
pub const MAX_EXCERPT_CHARS: usize = 1_000;
/// The longest legal basis.
pub const MAX_LEGAL_BASIS_CHARS: usize = 1_000;
/// The longest days an order may ask data to be preserved.
pub const MAX_PRESERVE_DAYS: u32 = 365;

/// An answer from the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ProviderAnswer {
    Acknowledged,
    /// What was done and when.
    Actioned {
        what: String,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    Rejected {
        why: String,
    },
    NeedsInformation {
        what: String,
    },
}

impl ProviderAnswer {
    pub fn state(&self) -> OrderState {
        match self {
            Self::Acknowledged => OrderState::Acknowledged,
            Self::Actioned { .. } => OrderState::Actioned,
            Self::Rejected { .. } => OrderState::Rejected,
            Self::NeedsInformation { .. } => OrderState::NeedsInformation,
        }
    }
}

/// A stored order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    pub id: i64,
    /// The reference providers quote: `HO-<year>-<id>`.
    pub reference: String,
    pub case_id: i64,
    pub decision_id: Option<i64>,
    pub provider_id: i64,
    pub provider: String,
    pub action: OrderAction,
    pub preserve_days: Option<u32>,
    pub legal_basis: String,
    pub target: OrderTarget,
    pub evidence_excerpt: String,
    pub notice: Option<Notice>,
    #[serde(with = "time::serde::rfc3339")]
    pub deadline: OffsetDateTime,
    pub reverses: Option<i64>,
    pub state: OrderState,
    /// `staff:NAME` or `system:...`.
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The reference of order `id` made in `year`.
pub fn reference(year: i32, id: i64) -> String {
    format!("HO-{year}-{id:06}")
}

/// The JSON a provider receives (by webhook or poll): the order and, for
/// the affected person, the notice. Fixed when the order is made, so every
/// retry carries the same bytes.
pub fn payload(order: &Order) -> serde_json::Value {
    serde_json::json!({
        "type": "order.created",
        "order": {
            "id": order.id,
            "reference": order.reference,
            "case": order.case_id,
            "decision": order.decision_id,
            "action": order.action,
            "preserve_days": order.preserve_days,
            "legal_basis": order.legal_basis,
            "target": order.target,
            "evidence_excerpt": order.evidence_excerpt,
            "deadline": order.deadline.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            "reverses": order.reverses,
            "notice": order.notice,
            "respond_to": format!("/api/v1/orders/{}/response", order.id),
        }
    })
}
