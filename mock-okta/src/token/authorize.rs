//! What `/v1/authorize` decides (docs/reference/okta.md §1.2): the authorization code flow
//! with PKCE (S256 only, as Okta), the implicit flow for old SPAs, and a login step that needs
//! no browser. `endpoints/authorize.rs` renders the [`Outcome`] (redirect, form post, login
//! page or error page).
//!
//! Who signs in: the user named by `login_hint`, else the configured `auto_login` user, else
//! whoever submits the HTML login form (`username`, `password`). Consent is skipped.
//! Errors before the redirect URI is trusted are shown as a page; later ones go back to the
//! client as `error`/`error_description`/`state`, as OAuth requires.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::claims::{self, Grant};
use super::issue::{self as tokens, Refresh};
use crate::config::{ClientAuthMethod, UserConfig};
use crate::error::OAuthError;
use crate::org::grants::{AuthCode, CODE_LIFETIME_SECS};
use crate::org::{AuthServer, OktaState};
use crate::random::random_id;

/// The parameters of an authorize request, and the login form's fields.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct AuthorizeParams {
    /// The client.
    pub client_id: Option<String>,
    /// `code`, `token`, `id_token` or `id_token token`.
    pub response_type: Option<String>,
    /// Where to send the answer; must be registered.
    pub redirect_uri: Option<String>,
    /// Space-separated scopes.
    pub scope: Option<String>,
    /// Opaque client state, returned as is. Okta requires it.
    pub state: Option<String>,
    /// Replay protection, copied into the ID token. Required for implicit flows.
    pub nonce: Option<String>,
    /// PKCE challenge.
    pub code_challenge: Option<String>,
    /// PKCE method; only `S256`.
    pub code_challenge_method: Option<String>,
    /// `query`, `fragment` or `form_post`.
    pub response_mode: Option<String>,
    /// The login of the user to sign in without a form.
    pub login_hint: Option<String>,
    /// `none` forbids showing a login form.
    pub prompt: Option<String>,
    /// A one-time token from `POST /api/v1/authn` that signs the user in and starts a
    /// session (okta-auth-js's `signInWithCredentials` → `token.getWithoutPrompt`).
    #[serde(rename = "sessionToken", skip_serializing)]
    pub session_token: Option<String>,
    /// Login form: the user's login.
    #[serde(skip_serializing)]
    pub username: Option<String>,
    /// Login form: the user's password.
    #[serde(skip_serializing)]
    pub password: Option<String>,
}

/// How the answer travels back to the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseMode {
    /// `?code=…`.
    Query,
    /// `#access_token=…`.
    Fragment,
    /// An auto-submitting HTML form.
    FormPost,
    /// A page for a hidden iframe that posts the answer to its parent window
    /// (`okta_post_message`, what okta-auth-js's `getWithoutPrompt` listens for).
    OktaPostMessage,
}

/// What `/v1/authorize` answers.
#[derive(Debug)]
pub enum Outcome {
    /// Back to the client with these parameters (success or an OAuth error).
    Redirect {
        /// The registered redirect URI.
        to: String,
        /// How.
        mode: ResponseMode,
        /// The answer's parameters.
        params: Vec<(String, String)>,
        /// The login this request signed in (login form or session token): a session starts.
        signed_in: Option<String>,
    },
    /// The HTML login form, optionally with an error line.
    Login(Box<AuthorizeParams>, Option<String>),
    /// An error page: the request cannot be answered at any redirect URI.
    Page(OAuthError),
}

/// Handles one authorize request (GET, or POST from the login form).
/// `session` is the login of the browser's live session, if it has one.
pub async fn authorize(
    state: &OktaState,
    server: &AuthServer,
    params: AuthorizeParams,
    session: Option<&str>,
) -> Outcome {
    let Some(client) = params.client_id.as_deref().and_then(|id| state.client(id)) else {
        return Outcome::Page(OAuthError::invalid_client(
            "Invalid value for 'client_id' parameter.",
        ));
    };
    let Some(redirect_uri) =
        params.redirect_uri.clone().filter(|r| client.redirect_uris.contains(r))
    else {
        // The first sentence is Okta's; Okta adds a link to the app's settings page.
        return Outcome::Page(OAuthError::invalid_request(
            "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.",
        ));
    };
    let response_type = params.response_type.clone().unwrap_or_default();
    let mut kinds: Vec<&str> = response_type.split_whitespace().collect();
    kinds.sort_unstable();
    let (wants_code, wants_token, wants_id) = match kinds.as_slice() {
        ["code"] => (true, false, false),
        ["token"] => (false, true, false),
        ["id_token"] => (false, false, true),
        ["id_token", "token"] => (false, true, true),
        _ => (false, false, false),
    };
    let default_mode = if wants_code { ResponseMode::Query } else { ResponseMode::Fragment };
    let mode = match params.response_mode.as_deref() {
        None => Some(default_mode),
        Some("query") => Some(ResponseMode::Query),
        Some("fragment") => Some(ResponseMode::Fragment),
        Some("form_post") => Some(ResponseMode::FormPost),
        Some("okta_post_message") => Some(ResponseMode::OktaPostMessage),
        Some(_) => None,
    };
    let fail = |error: OAuthError| Outcome::Redirect {
        to: redirect_uri.clone(),
        mode: mode.unwrap_or(default_mode),
        params: error_params(&error, params.state.as_deref()),
        signed_in: None,
    };
    if !(wants_code || wants_token || wants_id) {
        return fail(OAuthError::bad_request(
            "unsupported_response_type",
            "The response type is not supported by the authorization server. Configured response types: [code, token, id_token].",
        ));
    }
    let Some(mode) = mode else {
        return fail(OAuthError::bad_request(
            "unsupported_response_mode",
            "The response mode is not supported by the authorization server. Valid response modes: [query, fragment, form_post, okta_post_message].",
        ));
    };
    if params.state.as_deref().is_none_or(str::is_empty) {
        // Okta requires `state` on every request (docs/reference/okta.md §1.2); this text is inferred.
        return fail(OAuthError::invalid_request("The 'state' parameter is required."));
    }
    let grant = if wants_code { "authorization_code" } else { "implicit" };
    if !client.grant_types.iter().any(|g| g == grant) {
        return fail(tokens::unauthorized_grant(client));
    }
    if mode == ResponseMode::Query && !wants_code {
        // Okta refuses query mode for token responses (docs/reference/okta.md §2, catalogue).
        return fail(OAuthError::bad_request(
            "unsupported_response_mode",
            "'query' response mode cannot be used with either the 'id_token' or 'token' response types.",
        ));
    }
    let scopes = match tokens::requested_scopes(server, grant, params.scope.as_deref()) {
        Ok(scopes) => scopes,
        Err(err) => return fail(err),
    };
    if wants_id && !scopes.iter().any(|s| s == "openid") {
        return fail(OAuthError::invalid_scope(
            "Requests for ID tokens or access tokens with OpenID scopes require the 'openid' scope.",
        ));
    }
    if !wants_code && params.nonce.is_none() {
        return fail(OAuthError::invalid_request(
            // Okta's catalogue text, two final periods included (docs/reference/okta.md §2).
            "The 'nonce' parameter is required for authorize requests with either the 'id_token' or 'token' response types..",
        ));
    }
    if wants_code {
        match (params.code_challenge.as_deref(), params.code_challenge_method.as_deref()) {
            (Some(_), Some("S256")) | (None, None) => {}
            // `plain` (also the RFC 7636 default when no method is named) is refused, in the
            // catalogue's words (docs/reference/okta.md §2).
            (Some(_), _) => {
                return fail(OAuthError::invalid_request(
                    "PKCE code challenge method is not supported. Valid values: [S256]",
                ));
            }
            (None, Some(_)) => {
                return fail(OAuthError::invalid_request(
                    "The 'code_challenge' parameter is required.",
                ));
            }
        }
        if client.token_endpoint_auth_method == ClientAuthMethod::None
            && params.code_challenge.is_none()
        {
            return fail(OAuthError::invalid_request(
                "PKCE code challenge is required by the application.",
            ));
        }
    }
    let now = state.clock.now();
    let user = match signed_in_user(state, &params, session, now) {
        Ok(user) => user,
        Err(login_error) if params.prompt.as_deref() == Some("none") => {
            let _ = login_error;
            return fail(OAuthError::bad_request(
                "login_required",
                "The client specified not to prompt, but the user is not logged in.",
            ));
        }
        Err(login_error) => return Outcome::Login(Box::new(params), login_error),
    };
    let mut answer = Vec::new();
    if wants_code {
        let code = random_id(43);
        state.grants.put_code(
            code.clone(),
            AuthCode {
                server: server.key().to_owned(),
                client_id: client.client_id.clone(),
                redirect_uri: redirect_uri.clone(),
                code_challenge: params.code_challenge.clone(),
                scopes,
                nonce: params.nonce.clone(),
                login: user.login.clone(),
                auth_time: now,
                expires_at: now + CODE_LIFETIME_SECS,
            },
        );
        answer.push(("code".to_owned(), code));
    } else if wants_token {
        let issued = match tokens::serve(
            state,
            server,
            client,
            Some(user),
            &scopes,
            now,
            params.nonce.as_deref(),
            Refresh::No,
        )
        .await
        {
            Ok(issued) => issued,
            Err(err) => return fail(err),
        };
        answer.push(("access_token".to_owned(), issued.access_token));
        answer.push(("token_type".to_owned(), "Bearer".to_owned()));
        answer.push(("expires_in".to_owned(), issued.expires_in.to_string()));
        answer.push(("scope".to_owned(), issued.scope));
        if wants_id && let Some(id_token) = issued.id_token {
            answer.push(("id_token".to_owned(), id_token));
        }
    } else {
        let grant = Grant {
            server,
            client,
            user: Some(user),
            scopes: &scopes,
            auth_time: now,
            nonce: params.nonce.as_deref(),
        };
        let mut id = claims::id_token(state, &grant, user, None, now);
        claims::apply(&mut id, &state.faults().id_token_claims);
        match super::sign::sign(state, &server.keys, &Value::Object(id), &state.faults().signing)
            .await
        {
            Ok(id_token) => answer.push(("id_token".to_owned(), id_token)),
            Err(err) => return fail(err.into()),
        }
    }
    answer.push(("state".to_owned(), params.state.clone().unwrap_or_default()));
    // A sign-in by form or session token starts a session; one by an existing session, a
    // login hint or auto_login does not.
    let starts_session = params.session_token.is_some()
        || (params.username.is_some() && session != Some(user.login.as_str()));
    let signed_in = starts_session.then(|| user.login.clone());
    Outcome::Redirect { to: redirect_uri, mode, params: answer, signed_in }
}

/// The user this request signs in, or the login form's error line (`None`: no attempt yet).
/// A session token is redeemed first (once, within its five minutes; a bad one signs nobody
/// in), then a login hint, `auto_login`, the browser's session, the login form.
fn signed_in_user<'s>(
    state: &'s OktaState,
    params: &AuthorizeParams,
    session: Option<&str>,
    now: i64,
) -> Result<&'s UserConfig, Option<String>> {
    if let Some(token) = &params.session_token {
        let login = state.grants.take_session_token(token, now);
        return login.and_then(|l| state.user_by_login(&l)).ok_or(None);
    }
    if let Some(user) = params.login_hint.as_deref().and_then(|l| state.user_by_login(l)) {
        return Ok(user);
    }
    if let Some(user) = state.auto_login.as_deref().and_then(|l| state.user_by_login(l)) {
        return Ok(user);
    }
    if let Some(user) = session.and_then(|l| state.user_by_login(l)) {
        return Ok(user);
    }
    match (&params.username, &params.password) {
        (Some(login), Some(password)) => match state.user_by_login(login) {
            Some(user) if &user.password == password => Ok(user),
            _ => Err(Some("Unable to sign in".to_owned())),
        },
        _ => Err(None),
    }
}

fn error_params(error: &OAuthError, state: Option<&str>) -> Vec<(String, String)> {
    let mut params = vec![
        ("error".to_owned(), error.error.clone()),
        ("error_description".to_owned(), error.description.clone()),
    ];
    if let Some(state) = state {
        params.push(("state".to_owned(), state.to_owned()));
    }
    params
}
