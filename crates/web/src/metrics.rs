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
