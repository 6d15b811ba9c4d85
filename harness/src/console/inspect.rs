//! Tokens read for people: decoded (header and claims, times as dates and relative to the
//! world clock), and judged by mock-cognito's own check chains. The token inspector page, and
//! the parts the exchange pages share.

use axum::Form;
use axum::response::Html;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use maud::{Markup, html};
use mock_cognito::explain::{self, Check, Login, Verdict};
use mock_cognito::{CognitoState, strip_scheme};
use serde::Deserialize;
use serde_json::Value;

use super::{Console, Shared, layout, relative};

/// Claims that hold times (epoch seconds).
const TIME_CLAIMS: [&str; 4] = ["exp", "iat", "nbf", "auth_time"];

/// A JWT's header and claims, unverified; `None` if it is not three dot-separated base64url
/// parts with JSON objects in the first two.
pub(super) fn decode(token: &str) -> Option<(Value, Value)> {
    let mut parts = token.trim().split('.');
    let (header, claims) = (parts.next()?, parts.next()?);
    parts.next()?;
    let part = |p: &str| -> Option<Value> {
        let value: Value =
            serde_json::from_slice(&B64URL.decode(p.trim_end_matches('=')).ok()?).ok()?;
        value.is_object().then_some(value)
    };
    Some((part(header)?, part(claims)?))
}

/// A token, decoded, as two tables; or why it cannot be.
pub(super) fn token_view(token: &str, now: i64) -> Markup {
    let Some((header, claims)) = decode(token) else {
        return html! {
            p.warn { "This is not a JWT: three base64url parts with a JSON header and claims. Cognito answers such a token "
                code { "NotAuthorizedException: Invalid login token. Not a valid OpenId Connect identity token." } }
        };
    };
    html! {
        div.token {
            section {
                h4 { "Header" }
                (claims_table(&header, now))
            }
            section {
                h4 { "Claims" }
                (claims_table(&claims, now))
            }
        }
    }
}

fn claims_table(object: &Value, now: i64) -> Markup {
    let empty = serde_json::Map::new();
    let fields = object.as_object().unwrap_or(&empty);
    html! {
        table.claims {
            thead { tr { th scope="col" { "Name" } th scope="col" { "Value" } } }
            tbody {
                @for (name, value) in fields {
                    tr {
                        th scope="row" { code { (name) } }
                        td {
                            code { (compact(value)) }
                            @if let (true, Some(at)) = (TIME_CLAIMS.contains(&name.as_str()), value.as_i64()) {
                                br;
                                span.when {
                                    time datetime=(mock_cognito::iso8601(at)) { (mock_cognito::iso8601(at)) }
                                    " (" (relative(at, now)) " on the world clock)"
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn compact(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// The checks as an ordered list, with AWS's answer, its source and the fix under a failure,
/// and the verdict.
pub(super) fn checks_view(title: &str, checks: &[Check]) -> Markup {
    let first_failure = checks.iter().find(|c| matches!(c.verdict, Verdict::Fail { .. }));
    html! {
        section.checks aria-label=(title) {
            p { (title) }
            ol {
                @for check in checks {
                    @match &check.verdict {
                        Verdict::Pass => li.pass {
                            span.name { (check.name) } " " span.verdict { "pass" }
                            div.compared { (check.compared) }
                        },
                        Verdict::Skipped(why) => li.skipped {
                            span.name { (check.name) } " " span.verdict { "not checked: " (why) }
                            div.compared { (check.compared) }
                        },
                        Verdict::Fail { answer, source, fix } => li.fail {
                            span.name { (check.name) } " " span.verdict { "FAIL" }
                            div.compared { (check.compared) }
                            p { "AWS answers " code.answer { (answer) } }
                            p.source { "(" (source.label()) " answer: " (source.reference()) ")" }
                            p.fix { strong { "Fix: " } (fix) }
                        },
                    }
                }
            }
            @match first_failure {
                Some(check) => p.verdict-line.refused { "Verdict: refused at “" (check.name) "”." },
                None => p.verdict-line.accepted { "Verdict: accepted." },
            }
        }
    }
}

/// Cognito's checks of `token` sent as `Logins[key]` to pool `pool_id`, judged at `now` with
/// this world's keys, as the endpoint judges it.
pub(super) async fn judge_login(
    cognito: &CognitoState,
    pool_id: &str,
    key: &str,
    token: &str,
    now: i64,
) -> Result<Vec<Check>, String> {
    let pool = cognito
        .pool(pool_id)
        .ok_or_else(|| format!("this world has no identity pool {pool_id}"))?;
    let trusted = cognito.trusted_provider(&pool, key);
    let login = Login {
        key,
        token,
        pool: pool_id,
        trusted: trusted.as_deref().map_err(Vec::as_slice),
        now,
        leeway: cognito.token_leeway,
    };
    Ok(cognito.explain_login(&login).await)
}

/// The `Logins` key a token would go under: its `iss` without the scheme.
pub(super) fn logins_key_of(token: &str) -> String {
    decode(token)
        .and_then(|(_, claims)| {
            claims.get("iss").and_then(Value::as_str).map(|i| strip_scheme(i).to_owned())
        })
        .unwrap_or_default()
}

/// The inspector's form.
#[derive(Debug, Default, Deserialize)]
pub(super) struct InspectForm {
    #[serde(default)]
    token: String,
    /// `world` or `aws-cli`.
    #[serde(default)]
    against: String,
    #[serde(default)]
    pool: String,
    #[serde(default)]
    logins_key: String,
    #[serde(default)]
    aws_pool: String,
    #[serde(default)]
    aws_provider: String,
}

pub(super) async fn page(state: Shared) -> Html<String> {
    render(&state, &InspectForm::default(), None).await
}

pub(super) async fn submit(state: Shared, Form(form): Form<InspectForm>) -> Html<String> {
    let result = judge(&state, &form).await;
    render(&state, &form, Some(result)).await
}

async fn judge(console: &Console, form: &InspectForm) -> Result<(String, Vec<Check>), String> {
    let token = form.token.trim();
    if token.is_empty() {
        return Err("Paste a token first.".into());
    }
    let key = match form.logins_key.trim() {
        "" => logins_key_of(token),
        key => key.to_owned(),
    };
    let now = console.okta.clock.now();
    if form.against == "aws-cli" {
        let parse = |text: &str, what: &str| -> Result<Value, String> {
            serde_json::from_str(text).map_err(|e| format!("The {what} JSON does not parse: {e}"))
        };
        let pool = parse(&form.aws_pool, "describe-identity-pool")?;
        let provider = parse(&form.aws_provider, "get-open-id-connect-provider")?;
        let pool_id = pool["IdentityPoolId"].as_str().unwrap_or_default().to_owned();
        let trusted = explain::provider_from_aws_cli(&pool, &provider, &key);
        let checks = explain::explain(&Login {
            key: &key,
            token,
            pool: &pool_id,
            trusted: trusted.as_ref().map_err(Vec::as_slice),
            now,
            leeway: 0,
        });
        let title = format!(
            "Cognito's checks of Logins[{key:?}] for {pool_id}, offline (the signature is not checked against a real account), at world time {}:",
            mock_cognito::iso8601(now)
        );
        return Ok((title, checks));
    }
    let pool = match form.pool.as_str() {
        "" => console.summary().map(|s| s.identity_pool_id.clone()).unwrap_or_default(),
        pool => pool.to_owned(),
    };
    let checks = judge_login(&console.cognito, &pool, &key, token, now).await?;
    let title = format!(
        "Cognito's checks of Logins[{key:?}] for {pool}, in AWS's order, at world time {}:",
        mock_cognito::iso8601(now)
    );
    Ok((title, checks))
}

async fn render(
    console: &Console,
    form: &InspectForm,
    result: Option<Result<(String, Vec<Check>), String>>,
) -> Html<String> {
    let mut pools: Vec<String> = console.cognito.pools().iter().map(|p| p.id.clone()).collect();
    pools.sort();
    let aws_cli = form.against == "aws-cli";
    let now = console.okta.clock.now();
    let body = html! {
        p { "Paste a JWT and choose what judges it: a pool of this world (every check, the signature with this world's keys), or a real account's pool and provider as the AWS CLI prints them (offline)." }
        form method="post" action={ (super::BASE) "/inspect" } {
            div.field {
                label for="token" { "Token" }
                textarea #token name="token" rows="6" spellcheck="false" required { (form.token) }
            }
            fieldset {
                legend { "Judge it against" }
                div.choice {
                    input #against-world type="radio" name="against" value="world" checked[!aws_cli];
                    label for="against-world" { "this world's pool" }
                    " "
                    label.visually-hidden for="pool" { "Identity pool" }
                    select #pool name="pool" {
                        @for pool in &pools {
                            option value=(pool) selected[*pool == form.pool] { (pool) }
                        }
                    }
                }
                div.choice {
                    input #against-aws type="radio" name="against" value="aws-cli" checked[aws_cli];
                    label for="against-aws" { "a real account (AWS CLI JSON)" }
                }
                div.field {
                    label for="aws-pool" { code { "aws cognito-identity describe-identity-pool" } " output" }
                    textarea #aws-pool name="aws_pool" rows="4" spellcheck="false" { (form.aws_pool) }
                }
                div.field {
                    label for="aws-provider" { code { "aws iam get-open-id-connect-provider" } " output" }
                    textarea #aws-provider name="aws_provider" rows="4" spellcheck="false" { (form.aws_provider) }
                }
            }
            div.field {
                label for="logins-key" { "Logins key (empty: the token's " code { "iss" } " without " code { "https://" } ")" }
                input #logins-key type="text" name="logins_key" value=(form.logins_key) spellcheck="false";
            }
            button type="submit" { "Explain" }
        }
        @if let Some(result) = &result {
            section #result aria-live="polite" {
                h2 { "Explanation" }
                @match result {
                    Ok((title, checks)) => {
                        (checks_view(title, checks))
                        h3 { "The token" }
                        (token_view(&form.token, now))
                    }
                    Err(why) => p.warn role="alert" { (why) },
                }
            }
        }
    };
    layout(console, "inspect", "Token inspector", body)
}
