//! `/staff/search`: full-text search with filters, and saved views (a
//! queue or a search kept under a name, per staff member).

use super::{ConsoleStaff, csrf_for, csrf_ok, with_cookie};
use crate::AppState;
use crate::api::cases::{SearchParams, search_query};
use crate::api::dto::rfc3339;
use crate::auth::Permission;
use crate::i18n::Chosen;
use crate::portal::{Page, render};
use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use harrier_core::cases::{SavedView, SearchKind, viewable};
use serde::Deserialize;

pub struct HitRow {
    pub kind: &'static str,
    pub id: i64,
    pub category: String,
    pub at: String,
    pub parts: Vec<(String, bool)>,
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "staff_search.html")]
struct SearchPage {
    page: Page,
    nav: super::Nav,
    csrf: String,
    q: String,
    kind: String,
    category: String,
    categories: Vec<(String, String)>,
    kinds: Vec<&'static str>,
    hits: Option<Vec<HitRow>>,
    error: Option<String>,
    views: Vec<SavedView>,
    here: String,
}

#[derive(Deserialize, Default)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category: String,
}

pub async fn page(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    query: Result<Query<SearchForm>, QueryRejection>,
) -> Response {
    if let Some(denied) = signed_in.deny(Permission::ReadReports, &chosen) {
        return denied;
    }
    let form = query.map(|Query(f)| f).unwrap_or_default();
    let mut error = None;
    let mut hits = None;
    if !form.q.trim().is_empty() {
        let params = SearchParams {
            q: form.q.clone(),
            kind: Some(form.kind.clone()),
            category: Some(form.category.clone()),
            limit: Some(100),
        };
        let found = async {
            let query = search_query(&params)?;
            crate::search::catch_up(&state, crate::search::CATCH_UP_PER_SEARCH).await?;
            let words = query.phrases.concat();
            Ok::<_, crate::errors::ApiError>((state.cases.search(&query).await?, words))
        }
        .await;
        match found {
            Ok((found, words)) => {
                hits = Some(
                    found
                        .into_iter()
                        .map(|h| HitRow {
                            kind: h.kind.as_str(),
                            id: h.id,
                            category: h.category.unwrap_or_default(),
                            at: rfc3339(h.at),
                            parts: crate::search::passage(&h.text, &words),
                            href: h.case_id.map(|c| format!("/staff/cases/{c}")),
                        })
                        .collect(),
                )
            }
            Err(e) => error = Some(e.message),
        }
    }
    let views = views_of(&state, &signed_in.staff).await;
    let (csrf, cookie) = csrf_for(&state, &headers);
    let lang = chosen.lang.tag();
    let here = format!(
        "/staff/search?q={}&kind={}&category={}",
        encode(&form.q),
        encode(&form.kind),
        encode(&form.category)
    );
    let template = SearchPage {
        nav: super::Nav::new(&signed_in.staff, csrf.clone(), "search"),
        csrf,
        q: form.q,
        kind: form.kind,
        category: form.category,
        categories: state
            .taxonomy
            .categories()
            .iter()
            .map(|c| (c.id.clone(), c.name(lang).to_owned()))
            .collect(),
        kinds: SearchKind::ALL.iter().map(|k| k.as_str()).collect(),
        hits,
        error,
        views,
        here,
        page: Page::new(chosen),
    };
    with_cookie(render(StatusCode::OK, &template), cookie)
}

/// A staff member's saved views; none (logged) when they cannot be read,
/// so the page still shows.
pub async fn views_of(state: &AppState, staff: &harrier_core::accounts::Staff) -> Vec<SavedView> {
    state
        .cases
        .saved_views(staff.id)
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "saved views unavailable");
            Vec::new()
        })
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[derive(Deserialize)]
pub struct ViewForm {
    name: String,
    path: String,
    csrf: String,
}

/// Saves the page the form was on under a name.
pub async fn save(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    form: Result<Form<ViewForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return (StatusCode::BAD_REQUEST, "the form was incomplete").into_response();
    };
    if !csrf_ok(&state, &headers, &form.csrf) {
        return (
            StatusCode::FORBIDDEN,
            "the form was not sent from this console",
        )
            .into_response();
    }
    let name: String = form.name.trim().chars().take(60).collect();
    if name.is_empty() || !viewable(&form.path) {
        let t = chosen.lang.messages();
        return (StatusCode::UNPROCESSABLE_ENTITY, t.s("staff.views.invalid")).into_response();
    }
    match state
        .cases
        .save_view(signed_in.staff.id, &name, &form.path, state.clock.now())
        .await
    {
        Ok(view) => Redirect::to(&view.path).into_response(),
        Err(e) => crate::errors::ApiError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct DeleteForm {
    csrf: String,
}

pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    Path(id): Path<i64>,
    form: Result<Form<DeleteForm>, FormRejection>,
) -> Response {
    if !form.is_ok_and(|Form(f)| csrf_ok(&state, &headers, &f.csrf)) {
        return (
            StatusCode::FORBIDDEN,
            "the form was not sent from this console",
        )
            .into_response();
    }
    match state.cases.delete_view(signed_in.staff.id, id).await {
        Ok(()) => Redirect::to("/staff/search").into_response(),
        Err(e) => crate::errors::ApiError::from(e).into_response(),
    }
}
