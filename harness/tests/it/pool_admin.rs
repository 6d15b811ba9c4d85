//! Pool administration as an infrastructure script does it, through the SDK with SigV4:
//! create a pool, set its roles and mappings, federate into it; describe, update (omitted
//! fields reset), list with pages, delete. Signatures are checked like AWS checks them.

use crate::common::{admin, aws_error as error};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_cognitoidentity::types::{
    AmbiguousRoleResolutionType, MappingRule, MappingRuleMatchType, RoleMapping, RoleMappingType,
    RulesConfigurationType,
};
use harness::mock_cognito::RoleConfig;
use harness::{Federation, TokenRequest};
use serde_json::json;

const ANY_POOL_ROLE: &str = "arn:aws:iam::123456789012:role/fedmock-any-pool";

/// The default world plus a role that trusts Cognito for any pool of the region.
async fn world() -> Federation {
    Federation::builder()
        .aws(|aws| {
            aws.roles.push(RoleConfig {
                name: "fedmock-any-pool".into(),
                trust_policy: json!({"Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringLike": {"cognito-identity.amazonaws.com:aud": "us-east-1:*"}}
                }]}),
                max_session_duration_secs: 3600,
            });
        })
        .start()
        .await
        .unwrap()
}

fn provider_arn(fed: &Federation) -> String {
    format!("arn:aws:iam::123456789012:oidc-provider/{}", fed.logins_key())
}

#[tokio::test]
async fn a_pool_created_by_script_federates_like_a_configured_one() {
    let fed = world().await;
    let admin = admin(&fed);
    let created = admin
        .create_identity_pool()
        .identity_pool_name("scripted")
        .allow_unauthenticated_identities(false)
        .open_id_connect_provider_arns(provider_arn(&fed))
        .identity_pool_tags("team", "identity")
        .send()
        .await
        .unwrap();
    let pool = created.identity_pool_id().to_owned();
    assert!(pool.starts_with("us-east-1:"));
    assert_eq!(created.open_id_connect_provider_arns(), [provider_arn(&fed)]);
    assert_eq!(created.allow_classic_flow(), None, "not given: unset, and omitted");
    admin
        .set_identity_pool_roles()
        .identity_pool_id(&pool)
        .roles("authenticated", ANY_POOL_ROLE)
        .send()
        .await
        .unwrap();

    let (user, password) = fed.user();
    let token =
        fed.token(TokenRequest::password(user, password, "openid")).await.unwrap().access_token;
    let cognito = fed.cognito_client();
    let id = cognito
        .get_id()
        .identity_pool_id(&pool)
        .logins(fed.logins_key(), &token)
        .send()
        .await
        .unwrap();
    let creds = cognito
        .get_credentials_for_identity()
        .identity_id(id.identity_id().unwrap())
        .logins(fed.logins_key(), &token)
        .send()
        .await
        .unwrap();
    let owner = fed
        .cognito()
        .unwrap()
        .credentials_owner(creds.credentials().unwrap().session_token().unwrap())
        .unwrap();
    assert_eq!(owner.role_arn, ANY_POOL_ROLE);
}

#[tokio::test]
async fn describe_update_list_and_delete_behave_like_aws() {
    let fed = world().await;
    let admin = admin(&fed);
    let described =
        admin.describe_identity_pool().identity_pool_id(fed.pool_id()).send().await.unwrap();
    assert_eq!(described.identity_pool_name(), "fedmock");
    assert_eq!(described.open_id_connect_provider_arns(), [provider_arn(&fed)]);

    let updated = admin
        .update_identity_pool()
        .identity_pool_id(fed.pool_id())
        .identity_pool_name("renamed")
        .allow_unauthenticated_identities(true)
        .allow_classic_flow(true)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.allow_classic_flow(), Some(true));
    assert!(updated.open_id_connect_provider_arns().is_empty(), "omitted fields are reset");
    let again = admin
        .update_identity_pool()
        .identity_pool_id(fed.pool_id())
        .identity_pool_name("renamed")
        .allow_unauthenticated_identities(true)
        .send()
        .await
        .unwrap();
    assert_eq!(again.allow_classic_flow(), None, "AllowClassicFlow omitted → unset");

    for name in ["b", "c", "d"] {
        admin
            .create_identity_pool()
            .identity_pool_name(name)
            .allow_unauthenticated_identities(true)
            .send()
            .await
            .unwrap();
    }
    let first = admin.list_identity_pools().max_results(3).send().await.unwrap();
    assert_eq!(first.identity_pools().len(), 3);
    let second = admin
        .list_identity_pools()
        .max_results(3)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(second.identity_pools().len(), 1);
    assert!(second.next_token().is_none());
    let (code, message) =
        error(admin.list_identity_pools().max_results(61).send().await.unwrap_err());
    assert_eq!(code, "ValidationException");
    assert_eq!(
        message,
        "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60"
    );

    admin.delete_identity_pool().identity_pool_id(fed.pool_id()).send().await.unwrap();
    let gone =
        admin.describe_identity_pool().identity_pool_id(fed.pool_id()).send().await.unwrap_err();
    assert_eq!(
        error(gone),
        (
            "ResourceNotFoundException".into(),
            format!("IdentityPool '{}' not found.", fed.pool_id())
        )
    );
}

#[tokio::test]
async fn roles_and_mappings_round_trip_and_unknown_roles_are_forbidden() {
    let fed = world().await;
    let admin = admin(&fed);
    let rule = MappingRule::builder()
        .claim("groups")
        .match_type(MappingRuleMatchType::Contains)
        .value("admins")
        .role_arn(ANY_POOL_ROLE)
        .build()
        .unwrap();
    let mapping = RoleMapping::builder()
        .r#type(RoleMappingType::Rules)
        .ambiguous_role_resolution(AmbiguousRoleResolutionType::AuthenticatedRole)
        .rules_configuration(RulesConfigurationType::builder().rules(rule).build().unwrap())
        .build()
        .unwrap();
    admin
        .set_identity_pool_roles()
        .identity_pool_id(fed.pool_id())
        .roles("authenticated", ANY_POOL_ROLE)
        .role_mappings(fed.logins_key(), mapping.clone())
        .send()
        .await
        .unwrap();
    let roles =
        admin.get_identity_pool_roles().identity_pool_id(fed.pool_id()).send().await.unwrap();
    assert_eq!(
        roles.roles().unwrap().get("authenticated").map(String::as_str),
        Some(ANY_POOL_ROLE)
    );
    assert_eq!(roles.role_mappings().unwrap().get(fed.logins_key()), Some(&mapping));

    let missing = "arn:aws:iam::123456789012:role/nobody";
    let err = admin
        .set_identity_pool_roles()
        .identity_pool_id(fed.pool_id())
        .roles("authenticated", missing)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error(err),
        ("NotAuthorizedException".into(), format!("Access to Role '{missing}' is forbidden."))
    );
    let err = admin
        .set_identity_pool_roles()
        .identity_pool_id(fed.pool_id())
        .role_mappings("accounts.google.com", mapping)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error(err), ("InvalidParameterException".into(), "accounts.google.com is not a valid RoleMapping ProviderName or is not a configured provider.".into()));
}

#[tokio::test]
async fn create_checks_its_input_like_aws() {
    let fed = world().await;
    let err = admin(&fed)
        .create_identity_pool()
        .identity_pool_name("bad name!")
        .allow_unauthenticated_identities(false)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error(err),
        ("ValidationException".into(), "1 validation error detected: Value 'bad name!' at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+".into())
    );
}

#[tokio::test]
async fn signed_actions_need_a_valid_signature() {
    let fed = world().await;
    let with_keys = |id: &str, secret: &str| {
        let config = fed
            .sdk_config()
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                id, secret, None, None, "test",
            )))
            .build();
        aws_sdk_cognitoidentity::Client::new(&config)
    };
    let wrong_secret = with_keys("AKIAFEDMOCKADMIN0000", "not-the-secret")
        .describe_identity_pool()
        .identity_pool_id(fed.pool_id())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error(wrong_secret),
        ("InvalidSignatureException".into(), "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.".into())
    );
    let unknown = with_keys("AKIAUNKNOWN000000000", "x")
        .describe_identity_pool()
        .identity_pool_id(fed.pool_id())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error(unknown),
        (
            "UnrecognizedClientException".into(),
            "The security token included in the request is invalid.".into()
        )
    );

    // No SDK sends a signed action unsigned; a hand-made request does.
    let unsigned = reqwest::Client::new()
        .post(fed.cognito_endpoint())
        .header("x-amz-target", "AWSCognitoIdentityService.DescribeIdentityPool")
        .header("content-type", "application/x-amz-json-1.1")
        .body(json!({"IdentityPoolId": fed.pool_id()}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 400);
    let body: serde_json::Value = unsigned.json().await.unwrap();
    assert_eq!(
        body,
        json!({"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"})
    );

    let relaxed =
        Federation::builder().aws(|aws| aws.require_signatures = false).start().await.unwrap();
    let accepted = reqwest::Client::new()
        .post(relaxed.cognito_endpoint())
        .header("x-amz-target", "AWSCognitoIdentityService.DescribeIdentityPool")
        .header("content-type", "application/x-amz-json-1.1")
        .body(json!({"IdentityPoolId": relaxed.pool_id()}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status().as_u16(), 200, "require_signatures = false relaxes the check");
}

#[tokio::test]
async fn tags_and_principal_tag_maps_are_stored_per_pool() {
    let fed = world().await;
    let admin = admin(&fed);
    let arn =
        format!("arn:aws:cognito-identity:us-east-1:123456789012:identitypool/{}", fed.pool_id());
    admin
        .tag_resource()
        .resource_arn(&arn)
        .tags("team", "identity")
        .tags("env", "test")
        .send()
        .await
        .unwrap();
    admin.untag_resource().resource_arn(&arn).tag_keys("env").send().await.unwrap();
    let tags = admin.list_tags_for_resource().resource_arn(&arn).send().await.unwrap();
    assert_eq!(tags.tags().unwrap().len(), 1);
    assert_eq!(tags.tags().unwrap().get("team").map(String::as_str), Some("identity"));
    let described =
        admin.describe_identity_pool().identity_pool_id(fed.pool_id()).send().await.unwrap();
    assert_eq!(
        described.identity_pool_tags().unwrap().get("team").map(String::as_str),
        Some("identity")
    );
    let missing = arn.replace(fed.pool_id(), "us-east-1:00000000-0000-0000-0000-000000000000");
    assert_eq!(
        error(admin.list_tags_for_resource().resource_arn(missing).send().await.unwrap_err()).0,
        "ResourceNotFoundException"
    );

    let unset = admin
        .get_principal_tag_attribute_map()
        .identity_pool_id(fed.pool_id())
        .identity_provider_name(fed.logins_key())
        .send()
        .await
        .unwrap();
    assert_eq!(unset.use_defaults(), Some(false));
    admin
        .set_principal_tag_attribute_map()
        .identity_pool_id(fed.pool_id())
        .identity_provider_name(fed.logins_key())
        .principal_tags("department", "dept")
        .send()
        .await
        .unwrap();
    let set = admin
        .get_principal_tag_attribute_map()
        .identity_pool_id(fed.pool_id())
        .identity_provider_name(fed.logins_key())
        .send()
        .await
        .unwrap();
    assert_eq!(set.principal_tags().unwrap().get("department").map(String::as_str), Some("dept"));
    let err = admin
        .get_principal_tag_attribute_map()
        .identity_pool_id(fed.pool_id())
        .identity_provider_name("accounts.google.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error(err).0, "InvalidParameterException");
}
