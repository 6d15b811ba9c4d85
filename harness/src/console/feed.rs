//! The live feed: every token request and every Cognito, STS and IAM request a world answers,
//! newest first, in a ring of bounded size (memory stays flat under `fedmock load`), and
//! pushed to the pages that watch (server-sent events).
//!
//! The mocks tell the feed through their observer hooks on the request's task, so recording
//! is a copy of a bounded part of the request and a push under a short lock; nothing is parsed
//! or explained until a person opens the exchange.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use http::HeaderMap;
use mock_cognito::observe::{Observed, Observer as AwsObserver, Service};
use mock_okta::observe::{Issued, Observer as OktaObserver};
use tokio::sync::broadcast;

/// How many exchanges the feed keeps by default.
pub const CAPACITY: usize = 500;

/// The most of a request body an exchange keeps: ten tokens of the usual size fit.
const BODY_KEPT: usize = 64 * 1024;

/// One request a world answered.
#[derive(Debug)]
pub struct Exchange {
    /// Its number in the feed, from 1.
    pub id: u64,
    /// World time when it was answered (epoch seconds).
    pub at: i64,
    /// Where it went: `okta`, `cognito-identity`, `sts` or `iam`.
    pub service: &'static str,
    /// The operation (`GetId`), Query `Action`, or for Okta the grant (`token: password`).
    pub action: String,
    /// Its `X-Amz-User-Agent` and `User-Agent`, as sent (at most 512 bytes): [`Exchange::client`]
    /// names the client when a page shows it, not on the request's path.
    pub user_agent: String,
    /// What the world answered.
    pub answer: Answer,
    /// The request body as it arrived (the first [`BODY_KEPT`] bytes), for Cognito, STS, IAM.
    pub body: String,
    /// Whether `body` is cut short.
    pub truncated: bool,
    /// For a token request: the server's issuer, the client id, the tokens issued.
    pub okta: Option<TokenExchange>,
}

/// What the world answered.
#[derive(Debug)]
pub enum Answer {
    /// Served.
    Accepted,
    /// Refused with AWS's or Okta's error type and message.
    Refused {
        /// `NotAuthorizedException`, `invalid_grant`.
        error_type: String,
        /// The message, word for word.
        message: String,
        /// AWS's log of the checks it made, when a token was refused.
        checks: Option<String>,
    },
}

impl Exchange {
    /// The client that sent it, from its user agent (`AWS SDK for JavaScript v3`).
    pub fn client(&self) -> String {
        client_of(&self.user_agent)
    }
}

impl Answer {
    /// `accepted` or `refused`.
    pub fn verdict(&self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Refused { .. } => "refused",
        }
    }
}

/// A token request's particulars.
#[derive(Debug)]
pub struct TokenExchange {
    /// The authorization server's issuer.
    pub issuer: String,
    /// The client as presented.
    pub client_id: Option<String>,
    /// The tokens issued, by name (`access_token`, `id_token`).
    pub tokens: Vec<(&'static str, String)>,
}

/// The ring of recent exchanges and the channel that pushes new ones to watching pages.
#[derive(Debug)]
pub struct Feed {
    ring: Mutex<Ring>,
    capacity: usize,
    pushed: broadcast::Sender<Arc<Exchange>>,
    clock: mock_okta::Clock,
}

#[derive(Debug, Default)]
struct Ring {
    /// Exchanges recorded since the start (the next id is one more).
    total: u64,
    items: VecDeque<Arc<Exchange>>,
}

impl Feed {
    /// A feed keeping the last `capacity` exchanges, timed by the world's clock.
    pub fn new(capacity: usize, clock: mock_okta::Clock) -> Self {
        let (pushed, _) = broadcast::channel(256);
        Self { ring: Mutex::new(Ring::default()), capacity: capacity.max(1), pushed, clock }
    }

    /// Records what `make` builds (from the time; the id is given here). The exchange is built,
    /// and the one it evicts dropped, outside the lock: only the push is serialised.
    fn record(&self, make: impl FnOnce(i64) -> Exchange) {
        let mut exchange = Arc::new(make(self.clock.now()));
        let evicted = {
            let mut ring = self.ring.lock().unwrap_or_else(|e| e.into_inner());
            ring.total += 1;
            if let Some(fresh) = Arc::get_mut(&mut exchange) {
                fresh.id = ring.total;
            }
            let evicted =
                if ring.items.len() == self.capacity { ring.items.pop_front() } else { None };
            ring.items.push_back(Arc::clone(&exchange));
            evicted
        };
        drop(evicted);
        // Nobody watching is the usual case under load: nothing more to do.
        if self.pushed.receiver_count() > 0 {
            self.pushed.send(exchange).ok();
        }
    }

    /// The exchanges held, newest first.
    pub fn recent(&self) -> Vec<Arc<Exchange>> {
        let ring = self.ring.lock().unwrap_or_else(|e| e.into_inner());
        ring.items.iter().rev().cloned().collect()
    }

    /// Exchange `id`, if still held.
    pub fn get(&self, id: u64) -> Option<Arc<Exchange>> {
        let ring = self.ring.lock().unwrap_or_else(|e| e.into_inner());
        let oldest = ring.items.front()?.id;
        ring.items.get(usize::try_from(id.checked_sub(oldest)?).ok()?).cloned()
    }

    /// How many exchanges the feed holds now (never more than its capacity).
    pub fn len(&self) -> usize {
        self.ring.lock().unwrap_or_else(|e| e.into_inner()).items.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many exchanges were recorded since the world started.
    pub fn total(&self) -> u64 {
        self.ring.lock().unwrap_or_else(|e| e.into_inner()).total
    }

    /// How many it keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// New exchanges as they are recorded.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Exchange>> {
        self.pushed.subscribe()
    }
}

impl AwsObserver for Feed {
    fn observe(&self, seen: &Observed<'_>) {
        let kept = seen.body.get(..BODY_KEPT).unwrap_or(seen.body);
        self.record(|at| Exchange {
            id: 0,
            at,
            service: seen.service.as_str(),
            action: match (seen.service, seen.action) {
                (Service::CognitoIdentity, "") => "(no X-Amz-Target)".to_owned(),
                (_, "") => "(no Action)".to_owned(),
                (_, action) if action.len() <= 80 => action.to_owned(),
                (_, action) => action.chars().take(80).collect(),
            },
            user_agent: agent(seen.headers),
            answer: match seen.refusal {
                None => Answer::Accepted,
                Some(err) => Answer::Refused {
                    error_type: err.kind.as_str().to_owned(),
                    message: err.message.clone(),
                    checks: err.checks.clone(),
                },
            },
            body: text(kept),
            truncated: kept.len() < seen.body.len(),
            okta: None,
        });
    }
}

impl OktaObserver for Feed {
    fn issued(&self, seen: &Issued<'_>) {
        self.record(|at| {
            let (answer, tokens) = match &seen.outcome {
                Ok(tokens) => {
                    let mut issued = vec![("access_token", tokens.access_token.to_owned())];
                    if let Some(id_token) = tokens.id_token {
                        issued.push(("id_token", id_token.to_owned()));
                    }
                    (Answer::Accepted, issued)
                }
                Err(refused) => (
                    Answer::Refused {
                        error_type: refused.error.to_owned(),
                        message: refused.description.to_owned(),
                        checks: None,
                    },
                    Vec::new(),
                ),
            };
            let grant: String = seen.grant_type.chars().take(60).collect();
            Exchange {
                id: 0,
                at,
                service: "okta",
                action: format!(
                    "token: {}",
                    if grant.is_empty() { "(no grant_type)" } else { &grant }
                ),
                user_agent: agent(seen.headers),
                answer,
                body: String::new(),
                truncated: false,
                okta: Some(TokenExchange {
                    issuer: seen.issuer.to_owned(),
                    client_id: seen.client_id.map(|c| c.chars().take(200).collect()),
                    tokens,
                }),
            }
        });
    }
}

/// Bytes as text, invalid UTF-8 replaced; valid text (nearly always) is checked the fast way
/// (the lossy reader alone was a third of the feed's cost per request).
fn text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    push_text(&mut out, bytes);
    out
}

/// [`text`], appended to `out`.
fn push_text(out: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(text) => out.push_str(text),
        Err(_) => out.push_str(&String::from_utf8_lossy(bytes)),
    }
}

/// `X-Amz-User-Agent` and `User-Agent`, joined by a space, cut to 512 bytes (one allocation:
/// this runs on every request).
fn agent(headers: &HeaderMap) -> String {
    // Names as constants: a lookup by `&str` parses the name each time.
    const X_AMZ_USER_AGENT: http::HeaderName = http::HeaderName::from_static("x-amz-user-agent");
    let header = |name| headers.get(name).map(|v| v.as_bytes()).unwrap_or_default();
    let (amz, plain) = (header(X_AMZ_USER_AGENT), header(http::header::USER_AGENT));
    let mut agent = String::with_capacity(amz.len() + 1 + plain.len());
    push_text(&mut agent, amz);
    agent.push(' ');
    push_text(&mut agent, plain);
    let mut end = agent.len().min(512);
    while !agent.is_char_boundary(end) {
        end -= 1;
    }
    agent.truncate(end);
    agent
}

/// The client a request came from, named from `X-Amz-User-Agent` (what SDK v2 sends from a
/// browser, which keeps `User-Agent` to itself) or `User-Agent`, as the SDKs write them
/// (`aws-sdk-js/3.700.0 ua/2.1 …`, `Boto3/1.35 … Botocore/1.35`, `aws-cli/2.22 …`).
pub fn client_of(agent: &str) -> String {
    let lower = agent.to_ascii_lowercase();
    let browser = lower.contains("mozilla/");
    let named = [
        ("aws-cli/", "AWS CLI"),
        ("boto3/", "boto3"),
        ("botocore/", "botocore"),
        ("aws-sdk-rust/", "AWS SDK for Rust"),
        ("aws-sdk-java/", "AWS SDK for Java"),
        ("aws-sdk-go", "AWS SDK for Go"),
        ("aws-sdk-js/2.", "AWS SDK for JavaScript v2"),
        ("aws-sdk-js/3.", "AWS SDK for JavaScript v3"),
        ("aws-sdk-js/", "AWS SDK for JavaScript"),
        ("okta-auth-js", "okta-auth-js"),
        ("fedmock-load", "fedmock load"),
        ("curl/", "curl"),
        ("python-requests/", "Python requests"),
        ("node", "Node.js"),
    ];
    let name = named.iter().find(|(mark, _)| lower.contains(mark)).map(|(_, name)| *name);
    match (name, browser) {
        (Some(name), true) => format!("{name} in a browser"),
        (Some(name), false) => name.to_owned(),
        (None, true) => "a browser".to_owned(),
        (None, false) if agent.trim().is_empty() => "unknown (no user agent)".to_owned(),
        (None, false) => agent.trim().chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn clients_are_named_from_their_user_agents() {
        let named = |pairs: &[(&'static str, &'static str)]| {
            let mut headers = HeaderMap::new();
            for (name, value) in pairs {
                headers.insert(*name, HeaderValue::from_static(value));
            }
            client_of(&agent(&headers))
        };
        assert_eq!(
            named(&[("user-agent", "aws-sdk-js/3.723.0 ua/2.1 os/linux lang/js md/nodejs#22")]),
            "AWS SDK for JavaScript v3"
        );
        assert_eq!(
            named(&[
                ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/148"),
                ("x-amz-user-agent", "aws-sdk-js/2.1692.0 promise")
            ]),
            "AWS SDK for JavaScript v2 in a browser"
        );
        assert_eq!(named(&[("user-agent", "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0")]), "boto3");
        assert_eq!(named(&[]), "unknown (no user agent)");
    }

    #[test]
    fn the_ring_keeps_the_newest_and_finds_them_by_id() {
        let feed = Feed::new(3, mock_okta::Clock::system());
        for _ in 0..5 {
            feed.record(|at| Exchange {
                id: 0,
                at,
                service: "sts",
                action: "GetCallerIdentity".into(),
                user_agent: "curl/8".into(),
                answer: Answer::Accepted,
                body: String::new(),
                truncated: false,
                okta: None,
            });
        }
        assert_eq!((feed.len(), feed.total()), (3, 5));
        let ids: Vec<u64> = feed.recent().iter().map(|e| e.id).collect();
        assert_eq!(ids, [5, 4, 3]);
        assert_eq!(feed.get(4).map(|e| e.id), Some(4));
        assert!(feed.get(2).is_none() && feed.get(6).is_none() && feed.get(0).is_none());
    }
}
