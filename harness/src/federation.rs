//! `Federation`: both mocks in-process, on their own thread and tokio runtime, stopped on drop.
//!
//! Running the servers on a thread of their own (as wiremock does) means the caller's
//! runtime flavour does not matter and a test can never starve them. Start-up does no crypto
//! and no I/O beyond binding two sockets, so every test can own a world.

use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_cognitoidentity::config::BehaviorVersion;
use aws_types::SdkConfig;
use aws_types::region::Region;
use mock_cognito::{CognitoConfig, CognitoState};
use mock_okta::{ClientAuthMethod, Clock, OktaConfig, OktaState, TokenResponse};
use serde::Serialize;
use tokio::sync::oneshot;

use crate::tls::TlsMaterial;
use crate::{Error, FederationConfig};

/// A running world: mock Okta and mock Cognito.
#[derive(Debug)]
pub struct Federation {
    config: FederationConfig,
    okta: Arc<OktaState>,
    cognito: Arc<CognitoState>,
    cognito_addr: SocketAddr,
    clock: Clock,
    http: OnceLock<reqwest::Client>,
    tls: Option<Arc<TlsMaterial>>,
    /// Held for its `Drop`, which stops both servers.
    _servers: ServerThread,
}
/// Edits a world before it starts.
#[derive(Debug)]
#[must_use = "a builder does nothing until .start()"]
pub struct FederationBuilder {
    config: FederationConfig,
    okta_addr: SocketAddr,
    cognito_addr: SocketAddr,
    worker_threads: usize,
    clock: Clock,
    tls: bool,
}

impl Federation {
    /// Starts the default world on ephemeral ports of `127.0.0.1`.
    ///
    /// # Panics
    /// If the sockets cannot be bound; use [`Federation::builder`] to handle that.
    pub async fn start() -> Self {
        Self::builder().start().await.expect("the default world starts")
    }

    /// A builder over the default world.
    pub fn builder() -> FederationBuilder {
        FederationBuilder {
            config: FederationConfig::default_world(),
            okta_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            cognito_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            worker_threads: 1,
            clock: Clock::system(),
            tls: false,
        }
    }

    /// The world as running, with `{okta}` resolved.
    pub fn config(&self) -> &FederationConfig {
        &self.config
    }

    /// The running Okta org (servers, keys, clients, users).
    pub fn okta(&self) -> &Arc<OktaState> {
        &self.okta
    }

    /// The running AWS account (providers, pools, identities).
    pub fn cognito(&self) -> &Arc<CognitoState> {
        &self.cognito
    }

    /// The one clock of the world: freeze, advance or skew it and both mocks follow.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// mock-okta's base URL, also the org authorization server's issuer.
    pub fn okta_url(&self) -> &str {
        &self.okta.base_url
    }

    /// The issuer of the world's first custom authorization server (`…/oauth2/default`).
    pub fn issuer(&self) -> &str {
        &self.default_server().issuer
    }

    /// The issuer of custom authorization server `id`.
    pub fn issuer_of(&self, id: &str) -> Option<&str> {
        self.okta.server(id).map(|s| s.issuer.as_str())
    }

    /// The token endpoint of the default authorization server.
    pub fn token_url(&self) -> String {
        format!("{}/token", self.default_server().endpoint_base)
    }

    /// The world's first client's id.
    pub fn client_id(&self) -> &str {
        &self.first_client().client_id
    }

    /// The world's first client's secret.
    pub fn client_secret(&self) -> &str {
        &self.first_client().client_secret
    }

    /// The world's first user's login and password.
    pub fn user(&self) -> (&str, &str) {
        let user = self.config.okta.users.first().expect("the world has a user");
        (&user.login, &user.password)
    }

    /// The URL an AWS SDK's `endpoint_url` takes.
    pub fn cognito_endpoint(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.cognito_addr)
    }

    /// The throw-away CA and its PEM file, when the world serves HTTPS.
    pub fn tls(&self) -> Option<&TlsMaterial> {
        self.tls.as_deref()
    }
    /// The AWS region.
    pub fn region(&self) -> &str {
        &self.cognito.region
    }

    /// The AWS account id.
    pub fn account_id(&self) -> &str {
        &self.cognito.account_id
    }

    /// The id of the world's first identity pool.
    pub fn pool_id(&self) -> &str {
        let pool = self.config.aws.identity_pools.first().expect("the world has an identity pool");
        pool.id.as_deref().expect("resolve() writes every pool id")
    }

    /// The `Logins` key for the default issuer: the issuer without its scheme.
    pub fn logins_key(&self) -> &str {
        mock_cognito::verify::strip_scheme(self.issuer())
    }

    /// An `SdkConfig` pointed at mock-cognito, with no credentials, as an application that
    /// federates has none: `GetId` and `GetCredentialsForIdentity` go unsigned.
    pub fn sdk_config(&self) -> SdkConfig {
        sdk_config(&self.cognito_endpoint(), self.region(), self.tls.as_ref().map(|t| t.ca_pem()))
    }
    /// An `SdkConfig` with (fake) developer credentials, for signed administrative calls.
    pub fn admin_sdk_config(&self) -> SdkConfig {
        let credentials =
            Credentials::new("AKIAFEDMOCKADMIN0000", "fedmock-admin-secret", None, None, "fedmock");
        self.sdk_config()
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .build()
    }

    /// A Cognito Identity client pointed at mock-cognito.
    pub fn cognito_client(&self) -> aws_sdk_cognitoidentity::Client {
        aws_sdk_cognitoidentity::Client::new(&self.sdk_config())
    }

    /// An STS client pointed at mock-cognito's endpoint, which also serves STS.
    pub fn sts_client(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.sdk_config())
    }

    /// An IAM client with developer credentials, pointed at mock-cognito's endpoint, which
    /// also serves IAM. IAM is global: its calls are signed for `us-east-1`.
    pub fn iam_client(&self) -> aws_sdk_iam::Client {
        let config =
            self.admin_sdk_config().into_builder().region(Region::new("us-east-1")).build();
        aws_sdk_iam::Client::new(&config)
    }

    /// Asks mock-okta's token endpoint for tokens over HTTP, as an application would.
    pub async fn token(&self, request: TokenRequest) -> Result<TokenResponse, Error> {
        let server = match &request.server {
            Some(id) if id == "org" => &self.okta.org,
            Some(id) => self
                .okta
                .server(id)
                .ok_or_else(|| Error::Config(format!("no authorization server {id:?}")))?,
            None => self.default_server(),
        };
        let client = match &request.client_id {
            Some(id) => {
                self.okta.client(id).ok_or_else(|| Error::Config(format!("no client {id:?}")))?
            }
            None => self.first_client(),
        };
        let mut form = request.form.clone();
        let http = self.http.get_or_init(|| {
            let mut builder = reqwest::Client::builder().no_proxy();
            if let Some(tls) = &self.tls {
                let ca = reqwest::Certificate::from_pem(tls.ca_pem().as_bytes())
                    .expect("our own CA parses");
                builder = builder.add_root_certificate(ca);
            }
            builder.build().expect("an HTTP client builds")
        });
        let call = http.post(format!("{}/token", server.endpoint_base));
        let call = match client.token_endpoint_auth_method {
            ClientAuthMethod::ClientSecretBasic => {
                call.basic_auth(&client.client_id, Some(&client.client_secret))
            }
            ClientAuthMethod::ClientSecretPost => {
                form.push(("client_id".into(), client.client_id.clone()));
                form.push(("client_secret".into(), client.client_secret.clone()));
                call
            }
            // A private_key_jwt client brings its own `client_assertion` (add it with
            // `TokenRequest::param`); a public client sends only its id.
            ClientAuthMethod::PrivateKeyJwt | ClientAuthMethod::None => {
                if !form.iter().any(|(k, _)| k == "client_id") {
                    form.push(("client_id".into(), client.client_id.clone()));
                }
                call
            }
        };
        let response = call.form(&form).send().await?;
        let status = response.status();
        let body = response.text().await?;
        if !status.is_success() {
            return Err(Error::TokenRefused { status: status.as_u16(), body });
        }
        serde_json::from_str(&body)
            .map_err(|e| Error::Config(format!("unexpected token answer {body}: {e}")))
    }

    /// Signs a token directly, with any claims and any signing fault (no HTTP).
    pub async fn mint(&self, request: &mock_okta::MintRequest) -> Result<String, Error> {
        mock_okta::mint(&self.okta, request).await.map_err(|e| Error::Config(e.to_string()))
    }

    /// Switches Okta faults on (token and JWKS endpoint errors and delays, claim overrides,
    /// signing faults); `Faults::default()` switches them off.
    pub fn set_okta_faults(&self, faults: mock_okta::Faults) {
        self.okta.set_faults(faults);
    }

    /// Rotates the keys of authorization server `id` (`org` for the org server): a new key
    /// signs from now on, the old one stays published. Returns the new `kid`.
    pub async fn rotate_keys(&self, id: &str) -> Result<String, Error> {
        let server = self
            .okta
            .server_by_key(id)
            .ok_or_else(|| Error::Config(format!("no authorization server {id:?}")))?;
        let key = server.keys.rotate().await.map_err(mock_okta::Error::from)?;
        Ok(key.kid().to_owned())
    }

    /// What a client needs to talk to this world, for printing or a ready file.
    pub fn summary(&self) -> WorldSummary {
        let server = self.default_server();
        let (login, password) = self.user();
        WorldSummary {
            okta_url: self.okta_url().to_owned(),
            issuer: server.issuer.clone(),
            discovery_url: format!("{}/.well-known/openid-configuration", server.issuer),
            jwks_uri: format!("{}/keys", server.endpoint_base),
            token_endpoint: self.token_url(),
            client_id: self.client_id().to_owned(),
            client_secret: self.client_secret().to_owned(),
            username: login.to_owned(),
            password: password.to_owned(),
            cognito_endpoint: self.cognito_endpoint(),
            region: self.region().to_owned(),
            account_id: self.account_id().to_owned(),
            identity_pool_id: self.pool_id().to_owned(),
            logins_key: self.logins_key().to_owned(),
            ca_file: self.tls().map(|t| t.ca_path().display().to_string()),
            admin_access_key_id: self
                .config
                .aws
                .access_keys
                .first()
                .map(|k| k.access_key_id.clone()),
            admin_secret_access_key: self
                .config
                .aws
                .access_keys
                .first()
                .map(|k| k.secret_access_key.clone()),
        }
    }

    fn default_server(&self) -> &mock_okta::AuthServer {
        let id = self.config.okta.servers.first().map(|s| s.id.as_str());
        id.and_then(|id| self.okta.server(id)).unwrap_or(&self.okta.org)
    }

    fn first_client(&self) -> &mock_okta::ClientConfig {
        self.config.okta.clients.first().expect("the world has a client")
    }
}

/// An `SdkConfig` for mock-cognito at `endpoint`, without credentials, trusting `ca_pem` if
/// given.
fn sdk_config(endpoint: &str, region: &str, ca_pem: Option<&str>) -> SdkConfig {
    let mut config = SdkConfig::builder()
        .endpoint_url(endpoint)
        .region(Region::new(region.to_owned()))
        .behavior_version(BehaviorVersion::latest());
    if let Some(pem) = ca_pem {
        use aws_smithy_http_client::tls::{
            Provider, TlsContext, TrustStore, rustls_provider::CryptoMode,
        };
        let trust = TrustStore::default().with_pem_certificate(pem.as_bytes());
        let context = TlsContext::builder()
            .with_trust_store(trust)
            .build()
            .expect("a PEM trust store builds");
        let client = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(context)
            .build_https();
        config = config.http_client(client);
    }
    config.build()
}

impl WorldSummary {
    /// An `SdkConfig` pointed at these endpoints with no credentials, as an application that
    /// federates has none (and trusting the throw-away CA when the world serves HTTPS).
    pub fn sdk_config(&self) -> SdkConfig {
        let ca = self.ca_file.as_ref().and_then(|path| std::fs::read_to_string(path).ok());
        sdk_config(&self.cognito_endpoint, &self.region, ca.as_deref())
    }

    /// The same, signed with the world's admin key, for administrative calls (`None` when the
    /// summary names no key).
    pub fn admin_sdk_config(&self) -> Option<SdkConfig> {
        let (Some(id), Some(secret)) = (&self.admin_access_key_id, &self.admin_secret_access_key)
        else {
            return None;
        };
        let credentials = Credentials::new(id, secret, None, None, "fedmock");
        Some(
            self.sdk_config()
                .into_builder()
                .credentials_provider(SharedCredentialsProvider::new(credentials))
                .build(),
        )
    }
}

/// The facts `fedmock up` prints and writes to `--ready-file`.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct WorldSummary {
    /// mock-okta's base URL.
    pub okta_url: String,
    /// The default authorization server's issuer.
    pub issuer: String,
    /// Its discovery document.
    pub discovery_url: String,
    /// Its JWKS.
    pub jwks_uri: String,
    /// Its token endpoint.
    pub token_endpoint: String,
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
    /// The user's login.
    pub username: String,
    /// The user's password.
    pub password: String,
    /// mock-cognito's endpoint URL.
    pub cognito_endpoint: String,
    /// The AWS region.
    pub region: String,
    /// The AWS account.
    pub account_id: String,
    /// The identity pool.
    pub identity_pool_id: String,
    /// The `Logins` key for tokens of the issuer.
    pub logins_key: String,
    /// The throw-away CA (PEM file) when serving HTTPS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// A developer key of the account, for signed (administrative) calls: what the runner
    /// reads the pool and its providers with to explain a refusal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_access_key_id: Option<String>,
    /// Its secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_secret_access_key: Option<String>,
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
        self.config = config;
        self
    }

    /// Replaces the whole world with one read from TOML.
    pub fn toml(self, text: &str) -> Result<Self, Error> {
        Ok(self.config(FederationConfig::from_toml(text)?))
    }

    /// Edits the Okta half of the world.
    pub fn okta(mut self, edit: impl FnOnce(&mut OktaConfig)) -> Self {
        edit(&mut self.config.okta);
        self
    }

    /// Edits the AWS half of the world.
    pub fn aws(mut self, edit: impl FnOnce(&mut CognitoConfig)) -> Self {
        edit(&mut self.config.aws);
        self
    }

    /// Where mock-okta listens. Defaults to `127.0.0.1:0`.
    pub fn okta_addr(mut self, addr: SocketAddr) -> Self {
        self.okta_addr = addr;
        self
    }

    /// Where mock-cognito listens. Defaults to `127.0.0.1:0`.
    pub fn cognito_addr(mut self, addr: SocketAddr) -> Self {
        self.cognito_addr = addr;
        self
    }

    /// Threads serving requests. Defaults to 1, plenty for a test; more for load.
    pub fn worker_threads(mut self, n: usize) -> Self {
        self.worker_threads = n.max(1);
        self
    }

    /// The world's clock. Defaults to the system time.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Serves both mocks over HTTPS with a throw-away CA ([`Federation::tls`]).
    pub fn tls(mut self) -> Self {
        self.tls = true;
        self
    }
    /// Binds both sockets and starts serving.
    pub async fn start(self) -> Result<Federation, Error> {
        let okta_listener = bind(self.okta_addr)?;
        let cognito_listener = bind(self.cognito_addr)?;
        let okta_addr = okta_listener.local_addr()?;
        let cognito_addr = cognito_listener.local_addr()?;
        let mut config = self.config;
        let tls = if self.tls { Some(Arc::new(TlsMaterial::generate()?)) } else { None };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let okta_base = config
            .okta
            .base_url
            .clone()
            .unwrap_or_else(|| format!("{scheme}://{}", reachable(okta_addr)));
        let okta = Arc::new(OktaState::new(config.okta.clone(), &okta_base, self.clock.clone())?);
        config.resolve(&okta.base_url);
        // Servers presenting a production issuer are really here: tell mock-cognito.
        for server in std::iter::once(&okta.org).chain(okta.servers()) {
            if server.issuer != server.local_issuer {
                config.aws.issuer_urls.insert(server.issuer.clone(), server.local_issuer.clone());
            }
        }
        if let Some(tls) = &tls {
            config.aws.trusted_ca_pem.get_or_insert_with(|| tls.ca_pem().to_owned());
        }
        config
            .aws
            .endpoint_url
            .get_or_insert_with(|| format!("{scheme}://{}", reachable(cognito_addr)));
        let shared = self.clock.clone();
        let cognito_clock = mock_cognito::Clock::from_fn(move || shared.now());
        let cognito = Arc::new(CognitoState::new(config.aws.clone(), cognito_clock)?);
        let servers = ServerThread::spawn(
            self.worker_threads,
            okta_listener,
            cognito_listener,
            Arc::clone(&okta),
            Arc::clone(&cognito),
            tls.clone(),
        )?;
        Ok(Federation {
            config,
            okta,
            cognito,
            cognito_addr: reachable(cognito_addr),
            clock: self.clock,
            http: OnceLock::new(),
            tls,
            _servers: servers,
        })
    }
}

fn bind(addr: SocketAddr) -> Result<TcpListener, Error> {
    let listener = TcpListener::bind(addr).map_err(|e| Error::Bind { addr, source: e })?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// A wildcard bind (`0.0.0.0`) is reached through loopback on this machine.
fn reachable(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() { SocketAddr::from(([127, 0, 0, 1], addr.port())) } else { addr }
}

/// The thread that runs both servers; dropping it stops them and frees the ports.
#[derive(Debug)]
struct ServerThread {
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ServerThread {
    fn spawn(
        workers: usize,
        okta_listener: TcpListener,
        cognito_listener: TcpListener,
        okta: Arc<OktaState>,
        cognito: Arc<CognitoState>,
        tls: Option<Arc<TlsMaterial>>,
    ) -> Result<Self, Error> {
        let runtime = if workers == 1 {
            tokio::runtime::Builder::new_current_thread().enable_all().build()?
        } else {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .enable_all()
                .build()?
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new().name("fedmock-servers".into()).spawn(move || {
            runtime.block_on(async move {
                                let serve = async {
                    let okta_app = mock_okta::router(okta);
                    let cognito_app = mock_cognito::router(cognito);
                    match tls {
                        Some(tls) => {
                            let config = tls.server_config().await?;
                            tokio::try_join!(
                                axum_server::from_tcp_rustls(okta_listener, config.clone())?
                                    .serve(okta_app.into_make_service()),
                                axum_server::from_tcp_rustls(cognito_listener, config)?
                                    .serve(cognito_app.into_make_service()),
                            )?;
                        }
                        None => {
                            let okta_listener = tokio::net::TcpListener::from_std(okta_listener)?;
                            let cognito_listener = tokio::net::TcpListener::from_std(cognito_listener)?;
                            tokio::try_join!(
                                axum::serve(okta_listener, okta_app).into_future(),
                                axum::serve(cognito_listener, cognito_app).into_future(),
                            )?;
                        }
                    }
                    std::io::Result::Ok(())
                };
                tokio::select! {
                    result = serve => if let Err(err) = result { tracing::error!(%err, "fedmock servers stopped") },
                    _ = stopped => {}
                }
            });
            // Open keep-alive connections must not hold the ports: drop every task now.
            runtime.shutdown_background();
        })?;
        Ok(Self { stop: Some(stop), thread: Some(thread) })
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}
