//! An Okta-compatible OpenID Connect authorization server for tests.
//!
//! It reproduces what applications and Okta → AWS federation depend on: the org and custom
//! authorization servers with Okta's two URL layouts, discovery, JWKS with rotation, the
//! authorization code (PKCE), implicit, refresh, client credentials and password grants with
//! verified client authentication, userinfo, introspection, revocation and logout, all with
//! Okta's token shapes (an ID token's `aud` is the client id; an access token's is the
//! server's audience, e.g. `api://default`) and Okta's error bodies.
//!
//! What makes it a test tool: claims are configurable per server, client and user; faults
//! (expired, mis-addressed or badly signed tokens, failing endpoints) can be switched on at
//! run time; any token can be minted directly; and one clock drives every timestamp.
//!
//! ```no_run
//! # async fn demo() -> Result<(), mock_okta::Error> {
//! let okta = mock_okta::MockOkta::start(mock_okta::OktaConfig::default()).await?;
//! println!("issuer: {}/oauth2/default", okta.base_url());
//! # Ok(()) }
//! ```
//!
//! The folders are the parts: `org/` (the org's data: authorization servers, keys, grants,
//! faults), `token/` (issuing and reading tokens) and `endpoints/` (Okta's URLs and fedmock's
//! control API on thin handlers). `error.rs` is the one place errors meet the wire. The
//! library is the product; `main.rs` only parses flags, binds and serves.

mod clock;
pub mod config;
mod endpoints;
mod error;
pub mod observe;
mod org;
mod random;
mod server;
mod token;

pub use clock::{Clock, ClockChange, UnixSeconds};
pub use config::{
    AuthServerConfig, ClaimRule, ClientAuthMethod, ClientConfig, ControlConfig, KeyConfig,
    OktaConfig, OriginScope, TokenKind, TrustedOriginConfig, UserConfig,
};
pub use error::{ApiError, Error, KeyError, OAuthError, OktaError};
pub use org::faults::{Faults, Signing, TokenErrorFault};
pub use org::keys::{KeySet, MAX_PUBLISHED_KEYS, SigningKey, seeded_rsa_pkcs8};
pub use org::{AuthServer, ORG, OktaState, ServerKind};
pub use server::{
    BODY_TIMEOUT, MAX_BODY_BYTES, MockOkta, router, router_with, router_with_console, serve,
};
pub use token::issue::TokenResponse;
pub use token::sign::{MintError, MintRequest, UNKNOWN_KID, mint};
