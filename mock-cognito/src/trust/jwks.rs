//! Issuer signing keys, learned the way Cognito learns them: over HTTP, from
//! `{iss}/.well-known/openid-configuration` → `jwks_uri`.
//!
//! This is deliberately the only way mock-cognito gets keys, never a shortcut into
//! mock-okta's memory, so it behaves the same against any OIDC issuer.
//! Keys are cached per issuer for ten minutes of world time, and a `kid` the cache does not
//! hold is refused until then, not refetched: the AWS docs say identity pools "might return a
//! `NoKeyFound` error until this cache refreshes … wait about ten minutes" after a key
//! rotation (docs/reference/cognito.md §2.2). The mock takes the strict reading, so a rotation that works
//! against it also survives the real cache. Concurrent misses share one fetch.
//!
//! The cache also remembers the tokens it has read, keyed by their exact bytes: their parsed
//! header and claims, and the very key that verified their signature. A token sent again
//! (GetId then GetCredentialsForIdentity, a client's retries, a load test's reuse) is then
//! neither decoded nor put through the RSA operation, which were most of a call's cost; it is
//! verified again as soon as the keys are refetched, and every other check (issuer, provider,
//! audience, expiry, subject) still runs on each call. It holds at most [`SEEN_CAPACITY`]
//! tokens of up to [`SEEN_TOKEN_MAX`] bytes, so memory stays flat whatever is sent.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::token::{self, Jwt};

use crate::Clock;
use crate::account::JWKS_TTL_SECS;
use crate::fetch::HttpClient;

/// Why keys for a token could not be found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwksError {
    /// The discovery document or JWKS could not be fetched or read.
    #[error("{0}")]
    Unreachable(String),
    /// The JWKS does not hold the token's `kid`, even after a refetch.
    #[error("no key with kid {kid:?} in {jwks_uri}")]
    NoKey {
        /// The `kid` the token names.
        kid: String,
        /// Where the keys were read.
        jwks_uri: String,
    },
    /// The cached keys (fetched less than ten minutes ago) do not hold the token's `kid`.
    #[error("no key with kid {kid:?} in the keys cached from {jwks_uri} until {refresh_at}")]
    NotCachedYet {
        /// The `kid` the token names.
        kid: String,
        /// Where the cached keys were read.
        jwks_uri: String,
        /// The world time (epoch seconds) from which the keys are fetched again.
        refresh_at: i64,
    },
}

/// How many tokens the cache remembers (about 2 KB each).
pub const SEEN_CAPACITY: usize = 2048;

/// The longest token remembered; longer ones are read on each call.
pub const SEEN_TOKEN_MAX: usize = 16 * 1024;

/// A token read before.
#[derive(Debug)]
struct Seen {
    header: Arc<Map<String, Value>>,
    claims: Arc<Map<String, Value>>,
    /// The key that verified its signature, if one has, and the fetch it came from.
    verified_by: Option<(Arc<ParsedPublicKey>, Source)>,
}

/// The fetch of an issuer's keys that a set of keys came from.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    issuer: Arc<IssuerKeys>,
    /// The issuer's [`IssuerKeys::generation`] then.
    generation: u64,
    fetched_at: i64,
}

/// The RSA keys that may have signed a token, and where they came from.
#[derive(Debug)]
pub struct Keys {
    keys: Vec<Arc<ParsedPublicKey>>,
    source: Source,
}

impl std::ops::Deref for Keys {
    type Target = [Arc<ParsedPublicKey>];

    fn deref(&self) -> &Self::Target {
        &self.keys
    }
}

/// A cache of issuers' public keys.
#[derive(Debug)]
pub struct JwksCache {
    http: OnceLock<HttpClient>,
    /// Keyed by the whole token, hashed with foldhash: SipHash over ~1 KB was a fifth of a
    /// cached token's cost. foldhash is seeded at random per map and this one never holds more
    /// than [`SEEN_CAPACITY`] tokens, so even crafted collisions cost a bounded scan.
    seen: Mutex<HashMap<Box<str>, Seen, foldhash::fast::RandomState>>,
    clock: Clock,
    ttl: i64,
    issuers: Mutex<HashMap<String, Arc<IssuerKeys>>>,
    issuer_urls: BTreeMap<String, String>,
    trusted_ca: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct IssuerKeys {
    current: RwLock<Option<Arc<Snapshot>>>,
    /// How many times `current` was replaced (changed under its write lock): a key verified
    /// under this generation, within the TTL of its fetch, is a key `current` still holds.
    generation: AtomicU64,
    refresh: tokio::sync::Mutex<()>,
}

impl IssuerKeys {
    /// The current snapshot and its generation, read together.
    fn current(&self) -> (Option<Arc<Snapshot>>, u64) {
        let current = self.current.read().expect("JWKS snapshot lock");
        (current.clone(), self.generation.load(Ordering::Acquire))
    }
}

struct Snapshot {
    fetched_at: i64,
    jwks_uri: String,
    keys: Vec<(Option<String>, Arc<ParsedPublicKey>)>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("jwks_uri", &self.jwks_uri)
            .field("keys", &self.keys.len())
            .finish()
    }
}

impl Snapshot {
    /// The key for `kid`; with no `kid`, every key (the token then must verify with one).
    fn lookup(&self, kid: Option<&str>) -> Vec<Arc<ParsedPublicKey>> {
        self.keys
            .iter()
            .filter(|(k, _)| kid.is_none() || k.as_deref() == kid)
            .map(|(_, key)| Arc::clone(key))
            .collect()
    }
}

#[derive(Deserialize)]
struct Discovery {
    jwks_uri: String,
}

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    kid: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

impl JwksCache {
    /// An empty cache whose freshness follows `clock`.
    pub fn new(clock: Clock) -> Self {
        Self {
            http: OnceLock::new(),
            seen: Mutex::new(HashMap::default()),
            clock,
            ttl: JWKS_TTL_SECS,
            issuers: Mutex::new(HashMap::new()),
            issuer_urls: BTreeMap::new(),
            trusted_ca: None,
        }
    }

    /// Fetches discovery for the issuers in `issuer_urls` from where they are really served.
    pub fn with_issuer_urls(mut self, issuer_urls: BTreeMap<String, String>) -> Self {
        self.issuer_urls = issuer_urls;
        self
    }

    /// Keeps fetched keys for `secs` world seconds instead of [`JWKS_TTL_SECS`].
    pub fn with_ttl(mut self, secs: i64) -> Self {
        self.ttl = secs;
        self
    }

    /// Trusts `ca` (on top of the system roots) for every fetch.
    pub fn with_trusted_ca(mut self, ca_pem: String) -> Self {
        self.trusted_ca = Some(ca_pem);
        self
    }

    /// The RSA keys that may have signed a token from `issuer` with header `kid`.
    pub async fn keys(&self, issuer: &str, kid: Option<&str>) -> Result<Keys, JwksError> {
        let entry = {
            let mut issuers = self.issuers.lock().expect("JWKS cache lock");
            match issuers.get(issuer) {
                Some(entry) => Arc::clone(entry),
                None => Arc::clone(issuers.entry(issuer.to_owned()).or_default()),
            }
        };
        let (seen, generation) = entry.current();
        if let Some(snapshot) = &seen
            && self.clock.now() - snapshot.fetched_at < self.ttl
        {
            let keys = snapshot.lookup(kid);
            if keys.is_empty() {
                return Err(JwksError::NotCachedYet {
                    kid: kid.unwrap_or("(none)").to_owned(),
                    jwks_uri: snapshot.jwks_uri.clone(),
                    refresh_at: snapshot.fetched_at + self.ttl,
                });
            }
            let source = Source { issuer: entry, generation, fetched_at: snapshot.fetched_at };
            return Ok(Keys { keys, source });
        }
        let _refreshing = entry.refresh.lock().await;
        // Another request may have refetched while this one waited: use its result.
        let (latest, mut generation) = entry.current();
        let refreshed_meanwhile = match (&seen, &latest) {
            (Some(a), Some(b)) => !Arc::ptr_eq(a, b),
            (None, Some(_)) => true,
            _ => false,
        };
        let snapshot = match latest {
            Some(snapshot) if refreshed_meanwhile => snapshot,
            _ => {
                let fresh = Arc::new(self.fetch(issuer).await?);
                let mut current = entry.current.write().expect("JWKS snapshot lock");
                *current = Some(Arc::clone(&fresh));
                generation = entry.generation.fetch_add(1, Ordering::AcqRel) + 1;
                drop(current);
                fresh
            }
        };
        let keys = snapshot.lookup(kid);
        if keys.is_empty() {
            return Err(JwksError::NoKey {
                kid: kid.unwrap_or("(none)").to_owned(),
                jwks_uri: snapshot.jwks_uri.clone(),
            });
        }
        let source =
            Source { issuer: Arc::clone(&entry), generation, fetched_at: snapshot.fetched_at };
        Ok(Keys { keys, source })
    }

    /// `token` read as a JWT (or why it is not one), from memory if it was read before.
    pub(crate) fn parse<'t>(&self, token: &'t str) -> Result<Jwt<'t>, String> {
        {
            let seen = self.seen.lock().expect("seen tokens lock");
            if let Some(s) = seen.get(token) {
                let verified_by = s.verified_by.as_ref();
                let fresh = verified_by.is_some_and(|(_, source)| self.still_current(source));
                let key = verified_by.map(|(key, _)| key);
                if let Some(jwt) = token::reread(token, &s.header, &s.claims, key, fresh) {
                    return Ok(jwt);
                }
            }
        }
        let jwt = token::parse(token)?;
        if token.len() <= SEEN_TOKEN_MAX {
            let mut seen = self.seen.lock().expect("seen tokens lock");
            if seen.len() >= SEEN_CAPACITY {
                // Dropping everything at once keeps this O(1) amortised and the memory
                // bounded; the next sight of each token pays one read and one verification.
                seen.clear();
            }
            let entry = Seen {
                header: Arc::clone(&jwt.header),
                claims: Arc::clone(&jwt.claims),
                verified_by: None,
            };
            seen.insert(token.into(), entry);
        }
        Ok(jwt)
    }

    /// Whether the fetch `source` names is still the issuer's current one and fresh: then the
    /// keys [`JwksCache::keys`] would return are that fetch's, and a token one of them verified
    /// needs neither the lookup nor the RSA operation. A read-only atomic load (no lock):
    /// the issuer map's mutex and the key lookup were ~2% of a cached token's call.
    fn still_current(&self, source: &Source) -> bool {
        source.issuer.generation.load(Ordering::Acquire) == source.generation
            && self.clock.now() - source.fetched_at < self.ttl
    }

    /// Whether one of `keys` (as [`JwksCache::keys`] returned them) has verified `jwt`, as
    /// [`JwksCache::parse`] found it.
    pub(crate) fn verified_before(jwt: &Jwt<'_>, keys: &[Arc<ParsedPublicKey>]) -> bool {
        // The entry holds the key itself, so a key of a later fetch never compares equal.
        jwt.verified_by.as_ref().is_some_and(|by| keys.iter().any(|key| Arc::ptr_eq(key, by)))
    }

    /// Remembers that `key`, one of `keys`, verified `token` (if the token is remembered).
    pub(crate) fn remember_verified(&self, token: &str, key: &Arc<ParsedPublicKey>, keys: &Keys) {
        let mut seen = self.seen.lock().expect("seen tokens lock");
        if let Some(entry) = seen.get_mut(token) {
            entry.verified_by = Some((Arc::clone(key), keys.source.clone()));
        }
    }

    fn http(&self) -> Result<&HttpClient, JwksError> {
        // Built on first use: loading TLS roots is start-up work that can wait.
        if let Some(client) = self.http.get() {
            return Ok(client);
        }
        let client = HttpClient::new(
            self.trusted_ca.as_deref(),
            Duration::from_secs(2),
            Duration::from_secs(5),
        )
        .map_err(JwksError::Unreachable)?;
        Ok(self.http.get_or_init(|| client))
    }

    async fn fetch(&self, issuer: &str) -> Result<Snapshot, JwksError> {
        let served_at = self.issuer_urls.get(issuer).map_or(issuer, String::as_str);
        let discovery_url = format!("{served_at}/.well-known/openid-configuration");
        let discovery: Discovery = self.get_json(&discovery_url).await?;
        let jwks: Jwks = self.get_json(&discovery.jwks_uri).await?;
        let keys = jwks
            .keys
            .into_iter()
            .filter(|k| k.kty == "RSA" && k.usage.as_deref().is_none_or(|u| u == "sig"))
            .filter_map(|k| {
                let (n, e) = (B64.decode(k.n.as_deref()?).ok()?, B64.decode(k.e.as_deref()?).ok()?);
                // Parsed once per fetch: each verification then skips the key parsing.
                let key = RsaPublicKeyComponents { n, e }
                    .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
                    .ok()?;
                Some((k.kid, Arc::new(key)))
            })
            .collect();
        tracing::debug!(issuer, jwks_uri = ?discovery.jwks_uri, "fetched issuer keys");
        Ok(Snapshot { fetched_at: self.clock.now(), jwks_uri: discovery.jwks_uri, keys })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, JwksError> {
        let fail = |what: String| JwksError::Unreachable(format!("GET {url}: {what}"));
        let answer = self.http()?.get(url).await.map_err(JwksError::Unreachable)?;
        if !answer.status.is_success() {
            return Err(fail(format!("HTTP {}", answer.status)));
        }
        serde_json::from_slice(&answer.body)
            .map_err(|e| fail(format!("not the expected JSON: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::Json;
    use axum::extract::State;
    use axum::routing::get;
    use serde_json::{Value, json};

    use super::*;

    /// A minimal OIDC issuer whose key set a test can change, counting JWKS fetches.
    #[derive(Default)]
    struct Issuer {
        kids: Mutex<Vec<&'static str>>,
        fetches: AtomicUsize,
    }

    async fn start_issuer() -> (String, Arc<Issuer>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let issuer = Arc::new(Issuer::default());
        let jwks_uri = format!("{base}/keys");
        let app = axum::Router::new()
            .route("/.well-known/openid-configuration", get(move || async move { Json(json!({ "jwks_uri": jwks_uri })) }))
            .route(
                "/keys",
                get(|State(issuer): State<Arc<Issuer>>| async move {
                    issuer.fetches.fetch_add(1, Ordering::SeqCst);
                    let kids = issuer.kids.lock().unwrap().clone();
                    let keys: Vec<Value> =
                        kids.iter().map(|kid| json!({"kty": "RSA", "kid": kid, "use": "sig", "n": "sXch", "e": "AQAB"})).collect();
                    Json(json!({ "keys": keys }))
                }),
            )
            .with_state(Arc::clone(&issuer));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (base, issuer)
    }

    #[tokio::test]
    async fn keys_are_cached_for_the_ttl_and_an_unknown_kid_waits_for_the_refresh() {
        let (iss, issuer) = start_issuer().await;
        *issuer.kids.lock().unwrap() = vec!["k1"];
        let now = Arc::new(std::sync::atomic::AtomicI64::new(1_000));
        let clock_now = Arc::clone(&now);
        let cache = JwksCache::new(Clock::from_fn(move || clock_now.load(Ordering::SeqCst)));
        let fetches = || issuer.fetches.load(Ordering::SeqCst);

        assert_eq!(cache.keys(&iss, Some("k1")).await.unwrap().len(), 1);
        assert_eq!(cache.keys(&iss, Some("k1")).await.unwrap().len(), 1);
        assert_eq!(fetches(), 1, "a known kid is served from the cache");

        *issuer.kids.lock().unwrap() = vec!["k1", "k2"];
        let err = cache.keys(&iss, Some("k2")).await.unwrap_err();
        assert_eq!(
            err,
            JwksError::NotCachedYet {
                kid: "k2".into(),
                jwks_uri: format!("{iss}/keys"),
                refresh_at: 1_000 + JWKS_TTL_SECS
            },
            "a rotated-in key is not seen before the cache refreshes"
        );
        now.fetch_add(JWKS_TTL_SECS - 1, Ordering::SeqCst);
        assert!(cache.keys(&iss, Some("k2")).await.is_err(), "one second before the refresh");
        assert_eq!(fetches(), 1, "an unknown kid does not refetch");

        now.fetch_add(1, Ordering::SeqCst);
        assert_eq!(cache.keys(&iss, Some("k2")).await.unwrap().len(), 1, "after the TTL");
        assert_eq!(fetches(), 2, "after the TTL the keys are fetched again");

        now.fetch_add(JWKS_TTL_SECS, Ordering::SeqCst);
        let err = cache.keys(&iss, Some("k9")).await.unwrap_err();
        assert_eq!(err, JwksError::NoKey { kid: "k9".into(), jwks_uri: format!("{iss}/keys") });
        assert_eq!(fetches(), 3);
        assert_eq!(
            cache.keys(&iss, None).await.unwrap().len(),
            2,
            "no kid: every key is a candidate"
        );
    }

    #[tokio::test]
    async fn a_verified_token_is_remembered_only_with_the_key_that_verified_it() {
        let (iss, issuer) = start_issuer().await;
        *issuer.kids.lock().unwrap() = vec!["k1"];
        let now = Arc::new(std::sync::atomic::AtomicI64::new(0));
        let clock_now = Arc::clone(&now);
        let cache = JwksCache::new(Clock::from_fn(move || clock_now.load(Ordering::SeqCst)));
        let keys = cache.keys(&iss, Some("k1")).await.unwrap();
        let (token, other) = ("e30.eyJzdWIiOiJhIn0.c2ln", "e30.eyJzdWIiOiJiIn0.c2ln");
        assert_eq!(cache.parse(token).unwrap().claims["sub"], "a");
        cache.remember_verified(other, &keys[0], &keys);
        let before = |t| JwksCache::verified_before(&cache.parse(t).unwrap(), &keys);
        assert!(!before(other), "a token never read is not remembered");
        assert!(!before(token));
        assert!(!cache.parse(token).unwrap().verified_fresh);
        cache.remember_verified(token, &keys[0], &keys);
        assert!(before(token));
        assert!(cache.parse(token).unwrap().verified_fresh, "verified by the current fetch");
        assert_eq!(cache.parse(token).unwrap().claims["sub"], "a", "read from memory");
        assert!(cache.parse("e30.!!!.c2ln").is_err(), "not a JWT, remembered or not");

        // The same kid, fetched again: a new key object, so the token is verified again.
        now.fetch_add(JWKS_TTL_SECS, Ordering::SeqCst);
        assert!(!cache.parse(token).unwrap().verified_fresh, "its fetch has expired");
        let refetched = cache.keys(&iss, Some("k1")).await.unwrap();
        assert!(!JwksCache::verified_before(&cache.parse(token).unwrap(), &refetched));
        // A world clock set back does not bring the replaced fetch back.
        now.store(0, Ordering::SeqCst);
        assert!(!cache.parse(token).unwrap().verified_fresh, "its fetch was replaced");

        // Bounded whatever is sent.
        for i in 0..(SEEN_CAPACITY + 10) {
            cache.parse(&format!("e30.e30.{i}")).unwrap();
        }
        assert!(cache.seen.lock().unwrap().len() <= SEEN_CAPACITY);
        let long = format!("e30.e30.{}", "A".repeat(SEEN_TOKEN_MAX));
        cache.parse(&long).unwrap();
        assert!(!cache.seen.lock().unwrap().contains_key(long.as_str()), "too long to keep");
    }

    #[tokio::test]
    async fn concurrent_misses_share_one_fetch() {
        let (iss, issuer) = start_issuer().await;
        *issuer.kids.lock().unwrap() = vec!["k1"];
        let cache = Arc::new(JwksCache::new(Clock::from_fn(|| 0)));
        let lookups: Vec<_> = (0..8)
            .map(|_| {
                let (cache, iss) = (Arc::clone(&cache), iss.clone());
                tokio::spawn(async move { cache.keys(&iss, Some("k1")).await.map(|k| k.len()) })
            })
            .collect();
        for lookup in lookups {
            assert_eq!(lookup.await.unwrap(), Ok(1));
        }
        assert_eq!(issuer.fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_unreachable_issuer_is_reported_not_panicked() {
        let cache = JwksCache::new(Clock::from_fn(|| 0));
        let err = cache.keys("http://127.0.0.1:9/nowhere", Some("k")).await.unwrap_err();
        assert!(
            matches!(&err, JwksError::Unreachable(why) if why.starts_with("GET http://127.0.0.1:9/nowhere/.well-known/openid-configuration")),
            "{err:?}"
        );
    }
}
