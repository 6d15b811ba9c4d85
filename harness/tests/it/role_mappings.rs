//! Role mappings through the SDK: rules over the Okta token's claims choose the role,
//! `CustomRoleArn` picks among matches, `AmbiguousRoleResolution` falls back or denies with
//! AWS's message, and the basic flow is refused for pools with mappings.

use aws_sdk_cognitoidentity::error::{ProvideErrorMetadata, SdkError};
use harness::mock_cognito::RoleConfig;
use harness::mock_cognito::{
    AmbiguousRoleResolution, MappingRule, MappingType, MatchType, RoleMapping,
};
use harness::mock_okta::{ClaimRule, TokenKind};
use harness::{Federation, TokenRequest};
use serde_json::json;

const POOL: &str = "us-east-1:4b9a3c52-6f1e-4d8a-9c27-0fed0c000001";
const ADMIN: &str = "arn:aws:iam::123456789012:role/fedmock-admin";
const READER: &str = "arn:aws:iam::123456789012:role/fedmock-reader";

fn trusting_role(name: &str) -> RoleConfig {
    RoleConfig {
        name: name.into(),
        trust_policy: json!({"Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": POOL}}
        }]}),
        max_session_duration_secs: 3600,
    }
}

/// The default world; Alice is in `fedmock-admins`, the access token carries `groups`, and the
/// pool maps `groups` contains `fedmock-admins` → admin, `email` starts with `alice` → reader.
async fn world(resolution: AmbiguousRoleResolution, groups: &[&str]) -> Federation {
    let groups: Vec<String> = groups.iter().map(|g| (*g).to_owned()).collect();
    Federation::builder()
        .okta(|okta| {
            okta.users[0].groups = groups;
            okta.users[0].email = Some("alice@example.com".into());
            okta.servers[0].claims = vec![
                ClaimRule {
                    name: "groups".into(),
                    token: TokenKind::Access,
                    value: None,
                    profile: None,
                    groups: Some(".*".into()),
                },
                ClaimRule {
                    name: "email".into(),
                    token: TokenKind::Access,
                    value: None,
                    profile: Some("email".into()),
                    groups: None,
                },
            ];
        })
        .aws(|aws| {
            aws.roles.push(trusting_role("fedmock-admin"));
            aws.roles.push(trusting_role("fedmock-reader"));
            aws.identity_pools[0].allow_classic_flow = Some(true);
            aws.identity_pools[0].role_mappings.insert(
                "{okta}/oauth2/default".into(),
                RoleMapping {
                    kind: MappingType::Rules,
                    ambiguous_role_resolution: resolution,
                    rules: vec![
                        MappingRule {
                            claim: "groups".into(),
                            match_type: MatchType::Contains,
                            value: "fedmock-admins".into(),
                            role_arn: ADMIN.into(),
                        },
                        MappingRule {
                            claim: "email".into(),
                            match_type: MatchType::StartsWith,
                            value: "alice".into(),
                            role_arn: READER.into(),
                        },
                    ],
                },
            );
        })
        .start()
        .await
        .unwrap()
}

async fn role_for(fed: &Federation, custom_role: Option<&str>) -> Result<String, (String, String)> {
    let (user, password) = fed.user();
    let token =
        fed.token(TokenRequest::password(user, password, "openid")).await.unwrap().access_token;
    let cognito = fed.cognito_client();
    let id = crate::common::get_id(fed, &[(fed.logins_key(), &token)]).await.unwrap();
    let result = cognito
        .get_credentials_for_identity()
        .identity_id(&id)
        .logins(fed.logins_key(), &token)
        .set_custom_role_arn(custom_role.map(str::to_owned))
        .send()
        .await;
    match result {
        Ok(out) => Ok(fed
            .cognito()
            .unwrap()
            .credentials_owner(out.credentials().unwrap().session_token().unwrap())
            .unwrap()
            .role_arn),
        Err(SdkError::ServiceError(e)) => {
            Err((e.err().code().unwrap().to_owned(), e.err().message().unwrap().to_owned()))
        }
        Err(other) => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_first_matching_rule_chooses_the_role_and_custom_role_picks_among_matches() {
    let fed = world(AmbiguousRoleResolution::Deny, &["fedmock-admins"]).await;
    assert_eq!(role_for(&fed, None).await.unwrap(), ADMIN);
    assert_eq!(role_for(&fed, Some(READER)).await.unwrap(), READER);
    let fed = world(AmbiguousRoleResolution::Deny, &["everyone"]).await;
    assert_eq!(role_for(&fed, None).await.unwrap(), READER, "only the email rule matches");
}

/// A world whose only rule admits Alice, used by Bob.
async fn bob_world(resolution: AmbiguousRoleResolution) -> Federation {
    Federation::builder()
        .okta(|okta| okta.users[0].login = "bob@example.com".into())
        .aws(|aws| {
            aws.roles.push(trusting_role("fedmock-admin"));
            let only_alice = MappingRule {
                claim: "sub".into(),
                match_type: MatchType::Equals,
                value: "alice@example.com".into(),
                role_arn: ADMIN.into(),
            };
            let mapping = RoleMapping {
                kind: MappingType::Rules,
                ambiguous_role_resolution: resolution,
                rules: vec![only_alice],
            };
            aws.identity_pools[0].role_mappings.insert("{okta}/oauth2/default".into(), mapping);
        })
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn when_no_rule_matches_the_pool_falls_back_or_denies() {
    let fed = bob_world(AmbiguousRoleResolution::AuthenticatedRole).await;
    assert_eq!(
        role_for(&fed, None).await.unwrap(),
        "arn:aws:iam::123456789012:role/fedmock-authenticated"
    );
    let fed = bob_world(AmbiguousRoleResolution::Deny).await;
    assert_eq!(
        role_for(&fed, None).await.unwrap_err(),
        (
            "NotAuthorizedException".into(),
            format!(
                "The ambiguous role mapping rules for: {} denied this request.",
                fed.logins_key()
            )
        )
    );
}

#[tokio::test]
async fn the_basic_flow_is_refused_for_a_pool_with_role_mappings() {
    let fed = world(AmbiguousRoleResolution::Deny, &["fedmock-admins"]).await;
    let (user, password) = fed.user();
    let token =
        fed.token(TokenRequest::password(user, password, "openid")).await.unwrap().access_token;
    let cognito = fed.cognito_client();
    let id = crate::common::get_id(&fed, &[(fed.logins_key(), &token)]).await.unwrap();
    let err = cognito
        .get_open_id_token()
        .identity_id(&id)
        .logins(fed.logins_key(), &token)
        .send()
        .await
        .unwrap_err();
    let err = err.into_service_error();
    assert_eq!(err.code(), Some("InvalidParameterException"));
    assert_eq!(
        err.message(),
        Some("Basic (classic) flow is not supported with RoleMappings, please use enhanced flow.")
    );
}

#[tokio::test]
async fn a_mapping_for_a_provider_the_pool_does_not_trust_is_a_config_error_in_aws_words() {
    let err = Federation::builder()
        .aws(|aws| {
            aws.identity_pools[0].role_mappings.insert(
                "accounts.google.com".into(),
                RoleMapping {
                    kind: MappingType::Token,
                    ambiguous_role_resolution: AmbiguousRoleResolution::Deny,
                    rules: vec![],
                },
            );
        })
        .start()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("accounts.google.com is not a valid RoleMapping ProviderName or is not a configured provider."), "{err}");
}

#[tokio::test]
async fn a_token_mapping_follows_cognito_roles_and_preferred_role_in_the_token() {
    let roles = json!([ADMIN, READER]);
    let fed = Federation::builder()
        .okta(|okta| {
            okta.servers[0].access_token_claims.insert("cognito:roles".into(), roles);
            okta.servers[0]
                .access_token_claims
                .insert("cognito:preferred_role".into(), json!(READER));
        })
        .aws(|aws| {
            aws.roles.push(trusting_role("fedmock-admin"));
            aws.roles.push(trusting_role("fedmock-reader"));
            let mapping = RoleMapping {
                kind: MappingType::Token,
                ambiguous_role_resolution: AmbiguousRoleResolution::Deny,
                rules: vec![],
            };
            aws.identity_pools[0].role_mappings.insert("{okta}/oauth2/default".into(), mapping);
        })
        .start()
        .await
        .unwrap();
    assert_eq!(role_for(&fed, None).await.unwrap(), READER, "cognito:preferred_role");
    assert_eq!(
        role_for(&fed, Some(ADMIN)).await.unwrap(),
        ADMIN,
        "a CustomRoleArn among cognito:roles"
    );
    let outside = "arn:aws:iam::123456789012:role/fedmock-authenticated";
    assert_eq!(
        role_for(&fed, Some(outside)).await.unwrap_err(),
        (
            "NotAuthorizedException".into(),
            format!(
                "The ambiguous role mapping rules for: {} denied this request.",
                fed.logins_key()
            )
        )
    );
}

#[tokio::test]
async fn more_than_25_rules_for_a_provider_exceed_the_quota() {
    use aws_sdk_cognitoidentity::types::{
        AmbiguousRoleResolutionType, MappingRule as Rule, MappingRuleMatchType,
        RoleMapping as Mapping, RoleMappingType, RulesConfigurationType,
    };
    let fed = world(AmbiguousRoleResolution::Deny, &[]).await;
    let mut rules = RulesConfigurationType::builder();
    for i in 0..26 {
        rules = rules.rules(
            Rule::builder()
                .claim("sub")
                .match_type(MappingRuleMatchType::Equals)
                .value(format!("u{i}"))
                .role_arn(ADMIN)
                .build()
                .unwrap(),
        );
    }
    let mapping = Mapping::builder()
        .r#type(RoleMappingType::Rules)
        .ambiguous_role_resolution(AmbiguousRoleResolutionType::Deny)
        .rules_configuration(rules.build().unwrap())
        .build()
        .unwrap();
    let admin = aws_sdk_cognitoidentity::Client::new(&fed.admin_sdk_config());
    let err = admin
        .set_identity_pool_roles()
        .identity_pool_id(POOL)
        .role_mappings(fed.logins_key(), mapping)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.into_service_error().code(), Some("LimitExceededException"));
}
