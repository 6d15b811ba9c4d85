//! `fedmock explain` without running anything: a token judged, check by check, against a
//! world (the default one or a world file) or against a real account's configuration as the
//! AWS CLI prints it (`aws cognito-identity describe-identity-pool`, `aws iam
//! get-open-id-connect-provider`). Nothing is fetched, so the signature is not checked.

use harness::FederationConfig;
use harness::mock_cognito::{self, CognitoState, Provider, explain, strip_scheme};
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
            (id, 0, from_aws_cli(&pool, &provider, &key))
        }
        Against::World { world, okta, pool } => {
            let (world, cognito) = account(*world, &okta, now)?;
            let pool_id = pool
                .or_else(|| world.aws.identity_pools.first().and_then(|p| p.id.clone()))
                .ok_or_else(|| Error::World("the world has no identity pool".into()))?;
            let pool = cognito
                .pool(&pool_id)
                .ok_or_else(|| Error::World(format!("the world has no identity pool {pool_id}")))?;
            (pool_id, world.aws.token_leeway_seconds, cognito.trusted_provider(&pool, &key))
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

/// The provider a real pool trusts under `key`, from the AWS CLI's JSON, or the names it
/// trusts. `get-open-id-connect-provider` shows the URL without its scheme.
fn from_aws_cli(pool: &Value, provider: &Value, key: &str) -> Result<Provider, Vec<String>> {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_owned)).collect()
    };
    let arns = strings(&pool["OpenIdConnectProviderARNs"]);
    let name = provider["Url"].as_str().unwrap_or_default();
    let trusted: Vec<String> = arns
        .iter()
        .filter_map(|a| a.split_once(":oidc-provider/").map(|(_, n)| n.to_owned()))
        .collect();
    if name != key || !trusted.iter().any(|t| t == name) {
        return Err(trusted);
    }
    let arn = arns.iter().find(|a| a.ends_with(name)).cloned().unwrap_or_default();
    let account = arn.split(':').nth(4).unwrap_or_default();
    let mut found =
        Provider::new(account, &format!("https://{name}"), strings(&provider["ClientIDList"]));
    found.arn = arn;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_aws_cli_s_pool_and_provider_give_the_trusted_provider() {
        let pool = json!({"OpenIdConnectProviderARNs": ["arn:aws:iam::123456789012:oidc-provider/dev-1.okta.com/oauth2/default"]});
        let provider =
            json!({"Url": "dev-1.okta.com/oauth2/default", "ClientIDList": ["api://default"]});
        let found = from_aws_cli(&pool, &provider, "dev-1.okta.com/oauth2/default").unwrap();
        assert_eq!(found.client_ids, ["api://default"]);
        assert_eq!(
            found.arn,
            "arn:aws:iam::123456789012:oidc-provider/dev-1.okta.com/oauth2/default"
        );
        assert_eq!(
            from_aws_cli(&pool, &provider, "https://dev-1.okta.com/oauth2/default").unwrap_err(),
            ["dev-1.okta.com/oauth2/default"]
        );
    }
}
