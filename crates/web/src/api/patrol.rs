//! The patrol's staff API: providers and their keys (admin), the ruleset's
//! reload (admin), and the patrol's status.

use super::json::parse_json;
use crate::AppState;
use crate::audit;
use crate::auth::{Authenticated, Permission};
use crate::errors::{ApiError, ErrorBody};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use harrier_core::patrol::{PatrolStatus, Scope, new_api_key, parse_scopes};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProvider {
    /// 1 to 100 characters: letters, digits, space, `.`, `-`, `_`.
    pub name: String,
    /// Scopes of the first key, comma-separated: feed, orders, reports
    /// (default: feed).
    #[serde(default)]
    pub scopes: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// Comma-separated: feed, orders, reports.
    pub scopes: String,
}

/// A key, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedKey {
    pub provider: String,
    /// The whole key: store it now, it is not shown again.
    pub key: String,
    /// The key's public prefix, to name and revoke it.
    pub prefix: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderView {
    pub name: String,
    pub created_at: String,
    pub keys: Vec<KeyView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyView {
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Reloaded {
    pub version: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusView {
    /// The ruleset in use, when this process runs the patrol.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ruleset_version: Option<String>,
    #[schema(value_type = Object)]
    #[serde(flatten)]
    pub status: PatrolStatus,
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A provider name: what `harrier provider add` accepts too.
pub fn check_provider_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err("a provider name has 1 to 100 characters".into());
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_'))
    {
        return Err("a provider name holds letters, digits, spaces, '.', '-' and '_' only".into());
    }
    Ok(name)
}

fn scopes_of(text: Option<&str>) -> Result<Vec<Scope>, ApiError> {
    parse_scopes(text.unwrap_or("feed")).map_err(|message| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_scopes", message)
            .with_field("scopes")
    })
}

async fn issue(
    state: &AppState,
    provider_id: i64,
    provider: &str,
    scopes: Vec<Scope>,
) -> Result<IssuedKey, ApiError> {
    let key = new_api_key();
    state
        .patrol
        .add_provider_key(
            provider_id,
            &key.prefix,
            &key.hash,
            &scopes,
            state.clock.now(),
        )
        .await?;
    Ok(IssuedKey {
        provider: provider.to_owned(),
        key: key.secret,
        prefix: key.prefix,
        scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
    })
}

/// Create a provider and its first API key (admin).
#[utoipa::path(post, path = "/api/v1/providers", tag = "patrol", request_body = NewProvider,
    security(("staff_token" = [])),
    responses((status = 201, body = IssuedKey), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_provider(
    State(state): State<AppState>,
    auth: Authenticated,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<IssuedKey>), ApiError> {
    let staff = auth.require(Permission::ManageProviders, "manage providers")?;
    let request: NewProvider = parse_json(&super::json::body(body)?)?;
    let name = check_provider_name(&request.name).map_err(|message| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_name", message).with_field("name")
    })?;
    let scopes = scopes_of(request.scopes.as_deref())?;
    let provider = state.patrol.add_provider(name, state.clock.now()).await?;
    let issued = issue(&state, provider.id, &provider.name, scopes).await?;
    audit::record(
        &state,
        audit::by(staff),
        "provider.created",
        format!("provider:{}", provider.name),
        json!({"key_prefix": issued.prefix, "scopes": issued.scopes}),
    )
    .await;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// Issue another key for a provider (admin).
#[utoipa::path(post, path = "/api/v1/providers/{name}/keys", tag = "patrol", request_body = NewKey,
    params(("name" = String, Path)), security(("staff_token" = [])),
    responses((status = 201, body = IssuedKey), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_key(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(name): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<IssuedKey>), ApiError> {
    let staff = auth.require(Permission::ManageProviders, "manage providers")?;
    let request: NewKey = parse_json(&super::json::body(body)?)?;
    let scopes = scopes_of(Some(&request.scopes))?;
    let provider = state
        .patrol
        .provider(&name)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("provider {name:?}")))?;
    let issued = issue(&state, provider.id, &provider.name, scopes).await?;
    audit::record(
        &state,
        audit::by(staff),
        "provider.key_issued",
        format!("provider:{}", provider.name),
        json!({"key_prefix": issued.prefix, "scopes": issued.scopes}),
    )
    .await;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// Revoke a key by its prefix (admin). Takes effect on the next request.
#[utoipa::path(delete, path = "/api/v1/provider-keys/{prefix}", tag = "patrol",
    params(("prefix" = String, Path)), security(("staff_token" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_key(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(prefix): Path<String>,
) -> Result<StatusCode, ApiError> {
    let staff = auth.require(Permission::ManageProviders, "manage providers")?;
    state
        .patrol
        .revoke_provider_key(&prefix, state.clock.now())
        .await?;
    audit::record(
        &state,
        audit::by(staff),
        "provider.key_revoked",
        format!("provider-key:{prefix}"),
        json!({}),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// Providers and their keys, never the secrets (admin).
#[utoipa::path(get, path = "/api/v1/providers", tag = "patrol", security(("staff_token" = [])),
    responses((status = 200, body = Vec<ProviderView>), (status = 403, body = ErrorBody)))]
pub async fn list_providers(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<ProviderView>>, ApiError> {
    auth.require(Permission::ManageProviders, "manage providers")?;
    let providers = state.patrol.list_providers().await?;
    Ok(Json(
        providers
            .into_iter()
            .map(|(provider, keys)| ProviderView {
                name: provider.name,
                created_at: rfc3339(provider.created_at),
                keys: keys
                    .into_iter()
                    .map(|key| KeyView {
                        prefix: key.prefix,
                        scopes: key.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
                        created_at: rfc3339(key.created_at),
                        revoked_at: key.revoked_at.map(rfc3339),
                    })
                    .collect(),
            })
            .collect(),
    ))
}

/// Compile the ruleset folder again and swap it in (admin). A ruleset that
/// does not compile is refused and the old one stays.
#[utoipa::path(post, path = "/api/v1/rules/reload", tag = "patrol", security(("staff_token" = [])),
    responses((status = 200, body = Reloaded), (status = 422, description = "does not compile; the error names file, line and rule", body = ErrorBody),
        (status = 503, description = "this process runs no patrol", body = ErrorBody)))]
pub async fn reload_rules(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Reloaded>, ApiError> {
    let staff = auth.require(Permission::ReloadRules, "reload the ruleset")?;
    let rules = state.rules.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_patrol",
            "this process runs no patrol; send SIGHUP to the harrier patrol process",
        )
    })?;
    let version = tokio::task::spawn_blocking(move || rules.reload())
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "reload_failed",
                e.to_string(),
            )
        })?
        .map_err(|message| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "ruleset_does_not_compile",
                format!("the ruleset was not reloaded; the old one stays: {message}"),
            )
        })?;
    audit::record(
        &state,
        audit::by(staff),
        "rules.reloaded",
        "ruleset",
        json!({"version": version}),
    )
    .await;
    Ok(Json(Reloaded { version }))
}

/// The queue, its lag, signals per rule, open cases.
#[utoipa::path(get, path = "/api/v1/patrol/status", tag = "patrol", security(("staff_token" = [])),
    responses((status = 200, body = StatusView), (status = 403, body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<StatusView>, ApiError> {
    auth.require(Permission::ReadPatrol, "read the patrol's status")?;
    let status = state.patrol.patrol_status(state.clock.now()).await?;
    Ok(Json(StatusView {
        ruleset_version: state.rules.as_ref().map(|r| r.version()),
        status,
    }))
}
