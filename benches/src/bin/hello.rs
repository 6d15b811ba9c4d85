//! The reference every server figure is divided by: an axum hello-world on the same runtime
//! as fedmock (multi-thread tokio), answering `POST /` with a small JSON body whatever it is
//! sent, so wrk can send it the very bodies it sends GetId and GetCredentialsForIdentity.
//!
//! `POST /sign` is the least a token endpoint can do: RS256 over a fixed token-sized payload
//! with a 2048-bit key, the signature in base64url, nothing else. Divided by `openssl speed`,
//! it shows what serving a signature over HTTP on this machine costs (the request, the answer,
//! waking the load generator and sharing the cores with it), apart from anything fedmock does.
//!
//! Usage: `hello [ADDR]` (default 127.0.0.1:8409).

use std::sync::Arc;

use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

/// A signing input the size of a client_credentials access token's (header and claims).
const SIGNING_INPUT: &str = concat!(
    "eyJraWQiOiJmZWRtb2NrLWRlZmF1bHQtMSIsImFsZyI6IlJTMjU2In0.",
    "eyJ2ZXIiOjEsImp0aSI6IkFULmZlZG1vY2stMDEyMzQ1Njc4OWFiY2RlZi0wMTIzNDU2Nzg5YWJjZGVmIiwiaXNzIjoi",
    "aHR0cDovLzEyNy4wLjAuMTo4NDAwL29hdXRoMi9kZWZhdWx0IiwiYXVkIjoiYXBpOi8vZGVmYXVsdCIsImlhdCI6MTc2",
    "NDc4NDAwMCwiZXhwIjoxNzY0Nzg3NjAwLCJjaWQiOiIwb2FmZWRtb2NrMGNsaWVudDAwMDEiLCJzY3AiOlsiZmVkbW9j",
    "ay5yZWFkIl0sInN1YiI6IjBvYWZlZG1vY2swY2xpZW50MDAwMSJ9"
);

fn main() -> anyhow::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8409".into());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let key =
        Arc::new(KeyPair::generate(KeySize::Rsa2048).map_err(|_| anyhow::anyhow!("RSA key"))?);
    runtime.block_on(async {
        let app = Router::new()
            .route(
                "/",
                post(|body: axum::body::Bytes| async move {
                    format!("{{\"received\":{}}}", body.len())
                }),
            )
            .route("/", get(|| async { "hello" }))
            .route("/sign", post(move || sign(Arc::clone(&key))));
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        eprintln!("hello listening on http://{addr}/");
        axum::serve(listener, app).await?;
        Ok(())
    })
}

/// The signing input and its RS256 signature, as a JWS.
async fn sign(key: Arc<KeyPair>) -> Result<String, StatusCode> {
    let mut signature = vec![0; key.public_modulus_len()];
    let rng = aws_lc_rs::rand::SystemRandom::new();
    key.sign(&RSA_PKCS1_SHA256, &rng, SIGNING_INPUT.as_bytes(), &mut signature)
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(format!("{SIGNING_INPUT}.{}", B64.encode(signature)))
}
