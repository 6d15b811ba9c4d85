//! What the fuzz targets share: one Cognito endpoint of the default world, built once, and a
//! way to send it a request in process and judge the answer (never a 5xx).

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::Request;
use mock_cognito::{Clock, CognitoState};
use tower::ServiceExt as _;

/// The default world's account, at a fixed time.
pub fn state() -> &'static Arc<CognitoState> {
    static STATE: OnceLock<Arc<CognitoState>> = OnceLock::new();
    STATE.get_or_init(|| {
        let mut config = harness::FederationConfig::default_world();
        // Issuer keys are fetched over HTTP: from a port nothing listens on, so a fetch fails fast.
        config.resolve("http://127.0.0.1:9");
        Arc::new(CognitoState::new(config.aws, Clock::from_fn(|| 1_800_000_000)).expect("the default world"))
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
    })
}

/// Sends `request` to the Cognito endpoint in process; panics (a finding) on a 5xx.
pub fn send(request: Request<Body>) {
    let router = mock_cognito::router(Arc::clone(state()));
    let response = runtime().block_on(router.oneshot(request)).expect("the router is infallible");
    let status = response.status();
    let body = runtime().block_on(axum::body::to_bytes(response.into_body(), usize::MAX));
    assert!(
        !status.is_server_error(),
        "a request got {status}: {:?}",
        body.map(|b| String::from_utf8_lossy(&b).into_owned())
    );
}
