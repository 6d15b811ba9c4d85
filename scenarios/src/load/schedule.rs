//! When each exchange of an open-model run is meant to start.
//!
//! Arrivals come at a constant rate, after an optional linear ramp from zero, whatever the
//! server does: a slow answer does not delay the next arrival. Latency is measured from an
//! exchange's intended start, so a stall shows in the percentiles instead of hiding as fewer
//! requests ("coordinated omission", as wrk2 and k6's arrival-rate executors avoid it).

use std::time::Duration;

/// A constant arrival rate after a linear ramp.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Schedule {
    /// Exchanges per second once ramped up.
    pub rate: f64,
    /// How long the rate takes to climb from 0 to `rate`.
    pub ramp: Duration,
}

impl Schedule {
    /// The intended start of exchange `n` (from 0), from the run's start: the time at which
    /// `n + 1` arrivals have been due. During the ramp the rate at `t` is `rate · t / ramp`, so
    /// `n + 1 = rate · t² / (2 · ramp)`; after it, arrivals are `1 / rate` apart.
    pub fn start_of(&self, n: u64) -> Duration {
        if self.rate <= 0.0 || !self.rate.is_finite() {
            return Duration::MAX;
        }
        let due = n as f64 + 1.0;
        let ramp = self.ramp.as_secs_f64();
        let during_ramp = self.rate * ramp / 2.0;
        let seconds = if ramp > 0.0 && due <= during_ramp {
            (2.0 * due * ramp / self.rate).sqrt()
        } else {
            ramp + (due - during_ramp.min(due)) / self.rate
        };
        Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX)
    }

    /// How many exchanges are due by `elapsed` (the inverse of [`Schedule::start_of`]).
    pub fn due_by(&self, elapsed: Duration) -> u64 {
        let t = elapsed.as_secs_f64();
        let ramp = self.ramp.as_secs_f64();
        let due = if ramp > 0.0 && t <= ramp {
            self.rate * t * t / (2.0 * ramp)
        } else {
            self.rate * ramp / 2.0 + self.rate * (t - ramp)
        };
        due.max(0.0).floor() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Duration, b: f64) -> bool {
        (a.as_secs_f64() - b).abs() < 1e-9
    }

    #[test]
    fn a_constant_rate_spaces_arrivals_evenly() {
        let s = Schedule { rate: 100.0, ramp: Duration::ZERO };
        assert!(close(s.start_of(0), 0.01));
        assert!(close(s.start_of(99), 1.0));
        assert!(close(s.start_of(999), 10.0));
        assert_eq!(s.due_by(Duration::from_secs(10)), 1000);
    }

    #[test]
    fn a_ramp_climbs_linearly_then_holds() {
        let s = Schedule { rate: 100.0, ramp: Duration::from_secs(10) };
        // 500 arrivals during the ramp (the triangle's area), the 500th at its end.
        assert!(close(s.start_of(499), 10.0));
        assert_eq!(s.due_by(Duration::from_secs(10)), 500);
        // Half way through the ramp a quarter of them.
        assert_eq!(s.due_by(Duration::from_secs(5)), 125);
        // Then 100 a second.
        assert!(close(s.start_of(599), 11.0));
        for n in [0, 1, 10, 124, 125, 499, 500, 1_000, 123_456] {
            let t = s.start_of(n);
            assert_eq!(s.due_by(t + Duration::from_nanos(1)), n + 1, "n = {n}");
        }
    }

    #[test]
    fn arrivals_never_go_back_in_time() {
        let s = Schedule { rate: 37.5, ramp: Duration::from_millis(2500) };
        let mut last = Duration::ZERO;
        for n in 0..5_000 {
            let t = s.start_of(n);
            assert!(t >= last, "n = {n}");
            last = t;
        }
        assert_eq!(Schedule { rate: 0.0, ramp: Duration::ZERO }.start_of(0), Duration::MAX);
    }
}
