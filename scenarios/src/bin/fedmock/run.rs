//! `fedmock run`, `fedmock schema`, `fedmock image` and `fedmock explain --scenario`: the
//! commands that need the scenario runner (feature `run`) or Docker (feature `containers`). Without them, each says
//! how to build a binary that has them.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ImageArgs {
    /// The image's name and tag.
    #[arg(long, default_value = "fedmock:latest")]
    tag: String,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Scenario files (`.toml`) or folders holding them (searched recursively; TOML files
    /// without `[[step]]` are skipped and listed).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Clients to run Cognito/STS steps through (comma-separated): rust, js-v2, js-v3, boto3,
    /// aws-cli. A client whose runtime is missing is reported as skipped with its install
    /// command. Defaults to each scenario's `clients`, else rust.
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

#[cfg(not(feature = "run"))]
pub fn run(_: RunArgs) -> anyhow::Result<ExitCode> {
    Err(crate::needs("full", "run"))
}

#[cfg(not(feature = "run"))]
pub fn explain_step(_: &std::path::Path, _: &str) -> anyhow::Result<String> {
    Err(crate::needs("full", "explain --scenario"))
}

#[cfg(not(feature = "run"))]
pub fn schema() -> anyhow::Result<()> {
    Err(crate::needs("full", "schema"))
}

#[cfg(feature = "run")]
pub fn schema() -> anyhow::Result<()> {
    println!("{:#}", scenarios::Scenario::json_schema());
    Ok(())
}

#[cfg(not(feature = "containers"))]
pub fn image(_: ImageArgs) -> anyhow::Result<()> {
    Err(crate::needs("full", "image"))
}

#[cfg(feature = "containers")]
pub fn image(args: ImageArgs) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let binary = std::env::current_exe().context("finding this binary")?;
    let reference = harness::container::Reference::parse(&args.tag);
    let image = super::runtime(true)?.block_on(harness::container::build_image(
        &binary,
        &reference.name,
        &reference.tag,
    ))?;
    println!("built {}", image.reference());
    println!("run it:  docker run --rm -p 8400:8400 -p 8401:8401 {}", image.reference());
    Ok(())
}

#[cfg(feature = "run")]
pub fn explain_step(file: &std::path::Path, step: &str) -> anyhow::Result<String> {
    let shown = file.display().to_string();
    let scenario = scenarios::Scenario::parse(&shown, &super::read(&file.to_path_buf())?)?;
    Ok(super::runtime(true)?.block_on(scenarios::explain_step(&shown, &scenario, step))?)
}

#[cfg(feature = "run")]
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let passed = super::runtime(true)?.block_on(run_all(args))?;
    Ok(if passed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

#[cfg(feature = "run")]
async fn run_all(args: RunArgs) -> anyhow::Result<bool> {
    use anyhow::Context as _;
    let chosen = scenarios::Client::from_names(args.clients.iter().flatten())?;
    let found = scenarios::scenario_files(&args.paths)?;
    if !found.skipped.is_empty() {
        let names: Vec<String> = found.skipped.iter().map(|p| p.display().to_string()).collect();
        eprintln!(
            "fedmock: skipped {} TOML file(s) that are not scenarios (no [[step]]): {}",
            names.len(),
            names.join(", ")
        );
    }
    #[cfg(feature = "containers")]
    let image = args.container.as_deref().map(|reference| {
        let reference = harness::container::Reference::parse(reference);
        harness::container::FedmockImage::new(reference.name, reference.tag)
    });
    let against = match &args.against {
        Some(path) => Some(harness::Federation::connect(path).await?.summary().clone()),
        None => None,
    };
    let mut reports = Vec::new();
    let mut runs = Vec::new();
    for file in found.files {
        let shown = file.display().to_string();
        let name = file.file_stem().map_or_else(|| shown.clone(), |s| s.to_string_lossy().into());
        let text = super::read(&file)?;
        let scenario = scenarios::Scenario::parse(&shown, &text)?;
        let clients = if chosen.is_empty() { scenario.default_clients() } else { chosen.clone() };
        #[cfg(feature = "containers")]
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
    #[cfg(not(feature = "containers"))]
    if args.container.is_some() {
        return Err(crate::needs("full", "run --container"));
    }
    for run in runs {
        reports.extend(run.await??);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        let colour = std::io::IsTerminal::is_terminal(&std::io::stdout());
        print!("{}", scenarios::render_for_terminal(&reports, colour));
    }
    if let Some(path) = &args.junit {
        std::fs::write(path, scenarios::junit(&reports))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(!reports.iter().any(scenarios::ScenarioReport::failed))
}
