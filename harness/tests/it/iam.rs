//! IAM through `aws-sdk-iam`, as an infrastructure script uses it: OIDC providers with AWS's
//! URL rules and limits, roles and trust policies, then federation through what it created,
//! with STS `GetCallerIdentity` for the credentials.

use crate::common::aws_error as error;
use aws_sdk_iam::error::ProvideErrorMetadata;
use harness::mock_okta::AuthServerConfig;
use harness::{Federation, TokenRequest};
use serde_json::json;

async fn world_with_second_server() -> Federation {
    Federation::builder()
        .okta(|okta| {
            okta.servers.push(AuthServerConfig { id: "second".into(), ..Default::default() })
        })
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_infrastructure_script_sets_up_federation_from_scratch() {
    let fed = world_with_second_server().await;
    let iam = fed.iam_client();
    let issuer = fed.issuer_of("second").unwrap().to_owned();
    let provider = iam
        .create_open_id_connect_provider()
        .url(&issuer)
        .client_id_list("api://default")
        .send()
        .await
        .unwrap();
    let provider_arn = provider.open_id_connect_provider_arn().unwrap().to_owned();
    assert_eq!(
        provider_arn,
        format!("arn:aws:iam::123456789012:oidc-provider/{}", issuer.trim_start_matches("http://"))
    );

    let cognito_admin = aws_sdk_cognitoidentity::Client::new(&fed.admin_sdk_config());
    let pool = cognito_admin
        .create_identity_pool()
        .identity_pool_name("scripted")
        .allow_unauthenticated_identities(false)
        .open_id_connect_provider_arns(&provider_arn)
        .send()
        .await
        .unwrap();
    let pool_id = pool.identity_pool_id();
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id},
                      "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}
    }]});
    let role = iam
        .create_role()
        .role_name("scripted-authenticated")
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .unwrap();
    let role_arn = role.role().unwrap().arn().to_owned();
    cognito_admin
        .set_identity_pool_roles()
        .identity_pool_id(pool_id)
        .roles("authenticated", &role_arn)
        .send()
        .await
        .unwrap();

    let (user, password) = fed.user();
    let token = fed
        .token(TokenRequest::password(user, password, "openid").server("second"))
        .await
        .unwrap()
        .access_token;
    let key = issuer.trim_start_matches("http://");
    let cognito = fed.cognito_client();
    let id = cognito.get_id().identity_pool_id(pool_id).logins(key, &token).send().await.unwrap();
    let creds = cognito
        .get_credentials_for_identity()
        .identity_id(id.identity_id().unwrap())
        .logins(key, &token)
        .send()
        .await
        .unwrap();
    let creds = creds.credentials().unwrap();
    assert_eq!(
        fed.cognito().unwrap().credentials_owner(creds.session_token().unwrap()).unwrap().role_arn,
        role_arn
    );

    // The credentials sign an STS call that says who they are.
    let as_user = fed
        .sdk_config()
        .into_builder()
        .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
            aws_credential_types::Credentials::new(
                creds.access_key_id().unwrap(),
                creds.secret_key().unwrap(),
                creds.session_token().map(str::to_owned),
                None,
                "cognito",
            ),
        ))
        .build();
    let me = aws_sdk_sts::Client::new(&as_user).get_caller_identity().send().await.unwrap();
    assert_eq!(
        me.arn(),
        Some(
            "arn:aws:sts::123456789012:assumed-role/scripted-authenticated/CognitoIdentityCredentials"
        )
    );
    assert_eq!(me.account(), Some("123456789012"));
}

#[tokio::test]
async fn provider_urls_follow_aws_rules_and_limits() {
    let fed =
        Federation::builder().aws(|aws| aws.allow_http_issuers = false).start().await.unwrap();
    let iam = fed.iam_client();
    let create = |url: &str| {
        iam.create_open_id_connect_provider().url(url).client_id_list("sts.amazonaws.com").send()
    };
    assert_eq!(
        error(create("http://issuer.example.com").await.unwrap_err()).0,
        "InvalidInput",
        "https only"
    );
    assert_eq!(
        error(create("https://issuer.example.com:8443").await.unwrap_err()).0,
        "InvalidInput",
        "no port"
    );
    let arn = create("https://issuer.example.com/tenant")
        .await
        .unwrap()
        .open_id_connect_provider_arn()
        .unwrap()
        .to_owned();
    assert_eq!(
        error(create("https://issuer.example.com/tenant").await.unwrap_err()),
        (
            "EntityAlreadyExists".into(),
            "Provider with url https://issuer.example.com/tenant already exists.".into()
        )
    );
    create("https://issuer.example.com/Tenant").await.expect("URLs are case-sensitive");

    let mut many = iam.create_open_id_connect_provider().url("https://many.example.com");
    for i in 0..101 {
        many = many.client_id_list(format!("client-{i}"));
    }
    assert_eq!(error(many.send().await.unwrap_err()).0, "LimitExceeded");
    let mut thumbs = iam.create_open_id_connect_provider().url("https://thumbs.example.com");
    for _ in 0..6 {
        thumbs = thumbs.thumbprint_list("9e99a48a9960b14926bb7f3b02e22da2b0ab7280");
    }
    assert_eq!(error(thumbs.send().await.unwrap_err()).0, "InvalidInput");

    iam.add_client_id_to_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .client_id("second")
        .send()
        .await
        .unwrap();
    iam.add_client_id_to_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .client_id("second")
        .send()
        .await
        .unwrap();
    iam.remove_client_id_from_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .client_id("sts.amazonaws.com")
        .send()
        .await
        .unwrap();
    iam.update_open_id_connect_provider_thumbprint()
        .open_id_connect_provider_arn(&arn)
        .thumbprint_list("9e99a48a9960b14926bb7f3b02e22da2b0ab7280")
        .send()
        .await
        .unwrap();
    let got =
        iam.get_open_id_connect_provider().open_id_connect_provider_arn(&arn).send().await.unwrap();
    assert_eq!(
        got.url(),
        Some("issuer.example.com/tenant"),
        "the URL comes back without its scheme"
    );
    assert_eq!(got.client_id_list(), ["second"], "adding twice is idempotent");
    assert_eq!(got.thumbprint_list(), ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]);
    let listed = iam.list_open_id_connect_providers().send().await.unwrap();
    assert!(listed.open_id_connect_provider_list().iter().any(|p| p.arn() == Some(arn.as_str())));

    iam.delete_open_id_connect_provider().open_id_connect_provider_arn(&arn).send().await.unwrap();
    assert_eq!(
        error(
            iam.get_open_id_connect_provider()
                .open_id_connect_provider_arn(&arn)
                .send()
                .await
                .unwrap_err()
        )
        .0,
        "NoSuchEntity"
    );
}

#[tokio::test]
async fn roles_are_created_read_updated_and_deleted() {
    let fed = Federation::start().await;
    let iam = fed.iam_client();
    let provider_arn = format!("arn:aws:iam::123456789012:oidc-provider/{}", fed.logins_key());
    let trusts = |aud: &str| {
        json!({"Statement": [{"Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithWebIdentity",
               "Condition": {"StringEquals": {format!("{}:aud", fed.logins_key()): aud}}}]})
        .to_string()
    };
    iam.create_role()
        .role_name("direct")
        .assume_role_policy_document(trusts("someone-else"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error(
            iam.create_role()
                .role_name("direct")
                .assume_role_policy_document(trusts("x"))
                .send()
                .await
                .unwrap_err()
        ),
        ("EntityAlreadyExists".into(), "Role with name direct already exists.".into())
    );
    assert_eq!(
        error(
            iam.create_role()
                .role_name("broken")
                .assume_role_policy_document("{not json")
                .send()
                .await
                .unwrap_err()
        ),
        ("MalformedPolicyDocument".into(), "This policy contains invalid Json".into())
    );

    let (user, password) = fed.user();
    let token =
        fed.token(TokenRequest::password(user, password, "openid")).await.unwrap().access_token;
    let assume = || {
        fed.sts_client()
            .assume_role_with_web_identity()
            .role_arn("arn:aws:iam::123456789012:role/direct")
            .role_session_name("s1")
            .web_identity_token(&token)
            .send()
    };
    let err = assume().await.unwrap_err();
    assert_eq!(
        err.into_service_error().code(),
        Some("AccessDenied"),
        "the trust policy names another audience"
    );
    iam.update_assume_role_policy()
        .role_name("direct")
        .policy_document(trusts("api://default"))
        .send()
        .await
        .unwrap();
    assume().await.expect("the updated trust policy admits the token");

    let role = iam.get_role().role_name("direct").send().await.unwrap();
    assert_eq!(role.role().unwrap().arn(), "arn:aws:iam::123456789012:role/direct");
    iam.delete_role().role_name("direct").send().await.unwrap();
    assert_eq!(
        error(iam.get_role().role_name("direct").send().await.unwrap_err()),
        ("NoSuchEntity".into(), "The role with name direct cannot be found.".into())
    );
}
