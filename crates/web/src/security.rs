//! Security headers on every answer, and the rate limits on intake.
//!
//! The portal serves no script at all, so the Content-Security-Policy can
//! forbid every script and every outside origin. Reported content is shown as
//! text only; evidence files are never served to the public.

use crate::AppState;
use crate::errors::ApiError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::DefaultClock;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The console's policy: the portal's plus its own script file (keyboard
/// shortcuts), and nothing inline.
pub const CONSOLE_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
     img-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const HEADERS: [(&str, &str); 7] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    ),
];

/// Adds the security headers to every response.
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let map = response.headers_mut();
    for (name, value) in HEADERS {
        // A route may set a stricter policy of its own (evidence files) or
        // a wider one (the console's script): it is kept.
        map.entry(HeaderName::from_static(name))
            .or_insert(HeaderValue::from_static(value));
    }
    if !map.contains_key(header::CACHE_CONTROL) {
        map.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Settings for the intake rate limits.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Turn the limits off (benchmarks only).
    pub enabled: bool,
    /// Reports and logins one address may send per minute.
    pub per_address_per_minute: u32,
    /// Reports and logins the whole server takes per second.
    pub global_per_second: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            per_address_per_minute: 30,
            global_per_second: 500,
        }
    }
}

type KeyedLimiter = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>;
type GlobalLimiter = RateLimiter<NotKeyed, InMemoryState, DefaultClock>;

/// The limiters, shared by every request.
pub struct Limiters {
    enabled: bool,
    per_address: KeyedLimiter,
    global: GlobalLimiter,
}

impl Limiters {
    pub fn new(config: &LimitsConfig) -> Self {
        let per_minute = NonZeroU32::new(config.per_address_per_minute).unwrap_or(NonZeroU32::MIN);
        let per_second = NonZeroU32::new(config.global_per_second).unwrap_or(NonZeroU32::MIN);
        Self {
            enabled: config.enabled,
            per_address: RateLimiter::keyed(Quota::per_minute(per_minute)),
            global: RateLimiter::direct(Quota::per_second(per_second)),
        }
    }

    fn check(&self, address: IpAddr) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        if self.per_address.check_key(&address).is_err() {
            return Err(ApiError::rate_limited(60));
        }
        if self.global.check().is_err() {
            return Err(ApiError::rate_limited(1));
        }
        // Keep the keyed table from growing without bound under a scan.
        if self.per_address.len() > 100_000 {
            self.per_address.retain_recent();
        }
        Ok(())
    }
}

/// Rate-limits the routes it wraps, by client address and overall.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    match state.limiters.check(address) {
        Ok(()) => next.run(request).await,
        Err(e) => {
            metrics::counter!(crate::metrics::RATE_LIMITED).increment(1);
            e.into_response()
        }
    }
}
