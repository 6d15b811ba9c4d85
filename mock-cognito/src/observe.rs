//! What the endpoint answered, for whoever watches: the console's live feed of exchanges.
//!
//! An observer is told of every Cognito Identity, STS and IAM request once its answer is
//! decided, with the request as it arrived and AWS's refusal if there was one. It runs on the
//! request's task, so it must be quick (the console copies a bounded part and returns); with
//! no observer the cost is one atomic load.

use axum::http::HeaderMap;

use crate::error::AwsError;

/// The service a request went to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// Cognito Identity (JSON 1.1).
    CognitoIdentity,
    /// STS (Query).
    Sts,
    /// IAM (Query).
    Iam,
}

impl Service {
    /// How AWS names it in a signing scope or an ARN.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CognitoIdentity => "cognito-identity",
            Self::Sts => "sts",
            Self::Iam => "iam",
        }
    }
}

/// One request and its answer.
#[derive(Debug)]
pub struct Observed<'a> {
    /// Where it went.
    pub service: Service,
    /// The operation (`GetId`) or Query `Action`, as sent (possibly empty or unknown).
    pub action: &'a str,
    /// The request's headers.
    pub headers: &'a HeaderMap,
    /// The request's body as read (at most [`crate::MAX_BODY_BYTES`]).
    pub body: &'a [u8],
    /// AWS's refusal, or `None` when the request was served.
    pub refusal: Option<&'a AwsError>,
}

/// Told of every request the endpoint answers.
pub trait Observer: Send + Sync + std::fmt::Debug {
    /// Called once per request, on the request's task, after its answer is decided.
    fn observe(&self, seen: &Observed<'_>);
}
