//! Issued temporary credentials describe themselves: they sign STS calls that say whose they
//! are, until they expire; forged, altered or another world's session tokens are refused with
//! AWS's words; endpoints sharing a seed honour each other's credentials.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use harness::{Clock, Federation, TokenRequest};

use crate::common::aws_error;

const T0: i64 = 1_800_000_000;

async fn world(seed: Option<&str>) -> Federation {
    let seed = seed.map(str::to_owned);
    Federation::builder()
        .clock(Clock::fixed(T0))
        .aws(move |aws| aws.seed = seed)
        .start()
        .await
        .unwrap()
}

/// Credentials for the world's user through the enhanced flow.
async fn credentials(fed: &Federation) -> Credentials {
    let (user, password) = fed.user();
    let token =
        fed.token(TokenRequest::password(user, password, "openid")).await.unwrap().access_token;
    let id = crate::common::get_id(fed, &[(fed.logins_key(), &token)]).await.unwrap();
    let out = fed
        .cognito_client()
        .get_credentials_for_identity()
        .identity_id(&id)
        .logins(fed.logins_key(), &token)
        .send()
        .await
        .unwrap();
    let c = out.credentials().unwrap();
    Credentials::new(
        c.access_key_id().unwrap(),
        c.secret_key().unwrap(),
        c.session_token().map(str::to_owned),
        None,
        "test",
    )
}

/// STS GetCallerIdentity at `fed`'s endpoint, signed with `credentials`.
async fn caller(fed: &Federation, credentials: Credentials) -> Result<String, (String, String)> {
    let config = fed
        .sdk_config()
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build();
    aws_sdk_sts::Client::new(&config)
        .get_caller_identity()
        .send()
        .await
        .map(|out| out.arn().unwrap_or_default().to_owned())
        .map_err(aws_error)
}

fn with_token(c: &Credentials, token: &str) -> Credentials {
    Credentials::new(c.access_key_id(), c.secret_access_key(), Some(token.to_owned()), None, "t")
}

const INVALID: &str = "The security token included in the request is invalid.";

#[tokio::test]
async fn issued_credentials_sign_until_they_expire() {
    let fed = world(None).await;
    let creds = credentials(&fed).await;
    let owner = fed.cognito().unwrap().credentials_owner(creds.session_token().unwrap()).unwrap();
    assert_eq!(owner.expiration, T0 + 3600);
    assert_eq!(
        caller(&fed, creds.clone()).await.unwrap(),
        "arn:aws:sts::123456789012:assumed-role/fedmock-authenticated/CognitoIdentityCredentials"
    );
    fed.clock().advance(3599).await.unwrap();
    assert!(caller(&fed, creds.clone()).await.is_ok(), "one second before they expire");
    fed.clock().advance(1).await.unwrap();
    assert_eq!(
        caller(&fed, creds).await,
        Err((
            "ExpiredToken".to_owned(),
            "The security token included in the request is expired".to_owned()
        ))
    );
}

#[tokio::test]
async fn forged_altered_or_foreign_session_tokens_are_refused() {
    let fed = world(None).await;
    let creds = credentials(&fed).await;
    let token = creds.session_token().unwrap().to_owned();
    let refused = || Err(("InvalidClientTokenId".to_owned(), INVALID.to_owned()));
    // Altered: one character of the sealed part changed.
    let mut altered = token.clone().into_bytes();
    let i = altered.len() / 2;
    altered[i] = if altered[i] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    for bad in [altered.as_str(), "forged"] {
        assert_eq!(caller(&fed, with_token(&creds, bad)).await, refused(), "{bad}");
    }
    let no_token =
        Credentials::new(creds.access_key_id(), creds.secret_access_key(), None, None, "t");
    assert_eq!(caller(&fed, no_token).await, refused(), "no session token");
    // Another world's credentials, and the right token with another key.
    let other = world(None).await;
    assert_eq!(caller(&other, creds.clone()).await, refused(), "another world's credentials");
    let other_key =
        Credentials::new("ASIAAAAAAAAAAAAAAAAA", creds.secret_access_key(), Some(token), None, "t");
    assert_eq!(caller(&fed, other_key).await, refused(), "the token belongs to another key");
}

#[tokio::test]
async fn endpoints_sharing_a_seed_honour_each_other_s_credentials() {
    let one = world(Some("replica-seed")).await;
    let two = world(Some("replica-seed")).await;
    let creds = credentials(&one).await;
    assert!(caller(&two, creds.clone()).await.unwrap().ends_with("/CognitoIdentityCredentials"));
    let three = world(Some("another-seed")).await;
    assert!(caller(&three, creds).await.is_err());
}

/// A federated end user is never an admin: credentials issued for a role sign only what
/// needs no permission (GetCallerIdentity); IAM and Cognito admin actions get AWS's implicit
/// deny, in AWS's words, while the world's developer key may do them.
#[tokio::test]
async fn issued_credentials_cannot_administer_the_world() {
    let fed = world(None).await;
    let creds = credentials(&fed).await;
    let config = fed
        .sdk_config()
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(creds.clone()))
        .build();
    let user =
        "arn:aws:sts::123456789012:assumed-role/fedmock-authenticated/CognitoIdentityCredentials";
    let denied = |action: &str, resource: &str| {
        format!(
            "User: {user} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action"
        )
    };

    let iam = aws_sdk_iam::Client::new(&config);
    let err = iam.list_open_id_connect_providers().send().await.map_err(aws_error).unwrap_err();
    assert_eq!(
        err,
        (
            "AccessDenied".to_owned(),
            denied("iam:ListOpenIDConnectProviders", "arn:aws:iam::123456789012:oidc-provider/")
        )
    );
    let err = iam
        .update_assume_role_policy()
        .role_name("fedmock-authenticated")
        .policy_document("{}")
        .send()
        .await
        .map_err(aws_error)
        .unwrap_err();
    assert_eq!(
        err.1,
        denied(
            "iam:UpdateAssumeRolePolicy",
            "arn:aws:iam::123456789012:role/fedmock-authenticated"
        )
    );

    let cognito = aws_sdk_cognitoidentity::Client::new(&config);
    let err = cognito
        .describe_identity_pool()
        .identity_pool_id(fed.pool_id())
        .send()
        .await
        .map_err(aws_error)
        .unwrap_err();
    let pool_arn =
        format!("arn:aws:cognito-identity:us-east-1:123456789012:identitypool/{}", fed.pool_id());
    assert_eq!(
        err,
        (
            "AccessDeniedException".to_owned(),
            denied("cognito-identity:DescribeIdentityPool", &pool_arn)
        )
    );
    let err =
        cognito.list_identity_pools().max_results(10).send().await.map_err(aws_error).unwrap_err();
    assert_eq!(
        err.1,
        denied(
            "cognito-identity:ListIdentityPools",
            "arn:aws:cognito-identity:us-east-1:123456789012:identitypool/"
        )
    );

    // What needs no permission still answers them, and the developer key administers.
    assert!(caller(&fed, creds).await.is_ok());
    let admin = crate::common::admin(&fed);
    assert!(admin.describe_identity_pool().identity_pool_id(fed.pool_id()).send().await.is_ok());
}
