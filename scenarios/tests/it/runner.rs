//! The runner reports what really happened, and a wrong expectation fails.

use scenarios::{Client, Scenario, ScenarioReport};

async fn run(text: &str) -> ScenarioReport {
    let scenario = Scenario::parse("t.toml", text).unwrap();
    scenarios::run("t", "t.toml", &scenario, &[Client::Rust]).await.unwrap().remove(0)
}

const TOKEN_STEP: &str = "description = \"t\"\n[[step]]\nid = \"okta\"\naction = \"token\"\n";

async fn an_unexpected_refusal_fails_and_shows_the_aws_error() {
    let report = run(&format!("{TOKEN_STEP}[[step]]\naction = \"get_id\"\nlogins = {{ \"{{logins_key}}\" = \"{{okta.id_token}}\" }}\n")).await;
    assert!(!report.passed());
    let last = report.steps.last().unwrap();
    assert_eq!(
        (last.expected.as_str(), last.got.as_str()),
        ("ok", "NotAuthorizedException: Invalid login token. Incorrect token audience.")
    );
    assert_eq!(last.client, "rust");
    // The report says why, check by check, and what fixes it.
    let why = last.explanation.as_deref().expect("a failed Cognito step is explained");
    assert!(why.contains("is a client ID of the provider — FAIL"), "{why}");
    assert!(why.contains("add \"0oafedmock0client0001\" to the provider's client IDs"), "{why}");
    assert!(report.steps[0].explanation.is_none());
    let table = scenarios::render(std::slice::from_ref(&report));
    assert!(table.contains("✗ t / step 2 (rust): what the service checks"), "{table}");
    assert!(table.ends_with("scenarios: 0 passed, 1 failed\n"), "{table}");
}

async fn a_failed_sts_step_is_explained_with_sts_s_checks() {
    let report = run(&format!(
        "{TOKEN_STEP}[[step]]\naction = \"assume_role\"\nrole_arn = \"arn:aws:iam::123456789012:role/fedmock-web-identity\"\nweb_identity_token = \"{{okta.id_token}}\"\n"
    ))
    .await;
    let last = report.steps.last().unwrap();
    assert_eq!(last.got, "InvalidIdentityToken: Incorrect token audience");
    let why = last.explanation.as_deref().expect("a failed STS step is explained");
    assert!(why.contains("azp, else aud, is one of the provider's client IDs — FAIL"), "{why}");
    assert!(
        why.contains("add the token's aud \"0oafedmock0client0001\" to the provider's client IDs"),
        "{why}"
    );
}

async fn a_wrong_message_fails() {
    let report = run(&format!(
        "{TOKEN_STEP}[[step]]\naction = \"get_id\"\nlogins = {{ \"{{logins_key}}\" = \"{{okta.id_token}}\" }}\nexpect = {{ error = \"NotAuthorizedException\", message = \"something else\" }}\n"
    ))
    .await;
    assert!(!report.passed());
}

async fn a_wrong_role_fails_and_a_later_step_does_not_run() {
    let report = run(&format!(
        "{TOKEN_STEP}[[step]]\nid = \"getid\"\naction = \"get_id\"\nlogins = {{ \"{{logins_key}}\" = \"{{okta.access_token}}\" }}\n\
         [[step]]\naction = \"get_credentials\"\nidentity = \"{{getid.identity_id}}\"\nlogins = {{ \"{{logins_key}}\" = \"{{okta.access_token}}\" }}\nexpect_role = \"arn:aws:iam::123456789012:role/other\"\n\
         [[step]]\naction = \"get_id\"\n"
    ))
    .await;
    assert!(!report.passed());
    assert_eq!(report.steps.len(), 3, "the scenario stops at the first failed step");
    assert_eq!(
        report.steps[2].got,
        "ok, but the caller is arn:aws:sts::123456789012:assumed-role/fedmock-authenticated/CognitoIdentityCredentials"
    );
}

async fn a_reference_to_nothing_stays_visible_and_fails() {
    let report = run(&format!("{TOKEN_STEP}[[step]]\naction = \"get_id\"\nlogins = {{ \"{{logins_key}}\" = \"{{okta.acess_token}}\" }}\n")).await;
    assert!(!report.passed());
    assert_eq!(
        report.steps[1].got,
        "NotAuthorizedException: Invalid login token. Not a valid OpenId Connect identity token."
    );
}

async fn a_token_step_s_faults_shape_that_request_only_and_its_claims_are_references() {
    let report = run(
        "description = \"t\"\n\
         [[step]]\nid = \"odd\"\naction = \"token\"\nfaults = { access_token_claims = { aud = \"api://other\" } }\n\
         [[step]]\naction = \"get_id\"\nlogins = { \"{logins_key}\" = \"{odd.access_token}\" }\n\
         expect = { error = \"NotAuthorizedException\", message = \"Invalid login token. Incorrect token audience.\" }\n\
         [[step]]\nid = \"plain\"\naction = \"token\"\n\
         [[step]]\naction = \"get_id\"\nlogins = { \"{logins_key}\" = \"{plain.access_token}\" }\n\
         [[step]]\naction = \"clock\"\nadvance = 3900\n\
         [[step]]\naction = \"get_id\"\nlogins = { \"{logins_key}\" = \"{plain.access_token}\" }\n\
         expect = { error = \"NotAuthorizedException\", message = \"Invalid login token. Token expired: {now} >= {plain.access_token.exp}\" }\n",
    )
    .await;
    assert!(report.passed(), "{}", scenarios::render(std::slice::from_ref(&report)));
    let expired = &report.steps[5].expected;
    assert!(!expired.contains('{'), "references are filled in the report: {expired}");
}

async fn a_token_endpoint_refusal_is_an_oauth_error_a_step_can_expect() {
    let report = run(
        "description = \"t\"\n[[step]]\naction = \"token\"\n\
         faults = { token_error = { error = \"invalid_client\", error_description = \"Client authentication failed.\", status = 401 } }\n\
         expect = { error = \"invalid_client\", message = \"Client authentication failed.\" }\n\
         [[step]]\naction = \"token\"\n",
    )
    .await;
    assert!(report.passed(), "{}", scenarios::render(std::slice::from_ref(&report)));
    let unexpected =
        run("description = \"t\"\n[[step]]\naction = \"token\"\nuser = \"nobody@example.com\"\n")
            .await;
    assert!(!unexpected.passed());
    assert!(unexpected.steps[0].got.starts_with("invalid_grant: "), "{}", unexpected.steps[0].got);
}

fn the_table_ends_with_a_summary_test_runners_read() {
    let table = scenarios::render(&[]);
    assert!(table.ends_with("scenarios: 0 passed, 0 failed\n"), "{table}");
}

fn the_committed_json_schema_is_the_one_the_parser_s_types_give() {
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../../scenario.schema.json")).unwrap();
    assert_eq!(
        committed,
        Scenario::json_schema(),
        "regenerate: cargo run -p scenarios --bin fedmock -- schema > scenarios/scenario.schema.json"
    );
    // Editors find it through the `#:schema` line every library file starts with.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("library");
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(text.starts_with("#:schema ../scenario.schema.json\n"));
    }
}

fn a_bad_scenario_names_the_file_line_and_field() {
    let err = Scenario::parse(
        "bad.toml",
        "description = \"d\"\n[[step]]\naction = \"get_id\"\nlogin = {}\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("bad.toml: "), "{err}");
    assert!(err.contains("line 4"), "{err}");
    assert!(err.contains("unknown field `login`"), "{err}");
}

fn a_scenario_names_its_clients_and_an_unknown_one_is_refused() {
    let ok = Scenario::parse(
        "c.toml",
        "description = \"d\"\nclients = [\"js-v2\", \"rust\"]\n[[step]]\naction = \"get_id\"\n",
    )
    .unwrap();
    assert_eq!(ok.default_clients(), [Client::JsV2, Client::Rust]);
    let plain =
        Scenario::parse("c.toml", "description = \"d\"\n[[step]]\naction = \"get_id\"\n").unwrap();
    assert_eq!(plain.default_clients(), [Client::Rust]);
    let err = Scenario::parse(
        "c.toml",
        "description = \"d\"\nclients = [\"js-v4\"]\n[[step]]\naction = \"get_id\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("c.toml: TOML parse error at line 2"), "{err}");
    assert!(
        err.contains(
            "unknown variant `js-v4`, expected one of `rust`, `js-v2`, `js-v3`, `boto3`, `aws-cli`"
        ),
        "{err}"
    );
}

fn a_bad_world_patch_names_the_line_and_the_field_path() {
    let text = "description = \"d\"\n\n[world.aws]\nregion = \"us-east-1\"\n\n[[world.aws.oidc_providers]]\nurl = \"{okta}/oauth2/default\"\nclient_idz = [\"x\"]\n\n[[step]]\naction = \"get_id\"\n";
    let scenario = Scenario::parse("bad.toml", text).unwrap();
    let err = scenario.world("bad.toml").unwrap_err().to_string();
    assert_eq!(
        err,
        "bad.toml: line 8, world.aws.oidc_providers[0].client_idz: unknown field `client_idz`, expected `url` or `client_ids`"
    );
}

pub fn tests() -> Vec<libtest_mimic::Trial> {
    crate::trials!("runner", crate::support::Needs::Nothing;
    sync: [
        the_table_ends_with_a_summary_test_runners_read,
        the_committed_json_schema_is_the_one_the_parser_s_types_give,
        a_bad_scenario_names_the_file_line_and_field,
        a_scenario_names_its_clients_and_an_unknown_one_is_refused,
        a_bad_world_patch_names_the_line_and_the_field_path,
    ];
    async: [
        an_unexpected_refusal_fails_and_shows_the_aws_error,
        a_failed_sts_step_is_explained_with_sts_s_checks,
        a_wrong_message_fails,
        a_wrong_role_fails_and_a_later_step_does_not_run,
        a_reference_to_nothing_stays_visible_and_fails,
        a_token_step_s_faults_shape_that_request_only_and_its_claims_are_references,
        a_token_endpoint_refusal_is_an_oauth_error_a_step_can_expect,
    ])
}
