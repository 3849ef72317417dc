//! Metric names, defined in one place, and the Prometheus recorder.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// Reports stored, by channel.
pub const REPORTS_STORED: &str = "harrier_reports_stored_total";
/// Reports refused, by error code.
pub const REPORTS_REFUSED: &str = "harrier_reports_refused_total";
/// Requests refused by the rate limits.
pub const RATE_LIMITED: &str = "harrier_rate_limited_total";
/// HTTP requests, by route and status.
pub const HTTP_REQUESTS: &str = "harrier_http_requests_total";

/// Feed items waiting to be scanned (leased or not).
pub const PATROL_QUEUED: &str = "harrier_patrol_queue_depth";
/// Of those, held by a worker.
pub const PATROL_LEASED: &str = "harrier_patrol_queue_leased";
/// Seconds since the oldest unscanned item was received.
pub const PATROL_LAG: &str = "harrier_patrol_lag_seconds";
/// Feed items stored.
pub const PATROL_ITEMS: &str = "harrier_patrol_items";
/// Open cases.
pub const PATROL_OPEN_CASES: &str = "harrier_cases_open";

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process-wide Prometheus handle; the recorder is installed on first use.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok().map(|()| handle)
        })
        .as_ref()
}
