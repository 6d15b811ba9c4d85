//! mock-okta on a socket: the router of every Okta URL (`endpoints/`), `serve`, and the
//! [`MockOkta`] handle for tests that need Okta alone.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::error::{Error, OAuthError, OktaError};
use crate::org::OktaState;
use crate::{Clock, OktaConfig};

/// The largest request body mock-okta reads: token requests are small (a `private_key_jwt`
/// assertion is a few kilobytes).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How long a request's body may take to arrive once its headers have, by default.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// The axum router of one mock Okta org.
pub fn router(state: Arc<OktaState>) -> Router {
    router_with(state, BODY_TIMEOUT)
}

/// The router, with bodies read within `body_timeout`.
pub fn router_with(state: Arc<OktaState>, body_timeout: Duration) -> Router {
    router_with_console(state, body_timeout, None)
}

/// The router, with `console` (the harness's web console) served under `/__fedmock/ui`
/// behind the control API's guard: mock-okta knows nothing of it but where it sits.
pub fn router_with_console(
    state: Arc<OktaState>,
    body_timeout: Duration,
    console: Option<Router>,
) -> Router {
    crate::endpoints::routes(&state, console)
        .with_state(state)
        .layer(middleware::from_fn(move |request, next| bounded_body(body_timeout, request, next)))
}

/// An answer given without reading the whole body: the connection cannot carry another
/// request, so it says it closes (RFC 9110 §9.6) and a client's pool does not reuse it.
fn closing(mut response: Response) -> Response {
    response.headers_mut().insert(header::CONNECTION, header::HeaderValue::from_static("close"));
    response
}

/// Reads the body before any handler: one announced over the limit is refused at once, one
/// that grows over it when it does, one that does not arrive within `timeout` then. Okta's own
/// answers to these are not public: the OAuth error shape with words of fedmock's.
async fn bounded_body(timeout: Duration, request: Request, next: Next) -> Response {
    let too_large = || {
        let description = format!("The request body must be smaller than {MAX_BODY_BYTES} bytes.");
        closing(
            OktaError::from(OAuthError::custom(413, "invalid_request", &description))
                .into_response(),
        )
    };
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(timeout, axum::body::to_bytes(body, MAX_BODY_BYTES)).await {
        Err(_) => closing(
            OktaError::from(OAuthError::custom(
                408,
                "invalid_request",
                "The request body did not arrive in time.",
            ))
            .into_response(),
        ),
        Ok(Err(e)) if over_limit(&e) => too_large(),
        Ok(Err(_)) => OktaError::from(OAuthError::custom(
            400,
            "invalid_request",
            "The request body could not be read.",
        ))
        .into_response(),
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
    }
}

/// Whether reading failed because the body passed the limit.
fn over_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// Serves `state` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: Arc<OktaState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
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
