//! The clients a Cognito/STS step runs through. Built in: the AWS SDK for Rust. The
//! JavaScript (v2, v3), boto3 and AWS CLI drivers come next (issue 5); each will speak the
//! same [`Call`] → [`Outcome`] contract.

use std::collections::BTreeMap;

use aws_sdk_cognitoidentity::error::ProvideErrorMetadata;
use harness::Federation;
use serde_json::{Value, json};

use crate::model::Action;

/// A client that runs Cognito/STS steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    /// The AWS SDK for Rust (`aws-sdk-cognitoidentity`, `aws-sdk-sts`), in process.
    Rust,
}

impl Client {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Client::Rust => "rust",
        }
    }

    /// Runs one call.
    pub async fn call(self, fed: &Federation, action: Action, call: &Call) -> Outcome {
        match self {
            Client::Rust => rust(fed, action, call).await,
        }
    }
}

/// A Cognito/STS call, with references already filled in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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

async fn rust(fed: &Federation, action: Action, call: &Call) -> Outcome {
    let cognito = fed.cognito_client();
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
                    let key = out.credentials().and_then(|c| c.access_key_id()).unwrap_or_default();
                    Outcome::Ok(json!({"identity_id": out.identity_id(), "access_key_id": key}))
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
            let result = fed
                .sts_client()
                .assume_role_with_web_identity()
                .set_role_arn(call.role_arn.clone())
                .role_session_name(&call.session_name)
                .set_web_identity_token(call.web_identity_token.clone())
                .send()
                .await;
            match result {
                Ok(out) => Outcome::Ok(json!({
                    "access_key_id": out.credentials().map(|c| c.access_key_id()),
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
