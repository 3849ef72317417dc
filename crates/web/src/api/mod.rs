//! The JSON API, version 1, and its OpenAPI 3.1 document.
//!
//! Every route is listed in [`ApiDoc`]; a test fails when a route of the
//! router is missing from the document.

pub mod cases;
pub mod decisions;
pub mod dto;
pub mod groups;
pub mod items;
mod json;
pub mod login;
pub mod ops;
pub mod orders;
pub mod patrol;
pub mod reports;
pub mod sor_export;

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
        patrol::list_providers, patrol::reload_rules, patrol::status,
        cases::list, cases::get, cases::transition, cases::claim, cases::assign, cases::bulk,
        cases::triage, cases::add_evidence, cases::evidence_file, cases::export_zip,
        cases::audit, cases::audit_head, cases::subject, cases::search,
        groups::list, groups::get,
        decisions::preview, decisions::take, decisions::of_case, decisions::get,
        decisions::appeals, decisions::appeal, decisions::review, decisions::templates,
        decisions::put_template,
        orders::list, orders::get, orders::respond, orders::create, orders::provider_compliance,
        sor_export::export
    ),
    modifiers(&StaffToken),
    tags(
        (name = "intake", description = "Reports from the public and from staff"),
        (name = "staff", description = "Staff sign-in and reading reports"),
        (name = "operations", description = "Health and metrics"),
        (name = "patrol", description = "Provider feeds, the ruleset and the patrol's status"),
        (name = "cases", description = "Cases, triage of reports, evidence"),
        (name = "audit", description = "The hash-chained audit log"),
        (name = "decisions", description = "Decisions with statements of reasons, appeals, message templates"),
        (name = "orders", description = "Orders to providers: polling, answers, compliance"),
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
        .route("/api/v1/cases", get(cases::list))
        .route("/api/v1/cases/bulk", post(cases::bulk))
        .route("/api/v1/cases/{id}", get(cases::get))
        .route("/api/v1/cases/{id}/transition", post(cases::transition))
        .route("/api/v1/cases/{id}/claim", post(cases::claim))
        .route("/api/v1/cases/{id}/assign", post(cases::assign))
        .route(
            "/api/v1/cases/{id}/evidence",
            post(cases::add_evidence)
                .layer(DefaultBodyLimit::max(crate::cases::MAX_EVIDENCE_BYTES)),
        )
        .route(
            "/api/v1/cases/{id}/evidence/{sha256}",
            get(cases::evidence_file),
        )
        .route("/api/v1/cases/{id}/export", get(cases::export_zip))
        .route("/api/v1/reports/{id}/triage", post(cases::triage))
        .route("/api/v1/audit", get(cases::audit))
        .route("/api/v1/audit/head", get(cases::audit_head))
        .route("/api/v1/subjects/{id}", get(cases::subject))
        .route("/api/v1/search", get(cases::search))
        .route("/api/v1/groups", get(groups::list))
        .route("/api/v1/groups/{id}", get(groups::get))
        .route(
            "/api/v1/cases/{id}/decisions",
            post(decisions::take).get(decisions::of_case),
        )
        .route(
            "/api/v1/cases/{id}/decisions/preview",
            post(decisions::preview),
        )
        .route("/api/v1/decisions/{id}", get(decisions::get))
        .route("/api/v1/appeals", get(decisions::appeals))
        .route("/api/v1/appeals/{id}", get(decisions::appeal))
        .route("/api/v1/appeals/{id}/review", post(decisions::review))
        .route(
            "/api/v1/message-templates",
            get(decisions::templates).put(decisions::put_template),
        )
        // Orders to providers.
        .route("/api/v1/orders", get(orders::list))
        .route("/api/v1/orders/{id}", get(orders::get))
        .route(
            "/api/v1/orders/{id}/response",
            post(orders::respond).layer(DefaultBodyLimit::max(orders::MAX_ANSWER_BYTES)),
        )
        .route("/api/v1/cases/{id}/orders", post(orders::create))
        .route(
            "/api/v1/providers/compliance",
            get(orders::provider_compliance),
        )
        .route("/api/v1/decisions/export", get(sor_export::export))
}
