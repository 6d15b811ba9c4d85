//! `fedmock explain` without running anything: a token judged, check by check, against a
//! world (the default one or a world file) or against a real account's configuration as the
//! AWS CLI prints it (`aws cognito-identity describe-identity-pool`, `aws iam
//! get-open-id-connect-provider`). Nothing is fetched, so the signature is not checked.

use harness::FederationConfig;
use harness::mock_cognito::{self, CognitoState, explain, strip_scheme};
use serde_json::Value;

use crate::Error;

/// What a token is judged against.
#[derive(Clone, Debug)]
pub enum Against {
    /// A world: its pool (`None`: the first) and its IAM OIDC providers, with `{okta}` standing
    /// for `okta`.
    World {
        /// The world.
        world: Box<FederationConfig>,
        /// What `{okta}` stands for.
        okta: String,
        /// The pool, if not the world's first.
        pool: Option<String>,
    },
    /// A real account's pool and provider, as the AWS CLI prints them.
    AwsCli {
        /// `describe-identity-pool`'s output.
        pool: Value,
        /// `get-open-id-connect-provider`'s output.
        provider: Value,
    },
}

/// Explains Cognito's checks of `token` sent under `logins_key` (default: its `iss` without
/// the scheme), at time `now`.
pub fn logins(
    token: &str,
    logins_key: Option<&str>,
    against: Against,
    now: i64,
) -> Result<String, Error> {
    let key = logins_key.map(str::to_owned).unwrap_or_else(|| {
        let claims = mock_cognito::unverified_claims(token);
        let iss = claims.as_ref().and_then(|c| c.get("iss")).and_then(Value::as_str);
        iss.map(|i| strip_scheme(i).to_owned()).unwrap_or_default()
    });
    let (pool_id, leeway, trusted) = match against {
        Against::AwsCli { pool, provider } => {
            let id = pool["IdentityPoolId"].as_str().unwrap_or_default().to_owned();
            (id, 0, explain::provider_from_aws_cli(&pool, &provider, &key))
        }
        Against::World { world, okta, pool } => {
            let (world, cognito) = account(*world, &okta, now)?;
            let pool_id = pool
                .or_else(|| world.aws.identity_pools.first().and_then(|p| p.id.clone()))
                .ok_or_else(|| Error::World("the world has no identity pool".into()))?;
            let pool = cognito
                .pool(&pool_id)
                .ok_or_else(|| Error::World(format!("the world has no identity pool {pool_id}")))?;
            (
                pool_id,
                world.aws.token_leeway_seconds,
                cognito.trusted_provider(&pool, &key).map(std::sync::Arc::unwrap_or_clone),
            )
        }
    };
    let checks = explain::explain(&explain::Login {
        key: &key,
        token,
        pool: &pool_id,
        trusted: trusted.as_ref().map_err(Vec::as_slice),
        now,
        leeway,
    });
    Ok(explain::render(&key, &checks))
}

/// Explains STS `AssumeRoleWithWebIdentity` with `token` in `world`, at time `now`; with
/// `role` (`RoleArn`, `DurationSeconds`), the role's checks too.
pub fn web_identity(
    token: &str,
    role: Option<(&str, i64)>,
    world: FederationConfig,
    okta: &str,
    now: i64,
) -> Result<String, Error> {
    let (world, cognito) = account(world, okta, now)?;
    let held = role.and_then(|(arn, _)| cognito.role(arn));
    let checks = explain::explain_web_identity(&explain::WebIdentityCall {
        token,
        providers: &cognito.providers(),
        role: role.map(|(arn, duration)| explain::RoleAsked {
            arn,
            role: held.as_deref(),
            duration,
        }),
        now,
        leeway: world.aws.token_leeway_seconds,
    });
    Ok(explain::render_web_identity(&checks))
}

/// The world's AWS account as mock-cognito holds it, its clock stopped at `now`.
fn account(
    mut world: FederationConfig,
    okta: &str,
    now: i64,
) -> Result<(FederationConfig, CognitoState), Error> {
    world.resolve(okta.trim_end_matches('/'));
    let cognito = CognitoState::new(world.aws.clone(), mock_cognito::Clock::from_fn(move || now))
        .map_err(|e| Error::World(e.to_string()))?;
    Ok((world, cognito))
}
