//! AWS Signature Version 4 verification for the signed actions.
//!
//! The signature is recomputed from the request exactly as the SDKs compute it (canonical
//! request → string to sign → HMAC chain from the secret) and compared. Secrets come from the
//! world's developer keys or from temporary credentials this endpoint issued. As AWS does, the
//! body is hashed (an `x-amz-content-sha256` header is never trusted), `host` must be signed,
//! and `X-Amz-Date` must be within 15 minutes of the real time: the system's, not the world
//! clock, so a test's frozen or advanced world clock never breaks signing, while a captured
//! request stops replaying after 15 minutes. Refusals use AWS's types and texts.

use std::collections::BTreeMap;

use aws_lc_rs::{digest, hmac};
use axum::http::{HeaderMap, Method, Uri};

use crate::clock;
use crate::error::AwsError;
use crate::texts;

/// What was signed, as the server sees it.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'r> {
    /// The HTTP method.
    pub method: &'r Method,
    /// The request URI (path and query).
    pub uri: &'r Uri,
    /// All headers.
    pub headers: &'r HeaderMap,
    /// The body.
    pub body: &'r [u8],
}

/// Who signed a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signer {
    /// The access key id from the credential scope.
    pub access_key_id: String,
}

/// How far `X-Amz-Date` may be from the real time, either way (AWS: 15 minutes).
pub const SKEW_SECS: i64 = 15 * 60;

/// Checks the `Authorization` header of `request` for `service` in `region` at the real time
/// `now` (epoch seconds); `secret_for` gives the secret of an access key given the session
/// token sent with it (`X-Amz-Security-Token`), or the refusal (an unknown key, expired
/// credentials).
pub fn verify(
    request: SignedRequest<'_>,
    service: &str,
    region: &str,
    now: i64,
    secret_for: impl FnOnce(&str, Option<&str>) -> Result<String, AwsError>,
) -> Result<Signer, AwsError> {
    let missing = || texts::MISSING_AUTHENTICATION.error();
    let header =
        request.headers.get("authorization").and_then(|v| v.to_str().ok()).ok_or_else(missing)?;
    let fields = header
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(|| incomplete("Authorization header requires 'AWS4-HMAC-SHA256' algorithm"))?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in fields.split(',').map(str::trim) {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => {}
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(incomplete(
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters",
        ));
    };
    // 'Host' must be signed (aws/aws-sdk-php#2469), or a captured signature could be replayed
    // against another endpoint.
    if !signed_headers.split(';').any(|h| h == "host") {
        return Err(incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key, date, scope_region, scope_service, "aws4_request"] = scope.as_slice() else {
        return Err(incomplete(
            "Credential should be scoped to a valid region, service and terminated by 'aws4_request'",
        ));
    };
    if *scope_region != region || *scope_service != service {
        return Err(texts::WRONG_SCOPE.with(&[
            ("expected", &format_args!("{region}/{service}")),
            ("got", &format_args!("{scope_region}/{scope_service}")),
        ]));
    }
    let amz_date = request
        .headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header"))?;
    check_time(amz_date, now)?;
    let sent_token = request.headers.get("x-amz-security-token").and_then(|v| v.to_str().ok());
    let secret = secret_for(access_key, sent_token)?;
    let canonical = canonical_request(request, signed_headers);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/{service}/aws4_request\n{}",
        hex(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref())
    );
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in [*date, region, service, "aws4_request"] {
        key =
            hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), part.as_bytes()).as_ref().to_vec();
    }
    let expected =
        hex(hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), string_to_sign.as_bytes())
            .as_ref());
    if expected != signature {
        return Err(texts::SIGNATURE_MISMATCH
            .error()
            .with_detail(format!("canonical request was:\n{canonical}")));
    }
    Ok(Signer { access_key_id: (*access_key).to_owned() })
}

/// The request time within [`SKEW_SECS`] of `now`, in AWS's words otherwise.
fn check_time(amz_date: &str, now: i64) -> Result<(), AwsError> {
    let Some(signed_at) = clock::from_amz_date(amz_date) else {
        // AWS's words, as kinesalite reproduces them (test/connection.js).
        return Err(incomplete(&format!(
            "Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601"
        )));
    };
    let now_text = clock::amz_date(now);
    if signed_at < now - SKEW_SECS {
        return Err(texts::SIGNATURE_EXPIRED.with(&[
            ("date", &amz_date),
            ("earliest", &clock::amz_date(now - SKEW_SECS)),
            ("now", &now_text),
        ]));
    }
    if signed_at > now + SKEW_SECS {
        return Err(texts::SIGNATURE_NOT_YET_CURRENT.with(&[
            ("date", &amz_date),
            ("latest", &clock::amz_date(now + SKEW_SECS)),
            ("now", &now_text),
        ]));
    }
    Ok(())
}

fn incomplete(message: &str) -> AwsError {
    texts::INCOMPLETE_SIGNATURE.with(&[("why", &message)])
}

fn canonical_request(request: SignedRequest<'_>, signed_headers: &str) -> String {
    let path = match request.uri.path() {
        "" => "/".to_owned(),
        path => {
            path.split('/').map(|segment| encode(&decode(segment))).collect::<Vec<_>>().join("/")
        }
    };
    let mut query: Vec<(String, String)> = request
        .uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (encode(&decode(k)), encode(&decode(v)))
        })
        .collect();
    query.sort();
    let query = query.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let mut headers: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let names: Vec<&str> = signed_headers.split(';').collect();
    for name in &names {
        let values = request
            .headers
            .get_all(*name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "));
        headers.entry(name).or_default().extend(values);
    }
    let canonical_headers: String =
        headers.iter().map(|(name, values)| format!("{name}:{}\n", values.join(","))).collect();
    // The body as received, whatever `x-amz-content-sha256` claims: a captured signature
    // then fits no other body.
    let payload = hex(digest::digest(&digest::SHA256, request.body).as_ref());
    format!("{}\n{path}\n{query}\n{canonical_headers}\n{signed_headers}\n{payload}", request.method)
}

/// RFC 3986 encoding as SigV4 wants it: unreserved characters kept, the rest `%XX`.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) =
                u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorType;

    /// When the test suite's requests were signed (20150830T123600Z).
    const SIGNED_AT: i64 = 1_440_938_160;

    /// The `get-vanilla` case of AWS's SigV4 test suite.
    #[test]
    fn the_aws_test_suite_vanilla_get_verifies() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "example.amazonaws.com".parse().unwrap());
        headers.insert("x-amz-date", "20150830T123600Z".parse().unwrap());
        headers.insert(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
                .parse()
                .unwrap(),
        );
        let uri: Uri = "/".parse().unwrap();
        let request =
            SignedRequest { method: &Method::GET, uri: &uri, headers: &headers, body: b"" };
        let secret = |key: &str, _: Option<&str>| {
            if key == "AKIDEXAMPLE" {
                Ok("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned())
            } else {
                Err(texts::UNRECOGNIZED_CLIENT.error())
            }
        };
        assert_eq!(
            verify(request, "service", "us-east-1", SIGNED_AT, secret).unwrap().access_key_id,
            "AKIDEXAMPLE"
        );
        let wrong = |_: &str, _: Option<&str>| Ok("not-the-secret".to_owned());
        assert_eq!(
            verify(request, "service", "us-east-1", SIGNED_AT, wrong).unwrap_err().kind,
            ErrorType::InvalidSignature
        );
        let unknown = |_: &str, _: Option<&str>| Err(texts::UNRECOGNIZED_CLIENT.error());
        assert_eq!(
            verify(request, "service", "us-east-1", SIGNED_AT, unknown).unwrap_err().kind,
            ErrorType::UnrecognizedClient
        );
        assert_eq!(
            verify(request, "other", "us-east-1", SIGNED_AT, secret).unwrap_err().kind,
            ErrorType::InvalidSignature
        );
    }

    fn vanilla(authorization: &str, extra: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("host", "example.amazonaws.com".parse().unwrap());
        headers.insert("x-amz-date", "20150830T123600Z".parse().unwrap());
        headers.insert("authorization", authorization.parse().unwrap());
        for (name, value) in extra {
            headers.insert(*name, value.parse().unwrap());
        }
        headers
    }

    const VANILLA: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

    fn check(headers: &HeaderMap, body: &[u8], now: i64) -> Result<Signer, AwsError> {
        let uri: Uri = "/".parse().unwrap();
        let request = SignedRequest { method: &Method::GET, uri: &uri, headers, body };
        let secret =
            |_: &str, _: Option<&str>| Ok("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned());
        verify(request, "service", "us-east-1", now, secret)
    }

    #[test]
    fn a_signature_is_good_for_15_minutes_of_real_time_either_way() {
        let headers = vanilla(VANILLA, &[]);
        assert!(check(&headers, b"", SIGNED_AT + SKEW_SECS).is_ok());
        assert!(check(&headers, b"", SIGNED_AT - SKEW_SECS).is_ok());
        let late = check(&headers, b"", SIGNED_AT + SKEW_SECS + 1).unwrap_err();
        assert_eq!(
            (late.kind, late.message.as_str()),
            (
                ErrorType::InvalidSignature,
                "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)"
            )
        );
        let early = check(&headers, b"", SIGNED_AT - SKEW_SECS - 1).unwrap_err();
        assert_eq!(
            early.message,
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T122059Z + 15 min.)"
        );
        let mut garbled = headers.clone();
        garbled.insert("x-amz-date", "2015-08-30T12:36:00Z".parse().unwrap());
        let err = check(&garbled, b"", SIGNED_AT).unwrap_err();
        assert_eq!(err.kind, ErrorType::IncompleteSignature);
        assert!(
            err.message.starts_with("Date must be in ISO-8601 'basic format'."),
            "{}",
            err.message
        );
    }

    #[test]
    fn host_must_be_signed() {
        let unsigned_host =
            VANILLA.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date");
        let err = check(&vanilla(&unsigned_host, &[]), b"", SIGNED_AT).unwrap_err();
        assert_eq!(
            (err.kind, err.message.as_str()),
            (
                ErrorType::IncompleteSignature,
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
            )
        );
    }

    #[test]
    fn the_body_is_hashed_whatever_x_amz_content_sha256_says() {
        // The signature covers the empty body; the header claims its hash for another body.
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let headers = vanilla(VANILLA, &[("x-amz-content-sha256", empty)]);
        assert!(check(&headers, b"", SIGNED_AT).is_ok());
        let replayed = check(&headers, b"Action=CreateRole", SIGNED_AT).unwrap_err();
        assert_eq!(
            (replayed.kind, replayed.message.as_str()),
            (ErrorType::InvalidSignature, texts::SIGNATURE_MISMATCH.message)
        );
    }

    #[test]
    fn an_unsigned_request_misses_its_token() {
        let headers = HeaderMap::new();
        let uri: Uri = "/".parse().unwrap();
        let request =
            SignedRequest { method: &Method::POST, uri: &uri, headers: &headers, body: b"{}" };
        let unknown = |_: &str, _: Option<&str>| Err(texts::UNRECOGNIZED_CLIENT.error());
        let err = verify(request, "cognito-identity", "us-east-1", 0, unknown).unwrap_err();
        assert_eq!(
            (err.kind, err.message.as_str()),
            (ErrorType::MissingAuthenticationToken, "Missing Authentication Token")
        );
    }
}
