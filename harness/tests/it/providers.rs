//! Cognito user pools and public providers in `Logins`, verified like any OIDC issuer.
//! mock-okta plays the user pool and Google through issuer overrides, so the `Logins` keys
//! are the production ones.

use aws_sdk_cognitoidentity::error::ProvideErrorMetadata;
use harness::mock_cognito::UserPoolProviderConfig;
use harness::mock_okta::{AuthServerConfig, ClientConfig};
use harness::{Federation, TokenRequest};
use serde_json::Value;

const USER_POOL: &str = "cognito-idp.us-east-1.amazonaws.com/us-east-1_FedMock1";
const GOOGLE: &str = "accounts.google.com";
const GOOGLE_APP: &str = "fedmock-app.apps.googleusercontent.com";

async fn world(user_pool_client: &str) -> Federation {
    let user_pool_client = user_pool_client.to_owned();
    Federation::builder()
        .okta(|okta| {
            // A user pool's access token has no `aud`; its ID token's `aud` is the app client.
            okta.servers.push(AuthServerConfig {
                id: "userpool".into(),
                issuer: Some(format!("https://{USER_POOL}")),
                access_token_claims: serde_json::from_value(serde_json::json!({"aud": null}))
                    .unwrap(),
                ..Default::default()
            });
            okta.servers.push(AuthServerConfig {
                id: "google".into(),
                issuer: Some(format!("https://{GOOGLE}")),
                ..Default::default()
            });
            okta.clients.push(ClientConfig { client_id: GOOGLE_APP.into(), ..Default::default() });
        })
        .aws(|aws| {
            aws.identity_pools[0].cognito_identity_providers = vec![UserPoolProviderConfig {
                provider_name: USER_POOL.into(),
                client_id: user_pool_client,
            }];
            aws.identity_pools[0]
                .supported_login_providers
                .insert(GOOGLE.into(), GOOGLE_APP.into());
        })
        .start()
        .await
        .unwrap()
}

async fn get_id(fed: &Federation, key: &str, token: &str) -> Result<String, String> {
    let result = fed
        .cognito_client()
        .get_id()
        .identity_pool_id(fed.pool_id())
        .logins(key, token)
        .send()
        .await;
    result
        .map(|o| o.identity_id.unwrap())
        .map_err(|e| e.into_service_error().message().unwrap_or_default().to_owned())
}

async fn tokens(fed: &Federation, server: &str, client: &str) -> (String, String) {
    let (user, password) = fed.user();
    let answer = fed
        .token(TokenRequest::password(user, password, "openid").server(server).client(client))
        .await
        .unwrap();
    (answer.access_token, answer.id_token.unwrap())
}

#[tokio::test]
async fn a_user_pool_id_token_federates_and_its_access_token_misses_aud() {
    let fed = world("0oafedmock0client0001").await;
    let (access, id) = tokens(&fed, "userpool", "0oafedmock0client0001").await;
    get_id(&fed, USER_POOL, &id).await.expect("a user pool ID token of a listed app client");
    assert_eq!(
        get_id(&fed, USER_POOL, &access).await,
        Err("Invalid login token. Missing a required claim: aud".into())
    );
}

#[tokio::test]
async fn a_user_pool_app_client_the_identity_pool_does_not_list_is_unsupported() {
    let fed = world("some-other-app-client").await;
    let (_, id) = tokens(&fed, "userpool", "0oafedmock0client0001").await;
    assert_eq!(
        get_id(&fed, USER_POOL, &id).await,
        Err("Token is not from a supported provider of this identity pool.".into())
    );
}

#[tokio::test]
async fn a_google_id_token_federates_for_the_configured_app_only() {
    let fed = world("0oafedmock0client0001").await;
    let (_, id) = tokens(&fed, "google", GOOGLE_APP).await;
    let claims: Value = {
        use base64::Engine as _;
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(id.split('.').nth(1).unwrap())
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(claims["iss"], "https://accounts.google.com");
    get_id(&fed, GOOGLE, &id).await.expect("Google ID token for the configured app");
    let (_, other_app) = tokens(&fed, "google", "0oafedmock0client0001").await;
    assert_eq!(
        get_id(&fed, GOOGLE, &other_app).await,
        Err("Invalid login token. Incorrect token audience.".into())
    );
    let (_, okta_id) = tokens(&fed, "default", "0oafedmock0client0001").await;
    assert_eq!(
        get_id(&fed, GOOGLE, &okta_id).await,
        Err("Invalid login token. Issuer doesn't match providerName".into())
    );
}
