//! The account's state: IAM OIDC providers, identity pools, identities, and issued
//! credentials' clock.
//!
//! Config is validated once here. Identity ids are a pure function of (pool, provider, sub)
//! (a name-based UUID), so separate mock-cognito processes hand the same user the same id
//! without sharing anything; the in-memory table only records links and unauthenticated ids.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, RwLock};

use uuid::Uuid;

use crate::Clock;
use crate::config::{CognitoConfig, IdentityPoolConfig};
use crate::error::{AwsError, Error};
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
    /// Settings only the administrative API sets (stored and echoed).
    pub extras: crate::pools::PoolExtras,
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
    /// `Path`.
    pub path: String,
    /// Epoch seconds.
    pub created: i64,
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
    /// Epoch seconds.
    pub created: i64,
    /// Epoch seconds.
    pub modified: i64,
    /// Merged into another identity (or left without logins by `UnlinkIdentity`).
    pub disabled: bool,
    /// Developer user identifiers linked to it (developer-authenticated identities).
    pub developer_ids: std::collections::BTreeSet<String>,
}

impl Identity {
    fn new(pool_id: &str, now: i64) -> Self {
        Self {
            pool_id: pool_id.to_owned(),
            logins: BTreeMap::new(),
            created: now,
            modified: now,
            disabled: false,
            developer_ids: std::collections::BTreeSet::new(),
        }
    }
}

#[derive(Debug, Default)]
struct Identities {
    by_id: HashMap<String, Identity>,
    by_login: HashMap<(String, String, String), String>,
    /// (pool, developer user identifier) → identity.
    by_developer_id: HashMap<(String, String), String>,
}

/// The account's IAM OIDC providers, roles and identity pools: what the config sets up and
/// the administrative APIs change.
#[derive(Clone, Debug, Default)]
pub(crate) struct World {
    pub providers: HashMap<String, Provider>,
    pub pools: BTreeMap<String, Pool>,
    pub roles: HashMap<String, Role>,
}

impl World {
    /// Adds an IAM OIDC provider; its name is the URL without the scheme.
    pub fn add_provider(
        &mut self,
        account_id: &str,
        p: crate::config::OidcProviderConfig,
    ) -> Result<Provider, String> {
        if !(p.url.starts_with("https://") || p.url.starts_with("http://")) {
            return Err(format!(
                "OIDC provider URL {:?} must start with https:// (or http:// for a local issuer)",
                p.url
            ));
        }
        let name = strip_scheme(&p.url).to_owned();
        let arn = format!("arn:aws:iam::{account_id}:oidc-provider/{name}");
        let provider = Provider {
            url: p.url.clone(),
            name: name.clone(),
            arn,
            client_ids: p.client_ids,
            thumbprints: Vec::new(),
            created: 0,
        };
        if self.providers.contains_key(&name) {
            return Err(format!("OIDC provider {:?} is defined twice", p.url));
        }
        self.providers.insert(name, provider.clone());
        Ok(provider)
    }

    /// Adds a role; a trust policy given as JSON text is parsed.
    pub fn add_role(
        &mut self,
        account_id: &str,
        r: crate::config::RoleConfig,
    ) -> Result<Role, String> {
        let trust_policy = match r.trust_policy {
            // A policy pasted as the JSON text AWS shows.
            serde_json::Value::String(text) => serde_json::from_str(&text)
                .map_err(|e| format!("role {:?}: trust_policy is not JSON: {e}", r.name))?,
            table => table,
        };
        let arn = format!("arn:aws:iam::{account_id}:role/{}", r.name);
        let role = Role {
            name: r.name,
            arn: arn.clone(),
            trust_policy,
            path: "/".to_owned(),
            created: 0,
            max_session_duration_secs: r.max_session_duration_secs,
        };
        if self.roles.contains_key(&arn) {
            return Err(format!("role {arn:?} is defined twice"));
        }
        self.roles.insert(arn, role.clone());
        Ok(role)
    }

    /// Checks a pool against the account (its providers and roles must exist) and builds it.
    pub fn build_pool(
        &self,
        account_id: &str,
        region: &str,
        p: IdentityPoolConfig,
    ) -> Result<Pool, String> {
        let id = p.pool_id(account_id, region);
        if !is_region_guid(&id) || !id.starts_with(&format!("{region}:")) {
            return Err(format!("identity pool id {id:?} must be {region}:<guid>"));
        }
        let mut trusted = Vec::new();
        for reference in &p.open_id_connect_providers {
            let found =
                self.providers.values().find(|pr| &pr.arn == reference || &pr.url == reference);
            let Some(provider) = found else {
                return Err(format!(
                    "identity pool {id:?} trusts {reference:?}, which is not among oidc_providers"
                ));
            };
            trusted.push(provider.name.clone());
        }
        let mut role_mappings = BTreeMap::new();
        for (key, mapping) in p.role_mappings {
            let provider = self
                .providers
                .values()
                .find(|pr| [&pr.url, &pr.arn, &pr.name].contains(&&key) && trusted.contains(&pr.name))
                .ok_or_else(|| format!("{key} is not a valid RoleMapping ProviderName or is not a configured provider."))?;
            if mapping.rules.len() > crate::roles::MAX_RULES {
                return Err(format!(
                    "identity pool {id:?}: at most {} rules per provider",
                    crate::roles::MAX_RULES
                ));
            }
            role_mappings.insert(provider.name.clone(), mapping);
        }
        let mapped_roles = role_mappings.values().flat_map(|m| m.rules.iter().map(|r| &r.role_arn));
        let pool_roles =
            [&p.authenticated_role_arn, &p.unauthenticated_role_arn].into_iter().flatten();
        for arn in pool_roles.chain(mapped_roles) {
            if !self.roles.contains_key(arn) {
                return Err(format!(
                    "identity pool {id:?} uses role {arn:?}, which is not among roles"
                ));
            }
        }
        Ok(Pool {
            id,
            name: p.name,
            allow_unauthenticated: p.allow_unauthenticated_identities,
            allow_classic_flow: p.allow_classic_flow,
            providers: trusted,
            authenticated_role_arn: p.authenticated_role_arn,
            unauthenticated_role_arn: p.unauthenticated_role_arn,
            role_mappings,
                        extras: crate::pools::PoolExtras {
                developer_provider_name: p.developer_provider_name,
                supported_login_providers: p.supported_login_providers,
                cognito_identity_providers: p
                    .cognito_identity_providers
                    .into_iter()
                    .map(|u| serde_json::json!({"ProviderName": u.provider_name, "ClientId": u.client_id, "ServerSideTokenCheck": false}))
                    .collect(),
                ..Default::default()
            },
        })
    }
}

/// Everything mock-cognito serves, shared by all requests.
#[derive(Debug)]
pub struct CognitoState {
    /// The account id.
    pub account_id: String,
    /// The endpoint's region.
    pub region: String,
    world: RwLock<World>,
    identities: Mutex<Identities>,
    pub(crate) credentials: crate::credentials::Registry,
    pub(crate) cognito_key: crate::openid::LazyKey,
    /// The URL clients use for this endpoint, if configured.
    pub endpoint_url: Option<String>,
    access_keys: HashMap<String, String>,
    /// Whether signed actions need a valid signature.
    pub require_signatures: bool,
    /// Whether IAM accepts http issuers and ports.
    pub allow_http_issuers: bool,
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
        let mut world = World::default();
        for p in config.oidc_providers {
            world.add_provider(&config.account_id, p).map_err(bad)?;
        }
        for r in config.roles {
            world.add_role(&config.account_id, r).map_err(bad)?;
        }
        for p in config.identity_pools {
            let pool = world.build_pool(&config.account_id, &config.region, p).map_err(bad)?;
            if world.pools.contains_key(&pool.id) {
                return Err(bad(format!("identity pool {:?} is defined twice", pool.id)));
            }
            world.pools.insert(pool.id.clone(), pool);
        }
        if config.key_cache_seconds < 0 {
            return Err(bad(format!(
                "key_cache_seconds must be 0 or more, got {}",
                config.key_cache_seconds
            )));
        }
        let mut jwks = JwksCache::new(clock.clone())
            .with_ttl(config.key_cache_seconds)
            .with_issuer_urls(config.issuer_urls);
        if let Some(pem) = &config.trusted_ca_pem {
            let ca = reqwest::Certificate::from_pem(pem.as_bytes())
                .map_err(|e| bad(format!("trusted_ca_pem is not a PEM certificate: {e}")))?;
            jwks = jwks.with_trusted_ca(ca);
        }
        Ok(Self {
            account_id: config.account_id,
            region: config.region,
            world: RwLock::new(world),
            identities: Mutex::default(),
            credentials: crate::credentials::Registry::default(),
            cognito_key: crate::openid::LazyKey::default(),
            endpoint_url: config.endpoint_url,
            access_keys: config
                .access_keys
                .into_iter()
                .map(|k| (k.access_key_id, k.secret_access_key))
                .collect(),
            require_signatures: config.require_signatures,
            allow_http_issuers: config.allow_http_issuers,
            jwks,
            clock,
        })
    }

    fn world(&self) -> std::sync::RwLockReadGuard<'_, World> {
        self.world.read().expect("world lock")
    }

    /// Changes the world under its write lock.
    pub(crate) fn change<T>(&self, edit: impl FnOnce(&mut World) -> T) -> T {
        edit(&mut self.world.write().expect("world lock"))
    }

    /// A role by ARN.
    pub fn role(&self, arn: &str) -> Option<Role> {
        self.world().roles.get(arn).cloned()
    }

    /// Whom credentials with `access_key_id` were issued to (role, identity, session).
    pub fn credentials_owner(&self, access_key_id: &str) -> Option<crate::credentials::Owner> {
        self.credentials.owner(access_key_id)
    }

    /// Verifies the SigV4 signature of a signed action for `service` (unless signatures are
    /// switched off): world developer keys and issued temporary credentials can sign.
    /// Returns the signer's access key (`None` when signatures are switched off).
    pub(crate) fn authenticate(
        &self,
        request: crate::sigv4::SignedRequest<'_>,
        service: &str,
    ) -> Result<Option<String>, crate::AwsError> {
        if !self.require_signatures {
            return Ok(None);
        }
        // IAM is a global service: its credential scope is always us-east-1.
        let region = if service == "iam" { "us-east-1" } else { &self.region };
        crate::sigv4::verify(request, service, region, |key| match self.access_keys.get(key) {
            Some(secret) => Some((secret.clone(), None)),
            None => self.credentials.secret(key).map(|(secret, token)| (secret, Some(token))),
        })
        .map(|signer| Some(signer.access_key_id))
    }

    /// All IAM OIDC providers.
    pub fn providers(&self) -> Vec<Provider> {
        self.world().providers.values().cloned().collect()
    }

    /// A pool by id.
    pub fn pool(&self, id: &str) -> Option<Pool> {
        self.world().pools.get(id).cloned()
    }

    /// All pools, by id.
    pub fn pools(&self) -> Vec<Pool> {
        self.world().pools.values().cloned().collect()
    }

    /// An IAM OIDC provider by name (URL without scheme).
    pub fn provider(&self, name: &str) -> Option<Provider> {
        self.world().providers.get(name).cloned()
    }

    /// The provider named `name` if `pool` trusts it, else the names it does trust.
    ///
    /// Besides its IAM OIDC providers, a pool trusts the user pools of its
    /// `CognitoIdentityProviders` (`cognito-idp.<region>.amazonaws.com/<id>`, tokens' `aud` =
    /// one of their client ids) and the public providers of its `SupportedLoginProviders`
    /// (`accounts.google.com`, …, `aud` = the app id). All are verified the same way: issuer,
    /// JWKS by discovery, audience, expiry.
    pub fn trusted_provider(&self, pool: &Pool, name: &str) -> Result<Provider, Vec<String>> {
        if let Some(p) = self.world().providers.get(name)
            && pool.providers.iter().any(|n| n == name)
        {
            return Ok(p.clone());
        }
        let issuer = |client_ids: Vec<String>| Provider {
            url: format!("https://{name}"),
            name: name.to_owned(),
            arn: String::new(),
            client_ids,
            thumbprints: Vec::new(),
            created: 0,
        };
        let user_pool_clients: Vec<String> = pool
            .extras
            .cognito_identity_providers
            .iter()
            .filter(|p| p.get("ProviderName").and_then(serde_json::Value::as_str) == Some(name))
            .filter_map(|p| {
                p.get("ClientId").and_then(serde_json::Value::as_str).map(str::to_owned)
            })
            .collect();
        if !user_pool_clients.is_empty() {
            return Ok(issuer(user_pool_clients));
        }
        if let Some(app_id) = pool.extras.supported_login_providers.get(name) {
            return Ok(issuer(vec![app_id.clone()]));
        }
        let mut trusted = pool.providers.clone();
        trusted.extend(pool.extras.supported_login_providers.keys().cloned());
        trusted.extend(
            pool.extras
                .cognito_identity_providers
                .iter()
                .filter_map(|p| p.get("ProviderName")?.as_str().map(str::to_owned)),
        );
        Err(trusted)
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

    /// Forgets every identity of a deleted pool.
    pub(crate) fn forget_identities_of(&self, pool_id: &str) {
        let mut table = self.identities.lock().expect("identity table lock");
        table.by_id.retain(|_, identity| identity.pool_id != pool_id);
        table.by_login.retain(|(pool, _, _), _| pool != pool_id);
        table.by_developer_id.retain(|(pool, _), _| pool != pool_id);
    }

    /// Records a new unauthenticated identity and returns its (random) id.
    pub(crate) fn new_unauthenticated(&self, pool_id: &str) -> String {
        let id = format!("{}:{}", self.region, Uuid::new_v4());
        let identity = Identity::new(pool_id, self.clock.now());
        self.identities.lock().expect("identity table lock").by_id.insert(id.clone(), identity);
        id
    }

    /// Links `logins` (provider → sub) to one identity of `pool`: `target` if given, else the
    /// identity one of them already belongs to, else the id derived from the first login.
    /// Other identities the logins belong to are merged into it and disabled, as Cognito does.
    /// A second, different login of a provider the identity already has is a conflict.
    pub(crate) fn link(
        &self,
        pool_id: &str,
        logins: &[(String, String)],
        target: Option<&str>,
    ) -> Result<String, AwsError> {
        let now = self.clock.now();
        let mut table = self.identities.lock().expect("identity table lock");
        let key = |(provider, sub): &(String, String)| {
            (pool_id.to_owned(), provider.clone(), sub.clone())
        };
        let mut owners: Vec<String> = Vec::new();
        for login in logins {
            if let Some(owner) = table.by_login.get(&key(login))
                && !owners.contains(owner)
            {
                owners.push(owner.clone());
            }
        }
        let parent =
            target.map(str::to_owned).or_else(|| owners.first().cloned()).unwrap_or_else(|| {
                let (provider, sub) = &logins[0];
                self.identity_id_for(pool_id, provider, sub)
            });
        let mut merged: Vec<(String, String)> = logins.to_vec();
        for other in owners.iter().filter(|o| **o != parent) {
            if let Some(identity) = table.by_id.get_mut(other) {
                merged.extend(identity.logins.iter().map(|(p, s)| (p.clone(), s.clone())));
                identity.logins.clear();
                identity.disabled = true;
                identity.modified = now;
            }
        }
        let identity =
            table.by_id.entry(parent.clone()).or_insert_with(|| Identity::new(pool_id, now));
        for (provider, sub) in &merged {
            if identity.logins.get(provider).is_some_and(|linked| linked != sub) {
                // Type documented for this case; AWS's text is not published (inferred).
                return Err(AwsError::new(
                    crate::ErrorType::ResourceConflict,
                    format!(
                        "A different login for {provider} is already linked to identity {parent}."
                    ),
                ));
            }
        }
        for (provider, sub) in &merged {
            identity.logins.insert(provider.clone(), sub.clone());
        }
        identity.modified = now;
        identity.disabled = false;
        for login in &merged {
            table.by_login.insert(key(login), parent.clone());
        }
        Ok(parent)
    }

    /// The identity a developer user identifier belongs to in `pool_id`.
    pub fn developer_identity(&self, pool_id: &str, developer_id: &str) -> Option<String> {
        let table = self.identities.lock().expect("identity table lock");
        table.by_developer_id.get(&(pool_id.to_owned(), developer_id.to_owned())).cloned()
    }

    /// Links `developer_id` to `identity_id` (created if new). Fails if the identifier already
    /// belongs to another identity.
    pub(crate) fn link_developer(
        &self,
        pool_id: &str,
        developer_id: &str,
        identity_id: &str,
    ) -> Result<(), AwsError> {
        let now = self.clock.now();
        let mut table = self.identities.lock().expect("identity table lock");
        let key = (pool_id.to_owned(), developer_id.to_owned());
        if let Some(owner) = table.by_developer_id.get(&key)
            && owner != identity_id
        {
            // Type documented; text inferred.
            return Err(AwsError::new(
                crate::ErrorType::DeveloperUserAlreadyRegistered,
                format!(
                    "Developer user identifier {developer_id} is already registered with identity {owner}."
                ),
            ));
        }
        let identity = table
            .by_id
            .entry(identity_id.to_owned())
            .or_insert_with(|| Identity::new(pool_id, now));
        identity.developer_ids.insert(developer_id.to_owned());
        identity.modified = now;
        table.by_developer_id.insert(key, identity_id.to_owned());
        Ok(())
    }

    /// Moves every developer identifier of `source`'s identity to `destination`'s; the source
    /// identity is disabled. Returns the destination identity.
    pub(crate) fn merge_developer(
        &self,
        pool_id: &str,
        source: &str,
        destination: &str,
    ) -> Result<String, AwsError> {
        let now = self.clock.now();
        let mut table = self.identities.lock().expect("identity table lock");
        let find = |id: &str| (pool_id.to_owned(), id.to_owned());
        let not_found = |id: &str| {
            AwsError::new(
                crate::ErrorType::ResourceNotFound,
                format!("Developer user identifier {id} not found."),
            )
        };
        let from =
            table.by_developer_id.get(&find(source)).cloned().ok_or_else(|| not_found(source))?;
        let to = table
            .by_developer_id
            .get(&find(destination))
            .cloned()
            .ok_or_else(|| not_found(destination))?;
        if from == to {
            return Ok(to);
        }
        let moved = table.by_id.get_mut(&from).map(|i| {
            i.disabled = true;
            i.modified = now;
            std::mem::take(&mut i.developer_ids)
        });
        for id in moved.unwrap_or_default() {
            table.by_developer_id.insert(find(&id), to.clone());
            if let Some(target) = table.by_id.get_mut(&to) {
                target.developer_ids.insert(id);
                target.modified = now;
            }
        }
        Ok(to)
    }

    /// Removes a developer identifier from an identity.
    pub(crate) fn unlink_developer(
        &self,
        pool_id: &str,
        identity_id: &str,
        developer_id: &str,
    ) -> Result<(), AwsError> {
        let mut table = self.identities.lock().expect("identity table lock");
        let key = (pool_id.to_owned(), developer_id.to_owned());
        if table.by_developer_id.get(&key).map(String::as_str) != Some(identity_id) {
            // Type documented for a mismatch; text inferred.
            return Err(AwsError::new(
                crate::ErrorType::ResourceConflict,
                format!(
                    "Developer user identifier {developer_id} is not linked to identity {identity_id}."
                ),
            ));
        }
        table.by_developer_id.remove(&key);
        if let Some(identity) = table.by_id.get_mut(identity_id) {
            identity.developer_ids.remove(developer_id);
        }
        Ok(())
    }

    /// The identities of a pool, by id.
    pub fn identities_of(&self, pool_id: &str) -> Vec<(String, Identity)> {
        let table = self.identities.lock().expect("identity table lock");
        let mut all: Vec<(String, Identity)> = table
            .by_id
            .iter()
            .filter(|(_, i)| i.pool_id == pool_id)
            .map(|(id, i)| (id.clone(), i.clone()))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// Deletes an identity and its links; `false` if there was none.
    pub(crate) fn delete_identity(&self, id: &str) -> bool {
        let mut table = self.identities.lock().expect("identity table lock");
        table.by_login.retain(|_, owner| owner != id);
        table.by_developer_id.retain(|_, owner| owner != id);
        table.by_id.remove(id).is_some()
    }

    /// Removes the logins of `providers` from an identity; with none left it is disabled.
    pub(crate) fn unlink(&self, id: &str, providers: &[String]) {
        let now = self.clock.now();
        let mut table = self.identities.lock().expect("identity table lock");
        let Some(identity) = table.by_id.get_mut(id) else { return };
        let pool = identity.pool_id.clone();
        let removed: Vec<(String, String)> = providers
            .iter()
            .filter_map(|p| identity.logins.remove(p).map(|sub| (p.clone(), sub)))
            .collect();
        identity.modified = now;
        identity.disabled = identity.logins.is_empty();
        for (provider, sub) in removed {
            table.by_login.remove(&(pool.clone(), provider, sub));
        }
    }
}
