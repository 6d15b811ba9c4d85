//! The configuration of a mock Okta org: its authorization servers, clients and users.
//!
//! One serde model serves every caller: `fedmock up --config`, the harness builder and,
//! later, scenario files. Every field has a default, so an empty table is a working org.
//! Claims are plain JSON maps layered server → client → user; a `null` value removes a
//! claim, which is how a test produces "the token has no `aud`" on purpose.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A JSON object of claims, merged over the claims mock-okta computes itself.
pub type Claims = Map<String, Value>;

/// The whole mock Okta org.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OktaConfig {
    /// The URL that clients use to reach this org (`https://dev-123456.okta.com` in real life).
    /// Defaults to `http://<bound address>`, which is right whenever clients run on this machine.
    pub base_url: Option<String>,
    /// The org id, put in the ID token's `idp` claim. Defaults to `00ofedmock0org0000001`.
    pub org_id: String,
    /// The org authorization server (issuer = base URL, endpoints under `/oauth2/v1/`).
    pub org: AuthServerConfig,
    /// Custom authorization servers (issuer = `{base}/oauth2/{id}`).
    /// Defaults to one server, `default`, with audience `api://default`.
    pub servers: Vec<AuthServerConfig>,
    /// OAuth clients (applications). Defaults to none.
    pub clients: Vec<ClientConfig>,
    /// Users who can sign in. Defaults to none.
    pub users: Vec<UserConfig>,
    /// The login of a user who is signed in at `/v1/authorize` without a form, so a test can
    /// run the authorization code flow with no browser. Defaults to none: `login_hint` picks
    /// the user, else the HTML login form is shown.
    pub auto_login: Option<String>,
    /// Derive every generated signing key from this text instead of the system's randomness,
    /// so processes with the same world and seed publish the same JWKS (replicas). Keys given
    /// in `keys` are used as they are. Defaults to none (fresh keys on every run). A world's
    /// top-level `seed` fills this.
    pub seed: Option<String>,
    /// Who may call fedmock's control API (`/__fedmock/`): by default only callers that
    /// present the run's control token.
    pub control: ControlConfig,
    /// The org's Trusted Origins (Okta's admin API `/api/v1/trustedOrigins`): web pages whose
    /// cross-origin calls the org answers (CORS) and where it may redirect after sign-in or
    /// sign-out (REDIRECT). Defaults to none, as a new Okta org has none: a page on another
    /// origin gets no CORS answer.
    pub trusted_origins: Vec<TrustedOriginConfig>,
}

/// A Trusted Origin, as Okta's admin API models one.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TrustedOriginConfig {
    /// A name for people. Defaults to the origin.
    #[serde(default)]
    pub name: String,
    /// `scheme://host[:port]`, no path, e.g. `http://localhost:3000`.
    pub origin: String,
    /// What the origin may do: `CORS`, `REDIRECT`. Defaults to both.
    #[serde(default = "both_scopes")]
    pub scopes: Vec<OriginScope>,
}

fn both_scopes() -> Vec<OriginScope> {
    vec![OriginScope::Cors, OriginScope::Redirect]
}

/// What a Trusted Origin is trusted for.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum OriginScope {
    /// Cross-origin calls from the origin's pages are answered.
    Cors,
    /// Redirects to the origin after sign-in or sign-out are allowed.
    Redirect,
}

/// Access to fedmock's control API (`/__fedmock/` on mock-okta's port), which can mint
/// tokens, move the clock, rotate keys and inject faults, so it is not open to whoever can
/// reach the port (or to a web page the developer visits: cross-site requests and DNS
/// rebinding).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ControlConfig {
    /// The token callers present as `Authorization: Bearer <token>` (or, in a browser, the
    /// cookie `GET /__fedmock/...?token=<token>` sets). Defaults to one made per run, derived
    /// from `seed` when there is one so replicas share it. Printed by `fedmock up` and written
    /// to its ready file as `control_token`.
    pub token: Option<String>,
    /// No token and no Origin/Host checks: anyone who reaches the port may drive the world.
    /// Defaults to false.
    pub insecure: bool,
}

impl Default for OktaConfig {
    fn default() -> Self {
        Self {
            base_url: None,
            org_id: "00ofedmock0org0000001".into(),
            org: AuthServerConfig { id: "org".into(), ..AuthServerConfig::default() },
            servers: vec![AuthServerConfig::default()],
            clients: Vec::new(),
            users: Vec::new(),
            auto_login: None,
            seed: None,
            control: ControlConfig::default(),
            trusted_origins: Vec::new(),
        }
    }
}

/// One authorization server: the org server or a custom one.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AuthServerConfig {
    /// The id in `/oauth2/{id}`. Defaults to `default`. Ignored for the org server.
    pub id: String,
    /// The access token's `aud`. Defaults to `api://default`. The org server's audience is
    /// always its issuer, as in Okta, and this field is ignored there.
    pub audience: String,
    /// Custom scopes this server grants, on top of the OpenID Connect ones (`openid`,
    /// `profile`, `email`, `address`, `phone`, `offline_access`, `groups`). Defaults to none.
    pub scopes: Vec<String>,
    /// Scopes granted when a request names none. Defaults to none: such a request fails with
    /// Okta's `invalid_scope` "No scopes were requested."
    pub default_scopes: Vec<String>,
    /// The issuer this server presents, e.g. `https://dev-123456.okta.com/oauth2/default`,
    /// while served locally: tokens and discovery carry it, and the harness tells
    /// mock-cognito where it really is. Defaults to the local issuer.
    pub issuer: Option<String>,
    /// Access token lifetime in seconds. Defaults to 3600 (Okta's default policy).
    pub access_token_lifetime_secs: i64,
    /// ID token lifetime in seconds. Defaults to 3600 (fixed in Okta).
    pub id_token_lifetime_secs: i64,
    /// Refresh token lifetime in seconds. Defaults to 90 days.
    pub refresh_token_lifetime_secs: i64,
    /// Whether using a refresh token replaces it with a new one. Defaults to `false`
    /// (Okta's "persistent" refresh token behaviour).
    pub rotate_refresh_tokens: bool,
    /// Claims computed from the user's profile or given as values, per token kind (Okta's
    /// authorization server claims). Defaults to none.
    pub claims: Vec<ClaimRule>,
    /// Claims added to (or, with `null`, removed from) every access token of this server.
    pub access_token_claims: Claims,
    /// Claims added to (or removed from) every ID token of this server.
    pub id_token_claims: Claims,
    /// Signing keys, first one active. Defaults to one key generated on first use.
    pub keys: Vec<KeyConfig>,
}

impl Default for AuthServerConfig {
    fn default() -> Self {
        Self {
            id: "default".into(),
            audience: "api://default".into(),
            scopes: Vec::new(),
            default_scopes: Vec::new(),
            issuer: None,
            access_token_lifetime_secs: 3600,
            id_token_lifetime_secs: 3600,
            refresh_token_lifetime_secs: 90 * 24 * 3600,
            rotate_refresh_tokens: false,
            claims: Vec::new(),
            access_token_claims: Claims::new(),
            id_token_claims: Claims::new(),
            keys: Vec::new(),
        }
    }
}

/// Which token a claim rule applies to.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// The access token (Okta's `RESOURCE` claim type).
    #[default]
    Access,
    /// The ID token (Okta's `IDENTITY` claim type).
    Id,
}

/// One authorization-server claim: a name, the token it goes in, and exactly one source.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClaimRule {
    /// The claim's name.
    pub name: String,
    /// The token it goes in. Defaults to `access`.
    #[serde(default)]
    pub token: TokenKind,
    /// A fixed value.
    #[serde(default)]
    pub value: Option<Value>,
    /// A user profile attribute: `login`, `email`, `name`, `id`, or a custom attribute.
    #[serde(default)]
    pub profile: Option<String>,
    /// The user's groups whose names match this regular expression (Okta's group filter).
    #[serde(default)]
    pub groups: Option<String>,
}

/// A signing key given in config, for tokens that are the same on every run.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    /// The `kid`. Defaults to the key's RFC 7638 thumbprint (43 characters, like Okta's).
    #[serde(default)]
    pub kid: Option<String>,
    /// An RSA private key, PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub private_key_pem: String,
}

/// How a client authenticates at the token endpoint (Okta's `token_endpoint_auth_method`).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuthMethod {
    /// `Authorization: Basic base64(client_id:client_secret)`. Okta's default.
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// A JWT assertion signed with a key from the client's `jwks`.
    PrivateKeyJwt,
    /// A public client: `client_id` only, and PKCE for the code flow.
    None,
}

impl ClientAuthMethod {
    /// The name Okta uses on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::PrivateKeyJwt => "private_key_jwt",
            Self::None => "none",
        }
    }
}

/// An OAuth client (an Okta app integration).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ClientConfig {
    /// The client id (`0oa…` in Okta). Defaults to `0oafedmock0client0001`.
    pub client_id: String,
    /// The client secret. Defaults to a fixed development secret.
    pub client_secret: String,
    /// The one authentication method Okta accepts from this client. Defaults to
    /// `client_secret_basic`.
    pub token_endpoint_auth_method: ClientAuthMethod,
    /// Grant types this client may use (`authorization_code`, `refresh_token`, `implicit`,
    /// `client_credentials`, `password`). Defaults to `client_credentials` and `password`.
    pub grant_types: Vec<String>,
    /// Registered redirect URIs for `/v1/authorize`. Defaults to none.
    pub redirect_uris: Vec<String>,
    /// Registered post-logout redirect URIs for `/v1/logout`. Defaults to none.
    pub post_logout_redirect_uris: Vec<String>,
    /// The client's public keys (a JWKS), for `private_key_jwt`. Defaults to none.
    pub jwks: Option<Value>,
    /// Claims added to (or removed from) access tokens issued to this client.
    pub access_token_claims: Claims,
    /// Claims added to (or removed from) ID tokens issued to this client.
    pub id_token_claims: Claims,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            client_id: "0oafedmock0client0001".into(),
            client_secret: "fedmock-client-secret-0123456789abcdefghij".into(),
            token_endpoint_auth_method: ClientAuthMethod::default(),
            grant_types: vec!["client_credentials".into(), "password".into()],
            redirect_uris: Vec::new(),
            post_logout_redirect_uris: Vec::new(),
            jwks: None,
            access_token_claims: Claims::new(),
            id_token_claims: Claims::new(),
        }
    }
}

/// A user of the org.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct UserConfig {
    /// The Okta user id (`00u…`): the ID token's `sub` and the access token's `uid`.
    /// Defaults to `00ufedmock0user00001`.
    pub id: String,
    /// The login (username): the access token's `sub`. Defaults to `alice@example.com`.
    pub login: String,
    /// The password for the `password` grant. Defaults to `correct horse battery staple`.
    pub password: String,
    /// Full name, in the ID token's `name` with the `profile` scope. Defaults to `Alice Example`.
    pub name: String,
    /// E-mail, in the ID token's `email` with the `email` scope. Defaults to the login.
    pub email: Option<String>,
    /// Groups the user belongs to, for `groups` claim rules. Defaults to none.
    pub groups: Vec<String>,
    /// Custom profile attributes, for `profile` claim rules. Defaults to none.
    pub profile: Claims,
    /// Claims added to (or removed from) this user's access tokens.
    pub access_token_claims: Claims,
    /// Claims added to (or removed from) this user's ID tokens.
    pub id_token_claims: Claims,
}

impl UserConfig {
    /// The e-mail address: `email`, else the login.
    pub fn email(&self) -> &str {
        self.email.as_deref().unwrap_or(&self.login)
    }

    /// A profile attribute by name (`id`, `login`, `email`, `name` or a custom one), for
    /// `profile` claim rules.
    pub fn profile_value(&self, attribute: &str) -> Option<Value> {
        match attribute {
            "id" => Some(Value::from(self.id.as_str())),
            "login" => Some(Value::from(self.login.as_str())),
            "email" => Some(Value::from(self.email())),
            "name" => Some(Value::from(self.name.as_str())),
            other => self.profile.get(other).cloned(),
        }
    }
}

impl Default for UserConfig {
    fn default() -> Self {
        Self {
            id: "00ufedmock0user00001".into(),
            login: "alice@example.com".into(),
            password: "correct horse battery staple".into(),
            name: "Alice Example".into(),
            email: None,
            groups: Vec::new(),
            profile: Claims::new(),
            access_token_claims: Claims::new(),
            id_token_claims: Claims::new(),
        }
    }
}
