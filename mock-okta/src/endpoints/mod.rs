//! Okta's URLs mapped onto thin handlers: each extracts, calls one function of `token/` or
//! `org/`, and wraps the result; every error becomes an [`OktaError`] rendered in one place.
//!
//! The same endpoint set is mounted twice: under `/oauth2/v1/` for the org server and under
//! `/oauth2/{id}/v1/` for custom servers; discovery sits at `/.well-known/*` (org),
//! `/oauth2/{id}/.well-known/*` and the RFC 8414 form. fedmock's own control API is under
//! `/__fedmock/` (`control.rs`), a path Okta never uses.

mod authn;
mod authorize;
mod control;
mod cors;
mod metadata;
mod token;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

use crate::error::{ApiError, JSON_UTF8, OktaError};
use crate::org::{AuthServer, ORG, OktaState};

/// Every route of a mock Okta org.
pub(crate) fn routes(state: &Arc<OktaState>, console: Option<Router>) -> Router<Arc<OktaState>> {
    Router::new()
        .route("/.well-known/openid-configuration", get(metadata::openid_configuration))
        .route("/.well-known/oauth-authorization-server", get(metadata::oauth_metadata))
        .route(
            "/oauth2/{server}/.well-known/openid-configuration",
            get(metadata::openid_configuration),
        )
        .route(
            "/oauth2/{server}/.well-known/oauth-authorization-server",
            get(metadata::oauth_metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server/oauth2/{server}",
            get(metadata::oauth_metadata),
        )
        .route("/api/v1/authn", post(authn::authn))
        .route("/api/v1/sessions/me", get(authn::get_session).delete(authn::end_session))
        .route("/login/sessionCookieRedirect", get(authn::session_cookie_redirect))
        .nest("/oauth2", server_endpoints())
        .nest("/oauth2/{server}", server_endpoints())
        .nest("/__fedmock", control::routes(state, console))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(Arc::clone(state), cors::cors))
}

/// The endpoints of one authorization server, under its base.
fn server_endpoints() -> Router<Arc<OktaState>> {
    Router::new()
        .route("/v1/keys", get(metadata::keys))
        .route("/v1/token", post(token::token))
        .route("/v1/authorize", get(authorize::authorize_query).post(authorize::authorize_form))
        .route("/v1/userinfo", get(token::userinfo).post(token::userinfo))
        .route("/v1/introspect", post(token::introspect))
        .route("/v1/revoke", post(token::revoke))
        .route("/v1/logout", get(authorize::logout))
}

/// The authorization server a request addresses: `{server}` in the path, else the org.
struct ServerId(String);

impl<S: Send + Sync> FromRequestParts<S> for ServerId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = Path::<HashMap<String, String>>::from_request_parts(parts, state).await;
        let id =
            params.ok().and_then(|p| p.0.get("server").cloned()).unwrap_or_else(|| ORG.to_owned());
        Ok(Self(id))
    }
}

impl ServerId {
    fn resolve<'s>(&self, state: &'s OktaState) -> Result<&'s AuthServer, OktaError> {
        state.server_by_key(&self.0).ok_or_else(|| ApiError::unknown_auth_server(&self.0).into())
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
fn cookie<'h>(headers: &'h axum::http::HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A JSON answer with Okta's content type.
fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    response
}

/// Okta's headers on answers that carry tokens.
fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

async fn not_found(request: Request) -> OktaError {
    ApiError::not_found(request.uri().path()).into()
}
