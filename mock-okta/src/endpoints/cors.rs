//! Okta's CORS: cross-origin calls are answered only for the org's Trusted Origins with scope
//! CORS (Okta's developer guide "Enable CORS"; discovery and keys stopped answering other
//! origins in 2020.03.2, OKTA-283549). For a trusted origin Okta echoes the origin (never `*`,
//! which breaks okta-auth-js's credentialed calls: okta/okta-oidc-js#337), allows credentials
//! and says `Vary: Origin` (okta/okta-auth-js#156); for another origin it sends no
//! `Access-Control-Allow-Origin`, so the browser refuses the answer to the page.
//! `docs/reference/browser.md` §C has the sources. fedmock's control API is same-origin only
//! and is left out.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::org::OktaState;

/// The headers Okta lets pages read (Okta's release notes, 2021).
const EXPOSE_HEADERS: &str = "Date, Link, X-Okta-Edge-Log, X-Okta-Request-Id, X-Rate-Limit-Limit, \
     X-Rate-Limit-Remaining, X-Rate-Limit-Reset";

pub(super) async fn cors(
    State(s): State<Arc<OktaState>>,
    request: Request,
    next: Next,
) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let Some(origin) = origin.filter(|_| !request.uri().path().starts_with("/__fedmock")) else {
        return next.run(request).await;
    };
    let trusted = origin.to_str().is_ok_and(|o| s.cors_trusted(o));
    let preflight = request.method() == Method::OPTIONS
        && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if preflight {
        // Okta's preflight status and Allow-Headers are not published (browser.md §C): 200,
        // and the asked headers echoed, which is what lets okta-auth-js's calls through.
        let mut response = StatusCode::OK.into_response();
        if trusted {
            let headers = response.headers_mut();
            if let Some(asked) = request.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
                headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.clone());
            }
            let methods = HeaderValue::from_static("GET, POST, PUT, DELETE, OPTIONS");
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, methods);
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
        }
        response
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if trusted {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
    }
    response
}
