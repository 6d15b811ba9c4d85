//! The reference every server figure is divided by: an axum hello-world on the same runtime
//! as fedmock (multi-thread tokio), answering `POST /` with a small JSON body whatever it is
//! sent, so wrk can send it the very bodies it sends GetId and GetCredentialsForIdentity.
//!
//! Usage: `hello [ADDR]` (default 127.0.0.1:8409).

use axum::Router;
use axum::routing::{get, post};

fn main() -> anyhow::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8409".into());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let app = Router::new()
            .route(
                "/",
                post(|body: axum::body::Bytes| async move {
                    format!("{{\"received\":{}}}", body.len())
                }),
            )
            .route("/", get(|| async { "hello" }));
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        eprintln!("hello listening on http://{addr}/");
        axum::serve(listener, app).await?;
        Ok(())
    })
}
