//! The RS256 signature of an issuer's token, verified with the issuer's keys as AWS learns
//! them (discovery → JWKS, cached): shared by Cognito's and STS's checks, which word its
//! failures differently.

use serde_json::Value;

use super::jwks::{JwksCache, JwksError};
use super::token::Jwt;

/// Why a signature was not verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The issuer's keys could not be fetched or read.
    Unreachable(String),
    /// No key for the token's `kid` (also: not yet in the cached keys).
    NoKey(String),
    /// The signature is not RS256, or no key verifies it.
    Bad(String),
}

impl Failure {
    /// What went wrong, for the log and `fedmock explain`.
    pub fn reason(&self) -> &str {
        match self {
            Failure::Unreachable(r) | Failure::NoKey(r) | Failure::Bad(r) => r,
        }
    }
}

/// What a verified signature was checked with, as a check shows it (made only when shown).
pub(crate) fn verified_with(jwt: &Jwt<'_>) -> String {
    format!("RS256, kid {}", jwt.header_field("kid").unwrap_or("(none)"))
}

/// Verifies `jwt`'s signature with the keys of `iss` ([`verified_with`] says what with).
pub(crate) async fn verify(jwks: &JwksCache, iss: &str, jwt: &Jwt<'_>) -> Result<(), Failure> {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    let alg = jwt.header.get("alg").and_then(Value::as_str);
    if alg != Some("RS256") {
        return Err(Failure::Bad(format!("alg is {alg:?}; AWS accepts RSA signatures (RS256)")));
    }
    if jwt.verified_fresh {
        // Verified before by a key of the issuer's current, unexpired fetch: `keys` would
        // return that fetch's keys and `verified_before` say yes.
        return Ok(());
    }
    let kid = jwt.header_field("kid");
    let keys = jwks.keys(iss, kid).await.map_err(|e| match e {
        JwksError::NoKey { kid, jwks_uri } => {
            Failure::NoKey(format!("the issuer's JWKS ({jwks_uri}) has no key with kid {kid:?}"))
        }
        JwksError::NotCachedYet { kid, jwks_uri, refresh_at } => Failure::NoKey(format!(
            "kid {kid:?} is not among the keys cached from {jwks_uri}; AWS caches an issuer's keys for about ten minutes, so a key rotated in since the last fetch is seen from {refresh_at} (publish new keys before signing with them, or wait)"
        )),
        JwksError::Unreachable(why) => Failure::Unreachable(format!("could not fetch the issuer's keys: {why}")),
    })?;
    if JwksCache::verified_before(jwt, &keys) {
        return Ok(());
    }
    let signature = B64
        .decode(jwt.signature)
        .map_err(|_| Failure::Bad("the signature is not base64url".to_owned()))?;
    if let Some(key) =
        keys.iter().find(|key| key.verify_sig(jwt.signed.as_bytes(), &signature).is_ok())
    {
        jwks.remember_verified(jwt.token, key, &keys);
        Ok(())
    } else {
        Err(Failure::Bad(format!(
            "the signature does not verify with the published key for kid {kid:?}"
        )))
    }
}
