//! Prints a GetId request body (with a fresh Okta access token) for a running `fedmock up`,
//! for `wrk -s benches/wrk/getid.lua`. Reads the `--ready-file` JSON given as argument.

use anyhow::Context as _;

fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).context("usage: getid-body READY_FILE")?;
    let ready: harness::WorldSummary = serde_json::from_slice(&std::fs::read(&path)?)?;
    let form = [
        ("grant_type", "password"),
        ("username", ready.username.as_str()),
        ("password", ready.password.as_str()),
        ("scope", "openid"),
    ];
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let answer: serde_json::Value = runtime.block_on(async {
        reqwest::Client::new()
            .post(&ready.token_endpoint)
            .basic_auth(&ready.client_id, Some(&ready.client_secret))
            .form(&form)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
    })?;
    let token = answer["access_token"].as_str().context("no access_token in the answer")?;
    let body = serde_json::json!({
        "IdentityPoolId": ready.identity_pool_id,
        "Logins": { ready.logins_key.clone(): token },
    });
    println!("{body}");
    Ok(())
}
