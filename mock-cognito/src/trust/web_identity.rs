//! STS's checks of `AssumeRoleWithWebIdentity` (docs/reference/cognito.md §3.3), written once for
//! the endpoint, `fedmock explain --sts` and the log:
//!
//! 1. the token is a JWT with an `iss`;
//! 2. a Cognito token's signature verifies with this endpoint's Cognito key, or else `iss` names
//!    an IAM OIDC provider of the account (its URL, scheme included, exactly);
//! 3. the RS256 signature verifies with the issuer's JWKS;
//! 4. `azp`, else `aud`, is one of the provider's client IDs;
//! 5. `exp` has not passed (no grace; STS documents whole seconds, so a fraction is refused);
//! 6. the token has a `sub`;
//! 7. with a role: it exists, `DurationSeconds` fits its `MaxSessionDuration`, and its trust
//!    policy allows this federated principal with the token's `aud`, `sub`, `amr` and `azp`.
//!
//! The endpoint stops at the first failure; `fedmock explain --sts` runs every check, the
//! signatures excepted offline.

use std::sync::Arc;

use serde_json::Value;

use super::check::{Depth, Run, show};
use super::jwks::JwksCache;
use super::openid::{COGNITO_ISSUER, LazyKey};
use super::signature::{self, Failure};
use super::token::{self, Jwt, Time, audiences};
use crate::account::{Provider, Role, policy};
use crate::texts;

/// The role asked for, and what the account holds under its ARN.
#[derive(Clone, Copy, Debug)]
pub struct RoleAsked<'a> {
    /// `RoleArn`.
    pub arn: &'a str,
    /// The role, if the account has it.
    pub role: Option<&'a Role>,
    /// `DurationSeconds`.
    pub duration: i64,
}

/// A web identity token and what it is judged against.
#[derive(Clone, Copy, Debug)]
pub struct WebIdentityCall<'a> {
    /// `WebIdentityToken`.
    pub token: &'a str,
    /// The account's IAM OIDC providers.
    pub providers: &'a [Arc<Provider>],
    /// The role, when the checks should go that far.
    pub role: Option<RoleAsked<'a>>,
    /// The time to judge expiry at.
    pub now: i64,
    /// Seconds past `exp` still accepted (AWS: 0).
    pub leeway: i64,
}

/// Where signatures are checked.
#[derive(Clone, Copy, Debug)]
pub enum Keys<'a> {
    /// With the issuers' keys over HTTP, and this endpoint's Cognito key.
    Fetched {
        /// Issuers' keys.
        jwks: &'a JwksCache,
        /// Cognito's own key.
        cognito: &'a LazyKey,
        /// The endpoint's region (the Cognito key's id).
        region: &'a str,
    },
    /// Not at all: offline.
    Offline,
}

/// Who the token says the caller is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebIdentity {
    /// What the trust policy is evaluated with.
    pub principal: policy::Request<'static>,
    /// `SubjectFromWebIdentityToken`.
    pub subject: String,
    /// `Provider`.
    pub provider: String,
    /// `Audience`.
    pub audience: String,
}

/// The checks made, and the answer.
pub type Outcome = super::check::Outcome<WebIdentity>;

const JWT: &str = "the token is a JWT with an iss";
const COGNITO_KEY: &str = "the signature verifies with this endpoint's Cognito key";
const PROVIDER: &str = "iss names an IAM OIDC provider of the account";
const SIGNATURE: &str = "the signature verifies with the issuer's JWKS";
const AUDIENCE: &str = "azp, else aud, is one of the provider's client IDs";
const EXPIRY: &str = "exp has not passed";
const SUBJECT: &str = "the token has a sub";
const ROLE: &str = "the role exists";
const DURATION: &str = "DurationSeconds is within the role's MaxSessionDuration";
const TRUST: &str = "the role's trust policy allows this federated principal";

/// Runs STS's checks of `call`: all of them if `every`, else up to the first failure.
pub async fn check(call: &WebIdentityCall<'_>, keys: Keys<'_>, every: bool) -> Outcome {
    let mut run = Run::new(if every { Depth::Every } else { Depth::Detailed });
    let parsed = match keys {
        Keys::Fetched { jwks, .. } => jwks.parse(call.token),
        Keys::Offline => token::parse(call.token),
    };
    let jwt = match parsed {
        Ok(jwt) if jwt.claim("iss").is_some() => jwt,
        parsed => {
            let compared = match parsed {
                Err(why) => format!("not a JWT: {why}"),
                Ok(_) => "no iss claim".to_owned(),
            };
            let fix = "send the OIDC ID token itself (three base64url parts with an iss), not an opaque access token";
            run.fail(JWT, compared, texts::STS_NOT_A_JWT.error(), fix);
            let (checks, refused) = run.finish();
            return Outcome {
                checks,
                result: Err(refused.unwrap_or_else(|| texts::STS_NOT_A_JWT.error())),
            };
        }
    };
    let iss = jwt.claim("iss").unwrap_or_default().to_owned();
    run.pass(JWT, || {
        format!("header {}, iss {iss}", serde_json::to_string(&*jwt.header).unwrap_or_default())
    });
    let identity = checks_after_jwt(&mut run, call, &jwt, &iss, keys).await;
    let (checks, refused) = run.finish();
    let result = match refused {
        Some(error) => Err(error),
        None => Ok(identity),
    };
    Outcome { checks, result }
}

async fn checks_after_jwt(
    run: &mut Run,
    call: &WebIdentityCall<'_>,
    jwt: &Jwt<'_>,
    iss: &str,
    keys: Keys<'_>,
) -> WebIdentity {
    let mut identity = WebIdentity {
        principal: policy::Request::default(),
        subject: jwt.claim("sub").unwrap_or_default().to_owned(),
        provider: iss.to_owned(),
        audience: String::new(),
    };
    // 2-4: who issued it, its signature, its audience.
    let (federated, name) = if iss == COGNITO_ISSUER {
        match keys {
            Keys::Offline => run.skip(
                COGNITO_KEY,
                || "Cognito's own token (GetOpenIdToken)".to_owned(),
                "explain works offline; the server checks it",
            ),
            Keys::Fetched { cognito, region, .. } => {
                if cognito.get(region).await.verify(call.token).is_some() {
                    run.pass(COGNITO_KEY, || "RS512, this endpoint's key".to_owned());
                } else if run.fail(
                    COGNITO_KEY,
                    "not signed by this endpoint's Cognito key".to_owned(),
                    texts::STS_COGNITO_SIGNATURE.error(),
                    "send a token this endpoint's GetOpenIdToken issued",
                ) {
                    return identity;
                }
            }
        }
        identity.provider = "cognito-identity.amazonaws.com".to_owned();
        identity.audience = jwt.claim("aud").unwrap_or_default().to_owned();
        ("cognito-identity.amazonaws.com".to_owned(), "cognito-identity.amazonaws.com".to_owned())
    } else {
        let urls: Vec<&str> = call.providers.iter().map(|p| p.url.as_str()).collect();
        let Some(provider) = call.providers.iter().find(|p| p.url == iss) else {
            let fix = "create an IAM OIDC provider whose URL is exactly the token's iss (scheme included, no trailing slash)";
            let error = texts::STS_NO_PROVIDER.with(&[("iss", &iss)]);
            if !run.fail(
                PROVIDER,
                format!("iss {iss}; the account's providers {urls:?}"),
                error,
                fix,
            ) {
                for (name, why) in [(SIGNATURE, "no provider"), (AUDIENCE, "no provider")] {
                    run.skip(name, String::new, why);
                }
                expiry_and_subject(run, call, jwt);
                role_checks(run, call, &identity);
            }
            return identity;
        };
        run.pass(PROVIDER, || format!("{iss} → {}", provider.arn));
        let compared =
            || format!("alg {}, kid {}", show(jwt.header.get("alg")), show(jwt.header.get("kid")));
        match keys {
            Keys::Offline => run.skip(
                SIGNATURE,
                compared,
                "explain works offline and does not fetch keys; the server checks it",
            ),
            Keys::Fetched { jwks, .. } => match signature::verify(jwks, iss, jwt).await {
                Ok(()) => run.pass(SIGNATURE, || signature::verified_with(jwt)),
                Err(failure) => {
                    let error = match &failure {
                        Failure::Unreachable(_) | Failure::NoKey(_) => {
                            texts::STS_KEY_RETRIEVAL.error()
                        }
                        Failure::Bad(_) => texts::STS_SIGNATURE.error(),
                    };
                    let fix = format!(
                        "{}; publish the key at the issuer's jwks_uri, reachable within 5 s",
                        failure.reason()
                    );
                    if run.fail(SIGNATURE, compared(), error, &fix) {
                        return identity;
                    }
                }
            },
        }
        let (claim, value) = match (jwt.claims.get("azp"), jwt.claims.get("aud")) {
            (Some(azp), _) => ("azp", Some(azp)),
            (None, aud) => ("aud", aud),
        };
        let compared =
            || format!("{claim} {}; the provider accepts {:?}", show(value), provider.client_ids);
        let found: Vec<&str> = value.map(audiences).unwrap_or_default();
        match found.iter().find(|f| provider.client_ids.iter().any(|c| c == *f)) {
            Some(accepted) => {
                identity.audience = (*accepted).to_owned();
                run.pass(AUDIENCE, compared);
            }
            None if value.is_none() => {
                let error = texts::STS_MISSING_CLAIM.with(&[("claim", &"aud")]);
                if run.fail(
                    AUDIENCE,
                    compared(),
                    error,
                    "send a token with an aud listed in the provider's client IDs",
                ) {
                    return identity;
                }
            }
            None => {
                let shown: Vec<String> = found.iter().map(|f| format!("{f:?}")).collect();
                let fix = format!(
                    "add the token's {claim} {} to the provider's client IDs, or send the token whose aud is listed (an Okta access token's aud is the server's audience, its ID token's the client id)",
                    shown.join(" or ")
                );
                if run.fail(AUDIENCE, compared(), texts::STS_AUDIENCE.error(), &fix) {
                    return identity;
                }
            }
        }
        (provider.arn.clone(), provider.name.clone())
    };
    if expiry_and_subject(run, call, jwt) {
        return identity;
    }
    let amr: Vec<String> = match jwt.claims.get("amr") {
        Some(Value::Array(items)) => {
            items.iter().filter_map(Value::as_str).map(str::to_owned).collect()
        }
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let mut principal = policy::Request::new(federated)
        .key(format!("{name}:aud"), [identity.audience.clone()])
        .key(format!("{name}:sub"), [identity.subject.clone()])
        .key(format!("{name}:amr"), amr);
    if let Some(azp) = jwt.claim("azp") {
        principal = principal.key(format!("{name}:azp"), [azp.to_owned()]);
    }
    identity.principal = principal;
    role_checks(run, call, &identity);
    identity
}

/// Checks 5 and 6; whether the run stopped.
fn expiry_and_subject(run: &mut Run, call: &WebIdentityCall<'_>, jwt: &Jwt<'_>) -> bool {
    let compared = || format!("exp {}, now {}", show(jwt.claims.get("exp")), call.now);
    let stop = match Time::of(&jwt.claims, "exp") {
        Time::Seconds(exp) if call.now < exp.saturating_add(call.leeway) => {
            run.pass(EXPIRY, compared);
            false
        }
        Time::Seconds(exp) => {
            let error = texts::STS_EXPIRED.with(&[("now", &call.now), ("exp", &exp)]);
            run.fail(
                EXPIRY,
                compared(),
                error,
                "get a fresh token (or fix the clock that makes it look expired)",
            )
        }
        // STS documents whole seconds: a fraction is not a valid token (inferred answer).
        Time::Fraction(_) | Time::NotANumber => run.fail(
            EXPIRY,
            compared(),
            texts::STS_NOT_A_JWT.error(),
            "exp must be a whole number of seconds",
        ),
        Time::Missing => {
            let error = texts::STS_MISSING_CLAIM.with(&[("claim", &"exp")]);
            run.fail(EXPIRY, compared(), error, "send a token with exp")
        }
    };
    if stop {
        return true;
    }
    let compared = || format!("sub {}", show(jwt.claims.get("sub")));
    match jwt.claim("sub") {
        Some(sub) if !sub.is_empty() => {
            run.pass(SUBJECT, compared);
            false
        }
        _ => run.fail(
            SUBJECT,
            compared(),
            texts::STS_MISSING_CLAIM.with(&[("claim", &"sub")]),
            "send a token with a sub",
        ),
    }
}

/// Check 7, when a role was asked for.
fn role_checks(run: &mut Run, call: &WebIdentityCall<'_>, identity: &WebIdentity) {
    let Some(asked) = call.role else { return };
    let Some(role) = asked.role else {
        let fix = format!("create the role {} (or fix the ARN)", asked.arn);
        if !run.fail(ROLE, asked.arn.to_owned(), texts::STS_ACCESS_DENIED.error(), &fix) {
            run.skip(DURATION, String::new, "no role");
            run.skip(TRUST, String::new, "no role");
        }
        return;
    };
    run.pass(ROLE, || asked.arn.to_owned());
    let compared = || format!("{} <= {}", asked.duration, role.max_session_duration_secs);
    if asked.duration > role.max_session_duration_secs {
        let fix = "ask for a shorter DurationSeconds, or raise the role's MaxSessionDuration";
        if run.fail(DURATION, compared(), texts::STS_DURATION.error(), fix) {
            return;
        }
    } else {
        run.pass(DURATION, compared);
    }
    let compared = || {
        format!("Federated {:?} with {:?}", identity.principal.federated, identity.principal.keys())
    };
    if policy::allows(&role.trust_policy, &identity.principal) {
        run.pass(TRUST, compared);
    } else {
        let fix = format!(
            "the trust policy of {} must allow sts:AssumeRoleWithWebIdentity for Federated {:?} with conditions these keys meet (StringLike for wildcards; keys are <provider>:aud, :sub, :amr)",
            asked.arn, identity.principal.federated
        );
        run.fail(TRUST, compared(), texts::STS_ACCESS_DENIED.error(), &fix);
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use serde_json::json;

    use super::*;
    use crate::trust::check::Verdict;

    fn token(claims: Value) -> String {
        format!(
            "{}.{}.c2ln",
            B64.encode(r#"{"kid":"k1","alg":"RS256"}"#),
            B64.encode(claims.to_string())
        )
    }

    const ISS: &str = "https://dev-1.okta.com/oauth2/default";

    fn first_failure(token: &str, now: i64) -> Option<(&'static str, String)> {
        let providers =
            [Arc::new(Provider::new("123456789012", ISS, vec!["api://default".to_owned()]))];
        let call = WebIdentityCall { token, providers: &providers, role: None, now, leeway: 0 };
        let outcome = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(check(&call, Keys::Offline, true));
        outcome.checks.into_iter().find_map(|c| match c.verdict {
            Verdict::Fail { answer, .. } => Some((c.name, answer)),
            _ => None,
        })
    }

    #[test]
    fn sts_answers_in_its_own_words() {
        assert_eq!(
            first_failure(
                &token(json!({"iss": ISS, "aud": "0oaclient", "exp": 2000, "sub": "u"})),
                1000
            ),
            Some((AUDIENCE, "InvalidIdentityToken: Incorrect token audience".to_owned()))
        );
        assert_eq!(
            first_failure(&token(json!({"iss": "https://dev-2.okta.com", "aud": "api://default"})), 1000).map(|f| f.1),
            Some("InvalidIdentityToken: No OpenIDConnect provider found in your account for https://dev-2.okta.com".to_owned())
        );
        assert_eq!(
            first_failure(&token(json!({"iss": ISS, "aud": "api://default", "exp": 1000, "sub": "u"})), 1000).map(|f| f.1),
            Some("ExpiredTokenException: Token expired: current date/time 1000 must be before the expiration date/time 1000".to_owned())
        );
        assert!(
            first_failure(
                &token(json!({"iss": ISS, "aud": "api://default", "exp": 1000, "sub": "u"})),
                999
            )
            .is_none()
        );
        assert_eq!(
            first_failure(&token(json!({"iss": ISS, "exp": 2000, "sub": "u"})), 1000).map(|f| f.1),
            Some("InvalidIdentityToken: Missing a required claim: aud".to_owned())
        );
        assert_eq!(
            first_failure(
                &token(json!({"iss": ISS, "aud": "api://default", "exp": 2000, "sub": ""})),
                1000
            )
            .map(|f| f.1),
            Some("InvalidIdentityToken: Missing a required claim: sub".to_owned()),
            "an empty sub is no sub, as for Cognito"
        );
        assert_eq!(
            first_failure(&token(json!({"iss": ISS, "aud": "api://default", "exp": 2000.5, "sub": "u"})), 1000).map(|f| f.1),
            Some("InvalidIdentityToken: The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)".to_owned())
        );
        assert_eq!(first_failure("opaque", 0).map(|f| f.0), Some(JWT));
    }
}
