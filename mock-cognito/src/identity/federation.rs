//! Cognito Identity operations as plain async functions: typed input in, typed output or
//! [`AwsError`] out. The protocol layer only parses and serialises.

use std::borrow::Cow;
use std::sync::Arc;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{roles, wire};
use crate::account::{Owner, Pool, policy};
use crate::error::AwsError;
use crate::state::CognitoState;
use crate::texts;
use crate::trust::explain;
use crate::trust::logins::{self, COGNITO_LOGINS_KEY, Keys, Login, VerifiedLogin};
use crate::trust::openid::{COGNITO_ISSUER, OPEN_ID_TOKEN_LIFETIME_SECS};
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
    /// Epoch seconds, a JSON number written as Java writes a double (`1.515115602E9`), as
    /// Cognito does (the JS v3 SDK breaks on anything but a number).
    #[serde(
        serialize_with = "wire::serialize_seconds",
        deserialize_with = "wire::deserialize_seconds"
    )]
    pub expiration: i64,
    /// The secret.
    pub secret_key: String,
    /// The session token.
    pub session_token: String,
}

/// `GetCredentialsForIdentity` output.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct GetCredentialsOutput {
    /// The credentials.
    pub credentials: Credentials,
    /// The identity (another than the one asked for after a merge).
    pub identity_id: String,
}

impl GetCredentialsOutput {
    /// The answer as serde would write it (a test holds the two equal), written by hand: it is
    /// the hottest answer, and serde_json's byte-at-a-time escape scan of its ~500 bytes of
    /// strings was a tenth of the call's instructions (`wire::write_str`).
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        let c = &self.credentials;
        out.extend_from_slice(b"{\"Credentials\":{\"AccessKeyId\":");
        wire::write_str(out, &c.access_key_id);
        out.extend_from_slice(b",\"Expiration\":");
        out.extend_from_slice(wire::java_double(c.expiration as f64).as_bytes());
        out.extend_from_slice(b",\"SecretKey\":");
        wire::write_str(out, &c.secret_key);
        out.extend_from_slice(b",\"SessionToken\":");
        wire::write_str(out, &c.session_token);
        out.extend_from_slice(b"},\"IdentityId\":");
        wire::write_str(out, &self.identity_id);
        out.push(b'}');
    }
}

fn check_logins(v: &mut Violations, logins: Option<&BTreeMap<String, String>>) {
    v.logins("logins", logins, MAX_LOGINS);
}

fn check_id(v: &mut Violations, member: &str, value: Option<String>) -> Checked<String> {
    v.required_string(member, value, (1, 55), Some(REGION_GUID))
}

/// `GetId`: the identity of the logins, or a new unauthenticated one.
pub async fn get_id(state: &CognitoState, input: GetIdInput) -> Result<GetIdOutput, AwsError> {
    // Members in the order AWS listed them in a capture (logins first, aws/aws-sdk-cpp#1085);
    // AWS's order is not stable between calls.
    let mut v = Violations::default();
    check_logins(&mut v, input.logins.as_ref());
    let pool_id = check_id(&mut v, "identityPoolId", input.identity_pool_id);
    v.string("accountId", input.account_id.as_deref(), (1, 15), Some(DIGITS), false);
    let pool_id = pool_id.get(v.finish()?);
    let pool =
        state.pool(&pool_id).ok_or_else(|| texts::POOL_NOT_FOUND.with(&[("pool", &pool_id)]))?;
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
    check_logins(&mut v, input.logins.as_ref());
    let identity_id = check_id(&mut v, "identityId", input.identity_id);
    v.string("customRoleArn", input.custom_role_arn.as_deref(), (20, 2048), None, false);
    let identity_id = identity_id.get(v.finish()?);
    let Owned { pool, verified, identity_id } =
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
        return Err(texts::NO_ROLE
            .error()
            .with_detail(format!("pool {} has no {kind} role", pool.id)));
    };
    // Cognito gets the credentials from STS with its own token for the identity: the role
    // must trust cognito-identity.amazonaws.com for this pool (docs/reference/cognito.md §2.4, §3.2).
    let request = cognito_principal(&pool.id, &identity_id, &verified);
    if !policy::allows(&role.trust_policy, &request) {
        return Err(texts::NO_ROLE.error().with_detail(format!(
            "role {} does not let cognito-identity.amazonaws.com assume it for pool {} with amr {:?}",
            role.arn, pool.id, request.values("cognito-identity.amazonaws.com:amr")
        )));
    }
    let session = "CognitoIdentityCredentials";
    let issued = state.credentials.issue(Owner {
        role_arn: role.arn.clone(),
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
    check_logins(&mut v, input.logins.as_ref());
    let identity_id = check_id(&mut v, "identityId", input.identity_id);
    let identity_id = identity_id.get(v.finish()?);
    let Owned { pool, verified, identity_id } =
        owned_identity(state, &identity_id, &input.logins.unwrap_or_default()).await?;
    // Which of the two refusals comes first when both apply is not published (inferred).
    if !pool.role_mappings.is_empty() {
        return Err(texts::CLASSIC_ROLE_MAPPINGS.error());
    }
    // Unset allows the basic flow, as for a pool created without the flag (aws/aws-cli#7652).
    if pool.allow_classic_flow == Some(false) {
        return Err(texts::CLASSIC_DISABLED.error());
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
fn amr(verified: &[VerifiedLogin]) -> Vec<Cow<'_, str>> {
    if verified.is_empty() {
        return vec![Cow::Borrowed("unauthenticated")];
    }
    let mut amr = vec![Cow::Borrowed("authenticated")];
    for login in verified {
        if login.provider == COGNITO_LOGINS_KEY {
            let carried =
                login.claims.get("amr").and_then(serde_json::Value::as_array).into_iter().flatten();
            amr.extend(
                carried
                    .filter_map(serde_json::Value::as_str)
                    .filter(|a| *a != "authenticated")
                    .map(Cow::Borrowed),
            );
        } else {
            amr.push(Cow::Borrowed(&login.provider));
            amr.push(Cow::Owned([login.provider.as_str(), ":", &login.sub].concat()));
        }
    }
    amr
}

/// What STS sees when Cognito assumes a role for an identity.
fn cognito_principal<'a>(
    pool_id: &'a str,
    identity_id: &'a str,
    verified: &'a [VerifiedLogin],
) -> policy::Request<'a> {
    policy::Request::new("cognito-identity.amazonaws.com")
        .key("cognito-identity.amazonaws.com:aud", [pool_id])
        .key("cognito-identity.amazonaws.com:sub", [identity_id])
        .key("cognito-identity.amazonaws.com:amr", amr(verified))
}

/// The developer-authenticated enhanced flow: Cognito's own token for this identity (from
/// `GetOpenIdTokenForDeveloperIdentity`) proves ownership.
async fn developer_login(
    state: &CognitoState,
    pool: Arc<Pool>,
    identity_id: &str,
    token: &str,
) -> Result<Owned, AwsError> {
    let key = state.cognito_key.get(&state.region).await;
    let Some(claims) = key.verify(token) else {
        let cognito = crate::trust::unverified_claims(token).is_some_and(|c| {
            c.get("iss").and_then(serde_json::Value::as_str) == Some(COGNITO_ISSUER)
        });
        return Err(if cognito {
            texts::SIGNATURE.error().with_detail("not signed by this endpoint's Cognito key")
        } else {
            texts::NOT_A_COGNITO_TOKEN.error()
        });
    };
    let exp = claims.get("exp").and_then(serde_json::Value::as_i64).unwrap_or(0);
    let now = state.clock.now();
    if now >= exp.saturating_add(state.token_leeway) {
        return Err(texts::EXPIRED.with(&[("now", &now), ("exp", &exp)]));
    }
    let owns = claims.get("sub").and_then(serde_json::Value::as_str) == Some(identity_id)
        && claims.get("aud").and_then(serde_json::Value::as_str) == Some(pool.id.as_str());
    if !owns {
        return Err(texts::LOGINS_DONT_MATCH.error());
    }
    let login = VerifiedLogin {
        provider: COGNITO_LOGINS_KEY.to_owned(),
        sub: identity_id.to_owned(),
        claims: claims.into(),
    };
    Ok(Owned { pool, verified: vec![login], identity_id: identity_id.to_owned() })
}

/// An identity the caller proved to own: its pool, the logins proved, and its id (another
/// than the one asked for when Cognito merged the asked one into it).
struct Owned {
    pool: Arc<Pool>,
    verified: Vec<VerifiedLogin>,
    identity_id: String,
}

/// Checks that the caller owns `identity_id` (for `UnlinkIdentity`).
pub(crate) async fn owned_identity_for(
    state: &CognitoState,
    identity_id: &str,
    logins: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    owned_identity(state, identity_id, logins).await.map(drop)
}

/// The identity the caller owns, after checking it: `identity_id`, or the authenticated
/// identity it was merged into.
async fn owned_identity(
    state: &CognitoState,
    identity_id: &str,
    logins: &BTreeMap<String, String>,
) -> Result<Owned, AwsError> {
    let Some(identity) = state.identity_standing(identity_id, &[]) else {
        // Not recorded here: it may have been issued by another process. Ids are derived
        // from (pool, provider, sub), so valid logins that derive this id prove ownership.
        return adopt(state, identity_id, logins).await;
    };
    let pool = state
        .pool(&identity.pool_id)
        .ok_or_else(|| texts::IDENTITY_NOT_FOUND.with(&[("identity", &identity_id)]))?;
    if identity.disabled {
        // A merged or fully unlinked identity (aws-amplify/amplify-js#6616, #5015).
        return Err(texts::ACCESS_FORBIDDEN.with(&[("identity", &identity_id)]));
    }
    if let Some(token) = logins.get(COGNITO_LOGINS_KEY) {
        return developer_login(state, pool, identity_id, token).await;
    }
    let authenticated = identity.holds.is_some();
    if logins.is_empty() {
        if authenticated {
            // An authenticated identity without its logins (aws-amplify/aws-sdk-android#52).
            return Err(texts::ACCESS_FORBIDDEN.with(&[("identity", &identity_id)]));
        }
        require_unauthenticated_access(&pool)?;
        return Ok(Owned { pool, verified: Vec::new(), identity_id: identity_id.to_owned() });
    }
    let verified = verify_all(state, &pool, logins).await?;
    let subs = provider_subs(&verified);
    // A guest identity given logins of an authenticated one is merged into it (and disabled);
    // the authenticated identity is the one answered (aws-amplify/amplify-js#6616).
    let Some(identity_id) = state.link_owned(&pool.id, identity_id, &subs)? else {
        let linked = state.identity(identity_id).map(|i| i.logins).unwrap_or_default();
        return Err(texts::LOGINS_DONT_MATCH.error().with_detail(format!(
            "identity {identity_id} is linked to {linked:?}; the request proved {subs:?}"
        )));
    };
    Ok(Owned { pool, verified, identity_id })
}

async fn adopt(
    state: &CognitoState,
    identity_id: &str,
    logins: &BTreeMap<String, String>,
) -> Result<Owned, AwsError> {
    let not_found = || texts::IDENTITY_NOT_FOUND.with(&[("identity", &identity_id)]);
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
            let identity_id = state.link(&pool.id, &subs, Some(identity_id))?;
            return Ok(Owned { pool, verified, identity_id });
        }
    }
    Err(not_found())
}

fn require_unauthenticated_access(pool: &Pool) -> Result<(), AwsError> {
    if pool.allow_unauthenticated { Ok(()) } else { Err(texts::UNAUTHENTICATED.error()) }
}

/// Verifies every login, stopping at the first failure (every token must be valid). A refusal
/// is logged with the checks the endpoint made, as `fedmock explain` words them.
async fn verify_all(
    state: &CognitoState,
    pool: &Pool,
    logins: &BTreeMap<String, String>,
) -> Result<Vec<VerifiedLogin>, AwsError> {
    let now = state.clock.now();
    let mut verified = Vec::with_capacity(logins.len());
    for (key, token) in logins {
        let trusted = state.trusted_provider(pool, key);
        let login = Login {
            key,
            token,
            pool: &pool.id,
            trusted: trusted.as_deref().map_err(Vec::as_slice),
            now,
            leeway: state.token_leeway,
        };
        let outcome = logins::check(&login, Keys::Fetched(&state.jwks), false).await;
        match outcome.result {
            Ok(login) => verified.push(login),
            Err(err) => {
                let detail = err.detail.clone().map(|d| format!("Logins[{key:?}]: {d}"));
                let mut err = err.with_checks(explain::render(key, &outcome.checks));
                err.detail = detail;
                return Err(err);
            }
        }
    }
    Ok(verified)
}

fn provider_subs(verified: &[VerifiedLogin]) -> Vec<(String, String)> {
    verified.iter().map(|l| (l.provider.clone(), l.sub.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_credentials_answer_is_written_as_serde_writes_it() {
        let answer =
            |identity_id: &str, session_token: &str, expiration: i64| GetCredentialsOutput {
                identity_id: identity_id.to_owned(),
                credentials: Credentials {
                    access_key_id: "ASIAUWR7FG5URLRSDKUU".to_owned(),
                    expiration,
                    secret_key: "mhEt15fEFtpSKP4GUTIVsPkTLHXko9GCBCA+ZbcJ".to_owned(),
                    session_token: session_token.to_owned(),
                },
            };
        for output in [
            answer(
                "us-east-1:52ccd353-b7a3-527b-808c-cc774fec0b77",
                "AqYnCMS+eyh/Ka==",
                1_796_307_139,
            ),
            answer("odd\"id\\with\ncontrol", "é\u{7}", 0),
            answer("", "", 1_421_516_513),
        ] {
            let mut written = Vec::new();
            output.write_json(&mut written);
            assert_eq!(
                String::from_utf8(written).unwrap(),
                serde_json::to_string(&output).unwrap()
            );
        }
    }
}
