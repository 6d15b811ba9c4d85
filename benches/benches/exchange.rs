//! Criterion benchmarks of what makes "every test owns a world" possible:
//! - `start`: `Federation::start()` (bind, config, thread and runtime; keys are lazy);
//! - `first_token`: start plus the first token, which generates the signing key;
//! - `exchange`: token → GetId → GetCredentialsForIdentity over HTTP, through the AWS SDK;
//! - `get_id`: GetId alone with a reused token (one RS256 verify per call).

use criterion::{Criterion, criterion_group, criterion_main};
use harness::{Federation, TokenRequest};

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

criterion_group!(benches, start, exchange);
criterion_main!(benches);
