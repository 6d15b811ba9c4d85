//! RSA signing keys, their JWKS form, and JWT signing.
//!
//! Two costs shape this module (measured on the 2-core development machine):
//! generating a 2048-bit key takes ~50 ms, and `jsonwebtoken::encode` re-parses the private
//! key on every call (515 µs a token, against 208 µs with a parsed key pair kept in memory).
//! So a key is generated only when first needed, on a blocking thread, never at start-up,
//! and the parsed `aws_lc_rs` key pair is kept and reused for every token.
//!
//! With a seed (`fedmock up --seed`, for replicas) a key is derived instead: the same seed
//! and label give the same key in every process, so replicas publish byte-identical JWKS.

use std::sync::{Arc, Mutex, OnceLock, RwLock};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Value, json};

use crate::config::KeyConfig;
use crate::error::KeyError;

/// An RSA key pair that signs RS256 JWTs, with its `kid` and public JWK.
pub struct SigningKey {
    kid: String,
    pair: KeyPair,
    /// `{"kid":…,"alg":"RS256"}`, base64url-encoded once: Okta's header has no `typ`.
    header_b64: String,
    n_b64: String,
    e_b64: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Generates a fresh 2048-bit key. Blocking: ~50 ms, heavy-tailed.
    pub fn generate() -> Result<Self, KeyError> {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generate)?;
        Ok(Self::from_pair(None, pair))
    }

    /// Derives the key that `seed` names (see [`seeded_rsa_pkcs8`]). Blocking.
    pub fn from_seed(seed: &str) -> Result<Self, KeyError> {
        let der = seeded_rsa_pkcs8(seed)?;
        let pair = KeyPair::from_pkcs8(&der).map_err(|e| KeyError::Pem(e.to_string()))?;
        Ok(Self::from_pair(None, pair))
    }

    /// Loads a PKCS#8 PEM private key; `kid` defaults to the key's thumbprint.
    pub fn from_pem(kid: Option<&str>, pem_text: &str) -> Result<Self, KeyError> {
        let block = pem::parse(pem_text).map_err(|e| KeyError::Pem(e.to_string()))?;
        let pair =
            KeyPair::from_pkcs8(block.contents()).map_err(|e| KeyError::Pem(e.to_string()))?;
        Ok(Self::from_pair(kid, pair))
    }

    fn from_pair(kid: Option<&str>, pair: KeyPair) -> Self {
        let public = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        let n_b64 = B64.encode(&public.n);
        let e_b64 = B64.encode(&public.e);
        let kid = match kid {
            Some(kid) => kid.to_owned(),
            None => thumbprint(&n_b64, &e_b64),
        };
        let header = json!({ "kid": kid, "alg": "RS256" });
        let header_b64 = B64.encode(header.to_string());
        Self { kid, pair, header_b64, n_b64, e_b64 }
    }

    /// The key id, as in the JWT header and the JWKS.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as Okta publishes it in `/v1/keys`.
    pub fn jwk(&self) -> Value {
        json!({
            "kty": "RSA",
            "alg": "RS256",
            "kid": self.kid,
            "use": "sig",
            "e": self.e_b64,
            "n": self.n_b64,
        })
    }

    /// The private key as PKCS#8 PEM, to pin it in a config file.
    pub fn to_pkcs8_pem(&self) -> String {
        let der = self.pair.as_der().expect("a generated RSA key serialises to PKCS#8");
        pem::encode(&pem::Pem::new("PRIVATE KEY", der.as_ref()))
    }

    /// Signs `claims` as a compact RS256 JWT with header `{kid, alg}`.
    pub fn sign(&self, claims: &Value) -> String {
        self.sign_encoded_header(&self.header_b64, claims)
    }

    /// Signs `claims` with RS256 under any `header` (e.g. a `kid` the JWKS does not hold).
    pub fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        self.sign_encoded_header(&B64.encode(header.to_string()), claims)
    }

    fn sign_encoded_header(&self, header_b64: &str, claims: &Value) -> String {
        let mut jwt = signing_input(header_b64, claims);
        let mut signature = vec![0; self.pair.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.pair
            .sign(&RSA_PKCS1_SHA256, &rng, jwt.as_bytes(), &mut signature)
            .expect("RS256 signing with a valid 2048-bit key cannot fail");
        jwt.push('.');
        jwt.push_str(&B64.encode(signature));
        jwt
    }

    /// Whether `jwt` carries a valid RS256 signature by this key.
    pub fn verifies(&self, jwt: &str) -> bool {
        let Some((message, signature)) = jwt.rsplit_once('.') else { return false };
        let Ok(signature) = B64.decode(signature) else { return false };
        let public = aws_lc_rs::signature::RsaPublicKeyComponents {
            n: B64.decode(&self.n_b64).expect("own modulus is base64url"),
            e: B64.decode(&self.e_b64).expect("own exponent is base64url"),
        };
        public
            .verify(
                &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                message.as_bytes(),
                &signature,
            )
            .is_ok()
    }
}

/// `base64url(header).base64url(claims)`: what a JWS signs.
/// A 2048-bit RSA private key (PKCS#8 DER) that is a pure function of `seed`: ChaCha20
/// seeded with SHA-256 of the text drives the RustCrypto key generator. Every process running
/// this build derives the same key from the same seed; that is the whole point (replicas).
/// Blocking: ~0.1–0.5 s with an optimised `num-bigint-dig`.
pub fn seeded_rsa_pkcs8(seed: &str) -> Result<Vec<u8>, KeyError> {
    use rand_chacha::rand_core::SeedableRng as _;
    use rsa::pkcs8::EncodePrivateKey as _;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, seed.as_bytes());
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(digest.as_ref());
    let mut rng = rand_chacha::ChaCha20Rng::from_seed(bytes);
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048).map_err(|_| KeyError::Generate)?;
    let der = key.to_pkcs8_der().map_err(|_| KeyError::Generate)?;
    Ok(der.as_bytes().to_vec())
}

pub(crate) fn signing_input(header_b64: &str, claims: &Value) -> String {
    let payload = B64.encode(serde_json::to_vec(claims).expect("claims serialise"));
    let mut jwt = String::with_capacity(header_b64.len() + payload.len() + 350);
    jwt.push_str(header_b64);
    jwt.push('.');
    jwt.push_str(&payload);
    jwt
}

/// RFC 7638 JWK thumbprint: base64url(SHA-256 of the canonical `{"e","kty","n"}` JSON).
fn thumbprint(n_b64: &str, e_b64: &str) -> String {
    let canonical = format!(r#"{{"e":"{e_b64}","kty":"RSA","n":"{n_b64}"}}"#);
    B64.encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes()))
}

/// Most keys a JWKS publishes at once, as Okta's (docs/reference/okta.md §2.6: "two or three").
pub const MAX_PUBLISHED_KEYS: usize = 3;

/// One published key, made when first needed: generated, or derived from its seed.
#[derive(Debug, Default)]
struct SlotCell {
    key: OnceLock<Arc<SigningKey>>,
    /// Held while the key is being made, so it is made once however many ask.
    making: Mutex<()>,
    seed: Option<String>,
}

type Slot = Arc<SlotCell>;

/// The keys of one authorization server. The first is the active (signing) key; all are
/// published. Keys given in config are parsed at construction; missing ones are generated on
/// first use. Rotation puts a new key first and keeps the old ones published until retired.
///
/// A seeded set derives its n-th key from `{seed}/{n}`, so replicas that rotate the same
/// number of times agree on every key.
#[derive(Debug)]
pub struct KeySet {
    slots: RwLock<Vec<Slot>>,
    seed: Option<String>,
    made: std::sync::atomic::AtomicU32,
}

impl KeySet {
    /// A set of one key that is generated when first used.
    pub fn generated() -> Self {
        Self::seeded(None)
    }

    /// A set of one key made when first used: derived from `seed` when given, else generated.
    pub fn seeded(seed: Option<String>) -> Self {
        let set = Self { slots: RwLock::new(Vec::new()), seed, made: 0.into() };
        set.slots.write().expect("key set lock").push(set.new_slot());
        set
    }

    /// The keys from config, or one key made when first used (see [`KeySet::seeded`]) when
    /// the list is empty.
    pub fn from_config(keys: &[KeyConfig], seed: Option<String>) -> Result<Self, KeyError> {
        if keys.is_empty() {
            return Ok(Self::seeded(seed));
        }
        let slots = keys
            .iter()
            .map(|k| {
                let key = SigningKey::from_pem(k.kid.as_deref(), &k.private_key_pem)?;
                Ok(Arc::new(SlotCell {
                    key: OnceLock::from(Arc::new(key)),
                    making: Mutex::new(()),
                    seed: None,
                }))
            })
            .collect::<Result<_, KeyError>>()?;
        Ok(Self { slots: RwLock::new(slots), seed, made: 0.into() })
    }

    fn new_slot(&self) -> Slot {
        let n = self.made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let seed = self.seed.as_ref().map(|seed| format!("{seed}/{n}"));
        Arc::new(SlotCell { key: OnceLock::new(), making: Mutex::new(()), seed })
    }

    fn slots(&self) -> Vec<Slot> {
        self.slots.read().expect("key set lock").clone()
    }

    /// The key that signs new tokens.
    pub async fn active(&self) -> Result<Arc<SigningKey>, KeyError> {
        let first = Arc::clone(&self.slots()[0]);
        Self::get(&first).await
    }

    /// Every published key, active first.
    pub async fn all(&self) -> Result<Vec<Arc<SigningKey>>, KeyError> {
        let mut keys = Vec::new();
        for slot in self.slots() {
            keys.push(Self::get(&slot).await?);
        }
        Ok(keys)
    }

    /// The published key with `kid`, if any.
    pub async fn find(&self, kid: &str) -> Result<Option<Arc<SigningKey>>, KeyError> {
        Ok(self.all().await?.into_iter().find(|k| k.kid() == kid))
    }

    /// Makes a new key active. The previous keys stay published (the oldest is dropped
    /// beyond [`MAX_PUBLISHED_KEYS`]), as after Okta's `keyRotate`.
    pub async fn rotate(&self) -> Result<Arc<SigningKey>, KeyError> {
        let slot = self.new_slot();
        let key = Self::get(&slot).await?;
        let mut slots = self.slots.write().expect("key set lock");
        slots.insert(0, slot);
        slots.truncate(MAX_PUBLISHED_KEYS);
        Ok(key)
    }

    /// Stops publishing the oldest inactive key. `false` if only the active key is left.
    pub fn retire(&self) -> bool {
        let mut slots = self.slots.write().expect("key set lock");
        if slots.len() < 2 {
            return false;
        }
        slots.pop();
        true
    }

    /// The slot's key, made on a blocking thread the first time. The making runs to the end
    /// even if the request that started it goes away (a client timing out while a seeded key
    /// is derived on a busy machine must not waste the work and start it again), and callers
    /// meanwhile wait for that one making.
    async fn get(slot: &Slot) -> Result<Arc<SigningKey>, KeyError> {
        if let Some(key) = slot.key.get() {
            return Ok(Arc::clone(key));
        }
        let slot = Arc::clone(slot);
        tokio::task::spawn_blocking(move || {
            let _making = slot.making.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(key) = slot.key.get() {
                return Ok(Arc::clone(key));
            }
            let key = Arc::new(match &slot.seed {
                Some(seed) => SigningKey::from_seed(seed)?,
                None => SigningKey::generate()?,
            });
            tracing::debug!(kid = key.kid(), "made RSA signing key");
            Ok(Arc::clone(slot.key.get_or_init(|| key)))
        })
        .await
        .map_err(|_| KeyError::Generate)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_verifies_with_the_published_jwk() {
        let key = SigningKey::generate().unwrap();
        let jwt = key.sign(&json!({"sub": "alice"}));
        let (message, signature) = jwt.rsplit_once('.').unwrap();
        let jwk = key.jwk();
        let public = aws_lc_rs::signature::RsaPublicKeyComponents {
            n: B64.decode(jwk["n"].as_str().unwrap()).unwrap(),
            e: B64.decode(jwk["e"].as_str().unwrap()).unwrap(),
        };
        public
            .verify(
                &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                message.as_bytes(),
                &B64.decode(signature).unwrap(),
            )
            .expect("signature verifies");
        let header: Value =
            serde_json::from_slice(&B64.decode(jwt.split('.').next().unwrap()).unwrap()).unwrap();
        assert_eq!(header, json!({"kid": key.kid(), "alg": "RS256"}));
        assert_eq!(key.kid().len(), 43, "Okta-shaped kid: 43 base64url characters");
    }

    #[test]
    fn a_key_round_trips_through_pem_with_the_same_kid() {
        let key = SigningKey::generate().unwrap();
        let again = SigningKey::from_pem(None, &key.to_pkcs8_pem()).unwrap();
        assert_eq!(again.kid(), key.kid());
        assert_eq!(again.jwk(), key.jwk());
        let named = SigningKey::from_pem(Some("pinned"), &key.to_pkcs8_pem()).unwrap();
        assert_eq!(named.kid(), "pinned");
    }

    #[tokio::test]
    async fn sets_with_one_seed_publish_the_same_keys_and_rotate_alike() {
        let (a, b) = (
            KeySet::seeded(Some("s/okta/default".into())),
            KeySet::seeded(Some("s/okta/default".into())),
        );
        let other = KeySet::seeded(Some("s/okta/other".into()));
        let (ka, kb) = (a.active().await.unwrap(), b.active().await.unwrap());
        assert_eq!(ka.jwk(), kb.jwk());
        assert_ne!(ka.jwk(), other.active().await.unwrap().jwk());
        let token = ka.sign(&json!({"sub": "x"}));
        assert_eq!(token, kb.sign(&json!({"sub": "x"})), "RS256 is deterministic");
        assert!(kb.verifies(&token));
        let (ra, rb) = (a.rotate().await.unwrap(), b.rotate().await.unwrap());
        assert_eq!(ra.jwk(), rb.jwk());
        assert_ne!(ra.jwk(), ka.jwk(), "a rotation derives a new key");
    }

    #[tokio::test]
    async fn rotation_publishes_up_to_three_keys_and_retires_the_oldest() {
        let set = KeySet::generated();
        let first = set.active().await.unwrap();
        let second = set.rotate().await.unwrap();
        assert_eq!(set.active().await.unwrap().kid(), second.kid());
        let kids = |keys: Vec<Arc<SigningKey>>| {
            keys.iter().map(|k| k.kid().to_owned()).collect::<Vec<_>>()
        };
        assert_eq!(kids(set.all().await.unwrap()), [second.kid(), first.kid()]);
        let third = set.rotate().await.unwrap();
        let fourth = set.rotate().await.unwrap();
        assert_eq!(kids(set.all().await.unwrap()), [fourth.kid(), third.kid(), second.kid()]);
        assert!(set.retire());
        assert!(set.retire());
        assert!(!set.retire(), "the active key is never retired");
        assert_eq!(kids(set.all().await.unwrap()), [fourth.kid()]);
        assert!(set.find(first.kid()).await.unwrap().is_none());
        assert!(fourth.verifies(&fourth.sign(&json!({"a": 1}))));
        assert!(!third.verifies(&fourth.sign(&json!({"a": 1}))));
    }

    #[test]
    fn garbage_pem_is_a_clear_error() {
        let err = SigningKey::from_pem(None, "not a key").unwrap_err();
        assert!(matches!(err, KeyError::Pem(_)), "{err:?}");
    }
}
