//! Discovery documents and the JWKS (docs/reference/okta.md §1.3, §2.6).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::{ServerId, json_response};
use crate::error::{ApiError, OktaError};
use crate::org::OktaState;

/// JWKS cache lifetime, in Okta's header form (docs/reference/okta.md §2.6).
const JWKS_CACHE_CONTROL: &str = "max-age=3832304, must-revalidate";

pub(super) async fn openid_configuration(
    State(s): State<Arc<OktaState>>,
    id: ServerId,
) -> Result<Response, OktaError> {
    Ok(json_response(StatusCode::OK, &id.resolve(&s)?.discovery(&s.base_url, true)))
}

pub(super) async fn oauth_metadata(
    State(s): State<Arc<OktaState>>,
    id: ServerId,
) -> Result<Response, OktaError> {
    Ok(json_response(StatusCode::OK, &id.resolve(&s)?.discovery(&s.base_url, false)))
}

pub(super) async fn keys(
    State(s): State<Arc<OktaState>>,
    id: ServerId,
) -> Result<Response, OktaError> {
    let server = id.resolve(&s)?;
    let faults = s.faults();
    if faults.jwks_delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.jwks_delay_ms)).await;
    }
    if let Some(status) = faults.jwks_status {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Err(ApiError::internal(status).into());
    }
    let keys: Vec<Value> = server.keys.all().await?.iter().map(|k| k.jwk()).collect();
    let mut response = json_response(StatusCode::OK, &json!({ "keys": keys }));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(JWKS_CACHE_CONTROL));
    Ok(response)
}
