//! One authorization server: Okta's two URL layouts, its keys, compiled claim rules and
//! discovery document.

use serde_json::{Value, json};

use super::keys::KeySet;
use crate::config::{AuthServerConfig, ClaimRule, UserConfig};
use crate::error::Error;

/// Scopes every Okta authorization server knows, whatever its custom scopes.
pub const OIDC_SCOPES: &[&str] =
    &["openid", "profile", "email", "address", "phone", "offline_access", "groups"];

/// The id that names the org authorization server in fedmock's APIs.
pub const ORG: &str = "org";

/// Which of Okta's two URL layouts a server uses (docs/reference/okta.md §1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKind {
    /// Issuer = base URL; endpoints under `{base}/oauth2/v1/`.
    Org,
    /// Issuer = `{base}/oauth2/{id}`; endpoints under `{issuer}/v1/`.
    Custom,
}

/// A claim rule, checked and with its group filter compiled.
#[derive(Debug)]
pub struct CompiledRule {
    /// The rule as configured.
    pub rule: ClaimRule,
    groups: Option<regex_lite::Regex>,
}

impl CompiledRule {
    fn new(rule: ClaimRule) -> Result<Self, Error> {
        let sources = [rule.value.is_some(), rule.profile.is_some(), rule.groups.is_some()];
        if sources.iter().filter(|s| **s).count() != 1 {
            return Err(Error::Config(format!(
                "claim {:?} needs exactly one of value, profile, groups",
                rule.name
            )));
        }
        // Okta's "Matches regex" group filter matches the whole group name.
        let groups = match &rule.groups {
            Some(re) => Some(regex_lite::Regex::new(&format!("^(?:{re})$")).map_err(|e| {
                Error::Config(format!("claim {:?}: bad groups regex: {e}", rule.name))
            })?),
            None => None,
        };
        Ok(Self { rule, groups })
    }

    /// The claim's value for `user`; `None` leaves the claim out.
    pub fn evaluate(&self, user: Option<&UserConfig>) -> Option<Value> {
        if let Some(value) = &self.rule.value {
            return Some(value.clone());
        }
        let user = user?;
        if let Some(attribute) = &self.rule.profile {
            return user.profile_value(attribute);
        }
        let filter = self.groups.as_ref()?;
        Some(json!(user.groups.iter().filter(|g| filter.is_match(g)).collect::<Vec<_>>()))
    }
}

/// One authorization server, ready to issue tokens.
#[derive(Debug)]
pub struct AuthServer {
    /// Org or custom layout.
    pub kind: ServerKind,
    /// The server's settings.
    pub config: AuthServerConfig,
    /// The `iss` of its tokens, exactly as in discovery (the override, if configured).
    pub issuer: String,
    /// Where the server is really served: the issuer without an override.
    pub local_issuer: String,
    /// The base of its endpoints: `{local issuer}/v1` or `{base}/oauth2/v1`.
    pub endpoint_base: String,
    /// The access token's `aud`.
    pub audience: String,
    /// Published keys; the first signs ID tokens and (custom servers) access tokens.
    pub keys: KeySet,
    /// The org server signs access tokens with a key it does not publish, as Okta does
    /// (docs/reference/okta.md §0.3): only Okta can verify them.
    pub hidden_access_token_key: Option<KeySet>,
    /// Claim rules, compiled.
    pub claim_rules: Vec<CompiledRule>,
}

impl AuthServer {
    pub(crate) fn new(
        kind: ServerKind,
        config: AuthServerConfig,
        base_url: &str,
        seed: Option<&str>,
    ) -> Result<Self, Error> {
        let seed_for = |what: &str| seed.map(|seed| format!("{seed}/okta/{what}"));
        let (local_issuer, endpoint_base, audience, hidden) = match kind {
            ServerKind::Org => (
                base_url.to_owned(),
                format!("{base_url}/oauth2/v1"),
                config.issuer.clone().unwrap_or_else(|| base_url.to_owned()),
                Some(KeySet::seeded(seed_for("org-access-tokens"))),
            ),
            ServerKind::Custom => {
                let issuer = format!("{base_url}/oauth2/{}", config.id);
                (issuer.clone(), format!("{issuer}/v1"), config.audience.clone(), None)
            }
        };
        let name = match kind {
            ServerKind::Org => ORG,
            ServerKind::Custom => &config.id,
        };
        let keys = KeySet::from_config(&config.keys, seed_for(name))?;
        let claim_rules =
            config.claims.iter().cloned().map(CompiledRule::new).collect::<Result<_, _>>()?;
        let issuer = config.issuer.clone().unwrap_or_else(|| local_issuer.clone());
        Ok(Self {
            kind,
            config,
            issuer,
            local_issuer,
            endpoint_base,
            audience,
            keys,
            hidden_access_token_key: hidden,
            claim_rules,
        })
    }

    /// The id fedmock's APIs use for it: the custom server's id, or `org`.
    pub fn key(&self) -> &str {
        match self.kind {
            ServerKind::Org => ORG,
            ServerKind::Custom => &self.config.id,
        }
    }

    /// `{base}/v1/token`, also the `aud` a client assertion must carry.
    pub fn token_endpoint(&self) -> String {
        format!("{}/token", self.endpoint_base)
    }

    /// The key set that signs this server's access tokens.
    pub fn access_token_keys(&self) -> &KeySet {
        self.hidden_access_token_key.as_ref().unwrap_or(&self.keys)
    }

    /// Whether this server grants `scope` at all.
    pub fn knows_scope(&self, scope: &str) -> bool {
        OIDC_SCOPES.contains(&scope) || self.config.scopes.iter().any(|s| s == scope)
    }

    /// The discovery document. `oidc` selects `/.well-known/openid-configuration` (with
    /// `userinfo_endpoint` and ID-token algorithms) over the RFC 8414 document.
    /// Shape and values follow Okta's reference example (docs/reference/okta.md §1.3).
    pub fn discovery(&self, base_url: &str, oidc: bool) -> Value {
        let e = &self.endpoint_base;
        let auth_methods = json!([
            "client_secret_basic",
            "client_secret_post",
            "client_secret_jwt",
            "private_key_jwt",
            "none"
        ]);
        let mut scopes: Vec<&str> = OIDC_SCOPES.to_vec();
        scopes.extend(self.config.scopes.iter().map(String::as_str));
        let claims: &[&str] = if oidc {
            &[
                "iss",
                "ver",
                "sub",
                "aud",
                "iat",
                "exp",
                "jti",
                "auth_time",
                "amr",
                "idp",
                "nonce",
                "name",
                "nickname",
                "preferred_username",
                "given_name",
                "middle_name",
                "family_name",
                "email",
                "email_verified",
                "profile",
                "zoneinfo",
                "locale",
                "address",
                "phone_number",
                "picture",
                "website",
                "gender",
                "birthdate",
                "updated_at",
                "at_hash",
                "c_hash",
            ]
        } else {
            &["ver", "jti", "iss", "aud", "iat", "exp", "cid", "uid", "scp", "sub"]
        };
        let mut doc = json!({
            "issuer": self.issuer,
            "authorization_endpoint": format!("{e}/authorize"),
            "token_endpoint": format!("{e}/token"),
            "registration_endpoint": format!("{base_url}/oauth2/v1/clients"),
            "jwks_uri": format!("{e}/keys"),
            "response_types_supported": ["code", "token", "id_token", "code id_token", "code token", "id_token token", "code id_token token"],
            "response_modes_supported": ["query", "fragment", "form_post", "okta_post_message"],
            "grant_types_supported": ["authorization_code", "implicit", "refresh_token", "password", "client_credentials"],
            "subject_types_supported": ["public"],
            "scopes_supported": scopes,
            "token_endpoint_auth_methods_supported": auth_methods,
            "claims_supported": claims,
            "code_challenge_methods_supported": ["S256"],
            "introspection_endpoint": format!("{e}/introspect"),
            "introspection_endpoint_auth_methods_supported": auth_methods,
            "revocation_endpoint": format!("{e}/revoke"),
            "revocation_endpoint_auth_methods_supported": auth_methods,
            "end_session_endpoint": format!("{e}/logout"),
            "request_parameter_supported": true,
            "request_object_signing_alg_values_supported": ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"],
            "device_authorization_endpoint": format!("{e}/device/authorize"),
        });
        if oidc {
            doc["userinfo_endpoint"] = json!(format!("{e}/userinfo"));
            doc["id_token_signing_alg_values_supported"] = json!(["RS256"]);
        }
        doc
    }
}
