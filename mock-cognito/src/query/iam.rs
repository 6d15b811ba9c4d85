//! IAM on the same endpoint, for infrastructure scripts (`aws iam … --endpoint-url`): the
//! OpenID Connect provider actions and the role actions pools and STS use, over the Query
//! protocol with XML answers (docs/reference/cognito.md §5). Every action is signed (service `iam`, scope
//! `us-east-1`). World config and these calls change the same state.
//!
//! URL rules are AWS's: `https://` only, no port, no query or fragment, case-sensitive,
//! unique; `allow_http_issuers` relaxes the first two for local issuers. Error texts that
//! are not from an observed AWS answer are marked inferred.

use std::sync::Arc;

use super::Params;
use crate::account::{OidcProviderConfig, Provider, Role, RoleConfig};
use crate::clock::iso8601;
use crate::error::AwsError;
use crate::state::CognitoState;
use crate::texts;
use crate::xml::xml_escape;

/// IAM's XML namespace, for its answers.
const NAMESPACE: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

/// The IAM actions served here.
pub const ACTIONS: [&str; 11] = [
    "CreateOpenIDConnectProvider",
    "GetOpenIDConnectProvider",
    "DeleteOpenIDConnectProvider",
    "ListOpenIDConnectProviders",
    "AddClientIDToOpenIDConnectProvider",
    "RemoveClientIDFromOpenIDConnectProvider",
    "UpdateOpenIDConnectProviderThumbprint",
    "CreateRole",
    "GetRole",
    "DeleteRole",
    "UpdateAssumeRolePolicy",
];

/// Limits (docs/reference/cognito.md §5).
const MAX_CLIENT_IDS: usize = 100;
const MAX_THUMBPRINTS: usize = 5;
const MAX_PROVIDERS: usize = 100;

fn invalid(why: String) -> AwsError {
    texts::IAM_INVALID.with(&[("why", &why)])
}

fn required<'p>(params: &'p Params, name: &str) -> Result<&'p str, AwsError> {
    params.get(name).map(String::as_str).ok_or_else(|| {
        texts::VALIDATION_QUERY.composed(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            lower_first(name)
        ))
    })
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|c| c.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// `Name.member.1`, `Name.member.2`, … in order.
fn members(params: &Params, name: &str) -> Vec<String> {
    let prefix = format!("{name}.member.");
    let mut found: Vec<(usize, String)> = params
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(&prefix).and_then(|n| n.parse().ok()).map(|n| (n, v.clone()))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, v)| v).collect()
}

fn answer(action: &str, result: &str) -> String {
    format!(
        r#"<{action}Response xmlns="{NAMESPACE}"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{action}Response>"#,
        crate::error::request_id()
    )
}

fn list_xml(name: &str, items: &[String]) -> String {
    let members: String =
        items.iter().map(|i| format!("<member>{}</member>", xml_escape(i))).collect();
    format!("<{name}>{members}</{name}>")
}

/// The resource an IAM action is on, as AWS names it in a refusal: the provider's ARN (given,
/// or made from `Url` as CreateOpenIDConnectProvider makes it; antonputra/tutorials#196), the
/// role's ARN, or the resource type's ARN with no name for a list action (inferred from
/// Cognito's `identitypool/` for ListIdentityPools, hashicorp/terraform-provider-aws#15773).
pub fn resource(state: &CognitoState, action: &str, params: &Params) -> String {
    let account = &state.account_id;
    if let Some(arn) = params.get("OpenIDConnectProviderArn") {
        return arn.clone();
    }
    if let Some(url) = params.get("Url") {
        return format!("arn:aws:iam::{account}:oidc-provider/{}", crate::strip_scheme(url));
    }
    if let Some(name) = params.get("RoleName") {
        return format!("arn:aws:iam::{account}:role/{name}");
    }
    if action.contains("OpenIDConnectProvider") {
        format!("arn:aws:iam::{account}:oidc-provider/")
    } else {
        format!("arn:aws:iam::{account}:role/")
    }
}

/// Handles one IAM action (already authenticated and authorised).
pub fn handle(state: &CognitoState, action: &str, params: &Params) -> Result<String, AwsError> {
    match action {
        "CreateOpenIDConnectProvider" => create_provider(state, params),
        "GetOpenIDConnectProvider" => {
            let provider = provider(state, params)?;
            let created = iso8601(provider.created);
            Ok(answer(
                action,
                &format!(
                    "<Url>{}</Url>{}{}<CreateDate>{created}</CreateDate><Tags/>",
                    xml_escape(&provider.name),
                    list_xml("ClientIDList", &provider.client_ids),
                    list_xml("ThumbprintList", &provider.thumbprints)
                ),
            ))
        }
        "DeleteOpenIDConnectProvider" => {
            let arn = required(params, "OpenIDConnectProviderArn")?;
            let provider = state
                .providers()
                .into_iter()
                .find(|p| p.arn == arn)
                .ok_or_else(|| texts::IAM_DELETE_NO_PROVIDER.with(&[("arn", &arn)]))?;
            state.change(|world| world.providers.remove(&provider.name));
            Ok(answer(action, ""))
        }
        "ListOpenIDConnectProviders" => {
            let mut arns: Vec<String> =
                state.providers().into_iter().map(|p| p.arn.clone()).collect();
            arns.sort();
            let items: String = arns
                .iter()
                .map(|a| format!("<member><Arn>{}</Arn></member>", xml_escape(a)))
                .collect();
            Ok(answer(
                action,
                &format!("<OpenIDConnectProviderList>{items}</OpenIDConnectProviderList>"),
            ))
        }
        "AddClientIDToOpenIDConnectProvider" | "RemoveClientIDFromOpenIDConnectProvider" => {
            let provider = provider(state, params)?;
            let client_id = required(params, "ClientID")?.to_owned();
            let adding = action.starts_with("Add");
            if adding
                && !provider.client_ids.contains(&client_id)
                && provider.client_ids.len() >= MAX_CLIENT_IDS
            {
                return Err(texts::IAM_TOO_MANY_CLIENT_IDS.with(&[("max", &MAX_CLIENT_IDS)]));
            }
            state.change(|world| {
                if let Some(p) = world.providers.get_mut(&provider.name) {
                    let p = Arc::make_mut(p);
                    p.client_ids.retain(|c| c != &client_id);
                    if adding {
                        p.client_ids.push(client_id);
                    }
                }
            });
            Ok(answer(action, ""))
        }
        "UpdateOpenIDConnectProviderThumbprint" => {
            let provider = provider(state, params)?;
            let thumbprints = thumbprints(params)?;
            state.change(|world| {
                world
                    .providers
                    .get_mut(&provider.name)
                    .map(|p| Arc::make_mut(p).thumbprints = thumbprints)
            });
            Ok(answer(action, ""))
        }
        "CreateRole" => create_role(state, params),
        "GetRole" => {
            let role = role(state, params)?;
            Ok(answer(action, &role_xml(&role)))
        }
        "DeleteRole" => {
            let role = role(state, params)?;
            state.change(|world| world.roles.remove(&role.arn));
            Ok(answer(action, ""))
        }
        "UpdateAssumeRolePolicy" => {
            let role = role(state, params)?;
            let policy = policy_document(required(params, "PolicyDocument")?)?;
            state.change(|world| {
                world
                    .roles
                    .get_mut(&role.arn)
                    .map(|r| Arc::make_mut(r).trust_policy = policy.into())
            });
            Ok(answer(action, ""))
        }
        other => Err(texts::INVALID_ACTION.with(&[("action", &other), ("version", &"2010-05-08")])),
    }
}

fn thumbprints(params: &Params) -> Result<Vec<String>, AwsError> {
    let thumbprints = members(params, "ThumbprintList");
    if thumbprints.len() > MAX_THUMBPRINTS {
        return Err(texts::IAM_TOO_MANY_THUMBPRINTS.with(&[("max", &MAX_THUMBPRINTS)]));
    }
    if thumbprints.iter().any(|t| t.len() != 40 || !t.chars().all(|c| c.is_ascii_hexdigit())) {
        return Err(texts::IAM_THUMBPRINT.error());
    }
    Ok(thumbprints)
}

fn create_provider(state: &CognitoState, params: &Params) -> Result<String, AwsError> {
    let url = required(params, "Url")?;
    let rest = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => rest,
        (None, Some(rest)) if state.allow_http_issuers => rest,
        (None, Some(_)) => return Err(texts::IAM_URL_SCHEME.error()),
        (None, None) => return Err(texts::IAM_URL_NO_SCHEME.error()),
    };
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Err(texts::IAM_URL_NO_SCHEME.error());
    }
    if url.contains('?') || url.contains('#') || (host.contains(':') && !state.allow_http_issuers) {
        return Err(texts::IAM_URL_INVALID.with(&[("url", &url)]));
    }
    let client_ids = members(params, "ClientIDList");
    if client_ids.len() > MAX_CLIENT_IDS {
        return Err(texts::IAM_TOO_MANY_CLIENT_IDS.with(&[("max", &MAX_CLIENT_IDS)]));
    }
    let thumbprints = thumbprints(params)?;
    if state.providers().len() >= MAX_PROVIDERS {
        return Err(texts::IAM_TOO_MANY_PROVIDERS.with(&[("max", &MAX_PROVIDERS)]));
    }
    let now = state.clock.now();
    let created = state.change(|world| {
        if world.providers.contains_key(crate::account::strip_scheme(url)) {
            return Err(texts::IAM_PROVIDER_EXISTS.with(&[("url", &url)]));
        }
        let provider = world
            .add_provider(&state.account_id, OidcProviderConfig { url: url.to_owned(), client_ids })
            .map_err(invalid)?;
        if let Some(p) = world.providers.get_mut(&provider.name) {
            let p = Arc::make_mut(p);
            p.thumbprints = thumbprints;
            p.created = now;
        }
        Ok(provider)
    })?;
    Ok(answer(
        "CreateOpenIDConnectProvider",
        &format!(
            "<OpenIDConnectProviderArn>{}</OpenIDConnectProviderArn>",
            xml_escape(&created.arn)
        ),
    ))
}

fn provider(state: &CognitoState, params: &Params) -> Result<Arc<Provider>, AwsError> {
    let arn = required(params, "OpenIDConnectProviderArn")?;
    state
        .providers()
        .into_iter()
        .find(|p| p.arn == arn)
        .ok_or_else(|| texts::IAM_NO_PROVIDER.with(&[("arn", &arn)]))
}

fn policy_document(text: &str) -> Result<serde_json::Value, AwsError> {
    serde_json::from_str(text).map_err(|_| texts::IAM_POLICY_JSON.error())
}

fn create_role(state: &CognitoState, params: &Params) -> Result<String, AwsError> {
    let name = required(params, "RoleName")?.to_owned();
    let policy = policy_document(required(params, "AssumeRolePolicyDocument")?)?;
    let max_session = match params.get("MaxSessionDuration") {
        Some(text) => match text.parse::<i64>() {
            Ok(d) if (3600..=43_200).contains(&d) => d,
            parsed => {
                let constraint = match parsed {
                    Ok(d) if d > 43_200 => "Member must have value less than or equal to 43200",
                    _ => "Member must have value greater than or equal to 3600",
                };
                return Err(texts::VALIDATION_QUERY.with(&[
                    ("value", &text),
                    ("member", &"maxSessionDuration"),
                    ("constraint", &constraint),
                ]));
            }
        },
        None => 3600,
    };
    let now = state.clock.now();
    let role = state.change(|world| {
        if world.roles.values().any(|r| r.name == name) {
            return Err(texts::IAM_ROLE_EXISTS.with(&[("name", &name)]));
        }
        let mut role = world
            .add_role(
                &state.account_id,
                RoleConfig {
                    name: name.clone(),
                    trust_policy: policy,
                    max_session_duration_secs: max_session,
                },
            )
            .map_err(invalid)?;
        role.path = params.get("Path").cloned().unwrap_or_else(|| "/".to_owned());
        role.created = now;
        world.roles.insert(role.arn.clone(), Arc::new(role.clone()));
        Ok(role)
    })?;
    Ok(answer("CreateRole", &role_xml(&role)))
}

fn role(state: &CognitoState, params: &Params) -> Result<Arc<Role>, AwsError> {
    let name = required(params, "RoleName")?;
    state
        .role(&format!("arn:aws:iam::{}:role/{name}", state.account_id))
        .ok_or_else(|| texts::IAM_NO_ROLE.with(&[("name", &name)]))
}

fn role_xml(role: &Role) -> String {
    let policy: String =
        serde_urlencoded::to_string([("", role.trust_policy.document().to_string())])
            .unwrap_or_default();
    let policy = policy.trim_start_matches('=');
    format!(
        "<Role><Path>{}</Path><RoleName>{}</RoleName><RoleId>{}</RoleId><Arn>{}</Arn><CreateDate>{}</CreateDate><AssumeRolePolicyDocument>{}</AssumeRolePolicyDocument><MaxSessionDuration>{}</MaxSessionDuration></Role>",
        xml_escape(&role.path),
        xml_escape(&role.name),
        super::sts::role_id(&role.arn),
        xml_escape(&role.arn),
        iso8601(role.created),
        xml_escape(policy),
        role.max_session_duration_secs
    )
}
