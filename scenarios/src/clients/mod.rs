//! The clients a Cognito/STS step runs through: the AWS SDK for Rust in process, and the AWS
//! SDK for JavaScript v2 and v3, boto3 and the AWS CLI through the driver programs in
//! `scenarios/drivers/` (their manifests pin the versions). Every client speaks real HTTP to the
//! mock with the region and endpoint set the way its SDK documents and no AWS credentials: the
//! four operations are unsigned in every SDK's service model.
//!
//! A driver reads one [`Call`] as JSON on stdin and prints `{"ok": …}`, `{"error": {"type",
//! "message"}}` or `{"failed": …}`. A client whose runtime is missing is skipped with the
//! command that installs it ([`Client::missing`]), never passed.

#[cfg(feature = "run")]
mod drivers;
#[cfg(feature = "run")]
mod rust;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
#[cfg(feature = "run")]
use serde_json::json;

#[cfg(feature = "run")]
use crate::model::Action;
pub use crate::model::Client;

#[cfg(feature = "run")]
impl Client {
    /// `None` when the client can run here; otherwise the command that installs it. Checked
    /// once per process, and only for clients asked for (a check starts the runtime).
    pub fn missing(self) -> Option<String> {
        use std::sync::OnceLock;
        static CHECKS: [OnceLock<Option<String>>; 5] = [const { OnceLock::new() }; 5];
        let index = Client::ALL.iter().position(|c| *c == self).unwrap_or(0);
        CHECKS[index].get_or_init(|| drivers::check(self)).clone()
    }

    /// Runs one call.
    pub async fn call(self, endpoints: &Endpoints, action: Action, call: &Call) -> Outcome {
        match (self, action) {
            // The JavaScript SDKs have a Cognito credential provider of their own.
            (Client::JsV2 | Client::JsV3, Action::Credentials) => {
                drivers::drive(self, endpoints, action, call).await
            }
            (_, Action::Credentials) => self.credentials_in_steps(endpoints, call).await,
            _ => self.call_one(endpoints, action, call).await,
        }
    }

    async fn call_one(self, endpoints: &Endpoints, action: Action, call: &Call) -> Outcome {
        match self {
            Client::Rust => rust::call(endpoints, action, call).await,
            external => drivers::drive(external, endpoints, action, call).await,
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
    /// STS: `DurationSeconds`.
    pub duration_seconds: Option<i64>,
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
    /// The client refused the parameters itself, before sending anything (botocore's and the
    /// AWS CLI's parameter validation): what its users see where AWS would answer a
    /// validation error.
    ClientRefused(String),
    /// The client could not run the call (no answer, a bad step, a missing runtime).
    Failed(String),
}

/// Where Cognito/STS calls go, for every client.
#[cfg(feature = "run")]
#[derive(Clone, Debug)]
pub struct Endpoints {
    /// The AWS SDK for Rust's Cognito Identity client.
    pub cognito: aws_sdk_cognitoidentity::Client,
    /// The AWS SDK for Rust's STS client.
    pub sts: aws_sdk_sts::Client,
    /// The endpoint URL every client is given.
    pub url: String,
    /// The region every client is given.
    pub region: String,
}

#[cfg(feature = "run")]
impl Endpoints {
    /// Where `fed`'s clients send Cognito/STS calls: the SDK's documented way to point it at
    /// an endpoint, with no credentials (the federation operations are unsigned).
    pub fn of(fed: &harness::Federation) -> Self {
        let config = fed.sdk_config();
        Self {
            cognito: aws_sdk_cognitoidentity::Client::new(&config),
            sts: aws_sdk_sts::Client::new(&config),
            url: fed.cognito_endpoint().to_owned(),
            region: fed.region().to_owned(),
        }
    }
}
