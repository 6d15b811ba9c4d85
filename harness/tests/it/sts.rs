//! The basic (classic) flow and direct web-identity federation through the official SDKs:
//! GetOpenIdToken → STS AssumeRoleWithWebIdentity on the same endpoint, Okta tokens straight
//! to STS, trust-policy evaluation, and the enhanced flow's trust check.

use crate::common::aws_error as code_and_message;
use base64::Engine as _;
use harness::mock_cognito::RoleConfig;
use harness::{Federation, TokenRequest};
use serde_json::{Value, json};

const POOL: &str = "us-east-1:4b9a3c52-6f1e-4d8a-9c27-0fed0c000001";

fn claims(jwt: &str) -> Value {
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(jwt.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap()
}

async fn access_token(fed: &Federation) -> String {
    let (user, password) = fed.user();
    fed.token(TokenRequest::password(user, password, "openid")).await.unwrap().access_token
}

async fn classic_world() -> Federation {
    Federation::builder()
        .aws(|aws| aws.identity_pools[0].allow_classic_flow = Some(true))
        .start()
        .await
        .unwrap()
}

/// GetId then GetOpenIdToken with the user's Okta access token.
async fn open_id_token(fed: &Federation) -> (String, String) {
    let token = access_token(fed).await;
    let cognito = fed.cognito_client();
    let id = crate::common::get_id(fed, &[(fed.logins_key(), &token)]).await.unwrap();
    let out = cognito
        .get_open_id_token()
        .identity_id(&id)
        .logins(fed.logins_key(), &token)
        .send()
        .await
        .unwrap();
    (id, out.token().unwrap().to_owned())
}

#[tokio::test]
async fn the_basic_flow_trades_cognito_s_token_for_the_role_s_credentials() {
    let fed = classic_world().await;
    let (identity, token) = open_id_token(&fed).await;
    let claims = claims(&token);
    assert_eq!(claims["iss"], "https://cognito-identity.amazonaws.com");
    assert_eq!(claims["aud"], POOL);
    assert_eq!(claims["sub"], identity);
    assert_eq!(claims["amr"][0], "authenticated");
    assert_eq!(claims["amr"][1], fed.logins_key());
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 600);

    let out = fed
        .sts_client()
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::123456789012:role/fedmock-authenticated")
        .role_session_name("web-identity")
        .web_identity_token(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.subject_from_web_identity_token(), Some(identity.as_str()));
    assert_eq!(out.provider(), Some("cognito-identity.amazonaws.com"));
    assert_eq!(out.audience(), Some(POOL));
    let user = out.assumed_role_user().unwrap();
    assert_eq!(
        user.arn(),
        "arn:aws:sts::123456789012:assumed-role/fedmock-authenticated/web-identity"
    );
    assert!(
        user.assumed_role_id().starts_with("AROA")
            && user.assumed_role_id().ends_with(":web-identity")
    );
    let creds = out.credentials().unwrap();
    let owner = fed.cognito().unwrap().credentials_owner(creds.session_token()).unwrap();
    assert_eq!(owner.role_arn, "arn:aws:iam::123456789012:role/fedmock-authenticated");
    assert_eq!(owner.subject, identity);
}

#[tokio::test]
async fn cognito_s_token_verifies_against_its_published_jwks() {
    let fed = classic_world().await;
    let (_, token) = open_id_token(&fed).await;
    let discovery: Value =
        reqwest::get(format!("{}/.well-known/openid-configuration", fed.cognito_endpoint()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(discovery["issuer"], "https://cognito-identity.amazonaws.com");
    let jwks: Value =
        reqwest::get(discovery["jwks_uri"].as_str().unwrap()).await.unwrap().json().await.unwrap();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS512);
    let key = &jwks["keys"][0];
    assert_eq!(key["kid"].as_str(), header.kid.as_deref());
    let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap(),
        key["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS512);
    validation.set_audience(&[POOL]);
    validation.set_issuer(&["https://cognito-identity.amazonaws.com"]);
    jsonwebtoken::decode::<Value>(&token, &decoding, &validation)
        .expect("a third-party JWT library accepts it");
}

#[tokio::test]
async fn allow_classic_flow_has_three_states_and_cognito_tokens_stay_out_of_logins() {
    // Unset (the default world says nothing): the basic flow works (aws/aws-cli#7652).
    let fed = Federation::start().await;
    let token = access_token(&fed).await;
    let id = crate::common::get_id(&fed, &[(fed.logins_key(), &token)]).await.unwrap();
    let got = fed
        .cognito_client()
        .get_open_id_token()
        .identity_id(&id)
        .logins(fed.logins_key(), &token)
        .send()
        .await
        .unwrap();
    assert!(got.token().is_some_and(|t| t.split('.').count() == 3));

    // false: refused with AWS's words (aws-amplify/amplify-js#9704).
    let fed = Federation::builder()
        .aws(|aws| aws.identity_pools[0].allow_classic_flow = Some(false))
        .start()
        .await
        .unwrap();
    let token = access_token(&fed).await;
    let cognito = fed.cognito_client();
    let id = crate::common::get_id(&fed, &[(fed.logins_key(), &token)]).await.unwrap();
    let err = cognito
        .get_open_id_token()
        .identity_id(&id)
        .logins(fed.logins_key(), &token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(err),
        (
            "InvalidParameterException".into(),
            "Basic (classic) flow is not enabled, please use enhanced flow.".into()
        )
    );

    let fed = classic_world().await;
    let (_, cognito_token) = open_id_token(&fed).await;
    let err = fed
        .cognito_client()
        .get_id()
        .identity_pool_id(POOL)
        .logins("cognito-identity.amazonaws.com", &cognito_token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(err),
        (
            "NotAuthorizedException".into(),
            "Invalid login token. Can't pass in a Cognito token.".into()
        )
    );
}

#[tokio::test]
async fn sts_refuses_a_role_whose_trust_policy_does_not_match() {
    let fed = classic_world().await;
    let (_, token) = open_id_token(&fed).await;
    let sts = fed.sts_client();
    // The unauthenticated role trusts only amr "unauthenticated".
    let err = sts
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::123456789012:role/fedmock-unauthenticated")
        .role_session_name("s1")
        .web_identity_token(&token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(err),
        ("AccessDenied".into(), "Not authorized to perform sts:AssumeRoleWithWebIdentity".into())
    );
    let err = sts
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::123456789012:role/does-not-exist")
        .role_session_name("s1")
        .web_identity_token(&token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_and_message(err).0, "AccessDenied");
}

#[tokio::test]
async fn an_okta_token_federates_directly_through_the_iam_oidc_provider() {
    let fed = Federation::start().await;
    let token = access_token(&fed).await;
    let sts = fed.sts_client();
    let assume = |role: &str, token: &str| {
        sts.assume_role_with_web_identity()
            .role_arn(format!("arn:aws:iam::123456789012:role/{role}"))
            .role_session_name("alice")
            .web_identity_token(token)
            .send()
    };
    let out = assume("fedmock-web-identity", &token).await.unwrap();
    assert_eq!(out.provider(), Some(fed.issuer()));
    assert_eq!(out.audience(), Some("api://default"));
    assert_eq!(out.subject_from_web_identity_token(), Some("alice@example.com"));
    let expiration = out.credentials().unwrap().expiration().secs();
    assert!((expiration - fed.clock().now().await.unwrap() - 3600).abs() <= 1);

    assert_eq!(
        code_and_message(assume("fedmock-authenticated", &token).await.unwrap_err()).0,
        "AccessDenied",
        "that role trusts Cognito, not Okta"
    );

    let (user, password) = fed.user();
    let id_token = fed
        .token(TokenRequest::password(user, password, "openid"))
        .await
        .unwrap()
        .id_token
        .unwrap();
    assert_eq!(
        code_and_message(assume("fedmock-web-identity", &id_token).await.unwrap_err()),
        ("InvalidIdentityToken".into(), "Incorrect token audience".into())
    );

    let claims =
        serde_json::from_value(json!({"iss": format!("{}/oauth2/aus0other", fed.okta_url())}))
            .unwrap();
    let foreign =
        fed.mint(&harness::mock_okta::MintRequest { claims, ..Default::default() }).await.unwrap();
    assert_eq!(
        code_and_message(assume("fedmock-web-identity", &foreign).await.unwrap_err()),
        (
            "InvalidIdentityToken".into(),
            format!(
                "No OpenIDConnect provider found in your account for {}/oauth2/aus0other",
                fed.okta_url()
            )
        )
    );

    fed.clock().advance(3600 + 300).await.unwrap();
    let (code, message) =
        code_and_message(assume("fedmock-web-identity", &token).await.unwrap_err());
    assert_eq!(code, "ExpiredTokenException");
    assert!(message.starts_with("Token expired: current date/time "), "{message}");
}

#[tokio::test]
async fn sts_checks_its_input_like_aws() {
    let fed = Federation::start().await;
    let token = access_token(&fed).await;
    let sts = fed.sts_client();
    let role = "arn:aws:iam::123456789012:role/fedmock-web-identity";
    let err = sts
        .assume_role_with_web_identity()
        .role_arn(role)
        .role_session_name("no spaces!")
        .web_identity_token(&token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(err),
        ("ValidationError".into(), "1 validation error detected: Value 'no spaces!' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*".into())
    );
    let err = sts
        .assume_role_with_web_identity()
        .role_arn(role)
        .role_session_name("s1")
        .web_identity_token(&token)
        .duration_seconds(7200)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(err),
        (
            "ValidationError".into(),
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
                .into()
        )
    );
}

#[tokio::test]
async fn an_unreachable_jwks_is_a_verification_key_error_for_sts() {
    let fed = Federation::start().await;
    let token = access_token(&fed).await;
    fed.set_okta_faults(harness::mock_okta::Faults {
        jwks_status: Some(500),
        ..Default::default()
    })
    .await
    .unwrap();
    let err = fed
        .sts_client()
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::123456789012:role/fedmock-web-identity")
        .role_session_name("s1")
        .web_identity_token(&token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(err),
        (
            "InvalidIdentityToken".into(),
            "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements".into()
        )
    );
}

#[tokio::test]
async fn the_enhanced_flow_needs_a_role_that_trusts_cognito_for_this_pool() {
    let other_pool_trust = json!({"Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:00000000-0000-0000-0000-000000000000"}}
    }]});
    let fed = Federation::builder()
        .aws(|aws| {
            aws.roles[0] = RoleConfig {
                name: "fedmock-authenticated".into(),
                trust_policy: other_pool_trust,
                max_session_duration_secs: 3600,
            };
        })
        .start()
        .await
        .unwrap();
    let token = access_token(&fed).await;
    let cognito = fed.cognito_client();
    let id = crate::common::get_id(&fed, &[(fed.logins_key(), &token)]).await.unwrap();
    let err = cognito
        .get_credentials_for_identity()
        .identity_id(&id)
        .logins(fed.logins_key(), &token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(err),
        (
            "InvalidIdentityPoolConfigurationException".into(),
            "Invalid identity pool configuration. Check assigned IAM roles for this pool.".into()
        )
    );
}

#[tokio::test]
async fn enhanced_flow_credentials_say_which_role_and_identity_they_belong_to() {
    let fed = Federation::start().await;
    let token = access_token(&fed).await;
    let cognito = fed.cognito_client();
    let id = crate::common::get_id(&fed, &[(fed.logins_key(), &token)]).await.unwrap();
    let identity = &id;
    let out = cognito
        .get_credentials_for_identity()
        .identity_id(identity)
        .logins(fed.logins_key(), &token)
        .send()
        .await
        .unwrap();
    let owner = fed
        .cognito()
        .unwrap()
        .credentials_owner(out.credentials().unwrap().session_token().unwrap())
        .unwrap();
    assert_eq!(owner.role_arn, "arn:aws:iam::123456789012:role/fedmock-authenticated");
    assert_eq!(
        owner.assumed_role_arn(),
        "arn:aws:sts::123456789012:assumed-role/fedmock-authenticated/CognitoIdentityCredentials"
    );
    assert_eq!(&owner.subject, identity);
}
