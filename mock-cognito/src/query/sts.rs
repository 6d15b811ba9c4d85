//! STS on the same endpoint (the AWS SDK for JavaScript v2's basic flow sends it there):
//! the Query protocol (`Action=…` form bodies) answered in XML (docs/reference/cognito.md §3.3).
//!
//! `AssumeRoleWithWebIdentity` validates its parameters, then runs STS's checks of the token and
//! the role (`trust::web_identity`: the same checks `fedmock explain --sts` runs), and issues
//! credentials for the role's session. A refusal is logged with the checks made.

use super::Params;
use crate::account::{Owner, credentials};
use crate::clock::iso8601;
use crate::error::AwsError;
use crate::state::{Caller, CognitoState};
use crate::texts;
use crate::trust::explain;
use crate::trust::web_identity::{self, Keys, RoleAsked, WebIdentityCall};
use crate::validate::Violations;
use crate::xml::xml_escape;

/// STS's XML namespace, for its answers.
const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// `GetCallerIdentity` for the signer: temporary credentials this endpoint issued answer as
/// their assumed role; developer keys as an IAM user of the account.
pub(super) fn caller_identity(state: &CognitoState, caller: &Caller) -> String {
    let (arn, user_id) = match caller {
        Caller::Session(owner) => (
            owner.assumed_role_arn(),
            format!("{}:{}", role_id(&owner.role_arn), owner.session_name),
        ),
        Caller::Developer(_) | Caller::Anyone => (
            format!("arn:aws:iam::{}:user/fedmock-developer", state.account_id),
            "AIDAFEDMOCKDEVELOPER0".to_owned(),
        ),
    };
    format!(
        r#"<GetCallerIdentityResponse xmlns="{NAMESPACE}"><GetCallerIdentityResult><Arn>{}</Arn><UserId>{}</UserId><Account>{}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#,
        xml_escape(&arn),
        xml_escape(&user_id),
        state.account_id,
        crate::error::request_id()
    )
}

/// `AssumeRoleWithWebIdentity`: temporary credentials for the role's session.
pub(super) async fn assume_role_with_web_identity(
    state: &CognitoState,
    params: &Params,
) -> Result<String, AwsError> {
    let owned = |name: &str| params.get(name).cloned();
    let mut v = Violations::default();
    let role_arn = v.required_string("roleArn", owned("RoleArn"), (20, 2048), None);
    let session_name_ok =
        |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    let session = v.required_string(
        "roleSessionName",
        owned("RoleSessionName"),
        (2, 64),
        Some(crate::validate::Pattern::new(session_name_ok, r"[\w+=,.@-]*")),
    );
    let token = v.required_string("webIdentityToken", owned("WebIdentityToken"), (4, 20_000), None);
    let duration = params.get("DurationSeconds").map(|text| text.parse::<i64>().map_err(|_| text));
    match &duration {
        Some(Ok(d)) => v.integer("durationSeconds", Some(*d), (900, 43_200), false),
        Some(Err(text)) => v.constraint(
            "durationSeconds",
            text,
            "Member must have value greater than or equal to 900",
        ),
        None => {}
    }
    let valid = v.finish().map_err(|e| texts::VALIDATION_QUERY.composed(e.message))?;
    let duration = match duration {
        Some(Ok(d)) => d,
        _ => 3600,
    };
    let (role_arn, session, token) = (role_arn.get(valid), session.get(valid), token.get(valid));
    let role = state.role(&role_arn);
    let providers = state.providers();
    let call = WebIdentityCall {
        token: &token,
        providers: &providers,
        role: Some(RoleAsked { arn: &role_arn, role: role.as_deref(), duration }),
        now: state.clock.now(),
        leeway: state.token_leeway,
    };
    let keys =
        Keys::Fetched { jwks: &state.jwks, cognito: &state.cognito_key, region: &state.region };
    let outcome = web_identity::check(&call, keys, false).await;
    let (identity, role) = match (outcome.result, role) {
        (Ok(identity), Some(role)) => (identity, role),
        (Err(err), _) => return Err(err.with_checks(explain::render_web_identity(&outcome.checks))),
        // The checks refuse a missing role; this is never reached.
        (Ok(_), None) => return Err(texts::STS_ACCESS_DENIED.error()),
    };
    let assumed_role_arn = credentials::assumed_role_arn(&role.arn, &session);
    let expiration = state.clock.now().saturating_add(duration);
    let issued = state.credentials.issue(Owner {
        role_arn: role.arn.clone(),
        subject: identity.subject.clone(),
        session_name: session.clone(),
        expiration,
    });
    let e = xml_escape;
    Ok(format!(
        r#"<AssumeRoleWithWebIdentityResponse xmlns="{NAMESPACE}"><AssumeRoleWithWebIdentityResult><Audience>{}</Audience><AssumedRoleUser><Arn>{}</Arn><AssumedRoleId>{}:{}</AssumedRoleId></AssumedRoleUser><Provider>{}</Provider><Credentials><AccessKeyId>{}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey><SessionToken>{}</SessionToken><Expiration>{}</Expiration></Credentials><SubjectFromWebIdentityToken>{}</SubjectFromWebIdentityToken></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>"#,
        e(&identity.audience),
        e(&assumed_role_arn),
        role_id(&role.arn),
        e(&session),
        e(&identity.provider),
        issued.access_key_id,
        e(&issued.secret_key),
        e(&issued.session_token),
        iso8601(expiration),
        e(&identity.subject),
        crate::error::request_id(),
    ))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_ids_are_stable_and_shaped_like_aws() {
        let id = role_id("arn:aws:iam::123456789012:role/r");
        assert_eq!(id.len(), 21);
        assert!(id.starts_with("AROA"));
        assert_eq!(id, role_id("arn:aws:iam::123456789012:role/r"));
    }
}
