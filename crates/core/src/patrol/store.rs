//! The port the storage implements for the patrol.
//!
//! What: providers and keys; items in (idempotent by provider and item id,
//! queued in the same commit); the queue with leases; the results of a
//! scan written back with their effects (signals, cases) in one commit; the
//! figures that /metrics and the status page show.
//!
//! The queue's contract: [`PatrolStore::lease_items`] hands out items no
//! other worker holds, for `lease` long. [`PatrolStore::complete_items`]
//! writes signals (unique per item, rule and ruleset version), opens or
//! updates the open case of each live signal's subject (one open case per
//! subject), and takes the items off the queue, all in one transaction. A
//! worker that dies keeps its lease until it expires; the items then go to
//! another worker, and completing them twice changes nothing.

use super::item::{ItemKind, ValidItem};
use super::provider::{Provider, ProviderKey, Scope};
use crate::intake::target::normalise_platform;
use crate::intake::{SubjectKey, SubjectKind};
use crate::ports::StoreError;
use async_trait::async_trait;
use serde::Serialize;
use std::time::Duration;
use time::OffsetDateTime;

/// One item of a batch, accepted: its stored id and whether it was new
/// (false: the provider had sent this item id before, nothing changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ItemAccepted {
    pub item_id: i64,
    pub created: bool,
}

/// An item handed to a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedItem {
    pub item_id: i64,
    pub provider: String,
    pub external_id: String,
    pub kind: ItemKind,
    pub ts: Option<i64>,
    pub text: String,
    pub account: Option<String>,
    pub room: Option<String>,
    pub lang: Option<String>,
    /// `[{"sha256": .., "pdq": ..}]` as the provider sent them.
    pub images_json: String,
    /// How many times it was leased before (0 the first time).
    pub attempts: i64,
}

/// One signal to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewSignal {
    pub rule: String,
    pub category: String,
    /// low, medium, high or critical.
    pub severity: String,
    /// Live signals open cases; shadow ones are only recorded.
    pub live: bool,
    pub score: f32,
    pub ruleset_version: String,
    /// The explanation as JSON (spans in the original text, features).
    pub explanation_json: String,
}

/// What a worker found in one item.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanResult {
    pub item_id: i64,
    pub signals: Vec<NewSignal>,
}

/// What completing a batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseOpened {
    /// Signals stored (a repeated signal is not counted).
    pub signals: u64,
    /// Cases opened.
    pub cases_opened: u64,
    /// Open cases that got another signal.
    pub cases_updated: u64,
    /// Items that were no longer in the queue (completed by another worker
    /// whose lease had expired): their signals were still deduplicated.
    pub already_done: u64,
}

/// Signals of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    pub rule: String,
    pub category: String,
    pub live: bool,
    pub signals: i64,
    /// Of these signals, how many are on items that a live signal of
    /// another rule also flagged: for a shadow rule, `signals - also_live`
    /// is what it would add if it went live.
    pub also_live: i64,
}

/// The patrol's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PatrolStatus {
    pub items: i64,
    /// Waiting in the queue, leased or not.
    pub queued: i64,
    /// Of those, held by a worker now.
    pub leased: i64,
    /// Seconds since the oldest unscanned item was received.
    pub lag_seconds: f64,
    pub signals_live: i64,
    pub signals_shadow: i64,
    pub open_cases: i64,
    pub rules: Vec<RuleCount>,
}

/// The subject a signal on an item is about: the account that posted it
/// (keyed like a reported handle on that platform, so reports and signals
/// meet in one subject), or the item itself when no account is known.
pub fn signal_subject(provider: &str, external_id: &str, account: Option<&str>) -> SubjectKey {
    let platform = normalise_platform(Some(provider));
    match account.map(|a| a.trim().trim_start_matches('@').to_lowercase()) {
        Some(account) if !account.is_empty() => SubjectKey {
            kind: SubjectKind::Account,
            platform,
            id: account,
        },
        _ => SubjectKey {
            kind: SubjectKind::Item,
            platform,
            id: external_id.to_owned(),
        },
    }
}

#[async_trait]
pub trait PatrolStore: Send + Sync + 'static {
    /// Creates a provider; `AlreadyExists` when the name is taken.
    async fn add_provider(&self, name: &str, now: OffsetDateTime) -> Result<Provider, StoreError>;
    async fn provider(&self, name: &str) -> Result<Option<Provider>, StoreError>;
    async fn list_providers(&self) -> Result<Vec<(Provider, Vec<ProviderKey>)>, StoreError>;
    /// Stores a key of a provider (its hash and prefix only).
    async fn add_provider_key(
        &self,
        provider_id: i64,
        prefix: &str,
        hash: &str,
        scopes: &[Scope],
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// The provider and scopes of an unrevoked key with this hash.
    async fn provider_by_key(
        &self,
        hash: &str,
    ) -> Result<Option<(Provider, Vec<Scope>)>, StoreError>;
    /// Revokes a key by prefix; `NotFound` when no such unrevoked key.
    async fn revoke_provider_key(
        &self,
        prefix: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Stores and queues items in one commit: one answer per item, in order.
    async fn insert_items(
        &self,
        provider_id: i64,
        items: Vec<ValidItem>,
        now: OffsetDateTime,
    ) -> Result<Vec<ItemAccepted>, StoreError>;

    /// Up to `max` queued items that no lease holds, leased to `worker`
    /// until `now + lease`, oldest first.
    async fn lease_items(
        &self,
        worker: &str,
        max: usize,
        lease: Duration,
        now: OffsetDateTime,
    ) -> Result<Vec<LeasedItem>, StoreError>;

    /// Stores the results and their effects and takes the items off the
    /// queue, in one commit (see the module doc).
    async fn complete_items(
        &self,
        results: Vec<ScanResult>,
        now: OffsetDateTime,
    ) -> Result<CaseOpened, StoreError>;

    /// [`PatrolStore::complete_items`] and then [`PatrolStore::lease_items`]
    /// in the same commit: a worker's steady loop pays one commit (one
    /// fsync) per batch instead of two.
    async fn complete_and_lease(
        &self,
        results: Vec<ScanResult>,
        worker: &str,
        max: usize,
        lease: Duration,
        now: OffsetDateTime,
    ) -> Result<(CaseOpened, Vec<LeasedItem>), StoreError>;

    async fn patrol_status(&self, now: OffsetDateTime) -> Result<PatrolStatus, StoreError>;

    /// Stored items received at or after `since` with an id above
    /// `after_id`, at most `limit`, by id (for backtests; `attempts` is 0).
    async fn items_since(
        &self,
        since: OffsetDateTime,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<LeasedItem>, StoreError>;
}
