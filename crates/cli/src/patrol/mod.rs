//! The patrol's runtime: the ruleset in use, the workers that scan queued
//! feed items with it, and reload on SIGHUP.
//!
//! What: [`LiveRules`] holds the compiled ruleset behind a lock that is
//! held only to clone an `Arc`, so a reload swaps it whole between two
//! batches and a batch never sees two rulesets. [`start_workers`] spawns the
//! workers (`worker.rs`) on the async runtime; each scans on a blocking
//! thread. `harrier serve` runs them in-process, `harrier patrol` runs only
//! them.
//!
//! The ruleset folder is `patrol.rules_dir`, by default `<data_dir>/rules`,
//! which is written from the ruleset built into the binary (the
//! repository's `rules/`, see `build.rs`) on first start, so staff edit
//! their own copy and the binary runs from anywhere.

mod worker;

use crate::config::Config;
use anyhow::Context;
use harrier_core::clock::Clock;
use harrier_core::patrol::{PatrolStore, RulesControl};
use harrier_detect::rules::Ruleset;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::watch;

pub use worker::{WorkerOptions, run_worker};

/// The ruleset the workers use, and where it is read from.
pub struct LiveRules {
    dir: PathBuf,
    current: RwLock<Arc<Ruleset>>,
}

impl LiveRules {
    /// Compile the folder; fails (naming file, line and rule) when it does
    /// not compile.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let ruleset = crate::ruleset::load(dir)?;
        Ok(Self {
            dir: dir.to_owned(),
            current: RwLock::new(Arc::new(ruleset)),
        })
    }

    /// The ruleset to scan the next batch with.
    pub fn current(&self) -> Arc<Ruleset> {
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }
}

impl RulesControl for LiveRules {
    fn version(&self) -> String {
        self.current().version.clone()
    }

    fn reload(&self) -> Result<String, String> {
        let ruleset = crate::ruleset::load(&self.dir).map_err(|e| format!("{e:#}"))?;
        let version = ruleset.version.clone();
        let mut guard = match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(ruleset);
        tracing::info!(%version, dir = %self.dir.display(), "ruleset reloaded");
        Ok(version)
    }
}

include!(concat!(env!("OUT_DIR"), "/shipped_rules.rs"));

/// The ruleset folder of this configuration: `patrol.rules_dir`, or
/// `<data_dir>/rules`, written from the ruleset built into the binary (the
/// repository's `rules/`) when it does not exist yet.
pub fn rules_dir(config: &Config) -> anyhow::Result<PathBuf> {
    if !config.patrol.rules_dir.as_os_str().is_empty() {
        return Ok(config.patrol.rules_dir.clone());
    }
    let dir = config.storage.data_dir.join("rules");
    if dir.is_dir() {
        return Ok(dir);
    }
    write_shipped(&dir)
        .with_context(|| format!("could not write the shipped ruleset to {}", dir.display()))?;
    tracing::info!(dir = %dir.display(), "wrote the shipped ruleset into the data directory");
    Ok(dir)
}

/// Write the built-in ruleset into `dir` (made first in a sibling folder and
/// renamed, so a crash never leaves half a ruleset).
fn write_shipped(dir: &Path) -> std::io::Result<()> {
    let partial = dir.with_extension("partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial)?;
    }
    for (name, bytes) in SHIPPED_RULES {
        let path = partial.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
    }
    std::fs::rename(&partial, dir)
}

/// Spawn `count` workers; they stop when `stop` turns true. The handles
/// finish once each worker has completed its batch in hand.
pub fn start_workers(
    count: usize,
    name: &str,
    store: Arc<dyn PatrolStore>,
    rules: Arc<LiveRules>,
    clock: Arc<dyn Clock>,
    options: &WorkerOptions,
    stop: &watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..count)
        .map(|i| {
            let worker = format!("{name}-{}-{i}", std::process::id());
            tokio::spawn(run_worker(
                worker,
                Arc::clone(&store),
                Arc::clone(&rules),
                Arc::clone(&clock),
                options.clone(),
                stop.clone(),
            ))
        })
        .collect()
}

/// Reload the ruleset on every SIGHUP, for as long as the process lives.
pub fn reload_on_sighup(rules: Arc<LiveRules>) {
    #[cfg(unix)]
    tokio::spawn(async move {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            tracing::warn!("cannot listen for SIGHUP: reload with POST /api/v1/rules/reload");
            return;
        };
        while hup.recv().await.is_some() {
            if let Err(error) = rules.reload() {
                tracing::error!(%error, "SIGHUP: the ruleset does not compile; the old one stays");
            }
        }
    });
    #[cfg(not(unix))]
    let _ = rules;
}

/// Worker options from the configuration.
pub fn options(config: &Config) -> WorkerOptions {
    WorkerOptions {
        batch: config.patrol.batch.max(1),
        lease: Duration::from_secs(config.patrol.lease_seconds.max(1)),
        idle: Duration::from_millis(100),
    }
}
