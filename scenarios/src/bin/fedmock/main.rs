//! `fedmock`: run a fake Okta and a fake Cognito Identity endpoint from the command line, and
//! run federation scenarios against them. This file parses arguments and prints; the work is
//! in the libraries (`harness` for worlds, `scenarios` for scenarios and explanations).
//!
//! Without features the binary serves `up`, `explain` and `default-world`; `run`, `schema` and
//! `explain --scenario` need the feature `run` and `image` the feature `containers` (both in
//! `full`), so a newcomer's first build compiles no AWS SDK and no Docker client.

mod load;
mod run;
mod up;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

/// mimalloc frees across threads without a lock; see scenarios/Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    Up(up::UpArgs),
    /// Print the embedded default world, a starting point for --config.
    DefaultWorld,
    /// Exit 0 when both servers of a `fedmock up` answer their health check (for container
    /// health checks: the image has no curl).
    Health(up::HealthArgs),
    /// Run scenario files or folders of them, each in its own world, through real clients.
    Run(run::RunArgs),
    /// Load-test the exchange (token, GetId, GetCredentialsForIdentity) with every answer
    /// checked, and report latency and throughput (in process, against `fedmock up`, or
    /// against other endpoints).
    Load(Box<load::LoadArgs>),
    /// Explain, check by check, what Cognito does with a token in Logins (offline).
    Explain(ExplainArgs),
    /// Print the JSON Schema of scenario files (scenarios/scenario.schema.json).
    Schema,
    /// Build a container image holding this fedmock binary (Linux, Docker engine needed; pulls
    /// nothing). Its containers run `fedmock up` on ports 8400 and 8401.
    Image(run::ImageArgs),
}

#[derive(clap::Args, Debug)]
struct ExplainArgs {
    /// The token (a real Okta token works: nothing is fetched).
    #[arg(long, conflicts_with = "token_file", required_unless_present_any = ["token_file", "scenario", "provenance"])]
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
    /// With `--sts`: the `RoleArn` asked for, so the role's checks (trust policy, session
    /// length) are explained too.
    #[arg(long, requires = "sts")]
    role_arn: Option<String>,
    /// With `--role-arn`: `DurationSeconds`.
    #[arg(long, requires = "role_arn", default_value_t = 3600)]
    duration_seconds: i64,
    /// Print every answer mock-cognito can give, with its source (a real AWS answer quoted
    /// in public, AWS's documentation, or inferred and why), as markdown.
    #[arg(long, exclusive = true)]
    provenance: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `up` logs every request; `run` and `explain` put what matters in their report, so the
    // servers' request log stays quiet unless FEDMOCK_LOG asks for it.
    let default_log = if matches!(cli.command, Command::Up(_)) { "info" } else { "warn" };
    log(default_log);
    match command(cli.command) {
        Ok(code) => code,
        Err(err) => {
            // One line a person can act on; never a backtrace (`{:#}` prints the causes).
            eprintln!("fedmock: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Logs to stderr at the levels `FEDMOCK_LOG` names (`debug`, `mock_cognito=debug,warn`, …),
/// else at `default`.
fn log(default: &str) {
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let wanted = std::env::var("FEDMOCK_LOG").ok();
    let targets: Targets = match wanted.as_deref().map(str::parse) {
        Some(Ok(targets)) => targets,
        Some(Err(_)) => {
            eprintln!(
                "fedmock: FEDMOCK_LOG is not a level list (e.g. `debug` or `mock_cognito=debug,warn`); using {default}"
            );
            default.parse().unwrap_or_default()
        }
        None => default.parse().unwrap_or_default(),
    };
    let format = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    tracing_subscriber::registry().with(format).with(targets).init();
}

fn command(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Schema => run::schema()?,
        Command::DefaultWorld => print!("{}", harness::DEFAULT_WORLD_TOML),
        Command::Up(args) => runtime(false)?.block_on(up::up(args))?,
        Command::Health(args) => runtime(false)?.block_on(up::health(args))?,
        Command::Image(args) => run::image(args)?,
        Command::Run(args) => return run::run(args),
        Command::Load(args) => return load::load(*args),
        Command::Explain(args) => explain(args)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// A tokio runtime: one thread for `up` (its servers bring their own), several otherwise.
fn runtime(multi: bool) -> anyhow::Result<tokio::runtime::Runtime> {
    let mut builder = if multi {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    Ok(builder.enable_all().build()?)
}

/// What a binary built without a feature says when asked for it.
#[allow(dead_code)]
fn needs(feature: &str, command: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "this fedmock was built without `{command}` (it leaves out the feature `{feature}` to build fast); \
         build one that has it: cargo run --release -p scenarios --features {feature} -- {command} …"
    )
}

fn read(path: &PathBuf) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn world(config: Option<&PathBuf>) -> anyhow::Result<harness::FederationConfig> {
    Ok(match config {
        Some(path) => harness::FederationConfig::from_toml(&read(path)?)
            .with_context(|| format!("in {}", path.display()))?,
        None => harness::FederationConfig::default_world(),
    })
}

fn explain(args: ExplainArgs) -> anyhow::Result<()> {
    use scenarios::explain::{self, Against};
    if args.provenance {
        print!("{}", harness::mock_cognito::texts::provenance_document());
        return Ok(());
    }
    if let (Some(file), Some(step)) = (&args.scenario, &args.step) {
        print!("{}", run::explain_step(file, step)?);
        return Ok(());
    }
    let token = match (&args.token, &args.token_file) {
        (Some(token), _) => token.trim().to_owned(),
        (None, Some(file)) => read(file)?.trim().to_owned(),
        (None, None) => anyhow::bail!("give --token or --token-file"),
    };
    let now = args.now.unwrap_or_else(|| harness::Clock::system().now());
    let world = world(args.config.as_ref())?;
    if args.sts {
        print!(
            "{}",
            explain::web_identity(
                &token,
                args.role_arn.as_deref().map(|arn| (arn, args.duration_seconds)),
                world,
                &args.okta,
                now
            )?
        );
        return Ok(());
    }
    let against = match (&args.pool_json, &args.provider_json) {
        (Some(pool), Some(provider)) => {
            let json = |path: &PathBuf| -> anyhow::Result<serde_json::Value> {
                serde_json::from_str(&read(path)?)
                    .with_context(|| format!("{} is not JSON", path.display()))
            };
            Against::AwsCli { pool: json(pool)?, provider: json(provider)? }
        }
        _ => Against::World { world: Box::new(world), okta: args.okta.clone(), pool: args.pool },
    };
    print!("{}", explain::logins(&token, args.logins_key.as_deref(), against, now)?);
    Ok(())
}
