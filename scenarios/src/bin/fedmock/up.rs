//! `fedmock up`: the world on fixed ports, what a client needs printed (with copy-paste
//! commands), a ready file once both servers accept connections, a clean stop on Ctrl-C or
//! SIGTERM.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context as _;
use harness::{Federation, WorldSummary};

#[derive(clap::Args, Debug)]
pub struct UpArgs {
    /// A world file (TOML); see `fedmock default-world`.
    #[arg(long, env = "FEDMOCK_CONFIG")]
    config: Option<PathBuf>,
    /// Address both servers listen on.
    #[arg(long, env = "FEDMOCK_HOST", default_value = "127.0.0.1")]
    host: IpAddr,
    /// mock-okta's port.
    #[arg(long, env = "FEDMOCK_OKTA_PORT", default_value_t = 8400)]
    okta_port: u16,
    /// mock-cognito's port.
    #[arg(long, env = "FEDMOCK_COGNITO_PORT", default_value_t = 8401)]
    cognito_port: u16,
    /// Write the endpoints and credentials as JSON here once both servers accept connections;
    /// `-` prints them as one JSON line on standard output instead (what a container's reader
    /// waits for).
    #[arg(long, env = "FEDMOCK_READY_FILE")]
    ready_file: Option<PathBuf>,
    /// Threads serving requests.
    #[arg(long, env = "FEDMOCK_THREADS", default_value_t = 2)]
    threads: usize,
    /// Serve HTTPS with a throw-away CA (its PEM file is printed, with the variables that make
    /// clients trust it).
    #[arg(long, env = "FEDMOCK_TLS")]
    tls: bool,
    /// Derive every secret of the exchange path (signing keys, Cognito's OpenID key, the
    /// credentials' sealing secret) from this text: replicas given the same world and seed
    /// answer as one. Overrides the world's `seed`.
    #[arg(long, env = "FEDMOCK_SEED")]
    seed: Option<String>,
    /// The URL clients reach mock-okta at (a balancer in front of replicas): every issuer,
    /// discovery document and JWKS URI names it, and mock-cognito fetches keys there, as AWS
    /// would. Overrides the world's `okta.base_url`.
    #[arg(long, env = "FEDMOCK_PUBLIC_URL")]
    public_url: Option<String>,
    /// The URL clients reach mock-cognito at, when it is not this process's own address
    /// (printed, in the ready file, in Cognito's discovery document). Overrides the world's
    /// `aws.endpoint_url`.
    #[arg(long, env = "FEDMOCK_PUBLIC_COGNITO_URL")]
    public_cognito_url: Option<String>,
    /// Connections open at once on each port; at the cap, new ones wait to be accepted.
    #[arg(long, env = "FEDMOCK_MAX_CONNECTIONS", default_value_t = 4096)]
    max_connections: usize,
    /// Seconds a client may take to send a request's headers (on a new or kept-alive
    /// connection) before the connection is closed.
    #[arg(long, env = "FEDMOCK_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    header_timeout_secs: u64,
    /// The token fedmock's control API (`/__fedmock/`) requires as `Authorization: Bearer`.
    /// Defaults to one made for this run (derived from the seed when there is one, so
    /// replicas share it). Overrides the world's `okta.control.token`.
    #[arg(long, env = "FEDMOCK_CONTROL_TOKEN", hide_env_values = true)]
    control_token: Option<String>,
    /// Open the control API to anyone who reaches the port: no token, no Origin or Host
    /// checks (fedmock's behaviour before it had them). Only on a machine you trust.
    #[arg(long, env = "FEDMOCK_INSECURE_CONTROL", conflicts_with = "control_token")]
    insecure_control: bool,
    /// A web app's origin (`http://localhost:3000`) the org trusts for CORS and redirects, as
    /// an Okta admin adds a Trusted Origin; repeatable, or comma-separated in the variable.
    #[arg(long = "trust-origin", env = "FEDMOCK_TRUST_ORIGINS", value_delimiter = ',')]
    trust_origins: Vec<String>,
    /// Seconds a client may take to send a request's body once its headers are in.
    #[arg(long, env = "FEDMOCK_BODY_TIMEOUT_SECS", default_value_t = 10)]
    body_timeout_secs: u64,
    /// Do not serve the web console at /__fedmock/ui on mock-okta's port.
    #[arg(long, env = "FEDMOCK_NO_CONSOLE")]
    no_console: bool,
    /// Seconds requests in flight get to finish after Ctrl-C or SIGTERM.
    #[arg(long, env = "FEDMOCK_GRACE_SECS", default_value_t = 10)]
    grace_secs: u64,
}

pub async fn up(args: UpArgs) -> anyhow::Result<()> {
    let mut config = super::world(args.config.as_ref())?;
    if let Some(seed) = args.seed {
        config.seed = Some(seed);
    }
    if let Some(url) = args.public_url {
        config.okta.base_url = Some(url.trim_end_matches('/').to_owned());
    }
    if let Some(token) = args.control_token {
        config.okta.control.token = Some(token);
    }
    for origin in args.trust_origins {
        config.okta.trusted_origins.push(harness::mock_okta::TrustedOriginConfig {
            name: origin.clone(),
            origin,
            scopes: vec![
                harness::mock_okta::OriginScope::Cors,
                harness::mock_okta::OriginScope::Redirect,
            ],
        });
    }
    let trusted: Vec<String> =
        config.okta.trusted_origins.iter().map(|t| t.origin.clone()).collect();
    if args.insecure_control {
        config.okta.control.insecure = true;
    }
    if let Some(url) = args.public_cognito_url {
        config.aws.endpoint_url = Some(url.trim_end_matches('/').to_owned());
    }
    let replica = config.seed.is_some() || config.okta.seed.is_some();
    let mut builder = Federation::builder();
    if args.tls {
        builder = builder.tls();
    }
    if !args.no_console {
        builder = builder.console();
    }
    let fed = builder
        .config(config)
        .okta_addr(SocketAddr::new(args.host, args.okta_port))
        .cognito_addr(SocketAddr::new(args.host, args.cognito_port))
        .worker_threads(args.threads)
        .limits(harness::Limits {
            max_connections: args.max_connections,
            header_timeout: std::time::Duration::from_secs(args.header_timeout_secs.max(1)),
            body_timeout: std::time::Duration::from_secs(args.body_timeout_secs.max(1)),
        })
        .start()
        .await?;
    if replica && let Some(okta) = fed.okta() {
        // Seeded keys take about a second each to derive: do it before announcing readiness,
        // so a balancer's first token requests do not wait on it (or time out on a busy host).
        for server in std::iter::once(&okta.org).chain(okta.servers()) {
            server.keys.all().await.context("deriving the seeded signing keys")?;
        }
    }
    let summary = fed.summary();
    print!("{}", banner(summary));
    if trusted.is_empty() {
        println!(
            "No Trusted Origins: pages on other origins get no CORS answers from Okta. Add your app's:\n  fedmock up --trust-origin http://localhost:3000\n"
        );
    } else {
        println!("Trusted Origins (CORS, redirects): {}\n", trusted.join(", "));
    }
    if replica {
        print!("{PER_REPLICA}");
    }
    // The sockets are bound and listening before `start` returns: connections are accepted
    // from now on, so readiness can be announced at once.
    let stdout_ready = args.ready_file.as_ref().is_some_and(|path| path.as_os_str() == "-");
    let ready_file = args.ready_file.filter(|path| path.as_os_str() != "-");
    if let Some(path) = &ready_file {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(summary)?)
            .with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    } else if stdout_ready {
        println!("{}", serde_json::to_string(summary)?);
        std::io::Write::flush(&mut std::io::stdout())?;
    }
    wait_for_stop().await?;
    eprintln!("fedmock: stopping (requests in flight get {}s)", args.grace_secs);
    fed.shutdown(std::time::Duration::from_secs(args.grace_secs));
    if let Some(path) = &ready_file {
        std::fs::remove_file(path).ok();
    }
    Ok(())
}

async fn wait_for_stop() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("installing the SIGTERM handler")?;
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await.ok();
    Ok(())
}

#[derive(clap::Args, Debug)]
pub struct HealthArgs {
    /// Health URLs to ask (plain HTTP).
    #[arg(default_values_t = [
        "http://127.0.0.1:8400/__fedmock/health".to_owned(),
        "http://127.0.0.1:8401/__fedmock/health".to_owned(),
    ])]
    urls: Vec<String>,
}

/// `fedmock health`: asks each URL with a bare HTTP/1.1 GET (two seconds each) and fails unless
/// all answer 200. Written by hand because the lean binary carries no HTTP client, and a probe
/// needs only a status line.
pub async fn health(args: HealthArgs) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    for url in &args.urls {
        let rest = url.strip_prefix("http://").with_context(|| {
            format!("{url}: only http:// URLs (probe an HTTPS fedmock from outside)")
        })?;
        let (authority, path) =
            rest.split_once('/').map_or((rest, "/"), |(a, _)| (a, &rest[a.len()..]));
        let ask = async {
            let mut stream = tokio::net::TcpStream::connect(authority).await?;
            let request =
                format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
            stream.write_all(request.as_bytes()).await?;
            let mut head = [0u8; 12];
            stream.read_exact(&mut head).await?;
            Ok::<_, std::io::Error>(head)
        };
        let head = tokio::time::timeout(std::time::Duration::from_secs(2), ask)
            .await
            .with_context(|| format!("{url}: no answer within 2 s"))?
            .with_context(|| format!("{url}: not reachable"))?;
        anyhow::ensure!(
            head.starts_with(b"HTTP/1.1 200"),
            "{url}: answered {}",
            String::from_utf8_lossy(&head).trim()
        );
    }
    println!("ready");
    Ok(())
}

/// What a seeded `fedmock up` adds to its banner: what replicas share and what they do not.
/// The same text is in docs/replicas.md.
const PER_REPLICA: &str = "
Seeded: replicas with this world and seed share keys, OpenID tokens and credentials.
Each replica keeps its own: admin changes made at run time (control API, IAM/Cognito admin
calls), identity links and merges, revocations, authorization codes and refresh tokens,
faults and the clock. Make such changes on every replica, or run one replica for tests that
need them. Health: GET /__fedmock/health on both ports.
";

/// What `fedmock up` prints: the world's facts and commands to paste.
fn banner(s: &WorldSummary) -> String {
    let rows = [
        ("Okta issuer", &s.issuer),
        ("  discovery", &s.discovery_url),
        ("  JWKS", &s.jwks_uri),
        ("  token endpoint", &s.token_endpoint),
        ("  client id", &s.client_id),
        ("  client secret", &s.client_secret),
        ("  user / password", &format!("{} / {}", s.username, s.password)),
        ("Cognito endpoint", &s.cognito_endpoint),
        ("  region", &s.region),
        ("  identity pool", &s.identity_pool_id),
        ("  Logins key", &s.logins_key),
    ];
    let mut out = String::from("fedmock is up\n\n");
    for (name, value) in rows {
        out.push_str(&format!("  {name:<18} {value}\n"));
    }
    if let Some(ca) = &s.ca_file {
        out.push_str(&format!(
            "\nHTTPS with a throw-away CA. Make clients trust it:\n  export NODE_EXTRA_CA_CERTS={ca} AWS_CA_BUNDLE={ca} REQUESTS_CA_BUNDLE={ca} SSL_CERT_FILE={ca}\n"
        ));
    }
    if let Some(console) = s.console_url() {
        out.push_str(&format!(
            "\nConsole (live exchanges, token inspector, clock and keys), open in a browser:\n  {console}\n"
        ));
    }
    match &s.control_token {
        Some(token) => out.push_str(&format!(
            "\nControl API (clock, keys, faults, mint), with the run's token:\n  curl -H 'Authorization: Bearer {token}' {okta}/__fedmock/clock\n",
            okta = s.okta_url
        )),
        None => out.push_str(
            "\nControl API: open to anyone who reaches the port (--insecure-control).\n",
        ),
    }
    out.push_str(&format!(
        r#"
Get an Okta access token (aud api://default):
  TOKEN=$(curl -s -u '{client_id}:{client_secret}' -d grant_type=password \
    -d username='{username}' -d password='{password}' -d scope=openid \
    {token_endpoint} | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

Trade it for AWS credentials with the AWS CLI:
  ID=$(aws cognito-identity get-id --endpoint-url {cognito} --region {region} --no-sign-request \
    --identity-pool-id {pool} --logins '{{"{key}":"'"$TOKEN"'"}}' --query IdentityId --output text)
  aws cognito-identity get-credentials-for-identity --endpoint-url {cognito} --region {region} \
    --no-sign-request --identity-id "$ID" --logins '{{"{key}":"'"$TOKEN"'"}}'

Ctrl-C stops.
"#,
        client_id = s.client_id,
        client_secret = s.client_secret,
        username = s.username,
        password = s.password,
        token_endpoint = s.token_endpoint,
        cognito = s.cognito_endpoint,
        region = s.region,
        pool = s.identity_pool_id,
        key = s.logins_key,
    ));
    out
}
