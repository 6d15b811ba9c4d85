//! Run with `cargo run -p harness --example quickstart`.
//!
//! Starts the default world, gets an Okta access token over HTTP, and trades it for AWS
//! credentials through the AWS SDK, printing how long each step took (in whatever profile
//! it was built: a debug build is what your tests see).

use std::time::Instant;

use harness::{Federation, TokenRequest};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t = Instant::now();
    let fed = Federation::start().await;
    println!("Federation::start()      {:>9.3?}", t.elapsed());

    let t = Instant::now();
    let (user, password) = fed.user();
    let tokens = fed.token(TokenRequest::password(user, password, "openid")).await?;
    println!("first token (makes key) {:>9.3?}", t.elapsed());

    let t = Instant::now();
    let cognito = fed.cognito_client();
    let id = cognito
        .get_id()
        .identity_pool_id(fed.pool_id())
        .logins(fed.logins_key(), &tokens.access_token)
        .send()
        .await?;
    let creds = cognito
        .get_credentials_for_identity()
        .identity_id(id.identity_id().unwrap_or_default())
        .logins(fed.logins_key(), &tokens.access_token)
        .send()
        .await?;
    println!("GetId + credentials      {:>9.3?}", t.elapsed());
    println!(
        "identity {} got {}",
        creds.identity_id().unwrap_or_default(),
        creds.credentials().and_then(|c| c.access_key_id()).unwrap_or_default()
    );
    Ok(())
}
