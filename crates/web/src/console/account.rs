//! The account's security in the console: setting up the authenticator app
//! (TOTP), during sign-in for admins who must and from the account page for
//! anyone who wants to; changing the password (which ends the account's
//! other sessions); and signing out everywhere.
//!
//! An admin without a second factor gets no session at sign-in. The page
//! that shows the new secret carries a signed *pending* token instead: the
//! name and a ten-minute expiry under an HMAC of the server secret. It
//! proves the password was checked; with a code from the new secret it
//! becomes a session. The secret itself is stored at once, sealed and
//! unconfirmed, so a reload shows the same one.

use super::{ConsoleStaff, SESSION_COOKIE, csrf_for, csrf_ok, secure, with_cookie};
use crate::AppState;
use crate::api::login::{self, check_code, open_session};
use crate::errors::ApiError;
use crate::i18n::Chosen;
use crate::portal::{Page, render};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use harrier_core::accounts::Staff;
use harrier_core::accounts::token_hash;
use harrier_core::accounts::totp::{self, TotpSecret};
use harrier_core::ports::StoredTotp;
use serde::Deserialize;
use time::OffsetDateTime;

/// How long the page that shows a new secret may be answered.
const PENDING_MINUTES: i64 = 10;
/// The issuer authenticator apps show beside the account's name.
const ISSUER: &str = "Harrier";

fn pending_mac(state: &AppState, expires: i64, name: &str) -> String {
    crate::csrf::token(&state.secret, &format!("totp-enrolment:{expires}:{name}"))
}

/// `<expiry>.<name>.<mac>`: names may hold dots, the other two do not.
fn pending_token(state: &AppState, name: &str) -> String {
    let expires = (state.clock.now() + time::Duration::minutes(PENDING_MINUTES)).unix_timestamp();
    format!("{expires}.{name}.{}", pending_mac(state, expires, name))
}

/// The name a pending token stands for, while it is valid.
fn pending_name(state: &AppState, token: &str) -> Option<String> {
    let (expires, rest) = token.split_once('.')?;
    let (name, mac) = rest.rsplit_once('.')?;
    let expires: i64 = expires.parse().ok()?;
    let fresh = state.clock.now().unix_timestamp() < expires;
    let signed = crate::csrf::verify(
        &state.secret,
        &format!("totp-enrolment:{expires}:{name}"),
        mac,
    );
    (fresh && signed).then(|| name.to_owned())
}

/// The secret of an enrolment: the one begun before when it still opens,
/// else a new one, stored sealed and unconfirmed.
async fn enrolment_secret(
    state: &AppState,
    staff_id: i64,
    pending: Option<&StoredTotp>,
) -> Result<TotpSecret, ApiError> {
    let earlier = pending
        .filter(|p| !p.confirmed)
        .and_then(|p| totp::open(&state.secret, staff_id, &p.sealed_secret).ok());
    if let Some(secret) = earlier {
        return Ok(secret);
    }
    let secret = TotpSecret::generate();
    let sealed = totp::seal(&state.secret, staff_id, &secret);
    state.store.begin_totp(staff_id, &sealed).await?;
    Ok(secret)
}

/// The QR code of a URI as inline SVG, without the XML declaration.
fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(220, 220)
                .build();
            match svg.find("<svg") {
                Some(at) => svg[at..].to_owned(),
                None => String::new(),
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "no QR code for the TOTP URI");
            String::new()
        }
    }
}

/// Base32 in groups of four, easier to type.
fn grouped(base32: &str) -> String {
    base32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Template)]
#[template(path = "staff_totp_enrol.html")]
struct EnrolPage {
    page: Page,
    csrf: String,
    /// Where the code goes: the sign-in's or the account page's form.
    action: &'static str,
    /// The pending token during sign-in; empty on the account page.
    pending: String,
    name: String,
    secret: String,
    uri: String,
    qr: String,
    error: Option<String>,
    error_code: String,
}

#[allow(clippy::too_many_arguments)] // the page's parts, each from a different place
fn enrol_page(
    state: &AppState,
    chosen: Chosen,
    headers: &HeaderMap,
    status: StatusCode,
    staff: &Staff,
    secret: &TotpSecret,
    pending: String,
    error: Option<(&'static str, String)>,
) -> Response {
    let (csrf, cookie) = csrf_for(state, headers);
    let uri = secret.otpauth_uri(ISSUER, &staff.name);
    let (error_code, error) = match error {
        Some((code, message)) => (code.to_owned(), Some(message)),
        None => (String::new(), None),
    };
    let template = EnrolPage {
        page: Page::new(chosen),
        csrf,
        action: if pending.is_empty() {
            "/staff/account/totp/confirm"
        } else {
            "/staff/login/enrol"
        },
        pending,
        name: staff.name.clone(),
        secret: grouped(&secret.base32()),
        qr: qr_svg(&uri),
        uri,
        error,
        error_code,
    };
    with_cookie(render(status, &template), cookie)
}

/// The step of the sign-in after the password for an admin without a second
/// factor: the new secret and the form for its first code.
pub(super) async fn enrol_during_sign_in(
    state: &AppState,
    chosen: Chosen,
    headers: &HeaderMap,
    staff: Staff,
    pending: Option<StoredTotp>,
) -> Result<Response, ApiError> {
    let secret = enrolment_secret(state, staff.id, pending.as_ref()).await?;
    let token = pending_token(state, &staff.name);
    Ok(enrol_page(
        state,
        chosen,
        headers,
        StatusCode::OK,
        &staff,
        &secret,
        token,
        None,
    ))
}

/// The message of a TOTP error in the page's language.
fn code_error(chosen: &Chosen, error: &ApiError) -> (&'static str, String) {
    let t = chosen.lang.messages();
    let key = match error.code {
        "totp_invalid" => "staff.totp.invalid",
        _ => "staff.login.unavailable",
    };
    (error.code, t.s(key).to_owned())
}

#[derive(Deserialize)]
pub struct CodeForm {
    csrf: String,
    #[serde(default)]
    pending: String,
    code: String,
}

/// `POST /staff/login/enrol`: the first code of the new secret ends the
/// sign-in with a session.
pub(super) async fn enrol_at_sign_in(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let restart = |state: &AppState, chosen: Chosen, headers: &HeaderMap, key: &'static str| {
        let message = chosen.lang.messages().s(key).to_owned();
        super::login_page(
            state,
            chosen,
            headers,
            StatusCode::FORBIDDEN,
            String::new(),
            Some(("totp_enrolment_expired", message)),
        )
    };
    let Ok(Form(form)) = form else {
        return restart(&state, chosen, &headers, "staff.login.bad_form");
    };
    if !csrf_ok(&state, &headers, &form.csrf) {
        return restart(&state, chosen, &headers, "staff.login.csrf");
    }
    let Some(name) = pending_name(&state, &form.pending) else {
        return restart(&state, chosen, &headers, "staff.totp.expired");
    };
    let now = state.clock.now();
    let credentials = match state.store.staff_credentials(&name).await {
        Ok(Some(c)) if !c.disabled => c,
        Ok(_) => return restart(&state, chosen, &headers, "staff.totp.expired"),
        Err(e) => return super::login_failed(&state, chosen, &headers, name, e.into()).await,
    };
    if let Some(until) = credentials.failures.locked_at(now) {
        return super::login_failed(&state, chosen, &headers, name, login::locked(until)).await;
    }
    let Some(stored) = credentials.totp.filter(|t| !t.confirmed) else {
        // Confirmed meanwhile (another tab), or reset: sign in again.
        return restart(&state, chosen, &headers, "staff.totp.expired");
    };
    let staff = credentials.staff;
    if let Err(error) = check_code(&state, staff.id, &stored, &form.code, true).await {
        if error.code != "totp_invalid" {
            return super::login_failed(&state, chosen, &headers, name, error).await;
        }
        let Ok(secret) = totp::open(&state.secret, staff.id, &stored.sealed_secret) else {
            return restart(&state, chosen, &headers, "staff.totp.expired");
        };
        let message = code_error(&chosen, &error);
        return enrol_page(
            &state,
            chosen,
            &headers,
            StatusCode::UNAUTHORIZED,
            &staff,
            &secret,
            form.pending,
            Some(message),
        );
    }
    crate::audit::record(
        &state,
        crate::audit::by(&staff),
        "staff.totp_enabled",
        format!("staff:{}", staff.id),
        serde_json::json!({"at": "first sign-in"}),
    )
    .await;
    let opened = async {
        if credentials.failures.count > 0 {
            state.store.clear_login_failures(staff.id).await?;
        }
        open_session(&state, staff).await
    };
    match opened.await {
        Ok(signed_in) => super::session_started(&state, signed_in),
        Err(error) => super::login_failed(&state, chosen, &headers, name, error).await,
    }
}

#[derive(Template)]
#[template(path = "staff_account.html")]
struct AccountPage {
    page: Page,
    nav: super::Nav,
    csrf: String,
    totp_on: bool,
    totp_required: bool,
    notice: Option<String>,
    error: Option<String>,
    error_code: String,
}

async fn account_page(
    state: &AppState,
    chosen: Chosen,
    headers: &HeaderMap,
    staff: &Staff,
    status: StatusCode,
    notice: Option<&'static str>,
    error: Option<(&'static str, String)>,
) -> Response {
    let totp_on = match state.store.staff_credentials(&staff.name).await {
        Ok(c) => c.and_then(|c| c.totp).is_some_and(|t| t.confirmed),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let (csrf, cookie) = csrf_for(state, headers);
    let t = chosen.lang.messages();
    let (error_code, error) = match error {
        Some((code, message)) => (code.to_owned(), Some(message)),
        None => (String::new(), None),
    };
    let template = AccountPage {
        page: Page::new(chosen),
        nav: super::Nav::new(staff, csrf.clone(), "account"),
        csrf,
        totp_on,
        totp_required: staff.role.requires_totp(),
        notice: notice.map(|key| t.s(key).to_owned()),
        error,
        error_code,
    };
    with_cookie(render(status, &template), cookie)
}

/// `GET /staff/account`.
pub(super) async fn page(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
) -> Response {
    account_page(
        &state,
        chosen,
        &headers,
        &signed_in.staff,
        StatusCode::OK,
        None,
        None,
    )
    .await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// A posted form, when it parsed and its CSRF token holds.
fn posted<T>(
    state: &AppState,
    headers: &HeaderMap,
    form: Result<Form<T>, FormRejection>,
    csrf: impl Fn(&T) -> &String,
) -> Option<T> {
    form.ok()
        .map(|Form(f)| f)
        .filter(|f| csrf_ok(state, headers, csrf(f)))
}

fn forged() -> Response {
    (
        StatusCode::FORBIDDEN,
        "the form was not sent from this console",
    )
        .into_response()
}

/// `POST /staff/account/totp`: begins setting up an authenticator app.
pub(super) async fn begin_totp(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    if posted(&state, &headers, form, |f: &CsrfForm| &f.csrf).is_none() {
        return forged();
    }
    let staff = signed_in.staff;
    let pending = match state.store.staff_credentials(&staff.name).await {
        Ok(c) => c.and_then(|c| c.totp),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if pending.as_ref().is_some_and(|t| t.confirmed) {
        return Redirect::to("/staff/account").into_response();
    }
    match enrolment_secret(&state, staff.id, pending.as_ref()).await {
        Ok(secret) => enrol_page(
            &state,
            chosen,
            &headers,
            StatusCode::OK,
            &staff,
            &secret,
            String::new(),
            None,
        ),
        Err(e) => e.into_response(),
    }
}

/// `POST /staff/account/totp/confirm`: the first code turns the second
/// factor on.
pub(super) async fn confirm_totp(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let Some(form) = posted(&state, &headers, form, |f: &CodeForm| &f.csrf) else {
        return forged();
    };
    let staff = signed_in.staff;
    let stored = match state.store.staff_credentials(&staff.name).await {
        Ok(c) => c.and_then(|c| c.totp).filter(|t| !t.confirmed),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let Some(stored) = stored else {
        return Redirect::to("/staff/account").into_response();
    };
    match check_code(&state, staff.id, &stored, &form.code, true).await {
        Ok(()) => {
            crate::audit::record(
                &state,
                crate::audit::by(&staff),
                "staff.totp_enabled",
                format!("staff:{}", staff.id),
                serde_json::json!({}),
            )
            .await;
            account_page(
                &state,
                chosen,
                &headers,
                &staff,
                StatusCode::OK,
                Some("staff.account.totp_done"),
                None,
            )
            .await
        }
        Err(error) if error.code == "totp_invalid" => {
            let Ok(secret) = totp::open(&state.secret, staff.id, &stored.sealed_secret) else {
                return Redirect::to("/staff/account").into_response();
            };
            let message = code_error(&chosen, &error);
            enrol_page(
                &state,
                chosen,
                &headers,
                StatusCode::UNAUTHORIZED,
                &staff,
                &secret,
                String::new(),
                Some(message),
            )
        }
        Err(error) => error.into_response(),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current_password: String,
    new_password: String,
}

/// `POST /staff/account/password`: a new password; the account's other
/// sessions end, this one stays.
pub(super) async fn change_password(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    let Some(form) = posted(&state, &headers, form, |f: &PasswordForm| &f.csrf) else {
        return forged();
    };
    let staff = &signed_in.staff;
    let result = async {
        let credentials = state
            .store
            .staff_credentials(&staff.name)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        if !login::password_matches(&form.current_password, credentials.password_hash).await {
            let wrong = ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "the current password is wrong",
            );
            return Err(login::count_failure(&state, staff.id, wrong).await);
        }
        let hash = login::new_password_hash(&form.new_password, "new_password").await?;
        let keep = token_hash(&signed_in.token);
        state
            .store
            .set_password(staff.id, &hash, Some(&keep))
            .await?;
        crate::audit::record(
            &state,
            crate::audit::by(staff),
            "staff.password_changed",
            format!("staff:{}", staff.id),
            serde_json::json!({"other_sessions": "ended"}),
        )
        .await;
        Ok::<_, ApiError>(())
    }
    .await;
    let t = chosen.lang.messages();
    let (status, notice, error) = match result {
        Ok(()) => (StatusCode::OK, Some("staff.account.password_done"), None),
        Err(e) => {
            let key = match e.code {
                "invalid_credentials" => "staff.account.current_wrong",
                "weak_password" => "staff.login.weak",
                "account_locked" => "staff.login.locked",
                _ => "staff.login.unavailable",
            };
            let mut message = t.s(key).to_owned();
            if e.code == "weak_password" {
                message = format!("{message} ({})", e.message);
            }
            (e.status, None, Some((e.code, message)))
        }
    };
    account_page(&state, chosen, &headers, staff, status, notice, error).await
}

/// `POST /staff/logout-all`: ends every session of the account, this one too.
pub(super) async fn logout_all(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    if posted(&state, &headers, form, |f: &CsrfForm| &f.csrf).is_none() {
        return forged();
    }
    match state.store.end_sessions(signed_in.staff.id, None).await {
        Ok(ended) => {
            crate::audit::record(
                &state,
                crate::audit::by(&signed_in.staff),
                "staff.signed_out_everywhere",
                format!("staff:{}", signed_in.staff.id),
                serde_json::json!({"sessions": ended, "via": "console"}),
            )
            .await;
        }
        Err(error) => return ApiError::from(error).into_response(),
    }
    let cookie = format!(
        "{SESSION_COOKIE}=; Path=/staff; HttpOnly; SameSite=Strict; Max-Age=0{}",
        secure(&state)
    );
    with_cookie(Redirect::to("/staff/login").into_response(), Some(cookie))
}

/// A lock's end as the console shows it.
pub(super) fn until_text(until: OffsetDateTime) -> String {
    let until = until.to_offset(time::UtcOffset::UTC);
    format!("{:02}:{:02} UTC", until.hour(), until.minute())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_grouped_by_four_and_the_qr_is_inline_svg() {
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
        let svg = qr_svg("otpauth://totp/Harrier:ana?secret=GEZDGNBV");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
    }
}
