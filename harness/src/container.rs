//! fedmock as a container, through testcontainers: for teams whose tests already start their
//! dependencies as containers, and for trying a scenario against something other than the
//! runner's own in-process world.
//!
//! The image holds the `fedmock` binary and the shared libraries it links, on an empty base
//! (`FROM scratch`). It is built from a binary on this machine, so it needs no registry: CI
//! machines and air-gapped laptops pull nothing. The container runs
//! `fedmock up --host 0.0.0.0 --ready-file -`, which prints its [`WorldSummary`] as one JSON
//! line once both servers accept connections; that line is the ready signal.
//!
//! Inside the container the world's URLs are its own (`http://127.0.0.1:8400/oauth2/default`):
//! that is the `iss` of every token and the `Logins` key, and where mock-cognito fetches the
//! JWKS from, so validation behaves exactly as in process. From outside, the same servers are
//! reached through the ports Docker maps; [`FedmockContainer::summary`] gives those endpoints,
//! and keeps `issuer` and `logins_key` as the tokens carry them (clients only send the issuer
//! string to Cognito, never connect to it).

use std::path::{Path, PathBuf};

use testcontainers::core::{ContainerPort, WaitFor};
use testcontainers::runners::{AsyncBuilder, AsyncRunner};
use testcontainers::{ContainerAsync, CopyToContainer, GenericBuildableImage, Image, ImageExt};

use crate::{FederationConfig, WorldSummary};

/// The ports `fedmock up` listens on inside the container (its defaults).
const OKTA_PORT: u16 = 8400;
const COGNITO_PORT: u16 = 8401;
const PORTS: [ContainerPort; 2] = [ContainerPort::Tcp(OKTA_PORT), ContainerPort::Tcp(COGNITO_PORT)];

/// The image's Dockerfile: the build context is `rootfs/`, laid out as the image's file system.
pub const DOCKERFILE: &str = include_str!("../docker/Dockerfile");

/// Where a world file given to [`FedmockImage::with_world`] is put in the container.
const WORLD_PATH: &str = "/etc/fedmock/world.toml";

/// Why a container could not be built or started.
#[derive(Debug, thiserror::Error)]
pub enum ContainerError {
    /// The binary to put in the image is not there, or its libraries could not be listed.
    #[error("{0}")]
    Binary(String),
    /// The world could not be written for the container.
    #[error("the world cannot be written as TOML: {0}")]
    World(String),
    /// Docker refused or is not reachable.
    #[error("docker: {0}")]
    Docker(#[from] testcontainers::TestcontainersError),
    /// The image is not on this machine and could not be pulled.
    #[error("no image {reference} here ({why}); build it with `fedmock image --tag {reference}`")]
    NoImage {
        /// `name:tag`.
        reference: String,
        /// Docker's answer to the pull.
        why: String,
    },
    /// The container started but did not announce its world.
    #[error("the container printed no world summary: {0}")]
    Summary(String),
}

impl ContainerError {
    /// Whether the failure is that no Docker engine answers (tests skip on it unless told to
    /// require one).
    pub fn is_engine_missing(&self) -> bool {
        use testcontainers::TestcontainersError::Client;
        use testcontainers::core::client::ClientError;
        match self {
            ContainerError::Docker(Client(ClientError::Init(_))) => true,
            // A socket nobody listens on fails the first call instead.
            ContainerError::Docker(err) => {
                let text = format!("{err:?}").to_lowercase();
                [
                    "connection refused",
                    "no such file",
                    "socket not found",
                    "error trying to connect",
                ]
                .iter()
                .any(|hint| text.contains(hint))
            }
            _ => false,
        }
    }
}

/// An image reference split into name and tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The name, with a registry host (and its port) if given.
    pub name: String,
    /// The tag; `latest` when none is given.
    pub tag: String,
}

impl Reference {
    /// `name:tag`, where a registry host's port is part of the name.
    pub fn parse(reference: &str) -> Self {
        let (name, tag) = match reference.rsplit_once(':') {
            Some((name, tag)) if !tag.contains('/') => (name, tag),
            _ => (reference, "latest"),
        };
        Self { name: name.to_owned(), tag: tag.to_owned() }
    }
}

/// fedmock's image, and the world it starts with.
#[derive(Clone, Debug)]
pub struct FedmockImage {
    name: String,
    tag: String,
    world: Option<CopyToContainer>,
    cmd: Vec<String>,
}

impl FedmockImage {
    /// An image already built (by [`build_image`] or `fedmock image`), e.g. `fedmock:latest`.
    pub fn new(name: impl Into<String>, tag: impl Into<String>) -> Self {
        let mut cmd: Vec<String> = ["up", "--host", "0.0.0.0", "--ready-file", "-"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        cmd.extend(["--okta-port".into(), OKTA_PORT.to_string()]);
        cmd.extend(["--cognito-port".into(), COGNITO_PORT.to_string()]);
        Self { name: name.into(), tag: tag.into(), world: None, cmd }
    }

    /// `name:tag`, as Docker names it.
    pub fn reference(&self) -> String {
        format!("{}:{}", self.name, self.tag)
    }

    /// Starts the container with this world instead of the embedded default one. `{okta}` in
    /// it stands for the container's own mock-okta, as with `fedmock up --config`.
    pub fn with_world(mut self, world: &FederationConfig) -> Result<Self, ContainerError> {
        let text = toml::to_string(world).map_err(|e| ContainerError::World(e.to_string()))?;
        self.world = Some(CopyToContainer::new(text.into_bytes(), WORLD_PATH));
        if !self.cmd.iter().any(|a| a == "--config") {
            self.cmd.extend(["--config".into(), WORLD_PATH.into()]);
        }
        Ok(self)
    }

    /// Starts a container of this image and waits until it serves.
    pub async fn start(self) -> Result<FedmockContainer, ContainerError> {
        use testcontainers::TestcontainersError::Client;
        use testcontainers::core::client::ClientError;
        let reference = self.reference();
        let container = self.start_container().await.map_err(|err| match err {
            Client(ClientError::PullImage { err, .. }) => {
                ContainerError::NoImage { reference, why: err.to_string() }
            }
            other => ContainerError::Docker(other),
        })?;
        let line = ready_line(&container).await?;
        let inside: WorldSummary =
            serde_json::from_str(&line).map_err(|e| ContainerError::Summary(e.to_string()))?;
        let host = container.get_host().await?.to_string();
        let okta_port = container.get_host_port_ipv4(OKTA_PORT).await?;
        let cognito_port = container.get_host_port_ipv4(COGNITO_PORT).await?;
        let summary = published(
            inside,
            &format!("http://{host}:{okta_port}"),
            &format!("http://{host}:{cognito_port}"),
        );
        Ok(FedmockContainer { container, summary })
    }

    async fn start_container(
        self,
    ) -> Result<ContainerAsync<FedmockImage>, testcontainers::TestcontainersError> {
        // A refused world ends the wait at once (the container exits); the timeout only covers
        // an engine slow to start the container.
        self.with_startup_timeout(std::time::Duration::from_secs(60)).start().await
    }
}

impl Image for FedmockImage {
    fn name(&self) -> &str {
        &self.name
    }

    fn tag(&self) -> &str {
        &self.tag
    }

    fn ready_conditions(&self) -> Vec<WaitFor> {
        // The summary line starts with its first field. Both streams are read so that a world
        // `fedmock up` refuses (its error goes to stderr, then it exits) is in the error.
        vec![WaitFor::message_on_either_std("{\"okta_url\":")]
    }

    fn cmd(&self) -> impl IntoIterator<Item = impl Into<std::borrow::Cow<'_, str>>> {
        self.cmd.iter().map(String::as_str)
    }

    fn copy_to_sources(&self) -> impl IntoIterator<Item = &CopyToContainer> {
        self.world.iter()
    }

    fn expose_ports(&self) -> &[ContainerPort] {
        &PORTS
    }
}

/// A running fedmock container; removed when dropped.
#[derive(Debug)]
pub struct FedmockContainer {
    container: ContainerAsync<FedmockImage>,
    summary: WorldSummary,
}

impl FedmockContainer {
    /// The world as seen from this machine: endpoints through Docker's mapped ports, issuer and
    /// `Logins` key as inside the container (what tokens carry).
    pub fn summary(&self) -> &WorldSummary {
        &self.summary
    }

    /// The container's id.
    pub fn id(&self) -> &str {
        self.container.id()
    }

    /// What the container has logged so far (mock-cognito writes its explanation of every
    /// refused login there).
    pub async fn logs(&self) -> Result<String, ContainerError> {
        let out = self.container.stdout_to_vec().await?;
        let err = self.container.stderr_to_vec().await?;
        Ok(format!("{}{}", String::from_utf8_lossy(&out), String::from_utf8_lossy(&err)))
    }
}

/// Builds the image `name:tag` from a `fedmock` binary on this machine (Linux: the binary and
/// the shared libraries `ldd` lists for it). An image of that name that already exists is
/// replaced.
pub async fn build_image(
    binary: &Path,
    name: &str,
    tag: &str,
) -> Result<FedmockImage, ContainerError> {
    let mut image = GenericBuildableImage::new(name, tag)
        .with_dockerfile_string(DOCKERFILE)
        .with_file(binary.to_path_buf(), "rootfs/fedmock");
    for library in shared_libraries(binary)? {
        let inside = library.to_string_lossy().trim_start_matches('/').to_owned();
        image = image.with_file(library, format!("rootfs/{inside}"));
    }
    let _built = image.build_image().await?;
    Ok(FedmockImage::new(name, tag))
}

/// The shared libraries a dynamically linked binary loads, with the loader, as absolute paths.
fn shared_libraries(binary: &Path) -> Result<Vec<PathBuf>, ContainerError> {
    if !binary.is_file() {
        return Err(ContainerError::Binary(format!("{} is not a file", binary.display())));
    }
    let output = std::process::Command::new("ldd")
        .arg(binary)
        .output()
        .map_err(|e| ContainerError::Binary(format!("ldd {}: {e}", binary.display())))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if text.contains("not a dynamic executable") || text.contains("statically linked") {
        return Ok(Vec::new());
    }
    if !output.status.success() {
        return Err(ContainerError::Binary(format!(
            "ldd {}: {}",
            binary.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    // `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)` and `/lib64/ld-linux-x86-64.so.2
    // (0x…)`; the vDSO has no file.
    Ok(text
        .lines()
        .filter_map(|line| line.split_whitespace().find(|word| word.starts_with('/')))
        .map(PathBuf::from)
        .collect())
}

/// Reads the ready line from the container's output.
async fn ready_line(container: &ContainerAsync<FedmockImage>) -> Result<String, ContainerError> {
    let stdout = container.stdout_to_vec().await?;
    String::from_utf8_lossy(&stdout)
        .lines()
        .find(|line| line.starts_with("{\"okta_url\":"))
        .map(str::to_owned)
        .ok_or_else(|| ContainerError::Summary(String::from_utf8_lossy(&stdout).into_owned()))
}

/// The summary with its endpoints moved to where they are published; the issuer and the
/// `Logins` key stay as the tokens carry them.
fn published(inside: WorldSummary, okta: &str, cognito: &str) -> WorldSummary {
    let base = inside.okta_url.clone();
    let moved = |url: &str| match url.strip_prefix(&base) {
        Some(rest) => format!("{okta}{rest}"),
        None => url.to_owned(),
    };
    WorldSummary {
        discovery_url: moved(&inside.discovery_url),
        jwks_uri: moved(&inside.jwks_uri),
        token_endpoint: moved(&inside.token_endpoint),
        okta_url: okta.to_owned(),
        cognito_endpoint: cognito.to_owned(),
        ..inside
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_endpoints_move_and_the_issuer_stays() {
        let inside = WorldSummary {
            okta_url: "http://127.0.0.1:8400".into(),
            issuer: "http://127.0.0.1:8400/oauth2/default".into(),
            discovery_url: "http://127.0.0.1:8400/oauth2/default/.well-known/openid-configuration"
                .into(),
            jwks_uri: "http://127.0.0.1:8400/oauth2/default/v1/keys".into(),
            token_endpoint: "http://127.0.0.1:8400/oauth2/default/v1/token".into(),
            client_id: "c".into(),
            client_secret: "s".into(),
            username: "u".into(),
            password: "p".into(),
            cognito_endpoint: "http://127.0.0.1:8401".into(),
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
            identity_pool_id: "us-east-1:x".into(),
            logins_key: "127.0.0.1:8400/oauth2/default".into(),
            ca_file: None,
            admin_access_key_id: None,
            admin_secret_access_key: None,
            control_token: None,
            console: false,
        };
        let out = published(inside, "http://localhost:32768", "http://localhost:32769");
        assert_eq!(out.token_endpoint, "http://localhost:32768/oauth2/default/v1/token");
        assert_eq!(out.jwks_uri, "http://localhost:32768/oauth2/default/v1/keys");
        assert_eq!(out.okta_url, "http://localhost:32768");
        assert_eq!(out.cognito_endpoint, "http://localhost:32769");
        assert_eq!(out.issuer, "http://127.0.0.1:8400/oauth2/default");
        assert_eq!(out.logins_key, "127.0.0.1:8400/oauth2/default");
    }

    #[test]
    fn a_missing_binary_is_named() {
        let err = shared_libraries(Path::new("/no/such/fedmock")).unwrap_err();
        assert_eq!(err.to_string(), "/no/such/fedmock is not a file");
    }

    #[test]
    fn an_image_reference_splits_into_name_and_tag() {
        let parse = |r: &str| {
            let r = Reference::parse(r);
            (r.name, r.tag)
        };
        assert_eq!(parse("fedmock:1.2"), ("fedmock".into(), "1.2".into()));
        assert_eq!(parse("fedmock"), ("fedmock".into(), "latest".into()));
        assert_eq!(
            parse("registry.local:5000/team/fedmock"),
            ("registry.local:5000/team/fedmock".into(), "latest".into())
        );
        assert_eq!(
            parse("registry.local:5000/fedmock:ci"),
            ("registry.local:5000/fedmock".into(), "ci".into())
        );
    }
}
