//! Shared by the tests that drive external clients: where the drivers live and whether a
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
