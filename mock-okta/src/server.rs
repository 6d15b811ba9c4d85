//! HTTP: Okta's two URL layouts mapped onto thin handlers.
//!
//! The same endpoint set is mounted twice: under `/oauth2/v1/` for the org server and under
//! `/oauth2/{id}/v1/` for custom servers; discovery sits at `/.well-known/*` (org),
//! `/oauth2/{id}/.well-known/*` and the RFC 8414 form. fedmock's own control API is under
//! `/__fedmock/` (see `admin.rs`), a path Okta never uses.
//! Handlers extract, call one domain function, and wrap the result.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::authorize::{self, AuthorizeParams};
use crate::client_auth::{BasicAuth, CarriesClient};
use crate::error::{ApiError, Error, JSON_UTF8, OAuthError};
use crate::inspect::{self, LogoutParams, TokenInspectForm};
use crate::state::{AuthServer, ORG, OktaState};
use crate::tokens::{self, TokenForm};
use crate::{Clock, OktaConfig, admin};

/// JWKS cache lifetime, in Okta's header form (okta.md §2.6).
const JWKS_CACHE_CONTROL: &str = "max-age=3832304, must-revalidate";

/// The axum router of one mock Okta org.
pub fn router(state: Arc<OktaState>) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(openid_configuration))
        .route("/.well-known/oauth-authorization-server", get(oauth_metadata))
        .route("/oauth2/{server}/.well-known/openid-configuration", get(openid_configuration))
        .route("/oauth2/{server}/.well-known/oauth-authorization-server", get(oauth_metadata))
        .route("/.well-known/oauth-authorization-server/oauth2/{server}", get(oauth_metadata))
        .nest("/oauth2", endpoints())
        .nest("/oauth2/{server}", endpoints())
        .nest("/__fedmock", admin::routes())
        .fallback(not_found)
        .with_state(state)
}

fn endpoints() -> Router<Arc<OktaState>> {
    Router::new()
        .route("/v1/keys", get(keys))
        .route("/v1/token", post(token))
        .route("/v1/authorize", get(authorize_query).post(authorize_form))
        .route("/v1/userinfo", get(userinfo).post(userinfo))
        .route("/v1/introspect", post(introspect))
        .route("/v1/revoke", post(revoke))
        .route("/v1/logout", get(logout))
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
    fn resolve<'s>(&self, state: &'s OktaState) -> Result<&'s AuthServer, ApiError> {
        state.server_by_key(&self.0).ok_or_else(|| ApiError::unknown_auth_server(&self.0))
    }
}

pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    response
}

fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

async fn openid_configuration(State(s): Shared, id: ServerId) -> Result<Response, Response> {
    Ok(json_response(StatusCode::OK, &id.resolve(&s)?.discovery(&s.base_url, true)))
}

async fn oauth_metadata(State(s): Shared, id: ServerId) -> Result<Response, Response> {
    Ok(json_response(StatusCode::OK, &id.resolve(&s)?.discovery(&s.base_url, false)))
}

async fn keys(State(s): Shared, id: ServerId) -> Result<Response, Response> {
    let server = id.resolve(&s)?;
    let faults = s.faults();
    if faults.jwks_delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.jwks_delay_ms)).await;
    }
    if let Some(status) = faults.jwks_status {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = json!({"errorCode": "E0000009", "errorSummary": "Internal Server Error", "errorCauses": []});
        return Ok(json_response(status, &body));
    }
    let keys: Vec<Value> = server
        .keys
        .all()
        .await
        .map_err(|e| OAuthError::from(e).into_response())?
        .iter()
        .map(|k| k.jwk())
        .collect();
    let mut response = json_response(StatusCode::OK, &json!({ "keys": keys }));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(JWKS_CACHE_CONTROL));
    Ok(response)
}

/// A form that carries client credentials, with an `Authorization: Basic` header folded in.
struct ClientForm<T>(T);

impl<S: Send + Sync, T: CarriesClient> FromRequest<S> for ClientForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let basic = basic(request.headers());
        let Form(mut form) =
            Form::<T>::from_request(request, state).await.map_err(|_| not_a_form())?;
        form.client().basic = basic;
        Ok(Self(form))
    }
}

fn basic(headers: &HeaderMap) -> Option<BasicAuth> {
    headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).and_then(BasicAuth::parse)
}

fn not_a_form() -> Response {
    // Okta requires application/x-www-form-urlencoded bodies.
    OAuthError::invalid_request("The request must be application/x-www-form-urlencoded.")
        .into_response()
}

async fn token(
    State(s): Shared,
    id: ServerId,
    ClientForm(form): ClientForm<TokenForm>,
) -> Result<Response, Response> {
    let server = id.resolve(&s)?;
    match tokens::issue(&s, server, form).await {
        Ok(answer) => Ok(no_store(json_response(StatusCode::OK, &json!(answer)))),
        Err(err) => {
            tracing::info!(server = %server.issuer, error = %err.error, description = %err.description, "token request refused");
            Err(err.into_response())
        }
    }
}

async fn authorize_query(
    State(s): Shared,
    id: ServerId,
    Query(params): Query<AuthorizeParams>,
) -> Result<Response, Response> {
    Ok(authorize::authorize(&s, id.resolve(&s)?, params).await.into_response())
}

async fn authorize_form(
    State(s): Shared,
    id: ServerId,
    form: Result<Form<AuthorizeParams>, FormRejection>,
) -> Result<Response, Response> {
    let server = id.resolve(&s)?;
    let Form(params) = form.map_err(|_| not_a_form())?;
    Ok(authorize::authorize(&s, server, params).await.into_response())
}

async fn userinfo(
    State(s): Shared,
    id: ServerId,
    headers: HeaderMap,
) -> Result<Response, Response> {
    let server = id.resolve(&s)?;
    let authorization = headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok());
    match inspect::userinfo(&s, server, authorization).await {
        Ok(claims) => Ok(json_response(StatusCode::OK, &claims)),
        Err(err) => Err(err.into_response()),
    }
}

async fn introspect(
    State(s): Shared,
    id: ServerId,
    ClientForm(form): ClientForm<TokenInspectForm>,
) -> Result<Response, Response> {
    let server = id.resolve(&s)?;
    let answer =
        inspect::introspect(&s, server, form).await.map_err(IntoResponse::into_response)?;
    Ok(json_response(StatusCode::OK, &answer))
}

async fn revoke(
    State(s): Shared,
    id: ServerId,
    ClientForm(form): ClientForm<TokenInspectForm>,
) -> Result<Response, Response> {
    let server = id.resolve(&s)?;
    inspect::revoke(&s, server, form).await.map_err(IntoResponse::into_response)?;
    Ok(StatusCode::OK.into_response())
}

async fn logout(
    State(s): Shared,
    id: ServerId,
    Query(params): Query<LogoutParams>,
) -> Result<Response, Response> {
    Ok(inspect::logout(&s, id.resolve(&s)?, params).await)
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
