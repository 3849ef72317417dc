//! The intake service shared by the form, the API and phone logging:
//! validate, store durably, count.

use crate::AppState;
use crate::errors::ApiError;
use harrier_core::intake::{Channel, ReportInput, validate};
use harrier_core::ports::{IdempotencyKey, StoredReceipt};

/// Validates and stores one report. Returns only after the commit.
pub async fn submit(
    state: &AppState,
    input: ReportInput,
    channel: Channel,
    idempotency: Option<IdempotencyKey>,
    logged_by: Option<i64>,
) -> Result<StoredReceipt, ApiError> {
    let validated = validate(input, channel, &state.taxonomy, state.clock.now());
    let mut report = match validated {
        Ok(report) => report,
        Err(e) => {
            metrics::counter!(crate::metrics::REPORTS_REFUSED, "code" => e.code()).increment(1);
            return Err(e.into());
        }
    };
    report.logged_by = logged_by;
    let stored = state.store.insert_report(report, idempotency).await?;
    if !stored.replayed {
        metrics::counter!(crate::metrics::REPORTS_STORED, "channel" => channel.as_str())
            .increment(1);
    }
    Ok(stored)
}
