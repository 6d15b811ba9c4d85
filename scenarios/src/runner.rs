//! Runs scenarios: a fresh in-process world per scenario and client, steps in order, each
//! Cognito/STS step through a real client, each outcome compared with its expectation.

use std::collections::HashMap;
use std::time::Instant;

use harness::mock_okta::{MintRequest, TokenKind};
use harness::{Clock, Federation, TokenRequest};
use serde::Serialize;
use serde_json::{Value, json};

use crate::Error;
use crate::clients::{Call, Client, Outcome};
use crate::model::{Action, Expect, Scenario, Step};

/// One step's result.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StepReport {
    /// The step's id or position.
    pub step: String,
    /// The client that ran it (`-` for steps without a client).
    pub client: String,
    /// What was expected.
    pub expected: String,
    /// What happened.
    pub got: String,
    /// Whether they agree.
    pub passed: bool,
    /// How long the step took.
    pub millis: u128,
    /// For a failed Cognito step with `Logins`: every check Cognito makes, with the value
    /// compared, the verdict, and the fix (mock-cognito's explain).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// One scenario's result for one client.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ScenarioReport {
    /// The scenario's name (its file name).
    pub scenario: String,
    /// The client.
    pub client: String,
    /// Every step that ran (a failed step ends the scenario).
    pub steps: Vec<StepReport>,
    /// Set when the client's runtime is missing here: the command that installs it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

impl ScenarioReport {
    /// Whether it ran and every step passed (a skipped run never passes).
    pub fn passed(&self) -> bool {
        self.skipped.is_none() && self.steps.iter().all(|s| s.passed)
    }

    /// Whether it ran and a step failed.
    pub fn failed(&self) -> bool {
        self.skipped.is_none() && !self.passed()
    }
}

/// Runs `scenario` (from `file`) once per client, each in its own world.
pub async fn run(
    name: &str,
    file: &str,
    scenario: &Scenario,
    clients: &[Client],
) -> Result<Vec<ScenarioReport>, Error> {
    let mut reports = Vec::new();
    for client in clients {
        let world = scenario.world(file)?;
        if let Some(install) = client.missing() {
            reports.push(ScenarioReport {
                scenario: name.to_owned(),
                client: client.name().to_owned(),
                steps: Vec::new(),
                skipped: Some(install),
            });
            continue;
        }
        // A frozen clock, moved only by `clock` steps: a scenario's times never depend on how
        // long its steps take.
        let clock = Clock::fixed(Clock::system().now());
        let fed = Federation::builder()
            .config(world)
            .clock(clock)
            .start()
            .await
            .map_err(|e| Error::World(e.to_string()))?;
        let mut context = Context::new(&fed);
        let mut steps = Vec::new();
        for (i, step) in scenario.steps.iter().enumerate() {
            let label = step.id.clone().unwrap_or_else(|| format!("step {}", i + 1));
            let started = Instant::now();
            let report = run_step(&fed, client, &mut context, &label, step).await;
            let report = StepReport { millis: started.elapsed().as_millis(), ..report };
            let failed = !report.passed;
            steps.push(report);
            if failed {
                break;
            }
        }
        reports.push(ScenarioReport {
            scenario: name.to_owned(),
            client: client.name().to_owned(),
            steps,
            skipped: None,
        });
    }
    Ok(reports)
}

/// The world's facts and earlier steps' results, for `{…}` references.
struct Context {
    values: HashMap<String, String>,
}

impl Context {
    fn new(fed: &Federation) -> Self {
        let mut values = HashMap::new();
        values.insert("okta".to_owned(), fed.okta_url().to_owned());
        values.insert(
            "okta_host".to_owned(),
            fed.okta_url().split_once("://").map_or("", |(_, h)| h).to_owned(),
        );
        values.insert("issuer".to_owned(), fed.issuer().to_owned());
        values.insert("logins_key".to_owned(), fed.logins_key().to_owned());
        values.insert("pool".to_owned(), fed.pool_id().to_owned());
        values.insert("client_id".to_owned(), fed.client_id().to_owned());
        Self { values }
    }

    fn record(&mut self, id: Option<&str>, results: &Value) {
        let (Some(id), Value::Object(fields)) = (id, results) else { return };
        for (field, value) in fields {
            if let Some(text) = value.as_str() {
                self.values.insert(format!("{id}.{field}"), text.to_owned());
            }
        }
    }

    /// Replaces every `{name}` whose name is known; unknown ones stay, so a typo shows.
    fn fill(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            match rest[start..].find('}') {
                Some(len) => {
                    let name = &rest[start + 1..start + len];
                    match self.values.get(name) {
                        Some(value) => out.push_str(value),
                        None => out.push_str(&rest[start..=start + len]),
                    }
                    rest = &rest[start + len + 1..];
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn fill_opt(&self, text: Option<&String>) -> Option<String> {
        text.map(|t| self.fill(t))
    }
}

fn expected_text(step: &Step) -> String {
    match &step.expect {
        Expect::Ok | Expect::Word(_) => "ok".to_owned(),
        Expect::Error { error, message: Some(message) } => format!("{error}: {message}"),
        Expect::Error { error, message: None } => error.clone(),
    }
}

async fn run_step(
    fed: &Federation,
    client: &Client,
    context: &mut Context,
    label: &str,
    step: &Step,
) -> StepReport {
    // References filled, so the report shows what was compared.
    let expected = context.fill(&expected_text(step));
    let report = |client: &str, got: String, passed: bool| StepReport {
        step: label.to_owned(),
        client: client.to_owned(),
        expected: expected.clone(),
        got,
        passed,
        millis: 0,
        explanation: None,
    };
    let action = step.action.expect("validated at parse time");
    let server = step.server.clone().unwrap_or_else(|| {
        fed.config().okta.servers.first().map_or("org".to_owned(), |s| s.id.clone())
    });
    let outcome = match action {
        Action::Token => {
            let request = match step.grant.as_deref().unwrap_or("password") {
                "client_credentials" => TokenRequest::client_credentials(),
                _ => {
                    let (default_user, default_password) = fed.user();
                    TokenRequest::password(
                        step.user.as_deref().unwrap_or(default_user),
                        step.password.as_deref().unwrap_or(default_password),
                        step.scope.as_deref().unwrap_or("openid"),
                    )
                }
            };
            let mut request = request.server(&server);
            if let Some(client) = &step.client {
                request = request.client(client);
            }
            match fed.token(request).await {
                Ok(tokens) => Outcome::Ok(
                    json!({"access_token": tokens.access_token, "id_token": tokens.id_token}),
                ),
                Err(err) => Outcome::Failed(err.to_string()),
            }
        }
        Action::Mint => {
            let request = MintRequest {
                server: step.server.clone().unwrap_or_else(|| "default".to_owned()),
                token: step.token.unwrap_or(TokenKind::Access),
                client: step.client.clone(),
                user: step.user.clone(),
                claims: step
                    .claims
                    .clone()
                    .map(|claims| fill_claims(context, claims))
                    .unwrap_or_default(),
                signing: step.signing.clone().unwrap_or_default(),
                ..Default::default()
            };
            match fed.mint(&request).await {
                Ok(token) => Outcome::Ok(json!({"token": token})),
                Err(err) => Outcome::Failed(err.to_string()),
            }
        }
        Action::RotateKeys => match fed.rotate_keys(&server).await {
            Ok(kid) => Outcome::Ok(json!({ "kid": kid })),
            Err(err) => Outcome::Failed(err.to_string()),
        },
        Action::Clock => {
            fed.clock().advance(step.advance.unwrap_or(0));
            Outcome::Ok(json!({"now": fed.clock().now().to_string()}))
        }
        call => {
            let request = Call {
                pool: context
                    .fill_opt(step.pool.as_ref())
                    .unwrap_or_else(|| fed.pool_id().to_owned()),
                logins: step
                    .logins
                    .iter()
                    .flatten()
                    .map(|(k, v)| (context.fill(k), context.fill(v)))
                    .collect(),
                identity: context.fill_opt(step.identity.as_ref()),
                custom_role_arn: context.fill_opt(step.custom_role_arn.as_ref()),
                role_arn: context.fill_opt(step.role_arn.as_ref()),
                web_identity_token: context.fill_opt(step.web_identity_token.as_ref()),
                session_name: step
                    .session_name
                    .clone()
                    .unwrap_or_else(|| "fedmock-scenario".to_owned()),
            };
            let outcome = client.call(fed, call, &request).await;
            let judged = judge(fed, client.name(), context, step, outcome, report);
            if judged.passed {
                return judged;
            }
            return StepReport { explanation: explain_failure(fed, &request), ..judged };
        }
    };
    judge(fed, "-", context, step, outcome, report)
}

fn fill_claims(
    context: &Context,
    claims: harness::mock_okta::config::Claims,
) -> harness::mock_okta::config::Claims {
    claims.into_iter().map(|(k, v)| (k, fill_value(context, v))).collect()
}

fn fill_value(context: &Context, value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(context.fill(&s)),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| fill_value(context, v)).collect())
        }
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, fill_value(context, v))).collect())
        }
        other => other,
    }
}

/// Why Cognito would refuse the step's `Logins`, check by check, judged against the running
/// world at its clock's time (the signature is checked by the server, not here).
fn explain_failure(fed: &Federation, call: &Call) -> Option<String> {
    use harness::mock_cognito::explain;
    let state = fed.cognito();
    let pool = state.pool(&call.pool)?;
    let now = fed.clock().now();
    let text: String = call
        .logins
        .iter()
        .map(|(key, token)| {
            let trusted = state.trusted_provider(&pool, key);
            explain::render(
                key,
                &explain::explain(key, token, trusted.as_ref().map_err(Clone::clone), now),
            )
        })
        .collect();
    (!text.is_empty()).then_some(text)
}

fn judge(
    fed: &Federation,
    client: &str,
    context: &mut Context,
    step: &Step,
    outcome: Outcome,
    report: impl Fn(&str, String, bool) -> StepReport,
) -> StepReport {
    match (outcome, &step.expect) {
        (Outcome::Ok(results), Expect::Ok | Expect::Word(_)) => {
            if let Some(role) = &step.expect_role {
                let key = results.get("access_key_id").and_then(Value::as_str).unwrap_or_default();
                let owner = fed.cognito().credentials_owner(key).map(|o| o.role_arn);
                if owner.as_deref() != Some(context.fill(role).as_str()) {
                    return report(
                        client,
                        format!("ok, but role {}", owner.unwrap_or_else(|| "(none)".into())),
                        false,
                    );
                }
            }
            if let Some(earlier) = &step.expect_same_identity_as {
                let want = context.values.get(&format!("{earlier}.identity_id")).cloned();
                let got = results.get("identity_id").and_then(Value::as_str).map(str::to_owned);
                if want.is_none() || want != got {
                    return report(
                        client,
                        format!(
                            "ok, but identity {} (step {earlier} got {})",
                            got.unwrap_or_default(),
                            want.unwrap_or_default()
                        ),
                        false,
                    );
                }
            }
            context.record(step.id.as_deref(), &results);
            report(client, "ok".to_owned(), true)
        }
        (Outcome::Ok(_), Expect::Error { .. }) => report(client, "ok".to_owned(), false),
        (Outcome::Refused { kind, message }, Expect::Error { error, message: want }) => {
            let passed = &kind == error && want.as_ref().is_none_or(|w| context.fill(w) == message);
            report(client, format!("{kind}: {message}"), passed)
        }
        (Outcome::Refused { kind, message }, _) => {
            report(client, format!("{kind}: {message}"), false)
        }
        (Outcome::Failed(why), _) => report(client, format!("failed: {why}"), false),
    }
}
