//! Orders to providers in the JSON API.
//!
//! `GET /api/v1/orders` and `GET /api/v1/orders/{id}` answer two callers:
//! a provider's key with the `orders` scope sees its own orders only
//! (each with the payload its webhook carries), a staff token with
//! `ReadOrders` sees every order with its delivery. Providers answer
//! through `POST /api/v1/orders/{id}/response`; staff make orders from a
//! case and read each provider's compliance.

use super::dto::rfc3339;
use super::json::{body, body_within, parse_json};
use crate::AppState;
use crate::auth::{Authenticated, Permission, ProviderAuth};
use crate::errors::{ApiError, ErrorBody};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use harrier_core::accounts::Staff;
use harrier_core::orders::compliance::{Compliance, Spread, compliance};
use harrier_core::orders::request::{
    AnswerDraft, OrderDraft, validate_answer_draft, validate_order,
};
use harrier_core::orders::{
    OrderAnswer, OrderDetail, OrderError, OrderQuery, OrderState, PollQuery, ProviderAnswer,
    payload,
};
use harrier_core::patrol::{Provider, Scope};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};

/// The largest answer body a provider may send.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024;

impl From<OrderError> for ApiError {
    fn from(e: OrderError) -> Self {
        let status = match &e {
            OrderError::Invalid(details) => return Self::fields(e.code(), details.clone()),
            OrderError::CaseNotFound(_) | OrderError::OrderNotFound(_) => StatusCode::NOT_FOUND,
            OrderError::ProviderNotFound(_) => {
                return Self::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string())
                    .with_field("provider");
            }
            OrderError::OrderClosed { .. } => StatusCode::CONFLICT,
            OrderError::Unavailable(detail) => {
                tracing::error!(error = %detail, "storage failed");
                return Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage_unavailable",
                    "the change could not be stored and was not made; please try again in a minute",
                );
            }
        };
        Self::new(status, e.code(), e.to_string())
    }
}

/// Who calls an orders route: a provider (key `hk_...`) or staff.
pub enum Caller {
    Provider(ProviderAuth),
    Staff(Authenticated),
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let provider_key = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|t| t.trim().starts_with("hk_"));
        if provider_key {
            Ok(Self::Provider(
                ProviderAuth::from_request_parts(parts, state).await?,
            ))
        } else {
            Ok(Self::Staff(
                Authenticated::from_request_parts(parts, state).await?,
            ))
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryBody {
    /// poll (no webhook), pending, delivered or dead.
    pub state: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerBody {
    pub id: i64,
    /// acknowledged, actioned, rejected or needs_information.
    pub status: String,
    /// What was done (actioned) or what is missing (needs_information).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// When it was done, as the provider says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    pub received_at: String,
}

impl From<&OrderAnswer> for AnswerBody {
    fn from(a: &OrderAnswer) -> Self {
        let (what, why, at) = match &a.answer {
            ProviderAnswer::Acknowledged => (None, None, None),
            ProviderAnswer::Actioned { what, at } => (Some(what.clone()), None, Some(rfc3339(*at))),
            ProviderAnswer::Rejected { why } => (None, Some(why.clone()), None),
            ProviderAnswer::NeedsInformation { what } => (Some(what.clone()), None, None),
        };
        Self {
            id: a.id,
            status: a.state().as_str().to_owned(),
            what,
            why,
            at,
            received_at: rfc3339(a.received_at),
        }
    }
}

/// An order as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderBody {
    pub id: i64,
    /// `HO-<year>-<id>`, which providers quote.
    pub reference: String,
    pub case_id: i64,
    pub decision_id: Option<i64>,
    pub provider_id: i64,
    pub provider: String,
    /// remove, restrict, suspend_account, preserve, disclose, reinstate or amend.
    pub action: String,
    pub preserve_days: Option<u32>,
    pub legal_basis: String,
    /// kind, platform, key and the provider's item ids.
    #[schema(value_type = Object)]
    pub target: serde_json::Value,
    pub evidence_excerpt: String,
    pub deadline: String,
    pub reverses: Option<i64>,
    /// sent, acknowledged, actioned, rejected or needs_information.
    pub state: String,
    /// Open and past its deadline.
    pub overdue: bool,
    pub created_by: String,
    pub created_at: String,
    pub acknowledged_at: Option<String>,
    pub actioned_at: Option<String>,
    pub answered_at: Option<String>,
    pub delivery: Option<DeliveryBody>,
    /// Oldest first.
    pub answers: Vec<AnswerBody>,
}

impl OrderBody {
    pub fn new(d: &OrderDetail, now: OffsetDateTime) -> Self {
        let o = &d.order;
        Self {
            id: o.id,
            reference: o.reference.clone(),
            case_id: o.case_id,
            decision_id: o.decision_id,
            provider_id: o.provider_id,
            provider: o.provider.clone(),
            action: o.action.as_str().to_owned(),
            preserve_days: o.preserve_days,
            legal_basis: o.legal_basis.clone(),
            target: serde_json::to_value(&o.target).unwrap_or_default(),
            evidence_excerpt: o.evidence_excerpt.clone(),
            deadline: rfc3339(o.deadline),
            reverses: o.reverses,
            state: o.state.as_str().to_owned(),
            overdue: d.overdue(now),
            created_by: o.created_by.clone(),
            created_at: rfc3339(o.created_at),
            acknowledged_at: d.times.acknowledged_at.map(rfc3339),
            actioned_at: d.times.actioned_at.map(rfc3339),
            answered_at: d.times.answered_at.map(rfc3339),
            delivery: d.delivery.as_ref().map(|x| DeliveryBody {
                state: x.state.clone(),
                attempts: x.attempts,
                last_status: x.last_status,
                last_error: x.last_error.clone(),
                last_attempt_at: x.last_attempt_at.map(rfc3339),
                delivered_at: x.delivered_at.map(rfc3339),
            }),
            answers: d.answers.iter().map(Into::into).collect(),
        }
    }
}

/// An order as its provider sees it: the webhook's payload, where it
/// stands and the answers given.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderOrderBody {
    pub id: i64,
    pub reference: String,
    pub state: String,
    pub deadline: String,
    pub created_at: String,
    /// The same JSON the webhook carries (`type`, `order`).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub answers: Vec<AnswerBody>,
}

impl From<&OrderDetail> for ProviderOrderBody {
    fn from(d: &OrderDetail) -> Self {
        Self {
            id: d.order.id,
            reference: d.order.reference.clone(),
            state: d.order.state.as_str().to_owned(),
            deadline: rfc3339(d.order.deadline),
            created_at: rfc3339(d.order.created_at),
            payload: payload(&d.order),
            answers: d.answers.iter().map(Into::into).collect(),
        }
    }
}

/// Orders: for a provider, its own (oldest first, paged by `after`); for
/// staff, every order (newest first).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderPage {
    /// Staff: [`OrderBody`]; a provider: [`ProviderOrderBody`].
    #[schema(value_type = Vec<Object>)]
    pub orders: Vec<serde_json::Value>,
    /// For a provider: the `after` of the next page, when this one was full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_after: Option<i64>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OrderListQuery {
    /// sent, acknowledged, actioned, rejected or needs_information.
    pub state: Option<String>,
    /// Providers: only orders made at or after this time (RFC 3339).
    pub since: Option<String>,
    /// Providers: only orders with a larger id (the last of the previous
    /// page).
    pub after: Option<i64>,
    /// Staff: a provider's name or id.
    pub provider: Option<String>,
    /// Staff: one case's orders.
    pub case: Option<i64>,
    /// Staff: only open orders past their deadline.
    pub overdue: Option<bool>,
    /// 1 to 200; 50 by default.
    pub limit: Option<u32>,
    /// Staff: rows to skip.
    pub offset: Option<u32>,
}

fn bad_query(field: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", message).with_field(field)
}

fn parse_state(s: Option<&str>) -> Result<Option<OrderState>, ApiError> {
    match s.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => OrderState::parse(s).map(Some).ok_or_else(|| {
            bad_query(
                "state",
                format!(
                    "state {s:?} is not sent, acknowledged, actioned, rejected or needs_information"
                ),
            )
        }),
    }
}

fn limit(q: &OrderListQuery) -> Result<u32, ApiError> {
    let limit = q.limit.unwrap_or(50);
    if (1..=200).contains(&limit) {
        Ok(limit)
    } else {
        Err(bad_query(
            "limit",
            format!("limit {limit} is not between 1 and 200"),
        ))
    }
}

/// A provider named by name or id, for a filter.
async fn provider_id(state: &AppState, which: &str) -> Result<i64, ApiError> {
    let found = match which.parse::<i64>() {
        Ok(id) => state
            .patrol
            .list_providers()
            .await?
            .into_iter()
            .map(|(p, _)| p)
            .find(|p| p.id == id),
        Err(_) => state.patrol.provider(which).await?,
    };
    found
        .map(|p| p.id)
        .ok_or_else(|| bad_query("provider", format!("there is no provider {which:?}")))
}

/// Turns a staff list query into an [`OrderQuery`]; shared with the console.
pub async fn staff_query(state: &AppState, q: &OrderListQuery) -> Result<OrderQuery, ApiError> {
    for (given, field) in [(q.since.is_some(), "since"), (q.after.is_some(), "after")] {
        if given {
            return Err(bad_query(
                field,
                format!(
                    "{field} is for providers polling their orders; staff filter by provider, state, case and overdue"
                ),
            ));
        }
    }
    let provider = match q
        .provider
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => Some(provider_id(state, p).await?),
        None => None,
    };
    Ok(OrderQuery {
        provider_id: provider,
        state: parse_state(q.state.as_deref())?,
        case_id: q.case,
        overdue_at: q.overdue.unwrap_or(false).then(|| state.clock.now()),
        limit: limit(q)?,
        offset: q.offset.unwrap_or(0).min(10_000),
    })
}

fn poll_query(q: &OrderListQuery) -> Result<PollQuery, ApiError> {
    for (given, field) in [
        (q.provider.is_some(), "provider"),
        (q.case.is_some(), "case"),
        (q.overdue.is_some(), "overdue"),
        (q.offset.is_some(), "offset"),
    ] {
        if given {
            return Err(bad_query(
                field,
                format!(
                    "{field} is a staff filter; a provider pages with since, after, state and limit"
                ),
            ));
        }
    }
    let since = match q.since.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(OffsetDateTime::parse(s, &Rfc3339).map_err(|_| {
            bad_query(
                "since",
                format!("since {s:?} is not an RFC 3339 time such as 2026-12-01T00:00:00Z"),
            )
        })?),
        None => None,
    };
    Ok(PollQuery {
        since,
        after: q.after.unwrap_or(0),
        state: parse_state(q.state.as_deref())?,
        limit: limit(q)?,
    })
}

fn orders_provider(auth: &ProviderAuth) -> Result<&Provider, ApiError> {
    auth.require(Scope::Orders)
}

fn to_value<T: Serialize>(value: T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// List orders. A provider key (orders scope) polls its own, oldest first,
/// each with its webhook payload; a staff token lists every order.
#[utoipa::path(
    get, path = "/api/v1/orders", tag = "orders",
    params(OrderListQuery), security(("provider_key" = []), ("staff_token" = [])),
    responses((status = 200, body = OrderPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, description = "the key lacks the orders scope", body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<OrderListQuery>, QueryRejection>,
) -> Result<Json<OrderPage>, ApiError> {
    let Query(q) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    match caller {
        Caller::Provider(auth) => {
            let provider = orders_provider(&auth)?;
            let poll = poll_query(&q)?;
            let orders = state.orders.provider_orders(provider.id, &poll).await?;
            let next_after = (orders.len() == poll.limit as usize)
                .then(|| orders.last().map(|d| d.order.id))
                .flatten();
            Ok(Json(OrderPage {
                orders: orders
                    .iter()
                    .map(|d| to_value(ProviderOrderBody::from(d)))
                    .collect(),
                next_after,
            }))
        }
        Caller::Staff(auth) => {
            auth.require(Permission::ReadOrders, "read orders")?;
            let query = staff_query(&state, &q).await?;
            let now = state.clock.now();
            let orders = state.orders.list_orders(&query).await?;
            Ok(Json(OrderPage {
                orders: orders
                    .iter()
                    .map(|d| to_value(OrderBody::new(d, now)))
                    .collect(),
                next_after: None,
            }))
        }
    }
}

/// One order: for its provider the payload and answers, for staff also the
/// delivery. Another provider's order is not found.
#[utoipa::path(
    get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = i64, Path)), security(("provider_key" = []), ("staff_token" = [])),
    responses((status = 200, description = "OrderBody (staff) or ProviderOrderBody (provider)", body = Object),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let not_found = || ApiError::not_found(&format!("order {id}"));
    match caller {
        Caller::Provider(auth) => {
            let provider = orders_provider(&auth)?;
            let detail = state
                .orders
                .order(id)
                .await?
                .filter(|d| d.order.provider_id == provider.id)
                .ok_or_else(not_found)?;
            Ok(Json(to_value(ProviderOrderBody::from(&detail))))
        }
        Caller::Staff(auth) => {
            auth.require(Permission::ReadOrders, "read orders")?;
            let detail = state.orders.order(id).await?.ok_or_else(not_found)?;
            Ok(Json(to_value(OrderBody::new(&detail, state.clock.now()))))
        }
    }
}

/// An answer: `{"status": "acknowledged"}`, `{"status": "actioned",
/// "what": "...", "at": "RFC 3339"}`, `{"status": "rejected", "why":
/// "..."}` or `{"status": "needs_information", "what": "..."}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerRequest {
    pub status: String,
    pub what: Option<String>,
    pub why: Option<String>,
    pub at: Option<String>,
}

/// Answer one of the provider's own orders. Each answer is audited and
/// shows on the case; an actioned or rejected order takes no more.
#[utoipa::path(
    post, path = "/api/v1/orders/{id}/response", tag = "orders",
    params(("id" = i64, Path)), request_body = AnswerRequest, security(("provider_key" = [])),
    responses((status = 200, description = "the order with its answers", body = ProviderOrderBody),
              (status = 400, description = "not JSON", body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, description = "the key lacks the orders scope", body = ErrorBody),
              (status = 404, description = "no such order of this provider", body = ErrorBody),
              (status = 409, description = "the order is already actioned or rejected (order_closed)", body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 422, description = "every wrong field in `errors`", body = ErrorBody))
)]
pub async fn respond(
    State(state): State<AppState>,
    auth: ProviderAuth,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<ProviderOrderBody>, ApiError> {
    let provider = orders_provider(&auth)?.clone();
    let draft: AnswerDraft = parse_json(&body_within(raw, MAX_ANSWER_BYTES)?)?;
    let now = state.clock.now();
    let answer = validate_answer_draft(&draft, now)
        .map_err(|details| ApiError::fields("invalid_answer", details))?;
    let detail = state
        .orders
        .answer_order(id, provider.id, answer, now)
        .await?;
    Ok(Json(ProviderOrderBody::from(&detail)))
}

/// A new order from a case. The target is the case's subject and the
/// provider's items among the case's signals.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrderRequestBody {
    /// The provider's name or id.
    pub provider: String,
    /// remove, restrict, suspend_account, preserve or disclose.
    pub action: String,
    /// For preserve: 1 to 365.
    pub preserve_days: Option<u32>,
    /// The law and article; for disclose it must name the power (an article
    /// or section number).
    pub legal_basis: String,
    /// RFC 3339, in the future, at most a year away.
    pub deadline: String,
    /// A short quote of the evidence (at most 1,000 characters).
    pub evidence_excerpt: String,
}

/// Makes an order from a draft for `case_id`; shared with the console.
pub async fn create_from_draft(
    state: &AppState,
    case_id: i64,
    draft: &OrderDraft,
    staff: &Staff,
) -> Result<OrderDetail, ApiError> {
    let now = state.clock.now();
    let request =
        validate_order(draft, now).map_err(|details| ApiError::fields("invalid_order", details))?;
    Ok(state
        .orders
        .create_order(case_id, request, staff, now)
        .await?)
}

/// Send an order to a provider from a case.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/orders", tag = "orders",
    params(("id" = i64, Path)), request_body = OrderRequestBody, security(("staff_token" = [])),
    responses((status = 201, body = OrderBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = "every wrong field in `errors`; provider_not_found", body = ErrorBody))
)]
pub async fn create(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<OrderBody>), ApiError> {
    let staff = auth.require(Permission::SendOrders, "send orders")?;
    let draft: OrderDraft = parse_json(&body(raw)?)?;
    let detail = create_from_draft(&state, id, &draft, staff).await?;
    Ok((
        StatusCode::CREATED,
        Json(OrderBody::new(&detail, state.clock.now())),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SpreadBody {
    pub median_secs: i64,
    /// Nearest rank.
    pub p90_secs: i64,
    pub count: usize,
}

impl From<Spread> for SpreadBody {
    fn from(s: Spread) -> Self {
        Self {
            median_secs: s.median_secs,
            p90_secs: s.p90_secs,
            count: s.count,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderComplianceBody {
    pub provider_id: i64,
    pub provider: String,
    /// Orders made in the period.
    pub orders: usize,
    pub acknowledged: usize,
    pub actioned: usize,
    pub rejected: usize,
    /// From the order's creation to the first answer.
    pub to_acknowledge: Option<SpreadBody>,
    /// From the order's creation to the `actioned` answer.
    pub to_act: Option<SpreadBody>,
    /// Orders of the period answered actioned or rejected, or past the
    /// deadline.
    pub due: usize,
    /// Of those, actioned by the deadline.
    pub on_time: usize,
    pub on_time_share: Option<f64>,
    /// Open and past the deadline now (whenever made).
    pub overdue: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EscalationBody {
    pub order_id: i64,
    pub reference: String,
    pub provider: String,
    pub case_id: i64,
    pub action: String,
    pub state: String,
    pub deadline: String,
    /// Seconds past the deadline.
    pub late_secs: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceBody {
    pub since: String,
    pub until: String,
    pub providers: Vec<ProviderComplianceBody>,
    /// Overdue orders, most overdue first.
    pub escalations: Vec<EscalationBody>,
}

impl From<Compliance> for ComplianceBody {
    fn from(c: Compliance) -> Self {
        Self {
            since: rfc3339(c.since),
            until: rfc3339(c.until),
            providers: c
                .providers
                .into_iter()
                .map(|p| ProviderComplianceBody {
                    provider_id: p.provider_id,
                    provider: p.provider,
                    orders: p.orders,
                    acknowledged: p.acknowledged,
                    actioned: p.actioned,
                    rejected: p.rejected,
                    to_acknowledge: p.to_acknowledge.map(Into::into),
                    to_act: p.to_act.map(Into::into),
                    due: p.due,
                    on_time: p.on_time,
                    on_time_share: p.on_time_share,
                    overdue: p.overdue,
                })
                .collect(),
            escalations: c
                .escalations
                .into_iter()
                .map(|e| EscalationBody {
                    order_id: e.order_id,
                    reference: e.reference,
                    provider: e.provider,
                    case_id: e.case_id,
                    action: e.action.as_str().to_owned(),
                    state: e.state.as_str().to_owned(),
                    deadline: rfc3339(e.deadline),
                    late_secs: e.late_secs,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ComplianceQuery {
    /// The period: orders made in the last `days` days (1 to 366; 30 by
    /// default).
    pub days: Option<u32>,
}

/// Compliance over the last `days` (shared with the console).
pub async fn compliance_report(
    state: &AppState,
    days: Option<u32>,
) -> Result<Compliance, ApiError> {
    let days = days.unwrap_or(30);
    if !(1..=366).contains(&days) {
        return Err(bad_query(
            "days",
            format!("days {days} is not between 1 and 366"),
        ));
    }
    let until = state.clock.now();
    let since = until - time::Duration::days(i64::from(days));
    let rows = state.orders.compliance_rows(since).await?;
    Ok(compliance(&rows, since, until))
}

/// Each provider's compliance over a period and the escalation list.
#[utoipa::path(
    get, path = "/api/v1/providers/compliance", tag = "orders",
    params(ComplianceQuery), security(("staff_token" = [])),
    responses((status = 200, body = ComplianceBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub async fn provider_compliance(
    State(state): State<AppState>,
    auth: Authenticated,
    query: Result<Query<ComplianceQuery>, QueryRejection>,
) -> Result<Json<ComplianceBody>, ApiError> {
    auth.require(Permission::ReadOrders, "read orders")?;
    let Query(q) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    Ok(Json(compliance_report(&state, q.days).await?.into()))
}
