//! `fedmock explain`: every check Cognito makes on a `Logins` entry, in order, with the value
//! it compared, the verdict, AWS's answer for a failure and the smallest change that fixes it.
//!
//! It runs offline, so a real token pasted from production can be explained: the signature
//! check is skipped and the report says so. The decisions are the live verifier's own
//! functions (`verify.rs`), so an explanation never disagrees with what mock-cognito answers.

use serde_json::{Map, Value};

use crate::openid::COGNITO_ISSUER;
use crate::verify::{self, EXPIRY_GRACE_SECS, Provider, TokenRejection, strip_scheme};

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

/// The checks as text: one line each, with AWS's answer and the fix under a failure.
pub fn render(logins_key: &str, checks: &[Check]) -> String {
    let mut out = format!(
        "Cognito's checks of Logins[{logins_key:?}], in AWS's order (AWS stops at the first failure):\n"
    );
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
