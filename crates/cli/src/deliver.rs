//! The sender of order webhooks: a task in `harrier serve` that claims due
//! deliveries (with a lease, so several `serve` processes can run), signs
//! each with the provider's secrets (Standard Webhooks headers), POSTs it,
//! and records the outcome: a 2xx answer is delivered; anything else, a
//! redirect or a network error is a failed attempt, retried with backoff
//! and jitter until `orders.give_up_hours` after the first attempt, then
//! dead. Every retry carries the same delivery id and body.
//!
//! The HTTP client is reqwest over rustls with the ring provider: no
//! redirects, a timeout per attempt, no proxy from the environment, and at
//! most [`ANSWER_BYTES`] of an answer read (for the error kept).

use crate::config::OrdersConfig;
use harrier_core::clock::Clock;
use harrier_core::orders::delivery::{Attempt, DeliveryStore, DueDelivery};
use harrier_core::orders::webhook::{
    self, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, Retry, RetryPolicy, WebhookSecret,
};
use harrier_core::seal;
use std::sync::Arc;
use std::time::Duration;

/// Deliveries counted by outcome: delivered, failed (to be retried), dead.
pub const DELIVERIES: &str = "harrier_order_deliveries_total";
/// Errors of the sender itself (the database), by stage.
pub const SENDER_ERRORS: &str = "harrier_order_sender_errors_total";
/// The most of an answer read.
pub const ANSWER_BYTES: usize = 4 * 1024;
/// Deliveries claimed at a time.
const BATCH: u32 = 32;

/// An HTTP client for webhooks and the provider-sim's answers: rustls with
/// ring (installed as the process's provider once), no redirects, no proxy.
pub fn http_client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    // Only the first call installs it; later calls find it there.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("Harrier/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// What the sender needs.
pub struct Sender {
    pub store: Arc<dyn DeliveryStore>,
    pub clock: Arc<dyn Clock>,
    pub server_key: [u8; 32],
    pub settings: OrdersConfig,
}

impl Sender {
    fn policy(&self) -> RetryPolicy {
        RetryPolicy {
            base: time::Duration::seconds(i64::from(self.settings.retry_base_seconds.max(1))),
            cap: time::Duration::seconds(i64::from(self.settings.retry_cap_seconds.max(1))),
            give_up_after: time::Duration::hours(i64::from(self.settings.give_up_hours.max(1))),
        }
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(u64::from(self.settings.timeout_seconds.max(1)))
    }

    /// Longer than one attempt can take, so a live sender never loses its
    /// lease; a dead sender's deliveries wait this long.
    fn lease(&self) -> time::Duration {
        time::Duration::seconds(2 * i64::from(self.settings.timeout_seconds.max(1)) + 5)
    }

    /// Claims and sends what is due; returns how many were claimed.
    pub async fn run_once(self: &Arc<Self>, client: &reqwest::Client) -> anyhow::Result<usize> {
        let due = self
            .store
            .claim_deliveries(BATCH, self.lease(), self.clock.now())
            .await?;
        let count = due.len();
        let mut sends = tokio::task::JoinSet::new();
        for delivery in due {
            let (sender, client) = (Arc::clone(self), client.clone());
            sends.spawn(async move { sender.send(&client, delivery).await });
        }
        while let Some(done) = sends.join_next().await {
            if let Ok(Err(error)) = done {
                metrics::counter!(SENDER_ERRORS, "stage" => "record").increment(1);
                tracing::warn!(%error, "could not record a delivery attempt");
            }
        }
        Ok(count)
    }

    async fn send(&self, client: &reqwest::Client, delivery: DueDelivery) -> anyhow::Result<()> {
        let attempted_at = self.clock.now();
        let outcome = self.attempt(client, &delivery, attempted_at).await;
        let now = self.clock.now();
        let attempt = match outcome {
            Ok(status) => Attempt::Delivered { status },
            Err((status, error)) => {
                let first = delivery.first_attempt_at.unwrap_or(attempted_at);
                let retry = self.policy().after_failure(
                    delivery.attempts.saturating_add(1),
                    first,
                    now,
                    &mut rand::rng(),
                );
                Attempt::Failed {
                    status,
                    error,
                    retry_at: match retry {
                        Retry::At(at) => Some(at),
                        Retry::GiveUp => None,
                    },
                }
            }
        };
        let outcome = match &attempt {
            Attempt::Delivered { .. } => "delivered",
            Attempt::Failed { retry_at: None, .. } => "dead",
            Attempt::Failed { .. } => "failed",
        };
        metrics::counter!(DELIVERIES, "outcome" => outcome).increment(1);
        match &attempt {
            Attempt::Failed {
                error, retry_at, ..
            } => tracing::info!(
                order = delivery.order_id,
                delivery = %delivery.delivery_id,
                %error,
                retry_at = ?retry_at,
                "order delivery failed"
            ),
            Attempt::Delivered { status } => tracing::debug!(
                order = delivery.order_id,
                delivery = %delivery.delivery_id,
                status,
                "order delivered"
            ),
        }
        self.store
            .record_attempt(delivery.order_id, attempt, attempted_at, now)
            .await?;
        Ok(())
    }

    /// One POST: the status of a 2xx answer, or the status (if any) and
    /// what went wrong.
    async fn attempt(
        &self,
        client: &reqwest::Client,
        delivery: &DueDelivery,
        now: time::OffsetDateTime,
    ) -> Result<u16, (Option<u16>, String)> {
        let hook = &delivery.webhook;
        let url = webhook::check_url(&hook.url, self.settings.allow_http_loopback)
            .map_err(|e| (None, e.to_string()))?;
        let secrets = self.secrets(delivery, now)?;
        let timestamp = now.unix_timestamp();
        let signature = webhook::sign(
            &secrets,
            &delivery.delivery_id,
            timestamp,
            delivery.body.as_bytes(),
        );
        let response = client
            .post(url)
            .header("content-type", "application/json")
            .header(HEADER_ID, &delivery.delivery_id)
            .header(HEADER_TIMESTAMP, timestamp.to_string())
            .header(HEADER_SIGNATURE, signature)
            .body(delivery.body.clone())
            .send()
            .await
            .map_err(|e| (None, describe(e)))?;
        let status = response.status();
        if status.is_success() {
            return Ok(status.as_u16());
        }
        let answer = read_some(response).await;
        Err((
            Some(status.as_u16()),
            format!("HTTP {}: {}", status.as_u16(), answer.trim()),
        ))
    }

    fn secrets(
        &self,
        delivery: &DueDelivery,
        now: time::OffsetDateTime,
    ) -> Result<Vec<WebhookSecret>, (Option<u16>, String)> {
        let hook = &delivery.webhook;
        let open = |sealed: &str| {
            seal::open(&self.server_key, seal::WEBHOOK, hook.provider_id, sealed)
                .map(WebhookSecret::from_bytes)
        };
        let current = open(&hook.sealed_secret).map_err(|e| (None, e.to_string()))?;
        // A previous secret that no longer opens is left out, not fatal.
        let previous = match (&hook.sealed_previous, hook.previous_until) {
            (Some(sealed), Some(until)) => open(sealed).ok().map(|s| (s, until)),
            _ => None,
        };
        Ok(webhook::signing_secrets(current, previous, now))
    }
}

/// A network error in a few words, without the URL's query.
fn describe(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_redirect() {
        "redirect"
    } else {
        "request failed"
    };
    let error = error.without_url();
    let mut text = format!("{kind}: {error}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// At most [`ANSWER_BYTES`] of an answer, as text.
async fn read_some(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < ANSWER_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    bytes.truncate(ANSWER_BYTES);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Starts the sender in `harrier serve`: every `interval_seconds`, or at
/// once again while full batches keep coming.
pub fn start(
    sender: Sender,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let client = http_client(sender.timeout())?;
    let interval = Duration::from_secs(u64::from(sender.settings.interval_seconds.max(1)));
    let sender = Arc::new(sender);
    tokio::spawn(async move {
        loop {
            let wait = match sender.run_once(&client).await {
                Ok(n) if n >= BATCH as usize => Duration::ZERO,
                Ok(_) => interval,
                Err(error) => {
                    metrics::counter!(SENDER_ERRORS, "stage" => "claim").increment(1);
                    tracing::warn!(%error, "could not claim order deliveries; retrying");
                    interval
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stopped.changed() => return,
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_builds_with_ring() {
        assert!(http_client(Duration::from_secs(1)).is_ok());
        // A second time: the provider is installed already.
        assert!(http_client(Duration::from_secs(1)).is_ok());
    }
}
