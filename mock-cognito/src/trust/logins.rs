//! Cognito's checks of a token in `Logins`, in AWS's order (docs/reference/cognito.md §2.2),
//! written once for the endpoint, `fedmock explain` and the log:
//!
//! 1. the value is a JWT;
//! 2. Cognito's own tokens go only under `cognito-identity.amazonaws.com` (made only when one
//!    of the two is involved);
//! 3. its `iss`, without the scheme, equals the `Logins` key;
//! 4. the key names a provider the pool trusts;
//! 5. the RS256 signature verifies with a key from the issuer's JWKS (fetched over HTTP);
//! 6. `azp` if present, else `aud` (string or array), is one of the provider's client IDs;
//! 7. `exp` has not passed (no grace: `now >= exp` is refused, unless the world adds leeway);
//! 8. `sub` is present.
//!
//! The endpoint stops at the first failure (as AWS does: nothing is fetched for a token whose
//! issuer the pool does not trust); `fedmock explain` runs every check, the signature excepted
//! offline. Each failure is AWS's answer from [`crate::texts`].

use std::sync::Arc;

use serde_json::{Map, Value};

use super::check::{Depth, Run, show};
use super::jwks::JwksCache;
use super::openid::COGNITO_ISSUER;
use super::signature;
use super::token::{self, Jwt, Time, audiences};
use crate::account::{Provider, strip_scheme};
use crate::texts;

/// The `Logins` key under which Cognito's own tokens (developer-authenticated identities) go.
pub const COGNITO_LOGINS_KEY: &str = "cognito-identity.amazonaws.com";

/// A `Logins` entry and what it is judged against.
#[derive(Clone, Copy, Debug)]
pub struct Login<'a> {
    /// The key.
    pub key: &'a str,
    /// The token.
    pub token: &'a str,
    /// The pool (named in one answer).
    pub pool: &'a str,
    /// The provider the pool trusts under `key`, or the names it does trust.
    pub trusted: Result<&'a Provider, &'a [String]>,
    /// The time to judge expiry at.
    pub now: i64,
    /// Seconds past `exp` still accepted (the world's `token_leeway_seconds`; AWS: 0).
    pub leeway: i64,
}

/// Where the signature is checked.
#[derive(Clone, Copy, Debug)]
pub enum Keys<'a> {
    /// With the issuer's keys, fetched (and cached) over HTTP, as AWS does.
    Fetched(&'a JwksCache),
    /// Not at all: offline, nothing is fetched.
    Offline,
}

/// A login that passed every check.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedLogin {
    /// The provider name (the `Logins` key).
    pub provider: String,
    /// The token's `sub`.
    pub sub: String,
    /// All claims, for role rules and principal tags.
    pub claims: Arc<Map<String, Value>>,
}

/// The checks made, and the answer: the verified login, or AWS's refusal (the first failure).
pub type Outcome = super::check::Outcome<VerifiedLogin>;

const JWT: &str = "the value is a JWT";
const COGNITO: &str = "Cognito's own tokens go only under cognito-identity.amazonaws.com";
const ISSUER: &str = "iss without the scheme equals the Logins key";
const PROVIDER: &str = "the pool trusts the provider";
const SIGNATURE: &str = "the RS256 signature verifies with the issuer's JWKS";
const AUDIENCE: &str = "azp (if present), else aud, is a client ID of the provider";
const EXPIRY: &str = "exp has not passed";
const SUBJECT: &str = "sub is present";

/// Runs the checks of `login`: all of them if `every`, else up to the first failure.
pub async fn check(login: &Login<'_>, keys: Keys<'_>, every: bool) -> Outcome {
    let mut signature = None;
    if every {
        return run_checks(login, keys, Depth::Every, &mut signature).await;
    }
    // An accepted token costs no words; a refused one is run again with them for the log,
    // reusing the first run's signature verdict (nothing is verified or fetched twice).
    let fast = run_checks(login, keys, Depth::Fast, &mut signature).await;
    if fast.result.is_ok() {
        return fast;
    }
    let detailed = run_checks(login, keys, Depth::Detailed, &mut signature).await;
    Outcome { checks: detailed.checks, result: fast.result }
}

/// The signature's verdict, kept between the runs of one call.
type SignatureVerdict = Option<Result<(), signature::Failure>>;

async fn run_checks(
    login: &Login<'_>,
    keys: Keys<'_>,
    depth: Depth,
    signature: &mut SignatureVerdict,
) -> Outcome {
    let mut run = Run::new(depth);
    let parsed = match keys {
        Keys::Fetched(jwks) => jwks.parse(login.token),
        Keys::Offline => token::parse(login.token),
    };
    let jwt = match parsed {
        Ok(jwt) => jwt,
        Err(why) => {
            let fix = "send the ID or access token itself (three base64url parts), not a code, an opaque token or a JSON object";
            run.fail(
                JWT,
                format!("the Logins value is not a JWT: {why}"),
                texts::NOT_A_JWT.error(),
                fix,
            );
            let (checks, _) = run.finish();
            return Outcome { checks, result: Err(texts::NOT_A_JWT.error()) };
        }
    };
    run.pass(JWT, || format!("header {}", serde_json::to_string(&*jwt.header).unwrap_or_default()));
    checks_after_jwt(&mut run, login, &jwt, keys, signature).await;
    let (checks, refused) = run.finish();
    let result = match refused {
        Some(error) => Err(error),
        None => Ok(VerifiedLogin {
            provider: login.trusted.map_or_else(|_| login.key.to_owned(), |p| p.name.clone()),
            sub: jwt.claim("sub").unwrap_or_default().to_owned(),
            claims: jwt.claims,
        }),
    };
    Outcome { checks, result }
}

/// Checks 2 to 8; whether the run stopped.
async fn checks_after_jwt(
    run: &mut Run,
    login: &Login<'_>,
    jwt: &Jwt<'_>,
    keys: Keys<'_>,
    signature: &mut SignatureVerdict,
) -> bool {
    let iss = jwt.claim("iss");
    // 2. Cognito's own tokens and Cognito's key belong together, and never in GetId's checks.
    let cognito_token = iss == Some(COGNITO_ISSUER);
    if cognito_token || login.key == COGNITO_LOGINS_KEY {
        let stop = if cognito_token {
            let fix = "Cognito's own token goes to GetCredentialsForIdentity under cognito-identity.amazonaws.com with the IdentityId it was issued for (or to STS in the basic flow), never to GetId";
            run.fail(
                COGNITO,
                format!("iss {COGNITO_ISSUER}"),
                texts::CANT_PASS_COGNITO_TOKEN.error(),
                fix,
            )
        } else {
            let fix = "send an identity provider's token under its own key (its iss without the scheme); cognito-identity.amazonaws.com takes only Cognito's tokens";
            run.fail(
                COGNITO,
                format!("iss {} under {COGNITO_LOGINS_KEY}", show(jwt.claims.get("iss"))),
                texts::NOT_A_COGNITO_TOKEN.error(),
                fix,
            )
        };
        if stop {
            return true;
        }
    }
    // 3. iss against the key.
    let compared = || format!("iss {} vs key {:?}", show(jwt.claims.get("iss")), login.key);
    match iss {
        Some(iss) if strip_scheme(iss) == login.key => run.pass(ISSUER, compared),
        _ => {
            let fix = match iss {
                Some(iss) => format!(
                    "use the Logins key {:?} (the iss without its scheme), and an IAM OIDC provider for {iss:?}",
                    strip_scheme(iss)
                ),
                None => "the token has no iss: it is not an OIDC token".to_owned(),
            };
            if run.fail(ISSUER, compared(), texts::ISSUER_MISMATCH.error(), &fix) {
                return true;
            }
        }
    }
    // 4. The pool's providers.
    let provider = match login.trusted {
        Ok(provider) => {
            run.pass(PROVIDER, || format!("{} is in the pool's providers", provider.name));
            Some(provider)
        }
        Err([]) => {
            let fix = "add the provider to the identity pool (OpenIdConnectProviderARNs), or send no Logins to a guest-only pool";
            let error = texts::NO_PROVIDERS.with(&[("pool", &login.pool)]);
            if run.fail(PROVIDER, format!("{:?} vs no providers", login.key), error, fix) {
                return true;
            }
            None
        }
        Err(trusted) => {
            let fix = format!(
                "the pool trusts the providers {trusted:?}, not {:?}; add the provider's ARN to OpenIdConnectProviderARNs",
                login.key
            );
            if run.fail(
                PROVIDER,
                format!("{:?} vs {trusted:?}", login.key),
                texts::UNSUPPORTED_PROVIDER.error(),
                &fix,
            ) {
                return true;
            }
            None
        }
    };
    // 5. The signature, with the issuer's keys.
    let compared =
        || format!("alg {}, kid {}", show(jwt.header.get("alg")), show(jwt.header.get("kid")));
    match (keys, iss, provider) {
        (Keys::Offline, _, _) => run.skip(
            SIGNATURE,
            compared,
            "explain works offline and does not fetch keys; mock-cognito checks it",
        ),
        (Keys::Fetched(_), _, None) | (Keys::Fetched(_), None, _) => {
            run.skip(SIGNATURE, compared, "no trusted issuer to fetch keys from");
        }
        (Keys::Fetched(jwks), Some(iss), Some(_)) => {
            let verdict = match signature.take() {
                Some(verdict) => verdict,
                None => signature::verify(jwks, iss, jwt).await,
            };
            *signature = Some(verdict.clone());
            match verdict {
                Ok(()) => run.pass(SIGNATURE, || signature::verified_with(jwt)),
                Err(failure) => {
                    let fix = format!("{}; sign with a key the issuer publishes", failure.reason());
                    if run.fail(SIGNATURE, compared(), texts::SIGNATURE.error(), &fix) {
                        return true;
                    }
                }
            }
        }
    }
    // 6. The audience.
    match provider {
        Some(provider) => {
            if audience(run, jwt, provider) {
                return true;
            }
        }
        None => run.skip(
            AUDIENCE,
            || format!("aud {}", show(jwt.claims.get("aud"))),
            "no trusted provider to compare with",
        ),
    }
    // 7. Expiry, without grace.
    let compared = || format!("exp {} vs now {}", show(jwt.claims.get("exp")), login.now);
    let stop = match Time::of(&jwt.claims, "exp") {
        // Cognito reads a fraction as its whole seconds (inferred: AWS documents integers for
        // STS only; its Java verifier truncates).
        Time::Seconds(exp) | Time::Fraction(exp)
            if login.now < exp.saturating_add(login.leeway) =>
        {
            run.pass(EXPIRY, compared);
            false
        }
        Time::Seconds(exp) | Time::Fraction(exp) => {
            let error = texts::EXPIRED.with(&[("now", &login.now), ("exp", &exp)]);
            let fix = "get a fresh token (refresh before exp), or fix the clock that makes it look expired";
            run.fail(EXPIRY, compared(), error, fix)
        }
        Time::Missing | Time::NotANumber => {
            let error = texts::MISSING_CLAIM.with(&[("claim", &"exp")]);
            run.fail(EXPIRY, compared(), error, "the token must carry exp, a number of seconds")
        }
    };
    if stop {
        return true;
    }
    // 8. The subject.
    let compared = || format!("sub {}", show(jwt.claims.get("sub")));
    match jwt.claim("sub") {
        Some(sub) if !sub.is_empty() => {
            run.pass(SUBJECT, compared);
            false
        }
        _ => run.fail(
            SUBJECT,
            compared(),
            texts::MISSING_CLAIM.with(&[("claim", &"sub")]),
            "the token must carry sub",
        ),
    }
}

/// Check 6; whether the run stopped.
fn audience(run: &mut Run, jwt: &Jwt<'_>, provider: &Provider) -> bool {
    let accepted = &provider.client_ids;
    let (claim, value) = match (jwt.claims.get("azp"), jwt.claims.get("aud")) {
        (Some(azp), _) => ("azp", azp),
        (None, Some(aud)) => ("aud", aud),
        (None, None) => {
            let error = texts::MISSING_CLAIM.with(&[("claim", &"aud")]);
            let fix = "send a token with an aud (an ID token; a user pool's access token has none)";
            return run.fail(AUDIENCE, format!("no azp, no aud vs {accepted:?}"), error, fix);
        }
    };
    let compared = || format!("{claim} {value} vs {accepted:?}");
    let found = audiences(value);
    if found.iter().any(|f| accepted.iter().any(|a| a == f)) {
        run.pass(AUDIENCE, compared);
        return false;
    }
    if provider.name.starts_with("cognito-idp.") {
        // A user pool's app client that the identity pool does not list is an unsupported
        // provider, not an audience error (observed, docs/reference/cognito.md §2.4).
        let fix = format!(
            "add the app client {found:?} to the identity pool's Cognito provider for {}",
            provider.name
        );
        return run.fail(AUDIENCE, compared(), texts::UNSUPPORTED_PROVIDER.error(), &fix);
    }
    let fix = format!(
        "the token's {claim} is {found:?}; the provider accepts {accepted:?}; add {} to the provider's client IDs{}",
        found.first().map_or("it".to_owned(), |f| format!("{f:?}")),
        if claim == "aud" {
            ", or send a token whose aud is one of them (an Okta ID token's aud is the client id)"
        } else {
            ""
        }
    );
    run.fail(AUDIENCE, compared(), texts::AUDIENCE.error(), &fix)
}

#[cfg(test)]
mod tests {
    use crate::trust::check::Verdict;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use serde_json::json;

    use super::*;

    fn token(claims: Value) -> String {
        format!(
            "{}.{}.c2ln",
            B64.encode(r#"{"kid":"k1","alg":"RS256"}"#),
            B64.encode(claims.to_string())
        )
    }

    fn provider(client_ids: &[&str]) -> Provider {
        Provider::new(
            "123456789012",
            "https://dev-1.okta.com/oauth2/default",
            client_ids.iter().map(|c| (*c).to_owned()).collect(),
        )
    }

    fn run(key: &str, token: &str, trusted: Result<&Provider, &[String]>, now: i64) -> Outcome {
        let login = Login { key, token, pool: "us-east-1:p", trusted, now, leeway: 0 };
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(check(
            &login,
            Keys::Offline,
            true,
        ))
    }

    fn answers(outcome: &Outcome) -> Vec<String> {
        outcome
            .checks
            .iter()
            .filter_map(|c| match &c.verdict {
                Verdict::Fail { answer, .. } => Some(answer.clone()),
                _ => None,
            })
            .collect()
    }

    const KEY: &str = "dev-1.okta.com/oauth2/default";
    const ISS: &str = "https://dev-1.okta.com/oauth2/default";

    #[test]
    fn expiry_has_no_grace_and_a_float_exp_is_read_as_its_seconds() {
        let p = provider(&["api://default"]);
        let at = |exp: Value, now| {
            answers(&run(
                KEY,
                &token(json!({"iss": ISS, "aud": "api://default", "exp": exp, "sub": "u"})),
                Ok(&p),
                now,
            ))
        };
        assert!(at(json!(1000), 999).is_empty());
        assert_eq!(
            at(json!(1000), 1000),
            ["NotAuthorizedException: Invalid login token. Token expired: 1000 >= 1000"]
        );
        assert_eq!(
            at(json!(1000.9), 1000),
            ["NotAuthorizedException: Invalid login token. Token expired: 1000 >= 1000"]
        );
        assert!(at(json!(1e300), 1000).is_empty(), "a huge exp saturates, it does not wrap");
        assert_eq!(
            at(json!("soon"), 1),
            ["NotAuthorizedException: Invalid login token. Missing a required claim: exp"]
        );
    }

    #[test]
    fn every_check_is_run_for_explain_and_each_failure_is_aws_s_answer() {
        let p = provider(&["api://default"]);
        let outcome = run(
            &format!("https://{KEY}"),
            &token(json!({"iss": ISS, "aud": "api://default", "exp": 1000, "sub": "u"})),
            Ok(&p),
            1300,
        );
        assert_eq!(
            answers(&outcome),
            [
                "NotAuthorizedException: Invalid login token. Issuer doesn't match providerName",
                "NotAuthorizedException: Invalid login token. Token expired: 1300 >= 1000"
            ]
        );
        assert_eq!(
            outcome.result.unwrap_err().message,
            "Invalid login token. Issuer doesn't match providerName"
        );
        let signature = outcome.checks.iter().find(|c| c.name == SIGNATURE).unwrap();
        assert!(
            matches!(signature.verdict, Verdict::Skipped(_)),
            "the signature is never claimed as checked"
        );
    }

    #[test]
    fn cognito_s_tokens_and_key_go_together() {
        let p = provider(&["api://default"]);
        let cognito = token(
            json!({"iss": COGNITO_ISSUER, "aud": "us-east-1:p", "exp": 2000, "sub": "us-east-1:i"}),
        );
        assert_eq!(
            answers(&run(KEY, &cognito, Ok(&p), 1000))[0],
            "NotAuthorizedException: Invalid login token. Can't pass in a Cognito token."
        );
        let okta = token(json!({"iss": ISS, "aud": "api://default", "exp": 2000, "sub": "u"}));
        assert_eq!(
            answers(&run(COGNITO_LOGINS_KEY, &okta, Err(&[]), 1000))[0],
            "NotAuthorizedException: Invalid login token. Not a Cognito token."
        );
    }

    #[test]
    fn a_pool_without_providers_says_so_and_garbage_is_not_a_jwt() {
        let okta = token(json!({"iss": ISS, "aud": "api://default", "exp": 2000, "sub": "u"}));
        assert_eq!(
            answers(&run(KEY, &okta, Err(&[]), 1000)),
            [
                "NotAuthorizedException: Identity pool - us-east-1:p does not have identity providers configured."
            ]
        );
        let outcome = run("k", "not-a-token", Err(&[]), 0);
        assert_eq!(outcome.checks.len(), 1);
        assert_eq!(
            answers(&outcome),
            [
                "NotAuthorizedException: Invalid login token. Not a valid OpenId Connect identity token."
            ]
        );
    }

    #[test]
    fn azp_wins_over_aud_and_any_element_of_an_array_aud_is_enough() {
        let p = provider(&["0oaclient"]);
        let with = |claims: Value| {
            let mut claims = claims;
            claims["iss"] = json!(ISS);
            claims["exp"] = json!(2000);
            claims["sub"] = json!("u");
            answers(&run(KEY, &token(claims), Ok(&p), 1000))
        };
        assert!(with(json!({"aud": "api://default", "azp": "0oaclient"})).is_empty());
        assert_eq!(
            with(json!({"aud": "0oaclient", "azp": "other"})),
            ["NotAuthorizedException: Invalid login token. Incorrect token audience."]
        );
        assert!(with(json!({"aud": ["a", "0oaclient"]})).is_empty());
        assert_eq!(
            with(json!({})),
            ["NotAuthorizedException: Invalid login token. Missing a required claim: aud"]
        );
    }
}
