//! The JSON 1.1 wire contract for requests no SDK would send: malformed bodies, unknown
//! targets, oversized bodies, wrong paths. Each gets AWS's error shape with status 400 (never
//! a 5xx an SDK would retry), and none of them disturbs the running state.

use mock_cognito::{Clock, CognitoConfig, IdentityPoolConfig, MockCognito, RoleConfig};
use serde_json::{Value, json};

const POOL: &str = "us-east-1:4b9a3c52-6f1e-4d8a-9c27-0fed0c000001";

async fn start() -> MockCognito {
    let config = CognitoConfig {
        identity_pools: vec![IdentityPoolConfig {
            id: Some(POOL.into()),
            allow_unauthenticated_identities: true,
            unauthenticated_role_arn: Some("arn:aws:iam::123456789012:role/unauth".into()),
            ..Default::default()
        }],
        roles: vec![RoleConfig {
            name: "unauth".into(),
            trust_policy: json!({"Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": POOL},
                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"}
                }
            }]}),
            max_session_duration_secs: 3600,
        }],
        ..Default::default()
    };
    MockCognito::start(config, Clock::system()).await.unwrap()
}

/// Sends a raw request; returns status, the `x-amzn-ErrorType` header and the body.
async fn send(
    cognito: &MockCognito,
    target: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> (u16, Option<String>, Value) {
    let mut request = reqwest::Client::new()
        .post(cognito.endpoint_url())
        .header("content-type", "application/x-amz-json-1.1")
        .body(body);
    if let Some(target) = target {
        request = request.header("x-amz-target", target);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    assert_eq!(response.headers()["content-type"], "application/x-amz-json-1.1");
    assert!(response.headers().contains_key("x-amzn-requestid"));
    let error_type =
        response.headers().get("x-amzn-errortype").map(|v| v.to_str().unwrap().to_owned());
    (status, error_type, response.json().await.unwrap())
}

async fn assert_still_serving(cognito: &MockCognito) {
    let (status, _, body) = send(
        cognito,
        Some("AWSCognitoIdentityService.GetId"),
        json!({"IdentityPoolId": POOL}).to_string(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["IdentityId"].as_str().unwrap().starts_with("us-east-1:"));
}

/// Coral's deserializer: no message for a body that is not JSON (kinesalite's recorded AWS
/// answers), else what it found where (aws/aws-sdk-js-v3#2831).
#[tokio::test]
async fn malformed_json_is_a_serialization_exception_in_coral_s_words() {
    let cognito = start().await;
    for (bad, message) in [
        ("{", None),
        ("\u{0}\u{1}", None),
        ("[1,2]", Some("Start of list found where not expected")),
        (r#"{"IdentityPoolId": {}}"#, Some("Start of structure or map found where not expected.")),
        (r#"{"IdentityPoolId": 5}"#, Some("NUMBER_VALUE can not be converted to a String")),
    ] {
        let (status, error_type, body) =
            send(&cognito, Some("AWSCognitoIdentityService.GetId"), bad).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(error_type.as_deref(), Some("SerializationException:"));
        assert_eq!(body["__type"], "SerializationException");
        assert_eq!(body["Message"].as_str(), message, "{bad}: {body}");
    }
    assert_still_serving(&cognito).await;
}

#[tokio::test]
async fn an_unknown_target_is_an_unknown_operation() {
    let cognito = start().await;
    for target in
        [Some("AWSCognitoIdentityService.GetIdd"), Some("DynamoDB_20120810.ListTables"), None]
    {
        let (status, error_type, body) = send(&cognito, target, "{}").await;
        assert_eq!(status, 400);
        assert_eq!(error_type.as_deref(), Some("UnknownOperationException:"));
        assert_eq!(body["__type"], "UnknownOperationException");
    }
    assert_still_serving(&cognito).await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_without_a_server_error() {
    let cognito = start().await;
    let huge = format!(
        r#"{{"IdentityPoolId":"{POOL}","Logins":{{"x":"{}"}}}}"#,
        "a".repeat(mock_cognito::MAX_BODY_BYTES)
    );
    let (status, error_type, body) =
        send(&cognito, Some("AWSCognitoIdentityService.GetId"), huge).await;
    assert_eq!(status, 413, "answered at once, unread (issue 15)");
    assert_eq!(error_type.as_deref(), Some("RequestEntityTooLargeException:"));
    assert_eq!(
        body,
        json!({"__type": "RequestEntityTooLargeException", "message": "Request must be smaller than 1048576 bytes"})
    );
    assert_still_serving(&cognito).await;
}

#[tokio::test]
async fn a_token_over_50000_characters_fails_validation() {
    let cognito = start().await;
    let body =
        json!({"IdentityPoolId": POOL, "Logins": {"issuer.example.com": "a".repeat(50_001)}})
            .to_string();
    let (status, _, body) = send(&cognito, Some("AWSCognitoIdentityService.GetId"), body).await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "ValidationException");
    assert!(body["message"].as_str().unwrap().ends_with("failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]"));
}

#[tokio::test]
async fn a_missing_pool_id_and_bad_account_are_reported_together() {
    let cognito = start().await;
    let (status, _, body) =
        send(&cognito, Some("AWSCognitoIdentityService.GetId"), r#"{"AccountId":"12ab"}"#).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"__type": "ValidationException", "message": "2 validation errors detected: Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null; Value '12ab' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d+"})
    );
}

#[tokio::test]
async fn other_paths_and_methods_get_an_aws_shaped_answer() {
    let cognito = start().await;
    let response = reqwest::get(format!("{}/anything", cognito.endpoint_url())).await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(response.headers()["x-amzn-errortype"], "UnknownOperationException:");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["__type"], "UnknownOperationException");
}

#[tokio::test]
async fn unauthenticated_identities_are_recorded_and_get_credentials() {
    let cognito = start().await;
    let (_, _, got) = send(
        &cognito,
        Some("AWSCognitoIdentityService.GetId"),
        json!({"IdentityPoolId": POOL}).to_string(),
    )
    .await;
    let id = got["IdentityId"].as_str().unwrap();
    assert!(cognito.state().identity(id).is_some_and(|i| i.logins.is_empty()));
    let body = json!({"IdentityId": id}).to_string();
    let (status, _, creds) =
        send(&cognito, Some("AWSCognitoIdentityService.GetCredentialsForIdentity"), body.clone())
            .await;
    assert_eq!(status, 200, "{creds}");
    assert_eq!(creds["IdentityId"], id);
    assert!(creds["Credentials"]["Expiration"].is_f64(), "epoch seconds as a JSON number: {creds}");
    // As Java writes a double: `"Expiration":1.515115602E9` in a real capture.
    let raw = reqwest::Client::new()
        .post(cognito.endpoint_url())
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "AWSCognitoIdentityService.GetCredentialsForIdentity")
        .body(body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let expiration = raw.split(r#""Expiration":"#).nth(1).unwrap().split(',').next().unwrap();
    assert!(expiration.starts_with("1.") && expiration.contains("E9"), "{raw}");
}
