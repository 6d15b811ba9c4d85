//! What the token endpoint answered, for whoever watches: the console's live feed shows every
//! token issued and every token request refused.
//!
//! The observer runs on the request's task once the answer is decided, so it must be quick;
//! with no observer the cost is one atomic load.

use axum::http::HeaderMap;

use crate::error::OAuthError;
use crate::org::AuthServer;
use crate::token::issue::TokenResponse;

/// One token request and its answer.
#[derive(Debug)]
pub struct Issued<'a> {
    /// The authorization server asked.
    pub server: &'a AuthServer,
    /// `grant_type` as sent (`mint` for fedmock's control API).
    pub grant_type: &'a str,
    /// The client, as presented (form field or `Authorization: Basic`).
    pub client_id: Option<&'a str>,
    /// The request's headers.
    pub headers: &'a HeaderMap,
    /// The tokens, or Okta's refusal.
    pub outcome: Result<&'a TokenResponse, &'a OAuthError>,
}

/// Told of every token request the org answers.
pub trait Observer: Send + Sync + std::fmt::Debug {
    /// Called once per request, on the request's task, after its answer is decided.
    fn issued(&self, seen: &Issued<'_>);
}
