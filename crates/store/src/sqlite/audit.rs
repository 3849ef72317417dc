//! The audit log in SQLite: appended by the writer thread inside the
//! transaction of the change it records.

use super::db_err;
use super::time::stamp;
use harrier_core::audit::{Entry, GENESIS, Head, NewEntry, seal};
use harrier_core::ports::StoreError;
use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

/// Appends one entry after the newest one. Runs on the writer's connection,
/// so no other append can come between the read of the head and the insert.
pub(crate) fn append(
    conn: &Connection,
    entry: &NewEntry,
    now: OffsetDateTime,
) -> Result<Entry, StoreError> {
    let (seq, prev) = head(conn)?
        .map(|h| (h.seq + 1, h.hash))
        .unwrap_or_else(|| (1, GENESIS.to_owned()));
    let sealed = seal(entry, seq, &stamp(now), &prev);
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor, action, object, detail, prev_hash, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .map_err(db_err)?
    .execute(params![
        sealed.seq,
        sealed.at,
        sealed.actor,
        sealed.action,
        sealed.object,
        sealed.detail,
        sealed.prev_hash,
        sealed.hash
    ])
    .map_err(db_err)?;
    Ok(sealed)
}

pub(crate) fn head(conn: &Connection) -> Result<Option<Head>, StoreError> {
    conn.prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .map_err(db_err)?
        .query_row([], |r| {
            Ok(Head {
                seq: r.get(0)?,
                hash: r.get(1)?,
            })
        })
        .optional()
        .map_err(db_err)
}

fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        object: r.get(4)?,
        detail: r.get(5)?,
        prev_hash: r.get(6)?,
        hash: r.get(7)?,
    })
}

pub(crate) fn entries(
    conn: &Connection,
    after_seq: i64,
    limit: u32,
    object: Option<&str>,
) -> Result<Vec<Entry>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, at, actor, action, object, detail, prev_hash, hash FROM audit_log \
             WHERE seq > ?1 AND (?2 IS NULL OR object = ?2) ORDER BY seq LIMIT ?3",
        )
        .map_err(db_err)?;
    stmt.query_map(params![after_seq, object, i64::from(limit)], entry_row)
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)
}
