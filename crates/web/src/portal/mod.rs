//! The public portal: server-rendered pages in Chinese and English that work
//! without JavaScript.
//!
//! Three channels: learn (awareness articles), get help (the directory) and
//! report (the tip-off form), plus the receipt status page. Everything a
//! reporter typed is shown back only through askama's HTML escaping.

mod appeal;
mod help;
mod pages;
pub(crate) mod report;
mod status;

use crate::AppState;
use crate::i18n::{Chosen, Lang, Messages, choose};
use askama::Template;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

/// What every page template needs.
pub struct Page {
    pub lang: Lang,
    pub t: &'static Messages,
    rest_query: String,
}

impl Page {
    pub fn new(chosen: Chosen) -> Self {
        Self {
            lang: chosen.lang,
            t: chosen.lang.messages(),
            rest_query: chosen.rest_query,
        }
    }

    /// The query of a link to this page in another language.
    pub fn switch_to(&self, code: &str) -> String {
        if self.rest_query.is_empty() {
            format!("lang={code}")
        } else {
            format!("{}&lang={code}", self.rest_query)
        }
    }
}

/// Renders a template with a status; a template error becomes a plain 500.
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub page: Page,
    pub heading: String,
    pub code: &'static str,
    pub message: String,
}

async fn not_found(chosen: Chosen) -> Response {
    let page = Page::new(chosen);
    let t = page.t;
    render(
        StatusCode::NOT_FOUND,
        &ErrorPage {
            page,
            heading: t.s("error.not_found.title").to_owned(),
            code: "not_found",
            message: t.s("error.not_found.text").to_owned(),
        },
    )
}

const SITE_CSS: &str = include_str!("../../static/site.css");

async fn site_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SITE_CSS,
    )
        .into_response()
}

/// `?lang=` sets a cookie so that later pages keep the choice.
pub(crate) async fn remember_language(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let chosen = choose(&parts);
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if chosen.from_query {
        let cookie = format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
            chosen.lang.code()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    response
}

pub fn routes(state: &AppState) -> Router<AppState> {
    let limit = || axum::middleware::from_fn_with_state(state.clone(), crate::security::limit);
    Router::new()
        .route("/", get(pages::home))
        .route("/learn", get(pages::learn_index))
        .route("/learn/{slug}", get(pages::article))
        .route("/help", get(help::search))
        .route(
            "/report",
            get(report::form)
                .post(report::post)
                .route_layer(limit())
                .layer(axum::extract::DefaultBodyLimit::max(
                    report::FORM_BODY_LIMIT,
                )),
        )
        .route("/appeal", get(appeal::lookup))
        .route(
            "/appeal/{code}",
            get(appeal::show)
                .post(appeal::post)
                .route_layer(limit())
                .layer(axum::extract::DefaultBodyLimit::max(
                    report::FORM_BODY_LIMIT,
                )),
        )
        .route("/r", get(status::lookup))
        .route("/r/{code}", get(status::show))
        .route("/static/site.css", get(site_css))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(remember_language))
}
