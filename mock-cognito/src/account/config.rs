//! The AWS side of a world: one account in one region, its IAM OIDC providers and its
//! Cognito identity pools.
//!
//! The same serde model is read by `fedmock up`, the harness builder and scenario files.
//! Field names follow AWS's (snake_case of `AllowUnauthenticatedIdentities`, …) so a real
//! `describe-identity-pool` maps onto it without guesswork.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How long fetched issuer keys are trusted before a refetch, in world seconds, by default
/// (`key_cache_seconds`).
pub const JWKS_TTL_SECS: i64 = 600;

/// The AWS account that mock-cognito pretends to be.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CognitoConfig {
    /// The 12-digit account id, used in ARNs. Defaults to `123456789012`.
    pub account_id: String,
    /// The region of the endpoint; pool and identity ids start with it. Defaults to `us-east-1`.
    pub region: String,
    /// IAM OpenID Connect providers of the account. Defaults to none.
    pub oidc_providers: Vec<OidcProviderConfig>,
    /// Identity pools of the account in this region. Defaults to none.
    pub identity_pools: Vec<IdentityPoolConfig>,
    /// IAM roles that pools and STS hand out. Defaults to none.
    pub roles: Vec<RoleConfig>,
    /// Developer credentials that may sign the signed actions (SigV4). Defaults to one pair,
    /// `AKIAFEDMOCKADMIN0000` / `fedmock-admin-secret`.
    pub access_keys: Vec<AccessKeyConfig>,
    /// Whether signed actions must carry a valid SigV4 signature. Defaults to `true`; set it to
    /// `false` when the caller's signing is not what you are testing.
    pub require_signatures: bool,
    /// Whether IAM's `CreateOpenIDConnectProvider` accepts `http://` URLs and ports, for local
    /// issuers. Defaults to `false`: https only, no port, as in AWS.
    pub allow_http_issuers: bool,
    /// How long an issuer's keys are kept after a fetch, in world seconds. A `kid` rotated in
    /// meanwhile is refused until then: AWS documents that identity pools "might return a
    /// `NoKeyFound` error until this cache refreshes … about ten minutes" after a rotation.
    /// Defaults to 600; `0` fetches the keys for every token (a verifier that refetches on an
    /// unknown `kid` at once).
    pub key_cache_seconds: i64,
    /// Seconds past a token's `exp` that Cognito and STS still accept. Defaults to 0, as AWS:
    /// a token is refused at `now >= exp` (a token 271 s past `exp` was refused by Cognito,
    /// aws-amplify/aws-sdk-ios#2570; 198 s past by STS, awslabs/aws-orbit-workbench#707). Raise it
    /// only to model a clock you cannot fix.
    pub token_leeway_seconds: i64,
    /// Where an issuer is really served, for issuers that present a production name:
    /// `{"https://dev-123456.okta.com/oauth2/default" = "http://127.0.0.1:8400/oauth2/default"}`.
    /// Only the discovery fetch uses it; `iss` is still compared with the `Logins` key and
    /// the provider URL as sent. Defaults to none.
    pub issuer_urls: BTreeMap<String, String>,
    /// An extra CA (PEM) trusted when fetching discovery documents and JWKS, e.g. the
    /// harness's throw-away CA. Defaults to none (system roots only).
    pub trusted_ca_pem: Option<String>,
    /// The URL clients use for this endpoint, for the `jwks_uri` of Cognito's own discovery
    /// document. Defaults to `http://` + the request's `Host`.
    pub endpoint_url: Option<String>,
    /// A secret the temporary credentials this endpoint issues are sealed with: endpoints
    /// (replicas) given the same seed honour each other's credentials. Defaults to none: a
    /// random secret per start.
    pub seed: Option<String>,
    /// The RSA key (PKCS#8 PEM) Cognito signs `GetOpenIdToken` tokens with. Defaults to one
    /// generated on first use; a world's `seed` derives it, so replicas sign alike.
    pub openid_signing_key_pem: Option<String>,
}

impl Default for CognitoConfig {
    fn default() -> Self {
        Self {
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            oidc_providers: Vec::new(),
            identity_pools: Vec::new(),
            roles: Vec::new(),
            access_keys: vec![AccessKeyConfig::default()],
            require_signatures: true,
            allow_http_issuers: false,
            key_cache_seconds: JWKS_TTL_SECS,
            token_leeway_seconds: 0,
            issuer_urls: BTreeMap::new(),
            trusted_ca_pem: None,
            endpoint_url: None,
            seed: None,
            openid_signing_key_pem: None,
        }
    }
}

/// An IAM OpenID Connect provider (`aws iam create-open-id-connect-provider`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OidcProviderConfig {
    /// The issuer URL, compared case-sensitively with the token's `iss`, e.g.
    /// `https://dev-123456.okta.com/oauth2/default`. `http://` is accepted so that a local
    /// issuer can be used; real IAM only takes `https://`.
    pub url: String,
    /// The audiences (`ClientIDList`) a token's `azp`, or else `aud`, must be one of.
    #[serde(default)]
    pub client_ids: Vec<String>,
}

/// A Cognito identity pool.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct IdentityPoolConfig {
    /// `REGION:GUID`. Defaults to a GUID derived from the account, region and name, so the
    /// same config always yields the same pool id.
    pub id: Option<String>,
    /// `IdentityPoolName`. Defaults to `fedmock`.
    pub name: String,
    /// `AllowUnauthenticatedIdentities`: whether `GetId` without `Logins` is allowed.
    /// Defaults to `false`.
    pub allow_unauthenticated_identities: bool,
    /// `AllowClassicFlow`: whether the basic flow (`GetOpenIdToken` then STS) is allowed.
    /// Three states, as in AWS (aws/aws-cli#7652): unset (the default, as a pool created without
    /// the flag) and `true` allow it; `false` refuses it.
    pub allow_classic_flow: Option<bool>,
    /// `OpenIdConnectProviderARNs`: the IAM OIDC providers this pool trusts, each given as its
    /// ARN or as its URL (the ARN is derived). Defaults to none.
    pub open_id_connect_providers: Vec<String>,
    /// The role for authenticated identities (`SetIdentityPoolRoles` `authenticated`).
    pub authenticated_role_arn: Option<String>,
    /// The role for unauthenticated identities (`SetIdentityPoolRoles` `unauthenticated`).
    pub unauthenticated_role_arn: Option<String>,
    /// `RoleMappings`, keyed by a provider the pool trusts (its URL, ARN or `Logins` name).
    /// Defaults to none.
    pub role_mappings: BTreeMap<String, super::RoleMapping>,
    /// `DeveloperProviderName`, for developer-authenticated identities. Defaults to none.
    pub developer_provider_name: Option<String>,
    /// `SupportedLoginProviders`: public provider name (`accounts.google.com`,
    /// `appleid.apple.com`, …) → the app's client id. Defaults to none.
    pub supported_login_providers: BTreeMap<String, String>,
    /// `CognitoIdentityProviders`: user pools as `{provider_name, client_id}` with
    /// `provider_name` = `cognito-idp.<region>.amazonaws.com/<userPoolId>`. Defaults to none.
    pub cognito_identity_providers: Vec<UserPoolProviderConfig>,
}

/// A Cognito user pool trusted by an identity pool.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UserPoolProviderConfig {
    /// `cognito-idp.<region>.amazonaws.com/<userPoolId>`.
    pub provider_name: String,
    /// The app client whose ID tokens are accepted.
    pub client_id: String,
}

impl IdentityPoolConfig {
    /// The pool's id: `id` if set, else the GUID derived from account, region and name.
    pub fn pool_id(&self, account_id: &str, region: &str) -> String {
        self.id.clone().unwrap_or_else(|| {
            let seed = format!("{account_id}/{region}/{}", self.name);
            format!("{region}:{}", uuid::Uuid::new_v5(&super::NAMESPACE, seed.as_bytes()))
        })
    }
}

impl Default for IdentityPoolConfig {
    fn default() -> Self {
        Self {
            id: None,
            name: "fedmock".into(),
            allow_unauthenticated_identities: false,
            allow_classic_flow: None,
            open_id_connect_providers: Vec::new(),
            authenticated_role_arn: None,
            unauthenticated_role_arn: None,
            role_mappings: BTreeMap::new(),
            developer_provider_name: None,
            supported_login_providers: BTreeMap::new(),
            cognito_identity_providers: Vec::new(),
        }
    }
}

/// An IAM role (`aws iam create-role`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RoleConfig {
    /// The role name; its ARN is `arn:aws:iam::<account>:role/<name>`.
    pub name: String,
    /// The `AssumeRolePolicyDocument`: a table, or the JSON text as AWS shows it.
    pub trust_policy: serde_json::Value,
    /// The role's maximum session, in seconds. Defaults to 3600.
    #[serde(default = "one_hour")]
    pub max_session_duration_secs: i64,
}

fn one_hour() -> i64 {
    3600
}

/// An IAM user's access key, for signing administrative calls.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AccessKeyConfig {
    /// `AKIA…`.
    pub access_key_id: String,
    /// The secret.
    pub secret_access_key: String,
}

impl Default for AccessKeyConfig {
    fn default() -> Self {
        Self {
            access_key_id: "AKIAFEDMOCKADMIN0000".into(),
            secret_access_key: "fedmock-admin-secret".into(),
        }
    }
}
