//! Criterion benchmarks of what makes "every test owns a world" possible:
//! - `start`: `Federation::start()` (bind, config, thread and runtime; keys are lazy);
//! - `first_token`: start plus the first token, which generates the signing key;
//! - `exchange`: token → GetId → GetCredentialsForIdentity over HTTP, through the AWS SDK;
//! - `get_id`: GetId alone with a reused token (one RS256 verify per call);
//! - `service/*`: GetId and GetCredentialsForIdentity handed to mock-cognito's router in
//!   process, no socket, console feed on as in `fedmock up`: what the service itself costs per
//!   call, steadier than wrk on a noisy machine (benches/README.md, "Where the time goes").

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use criterion::{Criterion, criterion_group, criterion_main};
use harness::{Federation, TokenRequest};
use tower::ServiceExt as _;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

fn start(c: &mut Criterion) {
    let rt = runtime();
    c.bench_function("start", |b| b.iter(|| rt.block_on(Federation::start())));
    c.bench_function("start_and_first_token", |b| {
        b.iter(|| {
            rt.block_on(async {
                let fed = Federation::start().await;
                fed.token(TokenRequest::client_credentials()).await.expect("token")
            })
        })
    });
}

fn exchange(c: &mut Criterion) {
    let rt = runtime();
    let fed = rt.block_on(Federation::start());
    let client = fed.cognito_client();
    let (user, password) = fed.user();
    let request = TokenRequest::password(user, password, "openid");
    rt.block_on(fed.token(request.clone())).expect("warm up the key");
    c.bench_function("exchange", |b| {
        b.iter(|| {
            rt.block_on(async {
                let token = fed.token(request.clone()).await.expect("token").access_token;
                let id = client
                    .get_id()
                    .identity_pool_id(fed.pool_id())
                    .logins(fed.logins_key(), &token)
                    .send()
                    .await
                    .expect("GetId");
                client
                    .get_credentials_for_identity()
                    .identity_id(id.identity_id.expect("id"))
                    .logins(fed.logins_key(), &token)
                    .send()
                    .await
                    .expect("credentials")
            })
        })
    });
    let token = rt.block_on(fed.token(request)).expect("token").access_token;
    c.bench_function("get_id", |b| {
        b.iter(|| {
            rt.block_on(
                client
                    .get_id()
                    .identity_pool_id(fed.pool_id())
                    .logins(fed.logins_key(), &token)
                    .send(),
            )
            .expect("GetId")
        })
    });
}

fn service(c: &mut Criterion) {
    let rt = runtime();
    let fed = rt.block_on(Federation::builder().console().start()).expect("world");
    let (user, password) = fed.user();
    let token = rt
        .block_on(fed.token(TokenRequest::password(user, password, "openid")))
        .expect("token")
        .access_token;
    let state = Arc::clone(fed.cognito().expect("an in-process world"));
    let router = harness::mock_cognito::router(state);
    let call = |target: &'static str, body: &axum::body::Bytes| {
        let body = body.clone();
        let router = router.clone();
        async move {
            let request = Request::post("/")
                .header("content-type", "application/x-amz-json-1.1")
                .header("x-amz-target", format!("AWSCognitoIdentityService.{target}"))
                .body(Body::from(body))
                .expect("request");
            let answer = router.oneshot(request).await.expect("infallible");
            assert!(answer.status().is_success(), "{target}: {}", answer.status());
            axum::body::to_bytes(answer.into_body(), usize::MAX).await.expect("body")
        }
    };
    let logins = serde_json::json!({ fed.logins_key(): token });
    let get_id = serde_json::json!({ "IdentityPoolId": fed.pool_id(), "Logins": logins });
    let get_id = axum::body::Bytes::from(get_id.to_string());
    let answer = rt.block_on(call("GetId", &get_id));
    let id: serde_json::Value = serde_json::from_slice(&answer).expect("GetId's answer");
    let credentials = serde_json::json!({ "IdentityId": id["IdentityId"], "Logins": logins });
    let credentials = axum::body::Bytes::from(credentials.to_string());
    let mut group = c.benchmark_group("service");
    group.bench_function("get_id", |b| b.iter(|| rt.block_on(call("GetId", &get_id))));
    group.bench_function("get_credentials_for_identity", |b| {
        b.iter(|| rt.block_on(call("GetCredentialsForIdentity", &credentials)))
    });
    group.finish();
}

criterion_group!(benches, start, exchange, service);
criterion_main!(benches);
