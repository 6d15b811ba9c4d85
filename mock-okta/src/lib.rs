//! An Okta-compatible OpenID Connect authorization server for tests.
//!
//! It reproduces what Okta → AWS federation depends on: the org and custom authorization
//! servers with Okta's two URL layouts, discovery documents, JWKS, and a token endpoint that
//! authenticates clients and signs RS256 tokens shaped exactly like Okta's (an ID token's `aud`
//! is the client id; an access token's is the server's audience, e.g. `api://default`).
//! Claims are configurable per server, client and user, so a mismatch can be made on purpose.
//!
//! ```no_run
//! # async fn demo() -> Result<(), mock_okta::Error> {
//! let okta = mock_okta::MockOkta::start(mock_okta::OktaConfig::default()).await?;
//! println!("issuer: {}/oauth2/default", okta.base_url());
//! # Ok(()) }
//! ```
//!
//! The library is the product; `main.rs` only parses flags, binds and serves.

mod clock;
pub mod config;
mod error;
mod keys;
mod server;
mod state;
pub mod tokens;

pub use clock::{Clock, UnixSeconds};
pub use config::{
    AuthServerConfig, ClientAuthMethod, ClientConfig, KeyConfig, OktaConfig, UserConfig,
};
pub use error::{ApiError, Error, KeyError, OAuthError};
pub use keys::{KeySet, SigningKey};
pub use server::{MockOkta, router, serve};
pub use state::{AuthServer, OktaState, ServerKind};
pub use tokens::TokenResponse;
