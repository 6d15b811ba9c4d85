//! How both mocks accept and serve connections, plain or TLS, in one loop: a cap on open
//! connections, a deadline for a request's headers, and a graceful drain.
//!
//! `axum::serve` sets no timer, so a client that sends half a request head and then nothing
//! (slow loris) held a connection forever, and nothing bounded how many such connections there
//! were (issue 15). Here each connection is served by hyper with a header-read deadline, and a
//! semaphore caps the connections open at once: at the cap, accepting waits (the kernel's
//! backlog queues) until one closes, which the deadline guarantees for idle attackers. The
//! deadline is noticed within `deadlines::TICK` of passing.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::deadlines::ConnectionTimer;

/// Bounds on what clients can hold open. `fedmock up` has flags for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once, per port. Defaults to 4096.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers once it has started (and,
    /// on a kept-alive connection, the next request's). Defaults to 10 s.
    pub header_timeout: Duration,
    /// How long a request's body may take to arrive once its headers have. Defaults to 10 s.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
        }
    }
}

/// Serves `app` on `listener` (over TLS when `tls` is given) until `drain` turns true; then
/// stops accepting, lets requests in flight finish and returns once every connection closed.
pub(crate) async fn serve(
    listener: TcpListener,
    app: axum::Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    limits: Limits,
    mut drain: watch::Receiver<bool>,
) {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.header_read_timeout(limits.header_timeout);
    loop {
        let accepted = tokio::select! {
            accepted = async {
                let permit = Arc::clone(&permits).acquire_owned().await;
                (permit, listener.accept().await)
            } => accepted,
            _ = drain.wait_for(|draining| *draining) => break,
        };
        let (Ok(permit), accepted) = accepted else { break };
        let Ok((tcp, _)) = accepted else {
            // Out of file descriptors or similar: wait a moment rather than spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        tcp.set_nodelay(true).ok();
        let (app, acceptor, mut http, watcher) =
            (app.clone(), acceptor.clone(), http.clone(), graceful.watcher());
        // Each connection's own coarse timer: hyper arms the deadline for every request.
        http.timer(ConnectionTimer::new());
        tokio::spawn(async move {
            let service = TowerToHyperService::new(app);
            let result = match acceptor {
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(limits.header_timeout, acceptor.accept(tcp)).await;
                    let Ok(Ok(stream)) = handshake else { return };
                    watcher.watch(http.serve_connection(TokioIo::new(stream), service)).await
                }
                None => watcher.watch(http.serve_connection(TokioIo::new(tcp), service)).await,
            };
            if let Err(err) = result {
                tracing::debug!(%err, "connection ended");
            }
            drop(permit);
        });
    }
    graceful.shutdown().await;
}
