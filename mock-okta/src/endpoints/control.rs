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

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::clock::ClockChange;
use crate::error::OktaError;
use crate::org::faults::Faults;
use crate::org::{AuthServer, OktaState};
use crate::token::sign::{MintRequest, mint};

pub(crate) fn routes() -> Router<Arc<OktaState>> {
    Router::new()
        .route("/mint", post(mint_token))
        .route("/servers/{server}/keys/rotate", post(rotate))
        .route("/servers/{server}/keys/retire", post(retire))
        .route("/faults", get(get_faults).put(put_faults).delete(clear_faults))
        .route("/clock", get(get_clock).post(change_clock))
        .route("/health", get(health))
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
    s.clock.apply(&change);
    Ok(clock_state(&s))
}
