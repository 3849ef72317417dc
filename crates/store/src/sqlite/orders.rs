//! Orders in SQLite: made inside the writer's transaction of the decision
//! (or appeal, or staff request) they come from, each with its delivery
//! row in the outbox; read with their answers and delivery; answered by
//! their provider (`answer`, audited on the case in the same transaction).

use super::audit;
use super::db_err;
use super::order_rows::{ORDER_COLUMNS, RawOrder, into_order, order_row};
use super::time::{parse_stamp, stamp};
use harrier_core::accounts::Staff;
use harrier_core::audit::{Actor, NewEntry};
use harrier_core::orders::compliance::ComplianceRow;
use harrier_core::orders::request::{OrderRequest, ProviderRef, accepts_answer};
use harrier_core::orders::{
    AnswerTimes, DeliveryInfo, MAX_TARGET_ITEMS, NewOrder, Order, OrderAction, OrderAnswer,
    OrderDetail, OrderError, OrderQuery, OrderState, OrderTarget, PollQuery, ProviderAnswer,
    payload, reference,
};
use harrier_core::ports::StoreError;
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::json;
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

/// An order's columns (`order_rows::ORDER_COLUMNS`, 17 of them), then its
/// answer times and its delivery.
fn columns() -> String {
    format!(
        "{ORDER_COLUMNS}, o.acknowledged_at, o.actioned_at, o.answered_at, d.state, d.attempts, \
         d.last_status, d.last_error, d.last_attempt_at, d.delivered_at"
    )
}
const ORDER_FROM: &str = "FROM orders o JOIN providers p ON p.id = o.provider_id \
     LEFT JOIN order_deliveries d ON d.order_id = o.id";

type Answered = (Option<String>, Option<String>, Option<String>);
type Delivery = (
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn raw_detail(r: &Row<'_>) -> rusqlite::Result<(RawOrder, Answered, Delivery)> {
    Ok((
        order_row(r)?,
        (r.get(17)?, r.get(18)?, r.get(19)?),
        (
            r.get(20)?,
            r.get(21)?,
            r.get(22)?,
            r.get(23)?,
            r.get(24)?,
            r.get(25)?,
        ),
    ))
}

fn bad(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("bad {what} in database: {e}"))
}

fn maybe_stamp(s: Option<String>) -> Result<Option<OffsetDateTime>, StoreError> {
    s.as_deref().map(parse_stamp).transpose()
}

fn order_state(s: &str) -> Result<OrderState, StoreError> {
    OrderState::parse(s).ok_or_else(|| bad("order state", s))
}

fn action(s: &str) -> Result<OrderAction, StoreError> {
    OrderAction::parse(s).ok_or_else(|| bad("order action", s))
}

fn order_detail(
    conn: &Connection,
    (raw, answered, delivery): (RawOrder, Answered, Delivery),
) -> Result<OrderDetail, StoreError> {
    let order = into_order(raw)?;
    let (acknowledged_at, actioned_at, answered_at) = answered;
    let (d_state, attempts, last_status, last_error, last_attempt_at, delivered_at) = delivery;
    let delivery = match d_state {
        Some(state) => Some(DeliveryInfo {
            state,
            attempts: attempts.unwrap_or(0),
            last_status,
            last_error,
            last_attempt_at: maybe_stamp(last_attempt_at)?,
            delivered_at: maybe_stamp(delivered_at)?,
        }),
        None => None,
    };
    Ok(OrderDetail {
        times: AnswerTimes {
            acknowledged_at: maybe_stamp(acknowledged_at)?,
            actioned_at: maybe_stamp(actioned_at)?,
            answered_at: maybe_stamp(answered_at)?,
        },
        delivery,
        answers: answers(conn, order.id)?,
        order,
    })
}

fn answers(conn: &Connection, order_id: i64) -> Result<Vec<OrderAnswer>, StoreError> {
    let rows = conn
        .prepare_cached(
            "SELECT id, status, detail, actioned_at, received_at FROM order_responses \
             WHERE order_id = ?1 ORDER BY id",
        )
        .map_err(db_err)?
        .query_map([order_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter()
        .map(|(id, status, detail, at, received)| {
            let answer = match order_state(&status)? {
                OrderState::Acknowledged => ProviderAnswer::Acknowledged,
                OrderState::Actioned => ProviderAnswer::Actioned {
                    what: detail,
                    at: parse_stamp(at.as_deref().unwrap_or_default())?,
                },
                OrderState::Rejected => ProviderAnswer::Rejected { why: detail },
                OrderState::NeedsInformation => ProviderAnswer::NeedsInformation { what: detail },
                OrderState::Sent => return Err(bad("answer status", status)),
            };
            Ok(OrderAnswer {
                id,
                answer,
                received_at: parse_stamp(&received)?,
            })
        })
        .collect()
}

fn details(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<OrderDetail>, StoreError> {
    let raws = conn
        .prepare_cached(sql)
        .map_err(db_err)?
        .query_map(params, raw_detail)
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    raws.into_iter()
        .map(|raw| order_detail(conn, raw))
        .collect()
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<OrderDetail>, StoreError> {
    let sql = format!("SELECT {} {ORDER_FROM} WHERE o.id = ?1", columns());
    Ok(details(conn, &sql, [id])?.pop())
}

pub(crate) fn list(conn: &Connection, q: &OrderQuery) -> Result<Vec<OrderDetail>, StoreError> {
    let sql = format!(
        "SELECT {} {ORDER_FROM} WHERE (?1 IS NULL OR o.provider_id = ?1) \
         AND (?2 IS NULL OR o.state = ?2) AND (?3 IS NULL OR o.case_id = ?3) \
         AND (?4 IS NULL OR (o.state NOT IN ('actioned', 'rejected') AND o.deadline < ?4)) \
         ORDER BY o.id DESC LIMIT ?5 OFFSET ?6",
        columns()
    );
    details(
        conn,
        &sql,
        params![
            q.provider_id,
            q.state.map(OrderState::as_str),
            q.case_id,
            q.overdue_at.map(stamp),
            i64::from(q.limit.clamp(1, 500)),
            i64::from(q.offset.min(100_000)),
        ],
    )
}

pub(crate) fn for_provider(
    conn: &Connection,
    provider_id: i64,
    q: &PollQuery,
) -> Result<Vec<OrderDetail>, StoreError> {
    let sql = format!(
        "SELECT {} {ORDER_FROM} WHERE o.provider_id = ?1 AND o.id > ?2 \
         AND (?3 IS NULL OR o.created_at >= ?3) AND (?4 IS NULL OR o.state = ?4) \
         ORDER BY o.id LIMIT ?5",
        columns()
    );
    details(
        conn,
        &sql,
        params![
            provider_id,
            q.after,
            q.since.map(stamp),
            q.state.map(OrderState::as_str),
            i64::from(q.limit.clamp(1, 500)),
        ],
    )
}

/// The case's subject as an order target, with the provider's items among
/// the case's signals.
fn target(
    conn: &Connection,
    case_id: i64,
    provider_id: i64,
) -> Result<Option<OrderTarget>, StoreError> {
    let subject: Option<(String, String, String)> = conn
        .prepare_cached(
            "SELECT s.kind, s.platform, s.key FROM cases c JOIN subjects s ON s.id = c.subject_id \
             WHERE c.id = ?1",
        )
        .map_err(db_err)?
        .query_row([case_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
        .map_err(db_err)?;
    let Some((kind, platform, key)) = subject else {
        return Ok(None);
    };
    let item_ids = conn
        .prepare_cached(
            "SELECT DISTINCT i.external_id FROM case_signals cs \
             JOIN signals sg ON sg.id = cs.signal_id JOIN items i ON i.id = sg.item_id \
             WHERE cs.case_id = ?1 AND i.provider_id = ?2 ORDER BY i.external_id LIMIT ?3",
        )
        .map_err(db_err)?
        .query_map(
            params![case_id, provider_id, MAX_TARGET_ITEMS as i64],
            |r| r.get::<_, String>(0),
        )
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    Ok(Some(OrderTarget {
        kind,
        platform,
        key,
        item_ids,
    }))
}

fn provider(conn: &Connection, which: &ProviderRef) -> Result<Option<i64>, StoreError> {
    let mut stmt = match which {
        ProviderRef::Id(_) => conn.prepare_cached("SELECT id FROM providers WHERE id = ?1"),
        ProviderRef::Name(_) => conn.prepare_cached("SELECT id FROM providers WHERE name = ?1"),
    }
    .map_err(db_err)?;
    let found = match which {
        ProviderRef::Id(id) => stmt.query_row([id], |r| r.get(0)),
        ProviderRef::Name(name) => stmt.query_row([name], |r| r.get(0)),
    };
    found.optional().map_err(db_err)
}

fn provider_text(which: &ProviderRef) -> String {
    match which {
        ProviderRef::Id(id) => id.to_string(),
        ProviderRef::Name(name) => name.clone(),
    }
}

/// Makes an order from a case for staff; writes nothing when refused.
pub(crate) fn create(
    conn: &Connection,
    case_id: i64,
    request: &OrderRequest,
    by: &Staff,
    now: OffsetDateTime,
) -> Result<OrderDetail, OrderError> {
    let provider_id = provider(conn, &request.provider)?
        .ok_or_else(|| OrderError::ProviderNotFound(provider_text(&request.provider)))?;
    let target = target(conn, case_id, provider_id)?.ok_or(OrderError::CaseNotFound(case_id))?;
    let new = NewOrder {
        case_id,
        decision_id: None,
        provider_id,
        action: request.action,
        preserve_days: request.preserve_days,
        legal_basis: request.legal_basis.clone(),
        deadline: request.deadline,
        target,
        evidence_excerpt: request.evidence_excerpt.clone(),
        notice: None,
        reverses: None,
    };
    let actor = Actor::Staff {
        id: by.id,
        name: by.name.clone(),
    };
    let order = insert_order(conn, &new, &actor.to_string(), now)?
        .ok_or_else(|| OrderError::ProviderNotFound(provider_text(&request.provider)))?;
    audit::append(
        conn,
        &NewEntry::new(
            actor,
            "order.created",
            format!("case:{case_id}"),
            json!({
                "order": order.id,
                "reference": order.reference,
                "provider": order.provider,
                "action": order.action.as_str(),
                "deadline": stamp(order.deadline),
            }),
        ),
        now,
    )?;
    get(conn, order.id)?.ok_or(OrderError::OrderNotFound(order.id))
}

/// Records a provider's answer to its own order; writes nothing when
/// refused.
pub(crate) fn answer(
    conn: &Connection,
    id: i64,
    provider_id: i64,
    answer: &ProviderAnswer,
    now: OffsetDateTime,
) -> Result<OrderDetail, OrderError> {
    let found: Option<(String, i64, String, String)> = conn
        .prepare_cached(
            "SELECT o.state, o.case_id, o.reference, p.name FROM orders o \
             JOIN providers p ON p.id = o.provider_id WHERE o.id = ?1 AND o.provider_id = ?2",
        )
        .map_err(db_err)?
        .query_row(params![id, provider_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()
        .map_err(db_err)?;
    let (state, case_id, reference, provider) = found.ok_or(OrderError::OrderNotFound(id))?;
    let state = order_state(&state)?;
    if !accepts_answer(state) {
        return Err(OrderError::OrderClosed {
            id,
            state: state.as_str(),
        });
    }
    let to = answer.state();
    let now_text = stamp(now);
    conn.prepare_cached(
        "UPDATE orders SET state = ?2, acknowledged_at = COALESCE(acknowledged_at, ?3), \
         actioned_at = CASE WHEN ?2 = 'actioned' THEN ?3 ELSE actioned_at END, answered_at = ?3 \
         WHERE id = ?1",
    )
    .map_err(db_err)?
    .execute(params![id, to.as_str(), now_text])
    .map_err(db_err)?;
    let (text, at) = match answer {
        ProviderAnswer::Acknowledged => ("", None),
        ProviderAnswer::Actioned { what, at } => (what.as_str(), Some(*at)),
        ProviderAnswer::Rejected { why } => (why.as_str(), None),
        ProviderAnswer::NeedsInformation { what } => (what.as_str(), None),
    };
    conn.prepare_cached(
        "INSERT INTO order_responses (order_id, provider_id, status, detail, actioned_at, received_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .map_err(db_err)?
    .execute(params![
        id,
        provider_id,
        to.as_str(),
        text,
        at.map(stamp),
        now_text
    ])
    .map_err(db_err)?;
    let mut detail = json!({"order": id, "reference": reference, "status": to.as_str()});
    if let (Some(map), Ok(serde_json::Value::Object(fields))) =
        (detail.as_object_mut(), serde_json::to_value(answer))
    {
        for (k, v) in fields.into_iter().filter(|(k, _)| k != "status") {
            map.insert(k, v);
        }
    }
    audit::append(
        conn,
        &NewEntry::new(
            Actor::Provider(provider),
            "order.answered",
            format!("case:{case_id}"),
            detail,
        ),
        now,
    )?;
    get(conn, id)?.ok_or(OrderError::OrderNotFound(id))
}

/// Orders made at or after `since`, and every open order.
pub(crate) fn compliance_rows(
    conn: &Connection,
    since: OffsetDateTime,
) -> Result<Vec<ComplianceRow>, StoreError> {
    let rows = conn
        .prepare_cached(
            "SELECT o.id, o.reference, o.provider_id, p.name, o.case_id, o.action, o.state, \
             o.created_at, o.deadline, o.acknowledged_at, o.actioned_at \
             FROM orders o JOIN providers p ON p.id = o.provider_id \
             WHERE o.created_at >= ?1 OR o.state NOT IN ('actioned', 'rejected') ORDER BY o.id",
        )
        .map_err(db_err)?
        .query_map([stamp(since)], |r| {
            Ok((
                (
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                ),
                (
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, Option<String>>(10)?,
                ),
            ))
        })
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter()
        .map(
            |((id, reference, provider_id, provider, case_id), (a, s, c, d, ack, act))| {
                Ok(ComplianceRow {
                    id,
                    reference,
                    provider_id,
                    provider,
                    case_id,
                    action: action(&a)?,
                    state: order_state(&s)?,
                    created_at: parse_stamp(&c)?,
                    deadline: parse_stamp(&d)?,
                    acknowledged_at: maybe_stamp(ack)?,
                    actioned_at: maybe_stamp(act)?,
                })
            },
        )
        .collect()
}
