//! One patrol worker: lease a batch, scan it, complete it, repeat.
//!
//! The scan runs on a blocking thread with one [`Scratch`] per batch; the
//! results and their effects are written, and the next batch leased, in
//! one commit ([`PatrolStore::complete_and_lease`]). When a write fails the batch is left
//! to its lease: it comes back after `lease` and is scanned again, which
//! the store's unique keys make harmless. An item that keeps failing is
//! retried at every lease expiry and shows in the queue's lag.

use super::LiveRules;
use harrier_core::clock::Clock;
use harrier_core::patrol::{LeasedItem, NewSignal, PatrolStore, ScanResult};
use harrier_detect::item::{ImageHashes, Item};
use harrier_detect::rules::{Ruleset, Scratch};
use harrier_detect::signal::{RuleState, Signal};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Metric names of the patrol.
pub const ITEMS_SCANNED: &str = "harrier_patrol_items_scanned_total";
pub const SIGNALS: &str = "harrier_patrol_signals_total";
pub const WORKER_ERRORS: &str = "harrier_patrol_worker_errors_total";

#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Items leased at a time.
    pub batch: usize,
    /// How long a lease lasts.
    pub lease: Duration,
    /// Pause when the queue is empty.
    pub idle: Duration,
}

/// Run until `stop` turns true; the batch in hand is scanned and completed
/// first, so a graceful stop leaves no lease to expire.
pub async fn run_worker(
    name: String,
    store: Arc<dyn PatrolStore>,
    rules: Arc<LiveRules>,
    clock: Arc<dyn Clock>,
    options: WorkerOptions,
    mut stop: watch::Receiver<bool>,
) {
    tracing::info!(worker = %name, "patrol worker started");
    // The batch in hand: leased, not yet completed.
    let mut leased: Vec<LeasedItem> = Vec::new();
    loop {
        if leased.is_empty() {
            // Stop only with empty hands: a batch in hand is finished first.
            if *stop.borrow() {
                break;
            }
            match store
                .lease_items(&name, options.batch, options.lease, clock.now())
                .await
            {
                Ok(next) => leased = next,
                Err(error) => {
                    metrics::counter!(WORKER_ERRORS, "stage" => "lease").increment(1);
                    tracing::error!(worker = %name, %error, "could not lease items");
                    pause(&mut stop, options.lease.min(Duration::from_secs(5))).await;
                    continue;
                }
            }
            if leased.is_empty() {
                pause(&mut stop, options.idle).await;
                continue;
            }
        }
        let ruleset = rules.current();
        let batch = std::mem::take(&mut leased);
        let count = batch.len() as u64;
        let results = match tokio::task::spawn_blocking(move || scan_batch(&ruleset, batch)).await {
            Ok(results) => results,
            Err(error) => {
                metrics::counter!(WORKER_ERRORS, "stage" => "scan").increment(1);
                tracing::error!(worker = %name, %error, "a scan panicked; the batch waits for its lease");
                continue;
            }
        };
        let found = signal_labels(&results);
        // Complete this batch and lease the next in one commit, unless
        // stopping (then complete only).
        let outcome = if *stop.borrow() {
            store
                .complete_items(results, clock.now())
                .await
                .map(|done| (done, Vec::new()))
        } else {
            store
                .complete_and_lease(results, &name, options.batch, options.lease, clock.now())
                .await
        };
        match outcome {
            Ok((_, next)) => {
                metrics::counter!(ITEMS_SCANNED).increment(count);
                for (category, rule, live) in found {
                    metrics::counter!(SIGNALS, "category" => category, "rule" => rule,
                        "live" => if live { "true" } else { "false" })
                    .increment(1);
                }
                leased = next;
            }
            Err(error) => {
                metrics::counter!(WORKER_ERRORS, "stage" => "complete").increment(1);
                tracing::error!(worker = %name, %error, "could not store a batch's results; it waits for its lease");
            }
        }
    }
    tracing::info!(worker = %name, "patrol worker stopped");
}

/// (category, rule, live) of every signal found, counted once stored.
fn signal_labels(results: &[ScanResult]) -> Vec<(String, String, bool)> {
    results
        .iter()
        .flat_map(|result| &result.signals)
        .map(|signal| (signal.category.clone(), signal.rule.clone(), signal.live))
        .collect()
}

async fn pause(stop: &mut watch::Receiver<bool>, how_long: Duration) {
    tokio::select! {
        _ = tokio::time::sleep(how_long) => {},
        _ = stop.changed() => {},
    }
}

/// Scan every item of a batch (taken, so its texts move into the engine's
/// items instead of being copied).
pub fn scan_batch(ruleset: &Ruleset, leased: Vec<LeasedItem>) -> Vec<ScanResult> {
    let mut scratch = Scratch::default();
    let mut signals = Vec::new();
    leased
        .into_iter()
        .map(|leased| {
            let item_id = leased.item_id;
            let item = to_item(leased);
            signals.clear();
            ruleset.scan_into(&item, &mut scratch, &mut signals);
            ScanResult {
                item_id,
                signals: signals.iter().map(new_signal).collect(),
            }
        })
        .collect()
}

fn to_item(leased: LeasedItem) -> Item {
    let images: Vec<ImageHashes> = serde_json::from_str(&leased.images_json).unwrap_or_default();
    Item {
        id: leased.external_id,
        text: leased.text,
        lang: leased.lang,
        provider: Some(leased.provider),
        account: leased.account,
        room: leased.room,
        ts: leased.ts,
        images,
    }
}

fn new_signal(signal: &Signal) -> NewSignal {
    NewSignal {
        rule: signal.rule.clone(),
        category: signal.category.clone(),
        severity: serde_json::to_value(signal.severity)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "low".into()),
        live: signal.state == RuleState::Live,
        score: signal.score,
        ruleset_version: signal.ruleset_version.clone(),
        explanation_json: serde_json::to_string(&signal.explanation)
            .unwrap_or_else(|_| "{}".into()),
    }
}
