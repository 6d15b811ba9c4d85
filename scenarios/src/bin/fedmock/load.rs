//! `fedmock load`: arguments, the progress bar and the printing; the load itself is
//! `scenarios::load` (feature `load`).

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct LoadArgs {
    /// The exchange: enhanced (GetId, GetCredentialsForIdentity), basic (GetId,
    /// GetOpenIdToken, STS AssumeRoleWithWebIdentity), sts (the Okta token straight to STS), or
    /// get-id (GetId alone, to compare with a one-request tool such as wrk).
    #[arg(long, default_value = "enhanced", value_parser = ["enhanced", "basic", "sts", "get-id"])]
    flow: String,
    /// Where Okta tokens come from: mint (a fedmock world's; the default there),
    /// password or client-credentials (the token endpoint; the default elsewhere).
    #[arg(long, value_parser = ["mint", "password", "client-credentials"])]
    token: Option<String>,
    /// Exchanges per token before a new one is fetched (a token is also fetched again a minute
    /// before it expires).
    #[arg(long, default_value_t = 1)]
    token_reuse: u64,
    /// Distinct subjects to spread the load over (minted tokens), so the identity table grows
    /// as in production.
    #[arg(long, default_value_t = 1)]
    users: u64,
    /// Open model: exchanges per second at a constant arrival rate; latency counts from each
    /// exchange's intended start. Without it, the closed model (--concurrency).
    #[arg(long, conflicts_with = "concurrency")]
    rate: Option<f64>,
    /// Closed model: exchanges in flight, each user starting a new one when its last ends.
    #[arg(long, default_value_t = 8)]
    concurrency: u64,
    /// Seconds for the rate to climb from 0 (open model).
    #[arg(long, default_value = "0s", value_parser = seconds)]
    ramp: f64,
    /// How long to run (e.g. 30s, 2m). Defaults to 10s unless --exchanges is given.
    #[arg(long, value_parser = seconds)]
    duration: Option<f64>,
    /// How many exchanges to run.
    #[arg(long)]
    exchanges: Option<u64>,
    /// Bad exchanges on purpose, each of which must get AWS's exact refusal:
    /// expired, wrong-audience, wrong-logins-key, bad-signature, not-a-jwt, unknown-pool, e.g.
    /// expired=0.05,wrong-audience=0.05.
    #[arg(long, default_value = "")]
    mix: String,
    /// Also sign an STS GetCallerIdentity with each exchange's credentials.
    #[arg(long)]
    verify_credentials: bool,
    /// The role for --flow basic and sts (defaults to the default world's
    /// fedmock-authenticated and fedmock-web-identity).
    #[arg(long)]
    role_arn: Option<String>,
    /// How long one request may take before it counts as unexpected.
    #[arg(long, default_value = "10s", value_parser = seconds)]
    timeout: f64,
    /// Threads generating load (default: one per core, as `wrk -t`); an in-process world's
    /// servers get as many again.
    #[arg(long)]
    threads: Option<usize>,
    /// Objectives the run must meet, e.g. p99<20ms,get_id.p50<5ms,throughput>=500,unexpected=0;
    /// the exit status is non-zero when one is missed.
    #[arg(long)]
    slo: Option<String>,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Write a self-contained HTML report with plots here.
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
    /// A world file for the in-process world (default: the embedded default world).
    #[arg(long, conflicts_with_all = ["against", "cognito_endpoint"])]
    config: Option<PathBuf>,
    /// Load endpoints already running, described by `fedmock up --ready-file`'s JSON (a
    /// container, replicas behind a balancer).
    #[arg(long, value_name = "READY_FILE", conflicts_with = "cognito_endpoint")]
    against: Option<PathBuf>,
    /// Other endpoints (a real Okta org and AWS account, where you may load them): Cognito
    /// Identity's URL, e.g. https://cognito-identity.us-east-1.amazonaws.com/. Mind AWS's
    /// quotas: GetId allows 25 requests per second by default; use --rate.
    #[arg(long, requires_all = ["token_url", "pool", "client_id"])]
    cognito_endpoint: Option<String>,
    /// With --cognito-endpoint: STS's URL (default https://sts.<region>.amazonaws.com/).
    #[arg(long, requires = "cognito_endpoint")]
    sts_endpoint: Option<String>,
    /// With --cognito-endpoint: the Okta token endpoint.
    #[arg(long)]
    token_url: Option<String>,
    /// With --cognito-endpoint: the Okta client.
    #[arg(long, env = "FEDMOCK_LOAD_CLIENT_ID")]
    client_id: Option<String>,
    /// With --cognito-endpoint: its secret.
    #[arg(long, env = "FEDMOCK_LOAD_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// With --cognito-endpoint and --token password: the user.
    #[arg(long, env = "FEDMOCK_LOAD_USERNAME")]
    username: Option<String>,
    /// Their password.
    #[arg(long, env = "FEDMOCK_LOAD_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// With --cognito-endpoint: the identity pool.
    #[arg(long)]
    pool: Option<String>,
    /// With --cognito-endpoint: the issuer (the Logins key is it without https://).
    #[arg(long)]
    issuer: Option<String>,
    /// With --cognito-endpoint: the region (default: the pool id's).
    #[arg(long)]
    region: Option<String>,
    /// With --cognito-endpoint: the account (for the default role ARNs).
    #[arg(long, default_value = "123456789012")]
    account_id: String,
}

/// `30s`, `2m`, `500ms` or plain seconds.
fn seconds(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = text.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (text, 1.0)
    };
    number
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| *n >= 0.0 && n.is_finite())
        .map(|n| n * scale)
        .ok_or_else(|| format!("{text:?} is not a duration (e.g. 30s, 2m, 500ms)"))
}

#[cfg(not(feature = "load"))]
pub fn load(_: LoadArgs) -> anyhow::Result<ExitCode> {
    Err(crate::needs("full", "load"))
}

#[cfg(feature = "load")]
pub fn load(args: LoadArgs) -> anyhow::Result<ExitCode> {
    use anyhow::Context as _;
    use scenarios::load::{self, Flow, Model, Settings, TokenSource, mix::Mix};

    let flow = match args.flow.as_str() {
        "basic" => Flow::Basic,
        "sts" => Flow::Sts,
        "get-id" => Flow::GetId,
        _ => Flow::Enhanced,
    };
    let explicit = args.cognito_endpoint.is_some();
    let token = match args.token.as_deref() {
        Some("password") => TokenSource::Password,
        Some("client-credentials") => TokenSource::ClientCredentials,
        Some(_) => TokenSource::Mint,
        None if explicit => TokenSource::Password,
        None => TokenSource::Mint,
    };
    let settings = Settings {
        flow,
        token,
        token_reuse: args.token_reuse,
        users: args.users,
        model: match args.rate {
            Some(rate) => Model::Open { rate, ramp_s: args.ramp },
            None => Model::Closed { concurrency: args.concurrency },
        },
        duration_s: args.duration,
        exchanges: args.exchanges,
        mix: Mix::parse(&args.mix).map_err(|e| anyhow::anyhow!("--mix: {e}"))?,
        verify_credentials: args.verify_credentials,
        role_arn: args.role_arn.clone(),
        timeout_s: args.timeout,
    };
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let threads = args.threads.unwrap_or(cores).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("fedmock-load")
        .enable_all()
        .build()?;
    let report = runtime.block_on(async {
        let target = target(&args, cores).await?;
        load::check(&settings, &target)?;
        let world = target.world.clone();
        let bar = progress_bar(args.json);
        let shown = bar.clone();
        let unexpected_style = indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30.red/white}] {percent:>3}% {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        let mut report = load::run(settings, target, move |p| {
            shown.set_position((p.done * 1000.0) as u64);
            let rate = p.exchanges as f64 / p.elapsed.as_secs_f64().max(1e-9);
            if p.unexpected > 0 {
                shown.set_style(unexpected_style.clone());
            }
            shown.set_message(format!(
                "{} exchanges, {rate:.0}/s, {} unexpected",
                p.exchanges, p.unexpected
            ));
        })
        .await?;
        bar.finish_and_clear();
        if let Some(objectives) = &args.slo {
            report.slo = load::report::judge(objectives, &report)
                .map_err(|e| anyhow::anyhow!("--slo: {e}"))?;
        }
        if let Some(world) = world {
            publish(&world, &report).await;
        }
        Ok::<_, anyhow::Error>(report)
    })?;
    if let Some(path) = &args.report {
        std::fs::write(path, report.html())
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("report: {}", path.display());
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
    }
    Ok(if report.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Hands the report to the world's console (a running `fedmock up` serves one), where the
/// recent runs against it are listed; a world without one is left alone.
#[cfg(feature = "load")]
async fn publish(world: &harness::Federation, report: &scenarios::load::report::Report) {
    let Ok(summary) = serde_json::to_value(report) else { return };
    let posted =
        harness::console::LoadReport { id: 0, received_at: 0, summary, html: report.html() };
    match world.publish_load_report(posted).await {
        Ok(true) if !world.is_in_process() => {
            eprintln!(
                "report: in the world's console, {}",
                world.summary().control_url("/ui/load")
            );
        }
        Ok(_) => {}
        Err(e) => eprintln!("the world's console did not take the report: {e}"),
    }
}

#[cfg(feature = "load")]
fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    let target = if quiet {
        indicatif::ProgressDrawTarget::hidden()
    } else {
        indicatif::ProgressDrawTarget::stderr()
    };
    let bar = indicatif::ProgressBar::with_draw_target(Some(1000), target);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{elapsed_precise} [{bar:30.cyan/blue}] {percent:>3}% {msg}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// The endpoints the arguments name: explicit ones, a running world, or one in process.
#[cfg(feature = "load")]
async fn target(args: &LoadArgs, cores: usize) -> anyhow::Result<scenarios::load::Target> {
    use anyhow::Context as _;
    use scenarios::load::Target;
    if let Some(cognito) = &args.cognito_endpoint {
        let need = |value: &Option<String>, flag: &str| {
            value.clone().with_context(|| format!("--cognito-endpoint needs {flag}"))
        };
        let pool = need(&args.pool, "--pool")?;
        let region = args
            .region
            .clone()
            .or_else(|| pool.split_once(':').map(|(r, _)| r.to_owned()))
            .context("give --region")?;
        let issuer = need(&args.issuer, "--issuer")?;
        let logins_key = issuer.split_once("://").map_or(issuer.as_str(), |(_, k)| k).to_owned();
        return Ok(Target {
            name: cognito.clone(),
            token_url: need(&args.token_url, "--token-url")?,
            issuer,
            client_id: need(&args.client_id, "--client-id")?,
            client_secret: args.client_secret.clone().unwrap_or_default(),
            username: args.username.clone().unwrap_or_default(),
            password: args.password.clone().unwrap_or_default(),
            cognito_url: cognito.clone(),
            sts_url: args
                .sts_endpoint
                .clone()
                .unwrap_or_else(|| format!("https://sts.{region}.amazonaws.com/")),
            region,
            account_id: args.account_id.clone(),
            pool,
            logins_key,
            ca_pem: None,
            world: None,
        });
    }
    if let Some(ready) = &args.against {
        let world = harness::Federation::connect(ready)
            .await
            .with_context(|| format!("reading {}", ready.display()))?;
        return Ok(Target::of_world(&format!("the world in {}", ready.display()), world)?);
    }
    let config = crate::world(args.config.as_ref())?;
    let world = harness::Federation::builder()
        .config(config)
        .worker_threads(cores)
        .start()
        .await
        .context("starting the world in process")?;
    let name = match &args.config {
        Some(path) => format!("{} in process", path.display()),
        None => "the default world in process".to_owned(),
    };
    Ok(Target::of_world(&name, world)?)
}
