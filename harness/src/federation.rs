//! `Federation`: one handle on a world, wherever it runs. [`Federation::start`] runs both mocks
//! in this process; [`Federation::connect`] reaches a world already running (`fedmock up`,
//! replicas behind a balancer) through what its ready file says; with the `containers`
//! feature, [`Federation::in_container`] wraps a container of fedmock's image. The accessors
//! and controls are the same for all three (httpmock's `start`/`connect` is the model):
//! endpoints and ids come from the world's [`WorldSummary`], tokens from the token endpoint,
//! and minting, keys, faults and the clock go to mock-okta directly in process or through its
//! `/__fedmock/` control API otherwise.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use http::{HeaderName, HeaderValue, Method, header};
use mock_cognito::CognitoState;
use mock_cognito::fetch::{Answer, HttpClient};
use mock_okta::{ClientAuthMethod, Clock, ClockChange, OktaConfig, OktaState, TokenResponse};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::in_process::{InProcess, Settings};
use crate::tls::TlsMaterial;
use crate::{Error, FederationConfig, WorldSummary};

/// A running world: mock Okta and mock Cognito, in this process or elsewhere.
#[derive(Debug)]
pub struct Federation {
    summary: WorldSummary,
    world: World,
    http: OnceLock<HttpClient>,
}

#[derive(Debug)]
enum World {
    InProcess(Box<InProcess>),
    Running {
        /// The container serving it, when this handle started one: removed with it.
        #[cfg(feature = "containers")]
        _container: Option<Box<crate::container::FedmockContainer>>,
    },
}

/// Edits an in-process world before it starts.
#[derive(Debug)]
#[must_use = "a builder does nothing until .start()"]
pub struct FederationBuilder {
    settings: Settings,
}

impl Federation {
    /// Starts the default world in this process, on ephemeral ports of `127.0.0.1`.
    ///
    /// # Panics
    /// If the sockets cannot be bound; use [`Federation::builder`] to handle that.
    pub async fn start() -> Self {
        Self::builder().start().await.expect("the default world starts")
    }

    /// A builder over the default world, started in this process.
    pub fn builder() -> FederationBuilder {
        FederationBuilder {
            settings: Settings {
                config: FederationConfig::default_world(),
                okta_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
                cognito_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
                worker_threads: 1,
                clock: Clock::system(),
                tls: false,
                limits: crate::Limits::default(),
                console: None,
            },
        }
    }

    /// A world already running, described by the JSON `fedmock up --ready-file` writes.
    pub async fn connect(ready_file: impl AsRef<Path>) -> Result<Self, Error> {
        let path = ready_file.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Config(format!("cannot read the ready file {}: {e}", path.display()))
        })?;
        let summary: WorldSummary = serde_json::from_str(&text).map_err(|e| {
            Error::Config(format!(
                "{} is not a `fedmock up --ready-file` summary: {e}",
                path.display()
            ))
        })?;
        Ok(Self::connect_to(summary))
    }

    /// A world already running, as its summary describes it.
    pub fn connect_to(summary: WorldSummary) -> Self {
        Self {
            summary,
            world: World::Running {
                #[cfg(feature = "containers")]
                _container: None,
            },
            http: OnceLock::new(),
        }
    }

    /// The world a container of fedmock's image serves; the container is removed when this
    /// handle is dropped.
    #[cfg(feature = "containers")]
    pub fn in_container(container: crate::container::FedmockContainer) -> Self {
        Self {
            summary: container.summary().clone(),
            world: World::Running { _container: Some(Box::new(container)) },
            http: OnceLock::new(),
        }
    }

    fn local(&self) -> Option<&InProcess> {
        match &self.world {
            World::InProcess(world) => Some(world),
            World::Running { .. } => None,
        }
    }

    /// The web console of an in-process world started with [`FederationBuilder::console`].
    pub fn console(&self) -> Option<&Arc<crate::console::Console>> {
        self.local().and_then(|world| world.console.as_ref())
    }

    /// Hands a `fedmock load` report to the world's console (in process, or over the control
    /// API); `Ok(false)` when the world serves no console.
    pub async fn publish_load_report(
        &self,
        report: crate::console::LoadReport,
    ) -> Result<bool, Error> {
        if let Some(world) = self.local() {
            return Ok(match &world.console {
                Some(console) => {
                    console.add_load_report(report);
                    true
                }
                None => false,
            });
        }
        if !self.summary.console {
            return Ok(false);
        }
        self.control::<Value>(Method::POST, "/ui/load", &report).await.map(|_| true)
    }

    /// Stops an in-process world gracefully: no new connections, idle ones closed, requests
    /// in flight given up to `grace` to finish (what `fedmock up` does on SIGTERM, so a
    /// balancer loses no request to a replica being stopped). Dropping stops at once.
    pub fn shutdown(mut self, grace: std::time::Duration) {
        if let World::InProcess(world) = &mut self.world {
            world.stop(grace);
        }
    }

    /// What a client needs to talk to this world, as `fedmock up` prints it.
    pub fn summary(&self) -> &WorldSummary {
        &self.summary
    }

    /// Whether the world runs in this process (its state is then readable directly).
    pub fn is_in_process(&self) -> bool {
        self.local().is_some()
    }

    /// The world's config as running, with `{okta}` resolved; `None` for a world elsewhere.
    pub fn config(&self) -> Option<&FederationConfig> {
        self.local().map(|w| &w.config)
    }

    /// The running Okta org (servers, keys, clients, users); `None` for a world elsewhere.
    pub fn okta(&self) -> Option<&Arc<OktaState>> {
        self.local().map(|w| &w.okta)
    }

    /// The running AWS account (providers, pools, identities); `None` for a world elsewhere.
    pub fn cognito(&self) -> Option<&Arc<CognitoState>> {
        self.local().map(|w| &w.cognito)
    }

    /// The one clock of the world: freeze, advance or skew it and both mocks follow.
    pub fn clock(&self) -> WorldClock<'_> {
        WorldClock { fed: self }
    }

    /// mock-okta's base URL, also the org authorization server's issuer.
    pub fn okta_url(&self) -> &str {
        &self.summary.okta_url
    }

    /// The issuer of the world's default authorization server (`…/oauth2/default`).
    pub fn issuer(&self) -> &str {
        &self.summary.issuer
    }

    /// The issuer of authorization server `id` (`org` for the org server).
    pub fn issuer_of(&self, id: &str) -> Option<String> {
        match self.local() {
            Some(world) => world.okta.server_by_key(id).map(|s| s.issuer.clone()),
            None if id == mock_okta::ORG => Some(self.summary.okta_url.clone()),
            None => Some(format!("{}/oauth2/{id}", self.summary.okta_url)),
        }
    }

    /// The id of the default authorization server (a custom server's id, or `org`).
    pub fn default_server_id(&self) -> &str {
        self.summary.default_server_id()
    }

    /// The token endpoint of the default authorization server.
    pub fn token_url(&self) -> &str {
        &self.summary.token_endpoint
    }

    /// The world's first client's id.
    pub fn client_id(&self) -> &str {
        &self.summary.client_id
    }

    /// The world's first client's secret.
    pub fn client_secret(&self) -> &str {
        &self.summary.client_secret
    }

    /// The world's first user's login and password.
    pub fn user(&self) -> (&str, &str) {
        (&self.summary.username, &self.summary.password)
    }

    /// The URL an AWS SDK's `endpoint_url` takes.
    pub fn cognito_endpoint(&self) -> &str {
        &self.summary.cognito_endpoint
    }

    /// The throw-away CA and its PEM file, when an in-process world serves HTTPS.
    pub fn tls(&self) -> Option<&TlsMaterial> {
        self.local().and_then(|w| w.tls.as_deref())
    }

    /// The AWS region.
    pub fn region(&self) -> &str {
        &self.summary.region
    }

    /// The AWS account id.
    pub fn account_id(&self) -> &str {
        &self.summary.account_id
    }

    /// The id of the world's first identity pool.
    pub fn pool_id(&self) -> &str {
        &self.summary.identity_pool_id
    }

    /// The `Logins` key for the default issuer: the issuer without its scheme.
    pub fn logins_key(&self) -> &str {
        &self.summary.logins_key
    }

    /// The HTTP client that reaches this world (trusting its throw-away CA, if any).
    fn http(&self) -> Result<&HttpClient, Error> {
        if let Some(client) = self.http.get() {
            return Ok(client);
        }
        let ca = match self.local() {
            Some(world) => world.tls.as_ref().map(|t| t.ca_pem().to_owned()),
            None => self.summary.ca_file.as_ref().and_then(|f| std::fs::read_to_string(f).ok()),
        };
        let client =
            HttpClient::new(ca.as_deref(), Duration::from_secs(5), Duration::from_secs(60))
                .map_err(Error::Http)?;
        Ok(self.http.get_or_init(|| client))
    }

    /// Sends a request to the world; its answer.
    async fn call(
        &self,
        method: Method,
        url: &str,
        headers: &[(HeaderName, HeaderValue)],
        body: Vec<u8>,
    ) -> Result<Answer, Error> {
        self.http()?.send(method, url, headers, body.into()).await.map_err(Error::Http)
    }

    /// Asks mock-okta's token endpoint for tokens over HTTP, as an application would. A world
    /// elsewhere only knows the summary's client secret.
    pub async fn token(&self, request: TokenRequest) -> Result<TokenResponse, Error> {
        let server_id = request.server.as_deref().unwrap_or(self.default_server_id());
        let endpoint = match self.local() {
            Some(world) => world
                .okta
                .server_by_key(server_id)
                .ok_or_else(|| Error::Config(format!("no authorization server {server_id:?}")))?
                .token_endpoint(),
            None if server_id == mock_okta::ORG => {
                format!("{}/oauth2/v1/token", self.summary.okta_url)
            }
            None => format!("{}/oauth2/{server_id}/v1/token", self.summary.okta_url),
        };
        let (client_id, secret, method) = match (self.local(), request.client_id.as_deref()) {
            (Some(world), id) => {
                let client = match id {
                    Some(id) => world.okta.client(id),
                    None => world.okta.first_client(),
                };
                let client = client.ok_or_else(|| {
                    Error::Config(format!("no client {:?}", id.unwrap_or("(first)")))
                })?;
                (
                    client.client_id.clone(),
                    client.client_secret.clone(),
                    client.token_endpoint_auth_method,
                )
            }
            (None, Some(id)) if id != self.summary.client_id => {
                return Err(Error::Config(format!(
                    "a world elsewhere only has its summary's client ({}) with a known secret, not {id:?}",
                    self.summary.client_id
                )));
            }
            (None, _) => (
                self.summary.client_id.clone(),
                self.summary.client_secret.clone(),
                ClientAuthMethod::ClientSecretBasic,
            ),
        };
        let mut form = request.form.clone();
        let mut headers = vec![(header::CONTENT_TYPE, form_type())];
        match method {
            ClientAuthMethod::ClientSecretBasic => {
                let basic = B64.encode(format!("{client_id}:{secret}"));
                let value = HeaderValue::from_str(&format!("Basic {basic}")).map_err(|_| {
                    Error::Config(format!("client {client_id:?} cannot go in a header"))
                })?;
                headers.push((header::AUTHORIZATION, value));
            }
            ClientAuthMethod::ClientSecretPost => {
                form.push(("client_id".into(), client_id));
                form.push(("client_secret".into(), secret));
            }
            // A private_key_jwt client brings its own `client_assertion` (add it with
            // `TokenRequest::param`); a public client sends only its id.
            ClientAuthMethod::PrivateKeyJwt | ClientAuthMethod::None => {
                if !form.iter().any(|(k, _)| k == "client_id") {
                    form.push(("client_id".into(), client_id));
                }
            }
        }
        let body = serde_urlencoded::to_string(&form)
            .map_err(|e| Error::Config(format!("the token request cannot be encoded: {e}")))?;
        let answer = self.call(Method::POST, &endpoint, &headers, body.into_bytes()).await?;
        let body = answer.text();
        if !answer.status.is_success() {
            return Err(Error::TokenRefused { status: answer.status.as_u16(), body });
        }
        serde_json::from_str(&body)
            .map_err(|e| Error::Config(format!("unexpected token answer {body}: {e}")))
    }

    /// Signs a token directly, with any claims and any signing fault.
    pub async fn mint(&self, request: &mock_okta::MintRequest) -> Result<String, Error> {
        match self.local() {
            Some(world) => mock_okta::mint(&world.okta, request)
                .await
                .map_err(|e| Error::Config(e.to_string())),
            None => {
                let answer: Value = self.control(Method::POST, "/mint", request).await?;
                answer["token"]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| Error::Control(format!("mint answered {answer}")))
            }
        }
    }

    /// Switches Okta faults on (token and JWKS endpoint errors and delays, claim overrides,
    /// signing faults); `Faults::default()` switches them off.
    pub async fn set_okta_faults(&self, faults: mock_okta::Faults) -> Result<(), Error> {
        match self.local() {
            Some(world) => {
                faults.check().map_err(Error::Config)?;
                world.okta.set_faults(faults);
                Ok(())
            }
            None => self.control::<Value>(Method::PUT, "/faults", &faults).await.map(drop),
        }
    }

    /// Rotates the keys of authorization server `id` (`org` for the org server): a new key
    /// signs from now on, the old one stays published. Returns the new `kid`.
    pub async fn rotate_keys(&self, id: &str) -> Result<String, Error> {
        match self.local() {
            Some(world) => {
                let server = world
                    .okta
                    .server_by_key(id)
                    .ok_or_else(|| Error::Config(format!("no authorization server {id:?}")))?;
                let key = server.keys.rotate().await.map_err(mock_okta::Error::from)?;
                Ok(key.kid().to_owned())
            }
            None => {
                let path = format!("/servers/{id}/keys/rotate");
                let answer: Value = self.control(Method::POST, &path, &json!({})).await?;
                answer["active"]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| Error::Control(format!("rotate answered {answer}")))
            }
        }
    }

    /// A call to fedmock's control API on mock-okta's port; its JSON answer.
    async fn control<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &impl serde::Serialize,
    ) -> Result<T, Error> {
        let url = self.summary.control_url(path);
        let body = serde_json::to_vec(body).map_err(|e| Error::Control(e.to_string()))?;
        let mut headers =
            vec![(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))];
        if let Some(token) = &self.summary.control_token {
            let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|e| Error::Control(format!("the control token is not a header: {e}")))?;
            headers.push((header::AUTHORIZATION, bearer));
        }
        let answer = self.call(method, &url, &headers, body).await?;
        if !answer.status.is_success() {
            return Err(Error::Control(format!(
                "{url} answered {}: {}",
                answer.status,
                answer.text()
            )));
        }
        serde_json::from_slice(&answer.body)
            .map_err(|e| Error::Control(format!("{url} answered {}: {e}", answer.text())))
    }
}

fn form_type() -> HeaderValue {
    HeaderValue::from_static("application/x-www-form-urlencoded")
}

/// The world's clock, read and moved wherever the world runs: directly in process, through
/// mock-okta's `/__fedmock/clock` otherwise. Both mocks follow it.
#[derive(Debug, Clone, Copy)]
pub struct WorldClock<'f> {
    fed: &'f Federation,
}

impl WorldClock<'_> {
    /// The world's time, epoch seconds.
    pub async fn now(&self) -> Result<i64, Error> {
        self.change(ClockChange::default()).await
    }

    /// Moves the clock by `secs` (negative goes back); the new time.
    pub async fn advance(&self, secs: i64) -> Result<i64, Error> {
        self.change(ClockChange { advance: Some(secs), ..ClockChange::default() }).await
    }

    /// Stops the clock where it stands; the time.
    pub async fn freeze(&self) -> Result<i64, Error> {
        self.change(ClockChange { freeze: true, ..ClockChange::default() }).await
    }

    /// Stops the clock at `at` (epoch seconds).
    pub async fn freeze_at(&self, at: i64) -> Result<i64, Error> {
        self.change(ClockChange { freeze_at: Some(at), ..ClockChange::default() }).await
    }

    /// Lets a frozen clock run again from where it stands.
    pub async fn resume(&self) -> Result<i64, Error> {
        self.change(ClockChange { resume: true, ..ClockChange::default() }).await
    }

    /// Sets the offset from the system time, in seconds (0 undoes every move of a running
    /// clock).
    pub async fn set_offset(&self, secs: i64) -> Result<i64, Error> {
        self.change(ClockChange { offset: Some(secs), ..ClockChange::default() }).await
    }

    /// Applies `change` (its fields in their documented order); the new time.
    pub async fn change(&self, change: ClockChange) -> Result<i64, Error> {
        match self.fed.local() {
            Some(world) => {
                world.clock.apply(&change);
                Ok(world.clock.now())
            }
            None => {
                let answer: Value = if change == ClockChange::default() {
                    self.fed.control(Method::GET, "/clock", &json!({})).await?
                } else {
                    self.fed.control(Method::POST, "/clock", &change).await?
                };
                answer["now"]
                    .as_i64()
                    .ok_or_else(|| Error::Control(format!("the clock answered {answer}")))
            }
        }
    }
}

/// A token request for [`Federation::token`].
#[derive(Clone, Debug)]
pub struct TokenRequest {
    server: Option<String>,
    client_id: Option<String>,
    form: Vec<(String, String)>,
}

impl TokenRequest {
    /// The `password` grant for `login`, requesting `scope` (`openid` brings an ID token).
    pub fn password(login: &str, password: &str, scope: &str) -> Self {
        Self::new(&[
            ("grant_type", "password"),
            ("username", login),
            ("password", password),
            ("scope", scope),
        ])
    }

    /// The `client_credentials` grant with the server's default scopes.
    pub fn client_credentials() -> Self {
        Self::new(&[("grant_type", "client_credentials")])
    }

    fn new(form: &[(&str, &str)]) -> Self {
        let form = form.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Self { server: None, client_id: None, form }
    }

    /// Sends the request to custom server `id`, or `"org"` for the org server.
    pub fn server(mut self, id: &str) -> Self {
        self.server = Some(id.to_owned());
        self
    }

    /// Authenticates as client `id` (its configured method and secret).
    pub fn client(mut self, id: &str) -> Self {
        self.client_id = Some(id.to_owned());
        self
    }

    /// The form fields the request sends (grant, credentials, scope, extra parameters).
    pub fn form(&self) -> &[(String, String)] {
        &self.form
    }

    /// The authorization server it goes to, if chosen (`org` for the org server).
    pub fn server_id(&self) -> Option<&str> {
        self.server.as_deref()
    }

    /// Adds or replaces a form field.
    pub fn param(mut self, name: &str, value: &str) -> Self {
        self.form.retain(|(k, _)| k != name);
        self.form.push((name.to_owned(), value.to_owned()));
        self
    }
}

impl FederationBuilder {
    /// Replaces the whole world.
    pub fn config(mut self, config: FederationConfig) -> Self {
        self.settings.config = config;
        self
    }

    /// Replaces the whole world with one read from TOML.
    pub fn toml(self, text: &str) -> Result<Self, Error> {
        Ok(self.config(FederationConfig::from_toml(text)?))
    }

    /// Edits the Okta half of the world.
    pub fn okta(mut self, edit: impl FnOnce(&mut OktaConfig)) -> Self {
        edit(&mut self.settings.config.okta);
        self
    }

    /// Edits the AWS half of the world.
    pub fn aws(mut self, edit: impl FnOnce(&mut mock_cognito::CognitoConfig)) -> Self {
        edit(&mut self.settings.config.aws);
        self
    }

    /// Where mock-okta listens. Defaults to `127.0.0.1:0`.
    pub fn okta_addr(mut self, addr: SocketAddr) -> Self {
        self.settings.okta_addr = addr;
        self
    }

    /// Where mock-cognito listens. Defaults to `127.0.0.1:0`.
    pub fn cognito_addr(mut self, addr: SocketAddr) -> Self {
        self.settings.cognito_addr = addr;
        self
    }

    /// Threads serving requests. Defaults to 1, plenty for a test; more for load.
    pub fn worker_threads(mut self, n: usize) -> Self {
        self.settings.worker_threads = n.max(1);
        self
    }

    /// The world's clock. Defaults to the system time.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.settings.clock = clock;
        self
    }

    /// Serves both mocks over HTTPS with a throw-away CA ([`Federation::tls`]).
    pub fn tls(mut self) -> Self {
        self.settings.tls = true;
        self
    }

    /// Bounds on connections: how many may be open per port, how long a request's headers may
    /// take. Defaults: [`crate::Limits::default`].
    pub fn limits(mut self, limits: crate::Limits) -> Self {
        self.settings.limits = limits;
        self
    }

    /// Serves the web console at `/__fedmock/ui` on mock-okta's port, its feed keeping the
    /// last [`crate::console::CAPACITY`] exchanges.
    pub fn console(self) -> Self {
        self.console_capacity(crate::console::CAPACITY)
    }

    /// Serves the web console, its feed keeping the last `exchanges`.
    pub fn console_capacity(mut self, exchanges: usize) -> Self {
        self.settings.console = Some(exchanges);
        self
    }

    /// Binds both sockets and starts serving in this process.
    pub async fn start(self) -> Result<Federation, Error> {
        let world = InProcess::start(self.settings)?;
        let summary = world.summary()?;
        Ok(Federation { summary, world: World::InProcess(Box::new(world)), http: OnceLock::new() })
    }
}
