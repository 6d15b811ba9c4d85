//! Replicas: processes given one world and one seed answer as one, whichever of them saw the
//! earlier steps (issue 13). Two in-process worlds stand in for two replicas here; the HAProxy
//! test in `scenarios` runs real `fedmock up` processes behind a real balancer.

use harness::{Federation, FederationConfig, TokenRequest};

use crate::common::get_id;

/// A free port on loopback, for a world that must be addressed before it starts.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn replica(seed: Option<&str>, public_url: Option<&str>) -> (Federation, String) {
    let mut world = FederationConfig::default_world();
    world.seed = seed.map(str::to_owned);
    world.okta.base_url = public_url.map(str::to_owned);
    let port = free_port();
    let fed = Federation::builder()
        .config(world)
        .okta_addr(([127, 0, 0, 1], port).into())
        .start()
        .await
        .unwrap();
    (fed, format!("http://127.0.0.1:{port}"))
}

async fn jwks(base: &str) -> String {
    reqwest::get(format!("{base}/oauth2/default/v1/keys")).await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn replicas_with_one_seed_publish_one_jwks_and_honour_each_other_s_tokens_and_credentials() {
    let (one, one_url) = replica(Some("replica-seed"), None).await;
    // The second replica presents the first one's URL as its public URL, as replicas behind
    // one balancer do: its issuer is the same, and its Cognito fetches keys there.
    let (two, two_url) = replica(Some("replica-seed"), Some(&one_url)).await;
    assert_eq!(two.issuer(), one.issuer());
    assert_eq!(jwks(&one_url).await, jwks(&two_url).await, "byte-identical JWKS");

    // A token from replica two, exchanged at replica one, credentials checked at two.
    let (user, password) = two.user();
    let token =
        two.token(TokenRequest::password(user, password, "openid")).await.unwrap().access_token;
    let id_at_one = get_id(&one, &[(one.logins_key(), &token)]).await.unwrap();
    let id_at_two = get_id(&two, &[(two.logins_key(), &token)]).await.unwrap();
    assert_eq!(id_at_one, id_at_two, "one subject, one identity, on every replica");
    let credentials = one
        .cognito_client()
        .get_credentials_for_identity()
        .identity_id(&id_at_two)
        .logins(one.logins_key(), &token)
        .send()
        .await
        .unwrap();
    let c = credentials.credentials().unwrap();
    let signed_by = aws_credential_types::Credentials::new(
        c.access_key_id().unwrap(),
        c.secret_key().unwrap(),
        c.session_token().map(str::to_owned),
        None,
        "replica-one",
    );
    let config = two
        .sdk_config()
        .into_builder()
        .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
            signed_by,
        ))
        .build();
    let caller = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await.unwrap();
    assert!(caller.arn().unwrap().ends_with("/fedmock-authenticated/CognitoIdentityCredentials"));

    // The basic flow: Cognito's OpenID token from replica two, STS at replica one.
    let open_id = two
        .cognito_client()
        .get_open_id_token()
        .identity_id(&id_at_one)
        .logins(two.logins_key(), &token)
        .send()
        .await
        .unwrap();
    let assumed = one
        .sts_client()
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::123456789012:role/fedmock-authenticated")
        .role_session_name("replica")
        .web_identity_token(open_id.token().unwrap())
        .send()
        .await
        .unwrap();
    assert!(assumed.credentials().is_some());
}

#[tokio::test]
async fn without_a_seed_each_process_has_its_own_keys() {
    let (_one, one_url) = replica(None, None).await;
    let (_two, two_url) = replica(None, None).await;
    let (_three, three_url) = replica(Some("another-seed"), None).await;
    let (a, b, c) = (jwks(&one_url).await, jwks(&two_url).await, jwks(&three_url).await);
    assert!(a != b && b != c && a != c);
}

#[tokio::test]
async fn both_ports_answer_a_health_check_on_a_path_neither_service_uses() {
    let fed = Federation::start().await;
    for base in [fed.okta_url(), fed.cognito_endpoint()] {
        let answer = reqwest::get(format!("{base}/__fedmock/health")).await.unwrap();
        assert_eq!(answer.status(), 200, "{base}");
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["status"], "ready");
    }
}

#[tokio::test]
async fn a_graceful_stop_lets_a_request_in_flight_finish() {
    let fed = Federation::start().await;
    let token_url = fed.token_url().to_owned();
    // A token request held two seconds by a fault is in flight when the stop begins.
    fed.set_okta_faults(
        serde_json::from_value(serde_json::json!({"token_delay_ms": 1500})).unwrap(),
    )
    .await
    .unwrap();
    let (id, secret) = (fed.client_id().to_owned(), fed.client_secret().to_owned());
    let request = tokio::spawn(async move {
        reqwest::Client::new()
            .post(token_url)
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "client_credentials"), ("scope", "fedmock.read")])
            .send()
            .await
            .map(|r| r.status())
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let okta_url = fed.okta_url().to_owned();
    tokio::task::spawn_blocking(move || fed.shutdown(std::time::Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(request.await.unwrap().unwrap(), 200, "the request in flight was answered");
    assert!(reqwest::get(format!("{okta_url}/__fedmock/health")).await.is_err(), "stopped");
}
