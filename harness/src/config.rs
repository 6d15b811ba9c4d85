//! One world config for both mocks, read from TOML by `fedmock up --config`, edited by the
//! builder in tests, and (later) embedded in scenario files.

use mock_cognito::CognitoConfig;
use mock_okta::OktaConfig;
use serde::{Deserialize, Serialize};

use crate::Error;

/// The embedded default world (`harness/worlds/default.toml`).
pub const DEFAULT_WORLD_TOML: &str = include_str!("../worlds/default.toml");

/// The placeholder for mock-okta's base URL in the AWS half of a world.
pub const OKTA_PLACEHOLDER: &str = "{okta}";

/// The placeholder for mock-okta's base URL without its scheme (as in ARNs and IAM keys).
pub const OKTA_HOST_PLACEHOLDER: &str = "{okta_host}";

/// A whole world: a mock Okta org and a mock AWS account.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FederationConfig {
    /// Every secret of the exchange path derives from this text: mock-okta's generated
    /// signing keys, Cognito's OpenID token key and the credentials' sealing secret. Processes
    /// given the same world and seed publish the same JWKS and accept each other's tokens and
    /// credentials (replicas behind a balancer). Defaults to none: fresh secrets per start.
    /// `okta.seed` and `aws.seed`, when set, win over it for their half.
    pub seed: Option<String>,
    /// The Okta org.
    pub okta: OktaConfig,
    /// The AWS account: IAM OIDC providers and identity pools.
    pub aws: CognitoConfig,
}

impl FederationConfig {
    /// The embedded default world.
    pub fn default_world() -> Self {
        Self::from_toml(DEFAULT_WORLD_TOML).expect("the embedded default world is valid")
    }

    /// Parses a world from TOML; errors name the line and the field.
    pub fn from_toml(text: &str) -> Result<Self, Error> {
        toml::from_str(text).map_err(|e| Error::Config(e.to_string()))
    }

    /// Hands the world's `seed` to each half that has none of its own.
    pub fn spread_seed(&mut self) {
        if let Some(seed) = &self.seed {
            self.okta.seed.get_or_insert_with(|| seed.clone());
            self.aws.seed.get_or_insert_with(|| seed.clone());
        }
    }

    /// Replaces `{okta}` with mock-okta's base URL wherever the AWS half names an issuer,
    /// and writes down each pool's id (derived when not given).
    pub fn resolve(&mut self, okta_base_url: &str) {
        let host = okta_base_url.split_once("://").map_or(okta_base_url, |(_, rest)| rest);
        let fill = |s: &mut String| {
            if s.contains('{') {
                *s =
                    s.replace(OKTA_PLACEHOLDER, okta_base_url).replace(OKTA_HOST_PLACEHOLDER, host);
            }
        };
        for role in &mut self.aws.roles {
            if let serde_json::Value::String(text) = &mut role.trust_policy {
                fill(text);
            } else {
                let mut text = role.trust_policy.to_string();
                fill(&mut text);
                role.trust_policy = serde_json::from_str(&text).expect("a JSON value stays JSON");
            }
        }
        for provider in &mut self.aws.oidc_providers {
            fill(&mut provider.url);
        }
        let (account, region) = (&self.aws.account_id, &self.aws.region);
        for pool in &mut self.aws.identity_pools {
            pool.open_id_connect_providers.iter_mut().for_each(fill);
            pool.role_mappings = std::mem::take(&mut pool.role_mappings)
                .into_iter()
                .map(|(mut provider, mapping)| {
                    fill(&mut provider);
                    (provider, mapping)
                })
                .collect();
            pool.id = Some(pool.pool_id(account, region));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_world_parses_and_resolves_its_issuer() {
        let mut world = FederationConfig::default_world();
        world.resolve("http://127.0.0.1:8400");
        assert_eq!(world.aws.oidc_providers[0].url, "http://127.0.0.1:8400/oauth2/default");
        assert_eq!(world.aws.oidc_providers[0].client_ids, ["api://default"]);
        assert_eq!(
            world.aws.identity_pools[0].open_id_connect_providers,
            ["http://127.0.0.1:8400/oauth2/default"]
        );
        assert_eq!(world.okta.servers[0].audience, "api://default");
    }

    #[test]
    fn an_unknown_field_is_an_error_that_names_it_and_its_line() {
        let err = FederationConfig::from_toml("[aws]\nregion = \"us-east-1\"\nregoin = \"x\"\n")
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("regoin") && text.contains("line 3"), "{text}");
    }

    #[test]
    fn an_empty_file_is_the_default_config() {
        assert_eq!(FederationConfig::from_toml("").unwrap(), FederationConfig::default());
    }
}
