//! The patrol: items from provider feeds, queued durably and scanned.
//!
//! What: the item schema one provider feed speaks ([`item`]), provider API
//! keys and their scopes ([`provider`]), and the port the storage implements
//! for feeds, the queue, signals and the cases signals open ([`store`]).
//! The worker loop that scans queued items with the compiled ruleset lives
//! in the binary (`cli/src/patrol.rs`): it needs the async runtime and the
//! detection engine, neither of which belongs here.
//!
//! Processing is at-least-once with idempotent effects: an item is unique
//! per provider and item id, a signal per item, rule and ruleset version, an
//! open case per subject; a lease that expires puts the item back.

pub mod control;
pub mod item;
pub mod provider;
pub mod store;

pub use control::RulesControl;
pub use item::{
    ImageHashesInput, ItemError, ItemInput, ItemKind, MAX_BATCH_BYTES, MAX_BATCH_ITEMS,
    MAX_ITEM_TEXT_BYTES, ValidItem, validate_item,
};
pub use provider::{ApiKey, Provider, ProviderKey, Scope, new_api_key, parse_scopes};
pub use store::{
    CaseOpened, ItemAccepted, LeasedItem, NewSignal, PatrolStatus, PatrolStore, RuleCount,
    ScanResult, signal_subject,
};
