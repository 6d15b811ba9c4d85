//! fedmock as a container (harness::container, testcontainers): the image built from this very
//! binary serves the federation, validates exactly as in process, logs its explanations, and
//! runs the library's scenarios (`fedmock run --container`).
//!
//! They need a Docker engine. Without one they are ignored and say so; with
//! `FEDMOCK_REQUIRE_DOCKER=1` (CI installs and starts the engine) a missing engine fails them.

use std::path::Path;

use harness::container::{FedmockContainer, FedmockImage, build_image};
use harness::{FederationConfig, WorldSummary};
use tokio::sync::OnceCell;

const IMAGE: (&str, &str) = ("fedmock", "cargo-test");

/// The image, built once per test binary from the `fedmock` binary cargo built for the tests.
async fn image() -> FedmockImage {
    static BUILT: OnceCell<Result<FedmockImage, String>> = OnceCell::const_new();
    let built = BUILT
        .get_or_init(|| async {
            let binary = Path::new(env!("CARGO_BIN_EXE_fedmock"));
            build_image(binary, IMAGE.0, IMAGE.1).await.map_err(|e| e.to_string())
        })
        .await;
    built.clone().unwrap_or_else(|why| panic!("{why}"))
}

async fn start(image: FedmockImage) -> FedmockContainer {
    image.start().await.unwrap_or_else(|e| panic!("{e}"))
}

/// The password grant's (access token, ID token).
async fn tokens(summary: &WorldSummary) -> (String, String) {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(&summary.token_endpoint)
        .basic_auth(&summary.client_id, Some(&summary.client_secret))
        .form(&[
            ("grant_type", "password"),
            ("username", &summary.username),
            ("password", &summary.password),
            ("scope", "openid"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        answer["access_token"].as_str().unwrap().to_owned(),
        answer["id_token"].as_str().unwrap().to_owned(),
    )
}

fn cognito(summary: &WorldSummary) -> aws_sdk_cognitoidentity::Client {
    aws_sdk_cognitoidentity::Client::new(&summary.sdk_config())
}

async fn the_container_trades_an_okta_token_for_credentials_through_the_rust_sdk() {
    let image = image().await;
    let container = start(image).await;
    let summary = container.summary();
    // Reached through Docker's mapped ports; named as the container names itself.
    assert!(!summary.cognito_endpoint.ends_with(":8401"), "{}", summary.cognito_endpoint);
    assert!(summary.issuer.ends_with(":8400/oauth2/default"), "{}", summary.issuer);

    let (token, _) = tokens(summary).await;
    let client = cognito(summary);
    let id = client
        .get_id()
        .identity_pool_id(&summary.identity_pool_id)
        .logins(&summary.logins_key, &token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{}", aws_sdk_cognitoidentity::error::DisplayErrorContext(e)));
    let identity = id.identity_id().unwrap();
    let credentials = client
        .get_credentials_for_identity()
        .identity_id(identity)
        .logins(&summary.logins_key, &token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{}", aws_sdk_cognitoidentity::error::DisplayErrorContext(e)));
    let key = credentials.credentials().and_then(|c| c.access_key_id()).unwrap();
    assert!(key.starts_with("ASIA"), "{key}");
}

async fn a_refused_login_gets_aws_s_answer_and_the_container_logs_every_check() {
    let image = image().await;
    let container = start(image).await;
    let summary = container.summary();
    let (token, id_token) = tokens(summary).await;
    // The key with its scheme: AWS compares it with iss without one.
    let err = cognito(summary)
        .get_id()
        .identity_pool_id(&summary.identity_pool_id)
        .logins(&summary.issuer, &token)
        .send()
        .await
        .unwrap_err();
    let service = err.into_service_error();
    assert_eq!(service.meta().code(), Some("NotAuthorizedException"));
    assert_eq!(
        service.meta().message(),
        Some("Invalid login token. Issuer doesn't match providerName")
    );
    // STS straight from the OIDC token: the ID token's aud is the client id, not listed.
    let err = aws_sdk_sts::Client::new(&summary.sdk_config())
        .assume_role_with_web_identity()
        .role_arn(format!("arn:aws:iam::{}:role/fedmock-web-identity", summary.account_id))
        .role_session_name("container-test")
        .web_identity_token(&id_token)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.meta().code(), Some("InvalidIdentityToken"));
    assert_eq!(err.meta().message(), Some("Incorrect token audience"));

    let logs = container.logs().await.unwrap();
    assert!(logs.contains("Issuer doesn't match providerName"), "{logs}");
    assert!(logs.contains("fix:"), "the log explains the refusal: {logs}");
    assert!(logs.contains("STS's checks of AssumeRoleWithWebIdentity"), "{logs}");
    assert!(
        logs.contains("azp, else aud, is one of the provider's client IDs — FAIL"),
        "the log lists STS's checks: {logs}"
    );
}

async fn a_container_starts_with_the_world_it_is_given() {
    let image = image().await;
    let mut world = FederationConfig::default_world();
    world.aws.identity_pools[0].name = "from-a-test".into();
    world.aws.identity_pools[0].allow_unauthenticated_identities = true;
    let container = start(image.with_world(&world).unwrap()).await;
    let summary = container.summary();
    // Unauthenticated access, switched on in this world only (the default world refuses it).
    let id = cognito(summary)
        .get_id()
        .identity_pool_id(&summary.identity_pool_id)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{}", aws_sdk_cognitoidentity::error::DisplayErrorContext(e)));
    assert!(id.identity_id().unwrap().starts_with("us-east-1:"));
}

async fn a_missing_image_says_how_to_build_it() {
    // The engine must answer (the image build is the check); the tag must not exist.
    image().await;
    let err = FedmockImage::new("fedmock", "never-built").start().await.unwrap_err().to_string();
    assert!(err.starts_with("no image fedmock:never-built here ("), "{err}");
    assert!(err.ends_with("build it with `fedmock image --tag fedmock:never-built`"), "{err}");
}

async fn a_world_fedmock_refuses_fails_the_start_with_the_reason() {
    let image = image().await;
    let mut world = FederationConfig::default_world();
    world.aws.identity_pools[0].open_id_connect_providers =
        vec!["https://nowhere.example.com".into()];
    let err = image.with_world(&world).unwrap().start().await.unwrap_err().to_string();
    assert!(
        err.contains(
            "trusts \\\"https://nowhere.example.com\\\", which is not among oidc_providers"
        ),
        "{err}"
    );
}

async fn every_library_scenario_passes_in_containers_with_the_rust_sdk() {
    let image = image().await;
    let files = scenarios::scenario_files(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("library")])
        .unwrap();
    let count = files.files.len();
    let mut runs = Vec::new();
    for path in files.files {
        let image = image.clone();
        runs.push(tokio::spawn(async move {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let file = path.display().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let scenario = scenarios::Scenario::parse(&file, &text).unwrap();
            scenarios::run_in_container(&name, &file, &scenario, &[scenarios::Client::Rust], &image)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"))
        }));
    }
    let mut reports = Vec::new();
    for run in runs {
        reports.extend(run.await.unwrap());
    }
    print!("{}", scenarios::render(&reports));
    assert_eq!(reports.len(), count, "one report per scenario");
    let not_passed: Vec<&str> =
        reports.iter().filter(|r| !r.passed()).map(|r| r.scenario.as_str()).collect();
    assert!(not_passed.is_empty(), "{not_passed:?}");
}

fn fedmock_run_container_runs_a_scenario_with_a_world_of_its_own() {
    // The image is built by the tests above or by an earlier run; build it here if needed.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let image = runtime.block_on(image());
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("library/unauthenticated-access-disabled-fixed.toml");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fedmock"))
        .args(["run", "--container", &image.reference(), "--clients", "rust"])
        .arg(&scenario)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{table}{}", String::from_utf8_lossy(&output.stderr));
    assert!(table.contains("scenarios: 1 passed, 0 failed"), "{table}");
}

/// `docker …`, its standard output; panics with its standard error when it fails.
fn docker(args: &[&str], env: &[(&str, &str)]) -> String {
    let out = std::process::Command::new("docker").args(args).envs(env.iter().copied()).output();
    let out = out.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        out.status.success(),
        "docker {}: {stdout}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Leaves the swarm (if this test made it) and removes the stack, even when the test fails.
struct Stack {
    name: String,
    leave_swarm: bool,
}

impl Drop for Stack {
    fn drop(&mut self) {
        let run = |args: &[&str]| std::process::Command::new("docker").args(args).output().ok();
        run(&["stack", "rm", &self.name]);
        if self.leave_swarm {
            run(&["swarm", "leave", "--force"]);
        }
    }
}

/// deploy/compose.yaml on a single-node swarm (issue 13): its replicas become healthy through
/// the image's own health check, and `fedmock load` run in a container on the stack's overlay
/// network reaches them by the service name (DNS round robin, since these kernels have no
/// routing mesh) with 0 unexpected answers: tokens, identities and credentials from one
/// replica honoured by the other.
fn the_compose_file_runs_replicas_on_a_swarm_that_answer_as_one() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let image = runtime.block_on(image());
    let state = docker(&["info", "--format", "{{.Swarm.LocalNodeState}}"], &[]);
    let leave_swarm = state != "active";
    if leave_swarm {
        docker(&["swarm", "init", "--advertise-addr", "127.0.0.1"], &[]);
    }
    let stack = Stack { name: format!("fedmock-test-{}", std::process::id()), leave_swarm };
    let compose = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/compose.yaml");
    let reference = image.reference();
    docker(
        &["stack", "deploy", "-c", compose.to_str().unwrap(), &stack.name],
        &[("FEDMOCK_IMAGE", &reference)],
    );
    let service = format!("{}_fedmock", stack.name);
    let label = format!("label=com.docker.swarm.service.name={service}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        let healthy = docker(&["ps", "-q", "--filter", &label, "--filter", "health=healthy"], &[]);
        if healthy.lines().count() >= 2 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the replicas never became healthy: {}",
            docker(&["service", "ps", "--no-trunc", &service], &[])
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let network = format!("{}_fedmock", stack.name);
    // Healthy tasks are not yet a name on the network: Swarm's DNS learns them a moment later
    // (seconds on a busy machine). Wait until a probe on the network reaches both ports by name.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        let probe = std::process::Command::new("docker")
            .args(["run", "--rm", "--network", &network, &reference, "health"])
            .args(["http://fedmock:8400/__fedmock/health", "http://fedmock:8401/__fedmock/health"])
            .output()
            .unwrap();
        if probe.status.success() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the replicas never answered by name on {network}: {}{}",
            String::from_utf8_lossy(&probe.stderr),
            docker(&["service", "ps", "--no-trunc", &service], &[])
        );
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    let world = FederationConfig::default_world();
    let (client, user) = (&world.okta.clients[0], &world.okta.users[0]);
    let pool = world.aws.identity_pools[0].id.clone().unwrap();
    let load = std::process::Command::new("docker")
        .args([
            "run",
            "--rm",
            "--network",
            &network,
            &reference,
            "load",
            "--cognito-endpoint",
            "http://fedmock:8401",
            "--sts-endpoint",
            "http://fedmock:8401",
            "--token-url",
            "http://fedmock:8400/oauth2/default/v1/token",
            "--issuer",
            "http://fedmock:8400/oauth2/default",
            "--pool",
            &pool,
            "--client-id",
            &client.client_id,
            "--client-secret",
            &client.client_secret,
            "--token",
            "password",
            "--username",
            &user.login,
            "--password",
            &user.password,
            "--exchanges",
            "100",
            "--concurrency",
            "4",
            "--verify-credentials",
            "--json",
            // A busy CI machine runs this beside every other test.
            "--timeout",
            "60s",
        ])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&load.stdout).into_owned();
    let json: serde_json::Value = serde_json::from_str(&report)
        .unwrap_or_else(|e| panic!("{e}: {report}{}", String::from_utf8_lossy(&load.stderr)));
    let tasks = || docker(&["service", "ps", "--no-trunc", &service], &[]);
    assert_eq!(json["exchanges"], 100, "{json}\n{}", tasks());
    assert_eq!(json["unexpected"], 0, "{json}\n{}", tasks());
    drop(stack);
}

pub fn tests() -> Vec<libtest_mimic::Trial> {
    crate::trials!("container", crate::support::Needs::Docker;
    sync: [
        fedmock_run_container_runs_a_scenario_with_a_world_of_its_own,
        the_compose_file_runs_replicas_on_a_swarm_that_answer_as_one,
    ];
    async: [
        the_container_trades_an_okta_token_for_credentials_through_the_rust_sdk,
        a_refused_login_gets_aws_s_answer_and_the_container_logs_every_check,
        a_container_starts_with_the_world_it_is_given,
        a_missing_image_says_how_to_build_it,
        a_world_fedmock_refuses_fails_the_start_with_the_reason,
        every_library_scenario_passes_in_containers_with_the_rust_sdk,
    ])
}
