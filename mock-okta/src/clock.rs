//! A clock a test can stop, move and skew.
//!
//! Every `iat`, `exp` and `auth_time` mock-okta writes comes from here, and the harness hands
//! the same clock to mock-cognito, so "the token expired six minutes ago" is one call:
//! `clock.advance(3600 + 360)`. Clones share one control; there is no global clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Marks "not frozen" in [`Clock`]'s fixed-time slot.
const RUNNING: i64 = i64::MIN;

/// The latest time the control API may set: 9999-12-31T23:59:59Z.
pub const LATEST: UnixSeconds = 253_402_300_799;

/// Epoch seconds as Okta's API writes times, `2026-11-26T07:00:00.000Z`. (mock-cognito has
/// the same arithmetic: the two mocks share no code by design, ARCHITECTURE.md.)
pub fn okta_time(epoch: UnixSeconds) -> String {
    let (days, secs) = (epoch.div_euclid(86_400), epoch.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (hour, minute, second) = (secs / 3600, secs % 3600 / 60, secs % 60);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.000Z")
}

/// A change to the world clock; fields apply in this order.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ClockChange {
    /// Stop the clock at this time (epoch seconds).
    pub freeze_at: Option<i64>,
    /// Stop the clock where it is.
    pub freeze: bool,
    /// Set the offset from the base time, in seconds.
    pub offset: Option<i64>,
    /// Move the clock by this many seconds.
    pub advance: Option<i64>,
    /// Let a frozen clock run again from where it stands.
    pub resume: bool,
}

/// Seconds since the Unix epoch, as JWT claims count them.
pub type UnixSeconds = i64;

/// A shared, adjustable clock with second resolution.
#[derive(Clone, Debug)]
pub struct Clock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    fixed: AtomicI64,
    offset: AtomicI64,
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl Clock {
    /// A clock that follows the system time.
    pub fn system() -> Self {
        Self {
            inner: Arc::new(Inner { fixed: AtomicI64::new(RUNNING), offset: AtomicI64::new(0) }),
        }
    }

    /// A clock frozen at `at` until it is moved.
    pub fn fixed(at: UnixSeconds) -> Self {
        let clock = Self::system();
        clock.freeze_at(at);
        clock
    }

    /// The current time.
    pub fn now(&self) -> UnixSeconds {
        let fixed = self.inner.fixed.load(Ordering::Relaxed);
        let base = if fixed == RUNNING { system_now() } else { fixed };
        base.saturating_add(self.inner.offset.load(Ordering::Relaxed))
    }

    /// Stops the clock at `at`.
    pub fn freeze_at(&self, at: UnixSeconds) {
        self.inner.offset.store(0, Ordering::Relaxed);
        self.inner.fixed.store(at, Ordering::Relaxed);
    }

    /// Stops the clock at the current time.
    pub fn freeze(&self) {
        self.freeze_at(self.now());
    }

    /// Lets a frozen clock run again from the time it shows, without a jump.
    pub fn resume(&self) {
        let shown = self.now();
        self.inner.offset.store(shown.saturating_sub(system_now()), Ordering::Relaxed);
        self.inner.fixed.store(RUNNING, Ordering::Relaxed);
    }

    /// Sets the clock `secs` ahead of (or, negative, behind) its base time.
    pub fn set_offset(&self, secs: i64) {
        self.inner.offset.store(secs, Ordering::Relaxed);
    }

    /// Moves the clock forward (or, negative, back) by `secs`.
    pub fn advance(&self, secs: i64) {
        let _ = self.inner.offset.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |offset| {
            Some(offset.saturating_add(secs))
        });
    }

    /// Whether the clock is stopped.
    pub fn is_frozen(&self) -> bool {
        self.inner.fixed.load(Ordering::Relaxed) != RUNNING
    }

    /// Applies a change from the control API: the clock must stay between 1970 and the end
    /// of year 9999 (what a JWT's NumericDate and every client can represent), else nothing
    /// changes and the answer says why.
    pub fn try_apply(&self, change: &ClockChange) -> Result<(), String> {
        let in_range = |t: i64| (0..=LATEST).contains(&t);
        if let Some(at) = change.freeze_at
            && !in_range(at)
        {
            return Err(format!("freeze_at must be between 0 and {LATEST} (year 9999), got {at}"));
        }
        for (name, value) in [("offset", change.offset), ("advance", change.advance)] {
            if let Some(secs) = value
                && !(-LATEST..=LATEST).contains(&secs)
            {
                return Err(format!("{name} must be within ±{LATEST} seconds, got {secs}"));
            }
        }
        let before =
            (self.inner.fixed.load(Ordering::Relaxed), self.inner.offset.load(Ordering::Relaxed));
        self.apply(change);
        let now = self.now();
        if in_range(now) {
            return Ok(());
        }
        self.inner.fixed.store(before.0, Ordering::Relaxed);
        self.inner.offset.store(before.1, Ordering::Relaxed);
        Err(format!("the clock would show {now}, outside 0..={LATEST} (1970 to year 9999)"))
    }

    /// Applies a change, in the order of its fields.
    pub fn apply(&self, change: &ClockChange) {
        if let Some(at) = change.freeze_at {
            self.freeze_at(at);
        }
        if change.freeze {
            self.freeze();
        }
        if let Some(offset) = change.offset {
            self.set_offset(offset);
        }
        if let Some(secs) = change.advance {
            self.advance(secs);
        }
        if change.resume {
            self.resume();
        }
    }
}

fn system_now() -> UnixSeconds {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).expect("system clock is after 1970");
    i64::try_from(since.as_secs()).expect("seconds since 1970 fit in i64")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_moves_only_when_told() {
        let clock = Clock::fixed(1_000);
        assert_eq!(clock.now(), 1_000);
        clock.advance(360);
        assert_eq!(clock.now(), 1_360);
        let shared = clock.clone();
        shared.advance(-60);
        assert_eq!(clock.now(), 1_300);
        clock.freeze_at(50);
        assert_eq!(shared.now(), 50);
    }

    #[test]
    fn a_running_clock_follows_system_time_plus_offset() {
        let clock = Clock::system();
        clock.set_offset(-7_200);
        let delta = system_now() - clock.now();
        assert!((7_199..=7_201).contains(&delta), "offset not applied: {delta}");
        clock.freeze();
        clock.resume();
        assert!((system_now() - clock.now() - 7_200).abs() <= 1);
    }
}
