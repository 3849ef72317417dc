//! The one place Harrier reads the clock.
//!
//! Deadlines, receipt times and token expiry all take a [`Clock`], so tests can
//! fix time. `clippy.toml` bans `SystemTime::now`, `Instant::now` and
//! `OffsetDateTime::now_utc` everywhere else.

use std::sync::Mutex;
use std::time::Instant;
use time::OffsetDateTime;

/// A source of wall-clock and monotonic time.
pub trait Clock: Send + Sync + 'static {
    /// The current wall-clock time in UTC.
    fn now(&self) -> OffsetDateTime;
    /// A monotonic instant, for measuring durations.
    fn instant(&self) -> Instant;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one sanctioned reading of the clock
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    #[allow(clippy::disallowed_methods)] // the one sanctioned reading of the clock
    fn instant(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that stands still until moved; for tests.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<OffsetDateTime>,
    origin: Instant,
}

impl ManualClock {
    pub fn new(now: OffsetDateTime) -> Self {
        #[allow(clippy::disallowed_methods)] // an arbitrary origin; only differences matter
        let origin = Instant::now();
        Self {
            now: Mutex::new(now),
            origin,
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: time::Duration) {
        if let Ok(mut now) = self.now.lock() {
            *now += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        match self.now.lock() {
            Ok(now) => *now,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    fn instant(&self) -> Instant {
        self.origin
    }
}
