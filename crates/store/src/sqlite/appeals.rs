//! Appeals in SQLite: filing one with its files, the reviewers' queue, and
//! the review that upholds, reverses (with reversal orders) or modifies
//! (with a new decision and amending orders), all in one writer job.

use super::audit;
use super::cases::{self, staff_actor};
use super::db_err;
use super::decisions::{
    DecisionInsert, NoticeRow, by_code, get_decision, insert_decision, insert_notice,
};
use super::order_rows::orders_of_decision;
use super::orders::insert_order;
use super::time::{parse_stamp, stamp};
use harrier_core::accounts::{Role, Staff};
use harrier_core::audit::{Actor, NewEntry};
use harrier_core::cases::CaseState;
use harrier_core::decisions::{
    Appeal, AppealOutcome, AppealQuery, AppealReview, AppealState, DecisionError, DecisionState,
    MessageKind, NewAppeal, OutcomeLine, ReportOutcome,
};
use harrier_core::intake::EvidenceFile;
use harrier_core::orders::{NewOrder, Notice, OrderAction, OrderState};
use harrier_core::ports::StoreError;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::json;
use time::OffsetDateTime;

const APPEAL_COLUMNS: &str = "a.id, a.decision_id, d.case_id, d.category, a.explanation, a.contact_email, \
     a.language, a.filed_at, a.state, r.name, a.outcome_reasons, a.decided_at, a.new_decision_id, s.name";

const APPEAL_FROM: &str = "appeals a JOIN decisions d ON d.id = a.decision_id \
     JOIN staff s ON s.id = d.decided_by LEFT JOIN staff r ON r.id = a.reviewer";

type RawAppeal = (
    (i64, i64, i64, String, String, Option<String>, String),
    (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i64>,
        String,
    ),
);

fn appeal_row(r: &Row<'_>) -> rusqlite::Result<RawAppeal> {
    Ok((
        (
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
        ),
        (
            r.get(7)?,
            r.get(8)?,
            r.get(9)?,
            r.get(10)?,
            r.get(11)?,
            r.get(12)?,
            r.get(13)?,
        ),
    ))
}

fn files(conn: &Connection, appeal_id: i64) -> Result<Vec<EvidenceFile>, StoreError> {
    conn.prepare_cached(
        "SELECT sha256, media_type, size, name FROM appeal_files WHERE appeal_id = ?1 ORDER BY position",
    )
    .map_err(db_err)?
    .query_map([appeal_id], |r| {
        Ok(EvidenceFile {
            sha256: r.get(0)?,
            media_type: r.get(1)?,
            size: r.get::<_, i64>(2)?.max(0).unsigned_abs(),
            name: r.get(3)?,
        })
    })
    .map_err(db_err)?
    .collect::<Result<Vec<_>, _>>()
    .map_err(db_err)
}

fn into_appeal(conn: &Connection, raw: RawAppeal) -> Result<Appeal, StoreError> {
    let ((id, decision_id, case_id, category, explanation, contact_email, language), b) = raw;
    let (filed_at, state, reviewer, outcome_reasons, decided_at, new_decision_id, decided_by) = b;
    Ok(Appeal {
        id,
        decision_id,
        case_id,
        category,
        explanation,
        contact_email,
        language,
        filed_at: parse_stamp(&filed_at)?,
        files: files(conn, id)?,
        state: AppealState::parse(&state)
            .ok_or_else(|| StoreError::Unavailable(format!("appeal {id}: bad state")))?,
        reviewer,
        outcome_reasons,
        decided_at: decided_at.as_deref().map(parse_stamp).transpose()?,
        new_decision_id,
        decided_by,
    })
}

fn select(
    conn: &Connection,
    tail: &str,
    values: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Appeal>, StoreError> {
    let sql = format!("SELECT {APPEAL_COLUMNS} FROM {APPEAL_FROM} {tail}");
    let rows = conn
        .prepare_cached(&sql)
        .map_err(db_err)?
        .query_map(values, appeal_row)
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter().map(|r| into_appeal(conn, r)).collect()
}

pub(crate) fn of_decision(conn: &Connection, decision_id: i64) -> Result<Vec<Appeal>, StoreError> {
    select(
        conn,
        "WHERE a.decision_id = ?1 ORDER BY a.id",
        &[&decision_id],
    )
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<Appeal>, StoreError> {
    Ok(select(conn, "WHERE a.id = ?1", &[&id])?.pop())
}

pub(crate) fn list(conn: &Connection, q: &AppealQuery) -> Result<Vec<Appeal>, StoreError> {
    let limit = i64::from(q.limit.clamp(1, 1000));
    if q.open_only {
        select(
            conn,
            "WHERE a.state = 'open' ORDER BY a.filed_at, a.id LIMIT ?1",
            &[&limit],
        )
    } else {
        select(conn, "ORDER BY a.id DESC LIMIT ?1", &[&limit])
    }
}

/// Files an appeal: checks the code, the decision's state and window and
/// that none is open, then stores it and moves a `decided` case on.
pub(crate) fn file(
    conn: &Connection,
    appeal: &NewAppeal,
    now: OffsetDateTime,
) -> Result<Result<i64, DecisionError>, StoreError> {
    let Some(decision) = by_code(conn, &appeal.code)? else {
        return Ok(Err(DecisionError::UnknownCode));
    };
    if decision.state != DecisionState::InForce {
        return Ok(Err(DecisionError::DecisionNotInForce(decision.id)));
    }
    if now > decision.appeal_until {
        return Ok(Err(DecisionError::AppealWindowClosed(
            decision.appeal_until,
        )));
    }
    let open: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM appeals WHERE decision_id = ?1 AND state = 'open')",
        )
        .map_err(db_err)?
        .query_row([decision.id], |r| r.get(0))
        .map_err(db_err)?;
    if open {
        return Ok(Err(DecisionError::AppealAlreadyOpen));
    }
    conn.prepare_cached(
        "INSERT INTO appeals (decision_id, explanation, contact_email, language, filed_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .map_err(db_err)?
    .execute(params![
        decision.id,
        appeal.explanation,
        appeal.contact_email,
        appeal.language,
        stamp(now)
    ])
    .map_err(db_err)?;
    let id = conn.last_insert_rowid();
    for (position, f) in appeal.files.iter().enumerate() {
        conn.prepare_cached(
            "INSERT INTO appeal_files (appeal_id, position, sha256, media_type, size, name) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(db_err)?
        .execute(params![
            id,
            position as i64,
            f.sha256,
            f.media_type,
            i64::try_from(f.size).unwrap_or(i64::MAX),
            f.name
        ])
        .map_err(db_err)?;
    }
    // The case follows when it still stands at the decision. There is no
    // staff member to name in case_transitions: the audit entry records
    // the move, by the public.
    let state: Option<String> = conn
        .prepare_cached("SELECT state FROM cases WHERE id = ?1")
        .map_err(db_err)?
        .query_row([decision.case_id], |r| r.get(0))
        .optional()
        .map_err(db_err)?;
    let moved = state.as_deref() == Some(CaseState::Decided.as_str());
    if moved {
        conn.prepare_cached("UPDATE cases SET state = 'appealed', updated_at = ?2 WHERE id = ?1")
            .map_err(db_err)?
            .execute(params![decision.case_id, stamp(now)])
            .map_err(db_err)?;
    }
    audit::append(
        conn,
        &NewEntry::new(
            Actor::Public,
            "appeal.filed",
            format!("case:{}", decision.case_id),
            json!({
                "appeal": id,
                "decision": decision.id,
                "files": appeal.files.iter().map(|f| &f.sha256).collect::<Vec<_>>(),
                "case_moved_to": if moved { Some("appealed") } else { None },
            }),
        ),
        now,
    )?;
    Ok(Ok(id))
}

/// What an appeal's follow-up orders carry.
struct FollowUp<'a> {
    /// The decision appealed against and the one the orders belong to.
    decision_id: i64,
    new_decision: i64,
    action: OrderAction,
    appeal_id: i64,
    review: &'a AppealReview,
    notice: Notice,
}

/// The orders undoing or amending each order of the decision appealed.
fn follow_up_orders(
    conn: &Connection,
    f: FollowUp<'_>,
    now: OffsetDateTime,
) -> Result<Vec<NewOrder>, StoreError> {
    let FollowUp {
        decision_id,
        new_decision,
        action,
        appeal_id,
        review,
        notice,
    } = f;
    Ok(orders_of_decision(conn, decision_id)?
        .into_iter()
        // Orders the provider refused changed nothing to undo.
        .filter(|o| o.state != OrderState::Rejected && o.reverses.is_none())
        .map(|o| NewOrder {
            case_id: o.case_id,
            decision_id: Some(new_decision),
            provider_id: o.provider_id,
            action,
            preserve_days: None,
            legal_basis: format!(
                "Appeal {appeal_id} against decision {decision_id} (DSA Art. 20): {}",
                if action == OrderAction::Reinstate {
                    "the decision is reversed; undo order ".to_owned() + &o.reference
                } else {
                    "the decision is modified; replace the effect of order ".to_owned()
                        + &o.reference
                }
            ),
            deadline: now + review.order_deadline,
            target: o.target,
            evidence_excerpt: String::new(),
            notice: Some(notice.clone()),
            reverses: Some(o.id),
        })
        .collect())
}

/// Decides an appeal; every check before the first write.
pub(crate) fn review(
    conn: &Connection,
    id: i64,
    review: &AppealReview,
    by: &Staff,
    now: OffsetDateTime,
) -> Result<Result<(), DecisionError>, StoreError> {
    let Some(appeal) = get(conn, id)? else {
        return Ok(Err(DecisionError::AppealNotFound(id)));
    };
    if appeal.state != AppealState::Open {
        return Ok(Err(DecisionError::AppealDecided(id)));
    }
    if !matches!(by.role, Role::Admin | Role::Reviewer) {
        return Ok(Err(DecisionError::Forbidden {
            role: by.role.as_str(),
            what: "decide appeals",
        }));
    }
    let Some(decision) = get_decision(conn, appeal.decision_id)? else {
        return Ok(Err(DecisionError::DecisionNotFound(appeal.decision_id)));
    };
    if decision.decided_by_id == by.id {
        return Ok(Err(DecisionError::ReviewerTookDecision(
            decision.decided_by,
        )));
    }

    let kind = match review.outcome {
        AppealOutcome::Uphold => MessageKind::AppealUpheld,
        AppealOutcome::Reverse => MessageKind::AppealReversed,
        AppealOutcome::Modify(_) => MessageKind::AppealModified,
    };
    let notice = Notice {
        language: appeal.language.clone(),
        text: review.notice.clone(),
        appeal_url: review.appeal_url.clone(),
        appeal_code: decision.appeal_code.clone(),
    };
    let mut new_decision_id = None;
    let mut orders = Vec::new();
    match &review.outcome {
        AppealOutcome::Uphold => {}
        AppealOutcome::Reverse => {
            orders = follow_up_orders(
                conn,
                FollowUp {
                    decision_id: decision.id,
                    new_decision: decision.id,
                    action: OrderAction::Reinstate,
                    appeal_id: id,
                    review,
                    notice: notice.clone(),
                },
                now,
            )?;
            conn.prepare_cached("UPDATE decisions SET state = 'reversed' WHERE id = ?1")
                .map_err(db_err)?
                .execute([decision.id])
                .map_err(db_err)?;
        }
        AppealOutcome::Modify(statement) => {
            let (new_id, _) = insert_decision(
                conn,
                &DecisionInsert {
                    case_id: decision.case_id,
                    subject_id: decision.subject_id,
                    statement,
                    appeal_code: &review.new_appeal_code,
                    appeal_until: review.new_appeal_until,
                    supersedes: Some(decision.id),
                },
                by,
                now,
            )?;
            conn.prepare_cached(
                "UPDATE decisions SET state = 'modified', superseded_by = ?2 WHERE id = ?1",
            )
            .map_err(db_err)?
            .execute(params![decision.id, new_id])
            .map_err(db_err)?;
            let notice = Notice {
                appeal_code: review.new_appeal_code.clone(),
                ..notice.clone()
            };
            orders = follow_up_orders(
                conn,
                FollowUp {
                    decision_id: decision.id,
                    new_decision: new_id,
                    action: OrderAction::Amend,
                    appeal_id: id,
                    review,
                    notice,
                },
                now,
            )?;
            // The new decision's own page shows the text that announced it.
            insert_notice(
                conn,
                &NoticeRow {
                    decision_id: new_id,
                    appeal_id: Some(id),
                    kind: MessageKind::AppealModified,
                    channel: "none",
                    address: None,
                    language: &appeal.language,
                    body: &review.notice,
                },
                now,
            )?;
            new_decision_id = Some(new_id);
        }
    }
    let actor = format!("staff:{}", by.name);
    let mut references = Vec::new();
    for order in &orders {
        if let Some(stored) = insert_order(conn, order, &actor, now)? {
            references.push(stored.reference);
        }
    }
    conn.prepare_cached(
        "UPDATE appeals SET state = ?2, reviewer = ?3, outcome_reasons = ?4, decided_at = ?5, \
         new_decision_id = ?6 WHERE id = ?1",
    )
    .map_err(db_err)?
    .execute(params![
        id,
        review.outcome.state().as_str(),
        by.id,
        review.reasons,
        stamp(now),
        new_decision_id
    ])
    .map_err(db_err)?;
    if let Some(email) = &appeal.contact_email {
        insert_notice(
            conn,
            &NoticeRow {
                decision_id: decision.id,
                appeal_id: Some(id),
                kind,
                channel: "email",
                address: Some(email),
                language: &appeal.language,
                body: &review.notice,
            },
            now,
        )?;
    }
    if !orders.is_empty() || appeal.contact_email.is_none() {
        insert_notice(
            conn,
            &NoticeRow {
                decision_id: decision.id,
                appeal_id: Some(id),
                kind,
                channel: if orders.is_empty() {
                    "none"
                } else {
                    "provider"
                },
                address: None,
                language: &appeal.language,
                body: &review.notice,
            },
            now,
        )?;
    }
    let state: Option<String> = conn
        .prepare_cached("SELECT state FROM cases WHERE id = ?1")
        .map_err(db_err)?
        .query_row([decision.case_id], |r| r.get(0))
        .optional()
        .map_err(db_err)?;
    if state.as_deref() == Some(CaseState::Appealed.as_str()) {
        let reason = format!("appeal {id} {}", review.outcome.state().as_str());
        cases::transition(
            conn,
            decision.case_id,
            CaseState::Reviewed,
            by,
            &reason,
            now,
        )
        .map_err(|e| StoreError::Unavailable(format!("case move after checks: {e}")))?;
    }
    audit::append(
        conn,
        &NewEntry::new(
            staff_actor(by),
            "appeal.decided",
            format!("case:{}", decision.case_id),
            json!({
                "appeal": id,
                "decision": decision.id,
                "outcome": review.outcome.state().as_str(),
                "reasons": review.reasons,
                "new_decision": new_decision_id,
                "orders": references,
            }),
        ),
        now,
    )?;
    Ok(Ok(()))
}

/// The outcome a reporter sees: the decisions on the cases holding the
/// report with the receipt `receipt`.
pub(crate) fn report_outcome(
    conn: &Connection,
    receipt: &str,
) -> Result<Option<ReportOutcome>, StoreError> {
    let case: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT c.id, c.state FROM reports r JOIN case_reports cr ON cr.report_id = r.id \
             JOIN cases c ON c.id = cr.case_id WHERE r.receipt = ?1 ORDER BY c.id DESC LIMIT 1",
        )
        .map_err(db_err)?
        .query_row([receipt], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(db_err)?;
    let Some((case_id, case_state)) = case else {
        return Ok(None);
    };
    let lines = conn
        .prepare_cached(
            "SELECT decided_at, category, restrictions, state FROM decisions WHERE case_id = ?1 ORDER BY id",
        )
        .map_err(db_err)?
        .query_map([case_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    let decisions = lines
        .into_iter()
        .map(|(at, category, restrictions, state)| {
            Ok(OutcomeLine {
                decided_at: parse_stamp(&at)?,
                category,
                restrictions: restrictions.split_whitespace().map(str::to_owned).collect(),
                state,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(ReportOutcome {
        case_state,
        decisions,
    }))
}
