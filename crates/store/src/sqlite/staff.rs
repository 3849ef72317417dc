//! Staff accounts and API tokens in SQLite.

use super::db_err;
use super::time::stamp;
use harrier_core::accounts::{Role, Staff};
use harrier_core::ports::{StaffCredentials, StoreError};
use rusqlite::{Connection, OptionalExtension, params};
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
                "UPDATE staff SET role = ?2, password_hash = ?3, must_change_password = ?4, disabled = 0 WHERE id = ?1",
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

pub(crate) fn credentials(
    conn: &Connection,
    name: &str,
) -> Result<Option<StaffCredentials>, StoreError> {
    let row: Option<(i64, String, String, bool, bool)> = conn
        .prepare_cached(
            "SELECT id, role, password_hash, must_change_password, disabled FROM staff WHERE name = ?1",
        )
        .map_err(db_err)?
        .query_row([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .optional()
        .map_err(db_err)?;
    row.map(
        |(id, role_, password_hash, must_change_password, disabled)| {
            Ok(StaffCredentials {
                staff: Staff {
                    id,
                    name: name.to_owned(),
                    role: role(&role_)?,
                    must_change_password,
                },
                password_hash,
                disabled,
            })
        },
    )
    .transpose()
}

pub(crate) fn set_password(conn: &Connection, staff_id: i64, hash: &str) -> Result<(), StoreError> {
    let changed = conn
        .execute(
            "UPDATE staff SET password_hash = ?2, must_change_password = 0 WHERE id = ?1",
            params![staff_id, hash],
        )
        .map_err(db_err)?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!("staff account {staff_id}")));
    }
    Ok(())
}

pub(crate) fn insert_token(
    conn: &Connection,
    staff_id: i64,
    hash: &str,
    expires_at: OffsetDateTime,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO staff_tokens (token_hash, staff_id, expires_at) VALUES (?1, ?2, ?3)",
        params![hash, staff_id, stamp(expires_at)],
    )
    .map_err(db_err)?;
    Ok(())
}

pub(crate) fn by_token(
    conn: &Connection,
    hash: &str,
    now: OffsetDateTime,
) -> Result<Option<Staff>, StoreError> {
    let row: Option<(i64, String, String, bool)> = conn
        .prepare_cached(
            "SELECT s.id, s.name, s.role, s.must_change_password FROM staff_tokens t \
             JOIN staff s ON s.id = t.staff_id WHERE t.token_hash = ?1 AND t.expires_at > ?2 AND s.disabled = 0",
        )
        .map_err(db_err)?
        .query_row(params![hash, stamp(now)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()
        .map_err(db_err)?;
    row.map(|(id, name, role_, must_change_password)| {
        Ok(Staff {
            id,
            name,
            role: role(&role_)?,
            must_change_password,
        })
    })
    .transpose()
}
