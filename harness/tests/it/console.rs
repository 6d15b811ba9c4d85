//! The web console over HTTP: behind the control API's guard, the feed of exchanges (filled
//! through the AWS SDK for Rust and Okta's token endpoint) with the checks of each, the
//! inspector, the controls, the load reports, and hostile input rendered harmless. The same
//! pages in headless Chromium are in `scenarios/tests/it/console.rs`.

use harness::console::LoadReport;
use harness::{Federation, TokenRequest};
use serde_json::json;

struct Console {
    fed: Federation,
    http: reqwest::Client,
    base: String,
}

impl Console {
    async fn start(capacity: usize) -> Self {
        let fed = Federation::builder().console_capacity(capacity).start().await.unwrap();
        let token = fed.summary().control_token.clone().expect("a control token");
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let base = format!("{}/__fedmock/ui", fed.okta_url());
        Self { fed, http, base }
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let answer = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        (answer.status().as_u16(), answer.text().await.unwrap())
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let answer =
            self.http.post(format!("{}{path}", self.base)).form(form).send().await.unwrap();
        (answer.status().as_u16(), answer.text().await.unwrap())
    }
}

async fn tokens(fed: &Federation) -> harness::TokenResponse {
    let (user, password) = fed.user();
    fed.token(TokenRequest::password(user, password, "openid")).await.unwrap()
}

#[tokio::test]
async fn the_console_needs_the_control_token_and_is_absent_unless_asked_for() {
    let console = Console::start(10).await;
    let anonymous =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let url = format!("{}/", console.base);
    assert_eq!(anonymous.get(&url).send().await.unwrap().status(), 401);
    // A browser signs in with the URL `fedmock up` prints: a cookie, and the token leaves the
    // address bar.
    let printed = console.fed.summary().console_url().unwrap();
    let login = anonymous.get(&printed).send().await.unwrap();
    assert_eq!(login.status(), 303);
    assert_eq!(login.headers()["location"], "/__fedmock/ui/");
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap();
    let page = anonymous.get(&url).header("cookie", cookie).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<h1>World</h1>"));
    // Another site's page cannot drive it, cookie or not.
    let forged = anonymous
        .post(format!("{}/controls/clock", console.base))
        .header("cookie", cookie)
        .header("origin", "http://evil.example")
        .form(&[("action", "freeze")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(!console.fed.okta().unwrap().clock.is_frozen());

    let without = Federation::start().await;
    assert!(!without.summary().console && without.summary().console_url().is_none());
    let answer = anonymous
        .get(format!("{}/__fedmock/ui/", without.okta_url()))
        .bearer_auth(without.summary().control_token.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
}

#[tokio::test]
async fn exchanges_appear_with_their_verdict_and_open_on_the_checks_and_the_fix() {
    let console = Console::start(50).await;
    let fed = &console.fed;
    let (world_page_status, world) = console.get("/").await;
    assert_eq!(world_page_status, 200);
    for snippet in [
        "AWS.CognitoIdentityCredentials",
        "fromCognitoIdentityPool",
        "boto3",
        "aws cognito-identity get-id",
        "aws_sdk_cognitoidentity",
    ] {
        assert!(world.contains(snippet), "the world page has the {snippet} snippet");
    }
    assert!(world.contains(fed.pool_id()) && world.contains("api://default"));

    let issued = tokens(fed).await;
    let id = crate::common::get_id(fed, &[(fed.logins_key(), &issued.access_token)]).await;
    assert!(id.is_ok());
    let id_token = issued.id_token.unwrap();
    let refused = crate::common::get_id(fed, &[(fed.logins_key(), &id_token)]).await;
    assert_eq!(
        refused.unwrap_err(),
        (
            "NotAuthorizedException".to_owned(),
            "Invalid login token. Incorrect token audience.".to_owned()
        )
    );

    let feed = fed.console().unwrap().feed();
    let recent = feed.recent();
    let actions: Vec<(&str, &str)> =
        recent.iter().map(|e| (e.action.as_str(), e.answer.verdict())).collect();
    assert_eq!(
        actions,
        [("GetId", "refused"), ("GetId", "accepted"), ("token: password", "accepted")]
    );
    assert_eq!(recent[0].client(), "AWS SDK for Rust");

    let (_, list) = console.get("/exchanges?verdict=refused").await;
    assert!(list.contains("Invalid login token. Incorrect token audience."));
    assert_eq!(list.matches("<tr data-verdict=").count(), 1, "the filter keeps the refused one");

    let (status, detail) = console.get(&format!("/exchanges/{}", recent[0].id)).await;
    assert_eq!(status, 200);
    for part in [
        "azp (if present), else aud, is a client ID of the provider",
        "Verdict: refused at",
        "Fix: ",
        "the RS256 signature verifies with the issuer's JWKS",
        "0oafedmock0client0001",
    ] {
        assert!(detail.contains(part), "the refused exchange shows {part:?}");
    }
    let (_, token_request) = console.get(&format!("/exchanges/{}", recent[2].id)).await;
    assert!(token_request.contains("The access token") && token_request.contains("The id token"));
    assert!(
        token_request.contains("Verdict: accepted.")
            && token_request.contains("Verdict: refused at")
    );

    let (gone, _) = console.get("/exchanges/999").await;
    let (nonsense, _) = console.get("/exchanges/not-a-number").await;
    assert_eq!((gone, nonsense), (404, 404));
}

#[tokio::test]
async fn the_feed_stays_bounded_however_many_exchanges_run() {
    let console = Console::start(20).await;
    let fed = &console.fed;
    let token = tokens(fed).await.access_token;
    for _ in 0..60 {
        crate::common::get_id(fed, &[(fed.logins_key(), &token)]).await.unwrap();
    }
    let feed = fed.console().unwrap().feed();
    assert_eq!((feed.len(), feed.total()), (20, 61));
    assert!(feed.get(1).is_none() && feed.get(61).is_some());
    let (_, list) = console.get("/exchanges").await;
    assert_eq!(list.matches("<tr data-verdict=").count(), 20);
}

#[tokio::test]
async fn the_inspector_explains_a_pasted_token_and_the_clock_changes_the_verdict() {
    let console = Console::start(10).await;
    let token = tokens(&console.fed).await.access_token;
    let form = [("token", token.as_str()), ("against", "world")];
    let (status, page) = console.post("/inspect", &form).await;
    assert_eq!(status, 200);
    assert!(page.contains("Verdict: accepted."), "{page}");

    let (moved, _) =
        console.post("/controls/clock", &[("action", "advance"), ("seconds", "7200")]).await;
    assert_eq!(moved, 303);
    let (_, page) = console.post("/inspect", &form).await;
    assert!(page.contains("Verdict: refused at"));
    assert!(page.contains("NotAuthorizedException: Invalid login token. Token expired: "));

    let (bad, page) =
        console.post("/controls/clock", &[("action", "advance"), ("seconds", "soon")]).await;
    assert_eq!(bad, 400);
    assert!(page.contains("Advance by a whole number of seconds."));

    // A real account's pool and provider, as the AWS CLI prints them: judged offline.
    let pool = json!({"IdentityPoolId": "us-east-1:real", "OpenIdConnectProviderARNs": [format!("arn:aws:iam::123456789012:oidc-provider/{}", console.fed.logins_key())]});
    let provider = json!({"Url": console.fed.logins_key(), "ClientIDList": ["0oa-some-client"]});
    let (pool, provider) = (pool.to_string(), provider.to_string());
    let form = [
        ("token", token.as_str()),
        ("against", "aws-cli"),
        ("aws_pool", pool.as_str()),
        ("aws_provider", provider.as_str()),
    ];
    let (_, page) = console.post("/inspect", &form).await;
    assert!(page.contains("Incorrect token audience."), "{page}");
    assert!(page.contains("not checked"));

    let (_, page) =
        console.post("/inspect", &[("token", "not a token"), ("against", "world")]).await;
    assert!(page.contains("This is not a JWT"));
}

#[tokio::test]
async fn hostile_claims_are_shown_as_text_never_run() {
    let console = Console::start(10).await;
    let request = json!({"claims": {"aud": "<script>alert(1)</script>", "sub": "<img src=x onerror=alert(1)>"}});
    let request = request.to_string();
    let (status, page) = console.post("/controls/mint", &[("request", request.as_str())]).await;
    assert_eq!(status, 200);
    assert!(page.contains("Minted"));
    let token = console.fed.mint(&serde_json::from_str(&request).unwrap()).await.unwrap();
    let _ = crate::common::get_id(&console.fed, &[(console.fed.logins_key(), &token)]).await;
    let id = console.fed.console().unwrap().feed().recent()[0].id;
    let (_, detail) = console.get(&format!("/exchanges/{id}")).await;
    let (_, inspected) = console.post("/inspect", &[("token", token.as_str())]).await;
    for page in [&detail, &inspected] {
        assert!(!page.contains("<script>alert") && !page.contains("<img src=x"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
    let (bad, page) =
        console.post("/controls/mint", &[("request", "{\"signing\": \"sideways\"}")]).await;
    assert_eq!(bad, 400);
    assert!(page.contains("The mint request is not valid"));
    let (bad, _) =
        console.post("/controls/faults", &[("faults", "{\"token_delay_ms\": 99999999}")]).await;
    assert_eq!(bad, 400);
}

#[tokio::test]
async fn load_reports_are_kept_and_served_sandboxed() {
    let console = Console::start(10).await;
    let report = LoadReport {
        id: 0,
        received_at: 0,
        summary: json!({"exchanges": 300, "unexpected": 0, "throughput_per_s": 613.5,
                        "latency_ms": {"exchange": {"p99": 12.5}}}),
        html: "<!doctype html><title>run</title><p>the plots</p>".into(),
    };
    assert!(console.fed.publish_load_report(report.clone()).await.unwrap());
    let (_, list) = console.get("/load").await;
    assert!(list.contains("Run 1") && list.contains("613.5") && list.contains("12.5"));
    let answer = console.http.get(format!("{}/load/1", console.base)).send().await.unwrap();
    assert_eq!(answer.headers()["content-security-policy"], "sandbox");
    assert!(answer.text().await.unwrap().contains("the plots"));

    // A world reached over HTTP takes reports through the control API.
    let remote = Federation::connect_to(console.fed.summary().clone());
    assert!(remote.publish_load_report(report).await.unwrap());
    assert_eq!(console.fed.console().unwrap().load_reports().len(), 2);
    let without = Federation::start().await;
    assert!(
        !without
            .publish_load_report(LoadReport {
                id: 0,
                received_at: 0,
                summary: json!({}),
                html: String::new()
            })
            .await
            .unwrap()
    );
}
