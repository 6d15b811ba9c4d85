//! Runs scenarios: a fresh in-process world per scenario and client, steps in order, each
//! Cognito/STS step through a real client, each outcome compared with its expectation.

use std::collections::HashMap;
use std::time::Instant;

use harness::container::FedmockImage;
use harness::mock_okta::{Faults, MintRequest, TokenKind};
use harness::{Clock, Federation, TokenRequest, WorldSummary};
use serde::Serialize;
use serde_json::{Value, json};

use crate::Error;
use crate::clients::{Call, Client, Endpoints, Outcome};
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
    /// Set when it did not run, and why: the client's runtime is missing here (with the
    /// command that installs it), or the scenario needs a world of its own.
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
    run_on(name, file, scenario, clients, Where::InProcess).await
}

/// Runs `scenario` once per client against endpoints already running (`fedmock up
/// --ready-file`'s summary). A scenario that needs a world of its own is skipped, saying why
/// ([`Scenario::needs_own_world`]). Scenarios sharing endpoints must run one at a time (their clock
/// moves would collide).
pub async fn run_against(
    name: &str,
    file: &str,
    scenario: &Scenario,
    clients: &[Client],
    endpoints: &WorldSummary,
) -> Result<Vec<ScenarioReport>, Error> {
    run_on(name, file, scenario, clients, Where::Running(endpoints)).await
}

/// Runs `scenario` once per client, each in a container of `image` started with the scenario's
/// world and removed afterwards: the same scenarios, against the image a team ships or runs in
/// its CI. Nothing is skipped for needing a world of its own; scenarios may run in parallel.
pub async fn run_in_container(
    name: &str,
    file: &str,
    scenario: &Scenario,
    clients: &[Client],
    image: &FedmockImage,
) -> Result<Vec<ScenarioReport>, Error> {
    run_on(name, file, scenario, clients, Where::Container(image)).await
}

/// Where a scenario's world is.
#[derive(Clone, Copy)]
enum Where<'a> {
    /// Started by the runner, in process.
    InProcess,
    /// Already running, shared.
    Running(&'a WorldSummary),
    /// Started by the runner as a container of this image.
    Container(&'a FedmockImage),
}

async fn run_on(
    name: &str,
    file: &str,
    scenario: &Scenario,
    clients: &[Client],
    place: Where<'_>,
) -> Result<Vec<ScenarioReport>, Error> {
    let mut reports = Vec::new();
    for client in clients {
        let world = scenario.world(file)?;
        let skip = |reason: String| ScenarioReport {
            scenario: name.to_owned(),
            client: client.name().to_owned(),
            steps: Vec::new(),
            skipped: Some(reason),
        };
        if let Some(install) = client.missing() {
            reports.push(skip(format!("install with `{install}`")));
            continue;
        }
        let fed = match place {
            Where::Running(_) if let Some(why) = scenario.needs_own_world() => {
                reports.push(skip(why.to_owned()));
                continue;
            }
            Where::Running(summary) => Federation::connect_to(summary.clone()),
            Where::Container(image) => {
                let container = image
                    .clone()
                    .with_world(&world)
                    .map_err(|e| Error::World(e.to_string()))?
                    .start()
                    .await
                    .map_err(|e| Error::World(e.to_string()))?;
                Federation::in_container(container)
            }
            Where::InProcess => own_world(world).await?,
        };
        // The clock stands still unless a `clock` step moves it: a scenario's times never
        // depend on how long its steps take.
        fed.clock().freeze().await.map_err(world_error)?;
        let endpoints = Endpoints::of(&fed);
        let mut context = Context::of(&fed).await?;
        let mut steps = Vec::new();
        for (i, step) in scenario.steps.iter().enumerate() {
            let label = step.id.clone().unwrap_or_else(|| format!("step {}", i + 1));
            let started = Instant::now();
            let report = run_step(&fed, &endpoints, client, &mut context, &label, step).await;
            let report = StepReport { millis: started.elapsed().as_millis(), ..report };
            let failed = !report.passed;
            steps.push(report);
            if failed {
                break;
            }
        }
        if !fed.is_in_process() {
            // Resuming keeps the time shown; the offset reset then drops the scenario's moves
            // (two calls, because one change applies the offset first).
            fed.clock().resume().await.map_err(world_error)?;
            fed.clock().set_offset(0).await.map_err(world_error)?;
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
    /// The context a scenario starts with: the world's names, and `{now}`, its clock's time.
    async fn of(fed: &Federation) -> Result<Self, Error> {
        let mut context = Self::new(fed.summary());
        let now = fed.clock().now().await.map_err(world_error)?;
        context.record(None, &json!({"now": now.to_string()}));
        Ok(context)
    }

    fn new(world: &WorldSummary) -> Self {
        // `{okta}` is the base the world's issuers are named from, as tokens carry it. It is
        // where the runner reaches mock-okta too, except in a container, whose mapped port
        // differs from the name it gives itself inside (harness::container).
        let okta = match world.issuer.split_once("/oauth2/") {
            Some((base, _)) => base.to_owned(),
            None => world.issuer.trim_end_matches('/').to_owned(),
        };
        let okta_host = okta.split_once("://").map_or("", |(_, h)| h).to_owned();
        let values = HashMap::from([
            ("okta".to_owned(), okta),
            ("okta_host".to_owned(), okta_host),
            ("issuer".to_owned(), world.issuer.clone()),
            ("logins_key".to_owned(), world.logins_key.clone()),
            ("pool".to_owned(), world.identity_pool_id.clone()),
            ("client_id".to_owned(), world.client_id.clone()),
            ("username".to_owned(), world.username.clone()),
            ("password".to_owned(), world.password.clone()),
        ]);
        Self { values }
    }

    /// Keeps a step's results as `{id.field}`, the claims of a token among them as
    /// `{id.field.claim}` (e.g. `{okta.access_token.exp}`), and a clock step's time as `{now}`.
    fn record(&mut self, id: Option<&str>, results: &Value) {
        if let Some(now) = results.get("now").and_then(Value::as_str) {
            self.values.insert("now".to_owned(), now.to_owned());
        }
        let (Some(id), Value::Object(fields)) = (id, results) else { return };
        for (field, value) in fields {
            let Some(text) = value.as_str() else { continue };
            self.values.insert(format!("{id}.{field}"), text.to_owned());
            let claims = harness::mock_cognito::unverified_claims(text);
            for (claim, value) in claims.into_iter().flatten() {
                let shown = match value {
                    Value::String(s) => s,
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => continue,
                };
                self.values.insert(format!("{id}.{field}.{claim}"), shown);
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
                // `{{logins_key}=}`: the brace before a reference is text.
                Some(len) if rest[start + 1..start + len].contains('{') => {
                    out.push('{');
                    rest = &rest[start + 1..];
                }
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
    endpoints: &Endpoints,
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
    let Some(action) = step.action else {
        return report("-", "failed: the step has no action".to_owned(), false);
    };
    let server = step.server.clone().unwrap_or_else(|| fed.default_server_id().to_owned());
    let outcome = match action {
        Action::Token => {
            let request = match step.grant.as_deref().unwrap_or("password") {
                "client_credentials" => TokenRequest::client_credentials(),
                _ => TokenRequest::password(
                    &context.fill(step.user.as_deref().unwrap_or("{username}")),
                    &context.fill(step.password.as_deref().unwrap_or("{password}")),
                    step.scope.as_deref().unwrap_or("openid"),
                ),
            };
            let request = match step.client.as_deref() {
                Some(client) => request.server(&server).client(client),
                None => request.server(&server),
            };
            match &step.faults {
                None => token(fed, request).await,
                // Faults in force for this request only.
                Some(faults) => match fed.set_okta_faults(faults.clone()).await {
                    Err(err) => Outcome::Failed(err.to_string()),
                    Ok(()) => {
                        let outcome = token(fed, request).await;
                        match fed.set_okta_faults(Faults::default()).await {
                            Ok(()) => outcome,
                            Err(err) => Outcome::Failed(err.to_string()),
                        }
                    }
                },
            }
        }
        Action::Mint => {
            let request = MintRequest {
                server: step.server.clone().unwrap_or_else(|| "default".to_owned()),
                token: step.token.unwrap_or(TokenKind::Access),
                client: step.client.clone(),
                user: step.user.clone(),
                claims: {
                    let mut claims = step
                        .claims
                        .clone()
                        .map(|claims| fill_claims(context, claims))
                        .unwrap_or_default();
                    for name in step.remove_claims.iter().flatten() {
                        claims.insert(name.clone(), Value::Null);
                    }
                    claims
                },
                signing: step.signing.clone().unwrap_or_default(),
                ..Default::default()
            };
            match fed.mint(&request).await {
                Ok(token) => Outcome::Ok(json!({"token": token})),
                Err(err) => Outcome::Failed(err.to_string()),
            }
        }
        Action::Faults => {
            match fed.set_okta_faults(step.faults.clone().unwrap_or_default()).await {
                Ok(()) => Outcome::Ok(json!({})),
                Err(err) => Outcome::Failed(err.to_string()),
            }
        }
        Action::RotateKeys => match fed.rotate_keys(&server).await {
            Ok(kid) => Outcome::Ok(json!({ "kid": kid })),
            Err(err) => Outcome::Failed(err.to_string()),
        },
        Action::Clock => match fed.clock().advance(step.advance.unwrap_or(0)).await {
            Ok(now) => Outcome::Ok(json!({"now": now.to_string()})),
            Err(err) => Outcome::Failed(err.to_string()),
        },
        call => {
            let request = call_of(context, step);
            let outcome = client.call(endpoints, call, &request).await;
            let judged = judge(endpoints, client.name(), context, step, outcome, report).await;
            if judged.passed {
                return judged;
            }
            let explanation = explain(fed, call, &request).await;
            return StepReport { explanation, ..judged };
        }
    };
    judge(endpoints, "-", context, step, outcome, report).await
}

/// Who the credentials a step got are, asked as an application would: STS
/// `GetCallerIdentity` signed with them, at the endpoint the clients use.
async fn caller_arn(endpoints: &Endpoints, results: &Value) -> Result<String, String> {
    let field = |name: &str| results.get(name).and_then(Value::as_str).map(str::to_owned);
    let (Some(key), Some(secret)) = (field("access_key_id"), field("secret_access_key")) else {
        return Err("the step returned no credentials".to_owned());
    };
    let credentials = aws_credential_types::Credentials::new(
        key,
        secret,
        field("session_token"),
        None,
        "fedmock-scenario",
    );
    let config = endpoints.sts.config().to_builder().credentials_provider(credentials).build();
    let answer = aws_sdk_sts::Client::from_conf(config)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| aws_sdk_sts::error::DisplayErrorContext(e).to_string())?;
    Ok(answer.arn().unwrap_or_default().to_owned())
}

/// Whether `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION` is a session of the role
/// `arn:aws:iam::ACCOUNT:role/[PATH/]NAME` (an assumed-role ARN drops the role's path).
fn is_session_of(assumed: &str, role: &str) -> bool {
    let Some((account, rest)) =
        assumed.strip_prefix("arn:aws:sts::").and_then(|r| r.split_once(":assumed-role/"))
    else {
        return false;
    };
    let name = rest.split('/').next().unwrap_or_default();
    role.strip_prefix("arn:aws:iam::")
        .and_then(|r| r.split_once(":role/"))
        .is_some_and(|(acct, path)| acct == account && path.rsplit('/').next() == Some(name))
}

/// A Cognito/STS step's call, with references filled.
fn call_of(context: &Context, step: &Step) -> Call {
    Call {
        pool: context.fill_opt(step.pool.as_ref()).unwrap_or_else(|| context.fill("{pool}")),
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
        session_name: step.session_name.clone().unwrap_or_else(|| "fedmock-scenario".to_owned()),
        duration_seconds: step.duration_seconds,
    }
}

/// Runs `scenario` in a world of its own up to step `id` (its `id`, or `step N`) and explains,
/// check by check, what Cognito does with that step's `Logins` at that moment, whatever the
/// step expects. Earlier steps must meet their expectations.
pub async fn explain_step(file: &str, scenario: &Scenario, id: &str) -> Result<String, Error> {
    let fed = own_world(scenario.world(file)?).await?;
    let endpoints = Endpoints::of(&fed);
    let mut context = Context::of(&fed).await?;
    for (i, step) in scenario.steps.iter().enumerate() {
        let label = step.id.clone().unwrap_or_else(|| format!("step {}", i + 1));
        if label == id {
            let call = call_of(&context, step);
            let action = step.action.unwrap_or(Action::GetId);
            return explain(&fed, action, &call).await.ok_or_else(|| Error::Parse {
                file: file.to_owned(),
                message: format!("{id}: no Logins or web identity token to explain"),
            });
        }
        let report = run_step(&fed, &endpoints, &Client::Rust, &mut context, &label, step).await;
        if !report.passed {
            return Err(Error::World(format!(
                "{label} did not meet its expectation before {id}: expected {}, got {}",
                report.expected, report.got
            )));
        }
    }
    Err(Error::Parse { file: file.to_owned(), message: format!("no step {id:?}") })
}

/// A world of the scenario's own, in process, on a frozen clock.
async fn own_world(world: harness::FederationConfig) -> Result<Federation, Error> {
    Federation::builder()
        .config(world)
        .clock(Clock::fixed(Clock::system().now()))
        .start()
        .await
        .map_err(world_error)
}

fn world_error(err: harness::Error) -> Error {
    Error::World(err.to_string())
}

/// Tokens from the token endpoint: `{access_token, id_token}`, or the OAuth error it
/// answered (`Refused` with `error` and `error_description`).
async fn token(fed: &Federation, request: TokenRequest) -> Outcome {
    match fed.token(request).await {
        Ok(tokens) => {
            Outcome::Ok(json!({"access_token": tokens.access_token, "id_token": tokens.id_token}))
        }
        Err(harness::Error::TokenRefused { body, .. }) => {
            match serde_json::from_str::<Value>(&body) {
                Ok(oauth) if oauth["error"].is_string() => Outcome::Refused {
                    kind: oauth["error"].as_str().unwrap_or_default().to_owned(),
                    message: oauth["error_description"].as_str().unwrap_or_default().to_owned(),
                },
                _ => Outcome::Failed(body),
            }
        }
        Err(other) => Outcome::Failed(other.to_string()),
    }
}

/// What the service does with the call's token, check by check, judged at the world clock's
/// time (the signature is checked by the server, not here): Cognito's checks of each `Logins`
/// entry against the pool, or STS's checks of the web identity token against the account's
/// IAM OIDC providers. The pool and providers come from memory in process, else from the
/// account read with the admin key, as `fedmock explain --pool-json --provider-json` reads a
/// real account.
async fn explain(fed: &Federation, action: Action, call: &Call) -> Option<String> {
    use harness::mock_cognito::explain;
    let now = fed.clock().now().await.ok()?;
    let leeway = fed.config().map_or(0, |c| c.aws.token_leeway_seconds);
    if action == Action::AssumeRole {
        let token = call.web_identity_token.as_deref()?;
        let iss = harness::mock_cognito::unverified_claims(token)
            .and_then(|c| c.get("iss").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        let providers = fed.oidc_providers(&iss).await.ok()?;
        let role = match call.role_arn.as_deref() {
            Some(arn) => fed.role(arn).await.ok()?,
            None => None,
        };
        let asked = call.role_arn.as_deref().map(|arn| explain::RoleAsked {
            arn,
            role: role.as_ref(),
            duration: call.duration_seconds.unwrap_or(3600),
        });
        let checks = explain::explain_web_identity(&explain::WebIdentityCall {
            token,
            providers: &providers.into_iter().map(std::sync::Arc::new).collect::<Vec<_>>(),
            role: asked,
            now,
            leeway,
        });
        return Some(explain::render_web_identity(&checks));
    }
    let mut text = String::new();
    for (key, token) in &call.logins {
        let trusted = fed.pool_trust(&call.pool, key).await.ok()?;
        let checks = explain::explain(&explain::Login {
            key,
            token,
            pool: &call.pool,
            trusted: trusted.as_ref().map_err(Vec::as_slice),
            now,
            leeway,
        });
        text.push_str(&explain::render(key, &checks));
    }
    (!text.is_empty()).then_some(text)
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

async fn judge(
    endpoints: &Endpoints,
    client: &str,
    context: &mut Context,
    step: &Step,
    outcome: Outcome,
    report: impl Fn(&str, String, bool) -> StepReport,
) -> StepReport {
    match (outcome, &step.expect) {
        (Outcome::Ok(results), Expect::Ok | Expect::Word(_)) => {
            if let Some(role) = &step.expect_role {
                let role = context.fill(role);
                match caller_arn(endpoints, &results).await {
                    Ok(arn) if is_session_of(&arn, &role) => {}
                    Ok(arn) => {
                        return report(client, format!("ok, but the caller is {arn}"), false);
                    }
                    Err(why) => {
                        return report(client, format!("ok, but GetCallerIdentity: {why}"), false);
                    }
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
        // A client that validates parameters refuses before sending what AWS would refuse
        // with a validation error: that is the answer its users see.
        (Outcome::ClientRefused(why), Expect::Error { error, .. }) => report(
            client,
            format!("refused by the client before sending: {why}"),
            error == "ValidationException" || error == "ValidationError",
        ),
        (Outcome::ClientRefused(why), _) => {
            report(client, format!("refused by the client before sending: {why}"), false)
        }
        (Outcome::Failed(why), _) => report(client, format!("failed: {why}"), false),
    }
}

#[cfg(test)]
mod tests {
    use super::is_session_of;

    #[test]
    fn an_assumed_role_session_matches_its_role_with_or_without_a_path() {
        let session = "arn:aws:sts::123456789012:assumed-role/app/CognitoIdentityCredentials";
        assert!(is_session_of(session, "arn:aws:iam::123456789012:role/app"));
        assert!(is_session_of(session, "arn:aws:iam::123456789012:role/teams/web/app"));
        assert!(!is_session_of(session, "arn:aws:iam::123456789012:role/application"));
        assert!(!is_session_of(session, "arn:aws:iam::999999999999:role/app"));
        assert!(!is_session_of(
            "arn:aws:iam::123456789012:user/app",
            "arn:aws:iam::123456789012:role/app"
        ));
    }
}
