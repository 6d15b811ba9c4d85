//! Okta's classic Authentication API and sessions, as `@okta/okta-auth-js` (and the Sign-In
//! Widget inside it) signs a user in from a page: `POST /api/v1/authn` trades a login and
//! password for a one-time `sessionToken`, which `/v1/authorize?sessionToken=…` redeems for a
//! session (`sid` cookie), as does `/login/sessionCookieRedirect`; `/api/v1/sessions/me` reads
//! and ends it. Shapes and texts: docs/reference/browser.md §A (Okta's Authentication API
//! reference, okta-auth-js v8.1.0's `lib/authn`, `lib/session` and test fixtures). Multi-factor, password expiry and recovery
//! are not modelled: every user has a password only.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::clock::okta_time;
use crate::error::{ApiError, OAuthError, OktaError};
use crate::org::OktaState;
use crate::org::grants::{SESSION_TOKEN_LIFETIME_SECS, Session};
use crate::random::random_id;

/// The session cookie's name (Okta's "Session cookie" guide).
pub(crate) const SESSION_COOKIE: &str = "sid";

/// `POST /api/v1/authn`: `SUCCESS` with a session token, or `E0000004`.
pub(super) async fn authn(
    State(s): State<Arc<OktaState>>,
    body: Bytes,
) -> Result<Response, OktaError> {
    let request: Value = serde_json::from_slice(&body).map_err(|_| ApiError::malformed_body())?;
    let field = |name: &str| request.get(name).and_then(Value::as_str);
    let (Some(login), Some(password)) = (field("username"), field("password")) else {
        return Err(ApiError::authentication_failed().into());
    };
    let user = s.user_by_login(login).filter(|u| u.password == password);
    let Some(user) = user else {
        return Err(ApiError::authentication_failed().into());
    };
    let now = s.clock.now();
    let token = random_id(40);
    s.grants.put_session_token(token.clone(), user.login.clone(), now);
    let (first, last) = user.name.split_once(' ').unwrap_or((&user.name, ""));
    let mut answer = json!({
        "expiresAt": okta_time(now + SESSION_TOKEN_LIFETIME_SECS),
        "status": "SUCCESS",
        "sessionToken": token,
        "_embedded": {"user": {
            "id": user.id,
            "passwordChanged": okta_time(now - 86_400),
            "profile": {
                "login": user.login,
                "firstName": first,
                "lastName": last,
                "locale": "en_US",
                "timeZone": "America/Los_Angeles",
            },
        }},
    });
    if let Some(relay) = request.get("relayState") {
        answer["relayState"] = relay.clone();
    }
    Ok(Json(answer).into_response())
}

/// The session named by the request's `sid` cookie, if it is alive.
pub(crate) fn session_of(state: &OktaState, headers: &HeaderMap) -> Option<(String, Session)> {
    let id = super::cookie(headers, SESSION_COOKIE)?;
    let session = state.grants.session(id, state.clock.now())?;
    Some((id.to_owned(), session))
}

/// A `Set-Cookie` that starts (`Some`) or ends (`None`) the session.
pub(crate) fn session_cookie(id: Option<&str>) -> HeaderValue {
    let cookie = match id {
        Some(id) => format!("{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=None; Secure"),
        None => format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=None; Secure"),
    };
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("sid="))
}

/// `GET /api/v1/sessions/me`.
pub(super) async fn get_session(
    State(s): State<Arc<OktaState>>,
    headers: HeaderMap,
) -> Result<Response, OktaError> {
    let (id, session) = session_of(&s, &headers).ok_or_else(ApiError::no_session)?;
    let user = s.user_by_login(&session.login).ok_or_else(ApiError::no_session)?;
    let base = &s.base_url;
    Ok(Json(json!({
        "id": id,
        "login": user.login,
        "userId": user.id,
        "status": "ACTIVE",
        "createdAt": okta_time(session.created_at),
        "expiresAt": okta_time(session.expires_at),
        "lastPasswordVerification": okta_time(session.created_at),
        "lastFactorVerification": null,
        "amr": ["pwd"],
        "idp": {"id": s.org_id, "type": "OKTA"},
        "mfaActive": false,
        "_links": {
            "self": {"href": format!("{base}/api/v1/sessions/me"), "hints": {"allow": ["GET", "DELETE"]}},
            "refresh": {"href": format!("{base}/api/v1/sessions/me/lifecycle/refresh"), "hints": {"allow": ["POST"]}},
            "user": {"name": user.name, "href": format!("{base}/api/v1/users/me"), "hints": {"allow": ["GET"]}},
        },
    }))
    .into_response())
}

/// `DELETE /api/v1/sessions/me`: 204 and the cookie cleared, or `E0000007`.
pub(super) async fn end_session(
    State(s): State<Arc<OktaState>>,
    headers: HeaderMap,
) -> Result<Response, OktaError> {
    let (id, _) = session_of(&s, &headers).ok_or_else(ApiError::no_session)?;
    s.grants.end_session(&id, s.clock.now());
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, session_cookie(None))]).into_response())
}

/// The query of `/login/sessionCookieRedirect`.
#[derive(serde::Deserialize)]
pub(super) struct CookieRedirect {
    token: Option<String>,
    #[serde(rename = "redirectUrl")]
    redirect_url: Option<String>,
}

/// `GET /login/sessionCookieRedirect?token=<sessionToken>&redirectUrl=<url>`: okta-auth-js's
/// `session.setCookieAndRedirect` (AJS `lib/session/api.ts`). Redeems the session token for a
/// session, sets `sid` and redirects to `redirectUrl`, which must be a Trusted Origin of type
/// Redirect (Okta's session-cookie guide). Okta's answers to a bad token or an untrusted URL
/// are not published: an error page naming the problem (inferred).
pub(super) async fn session_cookie_redirect(
    State(s): State<Arc<OktaState>>,
    query: Result<Query<CookieRedirect>, QueryRejection>,
) -> Result<Response, OktaError> {
    let page = |description: &str| OktaError::Page(OAuthError::invalid_request(description));
    let Query(query) = query.map_err(|_| page("The query string is malformed."))?;
    let url = query.redirect_url.filter(|u| !u.is_empty());
    let Some(url) = url.filter(|u| s.redirect_trusted(u)) else {
        return Err(page(
            "The 'redirectUrl' parameter must be on a Trusted Origin of type Redirect.",
        ));
    };
    let now = s.clock.now();
    let login = query.token.and_then(|t| s.grants.take_session_token(&t, now));
    let Some(login) = login else {
        return Err(page("The session token is invalid or has expired."));
    };
    let location =
        HeaderValue::from_str(&url).map_err(|_| page("The redirect URL is not valid."))?;
    let id = random_id(40);
    s.grants.put_session(id.clone(), login, now);
    Ok((
        StatusCode::FOUND,
        [(header::LOCATION, location), (header::SET_COOKIE, session_cookie(Some(&id)))],
    )
        .into_response())
}
