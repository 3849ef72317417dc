//! Staff sessions: a token (the API's bearer token or the console's cookie)
//! kept in the database as its SHA-256, with two limits.
//!
//! The absolute limit (`server.token_hours`) ends a session however busy it
//! is; the idle limit (`server.session_idle_minutes`) ends one nobody has
//! used for that long. The last-seen time is written at most once every
//! [`TOUCH_EVERY`], so a busy session costs a read per request and a write
//! per minute; the idle limit is therefore exact to within that minute.
//! Each session keeps the idle limit it was opened with.

use time::{Duration, OffsetDateTime};

/// How often a session's last-seen time is written, at most.
pub const TOUCH_EVERY: Duration = Duration::minutes(1);

/// The limits new sessions get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub absolute: Duration,
    pub idle: Duration,
}

/// A session to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub staff_id: i64,
    pub token_hash: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub idle_timeout: Duration,
}

impl SessionPolicy {
    pub fn open(&self, staff_id: i64, token_hash: String, now: OffsetDateTime) -> NewSession {
        NewSession {
            staff_id,
            token_hash,
            created_at: now,
            expires_at: now + self.absolute,
            idle_timeout: self.idle,
        }
    }
}

/// A stored session's times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimes {
    pub expires_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub idle_timeout: Duration,
}

impl SessionTimes {
    /// Whether the session may still be used at `now`.
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        now < self.expires_at && now < self.last_seen_at + self.idle_timeout
    }

    /// Whether using it at `now` should write the last-seen time.
    pub fn needs_touch(&self, now: OffsetDateTime) -> bool {
        now - self.last_seen_at >= TOUCH_EVERY
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_session_ends_when_idle_or_at_its_absolute_limit() {
        let now = datetime!(2026-11-24 10:00 UTC);
        let policy = SessionPolicy {
            absolute: Duration::hours(12),
            idle: Duration::minutes(30),
        };
        let new = policy.open(1, "h".into(), now);
        let mut times = SessionTimes {
            expires_at: new.expires_at,
            last_seen_at: now,
            idle_timeout: new.idle_timeout,
        };
        assert!(times.is_live(now + Duration::minutes(29)));
        assert!(!times.is_live(now + Duration::minutes(30)));
        assert!(!times.needs_touch(now + Duration::seconds(59)));
        assert!(times.needs_touch(now + Duration::seconds(60)));
        // Used every 20 minutes, it lives until the absolute limit.
        times.last_seen_at = now + Duration::hours(11) + Duration::minutes(50);
        assert!(times.is_live(now + Duration::hours(11) + Duration::minutes(59)));
        assert!(!times.is_live(now + Duration::hours(12)));
    }
}
