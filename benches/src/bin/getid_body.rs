//! Prints request bodies for `wrk` against a running `fedmock up`, with a fresh Okta access
//! token from that world: a GetId body (`getid-body READY_FILE`) or, with `--credentials`, a
//! GetCredentialsForIdentity body for the identity GetId gives that token. Reads the
//! `--ready-file` JSON given as argument.

use anyhow::Context as _;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let credentials = args.iter().any(|a| a == "--credentials");
    let path = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .context("usage: getid-body [--credentials] READY_FILE")?;
    let ready: harness::WorldSummary = serde_json::from_slice(&std::fs::read(path)?)?;
    let form = [
        ("grant_type", "password"),
        ("username", ready.username.as_str()),
        ("password", ready.password.as_str()),
        ("scope", "openid"),
    ];
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let body = runtime.block_on(async {
        let http = reqwest::Client::new();
        let answer: serde_json::Value = http
            .post(&ready.token_endpoint)
            .basic_auth(&ready.client_id, Some(&ready.client_secret))
            .form(&form)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let token = answer["access_token"].as_str().context("no access_token in the answer")?;
        let get_id = serde_json::json!({
            "IdentityPoolId": ready.identity_pool_id,
            "Logins": { ready.logins_key.clone(): token },
        });
        if !credentials {
            return anyhow::Ok(get_id);
        }
        let id: serde_json::Value = http
            .post(&ready.cognito_endpoint)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", "AWSCognitoIdentityService.GetId")
            .body(get_id.to_string())
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let identity = id["IdentityId"].as_str().context("no IdentityId in GetId's answer")?;
        Ok(serde_json::json!({
            "IdentityId": identity,
            "Logins": { ready.logins_key.clone(): token },
        }))
    })?;
    println!("{body}");
    Ok(())
}
