//! Wire snapshots: discovery documents (both layouts, both kinds) and error bodies, with the
//! base URL and random ids masked. A change to any of them is a change to what clients see,
//! so it must show up in review: `UPDATE_SNAPSHOTS=1 cargo test -p mock-okta --test snapshots`
//! rewrites them.

use std::path::PathBuf;

use mock_okta::{AuthServerConfig, ClientConfig, MockOkta, OktaConfig};
use serde_json::Value;

fn snapshot(name: &str, actual: &Value, base: &str) {
    let text = serde_json::to_string_pretty(actual).unwrap().replace(base, "{base}");
    let text = mask(&text, "\"errorId\": \"", "oae…");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.json"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, format!("{text}\n")).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("no snapshot {}; run with UPDATE_SNAPSHOTS=1 and review it", path.display())
    });
    assert_eq!(
        text.trim_end(),
        expected.trim_end(),
        "snapshot {name} changed; rerun with UPDATE_SNAPSHOTS=1 if intended"
    );
}

fn mask(text: &str, prefix: &str, replacement: &str) -> String {
    let Some(start) = text.find(prefix).map(|i| i + prefix.len()) else { return text.to_owned() };
    let end = start + text[start..].find('"').unwrap();
    format!("{}{replacement}{}", &text[..start], &text[end..])
}

async fn get(url: String) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn discovery_documents_and_error_bodies_match_their_snapshots() {
    let okta = MockOkta::start(OktaConfig {
        servers: vec![AuthServerConfig {
            scopes: vec!["fedmock.read".into()],
            ..Default::default()
        }],
        clients: vec![ClientConfig::default()],
        ..Default::default()
    })
    .await
    .unwrap();
    let base = okta.base_url();
    snapshot(
        "custom-openid-configuration",
        &get(format!("{base}/oauth2/default/.well-known/openid-configuration")).await,
        base,
    );
    snapshot(
        "custom-oauth-authorization-server",
        &get(format!("{base}/oauth2/default/.well-known/oauth-authorization-server")).await,
        base,
    );
    snapshot(
        "org-openid-configuration",
        &get(format!("{base}/.well-known/openid-configuration")).await,
        base,
    );
    snapshot(
        "org-oauth-authorization-server",
        &get(format!("{base}/.well-known/oauth-authorization-server")).await,
        base,
    );
    snapshot(
        "unknown-authorization-server",
        &get(format!("{base}/oauth2/aus0missing/v1/keys")).await,
        base,
    );

    let token = |form: &'static [(&'static str, &'static str)],
                 basic: Option<(&'static str, &'static str)>| {
        let mut request =
            reqwest::Client::new().post(format!("{base}/oauth2/default/v1/token")).form(form);
        if let Some((id, secret)) = basic {
            request = request.basic_auth(id, Some(secret));
        }
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let client = Some(("0oafedmock0client0001", "fedmock-client-secret-0123456789abcdefghij"));
    let errors = serde_json::json!({
        "no_credentials": token(&[("grant_type", "client_credentials")], None).await,
        "bad_secret": token(&[("grant_type", "client_credentials")], Some(("0oafedmock0client0001", "x"))).await,
        "openid_with_client_credentials": token(&[("grant_type", "client_credentials"), ("scope", "openid")], client).await,
        "unknown_grant": token(&[("grant_type", "urn:x")], client).await,
        "bad_password": token(&[("grant_type", "password"), ("username", "nobody"), ("password", "x"), ("scope", "openid")], client).await,
    });
    snapshot("token-errors", &errors, base);
}
