//! Cognito Identity operations as plain async functions: typed input in, typed output or
//! [`AwsError`] out. The protocol layer only parses and serialises.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::error::AwsError;
use crate::state::{CognitoState, Pool};
use crate::validate::{DIGITS, REGION_GUID, Violations};
use crate::verify::{VerifiedLogin, verify_login};

/// Lifetime of enhanced-flow credentials (cognito.md §1.3: one hour).
pub const CREDENTIALS_LIFETIME_SECS: i64 = 3600;

/// Most logins one request may carry (the model's `LoginsMap` limit).
const MAX_LOGINS: usize = 10;

/// `GetId` input.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetIdInput {
    /// The pool.
    pub identity_pool_id: Option<String>,
    /// The account (optional; only its shape is checked).
    pub account_id: Option<String>,
    /// Provider name → token.
    pub logins: Option<BTreeMap<String, String>>,
}

/// `GetId` output.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct GetIdOutput {
    /// `REGION:GUID`.
    pub identity_id: String,
}

/// `GetCredentialsForIdentity` input.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetCredentialsInput {
    /// The identity from `GetId`.
    pub identity_id: Option<String>,
    /// Provider name → token, as sent to `GetId`.
    pub logins: Option<BTreeMap<String, String>>,
    /// A role to choose among those role mappings allow. Without role mappings the pool's
    /// default role applies (role mappings are not modelled yet).
    pub custom_role_arn: Option<String>,
}

/// Temporary AWS credentials. `SecretKey`, not STS's `SecretAccessKey`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Credentials {
    /// `ASIA…`: a temporary key.
    pub access_key_id: String,
    /// The secret.
    pub secret_key: String,
    /// The session token.
    pub session_token: String,
    /// Epoch seconds, a JSON number (the JS v3 SDK breaks on anything else).
    pub expiration: i64,
}

/// `GetCredentialsForIdentity` output.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct GetCredentialsOutput {
    /// The identity.
    pub identity_id: String,
    /// The credentials.
    pub credentials: Credentials,
}

fn check_logins(v: &mut Violations, logins: Option<&BTreeMap<String, String>>) {
    v.logins("logins", logins, MAX_LOGINS);
}

fn check_id(v: &mut Violations, member: &str, value: Option<&str>) {
    v.string(member, value, (1, 55), Some(REGION_GUID), true);
}

/// `GetId`: the identity of the logins, or a new unauthenticated one.
pub async fn get_id(state: &CognitoState, input: GetIdInput) -> Result<GetIdOutput, AwsError> {
    let mut v = Violations::default();
    check_id(&mut v, "identityPoolId", input.identity_pool_id.as_deref());
    v.string("accountId", input.account_id.as_deref(), (1, 15), Some(DIGITS), false);
    check_logins(&mut v, input.logins.as_ref());
    v.finish()?;
    let pool_id = input.identity_pool_id.expect("validated as present");
    let pool = state.pool(&pool_id).ok_or_else(|| AwsError::pool_not_found(&pool_id))?;
    let logins = input.logins.unwrap_or_default();
    if logins.is_empty() {
        require_unauthenticated_access(pool)?;
        return Ok(GetIdOutput { identity_id: state.new_unauthenticated(&pool.id) });
    }
    let verified = verify_all(state, pool, &logins).await?;
    Ok(GetIdOutput { identity_id: state.link(&pool.id, &provider_subs(&verified), None) })
}

/// `GetCredentialsForIdentity`: credentials for the pool's role, once the logins prove the
/// caller owns the identity.
pub async fn get_credentials_for_identity(
    state: &CognitoState,
    input: GetCredentialsInput,
) -> Result<GetCredentialsOutput, AwsError> {
    let mut v = Violations::default();
    check_id(&mut v, "identityId", input.identity_id.as_deref());
    check_logins(&mut v, input.logins.as_ref());
    v.string("customRoleArn", input.custom_role_arn.as_deref(), (20, 2048), None, false);
    v.finish()?;
    let identity_id = input.identity_id.expect("validated as present");
    let logins = input.logins.unwrap_or_default();
    let (pool, authenticated) = match state.identity(&identity_id) {
        Some(identity) => {
            let pool = state
                .pool(&identity.pool_id)
                .ok_or_else(|| AwsError::identity_not_found(&identity_id))?;
            if logins.is_empty() {
                if !identity.logins.is_empty() {
                    // Observed text; that it is what a login-less call on an authenticated
                    // identity gets is inferred (cognito.md §2.3).
                    return Err(AwsError::not_authorized(format!(
                        "Access to Identity '{identity_id}' is forbidden."
                    )));
                }
                require_unauthenticated_access(pool)?;
                (pool, false)
            } else {
                let verified = verify_all(state, pool, &logins).await?;
                let subs = provider_subs(&verified);
                let owns =
                    subs.iter().any(|(provider, sub)| identity.logins.get(provider) == Some(sub));
                if !identity.logins.is_empty() && !owns {
                    return Err(AwsError::not_authorized(
                        "Logins don't match. Please include at least one valid login for this identity or identity pool.",
                    )
                    .with_detail(format!("identity {identity_id} is linked to {:?}; the request proved {subs:?}", identity.logins)));
                }
                state.link(&pool.id, &subs, Some(&identity_id));
                (pool, true)
            }
        }
        // Not recorded here: it may have been issued by another process. Ids are derived
        // from (pool, provider, sub), so valid logins that derive this id prove ownership.
        None => (adopt(state, &identity_id, &logins).await?, true),
    };
    let role =
        if authenticated { &pool.authenticated_role_arn } else { &pool.unauthenticated_role_arn };
    if role.is_none() {
        let kind = if authenticated { "authenticated" } else { "unauthenticated" };
        return Err(AwsError::no_role().with_detail(format!("pool {} has no {kind} role", pool.id)));
    }
    Ok(GetCredentialsOutput {
        identity_id,
        credentials: new_credentials(state.clock.now() + CREDENTIALS_LIFETIME_SECS),
    })
}

async fn adopt<'s>(
    state: &'s CognitoState,
    identity_id: &str,
    logins: &BTreeMap<String, String>,
) -> Result<&'s Pool, AwsError> {
    let not_found = || AwsError::identity_not_found(identity_id);
    if logins.is_empty() || !identity_id.starts_with(&format!("{}:", state.region)) {
        return Err(not_found());
    }
    for pool in state.pools().filter(|p| logins.keys().all(|k| p.providers.contains(k))) {
        let verified = verify_all(state, pool, logins).await?;
        let subs = provider_subs(&verified);
        if subs
            .iter()
            .any(|(provider, sub)| state.identity_id_for(&pool.id, provider, sub) == identity_id)
        {
            state.link(&pool.id, &subs, Some(identity_id));
            return Ok(pool);
        }
    }
    Err(not_found())
}

fn require_unauthenticated_access(pool: &Pool) -> Result<(), AwsError> {
    if pool.allow_unauthenticated {
        Ok(())
    } else {
        Err(AwsError::not_authorized(
            "Unauthenticated access is not supported for this identity pool.",
        ))
    }
}

/// Verifies every login; the first failure decides the answer, as every token must be valid.
async fn verify_all(
    state: &CognitoState,
    pool: &Pool,
    logins: &BTreeMap<String, String>,
) -> Result<Vec<VerifiedLogin>, AwsError> {
    let now = state.clock.now();
    let mut verified = Vec::with_capacity(logins.len());
    for (provider, token) in logins {
        let trusted = state.trusted_provider(pool, provider);
        let login = verify_login(&state.jwks, now, provider, trusted, token)
            .await
            .map_err(|rejection| AwsError::from(rejection).with_provider(provider))?;
        verified.push(login);
    }
    Ok(verified)
}

fn provider_subs(verified: &[VerifiedLogin]) -> Vec<(String, String)> {
    verified.iter().map(|l| (l.provider.clone(), l.sub.clone())).collect()
}

/// Random credentials shaped like STS's: `ASIA` + 16 base32 characters, a 40-character
/// secret, a long opaque session token.
fn new_credentials(expiration: i64) -> Credentials {
    const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bytes = [0u8; 16 + 30 + 300];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system RNG is available");
    let (key, rest) = bytes.split_at(16);
    let (secret, token) = rest.split_at(30);
    let access_key_id =
        "ASIA".chars().chain(key.iter().map(|b| BASE32[usize::from(b % 32)] as char)).collect();
    Credentials {
        access_key_id,
        secret_key: STANDARD.encode(secret),
        session_token: STANDARD.encode(token),
        expiration,
    }
}

impl AwsError {
    fn with_provider(mut self, provider: &str) -> Self {
        self.detail = self.detail.map(|d| format!("Logins[{provider:?}]: {d}"));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_look_like_sts_temporary_credentials() {
        let c = new_credentials(42);
        assert_eq!(c.access_key_id.len(), 20);
        assert!(c.access_key_id.starts_with("ASIA"));
        assert!(
            c.access_key_id.chars().all(|ch| ch.is_ascii_uppercase() || ('2'..='7').contains(&ch))
        );
        assert_eq!(c.secret_key.len(), 40);
        assert!(c.session_token.len() > 300);
        assert_ne!(c, new_credentials(42), "credentials are random");
        let json = serde_json::to_value(&c).unwrap();
        assert!(json["Expiration"].is_number(), "Expiration must be a JSON number");
        assert!(json.get("SecretKey").is_some());
    }
}
