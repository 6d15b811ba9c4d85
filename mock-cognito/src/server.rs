//! HTTP: one endpoint, `POST /`, like `cognito-identity.<region>.amazonaws.com`.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::error::{AwsError, Error, ErrorType};
use crate::state::CognitoState;
use crate::{Clock, CognitoConfig, protocol};

/// Largest request body accepted: ten 50,000-character tokens fit with room to spare.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The axum router of one mock Cognito Identity endpoint.
pub fn router(state: Arc<CognitoState>) -> Router {
    Router::new()
        .route("/", post(json_rpc))
        .fallback(unknown)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: Arc<CognitoState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}

async fn json_rpc(
    State(state): State<Arc<CognitoState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    protocol::dispatch(&state, &headers, body).await
}

async fn unknown() -> Response {
    AwsError::new(
        ErrorType::UnknownOperation,
        "Cognito Identity is served as POST / with X-Amz-Target",
    )
    .into_response()
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
