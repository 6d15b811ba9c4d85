//! What a scenario's steps act on: a world the runner starts itself (in process, one per
//! scenario and client), or endpoints that are already running (`fedmock up`, a container),
//! named by the summary `fedmock up --ready-file` writes.
//!
//! Against running endpoints everything goes over the wire as a user's code would send it:
//! tokens from the token endpoint, `mint`, `rotate_keys` and `clock` through mock-okta's
//! `/__fedmock/` admin API, Cognito and STS through the clients, `expect_role` through STS
//! `GetCallerIdentity` signed with the credentials a step got, and the explanation of a failed
//! step from the pool and provider read with the account's admin key.

use harness::container::FedmockContainer;
use harness::mock_okta::{Faults, MintRequest};
use harness::{Federation, TokenRequest, WorldSummary};
use serde_json::{Value, json};

use crate::clients::{Call, Outcome};
use crate::model::Action;
use harness::mock_cognito::verify::Provider;

/// Why the token endpoint gave no tokens.
enum TokenFailure {
    /// It answered an error (the body).
    Refused(String),
    /// No answer, or not one a token endpoint gives.
    Failed(String),
}

/// Where Cognito/STS calls go, for every client.
#[derive(Clone, Debug)]
pub struct Endpoints {
    /// The AWS SDK for Rust's Cognito Identity client.
    pub cognito: aws_sdk_cognitoidentity::Client,
    /// The AWS SDK for Rust's STS client.
    pub sts: aws_sdk_sts::Client,
    /// The endpoint URL every client is given.
    pub url: String,
    /// The region every client is given.
    pub region: String,
}

/// A scenario's world.
// One per scenario run, made once and borrowed: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Target {
    /// Started by the runner for this scenario and client.
    Own(Federation),
    /// Already running, as its summary describes it.
    Running(Running),
}

/// Endpoints already running.
pub struct Running {
    summary: WorldSummary,
    http: reqwest::Client,
    /// The container serving them, when the runner started one: removed with this.
    _container: Option<FedmockContainer>,
}

impl Running {
    /// Endpoints described by `fedmock up`'s ready file.
    pub fn new(summary: WorldSummary) -> Self {
        Self { summary, http: reqwest::Client::new(), _container: None }
    }

    /// A container the runner started for one scenario and client.
    pub fn in_container(container: FedmockContainer) -> Self {
        let summary = container.summary().clone();
        Self { summary, http: reqwest::Client::new(), _container: Some(container) }
    }

    fn admin(&self, path: &str) -> String {
        format!("{}/__fedmock{path}", self.summary.okta_url)
    }

    /// The provider the pool trusts under the `Logins` key `key`, or the names it trusts.
    async fn trusted_provider(
        &self,
        pool: &str,
        key: &str,
    ) -> Result<Result<Provider, Vec<String>>, String> {
        let Some(config) = self.summary.admin_sdk_config() else {
            return Err("the summary names no admin key".to_owned());
        };
        let cognito = aws_sdk_cognitoidentity::Client::new(&config);
        let described = cognito
            .describe_identity_pool()
            .identity_pool_id(pool)
            .send()
            .await
            .map_err(|e| aws_sdk_cognitoidentity::error::DisplayErrorContext(e).to_string())?;
        let arns = described.open_id_connect_provider_arns();
        let suffix = format!(":oidc-provider/{key}");
        let Some(arn) = arns.iter().find(|arn| arn.ends_with(&suffix)) else {
            let names = arns.iter().filter_map(|a| a.split_once(":oidc-provider/"));
            return Ok(Err(names.map(|(_, name)| name.to_owned()).collect()));
        };
        let iam = aws_sdk_iam::Client::new(&config);
        let provider = iam
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
            .map_err(|e| aws_sdk_iam::error::DisplayErrorContext(e).to_string())?;
        Ok(Ok(Provider {
            // IAM shows the URL without its scheme; the checks compare names.
            url: format!("https://{key}"),
            name: key.to_owned(),
            arn: arn.clone(),
            client_ids: provider.client_id_list().to_vec(),
            thumbprints: Vec::new(),
            created: 0,
        }))
    }

    /// The account's IAM OIDC providers, read with the admin key. IAM shows a provider's URL
    /// without its scheme; it takes the token's when the rest is the same (a local `http://`
    /// issuer), else `https://`.
    async fn providers(&self, token: &str) -> Result<Vec<Provider>, String> {
        let config =
            self.summary.admin_sdk_config().ok_or("the summary names no admin key".to_owned())?;
        let iam = aws_sdk_iam::Client::new(&config);
        let error = |e| aws_sdk_iam::error::DisplayErrorContext(e).to_string();
        let listed = iam.list_open_id_connect_providers().send().await.map_err(error)?;
        let iss = harness::mock_cognito::verify::unverified_claims(token)
            .and_then(|c| c.get("iss").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        let mut providers = Vec::new();
        for arn in listed.open_id_connect_provider_list().iter().filter_map(|p| p.arn()) {
            let got = iam
                .get_open_id_connect_provider()
                .open_id_connect_provider_arn(arn)
                .send()
                .await
                .map_err(|e| aws_sdk_iam::error::DisplayErrorContext(e).to_string())?;
            let name = got.url().unwrap_or_default().to_owned();
            let url = if harness::mock_cognito::verify::strip_scheme(&iss) == name {
                iss.clone()
            } else {
                format!("https://{name}")
            };
            providers.push(Provider {
                url,
                name,
                arn: arn.to_owned(),
                client_ids: got.client_id_list().to_vec(),
                thumbprints: Vec::new(),
                created: 0,
            });
        }
        Ok(providers)
    }

    async fn post(&self, url: String, body: &Value) -> Result<Value, String> {
        let response =
            self.http.post(&url).json(body).send().await.map_err(|e| format!("{url}: {e}"))?;
        let status = response.status();
        let answer: Value = response.json().await.map_err(|e| format!("{url}: {e}"))?;
        if status.is_success() { Ok(answer) } else { Err(format!("{url}: {status} {answer}")) }
    }
}

impl Target {
    /// What `{okta}`, `{issuer}`, `{logins_key}`, `{pool}`, … stand for.
    pub fn summary(&self) -> WorldSummary {
        match self {
            Target::Own(fed) => fed.summary(),
            Target::Running(running) => running.summary.clone(),
        }
    }

    /// Where the clients send Cognito/STS calls: the SDK's documented way to point it at an
    /// endpoint, with no credentials (the federation operations are unsigned).
    pub fn endpoints(&self) -> Endpoints {
        match self {
            Target::Own(fed) => Endpoints {
                cognito: fed.cognito_client(),
                sts: fed.sts_client(),
                url: fed.cognito_endpoint(),
                region: fed.region().to_owned(),
            },
            Target::Running(running) => {
                let config = running.summary.sdk_config();
                Endpoints {
                    cognito: aws_sdk_cognitoidentity::Client::new(&config),
                    sts: aws_sdk_sts::Client::new(&config),
                    url: running.summary.cognito_endpoint.clone(),
                    region: running.summary.region.clone(),
                }
            }
        }
    }

    /// The authorization server a step without `server` uses.
    pub fn default_server(&self) -> String {
        match self {
            Target::Own(fed) => {
                fed.config().okta.servers.first().map_or("org".to_owned(), |s| s.id.clone())
            }
            Target::Running(running) => {
                let issuer = &running.summary.issuer;
                match issuer.split_once("/oauth2/") {
                    Some((_, id)) => id.to_owned(),
                    None => "org".to_owned(),
                }
            }
        }
    }

    /// Tokens from the token endpoint: `{access_token, id_token}`, or the OAuth error it
    /// answered (`Refused` with `error` and `error_description`).
    pub async fn token(&self, request: TokenRequest, client: Option<&str>) -> Outcome {
        match self.token_answer(request, client).await {
            Ok(answer) => Outcome::Ok(answer),
            Err(TokenFailure::Refused(body)) => match serde_json::from_str::<Value>(&body) {
                Ok(oauth) if oauth["error"].is_string() => Outcome::Refused {
                    kind: oauth["error"].as_str().unwrap_or_default().to_owned(),
                    message: oauth["error_description"].as_str().unwrap_or_default().to_owned(),
                },
                _ => Outcome::Failed(body),
            },
            Err(TokenFailure::Failed(why)) => Outcome::Failed(why),
        }
    }

    async fn token_answer(
        &self,
        request: TokenRequest,
        client: Option<&str>,
    ) -> Result<Value, TokenFailure> {
        match self {
            Target::Own(fed) => {
                let request = match client {
                    Some(client) => request.client(client),
                    None => request,
                };
                let tokens = fed.token(request).await.map_err(|e| match e {
                    harness::Error::TokenRefused { body, .. } => TokenFailure::Refused(body),
                    other => TokenFailure::Failed(other.to_string()),
                })?;
                Ok(json!({"access_token": tokens.access_token, "id_token": tokens.id_token}))
            }
            Target::Running(running) => {
                let s = &running.summary;
                if client.is_some_and(|c| c != s.client_id) {
                    return Err(TokenFailure::Failed(format!(
                        "against running endpoints only the ready file's client ({}) has a known secret",
                        s.client_id
                    )));
                }
                let url = match request.server_id() {
                    Some("org") => format!("{}/oauth2/v1/token", s.okta_url),
                    Some(id) => format!("{}/oauth2/{id}/v1/token", s.okta_url),
                    None => s.token_endpoint.clone(),
                };
                let response = running
                    .http
                    .post(&url)
                    .basic_auth(&s.client_id, Some(&s.client_secret))
                    .form(request.form())
                    .send()
                    .await
                    .map_err(|e| TokenFailure::Failed(format!("{url}: {e}")))?;
                let status = response.status();
                let body = response
                    .text()
                    .await
                    .map_err(|e| TokenFailure::Failed(format!("{url}: {e}")))?;
                if !status.is_success() {
                    return Err(TokenFailure::Refused(body));
                }
                let answer: Value = serde_json::from_str(&body)
                    .map_err(|e| TokenFailure::Failed(format!("{url}: {e}: {body}")))?;
                Ok(json!({"access_token": answer["access_token"], "id_token": answer["id_token"]}))
            }
        }
    }

    /// Switches mock-okta's faults on (`Faults::default()` off), for a token step's request.
    pub async fn set_okta_faults(&self, faults: &Faults) -> Result<(), String> {
        match self {
            Target::Own(fed) => {
                fed.set_okta_faults(faults.clone());
                Ok(())
            }
            Target::Running(running) => {
                let url = running.admin("/faults");
                let response = running
                    .http
                    .put(&url)
                    .json(faults)
                    .send()
                    .await
                    .map_err(|e| format!("{url}: {e}"))?;
                match response.status() {
                    status if status.is_success() => Ok(()),
                    status => Err(format!("{url}: {status}")),
                }
            }
        }
    }

    /// A token minted with any claims and signing.
    pub async fn mint(&self, request: &MintRequest) -> Result<String, String> {
        match self {
            Target::Own(fed) => fed.mint(request).await.map_err(|e| e.to_string()),
            Target::Running(running) => {
                let body = serde_json::to_value(request).map_err(|e| e.to_string())?;
                let answer = running.post(running.admin("/mint"), &body).await?;
                Ok(answer["token"].as_str().unwrap_or_default().to_owned())
            }
        }
    }

    /// Rotates `server`'s signing keys; the new active `kid`.
    pub async fn rotate_keys(&self, server: &str) -> Result<String, String> {
        match self {
            Target::Own(fed) => fed.rotate_keys(server).await.map_err(|e| e.to_string()),
            Target::Running(running) => {
                let url = running.admin(&format!("/servers/{server}/keys/rotate"));
                let answer = running.post(url, &json!({})).await?;
                Ok(answer["active"].as_str().unwrap_or_default().to_owned())
            }
        }
    }

    /// Moves the world clock by `secs`; the new time.
    pub async fn advance(&self, secs: i64) -> Result<i64, String> {
        match self {
            Target::Own(fed) => {
                fed.clock().advance(secs);
                Ok(fed.clock().now())
            }
            Target::Running(running) => {
                let answer =
                    running.post(running.admin("/clock"), &json!({"advance": secs})).await?;
                Ok(answer["now"].as_i64().unwrap_or_default())
            }
        }
    }

    /// Stops a running world's clock for the scenario (a started world's clock never runs),
    /// so its times do not depend on how long steps take.
    pub async fn freeze(&self) -> Result<(), String> {
        match self {
            Target::Own(_) => Ok(()),
            Target::Running(running) => {
                running.post(running.admin("/clock"), &json!({"freeze": true})).await.map(drop)
            }
        }
    }

    /// Undoes the scenario's clock changes on a running world: running again, no offset (an
    /// offset set before the scenario is not kept).
    pub async fn restore_clock(&self) -> Result<(), String> {
        match self {
            Target::Own(_) => Ok(()),
            Target::Running(running) => {
                // Resuming keeps the time shown; the offset reset then drops the scenario's
                // moves (applied in two calls because one applies the offset first).
                running.post(running.admin("/clock"), &json!({"resume": true})).await?;
                running.post(running.admin("/clock"), &json!({"offset": 0})).await.map(drop)
            }
        }
    }

    /// What Cognito does with the call's `Logins`, check by check, judged at the world clock's
    /// time (the signature is checked by the server, not here). A world the runner started is
    /// read from memory; running endpoints are asked over the wire, signed with the summary's
    /// admin key: the pool (`DescribeIdentityPool`) and the IAM OIDC provider named by the key
    /// (`GetOpenIDConnectProvider`), as `fedmock explain --pool-json --provider-json` reads a
    /// real account.
    pub async fn explain(&self, action: Action, call: &Call) -> Option<String> {
        use harness::mock_cognito::explain;
        let now = self.advance(0).await.ok()?;
        if action == Action::AssumeRole {
            // STS judges the token against the account's IAM OIDC providers.
            let token = call.web_identity_token.as_deref()?;
            let providers = match self {
                Target::Own(fed) => fed.cognito().providers(),
                Target::Running(running) => running.providers(token).await.ok()?,
            };
            let checks = explain::explain_web_identity(token, &providers, now);
            return Some(explain::render_web_identity(&checks));
        }
        let mut text = String::new();
        for (key, token) in &call.logins {
            let trusted = match self {
                Target::Own(fed) => {
                    let state = fed.cognito();
                    state.trusted_provider(&state.pool(&call.pool)?, key)
                }
                Target::Running(running) => running.trusted_provider(&call.pool, key).await.ok()?,
            };
            let checks = explain::explain(key, token, trusted.as_ref().map_err(Clone::clone), now);
            text.push_str(&explain::render(key, &checks));
        }
        (!text.is_empty()).then_some(text)
    }
}
