//! Errors: the library's own (`Error`) and AWS's wire error (`AwsError`).
//!
//! Every client mistake is HTTP 400 with `{"__type","message"}` and `x-amzn-ErrorType: T:`
//! (cognito.md §1.4: 400 is what the wire shows even where the model says 403/404). Never a
//! 5xx or a throttling type for a client mistake: the SDKs retry those, and a test that
//! expects an error would wait seconds for it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::verify::TokenRejection;

/// The JSON 1.1 content type.
pub(crate) const AMZ_JSON: &str = "application/x-amz-json-1.1";

/// Errors of the mock-cognito library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration cannot describe a working account.
    #[error("invalid mock-cognito config: {0}")]
    Config(String),
    /// Binding or serving the socket failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// AWS error types mock-cognito answers with (`__type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorType {
    /// Authentication or authorisation failed; every token rejection.
    NotAuthorized,
    /// Unknown pool or identity.
    ResourceNotFound,
    /// A shape constraint failed (unmodelled, as on the wire).
    Validation,
    /// The body is not JSON of the expected shape.
    Serialization,
    /// `X-Amz-Target` names no operation of this service.
    UnknownOperation,
    /// The pool has no role for this kind of identity.
    InvalidIdentityPoolConfiguration,
    /// A parameter is invalid for the pool's configuration.
    InvalidParameter,
    /// A quota is reached.
    LimitExceeded,
    /// The request conflicts with existing links.
    ResourceConflict,
    /// A developer user identifier belongs to another identity.
    DeveloperUserAlreadyRegistered,
    /// The service itself failed (a bug in fedmock). HTTP 500.
    InternalError,
    /// A signed action arrived without a signature.
    MissingAuthenticationToken,
    /// The signature does not match.
    InvalidSignature,
    /// The `Authorization` header is malformed.
    IncompleteSignature,
    /// The access key is unknown.
    UnrecognizedClient,
}

impl ErrorType {
    /// The unqualified `__type` string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotAuthorized => "NotAuthorizedException",
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::Validation => "ValidationException",
            Self::Serialization => "SerializationException",
            Self::UnknownOperation => "UnknownOperationException",
            Self::InvalidIdentityPoolConfiguration => "InvalidIdentityPoolConfigurationException",
            Self::InvalidParameter => "InvalidParameterException",
            Self::LimitExceeded => "LimitExceededException",
            Self::ResourceConflict => "ResourceConflictException",
            Self::DeveloperUserAlreadyRegistered => "DeveloperUserAlreadyRegisteredException",
            Self::InternalError => "InternalErrorException",
            Self::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Self::InvalidSignature => "InvalidSignatureException",
            Self::IncompleteSignature => "IncompleteSignatureException",
            Self::UnrecognizedClient => "UnrecognizedClientException",
        }
    }
}

/// An AWS error answer, with an optional explanation for fedmock's log (never sent).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", kind.as_str())]
pub struct AwsError {
    /// The `__type`.
    pub kind: ErrorType,
    /// The `message`, word for word as AWS writes it.
    pub message: String,
    /// What fedmock compared to decide, for the log.
    pub detail: Option<String>,
    /// For a refused login: every check Cognito makes, with its verdict (the `explain`
    /// report), for the log.
    pub checks: Option<String>,
}

impl AwsError {
    /// An error of `kind` with AWS's `message`.
    pub fn new(kind: ErrorType, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), detail: None, checks: None }
    }

    /// `NotAuthorizedException`.
    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new(ErrorType::NotAuthorized, message)
    }

    /// `ResourceNotFoundException` `IdentityPool '<id>' not found.`
    pub fn pool_not_found(pool_id: &str) -> Self {
        Self::new(ErrorType::ResourceNotFound, format!("IdentityPool '{pool_id}' not found."))
    }

    /// `ResourceNotFoundException` `Identity '<id>' not found.`
    pub fn identity_not_found(identity_id: &str) -> Self {
        Self::new(ErrorType::ResourceNotFound, format!("Identity '{identity_id}' not found."))
    }

    /// `InvalidIdentityPoolConfigurationException` for a pool without the needed role.
    pub fn no_role() -> Self {
        Self::new(
            ErrorType::InvalidIdentityPoolConfiguration,
            "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
        )
    }

    /// Adds the log-only explanation.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    fn status(&self) -> StatusCode {
        match self.kind {
            ErrorType::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl From<TokenRejection> for AwsError {
    fn from(rejection: TokenRejection) -> Self {
        AwsError::not_authorized(rejection.to_string()).with_detail(rejection.explain())
    }
}

impl IntoResponse for AwsError {
    fn into_response(self) -> Response {
        let body = json!({ "__type": self.kind.as_str(), "message": self.message });
        let mut response = (self.status(), body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(AMZ_JSON));
        let error_type = format!("{}:", self.kind.as_str());
        headers.insert("x-amzn-errortype", HeaderValue::from_str(&error_type).expect("ASCII type"));
        // Messages that echo client input may hold bytes a header cannot: send those in the
        // body only.
        if let Ok(message) = HeaderValue::from_str(&self.message) {
            headers.insert("x-amzn-errormessage", message);
        }
        response
    }
}
