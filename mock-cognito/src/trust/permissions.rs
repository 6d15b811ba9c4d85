//! What a signer may do once its signature verifies. fedmock's roles carry trust policies
//! only, no permissions policy, so temporary credentials issued for a role (by
//! GetCredentialsForIdentity or AssumeRoleWithWebIdentity) are allowed nothing that needs a
//! permission: every signed Cognito Identity and IAM action is AWS's implicit deny for them,
//! with AWS's words. Only `sts:GetCallerIdentity`, which needs no permission in AWS either,
//! answers them. The world's developer keys are the account's administrators. So a federated
//! end user can never administer the world (issue 15).

use crate::account::Owner;
use crate::error::AwsError;
use crate::texts;

/// `Ok` when `session` (temporary credentials; `None` for a developer key or when signatures
/// are off) may perform `action` (`service:Action`) on `resource`.
pub(crate) fn authorize(
    session: Option<&Owner>,
    action: &str,
    resource: &str,
) -> Result<(), AwsError> {
    let Some(owner) = session else { return Ok(()) };
    let text = if action.starts_with("iam:") {
        &texts::IAM_ACCESS_DENIED
    } else {
        &texts::COGNITO_ACCESS_DENIED
    };
    Err(text
        .with(&[("user", &owner.assumed_role_arn()), ("action", &action), ("resource", &resource)])
        .with_detail(format!(
            "credentials issued for {} carry no permissions policy in fedmock: sign admin calls with a world access key",
            owner.role_arn
        )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Owner {
        Owner {
            role_arn: "arn:aws:iam::123456789012:role/r".into(),
            subject: "sub".into(),
            session_name: "s".into(),
            expiration: 0,
        }
    }

    #[test]
    fn a_session_is_denied_in_aws_s_words_and_a_developer_key_is_not() {
        let err = authorize(Some(&session()), "iam:ListRoles", "arn:aws:iam::123456789012:role/")
            .unwrap_err();
        assert_eq!(err.kind.as_str(), "AccessDenied");
        assert_eq!(
            err.message,
            "User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::123456789012:role/ because no identity-based policy allows the iam:ListRoles action"
        );
        let err =
            authorize(Some(&session()), "cognito-identity:ListIdentityPools", "x").unwrap_err();
        assert_eq!(err.kind.as_str(), "AccessDeniedException");
        assert!(authorize(None, "iam:ListRoles", "*").is_ok());
    }
}
