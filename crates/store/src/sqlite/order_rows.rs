//! Reading orders back: the one row reader the decision pages, appeals and
//! the order pages share.

use super::db_err;
use super::time::parse_stamp;
use harrier_core::orders::{Notice, Order, OrderAction, OrderState, OrderTarget};
use harrier_core::ports::StoreError;
use rusqlite::{Connection, Row};

/// The columns [`order_row`] reads, from `orders o JOIN providers p`.
pub(crate) const ORDER_COLUMNS: &str = "o.id, o.reference, o.case_id, o.decision_id, o.provider_id, p.name, \
     o.action, o.preserve_days, o.legal_basis, o.target, o.evidence_excerpt, o.notice, o.deadline, \
     o.reverses, o.state, o.created_by, o.created_at";

pub(crate) type RawOrder = (
    (i64, String, i64, Option<i64>, i64, String),
    (String, Option<u32>, String, String, String, Option<String>),
    (String, Option<i64>, String, String, String),
);

pub(crate) fn order_row(r: &Row<'_>) -> rusqlite::Result<RawOrder> {
    Ok((
        (
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ),
        (
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
            r.get(9)?,
            r.get(10)?,
            r.get(11)?,
        ),
        (r.get(12)?, r.get(13)?, r.get(14)?, r.get(15)?, r.get(16)?),
    ))
}

fn bad(id: i64, what: &str) -> StoreError {
    StoreError::Unavailable(format!("order {id}: bad {what} in database"))
}

pub(crate) fn into_order(raw: RawOrder) -> Result<Order, StoreError> {
    let ((id, reference, case_id, decision_id, provider_id, provider), a, b) = raw;
    let (action, preserve_days, legal_basis, target, evidence_excerpt, notice) = a;
    let (deadline, reverses, state, created_by, created_at) = b;
    let target: OrderTarget = serde_json::from_str(&target).map_err(|_| bad(id, "target"))?;
    let notice: Option<Notice> = notice
        .map(|n| serde_json::from_str(&n))
        .transpose()
        .map_err(|_| bad(id, "notice"))?;
    Ok(Order {
        id,
        reference,
        case_id,
        decision_id,
        provider_id,
        provider,
        action: OrderAction::parse(&action).ok_or_else(|| bad(id, "action"))?,
        preserve_days,
        legal_basis,
        target,
        evidence_excerpt,
        notice,
        deadline: parse_stamp(&deadline)?,
        reverses,
        state: OrderState::parse(&state).ok_or_else(|| bad(id, "state"))?,
        created_by,
        created_at: parse_stamp(&created_at)?,
    })
}

/// Orders matching `filter` (SQL on `o`), oldest first.
pub(crate) fn select_orders(
    conn: &Connection,
    filter: &str,
    value: i64,
) -> Result<Vec<Order>, StoreError> {
    let sql = format!(
        "SELECT {ORDER_COLUMNS} FROM orders o JOIN providers p ON p.id = o.provider_id \
         WHERE {filter} ORDER BY o.id"
    );
    let rows = conn
        .prepare_cached(&sql)
        .map_err(db_err)?
        .query_map([value], order_row)
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter().map(into_order).collect()
}

pub(crate) fn orders_of_decision(
    conn: &Connection,
    decision_id: i64,
) -> Result<Vec<Order>, StoreError> {
    select_orders(conn, "o.decision_id = ?1", decision_id)
}
