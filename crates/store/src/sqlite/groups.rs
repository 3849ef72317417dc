//! Ring groups in SQLite: the analysis's input (recent feed items with an
//! account) and its output (groups as subjects with members, items, and
//! for groups over the threshold a signal and a case).

use super::audit;
use super::cases::{self, CaseItemRow, ITEM_COLUMNS, Opening, item_row};
use super::db_err;
use super::reports::{subject_row, subject_summary};
use super::time::{parse_stamp, stamp};
use harrier_core::audit::{Actor, NewEntry};
use harrier_core::cases::{
    CasePolicy, GroupDetail, GroupSummary, GroupsStored, NewGroup, RingPost,
};
use harrier_core::intake::{SubjectKey, SubjectKind};
use harrier_core::patrol::signal_subject;
use harrier_core::ports::StoreError;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;
use time::OffsetDateTime;

/// Items kept as evidence per group.
pub(crate) const ITEMS_PER_GROUP: usize = 300;

pub(crate) fn posts(
    conn: &Connection,
    since: OffsetDateTime,
    limit: u32,
) -> Result<Vec<RingPost>, StoreError> {
    conn.prepare_cached(
        "SELECT i.id, p.name, i.account, COALESCE(i.ts, CAST(strftime('%s', i.received_at) AS INTEGER)), \
         i.text, i.url FROM items i JOIN providers p ON p.id = i.provider_id \
         WHERE i.received_at >= ?1 AND i.account IS NOT NULL AND i.account <> '' \
         ORDER BY i.id LIMIT ?2",
    )
    .map_err(db_err)?
    .query_map(params![stamp(since), i64::from(limit)], |r| {
        Ok(RingPost {
            item_id: r.get(0)?,
            provider: r.get(1)?,
            account: r.get(2)?,
            ts: r.get(3)?,
            text: r.get(4)?,
            url: r.get(5)?,
        })
    })
    .map_err(db_err)?
    .collect::<Result<Vec<_>, _>>()
    .map_err(db_err)
}

/// The id of a subject, made (with no reports) when new. The patrol's
/// signals and the ring's groups and members use it.
pub(crate) fn subject(conn: &Connection, key: &SubjectKey, now: &str) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO subjects (kind, platform, key, report_count, first_reported_at, last_reported_at) \
         VALUES (?1, ?2, ?3, 0, ?4, ?4) ON CONFLICT (kind, platform, key) DO NOTHING",
    )
    .map_err(db_err)?
    .execute(params![key.kind.as_str(), key.platform, key.id, now])
    .map_err(db_err)?;
    conn.prepare_cached("SELECT id FROM subjects WHERE kind = ?1 AND platform = ?2 AND key = ?3")
        .map_err(db_err)?
        .query_row(params![key.kind.as_str(), key.platform, key.id], |r| {
            r.get(0)
        })
        .map_err(db_err)
}

pub(crate) fn store(
    conn: &Connection,
    groups: &[NewGroup],
    window: (OffsetDateTime, OffsetDateTime),
    policy: &CasePolicy,
    now: OffsetDateTime,
) -> Result<GroupsStored, StoreError> {
    let now_text = stamp(now);
    let (start, end) = (stamp(window.0), stamp(window.1));
    let mut done = GroupsStored::default();
    for group in groups {
        let providers: std::collections::BTreeSet<&str> =
            group.members.iter().map(|(p, _)| p.as_str()).collect();
        let platform = match providers.len() {
            1 => providers
                .iter()
                .next()
                .copied()
                .unwrap_or_default()
                .to_lowercase(),
            _ => String::new(),
        };
        let group_subject = subject(
            conn,
            &SubjectKey {
                kind: SubjectKind::Group,
                platform,
                id: group.fingerprint.chars().take(16).collect(),
            },
            &now_text,
        )?;
        let existing: Option<i64> = conn
            .prepare_cached("SELECT id FROM ring_groups WHERE fingerprint = ?1")
            .map_err(db_err)?
            .query_row([&group.fingerprint], |r| r.get(0))
            .optional()
            .map_err(db_err)?;
        let group_id = match existing {
            Some(id) => {
                conn.prepare_cached(
                    "UPDATE ring_groups SET category = ?2, size = ?3, score = ?4, scores = ?5, \
                     explanation = ?6, window_start = ?7, window_end = ?8, last_found_at = ?9, \
                     runs = runs + 1 WHERE id = ?1",
                )
                .map_err(db_err)?
                .execute(params![
                    id,
                    group.category,
                    group.members.len() as i64,
                    group.score,
                    group.scores_json,
                    group.explanation_json,
                    start,
                    end,
                    now_text
                ])
                .map_err(db_err)?;
                done.updated += 1;
                id
            }
            None => {
                let id: i64 = conn
                    .prepare_cached(
                        "INSERT INTO ring_groups (fingerprint, subject_id, category, size, score, \
                         scores, explanation, window_start, window_end, first_found_at, last_found_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) RETURNING id",
                    )
                    .map_err(db_err)?
                    .query_row(
                        params![
                            group.fingerprint,
                            group_subject,
                            group.category,
                            group.members.len() as i64,
                            group.score,
                            group.scores_json,
                            group.explanation_json,
                            start,
                            end,
                            now_text
                        ],
                        |r| r.get(0),
                    )
                    .map_err(db_err)?;
                let named: Vec<String> = group
                    .members
                    .iter()
                    .take(20)
                    .map(|(p, a)| format!("{p}:{a}"))
                    .collect();
                audit::append(
                    conn,
                    &NewEntry::new(
                        Actor::System("ring"),
                        "ring.group_found",
                        format!("group:{id}"),
                        json!({"size": group.members.len(), "score": group.score,
                            "category": group.category, "members": named}),
                    ),
                    now,
                )?;
                done.new += 1;
                id
            }
        };
        let mut members = Vec::with_capacity(group.members.len());
        for (provider, account) in &group.members {
            let key = signal_subject(provider, "", Some(account));
            let member = subject(conn, &key, &now_text)?;
            conn.prepare_cached(
                "INSERT INTO ring_members (group_id, subject_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )
            .map_err(db_err)?
            .execute(params![group_id, member])
            .map_err(db_err)?;
            members.push(member);
        }
        for item in group.item_ids.iter().take(ITEMS_PER_GROUP) {
            conn.prepare_cached(
                "INSERT INTO ring_items (group_id, item_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )
            .map_err(db_err)?
            .execute(params![group_id, item])
            .map_err(db_err)?;
        }
        if let Some(&item) = group.item_ids.last().filter(|_| group.open_case) {
            match case_for(
                conn,
                group,
                group_id,
                group_subject,
                item,
                &members,
                policy,
                now,
            )? {
                Some(true) => done.cases_opened += 1,
                Some(false) => done.cases_updated += 1,
                None => {}
            }
        }
    }
    Ok(done)
}

/// The group's signal (on its newest item) and its case: opened, or the
/// active one updated; every member joins the case. Some(true) when a
/// case was opened, Some(false) when one was updated, None when the same
/// signal was already there.
#[allow(clippy::too_many_arguments)]
fn case_for(
    conn: &Connection,
    group: &NewGroup,
    group_id: i64,
    group_subject: i64,
    item: i64,
    members: &[i64],
    policy: &CasePolicy,
    now: OffsetDateTime,
) -> Result<Option<bool>, StoreError> {
    let now_text = stamp(now);
    let severity = if group.score >= 0.7 { "high" } else { "medium" };
    let explanation = json!({
        "group": group_id,
        "lines": serde_json::from_str::<serde_json::Value>(&group.explanation_json)
            .unwrap_or(serde_json::Value::Null),
    })
    .to_string();
    let signal: Option<i64> = conn
        .prepare_cached(
            "INSERT INTO signals (item_id, rule, category, severity, live, score, ruleset_version, \
             explanation, subject_id, created_at) VALUES (?1, 'ring.group', ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (item_id, rule, ruleset_version) DO NOTHING RETURNING id",
        )
        .map_err(db_err)?
        .query_row(
            params![
                item,
                group.category,
                severity,
                group.score,
                group.version,
                explanation,
                group_subject,
                now_text
            ],
            |r| r.get(0),
        )
        .optional()
        .map_err(db_err)?;
    let Some(signal) = signal else {
        return Ok(None);
    };
    let active: Option<i64> = conn
        .prepare_cached("SELECT id FROM cases WHERE subject_id = ?1 AND state <> 'closed'")
        .map_err(db_err)?
        .query_row([group_subject], |r| r.get(0))
        .optional()
        .map_err(db_err)?;
    let (case_id, opened) = match active {
        Some(id) => {
            conn.prepare_cached(
                "UPDATE cases SET signal_count = signal_count + 1, top_score = MAX(top_score, ?2), \
                 updated_at = ?3 WHERE id = ?1",
            )
            .map_err(db_err)?
            .execute(params![id, group.score, now_text])
            .map_err(db_err)?;
            cases::refresh_priority(conn, id, policy)?;
            (id, false)
        }
        None => {
            let opening = Opening {
                subject_id: group_subject,
                category: &group.category,
                severity: Some(severity),
                top_score: group.score,
                signal_count: 1,
            };
            let id = cases::open(
                conn,
                &opening,
                policy,
                Actor::System("ring"),
                json!({"group": group_id, "signal": signal}),
                now,
            )?;
            (id, true)
        }
    };
    conn.prepare_cached("INSERT INTO case_signals (case_id, signal_id) VALUES (?1, ?2)")
        .map_err(db_err)?
        .execute(params![case_id, signal])
        .map_err(db_err)?;
    for member in members {
        conn.prepare_cached(
            "INSERT INTO case_subjects (case_id, subject_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        )
        .map_err(db_err)?
        .execute(params![case_id, member])
        .map_err(db_err)?;
    }
    Ok(Some(opened))
}

const GROUP_COLUMNS: &str = "g.id, g.category, g.size, g.score, g.explanation, g.window_start, \
     g.window_end, g.first_found_at, g.last_found_at, g.runs, \
     (SELECT c.id FROM cases c WHERE c.subject_id = g.subject_id AND c.state <> 'closed'), \
     s.id, s.kind, s.platform, s.key, s.report_count, s.first_reported_at, s.last_reported_at";

type GroupRow = (
    (i64, String, i64, f64, String),
    (String, String, String, String, i64, Option<i64>),
    (i64, String, String, String, i64, String, String),
);

fn group_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<GroupRow> {
    Ok((
        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?),
        (
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
            r.get(9)?,
            r.get(10)?,
        ),
        subject_row(r, 11)?,
    ))
}

fn summary(row: GroupRow) -> Result<GroupSummary, StoreError> {
    let ((id, category, size, score, explanation), (start, end, first, last, runs, case_id), s) =
        row;
    Ok(GroupSummary {
        id,
        subject: subject_summary(s)?,
        category,
        size,
        score,
        explanation: serde_json::from_str(&explanation).unwrap_or_default(),
        window_start: parse_stamp(&start)?,
        window_end: parse_stamp(&end)?,
        first_found_at: parse_stamp(&first)?,
        last_found_at: parse_stamp(&last)?,
        runs,
        case_id,
    })
}

pub(crate) fn list(conn: &Connection, limit: u32) -> Result<Vec<GroupSummary>, StoreError> {
    let sql = format!(
        "SELECT {GROUP_COLUMNS} FROM ring_groups g JOIN subjects s ON s.id = g.subject_id \
         ORDER BY g.score DESC, g.id LIMIT ?1"
    );
    let rows = conn
        .prepare_cached(&sql)
        .map_err(db_err)?
        .query_map([i64::from(limit.clamp(1, 500))], group_row)
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter().map(summary).collect()
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<GroupDetail>, StoreError> {
    let sql = format!(
        "SELECT {GROUP_COLUMNS}, g.scores FROM ring_groups g JOIN subjects s ON s.id = g.subject_id \
         WHERE g.id = ?1"
    );
    let found = conn
        .prepare_cached(&sql)
        .map_err(db_err)?
        .query_row([id], |r| Ok((group_row(r)?, r.get::<_, String>(18)?)))
        .optional()
        .map_err(db_err)?;
    let Some((row, scores)) = found else {
        return Ok(None);
    };
    let members = conn
        .prepare_cached(
            "SELECT s.id, s.kind, s.platform, s.key, s.report_count, s.first_reported_at, \
             s.last_reported_at FROM ring_members m JOIN subjects s ON s.id = m.subject_id \
             WHERE m.group_id = ?1 ORDER BY s.key",
        )
        .map_err(db_err)?
        .query_map([id], |r| subject_row(r, 0))
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?
        .into_iter()
        .map(subject_summary)
        .collect::<Result<Vec<_>, _>>()?;
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM ring_items ri JOIN items i ON i.id = ri.item_id \
         JOIN providers p ON p.id = i.provider_id WHERE ri.group_id = ?1 \
         ORDER BY COALESCE(i.ts, 0), i.id"
    );
    let items = conn
        .prepare_cached(&sql)
        .map_err(db_err)?
        .query_map([id], |r| item_row(r, 0))
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?
        .into_iter()
        .map(CaseItemRow::into_item)
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(GroupDetail {
        group: summary(row)?,
        scores: serde_json::from_str(&scores).unwrap_or(serde_json::Value::Null),
        members,
        items,
    }))
}

/// The groups a subject is a member of, or the group it is.
pub(crate) fn of_subject(
    conn: &Connection,
    subject_id: i64,
) -> Result<Vec<GroupSummary>, StoreError> {
    let sql = format!(
        "SELECT {GROUP_COLUMNS} FROM ring_groups g JOIN subjects s ON s.id = g.subject_id \
         WHERE g.subject_id = ?1 OR g.id IN (SELECT group_id FROM ring_members WHERE subject_id = ?1) \
         ORDER BY g.id DESC LIMIT 100"
    );
    let rows = conn
        .prepare_cached(&sql)
        .map_err(db_err)?
        .query_map([subject_id], group_row)
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter().map(summary).collect()
}
