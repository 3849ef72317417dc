//! Orders in SQLite: made inside the writer's transaction of the decision
//! (or appeal, or staff request) they come from, each with its delivery
//! row in the outbox.

use super::db_err;
use super::time::stamp;
use harrier_core::orders::{NewOrder, Order, OrderState, payload, reference};
use harrier_core::ports::StoreError;
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

/// Stores an order and its delivery (`pending` when the provider has a
/// webhook, else `poll`). Returns `None` when the provider does not exist.
pub(crate) fn insert_order(
    conn: &Connection,
    order: &NewOrder,
    created_by: &str,
    now: OffsetDateTime,
) -> Result<Option<Order>, StoreError> {
    let provider: Option<String> = conn
        .prepare_cached("SELECT name FROM providers WHERE id = ?1")
        .map_err(db_err)?
        .query_row([order.provider_id], |r| r.get(0))
        .optional()
        .map_err(db_err)?;
    let Some(provider) = provider else {
        return Ok(None);
    };
    let target = serde_json::to_string(&order.target)
        .map_err(|e| StoreError::Unavailable(format!("order target: {e}")))?;
    let notice = order
        .notice
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Unavailable(format!("order notice: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO orders (reference, case_id, decision_id, provider_id, action, preserve_days, \
         legal_basis, target, evidence_excerpt, notice, deadline, reverses, state, created_by, created_at) \
         VALUES ('', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'sent', ?12, ?13)",
    )
    .map_err(db_err)?
    .execute(params![
        order.case_id,
        order.decision_id,
        order.provider_id,
        order.action.as_str(),
        order.preserve_days,
        order.legal_basis,
        target,
        order.evidence_excerpt,
        notice,
        stamp(order.deadline),
        order.reverses,
        created_by,
        stamp(now),
    ])
    .map_err(db_err)?;
    let id = conn.last_insert_rowid();
    let reference = reference(now.year(), id);
    conn.prepare_cached("UPDATE orders SET reference = ?2 WHERE id = ?1")
        .map_err(db_err)?
        .execute(params![id, reference])
        .map_err(db_err)?;
    let stored = Order {
        id,
        reference,
        case_id: order.case_id,
        decision_id: order.decision_id,
        provider_id: order.provider_id,
        provider,
        action: order.action,
        preserve_days: order.preserve_days,
        legal_basis: order.legal_basis.clone(),
        target: order.target.clone(),
        evidence_excerpt: order.evidence_excerpt.clone(),
        notice: order.notice.clone(),
        deadline: order.deadline,
        reverses: order.reverses,
        state: OrderState::Sent,
        created_by: created_by.to_owned(),
        created_at: now,
    };
    let has_webhook: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM provider_webhooks WHERE provider_id = ?1)")
        .map_err(db_err)?
        .query_row([order.provider_id], |r| r.get(0))
        .map_err(db_err)?;
    let mut delivery = [0u8; 16];
    rand::rng().fill_bytes(&mut delivery);
    let body = payload(&stored).to_string();
    conn.prepare_cached(
        "INSERT INTO order_deliveries (order_id, delivery_id, body, state, next_attempt_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .map_err(db_err)?
    .execute(params![
        id,
        format!("msg_{}", hex::encode(delivery)),
        body,
        if has_webhook { "pending" } else { "poll" },
        has_webhook.then(|| stamp(now)),
    ])
    .map_err(db_err)?;
    Ok(Some(stored))
}
