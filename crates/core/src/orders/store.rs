//! The port the storage implements for orders: made from a case by staff,
//! listed, polled by their provider, answered, and summed up per provider.
//!
//! Making an order and recording an answer each append their audit entry
//! in the same transaction. Answer entries are written on the case
//! (`case:N`, with the order in the detail), so they show on the case page
//! with the case's other entries.

use super::compliance::ComplianceRow;
use super::request::OrderRequest;
use super::{Order, OrderState, ProviderAnswer};
use crate::accounts::Staff;
use crate::decisions::FieldError;
use crate::ports::StoreError;
use async_trait::async_trait;
use serde::Serialize;
use thiserror::Error;
use time::OffsetDateTime;

/// The most provider item ids an order's target carries.
pub const MAX_TARGET_ITEMS: usize = 100;

/// How an order's webhook delivery stands (the `order_deliveries` row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryInfo {
    /// `poll` (no webhook), `pending`, `delivered` or `dead`.
    pub state: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<OffsetDateTime>,
    pub delivered_at: Option<OffsetDateTime>,
}

/// When the provider answered, as received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AnswerTimes {
    /// The first answer of any kind.
    pub acknowledged_at: Option<OffsetDateTime>,
    pub actioned_at: Option<OffsetDateTime>,
    /// The latest answer.
    pub answered_at: Option<OffsetDateTime>,
}

/// One stored answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderAnswer {
    pub id: i64,
    pub answer: ProviderAnswer,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
}

impl OrderAnswer {
    pub fn state(&self) -> OrderState {
        self.answer.state()
    }
}

/// An order with its delivery and its answers, oldest answer first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderDetail {
    pub order: Order,
    pub times: AnswerTimes,
    pub delivery: Option<DeliveryInfo>,
    pub answers: Vec<OrderAnswer>,
}

impl OrderDetail {
    /// Open and past its deadline at `now`.
    pub fn overdue(&self, now: OffsetDateTime) -> bool {
        self.order.state.is_open() && self.order.deadline < now
    }
}

/// Which orders staff list (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderQuery {
    pub provider_id: Option<i64>,
    pub state: Option<OrderState>,
    pub case_id: Option<i64>,
    /// Only orders open and past their deadline at this time.
    pub overdue_at: Option<OffsetDateTime>,
    pub limit: u32,
    pub offset: u32,
}

/// What a provider polls for (oldest first, for paging).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollQuery {
    /// Only orders made at or after this time.
    pub since: Option<OffsetDateTime>,
    /// Only orders with a larger id (the last id of the previous page).
    pub after: i64,
    pub state: Option<OrderState>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OrderError {
    #[error("case {0} was not found")]
    CaseNotFound(i64),
    #[error("there is no provider {0:?}")]
    ProviderNotFound(String),
    #[error("the order is incomplete")]
    Invalid(Vec<FieldError>),
    #[error("order {0} was not found")]
    OrderNotFound(i64),
    #[error("order {id} is already {state} and takes no further answer")]
    OrderClosed { id: i64, state: &'static str },
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

impl OrderError {
    /// The stable code the API answers with.
    pub fn code(&self) -> &'static str {
        match self {
            Self::CaseNotFound(_) | Self::OrderNotFound(_) => "not_found",
            Self::ProviderNotFound(_) => "provider_not_found",
            Self::Invalid(_) => "invalid_order",
            Self::OrderClosed { .. } => "order_closed",
            Self::Unavailable(_) => "unavailable",
        }
    }
}

impl From<StoreError> for OrderError {
    fn from(e: StoreError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

#[async_trait]
pub trait OrderStore: Send + Sync + 'static {
    /// Makes an order from a case: the target is the case's subject and
    /// the chosen provider's items among the case's signals. Stored with
    /// its delivery row and an `order.created` audit entry on the case.
    async fn create_order(
        &self,
        case_id: i64,
        request: OrderRequest,
        by: &Staff,
        now: OffsetDateTime,
    ) -> Result<OrderDetail, OrderError>;
    async fn list_orders(&self, query: &OrderQuery) -> Result<Vec<OrderDetail>, StoreError>;
    async fn order(&self, id: i64) -> Result<Option<OrderDetail>, StoreError>;
    /// A case's orders, newest first, with answers and deliveries.
    async fn case_orders(&self, case_id: i64) -> Result<Vec<OrderDetail>, StoreError>;
    /// A provider's own orders.
    async fn provider_orders(
        &self,
        provider_id: i64,
        query: &PollQuery,
    ) -> Result<Vec<OrderDetail>, StoreError>;
    /// Records a provider's answer to one of its own orders (another
    /// provider's order is not found); refused when the order is closed.
    /// Appends `order.answered` by `Actor::Provider` on the case.
    async fn answer_order(
        &self,
        id: i64,
        provider_id: i64,
        answer: ProviderAnswer,
        now: OffsetDateTime,
    ) -> Result<OrderDetail, OrderError>;
    /// The rows compliance is computed from: orders made at or after
    /// `since`, and every open order whenever made.
    async fn compliance_rows(
        &self,
        since: OffsetDateTime,
    ) -> Result<Vec<ComplianceRow>, StoreError>;
}
