//! The control API's guard (issue 15): a token by default, cookies only for this machine's
//! hosts, no cross-site calls, `insecure` for the old behaviour, and inputs bounded.

use mock_okta::{ControlConfig, MockOkta, OktaConfig};
use reqwest::StatusCode;
use reqwest::header::{
    AUTHORIZATION, COOKIE, HOST, LOCATION, ORIGIN, SET_COOKIE, WWW_AUTHENTICATE,
};
use serde_json::{Value, json};

use crate::flows::control_client;

fn plain() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn error(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    (status, body["error"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn without_the_token_the_control_api_refuses_and_says_where_the_token_is() {
    let okta = MockOkta::start(OktaConfig::default()).await.unwrap();
    let url = format!("{}/__fedmock/servers/default/keys/rotate", okta.base_url());
    let refused = plain().post(&url).send().await.unwrap();
    assert_eq!(
        refused.headers()[WWW_AUTHENTICATE],
        "Bearer realm=\"fedmock control\"",
        "a Bearer challenge"
    );
    let (status, message) = error(refused).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        message.contains("control_token") && message.contains("--insecure-control"),
        "{message}"
    );

    let wrong = plain().post(&url).header(AUTHORIZATION, "Bearer not-the-token").send().await;
    let (status, message) = error(wrong.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.starts_with("the control token presented is not this run's"), "{message}");

    let accepted = control_client(&okta).post(&url).send().await.unwrap();
    assert_eq!(accepted.status(), StatusCode::OK);

    let health = plain().get(format!("{}/__fedmock/health", okta.base_url())).send().await;
    assert_eq!(health.unwrap().status(), StatusCode::OK, "probes need no token");
    let okta_path = plain().get(format!("{}/oauth2/default/v1/keys", okta.base_url())).send();
    assert_eq!(okta_path.await.unwrap().status(), StatusCode::OK, "Okta's paths are Okta's");
}

#[tokio::test]
async fn a_cross_site_request_is_refused_even_with_the_token() {
    let okta = MockOkta::start(OktaConfig::default()).await.unwrap();
    let url = format!("{}/__fedmock/clock", okta.base_url());
    let forged = control_client(&okta)
        .post(&url)
        .header(ORIGIN, "https://evil.example")
        .json(&json!({"advance": 60}))
        .send()
        .await
        .unwrap();
    let (status, message) = error(forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(message.starts_with("cross-origin calls to the control API are refused"), "{message}");
    let same_origin =
        control_client(&okta).get(&url).header(ORIGIN, okta.base_url()).send().await.unwrap();
    assert_eq!(same_origin.status(), StatusCode::OK, "the console's own page may call it");
}

#[tokio::test]
async fn the_token_in_a_link_sets_a_cookie_that_only_this_machines_hosts_honour() {
    let okta = MockOkta::start(OktaConfig::default()).await.unwrap();
    let token = okta.state().control_token().unwrap().to_owned();
    let port = okta.address().port();
    let login = plain()
        .get(format!("{}/__fedmock/clock?token={token}&view=all", okta.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    assert_eq!(login.headers()[LOCATION], "/__fedmock/clock?view=all", "the token leaves the URL");
    let cookie = login.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert_eq!(
        cookie,
        format!("fedmock_control_{port}={token}; Path=/__fedmock; HttpOnly; SameSite=Strict")
    );
    let pair = cookie.split(';').next().unwrap().to_owned();
    let url = format!("{}/__fedmock/clock", okta.base_url());
    let with_cookie = plain().get(&url).header(COOKIE, &pair).send().await.unwrap();
    assert_eq!(with_cookie.status(), StatusCode::OK);
    // DNS rebinding: a page at evil.example resolved to 127.0.0.1 reaches the port under
    // another Host; even if a cookie came along, it is not honoured.
    let rebound = plain()
        .get(&url)
        .header(COOKIE, &pair)
        .header(HOST, format!("evil.example:{port}"))
        .send()
        .await
        .unwrap();
    let (status, message) = error(rebound).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(message.contains("evil.example"), "{message}");
    let wrong_cookie = plain()
        .get(&url)
        .header(COOKIE, format!("fedmock_control_{port}=guess"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_cookie.status(), StatusCode::UNAUTHORIZED);
    let wrong_link = plain().get(format!("{url}?token=guess")).send().await.unwrap();
    assert_eq!(wrong_link.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn insecure_control_is_open_and_a_seed_or_the_world_names_the_token() {
    let open = OktaConfig {
        control: ControlConfig { insecure: true, ..ControlConfig::default() },
        ..OktaConfig::default()
    };
    let okta = MockOkta::start(open).await.unwrap();
    assert_eq!(okta.state().control_token(), None);
    let clock = plain().get(format!("{}/__fedmock/clock", okta.base_url())).send().await;
    assert_eq!(clock.unwrap().status(), StatusCode::OK);

    let seeded = || OktaConfig { seed: Some("s".into()), ..OktaConfig::default() };
    let (a, b) =
        (MockOkta::start(seeded()).await.unwrap(), MockOkta::start(seeded()).await.unwrap());
    assert_eq!(a.state().control_token(), b.state().control_token(), "replicas share it");
    let other = MockOkta::start(OktaConfig::default()).await.unwrap();
    assert_ne!(a.state().control_token(), other.state().control_token());

    let named = OktaConfig {
        control: ControlConfig { token: Some("a-token-of-my-own".into()), insecure: false },
        ..OktaConfig::default()
    };
    assert_eq!(
        MockOkta::start(named).await.unwrap().state().control_token(),
        Some("a-token-of-my-own")
    );
    let short = OktaConfig {
        control: ControlConfig { token: Some("short".into()), insecure: false },
        ..OktaConfig::default()
    };
    let refused = MockOkta::start(short).await.unwrap_err().to_string();
    assert!(refused.contains("16 to 256 printable"), "{refused}");
}

#[tokio::test]
async fn control_inputs_are_bounded_and_a_refused_change_changes_nothing() {
    let okta = MockOkta::start(OktaConfig::default()).await.unwrap();
    let http = control_client(&okta);
    let clock = format!("{}/__fedmock/clock", okta.base_url());
    let frozen: Value = http
        .post(&clock)
        .json(&json!({"freeze_at": 1_800_000_000}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(frozen["now"], 1_800_000_000);
    for (change, says) in [
        (json!({"freeze_at": i64::MIN}), "freeze_at must be between 0 and 253402300799"),
        (json!({"freeze_at": -1}), "freeze_at must be between"),
        (json!({"advance": i64::MAX}), "advance must be within"),
        (json!({"offset": i64::MIN}), "offset must be within"),
        (json!({"advance": 253_402_300_799_i64}), "the clock would show"),
        (json!({"advance": -1_800_000_001}), "the clock would show"),
    ] {
        let (status, message) = error(http.post(&clock).json(&change).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{change}");
        assert!(message.starts_with(says), "{change}: {message}");
    }
    let unchanged: Value = http.get(&clock).send().await.unwrap().json().await.unwrap();
    assert_eq!(unchanged["now"], 1_800_000_000, "a refused change changes nothing");

    let faults = format!("{}/__fedmock/faults", okta.base_url());
    for (fault, says) in [
        (json!({"token_delay_ms": u64::MAX}), "token_delay_ms must be at most 300000"),
        (json!({"jwks_delay_ms": 300_001}), "jwks_delay_ms must be at most"),
        (json!({"jwks_status": 200}), "jwks_status must be 300 to 599"),
        (json!({"token_error": {"status": 200, "error": "x"}}), "token_error.status must be"),
    ] {
        let (status, message) = error(http.put(&faults).json(&fault).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{fault}");
        assert!(message.starts_with(says), "{fault}: {message}");
    }
    let token = okta.state().clone();
    assert_eq!(*token.faults(), mock_okta::Faults::default(), "none was put in force");
}
