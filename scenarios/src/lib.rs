//! Declarative Okta → Cognito federation scenarios, and a runner that drives real clients.
//!
//! A scenario file (TOML) states a world — as a merge patch over the default world, so only
//! what differs — and steps with expectations: get a token, call `GetId`,
//! `GetCredentialsForIdentity`, `GetOpenIdToken` or STS `AssumeRoleWithWebIdentity`, and expect
//! `ok` (optionally a role, or the identity of an earlier step) or an AWS error type with its
//! exact message. `library/` holds one scenario per known way the federation breaks, each with
//! what users see and the fix. Steps run through the AWS SDK for Rust in process, or through
//! the JavaScript v2/v3, boto3 and AWS CLI drivers in `drivers/` (see [`Client`]), against a
//! world the runner starts in process ([`run`]), endpoints already running ([`run_against`]),
//! or a container of fedmock's image per scenario ([`run_in_container`]).
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
mod model;
mod report;
mod runner;
mod target;

pub use clients::{Call, Client, Outcome};
pub use model::{Action, Expect, Scenario, Step};
pub use report::{junit, render, render_for_terminal};
pub use runner::{ScenarioReport, StepReport, explain_step, run, run_against, run_in_container};
pub use target::Endpoints;

/// The scenario files `paths` name: files as given, folders as their `.toml` files in name
/// order.
pub fn scenario_files(
    paths: &[impl AsRef<std::path::Path>],
) -> Result<Vec<std::path::PathBuf>, Error> {
    let mut files = Vec::new();
    for path in paths {
        let path = path.as_ref();
        if !path.is_dir() {
            files.push(path.to_path_buf());
            continue;
        }
        let entries = std::fs::read_dir(path).map_err(|e| Error::Parse {
            file: path.display().to_string(),
            message: e.to_string(),
        })?;
        let mut found: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

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
    /// The scenario's world did not start.
    #[error("the world did not start: {0}")]
    World(String),
}
