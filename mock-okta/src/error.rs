//! Errors: the library's own (`Error`) and the two wire shapes Okta answers with.
//!
//! OAuth endpoints answer `{"error","error_description"}` (RFC 6749 §5.2) with the statuses and
//! descriptions of Okta's published error catalogue (okta.md §2.8). The management-style API,
//! which also answers an unknown authorization server, uses `{"errorCode","errorSummary",…}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Okta's content type for JSON answers.
pub(crate) const JSON_UTF8: &str = "application/json;charset=UTF-8";

/// A failure to load or create a signing key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The crypto library could not generate an RSA key.
    #[error("RSA key generation failed")]
    Generate,
    /// A configured key is not a PKCS#8 PEM RSA private key.
    #[error("invalid private key PEM: {0}")]
    Pem(String),
}

/// Errors of the mock-okta library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration cannot describe a working org.
    #[error("invalid mock-okta config: {0}")]
    Config(String),
    /// A configured signing key could not be loaded.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Binding or serving the socket failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// An OAuth 2.0 error answer, as Okta sends it from `/v1/token` and friends.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{status} {error}: {description}")]
pub struct OAuthError {
    /// HTTP status (Okta: 401 for `invalid_client`, 400 for most others).
    pub status: StatusCode,
    /// The RFC 6749 error code, e.g. `invalid_grant`.
    pub error: String,
    /// Okta's `error_description`, word for word.
    pub description: String,
}

impl OAuthError {
    fn new(status: StatusCode, error: &str, description: impl Into<String>) -> Self {
        Self { status, error: error.to_owned(), description: description.into() }
    }

    /// Any error (the `token_error` fault); an invalid status becomes 400.
    pub fn custom(status: u16, error: &str, description: &str) -> Self {
        Self::new(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            error,
            description,
        )
    }

    /// A 400 error with any code, for `/v1/authorize` and `/v1/logout`.
    pub fn bad_request(error: &str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, description)
    }

    /// 401 `invalid_client`.
    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
    }

    /// 400 `invalid_request`.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// 400 `invalid_grant`.
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    /// 400 `invalid_scope`.
    pub fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_scope", description)
    }

    /// 400 `unauthorized_client`.
    pub fn unauthorized_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unauthorized_client", description)
    }

    /// 400 `unsupported_grant_type`.
    pub fn unsupported_grant_type(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unsupported_grant_type", description)
    }

    /// 500 `server_error`, Okta's text; the cause goes to the log, not the client.
    pub fn server_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The authorization server encountered an unexpected condition that prevented it from fulfilling the request.",
        )
    }
}

impl From<KeyError> for OAuthError {
    fn from(err: KeyError) -> Self {
        tracing::error!(%err, "signing key unavailable");
        Self::server_error()
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.error, "error_description": self.description });
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        response
    }
}

/// Okta's management-API error body; here only `E0000007` (not found).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    summary: String,
}

impl ApiError {
    /// 404 `E0000007` for an authorization server id that does not exist.
    pub fn unknown_auth_server(id: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "E0000007",
            summary: format!("Not found: Resource not found: {id} (AuthorizationServer)"),
        }
    }

    /// 404 `E0000007` for a path that names no resource.
    pub fn not_found(path: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "E0000007",
            summary: format!("Not found: Resource not found: {path} (Path)"),
        }
    }
}

impl From<ApiError> for Response {
    fn from(err: ApiError) -> Self {
        err.into_response()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "errorCode": self.code,
            "errorSummary": self.summary,
            "errorLink": self.code,
            "errorId": format!("oae{}", crate::claims::random_id(22)),
            "errorCauses": [],
        });
        let mut response = (self.status, body.to_string()).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
        response
    }
}
