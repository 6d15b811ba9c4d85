//! Errors: the library's own ([`Error`], [`KeyError`]) and Okta's answers to a request
//! ([`OktaError`]), rendered to the wire in one place (its `IntoResponse`).
//!
//! OAuth endpoints answer `{"error","error_description"}` (RFC 6749 §5.2) with the statuses
//! and descriptions of Okta's published error catalogue (docs/reference/okta.md §2.8);
//! `/v1/userinfo` adds the `WWW-Authenticate: Bearer` challenge. The management-style API,
//! which also answers an unknown authorization server, uses `{"errorCode","errorSummary",…}`.
//! Errors a browser meets before a redirect URI is trusted are an HTML page, and fedmock's
//! control API answers `{"error": …}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
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

/// An OAuth 2.0 error, as Okta sends it from `/v1/token` and friends.
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

    /// 401 `invalid_token` (a bearer token the resource refuses).
    pub fn invalid_token(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_token", description)
    }

    /// 403 `insufficient_scope`.
    pub fn insufficient_scope(description: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "insufficient_scope", description)
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

/// Okta's management-API error body (`E0000…` codes).
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

    /// 401 `E0000004`: the Authentication API's answer to a wrong login or password (and, by
    /// default, to a locked-out user) (Okta's Authentication API reference).
    pub fn authentication_failed() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "E0000004",
            summary: "Authentication failed".to_owned(),
        }
    }

    /// 404 `E0000007` for `/api/v1/sessions/me` without a session (okta-auth-js's fixtures).
    pub fn no_session() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "E0000007",
            summary: "Not found: Resource not found: me (Session)".to_owned(),
        }
    }

    /// 400 `E0000003`: a body that is not the JSON the API takes (Okta's error codes list).
    pub fn malformed_body() -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "E0000003",
            summary: "The request body was not well-formed.".to_owned(),
        }
    }

    /// `E0000009` with `status`: what a failing endpoint answers (the `jwks_status` fault).
    pub fn internal(status: StatusCode) -> Self {
        Self { status, code: "E0000009", summary: "Internal Server Error".to_owned() }
    }
}

/// Every error mock-okta answers a request with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OktaError {
    /// An OAuth error body (token, introspect, revoke, authorize).
    #[error("{0}")]
    OAuth(OAuthError),
    /// An OAuth error with the `WWW-Authenticate: Bearer` challenge (`/v1/userinfo`).
    #[error("{0}")]
    Bearer(OAuthError),
    /// An Okta API error body.
    #[error("{} {}", .0.code, .0.summary)]
    Api(ApiError),
    /// An HTML error page, for a browser that cannot be sent back to the client.
    #[error("{0}")]
    Page(OAuthError),
    /// fedmock's control API: `{"error": message}`.
    #[error("{status} {message}")]
    Control {
        /// HTTP status.
        status: StatusCode,
        /// What went wrong.
        message: String,
    },
}

impl OktaError {
    /// A control-API error.
    pub fn control(status: StatusCode, message: impl std::fmt::Display) -> Self {
        Self::Control { status, message: message.to_string() }
    }
}

impl From<OAuthError> for OktaError {
    fn from(err: OAuthError) -> Self {
        Self::OAuth(err)
    }
}

impl From<ApiError> for OktaError {
    fn from(err: ApiError) -> Self {
        Self::Api(err)
    }
}

impl From<KeyError> for OktaError {
    fn from(err: KeyError) -> Self {
        Self::OAuth(err.into())
    }
}

impl IntoResponse for OktaError {
    fn into_response(self) -> Response {
        let (status, body, oauth) = match &self {
            Self::OAuth(e) | Self::Bearer(e) => {
                (e.status, json!({ "error": e.error, "error_description": e.description }), true)
            }
            Self::Api(e) => (
                e.status,
                json!({
                    "errorCode": e.code,
                    "errorSummary": e.summary,
                    "errorLink": e.code,
                    "errorId": format!("oae{}", crate::random::random_id(22)),
                    "errorCauses": [],
                }),
                false,
            ),
            Self::Page(e) => {
                let body = format!(
                    "<!DOCTYPE html><html><head><title>{0}</title></head><body><h1>400 Bad Request</h1><p><b>{0}</b>: {1}</p></body></html>",
                    html_escape(&e.error),
                    html_escape(&e.description)
                );
                return (StatusCode::BAD_REQUEST, Html(body)).into_response();
            }
            Self::Control { status, message } => {
                let mut response =
                    (*status, axum::Json(json!({ "error": message }))).into_response();
                if *status == StatusCode::UNAUTHORIZED {
                    let challenge = HeaderValue::from_static("Bearer realm=\"fedmock control\"");
                    response.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
                }
                return response;
            }
        };
        let mut response = (status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
        if oauth {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, no-store"));
            headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        }
        if let Self::Bearer(e) = &self {
            let challenge =
                format!(r#"Bearer error="{}", error_description="{}""#, e.error, e.description);
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                headers.insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}

/// Escapes text for HTML.
pub(crate) fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
