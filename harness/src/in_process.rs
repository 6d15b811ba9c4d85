//! A world in this process: both mocks on a thread of their own with their own tokio runtime,
//! stopped when dropped.
//!
//! Running the servers on a thread of their own (as wiremock does) means the caller's
//! runtime flavour does not matter and a test can never starve them. Start-up does no crypto
//! and no I/O beyond binding two sockets, so every test can own a world.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;

use mock_cognito::CognitoState;
use mock_okta::{Clock, OktaState};
use std::time::Duration;

use tokio::sync::{oneshot, watch};

use crate::connections::{self, Limits};
use crate::console::Console;
use crate::tls::TlsMaterial;
use crate::{Error, FederationConfig, WorldSummary};

/// How to start an in-process world.
#[derive(Debug)]
pub(crate) struct Settings {
    pub config: FederationConfig,
    pub okta_addr: SocketAddr,
    pub cognito_addr: SocketAddr,
    pub worker_threads: usize,
    pub clock: Clock,
    pub tls: bool,
    pub limits: Limits,
    /// Serve the web console, keeping this many exchanges in its feed.
    pub console: Option<usize>,
}

/// Both mocks running in this process.
#[derive(Debug)]
pub(crate) struct InProcess {
    pub config: FederationConfig,
    pub okta: Arc<OktaState>,
    pub cognito: Arc<CognitoState>,
    pub clock: Clock,
    pub tls: Option<Arc<TlsMaterial>>,
    pub console: Option<Arc<Console>>,
    cognito_addr: SocketAddr,
    /// Stops both servers: at once when dropped, or gracefully ([`InProcess::stop`]).
    servers: Option<ServerThread>,
}

impl InProcess {
    /// Binds both sockets and starts serving.
    pub fn start(settings: Settings) -> Result<Self, Error> {
        let okta_listener = bind(settings.okta_addr)?;
        let cognito_listener = bind(settings.cognito_addr)?;
        let okta_addr = okta_listener.local_addr()?;
        let cognito_addr = cognito_listener.local_addr()?;
        let mut config = settings.config;
        config.spread_seed();
        if let Some(seed) = config.aws.seed.clone()
            && config.aws.openid_signing_key_pem.is_none()
        {
            // Derived now rather than on first use: the one start-up cost a seed brings.
            let der = mock_okta::seeded_rsa_pkcs8(&format!("{seed}/cognito/openid"))
                .map_err(mock_okta::Error::from)?;
            config.aws.openid_signing_key_pem =
                Some(pem::encode(&pem::Pem::new("PRIVATE KEY", der)));
        }
        let tls = if settings.tls { Some(Arc::new(TlsMaterial::generate()?)) } else { None };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let okta_base = config
            .okta
            .base_url
            .clone()
            .unwrap_or_else(|| format!("{scheme}://{}", reachable(okta_addr)));
        let okta =
            Arc::new(OktaState::new(config.okta.clone(), &okta_base, settings.clock.clone())?);
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
        let shared = settings.clock.clone();
        let cognito_clock = mock_cognito::Clock::from_fn(move || shared.now());
        let cognito = Arc::new(CognitoState::new(config.aws.clone(), cognito_clock)?);
        let console = settings.console.map(|capacity| {
            Console::new(Arc::clone(&okta), Arc::clone(&cognito), config.clone(), capacity)
        });
        let okta_app = mock_okta::router_with_console(
            Arc::clone(&okta),
            settings.limits.body_timeout,
            console.as_ref().map(Console::router),
        );
        let cognito_app =
            mock_cognito::router_with(Arc::clone(&cognito), settings.limits.body_timeout);
        let servers = ServerThread::spawn(
            settings.worker_threads,
            okta_listener,
            cognito_listener,
            okta_app,
            cognito_app,
            tls.clone(),
            settings.limits,
        )?;
        let world = Self {
            config,
            okta,
            cognito,
            clock: settings.clock,
            tls,
            console,
            cognito_addr: reachable(cognito_addr),
            servers: Some(servers),
        };
        if let Some(console) = &world.console {
            console.set_summary(world.summary()?);
        }
        Ok(world)
    }

    /// Stops accepting connections and gives requests in flight up to `grace` to finish.
    pub fn stop(&mut self, grace: Duration) {
        if let Some(console) = &self.console {
            // Open live feeds would hold a graceful stop for the whole grace period.
            console.close();
        }
        if let Some(servers) = self.servers.take() {
            servers.stop(grace);
        }
    }

    /// The authorization server a token request goes to by default: the world's first
    /// custom server, else the org server.
    pub fn default_server(&self) -> &mock_okta::AuthServer {
        let id = self.config.okta.servers.first().map(|s| s.id.as_str());
        id.and_then(|id| self.okta.server(id)).unwrap_or(&self.okta.org)
    }

    /// What a client needs to talk to this world.
    pub fn summary(&self) -> Result<WorldSummary, Error> {
        let server = self.default_server();
        let client = self.config.okta.clients.first().ok_or_else(|| {
            Error::Config("the world has no Okta client ([[okta.clients]])".into())
        })?;
        let user =
            self.config.okta.users.first().ok_or_else(|| {
                Error::Config("the world has no Okta user ([[okta.users]])".into())
            })?;
        let pool = self.config.aws.identity_pools.first().ok_or_else(|| {
            Error::Config("the world has no identity pool ([[aws.identity_pools]])".into())
        })?;
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        let admin = self.config.aws.access_keys.first();
        Ok(WorldSummary {
            okta_url: self.okta.base_url.clone(),
            issuer: server.issuer.clone(),
            discovery_url: format!("{}/.well-known/openid-configuration", server.issuer),
            jwks_uri: format!("{}/keys", server.endpoint_base),
            token_endpoint: server.token_endpoint(),
            client_id: client.client_id.clone(),
            client_secret: client.client_secret.clone(),
            username: user.login.clone(),
            password: user.password.clone(),
            cognito_endpoint: self
                .config
                .aws
                .endpoint_url
                .clone()
                .unwrap_or_else(|| format!("{scheme}://{}", self.cognito_addr)),
            region: self.cognito.region.clone(),
            account_id: self.cognito.account_id.clone(),
            identity_pool_id: pool.pool_id(&self.cognito.account_id, &self.cognito.region),
            logins_key: mock_cognito::strip_scheme(&server.issuer).to_owned(),
            ca_file: self.tls.as_ref().map(|t| t.ca_path().display().to_string()),
            admin_access_key_id: admin.map(|k| k.access_key_id.clone()),
            admin_secret_access_key: admin.map(|k| k.secret_access_key.clone()),
            control_token: self.okta.control_token().map(str::to_owned),
            console: self.console.is_some(),
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

/// The thread that runs both servers; dropping it stops them at once and frees the ports,
/// [`ServerThread::stop`] lets requests in flight finish first.
#[derive(Debug)]
struct ServerThread {
    stop: Option<oneshot::Sender<Duration>>,
    thread: Option<JoinHandle<()>>,
}

impl ServerThread {
    fn spawn(
        workers: usize,
        okta_listener: TcpListener,
        cognito_listener: TcpListener,
        okta_app: axum::Router,
        cognito_app: axum::Router,
        tls: Option<Arc<TlsMaterial>>,
        limits: Limits,
    ) -> Result<Self, Error> {
        let runtime = if workers <= 1 {
            tokio::runtime::Builder::new_current_thread().enable_all().build()?
        } else {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .thread_name("fedmock-servers")
                .enable_all()
                .build()?
        };
        let (stop, stopped) = oneshot::channel::<Duration>();
        let thread =
            std::thread::Builder::new().name("fedmock-servers".into()).spawn(move || {
                runtime.block_on(async move {
                    let (draining, drain) = watch::channel(false);
                    let serve = serve_both(
                        okta_listener,
                        cognito_listener,
                        okta_app,
                        cognito_app,
                        tls,
                        limits,
                        drain,
                    );
                    tokio::pin!(serve);
                    tokio::select! {
                        result = &mut serve => if let Err(err) = result {
                            tracing::error!(%err, "fedmock servers stopped");
                        },
                        grace = stopped => {
                            let grace = grace.unwrap_or_default();
                            if !grace.is_zero() {
                                // Stop accepting, close idle connections, let requests in
                                // flight finish: a balancer's retry goes to another replica.
                                draining.send_replace(true);
                                if tokio::time::timeout(grace, serve).await.is_err() {
                                    tracing::warn!(?grace, "requests still in flight after the grace period were dropped");
                                }
                            }
                        }
                    }
                });
                // Open keep-alive connections must not hold the ports: drop every task now.
                runtime.shutdown_background();
            })?;
        Ok(Self { stop: Some(stop), thread: Some(thread) })
    }

    /// Stops accepting connections and waits up to `grace` for requests in flight.
    fn stop(mut self, grace: Duration) {
        if let Some(stop) = self.stop.take() {
            stop.send(grace).ok();
        }
        // Drop joins the thread.
    }
}

async fn serve_both(
    okta_listener: TcpListener,
    cognito_listener: TcpListener,
    okta_app: axum::Router,
    cognito_app: axum::Router,
    tls: Option<Arc<TlsMaterial>>,
    limits: Limits,
    drain: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let okta_listener = tokio::net::TcpListener::from_std(okta_listener)?;
    let cognito_listener = tokio::net::TcpListener::from_std(cognito_listener)?;
    let tls = match tls {
        Some(tls) => Some(tls.server_config().map_err(std::io::Error::other)?),
        None => None,
    };
    tokio::join!(
        connections::serve(okta_listener, okta_app, tls.clone(), limits, drain.clone()),
        connections::serve(cognito_listener, cognito_app, tls, limits, drain),
    );
    Ok(())
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(Duration::ZERO).ok();
        }
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}
