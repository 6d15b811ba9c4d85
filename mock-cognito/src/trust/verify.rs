//! How Cognito checks a token in `Logins`, in AWS's order (docs/reference/cognito.md §2.2):
//!
//! 1. the token is a JWT at all;
//! 2. its `iss`, without the scheme, equals the `Logins` key;
//! 3. the key names an OIDC provider the pool trusts;
//! 4. the RS256 signature verifies with a key from the issuer's JWKS (fetched over HTTP);
//! 5. `azp` if present, else `aud` (string or array), is in the provider's client IDs;
//! 6. `exp` is not more than five minutes past;
//! 7. `sub` is present.
//!
//! Each failure is a [`TokenRejection`] whose `Display` is AWS's message word for word and
//! whose [`TokenRejection::explain`] says what was compared, for logs and `fedmock explain`.
//! Messages marked *inferred* below are not seen in a public AWS response; the others are.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Map, Value};

use super::jwks::{JwksCache, JwksError};
use crate::account::{Provider, strip_scheme};
use crate::error::AwsError;

/// Clock skew AWS allows past `exp` (docs/reference/cognito.md §2.2, RFC 7523).
pub const EXPIRY_GRACE_SECS: i64 = 300;

/// A login that passed every check.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedLogin {
    /// The provider name (the `Logins` key).
    pub provider: String,
    /// The token's `sub`.
    pub sub: String,
    /// All claims, for role rules and principal tags.
    pub claims: Map<String, Value>,
}

/// Why Cognito refuses a login token. `Display` is AWS's message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenRejection {
    /// Not a JWT with JSON header and claims.
    #[error("Invalid login token. Not a valid OpenId Connect identity token.")]
    NotAJwt {
        /// What was wrong with it.
        reason: String,
    },
    /// A token Cognito itself issued (`GetOpenIdToken`) was put in `Logins`.
    #[error("Invalid login token. Can't pass in a Cognito token.")]
    CognitoToken,
    /// `iss` minus its scheme is not the `Logins` key.
    #[error("Invalid login token. Issuer doesn't match providerName")]
    IssuerMismatch {
        /// The token's `iss`, if any.
        iss: Option<String>,
        /// The `Logins` key.
        provider_name: String,
    },
    /// The `Logins` key names no OIDC provider that this pool trusts.
    #[error("Token is not from a supported provider of this identity pool.")]
    UnsupportedProvider {
        /// The `Logins` key.
        provider_name: String,
        /// The provider names the pool trusts.
        trusted: Vec<String>,
    },
    /// No published key verifies the signature (wrong key, unknown `kid`, tampered token,
    /// not RS256, or JWKS unreachable; AWS's text for the last three is inferred).
    #[error("Invalid login token. Couldn't verify signed token.")]
    Signature {
        /// What failed.
        reason: String,
    },
    /// The issuer's keys could not be fetched (discovery or JWKS unreachable or invalid).
    /// Cognito's text for this case is inferred to be the signature one.
    #[error("Invalid login token. Couldn't verify signed token.")]
    KeysUnavailable {
        /// What failed.
        reason: String,
    },
    /// Neither `azp` (if present) nor `aud` is an accepted client ID.
    #[error("Invalid login token. Incorrect token audience.")]
    Audience {
        /// `azp` or `aud`.
        claim: &'static str,
        /// The values the token carries.
        found: Vec<String>,
        /// The provider's `ClientIDList`.
        accepted: Vec<String>,
    },
    /// A claim Cognito needs is absent (`aud` is observed; `exp` and `sub` inferred).
    #[error("Invalid login token. Missing a required claim: {0}")]
    MissingClaim(&'static str),
    /// `exp` is more than [`EXPIRY_GRACE_SECS`] in the past.
    #[error("Invalid login token. Token expired: {now} >= {exp}")]
    Expired {
        /// The verifier's time.
        now: i64,
        /// The token's `exp`.
        exp: i64,
    },
}

impl TokenRejection {
    /// One sentence on what was compared and how to fix it.
    pub fn explain(&self) -> String {
        match self {
            Self::NotAJwt { reason } => format!("the Logins value is not a JWT: {reason}"),
            Self::CognitoToken => {
                "Cognito's own OpenID token goes to STS (basic flow), not into Logins".to_owned()
            }
            Self::IssuerMismatch { iss, provider_name } => format!(
                "the token's iss is {} and the Logins key is {provider_name:?}; the key must be the iss without \"https://\"",
                iss.as_deref().map_or("absent".to_owned(), |i| format!("{i:?}"))
            ),
            Self::UnsupportedProvider { provider_name, trusted } => format!(
                "the pool trusts the OIDC providers {trusted:?}, not {provider_name:?}; add the provider's ARN to OpenIdConnectProviderARNs"
            ),
            Self::Signature { reason } => format!("signature check failed: {reason}"),
            Self::KeysUnavailable { reason } => {
                format!("could not fetch the issuer's keys: {reason}")
            }
            Self::Audience { claim, found, accepted } => format!(
                "the token's {claim} is {found:?}; the provider accepts {accepted:?}; add {} to the provider's client IDs{}",
                found.first().map_or("it".to_owned(), |f| format!("{f:?}")),
                if *claim == "aud" {
                    ", or send a token whose aud is one of them (an Okta ID token's aud is the client id)"
                } else {
                    ""
                }
            ),
            Self::MissingClaim(claim) => format!("the token has no {claim} claim"),
            Self::Expired { now, exp } => format!(
                "the token expired at {exp}; it is now {now}, {}s later, past the {EXPIRY_GRACE_SECS}s grace",
                now - exp
            ),
        }
    }
}

impl From<TokenRejection> for AwsError {
    fn from(rejection: TokenRejection) -> Self {
        AwsError::not_authorized(rejection.to_string()).with_detail(rejection.explain())
    }
}

/// A JWT split into its parts, without any check beyond syntax.
pub(crate) struct Jwt<'t> {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    pub signed: &'t str,
    pub signature: &'t str,
}

pub(crate) fn parse(token: &str) -> Result<Jwt<'_>, TokenRejection> {
    let not_jwt = |reason: &str| TokenRejection::NotAJwt { reason: reason.to_owned() };
    let (signed, signature) = token.rsplit_once('.').ok_or_else(|| not_jwt("no '.' separators"))?;
    let (header, claims) = signed.split_once('.').ok_or_else(|| not_jwt("two parts, not three"))?;
    if claims.contains('.') {
        return Err(not_jwt("more than three parts (an encrypted JWE?)"));
    }
    let object = |part: &str, name: &str| -> Result<Map<String, Value>, TokenRejection> {
        let bytes = B64.decode(part).map_err(|_| not_jwt(&format!("{name} is not base64url")))?;
        serde_json::from_slice(&bytes).map_err(|_| not_jwt(&format!("{name} is not a JSON object")))
    };
    Ok(Jwt {
        header: object(header, "header")?,
        claims: object(claims, "payload")?,
        signed,
        signature,
    })
}

/// A JWT's claims, read without any check beyond syntax; `None` for anything that is not one
/// (what `fedmock explain` and the scenario runner read a token's `iss` or `exp` with).
pub fn unverified_claims(token: &str) -> Option<Map<String, Value>> {
    parse(token).ok().map(|jwt| jwt.claims)
}

/// Checks one `Logins` entry. `trusted` is the provider named `provider_name` if the pool
/// trusts it.
pub async fn verify_login(
    jwks: &JwksCache,
    now: i64,
    provider_name: &str,
    trusted: Result<&Provider, Vec<String>>,
    token: &str,
) -> Result<VerifiedLogin, TokenRejection> {
    let jwt = parse(token)?;
    let iss = jwt.claims.get("iss").and_then(Value::as_str);
    if iss == Some(super::openid::COGNITO_ISSUER) {
        return Err(TokenRejection::CognitoToken);
    }
    let Some(iss) = iss.filter(|i| strip_scheme(i) == provider_name) else {
        return Err(TokenRejection::IssuerMismatch {
            iss: iss.map(str::to_owned),
            provider_name: provider_name.to_owned(),
        });
    };
    let provider = trusted.map_err(|trusted| TokenRejection::UnsupportedProvider {
        provider_name: provider_name.to_owned(),
        trusted,
    })?;
    verify_signature(jwks, iss, &jwt).await?;
    match check_audience(&jwt.claims, &provider.client_ids) {
        // A user pool's app client that the identity pool does not list is an unsupported
        // provider, not an audience error (observed, docs/reference/cognito.md §2.4).
        Err(TokenRejection::Audience { .. }) if provider.name.starts_with("cognito-idp.") => {
            return Err(TokenRejection::UnsupportedProvider {
                provider_name: format!(
                    "{} (app client {:?})",
                    provider.name,
                    jwt.claims.get("aud")
                ),
                trusted: provider.client_ids.clone(),
            });
        }
        other => other?,
    }
    let exp = match jwt.claims.get("exp") {
        None => return Err(TokenRejection::MissingClaim("exp")),
        Some(exp) => exp.as_i64().or_else(|| exp.as_f64().map(|f| f as i64)).ok_or_else(|| {
            TokenRejection::NotAJwt { reason: format!("exp is {exp}, not a number") }
        })?,
    };
    if now >= exp + EXPIRY_GRACE_SECS {
        return Err(TokenRejection::Expired { now, exp });
    }
    let sub = match jwt.claims.get("sub").and_then(Value::as_str) {
        Some(sub) if !sub.is_empty() => sub.to_owned(),
        _ => return Err(TokenRejection::MissingClaim("sub")),
    };
    Ok(VerifiedLogin { provider: provider.name.clone(), sub, claims: jwt.claims })
}

pub(crate) async fn verify_signature(
    jwks: &JwksCache,
    iss: &str,
    jwt: &Jwt<'_>,
) -> Result<(), TokenRejection> {
    let fail = |reason: String| TokenRejection::Signature { reason };
    match jwt.header.get("alg").and_then(Value::as_str) {
        Some("RS256") => {}
        other => {
            return Err(fail(format!("alg is {other:?}; Cognito accepts RSA signatures (RS256)")));
        }
    }
    let kid = jwt.header.get("kid").and_then(Value::as_str);
    let keys = jwks.keys(iss, kid).await.map_err(|e| match e {
        JwksError::NoKey { kid, jwks_uri } => {
            fail(format!("the issuer's JWKS ({jwks_uri}) has no key with kid {kid:?}"))
        }
        JwksError::NotCachedYet { kid, jwks_uri, refresh_at } => fail(format!(
            "kid {kid:?} is not among the keys cached from {jwks_uri}; identity pools cache an issuer's keys for about ten minutes, so a key rotated in since the last fetch is seen from {refresh_at} (publish new keys before signing with them, or wait)"
        )),
        JwksError::Unreachable(why) => TokenRejection::KeysUnavailable { reason: why },
    })?;
    let signature =
        B64.decode(jwt.signature).map_err(|_| fail("the signature is not base64url".to_owned()))?;
    if keys.iter().any(|key| key.verify_sig(jwt.signed.as_bytes(), &signature).is_ok()) {
        return Ok(());
    }
    Err(fail(format!("the signature does not verify with the published key for kid {kid:?}")))
}

pub(crate) fn check_audience(
    claims: &Map<String, Value>,
    accepted: &[String],
) -> Result<(), TokenRejection> {
    let (claim, value) = match (claims.get("azp"), claims.get("aud")) {
        (Some(azp), _) => ("azp", azp),
        (None, Some(aud)) => ("aud", aud),
        (None, None) => return Err(TokenRejection::MissingClaim("aud")),
    };
    let found: Vec<String> = match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        other => vec![other.to_string()],
    };
    if found.iter().any(|f| accepted.contains(f)) {
        Ok(())
    } else {
        Err(TokenRejection::Audience { claim, found, accepted: accepted.to_vec() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn azp_wins_over_aud_when_present() {
        let ok = vec!["0oaclient".to_owned()];
        assert!(
            check_audience(&claims(json!({"aud": "api://default", "azp": "0oaclient"})), &ok)
                .is_ok()
        );
        let err =
            check_audience(&claims(json!({"aud": "0oaclient", "azp": "other"})), &ok).unwrap_err();
        assert_eq!(err.to_string(), "Invalid login token. Incorrect token audience.");
        assert!(matches!(err, TokenRejection::Audience { claim: "azp", .. }));
    }

    #[test]
    fn any_element_of_an_array_aud_is_enough() {
        let ok = vec!["b".to_owned()];
        assert!(check_audience(&claims(json!({"aud": ["a", "b"]})), &ok).is_ok());
        assert!(check_audience(&claims(json!({"aud": ["a", "c"]})), &ok).is_err());
    }

    #[test]
    fn a_token_without_aud_or_azp_misses_aud() {
        let err = check_audience(&claims(json!({"sub": "x"})), &[]).unwrap_err();
        assert_eq!(err.to_string(), "Invalid login token. Missing a required claim: aud");
    }

    #[test]
    fn parse_refuses_what_is_not_a_jws() {
        for bad in ["not-a-jwt", "a.b", "a.b.c.d.e", "e30.!!!.c", "WzFd.e30.c"] {
            assert!(matches!(parse(bad), Err(TokenRejection::NotAJwt { .. })), "{bad}");
        }
        assert!(parse("e30.e30.c2ln").is_ok(), "{{}}.{{}}.sig is syntactically a JWS");
    }

    #[test]
    fn messages_are_aws_words() {
        assert_eq!(
            TokenRejection::Expired { now: 1727419245, exp: 1727407607 }.to_string(),
            "Invalid login token. Token expired: 1727419245 >= 1727407607"
        );
        assert_eq!(
            TokenRejection::IssuerMismatch { iss: None, provider_name: "x".into() }.to_string(),
            "Invalid login token. Issuer doesn't match providerName"
        );
    }
}
