//! The test runner's parts: a trial per test, run on a tokio runtime when it is async, and
//! ignored (never passed) when something it needs is missing here. With
//! `FEDMOCK_REQUIRE_CLIENTS=1` or `FEDMOCK_REQUIRE_DOCKER=1` (CI sets both) a missing runtime
//! no longer ignores the test: it runs, and fails saying what to install.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use libtest_mimic::Trial;
use scenarios::Client;

/// What a test needs besides Rust.
#[derive(Clone, Copy, Debug)]
pub enum Needs {
    /// Nothing.
    Nothing,
    /// A scenario client (its runtime and packages).
    Client(Client),
    /// A Node package in `scenarios/drivers/node`.
    Node(&'static str),
    /// A Python module.
    Python(&'static str),
    /// A Docker engine.
    Docker,
    /// HAProxy (Debian's `haproxy`), the balancer in front of replicas.
    Haproxy,
    /// Headless Chromium and its WebDriver (Debian's `chromium`, `chromium-driver`), with the
    /// browser example's Node packages.
    Browser,
    /// Headless Chromium and its WebDriver alone (the console's pages).
    Chromium,
}

impl Needs {
    /// Whether a test needing it cannot run here.
    pub fn is_missing(self) -> bool {
        self.missing().is_some()
    }

    /// `None` when it is here (or required, so the test must run); otherwise why not and how
    /// to get it.
    fn missing(self) -> Option<String> {
        let (absent, required) = match self {
            Needs::Nothing => return None,
            Needs::Client(client) => {
                (client.missing().map(|i| format!("install with `{i}`")), clients_required())
            }
            Needs::Node(package) => {
                let found = runs(
                    Command::new("node")
                        .current_dir(drivers().join("node"))
                        .args(["-e", &format!("require.resolve('{package}')")]),
                );
                let install = format!("cd {} && npm ci", drivers().join("node").display());
                (
                    (!found).then(|| format!("{package} (Node) is missing: {install}")),
                    clients_required(),
                )
            }
            Needs::Python(module) => {
                let found = runs(Command::new("python3").args(["-c", &format!("import {module}")]));
                let install = format!(
                    "python3 -m pip install -r {}",
                    drivers().join("python/requirements.txt").display()
                );
                (
                    (!found).then(|| format!("{module} (Python) is missing: {install}")),
                    clients_required(),
                )
            }
            Needs::Haproxy => {
                let found = runs(Command::new("haproxy").arg("-v"));
                (
                    (!found).then(|| "HAProxy is missing: apt-get install haproxy".to_owned()),
                    clients_required(),
                )
            }
            Needs::Browser => {
                let absent = chromium_missing().or_else(|| {
                    Needs::Node("@okta/okta-auth-js").missing().or(Needs::Node("esbuild").missing())
                });
                (absent, clients_required())
            }
            Needs::Chromium => (chromium_missing(), clients_required()),
            Needs::Docker => {
                let up = runs(Command::new("docker").args([
                    "version",
                    "--format",
                    "{{.Server.Version}}",
                ]));
                (
                    (!up).then(|| "no Docker engine answers (start dockerd)".to_owned()),
                    docker_required(),
                )
            }
        };
        absent.filter(|_| !required)
    }
}

fn chromium_missing() -> Option<String> {
    let driver = runs(Command::new("chromedriver").arg("--version"));
    let browser = runs(Command::new("chromium").arg("--version"));
    (!driver || !browser)
        .then(|| "Chromium is missing: apt-get install chromium chromium-driver".to_owned())
}

fn clients_required() -> bool {
    std::env::var_os("FEDMOCK_REQUIRE_CLIENTS").is_some()
}

fn docker_required() -> bool {
    std::env::var_os("FEDMOCK_REQUIRE_DOCKER").is_some()
}

fn runs(command: &mut Command) -> bool {
    command.stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// `n` distinct free ports on loopback: every listener is held until all are chosen, so the
/// kernel cannot hand the same port out twice.
pub fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<_> =
        (0..n).map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap()).collect();
    listeners.iter().map(|l| l.local_addr().unwrap().port()).collect()
}

/// Kills its process when dropped, so a failed assertion leaves nothing running.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `scenarios/drivers`: the real clients' programs and manifests.
pub fn drivers() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("drivers")
}

/// Whether each kind of need is met, checked once per run and said once.
fn ignored(needs: Needs) -> bool {
    static SAID: OnceLock<std::sync::Mutex<Vec<String>>> = OnceLock::new();
    match needs.missing() {
        None => false,
        Some(why) => {
            let said = SAID.get_or_init(Default::default);
            let mut said = said.lock().unwrap_or_else(|e| e.into_inner());
            if !said.contains(&why) {
                eprintln!("ignoring the tests that need it: {why}");
                said.push(why);
            }
            true
        }
    }
}

/// A synchronous test.
pub fn test(name: &str, needs: Needs, body: impl FnOnce() + Send + 'static) -> Trial {
    Trial::test(name, move || {
        body();
        Ok(())
    })
    .with_ignored_flag(ignored(needs))
}

/// An async test, on a multi-threaded tokio runtime of its own.
pub fn test_async<F, Fut>(name: &str, needs: Needs, body: F) -> Trial
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    test(name, needs, move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime builds")
            .block_on(body());
    })
}

/// The trials of a module: `trials!(module, needs; sync fn, …; async fn, …)`.
#[macro_export]
macro_rules! trials {
    ($module:literal, $needs:expr; sync: [$($sync:ident),* $(,)?]; async: [$($async:ident),* $(,)?]) => {
        vec![
            $($crate::support::test(concat!($module, "::", stringify!($sync)), $needs, $sync),)*
            $($crate::support::test_async(concat!($module, "::", stringify!($async)), $needs, $async),)*
        ]
    };
}
