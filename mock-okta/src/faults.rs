//! Ways to make Okta misbehave on purpose, and direct minting of any token.
//!
//! Faults are set at run time (harness API or `PUT /__fedmock/faults`) and apply to what the
//! token and JWKS endpoints serve. `mint` signs a token without HTTP, with any claims and any
//! of the signing faults, for tests that need one exact token.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::config::{Claims, TokenKind};
use crate::error::{KeyError, OAuthError};
use crate::keys::{KeySet, signing_input};
use crate::state::{AuthServer, OktaState};

/// The `kid` put in tokens signed under the `unknown_kid` fault.
pub const UNKNOWN_KID: &str = "fedmock-unknown-kid";

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

impl Faults {
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

/// A token to mint directly.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MintRequest {
    /// The authorization server: a custom server id, or `org`. Defaults to `default`.
    pub server: String,
    /// Access or ID token. Defaults to access.
    pub token: TokenKind,
    /// The user's login. Defaults to the org's first user (none for a service token if the
    /// org has no users).
    pub user: Option<String>,
    /// The client. Defaults to the org's first client.
    pub client: Option<String>,
    /// Granted scopes. Defaults to `openid`.
    pub scopes: Vec<String>,
    /// Claims merged over Okta's (`null` removes one): `exp`, `iat`, `aud`, `iss`, …
    pub claims: Claims,
    /// How to sign it.
    pub signing: Signing,
}

impl Default for MintRequest {
    fn default() -> Self {
        Self {
            server: "default".into(),
            token: TokenKind::Access,
            user: None,
            client: None,
            scopes: vec!["openid".into()],
            claims: Claims::new(),
            signing: Signing::Normal,
        }
    }
}

/// Why a mint request cannot be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MintError {
    /// The request names something the org does not have.
    #[error("{0}")]
    Unknown(String),
    /// No signing key.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Signs `claims` for `server` under `signing`.
pub(crate) async fn sign(
    state: &OktaState,
    keys: &KeySet,
    claims: &Value,
    signing: &Signing,
) -> Result<String, KeyError> {
    Ok(match signing {
        Signing::Normal => keys.active().await?.sign(claims),
        Signing::UnpublishedKey => state.rogue_keys.active().await?.sign(claims),
        Signing::TamperedSignature => {
            let jwt = keys.active().await?.sign(claims);
            let (signed, signature) = jwt.rsplit_once('.').expect("a JWS has a signature");
            // Change the first signature character to another base64url character.
            let first = if signature.starts_with('A') { 'B' } else { 'A' };
            format!("{signed}.{first}{}", &signature[1..])
        }
        Signing::UnknownKid => keys
            .active()
            .await?
            .sign_with_header(&json!({"kid": UNKNOWN_KID, "alg": "RS256"}), claims),
        Signing::AlgNone => {
            let header = B64.encode(json!({"alg": "none"}).to_string());
            format!("{}.", signing_input(&header, claims))
        }
        Signing::Hs256 { secret } => {
            let kid = keys.active().await?.kid().to_owned();
            let header = B64.encode(json!({"kid": kid, "alg": "HS256"}).to_string());
            let input = signing_input(&header, claims);
            let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.as_bytes());
            let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
            format!("{input}.{}", B64.encode(tag.as_ref()))
        }
    })
}

/// Mints a token without HTTP.
pub async fn mint(state: &OktaState, request: &MintRequest) -> Result<String, MintError> {
    let server: &AuthServer = state.server_by_key(&request.server).ok_or_else(|| {
        MintError::Unknown(format!("no authorization server {:?}", request.server))
    })?;
    let client = match &request.client {
        Some(id) => {
            state.client(id).ok_or_else(|| MintError::Unknown(format!("no client {id:?}")))?
        }
        None => state
            .first_client()
            .ok_or_else(|| MintError::Unknown("the org has no client".into()))?,
    };
    let user = match &request.user {
        Some(login) => Some(
            state
                .user_by_login(login)
                .ok_or_else(|| MintError::Unknown(format!("no user {login:?}")))?,
        ),
        None => state.first_user(),
    };
    let now = state.clock.now();
    let grant = crate::claims::Grant {
        server,
        client,
        user,
        scopes: &request.scopes,
        auth_time: now,
        nonce: None,
    };
    let (mut claims, keys) = match request.token {
        TokenKind::Access => (crate::claims::access_token(&grant, now), server.access_token_keys()),
        TokenKind::Id => {
            let user = user.ok_or_else(|| MintError::Unknown("an ID token needs a user".into()))?;
            (crate::claims::id_token(state, &grant, user, None, now), &server.keys)
        }
    };
    crate::claims::apply(claims.as_object_mut().expect("claims are an object"), &request.claims);
    Ok(sign(state, keys, &claims, &request.signing).await?)
}
