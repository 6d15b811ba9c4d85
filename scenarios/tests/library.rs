//! The whole library of reproduced bugs through the AWS SDK for Rust: every scenario must
//! meet every expectation it states.

use std::path::PathBuf;

use scenarios::{Client, Scenario};

#[tokio::test]
async fn every_library_scenario_meets_its_expectations_with_the_rust_sdk() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("library");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the library is missing scenarios: {files:?}");
    let runs = files.iter().map(|path| {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        async move {
            let scenario = Scenario::parse(&file, &text).unwrap_or_else(|e| panic!("{e}"));
            scenarios::run(&name, &file, &scenario, &[Client::Rust])
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    });
    let reports: Vec<_> = futures_join(runs).await.into_iter().flatten().collect();
    print!("{}", scenarios::render(&reports));
    let failed: Vec<&str> =
        reports.iter().filter(|r| !r.passed()).map(|r| r.scenario.as_str()).collect();
    assert!(failed.is_empty(), "failed scenarios: {failed:?}");
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
