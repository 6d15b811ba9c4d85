//! mock-okta on a socket: the router of every Okta URL (`endpoints/`), `serve`, and the
//! [`MockOkta`] handle for tests that need Okta alone.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::error::Error;
use crate::org::OktaState;
use crate::{Clock, OktaConfig};

/// The axum router of one mock Okta org.
pub fn router(state: Arc<OktaState>) -> Router {
    crate::endpoints::routes(&state).with_state(state)
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
