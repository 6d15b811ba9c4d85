//! The clients that run as programs of their own: the AWS SDK for JavaScript v2 and v3
//! (`drivers/node/driver.mjs`), boto3 (`drivers/python/driver.py`) and the AWS CLI, each given
//! one call as JSON on stdin (the AWS CLI as arguments) and read back from stdout.

use std::path::PathBuf;
use std::process::Stdio;

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use super::{Call, Client, Endpoints, Outcome};
use crate::model::Action;

/// Where the driver programs live: `FEDMOCK_DRIVERS`, or the source tree's `scenarios/drivers`.
fn drivers() -> PathBuf {
    std::env::var_os("FEDMOCK_DRIVERS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/drivers")))
}

fn runs(program: &str, args: &[&str]) -> bool {
    std::process::Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub(super) fn check(client: Client) -> Option<String> {
    let node = drivers().join("node");
    let npm = format!("(cd {} && npm ci)", node.display());
    let pip = format!(
        "python3 -m pip install -r {}",
        drivers().join("python/requirements.txt").display()
    );
    let ok = match client {
        Client::Rust => true,
        Client::JsV2 => runs("node", &["--version"]) && node.join("node_modules/aws-sdk").is_dir(),
        Client::JsV3 => {
            runs("node", &["--version"])
                && node.join("node_modules/@aws-sdk/client-cognito-identity").is_dir()
        }
        Client::Boto3 => runs("python3", &["-c", "import boto3"]),
        Client::AwsCli => runs("aws", &["--version"]),
    };
    (!ok).then_some(match client {
        Client::JsV2 | Client::JsV3 => npm,
        _ => pip,
    })
}

fn action_name(action: Action) -> Option<&'static str> {
    match action {
        Action::GetId => Some("get_id"),
        Action::GetCredentials => Some("get_credentials"),
        Action::GetOpenIdToken => Some("get_open_id_token"),
        Action::AssumeRole => Some("assume_role"),
        Action::Credentials => Some("credentials"),
        _ => None,
    }
}

/// Runs `call` through an external client's driver program.
pub(super) async fn drive(
    client: Client,
    endpoints: &Endpoints,
    action: Action,
    call: &Call,
) -> Outcome {
    let Some(name) = action_name(action) else {
        return Outcome::Failed(format!("{action:?} is not a client call"));
    };
    let endpoint = endpoints.url.clone();
    let region = endpoints.region.as_str();
    let (mut command, input) = match client {
        Client::JsV2 | Client::JsV3 => {
            let mut command = tokio::process::Command::new("node");
            command.arg(drivers().join("node/driver.mjs"));
            let sdk = if client == Client::JsV2 { "v2" } else { "v3" };
            (command, Some(request(call, &endpoint, region, name, Some(sdk))))
        }
        Client::Boto3 => {
            let mut command = tokio::process::Command::new("python3");
            command.arg(drivers().join("python/driver.py"));
            (command, Some(request(call, &endpoint, region, name, None)))
        }
        Client::AwsCli => {
            let mut command = tokio::process::Command::new("aws");
            command.args(aws_cli_args(action, call)).args([
                "--endpoint-url",
                &endpoint,
                "--region",
                region,
                "--no-sign-request",
                "--output",
                "json",
            ]);
            (command, None)
        }
        Client::Rust => return Outcome::Failed("the Rust client runs in process".to_owned()),
    };
    // What an application on a developer's machine or a CI runner would not have: credentials
    // or a profile that changes the call, and the instance metadata lookup that stalls without
    // an EC2 host.
    for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"] {
        command.env_remove(var);
    }
    command
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(err) => return Outcome::Failed(format!("{} did not start: {err}", client.name())),
    };
    // The AWS CLI reads nothing: its stdin closes here too.
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take())
        && let Err(err) = stdin.write_all(input.to_string().as_bytes()).await
    {
        return Outcome::Failed(format!("{}: {err}", client.name()));
    }
    let output = match child.wait_with_output().await {
        Ok(output) => output,
        Err(err) => return Outcome::Failed(format!("{}: {err}", client.name())),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if client == Client::AwsCli {
        return aws_cli_outcome(action, output.status.success(), &stdout, &stderr);
    }
    match serde_json::from_str::<Value>(&stdout) {
        Ok(answer) => driver_outcome(answer),
        Err(_) => {
            Outcome::Failed(format!("{} printed no answer: {}", client.name(), stderr.trim()))
        }
    }
}

/// A driver's stdin: the call's fields, the endpoint, the region, the action (and the SDK).
fn request(call: &Call, endpoint: &str, region: &str, action: &str, sdk: Option<&str>) -> Value {
    let mut input = serde_json::to_value(call).unwrap_or_default();
    input["endpoint"] = json!(endpoint);
    input["region"] = json!(region);
    input["action"] = json!(action);
    if let Some(sdk) = sdk {
        input["sdk"] = json!(sdk);
    }
    input
}

fn driver_outcome(answer: Value) -> Outcome {
    if let Some(ok) = answer.get("ok") {
        return Outcome::Ok(ok.clone());
    }
    if let Some(error) = answer.get("error") {
        let text = |k: &str| error[k].as_str().unwrap_or_default().to_owned();
        return Outcome::Refused { kind: text("type"), message: text("message") };
    }
    if let Some(why) = answer.get("client_refused").and_then(Value::as_str) {
        return Outcome::ClientRefused(why.to_owned());
    }
    Outcome::Failed(answer["failed"].as_str().unwrap_or("no answer").to_owned())
}

fn aws_cli_args(action: Action, call: &Call) -> Vec<String> {
    let mut args: Vec<String> = Vec::new();
    let mut opt = |flag: &str, value: Option<&String>| {
        if let Some(value) = value {
            args.extend([flag.to_owned(), value.clone()]);
        }
    };
    let logins = (!call.logins.is_empty()).then(|| json!(call.logins).to_string());
    match action {
        Action::GetId => {
            opt("--identity-pool-id", Some(&call.pool));
            opt("--logins", logins.as_ref());
            [vec!["cognito-identity".to_owned(), "get-id".to_owned()], args].concat()
        }
        Action::GetCredentials => {
            opt("--identity-id", call.identity.as_ref());
            opt("--logins", logins.as_ref());
            opt("--custom-role-arn", call.custom_role_arn.as_ref());
            [vec!["cognito-identity".into(), "get-credentials-for-identity".into()], args].concat()
        }
        Action::GetOpenIdToken => {
            opt("--identity-id", call.identity.as_ref());
            opt("--logins", logins.as_ref());
            [vec!["cognito-identity".into(), "get-open-id-token".into()], args].concat()
        }
        _ => {
            opt("--role-arn", call.role_arn.as_ref());
            opt("--role-session-name", Some(&call.session_name));
            opt("--duration-seconds", call.duration_seconds.map(|d| d.to_string()).as_ref());
            opt("--web-identity-token", call.web_identity_token.as_ref());
            [vec!["sts".into(), "assume-role-with-web-identity".into()], args].concat()
        }
    }
}

/// The AWS CLI prints the answer as JSON, or on stderr
/// `An error occurred (Type) when calling the Op operation: message`.
fn aws_cli_outcome(action: Action, success: bool, stdout: &str, stderr: &str) -> Outcome {
    if !success {
        let error = stderr.trim();
        if let Some((_, rest)) = error.split_once("An error occurred (")
            && let Some((kind, rest)) = rest.split_once(')')
        {
            let message = rest.split_once(": ").map(|(_, m)| m).unwrap_or_default();
            return Outcome::Refused { kind: kind.to_owned(), message: message.to_owned() };
        }
        // botocore's validation, before anything is sent.
        if error.starts_with("Parameter validation failed") {
            return Outcome::ClientRefused(format!("aws-cli: {}", error.replace('\n', " ")));
        }
        return Outcome::Failed(format!("aws-cli: {error}"));
    }
    let Ok(out) = serde_json::from_str::<Value>(stdout) else {
        return Outcome::Failed(format!("aws-cli printed no JSON: {}", stdout.trim()));
    };
    Outcome::Ok(match action {
        Action::GetId => json!({"identity_id": out["IdentityId"]}),
        Action::GetCredentials => json!({
            "identity_id": out["IdentityId"],
            "access_key_id": out["Credentials"]["AccessKeyId"],
            "secret_access_key": out["Credentials"]["SecretKey"],
            "session_token": out["Credentials"]["SessionToken"],
        }),
        Action::GetOpenIdToken => json!({"identity_id": out["IdentityId"], "token": out["Token"]}),
        _ => json!({
            "access_key_id": out["Credentials"]["AccessKeyId"],
            "secret_access_key": out["Credentials"]["SecretAccessKey"],
            "session_token": out["Credentials"]["SessionToken"],
            "subject": out["SubjectFromWebIdentityToken"],
            "audience": out["Audience"],
            "provider": out["Provider"],
        }),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn the_aws_cli_s_error_line_becomes_type_and_message() {
        let stderr = "\nAn error occurred (NotAuthorizedException) when calling the GetId operation: Invalid login token. Issuer doesn't match providerName\n";
        assert_eq!(
            aws_cli_outcome(Action::GetId, false, "", stderr),
            Outcome::Refused {
                kind: "NotAuthorizedException".into(),
                message: "Invalid login token. Issuer doesn't match providerName".into(),
            }
        );
        let usage = "aws: error: argument --identity-pool-id is required";
        assert!(matches!(aws_cli_outcome(Action::GetId, false, "", usage), Outcome::Failed(_)));
        let ok = aws_cli_outcome(Action::GetId, true, r#"{"IdentityId": "us-east-1:abc"}"#, "");
        assert_eq!(ok, Outcome::Ok(json!({"identity_id": "us-east-1:abc"})));
    }

    #[test]
    fn a_driver_s_answer_is_ok_refused_or_failed_never_guessed() {
        assert_eq!(
            driver_outcome(json!({"ok": {"identity_id": "x"}})),
            Outcome::Ok(json!({"identity_id": "x"}))
        );
        assert_eq!(
            driver_outcome(json!({"error": {"type": "ResourceNotFoundException", "message": "m"}})),
            Outcome::Refused { kind: "ResourceNotFoundException".into(), message: "m".into() }
        );
        assert_eq!(
            driver_outcome(json!({"failed": "ECONNREFUSED"})),
            Outcome::Failed("ECONNREFUSED".into())
        );
        assert!(matches!(driver_outcome(json!({})), Outcome::Failed(_)));
    }

    #[test]
    fn the_aws_cli_gets_the_logins_map_as_json_and_only_the_flags_set() {
        let call = Call {
            pool: "us-east-1:p".into(),
            logins: BTreeMap::from([("okta.example.com/oauth2/default".into(), "t".into())]),
            ..Call::default()
        };
        assert_eq!(
            aws_cli_args(Action::GetId, &call),
            [
                "cognito-identity",
                "get-id",
                "--identity-pool-id",
                "us-east-1:p",
                "--logins",
                r#"{"okta.example.com/oauth2/default":"t"}"#
            ]
        );
    }
}
