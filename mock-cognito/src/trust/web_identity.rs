//! STS's answers about a web identity token (`AssumeRoleWithWebIdentity`), shared by the
//! endpoint and `fedmock explain`.

use serde_json::{Map, Value};

/// STS's answer to a web identity token that is not a usable JWT (text inferred).
pub(crate) const NOT_A_JWT: &str = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)";
/// STS's answer to an audience its provider does not list.
pub(crate) const INCORRECT_AUDIENCE: &str = "Incorrect token audience";

/// STS's answer to an `iss` no IAM OIDC provider of the account names.
pub(crate) fn no_provider(iss: &str) -> String {
    format!("No OpenIDConnect provider found in your account for {iss}")
}

/// STS's answer to an expired token (date format inferred: epoch seconds).
pub(crate) fn token_expired(now: i64, exp: i64) -> String {
    format!("Token expired: current date/time {now} must be before the expiration date/time {exp}")
}

/// The accepted audience: `azp` if present, else `aud` (string or array).
pub(crate) fn audience(claims: &Map<String, Value>, accepted: &[String]) -> Option<String> {
    let candidates: Vec<&str> = match (claims.get("azp"), claims.get("aud")) {
        (Some(Value::String(azp)), _) => vec![azp.as_str()],
        (None, Some(Value::String(aud))) => vec![aud.as_str()],
        (None, Some(Value::Array(auds))) => auds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    candidates.into_iter().find(|c| accepted.iter().any(|a| a == c)).map(str::to_owned)
}
