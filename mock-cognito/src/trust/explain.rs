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
use crate::account::Provider;
use serde_json::Value;

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

/// The provider a real pool trusts under `key`, from the AWS CLI's JSON (`aws cognito-identity
/// describe-identity-pool`, `aws iam get-open-id-connect-provider`), or the names it trusts. `get-open-id-connect-provider` shows the URL without its scheme.
pub fn provider_from_aws_cli(
    pool: &Value,
    provider: &Value,
    key: &str,
) -> Result<Provider, Vec<String>> {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_owned)).collect()
    };
    let arns = strings(&pool["OpenIdConnectProviderARNs"]);
    let name = provider["Url"].as_str().unwrap_or_default();
    let trusted: Vec<String> = arns
        .iter()
        .filter_map(|a| a.split_once(":oidc-provider/").map(|(_, n)| n.to_owned()))
        .collect();
    if name != key || !trusted.iter().any(|t| t == name) {
        return Err(trusted);
    }
    let arn = arns.iter().find(|a| a.ends_with(name)).cloned().unwrap_or_default();
    let account = arn.split(':').nth(4).unwrap_or_default();
    let mut found =
        Provider::new(account, &format!("https://{name}"), strings(&provider["ClientIDList"]));
    found.arn = arn;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_aws_cli_s_pool_and_provider_give_the_trusted_provider() {
        let pool = json!({"OpenIdConnectProviderARNs": ["arn:aws:iam::123456789012:oidc-provider/dev-1.okta.com/oauth2/default"]});
        let provider =
            json!({"Url": "dev-1.okta.com/oauth2/default", "ClientIDList": ["api://default"]});
        let found =
            provider_from_aws_cli(&pool, &provider, "dev-1.okta.com/oauth2/default").unwrap();
        assert_eq!(found.client_ids, ["api://default"]);
        assert_eq!(
            found.arn,
            "arn:aws:iam::123456789012:oidc-provider/dev-1.okta.com/oauth2/default"
        );
        assert_eq!(
            provider_from_aws_cli(&pool, &provider, "https://dev-1.okta.com/oauth2/default")
                .unwrap_err(),
            ["dev-1.okta.com/oauth2/default"]
        );
    }
}
