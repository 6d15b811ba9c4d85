//! Identity pools as the account holds them: the providers a pool trusts, its roles and role
//! mappings, and the settings only the administrative API sets (stored and echoed).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An identity pool, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool {
    /// `REGION:GUID`.
    pub id: String,
    /// `IdentityPoolName`.
    pub name: String,
    /// `AllowUnauthenticatedIdentities`.
    pub allow_unauthenticated: bool,
    /// `AllowClassicFlow`: unset, `true` or `false` (only `false` refuses the basic flow).
    pub allow_classic_flow: Option<bool>,
    /// Names (`Logins` keys) of the OIDC providers the pool trusts.
    pub providers: Vec<String>,
    /// Role for authenticated identities.
    pub authenticated_role_arn: Option<String>,
    /// Role for unauthenticated identities.
    pub unauthenticated_role_arn: Option<String>,
    /// Role mappings by provider name.
    pub role_mappings: BTreeMap<String, RoleMapping>,
    /// Settings only the administrative API sets (stored and echoed).
    pub extras: PoolExtras,
}

/// The parts of a pool that only the administrative API sets; stored as given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PoolExtras {
    /// `SupportedLoginProviders`.
    pub supported_login_providers: BTreeMap<String, String>,
    /// `DeveloperProviderName`.
    pub developer_provider_name: Option<String>,
    /// `CognitoIdentityProviders`.
    pub cognito_identity_providers: Vec<serde_json::Value>,
    /// `SamlProviderARNs`.
    pub saml_provider_arns: Vec<String>,
    /// `IdentityPoolTags`.
    pub tags: BTreeMap<String, String>,
    /// Principal tag maps by provider: `UseDefaults` and `PrincipalTags`.
    pub principal_tags: BTreeMap<String, (bool, BTreeMap<String, String>)>,
}

/// `RoleMapping.Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MappingType {
    /// Roles from the token's `cognito:roles` / `cognito:preferred_role`.
    Token,
    /// Roles from rules over the token's claims.
    Rules,
}

/// `RoleMapping.AmbiguousRoleResolution`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AmbiguousRoleResolution {
    /// Fall back to the pool's authenticated role.
    AuthenticatedRole,
    /// Refuse.
    Deny,
}

/// `MappingRule.MatchType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchType {
    /// The claim equals the value.
    Equals,
    /// The claim contains the value.
    Contains,
    /// The claim starts with the value.
    StartsWith,
    /// The claim differs from the value.
    NotEqual,
}

/// One mapping rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingRule {
    /// The claim to look at, e.g. `groups` or `email`.
    pub claim: String,
    /// How to compare.
    pub match_type: MatchType,
    /// What to compare with.
    pub value: String,
    /// The role this rule gives.
    pub role_arn: String,
}

/// A pool's role mapping for one provider (`RoleMappings[provider]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleMapping {
    /// `Token` or `Rules`.
    #[serde(rename = "type")]
    pub kind: MappingType,
    /// What happens when no role is chosen.
    pub ambiguous_role_resolution: AmbiguousRoleResolution,
    /// The rules, for `Rules` (at most 25).
    #[serde(default)]
    pub rules: Vec<MappingRule>,
}

/// AWS's limit on rules per provider (docs/reference/cognito.md §2.4, quotas).
pub const MAX_RULES: usize = 25;
