//! `POST /api/v1/auth/login`: a staff session token for a name, a password
//! and, when the account has one, a TOTP code; `POST
//! /api/v1/auth/logout-all` ends every session of the account.
//!
//! The checks, in order: a locked account is refused (before the password is
//! looked at, so the answer says nothing about it); the password (a wrong
//! one counts towards the lock; wrong name and wrong password get the same
//! answer in the same time, an unknown name being checked against a
//! throw-away hash); the TOTP code when the account has a confirmed secret
//! (a wrong or replayed code counts too); the one-time password change;
//! then, for an admin without a second factor, enrolment instead of a
//! session (the console does it; the API answers `totp_enrolment_required`).
//! The console's sign-in shares all of this through [`sign_in`].

use super::dto::{LoginBody, LoginRequest, LogoutAllBody, rfc3339};
use super::json::{body, parse_json};
use crate::AppState;
use crate::auth::Authenticated;
use crate::errors::{ApiError, ErrorBody};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use harrier_core::accounts::totp::{self, TotpError};
use harrier_core::accounts::{Staff, check_password, hash_password, new_token, verify_password};
use harrier_core::ports::{StaffCredentials, StoredTotp};
use time::OffsetDateTime;

/// An argon2id hash of a random password nobody knows, made once.
fn unknown_name_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        hash_password(&harrier_core::accounts::one_time_password()).unwrap_or_default()
    })
}

fn bad_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "the name or the password is wrong",
    )
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
}

/// The answer while an account is locked.
pub fn locked(until: OffsetDateTime) -> ApiError {
    ApiError::new(
        StatusCode::LOCKED,
        "account_locked",
        format!(
            "this account is locked after repeated failed sign-ins until {}; try again then, or ask an admin to reset it",
            rfc3339(until)
        ),
    )
}

#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "staff",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginBody),
        (status = 401, description = "`invalid_credentials`: wrong name or password; `totp_required`: the account has a second factor, send its code in `totp`; `totp_invalid`: the code is wrong, malformed or was used already", body = ErrorBody),
        (status = 403, description = "`password_change_required`: the one-time password must be changed, send `new_password`; `totp_enrolment_required`: an admin without a second factor must set one up in the console first", body = ErrorBody),
        (status = 422, description = "the new password is too weak", body = ErrorBody),
        (status = 423, description = "`account_locked`: too many failed sign-ins; the message says until when", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<LoginBody>, ApiError> {
    let request: LoginRequest = parse_json(&body(raw)?)?;
    let attempt = Attempt {
        name: &request.name,
        password: &request.password,
        new_password: request.new_password.as_deref(),
        totp: request.totp.as_deref(),
    };
    match sign_in(&state, attempt).await? {
        Outcome::SignedIn(signed_in) => Ok(Json(LoginBody {
            token: signed_in.token,
            expires_at: rfc3339(signed_in.expires_at),
            role: signed_in.staff.role.as_str().to_owned(),
        })),
        Outcome::MustEnrol { .. } => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "totp_enrolment_required",
            "admin accounts need a second factor: sign in once at /staff/login to set up an authenticator app, then send its code in totp",
        )),
    }
}

#[utoipa::path(
    post, path = "/api/v1/auth/logout-all", tag = "staff",
    security(("staff_token" = [])),
    responses(
        (status = 200, description = "every session of the account is ended, this one too", body = LogoutAllBody),
        (status = 401, description = "no valid staff token", body = ErrorBody),
    )
)]
pub async fn logout_all(
    State(state): State<AppState>,
    Authenticated(staff): Authenticated,
) -> Result<Json<LogoutAllBody>, ApiError> {
    let ended = state.store.end_sessions(staff.id, None).await?;
    crate::audit::record(
        &state,
        crate::audit::by(&staff),
        "staff.signed_out_everywhere",
        format!("staff:{}", staff.id),
        serde_json::json!({"sessions": ended, "via": "api"}),
    )
    .await;
    Ok(Json(LogoutAllBody { ended }))
}

/// What a sign-in brings.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub name: &'a str,
    pub password: &'a str,
    pub new_password: Option<&'a str>,
    pub totp: Option<&'a str>,
}

/// A successful sign-in: who, and the token that now stands for them.
pub struct SignedIn {
    pub staff: Staff,
    pub token: String,
    pub expires_at: OffsetDateTime,
}

/// How a sign-in whose checks passed ends.
pub enum Outcome {
    SignedIn(SignedIn),
    /// An admin without a confirmed second factor: no session until one is
    /// set up. `pending` is an enrolment already begun, if any.
    MustEnrol {
        staff: Staff,
        pending: Option<StoredTotp>,
    },
}

/// Runs every check of a sign-in (see the module's documentation) and
/// opens a session.
pub async fn sign_in(state: &AppState, attempt: Attempt<'_>) -> Result<Outcome, ApiError> {
    let now = state.clock.now();
    let credentials = state
        .store
        .staff_credentials(attempt.name)
        .await?
        .filter(|c| !c.disabled);
    if let Some(until) = credentials.as_ref().and_then(|c| c.failures.locked_at(now)) {
        return Err(locked(until));
    }
    // An unknown name is checked against a throw-away hash, so that the
    // answer takes as long as for a known name with a wrong password.
    let hash = match &credentials {
        Some(c) => c.password_hash.clone(),
        None => unknown_name_hash().to_owned(),
    };
    let verified = password_matches(attempt.password, hash).await;
    let credentials = match credentials {
        Some(c) if verified => c,
        Some(c) => return Err(count_failure(state, c.staff.id, bad_credentials()).await),
        None => return Err(bad_credentials()),
    };
    let StaffCredentials {
        staff,
        totp,
        failures,
        ..
    } = credentials;
    let confirmed = totp.as_ref().filter(|t| t.confirmed);
    if let Some(stored) = confirmed {
        let Some(typed) = attempt.totp.filter(|t| !t.trim().is_empty()) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "totp_required",
                "this account has a second factor: send the 6-digit code of its authenticator app in totp",
            )
            .with_field("totp"));
        };
        check_code(state, staff.id, stored, typed, false).await?;
    }
    if staff.must_change_password {
        change_one_time_password(state, &staff, attempt).await?;
    }
    if failures.count > 0 {
        state.store.clear_login_failures(staff.id).await?;
    }
    let staff = Staff {
        must_change_password: false,
        ..staff
    };
    if confirmed.is_none() && staff.role.requires_totp() {
        return Ok(Outcome::MustEnrol {
            staff,
            pending: totp,
        });
    }
    open_session(state, staff).await.map(Outcome::SignedIn)
}

async fn change_one_time_password(
    state: &AppState,
    staff: &Staff,
    attempt: Attempt<'_>,
) -> Result<(), ApiError> {
    let Some(new_password) = attempt.new_password.filter(|p| !p.is_empty()) else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "password_change_required",
            "this account has a one-time password: send new_password (12 characters or more) to set your own",
        ));
    };
    if new_password == attempt.password {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "weak_password",
            "the new password must differ from the one-time password",
        )
        .with_field("new_password"));
    }
    let hash = new_password_hash(new_password, "new_password").await?;
    state.store.set_password(staff.id, &hash, None).await?;
    crate::audit::record(
        state,
        crate::audit::by(staff),
        "staff.password_changed",
        format!("staff:{}", staff.id),
        serde_json::json!({"from": "one-time password"}),
    )
    .await;
    Ok(())
}

/// Whether a typed password matches a stored hash (argon2id, on a blocking
/// thread).
pub async fn password_matches(typed: &str, hash: String) -> bool {
    let typed = typed.to_owned();
    tokio::task::spawn_blocking(move || verify_password(&typed, &hash))
        .await
        .unwrap_or(false)
}

/// Checks a new password's strength and hashes it; `field` names the form
/// or JSON field in the error.
pub async fn new_password_hash(
    new_password: &str,
    field: &'static str,
) -> Result<String, ApiError> {
    check_password(new_password).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "weak_password",
            e.to_string(),
        )
        .with_field(field)
    })?;
    let new_password = new_password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&new_password))
        .await
        .map_err(internal)?
        .map_err(internal)
}

/// Counts a failed attempt on a known account; the error to answer with is
/// `otherwise`, or that the account is now locked.
pub async fn count_failure(state: &AppState, staff_id: i64, otherwise: ApiError) -> ApiError {
    let now = state.clock.now();
    match state
        .store
        .record_login_failure(staff_id, state.config.lockout_policy(), now)
        .await
    {
        Ok(failures) => {
            let until = failures.locked_at(now);
            crate::audit::record(
                state,
                harrier_core::audit::Actor::System("sign-in"),
                if until.is_some() {
                    "staff.locked"
                } else {
                    "staff.sign_in_failed"
                },
                format!("staff:{staff_id}"),
                serde_json::json!({"reason": otherwise.code, "failures": failures.count,
                    "locked_until": until.map(super::dto::rfc3339)}),
            )
            .await;
            match until {
                Some(until) => locked(until),
                None => otherwise,
            }
        }
        Err(e) => e.into(),
    }
}

/// Checks a typed TOTP code against a stored secret and uses up its step
/// (confirming the secret when `confirm`); a wrong, malformed or replayed
/// code counts as a failed attempt.
pub async fn check_code(
    state: &AppState,
    staff_id: i64,
    stored: &StoredTotp,
    typed: &str,
    confirm: bool,
) -> Result<(), ApiError> {
    let invalid = |message: &str| {
        ApiError::new(StatusCode::UNAUTHORIZED, "totp_invalid", message).with_field("totp")
    };
    let secret = totp::open(&state.secret, staff_id, &stored.sealed_secret).map_err(|e| {
        tracing::error!(staff_id, error = %e, "a TOTP secret could not be opened");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "totp_unreadable",
            format!("{e}: an admin can remove it with `harrier staff reset-totp NAME`"),
        )
    })?;
    let code = match totp::parse_code(typed) {
        Ok(code) => code,
        Err(e @ TotpError::BadCode) | Err(e @ TotpError::Unsealable) => {
            return Err(count_failure(state, staff_id, invalid(&e.to_string())).await);
        }
    };
    let Some(step) = secret.matching_step(&code, state.clock.now()) else {
        return Err(count_failure(state, staff_id, invalid("the code is wrong")).await);
    };
    if !state
        .store
        .accept_totp_step(staff_id, step, confirm)
        .await?
    {
        return Err(count_failure(
            state,
            staff_id,
            invalid("this code was used already: wait for the next one"),
        )
        .await);
    }
    Ok(())
}

/// Opens a session for a staff member who passed every check.
pub async fn open_session(state: &AppState, staff: Staff) -> Result<SignedIn, ApiError> {
    let (token, token_hash) = new_token();
    let session = state
        .config
        .session_policy()
        .open(staff.id, token_hash, state.clock.now());
    state.store.insert_session(&session).await?;
    crate::audit::record(
        state,
        crate::audit::by(&staff),
        "staff.signed_in",
        format!("staff:{}", staff.id),
        serde_json::json!({"expires_at": super::dto::rfc3339(session.expires_at)}),
    )
    .await;
    Ok(SignedIn {
        staff,
        token,
        expires_at: session.expires_at,
    })
}
