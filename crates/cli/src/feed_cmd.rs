//! `harrier provider ...` and `harrier import items`: providers, their keys
//! and bulk loading of feed items, against the data directory.

use crate::config::Config;
use crate::lines::{Line, next_line};
use crate::wiring;
use anyhow::{Context, bail};
use harrier_core::clock::{Clock, SystemClock};
use harrier_core::patrol::{
    ItemInput, MAX_BATCH_ITEMS, PatrolStore, ValidItem, new_api_key, parse_scopes, validate_item,
};
use harrier_web::api::patrol::check_provider_name;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::BufReader;
use std::path::Path;

/// Longest line of an items file (64 KiB of text, JSON-escaped, and the
/// other fields).
const MAX_LINE_BYTES: usize = 1024 * 1024;

pub async fn provider_add(config: &Config, name: &str, scopes: &str) -> anyhow::Result<()> {
    let name = check_provider_name(name).map_err(anyhow::Error::msg)?;
    let scopes = parse_scopes(scopes).map_err(anyhow::Error::msg)?;
    let store = wiring::open_store(config)?;
    let now = SystemClock.now();
    let provider = store.add_provider(name, now).await?;
    let key = new_api_key();
    store
        .add_provider_key(provider.id, &key.prefix, &key.hash, &scopes, now)
        .await?;
    crate::audit_cmd::record(
        &store,
        "provider.created",
        format!("provider:{}", provider.name),
        scopes_detail(&key.prefix, &scopes),
    )
    .await?;
    print_key(&provider.name, &key.secret, &key.prefix, &scopes);
    Ok(())
}

pub async fn provider_key(config: &Config, name: &str, scopes: &str) -> anyhow::Result<()> {
    let scopes = parse_scopes(scopes).map_err(anyhow::Error::msg)?;
    let store = wiring::open_store(config)?;
    let provider = store
        .provider(name)
        .await?
        .with_context(|| format!("no provider named {name:?} (harrier provider list)"))?;
    let key = new_api_key();
    store
        .add_provider_key(
            provider.id,
            &key.prefix,
            &key.hash,
            &scopes,
            SystemClock.now(),
        )
        .await?;
    crate::audit_cmd::record(
        &store,
        "provider.key_issued",
        format!("provider:{}", provider.name),
        scopes_detail(&key.prefix, &scopes),
    )
    .await?;
    print_key(&provider.name, &key.secret, &key.prefix, &scopes);
    Ok(())
}

fn scopes_detail(prefix: &str, scopes: &[harrier_core::patrol::Scope]) -> serde_json::Value {
    let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    serde_json::json!({"key_prefix": prefix, "scopes": scopes})
}

fn print_key(provider: &str, secret: &str, prefix: &str, scopes: &[harrier_core::patrol::Scope]) {
    let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    println!("Provider {provider}: API key (shown once; store it now):");
    println!("  {secret}");
    println!(
        "Key {prefix}, scopes {}. Revoke with: harrier provider revoke {prefix}",
        scopes.join(",")
    );
}

pub async fn provider_list(config: &Config) -> anyhow::Result<()> {
    let store = wiring::open_store(config)?;
    let providers = store.list_providers().await?;
    if providers.is_empty() {
        println!("no providers yet: harrier provider add NAME");
    }
    for (provider, keys) in providers {
        println!("{}", provider.name);
        for key in keys {
            let scopes: Vec<&str> = key.scopes.iter().map(|s| s.as_str()).collect();
            let state = match key.revoked_at {
                Some(at) => format!("revoked {at}"),
                None => "active".into(),
            };
            println!("  key {}  {}  {state}", key.prefix, scopes.join(","));
        }
    }
    Ok(())
}

pub async fn provider_revoke(config: &Config, prefix: &str) -> anyhow::Result<()> {
    let store = wiring::open_store(config)?;
    store.revoke_provider_key(prefix, SystemClock.now()).await?;
    crate::audit_cmd::record(
        &store,
        "provider.key_revoked",
        format!("provider-key:{prefix}"),
        serde_json::json!({}),
    )
    .await?;
    println!("key {prefix} revoked");
    Ok(())
}

/// What an import did.
#[derive(Debug, Default)]
struct Imported {
    accepted: u64,
    duplicates: u64,
    rejected: u64,
}

/// Read `file` (JSON lines in the feed's item schema; `kind` may be left
/// out and is then `default_kind`) and store its items for `provider` in
/// batches. Bad lines are reported by number and skipped; a batch that
/// cannot be stored stops the import (what was stored stays, and a rerun
/// skips it as duplicates).
pub async fn import_items(
    config: &Config,
    file: &Path,
    provider: &str,
    default_kind: &str,
) -> anyhow::Result<()> {
    let store = wiring::open_store(config)?;
    let provider = store.provider(provider).await?.with_context(|| {
        format!("no provider named {provider:?}: create it with harrier provider add {provider}")
    })?;
    let handle =
        std::fs::File::open(file).with_context(|| format!("could not open {}", file.display()))?;
    let size = handle.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::new(size).with_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {per_sec} eta {eta} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut reader = BufReader::with_capacity(256 * 1024, bar.wrap_read(handle));
    let mut buffer = Vec::new();
    let mut batch: Vec<ValidItem> = Vec::with_capacity(MAX_BATCH_ITEMS);
    let mut done = Imported::default();
    let mut number = 0u64;
    let report = |number: u64, message: &str| {
        bar.suspend(|| eprintln!("line {number}: {message}, skipped"));
    };
    while let Some(line) = next_line(&mut reader, MAX_LINE_BYTES, &mut buffer)? {
        number += 1;
        let text = match line {
            Line::Text(text) => text,
            Line::TooLong => {
                done.rejected += 1;
                report(number, &format!("longer than {MAX_LINE_BYTES} bytes"));
                continue;
            }
            Line::NotUtf8 => {
                done.rejected += 1;
                report(number, "not UTF-8");
                continue;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        match parse_line(&text, default_kind) {
            Ok(item) => batch.push(item),
            Err(message) => {
                done.rejected += 1;
                report(number, &message);
                continue;
            }
        }
        if batch.len() >= MAX_BATCH_ITEMS {
            store_batch(&store, provider.id, &mut batch, &mut done).await?;
            bar.set_message(format!("{} stored", done.accepted));
        }
    }
    store_batch(&store, provider.id, &mut batch, &mut done).await?;
    bar.finish_and_clear();
    println!(
        "imported {} items for {} ({} already there, {} lines skipped); the patrol scans them",
        done.accepted, provider.name, done.duplicates, done.rejected
    );
    Ok(())
}

fn parse_line(text: &str, default_kind: &str) -> Result<ValidItem, String> {
    let mut value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let object = value
        .as_object_mut()
        .ok_or_else(|| "not a JSON object".to_owned())?;
    object
        .entry("kind")
        .or_insert_with(|| serde_json::Value::String(default_kind.to_owned()));
    let input: ItemInput =
        serde_json::from_value(value).map_err(|e| format!("not an item: {e}"))?;
    validate_item(input).map_err(|e| format!("{}: {}", e.field, e.message))
}

async fn store_batch(
    store: &harrier_store::SqliteStore,
    provider_id: i64,
    batch: &mut Vec<ValidItem>,
    done: &mut Imported,
) -> anyhow::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let items = std::mem::take(batch);
    let stored = store
        .insert_items(provider_id, items, SystemClock.now())
        .await
        .context(
            "a batch could not be stored; the import stopped (rerun it: stored items are skipped)",
        )?;
    for accepted in stored {
        if accepted.created {
            done.accepted += 1;
        } else {
            done.duplicates += 1;
        }
    }
    Ok(())
}

/// Refuse an unknown default kind before reading anything.
pub fn check_kind(kind: &str) -> anyhow::Result<()> {
    if harrier_core::patrol::ItemKind::parse(kind).is_none() {
        bail!(
            "unknown kind {kind:?}: post, message, profile, room_created, room_join, room_leave, room_message, stream_start, stream_stop or payment"
        );
    }
    Ok(())
}
