//! Operations endpoints: `/healthz`, `/metrics`, `/api/openapi.json`, and the
//! request counter.

use super::dto::HealthBody;
use crate::AppState;
use crate::errors::ApiError;
use axum::Json;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Liveness and a quick look at the database.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = HealthBody), (status = 503, body = crate::errors::ErrorBody)))]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<HealthBody>, ApiError> {
    let totals = state.store.totals().await?;
    Ok(Json(HealthBody {
        status: "ok".into(),
        reports: totals.reports,
        subjects: totals.subjects,
        directory_services: totals.directory_services,
    }))
}

/// Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition format", content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    // The queue's figures are read from the store when scraped, so every
    // front end and worker process reports the same numbers.
    match state.patrol.patrol_status(state.clock.now()).await {
        Ok(status) => {
            metrics::gauge!(crate::metrics::PATROL_QUEUED).set(status.queued as f64);
            metrics::gauge!(crate::metrics::PATROL_LEASED).set(status.leased as f64);
            metrics::gauge!(crate::metrics::PATROL_LAG).set(status.lag_seconds);
            metrics::gauge!(crate::metrics::PATROL_ITEMS).set(status.items as f64);
            metrics::gauge!(crate::metrics::PATROL_OPEN_CASES).set(status.open_cases as f64);
        }
        Err(error) => tracing::warn!(%error, "patrol figures unavailable for /metrics"),
    }
    let body = crate::metrics::handle()
        .map(|h| h.render())
        .unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// The OpenAPI 3.1 document, generated from the code.
pub async fn openapi() -> Response {
    Json(super::openapi_document()).into_response()
}

/// Counts requests by route template (never the raw path: it may carry a
/// receipt code) and status.
pub async fn count_requests(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(request).await;
    metrics::counter!(
        crate::metrics::HTTP_REQUESTS,
        "route" => route,
        "status" => response.status().as_u16().to_string()
    )
    .increment(1);
    response
}
