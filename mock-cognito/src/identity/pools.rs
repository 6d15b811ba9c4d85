//! Identity pool administration (signed actions): Create, Describe, Update, Delete and List
//! identity pools, and Set/Get identity pool roles with role mappings (docs/reference/cognito.md §1.1).
//!
//! The wire shapes are AWS's: PascalCase, `OpenIdConnectProviderARNs` with a lower-case "d",
//! absent fields omitted rather than sent as `null`. `UpdateIdentityPool` replaces the whole
//! pool: omitted fields go back to their defaults, as AWS documents.

use std::sync::Arc;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::account::{
    AmbiguousRoleResolution, IdentityPoolConfig, MAX_RULES, MappingRule, MappingType, MatchType,
    Pool, PoolExtras, RoleMapping,
};
use crate::error::AwsError;
use crate::texts;

use crate::state::CognitoState;
use crate::validate::{Pattern, REGION_GUID, Violations};

/// Most identity pools per account and region (docs/reference/cognito.md §2.4 quotas).
pub const MAX_POOLS: usize = 1000;

/// The `IdentityPool` shape: input of Create/Update, output of Create/Describe/Update.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityPoolShape {
    /// `REGION:GUID` (output, and Update input).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_pool_id: Option<String>,
    /// The name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_pool_name: Option<String>,
    /// Whether unauthenticated identities are allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_unauthenticated_identities: Option<bool>,
    /// Whether the basic flow is allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_classic_flow: Option<bool>,
    /// Public providers (`graph.facebook.com` → app id), stored and echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supported_login_providers: Option<BTreeMap<String, String>>,
    /// The developer provider name (cannot change once set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub developer_provider_name: Option<String>,
    /// IAM OIDC providers the pool trusts.
    #[serde(rename = "OpenIdConnectProviderARNs", skip_serializing_if = "Option::is_none")]
    pub open_id_connect_provider_arns: Option<Vec<String>>,
    /// User pool providers, stored and echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cognito_identity_providers: Option<Vec<serde_json::Value>>,
    /// SAML providers, stored and echoed.
    #[serde(rename = "SamlProviderARNs", skip_serializing_if = "Option::is_none")]
    pub saml_provider_arns: Option<Vec<String>>,
    /// Tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_pool_tags: Option<BTreeMap<String, String>>,
}

fn shape(state: &CognitoState, pool: &Pool) -> IdentityPoolShape {
    let arns: Vec<String> = pool
        .providers
        .iter()
        .filter_map(|name| state.provider(name))
        .map(|p| p.arn.clone())
        .collect();
    let extras = &pool.extras;
    IdentityPoolShape {
        identity_pool_id: Some(pool.id.clone()),
        identity_pool_name: Some(pool.name.clone()),
        allow_unauthenticated_identities: Some(pool.allow_unauthenticated),
        // Omitted when unset, as AWS does for a pool created without the flag.
        allow_classic_flow: pool.allow_classic_flow,
        supported_login_providers: (!extras.supported_login_providers.is_empty())
            .then(|| extras.supported_login_providers.clone()),
        developer_provider_name: extras.developer_provider_name.clone(),
        open_id_connect_provider_arns: (!arns.is_empty()).then_some(arns),
        cognito_identity_providers: (!extras.cognito_identity_providers.is_empty())
            .then(|| extras.cognito_identity_providers.clone()),
        saml_provider_arns: (!extras.saml_provider_arns.is_empty())
            .then(|| extras.saml_provider_arns.clone()),
        identity_pool_tags: Some(extras.tags.clone()),
    }
}

const NAME: Pattern = Pattern::new(
    |s| {
        s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c))
    },
    r"[\w\s+=,.@-]+",
);
const DEVELOPER_PROVIDER: Pattern = Pattern::new(
    |s| s.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
    r"[\w._-]+",
);

fn check_shape(v: &mut Violations, input: &IdentityPoolShape) {
    v.string("identityPoolName", input.identity_pool_name.as_deref(), (1, 128), Some(NAME), true);
    if input.allow_unauthenticated_identities.is_none() {
        v.null("allowUnauthenticatedIdentities");
    }
    v.string(
        "developerProviderName",
        input.developer_provider_name.as_deref(),
        (1, 128),
        Some(DEVELOPER_PROVIDER),
        false,
    );
}

/// Builds the pool `input` describes, under `id`, keeping `roles` (roles and role mappings
/// are not part of this shape).
fn build(
    state: &CognitoState,
    id: String,
    input: IdentityPoolShape,
    keep: Option<&Pool>,
) -> Result<Pool, AwsError> {
    let config = IdentityPoolConfig {
        id: Some(id),
        name: input.identity_pool_name.unwrap_or_default(),
        allow_unauthenticated_identities: input.allow_unauthenticated_identities.unwrap_or(false),
        allow_classic_flow: input.allow_classic_flow,
        open_id_connect_providers: input.open_id_connect_provider_arns.unwrap_or_default(),
        authenticated_role_arn: keep.and_then(|p| p.authenticated_role_arn.clone()),
        unauthenticated_role_arn: keep.and_then(|p| p.unauthenticated_role_arn.clone()),
        role_mappings: BTreeMap::new(),
        developer_provider_name: None,
        supported_login_providers: BTreeMap::new(),
        cognito_identity_providers: Vec::new(),
    };
    let mut pool = state
        .change(|world| world.build_pool(&state.account_id, &state.region, config))
        .map_err(|why| texts::INVALID_POOL.with(&[("why", &why)]))?;
    if let Some(old) = keep {
        // Mappings stay while their provider is still trusted.
        pool.role_mappings = old
            .role_mappings
            .iter()
            .filter(|(p, _)| pool.providers.contains(p))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
    }
    pool.extras = PoolExtras {
        supported_login_providers: input.supported_login_providers.unwrap_or_default(),
        developer_provider_name: input.developer_provider_name,
        cognito_identity_providers: input.cognito_identity_providers.unwrap_or_default(),
        saml_provider_arns: input.saml_provider_arns.unwrap_or_default(),
        tags: input.identity_pool_tags.unwrap_or_default(),
        principal_tags: keep.map(|old| old.extras.principal_tags.clone()).unwrap_or_default(),
    };
    Ok(pool)
}

/// `CreateIdentityPool`.
pub async fn create(
    state: &CognitoState,
    input: IdentityPoolShape,
) -> Result<IdentityPoolShape, AwsError> {
    let mut v = Violations::default();
    check_shape(&mut v, &input);
    v.finish()?;
    if state.pools().len() >= MAX_POOLS {
        return Err(texts::TOO_MANY_POOLS.with(&[("max", &MAX_POOLS)]));
    }
    let id = format!("{}:{}", state.region, uuid::Uuid::new_v4());
    let pool = build(state, id, input, None)?;
    state.change(|world| world.pools.insert(pool.id.clone(), Arc::new(pool.clone())));
    Ok(shape(state, &pool))
}

/// `{"IdentityPoolId"}`, the input of Describe and Delete.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolIdInput {
    /// The pool.
    pub identity_pool_id: Option<String>,
}

fn existing(state: &CognitoState, id: Option<&str>) -> Result<Arc<Pool>, AwsError> {
    let mut v = Violations::default();
    let id = v.required_string("identityPoolId", id.map(str::to_owned), (1, 55), Some(REGION_GUID));
    let id = id.get(v.finish()?);
    state.pool(&id).ok_or_else(|| texts::POOL_NOT_FOUND.with(&[("pool", &id)]))
}

/// `DescribeIdentityPool`.
pub async fn describe(
    state: &CognitoState,
    input: PoolIdInput,
) -> Result<IdentityPoolShape, AwsError> {
    let pool = existing(state, input.identity_pool_id.as_deref())?;
    Ok(shape(state, &pool))
}

/// `UpdateIdentityPool`: the whole pool is replaced; omitted fields are reset.
pub async fn update(
    state: &CognitoState,
    input: IdentityPoolShape,
) -> Result<IdentityPoolShape, AwsError> {
    let old = existing(state, input.identity_pool_id.as_deref())?;
    let mut v = Violations::default();
    check_shape(&mut v, &input);
    v.finish()?;
    if let (Some(was), Some(now)) =
        (&old.extras.developer_provider_name, &input.developer_provider_name)
        && was != now
    {
        return Err(texts::DEVELOPER_PROVIDER_FIXED.error());
    }
    let pool = build(state, old.id.clone(), input, Some(&old))?;
    state.change(|world| world.pools.insert(pool.id.clone(), Arc::new(pool.clone())));
    Ok(shape(state, &pool))
}

/// Empty output.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Empty {}

/// `DeleteIdentityPool`: the pool and its identities go.
pub async fn delete(state: &CognitoState, input: PoolIdInput) -> Result<Empty, AwsError> {
    let pool = existing(state, input.identity_pool_id.as_deref())?;
    state.change(|world| world.pools.remove(&pool.id));
    state.forget_identities_of(&pool.id);
    Ok(Empty {})
}

/// `ListIdentityPools` input.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListInput {
    /// 1–60.
    pub max_results: Option<i64>,
    /// From a previous page.
    pub next_token: Option<String>,
}

/// One listed pool.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct PoolSummary {
    /// The id.
    pub identity_pool_id: String,
    /// The name.
    pub identity_pool_name: String,
}

/// `ListIdentityPools` output.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct ListOutput {
    /// This page.
    pub identity_pools: Vec<PoolSummary>,
    /// The next page, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `ListIdentityPools`: pages of at most `MaxResults` (1–60), ordered by id.
pub async fn list(state: &CognitoState, input: ListInput) -> Result<ListOutput, AwsError> {
    let mut v = Violations::default();
    let max = v.required_integer("maxResults", input.max_results, (1, 60));
    let max = usize::try_from(max.get(v.finish()?)).unwrap_or(60);
    let (pools, next_token) =
        super::paging::page(state.pools(), |p| &p.id, input.next_token.as_deref(), max)?;
    let page: Vec<PoolSummary> = pools
        .into_iter()
        .map(|p| PoolSummary { identity_pool_id: p.id.clone(), identity_pool_name: p.name.clone() })
        .collect();
    Ok(ListOutput { identity_pools: page, next_token })
}

/// A `RoleMapping` on the wire.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct RoleMappingShape {
    /// `Token` or `Rules`.
    #[serde(rename = "Type")]
    pub kind: MappingType,
    /// `AuthenticatedRole` or `Deny`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ambiguous_role_resolution: Option<AmbiguousRoleResolution>,
    /// The rules, for `Rules`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules_configuration: Option<RulesConfiguration>,
}

/// `RulesConfiguration`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct RulesConfiguration {
    /// The rules.
    pub rules: Vec<RuleShape>,
}

/// A `MappingRule` on the wire.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct RuleShape {
    /// The claim.
    pub claim: String,
    /// How to compare.
    pub match_type: MatchType,
    /// The value.
    pub value: String,
    /// The role.
    #[serde(rename = "RoleARN")]
    pub role_arn: String,
}

/// `SetIdentityPoolRoles` input and `GetIdentityPoolRoles` output.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct PoolRoles {
    /// The pool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_pool_id: Option<String>,
    /// `authenticated` / `unauthenticated` → role ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<BTreeMap<String, String>>,
    /// Provider → mapping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_mappings: Option<BTreeMap<String, RoleMappingShape>>,
}

/// `SetIdentityPoolRoles`.
pub async fn set_roles(state: &CognitoState, input: PoolRoles) -> Result<Empty, AwsError> {
    let pool = existing(state, input.identity_pool_id.as_deref())?;
    let mut v = Violations::default();
    let roles = input.roles.unwrap_or_default();
    if roles.len() > 2 || roles.keys().any(|k| k != "authenticated" && k != "unauthenticated") {
        let rendered: Vec<String> = roles.iter().map(|(k, r)| format!("{k}={r}")).collect();
        v.constraint("roles", &format!("{{{}}}", rendered.join(", ")), "Map keys must satisfy constraint: [Member must satisfy regular expression pattern: (un)?authenticated]");
    }
    v.finish()?;
    for arn in
        roles.values().chain(input.role_mappings.iter().flat_map(|m| m.values()).flat_map(|m| {
            m.rules_configuration.iter().flat_map(|c| c.rules.iter().map(|r| &r.role_arn))
        }))
    {
        if state.role(arn).is_none() {
            // Observed for a role name given instead of an ARN: a role the account lacks.
            return Err(texts::ROLE_FORBIDDEN.with(&[("role", arn)]));
        }
    }
    let mut mappings = BTreeMap::new();
    for (key, mapping) in input.role_mappings.unwrap_or_default() {
        let provider = state
            .providers()
            .into_iter()
            .find(|p| (p.name == key || p.arn == key) && pool.providers.contains(&p.name))
            .ok_or_else(|| texts::ROLE_MAPPING_PROVIDER.with(&[("provider", &key)]))?;
        let rules: Vec<MappingRule> = mapping
            .rules_configuration
            .map(|c| {
                c.rules
                    .into_iter()
                    .map(|r| MappingRule {
                        claim: r.claim,
                        match_type: r.match_type,
                        value: r.value,
                        role_arn: r.role_arn,
                    })
                    .collect()
            })
            .unwrap_or_default();
        if mapping.kind == MappingType::Rules && rules.is_empty() {
            return Err(texts::RULES_REQUIRED.error());
        }
        if rules.len() > MAX_RULES {
            return Err(texts::TOO_MANY_RULES.with(&[("max", &MAX_RULES)]));
        }
        let resolution =
            mapping.ambiguous_role_resolution.ok_or_else(|| texts::RESOLUTION_REQUIRED.error())?;
        mappings.insert(
            provider.name.clone(),
            RoleMapping { kind: mapping.kind, ambiguous_role_resolution: resolution, rules },
        );
    }
    state.change(|world| {
        if let Some(pool) = world.pools.get_mut(&pool.id) {
            let pool = Arc::make_mut(pool);
            pool.authenticated_role_arn = roles.get("authenticated").cloned();
            pool.unauthenticated_role_arn = roles.get("unauthenticated").cloned();
            pool.role_mappings = mappings;
        }
    });
    Ok(Empty {})
}

/// `GetIdentityPoolRoles`.
pub async fn get_roles(state: &CognitoState, input: PoolIdInput) -> Result<PoolRoles, AwsError> {
    let pool = existing(state, input.identity_pool_id.as_deref())?;
    let mut roles = BTreeMap::new();
    if let Some(arn) = &pool.authenticated_role_arn {
        roles.insert("authenticated".to_owned(), arn.clone());
    }
    if let Some(arn) = &pool.unauthenticated_role_arn {
        roles.insert("unauthenticated".to_owned(), arn.clone());
    }
    let mappings: BTreeMap<String, RoleMappingShape> = pool
        .role_mappings
        .iter()
        .map(|(provider, m)| {
            let rules = m
                .rules
                .iter()
                .map(|r| RuleShape {
                    claim: r.claim.clone(),
                    match_type: r.match_type,
                    value: r.value.clone(),
                    role_arn: r.role_arn.clone(),
                })
                .collect::<Vec<_>>();
            let shape = RoleMappingShape {
                kind: m.kind,
                ambiguous_role_resolution: Some(m.ambiguous_role_resolution),
                rules_configuration: (m.kind == MappingType::Rules)
                    .then_some(RulesConfiguration { rules }),
            };
            (provider.clone(), shape)
        })
        .collect();
    Ok(PoolRoles {
        identity_pool_id: Some(pool.id.clone()),
        roles: Some(roles),
        role_mappings: (!mappings.is_empty()).then_some(mappings),
    })
}

/// The pool a resource ARN names.
fn pool_by_arn(state: &CognitoState, arn: Option<&str>) -> Result<Arc<Pool>, AwsError> {
    let mut v = Violations::default();
    let arn = v.required_string("resourceArn", arn.map(str::to_owned), (20, 2048), None);
    let arn = arn.get(v.finish()?);
    let prefix =
        format!("arn:aws:cognito-identity:{}:{}:identitypool/", state.region, state.account_id);
    let id =
        arn.strip_prefix(&prefix).ok_or_else(|| texts::INVALID_POOL_ARN.with(&[("arn", &arn)]))?;
    state.pool(id).ok_or_else(|| texts::POOL_NOT_FOUND.with(&[("pool", &id)]))
}

/// `TagResource` input.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagInput {
    /// The pool's ARN.
    pub resource_arn: Option<String>,
    /// Tags to add or replace.
    pub tags: Option<BTreeMap<String, String>>,
    /// Keys to remove (`UntagResource`).
    pub tag_keys: Option<Vec<String>>,
}

/// `ListTagsForResource` output.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct TagsOutput {
    /// The pool's tags.
    pub tags: BTreeMap<String, String>,
}

/// Most tags per pool.
pub const MAX_TAGS: usize = 50;

/// `TagResource`.
pub async fn tag(state: &CognitoState, input: TagInput) -> Result<Empty, AwsError> {
    let pool = pool_by_arn(state, input.resource_arn.as_deref())?;
    let tags = input.tags.unwrap_or_default();
    let mut merged = pool.extras.tags.clone();
    merged.extend(tags);
    if merged.len() > MAX_TAGS {
        return Err(texts::TOO_MANY_TAGS.with(&[("max", &MAX_TAGS)]));
    }
    state.change(|world| {
        world.pools.get_mut(&pool.id).map(|p| Arc::make_mut(p).extras.tags = merged)
    });
    Ok(Empty {})
}

/// `UntagResource`.
pub async fn untag(state: &CognitoState, input: TagInput) -> Result<Empty, AwsError> {
    let pool = pool_by_arn(state, input.resource_arn.as_deref())?;
    let keys = input.tag_keys.unwrap_or_default();
    state.change(|world| {
        world
            .pools
            .get_mut(&pool.id)
            .map(|p| Arc::make_mut(p).extras.tags.retain(|k, _| !keys.contains(k)))
    });
    Ok(Empty {})
}

/// `ListTagsForResource`.
pub async fn list_tags(state: &CognitoState, input: TagInput) -> Result<TagsOutput, AwsError> {
    Ok(TagsOutput { tags: pool_by_arn(state, input.resource_arn.as_deref())?.extras.tags.clone() })
}

/// `Set/GetPrincipalTagAttributeMap` input and output.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct PrincipalTagMap {
    /// The pool.
    pub identity_pool_id: Option<String>,
    /// The provider (`Logins` name).
    pub identity_provider_name: Option<String>,
    /// Whether the default mappings (`aud` and `sub` for OIDC) apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_defaults: Option<bool>,
    /// Tag name → claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_tags: Option<BTreeMap<String, String>>,
}

fn principal_target(
    state: &CognitoState,
    input: &PrincipalTagMap,
) -> Result<(Arc<Pool>, String), AwsError> {
    let pool = existing(state, input.identity_pool_id.as_deref())?;
    let mut v = Violations::default();
    let provider = v.required_string(
        "identityProviderName",
        input.identity_provider_name.clone(),
        (1, 128),
        None,
    );
    let provider = provider.get(v.finish()?);
    if !pool.providers.contains(&provider) {
        return Err(texts::UNKNOWN_TAG_PROVIDER.with(&[("provider", &provider)]));
    }
    Ok((pool, provider))
}

/// `SetPrincipalTagAttributeMap`: echoes what was set.
pub async fn set_principal_tags(
    state: &CognitoState,
    input: PrincipalTagMap,
) -> Result<PrincipalTagMap, AwsError> {
    let (pool, provider) = principal_target(state, &input)?;
    let entry =
        (input.use_defaults.unwrap_or(false), input.principal_tags.clone().unwrap_or_default());
    state.change(|world| {
        world
            .pools
            .get_mut(&pool.id)
            .map(|p| Arc::make_mut(p).extras.principal_tags.insert(provider, entry))
    });
    Ok(input)
}

/// `GetPrincipalTagAttributeMap`; an unset map answers `UseDefaults: false` and no tags
/// (inferred).
pub async fn get_principal_tags(
    state: &CognitoState,
    input: PrincipalTagMap,
) -> Result<PrincipalTagMap, AwsError> {
    let (pool, provider) = principal_target(state, &input)?;
    let (use_defaults, tags) =
        pool.extras.principal_tags.get(&provider).cloned().unwrap_or_default();
    Ok(PrincipalTagMap {
        identity_pool_id: Some(pool.id.clone()),
        identity_provider_name: Some(provider),
        use_defaults: Some(use_defaults),
        principal_tags: Some(tags),
    })
}
