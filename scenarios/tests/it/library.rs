//! The whole library of reproduced bugs, one test per scenario and client: through the AWS SDK
//! for Rust, and through every external client (the AWS SDK for JavaScript v2 and v3, boto3,
//! the AWS CLI). Every scenario must meet every expectation it states; a client whose runtime
//! is missing here makes its tests ignored (in CI, failed).

use std::path::{Path, PathBuf};

use libtest_mimic::Trial;
use scenarios::{Client, Scenario};

use crate::support::{Needs, test, test_async};

/// `scenarios/library`.
pub fn library() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("library")
}

pub fn tests() -> Vec<Trial> {
    let files = scenarios::scenario_files(&[library()]).expect("the library folder is readable");
    assert!(files.files.len() >= 10, "the library is missing scenarios: {files:?}");
    let mut trials = vec![test(
        "library::reproduces_at_least_30_publicly_reported_failures",
        Needs::Nothing,
        reproduces_at_least_30_publicly_reported_failures,
    )];
    for client in Client::ALL {
        for path in &files.files {
            let scenario = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let name = format!("library::{}::{scenario}", client.name());
            let path = path.clone();
            trials.push(test_async(&name, Needs::Client(client), move || run(path, client)));
        }
    }
    trials
}

async fn run(path: PathBuf, client: Client) {
    let name = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
    let file = path.display().to_string();
    let text = std::fs::read_to_string(&path).unwrap();
    let scenario = Scenario::parse(&file, &text).unwrap_or_else(|e| panic!("{e}"));
    let reports =
        scenarios::run(&name, &file, &scenario, &[client]).await.unwrap_or_else(|e| panic!("{e}"));
    let table = scenarios::render(&reports);
    assert!(reports.iter().all(|r| r.skipped.is_none()), "skipped:\n{table}");
    assert!(reports.iter().all(scenarios::ScenarioReport::passed), "failed:\n{table}");
}

/// Each failure the library reproduces names where it was reported (a public address in its
/// description) and comes with its fixed variant (`<name>-fixed.toml`), unless the fix is no
/// change of setup; there are at least 30 of them.
fn reproduces_at_least_30_publicly_reported_failures() {
    let files = scenarios::scenario_files(&[library()]).unwrap();
    let mut failures = Vec::new();
    for path in &files.files {
        let name = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
        if name.ends_with("-fixed") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let scenario = Scenario::parse(&name, &text).unwrap();
        let refused = scenario.steps.iter().any(|s| !matches!(s.expect, scenarios::Expect::Ok));
        if !refused {
            continue;
        }
        assert!(
            scenario.description.contains("https://"),
            "{name}: a reproduced failure names where it was reported"
        );
        let fixed = path.with_file_name(format!("{name}-fixed.toml"));
        assert!(
            fixed.exists() || scenario.description.contains("Fix: nothing to change"),
            "{name}: no {}",
            fixed.display()
        );
        failures.push(name);
    }
    assert!(failures.len() >= 30, "{} reported failures: {failures:?}", failures.len());
}
