//! Cognito Identity operations as plain async functions: typed input in, typed output or
//! [`AwsError`] out. The protocol layer only parses and serialises.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::roles;
use crate::account::{Owner, Pool};
use crate::error::{AwsError, ErrorType};
use crate::state::CognitoState;
use crate::trust::explain;
use crate::trust::openid::{COGNITO_ISSUER, OPEN_ID_TOKEN_LIFETIME_SECS};
use crate::trust::policy;
use crate::trust::verify::{TokenRejection, VerifiedLogin, verify_login};
use crate::validate::{Checked, DIGITS, REGION_GUID, Violations};

/// Lifetime of enhanced-flow credentials (docs/reference/cognito.md §1.3: one hour).
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

fn check_id(v: &mut Violations, member: &str, value: Option<String>) -> Checked<String> {
    v.required_string(member, value, (1, 55), Some(REGION_GUID))
}

/// `GetId`: the identity of the logins, or a new unauthenticated one.
pub async fn get_id(state: &CognitoState, input: GetIdInput) -> Result<GetIdOutput, AwsError> {
    let mut v = Violations::default();
    let pool_id = check_id(&mut v, "identityPoolId", input.identity_pool_id);
    v.string("accountId", input.account_id.as_deref(), (1, 15), Some(DIGITS), false);
    check_logins(&mut v, input.logins.as_ref());
    let pool_id = pool_id.get(v.finish()?);
    let pool = state.pool(&pool_id).ok_or_else(|| AwsError::pool_not_found(&pool_id))?;
    let logins = input.logins.unwrap_or_default();
    if logins.is_empty() {
        require_unauthenticated_access(&pool)?;
        return Ok(GetIdOutput { identity_id: state.new_unauthenticated(&pool.id) });
    }
    let verified = verify_all(state, &pool, &logins).await?;
    Ok(GetIdOutput { identity_id: state.link(&pool.id, &provider_subs(&verified), None)? })
}

/// `GetCredentialsForIdentity`: credentials for the pool's role, once the logins prove the
/// caller owns the identity and the role trusts Cognito for this pool.
pub async fn get_credentials_for_identity(
    state: &CognitoState,
    input: GetCredentialsInput,
) -> Result<GetCredentialsOutput, AwsError> {
    let mut v = Violations::default();
    let identity_id = check_id(&mut v, "identityId", input.identity_id);
    check_logins(&mut v, input.logins.as_ref());
    v.string("customRoleArn", input.custom_role_arn.as_deref(), (20, 2048), None, false);
    let identity_id = identity_id.get(v.finish()?);
    let (pool, verified) =
        owned_identity(state, &identity_id, &input.logins.unwrap_or_default()).await?;
    let proven = provider_subs(&verified);
    let authenticated = !proven.is_empty();
    let default_role =
        if authenticated { &pool.authenticated_role_arn } else { &pool.unauthenticated_role_arn };
    let role_arn =
        match verified.iter().find_map(|l| pool.role_mappings.get(&l.provider).map(|m| (l, m))) {
            Some((login, mapping)) => roles::choose(
                &login.provider,
                mapping,
                &login.claims,
                input.custom_role_arn.as_deref(),
                default_role.as_deref(),
            )?,
            None => default_role.clone(),
        };
    let kind = if authenticated { "authenticated" } else { "unauthenticated" };
    let Some(role) = role_arn.as_deref().and_then(|arn| state.role(arn)) else {
        return Err(AwsError::no_role().with_detail(format!("pool {} has no {kind} role", pool.id)));
    };
    // Cognito gets the credentials from STS with its own token for the identity: the role
    // must trust cognito-identity.amazonaws.com for this pool (docs/reference/cognito.md §2.4, §3.2).
    let request = cognito_principal(&pool.id, &identity_id, &verified);
    if !policy::allows(&role.trust_policy, &request) {
        return Err(AwsError::no_role().with_detail(format!(
            "role {} does not let cognito-identity.amazonaws.com assume it for pool {} with amr {:?}",
            role.arn, pool.id, request.keys.get("cognito-identity.amazonaws.com:amr")
        )));
    }
    let session = "CognitoIdentityCredentials";
    let issued = state.credentials.issue(Owner {
        role_arn: role.arn.clone(),
        assumed_role_arn: format!(
            "arn:aws:sts::{}:assumed-role/{}/{session}",
            state.account_id, role.name
        ),
        subject: identity_id.clone(),
        session_name: session.to_owned(),
        expiration: state.clock.now() + CREDENTIALS_LIFETIME_SECS,
    });
    Ok(GetCredentialsOutput {
        identity_id,
        credentials: Credentials {
            access_key_id: issued.access_key_id,
            secret_key: issued.secret_key,
            session_token: issued.session_token,
            expiration: issued.expiration,
        },
    })
}

/// `GetOpenIdToken` input.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetOpenIdTokenInput {
    /// The identity from `GetId`.
    pub identity_id: Option<String>,
    /// Provider name → token.
    pub logins: Option<BTreeMap<String, String>>,
}

/// `GetOpenIdToken` output.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct GetOpenIdTokenOutput {
    /// The identity (may differ from the input after a merge).
    pub identity_id: String,
    /// Cognito's RS512 OpenID token, for STS `AssumeRoleWithWebIdentity` (the basic flow).
    pub token: String,
}

/// `GetOpenIdToken`: Cognito's own token for the identity, for the basic (classic) flow.
pub async fn get_open_id_token(
    state: &CognitoState,
    input: GetOpenIdTokenInput,
) -> Result<GetOpenIdTokenOutput, AwsError> {
    let mut v = Violations::default();
    let identity_id = check_id(&mut v, "identityId", input.identity_id);
    check_logins(&mut v, input.logins.as_ref());
    let identity_id = identity_id.get(v.finish()?);
    let (pool, verified) =
        owned_identity(state, &identity_id, &input.logins.unwrap_or_default()).await?;
    if !pool.role_mappings.is_empty() {
        // Documented (docs/reference/cognito.md §2.4, authentication-flow).
        return Err(AwsError::new(
            ErrorType::InvalidParameter,
            "Basic (classic) flow is not supported with RoleMappings, please use enhanced flow.",
        ));
    }
    if !pool.allow_classic_flow {
        // Type and text inferred from a public report (docs/reference/cognito.md §2.4); the RoleMappings
        // variant of this refusal is documented as InvalidParameterException.
        return Err(AwsError::new(
            ErrorType::InvalidParameter,
            "Basic (classic) flow is not enabled, please use enhanced flow.",
        ));
    }
    let now = state.clock.now();
    let amr = amr(&verified);
    let claims = json!({
        "sub": identity_id,
        "aud": pool.id,
        "amr": amr,
        "iss": COGNITO_ISSUER,
        "https://cognito-identity.amazonaws.com/identity-pool-arn":
            format!("arn:aws:cognito-identity:{}:{}:identitypool/{}", state.region, state.account_id, pool.id),
        "exp": now + OPEN_ID_TOKEN_LIFETIME_SECS,
        "iat": now,
    });
    let token = state.cognito_key.get(&state.region).await.sign(&claims);
    Ok(GetOpenIdTokenOutput { identity_id, token })
}

/// `amr` of Cognito's token: `["unauthenticated"]`, or `["authenticated", provider,
/// "provider:sub", …]` (the `provider:sub` form is documented for public providers and
/// inferred for OIDC ones).
/// A developer login (Cognito's own token) contributes the `amr` its token carries.
fn amr(verified: &[VerifiedLogin]) -> Vec<String> {
    if verified.is_empty() {
        return vec!["unauthenticated".to_owned()];
    }
    let mut amr = vec!["authenticated".to_owned()];
    for login in verified {
        if login.provider == COGNITO_LOGINS_KEY {
            let carried =
                login.claims.get("amr").and_then(serde_json::Value::as_array).into_iter().flatten();
            amr.extend(
                carried
                    .filter_map(serde_json::Value::as_str)
                    .filter(|a| *a != "authenticated")
                    .map(str::to_owned),
            );
        } else {
            amr.push(login.provider.clone());
            amr.push(format!("{}:{}", login.provider, login.sub));
        }
    }
    amr
}

/// What STS sees when Cognito assumes a role for an identity.
fn cognito_principal(
    pool_id: &str,
    identity_id: &str,
    verified: &[VerifiedLogin],
) -> policy::Request {
    policy::Request::new("cognito-identity.amazonaws.com")
        .key("cognito-identity.amazonaws.com:aud", [pool_id])
        .key("cognito-identity.amazonaws.com:sub", [identity_id])
        .key("cognito-identity.amazonaws.com:amr", amr(verified))
}

/// The `Logins` key under which a developer-authenticated client presents Cognito's token.
pub const COGNITO_LOGINS_KEY: &str = "cognito-identity.amazonaws.com";

/// The developer-authenticated enhanced flow: Cognito's own token for this identity (from
/// `GetOpenIdTokenForDeveloperIdentity`) proves ownership.
async fn developer_login(
    state: &CognitoState,
    pool: Pool,
    identity_id: &str,
    token: &str,
) -> Result<(Pool, Vec<VerifiedLogin>), AwsError> {
    let key = state.cognito_key.get(&state.region).await;
    let claims = key.verify(token).ok_or_else(|| {
        AwsError::from(TokenRejection::Signature {
            reason: "not signed by this endpoint's Cognito key".into(),
        })
    })?;
    let exp = claims.get("exp").and_then(serde_json::Value::as_i64).unwrap_or(0);
    let now = state.clock.now();
    if now >= exp + crate::trust::verify::EXPIRY_GRACE_SECS {
        return Err(TokenRejection::Expired { now, exp }.into());
    }
    let owns = claims.get("sub").and_then(serde_json::Value::as_str) == Some(identity_id)
        && claims.get("aud").and_then(serde_json::Value::as_str) == Some(pool.id.as_str());
    if !owns {
        return Err(AwsError::not_authorized(
            "Logins don't match. Please include at least one valid login for this identity or identity pool.",
        ));
    }
    let login = VerifiedLogin {
        provider: COGNITO_LOGINS_KEY.to_owned(),
        sub: identity_id.to_owned(),
        claims,
    };
    Ok((pool, vec![login]))
}

/// Checks that the caller owns `identity_id` (for `UnlinkIdentity`).
pub(crate) async fn owned_identity_for(
    state: &CognitoState,
    identity_id: &str,
    logins: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    owned_identity(state, identity_id, logins).await.map(|_| ())
}

/// The pool of `identity_id` and the logins the request proved (none for an unauthenticated
/// identity), after checking that the caller owns the identity.
async fn owned_identity(
    state: &CognitoState,
    identity_id: &str,
    logins: &BTreeMap<String, String>,
) -> Result<(Pool, Vec<VerifiedLogin>), AwsError> {
    let Some(identity) = state.identity(identity_id) else {
        // Not recorded here: it may have been issued by another process. Ids are derived
        // from (pool, provider, sub), so valid logins that derive this id prove ownership.
        return adopt(state, identity_id, logins).await;
    };
    let pool =
        state.pool(&identity.pool_id).ok_or_else(|| AwsError::identity_not_found(identity_id))?;
    if identity.disabled {
        // A merged or fully unlinked identity; AWS's answer for it is inferred.
        return Err(AwsError::not_authorized(format!(
            "Access to Identity '{identity_id}' is forbidden."
        )));
    }
    if let Some(token) = logins.get(COGNITO_LOGINS_KEY) {
        return developer_login(state, pool, identity_id, token).await;
    }
    if logins.is_empty() {
        if !identity.logins.is_empty() {
            // Observed text; that it is what a login-less call on an authenticated identity
            // gets is inferred (docs/reference/cognito.md §2.3).
            return Err(AwsError::not_authorized(format!(
                "Access to Identity '{identity_id}' is forbidden."
            )));
        }
        require_unauthenticated_access(&pool)?;
        return Ok((pool, Vec::new()));
    }
    let verified = verify_all(state, &pool, logins).await?;
    let subs = provider_subs(&verified);
    let owns = subs.iter().any(|(provider, sub)| identity.logins.get(provider) == Some(sub));
    if !identity.logins.is_empty() && !owns {
        return Err(AwsError::not_authorized(
            "Logins don't match. Please include at least one valid login for this identity or identity pool.",
        )
        .with_detail(format!("identity {identity_id} is linked to {:?}; the request proved {subs:?}", identity.logins)));
    }
    state.link(&pool.id, &subs, Some(identity_id))?;
    Ok((pool, verified))
}

async fn adopt(
    state: &CognitoState,
    identity_id: &str,
    logins: &BTreeMap<String, String>,
) -> Result<(Pool, Vec<VerifiedLogin>), AwsError> {
    let not_found = || AwsError::identity_not_found(identity_id);
    if logins.is_empty() || !identity_id.starts_with(&format!("{}:", state.region)) {
        return Err(not_found());
    }
    for pool in state.pools().into_iter().filter(|p| logins.keys().all(|k| p.providers.contains(k)))
    {
        let verified = verify_all(state, &pool, logins).await?;
        let subs = provider_subs(&verified);
        if subs
            .iter()
            .any(|(provider, sub)| state.identity_id_for(&pool.id, provider, sub) == identity_id)
        {
            state.link(&pool.id, &subs, Some(identity_id))?;
            return Ok((pool, verified));
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
        let trusted = trusted.as_ref().map_err(Clone::clone);
        let login = verify_login(&state.jwks, now, provider, trusted, token).await.map_err(
            |rejection| {
                // The refusal path only: the whole chain, for the log.
                let trusted = state.trusted_provider(pool, provider);
                let checks =
                    explain::explain(provider, token, trusted.as_ref().map_err(Clone::clone), now);
                let mut err = AwsError::from(rejection).with_provider(provider);
                err.checks = Some(explain::render(provider, &checks));
                err
            },
        )?;
        verified.push(login);
    }
    Ok(verified)
}

fn provider_subs(verified: &[VerifiedLogin]) -> Vec<(String, String)> {
    verified.iter().map(|l| (l.provider.clone(), l.sub.clone())).collect()
}

impl AwsError {
    fn with_provider(mut self, provider: &str) -> Self {
        self.detail = self.detail.map(|d| format!("Logins[{provider:?}]: {d}"));
        self
    }
}
