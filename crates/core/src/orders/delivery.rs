//! The `DeliveryStore` port: providers' webhooks and the outbox of order
//! deliveries (`order_deliveries`).
//!
//! A delivery is made with its order (state `pending` when the provider has
//! a webhook, `poll` otherwise) and keeps one delivery id and one body for
//! good. Senders claim due deliveries with a lease, so two processes never
//! send the same one at once and one leased by a process that died is sent
//! again once the lease has run out; the receiver deduplicates by delivery
//! id. Each attempt is recorded: delivered, failed with the next attempt's
//! time, or failed for good (`dead`). A dead delivery is redelivered by
//! hand with the same id and body. Secrets are stored sealed
//! (`crate::seal::WEBHOOK`, bound to the provider id); the store never sees
//! them in clear.

use crate::audit::Actor;
use crate::ports::StoreError;
use async_trait::async_trait;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// The provider has no webhook: it polls `GET /api/v1/orders`.
    Poll,
    /// To send (again) at `next_attempt_at`.
    Pending,
    Delivered,
    /// Given up after the retry window: a dead letter.
    Dead,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Poll => "poll",
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Poll, Self::Pending, Self::Delivered, Self::Dead]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// A provider's webhook as stored: secrets sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderWebhook {
    pub provider_id: i64,
    pub url: String,
    pub sealed_secret: String,
    /// During a rotation, until `previous_until`.
    pub sealed_previous: Option<String>,
    pub previous_until: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
}

/// A delivery claimed for sending, with what is needed to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub order_id: i64,
    /// The `webhook-id` header.
    pub delivery_id: String,
    /// The exact bytes to send.
    pub body: String,
    /// Failed attempts so far.
    pub attempts: u32,
    pub first_attempt_at: Option<OffsetDateTime>,
    pub webhook: ProviderWebhook,
}

/// The outcome of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// A 2xx answer.
    Delivered { status: u16 },
    /// Anything else: the HTTP status if there was one, what went wrong,
    /// and when to try again (`None`: give up, dead letter).
    Failed {
        status: Option<u16>,
        error: String,
        retry_at: Option<OffsetDateTime>,
    },
}

/// The longest error text kept per attempt.
pub const MAX_ERROR_CHARS: usize = 500;

/// How a delivery stands, for the order page and the dead-letter list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryStatus {
    pub order_id: i64,
    pub order_reference: String,
    pub provider_id: i64,
    pub provider: String,
    pub delivery_id: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_attempt_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_attempt_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_attempt_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
}

/// Why a redelivery was refused.
#[derive(Debug, thiserror::Error)]
pub enum RedeliverError {
    #[error("order {0} has no delivery")]
    NotFound(i64),
    #[error("the delivery of order {0} is {1}, not dead")]
    NotDead(i64, &'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait DeliveryStore: Send + Sync + 'static {
    /// Sets (or replaces) a provider's webhook address and secret; any
    /// previous secret is dropped. Deliveries already in `poll` stay
    /// there: they are not sent automatically (the provider has seen them,
    /// or can, by polling). Audited (`provider.webhook_set`).
    async fn set_webhook(
        &self,
        provider_id: i64,
        url: &str,
        sealed_secret: &str,
        by: Actor,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Makes `sealed_secret` the current secret; the old one keeps signing
    /// until `previous_until`. `false` when the provider has no webhook.
    /// Audited (`provider.webhook_secret_rotated`).
    async fn rotate_webhook_secret(
        &self,
        provider_id: i64,
        sealed_secret: &str,
        previous_until: OffsetDateTime,
        by: Actor,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;
    async fn webhook(&self, provider_id: i64) -> Result<Option<ProviderWebhook>, StoreError>;
    /// Leases up to `limit` pending deliveries due at `now` (and not leased
    /// by someone else) until `now + lease`.
    async fn claim_deliveries(
        &self,
        limit: u32,
        lease: Duration,
        now: OffsetDateTime,
    ) -> Result<Vec<DueDelivery>, StoreError>;
    /// Records an attempt made at `attempted_at` on a pending delivery
    /// (one already delivered or dead is left alone: `false`). Delivered
    /// and dead are audited (`order.delivered`, `order.delivery_dead`).
    async fn record_attempt(
        &self,
        order_id: i64,
        attempt: Attempt,
        attempted_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;
    async fn delivery(&self, order_id: i64) -> Result<Option<DeliveryStatus>, StoreError>;
    /// Dead deliveries, newest last attempt first.
    async fn dead_letters(&self, limit: u32) -> Result<Vec<DeliveryStatus>, StoreError>;
    /// Puts a dead delivery back to pending, due now, with the same id and
    /// body and a new retry window. Audited (`order.redelivered`).
    async fn redeliver(
        &self,
        order_id: i64,
        by: Actor,
        now: OffsetDateTime,
    ) -> Result<DeliveryStatus, RedeliverError>;
}
