//! The world at a glance: endpoints, Okta's servers, clients and users, the AWS account's
//! IAM OIDC providers, pools and roles, and snippets that work against this world as it runs
//! (the same commands `fedmock up` prints, and the SDK code people paste into their apps).

use axum::response::Html;
use maud::{Markup, html};

use super::{Console, Shared, layout};
use crate::WorldSummary;

pub(super) async fn render(console: &Console) -> Html<String> {
    let Some(s) = console.summary() else {
        return layout(console, "world", "World", html! { p { "The world is starting." } });
    };
    let okta = &console.config.okta;
    let mut servers: Vec<&mock_okta::AuthServer> =
        std::iter::once(&console.okta.org).chain(console.okta.servers()).collect();
    servers.sort_by(|a, b| a.issuer.cmp(&b.issuer));
    let mut providers = console.cognito.providers();
    providers.sort_by(|a, b| a.name.cmp(&b.name));
    let mut pools = console.cognito.pools();
    pools.sort_by(|a, b| a.id.cmp(&b.id));
    let mut roles = console.cognito.roles();
    roles.sort_by(|a, b| a.arn.cmp(&b.arn));
    let body = html! {
        section aria-labelledby="endpoints" {
            h2 #endpoints { "Endpoints" }
            dl.facts {
                dt { "Okta (issuer of the default server)" } dd { code { (s.issuer) } }
                dt { "Discovery" } dd { a href=(s.discovery_url) { code { (s.discovery_url) } } }
                dt { "Token endpoint" } dd { code { (s.token_endpoint) } }
                dt { "Cognito Identity, STS and IAM" } dd { code { (s.cognito_endpoint) } " (region " code { (s.region) } ", account " code { (s.account_id) } ")" }
                dt { "Identity pool" } dd { code { (s.identity_pool_id) } }
                dt { "Logins key" } dd { code { (s.logins_key) } }
                @if let Some(ca) = &s.ca_file { dt { "CA to trust" } dd { code { (ca) } } }
            }
        }
        section aria-labelledby="okta" {
            h2 #okta { "Okta" }
            h3 { "Authorization servers" }
            table {
                thead { tr { th scope="col" { "Issuer" } th scope="col" { "Access token audience" } th scope="col" { "Keys" } } }
                tbody { @for server in &servers {
                    tr { td { code { (server.issuer) } } td { code { (server.audience) } } td { a href={ (server.endpoint_base) "/keys" } { "JWKS" } } }
                } }
            }
            h3 { "Clients" }
            table {
                thead { tr { th scope="col" { "Client id" } th scope="col" { "Authentication" } th scope="col" { "Grants" } th scope="col" { "Redirect URIs" } } }
                tbody { @for client in &okta.clients {
                    tr {
                        td { code { (client.client_id) } }
                        td { code { (client.token_endpoint_auth_method.as_str()) } }
                        td { (client.grant_types.join(", ")) }
                        td { (client.redirect_uris.join(", ")) }
                    }
                } }
            }
            h3 { "Users" }
            table {
                thead { tr { th scope="col" { "Login" } th scope="col" { "Password" } th scope="col" { "Name" } th scope="col" { "Groups" } } }
                tbody { @for user in &okta.users {
                    tr { td { code { (user.login) } } td { code { (user.password) } } td { (user.name) } td { (user.groups.join(", ")) } }
                } }
            }
            @if !okta.trusted_origins.is_empty() {
                h3 { "Trusted Origins" }
                ul { @for origin in &okta.trusted_origins { li { code { (origin.origin) } } } }
            }
        }
        section aria-labelledby="aws" {
            h2 #aws { "AWS" }
            h3 { "IAM OIDC providers" }
            table {
                thead { tr { th scope="col" { "Provider (the Logins key)" } th scope="col" { "Client IDs (audiences)" } } }
                tbody { @for p in &providers {
                    tr { td { code { (p.name) } } td { @for id in &p.client_ids { code { (id) } " " } } }
                } }
            }
            h3 { "Identity pools" }
            table {
                thead { tr { th scope="col" { "Pool" } th scope="col" { "Trusts" } th scope="col" { "Authenticated role" } th scope="col" { "Guests" } } }
                tbody { @for pool in &pools {
                    tr {
                        td { code { (pool.id) } br; (pool.name) }
                        td { @for p in &pool.providers { code { (p) } " " } }
                        td { code { (pool.authenticated_role_arn.as_deref().unwrap_or("none")) } }
                        td { (if pool.allow_unauthenticated { "allowed" } else { "not allowed" }) }
                    }
                } }
            }
            h3 { "Roles" }
            ul { @for role in &roles { li { code { (role.arn) } } } }
        }
        section aria-labelledby="snippets" {
            h2 #snippets { "Snippets for this world" }
            @for (title, code) in snippets(s) {
                (snippet(&title, &code))
            }
        }
    };
    layout(console, "world", "World", body)
}

pub(super) async fn page(state: Shared) -> Html<String> {
    render(&state).await
}

fn snippet(title: &str, code: &str) -> Markup {
    html! {
        figure.snippet {
            figcaption { (title) }
            pre { code { (code) } }
            button.copy type="button" { "Copy" }
        }
    }
}

/// Code that works against this world as it runs.
fn snippets(s: &WorldSummary) -> Vec<(String, String)> {
    let (okta, cognito, region, pool, key) =
        (&s.token_endpoint, &s.cognito_endpoint, &s.region, &s.identity_pool_id, &s.logins_key);
    let (client, secret, user, password) =
        (&s.client_id, &s.client_secret, &s.username, &s.password);
    vec![
        (
            "An Okta access token (curl)".into(),
            format!(
                "TOKEN=$(curl -s -u '{client}:{secret}' -d grant_type=password \\\n  -d username='{user}' -d password='{password}' -d scope=openid \\\n  {okta} | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')"
            ),
        ),
        (
            "AWS credentials with the AWS CLI".into(),
            format!(
                "ID=$(aws cognito-identity get-id --endpoint-url {cognito} --region {region} --no-sign-request \\\n  --identity-pool-id {pool} --logins '{{\"{key}\":\"'\"$TOKEN\"'\"}}' --query IdentityId --output text)\naws cognito-identity get-credentials-for-identity --endpoint-url {cognito} --region {region} \\\n  --no-sign-request --identity-id \"$ID\" --logins '{{\"{key}\":\"'\"$TOKEN\"'\"}}'"
            ),
        ),
        (
            "JavaScript SDK v2 (AWS.CognitoIdentityCredentials)".into(),
            format!(
                "AWS.config.region = '{region}';\nAWS.config.credentials = new AWS.CognitoIdentityCredentials(\n  {{ IdentityPoolId: '{pool}', Logins: {{ '{key}': token }} }},\n  {{ endpoint: '{cognito}' }},\n);\nawait AWS.config.credentials.getPromise();\nconsole.log(AWS.config.credentials.identityId, AWS.config.credentials.accessKeyId);"
            ),
        ),
        (
            "JavaScript SDK v3 (fromCognitoIdentityPool)".into(),
            format!(
                "import {{ fromCognitoIdentityPool }} from '@aws-sdk/credential-providers';\n\nconst credentials = fromCognitoIdentityPool({{\n  identityPoolId: '{pool}',\n  logins: {{ '{key}': token }},\n  clientConfig: {{ region: '{region}', endpoint: '{cognito}' }},\n}});\nconsole.log(await credentials());"
            ),
        ),
        (
            "Python (boto3)".into(),
            format!(
                "import boto3\nfrom botocore import UNSIGNED\nfrom botocore.config import Config\n\nci = boto3.client('cognito-identity', region_name='{region}', endpoint_url='{cognito}',\n                  config=Config(signature_version=UNSIGNED))\nlogins = {{'{key}': token}}\nidentity = ci.get_id(IdentityPoolId='{pool}', Logins=logins)['IdentityId']\nprint(ci.get_credentials_for_identity(IdentityId=identity, Logins=logins)['Credentials'])"
            ),
        ),
        (
            "Rust (aws-sdk-cognitoidentity)".into(),
            format!(
                "let config = aws_config::defaults(aws_config::BehaviorVersion::latest())\n    .region(aws_config::Region::new(\"{region}\"))\n    .endpoint_url(\"{cognito}\")\n    .no_credentials()\n    .load()\n    .await;\nlet client = aws_sdk_cognitoidentity::Client::new(&config);\nlet id = client.get_id().identity_pool_id(\"{pool}\").logins(\"{key}\", &token).send().await?;\nlet credentials = client\n    .get_credentials_for_identity()\n    .identity_id(id.identity_id().unwrap_or_default())\n    .logins(\"{key}\", &token)\n    .send()\n    .await?;"
            ),
        ),
    ]
}
