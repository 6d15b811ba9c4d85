//! `fedmock load`, briefly (seconds; counts and correctness, never speed): in process through
//! the library, and from the command line against a running `fedmock up`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use scenarios::load::{self, Flow, Model, Settings, Target, TokenSource, mix::Mix};

fn settings(flow: Flow) -> Settings {
    Settings {
        flow,
        token: TokenSource::Mint,
        users: 20,
        token_reuse: 3,
        model: Model::Closed { concurrency: 4 },
        exchanges: Some(300),
        mix: Mix::parse(
            "expired=0.05,wrong-audience=0.05,wrong-logins-key=0.05,bad-signature=0.05,not-a-jwt=0.05,unknown-pool=0.05",
        )
        .unwrap(),
        verify_credentials: true,
        ..Settings::default()
    }
}

async fn in_process(settings: Settings) -> (load::report::Report, usize) {
    let world = harness::Federation::start().await;
    let target = Target::of_world("test", world).unwrap();
    let world = target.world.clone().unwrap();
    let report = load::run(settings, target, |_| {}).await.unwrap();
    let identities = world.cognito().unwrap().identity_count();
    (report, identities)
}

/// Every exchange is checked: good ones end ok, bad ones get AWS's refusal, nothing else.
async fn an_in_process_run_counts_good_and_bad_exchanges_and_checks_every_answer() {
    let (report, identities) = in_process(settings(Flow::Enhanced)).await;
    assert_eq!(report.exchanges, 300, "{}", report.table());
    assert_eq!(report.unexpected, 0, "{}", report.table());
    let refused: u64 = report.refused_as_expected.values().sum();
    assert_eq!(report.ok + refused, 300);
    assert_eq!(report.refused_as_expected.len(), 6, "every kind came up: {}", report.table());
    assert!((55..=125).contains(&refused), "about 30% of 300 bad: {refused}");
    assert_eq!(identities, 20, "one identity per user, whatever the repeats");
    for step in ["token", "get_id", "get_credentials", "caller_identity", "exchange"] {
        assert!(report.latency_ms.contains_key(step), "{step}: {}", report.table());
    }
    assert!(report.passed());
}

/// The basic and STS flows, the open model with a ramp, and the password grant.
async fn the_basic_and_sts_flows_and_the_open_model_run_clean() {
    let mut basic = settings(Flow::Basic);
    basic.model = Model::Open { rate: 400.0, ramp_s: 0.2 };
    let (report, _) = in_process(basic).await;
    assert_eq!((report.exchanges, report.unexpected), (300, 0), "{}", report.table());
    assert!(report.latency_ms.contains_key("get_open_id_token"));

    let mut sts = settings(Flow::Sts);
    sts.mix = Mix::parse("expired=0.1,wrong-audience=0.1,bad-signature=0.1,not-a-jwt=0.1").unwrap();
    let (report, identities) = in_process(sts).await;
    assert_eq!((report.exchanges, report.unexpected), (300, 0), "{}", report.table());
    assert_eq!(identities, 0, "STS makes no Cognito identity");

    let mut password = settings(Flow::Enhanced);
    password.token = TokenSource::Password;
    password.users = 1;
    password.mix = Mix::default();
    let (report, identities) = in_process(password).await;
    assert_eq!((report.ok, report.unexpected), (300, 0), "{}", report.table());
    assert_eq!(identities, 1);
}

/// What cannot work is said before anything runs.
async fn settings_that_cannot_work_are_refused_with_the_reason() {
    let world = harness::Federation::start().await;
    let mut target = Target::of_world("test", world).unwrap();
    let mut s = settings(Flow::Sts);
    s.mix = Mix::parse("unknown-pool=0.1").unwrap();
    let err = load::check(&s, &target).unwrap_err().to_string();
    assert!(err.contains("does not apply to --flow sts"), "{err}");
    let mut s = settings(Flow::Enhanced);
    s.token = TokenSource::Password;
    assert!(load::check(&s, &target).unwrap_err().to_string().contains("--users"));
    target.world = None;
    let s = Settings { mix: Mix::default(), users: 1, ..settings(Flow::Enhanced) };
    assert!(load::check(&s, &target).unwrap_err().to_string().contains("needs a fedmock world"));
}

/// The command line against a running `fedmock up`: JSON with the documented fields, an HTML
/// report that parses, and a non-zero exit when an objective is missed.
fn fedmock_load_against_a_running_fedmock_up() {
    let dir = std::env::temp_dir().join(format!("fedmock-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ready = dir.join("ready.json");
    let mut up = Command::new(env!("CARGO_BIN_EXE_fedmock"))
        .args(["up", "--okta-port", "0", "--cognito-port", "0", "--ready-file"])
        .arg(&ready)
        .env("FEDMOCK_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready.exists() {
        assert!(Instant::now() < deadline, "no ready file");
        std::thread::sleep(Duration::from_millis(20));
    }
    let report = dir.join("report.html");
    let load = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_fedmock"))
            .args(["load", "--against"])
            .arg(&ready)
            .args(["--exchanges", "200", "--users", "10", "--json"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out =
        load(&["--mix", "expired=0.1,bad-signature=0.1", "--report", report.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["exchanges"], 200);
    assert_eq!(json["unexpected"], 0);
    assert!(json["throughput_per_s"].as_f64().unwrap() > 0.0);
    for stat in ["p50", "p90", "p99", "p999", "max"] {
        assert!(json["latency_ms"]["get_id"][stat].is_number(), "{stat}");
    }
    let html = std::fs::read_to_string(&report).unwrap();
    let doc = roxmltree::Document::parse_with_options(&html, xml_with_doctype())
        .expect("the HTML report parses as XML");
    assert_eq!(doc.descendants().filter(|n| n.tag_name().name() == "svg").count(), 3);

    let missed = load(&["--slo", "p99<1us"]);
    assert_eq!(missed.status.code(), Some(1), "a missed objective fails the run");
    let json: serde_json::Value = serde_json::from_slice(&missed.stdout).unwrap();
    assert_eq!(json["slo"][0]["met"], false);

    let _ = up.kill();
    let _ = up.wait();
    std::fs::remove_dir_all(&dir).ok();
}

pub fn tests() -> Vec<libtest_mimic::Trial> {
    crate::trials!("load", crate::support::Needs::Nothing;
    sync: [fedmock_load_against_a_running_fedmock_up];
    async: [
        an_in_process_run_counts_good_and_bad_exchanges_and_checks_every_answer,
        the_basic_and_sts_flows_and_the_open_model_run_clean,
        settings_that_cannot_work_are_refused_with_the_reason,
    ])
}

fn xml_with_doctype() -> roxmltree::ParsingOptions {
    roxmltree::ParsingOptions { allow_dtd: true, ..roxmltree::ParsingOptions::default() }
}
