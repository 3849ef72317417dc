//! The JSON API, version 1, and its OpenAPI 3.1 document.
//!
//! Every route is listed in [`ApiDoc`]; a test fails when a route of the
//! router is missing from the document.

pub mod dto;
pub mod items;
mod json;
pub mod login;
pub mod ops;
pub mod patrol;
pub mod reports;

use crate::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use harrier_core::patrol::MAX_BATCH_BYTES;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Harrier API", version = "1", description = "Intake of reports (DSA Art. 16 notices) and the staff read API."),
    paths(
        reports::create, reports::create_phone, reports::list, reports::get, reports::subjects,
        reports::categories, login::login, login::logout_all, ops::healthz, ops::metrics,
        items::push, patrol::create_provider, patrol::create_key, patrol::revoke_key,
        patrol::list_providers, patrol::reload_rules, patrol::status
    ),
    modifiers(&StaffToken),
    tags(
        (name = "intake", description = "Reports from the public and from staff"),
        (name = "staff", description = "Staff sign-in and reading reports"),
        (name = "operations", description = "Health and metrics"),
        (name = "patrol", description = "Provider feeds, the ruleset and the patrol's status"),
    )
)]
pub struct ApiDoc;

struct StaffToken;

impl Modify for StaffToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "staff_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "provider_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn openapi_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The API's routes. Those a stranger can hit without a token are
/// rate-limited.
pub fn routes(state: &AppState) -> Router<AppState> {
    let limit = || axum::middleware::from_fn_with_state(state.clone(), crate::security::limit);
    Router::new()
        .route(
            "/api/v1/reports",
            post(reports::create).route_layer(limit()),
        )
        .route(
            "/api/v1/auth/login",
            post(login::login).route_layer(limit()),
        )
        .route("/api/v1/auth/logout-all", post(login::logout_all))
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route("/api/openapi.json", get(ops::openapi))
        .route("/api/v1/reports", get(reports::list))
        .route("/api/v1/reports/phone", post(reports::create_phone))
        .route("/api/v1/reports/{id}", get(reports::get))
        .route("/api/v1/subjects", get(reports::subjects))
        .route("/api/v1/categories", get(reports::categories))
        .route(
            "/api/v1/items",
            post(items::push).layer(DefaultBodyLimit::max(MAX_BATCH_BYTES)),
        )
        .route(
            "/api/v1/providers",
            post(patrol::create_provider).get(patrol::list_providers),
        )
        .route("/api/v1/providers/{name}/keys", post(patrol::create_key))
        .route("/api/v1/provider-keys/{prefix}", delete(patrol::revoke_key))
        .route("/api/v1/rules/reload", post(patrol::reload_rules))
        .route("/api/v1/patrol/status", get(patrol::status))
}
