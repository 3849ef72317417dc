//! harrier-web: the HTTP face of Harrier.
//!
//! `portal` serves the public pages (server-rendered, no JavaScript), `api`
//! the JSON API with its OpenAPI document. Handlers are a few lines: extract,
//! call the domain or the store, map the error (`errors.rs`). [`app`] builds
//! the whole router from an [`AppState`], so tests call it without a socket.

pub mod api;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod console;
pub mod content;
pub mod csrf;
pub mod decisions;
pub mod errors;
pub mod export;
pub mod i18n;
pub mod intake;
pub mod metrics;
pub mod portal;
pub mod search;
pub mod security;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use harrier_core::cases::CaseStore;
use harrier_core::clock::Clock;
use harrier_core::decisions::DecisionStore;
use harrier_core::orders::OrderStore;
use harrier_core::patrol::{PatrolStore, RulesControl};
use harrier_core::ports::{BlobStore, Store};
use harrier_core::taxonomy::Taxonomy;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub use security::LimitsConfig;

/// The JSON API's largest request body (the multipart form has its own).
pub const API_BODY_LIMIT: usize = 256 * 1024;

/// Web settings from the `[server]` and `[limits]` tables.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (turn on when served over HTTPS).
    pub secure_cookies: bool,
    /// Hours a staff session (API token or console cookie) lasts at most.
    pub token_hours: u32,
    /// Minutes without use after which a staff session ends.
    pub session_idle_minutes: u32,
    /// Failed sign-ins (password or TOTP) that lock an account; 0: never.
    pub lockout_failures: u32,
    /// Minutes within which those failures must fall.
    pub lockout_window_minutes: u32,
    /// Minutes an account stays locked.
    pub lockout_minutes: u32,
    pub decisions: DecisionsConfig,
}

/// Decisions, notices and appeals (`[decisions]`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DecisionsConfig {
    /// The address people reach the portal at: appeal links in notices
    /// start with it.
    pub public_url: String,
    /// Days a decision can be appealed (at least 183: six months).
    pub appeal_window_days: u32,
    /// Hours a provider gets for an order made with a decision, unless the
    /// order names its own deadline.
    pub order_deadline_hours: u32,
    /// Hours a provider gets to undo or amend after an appeal.
    pub reversal_deadline_hours: u32,
    /// The language of notices when the case does not say (zh or en).
    pub notice_language: String,
    /// The sender of e-mailed notices.
    pub mail_from: String,
    /// Where e-mailed notices are written as `.eml` files for the mail
    /// system to pick up; empty: `<data_dir>/mail-outbox`.
    pub mail_outbox: std::path::PathBuf,
}

impl Default for DecisionsConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            appeal_window_days: harrier_core::decisions::MIN_APPEAL_DAYS,
            order_deadline_hours: 48,
            reversal_deadline_hours: 24,
            notice_language: "zh".into(),
            mail_from: "Harrier <noreply@harrier.invalid>".into(),
            mail_outbox: std::path::PathBuf::new(),
        }
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            token_hours: 12,
            session_idle_minutes: 30,
            lockout_failures: 5,
            lockout_window_minutes: 15,
            lockout_minutes: 15,
            decisions: DecisionsConfig::default(),
        }
    }
}

impl WebConfig {
    pub fn session_policy(&self) -> harrier_core::accounts::session::SessionPolicy {
        harrier_core::accounts::session::SessionPolicy {
            absolute: time::Duration::hours(i64::from(self.token_hours)),
            idle: time::Duration::minutes(i64::from(self.session_idle_minutes)),
        }
    }

    pub fn lockout_policy(&self) -> harrier_core::accounts::lockout::LockoutPolicy {
        harrier_core::accounts::lockout::LockoutPolicy {
            max_failures: self.lockout_failures,
            window: time::Duration::minutes(i64::from(self.lockout_window_minutes)),
            lock_for: time::Duration::minutes(i64::from(self.lockout_minutes)),
        }
    }
}

/// Everything a request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Providers, feed items, the queue, signals and cases.
    pub patrol: Arc<dyn PatrolStore>,
    /// Cases, evidence records and the audit log.
    pub cases: Arc<dyn CaseStore>,
    /// Decisions, appeals, notices and message templates.
    pub decisions: Arc<dyn DecisionStore>,
    /// Webhook deliveries of orders: dead letters and redelivery.
    pub deliveries: Arc<dyn harrier_core::orders::delivery::DeliveryStore>,
    /// Orders to providers: polling, answers, compliance.
    pub orders: Arc<dyn OrderStore>,
    /// The ruleset the patrol uses, when this process runs one.
    pub rules: Option<Arc<dyn RulesControl>>,
    pub blobs: Arc<dyn BlobStore>,
    pub clock: Arc<dyn Clock>,
    pub taxonomy: Arc<Taxonomy>,
    pub content: Arc<content::Content>,
    pub config: Arc<WebConfig>,
    pub limiters: Arc<security::Limiters>,
    /// Signs CSRF tokens; kept in the data directory so restarts and several
    /// front ends agree.
    pub secret: Arc<[u8; 32]>,
}

/// The whole router.
pub fn app(state: AppState) -> Router {
    // Install the recorder before the first request counts anything.
    let _ = metrics::handle();
    Router::new()
        .merge(portal::routes(&state))
        .merge(api::routes(&state))
        .merge(console::routes(&state))
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT))
        .layer(middleware::from_fn(api::ops::count_requests))
        .layer(middleware::from_fn(security::headers))
        .with_state(state)
}
