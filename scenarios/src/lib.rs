//! Declarative Okta → Cognito federation scenarios, and a runner that drives real clients.
//!
//! A scenario file (TOML) states a world — as a merge patch over the default world, so only
//! what differs — and steps with expectations: get a token, call `GetId`,
//! `GetCredentialsForIdentity`, `GetOpenIdToken` or STS `AssumeRoleWithWebIdentity`, and expect
//! `ok` (optionally a role, or the identity of an earlier step) or an AWS error type with its
//! exact message. `library/` holds one scenario per known way the federation breaks, each with
//! what users see and the fix. Steps run through the AWS SDK for Rust in process, or through
//! the JavaScript v2/v3, boto3 and AWS CLI drivers in `drivers/` (see [`Client`]), against a
//! world the runner starts in process (`run`), endpoints already running (`run_against`), or
//! a container of fedmock's image per scenario (`run_in_container`).
//!
//! The crate also holds the `fedmock` command line (`src/bin/fedmock/`). Its features keep
//! the first build lean: without features it serves `fedmock up` and the offline `explain`;
//! `run` adds the scenario runner and its clients (the AWS SDK for Rust), `containers` adds
//! Docker through testcontainers, `full` is both.
//!
//! ```no_run
//! # async fn demo() -> Result<(), scenarios::Error> {
//! let text = std::fs::read_to_string("scenarios/library/access-token-default-audience.toml").unwrap();
//! let scenario = scenarios::Scenario::parse("access-token-default-audience.toml", &text)?;
//! let reports = scenarios::run("access-token-default-audience", "access-token-default-audience.toml", &scenario, &[scenarios::Client::Rust]).await?;
//! print!("{}", scenarios::render(&reports));
//! # Ok(()) }
//! ```

mod clients;
pub mod explain;
mod files;
#[cfg(feature = "load")]
pub mod load;
mod model;
#[cfg(feature = "run")]
mod report;
#[cfg(feature = "run")]
mod runner;

#[cfg(feature = "run")]
pub use clients::Endpoints;
pub use clients::{Call, Client, Outcome};
pub use files::{ScenarioFiles, scenario_files};
pub use model::{Action, Expect, Scenario, Step};
#[cfg(feature = "run")]
pub use report::{junit, render, render_for_terminal};
#[cfg(feature = "containers")]
pub use runner::run_in_container;
#[cfg(feature = "run")]
pub use runner::{ScenarioReport, StepReport, explain_step, run, run_against};

/// Errors of the scenario library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario file is not valid; the message names the line and field.
    #[error("{file}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// What is wrong, and where.
        message: String,
    },
    /// The command line asks for something that does not exist.
    #[error("{0}")]
    Usage(String),
    /// The scenario's world did not start.
    #[error("the world did not start: {0}")]
    World(String),
    /// A load run cannot be made as asked.
    #[error("{0}")]
    Load(String),
}
