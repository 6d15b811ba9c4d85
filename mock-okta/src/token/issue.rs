//! The token endpoint as a plain function: faults, client authentication, grant and scope
//! checks, then tokens built by `claims` and signed.
//!
//! Error codes and descriptions are Okta's own (docs/reference/okta.md §1.4, §2.8). Where Okta's exact text
//! is not published, the comment says so.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::claims::{self, Grant};
use super::client_auth::{self, PresentedClient};
use super::sign::sign;
use crate::config::{ClientConfig, UserConfig};
use crate::error::OAuthError;
use crate::org::grants::RefreshGrant;
use crate::org::{AuthServer, OIDC_SCOPES, OktaState, ServerKind};
use crate::random::random_id;

/// The form fields of a `/v1/token` request.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TokenForm {
    /// The grant type.
    pub grant_type: Option<String>,
    /// Space-separated scopes.
    pub scope: Option<String>,
    /// Resource owner login (`password`).
    pub username: Option<String>,
    /// Resource owner password (`password`).
    pub password: Option<String>,
    /// The authorization code (`authorization_code`).
    pub code: Option<String>,
    /// The redirect URI the code was issued for (`authorization_code`).
    pub redirect_uri: Option<String>,
    /// The PKCE verifier (`authorization_code`).
    pub code_verifier: Option<String>,
    /// The refresh token (`refresh_token`).
    pub refresh_token: Option<String>,
    /// Client credentials in the body.
    #[serde(flatten)]
    pub client: PresentedClient,
    /// The request's `Origin` header: set for a browser's request (not a form field).
    #[serde(skip)]
    pub origin: Option<String>,
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
    /// An opaque refresh token, when `offline_access` was granted.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub refresh_token: Option<String>,
    /// The signed ID token, when `openid` was granted to a user.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id_token: Option<String>,
}

/// Handles one token request against `server`.
pub async fn issue(
    state: &OktaState,
    server: &AuthServer,
    form: TokenForm,
) -> Result<TokenResponse, OAuthError> {
    state.faults().at_token_endpoint().await?;
    let client = client_auth::authenticate(state, &server.token_endpoint(), &form.client)?;
    let grant = form.grant_type.as_deref().filter(|g| !g.is_empty()).ok_or_else(|| {
        // Okta's exact text for a missing grant_type is not published (inferred).
        OAuthError::invalid_request("The 'grant_type' parameter is required.")
    })?;
    if !matches!(grant, "client_credentials" | "password" | "authorization_code" | "refresh_token")
    {
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
        return Err(unauthorized_grant(client));
    }
    if let Some(origin) = &form.origin {
        super::browser::check(state, client, grant, &form, origin)?;
    }
    let now = state.clock.now();
    match grant {
        "client_credentials" => {
            let scopes = requested_scopes(server, grant, form.scope.as_deref())?;
            serve(state, server, client, None, &scopes, now, None, Refresh::No).await
        }
        "password" => {
            let scopes = requested_scopes(server, grant, form.scope.as_deref())?;
            let user = resource_owner(state, &form)?;
            let refresh = Refresh::new_if_offline(client, &scopes);
            serve(state, server, client, Some(user), &scopes, now, None, refresh).await
        }
        "authorization_code" => {
            let code = redeem_code(state, server, client, &form)?;
            let user = state.user_by_login(&code.login).ok_or_else(invalid_code)?;
            let refresh = Refresh::new_if_offline(client, &code.scopes);
            serve(
                state,
                server,
                client,
                Some(user),
                &code.scopes,
                code.auth_time,
                code.nonce.as_deref(),
                refresh,
            )
            .await
        }
        _ => {
            let (token, grant, scopes) = redeem_refresh(state, server, client, &form)?;
            let user = grant.login.as_deref().and_then(|l| state.user_by_login(l));
            let refresh = if server.config.rotate_refresh_tokens {
                state.grants.drop_refresh(&token);
                Refresh::New
            } else {
                Refresh::Keep(token)
            };
            serve(state, server, client, user, &scopes, grant.auth_time, None, refresh).await
        }
    }
}

/// Whether the answer carries a refresh token, and which.
#[derive(Debug)]
pub(crate) enum Refresh {
    No,
    New,
    Keep(String),
}

impl Refresh {
    fn new_if_offline(client: &ClientConfig, scopes: &[String]) -> Self {
        let offline = scopes.iter().any(|s| s == "offline_access");
        if offline && client.grant_types.iter().any(|g| g == "refresh_token") {
            Self::New
        } else {
            Self::No
        }
    }
}

/// Builds, fault-adjusts and signs the tokens of a grant (also used by the implicit flow).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn serve(
    state: &OktaState,
    server: &AuthServer,
    client: &ClientConfig,
    user: Option<&UserConfig>,
    scopes: &[String],
    auth_time: i64,
    nonce: Option<&str>,
    refresh: Refresh,
) -> Result<TokenResponse, OAuthError> {
    let now = state.clock.now();
    let faults = state.faults();
    let grant = Grant { server, client, user, scopes, auth_time, nonce };
    let mut access = claims::access_token(&grant, now);
    claims::apply(&mut access, &faults.access_token_claims);
    let access_token =
        sign(state, server.access_token_keys(), &Value::Object(access), &faults.signing).await?;
    let id_token = match user {
        Some(user) if scopes.iter().any(|s| s == "openid") => {
            let mut id = claims::id_token(state, &grant, user, Some(&access_token), now);
            claims::apply(&mut id, &faults.id_token_claims);
            Some(sign(state, &server.keys, &Value::Object(id), &faults.signing).await?)
        }
        _ => None,
    };
    let refresh_token = match refresh {
        Refresh::No => None,
        Refresh::Keep(token) => Some(token),
        Refresh::New => {
            let token = random_id(43);
            state.grants.put_refresh(
                token.clone(),
                RefreshGrant {
                    server: server.key().to_owned(),
                    client_id: client.client_id.clone(),
                    scopes: scopes.to_vec(),
                    login: user.map(|u| u.login.clone()),
                    auth_time,
                    issued_at: now,
                    expires_at: now + server.config.refresh_token_lifetime_secs,
                },
            );
            Some(token)
        }
    };
    Ok(TokenResponse {
        token_type: "Bearer".into(),
        expires_in: server.config.access_token_lifetime_secs,
        access_token,
        scope: scopes.join(" "),
        refresh_token,
        id_token,
    })
}

pub(crate) fn unauthorized_grant(client: &ClientConfig) -> OAuthError {
    OAuthError::unauthorized_client(format!(
        "The client is not authorized to use the provided grant type. Configured grant types: {}.",
        list(&client.grant_types)
    ))
}

/// The scopes of a request, checked against the server (also used by `/v1/authorize`).
pub(crate) fn requested_scopes(
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
        return Err(invalid_scope());
    }
    scopes.dedup();
    Ok(scopes)
}

fn invalid_scope() -> OAuthError {
    OAuthError::invalid_scope(
        "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.",
    )
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

fn invalid_code() -> OAuthError {
    OAuthError::invalid_grant("The authorization code is invalid or has expired.")
}

fn redeem_code(
    state: &OktaState,
    server: &AuthServer,
    client: &ClientConfig,
    form: &TokenForm,
) -> Result<crate::org::grants::AuthCode, OAuthError> {
    let code =
        form.code.as_deref().and_then(|c| state.grants.take_code(c)).ok_or_else(invalid_code)?;
    if code.server != server.key() || code.expires_at <= state.clock.now() {
        return Err(invalid_code());
    }
    if code.client_id != client.client_id {
        return Err(OAuthError::invalid_grant(
            "The grant was issued to another client. Please make sure the 'client_id' matches the one used at the authorize request.",
        ));
    }
    if form.redirect_uri.as_deref() != Some(code.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant(
            "The 'redirect_uri' does not match the redirection URI used in the authorization request.",
        ));
    }
    let verified = match (&code.code_challenge, &form.code_verifier) {
        (Some(challenge), Some(verifier)) => &pkce_s256(verifier) == challenge,
        (None, None) => true,
        _ => false,
    };
    if !verified {
        return Err(OAuthError::invalid_grant("PKCE verification failed."));
    }
    Ok(code)
}

fn redeem_refresh(
    state: &OktaState,
    server: &AuthServer,
    client: &ClientConfig,
    form: &TokenForm,
) -> Result<(String, RefreshGrant, Vec<String>), OAuthError> {
    let invalid = || OAuthError::invalid_grant("The refresh token is invalid or expired.");
    let token = form.refresh_token.clone().ok_or_else(invalid)?;
    let grant = state.grants.refresh(&token).ok_or_else(invalid)?;
    if grant.server != server.key()
        || grant.client_id != client.client_id
        || grant.expires_at <= state.clock.now()
    {
        return Err(invalid());
    }
    // A refresh may narrow the scopes, never widen them.
    let scopes = match form.scope.as_deref().filter(|s| !s.trim().is_empty()) {
        None => grant.scopes.clone(),
        Some(asked) => {
            let asked: Vec<String> = asked.split_whitespace().map(str::to_owned).collect();
            if asked.iter().any(|s| !grant.scopes.contains(s)) {
                return Err(invalid_scope());
            }
            asked
        }
    };
    Ok((token, grant, scopes))
}

/// RFC 7636 S256: base64url(SHA-256(verifier)).
pub(crate) fn pkce_s256(verifier: &str) -> String {
    B64.encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes()))
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn the_token_form_reads_client_fields_too() {
        let form: TokenForm = serde_urlencoded::from_str(
            "grant_type=password&client_id=0oa1&client_secret=s&client_assertion_type=t&scope=openid",
        )
        .unwrap();
        assert_eq!(form.grant_type.as_deref(), Some("password"));
        assert_eq!(form.client.client_id.as_deref(), Some("0oa1"));
        assert_eq!(form.client.client_secret.as_deref(), Some("s"));
        assert_eq!(form.client.client_assertion_type.as_deref(), Some("t"));
    }
}
