//! How Cognito Identity writes its JSON: timestamps as Java doubles.
//!
//! Real Cognito writes epoch seconds as Java's `Double.toString` does: `1.515115602E9` for a
//! GetCredentialsForIdentity `Expiration` (a public capture, found by `find_string` in the
//! stored code), `1.421516513393E9` for a DescribeIdentity `CreationDate`; every SDK reads it
//! as a number (the AWS SDK for JavaScript v3 needs a number).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// Epoch seconds as a Java double.
pub(crate) fn java_double(seconds: f64) -> String {
    if seconds == 0.0 {
        return "0.0".to_owned();
    }
    if seconds.fract() == 0.0 && (1e7..1e15).contains(&seconds) {
        // Whole seconds, every expiry: the integer's digits, without float formatting.
        let digits = (seconds as u64).to_string();
        let exponent = digits.len() - 1;
        let significant = digits.trim_end_matches('0');
        let (first, rest) = significant.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        // The exponent is 7 to 14 here: its digits without the formatting machinery.
        let mut out = String::with_capacity(digits.len() + 5);
        out.extend([first, ".", rest, "E"]);
        if exponent >= 10 {
            out.push('1');
        }
        out.push(char::from(b'0' + (exponent % 10) as u8));
        return out;
    }
    if seconds.abs() >= 1e7 || seconds.abs() < 1e-3 {
        // Rust's shortest round-trip digits, in Java's scientific form.
        let text = format!("{seconds:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        if mantissa.contains('.') {
            format!("{mantissa}E{exponent}")
        } else {
            format!("{mantissa}.0E{exponent}")
        }
    } else {
        let text = format!("{seconds}");
        if text.contains('.') { text } else { format!("{text}.0") }
    }
}

/// Serialises epoch seconds as a Java double.
pub(crate) fn serialize_seconds<S: Serializer>(seconds: &i64, s: S) -> Result<S::Ok, S::Error> {
    // An i64 of seconds is exact in an f64 for every date a test meets (below 2^53).
    let raw =
        RawValue::from_string(java_double(*seconds as f64)).map_err(serde::ser::Error::custom)?;
    raw.serialize(s)
}

/// Writes `text` as a JSON string, as serde_json does. serde_json checks every byte against
/// its escape table one at a time; the strings of a credentials answer (base64, ids: ~500
/// bytes) never need escaping, which one pass the compiler vectorises proves, so they are
/// copied as they are.
pub(crate) fn write_str(out: &mut Vec<u8>, text: &str) {
    let needs_escaping =
        text.bytes().fold(false, |any, b| any | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if needs_escaping {
        // Writing a string into a Vec cannot fail.
        serde_json::to_writer(&mut *out, text).ok();
    } else {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

/// Reads epoch seconds written either way.
pub(crate) fn deserialize_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let value = f64::deserialize(d)?;
    if value.is_finite() { Ok(value as i64) } else { Err(D::Error::custom("not a time")) }
}

#[cfg(test)]
mod tests {
    use super::java_double;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for text in ["", "ASIAABC", "a+b/c==", "quote\"", "back\\slash", "line\nfeed", "é\u{1}"] {
            let mut out = Vec::new();
            super::write_str(&mut out, text);
            assert_eq!(out, serde_json::to_vec(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn seconds_read_as_java_writes_them() {
        assert_eq!(java_double(1_515_115_602.0), "1.515115602E9");
        assert_eq!(java_double(1_500_000_000.0), "1.5E9");
        assert_eq!(java_double(2_000_000_000.0), "2.0E9");
        assert_eq!(java_double(10_000_000.0), "1.0E7");
        assert_eq!(java_double(99_999_999_999_999.0), "9.9999999999999E13");
        assert_eq!(java_double(10_000_000_000.0), "1.0E10");
        for whole in [12_345_678.0, 1_800_000_123.0, 4_102_444_800.0, 999_999_999_999_999.0] {
            let text = format!("{whole:e}");
            let (mantissa, exponent) = text.split_once('e').unwrap();
            let mantissa =
                if mantissa.contains('.') { mantissa.to_owned() } else { format!("{mantissa}.0") };
            assert_eq!(java_double(whole), format!("{mantissa}E{exponent}"), "{whole}");
        }
        assert_eq!(java_double(1_421_516_513.393), "1.421516513393E9");
        assert_eq!(java_double(1_500_000_000.0), "1.5E9");
        assert_eq!(java_double(1_000_000_000.0), "1.0E9");
        assert_eq!(java_double(3600.0), "3600.0");
        assert_eq!(java_double(0.0), "0.0");
    }
}
