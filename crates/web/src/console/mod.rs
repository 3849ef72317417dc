//! The staff console: server-rendered pages behind a sign-in, in Chinese
//! and English, without JavaScript.
//!
//! What is here: sign-in (password, TOTP code, the one-time password
//! change, and setting up TOTP where it is required: `account.rs`),
//! sign-out here and everywhere, the account's security page, the case
//! queue and case pages, the tip-offs waiting for triage and the audit log
//! (`cases.rs`), and the patrol's status page (the queue, its lag, signals
//! per rule with live and shadow side by side). Each page checks the
//! permission `auth::ROUTES` gives it. A session is a staff token (the same
//! kind the API uses, stored as its SHA-256 with the absolute and idle
//! limits of `accounts::session`) in a cookie that is HttpOnly,
//! SameSite=Strict, scoped to /staff and Secure when
//! `server.secure_cookies` is on. Forms carry a CSRF token bound to a nonce
//! cookie, as the tip-off form does.
//!
//! The console may load one script of its own (`static/console.js`:
//! keyboard shortcuts); its pages work without it.

mod account;
mod cases;
mod decisions;
pub mod orders;
mod patrol;
pub(crate) mod search;
mod subjects;

use crate::AppState;
use crate::api::login::{Attempt, Outcome, SignedIn, sign_in};
use crate::csrf;
use crate::errors::ApiError;
use crate::i18n::Chosen;
use crate::portal::{Page, render};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use harrier_core::accounts::{Staff, token_hash};
use serde::Deserialize;

/// The session cookie.
pub const SESSION_COOKIE: &str = "harrier_staff";
/// The console's CSRF nonce cookie (its own path, apart from the portal's).
const CSRF_COOKIE: &str = "harrier_staff_csrf";

pub fn routes(state: &AppState) -> Router<AppState> {
    let limit = || axum::middleware::from_fn_with_state(state.clone(), crate::security::limit);
    Router::new()
        .route("/staff", get(|| async { Redirect::to("/staff/cases") }))
        .route(
            "/staff/login",
            get(login_form).post(login).route_layer(limit()),
        )
        .route(
            "/staff/login/enrol",
            post(account::enrol_at_sign_in).route_layer(limit()),
        )
        .route("/staff/logout", post(logout))
        .route("/staff/logout-all", post(account::logout_all))
        .route("/staff/account", get(account::page))
        .route("/staff/account/totp", post(account::begin_totp))
        .route(
            "/staff/account/totp/confirm",
            post(account::confirm_totp).route_layer(limit()),
        )
        .route(
            "/staff/account/password",
            post(account::change_password).route_layer(limit()),
        )
        .route("/staff/patrol", get(patrol::page))
        .route("/staff/cases", get(cases::list))
        .route("/staff/cases/bulk", post(cases::bulk))
        .route("/staff/cases/{id}", get(cases::show))
        .route("/staff/cases/{id}/transition", post(cases::transition))
        .route("/staff/cases/{id}/claim", post(cases::claim))
        .route(
            "/staff/cases/{id}/evidence",
            post(cases::add_evidence).layer(axum::extract::DefaultBodyLimit::max(
                crate::cases::MAX_EVIDENCE_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/staff/cases/{id}/evidence/{sha256}",
            get(cases::evidence_file),
        )
        .route("/staff/cases/{id}/export", get(cases::export_zip))
        .route(
            "/staff/cases/{id}/decide",
            get(decisions::decide_form).post(decisions::decide),
        )
        .route("/staff/appeals", get(decisions::appeals))
        .route("/staff/appeals/{id}", get(decisions::appeal))
        .route("/staff/appeals/{id}/review", post(decisions::review))
        .route(
            "/staff/templates",
            get(decisions::templates).post(decisions::put_template),
        )
        .route("/staff/reports", get(cases::reports))
        .route("/staff/reports/{id}/triage", post(cases::triage))
        .route("/staff/audit", get(cases::audit))
        .route("/staff/subjects/{id}", get(subjects::show))
        .route("/staff/search", get(search::page))
        .route("/staff/views", post(search::save))
        .route("/staff/views/{id}/delete", post(search::delete))
        // Orders to providers.
        .route("/staff/orders", get(orders::list).post(orders::send))
        .route("/staff/orders/{id}", get(orders::show))
        .route("/staff/orders/{id}/redeliver", post(orders::redeliver))
        .route("/staff/compliance", get(orders::compliance))
        .route("/staff/console.js", get(console_js))
        .layer(axum::middleware::from_fn(console_policy))
        .layer(axum::middleware::from_fn(crate::portal::remember_language))
}

fn secure(state: &AppState) -> &'static str {
    if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    }
}

/// The console's script: keyboard shortcuts for triage, nothing else.
const CONSOLE_JS: &str = include_str!("../../static/console.js");

async fn console_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        CONSOLE_JS,
    )
        .into_response()
}

/// Console pages may load the console's own script (and nothing else);
/// answers that set a stricter policy (evidence files) keep theirs.
async fn console_policy(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            crate::security::CONSOLE_CONTENT_SECURITY_POLICY,
        ));
    response
}

/// A signed-in staff member, from the session cookie; anyone else is sent
/// to the sign-in page.
pub struct ConsoleStaff {
    pub staff: Staff,
    pub token: String,
}

impl ConsoleStaff {
    /// Whether the role has `permission` (see `auth::ROUTES`).
    pub fn may(&self, permission: crate::auth::Permission) -> bool {
        crate::auth::allowed(permission, self.staff.role)
    }

    /// A 403 page when the role lacks `permission`, else None.
    pub fn deny(&self, permission: crate::auth::Permission, chosen: &Chosen) -> Option<Response> {
        (!self.may(permission)).then(|| {
            let t = chosen.lang.messages();
            (StatusCode::FORBIDDEN, t.s("staff.forbidden")).into_response()
        })
    }
}

/// The console's top navigation: the pages this role may open.
pub struct Nav {
    pub staff: String,
    pub role: String,
    pub csrf: String,
    /// (href, i18n key, is the current page)
    pub links: Vec<(&'static str, &'static str, bool)>,
}

impl Nav {
    pub fn new(staff: &Staff, csrf: String, current: &str) -> Self {
        use crate::auth::{Permission, allowed};
        let pages = [
            (
                "/staff/cases",
                "staff.nav.cases",
                "cases",
                Permission::ReadCases,
            ),
            (
                "/staff/search",
                "staff.nav.search",
                "search",
                Permission::ReadReports,
            ),
            (
                "/staff/reports",
                "staff.nav.reports",
                "reports",
                Permission::ReadReports,
            ),
            (
                "/staff/appeals",
                "staff.nav.appeals",
                "appeals",
                Permission::ReadCases,
            ),
            (
                "/staff/templates",
                "staff.nav.templates",
                "templates",
                Permission::ReadCases,
            ),
            (
                "/staff/patrol",
                "staff.patrol.title",
                "patrol",
                Permission::ReadPatrol,
            ),
            (
                "/staff/orders",
                "staff.nav.orders",
                "orders",
                Permission::ReadOrders,
            ),
            (
                "/staff/audit",
                "staff.nav.audit",
                "audit",
                Permission::ReadAudit,
            ),
            (
                "/staff/account",
                "staff.account.title",
                "account",
                Permission::OwnAccount,
            ),
        ];
        Self {
            staff: staff.name.clone(),
            role: staff.role.as_str().to_owned(),
            csrf,
            links: pages
                .into_iter()
                .filter(|(_, _, _, p)| allowed(*p, staff.role))
                .map(|(href, key, name, _)| (href, key, name == current))
                .collect(),
        }
    }
}

impl FromRequestParts<AppState> for ConsoleStaff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let to_login = || Redirect::to("/staff/login").into_response();
        let token = csrf::cookie(&parts.headers, SESSION_COOKIE)
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or_else(to_login)?
            .to_owned();
        let staff = state
            .store
            .staff_by_token(&token_hash(&token), state.clock.now())
            .await
            .map_err(|_| (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable").into_response())?
            .ok_or_else(to_login)?;
        Ok(Self { staff, token })
    }
}

/// This browser's console CSRF nonce, or a new one with its cookie.
fn nonce(state: &AppState, headers: &HeaderMap) -> (String, Option<String>) {
    match csrf::cookie(headers, CSRF_COOKIE)
        .filter(|n| n.len() == 32 && n.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        Some(n) => (n.to_owned(), None),
        None => {
            let n = csrf::new_nonce();
            let cookie = format!(
                "{CSRF_COOKIE}={n}; Path=/staff; HttpOnly; SameSite=Strict{}",
                secure(state)
            );
            (n, Some(cookie))
        }
    }
}

/// The CSRF token for this browser's forms, and the cookie to set if new.
pub fn csrf_for(state: &AppState, headers: &HeaderMap) -> (String, Option<String>) {
    let (nonce, cookie) = nonce(state, headers);
    (csrf::token(&state.secret, &nonce), cookie)
}

pub(crate) fn csrf_ok(state: &AppState, headers: &HeaderMap, token: &str) -> bool {
    csrf::cookie(headers, CSRF_COOKIE).is_some_and(|n| csrf::verify(&state.secret, n, token))
}

fn with_cookie(mut response: Response, cookie: Option<String>) -> Response {
    if let Some(value) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[derive(Template)]
#[template(path = "staff_login.html")]
struct LoginPage {
    page: Page,
    csrf: String,
    name: String,
    /// The message of the last attempt's error, if any.
    error: Option<String>,
    error_code: String,
    /// Show the new-password field as required.
    change_password: bool,
    /// Show the TOTP code field as required.
    totp_required: bool,
}

fn login_page(
    state: &AppState,
    chosen: Chosen,
    headers: &HeaderMap,
    status: StatusCode,
    name: String,
    error: Option<(&'static str, String)>,
) -> Response {
    let (csrf, cookie) = csrf_for(state, headers);
    let change_password = error
        .as_ref()
        .is_some_and(|(code, _)| matches!(*code, "password_change_required" | "weak_password"));
    let totp_required = error
        .as_ref()
        .is_some_and(|(code, _)| matches!(*code, "totp_required" | "totp_invalid"));
    let (error_code, error) = match error {
        Some((code, message)) => (code.to_owned(), Some(message)),
        None => (String::new(), None),
    };
    let template = LoginPage {
        page: Page::new(chosen),
        csrf,
        name,
        error,
        error_code,
        change_password,
        totp_required,
    };
    with_cookie(render(status, &template), cookie)
}

async fn login_form(State(state): State<AppState>, chosen: Chosen, headers: HeaderMap) -> Response {
    login_page(
        &state,
        chosen,
        &headers,
        StatusCode::OK,
        String::new(),
        None,
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    totp: String,
    csrf: String,
}

async fn login(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        let message = chosen.lang.messages().s("staff.login.bad_form").to_owned();
        return login_page(
            &state,
            chosen,
            &headers,
            StatusCode::BAD_REQUEST,
            String::new(),
            Some(("bad_form", message)),
        );
    };
    let name: String = form.name.trim().chars().take(100).collect();
    if !csrf_ok(&state, &headers, &form.csrf) {
        let message = chosen.lang.messages().s("staff.login.csrf").to_owned();
        return login_page(
            &state,
            chosen,
            &headers,
            StatusCode::FORBIDDEN,
            name,
            Some(("csrf_failed", message)),
        );
    }
    let attempt = Attempt {
        name: &name,
        password: &form.password,
        new_password: Some(form.new_password.as_str()).filter(|p| !p.is_empty()),
        totp: Some(form.totp.as_str()).filter(|t| !t.trim().is_empty()),
    };
    match sign_in(&state, attempt).await {
        Ok(Outcome::SignedIn(signed_in)) => session_started(&state, signed_in),
        Ok(Outcome::MustEnrol { staff, pending }) => {
            match account::enrol_during_sign_in(&state, chosen.clone(), &headers, staff, pending)
                .await
            {
                Ok(page) => page,
                Err(error) => login_failed(&state, chosen, &headers, name, error).await,
            }
        }
        Err(error) => login_failed(&state, chosen, &headers, name, error).await,
    }
}

/// The session cookie for a finished sign-in, and on to the console.
fn session_started(state: &AppState, signed_in: SignedIn) -> Response {
    let max_age = i64::from(state.config.token_hours) * 3600;
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/staff; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        signed_in.token,
        secure(state)
    );
    with_cookie(Redirect::to("/staff/cases").into_response(), Some(cookie))
}

/// The sign-in form again, with a failed attempt's error in the page's
/// language.
async fn login_failed(
    state: &AppState,
    chosen: Chosen,
    headers: &HeaderMap,
    name: String,
    error: ApiError,
) -> Response {
    let key = match error.code {
        "invalid_credentials" => "staff.login.invalid",
        "password_change_required" => "staff.login.change_required",
        "weak_password" => "staff.login.weak",
        "totp_required" => "staff.login.totp_required",
        "totp_invalid" => "staff.totp.invalid",
        "account_locked" => "staff.login.locked",
        "totp_unreadable" => "staff.login.totp_unreadable",
        _ => "staff.login.unavailable",
    };
    let mut message = chosen.lang.messages().s(key).to_owned();
    if error.code == "weak_password" {
        message = format!("{message} ({})", error.message);
    }
    if error.code == "account_locked" {
        // The lock's end, read again rather than parsed out of the message.
        let now = state.clock.now();
        if let Ok(Some(c)) = state.store.staff_credentials(&name).await
            && let Some(until) = c.failures.locked_at(now)
        {
            message = format!("{message} {}", account::until_text(until));
        }
    }
    login_page(
        state,
        chosen,
        headers,
        error.status,
        name,
        Some((error.code, message)),
    )
}

#[derive(Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    staff: ConsoleStaff,
    form: Result<Form<LogoutForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let token_ok = form
        .as_ref()
        .is_ok_and(|Form(f)| csrf_ok(&state, &headers, &f.csrf));
    if !token_ok {
        return (
            StatusCode::FORBIDDEN,
            "the form was not sent from this console",
        )
            .into_response();
    }
    crate::audit::record(
        &state,
        crate::audit::by(&staff.staff),
        "staff.signed_out",
        format!("staff:{}", staff.staff.id),
        serde_json::json!({}),
    )
    .await;
    if let Err(error) = state.store.delete_token(&token_hash(&staff.token)).await {
        tracing::error!(%error, "sign-out: the session could not be ended");
        return (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable").into_response();
    }
    let cookie = format!(
        "{SESSION_COOKIE}=; Path=/staff; HttpOnly; SameSite=Strict; Max-Age=0{}",
        secure(&state)
    );
    with_cookie(Redirect::to("/staff/login").into_response(), Some(cookie))
}
