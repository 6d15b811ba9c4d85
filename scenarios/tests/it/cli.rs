//! The `fedmock` binary as a user runs it: `fedmock up`: the ready file appears once both servers accept
//! connections, it holds what a client needs, the exchange works against it, and SIGTERM
//! stops it cleanly.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::WorldSummary;

async fn fedmock_up_serves_the_default_world_and_stops_cleanly() {
    let dir = std::env::temp_dir().join(format!("fedmock-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ready = dir.join("ready.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fedmock"))
        .args(["up", "--okta-port", "0", "--cognito-port", "0", "--ready-file"])
        .arg(&ready)
        .env("FEDMOCK_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready.exists() {
        assert!(Instant::now() < deadline, "no ready file");
        assert!(child.try_wait().unwrap().is_none(), "fedmock exited early");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let summary: WorldSummary = serde_json::from_slice(&std::fs::read(&ready).unwrap()).unwrap();
    assert_eq!(summary.identity_pool_id, "us-east-1:4b9a3c52-6f1e-4d8a-9c27-0fed0c000001");
    assert_eq!(summary.issuer, format!("{}/oauth2/default", summary.okta_url));
    assert_eq!(summary.logins_key, summary.issuer.trim_start_matches("http://"));

    let token: serde_json::Value = reqwest::Client::new()
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
    let client = aws_sdk_cognitoidentity::Client::new(&summary.sdk_config());
    let id = client
        .get_id()
        .identity_pool_id(&summary.identity_pool_id)
        .logins(&summary.logins_key, token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert!(id.identity_id().unwrap().starts_with("us-east-1:"));

    // The control API wants the run's token, which the ready file carries (issue 15).
    let control = summary.control_url("/clock");
    let token = summary.control_token.clone().expect("a control token in the ready file");
    let open = reqwest::get(&control).await.unwrap();
    assert_eq!(open.status(), 401, "no token, no control");
    let clock = reqwest::Client::new().get(&control).bearer_auth(&token).send().await.unwrap();
    assert_eq!(clock.status(), 200);

    Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "clean exit on SIGTERM: {:?}", output.status);
    let printed = String::from_utf8(output.stdout).unwrap();
    let logins_row = printed.lines().find(|l| l.trim_start().starts_with("Logins key")).unwrap();
    assert_eq!(
        logins_row.split_whitespace().last(),
        Some(summary.logins_key.as_str()),
        "{printed}"
    );
    assert!(printed.contains("aws cognito-identity get-id"), "{printed}");
    assert!(
        printed.contains(&format!("curl -H 'Authorization: Bearer {token}' {control}")),
        "a copy-paste control call: {printed}"
    );
    assert!(!ready.exists(), "the ready file is removed on exit");
    std::fs::remove_dir_all(&dir).ok();
}

fn fedmock_run_passes_the_library_and_fails_a_broken_scenario() {
    let library = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("library");
    let dir = std::env::temp_dir().join(format!("fedmock-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junit = dir.join("junit.xml");
    let ok = Command::new(env!("CARGO_BIN_EXE_fedmock"))
        .arg("run")
        .arg(&library)
        .arg("--junit")
        .arg(&junit)
        .output()
        .unwrap();
    let table = String::from_utf8(ok.stdout).unwrap();
    assert!(ok.status.success(), "{table}");
    // Every scenario through rust; the JS v2 basic flow also through js-v2, as its file asks.
    let files = library_files().len();
    let summary = match scenarios::Client::JsV2.missing() {
        None => format!("scenarios: {} passed, 0 failed\n", files + 1),
        Some(_) => format!("scenarios: {files} passed, 0 failed, 1 skipped\n"),
    };
    assert!(table.ends_with(&summary), "{table}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains(&format!(r#"<testsuite name="rust" tests="{files}" failures="0""#)),
        "{xml}"
    );
    assert!(xml.contains(r#"<testsuite name="js-v2" tests="1""#), "{xml}");

    let broken = dir.join("broken.toml");
    std::fs::write(
        &broken,
        "description = \"expects the wrong thing\"\n[[step]]\nid = \"okta\"\naction = \"token\"\n[[step]]\naction = \"get_id\"\nlogins = { \"{logins_key}\" = \"{okta.id_token}\" }\n",
    )
    .unwrap();
    let failed = Command::new(env!("CARGO_BIN_EXE_fedmock"))
        .arg("run")
        .arg(&broken)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
    let reports: serde_json::Value = serde_json::from_slice(&failed.stdout).unwrap();
    assert_eq!(
        reports[0]["steps"][1]["got"],
        "NotAuthorizedException: Invalid login token. Incorrect token audience."
    );
    std::fs::remove_dir_all(&dir).ok();
}

async fn fedmock_explain_names_the_failing_check_aws_s_answer_and_the_fix() {
    let fed = harness::Federation::start().await;
    let (user, password) = fed.user();
    let tokens =
        fed.token(harness::TokenRequest::password(user, password, "openid")).await.unwrap();
    let explain = |token: &str, extra: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_fedmock"))
            .args(["explain", "--token", token, "--okta", fed.okta_url()])
            .args(extra)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let id = explain(tokens.id_token.as_deref().unwrap(), &[]);
    assert!(
        id.contains("5. azp (if present), else aud, is a client ID of the provider — FAIL"),
        "{id}"
    );
    assert!(
        id.contains(
            "AWS answers: NotAuthorizedException: Invalid login token. Incorrect token audience."
        ),
        "{id}"
    );
    assert!(id.contains("add \"0oafedmock0client0001\" to the provider's client IDs"), "{id}");
    assert!(
        id.contains("4. the RS256 signature verifies with the issuer's JWKS — skipped"),
        "{id}"
    );

    let access = explain(&tokens.access_token, &[]);
    assert!(
        access.ends_with("Verdict: accepted, except for what was not checked here.\n"),
        "{access}"
    );
    let with_scheme = explain(&tokens.access_token, &["--logins-key", fed.issuer()]);
    assert!(with_scheme.contains("AWS answers: NotAuthorizedException: Invalid login token. Issuer doesn't match providerName"), "{with_scheme}");

    // STS straight from the Okta token: its own checks against the IAM OIDC providers.
    let sts = explain(tokens.id_token.as_deref().unwrap(), &["--sts"]);
    assert!(sts.starts_with("STS's checks of AssumeRoleWithWebIdentity, in order"), "{sts}");
    assert!(sts.contains("AWS answers: InvalidIdentityToken: Incorrect token audience\n"), "{sts}");
    let sts_ok = explain(&tokens.access_token, &["--sts"]);
    assert!(
        sts_ok.ends_with("Verdict: accepted, except for what was not checked here.\n"),
        "{sts_ok}"
    );
    // With the role: its trust policy and session length are STS's checks too.
    let web_role = "arn:aws:iam::123456789012:role/fedmock-web-identity";
    let role_ok = explain(&tokens.access_token, &["--sts", "--role-arn", web_role]);
    assert!(
        role_ok.ends_with("Verdict: accepted, except for what was not checked here.\n"),
        "{role_ok}"
    );
    let too_long = explain(
        &tokens.access_token,
        &["--sts", "--role-arn", web_role, "--duration-seconds", "7200"],
    );
    assert!(too_long.contains("AWS answers: ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration set for this role."), "{too_long}");
    let cognito_role = "arn:aws:iam::123456789012:role/fedmock-authenticated";
    let denied = explain(&tokens.access_token, &["--sts", "--role-arn", cognito_role]);
    assert!(
        denied.contains(
            "AWS answers: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity"
        ),
        "{denied}"
    );
}

/// The provenance table is generated from the code, and docs/provenance.md is that table.
fn fedmock_explain_provenance_is_the_generated_docs_page() {
    let output = Command::new(env!("CARGO_BIN_EXE_fedmock"))
        .args(["explain", "--provenance"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(table.contains("| Cognito Identity | NotAuthorizedException | `Invalid login token. Token expired: {now} >= {exp}` |"), "{table}");
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/provenance.md");
    let written = std::fs::read_to_string(&docs).unwrap_or_default();
    assert!(
        written == table,
        "docs/provenance.md is out of date: run `cargo run -p scenarios --bin fedmock -- explain --provenance > docs/provenance.md`"
    );
}

fn fedmock_run_reports_a_missing_client_as_skipped_with_its_install_command_never_passed() {
    let scenario = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("library/access-token-default-audience.toml");
    let dir = std::env::temp_dir().join(format!("fedmock-skip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junit = dir.join("junit.xml");
    let out = Command::new(env!("CARGO_BIN_EXE_fedmock"))
        .args(["run", "--clients", "rust,js-v3", "--junit"])
        .arg(&junit)
        .arg(&scenario)
        .env("FEDMOCK_DRIVERS", "/nonexistent/drivers")
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{table}");
    assert!(
        table.contains("skipped: install with `(cd /nonexistent/drivers/node && npm ci)`"),
        "{table}"
    );
    assert!(table.contains("scenarios: 1 passed, 0 failed, 1 skipped"), "{table}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains(r#"<testsuite name="js-v3" tests="1" failures="0" skipped="1""#), "{xml}");

    let unknown = Command::new(env!("CARGO_BIN_EXE_fedmock"))
        .args(["run", "--clients", "js-v4"])
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    let err = String::from_utf8(unknown.stderr).unwrap();
    assert!(err.contains("known: rust, js-v2, js-v3, boto3, aws-cli"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

fn an_external_client_s_refusal_fails_a_scenario_that_expected_success() {
    let dir = std::env::temp_dir().join(format!("fedmock-boto3-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.toml");
    std::fs::write(
        &broken,
        "description = \"expects success from a refused token\"\n[[step]]\nid = \"okta\"\naction = \"token\"\n[[step]]\naction = \"get_id\"\nlogins = { \"{logins_key}\" = \"{okta.id_token}\" }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fedmock"))
        .args(["run", "--json", "--clients", "boto3"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reports[0]["client"], "boto3");
    assert_eq!(
        reports[0]["steps"][1]["got"],
        "NotAuthorizedException: Invalid login token. Incorrect token audience."
    );
    std::fs::remove_dir_all(&dir).ok();
}

async fn fedmock_run_against_running_endpoints_drives_them_over_the_wire() {
    // A world running elsewhere: the runner knows it only by its ready file.
    let fed = harness::Federation::start().await;
    let dir = std::env::temp_dir().join(format!("fedmock-against-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ready = dir.join("ready.json");
    std::fs::write(&ready, serde_json::to_string(&fed.summary()).unwrap()).unwrap();
    let library = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("library");
    let before = fed.clock().now().await.unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_fedmock"))
        .args(["run", "--against"])
        .arg(&ready)
        .arg(&library)
        .output()
        .await
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{table}");
    // The expiry scenario moved the running world's clock over the admin API, and put it back.
    assert!(table.contains("expired-token-no-grace"), "{table}");
    assert!((fed.clock().now().await.unwrap() - before).abs() < 60, "the clock is restored");
    assert!(table.contains("skipped: its [world] needs a world of its own"), "{table}");
    assert!(table.contains("skipped: rotate_keys would change a shared world's keys"), "{table}");
    // expect_role asks STS GetCallerIdentity with the step's credentials, over the wire.
    let role_row = table
        .lines()
        .find(|l| l.starts_with("access-token-default-audience ") && l.contains("rust"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(!role_row.contains("skipped"), "{role_row}");
    // A scenario that reshapes or changes the world is skipped, once per client it names.
    let (mut shared, mut own) = (0, 0);
    for (_, scenario) in library_files() {
        let clients = scenario.default_clients().len();
        match scenario.needs_own_world() {
            Some(_) => own += clients,
            None => shared += clients,
        }
    }
    let summary = format!("scenarios: {shared} passed, 0 failed, {own} skipped");
    assert!(table.contains(&summary), "{table}");

    // A failed step is explained there too, from the pool and provider read over the wire.
    let broken = dir.join("broken.toml");
    std::fs::write(
        &broken,
        "description = \"expects success from the ID token\"\n[[step]]\nid = \"okta\"\naction = \"token\"\n[[step]]\naction = \"get_id\"\nlogins = { \"{logins_key}\" = \"{okta.id_token}\" }\n",
    )
    .unwrap();
    let failed = tokio::process::Command::new(env!("CARGO_BIN_EXE_fedmock"))
        .args(["run", "--json", "--against"])
        .arg(&ready)
        .arg(&broken)
        .output()
        .await
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
    let reports: serde_json::Value = serde_json::from_slice(&failed.stdout).unwrap();
    let why = reports[0]["steps"][1]["explanation"].as_str().unwrap_or_default();
    assert!(why.contains("is a client ID of the provider — FAIL"), "{reports:#}");
    assert!(why.contains("add \"0oafedmock0client0001\" to the provider's client IDs"), "{why}");

    // And an STS step, from the account's IAM OIDC providers read over the wire.
    std::fs::write(
        &broken,
        "description = \"STS with the ID token\"\n[[step]]\nid = \"okta\"\naction = \"token\"\n[[step]]\naction = \"assume_role\"\nrole_arn = \"arn:aws:iam::123456789012:role/fedmock-web-identity\"\nweb_identity_token = \"{okta.id_token}\"\n",
    )
    .unwrap();
    let failed = tokio::process::Command::new(env!("CARGO_BIN_EXE_fedmock"))
        .args(["run", "--json", "--against"])
        .arg(&ready)
        .arg(&broken)
        .output()
        .await
        .unwrap();
    let reports: serde_json::Value = serde_json::from_slice(&failed.stdout).unwrap();
    let why = reports[0]["steps"][1]["explanation"].as_str().unwrap_or_default();
    assert!(why.contains("iss names an IAM OIDC provider of the account — pass"), "{reports:#}");
    assert!(why.contains("azp, else aud, is one of the provider's client IDs — FAIL"), "{why}");
    std::fs::remove_dir_all(&dir).ok();
}

fn fedmock_explain_explains_a_scenario_step_in_its_world() {
    let scenario = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("library/id-token-vs-default-audience-provider.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_fedmock"))
        .args(["explain", "--step", "step 2", "--scenario"])
        .arg(&scenario)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("is a client ID of the provider — FAIL"), "{text}");
    assert!(
        text.contains(
            "AWS answers: NotAuthorizedException: Invalid login token. Incorrect token audience."
        ),
        "{text}"
    );

    let missing = Command::new(env!("CARGO_BIN_EXE_fedmock"))
        .args(["explain", "--step", "nope", "--scenario"])
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8(missing.stderr).unwrap().contains("no step \"nope\""));
}

fn a_user_error_is_one_line_never_a_backtrace() {
    let output = Command::new(env!("CARGO_BIN_EXE_fedmock"))
        .args(["up", "--config", "/nonexistent/world.toml"])
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8(output.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("fedmock: reading /nonexistent/world.toml: "), "{err}");
}

fn fedmock_run_on_a_folder_runs_its_scenarios_and_lists_the_other_toml_files() {
    let dir = std::env::temp_dir().join(format!("fedmock-folder-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("library")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    let library = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("library");
    let scenario = "unauthenticated-access-disabled-fixed.toml";
    std::fs::copy(library.join(scenario), dir.join("library").join(scenario)).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_fedmock")).arg("run").arg(&dir).output().unwrap();
    let (table, err) =
        (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{table}{err}");
    assert!(table.ends_with("scenarios: 1 passed, 0 failed\n"), "{table}");
    assert!(err.contains("skipped 1 TOML file(s) that are not scenarios (no [[step]]): "), "{err}");
    assert!(err.contains("Cargo.toml"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

pub fn tests() -> Vec<libtest_mimic::Trial> {
    use crate::support::Needs;
    let mut trials = crate::trials!("cli", Needs::Nothing;
    sync: [
        a_user_error_is_one_line_never_a_backtrace,
        fedmock_run_on_a_folder_runs_its_scenarios_and_lists_the_other_toml_files,
        fedmock_run_passes_the_library_and_fails_a_broken_scenario,
        fedmock_run_reports_a_missing_client_as_skipped_with_its_install_command_never_passed,
        fedmock_explain_explains_a_scenario_step_in_its_world,
        fedmock_explain_provenance_is_the_generated_docs_page,
    ];
    async: [
        fedmock_up_serves_the_default_world_and_stops_cleanly,
        fedmock_explain_names_the_failing_check_aws_s_answer_and_the_fix,
        fedmock_run_against_running_endpoints_drives_them_over_the_wire,
    ]);
    trials.extend(crate::trials!("cli", Needs::Client(scenarios::Client::Boto3);
        sync: [an_external_client_s_refusal_fails_a_scenario_that_expected_success];
        async: []));
    trials
}

/// The library's scenario files, parsed.
fn library_files() -> Vec<(std::path::PathBuf, scenarios::Scenario)> {
    let files = scenarios::scenario_files(&[crate::library::library()]).unwrap();
    files
        .files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let scenario = scenarios::Scenario::parse(&path.display().to_string(), &text).unwrap();
            (path, scenario)
        })
        .collect()
}
