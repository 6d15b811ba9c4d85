//! The controls: the world clock (freeze, advance, resume), each authorization server's keys
//! (rotate, retire), Okta's faults, and minting a token with chosen claims and signing. Each
//! form calls the same function the control API does (`Clock::try_apply`, `KeySet::rotate`,
//! `OktaState::set_faults`, `mock_okta::mint`); a change redirects back (so reloading does not
//! repeat it), a mistake is shown beside the form with the input kept.

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use mock_okta::{AuthServer, ClockChange, Faults, MintRequest, ORG, ServerKind};
use serde::Deserialize;

use super::{BASE, Console, Shared, layout};

/// What the page says after a change.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Done {
    #[serde(default)]
    done: String,
}

/// A mistake to show beside its form, with what was typed.
#[derive(Debug, Default)]
struct Retry {
    faults: Option<(String, String)>,
    mint: Option<(String, String)>,
    clock: Option<String>,
}

fn server_key(server: &AuthServer) -> &str {
    if server.kind == ServerKind::Org { ORG } else { &server.config.id }
}

const MINT_EXAMPLE: &str = r#"{
  "server": "default",
  "token": "access",
  "scopes": ["openid"],
  "claims": {},
  "signing": "normal"
}"#;

async fn render(
    console: &Console,
    done: &str,
    retry: Retry,
    minted: Option<(String, String)>,
) -> Markup {
    let now = console.okta.clock.now();
    let frozen = console.okta.clock.is_frozen();
    let mut servers: Vec<&AuthServer> =
        std::iter::once(&console.okta.org).chain(console.okta.servers()).collect();
    servers.sort_by(|a, b| a.issuer.cmp(&b.issuer));
    let mut keys = Vec::new();
    for server in &servers {
        let kids: Vec<String> = match server.keys.all().await {
            Ok(all) => all.iter().map(|k| k.kid().to_owned()).collect(),
            Err(e) => vec![format!("(keys unavailable: {e})")],
        };
        keys.push((server_key(server).to_owned(), server.issuer.clone(), kids));
    }
    let faults = serde_json::to_string_pretty(&*console.okta.faults()).unwrap_or_default();
    let message = match done {
        "clock" => Some(format!(
            "The world clock reads {}{}.",
            mock_cognito::iso8601(now),
            if frozen { ", frozen" } else { "" }
        )),
        "rotated" => {
            Some("Rotated: a new key signs from now on; the old one stays published.".to_owned())
        }
        "retired" => Some("Retired: only the active key is published now.".to_owned()),
        "faults" => Some("The faults are in force.".to_owned()),
        "cleared" => Some("No faults: Okta answers normally.".to_owned()),
        _ => None,
    };
    html! {
        @if let Some(message) = message { p.done role="status" { (message) } }
        section aria-labelledby="clock-heading" {
            h2 #clock-heading { "Clock" }
            p { "Both mocks read this clock: tokens' " code { "iat" } " and " code { "exp" } ", Cognito's expiry check, credentials' expiry. It reads "
                time datetime=(mock_cognito::iso8601(now)) { (mock_cognito::iso8601(now)) } (if frozen { " and is frozen." } else { " and runs." }) }
            @if let Some(why) = &retry.clock { p.warn role="alert" { (why) } }
            form.inline method="post" action={ (BASE) "/controls/clock" } {
                input type="hidden" name="action" value="freeze";
                button type="submit" { "Freeze" }
            }
            form.inline method="post" action={ (BASE) "/controls/clock" } {
                input type="hidden" name="action" value="resume";
                button type="submit" { "Resume" }
            }
            form.inline method="post" action={ (BASE) "/controls/clock" } {
                input type="hidden" name="action" value="advance";
                label for="advance-seconds" { "Advance by (seconds, negative goes back)" }
                input #advance-seconds type="number" name="seconds" value="3600" step="1" required;
                button type="submit" { "Advance" }
            }
        }
        section aria-labelledby="keys-heading" {
            h2 #keys-heading { "Signing keys" }
            table {
                thead { tr { th scope="col" { "Server" } th scope="col" { "Published keys (first signs)" } th scope="col" { "Change" } } }
                tbody { @for (key, issuer, kids) in &keys {
                    tr {
                        td { code { (issuer) } }
                        td { @for kid in kids { code { (kid) } br; } }
                        td {
                            form.inline method="post" action={ (BASE) "/controls/keys" } {
                                input type="hidden" name="server" value=(key);
                                input type="hidden" name="action" value="rotate";
                                button type="submit" aria-label={ "Rotate the keys of " (issuer) } { "Rotate" }
                            }
                            form.inline method="post" action={ (BASE) "/controls/keys" } {
                                input type="hidden" name="server" value=(key);
                                input type="hidden" name="action" value="retire";
                                button type="submit" aria-label={ "Retire the old keys of " (issuer) } { "Retire old" }
                            }
                        }
                    }
                } }
            }
        }
        section aria-labelledby="faults-heading" {
            h2 #faults-heading { "Okta faults" }
            p { "Token endpoint errors and delays, JWKS errors and delays, claims merged into every token, signing faults (" code { "unpublished_key" } ", " code { "tampered_signature" } ", " code { "unknown_kid" } ", " code { "alg_none" } ", " code { "{\"hs256\": {\"secret\": …}}" } ")." }
            @let (text, why) = retry.faults.clone().map_or((faults.clone(), None), |(t, w)| (t, Some(w)));
            @if let Some(why) = why { p.warn role="alert" { (why) } }
            form method="post" action={ (BASE) "/controls/faults" } {
                div.field {
                    label for="faults" { "Faults in force (JSON)" }
                    textarea #faults name="faults" rows="10" spellcheck="false" { (text) }
                }
                button type="submit" name="action" value="apply" { "Apply" }
                " "
                button type="submit" name="action" value="clear" { "Clear all" }
            }
        }
        section aria-labelledby="mint-heading" {
            h2 #mint-heading { "Mint a token" }
            p { "Any claims (" code { "null" } " removes one), any signing fault, any header field. The token is signed by this world's Okta." }
            @let (text, why) = retry.mint.clone().map_or((MINT_EXAMPLE.to_owned(), None), |(t, w)| (t, (!w.is_empty()).then_some(w)));
            @if let Some(why) = why { p.warn role="alert" { (why) } }
            form method="post" action={ (BASE) "/controls/mint" } {
                div.field {
                    label for="mint" { "Mint request (JSON)" }
                    textarea #mint name="request" rows="9" spellcheck="false" { (text) }
                }
                button type="submit" { "Mint" }
            }
            @if let Some((request, token)) = &minted {
                section #minted aria-live="polite" {
                    h3 { "Minted" }
                    p { "From " code { (request) } }
                    pre.token-text { code { (token) } }
                    form method="post" action={ (BASE) "/inspect" } {
                        input type="hidden" name="token" value=(token);
                        input type="hidden" name="against" value="world";
                        button type="submit" { "Inspect it" }
                    }
                }
            }
        }
    }
}

async fn full(
    console: &Console,
    done: &str,
    retry: Retry,
    minted: Option<(String, String)>,
) -> axum::response::Html<String> {
    let body = render(console, done, retry, minted).await;
    layout(console, "controls", "Controls", body)
}

pub(super) async fn page(state: Shared, Query(done): Query<Done>) -> Response {
    full(&state, &done.done, Retry::default(), None).await.into_response()
}

fn back(done: &str) -> Response {
    Redirect::to(&format!("{BASE}/controls?done={done}")).into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct ClockForm {
    action: String,
    #[serde(default)]
    seconds: Option<String>,
}

pub(super) async fn clock(state: Shared, Form(form): Form<ClockForm>) -> Response {
    let mut change = ClockChange::default();
    match form.action.as_str() {
        "freeze" => change.freeze = true,
        "resume" => change.resume = true,
        "advance" => match form.seconds.as_deref().map(str::trim).map(str::parse::<i64>) {
            Some(Ok(seconds)) => change.advance = Some(seconds),
            _ => {
                return refused(
                    &state,
                    Retry {
                        clock: Some("Advance by a whole number of seconds.".into()),
                        ..Retry::default()
                    },
                )
                .await;
            }
        },
        other => {
            return refused(
                &state,
                Retry { clock: Some(format!("No clock action {other:?}.")), ..Retry::default() },
            )
            .await;
        }
    }
    match state.okta.clock.try_apply(&change) {
        Ok(()) => back("clock"),
        Err(why) => refused(&state, Retry { clock: Some(why), ..Retry::default() }).await,
    }
}

async fn refused(console: &Console, retry: Retry) -> Response {
    (StatusCode::BAD_REQUEST, full(console, "", retry, None).await).into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct KeysForm {
    server: String,
    action: String,
}

pub(super) async fn keys(state: Shared, Form(form): Form<KeysForm>) -> Response {
    let Some(server) = state.okta.server_by_key(&form.server) else {
        return (StatusCode::NOT_FOUND, full(&state, "", Retry::default(), None).await)
            .into_response();
    };
    match form.action.as_str() {
        "rotate" => match server.keys.rotate().await {
            Ok(_) => back("rotated"),
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        },
        _ => {
            server.keys.retire();
            back("retired")
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct FaultsForm {
    #[serde(default)]
    faults: String,
    #[serde(default)]
    action: String,
}

pub(super) async fn faults(state: Shared, Form(form): Form<FaultsForm>) -> Response {
    if form.action == "clear" {
        state.okta.set_faults(Faults::default());
        return back("cleared");
    }
    let parsed = serde_json::from_str::<Faults>(&form.faults)
        .map_err(|e| format!("The faults are not valid: {e}"))
        .and_then(|faults| faults.check().map(|()| faults));
    match parsed {
        Ok(faults) => {
            state.okta.set_faults(faults);
            back("faults")
        }
        Err(why) => {
            refused(&state, Retry { faults: Some((form.faults, why)), ..Retry::default() }).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct MintForm {
    #[serde(default)]
    request: String,
}

pub(super) async fn mint(state: Shared, Form(form): Form<MintForm>) -> Response {
    let request = match serde_json::from_str::<MintRequest>(&form.request) {
        Ok(request) => request,
        Err(e) => {
            let why = format!("The mint request is not valid: {e}");
            return refused(&state, Retry { mint: Some((form.request, why)), ..Retry::default() })
                .await;
        }
    };
    match mock_okta::mint(&state.okta, &request).await {
        Ok(token) => {
            let summary = serde_json::to_string(&request).unwrap_or_default();
            full(
                &state,
                "",
                Retry { mint: Some((form.request, String::new())), ..Retry::default() },
                Some((summary, token)),
            )
            .await
            .into_response()
        }
        Err(e) => {
            refused(&state, Retry { mint: Some((form.request, e.to_string())), ..Retry::default() })
                .await
        }
    }
}
