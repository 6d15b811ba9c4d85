//! Ways to make Okta misbehave on purpose: set at run time (harness API or
//! `PUT /__fedmock/faults`), they apply to what the token and JWKS endpoints serve
//! (`token/sign.rs` applies the signing faults).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::Claims;
use crate::error::OAuthError;

/// How a token is signed.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Signing {
    /// The server's active key, as Okta does.
    #[default]
    Normal,
    /// A valid RS256 signature by a key that no JWKS publishes.
    UnpublishedKey,
    /// A correct signature with one character changed.
    TamperedSignature,
    /// Signed by the active key, but the header names a `kid` the JWKS does not hold.
    UnknownKid,
    /// `alg: none` and an empty signature.
    AlgNone,
    /// `alg: HS256`, an HMAC with `secret` (the classic key-confusion attack).
    Hs256 {
        /// The HMAC secret.
        secret: String,
    },
}

/// A chosen OAuth error for the token endpoint to answer with.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TokenErrorFault {
    /// HTTP status. Defaults to 400.
    #[serde(default = "bad_request")]
    pub status: u16,
    /// The OAuth `error`, e.g. `invalid_grant`.
    pub error: String,
    /// The `error_description`.
    #[serde(default)]
    pub error_description: String,
}

fn bad_request() -> u16 {
    400
}

/// The faults in force. The default is none.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// The token endpoint answers this error instead of tokens.
    pub token_error: Option<TokenErrorFault>,
    /// The token endpoint waits this long before answering.
    pub token_delay_ms: u64,
    /// The JWKS endpoint answers this HTTP status with an error body.
    pub jwks_status: Option<u16>,
    /// The JWKS endpoint waits this long before answering.
    pub jwks_delay_ms: u64,
    /// Claims merged into every served access token (`null` removes one), e.g.
    /// `{"exp": 0}` for an expired token or `{"aud": ["api://default", "other"]}`.
    pub access_token_claims: Claims,
    /// Claims merged into every served ID token.
    pub id_token_claims: Claims,
    /// How served tokens are signed.
    pub signing: Signing,
}

/// The longest delay a fault may add: longer than any client's timeout, short of holding a
/// connection for ever.
pub const MAX_DELAY_MS: u64 = 300_000;

impl Faults {
    /// Whether these faults can be put in force: delays up to [`MAX_DELAY_MS`], an error
    /// status that is one (4xx or 5xx for tokens, 3xx to 5xx for the JWKS).
    pub fn check(&self) -> Result<(), String> {
        for (name, ms) in
            [("token_delay_ms", self.token_delay_ms), ("jwks_delay_ms", self.jwks_delay_ms)]
        {
            if ms > MAX_DELAY_MS {
                return Err(format!("{name} must be at most {MAX_DELAY_MS} (5 minutes), got {ms}"));
            }
        }
        if let Some(fault) = &self.token_error
            && !(400..=599).contains(&fault.status)
        {
            return Err(format!("token_error.status must be 400 to 599, got {}", fault.status));
        }
        if let Some(status) = self.jwks_status
            && !(300..=599).contains(&status)
        {
            return Err(format!("jwks_status must be 300 to 599, got {status}"));
        }
        Ok(())
    }

    /// Waits `token_delay_ms`, then fails with `token_error` if set.
    pub(crate) async fn at_token_endpoint(&self) -> Result<(), OAuthError> {
        if self.token_delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(self.token_delay_ms)).await;
        }
        match &self.token_error {
            Some(fault) => {
                Err(OAuthError::custom(fault.status, &fault.error, &fault.error_description))
            }
            None => Ok(()),
        }
    }
}
