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
}

pub async fn up(args: UpArgs) -> anyhow::Result<()> {
    let config = super::world(args.config.as_ref())?;
    let mut builder = Federation::builder();
    if args.tls {
        builder = builder.tls();
    }
    let fed = builder
        .config(config)
        .okta_addr(SocketAddr::new(args.host, args.okta_port))
        .cognito_addr(SocketAddr::new(args.host, args.cognito_port))
        .worker_threads(args.threads)
        .start()
        .await?;
    let summary = fed.summary();
    print!("{}", banner(summary));
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
    eprintln!("fedmock: stopping");
    drop(fed);
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
