//! Audit entries for staff actions outside the case store: sign-in and
//! sign-out, account security, providers and their keys, the ruleset,
//! phone tip-offs.
//!
//! Case changes are recorded in their own transaction by the store; these
//! are written right after the action succeeded. If the entry cannot be
//! written the action stands and the failure is logged as an error (a
//! signed-in person is not locked out because the log is briefly
//! unavailable); `harrier audit verify` is unaffected, the chain only has
//! no entry for it.

use crate::AppState;
use harrier_core::accounts::Staff;
use harrier_core::audit::{Actor, NewEntry};
use serde_json::Value;

/// The actor for a staff member.
pub fn by(staff: &Staff) -> Actor {
    Actor::Staff {
        id: staff.id,
        name: staff.name.clone(),
    }
}

/// Appends one entry.
pub async fn record(
    state: &AppState,
    actor: Actor,
    action: &'static str,
    object: impl Into<String>,
    detail: Value,
) {
    let entry = NewEntry::new(actor, action, object, detail);
    if let Err(error) = state.cases.append_audit(entry, state.clock.now()).await {
        tracing::error!(%error, action, "the audit entry could not be written");
    }
}
