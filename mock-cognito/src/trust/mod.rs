//! The trust machinery the three services share: the checks of a federated token (Cognito's
//! `Logins` in `logins.rs`, STS's web identity token in `web_identity.rs`, each written once
//! for the endpoint, `fedmock explain` and the log), issuers' keys learned over HTTP, Cognito's
//! own OpenID tokens, SigV4 verification and what a verified
//! signer may do (`permissions.rs`).
//!
//! Nothing here speaks a wire protocol: each piece returns a verdict that `identity/` and
//! `query/` turn into their service's answer.

mod check;
pub mod explain;
mod jwks;
pub mod logins;
pub(crate) mod openid;
pub(crate) mod permissions;
mod signature;
pub(crate) mod sigv4;
mod token;
pub mod web_identity;

pub use jwks::{JwksCache, JwksError};
pub use token::unverified_claims;
