//! IAM roles: what a pool or STS hands out, each with the trust policy that says who may
//! assume it.

use super::policy::TrustPolicy;

/// An IAM role, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    /// The role name.
    pub name: String,
    /// `arn:aws:iam::<account>:role/<name>`.
    pub arn: String,
    /// The trust policy (`AssumeRolePolicyDocument`), read once.
    pub trust_policy: TrustPolicy,
    /// `Path`.
    pub path: String,
    /// Epoch seconds.
    pub created: i64,
    /// Longest session STS grants, seconds.
    pub max_session_duration_secs: i64,
}
