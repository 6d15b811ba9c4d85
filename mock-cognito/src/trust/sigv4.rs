//! AWS Signature Version 4 verification for the signed actions.
//!
//! The signature is recomputed from the request exactly as the SDKs compute it (canonical
//! request → string to sign → HMAC chain from the secret) and compared. Secrets come from the
//! world's developer keys or from temporary credentials this endpoint issued. The request
//! time is not checked against the clock: a test's frozen world clock must not break signing.
//! Refusals use AWS's common error types and texts for these cases.

use std::collections::BTreeMap;

use aws_lc_rs::{digest, hmac};
use axum::http::{HeaderMap, Method, Uri};

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

/// Checks the `Authorization` header of `request` for `service` in `region`; `secret_for`
/// gives the secret of an access key given the session token sent with it (`X-Amz-Security-Token`),
/// or the refusal (an unknown key, expired credentials).
pub fn verify(
    request: SignedRequest<'_>,
    service: &str,
    region: &str,
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
    let sent_token = request.headers.get("x-amz-security-token").and_then(|v| v.to_str().ok());
    let secret = secret_for(access_key, sent_token)?;
    let amz_date = request
        .headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header"))?;
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
    let payload = request
        .headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| hex(digest::digest(&digest::SHA256, request.body).as_ref()), str::to_owned);
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
            verify(request, "service", "us-east-1", secret).unwrap().access_key_id,
            "AKIDEXAMPLE"
        );
        let wrong = |_: &str, _: Option<&str>| Ok("not-the-secret".to_owned());
        assert_eq!(
            verify(request, "service", "us-east-1", wrong).unwrap_err().kind,
            ErrorType::InvalidSignature
        );
        let unknown = |_: &str, _: Option<&str>| Err(texts::UNRECOGNIZED_CLIENT.error());
        assert_eq!(
            verify(request, "service", "us-east-1", unknown).unwrap_err().kind,
            ErrorType::UnrecognizedClient
        );
        assert_eq!(
            verify(request, "other", "us-east-1", secret).unwrap_err().kind,
            ErrorType::InvalidSignature
        );
    }

    #[test]
    fn an_unsigned_request_misses_its_token() {
        let headers = HeaderMap::new();
        let uri: Uri = "/".parse().unwrap();
        let request =
            SignedRequest { method: &Method::POST, uri: &uri, headers: &headers, body: b"{}" };
        let unknown = |_: &str, _: Option<&str>| Err(texts::UNRECOGNIZED_CLIENT.error());
        let err = verify(request, "cognito-identity", "us-east-1", unknown).unwrap_err();
        assert_eq!(
            (err.kind, err.message.as_str()),
            (ErrorType::MissingAuthenticationToken, "Missing Authentication Token")
        );
    }
}
