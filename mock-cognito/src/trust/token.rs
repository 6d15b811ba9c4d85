//! A JWT read without trusting it: its parts, and its claims as both services read them.
//!
//! Reading is linear in the token's length and never panics: anything that is not three
//! base64url parts with JSON objects in the first two is simply not a JWT.

use std::sync::Arc;

use aws_lc_rs::signature::ParsedPublicKey;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Map, Value};

/// A JWT split into its parts, without any check beyond syntax. The header and claims are
/// shared, so a token read before (see [`super::jwks::JwksCache::parse`]) is not read again.
#[derive(Debug)]
pub(crate) struct Jwt<'t> {
    pub header: Arc<Map<String, Value>>,
    pub claims: Arc<Map<String, Value>>,
    /// The whole token.
    pub token: &'t str,
    /// `header.payload`, what the signature signs.
    pub signed: &'t str,
    /// The signature, base64url.
    pub signature: &'t str,
    /// The key that verified this very token before, when it was read before (the cache
    /// checks the key is still one the issuer publishes).
    pub verified_by: Option<Arc<ParsedPublicKey>>,
    /// Whether that key came from the issuer's keys as the cache holds them now, unexpired:
    /// then the signature stands without looking the keys up again.
    pub verified_fresh: bool,
}

impl Jwt<'_> {
    /// A string claim.
    pub fn claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A header field, as a string.
    pub fn header_field(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }
}

/// Splits `token` into a [`Jwt`], or says why it is not one.
pub(crate) fn parse(token: &str) -> Result<Jwt<'_>, String> {
    let (signed, signature) = token.rsplit_once('.').ok_or("no '.' separators")?;
    let (header, claims) = signed.split_once('.').ok_or("two parts, not three")?;
    if claims.contains('.') {
        return Err("more than three parts (an encrypted JWE?)".to_owned());
    }
    let object = |part: &str, name: &str| -> Result<Map<String, Value>, String> {
        let bytes = B64.decode(part).map_err(|_| format!("the {name} is not base64url"))?;
        serde_json::from_slice(&bytes).map_err(|_| format!("the {name} is not a JSON object"))
    };
    Ok(Jwt {
        header: Arc::new(object(header, "header")?),
        claims: Arc::new(object(claims, "payload")?),
        token,
        signed,
        signature,
        verified_by: None,
        verified_fresh: false,
    })
}

/// A token [`parse`] accepted before, from its parts.
pub(crate) fn reread<'t>(
    token: &'t str,
    header: &Arc<Map<String, Value>>,
    claims: &Arc<Map<String, Value>>,
    verified_by: Option<&Arc<ParsedPublicKey>>,
    verified_fresh: bool,
) -> Option<Jwt<'t>> {
    let (signed, signature) = token.rsplit_once('.')?;
    Some(Jwt {
        header: Arc::clone(header),
        claims: Arc::clone(claims),
        token,
        signed,
        signature,
        verified_by: verified_by.cloned(),
        verified_fresh,
    })
}

/// A JWT's claims, read without any check beyond syntax; `None` for anything that is not one
/// (what `fedmock explain` and the scenario runner read a token's `iss` or `exp` with).
pub fn unverified_claims(token: &str) -> Option<Map<String, Value>> {
    parse(token).ok().map(|jwt| Arc::unwrap_or_clone(jwt.claims))
}

/// A time claim (`exp`, `iat`), read the same way by both services.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Time {
    /// A whole number of seconds (saturated into `i64`: `2^63` and `1e300` do not wrap).
    Seconds(i64),
    /// A number with a fraction, truncated (and saturated).
    Fraction(i64),
    /// Not there.
    Missing,
    /// Not a number.
    NotANumber,
}

impl Time {
    /// The claim `name` of `claims`.
    pub fn of(claims: &Map<String, Value>, name: &str) -> Self {
        match claims.get(name) {
            None | Some(Value::Null) => Time::Missing,
            Some(Value::Number(n)) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Time::Seconds(i),
                (None, Some(_), _) => Time::Seconds(i64::MAX),
                // `as` saturates (and maps NaN to 0): no overflow, no panic.
                (None, None, Some(f)) if f.fract() == 0.0 => Time::Seconds(f as i64),
                (None, None, Some(f)) => Time::Fraction(f as i64),
                (None, None, None) => Time::NotANumber,
            },
            Some(_) => Time::NotANumber,
        }
    }
}

/// The values of an audience claim: a string, or the strings of an array.
pub(crate) fn audiences(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parse_refuses_what_is_not_a_jws() {
        for bad in ["not-a-jwt", "a.b", "a.b.c.d.e", "e30.!!!.c", "WzFd.e30.c", ""] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("e30.e30.c2ln").is_ok(), "{{}}.{{}}.sig is syntactically a JWS");
    }

    #[test]
    fn times_saturate_instead_of_wrapping() {
        let claims = |v: Value| json!({ "exp": v }).as_object().cloned().unwrap_or_default();
        assert_eq!(Time::of(&claims(json!(1_700_000_000)), "exp"), Time::Seconds(1_700_000_000));
        assert_eq!(
            Time::of(&claims(json!(9_223_372_036_854_775_808u64)), "exp"),
            Time::Seconds(i64::MAX)
        );
        assert_eq!(Time::of(&claims(json!(1e300)), "exp"), Time::Seconds(i64::MAX));
        assert_eq!(Time::of(&claims(json!(-1e300)), "exp"), Time::Seconds(i64::MIN));
        assert_eq!(Time::of(&claims(json!(1.5e9)), "exp"), Time::Seconds(1_500_000_000));
        assert_eq!(Time::of(&claims(json!(1_700_000_000.5)), "exp"), Time::Fraction(1_700_000_000));
        assert_eq!(Time::of(&claims(json!("1700000000")), "exp"), Time::NotANumber);
        assert_eq!(Time::of(&claims(Value::Null), "exp"), Time::Missing);
    }
}
