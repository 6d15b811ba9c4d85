//! Okta's Trusted Origins (issue 11): pages of a trusted origin get CORS answers (the origin
//! echoed, credentials, `Vary: Origin`), other pages none; the control API stays same-origin.

use mock_okta::{MockOkta, OktaConfig, OriginScope, TrustedOriginConfig};
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};

const APP: &str = "http://localhost:3000";

async fn org() -> MockOkta {
    let trusted = |origin: &str, scopes| TrustedOriginConfig {
        name: String::new(),
        origin: origin.into(),
        scopes,
    };
    MockOkta::start(OktaConfig {
        trusted_origins: vec![
            trusted(APP, vec![OriginScope::Cors, OriginScope::Redirect]),
            trusted("http://redirect-only.example", vec![OriginScope::Redirect]),
        ],
        ..OktaConfig::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_trusted_origin_gets_cors_answers_and_others_get_none() {
    let okta = org().await;
    let http = reqwest::Client::new();
    for path in ["/oauth2/default/.well-known/openid-configuration", "/oauth2/default/v1/keys"] {
        let url = format!("{}{path}", okta.base_url());
        let preflight = http
            .request(reqwest::Method::OPTIONS, &url)
            .header(ORIGIN, APP)
            .header(ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .header(ACCESS_CONTROL_REQUEST_HEADERS, "content-type,x-okta-user-agent-extended")
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status(), 200, "{path}");
        let headers = preflight.headers();
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], APP, "the origin echoed, never *");
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
        assert_eq!(
            headers[ACCESS_CONTROL_ALLOW_HEADERS],
            "content-type,x-okta-user-agent-extended"
        );
        let answer = http.get(&url).header(ORIGIN, APP).send().await.unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], APP);
        assert_eq!(answer.headers()[VARY], "Origin");

        for other in ["http://evil.example", "http://redirect-only.example"] {
            let preflight = http
                .request(reqwest::Method::OPTIONS, &url)
                .header(ORIGIN, other)
                .header(ACCESS_CONTROL_REQUEST_METHOD, "GET")
                .send()
                .await
                .unwrap();
            assert!(preflight.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "{other}");
            let answer = http.get(&url).header(ORIGIN, other).send().await.unwrap();
            assert!(answer.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "{other}");
        }
    }
    let control = format!("{}/__fedmock/clock", okta.base_url());
    let answer = http.get(&control).header(ORIGIN, APP).send().await.unwrap();
    assert!(answer.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "the control API");
}

#[tokio::test]
async fn a_trusted_origin_must_be_an_origin() {
    for origin in ["localhost:3000", "http://localhost:3000/app", "ftp://x"] {
        let config = OktaConfig {
            trusted_origins: vec![TrustedOriginConfig {
                name: String::new(),
                origin: origin.into(),
                scopes: vec![OriginScope::Cors],
            }],
            ..OktaConfig::default()
        };
        let refused = MockOkta::start(config).await.unwrap_err().to_string();
        assert!(refused.contains("must be scheme://host[:port]"), "{origin}: {refused}");
    }
}
