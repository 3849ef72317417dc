//! Staff authentication for the API: bearer tokens, and the table of which
//! role may do what.
//!
//! A token is obtained from `POST /api/v1/auth/login`. Accounts created with a
//! one-time password must set a new one in that same call before they get a
//! token. Console sessions with cookies, TOTP and lockout come with the staff
//! console issue.

use crate::AppState;
use crate::errors::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use harrier_core::accounts::{Role, Staff, token_hash};
use harrier_core::patrol::provider::api_key_hash;
use harrier_core::patrol::{Provider, Scope};

/// What an API route allows; checked by [`Authenticated::require`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read reports and subjects (contacts are filtered by role).
    ReadReports,
    /// Log a tip-off received by phone.
    LogPhoneReport,
    /// Create providers, issue and revoke their API keys.
    ManageProviders,
    /// Reload the ruleset.
    ReloadRules,
    /// Read the patrol's status and rule counts.
    ReadPatrol,
}

/// The roles allowed for each permission: one table for the whole API.
pub const PERMISSIONS: [(Permission, &[Role]); 5] = [
    (
        Permission::ReadReports,
        &[
            Role::Admin,
            Role::Intake,
            Role::Analyst,
            Role::Moderator,
            Role::Reviewer,
            Role::Auditor,
        ],
    ),
    (Permission::LogPhoneReport, &[Role::Admin, Role::Intake]),
    (Permission::ManageProviders, &[Role::Admin]),
    (Permission::ReloadRules, &[Role::Admin]),
    (
        Permission::ReadPatrol,
        &[Role::Admin, Role::Analyst, Role::Moderator, Role::Auditor],
    ),
];

pub fn allowed(permission: Permission, role: Role) -> bool {
    PERMISSIONS
        .iter()
        .find(|(p, _)| *p == permission)
        .is_some_and(|(_, roles)| roles.contains(&role))
}

/// A request from a signed-in staff member.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Staff);

impl Authenticated {
    pub fn require(&self, permission: Permission, what: &str) -> Result<&Staff, ApiError> {
        if allowed(permission, self.0.role) {
            Ok(&self.0)
        } else {
            Err(ApiError::forbidden(what))
        }
    }
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or_else(ApiError::unauthorized)?;
        let staff = state
            .store
            .staff_by_token(&token_hash(token), state.clock.now())
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        Ok(Self(staff))
    }
}

/// A request from a provider, with an API key (`Authorization: Bearer
/// hk_...`) that is not revoked.
#[derive(Debug, Clone)]
pub struct ProviderAuth {
    pub provider: Provider,
    pub scopes: Vec<Scope>,
}

impl ProviderAuth {
    /// The provider, when the key has `scope`.
    pub fn require(&self, scope: Scope) -> Result<&Provider, ApiError> {
        if self.scopes.contains(&scope) {
            Ok(&self.provider)
        } else {
            Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "missing_scope",
                format!(
                    "this API key lacks the {} scope; ask the platform's administrator for a key with it",
                    scope.as_str()
                ),
            ))
        }
    }
}

impl FromRequestParts<AppState> for ProviderAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let unauthorized = || {
            ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a valid provider API key is required: send it as 'Authorization: Bearer hk_...'",
            )
        };
        let key = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| t.starts_with("hk_") && t.len() <= 200)
            .ok_or_else(unauthorized)?;
        let (provider, scopes) = state
            .patrol
            .provider_by_key(&api_key_hash(key))
            .await?
            .ok_or_else(unauthorized)?;
        Ok(Self { provider, scopes })
    }
}
