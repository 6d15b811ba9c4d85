//! STS and IAM over the AWS Query protocol: form bodies (`Action=…&Version=…`) on the same
//! `POST /` as Cognito Identity, answered in XML (docs/reference/cognito.md §3.3, §5). The
//! AWS SDK for JavaScript v2's basic flow sends STS there, and `aws iam … --endpoint-url`
//! scripts send IAM.
//!
//! This file parses the form, authenticates what must be signed and routes the `Action` to
//! `iam.rs` (every IAM action, signed for `us-east-1`) or `sts.rs`; errors go to the wire
//! through [`Refusal`] in the service's namespace.

mod iam;
mod sts;

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::error::{AwsError, Protocol};
use crate::observe::{Observed, Service};
use crate::state::CognitoState;
use crate::texts;
use crate::trust::permissions;
use crate::trust::sigv4::SignedRequest;
use crate::xml::xml_response;

/// STS's XML namespace.
pub(crate) const STS: Protocol =
    Protocol::Query { namespace: "https://sts.amazonaws.com/doc/2011-06-15/" };
/// IAM's XML namespace.
const IAM: Protocol = Protocol::Query { namespace: "https://iam.amazonaws.com/doc/2010-05-08/" };

/// A Query request's parameters.
pub(crate) type Params = HashMap<String, String>;

/// Handles one Query-protocol request: IAM's actions, else STS's.
pub async fn dispatch(state: &CognitoState, request: SignedRequest<'_>) -> Response {
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(request.body) else {
        return texts::MALFORMED_QUERY.error().in_protocol(STS).into_response();
    };
    let params: Params = pairs.into_iter().collect();
    let action = params.get("Action").map(String::as_str);
    if let Some(action) = action.filter(|a| iam::ACTIONS.contains(a)) {
        let result = state
            .authenticate(request, "iam")
            .and_then(|caller| {
                let resource = iam::resource(state, action, &params);
                permissions::authorize(caller.session(), &format!("iam:{action}"), &resource)
            })
            .and_then(|()| iam::handle(state, action, &params));
        return answer(state, &request, result, IAM, action);
    }
    let result = match action {
        Some("AssumeRoleWithWebIdentity") => {
            sts::assume_role_with_web_identity(state, &params).await
        }
        Some("GetCallerIdentity") => match state.authenticate(request, "sts") {
            Ok(caller) => Ok(sts::caller_identity(state, &caller)),
            Err(err) => Err(err),
        },
        Some(other) => {
            Err(texts::INVALID_ACTION.with(&[("action", &other), ("version", &"2011-06-15")]))
        }
        None => Err(texts::MISSING_ACTION.error()),
    };
    answer(state, &request, result, STS, action.unwrap_or(""))
}

/// The XML answer, or the refusal (logged with what was compared and checked).
fn answer(
    state: &CognitoState,
    request: &SignedRequest<'_>,
    result: Result<String, AwsError>,
    protocol: Protocol,
    action: &str,
) -> Response {
    state.observe(Observed {
        service: if protocol == IAM { Service::Iam } else { Service::Sts },
        action,
        headers: request.headers,
        body: request.body,
        refusal: result.as_ref().err(),
    });
    match result {
        Ok(xml) => xml_response(StatusCode::OK, xml),
        Err(err) => {
            tracing::info!(
                action,
                code = err.kind.as_str(),
                message = %crate::error::printable(&err.message),
                why = err.detail.as_deref().unwrap_or(""),
                checks = %err.checks.as_deref().unwrap_or(""),
                "request refused"
            );
            err.in_protocol(protocol).into_response()
        }
    }
}
