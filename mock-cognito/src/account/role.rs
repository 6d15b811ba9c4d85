//! IAM roles: what a pool or STS hands out, each with the trust policy that says who may
//! assume it.

/// An IAM role, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    /// The role name.
    pub name: String,
    /// `arn:aws:iam::<account>:role/<name>`.
    pub arn: String,
    /// The trust policy (`AssumeRolePolicyDocument`).
    pub trust_policy: serde_json::Value,
    /// `Path`.
    pub path: String,
    /// Epoch seconds.
    pub created: i64,
    /// Longest session STS grants, seconds.
    pub max_session_duration_secs: i64,
}
