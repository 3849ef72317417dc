//! Webhook deliveries of orders in SQLite (`DeliveryStore`): providers'
//! webhooks and the outbox rows `insert_order` makes. Reads on the reader
//! pool, changes as writer jobs, each audited change in its own
//! transaction (see `orders.rs` for how rows are made).
//!
//! Claiming takes due `pending` rows whose lease is free or has run out
//! and sets `lease_until`, in one writer job, so two `harrier serve`
//! processes never hold the same row at once. Recording an attempt only
//! touches a row still `pending`: a late answer from a sender whose lease
//! ran out cannot undo a delivery.

use super::time::{parse_stamp, stamp};
use super::{SqliteStore, audit, db_err, orders};
use async_trait::async_trait;
use harrier_core::audit::{Actor, NewEntry};
use harrier_core::orders::delivery::{
    Attempt, DeliveryState, DeliveryStatus, DeliveryStore, DueDelivery, MAX_ERROR_CHARS,
    ProviderWebhook, RedeliverError,
};
use harrier_core::orders::{NewOrder, Order};
use harrier_core::ports::StoreError;
use rusqlite::{Connection, OptionalExtension, params};
use time::{Duration, OffsetDateTime};

const SYSTEM: Actor = Actor::System("delivery");

fn opt_stamp(s: Option<String>) -> Result<Option<OffsetDateTime>, StoreError> {
    s.as_deref().map(parse_stamp).transpose()
}

fn provider_name(conn: &Connection, provider_id: i64) -> Result<Option<String>, StoreError> {
    conn.prepare_cached("SELECT name FROM providers WHERE id = ?1")
        .map_err(db_err)?
        .query_row([provider_id], |r| r.get(0))
        .optional()
        .map_err(db_err)
}

fn set_webhook(
    conn: &Connection,
    provider_id: i64,
    url: &str,
    sealed: &str,
    by: Actor,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let Some(name) = provider_name(conn, provider_id)? else {
        return Err(StoreError::NotFound(format!("provider {provider_id}")));
    };
    conn.prepare_cached(
        "INSERT INTO provider_webhooks (provider_id, url, secret, previous_secret, previous_until, updated_at) \
         VALUES (?1, ?2, ?3, NULL, NULL, ?4) \
         ON CONFLICT (provider_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, \
         previous_secret = NULL, previous_until = NULL, updated_at = excluded.updated_at",
    )
    .map_err(db_err)?
    .execute(params![provider_id, url, sealed, stamp(now)])
    .map_err(db_err)?;
    // Orders made before the webhook stay to be polled (ARCHITECTURE.md).
    let polled: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM order_deliveries d JOIN orders o ON o.id = d.order_id \
             WHERE o.provider_id = ?1 AND d.state = 'poll' AND o.state NOT IN ('actioned', 'rejected')",
        )
        .map_err(db_err)?
        .query_row([provider_id], |r| r.get(0))
        .map_err(db_err)?;
    audit::append(
        conn,
        &NewEntry::new(
            by,
            "provider.webhook_set",
            format!("provider:{name}"),
            serde_json::json!({"url": url, "open_orders_left_to_poll": polled}),
        ),
        now,
    )?;
    Ok(())
}

fn rotate(
    conn: &Connection,
    provider_id: i64,
    sealed: &str,
    previous_until: OffsetDateTime,
    by: Actor,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE provider_webhooks SET previous_secret = secret, previous_until = ?3, \
             secret = ?2, updated_at = ?4 WHERE provider_id = ?1",
        )
        .map_err(db_err)?
        .execute(params![
            provider_id,
            sealed,
            stamp(previous_until),
            stamp(now)
        ])
        .map_err(db_err)?;
    if changed == 0 {
        return Ok(false);
    }
    let name = provider_name(conn, provider_id)?.unwrap_or_default();
    audit::append(
        conn,
        &NewEntry::new(
            by,
            "provider.webhook_secret_rotated",
            format!("provider:{name}"),
            serde_json::json!({"previous_signs_until": stamp(previous_until)}),
        ),
        now,
    )?;
    Ok(true)
}

fn webhook_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WebhookRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

type WebhookRow = (i64, String, String, Option<String>, Option<String>, String);

fn webhook_of(row: WebhookRow) -> Result<ProviderWebhook, StoreError> {
    let (provider_id, url, sealed_secret, sealed_previous, previous_until, updated_at) = row;
    Ok(ProviderWebhook {
        provider_id,
        url,
        sealed_secret,
        sealed_previous,
        previous_until: opt_stamp(previous_until)?,
        updated_at: parse_stamp(&updated_at)?,
    })
}

const WEBHOOK_COLUMNS: &str =
    "w.provider_id, w.url, w.secret, w.previous_secret, w.previous_until, w.updated_at";

fn webhook(conn: &Connection, provider_id: i64) -> Result<Option<ProviderWebhook>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {WEBHOOK_COLUMNS} FROM provider_webhooks w WHERE w.provider_id = ?1"
    ))
    .map_err(db_err)?
    .query_row([provider_id], webhook_row)
    .optional()
    .map_err(db_err)?
    .map(webhook_of)
    .transpose()
}

fn claim(
    conn: &Connection,
    limit: u32,
    lease: Duration,
    now: OffsetDateTime,
) -> Result<Vec<DueDelivery>, StoreError> {
    let now_text = stamp(now);
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT d.order_id FROM order_deliveries d \
             WHERE d.state = 'pending' AND d.next_attempt_at <= ?1 \
             AND (d.lease_until IS NULL OR d.lease_until <= ?1) \
             AND EXISTS (SELECT 1 FROM orders o JOIN provider_webhooks w ON w.provider_id = o.provider_id \
                         WHERE o.id = d.order_id) \
             ORDER BY d.next_attempt_at, d.order_id LIMIT ?2",
        )
        .map_err(db_err)?
        .query_map(params![now_text, i64::from(limit)], |r| r.get(0))
        .map_err(db_err)?
        .collect::<Result<_, _>>()
        .map_err(db_err)?;
    let until = stamp(now + lease);
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        conn.prepare_cached("UPDATE order_deliveries SET lease_until = ?2 WHERE order_id = ?1")
            .map_err(db_err)?
            .execute(params![id, until])
            .map_err(db_err)?;
        let row = conn
            .prepare_cached(&format!(
                "SELECT d.delivery_id, d.body, d.attempts, d.first_attempt_at, {WEBHOOK_COLUMNS} \
                 FROM order_deliveries d JOIN orders o ON o.id = d.order_id \
                 JOIN provider_webhooks w ON w.provider_id = o.provider_id WHERE d.order_id = ?1"
            ))
            .map_err(db_err)?
            .query_row([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    (
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                    ),
                ))
            })
            .map_err(db_err)?;
        let (delivery_id, body, attempts, first, webhook) = row;
        out.push(DueDelivery {
            order_id: id,
            delivery_id,
            body,
            attempts,
            first_attempt_at: opt_stamp(first)?,
            webhook: webhook_of(webhook)?,
        });
    }
    Ok(out)
}

fn record(
    conn: &Connection,
    order_id: i64,
    attempt: &Attempt,
    attempted_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let at = stamp(attempted_at);
    let changed = match attempt {
        Attempt::Delivered { status } => conn
            .prepare_cached(
                "UPDATE order_deliveries SET state = 'delivered', delivered_at = ?3, \
                 attempts = attempts + 1, last_status = ?2, last_error = NULL, \
                 first_attempt_at = COALESCE(first_attempt_at, ?4), last_attempt_at = ?4, \
                 next_attempt_at = NULL, lease_until = NULL \
                 WHERE order_id = ?1 AND state = 'pending'",
            )
            .map_err(db_err)?
            .execute(params![order_id, status, stamp(now), at])
            .map_err(db_err)?,
        Attempt::Failed {
            status,
            error,
            retry_at,
        } => {
            let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
            let state = if retry_at.is_some() {
                "pending"
            } else {
                "dead"
            };
            conn.prepare_cached(
                "UPDATE order_deliveries SET state = ?2, attempts = attempts + 1, \
                 last_status = ?3, last_error = ?4, \
                 first_attempt_at = COALESCE(first_attempt_at, ?5), last_attempt_at = ?5, \
                 next_attempt_at = ?6, lease_until = NULL \
                 WHERE order_id = ?1 AND state = 'pending'",
            )
            .map_err(db_err)?
            .execute(params![
                order_id,
                state,
                status,
                error,
                at,
                retry_at.map(stamp)
            ])
            .map_err(db_err)?
        }
    };
    if changed == 0 {
        return Ok(false);
    }
    let (action, detail) = match attempt {
        Attempt::Delivered { status } => ("order.delivered", serde_json::json!({"status": status})),
        Attempt::Failed {
            retry_at: None,
            status,
            error,
        } => (
            "order.delivery_dead",
            serde_json::json!({"status": status, "error": error.chars().take(MAX_ERROR_CHARS).collect::<String>()}),
        ),
        Attempt::Failed { .. } => return Ok(true),
    };
    let (delivery_id, attempts): (String, u32) = conn
        .prepare_cached("SELECT delivery_id, attempts FROM order_deliveries WHERE order_id = ?1")
        .map_err(db_err)?
        .query_row([order_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db_err)?;
    let mut detail = detail;
    if let Some(map) = detail.as_object_mut() {
        map.insert("delivery_id".into(), delivery_id.into());
        map.insert("attempts".into(), attempts.into());
    }
    audit::append(
        conn,
        &NewEntry::new(SYSTEM, action, format!("order:{order_id}"), detail),
        now,
    )?;
    Ok(true)
}

const STATUS_SELECT: &str = "SELECT d.order_id, o.reference, o.provider_id, p.name, d.delivery_id, d.state, \
     d.attempts, d.last_status, d.last_error, d.first_attempt_at, d.last_attempt_at, \
     d.next_attempt_at, d.delivered_at \
     FROM order_deliveries d JOIN orders o ON o.id = d.order_id JOIN providers p ON p.id = o.provider_id";

type StatusRow = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    u32,
    Option<u16>,
    Option<String>,
    [Option<String>; 4],
);

fn status_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StatusRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        [r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?],
    ))
}

fn status_of(row: StatusRow) -> Result<DeliveryStatus, StoreError> {
    let (
        order_id,
        reference,
        provider_id,
        provider,
        delivery_id,
        state,
        attempts,
        status,
        error,
        t,
    ) = row;
    let [first, last, next, delivered] = t;
    Ok(DeliveryStatus {
        order_id,
        order_reference: reference,
        provider_id,
        provider,
        delivery_id,
        state: DeliveryState::parse(&state)
            .ok_or_else(|| StoreError::Unavailable(format!("unknown delivery state {state:?}")))?,
        attempts,
        last_status: status,
        last_error: error,
        first_attempt_at: opt_stamp(first)?,
        last_attempt_at: opt_stamp(last)?,
        next_attempt_at: opt_stamp(next)?,
        delivered_at: opt_stamp(delivered)?,
    })
}

fn status(conn: &Connection, order_id: i64) -> Result<Option<DeliveryStatus>, StoreError> {
    conn.prepare_cached(&format!("{STATUS_SELECT} WHERE d.order_id = ?1"))
        .map_err(db_err)?
        .query_row([order_id], status_row)
        .optional()
        .map_err(db_err)?
        .map(status_of)
        .transpose()
}

fn dead(conn: &Connection, limit: u32) -> Result<Vec<DeliveryStatus>, StoreError> {
    let rows: Vec<StatusRow> = conn
        .prepare_cached(&format!(
            "{STATUS_SELECT} WHERE d.state = 'dead' ORDER BY d.last_attempt_at DESC, d.order_id DESC LIMIT ?1"
        ))
        .map_err(db_err)?
        .query_map([i64::from(limit)], status_row)
        .map_err(db_err)?
        .collect::<Result<_, _>>()
        .map_err(db_err)?;
    rows.into_iter().map(status_of).collect()
}

fn redeliver(
    conn: &Connection,
    order_id: i64,
    by: Actor,
    now: OffsetDateTime,
) -> Result<Result<(), RedeliverError>, StoreError> {
    let Some(before) = status(conn, order_id)? else {
        return Ok(Err(RedeliverError::NotFound(order_id)));
    };
    if before.state != DeliveryState::Dead {
        return Ok(Err(RedeliverError::NotDead(
            order_id,
            before.state.as_str(),
        )));
    }
    // A new retry window: attempts and the first attempt start again; the
    // earlier ones are in the audit entry.
    conn.prepare_cached(
        "UPDATE order_deliveries SET state = 'pending', next_attempt_at = ?2, lease_until = NULL, \
         attempts = 0, first_attempt_at = NULL WHERE order_id = ?1 AND state = 'dead'",
    )
    .map_err(db_err)?
    .execute(params![order_id, stamp(now)])
    .map_err(db_err)?;
    audit::append(
        conn,
        &NewEntry::new(
            by,
            "order.redelivered",
            format!("order:{order_id}"),
            serde_json::json!({
                "delivery_id": before.delivery_id,
                "attempts_before": before.attempts,
                "last_error": before.last_error,
            }),
        ),
        now,
    )?;
    Ok(Ok(()))
}

impl SqliteStore {
    /// Stores an order (and its outbox row) without a decision or an audit
    /// entry: for tests and the demo until the order creation of the
    /// `OrderStore` port is there.
    #[doc(hidden)]
    pub async fn insert_order_unaudited(
        &self,
        order: NewOrder,
        created_by: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Order>, StoreError> {
        let created_by = created_by.to_owned();
        self.writer
            .write(move |conn| orders::insert_order(conn, &order, &created_by, now))
            .await
    }
}

#[async_trait]
impl DeliveryStore for SqliteStore {
    async fn set_webhook(
        &self,
        provider_id: i64,
        url: &str,
        sealed_secret: &str,
        by: Actor,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let (url, sealed) = (url.to_owned(), sealed_secret.to_owned());
        self.writer
            .write(move |conn| set_webhook(conn, provider_id, &url, &sealed, by, now))
            .await
    }

    async fn rotate_webhook_secret(
        &self,
        provider_id: i64,
        sealed_secret: &str,
        previous_until: OffsetDateTime,
        by: Actor,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let sealed = sealed_secret.to_owned();
        self.writer
            .write(move |conn| rotate(conn, provider_id, &sealed, previous_until, by, now))
            .await
    }

    async fn webhook(&self, provider_id: i64) -> Result<Option<ProviderWebhook>, StoreError> {
        self.read(move |conn| webhook(conn, provider_id)).await
    }

    async fn claim_deliveries(
        &self,
        limit: u32,
        lease: Duration,
        now: OffsetDateTime,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        self.writer
            .write(move |conn| claim(conn, limit, lease, now))
            .await
    }

    async fn record_attempt(
        &self,
        order_id: i64,
        attempt: Attempt,
        attempted_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.writer
            .write(move |conn| record(conn, order_id, &attempt, attempted_at, now))
            .await
    }

    async fn delivery(&self, order_id: i64) -> Result<Option<DeliveryStatus>, StoreError> {
        self.read(move |conn| status(conn, order_id)).await
    }

    async fn dead_letters(&self, limit: u32) -> Result<Vec<DeliveryStatus>, StoreError> {
        self.read(move |conn| dead(conn, limit)).await
    }

    async fn redeliver(
        &self,
        order_id: i64,
        by: Actor,
        now: OffsetDateTime,
    ) -> Result<DeliveryStatus, RedeliverError> {
        self.writer
            .write(move |conn| redeliver(conn, order_id, by, now))
            .await??;
        self.delivery(order_id)
            .await?
            .ok_or(RedeliverError::NotFound(order_id))
    }
}
