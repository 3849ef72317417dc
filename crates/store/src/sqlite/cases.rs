//! Cases in SQLite: queues, the case page, moves, assignment, triage of
//! reports and evidence. Every change appends its audit entry in the same
//! transaction (`audit.rs`).

use super::audit;
use super::db_err;
use super::reports::{self, subject_row, subject_summary};
use super::time::{parse_stamp, stamp};
use harrier_core::accounts::Staff;
use harrier_core::audit::{Actor, NewEntry};
use harrier_core::cases::{
    AssigneeFilter, BulkAction, CaseDetail, CaseError, CaseItem, CasePolicy, CaseQuery, CaseSignal,
    CaseSort, CaseState, CaseSummary, EvidenceRecord, EvidenceSource, NewEvidence,
    SUBJECT_PAGE_ROWS, SubjectDetail, SubjectLink, Transition, Triaged, check_reason,
    check_transition, priority,
};
use harrier_core::ports::StoreError;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::json;
use time::OffsetDateTime;

/// The most signals the case page lists (newest first).
pub(crate) const CASE_PAGE_SIGNALS: i64 = 200;

const SUMMARY_COLUMNS: &str = "c.id, c.state, c.category, c.severity, c.report_count, \
     c.signal_count, c.top_score, c.priority, st.name, c.opened_at, c.updated_at, c.due_at, \
     (SELECT COUNT(*) FROM case_subjects cs WHERE cs.case_id = c.id), \
     s.id, s.kind, s.platform, s.key, s.report_count, s.first_reported_at, s.last_reported_at";
const SUMMARY_FROM: &str =
    "FROM cases c JOIN subjects s ON s.id = c.subject_id LEFT JOIN staff st ON st.id = c.assignee";

type SummaryRow = (
    (i64, String, String, String, i64, i64, f64, f64),
    (Option<String>, String, String, String, i64),
    (i64, String, String, String, i64, String, String),
);

fn summary_row(r: &Row<'_>) -> rusqlite::Result<SummaryRow> {
    Ok((
        (
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
        ),
        (r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?),
        subject_row(r, 13)?,
    ))
}

pub(crate) fn state(s: &str) -> Result<CaseState, StoreError> {
    CaseState::parse(s)
        .ok_or_else(|| StoreError::Unavailable(format!("unknown case state {s:?} in database")))
}

fn summary(row: SummaryRow) -> Result<CaseSummary, StoreError> {
    let (
        (id, state_, category, severity, report_count, signal_count, top_score, priority),
        (assignee, opened, updated, due, subject_count),
        subject,
    ) = row;
    Ok(CaseSummary {
        id,
        state: state(&state_)?,
        category,
        severity,
        subject: subject_summary(subject)?,
        subject_count,
        report_count,
        signal_count,
        top_score,
        priority,
        assignee,
        opened_at: parse_stamp(&opened)?,
        updated_at: parse_stamp(&updated)?,
        due_at: parse_stamp(&due)?,
    })
}

pub(crate) fn get_summary(conn: &Connection, id: i64) -> Result<Option<CaseSummary>, StoreError> {
    let sql = format!("SELECT {SUMMARY_COLUMNS} {SUMMARY_FROM} WHERE c.id = ?1");
    conn.prepare_cached(&sql)
        .map_err(db_err)?
        .query_row([id], summary_row)
        .optional()
        .map_err(db_err)?
        .map(summary)
        .transpose()
}

pub(crate) fn list(conn: &Connection, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError> {
    // The partial indexes serve `state <> 'closed'` only when the query
    // says so literally.
    let mut sql = format!("SELECT {SUMMARY_COLUMNS} {SUMMARY_FROM} WHERE ");
    // One state is compared directly, so its indexes serve the sort.
    match query.states.as_slice() {
        [] => sql.push_str("c.state <> 'closed'"),
        [_] => sql.push_str("c.state = ?1"),
        _ => sql.push_str("c.state IN (SELECT value FROM json_each(?1))"),
    }
    // Filters are written only when given: `(?2 IS NULL OR c.category =
    // ?2)` would keep the planner off the category index.
    sql.push_str(match query.category {
        Some(_) => " AND c.category = ?2",
        None => " AND ?2 IS NULL",
    });
    match query.assignee {
        AssigneeFilter::Anyone => sql.push_str(" AND ?3 IS NULL"),
        AssigneeFilter::Unassigned => sql.push_str(" AND ?3 IS NULL AND c.assignee IS NULL"),
        AssigneeFilter::Staff(_) => sql.push_str(" AND c.assignee = ?3"),
    }
    sql.push_str(match query.subject {
        Some(_) => " AND c.id IN (SELECT case_id FROM case_subjects WHERE subject_id = ?4)",
        None => " AND ?4 IS NULL",
    });
    sql.push_str(match query.sort {
        CaseSort::Priority => " ORDER BY c.priority DESC, c.id",
        CaseSort::Deadline => " ORDER BY c.due_at, c.id",
        CaseSort::Newest => " ORDER BY c.id DESC",
    });
    sql.push_str(" LIMIT ?5 OFFSET ?6");
    let states = match query.states.as_slice() {
        [one] => one.as_str().to_owned(),
        many => serde_json::to_string(&many.iter().map(|s| s.as_str()).collect::<Vec<_>>())
            .map_err(|e| StoreError::Unavailable(e.to_string()))?,
    };
    let assignee = match query.assignee {
        AssigneeFilter::Staff(id) => Some(id),
        _ => None,
    };
    let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
    let rows = stmt
        .query_map(
            params![
                states,
                query.category,
                assignee,
                query.subject,
                i64::from(query.limit.clamp(1, 500)),
                i64::from(query.offset.min(100_000)),
            ],
            summary_row,
        )
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter().map(summary).collect()
}

/// A signal's columns, then the item's (`ITEM_COLUMNS` from column 8).
const SIGNAL_COLUMNS: &str = "sg.id, sg.rule, sg.category, sg.severity, sg.score, \
     sg.ruleset_version, sg.explanation, sg.created_at, i.id, p.name, i.external_id, i.kind, i.ts, \
     i.text, i.account, i.room, i.url, i.received_at";

fn signals(conn: &Connection, case_id: i64) -> Result<Vec<CaseSignal>, StoreError> {
    let sql = format!(
        "SELECT {SIGNAL_COLUMNS} FROM case_signals cs JOIN signals sg ON sg.id = cs.signal_id \
         JOIN items i ON i.id = sg.item_id JOIN providers p ON p.id = i.provider_id \
         WHERE cs.case_id = ?1 ORDER BY sg.id DESC LIMIT ?2"
    );
    signal_rows(conn, &sql, case_id, CASE_PAGE_SIGNALS)
}

/// Signals on a subject's items (live and shadow), newest first.
pub(crate) fn subject_signals(
    conn: &Connection,
    subject_id: i64,
    limit: i64,
) -> Result<Vec<CaseSignal>, StoreError> {
    let sql = format!(
        "SELECT {SIGNAL_COLUMNS} FROM signals sg JOIN items i ON i.id = sg.item_id \
         JOIN providers p ON p.id = i.provider_id WHERE sg.subject_id = ?1 \
         ORDER BY sg.id DESC LIMIT ?2"
    );
    signal_rows(conn, &sql, subject_id, limit)
}

fn signal_rows(
    conn: &Connection,
    sql: &str,
    id: i64,
    limit: i64,
) -> Result<Vec<CaseSignal>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_err)?;
    let rows = stmt
        .query_map(params![id, limit], |r| {
            Ok((
                (
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, f64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                ),
                item_row(r, 8)?,
            ))
        })
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter()
        .map(
            |((id, rule, category, severity, score, version, explanation, created), item)| {
                Ok(CaseSignal {
                    id,
                    rule,
                    category,
                    severity,
                    score,
                    ruleset_version: version,
                    explanation: serde_json::from_str(&explanation)
                        .unwrap_or(serde_json::Value::String(explanation)),
                    created_at: parse_stamp(&created)?,
                    item: item.into_item()?,
                })
            },
        )
        .collect()
}

/// The columns `item_row` reads, from an `items i JOIN providers p`.
pub(crate) const ITEM_COLUMNS: &str = "i.id, p.name, i.external_id, i.kind, i.ts, i.text, \
     i.account, i.room, i.url, i.received_at";

/// An item from `ITEM_COLUMNS` starting at column `at`.
pub(crate) fn item_row(r: &Row<'_>, at: usize) -> rusqlite::Result<CaseItemRow> {
    Ok(CaseItemRow {
        id: r.get(at)?,
        provider: r.get(at + 1)?,
        external_id: r.get(at + 2)?,
        kind: r.get(at + 3)?,
        ts: r.get(at + 4)?,
        text: r.get(at + 5)?,
        account: r.get(at + 6)?,
        room: r.get(at + 7)?,
        url: r.get(at + 8)?,
        received_at: r.get(at + 9)?,
    })
}

pub(crate) struct CaseItemRow {
    id: i64,
    provider: String,
    external_id: String,
    kind: String,
    ts: Option<i64>,
    text: String,
    account: Option<String>,
    room: Option<String>,
    url: Option<String>,
    received_at: String,
}

impl CaseItemRow {
    pub(crate) fn into_item(self) -> Result<CaseItem, StoreError> {
        Ok(CaseItem {
            id: self.id,
            provider: self.provider,
            external_id: self.external_id,
            kind: self.kind,
            ts: self.ts,
            text: self.text,
            account: self.account,
            room: self.room,
            url: self.url,
            received_at: parse_stamp(&self.received_at)?,
        })
    }
}

pub(crate) fn evidence(conn: &Connection, case_id: i64) -> Result<Vec<EvidenceRecord>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT e.id, e.case_id, e.sha256, e.media_type, e.size, e.name, e.source, \
             e.source_ref, e.note, st.name, e.captured_at FROM evidence e \
             JOIN staff st ON st.id = e.captured_by WHERE e.case_id = ?1 ORDER BY e.id",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map([case_id], evidence_row)
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter().collect()
}

fn evidence_row(r: &Row<'_>) -> rusqlite::Result<Result<EvidenceRecord, StoreError>> {
    let source: String = r.get(6)?;
    let captured_at: String = r.get(10)?;
    let record = (|| {
        Ok(EvidenceRecord {
            id: r.get(0).map_err(db_err)?,
            case_id: r.get(1).map_err(db_err)?,
            sha256: r.get(2).map_err(db_err)?,
            media_type: r.get(3).map_err(db_err)?,
            size: r.get(4).map_err(db_err)?,
            name: r.get(5).map_err(db_err)?,
            source: EvidenceSource::parse(&source).ok_or_else(|| {
                StoreError::Unavailable(format!("unknown evidence source {source:?}"))
            })?,
            source_ref: r.get(7).map_err(db_err)?,
            note: r.get(8).map_err(db_err)?,
            captured_by: r.get(9).map_err(db_err)?,
            captured_at: parse_stamp(&captured_at)?,
        })
    })();
    Ok(record)
}

fn transitions(conn: &Connection, case_id: i64) -> Result<Vec<Transition>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT t.from_state, t.to_state, st.name, t.reason, t.at FROM case_transitions t \
             JOIN staff st ON st.id = t.staff_id WHERE t.case_id = ?1 ORDER BY t.id",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map([case_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter()
        .map(|(from, to, by, reason, at)| {
            Ok(Transition {
                from: state(&from)?,
                to: state(&to)?,
                by,
                reason,
                at: parse_stamp(&at)?,
            })
        })
        .collect()
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<CaseDetail>, StoreError> {
    let Some(case) = get_summary(conn, id)? else {
        return Ok(None);
    };
    let mut stmt = conn
        .prepare_cached(
            "SELECT s.id, s.kind, s.platform, s.key, s.report_count, s.first_reported_at, \
             s.last_reported_at FROM case_subjects cs JOIN subjects s ON s.id = cs.subject_id \
             WHERE cs.case_id = ?1 ORDER BY s.id",
        )
        .map_err(db_err)?;
    let subjects = stmt
        .query_map([id], |r| subject_row(r, 0))
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?
        .into_iter()
        .map(subject_summary)
        .collect::<Result<Vec<_>, _>>()?;
    let report_ids = conn
        .prepare_cached("SELECT report_id FROM case_reports WHERE case_id = ?1 ORDER BY report_id")
        .map_err(db_err)?
        .query_map([id], |r| r.get::<_, i64>(0))
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    let mut found = Vec::with_capacity(report_ids.len());
    for report in report_ids {
        if let Some(record) = reports::get(conn, report)? {
            found.push(record);
        }
    }
    Ok(Some(CaseDetail {
        case,
        subjects,
        reports: found,
        signals: signals(conn, id)?,
        evidence: evidence(conn, id)?,
        transitions: transitions(conn, id)?,
        audit: audit::entries(conn, 0, 1_000, Some(&format!("case:{id}")))?,
    }))
}

pub(crate) fn staff_actor(by: &Staff) -> Actor {
    Actor::Staff {
        id: by.id,
        name: by.name.clone(),
    }
}

/// A severity label for a taxonomy severity (1 to 5).
fn severity_label(severity: u8) -> &'static str {
    match severity {
        5 => "critical",
        4 => "high",
        3 => "medium",
        _ => "low",
    }
}

/// Recomputes a case's priority from its stored factors.
pub(crate) fn refresh_priority(
    conn: &Connection,
    case_id: i64,
    policy: &CasePolicy,
) -> Result<(), StoreError> {
    let (category, reports, trust, score): (String, i64, f64, f64) = conn
        .prepare_cached(
            "SELECT category, report_count, reporter_trust, top_score FROM cases WHERE id = ?1",
        )
        .map_err(db_err)?
        .query_row([case_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .map_err(db_err)?;
    let value = priority(policy.severity(&category), reports, trust, score);
    conn.prepare_cached("UPDATE cases SET priority = ?2 WHERE id = ?1")
        .map_err(db_err)?
        .execute(params![case_id, value])
        .map_err(db_err)?;
    Ok(())
}

/// What a new case starts with.
pub(crate) struct Opening<'a> {
    pub subject_id: i64,
    pub category: &'a str,
    /// The severity label; None: from the category's severity.
    pub severity: Option<&'a str>,
    pub top_score: f64,
    pub signal_count: i64,
}

/// Opens a case on a subject (state new) and records it in the audit log.
pub(crate) fn open(
    conn: &Connection,
    opening: &Opening<'_>,
    policy: &CasePolicy,
    actor: Actor,
    detail: serde_json::Value,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    let due = now + time::Duration::hours(i64::from(policy.sla_hours(opening.category)));
    let severity = opening
        .severity
        .unwrap_or_else(|| severity_label(policy.severity(opening.category)));
    let value = priority(policy.severity(opening.category), 0, 1.0, opening.top_score);
    let now_text = stamp(now);
    let case_id: i64 = conn
        .prepare_cached(
            "INSERT INTO cases (subject_id, state, category, severity, signal_count, top_score, \
             priority, due_at, opened_at, updated_at) \
             VALUES (?1, 'new', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id",
        )
        .map_err(db_err)?
        .query_row(
            params![
                opening.subject_id,
                opening.category,
                severity,
                opening.signal_count,
                opening.top_score,
                value,
                stamp(due),
                now_text
            ],
            |r| r.get(0),
        )
        .map_err(db_err)?;
    conn.prepare_cached("INSERT INTO case_subjects (case_id, subject_id) VALUES (?1, ?2)")
        .map_err(db_err)?
        .execute(params![case_id, opening.subject_id])
        .map_err(db_err)?;
    let mut detail = detail;
    if let Some(map) = detail.as_object_mut() {
        map.insert("subject".into(), json!(opening.subject_id));
        map.insert("category".into(), json!(opening.category));
        map.insert("due_at".into(), json!(stamp(due)));
    }
    audit::append(
        conn,
        &NewEntry::new(actor, "case.opened", format!("case:{case_id}"), detail),
        now,
    )?;
    Ok(case_id)
}

fn current_state(conn: &Connection, id: i64) -> Result<CaseState, CaseError> {
    let found: Option<String> = conn
        .prepare_cached("SELECT state FROM cases WHERE id = ?1")
        .map_err(db_err)?
        .query_row([id], |r| r.get(0))
        .optional()
        .map_err(db_err)?;
    let found = found.ok_or(CaseError::NotFound(id))?;
    Ok(state(&found)?)
}

/// Moves a case after checking the move; writes nothing when refused.
pub(crate) fn transition(
    conn: &Connection,
    id: i64,
    to: CaseState,
    by: &Staff,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), CaseError> {
    let from = current_state(conn, id)?;
    let reason = check_transition(from, to, by.role, reason)?;
    let now_text = stamp(now);
    conn.prepare_cached("UPDATE cases SET state = ?2, updated_at = ?3 WHERE id = ?1")
        .map_err(db_err)?
        .execute(params![id, to.as_str(), now_text])
        .map_err(db_err)?;
    conn.prepare_cached(
        "INSERT INTO case_transitions (case_id, from_state, to_state, staff_id, reason, at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .map_err(db_err)?
    .execute(params![
        id,
        from.as_str(),
        to.as_str(),
        by.id,
        reason,
        now_text
    ])
    .map_err(db_err)?;
    // The reports in the case follow it: in review while it is worked on,
    // closed with it.
    let report_status = if to == CaseState::Closed {
        "closed"
    } else {
        "in_review"
    };
    conn.prepare_cached(
        "UPDATE reports SET status = ?2, updated_at = ?3 WHERE id IN \
         (SELECT report_id FROM case_reports WHERE case_id = ?1) AND status IN ('received', 'in_review')",
    )
    .map_err(db_err)?
    .execute(params![id, report_status, now_text])
    .map_err(db_err)?;
    audit::append(
        conn,
        &NewEntry::new(
            staff_actor(by),
            "case.transition",
            format!("case:{id}"),
            json!({"from": from.as_str(), "to": to.as_str(), "reason": reason}),
        ),
        now,
    )?;
    Ok(())
}

/// Assigns (or unassigns) a case; writes nothing when refused.
pub(crate) fn assign(
    conn: &Connection,
    id: i64,
    assignee: Option<i64>,
    by: &Staff,
    now: OffsetDateTime,
) -> Result<(), CaseError> {
    let from = current_state(conn, id)?;
    if from == CaseState::Closed {
        return Err(CaseError::InvalidTransition {
            from: "closed",
            to: "assigned",
            allowed: "nowhere (it is final)".into(),
        });
    }
    let name = match assignee {
        Some(staff) => Some(
            conn.prepare_cached("SELECT name FROM staff WHERE id = ?1 AND disabled = 0")
                .map_err(db_err)?
                .query_row([staff], |r| r.get::<_, String>(0))
                .optional()
                .map_err(db_err)?
                .ok_or(CaseError::NoSuchStaff(staff))?,
        ),
        None => None,
    };
    conn.prepare_cached("UPDATE cases SET assignee = ?2, updated_at = ?3 WHERE id = ?1")
        .map_err(db_err)?
        .execute(params![id, assignee, stamp(now)])
        .map_err(db_err)?;
    audit::append(
        conn,
        &NewEntry::new(
            staff_actor(by),
            "case.assigned",
            format!("case:{id}"),
            json!({"to": name}),
        ),
        now,
    )?;
    Ok(())
}

pub(crate) fn bulk(
    conn: &Connection,
    ids: &[i64],
    action: &BulkAction,
    by: &Staff,
    now: OffsetDateTime,
) -> Vec<(i64, Result<(), CaseError>)> {
    ids.iter()
        .map(|&id| {
            let result = match action {
                BulkAction::Transition { to, reason } => transition(conn, id, *to, by, reason, now),
                BulkAction::Assign { staff } => assign(conn, id, *staff, by, now),
            };
            (id, result)
        })
        .collect()
}

/// Puts a report into a case (see [`harrier_core::cases::CaseStore::triage_report`]).
pub(crate) fn triage(
    conn: &Connection,
    report_id: i64,
    by: &Staff,
    reason: &str,
    policy: &CasePolicy,
    now: OffsetDateTime,
) -> Result<Triaged, CaseError> {
    let reason = if reason.trim().is_empty() {
        format!("triaged from report {report_id}")
    } else {
        check_reason(reason)?
    };
    let category: String = conn
        .prepare_cached("SELECT category FROM reports WHERE id = ?1")
        .map_err(db_err)?
        .query_row([report_id], |r| r.get(0))
        .optional()
        .map_err(db_err)?
        .ok_or(CaseError::ReportNotFound(report_id))?;
    // Already in an active case: nothing to do.
    let already: Option<i64> = conn
        .prepare_cached(
            "SELECT c.id FROM case_reports cr JOIN cases c ON c.id = cr.case_id \
             WHERE cr.report_id = ?1 AND c.state <> 'closed' ORDER BY c.id LIMIT 1",
        )
        .map_err(db_err)?
        .query_row([report_id], |r| r.get(0))
        .optional()
        .map_err(db_err)?;
    if let Some(case_id) = already {
        return Ok(Triaged {
            case_id,
            opened: false,
        });
    }
    let subjects: Vec<i64> = conn
        .prepare_cached(
            "SELECT DISTINCT subject_id FROM report_locations WHERE report_id = ?1 ORDER BY position",
        )
        .map_err(db_err)?
        .query_map([report_id], |r| r.get(0))
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    let Some(&first) = subjects.first() else {
        return Err(CaseError::NoSubject(report_id));
    };
    let ids =
        serde_json::to_string(&subjects).map_err(|e| CaseError::Unavailable(e.to_string()))?;
    let active: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT c.id, c.state FROM case_subjects cs JOIN cases c ON c.id = cs.case_id \
             WHERE cs.subject_id IN (SELECT value FROM json_each(?1)) AND c.state <> 'closed' \
             ORDER BY c.id LIMIT 1",
        )
        .map_err(db_err)?
        .query_row([&ids], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(db_err)?;
    // Check the move to triage before writing anything.
    let needs_triage = match &active {
        Some((_, s)) => state(s)? == CaseState::New,
        None => true,
    };
    if needs_triage {
        check_transition(CaseState::New, CaseState::Triage, by.role, &reason)?;
    }
    let (case_id, opened) = match active {
        Some((id, _)) => (id, false),
        None => {
            let opening = Opening {
                subject_id: first,
                category: &category,
                severity: None,
                top_score: 0.0,
                signal_count: 0,
            };
            let id = open(
                conn,
                &opening,
                policy,
                staff_actor(by),
                json!({"report": report_id}),
                now,
            )?;
            (id, true)
        }
    };
    for subject in &subjects {
        conn.prepare_cached(
            "INSERT INTO case_subjects (case_id, subject_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        )
        .map_err(db_err)?
        .execute(params![case_id, subject])
        .map_err(db_err)?;
    }
    conn.prepare_cached(
        "INSERT INTO case_reports (case_id, report_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )
    .map_err(db_err)?
    .execute(params![case_id, report_id])
    .map_err(db_err)?;
    // The report's files become evidence of the case, with their origin.
    let by_id = by.id;
    let now_text = stamp(now);
    conn.prepare_cached(
        "INSERT INTO evidence (case_id, sha256, media_type, size, name, source, source_ref, \
         captured_by, captured_at) SELECT ?1, sha256, media_type, size, COALESCE(name, ''), \
         'report_file', 'report:' || report_id || '#' || position, ?3, ?4 \
         FROM report_files WHERE report_id = ?2 ON CONFLICT (case_id, sha256) DO NOTHING",
    )
    .map_err(db_err)?
    .execute(params![case_id, report_id, by_id, now_text])
    .map_err(db_err)?;
    conn.prepare_cached(
        "UPDATE cases SET report_count = (SELECT COUNT(*) FROM case_reports WHERE case_id = ?1), \
         updated_at = ?2 WHERE id = ?1",
    )
    .map_err(db_err)?
    .execute(params![case_id, now_text])
    .map_err(db_err)?;
    refresh_priority(conn, case_id, policy)?;
    conn.prepare_cached(
        "UPDATE reports SET status = 'in_review', updated_at = ?2 WHERE id = ?1 AND status = 'received'",
    )
    .map_err(db_err)?
    .execute(params![report_id, now_text])
    .map_err(db_err)?;
    audit::append(
        conn,
        &NewEntry::new(
            staff_actor(by),
            "report.triaged",
            format!("report:{report_id}"),
            json!({"case": case_id, "opened": opened}),
        ),
        now,
    )?;
    audit::append(
        conn,
        &NewEntry::new(
            staff_actor(by),
            "case.report_added",
            format!("case:{case_id}"),
            json!({"report": report_id, "subjects": subjects}),
        ),
        now,
    )?;
    if needs_triage {
        transition(conn, case_id, CaseState::Triage, by, &reason, now)?;
    }
    Ok(Triaged { case_id, opened })
}

pub(crate) fn add_evidence(
    conn: &Connection,
    case_id: i64,
    evidence: &NewEvidence,
    by: &Staff,
    now: OffsetDateTime,
) -> Result<EvidenceRecord, CaseError> {
    current_state(conn, case_id)?;
    let exists: Option<i64> = conn
        .prepare_cached("SELECT id FROM evidence WHERE case_id = ?1 AND sha256 = ?2")
        .map_err(db_err)?
        .query_row(params![case_id, evidence.sha256], |r| r.get(0))
        .optional()
        .map_err(db_err)?;
    if exists.is_some() {
        return Err(CaseError::DuplicateEvidence {
            case: case_id,
            sha256: evidence.sha256.clone(),
        });
    }
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO evidence (case_id, sha256, media_type, size, name, source, source_ref, \
             note, captured_by, captured_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
             RETURNING id",
        )
        .map_err(db_err)?
        .query_row(
            params![
                case_id,
                evidence.sha256,
                evidence.media_type,
                evidence.size,
                evidence.name,
                evidence.source.as_str(),
                evidence.source_ref,
                evidence.note,
                by.id,
                stamp(now)
            ],
            |r| r.get(0),
        )
        .map_err(db_err)?;
    conn.prepare_cached("UPDATE cases SET updated_at = ?2 WHERE id = ?1")
        .map_err(db_err)?
        .execute(params![case_id, stamp(now)])
        .map_err(db_err)?;
    audit::append(
        conn,
        &NewEntry::new(
            staff_actor(by),
            "evidence.added",
            format!("case:{case_id}"),
            json!({
                "evidence": id,
                "sha256": evidence.sha256,
                "name": evidence.name,
                "size": evidence.size,
                "source": evidence.source.as_str(),
            }),
        ),
        now,
    )?;
    Ok(EvidenceRecord {
        id,
        case_id,
        sha256: evidence.sha256.clone(),
        media_type: evidence.media_type.clone(),
        size: evidence.size,
        name: evidence.name.clone(),
        source: evidence.source,
        source_ref: evidence.source_ref.clone(),
        note: evidence.note.clone(),
        captured_by: by.name.clone(),
        captured_at: now,
    })
}

/// A subject's page (see [`harrier_core::cases::CaseStore::get_subject`]).
pub(crate) fn subject(conn: &Connection, id: i64) -> Result<Option<SubjectDetail>, StoreError> {
    let found = conn
        .prepare_cached(
            "SELECT id, kind, platform, key, report_count, first_reported_at, last_reported_at \
             FROM subjects WHERE id = ?1",
        )
        .map_err(db_err)?
        .query_row([id], |r| subject_row(r, 0))
        .optional()
        .map_err(db_err)?;
    let Some(found) = found else {
        return Ok(None);
    };
    let subject = subject_summary(found)?;
    let ids = |sql: &str| -> Result<Vec<i64>, StoreError> {
        conn.prepare_cached(sql)
            .map_err(db_err)?
            .query_map(params![id, SUBJECT_PAGE_ROWS], |r| r.get::<_, i64>(0))
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)
    };
    let mut found_reports = Vec::new();
    for report in ids(
        "SELECT DISTINCT report_id FROM report_locations WHERE subject_id = ?1 \
         ORDER BY report_id DESC LIMIT ?2",
    )? {
        if let Some(record) = reports::get(conn, report)? {
            found_reports.push(record);
        }
    }
    let mut found_cases = Vec::new();
    for case in ids(
        "SELECT case_id FROM case_subjects WHERE subject_id = ?1 ORDER BY case_id DESC LIMIT ?2",
    )? {
        if let Some(summary) = get_summary(conn, case)? {
            found_cases.push(summary);
        }
    }
    let mut links = Vec::new();
    for (via, sql) in [
        (
            "reported_together",
            "SELECT l2.subject_id, COUNT(DISTINCT l2.report_id) FROM report_locations l1 \
             JOIN report_locations l2 ON l2.report_id = l1.report_id AND l2.subject_id <> l1.subject_id \
             WHERE l1.subject_id = ?1 GROUP BY l2.subject_id ORDER BY 2 DESC, 1 LIMIT ?2",
        ),
        (
            "same_case",
            "SELECT c2.subject_id, COUNT(DISTINCT c2.case_id) FROM case_subjects c1 \
             JOIN case_subjects c2 ON c2.case_id = c1.case_id AND c2.subject_id <> c1.subject_id \
             WHERE c1.subject_id = ?1 GROUP BY c2.subject_id ORDER BY 2 DESC, 1 LIMIT ?2",
        ),
        (
            "in_group",
            "SELECT g.subject_id, 1 FROM ring_members m JOIN ring_groups g ON g.id = m.group_id \
             WHERE m.subject_id = ?1 ORDER BY g.id DESC LIMIT ?2",
        ),
        (
            "member",
            "SELECT m.subject_id, 1 FROM ring_groups g JOIN ring_members m ON m.group_id = g.id \
             WHERE g.subject_id = ?1 ORDER BY m.subject_id LIMIT ?2",
        ),
    ] {
        let pairs = conn
            .prepare_cached(sql)
            .map_err(db_err)?
            .query_map(params![id, SUBJECT_PAGE_ROWS], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        for (other, weight) in pairs {
            let row = conn
                .prepare_cached(
                    "SELECT id, kind, platform, key, report_count, first_reported_at, \
                     last_reported_at FROM subjects WHERE id = ?1",
                )
                .map_err(db_err)?
                .query_row([other], |r| subject_row(r, 0))
                .map_err(db_err)?;
            links.push(SubjectLink {
                subject: subject_summary(row)?,
                via,
                weight,
            });
        }
    }
    let items = if subject.kind == harrier_core::intake::SubjectKind::Account {
        account_items(conn, &subject.platform, &subject.key)?
    } else {
        Vec::new()
    };
    let groups = super::groups::of_subject(conn, id)?;
    Ok(Some(SubjectDetail {
        subject,
        reports: found_reports,
        items,
        signals: subject_signals(conn, id, SUBJECT_PAGE_ROWS)?,
        cases: found_cases,
        groups,
        links,
    }))
}

/// The items an account posted, newest first (see `items_by_account`).
fn account_items(
    conn: &Connection,
    platform: &str,
    key: &str,
) -> Result<Vec<CaseItem>, StoreError> {
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM providers p JOIN items i ON i.provider_id = p.id \
         WHERE lower(p.name) = ?1 AND lower(i.account) IN (?2, '@' || ?2) \
         ORDER BY i.id DESC LIMIT ?3"
    );
    let rows = conn
        .prepare_cached(&sql)
        .map_err(db_err)?
        .query_map(params![platform, key, SUBJECT_PAGE_ROWS], |r| {
            item_row(r, 0)
        })
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter().map(CaseItemRow::into_item).collect()
}
