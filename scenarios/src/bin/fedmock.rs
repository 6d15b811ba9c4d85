//! `fedmock`: run a fake Okta and a fake Cognito Identity endpoint from the command line, and
//! run federation scenarios against them. It lives in the `scenarios` crate because `run`
//! needs the scenario runner, which needs the harness.
//!
//! `fedmock up` starts the default world (or `--config FILE`) on fixed ports, prints what a
//! client needs, optionally writes it as JSON to `--ready-file` once both servers accept
//! connections, and stops cleanly on Ctrl-C or SIGTERM. `fedmock image` puts this very binary
//! in a container image, and `fedmock run --container IMAGE` runs scenarios in containers of it.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use harness::{DEFAULT_WORLD_TOML, Federation, FederationConfig, WorldSummary};

#[derive(Parser, Debug)]
#[command(
    name = "fedmock",
    version,
    about = "Okta → AWS Cognito Identity federation, without Okta or AWS"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start mock Okta and mock Cognito with a world (the embedded default unless --config).
    Up(UpArgs),
    /// Print the embedded default world, a starting point for --config.
    DefaultWorld,
    /// Run scenario files or folders of them, each in its own world, through real clients.
    Run(RunArgs),
    /// Explain, check by check, what Cognito does with a token in Logins (offline).
    Explain(ExplainArgs),
    /// Print the JSON Schema of scenario files (scenarios/scenario.schema.json).
    Schema,
    /// Build a container image holding this fedmock binary (Linux, Docker engine needed; pulls
    /// nothing). Its containers run `fedmock up` on ports 8400 and 8401.
    Image(ImageArgs),
}

#[derive(clap::Args, Debug)]
struct ImageArgs {
    /// The image's name and tag.
    #[arg(long, default_value = "fedmock:latest")]
    tag: String,
}

#[derive(clap::Args, Debug)]
struct ExplainArgs {
    /// The token (a real Okta token works: nothing is fetched).
    #[arg(long, conflicts_with = "token_file", required_unless_present_any = ["token_file", "scenario"])]
    token: Option<String>,
    /// Instead of a token: a scenario file, run in a world of its own up to `--step`, whose
    /// Logins are explained against that world at that moment.
    #[arg(long, requires = "step", conflicts_with_all = ["token", "token_file", "config", "pool_json"])]
    scenario: Option<PathBuf>,
    /// With `--scenario`: the step (its `id`, or `step N`).
    #[arg(long, requires = "scenario")]
    step: Option<String>,
    /// A file holding the token.
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// The Logins key the app sends. Defaults to the token's iss without its scheme.
    #[arg(long)]
    logins_key: Option<String>,
    /// A world file; defaults to the embedded default world.
    #[arg(long, conflicts_with_all = ["pool_json", "provider_json"])]
    config: Option<PathBuf>,
    /// The base URL that `{okta}` stands for in the world.
    #[arg(long, default_value = "http://127.0.0.1:8400")]
    okta: String,
    /// The pool to explain against. Defaults to the world's first.
    #[arg(long)]
    pool: Option<String>,
    /// `aws cognito-identity describe-identity-pool` output, for a real configuration.
    #[arg(long, requires = "provider_json")]
    pool_json: Option<PathBuf>,
    /// `aws iam get-open-id-connect-provider` output, for a real configuration.
    #[arg(long, requires = "pool_json")]
    provider_json: Option<PathBuf>,
    /// The time to judge expiry at (epoch seconds). Defaults to now.
    #[arg(long)]
    now: Option<i64>,
    /// Explain STS `AssumeRoleWithWebIdentity` with the token instead of a Cognito `Logins`
    /// entry: STS's checks against the world's IAM OIDC providers.
    #[arg(long, conflicts_with_all = ["pool_json", "provider_json", "logins_key", "pool"])]
    sts: bool,
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Scenario files (`.toml`) or folders holding them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Clients to run Cognito/STS steps through (comma-separated): rust, js-v2, js-v3, boto3,
    /// aws-cli. A client whose runtime is missing is reported as skipped with its install command.
    /// Defaults to each scenario's `clients`, else rust.
    #[arg(long, value_delimiter = ',')]
    clients: Option<Vec<String>>,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write the results as JUnit XML here, for CI systems.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Run against endpoints already running, described by `fedmock up --ready-file`'s JSON,
    /// instead of a world per scenario. Scenarios then run one at a time; those with a
    /// `[world]` of their own are skipped.
    #[arg(long, value_name = "READY_FILE", conflicts_with = "container")]
    against: Option<PathBuf>,
    /// Run each scenario, per client, in a container of this image (see `fedmock image`)
    /// started with the scenario's world and removed afterwards.
    #[arg(long, value_name = "IMAGE")]
    container: Option<String>,
}

#[derive(clap::Args, Debug)]
struct UpArgs {
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
fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // `up` logs every request; `run` and `explain` put what matters in their report, so the
    // servers' request log stays quiet unless FEDMOCK_LOG asks for it.
    let default_log = if matches!(cli.command, Command::Up(_)) { "info" } else { "warn" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FEDMOCK_LOG")
                .unwrap_or_else(|_| default_log.into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match cli.command {
        Command::Schema => {
            println!("{:#}", scenarios::Scenario::json_schema());
            Ok(())
        }
        Command::DefaultWorld => {
            print!("{DEFAULT_WORLD_TOML}");
            Ok(())
        }
        Command::Up(args) => {
            tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(up(args))
        }
        Command::Image(args) => {
            let (name, tag) = split_reference(&args.tag);
            let binary = std::env::current_exe().context("finding this binary")?;
            let image = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(harness::container::build_image(&binary, name, tag))?;
            println!("built {}", image.reference());
            println!("run it:  docker run --rm -p 8400:8400 -p 8401:8401 {}", image.reference());
            Ok(())
        }
        Command::Explain(args) => {
            if let (Some(file), Some(step)) = (&args.scenario, &args.step) {
                let shown = file.display().to_string();
                let text =
                    std::fs::read_to_string(file).with_context(|| format!("reading {shown}"))?;
                let scenario = scenarios::Scenario::parse(&shown, &text)?;
                let report = tokio::runtime::Builder::new_multi_thread()
                    .enable_all()
                    .build()?
                    .block_on(scenarios::explain_step(&shown, &scenario, step))?;
                print!("{report}");
                return Ok(());
            }
            print!("{}", explain(args)?);
            Ok(())
        }
        Command::Run(args) => {
            let passed = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(run(args))?;
            if !passed {
                std::process::exit(1);
            }
            Ok(())
        }
    }
}

async fn up(args: UpArgs) -> anyhow::Result<()> {
    let stdout_ready = args.ready_file.as_ref().is_some_and(|path| path.as_os_str() == "-");
    let config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            FederationConfig::from_toml(&text).with_context(|| format!("in {}", path.display()))?
        }
        None => FederationConfig::default_world(),
    };
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
    print!("{}", render(&summary));
    // The sockets are bound and listening before `start` returns: connections are accepted
    // from now on, so readiness can be announced at once.
    let ready_file = args.ready_file.filter(|path| path.as_os_str() != "-");
    match &ready_file {
        Some(path) => {
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, serde_json::to_vec_pretty(&summary)?)?;
            std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
        }
        None if stdout_ready => {
            println!("{}", serde_json::to_string(&summary)?);
            std::io::Write::flush(&mut std::io::stdout())?;
        }
        None => {}
    }
    wait_for_stop().await;
    eprintln!("fedmock: stopping");
    drop(fed);
    if let Some(path) = &ready_file {
        std::fs::remove_file(path).ok();
    }
    Ok(())
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler installs");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await.ok();
}

/// `name:tag` (a registry host's port is part of the name), `latest` when no tag is given.
fn split_reference(reference: &str) -> (&str, &str) {
    match reference.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, tag),
        _ => (reference, "latest"),
    }
}

/// The world `explain` judges against (`--config`, else the default world), as mock-cognito
/// holds it.
fn world_state(
    args: &ExplainArgs,
    now: i64,
) -> anyhow::Result<(FederationConfig, harness::mock_cognito::CognitoState)> {
    let mut world = match &args.config {
        Some(path) => FederationConfig::from_toml(&std::fs::read_to_string(path)?)
            .with_context(|| format!("in {}", path.display()))?,
        None => FederationConfig::default_world(),
    };
    world.resolve(args.okta.trim_end_matches('/'));
    let cognito = harness::mock_cognito::CognitoState::new(
        world.aws.clone(),
        harness::mock_cognito::Clock::from_fn(move || now),
    )?;
    Ok((world, cognito))
}

fn explain(args: ExplainArgs) -> anyhow::Result<String> {
    use harness::mock_cognito::verify::{Provider, strip_scheme};
    let token = match (&args.token, &args.token_file) {
        (Some(token), _) => token.trim().to_owned(),
        (None, Some(file)) => std::fs::read_to_string(file)
            .with_context(|| format!("reading {}", file.display()))?
            .trim()
            .to_owned(),
        (None, None) => anyhow::bail!("give --token or --token-file"),
    };
    let iss = harness::mock_cognito::verify::unverified_claims(&token)
        .and_then(|c| c.get("iss").and_then(|i| i.as_str()).map(str::to_owned));
    let key = args
        .logins_key
        .clone()
        .or_else(|| iss.as_deref().map(|i| strip_scheme(i).to_owned()))
        .unwrap_or_default();
    let now = args.now.unwrap_or_else(|| harness::Clock::system().now());
    let trusted: Result<Provider, Vec<String>> = match (&args.pool_json, &args.provider_json) {
        (Some(pool_file), Some(provider_file)) => {
            let read = |path: &PathBuf| -> anyhow::Result<serde_json::Value> {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                serde_json::from_str(&text)
                    .with_context(|| format!("{} is not JSON", path.display()))
            };
            let (pool, provider) = (read(pool_file)?, read(provider_file)?);
            let strings = |v: &serde_json::Value| -> Vec<String> {
                v.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            };
            let arns = strings(&pool["OpenIdConnectProviderARNs"]);
            // get-open-id-connect-provider shows the URL without its scheme.
            let name = provider["Url"].as_str().unwrap_or_default().to_owned();
            let trusted_names: Vec<String> = arns
                .iter()
                .filter_map(|a| a.split_once(":oidc-provider/").map(|(_, n)| n.to_owned()))
                .collect();
            if name == key && trusted_names.contains(&name) {
                let arn = arns.iter().find(|a| a.ends_with(&name)).cloned().unwrap_or_default();
                Ok(Provider {
                    url: format!("https://{name}"),
                    name,
                    arn,
                    client_ids: strings(&provider["ClientIDList"]),
                    thumbprints: vec![],
                    created: 0,
                })
            } else {
                Err(trusted_names)
            }
        }
        _ => {
            let (world, cognito) = world_state(&args, now)?;
            if args.sts {
                let checks = harness::mock_cognito::explain::explain_web_identity(
                    &token,
                    &cognito.providers(),
                    now,
                );
                return Ok(harness::mock_cognito::explain::render_web_identity(&checks));
            }
            let pool_id = args
                .pool
                .clone()
                .or_else(|| world.aws.identity_pools.first().and_then(|p| p.id.clone()))
                .context("the world has no identity pool")?;
            let pool =
                cognito.pool(&pool_id).with_context(|| format!("no identity pool {pool_id}"))?;
            cognito.trusted_provider(&pool, &key)
        }
    };
    let checks = harness::mock_cognito::explain::explain(
        &key,
        &token,
        trusted.as_ref().map_err(Clone::clone),
        now,
    );
    Ok(harness::mock_cognito::explain::render(&key, &checks))
}

async fn run(args: RunArgs) -> anyhow::Result<bool> {
    let chosen = args
        .clients
        .iter()
        .flatten()
        .map(|name| {
            scenarios::Client::from_name(name).ok_or_else(|| {
                let known: Vec<&str> = scenarios::Client::ALL.iter().map(|c| c.name()).collect();
                anyhow::anyhow!("unknown client {name:?}; known: {}", known.join(", "))
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let files = scenarios::scenario_files(&args.paths)?;
    let image = args.container.as_deref().map(|reference| {
        let (name, tag) = split_reference(reference);
        harness::container::FedmockImage::new(name, tag)
    });
    let against: Option<WorldSummary> = match &args.against {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Some(serde_json::from_str(&text).with_context(|| {
                format!("{} is not a `fedmock up --ready-file` summary", path.display())
            })?)
        }
        None => None,
    };
    let mut reports = Vec::new();
    let mut runs = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        let name = file
            .file_stem()
            .map_or_else(|| file.display().to_string(), |s| s.to_string_lossy().into_owned());
        let shown = file.display().to_string();
        let scenario = scenarios::Scenario::parse(&shown, &text)?;
        let clients = if chosen.is_empty() { scenario.default_clients() } else { chosen.clone() };
        if let Some(image) = &image {
            // A container per scenario and client, with the scenario's world.
            let image = image.clone();
            runs.push(tokio::spawn(async move {
                scenarios::run_in_container(&name, &shown, &scenario, &clients, &image).await
            }));
            continue;
        }
        if let Some(summary) = &against {
            // One running world: one scenario at a time.
            reports
                .extend(scenarios::run_against(&name, &shown, &scenario, &clients, summary).await?);
            continue;
        }
        // Scenarios run in parallel, each in worlds of its own.
        runs.push(tokio::spawn(
            async move { scenarios::run(&name, &shown, &scenario, &clients).await },
        ));
    }
    for run in runs {
        reports.extend(run.await??);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        print!(
            "{}",
            scenarios::render_for_terminal(
                &reports,
                std::io::IsTerminal::is_terminal(&std::io::stdout())
            )
        );
    }
    if let Some(path) = &args.junit {
        std::fs::write(path, scenarios::junit(&reports))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(!reports.iter().any(scenarios::ScenarioReport::failed))
}

fn render(s: &WorldSummary) -> String {
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
