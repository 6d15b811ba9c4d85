//! The whole library of reproduced bugs through the AWS SDK for Rust and through every external
//! client: every scenario must meet every expectation it states.

use std::path::PathBuf;

use scenarios::{Client, Scenario};

#[tokio::test(flavor = "multi_thread")]
async fn every_library_scenario_meets_its_expectations_with_the_rust_sdk() {
    let reports = run_library(&[Client::Rust]).await;
    let failed: Vec<&str> =
        reports.iter().filter(|r| !r.passed()).map(|r| r.scenario.as_str()).collect();
    assert!(failed.is_empty(), "failed scenarios: {failed:?}");
}

/// The same library through the AWS SDK for JavaScript v2 and v3, boto3 and the AWS CLI, via
/// their drivers. Where a runtime is missing the run is skipped (and says how to install it);
/// with `FEDMOCK_REQUIRE_CLIENTS` set, as in CI, a skipped client fails.
#[tokio::test(flavor = "multi_thread")]
async fn every_library_scenario_meets_its_expectations_with_every_external_client() {
    let external = [Client::JsV2, Client::JsV3, Client::Boto3, Client::AwsCli];
    let reports = run_library(&external).await;
    let failed: Vec<String> = reports
        .iter()
        .filter(|r| r.failed())
        .map(|r| format!("{} ({})", r.scenario, r.client))
        .collect();
    assert!(failed.is_empty(), "failed scenarios: {failed:?}");
    if std::env::var_os("FEDMOCK_REQUIRE_CLIENTS").is_some() {
        let skipped: Vec<String> = reports
            .iter()
            .filter_map(|r| r.skipped.as_ref().map(|i| format!("{}: {i}", r.client)))
            .collect();
        assert!(skipped.is_empty(), "clients missing: {skipped:?}");
    }
}

async fn run_library(clients: &[Client]) -> Vec<scenarios::ScenarioReport> {
    let files =
        scenarios::scenario_files(&[PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("library")])
            .unwrap();
    assert!(files.len() >= 10, "the library is missing scenarios: {files:?}");
    let runs = files.iter().map(|path| {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let clients = clients.to_vec();
        async move {
            let scenario = Scenario::parse(&file, &text).unwrap_or_else(|e| panic!("{e}"));
            scenarios::run(&name, &file, &scenario, &clients)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    });
    let reports: Vec<_> = futures_join(runs).await.into_iter().flatten().collect();
    print!("{}", scenarios::render(&reports));
    reports
}

/// Runs the scenarios concurrently (each has its own world).
async fn futures_join<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}
