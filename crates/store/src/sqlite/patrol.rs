//! The patrol in SQLite: providers and keys, items and their queue,
//! signals and the cases they open (the contract is in
//! `harrier_core::patrol::store`).
//!
//! Every write goes through the writer thread, so leases never race: the
//! thread runs one lease job at a time. A completed item leaves the queue
//! in the same commit as its signals; a signal is unique per item, rule and
//! ruleset version (`INSERT OR IGNORE`), an active case per subject (a partial
//! unique index; a new one is recorded in the audit log), so completing an item twice changes nothing.

use super::time::{parse_stamp, stamp};
use super::{SqliteStore, cases, db_err};
use async_trait::async_trait;
use harrier_core::audit::Actor;
use harrier_core::cases::CasePolicy;
use harrier_core::patrol::{
    CaseOpened, ItemAccepted, ItemKind, LeasedItem, PatrolStatus, PatrolStore, Provider,
    ProviderKey, RuleCount, ScanResult, Scope, ValidItem, signal_subject,
};
use harrier_core::ports::StoreError;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;
use std::time::Duration;
use time::OffsetDateTime;

fn provider_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
}

fn provider(row: (i64, String, String)) -> Result<Provider, StoreError> {
    Ok(Provider {
        id: row.0,
        name: row.1,
        created_at: parse_stamp(&row.2)?,
    })
}

fn scopes_text(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_scopes(text: &str) -> Vec<Scope> {
    text.split(',').filter_map(Scope::parse).collect()
}

fn add_provider(
    conn: &Connection,
    name: &str,
    now: OffsetDateTime,
) -> Result<Provider, StoreError> {
    let taken: Option<i64> = conn
        .query_row("SELECT id FROM providers WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()
        .map_err(db_err)?;
    if taken.is_some() {
        return Err(StoreError::AlreadyExists(format!("provider {name:?}")));
    }
    let id = conn
        .query_row(
            "INSERT INTO providers (name, created_at) VALUES (?1, ?2) RETURNING id",
            params![name, stamp(now)],
            |r| r.get(0),
        )
        .map_err(db_err)?;
    Ok(Provider {
        id,
        name: name.to_owned(),
        created_at: now,
    })
}

fn insert_items(
    conn: &Connection,
    provider_id: i64,
    items: &[ValidItem],
    now: OffsetDateTime,
) -> Result<Vec<ItemAccepted>, StoreError> {
    let now = stamp(now);
    let mut find = conn
        .prepare_cached("SELECT id FROM items WHERE provider_id = ?1 AND external_id = ?2")
        .map_err(db_err)?;
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO items (provider_id, external_id, kind, ts, text, truncated, account, \
             room, inviter, lang, url, images, received_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
             ON CONFLICT (provider_id, external_id) DO NOTHING RETURNING id",
        )
        .map_err(db_err)?;
    let mut queue = conn
        .prepare_cached("INSERT INTO item_queue (item_id, received_at) VALUES (?1, ?2)")
        .map_err(db_err)?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let images = serde_json::to_string(&item.images)
            .map_err(|e| StoreError::Unavailable(format!("images: {e}")))?;
        let created: Option<i64> = insert
            .query_row(
                params![
                    provider_id,
                    item.external_id,
                    item.kind.as_str(),
                    item.ts,
                    item.text,
                    item.truncated,
                    item.account,
                    item.room,
                    item.inviter,
                    item.lang,
                    item.url,
                    images,
                    now
                ],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)?;
        let accepted = match created {
            Some(item_id) => {
                queue.execute(params![item_id, now]).map_err(db_err)?;
                ItemAccepted {
                    item_id,
                    created: true,
                }
            }
            // Sent before: the stored item stays as it was.
            None => ItemAccepted {
                item_id: find
                    .query_row(params![provider_id, item.external_id], |r| r.get(0))
                    .map_err(db_err)?,
                created: false,
            },
        };
        out.push(accepted);
    }
    Ok(out)
}

/// Claims up to `max` items for `worker`: (item id, earlier attempts).
/// Reading the items is left to a reader connection, off the writer.
fn lease(
    conn: &Connection,
    worker: &str,
    max: usize,
    lease: Duration,
    now: OffsetDateTime,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let until = stamp(now + lease);
    let now = stamp(now);
    let max = i64::try_from(max).unwrap_or(i64::MAX);
    let mut take = conn
        .prepare_cached(
            "UPDATE item_queue SET leased_by = ?1, lease_until = ?2, attempts = attempts + 1 \
             WHERE item_id IN (SELECT item_id FROM item_queue \
               WHERE lease_until IS NULL OR lease_until < ?3 ORDER BY item_id LIMIT ?4) \
             RETURNING item_id, attempts - 1",
        )
        .map_err(db_err)?;
    let mut taken: Vec<(i64, i64)> = take
        .query_map(params![worker, until, now, max], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map_err(db_err)?
        .collect::<Result<_, _>>()
        .map_err(db_err)?;
    taken.sort_unstable();
    Ok(taken)
}

fn read_items(conn: &Connection, taken: &[(i64, i64)]) -> Result<Vec<LeasedItem>, StoreError> {
    let mut read = conn
        .prepare_cached(&format!("{ITEM_COLUMNS} WHERE i.id = ?1"))
        .map_err(db_err)?;
    let mut out = Vec::with_capacity(taken.len());
    for &(item_id, attempts) in taken {
        let mut item = read.query_row([item_id], item_row).map_err(db_err)?;
        item.attempts = attempts;
        out.push(item);
    }
    Ok(out)
}

/// The columns [`item_row`] reads.
const ITEM_COLUMNS: &str = "SELECT i.id, p.name, i.external_id, i.kind, i.ts, i.text, i.account, \
     i.room, i.lang, i.images FROM items i JOIN providers p ON p.id = i.provider_id";

fn item_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LeasedItem> {
    let kind: String = r.get(3)?;
    Ok(LeasedItem {
        item_id: r.get(0)?,
        provider: r.get(1)?,
        external_id: r.get(2)?,
        kind: ItemKind::parse(&kind).unwrap_or(ItemKind::Post),
        ts: r.get(4)?,
        text: r.get(5)?,
        account: r.get(6)?,
        room: r.get(7)?,
        lang: r.get(8)?,
        images_json: r.get(9)?,
        attempts: 0,
    })
}

fn items_since(
    conn: &Connection,
    since: OffsetDateTime,
    after_id: i64,
    limit: usize,
) -> Result<Vec<LeasedItem>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    conn.prepare_cached(&format!(
        "{ITEM_COLUMNS} WHERE i.id > ?1 AND i.received_at >= ?2 ORDER BY i.id LIMIT ?3"
    ))
    .map_err(db_err)?
    .query_map(params![after_id, stamp(since), limit], item_row)
    .map_err(db_err)?
    .collect::<Result<_, _>>()
    .map_err(db_err)
}

fn severity_rank(severity: &str) -> u8 {
    match severity {
        "critical" => 3,
        "high" => 2,
        "medium" => 1,
        _ => 0,
    }
}

/// The id of the subject, made (with no reports) when new.
fn subject_id(conn: &Connection, item_id: i64, now: &str) -> Result<i64, StoreError> {
    let (provider, external_id, account): (String, String, Option<String>) = conn
        .prepare_cached(
            "SELECT p.name, i.external_id, i.account FROM items i \
             JOIN providers p ON p.id = i.provider_id WHERE i.id = ?1",
        )
        .map_err(db_err)?
        .query_row([item_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(db_err)?;
    let key = signal_subject(&provider, &external_id, account.as_deref());
    super::groups::subject(conn, &key, now)
}

fn complete(
    conn: &Connection,
    results: &[ScanResult],
    policy: &CasePolicy,
    now: OffsetDateTime,
) -> Result<CaseOpened, StoreError> {
    let at = now;
    let now = stamp(now);
    let mut done = CaseOpened::default();
    // The batch's ids as one JSON array: two statements for the whole batch.
    let ids = serde_json::to_string(&results.iter().map(|r| r.item_id).collect::<Vec<_>>())
        .map_err(|e| StoreError::Unavailable(format!("ids: {e}")))?;
    let removed = conn
        .prepare_cached("DELETE FROM item_queue WHERE item_id IN (SELECT value FROM json_each(?1))")
        .map_err(db_err)?
        .execute([&ids])
        .map_err(db_err)?;
    done.already_done = (results.len() as u64).saturating_sub(removed as u64);
    conn.prepare_cached(
        "UPDATE items SET scanned_at = ?2 WHERE id IN (SELECT value FROM json_each(?1))",
    )
    .map_err(db_err)?
    .execute(params![ids, now])
    .map_err(db_err)?;
    for result in results {
        if result.signals.is_empty() {
            continue;
        }
        let subject = subject_id(conn, result.item_id, &now)?;
        for signal in &result.signals {
            let inserted: Option<i64> = conn
                .prepare_cached(
                    "INSERT INTO signals (item_id, rule, category, severity, live, score, \
                     ruleset_version, explanation, subject_id, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                     ON CONFLICT (item_id, rule, ruleset_version) DO NOTHING RETURNING id",
                )
                .map_err(db_err)?
                .query_row(
                    params![
                        result.item_id,
                        signal.rule,
                        signal.category,
                        signal.severity,
                        signal.live,
                        f64::from(signal.score),
                        signal.ruleset_version,
                        signal.explanation_json,
                        subject,
                        now
                    ],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_err)?;
            let Some(signal_id) = inserted else { continue };
            done.signals += 1;
            if !signal.live {
                continue;
            }
            let open: Option<(i64, String)> = conn
                .prepare_cached(
                    "SELECT id, severity FROM cases WHERE subject_id = ?1 AND state <> 'closed'",
                )
                .map_err(db_err)?
                .query_row([subject], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .map_err(db_err)?;
            let case_id = match open {
                Some((case_id, severity)) => {
                    let worse = severity_rank(&signal.severity) > severity_rank(&severity);
                    conn.prepare_cached(
                        "UPDATE cases SET signal_count = signal_count + 1, updated_at = ?2, \
                         severity = CASE WHEN ?3 THEN ?4 ELSE severity END, \
                         category = CASE WHEN ?3 THEN ?5 ELSE category END, \
                         top_score = MAX(top_score, ?6) WHERE id = ?1",
                    )
                    .map_err(db_err)?
                    .execute(params![
                        case_id,
                        now,
                        worse,
                        signal.severity,
                        signal.category,
                        f64::from(signal.score)
                    ])
                    .map_err(db_err)?;
                    cases::refresh_priority(conn, case_id, policy)?;
                    done.cases_updated += 1;
                    case_id
                }
                None => {
                    let opening = cases::Opening {
                        subject_id: subject,
                        category: &signal.category,
                        severity: Some(&signal.severity),
                        top_score: f64::from(signal.score),
                        signal_count: 1,
                    };
                    let case_id = cases::open(
                        conn,
                        &opening,
                        policy,
                        Actor::System("patrol"),
                        json!({"signal": signal_id, "rule": signal.rule, "item": result.item_id}),
                        at,
                    )?;
                    done.cases_opened += 1;
                    case_id
                }
            };
            conn.prepare_cached("INSERT INTO case_signals (case_id, signal_id) VALUES (?1, ?2)")
                .map_err(db_err)?
                .execute(params![case_id, signal_id])
                .map_err(db_err)?;
        }
    }
    Ok(done)
}

fn status(conn: &Connection, now: OffsetDateTime) -> Result<PatrolStatus, StoreError> {
    let count = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<i64, StoreError> {
        conn.query_row(sql, p, |r| r.get(0)).map_err(db_err)
    };
    let now_text = stamp(now);
    let oldest: Option<String> = conn
        .query_row("SELECT MIN(received_at) FROM item_queue", [], |r| r.get(0))
        .map_err(db_err)?;
    let lag_seconds = match oldest {
        Some(text) => (now - parse_stamp(&text)?).as_seconds_f64().max(0.0),
        None => 0.0,
    };
    // Per rule: its signals, and how many of its items a live signal of
    // another rule also flagged, so a shadow rule can be weighed against
    // the live ones (what it would add) before it goes live.
    let mut rules = conn
        .prepare(
            "SELECT s.rule, s.category, s.live, COUNT(*), \
               SUM(EXISTS (SELECT 1 FROM signals o \
                 WHERE o.item_id = s.item_id AND o.live = 1 AND o.rule <> s.rule)) \
             FROM signals s GROUP BY s.rule, s.category, s.live \
             ORDER BY COUNT(*) DESC, s.rule",
        )
        .map_err(db_err)?;
    let rules = rules
        .query_map([], |r| {
            Ok(RuleCount {
                rule: r.get(0)?,
                category: r.get(1)?,
                live: r.get(2)?,
                signals: r.get(3)?,
                also_live: r.get(4)?,
            })
        })
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    Ok(PatrolStatus {
        items: count("SELECT COUNT(*) FROM items", &[])?,
        queued: count("SELECT COUNT(*) FROM item_queue", &[])?,
        leased: count(
            "SELECT COUNT(*) FROM item_queue WHERE lease_until >= ?1",
            &[&now_text],
        )?,
        lag_seconds,
        signals_live: count("SELECT COUNT(*) FROM signals WHERE live = 1", &[])?,
        signals_shadow: count("SELECT COUNT(*) FROM signals WHERE live = 0", &[])?,
        open_cases: count("SELECT COUNT(*) FROM cases WHERE state <> 'closed'", &[])?,
        rules,
    })
}

fn list_providers(conn: &Connection) -> Result<Vec<(Provider, Vec<ProviderKey>)>, StoreError> {
    let providers: Vec<(i64, String, String)> = conn
        .prepare("SELECT id, name, created_at FROM providers ORDER BY name")
        .map_err(db_err)?
        .query_map([], provider_row)
        .map_err(db_err)?
        .collect::<Result<_, _>>()
        .map_err(db_err)?;
    let mut keys = conn
        .prepare(
            "SELECT prefix, scopes, created_at, revoked_at FROM provider_keys \
             WHERE provider_id = ?1 ORDER BY created_at",
        )
        .map_err(db_err)?;
    let mut out = Vec::with_capacity(providers.len());
    for row in providers {
        let provider = provider(row)?;
        let rows: Vec<(String, String, String, Option<String>)> = keys
            .query_map([provider.id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .map_err(db_err)?
            .collect::<Result<_, _>>()
            .map_err(db_err)?;
        let mut list = Vec::with_capacity(rows.len());
        for (prefix, scopes, created, revoked) in rows {
            list.push(ProviderKey {
                prefix,
                provider: provider.name.clone(),
                scopes: parse_scopes(&scopes),
                created_at: parse_stamp(&created)?,
                revoked_at: revoked.as_deref().map(parse_stamp).transpose()?,
            });
        }
        out.push((provider, list));
    }
    Ok(out)
}

#[async_trait]
impl PatrolStore for SqliteStore {
    async fn add_provider(&self, name: &str, now: OffsetDateTime) -> Result<Provider, StoreError> {
        let name = name.to_owned();
        self.writer
            .write(move |conn| add_provider(conn, &name, now))
            .await
    }

    async fn provider(&self, name: &str) -> Result<Option<Provider>, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| {
            conn.query_row(
                "SELECT id, name, created_at FROM providers WHERE name = ?1",
                [name],
                provider_row,
            )
            .optional()
            .map_err(db_err)?
            .map(provider)
            .transpose()
        })
        .await
    }

    async fn list_providers(&self) -> Result<Vec<(Provider, Vec<ProviderKey>)>, StoreError> {
        self.read(list_providers).await
    }

    async fn add_provider_key(
        &self,
        provider_id: i64,
        prefix: &str,
        hash: &str,
        scopes: &[Scope],
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let (prefix, hash, scopes) = (prefix.to_owned(), hash.to_owned(), scopes_text(scopes));
        self.writer
            .write(move |conn| {
                conn.execute(
                    "INSERT INTO provider_keys (hash, prefix, provider_id, scopes, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![hash, prefix, provider_id, scopes, stamp(now)],
                )
                .map_err(db_err)?;
                Ok(())
            })
            .await
    }

    async fn provider_by_key(
        &self,
        hash: &str,
    ) -> Result<Option<(Provider, Vec<Scope>)>, StoreError> {
        let hash = hash.to_owned();
        self.read(move |conn| {
            let row: Option<((i64, String, String), String)> = conn
                .query_row(
                    "SELECT p.id, p.name, p.created_at, k.scopes FROM provider_keys k \
                     JOIN providers p ON p.id = k.provider_id \
                     WHERE k.hash = ?1 AND k.revoked_at IS NULL",
                    [hash],
                    |r| Ok((provider_row(r)?, r.get(3)?)),
                )
                .optional()
                .map_err(db_err)?;
            row.map(|(p, scopes)| Ok((provider(p)?, parse_scopes(&scopes))))
                .transpose()
        })
        .await
    }

    async fn revoke_provider_key(
        &self,
        prefix: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let prefix = prefix.to_owned();
        self.writer
            .write(move |conn| {
                let changed = conn
                    .execute(
                        "UPDATE provider_keys SET revoked_at = ?2 \
                         WHERE prefix = ?1 AND revoked_at IS NULL",
                        params![prefix, stamp(now)],
                    )
                    .map_err(db_err)?;
                if changed == 0 {
                    return Err(StoreError::NotFound(format!("an active key {prefix:?}")));
                }
                Ok(())
            })
            .await
    }

    async fn insert_items(
        &self,
        provider_id: i64,
        items: Vec<ValidItem>,
        now: OffsetDateTime,
    ) -> Result<Vec<ItemAccepted>, StoreError> {
        self.writer
            .write(move |conn| insert_items(conn, provider_id, &items, now))
            .await
    }

    async fn lease_items(
        &self,
        worker: &str,
        max: usize,
        lease_for: Duration,
        now: OffsetDateTime,
    ) -> Result<Vec<LeasedItem>, StoreError> {
        let worker = worker.to_owned();
        let taken = self
            .writer
            .write(move |conn| lease(conn, &worker, max, lease_for, now))
            .await?;
        if taken.is_empty() {
            return Ok(Vec::new());
        }
        self.read(move |conn| read_items(conn, &taken)).await
    }

    async fn complete_items(
        &self,
        results: Vec<ScanResult>,
        now: OffsetDateTime,
    ) -> Result<CaseOpened, StoreError> {
        let policy = self.policy.clone();
        self.writer
            .write(move |conn| complete(conn, &results, &policy, now))
            .await
    }

    async fn complete_and_lease(
        &self,
        results: Vec<ScanResult>,
        worker: &str,
        max: usize,
        lease_for: Duration,
        now: OffsetDateTime,
    ) -> Result<(CaseOpened, Vec<LeasedItem>), StoreError> {
        let worker = worker.to_owned();
        let policy = self.policy.clone();
        let (done, taken) = self
            .writer
            .write(move |conn| {
                let done = complete(conn, &results, &policy, now)?;
                let taken = lease(conn, &worker, max, lease_for, now)?;
                Ok((done, taken))
            })
            .await?;
        if taken.is_empty() {
            return Ok((done, Vec::new()));
        }
        let leased = self.read(move |conn| read_items(conn, &taken)).await?;
        Ok((done, leased))
    }

    async fn patrol_status(&self, now: OffsetDateTime) -> Result<PatrolStatus, StoreError> {
        self.read(move |conn| status(conn, now)).await
    }

    async fn items_since(
        &self,
        since: OffsetDateTime,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<LeasedItem>, StoreError> {
        self.read(move |conn| items_since(conn, since, after_id, limit))
            .await
    }
}
