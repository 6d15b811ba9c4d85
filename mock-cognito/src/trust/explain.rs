//! `fedmock explain`: every check a service makes on a token, in order, with the value it
//! compared, the verdict, AWS's answer for a failure (and where its words come from) and the
//! smallest change that fixes it.
//!
//! It runs offline, so a real token pasted from production can be explained: nothing is
//! fetched, the signatures are reported as not checked. The checks are the endpoint's own
//! ([`logins`](super::logins), [`web_identity`](super::web_identity)), so an explanation never
//! disagrees with what mock-cognito answers.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

pub use super::check::{Check, Verdict};
pub use super::logins::Login;
pub use super::web_identity::{RoleAsked, WebIdentityCall};
use super::{check, logins, web_identity};

/// Cognito's checks of one `Logins` entry, all of them, offline.
pub fn explain(login: &Login<'_>) -> Vec<Check> {
    offline(logins::check(login, logins::Keys::Offline, true)).checks
}

/// STS's checks of `AssumeRoleWithWebIdentity`, all of them, offline.
pub fn explain_web_identity(call: &WebIdentityCall<'_>) -> Vec<Check> {
    offline(web_identity::check(call, web_identity::Keys::Offline, true)).checks
}

/// Cognito's checks as text.
pub fn render(logins_key: &str, checks: &[Check]) -> String {
    check::render(
        &format!(
            "Cognito's checks of Logins[{logins_key:?}], in AWS's order (AWS stops at the first failure):"
        ),
        checks,
    )
}

/// STS's checks as text.
pub fn render_web_identity(checks: &[Check]) -> String {
    check::render(
        "STS's checks of AssumeRoleWithWebIdentity, in order (STS stops at the first failure):",
        checks,
    )
}

/// Runs a check that fetches nothing: offline, the checks never wait on anything, so the
/// future is ready at its first poll.
fn offline<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        // Unreachable by construction (offline keys are never fetched); a missing answer would
        // be a bug, so say so loudly in tests rather than hang.
        Poll::Pending => unreachable!("offline checks never wait"),
    }
}
