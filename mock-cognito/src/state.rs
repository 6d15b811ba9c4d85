//! The account's state: IAM OIDC providers, identity pools, identities, and issued
//! credentials' clock.
//!
//! Config is validated once here. Identity ids are a pure function of (pool, provider, sub)
//! (a name-based UUID), so separate mock-cognito processes hand the same user the same id
//! without sharing anything; the in-memory table only records links and unauthenticated ids.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use uuid::Uuid;

use crate::Clock;
use crate::config::CognitoConfig;
use crate::error::Error;
use crate::jwks::JwksCache;
use crate::roles::RoleMapping;
use crate::validate::is_region_guid;
use crate::verify::{Provider, strip_scheme};

/// The namespace of fedmock's name-based UUIDs (pool and identity ids).
pub(crate) const NAMESPACE: Uuid = Uuid::from_u128(0x6d0c_4f8e_9b1a_4c2e_8f3d_5e7a_1b9c_0d24);

/// An identity pool, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool {
    /// `REGION:GUID`.
    pub id: String,
    /// `IdentityPoolName`.
    pub name: String,
    /// `AllowUnauthenticatedIdentities`.
    pub allow_unauthenticated: bool,
    /// `AllowClassicFlow`.
    pub allow_classic_flow: bool,
    /// Names (`Logins` keys) of the OIDC providers the pool trusts.
    pub providers: Vec<String>,
    /// Role for authenticated identities.
    pub authenticated_role_arn: Option<String>,
    /// Role for unauthenticated identities.
    pub unauthenticated_role_arn: Option<String>,
    /// Role mappings by provider name.
    pub role_mappings: BTreeMap<String, RoleMapping>,
}

/// An IAM role, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    /// The role name.
    pub name: String,
    /// `arn:aws:iam::<account>:role/<name>`.
    pub arn: String,
    /// The trust policy (`AssumeRolePolicyDocument`).
    pub trust_policy: serde_json::Value,
    /// Longest session STS grants, seconds.
    pub max_session_duration_secs: i64,
}

/// An identity: unauthenticated when it has no logins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The pool it belongs to.
    pub pool_id: String,
    /// Linked logins: provider name → `sub`.
    pub logins: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
struct Identities {
    by_id: HashMap<String, Identity>,
    by_login: HashMap<(String, String, String), String>,
}

/// Everything mock-cognito serves, shared by all requests.
#[derive(Debug)]
pub struct CognitoState {
    /// The account id.
    pub account_id: String,
    /// The endpoint's region.
    pub region: String,
    providers: HashMap<String, Provider>,
    pools: HashMap<String, Pool>,
    roles: HashMap<String, Role>,
    identities: Mutex<Identities>,
    pub(crate) credentials: crate::credentials::Registry,
    pub(crate) cognito_key: crate::openid::LazyKey,
    /// The URL clients use for this endpoint, if configured.
    pub endpoint_url: Option<String>,
    pub(crate) jwks: JwksCache,
    /// The clock behind `exp` checks and credential expiry.
    pub clock: Clock,
}

impl CognitoState {
    /// Validates `config` into a running account.
    pub fn new(config: CognitoConfig, clock: Clock) -> Result<Self, Error> {
        let bad = |msg: String| Error::Config(msg);
        if config.account_id.len() != 12 || !config.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(format!("account_id must be 12 digits, got {:?}", config.account_id)));
        }
        if config.region.is_empty()
            || !config.region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(bad(format!("region {:?} is not a region name", config.region)));
        }
        let mut providers = HashMap::new();
        for p in config.oidc_providers {
            if !(p.url.starts_with("https://") || p.url.starts_with("http://")) {
                return Err(bad(format!(
                    "OIDC provider URL {:?} must start with https:// (or http:// for a local issuer)",
                    p.url
                )));
            }
            let name = strip_scheme(&p.url).to_owned();
            let arn = format!("arn:aws:iam::{}:oidc-provider/{name}", config.account_id);
            let provider =
                Provider { url: p.url.clone(), name: name.clone(), arn, client_ids: p.client_ids };
            if providers.insert(name, provider).is_some() {
                return Err(bad(format!("OIDC provider {:?} is defined twice", p.url)));
            }
        }
        let mut roles = HashMap::new();
        for r in config.roles {
            let trust_policy = match r.trust_policy {
                // A policy pasted as the JSON text AWS shows.
                serde_json::Value::String(text) => serde_json::from_str(&text).map_err(|e| {
                    bad(format!("role {:?}: trust_policy is not JSON: {e}", r.name))
                })?,
                table => table,
            };
            let arn = format!("arn:aws:iam::{}:role/{}", config.account_id, r.name);
            let role = Role {
                name: r.name,
                arn: arn.clone(),
                trust_policy,
                max_session_duration_secs: r.max_session_duration_secs,
            };
            if roles.insert(arn.clone(), role).is_some() {
                return Err(bad(format!("role {arn:?} is defined twice")));
            }
        }
        let mut pools = HashMap::new();
        for p in config.identity_pools {
            let id = p.pool_id(&config.account_id, &config.region);
            if !is_region_guid(&id) || !id.starts_with(&format!("{}:", config.region)) {
                return Err(bad(format!(
                    "identity pool id {id:?} must be {}:<guid>",
                    config.region
                )));
            }
            let mut trusted = Vec::new();
            for reference in &p.open_id_connect_providers {
                let found =
                    providers.values().find(|pr| &pr.arn == reference || &pr.url == reference);
                let Some(provider) = found else {
                    return Err(bad(format!(
                        "identity pool {id:?} trusts {reference:?}, which is not among oidc_providers"
                    )));
                };
                trusted.push(provider.name.clone());
            }
            let mut role_mappings = BTreeMap::new();
            for (key, mapping) in p.role_mappings {
                let provider = providers
                    .values()
                    .find(|pr| [&pr.url, &pr.arn, &pr.name].contains(&&key) && trusted.contains(&pr.name))
                    .ok_or_else(|| bad(format!("{key} is not a valid RoleMapping ProviderName or is not a configured provider.")))?;
                if mapping.rules.len() > crate::roles::MAX_RULES {
                    return Err(bad(format!(
                        "identity pool {id:?}: at most {} rules per provider",
                        crate::roles::MAX_RULES
                    )));
                }
                role_mappings.insert(provider.name.clone(), mapping);
            }
            let mapped_roles =
                role_mappings.values().flat_map(|m| m.rules.iter().map(|r| &r.role_arn));
            let pool_roles =
                [&p.authenticated_role_arn, &p.unauthenticated_role_arn].into_iter().flatten();
            for arn in pool_roles.chain(mapped_roles) {
                if !roles.contains_key(arn) {
                    return Err(bad(format!(
                        "identity pool {id:?} uses role {arn:?}, which is not among roles"
                    )));
                }
            }
            let pool = Pool {
                id: id.clone(),
                name: p.name,
                allow_unauthenticated: p.allow_unauthenticated_identities,
                allow_classic_flow: p.allow_classic_flow,
                providers: trusted,
                authenticated_role_arn: p.authenticated_role_arn,
                unauthenticated_role_arn: p.unauthenticated_role_arn,
                role_mappings,
            };
            if pools.insert(id.clone(), pool).is_some() {
                return Err(bad(format!("identity pool {id:?} is defined twice")));
            }
        }
        let mut jwks = JwksCache::new(clock.clone()).with_issuer_urls(config.issuer_urls);
        if let Some(pem) = &config.trusted_ca_pem {
            let ca = reqwest::Certificate::from_pem(pem.as_bytes())
                .map_err(|e| bad(format!("trusted_ca_pem is not a PEM certificate: {e}")))?;
            jwks = jwks.with_trusted_ca(ca);
        }
        Ok(Self {
            account_id: config.account_id,
            region: config.region,
            providers,
            pools,
            roles,
            identities: Mutex::default(),
            credentials: crate::credentials::Registry::default(),
            cognito_key: crate::openid::LazyKey::default(),
            endpoint_url: config.endpoint_url,
            jwks,
            clock,
        })
    }

    /// A role by ARN.
    pub fn role(&self, arn: &str) -> Option<&Role> {
        self.roles.get(arn)
    }

    /// Whom credentials with `access_key_id` were issued to (role, identity, session).
    pub fn credentials_owner(&self, access_key_id: &str) -> Option<crate::credentials::Owner> {
        self.credentials.owner(access_key_id)
    }

    /// All IAM OIDC providers.
    pub fn providers(&self) -> impl Iterator<Item = &Provider> {
        self.providers.values()
    }

    /// A pool by id.
    pub fn pool(&self, id: &str) -> Option<&Pool> {
        self.pools.get(id)
    }

    /// All pools.
    pub fn pools(&self) -> impl Iterator<Item = &Pool> {
        self.pools.values()
    }

    /// An IAM OIDC provider by name (URL without scheme).
    pub fn provider(&self, name: &str) -> Option<&Provider> {
        self.providers.get(name)
    }

    /// The provider named `name` if `pool` trusts it, else the names it does trust.
    pub(crate) fn trusted_provider(
        &self,
        pool: &Pool,
        name: &str,
    ) -> Result<&Provider, Vec<String>> {
        match self.providers.get(name) {
            Some(p) if pool.providers.iter().any(|n| n == name) => Ok(p),
            _ => Err(pool.providers.clone()),
        }
    }

    /// The id an identity of (pool, provider, sub) always gets.
    pub fn identity_id_for(&self, pool_id: &str, provider: &str, sub: &str) -> String {
        let name = format!("{pool_id}\n{provider}\n{sub}");
        format!("{}:{}", self.region, Uuid::new_v5(&NAMESPACE, name.as_bytes()))
    }

    /// A recorded identity.
    pub fn identity(&self, id: &str) -> Option<Identity> {
        self.identities.lock().expect("identity table lock").by_id.get(id).cloned()
    }

    /// Records a new unauthenticated identity and returns its (random) id.
    pub(crate) fn new_unauthenticated(&self, pool_id: &str) -> String {
        let id = format!("{}:{}", self.region, Uuid::new_v4());
        let identity = Identity { pool_id: pool_id.to_owned(), logins: BTreeMap::new() };
        self.identities.lock().expect("identity table lock").by_id.insert(id.clone(), identity);
        id
    }

    /// The identity that `logins` (provider → sub) belong to in `pool`, linking any that
    /// belong to none. With no login known, the identity is `target` if given, else the one
    /// derived from the first login.
    pub(crate) fn link(
        &self,
        pool_id: &str,
        logins: &[(String, String)],
        target: Option<&str>,
    ) -> String {
        let mut table = self.identities.lock().expect("identity table lock");
        let key = |(provider, sub): &(String, String)| {
            (pool_id.to_owned(), provider.clone(), sub.clone())
        };
        let known = logins.iter().find_map(|login| table.by_login.get(&key(login)).cloned());
        let id = known.or_else(|| target.map(str::to_owned)).unwrap_or_else(|| {
            let (provider, sub) = &logins[0];
            self.identity_id_for(pool_id, provider, sub)
        });
        let identity = table
            .by_id
            .entry(id.clone())
            .or_insert_with(|| Identity { pool_id: pool_id.to_owned(), logins: BTreeMap::new() });
        for (provider, sub) in logins {
            identity.logins.entry(provider.clone()).or_insert_with(|| sub.clone());
        }
        for login in logins {
            table.by_login.entry(key(login)).or_insert_with(|| id.clone());
        }
        id
    }
}
