//! Okta's extra rules for token requests a browser sends: a request with an `Origin` header
//! (every `fetch` from a page to another origin carries one) is a browser request, and Okta
//! answers it only for a public app's code flow from a trusted page.
//!
//! The texts, codes and statuses are Okta's own, from its OAuth 2.0 error table
//! (okta/okta-developer-docs `packages/@okta/vuepress-site/data/oauth2-error-codes.json`,
//! release 2026.03.1: `not_trusted_origin_browser_request`, `illegal_origin_browser_request`,
//! `unsupported_grant_type_browser_request`, `unsupported_auth_method_browser_request`); the
//! first message is also what Electron apps quote when Okta refuses their `Origin: file://`.
//! The order of the checks is not published (inferred). The table's "may only use the
//! authorization_code grant_type" predates refresh tokens for SPAs (Okta added them with
//! rotation in 2020, and okta-auth-js renews with them from the page), so `refresh_token` is
//! let through (inferred).

use super::issue::TokenForm;
use crate::config::ClientConfig;
use crate::error::OAuthError;
use crate::org::{OktaState, origin_of};

/// Refuses a browser token request (one with `origin`) as Okta does, or lets it through.
pub(crate) fn check(
    state: &OktaState,
    client: &ClientConfig,
    grant: &str,
    form: &TokenForm,
    origin: &str,
) -> Result<(), OAuthError> {
    if !state.cors_trusted(origin) {
        return Err(OAuthError::invalid_request(
            "Browser requests to the token endpoint must be made from one of the registered Trusted Origins.",
        ));
    }
    if !client.redirect_uris.iter().any(|uri| origin_of(uri).eq_ignore_ascii_case(origin)) {
        return Err(OAuthError::invalid_request(
            "Browser requests to the token endpoint must be part of at least one whitelisted redirect_uri.",
        ));
    }
    if !matches!(grant, "authorization_code" | "refresh_token") {
        return Err(OAuthError::unauthorized_client(
            "Browser requests to the token endpoint may only use the authorization_code grant_type.",
        ));
    }
    if grant == "authorization_code" && form.code_verifier.as_deref().is_none_or(str::is_empty) {
        return Err(OAuthError::invalid_client(
            "Browser requests to the token endpoint must use Proof Key for Code Exchange.",
        ));
    }
    Ok(())
}
