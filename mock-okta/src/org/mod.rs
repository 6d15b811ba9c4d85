//! The org as mock-okta holds it: validated config, authorization servers with their keys
//! (`server.rs`, `keys.rs`), the grant store (`grants.rs`), the faults in force
//! (`faults.rs`), and the clock. This folder is data and its invariants; `token/` issues and
//! reads tokens from it, and `endpoints/` serves both over HTTP.
//!
//! Config is checked once here (raw → internal); handlers never re-check it.

pub(crate) mod faults;
pub(crate) mod grants;
pub(crate) mod keys;
mod server;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

pub use server::{AuthServer, OIDC_SCOPES, ORG, ServerKind};

use crate::Clock;
use crate::config::{
    ClientAuthMethod, ClientConfig, ControlConfig, OktaConfig, OriginScope, UserConfig,
};
use crate::error::Error;
use faults::Faults;
use grants::Grants;
use keys::KeySet;

/// Everything mock-okta serves, shared by all requests.
#[derive(Debug)]
pub struct OktaState {
    /// The URL clients use, without a trailing slash.
    pub base_url: String,
    /// The org id (`idp` claim).
    pub org_id: String,
    /// The org authorization server.
    pub org: AuthServer,
    servers: HashMap<String, AuthServer>,
    clients: Vec<ClientConfig>,
    users: Vec<UserConfig>,
    /// The user signed in without a form at `/v1/authorize`.
    pub auto_login: Option<String>,
    /// The clock behind every timestamp.
    pub clock: Clock,
    pub(crate) grants: Grants,
    faults: RwLock<Arc<Faults>>,
    /// Signs tokens under the `unpublished_key` fault; published nowhere.
    pub(crate) rogue_keys: KeySet,
    control_token: Option<String>,
    /// Origins whose pages may call the org cross-origin (Trusted Origins with scope CORS).
    cors_origins: HashSet<String>,
    /// Origins the org may redirect browsers to (Trusted Origins with scope REDIRECT).
    redirect_origins: HashSet<String>,
    /// Who is told of each token request and its answer (the console), if anyone.
    observer: std::sync::OnceLock<Arc<dyn crate::observe::Observer>>,
}

impl OktaState {
    /// Validates `config` and builds the org at `base_url` (used unless the config names one).
    pub fn new(config: OktaConfig, base_url: &str, clock: Clock) -> Result<Self, Error> {
        let base_url =
            config.base_url.as_deref().unwrap_or(base_url).trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(Error::Config(format!(
                "base_url must be an http(s) URL, got {base_url:?}"
            )));
        }
        let org = AuthServer::new(ServerKind::Org, config.org, &base_url, config.seed.as_deref())?;
        let mut servers = HashMap::new();
        for server in config.servers {
            let id = server.id.clone();
            let valid = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
            if id.is_empty() || id == "v1" || id == ORG || !id.chars().all(valid) {
                return Err(Error::Config(format!(
                    "authorization server id {id:?} must be letters, digits, '-' or '_' (and not \"v1\" or \"org\")"
                )));
            }
            let server =
                AuthServer::new(ServerKind::Custom, server, &base_url, config.seed.as_deref())?;
            if servers.insert(id.clone(), server).is_some() {
                return Err(Error::Config(format!("authorization server {id:?} is defined twice")));
            }
        }
        let mut client_ids = HashSet::new();
        for client in &config.clients {
            if !client_ids.insert(client.client_id.as_str()) {
                return Err(Error::Config(format!(
                    "client {:?} is defined twice",
                    client.client_id
                )));
            }
            if client.token_endpoint_auth_method == ClientAuthMethod::PrivateKeyJwt
                && client.jwks.is_none()
            {
                return Err(Error::Config(format!(
                    "client {:?} uses private_key_jwt but has no jwks",
                    client.client_id
                )));
            }
        }
        let mut logins = HashSet::new();
        for user in &config.users {
            if !logins.insert(user.login.to_lowercase()) {
                return Err(Error::Config(format!("user login {:?} is defined twice", user.login)));
            }
        }
        if let Some(login) = &config.auto_login
            && !logins.contains(&login.to_lowercase())
        {
            return Err(Error::Config(format!("auto_login {login:?} is not a user")));
        }
        let control_token = control_token(&config.control, config.seed.as_deref())?;
        let mut cors_origins = HashSet::new();
        let mut redirect_origins = HashSet::new();
        for trusted in &config.trusted_origins {
            let origin = trusted.origin.trim_end_matches('/');
            let (scheme, rest) = origin.split_once("://").unwrap_or(("", origin));
            if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.contains('/') {
                return Err(Error::Config(format!(
                    "trusted origin {:?} must be scheme://host[:port], e.g. http://localhost:3000",
                    trusted.origin
                )));
            }
            if trusted.scopes.contains(&OriginScope::Cors) {
                cors_origins.insert(origin.to_ascii_lowercase());
            }
            if trusted.scopes.contains(&OriginScope::Redirect) {
                redirect_origins.insert(origin.to_ascii_lowercase());
            }
        }
        Ok(Self {
            control_token,
            cors_origins,
            redirect_origins,
            observer: std::sync::OnceLock::new(),
            base_url,
            org_id: config.org_id,
            org,
            servers,
            clients: config.clients,
            users: config.users,
            auto_login: config.auto_login,
            clock,
            grants: Grants::default(),
            faults: RwLock::default(),
            rogue_keys: KeySet::generated(),
        })
    }

    /// Tells `observer` of every token request from now on; `false` if one already watches.
    pub fn set_observer(&self, observer: Arc<dyn crate::observe::Observer>) -> bool {
        self.observer.set(observer).is_ok()
    }

    /// Tells the observer, if there is one, of a token request and its answer.
    pub(crate) fn observe(&self, seen: crate::observe::Issued<'_>) {
        if let Some(observer) = self.observer.get() {
            observer.issued(&seen);
        }
    }

    /// The token the control API requires (`Authorization: Bearer`), or `None` when the world
    /// runs with `control.insecure`.
    pub fn control_token(&self) -> Option<&str> {
        self.control_token.as_deref()
    }

    /// Whether pages of `origin` may call the org cross-origin (a Trusted Origin with scope
    /// CORS). Origins compare without case, as browsers serialise them in lower case.
    pub fn cors_trusted(&self, origin: &str) -> bool {
        self.cors_origins.contains(&origin.to_ascii_lowercase())
    }

    /// Whether the org may send a browser to `url` after signing in (its origin is a Trusted
    /// Origin with scope REDIRECT).
    pub fn redirect_trusted(&self, url: &str) -> bool {
        self.redirect_origins.contains(&origin_of(url).to_ascii_lowercase())
    }

    /// A custom authorization server by id.
    pub fn server(&self, id: &str) -> Option<&AuthServer> {
        self.servers.get(id)
    }

    /// A server by fedmock id: a custom server's id, or `org`.
    pub fn server_by_key(&self, key: &str) -> Option<&AuthServer> {
        if key == ORG { Some(&self.org) } else { self.servers.get(key) }
    }

    /// All custom authorization servers.
    pub fn servers(&self) -> impl Iterator<Item = &AuthServer> {
        self.servers.values()
    }

    /// A client by id.
    pub fn client(&self, client_id: &str) -> Option<&ClientConfig> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    /// The first configured client.
    pub fn first_client(&self) -> Option<&ClientConfig> {
        self.clients.first()
    }

    /// A user by login; Okta logins are case-insensitive.
    pub fn user_by_login(&self, login: &str) -> Option<&UserConfig> {
        self.users.iter().find(|u| u.login.eq_ignore_ascii_case(login))
    }

    /// A user by Okta user id (`00u…`).
    pub fn user_by_id(&self, id: &str) -> Option<&UserConfig> {
        self.users.iter().find(|u| u.id == id)
    }

    /// The first configured user.
    pub fn first_user(&self) -> Option<&UserConfig> {
        self.users.first()
    }

    /// The faults in force.
    pub fn faults(&self) -> Arc<Faults> {
        Arc::clone(&self.faults.read().expect("faults lock"))
    }

    /// Replaces the faults in force (`Faults::default()` clears them).
    pub fn set_faults(&self, faults: Faults) {
        *self.faults.write().expect("faults lock") = Arc::new(faults);
    }
}

/// The control token of a run: the configured one, else derived from the seed (replicas
/// share it), else random. `None` when the control API is open.
fn control_token(config: &ControlConfig, seed: Option<&str>) -> Result<Option<String>, Error> {
    if config.insecure {
        return Ok(None);
    }
    let token = match (&config.token, seed) {
        (Some(token), _) => {
            let printable = token.chars().all(|c| c.is_ascii_graphic());
            if token.len() < 16 || token.len() > 256 || !printable {
                return Err(Error::Config(
                    "control.token must be 16 to 256 printable ASCII characters without spaces"
                        .into(),
                ));
            }
            token.clone()
        }
        (None, Some(seed)) => {
            let label = format!("{seed}/okta/control-token");
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, label.as_bytes());
            digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
        }
        (None, None) => crate::random::random_id(43),
    };
    Ok(Some(token))
}

/// The origin (`scheme://host[:port]`) of an absolute URL, as a browser serialises it: the
/// scheme's default port left out. Anything else comes back unchanged (and matches nothing).
pub(crate) fn origin_of(url: &str) -> &str {
    let Some((scheme, rest)) = url.split_once("://") else { return url };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &url[..scheme.len() + 3 + end];
    let default_port = match scheme {
        "http" => ":80",
        "https" => ":443",
        _ => "",
    };
    if default_port.is_empty() {
        authority
    } else {
        authority.strip_suffix(default_port).unwrap_or(authority)
    }
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn the_origin_of_a_redirect_uri_is_what_a_browser_sends() {
        assert_eq!(origin_of("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
        assert_eq!(
            origin_of("https://app.example.com/login/callback?x=1"),
            "https://app.example.com"
        );
        assert_eq!(origin_of("https://app.example.com:443/cb"), "https://app.example.com");
        assert_eq!(origin_of("http://localhost:3000"), "http://localhost:3000");
        assert_eq!(origin_of("com.example.app:/callback"), "com.example.app:/callback");
    }
}
