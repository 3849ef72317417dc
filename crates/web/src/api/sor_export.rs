//! `GET /api/v1/decisions/export`: the statements of reasons of the
//! decisions taken since a day, in the EU DSA Transparency Database's
//! schema (`harrier_core::decisions::sor`), a page at a time. Each page's
//! `statements` can be sent as they are to the database's
//! multiple-statements endpoint (at most 100 per call there).

use crate::AppState;
use crate::audit;
use crate::auth::{Authenticated, Permission};
use crate::errors::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use harrier_core::decisions::sor::{in_dsa_scope, statement_of_reasons};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};

/// Decisions per page unless asked otherwise, and at most.
pub const DEFAULT_LIMIT: u32 = 1_000;
pub const MAX_LIMIT: u32 = 5_000;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// The first day, `YYYY-MM-DD` (UTC): decisions taken on it or later.
    pub since: String,
    /// Continue after this decision (the previous page's `next_after`).
    pub after: Option<i64>,
    /// Decisions read for this page: 1 to 5000, 1000 by default.
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportPage {
    /// Statements of reasons in the Transparency Database API's schema
    /// (`schemas/dsa-statement-of-reasons.schema.json`). Decisions whose
    /// territorial scope lies outside the EEA are left out, so a page can
    /// hold fewer than `limit`.
    #[schema(value_type = Vec<Object>)]
    pub statements: Vec<serde_json::Value>,
    /// Pass as `after` for the next page; null when this page was the last.
    pub next_after: Option<i64>,
}

fn bad(field: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", message).with_field(field)
}

fn since(value: &str) -> Result<OffsetDateTime, ApiError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(value.trim(), &format)
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| {
            bad(
                "since",
                format!("since {value:?} is not a date written YYYY-MM-DD"),
            )
        })
}

/// Statements of reasons since a day, oldest decision first.
#[utoipa::path(
    get, path = "/api/v1/decisions/export", tag = "decisions",
    params(ExportQuery), security(("staff_token" = [])),
    responses(
        (status = 200, body = ExportPage),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)
    )
)]
pub async fn export(
    State(state): State<AppState>,
    auth: Authenticated,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Json<ExportPage>, ApiError> {
    let staff = auth.require(Permission::ExportStatements, "export statements of reasons")?;
    let Query(q) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    let since_at = since(&q.since)?;
    let after = q.after.unwrap_or(0);
    if after < 0 {
        return Err(bad("after", format!("after {after} is negative")));
    }
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(bad(
            "limit",
            format!("limit {limit} is not between 1 and {MAX_LIMIT}"),
        ));
    }
    let page = state
        .decisions
        .decisions_since(since_at, after, limit)
        .await?;
    let next_after = (page.len() == limit as usize)
        .then(|| page.last().map(|d| d.id))
        .flatten();
    let statements: Vec<serde_json::Value> = page
        .iter()
        .filter(|d| in_dsa_scope(&d.statement))
        .map(statement_of_reasons)
        .collect();
    audit::record(
        &state,
        audit::by(staff),
        "decisions.statements_exported",
        "decisions",
        serde_json::json!({
            "since": q.since.trim(),
            "after": after,
            "limit": limit,
            "statements": statements.len(),
        }),
    )
    .await;
    Ok(Json(ExportPage {
        statements,
        next_after,
    }))
}
