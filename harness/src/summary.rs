//! What a client needs to talk to a world: the facts `fedmock up` prints and writes to its
//! ready file, that a container announces, and that [`Federation::connect`] reads back.
//!
//! [`Federation::connect`]: crate::Federation::connect

use serde::{Deserialize, Serialize};

/// The facts `fedmock up` prints and writes to `--ready-file`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct WorldSummary {
    /// mock-okta's base URL.
    pub okta_url: String,
    /// The default authorization server's issuer.
    pub issuer: String,
    /// Its discovery document.
    pub discovery_url: String,
    /// Its JWKS.
    pub jwks_uri: String,
    /// Its token endpoint.
    pub token_endpoint: String,
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
    /// The user's login.
    pub username: String,
    /// The user's password.
    pub password: String,
    /// mock-cognito's endpoint URL.
    pub cognito_endpoint: String,
    /// The AWS region.
    pub region: String,
    /// The AWS account.
    pub account_id: String,
    /// The identity pool.
    pub identity_pool_id: String,
    /// The `Logins` key for tokens of the issuer.
    pub logins_key: String,
    /// The throw-away CA (PEM file) when serving HTTPS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// A developer key of the account, for signed (administrative) calls: what the runner
    /// reads the pool and its providers with to explain a refusal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_access_key_id: Option<String>,
    /// Its secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_secret_access_key: Option<String>,
    /// The token fedmock's control API requires (`Authorization: Bearer`); none when the world
    /// runs with `--insecure-control`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_token: Option<String>,
    /// Whether the web console is served (`console_url`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub console: bool,
}

impl WorldSummary {
    /// The id of the authorization server the summary's issuer belongs to: the custom
    /// server's id, or `org`.
    pub fn default_server_id(&self) -> &str {
        match self.issuer.split_once("/oauth2/") {
            Some((_, id)) => id,
            None => mock_okta::ORG,
        }
    }

    /// The web console's address, when it is served; with the control token in the query, a
    /// browser that opens it is signed in (a cookie) and sent on without it.
    pub fn console_url(&self) -> Option<String> {
        if !self.console {
            return None;
        }
        let base = self.control_url("/ui/");
        Some(match &self.control_token {
            Some(token) => format!("{base}?token={token}"),
            None => base,
        })
    }

    /// A URL of fedmock's control API on mock-okta's port (`/__fedmock{path}`).
    pub fn control_url(&self, path: &str) -> String {
        format!("{}/__fedmock{path}", self.okta_url)
    }
}
