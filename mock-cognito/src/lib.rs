//! An AWS Cognito Identity endpoint for tests, as strict as AWS.
//!
//! It speaks the AWS JSON 1.1 protocol the SDKs use (`POST /`, `X-Amz-Target`), and checks a
//! federated token the way Cognito does: the `Logins` key against the token's issuer, the
//! signature against the issuer's JWKS (fetched over HTTP, as from any OIDC provider), the
//! audience against the IAM OIDC provider's client IDs, and expiry with AWS's five-minute
//! grace. Refusals carry AWS's own error types and messages, so a test sees exactly what an
//! application would see in production.
//!
//! ```no_run
//! # async fn demo() -> Result<(), mock_cognito::Error> {
//! let cognito = mock_cognito::MockCognito::start(Default::default(), mock_cognito::Clock::system()).await?;
//! println!("endpoint_url: {}", cognito.endpoint_url());
//! # Ok(()) }
//! ```

mod config;
pub mod credentials;
pub mod developer;
mod error;
pub mod explain;
pub mod iam;
pub mod identities;
mod jwks;
pub mod openid;
pub mod ops;
mod paging;
pub mod policy;
pub mod pools;
mod protocol;
pub mod roles;
mod server;
pub mod sigv4;
mod state;
pub mod sts;
mod validate;
pub mod verify;

use std::sync::Arc;

pub use config::{
    AccessKeyConfig, CognitoConfig, IdentityPoolConfig, OidcProviderConfig, RoleConfig,
    UserPoolProviderConfig,
};
pub use error::{AwsError, Error, ErrorType};
pub use jwks::{JWKS_TTL_SECS, JwksError};
pub use server::{MAX_BODY_BYTES, MockCognito, router, serve};
pub use state::{CognitoState, Identity, Pool, Role};

/// Where mock-cognito reads the time (epoch seconds). The harness passes mock-okta's clock
/// here, so one control moves both.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    /// The system time.
    pub fn system() -> Self {
        Self::from_fn(|| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            i64::try_from(now.expect("system clock is after 1970").as_secs()).expect("fits in i64")
        })
    }

    /// Time from any source, e.g. a shared test clock.
    pub fn from_fn(now: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    /// The current time in epoch seconds.
    pub fn now(&self) -> i64 {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Clock").field(&self.now()).finish()
    }
}
