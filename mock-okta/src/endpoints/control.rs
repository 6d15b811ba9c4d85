//! fedmock's control API, under `/__fedmock/` on mock-okta's port: a path Okta never serves,
//! so it cannot be mistaken for Okta's own API. Everything here is also a plain method for
//! in-process tests (`token::sign::mint`, `KeySet::rotate`, `OktaState::set_faults`, `Clock`).
//!
//! | method and path | body | answer |
//! |---|---|---|
//! | `POST /__fedmock/mint` | [`MintRequest`] | `{"token"}` |
//! | `POST /__fedmock/servers/{id}/keys/rotate` | – | `{"active","published"}` |
//! | `POST /__fedmock/servers/{id}/keys/retire` | – | `{"active","published"}` |
//! | `GET`/`PUT`/`DELETE /__fedmock/faults` | [`Faults`] for `PUT` | the faults in force |
//! | `GET`/`POST /__fedmock/clock` | [`ClockChange`] for `POST` | `{"now","frozen"}` |
//! | `GET /__fedmock/health` | – | `{"status":"ready"}` once serving (balancers, probes) |
//! | `/__fedmock/ui/…` | – | the web console, when the harness mounts one (`router_with_console`) |
//!
//! Every path but `health` needs the run's control token ([`OktaState::control_token`]), as
//! Jupyter guards its server: `Authorization: Bearer <token>` from programs (the harness, the
//! runner, `fedmock load`, curl), or in a browser the HttpOnly, SameSite=Strict cookie that
//! `GET /__fedmock/...?token=<token>` sets before redirecting to the same path without it.
//! A request carrying an `Origin` of another site is refused whatever it presents (cross-site
//! request forgery), and the cookie counts only when `Host` names this machine or the
//! configured public host (DNS rebinding: a page at `evil.example` resolved to 127.0.0.1 gets
//! neither the cookie nor the token). `control.insecure` (`--insecure-control`) turns all of it
//! off.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::clock::ClockChange;
use crate::error::OktaError;
use crate::org::faults::Faults;
use crate::org::{AuthServer, OktaState};
use crate::token::sign::{MintRequest, mint};

pub(crate) fn routes(state: &Arc<OktaState>, console: Option<Router>) -> Router<Arc<OktaState>> {
    let mut routes = Router::new();
    if let Some(console) = console {
        routes = routes.nest_service("/ui", console);
    }
    routes
        .route("/mint", post(mint_token))
        .route("/servers/{server}/keys/rotate", post(rotate))
        .route("/servers/{server}/keys/retire", post(retire))
        .route("/faults", get(get_faults).put(put_faults).delete(clear_faults))
        .route("/clock", get(get_clock).post(change_clock))
        .route_layer(middleware::from_fn_with_state(Arc::clone(state), guard))
        .route("/health", get(health))
}

/// How a control request proved it may drive the world.
#[derive(Debug, PartialEq)]
enum Access {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// The browser's cookie.
    Cookie,
    /// `?token=` on a GET: set the cookie and go to the same path without the token.
    Login,
}

async fn guard(State(s): Shared, request: Request, next: Next) -> Response {
    let Some(expected) = s.control_token() else {
        return next.run(request).await;
    };
    match access(&s, request.method(), request.uri(), request.headers(), expected) {
        Ok(Access::Bearer | Access::Cookie) => next.run(request).await,
        Ok(Access::Login) => login(&s, request.uri(), request.headers(), expected),
        Err(refusal) => refusal.into_response(),
    }
}

const NEEDS_TOKEN: &str = "fedmock's control API needs `Authorization: Bearer <control_token>`: \
    `fedmock up` prints the token and writes it to its ready file as `control_token` \
    (or start it with --insecure-control to turn the check off)";

/// Whether the request may pass, and how it proved it.
fn access(
    state: &OktaState,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    expected: &str,
) -> Result<Access, OktaError> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if origin != format!("http://{host}") && origin != format!("https://{host}") {
            return Err(OktaError::control(
                StatusCode::FORBIDDEN,
                format!(
                    "cross-origin calls to the control API are refused: Origin {} is not {host}",
                    origin
                ),
            ));
        }
    }
    let matches = |presented: &str| {
        aws_lc_rs::constant_time::verify_slices_are_equal(presented.as_bytes(), expected.as_bytes())
            .is_ok()
    };
    if let Some(authorization) = headers.get(header::AUTHORIZATION) {
        let presented = authorization.to_str().ok().and_then(|a| a.strip_prefix("Bearer "));
        return match presented {
            Some(token) if matches(token.trim()) => Ok(Access::Bearer),
            _ => Err(OktaError::control(
                StatusCode::UNAUTHORIZED,
                format!("the control token presented is not this run's; {NEEDS_TOKEN}"),
            )),
        };
    }
    let browser = if let Some(token) = super::cookie(headers, &cookie_name(host)) {
        matches(token).then_some(Access::Cookie)
    } else if method == Method::GET {
        query_token(uri).filter(|token| matches(token)).map(|_| Access::Login)
    } else {
        None
    };
    match browser {
        Some(_) if !local_or_public_host(state, host) => Err(OktaError::control(
            StatusCode::FORBIDDEN,
            format!(
                "the control API's cookie is honoured only for this machine's or the public \
                 URL's host, not {}",
                host
            ),
        )),
        Some(access) => Ok(access),
        None => Err(OktaError::control(StatusCode::UNAUTHORIZED, NEEDS_TOKEN)),
    }
}

/// Sets the cookie and redirects to the same path without `token`, so the token leaves the
/// address bar and the browser history.
fn login(state: &OktaState, uri: &axum::http::Uri, headers: &HeaderMap, token: &str) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let rest: Vec<(String, String)> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(uri.query().unwrap_or(""))
            .unwrap_or_default()
            .into_iter()
            .filter(|(name, _)| name != "token")
            .collect();
    // The router is nested: the path it sees lacks `/__fedmock`.
    let mut location = format!("/__fedmock{}", uri.path());
    if let Ok(query) = serde_urlencoded::to_string(&rest)
        && !query.is_empty()
    {
        location = format!("{location}?{query}");
    }
    let secure = if state.base_url.starts_with("https://") { "; Secure" } else { "" };
    let cookie = format!(
        "{}={token}; Path=/__fedmock; HttpOnly; SameSite=Strict{secure}",
        cookie_name(host)
    );
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let (Ok(location), Ok(cookie)) =
        (HeaderValue::from_str(&location), HeaderValue::from_str(&cookie))
    {
        headers.insert(header::LOCATION, location);
        headers.insert(header::SET_COOKIE, cookie);
    }
    response
}

/// Cookies are per host, not per port: the port in the name keeps two worlds on one machine
/// apart (as Jupyter names its cookie).
fn cookie_name(host: &str) -> String {
    let port = split_host(host).1.unwrap_or("80");
    let port: String = port.chars().filter(char::is_ascii_digit).collect();
    format!("fedmock_control_{port}")
}

/// `host[:port]`, `[v6][:port]` → (host, port).
fn split_host(host: &str) -> (&str, Option<&str>) {
    if let Some(rest) = host.strip_prefix('[') {
        let (name, after) = rest.split_once(']').unwrap_or((rest, ""));
        return (name, after.strip_prefix(':'));
    }
    match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    }
}

/// `localhost`, an IP address, or the host of the org's public URL.
fn local_or_public_host(state: &OktaState, host: &str) -> bool {
    let name = split_host(host).0;
    let public = state.base_url.split_once("://").map_or("", |(_, rest)| rest);
    let public = split_host(public.split('/').next().unwrap_or("")).0;
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok()
        || (!public.is_empty() && name.eq_ignore_ascii_case(public))
}

fn query_token(uri: &axum::http::Uri) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(uri.query()?).ok()?;
    pairs.into_iter().find(|(name, _)| name == "token").map(|(_, value)| value)
}

async fn health() -> Json<Value> {
    Json(json!({"status": "ready", "service": "mock-okta"}))
}

type Shared = State<Arc<OktaState>>;

fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, OktaError> {
    payload.map(|Json(t)| t).map_err(|e| OktaError::control(StatusCode::BAD_REQUEST, e.body_text()))
}

fn server<'s>(state: &'s OktaState, id: &str) -> Result<&'s AuthServer, OktaError> {
    let missing =
        || OktaError::control(StatusCode::NOT_FOUND, format!("no authorization server {id:?}"));
    state.server_by_key(id).ok_or_else(missing)
}

async fn mint_token(
    State(s): Shared,
    payload: Result<Json<MintRequest>, JsonRejection>,
) -> Result<Json<Value>, OktaError> {
    let request = body(payload)?;
    let token =
        mint(&s, &request).await.map_err(|e| OktaError::control(StatusCode::BAD_REQUEST, e))?;
    Ok(Json(json!({ "token": token })))
}

async fn key_summary(server: &AuthServer) -> Result<Json<Value>, OktaError> {
    let keys = server
        .keys
        .all()
        .await
        .map_err(|e| OktaError::control(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    let kids: Vec<&str> = keys.iter().map(|k| k.kid()).collect();
    Ok(Json(json!({ "active": kids.first(), "published": kids })))
}

async fn rotate(State(s): Shared, Path(id): Path<String>) -> Result<Json<Value>, OktaError> {
    let server = server(&s, &id)?;
    server
        .keys
        .rotate()
        .await
        .map_err(|e| OktaError::control(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    key_summary(server).await
}

async fn retire(State(s): Shared, Path(id): Path<String>) -> Result<Json<Value>, OktaError> {
    let server = server(&s, &id)?;
    if !server.keys.retire() {
        return Err(OktaError::control(
            StatusCode::CONFLICT,
            "only the active key is published; rotate first",
        ));
    }
    key_summary(server).await
}

async fn get_faults(State(s): Shared) -> Json<Faults> {
    Json((*s.faults()).clone())
}

async fn put_faults(
    State(s): Shared,
    payload: Result<Json<Faults>, JsonRejection>,
) -> Result<Json<Faults>, OktaError> {
    let faults = body(payload)?;
    faults.check().map_err(|e| OktaError::control(StatusCode::BAD_REQUEST, e))?;
    s.set_faults(faults.clone());
    Ok(Json(faults))
}

async fn clear_faults(State(s): Shared) -> Json<Faults> {
    s.set_faults(Faults::default());
    Json(Faults::default())
}

fn clock_state(state: &OktaState) -> Json<Value> {
    Json(json!({ "now": state.clock.now(), "frozen": state.clock.is_frozen() }))
}

async fn get_clock(State(s): Shared) -> Json<Value> {
    clock_state(&s)
}

async fn change_clock(
    State(s): Shared,
    payload: Result<Json<ClockChange>, JsonRejection>,
) -> Result<Json<Value>, OktaError> {
    let change = body(payload)?;
    s.clock.try_apply(&change).map_err(|e| OktaError::control(StatusCode::BAD_REQUEST, e))?;
    Ok(clock_state(&s))
}
