//! What the authorization server remembers between requests: authorization codes (single
//! use, 300 s), refresh tokens, revoked tokens, used client-assertion `jti`s, and sign-ins:
//! session tokens from the Authentication API (single use, 300 s) and the sessions behind the
//! `sid` cookie (2 hours, Okta's default session lifetime).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// Authorization code lifetime (docs/reference/okta.md §1.2: 300 s).
pub const CODE_LIFETIME_SECS: i64 = 300;

/// An issued authorization code and what it was bound to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AuthCode {
    pub server: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub login: String,
    pub auth_time: i64,
    pub expires_at: i64,
}

/// A refresh token's grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RefreshGrant {
    pub server: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub login: Option<String>,
    pub auth_time: i64,
    pub issued_at: i64,
    pub expires_at: i64,
}

/// Session token lifetime: five minutes (Okta's Authentication API reference).
pub const SESSION_TOKEN_LIFETIME_SECS: i64 = 300;
/// Session lifetime: Okta's default global session policy, two hours.
pub const SESSION_LIFETIME_SECS: i64 = 7200;

/// A signed-in browser's session (`sid` cookie).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Session {
    pub login: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Default)]
struct Inner {
    session_tokens: HashMap<String, (String, i64)>,
    sessions: HashMap<String, Session>,
    codes: HashMap<String, AuthCode>,
    refresh: HashMap<String, RefreshGrant>,
    revoked_jtis: HashSet<String>,
    assertion_jtis: HashSet<String>,
}

/// The grant store of one org.
#[derive(Debug, Default)]
pub(crate) struct Grants(Mutex<Inner>);

impl Grants {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().expect("grant store lock")
    }

    pub fn put_code(&self, code: String, grant: AuthCode) {
        let mut inner = self.lock();
        // Codes live five minutes; forget the stale ones as new ones come.
        let now = grant.expires_at - CODE_LIFETIME_SECS;
        inner.codes.retain(|_, c| c.expires_at > now);
        inner.codes.insert(code, grant);
    }

    /// Takes a code: a code is good for one exchange, whatever its outcome.
    pub fn take_code(&self, code: &str) -> Option<AuthCode> {
        self.lock().codes.remove(code)
    }

    pub fn put_refresh(&self, token: String, grant: RefreshGrant) {
        self.lock().refresh.insert(token, grant);
    }

    pub fn refresh(&self, token: &str) -> Option<RefreshGrant> {
        self.lock().refresh.get(token).cloned()
    }

    pub fn drop_refresh(&self, token: &str) -> bool {
        self.lock().refresh.remove(token).is_some()
    }

    pub fn revoke_jti(&self, jti: &str) {
        self.lock().revoked_jtis.insert(jti.to_owned());
    }

    pub fn is_revoked(&self, jti: &str) -> bool {
        self.lock().revoked_jtis.contains(jti)
    }

    /// Records a session token for `login`, good once until `expires_at`.
    pub fn put_session_token(&self, token: String, login: String, now: i64) {
        let mut inner = self.lock();
        inner.session_tokens.retain(|_, (_, expires)| *expires > now);
        inner.session_tokens.insert(token, (login, now + SESSION_TOKEN_LIFETIME_SECS));
    }

    /// Takes a session token: the login it signs in, if it is good at `now`.
    pub fn take_session_token(&self, token: &str, now: i64) -> Option<String> {
        let (login, expires) = self.lock().session_tokens.remove(token)?;
        (expires > now).then_some(login)
    }

    /// Starts a session for `login`.
    pub fn put_session(&self, id: String, login: String, now: i64) {
        let mut inner = self.lock();
        inner.sessions.retain(|_, s| s.expires_at > now);
        let session = Session { login, created_at: now, expires_at: now + SESSION_LIFETIME_SECS };
        inner.sessions.insert(id, session);
    }

    /// The session `id`, if it is alive at `now`.
    pub fn session(&self, id: &str, now: i64) -> Option<Session> {
        self.lock().sessions.get(id).filter(|s| s.expires_at > now).cloned()
    }

    /// Ends the session `id`; `false` if there was none alive.
    pub fn end_session(&self, id: &str, now: i64) -> bool {
        self.lock().sessions.remove(id).is_some_and(|s| s.expires_at > now)
    }

    /// Records a client-assertion `jti`; `false` if it was used before.
    pub fn first_use_of_assertion(&self, jti: &str) -> bool {
        self.lock().assertion_jtis.insert(jti.to_owned())
    }
}
