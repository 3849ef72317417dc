//! `harrier.toml` and `HARRIER_*` environment variables.
//!
//! The configuration is a pure function of the file's text and an
//! environment map ([`Config::load`]): environment variables named
//! `HARRIER_<TABLE>__<KEY>` override `[table] key` (e.g.
//! `HARRIER_SERVER__LISTEN=0.0.0.0:8080`). Unknown keys are errors, in the
//! file and in the environment, so a typo never goes unnoticed.

use harrier_web::LimitsConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use thiserror::Error;

pub const VERSION: u32 = 1;

/// The commented example printed by `harrier config example`.
pub const EXAMPLE: &str = include_str!("../harrier.example.toml");

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("configuration: server.{0} must be at least 1 (it is 0)")]
    Zero(&'static str),
    #[error(
        "configuration: decisions.appeal_window_days is {0}; appeals stay open at least 183 days (six months, DSA Art. 20)"
    )]
    AppealWindow(u32),
    #[error("configuration: decisions.notice_language is {0:?}; it must be zh or en")]
    NoticeLanguage(String),
    #[error("configuration: {0}")]
    Toml(#[from] toml::de::Error),
    #[error(
        "configuration version {0} is not supported by this binary (it reads version {VERSION})"
    )]
    Version(u32),
    #[error(
        "environment variable {0} does not name a setting: use HARRIER_<TABLE>__<KEY>, e.g. HARRIER_SERVER__LISTEN"
    )]
    BadEnvName(String),
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The configuration format version.
    pub version: u32,
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub storage: StorageConfig,
    #[serde(default)]
    pub limits: LimitsConfig,
    #[serde(default)]
    pub patrol: PatrolConfig,
    #[serde(default)]
    pub cases: CasesConfig,
    #[serde(default)]
    pub ring: RingConfig,
    #[serde(default)]
    pub decisions: harrier_web::DecisionsConfig,
    #[serde(default)]
    pub orders: OrdersConfig,
}

/// The webhook delivery of orders to providers (`deliver.rs`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct OrdersConfig {
    /// Send orders to providers' webhooks from `harrier serve`.
    pub enabled: bool,
    /// Seconds between looks for deliveries due.
    pub interval_seconds: u32,
    /// The first retry comes within this many seconds; the ceiling doubles
    /// per failure (full jitter).
    pub retry_base_seconds: u32,
    /// The largest wait between two attempts.
    pub retry_cap_seconds: u32,
    /// A delivery failing this many hours after its first attempt is dead
    /// (shown in the console, redelivered by hand).
    pub give_up_hours: u32,
    /// Seconds one attempt may take, answer included.
    pub timeout_seconds: u32,
    /// Allow http:// to loopback addresses (the demo's provider-sim);
    /// anything else must be https://.
    pub allow_http_loopback: bool,
}

impl Default for OrdersConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            interval_seconds: 5,
            retry_base_seconds: 30,
            retry_cap_seconds: 3600,
            give_up_hours: 24,
            timeout_seconds: 10,
            allow_http_loopback: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RingConfig {
    /// Run the ring analysis in `harrier serve`.
    pub enabled: bool,
    /// Minutes between runs.
    pub interval_minutes: u32,
    /// Hours of feed items each run reads.
    pub window_hours: u32,
    /// Δt: posts this many seconds apart or closer are co-actions.
    pub coaction_seconds: u32,
    /// Groups scoring at least this (0 to 1) get a signal and a case.
    pub case_score: f64,
    /// The most items one run reads.
    pub max_posts: u32,
}

impl Default for RingConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            interval_minutes: 15,
            window_hours: 24,
            coaction_seconds: 3600,
            case_score: 0.5,
            max_posts: 500_000,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CasesConfig {
    /// Hours a case may wait for its first decision, per category id,
    /// over taxonomy.toml's `sla_hours`.
    pub sla_hours: std::collections::BTreeMap<String, u32>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PatrolConfig {
    /// Workers `harrier serve` runs in-process (0: none; run `harrier
    /// patrol` beside it).
    pub workers: usize,
    /// Workers `harrier patrol` runs.
    pub patrol_workers: usize,
    /// Items a worker leases at a time.
    pub batch: usize,
    /// Seconds a lease lasts: a worker that dies holds its items this long.
    pub lease_seconds: u64,
    /// The ruleset folder. Empty: `<data_dir>/rules`, written from the
    /// built-in ruleset on first start.
    pub rules_dir: PathBuf,
}

impl Default for PatrolConfig {
    fn default() -> Self {
        Self {
            workers: 2,
            patrol_workers: 2,
            batch: 1000,
            lease_seconds: 60,
            rules_dir: PathBuf::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub listen: String,
    pub secure_cookies: bool,
    pub token_hours: u32,
    pub session_idle_minutes: u32,
    pub lockout_failures: u32,
    pub lockout_window_minutes: u32,
    pub lockout_minutes: u32,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    pub data_dir: PathBuf,
    pub group_commit: bool,
    pub max_batch: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            version: VERSION,
            server: ServerConfig::default(),
            storage: StorageConfig::default(),
            limits: LimitsConfig::default(),
            patrol: PatrolConfig::default(),
            cases: CasesConfig::default(),
            ring: RingConfig::default(),
            decisions: harrier_web::DecisionsConfig::default(),
            orders: OrdersConfig::default(),
        }
    }
}

impl ServerConfig {
    /// Settings a session or a lock could not work with.
    fn check(&self) -> Result<(), ConfigError> {
        let mut must_count = vec![
            ("token_hours", self.token_hours),
            ("session_idle_minutes", self.session_idle_minutes),
        ];
        if self.lockout_failures > 0 {
            must_count.push(("lockout_window_minutes", self.lockout_window_minutes));
            must_count.push(("lockout_minutes", self.lockout_minutes));
        }
        match must_count.into_iter().find(|(_, value)| *value == 0) {
            Some((key, _)) => Err(ConfigError::Zero(key)),
            None => Ok(()),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        let web = harrier_web::WebConfig::default();
        Self {
            listen: "127.0.0.1:8080".into(),
            secure_cookies: web.secure_cookies,
            token_hours: web.token_hours,
            session_idle_minutes: web.session_idle_minutes,
            lockout_failures: web.lockout_failures,
            lockout_window_minutes: web.lockout_window_minutes,
            lockout_minutes: web.lockout_minutes,
        }
    }
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./harrier-data"),
            group_commit: true,
            max_batch: 512,
        }
    }
}

/// Reads an environment value as TOML when it is a boolean or a number,
/// and as a string otherwise.
fn env_value(raw: &str) -> toml::Value {
    if let Ok(b) = raw.parse::<bool>() {
        return toml::Value::Boolean(b);
    }
    if let Ok(i) = raw.parse::<i64>() {
        return toml::Value::Integer(i);
    }
    if let Ok(f) = raw.parse::<f64>()
        && raw.contains('.')
        && !raw.contains(':')
    {
        return toml::Value::Float(f);
    }
    toml::Value::String(raw.to_owned())
}

/// Variables that are about the process or the scripts (`HARRIER_BIN`
/// names the binary for scripts/e2e.sh and the benchmarks), not settings.
const NOT_SETTINGS: [&str; 3] = ["HARRIER_CONFIG", "HARRIER_LOG", "HARRIER_BIN"];

impl Config {
    /// The configuration from a file's text (if any) and the environment.
    pub fn load(file: Option<&str>, env: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let mut table: toml::Table = match file {
            Some(text) => toml::from_str(text)?,
            None => toml::Table::new(),
        };
        table
            .entry("version")
            .or_insert(toml::Value::Integer(i64::from(VERSION)));
        for (name, raw) in env {
            let Some(rest) = name.strip_prefix("HARRIER_") else {
                continue;
            };
            if NOT_SETTINGS.contains(&name.as_str()) {
                continue;
            }
            let Some((section, key)) = rest.split_once("__") else {
                return Err(ConfigError::BadEnvName(name.clone()));
            };
            if section.is_empty() || key.is_empty() {
                return Err(ConfigError::BadEnvName(name.clone()));
            }
            let section = table
                .entry(section.to_lowercase())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let toml::Value::Table(section) = section else {
                return Err(ConfigError::BadEnvName(name.clone()));
            };
            section.insert(key.to_lowercase(), env_value(raw));
        }
        let config: Config = toml::Value::Table(table).try_into()?;
        if config.version != VERSION {
            return Err(ConfigError::Version(config.version));
        }
        config.server.check()?;
        if config.decisions.appeal_window_days < harrier_core::decisions::MIN_APPEAL_DAYS {
            return Err(ConfigError::AppealWindow(
                config.decisions.appeal_window_days,
            ));
        }
        if !matches!(config.decisions.notice_language.as_str(), "zh" | "en") {
            return Err(ConfigError::NoticeLanguage(
                config.decisions.notice_language.clone(),
            ));
        }
        Ok(config)
    }

    pub fn web(&self) -> harrier_web::WebConfig {
        harrier_web::WebConfig {
            secure_cookies: self.server.secure_cookies,
            token_hours: self.server.token_hours,
            session_idle_minutes: self.server.session_idle_minutes,
            lockout_failures: self.server.lockout_failures,
            lockout_window_minutes: self.server.lockout_window_minutes,
            lockout_minutes: self.server.lockout_minutes,
            decisions: self.decisions.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(value: &toml::Value, prefix: &str, out: &mut Vec<String>) {
        if let toml::Value::Table(t) = value {
            for (k, v) in t {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                if v.is_table() {
                    keys(v, &path, out);
                } else {
                    out.push(path);
                }
            }
        }
    }

    #[test]
    fn the_example_is_the_default_and_names_every_setting() {
        let parsed = Config::load(Some(EXAMPLE), &BTreeMap::new()).unwrap();
        assert_eq!(
            parsed,
            Config::default(),
            "harrier.example.toml drifted from the defaults"
        );
        let mut from_struct = Vec::new();
        keys(
            &toml::Value::try_from(Config::default()).unwrap(),
            "",
            &mut from_struct,
        );
        let mut from_example = Vec::new();
        keys(
            &toml::from_str::<toml::Value>(EXAMPLE).unwrap(),
            "",
            &mut from_example,
        );
        from_struct.sort();
        from_example.sort();
        assert_eq!(
            from_struct, from_example,
            "every setting must appear in the example"
        );
    }

    #[test]
    fn environment_overrides_the_file() {
        let env = BTreeMap::from([
            (
                "HARRIER_SERVER__LISTEN".to_owned(),
                "0.0.0.0:9000".to_owned(),
            ),
            (
                "HARRIER_STORAGE__GROUP_COMMIT".to_owned(),
                "false".to_owned(),
            ),
            (
                "HARRIER_LIMITS__PER_ADDRESS_PER_MINUTE".to_owned(),
                "7".to_owned(),
            ),
            ("HARRIER_CONFIG".to_owned(), "x.toml".to_owned()),
            ("PATH".to_owned(), "/bin".to_owned()),
        ]);
        let config = Config::load(
            Some("version = 1\n[server]\nlisten = \"127.0.0.1:1\"\n"),
            &env,
        )
        .unwrap();
        assert_eq!(config.server.listen, "0.0.0.0:9000");
        assert!(!config.storage.group_commit);
        assert_eq!(config.limits.per_address_per_minute, 7);
    }

    #[test]
    fn session_and_lockout_settings_must_be_usable() {
        let load = |server: &str| {
            Config::load(
                Some(&format!("version = 1\n[server]\n{server}\n")),
                &BTreeMap::new(),
            )
        };
        let config = load("session_idle_minutes = 45\nlockout_failures = 3").unwrap();
        let web = config.web();
        assert_eq!(web.session_policy().idle, time::Duration::minutes(45));
        assert_eq!(web.lockout_policy().max_failures, 3);
        let zero = load("session_idle_minutes = 0").unwrap_err().to_string();
        assert_eq!(
            zero,
            "configuration: server.session_idle_minutes must be at least 1 (it is 0)"
        );
        assert!(load("lockout_minutes = 0").is_err());
        // With locking off, its durations do not matter.
        assert!(load("lockout_failures = 0\nlockout_minutes = 0").is_ok());
    }

    #[test]
    fn unknown_settings_and_versions_are_refused() {
        let typo = Config::load(
            Some("version = 1\n[server]\nlisten_on = \"x\"\n"),
            &BTreeMap::new(),
        );
        assert!(typo.unwrap_err().to_string().contains("listen_on"));
        let env = BTreeMap::from([("HARRIER_SERVER__PORT".to_owned(), "1".to_owned())]);
        assert!(
            Config::load(None, &env)
                .unwrap_err()
                .to_string()
                .contains("port")
        );
        let env = BTreeMap::from([("HARRIER_LISTEN".to_owned(), "1".to_owned())]);
        assert!(matches!(
            Config::load(None, &env),
            Err(ConfigError::BadEnvName(_))
        ));
        assert!(matches!(
            Config::load(Some("version = 2"), &BTreeMap::new()),
            Err(ConfigError::Version(2))
        ));
    }
}
