//! mock-okta driven by the `openidconnect` crate, an OIDC client nobody here wrote:
//! discovery, the authorization code flow with PKCE through the headless login, ID token
//! validation with a nonce, refresh; then every served-token fault, each rejected by the
//! client for the right reason.

use mock_okta::{
    AuthServerConfig, ClientConfig, Faults, MockOkta, OktaConfig, Signing, TokenErrorFault,
    UserConfig,
};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, Scope,
    TokenResponse,
};
use serde_json::json;

const CLIENT: &str = "0oafedmock0client0001";
const SECRET: &str = "s3cret-0123456789";
const REDIRECT: &str = "http://127.0.0.1:9/callback";

fn config() -> OktaConfig {
    OktaConfig {
        servers: vec![AuthServerConfig::default()],
        clients: vec![ClientConfig {
            client_id: CLIENT.into(),
            client_secret: SECRET.into(),
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            redirect_uris: vec![REDIRECT.into()],
            ..Default::default()
        }],
        users: vec![UserConfig::default()],
        ..Default::default()
    }
}

/// The crate's async HTTP hook, served by reqwest 0.13 (no redirects: the test reads them).
async fn http(
    request: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, reqwest::Error> {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let (parts, body) = request.into_parts();
    let response = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let mut answer = openidconnect::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    Ok(answer.body(response.bytes().await?.to_vec()).expect("a response from parts"))
}

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

async fn discover(issuer: &str) -> Result<Client, String> {
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.to_owned()).unwrap(), &http)
            .await
            .map_err(|e| format!("{e:?}"))?;
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(CLIENT.into()),
        Some(ClientSecret::new(SECRET.into())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap()))
}

/// Runs the code flow with PKCE and `login_hint`; returns the token answer and the nonce.
async fn code_flow(
    client: &Client,
    scopes: &[&str],
) -> Result<(openidconnect::core::CoreTokenResponse, Nonce), String> {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge)
        .add_extra_param("login_hint", "alice@example.com");
    for scope in scopes {
        request = request.add_scope(Scope::new((*scope).into()));
    }
    let (url, csrf, nonce) = request.url();
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 302, "{:?}", response.text().await);
    let location = reqwest::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    let query: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(query.get("state"), Some(csrf.secret()), "state carried through");
    let code = query.get("code").ok_or_else(|| format!("no code in {location}"))?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .map_err(|e| format!("{e:?}"))?
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok((tokens, nonce))
}

/// The ID token's verification error, as the crate words it.
async fn id_token_error(okta: &MockOkta, faults: Faults) -> Result<String, String> {
    let client = discover(&format!("{}/oauth2/default", okta.base_url())).await.unwrap();
    okta.state().set_faults(faults);
    // The client may refuse the token answer itself (an unparseable ID token), or the token.
    let (tokens, nonce) = match code_flow(&client, &[]).await {
        Ok(answer) => answer,
        Err(refused) => return Ok(refused),
    };
    let id_token = tokens.id_token().expect("an ID token");
    match id_token.claims(&client.id_token_verifier(), &nonce) {
        Ok(claims) => Err(format!("accepted, sub {}", claims.subject().as_str())),
        Err(error) => Ok(format!("{error:?}")),
    }
}

#[tokio::test]
async fn the_code_flow_with_pkce_and_refresh_passes_a_real_oidc_client() {
    let okta = MockOkta::start(config()).await.unwrap();
    let client = discover(&format!("{}/oauth2/default", okta.base_url())).await.unwrap();
    let (tokens, nonce) = code_flow(&client, &["profile", "offline_access"]).await.unwrap();
    let claims = tokens.id_token().unwrap().claims(&client.id_token_verifier(), &nonce).unwrap();
    assert_eq!(claims.subject().as_str(), "00ufedmock0user00001");
    assert_eq!(claims.preferred_username().unwrap().as_str(), "alice@example.com");
    assert_eq!(claims.nonce().map(|n| n.secret()), Some(nonce.secret()));
    let refresh = tokens.refresh_token().expect("offline_access brings a refresh token");
    let refreshed =
        client.exchange_refresh_token(refresh).unwrap().request_async(&http).await.unwrap();
    assert_ne!(refreshed.access_token().secret(), tokens.access_token().secret());
    let again = refreshed.id_token().unwrap();
    assert!(again.claims(&client.id_token_verifier(), |_: Option<&Nonce>| Ok(())).is_ok());
}

#[tokio::test]
async fn the_org_server_is_discovered_at_the_bare_issuer() {
    let okta = MockOkta::start(config()).await.unwrap();
    let client = discover(okta.base_url()).await.unwrap();
    let (tokens, nonce) = code_flow(&client, &[]).await.unwrap();
    let claims = tokens.id_token().unwrap().claims(&client.id_token_verifier(), &nonce).unwrap();
    assert_eq!(claims.issuer().as_str(), okta.base_url());
}

#[tokio::test]
async fn served_token_faults_are_rejected_by_the_client_for_the_right_reason() {
    let okta = MockOkta::start(config()).await.unwrap();
    let now = okta.state().clock.now();
    let claims = |v: serde_json::Value| serde_json::from_value(v).unwrap();
    // Not-yet-valid tokens are not here: this crate does not check `iat`/`nbf` unless the
    // application asks it to. @okta/jwt-verifier and PyJWT do, and are tested with them.
    let cases: Vec<(&str, Faults, &str)> = vec![
        (
            "expired",
            Faults {
                id_token_claims: claims(json!({"iat": now - 7200, "exp": now - 3600})),
                ..Default::default()
            },
            "Expired",
        ),
        (
            "other audience",
            Faults { id_token_claims: claims(json!({"aud": "0oaother"})), ..Default::default() },
            "InvalidAudience",
        ),
        (
            "extra audience in an array",
            Faults {
                id_token_claims: claims(json!({"aud": [CLIENT, "api://default"]})),
                ..Default::default()
            },
            "is not a trusted audience",
        ),
        (
            "issuer with a trailing slash",
            Faults {
                id_token_claims: claims(
                    json!({"iss": format!("{}/oauth2/default/", okta.base_url())}),
                ),
                ..Default::default()
            },
            "InvalidIssuer",
        ),
        (
            "org issuer on a custom server's token",
            Faults {
                id_token_claims: claims(json!({"iss": okta.base_url()})),
                ..Default::default()
            },
            "InvalidIssuer",
        ),
        (
            "https issuer for an http server",
            Faults {
                id_token_claims: claims(
                    json!({"iss": format!("{}/oauth2/default", okta.base_url().replace("http://", "https://"))}),
                ),
                ..Default::default()
            },
            "InvalidIssuer",
        ),
        (
            "missing sub",
            Faults { id_token_claims: claims(json!({"sub": null})), ..Default::default() },
            "missing field `sub`",
        ),
        (
            "unpublished key",
            Faults { signing: Signing::UnpublishedKey, ..Default::default() },
            "NoMatchingKey",
        ),
        (
            "unknown kid",
            Faults { signing: Signing::UnknownKid, ..Default::default() },
            "NoMatchingKey",
        ),
        (
            "tampered signature",
            Faults { signing: Signing::TamperedSignature, ..Default::default() },
            "CryptoError",
        ),
        ("alg none", Faults { signing: Signing::AlgNone, ..Default::default() }, "NoSignature"),
        (
            "HS256 with the client secret",
            Faults { signing: Signing::Hs256 { secret: SECRET.into() }, ..Default::default() },
            "DisallowedAlg",
        ),
    ];
    for (name, faults, reason) in cases {
        let error = id_token_error(&okta, faults).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(error.contains(reason), "{name}: expected {reason}, got {error}");
    }
}

#[tokio::test]
async fn a_chosen_token_endpoint_error_reaches_the_client() {
    let okta = MockOkta::start(config()).await.unwrap();
    let client = discover(&format!("{}/oauth2/default", okta.base_url())).await.unwrap();
    okta.state().set_faults(Faults {
        token_error: Some(TokenErrorFault {
            status: 400,
            error: "invalid_grant".into(),
            error_description: "Policy says no.".into(),
        }),
        ..Default::default()
    });
    let error = code_flow(&client, &[]).await.unwrap_err();
    assert!(error.contains("invalid_grant") && error.contains("Policy says no."), "{error}");
}

#[tokio::test]
async fn a_failing_or_slow_jwks_endpoint_fails_discovery() {
    let okta = MockOkta::start(config()).await.unwrap();
    okta.state().set_faults(Faults { jwks_status: Some(503), ..Default::default() });
    let error = discover(&format!("{}/oauth2/default", okta.base_url())).await.unwrap_err();
    assert!(error.contains("503"), "{error}");

    okta.state().set_faults(Faults { jwks_delay_ms: 400, ..Default::default() });
    let started = std::time::Instant::now();
    discover(&format!("{}/oauth2/default", okta.base_url())).await.unwrap();
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(400),
        "the JWKS answer was delayed"
    );
}
