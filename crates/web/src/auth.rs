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

/// What an API route allows; checked by [`Authenticated::require`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read reports and subjects (contacts are filtered by role).
    ReadReports,
    /// Log a tip-off received by phone.
    LogPhoneReport,
}

/// The roles allowed for each permission: one table for the whole API.
pub const PERMISSIONS: [(Permission, &[Role]); 2] = [
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
