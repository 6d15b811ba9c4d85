//! Signing a token as the faults in force say, and minting any token directly: `mint` signs
//! without HTTP, with any claims and any of the signing faults, for tests that need one exact
//! token.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::claims::{self, Grant};
use crate::config::{Claims, TokenKind};
use crate::error::KeyError;
use crate::org::faults::Signing;
use crate::org::keys::{KeySet, signing_input};
use crate::org::{AuthServer, OktaState};

/// The `kid` put in tokens signed under the `unknown_kid` fault.
pub const UNKNOWN_KID: &str = "fedmock-unknown-kid";

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
    /// Fields merged over the JOSE header the signing gives (`null` removes one), e.g.
    /// `{"alg": "None"}`, `{"jku": "https://evil.example/keys"}` or a `jwk`: the header tricks
    /// of the OWASP JWT list. The signature is made over the header as sent.
    pub header: Claims,
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
            header: Claims::new(),
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
    sign_under(state, keys, claims, signing, &Claims::new()).await
}

/// `base` with `extra` merged over it (`null` removes a field).
fn header(base: Value, extra: &Claims) -> Value {
    let mut fields = match base {
        Value::Object(fields) => fields,
        _ => Claims::new(),
    };
    claims::apply(&mut fields, extra);
    Value::Object(fields)
}

/// Signs with header fields `extra` merged over the signing's own header.
async fn sign_under(
    state: &OktaState,
    keys: &KeySet,
    claims: &Value,
    signing: &Signing,
    extra: &Claims,
) -> Result<String, KeyError> {
    let rs256 = |key: &crate::org::keys::SigningKey| {
        if extra.is_empty() {
            key.sign(claims)
        } else {
            key.sign_with_header(&header(json!({"kid": key.kid(), "alg": "RS256"}), extra), claims)
        }
    };
    Ok(match signing {
        Signing::Normal => rs256(&*keys.active().await?),
        Signing::UnpublishedKey => rs256(&*state.rogue_keys.active().await?),
        Signing::TamperedSignature => {
            let jwt = rs256(&*keys.active().await?);
            let (signed, signature) = jwt.rsplit_once('.').expect("a JWS has a signature");
            // Change the first signature character to another base64url character.
            let first = if signature.starts_with('A') { 'B' } else { 'A' };
            format!("{signed}.{first}{}", &signature[1..])
        }
        Signing::UnknownKid => keys
            .active()
            .await?
            .sign_with_header(&header(json!({"kid": UNKNOWN_KID, "alg": "RS256"}), extra), claims),
        Signing::AlgNone => {
            let header = B64.encode(header(json!({"alg": "none"}), extra).to_string());
            format!("{}.", signing_input(&header, claims))
        }
        Signing::Hs256 { secret } => {
            let kid = keys.active().await?.kid().to_owned();
            let header = B64.encode(header(json!({"kid": kid, "alg": "HS256"}), extra).to_string());
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
    let grant =
        Grant { server, client, user, scopes: &request.scopes, auth_time: now, nonce: None };
    let (mut claims, keys) = match request.token {
        TokenKind::Access => (claims::access_token(&grant, now), server.access_token_keys()),
        TokenKind::Id => {
            let user = user.ok_or_else(|| MintError::Unknown("an ID token needs a user".into()))?;
            (claims::id_token(state, &grant, user, None, now), &server.keys)
        }
    };
    claims::apply(&mut claims, &request.claims);
    Ok(sign_under(state, keys, &Value::Object(claims), &request.signing, &request.header).await?)
}
