//! What a load run measures: HDR latency histograms per step and per whole exchange, counts
//! per second, and the answers by type. Each worker keeps its own and they are merged at the
//! end, so recording never contends.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// The steps an exchange is made of, and the exchange itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The Okta token (token endpoint or mint).
    Token,
    /// Cognito `GetId`.
    GetId,
    /// Cognito `GetCredentialsForIdentity`.
    GetCredentials,
    /// Cognito `GetOpenIdToken` (basic flow).
    GetOpenIdToken,
    /// STS `AssumeRoleWithWebIdentity`.
    AssumeRole,
    /// STS `GetCallerIdentity`, signed with the issued credentials.
    CallerIdentity,
    /// A whole exchange, from its intended start.
    Exchange,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 7] = [
        Step::Token,
        Step::GetId,
        Step::GetCredentials,
        Step::GetOpenIdToken,
        Step::AssumeRole,
        Step::CallerIdentity,
        Step::Exchange,
    ];

    /// The name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Step::Token => "token",
            Step::GetId => "get_id",
            Step::GetCredentials => "get_credentials",
            Step::GetOpenIdToken => "get_open_id_token",
            Step::AssumeRole => "assume_role",
            Step::CallerIdentity => "caller_identity",
            Step::Exchange => "exchange",
        }
    }
}

/// Latencies are recorded in microseconds, from 1 µs to a minute (longer ones count as a
/// minute), to `digits` significant digits.
fn histogram<T: hdrhistogram::Counter>(digits: u8) -> Histogram<T> {
    Histogram::new_with_bounds(1, 60_000_000, digits).expect("valid histogram bounds")
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX).max(1)
}

/// One second of a run.
#[derive(Clone, Debug)]
pub struct Second {
    /// Exchanges that ended in this second (good and bad).
    pub exchanges: u64,
    /// Of those, the unexpected answers.
    pub unexpected: u64,
    /// Their latencies (2 significant digits: enough for a plot).
    pub latency: Histogram<u32>,
}

impl Second {
    fn new() -> Self {
        Self { exchanges: 0, unexpected: 0, latency: histogram::<u32>(2) }
    }
}

/// How an exchange ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Every answer was the right one.
    Ok,
    /// A bad exchange on purpose, refused exactly as AWS refuses it.
    RefusedAsExpected {
        /// The mix kind.
        kind: &'static str,
    },
    /// Anything else: the wrong type or message, a 5xx, no answer, malformed credentials,
    /// another identity for the same subject.
    Unexpected {
        /// The step where it went wrong.
        step: Step,
        /// The answer's type, or `transport`, `status 502`, `malformed`.
        answer: String,
        /// What was wrong, for the examples.
        why: String,
    },
}

/// Everything one worker (or the whole run, merged) measured.
#[derive(Clone, Debug)]
pub struct Stats {
    steps: BTreeMap<Step, Histogram<u64>>,
    /// Per second since the start.
    pub seconds: Vec<Second>,
    /// Answers that were refusals on purpose, by mix kind.
    pub refused_as_expected: BTreeMap<String, u64>,
    /// Unexpected answers, by step and type (`get_id: SerializationException`).
    pub unexpected: BTreeMap<String, u64>,
    /// The first unexpected answers, word for word.
    pub examples: Vec<String>,
    /// Good exchanges.
    pub ok: u64,
}

/// How many unexpected answers are kept word for word.
const EXAMPLES: usize = 10;

impl Default for Stats {
    fn default() -> Self {
        Self::new()
    }
}

impl Stats {
    /// Nothing measured yet.
    pub fn new() -> Self {
        Self {
            steps: Step::ALL.iter().map(|s| (*s, histogram::<u64>(3))).collect(),
            seconds: Vec::new(),
            refused_as_expected: BTreeMap::new(),
            unexpected: BTreeMap::new(),
            examples: Vec::new(),
            ok: 0,
        }
    }

    /// One step's latency.
    pub fn step(&mut self, step: Step, took: Duration) {
        if let Some(h) = self.steps.get_mut(&step) {
            h.saturating_record(micros(took));
        }
    }

    /// One whole exchange, `latency` from its intended start, ended `at` since the run began.
    pub fn exchange(&mut self, at: Duration, latency: Duration, ended: Ended) {
        self.step(Step::Exchange, latency);
        let index = usize::try_from(at.as_secs()).unwrap_or(usize::MAX).min(1 << 20);
        if self.seconds.len() <= index {
            self.seconds.resize_with(index + 1, Second::new);
        }
        let second = &mut self.seconds[index];
        second.exchanges += 1;
        second.latency.saturating_record(micros(latency));
        match ended {
            Ended::Ok => self.ok += 1,
            Ended::RefusedAsExpected { kind } => {
                *self.refused_as_expected.entry(kind.to_owned()).or_default() += 1;
            }
            Ended::Unexpected { step, answer, why } => {
                second.unexpected += 1;
                *self.unexpected.entry(format!("{}: {answer}", step.name())).or_default() += 1;
                if self.examples.len() < EXAMPLES {
                    self.examples.push(format!("{}: {why}", step.name()));
                }
            }
        }
    }

    /// Adds `other`'s measurements to these.
    pub fn merge(&mut self, other: &Stats) {
        for (step, h) in &other.steps {
            if let Some(mine) = self.steps.get_mut(step) {
                mine.add(h).expect("histograms with the same bounds merge");
            }
        }
        if self.seconds.len() < other.seconds.len() {
            self.seconds.resize_with(other.seconds.len(), Second::new);
        }
        for (mine, theirs) in self.seconds.iter_mut().zip(&other.seconds) {
            mine.exchanges += theirs.exchanges;
            mine.unexpected += theirs.unexpected;
            mine.latency.add(&theirs.latency).expect("histograms with the same bounds merge");
        }
        for (kind, n) in &other.refused_as_expected {
            *self.refused_as_expected.entry(kind.clone()).or_default() += n;
        }
        for (kind, n) in &other.unexpected {
            *self.unexpected.entry(kind.clone()).or_default() += n;
        }
        for example in &other.examples {
            if self.examples.len() < EXAMPLES {
                self.examples.push(example.clone());
            }
        }
        self.ok += other.ok;
    }

    /// Whole exchanges recorded.
    pub fn exchanges(&self) -> u64 {
        self.steps.get(&Step::Exchange).map_or(0, Histogram::len)
    }

    /// Unexpected answers in all.
    pub fn unexpected_count(&self) -> u64 {
        self.unexpected.values().sum()
    }

    /// A step's latency (ms) at each of `quantiles`, if it was measured.
    pub fn spectrum(&self, step: Step, quantiles: &[f64]) -> Option<Vec<(f64, f64)>> {
        let h = self.steps.get(&step).filter(|h| !h.is_empty())?;
        Some(quantiles.iter().map(|q| (*q, h.value_at_quantile(*q) as f64 / 1000.0)).collect())
    }

    /// A step's percentiles, if it was measured.
    pub fn percentiles(&self, step: Step) -> Option<Percentiles> {
        let h = self.steps.get(&step).filter(|h| !h.is_empty())?;
        Some(Percentiles::of(h))
    }
}

/// A latency distribution in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Percentiles {
    /// How many were recorded.
    pub count: u64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// The largest.
    pub max: f64,
    /// The mean.
    pub mean: f64,
}

impl Percentiles {
    /// The distribution `h` (microseconds) holds.
    pub fn of<T: hdrhistogram::Counter>(h: &Histogram<T>) -> Self {
        let ms = |us: u64| us as f64 / 1000.0;
        Self {
            count: h.len(),
            p50: ms(h.value_at_quantile(0.5)),
            p90: ms(h.value_at_quantile(0.9)),
            p99: ms(h.value_at_quantile(0.99)),
            p999: ms(h.value_at_quantile(0.999)),
            max: ms(h.max()),
            mean: h.mean() / 1000.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn workers_merge_into_one_distribution() {
        let mut a = Stats::new();
        let mut b = Stats::new();
        for i in 1..=900 {
            a.exchange(ms(i), ms(1), Ended::Ok);
        }
        for i in 1..=100 {
            b.exchange(Duration::from_secs(2) + ms(i), ms(100), Ended::Ok);
        }
        a.merge(&b);
        assert_eq!(a.exchanges(), 1000);
        assert_eq!(a.ok, 1000);
        let p = a.percentiles(Step::Exchange).unwrap();
        assert!((p.p50 - 1.0).abs() < 0.01, "{p:?}");
        assert!((p.p99 - 100.0).abs() < 0.1, "{p:?}");
        assert_eq!(a.seconds.len(), 3);
        assert_eq!(
            a.seconds.iter().map(|s| s.exchanges).collect::<Vec<_>>(),
            [900, 0, 100],
            "counted in the second they ended"
        );
    }

    #[test]
    fn refusals_on_purpose_and_unexpected_answers_are_counted_apart() {
        let mut s = Stats::new();
        s.exchange(ms(1), ms(1), Ended::RefusedAsExpected { kind: "expired" });
        s.exchange(ms(2), ms(1), Ended::RefusedAsExpected { kind: "expired" });
        for _ in 0..12 {
            s.exchange(
                ms(3),
                ms(1),
                Ended::Unexpected {
                    step: Step::GetId,
                    answer: "status 500".into(),
                    why: "boom".into(),
                },
            );
        }
        assert_eq!(s.refused_as_expected.get("expired"), Some(&2));
        assert_eq!(s.unexpected.get("get_id: status 500"), Some(&12));
        assert_eq!(s.unexpected_count(), 12);
        assert_eq!(s.examples.len(), EXAMPLES, "a few examples, not all");
        assert_eq!(s.seconds[0].unexpected, 12);
        assert_eq!(s.ok, 0);
    }

    #[test]
    fn latencies_beyond_the_bounds_are_clamped_not_lost() {
        let mut s = Stats::new();
        s.step(Step::Token, Duration::from_secs(3600));
        let max = s.percentiles(Step::Token).unwrap().max;
        assert!((max - 60_000.0).abs() < 100.0, "a minute at most: {max}");
        s.step(Step::Token, Duration::ZERO);
        assert_eq!(s.percentiles(Step::Token).unwrap().count, 2);
        assert_eq!(s.percentiles(Step::GetId), None);
    }
}
