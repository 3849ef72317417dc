-- Harrier schema, version 3: staff security. The second factor (TOTP), the
-- count of failed sign-ins with the lock it leads to, and sessions with an
-- idle limit as well as an absolute one (see core/src/accounts/).

-- The TOTP secret is sealed with a key derived from the server secret
-- (accounts/totp.rs); totp_confirmed = 0 is an enrolment in progress.
ALTER TABLE staff ADD COLUMN totp_secret TEXT;
ALTER TABLE staff ADD COLUMN totp_confirmed INTEGER NOT NULL DEFAULT 0;
-- The last step whose code was accepted: a code is good once.
ALTER TABLE staff ADD COLUMN totp_last_step INTEGER;
ALTER TABLE staff ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN failed_since TEXT;
ALTER TABLE staff ADD COLUMN locked_until TEXT;

-- Sessions get their creation, last-seen time and idle limit. The tokens
-- issued before this version had neither: they end here and their holders
-- sign in again.
DROP TABLE staff_tokens;
CREATE TABLE staff_tokens (
    token_hash TEXT PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    idle_seconds INTEGER NOT NULL
) WITHOUT ROWID;
-- "Log out everywhere" and a password change end an account's sessions.
CREATE INDEX staff_tokens_by_staff ON staff_tokens (staff_id);
