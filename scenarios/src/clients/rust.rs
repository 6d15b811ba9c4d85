//! The AWS SDK for Rust, in process: the client every scenario can run through.

use aws_sdk_cognitoidentity::error::ProvideErrorMetadata;
use serde_json::json;

use super::{Call, Endpoints, Outcome};
use crate::model::Action;

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

pub(super) async fn call(endpoints: &Endpoints, action: Action, call: &Call) -> Outcome {
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
                .set_duration_seconds(call.duration_seconds.and_then(|d| i32::try_from(d).ok()))
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
