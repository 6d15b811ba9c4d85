//! STS on the same endpoint (the AWS SDK for JavaScript v2's basic flow sends it there):
//! the Query protocol (`Action=…` form bodies) answered in XML (cognito.md §3.3).
//!
//! `AssumeRoleWithWebIdentity` takes a Cognito OpenID token (issuer
//! `https://cognito-identity.amazonaws.com`, checked with this endpoint's own key) or an OIDC
//! token of an IAM OIDC provider whose URL equals its `iss` (keys by discovery, `aud`/`azp`
//! against the client IDs, `exp` with five minutes' grace), then evaluates the role's trust
//! policy. Messages are AWS's where observed; the others are marked inferred.

use std::collections::HashMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::credentials::Owner;
use crate::openid::COGNITO_ISSUER;
use crate::policy;
use crate::sigv4::SignedRequest;
use crate::state::CognitoState;
use crate::validate::Violations;
use crate::verify::{self, EXPIRY_GRACE_SECS, TokenRejection};

/// STS's XML namespace.
const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// An STS error answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct StsError {
    status: StatusCode,
    /// The error `Code`.
    pub code: &'static str,
    /// The error `Message`.
    pub message: String,
    /// Why, for the log.
    pub detail: Option<String>,
}

impl StsError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), detail: None }
    }

    fn invalid_token(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidIdentityToken", message)
    }

    fn access_denied() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Not authorized to perform sts:AssumeRoleWithWebIdentity",
        )
    }

    fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

pub(crate) fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn xml_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    response
}

impl IntoResponse for StsError {
    fn into_response(self) -> Response {
        let request_id = uuid::Uuid::new_v4();
        let body = format!(
            r#"<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"#,
            self.code,
            xml_escape(&self.message)
        );
        xml_response(self.status, body)
    }
}

/// Handles one Query-protocol request: IAM's actions, else STS's.
pub async fn dispatch(state: &CognitoState, request: SignedRequest<'_>) -> Response {
    let params: HashMap<String, String> =
        match serde_urlencoded::from_bytes::<Vec<(String, String)>>(request.body) {
            Ok(pairs) => pairs.into_iter().collect(),
            Err(_) => {
                return StsError::new(
                    StatusCode::BAD_REQUEST,
                    "MalformedQueryString",
                    "The query string is malformed.",
                )
                .into_response();
            }
        };
    if let Some(action) = params.get("Action").filter(|a| crate::iam::ACTIONS.contains(&a.as_str()))
    {
        if let Err(err) = state.authenticate(request, "iam") {
            return query_auth_error(&err).into_response();
        }
        return match crate::iam::handle(state, action, &params) {
            Ok(xml) => xml_response(StatusCode::OK, xml),
            Err(err) => {
                let (status, body) = err.to_xml();
                tracing::info!(action, %status, "IAM request refused");
                xml_response(status, body)
            }
        };
    }
    let result = match params.get("Action").map(String::as_str) {
        Some("AssumeRoleWithWebIdentity") => assume_role_with_web_identity(state, &params).await,
        Some("GetCallerIdentity") => match state.authenticate(request, "sts") {
            Ok(caller) => Ok(caller_identity(state, caller.as_deref())),
            Err(err) => Err(query_auth_error(&err)),
        },
        Some(other) => Err(StsError::new(
            StatusCode::BAD_REQUEST,
            "InvalidAction",
            format!("Could not find operation {other} for version 2011-06-15"),
        )),
        None => Err(StsError::new(StatusCode::BAD_REQUEST, "MissingAction", "Missing Action")),
    };
    match result {
        Ok(xml) => xml_response(StatusCode::OK, xml),
        Err(err) => {
            tracing::info!(code = err.code, message = %err.message, why = err.detail.as_deref().unwrap_or(""), "STS request refused");
            err.into_response()
        }
    }
}

/// Signature failures in the Query protocol's words (IAM and STS).
fn query_auth_error(err: &crate::AwsError) -> StsError {
    use crate::ErrorType as T;
    let (status, code, message) = match err.kind {
        T::MissingAuthenticationToken => (
            StatusCode::FORBIDDEN,
            "MissingAuthenticationToken",
            "Request is missing Authentication Token".to_owned(),
        ),
        T::InvalidSignature => {
            (StatusCode::FORBIDDEN, "SignatureDoesNotMatch", err.message.clone())
        }
        T::UnrecognizedClient => {
            (StatusCode::FORBIDDEN, "InvalidClientTokenId", err.message.clone())
        }
        _ => (StatusCode::BAD_REQUEST, "IncompleteSignature", err.message.clone()),
    };
    StsError::new(status, code, message)
}

/// `GetCallerIdentity` for the signer: temporary credentials this endpoint issued answer as
/// their assumed role; developer keys as an IAM user of the account.
fn caller_identity(state: &CognitoState, access_key: Option<&str>) -> String {
    let (arn, user_id) = match access_key.and_then(|k| state.credentials_owner(k)) {
        Some(owner) => (
            owner.assumed_role_arn.clone(),
            format!("{}:{}", role_id(&owner.role_arn), owner.session_name),
        ),
        None => (
            format!("arn:aws:iam::{}:user/fedmock-developer", state.account_id),
            "AIDAFEDMOCKDEVELOPER0".to_owned(),
        ),
    };
    format!(
        r#"<GetCallerIdentityResponse xmlns="{NAMESPACE}"><GetCallerIdentityResult><Arn>{}</Arn><UserId>{}</UserId><Account>{}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#,
        xml_escape(&arn),
        xml_escape(&user_id),
        state.account_id,
        uuid::Uuid::new_v4()
    )
}

/// Who the token says the caller is, in trust-policy terms.
struct Federation {
    principal: policy::Request,
    subject: String,
    provider: String,
    audience: String,
}

async fn assume_role_with_web_identity(
    state: &CognitoState,
    params: &HashMap<String, String>,
) -> Result<String, StsError> {
    let get = |name: &str| params.get(name).map(String::as_str);
    let mut v = Violations::default();
    v.string("roleArn", get("RoleArn"), (20, 2048), None, true);
    let session_name_ok =
        |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    v.string(
        "roleSessionName",
        get("RoleSessionName"),
        (2, 64),
        Some(crate::validate::Pattern::new(session_name_ok, r"[\w+=,.@-]*")),
        true,
    );
    v.string("webIdentityToken", get("WebIdentityToken"), (4, 20_000), None, true);
    v.finish().map_err(|e| StsError::new(StatusCode::BAD_REQUEST, "ValidationError", e.message))?;
    let duration = match get("DurationSeconds") {
        None => 3600,
        Some(text) => match text.parse::<i64>() {
            Ok(d) if (900..=43_200).contains(&d) => d,
            _ => {
                return Err(StsError::new(
                    StatusCode::BAD_REQUEST,
                    "ValidationError",
                    format!(
                        "1 validation error detected: Value '{text}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
                    ),
                ));
            }
        },
    };
    let (role_arn, session, token) = (
        get("RoleArn").unwrap(),
        get("RoleSessionName").unwrap(),
        get("WebIdentityToken").unwrap(),
    );
    let federation = identify(state, token).await?;
    let role = state
        .role(role_arn)
        .ok_or_else(|| StsError::access_denied().with_detail(format!("no role {role_arn}")))?;
    if duration > role.max_session_duration_secs {
        return Err(StsError::new(
            StatusCode::BAD_REQUEST,
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    if !policy::allows(&role.trust_policy, &federation.principal) {
        return Err(StsError::access_denied().with_detail(format!(
            "the trust policy of {role_arn} does not allow Federated {:?} with {:?}",
            federation.principal.federated, federation.principal.keys
        )));
    }
    let assumed_role_arn =
        format!("arn:aws:sts::{}:assumed-role/{}/{session}", state.account_id, role.name);
    let expiration = state.clock.now() + duration;
    let issued = state.credentials.issue(Owner {
        role_arn: role.arn.clone(),
        assumed_role_arn: assumed_role_arn.clone(),
        subject: federation.subject.clone(),
        session_name: session.to_owned(),
        expiration,
    });
    let e = xml_escape;
    Ok(format!(
        r#"<AssumeRoleWithWebIdentityResponse xmlns="{NAMESPACE}"><AssumeRoleWithWebIdentityResult><Audience>{}</Audience><AssumedRoleUser><Arn>{}</Arn><AssumedRoleId>{}:{}</AssumedRoleId></AssumedRoleUser><Provider>{}</Provider><Credentials><AccessKeyId>{}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey><SessionToken>{}</SessionToken><Expiration>{}</Expiration></Credentials><SubjectFromWebIdentityToken>{}</SubjectFromWebIdentityToken></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>"#,
        e(&federation.audience),
        e(&assumed_role_arn),
        role_id(&role.arn),
        e(session),
        e(&federation.provider),
        issued.access_key_id,
        e(&issued.secret_key),
        e(&issued.session_token),
        iso8601(expiration),
        e(&federation.subject),
        uuid::Uuid::new_v4(),
    ))
}

/// Validates the token and says who it federates.
async fn identify(state: &CognitoState, token: &str) -> Result<Federation, StsError> {
    // Text inferred; STS says the token is not a usable JWT.
    let not_jwt = || {
        StsError::invalid_token(
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
        )
    };
    let jwt = verify::parse(token).map_err(|_| not_jwt())?;
    let claim = |name: &str| jwt.claims.get(name).and_then(Value::as_str).map(str::to_owned);
    let iss = claim("iss").ok_or_else(not_jwt)?;
    let now = state.clock.now();
    let (federated, name, audience) = if iss == COGNITO_ISSUER {
        let key = state.cognito_key.get(&state.region).await;
        if key.verify(token).is_none() {
            return Err(StsError::invalid_token("The token signature could not be verified.")
                .with_detail("not signed by this endpoint's Cognito key (inferred text)"));
        }
        (
            "cognito-identity.amazonaws.com".to_owned(),
            "cognito-identity.amazonaws.com".to_owned(),
            claim("aud").unwrap_or_default(),
        )
    } else {
        let provider = state.providers().into_iter().find(|p| p.url == iss).ok_or_else(|| {
            StsError::invalid_token(format!(
                "No OpenIDConnect provider found in your account for {iss}"
            ))
        })?;
        verify::verify_signature(&state.jwks, &iss, &jwt).await.map_err(|rejection| match rejection {
            TokenRejection::KeysUnavailable { reason } => StsError::invalid_token(
                "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
            )
            .with_detail(reason),
            other => StsError::invalid_token("The token signature could not be verified.").with_detail(other.explain()),
        })?;
        let audience = audience(&jwt.claims, &provider.client_ids).ok_or_else(|| {
            StsError::invalid_token("Incorrect token audience")
                .with_detail(format!("the provider accepts {:?}", provider.client_ids))
        })?;
        (provider.arn.clone(), provider.name.clone(), audience)
    };
    let exp = jwt.claims.get("exp").and_then(Value::as_i64).ok_or_else(not_jwt)?;
    if now >= exp + EXPIRY_GRACE_SECS {
        // Date format inferred (epoch seconds).
        return Err(StsError::new(
            StatusCode::BAD_REQUEST,
            "ExpiredTokenException",
            format!(
                "Token expired: current date/time {now} must be before the expiration date/time {exp}"
            ),
        ));
    }
    let subject = claim("sub").ok_or_else(not_jwt)?;
    let amr: Vec<String> = match jwt.claims.get("amr") {
        Some(Value::Array(items)) => {
            items.iter().filter_map(Value::as_str).map(str::to_owned).collect()
        }
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let mut principal = policy::Request::new(federated)
        .key(&format!("{name}:aud"), [audience.clone()])
        .key(&format!("{name}:sub"), [subject.clone()])
        .key(&format!("{name}:amr"), amr);
    if let Some(azp) = claim("azp") {
        principal = principal.key(&format!("{name}:azp"), [azp]);
    }
    let provider =
        if iss == COGNITO_ISSUER { "cognito-identity.amazonaws.com".to_owned() } else { iss };
    Ok(Federation { principal, subject, provider, audience })
}

/// The accepted audience: `azp` if present, else `aud` (string or array).
fn audience(claims: &Map<String, Value>, accepted: &[String]) -> Option<String> {
    let candidates: Vec<&str> = match (claims.get("azp"), claims.get("aud")) {
        (Some(Value::String(azp)), _) => vec![azp.as_str()],
        (None, Some(Value::String(aud))) => vec![aud.as_str()],
        (None, Some(Value::Array(auds))) => auds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    candidates.into_iter().find(|c| accepted.iter().any(|a| a == c)).map(str::to_owned)
}

/// A stable `AROA…` role id for a role ARN.
pub(crate) fn role_id(arn: &str) -> String {
    const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, arn.as_bytes());
    "AROA"
        .chars()
        .chain(digest.as_ref()[..17].iter().map(|b| BASE32[usize::from(b % 32)] as char))
        .collect()
}

/// Epoch seconds as ISO 8601 UTC, `2026-11-26T07:00:00Z`.
pub fn iso8601(epoch: i64) -> String {
    let (days, secs) = (epoch.div_euclid(86_400), epoch.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_matches_known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_414_191_623), "2014-10-24T23:00:23Z", "the STS model's example");
        assert_eq!(iso8601(1_709_251_199), "2024-02-29T23:59:59Z");
    }

    #[test]
    fn role_ids_are_stable_and_shaped_like_aws() {
        let id = role_id("arn:aws:iam::123456789012:role/r");
        assert_eq!(id.len(), 21);
        assert!(id.starts_with("AROA"));
        assert_eq!(id, role_id("arn:aws:iam::123456789012:role/r"));
    }
}
