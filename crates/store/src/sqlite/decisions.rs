//! Decisions in SQLite: the decision with its notices, orders and the
//! case's move in one writer job, and the reads behind the case page, the
//! export, the public appeal page and the receipt page.
//!
//! Every check comes before the first write, so a refused decision leaves
//! nothing behind (the rest of its commit batch goes on).

use super::audit;
use super::cases::{self, staff_actor};
use super::db_err;
use super::order_rows::orders_of_decision;
use super::orders::insert_order;
use super::time::{parse_stamp, stamp};
use harrier_core::accounts::Staff;
use harrier_core::audit::NewEntry;
use harrier_core::cases::{CaseError, CaseState, check_transition};
use harrier_core::decisions::{
    Decision, DecisionDetail, DecisionError, DecisionState, MessageKind, MessageTemplate,
    NewDecision, NoticeRecord, Statement,
};
use harrier_core::ports::StoreError;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::json;
use time::OffsetDateTime;

pub(crate) const DECISION_COLUMNS: &str = "d.id, d.puid, d.case_id, d.subject_id, d.statement, d.state, \
     s.name, d.decided_by, d.decided_at, d.appeal_code, d.appeal_until, d.supersedes, d.superseded_by";

pub(crate) struct DecisionRow {
    id: i64,
    puid: String,
    case_id: i64,
    subject_id: i64,
    statement: String,
    state: String,
    decided_by: String,
    decided_by_id: i64,
    decided_at: String,
    appeal_code: String,
    appeal_until: String,
    supersedes: Option<i64>,
    superseded_by: Option<i64>,
}

pub(crate) fn decision_row(r: &Row<'_>) -> rusqlite::Result<DecisionRow> {
    Ok(DecisionRow {
        id: r.get(0)?,
        puid: r.get(1)?,
        case_id: r.get(2)?,
        subject_id: r.get(3)?,
        statement: r.get(4)?,
        state: r.get(5)?,
        decided_by: r.get(6)?,
        decided_by_id: r.get(7)?,
        decided_at: r.get(8)?,
        appeal_code: r.get(9)?,
        appeal_until: r.get(10)?,
        supersedes: r.get(11)?,
        superseded_by: r.get(12)?,
    })
}

impl DecisionRow {
    pub(crate) fn into_decision(self) -> Result<Decision, StoreError> {
        let statement: Statement = serde_json::from_str(&self.statement).map_err(|e| {
            StoreError::Unavailable(format!("decision {}: bad statement: {e}", self.id))
        })?;
        Ok(Decision {
            id: self.id,
            puid: self.puid,
            case_id: self.case_id,
            subject_id: self.subject_id,
            statement,
            state: DecisionState::parse(&self.state).ok_or_else(|| {
                StoreError::Unavailable(format!("decision {}: bad state {}", self.id, self.state))
            })?,
            decided_by: self.decided_by,
            decided_by_id: self.decided_by_id,
            decided_at: parse_stamp(&self.decided_at)?,
            appeal_code: self.appeal_code,
            appeal_until: parse_stamp(&self.appeal_until)?,
            supersedes: self.supersedes,
            superseded_by: self.superseded_by,
        })
    }
}

fn select(
    conn: &Connection,
    filter: &str,
    value: &dyn rusqlite::ToSql,
) -> Result<Vec<Decision>, StoreError> {
    let sql = format!(
        "SELECT {DECISION_COLUMNS} FROM decisions d JOIN staff s ON s.id = d.decided_by WHERE {filter} ORDER BY d.id"
    );
    let rows = conn
        .prepare_cached(&sql)
        .map_err(db_err)?
        .query_map([value], decision_row)
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter().map(DecisionRow::into_decision).collect()
}

pub(crate) fn get_decision(conn: &Connection, id: i64) -> Result<Option<Decision>, StoreError> {
    Ok(select(conn, "d.id = ?1", &id)?.pop())
}

pub(crate) fn by_code(conn: &Connection, code: &str) -> Result<Option<Decision>, StoreError> {
    Ok(select(conn, "d.appeal_code = ?1", &code)?.pop())
}

pub(crate) fn since(
    conn: &Connection,
    since: OffsetDateTime,
    after: i64,
    limit: u32,
) -> Result<Vec<Decision>, StoreError> {
    let sql = format!(
        "SELECT {DECISION_COLUMNS} FROM decisions d JOIN staff s ON s.id = d.decided_by \
         WHERE d.decided_at >= ?1 AND d.id > ?2 ORDER BY d.id LIMIT ?3"
    );
    let rows = conn
        .prepare_cached(&sql)
        .map_err(db_err)?
        .query_map(params![stamp(since), after, i64::from(limit)], decision_row)
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter().map(DecisionRow::into_decision).collect()
}

pub(crate) fn notices(
    conn: &Connection,
    decision_id: i64,
) -> Result<Vec<NoticeRecord>, StoreError> {
    let rows = conn
        .prepare_cached(
            "SELECT id, decision_id, appeal_id, kind, channel, language, body, created_at, sent_at \
             FROM notices WHERE decision_id = ?1 ORDER BY id",
        )
        .map_err(db_err)?
        .query_map([decision_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter()
        .map(
            |(id, decision_id, appeal_id, kind, channel, language, body, created, sent)| {
                Ok(NoticeRecord {
                    id,
                    decision_id,
                    appeal_id,
                    kind,
                    channel,
                    language,
                    body,
                    created_at: parse_stamp(&created)?,
                    sent_at: sent.as_deref().map(parse_stamp).transpose()?,
                })
            },
        )
        .collect()
}

pub(crate) fn detail(conn: &Connection, decision: Decision) -> Result<DecisionDetail, StoreError> {
    let id = decision.id;
    Ok(DecisionDetail {
        notices: notices(conn, id)?,
        orders: orders_of_decision(conn, id)?,
        appeals: super::appeals::of_decision(conn, id)?,
        decision,
    })
}

pub(crate) fn of_case(conn: &Connection, case_id: i64) -> Result<Vec<DecisionDetail>, StoreError> {
    select(conn, "d.case_id = ?1", &case_id)?
        .into_iter()
        .map(|d| detail(conn, d))
        .collect()
}

/// A notice row to insert.
pub(crate) struct NoticeRow<'a> {
    pub decision_id: i64,
    pub appeal_id: Option<i64>,
    pub kind: MessageKind,
    /// `provider` or `email`.
    pub channel: &'static str,
    pub address: Option<&'a str>,
    pub language: &'a str,
    pub body: &'a str,
}

/// Inserts a notice row.
pub(crate) fn insert_notice(
    conn: &Connection,
    n: &NoticeRow<'_>,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let NoticeRow {
        decision_id,
        appeal_id,
        kind,
        channel,
        address,
        language,
        body,
    } = *n;
    conn.prepare_cached(
        "INSERT INTO notices (decision_id, appeal_id, kind, channel, address, language, body, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .map_err(db_err)?
    .execute(params![
        decision_id,
        appeal_id,
        kind.as_str(),
        channel,
        address,
        language,
        body,
        stamp(now)
    ])
    .map_err(db_err)?;
    Ok(())
}

/// A decision row to insert.
pub(crate) struct DecisionInsert<'a> {
    pub case_id: i64,
    pub subject_id: i64,
    pub statement: &'a Statement,
    pub appeal_code: &'a str,
    pub appeal_until: OffsetDateTime,
    pub supersedes: Option<i64>,
}

/// Inserts the decision row and gives it its puid; no checks.
pub(crate) fn insert_decision(
    conn: &Connection,
    d: &DecisionInsert<'_>,
    by: &Staff,
    now: OffsetDateTime,
) -> Result<(i64, String), StoreError> {
    let DecisionInsert {
        case_id,
        subject_id,
        statement,
        appeal_code,
        appeal_until,
        supersedes,
    } = *d;
    let json = serde_json::to_string(statement)
        .map_err(|e| StoreError::Unavailable(format!("statement: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO decisions (puid, case_id, subject_id, statement, category, ground, restrictions, \
         automated_decision, source, decided_by, decided_at, appeal_code, appeal_until, supersedes) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?1, ?12, ?13)",
    )
    .map_err(db_err)?
    .execute(params![
        appeal_code,
        case_id,
        subject_id,
        json,
        statement.category,
        statement.ground.as_str(),
        statement.restrictions.labels().join(" "),
        statement.automated_decision.as_str(),
        statement.source.as_str(),
        by.id,
        stamp(now),
        stamp(appeal_until),
        supersedes,
    ])
    .map_err(db_err)?;
    let id = conn.last_insert_rowid();
    let puid = format!("harrier-decision-{id}");
    conn.prepare_cached("UPDATE decisions SET puid = ?2 WHERE id = ?1")
        .map_err(db_err)?
        .execute(params![id, puid])
        .map_err(db_err)?;
    Ok((id, puid))
}

fn case_state(conn: &Connection, id: i64) -> Result<Option<CaseState>, StoreError> {
    let found: Option<String> = conn
        .prepare_cached("SELECT state FROM cases WHERE id = ?1")
        .map_err(db_err)?
        .query_row([id], |r| r.get(0))
        .optional()
        .map_err(db_err)?;
    found.map(|s| cases::state(&s)).transpose()
}

pub(crate) fn provider_exists(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM providers WHERE id = ?1)")
        .map_err(db_err)?
        .query_row([id], |r| r.get(0))
        .map_err(db_err)
}

fn case_error(e: CaseError) -> DecisionError {
    match e {
        CaseError::RoleNotAllowed { role, .. } => DecisionError::Forbidden {
            role,
            what: "take decisions",
        },
        CaseError::NotFound(id) => DecisionError::CaseNotFound(id),
        other => DecisionError::Unavailable(other.to_string()),
    }
}

/// The moves that bring a case in `from` to `decided`.
fn path_to_decided(case: i64, from: CaseState) -> Result<&'static [CaseState], DecisionError> {
    match from {
        CaseState::New | CaseState::Triage => Ok(&[CaseState::Investigating, CaseState::Decided]),
        CaseState::Investigating => Ok(&[CaseState::Decided]),
        CaseState::Decided => Ok(&[]),
        other => Err(DecisionError::CaseNotDecidable {
            case,
            state: other.as_str(),
        }),
    }
}

/// Takes a decision: checks, then writes the decision, its notices, its
/// orders, the case's moves and the audit entry.
pub(crate) fn decide(
    conn: &Connection,
    new: &NewDecision,
    by: &Staff,
    now: OffsetDateTime,
) -> Result<Result<i64, DecisionError>, StoreError> {
    let Some(state) = case_state(conn, new.case_id)? else {
        return Ok(Err(DecisionError::CaseNotFound(new.case_id)));
    };
    let path = match path_to_decided(new.case_id, state) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    let mut from = state;
    for &to in path {
        if let Err(e) = check_transition(from, to, by.role, "decision") {
            return Ok(Err(case_error(e)));
        }
        from = to;
    }
    if path.is_empty()
        && !matches!(
            by.role,
            harrier_core::accounts::Role::Admin | harrier_core::accounts::Role::Moderator
        )
    {
        return Ok(Err(DecisionError::Forbidden {
            role: by.role.as_str(),
            what: "take decisions",
        }));
    }
    let in_case: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM case_subjects WHERE case_id = ?1 AND subject_id = ?2)",
        )
        .map_err(db_err)?
        .query_row(params![new.case_id, new.subject_id], |r| r.get(0))
        .map_err(db_err)?;
    if !in_case {
        return Ok(Err(DecisionError::SubjectNotInCase {
            case: new.case_id,
            subject: new.subject_id,
        }));
    }
    for order in &new.orders {
        if !provider_exists(conn, order.provider_id)? {
            return Ok(Err(DecisionError::ProviderNotFound(order.provider_id)));
        }
    }

    // Writes from here on.
    let (id, puid) = insert_decision(
        conn,
        &DecisionInsert {
            case_id: new.case_id,
            subject_id: new.subject_id,
            statement: &new.statement,
            appeal_code: &new.appeal_code,
            appeal_until: new.appeal_until,
            supersedes: None,
        },
        by,
        now,
    )?;
    let actor = format!("staff:{}", by.name);
    let mut references = Vec::new();
    for order in &new.orders {
        let mut order = order.clone();
        order.decision_id = Some(id);
        if let Some(stored) = insert_order(conn, &order, &actor, now)? {
            references.push(stored.reference);
        }
    }
    // The notice is always kept: through the provider (inside the orders),
    // by e-mail, or with no channel (`none`: staff must pass the code on).
    if !new.orders.is_empty() || new.email.is_none() {
        insert_notice(
            conn,
            &NoticeRow {
                decision_id: id,
                appeal_id: None,
                kind: MessageKind::Decision,
                channel: if new.orders.is_empty() {
                    "none"
                } else {
                    "provider"
                },
                address: None,
                language: &new.notice_language,
                body: &new.notice,
            },
            now,
        )?;
    }
    if let Some(email) = &new.email {
        insert_notice(
            conn,
            &NoticeRow {
                decision_id: id,
                appeal_id: None,
                kind: MessageKind::Decision,
                channel: "email",
                address: Some(&email.address),
                language: &email.language,
                body: &email.body,
            },
            now,
        )?;
    }
    let reason = format!("decision {puid}");
    for &to in path {
        if let Err(e) = cases::transition(conn, new.case_id, to, by, &reason, now) {
            return match e {
                CaseError::Unavailable(m) => Err(StoreError::Unavailable(m)),
                // Checked above; a refusal here would leave half a decision.
                other => Err(StoreError::Unavailable(format!(
                    "case move after checks: {other}"
                ))),
            };
        }
    }
    audit::append(
        conn,
        &NewEntry::new(
            staff_actor(by),
            "decision.taken",
            format!("case:{}", new.case_id),
            json!({
                "decision": id,
                "puid": puid,
                "subject": new.subject_id,
                "category": new.statement.category,
                "ground": new.statement.ground.as_str(),
                "restrictions": new.statement.restrictions.labels(),
                "automated_decision": new.statement.automated_decision.as_str(),
                "orders": references,
                "email_notice": new.email.is_some(),
            }),
        ),
        now,
    )?;
    Ok(Ok(id))
}

pub(crate) fn templates(conn: &Connection) -> Result<Vec<MessageTemplate>, StoreError> {
    let rows = conn
        .prepare_cached("SELECT kind, category, language, body FROM message_templates ORDER BY kind, category, language")
        .map_err(db_err)?
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .filter_map(|(kind, category, language, body)| {
            Some(MessageTemplate {
                kind: MessageKind::parse(&kind)?,
                category,
                language,
                body,
            })
        })
        .collect())
}

pub(crate) fn put_template(
    conn: &Connection,
    t: &MessageTemplate,
    by: &Staff,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO message_templates (kind, category, language, body, updated_by, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (kind, category, language) DO UPDATE SET \
         body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .map_err(db_err)?
    .execute(params![
        t.kind.as_str(),
        t.category,
        t.language,
        t.body,
        format!("staff:{}", by.name),
        stamp(now)
    ])
    .map_err(db_err)?;
    audit::append(
        conn,
        &NewEntry::new(
            staff_actor(by),
            "template.updated",
            format!("template:{}/{}/{}", t.kind.as_str(), t.category, t.language),
            json!({"body": t.body}),
        ),
        now,
    )?;
    Ok(())
}
