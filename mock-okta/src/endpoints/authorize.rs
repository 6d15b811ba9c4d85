//! `/v1/authorize` and `/v1/logout` as a browser meets them: the decision of
//! `token::authorize` rendered as a redirect (query or fragment), an auto-submitting form
//! post, the HTML login form or an error page.

use std::sync::Arc;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::ServerId;
use super::authn::{session_cookie, session_of};
use super::token::not_a_form;
use crate::error::{OAuthError, OktaError, html_escape};
use crate::org::{OktaState, origin_of};
use crate::random::random_id;
use crate::token::authorize::{self, AuthorizeParams, Outcome, ResponseMode};
use crate::token::inspect;

pub(super) async fn authorize_query(
    State(s): State<Arc<OktaState>>,
    id: ServerId,
    headers: HeaderMap,
    Query(params): Query<AuthorizeParams>,
) -> Result<Response, OktaError> {
    let server = id.resolve(&s)?;
    let session = session_of(&s, &headers).map(|(_, session)| session.login);
    Ok(render(&s, authorize::authorize(&s, server, params, session.as_deref()).await))
}

pub(super) async fn authorize_form(
    State(s): State<Arc<OktaState>>,
    id: ServerId,
    headers: HeaderMap,
    form: Result<Form<AuthorizeParams>, FormRejection>,
) -> Result<Response, OktaError> {
    let server = id.resolve(&s)?;
    let Form(params) = form.map_err(|_| not_a_form())?;
    let session = session_of(&s, &headers).map(|(_, session)| session.login);
    Ok(render(&s, authorize::authorize(&s, server, params, session.as_deref()).await))
}

/// The query of `/v1/logout`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct LogoutParams {
    /// An ID token the server issued (expired is fine).
    pub id_token_hint: Option<String>,
    /// Where to go afterwards; must be registered for the token's client.
    pub post_logout_redirect_uri: Option<String>,
    /// Returned as is.
    pub state: Option<String>,
}

/// `/v1/logout`: ends the (notional) session and returns to a registered URI.
pub(super) async fn logout(
    State(s): State<Arc<OktaState>>,
    id: ServerId,
    Query(params): Query<LogoutParams>,
) -> Result<Response, OktaError> {
    let (state, server) = (&*s, id.resolve(&s)?);
    let page = |error: OAuthError| Err(OktaError::Page(error));
    let Some(hint) = params.id_token_hint.as_deref() else {
        // Okta requires id_token_hint (docs/reference/okta.md §1.2); text inferred.
        return page(OAuthError::invalid_request("The 'id_token_hint' parameter is required."));
    };
    let Some(claims) = inspect::own_token(server, hint).await else {
        return page(OAuthError::invalid_request(
            "The 'id_token_hint' parameter is not a valid ID token.",
        ));
    };
    let client = claims.get("aud").and_then(Value::as_str).and_then(|aud| state.client(aud));
    match (params.post_logout_redirect_uri, client) {
        (Some(uri), Some(client)) if client.post_logout_redirect_uris.contains(&uri) => {
            let query: Vec<(String, String)> =
                params.state.map(|s| vec![("state".to_owned(), s)]).unwrap_or_default();
            Ok(redirect_with_query(&uri, &query))
        }
        (Some(_), _) => page(OAuthError::invalid_request(
            "The 'post_logout_redirect_uri' parameter must be a Logout redirect URI in the client app settings.",
        )),
        (None, _) => {
            Ok(Html("<!DOCTYPE html><html><body><p>You have been signed out.</p></body></html>")
                .into_response())
        }
    }
}

/// A redirect to `to` carrying `params` in its query (the URI may already have one).
fn redirect_with_query(to: &str, params: &[(String, String)]) -> Response {
    let separator = if to.contains('?') { '&' } else { '?' };
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    found(&format!("{to}{separator}{query}"))
}

fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => OktaError::from(OAuthError::invalid_request(
            "The redirect URI cannot be used in a Location header.",
        ))
        .into_response(),
    }
}

/// The answer of `/v1/authorize` as the browser gets it; a sign-in starts a session (`sid`).
fn render(state: &OktaState, outcome: Outcome) -> Response {
    let session = match &outcome {
        Outcome::Redirect { signed_in: Some(login), .. } => {
            let id = random_id(40);
            state.grants.put_session(id.clone(), login.clone(), state.clock.now());
            Some(id)
        }
        _ => None,
    };
    let mut response = render_outcome(outcome);
    if let Some(id) = session {
        response.headers_mut().append(header::SET_COOKIE, session_cookie(Some(&id)));
    }
    response
}

fn render_outcome(outcome: Outcome) -> Response {
    {
        match outcome {
            Outcome::Redirect { to, mode: ResponseMode::Query, params, .. } => {
                redirect_with_query(&to, &params)
            }
            Outcome::Redirect { to, mode: ResponseMode::Fragment, params, .. } => {
                found(&format!("{to}#{}", serde_urlencoded::to_string(&params).unwrap_or_default()))
            }
            Outcome::Redirect { to, mode: ResponseMode::OktaPostMessage, params, .. } => {
                post_message_page(&to, &params)
            }
            Outcome::Redirect { to, mode: ResponseMode::FormPost, params, .. } => {
                let inputs: String = params
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            r#"<input type="hidden" name="{}" value="{}"/>"#,
                            html_escape(k),
                            html_escape(v)
                        )
                    })
                    .collect();
                Html(format!(
                    r#"<!DOCTYPE html><html><head><title>Submit This Form</title></head><body onload="document.forms[0].submit()"><form method="post" action="{}">{inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>"#,
                    html_escape(&to)
                ))
                .into_response()
            }
            Outcome::Login(params, error) => login_page(&params, error.as_deref()).into_response(),
            Outcome::Page(error) => OktaError::Page(error).into_response(),
        }
    }
}

/// `okta_post_message`: a page for okta-auth-js's hidden iframe that posts the answer (or the
/// error, always with `state`) to the parent window, to the redirect URI's origin only. Okta's
/// own page is not published (docs/reference/browser.md §B); what okta-auth-js reads is:
/// `event.data` with the answer's fields, from the issuer's origin (this page's).
fn post_message_page(redirect_uri: &str, params: &[(String, String)]) -> Response {
    let data: serde_json::Map<String, Value> =
        params.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    let target = origin_of(redirect_uri).to_owned();
    // JSON in a script: `<` escaped so no value can close the element.
    let script_json = |value: &Value| value.to_string().replace('<', "\\u003c");
    Html(format!(
        r#"<!DOCTYPE html><html><head><meta charset="UTF-8"><title>Okta</title></head><body><script>window.parent.postMessage({}, {});</script></body></html>"#,
        script_json(&Value::Object(data)),
        script_json(&Value::String(target)),
    ))
    .into_response()
}

fn login_page(params: &AuthorizeParams, error: Option<&str>) -> Html<String> {
    let hidden: String = serde_urlencoded::to_string(params)
        .ok()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(&q).ok())
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| {
            format!(
                r#"<input type="hidden" name="{}" value="{}"/>"#,
                html_escape(k),
                html_escape(v)
            )
        })
        .collect();
    let error = error
        .map(|e| format!(r#"<p role="alert" style="color:#b00">{}</p>"#, html_escape(e)))
        .unwrap_or_default();
    Html(format!(
        r#"<!DOCTYPE html><html><head><title>Sign In</title><meta name="viewport" content="width=device-width"></head>
<body style="font-family:sans-serif;max-width:22em;margin:4em auto">
<h1>Sign In</h1><p>fedmock: a mock Okta org</p>{error}
<form method="post">{hidden}
<p><label>Username<br><input name="username" autocomplete="username" autofocus></label></p>
<p><label>Password<br><input name="password" type="password" autocomplete="current-password"></label></p>
<p><button type="submit">Sign In</button></p></form></body></html>"#
    ))
}
