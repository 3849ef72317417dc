//! The help directory in SQLite.

use super::db_err;
use super::time::stamp;
use harrier_core::directory::{Service, ServiceKind};
use harrier_core::ports::{DirectoryImport, StoreError};
use rusqlite::{Connection, params};
use time::OffsetDateTime;

pub(crate) fn import(
    conn: &Connection,
    source: &str,
    services: &[Service],
    mode: DirectoryImport,
    now: OffsetDateTime,
) -> Result<usize, StoreError> {
    if mode == DirectoryImport::ReplaceSource {
        conn.execute("DELETE FROM directory_services WHERE source = ?1", [source])
            .map_err(db_err)?;
    }
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO directory_services (source, name, kind, address, city, latitude, longitude, phone, \
             hours, languages, url, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .map_err(db_err)?;
    let at = stamp(now);
    for s in services {
        let languages = serde_json::to_string(&s.languages)
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        stmt.execute(params![
            source,
            s.name,
            s.kind.as_str(),
            s.address,
            s.city,
            s.latitude,
            s.longitude,
            s.phone,
            s.hours,
            languages,
            s.url,
            at
        ])
        .map_err(db_err)?;
    }
    Ok(services.len())
}

pub(crate) fn all(conn: &Connection) -> Result<Vec<Service>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT name, kind, address, city, latitude, longitude, phone, hours, languages, url \
             FROM directory_services ORDER BY id LIMIT 200000",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, f64>(4)?,
                r.get::<_, f64>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        })
        .map_err(db_err)?;
    let mut out = Vec::new();
    for row in rows {
        let (name, kind, address, city, latitude, longitude, phone, hours, languages, url) =
            row.map_err(db_err)?;
        out.push(Service {
            name,
            kind: ServiceKind::parse(&kind)
                .ok_or_else(|| StoreError::Unavailable(format!("unknown service kind {kind:?}")))?,
            address,
            city,
            latitude,
            longitude,
            phone,
            hours,
            languages: serde_json::from_str(&languages).unwrap_or_default(),
            url,
        });
    }
    Ok(out)
}
