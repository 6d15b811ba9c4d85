//! Developer-authenticated identities (docs/reference/cognito.md §3.1): a backend that authenticated its own
//! users calls `GetOpenIdTokenForDeveloperIdentity` (signed) with
//! `Logins: {<DeveloperProviderName>: <developer user identifier>}` and gets Cognito's token
//! for the identity, which the client then uses with `GetCredentialsForIdentity` under the key
//! `cognito-identity.amazonaws.com` (enhanced flow) or STS (basic flow).
//! `LookupDeveloperIdentity`, `MergeDeveloperIdentities` and `UnlinkDeveloperIdentity` manage
//! the identifiers. A developer identity's id is derived like any other: from the pool, the
//! developer provider and the identifier.

use std::sync::Arc;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::pools::Empty;
use crate::account::Pool;
use crate::error::AwsError;
use crate::texts;
use crate::trust::openid::COGNITO_ISSUER;

use crate::state::CognitoState;
use crate::validate::{REGION_GUID, Violations};

/// Default and maximum `TokenDuration` (15 minutes, 24 hours).
pub const DEFAULT_TOKEN_DURATION_SECS: i64 = 900;

/// `GetOpenIdTokenForDeveloperIdentity` input.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenInput {
    /// The pool.
    pub identity_pool_id: Option<String>,
    /// An existing identity to link the identifier to.
    pub identity_id: Option<String>,
    /// `{<DeveloperProviderName>: <developer user identifier>}`.
    pub logins: Option<BTreeMap<String, String>>,
    /// Tags put in the token.
    pub principal_tags: Option<BTreeMap<String, String>>,
    /// 1–86400 seconds; defaults to 900.
    pub token_duration: Option<i64>,
}

/// `GetOpenIdTokenForDeveloperIdentity` output.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct TokenOutput {
    /// The identity.
    pub identity_id: String,
    /// Cognito's OpenID token for it.
    pub token: String,
}

fn pool_with_developer_provider(
    state: &CognitoState,
    pool_id: Option<&str>,
) -> Result<(Arc<Pool>, String), AwsError> {
    let mut v = Violations::default();
    let pool_id =
        v.required_string("identityPoolId", pool_id.map(str::to_owned), (1, 55), Some(REGION_GUID));
    let pool_id = pool_id.get(v.finish()?);
    let pool =
        state.pool(&pool_id).ok_or_else(|| texts::POOL_NOT_FOUND.with(&[("pool", &pool_id)]))?;
    let provider = pool
        .extras
        .developer_provider_name
        .clone()
        .ok_or_else(|| texts::NO_DEVELOPER_PROVIDER.error())?;
    Ok((pool, provider))
}

/// `GetOpenIdTokenForDeveloperIdentity`.
pub async fn get_token(state: &CognitoState, input: TokenInput) -> Result<TokenOutput, AwsError> {
    let mut v = Violations::default();
    v.integer("tokenDuration", input.token_duration, (1, 86_400), false);
    if input.logins.is_none() {
        v.null("logins");
    }
    v.finish()?;
    let (pool, provider) = pool_with_developer_provider(state, input.identity_pool_id.as_deref())?;
    let logins = input.logins.unwrap_or_default();
    let developer_id = logins.get(&provider).cloned().ok_or_else(|| {
        texts::UNSUPPORTED_DEVELOPER_PROVIDER
            .error()
            .with_detail(format!("the pool's developer provider is {provider:?}"))
    })?;
    let identity_id = match (&input.identity_id, state.developer_identity(&pool.id, &developer_id))
    {
        (Some(given), _) => given.clone(),
        (None, Some(known)) => known,
        (None, None) => state.identity_id_for(&pool.id, &provider, &developer_id),
    };
    state.link_developer(&pool.id, &developer_id, &identity_id)?;
    let now = state.clock.now();
    let guid = pool.id.split_once(':').map_or("", |(_, g)| g);
    let mut claims = json!({
        "sub": identity_id,
        "aud": pool.id,
        "amr": ["authenticated", provider, format!("{provider}:{}:{guid}:{developer_id}", state.region)],
        "iss": COGNITO_ISSUER,
        "exp": now + input.token_duration.unwrap_or(DEFAULT_TOKEN_DURATION_SECS),
        "iat": now,
    });
    if let Some(tags) = input.principal_tags {
        // Session tags travel in this claim (format inferred).
        let tags: BTreeMap<String, Vec<String>> =
            tags.into_iter().map(|(k, v)| (k, vec![v])).collect();
        claims["https://aws.amazon.com/tags"] = json!({ "principal_tags": tags });
    }
    let token = state.cognito_key.get(&state.region).await.sign(&claims);
    Ok(TokenOutput { identity_id, token })
}

/// `LookupDeveloperIdentity` input.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LookupInput {
    /// The pool.
    pub identity_pool_id: Option<String>,
    /// Look up by identity.
    pub identity_id: Option<String>,
    /// Or by identifier.
    pub developer_user_identifier: Option<String>,
    /// 1–60.
    pub max_results: Option<i64>,
    /// Ignored: one page holds every identifier here.
    pub next_token: Option<String>,
}

/// `LookupDeveloperIdentity` output.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct LookupOutput {
    /// The identity.
    pub identity_id: String,
    /// Its developer user identifiers.
    pub developer_user_identifier_list: Vec<String>,
}

/// `LookupDeveloperIdentity`.
pub async fn lookup(state: &CognitoState, input: LookupInput) -> Result<LookupOutput, AwsError> {
    let mut v = Violations::default();
    v.integer("maxResults", input.max_results, (1, 60), false);
    v.finish()?;
    let (pool, _) = pool_with_developer_provider(state, input.identity_pool_id.as_deref())?;
    let by_identifier =
        input.developer_user_identifier.as_deref().map(|d| state.developer_identity(&pool.id, d));
    let identity_id = match (&input.identity_id, by_identifier) {
        (Some(given), Some(Some(found))) if given != &found => {
            return Err(texts::DEVELOPER_LOOKUP_MISMATCH.error());
        }
        (_, Some(Some(found))) => found,
        (_, Some(None)) => {
            let developer = input.developer_user_identifier.as_deref().unwrap_or_default();
            return Err(texts::DEVELOPER_ID_NOT_FOUND.with(&[("developer", &developer)]));
        }
        (Some(given), None) => given.clone(),
        (None, None) => {
            return Err(texts::DEVELOPER_LOOKUP_EMPTY.error());
        }
    };
    let identity = state
        .identity(&identity_id)
        .filter(|i| i.pool_id == pool.id)
        .ok_or_else(|| texts::IDENTITY_NOT_FOUND.with(&[("identity", &identity_id)]))?;
    Ok(LookupOutput {
        identity_id,
        developer_user_identifier_list: identity.developer_ids.into_iter().collect(),
    })
}

/// `MergeDeveloperIdentities` input.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MergeInput {
    /// The identifier whose identity is merged away.
    pub source_user_identifier: Option<String>,
    /// The identifier whose identity remains.
    pub destination_user_identifier: Option<String>,
    /// Must be the pool's.
    pub developer_provider_name: Option<String>,
    /// The pool.
    pub identity_pool_id: Option<String>,
}

/// `{"IdentityId"}` output.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityIdOutput {
    /// The identity.
    pub identity_id: String,
}

fn check_provider(expected: &str, given: Option<&str>) -> Result<(), AwsError> {
    if given == Some(expected) {
        Ok(())
    } else {
        Err(texts::DEVELOPER_PROVIDER_MISMATCH.with(&[("expected", &expected)]))
    }
}

/// `MergeDeveloperIdentities`.
pub async fn merge(state: &CognitoState, input: MergeInput) -> Result<IdentityIdOutput, AwsError> {
    let mut v = Violations::default();
    let source =
        v.required_string("sourceUserIdentifier", input.source_user_identifier, (1, 1024), None);
    let destination = v.required_string(
        "destinationUserIdentifier",
        input.destination_user_identifier,
        (1, 1024),
        None,
    );
    let valid = v.finish()?;
    let (pool, provider) = pool_with_developer_provider(state, input.identity_pool_id.as_deref())?;
    check_provider(&provider, input.developer_provider_name.as_deref())?;
    let (source, destination) = (source.get(valid), destination.get(valid));
    Ok(IdentityIdOutput { identity_id: state.merge_developer(&pool.id, &source, &destination)? })
}

/// `UnlinkDeveloperIdentity` input.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UnlinkInput {
    /// The identity.
    pub identity_id: Option<String>,
    /// The pool.
    pub identity_pool_id: Option<String>,
    /// Must be the pool's.
    pub developer_provider_name: Option<String>,
    /// The identifier to remove.
    pub developer_user_identifier: Option<String>,
}

/// `UnlinkDeveloperIdentity`.
pub async fn unlink(state: &CognitoState, input: UnlinkInput) -> Result<Empty, AwsError> {
    let mut v = Violations::default();
    let identity_id =
        v.required_string("identityId", input.identity_id, (1, 55), Some(REGION_GUID));
    let developer_id = v.required_string(
        "developerUserIdentifier",
        input.developer_user_identifier,
        (1, 1024),
        None,
    );
    let valid = v.finish()?;
    let (pool, provider) = pool_with_developer_provider(state, input.identity_pool_id.as_deref())?;
    check_provider(&provider, input.developer_provider_name.as_deref())?;
    state.unlink_developer(&pool.id, &identity_id.get(valid), &developer_id.get(valid))?;
    Ok(Empty {})
}
