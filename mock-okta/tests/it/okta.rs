//! mock-okta over HTTP: discovery in both of Okta's layouts, JWKS, token shapes, and the
//! token endpoint's client authentication and grant errors, with Okta's bodies and statuses.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use mock_okta::{
    AuthServerConfig, ClientAuthMethod, ClientConfig, MockOkta, OktaConfig, UserConfig,
};
use serde_json::{Value, json};

const CLIENT: &str = "0oafedmock0client0001";
const SECRET: &str = "s3cret-0123456789";

fn config() -> OktaConfig {
    OktaConfig {
        servers: vec![AuthServerConfig {
            scopes: vec!["fedmock.read".into()],
            ..Default::default()
        }],
        clients: vec![
            ClientConfig {
                client_id: CLIENT.into(),
                client_secret: SECRET.into(),
                ..Default::default()
            },
            ClientConfig {
                client_id: "0oapostclient0000001".into(),
                client_secret: SECRET.into(),
                token_endpoint_auth_method: ClientAuthMethod::ClientSecretPost,
                grant_types: vec!["password".into()],
                ..Default::default()
            },
        ],
        users: vec![UserConfig::default()],
        ..Default::default()
    }
}

/// Form fields of a token request.
type Fields<'a> = Vec<(&'a str, &'a str)>;
/// `client_id:client_secret` for the Authorization header.
type Basic<'a> = Option<(&'a str, &'a str)>;

/// The password grant for the configured user.
fn alice(scope: &str) -> Fields<'_> {
    vec![
        ("grant_type", "password"),
        ("username", "alice@example.com"),
        ("password", "correct horse battery staple"),
        ("scope", scope),
    ]
}

fn decode(part: &str) -> Value {
    serde_json::from_slice(&B64.decode(part).unwrap()).unwrap()
}

async fn get(url: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap())
}

/// POSTs a token request; `basic` sends `client:secret` in the Authorization header.
async fn token(url: &str, basic: Option<(&str, &str)>, form: &[(&str, &str)]) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(url).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    assert_eq!(response.headers()["content-type"], "application/json;charset=UTF-8");
    (status, response.json().await.unwrap())
}

fn oauth_error(error: &str, description: &str) -> Value {
    json!({"error": error, "error_description": description})
}

#[tokio::test]
async fn discovery_follows_both_okta_layouts() {
    let okta = MockOkta::start(config()).await.unwrap();
    let base = okta.base_url();
    let (status, headers, custom) =
        get(&format!("{base}/oauth2/default/.well-known/openid-configuration")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json;charset=UTF-8");
    assert_eq!(custom["issuer"], format!("{base}/oauth2/default"));
    assert_eq!(custom["jwks_uri"], format!("{base}/oauth2/default/v1/keys"));
    assert_eq!(custom["token_endpoint"], format!("{base}/oauth2/default/v1/token"));
    assert_eq!(custom["authorization_endpoint"], format!("{base}/oauth2/default/v1/authorize"));
    assert_eq!(custom["userinfo_endpoint"], format!("{base}/oauth2/default/v1/userinfo"));
    assert_eq!(
        custom["registration_endpoint"],
        format!("{base}/oauth2/v1/clients"),
        "org-level, as in Okta"
    );
    assert_eq!(custom["id_token_signing_alg_values_supported"], json!(["RS256"]));
    assert_eq!(custom["code_challenge_methods_supported"], json!(["S256"]));
    assert!(custom["scopes_supported"].as_array().unwrap().contains(&json!("fedmock.read")));

    let (_, _, metadata) =
        get(&format!("{base}/oauth2/default/.well-known/oauth-authorization-server")).await;
    assert_eq!(metadata["issuer"], custom["issuer"]);
    assert!(metadata.get("userinfo_endpoint").is_none(), "RFC 8414 document has no userinfo");
    let (_, _, rfc8414) =
        get(&format!("{base}/.well-known/oauth-authorization-server/oauth2/default")).await;
    assert_eq!(rfc8414, metadata);

    let (_, _, org) = get(&format!("{base}/.well-known/openid-configuration")).await;
    assert_eq!(org["issuer"], base, "org issuer is the bare base URL");
    assert_eq!(org["jwks_uri"], format!("{base}/oauth2/v1/keys"));
    assert_eq!(org["token_endpoint"], format!("{base}/oauth2/v1/token"));
}

#[tokio::test]
async fn an_unknown_authorization_server_is_e0000007() {
    let okta = MockOkta::start(config()).await.unwrap();
    for path in
        ["/oauth2/aus0missing/.well-known/openid-configuration", "/oauth2/aus0missing/v1/keys"]
    {
        let (status, _, body) = get(&format!("{}{path}", okta.base_url())).await;
        assert_eq!(status, 404);
        assert_eq!(body["errorCode"], "E0000007");
        assert_eq!(
            body["errorSummary"],
            "Not found: Resource not found: aus0missing (AuthorizationServer)"
        );
        assert_eq!(body["errorCauses"], json!([]));
    }
}

#[tokio::test]
async fn tokens_have_okta_shapes_and_verify_against_the_jwks() {
    let okta = MockOkta::start(config()).await.unwrap();
    let base = okta.base_url();
    let form = alice("openid profile email");
    let (status, body) =
        token(&format!("{base}/oauth2/default/v1/token"), Some((CLIENT, SECRET)), &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "openid profile email");

    let access: Vec<&str> = body["access_token"].as_str().unwrap().split('.').collect();
    let id: Vec<&str> = body["id_token"].as_str().unwrap().split('.').collect();
    let (at_header, at) = (decode(access[0]), decode(access[1]));
    let (id_header, idt) = (decode(id[0]), decode(id[1]));
    assert_eq!(
        at_header.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["kid", "alg"],
        "kid first and no typ, as Okta's tokens (they start `eyJraWQi`)"
    );
    assert_eq!(at_header["alg"], "RS256");
    assert_eq!(at["iss"], format!("{base}/oauth2/default"));
    assert_eq!(at["aud"], "api://default");
    assert_eq!(at["sub"], "alice@example.com", "access token sub is the login");
    assert_eq!(at["cid"], CLIENT);
    assert_eq!(at["uid"], "00ufedmock0user00001");
    assert_eq!(at["scp"], json!(["openid", "profile", "email"]));
    assert_eq!(at["ver"], 1);
    assert!(at["jti"].as_str().unwrap().starts_with("AT."));
    assert_eq!(at["exp"].as_i64().unwrap() - at["iat"].as_i64().unwrap(), 3600);
    assert_eq!(idt["aud"], CLIENT, "ID token aud is the client id, a string");
    assert_eq!(idt["sub"], "00ufedmock0user00001", "ID token sub is the user id");
    assert!(idt["jti"].as_str().unwrap().starts_with("ID."));
    assert_eq!(idt["name"], "Alice Example");
    assert_eq!(idt["email"], "alice@example.com");
    assert_eq!(idt["preferred_username"], "alice@example.com");
    assert!(idt.get("cid").is_none() && idt.get("scp").is_none());

    let (_, headers, jwks) = get(&format!("{base}/oauth2/default/v1/keys")).await;
    assert_eq!(headers["cache-control"], "max-age=3832304, must-revalidate");
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["kid"], at_header["kid"]);
    assert_eq!(keys[0]["kid"], id_header["kid"]);
    let jwk = &keys[0];
    let public = aws_lc_rs::signature::RsaPublicKeyComponents {
        n: B64.decode(jwk["n"].as_str().unwrap()).unwrap(),
        e: B64.decode(jwk["e"].as_str().unwrap()).unwrap(),
    };
    for jwt in [&access, &id] {
        let message = format!("{}.{}", jwt[0], jwt[1]);
        public
            .verify(
                &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                message.as_bytes(),
                &B64.decode(jwt[2]).unwrap(),
            )
            .expect("signature verifies with the published key");
    }
}

#[tokio::test]
async fn the_org_server_does_not_publish_its_access_token_key() {
    let okta = MockOkta::start(config()).await.unwrap();
    let base = okta.base_url();
    let form = alice("openid");
    let (_, body) = token(&format!("{base}/oauth2/v1/token"), Some((CLIENT, SECRET)), &form).await;
    let at = body["access_token"].as_str().unwrap();
    let it = body["id_token"].as_str().unwrap();
    assert_eq!(
        decode(at.split('.').nth(1).unwrap())["aud"],
        base,
        "org access token aud is the org URL"
    );
    let (_, _, jwks) = get(&format!("{base}/oauth2/v1/keys")).await;
    let kids: Vec<&Value> = jwks["keys"].as_array().unwrap().iter().map(|k| &k["kid"]).collect();
    assert!(!kids.contains(&&decode(at.split('.').next().unwrap())["kid"]));
    assert!(kids.contains(&&decode(it.split('.').next().unwrap())["kid"]), "ID tokens verify");
}

#[tokio::test]
async fn client_authentication_is_verified() {
    let okta = MockOkta::start(config()).await.unwrap();
    let url = format!("{}/oauth2/default/v1/token", okta.base_url());
    let cc = [("grant_type", "client_credentials"), ("scope", "fedmock.read")];
    let (status, body) = token(&url, Some((CLIENT, SECRET)), &cc).await;
    assert_eq!((status, body["scope"].as_str()), (200, Some("fedmock.read")));

    let cases: Vec<(Basic, Fields, u16, Value)> = vec![
        (
            Some((CLIENT, "wrong")),
            vec![],
            401,
            oauth_error(
                "invalid_client",
                "The client secret supplied for a confidential client is invalid.",
            ),
        ),
        (None, vec![], 401, oauth_error("invalid_client", "No client credentials found.")),
        (
            Some(("0oanobody", SECRET)),
            vec![],
            401,
            oauth_error("invalid_client", "Invalid value for 'client_id' parameter."),
        ),
        (
            None,
            vec![("client_id", CLIENT), ("client_secret", SECRET)],
            401,
            oauth_error(
                "invalid_client",
                "Client authentication failed. Either the client or the client credentials are invalid.",
            ),
        ),
        (
            Some((CLIENT, SECRET)),
            vec![("client_secret", SECRET)],
            400,
            oauth_error(
                "invalid_request",
                "Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.",
            ),
        ),
    ];
    for (basic, extra, want_status, want) in cases {
        let form: Vec<(&str, &str)> = cc.iter().copied().chain(extra).collect();
        let (status, body) = token(&url, basic, &form).await;
        assert_eq!((status, &body), (want_status, &want), "{basic:?}");
    }

    let post = [
        ("grant_type", "password"),
        ("username", "alice@example.com"),
        ("password", "correct horse battery staple"),
        ("scope", "openid"),
        ("client_id", "0oapostclient0000001"),
        ("client_secret", SECRET),
    ];
    let (status, body) = token(&url, None, &post).await;
    assert_eq!(status, 200, "client_secret_post client: {body}");
}

#[tokio::test]
async fn grants_and_scopes_are_checked_like_okta() {
    let okta = MockOkta::start(config()).await.unwrap();
    let base = okta.base_url();
    let custom = format!("{base}/oauth2/default/v1/token");
    let auth = Some((CLIENT, SECRET));
    let cases: Vec<(&str, Fields, u16, Value)> = vec![
        (
            &custom,
            vec![
                ("grant_type", "password"),
                ("username", "alice@example.com"),
                ("password", "nope"),
                ("scope", "openid"),
            ],
            400,
            oauth_error("invalid_grant", "The credentials provided were invalid."),
        ),
        (
            &custom,
            vec![("grant_type", "client_credentials"), ("scope", "openid")],
            400,
            oauth_error(
                "invalid_scope",
                "Cannot request 'openid' scopes using client credentials.",
            ),
        ),
        (
            &custom,
            vec![("grant_type", "client_credentials"), ("scope", "unknown.scope")],
            400,
            oauth_error(
                "invalid_scope",
                "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.",
            ),
        ),
        (
            &custom,
            vec![("grant_type", "client_credentials")],
            400,
            oauth_error("invalid_scope", "No scopes were requested."),
        ),
        (
            &custom,
            vec![("grant_type", "urn:example:nope")],
            400,
            oauth_error(
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials, password].",
            ),
        ),
        (
            &custom,
            vec![("scope", "fedmock.read")],
            400,
            oauth_error("invalid_request", "The 'grant_type' parameter is required."),
        ),
    ];
    for (url, form, want_status, want) in cases {
        let (status, body) = token(url, auth, &form).await;
        assert_eq!((status, &body), (want_status, &want), "{form:?}");
    }
    let (status, body) = token(
        &format!("{base}/oauth2/v1/token"),
        auth,
        &[("grant_type", "client_credentials"), ("scope", "fedmock.read")],
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            oauth_error(
                "unsupported_grant_type",
                "'client_credentials' grant type can only be used with a custom authorization server."
            )
        )
    );
    let post_client = [
        ("grant_type", "client_credentials"),
        ("scope", "fedmock.read"),
        ("client_id", "0oapostclient0000001"),
        ("client_secret", SECRET),
    ];
    let (status, body) = token(&custom, None, &post_client).await;
    assert_eq!(
        (status, body),
        (
            400,
            oauth_error(
                "unauthorized_client",
                "The client is not authorized to use the provided grant type. Configured grant types: [password]."
            )
        )
    );
}

#[tokio::test]
async fn a_body_that_is_not_a_form_is_an_oauth_error() {
    let okta = MockOkta::start(config()).await.unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/oauth2/default/v1/token", okta.base_url()))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
}
