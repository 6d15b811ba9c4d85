//! The token corpus (`tests/corpus/tokens.toml`) through the endpoints and through `explain`:
//! Cognito's GetId and STS's AssumeRoleWithWebIdentity, each through the AWS SDK for Rust,
//! must answer what the corpus says AWS answers, and `explain` (offline) must name the same
//! first refusal. The one place they may differ is the signature, which explain cannot check
//! offline: there explain must report it skipped, with everything before it passed.

use harness::mock_cognito::explain::{self, Check, Login, RoleAsked, Verdict, WebIdentityCall};
use harness::mock_okta::{MintRequest, Signing};
use harness::{Clock, Federation};
use serde::Deserialize;
use serde_json::Value;

const T0: i64 = 1_800_000_000;
const WEB_ROLE: &str = "arn:aws:iam::123456789012:role/fedmock-web-identity";
const CORPUS: &str = include_str!("../corpus/tokens.toml");

#[derive(Deserialize)]
struct Corpus {
    token: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    mint: Option<MintRequest>,
    raw: Option<String>,
    key: Option<String>,
    /// Claims taken out of the minted token (TOML has no null).
    #[serde(default)]
    remove: Vec<String>,
    #[serde(default)]
    advance: i64,
    cognito: String,
    sts: String,
}

/// The checks a server cannot skip but explain does offline.
fn signature_check(check: &Check) -> bool {
    matches!(check.verdict, Verdict::Skipped(_))
        && (check.name.contains("signature") || check.name.contains("Cognito key"))
}

/// explain's first refusal, or whether it may differ from the server's refusal `served`:
/// only when the server refused at a check explain skipped, and explain passed all before it.
fn agrees(checks: &[Check], served: &str) -> Result<(), String> {
    let first = checks.iter().position(|c| matches!(c.verdict, Verdict::Fail { .. }));
    let answer = first.and_then(|i| match &checks[i].verdict {
        Verdict::Fail { answer, .. } => Some(answer.as_str()),
        _ => None,
    });
    match answer {
        Some(answer) if answer == served => return Ok(()),
        None if served == "ok" => return Ok(()),
        _ => {}
    }
    let skipped = checks.iter().position(signature_check);
    let before_failure = match (skipped, first) {
        (Some(s), Some(f)) => s < f,
        (Some(_), None) => true,
        (None, _) => false,
    };
    let signature_refusal = served.contains("verif");
    if before_failure && signature_refusal {
        Ok(())
    } else {
        Err(format!("the server answered {served:?}, explain {answer:?}"))
    }
}

async fn world() -> Federation {
    Federation::builder()
        .clock(Clock::fixed(T0))
        .okta(|okta| {
            okta.servers.push(harness::mock_okta::AuthServerConfig {
                id: "aus0other".into(),
                ..Default::default()
            });
        })
        .start()
        .await
        .unwrap()
}

/// The issuer's public key as an attacker reads it, for HMAC key confusion: the JWKS
/// document, its first key, the modulus.
async fn public_key_forms(fed: &Federation) -> [(&'static str, String); 3] {
    let jwks: Value = reqwest::get(&fed.summary().jwks_uri).await.unwrap().json().await.unwrap();
    let key = &jwks["keys"][0];
    [
        ("{jwks}", jwks.to_string()),
        ("{jwk}", key.to_string()),
        ("{n}", key["n"].as_str().unwrap().to_owned()),
    ]
}

fn fill(text: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(text.to_owned(), |text, (name, value)| text.replace(name, value))
}

fn answer_of<E, R>(result: Result<(), aws_sdk_cognitoidentity::error::SdkError<E, R>>) -> String
where
    E: aws_sdk_cognitoidentity::error::ProvideErrorMetadata,
{
    match result {
        Ok(()) => "ok".to_owned(),
        Err(err) => {
            let (code, message) = crate::common::aws_error(err);
            format!("{code}: {message}")
        }
    }
}

#[tokio::test]
async fn the_endpoints_and_explain_give_the_corpus_answers_and_agree() {
    let corpus: Corpus = toml::from_str(CORPUS).unwrap_or_else(|e| panic!("tokens.toml: {e}"));
    assert!(corpus.token.len() >= 40, "the corpus holds at least 40 tokens");
    let mut wrong = Vec::new();
    for entry in &corpus.token {
        let fed = world().await;
        let keys = public_key_forms(&fed).await;
        let token = match (&entry.mint, &entry.raw) {
            (Some(mint), None) => {
                let mut mint = mint.clone();
                if let Signing::Hs256 { secret } = &mut mint.signing {
                    *secret = fill(secret, &keys);
                }
                for claim in &entry.remove {
                    mint.claims.insert(claim.clone(), Value::Null);
                }
                fed.mint(&mint).await.unwrap()
            }
            (None, Some(raw)) => raw.clone(),
            _ => panic!("{}: give mint or raw", entry.name),
        };
        fed.clock().advance(entry.advance).await.unwrap();
        let now = fed.clock().now().await.unwrap();
        let claims = harness::mock_cognito::unverified_claims(&token).unwrap_or_default();
        let strip =
            |url: String| url.split_once("://").map(|(_, rest)| rest.to_owned()).unwrap_or(url);
        let values = [
            ("{now}", now.to_string()),
            ("{exp}", claims.get("exp").map(Value::to_string).unwrap_or_default()),
            ("{pool}", fed.pool_id().to_owned()),
            ("{iss}", claims.get("iss").and_then(Value::as_str).unwrap_or_default().to_owned()),
            ("{key}", fed.logins_key().to_owned()),
            ("{issuer}", fed.issuer().to_owned()),
            ("{other_key}", strip(fed.issuer_of("aus0other").unwrap())),
            ("{org_key}", strip(fed.issuer_of(harness::mock_okta::ORG).unwrap())),
        ];
        let key = fill(entry.key.as_deref().unwrap_or("{key}"), &values);

        // Cognito: GetId through the SDK, and explain.
        let served = answer_of(
            fed.cognito_client()
                .get_id()
                .identity_pool_id(fed.pool_id())
                .logins(&key, &token)
                .send()
                .await
                .map(drop),
        );
        let expected = fill(&entry.cognito, &values);
        if served != expected {
            wrong.push(format!("{}: Cognito answered {served:?}, AWS {expected:?}", entry.name));
        }
        let trusted = fed.pool_trust(fed.pool_id(), &key).await.unwrap();
        let checks = explain::explain(&Login {
            key: &key,
            token: &token,
            pool: fed.pool_id(),
            trusted: trusted.as_ref().map_err(Vec::as_slice),
            now,
            leeway: 0,
        });
        if let Err(why) = agrees(&checks, &served) {
            wrong.push(format!("{}: Cognito: {why}", entry.name));
        }

        // STS: AssumeRoleWithWebIdentity through the SDK, and explain --sts.
        let served = answer_of(
            fed.sts_client()
                .assume_role_with_web_identity()
                .role_arn(WEB_ROLE)
                .role_session_name("corpus")
                .web_identity_token(&token)
                .send()
                .await
                .map(drop),
        );
        let expected = fill(&entry.sts, &values);
        if served != expected {
            wrong.push(format!("{}: STS answered {served:?}, AWS {expected:?}", entry.name));
        }
        let cognito = fed.cognito().unwrap();
        let role = cognito.role(WEB_ROLE);
        let checks = explain::explain_web_identity(&WebIdentityCall {
            token: &token,
            providers: &cognito.providers(),
            role: Some(RoleAsked { arn: WEB_ROLE, role: role.as_deref(), duration: 3600 }),
            now,
            leeway: 0,
        });
        if let Err(why) = agrees(&checks, &served) {
            wrong.push(format!("{}: STS: {why}", entry.name));
        }
    }
    assert!(wrong.is_empty(), "{} disagreements:\n{}", wrong.len(), wrong.join("\n"));
}
