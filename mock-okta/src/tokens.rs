//! The token endpoint as a plain function: authenticate the client, check the grant and
//! scopes, build Okta-shaped claims, sign.
//!
//! Error codes and descriptions are Okta's own (okta.md §1.4, §2.8). Where Okta's exact text
//! is not published, the comment says so.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::config::{Claims, ClientAuthMethod, ClientConfig, UserConfig};
use crate::error::OAuthError;
use crate::state::{AuthServer, OIDC_SCOPES, OktaState, ServerKind};

/// The form fields of a `/v1/token` request that this mock reads.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TokenForm {
    /// `client_credentials` or `password`.
    pub grant_type: Option<String>,
    /// Space-separated scopes.
    pub scope: Option<String>,
    /// Resource owner login (`password` grant).
    pub username: Option<String>,
    /// Resource owner password (`password` grant).
    pub password: Option<String>,
    /// Client id (`client_secret_post`).
    pub client_id: Option<String>,
    /// Client secret (`client_secret_post`).
    pub client_secret: Option<String>,
}

/// A successful `/v1/token` answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TokenResponse {
    /// Always `Bearer`.
    pub token_type: String,
    /// Access token lifetime in seconds.
    pub expires_in: i64,
    /// The signed access token.
    pub access_token: String,
    /// Granted scopes, space-separated.
    pub scope: String,
    /// The signed ID token, when `openid` was granted to a user.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id_token: Option<String>,
}

/// Client credentials from an `Authorization: Basic` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicAuth {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
}

impl BasicAuth {
    /// Parses `Basic base64(id:secret)`. `None` for anything else.
    pub fn parse(header: &str) -> Option<Self> {
        let (scheme, encoded) = header.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        Some(Self { client_id: id.to_owned(), client_secret: secret.to_owned() })
    }
}

/// Handles one token request against `server`.
pub async fn issue(
    state: &OktaState,
    server: &AuthServer,
    basic: Option<BasicAuth>,
    form: TokenForm,
) -> Result<TokenResponse, OAuthError> {
    let client = authenticate(state, basic, &form)?;
    let grant = form.grant_type.as_deref().filter(|g| !g.is_empty()).ok_or_else(|| {
        // Okta's exact text for a missing grant_type is not published (inferred).
        OAuthError::invalid_request("The 'grant_type' parameter is required.")
    })?;
    if !matches!(grant, "client_credentials" | "password") {
        return Err(OAuthError::unsupported_grant_type(format!(
            "The authorization grant type is not supported by the authorization server. Configured grant types: {}.",
            list(&client.grant_types)
        )));
    }
    if grant == "client_credentials" && server.kind == ServerKind::Org {
        return Err(OAuthError::unsupported_grant_type(
            "'client_credentials' grant type can only be used with a custom authorization server.",
        ));
    }
    if !client.grant_types.iter().any(|g| g == grant) {
        return Err(OAuthError::unauthorized_client(format!(
            "The client is not authorized to use the provided grant type. Configured grant types: {}.",
            list(&client.grant_types)
        )));
    }
    let scopes = granted_scopes(server, grant, form.scope.as_deref())?;
    let user = match grant {
        "password" => Some(resource_owner(state, &form)?),
        _ => None,
    };
    let now = state.clock.now();
    let access_claims = access_token_claims(server, client, user, &scopes, now);
    let access_token = server.access_token_keys().active().await?.sign(&access_claims);
    let id_token = match user {
        Some(user) if scopes.iter().any(|s| s == "openid") => {
            let claims = id_token_claims(state, server, client, user, &scopes, &access_token, now);
            Some(server.keys.active().await?.sign(&claims))
        }
        _ => None,
    };
    Ok(TokenResponse {
        token_type: "Bearer".into(),
        expires_in: server.config.access_token_lifetime_secs,
        access_token,
        scope: scopes.join(" "),
        id_token,
    })
}

/// Verifies the client with the one method it is registered for.
fn authenticate<'s>(
    state: &'s OktaState,
    basic: Option<BasicAuth>,
    form: &TokenForm,
) -> Result<&'s ClientConfig, OAuthError> {
    let (client_id, secret, method) = match (basic, &form.client_secret) {
        (Some(_), Some(_)) => {
            return Err(OAuthError::invalid_request(
                "Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.",
            ));
        }
        (Some(b), None) => (b.client_id, b.client_secret, ClientAuthMethod::ClientSecretBasic),
        (None, Some(secret)) => match &form.client_id {
            Some(id) => (id.clone(), secret.clone(), ClientAuthMethod::ClientSecretPost),
            None => return Err(OAuthError::invalid_client("No client credentials found.")),
        },
        (None, None) => return Err(OAuthError::invalid_client("No client credentials found.")),
    };
    let client = state
        .client(&client_id)
        .ok_or_else(|| OAuthError::invalid_client("Invalid value for 'client_id' parameter."))?;
    if method != client.token_endpoint_auth_method {
        // Okta rejects a method the client is not registered for; the exact description for
        // this case is not published, so this uses Okta's generic client-auth text (inferred).
        return Err(OAuthError::invalid_client(
            "Client authentication failed. Either the client or the client credentials are invalid.",
        ));
    }
    if secret != client.client_secret {
        return Err(OAuthError::invalid_client(
            "The client secret supplied for a confidential client is invalid.",
        ));
    }
    Ok(client)
}

fn granted_scopes(
    server: &AuthServer,
    grant: &str,
    requested: Option<&str>,
) -> Result<Vec<String>, OAuthError> {
    let mut scopes: Vec<String> =
        requested.unwrap_or_default().split_whitespace().map(str::to_owned).collect();
    if scopes.is_empty() {
        scopes = server.config.default_scopes.clone();
    }
    if scopes.is_empty() {
        return Err(OAuthError::invalid_scope("No scopes were requested."));
    }
    if grant == "client_credentials" && scopes.iter().any(|s| s == "openid") {
        return Err(OAuthError::invalid_scope(
            "Cannot request 'openid' scopes using client credentials.",
        ));
    }
    let unusable = |s: &String| {
        !server.knows_scope(s)
            || (grant == "client_credentials" && OIDC_SCOPES.contains(&s.as_str()))
    };
    if scopes.iter().any(unusable) {
        return Err(OAuthError::invalid_scope(
            "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.",
        ));
    }
    scopes.dedup();
    Ok(scopes)
}

fn resource_owner<'s>(
    state: &'s OktaState,
    form: &TokenForm,
) -> Result<&'s UserConfig, OAuthError> {
    let invalid = || OAuthError::invalid_grant("The credentials provided were invalid.");
    let user =
        state.user_by_login(form.username.as_deref().ok_or_else(invalid)?).ok_or_else(invalid)?;
    if form.password.as_deref() != Some(user.password.as_str()) {
        return Err(invalid());
    }
    Ok(user)
}

/// Access token claims as a custom server issues them (okta.md §2.3), then the configured
/// overrides: server, client, user.
fn access_token_claims(
    server: &AuthServer,
    client: &ClientConfig,
    user: Option<&UserConfig>,
    scopes: &[String],
    now: i64,
) -> Value {
    let mut claims = Map::new();
    claims.insert("ver".into(), json!(1));
    claims.insert("jti".into(), json!(format!("AT.{}", random_id(43))));
    claims.insert("iss".into(), json!(server.issuer));
    claims.insert("aud".into(), json!(server.audience));
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + server.config.access_token_lifetime_secs));
    claims.insert("cid".into(), json!(client.client_id));
    if let Some(user) = user {
        claims.insert("uid".into(), json!(user.id));
    }
    claims.insert("scp".into(), json!(scopes));
    if user.is_some() {
        claims.insert("auth_time".into(), json!(now));
    }
    // Okta's default sub: `(appuser != null) ? appuser.userName : app.clientId`.
    claims.insert("sub".into(), json!(user.map_or(&client.client_id, |u| &u.login)));
    apply(&mut claims, &server.config.access_token_claims);
    apply(&mut claims, &client.access_token_claims);
    if let Some(user) = user {
        apply(&mut claims, &user.access_token_claims);
    }
    Value::Object(claims)
}

/// ID token claims (okta.md §2.2): `aud` is the client id, a string; `sub` the user id.
fn id_token_claims(
    state: &OktaState,
    server: &AuthServer,
    client: &ClientConfig,
    user: &UserConfig,
    scopes: &[String],
    access_token: &str,
    now: i64,
) -> Value {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(user.id));
    if has("profile") {
        claims.insert("name".into(), json!(user.name));
    }
    if has("email") {
        claims.insert("email".into(), json!(user.email.as_deref().unwrap_or(&user.login)));
    }
    claims.insert("ver".into(), json!(1));
    claims.insert("iss".into(), json!(server.issuer));
    claims.insert("aud".into(), json!(client.client_id));
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + server.config.id_token_lifetime_secs));
    claims.insert("jti".into(), json!(format!("ID.{}", random_id(43))));
    claims.insert("amr".into(), json!(["pwd"]));
    claims.insert("idp".into(), json!(state.org_id));
    if has("profile") {
        claims.insert("preferred_username".into(), json!(user.login));
    }
    claims.insert("auth_time".into(), json!(now));
    claims.insert("at_hash".into(), json!(at_hash(access_token)));
    apply(&mut claims, &server.config.id_token_claims);
    apply(&mut claims, &client.id_token_claims);
    apply(&mut claims, &user.id_token_claims);
    Value::Object(claims)
}

/// Merges overrides into `claims`; a `null` override removes the claim.
fn apply(claims: &mut Map<String, Value>, overrides: &Claims) {
    for (name, value) in overrides {
        if value.is_null() {
            claims.remove(name);
        } else {
            claims.insert(name.clone(), value.clone());
        }
    }
}

/// OIDC Core §3.1.3.6: base64url of the left half of SHA-256 of the access token.
fn at_hash(access_token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access_token.as_bytes());
    B64.encode(&digest.as_ref()[..16])
}

/// A random identifier of `len` base64url characters.
pub(crate) fn random_id(len: usize) -> String {
    let mut bytes = vec![0u8; len.div_ceil(4) * 3];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system RNG is available");
    let mut id = B64.encode(bytes);
    id.truncate(len);
    id
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_parses_only_basic_credentials() {
        let header = format!("Basic {}", STANDARD.encode("0oa1:s3cr:et"));
        assert_eq!(
            BasicAuth::parse(&header),
            Some(BasicAuth { client_id: "0oa1".into(), client_secret: "s3cr:et".into() })
        );
        assert_eq!(BasicAuth::parse("Bearer abc"), None);
        assert_eq!(BasicAuth::parse("Basic !!!"), None);
        assert_eq!(BasicAuth::parse(&format!("Basic {}", STANDARD.encode("no-colon"))), None);
    }

    #[test]
    fn null_overrides_remove_claims_and_values_replace_them() {
        let mut claims = Map::new();
        claims.insert("aud".into(), json!("api://default"));
        claims.insert("sub".into(), json!("alice"));
        let overrides: Claims =
            serde_json::from_value(json!({"aud": null, "sub": "bob", "azp": "x"})).unwrap();
        apply(&mut claims, &overrides);
        assert_eq!(Value::Object(claims), json!({"sub": "bob", "azp": "x"}));
    }

    #[test]
    fn random_ids_have_the_asked_length_and_differ() {
        let a = random_id(43);
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_id(43));
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn at_hash_matches_the_oidc_core_example() {
        // The access token and at_hash from OpenID Connect Core 1.0, Appendix A.3/A.4.
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
