//! Developer-authenticated identities through the SDK: a backend (signed) gets Cognito's
//! token for its own user, the client trades it for credentials in the enhanced flow, and the
//! identifiers are looked up, merged and unlinked.

use crate::common::aws_error as error;
use harness::Federation;

const DEVELOPER: &str = "login.fedmock.example";

async fn world() -> Federation {
    Federation::builder()
        .aws(|aws| aws.identity_pools[0].developer_provider_name = Some(DEVELOPER.into()))
        .start()
        .await
        .unwrap()
}

fn backend(fed: &Federation) -> aws_sdk_cognitoidentity::Client {
    aws_sdk_cognitoidentity::Client::new(&fed.admin_sdk_config())
}

async fn developer_token(fed: &Federation, user: &str) -> (String, String) {
    let out = backend(fed)
        .get_open_id_token_for_developer_identity()
        .identity_pool_id(fed.pool_id())
        .logins(DEVELOPER, user)
        .send()
        .await
        .unwrap();
    (out.identity_id().unwrap().to_owned(), out.token().unwrap().to_owned())
}

#[tokio::test]
async fn a_backend_s_user_gets_credentials_through_cognito_s_token() {
    let fed = world().await;
    let (identity, token) = developer_token(&fed, "user-42").await;
    let claims: serde_json::Value = {
        use base64::Engine as _;
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(token.split('.').nth(1).unwrap())
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(claims["amr"][1], DEVELOPER);
    assert_eq!(
        claims["amr"][2],
        format!("{DEVELOPER}:us-east-1:{}:user-42", fed.pool_id().split_once(':').unwrap().1)
    );
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900,
        "TokenDuration defaults to 15 minutes"
    );
    assert_eq!(
        developer_token(&fed, "user-42").await.0,
        identity,
        "the same identifier, the same identity"
    );

    let client = fed.cognito_client();
    let creds = client
        .get_credentials_for_identity()
        .identity_id(&identity)
        .logins("cognito-identity.amazonaws.com", &token)
        .send()
        .await
        .unwrap();
    let owner = fed
        .cognito()
        .unwrap()
        .credentials_owner(creds.credentials().unwrap().session_token().unwrap())
        .unwrap();
    assert_eq!(owner.role_arn, "arn:aws:iam::123456789012:role/fedmock-authenticated");

    let (other, _) = developer_token(&fed, "user-43").await;
    let err = client
        .get_credentials_for_identity()
        .identity_id(&other)
        .logins("cognito-identity.amazonaws.com", &token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error(err).1,
        "Logins don't match. Please include at least one valid login for this identity or identity pool."
    );
    let err = client
        .get_id()
        .identity_pool_id(fed.pool_id())
        .logins("cognito-identity.amazonaws.com", &token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error(err).1, "Invalid login token. Can't pass in a Cognito token.");
}

#[tokio::test]
async fn identifiers_are_looked_up_merged_unlinked_and_never_registered_twice() {
    let fed = world().await;
    let backend = backend(&fed);
    let (a, _) = developer_token(&fed, "user-42").await;
    let (b, _) = developer_token(&fed, "user-43").await;
    assert_ne!(a, b);

    let err = backend
        .get_open_id_token_for_developer_identity()
        .identity_pool_id(fed.pool_id())
        .identity_id(&b)
        .logins(DEVELOPER, "user-42")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error(err).0, "DeveloperUserAlreadyRegisteredException");

    let merged = backend
        .merge_developer_identities()
        .identity_pool_id(fed.pool_id())
        .developer_provider_name(DEVELOPER)
        .source_user_identifier("user-43")
        .destination_user_identifier("user-42")
        .send()
        .await
        .unwrap();
    assert_eq!(merged.identity_id(), Some(a.as_str()));
    let found = backend
        .lookup_developer_identity()
        .identity_pool_id(fed.pool_id())
        .developer_user_identifier("user-43")
        .send()
        .await
        .unwrap();
    assert_eq!(found.identity_id(), Some(a.as_str()));
    let mut ids = found.developer_user_identifier_list().to_vec();
    ids.sort();
    assert_eq!(ids, ["user-42", "user-43"]);

    backend
        .unlink_developer_identity()
        .identity_pool_id(fed.pool_id())
        .identity_id(&a)
        .developer_provider_name(DEVELOPER)
        .developer_user_identifier("user-43")
        .send()
        .await
        .unwrap();
    let after = backend
        .lookup_developer_identity()
        .identity_pool_id(fed.pool_id())
        .identity_id(&a)
        .send()
        .await
        .unwrap();
    assert_eq!(after.developer_user_identifier_list(), ["user-42"]);
    let err = backend
        .lookup_developer_identity()
        .identity_pool_id(fed.pool_id())
        .identity_id(&b)
        .developer_user_identifier("user-42")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error(err).0, "ResourceConflictException");
}

/// A Logins key that is not the pool's developer provider (danilop/LambdAuth#32).
#[tokio::test]
async fn a_developer_provider_other_than_the_pool_s_is_refused_with_aws_s_words() {
    let fed = world().await;
    let err = backend(&fed)
        .get_open_id_token_for_developer_identity()
        .identity_pool_id(fed.pool_id())
        .logins("login.other.example", "user-42")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error(err),
        (
            "InvalidParameterException".to_owned(),
            "This identity pool does not support the specified developer provider".to_owned()
        )
    );
    assert!(
        developer_token(&fed, "user-42").await.0.starts_with("us-east-1:"),
        "the pool's own works"
    );
}
