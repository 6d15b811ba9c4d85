//! Start a fake Okta and a fake AWS Cognito Identity endpoint in one line of a test.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use harness::{Federation, TokenRequest};
//!
//! let fed = Federation::start().await; // both mocks, 127.0.0.1:0, stopped on drop
//! let (user, password) = fed.user();
//! let tokens = fed.token(TokenRequest::password(user, password, "openid")).await?;
//! let cognito = fed.cognito_client(); // the official AWS SDK, pointed at mock-cognito
//! let id = cognito.get_id().identity_pool_id(fed.pool_id())
//!     .logins(fed.logins_key(), tokens.access_token).send().await?;
//! # Ok(()) }
//! ```
//!
//! [`Federation`] is one handle on a world wherever it runs: started in this process
//! ([`Federation::start`]), already running elsewhere ([`Federation::connect`] to what
//! `fedmock up --ready-file` wrote), or in a container of fedmock's image (feature
//! `containers`, [`container`]). The accessors and controls are the same for all three.
//!
//! The harness holds no protocol logic: it builds one world config, hands each half to its
//! mock, wires the shared clock, and names what a client needs (URLs, ids, secrets, the
//! `Logins` key). The feature `sdk` (on by default) adds the official AWS SDK for Rust,
//! pointed at the world. The `fedmock` binary (in the `scenarios` crate) is the same
//! [`Federation`] on fixed ports.

mod config;
mod connections;
pub mod console;
#[cfg(feature = "containers")]
pub mod container;
mod deadlines;
mod federation;
mod in_process;
#[cfg(feature = "sdk")]
mod sdk;
mod summary;
mod tls;

pub use config::{DEFAULT_WORLD_TOML, FederationConfig, OKTA_HOST_PLACEHOLDER, OKTA_PLACEHOLDER};
pub use connections::Limits;
pub use federation::{Federation, FederationBuilder, TokenRequest, WorldClock};
pub use mock_cognito;
pub use mock_okta;
pub use mock_okta::{Clock, TokenResponse};
pub use summary::WorldSummary;
pub use tls::TlsMaterial;

/// Errors of the harness.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The world config is invalid.
    #[error("invalid world config: {0}")]
    Config(String),
    /// mock-okta refused the Okta half of the world.
    #[error(transparent)]
    Okta(#[from] mock_okta::Error),
    /// mock-cognito refused the AWS half of the world.
    #[error(transparent)]
    Cognito(#[from] mock_cognito::Error),
    /// A socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Starting the server thread failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// An HTTP call to a mock failed (no answer, or not in time).
    #[error("{0}")]
    Http(String),
    /// fedmock's control API (or an admin call) on a world elsewhere failed.
    #[error("fedmock control API: {0}")]
    Control(String),
    /// mock-okta's token endpoint answered with an OAuth error.
    #[error("token request refused: HTTP {status} {body}")]
    TokenRefused {
        /// HTTP status.
        status: u16,
        /// The OAuth error body.
        body: String,
    },
}

/// The README's examples, compiled as doctests so they cannot drift from the API (with the
/// `containers` feature, which `cargo test --workspace` turns on through `scenarios`).
#[doc = include_str!("../../README.md")]
#[cfg(all(doctest, feature = "containers"))]
pub struct ReadmeDoctests;
