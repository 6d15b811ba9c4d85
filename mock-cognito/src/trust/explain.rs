//! `fedmock explain`: every check Cognito makes on a `Logins` entry, in order, with the value
//! it compared, the verdict, AWS's answer for a failure and the smallest change that fixes it.
//!
//! It runs offline, so a real token pasted from production can be explained: the signature
//! check is skipped and the report says so. The decisions are the live verifier's own
//! functions (`verify.rs`), so an explanation never disagrees with what mock-cognito answers.

use serde_json::{Map, Value};

use super::openid::COGNITO_ISSUER;
use super::verify::{self, EXPIRY_GRACE_SECS, TokenRejection};
use crate::account::{Provider, strip_scheme};

/// One check's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The token passes it.
    Pass,
    /// The token fails it: AWS's answer, and what fixes it.
    Fail {
        /// AWS's error type and message.
        answer: String,
        /// The smallest change that fixes it.
        fix: String,
    },
    /// Not evaluated, and why.
    Skipped(String),
}

/// One check of the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// What is checked.
    pub name: &'static str,
    /// The values compared.
    pub compared: String,
    /// The outcome.
    pub verdict: Verdict,
}

fn fail(rejection: &TokenRejection, fix: impl Into<String>) -> Verdict {
    Verdict::Fail { answer: format!("NotAuthorizedException: {rejection}"), fix: fix.into() }
}

fn show(value: Option<&Value>) -> String {
    value.map_or_else(|| "absent".to_owned(), Value::to_string)
}

/// Explains `Logins[logins_key] = token` for a pool whose trusted provider of that name is
/// `provider` (or `Err` with the names it trusts), at time `now`.
pub fn explain(
    logins_key: &str,
    token: &str,
    provider: Result<&Provider, Vec<String>>,
    now: i64,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let jwt = match verify::parse(token) {
        Ok(jwt) => jwt,
        Err(rejection) => {
            let fix = "send the ID or access token itself (three base64url parts), not a code, an opaque token or a JSON object";
            checks.push(Check {
                name: "the value is a JWT",
                compared: rejection.explain(),
                verdict: fail(&rejection, fix),
            });
            return checks;
        }
    };
    checks.push(Check {
        name: "the value is a JWT",
        compared: format!("header {}", Value::Object(jwt.header.clone())),
        verdict: Verdict::Pass,
    });
    let claims: &Map<String, Value> = &jwt.claims;
    let iss = claims.get("iss").and_then(Value::as_str);
    if iss == Some(COGNITO_ISSUER) {
        let rejection = TokenRejection::CognitoToken;
        checks.push(Check {
            name: "not Cognito's own token",
            compared: format!("iss {COGNITO_ISSUER}"),
            verdict: fail(&rejection, rejection.explain()),
        });
    }
    let issuer_verdict = match iss {
        Some(iss) if strip_scheme(iss) == logins_key => Verdict::Pass,
        _ => {
            let rejection = TokenRejection::IssuerMismatch {
                iss: iss.map(str::to_owned),
                provider_name: logins_key.to_owned(),
            };
            let fix = match iss {
                Some(iss) => format!(
                    "use the Logins key {:?} (the iss without its scheme), and an IAM OIDC provider for {iss:?}",
                    strip_scheme(iss)
                ),
                None => "the token has no iss: it is not an OIDC token".to_owned(),
            };
            fail(&rejection, fix)
        }
    };
    checks.push(Check {
        name: "iss without the scheme equals the Logins key",
        compared: format!("iss {} vs key {logins_key:?}", show(claims.get("iss"))),
        verdict: issuer_verdict,
    });
    let provider = match provider {
        Ok(provider) => {
            checks.push(Check {
                name: "the pool trusts the provider",
                compared: format!("{} is in the pool's providers", provider.name),
                verdict: Verdict::Pass,
            });
            Some(provider)
        }
        Err(trusted) => {
            let rejection = TokenRejection::UnsupportedProvider {
                provider_name: logins_key.to_owned(),
                trusted: trusted.clone(),
            };
            let verdict = fail(&rejection, rejection.explain());
            checks.push(Check {
                name: "the pool trusts the provider",
                compared: format!("{logins_key:?} vs {trusted:?}"),
                verdict,
            });
            None
        }
    };
    checks.push(Check {
        name: "the RS256 signature verifies with the issuer's JWKS",
        compared: format!(
            "alg {}, kid {}",
            show(jwt.header.get("alg")),
            show(jwt.header.get("kid"))
        ),
        verdict: Verdict::Skipped(
            "explain works offline and does not fetch keys; mock-cognito checks it".to_owned(),
        ),
    });
    match provider {
        Some(provider) => {
            let verdict = match verify::check_audience(claims, &provider.client_ids) {
                Ok(()) => Verdict::Pass,
                Err(rejection) => fail(&rejection, rejection.explain()),
            };
            let used = if claims.contains_key("azp") {
                format!("azp {}", show(claims.get("azp")))
            } else {
                format!("aud {}", show(claims.get("aud")))
            };
            checks.push(Check {
                name: "azp (if present), else aud, is a client ID of the provider",
                compared: format!("{used} vs {:?}", provider.client_ids),
                verdict,
            });
        }
        None => checks.push(Check {
            name: "azp (if present), else aud, is a client ID of the provider",
            compared: format!("aud {}", show(claims.get("aud"))),
            verdict: Verdict::Skipped("no trusted provider to compare with".to_owned()),
        }),
    }
    let exp_verdict = match claims.get("exp").and_then(Value::as_i64) {
        None => fail(&TokenRejection::MissingClaim("exp"), "the token must carry exp"),
        Some(exp) if now >= exp + EXPIRY_GRACE_SECS => {
            let rejection = TokenRejection::Expired { now, exp };
            fail(
                &rejection,
                "get a fresh token (refresh before exp), or fix the clock that makes it look expired",
            )
        }
        Some(_) => Verdict::Pass,
    };
    checks.push(Check {
        name: "exp is at most 300 s past",
        compared: format!("exp {} vs now {now}", show(claims.get("exp"))),
        verdict: exp_verdict,
    });
    let sub_verdict = match claims.get("sub").and_then(Value::as_str) {
        Some(sub) if !sub.is_empty() => Verdict::Pass,
        _ => fail(&TokenRejection::MissingClaim("sub"), "the token must carry sub"),
    };
    checks.push(Check {
        name: "sub is present",
        compared: format!("sub {}", show(claims.get("sub"))),
        verdict: sub_verdict,
    });
    checks
}

/// Explains STS `AssumeRoleWithWebIdentity` with `token` in an account whose IAM OIDC
/// providers are `providers`, at time `now`: the checks of `sts.rs` in its order, with the
/// same answers. The signature and the role's trust policy are left to the server.
pub fn explain_web_identity(token: &str, providers: &[Provider], now: i64) -> Vec<Check> {
    use super::web_identity::{
        INCORRECT_AUDIENCE, NOT_A_JWT, audience, no_provider, token_expired,
    };
    let sts_fail = |code: &str, message: String, fix: &str| Verdict::Fail {
        answer: format!("{code}: {message}"),
        fix: fix.to_owned(),
    };
    let server = || Verdict::Skipped("checked by the server, not here".to_owned());
    let mut checks = Vec::new();
    let jwt = verify::parse(token).ok();
    let iss = jwt.as_ref().and_then(|j| j.claims.get("iss")).and_then(Value::as_str);
    let (Some(jwt), Some(iss)) = (&jwt, iss) else {
        checks.push(Check {
            name: "the token is a JWT with an iss",
            compared: verify::parse(token).err().map_or("no iss claim".to_owned(), |r| r.explain()),
            verdict: sts_fail(
                "InvalidIdentityToken",
                NOT_A_JWT.to_owned(),
                "send the OIDC token itself (three base64url parts with an iss)",
            ),
        });
        return checks;
    };
    checks.push(Check {
        name: "the token is a JWT with an iss",
        compared: format!("iss {iss}"),
        verdict: Verdict::Pass,
    });
    if iss == COGNITO_ISSUER {
        checks.push(Check {
            name: "the signature verifies with this endpoint's Cognito key",
            compared: "Cognito's own token (GetOpenIdToken)".to_owned(),
            verdict: server(),
        });
    } else {
        let urls: Vec<&str> = providers.iter().map(|p| p.url.as_str()).collect();
        let Some(provider) = providers.iter().find(|p| p.url == iss) else {
            checks.push(Check {
                name: "iss names an IAM OIDC provider of the account",
                compared: format!("iss {iss}; the account's providers {urls:?}"),
                verdict: sts_fail(
                    "InvalidIdentityToken",
                    no_provider(iss),
                    "create an IAM OIDC provider whose URL is exactly the token's iss (scheme included, no trailing slash)",
                ),
            });
            return checks;
        };
        checks.push(Check {
            name: "iss names an IAM OIDC provider of the account",
            compared: format!("{iss} → {}", provider.arn),
            verdict: Verdict::Pass,
        });
        checks.push(Check {
            name: "the signature verifies with the issuer's JWKS",
            compared: format!("kid {}", show(jwt.header.get("kid"))),
            verdict: server(),
        });
        let (azp, aud) = (show(jwt.claims.get("azp")), show(jwt.claims.get("aud")));
        let verdict = match audience(&jwt.claims, &provider.client_ids) {
            Some(_) => Verdict::Pass,
            None => sts_fail(
                "InvalidIdentityToken",
                INCORRECT_AUDIENCE.to_owned(),
                &format!(
                    "add the token's {} to the provider's client IDs, or send the token whose aud is listed",
                    if jwt.claims.contains_key("azp") {
                        format!("azp {azp}")
                    } else {
                        format!("aud {aud}")
                    }
                ),
            ),
        };
        checks.push(Check {
            name: "azp, else aud, is one of the provider's client IDs",
            compared: format!(
                "azp {azp}, aud {aud}; the provider accepts {:?}",
                provider.client_ids
            ),
            verdict,
        });
        if matches!(checks.last().map(|c| &c.verdict), Some(Verdict::Fail { .. })) {
            return checks;
        }
    }
    let exp = jwt.claims.get("exp").and_then(Value::as_i64);
    let verdict = match exp {
        None => sts_fail("InvalidIdentityToken", NOT_A_JWT.to_owned(), "send a token with exp"),
        Some(exp) if now >= exp + EXPIRY_GRACE_SECS => sts_fail(
            "ExpiredTokenException",
            token_expired(now, exp),
            "get a fresh token (or fix the clock that makes it look expired)",
        ),
        Some(_) => Verdict::Pass,
    };
    let failed = !matches!(verdict, Verdict::Pass);
    checks.push(Check {
        name: "exp has not passed (with the 300 s grace)",
        compared: format!("exp {}, now {now}", show(jwt.claims.get("exp"))),
        verdict,
    });
    if failed {
        return checks;
    }
    let sub = jwt.claims.get("sub").and_then(Value::as_str);
    checks.push(Check {
        name: "the token has a sub",
        compared: format!("sub {}", show(jwt.claims.get("sub"))),
        verdict: match sub {
            Some(_) => Verdict::Pass,
            None => sts_fail("InvalidIdentityToken", NOT_A_JWT.to_owned(), "send a token with sub"),
        },
    });
    if sub.is_some() {
        checks.push(Check {
            name: "the role's trust policy allows this federated principal",
            compared: "the role and its conditions on aud, sub and amr".to_owned(),
            verdict: server(),
        });
    }
    checks
}

/// STS's checks as text, like [`render`].
pub fn render_web_identity(checks: &[Check]) -> String {
    render_titled(
        "STS's checks of AssumeRoleWithWebIdentity's token, in order (STS stops at the first failure):\n",
        checks,
    )
}

/// The checks as text: one line each, with AWS's answer and the fix under a failure.
pub fn render(logins_key: &str, checks: &[Check]) -> String {
    render_titled(
        &format!(
            "Cognito's checks of Logins[{logins_key:?}], in AWS's order (AWS stops at the first failure):\n"
        ),
        checks,
    )
}

fn render_titled(title: &str, checks: &[Check]) -> String {
    let mut out = title.to_owned();
    for (i, check) in checks.iter().enumerate() {
        let verdict = match &check.verdict {
            Verdict::Pass => "pass".to_owned(),
            Verdict::Fail { .. } => "FAIL".to_owned(),
            Verdict::Skipped(why) => format!("skipped: {why}"),
        };
        out.push_str(&format!(
            "  {}. {} — {verdict}\n       {}\n",
            i + 1,
            check.name,
            check.compared
        ));
        if let Verdict::Fail { answer, fix } = &check.verdict {
            out.push_str(&format!("       AWS answers: {answer}\n       fix: {fix}\n"));
        }
    }
    match checks.iter().find(|c| matches!(c.verdict, Verdict::Fail { .. })) {
        Some(first) => out.push_str(&format!("Verdict: refused at \"{}\".\n", first.name)),
        None => out.push_str("Verdict: accepted (the signature was not checked here).\n"),
    }
    out
}

#[cfg(test)]
mod tests {
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
        Provider {
            url: "https://dev-1.okta.com/oauth2/default".into(),
            name: "dev-1.okta.com/oauth2/default".into(),
            arn: "arn:aws:iam::123456789012:oidc-provider/dev-1.okta.com/oauth2/default".into(),
            client_ids: client_ids.iter().map(|c| (*c).to_owned()).collect(),
            thumbprints: vec![],
            created: 0,
        }
    }

    fn failed(checks: &[Check]) -> (&'static str, String, String) {
        let last = checks.iter().find(|c| matches!(c.verdict, Verdict::Fail { .. })).unwrap();
        let Verdict::Fail { answer, fix } = &last.verdict else { unreachable!() };
        (last.name, answer.clone(), fix.clone())
    }

    #[test]
    fn sts_s_checks_pass_a_good_token_and_leave_signature_and_trust_to_the_server() {
        let iss = "https://dev-1.okta.com/oauth2/default";
        let good = token(json!({"iss": iss, "aud": "api://default", "exp": 2000, "sub": "u"}));
        let checks = explain_web_identity(&good, &[provider(&["api://default"])], 1000);
        assert!(checks.iter().all(|c| !matches!(c.verdict, Verdict::Fail { .. })), "{checks:?}");
        let skipped: Vec<_> = checks
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::Skipped(_)))
            .map(|c| c.name)
            .collect();
        assert_eq!(
            skipped,
            [
                "the signature verifies with the issuer's JWKS",
                "the role's trust policy allows this federated principal"
            ]
        );
    }

    #[test]
    fn sts_s_checks_fail_where_sts_does_with_its_answers() {
        let iss = "https://dev-1.okta.com/oauth2/default";
        let providers = [provider(&["api://default"])];
        let id_token = token(json!({"iss": iss, "aud": "0oaclient", "exp": 2000, "sub": "u"}));
        assert_eq!(
            failed(&explain_web_identity(&id_token, &providers, 1000)),
            (
                "azp, else aud, is one of the provider's client IDs",
                "InvalidIdentityToken: Incorrect token audience".to_owned(),
                "add the token's aud \"0oaclient\" to the provider's client IDs, or send the token whose aud is listed".to_owned()
            )
        );
        let other = token(json!({"iss": "https://dev-2.okta.com", "aud": "api://default"}));
        let (name, answer, _) = failed(&explain_web_identity(&other, &providers, 1000));
        assert_eq!(name, "iss names an IAM OIDC provider of the account");
        assert_eq!(
            answer,
            "InvalidIdentityToken: No OpenIDConnect provider found in your account for https://dev-2.okta.com"
        );
        let old = token(json!({"iss": iss, "aud": "api://default", "exp": 1000, "sub": "u"}));
        let (name, answer, _) = failed(&explain_web_identity(&old, &providers, 1300));
        assert_eq!(name, "exp has not passed (with the 300 s grace)");
        assert_eq!(
            answer,
            "ExpiredTokenException: Token expired: current date/time 1300 must be before the expiration date/time 1000"
        );
        assert!(
            explain_web_identity(&old, &providers, 1299)
                .iter()
                .all(|c| !matches!(c.verdict, Verdict::Fail { .. }))
        );
        let (name, answer, _) = failed(&explain_web_identity("opaque", &providers, 0));
        assert_eq!(name, "the token is a JWT with an iss");
        assert!(
            answer.starts_with("InvalidIdentityToken: The ID Token provided is not a valid JWT.")
        );
        let text = render_web_identity(&explain_web_identity(&id_token, &providers, 1000));
        assert!(text.starts_with("STS's checks of AssumeRoleWithWebIdentity's token"), "{text}");
        assert!(text.contains("FAIL"), "{text}");
    }

    #[test]
    fn an_access_token_against_a_client_id_provider_fails_at_the_audience_with_the_fix() {
        let t = token(
            json!({"iss": "https://dev-1.okta.com/oauth2/default", "aud": "api://default", "exp": 2_000, "sub": "alice"}),
        );
        let p = provider(&["0oaclient"]);
        let checks = explain("dev-1.okta.com/oauth2/default", &t, Ok(&p), 1_000);
        let failed: Vec<&Check> =
            checks.iter().filter(|c| matches!(c.verdict, Verdict::Fail { .. })).collect();
        assert_eq!(failed.len(), 1);
        let Verdict::Fail { answer, fix } = &failed[0].verdict else { unreachable!() };
        assert_eq!(
            answer,
            "NotAuthorizedException: Invalid login token. Incorrect token audience."
        );
        assert!(
            fix.contains("add \"api://default\" to the provider's client IDs")
                && fix.contains("ID token"),
            "{fix}"
        );
        assert!(
            matches!(checks[3].verdict, Verdict::Skipped(_)),
            "the signature is never claimed as checked"
        );
        let text = render("dev-1.okta.com/oauth2/default", &checks);
        assert!(
            text.contains(
                "Verdict: refused at \"azp (if present), else aud, is a client ID of the provider\""
            ),
            "{text}"
        );
    }

    #[test]
    fn a_key_with_the_scheme_and_an_expired_token_fail_with_aws_words() {
        let t = token(
            json!({"iss": "https://dev-1.okta.com/oauth2/default", "aud": "api://default", "exp": 1_000, "sub": "alice"}),
        );
        let p = provider(&["api://default"]);
        let checks = explain("https://dev-1.okta.com/oauth2/default", &t, Ok(&p), 1_300);
        let answers: Vec<String> = checks
            .iter()
            .filter_map(|c| match &c.verdict {
                Verdict::Fail { answer, .. } => Some(answer.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            answers,
            [
                "NotAuthorizedException: Invalid login token. Issuer doesn't match providerName",
                "NotAuthorizedException: Invalid login token. Token expired: 1300 >= 1000"
            ]
        );
    }

    #[test]
    fn garbage_is_explained_as_not_a_jwt() {
        let checks = explain("k", "not-a-token", Err(vec![]), 0);
        assert_eq!(checks.len(), 1);
        assert!(
            matches!(&checks[0].verdict, Verdict::Fail { answer, .. } if answer.ends_with("Not a valid OpenId Connect identity token."))
        );
    }
}
