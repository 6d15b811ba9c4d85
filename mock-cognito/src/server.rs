//! HTTP: one endpoint, `POST /`, like `cognito-identity.<region>.amazonaws.com`, which also
//! answers STS and IAM: a form body without `X-Amz-Target` is the Query protocol (`query/`),
//! anything else is Cognito Identity's JSON 1.1 (`identity/`). Cognito's own OpenID key and
//! discovery document are served beside it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::Poll;

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::error::{Error, Protocol};
use crate::state::CognitoState;
use crate::trust::sigv4::SignedRequest;
use crate::{Clock, CognitoConfig, identity, query, texts};

/// Largest request body accepted: ten 50,000-character tokens fit with room to spare.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How long a request's body may take to arrive once its headers have, by default.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// The axum router of one mock Cognito Identity endpoint.
pub fn router(state: Arc<CognitoState>) -> Router {
    router_with(state, BODY_TIMEOUT)
}

/// The router, with bodies read within `body_timeout`.
pub fn router_with(state: Arc<CognitoState>, body_timeout: Duration) -> Router {
    Router::new()
        .route(
            "/",
            post(move |State(state), request| async move {
                cors(json_rpc(state, request, body_timeout).await)
            })
            .options(preflight)
            // Another method on the endpoint is an operation it does not have.
            .fallback(unknown),
        )
        .route("/.well-known/jwks_uri", get(cognito_jwks))
        .route("/.well-known/openid-configuration", get(cognito_discovery))
        .route(HEALTH_PATH, get(health))
        .fallback(unknown)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// Another method on one of fedmock's `GET` paths: 405 (axum adds `Allow`), readable by pages.
async fn method_not_allowed() -> Response {
    cors(axum::http::StatusCode::METHOD_NOT_ALLOWED.into_response())
}

/// What a page may read of an answer: AWS's request id, error type and message, the date
/// (AllanZhengYP/cors-test's run against real Cognito Identity and STS endpoints, output.md).
const EXPOSE_HEADERS: &str = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date";

/// Cognito Identity and STS serve browsers: every answer, errors included, may be read by a
/// page of any origin, so an SDK in a page sees AWS's error type and message. Each handler
/// adds the headers itself: a middleware layer cost a boxed service and future per request.
fn cors(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSE_HEADERS));
    response
}

/// The CORS preflight, as AWS answers it (AllanZhengYP/cors-test, output.md, a run against
/// `cognito-identity` and regional STS endpoints): 200, any origin, `POST`, the request
/// headers echoed, cached for two days.
async fn preflight(headers: HeaderMap) -> Response {
    let mut response = axum::http::StatusCode::OK.into_response();
    let out = response.headers_mut();
    if let Some(asked) = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.clone());
    }
    out.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST"));
    out.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("172800"));
    cors(response)
}

/// fedmock's health check, on a path AWS never serves: it answers once the endpoint serves.
pub const HEALTH_PATH: &str = "/__fedmock/health";

async fn health() -> Response {
    cors(
        axum::Json(serde_json::json!({"status": "ready", "service": "mock-cognito"}))
            .into_response(),
    )
}

/// Serves `state` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: Arc<CognitoState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}

async fn cognito_jwks(State(state): State<Arc<CognitoState>>) -> Response {
    let mut response =
        axum::Json(state.cognito_key.get(&state.region).await.jwks()).into_response();
    // AWS serves its JWKS with a long cache lifetime (docs/reference/cognito.md §3.2: 30 days).
    response
        .headers_mut()
        .insert(axum::http::header::CACHE_CONTROL, HeaderValue::from_static("max-age=2592000"));
    cors(response)
}

async fn cognito_discovery(State(state): State<Arc<CognitoState>>, headers: HeaderMap) -> Response {
    let host =
        headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let base = state.endpoint_url.clone().unwrap_or_else(|| format!("http://{host}"));
    cors(axum::Json(crate::trust::openid::discovery(&base)).into_response())
}

/// The protocol a request speaks, from its headers alone: a form without `X-Amz-Target` is
/// the Query protocol (STS, IAM), anything else JSON 1.1.
fn protocol(headers: &HeaderMap) -> Protocol {
    let form = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if form && !headers.contains_key(crate::identity::X_AMZ_TARGET) {
        query::STS
    } else {
        Protocol::Json
    }
}

/// Reads the body before any service code: one announced over the limit is refused at once
/// (nothing of it is read), one that grows over it is refused when it does, and one that
/// does not arrive within `timeout` is refused then, so a slow or endless body holds nothing.
/// A body with broken framing (bad chunk sizes) is left to the protocol to answer.
async fn bounded_body(
    timeout: Duration,
    request: Request,
    protocol: Protocol,
) -> Result<(Parts, Result<Bytes, String>), Response> {
    let too_large = || {
        let error = texts::BODY_TOO_LARGE.with(&[("max", &MAX_BODY_BYTES.to_string())]);
        closing(answer(error, protocol))
    };
    let announced = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let (parts, body) = request.into_parts();
    let mut read = std::pin::pin!(read_whole(body, MAX_BODY_BYTES));
    // A body that came with its headers (nearly every one) is read without arming a timer:
    // making and dropping one cost more than reading a small body.
    let read = match std::future::poll_fn(|cx| Poll::Ready(read.as_mut().poll(cx))).await {
        Poll::Ready(read) => Ok(read),
        Poll::Pending => tokio::time::timeout(timeout, read).await,
    };
    match read {
        Err(_) => Err(closing(answer(texts::BODY_TIMEOUT.error(), protocol))),
        Ok(Err(BodyError::TooLarge)) => Err(too_large()),
        Ok(Err(BodyError::Broken(why))) => Ok((parts, Err(why))),
        Ok(Ok(bytes)) => Ok((parts, Ok(bytes))),
    }
}

/// Why a body could not be read whole.
enum BodyError {
    /// It grew over the limit.
    TooLarge,
    /// Its framing broke (e.g. a bad chunk size).
    Broken(String),
}

/// The body, whole, up to `limit` bytes. A body that came in one piece (nearly every one) is
/// handed on as it came, without the buffer list and wrappers of `axum::body::to_bytes`; one in
/// pieces is joined. Nothing past `limit` is kept.
async fn read_whole(mut body: axum::body::Body, limit: usize) -> Result<Bytes, BodyError> {
    use http_body_util::BodyExt as _;
    let (mut first, mut joined, mut total) = (None::<Bytes>, Vec::new(), 0usize);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| BodyError::Broken(e.to_string()))?;
        // Trailers carry nothing an operation reads.
        let Ok(data) = frame.into_data() else { continue };
        total = total.saturating_add(data.len());
        if total > limit {
            return Err(BodyError::TooLarge);
        }
        match first.take() {
            None if joined.is_empty() => first = Some(data),
            held => {
                joined.extend_from_slice(held.as_deref().unwrap_or_default());
                joined.extend_from_slice(&data);
            }
        }
    }
    Ok(if joined.is_empty() { first.unwrap_or_default() } else { joined.into() })
}

/// An answer given without reading the whole body: the connection cannot carry another
/// request, so it says it closes (RFC 9110 §9.6) and a client's pool does not reuse it.
fn closing(mut response: Response) -> Response {
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A refusal made at the edge, before any service code: in JSON 1.1 with a request id, as
/// the operations' answers carry one (the Query protocol's XML carries its own).
fn answer(error: crate::AwsError, protocol: Protocol) -> Response {
    let mut response = error.in_protocol(protocol).into_response();
    if protocol == Protocol::Json {
        crate::error::stamp_request_id(response.headers_mut());
    }
    response
}

/// `POST /`: the body, bounded, then Query (STS, IAM) or JSON 1.1 (Cognito Identity) by the
/// headers. The body is bounded here rather than in a middleware layer: each layer cost a boxed
/// service per request.
async fn json_rpc(state: Arc<CognitoState>, request: Request, body_timeout: Duration) -> Response {
    let protocol = protocol(request.headers());
    let (parts, body) = match bounded_body(body_timeout, request, protocol).await {
        Ok(read) => read,
        Err(refusal) => return refusal,
    };
    let Parts { method, uri, headers, .. } = &parts;
    if protocol == query::STS {
        return match body {
            Ok(body) => {
                query::dispatch(&state, SignedRequest { method, uri, headers, body: &body }).await
            }
            Err(_) => texts::MALFORMED_QUERY.error().in_protocol(query::STS).into_response(),
        };
    }
    identity::dispatch(&state, method, uri, headers, body).await
}

async fn unknown() -> Response {
    cors(answer(texts::UNKNOWN_OPERATION.error(), Protocol::Json))
}

/// A mock Cognito endpoint running on the caller's tokio runtime; stopped when dropped.
#[derive(Debug)]
pub struct MockCognito {
    state: Arc<CognitoState>,
    address: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl MockCognito {
    /// Starts an endpoint for `config` on `127.0.0.1` with an ephemeral port.
    pub async fn start(config: CognitoConfig, clock: Clock) -> Result<Self, Error> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let state = Arc::new(CognitoState::new(config, clock)?);
        let (tx, rx) = oneshot::channel();
        tokio::spawn(serve(listener, Arc::clone(&state), async {
            rx.await.ok();
        }));
        Ok(Self { state, address, shutdown: Some(tx) })
    }

    /// The endpoint URL an AWS SDK's `endpoint_url` takes.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The running account.
    pub fn state(&self) -> &Arc<CognitoState> {
        &self.state
    }
}

impl Drop for MockCognito {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            tx.send(()).ok();
        }
    }
}
