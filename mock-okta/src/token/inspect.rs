//! Reading tokens the server issued, for `/v1/userinfo`, `/v1/introspect`, `/v1/revoke` and
//! `/v1/logout` (docs/reference/okta.md §1.2).
//!
//! A token counts as this server's when its signature verifies with one of the server's own
//! keys (published, or the org server's unpublished access-token key) and its `iss` is the
//! server's issuer. Revocation is remembered by `jti` (access tokens) or removes the refresh
//! token.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::client_auth::{self, PresentedClient};
use crate::error::OAuthError;
use crate::org::{AuthServer, OktaState};

/// The form of `/v1/introspect` and `/v1/revoke`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TokenInspectForm {
    /// The token to look at.
    pub token: Option<String>,
    /// `access_token`, `id_token` or `refresh_token`: a hint Okta accepts and fedmock does
    /// not need (it recognises its own tokens).
    #[allow(dead_code)]
    pub token_type_hint: Option<String>,
    /// Client credentials in the body.
    #[serde(flatten)]
    pub client: PresentedClient,
}

/// The claims of a JWT this server signed, expired or not; `None` for anything else.
pub(crate) async fn own_token(server: &AuthServer, token: &str) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (header, claims) = (parts.next()?, parts.next()?);
    let header: Value = serde_json::from_slice(&B64.decode(header).ok()?).ok()?;
    let kid = header.get("kid")?.as_str()?;
    if header.get("alg")?.as_str()? != "RS256" {
        return None;
    }
    let mut key = server.keys.find(kid).await.ok()?;
    if key.is_none()
        && let Some(hidden) = &server.hidden_access_token_key
    {
        key = hidden.find(kid).await.ok()?;
    }
    if !key?.verifies(token) {
        return None;
    }
    let claims: Map<String, Value> = serde_json::from_slice(&B64.decode(claims).ok()?).ok()?;
    (claims.get("iss")?.as_str()? == server.issuer).then_some(claims)
}

/// The claims of a token that is this server's, unexpired and not revoked.
async fn active_token(
    state: &OktaState,
    server: &AuthServer,
    token: &str,
) -> Option<Map<String, Value>> {
    let claims = own_token(server, token).await?;
    let exp = claims.get("exp")?.as_i64()?;
    let jti = claims.get("jti")?.as_str()?;
    (exp > state.clock.now() && !state.grants.is_revoked(jti)).then_some(claims)
}

/// `/v1/userinfo`: the user's claims for a valid access token with `openid`.
pub async fn userinfo(
    state: &OktaState,
    server: &AuthServer,
    authorization: Option<&str>,
) -> Result<Value, OAuthError> {
    let invalid = || OAuthError::invalid_token("The access token is invalid");
    let token = authorization.and_then(|h| h.strip_prefix("Bearer ")).ok_or_else(invalid)?;
    let claims = active_token(state, server, token.trim()).await.ok_or_else(invalid)?;
    let scopes: Vec<String> = claims
        .get("scp")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .ok_or_else(invalid)?;
    let user = claims
        .get("uid")
        .and_then(Value::as_str)
        .and_then(|uid| state.user_by_id(uid))
        .ok_or_else(invalid)?;
    if !scopes.iter().any(|s| s == "openid") {
        return Err(OAuthError::insufficient_scope(
            "The access token must provide access to at least one of these scopes - profile, email, address or phone",
        ));
    }
    Ok(super::claims::userinfo(user, &scopes))
}

/// `/v1/introspect` (RFC 7662): `{"active": false}` for anything not live.
pub async fn introspect(
    state: &OktaState,
    server: &AuthServer,
    form: TokenInspectForm,
) -> Result<Value, OAuthError> {
    client_auth::authenticate(
        state,
        &format!("{}/introspect", server.endpoint_base),
        &form.client,
    )?;
    let Some(token) = form.token.as_deref().filter(|t| !t.is_empty()) else {
        return Err(OAuthError::invalid_request("The 'token' parameter is required."));
    };
    if let Some(grant) = state.grants.refresh(token)
        && grant.server == server.key()
        && grant.expires_at > state.clock.now()
    {
        let mut answer = json!({
            "active": true,
            "token_type": "Bearer",
            "scope": grant.scopes.join(" "),
            "client_id": grant.client_id,
            "iat": grant.issued_at,
            "exp": grant.expires_at,
            "iss": server.issuer,
        });
        if let Some(user) = grant.login.as_deref().and_then(|l| state.user_by_login(l)) {
            answer["username"] = json!(user.login);
            answer["sub"] = json!(user.login);
            answer["uid"] = json!(user.id);
        }
        return Ok(answer);
    }
    let Some(claims) = active_token(state, server, token).await else {
        return Ok(json!({"active": false}));
    };
    let mut answer = Map::new();
    answer.insert("active".into(), json!(true));
    answer.insert("token_type".into(), json!("Bearer"));
    if let Some(scp) = claims.get("scp").and_then(Value::as_array) {
        let scopes: Vec<&str> = scp.iter().filter_map(Value::as_str).collect();
        answer.insert("scope".into(), json!(scopes.join(" ")));
    }
    let client_id = claims.get("cid").or_else(|| claims.get("aud")).cloned();
    answer.insert("client_id".into(), client_id.unwrap_or(Value::Null));
    answer.insert("username".into(), claims.get("sub").cloned().unwrap_or(Value::Null));
    for name in ["exp", "iat", "sub", "aud", "iss", "jti", "uid"] {
        if let Some(value) = claims.get(name) {
            answer.insert(name.into(), value.clone());
        }
    }
    Ok(Value::Object(answer))
}

/// `/v1/revoke` (RFC 7009): always 200 for a valid client, whatever the token.
pub async fn revoke(
    state: &OktaState,
    server: &AuthServer,
    form: TokenInspectForm,
) -> Result<(), OAuthError> {
    client_auth::authenticate(state, &format!("{}/revoke", server.endpoint_base), &form.client)?;
    let Some(token) = form.token.as_deref().filter(|t| !t.is_empty()) else {
        return Err(OAuthError::invalid_request("The 'token' parameter is required."));
    };
    if !state.grants.drop_refresh(token)
        && let Some(claims) = own_token(server, token).await
        && let Some(jti) = claims.get("jti").and_then(Value::as_str)
    {
        state.grants.revoke_jti(jti);
    }
    Ok(())
}
