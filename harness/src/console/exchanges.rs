//! The live feed's pages: the list (filtered by verdict, action and pool, new exchanges pushed
//! in as server-sent events) and one exchange opened: the request, its tokens decoded, and the
//! check list with the fix, as `fedmock explain` writes it.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use futures_util::Stream;
use maud::{Markup, html};
use mock_cognito::explain::{RoleAsked, WebIdentityCall};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;

use super::feed::{Answer, Exchange};
use super::inspect::{checks_view, judge_login, logins_key_of, token_view};
use super::{BASE, Console, Shared, layout, relative};

/// The most rows the list shows.
const SHOWN: usize = 200;

/// The list's filters; empty means any.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Filters {
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    pool: String,
}

impl Filters {
    fn admit(&self, console: &Console, exchange: &Exchange) -> bool {
        (self.verdict.is_empty() || exchange.answer.verdict() == self.verdict)
            && (self.action.is_empty() || exchange.action == self.action)
            && (self.pool.is_empty() || pool_of(console, exchange).as_deref() == Some(&self.pool))
    }
}

/// The identity pool an exchange concerns: its `IdentityPoolId`, or the pool of its
/// `IdentityId`.
fn pool_of(console: &Console, exchange: &Exchange) -> Option<String> {
    if exchange.service != "cognito-identity" {
        return None;
    }
    let body: HashMap<String, Value> = serde_json::from_str(&exchange.body).ok()?;
    if let Some(pool) = body.get("IdentityPoolId").and_then(Value::as_str) {
        return Some(pool.to_owned());
    }
    let identity = body.get("IdentityId").and_then(Value::as_str)?;
    console.cognito.identity(identity).map(|i| i.pool_id)
}

/// One row of the list.
fn row(console: &Console, exchange: &Exchange, now: i64) -> Markup {
    let pool = pool_of(console, exchange).unwrap_or_default();
    let verdict = exchange.answer.verdict();
    html! {
        tr data-verdict=(verdict) data-action=(exchange.action) data-pool=(pool) {
            td { time datetime=(mock_cognito::iso8601(exchange.at)) title=(mock_cognito::iso8601(exchange.at)) { (relative(exchange.at, now)) } }
            td { a href={ (BASE) "/exchanges/" (exchange.id) } { (exchange.action) } br; span.service { (exchange.service) } }
            td { (exchange.client()) }
            td { span class={ "badge " (verdict) } { (verdict) } }
            td {
                @if let Answer::Refused { error_type, message, .. } = &exchange.answer {
                    code { (error_type) } ": " (message)
                }
            }
        }
    }
}

pub(super) async fn list(state: Shared, Query(filters): Query<Filters>) -> Html<String> {
    let console = &state;
    let now = console.okta.clock.now();
    let recent = console.feed.recent();
    let mut actions: Vec<&str> = recent.iter().map(|e| e.action.as_str()).collect();
    for known in
        ["GetId", "GetCredentialsForIdentity", "GetOpenIdToken", "AssumeRoleWithWebIdentity"]
    {
        actions.push(known);
    }
    actions.sort_unstable();
    actions.dedup();
    let mut pools: Vec<String> = console.cognito.pools().iter().map(|p| p.id.clone()).collect();
    pools.sort();
    let shown: Vec<&Arc<Exchange>> =
        recent.iter().filter(|e| filters.admit(console, e)).take(SHOWN).collect();
    let body = html! {
        p {
            "Every token request and every Cognito, STS and IAM request, newest first; new ones appear as they happen. The console keeps the last "
            (console.feed.capacity()) " (" (console.feed.total()) " since the world started). Open one for its tokens and the checks AWS made."
        }
        form.filters method="get" action={ (BASE) "/exchanges" } {
            div.field {
                label for="verdict" { "Verdict" }
                select #verdict name="verdict" {
                    option value="" { "any" }
                    @for v in ["accepted", "refused"] { option value=(v) selected[filters.verdict == v] { (v) } }
                }
            }
            div.field {
                label for="action" { "Action" }
                select #action name="action" {
                    option value="" { "any" }
                    @for a in &actions { option value=(a) selected[filters.action == *a] { (a) } }
                }
            }
            div.field {
                label for="pool-filter" { "Identity pool" }
                select #pool-filter name="pool" {
                    option value="" { "any" }
                    @for p in &pools { option value=(p) selected[filters.pool == *p] { (p) } }
                }
            }
            button type="submit" { "Filter" }
        }
        p #feed-status aria-live="polite" { }
        table #exchanges data-events={ (BASE) "/exchanges/events" } {
            caption.visually-hidden { "Exchanges, newest first" }
            thead { tr {
                th scope="col" { "When" } th scope="col" { "Action" } th scope="col" { "Client" }
                th scope="col" { "Verdict" } th scope="col" { "AWS's or Okta's answer" }
            } }
            tbody {
                @for exchange in &shown { (row(console, exchange, now)) }
            }
        }
        @if shown.is_empty() {
            p #empty { "Nothing yet. Run an exchange (the world page has commands to paste) and it appears here." }
        }
    };
    layout(console, "exchanges", "Exchanges", body)
}

/// New exchanges as server-sent events, each one rendered as a table row; the stream ends when
/// the world stops.
pub(super) async fn events(state: Shared) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let console = Arc::clone(&state);
    let receiver = console.feed.subscribe();
    let closing = console.closing.subscribe();
    let stream = futures_util::stream::unfold(
        (console, receiver, closing),
        |(console, mut receiver, mut closing)| async move {
            loop {
                if *closing.borrow() {
                    return None;
                }
                let next = tokio::select! {
                    next = receiver.recv() => next,
                    _ = closing.changed() => return None,
                };
                match next {
                    Ok(exchange) => {
                        let now = console.okta.clock.now();
                        let html = row(&console, &exchange, now).into_string();
                        let event = Event::default()
                            .event("exchange")
                            .id(exchange.id.to_string())
                            .data(html);
                        return Some((Ok(event), (console, receiver, closing)));
                    }
                    // A page that falls behind misses some; it can reload for the rest.
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

pub(super) async fn detail(state: Shared, Path(id): Path<String>) -> Response {
    let console = &state;
    let Some(exchange) = id.parse::<u64>().ok().and_then(|id| console.feed.get(id)) else {
        let body = html! {
            p { "The console no longer holds exchange " (id) ": it keeps the last " (console.feed.capacity()) "." }
            p { a href={ (BASE) "/exchanges" } { "Back to the exchanges" } }
        };
        return (StatusCode::NOT_FOUND, layout(console, "exchanges", "Exchange not found", body))
            .into_response();
    };
    let now = console.okta.clock.now();
    let title = format!("{} #{}", exchange.action, exchange.id);
    let body = html! {
        p { a href={ (BASE) "/exchanges" } { "← All exchanges" } }
        dl.facts {
            dt { "When" } dd { (mock_cognito::iso8601(exchange.at)) " (" (relative(exchange.at, now)) " on the world clock)" }
            dt { "Service" } dd { (exchange.service) }
            dt { "Client" } dd { (exchange.client()) }
            dt { "Verdict" } dd { span class={ "badge " (exchange.answer.verdict()) } { (exchange.answer.verdict()) } }
            @if let Answer::Refused { error_type, message, .. } = &exchange.answer {
                dt { "Answer" } dd { code.answer { (error_type) ": " (message) } }
            }
        }
        (explanation(console, &exchange).await)
        @if !exchange.body.is_empty() {
            section {
                h2 { "The request" }
                @if exchange.truncated { p.warn { "The body is longer than the console keeps; shown in part." } }
                pre.request { (pretty(&exchange.body)) }
            }
        }
        @if let Answer::Refused { checks: Some(log), .. } = &exchange.answer {
            details {
                summary { "The endpoint's log of this refusal" }
                pre { (log) }
            }
        }
    };
    layout(console, "exchanges", &title, body).into_response()
}

/// The tokens an exchange carried, decoded, each with the checks that judge it.
async fn explanation(console: &Console, exchange: &Exchange) -> Markup {
    if let Some(okta) = &exchange.okta {
        let pool = console.summary().map(|s| s.identity_pool_id.clone()).unwrap_or_default();
        let mut parts = Vec::new();
        for (name, token) in &okta.tokens {
            let key = logins_key_of(token);
            let checks = judge_login(&console.cognito, &pool, &key, token, exchange.at).await;
            parts.push(html! {
                section {
                    h2 { "The " (name.replace('_', " ")) }
                    (token_view(token, exchange.at))
                    h3 { "What Cognito would answer for it" }
                    @match checks {
                        Ok(checks) => (checks_view(&format!("Cognito's checks of Logins[{key:?}] for {pool}, at the time it was issued:"), &checks)),
                        Err(why) => p { (why) },
                    }
                }
            });
        }
        return html! {
            dl.facts {
                dt { "Authorization server" } dd { code { (okta.issuer) } }
                dt { "Client" } dd { code { (okta.client_id.as_deref().unwrap_or("(none presented)")) } }
            }
            @for part in parts { (part) }
        };
    }
    match exchange.service {
        "cognito-identity" => logins_explanation(console, exchange).await,
        "sts" => web_identity_explanation(console, exchange).await,
        _ => html! {},
    }
}

async fn logins_explanation(console: &Console, exchange: &Exchange) -> Markup {
    let Ok(body) = serde_json::from_str::<HashMap<String, Value>>(&exchange.body) else {
        return html! {};
    };
    let Some(logins) = body.get("Logins").and_then(Value::as_object) else {
        return html! {};
    };
    let pool = pool_of(console, exchange);
    let mut parts = Vec::new();
    for (key, token) in logins {
        let token = token.as_str().unwrap_or_default();
        let checks = match &pool {
            Some(pool) => judge_login(&console.cognito, pool, key, token, exchange.at).await,
            None => {
                Err("The identity is not one this world knows, so its pool is unknown.".to_owned())
            }
        };
        let title = format!(
            "Cognito's checks of Logins[{key:?}] for {}, in AWS's order, at the time it arrived:",
            pool.as_deref().unwrap_or("?")
        );
        parts.push(html! {
            section {
                h2 { "Logins[" code { (key) } "]" }
                h3 { "The checks" }
                @match checks {
                    Ok(checks) => (checks_view(&title, &checks)),
                    Err(why) => p { (why) },
                }
                h3 { "The token" }
                (token_view(token, exchange.at))
            }
        });
    }
    html! { @for part in parts { (part) } }
}

async fn web_identity_explanation(console: &Console, exchange: &Exchange) -> Markup {
    let Ok(params) = serde_urlencoded::from_str::<HashMap<String, String>>(&exchange.body) else {
        return html! {};
    };
    let Some(token) = params.get("WebIdentityToken") else {
        return html! {};
    };
    let arn = params.get("RoleArn").map(String::as_str);
    let duration = params.get("DurationSeconds").and_then(|d| d.parse().ok()).unwrap_or(3600);
    let held = arn.and_then(|arn| console.cognito.role(arn));
    let providers = console.cognito.providers();
    let call = WebIdentityCall {
        token,
        providers: &providers,
        role: arn.map(|arn| RoleAsked { arn, role: held.as_deref(), duration }),
        now: exchange.at,
        leeway: console.cognito.token_leeway,
    };
    let checks = console.cognito.explain_web_identity(&call).await;
    html! {
        section {
            h2 { "The web identity token" }
            h3 { "The checks" }
            (checks_view("STS's checks of AssumeRoleWithWebIdentity, in order, at the time it arrived:", &checks))
            h3 { "The token" }
            (token_view(token, exchange.at))
        }
    }
}

/// A JSON body indented, a form body one field a line, anything else as it came.
fn pretty(body: &str) -> String {
    if let Ok(json) = serde_json::from_str::<Value>(body) {
        return serde_json::to_string_pretty(&json).unwrap_or_else(|_| body.to_owned());
    }
    match serde_urlencoded::from_str::<Vec<(String, String)>>(body) {
        Ok(pairs) if !pairs.is_empty() => {
            pairs.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join("\n")
        }
        _ => body.to_owned(),
    }
}
