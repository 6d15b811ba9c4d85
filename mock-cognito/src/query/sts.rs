//! STS on the same endpoint (the AWS SDK for JavaScript v2's basic flow sends it there):
//! the Query protocol (`Action=…` form bodies) answered in XML (docs/reference/cognito.md §3.3).
//!
//! `AssumeRoleWithWebIdentity` takes a Cognito OpenID token (issuer
//! `https://cognito-identity.amazonaws.com`, checked with this endpoint's own key) or an OIDC
//! token of an IAM OIDC provider whose URL equals its `iss` (keys by discovery, `aud`/`azp`
//! against the client IDs, `exp` with five minutes' grace), then evaluates the role's trust
//! policy. Messages are AWS's where observed; the others are marked inferred.

use serde_json::Value;

use super::Params;
use crate::account::Owner;
use crate::error::{AwsError, ErrorType};
use crate::state::CognitoState;
use crate::trust::openid::COGNITO_ISSUER;
use crate::trust::policy;
use crate::trust::verify::{self, EXPIRY_GRACE_SECS, TokenRejection};
use crate::trust::web_identity::{
    INCORRECT_AUDIENCE, NOT_A_JWT, audience, no_provider, token_expired,
};
use crate::validate::Violations;
use crate::xml::xml_escape;

/// STS's XML namespace, for its answers.
const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// `GetCallerIdentity` for the signer: temporary credentials this endpoint issued answer as
/// their assumed role; developer keys as an IAM user of the account.
pub(super) fn caller_identity(state: &CognitoState, access_key: Option<&str>) -> String {
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

/// The checks a token went through, in order, for the log of a refusal: every passed check
/// with the values it compared, then the one that failed with STS's answer and why.
#[derive(Debug, Default)]
struct Trace {
    passed: Vec<(&'static str, String)>,
    current: Option<&'static str>,
}

impl Trace {
    /// The check about to be made.
    fn at(&mut self, name: &'static str) {
        self.current = Some(name);
    }

    /// The current check passed, having compared this.
    fn pass(&mut self, compared: impl Into<String>) {
        if let Some(name) = self.current.take() {
            self.passed.push((name, compared.into()));
        }
    }

    fn render(&self, refusal: &AwsError) -> String {
        let Some(failed) = self.current else { return String::new() };
        let mut out = String::from(
            "STS's checks of AssumeRoleWithWebIdentity, in order (STS stops at the first failure):\n",
        );
        for (i, (name, compared)) in self.passed.iter().enumerate() {
            out.push_str(&format!("  {}. {name} — pass\n       {compared}\n", i + 1));
        }
        out.push_str(&format!(
            "  {}. {failed} — FAIL\n       STS answers: {}: {}\n",
            self.passed.len() + 1,
            refusal.kind.as_str(),
            refusal.message
        ));
        if let Some(why) = &refusal.detail {
            out.push_str(&format!("       why: {why}\n"));
        }
        out
    }
}

fn invalid_token(message: impl Into<String>) -> AwsError {
    AwsError::new(ErrorType::InvalidIdentityToken, message)
}

fn access_denied() -> AwsError {
    AwsError::new(
        ErrorType::AccessDenied,
        "Not authorized to perform sts:AssumeRoleWithWebIdentity",
    )
}

/// Who the token says the caller is, in trust-policy terms.
struct Federation {
    principal: policy::Request,
    subject: String,
    provider: String,
    audience: String,
}

pub(super) async fn assume_role_with_web_identity(
    state: &CognitoState,
    params: &Params,
) -> Result<String, AwsError> {
    let mut trace = Trace::default();
    assume(state, params, &mut trace).await.map_err(|err| {
        let checks = trace.render(&err);
        err.with_checks(checks)
    })
}

async fn assume(
    state: &CognitoState,
    params: &Params,
    trace: &mut Trace,
) -> Result<String, AwsError> {
    let get = |name: &str| params.get(name).map(String::as_str);
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
    let valid = v.finish().map_err(|e| AwsError::new(ErrorType::ValidationError, e.message))?;
    let duration = match get("DurationSeconds") {
        None => 3600,
        Some(text) => match text.parse::<i64>() {
            Ok(d) if (900..=43_200).contains(&d) => d,
            _ => {
                return Err(AwsError::new(
                    ErrorType::ValidationError,
                    format!(
                        "1 validation error detected: Value '{text}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
                    ),
                ));
            }
        },
    };
    let (role_arn, session, token) = (role_arn.get(valid), session.get(valid), token.get(valid));
    let (role_arn, session) = (role_arn.as_str(), session.as_str());
    let federation = identify(state, &token, trace).await?;
    trace.at("the role exists");
    let role = state
        .role(role_arn)
        .ok_or_else(|| access_denied().with_detail(format!("no role {role_arn}")))?;
    trace.pass(role_arn);
    trace.at("DurationSeconds is within the role's MaxSessionDuration");
    if duration > role.max_session_duration_secs {
        return Err(AwsError::new(
            ErrorType::ValidationError,
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    trace.pass(format!("{duration} <= {}", role.max_session_duration_secs));
    trace.at("the role's trust policy allows this federated principal");
    if !policy::allows(&role.trust_policy, &federation.principal) {
        return Err(access_denied().with_detail(format!(
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
async fn identify(
    state: &CognitoState,
    token: &str,
    trace: &mut Trace,
) -> Result<Federation, AwsError> {
    let not_jwt = || invalid_token(NOT_A_JWT);
    trace.at("the token is a JWT with an iss");
    let jwt = verify::parse(token).map_err(|r| not_jwt().with_detail(r.explain()))?;
    let claim = |name: &str| jwt.claims.get(name).and_then(Value::as_str).map(str::to_owned);
    let iss = claim("iss").ok_or_else(|| not_jwt().with_detail("no iss claim"))?;
    trace.pass(format!("header {}, iss {iss}", Value::Object(jwt.header.clone())));
    let now = state.clock.now();
    let (federated, name, audience) = if iss == COGNITO_ISSUER {
        trace.at("the signature verifies with this endpoint's Cognito key");
        let key = state.cognito_key.get(&state.region).await;
        if key.verify(token).is_none() {
            return Err(invalid_token("The token signature could not be verified.")
                .with_detail("not signed by this endpoint's Cognito key (inferred text)"));
        }
        trace.pass("kid matches, RS512");
        (
            "cognito-identity.amazonaws.com".to_owned(),
            "cognito-identity.amazonaws.com".to_owned(),
            claim("aud").unwrap_or_default(),
        )
    } else {
        trace.at("iss names an IAM OIDC provider of the account");
        let providers = state.providers();
        let provider = providers.iter().find(|p| p.url == iss).ok_or_else(|| {
            invalid_token(no_provider(&iss)).with_detail(format!(
                "the account's providers are {:?}; create one whose URL is exactly the token's iss",
                providers.iter().map(|p| p.url.as_str()).collect::<Vec<_>>()
            ))
        })?;
        trace.pass(format!("{iss} → {}", provider.arn));
        trace.at("the signature verifies with the issuer's JWKS");
        verify::verify_signature(&state.jwks, &iss, &jwt).await.map_err(|rejection| match rejection {
            TokenRejection::KeysUnavailable { reason } => invalid_token(
                "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
            )
            .with_detail(reason),
            other => invalid_token("The token signature could not be verified.").with_detail(other.explain()),
        })?;
        trace.pass(format!(
            "kid {}",
            jwt.header.get("kid").and_then(Value::as_str).unwrap_or("(none)")
        ));
        trace.at("azp, else aud, is one of the provider's client IDs");
        let audience = audience(&jwt.claims, &provider.client_ids).ok_or_else(|| {
            invalid_token(INCORRECT_AUDIENCE).with_detail(format!(
                "the token's azp {} / aud {}; the provider accepts {:?}: add the value to the provider's client IDs, or send the token whose aud is listed",
                jwt.claims.get("azp").map_or("absent".to_owned(), Value::to_string),
                jwt.claims.get("aud").map_or("absent".to_owned(), Value::to_string),
                provider.client_ids
            ))
        })?;
        trace.pass(format!("{audience} in {:?}", provider.client_ids));
        (provider.arn.clone(), provider.name.clone(), audience)
    };
    trace.at("exp has not passed (with the 300 s grace)");
    let exp = jwt
        .claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(|| not_jwt().with_detail("no exp"))?;
    if now >= exp + EXPIRY_GRACE_SECS {
        return Err(AwsError::new(ErrorType::ExpiredTokenException, token_expired(now, exp)));
    }
    trace.pass(format!("exp {exp}, now {now}"));
    trace.at("the token has a sub");
    let subject = claim("sub").ok_or_else(|| not_jwt().with_detail("no sub claim"))?;
    trace.pass(format!("sub {subject}"));
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
    fn a_refusal_s_trace_lists_the_passed_checks_then_the_failed_one_with_sts_s_answer() {
        let mut trace = Trace::default();
        trace.at("the token is a JWT with an iss");
        trace.pass("iss https://dev-1.okta.com/oauth2/default");
        trace.at("azp, else aud, is one of the provider's client IDs");
        let refusal = invalid_token("Incorrect token audience")
            .with_detail("the provider accepts [\"api://default\"]");
        let text = trace.render(&refusal);
        assert_eq!(
            text,
            "STS's checks of AssumeRoleWithWebIdentity, in order (STS stops at the first failure):\n  \
             1. the token is a JWT with an iss — pass\n       iss https://dev-1.okta.com/oauth2/default\n  \
             2. azp, else aud, is one of the provider's client IDs — FAIL\n       \
             STS answers: InvalidIdentityToken: Incorrect token audience\n       \
             why: the provider accepts [\"api://default\"]\n"
        );
        assert_eq!(Trace::default().render(&refusal), "", "a refusal before any check has none");
    }

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
