//! Shared by the tests that drive external clients: where the drivers live and whether a
#![allow(dead_code)] // each test binary uses part of this module
//! runtime is installed. With `FEDMOCK_REQUIRE_CLIENTS=1` (CI) a missing client fails the
//! test; otherwise the test says it is skipped and how to install the client, never passes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `harness/tests/clients`.
pub fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// Whether `probe` succeeds; if not, says how to install the client (and fails in CI).
pub fn available(name: &str, probe: &mut Command, install: &str) -> bool {
    let ok = probe.stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("FEDMOCK_REQUIRE_CLIENTS").is_none(),
            "{name} is required but not installed: {install}"
        );
        eprintln!("skipped: {name} is not installed; install it with: {install}");
    }
    ok
}

/// `node <script>` in the Node clients' folder, if `package` can be loaded there.
pub fn node(package: &str, script: &str) -> Option<Command> {
    let dir = clients_dir().join("node");
    let mut probe = Command::new("node");
    probe.current_dir(&dir).args(["-e", &format!("require.resolve('{package}')")]);
    available(&format!("{package} (Node)"), &mut probe, "cd harness/tests/clients/node && npm ci")
        .then(|| {
            let mut cmd = Command::new("node");
            cmd.current_dir(dir).arg(script);
            cmd
        })
}

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
