//! The trust machinery the three services share: the checks of a federated token (Cognito's
//! `Logins` and STS's web identity token), issuers' keys learned over HTTP, Cognito's own
//! OpenID tokens, IAM trust-policy evaluation and SigV4 verification.
//!
//! Nothing here speaks a wire protocol: each piece returns a verdict that `identity/` and
//! `query/` turn into their service's answer, and that `fedmock explain` and the logs print.

pub mod explain;
mod jwks;
pub(crate) mod openid;
pub(crate) mod policy;
pub(crate) mod sigv4;
pub(crate) mod verify;
pub(crate) mod web_identity;

pub use jwks::{JwksCache, JwksError};
pub use verify::unverified_claims;
