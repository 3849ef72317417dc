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

/// What a staff route allows; checked by [`Authenticated::require`] and the
/// console's `ConsoleStaff::require`.
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
    /// Read cases, their signals and evidence.
    ReadCases,
    /// Put a tip-off into a case.
    TriageReports,
    /// Move a case (the transition table narrows each move by role) or
    /// claim it.
    MoveCases,
    /// Assign cases to others and act on many at once.
    AssignCases,
    /// Add evidence to a case.
    AddEvidence,
    /// Export a case's evidence with its manifest.
    ExportEvidence,
    /// Read the audit log.
    ReadAudit,
    /// Manage one's own sign-in: password, TOTP, sessions.
    OwnAccount,
    /// Take a decision (statement of reasons) on a case.
    TakeDecisions,
    /// Decide appeals (never one's own decision: the store checks that).
    ReviewAppeals,
    /// Edit the message templates for affected people.
    ManageTemplates,
    /// Export statements of reasons (DSA Transparency Database format).
    ExportStatements,
    /// Read orders, their deliveries, answers and provider compliance.
    ReadOrders,
    /// Send orders to providers and redeliver dead-lettered ones.
    SendOrders,
}

const EVERYONE: &[Role] = &Role::ALL;
const CASE_WORKERS: &[Role] = &[Role::Admin, Role::Analyst, Role::Moderator];

/// The roles allowed for each permission.
pub const PERMISSIONS: [(Permission, &[Role]); 19] = [
    (Permission::ReadReports, EVERYONE),
    (Permission::LogPhoneReport, &[Role::Admin, Role::Intake]),
    (Permission::ManageProviders, &[Role::Admin]),
    (Permission::ReloadRules, &[Role::Admin]),
    (
        Permission::ReadPatrol,
        &[Role::Admin, Role::Analyst, Role::Moderator, Role::Auditor],
    ),
    (Permission::ReadCases, EVERYONE),
    (
        Permission::TriageReports,
        &[Role::Admin, Role::Intake, Role::Analyst, Role::Moderator],
    ),
    (
        Permission::MoveCases,
        &[
            Role::Admin,
            Role::Intake,
            Role::Analyst,
            Role::Moderator,
            Role::Reviewer,
        ],
    ),
    (Permission::AssignCases, CASE_WORKERS),
    (Permission::AddEvidence, CASE_WORKERS),
    (Permission::ExportEvidence, CASE_WORKERS),
    (Permission::ReadAudit, &[Role::Admin, Role::Auditor]),
    (Permission::OwnAccount, EVERYONE),
    (Permission::TakeDecisions, &[Role::Admin, Role::Moderator]),
    (Permission::ReviewAppeals, &[Role::Admin, Role::Reviewer]),
    (Permission::ManageTemplates, &[Role::Admin]),
    (
        Permission::ExportStatements,
        &[Role::Admin, Role::Moderator, Role::Reviewer, Role::Auditor],
    ),
    (Permission::ReadOrders, EVERYONE),
    (Permission::SendOrders, &[Role::Admin, Role::Moderator]),
];

pub fn allowed(permission: Permission, role: Role) -> bool {
    PERMISSIONS
        .iter()
        .find(|(p, _)| *p == permission)
        .is_some_and(|(_, roles)| roles.contains(&role))
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (rate-limited where it writes).
    Public,
    /// A provider's API key with this scope.
    Provider(Scope),
    /// A staff token (API) or the console's session cookie, with the roles
    /// of this permission.
    Staff(Permission),
    /// Either: a staff token with the permission, or a provider's key with
    /// the scope (which sees only the provider's own records).
    StaffOrProvider(Permission, Scope),
}

/// Every route of the server and who may call it: the one table. The
/// handlers check the same permission; `tests/authorisation.rs` calls every
/// staff route with every role and compares the answers with this table,
/// and checks that the OpenAPI document lists no route missing here.
pub const ROUTES: &[(&str, &str, Access)] = {
    use Access::*;
    use Permission::*;
    &[
        // The public portal.
        ("GET", "/", Public),
        ("GET", "/learn", Public),
        ("GET", "/learn/{slug}", Public),
        ("GET", "/help", Public),
        ("GET", "/report", Public),
        ("POST", "/report", Public),
        ("GET", "/r", Public),
        ("GET", "/r/{code}", Public),
        ("GET", "/appeal", Public),
        ("GET", "/appeal/{code}", Public),
        ("POST", "/appeal/{code}", Public),
        ("GET", "/static/site.css", Public),
        ("GET", "/healthz", Public),
        ("GET", "/metrics", Public),
        ("GET", "/api/openapi.json", Public),
        // Intake and staff sign-in.
        ("POST", "/api/v1/reports", Public),
        ("POST", "/api/v1/auth/login", Public),
        ("POST", "/api/v1/auth/logout-all", Staff(OwnAccount)),
        ("GET", "/api/v1/categories", Public),
        ("POST", "/api/v1/reports/phone", Staff(LogPhoneReport)),
        ("GET", "/api/v1/reports", Staff(ReadReports)),
        ("GET", "/api/v1/reports/{id}", Staff(ReadReports)),
        ("GET", "/api/v1/subjects", Staff(ReadReports)),
        ("GET", "/api/v1/subjects/{id}", Staff(ReadReports)),
        ("GET", "/api/v1/search", Staff(ReadReports)),
        ("GET", "/api/v1/groups", Staff(ReadCases)),
        ("GET", "/api/v1/groups/{id}", Staff(ReadCases)),
        // The patrol.
        ("POST", "/api/v1/items", Provider(Scope::Feed)),
        ("GET", "/api/v1/providers", Staff(ManageProviders)),
        ("POST", "/api/v1/providers", Staff(ManageProviders)),
        (
            "POST",
            "/api/v1/providers/{name}/keys",
            Staff(ManageProviders),
        ),
        (
            "DELETE",
            "/api/v1/provider-keys/{prefix}",
            Staff(ManageProviders),
        ),
        ("POST", "/api/v1/rules/reload", Staff(ReloadRules)),
        ("GET", "/api/v1/patrol/status", Staff(ReadPatrol)),
        // Cases, evidence and the audit log.
        ("GET", "/api/v1/cases", Staff(ReadCases)),
        ("GET", "/api/v1/cases/{id}", Staff(ReadCases)),
        ("POST", "/api/v1/cases/{id}/transition", Staff(MoveCases)),
        ("POST", "/api/v1/cases/{id}/claim", Staff(MoveCases)),
        ("POST", "/api/v1/cases/{id}/assign", Staff(AssignCases)),
        ("POST", "/api/v1/cases/bulk", Staff(AssignCases)),
        ("POST", "/api/v1/reports/{id}/triage", Staff(TriageReports)),
        ("POST", "/api/v1/cases/{id}/evidence", Staff(AddEvidence)),
        (
            "GET",
            "/api/v1/cases/{id}/evidence/{sha256}",
            Staff(ReadCases),
        ),
        ("GET", "/api/v1/cases/{id}/export", Staff(ExportEvidence)),
        ("GET", "/api/v1/audit", Staff(ReadAudit)),
        ("GET", "/api/v1/audit/head", Staff(ReadAudit)),
        // Decisions, appeals and message templates.
        ("POST", "/api/v1/cases/{id}/decisions", Staff(TakeDecisions)),
        ("GET", "/api/v1/cases/{id}/decisions", Staff(ReadCases)),
        (
            "POST",
            "/api/v1/cases/{id}/decisions/preview",
            Staff(TakeDecisions),
        ),
        ("GET", "/api/v1/decisions/{id}", Staff(ReadCases)),
        ("GET", "/api/v1/appeals", Staff(ReadCases)),
        ("GET", "/api/v1/appeals/{id}", Staff(ReadCases)),
        ("POST", "/api/v1/appeals/{id}/review", Staff(ReviewAppeals)),
        ("GET", "/api/v1/message-templates", Staff(ReadCases)),
        ("PUT", "/api/v1/message-templates", Staff(ManageTemplates)),
        ("GET", "/staff/cases/{id}/decide", Staff(TakeDecisions)),
        ("POST", "/staff/cases/{id}/decide", Staff(TakeDecisions)),
        ("GET", "/staff/appeals", Staff(ReadCases)),
        ("GET", "/staff/appeals/{id}", Staff(ReadCases)),
        ("POST", "/staff/appeals/{id}/review", Staff(ReviewAppeals)),
        ("GET", "/staff/templates", Staff(ReadCases)),
        ("POST", "/staff/templates", Staff(ManageTemplates)),
        // Orders to providers, deliveries, answers and compliance.
        (
            "GET",
            "/api/v1/orders",
            StaffOrProvider(ReadOrders, Scope::Orders),
        ),
        (
            "GET",
            "/api/v1/orders/{id}",
            StaffOrProvider(ReadOrders, Scope::Orders),
        ),
        (
            "POST",
            "/api/v1/orders/{id}/response",
            Provider(Scope::Orders),
        ),
        ("POST", "/api/v1/cases/{id}/orders", Staff(SendOrders)),
        ("GET", "/api/v1/providers/compliance", Staff(ReadOrders)),
        // The statement-of-reasons export.
        ("GET", "/api/v1/decisions/export", Staff(ExportStatements)),
        // The console (session cookie).
        ("GET", "/staff", Public),
        ("GET", "/staff/login", Public),
        ("POST", "/staff/login", Public),
        ("POST", "/staff/login/enrol", Public),
        ("POST", "/staff/logout", Staff(OwnAccount)),
        ("POST", "/staff/logout-all", Staff(OwnAccount)),
        ("GET", "/staff/account", Staff(OwnAccount)),
        ("POST", "/staff/account/totp", Staff(OwnAccount)),
        ("POST", "/staff/account/totp/confirm", Staff(OwnAccount)),
        ("POST", "/staff/account/password", Staff(OwnAccount)),
        ("GET", "/staff/patrol", Staff(ReadPatrol)),
        ("GET", "/staff/cases", Staff(ReadCases)),
        ("POST", "/staff/cases/bulk", Staff(AssignCases)),
        ("GET", "/staff/cases/{id}", Staff(ReadCases)),
        ("POST", "/staff/cases/{id}/transition", Staff(MoveCases)),
        ("POST", "/staff/cases/{id}/claim", Staff(MoveCases)),
        ("POST", "/staff/cases/{id}/evidence", Staff(AddEvidence)),
        (
            "GET",
            "/staff/cases/{id}/evidence/{sha256}",
            Staff(ReadCases),
        ),
        ("GET", "/staff/cases/{id}/export", Staff(ExportEvidence)),
        ("GET", "/staff/reports", Staff(ReadReports)),
        ("POST", "/staff/reports/{id}/triage", Staff(TriageReports)),
        ("GET", "/staff/audit", Staff(ReadAudit)),
        ("GET", "/staff/subjects/{id}", Staff(ReadReports)),
        ("GET", "/staff/search", Staff(ReadReports)),
        ("POST", "/staff/views", Staff(OwnAccount)),
        ("POST", "/staff/views/{id}/delete", Staff(OwnAccount)),
        // Orders to providers in the console.
        ("GET", "/staff/orders", Staff(ReadOrders)),
        ("POST", "/staff/orders", Staff(SendOrders)),
        ("GET", "/staff/orders/{id}", Staff(ReadOrders)),
        ("POST", "/staff/orders/{id}/redeliver", Staff(SendOrders)),
        ("GET", "/staff/compliance", Staff(ReadOrders)),
    ]
};

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
