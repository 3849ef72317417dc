//! `POST /api/v1/auth/login`: a staff token for a name and password.
//!
//! An account that still has its one-time password must send
//! `new_password` in the same call; the token is issued only after the
//! change. Wrong name and wrong password get the same answer, in the same
//! time (an unknown name is checked against a throw-away hash).

use super::dto::{LoginBody, LoginRequest, rfc3339};
use super::json::{body, parse_json};
use crate::AppState;
use crate::errors::{ApiError, ErrorBody};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use harrier_core::accounts::{Staff, check_password, hash_password, new_token, verify_password};
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

#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "staff",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginBody),
        (status = 401, description = "wrong name or password", body = ErrorBody),
        (status = 403, description = "the one-time password must be changed: send new_password", body = ErrorBody),
        (status = 422, description = "the new password is too weak", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<LoginBody>, ApiError> {
    let request: LoginRequest = parse_json(&body(raw)?)?;
    let signed_in = sign_in(
        &state,
        &request.name,
        &request.password,
        request.new_password.as_deref(),
    )
    .await?;
    Ok(Json(LoginBody {
        token: signed_in.token,
        expires_at: rfc3339(signed_in.expires_at),
        role: signed_in.staff.role.as_str().to_owned(),
    }))
}

/// A successful sign-in: who, and the token that now stands for them.
pub struct SignedIn {
    pub staff: Staff,
    pub token: String,
    pub expires_at: OffsetDateTime,
}

/// Checks a name and password (and sets the new password when the account
/// still has its one-time one) and issues a token: the API's login and the
/// console's sign-in form share this.
pub async fn sign_in(
    state: &AppState,
    name: &str,
    password: &str,
    new_password: Option<&str>,
) -> Result<SignedIn, ApiError> {
    let credentials = state
        .store
        .staff_credentials(name)
        .await?
        .filter(|c| !c.disabled);
    // An unknown name is checked against a throw-away hash, so that the
    // answer takes as long as for a known name with a wrong password.
    let hash = match &credentials {
        Some(c) => c.password_hash.clone(),
        None => unknown_name_hash().to_owned(),
    };
    let typed = password.to_owned();
    let verified = tokio::task::spawn_blocking(move || verify_password(&typed, &hash))
        .await
        .unwrap_or(false);
    let Some(credentials) = credentials.filter(|_| verified) else {
        return Err(bad_credentials());
    };
    let staff = credentials.staff;
    if staff.must_change_password {
        let Some(new_password) = new_password.filter(|p| !p.is_empty()) else {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "password_change_required",
                "this account has a one-time password: send new_password (12 characters or more) to set your own",
            ));
        };
        check_password(new_password).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "weak_password",
                e.to_string(),
            )
            .with_field("new_password")
        })?;
        if new_password == password {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "weak_password",
                "the new password must differ from the one-time password",
            )
            .with_field("new_password"));
        }
        let new_password = new_password.to_owned();
        let hash = tokio::task::spawn_blocking(move || hash_password(&new_password))
            .await
            .map_err(|e| {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
            })?
            .map_err(|e| {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
            })?;
        state.store.set_password(staff.id, &hash).await?;
    }
    let (token, token_hash) = new_token();
    let expires_at = state.clock.now() + time::Duration::hours(i64::from(state.config.token_hours));
    state
        .store
        .insert_token(staff.id, &token_hash, expires_at)
        .await?;
    Ok(SignedIn {
        staff: Staff {
            must_change_password: false,
            ..staff
        },
        token,
        expires_at,
    })
}
