//! The rest of the authorization server over HTTP: /v1/authorize (headless and form login,
//! implicit, form_post, every refusal), code and refresh redemption rules, private_key_jwt
//! and public clients, userinfo, introspect, revoke, logout, claim rules, key rotation and
//! the /__fedmock admin API. Error texts are Okta's (or marked inferred in the source).

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use mock_okta::{
    AuthServerConfig, ClaimRule, ClientAuthMethod, ClientConfig, MockOkta, OktaConfig, SigningKey,
    TokenKind, UserConfig,
};
use serde_json::{Value, json};

const CLIENT: &str = "0oafedmock0client0001";
const SECRET: &str = "s3cret-0123456789";
const PUBLIC: &str = "0oafedmock0public001";
const REDIRECT: &str = "http://127.0.0.1:9/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn config() -> OktaConfig {
    let all_grants =
        ["authorization_code", "refresh_token", "implicit", "password", "client_credentials"];
    OktaConfig {
        servers: vec![AuthServerConfig {
            scopes: vec!["fedmock.read".into()],
            claims: vec![
                ClaimRule {
                    name: "groups".into(),
                    token: TokenKind::Access,
                    value: None,
                    profile: None,
                    groups: Some("fedmock-.*".into()),
                },
                ClaimRule {
                    name: "department".into(),
                    token: TokenKind::Id,
                    value: None,
                    profile: Some("department".into()),
                    groups: None,
                },
                ClaimRule {
                    name: "tier".into(),
                    token: TokenKind::Access,
                    value: Some(json!("gold")),
                    profile: None,
                    groups: None,
                },
            ],
            ..Default::default()
        }],
        clients: vec![
            ClientConfig {
                client_id: CLIENT.into(),
                client_secret: SECRET.into(),
                grant_types: all_grants.iter().map(|g| (*g).into()).collect(),
                redirect_uris: vec![REDIRECT.into()],
                post_logout_redirect_uris: vec!["http://127.0.0.1:9/bye".into()],
                ..Default::default()
            },
            ClientConfig {
                client_id: PUBLIC.into(),
                client_secret: String::new(),
                token_endpoint_auth_method: ClientAuthMethod::None,
                grant_types: vec!["authorization_code".into()],
                redirect_uris: vec![REDIRECT.into()],
                ..Default::default()
            },
        ],
        users: vec![UserConfig {
            groups: vec!["fedmock-admins".into(), "everyone".into(), "xfedmock-other".into()],
            profile: serde_json::from_value(json!({"department": "finance"})).unwrap(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// Query or form parameters.
type Params<'a> = Vec<(&'a str, &'a str)>;

/// A client that presents the run's control token, as the harness does.
pub(crate) fn control_client(okta: &MockOkta) -> reqwest::Client {
    let token = okta.state().control_token().expect("the control API is guarded by default");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn authorize_url(okta: &MockOkta, params: &[(&str, &str)]) -> String {
    format!(
        "{}/oauth2/default/v1/authorize?{}",
        okta.base_url(),
        serde_urlencoded::to_string(params).unwrap()
    )
}

fn code_params<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![
        ("client_id", CLIENT),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", "openid offline_access"),
        ("state", "st4te"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("login_hint", "alice@example.com"),
    ];
    for (k, v) in extra {
        params.retain(|(key, _)| key != k);
        if !v.is_empty() {
            params.push((k, v));
        }
    }
    params
}

/// The Location's query (or fragment) parameters after a 302.
fn redirect_params(response: &reqwest::Response) -> HashMap<String, String> {
    assert_eq!(response.status().as_u16(), 302, "expected a redirect");
    let location = response.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(REDIRECT) || location.starts_with("http://127.0.0.1:9/bye"),
        "{location}"
    );
    let part = location.split_once('#').or_else(|| location.split_once('?')).map_or("", |(_, p)| p);
    serde_urlencoded::from_str(part).unwrap()
}

async fn code(okta: &MockOkta, extra: &[(&str, &str)]) -> String {
    let response = http().get(authorize_url(okta, &code_params(extra))).send().await.unwrap();
    redirect_params(&response).remove("code").expect("a code")
}

async fn token(okta: &MockOkta, form: &[(&str, &str)]) -> (u16, Value) {
    let response = http()
        .post(format!("{}/oauth2/default/v1/token", okta.base_url()))
        .basic_auth(CLIENT, Some(SECRET))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// The password grant for the configured user, with `scope`.
async fn password_grant(okta: &MockOkta, scope: &str) -> (u16, Value) {
    let form = [
        ("grant_type", "password"),
        ("username", "alice@example.com"),
        ("password", "correct horse battery staple"),
        ("scope", scope),
    ];
    token(okta, &form).await
}

fn claims(jwt: &str) -> Value {
    serde_json::from_slice(&B64.decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap()
}

fn oauth(error: &str, description: &str) -> Value {
    json!({"error": error, "error_description": description})
}

#[tokio::test]
async fn an_authorization_code_is_single_use_and_bound_to_client_redirect_and_verifier() {
    let okta = MockOkta::start(config()).await.unwrap();
    let redeem = |code: String, verifier: &'static str, redirect: &'static str| {
        let okta = &okta;
        async move {
            token(
                okta,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", redirect),
                    ("code_verifier", verifier),
                ],
            )
            .await
        }
    };
    let c = code(&okta, &[]).await;
    let (status, body) = redeem(c.clone(), VERIFIER, REDIRECT).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["refresh_token"].is_string() && body["id_token"].is_string());
    assert_eq!(
        redeem(c, VERIFIER, REDIRECT).await,
        (400, oauth("invalid_grant", "The authorization code is invalid or has expired."))
    );

    let c = code(&okta, &[]).await;
    assert_eq!(
        redeem(c, "wrong-verifier-wrong-verifier-wrong-verifier-00", REDIRECT).await,
        (400, oauth("invalid_grant", "PKCE verification failed."))
    );
    let c = code(&okta, &[]).await;
    assert_eq!(
        redeem(c, VERIFIER, "http://127.0.0.1:9/other").await,
        (
            400,
            oauth(
                "invalid_grant",
                "The 'redirect_uri' does not match the redirection URI used in the authorization request."
            )
        )
    );
    let c = code(&okta, &[]).await;
    okta.state().clock.advance(301);
    assert_eq!(
        redeem(c, VERIFIER, REDIRECT).await,
        (400, oauth("invalid_grant", "The authorization code is invalid or has expired.")),
        "codes live 300 s"
    );

    // A code issued to the public client cannot be redeemed by the confidential one.
    let c = code(&okta, &[("client_id", PUBLIC)]).await;
    assert_eq!(
        redeem(c, VERIFIER, REDIRECT).await,
        (
            400,
            oauth(
                "invalid_grant",
                "The grant was issued to another client. Please make sure the 'client_id' matches the one used at the authorize request."
            )
        )
    );
}

#[tokio::test]
async fn a_public_client_uses_pkce_and_its_client_id_only() {
    let okta = MockOkta::start(config()).await.unwrap();
    let c = code(&okta, &[("client_id", PUBLIC)]).await;
    let response = http()
        .post(format!("{}/oauth2/default/v1/token", okta.base_url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", PUBLIC),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let response = http()
        .get(authorize_url(
            &okta,
            &code_params(&[
                ("client_id", PUBLIC),
                ("code_challenge", ""),
                ("code_challenge_method", ""),
            ]),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        redirect_params(&response).get("error_description").map(String::as_str),
        Some("PKCE code challenge is required by the application.")
    );
}

#[tokio::test]
async fn authorize_refusals_follow_oauth_and_okta() {
    let okta = MockOkta::start(config()).await.unwrap();
    let page = http()
        .get(authorize_url(&okta, &code_params(&[("client_id", "0oanobody")])))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 400);
    assert!(
        page.text().await.unwrap().contains("Invalid value for &#39;client_id&#39; parameter.")
    );
    let page = http()
        .get(authorize_url(&okta, &code_params(&[("redirect_uri", "http://evil.example/cb")])))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 400, "never redirect to an unregistered URI");

    let cases: Vec<(Params, &str, &str)> = vec![
        (vec![("state", "")], "invalid_request", "The 'state' parameter is required."),
        (
            vec![("response_type", "code token")],
            "unsupported_response_type",
            "The response type is not supported by the authorization server. Configured response types: [code, token, id_token].",
        ),
        (
            vec![("code_challenge_method", "plain")],
            "invalid_request",
            "PKCE code challenge method is not supported. Valid values: [S256]",
        ),
        (
            vec![("scope", "openid nope")],
            "invalid_scope",
            "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.",
        ),
        (
            vec![("login_hint", ""), ("prompt", "none")],
            "login_required",
            "The client specified not to prompt, but the user is not logged in.",
        ),
        (
            vec![("response_type", "token"), ("nonce", "")],
            "invalid_request",
            "The 'nonce' parameter is required for authorize requests with either the 'id_token' or 'token' response types..",
        ),
    ];
    for (extra, error, description) in cases {
        let response = http().get(authorize_url(&okta, &code_params(&extra))).send().await.unwrap();
        let params = redirect_params(&response);
        assert_eq!(
            (params["error"].as_str(), params["error_description"].as_str()),
            (error, description),
            "{extra:?}"
        );
        if !extra.iter().any(|(k, _)| *k == "state") {
            assert_eq!(
                params.get("state").map(String::as_str),
                Some("st4te"),
                "state carried into errors"
            );
        }
    }
}

#[tokio::test]
async fn without_a_hint_the_login_form_signs_the_user_in() {
    let okta = MockOkta::start(config()).await.unwrap();
    let params = code_params(&[("login_hint", "")]);
    let page = http().get(authorize_url(&okta, &params)).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<form method=\"post\">") && html.contains("name=\"password\""),
        "{html}"
    );
    let post = |password: &'static str| {
        let mut form: Vec<(&str, &str)> = params.clone();
        form.push(("username", "alice@example.com"));
        form.push(("password", password));
        http().post(format!("{}/oauth2/default/v1/authorize", okta.base_url())).form(&form).send()
    };
    let wrong = post("nope").await.unwrap();
    assert_eq!(wrong.status().as_u16(), 200);
    assert!(wrong.text().await.unwrap().contains("Unable to sign in"));
    let right = post("correct horse battery staple").await.unwrap();
    assert!(redirect_params(&right).contains_key("code"));
}

#[tokio::test]
async fn the_implicit_flow_answers_in_the_fragment_or_a_form_post() {
    let okta = MockOkta::start(config()).await.unwrap();
    let params = code_params(&[
        ("response_type", "id_token token"),
        ("nonce", "n0nce"),
        ("code_challenge", ""),
        ("code_challenge_method", ""),
    ]);
    let response = http().get(authorize_url(&okta, &params)).send().await.unwrap();
    assert!(response.headers()["location"].to_str().unwrap().starts_with(&format!("{REDIRECT}#")));
    let answer = redirect_params(&response);
    assert_eq!(answer["token_type"], "Bearer");
    let id = claims(&answer["id_token"]);
    assert_eq!(id["nonce"], "n0nce");
    assert!(id["at_hash"].is_string(), "at_hash binds the access token");
    assert_eq!(claims(&answer["access_token"])["aud"], "api://default");

    let mut params = params.clone();
    params.push(("response_mode", "form_post"));
    let page = http().get(authorize_url(&okta, &params)).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("action=\"{REDIRECT}\""))
            && html.contains("name=\"id_token\"")
            && html.contains("value=\"st4te\""),
        "{html}"
    );
}

#[tokio::test]
async fn refresh_tokens_keep_or_rotate_and_never_widen_scope() {
    let okta = MockOkta::start(config()).await.unwrap();
    let (_, first) = password_grant(&okta, "openid offline_access").await;
    let refresh = first["refresh_token"].as_str().unwrap();
    let (status, again) =
        token(&okta, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(status, 200);
    assert_eq!(again["refresh_token"], refresh, "persistent refresh tokens by default");
    let (_, narrowed) = token(
        &okta,
        &[("grant_type", "refresh_token"), ("refresh_token", refresh), ("scope", "offline_access")],
    )
    .await;
    assert_eq!(narrowed["scope"], "offline_access");
    assert!(narrowed.get("id_token").is_none());
    assert_eq!(
        token(
            &okta,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh),
                ("scope", "openid fedmock.read")
            ]
        )
        .await,
        (
            400,
            oauth(
                "invalid_scope",
                "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner."
            )
        )
    );

    let mut rotating = config();
    rotating.servers[0].rotate_refresh_tokens = true;
    let okta = MockOkta::start(rotating).await.unwrap();
    let (_, first) = password_grant(&okta, "openid offline_access").await;
    let old = first["refresh_token"].as_str().unwrap();
    let (_, rotated) =
        token(&okta, &[("grant_type", "refresh_token"), ("refresh_token", old)]).await;
    assert_ne!(rotated["refresh_token"], old);
    assert_eq!(
        token(&okta, &[("grant_type", "refresh_token"), ("refresh_token", old)]).await,
        (400, oauth("invalid_grant", "The refresh token is invalid or expired."))
    );
}

#[tokio::test]
async fn private_key_jwt_clients_are_verified_by_their_jwks() {
    let key = SigningKey::generate().unwrap();
    let other = SigningKey::generate().unwrap();
    let mut cfg = config();
    cfg.clients.push(ClientConfig {
        client_id: "0oafedmock0pkjwt0001".into(),
        token_endpoint_auth_method: ClientAuthMethod::PrivateKeyJwt,
        jwks: Some(json!({"keys": [key.jwk()]})),
        grant_types: vec!["client_credentials".into()],
        ..Default::default()
    });
    let okta = MockOkta::start(cfg).await.unwrap();
    let endpoint = format!("{}/oauth2/default/v1/token", okta.base_url());
    let now = okta.state().clock.now();
    let assertion = |signer: &SigningKey, aud: &str, exp: i64, jti: &str| {
        signer.sign(&json!({"iss": "0oafedmock0pkjwt0001", "sub": "0oafedmock0pkjwt0001", "aud": aud, "exp": exp, "iat": now, "jti": jti}))
    };
    let send = |jwt: String| {
        http()
            .post(&endpoint)
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", "fedmock.read"),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ("client_assertion", jwt.as_str()),
            ])
            .send()
    };
    let answer = |r: reqwest::Response| async move {
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    let (status, body) =
        answer(send(assertion(&key, &endpoint, now + 300, "j1")).await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    let cases = [
        (
            assertion(&key, &endpoint, now + 300, "j1"),
            "The client_assertion token has already been used.",
        ),
        (
            assertion(&other, &endpoint, now + 300, "j2"),
            "The client_assertion signature is invalid.",
        ),
        (
            assertion(&key, "https://elsewhere/token", now + 300, "j3"),
            "The audience claim for client_assertion must be the endpoint invoked for the request.",
        ),
        (assertion(&key, &endpoint, now - 1, "j4"), "The client_assertion token is expired."),
    ];
    for (jwt, description) in cases {
        assert_eq!(
            answer(send(jwt).await.unwrap()).await,
            (401, oauth("invalid_client", description))
        );
    }
}

#[tokio::test]
async fn userinfo_introspect_and_revoke_agree_on_a_token_s_life() {
    let okta = MockOkta::start(config()).await.unwrap();
    let base = format!("{}/oauth2/default/v1", okta.base_url());
    let (_, tokens) = password_grant(&okta, "openid profile email offline_access").await;
    let access = tokens["access_token"].as_str().unwrap();
    let userinfo = || http().get(format!("{base}/userinfo")).bearer_auth(access).send();
    let info: Value = userinfo().await.unwrap().json().await.unwrap();
    assert_eq!(
        info,
        json!({"sub": "00ufedmock0user00001", "name": "Alice Example", "preferred_username": "alice@example.com", "email": "alice@example.com", "email_verified": true})
    );
    let introspect = |t: &str| {
        http()
            .post(format!("{base}/introspect"))
            .basic_auth(CLIENT, Some(SECRET))
            .form(&[("token", t)])
            .send()
    };
    let active: Value = introspect(access).await.unwrap().json().await.unwrap();
    assert_eq!(
        (active["active"].as_bool(), active["client_id"].as_str(), active["username"].as_str()),
        (Some(true), Some(CLIENT), Some("alice@example.com"))
    );
    let refresh: Value =
        introspect(tokens["refresh_token"].as_str().unwrap()).await.unwrap().json().await.unwrap();
    assert_eq!(refresh["active"], true);
    assert_eq!(
        introspect("garbage").await.unwrap().json::<Value>().await.unwrap(),
        json!({"active": false})
    );

    let revoked = http()
        .post(format!("{base}/revoke"))
        .basic_auth(CLIENT, Some(SECRET))
        .form(&[("token", access)])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status().as_u16(), 200);
    assert_eq!(
        introspect(access).await.unwrap().json::<Value>().await.unwrap(),
        json!({"active": false})
    );
    let refused = userinfo().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    assert_eq!(
        refused.headers()["www-authenticate"],
        r#"Bearer error="invalid_token", error_description="The access token is invalid""#
    );
    let garbage = http()
        .post(format!("{base}/revoke"))
        .basic_auth(CLIENT, Some(SECRET))
        .form(&[("token", "garbage")])
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status().as_u16(), 200, "revoke never leaks whether a token existed");

    let (_, service) =
        token(&okta, &[("grant_type", "client_credentials"), ("scope", "fedmock.read")]).await;
    let no_user = http()
        .get(format!("{base}/userinfo"))
        .bearer_auth(service["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(no_user.status().as_u16(), 401);
    let (_, no_openid) = password_grant(&okta, "fedmock.read").await;
    let forbidden = http()
        .get(format!("{base}/userinfo"))
        .bearer_auth(no_openid["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status().as_u16(), 403);
}

#[tokio::test]
async fn logout_returns_to_a_registered_uri_with_the_state() {
    let okta = MockOkta::start(config()).await.unwrap();
    let (_, tokens) = password_grant(&okta, "openid").await;
    let logout = |params: &[(&str, &str)]| {
        http()
            .get(format!(
                "{}/oauth2/default/v1/logout?{}",
                okta.base_url(),
                serde_urlencoded::to_string(params).unwrap()
            ))
            .send()
    };
    let hint = tokens["id_token"].as_str().unwrap();
    let back = logout(&[
        ("id_token_hint", hint),
        ("post_logout_redirect_uri", "http://127.0.0.1:9/bye"),
        ("state", "s1"),
    ])
    .await
    .unwrap();
    assert_eq!(redirect_params(&back)["state"], "s1");
    assert_eq!(
        logout(&[("id_token_hint", hint), ("post_logout_redirect_uri", "http://evil.example/")])
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    assert_eq!(
        logout(&[("post_logout_redirect_uri", "http://127.0.0.1:9/bye")])
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
}

#[tokio::test]
async fn claim_rules_take_groups_by_full_regex_match_profile_attributes_and_values() {
    let okta = MockOkta::start(config()).await.unwrap();
    let (_, tokens) = password_grant(&okta, "openid").await;
    let access = claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(
        access["groups"],
        json!(["fedmock-admins"]),
        "xfedmock-other does not match the whole pattern"
    );
    assert_eq!(access["tier"], "gold");
    assert!(access.get("department").is_none(), "an ID token claim");
    assert_eq!(claims(tokens["id_token"].as_str().unwrap())["department"], "finance");
}

#[tokio::test]
async fn the_admin_api_rotates_keys_mints_tokens_sets_faults_and_moves_the_clock() {
    let okta = MockOkta::start(config()).await.unwrap();
    let admin = |path: &str| format!("{}/__fedmock{path}", okta.base_url());
    let http = || control_client(&okta);
    let jwks = || async {
        reqwest::get(format!("{}/oauth2/default/v1/keys", okta.base_url()))
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let before = jwks().await["keys"][0]["kid"].clone();
    let rotated: Value = http()
        .post(admin("/servers/default/keys/rotate"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(rotated["active"], before);
    assert_eq!(
        rotated["published"],
        json!([rotated["active"], before]),
        "the old key stays published"
    );
    let (_, fresh) =
        token(&okta, &[("grant_type", "client_credentials"), ("scope", "fedmock.read")]).await;
    let header: Value = serde_json::from_slice(
        &B64.decode(fresh["access_token"].as_str().unwrap().split('.').next().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(header["kid"], rotated["active"], "new tokens use the new key");
    let retired: Value = http()
        .post(admin("/servers/default/keys/retire"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(retired["published"], json!([rotated["active"]]));
    assert_eq!(jwks().await["keys"].as_array().unwrap().len(), 1);
    assert_eq!(
        http().post(admin("/servers/nope/keys/rotate")).send().await.unwrap().status().as_u16(),
        404
    );

    let minted: Value = http()
        .post(admin("/mint"))
        .json(&json!({"claims": {"aud": ["a", "b"]}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(claims(minted["token"].as_str().unwrap())["aud"], json!(["a", "b"]));

    let set = http().put(admin("/faults")).json(&json!({"token_error": {"error": "temporarily_unavailable", "error_description": "Try later."}})).send().await.unwrap();
    assert_eq!(set.status().as_u16(), 200);
    assert_eq!(
        token(&okta, &[("grant_type", "client_credentials")]).await,
        (400, oauth("temporarily_unavailable", "Try later."))
    );
    assert_eq!(
        http()
            .put(admin("/faults"))
            .json(&json!({"tokn_error": {}}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        400,
        "typos are errors"
    );
    http().delete(admin("/faults")).send().await.unwrap();
    assert_eq!(
        token(&okta, &[("grant_type", "client_credentials"), ("scope", "fedmock.read")]).await.0,
        200
    );

    let clock: Value = http()
        .post(admin("/clock"))
        .json(&json!({"freeze_at": 1_800_000_000, "advance": 60}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clock, json!({"now": 1_800_000_060, "frozen": true}));
    let (_, later) =
        token(&okta, &[("grant_type", "client_credentials"), ("scope", "fedmock.read")]).await;
    assert_eq!(claims(later["access_token"].as_str().unwrap())["iat"], 1_800_000_060);
}

#[tokio::test]
async fn slow_endpoints_make_a_client_with_a_timeout_give_up() {
    let okta = MockOkta::start(config()).await.unwrap();
    let keys_url = format!("{}/oauth2/default/v1/keys", okta.base_url());
    // Make the signing key now, so that nothing but the fault can be slow below.
    http().get(&keys_url).send().await.unwrap();
    let impatient =
        reqwest::Client::builder().timeout(std::time::Duration::from_millis(200)).build().unwrap();
    okta.state().set_faults(mock_okta::Faults {
        token_delay_ms: 2_000,
        jwks_delay_ms: 2_000,
        ..Default::default()
    });
    let slow_token = impatient
        .post(format!("{}/oauth2/default/v1/token", okta.base_url()))
        .basic_auth(CLIENT, Some(SECRET))
        .form(&[("grant_type", "client_credentials"), ("scope", "fedmock.read")])
        .send()
        .await;
    assert!(slow_token.is_err_and(|e| e.is_timeout()));
    assert!(impatient.get(&keys_url).send().await.is_err_and(|e| e.is_timeout()));
    okta.state().set_faults(mock_okta::Faults::default());
    let answer = http().get(&keys_url).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 200, "without the fault the JWKS answers");
}
