//! Cognito's own OpenID tokens (`GetOpenIdToken`, docs/reference/cognito.md §3.2): RS512 JWTs from
//! `https://cognito-identity.amazonaws.com` with `aud` = pool id, `sub` = identity id and
//! `amr`, valid ten minutes, signed by a key published at this endpoint's
//! `/.well-known/jwks_uri` (discovery at `/.well-known/openid-configuration`).
//!
//! The key is generated on first use, like mock-okta's, so start-up does no crypto.

use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA512};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Map, Value, json};
use tokio::sync::OnceCell;

/// The issuer of Cognito's OpenID tokens.
pub const COGNITO_ISSUER: &str = "https://cognito-identity.amazonaws.com";

/// Lifetime of a `GetOpenIdToken` token ("valid for 10 minutes").
pub const OPEN_ID_TOKEN_LIFETIME_SECS: i64 = 600;

/// Cognito's signing key for one region.
pub(crate) struct CognitoKey {
    kid: String,
    pair: KeyPair,
}

impl std::fmt::Debug for CognitoKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl CognitoKey {
    fn generate(region: &str, pkcs8: Option<&[u8]>) -> Self {
        let pair = match pkcs8 {
            // Checked when the state was built (`LazyKey::new`).
            Some(der) => KeyPair::from_pkcs8(der).expect("a checked PKCS#8 key"),
            None => KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation"),
        };
        // Real kids look like `ap-northeast-11`: the region and a number.
        Self { kid: format!("{region}1"), pair }
    }

    /// Signs `claims` as `{"kid","typ":"JWS","alg":"RS512"}`.
    pub fn sign(&self, claims: &Value) -> String {
        let header = B64.encode(json!({"kid": self.kid, "typ": "JWS", "alg": "RS512"}).to_string());
        let payload = B64.encode(claims.to_string());
        let input = format!("{header}.{payload}");
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA512,
                &aws_lc_rs::rand::SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .expect("RS512 signing with a valid key cannot fail");
        format!("{input}.{}", B64.encode(signature))
    }

    /// The claims of `token` if this key signed it (expiry is the caller's business).
    pub fn verify(&self, token: &str) -> Option<Map<String, Value>> {
        let (input, signature) = token.rsplit_once('.')?;
        let public = PublicKeyComponents::<Vec<u8>>::from(self.pair.public_key());
        aws_lc_rs::signature::RsaPublicKeyComponents { n: public.n, e: public.e }
            .verify(
                &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA512,
                input.as_bytes(),
                &B64.decode(signature).ok()?,
            )
            .ok()?;
        serde_json::from_slice(&B64.decode(input.split('.').nth(1)?).ok()?).ok()
    }

    /// The JWKS, as AWS publishes it.
    pub fn jwks(&self) -> Value {
        let public = PublicKeyComponents::<Vec<u8>>::from(self.pair.public_key());
        json!({"keys": [{"kty": "RSA", "alg": "RS512", "use": "sig", "kid": self.kid, "e": B64.encode(public.e), "n": B64.encode(public.n)}]})
    }
}

/// The lazily made key of one endpoint: generated, or the configured one
/// (`openid_signing_key_pem`, which a world's seed fills so replicas sign alike).
#[derive(Debug, Default)]
pub(crate) struct LazyKey {
    key: OnceCell<CognitoKey>,
    pkcs8: Option<std::sync::Arc<[u8]>>,
}

impl LazyKey {
    /// A key made from `pem` (PKCS#8) when given, else generated on first use.
    pub fn new(pem: Option<&str>) -> Result<Self, String> {
        let pkcs8 = match pem {
            None => None,
            Some(text) => {
                let der = pem::parse(text).map_err(|e| e.to_string())?.into_contents();
                KeyPair::from_pkcs8(&der).map_err(|e| e.to_string())?;
                Some(der.into())
            }
        };
        Ok(Self { key: OnceCell::new(), pkcs8 })
    }

    pub async fn get(&self, region: &str) -> &CognitoKey {
        self.key
            .get_or_init(|| async {
                let region = region.to_owned();
                let pkcs8 = self.pkcs8.clone();
                tokio::task::spawn_blocking(move || CognitoKey::generate(&region, pkcs8.as_deref()))
                    .await
                    .expect("key generation thread")
            })
            .await
    }
}

/// The discovery document served at `/.well-known/openid-configuration`; `base` is this
/// endpoint's URL, where the JWKS is really served.
pub fn discovery(base: &str) -> Value {
    json!({
        "issuer": COGNITO_ISSUER,
        "jwks_uri": format!("{base}/.well-known/jwks_uri"),
        "response_types_supported": ["code", "token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS512"],
    })
}
