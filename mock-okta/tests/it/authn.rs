//! Okta's Authentication API and sessions, and the hidden-iframe flow okta-auth-js builds on
//! them (issue 11): `/api/v1/authn` → `sessionToken` → `/v1/authorize?sessionToken=…&
//! prompt=none&response_mode=okta_post_message` (a page posting the code to the app's origin,
//! and the `sid` cookie) → `/v1/token` with the PKCE verifier; `/api/v1/sessions/me`.

use mock_okta::{
    ClientAuthMethod, ClientConfig, MockOkta, OktaConfig, OriginScope, TrustedOriginConfig,
    UserConfig,
};
use reqwest::StatusCode;
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, COOKIE, LOCATION, ORIGIN as ORIGIN_HEADER, SET_COOKIE,
};
use serde_json::{Value, json};

const APP: &str = "0oafedmock0spa000001";
const REDIRECT: &str = "http://localhost:3000/login/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

const ORIGIN: &str = "http://localhost:3000";
/// A confidential web app whose pages sit on the SPA's origin too.
const WEB_APP: &str = "0oafedmock0web000001";
const WEB_SECRET: &str = "web-app-secret-0123456789abcdefghijklmn";

async fn org() -> MockOkta {
    MockOkta::start(OktaConfig {
        clients: vec![
            ClientConfig {
                client_id: APP.into(),
                client_secret: String::new(),
                token_endpoint_auth_method: ClientAuthMethod::None,
                grant_types: vec!["authorization_code".into()],
                redirect_uris: vec![REDIRECT.into()],
                ..Default::default()
            },
            ClientConfig {
                client_id: WEB_APP.into(),
                client_secret: WEB_SECRET.into(),
                grant_types: vec!["authorization_code".into(), "password".into()],
                redirect_uris: vec![REDIRECT.into()],
                ..Default::default()
            },
        ],
        users: vec![UserConfig::default()],
        trusted_origins: vec![
            TrustedOriginConfig {
                name: "spa".into(),
                origin: ORIGIN.into(),
                scopes: vec![OriginScope::Cors, OriginScope::Redirect],
            },
            TrustedOriginConfig {
                name: "elsewhere".into(),
                origin: "http://localhost:4000".into(),
                scopes: vec![OriginScope::Cors],
            },
        ],
        ..OktaConfig::default()
    })
    .await
    .unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn authn(okta: &MockOkta, body: Value) -> (StatusCode, Value) {
    let answer =
        http().post(format!("{}/api/v1/authn", okta.base_url())).json(&body).send().await.unwrap();
    (answer.status(), answer.json().await.unwrap())
}

/// `/v1/authorize` as okta-auth-js's `getWithoutPrompt` calls it; the posted message's data,
/// its target origin and the session cookie set.
async fn without_prompt(
    okta: &MockOkta,
    session_token: Option<&str>,
    cookie: Option<&str>,
    state: &str,
) -> (Value, String, Option<String>) {
    let mut query = vec![
        ("client_id", APP),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("response_mode", "okta_post_message"),
        ("prompt", "none"),
        ("scope", "openid email"),
        ("state", state),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    if let Some(token) = session_token {
        query.push(("sessionToken", token));
    }
    let url = format!(
        "{}/oauth2/default/v1/authorize?{}",
        okta.base_url(),
        serde_urlencoded::to_string(&query).unwrap()
    );
    let mut request = http().get(url);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let answer = request.send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let cookie = answer
        .headers()
        .get(SET_COOKIE)
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned());
    let page = answer.text().await.unwrap();
    let call = page
        .split_once("window.parent.postMessage(")
        .and_then(|(_, rest)| rest.split_once(");</script>"))
        .unwrap_or_else(|| panic!("no postMessage in {page}"))
        .0;
    let (data, target) = call.rsplit_once(", ").unwrap();
    (serde_json::from_str(data).unwrap(), serde_json::from_str(target).unwrap(), cookie)
}

#[tokio::test]
async fn authn_answers_okta_s_bodies() {
    let okta = org().await;
    let (status, wrong) =
        authn(&okta, json!({"username": "alice@example.com", "password": "nope"})).await;
    assert_eq!(status, 401);
    assert_eq!(wrong["errorCode"], "E0000004");
    assert_eq!(wrong["errorSummary"], "Authentication failed");
    assert_eq!(wrong["errorCauses"], json!([]));
    let malformed = http()
        .post(format!("{}/api/v1/authn", okta.base_url()))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(malformed.json::<Value>().await.unwrap()["errorCode"], "E0000003");

    let (status, ok) = authn(
        &okta,
        json!({"username": "alice@example.com", "password": "correct horse battery staple", "relayState": "/app"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(ok["status"], "SUCCESS");
    assert_eq!(ok["relayState"], "/app");
    assert!(ok["sessionToken"].as_str().unwrap().len() >= 20);
    assert_eq!(ok["_embedded"]["user"]["profile"]["login"], "alice@example.com");
    assert_eq!(ok["_embedded"]["user"]["profile"]["firstName"], "Alice");
    assert!(ok["expiresAt"].as_str().unwrap().ends_with(".000Z"));
}

#[tokio::test]
async fn a_session_token_signs_in_through_the_hidden_iframe_and_starts_a_session() {
    let okta = org().await;
    let (_, ok) = authn(
        &okta,
        json!({"username": "alice@example.com", "password": "correct horse battery staple"}),
    )
    .await;
    let token = ok["sessionToken"].as_str().unwrap();
    let (data, target, cookie) = without_prompt(&okta, Some(token), None, "st-1").await;
    assert_eq!(target, "http://localhost:3000", "posted to the app's origin only");
    assert_eq!(data["state"], "st-1");
    let code = data["code"].as_str().expect("a code").to_owned();
    let cookie = cookie.expect("the session cookie");
    assert!(cookie.starts_with("sid="));

    let tokens: Value = http()
        .post(format!("{}/oauth2/default/v1/token", okta.base_url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", APP),
            ("redirect_uri", REDIRECT),
            ("code", &code),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(tokens["id_token"].is_string(), "{tokens}");

    // The token is good once; the session signs in from now on.
    let (reused, _, _) = without_prompt(&okta, Some(token), None, "st-2").await;
    assert_eq!(reused["error"], "login_required");
    assert_eq!(reused["state"], "st-2");
    let (again, _, new_cookie) = without_prompt(&okta, None, Some(&cookie), "st-3").await;
    assert!(again["code"].is_string(), "{again}");
    assert_eq!(new_cookie, None, "the session goes on");

    let me = format!("{}/api/v1/sessions/me", okta.base_url());
    let session: Value =
        http().get(&me).header(COOKIE, &cookie).send().await.unwrap().json().await.unwrap();
    assert_eq!(session["login"], "alice@example.com");
    assert_eq!(session["status"], "ACTIVE");
    assert_eq!(session["amr"], json!(["pwd"]));
    let ended = http().delete(&me).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(ended.status(), 204);
    let gone = http().get(&me).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    let gone: Value = gone.json().await.unwrap();
    assert_eq!(gone["errorSummary"], "Not found: Resource not found: me (Session)");
    let (after, _, _) = without_prompt(&okta, None, Some(&cookie), "st-4").await;
    assert_eq!(after["error"], "login_required");
    assert_eq!(
        after["error_description"],
        "The client specified not to prompt, but the user is not logged in."
    );
}

#[tokio::test]
async fn the_posted_page_cannot_be_broken_out_of_by_a_state() {
    let okta = org().await;
    let state = "</script><script>alert(1)</script>";
    let (data, _, _) = without_prompt(&okta, None, None, state).await;
    assert_eq!(data["state"], state, "the state comes back whole, inside the script");
}

async fn session_token(okta: &MockOkta) -> String {
    let (_, ok) = authn(
        okta,
        json!({"username": "alice@example.com", "password": "correct horse battery staple"}),
    )
    .await;
    ok["sessionToken"].as_str().unwrap().to_owned()
}

/// A code for `client` through the hidden iframe (with or without PKCE).
async fn code_for(okta: &MockOkta, client: &str, pkce: bool) -> String {
    let token = session_token(okta).await;
    let mut query = vec![
        ("client_id", client),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("response_mode", "okta_post_message"),
        ("scope", "openid email"),
        ("state", "s"),
        ("sessionToken", &token),
    ];
    if pkce {
        query.extend([("code_challenge", CHALLENGE), ("code_challenge_method", "S256")]);
    }
    let url = format!(
        "{}/oauth2/default/v1/authorize?{}",
        okta.base_url(),
        serde_urlencoded::to_string(&query).unwrap()
    );
    let page = http().get(url).send().await.unwrap().text().await.unwrap();
    let code = page.split_once(r#""code":""#).and_then(|(_, rest)| rest.split_once('"'));
    code.unwrap_or_else(|| panic!("no code in {page}")).0.to_owned()
}

/// `/v1/token` as a page on `origin` calls it: the status, the body and whether the browser
/// may read it.
async fn token_from_page(
    okta: &MockOkta,
    origin: &str,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (StatusCode, Value, bool) {
    let mut request = http()
        .post(format!("{}/oauth2/default/v1/token", okta.base_url()))
        .header(ORIGIN_HEADER, origin)
        .form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let answer = request.send().await.unwrap();
    let readable = answer.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_some();
    (answer.status(), answer.json().await.unwrap(), readable)
}

#[tokio::test]
async fn the_token_endpoint_holds_browsers_to_okta_s_rules() {
    let okta = org().await;
    let code = code_for(&okta, APP, true).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", APP),
        ("redirect_uri", REDIRECT),
        ("code", &code),
        ("code_verifier", VERIFIER),
    ];
    // From a page that is not a Trusted Origin: refused, and unreadable to the page.
    let (status, body, readable) = token_from_page(&okta, "http://evil.example", &form, None).await;
    assert_eq!((status, readable), (StatusCode::BAD_REQUEST, false));
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(
        body["error_description"],
        "Browser requests to the token endpoint must be made from one of the registered Trusted Origins."
    );
    // Trusted for CORS, but not where the app's redirect URIs are.
    let (status, body, readable) =
        token_from_page(&okta, "http://localhost:4000", &form, None).await;
    assert_eq!((status, readable), (StatusCode::BAD_REQUEST, true));
    assert_eq!(
        body["error_description"],
        "Browser requests to the token endpoint must be part of at least one whitelisted redirect_uri."
    );
    // From the app's own page: tokens, readable.
    let (status, body, readable) = token_from_page(&okta, ORIGIN, &form, None).await;
    assert_eq!((status, readable), (StatusCode::OK, true), "{body}");
    assert!(body["id_token"].is_string());

    // A confidential app's code without PKCE, redeemed from a page.
    let code = code_for(&okta, WEB_APP, false).await;
    let form = [("grant_type", "authorization_code"), ("redirect_uri", REDIRECT), ("code", &code)];
    let (status, body, _) =
        token_from_page(&okta, ORIGIN, &form, Some((WEB_APP, WEB_SECRET))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(
        body["error_description"],
        "Browser requests to the token endpoint must use Proof Key for Code Exchange."
    );
    // The password grant from a page.
    let form = [
        ("grant_type", "password"),
        ("username", "alice@example.com"),
        ("password", "correct horse battery staple"),
        ("scope", "openid"),
    ];
    let (status, body, _) =
        token_from_page(&okta, ORIGIN, &form, Some((WEB_APP, WEB_SECRET))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unauthorized_client");
    assert_eq!(
        body["error_description"],
        "Browser requests to the token endpoint may only use the authorization_code grant_type."
    );
    // The same request from a server (no Origin) is fine.
    let answer = http()
        .post(format!("{}/oauth2/default/v1/token", okta.base_url()))
        .basic_auth(WEB_APP, Some(WEB_SECRET))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn session_cookie_redirect_sets_the_session_and_goes_to_a_trusted_page() {
    let okta = org().await;
    let redirect = |token: &str, url: &str| {
        let query = serde_urlencoded::to_string([
            ("checkAccountSetupComplete", "true"),
            ("token", token),
            ("redirectUrl", url),
        ])
        .unwrap();
        http().get(format!("{}/login/sessionCookieRedirect?{query}", okta.base_url())).send()
    };
    let token = session_token(&okta).await;
    let untrusted = redirect(&token, "http://evil.example/").await.unwrap();
    assert_eq!(untrusted.status(), 400);
    assert!(untrusted.headers().get(SET_COOKIE).is_none());
    // CORS-only origins are not redirect targets.
    let cors_only = redirect(&token, "http://localhost:4000/").await.unwrap();
    assert_eq!(cors_only.status(), 400);

    let good = redirect(&token, "http://localhost:3000/home?x=1").await.unwrap();
    assert_eq!(good.status(), 302);
    assert_eq!(good.headers()[LOCATION], "http://localhost:3000/home?x=1");
    let cookie = good.headers()[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let me = format!("{}/api/v1/sessions/me", okta.base_url());
    let session: Value =
        http().get(&me).header(COOKIE, &cookie).send().await.unwrap().json().await.unwrap();
    assert_eq!(session["login"], "alice@example.com");

    let reused = redirect(&token, "http://localhost:3000/").await.unwrap();
    assert_eq!(reused.status(), 400, "a session token is good once");
    assert!(reused.text().await.unwrap().contains("invalid or has expired"));
}
