//! Issuer signing keys, learned the way Cognito learns them: over HTTP, from
//! `{iss}/.well-known/openid-configuration` → `jwks_uri`.
//!
//! This is deliberately the only way mock-cognito gets keys, never a shortcut into
//! mock-okta's memory, so it behaves the same against any OIDC issuer.
//! Keys are cached per issuer for ten minutes of world time (Cognito "might return a
//! `NoKeyFound` error until this cache refreshes … about ten minutes", cognito.md §2.2), and
//! refetched at once when a token names a `kid` the cache does not hold. Concurrent misses
//! share one fetch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

use jsonwebtoken::DecodingKey;
use serde::Deserialize;

use crate::Clock;

/// How long fetched keys are trusted before a refetch, in world seconds.
pub const JWKS_TTL_SECS: i64 = 600;

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
}

/// A cache of issuers' public keys.
#[derive(Debug)]
pub struct JwksCache {
    http: OnceLock<reqwest::Client>,
    clock: Clock,
    issuers: Mutex<HashMap<String, Arc<IssuerKeys>>>,
}

#[derive(Debug, Default)]
struct IssuerKeys {
    current: RwLock<Option<Arc<Snapshot>>>,
    refresh: tokio::sync::Mutex<()>,
}

struct Snapshot {
    fetched_at: i64,
    jwks_uri: String,
    keys: Vec<(Option<String>, Arc<DecodingKey>)>,
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
    fn lookup(&self, kid: Option<&str>) -> Vec<Arc<DecodingKey>> {
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
        Self { http: OnceLock::new(), clock, issuers: Mutex::new(HashMap::new()) }
    }

    /// The RSA keys that may have signed a token from `issuer` with header `kid`.
    pub async fn keys(
        &self,
        issuer: &str,
        kid: Option<&str>,
    ) -> Result<Vec<Arc<DecodingKey>>, JwksError> {
        let entry = {
            let mut issuers = self.issuers.lock().expect("JWKS cache lock");
            Arc::clone(issuers.entry(issuer.to_owned()).or_default())
        };
        let seen = entry.current.read().expect("JWKS snapshot lock").clone();
        if let Some(snapshot) = &seen
            && self.clock.now() - snapshot.fetched_at < JWKS_TTL_SECS
        {
            let keys = snapshot.lookup(kid);
            if !keys.is_empty() {
                return Ok(keys);
            }
        }
        let _refreshing = entry.refresh.lock().await;
        // Another request may have refetched while this one waited: use its result.
        let latest = entry.current.read().expect("JWKS snapshot lock").clone();
        let refreshed_meanwhile = match (&seen, &latest) {
            (Some(a), Some(b)) => !Arc::ptr_eq(a, b),
            (None, Some(_)) => true,
            _ => false,
        };
        let snapshot = match latest {
            Some(snapshot) if refreshed_meanwhile => snapshot,
            _ => {
                let fresh = Arc::new(self.fetch(issuer).await?);
                *entry.current.write().expect("JWKS snapshot lock") = Some(Arc::clone(&fresh));
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
        Ok(keys)
    }

    fn http(&self) -> &reqwest::Client {
        // Built on first use: loading TLS roots is start-up work that can wait.
        self.http.get_or_init(|| {
            reqwest::Client::builder()
                .no_proxy()
                .connect_timeout(Duration::from_secs(2))
                .timeout(Duration::from_secs(5))
                .build()
                .expect("an HTTP client with default TLS settings builds")
        })
    }

    async fn fetch(&self, issuer: &str) -> Result<Snapshot, JwksError> {
        let discovery_url = format!("{issuer}/.well-known/openid-configuration");
        let discovery: Discovery = self.get_json(&discovery_url).await?;
        let jwks: Jwks = self.get_json(&discovery.jwks_uri).await?;
        let keys = jwks
            .keys
            .into_iter()
            .filter(|k| k.kty == "RSA" && k.usage.as_deref().is_none_or(|u| u == "sig"))
            .filter_map(|k| {
                let key =
                    DecodingKey::from_rsa_components(k.n.as_deref()?, k.e.as_deref()?).ok()?;
                Some((k.kid, Arc::new(key)))
            })
            .collect();
        tracing::debug!(issuer, jwks_uri = %discovery.jwks_uri, "fetched issuer keys");
        Ok(Snapshot { fetched_at: self.clock.now(), jwks_uri: discovery.jwks_uri, keys })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, JwksError> {
        let fail = |what: String| JwksError::Unreachable(format!("GET {url}: {what}"));
        let response = self.http().get(url).send().await.map_err(|e| fail(e.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(fail(format!("HTTP {status}")));
        }
        let body = response.bytes().await.map_err(|e| fail(e.to_string()))?;
        serde_json::from_slice(&body).map_err(|e| fail(format!("not the expected JSON: {e}")))
    }
}
