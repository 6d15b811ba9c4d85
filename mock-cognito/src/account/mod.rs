//! The AWS account a mock-cognito endpoint pretends to be: its IAM OIDC providers, roles and
//! identity pools (what the world file sets up and the administrative APIs change), the
//! identities of its pools, and the temporary credentials it issued.
//!
//! This folder holds data and its invariants only; the services (Cognito Identity, STS, IAM)
//! act on it, and the token checks in `trust/` read it.

mod config;
pub(crate) mod credentials;
mod identities;
pub mod policy;
mod pool;
mod provider;
mod role;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use uuid::Uuid;

pub use config::{
    AccessKeyConfig, CognitoConfig, IdentityPoolConfig, JWKS_TTL_SECS, OidcProviderConfig,
    RoleConfig, UserPoolProviderConfig,
};
pub use credentials::Owner;
pub use identities::{Identities, Identity, Standing, identity_id_for};
pub use pool::{
    AmbiguousRoleResolution, MAX_RULES, MappingRule, MappingType, MatchType, Pool, PoolExtras,
    RoleMapping,
};
pub use provider::{Provider, strip_scheme};
pub use role::Role;

use crate::validate::is_region_guid;

/// The namespace of fedmock's name-based UUIDs (pool and identity ids).
pub(crate) const NAMESPACE: Uuid = Uuid::from_u128(0x6d0c_4f8e_9b1a_4c2e_8f3d_5e7a_1b9c_0d24);

/// The account's IAM OIDC providers, roles and identity pools: what the config sets up and
/// the administrative APIs change.
#[derive(Clone, Debug, Default)]
pub(crate) struct World {
    pub providers: ByName<Arc<Provider>>,
    pub pools: BTreeMap<String, Arc<Pool>>,
    pub roles: ByName<Arc<Role>>,
}

/// A map by name (provider name, role ARN), hashed with foldhash: every exchange looks a
/// provider and a role up, and SipHash over an ARN cost more than the rest of the lookup.
pub(crate) type ByName<V> = HashMap<String, V, foldhash::fast::RandomState>;

impl World {
    /// Adds an IAM OIDC provider; its name is the URL without the scheme.
    pub fn add_provider(
        &mut self,
        account_id: &str,
        p: OidcProviderConfig,
    ) -> Result<Provider, String> {
        if !(p.url.starts_with("https://") || p.url.starts_with("http://")) {
            return Err(format!(
                "OIDC provider URL {:?} must start with https:// (or http:// for a local issuer)",
                p.url
            ));
        }
        let provider = Provider::new(account_id, &p.url, p.client_ids);
        let name = provider.name.clone();
        if self.providers.contains_key(&name) {
            return Err(format!("OIDC provider {:?} is defined twice", provider.url));
        }
        self.providers.insert(name, Arc::new(provider.clone()));
        Ok(provider)
    }

    /// Adds a role; a trust policy given as JSON text is parsed.
    pub fn add_role(&mut self, account_id: &str, r: RoleConfig) -> Result<Role, String> {
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
            trust_policy: policy::TrustPolicy::new(trust_policy),
            path: "/".to_owned(),
            created: 0,
            max_session_duration_secs: r.max_session_duration_secs,
        };
        if self.roles.contains_key(&arn) {
            return Err(format!("role {arn:?} is defined twice"));
        }
        self.roles.insert(arn, Arc::new(role.clone()));
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
            if mapping.rules.len() > MAX_RULES {
                return Err(format!(
                    "identity pool {id:?}: at most {} rules per provider",
                    MAX_RULES
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
                        extras: PoolExtras {
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

    /// The provider named `name` if `pool` trusts it, else the names it does trust.
    ///
    /// Besides its IAM OIDC providers, a pool trusts the user pools of its
    /// `CognitoIdentityProviders` (`cognito-idp.<region>.amazonaws.com/<id>`, tokens' `aud` =
    /// one of their client ids) and the public providers of its `SupportedLoginProviders`
    /// (`accounts.google.com`, …, `aud` = the app id). All are verified the same way: issuer,
    /// JWKS by discovery, audience, expiry.
    pub fn trusted_provider(&self, pool: &Pool, name: &str) -> Result<Arc<Provider>, Vec<String>> {
        if let Some(p) = self.providers.get(name)
            && pool.providers.iter().any(|n| n == name)
        {
            return Ok(Arc::clone(p));
        }
        let issuer = |client_ids: Vec<String>| {
            Arc::new(Provider {
                url: format!("https://{name}"),
                name: name.to_owned(),
                arn: String::new(),
                client_ids,
                thumbprints: Vec::new(),
                created: 0,
            })
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
}
