//! The token endpoint and the endpoints that read tokens: userinfo, introspect, revoke.

use std::sync::Arc;

use axum::Form;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{ServerId, json_response, no_store};
use crate::error::{OAuthError, OktaError};
use crate::observe::{Issued, Refused, Tokens};
use crate::org::OktaState;
use crate::token::client_auth::{BasicAuth, CarriesClient};
use crate::token::inspect::{self, TokenInspectForm};
use crate::token::issue::{self, TokenForm};

/// A form that carries client credentials, with an `Authorization: Basic` header folded in.
pub(super) struct ClientForm<T>(T);

impl<S: Send + Sync, T: CarriesClient> FromRequest<S> for ClientForm<T> {
    type Rejection = OktaError;

    async fn from_request(request: Request, state: &S) -> Result<Self, OktaError> {
        let basic = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(BasicAuth::parse);
        let Form(mut form) =
            Form::<T>::from_request(request, state).await.map_err(|_| not_a_form())?;
        form.client().basic = basic;
        Ok(Self(form))
    }
}

/// Okta requires `application/x-www-form-urlencoded` bodies.
pub(super) fn not_a_form() -> OktaError {
    OAuthError::invalid_request("The request must be application/x-www-form-urlencoded.").into()
}

pub(super) async fn token(
    State(s): State<Arc<OktaState>>,
    id: ServerId,
    headers: HeaderMap,
    ClientForm(mut form): ClientForm<TokenForm>,
) -> Result<Response, OktaError> {
    let server = id.resolve(&s)?;
    // A browser's cross-origin request carries `Origin`; Okta holds it to stricter rules.
    form.origin =
        headers.get(header::ORIGIN).map(|o| String::from_utf8_lossy(o.as_bytes()).into_owned());
    let grant_type = form.grant_type.clone().unwrap_or_default();
    let client_id =
        form.client.basic.as_ref().map(|b| &b.client_id).or(form.client.client_id.as_ref());
    let client_id = client_id.cloned();
    let result = issue::issue(&s, server, form).await;
    s.observe(Issued {
        issuer: &server.issuer,
        grant_type: &grant_type,
        client_id: client_id.as_deref(),
        headers: &headers,
        outcome: match &result {
            Ok(answer) => Ok(Tokens {
                access_token: &answer.access_token,
                id_token: answer.id_token.as_deref(),
            }),
            Err(err) => Err(Refused { error: &err.error, description: &err.description }),
        },
    });
    match result {
        Ok(answer) => Ok(no_store(json_response(StatusCode::OK, &json!(answer)))),
        Err(err) => {
            tracing::info!(server = %server.issuer, error = %err.error, description = ?err.description, "token request refused");
            Err(err.into())
        }
    }
}

pub(super) async fn userinfo(
    State(s): State<Arc<OktaState>>,
    id: ServerId,
    headers: HeaderMap,
) -> Result<Response, OktaError> {
    let server = id.resolve(&s)?;
    let authorization = headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok());
    let claims = inspect::userinfo(&s, server, authorization).await.map_err(OktaError::Bearer)?;
    Ok(json_response(StatusCode::OK, &claims))
}

pub(super) async fn introspect(
    State(s): State<Arc<OktaState>>,
    id: ServerId,
    ClientForm(form): ClientForm<TokenInspectForm>,
) -> Result<Response, OktaError> {
    let server = id.resolve(&s)?;
    let answer = inspect::introspect(&s, server, form).await?;
    Ok(json_response(StatusCode::OK, &answer))
}

pub(super) async fn revoke(
    State(s): State<Arc<OktaState>>,
    id: ServerId,
    ClientForm(form): ClientForm<TokenInspectForm>,
) -> Result<Response, OktaError> {
    let server = id.resolve(&s)?;
    inspect::revoke(&s, server, form).await?;
    Ok(StatusCode::OK.into_response())
}
