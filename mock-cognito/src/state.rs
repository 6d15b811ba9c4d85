//! The state one mock-cognito endpoint serves from: the account (`account/`), the caches the
//! token checks keep (`trust/`), and the switches of the world file, built and validated once
//! at start.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard};
use std::time::Duration;

use crate::Clock;
use crate::account::credentials::Sealer;
use crate::account::{
    CognitoConfig, Identities, Identity, Owner, Pool, Provider, Role, Standing, World,
};
use crate::error::{AwsError, Error};
use crate::fetch::HttpClient;
use crate::observe::{Observed, Observer};
use crate::texts;
use crate::trust::JwksCache;
use crate::trust::openid::LazyKey;
use crate::trust::sigv4::{self, SignedRequest};

/// Who signed a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// Nobody checked: signatures are switched off.
    Anyone,
    /// A developer (administrator) key of the world.
    Developer(String),
    /// Temporary credentials this endpoint issued, with whom they were issued to.
    Session(Box<Owner>),
}

impl Caller {
    /// The temporary credentials' owner, when they signed.
    pub fn session(&self) -> Option<&Owner> {
        match self {
            Caller::Session(owner) => Some(owner),
            Caller::Anyone | Caller::Developer(_) => None,
        }
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
    pub(crate) credentials: Sealer,
    pub(crate) cognito_key: LazyKey,
    /// The URL clients use for this endpoint, if configured.
    pub endpoint_url: Option<String>,
    access_keys: HashMap<String, String>,
    /// Whether signed actions need a valid signature.
    pub require_signatures: bool,
    /// Whether IAM accepts http issuers and ports.
    pub allow_http_issuers: bool,
    pub(crate) jwks: JwksCache,
    /// Seconds past `exp` still accepted (`token_leeway_seconds`; AWS: 0).
    pub token_leeway: i64,
    /// The clock behind `exp` checks and credential expiry.
    pub clock: Clock,
    /// Who is told of each request and its answer (the console), if anyone.
    observer: OnceLock<Arc<dyn Observer>>,
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
            world.pools.insert(pool.id.clone(), Arc::new(pool));
        }
        if config.token_leeway_seconds < 0 {
            return Err(bad(format!(
                "token_leeway_seconds must be 0 or more, got {}",
                config.token_leeway_seconds
            )));
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
            // Checked now, so a bad PEM fails the start rather than every fetch.
            HttpClient::new(Some(pem), Duration::from_secs(1), Duration::from_secs(1))
                .map_err(|e| bad(format!("trusted_ca_pem: {e}")))?;
            jwks = jwks.with_trusted_ca(pem.clone());
        }
        let cognito_key = LazyKey::new(config.openid_signing_key_pem.as_deref())
            .map_err(|e| bad(format!("openid_signing_key_pem: {e}")))?;
        Ok(Self {
            account_id: config.account_id,
            identities: Mutex::new(Identities::new(&config.region)),
            region: config.region,
            world: RwLock::new(world),
            credentials: Sealer::new(config.seed.as_deref()),
            cognito_key,
            endpoint_url: config.endpoint_url,
            access_keys: config
                .access_keys
                .into_iter()
                .map(|k| (k.access_key_id, k.secret_access_key))
                .collect(),
            require_signatures: config.require_signatures,
            allow_http_issuers: config.allow_http_issuers,
            jwks,
            token_leeway: config.token_leeway_seconds,
            clock,
            observer: OnceLock::new(),
        })
    }

    /// Cognito's checks of one `Logins` entry, all of them, as this endpoint makes them: the
    /// signature verified with the issuer's keys (fetched over HTTP on a miss, as AWS does).
    /// The console explains what arrived this way, so its report is the endpoint's to the
    /// letter; `explain::explain` is the offline form.
    pub async fn explain_login(
        &self,
        login: &crate::explain::Login<'_>,
    ) -> Vec<crate::explain::Check> {
        crate::trust::logins::check(login, crate::trust::logins::Keys::Fetched(&self.jwks), true)
            .await
            .checks
    }

    /// STS's checks of `AssumeRoleWithWebIdentity`, all of them, as this endpoint makes them.
    pub async fn explain_web_identity(
        &self,
        call: &crate::explain::WebIdentityCall<'_>,
    ) -> Vec<crate::explain::Check> {
        let keys = crate::trust::web_identity::Keys::Fetched {
            jwks: &self.jwks,
            cognito: &self.cognito_key,
            region: &self.region,
        };
        crate::trust::web_identity::check(call, keys, true).await.checks
    }

    /// Tells `observer` of every request from now on; `false` if one is already watching.
    pub fn set_observer(&self, observer: Arc<dyn Observer>) -> bool {
        self.observer.set(observer).is_ok()
    }

    /// Tells the observer, if there is one, of a request and its answer.
    pub(crate) fn observe(&self, seen: Observed<'_>) {
        if let Some(observer) = self.observer.get() {
            observer.observe(&seen);
        }
    }

    pub(crate) fn world(&self) -> RwLockReadGuard<'_, World> {
        self.world.read().expect("world lock")
    }

    /// Changes the world under its write lock.
    pub(crate) fn change<T>(&self, edit: impl FnOnce(&mut World) -> T) -> T {
        edit(&mut self.world.write().expect("world lock"))
    }

    /// A role by ARN.
    pub fn role(&self, arn: &str) -> Option<Arc<Role>> {
        self.world().roles.get(arn).cloned()
    }

    /// Whom the temporary credentials with this session token were issued to (role,
    /// identity, session): the token says so itself, sealed with this endpoint's keys.
    pub fn credentials_owner(&self, session_token: &str) -> Option<Owner> {
        self.credentials.open(session_token).map(|(_, owner)| owner)
    }

    /// Verifies the SigV4 signature of a signed action for `service` (unless signatures are
    /// switched off): world developer keys and issued temporary credentials (unexpired) can
    /// sign. Says who signed.
    pub(crate) fn authenticate(
        &self,
        request: SignedRequest<'_>,
        service: &str,
    ) -> Result<Caller, AwsError> {
        if !self.require_signatures {
            return Ok(Caller::Anyone);
        }
        // IAM is a global service: its credential scope is always us-east-1.
        let region = if service == "iam" { "us-east-1" } else { &self.region };
        let now = self.clock.now();
        let mut session = None;
        // Signatures are judged at the real time (see sigv4.rs), credentials at the world's.
        let real_now = crate::clock::system_now();
        let signer = sigv4::verify(request, service, region, real_now, |key, token| {
            if let Some(secret) = self.access_keys.get(key) {
                return Ok(secret.clone());
            }
            let unrecognized = || {
                if service == "cognito-identity" {
                    texts::UNRECOGNIZED_CLIENT.error()
                } else {
                    texts::UNRECOGNIZED_CLIENT_QUERY.error()
                }
            };
            let (sealed_key, owner) =
                token.and_then(|t| self.credentials.open(t)).ok_or_else(unrecognized)?;
            if sealed_key != key {
                return Err(unrecognized());
            }
            if owner.expiration <= now {
                let expired = if service == "cognito-identity" {
                    &texts::EXPIRED_CREDENTIALS_JSON
                } else {
                    &texts::EXPIRED_CREDENTIALS
                };
                return Err(expired.error().with_detail(format!(
                    "the credentials expired at {}, now is {now}",
                    owner.expiration
                )));
            }
            session = Some(owner);
            Ok(self.credentials.secret_of(key))
        })?;
        Ok(match session {
            Some(owner) => Caller::Session(Box::new(owner)),
            None => Caller::Developer(signer.access_key_id),
        })
    }

    /// All IAM OIDC providers.
    pub fn providers(&self) -> Vec<Arc<Provider>> {
        self.world().providers.values().cloned().collect()
    }

    /// All IAM roles.
    pub fn roles(&self) -> Vec<Arc<Role>> {
        self.world().roles.values().cloned().collect()
    }

    /// A pool by id.
    pub fn pool(&self, id: &str) -> Option<Arc<Pool>> {
        self.world().pools.get(id).cloned()
    }

    /// All pools, by id.
    pub fn pools(&self) -> Vec<Arc<Pool>> {
        self.world().pools.values().cloned().collect()
    }

    /// An IAM OIDC provider by name (URL without scheme).
    pub fn provider(&self, name: &str) -> Option<Arc<Provider>> {
        self.world().providers.get(name).cloned()
    }

    /// The provider named `name` if `pool` trusts it, else the names it does trust.
    pub fn trusted_provider(&self, pool: &Pool, name: &str) -> Result<Arc<Provider>, Vec<String>> {
        self.world().trusted_provider(pool, name)
    }

    /// The id an identity of (pool, provider, sub) always gets.
    pub fn identity_id_for(&self, pool_id: &str, provider: &str, sub: &str) -> String {
        crate::account::identity_id_for(&self.region, pool_id, provider, sub)
    }

    /// The identity table, locked.
    pub(crate) fn identities(&self) -> MutexGuard<'_, Identities> {
        self.identities.lock().expect("identity table lock")
    }

    /// A recorded identity's pool, state, and whether it holds one of `logins`
    /// ([`Identities::standing`]).
    pub(crate) fn identity_standing(
        &self,
        id: &str,
        logins: &[(String, String)],
    ) -> Option<Standing> {
        self.identities().standing(id, logins)
    }

    /// A recorded identity.
    pub fn identity(&self, id: &str) -> Option<Identity> {
        self.identities().get(id)
    }

    /// How many identities the endpoint holds, in every pool.
    pub fn identity_count(&self) -> usize {
        self.identities().len()
    }

    /// The identities of a pool, by id.
    pub fn identities_of(&self, pool_id: &str) -> Vec<(String, Identity)> {
        self.identities().of_pool(pool_id)
    }

    /// Records a new unauthenticated identity of `pool_id`; its id.
    pub(crate) fn new_unauthenticated(&self, pool_id: &str) -> String {
        let now = self.clock.now();
        self.identities().new_unauthenticated(pool_id, now)
    }

    /// Links `logins` (provider → sub) to one identity of `pool_id` ([`Identities::link`]).
    pub(crate) fn link(
        &self,
        pool_id: &str,
        logins: &[(String, String)],
        target: Option<&str>,
    ) -> Result<String, AwsError> {
        let now = self.clock.now();
        self.identities().link(pool_id, logins, target, now)
    }

    /// Links `logins` to `identity_id` (as [`CognitoState::link`] with it as the target) unless
    /// it holds other logins and none of these: then `Ok(None)`. One lock for both.
    pub(crate) fn link_owned(
        &self,
        pool_id: &str,
        identity_id: &str,
        logins: &[(String, String)],
    ) -> Result<Option<String>, AwsError> {
        let now = self.clock.now();
        let mut identities = self.identities();
        if identities.touch_linked(pool_id, logins, identity_id, now) {
            // The identity as asked for: ids are written in one canonical form.
            return Ok(Some(identity_id.to_owned()));
        }
        if identities.standing(identity_id, logins).and_then(|s| s.holds) == Some(false) {
            return Ok(None);
        }
        identities.link(pool_id, logins, Some(identity_id), now).map(Some)
    }

    /// The identity a developer user identifier belongs to in `pool_id`.
    pub fn developer_identity(&self, pool_id: &str, developer_id: &str) -> Option<String> {
        self.identities().developer_identity(pool_id, developer_id)
    }

    /// Links a developer user identifier to an identity ([`Identities::link_developer`]).
    pub(crate) fn link_developer(
        &self,
        pool_id: &str,
        developer_id: &str,
        identity_id: &str,
    ) -> Result<(), AwsError> {
        let now = self.clock.now();
        self.identities().link_developer(pool_id, developer_id, identity_id, now)
    }

    /// Merges two developer identities ([`Identities::merge_developer`]).
    pub(crate) fn merge_developer(
        &self,
        pool_id: &str,
        source: &str,
        destination: &str,
    ) -> Result<String, AwsError> {
        let now = self.clock.now();
        self.identities().merge_developer(pool_id, source, destination, now)
    }

    /// Removes a developer identifier from an identity.
    pub(crate) fn unlink_developer(
        &self,
        pool_id: &str,
        identity_id: &str,
        developer_id: &str,
    ) -> Result<(), AwsError> {
        self.identities().unlink_developer(pool_id, identity_id, developer_id)
    }

    /// Deletes an identity and its links; `false` if there was none.
    pub(crate) fn delete_identity(&self, id: &str) -> bool {
        self.identities().delete(id)
    }

    /// Removes the logins of `providers` from an identity.
    pub(crate) fn unlink(&self, id: &str, providers: &[String]) {
        let now = self.clock.now();
        self.identities().unlink(id, providers, now);
    }

    /// Forgets every identity of a deleted pool.
    pub(crate) fn forget_identities_of(&self, pool_id: &str) {
        self.identities().forget_pool(pool_id);
    }
}
