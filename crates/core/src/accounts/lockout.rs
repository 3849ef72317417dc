//! Locking an account after repeated failed sign-ins.
//!
//! A failure is a wrong password or a wrong, malformed or replayed TOTP
//! code for a known account. `max_failures` of them within `window` (counted
//! from the first) lock the account for `lock_for`; a successful sign-in
//! clears the count. While locked nothing is counted, so that a stream of
//! guesses cannot keep the account locked for longer than one lock at a
//! time after it stops.
//!
//! The trade-off: anyone who knows a staff name can lock that account (a
//! denial of service against one person), in exchange for bounding online
//! guessing to `max_failures` per `lock_for`. Unknown names are never
//! locked, so a lock also tells that the name exists; the sign-in rate limit
//! per address slows both. This module decides; the store keeps the numbers.

use time::{Duration, OffsetDateTime};

/// When to lock. `max_failures = 0` turns locking off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub window: Duration,
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window: Duration::minutes(15),
            lock_for: Duration::minutes(15),
        }
    }
}

/// An account's recent failed sign-ins as stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginFailures {
    /// Failures counted in the current window.
    pub count: u32,
    /// When the current window began (the first failure in it).
    pub since: Option<OffsetDateTime>,
    /// The end of the lock, once locked.
    pub locked_until: Option<OffsetDateTime>,
}

impl LoginFailures {
    /// The end of the lock when the account is locked at `now`.
    pub fn locked_at(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        self.locked_until.filter(|until| *until > now)
    }

    /// The state after one more failure at `now`.
    pub fn after_failure(&self, now: OffsetDateTime, policy: &LockoutPolicy) -> Self {
        if policy.max_failures == 0 || self.locked_at(now).is_some() {
            return *self;
        }
        let window_open = self.since.is_some_and(|since| now - since < policy.window);
        let (count, since) = if window_open {
            (self.count.saturating_add(1), self.since)
        } else {
            (1, Some(now))
        };
        if count >= policy.max_failures {
            Self {
                count: 0,
                since: None,
                locked_until: Some(now + policy.lock_for),
            }
        } else {
            Self {
                count,
                since,
                locked_until: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-24 10:00 UTC);

    fn fail(times: &[i64]) -> LoginFailures {
        times
            .iter()
            .fold(LoginFailures::default(), |state, minute| {
                state.after_failure(T0 + Duration::minutes(*minute), &LockoutPolicy::default())
            })
    }

    #[test]
    fn five_failures_within_the_window_lock_for_fifteen_minutes() {
        let state = fail(&[0, 1, 2, 3]);
        assert_eq!(state.count, 4);
        assert_eq!(state.locked_at(T0 + Duration::minutes(3)), None);
        let state = fail(&[0, 1, 2, 3, 14]);
        let until = T0 + Duration::minutes(29);
        assert_eq!(state.locked_at(T0 + Duration::minutes(14)), Some(until));
        assert_eq!(state.locked_at(until), None, "the lock ends on time");
    }

    #[test]
    fn failures_spread_over_more_than_the_window_do_not_lock() {
        let state = fail(&[0, 1, 2, 3, 15]);
        assert_eq!(state.locked_until, None);
        assert_eq!(state.count, 1, "a new window began");
    }

    #[test]
    fn failures_while_locked_do_not_extend_the_lock() {
        let locked = fail(&[0, 1, 2, 3, 4]);
        let again = locked.after_failure(T0 + Duration::minutes(10), &LockoutPolicy::default());
        assert_eq!(again, locked);
        // After the lock, counting starts afresh.
        let after = locked.after_failure(T0 + Duration::minutes(20), &LockoutPolicy::default());
        assert_eq!((after.count, after.locked_until), (1, None));
    }

    #[test]
    fn zero_failures_turns_locking_off() {
        let off = LockoutPolicy {
            max_failures: 0,
            ..LockoutPolicy::default()
        };
        let state = (0..50).fold(LoginFailures::default(), |s, _| s.after_failure(T0, &off));
        assert_eq!(state, LoginFailures::default());
    }
}
