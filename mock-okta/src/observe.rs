//! What the token endpoint answered, for whoever watches: the console's live feed shows every
//! token issued and every token request refused.
//!
//! The observer runs on the request's task once the answer is decided, so it must be quick;
//! with no observer the cost is one atomic load.

//!
//! It names no type of the crate's own (plain values only), so every part may depend on it.

use axum::http::HeaderMap;

/// One token request and its answer.
#[derive(Debug)]
pub struct Issued<'a> {
    /// The issuer of the authorization server asked.
    pub issuer: &'a str,
    /// `grant_type` as sent (`mint` for fedmock's control API).
    pub grant_type: &'a str,
    /// The client, as presented (form field or `Authorization: Basic`).
    pub client_id: Option<&'a str>,
    /// The request's headers.
    pub headers: &'a HeaderMap,
    /// The tokens issued, or Okta's refusal.
    pub outcome: Result<Tokens<'a>, Refused<'a>>,
}

/// The tokens a request got.
#[derive(Debug)]
pub struct Tokens<'a> {
    /// The access token.
    pub access_token: &'a str,
    /// The ID token, when `openid` was granted to a user.
    pub id_token: Option<&'a str>,
}

/// Okta's refusal.
#[derive(Debug)]
pub struct Refused<'a> {
    /// The OAuth `error`.
    pub error: &'a str,
    /// The `error_description`.
    pub description: &'a str,
}

/// Told of every token request the org answers.
pub trait Observer: Send + Sync + std::fmt::Debug {
    /// Called once per request, on the request's task, after its answer is decided.
    fn issued(&self, seen: &Issued<'_>);
}
