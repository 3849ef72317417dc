//! Full-text search (FTS5) and saved views in SQLite.

use super::db_err;
use super::time::{parse_stamp, stamp};
use harrier_core::cases::{
    SavedView, SearchDoc, SearchHit, SearchKind, SearchQuery, SearchSource, viewable,
};
use harrier_core::ports::StoreError;
use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

fn progress(conn: &Connection, kind: SearchKind) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT last_id FROM search_progress WHERE kind = ?1")
        .map_err(db_err)?
        .query_row([kind.as_str()], |r| r.get(0))
        .optional()
        .map_err(db_err)?
        .unwrap_or(0))
}

/// Records past each kind's mark. Reporter contacts are not read: they
/// must never be searchable.
pub(crate) fn pending(conn: &Connection, limit: u32) -> Result<Vec<SearchSource>, StoreError> {
    let limit = i64::from(limit);
    let mut out = Vec::new();
    let queries = [
        (
            SearchKind::Report,
            "SELECT r.id, r.description || ' ' || COALESCE(r.platform, '') || ' ' || \
             COALESCE((SELECT group_concat(value, ' ') FROM report_locations WHERE report_id = r.id), ''), \
             r.category, r.received_at FROM reports r WHERE r.id > ?1 ORDER BY r.id LIMIT ?2",
        ),
        (
            SearchKind::Item,
            "SELECT id, text || ' ' || COALESCE(account, '') || ' ' || COALESCE(room, '') || ' ' || \
             COALESCE(url, ''), NULL, received_at FROM items WHERE id > ?1 ORDER BY id LIMIT ?2",
        ),
        (
            SearchKind::Case,
            "SELECT c.id, s.platform || ' ' || s.key || ' ' || c.category, c.category, c.opened_at \
             FROM cases c JOIN subjects s ON s.id = c.subject_id WHERE c.id > ?1 ORDER BY c.id LIMIT ?2",
        ),
    ];
    for (kind, sql) in queries {
        let after = progress(conn, kind)?;
        let rows = conn
            .prepare_cached(sql)
            .map_err(db_err)?
            .query_map(params![after, limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        for (id, text, category, at) in rows {
            out.push(SearchSource {
                kind,
                id,
                text,
                category,
                at: parse_stamp(&at)?,
            });
        }
    }
    Ok(out)
}

pub(crate) fn index(conn: &Connection, docs: &[SearchDoc]) -> Result<(), StoreError> {
    let mut marks: Vec<(SearchKind, i64)> = Vec::new();
    for doc in docs {
        conn.prepare_cached(
            "INSERT INTO search_index (body, text, kind, ref, category, at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(db_err)?
        .execute(params![
            doc.words,
            doc.text,
            doc.kind.as_str(),
            doc.id,
            doc.category,
            stamp(doc.at)
        ])
        .map_err(db_err)?;
        match marks.iter_mut().find(|(k, _)| *k == doc.kind) {
            Some((_, last)) => *last = (*last).max(doc.id),
            None => marks.push((doc.kind, doc.id)),
        }
    }
    for (kind, last) in marks {
        conn.prepare_cached(
            "INSERT INTO search_progress (kind, last_id) VALUES (?1, ?2) \
             ON CONFLICT (kind) DO UPDATE SET last_id = MAX(last_id, excluded.last_id)",
        )
        .map_err(db_err)?
        .execute(params![kind.as_str(), last])
        .map_err(db_err)?;
    }
    Ok(())
}

pub(crate) fn search(conn: &Connection, query: &SearchQuery) -> Result<Vec<SearchHit>, StoreError> {
    let Some(expression) = query.match_expression() else {
        return Ok(Vec::new());
    };
    let mut stmt = conn
        .prepare_cached(
            "SELECT kind, ref, category, at, text, \
             CASE kind \
               WHEN 'case' THEN ref \
               WHEN 'report' THEN (SELECT case_id FROM case_reports WHERE report_id = ref ORDER BY case_id DESC LIMIT 1) \
               ELSE (SELECT cs.case_id FROM signals sg JOIN case_signals cs ON cs.signal_id = sg.id \
                     WHERE sg.item_id = ref ORDER BY cs.case_id DESC LIMIT 1) END \
             FROM search_index WHERE search_index MATCH ?1 AND (?2 IS NULL OR kind = ?2) \
             AND (?3 IS NULL OR category = ?3) ORDER BY rank, ref DESC LIMIT ?4",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map(
            params![
                expression,
                query.kind.map(SearchKind::as_str),
                query.category,
                i64::from(query.limit.clamp(1, 500))
            ],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            },
        )
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter()
        .map(|(kind, id, category, at, text, case_id)| {
            Ok(SearchHit {
                kind: SearchKind::parse(&kind).ok_or_else(|| {
                    StoreError::Unavailable(format!("unknown search kind {kind:?}"))
                })?,
                id,
                category,
                at: parse_stamp(&at)?,
                text,
                case_id,
            })
        })
        .collect()
}

pub(crate) fn views(conn: &Connection, staff_id: i64) -> Result<Vec<SavedView>, StoreError> {
    conn.prepare_cached("SELECT id, name, path FROM saved_views WHERE staff_id = ?1 ORDER BY name")
        .map_err(db_err)?
        .query_map([staff_id], |r| {
            Ok(SavedView {
                id: r.get(0)?,
                name: r.get(1)?,
                path: r.get(2)?,
            })
        })
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)
}

pub(crate) fn save_view(
    conn: &Connection,
    staff_id: i64,
    name: &str,
    path: &str,
    now: OffsetDateTime,
) -> Result<SavedView, StoreError> {
    if !viewable(path) {
        return Err(StoreError::NotFound(format!(
            "a console queue or search at {path:?}"
        )));
    }
    let id = conn
        .prepare_cached(
            "INSERT INTO saved_views (staff_id, name, path, created_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (staff_id, name) DO UPDATE SET path = excluded.path RETURNING id",
        )
        .map_err(db_err)?
        .query_row(params![staff_id, name, path, stamp(now)], |r| r.get(0))
        .map_err(db_err)?;
    Ok(SavedView {
        id,
        name: name.to_owned(),
        path: path.to_owned(),
    })
}

pub(crate) fn delete_view(conn: &Connection, staff_id: i64, id: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM saved_views WHERE id = ?1 AND staff_id = ?2")
        .map_err(db_err)?
        .execute(params![id, staff_id])
        .map_err(db_err)?;
    Ok(())
}
