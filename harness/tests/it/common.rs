//! What the tests share: AWS error answers as (type, message), the admin client, GetId.

/// The error type and message of a refused SDK call (any AWS SDK crate).
pub fn aws_error<E, R>(err: aws_sdk_cognitoidentity::error::SdkError<E, R>) -> (String, String)
where
    E: aws_sdk_cognitoidentity::error::ProvideErrorMetadata,
{
    let aws_sdk_cognitoidentity::error::SdkError::ServiceError(e) = err else {
        panic!("not an AWS error answer")
    };
    (
        e.err().code().unwrap_or_default().to_owned(),
        e.err().message().unwrap_or_default().to_owned(),
    )
}

/// A Cognito Identity client with the world's developer credentials (signed actions).
pub fn admin(fed: &harness::Federation) -> aws_sdk_cognitoidentity::Client {
    aws_sdk_cognitoidentity::Client::new(&fed.admin_sdk_config())
}

/// GetId with `logins` through the SDK: the identity id, or AWS's error type and message.
pub async fn get_id(
    fed: &harness::Federation,
    logins: &[(&str, &str)],
) -> Result<String, (String, String)> {
    let mut call = fed.cognito_client().get_id().identity_pool_id(fed.pool_id());
    for (key, token) in logins {
        call = call.logins(*key, *token);
    }
    call.send().await.map(|out| out.identity_id.unwrap_or_default()).map_err(aws_error)
}
