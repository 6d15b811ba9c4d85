//! Identity administration (docs/reference/cognito.md §1.1): `DescribeIdentity`, `ListIdentities`
//! (pages, `HideDisabled`), `DeleteIdentities` (signed), and `UnlinkIdentity` (unsigned: the
//! caller proves ownership with its logins, as for `GetCredentialsForIdentity`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::federation::owned_identity_for;
use super::pools::Empty;
use crate::account::Identity;
use crate::error::AwsError;
use crate::state::CognitoState;
use crate::texts;
use crate::validate::{REGION_GUID, Violations};

/// `IdentityDescription`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityDescription {
    /// The identity.
    pub identity_id: String,
    /// The providers of its linked logins.
    pub logins: Vec<String>,
    /// Epoch seconds.
    pub creation_date: i64,
    /// Epoch seconds.
    pub last_modified_date: i64,
}

fn describe_one(id: String, identity: &Identity) -> IdentityDescription {
    IdentityDescription {
        identity_id: id,
        logins: identity.logins.keys().cloned().collect(),
        creation_date: identity.created,
        last_modified_date: identity.modified,
    }
}

/// `{"IdentityId"}`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityIdInput {
    /// The identity.
    pub identity_id: Option<String>,
}

/// `DescribeIdentity`.
pub async fn describe(
    state: &CognitoState,
    input: IdentityIdInput,
) -> Result<IdentityDescription, AwsError> {
    let mut v = Violations::default();
    let id = v.required_string("identityId", input.identity_id, (1, 55), Some(REGION_GUID));
    let id = id.get(v.finish()?);
    let identity =
        state.identity(&id).ok_or_else(|| texts::IDENTITY_NOT_FOUND.with(&[("identity", &id)]))?;
    Ok(describe_one(id, &identity))
}

/// `ListIdentities` input.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListInput {
    /// The pool.
    pub identity_pool_id: Option<String>,
    /// 1–60.
    pub max_results: Option<i64>,
    /// From a previous page.
    pub next_token: Option<String>,
    /// Leave out disabled identities.
    pub hide_disabled: Option<bool>,
}

/// `ListIdentities` output.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct ListOutput {
    /// The pool.
    pub identity_pool_id: String,
    /// This page.
    pub identities: Vec<IdentityDescription>,
    /// The next page, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `ListIdentities`: pages ordered by identity id.
pub async fn list(state: &CognitoState, input: ListInput) -> Result<ListOutput, AwsError> {
    let mut v = Violations::default();
    let pool_id =
        v.required_string("identityPoolId", input.identity_pool_id, (1, 55), Some(REGION_GUID));
    let max = v.required_integer("maxResults", input.max_results, (1, 60));
    let valid = v.finish()?;
    let pool_id = pool_id.get(valid);
    state.pool(&pool_id).ok_or_else(|| texts::POOL_NOT_FOUND.with(&[("pool", &pool_id)]))?;
    let max = usize::try_from(max.get(valid)).unwrap_or(60);
    let hide = input.hide_disabled.unwrap_or(false);
    let all: Vec<(String, Identity)> =
        state.identities_of(&pool_id).into_iter().filter(|(_, i)| !(hide && i.disabled)).collect();
    let (page, next_token) =
        super::paging::page(all, |(id, _)| id, input.next_token.as_deref(), max)?;
    let identities: Vec<IdentityDescription> =
        page.iter().map(|(id, i)| describe_one(id.clone(), i)).collect();
    Ok(ListOutput { identity_pool_id: pool_id, identities, next_token })
}

/// `DeleteIdentities` input.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteInput {
    /// 1–60 identities.
    pub identity_ids_to_delete: Option<Vec<String>>,
}

/// `DeleteIdentities` output.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteOutput {
    /// Identities that could not be deleted (none here: unknown ids are simply absent).
    pub unprocessed_identity_ids: Vec<serde_json::Value>,
}

/// `DeleteIdentities`.
pub async fn delete(state: &CognitoState, input: DeleteInput) -> Result<DeleteOutput, AwsError> {
    let ids = input.identity_ids_to_delete.unwrap_or_default();
    let mut v = Violations::default();
    if ids.is_empty() || ids.len() > 60 {
        let rendered = format!("[{}]", ids.join(", "));
        let constraint = if ids.is_empty() {
            "Member must have length greater than or equal to 1"
        } else {
            "Member must have length less than or equal to 60"
        };
        v.constraint("identityIdsToDelete", &rendered, constraint);
    }
    v.finish()?;
    for id in &ids {
        state.delete_identity(id);
    }
    Ok(DeleteOutput { unprocessed_identity_ids: Vec::new() })
}

/// `UnlinkIdentity` input.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UnlinkInput {
    /// The identity.
    pub identity_id: Option<String>,
    /// Logins proving ownership.
    pub logins: Option<BTreeMap<String, String>>,
    /// Providers whose logins to remove.
    pub logins_to_remove: Option<Vec<String>>,
}

/// `UnlinkIdentity`: removes linked logins; removing the last makes the identity inaccessible.
pub async fn unlink(state: &CognitoState, input: UnlinkInput) -> Result<Empty, AwsError> {
    let mut v = Violations::default();
    let id = v.required_string("identityId", input.identity_id, (1, 55), Some(REGION_GUID));
    if input.logins.is_none() {
        v.null("logins");
    }
    if input.logins_to_remove.is_none() {
        v.null("loginsToRemove");
    }
    let id = id.get(v.finish()?);
    owned_identity_for(state, &id, &input.logins.unwrap_or_default()).await?;
    state.unlink(&id, &input.logins_to_remove.unwrap_or_default());
    Ok(Empty {})
}
