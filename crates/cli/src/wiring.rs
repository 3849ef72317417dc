//! Wiring: configuration, storage and the web state, put together once.

use crate::config::Config;
use anyhow::Context;
use harrier_core::cases::CasePolicy;
use harrier_core::clock::{Clock, SystemClock};
use harrier_core::patrol::RulesControl;
use harrier_core::taxonomy::Taxonomy;
use harrier_store::{FsBlobStore, SqliteOptions, SqliteStore};
use harrier_web::AppState;
use harrier_web::content::Content;
use harrier_web::security::Limiters;
use rand::RngCore;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

pub fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    let default = Path::new("harrier.toml");
    let path = path.or_else(|| default.exists().then_some(default));
    let text = match path {
        Some(p) => {
            let bytes = harrier_core::bounded::read_file(p, 1024 * 1024)
                .with_context(|| format!("could not read {}", p.display()))?;
            Some(
                String::from_utf8(bytes)
                    .with_context(|| format!("{} is not UTF-8", p.display()))?,
            )
        }
        None => None,
    };
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let config = Config::load(text.as_deref(), &env).with_context(|| match path {
        Some(p) => format!("in {}", p.display()),
        None => "in the HARRIER_* environment".to_owned(),
    })?;
    Ok(config)
}

pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HARRIER_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only on a terminal: a log file or journal gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .init();
}

/// Severity and SLA per category: the taxonomy's, with `[cases] sla_hours`
/// over it (unknown categories and zero hours are refused by name).
fn case_policy(config: &Config) -> anyhow::Result<CasePolicy> {
    let taxonomy = Taxonomy::shipped()?;
    for (category, hours) in &config.cases.sla_hours {
        anyhow::ensure!(
            taxonomy.get(category).is_some(),
            "cases.sla_hours names {category:?}, which is not a category of taxonomy.toml"
        );
        anyhow::ensure!(
            *hours > 0,
            "cases.sla_hours.{category} is 0: a case needs at least one hour"
        );
    }
    Ok(CasePolicy::from_taxonomy(
        &taxonomy,
        &config.cases.sla_hours,
    ))
}

pub fn open_store(config: &Config) -> anyhow::Result<SqliteStore> {
    let data = &config.storage.data_dir;
    std::fs::create_dir_all(data)
        .with_context(|| format!("could not create {}", data.display()))?;
    let options = SqliteOptions {
        group_commit: config.storage.group_commit,
        max_batch: config.storage.max_batch,
        case_policy: Arc::new(case_policy(config)?),
        ..SqliteOptions::default()
    };
    SqliteStore::open(data.join("harrier.db"), &options)
        .with_context(|| format!("could not open the database in {}", data.display()))
}

/// The 32-byte server secret in the data directory, made on first start.
pub fn secret(data: &Path) -> anyhow::Result<[u8; 32]> {
    let path = data.join("secret.key");
    if path.exists() {
        let bytes = harrier_core::bounded::read_file(&path, 64)?;
        return bytes.try_into().map_err(|_| {
            anyhow::anyhow!(
                "{} is not 32 bytes: delete it to make a new one",
                path.display()
            )
        });
    }
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .with_context(|| format!("could not create {}", path.display()))?;
    file.write_all(&key)?;
    file.sync_all()?;
    Ok(key)
}

pub fn state(
    config: &Config,
    store: SqliteStore,
    rules: Option<Arc<dyn RulesControl>>,
) -> anyhow::Result<AppState> {
    let data = &config.storage.data_dir;
    let blobs = FsBlobStore::open(data.join("blobs")).context("could not open the blob folder")?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    Ok(AppState {
        patrol: Arc::new(store.clone()),
        cases: Arc::new(store.clone()),
        decisions: Arc::new(store.clone()),
        deliveries: Arc::new(store.clone()),
        orders: Arc::new(store.clone()),
        rules,
        store: Arc::new(store),
        blobs: Arc::new(blobs),
        clock,
        taxonomy: Arc::new(Taxonomy::shipped()?),
        content: Arc::new(Content::load()?),
        config: Arc::new(config.web()),
        limiters: Arc::new(Limiters::new(&config.limits)),
        secret: Arc::new(secret(data)?),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sla_overrides_apply_and_bad_ones_are_named() {
        let mut config = Config::default();
        config.cases.sla_hours.insert("drugs".into(), 48);
        let policy = case_policy(&config).unwrap();
        assert_eq!(policy.sla_hours("drugs"), 48);
        assert_eq!(policy.sla_hours("terrorism_violent_extremism"), 24);
        config.cases.sla_hours.insert("rumours".into(), 1);
        let err = case_policy(&config).unwrap_err().to_string();
        assert!(err.contains("\"rumours\""), "{err}");
        config.cases.sla_hours.clear();
        config.cases.sla_hours.insert("drugs".into(), 0);
        assert!(
            case_policy(&config)
                .unwrap_err()
                .to_string()
                .contains("drugs")
        );
    }
}
