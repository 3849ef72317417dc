//! `/api/v1/reports`, `/api/v1/subjects` and `/api/v1/categories`.

use super::dto::*;
use super::json::parse_json;
use crate::AppState;
use crate::auth::{Authenticated, Permission};
use crate::errors::{ApiError, ErrorBody};
use crate::intake::submit;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use harrier_core::intake::{Channel, ReportInput, ReportStatus, SubjectKind};
use harrier_core::ports::{IdempotencyKey, ReportFilter, StoredReceipt, SubjectFilter};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

const MAX_IDEMPOTENCY_KEY: usize = 200;

fn idempotency(headers: &HeaderMap, body: &[u8]) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_idempotency_key",
                format!(
                    "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters"
                ),
            )
        })?;
    Ok(Some(IdempotencyKey {
        key: key.to_owned(),
        request_hash: hex::encode(Sha256::digest(body)),
    }))
}

fn receipt_body(stored: StoredReceipt) -> ReceiptBody {
    ReceiptBody {
        status_url: format!("/r/{}", stored.receipt),
        receipt: stored.receipt.to_string(),
        status: stored.status.as_str().to_owned(),
        replayed: stored.replayed,
    }
}

fn input_of(request: &ReportRequest) -> Result<ReportInput, ApiError> {
    Ok(ReportInput {
        category: request.category.clone(),
        locations: request.locations()?,
        platform: request.platform.clone(),
        occurred_on: request.occurred_at.clone(),
        description: request.explanation.clone(),
        contact: request.contact(),
        good_faith: request.good_faith,
        files: Vec::new(),
    })
}

/// File a notice. The answer comes only after the report is on disk.
#[utoipa::path(
    post, path = "/api/v1/reports", tag = "intake",
    request_body = ReportRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "a retry with the same key and body returns the same receipt")),
    responses(
        (status = 201, description = "stored", body = ReceiptBody),
        (status = 200, description = "an idempotent retry: the earlier receipt", body = ReceiptBody),
        (status = 400, description = "malformed JSON or UTF-8", body = ErrorBody),
        (status = 413, description = "body too large", body = ErrorBody),
        (status = 422, description = "invalid report or reused idempotency key", body = ErrorBody),
        (status = 429, description = "rate limited", body = ErrorBody),
        (status = 503, description = "not stored; retry later", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ReceiptBody>), ApiError> {
    let body = super::json::body(body)?;
    let request: ReportRequest = parse_json(&body)?;
    let key = idempotency(&headers, &body)?;
    let stored = submit(&state, input_of(&request)?, Channel::Api, key, None).await?;
    let status = if stored.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(receipt_body(stored))))
}

/// Log a tip-off received by phone (staff: intake or admin).
#[utoipa::path(
    post, path = "/api/v1/reports/phone", tag = "intake",
    request_body = ReportRequest,
    security(("staff_token" = [])),
    responses(
        (status = 201, description = "stored", body = ReceiptBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create_phone(
    State(state): State<AppState>,
    auth: Authenticated,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ReceiptBody>), ApiError> {
    let staff = auth.require(Permission::LogPhoneReport, "log phone reports")?;
    let body = super::json::body(body)?;
    let request: ReportRequest = parse_json(&body)?;
    let key = idempotency(&headers, &body)?;
    let stored = submit(
        &state,
        input_of(&request)?,
        Channel::Phone,
        key,
        Some(staff.id),
    )
    .await?;
    if !stored.replayed {
        crate::audit::record(
            &state,
            crate::audit::by(staff),
            "report.logged_by_phone",
            format!("report:{}", stored.report_id),
            serde_json::json!({"category": request.category}),
        )
        .await;
    }
    let status = if stored.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(receipt_body(stored))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// received, in_review, actioned or closed.
    pub status: Option<String>,
    pub category: Option<String>,
    /// web, api, email or phone.
    pub channel: Option<String>,
    /// Only reports received at or after this RFC 3339 time or date.
    pub since: Option<String>,
    /// The cursor from `next_before`.
    pub before: Option<i64>,
    /// 1 to 200; 50 by default.
    pub limit: Option<u32>,
}

fn bad_query(field: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", message).with_field(field)
}

fn parse_since(since: &str) -> Result<time::OffsetDateTime, ApiError> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(since, &Rfc3339) {
        return Ok(t);
    }
    let day = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(since, &day)
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| {
            bad_query(
                "since",
                format!("since {since:?} is not an RFC 3339 time or a YYYY-MM-DD date"),
            )
        })
}

/// List reports, newest first.
#[utoipa::path(
    get, path = "/api/v1/reports", tag = "staff",
    params(ListQuery), security(("staff_token" = [])),
    responses((status = 200, body = ReportPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ReportPage>, ApiError> {
    let staff = auth.require(Permission::ReadReports, "read reports")?;
    let Query(q) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(bad_query(
            "limit",
            format!("limit {limit} is not between 1 and 200"),
        ));
    }
    let status = q
        .status
        .as_deref()
        .map(|s| {
            ReportStatus::parse(s).ok_or_else(|| {
                bad_query(
                    "status",
                    format!("status {s:?} is not one of received, in_review, actioned, closed"),
                )
            })
        })
        .transpose()?;
    let channel = q
        .channel
        .as_deref()
        .map(|s| {
            Channel::parse(s).ok_or_else(|| {
                bad_query(
                    "channel",
                    format!("channel {s:?} is not one of web, api, email, phone"),
                )
            })
        })
        .transpose()?;
    let filter = ReportFilter {
        status,
        category: q.category,
        channel,
        since: q.since.as_deref().map(parse_since).transpose()?,
        before_id: q.before,
        limit,
    };
    let records = state.store.list_reports(&filter).await?;
    let next_before = (records.len() == limit as usize)
        .then(|| records.last().map(|r| r.id))
        .flatten();
    let show = staff.role.sees_reporter_identity();
    Ok(Json(ReportPage {
        reports: records
            .into_iter()
            .map(|r| ReportBody::new(r, show))
            .collect(),
        next_before,
    }))
}

/// One report.
#[utoipa::path(
    get, path = "/api/v1/reports/{id}", tag = "staff",
    params(("id" = i64, Path)), security(("staff_token" = [])),
    responses((status = 200, body = ReportBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authenticated,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> Result<Json<ReportBody>, ApiError> {
    let staff = auth.require(Permission::ReadReports, "read reports")?;
    let Path(id) = id.map_err(|_| ApiError::not_found("that report"))?;
    let record = state
        .store
        .get_report(id)
        .await?
        .ok_or_else(|| ApiError::not_found("that report"))?;
    Ok(Json(ReportBody::new(
        record,
        staff.role.sees_reporter_identity(),
    )))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SubjectQuery {
    /// account, url, contact, room, ...
    pub kind: Option<String>,
    /// Only subjects with at least this many reports.
    pub min_reports: Option<i64>,
    pub limit: Option<u32>,
}

/// Subjects that reports folded into, most-reported first.
#[utoipa::path(
    get, path = "/api/v1/subjects", tag = "staff",
    params(SubjectQuery), security(("staff_token" = [])),
    responses((status = 200, body = SubjectPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub async fn subjects(
    State(state): State<AppState>,
    auth: Authenticated,
    query: Result<Query<SubjectQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SubjectPage>, ApiError> {
    auth.require(Permission::ReadReports, "read subjects")?;
    let Query(q) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    let kind = q
        .kind
        .as_deref()
        .map(|k| {
            serde_json::from_value::<SubjectKind>(serde_json::Value::String(k.to_owned()))
                .map_err(|_| bad_query("kind", format!("kind {k:?} is not a subject kind")))
        })
        .transpose()?;
    let filter = SubjectFilter {
        kind,
        min_reports: q.min_reports.unwrap_or(1),
        limit: q.limit.unwrap_or(50).clamp(1, 200),
    };
    let subjects = state.store.list_subjects(&filter).await?;
    Ok(Json(SubjectPage {
        subjects: subjects.into_iter().map(Into::into).collect(),
    }))
}

/// The categories a report can have, with their DSA mapping.
#[utoipa::path(get, path = "/api/v1/categories", tag = "intake", responses((status = 200, body = [CategoryBody])))]
pub async fn categories(State(state): State<AppState>) -> Json<Vec<CategoryBody>> {
    Json(
        state
            .taxonomy
            .categories()
            .iter()
            .map(|c| CategoryBody {
                id: c.id.clone(),
                name_en: c.name_en.clone(),
                name_zh: c.name_zh.clone(),
                dsa_category: c.dsa_category.clone(),
                dsa_keyword: c.dsa_keyword.clone(),
            })
            .collect(),
    )
}
