//! `fedmock load`: load tests of the whole Okta → Cognito exchange, with every answer checked.
//!
//! An exchange is what an application does per user: an Okta token (fetched, or minted by a
//! fedmock world), then Cognito `GetId` and `GetCredentialsForIdentity` (the enhanced flow),
//! or `GetOpenIdToken` and STS (the basic flow), or the token straight to STS; optionally an
//! STS `GetCallerIdentity` signed with the credentials. Each answer is checked: the same
//! subject always gets the same identity, credentials are well formed, and a bad exchange on
//! purpose (`--mix`) gets AWS's exact refusal. Anything else is an unexpected answer, and the
//! run fails.
//!
//! Arrivals follow an open model (a constant rate, latency from each exchange's intended start)
//! or a closed one (a fixed number of users in a loop). Measurements are HDR histograms per
//! step ([`stats`]); [`report`] renders the table, JSON and a self-contained HTML page.
//!
//! Requests are made with hyper directly (mock-cognito's HTTP client) rather than the AWS
//! SDKs: a generator must cost the machine less than the server it measures, and the
//! answers are checked against AWS's texts here anyway.

pub mod exchange;
pub mod mix;
pub mod report;
pub mod schedule;
pub mod stats;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use harness::Federation;
use serde::Serialize;

use self::exchange::Shared;
use self::mix::Mix;
use self::schedule::Schedule;
use self::stats::Stats;
use crate::Error;

/// What an exchange is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    /// `GetId`, then `GetCredentialsForIdentity` (what `fromCognitoIdentityPool` does).
    Enhanced,
    /// `GetId`, `GetOpenIdToken`, then STS `AssumeRoleWithWebIdentity` with Cognito's token.
    Basic,
    /// The Okta token straight to STS `AssumeRoleWithWebIdentity`.
    Sts,
    /// `GetId` alone: one call type, to compare with a single-request tool such as wrk.
    GetId,
}

/// Where the Okta tokens come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenSource {
    /// Minted by the fedmock world, one subject per user (`fedmock-load-<n>`).
    Mint,
    /// The password grant with the world's user.
    Password,
    /// The client credentials grant (the subject is the client).
    ClientCredentials,
}

/// How exchanges arrive.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "model")]
pub enum Model {
    /// A constant arrival rate (after a ramp), whatever the answers' latency.
    Open {
        /// Exchanges per second.
        rate: f64,
        /// Seconds to climb to the rate.
        ramp_s: f64,
    },
    /// `concurrency` users, each starting an exchange when its last one ends.
    Closed {
        /// How many at once.
        concurrency: u64,
    },
}

/// A run's settings, as the CLI and the report show them.
#[derive(Clone, Debug, Serialize)]
pub struct Settings {
    /// The exchange.
    pub flow: Flow,
    /// Where tokens come from.
    pub token: TokenSource,
    /// Exchanges per token before a new one is fetched (also fetched when near expiry).
    pub token_reuse: u64,
    /// Distinct subjects the load is spread over.
    pub users: u64,
    /// Arrivals.
    pub model: Model,
    /// Stop after this long (the default, 10 s, when neither this nor `exchanges` is set).
    pub duration_s: Option<f64>,
    /// Stop after this many exchanges.
    pub exchanges: Option<u64>,
    /// Bad exchanges on purpose.
    #[serde(serialize_with = "mix_text")]
    pub mix: Mix,
    /// Sign an STS `GetCallerIdentity` with each exchange's credentials.
    pub verify_credentials: bool,
    /// The role for the basic and STS flows.
    pub role_arn: Option<String>,
    /// How long one request may take before it counts as unexpected.
    pub timeout_s: f64,
}

fn mix_text<S: serde::Serializer>(mix: &Mix, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&mix.to_string())
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            flow: Flow::Enhanced,
            token: TokenSource::Mint,
            token_reuse: 1,
            users: 1,
            model: Model::Closed { concurrency: 8 },
            duration_s: None,
            exchanges: None,
            mix: Mix::default(),
            verify_credentials: false,
            role_arn: None,
            timeout_s: 10.0,
        }
    }
}

/// Where a run sends its exchanges.
#[derive(Clone, Debug)]
pub struct Target {
    /// What the report calls it.
    pub name: String,
    /// The Okta token endpoint.
    pub token_url: String,
    /// The issuer (its URL is the wrong Logins key of `wrong-logins-key`).
    pub issuer: String,
    /// The OAuth client.
    pub client_id: String,
    /// Its secret.
    pub client_secret: String,
    /// The password grant's user.
    pub username: String,
    /// Their password.
    pub password: String,
    /// Cognito Identity's endpoint.
    pub cognito_url: String,
    /// STS's endpoint.
    pub sts_url: String,
    /// The region (STS signing).
    pub region: String,
    /// The account id (the default roles' ARNs).
    pub account_id: String,
    /// The identity pool.
    pub pool: String,
    /// The Logins key.
    pub logins_key: String,
    /// An extra CA to trust (a world's throw-away CA).
    pub ca_pem: Option<String>,
    /// A fedmock world, which can mint tokens: in process, or reached over its control API.
    pub world: Option<Arc<Federation>>,
}

impl Target {
    /// A fedmock world: in process, running (`Federation::connect`), or in a container.
    pub fn of_world(name: &str, world: Federation) -> Result<Self, Error> {
        let summary = world.summary().clone();
        let ca_pem = match &summary.ca_file {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| Error::World(format!("the world's CA file {path}: {e}")))?,
            ),
            None => None,
        };
        Ok(Self {
            name: name.to_owned(),
            token_url: summary.token_endpoint.clone(),
            issuer: summary.issuer.clone(),
            client_id: summary.client_id.clone(),
            client_secret: summary.client_secret.clone(),
            username: summary.username.clone(),
            password: summary.password.clone(),
            cognito_url: summary.cognito_endpoint.clone(),
            sts_url: summary.cognito_endpoint.clone(),
            region: summary.region.clone(),
            account_id: summary.account_id.clone(),
            pool: summary.identity_pool_id.clone(),
            logins_key: summary.logins_key.clone(),
            ca_pem,
            world: Some(Arc::new(world)),
        })
    }
}

/// What a run looks like while it runs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Progress {
    /// Since the start.
    pub elapsed: Duration,
    /// Exchanges ended.
    pub exchanges: u64,
    /// Unexpected answers so far.
    pub unexpected: u64,
    /// How far along, from 0 to 1.
    pub done: f64,
}

/// Counters the progress display reads while workers run.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) exchanges: AtomicU64,
    pub(crate) unexpected: AtomicU64,
}

/// How a run's end is decided.
#[derive(Clone, Copy, Debug)]
struct Stop {
    deadline: Option<Duration>,
    exchanges: Option<u64>,
}

impl Stop {
    fn of(settings: &Settings) -> Self {
        let deadline = settings.duration_s.map(Duration::from_secs_f64);
        let deadline = match (deadline, settings.exchanges) {
            (None, None) => Some(Duration::from_secs(10)),
            (deadline, _) => deadline,
        };
        Self { deadline, exchanges: settings.exchanges }
    }

    fn done(&self, n: u64, elapsed: Duration) -> f64 {
        let by_time = self.deadline.map(|d| elapsed.as_secs_f64() / d.as_secs_f64().max(1e-9));
        let by_count = self.exchanges.map(|e| n as f64 / e.max(1) as f64);
        by_time.into_iter().chain(by_count).fold(0.0, f64::max).min(1.0)
    }
}

/// Checks that `settings` can run against `target`.
pub fn check(settings: &Settings, target: &Target) -> Result<(), Error> {
    let bad = |msg: String| Err(Error::Load(msg));
    if target.world.is_none() {
        if settings.token == TokenSource::Mint {
            return bad("minting tokens needs a fedmock world; use --token password or client-credentials against other endpoints".into());
        }
        if let Some(kind) = settings.mix.kinds().find(|k| k.needs_mint()) {
            return bad(format!(
                "--mix {}: making such a token needs a fedmock world",
                kind.name()
            ));
        }
    }
    if settings.users > 1 && settings.token != TokenSource::Mint {
        return bad("--users spreads the load over minted subjects: use --token mint".into());
    }
    if settings.users == 0 || settings.token_reuse == 0 {
        return bad("--users and --token-reuse are at least 1".into());
    }
    if let Some(kind) = settings.mix.kinds().find(|k| k.expected(settings.flow).is_none()) {
        return bad(format!(
            "--mix {} does not apply to --flow sts (STS has no Logins key or pool)",
            kind.name()
        ));
    }
    match settings.model {
        Model::Open { rate, .. } if !(rate > 0.0 && rate.is_finite()) => {
            bad("--rate is a positive number of exchanges per second".into())
        }
        Model::Closed { concurrency: 0 } => bad("--concurrency is at least 1".into()),
        _ => Ok(()),
    }
}

/// Runs the load `settings` describe against `target`, calling `progress` about five times a
/// second, and measures it.
pub async fn run(
    settings: Settings,
    target: Target,
    progress: impl Fn(Progress) + Send + 'static,
) -> Result<report::Report, Error> {
    check(&settings, &target)?;
    let shared = Arc::new(Shared::new(settings.clone(), target.clone())?);
    let stop = Stop::of(&settings);
    let counters = Arc::new(Counters::default());
    let cpu_before = report::Cpu::sample();
    let start = Instant::now();
    let ticker = {
        let counters = counters.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(200));
            loop {
                tick.tick().await;
                let elapsed = start.elapsed();
                let exchanges = counters.exchanges.load(Ordering::Relaxed);
                progress(Progress {
                    elapsed,
                    exchanges,
                    unexpected: counters.unexpected.load(Ordering::Relaxed),
                    done: stop.done(exchanges, elapsed),
                });
            }
        })
    };
    let stats = match settings.model {
        Model::Closed { concurrency } => closed(&shared, &counters, stop, start, concurrency).await,
        Model::Open { rate, ramp_s } => {
            let schedule = Schedule { rate, ramp: Duration::from_secs_f64(ramp_s.max(0.0)) };
            open(&shared, &counters, stop, start, schedule).await
        }
    };
    let wall = start.elapsed();
    ticker.abort();
    let cpu = report::Cpu::sample().since(&cpu_before, wall);
    Ok(report::Report::new(&settings, &target, &stats, wall, cpu))
}

/// Where exchanges are recorded: a few shards, each behind its own lock, so workers on
/// different threads seldom wait for one another.
#[derive(Debug)]
struct Recorder {
    shards: Vec<std::sync::Mutex<Stats>>,
}

impl Recorder {
    const SHARDS: usize = 4;

    fn new() -> Self {
        Self { shards: (0..Self::SHARDS).map(|_| std::sync::Mutex::new(Stats::new())).collect() }
    }

    fn record(&self, n: u64, record: exchange::Record, counters: &Counters) {
        counters.exchanges.fetch_add(1, Ordering::Relaxed);
        if matches!(record.ended, stats::Ended::Unexpected { .. }) {
            counters.unexpected.fetch_add(1, Ordering::Relaxed);
        }
        let shard = usize::try_from(n).unwrap_or(0) % Self::SHARDS;
        if let Ok(mut stats) = self.shards[shard].lock() {
            for (step, took) in &record.steps {
                stats.step(*step, *took);
            }
            stats.exchange(record.at, record.latency, record.ended);
        }
    }

    fn merged(self) -> Stats {
        let mut all = Stats::new();
        for shard in self.shards {
            if let Ok(stats) = shard.into_inner() {
                all.merge(&stats);
            }
        }
        all
    }
}

/// `concurrency` workers in a loop.
async fn closed(
    shared: &Arc<Shared>,
    counters: &Arc<Counters>,
    stop: Stop,
    start: Instant,
    concurrency: u64,
) -> Stats {
    let recorder = Arc::new(Recorder::new());
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (shared, counters, next, recorder) =
            (shared.clone(), counters.clone(), next.clone(), recorder.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if stop.exchanges.is_some_and(|max| n >= max)
                    || stop.deadline.is_some_and(|d| start.elapsed() >= d)
                {
                    break;
                }
                let record = shared.exchange(n, start, Instant::now()).await;
                recorder.record(n, record, &counters);
            }
        }));
    }
    for worker in workers {
        let _ = worker.await;
    }
    Arc::try_unwrap(recorder).map(Recorder::merged).unwrap_or_default()
}

/// Exchanges started on the schedule, each as its own task; at most [`IN_FLIGHT`] at once (a
/// later start waits, and its latency, counted from its intended start, shows it).
const IN_FLIGHT: usize = 10_000;

async fn open(
    shared: &Arc<Shared>,
    counters: &Arc<Counters>,
    stop: Stop,
    start: Instant,
    schedule: Schedule,
) -> Stats {
    let recorder = Arc::new(Recorder::new());
    let permits = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut n = 0u64;
    loop {
        if stop.exchanges.is_some_and(|max| n >= max) {
            break;
        }
        let intended = schedule.start_of(n);
        if stop.deadline.is_some_and(|d| intended >= d) {
            break;
        }
        tokio::time::sleep_until((start + intended).into()).await;
        let Ok(permit) = permits.clone().acquire_owned().await else { break };
        let (shared, counters, recorder) = (shared.clone(), counters.clone(), recorder.clone());
        tokio::spawn(async move {
            let record = shared.exchange(n, start, start + intended).await;
            recorder.record(n, record, &counters);
            // The recorder first: once every permit is back, no task holds it.
            drop(recorder);
            drop(permit);
        });
        n += 1;
    }
    // Wait for the exchanges in flight.
    let _all = permits.acquire_many(IN_FLIGHT as u32).await;
    Arc::try_unwrap(recorder).map(Recorder::merged).unwrap_or_default()
}
