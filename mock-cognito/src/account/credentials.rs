//! Temporary credentials: made like STS's, and remembered so a test can ask whose they are
//! ("did this user get the admin role?").
//!
//! The registry keeps the most recent [`REMEMBERED`] credentials only, so a load test cannot
//! grow it without bound.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

/// How many issued credentials the registry remembers.
pub const REMEMBERED: usize = 100_000;

/// A fresh set of temporary credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    /// `ASIA` + 16 characters.
    pub access_key_id: String,
    /// 40 characters.
    pub secret_key: String,
    /// An opaque session token.
    pub session_token: String,
    /// Epoch seconds.
    pub expiration: i64,
}

/// Whom issued credentials belong to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Owner {
    /// The role assumed.
    pub role_arn: String,
    /// `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
    pub assumed_role_arn: String,
    /// The identity id (Cognito) or the token's `sub` (STS).
    pub subject: String,
    /// The role session name.
    pub session_name: String,
    /// Epoch seconds.
    pub expiration: i64,
}

/// Remembers who got which credentials.
#[derive(Debug, Default)]
pub struct Registry {
    inner: Mutex<Remembered>,
}

/// Issued credentials by access key, and the order they came in (oldest first).
#[derive(Debug, Default)]
struct Remembered {
    by_key: HashMap<String, (Owner, Issued)>,
    order: VecDeque<String>,
}

impl Registry {
    /// Makes credentials for `owner` and remembers them.
    pub fn issue(&self, owner: Owner) -> Issued {
        const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let mut bytes = [0u8; 16 + 30 + 300];
        aws_lc_rs::rand::fill(&mut bytes).expect("the system RNG is available");
        let (key, rest) = bytes.split_at(16);
        let (secret, token) = rest.split_at(30);
        let access_key_id: String =
            "ASIA".chars().chain(key.iter().map(|b| BASE32[usize::from(b % 32)] as char)).collect();
        let issued = Issued {
            access_key_id: access_key_id.clone(),
            secret_key: STANDARD.encode(secret),
            session_token: STANDARD.encode(token),
            expiration: owner.expiration,
        };
        let mut remembered = self.inner.lock().expect("credentials registry lock");
        if remembered.order.len() == REMEMBERED
            && let Some(oldest) = remembered.order.pop_front()
        {
            remembered.by_key.remove(&oldest);
        }
        remembered.by_key.insert(access_key_id.clone(), (owner, issued.clone()));
        remembered.order.push_back(access_key_id);
        issued
    }

    /// Whose credentials `access_key_id` are, if they are among the remembered ones.
    pub fn owner(&self, access_key_id: &str) -> Option<Owner> {
        self.inner
            .lock()
            .expect("credentials registry lock")
            .by_key
            .get(access_key_id)
            .map(|(o, _)| o.clone())
    }

    /// The secret and session token of remembered credentials, for verifying signatures.
    pub fn secret(&self, access_key_id: &str) -> Option<(String, String)> {
        let inner = self.inner.lock().expect("credentials registry lock");
        inner
            .by_key
            .get(access_key_id)
            .map(|(_, i)| (i.secret_key.clone(), i.session_token.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> Owner {
        Owner {
            role_arn: "arn:aws:iam::123456789012:role/r".into(),
            assumed_role_arn: "arn:aws:sts::123456789012:assumed-role/r/s".into(),
            subject: "alice".into(),
            session_name: "s".into(),
            expiration: 42,
        }
    }

    #[test]
    fn credentials_look_like_sts_temporary_credentials_and_are_remembered() {
        let registry = Registry::default();
        let c = registry.issue(owner());
        assert_eq!(c.access_key_id.len(), 20);
        assert!(c.access_key_id.starts_with("ASIA"));
        assert!(
            c.access_key_id.chars().all(|ch| ch.is_ascii_uppercase() || ('2'..='7').contains(&ch))
        );
        assert_eq!(c.secret_key.len(), 40);
        assert!(c.session_token.len() > 300);
        assert_ne!(c, registry.issue(owner()), "credentials are random");
        assert_eq!(registry.owner(&c.access_key_id), Some(owner()));
        assert_eq!(registry.owner("ASIANOTISSUED0000000"), None);
    }
}
