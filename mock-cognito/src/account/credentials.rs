//! Temporary credentials that describe themselves, so the server keeps nothing per credential.
//!
//! AWS's session tokens carry the session they belong to, sealed; fedmock does the same: the
//! owner (role, identity or subject, session name, expiry) and the access key id are sealed
//! with AES-256-GCM under a key of the world into the session token, and the secret key is an
//! HMAC of the access key id under another. A signed request brings the access key id and the
//! session token; opening the token gives the owner and, from the id, the secret its signature
//! must verify with. A load test can get millions of credentials without the server's memory
//! growing, and endpoints that share the world's `seed` (replicas) honour each other's
//! credentials.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::{digest, hmac, rand};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

/// A fresh set of temporary credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    /// `ASIA` + 16 characters.
    pub access_key_id: String,
    /// 40 characters.
    pub secret_key: String,
    /// The sealed session.
    pub session_token: String,
    /// Epoch seconds.
    pub expiration: i64,
}

/// Whom issued credentials belong to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// The role assumed.
    pub role_arn: String,
    /// The identity id (Cognito) or the token's `sub` (STS).
    pub subject: String,
    /// The role session name.
    pub session_name: String,
    /// Epoch seconds.
    pub expiration: i64,
}

impl Owner {
    /// `arn:aws:sts::<account>:assumed-role/<role>/<session>`, from the role and session:
    /// derived, not kept, so issuing credentials never builds it.
    pub fn assumed_role_arn(&self) -> String {
        assumed_role_arn(&self.role_arn, &self.session_name)
    }
}

/// The ARN STS gives a session of a role: `arn:aws:sts::<account>:assumed-role/<name>/<session>`,
/// the account and the name (without any path) read from the role's ARN
/// (`arn:aws:iam::<account>:role/<path/><name>`).
pub fn assumed_role_arn(role_arn: &str, session_name: &str) -> String {
    let account = role_arn.split(':').nth(4).unwrap_or_default();
    let name = role_arn.rsplit('/').next().unwrap_or_default();
    ["arn:aws:sts::", account, ":assumed-role/", name, "/", session_name].concat()
}

/// The first byte of every session token: the format (3: the owner as length-prefixed
/// fields, without the assumed-role ARN, which follows from the role and session; 2 held it
/// too, a third longer to seal and encode; 1 was JSON).
const VERSION: u8 = 3;

/// What a session token holds, before sealing: the access key id it goes with, then the
/// owner's fields, each string as a little-endian `u32` length and
/// its bytes, the expiry as a little-endian `i64`.
fn encode(access_key_id: &str, owner: &Owner) -> Vec<u8> {
    let strings = [access_key_id, &owner.role_arn, &owner.subject, &owner.session_name];
    let size = strings.iter().map(|s| 4 + s.len()).sum::<usize>() + 8 + AES_256_GCM.tag_len();
    let mut out = Vec::with_capacity(size);
    for s in strings {
        // Every field comes from the world or a verified token, far below 4 GiB.
        let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&s.as_bytes()[..len as usize]);
    }
    out.extend_from_slice(&owner.expiration.to_le_bytes());
    out
}

/// [`encode`] read back; `None` for anything else.
fn decode(mut bytes: &[u8]) -> Option<(String, Owner)> {
    let mut string = || -> Option<String> {
        let (len, rest) = bytes.split_first_chunk::<4>()?;
        let len = usize::try_from(u32::from_le_bytes(*len)).ok()?;
        let (s, rest) = (rest.get(..len)?, rest.get(len..)?);
        bytes = rest;
        String::from_utf8(s.to_vec()).ok()
    };
    let (k, role_arn, subject, session_name) = (string()?, string()?, string()?, string()?);
    let expiration = i64::from_le_bytes(*<&[u8; 8]>::try_from(bytes).ok()?);
    Some((k, Owner { role_arn, subject, session_name, expiration }))
}

/// Random bytes, drawn from the system generator a page at a time: one call per credential
/// cost more than sealing it (a fifth of `GetCredentialsForIdentity`'s time in a profile).
fn random<const N: usize>() -> [u8; N] {
    const PAGE: usize = 4096;
    thread_local! {
        static POOL: std::cell::RefCell<([u8; PAGE], usize)> =
            const { std::cell::RefCell::new(([0; PAGE], PAGE)) };
    }
    POOL.with_borrow_mut(|(pool, used)| {
        if *used + N > PAGE {
            rand::fill(pool).expect("the system RNG is available");
            *used = 0;
        }
        let mut out = [0u8; N];
        out.copy_from_slice(&pool[*used..*used + N]);
        // Never hand the same bytes out twice.
        pool[*used..*used + N].fill(0);
        *used += N;
        out
    })
}

/// Makes and opens self-describing credentials with the world's keys.
pub struct Sealer {
    seal: LessSafeKey,
    secret: hmac::Key,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer { .. }")
    }
}

impl Sealer {
    /// Keys derived from `seed` (the same seed, the same keys: replicas share credentials), or
    /// random ones.
    pub fn new(seed: Option<&str>) -> Self {
        let material = |purpose: &str| -> [u8; 32] {
            let mut out = [0u8; 32];
            match seed {
                Some(seed) => {
                    let mut context = digest::Context::new(&digest::SHA256);
                    context.update(b"fedmock credentials\0");
                    context.update(purpose.as_bytes());
                    context.update(b"\0");
                    context.update(seed.as_bytes());
                    out.copy_from_slice(context.finish().as_ref());
                }
                None => rand::fill(&mut out).expect("the system RNG is available"),
            }
            out
        };
        let seal = UnboundKey::new(&AES_256_GCM, &material("seal"))
            .expect("a 32-byte key suits AES-256-GCM");
        Self {
            seal: LessSafeKey::new(seal),
            secret: hmac::Key::new(hmac::HMAC_SHA256, &material("secret")),
        }
    }

    /// Credentials for `owner`.
    pub fn issue(&self, owner: Owner) -> Issued {
        const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let (key, nonce_bytes) = (random::<16>(), random::<NONCE_LEN>());
        let mut id = *b"ASIA0000000000000000";
        for (digit, b) in id[4..].iter_mut().zip(key) {
            *digit = BASE32[usize::from(b % 32)];
        }
        // Base32 digits are ASCII.
        let access_key_id = String::from_utf8_lossy(&id).into_owned();
        let expiration = owner.expiration;
        let mut body = encode(&access_key_id, &owner);
        self.seal
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::empty(),
                &mut body,
            )
            .expect("sealing fits in memory");
        let mut token = Vec::with_capacity(1 + NONCE_LEN + body.len());
        token.push(VERSION);
        token.extend_from_slice(&nonce_bytes);
        token.extend_from_slice(&body);
        Issued {
            secret_key: self.secret_of(&access_key_id),
            access_key_id,
            session_token: STANDARD.encode(token),
            expiration,
        }
    }

    /// The owner sealed in `session_token`, and the access key id it goes with; `None` for a
    /// token these keys did not seal (forged, altered, another world's).
    pub fn open(&self, session_token: &str) -> Option<(String, Owner)> {
        let bytes = STANDARD.decode(session_token).ok()?;
        let (&version, rest) = bytes.split_first()?;
        if version != VERSION || rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut sealed = sealed.to_vec();
        let plain = self.seal.open_in_place(nonce, Aad::empty(), &mut sealed).ok()?;
        decode(plain)
    }

    /// The secret key that goes with `access_key_id`: 30 bytes of an HMAC, in base64.
    pub fn secret_of(&self, access_key_id: &str) -> String {
        let tag = hmac::sign(&self.secret, access_key_id.as_bytes());
        STANDARD.encode(&tag.as_ref()[..30])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> Owner {
        Owner {
            role_arn: "arn:aws:iam::123456789012:role/r".into(),
            subject: "alice".into(),
            session_name: "s".into(),
            expiration: 42,
        }
    }

    #[test]
    fn credentials_look_like_sts_temporary_credentials_and_describe_themselves() {
        let sealer = Sealer::new(None);
        let c = sealer.issue(owner());
        assert_eq!(c.access_key_id.len(), 20);
        assert!(c.access_key_id.starts_with("ASIA"));
        assert!(
            c.access_key_id.chars().all(|ch| ch.is_ascii_uppercase() || ('2'..='7').contains(&ch))
        );
        assert_eq!(c.secret_key.len(), 40);
        assert!(c.session_token.len() > 100);
        assert_ne!(c, sealer.issue(owner()), "credentials are random");
        assert_eq!(sealer.open(&c.session_token), Some((c.access_key_id.clone(), owner())));
        assert_eq!(sealer.secret_of(&c.access_key_id), c.secret_key);
    }

    #[test]
    fn a_forged_altered_or_foreign_token_does_not_open() {
        let sealer = Sealer::new(None);
        let c = sealer.issue(owner());
        assert_eq!(Sealer::new(None).open(&c.session_token), None, "another world's keys");
        let mut bytes = STANDARD.decode(&c.session_token).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(sealer.open(&STANDARD.encode(bytes)), None, "altered");
        for junk in ["", "AQ==", "not base64!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAA"] {
            assert_eq!(sealer.open(junk), None, "{junk}");
        }
    }

    #[test]
    fn the_sealed_form_reads_back_and_nothing_shorter_or_longer_does() {
        let bytes = encode("ASIAEXAMPLE", &owner());
        assert_eq!(decode(&bytes), Some(("ASIAEXAMPLE".to_owned(), owner())));
        for cut in 0..bytes.len() {
            assert_eq!(decode(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None);
        let mut huge = bytes;
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(decode(&huge), None);
    }

    #[test]
    fn the_assumed_role_arn_follows_from_the_role_and_session() {
        assert_eq!(
            assumed_role_arn("arn:aws:iam::123456789012:role/r", "s"),
            "arn:aws:sts::123456789012:assumed-role/r/s"
        );
        // STS leaves a role's path out of the session's ARN.
        assert_eq!(
            assumed_role_arn(
                "arn:aws:iam::123456789012:role/team/app/r",
                "CognitoIdentityCredentials"
            ),
            "arn:aws:sts::123456789012:assumed-role/r/CognitoIdentityCredentials"
        );
    }

    #[test]
    fn random_bytes_do_not_repeat() {
        let drawn: std::collections::HashSet<[u8; 16]> = (0..1000).map(|_| random()).collect();
        assert_eq!(drawn.len(), 1000);
    }

    #[test]
    fn replicas_with_one_seed_honour_each_other_s_credentials() {
        let c = Sealer::new(Some("shared")).issue(owner());
        let other = Sealer::new(Some("shared"));
        assert_eq!(other.open(&c.session_token).map(|(_, o)| o), Some(owner()));
        assert_eq!(other.secret_of(&c.access_key_id), c.secret_key);
        assert_eq!(Sealer::new(Some("another")).open(&c.session_token), None);
    }
}
