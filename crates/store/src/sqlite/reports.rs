//! Reports and subjects in SQLite.
//!
//! `insert` runs on the writer thread inside the batch transaction; the rest
//! run on read connections.

use super::db_err;
use super::time::{day, parse_day, parse_stamp, stamp};
use harrier_core::intake::{
    Channel, EvidenceFile, LocationKind, ReceiptCode, ReportStatus, ReporterContact, SubjectKind,
    ValidReport,
};
use harrier_core::ports::{
    IdempotencyKey, PublicStatus, ReportFilter, ReportLocation, ReportRecord, StoreError,
    StoredReceipt, SubjectFilter, SubjectSummary, Totals,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

pub(crate) fn insert(
    conn: &Connection,
    report: &ValidReport,
    idempotency: Option<&IdempotencyKey>,
) -> Result<StoredReceipt, StoreError> {
    if let Some(key) = idempotency {
        let earlier: Option<(String, i64, String, String)> = conn
            .prepare_cached(
                "SELECT k.request_hash, r.id, r.receipt, r.status FROM idempotency_keys k \
                 JOIN reports r ON r.id = k.report_id WHERE k.key = ?1",
            )
            .map_err(db_err)?
            .query_row([&key.key], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()
            .map_err(db_err)?;
        if let Some((hash, report_id, receipt, status)) = earlier {
            if hash != key.request_hash {
                return Err(StoreError::IdempotencyConflict);
            }
            return Ok(StoredReceipt {
                report_id,
                receipt: ReceiptCode::parse(&receipt)
                    .ok_or_else(|| StoreError::Unavailable("bad receipt in database".into()))?,
                status: ReportStatus::parse(&status).unwrap_or(ReportStatus::Received),
                replayed: true,
            });
        }
    }
    let now = stamp(report.received_at);
    let report_id: i64 = conn
        .prepare_cached(
            "INSERT INTO reports (receipt, channel, category, platform, occurred_on, description, \
             good_faith, received_at, updated_at, logged_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?9, ?7, ?7, ?8) RETURNING id",
        )
        .map_err(db_err)?
        .query_row(
            params![
                report.receipt.as_str(),
                report.channel.as_str(),
                report.category,
                report.platform,
                report.occurred_on.map(day),
                report.description,
                now,
                report.logged_by,
                report.good_faith,
            ],
            |r| r.get(0),
        )
        .map_err(db_err)?;
    if let Some(contact) = &report.contact {
        conn.prepare_cached(
            "INSERT INTO reporter_contacts (report_id, name, email, phone) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(db_err)?
        .execute(params![
            report_id,
            contact.name,
            contact.email,
            contact.phone
        ])
        .map_err(db_err)?;
    }
    for (position, keyed) in report.locations.iter().enumerate() {
        let subject_id: i64 = conn
            .prepare_cached(
                "INSERT INTO subjects (kind, platform, key, report_count, first_reported_at, last_reported_at) \
                 VALUES (?1, ?2, ?3, 1, ?4, ?4) ON CONFLICT (kind, platform, key) DO UPDATE SET \
                 report_count = report_count + 1, last_reported_at = excluded.last_reported_at RETURNING id",
            )
            .map_err(db_err)?
            .query_row(
                params![
                    keyed.subject.kind.as_str(),
                    keyed.subject.platform,
                    keyed.subject.id,
                    now
                ],
                |r| r.get(0),
            )
            .map_err(db_err)?;
        conn.prepare_cached(
            "INSERT INTO report_locations (report_id, position, kind, value, subject_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(db_err)?
        .execute(params![report_id, position as i64, keyed.location.kind.as_str(), keyed.location.value, subject_id])
        .map_err(db_err)?;
    }
    for (position, file) in report.files.iter().enumerate() {
        conn.prepare_cached(
            "INSERT INTO report_files (report_id, position, sha256, media_type, size, name) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(db_err)?
        .execute(params![report_id, position as i64, file.sha256, file.media_type, file.size as i64, file.name])
        .map_err(db_err)?;
    }
    if let Some(key) = idempotency {
        conn.prepare_cached(
            "INSERT INTO idempotency_keys (key, request_hash, report_id) VALUES (?1, ?2, ?3)",
        )
        .map_err(db_err)?
        .execute(params![key.key, key.request_hash, report_id])
        .map_err(db_err)?;
    }
    Ok(StoredReceipt {
        report_id,
        receipt: report.receipt.clone(),
        status: ReportStatus::Received,
        replayed: false,
    })
}

pub(crate) fn status(
    conn: &Connection,
    receipt: &ReceiptCode,
) -> Result<Option<PublicStatus>, StoreError> {
    let row: Option<(String, Option<String>, String, String)> = conn
        .prepare_cached(
            "SELECT status, outcome, received_at, updated_at FROM reports WHERE receipt = ?1",
        )
        .map_err(db_err)?
        .query_row([receipt.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()
        .map_err(db_err)?;
    let Some((status, outcome, received, updated)) = row else {
        return Ok(None);
    };
    Ok(Some(PublicStatus {
        status: parse_status(&status)?,
        outcome,
        received_on: parse_stamp(&received)?.date(),
        updated_on: parse_stamp(&updated)?.date(),
    }))
}

fn parse_status(s: &str) -> Result<ReportStatus, StoreError> {
    ReportStatus::parse(s)
        .ok_or_else(|| StoreError::Unavailable(format!("unknown status {s:?} in database")))
}

fn parse_subject_kind(s: &str) -> Result<SubjectKind, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| StoreError::Unavailable(format!("unknown subject kind {s:?} in database")))
}

const REPORT_COLUMNS: &str = "r.id, r.channel, r.category, r.status, r.outcome, r.platform, r.occurred_on, \
     r.description, r.received_at, s.name, c.name, c.email, c.phone, c.report_id";

struct ReportRow {
    id: i64,
    channel: String,
    category: String,
    status: String,
    outcome: Option<String>,
    platform: Option<String>,
    occurred_on: Option<String>,
    description: String,
    received_at: String,
    logged_by: Option<String>,
    contact: Option<ReporterContact>,
}

fn report_row(r: &Row<'_>) -> rusqlite::Result<ReportRow> {
    let has_contact: Option<i64> = r.get(13)?;
    Ok(ReportRow {
        id: r.get(0)?,
        channel: r.get(1)?,
        category: r.get(2)?,
        status: r.get(3)?,
        outcome: r.get(4)?,
        platform: r.get(5)?,
        occurred_on: r.get(6)?,
        description: r.get(7)?,
        received_at: r.get(8)?,
        logged_by: r.get(9)?,
        contact: has_contact
            .map(|_| -> rusqlite::Result<ReporterContact> {
                Ok(ReporterContact {
                    name: r.get(10)?,
                    email: r.get(11)?,
                    phone: r.get(12)?,
                })
            })
            .transpose()?,
    })
}

pub(crate) fn subject_row(
    r: &Row<'_>,
    at: usize,
) -> rusqlite::Result<(i64, String, String, String, i64, String, String)> {
    Ok((
        r.get(at)?,
        r.get(at + 1)?,
        r.get(at + 2)?,
        r.get(at + 3)?,
        r.get(at + 4)?,
        r.get(at + 5)?,
        r.get(at + 6)?,
    ))
}

pub(crate) fn subject_summary(
    (id, kind, platform, key, report_count, first, last): (
        i64,
        String,
        String,
        String,
        i64,
        String,
        String,
    ),
) -> Result<SubjectSummary, StoreError> {
    Ok(SubjectSummary {
        id,
        kind: parse_subject_kind(&kind)?,
        platform,
        key,
        report_count,
        first_reported_at: parse_stamp(&first)?,
        last_reported_at: parse_stamp(&last)?,
    })
}

fn complete(conn: &Connection, row: ReportRow) -> Result<ReportRecord, StoreError> {
    let mut locations = Vec::new();
    let mut stmt = conn
        .prepare_cached(
            "SELECT l.kind, l.value, s.id, s.kind, s.platform, s.key, s.report_count, s.first_reported_at, \
             s.last_reported_at FROM report_locations l JOIN subjects s ON s.id = l.subject_id \
             WHERE l.report_id = ?1 ORDER BY l.position",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map([row.id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                subject_row(r, 2)?,
            ))
        })
        .map_err(db_err)?;
    for found in rows {
        let (kind, value, subject) = found.map_err(db_err)?;
        locations.push(ReportLocation {
            kind: LocationKind::parse(&kind).ok_or_else(|| {
                StoreError::Unavailable(format!("unknown location kind {kind:?}"))
            })?,
            value,
            subject: subject_summary(subject)?,
        });
    }
    let mut files = Vec::new();
    let mut stmt = conn
        .prepare_cached(
            "SELECT sha256, media_type, size, name FROM report_files WHERE report_id = ?1 ORDER BY position",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map([row.id], |r| {
            Ok(EvidenceFile {
                sha256: r.get(0)?,
                media_type: r.get(1)?,
                size: r.get::<_, i64>(2)? as u64,
                name: r.get(3)?,
            })
        })
        .map_err(db_err)?;
    for file in rows {
        files.push(file.map_err(db_err)?);
    }
    Ok(ReportRecord {
        id: row.id,
        channel: Channel::parse(&row.channel)
            .ok_or_else(|| StoreError::Unavailable(format!("unknown channel {:?}", row.channel)))?,
        category: row.category,
        status: parse_status(&row.status)?,
        outcome: row.outcome,
        platform: row.platform,
        occurred_on: row.occurred_on.as_deref().map(parse_day).transpose()?,
        description: row.description,
        received_at: parse_stamp(&row.received_at)?,
        locations,
        files,
        contact: row.contact,
        logged_by: row.logged_by,
    })
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<ReportRecord>, StoreError> {
    let sql = format!(
        "SELECT {REPORT_COLUMNS} FROM reports r LEFT JOIN staff s ON s.id = r.logged_by \
         LEFT JOIN reporter_contacts c ON c.report_id = r.id WHERE r.id = ?1"
    );
    let row = conn
        .prepare_cached(&sql)
        .map_err(db_err)?
        .query_row([id], report_row)
        .optional()
        .map_err(db_err)?;
    row.map(|row| complete(conn, row)).transpose()
}

pub(crate) fn list(
    conn: &Connection,
    filter: &ReportFilter,
) -> Result<Vec<ReportRecord>, StoreError> {
    let sql = format!(
        "SELECT {REPORT_COLUMNS} FROM reports r LEFT JOIN staff s ON s.id = r.logged_by \
         LEFT JOIN reporter_contacts c ON c.report_id = r.id \
         WHERE (?1 IS NULL OR r.status = ?1) AND (?2 IS NULL OR r.category = ?2) \
         AND (?3 IS NULL OR r.channel = ?3) AND (?4 IS NULL OR r.received_at >= ?4) \
         AND (?5 IS NULL OR r.id < ?5) ORDER BY r.id DESC LIMIT ?6"
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
    let rows = stmt
        .query_map(
            params![
                filter.status.map(ReportStatus::as_str),
                filter.category,
                filter.channel.map(Channel::as_str),
                filter.since.map(stamp),
                filter.before_id,
                i64::from(filter.limit),
            ],
            report_row,
        )
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter().map(|row| complete(conn, row)).collect()
}

pub(crate) fn subjects(
    conn: &Connection,
    filter: &SubjectFilter,
) -> Result<Vec<SubjectSummary>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, kind, platform, key, report_count, first_reported_at, last_reported_at FROM subjects \
             WHERE (?1 IS NULL OR kind = ?1) AND report_count >= ?2 ORDER BY report_count DESC, id LIMIT ?3",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map(
            params![
                filter.kind.map(SubjectKind::as_str),
                filter.min_reports,
                i64::from(filter.limit)
            ],
            |r| subject_row(r, 0),
        )
        .map_err(db_err)?;
    rows.map(|row| subject_summary(row.map_err(db_err)?))
        .collect()
}

pub(crate) fn totals(conn: &Connection) -> Result<Totals, StoreError> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM subjects), \
         (SELECT count(*) FROM directory_services), (SELECT count(*) FROM staff)",
        [],
        |r| {
            Ok(Totals {
                reports: r.get(0)?,
                subjects: r.get(1)?,
                directory_services: r.get(2)?,
                staff: r.get(3)?,
            })
        },
    )
    .map_err(db_err)
}
