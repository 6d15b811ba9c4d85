//! The scenario file: a world and steps with expectations, in TOML.
//!
//! `[world]` is a merge patch over the default world (RFC 7396: tables merge, anything else
//! replaces), so a scenario states only what differs from the setup every Okta → Cognito
//! tutorial starts with. The world's clock stands still unless a `clock` step moves it.
//! Steps run in order; a step's results are named `{id.field}` in the
//! strings of later steps (a token's claims `{id.field.claim}`, e.g. `{okta.access_token.exp}`),
//! next to the world's facts `{okta}`, `{okta_host}`, `{issuer}`, `{logins_key}`, `{pool}`,
//! `{client_id}` and `{now}` (the world clock's time, moved by `clock` steps).

use std::collections::BTreeMap;

use harness::FederationConfig;
use harness::mock_okta::config::Claims;
use harness::mock_okta::{Signing, TokenKind};
#[cfg(feature = "run")]
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use crate::Error;

/// One scenario file.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[cfg_attr(feature = "run", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "run", schemars(title = "fedmock scenario"))]
pub struct Scenario {
    /// What the scenario reproduces, and what users see.
    pub description: String,
    /// A merge patch over the default world (`fedmock default-world` prints it): tables merge,
    /// anything else replaces.
    #[serde(default)]
    #[cfg_attr(feature = "run", schemars(with = "Option<serde_json::Map<String, Value>>"))]
    pub world: Option<toml::Table>,
    /// The clients this scenario's Cognito/STS steps run through when the command line names
    /// none (`fedmock run --clients` overrides it), e.g. `["js-v2"]` for a flow only that SDK
    /// has. Defaults to `["rust"]`.
    #[serde(default)]
    #[cfg_attr(feature = "run", schemars(schema_with = "client_names"))]
    pub clients: Option<Vec<Client>>,
    /// The steps, in order.
    #[serde(rename = "step")]
    pub steps: Vec<Step>,
    /// The file's text, to name lines in errors found after parsing.
    #[serde(skip)]
    #[cfg_attr(feature = "run", schemars(skip))]
    text: Option<String>,
}

/// What a step does.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "run", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Tokens from mock-okta's token endpoint over HTTP.
    Token,
    /// A token minted directly, with any claims and signing.
    Mint,
    /// Moves the world clock.
    Clock,
    /// Switches mock-okta faults on from now until the next `faults` step (`faults = {}`
    /// switches them off): the JWKS endpoint's `jwks_status` and `jwks_delay_ms` among them,
    /// so Cognito's and STS's key fetches fail as an unreachable or slow issuer's do.
    Faults,
    /// Rotates an authorization server's signing keys (mock-okta): a new `kid` signs from now
    /// on, the old key stays published. Results: `{id.kid}`.
    RotateKeys,
    /// Cognito `GetId`.
    GetId,
    /// Cognito `GetCredentialsForIdentity`.
    GetCredentials,
    /// Cognito `GetOpenIdToken`.
    GetOpenIdToken,
    /// STS `AssumeRoleWithWebIdentity`.
    AssumeRole,
    /// Credentials the way an app gets them from the SDK's Cognito credential provider: the
    /// JavaScript SDK v2's `AWS.CognitoIdentityCredentials` (the path most Okta tutorials use),
    /// v3's `fromCognitoIdentityPool`; for clients without one (Rust, boto3, the AWS CLI) the
    /// same calls in order: `GetId`, then `GetCredentialsForIdentity`, or with `role_arn` the
    /// basic flow (`GetOpenIdToken`, STS `AssumeRoleWithWebIdentity`). Results: `{id.identity_id}`
    /// and the credentials.
    Credentials,
}

/// What a step must end with.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "run", derive(JsonSchema))]
#[serde(untagged)]
pub enum Expect {
    /// `"ok"`.
    #[default]
    #[serde(skip)]
    Ok,
    /// `"ok"` as written in the file.
    Word(String),
    /// An AWS error type, and its message if given.
    Error {
        /// The error type, e.g. `NotAuthorizedException`.
        error: String,
        /// The exact message.
        #[serde(default)]
        message: Option<String>,
    },
}

/// One step.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[cfg_attr(feature = "run", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The name later steps use to refer to this one's results.
    pub id: Option<String>,
    /// What it does.
    #[cfg_attr(feature = "run", schemars(required))]
    pub action: Option<Action>,
    /// `token`: the grant (`password` or `client_credentials`). Defaults to `password`.
    pub grant: Option<String>,
    /// `token`/`mint`/`rotate_keys`: authorization server id, or `org`. Defaults to the
    /// world's first.
    pub server: Option<String>,
    /// `token`/`mint`: the client. Defaults to the world's first.
    pub client: Option<String>,
    /// `token`: the user's login (password `correct horse battery staple` unless given).
    pub user: Option<String>,
    /// `token`: the user's password.
    pub password: Option<String>,
    /// `token`: scopes. Defaults to `openid`.
    pub scope: Option<String>,
    /// mock-okta faults: for a `token` step, in force for that request only (`token_error`,
    /// `token_delay_ms`, `access_token_claims`/`id_token_claims` merged over Okta's,
    /// `signing`; a refused request's `expect` is the OAuth `error` and `error_description`);
    /// for a `faults` step, from then on, `jwks_status` and `jwks_delay_ms` included.
    #[serde(default)]
    #[cfg_attr(feature = "run", schemars(schema_with = "faults"))]
    pub faults: Option<harness::mock_okta::Faults>,
    /// `mint`: `access` or `id`. Defaults to `access`.
    #[serde(default)]
    #[cfg_attr(feature = "run", schemars(schema_with = "token_kind"))]
    pub token: Option<TokenKind>,
    /// `mint`: claims merged over Okta's.
    #[cfg_attr(feature = "run", schemars(with = "Option<serde_json::Map<String, Value>>"))]
    pub claims: Option<Claims>,
    /// `mint`: claims taken out of Okta's (TOML has no `null`), e.g. `["aud"]`.
    pub remove_claims: Option<Vec<String>>,
    /// `mint`: how to sign.
    #[serde(default)]
    #[cfg_attr(feature = "run", schemars(schema_with = "signing"))]
    pub signing: Option<Signing>,
    /// `clock`: seconds to move the world clock.
    pub advance: Option<i64>,
    /// Cognito calls: the pool. Defaults to the world's first.
    pub pool: Option<String>,
    /// Cognito calls: the `Logins` map.
    pub logins: Option<BTreeMap<String, String>>,
    /// `get_credentials`/`get_open_id_token`: the identity.
    pub identity: Option<String>,
    /// `get_credentials`: `CustomRoleArn`.
    pub custom_role_arn: Option<String>,
    /// `assume_role`: the role.
    pub role_arn: Option<String>,
    /// `assume_role`: the token.
    pub web_identity_token: Option<String>,
    /// `assume_role`: the session name. Defaults to `fedmock-scenario`.
    pub session_name: Option<String>,
    /// `assume_role`: `DurationSeconds` (AWS's default, 3600, when absent).
    pub duration_seconds: Option<i64>,
    /// `ok` (the default) or `{ error, message }`.
    #[serde(default)]
    pub expect: Expect,
    /// The role the credentials must belong to.
    pub expect_role: Option<String>,
    /// The identity must be the one an earlier step got.
    pub expect_same_identity_as: Option<String>,
}

#[cfg(feature = "run")]
fn token_kind(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "enum": ["access", "id"] })
}

#[cfg(feature = "run")]
fn signing(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "How the token is signed (mock-okta signing faults).",
        "type": "object",
        "properties": {
            "kind": { "enum": ["normal", "unpublished_key", "tampered_signature", "unknown_kid", "alg_none", "hs256"] },
            "secret": { "type": "string", "description": "hs256: the HMAC secret." }
        },
        "required": ["kind"],
        "additionalProperties": false
    })
}

#[cfg(feature = "run")]
fn client_names(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names: Vec<&str> = Client::ALL.iter().map(|c| c.name()).collect();
    schemars::json_schema!({
        "description": "The clients the steps run through unless the command line names others.",
        "type": "array",
        "items": { "enum": names },
        "minItems": 1
    })
}

#[cfg(feature = "run")]
fn faults(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let signing = signing(generator);
    schemars::json_schema!({
        "description": "`token`: mock-okta faults in force for this request only; `faults`: from this step on.",
        "type": "object",
        "properties": {
            "token_error": {
                "description": "The token endpoint answers this OAuth error instead of tokens.",
                "type": "object",
                "properties": {
                    "error": { "type": "string", "description": "e.g. invalid_grant" },
                    "error_description": { "type": "string" },
                    "status": { "type": "integer", "description": "HTTP status. Defaults to 400." }
                },
                "required": ["error"],
                "additionalProperties": false
            },
            "token_delay_ms": { "type": "integer", "minimum": 0 },
            "jwks_status": { "type": "integer", "description": "`faults`: the JWKS endpoint answers this HTTP status." },
            "jwks_delay_ms": { "type": "integer", "minimum": 0, "description": "`faults`: the JWKS endpoint waits this long." },
            "access_token_claims": { "type": "object", "description": "Merged over Okta's (null removes one)." },
            "id_token_claims": { "type": "object", "description": "Merged over Okta's (null removes one)." },
            "signing": signing
        },
        "additionalProperties": false
    })
}

impl Scenario {
    #[cfg(feature = "run")]
    /// The JSON Schema of scenario files, for editors (`#:schema` in a TOML file) and
    /// validators; derived from the same types the parser uses.
    pub fn json_schema() -> Value {
        serde_json::to_value(schemars::schema_for!(Scenario)).expect("a schema serialises")
    }

    /// Parses a scenario; errors name the file, line and field.
    pub fn parse(file: &str, text: &str) -> Result<Self, Error> {
        let mut scenario: Scenario = toml::from_str(text)
            .map_err(|e| Error::Parse { file: file.to_owned(), message: e.to_string() })?;
        scenario.text = Some(text.to_owned());
        for (i, step) in scenario.steps.iter().enumerate() {
            let name = step.id.clone().unwrap_or_else(|| format!("step {}", i + 1));
            if step.action.is_none() {
                return Err(Error::Parse {
                    file: file.to_owned(),
                    message: format!("{name}: missing field `action`"),
                });
            }
            if let Expect::Word(word) = &step.expect
                && word != "ok"
            {
                return Err(Error::Parse {
                    file: file.to_owned(),
                    message: format!(
                        "{name}: expect must be \"ok\" or {{ error, message }}, got {word:?}"
                    ),
                });
            }
        }
        Ok(scenario)
    }

    /// The clients the file names, or the AWS SDK for Rust.
    pub fn default_clients(&self) -> Vec<Client> {
        self.clients.clone().unwrap_or_else(|| vec![Client::Rust])
    }

    /// Why the scenario cannot run against a shared, already running world, if it cannot:
    /// it reshapes the world (`[world]`), changes it for everyone after it (`rotate_keys`:
    /// Cognito's key cache would refuse the next scenarios' tokens; `faults`).
    pub fn needs_own_world(&self) -> Option<&'static str> {
        if self.world.is_some() {
            Some("its [world] needs a world of its own")
        } else if self.steps.iter().any(|s| s.action == Some(Action::RotateKeys)) {
            Some("rotate_keys would change a shared world's keys for every scenario after it")
        } else if self.steps.iter().any(|s| s.action == Some(Action::Faults)) {
            Some("faults would change a shared world's Okta for every scenario after it")
        } else {
            None
        }
    }

    /// The scenario's world: the default world with `[world]` merged over it.
    pub fn world(&self, file: &str) -> Result<FederationConfig, Error> {
        let mut world = serde_json::to_value(FederationConfig::default_world())
            .expect("the default world serialises");
        if let Some(patch) = &self.world {
            merge(&mut world, serde_json::to_value(patch).expect("TOML converts to JSON"));
        }
        serde_path_to_error::deserialize(world).map_err(|e| {
            let path = e.path().to_string();
            let at = self.line_of(&path).map(|l| format!("line {l}, ")).unwrap_or_default();
            Error::Parse {
                file: file.to_owned(),
                message: format!("{at}world.{path}: {}", e.into_inner()),
            }
        })
    }

    /// The line of the scenario's text where the world field at `path` (`aws.pools[0].x`) is
    /// written: the first line after `[world` that sets its last key. `None` when the key is
    /// not written there (a field the patch omitted that the merged world needs).
    fn line_of(&self, path: &str) -> Option<usize> {
        let text = self.text.as_deref()?;
        let key = path.rsplit('.').next()?.split('[').next()?;
        let start = text.lines().position(|l| l.trim_start().starts_with("[world"))?;
        let sets_key = |line: &str| {
            let line = line.trim_start();
            [format!("{key} ="), format!("{key}="), format!("\"{key}\"")]
                .iter()
                .any(|p| line.starts_with(p.as_str()) || line.contains(&format!(" {p}")))
                || line.starts_with('[') && line.contains(&format!(".{key}]"))
        };
        text.lines().enumerate().skip(start).find(|(_, l)| sets_key(l)).map(|(i, _)| i + 1)
    }
}

/// RFC 7396 merge patch: objects merge key by key, `null` removes, anything else replaces.
fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(&key);
                } else {
                    merge(target.entry(key).or_insert(Value::Null), value);
                }
            }
        }
        (target, patch) => *target = patch,
    }
}

/// A client that runs Cognito/STS steps; named in files as on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize)]
pub enum Client {
    /// The AWS SDK for Rust (`aws-sdk-cognitoidentity`, `aws-sdk-sts`), in process.
    #[serde(rename = "rust")]
    Rust,
    /// The AWS SDK for JavaScript v2 (`aws-sdk`), as `AWS.CognitoIdentityCredentials` calls it.
    #[serde(rename = "js-v2")]
    JsV2,
    /// The AWS SDK for JavaScript v3 (`@aws-sdk/client-cognito-identity`, `@aws-sdk/client-sts`).
    #[serde(rename = "js-v3")]
    JsV3,
    /// boto3.
    #[serde(rename = "boto3")]
    Boto3,
    /// The AWS CLI (v1, from PyPI).
    #[serde(rename = "aws-cli")]
    AwsCli,
}

impl Client {
    /// Every client, in report order.
    pub const ALL: [Client; 5] =
        [Client::Rust, Client::JsV2, Client::JsV3, Client::Boto3, Client::AwsCli];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Client::Rust => "rust",
            Client::JsV2 => "js-v2",
            Client::JsV3 => "js-v3",
            Client::Boto3 => "boto3",
            Client::AwsCli => "aws-cli",
        }
    }

    /// The client called `name`.
    pub fn from_name(name: &str) -> Option<Client> {
        Client::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The clients called `names`; an unknown name is an error that lists the known ones.
    pub fn from_names<'n>(
        names: impl IntoIterator<Item = &'n String>,
    ) -> Result<Vec<Client>, crate::Error> {
        names
            .into_iter()
            .map(|name| {
                Client::from_name(name).ok_or_else(|| {
                    let known: Vec<&str> = Client::ALL.iter().map(|c| c.name()).collect();
                    crate::Error::Usage(format!(
                        "unknown client {name:?}; known: {}",
                        known.join(", ")
                    ))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_world_patch_changes_only_what_it_names() {
        let scenario = Scenario::parse(
            "t.toml",
            r#"
description = "x"
[[world.aws.oidc_providers]]
url = "{okta}/oauth2/default"
client_ids = ["0oafedmock0client0001"]
[[step]]
action = "get_id"
"#,
        )
        .unwrap();
        let world = scenario.world("t.toml").unwrap();
        assert_eq!(world.aws.oidc_providers[0].client_ids, ["0oafedmock0client0001"]);
        assert_eq!(world.okta.users[0].login, "alice@example.com", "the rest is the default world");
    }

    #[test]
    fn errors_name_the_file_line_and_field() {
        let err = Scenario::parse(
            "bad.toml",
            "description = \"x\"\n[[step]]\naction = \"get_id\"\nexpcet = \"ok\"\n",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("bad.toml") && text.contains("line 4") && text.contains("expcet"),
            "{text}"
        );
        let err =
            Scenario::parse("bad.toml", "description = \"x\"\n[[step]]\nid = \"a\"\n").unwrap_err();
        assert!(err.to_string().contains("a: missing field `action`"), "{err}");
    }
}
