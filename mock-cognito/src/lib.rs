//! An AWS Cognito Identity endpoint for tests, as strict as AWS, which also answers the STS
//! and IAM calls federation needs.
//!
//! It speaks the AWS JSON 1.1 protocol the SDKs use (`POST /`, `X-Amz-Target`), and checks a
//! federated token the way Cognito does: the `Logins` key against the token's issuer, the
//! signature against the issuer's JWKS (fetched over HTTP, as from any OIDC provider), the
//! audience against the IAM OIDC provider's client IDs, and expiry. Refusals carry AWS's own
//! error types and messages, so a test sees exactly what an application would see in
//! production.
//!
//! The folders are the parts: `identity/` (Cognito Identity's actions), `query/` (STS and
//! IAM over the Query protocol), `trust/` (the token checks, issuer keys, Cognito's own
//! tokens, trust policies, SigV4) and `account/` (providers, pools, roles, identities,
//! credentials). `server.rs` is the HTTP edge and `error.rs` the one place errors meet the
//! wire.
//!
//! ```no_run
//! # async fn demo() -> Result<(), mock_cognito::Error> {
//! let cognito = mock_cognito::MockCognito::start(Default::default(), mock_cognito::Clock::system()).await?;
//! println!("endpoint_url: {}", cognito.endpoint_url());
//! # Ok(()) }
//! ```

mod account;
mod clock;
mod error;
pub mod fetch;
mod identity;
pub mod observe;
mod query;
mod server;
mod state;
pub mod texts;
mod trust;
mod validate;
mod xml;

pub use account::policy;
pub use account::{
    AccessKeyConfig, AmbiguousRoleResolution, CognitoConfig, Identity, IdentityPoolConfig,
    JWKS_TTL_SECS, MappingRule, MappingType, MatchType, OidcProviderConfig, Owner, Pool, Provider,
    Role, RoleConfig, RoleMapping, UserPoolProviderConfig, strip_scheme,
};
pub use clock::{Clock, iso8601};
pub use error::{AwsError, Error, ErrorType};
pub use identity::{GetIdInput, GetIdOutput, get_id};
pub use server::{BODY_TIMEOUT, MAX_BODY_BYTES, MockCognito, router, router_with, serve};
pub use state::{Caller, CognitoState};
pub use trust::explain;
pub use trust::{JwksError, unverified_claims};
