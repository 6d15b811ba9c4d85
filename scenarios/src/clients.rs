//! The clients a Cognito/STS step runs through: the AWS SDK for Rust in process, and the AWS
//! SDK for JavaScript v2 and v3, boto3 and the AWS CLI through the driver programs in
//! `scenarios/drivers/` (their manifests pin the versions). Every client speaks real HTTP to the
//! mock with the region and endpoint set the way its SDK documents and no AWS credentials: the
//! four operations are unsigned in every SDK's service model.
//!
//! A driver reads one [`Call`] as JSON on stdin and prints `{"ok": …}`, `{"error": {"type",
//! "message"}}` or `{"failed": …}`. A client whose runtime is missing is skipped with the
//! command that installs it ([`Client::missing`]), never passed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::OnceLock;

use aws_sdk_cognitoidentity::error::ProvideErrorMetadata;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use crate::model::Action;
use crate::target::Endpoints;

/// A client that runs Cognito/STS steps; named in files as on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize)]
pub enum Client {
    /// The AWS SDK for Rust (`aws-sdk-cognitoidentity`, `aws-sdk-sts`), in process.
    #[serde(rename = "rust")]
    Rust,
    /// The AWS SDK for JavaScript v2 (`aws-sdk`), as `AWS.CognitoIdentityCredentials` calls it.
    #[serde(rename = "js-v2")]
    JsV2,
    /// The AWS SDK for JavaScript v3 (`@aws-sdk/client-cognito-identity`, `@aws-sdk/client-sts`).
    #[serde(rename = "js-v3")]
    JsV3,
    /// boto3.
    #[serde(rename = "boto3")]
    Boto3,
    /// The AWS CLI (v1, from PyPI).
    #[serde(rename = "aws-cli")]
    AwsCli,
}

impl Client {
    /// Every client, in report order.
    pub const ALL: [Client; 5] =
        [Client::Rust, Client::JsV2, Client::JsV3, Client::Boto3, Client::AwsCli];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Client::Rust => "rust",
            Client::JsV2 => "js-v2",
            Client::JsV3 => "js-v3",
            Client::Boto3 => "boto3",
            Client::AwsCli => "aws-cli",
        }
    }

    /// The client called `name`.
    pub fn from_name(name: &str) -> Option<Client> {
        Client::ALL.into_iter().find(|c| c.name() == name)
    }

    /// `None` when the client can run here; otherwise the command that installs it. Checked
    /// once per process, and only for clients asked for (a check starts the runtime).
    pub fn missing(self) -> Option<String> {
        static CHECKS: [OnceLock<Option<String>>; 5] = [const { OnceLock::new() }; 5];
        let index = Client::ALL.iter().position(|c| *c == self).unwrap_or(0);
        CHECKS[index].get_or_init(|| check(self)).clone()
    }

    /// Runs one call.
    pub async fn call(self, endpoints: &Endpoints, action: Action, call: &Call) -> Outcome {
        match (self, action) {
            // The JavaScript SDKs have a Cognito credential provider of their own.
            (Client::JsV2 | Client::JsV3, Action::Credentials) => {
                drive(self, endpoints, action, call).await
            }
            (_, Action::Credentials) => self.credentials_in_steps(endpoints, call).await,
            _ => self.call_one(endpoints, action, call).await,
        }
    }

    async fn call_one(self, endpoints: &Endpoints, action: Action, call: &Call) -> Outcome {
        match self {
            Client::Rust => rust(endpoints, action, call).await,
            external => drive(external, endpoints, action, call).await,
        }
    }

    /// What a credential provider does, one call after the other: the enhanced flow, or with
    /// a role the basic flow.
    async fn credentials_in_steps(self, endpoints: &Endpoints, call: &Call) -> Outcome {
        let identity = match self.call_one(endpoints, Action::GetId, call).await {
            Outcome::Ok(answer) => answer["identity_id"].as_str().unwrap_or_default().to_owned(),
            refused => return refused,
        };
        let call = Call { identity: Some(identity.clone()), ..call.clone() };
        let outcome = match &call.role_arn {
            None => self.call_one(endpoints, Action::GetCredentials, &call).await,
            Some(_) => {
                let token = match self.call_one(endpoints, Action::GetOpenIdToken, &call).await {
                    Outcome::Ok(answer) => answer["token"].as_str().map(str::to_owned),
                    refused => return refused,
                };
                let call = Call { web_identity_token: token, ..call };
                self.call_one(endpoints, Action::AssumeRole, &call).await
            }
        };
        match outcome {
            Outcome::Ok(mut answer) => {
                answer["identity_id"] = json!(identity);
                Outcome::Ok(answer)
            }
            other => other,
        }
    }
}

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

fn check(client: Client) -> Option<String> {
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

/// A Cognito/STS call, with references already filled in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Call {
    /// The identity pool.
    pub pool: String,
    /// The `Logins` map.
    pub logins: BTreeMap<String, String>,
    /// The identity.
    pub identity: Option<String>,
    /// `CustomRoleArn`.
    pub custom_role_arn: Option<String>,
    /// STS: the role.
    pub role_arn: Option<String>,
    /// STS: the token.
    pub web_identity_token: Option<String>,
    /// STS: the session name.
    pub session_name: String,
}

/// What a call ended with.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Success, with the results later steps may refer to.
    Ok(Value),
    /// An AWS error answer.
    Refused {
        /// The error type.
        kind: String,
        /// Its message.
        message: String,
    },
    /// The client could not run the call (no answer, a bad step, a missing runtime).
    Failed(String),
}

fn refused<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    err: aws_sdk_cognitoidentity::error::SdkError<E, R>,
) -> Outcome {
    match err {
        aws_sdk_cognitoidentity::error::SdkError::ServiceError(e) => Outcome::Refused {
            kind: e.err().code().unwrap_or_default().to_owned(),
            message: e.err().message().unwrap_or_default().to_owned(),
        },
        other => Outcome::Failed(format!("{other:?}")),
    }
}

async fn rust(endpoints: &Endpoints, action: Action, call: &Call) -> Outcome {
    let cognito = &endpoints.cognito;
    let logins = (!call.logins.is_empty()).then(|| call.logins.clone().into_iter().collect());
    match action {
        Action::GetId => {
            match cognito.get_id().identity_pool_id(&call.pool).set_logins(logins).send().await {
                Ok(out) => Outcome::Ok(json!({"identity_id": out.identity_id()})),
                Err(err) => refused(err),
            }
        }
        Action::GetCredentials => {
            let result = cognito
                .get_credentials_for_identity()
                .set_identity_id(call.identity.clone())
                .set_logins(logins)
                .set_custom_role_arn(call.custom_role_arn.clone())
                .send()
                .await;
            match result {
                Ok(out) => {
                    let creds = out.credentials();
                    Outcome::Ok(json!({
                        "identity_id": out.identity_id(),
                        "access_key_id": creds.and_then(|c| c.access_key_id()),
                        "secret_access_key": creds.and_then(|c| c.secret_key()),
                        "session_token": creds.and_then(|c| c.session_token()),
                    }))
                }
                Err(err) => refused(err),
            }
        }
        Action::GetOpenIdToken => {
            match cognito
                .get_open_id_token()
                .set_identity_id(call.identity.clone())
                .set_logins(logins)
                .send()
                .await
            {
                Ok(out) => {
                    Outcome::Ok(json!({"identity_id": out.identity_id(), "token": out.token()}))
                }
                Err(err) => refused(err),
            }
        }
        Action::AssumeRole => {
            let result = endpoints
                .sts
                .assume_role_with_web_identity()
                .set_role_arn(call.role_arn.clone())
                .role_session_name(&call.session_name)
                .set_web_identity_token(call.web_identity_token.clone())
                .send()
                .await;
            match result {
                Ok(out) => Outcome::Ok(json!({
                    "access_key_id": out.credentials().map(|c| c.access_key_id()),
                    "secret_access_key": out.credentials().map(|c| c.secret_access_key()),
                    "session_token": out.credentials().map(|c| c.session_token()),
                    "subject": out.subject_from_web_identity_token(),
                    "audience": out.audience(),
                    "provider": out.provider(),
                })),
                Err(err) => refused(err),
            }
        }
        other => Outcome::Failed(format!("{other:?} is not a client call")),
    }
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
async fn drive(client: Client, endpoints: &Endpoints, action: Action, call: &Call) -> Outcome {
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
        Client::Rust => unreachable!("the Rust client runs in process"),
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
