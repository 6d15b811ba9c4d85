//! Endpoints that read tokens the server issued: `/v1/userinfo`, `/v1/introspect`,
//! `/v1/revoke`, `/v1/logout` (okta.md §1.2).
//!
//! A token counts as this server's when its signature verifies with one of the server's own
//! keys (published, or the org server's unpublished access-token key) and its `iss` is the
//! server's issuer. Revocation is remembered by `jti` (access tokens) or removes the refresh
//! token.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::authorize::{escape, redirect_with_query};
use crate::client_auth::{self, PresentedClient};
use crate::error::OAuthError;
use crate::state::{AuthServer, OktaState};

/// The form of `/v1/introspect` and `/v1/revoke`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TokenInspectForm {
    /// The token to look at.
    pub token: Option<String>,
    /// `access_token`, `id_token` or `refresh_token` (a hint only).
    pub token_type_hint: Option<String>,
    /// Client credentials in the body.
    #[serde(flatten)]
    pub client: PresentedClient,
}

/// The query of `/v1/logout`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct LogoutParams {
    /// An ID token the server issued (expired is fine).
    pub id_token_hint: Option<String>,
    /// Where to go afterwards; must be registered for the token's client.
    pub post_logout_redirect_uri: Option<String>,
    /// Returned as is.
    pub state: Option<String>,
}

/// The claims of a JWT this server signed, expired or not; `None` for anything else.
async fn own_token(server: &AuthServer, token: &str) -> Option<Map<String, Value>> {
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

/// `/v1/userinfo` errors: 401/403 with Okta's `WWW-Authenticate` challenge.
#[derive(Debug)]
pub struct BearerError {
    status: StatusCode,
    error: &'static str,
    description: &'static str,
}

impl IntoResponse for BearerError {
    fn into_response(self) -> Response {
        let challenge =
            format!(r#"Bearer error="{}", error_description="{}""#, self.error, self.description);
        let body = json!({"error": self.error, "error_description": self.description});
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_str(&challenge).expect("ASCII challenge"),
        );
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(crate::error::JSON_UTF8));
        response
    }
}

/// `/v1/userinfo`: the user's claims for a valid access token with `openid`.
pub async fn userinfo(
    state: &OktaState,
    server: &AuthServer,
    authorization: Option<&str>,
) -> Result<Value, BearerError> {
    let invalid = || BearerError {
        status: StatusCode::UNAUTHORIZED,
        error: "invalid_token",
        description: "The access token is invalid",
    };
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
        return Err(BearerError {
            status: StatusCode::FORBIDDEN,
            error: "insufficient_scope",
            description: "The access token must provide access to at least one of these scopes - profile, email, address or phone",
        });
    }
    Ok(crate::claims::userinfo(user, &scopes))
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
        return Err(OAuthError::invalid_request("The token parameter is required."));
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
        return Err(OAuthError::invalid_request("The token parameter is required."));
    };
    if !state.grants.drop_refresh(token)
        && let Some(claims) = own_token(server, token).await
        && let Some(jti) = claims.get("jti").and_then(Value::as_str)
    {
        state.grants.revoke_jti(jti);
    }
    Ok(())
}

/// `/v1/logout`: ends the (notional) session and returns to a registered URI.
pub async fn logout(state: &OktaState, server: &AuthServer, params: LogoutParams) -> Response {
    let page = |error: OAuthError| {
        let body = format!(
            "<!DOCTYPE html><html><body><h1>400 Bad Request</h1><p>{}</p></body></html>",
            escape(&error.description)
        );
        (StatusCode::BAD_REQUEST, Html(body)).into_response()
    };
    let Some(hint) = params.id_token_hint.as_deref() else {
        // Okta requires id_token_hint (okta.md §1.2); text inferred.
        return page(OAuthError::invalid_request("The 'id_token_hint' parameter is required."));
    };
    let Some(claims) = own_token(server, hint).await else {
        return page(OAuthError::invalid_request(
            "The 'id_token_hint' parameter is not a valid ID token.",
        ));
    };
    let client = claims.get("aud").and_then(Value::as_str).and_then(|aud| state.client(aud));
    match (params.post_logout_redirect_uri, client) {
        (Some(uri), Some(client)) if client.post_logout_redirect_uris.contains(&uri) => {
            let query: Vec<(String, String)> =
                params.state.map(|s| vec![("state".to_owned(), s)]).unwrap_or_default();
            redirect_with_query(&uri, &query)
        }
        (Some(_), _) => page(OAuthError::invalid_request(
            "The 'post_logout_redirect_uri' parameter must be a Logout redirect URI in the client app settings.",
        )),
        (None, _) => {
            Html("<!DOCTYPE html><html><body><p>You have been signed out.</p></body></html>")
                .into_response()
        }
    }
}
