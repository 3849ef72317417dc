//! The demo's provider: `demo-provider`, whose webhook points at a
//! provider-sim running inside `harrier demo`, so orders made in the demo
//! are delivered, applied and answered. Each start gives it a new API key
//! (scope orders; the previous start's keys are revoked) and a new signing
//! secret, both only in this process; the sim keeps what it applied in
//! `<data_dir>/demo-provider-sim.jsonl`.

use crate::config::Config;
use crate::provider_sim::{AnswerWith, SimConfig};
use harrier_core::clock::{Clock, SystemClock};
use harrier_core::orders::webhook::WebhookSecret;
use harrier_core::patrol::{PatrolStore, Scope, new_api_key};
use std::net::SocketAddr;

pub const NAME: &str = "demo-provider";

/// Harrier's own address as the sim calls it (a wildcard listen address
/// is reached on loopback).
fn harrier_url(listen: &str) -> String {
    match listen.parse::<SocketAddr>() {
        Ok(mut address) => {
            if address.ip().is_unspecified() {
                address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
            }
            format!("http://{address}")
        }
        Err(_) => format!("http://{listen}"),
    }
}

pub async fn start(config: &Config, store: &harrier_store::SqliteStore) -> anyhow::Result<()> {
    if !config.orders.allow_http_loopback {
        println!(
            "Demo: orders.allow_http_loopback is off, so the demo provider gets no webhook (its orders wait to be polled)."
        );
        return Ok(());
    }
    let now = SystemClock.now();
    let provider = match store.provider(NAME).await? {
        Some(p) => p,
        None => store.add_provider(NAME, now).await?,
    };
    // The last start's key was only in that process: revoke it, so keys do
    // not pile up across demo runs.
    for (p, keys) in store.list_providers().await? {
        if p.id != provider.id {
            continue;
        }
        for old in keys.iter().filter(|k| k.revoked_at.is_none()) {
            store.revoke_provider_key(&old.prefix, now).await?;
        }
    }
    let key = new_api_key();
    store
        .add_provider_key(provider.id, &key.prefix, &key.hash, &[Scope::Orders], now)
        .await?;
    let secret = WebhookSecret::generate(&mut rand::rng());
    let (address, _server) = crate::provider_sim::spawn(SimConfig {
        listen: "127.0.0.1:0".into(),
        secrets: vec![secret.clone()],
        state: config.storage.data_dir.join("demo-provider-sim.jsonl"),
        harrier: Some(harrier_url(&config.server.listen)),
        key: Some(key.secret),
        answer: AnswerWith::Actioned,
        fail_first: 0,
    })
    .await?;
    let url = format!("http://{address}/webhook");
    crate::delivery_cmd::set_webhook(config, store, &provider, &url, &secret).await?;
    println!(
        "Demo: orders to provider {NAME} are delivered by webhook to a provider-sim at {url}, which applies and answers them."
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sim_calls_harrier_on_loopback() {
        assert_eq!(harrier_url("0.0.0.0:8080"), "http://127.0.0.1:8080");
        assert_eq!(harrier_url("127.0.0.1:9000"), "http://127.0.0.1:9000");
        assert_eq!(harrier_url("[::]:80"), "http://127.0.0.1:80");
    }
}
