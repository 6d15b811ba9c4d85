//! Cognito Identity over AWS JSON 1.1: `POST /` with
//! `X-Amz-Target: AWSCognitoIdentityService.<Operation>`.
//!
//! This file only maps the target to an action function, parses the body into its input type
//! and serialises the output; the actions live beside it: the federation calls
//! (`federation.rs`: GetId, GetCredentialsForIdentity, GetOpenIdToken), role choice
//! (`roles.rs`), pool administration (`pools.rs`), identities (`identities.rs`) and
//! developer-authenticated identities (`developer.rs`).

mod developer;
mod federation;
mod identities;
mod paging;
mod pools;
mod roles;
mod wire;

pub use federation::{GetIdInput, GetIdOutput, get_id};

use std::future::Future;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{AMZ_JSON, AwsError, Protocol};
use crate::observe::{Observed, Service};
use crate::state::CognitoState;
use crate::texts;
use crate::trust::permissions;
use crate::trust::sigv4::SignedRequest;

/// The `X-Amz-Target` prefix of Cognito Identity.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityService.";

/// The header naming the operation, as a constant: looking a header up by `&str` parses and
/// validates the name on every request.
pub(crate) const X_AMZ_TARGET: axum::http::HeaderName =
    axum::http::HeaderName::from_static("x-amz-target");

/// The 23 actions of Cognito Identity (API 2014-06-30), for telling a misspelt target from
/// one fedmock does not serve yet.
const ACTIONS: [&str; 23] = [
    "CreateIdentityPool",
    "DeleteIdentities",
    "DeleteIdentityPool",
    "DescribeIdentity",
    "DescribeIdentityPool",
    "GetCredentialsForIdentity",
    "GetId",
    "GetIdentityPoolRoles",
    "GetOpenIdToken",
    "GetOpenIdTokenForDeveloperIdentity",
    "GetPrincipalTagAttributeMap",
    "ListIdentities",
    "ListIdentityPools",
    "ListTagsForResource",
    "LookupDeveloperIdentity",
    "MergeDeveloperIdentities",
    "SetIdentityPoolRoles",
    "SetPrincipalTagAttributeMap",
    "TagResource",
    "UnlinkDeveloperIdentity",
    "UnlinkIdentity",
    "UntagResource",
    "UpdateIdentityPool",
];

/// The actions AWS serves without a signature (`authtype: none`, docs/reference/cognito.md §1).
const UNSIGNED: [&str; 4] =
    ["GetId", "GetCredentialsForIdentity", "GetOpenIdToken", "UnlinkIdentity"];

/// The resource a signed action is on, as AWS names it in a refusal: the pool's ARN
/// (`arn:aws:cognito-identity:<region>:<account>:identitypool/<id>`), the `ResourceArn` of a tag
/// action, or the pool ARN with no id for actions on no pool (hashicorp/terraform-provider-aws#15773).
fn resource(state: &CognitoState, body: &[u8]) -> String {
    let fields: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(body).unwrap_or_default();
    let field = |name: &str| fields.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    field("ResourceArn").unwrap_or_else(|| {
        format!(
            "arn:aws:cognito-identity:{}:{}:identitypool/{}",
            state.region,
            state.account_id,
            field("IdentityPoolId").unwrap_or_default()
        )
    })
}

/// Handles one JSON 1.1 request.
pub async fn dispatch(
    state: &CognitoState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, String>,
) -> Response {
    let target = headers.get(X_AMZ_TARGET).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let operation = target.strip_prefix(TARGET_PREFIX).unwrap_or_default();
    let result = match &body {
        Err(why) => {
            Err(texts::NOT_JSON.error().with_detail(format!("the body could not be read: {why}")))
        }
        Ok(body) => {
            let needs_signature = ACTIONS.contains(&operation) && !UNSIGNED.contains(&operation);
            let signed = if needs_signature {
                state
                    .authenticate(SignedRequest { method, uri, headers, body }, "cognito-identity")
                    .and_then(|caller| {
                        let Some(session) = caller.session() else { return Ok(()) };
                        let action = format!("cognito-identity:{operation}");
                        permissions::authorize(Some(session), &action, &resource(state, body))
                    })
            } else {
                Ok(())
            };
            match signed {
                Ok(()) => route(state, operation, target, body).await,
                Err(err) => Err(err),
            }
        }
    };
    state.observe(Observed {
        service: Service::CognitoIdentity,
        action: operation,
        headers,
        body: body.as_deref().unwrap_or_default(),
        refusal: result.as_ref().err(),
    });
    let mut response = match result {
        Ok(body) => {
            let mut ok = body.into_response();
            ok.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(AMZ_JSON));
            ok
        }
        Err(err) => {
            tracing::info!(
                operation,
                error_type = err.kind.as_str(),
                message = %crate::error::printable(&err.message),
                why = err.detail.as_deref().unwrap_or(""),
                checks = %err.checks.as_deref().unwrap_or(""),
                "request refused"
            );
            err.in_protocol(Protocol::Json).into_response()
        }
    };
    crate::error::stamp_request_id(response.headers_mut());
    response
}

/// Runs the operation `operation` on `body`.
async fn route(
    state: &CognitoState,
    operation: &str,
    target: &str,
    body: &[u8],
) -> Result<Vec<u8>, AwsError> {
    match operation {
        "GetId" => call(body, |input| federation::get_id(state, input)).await,
        "GetCredentialsForIdentity" => {
            let op = |input| federation::get_credentials_for_identity(state, input);
            call_writing(body, op, |output: &federation::GetCredentialsOutput, answer| {
                output.write_json(answer);
                Ok(())
            })
            .await
        }
        "GetOpenIdToken" => call(body, |input| federation::get_open_id_token(state, input)).await,
        "CreateIdentityPool" => call(body, |input| pools::create(state, input)).await,
        "DescribeIdentityPool" => call(body, |input| pools::describe(state, input)).await,
        "UpdateIdentityPool" => call(body, |input| pools::update(state, input)).await,
        "DeleteIdentityPool" => call(body, |input| pools::delete(state, input)).await,
        "ListIdentityPools" => call(body, |input| pools::list(state, input)).await,
        "SetIdentityPoolRoles" => call(body, |input| pools::set_roles(state, input)).await,
        "GetIdentityPoolRoles" => call(body, |input| pools::get_roles(state, input)).await,
        "TagResource" => call(body, |input| pools::tag(state, input)).await,
        "UntagResource" => call(body, |input| pools::untag(state, input)).await,
        "ListTagsForResource" => call(body, |input| pools::list_tags(state, input)).await,
        "SetPrincipalTagAttributeMap" => {
            call(body, |input| pools::set_principal_tags(state, input)).await
        }
        "GetPrincipalTagAttributeMap" => {
            call(body, |input| pools::get_principal_tags(state, input)).await
        }
        "GetOpenIdTokenForDeveloperIdentity" => {
            call(body, |input| developer::get_token(state, input)).await
        }
        "LookupDeveloperIdentity" => call(body, |input| developer::lookup(state, input)).await,
        "MergeDeveloperIdentities" => call(body, |input| developer::merge(state, input)).await,
        "UnlinkDeveloperIdentity" => call(body, |input| developer::unlink(state, input)).await,
        "DescribeIdentity" => call(body, |input| identities::describe(state, input)).await,
        "ListIdentities" => call(body, |input| identities::list(state, input)).await,
        "DeleteIdentities" => call(body, |input| identities::delete(state, input)).await,
        "UnlinkIdentity" => call(body, |input| identities::unlink(state, input)).await,
        known if ACTIONS.contains(&known) => {
            Err(texts::NOT_SERVED.with(&[("action", &format!("{TARGET_PREFIX}{known}"))]))
        }
        _ => Err(texts::UNKNOWN_OPERATION.error().with_detail(format!("X-Amz-Target {target:?}"))),
    }
}

/// Parses `body` as `I`, runs `op`, serialises its output compactly (as AWS does).
async fn call<I, O, F, Fut>(body: &[u8], op: F) -> Result<Vec<u8>, AwsError>
where
    I: DeserializeOwned,
    O: Serialize,
    F: FnOnce(I) -> Fut,
    Fut: Future<Output = Result<O, AwsError>>,
{
    call_writing(body, op, |output: &O, answer| serde_json::to_writer(answer, output)).await
}

/// [`call`], the output written by `write`.
async fn call_writing<I, O, F, Fut>(
    body: &[u8],
    op: F,
    write: impl FnOnce(&O, &mut Vec<u8>) -> serde_json::Result<()>,
) -> Result<Vec<u8>, AwsError>
where
    I: DeserializeOwned,
    F: FnOnce(I) -> Fut,
    Fut: Future<Output = Result<O, AwsError>>,
{
    // serde would read a top-level list as the structure's members in order; Coral refuses it.
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(texts::LIST_NOT_EXPECTED.error());
    }
    let input = serde_json::from_slice(body).map_err(|e| serialization_error(&e))?;
    let output = op(input).await?;
    // Sized for the federation answers (credentials are ~1 KB) so writing never regrows.
    let mut answer = Vec::with_capacity(1024);
    write(&output, &mut answer).map_err(|e| {
        texts::NOT_JSON.error().with_detail(format!("the answer did not serialise: {e}"))
    })?;
    Ok(answer)
}

/// Coral's answer to a body that does not fit the operation's shape: no message for a body
/// that is not JSON at all (an empty one included), else what was found where.
fn serialization_error(err: &serde_json::Error) -> AwsError {
    use serde_json::error::Category;
    let text = err.to_string();
    let detail = format!("the body does not fit the operation: {text}");
    if !matches!(err.classify(), Category::Data) {
        return texts::NOT_JSON.error().with_detail(detail);
    }
    // serde_json words a mismatch `invalid type: <found>, expected <wanted> at line …`.
    let mismatch =
        text.strip_prefix("invalid type: ").and_then(|rest| rest.split_once(", expected "));
    let Some((found, wanted)) = mismatch else {
        return texts::NOT_JSON.error().with_detail(detail);
    };
    let wanted = wanted.split(" at line ").next().unwrap_or(wanted);
    let collection = if wanted.contains("sequence") {
        Some("list")
    } else if wanted.contains("map") || wanted.starts_with("struct") {
        Some("map")
    } else {
        None
    };
    let error = match (found, collection) {
        ("sequence", _) => texts::LIST_NOT_EXPECTED.error(),
        ("map", _) => texts::MAP_NOT_EXPECTED.error(),
        (_, Some(collection)) => texts::EXPECTED_COLLECTION.with(&[("collection", &collection)]),
        (found, None) => {
            let value = if found.starts_with("string") {
                "STRING_VALUE"
            } else if found.starts_with("boolean `true`") {
                "TRUE_VALUE"
            } else if found.starts_with("boolean") {
                "FALSE_VALUE"
            } else {
                "NUMBER_VALUE"
            };
            let target = if wanted.contains("string") {
                "a String"
            } else if wanted.contains("bool") {
                "a Boolean"
            } else {
                "an Integer"
            };
            texts::SCALAR_MISMATCH.with(&[("value", &value), ("target", &target)])
        }
    };
    error.with_detail(detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str) -> (String, String) {
        let err = serde_json::from_str::<federation::GetIdInput>(body).unwrap_err();
        let err = serialization_error(&err);
        (err.kind.as_str().to_owned(), err.message)
    }

    #[test]
    fn bodies_that_do_not_fit_get_coral_s_words() {
        let s = |m: &str| ("SerializationException".to_owned(), m.to_owned());
        assert_eq!(answer("hello"), s(""));
        assert_eq!(answer(""), s(""));
        assert_eq!(
            answer(r#"{"IdentityPoolId": ["a"]}"#),
            s("Start of list found where not expected")
        );
        assert_eq!(
            answer(r#"{"IdentityPoolId": {"a": 1}}"#),
            s("Start of structure or map found where not expected.")
        );
        assert_eq!(
            answer(r#"{"IdentityPoolId": 5}"#),
            s("NUMBER_VALUE can not be converted to a String")
        );
        assert_eq!(answer(r#"{"Logins": "x"}"#), s("Expected map or null"));
        assert_eq!(
            answer(r#"{"Logins": {"k": true}}"#),
            s("TRUE_VALUE can not be converted to a String")
        );
    }
}
