//! Staff accounts, their second factor, failed sign-ins and sessions in
//! SQLite. The decisions (when to lock, when a session is live) are made in
//! `harrier_core::accounts`; this file keeps the numbers, each change in one
//! write so that two sign-ins at once cannot both use one TOTP step.

use super::db_err;
use super::time::{parse_stamp, stamp};
use harrier_core::accounts::lockout::{LockoutPolicy, LoginFailures};
use harrier_core::accounts::session::{NewSession, SessionTimes};
use harrier_core::accounts::{Role, Staff};
use harrier_core::ports::{StaffCredentials, StoreError, StoredTotp};
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;

fn role(s: &str) -> Result<Role, StoreError> {
    Role::parse(s).ok_or_else(|| StoreError::Unavailable(format!("unknown role {s:?} in database")))
}

pub(crate) fn put(
    conn: &Connection,
    name: &str,
    role_: Role,
    hash: &str,
    must_change: bool,
    reset: bool,
    now: OffsetDateTime,
) -> Result<Staff, StoreError> {
    let exists: Option<i64> = conn
        .query_row("SELECT id FROM staff WHERE name = ?1", [name], |r| r.get(0))
        .optional()
        .map_err(db_err)?;
    let id = match exists {
        Some(_) if !reset => {
            return Err(StoreError::AlreadyExists(format!("staff account {name:?}")));
        }
        Some(id) => {
            conn.execute(
                "UPDATE staff SET role = ?2, password_hash = ?3, must_change_password = ?4, disabled = 0, \
                 failed_logins = 0, failed_since = NULL, locked_until = NULL WHERE id = ?1",
                params![id, role_.as_str(), hash, must_change],
            )
            .map_err(db_err)?;
            // A reset password ends every session of the account.
            conn.execute("DELETE FROM staff_tokens WHERE staff_id = ?1", [id])
                .map_err(db_err)?;
            id
        }
        None => conn
            .query_row(
                "INSERT INTO staff (name, role, password_hash, must_change_password, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                params![name, role_.as_str(), hash, must_change, stamp(now)],
                |r| r.get(0),
            )
            .map_err(db_err)?,
    };
    Ok(Staff {
        id,
        name: name.to_owned(),
        role: role_,
        must_change_password: must_change,
    })
}

fn optional_stamp(s: Option<String>) -> Result<Option<OffsetDateTime>, StoreError> {
    s.as_deref().map(parse_stamp).transpose()
}

/// The columns `credential_row` reads, in its order.
const CREDENTIAL_COLUMNS: &str = "id, role, password_hash, must_change_password, disabled, \
     totp_secret, totp_confirmed, totp_last_step, failed_logins, failed_since, locked_until";

fn credential_row(name: &str, r: &Row<'_>) -> Result<StaffCredentials, StoreError> {
    let sealed_secret: Option<String> = r.get(5).map_err(db_err)?;
    let last_step: Option<i64> = r.get(7).map_err(db_err)?;
    let totp = sealed_secret.map(|sealed_secret| -> Result<StoredTotp, StoreError> {
        Ok(StoredTotp {
            sealed_secret,
            confirmed: r.get(6).map_err(db_err)?,
            last_step: last_step.and_then(|s| u64::try_from(s).ok()),
        })
    });
    let role_: String = r.get(1).map_err(db_err)?;
    Ok(StaffCredentials {
        staff: Staff {
            id: r.get(0).map_err(db_err)?,
            name: name.to_owned(),
            role: role(&role_)?,
            must_change_password: r.get(3).map_err(db_err)?,
        },
        password_hash: r.get(2).map_err(db_err)?,
        disabled: r.get(4).map_err(db_err)?,
        totp: totp.transpose()?,
        failures: LoginFailures {
            count: r.get(8).map_err(db_err)?,
            since: optional_stamp(r.get(9).map_err(db_err)?)?,
            locked_until: optional_stamp(r.get(10).map_err(db_err)?)?,
        },
    })
}

pub(crate) fn credentials(
    conn: &Connection,
    name: &str,
) -> Result<Option<StaffCredentials>, StoreError> {
    let mut statement = conn
        .prepare_cached(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM staff WHERE name = ?1"
        ))
        .map_err(db_err)?;
    let mut rows = statement.query([name]).map_err(db_err)?;
    match rows.next().map_err(db_err)? {
        Some(row) => credential_row(name, row).map(Some),
        None => Ok(None),
    }
}

pub(crate) fn set_password(
    conn: &Connection,
    staff_id: i64,
    hash: &str,
    keep_session: Option<&str>,
) -> Result<(), StoreError> {
    let changed = conn
        .execute(
            "UPDATE staff SET password_hash = ?2, must_change_password = 0 WHERE id = ?1",
            params![staff_id, hash],
        )
        .map_err(db_err)?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!("staff account {staff_id}")));
    }
    end_sessions(conn, staff_id, keep_session)?;
    Ok(())
}

pub(crate) fn record_failure(
    conn: &Connection,
    staff_id: i64,
    policy: &LockoutPolicy,
    now: OffsetDateTime,
) -> Result<LoginFailures, StoreError> {
    let row: Option<(u32, Option<String>, Option<String>)> = conn
        .query_row(
            "SELECT failed_logins, failed_since, locked_until FROM staff WHERE id = ?1",
            [staff_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(db_err)?;
    let Some((count, since, locked_until)) = row else {
        return Err(StoreError::NotFound(format!("staff account {staff_id}")));
    };
    let before = LoginFailures {
        count,
        since: optional_stamp(since)?,
        locked_until: optional_stamp(locked_until)?,
    };
    let after = before.after_failure(now, policy);
    conn.execute(
        "UPDATE staff SET failed_logins = ?2, failed_since = ?3, locked_until = ?4 WHERE id = ?1",
        params![
            staff_id,
            after.count,
            after.since.map(stamp),
            after.locked_until.map(stamp)
        ],
    )
    .map_err(db_err)?;
    Ok(after)
}

pub(crate) fn clear_failures(conn: &Connection, staff_id: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE staff SET failed_logins = 0, failed_since = NULL, locked_until = NULL WHERE id = ?1",
        [staff_id],
    )
    .map_err(db_err)?;
    Ok(())
}

pub(crate) fn begin_totp(conn: &Connection, staff_id: i64, sealed: &str) -> Result<(), StoreError> {
    let changed = conn
        .execute(
            "UPDATE staff SET totp_secret = ?2, totp_confirmed = 0, totp_last_step = NULL \
             WHERE id = ?1 AND totp_confirmed = 0",
            params![staff_id, sealed],
        )
        .map_err(db_err)?;
    if changed == 0 {
        return Err(StoreError::AlreadyExists(format!(
            "a confirmed second factor for staff account {staff_id}"
        )));
    }
    Ok(())
}

pub(crate) fn accept_totp_step(
    conn: &Connection,
    staff_id: i64,
    step: u64,
    confirm: bool,
) -> Result<bool, StoreError> {
    let step = i64::try_from(step)
        .map_err(|_| StoreError::Unavailable(format!("TOTP step {step} out of range")))?;
    let changed = conn
        .execute(
            "UPDATE staff SET totp_last_step = ?2, totp_confirmed = (totp_confirmed OR ?3) \
             WHERE id = ?1 AND totp_secret IS NOT NULL \
             AND (totp_last_step IS NULL OR totp_last_step < ?2)",
            params![staff_id, step, confirm],
        )
        .map_err(db_err)?;
    Ok(changed == 1)
}

pub(crate) fn clear_totp(conn: &Connection, staff_id: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE staff SET totp_secret = NULL, totp_confirmed = 0, totp_last_step = NULL WHERE id = ?1",
        [staff_id],
    )
    .map_err(db_err)?;
    end_sessions(conn, staff_id, None)?;
    Ok(())
}

pub(crate) fn insert_session(conn: &Connection, session: &NewSession) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO staff_tokens (token_hash, staff_id, created_at, expires_at, last_seen_at, idle_seconds) \
         VALUES (?1, ?2, ?3, ?4, ?3, ?5)",
        params![
            session.token_hash,
            session.staff_id,
            stamp(session.created_at),
            stamp(session.expires_at),
            session.idle_timeout.whole_seconds()
        ],
    )
    .map_err(db_err)?;
    Ok(())
}

/// The staff member of a session and its times, live or not.
pub(crate) fn by_token(
    conn: &Connection,
    hash: &str,
) -> Result<Option<(Staff, SessionTimes)>, StoreError> {
    type SessionRow = (i64, String, String, bool, String, String, i64);
    let row: Option<SessionRow> = conn
        .prepare_cached(
            "SELECT s.id, s.name, s.role, s.must_change_password, t.expires_at, t.last_seen_at, t.idle_seconds \
             FROM staff_tokens t JOIN staff s ON s.id = t.staff_id WHERE t.token_hash = ?1 AND s.disabled = 0",
        )
        .map_err(db_err)?
        .query_row([hash], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .optional()
        .map_err(db_err)?;
    row.map(
        |(id, name, role_, must_change_password, expires_at, last_seen_at, idle)| {
            let staff = Staff {
                id,
                name,
                role: role(&role_)?,
                must_change_password,
            };
            let times = SessionTimes {
                expires_at: parse_stamp(&expires_at)?,
                last_seen_at: parse_stamp(&last_seen_at)?,
                idle_timeout: time::Duration::seconds(idle),
            };
            Ok((staff, times))
        },
    )
    .transpose()
}

pub(crate) fn touch(conn: &Connection, hash: &str, now: OffsetDateTime) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE staff_tokens SET last_seen_at = ?2 WHERE token_hash = ?1 AND last_seen_at < ?2",
        params![hash, stamp(now)],
    )
    .map_err(db_err)?;
    Ok(())
}

pub(crate) fn end_sessions(
    conn: &Connection,
    staff_id: i64,
    keep_session: Option<&str>,
) -> Result<u64, StoreError> {
    let ended = conn
        .execute(
            "DELETE FROM staff_tokens WHERE staff_id = ?1 AND token_hash IS NOT ?2",
            params![staff_id, keep_session],
        )
        .map_err(db_err)?;
    Ok(ended as u64)
}

/// Active staff accounts, by name (for assignment lists).
pub(crate) fn active(conn: &Connection) -> Result<Vec<Staff>, StoreError> {
    let rows = conn
        .prepare_cached(
            "SELECT id, name, role, must_change_password FROM staff WHERE disabled = 0 ORDER BY name",
        )
        .map_err(db_err)?
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })
        .map_err(db_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err)?;
    rows.into_iter()
        .map(|(id, name, role_, must_change_password)| {
            Ok(Staff {
                id,
                name,
                role: role(&role_)?,
                must_change_password,
            })
        })
        .collect()
}
