//! The AWS SDK for JavaScript v2's `AWS.CognitoIdentityCredentials`, the path most Okta
//! tutorials use: without `RoleArn` (enhanced flow) and with it (basic flow, STS on the same
//! endpoint), and the error an app sees for an ID token with the client id as audience.

use std::io::Write as _;
use std::process::{Command, Stdio};

use harness::{Federation, TokenRequest};

use crate::support::drivers;
use serde_json::{Value, json};

fn run(fed: &Federation, token: &str, role_arn: Option<&str>) -> Value {
    let mut cmd = Command::new("node");
    cmd.current_dir(drivers().join("node")).arg("cognito-identity-credentials.mjs");
    for var in ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] {
        cmd.env_remove(var);
    }
    let input = json!({
        "endpoint": fed.cognito_endpoint(),
        "region": fed.region(),
        "poolId": fed.pool_id(),
        "loginsKey": fed.logins_key(),
        "token": token,
        "roleArn": role_arn,
    });
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("the driver answers JSON")
}

async fn tokens(fed: &Federation) -> (String, String) {
    let (user, password) = fed.user();
    let answer = fed.token(TokenRequest::password(user, password, "openid")).await.unwrap();
    (answer.access_token, answer.id_token.unwrap())
}

async fn cognito_identity_credentials_without_a_role_use_the_enhanced_flow() {
    let fed = Federation::start().await;
    let (access, id) = tokens(&fed).await;
    let ok = run(&fed, &access, None);
    assert_eq!(ok["ok"], true, "{ok}");
    let owner =
        fed.cognito().unwrap().credentials_owner(ok["sessionToken"].as_str().unwrap()).unwrap();
    assert_eq!(owner.role_arn, "arn:aws:iam::123456789012:role/fedmock-authenticated");
    assert_eq!(owner.subject, ok["identityId"].as_str().unwrap());

    let refused = run(&fed, &id, None);
    assert_eq!(
        refused,
        json!({"ok": false, "code": "NotAuthorizedException", "message": "Invalid login token. Incorrect token audience."})
    );
}

async fn cognito_identity_credentials_with_a_role_use_the_basic_flow_through_sts() {
    let fed = Federation::builder()
        .aws(|aws| aws.identity_pools[0].allow_classic_flow = Some(true))
        .start()
        .await
        .unwrap();
    let (access, _) = tokens(&fed).await;
    let ok = run(&fed, &access, Some("arn:aws:iam::123456789012:role/fedmock-authenticated"));
    assert_eq!(ok["ok"], true, "{ok}");
    let owner =
        fed.cognito().unwrap().credentials_owner(ok["sessionToken"].as_str().unwrap()).unwrap();
    assert_eq!(owner.role_arn, "arn:aws:iam::123456789012:role/fedmock-authenticated");
    assert!(
        owner
            .assumed_role_arn()
            .starts_with("arn:aws:sts::123456789012:assumed-role/fedmock-authenticated/"),
        "{}",
        owner.assumed_role_arn()
    );
    assert!(
        !owner.assumed_role_arn().ends_with("/CognitoIdentityCredentials"),
        "issued by STS (the SDK's own session name), not the enhanced flow"
    );

    let classic_off = Federation::builder()
        .aws(|aws| aws.identity_pools[0].allow_classic_flow = Some(false))
        .start()
        .await
        .unwrap();
    let (access, _) = tokens(&classic_off).await;
    let refused =
        run(&classic_off, &access, Some("arn:aws:iam::123456789012:role/fedmock-authenticated"));
    assert_eq!(refused["code"], "InvalidParameterException");
    assert_eq!(
        refused["message"],
        "Basic (classic) flow is not enabled, please use enhanced flow."
    );
}

pub fn tests() -> Vec<libtest_mimic::Trial> {
    crate::trials!("js_sdk_v2", crate::support::Needs::Node("aws-sdk");
    sync: [];
    async: [
        cognito_identity_credentials_without_a_role_use_the_enhanced_flow,
        cognito_identity_credentials_with_a_role_use_the_basic_flow_through_sts,
    ])
}
