//! The Okta → Cognito exchange end to end: tokens from mock-okta's token endpoint over HTTP,
//! handed to mock-cognito through the official AWS SDK for Rust. Every refusal asserts AWS's
//! exact error type and message.

use aws_sdk_cognitoidentity::error::{ProvideErrorMetadata, SdkError};
use harness::mock_cognito::OidcProviderConfig;
use harness::mock_okta::UserConfig;
use harness::{Clock, Federation, TokenRequest};
use serde_json::json;

/// The error type and message of an SDK call that must fail.
fn aws_error<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    result: Result<T, SdkError<E, R>>,
) -> (String, String) {
    crate::common::aws_error(result.expect_err("the call must be refused"))
}

fn not_authorized(message: &str) -> (String, String) {
    ("NotAuthorizedException".to_owned(), message.to_owned())
}

async fn password_tokens(fed: &Federation) -> harness::TokenResponse {
    let (user, password) = fed.user();
    fed.token(TokenRequest::password(user, password, "openid profile"))
        .await
        .expect("Okta issues tokens")
}

async fn get_id(fed: &Federation, key: &str, token: &str) -> Result<String, (String, String)> {
    crate::common::get_id(fed, &[(key, token)]).await
}

/// The default world plus a second user, Bob.
async fn world_with_bob() -> Federation {
    let bob = UserConfig {
        id: "00ufedmock0user00002".into(),
        login: "bob@example.com".into(),
        ..Default::default()
    };
    Federation::builder().okta(|okta| okta.users.push(bob)).start().await.unwrap()
}

async fn bob_token(fed: &Federation) -> String {
    let request =
        TokenRequest::password("bob@example.com", "correct horse battery staple", "openid");
    fed.token(request).await.unwrap().access_token
}

/// Mirrors what the test asserts about an Okta token's claims.
fn claims(jwt: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn an_access_token_with_the_default_audience_gets_credentials() {
    let fed = Federation::builder().clock(Clock::fixed(1_800_000_000)).start().await.unwrap();
    let tokens = password_tokens(&fed).await;
    assert_eq!(claims(&tokens.access_token)["aud"], "api://default");
    let client = fed.cognito_client();
    let id = client
        .get_id()
        .identity_pool_id(fed.pool_id())
        .logins(fed.logins_key(), &tokens.access_token)
        .send()
        .await
        .unwrap()
        .identity_id
        .unwrap();
    assert!(id.starts_with("us-east-1:"), "{id}");
    let out = client
        .get_credentials_for_identity()
        .identity_id(&id)
        .logins(fed.logins_key(), &tokens.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.identity_id(), Some(id.as_str()));
    let creds = out.credentials().unwrap();
    let key = creds.access_key_id().unwrap();
    assert!(key.starts_with("ASIA") && key.len() == 20, "{key}");
    assert_eq!(creds.secret_key().unwrap().len(), 40);
    assert!(!creds.session_token().unwrap().is_empty());
    assert_eq!(creds.expiration().unwrap().secs(), 1_800_000_000 + 3600, "one hour ahead");
}

#[tokio::test]
async fn a_client_credentials_token_also_federates() {
    let fed = Federation::start().await;
    let token = fed.token(TokenRequest::client_credentials()).await.unwrap().access_token;
    assert_eq!(claims(&token)["sub"], fed.client_id(), "Okta's sub for a service token");
    get_id(&fed, fed.logins_key(), &token).await.unwrap();
}

#[tokio::test]
async fn an_id_token_is_refused_for_its_audience() {
    let fed = Federation::start().await;
    let id_token = password_tokens(&fed).await.id_token.expect("openid brings an ID token");
    assert_eq!(claims(&id_token)["aud"], fed.client_id());
    assert_eq!(
        get_id(&fed, fed.logins_key(), &id_token).await,
        Err(not_authorized("Invalid login token. Incorrect token audience."))
    );
}

#[tokio::test]
async fn an_id_token_is_accepted_once_the_provider_lists_the_client_id() {
    let fed = Federation::builder()
        .aws(|aws| aws.oidc_providers[0].client_ids.push("0oafedmock0client0001".into()))
        .start()
        .await
        .unwrap();
    let tokens = password_tokens(&fed).await;
    let id_token = tokens.id_token.unwrap();
    let identity = get_id(&fed, fed.logins_key(), &id_token).await.unwrap();
    // The ID token's sub (user id) differs from the access token's (login): two identities.
    let via_access_token = get_id(&fed, fed.logins_key(), &tokens.access_token).await.unwrap();
    assert_ne!(identity, via_access_token);
    let out = fed
        .cognito_client()
        .get_credentials_for_identity()
        .identity_id(&identity)
        .logins(fed.logins_key(), &id_token)
        .send()
        .await
        .unwrap();
    assert!(out.credentials().unwrap().access_key_id().unwrap().starts_with("ASIA"));
}

#[tokio::test]
async fn azp_is_checked_instead_of_aud_when_present() {
    let fed = Federation::builder()
        .okta(|okta| {
            okta.clients[0]
                .access_token_claims
                .insert("azp".into(), json!("0oafedmock0client0001"));
        })
        .start()
        .await
        .unwrap();
    let token = password_tokens(&fed).await.access_token;
    assert_eq!(
        get_id(&fed, fed.logins_key(), &token).await,
        Err(not_authorized("Invalid login token. Incorrect token audience.")),
        "aud api://default is listed, but azp wins and is not"
    );
    let fed = Federation::builder()
        .okta(|okta| {
            okta.clients[0]
                .access_token_claims
                .insert("azp".into(), json!("0oafedmock0client0001"));
        })
        .aws(|aws| aws.oidc_providers[0].client_ids = vec!["0oafedmock0client0001".into()])
        .start()
        .await
        .unwrap();
    let token = password_tokens(&fed).await.access_token;
    get_id(&fed, fed.logins_key(), &token).await.unwrap();
}

#[tokio::test]
async fn a_token_without_aud_misses_a_required_claim() {
    let fed = Federation::builder()
        .okta(|okta| {
            okta.servers[0].access_token_claims.insert("aud".into(), serde_json::Value::Null);
        })
        .start()
        .await
        .unwrap();
    let token = password_tokens(&fed).await.access_token;
    assert!(claims(&token).get("aud").is_none());
    assert_eq!(
        get_id(&fed, fed.logins_key(), &token).await,
        Err(not_authorized("Invalid login token. Missing a required claim: aud"))
    );
}

#[tokio::test]
async fn a_logins_key_that_is_not_the_issuer_is_refused() {
    let fed = Federation::start().await;
    let token = password_tokens(&fed).await.access_token;
    let mismatch = Err(not_authorized("Invalid login token. Issuer doesn't match providerName"));
    let with_scheme = fed.issuer().replace("http://", "https://");
    assert_eq!(get_id(&fed, &with_scheme, &token).await, mismatch, "key with a scheme");
    assert_eq!(
        get_id(&fed, &format!("{}/", fed.logins_key()), &token).await,
        mismatch,
        "trailing slash"
    );
    let wrong_server = fed.logins_key().replace("/oauth2/default", "/oauth2/aus0other");
    assert_eq!(get_id(&fed, &wrong_server, &token).await, mismatch, "wrong server id");
    assert_eq!(
        get_id(&fed, fed.logins_key(), &token).await.map(|_| ()),
        Ok(()),
        "the right key works"
    );
}

#[tokio::test]
async fn a_provider_the_pool_does_not_trust_is_refused() {
    let fed = Federation::builder()
        .okta(|okta| {
            okta.servers.push(harness::mock_okta::AuthServerConfig {
                id: "aus0other".into(),
                ..Default::default()
            })
        })
        .start()
        .await
        .unwrap();
    let (user, password) = fed.user();
    let token = fed
        .token(TokenRequest::password(user, password, "openid").server("aus0other"))
        .await
        .unwrap()
        .access_token;
    let key = fed.logins_key().replace("/oauth2/default", "/oauth2/aus0other");
    assert_eq!(
        get_id(&fed, &key, &token).await,
        Err(not_authorized("Token is not from a supported provider of this identity pool."))
    );
}

/// AWS refuses at `now >= exp`, with no grace: 271 s past is refused
/// (aws-amplify/aws-sdk-ios#2570). A world may add leeway; the default is none.
#[tokio::test]
async fn expiry_is_enforced_at_exp_without_grace_unless_the_world_adds_leeway() {
    let t0 = 1_800_000_000;
    let fed = Federation::builder().clock(Clock::fixed(t0)).start().await.unwrap();
    let token = password_tokens(&fed).await.access_token;
    assert_eq!(claims(&token)["exp"], t0 + 3600);
    fed.clock().advance(3599).await.unwrap();
    assert!(get_id(&fed, fed.logins_key(), &token).await.is_ok(), "one second before exp");
    fed.clock().advance(1).await.unwrap();
    assert_eq!(
        get_id(&fed, fed.logins_key(), &token).await,
        Err(not_authorized(&format!(
            "Invalid login token. Token expired: {} >= {}",
            t0 + 3600,
            t0 + 3600
        )))
    );

    let fed = Federation::builder()
        .clock(Clock::fixed(t0))
        .aws(|aws| aws.token_leeway_seconds = 60)
        .start()
        .await
        .unwrap();
    let token = password_tokens(&fed).await.access_token;
    fed.clock().advance(3659).await.unwrap();
    assert!(get_id(&fed, fed.logins_key(), &token).await.is_ok(), "within the world's leeway");
    fed.clock().advance(1).await.unwrap();
    assert_eq!(
        get_id(&fed, fed.logins_key(), &token).await,
        Err(not_authorized(&format!(
            "Invalid login token. Token expired: {} >= {}",
            t0 + 3660,
            t0 + 3600
        )))
    );
}

#[tokio::test]
async fn a_tampered_signature_is_refused() {
    let fed = Federation::start().await;
    let token = password_tokens(&fed).await.access_token;
    // Verified once, the genuine token is remembered: its forgeries must not ride on that.
    get_id(&fed, fed.logins_key(), &token).await.expect("the genuine token");
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let tampered = format!("{signed}.{flipped}{}", &signature[1..]);
    assert_eq!(
        get_id(&fed, fed.logins_key(), &tampered).await,
        Err(not_authorized("Invalid login token. Couldn't verify signed token."))
    );
    // Changed claims under the original signature fail the same way.
    use base64::Engine as _;
    let mut forged_claims = claims(&token);
    forged_claims["sub"] = json!("mallory@example.com");
    let header = signed.split('.').next().unwrap();
    let payload =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged_claims.to_string());
    assert_eq!(
        get_id(&fed, fed.logins_key(), &format!("{header}.{payload}.{signature}")).await,
        Err(not_authorized("Invalid login token. Couldn't verify signed token."))
    );
    get_id(&fed, fed.logins_key(), &token).await.expect("the genuine token, again");
}

#[tokio::test]
async fn a_remembered_token_is_verified_again_with_refetched_keys() {
    // key_cache_seconds = 0: every call refetches the keys, so nothing verified with an
    // earlier fetch counts; the token still verifies because its key is still published.
    let t0 = 1_700_000_000;
    let fed = Federation::builder()
        .clock(Clock::fixed(t0))
        .aws(|aws| aws.key_cache_seconds = 0)
        .start()
        .await
        .unwrap();
    let token = password_tokens(&fed).await.access_token;
    for _ in 0..3 {
        get_id(&fed, fed.logins_key(), &token).await.expect("verified with each fetch's keys");
    }
    // Expiry is still judged on each call, remembered or not.
    fed.clock().advance(3600).await.unwrap();
    assert_eq!(
        get_id(&fed, fed.logins_key(), &token).await,
        Err(not_authorized(&format!(
            "Invalid login token. Token expired: {} >= {}",
            t0 + 3600,
            t0 + 3600
        )))
    );
}

#[tokio::test]
async fn a_token_signed_by_a_key_missing_from_the_jwks_is_refused() {
    // The org authorization server signs access tokens with a key it does not publish, as
    // Okta does: a provider for the org issuer cannot verify them.
    let fed = Federation::builder()
        .aws(|aws| {
            aws.oidc_providers.push(OidcProviderConfig {
                url: "{okta}".into(),
                client_ids: vec!["{okta}".into()],
            });
            aws.identity_pools[0].open_id_connect_providers.push("{okta}".into());
        })
        .start()
        .await
        .unwrap();
    let (user, password) = fed.user();
    let token = fed
        .token(TokenRequest::password(user, password, "openid").server("org"))
        .await
        .unwrap()
        .access_token;
    assert_eq!(claims(&token)["iss"], fed.okta_url());
    let org_key = harness::mock_cognito::strip_scheme(fed.okta_url()).to_owned();
    assert_eq!(
        get_id(&fed, &org_key, &token).await,
        Err(not_authorized("Invalid login token. Couldn't verify signed token."))
    );
}

#[tokio::test]
async fn garbage_in_logins_is_not_an_openid_connect_token() {
    let fed = Federation::start().await;
    assert_eq!(
        get_id(&fed, fed.logins_key(), "not-a-jwt").await,
        Err(not_authorized("Invalid login token. Not a valid OpenId Connect identity token."))
    );
}

#[tokio::test]
async fn the_same_user_always_gets_the_same_identity() {
    let fed = world_with_bob().await;
    let first = password_tokens(&fed).await.access_token;
    let second = password_tokens(&fed).await.access_token;
    assert_ne!(first, second, "two distinct tokens");
    let a = get_id(&fed, fed.logins_key(), &first).await.unwrap();
    assert_eq!(get_id(&fed, fed.logins_key(), &second).await.unwrap(), a);
    let bob = bob_token(&fed).await;
    assert_ne!(
        get_id(&fed, fed.logins_key(), &bob).await.unwrap(),
        a,
        "another user, another identity"
    );
}

#[tokio::test]
async fn a_separate_cognito_process_derives_the_same_identity_without_shared_state() {
    let fed = Federation::start().await;
    let token = password_tokens(&fed).await.access_token;
    let id = get_id(&fed, fed.logins_key(), &token).await.unwrap();
    // A second mock-cognito with the same account, sharing nothing with the first.
    let other = harness::mock_cognito::MockCognito::start(
        fed.config().unwrap().aws.clone(),
        harness::mock_cognito::Clock::system(),
    )
    .await
    .unwrap();
    let config = aws_sdk_cognitoidentity::config::Builder::from(&fed.sdk_config())
        .endpoint_url(other.endpoint_url())
        .build();
    let client = aws_sdk_cognitoidentity::Client::from_conf(config);
    let creds = client
        .get_credentials_for_identity()
        .identity_id(&id)
        .logins(fed.logins_key(), &token)
        .send()
        .await
        .expect("the other process recognises the identity from the login alone");
    assert_eq!(creds.identity_id(), Some(id.as_str()));
    let again = client
        .get_id()
        .identity_pool_id(fed.pool_id())
        .logins(fed.logins_key(), &token)
        .send()
        .await
        .unwrap();
    assert_eq!(again.identity_id(), Some(id.as_str()));
}

#[tokio::test]
async fn credentials_need_a_login_of_the_identity() {
    let fed = world_with_bob().await;
    let alice = password_tokens(&fed).await.access_token;
    let id = get_id(&fed, fed.logins_key(), &alice).await.unwrap();
    let bob = bob_token(&fed).await;
    let client = fed.cognito_client();
    get_id(&fed, fed.logins_key(), &bob).await.unwrap();
    let with_bob = client
        .get_credentials_for_identity()
        .identity_id(&id)
        .logins(fed.logins_key(), &bob)
        .send()
        .await;
    assert_eq!(
        aws_error(with_bob),
        not_authorized(
            "Logins don't match. Please include at least one valid login for this identity or identity pool."
        )
    );
    let without = client.get_credentials_for_identity().identity_id(&id).send().await;
    assert_eq!(
        aws_error(without),
        not_authorized(&format!("Access to Identity '{id}' is forbidden."))
    );
}

#[tokio::test]
async fn an_unknown_pool_is_not_found() {
    let fed = Federation::start().await;
    let token = password_tokens(&fed).await.access_token;
    let result = fed
        .cognito_client()
        .get_id()
        .identity_pool_id("us-east-1:00000000-0000-0000-0000-000000000000")
        .logins(fed.logins_key(), token)
        .send()
        .await;
    assert_eq!(
        aws_error(result),
        (
            "ResourceNotFoundException".into(),
            "IdentityPool 'us-east-1:00000000-0000-0000-0000-000000000000' not found.".into()
        )
    );
}

#[tokio::test]
async fn an_unknown_identity_is_not_found() {
    let fed = Federation::start().await;
    let token = password_tokens(&fed).await.access_token;
    let id = "us-east-1:00000000-0000-0000-0000-000000000000";
    let result = fed
        .cognito_client()
        .get_credentials_for_identity()
        .identity_id(id)
        .logins(fed.logins_key(), token)
        .send()
        .await;
    assert_eq!(
        aws_error(result),
        ("ResourceNotFoundException".into(), format!("Identity '{id}' not found."))
    );
}

#[tokio::test]
async fn a_malformed_pool_id_fails_validation_with_aws_text() {
    let fed = Federation::start().await;
    let result = fed.cognito_client().get_id().identity_pool_id("eu*******q6").send().await;
    assert_eq!(
        aws_error(result),
        (
            "ValidationException".into(),
            "1 validation error detected: Value 'eu*******q6' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+".into()
        )
    );
}

#[tokio::test]
async fn more_than_ten_logins_fail_validation() {
    let fed = Federation::start().await;
    let mut call = fed.cognito_client().get_id().identity_pool_id(fed.pool_id());
    for i in 0..11 {
        call = call.logins(format!("issuer{i}.example.com"), "t");
    }
    let (kind, message) = aws_error(call.send().await);
    assert_eq!(kind, "ValidationException");
    assert!(
        message.starts_with("1 validation error detected: Value '{issuer0.example.com=t, "),
        "{message}"
    );
    assert!(message.ends_with("' at 'logins' failed to satisfy constraint: Member must have length less than or equal to 10"), "{message}");
}

#[tokio::test]
async fn unauthenticated_access_follows_the_pool_setting() {
    let fed = Federation::start().await;
    let refused = fed.cognito_client().get_id().identity_pool_id(fed.pool_id()).send().await;
    assert_eq!(
        aws_error(refused),
        not_authorized("Unauthenticated access is not supported for this identity pool.")
    );

    let fed = Federation::builder()
        .aws(|aws| aws.identity_pools[0].allow_unauthenticated_identities = true)
        .start()
        .await
        .unwrap();
    let client = fed.cognito_client();
    let first =
        client.get_id().identity_pool_id(fed.pool_id()).send().await.unwrap().identity_id.unwrap();
    let second =
        client.get_id().identity_pool_id(fed.pool_id()).send().await.unwrap().identity_id.unwrap();
    assert_ne!(first, second, "each unauthenticated GetId is a new identity");
    let creds = client.get_credentials_for_identity().identity_id(&first).send().await.unwrap();
    assert!(creds.credentials().unwrap().access_key_id().unwrap().starts_with("ASIA"));
}

#[tokio::test]
async fn a_pool_without_the_needed_role_is_misconfigured() {
    let fed = Federation::builder()
        .aws(|aws| aws.identity_pools[0].authenticated_role_arn = None)
        .start()
        .await
        .unwrap();
    let token = password_tokens(&fed).await.access_token;
    let id = get_id(&fed, fed.logins_key(), &token).await.unwrap();
    let result = fed
        .cognito_client()
        .get_credentials_for_identity()
        .identity_id(id)
        .logins(fed.logins_key(), token)
        .send()
        .await;
    assert_eq!(
        aws_error(result),
        (
            "InvalidIdentityPoolConfigurationException".into(),
            "Invalid identity pool configuration. Check assigned IAM roles for this pool.".into()
        )
    );
}

#[tokio::test]
async fn after_a_key_rotation_the_new_kid_is_refused_until_cognito_s_key_cache_refreshes() {
    let fed = Federation::start().await;
    fed.clock().freeze().await.unwrap();
    let before = password_tokens(&fed).await.access_token;
    get_id(&fed, fed.logins_key(), &before).await.unwrap();
    let kid = fed.rotate_keys("default").await.unwrap();
    let after = password_tokens(&fed).await.access_token;
    use base64::Engine as _;
    let header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(after.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["kid"], kid);
    // AWS: identity pools "might return a NoKeyFound error until this cache refreshes … wait
    // about ten minutes" (docs/reference/cognito.md §2.2); the mock keeps the keys for 600 s of world time.
    fed.clock().advance(599).await.unwrap();
    assert_eq!(
        get_id(&fed, fed.logins_key(), &after).await,
        Err(not_authorized("Invalid login token. Couldn't verify signed token."))
    );
    fed.clock().advance(1).await.unwrap();
    get_id(&fed, fed.logins_key(), &after).await.expect("the refreshed cache holds the new kid");
    get_id(&fed, fed.logins_key(), &before).await.expect("the old key is still published");
}

#[tokio::test]
async fn with_no_key_cache_a_rotated_in_kid_is_fetched_at_once() {
    let fed = Federation::builder().aws(|aws| aws.key_cache_seconds = 0).start().await.unwrap();
    let before = password_tokens(&fed).await.access_token;
    get_id(&fed, fed.logins_key(), &before).await.unwrap();
    fed.rotate_keys("default").await.unwrap();
    let after = password_tokens(&fed).await.access_token;
    get_id(&fed, fed.logins_key(), &after).await.expect("the unknown kid triggers a refetch");
}

#[tokio::test]
async fn a_negative_key_cache_is_refused_at_start() {
    let err =
        Federation::builder().aws(|aws| aws.key_cache_seconds = -1).start().await.unwrap_err();
    assert!(err.to_string().contains("key_cache_seconds must be 0 or more, got -1"), "{err}");
}

#[tokio::test]
async fn a_refused_login_carries_every_check_for_mock_cognito_s_log() {
    let fed = Federation::start().await;
    let id_token = password_tokens(&fed).await.id_token.expect("openid brings an ID token");
    let input = harness::mock_cognito::GetIdInput {
        identity_pool_id: Some(fed.pool_id().to_owned()),
        account_id: None,
        logins: Some([(fed.logins_key().to_owned(), id_token)].into()),
    };
    let err = harness::mock_cognito::get_id(fed.cognito().unwrap(), input).await.unwrap_err();
    assert_eq!(err.message, "Invalid login token. Incorrect token audience.");
    let checks = err.checks.expect("the log gets the check list");
    assert!(checks.contains("iss without the scheme equals the Logins key — pass"), "{checks}");
    assert!(checks.contains("is a client ID of the provider — FAIL"), "{checks}");
    assert!(checks.contains("to the provider's client IDs"), "{checks}");
}

#[tokio::test]
async fn a_minted_token_with_a_wrong_issuer_is_refused_by_cognito() {
    let fed = Federation::start().await;
    let claims = serde_json::from_value(json!({"iss": format!("{}/", fed.issuer())})).unwrap();
    let token =
        fed.mint(&harness::mock_okta::MintRequest { claims, ..Default::default() }).await.unwrap();
    assert_eq!(
        get_id(&fed, fed.logins_key(), &token).await,
        Err(not_authorized("Invalid login token. Issuer doesn't match providerName"))
    );
}

/// Every constraint a request breaks is listed, logins first, then the identity id's length
/// and pattern, as AWS answered in aws/aws-sdk-cpp#1085; a valid request passes.
#[tokio::test]
async fn validation_lists_every_broken_constraint_logins_first() {
    let fed = Federation::start().await;
    let err = fed
        .cognito_client()
        .get_credentials_for_identity()
        .identity_id("")
        .logins(fed.logins_key(), "")
        .send()
        .await
        .unwrap_err();
    let (kind, message) = crate::common::aws_error(err);
    assert_eq!(kind, "ValidationException");
    assert_eq!(
        message,
        format!(
            "3 validation errors detected: Value '{{{}=}}' at 'logins' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]; Value '' at 'identityId' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'identityId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
            fed.logins_key()
        )
    );
    let token = password_tokens(&fed).await.access_token;
    let id = get_id(&fed, fed.logins_key(), &token).await.unwrap();
    let ok = fed
        .cognito_client()
        .get_credentials_for_identity()
        .identity_id(&id)
        .logins(fed.logins_key(), &token)
        .send()
        .await;
    assert!(ok.is_ok(), "{ok:?}");
}
