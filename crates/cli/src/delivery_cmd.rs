//! `harrier provider webhook`, `harrier provider rotate-secret`,
//! `harrier orders dead` and `harrier orders redeliver`: providers'
//! webhooks and dead letters, against the data directory. Secrets are
//! printed once and stored sealed under the server secret.

use crate::config::Config;
use crate::wiring;
use anyhow::Context;
use harrier_core::audit::Actor;
use harrier_core::clock::{Clock, SystemClock};
use harrier_core::orders::delivery::DeliveryStore;
use harrier_core::orders::webhook::{WebhookSecret, check_url};
use harrier_core::patrol::{PatrolStore, Provider};
use harrier_core::seal;

async fn provider(store: &harrier_store::SqliteStore, name: &str) -> anyhow::Result<Provider> {
    store
        .provider(name)
        .await?
        .with_context(|| format!("no provider named {name:?} (harrier provider list)"))
}

/// Sets a provider's webhook with a secret (new: the demo hands it to its
/// provider-sim before the sim's address is known).
pub async fn set_webhook(
    config: &Config,
    store: &harrier_store::SqliteStore,
    provider: &Provider,
    url: &str,
    secret: &WebhookSecret,
) -> anyhow::Result<()> {
    check_url(url, config.orders.allow_http_loopback).map_err(|e| anyhow::anyhow!("{url}: {e}"))?;
    let key = wiring::secret(&config.storage.data_dir)?;
    let sealed = seal::seal(&key, seal::WEBHOOK, provider.id, secret.bytes());
    store
        .set_webhook(
            provider.id,
            url,
            &sealed,
            Actor::System("cli"),
            SystemClock.now(),
        )
        .await?;
    Ok(())
}

pub async fn provider_webhook(config: &Config, name: &str, url: &str) -> anyhow::Result<()> {
    let store = wiring::open_store(config)?;
    let provider = provider(&store, name).await?;
    let secret = WebhookSecret::generate(&mut rand::rng());
    set_webhook(config, &store, &provider, url, &secret).await?;
    println!("Provider {}: orders are sent to {url}", provider.name);
    println!("Signing secret (shown once; give it to the provider now):");
    println!("  {}", secret.to_text());
    println!(
        "Orders made before now stay to be polled (GET /api/v1/orders); new orders are sent, signed (Standard Webhooks)."
    );
    Ok(())
}

pub async fn provider_rotate_secret(
    config: &Config,
    name: &str,
    keep_hours: u32,
) -> anyhow::Result<()> {
    let store = wiring::open_store(config)?;
    let provider = provider(&store, name).await?;
    let key = wiring::secret(&config.storage.data_dir)?;
    let secret = WebhookSecret::generate(&mut rand::rng());
    let sealed = seal::seal(&key, seal::WEBHOOK, provider.id, secret.bytes());
    let now = SystemClock.now();
    let until = now + time::Duration::hours(i64::from(keep_hours));
    let rotated = store
        .rotate_webhook_secret(provider.id, &sealed, until, Actor::System("cli"), now)
        .await?;
    anyhow::ensure!(
        rotated,
        "provider {name:?} has no webhook: harrier provider webhook {name} --url URL"
    );
    println!(
        "Provider {}: new signing secret (shown once):",
        provider.name
    );
    println!("  {}", secret.to_text());
    println!("Both secrets sign deliveries for {keep_hours} hours; then only the new one.");
    Ok(())
}

pub async fn orders_dead(config: &Config) -> anyhow::Result<()> {
    let store = wiring::open_store(config)?;
    let letters = store.dead_letters(1000).await?;
    if letters.is_empty() {
        println!("no dead deliveries");
    }
    for d in letters {
        println!(
            "order {} ({}) to {}: {} attempts, delivery {}, last: {}",
            d.order_id,
            d.order_reference,
            d.provider,
            d.attempts,
            d.delivery_id,
            d.last_error.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}

pub async fn orders_redeliver(config: &Config, order_id: i64) -> anyhow::Result<()> {
    let store = wiring::open_store(config)?;
    let status = store
        .redeliver(order_id, Actor::System("cli"), SystemClock.now())
        .await?;
    println!(
        "order {} ({}): delivery {} to {} is pending again",
        status.order_id, status.order_reference, status.delivery_id, status.provider
    );
    Ok(())
}
