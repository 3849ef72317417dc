//! The receipt status page: status and outcome only, never personal data.

use super::{Page, render};
use crate::AppState;
use crate::i18n::Chosen;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use harrier_core::decisions::restriction_words;
use harrier_core::intake::ReceiptCode;
use serde::Deserialize;

pub struct StatusView {
    pub key: &'static str,
    pub label: String,
    pub explanation: String,
    pub outcome: Option<String>,
    pub received_on: String,
    pub updated_on: String,
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    page: Page,
    code: String,
    status: Option<StatusView>,
    /// The decisions on the report's case: date, category, restrictions,
    /// the state's message key. No names, no reasons with personal data.
    decisions: Vec<(String, String, String, &'static str)>,
}

#[derive(Deserialize)]
pub struct Lookup {
    code: Option<String>,
}

/// `/r?code=…` from the lookup form goes to the code's own page.
pub async fn lookup(chosen: Chosen, Query(q): Query<Lookup>) -> Response {
    match q.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => match ReceiptCode::parse(code) {
            Some(code) => Redirect::to(&format!("/r/{code}")).into_response(),
            None => not_found(chosen, code),
        },
        None => render(
            StatusCode::OK,
            &StatusPage {
                page: Page::new(chosen),
                code: String::new(),
                status: None,
                decisions: Vec::new(),
            },
        ),
    }
}

fn not_found(chosen: Chosen, code: &str) -> Response {
    let code: String = code.chars().take(40).collect();
    render(
        StatusCode::NOT_FOUND,
        &StatusPage {
            page: Page::new(chosen),
            code,
            status: None,
            decisions: Vec::new(),
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    chosen: Chosen,
    Path(code): Path<String>,
) -> Response {
    let Some(receipt) = ReceiptCode::parse(&code) else {
        return not_found(chosen, &code);
    };
    let found = match state.store.report_status(&receipt).await {
        Ok(found) => found,
        Err(e) => return crate::errors::ApiError::from(e).into_response(),
    };
    let Some(status) = found else {
        return not_found(chosen, &code);
    };
    let page = Page::new(chosen);
    let key = status.status.as_str();
    let view = StatusView {
        key,
        label: page.t.s(&format!("status.{key}")).to_owned(),
        explanation: page.t.s(&format!("status.{key}.explain")).to_owned(),
        outcome: status.outcome,
        received_on: status.received_on.to_string(),
        updated_on: status.updated_on.to_string(),
    };
    let outcome = match state.decisions.report_outcome(receipt.as_str()).await {
        Ok(o) => o,
        Err(e) => return crate::errors::ApiError::from(e).into_response(),
    };
    let lang = page.lang.code();
    let decisions = outcome
        .map(|o| o.decisions)
        .unwrap_or_default()
        .into_iter()
        .map(|d| {
            let category = state
                .taxonomy
                .get(&d.category)
                .map(|c| c.name(lang).to_owned())
                .unwrap_or(d.category);
            let restrictions = d
                .restrictions
                .iter()
                .map(|r| restriction_words(r, lang))
                .collect::<Vec<_>>()
                .join("; ");
            let key = match d.state.as_str() {
                "reversed" => "appeal.state.reversed",
                "modified" => "appeal.state.modified",
                _ => "appeal.state.in_force",
            };
            (d.decided_at.date().to_string(), category, restrictions, key)
        })
        .collect();
    render(
        StatusCode::OK,
        &StatusPage {
            page,
            code: receipt.to_string(),
            status: Some(view),
            decisions,
        },
    )
}
