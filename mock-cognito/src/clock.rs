//! Where mock-cognito reads the time (epoch seconds). The harness passes mock-okta's clock
//! here, so one control moves both mocks. Also AWS's two ways of writing an instant.

use std::sync::Arc;

/// The system's time in epoch seconds (what signatures are judged by, whatever the world clock).
pub fn system_now() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A source of the current time in epoch seconds.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    /// The system time.
    pub fn system() -> Self {
        Self::from_fn(system_now)
    }

    /// Time from any source, e.g. a shared test clock.
    pub fn from_fn(now: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    /// The current time in epoch seconds.
    pub fn now(&self) -> i64 {
        (self.0)()
    }
}

/// Epoch seconds as ISO 8601 UTC, `2026-11-26T07:00:00Z`.
pub fn iso8601(epoch: i64) -> String {
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
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// `20261202T145607Z` (SigV4's `X-Amz-Date`, AWS's "basic format") as epoch seconds.
pub fn from_amz_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = text.get(range)?;
        digits.bytes().all(|d| d.is_ascii_digit()).then(|| digits.parse().ok())?
    };
    let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
    let (hour, minute, second) = (number(9..11)?, number(11..13)?, number(13..15)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Epoch seconds in AWS's basic format, `20261202T145607Z`.
pub fn amz_date(epoch: i64) -> String {
    iso8601(epoch).replace(['-', ':'], "")
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Clock").field(&self.now()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_matches_known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_414_191_623), "2014-10-24T23:00:23Z", "the STS model's example");
        assert_eq!(iso8601(1_709_251_199), "2024-02-29T23:59:59Z");
    }

    #[test]
    fn the_basic_format_round_trips_and_refuses_what_is_not_it() {
        for epoch in [0, 1_414_191_623, 1_709_251_199, 1_800_000_000] {
            assert_eq!(from_amz_date(&amz_date(epoch)), Some(epoch));
        }
        assert_eq!(amz_date(1_440_938_160), "20150830T123600Z");
        for bad in [
            "",
            "2015-08-30T12:36:00Z",
            "20150830T123600",
            "20151330T123600Z",
            "2015083OT123600Z",
            "+0150830T123600Z",
        ] {
            assert_eq!(from_amz_date(bad), None, "{bad}");
        }
    }
}
