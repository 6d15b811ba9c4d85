//! Any Authorization, X-Amz-Date and X-Amz-Security-Token headers (the input's lines) on a
//! signed STS call and a signed Cognito call: SigV4 parsing and verification never panic and
//! never answer 5xx.
#![no_main]

use axum::body::Body;
use axum::http::{HeaderValue, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut lines = data.split(|b| *b == b'\n');
    let headers: Vec<(&str, Option<HeaderValue>)> = ["authorization", "x-amz-date", "x-amz-security-token"]
        .into_iter()
        .map(|name| (name, lines.next().and_then(|v| HeaderValue::from_bytes(v).ok())))
        .collect();
    let calls = [
        ("application/x-www-form-urlencoded", None, "Action=GetCallerIdentity&Version=2011-06-15"),
        ("application/x-www-form-urlencoded", None, "Action=ListOpenIDConnectProviders&Version=2010-05-08"),
        ("application/x-amz-json-1.1", Some("AWSCognitoIdentityService.ListIdentityPools"), "{\"MaxResults\":1}"),
    ];
    for (content_type, target, body) in calls {
        let mut request = Request::post("/").header("content-type", content_type).header("host", "cognito-identity.us-east-1.amazonaws.com");
        if let Some(target) = target {
            request = request.header("x-amz-target", target);
        }
        for (name, value) in &headers {
            if let Some(value) = value {
                request = request.header(*name, value.clone());
            }
        }
        fedmock_fuzz::send(request.body(Body::from(body)).expect("a request"));
    }
});
