//! HTTP: Okta's two URL layouts mapped onto thin handlers.
//!
//! Org server: `/.well-known/*`, `/oauth2/v1/{keys,token}`.
//! Custom server `{id}`: `/oauth2/{id}/.well-known/*`, `/oauth2/{id}/v1/{keys,token}`, and the
//! RFC 8414 form `/.well-known/oauth-authorization-server/oauth2/{id}`.
//! Handlers extract, call one function of `tokens`/`state`, and wrap the result.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::error::{ApiError, Error, JSON_UTF8, OAuthError};
use crate::state::{AuthServer, OktaState};
use crate::tokens::{self, BasicAuth, TokenForm};
use crate::{Clock, OktaConfig};

/// JWKS cache lifetime, in Okta's header form (okta.md §2.6).
const JWKS_CACHE_CONTROL: &str = "max-age=3832304, must-revalidate";

/// The axum router of one mock Okta org.
pub fn router(state: Arc<OktaState>) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(org_openid_configuration))
        .route("/.well-known/oauth-authorization-server", get(org_oauth_metadata))
        .route("/oauth2/v1/keys", get(org_keys))
        .route("/oauth2/v1/token", post(org_token))
        .route("/oauth2/{server}/.well-known/openid-configuration", get(openid_configuration))
        .route("/oauth2/{server}/.well-known/oauth-authorization-server", get(oauth_metadata))
        .route("/.well-known/oauth-authorization-server/oauth2/{server}", get(oauth_metadata))
        .route("/oauth2/{server}/v1/keys", get(keys))
        .route("/oauth2/{server}/v1/token", post(token))
        .fallback(not_found)
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: Arc<OktaState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}

type Shared = State<Arc<OktaState>>;

fn custom<'s>(state: &'s OktaState, id: &str) -> Result<&'s AuthServer, ApiError> {
    state.server(id).ok_or_else(|| ApiError::unknown_auth_server(id))
}

fn json_response(body: &Value, cache_control: Option<&'static str>) -> Response {
    let mut response = body.to_string().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    if let Some(value) = cache_control {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

async fn org_openid_configuration(State(s): Shared) -> Response {
    json_response(&s.org.discovery(&s.base_url, true), None)
}

async fn org_oauth_metadata(State(s): Shared) -> Response {
    json_response(&s.org.discovery(&s.base_url, false), None)
}

async fn openid_configuration(
    State(s): Shared,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(json_response(&custom(&s, &id)?.discovery(&s.base_url, true), None))
}

async fn oauth_metadata(State(s): Shared, Path(id): Path<String>) -> Result<Response, ApiError> {
    Ok(json_response(&custom(&s, &id)?.discovery(&s.base_url, false), None))
}

async fn org_keys(State(s): Shared) -> Result<Response, OAuthError> {
    jwks(&s.org).await
}

async fn keys(State(s): Shared, Path(id): Path<String>) -> Result<Response, Response> {
    let server = custom(&s, &id).map_err(IntoResponse::into_response)?;
    jwks(server).await.map_err(IntoResponse::into_response)
}

async fn jwks(server: &AuthServer) -> Result<Response, OAuthError> {
    let keys: Vec<Value> = server.keys.all().await?.iter().map(|k| k.jwk()).collect();
    Ok(json_response(&json!({ "keys": keys }), Some(JWKS_CACHE_CONTROL)))
}

async fn org_token(
    State(s): Shared,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    token_response(&s, &s.org, &headers, form).await
}

async fn token(
    State(s): Shared,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    match custom(&s, &id) {
        Ok(server) => token_response(&s, server, &headers, form).await,
        Err(err) => err.into_response(),
    }
}

async fn token_response(
    state: &OktaState,
    server: &AuthServer,
    headers: &HeaderMap,
    form: Result<Form<TokenForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        // A body that is not form-encoded (Okta requires application/x-www-form-urlencoded).
        return OAuthError::invalid_request(
            "The request must be application/x-www-form-urlencoded.",
        )
        .into_response();
    };
    let basic =
        headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).and_then(BasicAuth::parse);
    match tokens::issue(state, server, basic, form).await {
        Ok(answer) => {
            let mut response = json_response(&json!(answer), None);
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, no-store"));
            headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response
        }
        Err(err) => {
            tracing::info!(server = %server.issuer, error = err.error, description = %err.description, "token request refused");
            err.into_response()
        }
    }
}

async fn not_found(request: Request) -> ApiError {
    ApiError::not_found(request.uri().path())
}

/// A mock Okta org running on the caller's tokio runtime; stopped when dropped.
///
/// The harness runs both mocks on a thread of its own instead; this handle is for tests that
/// need Okta alone.
#[derive(Debug)]
pub struct MockOkta {
    state: Arc<OktaState>,
    address: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl MockOkta {
    /// Starts an org from `config` on `127.0.0.1` with an ephemeral port.
    pub async fn start(config: OktaConfig) -> Result<Self, Error> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let state =
            Arc::new(OktaState::new(config, &format!("http://{address}"), Clock::system())?);
        let (tx, rx) = oneshot::channel();
        tokio::spawn(serve(listener, Arc::clone(&state), async {
            rx.await.ok();
        }));
        Ok(Self { state, address, shutdown: Some(tx) })
    }

    /// The org's base URL, which is also the org authorization server's issuer.
    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }

    /// The socket address the org listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The running org: servers, clients, users and clock.
    pub fn state(&self) -> &Arc<OktaState> {
        &self.state
    }
}

impl Drop for MockOkta {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            tx.send(()).ok();
        }
    }
}
