//! Errors: the library's own ([`Error`]) and AWS's answer to a request ([`AwsError`]),
//! rendered to the wire in one place ([`Refusal`]'s `IntoResponse`) in the protocol the
//! request came in.
//!
//! Cognito Identity (JSON 1.1) answers every client mistake with HTTP 400,
//! `{"__type","message"}` and `x-amzn-ErrorType: T:` (docs/reference/cognito.md §1.4: 400 is
//! what the wire shows even where the model says 403/404). STS and IAM (the Query protocol)
//! answer `<ErrorResponse><Error><Type>Sender</Type><Code>…` with the statuses their models
//! give. Never a 5xx or a throttling type for a client mistake: the SDKs retry those, and a
//! test that expects an error would wait seconds for it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use std::fmt::Write as _;

/// The JSON 1.1 content type.
pub(crate) const AMZ_JSON: &str = "application/x-amz-json-1.1";

/// Where an answer's words come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A real AWS answer quoted in public: the address that quotes it.
    Observed(&'static str),
    /// AWS's documentation or service model: the address.
    Documented(&'static str),
    /// fedmock's words, AWS's not being published: why this form.
    Inferred(&'static str),
}

impl Source {
    /// `observed`, `documented` or `inferred`.
    pub fn label(self) -> &'static str {
        match self {
            Source::Observed(_) => "observed",
            Source::Documented(_) => "documented",
            Source::Inferred(_) => "inferred",
        }
    }

    /// The address, or the reason for an inferred text.
    pub fn reference(self) -> &'static str {
        match self {
            Source::Observed(r) | Source::Documented(r) | Source::Inferred(r) => r,
        }
    }
}

/// The service that answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// Cognito Identity (JSON 1.1).
    Cognito,
    /// STS (Query).
    Sts,
    /// IAM (Query).
    Iam,
    /// Any of them: request signing and the wire protocols.
    Any,
}

impl Service {
    /// The service's name in the table.
    pub fn name(self) -> &'static str {
        match self {
            Service::Cognito => "Cognito Identity",
            Service::Sts => "STS",
            Service::Iam => "IAM",
            Service::Any => "any",
        }
    }
}

/// One answer: type, words, when, and source.
#[derive(Debug, PartialEq, Eq)]
pub struct Text {
    /// Who answers.
    pub service: Service,
    /// The error type (JSON 1.1) or code (Query).
    pub kind: ErrorType,
    /// The message; `{name}` stands for a value filled in by [`Text::with`].
    pub message: &'static str,
    /// When AWS answers it.
    pub when: &'static str,
    /// Where the words come from.
    pub source: Source,
}

impl Text {
    /// The error, with a message that has no placeholders.
    pub fn error(&'static self) -> AwsError {
        AwsError::from_text(self, self.message.to_owned())
    }

    /// The error with `{name}` placeholders filled from `values` (in one pass: a value is
    /// never read as a placeholder).
    pub fn with(&'static self, values: &[(&str, &dyn std::fmt::Display)]) -> AwsError {
        let mut message = String::with_capacity(self.message.len() + 64);
        let mut rest = self.message;
        while let Some(start) = rest.find('{') {
            message.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            match after.find('}') {
                Some(end) => {
                    let name = &after[..end];
                    match values.iter().find(|(n, _)| *n == name) {
                        Some((_, value)) => {
                            let _ = write!(message, "{value}");
                        }
                        None => message.push_str(&rest[start..start + end + 2]),
                    }
                    rest = &after[end + 1..];
                }
                None => {
                    message.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        message.push_str(rest);
        AwsError::from_text(self, message)
    }

    /// The error with a message composed elsewhere from this text's form (validation lists).
    pub fn composed(&'static self, message: String) -> AwsError {
        AwsError::from_text(self, message)
    }
}

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

/// The error types and codes mock-cognito answers with, for the three services.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorType {
    /// Authentication or authorisation failed; every Cognito token rejection.
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
    /// STS: the web identity token is not acceptable.
    InvalidIdentityToken,
    /// STS: the web identity token has expired.
    ExpiredTokenException,
    /// Query protocol: the signing credentials have expired (HTTP 403).
    ExpiredToken,
    /// Query protocol: the access key or session token is not one AWS issued (HTTP 403).
    InvalidClientTokenId,
    /// STS and IAM: the caller may not do this (HTTP 403).
    AccessDenied,
    /// Cognito Identity: the signer's policies do not allow the action.
    AccessDeniedException,
    /// Query protocol: a parameter breaks its constraints.
    ValidationError,
    /// Query protocol: the form body cannot be read.
    MalformedQueryString,
    /// Query protocol: the `Action` is not one of the service's.
    InvalidAction,
    /// Query protocol: no `Action`.
    MissingAction,
    /// IAM: an input is invalid.
    InvalidInput,
    /// IAM: the entity does not exist (HTTP 404).
    NoSuchEntity,
    /// IAM: the entity exists already (HTTP 409).
    EntityAlreadyExists,
    /// IAM: a quota is reached (HTTP 409).
    IamLimitExceeded,
    /// IAM: a policy document is not a policy.
    MalformedPolicyDocument,
    /// The body is larger than the service takes (HTTP 413).
    RequestEntityTooLarge,
    /// The body did not arrive in time.
    RequestTimeout,
}

impl ErrorType {
    /// The unqualified `__type` (JSON 1.1) or `Code` (Query) string.
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
            Self::InvalidIdentityToken => "InvalidIdentityToken",
            Self::ExpiredTokenException => "ExpiredTokenException",
            Self::ExpiredToken => "ExpiredToken",
            Self::InvalidClientTokenId => "InvalidClientTokenId",
            Self::AccessDenied => "AccessDenied",
            Self::AccessDeniedException => "AccessDeniedException",
            Self::ValidationError => "ValidationError",
            Self::MalformedQueryString => "MalformedQueryString",
            Self::InvalidAction => "InvalidAction",
            Self::MissingAction => "MissingAction",
            Self::InvalidInput => "InvalidInput",
            Self::NoSuchEntity => "NoSuchEntity",
            Self::EntityAlreadyExists => "EntityAlreadyExists",
            Self::IamLimitExceeded => "LimitExceeded",
            Self::MalformedPolicyDocument => "MalformedPolicyDocument",
            Self::RequestEntityTooLarge => "RequestEntityTooLargeException",
            Self::RequestTimeout => "RequestTimeout",
        }
    }
}

/// An AWS error answer, with what fedmock compared to decide (for its log, never sent).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", kind.as_str())]
pub struct AwsError {
    /// The `__type` or `Code`.
    pub kind: ErrorType,
    /// The `message`, word for word as AWS writes it.
    pub message: String,
    /// The answer it is, with its source ([`crate::texts`]).
    pub text: &'static Text,
    /// What fedmock compared to decide, for the log.
    pub detail: Option<String>,
    /// For a refused token: every check the service made, with its verdict, for the log.
    pub checks: Option<String>,
}

impl AwsError {
    /// The answer `text` with `message` (its placeholders filled); errors are made only from
    /// [`crate::texts`].
    pub(crate) fn from_text(text: &'static Text, message: String) -> Self {
        Self { kind: text.kind, message, text, detail: None, checks: None }
    }

    /// Adds the log-only explanation.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Adds the log-only check list.
    pub fn with_checks(mut self, checks: impl Into<String>) -> Self {
        self.checks = Some(checks.into());
        self
    }

    /// Answers in `protocol`.
    pub fn in_protocol(self, protocol: Protocol) -> Refusal {
        Refusal { protocol, error: self }
    }
}

/// The wire protocol a request came in, which its answer must use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// AWS JSON 1.1 (Cognito Identity).
    Json,
    /// The Query protocol, answered in XML in the service's namespace (STS, IAM).
    Query {
        /// The service's XML namespace.
        namespace: &'static str,
    },
}

/// An [`AwsError`] on its way to the wire, in the request's protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// How to render it.
    pub protocol: Protocol,
    /// What to render.
    pub error: AwsError,
}

impl Refusal {
    /// The code and message the wire carries: the signature family has its own names in the
    /// Query protocol (`SignatureDoesNotMatch`, `InvalidClientTokenId`, …).
    fn code_and_message(&self) -> (&'static str, &str) {
        let error = &self.error;
        let query_code = match (self.protocol, error.kind) {
            (Protocol::Json, _) => None,
            (_, ErrorType::MissingAuthenticationToken) => {
                return ("MissingAuthenticationToken", "Request is missing Authentication Token");
            }
            (_, ErrorType::InvalidSignature) => Some("SignatureDoesNotMatch"),
            (_, ErrorType::UnrecognizedClient) => Some("InvalidClientTokenId"),
            (_, ErrorType::IncompleteSignature) => Some("IncompleteSignature"),
            _ => None,
        };
        (query_code.unwrap_or_else(|| error.kind.as_str()), &error.message)
    }

    /// The HTTP status: 400 for every JSON 1.1 client mistake; the Query services' own.
    fn status(&self) -> StatusCode {
        use ErrorType as T;
        match (self.protocol, self.error.kind) {
            (_, T::InternalError) => StatusCode::INTERNAL_SERVER_ERROR,
            (_, T::RequestEntityTooLarge) => StatusCode::PAYLOAD_TOO_LARGE,
            (Protocol::Json, _) => StatusCode::BAD_REQUEST,
            (
                _,
                T::AccessDenied
                | T::ExpiredToken
                | T::InvalidClientTokenId
                | T::MissingAuthenticationToken
                | T::InvalidSignature
                | T::UnrecognizedClient,
            ) => StatusCode::FORBIDDEN,
            (_, T::NoSuchEntity) => StatusCode::NOT_FOUND,
            (_, T::EntityAlreadyExists | T::IamLimitExceeded) => StatusCode::CONFLICT,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = self.status();
        let (code, message) = self.code_and_message();
        match self.protocol {
            Protocol::Json => {
                // AWS sends no message for some answers (a body that is not JSON, an unknown
                // target), and Coral's SerializationException spells it `Message` (inferred
                // from the live-tested suites cited in texts.rs).
                let body = match (message.is_empty(), self.error.kind) {
                    (true, _) => json!({ "__type": code }),
                    (false, ErrorType::Serialization) => {
                        json!({ "__type": code, "Message": message })
                    }
                    (false, _) => json!({ "__type": code, "message": message }),
                };
                let mut response = (status, body.to_string()).into_response();
                let headers = response.headers_mut();
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(AMZ_JSON));
                headers.insert("x-amzn-errortype", header_value(&format!("{code}:")));
                // Messages that echo client input may hold bytes a header cannot: send those
                // in the body only.
                if let Ok(message) = HeaderValue::from_str(message)
                    && !message.is_empty()
                {
                    headers.insert("x-amzn-errormessage", message);
                }
                response
            }
            Protocol::Query { namespace } => {
                let body = format!(
                    r#"<ErrorResponse xmlns="{namespace}"><Error><Type>Sender</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>"#,
                    crate::xml::xml_escape(message),
                    crate::error::request_id()
                );
                crate::xml::xml_response(status, body)
            }
        }
    }
}

/// A header value from text fedmock wrote (ASCII by construction).
fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("InternalError:"))
}

/// A request id shaped as AWS's (a random UUID v4), without a system call per request: a
/// per-thread SplitMix64 stream seeded once from the operating system. Request ids only need
/// to be unique, not secret.
/// `text` with every control character escaped (`\n` as `\\n`, ESC as `\\u{1b}`), for logs and
/// reports: a newline or terminal escape in a token's claim or a Logins key then cannot forge
/// a log line or repaint a terminal (issue 15). Borrowed when there is nothing to escape.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Puts a fresh request id on a JSON 1.1 answer (`x-amzn-RequestId`), formatted on the stack.
pub(crate) fn stamp_request_id(headers: &mut axum::http::HeaderMap) {
    const REQUEST_ID: axum::http::HeaderName =
        axum::http::HeaderName::from_static("x-amzn-requestid");
    let mut id = [0; uuid::fmt::Hyphenated::LENGTH];
    let id = request_id().hyphenated().encode_lower(&mut id);
    if let Ok(id) = HeaderValue::from_str(id) {
        headers.insert(REQUEST_ID, id);
    }
}

pub(crate) fn request_id() -> uuid::Uuid {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<u64> = Cell::new(uuid::Uuid::new_v4().as_u64_pair().0);
    }
    let next = || {
        STATE.with(|state| {
            let z = state.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
            state.set(z);
            let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        })
    };
    let bytes = (u128::from(next()) << 64 | u128::from(next())).to_le_bytes();
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_nothing_else_is_touched() {
        assert!(matches!(printable("iss é 🦀"), std::borrow::Cow::Borrowed("iss é 🦀")));
        assert_eq!(printable("a\nINFO forged\r\u{1b}[2J"), "a\\nINFO forged\\r\\u{1b}[2J");
    }
}
