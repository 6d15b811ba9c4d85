//! fedmock's control API, under `/__fedmock/` on mock-okta's port: a path Okta never serves,
//! so it cannot be mistaken for Okta's own API. Everything here is also a plain method for
//! in-process tests (`faults::mint`, `KeySet::rotate`, `OktaState::set_faults`, `Clock`).
//!
//! | method and path | body | answer |
//! |---|---|---|
//! | `POST /__fedmock/mint` | [`MintRequest`] | `{"token"}` |
//! | `POST /__fedmock/servers/{id}/keys/rotate` | – | `{"active","published"}` |
//! | `POST /__fedmock/servers/{id}/keys/retire` | – | `{"active","published"}` |
//! | `GET`/`PUT`/`DELETE /__fedmock/faults` | [`Faults`] for `PUT` | the faults in force |
//! | `GET`/`POST /__fedmock/clock` | [`ClockChange`] for `POST` | `{"now","frozen"}` |

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::faults::{Faults, MintRequest, mint};
use crate::state::{AuthServer, OktaState};

/// A change to the world clock; fields apply in this order.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ClockChange {
    /// Stop the clock at this time (epoch seconds).
    pub freeze_at: Option<i64>,
    /// Stop the clock where it is.
    pub freeze: bool,
    /// Set the offset from the base time, in seconds.
    pub offset: Option<i64>,
    /// Move the clock by this many seconds.
    pub advance: Option<i64>,
    /// Let a frozen clock run again from where it stands.
    pub resume: bool,
}

pub(crate) fn routes() -> Router<Arc<OktaState>> {
    Router::new()
        .route("/mint", post(mint_token))
        .route("/servers/{server}/keys/rotate", post(rotate))
        .route("/servers/{server}/keys/retire", post(retire))
        .route("/faults", get(get_faults).put(put_faults).delete(clear_faults))
        .route("/clock", get(get_clock).post(change_clock))
}

type Shared = State<Arc<OktaState>>;

fn error(status: StatusCode, message: impl std::fmt::Display) -> Response {
    Problem(status, message.to_string()).into_response()
}

/// An admin API error: `{"error": …}` with a status.
#[derive(Debug)]
struct Problem(StatusCode, String);

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, Problem> {
    payload.map(|Json(t)| t).map_err(|e| Problem(StatusCode::BAD_REQUEST, e.body_text()))
}

fn server<'s>(state: &'s OktaState, id: &str) -> Result<&'s AuthServer, Problem> {
    let missing = || Problem(StatusCode::NOT_FOUND, format!("no authorization server {id:?}"));
    state.server_by_key(id).ok_or_else(missing)
}

async fn mint_token(
    State(s): Shared,
    payload: Result<Json<MintRequest>, JsonRejection>,
) -> Response {
    let request = match body(payload) {
        Ok(request) => request,
        Err(problem) => return problem.into_response(),
    };
    match mint(&s, &request).await {
        Ok(token) => Json(json!({ "token": token })).into_response(),
        Err(err) => error(StatusCode::BAD_REQUEST, err),
    }
}

async fn key_summary(server: &AuthServer) -> Response {
    match server.keys.all().await {
        Ok(keys) => {
            let kids: Vec<&str> = keys.iter().map(|k| k.kid()).collect();
            Json(json!({ "active": kids[0], "published": kids })).into_response()
        }
        Err(err) => error(StatusCode::INTERNAL_SERVER_ERROR, err),
    }
}

async fn rotate(State(s): Shared, Path(id): Path<String>) -> Response {
    let server = match server(&s, &id) {
        Ok(server) => server,
        Err(problem) => return problem.into_response(),
    };
    if let Err(err) = server.keys.rotate().await {
        return error(StatusCode::INTERNAL_SERVER_ERROR, err);
    }
    key_summary(server).await
}

async fn retire(State(s): Shared, Path(id): Path<String>) -> Response {
    let server = match server(&s, &id) {
        Ok(server) => server,
        Err(problem) => return problem.into_response(),
    };
    if !server.keys.retire() {
        return error(StatusCode::CONFLICT, "only the active key is published; rotate first");
    }
    key_summary(server).await
}

async fn get_faults(State(s): Shared) -> Json<Faults> {
    Json((*s.faults()).clone())
}

async fn put_faults(State(s): Shared, payload: Result<Json<Faults>, JsonRejection>) -> Response {
    match body(payload) {
        Ok(faults) => {
            s.set_faults(faults.clone());
            Json(faults).into_response()
        }
        Err(problem) => problem.into_response(),
    }
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
) -> Response {
    let change = match body(payload) {
        Ok(change) => change,
        Err(problem) => return problem.into_response(),
    };
    s.clock.apply(&change);
    clock_state(&s).into_response()
}
