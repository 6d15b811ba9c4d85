//! Makes N GetId or GetCredentialsForIdentity calls through mock-cognito's router, or N
//! client_credentials token requests through mock-okta's, in process (no socket; console feed
//! on, as in `fedmock up`), for counting instructions per call with callgrind: on this noisy
//! machine times swing by half between runs, instruction counts do not.
//!
//! Usage: `service-calls get-id|credentials|tokens N`. The cost of one call is the difference of two
//! runs' totals over the difference of their N (benches/README.md, "Where the time goes"):
//!
//! ```text
//! valgrind --tool=callgrind --callgrind-out-file=a.out target/dist/service-calls credentials 1000
//! valgrind --tool=callgrind --callgrind-out-file=b.out target/dist/service-calls credentials 2000
//! ```

use std::sync::Arc;

use anyhow::Context as _;
use axum::body::{Body, Bytes};
use axum::http::Request;
use harness::{Federation, TokenRequest};
use tower::ServiceExt as _;

/// The allocator `fedmock` ships with: allocation is a large part of a call's instructions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: service-calls get-id|credentials|tokens N";
    let operation = args.next().context(usage)?;
    let calls: u64 = args.next().context(usage)?.parse().context(usage)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let fed = Federation::builder().console().start().await?;
        if operation == "tokens" {
            return tokens(&fed, calls).await;
        }
        let (user, password) = fed.user();
        let token = fed.token(TokenRequest::password(user, password, "openid")).await?.access_token;
        let router =
            harness::mock_cognito::router(Arc::clone(fed.cognito().context("in process")?));
        let call = |target: &'static str, body: Bytes| {
            let request = Request::post("/")
                .header("content-type", "application/x-amz-json-1.1")
                .header("x-amz-target", format!("AWSCognitoIdentityService.{target}"))
                .body(Body::from(body));
            let router = router.clone();
            async move {
                let answer = router.oneshot(request?).await?;
                anyhow::ensure!(answer.status().is_success(), "{target}: {}", answer.status());
                Ok(axum::body::to_bytes(answer.into_body(), usize::MAX).await?)
            }
        };
        let logins = serde_json::json!({ fed.logins_key(): token });
        let get_id = serde_json::json!({ "IdentityPoolId": fed.pool_id(), "Logins": logins });
        let get_id = Bytes::from(get_id.to_string());
        let id: serde_json::Value = serde_json::from_slice(&call("GetId", get_id.clone()).await?)?;
        let credentials = serde_json::json!({ "IdentityId": id["IdentityId"], "Logins": logins });
        let (target, body) = match operation.as_str() {
            "get-id" => ("GetId", get_id),
            "credentials" => ("GetCredentialsForIdentity", Bytes::from(credentials.to_string())),
            _ => anyhow::bail!(usage),
        };
        for _ in 0..calls {
            call(target, body.clone()).await?;
        }
        anyhow::Ok(())
    })
}

/// `calls` client_credentials requests through the Okta router `fedmock up` serves.
async fn tokens(fed: &Federation, calls: u64) -> anyhow::Result<()> {
    let okta = Arc::clone(fed.okta().context("in process")?);
    let router = harness::mock_okta::router(okta);
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{}:{}", fed.client_id(), fed.client_secret()),
    );
    for _ in 0..calls {
        let request = Request::post("/oauth2/default/v1/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("authorization", format!("Basic {basic}"))
            .body(Body::from("grant_type=client_credentials&scope=fedmock.read"))?;
        let answer = router.clone().oneshot(request).await?;
        anyhow::ensure!(answer.status().is_success(), "token: {}", answer.status());
        axum::body::to_bytes(answer.into_body(), usize::MAX).await?;
    }
    Ok(())
}
