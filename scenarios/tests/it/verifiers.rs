//! mock-okta's tokens, good and faulty, through verifiers nobody here wrote:
//! Okta's own Node verifier (`@okta/jwt-verifier`) and PyJWT with `PyJWKClient`.
//!
//! The drivers are in `scenarios/drivers/{node,python}` with their manifests. When a runtime
//! or package is missing the test is ignored and says what installs it; with
//! `FEDMOCK_REQUIRE_CLIENTS=1` (as in CI) a missing client is a failure, never a pass.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use harness::mock_okta::config::Claims;
use harness::mock_okta::{MintRequest, Signing, TokenKind, mint};
use harness::{Federation, TokenRequest};

use crate::support::drivers;
use serde_json::{Value, json};

fn node() -> Command {
    let mut cmd = Command::new("node");
    cmd.current_dir(drivers().join("node")).arg("okta-jwt-verifier.mjs");
    cmd
}

fn python() -> Command {
    let mut cmd = Command::new("python3");
    cmd.arg(drivers().join("python/pyjwt_verify.py"));
    cmd
}

/// Runs a driver on `cases`; returns each case's verdict: `Ok(claims)` or `Err(error text)`.
fn run(
    mut cmd: Command,
    cases: &[Value],
    env: &[(&str, PathBuf)],
) -> Vec<(String, Result<Value, String>)> {
    for (var, value) in env {
        cmd.env(var, value);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("driver starts");
    serde_json::to_writer(child.stdin.take().unwrap(), cases).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "driver failed: {}", String::from_utf8_lossy(&output.stderr));
    let answers: Vec<Value> = serde_json::from_slice(&output.stdout).expect("driver answers JSON");
    answers
        .into_iter()
        .map(|a| {
            let name = a["name"].as_str().unwrap().to_owned();
            let verdict = if a["ok"] == true {
                Ok(a["claims"].clone())
            } else {
                Err(a["error"].as_str().unwrap().to_owned())
            };
            (name, verdict)
        })
        .collect()
}

/// A faulty token: Okta's claims for `kind`, then `claims` merged (`null` removes), signed
/// under `signing`.
async fn faulty(fed: &Federation, kind: TokenKind, claims: Value, signing: Signing) -> String {
    let claims: Claims = serde_json::from_value(claims).unwrap();
    mint(fed.okta().unwrap(), &MintRequest { token: kind, claims, signing, ..Default::default() })
        .await
        .unwrap()
}

struct Case {
    name: &'static str,
    kind: TokenKind,
    token: String,
}

async fn cases(fed: &Federation) -> Vec<Case> {
    let now = fed.clock().now().await.unwrap();
    let issuer = fed.issuer().to_owned();
    let base = fed.okta_url().to_owned();
    let (user, password) = fed.user();
    let served = fed.token(TokenRequest::password(user, password, "openid")).await.unwrap();
    let access = |name, claims, signing| async move {
        Case {
            name,
            kind: TokenKind::Access,
            token: faulty(fed, TokenKind::Access, claims, signing).await,
        }
    };
    vec![
        Case { name: "valid access token", kind: TokenKind::Access, token: served.access_token },
        Case { name: "valid ID token", kind: TokenKind::Id, token: served.id_token.unwrap() },
        access("expired", json!({"iat": now - 7200, "exp": now - 3600}), Signing::Normal).await,
        access(
            "not yet valid",
            json!({"iat": now + 3600, "nbf": now + 3600, "exp": now + 7200}),
            Signing::Normal,
        )
        .await,
        access("wrong audience", json!({"aud": "api://other"}), Signing::Normal).await,
        Case {
            name: "ID token aud as an array",
            kind: TokenKind::Id,
            token: faulty(
                fed,
                TokenKind::Id,
                json!({"aud": [fed.client_id(), "api://default"]}),
                Signing::Normal,
            )
            .await,
        },
        access("missing exp", json!({"exp": null}), Signing::Normal).await,
        access(
            "issuer with a trailing slash",
            json!({"iss": format!("{issuer}/")}),
            Signing::Normal,
        )
        .await,
        access(
            "issuer on another host",
            json!({"iss": issuer.replace("127.0.0.1", "localhost")}),
            Signing::Normal,
        )
        .await,
        access(
            "https issuer for an http server",
            json!({"iss": issuer.replace("http://", "https://")}),
            Signing::Normal,
        )
        .await,
        access("org issuer on a custom server's token", json!({"iss": base}), Signing::Normal)
            .await,
        access("unpublished key", json!({}), Signing::UnpublishedKey).await,
        access("tampered signature", json!({}), Signing::TamperedSignature).await,
        access("unknown kid", json!({}), Signing::UnknownKid).await,
        access("alg none", json!({}), Signing::AlgNone).await,
        access("alg HS256", json!({}), Signing::Hs256 { secret: fed.client_secret().to_owned() })
            .await,
    ]
}

fn node_input(fed: &Federation, cases: &[Case]) -> Vec<Value> {
    cases
        .iter()
        .map(|c| match c.kind {
            TokenKind::Access => json!({"name": c.name, "issuer": fed.issuer(), "kind": "access", "token": c.token, "audience": "api://default"}),
            TokenKind::Id => json!({"name": c.name, "issuer": fed.issuer(), "kind": "id", "token": c.token, "clientId": fed.client_id()}),
        })
        .collect()
}

fn python_input(fed: &Federation, cases: &[Case]) -> Vec<Value> {
    let jwks_uri = format!("{}/v1/keys", fed.issuer());
    cases
        .iter()
        .map(|c| {
            let audience = match c.kind {
                TokenKind::Access => "api://default",
                TokenKind::Id => fed.client_id(),
            };
            json!({"name": c.name, "issuer": fed.issuer(), "jwks_uri": jwks_uri, "token": c.token, "audience": audience})
        })
        .collect()
}

/// Asserts each verdict: `None` = accepted, `Some(text)` = refused with `text` in the error.
fn check(
    client: &str,
    verdicts: &[(String, Result<Value, String>)],
    expected: &[(&str, Option<&str>)],
) {
    assert_eq!(verdicts.len(), expected.len());
    for ((name, verdict), (want_name, want)) in verdicts.iter().zip(expected) {
        assert_eq!(name, want_name);
        match (verdict, want) {
            (Ok(_), None) => {}
            (Err(error), Some(reason)) => assert!(
                error.contains(reason),
                "{client}, {name}: expected {reason:?} in {error:?}"
            ),
            (Ok(claims), Some(reason)) => {
                panic!("{client}, {name}: accepted ({claims}), expected refusal {reason:?}")
            }
            (Err(error), None) => {
                panic!("{client}, {name}: refused ({error}), expected acceptance")
            }
        }
    }
}

async fn okta_jwt_verifier_accepts_good_tokens_and_refuses_each_fault_for_its_reason() {
    let cmd = node();
    let fed = Federation::start().await;
    let cases = cases(&fed).await;
    let verdicts = run(cmd, &node_input(&fed, &cases), &[]);
    check(
        "@okta/jwt-verifier",
        &verdicts,
        &[
            ("valid access token", None),
            ("valid ID token", None),
            ("expired", Some("Jwt is expired")),
            ("not yet valid", Some("Jwt not active")),
            (
                "wrong audience",
                Some("audience claim api://other does not match expected audience: api://default"),
            ),
            ("ID token aud as an array", Some("does not match expected client id")),
            ("missing exp", None),
            ("issuer with a trailing slash", Some("does not match expected issuer")),
            ("issuer on another host", Some("does not match expected issuer")),
            ("https issuer for an http server", Some("does not match expected issuer")),
            ("org issuer on a custom server's token", Some("does not match expected issuer")),
            ("unpublished key", Some("Error while resolving signing key for kid")),
            ("tampered signature", Some("Signature verification failed")),
            (
                "unknown kid",
                Some("Error while resolving signing key for kid \"fedmock-unknown-kid\""),
            ),
            ("alg none", Some("Unexpected signature algorithm")),
            ("alg HS256", Some("Unexpected signature algorithm")),
        ],
    );
}

async fn pyjwt_accepts_good_tokens_and_refuses_each_fault_for_its_reason() {
    let cmd = python();
    let fed = Federation::start().await;
    let cases = cases(&fed).await;
    let verdicts = run(cmd, &python_input(&fed, &cases), &[]);
    check(
        "PyJWT",
        &verdicts,
        &[
            ("valid access token", None),
            ("valid ID token", None),
            ("expired", Some("ExpiredSignatureError")),
            ("not yet valid", Some("ImmatureSignatureError")),
            ("wrong audience", Some("InvalidAudienceError")),
            ("ID token aud as an array", None),
            ("missing exp", Some("MissingRequiredClaimError")),
            ("issuer with a trailing slash", Some("InvalidIssuerError")),
            ("issuer on another host", Some("InvalidIssuerError")),
            ("https issuer for an http server", Some("InvalidIssuerError")),
            ("org issuer on a custom server's token", Some("InvalidIssuerError")),
            ("unpublished key", Some("Unable to find a signing key that matches")),
            ("tampered signature", Some("InvalidSignatureError")),
            (
                "unknown kid",
                Some("Unable to find a signing key that matches: \"fedmock-unknown-kid\""),
            ),
            ("alg none", Some("PyJWKClientError")),
            ("alg HS256", Some("InvalidAlgorithmError")),
        ],
    );
}

async fn a_failing_jwks_endpoint_leaves_both_verifiers_without_keys() {
    let (node_cmd, python_cmd) = (node(), python());
    let fed = Federation::start().await;
    let (user, password) = fed.user();
    let token =
        fed.token(TokenRequest::password(user, password, "openid")).await.unwrap().access_token;
    fed.okta()
        .unwrap()
        .set_faults(harness::mock_okta::Faults { jwks_status: Some(503), ..Default::default() });
    let case = [Case { name: "valid access token", kind: TokenKind::Access, token }];
    check(
        "@okta/jwt-verifier",
        &run(node_cmd, &node_input(&fed, &case), &[]),
        &[("valid access token", Some("Error while resolving signing key"))],
    );
    check(
        "PyJWT",
        &run(python_cmd, &python_input(&fed, &case), &[]),
        &[("valid access token", Some("PyJWKClientConnectionError"))],
    );
}

async fn an_https_issuer_is_verified_by_clients_that_trust_the_generated_ca() {
    let (node_cmd, python_cmd, untrusting) = (node(), python(), node());
    let fed = Federation::builder().tls().start().await.unwrap();
    let (user, password) = fed.user();
    let token =
        fed.token(TokenRequest::password(user, password, "openid")).await.unwrap().access_token;
    let case = [Case { name: "valid access token", kind: TokenKind::Access, token }];
    let env = fed.tls().unwrap().env();
    // No `disableHttpsCheck`: the issuer is https.
    check(
        "@okta/jwt-verifier",
        &run(node_cmd, &node_input(&fed, &case), &env),
        &[("valid access token", None)],
    );
    check(
        "PyJWT",
        &run(python_cmd, &python_input(&fed, &case), &env),
        &[("valid access token", None)],
    );
    // Without the CA the JWKS fetch fails TLS, which the verifier reports as a key failure.
    check(
        "@okta/jwt-verifier without the CA",
        &run(untrusting, &node_input(&fed, &case), &[]),
        &[("valid access token", Some("Error while resolving signing key for kid"))],
    );
}

pub fn tests() -> Vec<libtest_mimic::Trial> {
    use crate::support::Needs;
    let mut trials = crate::trials!("verifiers", Needs::Node("@okta/jwt-verifier");
        sync: [];
        async: [okta_jwt_verifier_accepts_good_tokens_and_refuses_each_fault_for_its_reason]);
    trials.extend(crate::trials!("verifiers", Needs::Python("jwt");
        sync: [];
        async: [pyjwt_accepts_good_tokens_and_refuses_each_fault_for_its_reason]));
    // Both verifiers: ignored when either is missing.
    let both = if Needs::Node("@okta/jwt-verifier").is_missing() {
        Needs::Node("@okta/jwt-verifier")
    } else {
        Needs::Python("jwt")
    };
    trials.extend(crate::trials!("verifiers", both;
    sync: [];
    async: [
        a_failing_jwks_endpoint_leaves_both_verifiers_without_keys,
        an_https_issuer_is_verified_by_clients_that_trust_the_generated_ca,
    ]));
    trials
}
