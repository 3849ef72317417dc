//! `/staff/patrol`: the patrol's status for staff, refreshed every 30 s.

use super::{ConsoleStaff, csrf_for, with_cookie};
use crate::AppState;
use crate::auth::{Permission, allowed};
use crate::i18n::Chosen;
use crate::portal::{Page, render};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use harrier_core::patrol::PatrolStatus;

/// One row of the rules table.
struct RuleRow {
    rule: String,
    category: String,
    live: bool,
    signals: i64,
    also_live: i64,
    /// For a shadow rule: items no live rule flagged.
    would_add: i64,
}

#[derive(Template)]
#[template(path = "staff_patrol.html")]
struct PatrolPage {
    page: Page,
    nav: super::Nav,
    ruleset: String,
    status: PatrolStatus,
    lag: String,
    rules: Vec<RuleRow>,
}

fn lag_text(seconds: f64) -> String {
    if seconds < 60.0 {
        format!("{seconds:.1} s")
    } else if seconds < 3600.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

pub async fn page(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
) -> Response {
    if !allowed(Permission::ReadPatrol, signed_in.staff.role) {
        let t = chosen.lang.messages();
        return (StatusCode::FORBIDDEN, t.s("staff.forbidden")).into_response();
    }
    let status = match state.patrol.patrol_status(state.clock.now()).await {
        Ok(status) => status,
        Err(error) => {
            tracing::error!(%error, "patrol status unavailable");
            return (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable").into_response();
        }
    };
    let rules = status
        .rules
        .iter()
        .map(|r| RuleRow {
            rule: r.rule.clone(),
            category: r.category.clone(),
            live: r.live,
            signals: r.signals,
            also_live: r.also_live,
            would_add: r.signals - r.also_live,
        })
        .collect();
    let (csrf, cookie) = csrf_for(&state, &headers);
    let template = PatrolPage {
        page: Page::new(chosen),
        nav: super::Nav::new(&signed_in.staff, csrf, "patrol"),
        ruleset: state
            .rules
            .as_ref()
            .map(|r| r.version())
            .unwrap_or_default(),
        lag: lag_text(status.lag_seconds),
        status,
        rules,
    };
    with_cookie(render(StatusCode::OK, &template), cookie)
}
