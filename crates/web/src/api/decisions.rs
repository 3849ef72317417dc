//! Decisions, appeals and message templates in the JSON API.
//!
//! A decision is previewed (the statement checked, the notice rendered,
//! nothing stored) and then taken; both take the same body. Appeals are
//! filed by the public on the portal (`/appeal/{code}`); reviewers list
//! and decide them here.

use super::json::{body, parse_json};
use crate::AppState;
use crate::auth::{Authenticated, Permission};
use crate::decisions::{self, DecisionRequest, ReviewRequest};
use crate::errors::{ApiError, ErrorBody};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use harrier_core::decisions::{AppealQuery, MessageKind, MessageTemplate, check};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

/// Check a decision and render its notice without storing anything.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/decisions/preview", tag = "decisions",
    params(("id" = i64, Path)), request_body = DecisionRequest, security(("staff_token" = [])),
    responses((status = 200, description = "the statement as it would be stored and the notice text", body = Object),
              (status = 404, body = ErrorBody), (status = 422, description = "every wrong field in `errors`", body = ErrorBody))
)]
pub async fn preview(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    auth.require(Permission::TakeDecisions, "take decisions")?;
    let request: DecisionRequest = parse_json(&body(raw)?)?;
    let detail = decisions::case(&state, id).await?;
    let prepared = decisions::prepare(&state, &detail, &request, state.clock.now()).await?;
    Ok(Json(json!({
        "statement": prepared.new.statement,
        "notice": prepared.new.notice,
        "notice_language": prepared.new.notice_language,
        "orders": prepared.new.orders.len(),
    })))
}

/// Take a decision: stores it with its statement of reasons, its notices
/// and orders, and moves the case to `decided`.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/decisions", tag = "decisions",
    params(("id" = i64, Path)), request_body = DecisionRequest, security(("staff_token" = [])),
    responses((status = 201, description = "the decision with its notices and orders", body = Object),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "the case is appealed, reviewed or closed", body = ErrorBody),
              (status = 422, description = "every wrong field in `errors`", body = ErrorBody))
)]
pub async fn take(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let staff = auth.require(Permission::TakeDecisions, "take decisions")?;
    let request: DecisionRequest = parse_json(&body(raw)?)?;
    let detail = decisions::case(&state, id).await?;
    let now = state.clock.now();
    let prepared = decisions::prepare(&state, &detail, &request, now).await?;
    let stored = state.decisions.decide(prepared.new, staff, now).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"decision": stored, "appeal_url": prepared.appeal_url})),
    ))
}

/// The decisions on a case, each with its notices, orders and appeals.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/decisions", tag = "decisions",
    params(("id" = i64, Path)), security(("staff_token" = [])),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody))
)]
pub async fn of_case(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    auth.require(Permission::ReadCases, "read cases")?;
    decisions::case(&state, id).await?;
    let all = state.decisions.case_decisions(id).await?;
    Ok(Json(json!({ "decisions": all })))
}

/// One decision with its notices, orders and appeals.
#[utoipa::path(
    get, path = "/api/v1/decisions/{id}", tag = "decisions",
    params(("id" = i64, Path)), security(("staff_token" = [])),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    auth.require(Permission::ReadCases, "read cases")?;
    let found = state
        .decisions
        .decision(id)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("decision {id}")))?;
    Ok(Json(json!({ "decision": found })))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AppealListQuery {
    /// `open` (the reviewers' queue, oldest first) or `all` (newest first).
    pub state: Option<String>,
    pub limit: Option<u32>,
}

/// Appeals: the open ones oldest first, or all.
#[utoipa::path(
    get, path = "/api/v1/appeals", tag = "decisions",
    params(AppealListQuery), security(("staff_token" = [])),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody))
)]
pub async fn appeals(
    State(state): State<AppState>,
    auth: Authenticated,
    Query(q): Query<AppealListQuery>,
) -> Result<Json<Value>, ApiError> {
    auth.require(Permission::ReadCases, "read appeals")?;
    let open_only = match q.state.as_deref() {
        None | Some("open") => true,
        Some("all") => false,
        Some(other) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("state {other:?} is not one of: open, all"),
            )
            .with_field("state"));
        }
    };
    let list = state
        .decisions
        .appeals(&AppealQuery {
            open_only,
            limit: q.limit.unwrap_or(100).clamp(1, 1000),
        })
        .await?;
    Ok(Json(json!({ "appeals": list })))
}

/// One appeal.
#[utoipa::path(
    get, path = "/api/v1/appeals/{id}", tag = "decisions",
    params(("id" = i64, Path)), security(("staff_token" = [])),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody))
)]
pub async fn appeal(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    auth.require(Permission::ReadCases, "read appeals")?;
    let found = state
        .decisions
        .appeal(id)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("appeal {id}")))?;
    Ok(Json(json!({ "appeal": found })))
}

/// Decide an appeal. The reviewer must not be who took the decision; a
/// reversal sends reversal orders, a modification a new decision and
/// amending orders; the person is told the outcome with the reasons.
#[utoipa::path(
    post, path = "/api/v1/appeals/{id}/review", tag = "decisions",
    params(("id" = i64, Path)), request_body = ReviewRequest, security(("staff_token" = [])),
    responses((status = 200, body = Object), (status = 403, description = "not a reviewer, or the reviewer took the decision", body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, description = "already decided", body = ErrorBody),
              (status = 422, body = ErrorBody))
)]
pub async fn review(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let staff = auth.require(Permission::ReviewAppeals, "decide appeals")?;
    let request: ReviewRequest = parse_json(&body(raw)?)?;
    let found = state
        .decisions
        .appeal(id)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("appeal {id}")))?;
    let now = state.clock.now();
    let review = decisions::prepare_review(&state, &found, &request, now).await?;
    let decided = state
        .decisions
        .review_appeal(id, review, staff, now)
        .await?;
    Ok(Json(json!({ "appeal": decided })))
}

/// The message templates in use: staff-edited ones and the shipped ones
/// (`source` says which).
#[utoipa::path(
    get, path = "/api/v1/message-templates", tag = "decisions",
    security(("staff_token" = [])),
    responses((status = 200, body = Object))
)]
pub async fn templates(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Value>, ApiError> {
    auth.require(Permission::ReadCases, "read message templates")?;
    let stored = state.decisions.templates().await?;
    let mut all: Vec<Value> = stored
        .iter()
        .map(|t| json!({"template": t, "source": "edited"}))
        .collect();
    for t in decisions::SHIPPED.iter() {
        let overridden = stored
            .iter()
            .any(|s| s.kind == t.kind && s.category == t.category && s.language == t.language);
        if !overridden {
            all.push(json!({"template": t, "source": "shipped"}));
        }
    }
    Ok(Json(json!({ "templates": all })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateRequest {
    /// decision, appeal_upheld, appeal_reversed, appeal_modified.
    pub kind: String,
    /// A taxonomy id, or `*`.
    pub category: String,
    /// zh or en.
    pub language: String,
    pub body: String,
}

/// Checks a template request; the console uses it too.
pub fn template(state: &AppState, r: TemplateRequest) -> Result<MessageTemplate, ApiError> {
    let bad = |field: &'static str, message: String| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_template",
            message,
        )
        .with_field(field)
    };
    let kind = MessageKind::parse(&r.kind).ok_or_else(|| {
        bad(
            "kind",
            format!(
                "kind {:?} is not one of: decision, appeal_upheld, appeal_reversed, appeal_modified",
                r.kind
            ),
        )
    })?;
    if r.category != "*" && state.taxonomy.get(&r.category).is_none() {
        return Err(bad(
            "category",
            format!("category {:?} is not in the taxonomy (or *)", r.category),
        ));
    }
    if !matches!(r.language.as_str(), "zh" | "en") {
        return Err(bad(
            "language",
            format!("language {:?} is not one of: zh, en", r.language),
        ));
    }
    check(kind, &r.body).map_err(|e| bad("body", e))?;
    Ok(MessageTemplate {
        kind,
        category: r.category,
        language: r.language,
        body: r.body,
    })
}

/// Store a template (audited); placeholders are checked first.
#[utoipa::path(
    put, path = "/api/v1/message-templates", tag = "decisions",
    request_body = TemplateRequest, security(("staff_token" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn put_template(
    State(state): State<AppState>,
    auth: Authenticated,
    raw: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, ApiError> {
    let staff = auth.require(Permission::ManageTemplates, "edit message templates")?;
    let request: TemplateRequest = parse_json(&body(raw)?)?;
    let t = template(&state, request)?;
    state
        .decisions
        .put_template(t, staff, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
