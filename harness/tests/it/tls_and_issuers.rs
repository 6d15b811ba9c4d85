//! HTTPS with the throw-away CA, and issuers that present their production names.

use harness::mock_cognito::OidcProviderConfig;
use harness::{Federation, TokenRequest};

#[tokio::test]
async fn an_https_world_federates_with_clients_that_trust_its_ca() {
    let fed = Federation::builder().tls().start().await.unwrap();
    assert!(fed.issuer().starts_with("https://127.0.0.1:"), "{}", fed.issuer());
    assert!(fed.cognito_endpoint().starts_with("https://"));
    let tls = fed.tls().unwrap();
    let ca_path = tls.ca_path();
    assert!(std::fs::read_to_string(&ca_path).unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
    let vars: Vec<&str> = tls.env().iter().map(|(var, _)| *var).collect();
    assert_eq!(
        vars,
        ["NODE_EXTRA_CA_CERTS", "AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"]
    );

    let (user, password) = fed.user();
    let token =
        fed.token(TokenRequest::password(user, password, "openid")).await.unwrap().access_token;
    // mock-cognito fetches the https issuer's JWKS trusting the same CA; the SDK talks TLS.
    let id = fed
        .cognito_client()
        .get_id()
        .identity_pool_id(fed.pool_id())
        .logins(fed.logins_key(), &token)
        .send()
        .await
        .unwrap();
    assert!(id.identity_id().unwrap().starts_with("us-east-1:"));

    // A client that does not trust the CA is refused by TLS itself.
    let untrusting = reqwest::Client::new()
        .get(format!("{}/.well-known/openid-configuration", fed.issuer()))
        .send()
        .await;
    assert!(untrusting.is_err(), "the certificate must not be trusted by default");
    drop(fed);
    assert!(!ca_path.exists(), "the CA goes with the world");
}

#[tokio::test]
async fn a_production_issuer_name_works_unchanged_against_the_local_server() {
    const PROD: &str = "https://dev-123456.okta.com/oauth2/default";
    let fed = Federation::builder()
        .okta(|okta| okta.servers[0].issuer = Some(PROD.into()))
        .aws(|aws| {
            aws.oidc_providers = vec![OidcProviderConfig {
                url: PROD.into(),
                client_ids: vec!["api://default".into()],
            }];
            aws.identity_pools[0].open_id_connect_providers = vec![PROD.into()];
        })
        .start()
        .await
        .unwrap();
    assert_eq!(fed.issuer(), PROD);
    assert_eq!(fed.logins_key(), "dev-123456.okta.com/oauth2/default");
    let discovery: serde_json::Value =
        reqwest::get(format!("{}/oauth2/default/.well-known/openid-configuration", fed.okta_url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(discovery["issuer"], PROD, "discovery presents the production issuer");

    let (user, password) = fed.user();
    let token =
        fed.token(TokenRequest::password(user, password, "openid")).await.unwrap().access_token;
    let client = fed.cognito_client();
    let ok = client
        .get_id()
        .identity_pool_id(fed.pool_id())
        .logins("dev-123456.okta.com/oauth2/default", &token)
        .send()
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    let local_key = format!("{}/oauth2/default", fed.okta_url().trim_start_matches("http://"));
    let err = client
        .get_id()
        .identity_pool_id(fed.pool_id())
        .logins(local_key, &token)
        .send()
        .await
        .unwrap_err();
    let err = err.into_service_error();
    assert_eq!(
        aws_sdk_cognitoidentity::error::ProvideErrorMetadata::message(&err),
        Some("Invalid login token. Issuer doesn't match providerName")
    );
}
